/* qual_cal.h - the compliance calendar (到期提醒): dates computed from the
 * qualifications register by the rules of table calendar_rules
 * (010_qual.sql), which are data: kind, event, anchor, offset, month/day,
 * title, source and the source's date, confirmed or unverified.
 *
 * Reminders are shown in the app (calendar page, home page). Nothing is
 * sent: a mail or SMS sender would implement QualCalNotifier and call
 * qual_cal_notify() from a scheduled job; none is built.
 *
 * Uses: domain/qual (the register). */
#ifndef KC_DOMAIN_QUAL_QUAL_CAL_H
#define KC_DOMAIN_QUAL_QUAL_CAL_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* Most items one calendar request may compute. */
#define QUAL_CAL_MAX 50000
/* Longest range of one request, in days. */
#define QUAL_CAL_MAX_DAYS 1100

/* Filters; zero / NULL do not filter. */
typedef struct QualCalFilter {
    const char *from, *to; /* dates, required */
    int64_t unit_id;       /* that unit and below (within a's scope) */
    const char *kind;      /* one qualification kind */
    int mine;              /* only enterprises whose 包联人员 is a */
    int64_t enterprise_id; /* one enterprise */
    int due_only;          /* only items due in [from, to] (a window that
                              opens in the range but ends later is left
                              out: the home page's lists) */
} QualCalFilter;

/* The calendar in a's scope: items [{date, start, rule, kind, kind_name,
 * event, title, status, source, source_date, qual_id, cert_no,
 * enterprise_id, enterprise_name, unit_id, unit_name}] sorted by date,
 * then enterprise name. date is the due date; start is the first day of a
 * window (re-certification year) or null. ERR_INVALID naming from / to
 * for a bad range; ERR_TOOBIG beyond QUAL_CAL_MAX items. New array. */
int qual_cal_items(Db *db, const Actor *a, const QualCalFilter *f,
                   json_t **items, Err *e);

/* The calendar's first max items of f (due_only implied: what falls due
 * in [from, to]) in qual_cal_items' order, *total the number of all such
 * items and *by_kind (may be NULL) [{kind, kind_name, count}] per kind
 * of the enabled rules. The items per due date are counted in SQL; items
 * are built only up to the due date on which the first max end (the
 * home page's lists). New arrays. */
int qual_cal_window(Db *db, const Actor *a, const QualCalFilter *f, size_t max,
                    json_t **items, int64_t *total, json_t **by_kind, Err *e);

/* The register's part of an enterprise's 诊断书 on as_of (NULL / "" =
 * today): {as_of, held: records valid that day (days_left counted from
 * as_of), past: records that started before and are no longer valid,
 * upcoming: the enterprise's calendar items of the next 365 days}. The
 * 诊断书 page itself is not built; this is what it will read. ERR_NOTFOUND
 * outside a's scope. New reference. */
int qual_diagnosis(Db *db, const Actor *a, int64_t enterprise_id,
                   const char *as_of, json_t **out, Err *e);

/* The rules as JSON (GET /api/v1/reference/qualifications). */
int qual_cal_rules_json(Db *db, json_t **out, Err *e);

/* [{"code", "name"}] of the anchors a rule's date is computed from
 * (valid_to, expiry_year, yearly), for GET /reference/qualifications (a
 * new reference; caller decrefs). */
json_t *qual_cal_anchors_json(void);

/* Editing the rules (qual_cal_rules.c, admin page 提醒规则). Every rule,
 * also disabled ones: [{id, code, kind, kind_name, event, anchor,
 * anchor_name, offset_days, month, day, title, source, source_date,
 * status, status_name, enabled}] by id (new array). */
int qual_cal_rules_all(Db *db, json_t **out, Err *e);
int qual_cal_rule_get(Db *db, int64_t id, json_t **out, Err *e);

/* A rule's fields. On create kind (a qualification kind), event
 * (lowercase letters and _; the code is kind.event, unique) and anchor
 * (valid_to, expiry_year, yearly) are required; on update they are fixed
 * and NULL / has_* = 0 keeps a value. yearly rules need month and day;
 * the others take none (offset_days instead). title, source required;
 * source_date YYYY-MM-DD or empty; status confirmed / unverified. */
typedef struct QualCalRuleInput {
    const char *code, *kind, *event, *anchor;
    int has_offset;
    int64_t offset_days;
    int has_month_day;
    int64_t month, day; /* 0 = none */
    const char *title, *source, *source_date, *status;
    int has_enabled, enabled;
} QualCalRuleInput;

/* Add a rule ("qual.cal_rule_create"); ERR_CONFLICT when kind.event
 * exists. */
int qual_cal_rule_create(Db *db, const Actor *a, const QualCalRuleInput *in,
                         int64_t *id, Err *e);

/* Change a rule ("qual.cal_rule_update", before and after). */
int qual_cal_rule_update(Db *db, const Actor *a, int64_t id,
                         const QualCalRuleInput *in, Err *e);

/* The hook for reminders outside the app (mail, SMS): a sender gets each
 * item due in the range and says whether it was delivered. Not built:
 * no implementation exists in this release. */
typedef struct QualCalNotifier {
    void *ud;
    int (*send)(void *ud, const Actor *recipient, json_t *item, Err *e);
} QualCalNotifier;

/* Hand every item of f to n->send for recipient a (who sees them). */
int qual_cal_notify(Db *db, const Actor *a, const QualCalFilter *f,
                    const QualCalNotifier *n, Err *e);

#endif
