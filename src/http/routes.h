/* routes.h - the one route table. */
#ifndef KC_HTTP_ROUTES_H
#define KC_HTTP_ROUTES_H

#include "base/err.h"
#include "http/ctx.h"

/* A handler answers through ctx_reply_* and returns 0, or returns an ERR_*
 * code with e filled and lets the dispatcher answer with the error. */
typedef int (*Handler)(Ctx *c, Err *e);

/* Route flags. */
enum {
    ROUTE_AUDITED =
        1 << 0,            /* a write: the domain call records an audit entry */
    ROUTE_UPLOAD = 1 << 1, /* body up to HTTP_UPLOAD_MAX, any content type */
    ROUTE_NO_CSRF = 1 << 2,  /* unsafe method without CSRF (login only) */
    ROUTE_RAW_BODY = 1 << 3, /* body not parsed as JSON */
    ROUTE_PW_CHANGE = 1 << 4 /* open to a user who must change the password
                                (the session routes only) */
};

struct Route {
    const char *method;
    const char *pattern; /* "/api/v1/users/{id}" */
    Handler handler;
    int perm;            /* PERM_* from domain/actor.h */
    unsigned flags;      /* ROUTE_* */
    int scope;           /* SCOPE_* (domain/scope.h) of the {id} parameter */
    const char *summary; /* zh-CN, for logs and the route test */
};

/* Match method + path against table t. Returns the route, or NULL with
 * *status_out = 404 (no pattern matches the path) or 405 (the path matches
 * under other methods; `allow` gets "GET, POST" for the Allow header). Captured
 * parameters are decoded into c->params (arena). */
const Route *router_match(const RouteTable *t, const char *method,
                          const char *path, Ctx *c, int *status_out,
                          char *allow, size_t allow_len);

#endif
