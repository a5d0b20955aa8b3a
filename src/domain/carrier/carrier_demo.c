/* carrier_demo.c - demonstration carriers, tenants, platforms, talent and
 * listing candidates (see carrier_demo.h). Rows are written with direct
 * inserts that keep the rules of the domain: tenancies of one enterprise
 * never overlap, move-outs come after move-ins with a reason, one valid
 * platform per host, kind and level. */
#include "domain/carrier/carrier_demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "domain/accounts/audit.h"

#define CD_CARRIERS_MAX 40
#define CD_ENTS_MAX 4000
#define CD_ENTS_MIN 100 /* the indexes below stay distinct and in range */

typedef struct CdRng {
    uint64_t s;
} CdRng;

static uint32_t cd_next(CdRng *r)
{
    r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(r->s >> 33);
}

static int cd_pick(CdRng *r, int n)
{
    return n > 0 ? (int)(cd_next(r) % (uint32_t)n) : 0;
}

typedef struct CdEnt {
    int64_t id, unit;
} CdEnt;

static const struct {
    const char *type;
    const char *name;
    const char *level;
} cd_carriers[] = {
    {"maker_space", "河东创客空间", "national"},
    {"incubator", "河东科技企业孵化器", "national"},
    {"accelerator", "河东产业加速器", "municipal"},
    {"univ_park", "天津某大学国家大学科技园", "national"},
    {"sci_park", "河东智慧科技园", "municipal"},
    {"research_inst", "河东新材料产业技术研究院", "municipal"},
    {"student_base", "河东大学生创业孵化基地", "district"},
    {"sme_demo_base", "河东小微企业创业创新示范基地", "municipal"},
    {"maker_space", "大王庄众创空间", "district"},
    {"incubator", "大直沽科技企业孵化器", "municipal"},
    {"incubator", "东新科技孵化器", "district"},
    {"maker_space", "唐家口创新工场", NULL},
};
#define CD_N_CARRIERS (sizeof cd_carriers / sizeof cd_carriers[0])

static int cd_date(char out[40], int y, int m, int d)
{
    return snprintf(out, 40, "%04d-%02d-%02d", y, m, d);
}

int carrier_demo_generate(Db *db, const Actor *a, uint64_t seed, int last_year,
                          Err *e)
{
    CdRng r = {seed * 2654435761ULL + 17};
    char now[CLOCK_ISO_LEN];
    int64_t carrier_ids[CD_N_CARRIERS];
    int64_t n_tenants = 0, n_platforms = 0, n_talent = 0, n_listing = 0;
    CdEnt *ents = xmalloc(sizeof *ents * CD_ENTS_MAX);
    DbStmt *st = NULL;
    json_t *after = NULL;
    int n_ents = 0;
    int rc;

    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        free(ents);
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT id, unit_id FROM enterprises WHERE retired_at "
                      "IS NULL ORDER BY id LIMIT $1",
                      "i", (int64_t)CD_ENTS_MAX);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        ents[n_ents].id = db_col_int64(st, 0);
        ents[n_ents].unit = db_col_int64(st, 1);
        n_ents++;
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    rc = rc == DB_DONE ? 0 : rc;
    if (rc || n_ents < CD_ENTS_MIN) {
        goto out; /* too small a district: no carriers */
    }
    /* carriers, in the units of their first enterprises */
    for (size_t i = 0; i < CD_N_CARRIERS && rc == 0; i++) {
        char rec[40];
        int64_t area = 2000 + cd_pick(&r, 40) * 500;
        cd_date(rec, last_year - 6 + cd_pick(&r, 3), 1 + cd_pick(&r, 12),
                1 + cd_pick(&r, 28));
        rc = db_prepare_v(
            db, &st, e,
            "INSERT INTO carriers (name, type, level, recognized_on, "
            "recognition_doc, operator_name, unit_id, address, area, "
            "incubation_area, services, staff, mentors, created_at, "
            "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
            "$11, $12, $13, $14, $14) RETURNING id",
            "ttttttitiitiit", cd_carriers[i].name, cd_carriers[i].type,
            cd_carriers[i].level, cd_carriers[i].level ? rec : NULL,
            cd_carriers[i].level ? "津科函（演示）" : NULL,
            "天津河东科技服务有限公司（演示）", ents[i].unit,
            "天津市河东区（演示地址）", area, area * 6 / 10,
            "工商注册、政策申报、投融资对接、创业辅导",
            (int64_t)5 + cd_pick(&r, 20), (int64_t)3 + cd_pick(&r, 30), now);
        if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            carrier_ids[i] = db_col_int64(st, 0);
            rc = db_step(st, e) == DB_DONE ? 0 : ERR_DB;
        }
        db_finalize(st);
        st = NULL;
    }
    /* tenants: enterprise k (k >= 12, every third) goes through one chain
     * of carriers, so that no two tenancies overlap against the rule */
    for (int k = 12; k < n_ents && rc == 0; k += 3) {
        int c = cd_pick(&r, (int)CD_N_CARRIERS);
        int y = last_year - 5 + cd_pick(&r, 6);
        char in[40], out[40];
        int stays = 1 + cd_pick(&r, 4); /* years */
        int oy = y + stays;
        const char *reason = NULL;

        if (strcmp(cd_carriers[c].type, "univ_park") == 0 ||
            strcmp(cd_carriers[c].type, "sci_park") == 0) {
            c = 1; /* hosts take no demo tenants of their own */
        }
        cd_date(in, y, 1 + cd_pick(&r, 12), 1 + cd_pick(&r, 28));
        out[0] = '\0';
        if (oy <= last_year + 1 && cd_pick(&r, 3) != 0) {
            int p = cd_pick(&r, 10);
            cd_date(out, oy, 1 + cd_pick(&r, 12), 1 + cd_pick(&r, 28));
            reason = p < 6 ? "graduated" : p < 9 ? "moved" : "deregistered";
            if (strcmp(out, now) > 0) {
                out[0] = '\0';
                reason = NULL;
            }
        }
        rc = db_exec_v(db, e,
                       "INSERT INTO carrier_tenants (carrier_id, "
                       "enterprise_id, moved_in, moved_out, out_reason, "
                       "src_kind, src_user_id, src_at, created_at, "
                       "updated_at) VALUES ($1, $2, $3, $4, $5, 'demo', $6, "
                       "$7, $7, $7)",
                       "iitttit", carrier_ids[c], ents[k].id, in,
                       out[0] ? out : NULL, reason, a->user_id, now);
        n_tenants++;
        /* a graduate of the 众创空间 moves on into the 孵化器 */
        if (rc == 0 && reason && strcmp(reason, "graduated") == 0 &&
            strcmp(cd_carriers[c].type, "maker_space") == 0) {
            rc = db_exec_v(db, e,
                           "INSERT INTO carrier_tenants (carrier_id, "
                           "enterprise_id, moved_in, src_kind, src_user_id, "
                           "src_at, created_at, updated_at) VALUES ($1, $2, "
                           "$3, 'demo', $4, $5, $5, $5)",
                           "iitit", carrier_ids[1], ents[k].id, out, a->user_id,
                           now);
            n_tenants++;
        }
    }
    /* typed-in sheet values of the last year */
    for (size_t i = 0; i < CD_N_CARRIERS && rc == 0; i++) {
        rc = db_exec_v(
            db, e,
            "INSERT INTO carrier_sheet_values (carrier_id, year, "
            "indicator, value, note, src_kind, src_user_id, "
            "src_at) VALUES ($1, $2, 'revenue', $3, '载体年报（演示）', "
            "'demo', $4, $5)",
            "iiiit", carrier_ids[i], (int64_t)last_year,
            ((int64_t)100 + cd_pick(&r, 900)) * 10000, a->user_id, now);
        if (rc == 0) {
            rc = db_exec_v(db, e,
                           "INSERT INTO carrier_sheet_values (carrier_id, "
                           "year, indicator, value, note, src_kind, "
                           "src_user_id, src_at) VALUES ($1, $2, 'events', "
                           "$3, '载体年报（演示）', 'demo', $4, $5)",
                           "iiiit", carrier_ids[i], (int64_t)last_year,
                           (int64_t)4 + cd_pick(&r, 40), a->user_id, now);
        }
    }
    /* platforms: hosts are enterprises 0..9, one platform each */
    {
        static const struct {
            const char *kind, *name, *level, *status;
        } pf[] = {
            {"key_lab", "天津市智能制造重点实验室（演示）", "municipal",
             "valid"},
            {"key_lab", "天津市新能源材料重点实验室（演示）", "municipal",
             "valid"},
            {"eng_center", "天津市工业互联网工程技术研究中心（演示）",
             "municipal", "valid"},
            {"ent_tech_center", "天津市企业技术中心（演示）", "municipal",
             "valid"},
            {"ent_tech_center", "河东区企业技术中心（演示）", "district",
             "valid"},
            {"new_rd", "河东新型研发机构（演示）", "municipal", "valid"},
            {"academician", "院士专家工作站（演示）", "municipal", "valid"},
            {"key_lab", "国家重点实验室分室（演示）", "national", "valid"},
            {"eng_center", "区级工程技术研究中心（演示）", "district",
             "revoked"},
            {"alliance", "河东新材料产业技术创新战略联盟（演示）", "municipal",
             "valid"},
        };
        int64_t alliance = 0;
        for (size_t i = 0; i < sizeof pf / sizeof pf[0] && rc == 0; i++) {
            char rec[40], end[40];
            int revoked = strcmp(pf[i].status, "revoked") == 0;
            cd_date(rec, last_year - 5 + cd_pick(&r, 5), 1 + cd_pick(&r, 12),
                    1 + cd_pick(&r, 28));
            cd_date(end, last_year, 6, 30);
            rc = db_prepare_v(
                db, &st, e,
                "INSERT INTO platforms (kind, name, level, "
                "host_enterprise_id, host_name, unit_id, recognized_on, "
                "recognition_doc, status, status_on, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, '津科（演示）', $8, $9, "
                "$10, $10) RETURNING id",
                "tttptitttt", pf[i].kind, pf[i].name, pf[i].level,
                strcmp(pf[i].kind, "alliance") == 0 ? NULL : &ents[i].id,
                strcmp(pf[i].kind, "alliance") == 0 ? "天津某大学（演示）"
                                                    : NULL,
                ents[i].unit, rec, pf[i].status, revoked ? end : NULL, now);
            if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
                alliance = db_col_int64(st, 0);
                rc = db_step(st, e) == DB_DONE ? 0 : ERR_DB;
            }
            db_finalize(st);
            st = NULL;
            n_platforms++;
        }
        for (int k = 0; k < 12 && rc == 0; k++) {
            char j[40];
            cd_date(j, last_year - 1, 1 + k % 12, 15);
            rc = db_exec_v(db, e,
                           "INSERT INTO platform_members (platform_id, "
                           "enterprise_id, joined_on, created_at) VALUES ($1, "
                           "$2, $3, $4)",
                           "iitt", alliance, ents[(20 + k * 5) % n_ents].id, j,
                           now);
        }
    }
    /* talent counts of every 10th enterprise for the last two years */
    for (int k = 0; k < n_ents && rc == 0; k += 10) {
        static const char *const progs[] = {"haihe", "high_level", "leading",
                                            "doctor", "master"};
        for (int y = last_year - 1; y <= last_year && rc == 0; y++) {
            for (int p = 0; p < 5 && rc == 0; p++) {
                int64_t people = cd_pick(&r, p < 2 ? 6 : p == 2 ? 2 : 8);
                if (people == 0) {
                    continue;
                }
                rc = db_exec_v(db, e,
                               "INSERT INTO talent_counts (enterprise_id, "
                               "year, programme, people, src_kind, "
                               "src_user_id, src_at) VALUES ($1, $2, $3, $4, "
                               "'demo', $5, $6)",
                               "iitiit", ents[k].id, (int64_t)y, progs[p],
                               people, a->user_id, now);
                n_talent++;
            }
        }
    }
    /* named talents (personal data; invented names) */
    {
        static const char *const sur[] = {"王", "李", "张", "刘", "陈", "杨"};
        static const char *const giv[] = {"明", "华", "强", "丽", "军", "静"};
        for (int k = 0; k < 18 && rc == 0; k++) {
            char name[32], batch[32];
            snprintf(name, sizeof name, "%s%s（演示）", sur[k % 6],
                     giv[(k / 6 + k) % 6]);
            snprintf(batch, sizeof batch, "%d年第%d批", last_year - k % 3,
                     1 + k % 2);
            rc = db_exec_v(db, e,
                           "INSERT INTO talents (name, programme, batch, "
                           "enterprise_id, field, created_at, updated_at) "
                           "VALUES ($1, $2, $3, $4, $5, $6, $6)",
                           "tttitt", name,
                           k % 3 == 0   ? "leading"
                           : k % 3 == 1 ? "high_level"
                                        : "haihe",
                           batch, ents[k * 7 % n_ents].id, "新一代信息技术",
                           now);
        }
    }
    /* listing candidates */
    {
        static const char *const stages[] = {
            "cultivate", "cultivate", "cultivate", "tutoring",
            "tutoring",  "filed",     "approved",  "listed"};
        static const char *const boards[] = {"star", "chinext", "bse", "main"};
        for (int k = 0; k < 8 && rc == 0; k++) {
            char entered[40], lst[40];
            int listed = strcmp(stages[k], "listed") == 0;
            cd_date(entered, last_year - 3, 3, 1);
            cd_date(lst, last_year, 9, 18);
            rc = db_exec_v(
                db, e,
                "INSERT INTO listing_candidates (enterprise_id, stage, board, "
                "sponsor, entered_on, stage_on, listed_on, created_at, "
                "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                "itttttt"
                "t",
                ents[(n_ents - 1 - k * 3) % n_ents].id, stages[k],
                boards[k % 4], k < 3 ? NULL : "某证券股份有限公司（演示）",
                entered, k < 3 ? NULL : entered, listed ? lst : NULL, now);
            n_listing++;
        }
    }
    if (rc == 0) {
        after = json_pack("{sisIsIsIsI}", "carriers", (int)CD_N_CARRIERS,
                          "tenancies", (json_int_t)n_tenants, "platforms",
                          (json_int_t)n_platforms, "talent_counts",
                          (json_int_t)n_talent, "listing_candidates",
                          (json_int_t)n_listing);
        rc = audit_record(db, a, "carrier.demo", "carrier", 0, NULL, NULL,
                          after, e);
    }
out:
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(after);
    free(ents);
    return rc;
}
