/* elig_map.h - the pieces of the library-to-rule-input mapping that more
 * than one reader uses: elig.c (one enterprise) and snapshot.c (the whole
 * library in set-based scans) read the same enterprise_facts columns and
 * must decide them the same way, so both call elig_fact_row(). */
#ifndef KC_DOMAIN_ELIG_MAP_H
#define KC_DOMAIN_ELIG_MAP_H

#include <stdint.h>

#include "base/date.h"
#include "db/db.h"
#include "rules/rules.h"

/* Three-state flag while reading facts: a yes wins; an undecidable record
 * (no rank, no amount) makes the field missing unless a yes exists. */
typedef struct EligTri {
    int yes;
    int unknown;
} EligTri;

/* What an enterprise's facts say at an as-of date (zero-initialise, then
 * feed every fact row). */
typedef struct EligFacts {
    EligTri n3_5y, n3_3y, n5_3y, p3_3y, m500, m50;
    int award_3y, award_ever, rd_inst, rd_any, led, joined, sw, swp;
    int comp, pe, proj, abnormal, serious, dishonest, incident;
    int incident_1y, abnormal_py, serious_py;
    int has_vc, vc_unknown;
    int64_t vc_max;
} EligFacts;

/* as_of moved back n calendar years (29 February becomes 28 February). */
Date elig_years_before(Date as_of, int n);

/* A text column as a Date; 0 when NULL or unparsable (*d untouched). */
int elig_col_date(DbStmt *st, int col, Date *d);

/* One ip_rights row as the rules count it, from columns col .. col + 7:
 * klass, status, granted_on, expires_on, acquisition, acquired_on,
 * main_product, hnte_year. A right is valid at as_of when its status is
 * valid, it was granted and acquired on or before as_of (expiry is the
 * engine's); a blank grant date or 用于主要产品 is not known (-1), never a
 * yes or a no. */
void elig_ip_row(DbStmt *st, int col, Date as_of, RuleIpRight *r);

/* elig_ip_row() in two steps, for readers that keep the rows and count
 * them again at other dates (the snapshot): the columns as read, and the
 * right they make at as_of. */
typedef struct EligIpRaw {
    Date granted_on, expires_on, acquired_on; /* expires_on DATE_MAX: none */
    int32_t klass, hnte_year;                 /* hnte_year 0: none */
    int8_t status_valid, has_granted, acquired, has_acquired_on;
    int8_t main_product; /* -1: not known */
    int8_t pad[3];
} EligIpRaw;
void elig_ip_raw(DbStmt *st, int col, EligIpRaw *x);
void elig_ip_at(const EligIpRaw *x, Date as_of, RuleIpRight *r);

/* Fold one enterprise_facts row into f. The row's columns start at col:
 * kind, subkind, level, rank, amount, title, counterparty, occurred_on,
 * valid_from, valid_to. Windows: "近N年" = occurred on a day in
 * [as_of - N years, as_of]; "valid at as_of" = started (valid_from, else
 * occurred_on) on or before as_of and valid_to absent or not before it;
 * "上一年及当年" = [1 January of as_of's year - 1, as_of]: an act (or
 * incident) dated there (occurred_on, else valid_from), or a listing whose
 * period meets it. */
void elig_fact_row(DbStmt *st, int col, Date as_of, EligFacts *f);

/* elig_fact_row() in two steps (as EligIpRaw): the columns a rule reads,
 * coded, and their folding into f at as_of. */
typedef struct EligFactRaw {
    int64_t rank, amount;
    Date occ, from, to;
    int8_t present, kind, sub, national, provincial, maker;
    int8_t has_rank, has_amount, has_occ, has_from, has_to;
    int8_t pad[1];
} EligFactRaw;
void elig_fact_raw(DbStmt *st, int col, EligFactRaw *x);
void elig_fact_at(const EligFactRaw *x, Date as_of, EligFacts *f);

#endif
