/* pool_tix.c - the matching's term index (see pool_tix.h). */
#include "domain/market/pool_tix.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/accounts/audit.h"
#include "domain/market/pool.h"

#define TIX_MARK_MAX AUDIT_MARK_MAX

typedef struct TixPost {
    uint64_t term;
    uint32_t item; /* index into items */
} TixPost;

struct PoolTix {
    int refs;
    char mark[TIX_MARK_MAX];
    PoolTixItem *items;
    size_t n, cap;
    TixPost *posts;
    size_t n_posts, cap_posts;
};

static PoolTix *tix_cur[2];
static pthread_mutex_t tix_lock = PTHREAD_MUTEX_INITIALIZER;
static int tix_enabled = 1;

void pool_tix_set_enabled(int on)
{
    pthread_mutex_lock(&tix_lock);
    tix_enabled = on;
    pthread_mutex_unlock(&tix_lock);
}

static void tix_free(PoolTix *t)
{
    if (t) {
        free(t->items);
        free(t->posts);
        free(t);
    }
}

void pool_tix_release(PoolTix *t)
{
    int last;

    if (!t) {
        return;
    }
    pthread_mutex_lock(&tix_lock);
    last = --t->refs == 0;
    pthread_mutex_unlock(&tix_lock);
    if (last) {
        tix_free(t);
    }
}

const PoolTixItem *pool_tix_items(const PoolTix *t, size_t *n)
{
    *n = t->n;
    return t->items;
}

/* The data version of kind's table (audit_mark); "" when the audit log
 * is empty (nothing kept). */
static int tix_mark(Db *db, PoolTixKind kind, char mark[TIX_MARK_MAX], Err *e)
{
    return audit_mark(db,
                      kind == POOL_TIX_ITEMS ? AUDIT_MARK_MARKET_ITEMS
                                             : AUDIT_MARK_ENTERPRISES,
                      mark, e);
}

static int tix_cmp_post(const void *x, const void *y)
{
    const TixPost *a = x, *b = y;
    if (a->term != b->term) {
        return a->term < b->term ? -1 : 1;
    }
    return a->item < b->item ? -1 : a->item > b->item;
}

/* Is the row (kind, subkind) a kind the demand matching lists? */
static int tix_kind_listed(const char *kind, const char *subkind)
{
    return kind && (strcmp(kind, "achievement") == 0 ||
                    strcmp(kind, "institution") == 0 ||
                    (strcmp(kind, "resource") == 0 && subkind &&
                     strcmp(subkind, "expert") == 0));
}

static int tix_cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Add one candidate with the distinct terms of its two texts (NULL for
 * none); 0, or 1 past the cap. */
static int tix_add(PoolTix *t, const PoolTixItem *it, const char *text1,
                   const char *text2)
{
    uint64_t *t1 = NULL, *t2 = NULL;
    size_t n1 = pool_terms(text1, &t1), n2 = pool_terms(text2, &t2), i;
    int rc = 0;

    if (t->n_posts + n1 + n2 > POOL_TIX_MAX_POSTINGS || t->n >= UINT32_MAX) {
        rc = 1;
        goto out;
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->items = xrealloc(t->items, t->cap * sizeof *t->items);
    }
    while (t->n_posts + n1 + n2 > t->cap_posts) {
        t->cap_posts = t->cap_posts ? 2 * t->cap_posts : 8192;
        t->posts = xrealloc(t->posts, t->cap_posts * sizeof *t->posts);
    }
    for (i = 0; i < n1 + n2; i++) {
        uint64_t h = i < n1 ? t1[i] : t2[i - n1];
        if (i >= n1 && bsearch(&h, t1, n1, sizeof h, tix_cmp_u64)) {
            continue; /* in both texts: one term */
        }
        t->posts[t->n_posts].term = h;
        t->posts[t->n_posts].item = (uint32_t)t->n;
        t->n_posts++;
    }
    t->items[t->n++] = *it;
out:
    free(t1);
    free(t2);
    return rc;
}

/* The digits of an industry code ("C3963" -> "3963") into out (cap 8). */
static void tix_digits(const char *code, char out[8])
{
    size_t j = 0;

    for (; code && *code && j + 1 < 8; code++) {
        if (isdigit((unsigned char)*code)) {
            out[j++] = *code;
        }
    }
    out[j] = '\0';
}

/* Read kind's table into a new index (*out NULL past the cap). */
static int tix_build(Db *db, PoolTixKind kind, PoolTix **out, Err *e)
{
    PoolTix *t = xcalloc(1, sizeof *t);
    DbStmt *st = NULL;
    int rc, over = 0;

    *out = NULL;
    if (kind == POOL_TIX_ITEMS) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, kind, subkind, title, summary, field, "
                          "industry_code, unit_id FROM market_items WHERE "
                          "COALESCE(retired_at, '') = '' AND status = 'open' "
                          "ORDER BY id",
                          "");
    } else {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, name, tech_subdomain, tech_domain, "
                          "industry_code, unit_id FROM enterprises WHERE "
                          "COALESCE(retired_at, '') = '' ORDER BY id",
                          "");
    }
    while (rc == 0 && !over && (rc = db_step(st, e)) == DB_ROW) {
        PoolTixItem it;
        memset(&it, 0, sizeof it);
        rc = 0;
        it.id = db_col_int64(st, 0);
        if (kind == POOL_TIX_ITEMS) {
            if (!tix_kind_listed(db_col_text(st, 1), db_col_text(st, 2))) {
                continue;
            }
            it.num = db_col_is_null(st, 5) ? 0 : db_col_int64(st, 5);
            snprintf(it.code, sizeof it.code, "%.3s",
                     db_col_text(st, 6) ? db_col_text(st, 6) : "");
            it.unit_id = db_col_int64(st, 7);
            over = tix_add(t, &it, db_col_text(st, 3), db_col_text(st, 4));
        } else {
            it.num = db_col_is_null(st, 3) ? 0 : db_col_int64(st, 3);
            tix_digits(db_col_text(st, 4), it.code);
            it.unit_id = db_col_int64(st, 5);
            over = tix_add(t, &it, db_col_text(st, 1), db_col_text(st, 2));
        }
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    if (rc == 0 && !over) {
        if (t->n_posts > 1) {
            qsort(t->posts, t->n_posts, sizeof *t->posts, tix_cmp_post);
        }
        t->refs = 1;
        *out = t;
        t = NULL;
    }
    tix_free(t);
    return rc;
}

int pool_tix_get(Db *db, PoolTixKind kind, PoolTix **out, Err *e)
{
    char mark[TIX_MARK_MAX], kept[TIX_MARK_MAX] = "";
    PoolTix *t = NULL, *old = NULL;
    int rc;

    *out = NULL;
    pthread_mutex_lock(&tix_lock);
    rc = tix_enabled;
    pthread_mutex_unlock(&tix_lock);
    if (!rc) {
        return 0;
    }
    rc = tix_mark(db, kind, mark, e);
    if (rc) {
        return rc;
    }
    /* the current index and its mark (a copy: marks change under the
     * lock only) */
    pthread_mutex_lock(&tix_lock);
    if (mark[0] && tix_cur[kind]) {
        t = tix_cur[kind];
        t->refs++;
        snprintf(kept, sizeof kept, "%s", t->mark);
    }
    pthread_mutex_unlock(&tix_lock);
    if (t && strcmp(kept, mark) == 0) {
        *out = t;
        return 0;
    }
    if (t && audit_mark_still(db, kept, mark)) {
        /* only sessions and tokens since: the index holds, re-marked */
        pthread_mutex_lock(&tix_lock);
        if (tix_cur[kind] == t && strcmp(t->mark, kept) == 0) {
            snprintf(t->mark, sizeof t->mark, "%s", mark);
        }
        pthread_mutex_unlock(&tix_lock);
        *out = t;
        return 0;
    }
    pool_tix_release(t);
    t = NULL;
    /* built outside the lock; the mark was read before the rows, so an
     * index that missed a concurrent write is kept under the older mark
     * and rebuilt at the next request */
    rc = tix_build(db, kind, &t, e);
    if (rc || !t) {
        return rc;
    }
    snprintf(t->mark, sizeof t->mark, "%s", mark);
    if (mark[0]) {
        pthread_mutex_lock(&tix_lock);
        old = tix_cur[kind];
        tix_cur[kind] = t;
        t->refs++;
        pthread_mutex_unlock(&tix_lock);
        pool_tix_release(old);
    }
    *out = t;
    return 0;
}

void pool_tix_count(const PoolTix *t, const uint64_t *terms, size_t n_terms,
                    uint16_t *cnt)
{
    size_t i;

    for (i = 0; i < n_terms; i++) {
        size_t lo = 0, hi = t->n_posts;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (t->posts[mid].term < terms[i]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (; lo < t->n_posts && t->posts[lo].term == terms[i]; lo++) {
            if (cnt[t->posts[lo].item] < UINT16_MAX) {
                cnt[t->posts[lo].item]++;
            }
        }
    }
}
