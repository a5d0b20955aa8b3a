/* api_system.c - health check, the OpenAPI document and the "about"
 * facts of this installation. */
#include "api/api.h"

#include <jansson.h>

#include "domain/actor.h"

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
    return ctx_reply_json(c, 200, o);
}
