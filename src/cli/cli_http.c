/* cli_http.c - `kechuang http`: one raw HTTP/1.1 request from stdin,
 * dispatched in-process against the database, the raw response on stdout.
 * For tests and debugging: the same http_dispatch() the server runs, with
 * no sockets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/api.h"
#include "base/arena.h"
#include "base/err.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/jobs/job.h"
#include "http/app.h"
#include "http/http.h"

#define CLIHTTP_LINE_MAX ((size_t)16 * 1024)
#define CLIHTTP_HEAD_MAX ((size_t)64 * 1024)

static void clihttp_usage(FILE *out)
{
    fprintf(
        out,
        "用法: kechuang http [--remote 地址] [--secure-cookies] < 请求\n\n"
        "从标准输入读取一个 HTTP/1.1 请求（请求行、头部、按 "
        "Content-Length 的请求体），\n"
        "在进程内对数据库执行，并把完整的 HTTP 响应写到标准输出。"
        "用于测试和调试。\n\n"
        "选项:\n"
        "  --remote 地址      作为客户端地址，默认 127.0.0.1\n"
        "  --secure-cookies   会话 Cookie 加 Secure 标志\n"
        "  --help             显示本帮助\n\n"
        "例: printf 'GET /api/v1/healthz HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' "
        "| kechuang http\n");
}

static const char *clihttp_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

/* Read one line (up to LF) into the arena without the CR LF. NULL at EOF,
 * or with *err set when the line or the whole head is too long. */
static char *clihttp_line(FILE *in, Arena *a, size_t *head_total, int *err)
{
    char buf[CLIHTTP_LINE_MAX];
    size_t n;

    if (!fgets(buf, sizeof buf, in)) {
        return NULL;
    }
    n = strlen(buf);
    *head_total += n;
    if ((n == sizeof buf - 1 && buf[n - 1] != '\n') ||
        *head_total > CLIHTTP_HEAD_MAX) {
        *err = 1;
        return NULL;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }
    return arena_strndup(a, buf, n);
}

/* Parse the request line and headers from in into req (arena strings).
 * Returns 0, or -1 with a message on stderr. */
static int clihttp_read_head(FILE *in, HttpReq *req, Arena *a)
{
    size_t total = 0;
    int err = 0;
    char *line = clihttp_line(in, a, &total, &err);
    char *sp1;
    char *sp2;
    char *q;

    if (!line) {
        fprintf(stderr, "kechuang http: %s\n",
                err ? "请求头过长" : "标准输入中没有请求");
        return -1;
    }
    sp1 = strchr(line, ' ');
    sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || sp1[1] != '/') {
        fprintf(stderr, "kechuang http: 请求行应为 \"方法 /路径 HTTP/1.1\"\n");
        return -1;
    }
    *sp1 = '\0';
    *sp2 = '\0';
    req->method = line;
    req->path = sp1 + 1;
    q = strchr(sp1 + 1, '?');
    if (q) {
        *q = '\0';
        req->query = q + 1;
    } else {
        req->query = "";
    }
    for (;;) {
        char *colon;
        char *v;
        char *end;
        line = clihttp_line(in, a, &total, &err);
        if (!line) {
            if (err) {
                fprintf(stderr, "kechuang http: 请求头过长\n");
                return -1;
            }
            break; /* EOF ends the head too */
        }
        if (!*line) {
            break;
        }
        colon = strchr(line, ':');
        if (!colon || colon == line) {
            fprintf(stderr, "kechuang http: 无效的请求头：%s\n", line);
            return -1;
        }
        if (req->n_headers >= HTTP_MAX_HEADERS) {
            fprintf(stderr, "kechuang http: 请求头超过 %d 个\n",
                    HTTP_MAX_HEADERS);
            return -1;
        }
        *colon = '\0';
        v = colon + 1;
        while (*v == ' ' || *v == '\t') {
            v++;
        }
        end = v + strlen(v);
        while (end > v && (end[-1] == ' ' || end[-1] == '\t')) {
            *--end = '\0';
        }
        req->headers[req->n_headers].name = line;
        req->headers[req->n_headers].value = v;
        req->n_headers++;
    }
    return 0;
}

/* Write the response in HTTP/1.1 wire form. */
static int clihttp_write(FILE *out, const HttpReq *req, const HttpResp *resp)
{
    const char *body =
        resp->static_body ? (const char *)resp->static_body : resp->body.data;
    size_t len = resp->static_body ? resp->static_len : resp->body.len;
    size_t i;

    fprintf(out, "HTTP/1.1 %d %s\r\n", resp->status,
            clihttp_reason(resp->status));
    if (resp->content_type) {
        fprintf(out, "Content-Type: %s\r\n", resp->content_type);
    }
    if (resp->status != 204 && resp->status != 304) {
        fprintf(out, "Content-Length: %zu\r\n", len);
    }
    for (i = 0; i < resp->n_headers; i++) {
        fprintf(out, "%s: %s\r\n", resp->headers[i].name,
                resp->headers[i].value);
    }
    fputs("\r\n", out);
    if (strcmp(req->method, "HEAD") != 0 && len > 0) {
        fwrite(body, 1, len, out);
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

int cli_http_main(int argc, char **argv, const char *db_location)
{
    App app;
    Arena arena;
    HttpReq req;
    HttpResp resp;
    Db *db = NULL;
    Err e;
    const char *remote = "127.0.0.1";
    const char *cl;
    int version = 0;
    int i;
    int rc = 1;

    err_clear(&e);
    memset(&app, 0, sizeof app);
    memset(&req, 0, sizeof req);
    app.session_hours = 12;
    app.routes = api_routes;
    arena_init(&arena, 0);
    http_resp_init(&resp);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            clihttp_usage(stdout);
            rc = 0;
            goto out;
        } else if (strcmp(argv[i], "--secure-cookies") == 0) {
            app.secure_cookies = 1;
        } else if (strcmp(argv[i], "--remote") == 0 && i + 1 < argc) {
            remote = argv[++i];
        } else {
            fprintf(stderr, "kechuang http: 未知选项或缺少参数：%s\n\n",
                    argv[i]);
            clihttp_usage(stderr);
            rc = 2;
            goto out;
        }
    }
    if (strlen(db_location) >= sizeof app.db_location) {
        fprintf(stderr, "kechuang http: 数据库路径过长\n");
        rc = 2;
        goto out;
    }
    memcpy(app.db_location, db_location, strlen(db_location) + 1);

    req.arena = &arena;
    req.remote_addr = remote;
    if (clihttp_read_head(stdin, &req, &arena) != 0) {
        rc = 2;
        goto out;
    }
    if (http_req_header(&req, "Transfer-Encoding")) {
        fprintf(stderr, "kechuang http: 不支持分块传输，请给出 "
                        "Content-Length\n");
        rc = 2;
        goto out;
    }
    cl = http_req_header(&req, "Content-Length");
    if (cl) {
        char *end;
        unsigned long long n;
        size_t cap = http_body_cap(&app, req.method, req.path);
        errno = 0;
        n = strtoull(cl, &end, 10);
        if (!*cl || *end || errno || cl[0] == '-') {
            fprintf(stderr, "kechuang http: Content-Length 无效\n");
            rc = 2;
            goto out;
        }
        if (n > cap) {
            char msg[64];

            snprintf(msg, sizeof msg, "请求体过大（上限 %zu MB）",
                     cap / ((size_t)1024 * 1024));
            http_resp_error(&resp, 413, "too_big", NULL, msg);
            rc = clihttp_write(stdout, &req, &resp) == 0 ? 0 : 1;
            goto out;
        }
        if (n > 0) {
            char *body = arena_alloc(&arena, (size_t)n + 1);
            if (!body || fread(body, 1, (size_t)n, stdin) != (size_t)n) {
                fprintf(stderr,
                        "kechuang http: 请求体短于 Content-Length（%llu）\n",
                        n);
                rc = 2;
                goto out;
            }
            req.body = body;
            req.body_len = (size_t)n;
        }
    }

    if (strncmp(db_location, "postgres", 8) != 0 &&
        access(db_location, F_OK) != 0) {
        fprintf(stderr,
                "kechuang http: 数据库 %s 不存在，请先运行 "
                "kechuang init\n",
                db_location);
        goto out;
    }
    if (db_open(&db, db_location, &e) != 0 ||
        db_schema_version(db, &version, &e) != 0) {
        fprintf(stderr, "kechuang http: %s\n", e.msg);
        goto out;
    }
    if (version != db_schema_latest()) {
        fprintf(stderr,
                "kechuang http: 数据库结构版本为 %d，本程序为 %d，请先运行 "
                "kechuang init\n",
                version, db_schema_latest());
        goto out;
    }
    http_dispatch(&app, db, &req, &resp);
    job_wait_all(0); /* a job the request started finishes first */
    if (clihttp_write(stdout, &req, &resp) != 0) {
        fprintf(stderr, "kechuang http: 写标准输出失败\n");
        goto out;
    }
    rc = 0;
out:
    http_resp_release(&resp);
    arena_release(&arena);
    db_close(db);
    return rc;
}
