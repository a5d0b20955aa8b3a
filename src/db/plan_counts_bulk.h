/* plan_counts_bulk.h - bulk writes of the registers with the plan-count
 * triggers (migrations 026, 030) off for the writer's own transaction and
 * plan_counts changed once instead of per row
 * (docs/internals/plan_counts.md, "Bulk writes").
 *
 * A writer of many qualifications, inside its write transaction:
 *
 *     plan_counts_touch(db, ents, kind, n, e)  // every (enterprise, kind)
 *     plan_counts_bulk_begin(db, e)  // their events out, triggers off
 *     ... INSERT / UPDATE / DELETE qualifications of those pairs ...
 *     plan_counts_bulk_end(db, e)    // their events in, triggers on
 *
 * and commits. Between begin and end the writer may change only
 * qualifications of the listed pairs (no enterprise's unit or retirement,
 * no IP right, no contract). On an error it rolls back, which also undoes
 * the switch: the guard is a row of plan_counts_off (SQLite) or the
 * transaction-local setting kechuang.plan_counts_off (PostgreSQL), never
 * seen by another transaction. A copy of whole registers (kechuang
 * migrate) calls plan_counts_off, writes, then plan_counts_rebuild. */
#ifndef KC_DB_PLAN_COUNTS_BULK_H
#define KC_DB_PLAN_COUNTS_BULK_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* Switch the plan-count triggers off / on for the open transaction. */
int plan_counts_off(Db *db, Err *e);
int plan_counts_on(Db *db, Err *e);
/* List the pairs (ents[i], kind) as touched by the bulk write (a pair
 * listed twice counts once). Before plan_counts_bulk_begin. */
int plan_counts_touch(Db *db, const int64_t *ents, const char *kind, size_t n,
                      Err *e);
/* Subtract the listed pairs' events as the registers hold them now and
 * switch the triggers off. */
int plan_counts_bulk_begin(Db *db, Err *e);
/* Add the listed pairs' events as the registers hold them now, forget the
 * pairs and switch the triggers on. */
int plan_counts_bulk_end(Db *db, Err *e);
/* Replace plan_counts by the counts of the registers (what migration 026
 * computes): for a copy written with the triggers off. Switches them on. */
int plan_counts_rebuild(Db *db, Err *e);

#endif
