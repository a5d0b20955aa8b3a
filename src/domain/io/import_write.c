/* import_write.c - the import engine: writing rows, the reader thread and
 * the spool of validated rows. */
#include "domain/io/import.h"
#include "domain/io/import_int.h"

/* ---- writing ---- */

static int imp_bind_val(DbStmt *st, int idx, const ColumnDef *c,
                        const ColumnVal *v)
{
    if (!v->set) {
        return db_bind_null(st, idx);
    }
    if (c->flags & COLUMNS_INTCOL) {
        return db_bind_int64(st, idx, v->i);
    }
    return db_bind_text(st, idx, v->s);
}

/* Enter bulk-load mode: the kind's secondary indexes go (except those
 * led by enterprise_id, which the per-row lookups use); for enterprises
 * also the two search-index triggers, whose rows imp_bulk_end() fills
 * set-based. */
static int imp_bulk_begin(Imp *m, Err *e)
{
    int rc;

    if (m->child) {
        /* yearly figures and IP rights: their indexes are led by the
         * enterprise id or by the year, and rows arrive in that order:
         * appended at a few places, they cost little row by row */
        m->bulk_on = m->bulk_used = 1;
        return 0;
    }
    rc = bulk_begin(m->db, m->k->table, NULL, NULL, &m->bulk, e);
    if (rc == 0 && m->k->id == XK_ENTERPRISES) {
        rc = db_query_int64(m->db, &m->bulk_max_id, e,
                            "SELECT COALESCE(MAX(id), 0) FROM enterprises", "");
        if (rc == 0) {
            rc = bulk_drop_trigger(m->db, &m->bulk, "enterprises_fts_ai", e);
        }
        if (rc == 0) {
            rc = bulk_drop_trigger(m->db, &m->bulk, "enterprises_grams_ai", e);
        }
    }
    m->bulk_on = m->bulk_used = rc == 0;
    return rc;
}

/* Leave bulk-load mode: the rows the dropped insert triggers would have
 * written (the same statements as those triggers, migration 006), then
 * the indexes and triggers themselves. */
int imp_bulk_end(Imp *m, Err *e)
{
    int rc = 0;

    if (!m->bulk_on) {
        return 0;
    }
    if (m->k->id == XK_ENTERPRISES) {
        rc = db_search_reindex(m->db, m->bulk_max_id, e);
    }
    if (rc == 0) {
        rc = bulk_end(m->db, m->bulk, e);
        m->bulk = NULL;
        m->bulk_on = 0;
    }
    return rc;
}

/* Move the staged new rows into the kind's table (one statement, so
 * triggers and indexes work set-wise as in a bulk load). */
int imp_flush(Imp *m, Err *e)
{
    int rc;

    if (m->staged == 0) {
        return 0;
    }
    if (!m->bulk_decided) {
        /* decided once, before the first new rows reach the table */
        m->bulk_decided = 1;
        if (m->k->id != XK_FACTS && m->staged >= IMPORT_BULK_MIN &&
            m->staged >= m->table_rows) {
            rc = imp_bulk_begin(m, e);
            if (rc) {
                return rc;
            }
        }
    }
    rc = db_exec(m->db, m->flush_sql.data, e);
    if (rc == 0) {
        rc = db_exec(m->db, "DELETE FROM import_new", e);
    }
    m->staged = 0;
    return rc;
}

int imp_insert(Imp *m, RowState *rs, Err *e)
{
    DbStmt *st = m->ins;
    int i, p = 1, rc;

    db_reset(st);
    if (m->child) {
        db_bind_int64(st, p++, rs->ent_id);
    }
    for (i = 0; i < m->n_stored; i++) {
        int c = m->stored[i];
        imp_bind_val(st, p++, &m->k->cols[c], &rs->v[c]);
    }
    if (m->k->id == XK_IP) {
        int ck = columns_col_by_key(m->k, "kind");
        db_bind_int64(st, p++, ip_class_of(rs->v[ck].s));
    }
    if (m->a->user_id > 0) {
        db_bind_int64(st, p++, m->a->user_id);
    } else {
        db_bind_null(st, p++);
    }
    if (m->o->job_id) {
        db_bind_int64(st, p++, m->o->job_id);
    } else {
        db_bind_null(st, p++);
    }
    db_bind_text(st, p++, m->now);
    rc = db_step(st, e);
    db_reset(st);
    if (rc != DB_DONE) {
        return rc == DB_ROW ? 0 : rc;
    }
    m->r->inserted++;
    if (m->direct) {
        return 0;
    }
    if (++m->staged >= IMPORT_FLUSH_ROWS) {
        return imp_flush(m, e);
    }
    return 0;
}

/* Effective provenance of stored column i of the existing row: the
 * field's override when there is one. Returns 1 when protected (entered
 * by a user or verified). */
static int imp_protected(const RowState *rs, const char *field,
                         json_t *overrides, const char **kind, int64_t *user,
                         int *has_user, int64_t *ref, int *has_ref,
                         int64_t *verified)
{
    json_t *ov = overrides ? json_object_get(overrides, field) : NULL;

    if (ov) {
        json_t *u = json_object_get(ov, "u");
        json_t *r = json_object_get(ov, "r");
        *kind = json_string_value(json_object_get(ov, "k"));
        *has_user = json_is_integer(u);
        *user = json_integer_value(u);
        *has_ref = json_is_integer(r);
        *ref = json_integer_value(r);
        *verified = json_integer_value(json_object_get(ov, "v"));
    } else {
        *kind = rs->ex_src_kind;
        *has_user = rs->ex_has_user;
        *user = rs->ex_src_user;
        *has_ref = rs->ex_has_ref;
        *ref = rs->ex_src_ref;
        *verified = rs->ex_verified;
    }
    return (*kind && strcmp(*kind, "user") == 0) || *verified;
}

static int imp_year_of(const Imp *m, const RowState *rs)
{
    int cy = m->k->id == XK_FIGURES ? columns_col_by_key(m->k, "year") : -1;
    return cy >= 0 ? (int)rs->v[cy].i : 0;
}

static int imp_conflict(Imp *m, RowState *rs, int c, int si, const char *pk,
                        int64_t pu, int hu, int64_t pr, int hr, int64_t pv,
                        Err *e)
{
    const ColumnDef *col = &m->k->cols[c];
    DbStmt *st = m->existing;
    Buf ex, in, db;
    int rc;

    buf_init(&ex, 16384);
    buf_init(&in, 16384);
    buf_init(&db, 16384);
    if (col->type == COLUMNS_DECLVAL) {
        /* in the unit of the row's 申报事项 (a key: the same on both) */
        const char *fld = rs->v[columns_col_by_key(m->k, "field")].s;
        columns_decl_value_format(fld, db_col_int64(st, 6 + si), &ex);
        columns_decl_value_format(fld, rs->v[c].i, &in);
        buf_appendf(&db, "%lld", (long long)rs->v[c].i);
    } else if (col->flags & COLUMNS_INTCOL) {
        columns_format(col, 1, db_col_int64(st, 6 + si), NULL, &ex);
        columns_format(col, 1, rs->v[c].i, NULL, &in);
        buf_appendf(&db, "%lld", (long long)rs->v[c].i);
    } else {
        columns_format(col, 1, 0, db_col_text(st, 6 + si), &ex);
        columns_format(col, 1, 0, rs->v[c].s, &in);
        buf_append_str(&db, rs->v[c].s);
    }
    db_reset(m->conf_dup);
    db_bind_text(m->conf_dup, 1, m->k->table);
    db_bind_int64(m->conf_dup, 2, rs->row_id);
    db_bind_text(m->conf_dup, 3, col->key);
    db_bind_text(m->conf_dup, 4, db.data ? db.data : "");
    rc = db_step(m->conf_dup, e);
    db_reset(m->conf_dup);
    if (rc == DB_ROW) {
        rc = 0; /* the same conflict is already open */
        m->r->conflicts++;
        goto out;
    }
    if (rc != DB_DONE) {
        goto out;
    }
    m->r->conflicts++;
    if (!m->o->apply || !m->writing) {
        rc = 0;
        goto out;
    }
    db_reset(m->conf_ins);
    if (m->o->job_id) {
        db_bind_int64(m->conf_ins, 1, m->o->job_id);
    } else {
        db_bind_null(m->conf_ins, 1);
    }
    db_bind_text(m->conf_ins, 2, m->k->code);
    db_bind_int64(m->conf_ins, 3, rs->ent_id);
    db_bind_int64(m->conf_ins, 4, imp_year_of(m, rs));
    db_bind_text(m->conf_ins, 5, m->k->table);
    db_bind_int64(m->conf_ins, 6, rs->row_id);
    db_bind_text(m->conf_ins, 7, col->key);
    db_bind_text(m->conf_ins, 8, col->title);
    db_bind_int64(m->conf_ins, 9, rs->row_no);
    db_bind_text(m->conf_ins, 10, ex.data ? ex.data : "");
    db_bind_text(m->conf_ins, 11, pk ? pk : "user");
    if (hu) {
        db_bind_int64(m->conf_ins, 12, pu);
    } else {
        db_bind_null(m->conf_ins, 12);
    }
    if (hr) {
        db_bind_int64(m->conf_ins, 13, pr);
    } else {
        db_bind_null(m->conf_ins, 13);
    }
    db_bind_int64(m->conf_ins, 14, pv);
    db_bind_text(m->conf_ins, 15, in.data ? in.data : "");
    db_bind_text(m->conf_ins, 16, db.data ? db.data : "");
    db_bind_text(m->conf_ins, 17, m->now);
    rc = db_step(m->conf_ins, e);
    db_reset(m->conf_ins);
    rc = rc == DB_DONE ? 0 : rc;
out:
    buf_release(&ex);
    buf_release(&in);
    buf_release(&db);
    return rc;
}

/* Load the field overrides of the existing row as {field: {k,u,r,v}}. */
static int imp_load_overrides(Imp *m, const RowState *rs, json_t **out, Err *e)
{
    int rc;

    *out = NULL;
    if (!m->has_field_prov) {
        return 0;
    }
    db_reset(m->prov_load);
    db_bind_int64(m->prov_load, 1, rs->ent_id);
    db_bind_int64(m->prov_load, 2, imp_year_of(m, rs));
    while ((rc = db_step(m->prov_load, e)) == DB_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "k", json_string(db_col_text(m->prov_load, 1)));
        if (!db_col_is_null(m->prov_load, 2)) {
            json_object_set_new(o, "u",
                                json_integer(db_col_int64(m->prov_load, 2)));
        }
        if (!db_col_is_null(m->prov_load, 3)) {
            json_object_set_new(o, "r",
                                json_integer(db_col_int64(m->prov_load, 3)));
        }
        json_object_set_new(o, "v",
                            json_integer(db_col_int64(m->prov_load, 4)));
        if (!*out) {
            *out = json_object();
        }
        json_object_set_new(*out, db_col_text(m->prov_load, 0), o);
    }
    db_reset(m->prov_load);
    return rc == DB_DONE ? 0 : rc;
}

/* Compare incoming values with the existing row; decide per column
 * (unchanged, written, conflict). With write, also update. */
int imp_update(Imp *m, RowState *rs, Err *e)
{
    DbStmt *ex = m->existing;
    json_t *ov = NULL;
    unsigned char take[COLUMNS_MAX] = {0};
    int n_take = 0, n_set = 0, i, rc, p;
    char *old_name = NULL;
    const char *new_name = NULL;

    rc = imp_load_overrides(m, rs, &ov, e);
    if (rc) {
        return rc;
    }
    for (i = 0; i < m->n_stored; i++) {
        int c = m->stored[i];
        const ColumnDef *col = &m->k->cols[c];
        const char *pk;
        int64_t pu, pr, pv;
        int hu, hr, same;
        if (!rs->v[c].set || (col->flags & COLUMNS_KEY)) {
            if (col->flags & COLUMNS_KEY) {
                n_set++;
            }
            continue;
        }
        n_set++;
        if (db_col_is_null(ex, 6 + i)) {
            same = 0;
        } else if (col->flags & COLUMNS_INTCOL) {
            same = db_col_int64(ex, 6 + i) == rs->v[c].i;
        } else {
            same = strcmp(db_col_text(ex, 6 + i), rs->v[c].s) == 0;
        }
        if (same) {
            continue;
        }
        if (!db_col_is_null(ex, 6 + i) &&
            imp_protected(rs, col->key, ov, &pk, &pu, &hu, &pr, &hr, &pv)) {
            rc = imp_conflict(m, rs, c, i, pk, pu, hu, pr, hr, pv, e);
            if (rc) {
                goto out;
            }
            rs->v[c].set = 0; /* keep the stored value */
            n_set--;
            continue;
        }
        take[i] = 1;
        n_take++;
    }
    if (n_take == 0) {
        m->r->skipped++;
        rc = 0;
        goto out;
    }
    m->r->updated++;
    if (!m->o->apply || !m->writing) {
        rc = 0;
        goto out;
    }
    if (m->k->id == XK_ENTERPRISES) {
        int cn = columns_col_by_key(m->k, "name");
        for (i = 0; i < m->n_stored; i++) {
            if (m->stored[i] == cn && take[i]) {
                old_name = xstrdup(db_col_text(ex, 6 + i));
                new_name = rs->v[cn].s;
            }
        }
    }
    /* the whole row written: the row's provenance becomes the import's */
    {
        int whole = n_set == m->n_stored;
        const char *pkind = whole ? "import" : rs->ex_src_kind;
        int64_t pu = whole ? m->a->user_id : rs->ex_src_user;
        int hu = whole ? m->a->user_id > 0 : rs->ex_has_user;
        int64_t pr = whole ? m->o->job_id : rs->ex_src_ref;
        int hr = whole ? m->o->job_id != 0 : rs->ex_has_ref;
        int64_t pv = whole ? 0 : rs->ex_verified;
        char *pkind_copy = xstrdup(pkind ? pkind : "import");
        char *src_at = xstrdup(m->now); /* the row's last write */
        int64_t row_id = rs->row_id;

        if (!m->has_field_prov) {
            /* IP rights and facts: row provenance only */
            free(pkind_copy);
            pkind_copy = xstrdup("import");
            pu = m->a->user_id;
            hu = m->a->user_id > 0;
            pr = m->o->job_id;
            hr = m->o->job_id != 0;
            pv = 0;
            whole = 1;
        }
        db_reset(m->upd);
        for (i = 0; i < m->n_stored; i++) {
            int c = m->stored[i];
            if (take[i]) {
                imp_bind_val(m->upd, i + 1, &m->k->cols[c], &rs->v[c]);
            } else {
                db_bind_null(m->upd, i + 1);
            }
        }
        p = m->n_stored + 1;
        db_bind_text(m->upd, p, pkind_copy);
        if (hu) {
            db_bind_int64(m->upd, p + 1, pu);
        } else {
            db_bind_null(m->upd, p + 1);
        }
        if (hr) {
            db_bind_int64(m->upd, p + 2, pr);
        } else {
            db_bind_null(m->upd, p + 2);
        }
        db_bind_text(m->upd, p + 3, src_at);
        db_bind_int64(m->upd, p + 4, pv);
        db_bind_text(m->upd, p + 5, m->now);
        db_bind_int64(m->upd, p + 6, row_id);
        free(pkind_copy);
        free(src_at);
        /* the existing statement's texts are needed no more */
        rc = db_step(m->upd, e);
        db_reset(m->upd);
        if (rc != DB_DONE) {
            goto out;
        }
        rc = 0;
        if (m->has_field_prov && whole) {
            db_reset(m->prov_drop);
            db_bind_int64(m->prov_drop, 1, rs->ent_id);
            db_bind_int64(m->prov_drop, 2, imp_year_of(m, rs));
            rc = db_step(m->prov_drop, e);
            db_reset(m->prov_drop);
            rc = rc == DB_DONE ? 0 : rc;
        } else if (m->has_field_prov) {
            for (i = 0; rc == 0 && i < m->n_stored; i++) {
                if (!take[i]) {
                    continue;
                }
                db_reset(m->prov_set);
                db_bind_int64(m->prov_set, 1, rs->ent_id);
                db_bind_int64(m->prov_set, 2, imp_year_of(m, rs));
                db_bind_text(m->prov_set, 3, m->k->cols[m->stored[i]].key);
                if (m->a->user_id > 0) {
                    db_bind_int64(m->prov_set, 4, m->a->user_id);
                } else {
                    db_bind_null(m->prov_set, 4);
                }
                if (m->o->job_id) {
                    db_bind_int64(m->prov_set, 5, m->o->job_id);
                } else {
                    db_bind_null(m->prov_set, 5);
                }
                db_bind_text(m->prov_set, 6, m->now);
                rc = db_step(m->prov_set, e);
                db_reset(m->prov_set);
                rc = rc == DB_DONE ? 0 : rc;
            }
        }
    }
    if (rc == 0 && old_name && new_name) {
        rc =
            ent_record_rename(m->db, rs->ent_id, old_name, new_name, m->now, e);
    }
out:
    free(old_name);
    json_decref(ov);
    return rc;
}

/* Remember an enterprise the import wrote to (for the audit entry, which
 * the library snapshot reads to update only those enterprises), and one
 * whose derived list columns must be refreshed. */
void imp_touch(Imp *m, int64_t ent_id)
{
    if (m->writing && ent_id > 0 && !m->touched_over &&
        (m->n_touched == 0 || m->touched[m->n_touched - 1] != ent_id)) {
        if (m->n_touched == IMPORT_TOUCH_MAX) {
            m->touched_over = 1;
        } else {
            if (m->n_touched == m->cap_touched) {
                m->cap_touched = m->cap_touched ? m->cap_touched * 2 : 1024;
                m->touched =
                    xrealloc(m->touched, sizeof *m->touched * m->cap_touched);
            }
            m->touched[m->n_touched++] = ent_id;
        }
    }
    if (!m->writing || (m->k->id != XK_FIGURES && m->k->id != XK_IP)) {
        return;
    }
    if (!m->min_ent || ent_id < m->min_ent) {
        m->min_ent = ent_id;
    }
    if (ent_id > m->max_ent) {
        m->max_ent = ent_id;
    }
}

/* ---- the reader thread ----
 *
 * Reading, decoding and parsing the file (imp_parse_row) runs on its own
 * thread, a ring of PIPE_SLOTS parsed rows ahead of the writing thread,
 * which does the database lookups and writes in file order. Each slot
 * owns the texts of its row until the writer releases it. */

/* The next free slot, or NULL when the writer asked to stop. */
static Parsed *imp_pipe_room(Pipe *p)
{
    Parsed *x = NULL;

    pthread_mutex_lock(&p->mu);
    if (!p->stop && p->put - p->took == PIPE_SLOTS) {
        /* full: sleep until a batch is free, not row by row */
        p->reader_waits = 1;
        while (!p->stop && p->put - p->took > PIPE_SLOTS - PIPE_BATCH) {
            pthread_cond_wait(&p->room, &p->mu);
        }
        p->reader_waits = 0;
    }
    if (!p->stop) {
        x = &p->slot[p->put % PIPE_SLOTS];
    }
    pthread_mutex_unlock(&p->mu);
    return x;
}

/* Hand the filled slot over; last: no more will follow. */
static void imp_pipe_put(Pipe *p, int last)
{
    pthread_mutex_lock(&p->mu);
    p->put++;
    if (p->writer_waits && (last || p->put - p->took >= PIPE_BATCH)) {
        pthread_cond_signal(&p->more);
    }
    pthread_mutex_unlock(&p->mu);
}

/* The oldest row not yet released (waits for the reader). */
Parsed *imp_pipe_take(Pipe *p)
{
    Parsed *x;

    pthread_mutex_lock(&p->mu);
    if (p->put == p->took) {
        /* empty: sleep until a batch is ready (or the last row) */
        p->writer_waits = 1;
        while (p->put == p->took) {
            pthread_cond_wait(&p->more, &p->mu);
        }
        p->writer_waits = 0;
    }
    x = &p->slot[p->took % PIPE_SLOTS];
    pthread_mutex_unlock(&p->mu);
    return x;
}

void imp_pipe_release(Pipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->took++;
    if (p->reader_waits && p->put - p->took <= PIPE_SLOTS - PIPE_BATCH) {
        pthread_cond_signal(&p->room);
    }
    pthread_mutex_unlock(&p->mu);
}

static void reader_close(Pipe *p)
{
    imp_owner_close(p->oq);
    p->oq = NULL;
    if (p->rdb) {
        if (db_in_tx(p->rdb)) {
            db_rollback(p->rdb);
        }
        db_close(p->rdb);
        p->rdb = NULL;
    }
}

/* Owners are looked up by the reader on a connection of its own, in a
 * read transaction: it sees the database as it was before the import's
 * writes, which for an owner is what the writer would see (the import
 * writes no enterprise named by an earlier row: keys are unique within
 * the file). An in-memory database cannot be shared: the writer then
 * looks owners up itself. */
static void reader_open(Pipe *p)
{
    const char *loc = db_location(p->m->db);
    Err e;

    if (strcmp(db_backend(p->m->db), "sqlite") != 0 || !loc || !*loc ||
        strcmp(loc, ":memory:") == 0 || strncmp(loc, "file:", 5) == 0) {
        return;
    }
    if (db_open(&p->rdb, loc, &e) || db_begin_read(p->rdb, &e) ||
        imp_owner_open(p->rdb, p->m->a, p->m->k, p->m->child, &p->oq, &e)) {
        log_warn("import: owner lookups stay on the writing connection: %s",
                 e.msg);
        reader_close(p);
    }
}

/* ---- the spool: rows as validated, for the write ----
 *
 * An apply validates the file first without the write lock and writes
 * every parsed row here; the write then takes its rows from the spool
 * (no decoding, no cell parsing) and only repeats the checks against the
 * database. Record: row number, flags, the set values (column, integer,
 * offset of the text in the pool), the pool, the parser's errors. */

int imp_spool_write(const Imp *m, const Parsed *x, FILE *f, Err *e)
{
    SpoolHead h;
    SpoolVal sv;
    int c;

    memset(&h, 0, sizeof h);
    h.row_no = x->rs.row_no;
    h.bad = x->rs.bad;
    h.done = x->rs.done;
    h.n_pool = (uint32_t)x->pool.len;
    h.n_errs = (uint32_t)x->errs.len;
    for (c = 0; c < (int)m->k->n_cols; c++) {
        h.n_vals += x->rs.v[c].set != 0;
    }
    if (fwrite(&h, sizeof h, 1, f) != 1) {
        goto fail;
    }
    for (c = 0; c < (int)m->k->n_cols; c++) {
        if (!x->rs.v[c].set) {
            continue;
        }
        memset(&sv, 0, sizeof sv);
        sv.col = c;
        sv.i = x->rs.v[c].i;
        sv.off = (uint32_t)x->rs.v[c].off;
        if (fwrite(&sv, sizeof sv, 1, f) != 1) {
            goto fail;
        }
    }
    if (fwrite(x->pool.data, 1, x->pool.len, f) != x->pool.len ||
        fwrite(x->errs.data, 1, x->errs.len, f) != x->errs.len) {
        goto fail;
    }
    return 0;
fail:
    log_error("import: writing the spool: %s", strerror(errno));
    return err_set(e, ERR_IO, NULL, "无法写入导入暂存文件（磁盘空间不足？）");
}

/* ERR_THROTTLED when the spool's file system keeps less free space than the
 * reserve for uploads (import_upload_admit): the database beside it must
 * not run out of disk. */
int imp_spool_room(FILE *f, Err *e)
{
    ImportLimits l;
    struct statvfs vfs;

    import_limits_get(&l);
    if (fstatvfs(fileno(f), &vfs) == 0 &&
        (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize < l.disk_reserve) {
        log_warn("import: spool stopped: less than %lld bytes free",
                 (long long)l.disk_reserve);
        return err_set(e, ERR_THROTTLED, NULL,
                       "服务器磁盘空间不足，导入未写入任何数据，请联系管理员");
    }
    return 0;
}

/* Read n bytes of f into b (emptied first). */
static int imp_spool_read_buf(FILE *f, Buf *b, size_t n)
{
    char tmp[16384];

    buf_reset(b);
    if (n > b->max) {
        return -1;
    }
    while (n > 0) {
        size_t k = n < sizeof tmp ? n : sizeof tmp;
        if (fread(tmp, 1, k, f) != k || buf_append(b, tmp, k)) {
            return -1;
        }
        n -= k;
    }
    return 0;
}

/* The next spooled row into x: 1, 0 at the end, -1 on a read error. */
static int imp_spool_read(const Imp *m, Parsed *x, FILE *f)
{
    SpoolHead h;
    SpoolVal sv;
    uint32_t i;
    size_t got = fread(&h, 1, sizeof h, f);

    if (got == 0 && feof(f)) {
        return 0;
    }
    if (got != sizeof h || h.n_vals > m->k->n_cols) {
        return -1;
    }
    memset(&x->rs, 0, sizeof x->rs);
    x->rs.row_no = (long)h.row_no;
    x->rs.bad = h.bad;
    x->rs.done = h.done;
    x->rs.pool = &x->pool;
    for (i = 0; i < h.n_vals; i++) {
        if (fread(&sv, sizeof sv, 1, f) != 1 || sv.col < 0 ||
            sv.col >= (int32_t)m->k->n_cols || sv.off > h.n_pool) {
            return -1;
        }
        x->rs.v[sv.col].set = 1;
        x->rs.v[sv.col].i = sv.i;
        x->rs.v[sv.col].off = sv.off;
    }
    if (imp_spool_read_buf(f, &x->pool, h.n_pool) ||
        imp_spool_read_buf(f, &x->errs, h.n_errs)) {
        return -1;
    }
    columns_vals_fix(m->k, x->rs.v, &x->pool);
    return 1;
}

/* An unnamed file for the spool beside the database (its directory of
 * staged uploads), or in the temporary directory. */
FILE *imp_spool_open(Db *db)
{
    const char *loc = db_location(db);
    char dir[1200];
    char path[1300];
    Err e;
    FILE *f = NULL;
    int fd;

    if (loc && *loc && strcmp(loc, ":memory:") != 0 &&
        strncmp(loc, "file:", 5) != 0 &&
        import_stage_dir(loc, dir, sizeof dir, &e) == 0 &&
        snprintf(path, sizeof path, "%s/spool-XXXXXX", dir) <
            (int)sizeof path &&
        (fd = mkstemp(path)) >= 0) {
        unlink(path);
        f = fdopen(fd, "w+b");
        if (!f) {
            close(fd);
        }
    }
    return f ? f : tmpfile();
}

/* The reader thread looks up the owner of row x when it has an owner
 * query (own_known set on success); a failed lookup is logged and closes
 * the reader. Shared by the file and spool readers. */
static void imp_pipe_owner(Pipe *p, Parsed *x)
{
    Err oe;

    if (!p->oq) {
        return;
    }
    if (imp_owner_find(p->oq, x->rs.v[p->m->col_uscc].s, &x->rs.own, &oe) ==
        0) {
        x->rs.own_known = 1;
    } else {
        log_warn("import: owner lookup: %s", oe.msg);
        reader_close(p);
    }
}

/* Spooled rows for the write (the reader thread). */
static void imp_spool_reader(Pipe *p)
{
    Parsed *x;

    while ((x = imp_pipe_room(p)) != NULL) {
        int got = imp_spool_read(p->m, x, p->spool);
        if (got <= 0) {
            x->what = got < 0 ? PR_FAIL : PR_END;
            x->rc = got < 0
                        ? err_set(&x->err, ERR_IO, NULL, "读取导入暂存文件失败")
                        : 0;
            imp_pipe_put(p, 1);
            break;
        }
        x->rc = 0;
        if (!x->rs.done) {
            imp_pipe_owner(p, x);
        }
        x->what = PR_ROW;
        imp_pipe_put(p, 0);
    }
}

static void *imp_reader(void *arg)
{
    Pipe *p = arg;
    long rows = 0;
    Parsed *x;

    reader_open(p);
    if (p->spool) {
        imp_spool_reader(p);
        reader_close(p);
        return NULL;
    }
    while ((x = imp_pipe_room(p)) != NULL) {
        int got = imp_src_next(p->s, &x->err);
        if (got <= 0) {
            x->what = got < 0 ? PR_FAIL : PR_END;
            x->rc = -got;
            imp_pipe_put(p, 1);
            break;
        }
        if (imp_src_row_blank(p->s)) {
            continue; /* the slot stays free */
        }
        if (++rows > IMPORT_ROWS_MAX) {
            x->what = PR_FAIL;
            x->rc = err_set(&x->err, ERR_TOOBIG, "file",
                            "文件超过 %ld 行，请分批导入", IMPORT_ROWS_MAX);
            imp_pipe_put(p, 1);
            break;
        }
        memset(&x->rs, 0, sizeof x->rs);
        x->rs.row_no = p->s->row_no;
        x->rs.pool = &x->pool;
        x->rs.sink = &x->errs;
        buf_reset(&x->errs);
        x->rc = imp_parse_row(p->m, &x->rs, p->s, &x->err);
        x->rs.sink = NULL;
        if (x->rc == 0 && !x->rs.done) {
            imp_pipe_owner(p, x);
        }
        x->what = x->rc ? PR_FAIL : PR_ROW;
        imp_pipe_put(p, x->rc != 0);
        if (x->rc) {
            break;
        }
    }
    reader_close(p);
    return NULL;
}

int imp_pipe_start(Pipe *p, Imp *m, Src *s, FILE *spool, Err *e)
{
    size_t i;

    memset(p, 0, sizeof *p);
    p->m = m;
    p->s = s;
    p->spool = spool;
    p->slot = xcalloc(PIPE_SLOTS, sizeof *p->slot);
    for (i = 0; i < PIPE_SLOTS; i++) {
        buf_init(&p->slot[i].pool, (size_t)1024 * 1024);
        buf_init(&p->slot[i].errs, (size_t)64 * 1024);
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->more, NULL);
    pthread_cond_init(&p->room, NULL);
    if (pthread_create(&p->th, NULL, imp_reader, p) != 0) {
        log_error("import: cannot start the reader thread");
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    p->started = 1;
    return 0;
}

/* Stop the reader (when still reading) and free the ring. */
void imp_pipe_end(Pipe *p)
{
    size_t i;

    if (!p->slot) {
        return;
    }
    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_signal(&p->room);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->th, NULL);
    }
    for (i = 0; i < PIPE_SLOTS; i++) {
        buf_release(&p->slot[i].pool);
        buf_release(&p->slot[i].errs);
    }
    free(p->slot);
    pthread_cond_destroy(&p->room);
    pthread_cond_destroy(&p->more);
    pthread_mutex_destroy(&p->mu);
    memset(p, 0, sizeof *p);
}
