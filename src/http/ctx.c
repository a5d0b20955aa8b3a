/* ctx.c - request helpers for handlers: parameters, strict JSON field
 * readers and replies. */
#include "http/ctx.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/mem.h"
#include "domain/io/fieldname.h"

const char *ctx_param(const Ctx *c, const char *name)
{
    int i;

    for (i = 0; i < c->n_params; i++) {
        if (strcmp(c->param_names[i], name) == 0) {
            return c->params[i];
        }
    }
    return NULL;
}

/* Parse s as a decimal int64 with nothing else around it. */
static int ctx_parse_int64(const char *s, int64_t *out)
{
    char *end;
    long long v;

    if (!s || !*s || isspace((unsigned char)*s)) {
        return -1;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end) {
        return -1;
    }
    *out = v;
    return 0;
}

int ctx_param_id(const Ctx *c, const char *name, int64_t *out, Err *e)
{
    const char *s = ctx_param(c, name);
    int64_t v;

    if (ctx_parse_int64(s, &v) != 0 || v <= 0) {
        return err_set(e, ERR_NOTFOUND, name, "对象不存在");
    }
    *out = v;
    return 0;
}

const char *ctx_query(const Ctx *c, const char *name)
{
    return http_query_get(c->req, name);
}

int ctx_query_int(const Ctx *c, const char *name, int64_t def, int64_t min,
                  int64_t max, int64_t *out, Err *e)
{
    const char *s = ctx_query(c, name);
    int64_t v;

    if (!s || !*s) {
        *out = def;
        return 0;
    }
    if (ctx_parse_int64(s, &v) != 0 || v < min || v > max) {
        return err_set(e, ERR_INVALID, name,
                       "参数 %s 应为 %lld 到 %lld 之间的整数", name,
                       (long long)min, (long long)max);
    }
    *out = v;
    return 0;
}

int ctx_page(const Ctx *c, Page *p, Err *e)
{
    int rc;

    rc = ctx_query_int(c, "page", 1, 1, 1000000000, &p->page, e);
    if (rc) {
        return rc;
    }
    rc = ctx_query_int(c, "page_size", 20, 1, 500, &p->size, e);
    if (rc) {
        return rc;
    }
    p->offset = (p->page - 1) * p->size;
    return 0;
}

int ctx_json_fields(const Ctx *c, const char *const *allowed, Err *e)
{
    const char *key;
    json_t *val;

    if (!c->json || !json_is_object(c->json)) {
        return err_set(e, ERR_INVALID, "", "请求体必须是 JSON 对象");
    }
    json_object_foreach(c->json, key, val)
    {
        const char *const *a;
        int known = 0;

        for (a = allowed; *a; a++) {
            if (strcmp(*a, key) == 0) {
                known = 1;
                break;
            }
        }
        if (!known) {
            return err_set(e, ERR_INVALID, key, "未知字段：%s", key);
        }
    }
    return 0;
}

/* Fetch field from the body; NULL when absent (or JSON null). */
static json_t *ctx_json_field(const Ctx *c, const char *field)
{
    json_t *v;

    if (!c->json || !json_is_object(c->json)) {
        return NULL;
    }
    v = json_object_get(c->json, field);
    if (v && json_is_null(v)) {
        return NULL;
    }
    return v;
}

/* Count UTF-8 characters; -1 when s is not valid UTF-8 or holds control
 * characters (other than none: tabs and newlines are refused too). */
static long ctx_utf8_chars(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    long chars = 0;

    while (i < n) {
        unsigned char b = p[i];
        size_t len;
        size_t k;

        if (b < 0x20 || b == 0x7F) {
            return -1;
        }
        if (b < 0x80) {
            len = 1;
        } else if (b >= 0xC2 && b <= 0xDF) {
            len = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
        } else {
            return -1;
        }
        if (i + len > n) {
            return -1;
        }
        for (k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                return -1;
            }
        }
        i += len;
        chars++;
    }
    return chars;
}

int ctx_json_str(const Ctx *c, const char *field, int required,
                 size_t max_chars, const char **out, int *present, Err *e)
{
    json_t *v = ctx_json_field(c, field);
    const char *s;
    size_t n;
    long chars;

    if (present) {
        *present = 0;
    }
    if (!v) {
        if (required) {
            return err_set(e, ERR_INVALID, field, "缺少必填字段：%s",
                           fieldname_or_key(field));
        }
        return 0;
    }
    if (!json_is_string(v)) {
        return err_set(e, ERR_INVALID, field, "字段“%s”应为字符串",
                       fieldname_or_key(field));
    }
    s = json_string_value(v);
    n = json_string_length(v);
    if (strlen(s) != n) {
        return err_set(e, ERR_INVALID, field, "字段“%s”含有空字符",
                       fieldname_or_key(field));
    }
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        n--;
    }
    chars = ctx_utf8_chars(s, n);
    if (chars < 0) {
        return err_set(e, ERR_INVALID, field, "字段“%s”含有非法字符",
                       fieldname_or_key(field));
    }
    if (required && n == 0) {
        return err_set(e, ERR_INVALID, field, "字段“%s”不能为空",
                       fieldname_or_key(field));
    }
    if (max_chars && (size_t)chars > max_chars) {
        return err_set(e, ERR_INVALID, field, "字段“%s”最多 %zu 个字符",
                       fieldname_or_key(field), max_chars);
    }
    *out = arena_strndup(c->arena, s, n);
    if (!*out) {
        return err_set(e, ERR_TOOBIG, field, "请求过大");
    }
    if (present) {
        *present = 1;
    }
    return 0;
}

int ctx_json_int(const Ctx *c, const char *field, int required, int64_t min,
                 int64_t max, int64_t *out, int *present, Err *e)
{
    json_t *v = ctx_json_field(c, field);
    json_int_t n;

    if (present) {
        *present = 0;
    }
    if (!v) {
        if (required) {
            return err_set(e, ERR_INVALID, field, "缺少必填字段：%s",
                           fieldname_or_key(field));
        }
        return 0;
    }
    if (!json_is_integer(v)) {
        return err_set(e, ERR_INVALID, field, "字段“%s”应为整数",
                       fieldname_or_key(field));
    }
    n = json_integer_value(v);
    if (n < min || n > max) {
        return err_set(e, ERR_INVALID, field, "字段“%s”应在 %lld 到 %lld 之间",
                       fieldname_or_key(field), (long long)min, (long long)max);
    }
    *out = n;
    if (present) {
        *present = 1;
    }
    return 0;
}

int ctx_json_bool(const Ctx *c, const char *field, int required, int *out,
                  int *present, Err *e)
{
    json_t *v = ctx_json_field(c, field);

    if (present) {
        *present = 0;
    }
    if (!v) {
        if (required) {
            return err_set(e, ERR_INVALID, field, "缺少必填字段：%s",
                           fieldname_or_key(field));
        }
        return 0;
    }
    if (!json_is_boolean(v)) {
        return err_set(e, ERR_INVALID, field, "字段“%s”应为 true 或 false",
                       fieldname_or_key(field));
    }
    *out = json_is_true(v);
    if (present) {
        *present = 1;
    }
    return 0;
}

/* jansson dump callback into the response Buf. */
static int ctx_dump_cb(const char *buffer, size_t size, void *data)
{
    return buf_append((Buf *)data, buffer, size) ? -1 : 0;
}

int ctx_reply_json(Ctx *c, int status, json_t *j)
{
    HttpResp *r = c->resp;

    buf_reset(&r->body);
    r->static_body = NULL;
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    if (json_dump_callback(j, ctx_dump_cb, &r->body, JSON_COMPACT) != 0) {
        log_error("response JSON too large or not serialisable");
        http_resp_error(r, 500, "internal", NULL, "服务器内部错误");
    }
    json_decref(j);
    return 0;
}

json_t *ctx_page_json(json_t *items, int64_t total, const Page *p)
{
    json_t *o = json_object();

    json_object_set_new(o, "items", items ? items : json_array());
    json_object_set_new(o, "total", json_integer((json_int_t)total));
    if (p) {
        json_object_set_new(o, "page", json_integer((json_int_t)p->page));
        json_object_set_new(o, "page_size", json_integer((json_int_t)p->size));
    }
    return o;
}

int ctx_reply_page(Ctx *c, json_t *items, int64_t total, const Page *p)
{
    return ctx_reply_json(c, 200, ctx_page_json(items, total, p));
}

int ctx_reply_list(Ctx *c, json_t *items)
{
    int64_t n = items ? (int64_t)json_array_size(items) : 0;

    return ctx_reply_json(c, 200, ctx_page_json(items, n, NULL));
}

int ctx_reply_empty(Ctx *c)
{
    buf_reset(&c->resp->body);
    c->resp->static_body = NULL;
    c->resp->status = 204;
    c->resp->content_type = NULL;
    return 0;
}

/* RFC 5987 percent-encoding of a UTF-8 file name into the arena. */
static const char *ctx_encode_filename(Arena *a, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(name);
    char *out = arena_alloc(a, n * 3 + 1);
    size_t i;
    size_t k = 0;

    if (!out) {
        return "export";
    }
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (isalnum(ch) || ch == '.' || ch == '-' || ch == '_') {
            out[k++] = (char)ch;
        } else {
            out[k++] = '%';
            out[k++] = hex[ch >> 4];
            out[k++] = hex[ch & 15];
        }
    }
    out[k] = '\0';
    return out;
}

int ctx_reply_bytes(Ctx *c, int status, const char *content_type, const void *p,
                    size_t n, const char *filename)
{
    HttpResp *r = c->resp;

    buf_reset(&r->body);
    r->static_body = NULL;
    r->status = status;
    r->content_type = content_type;
    if (buf_append(&r->body, p, n)) {
        Err e;
        err_set(&e, ERR_TOOBIG, "", "导出内容过大");
        return ctx_reply_error(c, &e);
    }
    if (filename) {
        const char *enc = ctx_encode_filename(c->arena, filename);
        const char *v = arena_sprintf(
            c->arena, "attachment; filename=\"export\"; filename*=UTF-8''%s",
            enc);
        if (v) {
            http_resp_header(r, "Content-Disposition", v);
        }
    }
    return 0;
}

int ctx_reply_error(Ctx *c, const Err *e)
{
    int status = err_http_status(e->code);
    const char *msg = e->msg[0] ? e->msg : "请求失败";

    if (status >= 500) {
        msg = (e->code == ERR_BUSY) ? "服务器忙，请稍后重试" : "服务器内部错误";
    }
    http_resp_error(c->resp, status, err_code_name(e->code),
                    status < 500 ? e->field : NULL, msg);
    return 0;
}

int ctx_body_bytes(Ctx *c, size_t max, const char **data, size_t *len, Err *e)
{
    FILE *f;
    char *buf;

    *data = c->req->body;
    *len = c->req->body_len;
    if ((!*data && !c->req->body_path) || *len == 0) {
        return err_set(e, ERR_INVALID, "file", "上传的文件为空");
    }
    if (*len > max) {
        return err_set(e, ERR_TOOBIG, "file", "文件超过 %zu MB",
                       max / ((size_t)1024 * 1024));
    }
    if (!c->req->body_path) {
        return 0;
    }
    f = fopen(c->req->body_path, "rb");
    buf = f ? arena_alloc(c->arena, *len + 1) : NULL;
    if (!buf || fread(buf, 1, *len, f) != *len) {
        if (f) {
            fclose(f);
        }
        return err_set(e, ERR_IO, "file", "无法读取上传的文件");
    }
    fclose(f);
    buf[*len] = '\0';
    *data = buf;
    return 0;
}
