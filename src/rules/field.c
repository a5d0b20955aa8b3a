/* field.c - the input field catalogue (see field.h). */
#include "rules/field.h"

#include <string.h>

#include "rules/ast.h"

static const RuleField fields[] = {
    /* yearly: one value per accounting year */
    {"employees", "职工总数", RF_YEARLY, UN_PERSON, 0},
    {"tech_staff", "科技人员数", RF_YEARLY, UN_PERSON, 0},
    {"rd_staff", "研发人员数", RF_YEARLY, UN_PERSON, 0},
    {"sales_revenue", "销售收入", RF_YEARLY, UN_YUAN, 0},
    {"total_revenue", "总收入", RF_YEARLY, UN_YUAN, 0},
    {"main_revenue", "主营业务收入", RF_YEARLY, UN_YUAN, 0},
    {"hitech_income", "高新技术产品（服务）收入", RF_YEARLY, UN_YUAN, 0},
    {"rd_expense", "研发费用", RF_YEARLY, UN_YUAN, 0},
    {"rd_domestic", "境内研发费用", RF_YEARLY, UN_YUAN, 0},
    {"total_cost", "成本费用总额", RF_YEARLY, UN_YUAN, 0},
    {"total_assets", "资产总额", RF_YEARLY, UN_YUAN, 0},
    {"total_liabilities", "负债总额", RF_YEARLY, UN_YUAN, 0},
    {"net_profit", "净利润", RF_YEARLY, UN_YUAN, 0},
    {"equity_financing", "新增股权融资（合格机构实缴）", RF_YEARLY, UN_YUAN, 0},
    {"tax_paid", "纳税总额", RF_YEARLY, UN_YUAN, 0},
    {"conversions", "科技成果转化项数", RF_YEARLY, UN_ITEM, 0},
    /* scalars: one value per enterprise at the as-of date */
    {"established", "成立日期", RF_SCALAR, UN_DATE, 0},
    {"resident", "境内注册的居民企业", RF_SCALAR, UN_BOOL, 0},
    {"tianjin", "在天津市注册、具有独立法人资格", RF_SCALAR, UN_BOOL, 0},
    {"prohibited_industry", "产品或服务属于禁止、限制和淘汰类", RF_SCALAR,
     UN_BOOL, 0},
    {"negative_list_industry", "所在行业属于负面清单行业", RF_SCALAR, UN_BOOL,
     0},
    {"accounting_sound", "会计核算健全、能准确归集研发费用", RF_SCALAR, UN_BOOL,
     0},
    {"audit_collection", "实行查账征收", RF_SCALAR, UN_BOOL, 0},
    {"incident", "发生重大安全、重大质量事故或严重环境违法", RF_SCALAR, UN_BOOL,
     0},
    {"dishonest", "上一年及当年发生科研严重失信行为", RF_SCALAR, UN_BOOL, 0},
    {"fraud", "有严重弄虚作假行为", RF_SCALAR, UN_BOOL, 0},
    {"abnormal_list", "列入经营异常名录", RF_SCALAR, UN_BOOL, 0},
    {"serious_illegal", "列入严重违法失信企业名单", RF_SCALAR, UN_BOOL, 0},
    {"hnte_cert", "有效期内的高新技术企业证书", RF_SCALAR, UN_BOOL, 0},
    {"tj_hnte_cert", "有效期内的天津市高新技术企业证书", RF_SCALAR, UN_BOOL, 0},
    {"award_national_top3_5y", "近五年国家级科技奖励（获奖单位前三）",
     RF_SCALAR, UN_BOOL, 0},
    {"award_national_top3_3y", "近三年国家级科技奖励（获奖单位前三）",
     RF_SCALAR, UN_BOOL, 0},
    {"award_national_top5_3y", "近三年国家级科技奖励（获奖单位前五）",
     RF_SCALAR, UN_BOOL, 0},
    {"award_provincial_top3_3y", "近三年省级科技奖励（获奖单位前三）",
     RF_SCALAR, UN_BOOL, 0},
    {"award_3y", "近三年获得国家级或省级科技奖励", RF_SCALAR, UN_BOOL, 0},
    {"award_ever", "获得过国家级或省部级科技奖励", RF_SCALAR, UN_BOOL, 0},
    {"rd_institution", "经认定的省部级以上研发机构", RF_SCALAR, UN_BOOL, 0},
    {"rd_institution_any", "自建或联合建立研发机构", RF_SCALAR, UN_BOOL, 0},
    {"led_standard_5y", "近五年主导制定国际、国家或行业标准", RF_SCALAR,
     UN_BOOL, 0},
    {"joined_standard", "参加制定过各级标准", RF_SCALAR, UN_BOOL, 0},
    {"software_cert", "有效期内的软件企业证书", RF_SCALAR, UN_BOOL, 0},
    {"software_product_cert", "有效期内的软件产品证书", RF_SCALAR, UN_BOOL, 0},
    {"competition_award", "创新创业大赛获奖（国家级优秀奖或省级三等奖以上）",
     RF_SCALAR, UN_BOOL, 0},
    {"vc_single_max", "单笔单家创业投资最高额", RF_SCALAR, UN_YUAN, 0},
    {"sci_project", "国家级或省部级科技计划项目立项", RF_SCALAR, UN_BOOL, 0},
    {"innovation_honor", "高企、技术创新示范企业、知识产权示范/优势企业等荣誉",
     RF_SCALAR, UN_BOOL, 0},
    {"ip1", "Ⅰ类知识产权", RF_SCALAR, UN_ITEM, 1},
    {"ip2", "Ⅱ类知识产权", RF_SCALAR, UN_ITEM, 1},
    {"ip2_unused", "未在以往高企申请中使用的Ⅱ类知识产权", RF_SCALAR, UN_ITEM,
     1},
    {"ip1_self", "自主研发的Ⅰ类知识产权", RF_SCALAR, UN_ITEM, 1},
    {"ip1_high", "高价值Ⅰ类知识产权", RF_SCALAR, UN_ITEM, 1},
    {"ip1_applied", "已实际应用并产生效益的Ⅰ类知识产权", RF_SCALAR, UN_ITEM, 1},
    {"tech_domain", "核心技术所属国家重点支持的高新技术领域（1-8，0为不属于）",
     RF_SCALAR, UN_NONE, 0},
    {"emerging_industry", "主导产品属于战略性新兴产业", RF_SCALAR, UN_BOOL, 0},
    {"niche_years", "从事特定细分市场年限", RF_SCALAR, UN_YEARS, 0},
    {"maker_top500_3y", "近三年进入“创客中国”全国500强", RF_SCALAR, UN_BOOL, 0},
    {"maker_top50_3y", "近三年进入“创客中国”全国50强", RF_SCALAR, UN_BOOL, 0},
    {"listed", "已上市", RF_SCALAR, UN_BOOL, 0},
    {"private_equity", "获得过私募投资", RF_SCALAR, UN_BOOL, 0},
    {"valuation_usd", "企业估值（美元）", RF_SCALAR, UN_USD, 0},
    /* appended: ids of the fields above stay as they were */
    {"incident_1y",
     "申请前一年内（12个月）发生重大安全、重大质量事故或严重环境违法",
     RF_SCALAR, UN_BOOL, 0},
    {"abnormal_list_py", "上一年及当年内曾列入经营异常名录", RF_SCALAR, UN_BOOL,
     0},
    {"serious_illegal_py", "上一年及当年内曾列入严重违法失信企业名单",
     RF_SCALAR, UN_BOOL, 0},
    {"ip1_all", "有效期内的Ⅰ类知识产权（不论是否用于主要产品）", RF_SCALAR,
     UN_ITEM, 1},
    {"ip2_all", "有效期内的Ⅱ类知识产权（不论是否用于主要产品）", RF_SCALAR,
     UN_ITEM, 1},
    {"ip_self", "自主研发的Ⅰ类及未用于以往高企申请的Ⅱ类知识产权", RF_SCALAR,
     UN_ITEM, 1},
};

int rule_field_count(void)
{
    return (int)(sizeof fields / sizeof fields[0]);
}

const RuleField *rule_field_get(int id)
{
    if (id < 0 || id >= rule_field_count()) {
        return NULL;
    }
    return &fields[id];
}

int rule_field_find(const char *name)
{
    for (int i = 0; i < rule_field_count(); i++) {
        if (strcmp(fields[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

/* Fields with no table in the library, or whose library derivation is
 * uncertain (resident, tianjin from the USCC; IP value flags). */
const char *const rule_decl_names[] = {"resident",
                                       "tianjin",
                                       "prohibited_industry",
                                       "negative_list_industry",
                                       "accounting_sound",
                                       "audit_collection",
                                       "fraud",
                                       "hnte_cert",
                                       "tj_hnte_cert",
                                       "innovation_honor",
                                       "emerging_industry",
                                       "niche_years",
                                       "maker_top500_3y",
                                       "maker_top50_3y",
                                       "valuation_usd",
                                       "conversions",
                                       "ip1_high",
                                       "ip1_applied",
                                       NULL};

const char *const *rule_decl_fields(void)
{
    return rule_decl_names;
}

int rule_decl_field_ok(const char *name)
{
    for (int i = 0; name && rule_decl_names[i]; i++) {
        if (strcmp(rule_decl_names[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}
