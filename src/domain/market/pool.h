/* pool.h - 一池四库: the four libraries of technology transfer (成果库
 * achievements, 需求库 demands, 服务机构库 institutions, 创新资源库
 * resources: instruments, labs, experts) in one table by kind, with one
 * column table saying which fields a kind uses and their zh-CN names (the
 * form, the list, the export and the import all read it); and matchmaking
 * of a demand with achievements, institutions and experts. 政策池 is the
 * policy capability's: not duplicated here. Uses contract.h (技术领域,
 * contracts as track record). */
#ifndef KC_DOMAIN_MARKET_POOL_H
#define KC_DOMAIN_MARKET_POOL_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

enum {
    POOL_SUBKIND = 0,
    POOL_TITLE,
    POOL_ORG_NAME,
    POOL_USCC,
    POOL_FIELD,
    POOL_INDUSTRY,
    POOL_SUMMARY,
    POOL_MATURITY,
    POOL_MODES,
    POOL_IP_NUMBERS,
    POOL_QUALIFICATIONS,
    POOL_PRICE, /* 万元 text in, 元 stored */
    POOL_DEADLINE,
    POOL_CONTACT_NAME,
    POOL_CONTACT_PHONE,
    POOL_STATUS,
    POOL_NCOLS
};

#define POOL_EXPORT_MAX 100000
#define POOL_MATCH_MAX 50
/* candidates whose past contracts are counted (the best by terms, field
 * and industry) */
#define POOL_MATCH_SHORTLIST 200

/* The database column / API key of column c. */
const char *pool_col_key(int c);

/* Is kind one of achievement, demand, institution, resource? Its zh-CN
 * library name, and the title of column c for it (NULL: not used). */
int pool_kind_valid(const char *kind);
const char *pool_kind_name(const char *kind);
const char *pool_col_title(const char *kind, int c);

/* {kinds: [{value, label, columns: [{key, label, required, options}]}],
 * maturities} for the UI. New reference. */
json_t *pool_reference_json(void);

/* An item as text values by column (NULL = not given / cleared). */
typedef struct PoolInput {
    const char *v[POOL_NCOLS];
    int has[POOL_NCOLS]; /* update: the column was given */
} PoolInput;

/* Create an item of kind (one transaction with its audit entry
 * "pool.create"). ERR_INVALID naming the column key. A street user may
 * only create items of enterprises of its unit. */
int pool_create(Db *db, const Actor *a, const char *kind, const PoolInput *in,
                int64_t *id_out, Err *e);

/* Update the given columns of item id ("pool.update"); retire = 1 retires
 * it with reason ("pool.retire"). */
int pool_update(Db *db, const Actor *a, int64_t id, const PoolInput *in,
                int retire, const char *reason, Err *e);

/* One item (in scope) with, for an institution, its track record (the
 * contracts it sold, brokered ones apart) and for a demand its
 * challenges. Caller decrefs. */
int pool_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

typedef struct PoolFilter {
    const char *kind; /* required */
    const char *q;
    int64_t field;
    const char *subkind;
    const char *status;
    int include_retired;
} PoolFilter;

int pool_list(Db *db, const Actor *a, const PoolFilter *f, int64_t offset,
              int64_t limit, json_t **items, int64_t *total, Err *e);

/* Every item of the list as its kind's columns (cells as the template
 * writes them, money in 万元). fn gets n cells per row. */
typedef int (*PoolRowFn)(void *ud, const char *const *cells, size_t n, Err *e);
int pool_export(Db *db, const Actor *a, const PoolFilter *f, PoolRowFn fn,
                void *ud, Err *e);

/* Titles of the columns kind uses, in order (for the export header and
 * the import template); *n gets the count. */
void pool_titles(const char *kind, const char **titles, int *cols, int *n);

/* Import a CSV/XLSX of kind (header found by the kind's titles in the
 * first 20 rows): dry run, all or nothing, or valid rows only, in one
 * transaction with one audit entry ("pool.import"). *report like the
 * contract import's: {summary: {rows, valid, invalid, inserted}, errors,
 * errors_total, header_row, applied}. */
int pool_import_file(Db *db, const Actor *a, const char *kind, const char *path,
                     int apply, int valid_only, json_t **report, Err *e);

/* Chinese character bigrams (and ASCII words) of text: the terms the
 * matching compares. *out: a sorted array of 64-bit hashes, no
 * duplicates (caller frees). */
size_t pool_terms(const char *text, uint64_t **out);

/* The terms of one text (pool_terms) prepared for many overlap counts:
 * a 4096-bit filter in front of the binary search. terms stays the
 * caller's. */
typedef struct PoolTermSet {
    const uint64_t *terms;
    size_t n;
    uint64_t filter[64];
} PoolTermSet;

void pool_termset_init(PoolTermSet *s, const uint64_t *terms, size_t n);

/* How many distinct terms of texts[0..n_texts) (NULL entries skipped) are
 * in s, without allocating (past 64 matches a repeated term may count
 * again). */
size_t pool_termset_shared(const PoolTermSet *s, const char *const *texts,
                           size_t n_texts);

/* Candidates for demand id (from the term index, pool_tix.h; without it
 * one scan): achievements, institutions and experts in a's
 * scope, scored by shared terms of title and description, the same
 * 技术领域 and the same industry; the best POOL_MATCH_SHORTLIST of those
 * also by the holder's registered contracts in that field (a candidate
 * with no shared term, field or industry is not listed). [{id, kind,
 * kind_name, title, org_name, score, reasons: [text]}] best first (an
 * expert's kind_name is its subkind's name), at most limit
 * (<= POOL_MATCH_MAX). */
int pool_match(Db *db, const Actor *a, int64_t demand_id, int limit,
               json_t **out, Err *e);

#endif
