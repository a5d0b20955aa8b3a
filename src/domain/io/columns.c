/* columns.c - column registry of imports, templates and exports. */
#include "domain/io/columns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/date.h"
#include "base/mem.h"
#include "base/money.h"
#include "base/uscc.h"
#include "base/utf8.h"
#include "base/valid.h"
#include "base/xlsx_write.h"
#include "domain/library/ent.h"
#include "domain/library/ent_year.h"
#include "domain/library/fact.h"
#include "domain/library/industry.h"
#include "domain/library/ip.h"
#include "rules/ast.h" /* UN_* units of rule input fields */
#include "rules/field.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- enum tables ---- */

static const char *const xf_listing_codes[] = {"none", "candidate", "neeq",
                                               "listed", NULL};
static const char *const xf_domain_codes[] = {"1", "2", "3", "4", "5",
                                              "6", "7", "8", NULL};
static const char *const xf_ip_kind_codes[] = {
    "invention", "plant_variety", "crop_variety", "new_drug", "tcm_protected",
    "ic_layout", "utility",       "design",       "software", NULL};
static const char *const xf_ip_status_codes[] = {"valid", "lapsed",
                                                 "transferred", NULL};
static const char *const xf_ip_acq_codes[] = {"self", "acquired", NULL};
static const char *const xf_fact_kind_codes[] = {
    "award",   "rd_institution", "standard",    "competition", "financing",
    "project", "software_cert",  "credit_flag", "incident",    NULL};
static const char *const xf_fact_sub_codes[] = {"first",
                                                "second",
                                                "third",
                                                "special",
                                                "excellent",
                                                "international",
                                                "national",
                                                "industry",
                                                "local",
                                                "group",
                                                "enterprise",
                                                "software_enterprise",
                                                "software_product",
                                                "abnormal_operation",
                                                "serious_illegal",
                                                "research_misconduct",
                                                "safety",
                                                "quality",
                                                "environment",
                                                NULL};
static const char *const xf_fact_level_codes[] = {
    "international", "national", "provincial", "municipal", "district", NULL};

static const char *xf_domain_name(const char *code)
{
    return code ? tech_domain_name((int)strtol(code, NULL, 10)) : NULL;
}

static const char *xf_ip_kind_name(const char *code)
{
    const IpKind *k = ip_kind_find(code);
    return k ? k->name : NULL;
}

static const char *xf_fact_kind_name(const char *code)
{
    const FactKind *k = fact_kind_find(code);
    return k ? k->name : NULL;
}

/* zh-CN label of a declarable rule input field. */
static const char *xf_decl_field_name(const char *code)
{
    const RuleField *f =
        rule_decl_field_ok(code) ? rule_field_get(rule_field_find(code)) : NULL;
    return f ? f->label : NULL;
}

/* ---- column tables ---- */

#define MONEY_MAX ENT_YEAR_MONEY_MAX
#define TXT(t, k, fl, n, note)                                                 \
    {                                                                          \
        t, k, COLUMNS_TEXT, fl, n, 0, 0, NULL, NULL, note                      \
    }
#define ENUM(t, k, fl, codes, fn, note)                                        \
    {                                                                          \
        t, k, COLUMNS_ENUM, fl, 0, 0, 0, codes, fn, note                       \
    }
#define TYPED(t, k, ty, fl, note)                                              \
    {                                                                          \
        t, k, ty, fl, 0, 0, 0, NULL, NULL, note                                \
    }
#define INT(t, k, fl, lo, hi, note)                                            \
    {                                                                          \
        t, k, COLUMNS_INT, (fl) | COLUMNS_INTCOL, 0, lo, hi, NULL, NULL, note  \
    }
#define MONEY(t, k, fl, note)                                                  \
    {                                                                          \
        t, k, COLUMNS_MONEY, (fl) | COLUMNS_INTCOL, 0, 0, MONEY_MAX, NULL,     \
            NULL, note                                                         \
    }
#define INFO(t, k)                                                             \
    {                                                                          \
        t, k, COLUMNS_TEXT, COLUMNS_INFO, 0, 0, 0, NULL, NULL, NULL            \
    }

static const ColumnDef xf_ent_cols[] = {
    TYPED("统一社会信用代码", "uscc", COLUMNS_USCC, COLUMNS_REQ | COLUMNS_KEY,
          "18 位，按此代码新增或更新企业"),
    TXT("企业名称", "name", COLUMNS_REQ_NEW, ENT_NAME_MAX, "新增企业时必填"),
    TYPED("所属单位", "unit_id", COLUMNS_UNIT, COLUMNS_INTCOL,
          "组织机构中的单位名称；新增时留空为导入人所在单位"),
    TXT("地址", "address", 0, ENT_ADDRESS_MAX, NULL),
    TXT("法定代表人", "legal_rep", 0, ENT_SHORT_MAX, NULL),
    TYPED("成立日期", "established_on", COLUMNS_DATE, 0, "如 2019-05-20"),
    MONEY("注册资本（万元）", "registered_capital", 0, "万元，最多 4 位小数"),
    TYPED("行业代码", "industry_code", COLUMNS_INDUSTRY, 0,
          "国民经济行业分类代码，如 C3963"),
    INFO("行业名称", "industry_name"),
    ENUM("技术领域", "tech_domain", COLUMNS_INTCOL, xf_domain_codes,
         xf_domain_name, "国家重点支持的高新技术领域（一级）"),
    TXT("技术领域子项", "tech_subdomain", 0, ENT_SHORT_MAX, NULL),
    ENUM("上市状态", "listing_status", 0, xf_listing_codes, ent_listing_name,
         NULL),
    TXT("联系人", "contact_name", 0, ENT_SHORT_MAX, NULL),
    TYPED("联系电话", "contact_phone", COLUMNS_PHONE, 0, NULL),
    TYPED("电子邮箱", "contact_email", COLUMNS_EMAIL, 0, NULL),
    TXT("备注", "note", 0, ENT_NOTE_MAX, NULL),
    INFO("最近年度", "latest_year"),
    INFO("最近年度销售收入（万元）", "latest_revenue"),
    INFO("最近年度研发强度（%）", "latest_rd_bp"),
    INFO("状态", "retired_at"),
};

#define FIG(label, key) MONEY(label "（万元）", key, 0, NULL)
#define FIGS(label, key)                                                       \
    {                                                                          \
        label "（万元）", key, COLUMNS_MONEY_SIGNED, COLUMNS_INTCOL, 0,        \
            -MONEY_MAX, MONEY_MAX, NULL, NULL, "可为负数"                  \
    }
#define PEOPLE(label, key)                                                     \
    INT(label "（人）", key, 0, 0, ENT_YEAR_COUNT_MAX, NULL)

static const ColumnDef xf_fig_cols[] = {
    TYPED("统一社会信用代码", "uscc", COLUMNS_USCC, COLUMNS_REQ | COLUMNS_KEY,
          "企业须已在企业库中"),
    INFO("企业名称", "name"),
    INT("年度", "year", COLUMNS_REQ | COLUMNS_KEY, ENT_YEAR_MIN, 2999,
        "会计年度，如 2024"),
    PEOPLE("职工总数", "employees"),
    PEOPLE("科技人员", "tech_staff"),
    PEOPLE("研发人员", "rd_staff"),
    FIG("销售收入", "sales_revenue"),
    FIG("总收入", "total_revenue"),
    FIG("主营业务收入", "main_revenue"),
    FIG("高新技术产品（服务）收入", "hitech_income"),
    FIG("研发费用", "rd_expense"),
    FIG("境内研发费用", "rd_domestic"),
    FIG("成本费用总额", "total_cost"),
    FIG("资产总额", "total_assets"),
    FIG("负债总额", "total_liabilities"),
    FIGS("净利润", "net_profit"),
    FIG("新增股权融资（实缴）", "equity_financing"),
    FIG("纳税总额", "tax_paid"),
};

static const ColumnDef xf_ip_cols[] = {
    TYPED("统一社会信用代码", "uscc", COLUMNS_USCC, COLUMNS_REQ | COLUMNS_KEY,
          "权利人企业须已在企业库中"),
    INFO("企业名称", "name"),
    ENUM("知识产权类型", "kind", COLUMNS_REQ | COLUMNS_KEY, xf_ip_kind_codes,
         xf_ip_kind_name, "类别（Ⅰ类/Ⅱ类）由类型决定"),
    TXT("编号", "number", COLUMNS_REQ | COLUMNS_KEY, IP_NUMBER_MAX,
        "专利号、登记号等；同一企业同类型编号唯一"),
    TXT("名称", "title", COLUMNS_REQ_NEW, IP_TITLE_MAX, NULL),
    TYPED("国防专利", "defense", COLUMNS_BOOL, COLUMNS_INTCOL,
          "是/否，仅发明专利；留空为否"),
    TYPED("申请日期", "applied_on", COLUMNS_DATE, 0, NULL),
    TYPED("授权日期", "granted_on", COLUMNS_DATE, 0, NULL),
    TYPED("到期日期", "expires_on", COLUMNS_DATE, 0, "留空按法定保护期推算"),
    ENUM("状态", "status", 0, xf_ip_status_codes, ip_status_name, "留空为有效"),
    ENUM("获得方式", "acquisition", 0, xf_ip_acq_codes, ip_acquisition_name,
         "留空为自主研发"),
    TYPED("受让日期", "acquired_on", COLUMNS_DATE, 0, NULL),
    TYPED("用于主要产品", "main_product", COLUMNS_BOOL, COLUMNS_INTCOL,
          "是/否；留空为未填（筛查中计为缺数据，不按否）"),
    INT("高企申报使用年度", "hnte_year", 0, ENT_YEAR_MIN, 2999, NULL),
};

static const ColumnDef xf_fact_cols[] = {
    TYPED("统一社会信用代码", "uscc", COLUMNS_USCC, COLUMNS_REQ | COLUMNS_KEY,
          "企业须已在企业库中"),
    INFO("企业名称", "name"),
    ENUM("事项类型", "kind", COLUMNS_REQ | COLUMNS_KEY, xf_fact_kind_codes,
         xf_fact_kind_name, NULL),
    ENUM("子类", "subkind", 0, xf_fact_sub_codes, fact_subkind_name,
         "奖励等级、标准级别、信用名单、事故类型等"),
    ENUM("级别", "level", 0, xf_fact_level_codes, fact_level_name,
         "奖励、研发机构、大赛、项目必填"),
    INT("排名", "rank", 0, 1, 1000, NULL),
    MONEY("金额（万元）", "amount", 0, NULL),
    TXT("相关单位", "counterparty", 0, FACT_TEXT_MAX,
        "投资方、发证机关、主办方"),
    TXT("名称", "title", COLUMNS_KEY, FACT_TEXT_MAX, NULL),
    TXT("编号", "number", COLUMNS_KEY, FACT_TEXT_MAX, NULL),
    TYPED("发生日期", "occurred_on", COLUMNS_DATE, COLUMNS_KEY,
          "发生日期与有效期起至少填一个"),
    TYPED("有效期起", "valid_from", COLUMNS_DATE, COLUMNS_KEY, NULL),
    TYPED("有效期止", "valid_to", COLUMNS_DATE, 0, NULL),
    TXT("备注", "note", 0, FACT_NOTE_MAX, NULL),
};

/* Declared rule inputs: one row per enterprise, field and year (blank for
 * fields that are not yearly). The value's type is the field's. */
static const ColumnDef xf_decl_cols[] = {
    TYPED("统一社会信用代码", "uscc", COLUMNS_USCC, COLUMNS_REQ | COLUMNS_KEY,
          "企业须已在企业库中"),
    INFO("企业名称", "name"),
    ENUM("申报事项", "field", COLUMNS_REQ | COLUMNS_KEY, rule_decl_names,
         xf_decl_field_name, "可填事项名称或其英文代码"),
    INT("年度", "year", COLUMNS_KEY, ENT_YEAR_MIN, 2999,
        "只有年度事项（科技成果转化项数）填写会计年度，其他事项留空"),
    {"申报值", "value", COLUMNS_DECLVAL, COLUMNS_REQ | COLUMNS_INTCOL, 0, 0, 0,
     NULL, NULL,
     "是/否类事项填“是”或“否”；估值填万美元；年限、项数填整数；"
     "不知道就不要填这一行（空白是未知，不是否）"},
    TYPED("有效期起", "valid_from", COLUMNS_DATE, 0, "留空为不限"),
    TYPED("有效期止", "valid_to", COLUMNS_DATE, 0,
          "留空为不限；过期后是/否类事项按否，其他按缺数据"),
    TXT("备注", "note", 0, 200, NULL),
};

static const ColumnKind xf_kinds[XK_N] = {
    {XK_ENTERPRISES, "enterprises", "企业登记信息", "enterprises", xf_ent_cols,
     N_OF(xf_ent_cols)},
    {XK_FIGURES, "figures", "企业年度数据", "enterprise_years", xf_fig_cols,
     N_OF(xf_fig_cols)},
    {XK_IP, "ip", "知识产权", "ip_rights", xf_ip_cols, N_OF(xf_ip_cols)},
    {XK_FACTS, "facts", "企业事项", "enterprise_facts", xf_fact_cols,
     N_OF(xf_fact_cols)},
    {XK_DECLARATIONS, "declarations", "申报事项", "enterprise_declarations",
     xf_decl_cols, N_OF(xf_decl_cols)},
};

const ColumnKind *columns_kind_find(const char *code)
{
    size_t i;

    for (i = 0; code && i < XK_N; i++) {
        if (strcmp(code, xf_kinds[i].code) == 0) {
            return &xf_kinds[i];
        }
    }
    return NULL;
}

const ColumnKind *columns_kind(int id)
{
    return id >= 0 && id < XK_N ? &xf_kinds[id] : NULL;
}

/* Copy a header title into out without surrounding spaces (also U+3000),
 * a trailing '*' (required marker) and with full-width brackets folded
 * to the registry's form（）; ASCII brackets become full-width. */
static void xf_title_norm(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    const char *p = in;

    while (*p == ' ' || *p == '\t' || strncmp(p, "\xE3\x80\x80", 3) == 0) {
        p += *p == ' ' || *p == '\t' ? 1 : 3;
    }
    while (*p && n + 4 < cap) {
        if (*p == '(') {
            memcpy(out + n, "（", 3);
            n += 3;
            p++;
        } else if (*p == ')') {
            memcpy(out + n, "）", 3);
            n += 3;
            p++;
        } else if (*p == '\r' || *p == '\n') {
            p++;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    for (;;) {
        if (n > 0 &&
            (out[n - 1] == ' ' || out[n - 1] == '*' || out[n - 1] == '\t')) {
            out[--n] = '\0';
        } else if (n >= 3 && (strcmp(out + n - 3, "\xE3\x80\x80") == 0 ||
                              strcmp(out + n - 3, "＊") == 0)) {
            n -= 3;
            out[n] = '\0';
        } else {
            break;
        }
    }
}

int columns_col_by_title(const ColumnKind *k, const char *title)
{
    char want[256];
    size_t i;

    xf_title_norm(title, want, sizeof want);
    if (!want[0]) {
        return -1;
    }
    for (i = 0; i < k->n_cols; i++) {
        if (strcmp(want, k->cols[i].title) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int columns_col_by_key(const ColumnKind *k, const char *key)
{
    size_t i;

    for (i = 0; key && i < k->n_cols; i++) {
        if (strcmp(key, k->cols[i].key) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Trim spaces, tabs and U+3000 at both ends into out (cap bytes). Returns
 * the length, or (size_t)-1 when it does not fit. */
static size_t xf_trim(const char *in, char *out, size_t cap)
{
    const char *b = in;
    const char *end = in + strlen(in);
    size_t n;

    for (;;) {
        if (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n') {
            b++;
        } else if (strncmp(b, "\xE3\x80\x80", 3) == 0) {
            b += 3;
        } else {
            break;
        }
    }
    for (;;) {
        if (end > b && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
                        end[-1] == '\n')) {
            end--;
        } else if (end - b >= 3 && memcmp(end - 3, "\xE3\x80\x80", 3) == 0) {
            end -= 3;
        } else {
            break;
        }
    }
    n = (size_t)(end - b);
    if (n + 1 > cap) {
        return (size_t)-1;
    }
    memcpy(out, b, n);
    out[n] = '\0';
    return n;
}

/* Store canonical text s as v's value. */
static int xf_put_text(ColumnVal *v, const char *s, Buf *pool)
{
    v->set = 1;
    v->off = pool->len;
    v->s = NULL;
    buf_append(pool, s, strlen(s) + 1);
    return pool->err ? ERR_TOOBIG : 0;
}

static int xf_parse_enum(const ColumnDef *c, const char *t, ColumnVal *v,
                         Buf *pool, Err *e)
{
    const char *const *p;
    Buf list;
    int rc;

    for (p = c->codes; *p; p++) {
        const char *nm = c->name_of(*p);
        if (strcmp(t, *p) == 0 || (nm && strcmp(t, nm) == 0)) {
            if (c->flags & COLUMNS_INTCOL) {
                v->set = 1;
                v->i = strtoll(*p, NULL, 10);
                return 0;
            }
            return xf_put_text(v, *p, pool);
        }
    }
    buf_init(&list, 2048);
    for (p = c->codes; *p; p++) {
        const char *nm = c->name_of(*p);
        buf_appendf(&list, "%s%s", p == c->codes ? "" : "、", nm ? nm : *p);
    }
    rc = err_set(e, ERR_INVALID, c->key, "“%s”不是可选的值，应为：%s", t,
                 list.data ? list.data : "");
    buf_release(&list);
    return rc;
}

int columns_parse(const ColumnDef *c, const char *text, ColumnVal *v, Buf *pool,
                  Err *e)
{
    char t[4 * 1024 * 4 + 8];
    char code[USCC_LEN + 1];
    char ind[INDUSTRY_CODE_MAX];
    char iso[DATE_ISO_SIZE];
    size_t n;
    Date d;
    int rc;

    memset(v, 0, sizeof *v);
    n = xf_trim(text ? text : "", t, sizeof t);
    if (n == (size_t)-1) {
        return err_set(e, ERR_INVALID, c->key, "内容过长");
    }
    if (n == 0) {
        return 0;
    }
    if (!utf8_validate(t, n, NULL)) {
        return err_set(e, ERR_INVALID, c->key, "含有无效字符");
    }
    switch (c->type) {
    case COLUMNS_DECLVAL:
        return xf_put_text(v, t, pool);
    case COLUMNS_TEXT:
    case COLUMNS_UNIT: {
        char *buf = xmalloc(4 * (c->max_chars ? c->max_chars : 200) + 1);
        rc = valid_text(t, 0, c->max_chars ? c->max_chars : 200, buf,
                        4 * (c->max_chars ? c->max_chars : 200) + 1, c->key,
                        c->title, e);
        if (rc == 0) {
            rc = xf_put_text(v, buf, pool);
        }
        free(buf);
        return rc;
    }
    case COLUMNS_USCC:
        rc = uscc_normalize(t, code, e);
        return rc ? rc : xf_put_text(v, code, pool);
    case COLUMNS_DATE:
        rc = date_parse(t, &d, c->key, e);
        if (rc) {
            return rc;
        }
        date_format_iso(d, iso);
        return xf_put_text(v, iso, pool);
    case COLUMNS_MONEY:
    case COLUMNS_MONEY_SIGNED:
        rc = money_parse_wan(t, &v->i, c->type == COLUMNS_MONEY_SIGNED, c->key,
                             e);
        if (rc) {
            return rc;
        }
        if (v->i < c->min || v->i > c->max) {
            return err_set(e, ERR_INVALID, c->key, "金额超出允许范围");
        }
        v->set = 1;
        return 0;
    case COLUMNS_INT: {
        char *end;
        long long x;
        if (!(t[0] >= '0' && t[0] <= '9') && t[0] != '-') {
            return err_set(e, ERR_INVALID, c->key, "“%s”不是整数", t);
        }
        x = strtoll(t, &end, 10);
        /* a whole number written as "12.0" (spreadsheets) is accepted */
        if (*end == '.') {
            const char *q = end + 1;
            while (*q == '0') {
                q++;
            }
            if (*q == '\0') {
                end = (char *)q;
            }
        }
        if (*end != '\0') {
            return err_set(e, ERR_INVALID, c->key, "“%s”不是整数", t);
        }
        if (x < c->min || x > c->max) {
            return err_set(e, ERR_INVALID, c->key, "应在 %lld～%lld 之间",
                           (long long)c->min, (long long)c->max);
        }
        v->set = 1;
        v->i = x;
        return 0;
    }
    case COLUMNS_ENUM:
        return xf_parse_enum(c, t, v, pool, e);
    case COLUMNS_BOOL:
        if (strcmp(t, "是") == 0 || strcmp(t, "1") == 0 ||
            strcasecmp(t, "Y") == 0 || strcasecmp(t, "TRUE") == 0) {
            v->set = 1;
            v->i = 1;
            return 0;
        }
        if (strcmp(t, "否") == 0 || strcmp(t, "0") == 0 ||
            strcasecmp(t, "N") == 0 || strcasecmp(t, "FALSE") == 0) {
            v->set = 1;
            v->i = 0;
            return 0;
        }
        return err_set(e, ERR_INVALID, c->key, "应填“是”或“否”");
    case COLUMNS_INDUSTRY:
        rc = industry_normalize(t, ind, c->key, e);
        return rc ? rc : xf_put_text(v, ind, pool);
    case COLUMNS_PHONE:
        if (utf8_count_chars(t, n) > 30 ||
            strspn(t, "0123456789-+ ()#,") != n) {
            return err_set(e, ERR_INVALID, c->key,
                           "联系电话只能包含数字、空格和 + - ( ) # ,，最多 30 "
                           "个字符");
        }
        return xf_put_text(v, t, pool);
    case COLUMNS_EMAIL: {
        const char *at = strchr(t, '@');
        size_t i;
        for (i = 0; i < n; i++) {
            if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7F) {
                at = NULL;
            }
        }
        if (n > ENT_EMAIL_MAX || !at || at == t || !at[1] ||
            strchr(at + 1, '@') || !strchr(at + 1, '.')) {
            return err_set(e, ERR_INVALID, c->key,
                           "电子邮箱格式不正确，应形如 name@example.com");
        }
        return xf_put_text(v, t, pool);
    }
    default:
        return err_set(e, ERR_INTERNAL, c->key, "服务器内部错误");
    }
}

void columns_vals_fix(const ColumnKind *k, ColumnVal *vals, const Buf *pool)
{
    size_t i;

    for (i = 0; i < k->n_cols; i++) {
        if (vals[i].set && (!(k->cols[i].flags & COLUMNS_INTCOL) ||
                            k->cols[i].type == COLUMNS_UNIT ||
                            k->cols[i].type == COLUMNS_DECLVAL)) {
            vals[i].s = pool->data + vals[i].off;
        }
    }
}

int columns_format(const ColumnDef *c, int has, int64_t iv, const char *sv,
                   Buf *out)
{
    char num[24];

    if (c->flags & COLUMNS_INTCOL) {
        if (!has) {
            return 0;
        }
        switch (c->type) {
        case COLUMNS_MONEY:
        case COLUMNS_MONEY_SIGNED:
            return money_format_wan(iv, out);
        case COLUMNS_BOOL:
            return buf_append_str(out, iv ? "是" : "否");
        case COLUMNS_ENUM: {
            const char *nm;
            snprintf(num, sizeof num, "%lld", (long long)iv);
            nm = c->name_of(num);
            return buf_append_str(out, nm ? nm : num);
        }
        default:
            return buf_appendf(out, "%lld", (long long)iv);
        }
    }
    if (!sv) {
        return 0;
    }
    if (c->type == COLUMNS_ENUM) {
        const char *nm = c->name_of(sv);
        return buf_append_str(out, nm ? nm : sv);
    }
    return buf_append_str(out, sv);
}

int columns_describe(const ColumnDef *c, Buf *out)
{
    const char *ty;
    const char *const *p;

    switch (c->type) {
    case COLUMNS_USCC:
        ty = "18 位统一社会信用代码";
        break;
    case COLUMNS_DATE:
        ty = "日期，如 2024-03-15、2024/3/15、2024年3月15日";
        break;
    case COLUMNS_MONEY:
        ty = "金额（万元），不能为负，最多 4 位小数";
        break;
    case COLUMNS_MONEY_SIGNED:
        ty = "金额（万元），可为负，最多 4 位小数";
        break;
    case COLUMNS_INT:
        ty = "整数";
        break;
    case COLUMNS_ENUM:
        ty = "从下列值中选填";
        break;
    case COLUMNS_BOOL:
        ty = "是/否";
        break;
    case COLUMNS_UNIT:
        ty = "单位名称";
        break;
    case COLUMNS_INDUSTRY:
        ty = "行业代码";
        break;
    case COLUMNS_PHONE:
        ty = "电话号码";
        break;
    case COLUMNS_EMAIL:
        ty = "电子邮箱";
        break;
    case COLUMNS_DECLVAL:
        ty = "按申报事项填写";
        break;
    default:
        ty = "文本";
    }
    if (c->flags & COLUMNS_INFO) {
        return buf_appendf(out, "仅导出，导入时忽略");
    }
    buf_appendf(out, "%s；%s", ty,
                (c->flags & COLUMNS_REQ)       ? "必填"
                : (c->flags & COLUMNS_REQ_NEW) ? "新增时必填"
                                               : "选填");
    if (c->type == COLUMNS_TEXT && c->max_chars) {
        buf_appendf(out, "；最多 %zu 个字符", c->max_chars);
    }
    if (c->type == COLUMNS_INT) {
        buf_appendf(out, "（%lld～%lld）", (long long)c->min,
                    (long long)c->max);
    }
    if (c->type == COLUMNS_ENUM) {
        buf_append_str(out, "：");
        for (p = c->codes; *p; p++) {
            const char *nm = c->name_of(*p);
            buf_appendf(out, "%s%s", p == c->codes ? "" : "、", nm ? nm : *p);
        }
    }
    if (c->flags & COLUMNS_KEY) {
        buf_append_str(out, "；用于识别记录");
    }
    if (c->note) {
        buf_appendf(out, "；%s", c->note);
    }
    return out->err ? ERR_TOOBIG : 0;
}

int columns_decl_value_parse(const char *field, const char *text, int64_t *out,
                             Err *e)
{
    const RuleField *f = rule_decl_field_ok(field)
                             ? rule_field_get(rule_field_find(field))
                             : NULL;
    ColumnDef c = {"申报值", "value", COLUMNS_BOOL, COLUMNS_INTCOL, 0,
                   0,        0,       NULL,         NULL,           NULL};
    ColumnVal v;
    Buf pool;
    int rc;

    if (!f) {
        return err_set(e, ERR_INVALID, "field", "不能申报的事项 %s",
                       field ? field : "");
    }
    switch (f->unit) {
    case UN_BOOL:
        break;
    case UN_YUAN:
    case UN_USD:
        c.type = COLUMNS_MONEY;
        c.max = MONEY_MAX;
        break;
    case UN_DATE:
        c.type = COLUMNS_DATE;
        c.flags = 0;
        break;
    default:
        c.type = COLUMNS_INT;
        c.max = 1000000;
    }
    buf_init(&pool, 256);
    rc = columns_parse(&c, text, &v, &pool, e);
    if (rc == 0 && !v.set) {
        rc = err_set(e, ERR_INVALID, "value", "必填项为空");
    }
    if (rc == 0 && f->unit == UN_DATE) {
        Date d;
        rc = date_parse(pool.data + v.off, &d, "value", e);
        v.i = d;
    }
    if (rc) {
        char why[ERR_MSG_MAX];
        snprintf(why, sizeof why, "%s", e->msg);
        rc = err_set(e, ERR_INVALID, "value", "%s：%s", f->label, why);
    } else {
        *out = v.i;
    }
    buf_release(&pool);
    return rc;
}

int columns_decl_value_format(const char *field, int64_t v, Buf *out)
{
    const RuleField *f = rule_field_get(rule_field_find(field));
    char d[DATE_ISO_SIZE];

    switch (f ? f->unit : UN_NONE) {
    case UN_BOOL:
        return buf_append_str(out, v ? "是" : "否");
    case UN_YUAN:
    case UN_USD:
        return money_format_wan(v, out);
    case UN_DATE:
        date_format_iso((Date)v, d);
        return buf_append_str(out, d);
    default:
        return buf_appendf(out, "%lld", (long long)v);
    }
}

int columns_template_csv(const ColumnKind *k, Buf *out, Err *e)
{
    size_t i;

    buf_append(out, "\xEF\xBB\xBF", 3);
    for (i = 0; i < k->n_cols; i++) {
        if (i) {
            buf_append_char(out, ',');
        }
        buf_append_csv_field(out, k->cols[i].title, strlen(k->cols[i].title));
    }
    buf_append(out, "\r\n", 2);
    if (out->err) {
        return err_set(e, ERR_TOOBIG, NULL, "模板过大");
    }
    return 0;
}

/* Fill a template workbook: the kind's sheet with the header, and the
 * notes sheet. */
static int xf_template_fill(const ColumnKind *k, XlsxWriter *w, Err *e)
{
    const char *titles[COLUMNS_MAX];
    XlsxOutSheet *s = NULL, *notes = NULL;
    Buf b;
    size_t i;
    int rc;

    for (i = 0; i < k->n_cols; i++) {
        titles[i] = k->cols[i].title;
    }
    rc = xlsx_writer_add_sheet(w, k->name, &s, e);
    if (rc == 0) {
        rc = xlsx_write_header(s, 0, titles, k->n_cols, e);
    }
    if (rc == 0) {
        rc = xlsx_writer_add_sheet(w, "说明", &notes, e);
    }
    if (rc == 0) {
        static const char *const nt[] = {"列名", "说明"};
        rc = xlsx_write_header(notes, 0, nt, 2, e);
    }
    if (rc == 0) {
        rc = xlsx_set_col_width(notes, 0, 0, 28, e);
    }
    if (rc == 0) {
        rc = xlsx_set_col_width(notes, 1, 1, 90, e);
    }
    buf_init(&b, (size_t)64 * 1024);
    for (i = 0; rc == 0 && i < k->n_cols; i++) {
        buf_reset(&b);
        columns_describe(&k->cols[i], &b);
        rc = xlsx_write_str(notes, (uint32_t)(i + 1), 0, k->cols[i].title, e);
        if (rc == 0) {
            rc = xlsx_write_str(notes, (uint32_t)(i + 1), 1, b.data, e);
        }
    }
    if (rc == 0) {
        rc = xlsx_write_str(notes, (uint32_t)(k->n_cols + 2), 0, "填写提示", e);
    }
    if (rc == 0) {
        rc = xlsx_write_str(notes, (uint32_t)(k->n_cols + 2), 1,
                            "表头可以不在第一行（上方可有合并的标题行）；更新已"
                            "有记录时，空白单元格"
                            "表示不修改该项。",
                            e);
    }
    buf_release(&b);
    return rc;
}

int columns_template_xlsx(const ColumnKind *k, const char *path, Err *e)
{
    XlsxWriter *w = NULL;
    int rc = xlsx_writer_new(&w, path, e);

    if (rc) {
        return rc;
    }
    rc = xf_template_fill(k, w, e);
    if (rc) {
        xlsx_writer_free(w);
        return rc;
    }
    return xlsx_writer_close(w, e);
}

int columns_template_xlsx_mem(const ColumnKind *k, Buf *out, Err *e)
{
    XlsxWriter *w = NULL;
    int rc = xlsx_writer_new_mem(&w, e);

    if (rc) {
        return rc;
    }
    rc = xf_template_fill(k, w, e);
    if (rc) {
        xlsx_writer_free(w);
        return rc;
    }
    return xlsx_writer_close_mem(w, out, e);
}
