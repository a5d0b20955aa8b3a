/* fuzz_json_body.c - request bodies: the dispatcher's JSON parsing settings
 * and the strict field readers handlers use (unknown fields, wrong types,
 * over-long or invalid strings, integers out of range). */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "http/ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = {
        "username", "password", "name", "role", "unit_id", "disabled", NULL};
    json_error_t jerr;
    Arena arena;
    HttpReq req;
    HttpResp resp;
    Ctx c;
    Err e;
    const char *s = NULL;
    int64_t n = 0;
    int b = 0;

    arena_init(&arena, 1 << 20);
    memset(&req, 0, sizeof req);
    req.arena = &arena;
    http_resp_init(&resp);
    memset(&c, 0, sizeof c);
    c.arena = &arena;
    c.req = &req;
    c.resp = &resp;
    c.json =
        json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    err_clear(&e);
    if (c.json) {
        ctx_json_fields(&c, allowed, &e);
        ctx_json_str(&c, "username", 1, 32, &s, NULL, &e);
        ctx_json_str(&c, "name", 0, 64, &s, NULL, &e);
        ctx_json_int(&c, "unit_id", 0, 1, INT64_MAX, &n, NULL, &e);
        ctx_json_bool(&c, "disabled", 0, &b, NULL, &e);
        if (e.code) {
            ctx_reply_error(&c, &e);
        } else {
            ctx_reply_json(&c, 200, json_incref(c.json));
        }
        json_decref(c.json);
    }
    http_resp_release(&resp);
    arena_release(&arena);
    return 0;
}
