/* http.h - requests and responses, independent of the HTTP library.
 *
 * The transport (http_mhd.c, the only file that includes microhttpd.h), the
 * `kechuang http` command (one request from stdin) and the in-process API
 * tests all build an HttpReq and call http_dispatch(); nothing else in the
 * program knows about sockets. */
#ifndef KC_HTTP_HTTP_H
#define KC_HTTP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "db/db.h"

#define HTTP_MAX_HEADERS 64
#define HTTP_MAX_RESP_HEADERS 24
#define HTTP_MAX_PARAMS 8

/* Body caps: JSON requests, and uploads on routes flagged ROUTE_UPLOAD. */
#define HTTP_BODY_MAX ((size_t)1024 * 1024)
#define HTTP_UPLOAD_MAX ((size_t)200 * 1024 * 1024)

/* Uploads received at the same time: in total, and per user. */
#define HTTP_UPLOADS_MAX 4
#define HTTP_UPLOADS_PER_USER 2

typedef struct HttpHeader {
    const char *name;
    const char *value;
} HttpHeader;

typedef struct HttpReq {
    const char *method; /* "GET", "POST" ... */
    const char *path;   /* raw path, no query: "/api/v1/users/3" */
    const char *query;  /* raw query string without '?', or "" */
    HttpHeader headers[HTTP_MAX_HEADERS];
    size_t n_headers;
    const char *body; /* NULL when none */
    size_t body_len;
    /* an upload the transport spooled to this file instead of body (then
     * body is NULL and body_len its size); the handler may rename it, the
     * transport removes what is left after the response */
    const char *body_path;
    const char *remote_addr; /* "127.0.0.1" */
    int tls;                 /* came over TLS (or a trusted proxy said so) */
    Arena *arena;            /* request memory, freed after the response */
} HttpReq;

typedef struct HttpResp {
    int status;
    const char *content_type;         /* static or arena string */
    Buf body;                         /* response body (cap HTTP_RESP_MAX) */
    const unsigned char *static_body; /* if set: sent instead of body */
    size_t static_len;
    HttpHeader headers[HTTP_MAX_RESP_HEADERS]; /* values: static or arena */
    size_t n_headers;
} HttpResp;

#define HTTP_RESP_MAX ((size_t)512 * 1024 * 1024)

typedef struct App App;

/* Case-insensitive header lookup; NULL when absent. */
const char *http_req_header(const HttpReq *r, const char *name);

/* Query parameter name, percent-decoded into the request arena ('+' is a
 * space); NULL when absent. A parameter given twice: the first. */
const char *http_query_get(const HttpReq *r, const char *name);

/* Behind a trusted proxy (trust_proxy): remote_addr becomes the last
 * address of the last X-Forwarded-For header, else X-Real-IP, when it is a
 * valid IPv4 or IPv6 address (inet_pton; an arena copy in canonical form);
 * otherwise the socket address stays. tls is set when the last
 * X-Forwarded-Proto value is "https". */
void http_req_trust_proxy(HttpReq *req);

/* Cookie value from the Cookie header (arena copy), or NULL. */
const char *http_cookie_get(const HttpReq *r, const char *name);

/* Prepare an empty 200 response / release its memory. */
void http_resp_init(HttpResp *resp);
void http_resp_release(HttpResp *resp);

/* The one percent-decoder: n bytes of s with %XX escapes into out (cap
 * bytes, NUL-terminated). HTTP_PCT_PLUS: '+' is a space (query strings).
 * HTTP_PCT_STRICT: a malformed escape, a NUL or an encoded '/' fails (path
 * segments); otherwise a malformed escape stays as it is and NUL bytes are
 * dropped. Returns the decoded length, or -1 (also when out is too small). */
enum { HTTP_PCT_PLUS = 1u << 0, HTTP_PCT_STRICT = 1u << 1 };
long http_pct_decode(const char *s, size_t n, char *out, size_t cap,
                     unsigned flags);

/* Replace the body with the API's one error shape, {"error": {"code",
 * "field" (when field is non-empty), "message"}}, as JSON with the given
 * status. Every error body is written here: the dispatcher, handlers
 * (ctx_reply_error), the transport before dispatch and the CLI. */
void http_resp_error(HttpResp *resp, int status, const char *code,
                     const char *field, const char *msg);

/* Add a response header; name and value must outlive the response (static
 * strings or request-arena copies). Past HTTP_MAX_RESP_HEADERS the header is
 * dropped and logged. */
void http_resp_header(HttpResp *resp, const char *name, const char *value);

/* Handle one request: route, authenticate, authorise, scope, run the
 * handler, add security headers. Always fills resp. db is the calling
 * thread's connection. */
void http_dispatch(App *app, Db *db, HttpReq *req, HttpResp *resp);

/* What the transport learns from http_dispatch_head. */
typedef struct HttpGate {
    size_t body_cap; /* the most the body may have */
    int upload;      /* an upload route: spool the body to a file */
    int64_t user_id; /* the authenticated user (0: none or public route) */
} HttpGate;

/* The checks of http_dispatch that need no body (route, authentication,
 * password change, permission, CSRF), for a request whose body has not
 * been read. 0 when the body may be read (g filled); else -1 with the
 * refusal in resp (security headers included). */
int http_dispatch_head(App *app, Db *db, HttpReq *req, HttpResp *resp,
                       HttpGate *g);

/* The body cap for a request, decided from method and path before the body
 * is read (HTTP_UPLOAD_MAX on upload routes, else HTTP_BODY_MAX). */
size_t http_body_cap(const App *app, const char *method, const char *path);

#endif
