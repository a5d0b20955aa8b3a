/* demo.c - the synthetic district generator (see demo.h).
 *
 * Randomness: a splitmix64-seeded xoshiro256** stream per enterprise
 * (seeded from the run seed and the enterprise index), so enterprise i does
 * not depend on N. Distributions use only + - * / and an exp() of our own,
 * so results do not depend on the C library's transcendental functions. */
#include "domain/demo/demo.h"
#include "domain/plan/plan_demo.h"
#include "domain/policy/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "base/uscc.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/org.h"
#include "domain/accounts/user.h"
#include "domain/carrier/carrier_demo.h"
#include "domain/cultivation/pipeline_demo.h"
#include "domain/library/ent_year.h"
#include "domain/library/ip.h"
#include "domain/library/recrule.h"
#include "domain/market/market_demo.h"
#include "domain/qual/qual_demo.h"

/* ---- random numbers ------------------------------------------------- */

typedef struct Rng {
    uint64_t s[4];
} Rng;

static uint64_t demo_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void rng_seed(Rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    int i;

    for (i = 0; i < 4; i++) {
        r->s[i] = demo_splitmix(&x);
    }
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_unif(Rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform integer in [0, n). */
static uint64_t rng_below(Rng *r, uint64_t n)
{
    return n ? rng_next(r) % n : 0;
}

static double rng_range(Rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_unif(r);
}

static int rng_chance(Rng *r, double p)
{
    return rng_unif(r) < p;
}

/* Approximately standard normal (Irwin-Hall, 12 uniforms). */
static double rng_normal(Rng *r)
{
    double s = 0;
    int i;

    for (i = 0; i < 12; i++) {
        s += rng_unif(r);
    }
    return s - 6.0;
}

/* exp(x) for |x| < 700 by range reduction and a Taylor series: only
 * arithmetic, so the same on every platform. */
static double demo_exp(double x)
{
    static const double ln2 = 0.6931471805599453;
    double r, term, sum;
    int k, i;

    if (x > 700) {
        x = 700;
    }
    if (x < -700) {
        x = -700;
    }
    k = (int)(x / ln2 + (x >= 0 ? 0.5 : -0.5));
    r = x - k * ln2;
    sum = 1.0;
    term = 1.0;
    for (i = 1; i < 20; i++) {
        term = term * r / i;
        sum += term;
    }
    while (k > 0) {
        sum *= 2.0;
        k--;
    }
    while (k < 0) {
        sum *= 0.5;
        k++;
    }
    return sum;
}

/* Log-normal with median m and shape sigma. */
static double rng_lognormal(Rng *r, double median, double sigma)
{
    return median * demo_exp(sigma * rng_normal(r));
}

/* Poisson(lambda) by Knuth's method (lambda <= 30). */
static int rng_poisson(Rng *r, double lambda)
{
    double l, p = 1.0;
    int k = 0;

    if (lambda <= 0) {
        return 0;
    }
    if (lambda > 30) {
        lambda = 30;
    }
    l = demo_exp(-lambda);
    do {
        k++;
        p *= rng_unif(r);
    } while (p > l);
    return k - 1;
}

static int64_t demo_round(double x, int64_t unit)
{
    if (x < 0) {
        return -demo_round(-x, unit);
    }
    if (x > 9.0e16) {
        x = 9.0e16;
    }
    return ((int64_t)(x / (double)unit + 0.5)) * unit;
}

/* ---- reference pools ------------------------------------------------ */

/* 河东区 街道 (real names) and two parks (invented), with weights for how
 * many enterprises each holds. */
static const struct {
    const char *name;
    const char *kind;
    int weight;
} demo_units[] = {
    {"大王庄街道", "subdistrict", 9}, {"大直沽街道", "subdistrict", 8},
    {"中山门街道", "subdistrict", 6}, {"富民路街道", "subdistrict", 7},
    {"二号桥街道", "subdistrict", 5}, {"春华街道", "subdistrict", 8},
    {"唐家口街道", "subdistrict", 6}, {"向阳楼街道", "subdistrict", 5},
    {"常州道街道", "subdistrict", 5}, {"上杭路街道", "subdistrict", 7},
    {"东新街道", "subdistrict", 10},  {"鲁山道街道", "subdistrict", 6},
    {"天铁街道", "subdistrict", 2},   {"河东科创园区", "park", 12},
    {"东部智造产业园", "park", 8},
};

#define DEMO_N_UNITS (int)(sizeof demo_units / sizeof demo_units[0])

/* 包联: 科技局业务 staff of the bureau (root unit) who look after the
 * enterprises. Unit u is looked after by staff u % DEMO_N_STAFF (most of
 * its enterprises) and (u + 3) % DEMO_N_STAFF (some); a few enterprises
 * have nobody yet. Each staff member thus covers two or three units. */
#define DEMO_N_STAFF 6
#define DEMO_LIAISON_PRIMARY 0.72
#define DEMO_LIAISON_SECOND 0.20
/* Mixed into the seed for the staff and liaison draws, so that they do not
 * change the enterprises' own streams. */
#define DEMO_LIAISON_SALT 0x6c6961697361ULL

static const char *const demo_roads[] = {
    "十一经路",   "十三经路", "津塘路",   "六纬路", "八纬路", "卫国道",
    "大直沽中路", "东兴路",   "海河东路", "新开路", "成林道", "红星路",
};

/* Characters for 字号 (trade names). */
static const char *const demo_zihao[] = {
    "瑞", "达", "华", "信", "科", "泰", "恒", "创", "博", "睿", "海", "润",
    "宏", "远", "新", "启", "明", "凯", "航", "鑫", "源", "卓", "越", "智",
    "诚", "拓", "锐", "腾", "辰", "天", "嘉", "和", "盛", "德", "联", "宇",
    "峰", "晟", "芯", "微", "云", "光", "磁", "蓝", "翼", "星", "正", "安",
};

#define DEMO_N_ZIHAO (sizeof demo_zihao / sizeof demo_zihao[0])

static const char *const demo_surnames[] = {"王", "李", "张", "刘", "陈",
                                            "杨", "赵", "黄", "周", "吴",
                                            "徐", "孙", "马", "朱", "胡"};
static const char *const demo_given[] = {"伟", "芳", "娜", "敏", "静", "磊",
                                         "强", "洋", "艳", "勇", "军", "杰",
                                         "涛", "明", "超", "霞", "平", "刚"};

/* Industries by technology domain (index 0 = no high-tech domain):
 * GB/T 4754-2017 codes and a word for the name. */
typedef struct DemoInd {
    const char *code;
    const char *word;
} DemoInd;

static const DemoInd demo_ind[9][5] = {
    {{"F5179", "商贸"},
     {"L7212", "企业管理咨询"},
     {"E4910", "机电安装"},
     {"C3311", "金属结构"},
     {"H6210", "餐饮管理"}},
    {{"I6513", "软件"},
     {"I6531", "信息技术"},
     {"C3976", "光电"},
     {"C3919", "电子"},
     {"I6450", "网络科技"}},
    {{"C2720", "医药"},
     {"C2761", "生物"},
     {"C3581", "医疗器械"},
     {"M7340", "生物医药研究"},
     {"C2710", "药业"}},
    {{"C3741", "航空科技"},
     {"C3963", "无人机"},
     {"C3749", "航天装备"},
     {"C3741", "航空部件"},
     {"C3963", "飞行器"}},
    {{"C2641", "新材料"},
     {"C3985", "电子材料"},
     {"C2651", "高分子材料"},
     {"C3091", "复合材料"},
     {"C3240", "合金材料"}},
    {{"M7320", "工程技术"},
     {"M7452", "检测技术"},
     {"M7520", "知识产权服务"},
     {"I6540", "数据服务"},
     {"M7590", "科技服务"}},
    {{"C3825", "光伏科技"},
     {"C3841", "电池科技"},
     {"M7514", "节能技术"},
     {"C3824", "电力电子"},
     {"D4416", "新能源"}},
    {{"N7721", "水处理"},
     {"N7722", "环保科技"},
     {"C4220", "资源再生"},
     {"M7484", "环境工程"},
     {"N7723", "固废处理"}},
    {{"C3421", "数控机床"},
     {"C3491", "机器人"},
     {"C3562", "半导体装备"},
     {"C4011", "自动化"},
     {"C3435", "智能装备"}},
};

static const char *const demo_investors[] = {
    "天津创业投资管理有限公司",
    "海河产业基金",
    "滨海天使投资",
    "津联创新投资合伙企业（有限合伙）",
    "京津冀协同发展基金",
    "红杉中国",
    "深创投",
    "达晨财智",
};

/* ---- one enterprise ------------------------------------------------- */

typedef struct DemoYear {
    int year;
    int64_t v[ENT_YEAR_N_FIELDS];
    unsigned char has[ENT_YEAR_N_FIELDS];
} DemoYear;

typedef struct DemoEnt {
    char uscc[USCC_LEN + 1];
    char name[160];
    char former[160];
    int unit;
    char address[200];
    char legal_rep[32];
    char contact[32];
    char phone[32];
    Date established;
    int64_t capital;
    const DemoInd *ind;
    int domain;
    const char *listing;
    int n_years;
    DemoYear years[DEMO_YEARS_MAX];
} DemoEnt;

static void demo_person(Rng *r, char *out, size_t cap)
{
    const char *s = demo_surnames[rng_below(r, sizeof demo_surnames /
                                                   sizeof demo_surnames[0])];
    const char *g1 =
        demo_given[rng_below(r, sizeof demo_given / sizeof demo_given[0])];
    const char *g2 =
        demo_given[rng_below(r, sizeof demo_given / sizeof demo_given[0])];

    if (rng_chance(r, 0.5)) {
        snprintf(out, cap, "%s%s", s, g1);
    } else {
        snprintf(out, cap, "%s%s%s", s, g1, g2);
    }
}

/* Note: every rng call is its own statement, never two in one argument
 * list (their order would be unspecified and break determinism). */
static void demo_trade_name(Rng *r, char *out, size_t cap)
{
    const char *a = demo_zihao[rng_below(r, DEMO_N_ZIHAO)];
    const char *b = demo_zihao[rng_below(r, DEMO_N_ZIHAO)];

    snprintf(out, cap, "%s%s", a, b);
}

void demo_orgcode(const char *body8, char out[10])
{
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    int c;
    int i;

    for (i = 0; i < 8; i++) {
        char ch = body8[i];
        int v = ch >= '0' && ch <= '9' ? ch - '0' : ch - 'A' + 10;
        sum += v * w[i];
        out[i] = ch;
    }
    c = 11 - sum % 11;
    out[8] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
    out[9] = '\0';
}

/* Code of enterprise i: MA-series body for those founded since 2015,
 * 8-digit bodies for older ones. Bijective in i (a multiplier coprime to
 * the modulus), so codes never repeat within a run. */
static void demo_uscc(uint64_t i, uint64_t seed, int modern, char out[19])
{
    static const char cs[] = USCC_CHARSET;
    char body[9];
    char org[10];
    char prefix[18];
    int k;

    if (modern) {
        /* 31^6 = 887503681 distinct bodies "MA" + 6 characters. */
        uint64_t x = (i * 48271u + seed % 887503681u) % 887503681u;
        body[0] = 'M';
        body[1] = 'A';
        for (k = 7; k >= 2; k--) {
            body[k] = cs[x % 31];
            x /= 31;
        }
    } else {
        /* 9e7 distinct 8-digit bodies 10000000..99999999. */
        uint64_t x = 10000000u + (i * 7919u + seed % 90000000u) % 90000000u;
        for (k = 7; k >= 0; k--) {
            body[k] = (char)('0' + x % 10);
            x /= 10;
        }
    }
    body[8] = '\0';
    demo_orgcode(body, org);
    snprintf(prefix, sizeof prefix, "91120102%.9s", org);
    memcpy(out, prefix, 17);
    out[17] = uscc_check_char(prefix);
    out[18] = '\0';
}

/* Age weights 0..30 years: a mode at 3-6 years and a long tail. */
static int demo_age(Rng *r)
{
    double w[31];
    double total = 0, u;
    int a;

    for (a = 0; a <= 30; a++) {
        double x = a < 4 ? 0.55 + 0.15 * a : 1.0;
        int k;
        for (k = 4; k < a; k++) {
            x *= 0.89;
        }
        w[a] = x;
        total += x;
    }
    u = rng_unif(r) * total;
    for (a = 0; a < 30; a++) {
        if (u < w[a]) {
            return a;
        }
        u -= w[a];
    }
    return 30;
}

static int demo_pick_unit(Rng *r)
{
    int total = 0, u, i;

    for (i = 0; i < DEMO_N_UNITS; i++) {
        total += demo_units[i].weight;
    }
    u = (int)rng_below(r, (uint64_t)total);
    for (i = 0; i < DEMO_N_UNITS; i++) {
        if (u < demo_units[i].weight) {
            return i;
        }
        u -= demo_units[i].weight;
    }
    return 0;
}

/* Build enterprise i (everything except IP rights and facts, which are
 * drawn from the same stream while inserting). */
static void demo_make(Rng *r, uint64_t i, const DemoOptions *o, DemoEnt *d)
{
    static const char *const forms[] = {"有限公司", "有限公司", "有限公司",
                                        "股份有限公司", "有限责任公司"};
    char tn[16];
    int age, stage, y, first_year, k;
    int est_y;
    double rev, g_trend, rd_int, tech_ratio, prod;
    Err e;

    memset(d, 0, sizeof *d);
    age = demo_age(r);
    est_y = o->last_year - age;
    if (est_y < 1985) {
        est_y = 1985;
    }
    {
        int m = 1 + (int)rng_below(r, 12);
        int dd = 1 + (int)rng_below(r, 28);
        date_from_ymd(est_y, m, dd, &d->established, NULL, &e);
    }
    stage = age < 3 ? 0 : age <= 8 ? 1 : 2;
    d->domain = rng_chance(r, 0.72) ? 1 + (int)rng_below(r, 8) : 0;
    /* 电子信息 and 先进制造 are the district's strongest domains. */
    if (d->domain && rng_chance(r, 0.3)) {
        d->domain = rng_chance(r, 0.6) ? 1 : 8;
    }
    d->ind = &demo_ind[d->domain][rng_below(r, 5)];
    d->unit = demo_pick_unit(r);
    demo_uscc(i, o->seed, est_y >= 2015, d->uscc);
    demo_trade_name(r, tn, sizeof tn);
    {
        const char *city = rng_chance(r, 0.3) ? "市" : "";
        const char *form = forms[rng_below(r, 5)];
        snprintf(d->name, sizeof d->name, "天津%s%s%s%s", city, tn,
                 d->ind->word, form);
    }
    if (rng_chance(r, 0.08)) {
        demo_trade_name(r, tn, sizeof tn);
        snprintf(d->former, sizeof d->former, "天津%s%s有限公司", tn,
                 d->ind->word);
    }
    {
        const char *road =
            demo_roads[rng_below(r, sizeof demo_roads / sizeof demo_roads[0])];
        int no = 1 + (int)rng_below(r, 300);
        int p1, p2;
        snprintf(d->address, sizeof d->address, "天津市河东区%s%d号", road, no);
        demo_person(r, d->legal_rep, sizeof d->legal_rep);
        demo_person(r, d->contact, sizeof d->contact);
        p1 = (int)rng_below(r, 1000);
        p2 = (int)rng_below(r, 10000);
        snprintf(d->phone, sizeof d->phone, "022-2%03d%04d", p1, p2);
    }
    d->capital = demo_round(rng_lognormal(r, 5.0e6, 1.1), 10000);

    /* Latest-year revenue (log-normal by stage), trend and intensity. */
    {
        static const double median[3] = {1.5e6, 8.0e6, 2.5e7};
        static const double trend[3] = {0.35, 0.16, 0.03};
        static const double rd_med[3] = {0.07, 0.045, 0.03};
        rev = rng_lognormal(r, median[stage], 1.35);
        g_trend = trend[stage] + 0.12 * rng_normal(r);
        if (rng_chance(r, 0.15)) {
            g_trend = -0.05 - 0.12 * rng_unif(r); /* declining */
        }
        rd_int = d->domain ? rng_lognormal(r, rd_med[stage], 0.6)
                           : rng_lognormal(r, 0.006, 0.8);
        if (rd_int > 0.6) {
            rd_int = 0.6;
        }
        if (rng_chance(r, d->domain ? 0.08 : 0.4)) {
            rd_int = 0; /* no R&D */
        }
        tech_ratio =
            d->domain ? rng_range(r, 0.08, 0.6) : rng_range(r, 0.01, 0.12);
        prod = rng_lognormal(r, 6.0e5, 0.5); /* revenue per employee */
    }
    if (stage == 0 && rng_chance(r, 0.08)) {
        rev = 0; /* pre-revenue start-up */
    }
    d->listing = "none";
    if (rev > 5.0e8 && rng_chance(r, 0.25)) {
        d->listing = "listed";
    } else if (rev > 1.0e8 && rng_chance(r, 0.12)) {
        d->listing = "candidate";
    } else if (rev > 3.0e7 && rng_chance(r, 0.03)) {
        d->listing = "neeq";
    }

    first_year = o->last_year - o->years + 1;
    if (first_year < est_y) {
        first_year = est_y;
    }
    d->n_years = o->last_year - first_year + 1;
    /* From the latest year backwards. */
    for (k = d->n_years - 1, y = o->last_year; k >= 0; k--, y--) {
        DemoYear *dy = &d->years[k];
        double sales = rev;
        double emp, total_rev, cost, assets, rd;
        int f;

        dy->year = y;
        if (y == est_y) {
            sales *= rng_range(r, 0.2, 0.8); /* partial first year */
        }
        emp = sales / prod;
        if (emp < 3) {
            emp = 3 + (double)rng_below(r, 8);
        }
        if (emp > 30000) {
            emp = 30000;
        }
        total_rev = sales * rng_range(r, 1.0, 1.06);
        rd = sales * rd_int * rng_range(r, 0.85, 1.15);
        if (sales == 0 && d->domain) {
            rd = rng_lognormal(r, 4.0e5, 0.7); /* R&D before revenue */
        }
        cost = sales * rng_range(r, 0.78, 1.06) + rd * 0.5;
        assets = (sales + 1.0e6) * rng_range(r, 0.5, 1.8);
        dy->v[EY_EMPLOYEES] = (int64_t)(emp + 0.5);
        dy->v[EY_TECH_STAFF] = (int64_t)(emp * tech_ratio + 0.5);
        dy->v[EY_RD_STAFF] =
            (int64_t)((double)dy->v[EY_TECH_STAFF] * rng_range(r, 0.5, 0.9) +
                      0.5);
        dy->v[EY_SALES_REVENUE] = demo_round(sales, 100);
        dy->v[EY_TOTAL_REVENUE] = demo_round(total_rev, 100);
        if (dy->v[EY_TOTAL_REVENUE] < dy->v[EY_SALES_REVENUE]) {
            dy->v[EY_TOTAL_REVENUE] = dy->v[EY_SALES_REVENUE];
        }
        dy->v[EY_MAIN_REVENUE] =
            demo_round(sales * rng_range(r, 0.72, 1.0), 100);
        if (dy->v[EY_MAIN_REVENUE] > dy->v[EY_SALES_REVENUE]) {
            dy->v[EY_MAIN_REVENUE] = dy->v[EY_SALES_REVENUE];
        }
        dy->v[EY_HITECH_INCOME] =
            demo_round(total_rev * (d->domain ? rng_range(r, 0.35, 0.95)
                                              : rng_range(r, 0.0, 0.15)),
                       100);
        if (dy->v[EY_HITECH_INCOME] > dy->v[EY_TOTAL_REVENUE]) {
            dy->v[EY_HITECH_INCOME] = dy->v[EY_TOTAL_REVENUE];
        }
        dy->v[EY_RD_EXPENSE] = demo_round(rd, 100);
        dy->v[EY_RD_DOMESTIC] = demo_round(
            (double)dy->v[EY_RD_EXPENSE] * rng_range(r, 0.8, 1.0), 100);
        if (dy->v[EY_RD_DOMESTIC] > dy->v[EY_RD_EXPENSE]) {
            dy->v[EY_RD_DOMESTIC] = dy->v[EY_RD_EXPENSE];
        }
        dy->v[EY_TOTAL_COST] = demo_round(cost, 100);
        dy->v[EY_TOTAL_ASSETS] = demo_round(assets, 100);
        dy->v[EY_TOTAL_LIABILITIES] =
            demo_round(assets * rng_range(r, 0.15, 0.85), 100);
        dy->v[EY_NET_PROFIT] =
            demo_round((total_rev - cost) * rng_range(r, 0.7, 0.9), 100);
        dy->v[EY_EQUITY_FINANCING] =
            d->domain && stage < 2 && rng_chance(r, 0.07)
                ? demo_round(rng_lognormal(r, 1.5e7, 1.0), 10000)
                : 0;
        dy->v[EY_TAX_PAID] = demo_round(sales * rng_range(r, 0.01, 0.06), 100);
        for (f = 0; f < ENT_YEAR_N_FIELDS; f++) {
            dy->has[f] = 1;
        }
        /* A few gaps: figures not reported for that year. */
        if (rng_chance(r, 0.03)) {
            dy->has[EY_RD_DOMESTIC] = 0;
            dy->has[EY_HITECH_INCOME] = 0;
        }
        /* The year before had revenue / (1 + growth). */
        rev = rev / (1.0 + g_trend + 0.08 * rng_normal(r));
        if (rev < 0) {
            rev = 0;
        }
    }
}

/* ---- writing -------------------------------------------------------- */

typedef struct DemoStmts {
    DbStmt *ent;
    DbStmt *name;
    DbStmt *year;
    DbStmt *ip;
    DbStmt *fact;
    DbStmt *decl; /* enterprise_declarations (eligibility inputs) */
} DemoStmts;

static void demo_stmts_free(DemoStmts *s)
{
    db_finalize(s->ent);
    db_finalize(s->name);
    db_finalize(s->year);
    db_finalize(s->ip);
    db_finalize(s->fact);
    db_finalize(s->decl);
    memset(s, 0, sizeof *s);
}

static int demo_stmts_prepare(Db *db, DemoStmts *s, Err *e)
{
    char sql[2048];
    size_t o;
    int i;
    int rc;

    rc = db_prepare(db,
                    "INSERT INTO enterprises (uscc, name, unit_id, address, "
                    "legal_rep, established_on, registered_capital, "
                    "industry_code, tech_domain, listing_status, "
                    "contact_name, contact_phone, latest_year, "
                    "latest_revenue, latest_rd_bp, src_kind, src_user_id, "
                    "src_at, verified, created_at, updated_at, "
                    "liaison_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                    "$8, $9, $10, $11, $12, $13, $14, $15, 'demo', $16, $17, "
                    "0, $17, $17, $18) RETURNING id",
                    &s->ent, e);
    if (rc) {
        return rc;
    }
    rc = db_prepare(db,
                    "INSERT INTO enterprise_names (enterprise_id, name, "
                    "used_to, created_at) VALUES ($1, $2, $3, $4)",
                    &s->name, e);
    if (rc) {
        return rc;
    }
    o = (size_t)snprintf(sql, sizeof sql,
                         "INSERT INTO enterprise_years (enterprise_id, year");
    for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
        o += (size_t)snprintf(sql + o, sizeof sql - o, ", %s",
                              ent_year_fields[i].name);
    }
    o += (size_t)snprintf(sql + o, sizeof sql - o,
                          ", src_kind, src_user_id, src_at, verified, "
                          "created_at, updated_at) VALUES ($1, $2");
    for (i = 0; i < ENT_YEAR_N_FIELDS; i++) {
        o += (size_t)snprintf(sql + o, sizeof sql - o, ", $%d", i + 3);
    }
    snprintf(sql + o, sizeof sql - o, ", 'demo', $%d, $%d, 0, $%d, $%d)",
             ENT_YEAR_N_FIELDS + 3, ENT_YEAR_N_FIELDS + 4,
             ENT_YEAR_N_FIELDS + 4, ENT_YEAR_N_FIELDS + 4);
    rc = db_prepare(db, sql, &s->year, e);
    if (rc) {
        return rc;
    }
    rc = db_prepare(db,
                    "INSERT INTO ip_rights (enterprise_id, kind, klass, "
                    "defense, number, title, applied_on, granted_on, "
                    "expires_on, status, acquisition, acquired_on, "
                    "main_product, hnte_year, src_kind, src_user_id, src_at, "
                    "verified, created_at, updated_at) VALUES ($1, $2, $3, "
                    "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
                    "'demo', $15, $16, 0, $16, $16)",
                    &s->ip, e);
    if (rc) {
        return rc;
    }
    rc = db_prepare(db,
                    "INSERT INTO enterprise_facts (enterprise_id, kind, "
                    "subkind, level, rank, amount, counterparty, title, "
                    "occurred_on, valid_from, valid_to, src_kind, "
                    "src_user_id, src_at, verified, created_at, "
                    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                    "$9, $10, $11, 'demo', $12, $13, 0, $13, $13)",
                    &s->fact, e);
    if (rc) {
        return rc;
    }
    return db_prepare(db,
                      "INSERT INTO enterprise_declarations (enterprise_id, "
                      "field, year, value, valid_from, valid_to, verified, "
                      "src_kind, src_user_id, src_at) VALUES ($1, $2, $3, "
                      "$4, $5, $6, 0, 'demo', $7, $8)",
                      &s->decl, e);
}

/* Run a prepared insert once (bindings set) and reset it. */
static int demo_run(DbStmt *st, Err *e)
{
    int rc = db_step(st, e);

    db_reset(st);
    return rc == DB_DONE ? 0 : rc == DB_ROW ? ERR_INTERNAL : rc;
}

static void demo_bind_opt(DbStmt *st, int idx, int has, int64_t v)
{
    if (has) {
        db_bind_int64(st, idx, v);
    } else {
        db_bind_null(st, idx);
    }
}

/* A random date between from and to (inclusive) as ISO text. */
static void demo_date_between(Rng *r, Date from, Date to,
                              char out[DATE_ISO_SIZE])
{
    Date d = to > from
                 ? from + (Date)rng_below(r, (uint64_t)to - (uint64_t)from + 1)
                 : from;

    date_format_iso(d, out);
}

/* A generated record as the cross-field rules read it: key/value pairs. */
typedef struct DemoKv {
    const char *key;
    const char *text; /* NULL or "" = not known */
    int has_int;
    int64_t i;
} DemoKv;

typedef struct DemoRow {
    const DemoKv *kv;
    size_t n;
} DemoRow;

static int demo_row_int(void *ctx, const char *key, int64_t *out)
{
    const DemoRow *x = ctx;
    size_t k;

    for (k = 0; k < x->n; k++) {
        if (strcmp(x->kv[k].key, key) == 0 && x->kv[k].has_int) {
            *out = x->kv[k].i;
            return 1;
        }
    }
    return 0;
}

static const char *demo_row_text(void *ctx, const char *key)
{
    const DemoRow *x = ctx;
    size_t k;

    for (k = 0; k < x->n; k++) {
        if (strcmp(x->kv[k].key, key) == 0 && !x->kv[k].has_int) {
            return x->kv[k].text;
        }
    }
    return NULL;
}

/* Yearly figures read from a DemoYear. */
static int demo_year_int(void *ctx, const char *key, int64_t *out)
{
    const DemoYear *dy = ctx;
    int f = ent_year_field_index(key);

    if (f < 0 || !dy->has[f]) {
        return 0;
    }
    *out = dy->v[f];
    return 1;
}

/* Check a generated record against the rules of its kind (recrule.c, the
 * table every writer uses). A failure is a bug in the generator: reported
 * as an internal error naming the rule, so the demo never stores a record
 * the API or the importer would refuse. */
static int demo_check(int kind, const RecRow *row, Err *e)
{
    Err re;

    if (recrule_check(kind, row, NULL, NULL, &re) == 0) {
        return 0;
    }
    return err_set(e, ERR_INTERNAL, re.field, "演示数据违反校验规则：%s",
                   re.msg);
}

static int demo_check_kv(int kind, const DemoKv *kv, size_t n, Err *e)
{
    DemoRow x = {kv, n};
    RecRow row = {&x, demo_row_int, demo_row_text};

    return demo_check(kind, &row, e);
}

typedef struct DemoCtx {
    Db *db;
    const Actor *a;
    const DemoOptions *o;
    DemoStmts s;
    int64_t unit_ids[DEMO_N_UNITS];
    int64_t staff_ids[DEMO_N_STAFF];
    int64_t batch_lo, batch_hi; /* enterprise ids of the open batch */
    int64_t rep_staff;          /* staff accounts created */
    char now[CLOCK_ISO_LEN];
    Date last_day; /* December 31st of the last year */
    DemoReport *rep;
} DemoCtx;

/* IP rights of one enterprise. */
static int demo_write_ip(DemoCtx *c, Rng *r, const DemoEnt *d, int64_t id,
                         Err *e)
{
    static const char *const kinds[] = {"invention",     "utility",
                                        "design",        "software",
                                        "plant_variety", "ic_layout"};
    int counts[6];
    int stage_mul;
    int k, j, n = 0;
    int rc;
    Date from = d->established;

    stage_mul = d->domain ? 1 : 0;
    {
        int years_old = 0;
        int y;
        date_to_ymd(d->established, &y, NULL, NULL);
        years_old = c->o->last_year - y;
        double base = stage_mul ? (years_old < 3    ? 0.4
                                   : years_old <= 8 ? 1.1
                                                    : 2.0)
                                : 0.1;
        counts[0] = rng_poisson(r, base);
        counts[1] = rng_poisson(r, base * 2.2);
        counts[2] = rng_poisson(r, base * 0.4);
        counts[3] = rng_poisson(
            r, (d->domain == 1 || d->domain == 5) ? base * 2.5 : base * 0.5);
        counts[4] = d->domain == 2 && rng_chance(r, 0.05) ? 1 : 0;
        counts[5] = d->domain == 1 && rng_chance(r, 0.04) ? 1 : 0;
    }
    for (k = 0; k < 6; k++) {
        const IpKind *kind = ip_kind_find(kinds[k]);
        for (j = 0; j < counts[k] && n < 80; j++, n++) {
            char number[40], title[160];
            char applied[DATE_ISO_SIZE], granted[DATE_ISO_SIZE];
            char expires[DATE_ISO_SIZE], acquired[DATE_ISO_SIZE];
            Date ad, gd;
            int ay;
            const char *status = "valid";
            int is_acq = rng_chance(r, 0.14);
            uint64_t serial = (id * 131u + (uint64_t)n) % 10000000u;

            /* Applied after founding (or before, for acquired rights). */
            ad = (is_acq ? from - 1500 : from) +
                 (Date)rng_below(r, (uint64_t)c->last_day - (uint64_t)from + 1);
            if (ad > c->last_day - 30) {
                ad = c->last_day - 30;
            }
            gd = ad + (Date)(kind->klass == 1 ? 500 + rng_below(r, 500)
                                              : 120 + rng_below(r, 240));
            if (gd > c->last_day) {
                gd = c->last_day;
            }
            date_format_iso(ad, applied);
            date_format_iso(gd, granted);
            date_to_ymd(ad, &ay, NULL, NULL);
            if (k == 3) {
                snprintf(number, sizeof number, "%dSR%07llu", ay,
                         (unsigned long long)serial);
            } else if (k <= 2) {
                static const int w[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
                char digits[32];
                int sum = 0, q, ck;
                snprintf(digits, sizeof digits, "%04d%d%07llu", ay % 10000,
                         k + 1, (unsigned long long)serial);
                for (q = 0; q < 12; q++) {
                    sum += (digits[q] - '0') * w[q];
                }
                ck = sum % 11;
                snprintf(number, sizeof number, "ZL%s.%c", digits,
                         ck == 10 ? 'X' : (char)('0' + ck));
            } else {
                snprintf(number, sizeof number, "%s%d%05llu",
                         k == 4 ? "CNA" : "BS.", ay,
                         (unsigned long long)(serial % 100000u));
            }
            snprintf(title, sizeof title, "一种%s%s", d->ind->word,
                     k == 3   ? "管理系统软件V1.0"
                     : k == 2 ? "设备外壳"
                              : "装置及其方法");
            expires[0] = '\0';
            if (kind->term_years) {
                int y, m, dd;
                Date x;
                Err ee;
                date_to_ymd(ad, &y, &m, &dd);
                if (dd > 28) {
                    dd = 28;
                }
                if (date_from_ymd(y + kind->term_years, m, dd, &x, NULL, &ee) ==
                    0) {
                    date_format_iso(x - 1, expires);
                }
            }
            if (rng_chance(r, 0.05)) {
                status = "lapsed";
            } else if (rng_chance(r, 0.03)) {
                status = "transferred";
            }
            acquired[0] = '\0';
            if (is_acq) {
                demo_date_between(r, gd, c->last_day, acquired);
            }
            {
                int defense = k == 0 && rng_chance(r, 0.01);
                const DemoKv kv[] = {
                    {"kind", kind->code, 0, 0},
                    {"defense", NULL, 1, defense},
                    {"applied_on", applied, 0, 0},
                    {"granted_on", granted, 0, 0},
                    {"expires_on", expires, 0, 0},
                    {"acquisition", is_acq ? "acquired" : "self", 0, 0},
                    {"acquired_on", acquired, 0, 0},
                };
                rc = demo_check_kv(RECRULE_IP, kv, sizeof kv / sizeof kv[0], e);
                if (rc) {
                    return rc;
                }
                db_bind_int64(c->s.ip, 4, defense);
            }
            db_bind_int64(c->s.ip, 1, id);
            db_bind_text(c->s.ip, 2, kind->code);
            db_bind_int64(c->s.ip, 3, kind->klass);
            db_bind_text(c->s.ip, 5, number);
            db_bind_text(c->s.ip, 6, title);
            db_bind_text(c->s.ip, 7, applied);
            db_bind_text(c->s.ip, 8, granted);
            db_bind_text(c->s.ip, 9, expires[0] ? expires : NULL);
            db_bind_text(c->s.ip, 10, status);
            db_bind_text(c->s.ip, 11, is_acq ? "acquired" : "self");
            db_bind_text(c->s.ip, 12, acquired[0] ? acquired : NULL);
            db_bind_int64(c->s.ip, 13, rng_chance(r, 0.6) ? 1 : 0);
            {
                int used = kind->klass == 2 && rng_chance(r, 0.2);
                int64_t hy = c->o->last_year - (int64_t)rng_below(r, 3);
                demo_bind_opt(c->s.ip, 14, used, hy);
            }
            db_bind_int64(c->s.ip, 15, c->a->user_id);
            db_bind_text(c->s.ip, 16, c->now);
            rc = demo_run(c->s.ip, e);
            if (rc) {
                return rc;
            }
            c->rep->ip_rights++;
        }
    }
    return 0;
}

/* One dated fact. Text arguments may be NULL; has_* flags for numbers. */
static int demo_fact(DemoCtx *c, int64_t id, const char *kind,
                     const char *subkind, const char *level, int rank,
                     int64_t amount, const char *who, const char *title,
                     const char *on, const char *from, const char *to, Err *e)
{
    DbStmt *st = c->s.fact;
    const DemoKv kv[] = {
        {"kind", kind, 0, 0},       {"subkind", subkind, 0, 0},
        {"level", level, 0, 0},     {"occurred_on", on, 0, 0},
        {"valid_from", from, 0, 0}, {"valid_to", to, 0, 0},
    };
    int rc = demo_check_kv(RECRULE_FACTS, kv, sizeof kv / sizeof kv[0], e);

    if (rc) {
        return rc;
    }
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, kind);
    db_bind_text(st, 3, subkind);
    db_bind_text(st, 4, level);
    demo_bind_opt(st, 5, rank > 0, rank);
    demo_bind_opt(st, 6, amount > 0, amount);
    db_bind_text(st, 7, who);
    db_bind_text(st, 8, title);
    db_bind_text(st, 9, on);
    db_bind_text(st, 10, from);
    db_bind_text(st, 11, to);
    db_bind_int64(st, 12, c->a->user_id);
    db_bind_text(st, 13, c->now);
    c->rep->facts++;
    return demo_run(st, e);
}

static int demo_write_facts(DemoCtx *c, Rng *r, const DemoEnt *d, int64_t id,
                            Err *e)
{
    static const char *const levels[] = {"national", "provincial", "municipal",
                                         "district"};
    static const char *const std_sub[] = {"national", "industry", "local",
                                          "group", "enterprise"};
    static const char *const inc_sub[] = {"safety", "quality", "environment"};
    char on[DATE_ISO_SIZE], to[DATE_ISO_SIZE];
    Date from = d->established;
    int rc = 0;
    int k, n;

    if (from < c->last_day - 3650) {
        from = c->last_day - 3650;
    }
    if (d->domain && rng_chance(r, 0.05)) {
        const char *sub, *lvl;
        int rank;
        demo_date_between(r, from, c->last_day, on);
        sub = rng_chance(r, 0.3) ? "second" : "third";
        lvl = levels[1 + rng_below(r, 2)];
        rank = 1 + (int)rng_below(r, 5);
        rc = demo_fact(c, id, "award", sub, lvl, rank, 0, "天津市人民政府",
                       "科学技术进步奖", on, NULL, NULL, e);
    }
    if (!rc && d->domain && rng_chance(r, 0.08)) {
        const char *lvl;
        demo_date_between(r, from, c->last_day, on);
        lvl = levels[1 + rng_below(r, 3)];
        rc = demo_fact(c, id, "rd_institution", NULL, lvl, 0, 0,
                       "天津市科学技术局", "企业重点实验室", on, NULL, NULL, e);
    }
    if (!rc && rng_chance(r, d->domain ? 0.06 : 0.01)) {
        const char *sub;
        int rank;
        demo_date_between(r, from, c->last_day, on);
        sub = std_sub[rng_below(r, 5)];
        rank = 1 + (int)rng_below(r, 3);
        rc = demo_fact(c, id, "standard", sub, NULL, rank, 0, NULL,
                       "产品技术规范", on, NULL, NULL, e);
    }
    if (!rc && d->domain && rng_chance(r, 0.03)) {
        const char *sub, *lvl;
        demo_date_between(r, from, c->last_day, on);
        sub = rng_chance(r, 0.5) ? "excellent" : "third";
        lvl = levels[rng_below(r, 2)];
        rc = demo_fact(c, id, "competition", sub, lvl, 0, 0, NULL,
                       "中国创新创业大赛", on, NULL, NULL, e);
    }
    n = d->domain && rng_chance(r, 0.06) ? 1 + (int)rng_below(r, 3) : 0;
    for (k = 0; !rc && k < n; k++) {
        int64_t amount;
        const char *who;
        demo_date_between(r, from, c->last_day, on);
        amount = demo_round(rng_lognormal(r, 8.0e6, 1.0), 10000);
        who = demo_investors[rng_below(r, sizeof demo_investors /
                                              sizeof demo_investors[0])];
        rc = demo_fact(c, id, "financing", NULL, NULL, 0, amount, who,
                       k == 0   ? "天使轮"
                       : k == 1 ? "A轮"
                                : "B轮",
                       on, NULL, NULL, e);
    }
    if (!rc && d->domain && rng_chance(r, 0.06)) {
        const char *lvl;
        int64_t amount;
        demo_date_between(r, from, c->last_day, on);
        lvl = levels[1 + rng_below(r, 3)];
        amount = demo_round(rng_lognormal(r, 5.0e5, 0.8), 10000);
        rc = demo_fact(c, id, "project", NULL, lvl, 0, amount, NULL,
                       "科技计划项目", on, NULL, NULL, e);
    }
    if (!rc && d->domain == 1 && rng_chance(r, 0.12)) {
        demo_date_between(r, from, c->last_day, on);
        rc = demo_fact(c, id, "software_cert",
                       rng_chance(r, 0.5) ? "software_enterprise"
                                          : "software_product",
                       NULL, 0, 0, "天津市软件行业协会", NULL, on, on, NULL, e);
    }
    /* Credit flags: a list period that may still be running. */
    if (!rc && rng_chance(r, 0.02)) {
        demo_date_between(r, c->last_day - 1000, c->last_day, on);
        to[0] = '\0';
        if (rng_chance(r, 0.5)) {
            /* the listing ends on or after the day it began */
            Date start;
            Err de;
            if (date_parse(on, &start, "valid_from", &de) == 0) {
                Date lo = c->last_day - 200 > start ? c->last_day - 200 : start;
                Date hi = c->last_day + 200 > lo ? c->last_day + 200 : lo;
                demo_date_between(r, lo, hi, to);
            }
        }
        rc = demo_fact(c, id, "credit_flag", "abnormal_operation", NULL, 0, 0,
                       "天津市市场监督管理委员会", "未按时公示年度报告", on, on,
                       to[0] ? to : NULL, e);
    }
    if (!rc && rng_chance(r, 0.003)) {
        demo_date_between(r, c->last_day - 1000, c->last_day, on);
        rc = demo_fact(c, id, "credit_flag", "serious_illegal", NULL, 0, 0,
                       "天津市市场监督管理委员会", NULL, on, on, NULL, e);
    }
    if (!rc && d->domain && rng_chance(r, 0.002)) {
        demo_date_between(r, c->last_day - 1000, c->last_day, on);
        rc = demo_fact(c, id, "credit_flag", "research_misconduct", NULL, 0, 0,
                       "科学技术部", NULL, on, on, NULL, e);
    }
    if (!rc && rng_chance(r, 0.004)) {
        demo_date_between(r, c->last_day - 1000, c->last_day, on);
        rc = demo_fact(c, id, "incident", inc_sub[rng_below(r, 3)], NULL, 0, 0,
                       NULL, NULL, on, NULL, NULL, e);
    }
    return rc;
}

/* Insert enterprise i with its years, names, IP rights and facts. */
/* The staff member looking after enterprise i of unit u (0 = nobody),
 * drawn from its own stream (see DEMO_LIAISON_SALT). */
static int64_t demo_liaison(const DemoCtx *c, uint64_t i, int u)
{
    Rng r;
    double x;

    rng_seed(&r, c->o->seed ^ DEMO_LIAISON_SALT, i);
    x = rng_unif(&r);
    if (x < DEMO_LIAISON_PRIMARY) {
        return c->staff_ids[u % DEMO_N_STAFF];
    }
    if (x < DEMO_LIAISON_PRIMARY + DEMO_LIAISON_SECOND) {
        return c->staff_ids[(u + 3) % DEMO_N_STAFF];
    }
    return 0;
}

/* Find or create the 科技局业务 staff demo.staff01..06 in the root unit.
 * New accounts get a random password that is never shown (and must be
 * changed): an administrator sets one to use them. Their names come from
 * the seed. */
static int demo_staff_ensure(DemoCtx *c, int64_t root_id, Err *e)
{
    int k;
    int rc;

    for (k = 0; k < DEMO_N_STAFF; k++) {
        char username[32];
        char display[32];
        unsigned char raw[18];
        char pw[2 * sizeof raw + 1];
        Rng r;

        snprintf(username, sizeof username, "demo.staff%02d", k + 1);
        rc = user_find(c->db, username, &c->staff_ids[k], e);
        if (rc != ERR_NOTFOUND) {
            if (rc) {
                return rc;
            }
            continue;
        }
        rng_seed(&r, c->o->seed ^ DEMO_LIAISON_SALT, UINT64_MAX - (uint64_t)k);
        demo_person(&r, display, sizeof display);
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(pw, sizeof pw, raw, sizeof raw);
        /* Letters and digits both (the password rule). */
        pw[0] = 'k';
        pw[1] = '7';
        {
            UserInput in;
            memset(&in, 0, sizeof in);
            in.username = username;
            in.display_name = display;
            in.password = pw;
            in.role = ROLE_STAFF;
            in.unit_id = root_id;
            in.must_change_password = 1;
            rc = user_create(c->db, c->a, &in, &c->staff_ids[k], e);
        }
        sodium_memzero(pw, sizeof pw);
        if (rc) {
            return rc;
        }
        c->rep_staff++;
    }
    return 0;
}

/* One declaration row (valid_from/valid_to may be NULL). */
static int demo_decl(DemoCtx *c, int64_t id, const char *field, int year,
                     int64_t v, const char *from, const char *to, Err *e)
{
    const DemoKv kv[] = {{"valid_from", from, 0, 0}, {"valid_to", to, 0, 0}};
    int rc = demo_check_kv(RECRULE_DECLARATIONS, kv, 2, e);

    if (rc) {
        return rc;
    }
    db_bind_int64(c->s.decl, 1, id);
    db_bind_text(c->s.decl, 2, field);
    db_bind_int64(c->s.decl, 3, year);
    db_bind_int64(c->s.decl, 4, v);
    db_bind_text(c->s.decl, 5, from);
    db_bind_text(c->s.decl, 6, to);
    db_bind_int64(c->s.decl, 7, c->a->user_id);
    db_bind_text(c->s.decl, 8, c->now);
    return demo_run(c->s.decl, e);
}

/* A boolean declared as 1 with probability p1, as 0 with p0, else not
 * declared (the rule input stays missing). */
static int demo_decl_flag(DemoCtx *c, Rng *r, int64_t id, const char *field,
                          double p1, double p0, Err *e)
{
    double u = rng_unif(r);

    if (u < p1) {
        return demo_decl(c, id, field, 0, 1, NULL, NULL, e);
    }
    if (u < p1 + p0) {
        return demo_decl(c, id, field, 0, 0, NULL, NULL, e);
    }
    return 0;
}

/* Self-declared eligibility inputs the library has no table for
 * (docs/internals/eligibility.md), from a stream of their own so that the
 * rest of the enterprise does not change: most firms declare sound
 * accounting and audit collection, some leave items open (缺数据), tech
 * firms declare 高企 certificates, conversions, niche years; large ones a
 * valuation. */
static int demo_write_decls(DemoCtx *c, uint64_t i, const DemoEnt *d,
                            int64_t id, Err *e)
{
    const DemoYear *ly = &d->years[d->n_years - 1];
    int tech = d->domain > 0;
    int age = date_years_between(d->established, c->last_day);
    Rng r;
    int rc, k;

    rng_seed(&r, c->o->seed ^ 0x6b632d6465636c73ULL, i);
    rc = demo_decl_flag(c, &r, id, "accounting_sound", 0.88, 0.04, e);
    if (rc == 0) {
        rc = demo_decl_flag(c, &r, id, "audit_collection", 0.9, 0.03, e);
    }
    if (rc == 0) {
        rc = demo_decl_flag(c, &r, id, "prohibited_industry", 0.01, 0.93, e);
    }
    if (rc == 0) {
        rc = demo_decl_flag(c, &r, id, "negative_list_industry", 0.01, 0.93, e);
    }
    if (rc == 0) {
        rc = demo_decl_flag(c, &r, id, "fraud", 0.004, 0.94, e);
    }
    if (rc == 0) {
        rc = demo_decl_flag(c, &r, id, "emerging_industry", tech ? 0.6 : 0.05,
                            tech ? 0.35 : 0.85, e);
    }
    if (rc == 0 && rng_chance(&r, 0.75)) {
        int64_t years = age > 0 ? 1 + (int64_t)rng_below(&r, (uint64_t)age) : 0;

        rc = demo_decl(c, id, "niche_years", 0, years, NULL, NULL, e);
    }
    if (rc == 0 && tech && rng_chance(&r, 0.22)) {
        /* a 高企 certificate: three years from a date in the last three */
        Date from = date_add_days(
            c->last_day, -(int32_t)rng_below(&r, (uint64_t)3 * 365) - 1);
        char f[DATE_ISO_SIZE], t[DATE_ISO_SIZE];

        date_format_iso(from, f);
        date_format_iso(date_add_days(from, 3 * 365 - 1), t);
        rc = demo_decl(c, id, "hnte_cert", 0, 1, f, t, e);
    } else if (rc == 0 && rng_chance(&r, 0.8)) {
        rc = demo_decl(c, id, "hnte_cert", 0, 0, NULL, NULL, e);
    }
    if (rc == 0) {
        rc = demo_decl_flag(c, &r, id, "tj_hnte_cert", tech ? 0.08 : 0.0, 0.7,
                            e);
    }
    if (rc == 0) {
        rc = demo_decl_flag(c, &r, id, "innovation_honor", tech ? 0.1 : 0.01,
                            0.6, e);
    }
    for (k = 0; rc == 0 && k < d->n_years && (tech || k == 0); k++) {
        if (rng_chance(&r, tech ? 0.8 : 0.3)) {
            rc = demo_decl(c, id, "conversions", d->years[k].year,
                           rng_poisson(&r, tech ? 1.6 : 0.2), NULL, NULL, e);
        }
    }
    if (rc == 0 && tech && rng_chance(&r, 0.5)) {
        rc = demo_decl(c, id, "ip1_applied", 0, (int64_t)rng_below(&r, 4), NULL,
                       NULL, e);
    }
    if (rc == 0 && tech && rng_chance(&r, 0.4)) {
        rc = demo_decl(c, id, "ip1_high", 0, (int64_t)rng_below(&r, 3), NULL,
                       NULL, e);
    }
    if (rc == 0 && ly->v[EY_SALES_REVENUE] > 100000000 && rng_chance(&r, 0.3)) {
        double mult = rng_range(&r, 1.5, 12.0);

        /* valuation in USD at about 7 元 per dollar, whole 万 */
        rc = demo_decl(
            c, id, "valuation_usd", 0,
            demo_round((double)ly->v[EY_SALES_REVENUE] * mult / 7.0, 10000),
            NULL, NULL, e);
    }
    return rc;
}

static int demo_write_one(DemoCtx *c, uint64_t i, Err *e)
{
    DemoEnt d;
    Rng r;
    char est[DATE_ISO_SIZE];
    const DemoYear *ly;
    int64_t id = 0;
    int64_t bp = 0;
    int64_t liaison;
    int has_bp = 0;
    int k, f;
    int rc;

    rng_seed(&r, c->o->seed, i);
    demo_make(&r, i, c->o, &d);
    liaison = demo_liaison(c, i, d.unit);
    date_format_iso(d.established, est);
    ly = &d.years[d.n_years - 1];
    if (ly->v[EY_SALES_REVENUE] > 0) {
        bp = ly->v[EY_RD_EXPENSE] * 10000 / ly->v[EY_SALES_REVENUE];
        has_bp = 1;
    }
    {
        const DemoKv kv[] = {{"established_on", est, 0, 0}};
        rc = demo_check_kv(RECRULE_ENTERPRISES, kv, 1, e);
        if (rc) {
            return rc;
        }
    }
    db_bind_text(c->s.ent, 1, d.uscc);
    db_bind_text(c->s.ent, 2, d.name);
    db_bind_int64(c->s.ent, 3, c->unit_ids[d.unit]);
    db_bind_text(c->s.ent, 4, d.address);
    db_bind_text(c->s.ent, 5, d.legal_rep);
    db_bind_text(c->s.ent, 6, est);
    db_bind_int64(c->s.ent, 7, d.capital);
    db_bind_text(c->s.ent, 8, d.ind->code);
    demo_bind_opt(c->s.ent, 9, d.domain > 0, d.domain);
    db_bind_text(c->s.ent, 10, d.listing);
    db_bind_text(c->s.ent, 11, d.contact);
    db_bind_text(c->s.ent, 12, d.phone);
    db_bind_int64(c->s.ent, 13, ly->year);
    db_bind_int64(c->s.ent, 14, ly->v[EY_SALES_REVENUE]);
    demo_bind_opt(c->s.ent, 15, has_bp, bp);
    db_bind_int64(c->s.ent, 16, c->a->user_id);
    db_bind_text(c->s.ent, 17, c->now);
    demo_bind_opt(c->s.ent, 18, liaison > 0, liaison);
    rc = db_step(c->s.ent, e);
    if (rc == DB_ROW) {
        id = db_col_int64(c->s.ent, 0);
        /* Step to the end before the reset (see ent_create). */
        rc = db_step(c->s.ent, e);
    }
    db_reset(c->s.ent);
    if (rc != DB_DONE || id <= 0) {
        return rc == DB_DONE ? err_set(e, ERR_INTERNAL, NULL, "服务器内部错误")
                             : rc;
    }
    c->rep->enterprises++;
    if (!c->batch_lo) {
        c->batch_lo = id;
    }
    c->batch_hi = id;
    if (d.former[0]) {
        char used_to[DATE_ISO_SIZE];
        demo_date_between(&r, d.established, c->last_day, used_to);
        db_bind_int64(c->s.name, 1, id);
        db_bind_text(c->s.name, 2, d.former);
        db_bind_text(c->s.name, 3, used_to);
        db_bind_text(c->s.name, 4, c->now);
        rc = demo_run(c->s.name, e);
        if (rc) {
            return rc;
        }
        c->rep->former_names++;
    }
    for (k = 0; k < d.n_years; k++) {
        const DemoYear *dy = &d.years[k];
        RecRow row = {(void *)dy, demo_year_int, NULL};
        rc = demo_check(RECRULE_FIGURES, &row, e);
        if (rc) {
            return rc;
        }
        db_bind_int64(c->s.year, 1, id);
        db_bind_int64(c->s.year, 2, dy->year);
        for (f = 0; f < ENT_YEAR_N_FIELDS; f++) {
            demo_bind_opt(c->s.year, f + 3, dy->has[f], dy->v[f]);
        }
        db_bind_int64(c->s.year, ENT_YEAR_N_FIELDS + 3, c->a->user_id);
        db_bind_text(c->s.year, ENT_YEAR_N_FIELDS + 4, c->now);
        rc = demo_run(c->s.year, e);
        if (rc) {
            return rc;
        }
        c->rep->year_rows++;
    }
    rc = demo_write_ip(c, &r, &d, id, e);
    if (rc) {
        return rc;
    }
    rc = demo_write_facts(c, &r, &d, id, e);
    if (rc) {
        return rc;
    }
    return demo_write_decls(c, i, &d, id, e);
}

/* Find or create the district's units under the root. */
static int demo_units_ensure(DemoCtx *c, int64_t *root_id, char *root_path,
                             size_t cap, Err *e)
{
    int i;
    int rc;

    rc = db_query_int64(c->db, root_id, e,
                        "SELECT id FROM org_units WHERE parent_id IS NULL "
                        "ORDER BY id LIMIT 1",
                        "");
    if (rc == ERR_NOTFOUND) {
        rc = org_create_root(c->db, c->a,
                             c->o->root_name ? c->o->root_name : "天津市河东区",
                             root_id, e);
        if (rc == 0) {
            c->rep->units_created++;
        }
    }
    if (rc) {
        return rc;
    }
    rc = org_path(c->db, *root_id, root_path, cap, NULL, e);
    if (rc) {
        return rc;
    }
    for (i = 0; i < DEMO_N_UNITS; i++) {
        rc = db_query_int64(c->db, &c->unit_ids[i], e,
                            "SELECT id FROM org_units WHERE parent_id = $1 "
                            "AND name = $2 AND retired_at IS NULL",
                            "it", *root_id, demo_units[i].name);
        if (rc == ERR_NOTFOUND) {
            OrgInput in;
            memset(&in, 0, sizeof in);
            in.parent_id = *root_id;
            in.name = demo_units[i].name;
            in.kind = demo_units[i].kind;
            in.sort = i + 1;
            rc = org_create(c->db, c->a, &in, &c->unit_ids[i], e);
            if (rc == 0) {
                c->rep->units_created++;
            }
        }
        if (rc) {
            return rc;
        }
    }
    return 0;
}

int demo_generate(Db *db, const Actor *a, const DemoOptions *opt,
                  DemoProgressFn progress, void *ud, DemoReport *rep, Err *e)
{
    DemoOptions o = *opt;
    DemoCtx *c = calloc(1, sizeof *c);
    char root_path[ACTOR_PATH_MAX];
    int64_t root_id = 0;
    int64_t n = 0;
    uint64_t i;
    int rc;

    memset(rep, 0, sizeof *rep);
    c->db = db;
    c->a = a;
    c->o = &o;
    c->rep = rep;
    if (a->role != ROLE_ADMIN || strcmp(a->unit_path, "/") != 0) {
        rc = err_set(e, ERR_FORBIDDEN, NULL, "只有系统管理员可以生成演示数据");
        goto out;
    }
    if (o.enterprises < 1 || o.enterprises > DEMO_MAX_ENTERPRISES) {
        rc = err_set(e, ERR_INVALID, "enterprises", "企业数应在 1～%lld 之间",
                     (long long)DEMO_MAX_ENTERPRISES);
        goto out;
    }
    if (o.years == 0) {
        o.years = DEMO_YEARS_MIN;
    }
    if (o.years < DEMO_YEARS_MIN || o.years > DEMO_YEARS_MAX) {
        rc = err_set(e, ERR_INVALID, "years", "年度数应在 %d～%d 之间",
                     DEMO_YEARS_MIN, DEMO_YEARS_MAX);
        goto out;
    }
    clock_now_iso(c->now, 0);
    if (o.last_year == 0) {
        o.last_year = (c->now[0] - '0') * 1000 + (c->now[1] - '0') * 100 +
                      (c->now[2] - '0') * 10 + (c->now[3] - '0') - 1;
    }
    if (o.last_year < 2000 || o.last_year > 2999) {
        rc = err_set(e, ERR_INVALID, "last_year",
                     "最近年度应在 2000～2999 之间");
        goto out;
    }
    if (date_from_ymd(o.last_year, 12, 31, &c->last_day, "last_year", e)) {
        rc = ERR_INVALID;
        goto out;
    }
    rc = db_query_int64(db, &n, e, "SELECT COUNT(*) FROM enterprises", "");
    if (rc) {
        goto out;
    }
    if (n > 0) {
        rc = err_set(e, ERR_CONFLICT, "enterprises",
                     "数据库中已有 %lld 家企业，演示数据只能写入空的企业库",
                     (long long)n);
        goto out;
    }
    rc = demo_units_ensure(c, &root_id, root_path, sizeof root_path, e);
    if (rc) {
        goto out;
    }
    rc = demo_staff_ensure(c, root_id, e);
    if (rc) {
        goto out;
    }
    rc = demo_stmts_prepare(db, &c->s, e);
    if (rc) {
        goto out;
    }
    for (i = 0; i < (uint64_t)o.enterprises; i++) {
        if (i % DEMO_BATCH == 0) {
            rc = db_begin(db, e);
            if (rc) {
                goto out;
            }
            if (i == 0) {
                /* One audit entry for the run, committed with the first
                 * batch so any demo data has its entry. */
                json_t *after = json_pack(
                    "{s:I, s:I, s:i, s:i, s:I}", "enterprises",
                    (json_int_t)o.enterprises, "seed", (json_int_t)o.seed,
                    "years", o.years, "last_year", o.last_year, "units_created",
                    (json_int_t)rep->units_created);
                json_object_set_new(after, "staff_created",
                                    json_integer((json_int_t)c->rep_staff));
                rc = audit_record(db, a, "demo.generate", "org_unit", root_id,
                                  root_path, NULL, after, e);
                json_decref(after);
                if (rc) {
                    goto out;
                }
            }
        }
        rc = demo_write_one(c, i, e);
        if (rc) {
            goto out;
        }
        if ((i + 1) % DEMO_BATCH == 0 || i + 1 == (uint64_t)o.enterprises) {
            /* The list's derived columns of the batch (set-based). */
            rc = c->batch_lo ? ent_refresh_derived(db, c->batch_lo, c->batch_hi,
                                                   ENT_DERIVED_IP1, e)
                             : 0;
            c->batch_lo = c->batch_hi = 0;
            if (rc) {
                goto out;
            }
            rc = db_commit(db, e);
            if (rc) {
                goto out;
            }
            if (progress) {
                progress(ud, (int64_t)(i + 1), o.enterprises);
            }
        }
    }
    /* the register first: the policy and pipeline demos add 高企
     * recognitions only where the register has none */
    rc = qual_demo_generate(db, a, o.seed, c->last_day, e);
    if (rc == 0) {
        rc = pipeline_demo_generate(db, a, o.seed, o.last_year + 1, e);
    }
    if (rc == 0) {
        rc = policy_demo(db, a, o.last_year + 1, e);
    }
    if (rc == 0) {
        rc = plan_demo_generate(db, a, e);
    }
    if (rc == 0) {
        rc = carrier_demo_generate(db, a, o.seed, o.last_year, e);
    }
    if (rc == 0) {
        rc = market_demo_generate(db, a, o.seed, o.last_year, NULL, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    demo_stmts_free(&c->s);
    free(c);
    return rc;
}
