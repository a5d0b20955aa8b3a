/* contract.h - registered technology contracts (技术合同认定登记):
 * the type table, validation, registration, amendment, cancellation and
 * 未予登记 as events, lists and the link of parties to the enterprise
 * library. Uses base, db and the enterprise library's tables (read only).
 *
 * The contract row is the current view; contract_events is append-only and
 * every write appends one event and updates the row in the same
 * transaction, together with its audit entry. Money is int64 元. Data
 * scope: a contract belongs to its seller's unit (the matched enterprise's
 * unit, else the district root). Notes: docs/internals/market.md. */
#ifndef KC_DOMAIN_MARKET_CONTRACT_H
#define KC_DOMAIN_MARKET_CONTRACT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* Amounts above this need an explicit confirmation (10 亿元). */
#define CONTRACT_LARGE_YUAN ((int64_t)1000000000)
/* Most characters of free text fields. */
#define CONTRACT_TITLE_MAX 200
#define CONTRACT_NAME_MAX 100
#define CONTRACT_OFFICE_MAX 100
#define CONTRACT_REASON_MAX 500
#define CONTRACT_REGNO_MAX 32
#define CONTRACT_Q_MAX 100      /* characters of a search */
#define CONTRACT_FIELD_COUNT 11 /* 技术领域 1..11 */
/* Rows one export may hold. */
#define CONTRACT_EXPORT_MAX 200000

/* ---- the type table (criteria.md §5.2): ONE table, served to the UI ---- */

typedef struct ContractSubtype {
    const char *code;
    const char *name;
} ContractSubtype;

typedef struct ContractType {
    const char *code; /* KF ZR XK ZX FW */
    const char *name; /* 技术开发合同 ... */
    const ContractSubtype *subs;
    size_t n_subs;
} ContractType;

/* The type whose code or name is s, or NULL. */
const ContractType *contract_type_find(const char *s);

/* Sub-type of t whose code or name is s, or NULL. */
const ContractSubtype *contract_subtype_find(const ContractType *t,
                                             const char *s);

/* Map a type label of a pre-2021 record (合同法 1999: 技术开发 / 技术转让 /
 * 技术转让（专利实施许可）/ 技术咨询 / 技术服务 / 技术培训 / 技术中介 ...)
 * to the 民法典 type and sub-type. 0 when mapped, ERR_INVALID when not. */
int contract_type_from_legacy(const char *label, const ContractType **t,
                              const ContractSubtype **sub, Err *e);

/* zh-CN name of a place code (district tianjin domestic abroad), status
 * code (registered cancelled rejected), 技术领域 1..11, IP kind code, or
 * NULL. */
const char *contract_place_name(const char *code);
const char *contract_status_name(const char *code);
const char *contract_field_name(int64_t field);
const char *contract_ip_name(const char *code);

/* Resolve a place (code or zh-CN name), a 技术领域 (number or name) and an
 * IP kind (code or name); NULL when unknown. */
const char *contract_place_code(const char *s);
int64_t contract_field_code(const char *s); /* 0 when unknown */
const char *contract_ip_code(const char *s);

/* {types: [{code, name, subtypes: [{code, name}]}], legacy: [{label, type,
 * subtype}], places, statuses, fields, ip_kinds, event_kinds, large_wan,
 * record_fields: [{value, label, money}] (the names of contract_key_name)}
 * — new reference. */
json_t *contract_reference_json(void);

/* zh-CN name of a contract record field ("seller_uscc" ->
 * "卖方统一社会信用代码"), or NULL. */
const char *contract_key_name(const char *key);

/* ---- validation ---- */

/* A contract as written by a user or an import (text as given). */
typedef struct ContractInput {
    const char *reg_no, *title, *type, *subtype, *legacy_type;
    const char *seller_uscc, *seller_name, *seller_region, *seller_place;
    const char *buyer_uscc, *buyer_name, *buyer_region, *buyer_place;
    int has_amount, has_tech_amount;
    int64_t amount, tech_amount; /* 元 */
    const char *signed_on, *registered_on, *valid_from, *valid_to;
    int64_t field; /* 0 = none */
    const char *ip_kind, *office;
    int rejected;      /* create as 未予登记 */
    int confirm_large; /* amounts above CONTRACT_LARGE_YUAN confirmed */
} ContractInput;

/* A checked contract: codes, dates and USCCs normalised into the arrays,
 * free text borrowed from the input. */
typedef struct ContractRec {
    char reg_no[CONTRACT_REGNO_MAX + 1];
    const char *title;
    const char *type, *subtype, *legacy_type;
    char seller_uscc[19], buyer_uscc[19];
    const char *seller_name, *buyer_name;
    char seller_region[8], buyer_region[8];
    const char *seller_place, *buyer_place; /* NULL: derive */
    int64_t amount, tech_amount;
    char signed_on[11], registered_on[11], valid_from[11], valid_to[11];
    int64_t field;
    const char *ip_kind, *office;
    int rejected;
    int large; /* an amount is above CONTRACT_LARGE_YUAN */
} ContractRec;

/* Check in (everything that needs no database) into out. ERR_INVALID
 * with the field named (reg_no, type, seller_uscc, tech_amount_wan,
 * registered_on ...) and a zh-CN message. An amount above 10 亿元 without
 * confirm_large is ERR_INVALID naming amount_wan ("需确认"). */
int contract_check(const ContractInput *in, ContractRec *out, Err *e);

/* Check a registration number: digits only must be 14 or 16 long (the
 * 1990s and 2000s forms, §5.6); otherwise letters, digits and "-" up to
 * CONTRACT_REGNO_MAX (the national system's form is not known). Trimmed
 * and upper-cased into out. */
int contract_regno_check(const char *s, char out[CONTRACT_REGNO_MAX + 1],
                         Err *e);

/* ---- writes: one transaction each with the audit entry ---- */

/* Register a new contract (event "register", or "reject" for 未予登记).
 * ERR_CONFLICT when reg_no exists. A street user may only register
 * contracts whose seller is an enterprise of its unit. */
int contract_create(Db *db, const Actor *a, const ContractInput *in,
                    int64_t *id_out, Err *e);

/* Amend contract id with the full new content in (reg_no must stay):
 * event "amend" with the changed fields before and after; nothing
 * changed is ERR_INVALID. Only registered contracts are amended. */
int contract_amend(Db *db, const Actor *a, int64_t id, const ContractInput *in,
                   const char *reason, Err *e);

/* 注销 (event "cancel"): the contract leaves the statistics. on_date
 * "YYYY-MM-DD" (NULL: today), reason required. */
int contract_cancel(Db *db, const Actor *a, int64_t id, const char *on_date,
                    const char *reason, Err *e);

/* The same without a transaction or audit entry, for the importer (which
 * holds the transaction and audits once): create or amend by reg_no.
 * *outcome: 1 inserted, 2 amended, 0 unchanged. src_ref: the import. */
int contract_upsert_tx(Db *db, const Actor *a, const ContractRec *r,
                       int64_t src_ref, int *outcome, Err *e);

/* The party matches (by USCC or name) and unit paths one transaction has
 * looked up, for an import's many rows (the enterprises and units do not
 * change inside it). At most CONTRACT_MEMO_MAX entries; past it, lookups
 * go to the database. */
#define CONTRACT_MEMO_MAX 200000
typedef struct ContractMemo ContractMemo;
ContractMemo *contract_memo_new(void);
void contract_memo_free(ContractMemo *m);

/* contract_upsert_tx with the lookups kept in m (NULL: none). */
int contract_upsert_memo(Db *db, const Actor *a, const ContractRec *r,
                         int64_t src_ref, ContractMemo *m, int *outcome,
                         Err *e);

/* Re-link the parties of every contract in a's scope to the library
 * (after enterprises were added or renamed); *n_linked gets how many
 * parties changed. One transaction with its audit entry. */
int contract_relink(Db *db, const Actor *a, int64_t *n_linked, Err *e);

/* ---- reads ---- */

/* One contract with its events and party links; ERR_NOTFOUND outside a's
 * scope. Caller decrefs. */
int contract_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* Filters of the list, the export and the statistics' drill-down; zero /
 * NULL members do not filter. */
typedef struct ContractFilter {
    const char *q;      /* reg_no, title or a party's name contains */
    const char *type;   /* type code */
    const char *status; /* registered (default for stats) cancelled ... */
    int64_t field;      /* -1: not filled in */
    int64_t unit_id;    /* seller's unit and below */
    const char *from;   /* registered_on >= */
    const char *to;     /* registered_on <= */
    const char *month;  /* "YYYY-MM" */
    const char *buyer_place;
    const char *seller_place;
    int64_t ent_id;   /* seller or buyer is this enterprise */
    int unmatched;    /* a party has no enterprise (1 seller, 2 buyer, 3 any) */
    const char *sort; /* reg_no registered_on amount ... ("-" desc) */
} ContractFilter;

/* Validate the filter (ERR_INVALID naming the parameter). */
int contract_filter_check(const ContractFilter *f, Err *e);

/* One page of contracts in a's scope; *items a new array. */
int contract_list(Db *db, const Actor *a, const ContractFilter *f,
                  int64_t offset, int64_t limit, json_t **items, int64_t *total,
                  Err *e);

/* Columns of the export (also the import template's titles). */
#define CONTRACT_EXPORT_COLS 24
extern const char *const contract_export_titles[CONTRACT_EXPORT_COLS];
/* 1 for money columns (万元), 2 dates, 0 text. */
extern const unsigned char contract_export_kinds[CONTRACT_EXPORT_COLS];

/* Call fn with the cells of each contract of the list (no paging);
 * ERR_TOOBIG when more than CONTRACT_EXPORT_MAX match. */
typedef int (*ContractRowFn)(void *ud, const char *const *cells, Err *e);
int contract_export(Db *db, const Actor *a, const ContractFilter *f,
                    ContractRowFn fn, void *ud, Err *e);

/* Parties without an enterprise of the library, grouped by USCC / name,
 * with the number of contracts and the total 成交额. */
int contract_unmatched(Db *db, const Actor *a, int64_t offset, int64_t limit,
                       json_t **items, int64_t *total, Err *e);

#endif
