/* policy_match.c - matching enterprises with the items of the pool: one
 * enterprise with explanations (rule_eval), the district with the library
 * snapshot and the batch evaluator, and the 免申即享 lists (policy.h). */
#include "domain/policy/policy.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/scope.h"
#include "domain/eligibility/elig.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/eligibility/snapshot.h"
#include "domain/qual/qual_cache.h"
#include "rules/field.h"

static const char *const m_codes[] = {"",        "qualified", "nearly",
                                      "unknown", "pending",   "not"};
static const char *const m_names[] = {"",       "符合",   "接近",
                                      "缺数据", "待确认", "不符合"};

const char *policy_match_name(int m)
{
    return m >= 1 && m <= 5 ? m_names[m] : "";
}

const char *policy_match_code(int m)
{
    return m >= 1 && m <= 5 ? m_codes[m] : "";
}

/* The as-of date of a match for year: year-12-31, or today when today
 * lies in that year. */
static Date match_as_of(int year)
{
    Date today = date_today(), end;
    Err e;

    err_clear(&e);
    if (date_from_ymd(year, 12, 31, &end, "year", &e)) {
        return today;
    }
    return elig_year(today) == year && today < end ? today : end;
}

/* ---- the process's snapshots ----
 *
 * A server answers many requests over the same data: the snapshots of the
 * last SNAP_KEEP (database, as-of date) pairs asked for are kept in the
 * process, shared by every thread (read only) and counted: a holder gets
 * one with policy_snapshot() and gives it back with
 * policy_snapshot_release(); one replaced while held is freed by its last
 * holder. Each use checks it again: the audit entry up to which it was
 * last found in step (at first its mark) must still carry the hash it
 * had (the same database, not one made anew at the same location: each
 * entry's hash covers the ones before it) and snapshot_fresh_since() must
 * find no entry after it that can change rule inputs (in PostgreSQL, any
 * instance's write); the harmless entries read (log-ins, ...) move that
 * entry on, so the next use reads only newer ones. A stale one is brought
 * in step by snapshot_update() or replaced (snapshot_get()). */
#define SNAP_KEEP 2
#define SNAP_HASH_MAX 80

typedef struct SnapRef {
    Snapshot *s;
    char loc[512], hash[SNAP_HASH_MAX]; /* hash: of the entry checked */
    int64_t checked; /* audit id up to which it is known in step */
    Date as_of;
    int refs;      /* holders, the cache itself included while kept */
    int kept;      /* 1 while the cache holds it */
    uint64_t used; /* last use, for eviction */
    struct SnapRef *next;
} SnapRef;

static SnapRef *snap_refs;
static uint64_t snap_tick;
static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
/* held while a snapshot is updated or got (before snap_lock, never
 * after): requests arriving meanwhile wait and take that one */
static pthread_mutex_t snap_build_lock = PTHREAD_MUTEX_INITIALIZER;

/* Drop one reference of r (snap_lock held); the snapshot to free when it
 * was the last (freed by the caller outside the lock), else NULL. */
static Snapshot *snap_unref_locked(SnapRef *r)
{
    Snapshot *s = NULL;

    if (--r->refs > 0) {
        return NULL;
    }
    for (SnapRef **p = &snap_refs; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            break;
        }
    }
    s = r->s;
    free(r);
    return s;
}

void policy_snapshot_release(Snapshot *s)
{
    Snapshot *drop = s;

    if (!s) {
        return;
    }
    pthread_mutex_lock(&snap_lock);
    for (SnapRef *r = snap_refs; r; r = r->next) {
        if (r->s == s) {
            drop = snap_unref_locked(r);
            break;
        }
    }
    pthread_mutex_unlock(&snap_lock);
    snapshot_free(drop); /* not counted: it was never kept */
}

void policy_snapshot_forget(void)
{
    Snapshot *drop[SNAP_KEEP];
    int n = 0;

    pthread_mutex_lock(&snap_lock);
    for (SnapRef *r = snap_refs, *next; r && n < SNAP_KEEP; r = next) {
        next = r->next;
        if (r->kept) {
            r->kept = 0;
            drop[n] = snap_unref_locked(r);
            n += drop[n] != NULL;
        }
    }
    pthread_mutex_unlock(&snap_lock);
    for (int i = 0; i < n; i++) {
        snapshot_free(drop[i]);
    }
}

/* The hash of the audit entry id ("" when there is none). */
static int snap_mark_hash(Db *db, int64_t id, char hash[SNAP_HASH_MAX], Err *e)
{
    DbStmt *st = NULL;
    int rc;

    hash[0] = '\0';
    rc = db_prepare_v(db, &st, e, "SELECT hash FROM audit_log WHERE id = $1",
                      "i", id);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *h = db_col_text(st, 0);

        snprintf(hash, SNAP_HASH_MAX, "%s", h ? h : "");
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

static int64_t snap_mark(const Snapshot *s)
{
    SnapshotInfo info;

    snapshot_info(s, &info);
    return info.audit_mark;
}

/* Keep s (a new holder's, refs 1) for loc and as_of, replacing the one
 * kept for them and the least recently used beyond SNAP_KEEP. */
static void snap_keep(Snapshot *s, const char *loc, Date as_of,
                      const char *hash)
{
    SnapRef *n = xcalloc(1, sizeof *n);
    Snapshot *drop[SNAP_KEEP + 1];
    int n_drop = 0, kept = 1;

    n->s = s;
    snprintf(n->loc, sizeof n->loc, "%s", loc);
    snprintf(n->hash, sizeof n->hash, "%s", hash);
    n->checked = snap_mark(s);
    n->as_of = as_of;
    n->refs = 2; /* the caller's and the cache's */
    n->kept = 1;
    pthread_mutex_lock(&snap_lock);
    n->used = ++snap_tick;
    for (SnapRef *r = snap_refs; r; r = r->next) {
        if (r->kept && r->as_of == as_of && strcmp(r->loc, loc) == 0) {
            r->kept = 0;
            drop[n_drop] = snap_unref_locked(r);
            n_drop += drop[n_drop] != NULL;
            break;
        }
    }
    for (SnapRef *r = snap_refs; r; r = r->next) {
        kept += r->kept;
    }
    if (kept > SNAP_KEEP) {
        SnapRef *old = NULL;

        for (SnapRef *r = snap_refs; r; r = r->next) {
            if (r->kept && (!old || r->used < old->used)) {
                old = r;
            }
        }
        if (old) {
            old->kept = 0;
            drop[n_drop] = snap_unref_locked(old);
            n_drop += drop[n_drop] != NULL;
        }
    }
    n->next = snap_refs;
    snap_refs = n;
    pthread_mutex_unlock(&snap_lock);
    for (int i = 0; i < n_drop; i++) {
        snapshot_free(drop[i]);
    }
}

/* The kept snapshot of loc and as_of with a reference for the caller, or
 * NULL; *checked gets the audit id up to which it is known in step and
 * *hash that entry's hash. */
static Snapshot *snap_find(const char *loc, Date as_of,
                           char hash[SNAP_HASH_MAX], int64_t *checked)
{
    Snapshot *s = NULL;

    pthread_mutex_lock(&snap_lock);
    for (SnapRef *r = snap_refs; r; r = r->next) {
        if (r->kept && r->as_of == as_of && strcmp(r->loc, loc) == 0) {
            r->refs++;
            r->used = ++snap_tick;
            snprintf(hash, SNAP_HASH_MAX, "%s", r->hash);
            *checked = r->checked;
            s = r->s;
            break;
        }
    }
    pthread_mutex_unlock(&snap_lock);
    return s;
}

/* The kept s was found in step up to audit id to: remember it with its
 * hash (best effort: on failure the next use reads those entries again). */
static void snap_advance(Db *db, const Snapshot *s, int64_t to)
{
    char hash[SNAP_HASH_MAX];
    Err ignore;

    if (snap_mark_hash(db, to, hash, &ignore) || !hash[0]) {
        return;
    }
    pthread_mutex_lock(&snap_lock);
    for (SnapRef *r = snap_refs; r; r = r->next) {
        if (r->kept && r->s == s && to > r->checked) {
            r->checked = to;
            snprintf(r->hash, sizeof r->hash, "%s", hash);
            break;
        }
    }
    pthread_mutex_unlock(&snap_lock);
}

int policy_snapshot(Db *db, Date as_of, Snapshot **out, Err *e)
{
    /* one file per database, shared with the screening (today's): other
     * dates are built in memory so they do not displace it */
    const char *loc = db_location(db);
    char *path = NULL, kept[SNAP_HASH_MAX], now[SNAP_HASH_MAX];
    Snapshot *s = NULL, *u = NULL;
    int rc = 0, locked = 0;
    Err ignore;

    *out = NULL;
    if (!loc || !*loc || strstr(loc, ":memory:") != NULL ||
        strlen(loc) >= sizeof snap_refs->loc) {
        /* an in-memory database has no identity across connections */
        loc = NULL;
    }
    path = as_of == date_today() ? snapshot_path_for(db_location(db)) : NULL;
    /* the kept one when in step; else, one thread at a time, look again
     * (another may have just brought it in step) and update or get it */
    for (int pass = 0; loc && pass < 2 && rc == 0 && !*out; pass++) {
        int fresh = 0, same;
        int64_t checked = 0, to = 0;

        if (pass == 1) {
            pthread_mutex_lock(&snap_build_lock);
            locked = 1;
        }
        s = snap_find(loc, as_of, kept, &checked);
        if (!s) {
            continue;
        }
        rc = snap_mark_hash(db, checked, now, e);
        same = rc == 0 && strcmp(now, kept) == 0;
        if (same) {
            rc = snapshot_fresh_since(db, s, checked, &fresh, &to, e);
        }
        if (rc == 0 && same && fresh) {
            if (to > checked) {
                snap_advance(db, s, to);
            }
            *out = s;
            break;
        }
        if (rc == 0 && same && pass == 1) {
            /* patch the enterprises written since (NULL: get it anew) */
            rc = snapshot_update(db, s, NULL, &u, e);
        }
        policy_snapshot_release(s);
        s = NULL;
    }
    if (rc || *out) {
        goto out;
    }
    if (u && path) {
        /* for the next process and the screening, as snapshot_get */
        snapshot_save(u, path, &ignore);
    }
    s = u;
    if (!s) {
        rc = snapshot_get(db, path, as_of, &s, e);
        if (rc) {
            goto out;
        }
    }
    if (loc) {
        rc = snap_mark_hash(db, snap_mark(s), now, e);
        if (rc) {
            snapshot_free(s);
            goto out;
        }
        snap_keep(s, loc, as_of, now);
    }
    *out = s;
out:
    if (locked) {
        pthread_mutex_unlock(&snap_build_lock);
    }
    free(path);
    return rc;
}

static int year_ok(int year, Err *e)
{
    if (year < 2000 || year > 2100) {
        return err_set(e, ERR_INVALID, "year", "年度应在 2000 至 2100 之间");
    }
    return 0;
}

static const char *basis_name(const char *b)
{
    if (!b || !*b) {
        return "";
    }
    return strcmp(b, "first") == 0     ? "首次认定"
           : strcmp(b, "recert") == 0  ? "重新认定"
           : strcmp(b, "move_in") == 0 ? "整体迁入"
                                       : b;
}

/* The qualifications of year that make it's event: events counted per
 * enterprise through fn (one enterprise's: ent_events_load). */
static int events_each(Db *db, const PolicyItem *it, int year,
                       void (*fn)(void *ud, int64_t ent, int64_t n), void *ud,
                       Err *e)
{
    DbStmt *st = NULL;
    char from[DATE_ISO_SIZE], to[DATE_ISO_SIZE];
    int rc;

    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    rc = db_prepare_v(
        db, &st, e,
        "SELECT enterprise_id, count(*) FROM qualifications WHERE "
        "kind = $1 AND (CAST($2 AS TEXT) IS NULL OR basis = $2) AND "
        "(year = $3 OR (year IS NULL AND coalesce(issued_on, "
        "valid_from) BETWEEN $4 AND $5)) AND (ended_on IS NULL OR "
        "ended_on > $5) GROUP BY enterprise_id",
        "ttitt", it->trigger_kind,
        it->trigger_basis[0] ? it->trigger_basis : NULL, (int64_t)year, from,
        to);
    if (rc) {
        return rc;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        fn(ud, db_col_int64(st, 0), db_col_int64(st, 1));
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* Application of the enterprise for year (status and amounts) by item. */
typedef struct AppInfo {
    int64_t item_id;
    char status[16];
    int64_t amount;
    int64_t paid; /* net */
} AppInfo;

#define APPS_MAX 256

static int apps_load(Db *db, int64_t ent_id, int year, AppInfo *v, int *n,
                     Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *n = 0;
    rc = db_prepare_v(db, &st, e,
                      "SELECT a.item_id, a.status, a.amount, coalesce((SELECT "
                      "sum(p.amount) FROM policy_payments p WHERE "
                      "p.application_id = a.id), 0) FROM policy_applications "
                      "a WHERE a.enterprise_id = $1 AND a.year = $2",
                      "ii", ent_id, (int64_t)year);
    if (rc) {
        return rc;
    }
    while ((rc = db_step(st, e)) == DB_ROW && *n < APPS_MAX) {
        v[*n].item_id = db_col_int64(st, 0);
        snprintf(v[*n].status, sizeof v[*n].status, "%s",
                 db_col_text(st, 1) ? db_col_text(st, 1) : "");
        v[*n].amount = db_col_int64(st, 2);
        v[*n].paid = db_col_int64(st, 3);
        (*n)++;
    }
    db_finalize(st);
    return rc == DB_DONE || rc == DB_ROW ? 0 : rc;
}

static const AppInfo *app_find(const AppInfo *v, int n, int64_t item_id)
{
    for (int i = 0; i < n; i++) {
        if (v[i].item_id == item_id && strcmp(v[i].status, "rejected") != 0) {
            return &v[i];
        }
    }
    return NULL;
}

int policy_list_has(const char *list, const char *code)
{
    size_t n = strlen(code);
    const char *p = list;

    while (p && *p) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);

        while (len && *p == ' ') {
            p++;
            len--;
        }
        if (len == n && strncmp(p, code, n) == 0) {
            return 1;
        }
        p = c ? c + 1 : NULL;
    }
    return 0;
}

/* Do items a and b exclude each other (either lists the other)? */
static int excluded(const PolicyItem *a, const PolicyItem *b)
{
    return policy_list_has(a->excludes, b->code) ||
           policy_list_has(b->excludes, a->code);
}

/* The figure of it for one input (through the batch view of the input). */
static int figure_of(const PolicyItem *it, const BatchInput *bi, size_t row,
                     int64_t *v)
{
    int slot = RULE_YEARS - 1 + it->figure_year;
    const int64_t *col;
    const uint8_t *has;

    if (it->figure < 0 || it->figure >= RULE_N_YEARLY || slot < 0) {
        return 0;
    }
    col = bi->yv[it->figure][slot];
    has = bi->yhas[it->figure][slot];
    if (!col || (has && !has[row])) {
        return 0;
    }
    *v = col[row];
    return 1;
}

int policy_in_force(const PolicyItem *it, int year)
{
    char from[16], to[16];

    snprintf(from, sizeof from, "%04d-01-01", year % 10000);
    snprintf(to, sizeof to, "%04d-12-31", year % 10000);
    return !(it->eff_from[0] && strcmp(it->eff_from, to) > 0) &&
           !(it->eff_to[0] && strcmp(it->eff_to, from) < 0);
}

/* One item for one enterprise (before stacking). */
typedef struct MatchRow {
    int outcome;
    int amount_known;
    int64_t amount;
    int64_t events;
    char basis[384];
    json_t *reasons; /* array of strings */
    json_t *gaps;
    json_t *rows; /* explanation rows, or NULL */
    char missing[512];
} MatchRow;

/* One enterprise's qualifications of a year by (kind, basis): what every
 * item's trigger counts, read once for all items. */
typedef struct EntEvents {
    size_t n, cap;
    struct EntEvent {
        char kind[POLICY_CODE_MAX], basis[POLICY_CODE_MAX];
        int64_t n;
    } * v;
} EntEvents;

/* The enterprise's rows of year as events_each selects them (year, or
 * the issue date for rows without one; not ended by the year's end). */
static int ent_events_load(Db *db, int64_t ent_id, int year, EntEvents *x,
                           Err *e)
{
    DbStmt *st = NULL;
    char from[DATE_ISO_SIZE], to[DATE_ISO_SIZE];
    int rc;

    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    rc = db_prepare_v(
        db, &st, e,
        "SELECT kind, basis, count(*) FROM qualifications WHERE "
        "enterprise_id = $1 AND (year = $2 OR (year IS NULL AND "
        "coalesce(issued_on, valid_from) BETWEEN $3 AND $4)) AND (ended_on "
        "IS NULL OR ended_on > $4) GROUP BY kind, basis",
        "iitt", ent_id, (int64_t)year, from, to);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *k = db_col_text(st, 0), *b = db_col_text(st, 1);
        struct EntEvent *v;

        rc = 0;
        /* a kind or basis longer than any trigger's matches none */
        if (!k || strlen(k) >= POLICY_CODE_MAX ||
            (b && strlen(b) >= POLICY_CODE_MAX)) {
            continue;
        }
        if (x->n == x->cap) {
            x->cap = x->cap ? x->cap * 2 : 8;
            x->v = xrealloc(x->v, x->cap * sizeof *x->v);
        }
        v = &x->v[x->n++];
        snprintf(v->kind, sizeof v->kind, "%s", k);
        /* NULL: matches only a trigger without a basis, as "" does */
        snprintf(v->basis, sizeof v->basis, "%s", b ? b : "");
        v->n = db_col_int64(st, 2);
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* Events of it's trigger among x (a trigger with a basis takes only rows
 * of that basis). */
static int64_t ent_events_of(const EntEvents *x, const PolicyItem *it)
{
    int64_t n = 0;

    for (size_t i = 0; i < x->n; i++) {
        if (strcmp(x->v[i].kind, it->trigger_kind) == 0 &&
            (!it->trigger_basis[0] ||
             strcmp(x->v[i].basis, it->trigger_basis) == 0)) {
            n += x->v[i].n;
        }
    }
    return n;
}

static int match_one(const PolicyItem *it, const EntEvents *ev, int year,
                     const RuleInput *in, const char hash[65], MatchRow *m,
                     Err *e)
{
    BatchInput bi;
    int64_t fv = 0;
    int present, rc = 0;
    char why[256];

    memset(m, 0, sizeof *m);
    m->reasons = json_array();
    m->gaps = json_array();
    m->outcome = POLICY_M_QUALIFIED;
    if (it->rs) {
        RuleResult *r = NULL;
        int v, unfixable = 0, n_gaps = 0;

        rc = rule_eval_hashed(it->rs, in, hash, &r, e);
        if (rc) {
            return rc;
        }
        v = rule_result_verdict(r);
        for (int i = 0; i < rule_result_n_rows(r); i++) {
            RuleRow row;

            rule_result_row(r, i, &row);
            if (row.outcome == RULE_V_UNMET && row.depth > 0) {
                json_array_append_new(m->reasons, json_string(row.label));
                if (row.gap && *row.gap && !row.unfixable) {
                    json_array_append_new(m->gaps, json_string(row.gap));
                    n_gaps++;
                } else {
                    unfixable = 1;
                }
            }
            if (row.missing && *row.missing && !m->missing[0]) {
                snprintf(m->missing, sizeof m->missing, "%s", row.missing);
            }
        }
        {
            json_t *full = elig_result_json(it->rs, r);

            m->rows = json_incref(json_object_get(full, "rows"));
            json_decref(full);
        }
        rule_result_free(r);
        switch (v) {
        case RULE_V_MET:
            break;
        case RULE_V_UNMET:
            m->outcome =
                !unfixable && n_gaps > 0 ? POLICY_M_NEARLY : POLICY_M_NOT;
            break;
        case RULE_V_UNKNOWN:
            m->outcome = POLICY_M_UNKNOWN;
            json_array_append_new(m->reasons,
                                  json_sprintf("缺数据：%s", m->missing[0]
                                                                 ? m->missing
                                                                 : "见说明"));
            break;
        default:
            m->outcome = POLICY_M_PENDING;
            json_array_append_new(m->reasons,
                                  json_string(rule_verdict_name(v)));
        }
    }
    if (it->trigger_kind[0]) {
        m->events = ent_events_of(ev, it);
        if (m->events == 0) {
            snprintf(why, sizeof why, "%d 年无%s%s记录（资质登记）", year,
                     elig_tier_name(it->trigger_kind),
                     basis_name(it->trigger_basis));
            json_array_append_new(m->reasons, json_string(why));
            m->outcome = POLICY_M_NOT;
        }
    } else {
        m->events = 1;
    }
    if (!policy_in_force(it, year)) {
        snprintf(why, sizeof why, "政策有效期 %s 至 %s，不含 %d 年",
                 it->eff_from[0] ? it->eff_from : "不限",
                 it->eff_to[0] ? it->eff_to : "不限", year);
        json_array_append_new(m->reasons, json_string(why));
        m->outcome = POLICY_M_NOT;
    }
    batch_input_from_rule_input(in, &bi);
    present =
        it->figure == POLICY_FIGURE_CLAIMED ? 0 : figure_of(it, &bi, 0, &fv);
    if (it->figure == POLICY_FIGURE_CLAIMED) {
        m->amount_known = 0;
        snprintf(m->basis, sizeof m->basis, "按申报金额计算");
    } else {
        m->amount_known = policy_amount(it, present, fv, m->events, &m->amount,
                                        m->basis, sizeof m->basis) == 0;
    }
    return 0;
}

static void match_row_release(MatchRow *m)
{
    json_decref(m->reasons);
    json_decref(m->gaps);
    json_decref(m->rows);
}

int policy_match_enterprise(Db *db, const Actor *a, int64_t ent_id, int year,
                            json_t **out, Err *e)
{
    PolicyItem *items = NULL;
    MatchRow *rows = NULL;
    AppInfo apps[APPS_MAX];
    RuleInput *in = NULL;
    json_t *arr = NULL;
    int n = 0, n_apps = 0, rc;
    int64_t total = 0;
    Date as_of;
    char iso[DATE_ISO_SIZE], hash[65];
    EntEvents ev;

    memset(&ev, 0, sizeof ev);
    *out = NULL;
    if ((rc = year_ok(year, e)) ||
        (rc = scope_check(db, a, SCOPE_ENTERPRISE, ent_id, e))) {
        return rc;
    }
    as_of = match_as_of(year);
    rc = db_begin_read(db, e);
    if (rc) {
        return rc;
    }
    rc = policy_items_load_all(db, &items, &n, e);
    if (rc == 0) {
        rc = elig_load_input(db, ent_id, as_of, &in, e);
    }
    if (rc == 0) {
        rc = apps_load(db, ent_id, year, apps, &n_apps, e);
    }
    if (rc == 0) {
        rc = ent_events_load(db, ent_id, year, &ev, e);
    }
    if (rc) {
        goto out;
    }
    rule_input_hash(in, hash); /* once, not per item */
    rows = xcalloc((size_t)(n ? n : 1), sizeof *rows);
    for (int i = 0; i < n; i++) {
        rc = match_one(&items[i], &ev, year, in, hash, &rows[i], e);
        if (rc) {
            goto out;
        }
    }
    /* stacking: 就高不重复 keeps the highest qualified item of a group;
     * 同一事项不重复享受 and exclusions follow applications made */
    for (int i = 0; i < n; i++) {
        PolicyItem *it = &items[i];

        if (rows[i].outcome != POLICY_M_QUALIFIED &&
            rows[i].outcome != POLICY_M_NEARLY) {
            continue;
        }
        for (int j = 0; j < n; j++) {
            const AppInfo *ap;
            char why[700];

            if (j == i) {
                continue;
            }
            ap = app_find(apps, n_apps, items[j].id);
            if (it->stack_group[0] &&
                strcmp(it->stack_group, items[j].stack_group) == 0) {
                if (it->stack_rule == POLICY_STACK_HIGHEST &&
                    rows[j].outcome == POLICY_M_QUALIFIED &&
                    rows[i].outcome == POLICY_M_QUALIFIED &&
                    (rows[j].amount > rows[i].amount ||
                     (j < i && rows[j].amount == rows[i].amount)) &&
                    !app_find(apps, n_apps, it->id)) {
                    snprintf(why, sizeof why, "就高不重复：按「%s」享受",
                             items[j].title);
                    json_array_append_new(rows[i].reasons, json_string(why));
                    rows[i].outcome = POLICY_M_NOT;
                    break;
                }
                if (ap && !app_find(apps, n_apps, it->id)) {
                    snprintf(why, sizeof why, "%s：%d 年已申请「%s」",
                             it->stack_rule == POLICY_STACK_HIGHEST
                                 ? "就高不重复"
                                 : "同一事项不重复享受",
                             year, items[j].title);
                    json_array_append_new(rows[i].reasons, json_string(why));
                    rows[i].outcome = POLICY_M_NOT;
                    break;
                }
            }
            if (ap && excluded(it, &items[j]) &&
                !app_find(apps, n_apps, it->id)) {
                snprintf(why, sizeof why, "与「%s」不能同时享受（%d 年已申请）",
                         items[j].title, year);
                json_array_append_new(rows[i].reasons, json_string(why));
                rows[i].outcome = POLICY_M_NOT;
                break;
            }
        }
    }
    arr = json_array();
    for (int i = 0; i < n; i++) {
        PolicyItem *it = &items[i];
        const AppInfo *ap = app_find(apps, n_apps, it->id);
        int64_t amt = rows[i].amount;
        json_t *o;

        if (it->year_cap > 0 && rows[i].amount_known) {
            int64_t paid = 0;

            for (int k = 0; k < n_apps; k++) {
                if (apps[k].item_id == it->id) {
                    paid += apps[k].paid;
                }
            }
            if (amt > it->year_cap - paid) {
                amt = it->year_cap - paid > 0 ? it->year_cap - paid : 0;
            }
        }
        o = json_object();
        json_object_set_new(o, "item_id", json_integer(it->id));
        json_object_set_new(o, "code", json_string(it->code));
        json_object_set_new(o, "title", json_string(it->title));
        json_object_set_new(o, "policy", json_string(it->policy_title));
        json_object_set_new(o, "outcome",
                            json_string(policy_match_code(rows[i].outcome)));
        json_object_set_new(o, "outcome_name",
                            json_string(policy_match_name(rows[i].outcome)));
        json_object_set_new(o, "money",
                            json_boolean(it->amount_kind != POLICY_AMT_NONE));
        json_object_set_new(o, "amount_known",
                            json_boolean(rows[i].amount_known));
        json_object_set_new(o, "amount", json_integer(amt));
        json_object_set_new(o, "basis", json_string(rows[i].basis));
        json_object_set_new(o, "reasons", json_incref(rows[i].reasons));
        json_object_set_new(o, "gaps", json_incref(rows[i].gaps));
        json_object_set_new(o, "missing", json_string(rows[i].missing));
        json_object_set_new(
            o, "rows", rows[i].rows ? json_incref(rows[i].rows) : json_array());
        json_object_set_new(o, "auto_grant", json_boolean(it->auto_grant));
        json_object_set_new(o, "status", json_string(it->status));
        json_object_set_new(o, "applied",
                            ap ? json_string(ap->status) : json_null());
        json_array_append_new(arr, o);
        if (rows[i].outcome == POLICY_M_QUALIFIED && rows[i].amount_known) {
            total += amt;
        }
    }
    date_format_iso(as_of, iso);
    *out = json_pack("{s:I,s:i,s:s,s:o,s:I}", "enterprise_id",
                     (json_int_t)ent_id, "year", year, "as_of", iso, "items",
                     arr, "total_amount", (json_int_t)total);
out:
    if (db_in_tx(db)) {
        db_rollback(db);
    }
    for (int i = 0; rows && i < n; i++) {
        match_row_release(&rows[i]);
    }
    free(rows);
    free(ev.v);
    rule_input_free(in);
    policy_items_free(items, n);
    return rc;
}

/* ---- the district ---- */

typedef struct EvCtx {
    const Snapshot *s;
    int64_t *events; /* per snapshot row */
} EvCtx;

static void count_row(void *ud, int64_t ent, int64_t n)
{
    EvCtx *x = ud;
    int64_t r = snapshot_find(x->s, ent);

    if (r >= 0) {
        x->events[r] += n;
    }
}

/* Existing applications (not rejected) of year by enterprise: for item_id
 * itself (*same) and for items that stack with or exclude it (*other). */
static int applied_rows(Db *db, const PolicyItem *it, int year,
                        const Snapshot *s, uint8_t *applied, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(
        db, &st, e,
        "SELECT a.enterprise_id, a.item_id, i.code, i.stack_group, "
        "i.excludes FROM policy_applications a JOIN policy_items i ON i.id = "
        "a.item_id WHERE a.year = $1 AND a.status <> 'rejected'",
        "i", (int64_t)year);
    if (rc) {
        return rc;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        int64_t r = snapshot_find(s, db_col_int64(st, 0));
        const char *code = db_col_text(st, 2);
        const char *grp = db_col_text(st, 3);
        const char *exc = db_col_text(st, 4);

        if (r < 0) {
            continue;
        }
        if (db_col_int64(st, 1) == it->id) {
            applied[r] |= 1;
        } else if ((grp && it->stack_group[0] &&
                    strcmp(grp, it->stack_group) == 0) ||
                   (code && policy_list_has(it->excludes, code)) ||
                   (exc && policy_list_has(exc, it->code))) {
            applied[r] |= 2;
        }
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

struct EvCache;
static int events_rows(Db *db, const Snapshot *s, const PolicyItem *it,
                       int year, struct EvCache *cache, int64_t *events,
                       Err *e);

int policy_candidates(Db *db, const Actor *a, int64_t item_id, int year,
                      unsigned want, json_t **rows, Err *e)
{
    PolicyItem it;
    Snapshot *s = NULL;
    BatchProg *prog = NULL;
    BatchOut bo;
    uint8_t *verdict = NULL, *in_scope = NULL, *applied = NULL;
    int64_t *events = NULL;
    DbStmt *st = NULL;
    json_t *arr = NULL;
    size_t n = 0;
    int rc, in_force;

    memset(&it, 0, sizeof it);
    memset(&bo, 0, sizeof bo);
    *rows = NULL;
    if (!want) {
        want = 1u << POLICY_M_QUALIFIED;
    }
    if ((rc = year_ok(year, e))) {
        return rc;
    }
    rc = policy_item_load(db, item_id, &it, e);
    if (rc) {
        goto out;
    }
    rc = db_begin_read(db, e);
    if (rc == 0) {
        rc = policy_snapshot(db, match_as_of(year), &s, e);
    }
    if (rc) {
        goto out;
    }
    n = snapshot_rows(s);
    verdict = xcalloc(n ? n : 1, 1);
    in_scope = xcalloc(n ? n : 1, 1);
    applied = xcalloc(n ? n : 1, 1);
    events = xcalloc(n ? n : 1, sizeof *events);
    rc = snapshot_scope(db, s, a->unit_path, in_scope, NULL, e);
    if (rc) {
        goto out;
    }
    if (it.rs) {
        rc = batch_compile(it.rs, &prog, e);
        if (rc) {
            goto out;
        }
        bo.verdict = verdict;
        rc = batch_eval(prog, snapshot_input(s), &bo, 1, e);
        if (rc) {
            goto out;
        }
    } else {
        memset(verdict, RULE_V_MET, n);
    }
    if (it.trigger_kind[0]) {
        rc = events_rows(db, s, &it, year, NULL, events, e);
        if (rc) {
            goto out;
        }
    } else {
        for (size_t r = 0; r < n; r++) {
            events[r] = 1;
        }
    }
    rc = applied_rows(db, &it, year, s, applied, e);
    if (rc) {
        goto out;
    }
    rc = db_prepare(db,
                    "SELECT e.uscc, e.name, o.name FROM enterprises e JOIN "
                    "org_units o ON o.id = e.unit_id WHERE e.id = $1",
                    &st, e);
    if (rc) {
        goto out;
    }
    arr = json_array();
    in_force = policy_in_force(&it, year);
    for (size_t r = 0; r < n; r++) {
        int m;
        int64_t fv = 0, amt = 0;
        int known, present;
        char basis[384];

        if (!in_scope[r]) {
            continue;
        }
        switch (verdict[r]) {
        case RULE_V_MET:
            m = POLICY_M_QUALIFIED;
            break;
        case RULE_V_UNKNOWN:
            m = POLICY_M_UNKNOWN;
            break;
        case RULE_V_UNMET:
            m = POLICY_M_NOT;
            break;
        default:
            m = POLICY_M_PENDING;
        }
        if (events[r] == 0 || !in_force) {
            m = POLICY_M_NOT;
        }
        if (!(want & (1u << m))) {
            continue;
        }
        present = figure_of(&it, snapshot_input(s), r, &fv);
        known = it.figure != POLICY_FIGURE_CLAIMED &&
                policy_amount(&it, present, fv, events[r], &amt, basis,
                              sizeof basis) == 0;
        if (!known) {
            amt = 0;
            snprintf(basis, sizeof basis, "%s",
                     it.figure == POLICY_FIGURE_CLAIMED ? "按申报金额计算"
                                                        : "缺少依据数");
        }
        db_reset(st);
        db_bind_int64(st, 1, snapshot_enterprise_id(s, r));
        rc = db_step(st, e);
        if (rc != DB_ROW) {
            rc = rc == DB_DONE ? 0 : rc;
            if (rc) {
                goto out;
            }
            continue;
        }
        json_array_append_new(
            arr, json_pack(
                     "{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:s,s:I,s:s*}",
                     "enterprise_id", (json_int_t)snapshot_enterprise_id(s, r),
                     "uscc", db_col_text(st, 0), "name", db_col_text(st, 1),
                     "unit_name", db_col_text(st, 2), "outcome",
                     policy_match_code(m), "outcome_name", policy_match_name(m),
                     "amount", (json_int_t)amt, "amount_known", known, "basis",
                     basis, "events", (json_int_t)events[r], "applied",
                     applied[r] & 1   ? "本条款已申请"
                     : applied[r] & 2 ? "已申请同组或互斥条款"
                                      : NULL));
        rc = 0;
    }
    *rows = arr;
    arr = NULL;
out:
    if (db_in_tx(db)) {
        db_rollback(db);
    }
    db_finalize(st);
    json_decref(arr);
    batch_free(prog);
    policy_snapshot_release(s);
    free(verdict);
    free(in_scope);
    free(applied);
    free(events);
    policy_item_release(&it);
    return rc;
}

/* Event counts per snapshot row by trigger (kind and basis), counted once
 * for a pass over many items: items with the same trigger share them. */
#define EV_CACHE_MAX 16

typedef struct EvCache {
    int n;
    struct {
        char kind[POLICY_CODE_MAX], basis[POLICY_CODE_MAX];
        int64_t *events;
    } v[EV_CACHE_MAX];
} EvCache;

static void ev_cache_free(EvCache *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->v[i].events);
    }
    c->n = 0;
}

/* The district's event counts by trigger and year, kept across calls in
 * the process (a server answers many requests over the same data): each
 * with the data version it was counted at (qual_cache_mark: the newest
 * audit entry with its chain hash, and the highest register row id), used
 * only while the database still has that version. Sparse: the
 * enterprises with events. */
#define EV_MEMO_MAX 8

typedef struct EvMemo {
    char loc[512], mark[QUAL_MARK_MAX];
    char kind[POLICY_CODE_MAX], basis[POLICY_CODE_MAX];
    int year;
    size_t n;
    int64_t *ent, *cnt; /* NULL: empty slot */
    uint64_t used;
} EvMemo;

static EvMemo ev_memo[EV_MEMO_MAX];
static uint64_t ev_memo_tick;
static pthread_mutex_t ev_memo_lock = PTHREAD_MUTEX_INITIALIZER;

static int ev_memo_match(const EvMemo *m, const char *loc, const char *mark,
                         const PolicyItem *it, int year)
{
    return m->ent && m->year == year && strcmp(m->loc, loc) == 0 &&
           strcmp(m->mark, mark) == 0 &&
           strcmp(m->kind, it->trigger_kind) == 0 &&
           strcmp(m->basis, it->trigger_basis) == 0;
}

/* Add the kept counts of it's trigger to events; 1 when there were. */
static int ev_memo_get(const Snapshot *s, const char *loc, const char *mark,
                       const PolicyItem *it, int year, int64_t *events)
{
    int hit = 0;

    pthread_mutex_lock(&ev_memo_lock);
    for (int i = 0; i < EV_MEMO_MAX && !hit; i++) {
        EvMemo *m = &ev_memo[i];

        if (!ev_memo_match(m, loc, mark, it, year)) {
            continue;
        }
        for (size_t k = 0; k < m->n; k++) {
            int64_t r = snapshot_find(s, m->ent[k]);

            if (r >= 0) {
                events[r] += m->cnt[k];
            }
        }
        m->used = ++ev_memo_tick;
        hit = 1;
    }
    pthread_mutex_unlock(&ev_memo_lock);
    return hit;
}

/* Keep the counts of a district pass (events per snapshot row) in the
 * least recently used slot. */
static void ev_memo_put(const Snapshot *s, const char *loc, const char *mark,
                        const PolicyItem *it, int year, const int64_t *events)
{
    size_t rows = snapshot_rows(s), n = 0;
    EvMemo *m = &ev_memo[0];
    int64_t *ent, *cnt;

    if (strlen(loc) >= sizeof m->loc) {
        return;
    }
    for (size_t r = 0; r < rows; r++) {
        n += events[r] != 0;
    }
    ent = xcalloc(n ? n : 1, sizeof *ent);
    cnt = xcalloc(n ? n : 1, sizeof *cnt);
    n = 0;
    for (size_t r = 0; r < rows; r++) {
        if (events[r] != 0) {
            ent[n] = snapshot_enterprise_id(s, r);
            cnt[n++] = events[r];
        }
    }
    pthread_mutex_lock(&ev_memo_lock);
    for (int i = 1; i < EV_MEMO_MAX; i++) {
        if (!m->ent) {
            break;
        }
        if (!ev_memo[i].ent || ev_memo[i].used < m->used) {
            m = &ev_memo[i];
        }
    }
    free(m->ent);
    free(m->cnt);
    snprintf(m->loc, sizeof m->loc, "%s", loc);
    snprintf(m->mark, sizeof m->mark, "%s", mark);
    snprintf(m->kind, sizeof m->kind, "%s", it->trigger_kind);
    snprintf(m->basis, sizeof m->basis, "%s", it->trigger_basis);
    m->year = year;
    m->n = n;
    m->ent = ent;
    m->cnt = cnt;
    m->used = ++ev_memo_tick;
    pthread_mutex_unlock(&ev_memo_lock);
}

/* The event counts of it's trigger per snapshot row into events (n rows,
 * zeroed by the caller): from the pass's cache, else from the process's
 * (same data version), else counted (and kept in both). */
static int events_rows(Db *db, const Snapshot *s, const PolicyItem *it,
                       int year, EvCache *cache, int64_t *events, Err *e)
{
    size_t n = snapshot_rows(s);
    EvCtx x = {s, events};
    const char *loc = db_location(db) ? db_location(db) : "";
    char mark[QUAL_MARK_MAX];
    int rc;

    for (int i = 0; cache && i < cache->n; i++) {
        if (strcmp(cache->v[i].kind, it->trigger_kind) == 0 &&
            strcmp(cache->v[i].basis, it->trigger_basis) == 0) {
            memcpy(events, cache->v[i].events, n * sizeof *events);
            return 0;
        }
    }
    rc = qual_cache_mark(db, mark, e);
    if (rc) {
        return rc;
    }
    /* an in-memory database has no identity across connections */
    if (!*mark || strstr(loc, ":memory:") != NULL) {
        rc = events_each(db, it, year, count_row, &x, e);
    } else if (!ev_memo_get(s, loc, mark, it, year, events)) {
        rc = events_each(db, it, year, count_row, &x, e);
        if (rc == 0) {
            ev_memo_put(s, loc, mark, it, year, events);
        }
    }
    if (rc == 0 && cache && cache->n < EV_CACHE_MAX) {
        int k = cache->n++;

        snprintf(cache->v[k].kind, sizeof cache->v[k].kind, "%s",
                 it->trigger_kind);
        snprintf(cache->v[k].basis, sizeof cache->v[k].basis, "%s",
                 it->trigger_basis);
        cache->v[k].events = xcalloc(n ? n : 1, sizeof *events);
        memcpy(cache->v[k].events, events, n * sizeof *events);
    }
    return rc;
}

/* Fill the pass's cache with the event counts of every trigger of the
 * items (at most EV_CACHE_MAX): those the process keeps for this data
 * version copied, the others counted together in one pass over the
 * register's rows of the year (its kinds and bases sorted out here, as
 * events_each selects them) rather than one index walk per trigger. */
static int ev_prefetch(Db *db, const Snapshot *s, const PolicyItem *items,
                       int n_items, int year, EvCache *cache, Err *e)
{
    size_t n = snapshot_rows(s);
    const char *loc = db_location(db) ? db_location(db) : "";
    char mark[QUAL_MARK_MAX], from[DATE_ISO_SIZE], to[DATE_ISO_SIZE];
    const PolicyItem *want[EV_CACHE_MAX];
    int n_want = 0, first = cache->n, memo, rc;
    DbStmt *st = NULL;

    rc = qual_cache_mark(db, mark, e);
    if (rc) {
        return rc;
    }
    memo = *mark && strstr(loc, ":memory:") == NULL;
    for (int i = 0; i < n_items; i++) {
        const PolicyItem *it = &items[i];
        int have = 0;

        if (!it->trigger_kind[0]) {
            continue;
        }
        for (int k = 0; k < cache->n && !have; k++) {
            have = strcmp(cache->v[k].kind, it->trigger_kind) == 0 &&
                   strcmp(cache->v[k].basis, it->trigger_basis) == 0;
        }
        if (have || cache->n >= EV_CACHE_MAX) {
            continue;
        }
        {
            int k = cache->n++;

            snprintf(cache->v[k].kind, sizeof cache->v[k].kind, "%s",
                     it->trigger_kind);
            snprintf(cache->v[k].basis, sizeof cache->v[k].basis, "%s",
                     it->trigger_basis);
            cache->v[k].events = xcalloc(n ? n : 1, sizeof(int64_t));
            if (!memo ||
                !ev_memo_get(s, loc, mark, it, year, cache->v[k].events)) {
                want[n_want++] = it;
            }
        }
    }
    if (n_want == 0) {
        return 0;
    }
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    /* the rows of the year from qualifications_year alone (029), then
     * those without a year by their dates: two branches, so that neither
     * backend falls back to reading the whole register for an OR */
    rc = db_prepare_v(db, &st, e,
                      "SELECT enterprise_id, kind, basis FROM qualifications "
                      "WHERE year = $1 AND (ended_on IS NULL OR ended_on > "
                      "$3) UNION ALL SELECT enterprise_id, kind, basis FROM "
                      "qualifications WHERE year IS NULL AND "
                      "coalesce(issued_on, valid_from) BETWEEN $2 AND $3 "
                      "AND (ended_on IS NULL OR ended_on > $3)",
                      "itt", (int64_t)year, from, to);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *kind = db_col_text(st, 1), *basis = db_col_text(st, 2);
        int64_t r = -2;

        for (int k = first; k < cache->n; k++) {
            const char *tb = cache->v[k].basis;

            if (!kind || strcmp(kind, cache->v[k].kind) != 0 ||
                (tb[0] && (!basis || strcmp(basis, tb) != 0))) {
                continue;
            }
            if (r == -2) {
                r = snapshot_find(s, db_col_int64(st, 0));
            }
            if (r >= 0) {
                cache->v[k].events[r]++;
            }
        }
        rc = 0;
    }
    db_finalize(st);
    if (rc == DB_DONE) {
        rc = 0;
    }
    for (int w = 0; rc == 0 && memo && w < n_want; w++) {
        for (int k = first; k < cache->n; k++) {
            if (strcmp(cache->v[k].kind, want[w]->trigger_kind) == 0 &&
                strcmp(cache->v[k].basis, want[w]->trigger_basis) == 0) {
                ev_memo_put(s, loc, mark, want[w], year, cache->v[k].events);
            }
        }
    }
    return rc;
}

/* ---- the district pass: every item over every snapshot row ----
 *
 * One pass over the rows in chunks: for each chunk, each item's batch
 * evaluation of the chunk (a view of the snapshot's columns), then at once
 * per row the outcome, the amount and the item's counts, while the chunk's
 * verdicts and columns are in cache. Chunks are shared out to DP_THREADS
 * threads (each evaluates its chunks one item after another on its own
 * thread); nothing is allocated per row. Rows an item cannot qualify on
 * are not evaluated: the whole district when its policy is not in force
 * for the year, a chunk without a trigger event for an item with a
 * trigger (the outcome is 不符合 there whatever the conditions say). */
#define DP_CHUNK 32768
#define DP_THREADS 2
#define DP_STACK ((size_t)8 * 1024 * 1024) /* as batch_eval's threads */

static size_t dp_chunk = DP_CHUNK;

void policy_district_chunk_set(size_t rows)
{
    dp_chunk = rows ? rows : DP_CHUNK;
}

typedef struct DpItem {
    const PolicyItem *it;
    const BatchProg *prog; /* NULL: no conditions (met) */
    BatchProg *own;
    const int64_t *events; /* per row; NULL: one each (no trigger) */
    int64_t *own_events;   /* events when not in the pass's cache */
    int in_force, row_amount;
    int64_t const_amt;
    uint8_t *oc;  /* per row, or NULL (counts only) */
    int64_t *amt; /* per row, or NULL */
    int64_t cnt[6], cost;
} DpItem;

typedef struct DpPass {
    const BatchInput *bi;
    const uint8_t *in_scope;
    DpItem *items;
    int n_items;
    size_t rows, chunk, n_chunks, next;
    pthread_mutex_t lock;
    int rc;
    Err e;
} DpPass;

/* The outcome of a verdict (RULE_V_*) before triggers and the period. */
static uint8_t dp_outcome(uint8_t v)
{
    return v == RULE_V_MET       ? POLICY_M_QUALIFIED
           : v == RULE_V_UNKNOWN ? POLICY_M_UNKNOWN
           : v == RULE_V_UNMET   ? POLICY_M_NOT
                                 : POLICY_M_PENDING;
}

/* Eight rows at a time (bytes of a uint64_t): 0x80 in each byte of x that
 * is zero, 0 in the others; the number of bytes so marked. */
#define DP_B1 0x0101010101010101ULL
#define DP_B7 0x7f7f7f7f7f7f7f7fULL
#define DP_B8 0x8080808080808080ULL

static uint64_t dp_zero_bytes(uint64_t x)
{
    return ~(((x & DP_B7) + DP_B7) | x | DP_B7);
}

static uint32_t dp_marked(uint64_t m)
{
    return (uint32_t)(((m >> 7) * DP_B1) >> 56);
}

/* Rows [from, from + m) of item d: verdicts into v (m bytes), outcomes
 * and amounts into d's arrays, counts into cnt / cost. */
static int dp_chunk_item(const DpPass *p, DpItem *d, size_t from, size_t m,
                         uint8_t *v, int64_t *cnt, int64_t *cost, Err *e)
{
    const PolicyItem *it = d->it;
    const uint8_t *sc = p->in_scope + from;
    const int64_t *ev = d->events ? d->events + from : NULL;
    uint8_t *oc = d->oc ? d->oc + from : NULL;
    int64_t *amt = d->amt ? d->amt + from : NULL;
    int64_t n_in = 0, sum = 0;
    int evaluate = d->in_force;

    if (evaluate && ev) {
        evaluate = 0;
        for (size_t r = 0; r < m && !evaluate; r++) {
            evaluate = ev[r] != 0 && sc[r];
        }
    }
    if (!evaluate) { /* every row in scope 不符合, no amount */
        for (size_t r = 0; r < m; r++) {
            n_in += sc[r] != 0;
        }
        for (size_t r = 0; oc && r < m; r++) {
            oc[r] = sc[r] ? POLICY_M_NOT : 0;
        }
        if (amt) {
            memset(amt, 0, m * sizeof *amt);
        }
        cnt[POLICY_M_NOT] += n_in;
        return 0;
    }
    if (d->prog) {
        BatchInput view;
        BatchOut bo;
        int rc;

        memset(&bo, 0, sizeof bo);
        bo.verdict = v;
        batch_input_slice(p->bi, from, m, &view);
        rc = batch_eval(d->prog, &view, &bo, 1, e);
        if (rc) {
            return rc;
        }
    } else {
        memset(v, RULE_V_MET, m);
    }
    /* the counts without a branch per row: verdicts of the rows in scope
     * with an event (or no trigger); the others in scope are 不符合 */
    {
        uint32_t n_sc = 0, n_ok = 0, n_met = 0, n_unmet = 0, n_unk = 0;
        size_t r0 = 0;

        for (; !ev && r0 + 8 <= m; r0 += 8) { /* no trigger: 8 rows */
            uint64_t ws, wv, in;

            memcpy(&ws, sc + r0, sizeof ws);
            memcpy(&wv, v + r0, sizeof wv);
            in = dp_zero_bytes(ws) ^ DP_B8;
            n_sc += dp_marked(in);
            n_met += dp_marked(in & dp_zero_bytes(wv ^ (DP_B1 * RULE_V_MET)));
            n_unmet +=
                dp_marked(in & dp_zero_bytes(wv ^ (DP_B1 * RULE_V_UNMET)));
            n_unk +=
                dp_marked(in & dp_zero_bytes(wv ^ (DP_B1 * RULE_V_UNKNOWN)));
        }
        n_ok = n_sc;
        for (size_t r = r0; r < m; r++) {
            uint32_t in = sc[r] != 0;
            uint32_t ok = in & (uint32_t)(!ev || ev[r] != 0);

            n_sc += in;
            n_ok += ok;
            n_met += ok & (uint32_t)(v[r] == RULE_V_MET);
            n_unmet += ok & (uint32_t)(v[r] == RULE_V_UNMET);
            n_unk += ok & (uint32_t)(v[r] == RULE_V_UNKNOWN);
        }
        cnt[POLICY_M_QUALIFIED] += n_met;
        cnt[POLICY_M_UNKNOWN] += n_unk;
        cnt[POLICY_M_NOT] += n_unmet + (n_sc - n_ok);
        cnt[POLICY_M_PENDING] += n_ok - n_met - n_unmet - n_unk;
        if (it->figure != POLICY_FIGURE_CLAIMED && !d->row_amount) {
            sum = (int64_t)n_met * d->const_amt;
        }
    }
    if (oc && amt) { /* given together (dp_run) */
        for (size_t r = 0; r < m; r++) {
            uint8_t o = 0;

            if (sc[r]) {
                o = (ev && ev[r] == 0) ? POLICY_M_NOT : dp_outcome(v[r]);
            }
            oc[r] = o;
            amt[r] = o == POLICY_M_QUALIFIED &&
                             it->figure != POLICY_FIGURE_CLAIMED &&
                             !d->row_amount
                         ? d->const_amt
                         : 0;
        }
    }
    if (it->figure == POLICY_FIGURE_CLAIMED || !d->row_amount) {
        *cost += sum;
        return 0;
    }
    /* amounts by row: the qualified rows only */
    for (size_t r = 0; r < m; r++) {
        int64_t a = 0, fv = 0;
        int present;

        if ((r & 7) == 0 && r + 8 <= m) { /* 8 rows without one: on */
            uint64_t ws, wv;

            memcpy(&ws, sc + r, sizeof ws);
            memcpy(&wv, v + r, sizeof wv);
            if (((dp_zero_bytes(ws) ^ DP_B8) &
                 dp_zero_bytes(wv ^ (DP_B1 * RULE_V_MET))) == 0) {
                r += 7;
                continue;
            }
        }
        if (!sc[r] || v[r] != RULE_V_MET || (ev && ev[r] == 0)) {
            continue;
        }
        present = figure_of(it, p->bi, from + r, &fv);
        if (policy_amount(it, present, fv, ev ? ev[r] : 1, &a, NULL, 0) == 0) {
            a = it->year_cap > 0 && a > it->year_cap ? it->year_cap : a;
        } else {
            a = 0;
        }
        sum += a;
        if (amt) {
            amt[r] = a;
        }
    }
    *cost += sum;
    return 0;
}

static void *dp_worker(void *arg)
{
    DpPass *p = arg;
    size_t chunk = p->chunk;
    uint8_t *v = xmalloc(chunk);
    int64_t(*cnt)[6] = xcalloc((size_t)p->n_items + 1, sizeof *cnt);
    int64_t *cost = xcalloc((size_t)p->n_items + 1, sizeof *cost);
    int rc = 0;
    Err e;

    err_clear(&e);
    for (;;) {
        size_t c, from, m;

        pthread_mutex_lock(&p->lock);
        c = p->rc ? p->n_chunks : p->next++;
        pthread_mutex_unlock(&p->lock);
        if (c >= p->n_chunks) {
            break;
        }
        from = c * chunk;
        m = p->rows - from < chunk ? p->rows - from : chunk;
        for (int i = 0; rc == 0 && i < p->n_items; i++) {
            rc = dp_chunk_item(p, &p->items[i], from, m, v, cnt[i], &cost[i],
                               &e);
        }
        if (rc) {
            break;
        }
    }
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < p->n_items; i++) {
        for (int k = 0; k < 6; k++) {
            p->items[i].cnt[k] += cnt[i][k];
        }
        p->items[i].cost += cost[i];
    }
    if (rc && !p->rc) {
        p->rc = rc;
        p->e = e;
    }
    pthread_mutex_unlock(&p->lock);
    free(v);
    free(cnt);
    free(cost);
    return NULL;
}

/* Prepare item i of the pass: its program (the process's compiled one),
 * its trigger events (from cache), the amount when it is the same for
 * every row. */
static int dp_item_init(Db *db, const Snapshot *s, const PolicyItem *it,
                        int year, EvCache *cache, DpItem *d, Err *e)
{
    int rc;

    d->it = it;
    d->in_force = policy_in_force(it, year);
    d->row_amount = 1;
    /* an amount that depends on neither figure nor events: once */
    if (it->amount_kind == POLICY_AMT_FIXED ||
        it->amount_kind == POLICY_AMT_NONE) {
        d->row_amount = 0;
        if (policy_amount(it, 0, 0, 1, &d->const_amt, NULL, 0) == 0) {
            d->const_amt = it->year_cap > 0 && d->const_amt > it->year_cap
                               ? it->year_cap
                               : d->const_amt;
        } else {
            d->const_amt = 0;
        }
    }
    rc = policy_item_prog(it, &d->prog, &d->own, e);
    if (rc == 0 && it->trigger_kind[0] && d->in_force) {
        size_t n = snapshot_rows(s);

        for (int k = 0; cache && k < cache->n && !d->events; k++) {
            if (strcmp(cache->v[k].kind, it->trigger_kind) == 0 &&
                strcmp(cache->v[k].basis, it->trigger_basis) == 0) {
                d->events = cache->v[k].events;
            }
        }
        if (!d->events) { /* not prefetched (the cache was full) */
            d->own_events = xcalloc(n ? n : 1, sizeof *d->own_events);
            d->events = d->own_events;
            rc = events_rows(db, s, it, year, NULL, d->own_events, e);
        }
    }
    return rc;
}

static void dp_items_free(DpItem *d, int n)
{
    for (int i = 0; d && i < n; i++) {
        batch_free(d[i].own);
        free(d[i].own_events);
    }
    free(d);
}

/* The pass over items[0 .. n) (their trigger events prefetched into cache
 * by the caller, ev_prefetch): counts and costs into d (n, zeroed), and
 * when oc is given outcomes and amounts per item and row into oc[i] and
 * amt[i] (snapshot_rows() each; 0 outside in_scope). */
static int dp_run(Db *db, const Snapshot *s, const uint8_t *in_scope,
                  const PolicyItem *items, int n, int year, EvCache *cache,
                  uint8_t **oc, int64_t **amt, DpItem *d, Err *e)
{
    DpPass p;
    pthread_t th[DP_THREADS];
    pthread_attr_t attr;
    int started[DP_THREADS] = {0}, threads = DP_THREADS, rc = 0;

    for (int i = 0; rc == 0 && i < n; i++) {
        rc = dp_item_init(db, s, &items[i], year, cache, &d[i], e);
        d[i].oc = oc ? oc[i] : NULL;
        d[i].amt = amt ? amt[i] : NULL;
    }
    if (rc) {
        return rc;
    }
    memset(&p, 0, sizeof p);
    err_clear(&p.e);
    p.bi = snapshot_input(s);
    p.in_scope = in_scope;
    p.items = d;
    p.n_items = n;
    p.rows = snapshot_rows(s);
    p.chunk = dp_chunk;
    p.n_chunks = (p.rows + p.chunk - 1) / p.chunk;
    pthread_mutex_init(&p.lock, NULL);
    if (p.n_chunks < 2) {
        threads = 1;
    }
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, DP_STACK);
    for (int t = 1; t < threads; t++) {
        /* a thread that cannot start leaves its chunks to the others */
        started[t] = pthread_create(&th[t], &attr, dp_worker, &p) == 0;
    }
    pthread_attr_destroy(&attr);
    dp_worker(&p);
    for (int t = 1; t < threads; t++) {
        if (started[t]) {
            pthread_join(th[t], NULL);
        }
    }
    pthread_mutex_destroy(&p.lock);
    if (p.rc) {
        *e = p.e;
        rc = p.rc;
    }
    return rc;
}

int policy_district_eval(Db *db, const Snapshot *s, const uint8_t *in_scope,
                         const PolicyItem *it, int year, uint8_t *outcome,
                         int64_t *amount, Err *e)
{
    DpItem *d = xcalloc(1, sizeof *d);
    EvCache cache;
    int rc;

    cache.n = 0;
    rc = ev_prefetch(db, s, it, 1, year, &cache, e);
    if (rc == 0) {
        rc = dp_run(db, s, in_scope, it, 1, year, &cache, &outcome, &amount, d,
                    e);
    }
    dp_items_free(d, 1);
    ev_cache_free(&cache);
    return rc;
}

int policy_entitled(Db *db, const Actor *a, int64_t item_id, int year,
                    json_t **rows, Err *e)
{
    PolicyItem it;
    json_t *all = NULL, *r;
    size_t i;
    int rc;

    memset(&it, 0, sizeof it);
    *rows = NULL;
    rc = policy_item_load(db, item_id, &it, e);
    if (rc) {
        return rc;
    }
    if (!it.auto_grant) {
        rc = err_set(e, ERR_INVALID, "id", "「%s」不是免申即享条款", it.title);
        goto out;
    }
    if (strcmp(it.status, "retired") == 0) {
        rc = err_set(e, ERR_INVALID, "id", "「%s」已停用", it.title);
        goto out;
    }
    rc = policy_candidates(db, a, item_id, year, 0, &all, e);
    if (rc) {
        goto out;
    }
    *rows = json_array();
    json_array_foreach(all, i, r)
    {
        json_t *ap = json_object_get(r, "applied");

        if ((!ap || json_is_null(ap)) &&
            json_is_true(json_object_get(r, "amount_known")) &&
            json_integer_value(json_object_get(r, "amount")) > 0) {
            json_array_append(*rows, r);
        }
    }
out:
    json_decref(all);
    policy_item_release(&it);
    return rc;
}

int policy_entitled_confirm(Db *db, const Actor *a, int64_t item_id, int year,
                            json_t *ids, int64_t *n_out, Err *e)
{
    json_t *list = NULL, *v;
    size_t i, j;
    char now[32], today[DATE_ISO_SIZE];
    int rc;

    *n_out = 0;
    if (!json_is_array(ids) || json_array_size(ids) == 0) {
        return err_set(e, ERR_INVALID, "enterprise_ids",
                       "请选择要确认的企业（enterprise_ids 数组）");
    }
    if (json_array_size(ids) > POLICY_NOTICE_APPS_MAX) {
        return err_set(e, ERR_TOOBIG, "enterprise_ids", "一次最多确认 %d 家",
                       POLICY_NOTICE_APPS_MAX);
    }
    if (a->role == ROLE_AGENT || a->role == ROLE_DEPT) {
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "免申即享名单由区科技局业务人员确认");
    }
    rc = policy_entitled(db, a, item_id, year, &list, e);
    if (rc) {
        return rc;
    }
    clock_now_iso(now, 0);
    date_format_iso(date_today(), today);
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    json_array_foreach(ids, i, v)
    {
        json_t *row = NULL, *r, *after;
        int64_t id;
        char field[40];

        snprintf(field, sizeof field, "enterprise_ids[%zu]", i);
        if (!json_is_integer(v)) {
            rc = err_set(e, ERR_INVALID, field, "企业编号应为整数");
            goto out;
        }
        json_array_foreach(list, j, r)
        {
            if (json_integer_value(json_object_get(r, "enterprise_id")) ==
                json_integer_value(v)) {
                row = r;
            }
        }
        if (!row) {
            rc = err_set(
                e, ERR_INVALID, field,
                "企业 %lld 不在本条款 %d 年的免申即享名单中（或已确认）",
                (long long)json_integer_value(v), year);
            goto out;
        }
        rc = db_query_int64(
            db, &id, e,
            "INSERT INTO policy_applications (item_id, enterprise_id, year, "
            "channel, status, amount, basis, applied_on, bureau_by, "
            "bureau_at, bureau_note, created_by, created_at, updated_at) "
            "VALUES ($1, $2, $3, 'entitled', 'bureau_ok', $4, $5, $6, $7, $8, "
            "'免申即享名单确认', $7, $8, $8) RETURNING id",
            "iiiittit", item_id, json_integer_value(v), (int64_t)year,
            json_integer_value(json_object_get(row, "amount")),
            json_string_value(json_object_get(row, "basis")), today, a->user_id,
            now);
        if (rc == ERR_CONFLICT) {
            rc =
                err_set(e, ERR_CONFLICT, field, "该企业本年度已有此条款的申请");
        }
        if (rc) {
            goto out;
        }
        after = json_pack("{s:I,s:I,s:i,s:s,s:s,s:I}", "item_id",
                          (json_int_t)item_id, "enterprise_id",
                          json_integer_value(v), "year", year, "channel",
                          "entitled", "status", "bureau_ok", "amount",
                          json_integer_value(json_object_get(row, "amount")));
        {
            char *path = NULL;

            rc = db_query_text(db, &path, e,
                               "SELECT o.path FROM enterprises x JOIN "
                               "org_units o ON o.id = x.unit_id WHERE x.id = "
                               "$1",
                               "i", (int64_t)json_integer_value(v));
            if (rc == 0) {
                /* the enterprise's unit: its street sees the entry */
                rc = audit_record(db, a, "policy_app.entitled",
                                  "policy_application", id, path, NULL, after,
                                  e);
            }
            free(path);
        }
        json_decref(after);
        if (rc) {
            goto out;
        }
        (*n_out)++;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
        *n_out = 0;
    }
    json_decref(list);
    return rc;
}

static double ms_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of the process (all threads), ms */
static double cpu_ms_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int policy_district_summary(Db *db, const Actor *a, int year, json_t **out,
                            Err *e)
{
    PolicyItem *items = NULL;
    Snapshot *s = NULL;
    uint8_t *in_scope = NULL;
    DpItem *d = NULL;
    json_t *arr = NULL;
    int n = 0, rc;
    size_t rows = 0, n_in = 0;
    double t0 = ms_now(), t1, t2, c1, c2;
    Date as_of;
    EvCache cache;
    Err ignore;

    cache.n = 0;

    *out = NULL;
    if ((rc = year_ok(year, e))) {
        return rc;
    }
    as_of = match_as_of(year);
    rc = policy_items_load_all(db, &items, &n, e);
    if (rc == 0) {
        /* the trigger counts read the qualifications table whole: mapped
         * pages rather than copies */
        db_tune(db, DB_TUNE_SCAN_BEGIN, &ignore);
        rc = db_begin_read(db, e);
    }
    if (rc == 0) {
        rc = policy_snapshot(db, as_of, &s, e);
    }
    if (rc) {
        goto out;
    }
    rows = snapshot_rows(s);
    in_scope = xcalloc(rows ? rows : 1, 1);
    rc = snapshot_scope(db, s, a->unit_path, in_scope, &n_in, e);
    if (rc) {
        goto out;
    }
    t1 = ms_now();
    c1 = cpu_ms_now();
    rc = ev_prefetch(db, s, items, n, year, &cache, e);
    if (rc) {
        goto out;
    }
    d = xcalloc((size_t)(n ? n : 1), sizeof *d);
    rc = dp_run(db, s, in_scope, items, n, year, &cache, NULL, NULL, d, e);
    if (rc) {
        goto out;
    }
    arr = json_array();
    for (int i = 0; i < n; i++) {
        const int64_t *cnt = d[i].cnt, cost = d[i].cost;

        json_array_append_new(
            arr, json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:b}", "item_id",
                           (json_int_t)items[i].id, "code", items[i].code,
                           "title", items[i].title, "qualified",
                           (json_int_t)cnt[POLICY_M_QUALIFIED], "unknown",
                           (json_int_t)cnt[POLICY_M_UNKNOWN], "pending",
                           (json_int_t)cnt[POLICY_M_PENDING], "cost",
                           (json_int_t)cost, "claimed_base",
                           items[i].figure == POLICY_FIGURE_CLAIMED));
    }
    t2 = ms_now();
    c2 = cpu_ms_now();
    *out = json_pack("{s:i,s:I,s:o,s:f,s:f,s:f}", "year", year, "enterprises",
                     (json_int_t)n_in, "items", arr, "snapshot_ms", t1 - t0,
                     "match_ms", t2 - t1, "match_cpu_ms", c2 - c1);
    arr = NULL;
out:
    if (db_in_tx(db)) {
        db_rollback(db);
    }
    db_tune(db, DB_TUNE_SCAN_END, &ignore);
    ev_cache_free(&cache);
    json_decref(arr);
    dp_items_free(d, n);
    policy_snapshot_release(s);
    free(in_scope);
    policy_items_free(items, n);
    return rc;
}

int policy_district_dump(Db *db, const Actor *a, int year, FILE *out,
                         int64_t *n_rows, Err *e)
{
    PolicyItem *items = NULL;
    Snapshot *s = NULL;
    uint8_t *in_scope = NULL, **oc = NULL;
    int64_t **amt = NULL;
    DpItem *d = NULL;
    int n = 0, rc;
    size_t rows = 0;
    EvCache cache;

    cache.n = 0;
    *n_rows = 0;
    if ((rc = year_ok(year, e))) {
        return rc;
    }
    rc = policy_items_load_all(db, &items, &n, e);
    if (rc == 0) {
        rc = db_begin_read(db, e);
    }
    if (rc == 0) {
        rc = policy_snapshot(db, match_as_of(year), &s, e);
    }
    if (rc) {
        goto out;
    }
    rows = snapshot_rows(s);
    in_scope = xcalloc(rows ? rows : 1, 1);
    oc = xcalloc((size_t)(n ? n : 1), sizeof *oc);
    amt = xcalloc((size_t)(n ? n : 1), sizeof *amt);
    rc = snapshot_scope(db, s, a->unit_path, in_scope, NULL, e);
    if (rc == 0) {
        rc = ev_prefetch(db, s, items, n, year, &cache, e);
    }
    for (int i = 0; i < n; i++) {
        oc[i] = xcalloc(rows ? rows : 1, 1);
        amt[i] = xcalloc(rows ? rows : 1, sizeof **amt);
    }
    d = xcalloc((size_t)(n ? n : 1), sizeof *d);
    if (rc == 0) {
        rc = dp_run(db, s, in_scope, items, n, year, &cache, oc, amt, d, e);
    }
    if (rc) {
        goto out;
    }
    fputs("enterprise_id,item,outcome,amount\n", out);
    /* by enterprise, then by item in the pool's order; rows that are
     * neither 不符合 nor carry an amount are the rest */
    for (size_t r = 0; r < rows; r++) {
        for (int i = 0; in_scope[r] && i < n; i++) {
            if (oc[i][r] == POLICY_M_NOT && amt[i][r] == 0) {
                continue;
            }
            fprintf(out, "%lld,%s,%s,%lld\n",
                    (long long)snapshot_enterprise_id(s, r), items[i].code,
                    policy_match_code(oc[i][r]), (long long)amt[i][r]);
            (*n_rows)++;
        }
    }
    if (fflush(out) != 0 || ferror(out)) {
        rc = err_set(e, ERR_IO, NULL, "写入匹配结果失败");
    }
out:
    if (db_in_tx(db)) {
        db_rollback(db);
    }
    for (int i = 0; oc && i < n; i++) {
        free(oc[i]);
        free(amt[i]);
    }
    free(oc);
    free(amt);
    free(in_scope);
    dp_items_free(d, n);
    ev_cache_free(&cache);
    policy_snapshot_release(s);
    policy_items_free(items, n);
    return rc;
}
