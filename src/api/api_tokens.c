/* api_tokens.c - API tokens for integrations. */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "domain/accounts/token.h"

int api_tokens_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    int rc;

    rc = token_list(c->db, &c->actor, &items, e);
    if (rc) {
        return rc;
    }
    return ctx_reply_list(c, items);
}

int api_tokens_create(Ctx *c, Err *e)
{
    static const char *const fields[] = {"name", "role", "unit_id",
                                         "expires_days", NULL};
    char secret[TOKEN_SECRET_LEN + 1];
    const char *role = NULL;
    json_t *tok = NULL;
    TokenInput in;
    int present = 0;
    int64_t id = 0;
    int rc;

    memset(&in, 0, sizeof in);
    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = ctx_json_str(c, "name", 1, TOKEN_NAME_MAX, &in.name, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_str(c, "role", 0, 16, &role, &present, e);
    }
    if (rc == 0 && present) {
        in.role = role_from_code(role);
        if (in.role == ROLE_NONE) {
            rc = err_set(e, ERR_INVALID, "role",
                         "角色应为 admin、staff、leader、agent 或 dept");
        }
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "unit_id", 0, 1, INT64_MAX, &in.unit_id, NULL, e);
    }
    if (rc == 0) {
        rc = ctx_json_int(c, "expires_days", 0, 0, TOKEN_EXPIRES_DAYS_MAX,
                          &in.expires_days, NULL, e);
    }
    if (rc == 0) {
        rc = token_create(c->db, &c->actor, &in, &id, secret, e);
    }
    if (rc == 0) {
        rc = token_get(c->db, &c->actor, id, &tok, e);
    }
    if (rc) {
        return rc;
    }
    /* The secret is shown this once and never stored. */
    json_object_set_new(tok, "token", json_string(secret));
    memset(secret, 0, sizeof secret);
    return ctx_reply_json(c, 201, tok);
}

int api_tokens_revoke(Ctx *c, Err *e)
{
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = token_revoke(c->db, &c->actor, id, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_empty(c);
}
