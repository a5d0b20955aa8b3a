/* api_system.c - health check and the OpenAPI document. */
#include "api/api.h"

#include <jansson.h>

extern const char kc_version[];
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
