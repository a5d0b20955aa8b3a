/* event.h - 成果对接会 (matchmaking events): an event (title, date, place,
 * organiser, status) with the achievements and demands presented, the
 * attendance of enterprises and institutions (attended yes/no) and the
 * resulting deals (a registered contract in the user's scope, or an
 * intended deal with its amount in 元). Create, edit (the whole event,
 * with a reason) and cancel (with a reason), each one transaction with its
 * audit entry (market_event.*). An event belongs to a unit (data scope).
 * Uses pool.h (items) and contract.h (contracts), the library (read only).
 * Notes: docs/internals/market.md. */
#ifndef KC_DOMAIN_MARKET_EVENT_H
#define KC_DOMAIN_MARKET_EVENT_H

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define EVENT_ITEMS_MAX 200
#define EVENT_ATTENDEES_MAX 1000
#define EVENT_DEALS_MAX 200
#define EVENT_EXPORT_MAX 100000

/* The event code tables for the UI (GET /reference/market-items events):
 * {statuses: [{value, label, settable}], attendee_kinds: [{value, label}],
 * deal_kinds: [{value, label}]} (contract: a registered contract;
 * intended: an intended deal). New reference. */
json_t *event_reference_json(void);

/* The attendee kind code of s, a code or its name ("机构" ->
 * "institution"); NULL when neither. */
const char *event_attendee_kind(const char *s);

/* Create an event from body {title, held_on, place, organiser, note,
 * status: planned|held, unit_id, items: [item id], attendees: [{kind:
 * enterprise|institution, name, ent_id, attended}], deals: [{contract_id,
 * title, parties, amount_wan, item_id}]}. ERR_INVALID with a zh-CN message
 * naming the field and row ("attendees[2].name"). */
int event_create(Db *db, const Actor *a, const json_t *body, int64_t *id_out,
                 Err *e);

/* event_create; in_tx: inside the caller's transaction (an import),
 * without the event's own audit entry. */
int event_create_in(Db *db, const Actor *a, const json_t *body, int in_tx,
                    int64_t *id_out, Err *e);

/* Replace event id with body (as create, plus a required reason; without
 * unit_id it stays in its unit);
 * ERR_CONFLICT for a cancelled event. */
int event_update(Db *db, const Actor *a, int64_t id, const json_t *body,
                 Err *e);

/* Cancel event id with reason (ERR_CONFLICT when already cancelled). */
int event_cancel(Db *db, const Actor *a, int64_t id, const char *reason,
                 Err *e);

/* The event with its items, attendees, deals and totals (ERR_NOTFOUND
 * outside a's scope). Caller decrefs. */
int event_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

typedef struct EventFilter {
    const char *q;
    const char *status;
    const char *from, *to; /* held_on range, inclusive */
} EventFilter;

/* Events in a's scope, newest first, with their totals. */
int event_list(Db *db, const Actor *a, const EventFilter *f, int64_t offset,
               int64_t limit, json_t **items, int64_t *total, Err *e);

/* The export columns (n titles) and each row's cells as text (money in
 * 万元). */
#define EVENT_EXPORT_COLS 12
extern const char *const event_export_titles[EVENT_EXPORT_COLS];
typedef int (*EventRowFn)(void *ud, const char *const *cells, Err *e);
int event_export(Db *db, const Actor *a, const EventFilter *f, EventRowFn fn,
                 void *ud, Err *e);

/* Import a CSV/XLSX of events (header found in the first 20 rows; the
 * columns are event_import_titles): the rows of one event share 对接会名称,
 * 举办日期 and 所属单位; each row may add one presented item (an
 * achievement or demand by title), one attendee (by USCC, else by name)
 * and one deal (a contract by registration number, or an intended deal
 * with its amount in 万元). Each event is checked as event_create does;
 * an event of the same title and date already in the unit is refused.
 * Dry run, all or nothing, or valid events only, in one transaction with
 * one audit entry ("market_event.import"). *report: {summary: {rows,
 * events, valid, invalid, inserted} (valid, invalid, inserted count
 * events), errors: [{row, column, field, message}] (at most
 * EVENT_IMPORT_ERRORS_KEPT), errors_total, header_row, applied}. */
#define EVENT_IMPORT_ERRORS_KEPT 500
#define EVENT_IMPORT_ROWS_MAX 20000
#define EVENT_IMPORT_COLS 17
extern const char *const event_import_titles[EVENT_IMPORT_COLS];
int event_import_file(Db *db, const Actor *a, const char *path, int apply,
                      int valid_only, json_t **report, Err *e);

/* The import's header row as CSV (UTF-8 with BOM). */
int event_import_template_csv(Buf *out, Err *e);

#endif
