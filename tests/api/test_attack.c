/* test_attack.c - every route of the table attacked with hostile input.
 *
 * The demo district is generated; an administrator, a read-only leader and
 * a street agent (unit A) are logged in. For every route of api_routes (the
 * table itself, not a copy) and each of the three users:
 * - bodies: none, empty, not an object, 10 000 levels deep, over the body
 *   cap, invalid UTF-8, with a NUL byte;
 * - path parameters: 0, -1, 99999999999999999999, abc, %00, an id that does
 *   not exist and (for the agent) one outside unit A;
 * - GET routes: page=-1, page_size=10^9, sort on an unknown column,
 *   repeated parameters, and each query parameter named in openapi.json
 *   with hostile values;
 * - the administrator (every value) and the agent (a sample) send, for
 *   each field of the route's request schema in openapi.json (or a list of
 *   common field names where the schema names none), a valid-looking body
 *   with that one field replaced by a wrong type, null, -1, 1e308, 2^63,
 *   1.5, a 100 KB string, an impossible date or an id of nothing / of an
 *   object outside A.
 * Every answer must be below 500; a 4xx must be a JSON error whose message
 * is Chinese, and must have written nothing (the audit log's last id is
 * unchanged); after each route the user's session still answers. All
 * misses are printed, then the test fails if there was any. */
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
#include "common/apitest.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/scope.h"
#include "domain/demo/demo.h"
#include "domain/jobs/job.h"
#include "http/http.h"
#include "http/routes.h"

extern const char *const kc_openapi_json;
extern const size_t kc_openapi_json_len;

#define PASSWORD "Attack-Test-8642"
#define MAX_PRINT 200
#define PLACEHOLDER "@@attack@@"

enum { U_ADMIN, U_LEADER, U_AGENT, U__COUNT };

static const char *const user_names[U__COUNT] = {"admin", "leader", "agent_a"};

typedef struct Fx {
    ApiTest *t;
    json_t *openapi;
    int64_t unit_a, unit_b;
    char path_a[64]; /* "/1/3/" */
    int64_t victim;  /* a user the attacks may change */
    Actor actor[U__COUNT];
    char cookie[U__COUNT][160];
    char csrf[U__COUNT][64];
    int64_t ent_in, ent_out; /* an enterprise inside A, one outside */
    char ent_name[128];      /* ent_in's name */
    int64_t demand;          /* a demand of the market (challenges) */
    /* per scope: an id the administrator sees, one inside A, one outside */
    int64_t sid_any[SCOPE__COUNT], sid_in[SCOPE__COUNT], sid_out[SCOPE__COUNT];
    char *big;      /* a 100 KB JSON string value, quoted */
    char *big_body; /* {"name": big} */
    char *huge;     /* a body over HTTP_BODY_MAX */
    size_t huge_len;
    char *deep; /* 10 000 nested arrays */
    int user;   /* the logged-in user */
    int requests;
    int by_class[6]; /* answers by status / 100 */
    int failures;
} Fx;

static Fx *fx;

static int64_t one_int(const char *sql)
{
    DbStmt *st = NULL;
    int64_t v = 0;
    Err e;

    err_clear(&e);
    if (db_prepare_v(fx->t->db, &st, &e, sql, "") != 0) {
        db_finalize(st);
        return 0; /* a table this schema lacks */
    }
    if (db_step(st, &e) == DB_ROW) {
        v = db_col_int64(st, 0);
    }
    db_finalize(st);
    return v;
}

static int64_t audit_last(void)
{
    return one_int("SELECT MAX(id) FROM audit_log");
}

static void use_user(int u)
{
    fx->user = u;
    snprintf(fx->t->cookie, sizeof fx->t->cookie, "%s", fx->cookie[u]);
    snprintf(fx->t->csrf, sizeof fx->t->csrf, "%s", fx->csrf[u]);
    fx->t->bearer[0] = '\0';
}

static void login_user(int u)
{
    const char *pw = u == U_ADMIN ? APITEST_ADMIN_PASSWORD : PASSWORD;

    apitest_logout_local(fx->t);
    assert_int_equal(apitest_login(fx->t, user_names[u], pw), 200);
    snprintf(fx->cookie[u], sizeof fx->cookie[u], "%s", fx->t->cookie);
    snprintf(fx->csrf[u], sizeof fx->csrf[u], "%s", fx->t->csrf);
    fx->user = u;
}

static void miss(const char *what, const char *method, const char *url,
                 const char *body, int status, const char *answer)
{
    if (fx->failures < MAX_PRINT) {
        print_message("ATTACK %s [%s]: %s %.200s body %.120s -> %d: %.300s\n",
                      what, user_names[fx->user], method, url,
                      body ? body : "(none)", status, answer ? answer : "");
    }
    fx->failures++;
}

/* Does s hold a non-ASCII byte (the message is Chinese)? */
static int has_cjk(const char *s)
{
    for (; s && *s; s++) {
        if ((unsigned char)*s >= 0x80) {
            return 1;
        }
    }
    return 0;
}

/* One hostile request and the checks every answer must pass. */
static void attack_len(const Route *r, const char *url, const char *body,
                       size_t len)
{
    int64_t before = audit_last();
    ApiResp a;
    int st;

    fx->requests++;
    st = apitest_request_len(fx->t, r->method, url, body, len, NULL, &a);
    fx->by_class[st / 100 < 6 ? st / 100 : 0]++;
    if (st >= 200 && st < 300) {
        /* a job it started audits its end: not during the next request */
        job_wait_all(0);
    }
    if (st >= 500 || st < 200) {
        miss("status", r->method, url, body, st, a.body);
    } else if (st >= 400) {
        json_t *m =
            json_object_get(json_object_get(a.json, "error"), "message");
        if (!json_is_string(m) || !has_cjk(json_string_value(m))) {
            miss("error body", r->method, url, body, st, a.body);
        }
        /* a refused login is audited (its own rule); nothing else */
        if (audit_last() != before &&
            strcmp(r->pattern, "/api/v1/session") != 0) {
            miss("write on 4xx", r->method, url, body, st, a.body);
        }
    }
    apiresp_release(&a);
}

static void attack(const Route *r, const char *url, const char *body)
{
    attack_len(r, url, body, body ? strlen(body) : 0);
}

/* ---- the route's parameters -------------------------------------------- */

/* Table of a non-{id} path parameter: the id of one of its rows. */
static const struct {
    const char *name, *table;
} param_tables[] = {
    {"aid", "policy_applications"},
    {"ask_id", "service_asks"},
    {"batch_id", "pipeline_batches"},
    {"bid", "policy_batches"},
    {"cid", "industry_catalogue"},
    {"conflict_id", "import_conflicts"},
    {"entry_id", "pipeline_entries"},
    {"fact_id", "enterprise_facts"},
    {"iid", "policy_items"},
    {"import_id", "qual_imports"},
    {"ip_id", "ip_rights"},
    {"log_id", "service_logs"},
    {"nid", "policy_notices"},
    {"oid", "policy_objections"},
    {"pid", "policies"},
    {"qual_id", "qualifications"},
    {"rule_id", "calendar_rules"},
    {"sid", "policy_scenarios"},
    {"talent_id", "talents"},
    {"task_id", "pipeline_tasks"},
    {"tenant_id", "carrier_tenants"},
};

/* The value of parameter `name` of route r when it is not the one under
 * attack: an object the current user sees. */
static void param_value(const Route *r, const char *name, char *out, size_t cap)
{
    char sql[160];
    int64_t id = 0;

    if (strcmp(name, "id") == 0) {
        id = fx->user == U_AGENT ? fx->sid_in[r->scope] : fx->sid_any[r->scope];
        if (r->scope == SCOPE_USER) {
            id = fx->victim;
        }
        snprintf(out, cap, "%lld", (long long)(id ? id : 999999));
        return;
    }
    if (strcmp(name, "year") == 0) {
        snprintf(out, cap, "2025");
        return;
    }
    if (strcmp(name, "kind") == 0) {
        snprintf(out, cap, "%s",
                 strstr(r->pattern, "carrier") ? "carriers" : "enterprises");
        return;
    }
    if (strcmp(name, "rid") == 0) {
        snprintf(out, cap, "hnte");
        return;
    }
    for (size_t i = 0; i < sizeof param_tables / sizeof param_tables[0]; i++) {
        if (strcmp(param_tables[i].name, name) == 0) {
            /* the newest application: the one the attacks' base body
             * created, still open to review */
            snprintf(sql, sizeof sql, "SELECT %s(id) FROM %s",
                     strcmp(name, "aid") == 0 ? "MAX" : "MIN",
                     param_tables[i].table);
            id = one_int(sql);
        }
    }
    snprintf(out, cap, "%lld", (long long)(id ? id : 1));
}

/* The URL of r with every parameter filled, the one named `attack`
 * (when not NULL) with `value`. */
static void build_url(const Route *r, const char *attack_name,
                      const char *value, char *url, size_t cap)
{
    const char *s = r->pattern;
    size_t n = 0;

    while (*s && n + 64 < cap) {
        if (*s == '{') {
            const char *end = strchr(s, '}');
            char name[32], v[64];
            size_t len = (size_t)(end - s - 1);

            memcpy(name, s + 1, len);
            name[len] = '\0';
            if (attack_name && strcmp(attack_name, name) == 0) {
                snprintf(v, sizeof v, "%s", value);
            } else {
                param_value(r, name, v, sizeof v);
            }
            n += (size_t)snprintf(url + n, cap - n, "%s", v);
            s = end + 1;
        } else {
            url[n++] = *s++;
        }
    }
    url[n] = '\0';
}

/* ---- the OpenAPI description ---------------------------------------------
 */

static json_t *resolve(json_t *s)
{
    for (int k = 0; k < 8 && json_is_object(s); k++) {
        const char *ref = json_string_value(json_object_get(s, "$ref"));
        const char *slash;
        if (!ref) {
            break;
        }
        slash = strrchr(ref, '/');
        if (strstr(ref, "/parameters/")) {
            s = json_object_get(
                json_object_get(json_object_get(fx->openapi, "components"),
                                "parameters"),
                slash + 1);
        } else {
            s = json_object_get(
                json_object_get(json_object_get(fx->openapi, "components"),
                                "schemas"),
                slash + 1);
        }
    }
    return s;
}

static json_t *operation(const Route *r)
{
    char m[16];
    size_t i;

    for (i = 0; r->method[i] && i + 1 < sizeof m; i++) {
        m[i] = (char)(r->method[i] | 0x20);
    }
    m[i] = '\0';
    return json_object_get(
        json_object_get(json_object_get(fx->openapi, "paths"),
                        r->pattern + strlen("/api/v1")),
        m);
}

/* The request schema of r (resolved), or NULL. */
static json_t *body_schema(const Route *r)
{
    json_t *s = json_object_get(
        json_object_get(
            json_object_get(json_object_get(operation(r), "requestBody"),
                            "content"),
            "application/json"),
        "schema");
    s = resolve(s);
    if (json_is_object(s) && json_object_get(s, "allOf")) {
        s = resolve(json_array_get(json_object_get(s, "allOf"), 0));
    }
    return json_is_object(s) ? s : NULL;
}

/* A plausible value for a field of that schema. */
static json_t *good_value(const char *name, json_t *ps)
{
    const char *type;
    const char *fmt;
    size_t nl = strlen(name);

    ps = resolve(ps);
    type = json_string_value(json_object_get(ps, "type"));
    fmt = json_string_value(json_object_get(ps, "format"));
    if (json_is_array(json_object_get(ps, "enum"))) {
        return json_incref(json_array_get(json_object_get(ps, "enum"), 0));
    }
    if (nl > 3 && strcmp(name + nl - 3, "_id") == 0) {
        if (strcmp(name, "unit_id") == 0) {
            return json_integer(fx->unit_a);
        }
        return json_integer(fx->ent_in);
    }
    if (!type) {
        return json_string("测试");
    }
    if (strcmp(type, "integer") == 0) {
        return json_integer(strcmp(name, "year") == 0 ? 2025 : 1);
    }
    if (strcmp(type, "number") == 0) {
        return json_real(1.0);
    }
    if (strcmp(type, "boolean") == 0) {
        return json_false();
    }
    if (strcmp(type, "array") == 0) {
        return json_array();
    }
    if (strcmp(type, "object") == 0) {
        return json_object();
    }
    if ((fmt && strcmp(fmt, "date") == 0) ||
        (nl > 3 && strcmp(name + nl - 3, "_on") == 0)) {
        return json_string("2025-06-01");
    }
    return json_string("测试");
}

/* ---- the attacks ----------------------------------------------------------
 */

static void attack_bodies(const Route *r, const char *url)
{
    static const char nul_body[] = "{\"name\":\"a\0b\"}";

    attack(r, url, NULL);
    attack(r, url, "");
    attack(r, url, "[1,2]");
    attack(r, url, "\"text\"");
    attack(r, url, "42");
    attack(r, url, "{\"a\":");
    attack(r, url, fx->deep);
    attack(r, url, "{\"name\":\"\xff\xfe\xc0\xaf\"}");
    attack_len(r, url, nul_body, sizeof nul_body - 1);
    attack(r, url, fx->big_body);
    if (fx->user == U_ADMIN) {
        attack_len(r, url, fx->huge, fx->huge_len);
    }
}

static void attack_path(const Route *r)
{
    static const char *const bad[] = {
        "0",   "-1",     "99999999999999999999",
        "abc", "%00",    "999999999",
        "1.5", "%2e%2e", "%ff",
    };
    const char *s = r->pattern;
    char url[512];

    while ((s = strchr(s, '{')) != NULL) {
        const char *end = strchr(s, '}');
        char name[32];
        size_t len = (size_t)(end - s - 1);

        memcpy(name, s + 1, len);
        name[len] = '\0';
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            build_url(r, name, bad[i], url, sizeof url);
            attack(r, url, NULL);
        }
        if (fx->user == U_AGENT && strcmp(name, "id") == 0 &&
            fx->sid_out[r->scope]) {
            char v[32];
            snprintf(v, sizeof v, "%lld", (long long)fx->sid_out[r->scope]);
            build_url(r, name, v, url, sizeof url);
            attack(r, url, NULL);
        }
        s = end + 1;
    }
}

static void attack_query(const Route *r)
{
    static const char *const fixed[] = {
        "page=-1",
        "page_size=1000000000",
        "page=99999999999999999999",
        "sort=no_such_column",
        "sort=-name;DROP",
        "order=sideways",
        "page=1&page=2&page_size=5&page_size=abc",
        "q=%00%ff%fe",
        "format=exe",
        "year=-1&from=2025-02-30&to=0000-00-00",
    };
    static const char *const vals[] = {
        "-1",         "99999999999999999999", "abc",
        "2025-02-30", "99999-01-01",          "%00",
        "1e308",
    };
    json_t *params = json_object_get(operation(r), "parameters");
    char base[512], url[1024];
    size_t i;
    json_t *p;

    build_url(r, NULL, NULL, base, sizeof base);
    for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        snprintf(url, sizeof url, "%s?%s", base, fixed[i]);
        attack(r, url, NULL);
    }
    if (fx->user == U_LEADER) {
        return; /* the same handlers as the others' (sampled) */
    }
    json_array_foreach(params, i, p)
    {
        const char *name, *in;
        p = resolve(p);
        name = json_string_value(json_object_get(p, "name"));
        in = json_string_value(json_object_get(p, "in"));
        if (!name || !in || strcmp(in, "query") != 0) {
            continue;
        }
        for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
            snprintf(url, sizeof url, "%s?%s=%s", base, name, vals[k]);
            attack(r, url, NULL);
        }
    }
}

/* Field names tried where the schema names none. */
static const char *const common_fields[] = {
    "name",  "year",   "enterprise_id", "unit_id", "reason",  "amount",
    "items", "status", "kind",          "date",    "comment", "title",
};

static void attack_field(const Route *r, const char *url, json_t *base,
                         const char *field)
{
    const char *vals[24];
    char outside[32], unit_b[32];
    int n = 0;

    vals[n++] = "null";
    vals[n++] = "\"abc\"";
    vals[n++] = "-1";
    vals[n++] = "999999999";
    if (fx->user == U_ADMIN) {
        vals[n++] = "true";
        vals[n++] = "[]";
        vals[n++] = "{}";
        vals[n++] = "[{\"x\":[1,{}]}]";
        vals[n++] = "0";
        vals[n++] = "1e308";
        vals[n++] = "-1e308";
        vals[n++] = "9223372036854775808";
        vals[n++] = "-9223372036854775809";
        vals[n++] = "1.5";
        vals[n++] = "\"2025-02-30\"";
        vals[n++] = "\"0000-00-00\"";
        vals[n++] = "\"99999-01-01\"";
        vals[n++] = "\"a\\u0000b\"";
        vals[n++] = "\"\"";
        vals[n++] = fx->big;
    } else {
        snprintf(outside, sizeof outside, "%lld", (long long)fx->ent_out);
        snprintf(unit_b, sizeof unit_b, "%lld", (long long)fx->unit_b);
        vals[n++] = outside;
        vals[n++] = unit_b;
    }
    for (int i = 0; i < n; i++) {
        /* the value goes in as text: jansson refuses 2^63 */
        json_t *b = json_deep_copy(base);
        char *text, *at, *body;
        size_t len;

        json_object_set_new(b, field, json_string(PLACEHOLDER));
        text = json_dumps(b, JSON_COMPACT);
        at = strstr(text, "\"" PLACEHOLDER "\"");
        assert_non_null(at);
        len = strlen(text) + strlen(vals[i]) + 1;
        body = malloc(len);
        snprintf(body, len, "%.*s%s%s", (int)(at - text), text, vals[i],
                 at + strlen(PLACEHOLDER) + 2);
        attack(r, url, body);
        free(body);
        free(text);
        json_decref(b);
    }
}

/* Valid bodies for some writes (from the tests of each capability), so
 * that a field's hostile value is met past the first required-field check.
 * $ENT, $UNIT, $NAME, $USCC and $DEMAND are an enterprise of A, unit A, the
 * enterprise's name, a fresh credit code and a demand of the market; $ITEM
 * and $APP the first policy item and policy application. */
static const struct {
    const char *method, *pattern, *body;
} base_bodies[] = {
    {"POST", "/api/v1/enterprises",
     "{\"uscc\":\"$USCC\",\"name\":\"攻击测试企业\",\"unit_id\":$UNIT}"},
    {"POST", "/api/v1/carriers",
     "{\"name\":\"攻击孵化器\",\"type\":\"incubator\",\"unit_id\":$UNIT,"
     "\"operator_name\":\"天津某运营机构\",\"level\":\"municipal\","
     "\"recognized_on\":\"2019-05-01\",\"area\":5000,\"incubation_area\":"
     "3000,\"mentors\":12}"},
    {"POST", "/api/v1/carriers/{id}/tenants",
     "{\"enterprise_id\":$ENT,\"moved_in\":\"2024-01-01\"}"},
    {"PATCH", "/api/v1/carriers/{id}", "{\"note\":\"攻击\"}"},
    {"POST", "/api/v1/platforms",
     "{\"kind\":\"key_lab\",\"name\":\"攻击重点实验室\",\"level\":"
     "\"municipal\",\"host_enterprise_id\":$ENT,\"unit_id\":$UNIT,"
     "\"recognized_on\":\"2021-06-01\",\"recognition_doc\":"
     "\"津科〔2021〕99号\"}"},
    {"POST", "/api/v1/market-items",
     "{\"kind\":\"demand\",\"title\":\"振动抑制\",\"org_name\":\"$NAME\","
     "\"summary\":\"振动\"}"},
    {"POST", "/api/v1/challenges",
     "{\"demand_id\":$DEMAND,\"money_wan\":\"50\",\"date\":\"2026-12-31\"}"},
    {"POST", "/api/v1/plans",
     "{\"name\":\"攻击计划\",\"doc_no\":\"东政办发〔2020〕9号\","
     "\"year_from\":2020,\"year_to\":2022,\"base_year\":2019}"},
    {"POST", "/api/v1/pipeline/batches",
     "{\"tier\":\"hnte\",\"year\":2024,\"name\":\"攻击批次\"}"},
    {"POST", "/api/v1/service/logs",
     "{\"kind\":\"training\",\"held_on\":\"2025-03-01\",\"title\":"
     "\"培训\",\"enterprise_ids\":[$ENT]}"},
    {"POST", "/api/v1/pipeline/entries/{entry_id}/tasks",
     "{\"title\":\"攻击任务\"}"},
    {"POST", "/api/v1/plan-tasks/{id}/milestones",
     "{\"title\":\"攻击节点\",\"due_on\":\"2025-12-31\"}"},
    {"POST", "/api/v1/plan-tasks/{id}/reports",
     "{\"period\":\"2022Q3\",\"text\":\"攻击报送\"}"},
    {"POST", "/api/v1/service/asks/{ask_id}/follow-ups",
     "{\"note\":\"攻击跟进\"}"},
    {"POST", "/api/v1/org-units",
     "{\"parent_id\":$UNIT,\"name\":\"攻击社区\"}"},
    {"POST", "/api/v1/api-tokens", "{\"name\":\"攻击令牌\"}"},
    {"POST", "/api/v1/enterprises/{id}/ip-rights",
     "{\"kind\":\"invention\",\"number\":\"ZL202110000001.1\",\"title\":"
     "\"装置一\",\"applied_on\":\"2021-05-01\"}"},
    {"POST", "/api/v1/enterprises/{id}/facts",
     "{\"kind\":\"financing\",\"amount_wan\":\"300\",\"occurred_on\":"
     "\"2023-03-01\"}"},
    {"POST", "/api/v1/enterprises/{id}/qualifications",
     "{\"kind\":\"hnte\",\"cert_no\":\"GR202412000777\",\"issued_on\":"
     "\"2024-03-01\"}"},
    {"POST", "/api/v1/enterprises/{id}/qualifications/{qual_id}/end",
     "{\"status\":\"revoked\",\"ended_on\":\"2026-06-01\",\"end_reason\":"
     "\"复核不符合条件\"}"},
    {"POST", "/api/v1/calendar/rules",
     "{\"kind\":\"hnte\",\"event\":\"x\",\"anchor\":\"yearly\",\"month\":1,"
     "\"day\":1,\"title\":\"x\",\"source\":\"x\"}"},
    {"POST", "/api/v1/enterprises/{id}/talents",
     "{\"name\":\"张三\",\"programme\":\"haihe\"}"},
    {"PUT", "/api/v1/enterprises/{id}/listing",
     "{\"stage\":\"listed\",\"entered_on\":\"2022-01-01\",\"listed_on\":"
     "\"2022-01-01\"}"},
    {"POST", "/api/v1/platforms/{id}/members",
     "{\"enterprise_id\":$ENT,\"joined_on\":\"2022-03-01\"}"},
    {"POST", "/api/v1/pipeline/batches/{batch_id}/entries",
     "{\"enterprise_id\":$ENT,\"reason\":\"重点培育\"}"},
    {"POST", "/api/v1/pipeline/entries/{entry_id}/actions",
     "{\"action\":\"cultivate\"}"},
    {"POST", "/api/v1/service/asks",
     "{\"enterprise_id\":$ENT,\"content\":\"融资对接\"}"},
    {"POST", "/api/v1/service/asks/{ask_id}/void", "{\"reason\":\"攻击\"}"},
    {"POST", "/api/v1/service/logs/{log_id}/delete", "{\"reason\":\"攻击\"}"},
    {"POST", "/api/v1/policies/{pid}/items",
     "{\"code\":\"atk\",\"title\":\"新条款\",\"amount_kind\":\"fixed\","
     "\"amount_wan\":\"3\",\"budget_line\":\"x\"}"},
    {"POST", "/api/v1/policy-applications/{aid}/review",
     "{\"stage\":\"street\",\"decision\":\"approve\"}"},
    {"POST", "/api/v1/policy-applications/{aid}/clawbacks",
     "{\"amount_wan\":\"25\",\"reason\":\"迁出本区\"}"},
    {"POST", "/api/v1/policy-notices/{nid}/objections",
     "{\"application_id\":$APP,\"content\":\"该企业已迁出\",\"received_on\":"
     "\"2024-06-09\"}"},
    {"POST", "/api/v1/enterprises/{id}/qualifications/{qual_id}/rename",
     "{\"cert_name\":\"天津甲新科技有限公司\",\"renamed_on\":\"2021-06-01\"}"},
    {"POST", "/api/v1/policy-applications",
     "{\"item_id\":$ITEM,\"enterprise_id\":$ENT,\"year\":2024}"},
    {"POST", "/api/v1/policy-notices",
     "{\"title\":\"拟兑现名单公示\",\"start_on\":\"2024-06-01\",\"end_on\":"
     "\"2024-06-07\",\"contact\":\"区科技局\",\"application_ids\":[$APP]}"},
    {"POST", "/api/v1/policy-batches",
     "{\"title\":\"第一批\",\"paid_on\":\"2024-06-10\",\"voucher_no\":"
     "\"PZ-001\",\"total_wan\":\"20\",\"rows\":[{\"application_id\":$APP,"
     "\"amount_wan\":\"20\"}]}"},
    {"PUT", "/api/v1/policy-budgets",
     "{\"line\":\"高企认定奖励\",\"year\":2024,\"amount_wan\":\"30\"}"},
    {"POST", "/api/v1/contracts",
     "{\"reg_no\":\"2025120100000001\",\"title\":\"电机控制开发\",\"type\":"
     "\"KF\",\"seller_name\":\"天津大学\",\"buyer_name\":\"$NAME\","
     "\"amount_wan\":\"20\",\"field\":3,\"signed_on\":\"2025-03-01\","
     "\"registered_on\":\"2025-03-10\"}"},
    {"POST", "/api/v1/market-events",
     "{\"title\":\"成果对接会\",\"held_on\":\"2026-05-20\",\"place\":"
     "\"报告厅\",\"organiser\":\"区科技局\",\"unit_id\":$UNIT,\"items\":[],"
     "\"attendees\":[{\"kind\":\"enterprise\",\"ent_id\":$ENT,"
     "\"attended\":true}],\"deals\":[{\"title\":\"许可\",\"parties\":"
     "\"甲 → 乙\",\"amount_wan\":\"35.5\"}]}"},
    {"POST", "/api/v1/plans/{id}/indicators",
     "{\"name\":\"高新技术企业数量\",\"unit\":\"家\"}"},
    {"POST", "/api/v1/plan-indicators/{id}/actuals",
     "{\"period\":\"2022Q2\",\"value\":\"3\"}"},
    {"POST", "/api/v1/plan-indicators/{id}/sources",
     "{\"source\":\"contracts\"}"},
    {"POST", "/api/v1/plans/{id}/notices",
     "{\"unit_id\":$UNIT,\"text\":\"请报送名单\",\"deadline\":"
     "\"2022-10-15\"}"},
    {"POST", "/api/v1/plans/{id}/meetings",
     "{\"held_on\":\"2022-10-08\",\"title\":\"联席会议\",\"problems\":"
     "\"进度偏慢\",\"decisions\":[{\"unit_id\":$UNIT,\"text\":\"报送\","
     "\"deadline\":\"2022-11-30\"}]}"},
    {"POST", "/api/v1/plans/{id}/evaluations", "{\"quarter\":\"2022Q3\"}"},
    {"POST", "/api/v1/plans/{id}/schemes",
     "{\"weights\":{\"indicator\":50,\"task\":50}}"},
};

/* The base body of r with its placeholders filled, or NULL. */
static json_t *base_body(const Route *r)
{
    char text[2048], v[160];
    static int n_uscc;

    for (size_t i = 0; i < sizeof base_bodies / sizeof base_bodies[0]; i++) {
        const char *s = base_bodies[i].body;
        size_t n = 0;

        if (strcmp(base_bodies[i].method, r->method) != 0 ||
            strcmp(base_bodies[i].pattern, r->pattern) != 0) {
            continue;
        }
        while (*s && n + 200 < sizeof text) {
            if (*s != '$') {
                text[n++] = *s++;
                continue;
            }
            s++;
            if (strncmp(s, "ENT", 3) == 0) {
                snprintf(v, sizeof v, "%lld", (long long)fx->ent_in);
                s += 3;
            } else if (strncmp(s, "UNIT", 4) == 0) {
                snprintf(v, sizeof v, "%lld", (long long)fx->unit_a);
                s += 4;
            } else if (strncmp(s, "NAME", 4) == 0) {
                snprintf(v, sizeof v, "%s", fx->ent_name);
                s += 4;
            } else if (strncmp(s, "USCC", 4) == 0) {
                apitest_uscc_series("MB", ++n_uscc, v);
                s += 4;
            } else if (strncmp(s, "ITEM", 4) == 0) {
                snprintf(v, sizeof v, "%lld",
                         (long long)one_int("SELECT MIN(id) FROM "
                                            "policy_items"));
                s += 4;
            } else if (strncmp(s, "APP", 3) == 0) {
                snprintf(v, sizeof v, "%lld",
                         (long long)one_int("SELECT MIN(id) FROM "
                                            "policy_applications"));
                s += 3;
            } else {
                snprintf(v, sizeof v, "%lld", (long long)fx->demand);
                s += 6;
            }
            n += (size_t)snprintf(text + n, sizeof text - n, "%s", v);
        }
        text[n] = '\0';
        return json_loads(text, 0, NULL);
    }
    return NULL;
}

static void attack_fields(const Route *r)
{
    json_t *s = body_schema(r);
    json_t *props = s ? json_object_get(s, "properties") : NULL;
    json_t *req = s ? json_object_get(s, "required") : NULL;
    json_t *base = base_body(r);
    char url[512];
    const char *k;
    json_t *v;
    size_t i;

    build_url(r, NULL, NULL, url, sizeof url);
    if (base && getenv("ATTACK_VERBOSE")) {
        /* why a base body is refused (then no field is met past it) */
        char *text = json_dumps(base, JSON_COMPACT);
        ApiResp a;
        int st = apitest_request(fx->t, r->method, url, text, NULL, &a);
        print_message("# base %s %s -> %d %.200s\n", r->method, url, st,
                      st >= 300 ? a.body : "");
        apiresp_release(&a);
        free(text);
    }
    if (base) {
        json_object_foreach(base, k, v)
        {
            if (!json_object_get(props, k)) {
                attack_field(r, url, base, k);
            }
        }
        req = NULL;
    } else {
        base = json_object();
    }
    json_array_foreach(req, i, v)
    {
        const char *name = json_string_value(v);
        if (name) {
            json_object_set_new(base, name,
                                good_value(name, json_object_get(props, name)));
        }
    }
    if (json_object_size(props) > 0) {
        json_object_foreach(props, k, v)
        {
            attack_field(r, url, base, k);
        }
    } else {
        for (i = 0; i < sizeof common_fields / sizeof common_fields[0]; i++) {
            attack_field(r, url, base, common_fields[i]);
        }
    }
    json_decref(base);
}

/* The user's session must still answer; a route that ends it (log out)
 * logs in again. */
static void still_answers(const Route *r)
{
    int st = apitest_status(fx->t, "GET", "/api/v1/session", NULL);

    if (st != 200) {
        if (!(strcmp(r->pattern, "/api/v1/session") == 0 &&
              strcmp(r->method, "DELETE") == 0)) {
            miss("session lost after", r->method, r->pattern, NULL, st, "");
        }
        login_user(fx->user);
    }
}

static void test_every_route(void **state)
{
    (void)state;
    for (int i = 0; i < api_routes.n; i++) {
        const Route *r = &api_routes.v[i];
        int write = strcmp(r->method, "GET") != 0;
        char url[512];

        for (int u = 0; u < U__COUNT; u++) {
            use_user(u);
            build_url(r, NULL, NULL, url, sizeof url);
            attack_bodies(r, url);
            /* a write the leader may not make is refused before its path
             * is looked at */
            if (!(u == U_LEADER && write &&
                  !perm_allows(ROLE_LEADER, r->perm))) {
                attack_path(r);
            }
            if (!write) {
                attack_query(r);
            } else if (u != U_LEADER && getenv("ATTACK_VERBOSE") &&
                       u == U_ADMIN) {
                int ok0 = fx->by_class[2];
                attack_fields(r);
                print_message("# %s %s: %d accepted\n", r->method, r->pattern,
                              fx->by_class[2] - ok0);
            } else if (u != U_LEADER &&
                       perm_allows(fx->actor[u].role, r->perm)) {
                attack_fields(r);
            }
            still_answers(r);
            /* a password change or a log-out may have ended the session */
            snprintf(fx->cookie[u], sizeof fx->cookie[u], "%s", fx->t->cookie);
            snprintf(fx->csrf[u], sizeof fx->csrf[u], "%s", fx->t->csrf);
        }
    }
    print_message("# %d routes, %d hostile requests (%d 2xx, %d 4xx), %d "
                  "misses\n",
                  api_routes.n, fx->requests, fx->by_class[2], fx->by_class[4],
                  fx->failures);
    assert_int_equal(fx->failures, 0);
}

/* A query parameter that is not UTF-8 is a 400 naming it, before any
 * handler: on PostgreSQL "q=%ff" reached the database and failed (500) on
 * ten list routes. */
static void test_query_not_utf8(void **state)
{
    static const char *const urls[] = {
        "/api/v1/users?q=%00%ff%fe",
        "/api/v1/pipeline/funnel?q=%ff",
        "/api/v1/carriers?page=1&q=a%c3",
        "/api/v1/policies?%ff=1",
    };
    ApiResp r;

    (void)state;
    use_user(U_ADMIN);
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        json_t *err;

        apitest_request(fx->t, "GET", urls[i], NULL, NULL, &r);
        assert_int_equal(r.status, 400);
        err = json_object_get(r.json, "error");
        assert_string_equal(apitest_jstr(err, "field"), i == 3 ? "?" : "q");
        assert_non_null(strstr(apitest_jstr(err, "message"), "UTF-8"));
        apiresp_release(&r);
    }
    /* valid text still passes */
    assert_int_equal(
        apitest_status(fx->t, "GET", "/api/v1/users?q=%E6%B5%8B", NULL), 200);
}

/* ---- fixture -------------------------------------------------------------
 */

static void actor_of(int u, int64_t user_id, int role, int64_t unit,
                     const char *path)
{
    Actor *a = &fx->actor[u];

    memset(a, 0, sizeof *a);
    a->user_id = user_id;
    a->role = role;
    a->unit_id = unit;
    snprintf(a->unit_path, sizeof a->unit_path, "%s", path);
    snprintf(a->username, sizeof a->username, "%s", user_names[u]);
    snprintf(a->addr, sizeof a->addr, "127.0.0.1");
}

/* Per scope, the first ids (of 1 .. 400) the administrator and the agent
 * see, and one the administrator sees and the agent does not. */
static void find_scope_ids(void)
{
    for (int s = 1; s < SCOPE__COUNT; s++) {
        for (int64_t id = 1; id <= 400; id++) {
            Err e;
            int any, in;

            err_clear(&e);
            any = scope_check(fx->t->db, &fx->actor[U_ADMIN], s, id, &e) == 0;
            if (!any) {
                continue;
            }
            err_clear(&e);
            in = scope_check(fx->t->db, &fx->actor[U_AGENT], s, id, &e) == 0;
            if (!fx->sid_any[s]) {
                fx->sid_any[s] = id;
            }
            if (in && !fx->sid_in[s]) {
                fx->sid_in[s] = id;
            }
            if (!in && !fx->sid_out[s]) {
                fx->sid_out[s] = id;
            }
            if (fx->sid_in[s] && fx->sid_out[s]) {
                break;
            }
        }
    }
}

static int setup(void **state)
{
    Actor sys;
    DemoOptions o;
    DemoReport rep;
    DbStmt *st = NULL;
    char sql[256];
    size_t n;
    Err e;

    (void)state;
    fx = calloc(1, sizeof *fx);
    fx->t = apitest_new();
    fx->openapi = json_loadb(kc_openapi_json, kc_openapi_json_len, 0, NULL);
    assert_non_null(fx->openapi);
    actor_init_system(&sys);
    memset(&o, 0, sizeof o);
    o.enterprises = 40;
    o.seed = 11;
    o.last_year = 2025;
    err_clear(&e);
    if (demo_generate(fx->t->db, &sys, &o, NULL, NULL, &rep, &e) != 0) {
        fail_msg("demo_generate: %s", e.msg);
    }
    assert_int_equal(
        db_prepare_v(fx->t->db, &st, &e,
                     "SELECT o.id, o.path FROM org_units o JOIN enterprises "
                     "x ON x.unit_id = o.id WHERE o.kind = 'subdistrict' GROUP "
                     "BY o.id, o.path ORDER BY COUNT(*) DESC, o.id",
                     ""),
        0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    fx->unit_a = db_col_int64(st, 0);
    snprintf(fx->path_a, sizeof fx->path_a, "%s", db_col_text(st, 1));
    assert_int_equal(db_step(st, &e), DB_ROW);
    fx->unit_b = db_col_int64(st, 0);
    db_finalize(st);
    snprintf(sql, sizeof sql,
             "SELECT MIN(id) FROM enterprises WHERE unit_id = %lld",
             (long long)fx->unit_a);
    fx->ent_in = one_int(sql);
    snprintf(sql, sizeof sql,
             "SELECT MIN(id) FROM enterprises WHERE unit_id = %lld",
             (long long)fx->unit_b);
    fx->ent_out = one_int(sql);
    assert_true(fx->ent_in > 0 && fx->ent_out > 0);
    assert_int_equal(db_prepare_v(fx->t->db, &st, &e,
                                  "SELECT name FROM enterprises WHERE id = $1",
                                  "i", fx->ent_in),
                     0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    snprintf(fx->ent_name, sizeof fx->ent_name, "%s", db_col_text(st, 0));
    db_finalize(st);
    fx->demand = one_int("SELECT MIN(id) FROM market_items WHERE kind = "
                         "'demand'");

    actor_of(U_ADMIN, fx->t->admin_id, ROLE_ADMIN, fx->t->root_id, "/");
    actor_of(U_LEADER,
             apitest_add_user(fx->t, "leader", PASSWORD, ROLE_LEADER,
                              fx->t->root_id),
             ROLE_LEADER, fx->t->root_id, "/");
    actor_of(
        U_AGENT,
        apitest_add_user(fx->t, "agent_a", PASSWORD, ROLE_AGENT, fx->unit_a),
        ROLE_AGENT, fx->unit_a, fx->path_a);
    fx->victim =
        apitest_add_user(fx->t, "victim", PASSWORD, ROLE_STAFF, fx->unit_a);
    {
        char root_path[64];
        /* the administrator's scope is the root unit's path */
        DbStmt *q = NULL;
        assert_int_equal(db_prepare_v(fx->t->db, &q, &e,
                                      "SELECT path FROM org_units WHERE id "
                                      "= $1",
                                      "i", fx->t->root_id),
                         0);
        assert_int_equal(db_step(q, &e), DB_ROW);
        snprintf(root_path, sizeof root_path, "%s", db_col_text(q, 0));
        db_finalize(q);
        snprintf(fx->actor[U_ADMIN].unit_path,
                 sizeof fx->actor[U_ADMIN].unit_path, "%s", root_path);
        snprintf(fx->actor[U_LEADER].unit_path,
                 sizeof fx->actor[U_LEADER].unit_path, "%s", root_path);
    }
    find_scope_ids();

    /* the big values */
    n = 100 * 1024;
    fx->big = malloc(n + 3);
    fx->big[0] = '"';
    memset(fx->big + 1, 'x', n);
    fx->big[n + 1] = '"';
    fx->big[n + 2] = '\0';
    fx->big_body = malloc(n + 16);
    snprintf(fx->big_body, n + 16, "{\"name\":%s}", fx->big);
    fx->huge_len = HTTP_BODY_MAX + 64;
    fx->huge = malloc(fx->huge_len + 1);
    memcpy(fx->huge, "{\"name\":\"", 9);
    memset(fx->huge + 9, 'y', fx->huge_len - 11);
    memcpy(fx->huge + fx->huge_len - 2, "\"}", 2);
    fx->huge[fx->huge_len] = '\0';
    fx->deep = malloc(20001);
    memset(fx->deep, '[', 10000);
    memset(fx->deep + 10000, ']', 10000);
    fx->deep[20000] = '\0';

    for (int u = 0; u < U__COUNT; u++) {
        login_user(u);
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(fx->big);
    job_wait_all(1);
    free(fx->huge);
    free(fx->big_body);
    free(fx->deep);
    json_decref(fx->openapi);
    apitest_free(fx->t);
    free(fx);
    fx = NULL;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_not_utf8),
        cmocka_unit_test(test_every_route),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
