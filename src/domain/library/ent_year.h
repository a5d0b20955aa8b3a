/* ent_year.h - yearly figures of an enterprise (one row per enterprise and
 * accounting year) with provenance.
 *
 * Every figure is an integer: people counts, or money in 元. A figure that
 * is not known is NULL (never 0). Each row records where its values came
 * from; a field written later by another source gets its own provenance
 * entry (docs/internals/enterprise.md). */
#ifndef KC_DOMAIN_ENT_YEAR_H
#define KC_DOMAIN_ENT_YEAR_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/library/ent.h"

/* Indexes into ent_year_fields, in column order. */
enum {
    EY_EMPLOYEES,
    EY_TECH_STAFF,
    EY_RD_STAFF,
    EY_SALES_REVENUE,
    EY_TOTAL_REVENUE,
    EY_MAIN_REVENUE,
    EY_HITECH_INCOME,
    EY_RD_EXPENSE,
    EY_RD_DOMESTIC,
    EY_TOTAL_COST,
    EY_TOTAL_ASSETS,
    EY_TOTAL_LIABILITIES,
    EY_NET_PROFIT,
    EY_EQUITY_FINANCING,
    EY_TAX_PAID,
    ENT_YEAR_N_FIELDS
};

/* Kinds of figure. */
enum {
    EYK_COUNT = 0,   /* people, 0 .. ENT_YEAR_COUNT_MAX */
    EYK_MONEY,       /* 元, 0 .. ENT_YEAR_MONEY_MAX */
    EYK_MONEY_SIGNED /* 元, may be negative (net profit) */
};

#define ENT_YEAR_COUNT_MAX 10000000LL
#define ENT_YEAR_MONEY_MAX 100000000000000000LL /* 1e17 元 */
#define ENT_YEAR_MIN 1900

typedef struct EntYearField {
    const char *name;  /* column and API name */
    const char *label; /* zh-CN */
    int kind;          /* EYK_* */
} EntYearField;

extern const EntYearField ent_year_fields[ENT_YEAR_N_FIELDS];

/* Index of the field called name, or -1. */
int ent_year_field_index(const char *name);

/* What a write does with one field. */
enum { EY_KEEP = 0, EY_SET, EY_CLEAR };

typedef struct EntYearInput {
    int64_t year;
    unsigned char state[ENT_YEAR_N_FIELDS]; /* EY_KEEP / EY_SET / EY_CLEAR */
    int64_t v[ENT_YEAR_N_FIELDS];           /* value when EY_SET */
} EntYearInput;

/* Set field i of in to v (state EY_SET). */
void ent_year_input_set(EntYearInput *in, int i, int64_t v);

/* Insert or update the row (enterprise_id, in->year) inside the caller's
 * open transaction: validate ranges and cross-field consistency of the
 * merged row, write values and provenance, refresh the enterprise's list
 * columns. No scope check and no audit entry (the caller does both).
 * *created (may be NULL) tells whether a new row was inserted. */
int ent_year_write(Db *db, const Actor *a, int64_t enterprise_id,
                   const EntYearInput *in, const EntSource *src, int *created,
                   Err *e);

/* ent_year_write for one enterprise in a's scope, in its own transaction
 * with an audit entry ("ent_year.upsert"). Retired enterprises cannot be
 * changed. */
int ent_year_upsert(Db *db, const Actor *a, int64_t enterprise_id,
                    const EntYearInput *in, const EntSource *src, Err *e);

/* All yearly rows of an enterprise in a's scope, newest year first, each
 * {"year", "values": {...}, "provenance": {...}, "field_provenance":
 * {field: {...}}}. *items: new array, caller decrefs. */
int ent_year_list(Db *db, const Actor *a, int64_t enterprise_id, json_t **items,
                  Err *e);

#endif
