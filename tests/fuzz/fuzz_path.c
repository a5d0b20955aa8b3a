/* fuzz_path.c - request paths, query strings and cookies: the router's
 * matching and percent-decoding, query and cookie parsing. The input is
 * split at the first NUL into path and query; the query doubles as a
 * Cookie header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/routes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET",    "POST", "PATCH",
                                          "DELETE", "HEAD", "PUT"};
    char *buf = malloc(size + 2);
    const char *path;
    const char *query;
    Arena arena;
    HttpReq req;
    Ctx c;
    int status = 0;
    char allow[64];
    size_t i;
    App app;

    if (!buf) {
        return 0;
    }
    memset(&app, 0, sizeof app);
    app.routes = api_routes;
    memcpy(buf, data, size);
    buf[size] = '\0';
    buf[size + 1] = '\0';
    path = buf;
    query = buf + strlen(buf) + (strlen(buf) < size ? 1 : 0);
    arena_init(&arena, 1 << 20);
    memset(&req, 0, sizeof req);
    req.arena = &arena;
    req.path = path;
    req.query = query;
    req.headers[0].name = "Cookie";
    req.headers[0].value = query;
    req.n_headers = 1;
    for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        memset(&c, 0, sizeof c);
        c.arena = &arena;
        c.req = &req;
        router_match(&app.routes, methods[i], path, &c, &status, allow,
                     sizeof allow);
        http_body_cap(&app, methods[i], path);
    }
    http_query_get(&req, "page");
    http_query_get(&req, "q");
    http_cookie_get(&req, "kc_session");
    arena_release(&arena);
    free(buf);
    return 0;
}
