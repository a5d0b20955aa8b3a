/* policy.h - the policy pool (政策池) and its money: policies and their
 * items (条款) with conditions in the rule language and an amount formula,
 * matching (one enterprise, the whole district through the library
 * snapshot and the batch evaluator), 免申即享 lists, applications with
 * two reviews, public notices with objections, payment batches,
 * claw-backs and budgets per line and year.
 *
 * Uses: base, db, rules, and the domain modules actor, audit, scope,
 * elig (rule inputs), snapshot (columnar library) and sqlq.
 *
 * Money is int64 元. ROUNDING RULE (the only one): an amount computed as a
 * percentage of a figure is rounded DOWN to whole 元 (floor of figure x
 * rate_bp / 10000), before the cap is applied; every other amount is
 * entered in whole 元 (万元 with at most four decimals) and never
 * rounded. Design: docs/internals/policy.md; users: docs/policy.md. */
#ifndef KC_DOMAIN_POLICY_POLICY_H
#define KC_DOMAIN_POLICY_POLICY_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "base/date.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/eligibility/snapshot.h"
#include "rules/batch.h"
#include "rules/rules.h"

#define POLICY_TIERS_MAX 16
#define POLICY_RULE_TEXT_MAX ((size_t)64 * 1024)
#define POLICY_CODE_MAX 64
#define POLICY_TEXT_MAX 512
#define POLICY_ITEMS_MAX 200       /* items matched at once */
#define POLICY_BATCH_ROWS_MAX 5000 /* rows of one payment batch */
#define POLICY_NOTICE_APPS_MAX 5000
#define POLICY_EXPORT_MAX 200000

/* Amount formulas. */
enum {
    POLICY_AMT_NONE = 0, /* information item: no money */
    POLICY_AMT_FIXED,
    POLICY_AMT_PERCENT,
    POLICY_AMT_TIERED,
    POLICY_AMT_PER_EVENT,
};

/* Stacking rules of a stack group. */
enum {
    POLICY_STACK_NONE = 0,
    POLICY_STACK_EXCLUSIVE, /* 同一事项不重复享受: the first granted wins */
    POLICY_STACK_HIGHEST, /* 就高不重复: the highest amount wins */
};

/* Match outcomes of one item for one enterprise. */
enum {
    POLICY_M_QUALIFIED = 1, /* 符合 */
    POLICY_M_NEARLY,        /* 接近（差距可补足） */
    POLICY_M_UNKNOWN,       /* 缺数据 */
    POLICY_M_PENDING,       /* 待人工确认 / 专家评审 */
    POLICY_M_NOT,           /* 不符合 */
};

typedef struct PolicyTier {
    int64_t from;   /* lower bound, inclusive (元) */
    int64_t amount; /* 元 */
} PolicyTier;

/* One item as stored, with its parsed conditions. */
typedef struct PolicyItem {
    int64_t id, policy_id;
    char code[POLICY_CODE_MAX];
    char title[POLICY_TEXT_MAX];
    char policy_title[POLICY_TEXT_MAX];
    RuleSet *rs; /* NULL: no conditions */
    /* the process's shared parse rs belongs to (policy_item_release lets
     * go of it), or NULL: rs is the item's own (policy_item_apply) */
    struct PolicyRules *rules;
    char trigger_kind[POLICY_CODE_MAX];
    char trigger_basis[POLICY_CODE_MAX];
    int auto_grant;
    int amount_kind; /* POLICY_AMT_* */
    int64_t amount;  /* fixed / per event */
    int figure;      /* rule field id, -1 none, -2 claimed */
    int figure_year; /* offset from the evaluation year (-7..0) */
    int64_t rate_bp; /* percent: 万分之 */
    int64_t cap;     /* 0 = none */
    PolicyTier tiers[POLICY_TIERS_MAX];
    int n_tiers;
    char budget_line[POLICY_TEXT_MAX];
    char window_from[DATE_ISO_SIZE], window_to[DATE_ISO_SIZE];
    char stack_group[POLICY_CODE_MAX];
    int stack_rule;   /* POLICY_STACK_* */
    int64_t year_cap; /* 0 = none */
    char excludes[POLICY_TEXT_MAX];
    char status[16]; /* confirmed / unverified / retired */
    char eff_from[DATE_ISO_SIZE], eff_to[DATE_ISO_SIZE]; /* the policy's */
} PolicyItem;

#define POLICY_FIGURE_CLAIMED (-2)

/* Free the rule set an item holds (the item itself is the caller's). */
void policy_item_release(PolicyItem *it);

/* Parsed conditions are kept in the process, shared by every item loaded
 * with the same code and rule text (the text is the key: a write that
 * changes it, audited or by plain SQL, is a new key; no request parses a
 * text the process has parsed before). The compiled batch program of
 * it's conditions: the shared one (compiled once, *own NULL) or, for an
 * item with its own parse, a new one in *own (the caller frees it with
 * batch_free). *prog NULL when the item has no conditions. */
int policy_item_prog(const PolicyItem *it, const BatchProg **prog,
                     BatchProg **own, Err *e);
/* Rule texts parsed for items since the process started (for tests). */
uint64_t policy_rules_parsed(void);

/* Load item id (any status); ERR_NOTFOUND when absent. */
int policy_item_load(Db *db, int64_t id, PolicyItem *out, Err *e);

/* Every item not retired, in id order: *items (malloc'd array, free with
 * policy_items_free), *n. */
int policy_items_load_all(Db *db, PolicyItem **items, int *n, Err *e);
void policy_items_free(PolicyItem *items, int n);

/* The amount of item it for figure value v (percent / tiered; present
 * = 0 when unknown) and events (per event). *out gets 元; *basis (may be
 * NULL) a zh-CN line saying how ("研发费用（2023年）1234.5 万元 × 10% =
 * 123.45 万元，封顶 100 万元"). Returns 0, or 1 when the amount cannot be
 * known (the figure is missing). */
int policy_amount(const PolicyItem *it, int present, int64_t v, int64_t events,
                  int64_t *out, char *basis, size_t cap);

/* Validate an item definition as the API takes it (JSON: the fields of
 * POST /policies/{id}/items) and write it: insert (id 0) or update. A
 * formula that can give a negative or fractional amount, a rule text that
 * does not parse or whose cases fail, an unknown figure, overlapping
 * tiers: ERR_INVALID naming the field, nothing written. Audited
 * (policy_item.create / policy_item.update with before/after). */
int policy_item_save(Db *db, const Actor *a, int64_t policy_id, int64_t id,
                     json_t *body, int64_t *out_id, Err *e);

/* Policies: list (with item counts), detail (items with rule text, case
 * results and amount formula text), create / update (audited). */
int policy_list(Db *db, const char *q, const char *level, json_t **items,
                Err *e);
int policy_get(Db *db, int64_t id, json_t **out, Err *e);
int policy_save(Db *db, const Actor *a, int64_t id, json_t *body,
                int64_t *out_id, Err *e);
/* One item as JSON (definition, formula text, cases and their results). */
int policy_item_get(Db *db, int64_t id, json_t **out, Err *e);
/* zh-CN name of a policy or item status ("unverified" -> "待核实");
 * NULL for another code (a write refuses those). */
const char *policy_status_name(const char *code);
/* The statuses as [{value, label}] (new array; GET /reference/labels
 * policy_statuses). */
json_t *policy_statuses_json(void);
/* Every item (not retired) as list rows. */
int policy_items_list(Db *db, json_t **items, Err *e);

/* The library snapshot at as_of: the one this process kept for the
 * database and date when it is still in step with the data (checked on
 * every call: no audit entry since that can change rule inputs, the same
 * database), else brought in step (snapshot_update) or got as before: for
 * today, the saved file beside the database when it is in step, else a
 * new build saved for the next caller (the file the whole-library
 * screening uses); for other dates a build in memory. The process keeps
 * the snapshots of the last two (database, date) pairs, shared between
 * threads: give each back with policy_snapshot_release(), never
 * snapshot_free(). */
int policy_snapshot(Db *db, Date as_of, Snapshot **out, Err *e);
/* Give back a snapshot of policy_snapshot() (NULL: nothing). */
void policy_snapshot_release(Snapshot *s);
/* Drop the snapshots the process keeps (those still held are freed by
 * their last holder). */
void policy_snapshot_forget(void);

/* Does the item's policy's effective period meet year? */
int policy_in_force(const PolicyItem *it, int year);

/* Is code in the comma-separated list of item codes? */
int policy_list_has(const char *list, const char *code);

/* ---- matching ---- */

/* zh-CN name and API code of a match outcome. */
const char *policy_match_name(int m);
const char *policy_match_code(int m);

/* Match enterprise ent_id (scope checked: ERR_NOTFOUND outside a's scope)
 * against every item for year (as of year-12-31, or today when earlier):
 * {enterprise_id, year, as_of, items: [{item_id, code, title, policy,
 * outcome, outcome_name, amount, amount_known, basis, reasons[], gaps[],
 * missing, auto_grant, status, applied (application status or null)}],
 * total_amount}. */
int policy_match_enterprise(Db *db, const Actor *a, int64_t ent_id, int year,
                            json_t **out, Err *e);

/* The district: per enterprise in a's scope the outcome of item_id for
 * year, over the library snapshot with the batch evaluator. Rows:
 * [{enterprise_id, uscc, name, unit_name, outcome, outcome_name, amount,
 * amount_known, events, applied}] for outcomes in want (bitmask of
 * 1 << POLICY_M_*; 0 = qualified only). */
int policy_candidates(Db *db, const Actor *a, int64_t item_id, int year,
                      unsigned want, json_t **rows, Err *e);

/* 免申即享: the candidates of an auto_grant item for year that have no
 * application yet (ERR_INVALID when the item is not 免申即享). */
int policy_entitled(Db *db, const Actor *a, int64_t item_id, int year,
                    json_t **rows, Err *e);

/* Staff confirm entitled enterprises: one application per enterprise
 * (channel entitled, status bureau_ok, amount as matched), re-checked
 * against the list; one transaction and one audit entry per
 * application. *n gets the number created. */
int policy_entitled_confirm(Db *db, const Actor *a, int64_t item_id, int year,
                            json_t *enterprise_ids, int64_t *n, Err *e);

/* ---- applications, notices, payments, budgets ---- */

int policy_app_create(Db *db, const Actor *a, json_t *body, int64_t *id,
                      Err *e);
int policy_app_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);
/* May a add (write) or read the attachments of application id? Both:
 * whoever sees the enterprise; writes only while it is under review
 * (submitted, street_ok). path gets the enterprise unit's path. */
int policy_app_attach_scope(Db *db, const Actor *a, int64_t id, int write,
                            char path[ACTOR_PATH_MAX], Err *e);
/* Filters: status, item_id, year, enterprise_id, notice_id (0/NULL any). */
typedef struct PolicyAppFilter {
    const char *status;
    int64_t item_id;
    int64_t year;
    int64_t enterprise_id;
    int64_t notice_id;
} PolicyAppFilter;
int policy_app_list(Db *db, const Actor *a, const PolicyAppFilter *f,
                    json_t **items, Err *e);
/* stage "street" (初审) or "bureau" (复审); decision "approve"/"reject". */
int policy_app_review(Db *db, const Actor *a, int64_t id, const char *stage,
                      const char *decision, const char *note, Err *e);
int policy_app_clawback(Db *db, const Actor *a, int64_t id, json_t *body,
                        Err *e);

int policy_notice_create(Db *db, const Actor *a, json_t *body, int64_t *id,
                         Err *e);
int policy_notice_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);
int policy_notice_list(Db *db, const Actor *a, json_t **items, Err *e);
int policy_objection_create(Db *db, const Actor *a, int64_t notice_id,
                            json_t *body, int64_t *id, Err *e);
int policy_objection_resolve(Db *db, const Actor *a, int64_t id, json_t *body,
                             Err *e);

int policy_batch_create(Db *db, const Actor *a, json_t *body, int64_t *id,
                        Err *e);
int policy_batch_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);
int policy_batch_list(Db *db, const Actor *a, json_t **items, Err *e);

/* Budgets of year: [{line, year, amount, committed, paid, remaining}]
 * (lines with a budget or with applications). */
int policy_budget_list(Db *db, int64_t year, json_t **items, Err *e);
int policy_budget_put(Db *db, const Actor *a, json_t *body, Err *e);

/* Every item over the district in one pass: one snapshot, each item
 * evaluated with the batch evaluator: {year, enterprises, items: [{item_id,
 * code, title, qualified, unknown, pending, cost, claimed_base}],
 * snapshot_ms, match_ms, match_cpu_ms} (timings for benches; the CPU time
 * is the process's, all threads). */
int policy_district_summary(Db *db, const Actor *a, int year, json_t **out,
                            Err *e);

/* Every (enterprise, item) of the district for year as CSV to out
 * ("enterprise_id,item,outcome,amount", outcome a policy_match_code),
 * the rows policy_district_summary counts, except those 不符合 with no
 * amount; *n_rows gets the number of rows written. For the benchmark's
 * comparison with its DuckDB peer (bench/policy). */
int policy_district_dump(Db *db, const Actor *a, int year, FILE *out,
                         int64_t *n_rows, Err *e);

/* Rows of one chunk of the district pass (0: the default, 32768); for
 * tests, which hold small chunks to the default's results. */
void policy_district_chunk_set(size_t rows);

/* ---- budget sandbox ---- */

/* Apply draft parameters to a loaded item (a copy the caller owns):
 * rule_text (conditions; parsed, cases not required to pass), rate,
 * cap_wan, amount_wan, year_cap_wan, tiers — with the same refusals as
 * policy_item_save for negative or fractional amounts. */
int policy_item_apply(PolicyItem *it, json_t *changes, Err *e);

/* Per snapshot row in scope (in_scope[row] != 0): the outcome
 * (POLICY_M_QUALIFIED / UNKNOWN / PENDING / NOT) and amount (0 when
 * unknown or not qualified) of item it for year. */
int policy_district_eval(Db *db, const Snapshot *s, const uint8_t *in_scope,
                         const PolicyItem *it, int year, uint8_t *outcome,
                         int64_t *amount, Err *e);

/* The district under draft parameters (changes, as policy_item_apply)
 * next to the item in force, for year: {year, before: {qualified, cost},
 * after: {...}, gained: [...], lost: [...], amount_changed, units:
 * [{unit_name, before_n, after_n, before_cost, after_cost}]}. With name
 * set the scenario is saved (audited) and *id gets its id. */
int policy_sandbox_run(Db *db, const Actor *a, int64_t item_id, int year,
                       json_t *changes, const char *name, json_t **out,
                       int64_t *id, Err *e);
/* Saved scenarios of an item (0 = all), newest first, with their
 * summaries; one scenario with its result. */
int policy_scenarios_list(Db *db, const Actor *a, int64_t item_id,
                          json_t **items, Err *e);
int policy_scenario_get(Db *db, const Actor *a, int64_t id, json_t **out,
                        Err *e);

/* Demo data: budgets, a year of applications, notices, payments. */
int policy_demo(Db *db, const Actor *a, int year, Err *e);

#endif
