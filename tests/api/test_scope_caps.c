/* test_scope_caps.c - every route of the capabilities (policy, plan,
 * market, carrier, pipeline, service, qualifications, scenarios) attacked
 * from outside, driven from the route table.
 *
 * The demo district is generated, plus carriers, tenants and platforms in
 * two 街道 A and B, a sandbox scenario and a qualification import of B's
 * agent, a budget scenario and an objection of the bureau. An agent of A, a
 * read-only leader and a read-only API token are made. For each route of a
 * capability prefix:
 * - every path parameter that names an object tied to a unit is filled
 *   with an object outside A (the other parameters with objects of A):
 *   the agent of A gets 403 or 404, or exactly the answer a missing
 *   object gets (a body refused before the lookup), and nothing is
 *   audited; write routes get a valid body where the test knows one;
 * - with objects of A the agent's GET answers 200 (the attack is not
 *   vacuous);
 * - a GET without such a parameter (a list, a board, a statistic) and its
 *   CSV export name no enterprise or carrier outside A (but for the
 *   buyers of A's own contracts);
 * - the leader and the token never write (403, nothing audited).
 * A route with a parameter the test does not know fails the test, and a
 * parameter with no object outside A is printed as "not covered" and
 * fails the test too (a qualification import preview of B's agent is
 * seeded as well), so a new route is covered or the test says it is not. The
 * gaps found by hand (task owners, notices and batches, the user lookup) have
 * their own tests below; the plan figure's separation of duties is in
 * test_plan.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/buf.h"
#include "base/money.h"
#include "common/apitest.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/scope.h"
#include "domain/demo/demo.h"
#include "http/routes.h"

#define MAX_MARKERS 2048

typedef struct Fx {
    ApiTest *t;
    int64_t unit_a, unit_b;
    char path_a[64], path_b[64]; /* "/1/3/%" (LIKE patterns) */
    int64_t agent_a, agent_b;
    char token[64];             /* leader's read-only token */
    char *markers[MAX_MARKERS]; /* names that belong to B only */
    int n_markers;
    int failures;
} Fx;

/* The capability prefixes under attack. */
static const char *const cap_prefixes[] = {"/api/v1/policies",
                                           "/api/v1/policy-",
                                           "/api/v1/plans",
                                           "/api/v1/plan-",
                                           "/api/v1/market-items",
                                           "/api/v1/market-item-",
                                           "/api/v1/challenges",
                                           "/api/v1/market-events",
                                           "/api/v1/resource-use",
                                           "/api/v1/contracts",
                                           "/api/v1/contract-",
                                           "/api/v1/carriers",
                                           "/api/v1/carrier-",
                                           "/api/v1/platforms",
                                           "/api/v1/platform-",
                                           "/api/v1/talent",
                                           "/api/v1/listing-",
                                           "/api/v1/pipeline/",
                                           "/api/v1/service/",
                                           "/api/v1/qualifications",
                                           "/api/v1/calendar",
                                           "/api/v1/attachments",
                                           "/api/v1/workbench",
                                           "/api/v1/sandbox/scenarios",
                                           NULL};

/* Enterprise sub-routes of the capabilities (/enterprises/{id}/...). */
static const char *const ent_suffixes[] = {
    "/qualifications", "/pipeline", "/policies", "/tenancies",
    "/talent-counts",  "/talents",  "/listing",  NULL};

static int is_cap_route(const Route *r)
{
    for (int i = 0; cap_prefixes[i]; i++) {
        if (strncmp(r->pattern, cap_prefixes[i], strlen(cap_prefixes[i])) ==
            0) {
            return 1;
        }
    }
    if (strncmp(r->pattern, "/api/v1/enterprises/{id}/", 25) == 0) {
        for (int i = 0; ent_suffixes[i]; i++) {
            if (strncmp(r->pattern + 24, ent_suffixes[i],
                        strlen(ent_suffixes[i])) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

/* An object parameter: the SQL finding one object of A's subtree ($1 is
 * its LIKE pattern); the attack uses one outside it (" LIKE $1" turned
 * into " NOT LIKE $1", or `other` where that is not enough). scope: for
 * {id}, the route's SCOPE_*; -1 for any. */
typedef struct ObjParam {
    const char *name;
    int scope;
    const char *sql;
    const char *other;
} ObjParam;

#define ENT_IN                                                                 \
    "JOIN enterprises e ON e.id = x.enterprise_id JOIN org_units o "           \
    "ON o.id = e.unit_id WHERE o.path LIKE $1 ORDER BY x.id"
#define UNIT_IN                                                                \
    "JOIN org_units o ON o.id = x.unit_id WHERE o.path LIKE $1 "               \
    "ORDER BY x.id"
/* notices and batches with rows in A / with no row in A */
#define NOTICES_OF_A                                                           \
    "SELECT a.notice_id FROM policy_applications a JOIN enterprises e ON "     \
    "e.id = a.enterprise_id JOIN org_units o ON o.id = e.unit_id WHERE "       \
    "o.path LIKE $1 AND a.notice_id IS NOT NULL"
#define BATCHES_OF_A                                                           \
    "SELECT p.batch_id FROM policy_payments p JOIN policy_applications a ON "  \
    "a.id = p.application_id JOIN enterprises e ON e.id = a.enterprise_id "    \
    "JOIN org_units o ON o.id = e.unit_id WHERE o.path LIKE $1 AND "           \
    "p.batch_id IS NOT NULL"

static const ObjParam obj_params[] = {
    {"id", SCOPE_ENTERPRISE, "SELECT x.id FROM enterprises x " UNIT_IN, NULL},
    {"id", SCOPE_CARRIER, "SELECT x.id FROM carriers x " UNIT_IN, NULL},
    {"id", SCOPE_PLATFORM, "SELECT x.id FROM platforms x " UNIT_IN, NULL},
    {"id", SCOPE_CONTRACT, "SELECT x.id FROM contracts x " UNIT_IN, NULL},
    {"id", SCOPE_MARKET_ITEM, "SELECT x.id FROM market_items x " UNIT_IN, NULL},
    {"id", SCOPE_CHALLENGE, "SELECT x.id FROM challenges x " UNIT_IN, NULL},
    {"id", SCOPE_MARKET_EVENT, "SELECT x.id FROM market_events x " UNIT_IN,
     NULL},
    {"id", SCOPE_RESOURCE_USE, "SELECT x.id FROM resource_uses x " UNIT_IN,
     NULL},
    {"id", SCOPE_PLAN_ACTUAL, "SELECT x.id FROM plan_actuals x " UNIT_IN, NULL},
    {"id", SCOPE_PLAN_NOTICE, "SELECT x.id FROM plan_notices x " UNIT_IN, NULL},
    {"id", SCOPE_SCENARIO, "SELECT x.id FROM sandbox_scenarios x " UNIT_IN,
     NULL},
    {"id", SCOPE_PLAN_TASK, "SELECT x.task_id FROM plan_task_units x " UNIT_IN,
     "SELECT t.id FROM plan_tasks t WHERE t.id NOT IN (SELECT x.task_id FROM "
     "plan_task_units x " UNIT_IN ") ORDER BY t.id"},
    {"entry_id", -1, "SELECT x.id FROM pipeline_entries x " ENT_IN, NULL},
    {"task_id", -1, "SELECT x.id FROM pipeline_tasks x " ENT_IN, NULL},
    {"qual_id", -1, "SELECT x.id FROM qualifications x " ENT_IN, NULL},
    {"ask_id", -1, "SELECT x.id FROM service_asks x " ENT_IN, NULL},
    {"log_id", -1, "SELECT x.id FROM service_logs x " UNIT_IN, NULL},
    {"aid", -1, "SELECT x.id FROM policy_applications x " ENT_IN, NULL},
    {"oid", -1,
     "SELECT x.id FROM policy_objections x JOIN policy_applications a ON "
     "a.id = x.application_id JOIN enterprises e ON e.id = a.enterprise_id "
     "JOIN org_units o ON o.id = e.unit_id WHERE o.path LIKE $1 ORDER BY "
     "x.id",
     NULL},
    {"tenant_id", -1, "SELECT x.id FROM carrier_tenants x " ENT_IN, NULL},
    {"talent_id", -1, "SELECT x.id FROM talents x " ENT_IN, NULL},
    {"import_id", -1,
     "SELECT x.id FROM qual_imports x WHERE x.unit_path LIKE $1 ORDER BY x.id",
     NULL},
    {"sid", -1,
     "SELECT x.id FROM policy_scenarios x WHERE x.unit_path LIKE $1 ORDER BY "
     "x.id",
     NULL},
    {"nid", -1, NOTICES_OF_A " ORDER BY 1",
     "SELECT n.id FROM policy_notices n WHERE n.id NOT IN (" NOTICES_OF_A
     ") ORDER BY n.id"},
    {"id", SCOPE_ATTACHMENT,
     "SELECT x.id FROM attachments x WHERE x.unit_path LIKE $1 ORDER BY x.id",
     NULL},
    {"bid", -1, BATCHES_OF_A " ORDER BY 1",
     "SELECT b.id FROM policy_batches b WHERE b.id NOT IN (" BATCHES_OF_A
     ") ORDER BY b.id"},
};

/* Parameters that name no object of a unit, with a value to use. */
typedef struct PublicParam {
    const char *name;
    int scope;
    const char *sql; /* one id, or a literal value when sql is NULL */
    const char *value;
} PublicParam;

static const PublicParam public_params[] = {
    /* plans, indicators, evaluations, imports: the district's plan,
     * public to every reader; writes are the plan office's (domain) */
    {"id", SCOPE_PLAN, "SELECT id FROM plans ORDER BY id", NULL},
    {"id", SCOPE_PLAN_INDICATOR, "SELECT id FROM plan_indicators ORDER BY id",
     NULL},
    {"id", SCOPE_PLAN_EVAL, "SELECT id FROM plan_evals ORDER BY id", NULL},
    {"id", SCOPE_PLAN_IMPORT, "SELECT id FROM plan_imports ORDER BY id", NULL},
    /* policies and their items: public texts */
    {"pid", -1, "SELECT id FROM policies ORDER BY id", NULL},
    {"iid", -1, "SELECT id FROM policy_items ORDER BY id", NULL},
    /* pipeline batches: district-wide; their boards are lists */
    {"batch_id", -1, "SELECT id FROM pipeline_batches ORDER BY id", NULL},
    /* the calendar's rules: district-wide data, edited by admins */
    {"rule_id", -1, "SELECT id FROM calendar_rules ORDER BY id", NULL},
    {"year", -1, NULL, "2025"},
    {"kind", -1, NULL, "carriers"},
};

static Fx *fx;

/* The first id sql returns; $1 (when the text has it) is p1. With
 * outside set, " LIKE $1" is read as " NOT LIKE $1". */
static int64_t one_id(const char *sql, const char *p1, int outside)
{
    DbStmt *st = NULL;
    int64_t id = 0;
    char buf[2048];
    Err e;

    err_clear(&e);
    if (outside) {
        const char *s = sql;
        size_t n = 0;
        while (*s && n + 16 < sizeof buf) {
            if (strncmp(s, " LIKE $1", 8) == 0) {
                n += (size_t)snprintf(buf + n, sizeof buf - n, " NOT");
            }
            buf[n++] = *s++;
        }
        buf[n] = '\0';
        sql = buf;
    }
    if (p1 && strstr(sql, "$1")) {
        if (db_prepare_v(fx->t->db, &st, &e, sql, "t", p1) != 0) {
            fail_msg("%s: %s", sql, e.msg);
        }
    } else if (db_prepare_v(fx->t->db, &st, &e, sql, "") != 0) {
        fail_msg("%s: %s", sql, e.msg);
    }
    if (db_step(st, &e) == DB_ROW) {
        id = db_col_int64(st, 0);
    }
    db_finalize(st);
    return id;
}

static int64_t count_of(const char *sql)
{
    return one_id(sql, NULL, 0);
}

static const ObjParam *obj_param(const Route *r, const char *name)
{
    for (size_t i = 0; i < sizeof obj_params / sizeof obj_params[0]; i++) {
        const ObjParam *p = &obj_params[i];
        if (strcmp(p->name, name) == 0 &&
            (p->scope == -1 || p->scope == r->scope)) {
            return p;
        }
    }
    return NULL;
}

static const PublicParam *public_param(const Route *r, const char *name)
{
    for (size_t i = 0; i < sizeof public_params / sizeof public_params[0];
         i++) {
        const PublicParam *p = &public_params[i];
        if (strcmp(p->name, name) == 0 &&
            (p->scope == -1 || p->scope == r->scope)) {
            return p;
        }
    }
    return NULL;
}

/* Fill the pattern's parameters: object parameters from unit A, except
 * the one named `attack` (from B). 0 when a value is missing (no such
 * object in the demo), -1 for an unknown parameter, 1 when filled. */
static int fill_ex(const Route *r, const char *attack, int missing, char *url,
                   size_t cap)
{
    const char *s = r->pattern;
    size_t n = 0;

    while (*s && n + 32 < cap) {
        if (*s == '{') {
            char name[32];
            const char *end = strchr(s, '}');
            size_t len = (size_t)(end - s - 1);
            const ObjParam *op;
            const PublicParam *pp;
            int64_t id = 0;

            memcpy(name, s + 1, len);
            name[len] = '\0';
            op = obj_param(r, name);
            pp = op ? NULL : public_param(r, name);
            if (op) {
                int b = attack && strcmp(attack, name) == 0;
                if (b && missing) {
                    id = 999999999;
                } else if (b && op->other) {
                    id = one_id(op->other, fx->path_a, 0);
                } else {
                    id = one_id(op->sql, fx->path_a, b);
                }
            } else if (pp && pp->sql) {
                id = one_id(pp->sql, NULL, 0);
            } else if (pp) {
                n += (size_t)snprintf(url + n, cap - n, "%s", pp->value);
                s = end + 1;
                continue;
            } else {
                return -1;
            }
            if (id == 0) {
                return 0;
            }
            n += (size_t)snprintf(url + n, cap - n, "%lld", (long long)id);
            s = end + 1;
        } else {
            url[n++] = *s++;
        }
    }
    url[n] = '\0';
    return 1;
}

static int fill(const Route *r, const char *attack, char *url, size_t cap)
{
    return fill_ex(r, attack, 0, url, cap);
}

/* The object parameters of a route, in order. */
static int obj_names(const Route *r, char names[4][32])
{
    const char *s = r->pattern;
    int k = 0;

    while ((s = strchr(s, '{')) != NULL && k < 4) {
        const char *end = strchr(s, '}');
        size_t len = (size_t)(end - s - 1);
        char name[32];

        memcpy(name, s + 1, len);
        name[len] = '\0';
        if (obj_param(r, name)) {
            memcpy(names[k++], name, len + 1);
        }
        s = end + 1;
    }
    return k;
}

static void login_as(const char *user)
{
    apitest_logout_local(fx->t);
    assert_int_equal(apitest_login(fx->t, user, "Scope-Test-8642"), 200);
}

static void miss(const char *what, const char *method, const char *url,
                 int status, const char *body)
{
    print_message("LEAK %s: %s %s -> %d: %.300s\n", what, method, url, status,
                  body ? body : "");
    fx->failures++;
}

static int64_t audit_count(void)
{
    return count_of("SELECT COUNT(*) FROM audit_log");
}

/* What the demo does not write: a carrier with a tenant and a platform in
 * unit `unit` (path pattern `like`), by the administrator. */
static void seed_unit(int64_t unit, const char *like, const char *tag)
{
    char body[512], url[128];
    int64_t ent = one_id("SELECT x.id FROM enterprises x JOIN org_units o ON "
                         "o.id = x.unit_id WHERE o.path LIKE $1 ORDER BY x.id",
                         like, 0);
    int64_t carrier;

    assert_true(ent > 0);
    snprintf(body, sizeof body,
             "{\"name\": \"%s孵化器\", \"type\": \"incubator\", "
             "\"unit_id\": %lld, \"operator_name\": \"天津某运营机构\", "
             "\"level\": \"municipal\", \"recognized_on\": \"2019-05-01\", "
             "\"area\": 5000, \"incubation_area\": 3000, \"mentors\": 12}",
             tag, (long long)unit);
    carrier = apitest_post_id(fx->t, "/api/v1/carriers", body);
    snprintf(url, sizeof url, "/api/v1/carriers/%lld/tenants",
             (long long)carrier);
    snprintf(body, sizeof body,
             "{\"enterprise_id\": %lld, \"moved_in\": \"2024-01-01\"}",
             (long long)ent);
    apitest_post_id(fx->t, url, body);
    snprintf(body, sizeof body,
             "{\"kind\": \"key_lab\", \"name\": \"%s重点实验室\", "
             "\"level\": \"municipal\", \"host_enterprise_id\": %lld, "
             "\"unit_id\": %lld, \"recognized_on\": \"2021-06-01\", "
             "\"recognition_doc\": \"津科〔2021〕%lld号\"}",
             tag, (long long)ent, (long long)unit, (long long)unit);
    apitest_post_id(fx->t, "/api/v1/platforms", body);
}

/* A POST that should answer 201; on anything else the route stays
 * uncovered (said in the output), the test goes on. */
static void post_try(const char *url, const char *body)
{
    ApiResp r;

    apitest_request(fx->t, "POST", url, body, NULL, &r);
    if (r.status != 201) {
        print_message("# seeding %s: %d %.200s\n", url, r.status, r.body);
    }
    apiresp_release(&r);
}

/* Objects made by users outside A: a sandbox scenario of B's agent, a
 * budget scenario and an objection of the bureau. */
static void seed_outside(void)
{
    char body[4096], url[160];
    json_t *b;
    char *text;
    ApiResp r;
    int64_t nid, app, item;

    login_as("agent_b");
    apitest_request(fx->t, "GET", "/api/v1/rulesets", NULL, NULL, &r);
    snprintf(url, sizeof url, "/api/v1/rulesets/%s",
             json_string_value(json_object_get(
                 json_array_get(json_object_get(r.json, "items"), 0), "id")));
    apiresp_release(&r);
    apitest_request(fx->t, "GET", url, NULL, NULL, &r);
    b = json_pack("{s:s,s:O,s:s}", "name", "乙街方案", "source",
                  json_object_get(r.json, "text"), "as_of", "2025-12-31");
    apiresp_release(&r);
    text = json_dumps(b, 0);
    post_try("/api/v1/sandbox/scenarios", text);
    free(text);
    json_decref(b);
    /* a qualification list checked (not applied) by B's agent */
    {
        static const char *const hdr[] = {"X-File-Name", "list.csv", NULL};
        DbStmt *st = NULL;
        Err e;

        err_clear(&e);
        assert_int_equal(
            db_prepare_v(fx->t->db, &st, &e,
                         "SELECT x.name FROM enterprises x JOIN org_units o "
                         "ON o.id = x.unit_id WHERE o.path LIKE $1 ORDER BY "
                         "x.id",
                         "t", fx->path_b),
            0);
        assert_int_equal(db_step(st, &e), DB_ROW);
        snprintf(body, sizeof body,
                 "序号,企业名称,证书编号,发证日期\r\n1,%s,GR202512000901,"
                 "2025-12-01\r\n",
                 db_col_text(st, 0));
        db_finalize(st);
        apitest_request(fx->t, "POST",
                        "/api/v1/qualifications/imports?kind=hnte&batch=2025",
                        body, hdr, &r);
        if (r.status != 201) {
            print_message("# seeding a qualification import: %d %.200s\n",
                          r.status, r.body);
        }
        apiresp_release(&r);
    }

    login_as("staff");
    item = count_of("SELECT MIN(id) FROM policy_items");
    snprintf(url, sizeof url, "/api/v1/policy-items/%lld/sandbox",
             (long long)item);
    post_try(url, "{\"year\": 2026, \"changes\": {}, \"name\": "
                  "\"区级测算\"}");
    nid = one_id("SELECT n.id FROM policy_notices n WHERE n.id NOT IN "
                 "(" NOTICES_OF_A ") ORDER BY n.id",
                 fx->path_a, 0);
    if (nid) {
        snprintf(body, sizeof body,
                 "SELECT id FROM policy_applications WHERE notice_id = %lld",
                 (long long)nid);
        app = count_of(body);
        snprintf(url, sizeof url, "/api/v1/policy-notices/%lld/objections",
                 (long long)nid);
        snprintf(body, sizeof body,
                 "SELECT start_on FROM policy_notices WHERE id = %lld",
                 (long long)nid);
        {
            DbStmt *st = NULL;
            Err e;
            char on[16] = "";

            err_clear(&e);
            assert_int_equal(db_prepare_v(fx->t->db, &st, &e, body, ""), 0);
            if (db_step(st, &e) == DB_ROW) {
                snprintf(on, sizeof on, "%s", db_col_text(st, 0));
            }
            db_finalize(st);
            snprintf(body, sizeof body,
                     "{\"application_id\": %lld, \"content\": \"异议\", "
                     "\"received_on\": \"%s\"}",
                     (long long)app, on);
        }
        post_try(url, body);
    }
}

static int setup(void **state)
{
    Actor sys;
    DemoOptions o;
    DemoReport rep;
    DbStmt *st = NULL;
    ApiResp r;
    char body[256];
    Err e;

    (void)state;
    fx = calloc(1, sizeof *fx);
    fx->t = apitest_new();
    actor_init_system(&sys);
    memset(&o, 0, sizeof o);
    o.enterprises = 80;
    o.seed = 7;
    o.last_year = 2025;
    err_clear(&e);
    if (demo_generate(fx->t->db, &sys, &o, NULL, NULL, &rep, &e) != 0) {
        fail_msg("demo_generate: %s", e.msg);
    }
    /* the two street units with the most enterprises */
    assert_int_equal(
        db_prepare_v(fx->t->db, &st, &e,
                     "SELECT o.id, o.path FROM org_units o JOIN enterprises "
                     "x ON x.unit_id = o.id WHERE o.kind = 'subdistrict' GROUP "
                     "BY o.id, o.path ORDER BY COUNT(*) DESC, o.id",
                     ""),
        0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    fx->unit_a = db_col_int64(st, 0);
    snprintf(fx->path_a, sizeof fx->path_a, "%s%%", db_col_text(st, 1));
    assert_int_equal(db_step(st, &e), DB_ROW);
    fx->unit_b = db_col_int64(st, 0);
    snprintf(fx->path_b, sizeof fx->path_b, "%s%%", db_col_text(st, 1));
    db_finalize(st);
    st = NULL;
    fx->agent_a = apitest_add_user(fx->t, "agent_a", "Scope-Test-8642",
                                   ROLE_AGENT, fx->unit_a);
    fx->agent_b = apitest_add_user(fx->t, "agent_b", "Scope-Test-8642",
                                   ROLE_AGENT, fx->unit_b);
    apitest_add_user(fx->t, "leader", "Scope-Test-8642", ROLE_LEADER,
                     fx->t->root_id);
    apitest_add_user(fx->t, "staff", "Scope-Test-8642", ROLE_STAFF,
                     fx->t->root_id);
    assert_int_equal(apitest_login(fx->t, "admin", APITEST_ADMIN_PASSWORD),
                     200);
    seed_unit(fx->unit_a, fx->path_a, "甲街");
    seed_unit(fx->unit_b, fx->path_b, "乙街");
    seed_outside();
    /* a file on one policy application inside A and one outside (its unit
     * is the enterprise's, as the upload route stores it) */
    /* a named talent of an enterprise inside A and one outside */
    for (int k = 0; k < 2; k++) {
        char sql[512];

        snprintf(sql, sizeof sql,
                 "INSERT INTO talents (name, programme, enterprise_id, "
                 "created_at, updated_at) SELECT '测试人才', 'haihe', x.id, "
                 "'x', 'x' FROM enterprises x JOIN org_units o ON o.id = "
                 "x.unit_id WHERE o.path %s $1 ORDER BY x.id LIMIT 1",
                 k ? "NOT LIKE" : "LIKE");
        assert_int_equal(db_exec_v(fx->t->db, &e, sql, "t", fx->path_a), 0);
    }
    for (int k = 0; k < 2; k++) {
        char sql[640];

        snprintf(sql, sizeof sql,
                 "INSERT INTO attachments (owner_type, owner_id, name, mime, "
                 "size, sha256, content, unit_path, created_at) SELECT "
                 "'policy_application', a.id, '材料.pdf', 'application/pdf', "
                 "8, 'x', 'x', o.path, 'x' FROM policy_applications a JOIN "
                 "enterprises x ON x.id = a.enterprise_id JOIN org_units o ON "
                 "o.id = x.unit_id WHERE o.path %s $1 ORDER BY a.id LIMIT 1",
                 k ? "NOT LIKE" : "LIKE");
        assert_int_equal(db_exec_v(fx->t->db, &e, sql, "t", fx->path_a), 0);
    }
    /* a read-only token of the staff user, scoped to A */
    login_as("staff");
    snprintf(body, sizeof body,
             "{\"name\":\"只读\",\"role\":\"leader\",\"unit_id\":%lld}",
             (long long)fx->unit_a);
    assert_int_equal(
        apitest_request(fx->t, "POST", "/api/v1/api-tokens", body, NULL, &r),
        201);
    snprintf(fx->token, sizeof fx->token, "%s",
             json_string_value(json_object_get(r.json, "token")));
    apiresp_release(&r);
    assert_true(fx->token[0] != '\0');
    /* names outside A: enterprises (but for the buyers of A's own
     * technology contracts), carriers, platforms, contract numbers,
     * challenges and the titles of service logs A cannot see (a log is
     * seen by the units of its enterprises too) */
    assert_int_equal(
        db_prepare_v(fx->t->db, &st, &e,
                     "SELECT x.name FROM enterprises x JOIN org_units o ON "
                     "o.id = x.unit_id WHERE o.path NOT LIKE $1 AND x.name "
                     "NOT IN (SELECT c.buyer_name FROM contracts c JOIN "
                     "org_units o2 ON o2.id = c.unit_id WHERE o2.path LIKE "
                     "$1) UNION SELECT x.name FROM carriers x JOIN "
                     "org_units o ON o.id = x.unit_id WHERE o.path NOT LIKE "
                     "$1 UNION SELECT x.name FROM platforms x JOIN "
                     "org_units o ON o.id = x.unit_id WHERE o.path NOT LIKE "
                     "$1 UNION SELECT x.title FROM service_logs x JOIN "
                     "org_units o ON o.id = x.unit_id WHERE o.path NOT LIKE "
                     "$1 AND x.title NOT IN (SELECT y.title FROM "
                     "service_logs y JOIN org_units o3 ON o3.id = y.unit_id "
                     "WHERE o3.path LIKE $1 OR EXISTS (SELECT 1 FROM "
                     "service_log_enterprises z JOIN enterprises ze ON ze.id "
                     "= z.enterprise_id JOIN org_units zo ON zo.id = "
                     "ze.unit_id WHERE z.log_id = y.id AND zo.path LIKE $1)) "
                     "UNION SELECT x.reg_no FROM contracts x JOIN "
                     "org_units o ON o.id = x.unit_id WHERE o.path NOT LIKE "
                     "$1 UNION SELECT x.title FROM challenges x JOIN "
                     "org_units o ON o.id = x.unit_id WHERE o.path NOT LIKE "
                     "$1",
                     "t", fx->path_a),
        0);
    while (db_step(st, &e) == DB_ROW && fx->n_markers < MAX_MARKERS) {
        fx->markers[fx->n_markers++] = strdup(db_col_text(st, 0));
    }
    db_finalize(st);
    assert_true(fx->n_markers > 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < fx->n_markers; i++) {
        free(fx->markers[i]);
    }
    apitest_free(fx->t);
    free(fx);
    fx = NULL;
    return 0;
}

static int is_write(const Route *r)
{
    return strcmp(r->method, "GET") != 0;
}

/* Bodies that pass validation, so that a missing scope check in the
 * domain shows as a success rather than hiding behind a 400. */
static const struct {
    const char *method, *pattern, *body;
} write_bodies[] = {
    {"POST", "/api/v1/pipeline/entries/{entry_id}/tasks",
     "{\"title\":\"越权任务\"}"},
    {"PATCH", "/api/v1/pipeline/tasks/{task_id}", "{\"note\":\"越权\"}"},
    {"POST", "/api/v1/pipeline/entries/{entry_id}/actions",
     "{\"action\":\"withdraw\",\"comment\":\"越权\"}"},
    {"POST", "/api/v1/service/asks/{ask_id}/follow-ups",
     "{\"note\":\"越权跟进\"}"},
    {"POST", "/api/v1/enterprises/{id}/qualifications/{qual_id}/rename",
     "{\"cert_name\":\"越权\",\"renamed_on\":\"2025-06-01\"}"},
    {"POST", "/api/v1/policy-applications/{aid}/review",
     "{\"stage\":\"street\",\"decision\":\"approve\"}"},
    {"PATCH", "/api/v1/carriers/{id}", "{\"note\":\"越权\"}"},
    {"POST", "/api/v1/plan-tasks/{id}/reports",
     "{\"period\":\"2022Q3\",\"text\":\"越权报送\"}"},
    {"POST", "/api/v1/plan-tasks/{id}/consolidate",
     "{\"period\":\"2022Q3\",\"text\":\"越权汇总\"}"},
    {"POST", "/api/v1/plan-tasks/{id}/review",
     "{\"period\":\"2022Q3\",\"accept\":true}"},
    {"POST", "/api/v1/plan-tasks/{id}/milestones",
     "{\"title\":\"越权节点\",\"due_on\":\"2025-12-31\"}"},
    {"PUT", "/api/v1/plan-tasks/{id}/judgement", "{\"judgement\":\"done\"}"},
    {"PUT", "/api/v1/plan-tasks/{id}/indicators", "{\"indicator_ids\":[]}"},
    {"PATCH", "/api/v1/market-items/{id}", "{\"note\":\"越权\"}"},
    {"POST", "/api/v1/plan-notices/{id}/answer", "{\"answer\":\"越权\"}"},
};

static const char *write_body(const Route *r)
{
    if (r->flags & ROUTE_UPLOAD) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof write_bodies / sizeof write_bodies[0]; i++) {
        if (strcmp(write_bodies[i].method, r->method) == 0 &&
            strcmp(write_bodies[i].pattern, r->pattern) == 0) {
            return write_bodies[i].body;
        }
    }
    return "{}";
}

/* The error code of an answer ("" when none). */
static const char *err_code(const ApiResp *r)
{
    const char *c = json_string_value(
        json_object_get(json_object_get(r->json, "error"), "code"));
    return c ? c : "";
}

/* The agent of A against B's objects: never 2xx, nothing audited. */
static void test_agent_cannot_reach_b(void **state)
{
    int covered = 0, no_object = 0;

    (void)state;
    fx->failures = 0;
    login_as("agent_a");
    for (int i = 0; i < api_routes.n; i++) {
        const Route *r = &api_routes.v[i];
        char names[4][32];
        char url[512];
        int k;

        if (!is_cap_route(r)) {
            continue;
        }
        k = obj_names(r, names);
        for (int j = 0; j < k; j++) {
            int64_t before = audit_count();
            ApiResp resp;
            int rc = fill(r, names[j], url, sizeof url);

            if (rc == 0) {
                print_message(
                    "# not covered (no object outside A in the demo): "
                    "%s %s {%s}\n",
                    r->method, r->pattern, names[j]);
                no_object++;
                continue;
            }
            assert_int_equal(rc, 1);
            apitest_request(fx->t, r->method, url,
                            is_write(r) ? write_body(r) : NULL, NULL, &resp);
            if (resp.status != 403 && resp.status != 404) {
                /* refused before the object was looked at: fine when a
                 * missing object gets the very same answer */
                char url2[1024];
                ApiResp r2;
                int same;

                assert_int_equal(fill_ex(r, names[j], 1, url2, sizeof url2), 1);
                apitest_request(fx->t, r->method, url2,
                                is_write(r) ? write_body(r) : NULL, NULL, &r2);
                same = resp.status >= 400 && r2.status == resp.status &&
                       strcmp(err_code(&resp), err_code(&r2)) == 0;
                apiresp_release(&r2);
                if (!same) {
                    miss("agent of A reached an object outside A", r->method,
                         url, resp.status, resp.body);
                }
            }
            if (audit_count() != before) {
                miss("agent of A left an audit entry", r->method, url,
                     resp.status, resp.body);
            }
            apiresp_release(&resp);
            covered++;
        }
    }
    print_message("# %d attacks on B's objects, %d without an object\n",
                  covered, no_object);
    assert_true(covered >= 67);
    assert_int_equal(no_object, 0);
    assert_int_equal(fx->failures, 0);
}

/* The same routes with A's own objects answer (the attacks above are not
 * refused for a reason that has nothing to do with scope). */
static void test_agent_reads_own(void **state)
{
    int ok = 0;

    (void)state;
    fx->failures = 0;
    login_as("agent_a");
    for (int i = 0; i < api_routes.n; i++) {
        const Route *r = &api_routes.v[i];
        char names[4][32];
        char url[512];
        ApiResp resp;

        if (!is_cap_route(r) || is_write(r) || obj_names(r, names) == 0 ||
            fill(r, NULL, url, sizeof url) != 1) {
            continue;
        }
        apitest_request(fx->t, "GET", url, NULL, NULL, &resp);
        if (resp.status == 200) {
            ok++;
        } else {
            print_message("# own object not readable: GET %s -> %d %.200s\n",
                          url, resp.status, resp.body);
        }
        apiresp_release(&resp);
    }
    print_message("# %d reads of A's own objects answered 200\n", ok);
    assert_true(ok >= 20);
}

/* Every list, board and statistic the agent of A reads, and its CSV
 * export, names nothing of B. */
static void test_lists_show_only_a(void **state)
{
    int lists = 0;

    (void)state;
    fx->failures = 0;
    login_as("agent_a");
    for (int i = 0; i < api_routes.n; i++) {
        const Route *r = &api_routes.v[i];
        char names[4][32];
        char url[512];

        if (!is_cap_route(r) || is_write(r) || obj_names(r, names) != 0) {
            continue;
        }
        if (fill(r, NULL, url, sizeof url) != 1) {
            print_message("# list not covered: %s\n", r->pattern);
            continue;
        }
        for (int f = 0; f < 2; f++) {
            char u2[1024];
            ApiResp resp;

            snprintf(u2, sizeof u2, "%s%s", url,
                     f == 0
                         ? ""
                         : (strchr(url, '?') ? "&format=csv" : "?format=csv"));
            apitest_request(fx->t, "GET", u2, NULL, NULL, &resp);
            if (resp.status == 200 && resp.body) {
                for (int m = 0; m < fx->n_markers; m++) {
                    if (strstr(resp.body, fx->markers[m])) {
                        char what[1200];
                        snprintf(what, sizeof what, "%s (%s)", u2,
                                 fx->markers[m]);
                        miss("list shows what lies outside A to its agent",
                             "GET", what, resp.status, NULL);
                        break;
                    }
                }
            }
            apiresp_release(&resp);
            lists++;
        }
    }
    print_message("# %d list answers searched for B's names\n", lists);
    assert_true(lists >= 40);
    assert_int_equal(fx->failures, 0);
}

/* A service log of another unit that A sees through one of its
 * enterprises (a district training) names none of the other units'
 * enterprises. */
static void test_shared_log_shows_only_a(void **state)
{
    char url[128];
    ApiResp r;
    int64_t log =
        one_id("SELECT x.id FROM service_logs x JOIN org_units o ON o.id = "
               "x.unit_id WHERE o.path NOT LIKE $1 AND EXISTS (SELECT 1 FROM "
               "service_log_enterprises z JOIN enterprises ze ON ze.id = "
               "z.enterprise_id JOIN org_units zo ON zo.id = ze.unit_id WHERE "
               "z.log_id = x.id AND zo.path LIKE $1) ORDER BY x.id",
               fx->path_a, 0);

    (void)state;
    fx->failures = 0;
    if (log == 0) {
        print_message("# not covered: no shared service log in the demo\n");
        return;
    }
    login_as("agent_a");
    snprintf(url, sizeof url, "/api/v1/service/logs/%lld", (long long)log);
    apitest_request(fx->t, "GET", url, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    for (int m = 0; m < fx->n_markers; m++) {
        if (strstr(r.body, fx->markers[m])) {
            miss("a shared log names what lies outside A", "GET", url, r.status,
                 fx->markers[m]);
        }
    }
    apiresp_release(&r);
    assert_int_equal(fx->failures, 0);
}

/* Read-only roles never write: the leader's session and a leader token. */
static void test_readonly_never_writes(void **state)
{
    int checked = 0;

    (void)state;
    fx->failures = 0;
    for (int who = 0; who < 2; who++) {
        if (who == 0) {
            login_as("leader");
        } else {
            apitest_logout_local(fx->t);
            snprintf(fx->t->bearer, sizeof fx->t->bearer, "%s", fx->token);
        }
        for (int i = 0; i < api_routes.n; i++) {
            const Route *r = &api_routes.v[i];
            char url[512];
            ApiResp resp;
            int64_t before = audit_count();

            if (!is_cap_route(r) || !is_write(r) ||
                fill(r, NULL, url, sizeof url) != 1) {
                continue;
            }
            apitest_request(fx->t, r->method, url, write_body(r), NULL, &resp);
            /* a few reads are POSTs (what-if, rule checks): PERM_READ */
            if (r->perm >= PERM_WRITE && resp.status != 403) {
                miss(who == 0 ? "read-only leader wrote"
                              : "read-only token wrote",
                     r->method, url, resp.status, resp.body);
            }
            if (r->perm >= PERM_WRITE && audit_count() != before) {
                miss("read-only audit entry", r->method, url, resp.status,
                     resp.body);
            }
            apiresp_release(&resp);
            checked++;
        }
    }
    print_message("# %d write attempts by read-only roles\n", checked);
    assert_true(checked >= 60);
    assert_int_equal(fx->failures, 0);
}

/* Every capability route's parameters are known to this test. */
static void test_every_param_known(void **state)
{
    int unknown = 0;

    (void)state;
    for (int i = 0; i < api_routes.n; i++) {
        const Route *r = &api_routes.v[i];
        const char *s = r->pattern;

        if (!is_cap_route(r)) {
            continue;
        }
        while ((s = strchr(s, '{')) != NULL) {
            const char *end = strchr(s, '}');
            char name[32];
            size_t len = (size_t)(end - s - 1);

            memcpy(name, s + 1, len);
            name[len] = '\0';
            if (!obj_param(r, name) && !public_param(r, name)) {
                print_message("# unknown parameter {%s} of %s %s\n", name,
                              r->method, r->pattern);
                unknown++;
            }
            s = end + 1;
        }
    }
    assert_int_equal(unknown, 0);
}

/* A pipeline task's owner is a user who can see its enterprise: not a
 * user of another street. */
static void test_task_owner_in_scope(void **state)
{
    char url[128], body[128];
    int64_t task =
        one_id("SELECT x.id FROM pipeline_tasks x " ENT_IN, fx->path_a, 0);
    int64_t entry =
        one_id("SELECT x.id FROM pipeline_entries x JOIN enterprises e ON "
               "e.id = x.enterprise_id JOIN org_units o ON o.id = e.unit_id "
               "WHERE o.path LIKE $1 AND x.stage = 'cultivating' ORDER BY x.id",
               fx->path_a, 0);
    ApiResp r;

    (void)state;
    assert_true(task > 0);
    assert_true(entry > 0);
    login_as("agent_a");
    snprintf(url, sizeof url, "/api/v1/pipeline/tasks/%lld", (long long)task);
    snprintf(body, sizeof body, "{\"owner_user_id\": %lld}",
             (long long)fx->agent_b);
    apitest_request(fx->t, "PATCH", url, body, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "owner_user_id"));
    apiresp_release(&r);
    snprintf(url, sizeof url, "/api/v1/pipeline/entries/%lld/tasks",
             (long long)entry);
    snprintf(body, sizeof body,
             "{\"title\": \"走访\", \"owner_user_id\": %lld}",
             (long long)fx->agent_b);
    assert_int_equal(apitest_status(fx->t, "POST", url, body), 400);
    /* a user of the street itself, or the bureau above it: accepted */
    snprintf(url, sizeof url, "/api/v1/pipeline/tasks/%lld", (long long)task);
    snprintf(body, sizeof body, "{\"owner_user_id\": %lld}",
             (long long)fx->agent_a);
    assert_int_equal(apitest_status(fx->t, "PATCH", url, body), 200);
    snprintf(body, sizeof body, "{\"owner_user_id\": %lld}",
             (long long)fx->t->admin_id);
    assert_int_equal(apitest_status(fx->t, "PATCH", url, body), 200);
}

/* Sum of an integer member over a list answer's items. */
static int64_t sum_of(json_t *items, const char *k)
{
    int64_t n = 0;
    size_t i;
    json_t *it;

    json_array_foreach(items, i, it)
    {
        n += json_integer_value(json_object_get(it, k));
    }
    return n;
}

/* Notices and payment batches: the agent of A lists only those with a
 * row of A, counted and summed over A's rows; the bureau sees them all. */
static void test_notices_batches_scoped(void **state)
{
    char sql[1024];
    ApiResp r;
    int64_t n_all, n_a, sum_a;

    (void)state;
    n_all = count_of("SELECT COUNT(*) FROM policy_notices");
    snprintf(sql, sizeof sql,
             "SELECT COUNT(DISTINCT x.id) FROM (%s) y JOIN "
             "policy_notices x ON x.id = y.notice_id",
             NOTICES_OF_A);
    n_a = one_id(sql, fx->path_a, 0);
    sum_a = one_id("SELECT COALESCE(SUM(a.amount), 0) FROM "
                   "policy_applications a JOIN enterprises e ON e.id = "
                   "a.enterprise_id JOIN org_units o ON o.id = e.unit_id "
                   "WHERE o.path LIKE $1 AND a.notice_id IS NOT NULL",
                   fx->path_a, 0);
    assert_true(n_all > n_a); /* some notice has no row of A */
    login_as("agent_a");
    apitest_request(fx->t, "GET", "/api/v1/policy-notices", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), n_a);
    assert_int_equal(sum_of(json_object_get(r.json, "items"), "total"), sum_a);
    apiresp_release(&r);

    n_all = count_of("SELECT COUNT(*) FROM policy_batches");
    snprintf(sql, sizeof sql,
             "SELECT COUNT(DISTINCT x.id) FROM (%s) y JOIN "
             "policy_batches x ON x.id = y.batch_id",
             BATCHES_OF_A);
    n_a = one_id(sql, fx->path_a, 0);
    sum_a = one_id("SELECT COALESCE(SUM(p.amount), 0) FROM policy_payments p "
                   "JOIN policy_applications a ON a.id = p.application_id "
                   "JOIN enterprises e ON e.id = a.enterprise_id JOIN "
                   "org_units o ON o.id = e.unit_id WHERE o.path LIKE $1 AND "
                   "p.batch_id IS NOT NULL",
                   fx->path_a, 0);
    assert_true(n_all > n_a);
    apitest_request(fx->t, "GET", "/api/v1/policy-batches", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), n_a);
    assert_int_equal(sum_of(json_object_get(r.json, "items"), "total"), sum_a);
    assert_int_equal(sum_of(json_object_get(r.json, "items"), "rows_sum"),
                     sum_a);
    /* the export (the shared list helper): the same rows, totals in 万元 */
    {
        ApiResp x;
        json_t *it;
        size_t i;

        apitest_request(fx->t, "GET", "/api/v1/policy-batches?format=csv", NULL,
                        NULL, &x);
        assert_int_equal(x.status, 200);
        assert_non_null(strstr(x.body, "批次编号,批次名称,拨付日期,凭证号,笔数,"
                                       "合计（万元）"));
        json_array_foreach(json_object_get(r.json, "items"), i, it)
        {
            char want[256];
            Buf w;

            buf_init(&w, 64);
            money_format_wan(json_integer_value(json_object_get(it, "total")),
                             &w);
            snprintf(
                want, sizeof want, "%s,%lld,%s\r\n",
                json_string_value(json_object_get(it, "voucher_no")),
                (long long)json_integer_value(json_object_get(it, "n_rows")),
                w.data);
            buf_release(&w);
            if (!strstr(x.body, want)) {
                fail_msg("export lacks %s: %s", want, x.body);
            }
        }
        apiresp_release(&x);
    }
    apiresp_release(&r);

    login_as("staff");
    apitest_request(fx->t, "GET", "/api/v1/policy-batches", NULL, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), n_all);
    assert_int_equal(
        sum_of(json_object_get(r.json, "items"), "total"),
        count_of("SELECT COALESCE(SUM(total), 0) FROM policy_batches"));
    apiresp_release(&r);
    apitest_request(fx->t, "GET", "/api/v1/policy-notices", NULL, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")),
                     count_of("SELECT COUNT(*) FROM policy_notices"));
    apiresp_release(&r);
}

/* The user picker for writers: names and units of the caller's scope
 * only, nothing else about a user; not for read-only roles. */
static void test_user_lookup(void **state)
{
    ApiResp r;
    json_t *it;
    size_t i;
    int seen_self = 0;

    (void)state;
    login_as("agent_a");
    assert_int_equal(apitest_status(fx->t, "GET", "/api/v1/users", NULL), 403);
    apitest_request(fx->t, "GET", "/api/v1/user-lookup?page_size=500", NULL,
                    NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_array_size(json_object_get(r.json, "items")) > 0);
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        int64_t id = json_integer_value(json_object_get(it, "id"));
        assert_int_equal(json_object_size(it), 4);
        assert_non_null(json_object_get(it, "display_name"));
        assert_non_null(json_object_get(it, "unit_name"));
        assert_true(id != fx->agent_b && id != fx->t->admin_id);
        seen_self += id == fx->agent_a;
    }
    assert_int_equal(seen_self, 1);
    assert_null(strstr(r.body, "agent_b"));
    assert_null(strstr(r.body, "password"));
    assert_null(strstr(r.body, "role"));
    apiresp_release(&r);
    login_as("leader");
    assert_int_equal(apitest_status(fx->t, "GET", "/api/v1/user-lookup", NULL),
                     403);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_param_known),
        cmocka_unit_test(test_agent_cannot_reach_b),
        cmocka_unit_test(test_agent_reads_own),
        cmocka_unit_test(test_lists_show_only_a),
        cmocka_unit_test(test_shared_log_shows_only_a),
        cmocka_unit_test(test_readonly_never_writes),
        cmocka_unit_test(test_task_owner_in_scope),
        cmocka_unit_test(test_notices_batches_scoped),
        cmocka_unit_test(test_user_lookup),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
