/* http_mhd.c - the HTTP transport on libmicrohttpd (the only file that
 * includes microhttpd.h).
 *
 * Life of a request:
 *   1. the URI log callback sees the raw request target (MHD decodes the
 *      URL it passes to the access handler; HttpReq wants it raw) and
 *      allocates the per-request state, which MHD hands back as *con_cls;
 *   2. the first access-handler call has the headers. When the request has
 *      a body, http_dispatch_head() decides from them alone whether it may
 *      be read (route, authentication, password change, permission, CSRF)
 *      and the route's body cap; a refusal, a Content-Length past the cap
 *      and an upload past the concurrent-upload limits are answered right
 *      there and the body is never read (0.9.75 cannot answer in the middle
 *      of an upload; it closes the connection after a response queued on
 *      the first call, right for a refused body). Everything else is
 *      answered on a later call, which keeps the connection alive;
 *   3. body chunks are accumulated up to the cap: uploads (ROUTE_UPLOAD)
 *      into a spool file in the import staging directory, never in memory,
 *      other bodies in memory; past the cap (chunked bodies) the rest is
 *      discarded and the final call answers 413;
 *   4. the final call builds the HttpReq and runs http_dispatch() with the
 *      worker thread's own database connection;
 *   5. the completion callback writes the access log line and frees the
 *      state.
 */
#include "http/http_mhd.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "db/db.h"
#include "domain/io/import.h"
#include "http/http.h"

#define MHD_CONN_LIMIT 1024u
#define MHD_CONN_TIMEOUT_S 60u
#define MHD_CONN_MEMORY ((size_t)64 * 1024)
#define MHD_BACKLOG 511u
#define MHD_THREADS_MAX 256
/* Stack of every request thread, set rather than inherited from the
 * process limit (ulimit -s), so that the bounded recursion of rule
 * checking and JSON handling has a known margin (docs/internals/rules.md) */
#define MHD_THREAD_STACK ((size_t)8 * 1024 * 1024)
#define MHD_LOG_URI_MAX 2048
#define MHD_ADDR_MAX 64
#define MHD_SPOOL_MAX 1200

struct HttpServer {
    struct MHD_Daemon *daemon;
    App *app;
    int port;
    /* worker database connections, closed at stop */
    pthread_mutex_t dbs_lock;
    Db **dbs;
    size_t n_dbs;
    size_t cap_dbs;
    /* access log: lines are written under log_lock and flushed once a
     * second by the flusher thread (and at stop) */
    FILE *log;
    pthread_mutex_t log_lock;
    pthread_cond_t log_cond;
    pthread_t flusher;
    int flusher_running;
    int stopping;
    int log_dirty;
    /* uploads being received: the user of each busy slot, 0 = free */
    pthread_mutex_t up_lock;
    int64_t up_user[HTTP_UPLOADS_MAX];
};

/* Per-request state: allocated by the URI log callback, freed by the
 * completion callback. */
typedef struct MhdReq {
    HttpServer *srv;
    struct timespec t0;
    int started;  /* first access-handler call seen */
    int answered; /* a response was queued */
    int too_big;  /* body passed the cap: discard and answer 413 */
    int io_err;   /* the spool file could not be written: answer 503 */
    size_t cap;
    Buf body;
    int upload; /* the body goes to the spool file */
    int slot;   /* upload slot held (index + 1), 0 = none */
    int64_t user_id;
    int fd;                    /* spool file, -1 when none */
    uint64_t got;              /* body bytes written to the spool file */
    char spool[MHD_SPOOL_MAX]; /* its path, "" when none */
    int status;
    size_t bytes;
    char method[16];
    char addr[MHD_ADDR_MAX];
    char *path;  /* raw path, NUL-terminated (inside this allocation) */
    char *query; /* raw query without '?', or "" (inside uri) */
    char uri[];  /* raw request target as received */
} MhdReq;

/* The calling worker's database connection (per thread, per server). */
static _Thread_local HttpServer *mhd_tls_srv;
static _Thread_local Db *mhd_tls_db;

/* Access-log time stamp cached per thread and second. */
static _Thread_local time_t mhd_tls_sec = -1;
static _Thread_local char mhd_tls_stamp[32];

/* Route libmicrohttpd's own messages into our log. */
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    vsnprintf(msg, sizeof msg, fmt, ap);
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) {
        msg[--n] = '\0';
    }
    log_warn("libmicrohttpd: %s", msg);
}

/* Allocate the request state for the raw target `uri`. The path part is
 * copied next to it so both are NUL-terminated; the caller frees with
 * mhd_req_free. */
static MhdReq *mhd_req_new(HttpServer *srv, const char *uri)
{
    size_t len = strlen(uri);
    const char *q = memchr(uri, '?', len);
    size_t plen = q ? (size_t)(q - uri) : len;
    MhdReq *r = xmalloc(sizeof *r + len + 1 + plen + 1);

    memset(r, 0, sizeof *r);
    r->srv = srv;
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    memcpy(r->uri, uri, len + 1);
    r->path = r->uri + len + 1;
    memcpy(r->path, uri, plen);
    r->path[plen] = '\0';
    r->query = q ? r->uri + plen + 1 : r->uri + len;
    r->fd = -1;
    buf_init(&r->body, 1);
    return r;
}

/* Close and remove the spool file of r, if any. */
static void mhd_spool_drop(MhdReq *r)
{
    if (r->fd >= 0) {
        close(r->fd);
        r->fd = -1;
    }
    if (r->spool[0]) {
        if (unlink(r->spool) != 0 && errno != ENOENT) {
            log_warn("upload: cannot remove %s: %s", r->spool, strerror(errno));
        }
        r->spool[0] = '\0';
    }
}

/* Take an upload slot for user uid: 0, or 429 when the user already has
 * HTTP_UPLOADS_PER_USER uploads under way, 503 when the server has
 * HTTP_UPLOADS_MAX. */
static int mhd_upload_acquire(HttpServer *srv, MhdReq *r, int64_t uid)
{
    int mine = 0;
    int free_slot = -1;
    int status = 0;
    int i;

    pthread_mutex_lock(&srv->up_lock);
    for (i = 0; i < HTTP_UPLOADS_MAX; i++) {
        if (srv->up_user[i] == 0) {
            if (free_slot < 0) {
                free_slot = i;
            }
        } else if (srv->up_user[i] == uid) {
            mine++;
        }
    }
    if (mine >= HTTP_UPLOADS_PER_USER) {
        status = 429;
    } else if (free_slot < 0) {
        status = 503;
    } else {
        srv->up_user[free_slot] = uid;
        r->slot = free_slot + 1;
    }
    pthread_mutex_unlock(&srv->up_lock);
    return status;
}

static void mhd_upload_release(HttpServer *srv, MhdReq *r)
{
    if (r->slot) {
        pthread_mutex_lock(&srv->up_lock);
        srv->up_user[r->slot - 1] = 0;
        pthread_mutex_unlock(&srv->up_lock);
        r->slot = 0;
    }
}

static void mhd_req_free(MhdReq *r)
{
    if (r) {
        mhd_spool_drop(r);
        mhd_upload_release(r->srv, r);
        buf_release(&r->body);
        free(r);
    }
}

static void *mhd_uri_cb(void *cls, const char *uri, struct MHD_Connection *c)
{
    return mhd_req_new(cls, uri);
}

/* Client address of c as text into out ("?" when unknown). */
static void mhd_client_addr(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, cap, "?");
    if (!sa) {
        return;
    }
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)cap);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], out,
                      (socklen_t)cap);
        } else {
            inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)cap);
        }
    }
}

/* The worker's connection, opened on first use and registered with the
 * server so http_server_stop can close it. NULL (logged) on failure. */
static Db *mhd_worker_db(HttpServer *srv)
{
    Err e;
    Db *db = NULL;

    if (mhd_tls_srv == srv && mhd_tls_db) {
        return mhd_tls_db;
    }
    err_clear(&e);
    if (db_open(&db, srv->app->db_location, &e) != 0) {
        log_error("worker: cannot open the database: %s", e.msg);
        return NULL;
    }
    pthread_mutex_lock(&srv->dbs_lock);
    if (srv->n_dbs == srv->cap_dbs) {
        srv->cap_dbs = srv->cap_dbs ? srv->cap_dbs * 2 : 8;
        srv->dbs = xrealloc(srv->dbs, srv->cap_dbs * sizeof(Db *));
    }
    srv->dbs[srv->n_dbs++] = db;
    pthread_mutex_unlock(&srv->dbs_lock);
    mhd_tls_srv = srv;
    mhd_tls_db = db;
    return db;
}

/* Queue resp on c (body from static_body or the Buf, which is handed to
 * MHD). Records status and size for the access log. */
static enum MHD_Result mhd_send(struct MHD_Connection *c, MhdReq *r,
                                HttpResp *resp, int close_conn)
{
    struct MHD_Response *mr;
    enum MHD_Result ret;
    size_t i;

    if (resp->static_body) {
        mr = MHD_create_response_from_buffer(resp->static_len,
                                             (void *)resp->static_body,
                                             MHD_RESPMEM_PERSISTENT);
        r->bytes = resp->static_len;
    } else {
        size_t len;
        char *data = buf_detach(&resp->body, &len);
        mr = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
        if (!mr) {
            free(data);
        }
        r->bytes = len;
    }
    if (!mr) {
        log_error("libmicrohttpd: cannot create a response");
        return MHD_NO;
    }
    if (resp->content_type) {
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
                                resp->content_type);
    }
    for (i = 0; i < resp->n_headers; i++) {
        if (MHD_add_response_header(mr, resp->headers[i].name,
                                    resp->headers[i].value) != MHD_YES) {
            log_warn("response header %s refused by libmicrohttpd",
                     resp->headers[i].name);
        }
    }
    if (close_conn) {
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
    }
    if (strcmp(r->method, "HEAD") == 0) {
        r->bytes = 0;
    }
    r->status = resp->status;
    r->answered = 1;
    ret = MHD_queue_response(c, (unsigned int)resp->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

/* Answer an error from the transport itself (before dispatch) with the
 * API's JSON error shape. */
static enum MHD_Result mhd_fail_retry(struct MHD_Connection *c, MhdReq *r,
                                      int status, const char *code,
                                      const char *msg, const char *retry)
{
    HttpResp resp;
    enum MHD_Result ret;

    http_resp_init(&resp);
    http_resp_error(&resp, status, code, NULL, msg);
    http_resp_header(&resp, "Cache-Control", "no-store");
    http_resp_header(&resp, "X-Content-Type-Options", "nosniff");
    if (retry) {
        http_resp_header(&resp, "Retry-After", retry);
    }
    ret = mhd_send(c, r, &resp, status == 413 || status == 400 || r->upload);
    http_resp_release(&resp);
    return ret;
}

static enum MHD_Result mhd_fail(struct MHD_Connection *c, MhdReq *r, int status,
                                const char *code, const char *msg)
{
    return mhd_fail_retry(c, r, status, code, msg, NULL);
}

static enum MHD_Result mhd_too_big(struct MHD_Connection *c, MhdReq *r)
{
    char msg[128];

    snprintf(msg, sizeof msg, "请求体过大（上限 %zu MB）",
             r->cap / ((size_t)1024 * 1024));
    return mhd_fail(c, r, 413, "too_big", msg);
}

static enum MHD_Result mhd_header_cb(void *cls, enum MHD_ValueKind kind,
                                     const char *key, const char *value)
{
    HttpReq *req = cls;

    if (req->n_headers >= HTTP_MAX_HEADERS) {
        return MHD_NO; /* the rest is dropped; the cap is generous */
    }
    req->headers[req->n_headers].name = key;
    req->headers[req->n_headers].value = value ? value : "";
    req->n_headers++;
    return MHD_YES;
}

/* The HttpReq of r without its body (headers are MHD's strings). */
static void mhd_req_fill(struct MHD_Connection *c, MhdReq *r,
                         const char *method, HttpReq *req, Arena *arena)
{
    memset(req, 0, sizeof *req);
    req->method = method;
    req->path = r->path;
    req->query = r->query;
    MHD_get_connection_values(c, MHD_HEADER_KIND, mhd_header_cb, req);
    req->remote_addr = r->addr;
    req->tls = 0;
    arena_init(arena, 0);
    req->arena = arena;
}

/* Keep the client address dispatch settled on (a trusted proxy's) for the
 * access log. */
static void mhd_keep_addr(MhdReq *r, const HttpReq *req)
{
    if (req->remote_addr && req->remote_addr != r->addr) {
        snprintf(r->addr, sizeof r->addr, "%s", req->remote_addr);
    }
}

/* First call of a request with a body: decide from the headers whether the
 * body may be read. 0: yes (r->cap, r->upload, r->user_id set); else the
 * refusal was queued and *ret is what to return to MHD. */
static int mhd_gate(struct MHD_Connection *c, MhdReq *r, const char *method,
                    enum MHD_Result *ret)
{
    HttpServer *srv = r->srv;
    HttpReq req;
    HttpResp resp;
    HttpGate g;
    Arena arena;
    Db *db;
    int rc;

    db = mhd_worker_db(srv);
    if (!db) {
        *ret = mhd_fail(c, r, 503, "unavailable", "数据库暂不可用，请稍后再试");
        return -1;
    }
    mhd_req_fill(c, r, method, &req, &arena);
    http_resp_init(&resp);
    rc = http_dispatch_head(srv->app, db, &req, &resp, &g);
    mhd_keep_addr(r, &req);
    if (rc) {
        *ret = mhd_send(c, r, &resp, 1);
    } else {
        r->cap = g.body_cap;
        r->upload = g.upload;
        r->user_id = g.user_id;
    }
    http_resp_release(&resp);
    arena_release(&arena);
    return rc;
}

/* Take an upload slot and open the spool file. 0, or a response was
 * queued and *ret is what to return to MHD. */
static int mhd_upload_begin(struct MHD_Connection *c, MhdReq *r,
                            enum MHD_Result *ret)
{
    char dir[MHD_SPOOL_MAX - 32];
    int status;
    Err e;

    status = mhd_upload_acquire(r->srv, r, r->user_id);
    if (status == 429) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "您已有 %d 个文件正在上传，请等其完成后再上传",
                 HTTP_UPLOADS_PER_USER);
        *ret = mhd_fail_retry(c, r, 429, "too_many_uploads", msg, "10");
        return -1;
    }
    if (status) {
        *ret = mhd_fail_retry(c, r, 503, "too_many_uploads",
                              "服务器正在接收的上传文件过多，请稍后再试", "10");
        return -1;
    }
    err_clear(&e);
    if (import_stage_dir(r->srv->app->db_location, dir, sizeof dir, &e) == 0) {
        snprintf(r->spool, sizeof r->spool, "%s/spool-%ld-XXXXXX", dir,
                 (long)getpid());
        r->fd = mkostemp(r->spool, O_CLOEXEC);
        if (r->fd < 0) {
            log_error("upload: cannot create %s: %s", r->spool,
                      strerror(errno));
            r->spool[0] = '\0';
        }
    }
    if (r->fd < 0) {
        *ret = mhd_fail(c, r, 503, "unavailable",
                        "无法保存上传的文件，请稍后再试");
        return -1;
    }
    return 0;
}

/* Write n bytes to fd; -1 on error. */
static int mhd_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Build the HttpReq, dispatch it with the worker's database connection
 * and queue the response. */
static enum MHD_Result mhd_handle(struct MHD_Connection *c, MhdReq *r,
                                  const char *method)
{
    HttpServer *srv = r->srv;
    HttpReq req;
    HttpResp resp;
    Arena arena;
    Db *db;
    enum MHD_Result ret;

    db = mhd_worker_db(srv);
    if (!db) {
        return mhd_fail(c, r, 503, "unavailable", "数据库暂不可用，请稍后再试");
    }
    mhd_req_fill(c, r, method, &req, &arena);
    if (r->upload) {
        if (r->fd >= 0) {
            close(r->fd);
            r->fd = -1;
        }
        req.body_path = r->spool[0] ? r->spool : NULL;
        req.body_len = (size_t)r->got;
    } else {
        req.body = r->body.len ? r->body.data : NULL;
        req.body_len = r->body.len;
    }

    http_resp_init(&resp);
    http_dispatch(srv->app, db, &req, &resp);
    mhd_keep_addr(r, &req);
    if (db_in_tx(db)) {
        log_error("%s %s left a transaction open; rolled back", method,
                  r->path);
        db_rollback(db);
    }
    mhd_spool_drop(r);
    mhd_upload_release(srv, r);
    ret = mhd_send(c, r, &resp, 0);
    http_resp_release(&resp);
    arena_release(&arena);
    buf_release(&r->body);
    return ret;
}

/* Parse a Content-Length value; -1 when malformed. */
static int mhd_parse_length(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (!*s) {
        return -1;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10) {
            return -1;
        }
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

static enum MHD_Result mhd_access_cb(void *cls, struct MHD_Connection *c,
                                     const char *url, const char *method,
                                     const char *version,
                                     const char *upload_data,
                                     size_t *upload_data_size, void **con_cls)
{
    MhdReq *r = *con_cls;

    if (!r) { /* the URI callback always runs first; be safe anyway */
        r = mhd_req_new(cls, url);
        *con_cls = r;
    }
    if (!r->started) {
        const char *cl;
        const char *te;
        uint64_t len = 0;
        enum MHD_Result ret;

        r->started = 1;
        snprintf(r->method, sizeof r->method, "%s", method);
        mhd_client_addr(c, r->addr, sizeof r->addr);
        if (r->path[0] != '/') {
            return mhd_fail(c, r, 400, "invalid", "请求路径无效");
        }
        r->cap = http_body_cap(r->srv->app, method, r->path);
        cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
        te = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                         MHD_HTTP_HEADER_TRANSFER_ENCODING);
        if (cl && mhd_parse_length(cl, &len) != 0) {
            return mhd_fail(c, r, 400, "invalid", "Content-Length 无效");
        }
        /* a body follows: nothing of it is read unless the headers allow */
        if ((len > 0 || te) && mhd_gate(c, r, method, &ret) != 0) {
            return ret;
        }
        if (len > r->cap) {
            return mhd_too_big(c, r);
        }
        if (r->upload && mhd_upload_begin(c, r, &ret) != 0) {
            return ret;
        }
        buf_init(&r->body, r->upload ? 1 : r->cap);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;

        if (r->too_big || r->io_err || r->answered) {
            /* discarded */
        } else if (r->upload) {
            if (r->got + n > r->cap) {
                r->too_big = 1; /* keep draining, answer at the end */
                mhd_spool_drop(r);
            } else if (mhd_write_all(r->fd, upload_data, n) != 0) {
                log_error("upload: cannot write %s: %s", r->spool,
                          strerror(errno));
                r->io_err = 1;
                mhd_spool_drop(r);
            } else {
                r->got += n;
            }
        } else if (buf_append(&r->body, upload_data, n) != 0) {
            r->too_big = 1; /* keep draining, answer at the end */
            buf_release(&r->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->answered) {
        return MHD_YES;
    }
    if (r->too_big) {
        return mhd_too_big(c, r);
    }
    if (r->io_err) {
        return mhd_fail(c, r, 503, "unavailable",
                        "无法保存上传的文件（磁盘空间不足？），请稍后再试");
    }
    return mhd_handle(c, r, method);
}

/* Append s to out (cap bytes, NUL-terminated) with control characters,
 * quote and backslash escaped, so a line of the log stays one line. */
static size_t mhd_log_escape(char *out, size_t cap, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;

    for (; *s && k + 5 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\') {
            out[k++] = '\\';
            out[k++] = 'x';
            out[k++] = hex[ch >> 4];
            out[k++] = hex[ch & 15];
        } else {
            out[k++] = (char)ch;
        }
    }
    out[k] = '\0';
    return k;
}

/* One access log line: time, address, "METHOD target", status (- when no
 * response was sent), bytes, milliseconds. */
static void mhd_log_request(HttpServer *srv, struct MHD_Connection *c,
                            MhdReq *r, enum MHD_RequestTerminationCode toe)
{
    struct timespec now;
    struct timespec t1;
    char uri[MHD_LOG_URI_MAX];
    char status[16];
    char line[MHD_LOG_URI_MAX + 256];
    double ms;
    int n;

    clock_gettime(CLOCK_REALTIME, &now);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (now.tv_sec != mhd_tls_sec) {
        struct tm tm;
        gmtime_r(&now.tv_sec, &tm);
        strftime(mhd_tls_stamp, sizeof mhd_tls_stamp, "%Y-%m-%dT%H:%M:%SZ",
                 &tm);
        mhd_tls_sec = now.tv_sec;
    }
    if (!r->addr[0]) {
        mhd_client_addr(c, r->addr, sizeof r->addr);
    }
    mhd_log_escape(uri, sizeof uri, r->uri);
    if (r->status) {
        snprintf(status, sizeof status, "%d", r->status);
    } else {
        snprintf(status, sizeof status, "-");
    }
    ms = (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 +
         (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
    n = snprintf(line, sizeof line, "%s %s \"%s %s\" %s %zu %.3fms%s\n",
                 mhd_tls_stamp, r->addr, r->method[0] ? r->method : "-", uri,
                 status, r->bytes, ms,
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    if (n < 0) {
        return;
    }
    if ((size_t)n >= sizeof line) {
        n = (int)sizeof line - 1;
        line[n - 1] = '\n';
    }
    pthread_mutex_lock(&srv->log_lock);
    fwrite(line, 1, (size_t)n, srv->log);
    srv->log_dirty = 1;
    pthread_mutex_unlock(&srv->log_lock);
}

static void mhd_completed_cb(void *cls, struct MHD_Connection *c,
                             void **con_cls,
                             enum MHD_RequestTerminationCode toe)
{
    HttpServer *srv = cls;
    MhdReq *r = *con_cls;

    if (!r) {
        return;
    }
    if (srv->log) {
        mhd_log_request(srv, c, r, toe);
    }
    mhd_req_free(r);
    *con_cls = NULL;
}

/* Flush the access log once a second while lines are pending, so the hot
 * path never waits for a write(2). */
static void *mhd_flusher(void *arg)
{
    HttpServer *srv = arg;

    pthread_mutex_lock(&srv->log_lock);
    while (!srv->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&srv->log_cond, &srv->log_lock, &ts);
        if (srv->log_dirty) {
            fflush(srv->log);
            srv->log_dirty = 0;
        }
    }
    pthread_mutex_unlock(&srv->log_lock);
    return NULL;
}

/* Parse "host:port", "[v6]:port" or ":port" into ss. *family gets AF_INET
 * or AF_INET6; *any is set for ":port". */
static int mhd_parse_listen(const char *listen, struct sockaddr_storage *ss,
                            int *family, int *any, Err *e)
{
    char host[128];
    const char *port_s;
    const char *colon;
    char *end;
    long port;
    size_t hlen;

    memset(ss, 0, sizeof *ss);
    *any = 0;
    if (listen[0] == '[') {
        const char *rb = strchr(listen, ']');
        if (!rb || rb[1] != ':') {
            goto bad;
        }
        hlen = (size_t)(rb - listen - 1);
        if (hlen >= sizeof host) {
            goto bad;
        }
        memcpy(host, listen + 1, hlen);
        host[hlen] = '\0';
        port_s = rb + 2;
        *family = AF_INET6;
    } else {
        colon = strrchr(listen, ':');
        if (!colon) {
            goto bad;
        }
        hlen = (size_t)(colon - listen);
        if (hlen >= sizeof host) {
            goto bad;
        }
        memcpy(host, listen, hlen);
        host[hlen] = '\0';
        port_s = colon + 1;
        *family = AF_INET;
        if (hlen == 0) {
            *any = 1;
        } else if (strcmp(host, "localhost") == 0) {
            snprintf(host, sizeof host, "127.0.0.1");
        }
    }
    errno = 0;
    port = strtol(port_s, &end, 10);
    if (!*port_s || *end || errno || port < 0 || port > 65535) {
        goto bad;
    }
    if (*family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1) {
            goto bad;
        }
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        if (*any) {
            in->sin_addr.s_addr = htonl(INADDR_ANY);
        } else if (inet_pton(AF_INET, host, &in->sin_addr) != 1) {
            goto bad;
        }
    }
    return 0;
bad:
    return err_set(e, ERR_INVALID, "listen",
                   "监听地址无效：%s（应为 127.0.0.1:8080、[::1]:8080 或 "
                   ":8080）",
                   listen);
}

/* Remove the spool files of servers that are gone (killed in the middle of
 * an upload): "spool-<pid>-*" in the staging directory of location whose
 * process no longer exists. */
static void mhd_spool_sweep(const char *location)
{
    char dir[MHD_SPOOL_MAX];
    char path[MHD_SPOOL_MAX + 256];
    struct dirent *de;
    DIR *d;
    Err e;

    if (import_stage_dir(location, dir, sizeof dir, &e) != 0) {
        return;
    }
    d = opendir(dir);
    if (!d) {
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char *end;
        long pid;

        if (strncmp(de->d_name, "spool-", 6) != 0) {
            continue;
        }
        pid = strtol(de->d_name + 6, &end, 10);
        if (*end != '-' || pid <= 0) {
            continue;
        }
        if ((pid_t)pid != getpid() &&
            (kill((pid_t)pid, 0) == 0 || errno != ESRCH)) {
            continue; /* that server still runs */
        }
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (unlink(path) == 0) {
            log_info("removed a stale upload file %s", path);
        }
    }
    closedir(d);
}

/* Start the daemon on sa with the given extra flags; NULL on failure. */
static struct MHD_Daemon *mhd_start(HttpServer *srv, unsigned int flags,
                                    const struct sockaddr *sa,
                                    unsigned int threads)
{
    unsigned int base = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
#ifdef __linux__
                        MHD_USE_EPOLL | MHD_USE_TURBO;
#else
                        MHD_USE_POLL;
#endif
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };

    /* the logger first, so that MHD's messages about later options reach
     * it too; option values must have the exact types MHD reads */
    return MHD_start_daemon(
        base | flags, 0, NULL, NULL, mhd_access_cb, srv,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_CONNECTION_LIMIT, MHD_CONN_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, MHD_CONN_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, MHD_CONN_MEMORY,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, MHD_BACKLOG,
        MHD_OPTION_THREAD_STACK_SIZE, MHD_THREAD_STACK,
        MHD_OPTION_URI_LOG_CALLBACK, mhd_uri_cb, srv,
        MHD_OPTION_NOTIFY_COMPLETED, mhd_completed_cb, srv, MHD_OPTION_ARRAY,
        threads > 1 ? opts : opts + 1, MHD_OPTION_END);
}

int http_server_start(HttpServer **out, App *app, const char *listen,
                      int threads, Err *e)
{
    HttpServer *srv = NULL;
    struct sockaddr_storage ss;
    const union MHD_DaemonInfo *di;
    int family = AF_INET;
    int any;
    int rc;

    *out = NULL;
    rc = mhd_parse_listen(listen, &ss, &family, &any, e);
    if (rc) {
        goto out;
    }
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    if (threads > MHD_THREADS_MAX) {
        threads = MHD_THREADS_MAX;
    }
    mhd_spool_sweep(app->db_location);
    srv = xcalloc(1, sizeof *srv);
    srv->app = app;
    srv->log = app->access_log;
    pthread_mutex_init(&srv->dbs_lock, NULL);
    pthread_mutex_init(&srv->log_lock, NULL);
    pthread_mutex_init(&srv->up_lock, NULL);
    pthread_cond_init(&srv->log_cond, NULL);

    if (any) {
        /* every address: one dual-stack socket, else IPv4 only */
        struct sockaddr_in6 in6;
        memset(&in6, 0, sizeof in6);
        in6.sin6_family = AF_INET6;
        in6.sin6_addr = in6addr_any;
        in6.sin6_port = ((struct sockaddr_in *)&ss)->sin_port;
        srv->daemon =
            mhd_start(srv, MHD_USE_DUAL_STACK, (const struct sockaddr *)&in6,
                      (unsigned int)threads);
    }
    if (!srv->daemon) {
        srv->daemon =
            mhd_start(srv, family == AF_INET6 ? MHD_USE_IPv6 : 0,
                      (const struct sockaddr *)&ss, (unsigned int)threads);
    }
    if (!srv->daemon) {
        log_error("cannot listen on %s: %s", listen, strerror(errno));
        rc = err_set(e, ERR_IO, "listen",
                     "无法在 %s 上监听（端口已被占用或无权限）", listen);
        goto out;
    }
    di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? (int)di->port : 0;
    if (srv->log &&
        pthread_create(&srv->flusher, NULL, mhd_flusher, srv) == 0) {
        srv->flusher_running = 1;
    }
    *out = srv;
    srv = NULL;
out:
    if (srv) {
        http_server_stop(srv);
    }
    return rc;
}

void http_server_stop(HttpServer *s)
{
    size_t i;

    if (!s) {
        return;
    }
    if (s->daemon) {
        MHD_stop_daemon(s->daemon);
    }
    pthread_mutex_lock(&s->log_lock);
    s->stopping = 1;
    pthread_cond_signal(&s->log_cond);
    pthread_mutex_unlock(&s->log_lock);
    if (s->flusher_running) {
        pthread_join(s->flusher, NULL);
    }
    if (s->log) {
        fflush(s->log);
    }
    for (i = 0; i < s->n_dbs; i++) {
        db_close(s->dbs[i]);
    }
    free(s->dbs);
    pthread_cond_destroy(&s->log_cond);
    pthread_mutex_destroy(&s->log_lock);
    pthread_mutex_destroy(&s->up_lock);
    pthread_mutex_destroy(&s->dbs_lock);
    free(s);
}

int http_server_port(const HttpServer *s)
{
    return s ? s->port : 0;
}
