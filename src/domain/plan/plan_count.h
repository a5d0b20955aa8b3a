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
#include "domain/accounts/actor.h"

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

/* Counts of one record source for several dates at once, by unit, read
 * from the counts kept by the writes (plan_counts, migration 026,
 * docs/internals/plan_counts.md): per (source, kind, unit) the +1 / -1
 * events of the records' validity, so the count on a date is the sum of
 * the events up to it, one grouped read of a few thousand rows instead of
 * a scan of the registers. A figure for unit U on date D is then the sum
 * over the units whose path starts with U's path; an enterprise belongs to
 * one unit, so the per-unit distinct counts add up. The definitions are
 * those of plan_count_quals (QUAL_VALID_ON, enterprise not retired by the
 * date, each enterprise once) and plan_count_patents; test_plan_counts
 * compares the two after every write path. */
#define PLAN_MEMO_DATES 20
typedef struct PlanMemoUnit {
    int64_t unit_id;
    char path[ACTOR_PATH_MAX];
    int64_t n[PLAN_MEMO_DATES];
} PlanMemoUnit;
typedef struct PlanMemo {
    size_t n_dates;
    char dates[PLAN_MEMO_DATES][11];
    PlanMemoUnit *units; /* every org unit, by id */
    size_t n_units;
} PlanMemo;

/* Fill memo (zeroed by the caller, or cleared) with the counts of valid
 * qualifications of kind (kind != NULL) or of valid invention patents
 * (kind == NULL) on each of dates[0..n_dates) ('YYYY-MM-DD', at most
 * PLAN_MEMO_DATES). */
int plan_memo_fill(Db *db, PlanMemo *memo, const char *kind,
                   const char *const *dates, size_t n_dates, Err *e);
/* Fill memo with the 技术合同成交额 (元) of each date's year to the date:
 * the amounts of the contracts registered from 1 January to the date, by
 * the contract's unit, as market_indicator_contract_amount computes them
 * under its default convention (MARKET_CONV_DEFAULT), from the amounts kept
 * in plan_counts (026). */
int plan_memo_fill_amounts(Db *db, PlanMemo *memo, const char *const *dates,
                           size_t n_dates, Err *e);
/* The count on date for the units under unit_path (NULL or "/" all) into
 * *n; 0 when date is not in memo (the caller counts another way). */
int plan_memo_get(const PlanMemo *memo, const char *date, const char *unit_path,
                  int64_t *n);
void plan_memo_clear(PlanMemo *memo);

#endif
