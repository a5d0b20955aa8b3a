/* request.c - header, query and cookie access; response set-up. */
#include "http/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"

const char *http_req_header(const HttpReq *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->n_headers; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0) {
            return r->headers[i].value;
        }
    }
    return NULL;
}

static int http_hexval(int ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

long http_pct_decode(const char *s, size_t n, char *out, size_t cap,
                     unsigned flags)
{
    size_t i;
    size_t k = 0;
    int strict = (flags & HTTP_PCT_STRICT) != 0;

    for (i = 0; i < n; i++) {
        int ch = (unsigned char)s[i];

        if (ch == '+' && (flags & HTTP_PCT_PLUS)) {
            ch = ' ';
        } else if (ch == '%') {
            int hi = i + 2 < n ? http_hexval((unsigned char)s[i + 1]) : -1;
            int lo = hi < 0 ? -1 : http_hexval((unsigned char)s[i + 2]);

            if (hi >= 0 && lo >= 0) {
                ch = hi * 16 + lo;
                i += 2;
                if (strict && (ch == '\0' || ch == '/')) {
                    return -1; /* NUL, or a slash hidden from the router */
                }
            } else if (strict) {
                return -1;
            }
        }
        if (ch == '\0') {
            if (strict) {
                return -1;
            }
            continue; /* a NUL byte is dropped */
        }
        if (k + 1 >= cap) {
            return -1;
        }
        out[k++] = (char)ch;
    }
    if (cap == 0) {
        return -1;
    }
    out[k] = '\0';
    return (long)k;
}

/* Decode a query component (n bytes) into the arena: '+' is a space, %XX
 * escapes; a malformed escape is kept literally; NUL bytes are dropped. */
static char *http_query_decode(Arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1);

    if (!out || http_pct_decode(s, n, out, n + 1, HTTP_PCT_PLUS) < 0) {
        return NULL;
    }
    return out;
}

const char *http_query_get(const HttpReq *r, const char *name)
{
    const char *q = r->query;
    size_t nlen = strlen(name);

    if (!q) {
        return NULL;
    }
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        char *key = http_query_decode(r->arena, q, klen);

        if (key && strlen(key) == nlen && memcmp(key, name, nlen) == 0) {
            if (!eq) {
                return "";
            }
            return http_query_decode(r->arena, eq + 1, len - klen - 1);
        }
        if (!amp) {
            break;
        }
        q = amp + 1;
    }
    return NULL;
}

/* The value of the last header called name (a proxy appends its own), or
 * NULL. */
static const char *http_req_header_last(const HttpReq *r, const char *name)
{
    const char *v = NULL;
    size_t i;

    for (i = 0; i < r->n_headers; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0) {
            v = r->headers[i].value;
        }
    }
    return v;
}

/* The last comma-separated item of list, without surrounding blanks, into
 * out (cap bytes); "" when it does not fit. */
static void http_last_item(const char *list, char *out, size_t cap)
{
    const char *s = strrchr(list, ',');
    size_t n;

    s = s ? s + 1 : list;
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    if (n >= cap) {
        n = 0;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* s as a canonical IP address (arena copy), or NULL when s is not one. */
static const char *http_ip_canon(Arena *a, const char *s)
{
    struct in_addr a4;
    struct in6_addr a6;
    char out[INET6_ADDRSTRLEN];

    if (inet_pton(AF_INET, s, &a4) == 1) {
        if (!inet_ntop(AF_INET, &a4, out, sizeof out)) {
            return NULL;
        }
    } else if (inet_pton(AF_INET6, s, &a6) == 1) {
        if (IN6_IS_ADDR_V4MAPPED(&a6)) {
            if (!inet_ntop(AF_INET, &a6.s6_addr[12], out, sizeof out)) {
                return NULL;
            }
        } else if (!inet_ntop(AF_INET6, &a6, out, sizeof out)) {
            return NULL;
        }
    } else {
        return NULL;
    }
    return arena_strdup(a, out);
}

void http_req_trust_proxy(HttpReq *req)
{
    const char *h = http_req_header_last(req, "X-Forwarded-For");
    const char *addr = NULL;
    char item[INET6_ADDRSTRLEN + 8];

    if (!h) {
        h = http_req_header_last(req, "X-Real-IP");
    }
    if (h) {
        http_last_item(h, item, sizeof item);
        addr = http_ip_canon(req->arena, item);
    }
    if (addr) {
        req->remote_addr = addr;
    }
    h = http_req_header_last(req, "X-Forwarded-Proto");
    if (h) {
        http_last_item(h, item, sizeof item);
        if (strcasecmp(item, "https") == 0) {
            req->tls = 1;
        }
    }
}

const char *http_cookie_get(const HttpReq *r, const char *name)
{
    const char *h = http_req_header(r, "Cookie");
    size_t nlen = strlen(name);

    if (!h) {
        return NULL;
    }
    while (*h) {
        const char *semi;
        size_t len;

        while (*h == ' ' || *h == '\t') {
            h++;
        }
        semi = strchr(h, ';');
        len = semi ? (size_t)(semi - h) : strlen(h);
        if (len > nlen && memcmp(h, name, nlen) == 0 && h[nlen] == '=') {
            return arena_strndup(r->arena, h + nlen + 1, len - nlen - 1);
        }
        if (!semi) {
            break;
        }
        h = semi + 1;
    }
    return NULL;
}

void http_resp_init(HttpResp *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->status = 200;
    buf_init(&resp->body, HTTP_RESP_MAX);
}

void http_resp_release(HttpResp *resp)
{
    buf_release(&resp->body);
    resp->n_headers = 0;
}

void http_resp_error(HttpResp *resp, int status, const char *code,
                     const char *field, const char *msg)
{
    buf_reset(&resp->body);
    resp->static_body = NULL;
    resp->status = status;
    resp->content_type = "application/json; charset=utf-8";
    buf_append_str(&resp->body, "{\"error\":{\"code\":");
    buf_append_json_str(&resp->body, code, strlen(code));
    if (field && *field) {
        buf_append_str(&resp->body, ",\"field\":");
        buf_append_json_str(&resp->body, field, strlen(field));
    }
    buf_append_str(&resp->body, ",\"message\":");
    buf_append_json_str(&resp->body, msg, strlen(msg));
    buf_append_str(&resp->body, "}}");
}

void http_resp_header(HttpResp *resp, const char *name, const char *value)
{
    if (resp->n_headers >= HTTP_MAX_RESP_HEADERS) {
        log_error("response header %s dropped: too many headers", name);
        return;
    }
    resp->headers[resp->n_headers].name = name;
    resp->headers[resp->n_headers].value = value;
    resp->n_headers++;
}
