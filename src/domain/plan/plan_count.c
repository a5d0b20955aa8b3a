/* plan_count.c - counts of records behind indicator actuals
 * (plan_count.h). */
#include "domain/plan/plan_count.h"

#include <stdio.h>
#include <string.h>

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
