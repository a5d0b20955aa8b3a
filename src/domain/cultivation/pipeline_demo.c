/* pipeline_demo.c - demo batches, journeys and service logs (see
 * pipeline_demo.h). Deterministic in the seed. */
#include "domain/cultivation/pipeline_demo.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "domain/cultivation/pipeline.h"
#include "domain/cultivation/service.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define PD_ENTS_MAX 240 /* enterprises the demo draws on */

static const char *const pd_tiers[] = {"sme", "hnte", "chuying", "dengling",
                                       "lingjun"};

static const char *const pd_reasons[] = {
    "街道推荐：研发投入连续增长",
    "园区推荐：新获发明专利授权",
    "走访发现：拟申报，需要辅导",
    "行业龙头配套企业，成长性好",
};

static const char *const pd_asks[] = {
    "希望对接高校实验室开展联合研发", "咨询研发费用加计扣除政策",
    "需要人才公寓申请指导",           "希望协调银行科技贷款",
    "咨询高企认定申报材料准备",       "需要知识产权质押融资对接",
};

static const char *const pd_results[] = {
    "已对接天津大学相关学院，双方签订合作意向",
    "已安排税务专员上门讲解",
    "已转区人社局办理",
    "已推荐至合作银行，进入授信流程",
};

/* Run one transition; a refusal (a tier without a current rule set, a
 * register row missing) is not a failure of the demo. */
static int pd_act(Db *db, const Actor *a, int64_t entry, const char *action,
                  const char *comment, Err *e)
{
    PipeAct act;
    json_t *out = NULL;
    int rc;

    memset(&act, 0, sizeof act);
    act.action = action;
    act.comment = comment;
    rc = pipe_entry_act(db, a, entry, &act, &out, e);
    json_decref(out);
    return rc;
}

/* Put a certificate of tier for enterprise ent issued in year into the
 * register (the 认定 outcome reads it). */
static int pd_certificate(Db *db, int64_t ent, const char *tier, int year,
                          int k, Err *e)
{
    char issued[32], to[32], no[48], now[CLOCK_ISO_LEN];

    clock_now_iso(now, 0);
    snprintf(issued, sizeof issued, "%04d-10-%02d", year, 10 + k % 15);
    snprintf(to, sizeof to, "%04d-10-%02d", year + 3, 9 + k % 15);
    snprintf(no, sizeof no, "PD%04d%s%06lld", year, tier, (long long)ent);
    return db_exec_v(db, e,
                     "INSERT INTO qualifications (enterprise_id, kind, "
                     "cert_no, year, issued_on, valid_from, valid_to, basis, "
                     "note, src_kind, src_at, created_at, updated_at) VALUES "
                     "($1, $2, $3, $4, $5, $5, $6, 'first', '演示数据', "
                     "'demo', $7, $7, $7)",
                     "ittittt", ent, tier, no, (int64_t)year, issued, to, now);
}

static int pd_batch(Db *db, const Actor *a, const char *tier, int year,
                    const int64_t *ids, int n, int off, Err *e)
{
    PipeBatchInput in;
    int64_t batch = 0;
    int rc, m = n < PIPELINE_DEMO_PER_BATCH ? n : PIPELINE_DEMO_PER_BATCH;

    memset(&in, 0, sizeof in);
    in.tier = tier;
    in.year = year;
    in.note = "演示批次";
    rc = pipe_batch_create(db, a, &in, &batch, e);
    for (int j = 0; rc == 0 && j < m; j++) {
        int64_t ent = ids[(off + j) % n], entry = 0;

        rc =
            pipe_entry_add(db, a, batch, ent,
                           pd_reasons[(off + j) % N_OF(pd_reasons)], &entry, e);
        if (rc == 0 && j >= 3) {
            rc = pd_act(db, a, entry, "recommend", "企业研发投入稳定，推荐入库",
                        e);
        }
        if (rc == 0 && j == 4) {
            rc =
                pd_act(db, a, entry, "return", "请补充近三年研发费用辅助账", e);
        }
        if (rc == 0 && j >= 5) {
            rc = pd_act(db, a, entry, "approve", "同意入库", e);
        }
        if (rc == 0 && j >= 7) {
            rc = pd_act(db, a, entry, "cultivate", NULL, e);
        }
        if (rc == 0 && (j == 9 || j == 10)) {
            rc = pd_certificate(db, ent, tier, year, j, e);
            if (rc == 0) {
                rc = pd_act(db, a, entry, "certify", NULL, e);
            }
        }
        if (rc == 0 && j == 11) {
            rc = pd_act(db, a, entry, "certify",
                        "未列入本年度认定名单：研发费用占比不足", e);
        }
    }
    return rc;
}

/* The unit of enterprise ent (ent 0: the root unit). */
static int pd_unit(Db *db, int64_t ent, int64_t *unit, Err *e)
{
    if (ent == 0) {
        return db_query_int64(db, unit, e,
                              "SELECT id FROM org_units WHERE parent_id IS "
                              "NULL ORDER BY id LIMIT 1",
                              "");
    }
    return db_query_int64(
        db, unit, e, "SELECT unit_id FROM enterprises WHERE id = $1", "i", ent);
}

/* A date of year: month m, day d ("YYYY-MM-DD"). */
static void pd_date(char out[16], int year, int m, int d)
{
    snprintf(out, 16, "%04d-%02d-%02d", year, m, d);
}

static int pd_service(Db *db, const Actor *a, const int64_t *ids, int n,
                      int year, uint64_t seed, Err *e)
{
    char held[16], due[16];
    int rc = 0;

    /* visits with asks, one enterprise each */
    for (int k = 0; rc == 0 && k < 24 && k < n; k++) {
        ServiceLogInput in;
        ServiceAskInput ask;
        int m = 1 + k % 11;
        int64_t log_id = 0, ent = ids[(k * 7 + (int)(seed % 5)) % n];

        memset(&in, 0, sizeof in);
        memset(&ask, 0, sizeof ask);
        pd_date(held, year, m, 5 + k % 20);
        pd_date(due, year, m + 1, 5 + k % 20);
        in.kind = k % 5 == 4 ? "meeting" : k % 7 == 3 ? "call" : "visit";
        in.held_on = held;
        in.title = k % 5 == 4 ? "企业座谈：研发投入与人才" : "包联走访";
        in.topics = "了解经营与研发情况，宣讲高企认定与研发费用加计扣除政策";
        in.participants = "区科技局、街道科技专员、企业负责人";
        in.enterprise_ids = &ent;
        in.n_enterprises = 1;
        rc = pd_unit(db, ent, &in.unit_id, e);
        if (k % 2 == 0) {
            ask.enterprise_id = ent;
            ask.content = pd_asks[k % N_OF(pd_asks)];
            ask.due_on = due;
            in.asks = &ask;
            in.n_asks = 1;
        }
        if (rc == 0) {
            rc = service_log_create(db, a, &in, &log_id, e);
        }
        if (rc == 0 && k % 4 == 0) { /* half of the asks answered */
            int64_t ask_id = 0;
            json_t *out = NULL;
            rc = db_query_int64(db, &ask_id, e,
                                "SELECT id FROM service_asks WHERE log_id = "
                                "$1",
                                "i", log_id);
            if (rc == 0) {
                rc = service_ask_follow(db, a, ask_id, "已协调相关部门", 1,
                                        pd_results[k % N_OF(pd_results)], &out,
                                        e);
            }
            json_decref(out);
        }
    }
    /* trainings and briefings: several enterprises each */
    for (int k = 0; rc == 0 && k < 5; k++) {
        ServiceLogInput in;
        int64_t log_id = 0, att[16];
        int na = k == 2 ? 6 : 10 + k; /* one below the plans' 10 */

        if (na > n) {
            na = n;
        }
        for (int i = 0; i < na; i++) {
            att[i] = ids[(k * 11 + i) % n];
        }
        /* distinct ids only (a small library wraps around) */
        for (int i = 1; i < na; i++) {
            for (int j = 0; j < i; j++) {
                if (att[j] == att[i]) {
                    na = i;
                }
            }
        }
        memset(&in, 0, sizeof in);
        pd_date(held, year, 3 + 2 * k, 18);
        in.kind = k == 4 ? "briefing" : "training";
        in.held_on = held;
        in.title = k == 4  ? "惠企政策宣讲会"
                   : k % 2 ? "研发费用归集实务培训"
                           : "高新技术企业认定申报培训";
        in.topics = "认定条件、申报材料、常见问题";
        in.participants = "区科技局、税务所、服务机构";
        in.enterprise_ids = att;
        in.n_enterprises = (size_t)na;
        rc = pd_unit(db, 0, &in.unit_id, e);
        if (rc == 0) {
            rc = service_log_create(db, a, &in, &log_id, e);
        }
    }
    return rc;
}

int pipeline_demo_generate(Db *db, const Actor *a, uint64_t seed, int year,
                           Err *e)
{
    int64_t *ids = xcalloc(PD_ENTS_MAX, sizeof *ids);
    DbStmt *st = NULL;
    int n = 0, rc;
    char from[16];

    /* enterprises the register already shows recognised in the batch year
     * (the qualifications demo) would be 认定 outside the pipeline */
    snprintf(from, sizeof from, "%04d-01-01", year);
    rc = db_prepare_v(db, &st, e,
                      "SELECT id FROM enterprises WHERE retired_at IS NULL "
                      "AND NOT EXISTS (SELECT 1 FROM qualifications q WHERE "
                      "q.enterprise_id = enterprises.id AND q.issued_on >= $2) "
                      "ORDER BY id LIMIT $1",
                      "it", (int64_t)PD_ENTS_MAX, from);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        ids[n++] = db_col_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    rc = rc == DB_DONE ? 0 : rc;
    for (size_t k = 0; rc == 0 && n > 0 && k < N_OF(pd_tiers); k++) {
        rc = pd_batch(
            db, a, pd_tiers[k], year, ids, n,
            (int)((k * PIPELINE_DEMO_PER_BATCH + seed % 7) % (uint64_t)n), e);
    }
    if (rc == 0 && n > 0) {
        rc = pd_service(db, a, ids, n, year, seed, e);
    }
    free(ids);
    return rc;
}
