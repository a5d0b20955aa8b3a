/* plan_count.h - the counts of records that indicator actuals read, each in
 * one function so it can be replaced by the owning register's own (the
 * qualifications register builds a counting function of its own; the
 * swap is this one file).
 *
 * unit_path limits the count to enterprises of units under that path
 * ("/1/4/"); NULL or "/" counts the whole tree. Dates are 'YYYY-MM-DD'. */
#ifndef KC_DOMAIN_PLAN_COUNT_H
#define KC_DOMAIN_PLAN_COUNT_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* Enterprises (not deregistered on date) holding a qualification of kind
 * (tier code: sme, hnte, chuying, dengling, lingjun ...) valid on date:
 * valid_from <= date, valid_to NULL or >= date, not ended on or before
 * date (009_qualifications.sql). */
int plan_count_quals(Db *db, const char *kind, const char *date,
                     const char *unit_path, int64_t *n, Err *e);
/* The rows behind plan_count_quals, one per enterprise with its
 * qualification (first matching certificate): {enterprise_id, uscc, name,
 * unit_name, cert_no, valid_from, valid_to}. offset/limit page them;
 * *items new array (caller decrefs). */
int plan_rows_quals(Db *db, const char *kind, const char *date,
                    const char *unit_path, int64_t offset, int64_t limit,
                    json_t **items, Err *e);

/* Valid invention patents (ip_rights kind 'invention', not retired, status
 * valid, granted on or before date, not expired before date) held by
 * enterprises of the units under unit_path. The status column is the
 * current status: a patent that lapsed is not counted for earlier dates
 * either (ip_rights keeps no status history). */
int plan_count_patents(Db *db, const char *date, const char *unit_path,
                       int64_t *n, Err *e);
int plan_rows_patents(Db *db, const char *date, const char *unit_path,
                      int64_t offset, int64_t limit, json_t **items, Err *e);

/* Enterprises counted by plan_count_quals on date that hold no
 * qualification of kind valid on end (their recognition lapses before
 * end unless renewed). */
int plan_count_quals_lapsing(Db *db, const char *kind, const char *date,
                             const char *end, const char *unit_path, int64_t *n,
                             Err *e);
/* Patents counted by plan_count_patents on date that expire before end. */
int plan_count_patents_lapsing(Db *db, const char *date, const char *end,
                               const char *unit_path, int64_t *n, Err *e);

#endif
