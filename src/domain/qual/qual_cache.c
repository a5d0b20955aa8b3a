/* qual_cache.c - figures by key and data version (see qual_cache.h). */
#include "domain/qual/qual_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUAL_CACHE_SLOTS 32

typedef struct QualCacheSlot {
    char key[QUAL_CACHE_KEY_MAX];
    char mark[QUAL_MARK_MAX];
    char *json; /* NULL: empty slot */
    uint64_t used;
} QualCacheSlot;

static QualCacheSlot qual_cache[QUAL_CACHE_SLOTS];
static uint64_t qual_cache_tick;
static pthread_mutex_t qual_cache_lock = PTHREAD_MUTEX_INITIALIZER;

int qual_cache_mark(Db *db, char mark[QUAL_MARK_MAX], Err *e)
{
    DbStmt *st = NULL;
    int rc;

    mark[0] = '\0';
    /* the newest audit entry, and the highest register row id: rows
     * inserted by plain SQL (bulk loads) move the mark too */
    rc = db_prepare_v(db, &st, e,
                      "SELECT a.id, a.hash, (SELECT MAX(q.id) FROM "
                      "qualifications q) FROM audit_log a ORDER BY a.id DESC "
                      "LIMIT 1",
                      "");
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        snprintf(mark, QUAL_MARK_MAX, "%lld:%s:%lld",
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

/* The parts of a mark: audit id, hash, highest register id (0 on a
 * malformed mark). */
static int64_t qual_mark_parse(const char *mark, char *hash, size_t cap,
                               int64_t *max_q)
{
    const char *a = strchr(mark, ':');
    const char *b = a ? strrchr(mark, ':') : NULL;

    *max_q = 0;
    hash[0] = '\0';
    if (!a || !b || b == a || (size_t)(b - a - 1) >= cap) {
        return 0;
    }
    memcpy(hash, a + 1, (size_t)(b - a - 1));
    hash[b - a - 1] = '\0';
    *max_q = strtoll(b + 1, NULL, 10);
    return strtoll(mark, NULL, 10);
}

/* Do the audit entries after the kept mark only record sessions and
 * tokens (log in, log out, passwords, API tokens), which change no
 * figure, with the register's rows as they were? Then the kept value
 * still holds. The kept entry's hash must still be that entry's: the
 * same database. */
static int qual_mark_still(Db *db, const char *kept, const char *mark)
{
    char kh[QUAL_MARK_MAX], mh[QUAL_MARK_MAX];
    int64_t kq, mq, n = -1;
    int64_t kid = qual_mark_parse(kept, kh, sizeof kh, &kq);
    int64_t mid = qual_mark_parse(mark, mh, sizeof mh, &mq);
    char *h = NULL;
    Err e;

    if (!db || kid <= 0 || mid <= kid || kq != mq) {
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
                       "ii", kid, mid) != 0) {
        return 0;
    }
    return n == 0;
}

json_t *qual_cache_get(Db *db, const char *key, const char *mark)
{
    char kept[QUAL_MARK_MAX] = "";
    json_t *out = NULL;

    if (!mark || !mark[0]) {
        return NULL;
    }
    pthread_mutex_lock(&qual_cache_lock);
    for (size_t i = 0; i < QUAL_CACHE_SLOTS; i++) {
        QualCacheSlot *c = &qual_cache[i];

        if (c->json && strcmp(c->key, key) == 0) {
            if (strcmp(c->mark, mark) == 0) {
                c->used = ++qual_cache_tick;
                out = json_loads(c->json, 0, NULL);
            } else {
                snprintf(kept, sizeof kept, "%s", c->mark);
            }
            break;
        }
    }
    pthread_mutex_unlock(&qual_cache_lock);
    if (out || !kept[0] || !qual_mark_still(db, kept, mark)) {
        return out;
    }
    /* only sessions and tokens since: the value holds under the new mark
     * (unless another thread replaced it meanwhile) */
    pthread_mutex_lock(&qual_cache_lock);
    for (size_t i = 0; i < QUAL_CACHE_SLOTS; i++) {
        QualCacheSlot *c = &qual_cache[i];

        if (c->json && strcmp(c->key, key) == 0 && strcmp(c->mark, kept) == 0) {
            snprintf(c->mark, sizeof c->mark, "%s", mark);
            c->used = ++qual_cache_tick;
            out = json_loads(c->json, 0, NULL);
            break;
        }
    }
    pthread_mutex_unlock(&qual_cache_lock);
    return out;
}

void qual_cache_put(const char *key, const char *mark, const json_t *v)
{
    QualCacheSlot *c = NULL;
    char *text;

    if (!mark || !mark[0] || strlen(key) >= QUAL_CACHE_KEY_MAX) {
        return;
    }
    text = json_dumps(v, JSON_COMPACT);
    if (!text) {
        return;
    }
    pthread_mutex_lock(&qual_cache_lock);
    /* the same key's slot (an older mark), else the least recently used */
    for (size_t i = 0; i < QUAL_CACHE_SLOTS; i++) {
        if (qual_cache[i].json && strcmp(qual_cache[i].key, key) == 0) {
            c = &qual_cache[i];
            break;
        }
    }
    if (!c) {
        c = &qual_cache[0];
        for (size_t i = 1; i < QUAL_CACHE_SLOTS; i++) {
            if (qual_cache[i].used < c->used) {
                c = &qual_cache[i];
            }
        }
    }
    free(c->json);
    snprintf(c->key, sizeof c->key, "%s", key);
    snprintf(c->mark, sizeof c->mark, "%s", mark);
    c->json = text;
    c->used = ++qual_cache_tick;
    pthread_mutex_unlock(&qual_cache_lock);
}

void qual_cache_clear(void)
{
    pthread_mutex_lock(&qual_cache_lock);
    for (size_t i = 0; i < QUAL_CACHE_SLOTS; i++) {
        free(qual_cache[i].json);
        memset(&qual_cache[i], 0, sizeof qual_cache[i]);
    }
    pthread_mutex_unlock(&qual_cache_lock);
}
