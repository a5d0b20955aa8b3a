/* recrule.h - the cross-field rules of each record kind (DESIGN.md §4).
 *
 * One table per kind (enterprises, yearly figures, IP rights, facts):
 * "科技人员数 ≤ 职工总数", "有效期止 ≥ 有效期起", "国防专利只适用于发明专利"
 * and so on. Every writer checks a record against the same table: the
 * domain writers (ent.c, ent_year.c, ip.c, fact.c), the importer on each
 * merged row (import_check.c), and the demo generator on every record it makes
 * (demo.c); GET /reference/enterprise serves the table to the UI for its
 * form hints. A rule is never written a second time elsewhere.
 *
 * A record is read through RecRow callbacks by field key (the database
 * column, which is also the import column key and the API field name), so
 * each writer keeps its own representation. Single-field rules (required,
 * range, format) stay with the column registry (columns.c) and the writers'
 * parsers. Static tables; nothing here allocates. */
#ifndef KC_DOMAIN_RECRULE_H
#define KC_DOMAIN_RECRULE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Record kinds; the same numbers as the column registry's XK_* kinds. */
enum {
    RECRULE_ENTERPRISES = 0,
    RECRULE_FIGURES,
    RECRULE_IP,
    RECRULE_FACTS,
    RECRULE_DECLARATIONS, /* declared rule inputs (decl.c, the import) */
    RECRULE_N
};

/* Rule operators. */
enum {
    RR_LE = 1,       /* integer a <= integer b (when both known) */
    RR_DATE_LE,      /* date a <= date b (ISO text, when both known) */
    RR_NOT_FUTURE,   /* date a <= today */
    RR_ONE_OF,       /* a or b is known */
    RR_ONLY_IF,      /* a known (a flag: non-zero) only when b == value */
    RR_FACT_SUBKIND, /* subkind required by / valid for the fact kind */
    RR_FACT_LEVEL,   /* level required by / refused for the fact kind */
    RR_DECL_YEAR     /* integer a (year) non-zero exactly when the rule
                        input field named by b is yearly (rules/field.c) */
};

typedef struct RecRule {
    int op;        /* RR_* */
    const char *a; /* field keys */
    const char *b;
    const char *value;  /* RR_ONLY_IF: the value b must have */
    const char *field;  /* the field an error is reported on */
    const char *a_name; /* zh-CN names for messages */
    const char *b_name;
    const char *msg; /* zh-CN message; RR_LE adds the values */
} RecRule;

/* A record as the rules read it. get_int: 1 and *out when the field is
 * known (for a flag: 1 when set, with its value), else 0. get_text: the
 * text, or NULL when not known (an empty string counts as not known). */
typedef struct RecRow {
    void *ctx;
    int (*get_int)(void *ctx, const char *key, int64_t *out);
    const char *(*get_text)(void *ctx, const char *key);
} RecRow;

/* The rules of kind (RECRULE_*): *n set to their number. */
const RecRule *recrule_table(int kind, size_t *n);

/* Check one rule. 0, or ERR_INVALID with e's field the rule's field and a
 * zh-CN message. today is YYYY-MM-DD (NULL: the current UTC date). */
int recrule_check_one(const RecRule *r, const RecRow *row, const char *today,
                      Err *e);

/* Check every rule of kind in order; the first that fails is reported
 * (and *failed set to it when failed is not NULL). */
int recrule_check(int kind, const RecRow *row, const char *today,
                  const RecRule **failed, Err *e);

/* The rules of every kind as JSON for the UI: {"figures": [{"op":
 * "le", "a": "tech_staff", "b": "employees", "field": ..., "message": ...},
 * ...], ...}. Caller decrefs. */
json_t *recrule_json(void);

#endif
