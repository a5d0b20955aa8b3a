/* test_rules.c - the rule engine: parse errors with positions, exact
 * boundary arithmetic, three-valued results, score ranges, gaps, what-if,
 * hashes and diffs. Official rule sets come from the embedded table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "rules/embedded.h"
#include "rules/field.h"
#include "rules/q.h"
#include "rules/rules.h"

static RuleSet *parse_ok(const char *src)
{
    RuleSet *rs = NULL;
    Err e;
    err_clear(&e);
    if (rule_set_parse("t.kcr", src, strlen(src), &rs, &e) != 0) {
        fail_msg("parse failed: %s", e.msg);
    }
    return rs;
}

static const char *parse_bad(const char *src, Err *e)
{
    RuleSet *rs = NULL;
    err_clear(e);
    assert_int_not_equal(rule_set_parse("t.kcr", src, strlen(src), &rs, e), 0);
    assert_null(rs);
    return e->msg;
}

static RuleSet *embedded(const char *id)
{
    for (int i = 0; i < kc_n_rule_files; i++) {
        RuleSet *rs = NULL;
        Err e;
        if (rule_set_parse(kc_rule_files[i].path, *kc_rule_files[i].data,
                           *kc_rule_files[i].len, &rs, &e) != 0) {
            fail_msg("%s", e.msg);
        }
        if (strcmp(rule_set_id(rs), id) == 0) {
            return rs;
        }
        rule_set_free(rs);
    }
    fail_msg("rule set %s not embedded", id);
    return NULL;
}

static void set(RuleInput *in, const char *a)
{
    Err e;
    if (rule_input_assign(in, a, &e) != 0) {
        fail_msg("%s: %s", a, e.msg);
    }
}

static RuleInput *input(int year, const char *const *assign)
{
    Date d;
    RuleInput *in;
    assert_int_equal(date_from_ymd(year, 12, 31, &d, NULL, NULL), 0);
    in = rule_input_new(year, d);
    for (int i = 0; assign[i]; i++) {
        set(in, assign[i]);
    }
    return in;
}

/* The row with this id (fails when absent). */
static RuleRow row(const RuleResult *r, const char *id)
{
    RuleRow w;
    for (int i = 0; i < rule_result_n_rows(r); i++) {
        rule_result_row(r, i, &w);
        if (strcmp(w.id, id) == 0) {
            return w;
        }
    }
    fail_msg("no row %s", id);
    memset(&w, 0, sizeof w);
    return w;
}

static RuleResult *eval(const RuleSet *rs, const RuleInput *in)
{
    RuleResult *r = NULL;
    Err e;
    assert_int_equal(rule_eval(rs, in, &r, &e), 0);
    return r;
}

/* SME T6-like base (2017 table): staff 20%, R&D 4.5%, 3 Ⅱ类 -> 60. */
static const char *const sme_t6[] = {"employees[2022]=100",
                                     "tech_staff[2022]=20",
                                     "rd_expense[2022]=45万",
                                     "sales_revenue[2022]=1000万",
                                     "total_cost[2022]=900万",
                                     "total_assets[2022]=2000万",
                                     "ip1=0",
                                     "ip2=3",
                                     "resident=是",
                                     "prohibited_industry=否",
                                     "incident=否",
                                     "dishonest=否",
                                     "abnormal_list=否",
                                     "serious_illegal=否",
                                     "hnte_cert=否",
                                     "award_national_top3_5y=否",
                                     "rd_institution=否",
                                     "led_standard_5y=否",
                                     NULL};

/* ---- parse errors ---------------------------------------------------- */

static void test_errors_have_positions(void **state)
{
    Err e;
    (void)state;
    assert_string_equal(parse_bad("ruleset a\nstatus confirmed\npass = "
                                  "employees[year] <= 5 $",
                                  &e),
                        "t.kcr:3:29: 无法识别的字符 '$'");
    assert_non_null(strstr(parse_bad("ruleset a\nstatus confirmed\n"
                                     "check c \"x\" = foo > 1\npass = c",
                                     &e),
                           "t.kcr:3:15: 未知字段或名称“foo”"));
    assert_non_null(strstr(parse_bad("ruleset a\nstatus confirmed\n"
                                     "pass = employees > 1",
                                     &e),
                           "t.kcr:3:8: 字段“employees”按年度取值"));
    assert_non_null(strstr(parse_bad("ruleset a\nstatus confirmed\n"
                                     "pass = sales_revenue[year] > 5",
                                     &e),
                           "t.kcr:3:28: 类型不匹配"));
    assert_non_null(strstr(parse_bad("ruleset a\nstatus confirmed\n"
                                     "pass = hnte_cert and 5",
                                     &e),
                           "t.kcr:3:18: 类型不匹配"));
    assert_non_null(strstr(parse_bad("ruleset a\nstatus confirmed\n"
                                     "pass = \"abc",
                                     &e),
                           "t.kcr:3:8: 字符串缺少结尾的引号"));
    assert_non_null(strstr(parse_bad("ruleset a\nstatus confirmed\n"
                                     "pass = sales_revenue[year-9] > 5万",
                                     &e),
                           "t.kcr:3:22: 年份超出可用范围"));
    assert_non_null(strstr(parse_bad("ruleset a\nstatus confirmed\n"
                                     "pass = sales_revenue[year] > 1.00001万",
                                     &e),
                           "t.kcr:3:30: 金额须精确到元"));
    /* bands: overlap, gap without else, empty interval */
    assert_non_null(
        strstr(parse_bad("ruleset a\nstatus confirmed\nscore s \"s\" max 9 = "
                         "band(ip1) {\n [0, 2] => 1\n [2, ..) => 2\n (.., 0) "
                         "=> 0 }\npass = s > 0",
                         &e),
               "t.kcr:5:2: 区间与第 4 行的区间重叠"));
    assert_non_null(
        strstr(parse_bad("ruleset a\nstatus confirmed\nscore s \"s\" max 9 = "
                         "band(ip1) {\n [0, 2) => 1\n (2, ..) => 2\n (.., 0) "
                         "=> 0 }\npass = s > 0",
                         &e),
               "区间表没有覆盖全部取值"));
    assert_non_null(strstr(
        parse_bad("ruleset a\nstatus confirmed\nscore s \"s\" max 9 = "
                  "band(ip1) {\n [3, 2) => 1\n else => 0 }\npass = s > 0",
                  &e),
        "t.kcr:4:2: 区间为空"));
    assert_non_null(strstr(
        parse_bad("ruleset a\nstatus confirmed\nscore s \"s\" max 5 = "
                  "band(ip1) {\n [3, ..) => 6\n else => 0 }\npass = s > 0",
                  &e),
        "t.kcr:4:2: 分值超过该项上限"));
    assert_non_null(strstr(parse_bad("status confirmed\n", &e),
                           "t.kcr:1:1: 文件应以 ruleset 编号 开头"));
    assert_non_null(
        strstr(parse_bad("ruleset a\npass = yes", &e), "缺少 status"));
}

static void test_depth_and_size_caps(void **state)
{
    Buf b;
    Err e;
    RuleSet *rs = NULL;
    (void)state;
    buf_init(&b, 0);
    buf_append_str(&b, "ruleset a\nstatus confirmed\npass = ");
    for (int i = 0; i < 200; i++) {
        buf_append_str(&b, "(");
    }
    buf_append_str(&b, "yes");
    for (int i = 0; i < 200; i++) {
        buf_append_str(&b, ")");
    }
    assert_int_equal(rule_set_parse("t.kcr", b.data, b.len, &rs, &e),
                     ERR_TOOBIG);
    assert_non_null(strstr(e.msg, "嵌套过深"));
    buf_release(&b);
}

/* Every prefix of an official file either parses or fails cleanly. */
static void test_prefixes_never_crash(void **state)
{
    (void)state;
    for (int f = 0; f < kc_n_rule_files; f++) {
        const char *src = *kc_rule_files[f].data;
        size_t len = *kc_rule_files[f].len;
        for (size_t n = 0; n < len; n += 7) {
            RuleSet *rs = NULL;
            Err e;
            if (rule_set_parse("p.kcr", src, n, &rs, &e) == 0) {
                rule_set_free(rs);
            } else {
                assert_non_null(strstr(e.msg, "p.kcr:"));
            }
        }
    }
}

/* ---- exact arithmetic ------------------------------------------------ */

static void test_q_exact(void **state)
{
    Q a = q_frac(1, 10), b = q_frac(2, 10), c = q_frac(3, 10), s;
    (void)state;
    assert_int_equal(q_add(a, b, &s), 0);
    assert_int_equal(q_cmp(s, c), 0); /* 0.1 + 0.2 == 0.3 exactly */
    /* huge values compare without overflow */
    assert_int_equal(q_cmp(q_frac(INT64_MAX, INT64_MAX - 1),
                           q_frac(INT64_MAX - 1, INT64_MAX - 2)),
                     -1);
    assert_int_equal(q_cmp(q_frac(-7, 3), q_frac(-5, 2)), 1);
}

static void test_hnte_band_boundaries(void **state)
{
    RuleSet *rs = embedded("hnte-2016");
    const char *const base[] = {"sales_revenue[2025]=5000万", NULL};
    RuleInput *in = input(2026, base);
    RuleResult *r = eval(rs, in);
    (void)state;
    /* exactly 5000万 lies in the 5% band ("（含）") */
    assert_string_equal(row(r, "rd_threshold").actual, "5%");
    rule_result_free(r);
    set(in, "sales_revenue[2025]=20000万");
    r = eval(rs, in);
    assert_string_equal(row(r, "rd_threshold").actual, "4%");
    rule_result_free(r);
    set(in, "sales_revenue[2025]=20000.0001万");
    r = eval(rs, in);
    assert_string_equal(row(r, "rd_threshold").actual, "3%");
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

static void test_sme_boundaries(void **state)
{
    RuleSet *rs = embedded("sme-2017");
    RuleInput *in = input(2023, sme_t6);
    RuleResult *r = eval(rs, in);
    int64_t lo, hi;
    (void)state;
    /* 60 points passes */
    assert_int_equal(rule_result_verdict(r), RULE_V_MET);
    assert_int_equal(rule_result_total(r, &lo, &hi), 1);
    assert_int_equal(lo, 60);
    assert_int_equal(hi, 60);
    rule_result_free(r);
    /* 10.0% tech staff scores 4 */
    set(in, "tech_staff[2022]=10");
    r = eval(rs, in);
    assert_string_equal(row(r, "staff").actual, "4 分");
    assert_int_equal(rule_result_verdict(r), RULE_V_UNMET);
    rule_result_free(r);
    /* 9.99...%: one person fewer of 10000 -> 0 */
    set(in, "employees[2022]=10001");
    set(in, "tech_staff[2022]=1000");
    r = eval(rs, in);
    assert_string_equal(row(r, "staff").actual, "0 分");
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

static const char *hnte_mini =
    "ruleset mini\nstatus confirmed\n"
    "expert a \"甲\" max 50 { A \"高\" 40..50; B \"低\" 0..39 }\n"
    "expert b \"乙\" max 50 { A \"高\" 30..50; B \"低\" 0..29 }\n"
    "let t \"总分\" = a + b\n"
    "check ok \"70分以上（不含70分）\" = t > 70\n"
    "pass = ok\ntotal = t\n";

static void test_hnte_70_71(void **state)
{
    RuleSet *rs = parse_ok(hnte_mini);
    RuleInput *in = rule_input_new(2026, 0);
    RuleResult *r;
    Err e;
    int64_t lo, hi;
    (void)state;
    rule_input_set_expert(in, "a", NULL, 40, &e);
    rule_input_set_expert(in, "b", NULL, 30, &e);
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_UNMET); /* 70 fails */
    assert_string_equal(row(r, "ok").gap, "还差 1 分");
    rule_result_free(r);
    rule_input_set_expert(in, "b", NULL, 31, &e);
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_MET); /* 71 passes */
    rule_result_free(r);
    /* grades give ranges: A + B = 40..79 straddles 70 */
    rule_input_set_expert(in, "b", "B", 0, &e);
    rule_input_set_expert(in, "a", "A", 0, &e);
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_EXPERT);
    rule_result_total(r, &lo, &hi);
    assert_int_equal(lo, 40);
    assert_int_equal(hi, 79);
    rule_result_free(r);
    /* nothing chosen: the full range 0..100 */
    rule_input_free(in);
    in = rule_input_new(2026, 0);
    r = eval(rs, in);
    rule_result_total(r, &lo, &hi);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 100);
    assert_int_equal(rule_result_verdict(r), RULE_V_EXPERT);
    rule_result_free(r);
    /* B for a caps the total at 39 + 50 = 89 ... and B, B at 68: fails */
    rule_input_set_expert(in, "a", "B", 0, &e);
    rule_input_set_expert(in, "b", "B", 0, &e);
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_UNMET);
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

/* ---- three-valued results ---------------------------------------------- */

static void test_missing_names_fields(void **state)
{
    RuleSet *rs = embedded("sme-2017");
    RuleInput *in = input(2023, sme_t6);
    RuleResult *r;
    (void)state;
    rule_input_unset_year(in, rule_field_find("total_cost"), 2022);
    rule_input_unset(in, rule_field_find("ip2"));
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_UNKNOWN);
    assert_string_equal(row(r, "rd_cost").missing, "成本费用总额[2022]");
    assert_string_equal(row(r, "ip").missing, "Ⅱ类知识产权");
    assert_int_equal(row(r, "staff").outcome, RULE_V_INFO);
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

static void test_division_by_zero_unknown(void **state)
{
    RuleSet *rs = embedded("sme-2017");
    RuleInput *in = input(2023, sme_t6);
    RuleResult *r;
    (void)state;
    set(in, "employees[2022]=0");
    set(in, "tech_staff[2022]=0");
    r = eval(rs, in);
    assert_int_equal(row(r, "staff").outcome, RULE_V_UNKNOWN);
    assert_string_equal(row(r, "staff").missing,
                        "职工总数[2022]为零（不能作除数）");
    assert_int_equal(rule_result_verdict(r), RULE_V_UNKNOWN);
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

/* A year before the enterprise's establishment is named as such, not as
 * missing data or a zero divisor. */
static void test_years_before_established(void **state)
{
    static const char *const a[] = {
        "established=2025-03-01", "rd_expense[2025]=0万",
        "rd_domestic[2025]=0万",  "employees[2025]=10",
        "tech_staff[2025]=2",     NULL};
    RuleSet *rs = embedded("hnte-2016");
    RuleInput *in = input(2026, a);
    RuleResult *r;
    (void)state;
    r = eval(rs, in);
    assert_string_equal(row(r, "rd_dom").missing,
                        "研发费用[2023]（早于成立年度2025年）、"
                        "研发费用[2024]（早于成立年度2025年）、"
                        "研发费用[2025]为零（不能作除数）");
    assert_string_equal(row(r, "rd_ratio").missing, "销售收入[2025]");
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

/* 工作指引 成长性：“实际经营期不满三年的按实际经营时间计算”; a year before
 * the operating years counts as 0 (第一年为0按后两年计算，第二年为0按0分).
 * growth() marks short histories for manual confirmation; growth_since()
 * counts from the year of establishment, growth_full() from the first full
 * year, and neither marks them. */
static void test_growth_readings(void **state)
{
    static const char *src =
        "ruleset g\n"
        "status confirmed\n"
        "let y = year - 1\n"
        "let g0 \"旧\" = growth(sales_revenue[y-2..y])\n"
        "let gs \"自成立当年\" = growth_since(sales_revenue[y-2..y])\n"
        "let gf \"自第一个整年\" = growth_full(sales_revenue[y-2..y])\n"
        "check c0 \"旧\" = g0 >= 0\n"
        "check cs \"成立当年\" = gs >= 50%\n"
        "check cf \"整年\" = gf > 0\n"
        "pass = cs and cf\n";
    static const struct {
        const char *established;
        int c0, cs, cf, verdict;
        const char *gs, *gf;
    } t[] = {
        /* two operating years under since, one under full: 0 */
        {"established=2024-07-01", RULE_V_MANUAL, RULE_V_MET, RULE_V_UNMET,
         RULE_V_UNMET, "100%", "0%"},
        /* established on 1 January: 2024 is a full year */
        {"established=2024-01-01", RULE_V_MANUAL, RULE_V_MET, RULE_V_MET,
         RULE_V_MET, "100%", "100%"},
        /* three years under since (2023 partial), two under full */
        {"established=2023-07-01", RULE_V_MET, RULE_V_MET, RULE_V_MET,
         RULE_V_MET, "200%", "100%"},
        /* one operating year: 0 under both */
        {"established=2025-03-01", RULE_V_MANUAL, RULE_V_UNMET, RULE_V_UNMET,
         RULE_V_UNMET, "0%", "0%"},
        /* three full years: the three agree */
        {"established=2022-05-01", RULE_V_MET, RULE_V_MET, RULE_V_MET,
         RULE_V_MET, "200%", "200%"},
    };
    RuleSet *rs = parse_ok(src);
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *a[] = {t[i].established, "sales_revenue[2023]=250万",
                           "sales_revenue[2024]=1000万",
                           "sales_revenue[2025]=2000万", NULL};
        RuleInput *in = input(2026, a);
        RuleResult *r = eval(rs, in);
        assert_int_equal(row(r, "c0").outcome, t[i].c0);
        assert_int_equal(row(r, "cs").outcome, t[i].cs);
        assert_int_equal(row(r, "cf").outcome, t[i].cf);
        assert_string_equal(row(r, "gs").actual, t[i].gs);
        assert_string_equal(row(r, "gf").actual, t[i].gf);
        assert_int_equal(rule_result_verdict(r), t[i].verdict);
        rule_result_free(r);
        rule_input_free(in);
    }
    rule_set_free(rs);
}

/* 国科发政〔2017〕115号 第七条（二）：“企业从(1)、(2)两项指标中选择一个指标
 * 进行评分” — with sales 0 the enterprise is scored on R&D / cost (and
 * the other way round); only when both divisors are 0 is 研发投入 unknown. */
static void test_better_of_two_zero_divisor(void **state)
{
    RuleSet *rs = embedded("sme-2017");
    RuleInput *in = input(2023, sme_t6);
    RuleResult *r;
    Buf b;
    (void)state;
    /* sales 0, R&D 45万 / cost 150万 = 30 % -> 50: 12 + 50 + 18 = 80 */
    set(in, "sales_revenue[2022]=0元");
    set(in, "total_cost[2022]=150万");
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_MET);
    assert_int_equal(row(r, "rd").outcome, RULE_V_INFO);
    assert_string_equal(row(r, "rd").actual, "50 分");
    assert_int_equal(row(r, "rd_sales").outcome, RULE_V_INFO);
    assert_string_equal(row(r, "rd_sales").actual,
                        "不适用：销售收入[2022]为零（不能作除数）");
    buf_init(&b, 1 << 16);
    assert_int_equal(rule_result_format_text(r, &b), 0);
    assert_non_null(strstr(b.data, "综合得分：80 分"));
    buf_release(&b);
    rule_result_free(r);
    /* the other arm alone below the mark: 未达标, not 缺数据 */
    set(in, "total_cost[2022]=900万");
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_UNMET);
    assert_string_equal(row(r, "rd").actual, "0 分");
    rule_result_free(r);
    /* cost 0: R&D / sales 4.5 % -> 30: 12 + 30 + 18 = 60 */
    set(in, "sales_revenue[2022]=1000万");
    set(in, "total_cost[2022]=0元");
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_MET);
    assert_string_equal(row(r, "rd").actual, "30 分");
    assert_int_equal(row(r, "rd_cost").outcome, RULE_V_INFO);
    rule_result_free(r);
    /* both 0: no indicator can be scored */
    set(in, "sales_revenue[2022]=0元");
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_UNKNOWN);
    assert_int_equal(row(r, "rd").outcome, RULE_V_UNKNOWN);
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

/* 115号 第六条（五）“综合评价所得分值不低于60分”: missing data that no value
 * can bring across 60 gives the verdict, and is listed as not needed. */
static void test_missing_that_cannot_matter(void **state)
{
    RuleSet *rs = embedded("sme-2017");
    RuleInput *in = input(2023, sme_t6);
    RuleResult *r;
    Buf b;
    (void)state;
    /* R&D / sales 30 % already scores the maximum 50: cost cannot matter;
     * IP missing: 12 + 50 + [0, 30] >= 60 whatever it is */
    set(in, "rd_expense[2022]=300万");
    rule_input_unset_year(in, rule_field_find("total_cost"), 2022);
    rule_input_unset(in, rule_field_find("ip1"));
    rule_input_unset(in, rule_field_find("ip2"));
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_MET);
    assert_string_equal(row(r, "rd").actual, "50 分");
    assert_int_equal(row(r, "rd").outcome, RULE_V_INFO);
    assert_int_equal(row(r, "ip").outcome, RULE_V_UNKNOWN);
    assert_string_equal(row(r, "total_score").actual,
                        "62–92 分（数据不全，可能的范围）");
    assert_int_equal(row(r, "score_ok").outcome, RULE_V_MET);
    assert_string_equal(row(r, "score_ok").moot,
                        "成本费用总额[2022]、Ⅰ类知识产权、Ⅱ类知识产权");
    buf_init(&b, 1 << 16);
    assert_int_equal(rule_result_format_text(r, &b), 0);
    assert_non_null(strstr(b.data, "\n未填写但不影响结论："
                                   "成本费用总额[2022]、Ⅰ类知识产权、"
                                   "Ⅱ类知识产权\n"));
    buf_release(&b);
    rule_result_free(r);
    rule_input_free(in);

    /* employees missing: staff scores 0..20, R&D 30, IP 0 -> at most 50 */
    in = input(2023, sme_t6);
    set(in, "ip2=0");
    rule_input_unset_year(in, rule_field_find("employees"), 2022);
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_UNMET);
    assert_int_equal(row(r, "score_ok").outcome, RULE_V_UNMET);
    assert_string_equal(row(r, "score_ok").moot, "职工总数[2022]");
    assert_int_equal(row(r, "staff").outcome, RULE_V_UNKNOWN);
    rule_result_free(r);
    /* with 3 Ⅱ类 (18 points) the total is 48..68: it can matter */
    set(in, "ip2=3");
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_UNKNOWN);
    assert_int_equal(row(r, "score_ok").outcome, RULE_V_UNKNOWN);
    assert_string_equal(row(r, "score_ok").missing, "职工总数[2022]");
    rule_result_free(r);
    /* 30 % R&D / sales but cost missing and IP 0 with 12 staff points:
     * 12 + 50 = 62 regardless of cost */
    rule_input_free(in);
    in = input(2023, sme_t6);
    set(in, "ip2=0");
    set(in, "rd_expense[2022]=300万");
    rule_input_unset_year(in, rule_field_find("total_cost"), 2022);
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_MET);
    rule_result_free(r);
    /* 4.5 % R&D / sales (30) and cost missing: 12 + [30, 50] + 0 = 42..62 */
    set(in, "rd_expense[2022]=45万");
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_UNKNOWN);
    assert_string_equal(row(r, "rd").actual,
                        "30–50 分（数据不全，可能的范围）");
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

/* The inputs an evaluation read, filled in or not: listed in the text and
 * by rule_result_read(); the contradiction check reads its part/whole pairs
 * in every year without listing them as the criteria's. */
static void test_reads_listed(void **state)
{
    RuleSet *rs = embedded("sme-2017");
    RuleInput *in = input(2023, sme_t6);
    RuleResult *r;
    Buf b, rd;
    (void)state;
    rule_input_unset_year(in, rule_field_find("total_cost"), 2022);
    r = eval(rs, in);
    buf_init(&rd, 1 << 16);
    assert_int_equal(rule_result_reads(r, &rd), 0);
    assert_non_null(strstr(rd.data, "职工总数[2022]"));
    assert_non_null(strstr(rd.data, "成本费用总额[2022]"));
    assert_null(strstr(rd.data, "科技成果转化"));
    assert_int_equal(rule_result_read(r, rule_field_find("employees"), 2022),
                     1);
    /* missing, still read */
    assert_int_equal(rule_result_read(r, rule_field_find("total_cost"), 2022),
                     1);
    assert_int_equal(rule_result_read(r, rule_field_find("resident"), 0), 1);
    /* not a criterion of sme-2017 */
    assert_int_equal(rule_result_read(r, rule_field_find("conversions"), 2022),
                     0);
    assert_int_equal(rule_result_read(r, rule_field_find("total_cost"), 2019),
                     0);
    /* outside the window */
    assert_int_equal(rule_result_read(r, rule_field_find("employees"), 2000),
                     0);
    /* the contradiction check: tech_staff / employees in every year */
    assert_int_equal(rule_result_read(r, rule_field_find("tech_staff"), 2017),
                     1);
    assert_null(strstr(rd.data, "科技人员数[2017]"));
    buf_release(&rd);
    buf_init(&b, 1 << 16);
    assert_int_equal(rule_result_format_text(r, &b), 0);
    assert_non_null(strstr(b.data, "\n读取的数据："));
    buf_release(&b);
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

/* 国科发火〔2016〕32号 第十一条（六）“不低于60%”: 60 % less 1 元 is
 * 未达标 and must not print as the threshold; exactly 60 % prints as it. */
static void test_failing_value_never_prints_as_threshold(void **state)
{
    RuleSet *rs = embedded("hnte-2016");
    RuleInput *in = input(2023, sme_t6);
    RuleResult *r;
    (void)state;
    set(in, "hitech_income[2022]=5999999元");
    set(in, "total_revenue[2022]=10000000元");
    r = eval(rs, in);
    assert_int_equal(row(r, "c6").outcome, RULE_V_UNMET);
    assert_string_equal(row(r, "c6").actual, "59.99999%");
    assert_string_equal(row(r, "c6").required, "≥ 60%");
    rule_result_free(r);
    set(in, "hitech_income[2022]=6000000元");
    r = eval(rs, in);
    assert_int_equal(row(r, "c6").outcome, RULE_V_MET);
    assert_string_equal(row(r, "c6").actual, "60%");
    rule_result_free(r);
    /* 1 元 in 1 万亿: rounded to nine decimals it would still be 60 %:
     * the last precision tried rounds down, away from the threshold */
    set(in, "hitech_income[2022]=599999999999元");
    set(in, "total_revenue[2022]=1000000000000元");
    r = eval(rs, in);
    assert_int_equal(row(r, "c6").outcome, RULE_V_UNMET);
    assert_string_equal(row(r, "c6").actual, "59.9999999999%");
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

/* 115号 第八条 直接确认: 达标 on the direct path with a low score says so
 * (the score row alone would read as a failed "≥ 60 分"). */
static void test_path_named(void **state)
{
    RuleSet *rs = embedded("sme-2017");
    RuleInput *in = input(2023, sme_t6);
    RuleResult *r;
    Buf b;
    (void)state;
    set(in, "tech_staff[2022]=5");
    set(in, "hnte_cert=是");
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_MET);
    assert_int_equal(row(r, "score_ok").outcome, RULE_V_UNMET);
    assert_string_equal(rule_result_path(r),
                        "直接确认（第八条，满足其一）："
                        "拥有有效期内的高新技术企业资格证书");
    buf_init(&b, 1 << 16);
    assert_int_equal(rule_result_format_text(r, &b), 0);
    assert_non_null(strstr(b.data, "结论：达标\n达标途径：直接确认"));
    buf_release(&b);
    rule_result_free(r);
    /* by the score: the path names the score criterion */
    set(in, "tech_staff[2022]=20");
    set(in, "hnte_cert=否");
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_MET);
    assert_string_equal(
        rule_result_path(r),
        "综合得分不低于60分且科技人员指标不为0分（第六条第五项）");
    rule_result_free(r);
    /* a rule set without alternatives (hnte-2016: all of （一）–（八）) and
     * a verdict other than 达标 have none */
    set(in, "tech_staff[2022]=5");
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_UNMET);
    assert_string_equal(rule_result_path(r), "");
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

static void test_conflict_flagged(void **state)
{
    RuleSet *rs = embedded("sme-2017");
    RuleInput *in = input(2023, sme_t6);
    RuleResult *r;
    (void)state;
    set(in, "tech_staff[2022]=101");
    r = eval(rs, in);
    assert_int_equal(rule_result_verdict(r), RULE_V_CONFLICT);
    assert_string_equal(row(r, "conflict").label,
                        "数据矛盾：2022年科技人员数大于职工总数");
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

/* ---- gaps and what-if --------------------------------------------------- */

static void test_gaps_in_units(void **state)
{
    RuleSet *rs = embedded("sme-2017");
    const char *const t4[] = {
        "employees[2022]=200",     "tech_staff[2022]=30",
        "rd_expense[2022]=150万",  "sales_revenue[2022]=5000万",
        "total_cost[2022]=1500万", NULL};
    RuleInput *in = input(2023, t4);
    RuleResult *r = eval(rs, in);
    (void)state;
    assert_string_equal(row(r, "staff").gap,
                        "科技人员数（2022年）再增加 10 人可得 12 分");
    assert_string_equal(row(r, "rd_sales").gap,
                        "研发费用（2022年）再增加 50 万元可得 30 分");
    rule_result_free(r);
    /* an exact decimal gap: 42.3 万元 */
    set(in, "rd_expense[2022]=157.7万");
    r = eval(rs, in);
    assert_string_equal(row(r, "rd_sales").gap,
                        "研发费用（2022年）再增加 42.3 万元可得 30 分");
    rule_result_free(r);
    /* too many employees: a decrease */
    set(in, "employees[2022]=600");
    r = eval(rs, in);
    assert_string_equal(row(r, "staff_cap").gap,
                        "职工总数（2022年）需减少 100 人");
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);

    rs = embedded("chuying-tj-2021");
    {
        const char *const c[] = {"established=2019-01-01",
                                 "tianjin=是",
                                 "sales_revenue[2022]=50万",
                                 "ip1=0",
                                 "ip2=1",
                                 NULL};
        in = input(2023, c);
    }
    rs = rs ? rs : NULL;
    {
        RuleSet *g = parse_ok("ruleset g\nstatus confirmed\n"
                              "check i \"Ⅰ类\" = ip1 >= 1\npass = i\n");
        r = eval(g, in);
        assert_string_equal(row(r, "i").gap, "再有 1 项Ⅰ类知识产权");
        rule_result_free(r);
        rule_set_free(g);
    }
    rule_input_free(in);
    rule_set_free(rs);
}

static void test_what_if(void **state)
{
    RuleSet *rs = embedded("sme-2017");
    RuleInput *in = input(2023, sme_t6), *w = rule_input_clone(in);
    RuleResult *r1, *r2;
    (void)state;
    set(w, "ip2=0");
    r1 = eval(rs, in);
    r2 = eval(rs, w);
    assert_int_equal(rule_result_verdict(r1), RULE_V_MET);
    assert_int_equal(rule_result_verdict(r2), RULE_V_UNMET);
    assert_string_not_equal(rule_result_input_hash(r1),
                            rule_result_input_hash(r2));
    assert_string_equal(rule_result_ruleset_hash(r1), rule_set_hash(rs));
    {
        /* the hash given once for many rule sets: the same result */
        RuleResult *r3 = NULL;
        char h[65];
        Err e;

        rule_input_hash(w, h);
        assert_int_equal(rule_eval_hashed(rs, w, h, &r3, &e), 0);
        assert_string_equal(rule_result_input_hash(r3),
                            rule_result_input_hash(r2));
        assert_int_equal(rule_result_verdict(r3), rule_result_verdict(r2));
        assert_int_equal(rule_result_n_rows(r3), rule_result_n_rows(r2));
        rule_result_free(r3);
    }
    rule_result_free(r1);
    rule_result_free(r2);
    rule_input_free(w);
    rule_input_free(in);
    rule_set_free(rs);
}

/* ---- hashes, cases and diffs ------------------------------------------- */

static void test_hash_stability(void **state)
{
    const char *src = "ruleset h\nstatus confirmed\npass = yes\n";
    RuleSet *a = parse_ok(src), *b = parse_ok(src);
    RuleSet *c = parse_ok("ruleset h\nstatus confirmed\npass = yes \n");
    const char *const asg[] = {"employees[2022]=5", "hnte_cert=是", NULL};
    RuleInput *i1 = input(2023, asg), *i2 = input(2023, asg);
    char h1[65], h2[65];
    (void)state;
    assert_string_equal(rule_set_hash(a), rule_set_hash(b));
    assert_string_not_equal(rule_set_hash(a), rule_set_hash(c));
    assert_int_equal(strlen(rule_set_hash(a)), 64);
    rule_input_hash(i1, h1);
    rule_input_hash(i2, h2);
    assert_string_equal(h1, h2);
    set(i2, "employees[2022]=6");
    rule_input_hash(i2, h2);
    assert_string_not_equal(h1, h2);
    rule_input_free(i1);
    rule_input_free(i2);
    rule_set_free(a);
    rule_set_free(b);
    rule_set_free(c);
}

static void test_embedded_cases_pass(void **state)
{
    Buf why;
    int total = 0;
    (void)state;
    buf_init(&why, 0);
    for (int f = 0; f < kc_n_rule_files; f++) {
        RuleSet *rs = NULL;
        Err e;
        assert_int_equal(rule_set_parse(kc_rule_files[f].path,
                                        *kc_rule_files[f].data,
                                        *kc_rule_files[f].len, &rs, &e),
                         0);
        assert_true(rule_set_n_cases(rs) >= 6);
        for (int i = 0; i < rule_set_n_cases(rs); i++) {
            buf_reset(&why);
            if (!rule_set_run_case(rs, i, &why)) {
                fail_msg("%s: %s\n%s", rule_set_id(rs),
                         rule_set_case_name(rs, i), why.data);
            }
            total++;
        }
        rule_set_free(rs);
    }
    assert_true(total >= 18);
    buf_release(&why);
}

static void test_wrong_expectation_fails(void **state)
{
    RuleSet *rs = parse_ok("ruleset w\nstatus confirmed\n"
                           "check c \"c\" = hnte_cert\npass = c\n"
                           "case \"x\" { year = 2023 hnte_cert = 否 } expect "
                           "达标\n");
    Buf why;
    (void)state;
    buf_init(&why, 0);
    assert_int_equal(rule_set_run_case(rs, 0, &why), 0);
    assert_non_null(strstr(why.data, "结论应为达标，实际为未达标"));
    buf_release(&why);
    rule_set_free(rs);
}

static void test_diff_reports_thresholds(void **state)
{
    RuleSet *a = parse_ok("ruleset d\nstatus confirmed\n"
                          "check c \"职工\" = employees[year] <= 500\n"
                          "pass = c\n");
    RuleSet *b = parse_ok("ruleset d\nstatus unverified\n"
                          "check c \"职工\" = employees[year] <= 300\n"
                          "check n \"新\" = hnte_cert\npass = c and n\n");
    Buf out;
    (void)state;
    buf_init(&out, 0);
    assert_int_equal(rule_set_diff(a, b, &out), 4);
    assert_non_null(strstr(out.data, "~ 状态：confirmed → unverified"));
    assert_non_null(strstr(out.data, "(employees[year] <= 300)"));
    assert_non_null(strstr(out.data, "+ 新增 n“新”"));
    assert_int_equal(rule_set_diff(a, a, &out), 0);
    buf_release(&out);
    rule_set_free(a);
    rule_set_free(b);
}

/* IP rights as a list: expired, unrelated and already-used Ⅱ类 rights are
 * left out, as 工作指引 says (Ⅱ类 may be used in one application only). */
static void test_count_ip(void **state)
{
    RuleSet *rs = embedded("hnte-2016");
    RuleInput *in = rule_input_new(2026, 20593); /* 2026-05-20 */
    RuleIpRight ips[] = {
        {2, 1, DATE_MAX, 0, 1, 2019}, /* used in 2019 */
        {2, 1, DATE_MAX, 0, 1, 0},
        {2, 1, 100, 0, 1, 0},      /* expired in 1970 */
        {2, 1, DATE_MAX, 0, 0, 0}, /* not the main product */
        {1, 0, DATE_MAX, 0, 1, 0}, /* not valid */
    };
    RuleResult *r;
    (void)state;
    rule_input_count_ip(in, ips, 5);
    r = eval(rs, in);
    assert_string_equal(row(r, "c2").actual, "1 项");
    assert_int_equal(row(r, "c2").outcome, RULE_V_MET);
    assert_string_equal(row(r, "ip_count").actual, "1–2 分");
    rule_result_free(r);
    ips[1].hnte_year = 2022; /* now both Ⅱ类 were used before */
    rule_input_count_ip(in, ips, 5);
    r = eval(rs, in);
    assert_int_equal(row(r, "c2").outcome, RULE_V_UNMET);
    assert_string_equal(row(r, "c2").gap, "再有 1 项Ⅰ类知识产权");
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

/* A blank 用于主要产品 or 授权日期 is not known, never 否 / 已授权: the
 * counts become bounds, and a threshold every completion meets (or none
 * does) is still decided. */
static void test_count_ip_blank(void **state)
{
    RuleSet *rs = embedded("hnte-2016");
    RuleInput *in = rule_input_new(2026, 20593); /* 2026-05-20 */
    RuleIpRight ips[] = {
        {1, 1, DATE_MAX, 0, -1, 0}, /* 用于主要产品 blank */
        {1, -1, DATE_MAX, 0, 1, 0}, /* 授权日期 blank */
        {1, 1, DATE_MAX, 0, 1, 0},
    };
    RuleResult *r;
    (void)state;
    /* only the blank ones: ip1 is 0..2, c2 cannot be decided; the row
     * shows the range and why (docs/rules.md 11.8) */
    rule_input_count_ip(in, ips, 2);
    r = eval(rs, in);
    assert_int_equal(row(r, "c2").outcome, RULE_V_UNKNOWN);
    assert_int_not_equal(rule_result_verdict(r), RULE_V_UNMET);
    assert_string_equal(row(r, "c2").actual,
                        "0–2 项（其中 2 项未填“用于主要产品”或“授权日期”，"
                        "不确定能否计入）");
    assert_non_null(strstr(row(r, "c2").missing, "Ⅰ类知识产权"));
    rule_result_free(r);
    /* with a third, certain one: ip1 is 1..3, c2 is met whatever the
     * blanks are */
    rule_input_count_ip(in, ips, 3);
    r = eval(rs, in);
    assert_int_equal(row(r, "c2").outcome, RULE_V_MET);
    assert_string_equal(row(r, "c2").actual,
                        "1–3 项（其中 2 项未填“用于主要产品”或“授权日期”，"
                        "不确定能否计入）");
    {
        Buf b;
        buf_init(&b, 1 << 16);
        assert_int_equal(rule_result_format_text(r, &b), 0);
        assert_non_null(strstr(b.data, "；实际 1–3 项（其中 2 项未填"));
        buf_release(&b);
    }
    rule_result_free(r);
    /* both blanks answered 否 / not granted: exactly one */
    ips[0].main_product = 0;
    ips[1].valid = 0;
    rule_input_count_ip(in, ips, 3);
    r = eval(rs, in);
    assert_int_equal(row(r, "c2").outcome, RULE_V_MET);
    assert_string_equal(row(r, "c2").actual, "1 项");
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
}

/* Unnamed group members are matched by content, not position. */
static void test_diff_unnamed_members(void **state)
{
    RuleSet *a = parse_ok("ruleset d\nstatus confirmed\nall g \"g\" {\n"
                          " not abnormal_list \"甲\"\n hnte_cert \"乙\" }\n"
                          "pass = g\n");
    RuleSet *b = parse_ok("ruleset d\nstatus confirmed\nall g \"g\" {\n"
                          " resident \"丙\"\n not abnormal_list \"甲\"\n"
                          " hnte_cert \"乙\" }\npass = g\n");
    Buf out;
    (void)state;
    buf_init(&out, 0);
    assert_int_equal(rule_set_diff(a, b, &out), 1);
    assert_non_null(strstr(out.data, "+ 新增 g.1“丙”：resident"));
    buf_release(&out);
    rule_set_free(a);
    rule_set_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_have_positions),
        cmocka_unit_test(test_depth_and_size_caps),
        cmocka_unit_test(test_prefixes_never_crash),
        cmocka_unit_test(test_q_exact),
        cmocka_unit_test(test_hnte_band_boundaries),
        cmocka_unit_test(test_sme_boundaries),
        cmocka_unit_test(test_hnte_70_71),
        cmocka_unit_test(test_missing_names_fields),
        cmocka_unit_test(test_years_before_established),
        cmocka_unit_test(test_growth_readings),
        cmocka_unit_test(test_division_by_zero_unknown),
        cmocka_unit_test(test_better_of_two_zero_divisor),
        cmocka_unit_test(test_missing_that_cannot_matter),
        cmocka_unit_test(test_reads_listed),
        cmocka_unit_test(test_failing_value_never_prints_as_threshold),
        cmocka_unit_test(test_path_named),
        cmocka_unit_test(test_conflict_flagged),
        cmocka_unit_test(test_gaps_in_units),
        cmocka_unit_test(test_what_if),
        cmocka_unit_test(test_hash_stability),
        cmocka_unit_test(test_embedded_cases_pass),
        cmocka_unit_test(test_wrong_expectation_fails),
        cmocka_unit_test(test_diff_reports_thresholds),
        cmocka_unit_test(test_count_ip),
        cmocka_unit_test(test_count_ip_blank),
        cmocka_unit_test(test_diff_unnamed_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
