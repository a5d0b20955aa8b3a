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

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define EVENT_ITEMS_MAX 200
#define EVENT_ATTENDEES_MAX 1000
#define EVENT_DEALS_MAX 200
#define EVENT_EXPORT_MAX 100000

/* Create an event from body {title, held_on, place, organiser, note,
 * status: planned|held, unit_id, items: [item id], attendees: [{kind:
 * enterprise|institution, name, ent_id, attended}], deals: [{contract_id,
 * title, parties, amount_wan, item_id}]}. ERR_INVALID with a zh-CN message
 * naming the field and row ("attendees[2].name"). */
int event_create(Db *db, const Actor *a, const json_t *body, int64_t *id_out,
                 Err *e);

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

#endif
