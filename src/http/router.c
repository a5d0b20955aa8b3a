/* router.c - matching a method and path against the route table. */
#include "http/routes.h"

#include <string.h>

#include "base/log.h"

/* Decode %XX escapes of n bytes of s into the arena. NULL when an escape is
 * malformed or decodes to NUL or '/'. */
static char *router_decode(Arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1);

    if (!out || http_pct_decode(s, n, out, n + 1, HTTP_PCT_STRICT) < 0) {
        return NULL;
    }
    return out;
}

/* Match path against pattern; on success store captures into c (when c is
 * not NULL) and return 1. */
static int router_match_pattern(const char *pattern, const char *path, Ctx *c)
{
    const char *p = pattern;
    const char *s = path;
    int n = 0;

    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *se = strchr(s, '/');
            size_t slen;

            if (!pe) {
                return 0;
            }
            slen = se ? (size_t)(se - s) : strlen(s);
            if (slen == 0 || n >= HTTP_MAX_PARAMS) {
                return 0;
            }
            if (c) {
                char *val = router_decode(c->arena, s, slen);
                char *name =
                    arena_strndup(c->arena, p + 1, (size_t)(pe - p - 1));
                if (!val || !name) {
                    return 0;
                }
                c->param_names[n] = name;
                c->params[n] = val;
            }
            n++;
            p = pe + 1;
            s += slen;
            continue;
        }
        if (*p != *s) {
            return 0;
        }
        p++;
        s++;
    }
    if (*p || *s) {
        return 0;
    }
    if (c) {
        c->n_params = n;
    }
    return 1;
}

const Route *router_match(const RouteTable *t, const char *method,
                          const char *path, Ctx *c, int *status_out,
                          char *allow, size_t allow_len)
{
    int i;
    int path_seen = 0;
    size_t used = 0;

    if (allow_len) {
        allow[0] = '\0';
    }
    for (i = 0; i < t->n; i++) {
        const Route *r = &t->v[i];

        if (!router_match_pattern(r->pattern, path, NULL)) {
            continue;
        }
        if (strcmp(r->method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
            if (c && !router_match_pattern(r->pattern, path, c)) {
                /* a capture failed to decode: no such object */
                *status_out = 404;
                return NULL;
            }
            return r;
        }
        path_seen = 1;
        if (allow_len && used + strlen(r->method) + 3 < allow_len) {
            if (used) {
                memcpy(allow + used, ", ", 2);
                used += 2;
            }
            memcpy(allow + used, r->method, strlen(r->method));
            used += strlen(r->method);
            allow[used] = '\0';
        }
    }
    *status_out = path_seen ? 405 : 404;
    return NULL;
}
