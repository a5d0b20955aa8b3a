/* field.h - the catalogue of input fields a rule file may name.
 *
 * Yearly fields hold one int64 per accounting year (money in 元, people,
 * items); scalar fields hold one value per enterprise (a date as days since
 * 1970-01-01, a boolean as 0/1, a count). The domain layer fills a
 * RuleInput by these ids; rule files use the English names, explanations
 * use the Chinese labels. Nothing here allocates. */
#ifndef KC_RULES_FIELD_H
#define KC_RULES_FIELD_H

enum {
    RF_YEARLY = 1,
    RF_SCALAR = 2,
};

/* Field units (mirror the UN_* units of ast.h for the ones fields use). */
typedef struct RuleField {
    const char *name;  /* "rd_expense" */
    const char *label; /* "研发费用" */
    int kind;          /* RF_YEARLY or RF_SCALAR */
    int unit;          /* UN_* */
    int bounded; /* a count over records whose flags may be blank: it may be
                    unknown within bounds (rule_input_set_bounds) */
} RuleField;

/* Yearly fields come first (ids 0 .. RULE_N_YEARLY-1), then scalars. */
#define RULE_N_YEARLY 16
#define RULE_MAX_FIELDS 96 /* cap for bitsets; the table is smaller */

/* The field with this id (0 <= id < rule_field_count()), or NULL. */
const RuleField *rule_field_get(int id);
int rule_field_count(void);
/* Id of the field with this English name, or -1. */
int rule_field_find(const char *name);

/* Names of the fields an enterprise may declare (the library has no table
 * for them, or derives them uncertainly), NULL-terminated. The one list
 * the declarations API (decl.c) and the declarations import (columns.c)
 * accept. */
const char *const *rule_decl_fields(void);
extern const char *const rule_decl_names[];
/* Is name a declarable field? */
int rule_decl_field_ok(const char *name);

#endif
