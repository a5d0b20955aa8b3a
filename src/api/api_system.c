/* api_system.c - health check, the OpenAPI document and the "about"
 * facts of this installation. */
#include "api/api.h"

#include <jansson.h>

#include "base/date.h"
#include "domain/accounts/actor.h"
#include "domain/eligibility/ruleset.h"

extern const char kc_version[];
extern const char kc_commit[];
extern const char *const kc_openapi_json;
extern const size_t kc_openapi_json_len;

/* Cheap by design (load balancers poll it): no database query. */
int api_healthz(Ctx *c, Err *e)
{
    (void)e;
    return ctx_reply_json(c, 200,
                          json_pack("{ssssss}", "status", "ok", "version",
                                    kc_version, "db",
                                    c->db ? db_backend(c->db) : "none"));
}

int api_openapi(Ctx *c, Err *e)
{
    (void)e;
    c->resp->status = 200;
    c->resp->content_type = "application/json; charset=utf-8";
    c->resp->static_body = (const unsigned char *)kc_openapi_json;
    c->resp->static_len = kc_openapi_json_len;
    return 0;
}

/* Version, build and database facts for the 关于 page. The database
 * location (a file path or connection target, never a password) is shown
 * to administrators only; other roles do not get the key at all. */
/* The built-in rule sets: id, name, tier, document, status (confirmed /
 * unverified), effective period, content hash and number of cases. */
static json_t *api_system_rule_sets(void)
{
    const RuleSet *const *sets;
    json_t *arr = json_array();
    int n;
    int i;

    ruleset_builtin(&sets, &n);
    for (i = 0; i < n; i++) {
        Date from;
        Date to;
        char f[DATE_ISO_SIZE];
        char t[DATE_ISO_SIZE];

        rule_set_effective(sets[i], &from, &to);
        date_format_iso(from, f);
        date_format_iso(to, t);
        json_array_append_new(
            arr, json_pack("{sssssssssssssssi}", "id", rule_set_id(sets[i]),
                           "name", rule_set_name(sets[i]), "tier",
                           rule_set_tier(sets[i]), "doc", rule_set_doc(sets[i]),
                           "status", rule_set_status(sets[i]), "effective_from",
                           f, "hash", rule_set_hash(sets[i]), "cases",
                           rule_set_n_cases(sets[i])));
        if (to != DATE_MAX) {
            json_object_set_new(json_array_get(arr, (size_t)i), "effective_to",
                                json_string(t));
        }
    }
    return arr;
}

int api_system_get(Ctx *c, Err *e)
{
    json_t *o;
    int schema = 0;
    int rc;

    rc = db_schema_version(c->db, &schema, e);
    if (rc) {
        return rc;
    }
    o = json_pack("{sssssssisi}", "version", kc_version, "commit", kc_commit,
                  "db_backend", db_backend(c->db), "schema_version", schema,
                  "schema_latest", db_schema_latest());
    if (c->actor.role == ROLE_ADMIN) {
        json_object_set_new(o, "db_location", json_string(db_location(c->db)));
    }
    json_object_set_new(o, "rule_sets", api_system_rule_sets());
    return ctx_reply_json(c, 200, o);
}
