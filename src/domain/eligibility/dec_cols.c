/* dec_cols.c - the stored decisions of one rule set, as columns (see
 * dec_cols.h and docs/internals/batch.md "Stored decisions"). */
#include "domain/eligibility/dec_cols.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/buf.h"
#include "base/mem.h"

/* ---- columns ------------------------------------------------------------ */

/* The fixed-width columns, in storage order. */
enum {
    C_ID,
    C_UNIT,
    C_VERDICT,
    C_UNMET,
    C_UNKNOWN,
    C_HAS,
    C_LO,
    C_HI,
    C_RUN,
    C_HASH,
    C_OIDX,
    C_N
};

/* Integer columns (pack 1, or 2 for the ascending id column) are stored
 * packed: a header (one byte: bytes per value, 1 / 2 / 4 / 8; one byte:
 * 1 when values are differences from the previous row; eight bytes: the
 * base, little-endian) and per row the value minus the base (or minus
 * the previous value) in that many bytes, little-endian. Others (pack 0)
 * are the raw bytes. */
static const struct {
    const char *name;
    size_t width; /* in memory */
    int all_only;
    int pack;
} cols[C_N] = {
    {"id", 8, 0, 2},       {"unit", 8, 0, 1},     {"verdict", 1, 0, 0},
    {"unmet", 2, 0, 1},    {"unknown", 2, 0, 1},  {"has_score", 1, 0, 0},
    {"score_lo", 8, 0, 1}, {"score_hi", 8, 0, 1}, {"run", 8, 0, 1},
    {"hash", 32, 1, 0},    {"oidx", 4, 1, 1},
};

#define PACK_HDR 10

static uint64_t get_u(const uint8_t *p, int w)
{
    uint64_t v = 0;
    for (int b = w - 1; b >= 0; b--) {
        v = v << 8 | p[b];
    }
    return v;
}

static void put_u(uint8_t *p, int w, uint64_t v)
{
    for (int b = 0; b < w; b++) {
        p[b] = (uint8_t)(v >> (8 * b));
    }
}

/* Value r of column k as int64 (all packed columns are integers). */
static int64_t col_int(const DecCols *c, int k, size_t r)
{
    switch (k) {
    case C_ID:
        return c->id[r];
    case C_UNIT:
        return c->unit[r];
    case C_UNMET:
        return c->unmet[r];
    case C_UNKNOWN:
        return c->unknown[r];
    case C_LO:
        return c->score_lo[r];
    case C_HI:
        return c->score_hi[r];
    case C_RUN:
        return c->run[r];
    default:
        return c->oidx[r];
    }
}

static void col_put_int(DecCols *c, int k, size_t r, int64_t v)
{
    switch (k) {
    case C_ID:
        c->id[r] = v;
        break;
    case C_UNIT:
        c->unit[r] = v;
        break;
    case C_UNMET:
        c->unmet[r] = (uint16_t)v;
        break;
    case C_UNKNOWN:
        c->unknown[r] = (uint16_t)v;
        break;
    case C_LO:
        c->score_lo[r] = v;
        break;
    case C_HI:
        c->score_hi[r] = v;
        break;
    case C_RUN:
        c->run[r] = v;
        break;
    default:
        c->oidx[r] = (uint32_t)v;
        break;
    }
}

/* Column k of c packed into a new buffer of *len bytes. */
static uint8_t *pack_col(const DecCols *c, int k, size_t *len)
{
    int delta = cols[k].pack == 2;
    int64_t base = 0;
    uint64_t span = 0;
    uint8_t *out;
    int w;

    for (size_t r = 0; r < c->n; r++) {
        int64_t v = col_int(c, k, r);
        base = r == 0 || (!delta && v < base) ? v : base;
    }
    for (size_t r = 0; r < c->n; r++) {
        int64_t v = col_int(c, k, r);
        uint64_t d =
            delta ? (r ? (uint64_t)v - (uint64_t)col_int(c, k, r - 1) : 0)
                  : (uint64_t)v - (uint64_t)base;
        span = d > span ? d : span;
    }
    w = span <= 0xff ? 1 : span <= 0xffff ? 2 : span <= 0xffffffffu ? 4 : 8;
    *len = PACK_HDR + c->n * (size_t)w;
    out = xmalloc(*len + 1);
    out[0] = (uint8_t)w;
    out[1] = (uint8_t)delta;
    put_u(out + 2, 8, (uint64_t)base);
    for (size_t r = 0; r < c->n; r++) {
        int64_t v = col_int(c, k, r);
        uint64_t d =
            delta ? (r ? (uint64_t)v - (uint64_t)col_int(c, k, r - 1) : 0)
                  : (uint64_t)v - (uint64_t)base;
        put_u(out + PACK_HDR + r * (size_t)w, w, d);
    }
    return out;
}

/* Unpack a stored column k into c (-1 when the blob is malformed). */
static int unpack_col(DecCols *c, int k, const uint8_t *p, size_t len)
{
    int w, delta;
    uint64_t acc;

    if (len < PACK_HDR) {
        return -1;
    }
    w = p[0];
    delta = p[1];
    if ((w != 1 && w != 2 && w != 4 && w != 8) || delta > 1 ||
        len != PACK_HDR + c->n * (size_t)w) {
        return -1;
    }
    acc = get_u(p + 2, 8);
    for (size_t r = 0; r < c->n; r++) {
        uint64_t d = get_u(p + PACK_HDR + r * (size_t)w, w);
        uint64_t v = delta ? (acc += d) : acc + d;
        col_put_int(c, k, r, (int64_t)v);
    }
    return 0;
}

static void *col_get(const DecCols *c, int k)
{
    switch (k) {
    case C_ID:
        return c->id;
    case C_UNIT:
        return c->unit;
    case C_VERDICT:
        return c->verdict;
    case C_UNMET:
        return c->unmet;
    case C_UNKNOWN:
        return c->unknown;
    case C_HAS:
        return c->has_score;
    case C_LO:
        return c->score_lo;
    case C_HI:
        return c->score_hi;
    case C_RUN:
        return c->run;
    case C_HASH:
        return c->hash;
    default:
        return c->oidx;
    }
}

static void col_set(DecCols *c, int k, void *p)
{
    switch (k) {
    case C_ID:
        c->id = p;
        break;
    case C_UNIT:
        c->unit = p;
        break;
    case C_VERDICT:
        c->verdict = p;
        break;
    case C_UNMET:
        c->unmet = p;
        break;
    case C_UNKNOWN:
        c->unknown = p;
        break;
    case C_HAS:
        c->has_score = p;
        break;
    case C_LO:
        c->score_lo = p;
        break;
    case C_HI:
        c->score_hi = p;
        break;
    case C_RUN:
        c->run = p;
        break;
    case C_HASH:
        c->hash = p;
        break;
    default:
        c->oidx = p;
        break;
    }
}

/* What a DecCols carries besides its columns: the dictionary index while
 * building, and for shared copies the reference count and row orders. */
typedef struct DecPriv {
    uint32_t *slot; /* open addressing over odict, 0 = empty, else index+1 */
    size_t n_slot;
    int refs;
    uint32_t *order[2];
} DecPriv;

static DecPriv *priv_of(const DecCols *c)
{
    return (DecPriv *)c->priv;
}

DecCols *dec_cols_new(size_t n, int what)
{
    DecCols *c = xcalloc(1, sizeof *c);
    c->n = n;
    c->priv = xcalloc(1, sizeof(DecPriv));
    for (int k = 0; k < C_N; k++) {
        if (!cols[k].all_only || what == DEC_ALL) {
            col_set(c, k, xcalloc_big(n + 1, cols[k].width));
        }
    }
    return c;
}

void dec_cols_free(DecCols *c)
{
    DecPriv *p;
    if (!c) {
        return;
    }
    p = priv_of(c);
    for (int k = 0; k < C_N; k++) {
        xfree_big(col_get(c, k));
    }
    for (size_t i = 0; i < c->n_odict; i++) {
        free(c->odict[i]);
    }
    free(c->odict);
    free(c->units);
    free(c->uix);
    if (p) {
        free(p->slot);
        free(p->order[0]);
        free(p->order[1]);
        free(p);
    }
    free(c);
}

int64_t dec_cols_row(const DecCols *c, int64_t id)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->id[mid] < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < c->n && c->id[lo] == id ? (int64_t)lo : -1;
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

static void dict_grow(DecCols *c)
{
    DecPriv *p = priv_of(c);
    size_t n = p->n_slot ? p->n_slot * 2 : 1024;
    free(p->slot);
    p->slot = xcalloc(n, sizeof *p->slot);
    p->n_slot = n;
    for (size_t i = 0; i < c->n_odict; i++) {
        size_t h = (size_t)str_hash(c->odict[i]) & (n - 1);
        while (p->slot[h]) {
            h = (h + 1) & (n - 1);
        }
        p->slot[h] = (uint32_t)i + 1;
    }
}

uint32_t dec_cols_outcome(DecCols *c, const char *s)
{
    DecPriv *p = priv_of(c);
    size_t h;
    if ((c->n_odict + 1) * 2 > p->n_slot) {
        dict_grow(c);
    }
    h = (size_t)str_hash(s) & (p->n_slot - 1);
    while (p->slot[h]) {
        uint32_t i = p->slot[h] - 1;
        if (strcmp(c->odict[i], s) == 0) {
            return i;
        }
        h = (h + 1) & (p->n_slot - 1);
    }
    if ((c->n_odict & (c->n_odict - 1)) == 0) { /* capacity: powers of 2 */
        c->odict = xrealloc(c->odict, sizeof *c->odict * (c->n_odict * 2 + 1));
    }
    c->odict[c->n_odict] = xstrdup(s);
    p->slot[h] = (uint32_t)c->n_odict + 1;
    return (uint32_t)c->n_odict++;
}

/* ---- storage ------------------------------------------------------------ */

static int col_index(const char *name)
{
    for (int k = 0; k < C_N; k++) {
        if (strcmp(cols[k].name, name) == 0) {
            return k;
        }
    }
    return strcmp(name, "odict") == 0 ? C_N : -1;
}

static int bad_blob(Err *e, const char *ruleset, const char *col)
{
    return err_set(e, ERR_DB, "decisions", "规则集 %s 的已存结论列 %s 已损坏",
                   ruleset, col);
}

static int load_dict(DecCols *c, const char *p, size_t len, const char *rs,
                     Err *e)
{
    size_t at = 0;
    if (len && p[len - 1] != '\0') {
        return bad_blob(e, rs, "odict");
    }
    while (at < len) {
        size_t l = strlen(p + at);
        (void)dec_cols_outcome(c, p + at);
        at += l + 1;
    }
    return 0;
}

/* The hash column of c from the set named by ref (len bytes). */
static int load_hash_ref(Db *db, DecCols *c, const void *ref, size_t len,
                         const char *ruleset, Err *e)
{
    DbStmt *st = NULL;
    char name[128];
    int rc;

    if (len == 0 || len >= sizeof name) {
        return bad_blob(e, ruleset, "hash_ref");
    }
    memcpy(name, ref, len);
    name[len] = '\0';
    rc = db_prepare_v(db, &st, e,
                      "SELECT data FROM decision_cols WHERE ruleset = $1 AND "
                      "col = 'hash'",
                      "t", name);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW && db_col_bytes(st, 0) == c->n * 32) {
            if (c->n) {
                memcpy(c->hash, db_col_blob(st, 0), c->n * 32);
            }
            rc = 0;
        } else if (rc == DB_ROW || rc == DB_DONE) {
            rc = bad_blob(e, ruleset, "hash_ref");
        }
    }
    db_finalize(st);
    return rc;
}

static int load_in_tx(Db *db, const char *ruleset, int what, DecCols **out,
                      Err *e)
{
    DbStmt *st = NULL;
    DecCols *c = NULL;
    int64_t token = 0, n = 0;
    int rc = db_prepare_v(db, &st, e,
                          "SELECT token, n FROM decision_sets WHERE "
                          "ruleset = $1",
                          "t", ruleset);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            token = db_col_int64(st, 0);
            n = db_col_int64(st, 1);
            rc = n < 0 || (uint64_t)n > SIZE_MAX / 64
                     ? bad_blob(e, ruleset, "n")
                     : 0;
            if (rc == 0) {
                c = dec_cols_new((size_t)n, what);
                c->token = token;
            }
        } else {
            rc = rc == DB_DONE ? 0 : rc;
        }
    }
    db_finalize(st);
    st = NULL;
    if (rc || !c) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT col, data FROM decision_cols WHERE ruleset = $1",
                      "t", ruleset);
    {
        int seen = 0;
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            const char *name = db_col_text(st, 0);
            int k = col_index(name ? name : "");
            size_t len = db_col_bytes(st, 1);
            const void *p = db_col_blob(st, 1);
            rc = 0;
            if (name && strcmp(name, "hash_ref") == 0 && c->hash) {
                /* the hash column of another set, identical when written */
                rc = load_hash_ref(db, c, p, len, ruleset, e);
                seen |= 1 << C_HASH;
                continue;
            }
            if (k < 0) {
                continue;
            }
            if (k == C_N) {
                if (what == DEC_ALL) {
                    rc = load_dict(c, p, len, ruleset, e);
                }
                continue;
            }
            if (!col_get(c, k)) {
                continue; /* not asked for */
            }
            if (cols[k].pack) {
                if (unpack_col(c, k, p, len) != 0) {
                    rc = bad_blob(e, ruleset, cols[k].name);
                }
            } else if (len != c->n * cols[k].width) {
                rc = bad_blob(e, ruleset, cols[k].name);
            } else if (len) {
                memcpy(col_get(c, k), p, len);
            }
            seen |= 1 << k;
        }
        rc = rc == DB_DONE ? 0 : rc;
        for (int k = 0; rc == 0 && k < C_N; k++) {
            if (col_get(c, k) && !(seen & (1 << k))) {
                rc = bad_blob(e, ruleset, cols[k].name);
            }
        }
    }
    db_finalize(st);
    for (size_t r = 0; rc == 0 && what == DEC_ALL && r < c->n; r++) {
        if (c->oidx[r] >= c->n_odict) {
            rc = bad_blob(e, ruleset, "oidx");
        }
    }
    for (size_t r = 1; rc == 0 && r < c->n; r++) {
        if (c->id[r] <= c->id[r - 1]) {
            rc = bad_blob(e, ruleset, "id");
        }
    }
    if (rc) {
        dec_cols_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int dec_cols_load(Db *db, const char *ruleset, int what, DecCols **out, Err *e)
{
    int rc, own = !db_in_tx(db);
    *out = NULL;
    if (own) {
        rc = db_begin_read(db, e);
        if (rc) {
            return rc;
        }
    }
    rc = load_in_tx(db, ruleset, what, out, e);
    if (own) {
        db_rollback(db);
    }
    return rc;
}

static int put_col(DbStmt *st, const char *name, const void *p, size_t len,
                   Err *e)
{
    int rc;
    db_reset(st);
    db_bind_text(st, 2, name);
    db_bind_blob_static(st, 3, len ? p : "", len);
    rc = db_step(st, e);
    db_reset(st); /* p is not copied: let go of it before returning */
    db_bind_null(st, 3);
    return rc == DB_DONE ? 0 : rc;
}

/* Delete the runs of ruleset that no row names. */
static int prune_runs(Db *db, const char *ruleset, const DecCols *c, Err *e)
{
    DbStmt *st = NULL;
    int64_t *keep = NULL, *drop = NULL;
    size_t n_keep = 0, n_drop = 0, cap = 0;
    int rc;

    for (size_t r = 0; r < c->n; r++) {
        int found = 0;
        for (size_t i = 0; i < n_keep && !found; i++) {
            found = keep[i] == c->run[r];
        }
        if (!found) {
            keep = xrealloc(keep, sizeof *keep * (n_keep + 1));
            keep[n_keep++] = c->run[r];
        }
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT id FROM decision_runs WHERE ruleset = $1", "t",
                      ruleset);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0);
        int found = 0;
        rc = 0;
        for (size_t i = 0; i < n_keep && !found; i++) {
            found = keep[i] == id;
        }
        if (!found) {
            if (n_drop == cap) {
                cap = cap ? cap * 2 : 16;
                drop = xrealloc(drop, sizeof *drop * cap);
            }
            drop[n_drop++] = id;
        }
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    for (size_t i = 0; rc == 0 && i < n_drop; i++) {
        rc = db_exec_v(db, e, "DELETE FROM decision_runs WHERE id = $1", "i",
                       drop[i]);
    }
    free(keep);
    free(drop);
    return rc;
}

int dec_cols_save(Db *db, const char *ruleset, const DecCols *c,
                  const char *hash_as, Err *e)
{
    DbStmt *st = NULL;
    int64_t token;
    Buf d;
    int rc;

    /* a fresh random token: caches keyed by it never confuse two writes,
     * nor two databases */
    randombytes_buf(&token, sizeof token);
    token &= INT64_MAX;
    rc = db_exec_v(db, e,
                   "INSERT INTO decision_sets (ruleset, token, n) VALUES ($1, "
                   "$2, $3) ON CONFLICT (ruleset) DO UPDATE SET token = "
                   "excluded.token, n = excluded.n",
                   "tii", ruleset, token, (int64_t)c->n);
    /* sets whose hash column refers to this one get their own copy of it
     * first (refer only to a stored hash column, never to a reference) */
    if (rc == 0) {
        /* the reference is the set's name as a blob: compared as bytes
         * (a cast of a blob to text differs between the backends) */
        rc = db_prepare_v(db, &st, e,
                          "UPDATE decision_cols SET col = 'hash', data = "
                          "(SELECT h.data FROM decision_cols h WHERE "
                          "h.ruleset = $1 AND h.col = 'hash') WHERE col = "
                          "'hash_ref' AND data = $2",
                          "tn", ruleset);
        if (rc == 0) {
            rc = db_bind_blob(st, 2, ruleset, strlen(ruleset));
        }
        if (rc == 0) {
            rc = db_step(st, e);
            rc = rc == DB_DONE ? 0 : rc;
        }
        db_finalize(st);
        st = NULL;
    }
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "DELETE FROM decision_cols WHERE ruleset = $1 AND col "
                       "= $2",
                       "tt", ruleset, hash_as ? "hash" : "hash_ref");
    }
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "INSERT INTO decision_cols (ruleset, col, data) "
                          "VALUES ($1, $2, $3) ON CONFLICT (ruleset, col) DO "
                          "UPDATE SET data = excluded.data",
                          "tnn", ruleset);
    }
    for (int k = 0; rc == 0 && k < C_N; k++) {
        if (k == C_HASH && hash_as) {
            rc = put_col(st, "hash_ref", hash_as, strlen(hash_as), e);
        } else if (cols[k].pack) {
            size_t len;
            uint8_t *b = pack_col(c, k, &len);
            rc = put_col(st, cols[k].name, b, len, e);
            free(b);
        } else {
            rc = put_col(st, cols[k].name, col_get(c, k), c->n * cols[k].width,
                         e);
        }
    }
    buf_init(&d, 0);
    for (size_t i = 0; rc == 0 && i < c->n_odict; i++) {
        rc = buf_append(&d, c->odict[i], strlen(c->odict[i]) + 1);
    }
    if (rc) {
        rc = err_set(e, ERR_TOOBIG, "decisions", "结论文字过多");
    }
    if (rc == 0) {
        rc = put_col(st, "odict", d.data, d.len, e);
    }
    buf_release(&d);
    db_finalize(st);
    if (rc == 0) {
        rc = prune_runs(db, ruleset, c, e);
    }
    return rc;
}

int dec_cols_clear(Db *db, Err *e)
{
    int rc = db_exec(db, "DELETE FROM decision_cols", e);
    if (rc == 0) {
        rc = db_exec(db, "DELETE FROM decision_sets", e);
    }
    if (rc == 0) {
        rc = db_exec(db, "DELETE FROM decision_runs", e);
    }
    return rc;
}

/* ---- the shared copies ------------------------------------------------- */

#define CACHE_MAX 32

typedef struct Entry {
    char *location;
    char *ruleset;
    DecCols *c;
    uint64_t used;
} Entry;

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static Entry cache[CACHE_MAX];
static uint64_t cache_clock;

static void unref_locked(DecCols *c)
{
    if (c && --priv_of(c)->refs == 0) {
        dec_cols_free(c);
    }
}

static void entry_drop_locked(Entry *x)
{
    unref_locked(x->c);
    free(x->location);
    free(x->ruleset);
    memset(x, 0, sizeof *x);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The distinct units of c and each row's index among them. */
static void index_units(DecCols *c)
{
    int64_t *u = xmalloc(sizeof *u * (c->n + 1));
    size_t k = 0;
    memcpy(u, c->unit, sizeof *u * c->n);
    qsort(u, c->n, sizeof *u, cmp_i64);
    for (size_t r = 0; r < c->n; r++) {
        if (k == 0 || u[k - 1] != u[r]) {
            u[k++] = u[r];
        }
    }
    c->units = u;
    c->n_units = k;
    c->uix = xmalloc(sizeof *c->uix * (c->n + 1));
    for (size_t r = 0; r < c->n; r++) {
        size_t lo = 0, hi = k;
        if (r > 0 && c->unit[r] == c->unit[r - 1]) {
            c->uix[r] = c->uix[r - 1];
            continue;
        }
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (u[mid] < c->unit[r]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        c->uix[r] = (uint32_t)lo;
    }
}

int dec_cols_get(Db *db, const char *ruleset, const DecCols **out, Err *e)
{
    const char *loc = db_location(db);
    DecCols *c = NULL;
    int64_t token = 0;
    int rc;
    Entry *slot = NULL;

    *out = NULL;
    rc = db_query_int64(db, &token, e,
                        "SELECT token FROM decision_sets WHERE ruleset = $1",
                        "t", ruleset);
    if (rc == ERR_NOTFOUND) {
        err_clear(e);
        return 0;
    }
    if (rc) {
        return rc;
    }
    pthread_mutex_lock(&cache_mu);
    for (int i = 0; i < CACHE_MAX; i++) {
        Entry *x = &cache[i];
        if (x->c && x->c->token == token && strcmp(x->location, loc) == 0 &&
            strcmp(x->ruleset, ruleset) == 0) {
            x->used = ++cache_clock;
            priv_of(x->c)->refs++;
            *out = x->c;
            pthread_mutex_unlock(&cache_mu);
            return 0;
        }
    }
    pthread_mutex_unlock(&cache_mu);

    rc = dec_cols_load(db, ruleset, DEC_LIST, &c, e);
    if (rc || !c) {
        return rc;
    }
    index_units(c);
    priv_of(c)->refs = 2; /* the cache's and the caller's */
    pthread_mutex_lock(&cache_mu);
    for (int i = 0; i < CACHE_MAX; i++) {
        Entry *x = &cache[i];
        if (x->c && strcmp(x->location, loc) == 0 &&
            strcmp(x->ruleset, ruleset) == 0) {
            entry_drop_locked(x); /* an older write of the same set */
        }
    }
    for (int i = 0; i < CACHE_MAX; i++) {
        if (!cache[i].c) {
            slot = &cache[i];
            break;
        }
        if (!slot || cache[i].used < slot->used) {
            slot = &cache[i];
        }
    }
    entry_drop_locked(slot);
    slot->location = xstrdup(loc);
    slot->ruleset = xstrdup(ruleset);
    slot->c = c;
    slot->used = ++cache_clock;
    pthread_mutex_unlock(&cache_mu);
    *out = c;
    return 0;
}

void dec_cols_release(const DecCols *c)
{
    pthread_mutex_lock(&cache_mu);
    unref_locked((DecCols *)c);
    pthread_mutex_unlock(&cache_mu);
}

int64_t dec_rank(int verdict, int64_t unmet, int64_t unknown, int has_score,
                 int64_t score_hi)
{
    int64_t cls = verdict == 1                   ? 0
                  : verdict == 4 || verdict == 5 ? 1
                  : verdict == 2                 ? 2
                  : verdict == 3                 ? 3
                                                 : 4;
    int64_t s = has_score ? score_hi : 0;
    s = s < 0 ? 0 : s > 999 ? 999 : s;
    unmet = unmet > 999 ? 999 : unmet;
    unknown = unknown > 999 ? 999 : unknown;
    return cls * 1000000000 + unmet * 1000000 + unknown * 1000 + (999 - s);
}

static int64_t rank_row(const DecCols *c, uint32_t r)
{
    return dec_rank(c->verdict[r], c->unmet[r], c->unknown[r], c->has_score[r],
                    c->score_hi[r]);
}

static int cmp_closest(const void *a, const void *b, void *ud)
{
    const DecCols *c = ud;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int64_t rx = rank_row(c, x), ry = rank_row(c, y);
    if (rx != ry) {
        return rx < ry ? -1 : 1;
    }
    return (x > y) - (x < y); /* rows are in id order */
}

static int cmp_score(const void *a, const void *b, void *ud)
{
    const DecCols *c = ud;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (c->has_score[x] != c->has_score[y]) {
        return c->has_score[x] ? -1 : 1;
    }
    if (c->has_score[x] && c->score_hi[x] != c->score_hi[y]) {
        return c->score_hi[x] > c->score_hi[y] ? -1 : 1;
    }
    return cmp_closest(a, b, ud);
}

/* Rows in "closest first" order: the key rank << 26 | row (ranks stay
 * below 2^34, rows below 2^26) sorted by an LSD radix sort, 8 bits a
 * pass, passes whose byte is the same in every key skipped; the same
 * order as cmp_closest (rank, then row), without a comparison call per
 * pair (a qsort of 1 M rows called rank_row some 40 M times). */
static void order_closest(const DecCols *c, uint32_t *o)
{
    size_t n = c->n;
    uint64_t *a = xmalloc(sizeof *a * (n + 1));
    uint64_t *b = xmalloc(sizeof *b * (n + 1));
    uint64_t all_or = 0, all_and = ~(uint64_t)0;

    for (size_t r = 0; r < n; r++) {
        a[r] = (uint64_t)rank_row(c, (uint32_t)r) << 26 | r;
        all_or |= a[r];
        all_and &= a[r];
    }
    for (int shift = 0; shift < 64; shift += 8) {
        size_t cnt[256] = {0}, at = 0;
        uint64_t *t;

        if (((all_or ^ all_and) >> shift & 0xff) == 0) {
            continue; /* the same byte in every key */
        }
        for (size_t r = 0; r < n; r++) {
            cnt[a[r] >> shift & 0xff]++;
        }
        for (int d = 0; d < 256; d++) {
            size_t k = cnt[d];
            cnt[d] = at;
            at += k;
        }
        for (size_t r = 0; r < n; r++) {
            b[cnt[a[r] >> shift & 0xff]++] = a[r];
        }
        t = a;
        a = b;
        b = t;
    }
    for (size_t r = 0; r < n; r++) {
        o[r] = (uint32_t)(a[r] & ((1u << 26) - 1));
    }
    free(a);
    free(b);
}

const uint32_t *dec_cols_order(const DecCols *c, int which)
{
    DecPriv *p = priv_of(c);
    uint32_t *o;
    which = which == DEC_ORDER_SCORE;
    pthread_mutex_lock(&cache_mu);
    o = p->order[which];
    pthread_mutex_unlock(&cache_mu);
    if (o) {
        return o;
    }
    /* sorted outside the lock; two readers may both sort, one keeps it */
    o = xmalloc(sizeof *o * (c->n + 1));
    if (!which && c->n < ((size_t)1 << 26)) {
        order_closest(c, o);
    } else {
        for (size_t r = 0; r < c->n; r++) {
            o[r] = (uint32_t)r;
        }
        qsort_r(o, c->n, sizeof *o, which ? cmp_score : cmp_closest, (void *)c);
    }
    pthread_mutex_lock(&cache_mu);
    if (p->order[which]) {
        free(o);
    } else {
        p->order[which] = o;
    }
    o = p->order[which];
    pthread_mutex_unlock(&cache_mu);
    return o;
}
