/* sqlq.h - build a query whose WHERE clause depends on optional filters.
 *
 * The text is assembled from fixed fragments; every value is kept as a bound
 * parameter and its $N placeholder is handed back, so no value is ever
 * formatted into SQL:
 *
 *     Sqlq q;
 *     sqlq_init(&q, "SELECT id FROM users WHERE 1=1");
 *     if (unit) sqlq_addf(&q, " AND unit_id = $%d", sqlq_int(&q, unit));
 *     rc = sqlq_prepare(&q, db, &st, e);
 *     sqlq_release(&q);
 *
 * Text parameters are borrowed: they must outlive sqlq_prepare. */
#ifndef KC_DOMAIN_SQLQ_H
#define KC_DOMAIN_SQLQ_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"

#define SQLQ_MAX_PARAMS 24

typedef struct SqlqParam {
    char type; /* 'i' or 't' */
    int64_t i;
    const char *t;
} SqlqParam;

typedef struct Sqlq {
    Buf text;
    SqlqParam params[SQLQ_MAX_PARAMS];
    int n_params;
    int err; /* sticky: too many parameters */
} Sqlq;

void sqlq_init(Sqlq *q, const char *base);
void sqlq_release(Sqlq *q);

/* Add a parameter; returns its number N (for "$N"). */
int sqlq_int(Sqlq *q, int64_t v);
int sqlq_text(Sqlq *q, const char *s);

/* Append SQL text (printf for the $N numbers only). */
void sqlq_addf(Sqlq *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A sortable column of a list: the name clients use in ?sort= and the
 * constant SQL expression it stands for. Nullable columns sort NULLs last
 * in both directions. */
typedef struct SqlqSort {
    const char *key;
    const char *expr;
    int nullable;
} SqlqSort;

/* Parse a sort parameter ("name" ascending, "-name" descending) against
 * the n_cols whitelisted columns; NULL or "" means def (same syntax). Sets
 * *col and *desc. An unknown column is ERR_INVALID naming "sort" with a
 * message listing the allowed names. Allocates nothing. */
int sqlq_sort_parse(const SqlqSort *cols, size_t n_cols, const char *sort,
                    const char *def, const SqlqSort **col, int *desc, Err *e);

/* Append " ORDER BY <col> [DESC], <tiebreak> [DESC]": only the constant
 * expressions of the table and the caller's tiebreak (a unique column, so
 * paging is deterministic) enter the SQL text. */
void sqlq_add_order(Sqlq *q, const SqlqSort *col, int desc,
                    const char *tiebreak);

/* Prepare the statement and bind every parameter. The caller finalizes. */
int sqlq_prepare(Sqlq *q, Db *db, DbStmt **out, Err *e);

#endif
