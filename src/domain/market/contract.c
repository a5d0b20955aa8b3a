/* contract.c - technology contracts: type table, validation, events,
 * party links (see contract.h). */
#include "domain/market/contract.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/money.h"
#include "base/uscc.h"
#include "base/utf8.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the type table ---- */

static const ContractSubtype ct_kf[] = {
    {"entrusted", "委托开发合同"},
    {"cooperative", "合作开发合同"},
    {"conversion", "科技成果实施转化合同"},
};
static const ContractSubtype ct_zr[] = {
    {"patent", "专利权转让"},
    {"patent_app", "专利申请权转让"},
    {"secret", "技术秘密转让"},
    {"other", "其他技术转让"},
};
static const ContractSubtype ct_xk[] = {
    {"patent", "专利实施许可"},
    {"secret", "技术秘密使用许可"},
    {"other", "其他技术许可"},
};
static const ContractSubtype ct_fw[] = {
    {"general", "一般技术服务"},
    {"training", "技术培训合同"},
    {"agency", "技术中介合同"},
};

static const ContractType contract_types[] = {
    {"KF", "技术开发合同", ct_kf, N_OF(ct_kf)},
    {"ZR", "技术转让合同", ct_zr, N_OF(ct_zr)},
    {"XK", "技术许可合同", ct_xk, N_OF(ct_xk)},
    {"ZX", "技术咨询合同", NULL, 0},
    {"FW", "技术服务合同", ct_fw, N_OF(ct_fw)},
};

/* Pre-2021 (合同法 1999) labels and their 民法典 type / sub-type. */
static const struct {
    const char *label, *type, *sub;
} contract_legacy[] = {
    {"技术开发", "KF", NULL},
    {"技术开发（委托开发）", "KF", "entrusted"},
    {"技术开发（合作开发）", "KF", "cooperative"},
    {"技术转让", "ZR", "other"},
    {"技术转让（专利权转让）", "ZR", "patent"},
    {"技术转让（专利申请权转让）", "ZR", "patent_app"},
    {"技术转让（技术秘密转让）", "ZR", "secret"},
    {"技术转让（专利实施许可）", "XK", "patent"},
    {"专利实施许可", "XK", "patent"},
    {"技术咨询", "ZX", NULL},
    {"技术服务", "FW", "general"},
    {"技术培训", "FW", "training"},
    {"技术中介", "FW", "agency"},
};

static const struct {
    const char *code, *name;
} contract_places[] = {
    {"district", "本区"},
    {"tianjin", "天津市其他区"},
    {"domestic", "国内其他省市"},
    {"abroad", "境外"},
};

/* Other names seen in registration-office exports. */
static const struct {
    const char *code, *name;
} contract_place_alias[] = {
    {"district", "区内"},  {"district", "本地"}, {"tianjin", "天津"},
    {"tianjin", "天津市"}, {"tianjin", "市内"},  {"domestic", "外省市"},
    {"domestic", "国内"},  {"abroad", "国外"},   {"abroad", "境外及港澳台"},
};

static const struct {
    const char *code, *name;
} contract_statuses[] = {
    {"registered", "已登记"},
    {"cancelled", "已注销"},
    {"rejected", "未予登记"},
};

/* 技术领域 as used in the national technology-market statistics [D]. */
static const char *const contract_fields[CONTRACT_FIELD_COUNT] = {
    "电子信息",
    "航空航天",
    "先进制造",
    "生物、医药和医疗器械",
    "新材料及其应用",
    "新能源与高效节能",
    "环境保护与资源综合利用",
    "核应用技术",
    "农业",
    "现代交通",
    "城市建设与社会发展",
};

static const struct {
    const char *code, *name;
} contract_ips[] = {
    {"patent", "专利"},
    {"secret", "技术秘密"},
    {"software", "计算机软件著作权"},
    {"ic", "集成电路布图设计"},
    {"plant", "植物新品种"},
    {"biomed", "生物医药新品种"},
    {"other", "其他知识产权"},
    {"none", "未涉及知识产权"},
};

static const struct {
    const char *code, *name;
} contract_event_kinds[] = {
    {"register", "登记"},
    {"amend", "变更登记"},
    {"cancel", "注销"},
    {"reject", "未予登记"},
};

const ContractType *contract_type_find(const char *s)
{
    size_t i;

    if (!s) {
        return NULL;
    }
    for (i = 0; i < N_OF(contract_types); i++) {
        if (strcasecmp(s, contract_types[i].code) == 0 ||
            strcmp(s, contract_types[i].name) == 0) {
            return &contract_types[i];
        }
    }
    /* "技术开发" without 合同 */
    for (i = 0; i < N_OF(contract_types); i++) {
        size_t n = strlen(s);
        if (n > 0 && strncmp(contract_types[i].name, s, n) == 0 &&
            strcmp(contract_types[i].name + n, "合同") == 0) {
            return &contract_types[i];
        }
    }
    return NULL;
}

const ContractSubtype *contract_subtype_find(const ContractType *t,
                                             const char *s)
{
    size_t i;

    if (!t || !s) {
        return NULL;
    }
    for (i = 0; i < t->n_subs; i++) {
        if (strcmp(s, t->subs[i].code) == 0 ||
            strcmp(s, t->subs[i].name) == 0) {
            return &t->subs[i];
        }
    }
    return NULL;
}

int contract_type_from_legacy(const char *label, const ContractType **t,
                              const ContractSubtype **sub, Err *e)
{
    size_t i;

    *t = NULL;
    *sub = NULL;
    for (i = 0; label && i < N_OF(contract_legacy); i++) {
        if (strcmp(label, contract_legacy[i].label) == 0) {
            *t = contract_type_find(contract_legacy[i].type);
            *sub = contract_legacy[i].sub
                       ? contract_subtype_find(*t, contract_legacy[i].sub)
                       : NULL;
            return 0;
        }
    }
    return err_set(e, ERR_INVALID, "legacy_type",
                   "无法识别的 2021 年前合同类别“%s”", label ? label : "");
}

const char *contract_place_name(const char *code)
{
    size_t i;

    for (i = 0; code && i < N_OF(contract_places); i++) {
        if (strcmp(code, contract_places[i].code) == 0) {
            return contract_places[i].name;
        }
    }
    return NULL;
}

const char *contract_place_code(const char *s)
{
    size_t i;

    for (i = 0; s && i < N_OF(contract_places); i++) {
        if (strcmp(s, contract_places[i].code) == 0 ||
            strcmp(s, contract_places[i].name) == 0) {
            return contract_places[i].code;
        }
    }
    for (i = 0; s && i < N_OF(contract_place_alias); i++) {
        if (strcmp(s, contract_place_alias[i].name) == 0) {
            return contract_place_alias[i].code;
        }
    }
    return NULL;
}

/* How a contract came in (src_kind): the contract page shows its
 * src_kind_name from here. */
static const struct {
    const char *code, *name;
} contract_src_kinds[] = {
    {"user", "手工登记"},
    {"import", "导入"},
};

static const char *contract_src_kind_name(const char *code)
{
    for (size_t i = 0;
         code && i < sizeof contract_src_kinds / sizeof *contract_src_kinds;
         i++) {
        if (strcmp(contract_src_kinds[i].code, code) == 0) {
            return contract_src_kinds[i].name;
        }
    }
    return code ? code : "";
}

const char *contract_status_name(const char *code)
{
    size_t i;

    for (i = 0; code && i < N_OF(contract_statuses); i++) {
        if (strcmp(code, contract_statuses[i].code) == 0) {
            return contract_statuses[i].name;
        }
    }
    return NULL;
}

const char *contract_field_name(int64_t field)
{
    if (field < 1 || field > CONTRACT_FIELD_COUNT) {
        return NULL;
    }
    return contract_fields[field - 1];
}

int64_t contract_field_code(const char *s)
{
    size_t i;
    char *end;
    long v;

    if (!s || !*s) {
        return 0;
    }
    v = strtol(s, &end, 10);
    if (*end == '\0' && v >= 1 && v <= CONTRACT_FIELD_COUNT) {
        return v;
    }
    for (i = 0; i < CONTRACT_FIELD_COUNT; i++) {
        if (strcmp(s, contract_fields[i]) == 0) {
            return (int64_t)i + 1;
        }
    }
    return 0;
}

const char *contract_ip_name(const char *code)
{
    size_t i;

    for (i = 0; code && i < N_OF(contract_ips); i++) {
        if (strcmp(code, contract_ips[i].code) == 0) {
            return contract_ips[i].name;
        }
    }
    return NULL;
}

const char *contract_ip_code(const char *s)
{
    size_t i;

    for (i = 0; s && i < N_OF(contract_ips); i++) {
        if (strcmp(s, contract_ips[i].code) == 0 ||
            strcmp(s, contract_ips[i].name) == 0) {
            return contract_ips[i].code;
        }
    }
    return NULL;
}

/* zh-CN names of a contract's fields: the one table that the validation
 * messages, the export and template titles (with their unit), the
 * registration events' before/after (GET /reference/contracts
 * record_fields) use. money: amounts in yuan. */
#define CRN_REG_NO "登记编号"
#define CRN_TITLE "合同名称"
#define CRN_TYPE "合同类别"
#define CRN_SUBTYPE "合同子类"
#define CRN_LEGACY "2021年前类别"
#define CRN_SELLER_USCC "卖方统一社会信用代码"
#define CRN_SELLER_NAME "卖方名称"
#define CRN_SELLER_REGION "卖方地区代码"
#define CRN_SELLER_PLACE "卖方所在地"
#define CRN_BUYER_USCC "买方统一社会信用代码"
#define CRN_BUYER_NAME "买方名称"
#define CRN_BUYER_REGION "买方地区代码"
#define CRN_BUYER_PLACE "买方所在地"
#define CRN_AMOUNT "合同成交额"
#define CRN_TECH_AMOUNT "技术交易额"
#define CRN_SIGNED_ON "签订日期"
#define CRN_REGISTERED_ON "登记日期"
#define CRN_VALID_FROM "有效期起"
#define CRN_VALID_TO "有效期止"
#define CRN_FIELD "技术领域"
#define CRN_IP_KIND "涉及知识产权"
#define CRN_OFFICE "登记机构"
#define CRN_STATUS "状态"

static const struct {
    const char *key, *name;
    int money;
} cr_keys[] = {
    {"reg_no", CRN_REG_NO, 0},
    {"title", CRN_TITLE, 0},
    {"type", CRN_TYPE, 0},
    {"subtype", CRN_SUBTYPE, 0},
    {"legacy_type", CRN_LEGACY, 0},
    {"seller_uscc", CRN_SELLER_USCC, 0},
    {"seller_name", CRN_SELLER_NAME, 0},
    {"seller_region", CRN_SELLER_REGION, 0},
    {"seller_place", CRN_SELLER_PLACE, 0},
    {"buyer_uscc", CRN_BUYER_USCC, 0},
    {"buyer_name", CRN_BUYER_NAME, 0},
    {"buyer_region", CRN_BUYER_REGION, 0},
    {"buyer_place", CRN_BUYER_PLACE, 0},
    {"amount", CRN_AMOUNT, 1},
    {"tech_amount", CRN_TECH_AMOUNT, 1},
    {"signed_on", CRN_SIGNED_ON, 0},
    {"registered_on", CRN_REGISTERED_ON, 0},
    {"valid_from", CRN_VALID_FROM, 0},
    {"valid_to", CRN_VALID_TO, 0},
    {"field", CRN_FIELD, 0},
    {"ip_kind", CRN_IP_KIND, 0},
    {"office", CRN_OFFICE, 0},
    {"status", CRN_STATUS, 0},
    {"reason", "原因", 0},
    {"on_date", "注销日期", 0},
};

const char *contract_key_name(const char *key)
{
    for (size_t i = 0; key && i < N_OF(cr_keys); i++) {
        if (strcmp(key, cr_keys[i].key) == 0) {
            return cr_keys[i].name;
        }
    }
    return NULL;
}

static json_t *cr_pairs(const char *const *codes, const char *const *names,
                        size_t n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < n; i++) {
        json_array_append_new(
            arr, json_pack("{ssss}", "value", codes[i], "label", names[i]));
    }
    return arr;
}

json_t *contract_reference_json(void)
{
    json_t *types = json_array();
    json_t *legacy = json_array();
    json_t *fields = json_array();
    const char *codes[16], *names[16];
    json_t *places, *statuses, *ips, *events, *keys;
    size_t i, j;

    for (i = 0; i < N_OF(contract_types); i++) {
        json_t *subs = json_array();
        for (j = 0; j < contract_types[i].n_subs; j++) {
            json_array_append_new(
                subs,
                json_pack("{ssss}", "value", contract_types[i].subs[j].code,
                          "label", contract_types[i].subs[j].name));
        }
        json_array_append_new(types, json_pack("{sssssO}", "value",
                                               contract_types[i].code, "label",
                                               contract_types[i].name,
                                               "subtypes", subs));
        json_decref(subs);
    }
    for (i = 0; i < N_OF(contract_legacy); i++) {
        const ContractType *t = contract_type_find(contract_legacy[i].type);
        const ContractSubtype *s =
            contract_subtype_find(t, contract_legacy[i].sub);
        json_array_append_new(
            legacy,
            json_pack("{sssssssoso}", "label", contract_legacy[i].label, "type",
                      t->code, "type_name", t->name, "subtype",
                      s ? json_string(s->code) : json_null(), "subtype_name",
                      s ? json_string(s->name) : json_null()));
    }
    for (i = 0; i < CONTRACT_FIELD_COUNT; i++) {
        json_array_append_new(fields,
                              json_pack("{sIss}", "value", (json_int_t)i + 1,
                                        "label", contract_fields[i]));
    }
    for (i = 0; i < N_OF(contract_places); i++) {
        codes[i] = contract_places[i].code;
        names[i] = contract_places[i].name;
    }
    places = cr_pairs(codes, names, N_OF(contract_places));
    for (i = 0; i < N_OF(contract_statuses); i++) {
        codes[i] = contract_statuses[i].code;
        names[i] = contract_statuses[i].name;
    }
    statuses = cr_pairs(codes, names, N_OF(contract_statuses));
    for (i = 0; i < N_OF(contract_ips); i++) {
        codes[i] = contract_ips[i].code;
        names[i] = contract_ips[i].name;
    }
    ips = cr_pairs(codes, names, N_OF(contract_ips));
    for (i = 0; i < N_OF(contract_event_kinds); i++) {
        codes[i] = contract_event_kinds[i].code;
        names[i] = contract_event_kinds[i].name;
    }
    events = cr_pairs(codes, names, N_OF(contract_event_kinds));
    keys = json_array();
    for (i = 0; i < N_OF(cr_keys); i++) {
        json_array_append_new(
            keys, json_pack("{sssssb}", "value", cr_keys[i].key, "label",
                            cr_keys[i].name, "money", cr_keys[i].money));
    }
    return json_pack("{sososososososossso}", "types", types, "legacy", legacy,
                     "places", places, "statuses", statuses, "fields", fields,
                     "ip_kinds", ips, "event_kinds", events, "large_wan",
                     "100000", "record_fields", keys);
}

/* ---- validation ---- */

int contract_regno_check(const char *s, char out[CONTRACT_REGNO_MAX + 1],
                         Err *e)
{
    size_t n, i, digits = 0;

    out[0] = '\0';
    while (s && (*s == ' ' || *s == '\t')) {
        s++;
    }
    n = s ? strlen(s) : 0;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    if (n == 0) {
        return err_set(e, ERR_INVALID, "reg_no", "请填写登记编号");
    }
    if (n > CONTRACT_REGNO_MAX) {
        return err_set(e, ERR_INVALID, "reg_no", "登记编号不能超过 %d 个字符",
                       CONTRACT_REGNO_MAX);
    }
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (isdigit(ch)) {
            digits++;
        } else if (!isalpha(ch) && ch != '-') {
            return err_set(e, ERR_INVALID, "reg_no",
                           "登记编号只能包含数字、字母和“-”（第 %zu 个字符）",
                           i + 1);
        }
        out[i] = (char)toupper(ch);
    }
    out[n] = '\0';
    if (digits == n && n != 14 && n != 16) {
        out[0] = '\0';
        return err_set(e, ERR_INVALID, "reg_no",
                       "纯数字的登记编号应为 16 位（或 1990 年代的 14 位），"
                       "实为 %zu 位",
                       n);
    }
    if (digits == n && n == 16) {
        int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
                (s[3] - '0');
        if (y < 1990 || y > 2100) {
            out[0] = '\0';
            return err_set(e, ERR_INVALID, "reg_no",
                           "16 位登记编号的前 4 位应为登记年份，实为 %04d", y);
        }
    }
    return 0;
}

/* Check free text: valid UTF-8, no control characters, 1..max chars. */
static int cr_text(const char *s, int required, size_t max, const char *field,
                   const char *label, Err *e)
{
    size_t n, bad, i;

    if (!s || !*s) {
        return required ? err_set(e, ERR_INVALID, field, "请填写%s", label) : 0;
    }
    n = strlen(s);
    if (!utf8_validate(s, n, &bad)) {
        return err_set(e, ERR_INVALID, field, "%s含有无效字符", label);
    }
    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20) {
            return err_set(e, ERR_INVALID, field, "%s含有控制字符", label);
        }
    }
    if (utf8_count_chars(s, n) > max) {
        return err_set(e, ERR_INVALID, field, "%s不能超过 %zu 个字", label,
                       max);
    }
    return 0;
}

static int cr_date(const char *s, int required, char out[11], const char *field,
                   const char *label, Err *e)
{
    Date d;
    Err de;

    out[0] = '\0';
    if (!s || !*s) {
        return required ? err_set(e, ERR_INVALID, field, "请填写%s", label) : 0;
    }
    if (date_parse(s, &d, field, &de) != 0) {
        return err_set(e, ERR_INVALID, field, "%s：%s", label, de.msg);
    }
    date_format_iso(d, out);
    return 0;
}

/* A party's USCC (optional; check character verified) and region code. */
static int cr_party(const char *uscc, const char *region, char uout[19],
                    char rout[8], const char *side, const char *label, Err *e)
{
    char field[32];
    size_t n, i;
    Err ue;

    uout[0] = '\0';
    rout[0] = '\0';
    snprintf(field, sizeof field, "%s_uscc", side);
    if (uscc && *uscc && uscc_normalize(uscc, uout, &ue) != 0) {
        return err_set(e, ERR_INVALID, field, "%s统一社会信用代码：%s", label,
                       ue.msg);
    }
    snprintf(field, sizeof field, "%s_region", side);
    n = region ? strlen(region) : 0;
    if (n == 0) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)region[i])) {
            break;
        }
    }
    if (i != n || (n != 3 && n != 4 && n != 6)) {
        return err_set(e, ERR_INVALID, field,
                       "%s地区代码应为 6 位行政区划代码、4 位省市代码或 3 位"
                       "国家代码",
                       label);
    }
    memcpy(rout, region, n + 1);
    return 0;
}

int contract_check(const ContractInput *in, ContractRec *out, Err *e)
{
    const ContractType *t = NULL;
    const ContractSubtype *sub = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    rc = contract_regno_check(in->reg_no, out->reg_no, e);
    if (rc == 0) {
        rc = cr_text(in->title, 1, CONTRACT_TITLE_MAX, "title", CRN_TITLE, e);
    }
    if (rc) {
        return rc;
    }
    out->title = in->title;
    /* type: the 民法典 class, or a pre-2021 label mapped through the table */
    if (in->legacy_type && *in->legacy_type) {
        rc = contract_type_from_legacy(in->legacy_type, &t, &sub, e);
        if (rc) {
            return rc;
        }
        out->legacy_type = in->legacy_type;
    }
    if (in->type && *in->type) {
        const ContractType *t2 = contract_type_find(in->type);
        if (!t2) {
            /* a legacy label given as the type */
            if (contract_type_from_legacy(in->type, &t, &sub, NULL) == 0) {
                out->legacy_type = in->type;
                t2 = t;
            } else {
                return err_set(e, ERR_INVALID, "type",
                               "未知的合同类别“%s”（应为技术开发、转让、许可、"
                               "咨询或服务合同）",
                               in->type);
            }
        }
        if (t && t2 != t) {
            return err_set(e, ERR_INVALID, "type",
                           "合同类别与 2021 年前类别“%s”对应的类别不一致",
                           in->legacy_type);
        }
        t = t2;
    }
    if (!t) {
        return err_set(e, ERR_INVALID, "type", "请填写" CRN_TYPE);
    }
    out->type = t->code;
    if (in->subtype && *in->subtype) {
        const ContractSubtype *s2 = contract_subtype_find(t, in->subtype);
        if (!s2) {
            return err_set(e, ERR_INVALID, "subtype", "“%s”不是%s的子类",
                           in->subtype, t->name);
        }
        sub = s2;
    }
    out->subtype = sub ? sub->code : NULL;
    rc = cr_text(in->seller_name, 1, CONTRACT_NAME_MAX, "seller_name",
                 CRN_SELLER_NAME, e);
    if (rc == 0) {
        rc = cr_text(in->buyer_name, 1, CONTRACT_NAME_MAX, "buyer_name",
                     CRN_BUYER_NAME, e);
    }
    if (rc == 0) {
        rc = cr_party(in->seller_uscc, in->seller_region, out->seller_uscc,
                      out->seller_region, "seller", "卖方", e);
    }
    if (rc == 0) {
        rc = cr_party(in->buyer_uscc, in->buyer_region, out->buyer_uscc,
                      out->buyer_region, "buyer", "买方", e);
    }
    if (rc) {
        return rc;
    }
    out->seller_name = in->seller_name;
    out->buyer_name = in->buyer_name;
    if (in->seller_place && *in->seller_place) {
        out->seller_place = contract_place_code(in->seller_place);
        if (!out->seller_place) {
            return err_set(e, ERR_INVALID, "seller_place",
                           "卖方所在地应为本区、天津市其他区、国内其他省市或"
                           "境外");
        }
    }
    if (in->buyer_place && *in->buyer_place) {
        out->buyer_place = contract_place_code(in->buyer_place);
        if (!out->buyer_place) {
            return err_set(e, ERR_INVALID, "buyer_place",
                           "买方所在地应为本区、天津市其他区、国内其他省市或"
                           "境外");
        }
    }
    /* amounts (§5.4) */
    if (!in->has_amount) {
        return err_set(e, ERR_INVALID, "amount_wan", "请填写" CRN_AMOUNT);
    }
    if (in->amount < 0) {
        return err_set(e, ERR_INVALID, "amount_wan", CRN_AMOUNT "不能为负数");
    }
    out->amount = in->amount;
    out->tech_amount = in->has_tech_amount ? in->tech_amount : in->amount;
    if (out->tech_amount < 0) {
        return err_set(e, ERR_INVALID, "tech_amount_wan",
                       CRN_TECH_AMOUNT "不能为负数");
    }
    if (out->tech_amount > out->amount) {
        Buf a, b;
        buf_init(&a, 64);
        buf_init(&b, 64);
        money_format_wan(out->tech_amount, &a);
        money_format_wan(out->amount, &b);
        err_set(e, ERR_INVALID, "tech_amount_wan",
                "技术交易额（%s 万元）不能大于合同成交额（%s 万元）", a.data,
                b.data);
        buf_release(&a);
        buf_release(&b);
        return ERR_INVALID;
    }
    out->large = out->amount > CONTRACT_LARGE_YUAN;
    if (out->large && !in->confirm_large) {
        return err_set(e, ERR_INVALID, "amount_wan",
                       "合同成交额超过 10 亿元，请核实后确认再提交");
    }
    /* dates */
    rc = cr_date(in->signed_on, 1, out->signed_on, "signed_on", CRN_SIGNED_ON,
                 e);
    if (rc == 0) {
        rc = cr_date(in->registered_on, 1, out->registered_on, "registered_on",
                     CRN_REGISTERED_ON, e);
    }
    if (rc == 0) {
        rc = cr_date(in->valid_from, 0, out->valid_from, "valid_from",
                     CRN_VALID_FROM, e);
    }
    if (rc == 0) {
        rc = cr_date(in->valid_to, 0, out->valid_to, "valid_to", CRN_VALID_TO,
                     e);
    }
    if (rc) {
        return rc;
    }
    if (strcmp(out->registered_on, out->signed_on) < 0) {
        return err_set(e, ERR_INVALID, "registered_on",
                       "登记日期（%s）不能早于签订日期（%s）",
                       out->registered_on, out->signed_on);
    }
    if (out->valid_from[0] && out->valid_to[0] &&
        strcmp(out->valid_to, out->valid_from) < 0) {
        return err_set(e, ERR_INVALID, "valid_to", "有效期止不能早于有效期起");
    }
    if (in->field != 0 && !contract_field_name(in->field)) {
        return err_set(e, ERR_INVALID, "field", "技术领域应为 1–%d",
                       CONTRACT_FIELD_COUNT);
    }
    out->field = in->field;
    if (in->ip_kind && *in->ip_kind) {
        out->ip_kind = contract_ip_code(in->ip_kind);
        if (!out->ip_kind) {
            return err_set(e, ERR_INVALID, "ip_kind", "未知的知识产权类型“%s”",
                           in->ip_kind);
        }
    }
    rc = cr_text(in->office, 0, CONTRACT_OFFICE_MAX, "office", "登记机构", e);
    if (rc) {
        return rc;
    }
    out->office = in->office && *in->office ? in->office : NULL;
    out->rejected = in->rejected;
    return 0;
}

/* ---- party links ---- */

/* Match a party to an enterprise: by USCC; without a USCC, by the current
 * or a former name when exactly one enterprise has it. *ent 0 = none;
 * *unit the enterprise's unit. */
static int cr_match(Db *db, const char *uscc, const char *name, int64_t *ent,
                    int64_t *unit, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *ent = 0;
    *unit = 0;
    if (uscc && *uscc) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, unit_id FROM enterprises WHERE uscc = $1",
                          "t", uscc);
    } else {
        rc = db_prepare_v(
            db, &st, e,
            "SELECT DISTINCT e.id, e.unit_id FROM enterprises e WHERE "
            "e.name = $1 OR e.id IN (SELECT enterprise_id FROM "
            "enterprise_names WHERE name = $1) LIMIT 2",
            "t", name);
    }
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        int64_t id = db_col_int64(st, 0), u = db_col_int64(st, 1);
        rc = db_step(st, e);
        if (rc == DB_DONE) {
            *ent = id;
            *unit = u;
        }
    }
    rc = rc == DB_ROW || rc == DB_DONE ? 0 : rc;
out:
    db_finalize(st);
    return rc;
}

/* The place of a party: given, else district when matched, else from the
 * region code (12…: Tianjin, 3 digits: abroad), else domestic. */
static const char *cr_place(const char *given, int64_t ent, const char *region)
{
    if (given) {
        return given;
    }
    if (ent) {
        return "district";
    }
    if (region && strlen(region) == 3) {
        return "abroad";
    }
    if (region && strncmp(region, "12", 2) == 0) {
        return "tianjin";
    }
    return "domestic";
}

static int cr_root_unit(Db *db, int64_t *out, Err *e)
{
    return db_query_int64(db, out, e,
                          "SELECT id FROM org_units WHERE parent_id IS NULL "
                          "ORDER BY id LIMIT 1",
                          "");
}

static int cr_unit_path(Db *db, int64_t unit, char *path, size_t cap, Err *e)
{
    char *p = NULL;
    int rc = db_query_text(
        db, &p, e, "SELECT path FROM org_units WHERE id = $1", "i", unit);
    if (rc == 0) {
        snprintf(path, cap, "%s", p ? p : "");
    }
    free(p);
    return rc;
}

/* Links and unit of a checked record. */
typedef struct CrLinks {
    int64_t seller_ent, buyer_ent, unit;
    const char *seller_place, *buyer_place;
    char path[ACTOR_PATH_MAX];
} CrLinks;

/* ---- the import's memo of lookups ---- */

typedef struct MemoSlot {
    char *key; /* NULL: empty */
    int64_t ent, unit;
    char *path; /* unit paths ("P:<id>") */
} MemoSlot;

struct ContractMemo {
    MemoSlot *slots;
    size_t cap, n; /* cap a power of two */
    /* the per-row statements of an import, prepared once (cr_stmt) */
    DbStmt *st_find, *st_insert, *st_event;
};

ContractMemo *contract_memo_new(void)
{
    ContractMemo *m = xcalloc(1, sizeof *m);

    m->cap = 1024;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    return m;
}

void contract_memo_free(ContractMemo *m)
{
    size_t i;

    if (!m) {
        return;
    }
    for (i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        free(m->slots[i].path);
    }
    db_finalize(m->st_find);
    db_finalize(m->st_insert);
    db_finalize(m->st_event);
    free(m->slots);
    free(m);
}

static size_t memo_hash(const char *k)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *k; k++) {
        h ^= (unsigned char)*k;
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

/* The slot of key: its entry, or the empty slot where it would go. */
static MemoSlot *memo_slot(ContractMemo *m, const char *key)
{
    size_t i = memo_hash(key) & (m->cap - 1);

    while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0) {
        i = (i + 1) & (m->cap - 1);
    }
    return &m->slots[i];
}

/* A new entry for key (absent); NULL when the memo is full. */
static MemoSlot *memo_put(ContractMemo *m, const char *key)
{
    MemoSlot *sl;

    if (m->n >= CONTRACT_MEMO_MAX) {
        return NULL;
    }
    if (2 * (m->n + 1) > m->cap) {
        MemoSlot *old = m->slots;
        size_t oc = m->cap, i;
        m->cap *= 2;
        m->slots = xcalloc(m->cap, sizeof *m->slots);
        for (i = 0; i < oc; i++) {
            if (old[i].key) {
                *memo_slot(m, old[i].key) = old[i];
            }
        }
        free(old);
    }
    sl = memo_slot(m, key);
    sl->key = xstrdup(key);
    m->n++;
    return sl;
}

/* cr_match through the memo. */
static int cr_match_memo(Db *db, ContractMemo *m, const char *uscc,
                         const char *name, int64_t *ent, int64_t *unit, Err *e)
{
    char key[4 * CONTRACT_NAME_MAX + 8];
    MemoSlot *sl;
    int rc;

    if (!m ||
        (size_t)snprintf(key, sizeof key, "%s%s", uscc && *uscc ? "U:" : "N:",
                         uscc && *uscc ? uscc
                         : name        ? name
                                       : "") >= sizeof key) {
        return cr_match(db, uscc, name, ent, unit, e);
    }
    sl = memo_slot(m, key);
    if (sl->key) {
        *ent = sl->ent;
        *unit = sl->unit;
        return 0;
    }
    rc = cr_match(db, uscc, name, ent, unit, e);
    if (rc == 0 && (sl = memo_put(m, key)) != NULL) {
        sl->ent = *ent;
        sl->unit = *unit;
    }
    return rc;
}

/* cr_unit_path through the memo (the root unit's id too: unit 0). */
static int cr_unit_memo(Db *db, ContractMemo *m, int64_t *unit, char *path,
                        size_t cap, Err *e)
{
    char key[32];
    MemoSlot *sl = NULL;
    int rc = 0;

    if (m) {
        snprintf(key, sizeof key, "P:%lld", (long long)*unit);
        sl = memo_slot(m, key);
        if (sl->key) {
            *unit = sl->unit;
            snprintf(path, cap, "%s", sl->path);
            return 0;
        }
    }
    if (!*unit) {
        rc = cr_root_unit(db, unit, e);
    }
    if (rc == 0) {
        rc = cr_unit_path(db, *unit, path, cap, e);
    }
    if (rc == 0 && m && (sl = memo_put(m, key)) != NULL) {
        sl->unit = *unit;
        sl->path = xstrdup(path);
    }
    return rc;
}

static int cr_links_memo(Db *db, ContractMemo *m, const ContractRec *r,
                         CrLinks *l, Err *e)
{
    int64_t bu = 0;
    int rc;

    memset(l, 0, sizeof *l);
    rc = cr_match_memo(db, m, r->seller_uscc, r->seller_name, &l->seller_ent,
                       &l->unit, e);
    if (rc == 0) {
        rc = cr_match_memo(db, m, r->buyer_uscc, r->buyer_name, &l->buyer_ent,
                           &bu, e);
    }
    if (rc == 0) {
        rc = cr_unit_memo(db, m, &l->unit, l->path, sizeof l->path, e);
    }
    l->seller_place =
        cr_place(r->seller_place, l->seller_ent, r->seller_region);
    l->buyer_place = cr_place(r->buyer_place, l->buyer_ent, r->buyer_region);
    return rc;
}

static int cr_links(Db *db, const ContractRec *r, CrLinks *l, Err *e)
{
    int64_t bu = 0;
    int rc;

    memset(l, 0, sizeof *l);
    rc = cr_match(db, r->seller_uscc, r->seller_name, &l->seller_ent, &l->unit,
                  e);
    if (rc == 0) {
        rc = cr_match(db, r->buyer_uscc, r->buyer_name, &l->buyer_ent, &bu, e);
    }
    if (rc == 0 && !l->unit) {
        rc = cr_root_unit(db, &l->unit, e);
    }
    if (rc == 0) {
        rc = cr_unit_path(db, l->unit, l->path, sizeof l->path, e);
    }
    l->seller_place =
        cr_place(r->seller_place, l->seller_ent, r->seller_region);
    l->buyer_place = cr_place(r->buyer_place, l->buyer_ent, r->buyer_region);
    return rc;
}

/* ---- writes ---- */

#define CR_COLS                                                                \
    "c.id, c.reg_no, c.title, c.type, c.subtype, c.legacy_type, "              \
    "c.seller_uscc, c.seller_name, c.seller_region, c.seller_place, "          \
    "c.seller_ent_id, c.buyer_uscc, c.buyer_name, c.buyer_region, "            \
    "c.buyer_place, c.buyer_ent_id, c.amount, c.tech_amount, c.signed_on, "    \
    "c.registered_on, c.valid_from, c.valid_to, c.field, c.ip_kind, "          \
    "c.office, c.status, c.large_confirmed, c.unit_id, o.name, o.path, "       \
    "c.src_kind, c.created_at, c.updated_at, se.name, be.name "
#define CR_FROM                                                                \
    " FROM contracts c JOIN org_units o ON o.id = c.unit_id "                  \
    "LEFT JOIN enterprises se ON se.id = c.seller_ent_id "                     \
    "LEFT JOIN enterprises be ON be.id = c.buyer_ent_id "

static json_t *cr_text_json(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return s ? json_string(s) : json_null();
}

static json_t *cr_int_json(DbStmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null()
                                   : json_integer(db_col_int64(st, col));
}

static json_t *cr_wan_json(int64_t yuan)
{
    Buf b;
    json_t *j;

    buf_init(&b, 64);
    money_format_wan(yuan, &b);
    j = json_string(b.data);
    buf_release(&b);
    return j;
}

/* The row at st (CR_COLS) as JSON. */
static json_t *cr_row_json(DbStmt *st)
{
    const ContractType *t = contract_type_find(db_col_text(st, 3));
    const ContractSubtype *s = contract_subtype_find(t, db_col_text(st, 4));
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "reg_no", cr_text_json(st, 1));
    json_object_set_new(o, "title", cr_text_json(st, 2));
    json_object_set_new(o, "type", cr_text_json(st, 3));
    json_object_set_new(o, "type_name", json_string(t ? t->name : ""));
    json_object_set_new(o, "subtype", cr_text_json(st, 4));
    json_object_set_new(o, "subtype_name",
                        s ? json_string(s->name) : json_null());
    json_object_set_new(o, "legacy_type", cr_text_json(st, 5));
    json_object_set_new(o, "seller_uscc", cr_text_json(st, 6));
    json_object_set_new(o, "seller_name", cr_text_json(st, 7));
    json_object_set_new(o, "seller_region", cr_text_json(st, 8));
    json_object_set_new(o, "seller_place", cr_text_json(st, 9));
    json_object_set_new(
        o, "seller_place_name",
        json_string(contract_place_name(db_col_text(st, 9)) ?: ""));
    json_object_set_new(o, "seller_ent_id", cr_int_json(st, 10));
    json_object_set_new(o, "buyer_uscc", cr_text_json(st, 11));
    json_object_set_new(o, "buyer_name", cr_text_json(st, 12));
    json_object_set_new(o, "buyer_region", cr_text_json(st, 13));
    json_object_set_new(o, "buyer_place", cr_text_json(st, 14));
    json_object_set_new(
        o, "buyer_place_name",
        json_string(contract_place_name(db_col_text(st, 14)) ?: ""));
    json_object_set_new(o, "buyer_ent_id", cr_int_json(st, 15));
    json_object_set_new(o, "amount", json_integer(db_col_int64(st, 16)));
    json_object_set_new(o, "amount_wan", cr_wan_json(db_col_int64(st, 16)));
    json_object_set_new(o, "tech_amount", json_integer(db_col_int64(st, 17)));
    json_object_set_new(o, "tech_amount_wan",
                        cr_wan_json(db_col_int64(st, 17)));
    json_object_set_new(o, "signed_on", cr_text_json(st, 18));
    json_object_set_new(o, "registered_on", cr_text_json(st, 19));
    json_object_set_new(o, "valid_from", cr_text_json(st, 20));
    json_object_set_new(o, "valid_to", cr_text_json(st, 21));
    json_object_set_new(o, "field", cr_int_json(st, 22));
    json_object_set_new(
        o, "field_name",
        db_col_is_null(st, 22)
            ? json_null()
            : json_string(contract_field_name(db_col_int64(st, 22)) ?: ""));
    json_object_set_new(o, "ip_kind", cr_text_json(st, 23));
    json_object_set_new(
        o, "ip_kind_name",
        db_col_text(st, 23)
            ? json_string(contract_ip_name(db_col_text(st, 23)) ?: "")
            : json_null());
    json_object_set_new(o, "office", cr_text_json(st, 24));
    json_object_set_new(o, "status", cr_text_json(st, 25));
    json_object_set_new(
        o, "status_name",
        json_string(contract_status_name(db_col_text(st, 25)) ?: ""));
    json_object_set_new(o, "large_confirmed",
                        json_boolean(db_col_int64(st, 26) != 0));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 27)));
    json_object_set_new(o, "unit_name", cr_text_json(st, 28));
    json_object_set_new(o, "src_kind", cr_text_json(st, 30));
    json_object_set_new(
        o, "src_kind_name",
        json_string(contract_src_kind_name(db_col_text(st, 30))));
    json_object_set_new(o, "created_at", cr_text_json(st, 31));
    json_object_set_new(o, "updated_at", cr_text_json(st, 32));
    json_object_set_new(o, "seller_ent_name", cr_text_json(st, 33));
    json_object_set_new(o, "buyer_ent_name", cr_text_json(st, 34));
    return o;
}

/* The stored fields of a record (the audit and event diff compares these). */
static json_t *cr_rec_json(const ContractRec *r, const CrLinks *l)
{
    json_t *o = json_object();

#define CR_STR(k, v)                                                           \
    json_object_set_new(o, k, (v) && *(v) ? json_string(v) : json_null())
    CR_STR("reg_no", r->reg_no);
    CR_STR("title", r->title);
    CR_STR("type", r->type);
    CR_STR("subtype", r->subtype);
    CR_STR("legacy_type", r->legacy_type);
    CR_STR("seller_uscc", r->seller_uscc);
    CR_STR("seller_name", r->seller_name);
    CR_STR("seller_region", r->seller_region);
    CR_STR("seller_place", l->seller_place);
    CR_STR("buyer_uscc", r->buyer_uscc);
    CR_STR("buyer_name", r->buyer_name);
    CR_STR("buyer_region", r->buyer_region);
    CR_STR("buyer_place", l->buyer_place);
    json_object_set_new(o, "amount", json_integer(r->amount));
    json_object_set_new(o, "tech_amount", json_integer(r->tech_amount));
    CR_STR("signed_on", r->signed_on);
    CR_STR("registered_on", r->registered_on);
    CR_STR("valid_from", r->valid_from);
    CR_STR("valid_to", r->valid_to);
    json_object_set_new(o, "field",
                        r->field ? json_integer(r->field) : json_null());
    CR_STR("ip_kind", r->ip_kind);
    CR_STR("office", r->office);
#undef CR_STR
    return o;
}

/* The same fields of the stored row id. */
static int cr_stored_json(Db *db, int64_t id, json_t **out, char *status,
                          size_t cap, int64_t *unit, Err *e)
{
    static const char *const keep[] = {
        "reg_no",        "title",       "type",        "subtype",
        "legacy_type",   "seller_uscc", "seller_name", "seller_region",
        "seller_place",  "buyer_uscc",  "buyer_name",  "buyer_region",
        "buyer_place",   "amount",      "tech_amount", "signed_on",
        "registered_on", "valid_from",  "valid_to",    "field",
        "ip_kind",       "office"};
    DbStmt *st = NULL;
    json_t *row = NULL;
    size_t i;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e, "SELECT " CR_COLS CR_FROM "WHERE c.id = $1",
                      "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "合同不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    rc = 0;
    row = cr_row_json(st);
    snprintf(status, cap, "%s", db_col_text(st, 25));
    *unit = db_col_int64(st, 27);
    *out = json_object();
    for (i = 0; i < N_OF(keep); i++) {
        json_object_set(*out, keep[i], json_object_get(row, keep[i]));
    }
out:
    json_decref(row);
    db_finalize(st);
    return rc;
}

/* Prepare sql and bind the arguments (types as db_prepare_v: 'i' int64_t,
 * 't' text, 'p' const int64_t * or NULL). With slot (an import's per-row
 * statements, kept in its ContractMemo), the statement is prepared once,
 * kept in *slot and reset for every use; without, prepared now. End with
 * cr_stmt_done. */
static int cr_stmt(Db *db, DbStmt **slot, DbStmt **out, Err *e, const char *sql,
                   const char *types, ...)
{
    DbStmt *st = slot ? *slot : NULL;
    va_list ap;
    size_t i;
    int rc = 0;

    *out = NULL;
    if (st) {
        db_reset(st);
    } else {
        rc = db_prepare(db, sql, &st, e);
        if (rc) {
            return rc;
        }
        if (slot) {
            *slot = st;
        }
    }
    *out = st;
    va_start(ap, types);
    for (i = 0; rc == 0 && types[i]; i++) {
        int idx = (int)i + 1;
        if (types[i] == 'i') {
            rc = db_bind_int64(st, idx, va_arg(ap, int64_t));
        } else if (types[i] == 't') {
            rc = db_bind_text(st, idx, va_arg(ap, const char *));
        } else {
            const int64_t *v = va_arg(ap, const int64_t *);
            rc = v ? db_bind_int64(st, idx, *v) : db_bind_null(st, idx);
        }
    }
    va_end(ap);
    if (rc) {
        rc = err_set(e, ERR_DB, NULL, "数据库错误");
    }
    return rc;
}

/* Done with a statement of cr_stmt: reset when kept, else finalized. */
static void cr_stmt_done(DbStmt **slot, DbStmt *st)
{
    if (slot && *slot == st) {
        db_reset(st);
    } else {
        db_finalize(st);
    }
}

/* The event row with its JSON texts (NULL: none). */
static int cr_event_text(Db *db, const Actor *a, int64_t id, const char *kind,
                         const char *on_date, const char *reason,
                         const char *bj, const char *aj, int64_t src_ref,
                         DbStmt **slot, Err *e)
{
    char now[CLOCK_ISO_LEN];
    int64_t uid = a->user_id;
    DbStmt *st = NULL;
    int rc;

    clock_now_iso(now, 0);
    rc = cr_stmt(db, slot, &st, e,
                 "INSERT INTO contract_events (contract_id, kind, "
                 "on_date, reason, before_json, after_json, user_id, "
                 "src_ref, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                 "$9)",
                 "itttttppt", id, kind, on_date, reason, bj, aj,
                 uid > 0 ? &uid : NULL, src_ref ? &src_ref : NULL, now);
    if (rc == 0) {
        rc = db_step(st, e);
        rc = rc == DB_DONE ? 0 : rc == DB_ROW ? ERR_DB : rc;
    }
    cr_stmt_done(slot, st);
    return rc;
}

static int cr_event(Db *db, const Actor *a, int64_t id, const char *kind,
                    const char *on_date, const char *reason, json_t *before,
                    json_t *after, int64_t src_ref, Err *e)
{
    char *bj =
        before ? json_dumps(before, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    char *aj = after ? json_dumps(after, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    int rc = cr_event_text(db, a, id, kind, on_date, reason, bj, aj, src_ref,
                           NULL, e);

    free(bj);
    free(aj);
    return rc;
}

/* cr_rec_json's object as JSON text, keys sorted, written directly (the
 * importer's event per row: no object to build and dump). Same content
 * as json_dumps(cr_rec_json(r, l), JSON_SORT_KEYS | JSON_COMPACT). */
static void cr_rec_text(const ContractRec *r, const CrLinks *l, Buf *b)
{
    const struct {
        const char *key, *v;
    } s[] = {
        /* in key order, with the integers between */
        {"buyer_name", r->buyer_name},
        {"buyer_place", l->buyer_place},
        {"buyer_region", r->buyer_region},
        {"buyer_uscc", r->buyer_uscc},
        {NULL, NULL}, /* field */
        {"ip_kind", r->ip_kind},
        {"legacy_type", r->legacy_type},
        {"office", r->office},
        {"reg_no", r->reg_no},
        {"registered_on", r->registered_on},
        {"seller_name", r->seller_name},
        {"seller_place", l->seller_place},
        {"seller_region", r->seller_region},
        {"seller_uscc", r->seller_uscc},
        {"signed_on", r->signed_on},
        {"subtype", r->subtype},
        {NULL, NULL}, /* tech_amount */
        {"title", r->title},
        {"type", r->type},
        {"valid_from", r->valid_from},
        {"valid_to", r->valid_to},
    };
    size_t i;
    int ints = 0;

    buf_appendf(b, "{\"amount\":%lld", (long long)r->amount);
    for (i = 0; i < sizeof s / sizeof s[0]; i++) {
        if (!s[i].key) {
            if (ints++ == 0) {
                if (r->field) {
                    buf_appendf(b, ",\"field\":%lld", (long long)r->field);
                } else {
                    buf_append_str(b, ",\"field\":null");
                }
            } else {
                buf_appendf(b, ",\"tech_amount\":%lld",
                            (long long)r->tech_amount);
            }
            continue;
        }
        buf_append_str(b, ",\"");
        buf_append_str(b, s[i].key);
        buf_append_str(b, "\":");
        if (s[i].v && *s[i].v) {
            buf_append_json_str(b, s[i].v, strlen(s[i].v));
        } else {
            buf_append_str(b, "null");
        }
    }
    buf_append_char(b, '}');
}

static int cr_insert(Db *db, const ContractRec *r, const CrLinks *l,
                     int64_t src_ref, DbStmt **slot, int64_t *id, Err *e)
{
    char now[CLOCK_ISO_LEN];
    DbStmt *st = NULL;
    int64_t field = r->field;
    int rc;

    clock_now_iso(now, 0);
    rc = cr_stmt(
        db, slot, &st, e,
        "INSERT INTO contracts (reg_no, title, type, subtype, legacy_type, "
        "seller_uscc, seller_name, seller_region, seller_place, "
        "seller_ent_id, buyer_uscc, buyer_name, buyer_region, buyer_place, "
        "buyer_ent_id, amount, tech_amount, signed_on, registered_on, "
        "valid_from, valid_to, field, ip_kind, office, status, "
        "large_confirmed, unit_id, src_kind, src_ref, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
        "$15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, "
        "$29, $30, $30) RETURNING id",
        "tttttttttpttttpiittttptttiitpt", r->reg_no, r->title, r->type,
        r->subtype, r->legacy_type, r->seller_uscc[0] ? r->seller_uscc : NULL,
        r->seller_name, r->seller_region[0] ? r->seller_region : NULL,
        l->seller_place, l->seller_ent ? &l->seller_ent : NULL,
        r->buyer_uscc[0] ? r->buyer_uscc : NULL, r->buyer_name,
        r->buyer_region[0] ? r->buyer_region : NULL, l->buyer_place,
        l->buyer_ent ? &l->buyer_ent : NULL, r->amount, r->tech_amount,
        r->signed_on, r->registered_on, r->valid_from[0] ? r->valid_from : NULL,
        r->valid_to[0] ? r->valid_to : NULL, field ? &field : NULL, r->ip_kind,
        r->office, r->rejected ? "rejected" : "registered",
        (int64_t)(r->large ? 1 : 0), l->unit, src_ref ? "import" : "user",
        src_ref ? &src_ref : NULL, now);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *id = db_col_int64(st, 0);
        rc = 0;
    } else if (rc == ERR_CONFLICT) {
        rc =
            err_set(e, ERR_CONFLICT, "reg_no", "登记编号 %s 已存在", r->reg_no);
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_DB, NULL, "保存合同失败");
    }
out:
    cr_stmt_done(slot, st);
    return rc;
}

static int cr_update(Db *db, int64_t id, const ContractRec *r, const CrLinks *l,
                     Err *e)
{
    char now[CLOCK_ISO_LEN];
    int64_t field = r->field;

    clock_now_iso(now, 0);
    return db_exec_v(
        db, e,
        "UPDATE contracts SET title = $2, type = $3, subtype = $4, "
        "legacy_type = $5, seller_uscc = $6, seller_name = $7, "
        "seller_region = $8, seller_place = $9, seller_ent_id = $10, "
        "buyer_uscc = $11, buyer_name = $12, buyer_region = $13, "
        "buyer_place = $14, buyer_ent_id = $15, amount = $16, "
        "tech_amount = $17, signed_on = $18, registered_on = $19, "
        "valid_from = $20, valid_to = $21, field = $22, ip_kind = $23, "
        "office = $24, large_confirmed = $25, unit_id = $26, updated_at = $27 "
        "WHERE id = $1",
        "ittttttttpttttpiittttpttiit", id, r->title, r->type, r->subtype,
        r->legacy_type, r->seller_uscc[0] ? r->seller_uscc : NULL,
        r->seller_name, r->seller_region[0] ? r->seller_region : NULL,
        l->seller_place, l->seller_ent ? &l->seller_ent : NULL,
        r->buyer_uscc[0] ? r->buyer_uscc : NULL, r->buyer_name,
        r->buyer_region[0] ? r->buyer_region : NULL, l->buyer_place,
        l->buyer_ent ? &l->buyer_ent : NULL, r->amount, r->tech_amount,
        r->signed_on, r->registered_on, r->valid_from[0] ? r->valid_from : NULL,
        r->valid_to[0] ? r->valid_to : NULL, field ? &field : NULL, r->ip_kind,
        r->office, (int64_t)(r->large ? 1 : 0), l->unit, now);
}

/* Keep only the keys whose values differ: *before / *after become the
 * changed fields of old and new (new references); 0 when nothing changed. */
static int cr_diff(json_t *old, json_t *nw, json_t **before, json_t **after)
{
    const char *k;
    json_t *v;

    *before = json_object();
    *after = json_object();
    json_object_foreach(nw, k, v)
    {
        json_t *o = json_object_get(old, k);
        if (!json_equal(o ? o : json_null(), v)) {
            json_object_set(*before, k, o ? o : json_null());
            json_object_set(*after, k, v);
        }
    }
    return (int)json_object_size(*after);
}

/* A street user writes only contracts whose seller is in its unit. */
static int cr_scope(const Actor *a, const CrLinks *l, Err *e)
{
    if (!actor_sees_path(a, l->path)) {
        return err_set(e, ERR_FORBIDDEN, "seller_name",
                       "卖方不是本单位管辖的企业，无权登记或修改该合同");
    }
    return 0;
}

int contract_upsert_tx(Db *db, const Actor *a, const ContractRec *r,
                       int64_t src_ref, int *outcome, Err *e)
{
    return contract_upsert_memo(db, a, r, src_ref, NULL, outcome, e);
}

int contract_upsert_memo(Db *db, const Actor *a, const ContractRec *r,
                         int64_t src_ref, ContractMemo *m, int *outcome, Err *e)
{
    json_t *old = NULL, *nw = NULL, *before = NULL, *after = NULL;
    char status[16] = "";
    int64_t id = 0, unit = 0;
    CrLinks l;
    int rc;

    *outcome = 0;
    rc = cr_links_memo(db, m, r, &l, e);
    if (rc == 0) {
        rc = cr_scope(a, &l, e);
    }
    if (rc) {
        goto out;
    }
    {
        DbStmt *st = NULL;
        rc = cr_stmt(db, m ? &m->st_find : NULL, &st, e,
                     "SELECT id FROM contracts WHERE reg_no = $1", "t",
                     r->reg_no);
        if (rc == 0) {
            rc = db_step(st, e);
            if (rc == DB_ROW) {
                id = db_col_int64(st, 0);
                rc = 0;
            } else if (rc == DB_DONE) {
                rc = ERR_NOTFOUND;
            }
        }
        cr_stmt_done(m ? &m->st_find : NULL, st);
    }
    if (rc == ERR_NOTFOUND) {
        rc = cr_insert(db, r, &l, src_ref, m ? &m->st_insert : NULL, &id, e);
        if (rc == 0) {
            Buf aj;
            buf_init(&aj, 1 << 16);
            cr_rec_text(r, &l, &aj);
            rc = aj.err ? err_set(e, ERR_TOOBIG, NULL, "合同内容过长")
                        : cr_event_text(db, a, id,
                                        r->rejected ? "reject" : "register",
                                        r->registered_on, NULL, NULL, aj.data,
                                        src_ref, m ? &m->st_event : NULL, e);
            buf_release(&aj);
            *outcome = 1;
        }
        goto out;
    }
    if (rc) {
        goto out;
    }
    rc = cr_stored_json(db, id, &old, status, sizeof status, &unit, e);
    if (rc) {
        goto out;
    }
    nw = cr_rec_json(r, &l);
    if (cr_diff(old, nw, &before, &after) == 0) {
        goto out; /* the same content again: nothing changes */
    }
    if (strcmp(status, "registered") != 0) {
        rc = err_set(e, ERR_CONFLICT, "reg_no",
                     "登记编号 %s 的合同已%s，不能再变更", r->reg_no,
                     contract_status_name(status));
        goto out;
    }
    rc = cr_update(db, id, r, &l, e);
    if (rc == 0) {
        rc = cr_event(db, a, id, "amend", r->registered_on, "导入变更", before,
                      after, src_ref, e);
        *outcome = 2;
    }
out:
    json_decref(old);
    json_decref(nw);
    json_decref(before);
    json_decref(after);
    return rc;
}

int contract_create(Db *db, const Actor *a, const ContractInput *in,
                    int64_t *id_out, Err *e)
{
    json_t *after = NULL;
    ContractRec r;
    CrLinks l;
    int rc;

    *id_out = 0;
    rc = contract_check(in, &r, e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = cr_links(db, &r, &l, e);
    if (rc == 0) {
        rc = cr_scope(a, &l, e);
    }
    if (rc == 0) {
        rc = cr_insert(db, &r, &l, 0, NULL, id_out, e);
    }
    if (rc == 0) {
        after = cr_rec_json(&r, &l);
        rc = cr_event(db, a, *id_out, r.rejected ? "reject" : "register",
                      r.registered_on, NULL, NULL, after, 0, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a,
                          r.rejected ? "contract.reject" : "contract.create",
                          "contract", *id_out, l.path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        *id_out = 0;
    }
    json_decref(after);
    return rc;
}

int contract_amend(Db *db, const Actor *a, int64_t id, const ContractInput *in,
                   const char *reason, Err *e)
{
    json_t *old = NULL, *nw = NULL, *before = NULL, *after = NULL;
    char status[16] = "";
    char old_reg[CONTRACT_REGNO_MAX + 1];
    int64_t unit = 0;
    ContractRec r;
    CrLinks l;
    int rc;

    rc = contract_check(in, &r, e);
    if (rc == 0) {
        rc = cr_text(reason, 1, CONTRACT_REASON_MAX, "reason", "变更原因", e);
    }
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = cr_stored_json(db, id, &old, status, sizeof status, &unit, e);
    if (rc) {
        goto out;
    }
    snprintf(old_reg, sizeof old_reg, "%s",
             json_string_value(json_object_get(old, "reg_no")));
    if (strcmp(old_reg, r.reg_no) != 0) {
        rc = err_set(e, ERR_INVALID, "reg_no", "登记编号不能变更");
        goto out;
    }
    if (strcmp(status, "registered") != 0) {
        rc = err_set(e, ERR_CONFLICT, "status", "合同已%s，不能变更",
                     contract_status_name(status));
        goto out;
    }
    rc = cr_links(db, &r, &l, e);
    if (rc == 0) {
        rc = cr_scope(a, &l, e);
    }
    if (rc) {
        goto out;
    }
    nw = cr_rec_json(&r, &l);
    if (cr_diff(old, nw, &before, &after) == 0) {
        rc = err_set(e, ERR_INVALID, NULL, "没有需要变更的内容");
        goto out;
    }
    {
        char today[DATE_ISO_SIZE];
        date_format_iso(date_today(), today);
        rc = cr_update(db, id, &r, &l, e);
        if (rc == 0) {
            rc = cr_event(db, a, id, "amend", today, reason, before, after, 0,
                          e);
        }
    }
    if (rc == 0) {
        json_object_set_new(after, "reason", json_string(reason));
        rc = audit_record(db, a, "contract.amend", "contract", id, l.path,
                          before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(old);
    json_decref(nw);
    json_decref(before);
    json_decref(after);
    return rc;
}

int contract_cancel(Db *db, const Actor *a, int64_t id, const char *on_date,
                    const char *reason, Err *e)
{
    char status[16] = "";
    char day[11];
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    json_t *old = NULL, *after = NULL;
    int64_t unit = 0;
    int rc;

    rc = cr_text(reason, 1, CONTRACT_REASON_MAX, "reason", "注销原因", e);
    if (rc == 0 && on_date && *on_date) {
        rc = cr_date(on_date, 1, day, "on_date", "注销日期", e);
    } else if (rc == 0) {
        date_format_iso(date_today(), day);
    }
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = cr_stored_json(db, id, &old, status, sizeof status, &unit, e);
    if (rc == 0) {
        rc = cr_unit_path(db, unit, path, sizeof path, e);
    }
    if (rc) {
        goto out;
    }
    if (!actor_sees_path(a, path)) {
        rc = err_set(e, ERR_NOTFOUND, "id", "合同不存在");
        goto out;
    }
    if (strcmp(status, "registered") != 0) {
        rc = err_set(e, ERR_CONFLICT, "status", "合同已%s，不能注销",
                     contract_status_name(status));
        goto out;
    }
    if (strcmp(day, json_string_value(json_object_get(old, "registered_on"))) <
        0) {
        rc = err_set(e, ERR_INVALID, "on_date", "注销日期不能早于登记日期");
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_exec_v(db, e,
                   "UPDATE contracts SET status = 'cancelled', updated_at = $2 "
                   "WHERE id = $1",
                   "it", id, now);
    after = json_pack("{ssssss}", "status", "cancelled", "on_date", day,
                      "reason", reason);
    if (rc == 0) {
        json_t *before = json_pack("{ss}", "status", "registered");
        rc = cr_event(db, a, id, "cancel", day, reason, before, after, 0, e);
        if (rc == 0) {
            rc = audit_record(db, a, "contract.cancel", "contract", id, path,
                              before, after, e);
        }
        json_decref(before);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(old);
    json_decref(after);
    return rc;
}

int contract_relink(Db *db, const Actor *a, int64_t *n_linked, Err *e)
{
    char pat[ACTOR_PATH_MAX + 2];
    DbStmt *st = NULL;
    json_t *rows = json_array();
    json_t *after = NULL;
    int64_t changed = 0;
    size_t i;
    int rc;

    *n_linked = 0;
    snprintf(pat, sizeof pat, "%s%%", a->unit_path);
    rc = db_begin(db, e);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT c.id, c.seller_uscc, c.seller_name, "
                      "c.buyer_uscc, c.buyer_name, c.seller_ent_id, "
                      "c.buyer_ent_id, c.unit_id FROM contracts c JOIN "
                      "org_units o ON o.id = c.unit_id WHERE o.path LIKE $1",
                      "t", pat);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(
            rows,
            json_pack("[IsssssIII]", (json_int_t)db_col_int64(st, 0),
                      db_col_text(st, 1) ? db_col_text(st, 1) : "",
                      db_col_text(st, 2),
                      db_col_text(st, 3) ? db_col_text(st, 3) : "",
                      db_col_text(st, 4), "", (json_int_t)db_col_int64(st, 5),
                      (json_int_t)db_col_int64(st, 6),
                      (json_int_t)db_col_int64(st, 7)));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    for (i = 0; rc == 0 && i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        int64_t cid = json_integer_value(json_array_get(r, 0));
        int64_t ose = json_integer_value(json_array_get(r, 6));
        int64_t obe = json_integer_value(json_array_get(r, 7));
        int64_t ounit = json_integer_value(json_array_get(r, 8));
        int64_t se = 0, su = 0, be = 0, bu = 0;
        rc = cr_match(db, json_string_value(json_array_get(r, 1)),
                      json_string_value(json_array_get(r, 2)), &se, &su, e);
        if (rc == 0) {
            rc = cr_match(db, json_string_value(json_array_get(r, 3)),
                          json_string_value(json_array_get(r, 4)), &be, &bu, e);
        }
        if (rc) {
            break;
        }
        if (!se) {
            su = ounit; /* an unmatched seller keeps its unit */
        }
        if (se != ose || be != obe || su != ounit) {
            changed += (se != ose) + (be != obe);
            rc = db_exec_v(db, e,
                           "UPDATE contracts SET seller_ent_id = $2, "
                           "buyer_ent_id = $3, unit_id = $4 WHERE id = $1",
                           "ippi", cid, se ? &se : NULL, be ? &be : NULL, su);
        }
    }
    if (rc == 0) {
        after = json_pack("{sI}", "linked", (json_int_t)changed);
        rc = audit_record(db, a, "contract.relink", "contract", 0, NULL, NULL,
                          after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    } else {
        *n_linked = changed;
    }
    json_decref(after);
    json_decref(rows);
    return rc;
}

/* ---- reads ---- */

int contract_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    json_t *o = NULL, *events = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e, "SELECT " CR_COLS CR_FROM "WHERE c.id = $1",
                      "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW && actor_sees_path(a, db_col_text(st, 29))) {
        o = cr_row_json(st);
        rc = 0;
    } else if (rc == DB_ROW || rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "合同不存在");
    }
    db_finalize(st);
    st = NULL;
    if (rc) {
        goto out;
    }
    events = json_array();
    rc = db_prepare_v(db, &st, e,
                      "SELECT v.id, v.kind, v.on_date, v.reason, "
                      "v.before_json, v.after_json, v.at, u.display_name, "
                      "v.src_ref FROM contract_events v LEFT JOIN users u ON "
                      "u.id = v.user_id WHERE v.contract_id = $1 ORDER BY v.id",
                      "i", id);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *k = db_col_text(st, 1);
        const char *bj = db_col_text(st, 4), *aj = db_col_text(st, 5);
        size_t i;
        const char *kn = "";
        for (i = 0; i < N_OF(contract_event_kinds); i++) {
            if (strcmp(k, contract_event_kinds[i].code) == 0) {
                kn = contract_event_kinds[i].name;
            }
        }
        json_array_append_new(
            events,
            json_pack("{sIsssssososososososo}", "id",
                      (json_int_t)db_col_int64(st, 0), "kind", k, "kind_name",
                      kn, "on_date", cr_text_json(st, 2), "reason",
                      cr_text_json(st, 3), "before",
                      bj ? json_loads(bj, 0, NULL) : json_null(), "after",
                      aj ? json_loads(aj, 0, NULL) : json_null(), "at",
                      cr_text_json(st, 6), "by", cr_text_json(st, 7),
                      "import_id", cr_int_json(st, 8)));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    if (rc == 0) {
        json_object_set_new(o, "events", events);
        events = NULL;
        *out = o;
        o = NULL;
    }
out:
    db_finalize(st);
    json_decref(o);
    json_decref(events);
    return rc;
}

static const SqlqSort contract_sorts[] = {
    {"reg_no", "c.reg_no", 0},
    {"registered_on", "c.registered_on", 0},
    {"signed_on", "c.signed_on", 0},
    {"amount", "c.amount", 0},
    {"tech_amount", "c.tech_amount", 0},
    {"seller_name", "c.seller_name", 0},
    {"buyer_name", "c.buyer_name", 0},
    {"type", "c.type", 0},
};

int contract_filter_check(const ContractFilter *f, Err *e)
{
    const SqlqSort *col;
    int desc;

    if (f->type && *f->type && !contract_type_find(f->type)) {
        return err_set(e, ERR_INVALID, "type", "未知的合同类别");
    }
    if (f->status && *f->status && strcmp(f->status, "all") != 0 &&
        !contract_status_name(f->status)) {
        return err_set(e, ERR_INVALID, "status", "未知的合同状态");
    }
    if (f->buyer_place && *f->buyer_place &&
        !contract_place_name(f->buyer_place)) {
        return err_set(e, ERR_INVALID, "buyer_place", "未知的买方所在地");
    }
    if (f->seller_place && *f->seller_place &&
        !contract_place_name(f->seller_place)) {
        return err_set(e, ERR_INVALID, "seller_place", "未知的卖方所在地");
    }
    if (f->q && utf8_count_chars(f->q, strlen(f->q)) > CONTRACT_Q_MAX) {
        return err_set(e, ERR_INVALID, "q", "搜索词不能超过 %d 个字",
                       CONTRACT_Q_MAX);
    }
    if (f->month && *f->month &&
        (strlen(f->month) != 7 || f->month[4] != '-')) {
        return err_set(e, ERR_INVALID, "month", "月份应为 YYYY-MM");
    }
    if (f->from && *f->from && strlen(f->from) != 10) {
        return err_set(e, ERR_INVALID, "from", "日期应为 YYYY-MM-DD");
    }
    if (f->to && *f->to && strlen(f->to) != 10) {
        return err_set(e, ERR_INVALID, "to", "日期应为 YYYY-MM-DD");
    }
    return sqlq_sort_parse(contract_sorts, N_OF(contract_sorts), f->sort,
                           "-registered_on", &col, &desc, e);
}

/* Parameter text of a WHERE clause: q borrows it until prepared. */
typedef struct CrWhere {
    char path[ACTOR_PATH_MAX + 2];
    char like[4 * CONTRACT_Q_MAX + 8];
} CrWhere;

/* WHERE clause of f for a (appended to q). */
static void cr_where(Sqlq *q, const Actor *a, const ContractFilter *f,
                     CrWhere *w)
{
    snprintf(w->path, sizeof w->path, "%s%%", a->unit_path);
    sqlq_addf(q, " WHERE o.path LIKE $%d", sqlq_text(q, w->path));
    if (f->status && *f->status && strcmp(f->status, "all") != 0) {
        sqlq_addf(q, " AND c.status = $%d", sqlq_text(q, f->status));
    }
    if (f->type && *f->type) {
        sqlq_addf(q, " AND c.type = $%d",
                  sqlq_text(q, contract_type_find(f->type)->code));
    }
    if (f->field == -1) {
        sqlq_addf(q, " AND c.field IS NULL");
    } else if (f->field) {
        sqlq_addf(q, " AND c.field = $%d", sqlq_int(q, f->field));
    }
    if (f->unit_id) {
        sqlq_addf(q,
                  " AND o.path LIKE (SELECT path FROM org_units WHERE id = "
                  "$%d) || '%%'",
                  sqlq_int(q, f->unit_id));
    }
    if (f->from && *f->from) {
        sqlq_addf(q, " AND c.registered_on >= $%d", sqlq_text(q, f->from));
    }
    if (f->to && *f->to) {
        sqlq_addf(q, " AND c.registered_on <= $%d", sqlq_text(q, f->to));
    }
    if (f->month && *f->month) {
        sqlq_addf(q, " AND SUBSTR(c.registered_on, 1, 7) = $%d",
                  sqlq_text(q, f->month));
    }
    if (f->buyer_place && *f->buyer_place) {
        sqlq_addf(q, " AND c.buyer_place = $%d", sqlq_text(q, f->buyer_place));
    }
    if (f->seller_place && *f->seller_place) {
        sqlq_addf(q, " AND c.seller_place = $%d",
                  sqlq_text(q, f->seller_place));
    }
    if (f->ent_id) {
        int n = sqlq_int(q, f->ent_id);
        sqlq_addf(q, " AND (c.seller_ent_id = $%d OR c.buyer_ent_id = $%d)", n,
                  n);
    }
    if (f->unmatched == 1) {
        sqlq_addf(q, " AND c.seller_ent_id IS NULL");
    } else if (f->unmatched == 2) {
        sqlq_addf(q, " AND c.buyer_ent_id IS NULL");
    } else if (f->unmatched == 3) {
        sqlq_addf(q,
                  " AND (c.seller_ent_id IS NULL OR c.buyer_ent_id IS NULL)");
    }
    if (f->q && *f->q) {
        size_t i, j = 0;
        int n;
        w->like[j++] = '%';
        for (i = 0; f->q[i] && j + 3 < sizeof w->like; i++) {
            if (f->q[i] == '%' || f->q[i] == '_' || f->q[i] == '\\') {
                w->like[j++] = '\\';
            }
            w->like[j++] = f->q[i];
        }
        w->like[j++] = '%';
        w->like[j] = '\0';
        n = sqlq_text(q, w->like);
        sqlq_addf(q,
                  " AND (c.reg_no LIKE $%d ESCAPE '\\' OR c.title LIKE $%d "
                  "ESCAPE '\\' OR c.seller_name LIKE $%d ESCAPE '\\' OR "
                  "c.buyer_name LIKE $%d ESCAPE '\\')",
                  n, n, n, n);
    }
}

int contract_list(Db *db, const Actor *a, const ContractFilter *f,
                  int64_t offset, int64_t limit, json_t **items, int64_t *total,
                  Err *e)
{
    const SqlqSort *col;
    DbStmt *st = NULL;
    CrWhere w = {{0}, {0}};
    Sqlq q;
    int desc;
    int rc;

    *items = NULL;
    *total = 0;
    rc = sqlq_sort_parse(contract_sorts, N_OF(contract_sorts), f->sort,
                         "-registered_on", &col, &desc, e);
    if (rc) {
        return rc;
    }
    sqlq_init(&q, "SELECT COUNT(*)" CR_FROM);
    cr_where(&q, a, f, &w);
    rc = sqlq_prepare(&q, db, &st, e);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *total = db_col_int64(st, 0);
            rc = 0;
        }
    }
    db_finalize(st);
    st = NULL;
    sqlq_release(&q);
    if (rc) {
        return rc;
    }
    sqlq_init(&q, "SELECT " CR_COLS CR_FROM);
    cr_where(&q, a, f, &w);
    sqlq_add_order(&q, col, desc, "c.id");
    sqlq_addf(&q, " LIMIT $%d OFFSET $%d", sqlq_int(&q, limit),
              sqlq_int(&q, offset));
    rc = sqlq_prepare(&q, db, &st, e);
    *items = json_array();
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, cr_row_json(st));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    sqlq_release(&q);
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}

const char *const contract_export_titles[CONTRACT_EXPORT_COLS] = {
    CRN_REG_NO,
    CRN_TITLE,
    CRN_TYPE,
    CRN_SUBTYPE,
    CRN_LEGACY,
    CRN_SELLER_USCC,
    CRN_SELLER_NAME,
    CRN_SELLER_REGION,
    CRN_SELLER_PLACE,
    CRN_BUYER_USCC,
    CRN_BUYER_NAME,
    CRN_BUYER_REGION,
    CRN_BUYER_PLACE,
    (CRN_AMOUNT "（万元）"),
    (CRN_TECH_AMOUNT "（万元）"),
    CRN_SIGNED_ON,
    CRN_REGISTERED_ON,
    CRN_VALID_FROM,
    CRN_VALID_TO,
    CRN_FIELD,
    CRN_IP_KIND,
    CRN_OFFICE,
    CRN_STATUS,
    "所属单位",
};
const unsigned char contract_export_kinds[CONTRACT_EXPORT_COLS] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 0,
};

int contract_export(Db *db, const Actor *a, const ContractFilter *f,
                    ContractRowFn fn, void *ud, Err *e)
{
    json_t *items = NULL;
    int64_t total = 0;
    size_t i;
    int rc;

    rc = contract_list(db, a, f, 0, 1, &items, &total, e);
    json_decref(items);
    items = NULL;
    if (rc) {
        return rc;
    }
    if (total > CONTRACT_EXPORT_MAX) {
        return err_set(e, ERR_TOOBIG, NULL,
                       "符合条件的合同超过 %d 条，请缩小范围后再导出",
                       CONTRACT_EXPORT_MAX);
    }
    rc = contract_list(db, a, f, 0, total > 0 ? total : 1, &items, &total, e);
    for (i = 0; rc == 0 && i < json_array_size(items); i++) {
        json_t *o = json_array_get(items, i);
        const char *cells[CONTRACT_EXPORT_COLS];
        json_t *fj = json_object_get(o, "field");
#define S(k) json_string_value(json_object_get(o, k))
        cells[0] = S("reg_no");
        cells[1] = S("title");
        cells[2] = S("type_name");
        cells[3] = S("subtype_name");
        cells[4] = S("legacy_type");
        cells[5] = S("seller_uscc");
        cells[6] = S("seller_name");
        cells[7] = S("seller_region");
        cells[8] = S("seller_place_name");
        cells[9] = S("buyer_uscc");
        cells[10] = S("buyer_name");
        cells[11] = S("buyer_region");
        cells[12] = S("buyer_place_name");
        cells[13] = S("amount_wan");
        cells[14] = S("tech_amount_wan");
        cells[15] = S("signed_on");
        cells[16] = S("registered_on");
        cells[17] = S("valid_from");
        cells[18] = S("valid_to");
        cells[19] = json_is_integer(fj)
                        ? contract_field_name(json_integer_value(fj))
                        : NULL;
        cells[20] = S("ip_kind_name");
        cells[21] = S("office");
        cells[22] = S("status_name");
        cells[23] = S("unit_name");
#undef S
        rc = fn(ud, cells, e);
    }
    json_decref(items);
    return rc;
}

int contract_unmatched(Db *db, const Actor *a, int64_t offset, int64_t limit,
                       json_t **items, int64_t *total, Err *e)
{
    static const char base[] =
        " FROM (SELECT 'seller' AS side, c.seller_uscc AS uscc, "
        "c.seller_name AS name, c.amount AS amount FROM contracts c JOIN "
        "org_units o ON o.id = c.unit_id WHERE c.seller_ent_id IS NULL AND "
        "c.status = 'registered' AND o.path LIKE $1 UNION ALL SELECT "
        "'buyer', c.buyer_uscc, c.buyer_name, c.amount FROM contracts c JOIN "
        "org_units o ON o.id = c.unit_id WHERE c.buyer_ent_id IS NULL AND "
        "c.status = 'registered' AND o.path LIKE $1) p";
    char pat[ACTOR_PATH_MAX + 2];
    DbStmt *st = NULL;
    Buf sql;
    int rc;

    *items = NULL;
    snprintf(pat, sizeof pat, "%s%%", a->unit_path);
    buf_init(&sql, 4096);
    buf_appendf(&sql,
                "SELECT COUNT(*) FROM (SELECT p.side, p.uscc, p.name %s GROUP "
                "BY p.side, p.uscc, p.name) g",
                base);
    rc = db_query_int64(db, total, e, sql.data, "t", pat);
    if (rc) {
        goto out;
    }
    buf_reset(&sql);
    buf_appendf(&sql,
                "SELECT p.side, p.uscc, p.name, COUNT(*), SUM(p.amount) %s "
                "GROUP BY p.side, p.uscc, p.name ORDER BY SUM(p.amount) DESC, "
                "p.name LIMIT $2 OFFSET $3",
                base);
    rc = db_prepare_v(db, &st, e, sql.data, "tii", pat, limit, offset);
    *items = json_array();
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(
            *items,
            json_pack("{sosososIsIso}", "side", cr_text_json(st, 0), "uscc",
                      cr_text_json(st, 1), "name", cr_text_json(st, 2),
                      "contracts", (json_int_t)db_col_int64(st, 3), "amount",
                      (json_int_t)db_col_int64(st, 4), "amount_wan",
                      cr_wan_json(db_col_int64(st, 4))));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
out:
    db_finalize(st);
    buf_release(&sql);
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}
