/* qual.h - the qualifications register (资质): one row per recognition an
 * enterprise holds or held (table qualifications, 009_qualifications.sql).
 *
 * Kinds are one static table (qual_kind.c): the rule-set tier codes (sme,
 * hnte, chuying ...) plus libraries without a rule set (tasc, hnte_pool,
 * lead_tech, tj_hnte), with zh-CN names, levels, validity and the number
 * format where one is known. Lifecycle (criteria.md §2.7): a record is
 * created with a basis (首次认定 / 再认定 / 整体迁入), corrected by audited
 * updates, renamed (更名: same number and expiry) and ended with a date and
 * a reason (撤销 / 取消 / 迁出 / 注销); rows are never deleted.
 *
 * Validity on a date D (one definition, QUAL_VALID_ON): valid_from <= D,
 * valid_to IS NULL or D <= valid_to, and ended_on IS NULL or D < ended_on.
 *
 * Uses: base, db, domain/ent (scope of the enterprise), domain/audit. Read
 * by: eligibility (rule inputs hnte_cert, tj_hnte_cert), the enterprise
 * list filter, and targets (qual_count_valid). */
#ifndef KC_DOMAIN_QUAL_QUAL_H
#define KC_DOMAIN_QUAL_QUAL_H

#include <jansson.h>
#include <stdint.h>

#include "base/date.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* The SQL condition "row a of qualifications is valid on date $n" (n is
 * the placeholder number of a 'YYYY-MM-DD' text parameter). Every reader
 * that decides validity in SQL uses this text. */
#define QUAL_VALID_ON(a, n)                                                    \
    "(" a ".valid_from <= $" n " AND (" a ".valid_to IS NULL OR " a            \
    ".valid_to >= $" n ") AND (" a ".ended_on IS NULL OR " a ".ended_on > $" n \
    "))"

/* Validity periods. */
enum {
    QUAL_VALID_NONE = 0,  /* no end known: valid_to as entered or NULL */
    QUAL_VALID_YEARS = 1, /* valid_years from the issue date (minus a day) */
    QUAL_VALID_CALENDAR = 2 /* the calendar year of `year` (科小: 当年有效) */
};

typedef struct QualKind {
    const char *code;       /* qualifications.kind */
    const char *name;       /* zh-CN full name */
    const char *short_name; /* zh-CN short name (高企, 科小 ...) */
    const char *ladder;     /* "tech" 科技企业 ladder, "tj" 雏鹰 ladder,
                               "miit" 专精特新, "library" 库 */
    const char *levels;     /* allowed level codes, comma separated */
    const char *default_level;
    int validity;               /* QUAL_VALID_* */
    int valid_years;            /* for QUAL_VALID_YEARS */
    const char *number_label;   /* 证书编号 / 入库登记编号 / 编号 */
    const char *number_pattern; /* human-readable pattern, or NULL */
    int number_strict;          /* 1: a number not matching is refused;
                                   0: matching is advisory only */
    const char *rule_field;     /* declared rule input it drives, or NULL */
    const char *source;         /* document and section */
    const char *status;         /* confirmed / unverified */
} QualKind;

/* The kinds, in display order; *n gets their number. */
const QualKind *qual_kinds(int *n);

/* The kind with this code, or NULL. */
const QualKind *qual_kind_find(const char *code);

/* zh-CN names of levels (national 国家级, municipal 市级, district 区级),
 * bases (first 首次认定, recert 再认定, move_in 整体迁入), end statuses
 * (revoked 撤销, cancelled 取消, moved_out 迁出, deregistered 注销) and
 * the status valid 有效; NULL when unknown. */
const char *qual_level_name(const char *code);
const char *qual_basis_name(const char *code);
const char *qual_status_name(const char *code);

/* Does number match the kind's pattern? 1 for kinds without one. */
int qual_number_ok(const QualKind *k, const char *number);

/* The reference table served at GET /api/v1/reference/qualifications:
 * {kinds: [...], levels, bases, end_statuses} (new reference). */
json_t *qual_reference_json(void);

#define QUAL_TEXT_MAX 100  /* characters of a number, batch, name */
#define QUAL_NOTE_MAX 1000 /* characters of a note or reason */

/* Fields of a new record or of a correction. Dates in any form
 * date_parse takes. valid_from defaults to issued_on; valid_to to the
 * kind's validity (QualKind.validity) when it has one. */
typedef struct QualInput {
    const char *kind;
    const char *level;
    const char *cert_no;
    const char *batch;
    int64_t year; /* 0 = from issued_on */
    const char *issued_on;
    const char *valid_from;
    const char *valid_to;
    const char *basis;
    const char *cert_name;
    const char *note;
} QualInput;

/* Provenance of a write: "user", "import" (ref = import id), "demo". */
typedef struct QualSource {
    const char *kind;
    int64_t ref;
} QualSource;

/* Register a qualification of enterprise_id in a's scope ("qual.create",
 * audited under the enterprise). ERR_INVALID naming the field for bad
 * input (expiry before issue, a number not in the kind's format ...);
 * ERR_CONFLICT naming cert_no when the number is already registered for
 * the kind. src NULL = user. */
int qual_create(Db *db, const Actor *a, int64_t enterprise_id,
                const QualInput *in, const QualSource *src, int64_t *id_out,
                Err *e);

/* Check in as qual_create would, without a database (the import's dry
 * run): ERR_INVALID naming the field. */
int qual_validate(const QualInput *in, Err *e);

/* The same inside the caller's transaction, without permission or scope
 * checks and without audit (the import and the demo, which audit their
 * whole write once). */
int qual_insert(Db *db, int64_t user_id, int64_t enterprise_id,
                const QualInput *in, const QualSource *src, int64_t *id_out,
                Err *e);

/* qual_insert for n rows of one kind (ins[i] for enterprise ents[i],
 * in that order) with as few statements as the rows allow: every row
 * validated in memory, the numbers already registered, the enterprises'
 * units and earlier records (basis 首次 / 再认定, as qual_insert infers
 * it, counting earlier rows of the same call) read by one query per 200
 * rows, which are then written by one multi-row INSERT. ids[i] gets the
 * new ids. On a row's error nothing after it is written (the caller
 * rolls back), *failed is its index and e its message as qual_insert
 * gives it; otherwise *failed = n. No scope check and no audit: the
 * caller's. Allocates per 200 rows, frees before returning. */
int qual_insert_many(Db *db, int64_t user_id, const int64_t *ents,
                     const QualInput *ins, size_t n, const QualSource *src,
                     int64_t *ids, size_t *failed, Err *e);

/* Correct the fields of record id ("qual.update", before and after).
 * ERR_NOTFOUND when it is not that enterprise's or out of scope;
 * ERR_CONFLICT when it has ended. */
int qual_update(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                const QualInput *in, Err *e);

/* End record id on date ended_on with status (revoked, cancelled,
 * moved_out, deregistered) and a reason ("qual.end"). A date before the
 * certificate's valid_from or issue date is ERR_INVALID naming ended_on;
 * an ended record is ERR_CONFLICT. */
int qual_end(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
             const char *status, const char *ended_on, const char *reason,
             Err *e);

/* Record a rename (更名) on date renamed_on: the certificate is reissued
 * with the new name, same number and validity ("qual.rename"). */
int qual_rename(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                const char *new_name, const char *renamed_on, Err *e);

/* zh-CN name of a record's state ("expired" -> "已到期"), NULL if unknown;
 * [{value, label, filter}] of all states, filter: the list can select it
 * (new reference). */
const char *qual_state_name(const char *state);
json_t *qual_states_json(void);

/* One record as JSON (names of kind, level, basis, status and the state
 * on `today`: valid / expired / ended / pending). New reference. */
int qual_get(Db *db, int64_t id, json_t **out, Err *e);

/* Records of an enterprise in a's scope, newest first (new array). */
int qual_list_ent(Db *db, const Actor *a, int64_t enterprise_id, json_t **items,
                  Err *e);

/* District-wide list filters; zero / NULL members do not filter. */
typedef struct QualFilter {
    const char *kind;
    int64_t unit_id;                       /* that unit and below */
    int64_t enterprise_id;                 /* one enterprise */
    const char *valid_on;                  /* valid on this date */
    const char *expires_from, *expires_to; /* valid_to in the range */
    const char *state;                     /* valid (today) / ended / expired */
    const char *q;                         /* name, USCC or number substring */
    const char *sort; /* valid_to, -valid_to, issued_on, name ... */
} QualFilter;

#define QUAL_EXPORT_MAX 200000

/* One page of records in a's scope (with enterprise name, USCC, unit).
 * *items new array; *total exact. */
int qual_list(Db *db, const Actor *a, const QualFilter *f, int64_t offset,
              int64_t limit, json_t **items, int64_t *total, Err *e);

/* Call fn with each row object of the same list (at most max_rows,
 * else ERR_TOOBIG before the first call). The object is borrowed. */
typedef int (*QualRowFn)(void *ud, json_t *row, Err *e);
int qual_walk(Db *db, const Actor *a, const QualFilter *f, int64_t max_rows,
              QualRowFn fn, void *ud, Err *e);

/* Number of enterprises holding a valid qualification of kind on date
 * (YYYY-MM-DD) whose unit lies under unit_path_prefix ("/" or NULL =
 * all), not retired from the library on or before date. The function
 * plan targets call. Allocates nothing. */
int qual_count_valid(Db *db, const char *kind, const char *date,
                     const char *unit_path_prefix, int64_t *n, Err *e);

/* Counts of every kind on date within a's scope (optionally under unit
 * unit_id): by_unit 0 gives {date, items: [{kind, kind_name, count}]},
 * by_unit 1 adds per unit rows {kind, unit_id, unit_name, unit_path,
 * count} in "units". New reference in *out. */
int qual_counts(Db *db, const Actor *a, const char *date, int64_t unit_id,
                int by_unit, json_t **out, Err *e);

/* Counts of every kind within a's scope on date ("" / NULL = today) and
 * on compare, in one pass (the home page: today and the same day last
 * year): {date, compare_date, items: [{kind, kind_name, short_name,
 * count, compare}]}. Both functions keep their answer by arguments and
 * data version (qual_cache.h): a repeat call does no counting. New
 * reference in *out. */
int qual_counts_compare(Db *db, const Actor *a, const char *date,
                        const char *compare, json_t **out, Err *e);

/* ---- rule inputs from the register (qual_rules.c) -------------------- */

/* What the register says about the rule inputs it covers, for one
 * enterprise on one date: has[i] = 1 when the register has any row of
 * the kind driving field i of qual_rule_fields(), valid[i] = 1 when one
 * is valid on the date. */
#define QUAL_RULE_FIELDS 2
typedef struct QualRuleState {
    unsigned char has[QUAL_RULE_FIELDS];
    unsigned char valid[QUAL_RULE_FIELDS];
} QualRuleState;

/* Names of the covered rule inputs ("hnte_cert", "tj_hnte_cert") and the
 * kinds driving them ("hnte", "tj_hnte"); index i of the state arrays. */
const char *qual_rule_field(int i);
const char *qual_rule_kind(int i);
/* Index of a rule field name, or -1. */
int qual_rule_index(const char *field);

/* The register's state for one enterprise on as_of. */
int qual_rule_state(Db *db, int64_t enterprise_id, Date as_of,
                    QualRuleState *out, Err *e);

/* Walk every enterprise that has rows of the covered kinds, ascending id,
 * with its state on as_of (the batch path); ids (may be NULL: all)
 * limits it to the enterprises listed ("1,2,3"). */
typedef void (*QualRuleFn)(void *ud, int64_t enterprise_id,
                           const QualRuleState *st);
int qual_rule_scan(Db *db, Date as_of, const char *ids, QualRuleFn fn, void *ud,
                   Err *e);

/* Conflicts between the enterprise's declarations and the register on
 * as_of: [{field, label, declared, register, message}] (new array; empty
 * when none). */
int qual_conflicts(Db *db, int64_t enterprise_id, Date as_of, json_t **out,
                   Err *e);

/* Number of enterprises in a's scope with at least one conflict on
 * as_of (the home page's to-do). */
int qual_conflicts_count(Db *db, const Actor *a, Date as_of, int64_t *n,
                         Err *e);

#endif
