/* qual_demo.c - demo history of the qualifications register, consistent
 * with the demo district's enterprises and their declarations (see
 * qual_demo.h). */
#include "domain/qual/qual_demo.h"

#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "domain/qual/qual.h"

/* splitmix64: a stream of its own so the rest of the demo is unchanged */
static uint64_t qd_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int qd_chance(uint64_t *s, double p)
{
    return (double)(qd_next(s) >> 11) * (1.0 / 9007199254740992.0) < p;
}

static int qd_below(uint64_t *s, int n)
{
    return n > 0 ? (int)(qd_next(s) % (uint64_t)n) : 0;
}

/* Certificate numbers carry a serial within their year (GR2023 12
 * 000234): one counter per year and format, so a large library never
 * wraps onto a number already given (a shared counter modulo 10^6 did at
 * about a million records). */
#define QD_YEAR0 1950
#define QD_YEARS 160

typedef struct QdCtx {
    Db *db;
    int64_t user;
    int64_t serial;           /* TJGX numbers (no year in them) */
    int32_t gr[QD_YEARS];     /* 高企 certificates issued per year */
    int32_t sme_no[QD_YEARS]; /* 科小 入库登记编号 per year */
    int64_t n;
} QdCtx;

/* The next serial of year y in per-year counters t (1-based), or -1 when
 * y is outside the table or the year's serials (max) are used up. */
static int64_t qd_year_serial(int32_t *t, int y, int64_t max)
{
    if (y < QD_YEAR0 || y >= QD_YEAR0 + QD_YEARS || t[y - QD_YEAR0] >= max) {
        return -1;
    }
    return ++t[y - QD_YEAR0];
}

/* Insert one record; ended: status and date (NULL = valid). */
static int qd_add(QdCtx *c, int64_t ent, const char *kind, const char *level,
                  const char *cert_no, const char *batch, Date issued,
                  const char *valid_to, const char *basis, const char *status,
                  Date ended, const char *reason, Err *e)
{
    char iss[DATE_ISO_SIZE], end[DATE_ISO_SIZE];
    QualSource src = {"demo", 0};
    QualInput in;
    int64_t id = 0;
    int rc;

    memset(&in, 0, sizeof in);
    date_format_iso(issued, iss);
    in.kind = kind;
    in.level = level;
    in.cert_no = cert_no;
    in.batch = batch;
    in.issued_on = iss;
    in.valid_to = valid_to;
    in.basis = basis;
    rc = qual_insert(c->db, c->user, ent, &in, &src, &id, e);
    if (rc == 0 && status) {
        date_format_iso(ended, end);
        rc = db_exec_v(c->db, e,
                       "UPDATE qualifications SET status = $1, ended_on = $2, "
                       "end_reason = $3 WHERE id = $4",
                       "ttti", status, end, reason, id);
    }
    c->n += rc == 0;
    return rc;
}

static void qd_hnte_no(QdCtx *c, Date issued, char out[32])
{
    int y;

    date_to_ymd(issued, &y, NULL, NULL);
    snprintf(out, 32, "GR%04d12%06lld", y,
             (long long)qd_year_serial(c->gr, y, 999999));
}

/* The 高企 history of one enterprise: its declared certificate (from,
 * to) and sometimes the one before it; enterprises that declare none
 * may hold one that expired, was revoked or moved out with the firm. */
static int qd_hnte(QdCtx *c, uint64_t *rs, int64_t ent, int declared,
                   const char *from, const char *to, Date last_day, int first,
                   Err *e)
{
    char no[32], yb[32];
    Date f;
    int y, rc = 0;

    if (declared && from && date_parse(from, &f, NULL, NULL) == 0) {
        int earlier = qd_chance(rs, 0.4);
        date_to_ymd(f, &y, NULL, NULL);
        snprintf(yb, sizeof yb, "%d年第%s批", y,
                 qd_chance(rs, 0.5) ? "一" : "二");
        if (earlier) {
            Date pf = date_add_days(f, -3 * 365 - qd_below(rs, 30));
            qd_hnte_no(c, pf, no);
            rc = qd_add(c, ent, "hnte", NULL, no, NULL, pf, NULL, "first", NULL,
                        0, NULL, e);
        }
        if (rc == 0) {
            qd_hnte_no(c, f, no);
            /* the demo shows one conflict: a declared certificate that the
             * register records as revoked */
            Date end = date_add_days(last_day, -60);
            if (end < date_add_days(f, 30)) {
                end = date_add_days(f, 30);
            }
            rc = qd_add(c, ent, "hnte", NULL, no, yb, f, to,
                        earlier ? "recert" : "first", first ? "revoked" : NULL,
                        end,
                        first ? "日常管理复核不符合认定条件（演示）" : NULL, e);
        }
        return rc;
    }
    if (!declared && qd_chance(rs, 0.08)) {
        Date pf = date_add_days(last_day, -(5 * 365) - qd_below(rs, 700));
        int k = qd_below(rs, 10);
        qd_hnte_no(c, pf, no);
        if (k == 0) {
            rc = qd_add(c, ent, "hnte", NULL, no, NULL, pf, NULL, "first",
                        "revoked", date_add_days(pf, 400 + qd_below(rs, 300)),
                        "发生重大安全事故（演示）", e);
        } else if (k == 1) {
            rc = qd_add(c, ent, "hnte", NULL, no, NULL, pf, NULL, "first",
                        "moved_out", date_add_days(pf, 200 + qd_below(rs, 500)),
                        "整体迁出本区（演示）", e);
        } else {
            rc = qd_add(c, ent, "hnte", NULL, no, NULL, pf, NULL, "first", NULL,
                        0, NULL, e); /* expired */
        }
    }
    return rc;
}

/* 科小 入库登记编号 per year, tiers of the 雏鹰 ladder and libraries. */
static int qd_others(QdCtx *c, uint64_t *rs, int64_t ent, int tech,
                     int hnte_now, int tj_hnte, Date last_day, Err *e)
{
    char no[40], vt[24], batch[32];
    int ly, rc = 0;

    date_to_ymd(last_day, &ly, NULL, NULL);
    if (tj_hnte) {
        Date f = date_add_days(last_day, -qd_below(rs, 700));
        snprintf(no, sizeof no, "TJGX%06lld", (long long)++c->serial);
        date_format_iso(date_add_days(f, 3 * 365 - 1), vt);
        rc = qd_add(c, ent, "tj_hnte", NULL, no, NULL, f, vt, "first", NULL, 0,
                    NULL, e);
    }
    if (rc == 0 && tech && qd_chance(rs, 0.35)) {
        /* registered for the last years; this year's not yet for some */
        for (int y = ly - 2; rc == 0 && y <= ly + 1; y++) {
            Date d;
            if (y == ly + 1 && qd_chance(rs, 0.4)) {
                break;
            }
            date_from_ymd(y, 3 + qd_below(rs, 6), 1 + qd_below(rs, 28), &d,
                          NULL, NULL);
            snprintf(no, sizeof no, "%04d120102A%07lld", y,
                     (long long)qd_year_serial(c->sme_no, y, 9999999));
            rc = qd_add(c, ent, "sme", NULL, no, NULL, d, NULL, NULL, NULL, 0,
                        NULL, e);
        }
    }
    if (rc == 0 && tech && qd_chance(rs, 0.1)) {
        Date d;
        int y = ly - qd_below(rs, 3);
        date_from_ymd(y, 6 + qd_below(rs, 6), 10, &d, NULL, NULL);
        snprintf(batch, sizeof batch, "%d年第%d批", y, 1 + qd_below(rs, 3));
        snprintf(vt, sizeof vt, "%04d-12-31", (y + 1) % 10000);
        rc = qd_add(c, ent, "chuying", NULL, NULL, batch, d, vt, NULL, NULL, 0,
                    NULL, e);
    }
    if (rc == 0 && tech && qd_chance(rs, 0.03)) {
        Date d;
        date_from_ymd(ly - 1, 11, 20, &d, NULL, NULL);
        snprintf(vt, sizeof vt, "%04d-12-31", ly % 10000);
        rc = qd_add(c, ent, qd_chance(rs, 0.7) ? "dengling" : "lingjun_peiyu",
                    NULL, NULL, NULL, d, vt, NULL, NULL, 0, NULL, e);
    }
    if (rc == 0 && qd_chance(rs, tech ? 0.06 : 0.02)) {
        Date d = date_add_days(last_day, -qd_below(rs, 900));
        rc = qd_add(c, ent, qd_chance(rs, 0.6) ? "innovative_sme" : "zjtx",
                    NULL, NULL, NULL, d, NULL, NULL, NULL, 0, NULL, e);
    }
    if (rc == 0 && tech && !hnte_now && qd_chance(rs, 0.1)) {
        Date d = date_add_days(last_day, -qd_below(rs, 500));
        rc = qd_add(c, ent, "hnte_pool", NULL, NULL, NULL, d, NULL, NULL, NULL,
                    0, NULL, e);
    }
    if (rc == 0 && tech && qd_chance(rs, 0.01)) {
        Date d = date_add_days(last_day, -qd_below(rs, 500));
        rc = qd_add(c, ent, "lead_tech", NULL, NULL, NULL, d, NULL, NULL, NULL,
                    0, NULL, e);
    }
    return rc;
}

int qual_demo_generate(Db *db, const Actor *a, uint64_t seed, Date last_day,
                       Err *e)
{
    QdCtx c = {.db = db, .user = a->user_id};
    DbStmt *st = NULL;
    int first = 1, rc;

    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    /* per enterprise: tech domain and the declared certificates */
    rc = db_prepare_v(
        db, &st, e,
        "SELECT e.id, COALESCE(e.tech_domain, 0), h.value, h.valid_from, "
        "h.valid_to, t.value FROM enterprises e LEFT JOIN "
        "enterprise_declarations h ON h.enterprise_id = e.id AND h.field = "
        "'hnte_cert' LEFT JOIN enterprise_declarations t ON t.enterprise_id = "
        "e.id AND t.field = 'tj_hnte_cert' WHERE e.retired_at IS NULL ORDER "
        "BY e.id",
        "");
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t ent = db_col_int64(st, 0);
        int tech = db_col_int64(st, 1) > 0;
        int declared = !db_col_is_null(st, 2) && db_col_int64(st, 2) != 0;
        int tj = !db_col_is_null(st, 5) && db_col_int64(st, 5) != 0;
        uint64_t rs = seed ^ ((uint64_t)ent * 0x51A7E5ULL);

        rc = qd_hnte(&c, &rs, ent, declared, db_col_text(st, 3),
                     db_col_text(st, 4), last_day, declared && first, e);
        if (rc == 0) {
            first = first && !declared;
            rc = qd_others(&c, &rs, ent, tech, declared, tj, last_day, e);
        }
    }
    db_finalize(st);
    if (rc == DB_DONE) {
        rc = 0;
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}
