/* qual_cache.c - figures by key and data version (see qual_cache.h). */
#include "domain/qual/qual_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/accounts/audit.h"

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
    return audit_mark(db, AUDIT_MARK_QUALIFICATIONS, mark, e);
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
    if (out || !kept[0] || !audit_mark_still(db, kept, mark)) {
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
