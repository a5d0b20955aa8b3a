/* static.c - serves the UI files embedded by tools/embed.c (kc_assets[]).
 *
 * Lookup is a binary search over an index of the assets sorted by path,
 * built once (the generator emits them in `LC_ALL=C sort` order of the
 * source files, but the index does not rely on it). A request that accepts
 * gzip gets the precompressed copy when it is smaller. ETag/If-None-Match
 * gives 304; files under /assets/ (hashed names from Vite) are cached for a
 * year, everything else must be revalidated. A path without an extension
 * that names no file is a route of the single-page app and gets
 * /index.html. */
#include "http/static.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "http/assets.h"

#define STATIC_PATH_MAX 1024

static const KcAsset **static_index;
static int static_n;
static pthread_once_t static_once = PTHREAD_ONCE_INIT;

static int static_cmp(const void *a, const void *b)
{
    const KcAsset *const *x = a;
    const KcAsset *const *y = b;

    return strcmp((*x)->path, (*y)->path);
}

/* Build the sorted index (once per process; lives until exit). */
static void static_build_index(void)
{
    int i;
    int n = 0;

    while (n < kc_n_assets && kc_assets[n].path) {
        n++;
    }
    static_index = xcalloc((size_t)n + 1, sizeof(const KcAsset *));
    for (i = 0; i < n; i++) {
        static_index[i] = &kc_assets[i];
    }
    qsort(static_index, (size_t)n, sizeof(const KcAsset *), static_cmp);
    static_n = n;
}

static const KcAsset *static_find(const char *path)
{
    int lo = 0;
    int hi;

    pthread_once(&static_once, static_build_index);
    hi = static_n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(path, static_index[mid]->path);
        if (c == 0) {
            return static_index[mid];
        }
        if (c < 0) {
            hi = mid - 1;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

/* Percent-decode the raw path into out (cap bytes). Returns 0, or -1 when
 * the path is not acceptable: too long, not absolute, a malformed escape, a
 * NUL, an encoded '/', a backslash, or a "." / ".." segment (even
 * encoded). */
static int static_decode_path(const char *raw, char *out, size_t cap)
{
    const char *seg;

    if (raw[0] != '/' ||
        http_pct_decode(raw, strlen(raw), out, cap, HTTP_PCT_STRICT) < 0 ||
        strchr(out, '\\')) {
        return -1;
    }
    for (seg = out + 1;;) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);

        if ((len == 1 && seg[0] == '.') ||
            (len == 2 && seg[0] == '.' && seg[1] == '.')) {
            return -1;
        }
        if (!end) {
            return 0;
        }
        seg = end + 1;
    }
}

/* Does the last segment of path have an extension ("app.js")? */
static int static_has_ext(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');

    return dot && (!slash || dot > slash);
}

/* Skip optional white space. */
static const char *static_ws(const char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

/* Does the If-None-Match header (a list of entity tags, or "*") name
 * etag? Weak comparison, as RFC 9110 asks for If-None-Match. */
static int static_etag_matches(const char *inm, const char *etag)
{
    size_t elen = strlen(etag);
    const char *s = inm;

    while (*s) {
        const char *end;
        size_t len;
        s = static_ws(s);
        end = strchr(s, ',');
        len = end ? (size_t)(end - s) : strlen(s);
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) {
            len--;
        }
        if (len == 1 && s[0] == '*') {
            return 1;
        }
        if (len > 2 && s[0] == 'W' && s[1] == '/') {
            s += 2;
            len -= 2;
        }
        if (len == elen && memcmp(s, etag, elen) == 0) {
            return 1;
        }
        if (!end) {
            break;
        }
        s = end + 1;
    }
    return 0;
}

/* Does Accept-Encoding allow gzip? "gzip" or "x-gzip" or "*" with a
 * q-value other than 0. */
static int static_accepts_gzip(const char *ae)
{
    const char *s = ae;

    while (s && *s) {
        const char *end;
        const char *semi;
        size_t len;
        size_t nlen;
        s = static_ws(s);
        end = strchr(s, ',');
        len = end ? (size_t)(end - s) : strlen(s);
        semi = memchr(s, ';', len);
        nlen = semi ? (size_t)(semi - s) : len;
        while (nlen > 0 && (s[nlen - 1] == ' ' || s[nlen - 1] == '\t')) {
            nlen--;
        }
        if ((nlen == 4 && strncasecmp(s, "gzip", 4) == 0) ||
            (nlen == 6 && strncasecmp(s, "x-gzip", 6) == 0) ||
            (nlen == 1 && s[0] == '*')) {
            /* q=0, q=0.0, q=0.00 ... refuse */
            const char *q = semi ? strstr(semi, "q=") : NULL;
            if (q && (!end || q < end)) {
                double v = strtod(q + 2, NULL);
                return v > 0.0;
            }
            return 1;
        }
        s = end ? end + 1 : NULL;
    }
    return 0;
}

static void static_text(HttpResp *resp, int status, const char *msg)
{
    resp->status = status;
    resp->content_type = "text/plain; charset=utf-8";
    resp->static_body = (const unsigned char *)msg;
    resp->static_len = strlen(msg);
    http_resp_header(resp, "Cache-Control", "no-store");
}

int http_static_serve(const HttpReq *req, HttpResp *resp)
{
    char path[STATIC_PATH_MAX];
    const KcAsset *a;
    const char *h;
    int head = strcmp(req->method, "HEAD") == 0;

    if (!head && strcmp(req->method, "GET") != 0) {
        static_text(resp, 405, "不支持该请求方法\n");
        http_resp_header(resp, "Allow", "GET, HEAD");
        return 0;
    }
    if (static_decode_path(req->path, path, sizeof path) != 0) {
        static_text(resp, 400, "请求路径无效\n");
        return 0;
    }
    a = static_find(strcmp(path, "/") == 0 ? "/index.html" : path);
    if (!a && !static_has_ext(path)) {
        a = static_find("/index.html"); /* a route of the single-page app */
    }
    if (!a) {
        static_text(resp, 404, "文件不存在\n");
        return 0;
    }
    http_resp_header(resp, "ETag", a->etag);
    http_resp_header(resp, "Cache-Control",
                     strncmp(a->path, "/assets/", 8) == 0
                         ? "public, max-age=31536000, immutable"
                         : "no-cache");
    if (a->gz) {
        http_resp_header(resp, "Vary", "Accept-Encoding");
    }
    h = http_req_header(req, "If-None-Match");
    if (h && static_etag_matches(h, a->etag)) {
        resp->status = 304;
        resp->content_type = NULL;
        resp->static_body = (const unsigned char *)"";
        resp->static_len = 0;
        return 0;
    }
    resp->status = 200;
    resp->content_type = a->content_type;
    h = http_req_header(req, "Accept-Encoding");
    if (a->gz && a->gz_len < a->len && h && static_accepts_gzip(h)) {
        http_resp_header(resp, "Content-Encoding", "gzip");
        resp->static_body = a->gz;
        resp->static_len = a->gz_len;
    } else {
        resp->static_body = a->data;
        resp->static_len = a->len;
    }
    return 0;
}
