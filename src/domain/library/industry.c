/* industry.c - GB/T 4754-2017 门类/大类 and the 高新技术领域.
 *
 * Source: GB/T 4754-2017《国民经济行业分类》(国家统计局, 2017-06-30
 * issued, effective 2017-10-01): 20 门类 (A-T) and 97 大类 (01-97). The
 * names below were written from the standard and cross-checked against an
 * independent machine-readable copy of the 2017 table. The 高新技术领域
 * list is 《国家重点支持的高新技术领域》 (国科发火〔2016〕32号 附件). */
#include "domain/library/industry.h"

#include <string.h>

static const struct {
    char letter;
    const char *name;
} industry_sections[] = {
    {'A', "农、林、牧、渔业"},
    {'B', "采矿业"},
    {'C', "制造业"},
    {'D', "电力、热力、燃气及水生产和供应业"},
    {'E', "建筑业"},
    {'F', "批发和零售业"},
    {'G', "交通运输、仓储和邮政业"},
    {'H', "住宿和餐饮业"},
    {'I', "信息传输、软件和信息技术服务业"},
    {'J', "金融业"},
    {'K', "房地产业"},
    {'L', "租赁和商务服务业"},
    {'M', "科学研究和技术服务业"},
    {'N', "水利、环境和公共设施管理业"},
    {'O', "居民服务、修理和其他服务业"},
    {'P', "教育"},
    {'Q', "卫生和社会工作"},
    {'R', "文化、体育和娱乐业"},
    {'S', "公共管理、社会保障和社会组织"},
    {'T', "国际组织"},
};

static const struct {
    const char *code;
    char section;
    const char *name;
} industry_divisions[] = {
    {"01", 'A', "农业"},
    {"02", 'A', "林业"},
    {"03", 'A', "畜牧业"},
    {"04", 'A', "渔业"},
    {"05", 'A', "农、林、牧、渔专业及辅助性活动"},
    {"06", 'B', "煤炭开采和洗选业"},
    {"07", 'B', "石油和天然气开采业"},
    {"08", 'B', "黑色金属矿采选业"},
    {"09", 'B', "有色金属矿采选业"},
    {"10", 'B', "非金属矿采选业"},
    {"11", 'B', "开采专业及辅助性活动"},
    {"12", 'B', "其他采矿业"},
    {"13", 'C', "农副食品加工业"},
    {"14", 'C', "食品制造业"},
    {"15", 'C', "酒、饮料和精制茶制造业"},
    {"16", 'C', "烟草制品业"},
    {"17", 'C', "纺织业"},
    {"18", 'C', "纺织服装、服饰业"},
    {"19", 'C', "皮革、毛皮、羽毛及其制品和制鞋业"},
    {"20", 'C', "木材加工和木、竹、藤、棕、草制品业"},
    {"21", 'C', "家具制造业"},
    {"22", 'C', "造纸和纸制品业"},
    {"23", 'C', "印刷和记录媒介复制业"},
    {"24", 'C', "文教、工美、体育和娱乐用品制造业"},
    {"25", 'C', "石油、煤炭及其他燃料加工业"},
    {"26", 'C', "化学原料和化学制品制造业"},
    {"27", 'C', "医药制造业"},
    {"28", 'C', "化学纤维制造业"},
    {"29", 'C', "橡胶和塑料制品业"},
    {"30", 'C', "非金属矿物制品业"},
    {"31", 'C', "黑色金属冶炼和压延加工业"},
    {"32", 'C', "有色金属冶炼和压延加工业"},
    {"33", 'C', "金属制品业"},
    {"34", 'C', "通用设备制造业"},
    {"35", 'C', "专用设备制造业"},
    {"36", 'C', "汽车制造业"},
    {"37", 'C', "铁路、船舶、航空航天和其他运输设备制造业"},
    {"38", 'C', "电气机械和器材制造业"},
    {"39", 'C', "计算机、通信和其他电子设备制造业"},
    {"40", 'C', "仪器仪表制造业"},
    {"41", 'C', "其他制造业"},
    {"42", 'C', "废弃资源综合利用业"},
    {"43", 'C', "金属制品、机械和设备修理业"},
    {"44", 'D', "电力、热力生产和供应业"},
    {"45", 'D', "燃气生产和供应业"},
    {"46", 'D', "水的生产和供应业"},
    {"47", 'E', "房屋建筑业"},
    {"48", 'E', "土木工程建筑业"},
    {"49", 'E', "建筑安装业"},
    {"50", 'E', "建筑装饰、装修和其他建筑业"},
    {"51", 'F', "批发业"},
    {"52", 'F', "零售业"},
    {"53", 'G', "铁路运输业"},
    {"54", 'G', "道路运输业"},
    {"55", 'G', "水上运输业"},
    {"56", 'G', "航空运输业"},
    {"57", 'G', "管道运输业"},
    {"58", 'G', "多式联运和运输代理业"},
    {"59", 'G', "装卸搬运和仓储业"},
    {"60", 'G', "邮政业"},
    {"61", 'H', "住宿业"},
    {"62", 'H', "餐饮业"},
    {"63", 'I', "电信、广播电视和卫星传输服务"},
    {"64", 'I', "互联网和相关服务"},
    {"65", 'I', "软件和信息技术服务业"},
    {"66", 'J', "货币金融服务"},
    {"67", 'J', "资本市场服务"},
    {"68", 'J', "保险业"},
    {"69", 'J', "其他金融业"},
    {"70", 'K', "房地产业"},
    {"71", 'L', "租赁业"},
    {"72", 'L', "商务服务业"},
    {"73", 'M', "研究和试验发展"},
    {"74", 'M', "专业技术服务业"},
    {"75", 'M', "科技推广和应用服务业"},
    {"76", 'N', "水利管理业"},
    {"77", 'N', "生态保护和环境治理业"},
    {"78", 'N', "公共设施管理业"},
    {"79", 'N', "土地管理业"},
    {"80", 'O', "居民服务业"},
    {"81", 'O', "机动车、电子产品和日用产品修理业"},
    {"82", 'O', "其他服务业"},
    {"83", 'P', "教育"},
    {"84", 'Q', "卫生"},
    {"85", 'Q', "社会工作"},
    {"86", 'R', "新闻和出版业"},
    {"87", 'R', "广播、电视、电影和录音制作业"},
    {"88", 'R', "文化艺术业"},
    {"89", 'R', "体育"},
    {"90", 'R', "娱乐业"},
    {"91", 'S', "中国共产党机关"},
    {"92", 'S', "国家机构"},
    {"93", 'S', "人民政协、民主党派"},
    {"94", 'S', "社会保障"},
    {"95", 'S', "群众团体、社会团体和其他成员组织"},
    {"96", 'S', "基层群众自治组织及其他组织"},
    {"97", 'T', "国际组织"},
};

#define N_SECTIONS (sizeof industry_sections / sizeof industry_sections[0])
#define N_DIVISIONS (sizeof industry_divisions / sizeof industry_divisions[0])

static const char *const tech_domains[TECH_DOMAIN_COUNT] = {
    "电子信息",   "生物与新医药", "航空航天",   "新材料",
    "高技术服务", "新能源与节能", "资源与环境", "先进制造与自动化",
};

size_t industry_count_sections(void)
{
    return N_SECTIONS;
}

size_t industry_count_divisions(void)
{
    return N_DIVISIONS;
}

const char *industry_division_code(size_t i)
{
    return i < N_DIVISIONS ? industry_divisions[i].code : NULL;
}

const char *industry_section_name(char letter)
{
    size_t i;

    for (i = 0; i < N_SECTIONS; i++) {
        if (industry_sections[i].letter == letter) {
            return industry_sections[i].name;
        }
    }
    return NULL;
}

const char *industry_division_name(const char *two_digits, char *section)
{
    int n;

    if (!two_digits || two_digits[0] < '0' || two_digits[0] > '9' ||
        two_digits[1] < '0' || two_digits[1] > '9') {
        return NULL;
    }
    /* The table is dense: code NN sits at index NN - 1. */
    n = (two_digits[0] - '0') * 10 + (two_digits[1] - '0');
    if (n < 1 || n > (int)N_DIVISIONS) {
        return NULL;
    }
    if (section) {
        *section = industry_divisions[n - 1].section;
    }
    return industry_divisions[n - 1].name;
}

const char *industry_name_of(const char *code)
{
    if (!code || !code[0]) {
        return NULL;
    }
    if (code[0] >= 'A' && code[0] <= 'Z') {
        code++;
    }
    return industry_division_name(code, NULL);
}

int industry_normalize(const char *in, char out[INDUSTRY_CODE_MAX],
                       const char *field, Err *e)
{
    const char *s = in ? in : "";
    char letter = 0;
    char section = 0;
    size_t n;
    size_t i;

    out[0] = '\0';
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    if (n > 0 &&
        ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))) {
        letter = (char)(s[0] & ~0x20);
        s++;
        n--;
        if (!industry_section_name(letter)) {
            return err_set(e, ERR_INVALID, field,
                           "行业代码的门类字母应为 A～T，不能是 %c", letter);
        }
    }
    if (n < 2 || n > 4) {
        return err_set(e, ERR_INVALID, field,
                       "行业代码应为门类字母加 2～4 位数字，如 C3963 或 I65");
    }
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return err_set(
                e, ERR_INVALID, field,
                "行业代码应为门类字母加 2～4 位数字，如 C3963 或 I65");
        }
    }
    if (!industry_division_name(s, &section)) {
        return err_set(e, ERR_INVALID, field,
                       "行业大类 %.2s 不存在（GB/T 4754-2017 大类为 01～97）",
                       s);
    }
    if (letter && letter != section) {
        return err_set(e, ERR_INVALID, field,
                       "行业大类 %.2s 属于门类 %c，不属于门类 %c", s, section,
                       letter);
    }
    out[0] = section;
    memcpy(out + 1, s, n);
    out[n + 1] = '\0';
    return 0;
}

const char *tech_domain_name(int d)
{
    return d >= 1 && d <= TECH_DOMAIN_COUNT ? tech_domains[d - 1] : NULL;
}
