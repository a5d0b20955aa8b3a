/* elig.c - one enterprise's library data as a rule input, and the walk
 * over the library (see elig.h; the mapping is documented field by field
 * in docs/internals/eligibility.md, which this file must match). */
#include "domain/eligibility/elig.h"
#include "domain/eligibility/elig_map.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "domain/carrier/platform.h"
#include "domain/eligibility/catalogue.h"
#include "domain/qual/qual.h"
#include "rules/ast.h" /* UN_* units of catalogue fields */
#include "rules/field.h"

#define ELIG_IP_MAX 100000 /* IP rights read per enterprise */

/* Prepared statements of one loader, reused across enterprises. */
typedef struct Loader {
    Db *db;
    DbStmt *rec;
    DbStmt *years;
    DbStmt *ip;
    DbStmt *facts;
    DbStmt *decl;
    RuleIpRight *ips;
    int ip_cap;
    int64_t cat_n; /* entries of the industry catalogue (0: no lookup) */
} Loader;

/* Field ids, looked up once (the catalogue is static). */
typedef struct Ids {
    int yearly[15];
    int established, tech_domain, listed, resident, tianjin;
    int award_n3_5y, award_n3_3y, award_n5_3y, award_p3_3y, award_3y,
        award_ever;
    int rd_inst, rd_inst_any, led_std, joined_std, sw_cert, sw_prod;
    int competition, maker500, maker50, vc_max, private_equity, sci_project;
    int abnormal, serious, dishonest, incident;
    int incident_1y, abnormal_py, serious_py;
    int hnte_cert, innovation_honor, ip1, ip1_high, ip1_applied;
} Ids;

/* enterprise_years columns in the order of the yearly catalogue. */
static const char *const year_cols[15] = {
    "employees",     "tech_staff",       "rd_staff",      "sales_revenue",
    "total_revenue", "main_revenue",     "hitech_income", "rd_expense",
    "rd_domestic",   "total_cost",       "total_assets",  "total_liabilities",
    "net_profit",    "equity_financing", "tax_paid"};

static Ids ids;
static pthread_once_t ids_once = PTHREAD_ONCE_INIT;

/* Fill the id table once per process (the catalogue never changes). */
static void ids_fill(void)
{
    for (int i = 0; i < 15; i++) {
        ids.yearly[i] = rule_field_find(year_cols[i]);
    }
    ids.established = rule_field_find("established");
    ids.tech_domain = rule_field_find("tech_domain");
    ids.listed = rule_field_find("listed");
    ids.resident = rule_field_find("resident");
    ids.tianjin = rule_field_find("tianjin");
    ids.award_n3_5y = rule_field_find("award_national_top3_5y");
    ids.award_n3_3y = rule_field_find("award_national_top3_3y");
    ids.award_n5_3y = rule_field_find("award_national_top5_3y");
    ids.award_p3_3y = rule_field_find("award_provincial_top3_3y");
    ids.award_3y = rule_field_find("award_3y");
    ids.award_ever = rule_field_find("award_ever");
    ids.rd_inst = rule_field_find("rd_institution");
    ids.rd_inst_any = rule_field_find("rd_institution_any");
    ids.led_std = rule_field_find("led_standard_5y");
    ids.joined_std = rule_field_find("joined_standard");
    ids.sw_cert = rule_field_find("software_cert");
    ids.sw_prod = rule_field_find("software_product_cert");
    ids.competition = rule_field_find("competition_award");
    ids.maker500 = rule_field_find("maker_top500_3y");
    ids.maker50 = rule_field_find("maker_top50_3y");
    ids.vc_max = rule_field_find("vc_single_max");
    ids.private_equity = rule_field_find("private_equity");
    ids.sci_project = rule_field_find("sci_project");
    ids.abnormal = rule_field_find("abnormal_list");
    ids.serious = rule_field_find("serious_illegal");
    ids.dishonest = rule_field_find("dishonest");
    ids.incident = rule_field_find("incident");
    ids.incident_1y = rule_field_find("incident_1y");
    ids.abnormal_py = rule_field_find("abnormal_list_py");
    ids.serious_py = rule_field_find("serious_illegal_py");
    ids.hnte_cert = rule_field_find("hnte_cert");
    ids.innovation_honor = rule_field_find("innovation_honor");
    ids.ip1 = rule_field_find("ip1");
    ids.ip1_high = rule_field_find("ip1_high");
    ids.ip1_applied = rule_field_find("ip1_applied");
}

/* Server threads explain enterprises concurrently: fill under pthread_once. */
static void ids_init(void)
{
    pthread_once(&ids_once, ids_fill);
}

int elig_year(Date as_of)
{
    int y, m, d;

    date_to_ymd(as_of, &y, &m, &d);
    return y;
}

Date elig_years_before(Date as_of, int n)
{
    int y, m, d;
    Date out;

    date_to_ymd(as_of, &y, &m, &d);
    if (m == 2 && d == 29 && !date_is_leap(y - n)) {
        d = 28;
    }
    if (date_from_ymd(y - n, m, d, &out, NULL, NULL) != 0) {
        return DATE_MIN;
    }
    return out;
}

int elig_col_date(DbStmt *st, int col, Date *d)
{
    const char *s = db_col_text(st, col);

    return s && *s && date_parse(s, d, NULL, NULL) == 0;
}

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

void elig_ip_raw(DbStmt *st, int col, EligIpRaw *x)
{
    memset(x, 0, sizeof *x);
    x->klass = (int32_t)db_col_int64(st, col);
    x->status_valid = streq(db_col_text(st, col + 1), "valid");
    x->has_granted = (int8_t)elig_col_date(st, col + 2, &x->granted_on);
    x->expires_on = DATE_MAX;
    elig_col_date(st, col + 3, &x->expires_on);
    x->acquired = streq(db_col_text(st, col + 4), "acquired");
    x->has_acquired_on = (int8_t)elig_col_date(st, col + 5, &x->acquired_on);
    x->main_product =
        db_col_is_null(st, col + 6) ? -1 : db_col_int64(st, col + 6) != 0;
    x->hnte_year =
        db_col_is_null(st, col + 7) ? 0 : (int32_t)db_col_int64(st, col + 7);
}

void elig_ip_at(const EligIpRaw *x, Date as_of, RuleIpRight *r)
{
    memset(r, 0, sizeof *r);
    r->klass = x->klass;
    /* a right in force with no grant date may have been granted after
     * as_of: not known (a blank is never a yes) */
    r->valid = (int)x->status_valid;
    if (r->valid && !x->has_granted) {
        r->valid = -1;
    } else if (r->valid && x->granted_on > as_of) {
        r->valid = 0;
    }
    r->expires_on = x->expires_on;
    r->acquired = (int)x->acquired;
    if (x->has_acquired_on && x->acquired_on > as_of) {
        r->valid = 0;
    }
    r->main_product = (int)x->main_product;
    r->hnte_year = x->hnte_year;
    if (r->hnte_year > elig_year(as_of)) {
        r->hnte_year = 0; /* a later application did not use it yet */
    }
}

void elig_ip_row(DbStmt *st, int col, Date as_of, RuleIpRight *r)
{
    EligIpRaw x;

    elig_ip_raw(st, col, &x);
    elig_ip_at(&x, as_of, r);
}

static void tri_put(RuleInput *in, int field, const EligTri *t)
{
    if (t->yes) {
        rule_input_set(in, field, 1, NULL);
    } else if (t->unknown) {
        rule_input_unset(in, field);
    } else {
        rule_input_set(in, field, 0, NULL);
    }
}

/* Rank within n: 1 yes, 0 no, -1 unknown (no rank recorded). */
static void tri_rank(EligTri *t, int r)
{
    if (r > 0) {
        t->yes = 1;
    } else if (r < 0) {
        t->unknown = 1;
    }
}

static void loader_close(Loader *l)
{
    db_finalize(l->rec);
    db_finalize(l->years);
    db_finalize(l->ip);
    db_finalize(l->facts);
    db_finalize(l->decl);
    free(l->ips);
    memset(l, 0, sizeof *l);
}

/* Prepare the statements a loader uses. */
static int loader_open(Loader *l, Db *db, Err *e)
{
    int rc;

    memset(l, 0, sizeof *l);
    l->db = db;
    rc = db_prepare(db,
                    "SELECT uscc, established_on, tech_domain, listing_status "
                    "FROM enterprises WHERE id = $1",
                    &l->rec, e);
    if (rc == 0) {
        rc = db_prepare(db,
                        "SELECT year, employees, tech_staff, rd_staff, "
                        "sales_revenue, total_revenue, main_revenue, "
                        "hitech_income, rd_expense, rd_domestic, total_cost, "
                        "total_assets, total_liabilities, net_profit, "
                        "equity_financing, tax_paid FROM enterprise_years "
                        "WHERE enterprise_id = $1 AND year BETWEEN $2 AND $3",
                        &l->years, e);
    }
    if (rc == 0) {
        rc = db_prepare(db,
                        "SELECT klass, status, granted_on, expires_on, "
                        "acquisition, acquired_on, main_product, hnte_year "
                        "FROM ip_rights WHERE enterprise_id = $1 AND "
                        "retired_at IS NULL ORDER BY id",
                        &l->ip, e);
    }
    if (rc == 0) {
        rc = db_prepare(
            db,
            "SELECT kind, subkind, level, rank, amount, title, "
            "counterparty, occurred_on, valid_from, valid_to "
            "FROM enterprise_facts WHERE enterprise_id = $1 AND "
            "retired_at IS NULL UNION ALL SELECT " PLATFORM_RD_FACT_COLS
            " FROM platforms WHERE "
            "host_enterprise_id = $1 AND " PLATFORM_RD_FACT_WHERE,
            &l->facts, e);
    }
    if (rc == 0) {
        rc = db_prepare(db,
                        "SELECT field, year, value, valid_from, valid_to FROM "
                        "enterprise_declarations WHERE enterprise_id = $1",
                        &l->decl, e);
    }
    if (rc == 0) {
        rc = db_query_int64(db, &l->cat_n, e,
                            "SELECT COUNT(*) FROM industry_catalogue", "");
    }
    if (rc) {
        loader_close(l);
    }
    return rc;
}

/* tianjin / resident from the USCC: position 1 is the registering
 * authority (9 = market regulation), 2 the entity type (1 = enterprise),
 * 3-8 the administrative division (12xxxx = Tianjin). A USCC issued by
 * market regulation to an enterprise is a domestic legal-person
 * registration, hence resident; other codes stay missing. */
static void map_uscc(RuleInput *in, const char *uscc)
{
    int enterprise;

    if (!uscc || strlen(uscc) != 18) {
        return;
    }
    enterprise = uscc[0] == '9' && uscc[1] == '1';
    if (enterprise) {
        rule_input_set(in, ids.resident, 1, NULL);
    }
    if (uscc[2] != '1' || uscc[3] != '2') {
        rule_input_set(in, ids.tianjin, 0, NULL);
    } else if (enterprise) {
        rule_input_set(in, ids.tianjin, 1, NULL);
    }
}

/* The enterprise record: established, tech_domain, listed, USCC flags. */
static int load_record(Loader *l, int64_t id, RuleInput *in, Err *e)
{
    DbStmt *st = l->rec;
    Date d;
    int rc;

    db_reset(st);
    db_bind_int64(st, 1, id);
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        return err_set(e, ERR_NOTFOUND, "enterprise_id", "企业不存在");
    }
    if (rc != DB_ROW) {
        return rc;
    }
    map_uscc(in, db_col_text(st, 0));
    if (elig_col_date(st, 1, &d)) {
        rule_input_set(in, ids.established, d, NULL);
    }
    if (!db_col_is_null(st, 2)) {
        rule_input_set(in, ids.tech_domain, db_col_int64(st, 2), NULL);
    }
    rule_input_set(in, ids.listed, streq(db_col_text(st, 3), "listed"), NULL);
    db_reset(st);
    return 0;
}

/* Yearly figures of the eight years up to the evaluation year. */
static int load_years(Loader *l, int64_t id, RuleInput *in, Err *e)
{
    DbStmt *st = l->years;
    int year = rule_input_year(in);
    int rc;

    db_reset(st);
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, year - (RULE_YEARS - 1));
    db_bind_int64(st, 3, year);
    while ((rc = db_step(st, e)) == DB_ROW) {
        int y = (int)db_col_int64(st, 0);

        for (int i = 0; i < 15; i++) {
            if (!db_col_is_null(st, i + 1)) {
                rule_input_set_year(in, ids.yearly[i], y,
                                    db_col_int64(st, i + 1), NULL);
            }
        }
    }
    db_reset(st);
    return rc == DB_DONE ? 0 : rc;
}

/* IP rights -> RuleIpRight list (elig_ip_row) -> rule_input_count_ip. */
static int load_ip(Loader *l, int64_t id, RuleInput *in, Date as_of, Err *e)
{
    DbStmt *st = l->ip;
    int n = 0, rc;

    db_reset(st);
    db_bind_int64(st, 1, id);
    while ((rc = db_step(st, e)) == DB_ROW) {
        RuleIpRight *r;

        if (n == ELIG_IP_MAX) {
            continue;
        }
        if (n == l->ip_cap) {
            l->ip_cap = l->ip_cap ? l->ip_cap * 2 : 64;
            l->ips = xrealloc(l->ips, sizeof *l->ips * (size_t)l->ip_cap);
        }
        r = &l->ips[n++];
        elig_ip_row(st, 0, as_of, r);
    }
    db_reset(st);
    if (rc != DB_DONE) {
        return rc;
    }
    rule_input_count_ip(in, l->ips, n);
    return 0;
}

/* 1 January of the year before as_of's: the start of "上一年及当年". */
static Date py_start(Date as_of)
{
    Date start;

    if (date_from_ymd(elig_year(as_of) - 1, 1, 1, &start, NULL, NULL) != 0) {
        return DATE_MIN;
    }
    return start;
}

/* Kinds and sub-kinds of enterprise_facts a rule reads (others: 0). */
enum {
    FK_AWARD = 1,
    FK_RD_INST,
    FK_STANDARD,
    FK_SOFTWARE,
    FK_COMPETITION,
    FK_FINANCING,
    FK_PROJECT,
    FK_CREDIT,
    FK_INCIDENT
};
enum {
    FS_INTERNATIONAL = 1,
    FS_NATIONAL,
    FS_INDUSTRY,
    FS_SW_ENTERPRISE,
    FS_SW_PRODUCT,
    FS_EXCELLENT,
    FS_ABNORMAL,
    FS_SERIOUS,
    FS_MISCONDUCT
};

static int8_t code_of(const char *t, const char *const *names, int n)
{
    for (int i = 0; t && i < n; i++) {
        if (strcmp(t, names[i]) == 0) {
            return (int8_t)(i + 1);
        }
    }
    return 0;
}

void elig_fact_raw(DbStmt *st, int col, EligFactRaw *x)
{
    static const char *const kinds[] = {
        "award",         "rd_institution", "standard",
        "software_cert", "competition",    "financing",
        "project",       "credit_flag",    "incident"};
    static const char *const subs[] = {
        "international",       "national",         "industry",
        "software_enterprise", "software_product", "excellent",
        "abnormal_operation",  "serious_illegal",  "research_misconduct"};
    const char *level = db_col_text(st, col + 2);
    const char *title = db_col_text(st, col + 5);
    const char *party = db_col_text(st, col + 6);

    memset(x, 0, sizeof *x);
    x->present = db_col_text(st, col) != NULL;
    x->kind = code_of(db_col_text(st, col), kinds, 9);
    x->sub = code_of(db_col_text(st, col + 1), subs, 9);
    x->national = streq(level, "national");
    x->provincial = streq(level, "provincial");
    x->has_rank = !db_col_is_null(st, col + 3);
    x->rank = x->has_rank ? db_col_int64(st, col + 3) : 0;
    x->has_amount = !db_col_is_null(st, col + 4);
    x->amount = x->has_amount ? db_col_int64(st, col + 4) : 0;
    x->maker = (title && strstr(title, "创客中国")) ||
               (party && strstr(party, "创客中国"));
    x->has_occ = (int8_t)elig_col_date(st, col + 7, &x->occ);
    x->has_from = (int8_t)elig_col_date(st, col + 8, &x->from);
    x->has_to = (int8_t)elig_col_date(st, col + 9, &x->to);
}

/* 1 when the row's rank is within n, 0 when not, -1 when not known. */
static int raw_rank_within(const EligFactRaw *x, int64_t n)
{
    return x->has_rank ? x->rank <= n : -1;
}

void elig_fact_at(const EligFactRaw *x, Date as_of, EligFacts *f)
{
    Date occ = x->occ, from = x->from, to = x->to, when;
    int has_occ = (int)x->has_occ, has_from = (int)x->has_from,
        has_to = (int)x->has_to;
    int has_when, active, in3, in5, ever;
    int national = (int)x->national, provincial = (int)x->provincial;
    int sub = (int)x->sub;

    when = has_occ ? occ : from;
    has_when = has_occ || has_from;
    active = (!has_when || when <= as_of) && (!has_from || from <= as_of) &&
             (!has_to || to >= as_of);
    ever = has_when && when <= as_of;
    in5 = ever && when >= elig_years_before(as_of, 5);
    in3 = ever && when >= elig_years_before(as_of, 3);
    if (!x->present) {
        return;
    }
    if (x->kind == FK_AWARD) {
        if (national && in5) {
            tri_rank(&f->n3_5y, raw_rank_within(x, 3));
        }
        if (national && in3) {
            tri_rank(&f->n3_3y, raw_rank_within(x, 3));
            tri_rank(&f->n5_3y, raw_rank_within(x, 5));
        }
        if (provincial && in3) {
            tri_rank(&f->p3_3y, raw_rank_within(x, 3));
        }
        f->award_3y |= (national || provincial) && in3;
        f->award_ever |= (national || provincial) && ever;
    } else if (x->kind == FK_RD_INST) {
        f->rd_inst |= (national || provincial) && active;
        f->rd_any |= active;
    } else if (x->kind == FK_STANDARD) {
        f->led |= in5 && (sub == FS_INTERNATIONAL || sub == FS_NATIONAL ||
                          sub == FS_INDUSTRY);
        f->joined |= ever;
    } else if (x->kind == FK_SOFTWARE) {
        f->sw |= active && sub == FS_SW_ENTERPRISE;
        f->swp |= active && sub == FS_SW_PRODUCT;
    } else if (x->kind == FK_COMPETITION) {
        f->comp |= ever && (national || (provincial && sub != FS_EXCELLENT));
        if (x->maker && national && in3) {
            int r500 = raw_rank_within(x, 500);

            tri_rank(&f->m500, r500 < 0 ? 1 : r500);
            tri_rank(&f->m50, raw_rank_within(x, 50));
        }
    } else if (x->kind == FK_FINANCING) {
        if (ever) {
            f->pe = 1;
            if (!x->has_amount) {
                f->vc_unknown = 1;
            } else if (!f->has_vc || x->amount > f->vc_max) {
                f->vc_max = x->amount;
                f->has_vc = 1;
            }
        }
    } else if (x->kind == FK_PROJECT) {
        f->proj |= ever && (national || provincial);
    } else if (x->kind == FK_CREDIT) {
        /* a listing is listed at as_of (active), or listed at some time of
         * "上一年及当年" (its period meets [start, as_of]); 科研严重失信 is
         * an act: it counts when it (else the decision listing it,
         * valid_from) is dated in [start, as_of], listed or not since */
        Date start = py_start(as_of);
        int began = has_from ? from <= as_of : ever;
        int met = active || (began && (!has_to || to >= start));

        f->abnormal |= active && sub == FS_ABNORMAL;
        f->serious |= active && sub == FS_SERIOUS;
        f->abnormal_py |= met && sub == FS_ABNORMAL;
        f->serious_py |= met && sub == FS_SERIOUS;
        f->dishonest |= ever && when >= start && sub == FS_MISCONDUCT;
    } else if (x->kind == FK_INCIDENT) {
        /* "上一年及当年" (科技型中小企业): from 1 January of the year
         * before as_of's; "申请认定前一年内" (高企): the 12 months before
         * as_of (incident_1y) */
        f->incident |= ever && when >= py_start(as_of);
        f->incident_1y |= ever && when >= elig_years_before(as_of, 1);
    }
}

void elig_fact_row(DbStmt *st, int col, Date as_of, EligFacts *f)
{
    EligFactRaw x;

    elig_fact_raw(st, col, &x);
    elig_fact_at(&x, as_of, f);
}

/* Dated facts -> scalar flags (absence of a record reads as 否). */
static int load_facts(Loader *l, int64_t id, RuleInput *in, Date as_of, Err *e)
{
    DbStmt *st = l->facts;
    EligFacts f;
    int rc;

    memset(&f, 0, sizeof f);
    db_reset(st);
    db_bind_int64(st, 1, id);
    while ((rc = db_step(st, e)) == DB_ROW) {
        elig_fact_row(st, 0, as_of, &f);
    }
    db_reset(st);
    if (rc != DB_DONE) {
        return rc;
    }
    tri_put(in, ids.award_n3_5y, &f.n3_5y);
    tri_put(in, ids.award_n3_3y, &f.n3_3y);
    tri_put(in, ids.award_n5_3y, &f.n5_3y);
    tri_put(in, ids.award_p3_3y, &f.p3_3y);
    tri_put(in, ids.maker500, &f.m500);
    tri_put(in, ids.maker50, &f.m50);
    rule_input_set(in, ids.award_3y, f.award_3y, NULL);
    rule_input_set(in, ids.award_ever, f.award_ever, NULL);
    rule_input_set(in, ids.rd_inst, f.rd_inst, NULL);
    rule_input_set(in, ids.rd_inst_any, f.rd_any, NULL);
    rule_input_set(in, ids.led_std, f.led, NULL);
    rule_input_set(in, ids.joined_std, f.joined, NULL);
    rule_input_set(in, ids.sw_cert, f.sw, NULL);
    rule_input_set(in, ids.sw_prod, f.swp, NULL);
    rule_input_set(in, ids.competition, f.comp, NULL);
    rule_input_set(in, ids.private_equity, f.pe, NULL);
    rule_input_set(in, ids.sci_project, f.proj, NULL);
    rule_input_set(in, ids.abnormal, f.abnormal, NULL);
    rule_input_set(in, ids.serious, f.serious, NULL);
    rule_input_set(in, ids.dishonest, f.dishonest, NULL);
    rule_input_set(in, ids.incident, f.incident, NULL);
    rule_input_set(in, ids.incident_1y, f.incident_1y, NULL);
    rule_input_set(in, ids.abnormal_py, f.abnormal_py, NULL);
    rule_input_set(in, ids.serious_py, f.serious_py, NULL);
    if (f.vc_unknown && !f.has_vc) {
        rule_input_unset(in, ids.vc_max);
    } else {
        rule_input_set(in, ids.vc_max, f.has_vc ? f.vc_max : 0, NULL);
    }
    return 0;
}

/* Declarations override everything derived above. A value applies when
 * as_of lies in its period; outside it a boolean reads 0, others missing. */
static int load_decl(Loader *l, int64_t id, RuleInput *in, Date as_of, Err *e)
{
    DbStmt *st = l->decl;
    QualRuleState qs;
    int hnte = 0, honor = 0;
    int rc;

    db_reset(st);
    db_bind_int64(st, 1, id);
    while ((rc = db_step(st, e)) == DB_ROW) {
        int field = rule_field_find(db_col_text(st, 0));
        const RuleField *rf = rule_field_get(field);
        int year = (int)db_col_int64(st, 1);
        int64_t v = db_col_int64(st, 2);
        Date from, to;
        int inside = 1;

        if (!rf) {
            continue;
        }
        honor |= field == ids.innovation_honor;
        if (elig_col_date(st, 3, &from) && from > as_of) {
            inside = 0;
        }
        if (elig_col_date(st, 4, &to) && to < as_of) {
            inside = 0;
        }
        if (rf->kind == RF_YEARLY) {
            if (inside) {
                rule_input_set_year(in, field, year, v, NULL);
            } else {
                rule_input_unset_year(in, field, year);
            }
        } else if (inside) {
            rule_input_set(in, field, v, NULL);
            hnte |= field == ids.hnte_cert && v != 0;
        } else if (rf->unit == UN_BOOL) {
            rule_input_set(in, field, 0, NULL);
        } else {
            rule_input_unset(in, field);
        }
    }
    db_reset(st);
    if (rc != DB_DONE) {
        return rc;
    }
    /* an entry of the industry catalogue matching the 行业代码 wins over a
     * declared 否 (catalogue.h); no match derives nothing */
    if (l->cat_n > 0) {
        int has = 0;
        char *text = NULL;
        rc = catalogue_match(l->db, id, &has, &text, e);
        free(text);
        if (rc) {
            return rc;
        }
        if (has) {
            rule_input_set(in, rule_field_find("prohibited_industry"), 1, NULL);
        }
    }
    /* the qualifications register wins over declared certificates when it
     * has a row of the kind (domain/qual/qual.h) */
    rc = qual_rule_state(l->db, id, as_of, &qs, e);
    if (rc) {
        return rc;
    }
    for (int i = 0; i < QUAL_RULE_FIELDS; i++) {
        if (qs.has[i]) {
            int field = rule_field_find(qual_rule_field(i));
            rule_input_set(in, field, qs.valid[i], NULL);
            if (field == ids.hnte_cert) {
                hnte = qs.valid[i];
            }
        }
    }
    /* a 高企 certificate in force is one of the 创新型中小企业 honours */
    if (hnte && !honor) {
        rule_input_set(in, ids.innovation_honor, 1, NULL);
    }
    return 0;
}

/* Load one enterprise with an open loader. */
static int loader_load(Loader *l, int64_t id, Date as_of, RuleInput **out,
                       Err *e)
{
    RuleInput *in = rule_input_new(elig_year(as_of), as_of);
    int rc;

    rc = load_record(l, id, in, e);
    if (rc == 0) {
        rc = load_years(l, id, in, e);
    }
    if (rc == 0) {
        rc = load_ip(l, id, in, as_of, e);
    }
    if (rc == 0) {
        rc = load_facts(l, id, in, as_of, e);
    }
    if (rc == 0) {
        rc = load_decl(l, id, in, as_of, e);
    }
    if (rc) {
        rule_input_free(in);
        return rc;
    }
    *out = in;
    return 0;
}

int elig_load_input(Db *db, int64_t enterprise_id, Date as_of, RuleInput **out,
                    Err *e)
{
    Loader l;
    int rc;

    ids_init();
    *out = NULL;
    rc = loader_open(&l, db, e);
    if (rc) {
        return rc;
    }
    rc = loader_load(&l, enterprise_id, as_of, out, e);
    loader_close(&l);
    return rc;
}

struct EligLoader {
    Loader l;
};

int elig_loader_open(Db *db, EligLoader **out, Err *e)
{
    EligLoader *x = xcalloc(1, sizeof *x);
    int rc;

    ids_init();
    rc = loader_open(&x->l, db, e);
    if (rc) {
        free(x);
        x = NULL;
    }
    *out = x;
    return rc;
}

int elig_loader_load(EligLoader *x, int64_t enterprise_id, Date as_of,
                     RuleInput **out, Err *e)
{
    *out = NULL;
    return loader_load(&x->l, enterprise_id, as_of, out, e);
}

void elig_loader_close(EligLoader *x)
{
    if (x) {
        loader_close(&x->l);
        free(x);
    }
}

int elig_walk(Db *db, const Actor *a, Date as_of, JobRun *run, EligWalkFn fn,
              void *ud, Err *e)
{
    static const char *const scope_sql =
        " FROM enterprises e JOIN org_units o ON o.id = e.unit_id WHERE "
        "e.retired_at IS NULL AND substr(o.path, 1, length($1)) = $1";
    Loader l;
    DbStmt *st = NULL;
    int64_t total = 0, done = 0;
    char sql[256];
    int rc;

    ids_init();
    rc = loader_open(&l, db, e);
    if (rc) {
        return rc;
    }
    snprintf(sql, sizeof sql, "SELECT COUNT(*)%s", scope_sql);
    rc = db_query_int64(db, &total, e, sql, "t", a->unit_path);
    if (rc) {
        goto out;
    }
    if (run) {
        job_set_total(run, total);
    }
    snprintf(sql, sizeof sql, "SELECT e.id, o.path%s ORDER BY e.id", scope_sql);
    rc = db_prepare_v(db, &st, e, sql, "t", a->unit_path);
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0);
        char path[ACTOR_PATH_MAX];
        RuleInput *in = NULL;

        if (run && (done & 63) == 0 && job_cancelled(run)) {
            rc = err_set(e, ERR_CANCELLED, "job", "任务已取消");
            goto out;
        }
        snprintf(path, sizeof path, "%s",
                 db_col_text(st, 1) ? db_col_text(st, 1) : "/");
        rc = loader_load(&l, id, as_of, &in, e);
        if (rc == 0) {
            rc = fn(ud, id, path, in, e);
        }
        rule_input_free(in);
        if (rc) {
            goto out;
        }
        done++;
        if (run) {
            job_add_done(run, 1);
        }
    }
    rc = rc == DB_DONE ? 0 : rc;
out:
    db_finalize(st);
    loader_close(&l);
    return rc;
}

/* elig_each on top of elig_walk: evaluate one rule set per input. */
typedef struct EachCtx {
    const RuleSet *rs;
    EligFn fn;
    void *ud;
} EachCtx;

static int each_one(void *ud, int64_t id, const char *unit_path,
                    const RuleInput *in, Err *e)
{
    EachCtx *x = ud;
    RuleResult *r = NULL;
    int rc;

    (void)unit_path;
    rc = rule_eval(x->rs, in, &r, e);
    if (rc == 0) {
        rc = x->fn(x->ud, id, in, r, e);
    }
    rule_result_free(r);
    return rc;
}

int elig_each(Db *db, const Actor *a, const RuleSet *rs, Date as_of,
              JobRun *run, EligFn fn, void *ud, Err *e)
{
    EachCtx x;

    x.rs = rs;
    x.fn = fn;
    x.ud = ud;
    return elig_walk(db, a, as_of, run, each_one, &x, e);
}
