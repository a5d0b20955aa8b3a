/* ip.h - intellectual property rights of enterprises.
 *
 * IP types and their class (Ⅰ/Ⅱ) follow 国科发火〔2016〕195号 and the 科技型
 * 中小企业 评价指标说明 (国科发政〔2017〕115号): Ⅰ类 = 发明专利（含国防
 * 专利）、植物新品种、国家级农作物品种、国家新药、国家一级中药保护品种、集成电路
 * 布图设计专有权; Ⅱ类 = 实用新型专利、外观设计专利、软件著作权. The class is
 * derived from the type, never entered. 国防专利 is a flag on invention
 * patents, so a rule set can include or exclude them. Static tables;
 * nothing here allocates. */
#ifndef KC_DOMAIN_IP_H
#define KC_DOMAIN_IP_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/library/ent.h"

typedef struct IpKind {
    const char *code; /* stored in ip_rights.kind */
    const char *name; /* zh-CN */
    int klass;        /* 1 = Ⅰ类, 2 = Ⅱ类 */
    int term_years;   /* legal protection from filing/grant, 0 = n/a */
} IpKind;

/* The type with this code, or NULL. */
const IpKind *ip_kind_find(const char *code);

/* All types (for forms and templates). */
const IpKind *ip_kinds(int *n);

/* Status codes: valid 有效, lapsed 失效, transferred 已转让. Acquisition:
 * self 自主研发, acquired 受让/受赠/并购. NULL when unknown. */
const char *ip_status_name(const char *code);
const char *ip_acquisition_name(const char *code);

/* Class of a type code (1 or 2), or 0 when the code is unknown. */
int ip_class_of(const char *code);

#define IP_NUMBER_MAX 64 /* characters */
#define IP_TITLE_MAX 200 /* characters */

/* Fields of a new IP right. Dates are text in any form date_parse takes;
 * NULL or "" = unknown. When expires_on is empty and the type has a legal
 * term, the expiry is derived from applied_on (applied + term - 1 day). */
typedef struct IpInput {
    const char *kind;
    int defense; /* 国防专利 (invention patents only) */
    const char *number;
    const char *title;
    const char *applied_on;
    const char *granted_on;
    const char *expires_on;
    const char *status;      /* NULL = "valid" */
    const char *acquisition; /* NULL = "self" */
    const char *acquired_on;
    int main_product; /* 用于主要产品: 1 是, 0 否, -1 not known (stored NULL) */
    int64_t hnte_year; /* 0 = not used in a 高企 application */
} IpInput;

/* Add an IP right to an enterprise in a's scope ("ip.create", audited
 * under the enterprise). ERR_CONFLICT naming "number" when the enterprise
 * already has a right of that type and number. */
int ip_create(Db *db, const Actor *a, int64_t enterprise_id, const IpInput *in,
              const EntSource *src, int64_t *id_out, Err *e);

/* Replace the fields of right id of enterprise enterprise_id with in (the
 * same rules as ip_create; "ip.update", audited under the enterprise with
 * the values before and after). The edit is the user's: provenance
 * becomes user-entered, unverified. ERR_NOTFOUND when the right is not
 * that enterprise's or out of scope; ERR_CONFLICT when it is retired or
 * another right has the same type and number. */
int ip_update(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
              const IpInput *in, Err *e);

/* Retire right id of enterprise enterprise_id with a reason ("ip.retire");
 * ERR_NOTFOUND when the right is not that enterprise's or out of scope. */
int ip_retire(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
              const char *reason, Err *e);

/* The rights of an enterprise in a's scope, newest application first, each
 * with its type name, class and "counts_valid" (status valid, not retired,
 * not expired today). *items: new array, caller decrefs. */
int ip_list(Db *db, const Actor *a, int64_t enterprise_id, int include_retired,
            json_t **items, Err *e);

#endif
