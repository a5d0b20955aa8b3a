/* pipe_rows.c - result rows as JSON objects (see pipe_rows.h). */
#include "domain/cultivation/pipe_rows.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"

static json_t *pipe_row_obj(DbStmt *st, const char *types)
{
    json_t *o = json_object();
    int n = db_col_count(st);

    for (int i = 0; i < n && types[i]; i++) {
        const char *name = db_col_name(st, i);
        json_t *v;

        if (db_col_is_null(st, i)) {
            v = json_null();
        } else if (types[i] == 'i') {
            v = json_integer(db_col_int64(st, i));
        } else if (types[i] == 'b') {
            v = json_boolean(db_col_int64(st, i) != 0);
        } else {
            v = json_string(db_col_text(st, i));
            if (!v) { /* not UTF-8: never expected from our own writes */
                v = json_string("");
            }
        }
        json_object_set_new(o, name, v);
    }
    return o;
}

/* The types string must name every column (a mismatch is a bug). Checked
 * on a row: PostgreSQL knows a statement's columns once it has run. */
static int pipe_types_ok(DbStmt *st, const char *types, Err *e)
{
    if (strlen(types) != (size_t)db_col_count(st)) {
        log_error("pipe_rows: %zu types for %d columns", strlen(types),
                  db_col_count(st));
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    return 0;
}

int pipe_rows_json(DbStmt *st, const char *types, json_t *arr, Err *e)
{
    int rc, first = 1;

    while ((rc = db_step(st, e)) == DB_ROW) {
        if (first && pipe_types_ok(st, types, e)) {
            return ERR_INTERNAL;
        }
        first = 0;
        json_array_append_new(arr, pipe_row_obj(st, types));
    }
    return rc == DB_DONE ? 0 : rc;
}

int pipe_row_json(DbStmt *st, const char *types, json_t **out, const char *msg,
                  Err *e)
{
    int rc;

    *out = NULL;
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        return err_set(e, ERR_NOTFOUND, "id", "%s", msg);
    }
    if (rc != DB_ROW) {
        return rc;
    }
    if (pipe_types_ok(st, types, e)) {
        return ERR_INTERNAL;
    }
    *out = pipe_row_obj(st, types);
    return 0;
}

void pipe_like(const char *q, char out[PIPE_LIKE_MAX])
{
    size_t o = 0;

    out[o++] = '%';
    for (size_t i = 0; q[i] && o + 4 < PIPE_LIKE_MAX; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\') {
            out[o++] = '\\';
        }
        out[o++] = q[i];
    }
    out[o++] = '%';
    out[o] = '\0';
}
