/* request.c - header, query and cookie access; response set-up. */
#include "http/http.h"

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

/* Decode a query component (n bytes) into the arena: '+' is a space, %XX
 * escapes; a malformed escape is kept literally; NUL bytes are dropped. */
static char *http_query_decode(Arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1);
    size_t i;
    size_t k = 0;

    if (!out) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '+') {
            ch = ' ';
        } else if (ch == '%' && i + 2 < n && http_hexval(s[i + 1]) >= 0 &&
                   http_hexval(s[i + 2]) >= 0) {
            ch = (char)(http_hexval(s[i + 1]) * 16 + http_hexval(s[i + 2]));
            i += 2;
        }
        if (ch != '\0') {
            out[k++] = ch;
        }
    }
    out[k] = '\0';
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
