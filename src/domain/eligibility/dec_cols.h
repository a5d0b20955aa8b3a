/* dec_cols.h - the stored decisions of one rule set, as columns.
 *
 * The current decision of every screened enterprise for a rule set is
 * kept as one decision_sets row and one blob per column in decision_cols
 * (migration 008): rows in ascending enterprise id, every column fixed
 * width in the machine's byte order (little-endian on every supported
 * platform; dec_cols_load refuses blobs of the wrong size). What rows
 * share (rule-set version, as-of date, time and job) is a decision_runs
 * row that the run column names.
 *
 * Writers (snapshot_screen) build a whole DecCols and save it in their
 * transaction. Readers (lists, counts, exports) take the process-wide
 * shared copy of the list columns, reloaded when the set's token changed. */
#ifndef KC_DOMAIN_DEC_COLS_H
#define KC_DOMAIN_DEC_COLS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

typedef struct DecCols {
    size_t n;
    int64_t token;
    int64_t *id;      /* ascending enterprise ids */
    int64_t *unit;    /* the enterprise's unit when decided */
    uint8_t *verdict; /* RULE_V_* */
    uint16_t *unmet;  /* top-level criteria not met */
    uint16_t *unknown;
    uint8_t *has_score; /* 0: no score range (no total, or 数据矛盾) */
    int64_t *score_lo;
    int64_t *score_hi;
    int64_t *run; /* decision_runs.id */
    /* with DEC_ALL only (NULL in the shared copy): */
    uint8_t *hash;  /* 32-byte SHA-256 of the rule input, per row */
    uint32_t *oidx; /* outcome letters: index into odict */
    char **odict;   /* distinct outcome strings (one letter per row of
                       the explanation, conflict rows first) */
    size_t n_odict;
    /* reader side: distinct units and each row's index among them */
    int64_t *units;
    uint32_t *uix;
    size_t n_units;
    void *priv; /* dec_cols.c's */
} DecCols;

enum { DEC_LIST = 0, DEC_ALL = 1 };

/* Columns for n rows (all when what is DEC_ALL), zeroed. */
DecCols *dec_cols_new(size_t n, int what);
void dec_cols_free(DecCols *c);
/* Row of enterprise id in c (ids ascending), or -1. */
int64_t dec_cols_row(const DecCols *c, int64_t id);
/* Index of outcome string s in c's dictionary, adding it. */
uint32_t dec_cols_outcome(DecCols *c, const char *s);

/* The stored columns of ruleset (*out NULL when none are stored). */
int dec_cols_load(Db *db, const char *ruleset, int what, DecCols **out, Err *e);
/* Replace the stored columns of ruleset with c (DEC_ALL) in the caller's
 * transaction, with a new token; runs no row names any more are deleted.
 * hash_as (or NULL) names a set whose hash column, as stored, is byte for
 * byte c's (rows of one screening): c's then refers to it instead of
 * repeating 32 bytes a row. A set referred to that is written again gives
 * the sets referring to it their own copy first. */
int dec_cols_save(Db *db, const char *ruleset, const DecCols *c,
                  const char *hash_as, Err *e);
/* Remove every stored decision (all rule sets), in the caller's
 * transaction. */
int dec_cols_clear(Db *db, Err *e);

/* The shared read-only list columns of ruleset as stored now (*out NULL
 * when none); release with dec_cols_release. Safe from any thread. */
int dec_cols_get(Db *db, const char *ruleset, const DecCols **out, Err *e);
void dec_cols_release(const DecCols *c);

/* Row orders of a shared copy, computed once per copy:
 * DEC_ORDER_CLOSEST by the rank of dec_rank, then id;
 * DEC_ORDER_SCORE by score_hi descending (none last), rank, id. */
enum { DEC_ORDER_CLOSEST = 0, DEC_ORDER_SCORE = 1 };
const uint32_t *dec_cols_order(const DecCols *c, int which);

/* Sort key of "closest first" (smaller first): verdict class (达标,
 * 待专家评审 / 待人工确认, 未达标, 缺数据, 数据矛盾), criteria not met,
 * criteria unknown, then the higher score. */
int64_t dec_rank(int verdict, int64_t unmet, int64_t unknown, int has_score,
                 int64_t score_hi);

#endif
