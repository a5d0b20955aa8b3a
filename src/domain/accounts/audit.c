/* audit.c - hash-chained audit log: record, verify, list, export. */
#include "domain/accounts/audit.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/secret.h"
#include "db/sqlq.h"
#include "domain/accounts/labels.h"

/* Keys never stored in an audit entry, at any depth. */
static const char *const audit_secret_keys[] = {
    "password",   "password_hash", "new_password", "old_password", "token",
    "token_hash", "csrf",          "csrf_token",   "secret",       NULL};

static int audit_is_secret_key(const char *k)
{
    const char *const *p;

    for (p = audit_secret_keys; *p; p++) {
        if (strcmp(*p, k) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Remove secret keys from j (in place, recursively). */
static void audit_strip(json_t *j)
{
    const char *key;
    json_t *val;
    void *tmp;
    size_t i;

    if (json_is_object(j)) {
        json_object_foreach_safe(j, tmp, key, val)
        {
            if (audit_is_secret_key(key)) {
                json_object_del(j, key);
            } else {
                audit_strip(val);
            }
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, val)
        {
            audit_strip(val);
        }
    }
}

/* Canonical text of j without secrets (malloc'd; caller frees), or NULL
 * when j is NULL. */
static char *audit_canonical(json_t *j)
{
    json_t *copy;
    char *s;

    if (!j) {
        return NULL;
    }
    copy = json_deep_copy(j);
    audit_strip(copy);
    s = json_dumps(copy, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(copy);
    return s;
}

/* Feed one field to the hash as "<byte length>:<bytes>\n"; the length
 * prefix keeps the encoding unambiguous whatever the fields hold. NULL is
 * hashed as the empty string. */
static void audit_hash_field(crypto_hash_sha256_state *st, const char *s)
{
    char len[24];
    size_t n = s ? strlen(s) : 0;

    snprintf(len, sizeof len, "%zu:", n);
    crypto_hash_sha256_update(st, (const unsigned char *)len, strlen(len));
    if (n) {
        crypto_hash_sha256_update(st, (const unsigned char *)s, n);
    }
    crypto_hash_sha256_update(st, (const unsigned char *)"\n", 1);
}

static void audit_hash_int(crypto_hash_sha256_state *st, int64_t v)
{
    char num[24];

    snprintf(num, sizeof num, "%lld", (long long)v);
    audit_hash_field(st, num);
}

/* The hash of an entry: SHA-256 over prev_hash, id, at, user_id ("" when
 * NULL), username, addr, action, object_type, object_id, unit_path,
 * before_json, after_json, each length-prefixed; lower-case hex. */
static void audit_hash_row(const AuditRow *r, char out[SECRET_HASH_HEX])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256_init(&st);
    audit_hash_field(&st, r->prev_hash);
    audit_hash_int(&st, r->id);
    audit_hash_field(&st, r->at);
    if (r->has_user_id) {
        audit_hash_int(&st, r->user_id);
    } else {
        audit_hash_field(&st, NULL);
    }
    audit_hash_field(&st, r->username);
    audit_hash_field(&st, r->addr);
    audit_hash_field(&st, r->action);
    audit_hash_field(&st, r->object_type);
    audit_hash_int(&st, r->object_id);
    audit_hash_field(&st, r->unit_path);
    audit_hash_field(&st, r->before_json);
    audit_hash_field(&st, r->after_json);
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, SECRET_HASH_HEX, h, sizeof h);
}

int audit_record(Db *db, const Actor *a, const char *action,
                 const char *object_type, int64_t object_id,
                 const char *unit_path, json_t *before, json_t *after, Err *e)
{
    DbStmt *st = NULL;
    AuditRow r;
    char at[CLOCK_ISO_LEN];
    char prev[SECRET_HASH_HEX];
    char hash[SECRET_HASH_HEX];
    char *before_s = NULL;
    char *after_s = NULL;
    int rc;

    assert(db_in_tx(db));
    if (!db_in_tx(db)) {
        log_error("audit_record outside a transaction (%s)", action);
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    /* every action and object type has a zh-CN name (labels.h): a code
     * without one would reach users raw */
    if (!labels_action(action) || !labels_object_type(object_type)) {
        log_error("audit_record: no name for %s / %s (add it to labels.c)",
                  action ? action : "(null)",
                  object_type ? object_type : "(null)");
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    memset(&r, 0, sizeof r);
    /* The writer holds the write lock (BEGIN IMMEDIATE), so the last entry
     * cannot change between this read and the insert below. */
    rc = db_prepare_v(db, &st, e,
                      "SELECT id, hash FROM audit_log ORDER BY id DESC "
                      "LIMIT 1",
                      "");
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        r.id = db_col_int64(st, 0) + 1;
        snprintf(prev, sizeof prev, "%s",
                 db_col_text(st, 1) ? db_col_text(st, 1) : "");
    } else if (rc == DB_DONE) {
        r.id = 1;
        snprintf(prev, sizeof prev, "%s", AUDIT_GENESIS_HASH);
    } else {
        goto out;
    }
    db_finalize(st);
    st = NULL;

    before_s = audit_canonical(before);
    after_s = audit_canonical(after);
    clock_now_iso(at, 0);
    r.at = at;
    r.has_user_id = a->user_id != 0;
    r.user_id = a->user_id;
    r.username = a->username;
    r.addr = a->addr;
    r.action = action;
    r.object_type = object_type;
    r.object_id = object_id;
    r.unit_path = unit_path ? unit_path : a->unit_path;
    r.before_json = before_s;
    r.after_json = after_s;
    r.prev_hash = prev;
    audit_hash_row(&r, hash);

    rc = db_prepare_v(db, &st, e,
                      "INSERT INTO audit_log (id, at, user_id, username, "
                      "addr, action, object_type, object_id, unit_path, "
                      "before_json, after_json, prev_hash, hash) VALUES "
                      "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                      "$13)",
                      "itnttttittttt", r.id, r.at, r.username, r.addr, r.action,
                      r.object_type, r.object_id, r.unit_path, before_s,
                      after_s, prev, hash);
    if (rc) {
        goto out;
    }
    if (r.has_user_id) {
        db_bind_int64(st, 3, r.user_id);
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = 0;
    }
out:
    db_finalize(st);
    free(before_s);
    free(after_s);
    return rc;
}

/* Columns of every SELECT that fills an AuditRow. */
#define AUDIT_COLS                                                             \
    "a.id, a.at, a.user_id, a.username, a.addr, a.action, a.object_type, "     \
    "a.object_id, a.unit_path, a.before_json, a.after_json, a.prev_hash, "     \
    "a.hash"

static void audit_row_from(DbStmt *st, AuditRow *r)
{
    r->id = db_col_int64(st, 0);
    r->at = db_col_text(st, 1);
    r->has_user_id = !db_col_is_null(st, 2);
    r->user_id = db_col_int64(st, 2);
    r->username = db_col_text(st, 3);
    r->addr = db_col_text(st, 4);
    r->action = db_col_text(st, 5);
    r->object_type = db_col_text(st, 6);
    r->object_id = db_col_int64(st, 7);
    r->unit_path = db_col_text(st, 8);
    r->before_json = db_col_text(st, 9);
    r->after_json = db_col_text(st, 10);
    r->prev_hash = db_col_text(st, 11);
    r->hash = db_col_text(st, 12);
}

int audit_verify(Db *db, int64_t *n_checked, int64_t *first_bad_id, Err *e)
{
    DbStmt *st = NULL;
    char expect_prev[SECRET_HASH_HEX];
    char h[SECRET_HASH_HEX];
    int64_t n = 0;
    int rc;

    *n_checked = 0;
    *first_bad_id = 0;
    snprintf(expect_prev, sizeof expect_prev, "%s", AUDIT_GENESIS_HASH);
    rc = db_prepare_v(
        db, &st, e, "SELECT " AUDIT_COLS " FROM audit_log a ORDER BY a.id", "");
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        AuditRow r;

        audit_row_from(st, &r);
        n++;
        audit_hash_row(&r, h);
        if (!r.prev_hash || !r.hash || strcmp(r.prev_hash, expect_prev) != 0 ||
            strcmp(r.hash, h) != 0) {
            *first_bad_id = r.id;
            rc = DB_DONE;
            break;
        }
        snprintf(expect_prev, sizeof expect_prev, "%s", r.hash);
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    *n_checked = n;
out:
    db_finalize(st);
    return rc;
}

/* Accept "YYYY-MM-DD" (expanded to the start or end of that day) or a full
 * ISO-8601 UTC time. */
static int audit_norm_time(const char *s, int end_of_day, char *out, size_t cap)
{
    time_t t;
    char full[CLOCK_ISO_LEN + 8];

    if (strlen(s) >= CLOCK_ISO_LEN || cap < CLOCK_ISO_LEN) {
        return -1;
    }
    if (strlen(s) == 10) {
        snprintf(full, sizeof full, "%sT%s", s,
                 end_of_day ? "23:59:59Z" : "00:00:00Z");
    } else {
        snprintf(full, sizeof full, "%s", s);
    }
    if (clock_parse(full, &t) != 0) {
        return -1;
    }
    memcpy(out, full, CLOCK_ISO_LEN);
    return 0;
}

/* Sortable columns of the list and the export. */
static const SqlqSort audit_sorts[] = {
    {"at", "a.at", 0},
    {"action", "a.action", 0},
    {"username", "a.username", 0},
    {"object_type", "a.object_type", 0},
};

#define AUDIT_N_SORTS (sizeof audit_sorts / sizeof audit_sorts[0])
#define AUDIT_SORT_DEFAULT "-at"

int audit_filter_check(AuditFilter *f, Err *e)
{
    const SqlqSort *col;
    int desc;
    int rc;

    f->from_iso[0] = f->to_iso[0] = '\0';
    rc = sqlq_sort_parse(audit_sorts, AUDIT_N_SORTS, f->sort,
                         AUDIT_SORT_DEFAULT, &col, &desc, e);
    if (rc) {
        return rc;
    }
    if (f->from && *f->from &&
        audit_norm_time(f->from, 0, f->from_iso, sizeof f->from_iso) != 0) {
        return err_set(e, ERR_INVALID, "from",
                       "起始时间格式应为 YYYY-MM-DD 或 "
                       "YYYY-MM-DDTHH:MM:SSZ");
    }
    if (f->to && *f->to &&
        audit_norm_time(f->to, 1, f->to_iso, sizeof f->to_iso) != 0) {
        return err_set(e, ERR_INVALID, "to",
                       "截止时间格式应为 YYYY-MM-DD 或 "
                       "YYYY-MM-DDTHH:MM:SSZ");
    }
    return 0;
}

/* FROM/WHERE part shared by count, list and export. */
static void audit_where(Sqlq *q, const Actor *a, const AuditFilter *f)
{
    int k;

    sqlq_addf(q, " FROM audit_log a WHERE 1=1");
    if (strcmp(a->unit_path, "/") != 0) {
        k = sqlq_text(q, a->unit_path);
        sqlq_addf(q, " AND substr(a.unit_path, 1, length($%d)) = $%d", k, k);
    }
    if (f->has_user_id) {
        sqlq_addf(q, " AND a.user_id = $%d", sqlq_int(q, f->user_id));
    }
    if (f->action && *f->action) {
        sqlq_addf(q, " AND a.action = $%d", sqlq_text(q, f->action));
    }
    if (f->object_type && *f->object_type) {
        sqlq_addf(q, " AND a.object_type = $%d", sqlq_text(q, f->object_type));
    }
    if (f->object_id) {
        sqlq_addf(q, " AND a.object_id = $%d", sqlq_int(q, f->object_id));
    }
    if (f->from_iso[0]) {
        sqlq_addf(q, " AND a.at >= $%d", sqlq_text(q, f->from_iso));
    }
    if (f->to_iso[0]) {
        sqlq_addf(q, " AND a.at <= $%d", sqlq_text(q, f->to_iso));
    }
}

static int audit_count(Db *db, const Actor *a, const AuditFilter *f,
                       int64_t *total, Err *e)
{
    DbStmt *st = NULL;
    Sqlq q;
    int rc;

    sqlq_init(&q, "SELECT COUNT(*)");
    audit_where(&q, a, f);
    rc = sqlq_prepare(&q, db, &st, e);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        *total = db_col_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_DB, NULL, "数据库错误");
    }
out:
    db_finalize(st);
    sqlq_release(&q);
    return rc;
}

/* Walk matching rows in f->sort order (newest first by default), ties
 * broken by id; limit < 0 = all. */
static int audit_walk(Db *db, const Actor *a, const AuditFilter *f,
                      int64_t offset, int64_t limit, AuditRowFn fn, void *ud,
                      Err *e)
{
    const SqlqSort *col = NULL;
    DbStmt *st = NULL;
    int desc = 0;
    Sqlq q;
    int rc;

    sqlq_init(&q, "SELECT " AUDIT_COLS);
    rc = sqlq_sort_parse(audit_sorts, AUDIT_N_SORTS, f->sort,
                         AUDIT_SORT_DEFAULT, &col, &desc, e);
    if (rc) {
        goto out;
    }
    audit_where(&q, a, f);
    sqlq_add_order(&q, col, desc, "a.id");
    if (limit >= 0) {
        int kl = sqlq_int(&q, limit);
        int ko = sqlq_int(&q, offset);
        sqlq_addf(&q, " LIMIT $%d OFFSET $%d", kl, ko);
    }
    rc = sqlq_prepare(&q, db, &st, e);
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        AuditRow r;

        audit_row_from(st, &r);
        rc = fn(ud, &r);
        if (rc) {
            goto out;
        }
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
out:
    db_finalize(st);
    sqlq_release(&q);
    return rc;
}

/* Parse stored JSON text back into a value (JSON null when absent). */
static json_t *audit_json_text(const char *s)
{
    json_t *j;

    if (!s) {
        return json_null();
    }
    j = json_loads(s, JSON_DECODE_ANY, NULL);
    return j ? j : json_string(s);
}

json_t *audit_row_json(const AuditRow *r)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "at", json_string(r->at ? r->at : ""));
    json_object_set_new(
        o, "user_id", r->has_user_id ? json_integer(r->user_id) : json_null());
    json_object_set_new(o, "username",
                        json_string(r->username ? r->username : ""));
    json_object_set_new(o, "addr", json_string(r->addr ? r->addr : ""));
    json_object_set_new(o, "action", json_string(r->action ? r->action : ""));
    json_object_set_new(o, "object_type",
                        json_string(r->object_type ? r->object_type : ""));
    json_object_set_new(o, "object_id", json_integer(r->object_id));
    json_object_set_new(o, "unit_path",
                        json_string(r->unit_path ? r->unit_path : ""));
    json_object_set_new(o, "before", audit_json_text(r->before_json));
    json_object_set_new(o, "after", audit_json_text(r->after_json));
    json_object_set_new(o, "prev_hash",
                        json_string(r->prev_hash ? r->prev_hash : ""));
    json_object_set_new(o, "hash", json_string(r->hash ? r->hash : ""));
    return o;
}

static int audit_collect(void *ud, const AuditRow *r)
{
    json_array_append_new((json_t *)ud, audit_row_json(r));
    return 0;
}

int audit_list(Db *db, const Actor *a, const AuditFilter *f, int64_t offset,
               int64_t limit, json_t **items, int64_t *total, Err *e)
{
    json_t *arr = json_array();
    int rc;

    *items = NULL;
    rc = audit_count(db, a, f, total, e);
    if (rc) {
        goto out;
    }
    rc = audit_walk(db, a, f, offset, limit, audit_collect, arr, e);
    if (rc) {
        goto out;
    }
    *items = arr;
    arr = NULL;
out:
    json_decref(arr);
    return rc;
}

int audit_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    AuditRow r;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT " AUDIT_COLS " FROM audit_log a WHERE a.id = $1",
                      "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "审计记录不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    audit_row_from(st, &r);
    if (!actor_sees_path(a, r.unit_path)) {
        rc = err_set(e, ERR_NOTFOUND, "id", "审计记录不存在");
        goto out;
    }
    *out = audit_row_json(&r);
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

int audit_export(Db *db, const Actor *a, const AuditFilter *f, int64_t max_rows,
                 AuditRowFn fn, void *ud, Err *e)
{
    int64_t total = 0;
    int rc;

    rc = audit_count(db, a, f, &total, e);
    if (rc) {
        return rc;
    }
    if (total > max_rows) {
        return err_set(e, ERR_TOOBIG, "format",
                       "符合条件的审计记录有 %lld 条，超过单次导出上限 %lld "
                       "条，请缩小时间范围或增加筛选条件",
                       (long long)total, (long long)max_rows);
    }
    return audit_walk(db, a, f, 0, -1, fn, ud, e);
}

int audit_mark(Db *db, AuditMarkTable t, char mark[AUDIT_MARK_MAX], Err *e)
{
    /* one statement per table: no table name is ever spliced in */
    static const char *const sql[] = {
        [AUDIT_MARK_QUALIFICATIONS] =
            "SELECT a.id, a.hash, (SELECT MAX(m.id) FROM qualifications m) "
            "FROM audit_log a ORDER BY a.id DESC LIMIT 1",
        [AUDIT_MARK_MARKET_ITEMS] =
            "SELECT a.id, a.hash, (SELECT MAX(m.id) FROM market_items m) "
            "FROM audit_log a ORDER BY a.id DESC LIMIT 1",
        [AUDIT_MARK_ENTERPRISES] =
            "SELECT a.id, a.hash, (SELECT MAX(m.id) FROM enterprises m) "
            "FROM audit_log a ORDER BY a.id DESC LIMIT 1"};
    DbStmt *st = NULL;
    int rc;

    mark[0] = '\0';
    if ((size_t)t >= sizeof sql / sizeof sql[0]) {
        return err_set(e, ERR_INTERNAL, NULL, "未知的数据版本表");
    }
    rc = db_prepare_v(db, &st, e, sql[t], "");
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        snprintf(mark, AUDIT_MARK_MAX, "%lld:%s:%lld",
                 (long long)db_col_int64(st, 0),
                 db_col_text(st, 1) ? db_col_text(st, 1) : "",
                 (long long)db_col_int64(st, 2));
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

/* The parts of a mark: audit id (0 when malformed), hash, highest id. */
static int64_t audit_mark_parse(const char *mark, char *hash, size_t cap,
                                int64_t *max_id)
{
    const char *a = strchr(mark, ':');
    const char *b = a ? strrchr(mark, ':') : NULL;

    *max_id = 0;
    hash[0] = '\0';
    if (!a || !b || b == a || (size_t)(b - a - 1) >= cap) {
        return 0;
    }
    memcpy(hash, a + 1, (size_t)(b - a - 1));
    hash[b - a - 1] = '\0';
    *max_id = strtoll(b + 1, NULL, 10);
    return strtoll(mark, NULL, 10);
}

int audit_mark_still(Db *db, const char *kept, const char *now)
{
    char kh[AUDIT_MARK_MAX], nh[AUDIT_MARK_MAX];
    int64_t kmax, nmax, n = -1;
    int64_t kid, nid;
    char *h = NULL;
    Err e;

    if (!db || !kept || !now) {
        return 0;
    }
    kid = audit_mark_parse(kept, kh, sizeof kh, &kmax);
    nid = audit_mark_parse(now, nh, sizeof nh, &nmax);
    if (kid <= 0 || nid <= kid || kmax != nmax) {
        return 0;
    }
    if (db_query_text(db, &h, &e, "SELECT hash FROM audit_log WHERE id = $1",
                      "i", kid) != 0 ||
        !h || strcmp(h, kh) != 0) {
        free(h);
        return 0;
    }
    free(h);
    if (db_query_int64(db, &n, &e,
                       "SELECT COUNT(*) FROM audit_log WHERE id > $1 AND id "
                       "<= $2 AND action NOT LIKE 'session.%' AND action NOT "
                       "LIKE 'token.%'",
                       "ii", kid, nid) != 0) {
        return 0;
    }
    return n == 0;
}
