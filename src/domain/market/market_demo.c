/* market_demo.c - demonstration contracts (see market_demo.h). */
#include "domain/market/market_demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/accounts/audit.h"
#include "domain/market/challenge.h"
#include "domain/market/contract.h"
#include "domain/market/event.h"
#include "domain/market/pool.h"
#include "domain/market/share.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MD_SELLERS 240 /* enterprises of the library that sell */

typedef struct MdEnt {
    char uscc[19];
    char name[256];
} MdEnt;

static uint64_t md_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t md_below(uint64_t *s, uint64_t n)
{
    return n ? md_next(s) % n : 0;
}

/* Buyers outside the library: name, region code. */
static const struct {
    const char *name, *region;
} md_buyers[] = {
    {"北京中关村智能装备有限公司", "110108"},
    {"上海张江生物医药研发有限公司", "310115"},
    {"苏州工业园区纳米材料有限公司", "320571"},
    {"河北沧州渤海化工集团有限公司", "130900"},
    {"天津滨海新区港口物流有限公司", "120116"},
    {"天津市西青区精工模具厂", "120111"},
    {"山东潍坊动力机械股份有限公司", "370700"},
    {"深圳南山电子科技有限公司", "440305"},
    {"广州黄埔新能源汽车有限公司", "440112"},
    {"Siemens Mobility GmbH", "276"},
    {"Tokyo Precision Instruments Co., Ltd.", "392"},
    {"天津大学", "120104"},
    {"南开大学", "120104"},
    {"天津市第三中心医院", "120102"},
};

/* Subjects by 技术领域 (index = field - 1). */
static const char *const md_subjects[CONTRACT_FIELD_COUNT][3] = {
    {"工业互联网数据采集平台", "智能网关嵌入式软件", "园区能耗监测系统"},
    {"无人机飞控算法", "航空复合材料检测", "机载线缆测试装置"},
    {"数控机床故障诊断系统", "伺服电机控制算法", "焊接机器人视觉定位"},
    {"体外诊断试剂工艺", "医用导管涂层", "中药提取工艺优化"},
    {"锂电池隔膜涂覆工艺", "高性能密封材料", "石墨烯导热膜"},
    {"光伏逆变器控制策略", "余热回收换热器", "储能系统管理软件"},
    {"污水处理工艺", "土壤修复药剂", "固废资源化利用"},
    {"辐照灭菌工艺", "核仪表校准装置", "放射性检测方法"},
    {"设施农业环境控制", "种苗快繁技术", "农产品冷链保鲜"},
    {"轨道交通信号检测", "新能源汽车电驱测试", "港口自动化调度"},
    {"老旧小区改造监测", "智慧社区管理平台", "建筑节能评估"},
};

static const char *const md_types[] = {"KF", "KF", "KF", "FW", "FW",
                                       "ZX", "ZR", "XK", "FW", "KF"};

static const char *md_verb(const char *type)
{
    if (strcmp(type, "KF") == 0) {
        return "技术开发";
    }
    if (strcmp(type, "ZR") == 0) {
        return "技术秘密转让";
    }
    if (strcmp(type, "XK") == 0) {
        return "专利实施许可";
    }
    if (strcmp(type, "ZX") == 0) {
        return "技术咨询";
    }
    return "技术服务";
}

static int md_load(Db *db, MdEnt **out, size_t *n, Err *e)
{
    DbStmt *st = NULL;
    MdEnt *v = xcalloc(MD_SELLERS, sizeof *v);
    size_t k = 0;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT uscc, name FROM enterprises WHERE retired_at IS "
                      "NULL ORDER BY id LIMIT $1",
                      "i", (int64_t)MD_SELLERS);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        snprintf(v[k].uscc, sizeof v[k].uscc, "%s", db_col_text(st, 0));
        snprintf(v[k].name, sizeof v[k].name, "%s", db_col_text(st, 1));
        k++;
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    *out = v;
    *n = k;
    return rc;
}

/* One library entry; *id gets its id. */
static int md_item(Db *db, const Actor *a, const char *kind,
                   const char *const *kv, int64_t *id, Err *e)
{
    PoolInput in;
    int c;

    memset(&in, 0, sizeof in);
    for (; kv[0]; kv += 2) {
        for (c = 0; c < POOL_NCOLS; c++) {
            if (strcmp(kv[0], pool_col_key(c)) == 0) {
                in.v[c] = kv[1];
            }
        }
    }
    return pool_create(db, a, kind, &in, id, e);
}

/* For the first enterprises (at most 12): two uses of instrument in year
 * each, and for each unit among them one 成果对接会 of that unit, held, with
 * its enterprises attending and an intended deal. */
static int md_events_shares(Db *db, const Actor *a, const MdEnt *ents,
                            size_t n_ents, int64_t instrument, int year, Err *e)
{
    int64_t units[12] = {0};
    size_t n_units = 0, i, j;
    char from[32], hours[16], fee[24];
    int rc = 0;

    for (i = 0; rc == 0 && i < n_ents && i < 12; i++) {
        ShareInput in;
        DbStmt *st = NULL;
        int64_t ent = 0, unit = 0, sid = 0;
        int seen = 0;
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, unit_id FROM enterprises WHERE uscc = "
                          "$1",
                          "t", ents[i].uscc);
        if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            ent = db_col_int64(st, 0);
            unit = db_col_int64(st, 1);
            rc = 0;
        }
        rc = rc == DB_DONE ? 0 : rc;
        db_finalize(st);
        if (rc || !ent) {
            continue;
        }
        for (j = 0; j < 2 && rc == 0; j++) {
            memset(&in, 0, sizeof in);
            snprintf(from, sizeof from, "%04d-%02d-%02d", year,
                     (int)(1 + (i * 5 + j * 6) % 12), (int)(3 + i % 20));
            snprintf(hours, sizeof hours, "%d.5", (int)(1 + (i + j) % 6));
            snprintf(fee, sizeof fee, "%d", 400 * (int)(1 + (i + j) % 6));
            in.resource_id = instrument;
            in.ent_id = ent;
            in.used_from = from;
            in.hours = hours;
            in.fee = fee;
            in.purpose = "材料微观形貌分析";
            rc = share_create(db, a, &in, &sid, e);
        }
        for (j = 0; j < n_units; j++) {
            seen |= units[j] == unit;
        }
        if (rc == 0 && !seen) {
            json_t *body;
            int64_t ev = 0;
            units[n_units++] = unit;
            snprintf(from, sizeof from, "%04d-%02d-18", year,
                     (int)(4 + n_units % 8));
            body = json_pack("{sssssssssss[]s[{sssIsb}]s[{ssssss}]}", "title",
                             "成果对接会（智能制造专场）", "held_on", from,
                             "place", "区科技局报告厅", "organiser", "区科技局",
                             "status", "held", "items", "attendees", "kind",
                             "enterprise", "ent_id", (json_int_t)ent,
                             "attended", 1, "deals", "title", "技术许可意向",
                             "parties", ents[i].name, "amount_wan", "30");
            json_object_set_new(body, "unit_id", json_integer(unit));
            rc = event_create(db, a, body, &ev, e);
            json_decref(body);
        }
    }
    return rc;
}

/* Achievements, demands of the first enterprises, institutions, experts
 * and instruments, and challenges at every stage. */
static int md_pool(Db *db, const Actor *a, const MdEnt *ents, size_t n_ents,
                   int year, Err *e)
{
    static const char *const ach[][6] = {
        {"university", "天津大学", "一种伺服电机振动抑制方法",
         "基于陷波滤波与自适应控制的伺服电机振动抑制方法，已授权发明专利", "3",
         "pilot"},
        {"university", "南开大学", "高选择性锂电池隔膜涂层材料",
         "陶瓷涂覆隔膜材料，提高锂电池热稳定性与循环寿命", "5", "pilot_small"},
        {"institute", "天津市某研究院", "工业污水深度处理膜分离工艺",
         "膜分离与高级氧化耦合的工业污水深度处理工艺", "7", "industrial"},
        {"university", "河北工业大学", "焊接机器人视觉定位系统",
         "基于深度学习的焊缝识别与机器人视觉定位", "3", "pilot"},
        {"institute", "中国科学院某研究所", "光伏逆变器高效控制算法",
         "提高光伏逆变器转换效率的模型预测控制算法", "6", "lab"},
        {"university", "天津科技大学", "中药提取物低温干燥工艺",
         "保持活性成分的中药提取物低温干燥工艺", "4", "pilot_small"},
    };
    static const char *const dem[][3] = {
        {"伺服电机高速运行振动与噪声抑制",
         "伺服电机在高速运行时振动和噪声偏大，需要振动抑制方法", "3"},
        {"锂电池隔膜涂覆厚度不均", "隔膜涂覆厚度均匀性差，需要涂覆工艺与检测",
         "5"},
        {"焊缝自动识别", "焊接产线需要焊缝自动识别与机器人定位", "3"},
        {"园区污水处理提标改造", "污水处理需达到更高排放标准，寻求深度处理工艺",
         "7"},
        {"储能系统电池管理软件", "需要储能电池管理系统算法与软件", "6"},
    };
    static const char *const stages[] = {"draft", "published", "selected",
                                         "contracted", "closed"};
    int64_t id = 0, demands[5] = {0};
    char date[32], price[32];
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < N_OF(ach); i++) {
        const char *kv[] = {"subkind",
                            ach[i][0],
                            "org_name",
                            ach[i][1],
                            "title",
                            ach[i][2],
                            "summary",
                            ach[i][3],
                            "field",
                            ach[i][4],
                            "maturity",
                            ach[i][5],
                            "modes",
                            "转让、许可、合作开发",
                            "price",
                            "50",
                            "contact_name",
                            "技术转移中心",
                            NULL};
        rc = md_item(db, a, "achievement", kv, &id, e);
    }
    for (i = 0; rc == 0 && i < N_OF(dem) && i < n_ents; i++) {
        snprintf(date, sizeof date, "%04d-12-31", year + 1);
        snprintf(price, sizeof price, "%d", 30 + 20 * (int)i);
        {
            const char *kv[] = {
                "subkind",    "problem", "org_name", ents[i].name, "uscc",
                ents[i].uscc, "title",   dem[i][0],  "summary",    dem[i][1],
                "field",      dem[i][2], "price",    price,        "deadline",
                date,         NULL};
            rc = md_item(db, a, "demand", kv, &demands[i], e);
        }
    }
    if (rc == 0) {
        const char *kv[] = {"subkind",
                            "transfer",
                            "title",
                            "天津市河东区技术转移中心",
                            "summary",
                            "技术转移、技术合同登记咨询、成果对接会",
                            "qualifications",
                            "国家技术转移示范机构",
                            NULL};
        rc = md_item(db, a, "institution", kv, &id, e);
    }
    if (rc == 0) {
        const char *kv[] = {"subkind",
                            "testing",
                            "title",
                            "天津某检验检测认证有限公司",
                            "summary",
                            "电机、电池、材料检验检测",
                            "qualifications",
                            "CMA、CNAS",
                            NULL};
        rc = md_item(db, a, "institution", kv, &id, e);
    }
    if (rc == 0) {
        const char *kv[] = {
            "subkind",  "expert",   "title",   "王教授",
            "org_name", "天津大学", "summary", "电机控制、振动与噪声",
            "field",    "3",        NULL};
        rc = md_item(db, a, "resource", kv, &id, e);
    }
    if (rc == 0) {
        const char *kv[] = {"subkind",  "instrument",
                            "title",    "场发射扫描电子显微镜",
                            "org_name", "南开大学",
                            "summary",  "材料微观形貌分析",
                            "modes",    "预约共享，按机时收费",
                            "price",    "0.08",
                            NULL};
        rc = md_item(db, a, "resource", kv, &id, e);
    }
    /* for the first enterprises of each unit: uses of the instrument and
     * a matchmaking event of the unit */
    if (rc == 0) {
        rc = md_events_shares(db, a, ents, n_ents, id, year, e);
    }
    /* challenges at every stage */
    for (i = 0; rc == 0 && i < N_OF(stages) && demands[i]; i++) {
        ChallengeArgs x;
        int64_t ch = 0;
        memset(&x, 0, sizeof x);
        x.has_money = 1;
        x.money = 500000 + 250000 * (int64_t)i;
        snprintf(date, sizeof date, "%04d-12-31", year + 1);
        x.date = date;
        rc = challenge_create(db, a, demands[i], &x, &ch, e);
        if (rc || i == 0) {
            continue;
        }
        memset(&x, 0, sizeof x);
        rc = challenge_act(db, a, ch, "publish", &x, e);
        if (rc == 0) {
            x.applicant = ach[i][1];
            x.applicant_kind = "university";
            x.proposal = "以已有成果为基础开展技术攻关";
            rc = challenge_act(db, a, ch, "apply", &x, e);
        }
        if (rc || i == 1) {
            continue;
        }
        memset(&x, 0, sizeof x);
        rc = db_query_int64(db, &x.ref_id, e,
                            "SELECT MAX(id) FROM challenge_applications WHERE "
                            "challenge_id = $1",
                            "i", ch);
        x.note = "方案成熟、报价合理";
        if (rc == 0) {
            rc = challenge_act(db, a, ch, "select", &x, e);
        }
        if (rc || i == 2) {
            continue;
        }
        memset(&x, 0, sizeof x);
        rc = db_query_int64(db, &x.ref_id, e,
                            "SELECT MIN(id) FROM contracts WHERE status = "
                            "'registered'",
                            "");
        if (rc == 0) {
            rc = challenge_act(db, a, ch, "link_contract", &x, e);
        }
        if (rc == 0) {
            memset(&x, 0, sizeof x);
            x.title = "样机研制与测试";
            rc = challenge_act(db, a, ch, "milestone_add", &x, e);
        }
        if (rc || i == 3) {
            continue;
        }
        memset(&x, 0, sizeof x);
        rc = db_query_int64(db, &x.ref_id, e,
                            "SELECT MAX(id) FROM challenge_milestones WHERE "
                            "challenge_id = $1",
                            "i", ch);
        if (rc == 0) {
            rc = challenge_act(db, a, ch, "milestone_done", &x, e);
        }
        if (rc == 0) {
            x.note = "达到榜单技术指标";
            rc = challenge_act(db, a, ch, "accept", &x, e);
        }
        if (rc == 0) {
            memset(&x, 0, sizeof x);
            x.note = "成果已在企业产线应用";
            x.has_money = 1;
            x.money = 1000000;
            rc = challenge_act(db, a, ch, "close", &x, e);
        }
    }
    return rc;
}

int market_demo_generate(Db *db, const Actor *a, uint64_t seed, int last_year,
                         int64_t *n_out, Err *e)
{
    MdEnt *ents = NULL;
    size_t n_ents = 0;
    int64_t existing = 0, written = 0;
    int64_t cancel_ids[4] = {0};
    int n_cancel = 0;
    uint64_t s = seed ^ 0x6D61726B6574ULL; /* "market" */
    Date today = date_today();
    int year, rc;

    if (n_out) {
        *n_out = 0;
    }
    rc = db_query_int64(db, &existing, e, "SELECT COUNT(*) FROM contracts", "");
    if (rc || existing > 0) {
        return rc;
    }
    rc = md_load(db, &ents, &n_ents, e);
    if (rc || n_ents == 0) {
        free(ents);
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        free(ents);
        return rc;
    }
    for (year = last_year - 3; rc == 0 && year <= last_year + 1; year++) {
        /* growth of about 12 % a year */
        int64_t per = (int64_t)n_ents / 2 + 20;
        int64_t i, count;
        if (per > MARKET_DEMO_PER_YEAR) {
            per = MARKET_DEMO_PER_YEAR;
        }
        count = per * (100 + 12 * (year - (last_year - 3))) / 148;
        for (i = 0; rc == 0 && i < count; i++) {
            ContractInput in;
            ContractRec r;
            char reg[40], title[256], signed_on[11], reg_on[11], vto[11];
            const MdEnt *seller;
            int field = 1 + (int)md_below(&s, CONTRACT_FIELD_COUNT);
            const char *type = md_types[md_below(&s, N_OF(md_types))];
            int month = 1 + (int)md_below(&s, 12);
            int day = 1 + (int)md_below(&s, 28);
            int64_t amount, tech;
            Date sd, rd;
            int outcome = 0;
            Err ce;
            /* a few sellers carry most of the value */
            seller = &ents[md_below(&s, 4) == 0
                               ? md_below(&s, 12 < n_ents ? 12 : n_ents)
                               : md_below(&s, n_ents)];
            if (date_from_ymd(year, month, day, &rd, "d", &ce) != 0) {
                continue;
            }
            if (rd > today) {
                continue; /* the running year: up to today */
            }
            sd = date_add_days(rd, -(int32_t)(5 + md_below(&s, 40)));
            date_format_iso(sd, signed_on);
            date_format_iso(rd, reg_on);
            date_format_iso(date_add_days(sd, 365), vto);
            /* log-ish amounts: 5 万 .. 2000 万 */
            amount = 50000;
            {
                int k, steps = (int)md_below(&s, 8);
                for (k = 0; k < steps; k++) {
                    amount = amount * (15 + (int64_t)md_below(&s, 20)) / 10;
                }
            }
            amount -= amount % 1000;
            tech = strcmp(type, "KF") == 0 && md_below(&s, 3) == 0
                       ? amount * (70 + (int64_t)md_below(&s, 25)) / 100
                       : amount;
            tech -= tech % 100;
            snprintf(reg, sizeof reg, "%04d120102%06lld", year,
                     (long long)i + 1);
            snprintf(title, sizeof title, "%s%s合同",
                     md_subjects[field - 1][md_below(&s, 3)], md_verb(type));
            memset(&in, 0, sizeof in);
            in.reg_no = reg;
            in.title = title;
            if (year < 2021 && strcmp(type, "XK") == 0) {
                in.legacy_type = "技术转让（专利实施许可）";
            } else {
                in.type = type;
            }
            in.subtype = strcmp(type, "XK") == 0   ? "patent"
                         : strcmp(type, "ZR") == 0 ? "secret"
                         : strcmp(type, "KF") == 0 ? "entrusted"
                         : strcmp(type, "FW") == 0 ? "general"
                                                   : NULL;
            in.seller_uscc = seller->uscc;
            in.seller_name = seller->name;
            in.seller_region = "120102";
            if (md_below(&s, 5) == 0 && n_ents > 1) {
                const MdEnt *b = &ents[md_below(&s, n_ents)];
                if (b == seller) {
                    b = &ents[(size_t)(b - ents + 1) % n_ents];
                }
                in.buyer_uscc = b->uscc;
                in.buyer_name = b->name;
                in.buyer_region = "120102";
            } else {
                size_t bi = md_below(&s, N_OF(md_buyers));
                in.buyer_name = md_buyers[bi].name;
                in.buyer_region = md_buyers[bi].region;
            }
            in.has_amount = in.has_tech_amount = 1;
            in.amount = amount;
            in.tech_amount = tech;
            in.signed_on = signed_on;
            in.registered_on = reg_on;
            in.valid_from = signed_on;
            in.valid_to = vto;
            in.field = field;
            in.ip_kind = strcmp(type, "XK") == 0   ? "patent"
                         : strcmp(type, "ZR") == 0 ? "secret"
                         : strcmp(type, "KF") == 0 ? "secret"
                                                   : "none";
            in.office = "河东区技术合同登记站";
            in.rejected = md_below(&s, 60) == 0;
            if (contract_check(&in, &r, &ce) != 0) {
                continue; /* the generator keeps to the rules */
            }
            rc = contract_upsert_tx(db, a, &r, 0, &outcome, e);
            if (rc) {
                break;
            }
            written++;
            /* now and then a change of amount: an amendment event */
            if (!r.rejected && md_below(&s, 25) == 0) {
                r.amount += r.amount / 10;
                r.amount -= r.amount % 1000;
                rc = contract_upsert_tx(db, a, &r, 0, &outcome, e);
            }
            if (rc == 0 && !r.rejected && n_cancel < 4 &&
                md_below(&s, 80) == 0) {
                rc = db_query_int64(db, &cancel_ids[n_cancel], e,
                                    "SELECT id FROM contracts WHERE reg_no = "
                                    "$1",
                                    "t", r.reg_no);
                n_cancel += rc == 0;
            }
        }
    }
    if (rc == 0) {
        json_t *after = json_pack("{sIsI}", "contracts", (json_int_t)written,
                                  "seed", (json_int_t)(seed & 0x7FFFFFFF));
        rc = audit_record(db, a, "contract.demo", "contract", 0, NULL, NULL,
                          after, e);
        json_decref(after);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    } else {
        db_rollback(db);
    }
    for (year = 0; rc == 0 && year < n_cancel; year++) {
        rc = contract_cancel(db, a, cancel_ids[year], NULL, "合同双方协商解除",
                             e);
    }
    if (rc == 0) {
        rc = md_pool(db, a, ents, n_ents, last_year, e);
    }
    free(ents);
    if (rc == 0 && n_out) {
        *n_out = written;
    }
    return rc;
}
