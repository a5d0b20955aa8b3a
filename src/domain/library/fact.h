/* fact.h - dated facts about enterprises (enterprise_facts): awards,
 * recognised R&D institutions, standards led, competition prizes, venture
 * financing rounds, science-plan projects, software certificates, credit
 * flags and incidents. Each kind lists the subkinds it accepts and whether
 * it carries a level. Static tables; nothing here allocates. */
#ifndef KC_DOMAIN_FACT_H
#define KC_DOMAIN_FACT_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/library/ent.h"

typedef struct FactKind {
    const char *code;            /* enterprise_facts.kind */
    const char *name;            /* zh-CN */
    const char *const *subkinds; /* NULL-terminated codes, NULL = none */
    int has_level;               /* uses FACT levels */
} FactKind;

/* The kind with this code, or NULL. */
const FactKind *fact_kind_find(const char *code);

/* zh-CN name of a subkind code of any kind ("abnormal_operation" ->
 * "经营异常名录"), or NULL. */
const char *fact_subkind_name(const char *code);

/* Does kind k accept subkind code s? */
int fact_subkind_valid(const FactKind *k, const char *s);

/* Levels: national 国家级, provincial 省部级, municipal 市级, district
 * 区级, international 国际. NULL when unknown. */
const char *fact_level_name(const char *code);

#define FACT_TEXT_MAX 200 /* characters of counterparty, title, number */
#define FACT_NOTE_MAX 1000

/* Fields of a new fact. Dates in any form date_parse takes; at least one
 * of occurred_on and valid_from is required. amount in 元 (0 = none),
 * rank among the units (0 = none). */
typedef struct FactInput {
    const char *kind;
    const char *subkind; /* required when the kind has subkinds */
    const char *level;   /* required when the kind has levels */
    int64_t rank;
    int64_t amount;
    const char *counterparty;
    const char *title;
    const char *number;
    const char *occurred_on;
    const char *valid_from;
    const char *valid_to;
    const char *note;
} FactInput;

/* Add a fact to an enterprise in a's scope ("fact.create", audited under
 * the enterprise). */
int fact_create(Db *db, const Actor *a, int64_t enterprise_id,
                const FactInput *in, const EntSource *src, int64_t *id_out,
                Err *e);

/* Replace the fields of fact id of enterprise enterprise_id with in (the
 * same rules as fact_create; "fact.update", audited under the enterprise
 * with the values before and after; provenance becomes user-entered,
 * unverified). ERR_NOTFOUND when the fact is not that enterprise's or out
 * of scope; ERR_CONFLICT when it is retired. */
int fact_update(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                const FactInput *in, Err *e);

/* Retire fact id of enterprise enterprise_id with a reason
 * ("fact.retire"); ERR_NOTFOUND when it is not that enterprise's or out of
 * scope. */
int fact_retire(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                const char *reason, Err *e);

/* Facts of an enterprise in a's scope (kind NULL = all), newest first.
 * *items: new array, caller decrefs. */
int fact_list(Db *db, const Actor *a, int64_t enterprise_id, const char *kind,
              int include_retired, json_t **items, Err *e);

#endif
