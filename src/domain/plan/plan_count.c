/* plan_count.c - counts of records behind indicator actuals
 * (plan_count.h). */
#include "domain/plan/plan_count.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/plan/plan.h"
#include "domain/qual/qual.h"

/* "path%" pattern for LIKE; "/" (everything) when path is NULL. */
static void plan_count_like(const char *unit_path, char *out, size_t cap)
{
    size_t n = unit_path ? strlen(unit_path) : 0;

    if (n == 0 || n + 2 > cap) {
        snprintf(out, cap, "/%%");
        return;
    }
    memcpy(out, unit_path, n);
    out[n] = '%';
    out[n + 1] = '\0';
}

/* The rows behind a count: valid on $2 as the register defines it
 * (QUAL_VALID_ON), of an enterprise not retired by then, under $3. */
#define PLAN_QUAL_WHERE                                                        \
    "FROM qualifications q JOIN enterprises en ON en.id = q.enterprise_id "    \
    "JOIN org_units u ON u.id = en.unit_id WHERE q.kind = $1 "                 \
    "AND " QUAL_VALID_ON("q",                                                  \
                         "2") " AND (en.retired_at IS NULL OR "                \
                              "substr(en.retired_at, 1, 10) > $2) AND u.path " \
                              "LIKE $3 "

/* The register's own count (qual_count_valid), so that a plan's figure is
 * the number the register shows. */
int plan_count_quals(Db *db, const char *kind, const char *date,
                     const char *unit_path, int64_t *n, Err *e)
{
    return qual_count_valid(db, kind, date, unit_path, n, e);
}

int plan_rows_quals(Db *db, const char *kind, const char *date,
                    const char *unit_path, int64_t offset, int64_t limit,
                    json_t **items, Err *e)
{
    char like[ACTOR_PATH_MAX + 2];
    DbStmt *st = NULL;
    int rc;

    plan_count_like(unit_path, like, sizeof like);
    *items = json_array();
    rc = db_prepare_v(db, &st, e,
                      "SELECT en.id AS enterprise_id, en.uscc, en.name, "
                      "u.name AS unit_name, MIN(q.cert_no) AS cert_no, "
                      "MIN(q.valid_from) AS valid_from, MAX(q.valid_to) AS "
                      "valid_to " PLAN_QUAL_WHERE
                      "GROUP BY en.id, en.uscc, en.name, u.name ORDER BY "
                      "en.name, en.id LIMIT $4 OFFSET $5",
                      "tttii", kind, date, like, limit, offset);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, plan_row_json(st, "itttttt"));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

#define PLAN_PAT_WHERE                                                         \
    "FROM ip_rights r JOIN enterprises en ON en.id = r.enterprise_id JOIN "    \
    "org_units u ON u.id = en.unit_id WHERE r.kind = 'invention' AND "         \
    "r.retired_at IS NULL AND r.status = 'valid' AND r.granted_on IS NOT "     \
    "NULL AND r.granted_on <= $1 AND (r.expires_on IS NULL OR r.expires_on "   \
    ">= $1) AND en.retired_at IS NULL AND u.path LIKE $2 "

int plan_count_patents(Db *db, const char *date, const char *unit_path,
                       int64_t *n, Err *e)
{
    char like[ACTOR_PATH_MAX + 2];

    plan_count_like(unit_path, like, sizeof like);
    return db_query_int64(db, n, e, "SELECT COUNT(*) " PLAN_PAT_WHERE, "tt",
                          date, like);
}

int plan_rows_patents(Db *db, const char *date, const char *unit_path,
                      int64_t offset, int64_t limit, json_t **items, Err *e)
{
    char like[ACTOR_PATH_MAX + 2];
    DbStmt *st = NULL;
    int rc;

    plan_count_like(unit_path, like, sizeof like);
    *items = json_array();
    rc = db_prepare_v(
        db, &st, e,
        "SELECT en.id AS enterprise_id, en.uscc, en.name, "
        "u.name AS unit_name, r.number AS cert_no, r.granted_on "
        "AS valid_from, r.expires_on AS valid_to, r.title " PLAN_PAT_WHERE
        "ORDER BY en.name, r.id LIMIT $3 "
        "OFFSET $4",
        "ttii", date, like, limit, offset);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, plan_row_json(st, "ittttttt"));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

int plan_count_quals_lapsing(Db *db, const char *kind, const char *date,
                             const char *end, const char *unit_path, int64_t *n,
                             Err *e)
{
    char like[ACTOR_PATH_MAX + 2];

    plan_count_like(unit_path, like, sizeof like);
    return db_query_int64(
        db, n, e,
        "SELECT COUNT(DISTINCT q.enterprise_id) " PLAN_QUAL_WHERE
        "AND NOT EXISTS (SELECT 1 FROM qualifications q2 WHERE "
        "q2.enterprise_id = q.enterprise_id AND q2.kind = $1 AND "
        "q2.valid_from <= $4 AND (q2.valid_to IS NULL OR q2.valid_to >= $4) "
        "AND (q2.ended_on IS NULL OR q2.ended_on > $4))",
        "tttt", kind, date, like, end);
}

int plan_count_patents_lapsing(Db *db, const char *date, const char *end,
                               const char *unit_path, int64_t *n, Err *e)
{
    char like[ACTOR_PATH_MAX + 2];

    plan_count_like(unit_path, like, sizeof like);
    return db_query_int64(db, n, e,
                          "SELECT COUNT(*) " PLAN_PAT_WHERE
                          "AND r.expires_on IS NOT NULL AND r.expires_on < $3",
                          "ttt", date, like, end);
}

void plan_memo_clear(PlanMemo *memo)
{
    free(memo->units);
    memset(memo, 0, sizeof *memo);
}

/* Index of unit id in memo's units (sorted by id), or -1. */
static long plan_memo_find(const PlanMemo *memo, int64_t id)
{
    size_t lo = 0;
    size_t hi = memo->n_units;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (memo->units[mid].unit_id == id) {
            return (long)mid;
        }
        if (memo->units[mid].unit_id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return -1;
}

/* The event key of date ('YYYY-MM-DD'): YYYYMMDD * 2, as
 * 026_plan_counts.sql keys the events that apply on it; -1 if malformed. */
static int64_t plan_memo_key(const char *date)
{
    int64_t v = 0;

    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (date[i] != '-') {
                return -1;
            }
            continue;
        }
        if (date[i] < '0' || date[i] > '9') {
            return -1;
        }
        v = v * 10 + (date[i] - '0');
    }
    return date[10] == '\0' ? v * 2 : -1;
}

/* One column per date k: the sum of the kept events (026) of the source
 * ($1) and kind ($2) up to the date's key ($k+3), by unit; with amounts,
 * over the keys from the date's 1 January ($2k+3) to the date ($2k+4). */
static void plan_memo_sql(Buf *sql, size_t n_dates, int amounts)
{
    buf_append_str(sql, "SELECT unit_id");
    for (size_t k = 0; k < n_dates; k++) {
        if (amounts) {
            buf_appendf(sql,
                        ", SUM(CASE WHEN k >= $%d AND k <= $%d THEN n ELSE 0 "
                        "END)",
                        2 * (int)k + 3, 2 * (int)k + 4);
        } else {
            buf_appendf(sql, ", SUM(CASE WHEN k <= $%d THEN n ELSE 0 END)",
                        (int)k + 3);
        }
    }
    buf_append_str(sql, " FROM plan_counts WHERE src = $1 AND kind = $2 "
                        "GROUP BY unit_id");
}

static int plan_memo_fill_src(Db *db, PlanMemo *memo, const char *src,
                              const char *kind, const char *const *dates,
                              size_t n_dates, int amounts, Err *e);

int plan_memo_fill(Db *db, PlanMemo *memo, const char *kind,
                   const char *const *dates, size_t n_dates, Err *e)
{
    return plan_memo_fill_src(db, memo, kind ? "qual" : "ip_invention",
                              kind ? kind : "", dates, n_dates, 0, e);
}

int plan_memo_fill_amounts(Db *db, PlanMemo *memo, const char *const *dates,
                           size_t n_dates, Err *e)
{
    return plan_memo_fill_src(db, memo, "contract_amount", "", dates, n_dates,
                              1, e);
}

static int plan_memo_fill_src(Db *db, PlanMemo *memo, const char *src,
                              const char *kind, const char *const *dates,
                              size_t n_dates, int amounts, Err *e)
{
    Buf sql;
    DbStmt *st = NULL;
    size_t cap = 0;
    int rc;

    buf_init(&sql, (size_t)64 * 1024);
    plan_memo_clear(memo);
    if (n_dates == 0 || n_dates > PLAN_MEMO_DATES) {
        return err_set(e, ERR_INTERNAL, NULL, "plan memo: %zu dates", n_dates);
    }
    memo->n_dates = n_dates;
    for (size_t k = 0; k < n_dates; k++) {
        snprintf(memo->dates[k], sizeof memo->dates[k], "%s", dates[k]);
    }
    rc = db_prepare_v(db, &st, e, "SELECT id, path FROM org_units ORDER BY id",
                      "");
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        PlanMemoUnit *u;

        rc = 0;
        if (memo->n_units == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            PlanMemoUnit *nu = realloc(memo->units, ncap * sizeof *nu);

            if (!nu) {
                rc = err_set(e, ERR_INTERNAL, NULL, "out of memory");
                break;
            }
            memo->units = nu;
            cap = ncap;
        }
        u = &memo->units[memo->n_units++];
        memset(u, 0, sizeof *u);
        u->unit_id = db_col_int64(st, 0);
        snprintf(u->path, sizeof u->path, "%s", db_col_text(st, 1));
    }
    db_finalize(st);
    st = NULL;
    if (rc != DB_DONE) {
        goto out;
    }
    plan_memo_sql(&sql, n_dates, amounts);
    if (sql.err) {
        rc = err_set(e, ERR_INTERNAL, NULL, "out of memory");
        goto out;
    }
    rc = db_prepare(db, sql.data, &st, e);
    if (rc == 0) {
        rc = db_bind_text(st, 1, src);
    }
    if (rc == 0) {
        rc = db_bind_text(st, 2, kind);
    }
    for (size_t k = 0; rc == 0 && k < n_dates; k++) {
        int64_t key = plan_memo_key(dates[k]);

        if (key < 0) {
            rc = err_set(e, ERR_INVALID, "date", "日期“%s”格式不对", dates[k]);
        } else if (amounts) {
            /* from YYYY0101 * 2 */
            rc = db_bind_int64(st, 2 * (int)k + 3, key / 20000 * 20000 + 202);
            if (rc == 0) {
                rc = db_bind_int64(st, 2 * (int)k + 4, key);
            }
        } else {
            rc = db_bind_int64(st, (int)k + 3, key);
        }
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        long i = plan_memo_find(memo, db_col_int64(st, 0));

        rc = 0;
        for (size_t k = 0; i >= 0 && k < n_dates; k++) {
            memo->units[i].n[k] = db_col_int64(st, (int)k + 1);
        }
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
out:
    db_finalize(st);
    buf_release(&sql);
    if (rc) {
        plan_memo_clear(memo);
    }
    return rc;
}

int plan_memo_get(const PlanMemo *memo, const char *date, const char *unit_path,
                  int64_t *n)
{
    size_t plen = unit_path ? strlen(unit_path) : 0;

    *n = 0;
    for (size_t k = 0; k < memo->n_dates; k++) {
        if (strcmp(memo->dates[k], date) != 0) {
            continue;
        }
        for (size_t i = 0; i < memo->n_units; i++) {
            if (plen == 0 ||
                strncmp(memo->units[i].path, unit_path, plen) == 0) {
                *n += memo->units[i].n[k];
            }
        }
        return 1;
    }
    return 0;
}
