/* pool_tix.h - the matching's term index: per candidate what the scores
 * need (unit, field or 高新技术领域, industry code) and an inverted index
 * of its terms (pool_terms), built once per data version and shared by
 * the requests of the process.
 *
 * Two indexes: POOL_TIX_ITEMS, the open, unretired achievements,
 * institutions and experts of 一池四库 (title + summary; field; the first
 * three characters of the industry code); POOL_TIX_ENTS, the unretired
 * enterprises (name + 技术子领域; tech_domain; the digits of the industry
 * code). An index is kept under a mark: the id and hash of the newest
 * audit entry and the table's highest id. Every write is one transaction
 * with its audit entry, so any write (or a row inserted by plain SQL)
 * makes the next request rebuild it, except entries of sessions and
 * tokens only (logins keep it); a plain SQL UPDATE without audit entry is
 * not seen. An empty audit log keeps nothing (built per
 * request). Past POOL_TIX_MAX_POSTINGS terms no index is built and the
 * callers scan the table instead (*out NULL). */
#ifndef KC_DOMAIN_MARKET_POOL_TIX_H
#define KC_DOMAIN_MARKET_POOL_TIX_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define POOL_TIX_MAX_POSTINGS ((size_t)16 * 1024 * 1024)

typedef enum { POOL_TIX_ITEMS = 0, POOL_TIX_ENTS = 1 } PoolTixKind;

typedef struct PoolTixItem {
    int64_t id;
    int64_t unit_id;
    int64_t num;  /* field (items) or tech_domain (enterprises); 0 none */
    char code[8]; /* items: industry code's first 3 characters;
                   * enterprises: its digits (up to 7) */
} PoolTixItem;

typedef struct PoolTix PoolTix;

/* Tests and benchmarks: 0 makes pool_tix_get answer *out NULL (the
 * callers' scan, the earlier implementation) until set back to 1. */
void pool_tix_set_enabled(int on);

/* The current index of kind (a reference: release it), or *out NULL when
 * the table is too large to index. */
int pool_tix_get(Db *db, PoolTixKind kind, PoolTix **out, Err *e);
void pool_tix_release(PoolTix *t);

/* The candidates, by id ascending. */
const PoolTixItem *pool_tix_items(const PoolTix *t, size_t *n);

/* cnt[i] (n of pool_tix_items) += 1 for each of terms[0..n_terms)
 * (distinct) among item i's terms: the distinct shared terms. */
void pool_tix_count(const PoolTix *t, const uint64_t *terms, size_t n_terms,
                    uint16_t *cnt);

#endif
