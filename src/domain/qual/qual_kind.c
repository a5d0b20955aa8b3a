/* qual_kind.c - the one table of qualification kinds (see qual.h) and
 * the reference JSON the UI reads (it keeps no copy of its own).
 *
 * Sources are criteria.md sections; "unverified" marks a validity or a
 * format not seen in an official text (criteria.md §11). */
#include "domain/qual/qual.h"

#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const QualKind qual_kind_table[] = {
    {"sme", "国家科技型中小企业", "科小", "tech", "national", "national",
     QUAL_VALID_CALENDAR, 0, "入库登记编号",
     "年份4位+行政区划代码6位+1位字母或数字+序号7位（格式未核实，仅提示）", 0,
     NULL,
     "国科发政〔2017〕115号；国科火字〔2019〕87号“登记编号当年有效” "
     "（criteria.md §1.6、§1.7）",
     "confirmed"},
    {"hnte", "高新技术企业", "高企", "tech", "national", "national",
     QUAL_VALID_YEARS, 3, "证书编号",
     "GR + 发证年份4位 + 省份代码2位 + 序号6位", 1, "hnte_cert",
     "国科发火〔2016〕32号 第九条（有效期三年）；证书编号格式见 criteria.md "
     "§2.8",
     "confirmed"},
    {"tj_hnte", "天津市高新技术企业", "市高企", "tech", "municipal",
     "municipal", QUAL_VALID_NONE, 0, "证书编号", NULL, 0, "tj_hnte_cert",
     "津科规〔2021〕3号 第（四）4项引用；认定办法原文未见（criteria.md §2.9）",
     "unverified"},
    {"hnte_pool", "高新技术企业培育库（后备库）", "高企培育库", "library",
     "district,municipal", "district", QUAL_VALID_NONE, 0, "入库编号", NULL, 0,
     NULL, "宝坻 四.2、河东 11 等区级计划（plans.md §2.1）", "confirmed"},
    {"chuying", "天津市雏鹰企业", "雏鹰", "tj", "municipal", "municipal",
     QUAL_VALID_NONE, 0, "入库编号", NULL, 0, NULL,
     "津科规〔2021〕3号（有效期条款原文未见，criteria.md §3）", "unverified"},
    {"dengling", "天津市瞪羚企业", "瞪羚", "tj", "municipal", "municipal",
     QUAL_VALID_NONE, 0, "入库编号", NULL, 0, NULL,
     "津科规〔2021〕3号（每年复评，criteria.md §3.4）", "unverified"},
    {"lingjun_peiyu", "天津市科技领军培育企业", "领军培育", "tj", "municipal",
     "municipal", QUAL_VALID_NONE, 0, "入库编号", NULL, 0, NULL,
     "津科规〔2021〕3号（每年复评，criteria.md §3.4）", "unverified"},
    {"lingjun", "天津市科技领军企业", "领军", "tj", "municipal", "municipal",
     QUAL_VALID_NONE, 0, "入库编号", NULL, 0, NULL,
     "津科规〔2021〕3号（每年复评，criteria.md §3.4）", "unverified"},
    {"liebao", "天津市猎豹企业", "猎豹", "tj", "municipal", "municipal",
     QUAL_VALID_NONE, 0, "入库登记编号", NULL, 0, NULL,
     "市科技局猎豹企业评价通知（每年9月30日前信息更新，rules/liebao-tj-2025）",
     "unverified"},
    {"unicorn", "独角兽企业", "独角兽", "tj", "national,municipal", "national",
     QUAL_VALID_NONE, 0, "编号", NULL, 0, NULL,
     "科技部火炬中心 2017 年榜单口径（criteria.md §4.6）", "unverified"},
    {"innovative_sme", "创新型中小企业", "创新型", "miit", "municipal",
     "municipal", QUAL_VALID_YEARS, 3, "编号", NULL, 0, NULL,
     "工信部企业〔2022〕63号 附件1（有效期三年未核实，criteria.md §4.1）",
     "unverified"},
    {"zjtx", "专精特新中小企业", "专精特新", "miit", "municipal", "municipal",
     QUAL_VALID_YEARS, 3, "编号", NULL, 0, NULL,
     "工信部企业〔2022〕63号 附件2（有效期三年未核实，criteria.md §4.1）",
     "unverified"},
    {"xiaojuren", "专精特新“小巨人”企业", "小巨人", "miit", "national",
     "national", QUAL_VALID_YEARS, 3, "编号", NULL, 0, NULL,
     "工信部企业〔2022〕63号 附件3（有效期三年，criteria.md §4.1）",
     "confirmed"},
    {"tasc", "技术先进型服务企业", "技术先进型", "library", "municipal",
     "municipal", QUAL_VALID_NONE, 0, "证书编号", NULL, 0, NULL,
     "认定文件原文未见；有效期按证书填写", "unverified"},
    {"lead_tech", "技术领先型企业库", "技术领先型", "library", "district",
     "district", QUAL_VALID_NONE, 0, "入库编号", NULL, 0, NULL,
     "宝坻区攻坚行动实施方案 四.5（plans.md §2.1）", "confirmed"},
};

typedef struct QualName {
    const char *code;
    const char *name;
} QualName;

static const QualName qual_levels[] = {
    {"national", "国家级"}, {"municipal", "市级"}, {"district", "区级"}};
static const QualName qual_bases[] = {
    {"first", "首次认定"}, {"recert", "再认定"}, {"move_in", "整体迁入"}};
static const QualName qual_statuses[] = {{"valid", "有效"},
                                         {"revoked", "撤销"},
                                         {"cancelled", "取消"},
                                         {"moved_out", "迁出"},
                                         {"deregistered", "注销"}};

const QualKind *qual_kinds(int *n)
{
    *n = (int)N_OF(qual_kind_table);
    return qual_kind_table;
}

const QualKind *qual_kind_find(const char *code)
{
    for (size_t i = 0; code && i < N_OF(qual_kind_table); i++) {
        if (strcmp(qual_kind_table[i].code, code) == 0) {
            return &qual_kind_table[i];
        }
    }
    return NULL;
}

static const char *qual_name_find(const QualName *t, size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++) {
        if (strcmp(t[i].code, code) == 0) {
            return t[i].name;
        }
    }
    return NULL;
}

const char *qual_level_name(const char *code)
{
    return qual_name_find(qual_levels, N_OF(qual_levels), code);
}

const char *qual_basis_name(const char *code)
{
    return qual_name_find(qual_bases, N_OF(qual_bases), code);
}

const char *qual_status_name(const char *code)
{
    return qual_name_find(qual_statuses, N_OF(qual_statuses), code);
}

/* GR + 4-digit year (20xx) + 2-digit province + 6-digit serial. */
static int qual_hnte_number_ok(const char *s)
{
    if (strlen(s) != 14 || s[0] != 'G' || s[1] != 'R' || s[2] != '2' ||
        s[3] != '0') {
        return 0;
    }
    for (int i = 2; i < 14; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return 1;
}

/* 4-digit year + 6-digit division + letter or digit + 7 digits. */
static int qual_sme_number_ok(const char *s)
{
    if (strlen(s) != 18) {
        return 0;
    }
    for (int i = 0; i < 18; i++) {
        int digit = s[i] >= '0' && s[i] <= '9';
        int upper = s[i] >= 'A' && s[i] <= 'Z';
        if (i == 10 ? !(digit || upper) : !digit) {
            return 0;
        }
    }
    return 1;
}

int qual_number_ok(const QualKind *k, const char *number)
{
    if (!k || !number || !*number) {
        return 1;
    }
    if (strcmp(k->code, "hnte") == 0) {
        return qual_hnte_number_ok(number);
    }
    if (strcmp(k->code, "sme") == 0) {
        return qual_sme_number_ok(number);
    }
    return 1;
}

static json_t *qual_names_json(const QualName *t, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++) {
        json_array_append_new(
            a, json_pack("{ssss}", "code", t[i].code, "name", t[i].name));
    }
    return a;
}

json_t *qual_reference_json(void)
{
    json_t *kinds = json_array();

    for (size_t i = 0; i < N_OF(qual_kind_table); i++) {
        const QualKind *k = &qual_kind_table[i];
        static const char *const validity[] = {"none", "years", "calendar"};

        json_array_append_new(
            kinds,
            json_pack("{sssssssssssssssisssosbsossss}", "code", k->code, "name",
                      k->name, "short_name", k->short_name, "ladder", k->ladder,
                      "levels", k->levels, "default_level", k->default_level,
                      "validity", validity[k->validity], "valid_years",
                      k->valid_years, "number_label", k->number_label,
                      "number_pattern",
                      k->number_pattern ? json_string(k->number_pattern)
                                        : json_null(),
                      "number_strict", k->number_strict, "rule_field",
                      k->rule_field ? json_string(k->rule_field) : json_null(),
                      "source", k->source, "status", k->status));
    }
    return json_pack("{sosososo}", "kinds", kinds, "levels",
                     qual_names_json(qual_levels, N_OF(qual_levels)), "bases",
                     qual_names_json(qual_bases, N_OF(qual_bases)), "statuses",
                     qual_names_json(qual_statuses, N_OF(qual_statuses)));
}
