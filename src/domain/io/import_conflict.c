/* import_conflict.c - values an import did not write because a user had
 * entered or verified the stored one: list and resolve. */
#include "domain/io/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/library/ent.h"

#define IC_COLS                                                                \
    "c.id, c.job_id, c.kind, c.enterprise_id, e.uscc, e.name, c.year, "        \
    "c.field, c.col_title, c.row_no, c.existing_value, c.existing_src_kind, "  \
    "c.existing_src_user_id, c.existing_src_ref, c.existing_verified, "        \
    "c.incoming_value, c.status, c.resolution, c.resolved_by, c.resolved_at, " \
    "c.created_at, c.target_table, c.target_id, c.incoming_db"
#define IC_FROM                                                                \
    " FROM import_conflicts c JOIN enterprises e ON e.id = c.enterprise_id "   \
    "JOIN org_units u ON u.id = e.unit_id WHERE substr(u.path, 1, "            \
    "length($1)) = $1"

static json_t *ic_int(DbStmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null()
                                   : json_integer(db_col_int64(st, col));
}

static json_t *ic_text(DbStmt *st, int col)
{
    const char *t = db_col_text(st, col);
    return t ? json_string(t) : json_null();
}

static json_t *ic_row(DbStmt *st)
{
    return json_pack(
        "{sIsosssIsosososssIs{sosssososb}s{soso}sosososo}", "id",
        (json_int_t)db_col_int64(st, 0), "job_id", ic_int(st, 1), "kind",
        db_col_text(st, 2), "enterprise_id", (json_int_t)db_col_int64(st, 3),
        "uscc", ic_text(st, 4), "enterprise_name", ic_text(st, 5), "year",
        db_col_int64(st, 6) ? ic_int(st, 6) : json_null(), "field",
        db_col_text(st, 7), "row", (json_int_t)db_col_int64(st, 9), "existing",
        "value", ic_text(st, 10), "src_kind", db_col_text(st, 11),
        "src_user_id", ic_int(st, 12), "src_ref", ic_int(st, 13), "verified",
        (int)db_col_int64(st, 14), "incoming", "value", ic_text(st, 15),
        "job_id", ic_int(st, 1), "status", ic_text(st, 16), "resolution",
        ic_text(st, 17), "resolved_by", ic_int(st, 18), "resolved_at",
        ic_text(st, 19));
}

/* WHERE additions of f (after $1 = the actor's path). */
static void ic_where(const ConflictFilter *f, Buf *b, const char **texts,
                     int64_t *ints, int *nt, int *ni)
{
    int p = 2;

    *nt = *ni = 0;
    if (f && f->status && *f->status) {
        buf_appendf(b, " AND c.status = $%d", p++);
        texts[(*nt)++] = f->status;
    }
    if (f && f->kind && *f->kind) {
        buf_appendf(b, " AND c.kind = $%d", p++);
        texts[(*nt)++] = f->kind;
    }
    if (f && f->job_id) {
        buf_appendf(b, " AND c.job_id = $%d", p++);
        ints[(*ni)++] = f->job_id;
    }
    if (f && f->enterprise_id) {
        buf_appendf(b, " AND c.enterprise_id = $%d", p++);
        ints[(*ni)++] = f->enterprise_id;
    }
}

/* Bind $1 = path, then texts, then ints, in that order. */
static void ic_bind(DbStmt *st, const char *path, const char **texts, int nt,
                    const int64_t *ints, int ni)
{
    int i, p = 1;

    db_bind_text(st, p++, path);
    for (i = 0; i < nt; i++) {
        db_bind_text(st, p++, texts[i]);
    }
    for (i = 0; i < ni; i++) {
        db_bind_int64(st, p++, ints[i]);
    }
}

int import_conflict_list(Db *db, const Actor *a, const ConflictFilter *f,
                         int64_t offset, int64_t limit, json_t **items,
                         int64_t *total, Err *e)
{
    const char *texts[4];
    int64_t ints[4];
    int nt, ni, rc;
    DbStmt *st = NULL;
    Buf w, sql;

    if (f && f->status && *f->status && strcmp(f->status, "open") != 0 &&
        strcmp(f->status, "resolved") != 0) {
        return err_set(e, ERR_INVALID, "status", "状态应为 open 或 resolved");
    }
    if (f && f->kind && *f->kind && !columns_kind_find(f->kind)) {
        return err_set(e, ERR_INVALID, "kind", "导入类型无效");
    }
    buf_init(&w, 4096);
    buf_init(&sql, 8192);
    ic_where(f, &w, texts, ints, &nt, &ni);
    buf_appendf(&sql, "SELECT COUNT(*)" IC_FROM "%s", w.data ? w.data : "");
    rc = db_prepare(db, sql.data, &st, e);
    if (rc == 0) {
        ic_bind(st, a->unit_path, texts, nt, ints, ni);
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *total = db_col_int64(st, 0);
            rc = 0;
        }
    }
    db_finalize(st);
    st = NULL;
    if (rc) {
        goto out;
    }
    if (limit <= 0 && *total > IMPORT_CONFLICT_EXPORT_MAX) {
        rc = err_set(e, ERR_TOOBIG, "format",
                     "共 %lld 条，超过一次导出的上限 %d 条，请缩小范围",
                     (long long)*total, IMPORT_CONFLICT_EXPORT_MAX);
        goto out;
    }
    buf_reset(&sql);
    buf_appendf(&sql, "SELECT " IC_COLS IC_FROM "%s ORDER BY c.id DESC",
                w.data ? w.data : "");
    if (limit > 0) {
        buf_appendf(&sql, " LIMIT %lld OFFSET %lld", (long long)limit,
                    (long long)offset);
    }
    rc = db_prepare(db, sql.data, &st, e);
    if (rc) {
        goto out;
    }
    ic_bind(st, a->unit_path, texts, nt, ints, ni);
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_t *o = ic_row(st);
        json_object_set_new(o, "column", ic_text(st, 8));
        json_array_append_new(*items, o);
    }
    if (rc == DB_DONE) {
        rc = 0;
    } else {
        json_decref(*items);
        *items = NULL;
    }
out:
    db_finalize(st);
    buf_release(&w);
    buf_release(&sql);
    return rc;
}

int import_conflict_resolve(Db *db, const Actor *a, int64_t id,
                            const char *resolution, Err *e)
{
    char now[CLOCK_ISO_LEN];
    DbStmt *st = NULL;
    json_t *before = NULL, *after = NULL;
    const ColumnKind *k;
    const ColumnDef *col;
    char path[512];
    char table[40], field[64], kind[24];
    char *incoming = NULL, *existing = NULL;
    int64_t target_id, ent_id, job, year;
    int has_job, ci, rc;
    const int64_t *uid = a->user_id > 0 ? &a->user_id : NULL;
    const int64_t *jid;

    if (!resolution || (strcmp(resolution, "keep") != 0 &&
                        strcmp(resolution, "incoming") != 0)) {
        return err_set(
            e, ERR_INVALID, "resolution",
            "处理方式应为 keep（保留原值）或 incoming（采用导入值）");
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e, "SELECT " IC_COLS IC_FROM " AND c.id = $2",
                      "ti", a->unit_path, id);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, "id", "冲突记录不存在");
        }
    }
    if (rc != DB_ROW) {
        goto out;
    }
    rc = 0;
    if (strcmp(db_col_text(st, 16), "open") != 0) {
        rc = err_set(e, ERR_CONFLICT, "status", "该冲突已经处理过了");
        goto out;
    }
    before = ic_row(st);
    snprintf(kind, sizeof kind, "%s", db_col_text(st, 2));
    snprintf(table, sizeof table, "%s", db_col_text(st, 21));
    snprintf(field, sizeof field, "%s", db_col_text(st, 7));
    target_id = db_col_int64(st, 22);
    ent_id = db_col_int64(st, 3);
    year = db_col_int64(st, 6);
    has_job = !db_col_is_null(st, 1);
    job = db_col_int64(st, 1);
    incoming = db_col_text(st, 23) ? strdup(db_col_text(st, 23)) : NULL;
    /* the name in force now (a rename replaces it, whatever the conflict
     * saw) */
    existing = db_col_text(st, 5) ? strdup(db_col_text(st, 5)) : NULL;
    db_finalize(st);
    st = NULL;
    k = columns_kind_find(kind);
    ci = k ? columns_col_by_key(k, field) : -1;
    if (!k || ci < 0 || strcmp(k->table, table) != 0 ||
        (k->cols[ci].flags & (COLUMNS_INFO | COLUMNS_KEY)) || !incoming) {
        rc = err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
        goto out;
    }
    col = &k->cols[ci];
    jid = has_job ? &job : NULL;
    if (strcmp(resolution, "incoming") == 0) {
        char sql[256];
        /* table and field come from the registry, never from input */
        snprintf(sql, sizeof sql,
                 "UPDATE %s SET %s = $1, updated_at = $2 WHERE id = $3",
                 k->table, col->key);
        if (col->flags & COLUMNS_INTCOL) {
            rc =
                db_exec_v(db, e, sql, "iti",
                          (int64_t)strtoll(incoming, NULL, 10), now, target_id);
        } else {
            rc = db_exec_v(db, e, sql, "tti", incoming, now, target_id);
        }
        if (rc == 0 && k->id == XK_ENTERPRISES &&
            strcmp(col->key, "name") == 0 && existing &&
            strcmp(existing, incoming) != 0) {
            rc = ent_record_rename(db, ent_id, existing, incoming, now, e);
        }
        if (rc == 0 && (k->id == XK_ENTERPRISES || k->id == XK_FIGURES)) {
            rc = db_exec_v(
                db, e,
                "INSERT INTO field_provenance (enterprise_id, year, field, "
                "src_kind, src_user_id, src_ref, src_at, verified) VALUES ($1, "
                "$2, $3, 'import', $4, $5, $6, 0) ON CONFLICT (enterprise_id, "
                "year, field) DO UPDATE SET src_kind = 'import', src_user_id = "
                "excluded.src_user_id, src_ref = excluded.src_ref, src_at = "
                "excluded.src_at, verified = 0",
                "iitppt", ent_id, year, col->key, uid, jid, now);
        } else if (rc == 0) {
            char sql2[200];
            snprintf(sql2, sizeof sql2,
                     "UPDATE %s SET src_kind = 'import', src_user_id = $1, "
                     "src_ref = $2, src_at = $3, verified = 0 WHERE id = $4",
                     k->table);
            rc = db_exec_v(db, e, sql2, "ppti", uid, jid, now, target_id);
        }
        if (rc == 0 && (k->id == XK_FIGURES || k->id == XK_IP)) {
            rc = ent_refresh_derived(
                db, ent_id, ent_id,
                k->id == XK_FIGURES ? ENT_DERIVED_LATEST : ENT_DERIVED_IP1, e);
        }
    }
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE import_conflicts SET status = 'resolved', "
                       "resolution = $1, resolved_by = $2, resolved_at = $3 "
                       "WHERE id = $4",
                       "tpti", resolution, uid, now, id);
    }
    if (rc == 0) {
        rc = ent_unit_path(db, ent_id, path, sizeof path, NULL, e);
    }
    if (rc == 0) {
        after = json_pack("{sIsssssssI}", "conflict_id", (json_int_t)id,
                          "field", col->key, "resolution", resolution, "value",
                          incoming, "target_id", (json_int_t)target_id);
        rc = audit_record(db, a, "import.conflict.resolve", "enterprise",
                          ent_id, path, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    db_finalize(st);
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    free(incoming);
    free(existing);
    return rc;
}
