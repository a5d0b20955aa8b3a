/* plan_kind.c - indicator kinds, units and exact values (plan_kind.h). */
#include "domain/plan/plan_kind.h"

#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

static const struct {
    const char *code;
    const char *name;
    const char *hint; /* how it is counted, for the pages */
} plan_kinds[] = {
    {"", "", ""},
    {"stock", "存量", "统计日时点值"},
    {"flow", "流量", "当年累计"},
    {"ratio", "比率", "不加总"},
};

int plan_kind_from_code(const char *code)
{
    for (int i = 1; code && i < 4; i++) {
        if (strcmp(code, plan_kinds[i].code) == 0) {
            return i;
        }
    }
    return PLAN_KIND_NONE;
}

const char *plan_kind_code(int kind)
{
    return kind > 0 && kind < 4 ? plan_kinds[kind].code : "";
}

const char *plan_kind_name(int kind)
{
    return kind > 0 && kind < 4 ? plan_kinds[kind].name : "";
}

const char *plan_kind_hint(int kind)
{
    return kind > 0 && kind < 4 ? plan_kinds[kind].hint : "";
}

static const char *const plan_units[] = {"家", "件", "亿元", "万元",
                                         "%",  "个", "人"};
#define PLAN_N_UNITS (sizeof plan_units / sizeof plan_units[0])

const char *plan_unit_norm(const char *unit)
{
    if (!unit) {
        return NULL;
    }
    if (strcmp(unit, "％") == 0) {
        return "%";
    }
    for (size_t i = 0; i < PLAN_N_UNITS; i++) {
        if (strcmp(unit, plan_units[i]) == 0) {
            return plan_units[i];
        }
    }
    return NULL;
}

int plan_unit_valid(const char *unit)
{
    return plan_unit_norm(unit) != NULL;
}

int plan_unit_is_count(const char *unit)
{
    const char *u = plan_unit_norm(unit);

    return u && (strcmp(u, "家") == 0 || strcmp(u, "件") == 0 ||
                 strcmp(u, "个") == 0 || strcmp(u, "人") == 0);
}

int plan_kind_guess(const char *name, const char *unit)
{
    static const char *const flow_words[] = {"成交额", "引进",  "新增", "引育",
                                             "新认定", "年度",  "当年", "培训",
                                             "投入额", "融资额"};
    const char *u = plan_unit_norm(unit);

    if (u && strcmp(u, "%") == 0) {
        return PLAN_KIND_RATIO;
    }
    for (size_t i = 0; name && i < sizeof flow_words / sizeof flow_words[0];
         i++) {
        if (strstr(name, flow_words[i])) {
            return PLAN_KIND_FLOW;
        }
    }
    return PLAN_KIND_STOCK;
}

int plan_value_check(int64_t v, const char *unit, const char *field,
                     const char *where, Err *e)
{
    const char *u = plan_unit_norm(unit);
    const char *w = where ? where : "";

    if (!u) {
        return err_set(e, ERR_INVALID, field,
                       "%s计量单位“%s”不在 家、件、亿元、万元、%%、个、人 之中",
                       w, unit ? unit : "");
    }
    if (v > PLAN_VALUE_MAX || v < -PLAN_VALUE_MAX) {
        return err_set(e, ERR_INVALID, field, "%s数值过大", w);
    }
    if (strcmp(u, "%") == 0 && v > 100 * (int64_t)PLAN_SCALE) {
        return err_set(e, ERR_INVALID, field,
                       "%s百分比不能超过 100（单位为 %%）", w);
    }
    if (plan_unit_is_count(u)) {
        if (v < 0) {
            return err_set(e, ERR_INVALID, field, "%s%s数不能为负", w, u);
        }
        if (v % PLAN_SCALE != 0) {
            return err_set(e, ERR_INVALID, field, "%s以“%s”计的数量应为整数", w,
                           u);
        }
    }
    return 0;
}

int plan_value_parse(const char *s, const char *unit, int64_t *out,
                     const char *field, const char *where, Err *e)
{
    char buf[128];
    const char *u = plan_unit_norm(unit);
    const char *w = where ? where : "";
    const char *p;
    size_t n;
    int64_t ip = 0;
    int64_t frac = 0;
    int nd = 0;
    int nfrac = 0;
    int neg = 0;

    *out = 0;
    if (!s) {
        s = "";
    }
    n = strlen(s);
    if (n >= sizeof buf) {
        return err_set(e, ERR_INVALID, field, "%s“%.40s…”不是数值", w, s);
    }
    n = utf8_fold_width(s, n, buf);
    /* trim spaces and a trailing unit / percent sign / thousands commas */
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t')) {
        buf[--n] = '\0';
    }
    if (u && n > strlen(u) && strcmp(buf + n - strlen(u), u) == 0) {
        n -= strlen(u);
        buf[n] = '\0';
    }
    p = buf;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    for (; (*p >= '0' && *p <= '9') || (*p == ',' && nd > 0); p++) {
        if (*p == ',') {
            continue;
        }
        if (ip > PLAN_VALUE_MAX / 10) {
            return err_set(e, ERR_INVALID, field, "%s数值过大", w);
        }
        ip = ip * 10 + (*p - '0');
        nd++;
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (nfrac == 4) {
                if (*p != '0') {
                    return err_set(e, ERR_INVALID, field,
                                   "%s“%s”小数位数超过 4 位", w, s);
                }
                continue;
            }
            frac = frac * 10 + (*p - '0');
            nfrac++;
            nd++;
        }
    }
    while (*p == ' ') {
        p++;
    }
    if (*p || nd == 0) {
        return err_set(e, ERR_INVALID, field, "%s“%s”不是数值", w, s);
    }
    for (int i = nfrac; i < 4; i++) {
        frac *= 10;
    }
    if (ip > PLAN_VALUE_MAX / PLAN_SCALE) {
        return err_set(e, ERR_INVALID, field, "%s数值过大", w);
    }
    *out = ip * PLAN_SCALE + frac;
    if (neg) {
        *out = -*out;
    }
    return plan_value_check(*out, unit, field, where, e);
}

void plan_value_format(int64_t v, char out[PLAN_VALUE_TEXT])
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t ip = a / PLAN_SCALE;
    unsigned fr = (unsigned)(a % PLAN_SCALE);
    int len;

    len = snprintf(out, PLAN_VALUE_TEXT, "%s%llu", v < 0 ? "-" : "",
                   (unsigned long long)ip);
    if (fr && len > 0 && len < PLAN_VALUE_TEXT - 6) {
        char f[8];

        snprintf(f, sizeof f, "%04u", fr);
        for (int i = 3; i > 0 && f[i] == '0'; i--) {
            f[i] = '\0';
        }
        snprintf(out + len, (size_t)(PLAN_VALUE_TEXT - len), ".%s", f);
    }
}

int plan_year_check(int year, int year_from, int year_to, int base_year,
                    const char *field, const char *where, Err *e)
{
    if ((year >= year_from && year <= year_to) ||
        (base_year && year == base_year)) {
        return 0;
    }
    return err_set(e, ERR_INVALID, field, "%d 年不在计划期 %d—%d 年内%s", year,
                   year_from, year_to, base_year ? "，也不是基期年" : "");
}

static int plan_sum(const int64_t *vals, size_t n, int64_t *out, Err *e)
{
    int64_t s = 0;

    for (size_t i = 0; i < n; i++) {
        if ((vals[i] > 0 && s > PLAN_VALUE_MAX - vals[i]) ||
            (vals[i] < 0 && s < -PLAN_VALUE_MAX - vals[i])) {
            return err_set(e, ERR_INVALID, "value", "合计数值过大");
        }
        s += vals[i];
    }
    *out = s;
    return 0;
}

int plan_sum_years(int kind, const int64_t *vals, size_t n, int64_t *out,
                   Err *e)
{
    *out = 0;
    if (kind == PLAN_KIND_STOCK) {
        return err_set(e, ERR_INVALID, "kind",
                       "存量指标不能跨年相加：应取期末时点的数值");
    }
    if (kind == PLAN_KIND_RATIO) {
        return err_set(e, ERR_INVALID, "kind", "比率指标不能相加");
    }
    if (kind != PLAN_KIND_FLOW) {
        return err_set(e, ERR_INVALID, "kind", "指标类型未知");
    }
    return plan_sum(vals, n, out, e);
}

int plan_sum_units(int kind, const int64_t *vals, size_t n, int64_t *out,
                   Err *e)
{
    *out = 0;
    if (kind == PLAN_KIND_RATIO) {
        return err_set(e, ERR_INVALID, "kind",
                       "比率指标不能按单位相加：全区比率须按全区口径计算");
    }
    if (kind != PLAN_KIND_STOCK && kind != PLAN_KIND_FLOW) {
        return err_set(e, ERR_INVALID, "kind", "指标类型未知");
    }
    return plan_sum(vals, n, out, e);
}

int plan_value_to_date(int kind, const int64_t *vals, size_t n, int64_t *out,
                       Err *e)
{
    *out = 0;
    if (n == 0) {
        return err_set(e, ERR_NOTFOUND, "value", "尚无数据");
    }
    if (kind == PLAN_KIND_FLOW) {
        return plan_sum(vals, n, out, e);
    }
    if (kind != PLAN_KIND_STOCK && kind != PLAN_KIND_RATIO) {
        return err_set(e, ERR_INVALID, "kind", "指标类型未知");
    }
    *out = vals[n - 1];
    return 0;
}

int plan_completion_bp(int direction, int64_t actual, int64_t target,
                       int64_t *bp, Err *e)
{
    __int128 num;

    *bp = 0;
    if (direction >= 0) {
        if (target <= 0) {
            return err_set(e, ERR_INVALID, "target",
                           "目标值为 0，完成率无意义");
        }
        num = (__int128)actual * 10000;
        *bp = (int64_t)(num / target);
    } else {
        if (actual <= 0) {
            return err_set(e, ERR_INVALID, "actual",
                           "实际值为 0，逆向指标完成率无意义");
        }
        num = (__int128)target * 10000;
        *bp = (int64_t)(num / actual);
    }
    return 0;
}

int64_t plan_digits(const char *s, int max_digits, const char **end)
{
    int64_t v = 0;
    int n = 0;

    while (s && n < max_digits && s[n] >= '0' && s[n] <= '9') {
        v = v * 10 + (s[n] - '0');
        n++;
    }
    if (end) {
        *end = s ? s + n : s;
    }
    return n ? v : -1;
}

int plan_period_parse(const char *s, const char *plan_period, int *year,
                      char start[11], char end[11], const char *field, Err *e)
{
    static const int last_day[] = {31, 28, 31, 30, 31, 30,
                                   31, 31, 30, 31, 30, 31};
    int monthly = plan_period && strcmp(plan_period, "month") == 0;
    const char *p = NULL;
    int y = (int)plan_digits(s, 4, &p);
    int a = -1;
    int m0;
    int m1;
    int d;

    if (y >= 0 && p == s + 4 && *p == (monthly ? '-' : 'Q')) {
        const char *q = NULL;

        a = (int)plan_digits(p + 1, monthly ? 2 : 1, &q);
        if (*q != '\0' || (monthly && q != p + 3)) {
            a = -1;
        }
    }
    if (y < 2000 || y > 2100 || a < 1 || a > (monthly ? 12 : 4)) {
        return err_set(e, ERR_INVALID, field,
                       monthly ? "报告期应为“2022-07”这样的月份"
                               : "报告期应为“2022Q3”这样的季度");
    }
    m0 = monthly ? a : (a - 1) * 3 + 1;
    m1 = monthly ? a : a * 3;
    d = last_day[m1 - 1];
    if (m1 == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        d = 29;
    }
    *year = y;
    snprintf(start, 11, "%04u-%02u-01", (unsigned)y % 10000u,
             (unsigned)m0 % 100u);
    snprintf(end, 11, "%04u-%02u-%02u", (unsigned)y % 10000u,
             (unsigned)m1 % 100u, (unsigned)d % 100u);
    return 0;
}
