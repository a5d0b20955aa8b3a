/* qual_cal.c - the compliance calendar (see qual_cal.h). */
#include "domain/qual/qual_cal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "domain/accounts/org.h"
#include "domain/qual/qual.h"

typedef struct CalRule {
    char code[64];
    char kind[32];
    char event[32];
    char anchor[16];
    int offset;
    int month, day;
    char title[512];
    char source[512];
    char source_date[DATE_ISO_SIZE];
    char status[16];
} CalRule;

#define CAL_MAX_RULES 64

static void cal_copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

static int cal_rules_load(Db *db, CalRule *rules, int *n, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *n = 0;
    rc = db_prepare_v(db, &st, e,
                      "SELECT code, kind, event, anchor, offset_days, month, "
                      "day, title, source, source_date, status FROM "
                      "calendar_rules WHERE enabled = 1 ORDER BY id",
                      "");
    while (rc == 0 && *n < CAL_MAX_RULES && (rc = db_step(st, e)) == DB_ROW) {
        CalRule *r = &rules[*n];
        rc = 0;
        cal_copy(r->code, sizeof r->code, db_col_text(st, 0));
        cal_copy(r->kind, sizeof r->kind, db_col_text(st, 1));
        cal_copy(r->event, sizeof r->event, db_col_text(st, 2));
        cal_copy(r->anchor, sizeof r->anchor, db_col_text(st, 3));
        r->offset = (int)db_col_int64(st, 4);
        r->month = (int)db_col_int64(st, 5);
        r->day = (int)db_col_int64(st, 6);
        cal_copy(r->title, sizeof r->title, db_col_text(st, 7));
        cal_copy(r->source, sizeof r->source, db_col_text(st, 8));
        cal_copy(r->source_date, sizeof r->source_date, db_col_text(st, 9));
        cal_copy(r->status, sizeof r->status, db_col_text(st, 10));
        (*n)++;
    }
    db_finalize(st);
    return rc == DB_DONE || rc == 0 ? 0 : rc;
}

int qual_cal_rules_json(Db *db, json_t **out, Err *e)
{
    CalRule *rules = xcalloc(CAL_MAX_RULES, sizeof *rules);
    json_t *arr = json_array();
    int n = 0, rc;

    rc = cal_rules_load(db, rules, &n, e);
    for (int i = 0; rc == 0 && i < n; i++) {
        const CalRule *r = &rules[i];
        json_t *o =
            json_pack("{sssssssssissssssss}", "code", r->code, "kind", r->kind,
                      "event", r->event, "anchor", r->anchor, "offset_days",
                      r->offset, "title", r->title, "source", r->source,
                      "source_date", r->source_date, "status", r->status);
        if (r->month) {
            char md[8];
            snprintf(md, sizeof md, "%02d-%02d", r->month, r->day);
            json_object_set_new(o, "month_day", json_string(md));
        }
        json_array_append_new(arr, o);
    }
    free(rules);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

/* The range and scope of a request, checked. */
typedef struct CalArgs {
    Date from, to;
    char scope[ACTOR_PATH_MAX];
    int64_t user;
    int due_only;
    int64_t ent;
    int has_cut; /* only items due on or before cut (qual_cal_window) */
    Date cut;
} CalArgs;

static int cal_args(Db *db, const Actor *a, const QualCalFilter *f, CalArgs *x,
                    Err *e)
{
    int rc;

    memset(x, 0, sizeof *x);
    if (!f->from || date_parse(f->from, &x->from, "from", NULL) != 0) {
        return err_set(e, ERR_INVALID, "from",
                       "请给出起始日期 from，如 2026-01-01");
    }
    if (!f->to || date_parse(f->to, &x->to, "to", NULL) != 0) {
        return err_set(e, ERR_INVALID, "to",
                       "请给出截止日期 to，如 2026-12-31");
    }
    if (x->to < x->from) {
        return err_set(e, ERR_INVALID, "to", "截止日期早于起始日期");
    }
    if (date_diff_days(x->from, x->to) > QUAL_CAL_MAX_DAYS) {
        return err_set(e, ERR_INVALID, "to", "一次最多查询 %d 天",
                       QUAL_CAL_MAX_DAYS);
    }
    if (f->kind && *f->kind && !qual_kind_find(f->kind)) {
        return err_set(e, ERR_INVALID, "kind", "资质类型不正确");
    }
    snprintf(x->scope, sizeof x->scope, "%s", a->unit_path);
    if (f->unit_id) {
        rc = org_path(db, f->unit_id, x->scope, sizeof x->scope, NULL, e);
        if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, x->scope))) {
            return err_set(e, ERR_INVALID, "unit_id", "单位不存在");
        }
        if (rc) {
            return rc;
        }
    }
    x->user = f->mine ? a->user_id : 0;
    x->due_only = f->due_only;
    x->ent = f->enterprise_id;
    return 0;
}

/* Rows of the register joined with their enterprise for one rule: $1
 * kind, $2 scope, $3 liaison (0 = any), $4 enterprise (0 = any), then the
 * rule's own conditions. */
#define CAL_FROM                                                               \
    "FROM qualifications q JOIN enterprises e ON e.id = q.enterprise_id "      \
    "JOIN org_units o ON o.id = e.unit_id WHERE q.kind = $1 AND "              \
    "substr(o.path, 1, length($2)) = $2 AND ($3 = 0 OR e.liaison_user_id = "   \
    "$3) AND ($4 = 0 OR e.id = $4) AND e.retired_at IS NULL"
#define CAL_SELECT                                                             \
    "SELECT q.id, q.cert_no, q.valid_to, e.id, e.name, e.unit_id, "            \
    "o.name " CAL_FROM

static json_t *cal_item(const CalRule *r, DbStmt *st, const char *date,
                        const char *start)
{
    const QualKind *k = qual_kind_find(r->kind);

    return json_pack(
        "{sssosssssssssssssssosIsosIsssIss}", "date", date, "start",
        start ? json_string(start) : json_null(), "rule", r->code, "kind",
        r->kind, "kind_name", k ? k->name : r->kind, "event", r->event, "title",
        r->title, "status", r->status, "source", r->source, "source_date",
        r->source_date[0] ? json_string(r->source_date) : json_null(),
        "qual_id", (json_int_t)db_col_int64(st, 0), "cert_no",
        db_col_text(st, 1) ? json_string(db_col_text(st, 1)) : json_null(),
        "enterprise_id", (json_int_t)db_col_int64(st, 3), "enterprise_name",
        db_col_text(st, 4) ? db_col_text(st, 4) : "", "unit_id",
        (json_int_t)db_col_int64(st, 5), "unit_name",
        db_col_text(st, 6) ? db_col_text(st, 6) : "");
}

static int cal_push(json_t *arr, json_t *item, Err *e)
{
    if (json_array_size(arr) >= QUAL_CAL_MAX) {
        json_decref(item);
        return err_set(e, ERR_TOOBIG, "to",
                       "提醒超过 %d 条，请缩小日期范围或按单位、类型筛选",
                       QUAL_CAL_MAX);
    }
    json_array_append_new(arr, item);
    return 0;
}

/* Items of one rule into arr. */
static int cal_rule_items(Db *db, const CalRule *r, const CalArgs *x,
                          json_t *arr, Err *e)
{
    char lo[DATE_ISO_SIZE], hi[DATE_ISO_SIZE], due[DATE_ISO_SIZE];
    char start[DATE_ISO_SIZE];
    DbStmt *st = NULL;
    int rc = 0;

    if (strcmp(r->anchor, "valid_to") == 0 ||
        strcmp(r->anchor, "expiry_year") == 0) {
        int y;
        Date hi_d = date_add_days(x->to, -r->offset);

        /* a window opens on January 1st of the expiry year: it reaches
         * into [from, to] when valid_to lies up to the end of to's year */
        if (strcmp(r->anchor, "expiry_year") == 0) {
            date_to_ymd(x->to, &y, NULL, NULL);
            date_from_ymd(y, 12, 31, &hi_d, NULL, NULL);
        }
        if (x->has_cut && date_add_days(x->cut, -r->offset) < hi_d) {
            hi_d = date_add_days(x->cut, -r->offset);
        }
        date_format_iso(date_add_days(x->from, -r->offset), lo);
        date_format_iso(hi_d, hi);
        rc = db_prepare_v(db, &st, e,
                          CAL_SELECT " AND q.valid_to >= $5 AND q.valid_to "
                                     "<= $6 AND (q.ended_on IS NULL OR "
                                     "q.ended_on > q.valid_to)",
                          "ttiitt", r->kind, x->scope, x->user, x->ent, lo, hi);
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            Date vt, d, s;
            rc = 0;
            if (date_parse(db_col_text(st, 2), &vt, NULL, NULL) != 0) {
                continue;
            }
            d = date_add_days(vt, r->offset);
            if (x->has_cut && d > x->cut) {
                continue;
            }
            date_format_iso(d, due);
            if (strcmp(r->anchor, "expiry_year") == 0) {
                s = date_start_of_year(vt);
                if (s > x->to || d < x->from || (x->due_only && d > x->to)) {
                    continue;
                }
                date_format_iso(s, start);
                rc = cal_push(arr, cal_item(r, st, due, start), e);
            } else {
                rc = cal_push(arr, cal_item(r, st, due, NULL), e);
            }
        }
        db_finalize(st);
        return rc == DB_DONE ? 0 : rc;
    }
    if (strcmp(r->anchor, "yearly") == 0 && r->month >= 1 && r->month <= 12) {
        int y0, y1;

        date_to_ymd(x->from, &y0, NULL, NULL);
        date_to_ymd(x->to, &y1, NULL, NULL);
        for (int y = y0; rc == 0 && y <= y1; y++) {
            Date d;
            if (date_from_ymd(y, r->month, r->day, &d, NULL, NULL) != 0 ||
                d < x->from || d > x->to || (x->has_cut && d > x->cut)) {
                continue;
            }
            date_format_iso(d, due);
            rc = db_prepare_v(db, &st, e,
                              CAL_SELECT " AND " QUAL_VALID_ON("q", "5"),
                              "ttiit", r->kind, x->scope, x->user, x->ent, due);
            while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
                rc = cal_push(arr, cal_item(r, st, due, NULL), e);
            }
            db_finalize(st);
            st = NULL;
            rc = rc == DB_DONE ? 0 : rc;
        }
    }
    return rc;
}

static int cal_cmp(const void *pa, const void *pb)
{
    json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
    int c = strcmp(json_string_value(json_object_get(a, "date")),
                   json_string_value(json_object_get(b, "date")));

    if (c == 0) {
        c = strcmp(json_string_value(json_object_get(a, "enterprise_name")),
                   json_string_value(json_object_get(b, "enterprise_name")));
    }
    if (c == 0) {
        c = strcmp(json_string_value(json_object_get(a, "rule")),
                   json_string_value(json_object_get(b, "rule")));
    }
    return c;
}

int qual_cal_items(Db *db, const Actor *a, const QualCalFilter *f,
                   json_t **items, Err *e)
{
    CalRule *rules = xcalloc(CAL_MAX_RULES, sizeof *rules);
    json_t *arr = json_array(), *sorted = NULL;
    json_t **v = NULL;
    CalArgs x;
    size_t n;
    int n_rules = 0, rc;

    *items = NULL;
    rc = cal_args(db, a, f, &x, e);
    if (rc == 0) {
        rc = cal_rules_load(db, rules, &n_rules, e);
    }
    for (int i = 0; rc == 0 && i < n_rules; i++) {
        if (f->kind && *f->kind && strcmp(f->kind, rules[i].kind) != 0) {
            continue;
        }
        rc = cal_rule_items(db, &rules[i], &x, arr, e);
    }
    free(rules);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    n = json_array_size(arr);
    v = xcalloc(n ? n : 1, sizeof(json_t *));
    for (size_t i = 0; i < n; i++) {
        v[i] = json_array_get(arr, i);
    }
    qsort(v, n, sizeof(json_t *), cal_cmp);
    sorted = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append(sorted, v[i]);
    }
    free(v);
    json_decref(arr);
    *items = sorted;
    return 0;
}

/* The window of valid_to of rule r's items due in [x->from, x->to]
 * (expiry anchors; the items' window must also open by x->to). */
static void cal_vt_range(const CalRule *r, const CalArgs *x, Date *lo, Date *hi)
{
    *lo = date_add_days(x->from, -r->offset);
    *hi = date_add_days(x->to, -r->offset);
    if (strcmp(r->anchor, "expiry_year") == 0) {
        int y;
        Date end;

        date_to_ymd(x->to, &y, NULL, NULL);
        date_from_ymd(y, 12, 31, &end, NULL, NULL);
        if (end < *hi) {
            *hi = end;
        }
    }
}

static int cal_is_expiry(const CalRule *r)
{
    return strcmp(r->anchor, "valid_to") == 0 ||
           strcmp(r->anchor, "expiry_year") == 0;
}

static int cal_is_yearly(const CalRule *r)
{
    return strcmp(r->anchor, "yearly") == 0 && r->month >= 1 && r->month <= 12;
}

/* Number of items per due date: one bucket of a rule. */
typedef struct CalBucket {
    Date due;
    int64_t n;
} CalBucket;

static int cal_bucket_cmp(const void *pa, const void *pb)
{
    const CalBucket *a = pa, *b = pb;

    return a->due < b->due ? -1 : a->due > b->due;
}

/* Buckets of rule r into *b (grown; *n_b, *cap_b), the rule's total into
 * *n_rule. Counted in SQL, nothing built per item. */
static int cal_rule_buckets(Db *db, const CalRule *r, const CalArgs *x,
                            CalBucket **b, size_t *n_b, size_t *cap_b,
                            int64_t *n_rule, Err *e)
{
    char lo[DATE_ISO_SIZE], hi[DATE_ISO_SIZE], due[DATE_ISO_SIZE];
    DbStmt *st = NULL;
    int rc = 0;

    *n_rule = 0;
    if (cal_is_expiry(r)) {
        Date l, h;

        cal_vt_range(r, x, &l, &h);
        if (h < l) {
            return 0;
        }
        date_format_iso(l, lo);
        date_format_iso(h, hi);
        rc = db_prepare_v(db, &st, e,
                          "SELECT q.valid_to, COUNT(*) " CAL_FROM
                          " AND q.valid_to >= $5 AND q.valid_to <= $6 AND "
                          "(q.ended_on IS NULL OR q.ended_on > q.valid_to) "
                          "GROUP BY q.valid_to",
                          "ttiitt", r->kind, x->scope, x->user, x->ent, lo, hi);
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            Date vt;
            rc = 0;
            if (date_parse(db_col_text(st, 0), &vt, NULL, NULL) != 0) {
                continue;
            }
            if (*n_b == *cap_b) {
                *cap_b = *cap_b ? *cap_b * 2 : 256;
                *b = xrealloc(*b, *cap_b * sizeof **b);
            }
            (*b)[*n_b].due = date_add_days(vt, r->offset);
            (*b)[*n_b].n = db_col_int64(st, 1);
            *n_rule += (*b)[*n_b].n;
            (*n_b)++;
        }
        db_finalize(st);
        return rc == DB_DONE ? 0 : rc;
    }
    if (cal_is_yearly(r)) {
        int y0, y1;

        date_to_ymd(x->from, &y0, NULL, NULL);
        date_to_ymd(x->to, &y1, NULL, NULL);
        for (int y = y0; rc == 0 && y <= y1; y++) {
            Date d;
            int64_t n = 0;

            if (date_from_ymd(y, r->month, r->day, &d, NULL, NULL) != 0 ||
                d < x->from || d > x->to) {
                continue;
            }
            date_format_iso(d, due);
            rc = db_query_int64(
                db, &n, e,
                "SELECT COUNT(*) " CAL_FROM " AND " QUAL_VALID_ON("q", "5"),
                "ttiit", r->kind, x->scope, x->user, x->ent, due);
            if (rc == 0 && n > 0) {
                if (*n_b == *cap_b) {
                    *cap_b = *cap_b ? *cap_b * 2 : 256;
                    *b = xrealloc(*b, *cap_b * sizeof **b);
                }
                (*b)[*n_b].due = d;
                (*b)[*n_b].n = n;
                (*n_b)++;
                *n_rule += n;
            }
        }
    }
    return rc;
}

int qual_cal_window(Db *db, const Actor *a, const QualCalFilter *f, size_t max,
                    json_t **items, int64_t *total, json_t **by_kind, Err *e)
{
    CalRule *rules = xcalloc(CAL_MAX_RULES, sizeof *rules);
    CalBucket *b = NULL;
    size_t n_b = 0, cap_b = 0;
    json_t *arr = NULL, *kinds = json_array(), *all = NULL;
    QualCalFilter g;
    CalArgs x;
    Date cut;
    int64_t sum = 0;
    int n_rules = 0, rc;

    *items = NULL;
    *total = 0;
    if (by_kind) {
        *by_kind = NULL;
    }
    g = *f;
    g.due_only = 1;
    rc = cal_args(db, a, &g, &x, e);
    if (rc == 0) {
        rc = cal_rules_load(db, rules, &n_rules, e);
    }
    /* how many items fall due on each day, per rule and kind */
    for (int i = 0; rc == 0 && i < n_rules; i++) {
        const CalRule *r = &rules[i];
        int64_t n = 0;
        json_t *k = NULL;

        if (g.kind && *g.kind && strcmp(g.kind, r->kind) != 0) {
            continue;
        }
        rc = cal_rule_buckets(db, r, &x, &b, &n_b, &cap_b, &n, e);
        *total += n;
        for (size_t j = 0; j < json_array_size(kinds); j++) {
            json_t *o = json_array_get(kinds, j);
            if (strcmp(json_string_value(json_object_get(o, "kind")),
                       r->kind) == 0) {
                k = o;
                break;
            }
        }
        if (rc == 0 && !k) {
            const QualKind *qk = qual_kind_find(r->kind);
            k = json_pack("{sssssI}", "kind", r->kind, "kind_name",
                          qk ? qk->name : r->kind, "count", (json_int_t)0);
            json_array_append_new(kinds, k);
        }
        if (rc == 0) {
            json_object_set_new(
                k, "count",
                json_integer(json_integer_value(json_object_get(k, "count")) +
                             n));
        }
    }
    /* the last due date the page shows: the first max items in date
     * order end on it */
    cut = x.to;
    if (rc == 0 && *total > (int64_t)max) {
        qsort(b, n_b, sizeof *b, cal_bucket_cmp);
        for (size_t i = 0; i < n_b; i++) {
            sum += b[i].n;
            if (sum >= (int64_t)max) {
                cut = b[i].due;
                break;
            }
        }
    }
    free(b);
    /* the items up to that day only, in the calendar's order */
    if (rc == 0) {
        x.has_cut = 1;
        x.cut = cut;
        all = json_array();
        for (int i = 0; rc == 0 && i < n_rules; i++) {
            if (g.kind && *g.kind && strcmp(g.kind, rules[i].kind) != 0) {
                continue;
            }
            rc = cal_rule_items(db, &rules[i], &x, all, e);
        }
    }
    free(rules);
    if (rc == 0) {
        size_t n = json_array_size(all);
        json_t **v = xcalloc(n ? n : 1, sizeof(json_t *));

        for (size_t i = 0; i < n; i++) {
            v[i] = json_array_get(all, i);
        }
        qsort(v, n, sizeof(json_t *), cal_cmp);
        arr = json_array();
        for (size_t i = 0; i < n && i < max; i++) {
            json_array_append(arr, v[i]);
        }
        free(v);
    }
    json_decref(all);
    if (rc) {
        json_decref(kinds);
        *total = 0;
        return rc;
    }
    *items = arr;
    if (by_kind) {
        *by_kind = kinds;
    } else {
        json_decref(kinds);
    }
    return 0;
}

int qual_cal_notify(Db *db, const Actor *a, const QualCalFilter *f,
                    const QualCalNotifier *n, Err *e)
{
    json_t *items = NULL;
    int rc;

    if (!n || !n->send) {
        return err_set(e, ERR_INVALID, NULL, "未配置提醒发送方式");
    }
    rc = qual_cal_items(db, a, f, &items, e);
    for (size_t i = 0; rc == 0 && i < json_array_size(items); i++) {
        rc = n->send(n->ud, a, json_array_get(items, i), e);
    }
    json_decref(items);
    return rc;
}

/* Is row (qual_get / qual_list_ent JSON) valid on d (YYYY-MM-DD)? */
static int cal_row_valid(json_t *r, const char *d)
{
    const char *from = json_string_value(json_object_get(r, "valid_from"));
    const char *to = json_string_value(json_object_get(r, "valid_to"));
    const char *end = json_string_value(json_object_get(r, "ended_on"));

    return from && strcmp(from, d) <= 0 && (!to || strcmp(to, d) >= 0) &&
           (!end || strcmp(end, d) > 0);
}

int qual_diagnosis(Db *db, const Actor *a, int64_t enterprise_id,
                   const char *as_of, json_t **out, Err *e)
{
    char d[DATE_ISO_SIZE], to[DATE_ISO_SIZE];
    json_t *rows = NULL, *held = json_array(), *past = json_array();
    json_t *upcoming = NULL;
    QualCalFilter f;
    Date day;
    int rc;

    *out = NULL;
    if (as_of && *as_of) {
        if (date_parse(as_of, &day, "as_of", NULL) != 0) {
            json_decref(held);
            json_decref(past);
            return err_set(e, ERR_INVALID, "as_of",
                           "评价日应为日期，如 2026-06-30");
        }
    } else {
        day = date_today();
    }
    date_format_iso(day, d);
    date_format_iso(date_add_days(day, 365), to);
    rc = qual_list_ent(db, a, enterprise_id, &rows, e);
    for (size_t i = 0; rc == 0 && i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        const char *vf = json_string_value(json_object_get(r, "valid_from"));

        if (cal_row_valid(r, d)) {
            const char *vt = json_string_value(json_object_get(r, "valid_to"));
            Date t;
            json_t *o = json_deep_copy(r);
            json_object_set_new(o, "days_left",
                                vt && date_parse(vt, &t, NULL, NULL) == 0
                                    ? json_integer(date_diff_days(day, t))
                                    : json_null());
            json_array_append_new(held, o);
        } else if (vf && strcmp(vf, d) <= 0) {
            json_array_append(past, r);
        }
    }
    json_decref(rows);
    if (rc == 0) {
        memset(&f, 0, sizeof f);
        f.from = d;
        f.to = to;
        f.enterprise_id = enterprise_id;
        rc = qual_cal_items(db, a, &f, &upcoming, e);
    }
    if (rc) {
        json_decref(held);
        json_decref(past);
        return rc;
    }
    *out = json_pack("{sssososo}", "as_of", d, "held", held, "past", past,
                     "upcoming", upcoming);
    return 0;
}
