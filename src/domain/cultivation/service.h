/* service.h - the 包联 service log: visits, meetings, calls, trainings and
 * policy briefings (走访/座谈/电话/培训/政策宣讲) with the enterprises they
 * concern (a training's attendance), and the enterprises' asks (诉求)
 * followed up until closed. The responsible person of an enterprise is
 * enterprises.liaison_user_id (set one by one or in bulk through
 * POST /enterprises/batch).
 *
 * Scope: a log is visible when its organising unit or one of its
 * enterprises lies in the actor's units; asks follow their enterprise.
 * Every write is one transaction with its audit entry.
 * See docs/internals/pipeline.md. */
#ifndef KC_DOMAIN_SERVICE_SERVICE_H
#define KC_DOMAIN_SERVICE_SERVICE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define SERVICE_ENTS_MAX 500      /* enterprises of one log */
#define SERVICE_ASKS_MAX 100      /* asks recorded with one log */
#define SERVICE_TEXT_MAX 2000     /* characters of a free text */
#define SERVICE_EXPORT_MAX 100000 /* rows of one export */
#define SERVICE_TRAINING_MIN 10   /* "每次参训企业 10 家以上" */
#define SERVICE_TRAININGS_YEAR 3  /* "每年 3 次以上培训" */

/* One ask as recorded (with a log or alone). */
typedef struct ServiceAskInput {
    int64_t enterprise_id;
    const char *content;
    const char *due_on;      /* NULL: 30 days from today */
    int64_t handler_user_id; /* 0: the enterprise's 包联人员, else the actor */
} ServiceAskInput;

typedef struct ServiceLogInput {
    const char *kind; /* visit meeting call training briefing other */
    const char *held_on;
    const char *title;
    const char *topics;
    const char *participants;
    const char *note;
    int64_t unit_id; /* 0: the actor's unit */
    const int64_t *enterprise_ids;
    size_t n_enterprises;
    const ServiceAskInput *asks;
    size_t n_asks;
} ServiceLogInput;

/* Validate and record a log with its enterprises and asks. */
int service_log_create(Db *db, const Actor *a, const ServiceLogInput *in,
                       int64_t *id, Err *e);

/* Change a log: kind, date, title, topics, participants, note and the
 * organising unit as in in (validated as on create; in->asks must be
 * empty); with has_enterprises the attendance is replaced by
 * in->enterprise_ids (only the enterprises within a's units: others stay).
 * Only logs organised within a's units, not voided ("service.log_update",
 * before and after). */
int service_log_update(Db *db, const Actor *a, int64_t id,
                       const ServiceLogInput *in, int has_enterprises, Err *e);

/* Delete a log with a reason (required), for an entry made by mistake:
 * its attendance goes, its asks stay (detached from it; those still open
 * are voided with the reason). The audit entry ("service.log_delete")
 * keeps the deleted fields, enterprises and asks. */
int service_log_delete(Db *db, const Actor *a, int64_t id, const char *reason,
                       Err *e);

/* Change an ask: content (NULL = unchanged), due date (NULL = unchanged),
 * handler (has_handler; 0 = nobody). Not on a voided ask
 * ("service.ask_update"). An ask's status: open, closed or voided. */
int service_ask_update(Db *db, const Actor *a, int64_t id, const char *content,
                       const char *due_on, int has_handler, int64_t handler,
                       Err *e);

/* Void (作废) an open ask with a reason, kept in result
 * ("service.ask_void"): status voided, left out of the lists unless asked
 * for (status=voided) and of the overdue counts. */
int service_ask_void(Db *db, const Actor *a, int64_t id, const char *reason,
                     Err *e);

/* As service_log_create inside the caller's transaction (the import). */
int service_log_create_tx(Db *db, const Actor *a, const ServiceLogInput *in,
                          int64_t *id, Err *e);

typedef struct ServiceLogFilter {
    const char *kind;
    int64_t year;
    int64_t unit_id;
    int64_t enterprise_id;
    const char *q; /* title / topics substring */
} ServiceLogFilter;

/* Page of logs, newest first: each with kind_name, unit_name,
 * n_enterprises (attendance), n_asks, n_open_asks. */
int service_log_list(Db *db, const Actor *a, const ServiceLogFilter *f,
                     int64_t offset, int64_t limit, json_t **items,
                     int64_t *total, Err *e);

/* One log with its enterprises (in scope) and asks. */
int service_log_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* An ask alone (log_id 0) or attached to a log. */
int service_ask_add(Db *db, const Actor *a, int64_t log_id,
                    const ServiceAskInput *in, int64_t *id, Err *e);

typedef struct ServiceAskFilter {
    const char *status; /* open / closed / voided / NULL any but voided */
    int overdue;        /* open and due before today */
    int mine;           /* handled by the actor */
    int64_t unit_id;
    int64_t enterprise_id;
    int64_t log_id;
    int64_t ask_id;
    int with_voided; /* 0: voided asks left out; 1: included */
} ServiceAskFilter;

int service_ask_list(Db *db, const Actor *a, const ServiceAskFilter *f,
                     int64_t offset, int64_t limit, json_t **items,
                     int64_t *total, Err *e);

/* Follow an ask up: a note (required), and close it with a result
 * (close = 1; result required) or reopen (close = -1). *out the ask
 * with its notes. */
int service_ask_follow(Db *db, const Actor *a, int64_t ask_id, const char *note,
                       int close, const char *result, json_t **out, Err *e);

/* One ask with its follow-up notes. */
int service_ask_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* Trainings of a year in scope: {year, trainings, with_min_attendance,
 * min_attendance, target_trainings, meets_target, events: [{id, held_on,
 * title, kind, kind_name, attendance, meets_min}], by_kind: {kind: n}}. */
int service_stats(Db *db, const Actor *a, int64_t year, json_t **out, Err *e);

/* zh-CN name of a log kind ("visit" -> "走访"). */
const char *service_kind_name(const char *kind);

/* [{"value", "label"}] of the log kinds, in this order (GET
 * /reference/labels; a new reference, caller decrefs). */
json_t *service_kinds_json(void);

/* zh-CN name of an ask status ("open" -> "办理中"); NULL when unknown
 * (the list filter refuses those). */
const char *service_ask_status_name(const char *status);

/* [{"value", "label"}] of the ask statuses, in this order (GET
 * /reference/labels ask_statuses; a new reference, caller decrefs). */
json_t *service_ask_statuses_json(void);

#endif
