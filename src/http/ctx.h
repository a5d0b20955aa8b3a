/* ctx.h - what a handler sees: the request, the response, the actor, the
 * thread's database connection and the request arena; plus helpers to read
 * JSON bodies strictly and to answer. */
#ifndef KC_HTTP_CTX_H
#define KC_HTTP_CTX_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/session.h"
#include "http/app.h"
#include "http/http.h"

typedef struct Route Route;

typedef struct Ctx {
    App *app;
    Db *db;
    Arena *arena;
    HttpReq *req;
    HttpResp *resp;
    const Route *route;
    Actor actor; /* user_id 0 on public routes when not logged in */
    const char *param_names[HTTP_MAX_PARAMS];
    const char *params[HTTP_MAX_PARAMS]; /* percent-decoded, arena */
    int n_params;
    json_t *json; /* parsed JSON body (object) or NULL; freed after */
    char csrf[CSRF_TOKEN_LEN + 1]; /* the session's CSRF token, or "" */
} Ctx;

/* A path parameter ("id" for /users/{id}), or NULL. */
const char *ctx_param(const Ctx *c, const char *name);

/* Path parameter as a positive int64 id; ERR_NOTFOUND when it is not one
 * (a malformed id names no object). */
int ctx_param_id(const Ctx *c, const char *name, int64_t *out, Err *e);

/* Query parameter (decoded) or NULL. */
const char *ctx_query(const Ctx *c, const char *name);

/* Integer query parameter with default and bounds; ERR_INVALID naming the
 * parameter when it is not an integer in [min, max]. */
int ctx_query_int(const Ctx *c, const char *name, int64_t def, int64_t min,
                  int64_t max, int64_t *out, Err *e);

/* Paging from ?page=&page_size= (page >= 1, 1 <= page_size <= 500,
 * default 20). */
typedef struct Page {
    int64_t page;
    int64_t size;
    int64_t offset;
} Page;
int ctx_page(const Ctx *c, Page *p, Err *e);

/* The one list envelope: {"items": [...], "total": n, "page": p,
 * "page_size": s}, page and page_size only when p is given. items is
 * stolen (also on failure). ctx_page_json builds it for a list that adds
 * fields of its own; ctx_reply_page answers 200 with it; ctx_reply_list
 * answers an unpaged list whose total is its length. */
json_t *ctx_page_json(json_t *items, int64_t total, const Page *p);
int ctx_reply_page(Ctx *c, json_t *items, int64_t total, const Page *p);
int ctx_reply_list(Ctx *c, json_t *items);

/* Check the JSON body: it must be an object and hold only the listed
 * fields (NULL-terminated list); an unknown field is ERR_INVALID naming it.
 * A route with a body but no JSON gives ERR_INVALID ("请求体必须是 JSON 对象").
 */
int ctx_json_fields(const Ctx *c, const char *const *allowed, Err *e);

/* Typed readers of c->json fields. A missing field with required=0 leaves
 * *out untouched and returns 0 (and *present = 0 when present != NULL).
 * Wrong type, empty when required, or too long (max_chars characters of
 * UTF-8, 0 = no cap) is ERR_INVALID naming the field. Strings are trimmed
 * and must be valid UTF-8 without control characters; they are arena
 * copies. */
int ctx_json_str(const Ctx *c, const char *field, int required,
                 size_t max_chars, const char **out, int *present, Err *e);
int ctx_json_int(const Ctx *c, const char *field, int required, int64_t min,
                 int64_t max, int64_t *out, int *present, Err *e);
int ctx_json_bool(const Ctx *c, const char *field, int required, int *out,
                  int *present, Err *e);

/* The whole request body in memory (an upload spooled to a file is read
 * into the request's arena): *data and *len. ERR_INVALID ("上传的文件为空")
 * when there is none, ERR_TOOBIG when it is longer than max bytes (field
 * "file", the limit in MB in the message). */
int ctx_body_bytes(Ctx *c, size_t max, const char **data, size_t *len, Err *e);

/* Answer with JSON (steals the reference to j) and a status. */
int ctx_reply_json(Ctx *c, int status, json_t *j);
/* Answer 204 No Content. */
int ctx_reply_empty(Ctx *c);
/* Answer with raw bytes (copied) and a content type; for exports, add a
 * Content-Disposition attachment filename (UTF-8, RFC 5987 encoded). */
int ctx_reply_bytes(Ctx *c, int status, const char *content_type, const void *p,
                    size_t n, const char *filename);
/* Answer with the error in e: status from its code and
 * {"error": {"code", "field", "message"}}. 5xx messages are replaced by a
 * generic one (details were logged by whoever set e). */
int ctx_reply_error(Ctx *c, const Err *e);

#endif
