/* import_check.c - the import engine: one row - duplicate keys, owners,
 * per-kind statements, parsing and the database lookups. */
#include "domain/io/import.h"
#include "domain/io/import_int.h"

/* ---- duplicate keys: 64-bit hashes with the first row ---- */

static uint64_t imp_hash(const char *s, size_t n, uint64_t h)
{
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Insert h (0 is remapped); returns the first row when already there,
 * else 0. */
static long imp_keyset_add(KeySet *k, uint64_t h, long row)
{
    size_t i;

    if (h == 0) {
        h = 1;
    }
    if ((k->n + 1) * 10 > k->cap * 7) {
        KeySet nk;
        size_t j;
        nk.cap = k->cap ? k->cap * 2 : 4096;
        nk.n = 0;
        nk.h = xcalloc(nk.cap, sizeof *nk.h);
        nk.row = xcalloc(nk.cap, sizeof *nk.row);
        for (j = 0; j < k->cap; j++) {
            if (k->h[j]) {
                i = (size_t)(k->h[j] & (nk.cap - 1));
                while (nk.h[i]) {
                    i = (i + 1) & (nk.cap - 1);
                }
                nk.h[i] = k->h[j];
                nk.row[i] = k->row[j];
                nk.n++;
            }
        }
        free(k->h);
        free(k->row);
        *k = nk;
    }
    i = (size_t)(h & (k->cap - 1));
    while (k->h[i]) {
        if (k->h[i] == h) {
            return k->row[i];
        }
        i = (i + 1) & (k->cap - 1);
    }
    k->h[i] = h;
    k->row[i] = (int32_t)row;
    k->n++;
    return 0;
}

void imp_keyset_free(KeySet *k)
{
    free(k->h);
    free(k->row);
    memset(k, 0, sizeof *k);
}

/* ---- owners: the enterprise of a USCC ---- */

void imp_owner_close(OwnerQ *q)
{
    if (!q) {
        return;
    }
    db_finalize(q->by_uscc);
    db_finalize(q->has_rows);
    free(q);
}

/* Statements on db for kind k (child: rows belong to an enterprise). */
int imp_owner_open(Db *db, const Actor *a, const ColumnKind *k, int child,
                   OwnerQ **out, Err *e)
{
    OwnerQ *q = xcalloc(1, sizeof *q);
    int rc;

    q->a = a;
    rc = db_prepare(db,
                    "SELECT e.id, u.path, e.retired_at FROM enterprises e "
                    "JOIN org_units u ON u.id = e.unit_id WHERE e.uscc = $1",
                    &q->by_uscc, e);
    if (rc == 0 && child) {
        Buf sql;
        buf_init(&sql, 256);
        buf_appendf(&sql,
                    "SELECT EXISTS (SELECT 1 FROM %s WHERE enterprise_id = $1)",
                    k->table);
        rc = sql.err ? err_set(e, ERR_INTERNAL, NULL, "服务器内部错误")
                     : db_prepare(db, sql.data, &q->has_rows, e);
        buf_release(&sql);
    }
    if (rc) {
        imp_owner_close(q);
        return rc;
    }
    *out = q;
    return 0;
}

/* ---- per-kind statements ---- */

static const char *imp_kind_where(const Imp *m)
{
    switch (m->k->id) {
    case XK_ENTERPRISES:
        return "id = $1";
    case XK_FIGURES:
        return "enterprise_id = $1 AND year = $2";
    case XK_IP:
        return "enterprise_id = $1 AND kind = $2 AND number = $3";
    case XK_DECLARATIONS:
        return "enterprise_id = $1 AND field = $2 AND year = $3";
    default:
        /* IS NOT DISTINCT FROM: equal or both NULL (SQLite's IS) */
        return "enterprise_id = $1 AND kind = $2 AND title IS NOT DISTINCT "
               "FROM $3 AND number IS NOT DISTINCT FROM $4 AND occurred_on IS "
               "NOT DISTINCT FROM $5 AND valid_from IS NOT DISTINCT FROM $6 "
               "AND retired_at IS NULL";
    }
}

/* Default of a stored column when an insert leaves it empty, or NULL. */
static const char *imp_default(const char *key)
{
    static const struct {
        const char *key, *dflt;
    } d[] = {{"listing_status", "'none'"},
             {"status", "'valid'"},
             {"acquisition", "'self'"},
             {"defense", "0"}};
    size_t i;

    for (i = 0; i < sizeof d / sizeof d[0]; i++) {
        if (strcmp(key, d[i].key) == 0) {
            return d[i].dflt;
        }
    }
    return NULL;
}

int imp_prepare(Imp *m, Err *e)
{
    const ColumnKind *k = m->k;
    Buf sel, ins, upd, dir;
    int i, p, rc, n_staged;

    m->child = k->id != XK_ENTERPRISES;
    /* staging serves the FTS5 sync (one flush per statement); without
     * FTS tables (PostgreSQL) new enterprises go straight in as well */
    m->direct = m->child || !db_search_fts(m->db);
    m->has_field_prov = k->id == XK_ENTERPRISES || k->id == XK_FIGURES;
    m->n_stored = 0;
    for (i = 0; i < (int)k->n_cols; i++) {
        if (k->cols[i].flags & COLUMNS_INFO) {
            continue;
        }
        if (m->child && strcmp(k->cols[i].key, "uscc") == 0) {
            continue;
        }
        m->stored[m->n_stored++] = i;
    }
    buf_init(&sel, 8192);
    buf_init(&ins, 8192);
    buf_init(&upd, 8192);
    buf_init(&dir, 8192);
    buf_appendf(&sel, "SELECT id, src_kind, src_user_id, src_ref, verified, %s",
                k->id == XK_FIGURES ? "NULL" : "retired_at");
    buf_appendf(&m->flush_sql, "INSERT INTO %s (", k->table);
    buf_appendf(&upd, "UPDATE %s SET ", k->table);
    /* New enterprises go to a staging table (no triggers, no indexes) and
     * move with one INSERT ... SELECT per IMPORT_FLUSH_ROWS rows (FTS5
     * flushes its pending terms at every statement); rows of the other
     * kinds go straight in (m->direct, the same column list). */
    p = 1;
    if (m->child) {
        buf_append_str(&m->flush_sql, "enterprise_id, ");
    }
    for (i = 0; i < m->n_stored; i++) {
        const char *key = k->cols[m->stored[i]].key;
        buf_appendf(&sel, ", %s", key);
        buf_appendf(&m->flush_sql, "%s, ", key);
        buf_appendf(&upd, "%s = COALESCE($%d, %s), ", key, i + 1, key);
    }
    buf_appendf(&sel, " FROM %s WHERE %s", k->table, imp_kind_where(m));
    if (k->id == XK_IP) {
        buf_append_str(&m->flush_sql, "klass, ");
    }
    buf_append_str(&m->flush_sql,
                   "src_kind, src_user_id, src_ref, src_at, verified, "
                   "created_at, updated_at) SELECT ");
    /* the same columns for a direct INSERT ... VALUES (flush_sql ends
     * with "SELECT ") */
    buf_append(&dir, m->flush_sql.data, m->flush_sql.len - 7);
    buf_append_str(&dir, "VALUES (");
    if (m->child) {
        buf_appendf(&dir, "$%d, ", p);
        buf_appendf(&m->flush_sql, "c%d, ", p++);
    }
    for (i = 0; i < m->n_stored; i++) {
        const char *d = imp_default(k->cols[m->stored[i]].key);
        if (d) {
            buf_appendf(&dir, "COALESCE($%d, %s), ", p, d);
            buf_appendf(&m->flush_sql, "COALESCE(c%d, %s), ", p++, d);
        } else {
            buf_appendf(&dir, "$%d, ", p);
            buf_appendf(&m->flush_sql, "c%d, ", p++);
        }
    }
    if (k->id == XK_IP) {
        buf_appendf(&dir, "$%d, ", p);
        buf_appendf(&m->flush_sql, "c%d, ", p++);
    }
    buf_appendf(&dir, "'import', $%d, $%d, $%d, 0, $%d, $%d)", p, p + 1, p + 2,
                p + 2, p + 2);
    buf_appendf(&m->flush_sql,
                "'import', c%d, c%d, c%d, 0, c%d, c%d FROM import_new "
                "ORDER BY seq",
                p, p + 1, p + 2, p + 2, p + 2);
    n_staged = p + 2;
    buf_append_str(&ins, "INSERT INTO import_new (");
    for (i = 1; i <= p + 2; i++) {
        buf_appendf(&ins, "%sc%d", i > 1 ? ", " : "", i);
    }
    buf_append_str(&ins, ") VALUES (");
    for (i = 1; i <= p + 2; i++) {
        buf_appendf(&ins, "%s$%d", i > 1 ? ", " : "", i);
    }
    buf_append_str(&ins, ")");
    p = m->n_stored + 1;
    buf_appendf(&upd,
                "src_kind = $%d, src_user_id = $%d, src_ref = $%d, src_at = "
                "$%d, verified = $%d, updated_at = $%d WHERE id = $%d",
                p, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6);
    if (sel.err || ins.err || upd.err || dir.err || m->flush_sql.err) {
        rc = err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
        goto out;
    }
    rc = db_prepare(m->db, sel.data, &m->existing, e);
    if (rc == 0 && m->o->apply && m->direct) {
        rc = db_prepare(m->db, dir.data, &m->ins, e);
    } else if (rc == 0 && m->o->apply) {
        rc = db_staging_create(m->db, "import_new", n_staged, e);
        if (rc == 0) {
            rc = db_prepare(m->db, ins.data, &m->ins, e);
        }
    }
    if (rc == 0) {
        rc = db_prepare(m->db, upd.data, &m->upd, e);
    }
    if (rc == 0) {
        rc = imp_owner_open(m->db, m->a, k, m->child, &m->oq, e);
    }
    if (rc == 0) {
        rc =
            db_prepare(m->db,
                       "SELECT field, src_kind, src_user_id, src_ref, verified "
                       "FROM field_provenance WHERE enterprise_id = $1 AND "
                       "year = $2",
                       &m->prov_load, e);
    }
    if (rc == 0) {
        rc = db_prepare(
            m->db,
            "INSERT INTO field_provenance (enterprise_id, year, field, "
            "src_kind, src_user_id, src_ref, src_at, verified) VALUES ($1, $2, "
            "$3, 'import', $4, $5, $6, 0) ON CONFLICT (enterprise_id, year, "
            "field) DO UPDATE SET src_kind = 'import', src_user_id = "
            "excluded.src_user_id, src_ref = excluded.src_ref, src_at = "
            "excluded.src_at, verified = 0",
            &m->prov_set, e);
    }
    if (rc == 0) {
        rc = db_prepare(m->db,
                        "DELETE FROM field_provenance WHERE enterprise_id = $1 "
                        "AND year = $2",
                        &m->prov_drop, e);
    }
    if (rc == 0) {
        rc = db_prepare(
            m->db,
            "INSERT INTO import_conflicts (job_id, kind, enterprise_id, year, "
            "target_table, target_id, field, col_title, row_no, "
            "existing_value, existing_src_kind, existing_src_user_id, "
            "existing_src_ref, existing_verified, incoming_value, incoming_db, "
            "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
            "$12, $13, $14, $15, $16, $17)",
            &m->conf_ins, e);
    }
    if (rc == 0) {
        rc =
            db_prepare(m->db,
                       "SELECT 1 FROM import_conflicts WHERE target_table = $1 "
                       "AND target_id = $2 AND field = $3 AND status = 'open' "
                       "AND incoming_db IS NOT DISTINCT FROM $4",
                       &m->conf_dup, e);
    }
    if (rc == 0) {
        rc = db_prepare(m->db,
                        "SELECT id, path FROM org_units WHERE name = $1 AND "
                        "retired_at IS NULL",
                        &m->unit_by_name, e);
    }
out:
    buf_release(&sel);
    buf_release(&ins);
    buf_release(&dir);
    buf_release(&upd);
    return rc;
}

void imp_finalize(Imp *m)
{
    db_finalize(m->existing);
    db_finalize(m->ins);
    db_finalize(m->upd);
    db_finalize(m->prov_load);
    db_finalize(m->prov_set);
    db_finalize(m->prov_drop);
    db_finalize(m->conf_ins);
    db_finalize(m->conf_dup);
    db_finalize(m->unit_by_name);
    imp_units_forget(m);
    imp_owner_close(m->oq);
}

/* Does the default unit have live child units (new enterprises filed
 * there are seen by none of them)? Its name goes to the report. */
static int imp_default_unit_kind(Imp *m, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(m->db, &st, e,
                      "SELECT u.name, EXISTS (SELECT 1 FROM org_units c "
                      "WHERE c.parent_id = u.id AND c.retired_at IS NULL) "
                      "FROM org_units u WHERE u.id = $1",
                      "i", m->default_unit);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            snprintf(m->r->blank_unit_name, sizeof m->r->blank_unit_name, "%s",
                     db_col_text(st, 0));
            m->default_unit_parent = db_col_int64(st, 1) != 0;
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = 0;
        }
    }
    db_finalize(st);
    return rc;
}

/* The unit for new enterprises without one: the last unit of the actor's
 * path, or the root for a district-wide actor. */
int imp_default_unit(Imp *m, Err *e)
{
    const char *p = m->a->unit_path;
    size_t n = strlen(p);
    long long id = 0;

    if (n >= 2) {
        const char *q = p + n - 2;
        while (q > p && q[-1] != '/') {
            q--;
        }
        id = strtoll(q, NULL, 10);
    }
    if (id > 0) {
        m->default_unit = id;
    } else {
        int rc = db_query_int64(m->db, &m->default_unit, e,
                                "SELECT id FROM org_units WHERE parent_id IS "
                                "NULL ORDER BY id LIMIT 1",
                                "");
        if (rc) {
            return rc;
        }
    }
    return imp_default_unit_kind(m, e);
}

/* ---- one row ---- */

static void imp_row_error(Imp *m, RowState *rs, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void imp_row_error(Imp *m, RowState *rs, int col, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rs->bad = 1;
    if (rs->sink) {
        int32_t c = col;
        buf_append(rs->sink, &c, sizeof c);
        buf_append(rs->sink, msg, strlen(msg) + 1);
        return;
    }
    imp_error(m->r, rs->row_no, col, msg);
}

/* Move the errors the reader thread kept for rs into the report, in the
 * order they were found. */
void imp_row_errors_flush(Imp *m, const RowState *rs, const Buf *sink)
{
    size_t off = 0;

    while (off + sizeof(int32_t) < sink->len) {
        int32_t col;
        const char *msg;
        memcpy(&col, sink->data + off, sizeof col);
        msg = sink->data + off + sizeof col;
        imp_error(m->r, rs->row_no, col, msg);
        off += sizeof col + strlen(msg) + 1;
    }
}

/* Text of cell for registry column c, converted from XLSX numbers where
 * the column needs it (money rounded to 4 decimals, date serials). NULL
 * with an error recorded when the cell cannot be used. */
static const char *imp_cell_text(Imp *m, RowState *rs, const Src *s, int c,
                                 Buf *tmp)
{
    const ColumnDef *col = &m->k->cols[c];
    const SrcCell *cell;
    int fi = m->map[c];
    Err e;

    if (fi < 0 || (size_t)fi >= s->n) {
        return "";
    }
    cell = &s->cells[fi];
    if (cell->is_formula) {
        imp_row_error(m, rs, c, "单元格是公式（=%s），请改为数值或文本后再导入",
                      cell->formula && *cell->formula ? cell->formula : "…");
        return NULL;
    }
    if (cell->type == XLSX_CELL_ERROR) {
        imp_row_error(m, rs, c, "单元格是错误值 %s", cell->text);
        return NULL;
    }
    if (!s->xlsx) {
        const char *t = cell->text;
        /* an exported cell neutralised with a leading apostrophe */
        if (t[0] == '\'' && (t[1] == '=' || t[1] == '+' || t[1] == '-' ||
                             t[1] == '@' || t[1] == '\t' || t[1] == '\r')) {
            return t + 1;
        }
        return t;
    }
    if (cell->type != XLSX_CELL_NUMBER) {
        return cell->text;
    }
    buf_reset(tmp);
    if (col->type == COLUMNS_MONEY || col->type == COLUMNS_MONEY_SIGNED) {
        if (xlsx_num_round(cell->text, 4, tmp, &e)) {
            return cell->text;
        }
        return tmp->data;
    }
    if (col->type == COLUMNS_DATE && cell->is_date) {
        Date d;
        char iso[DATE_ISO_SIZE];
        if (date_parse_excel_serial(cell->text, &d, col->key, &e)) {
            imp_row_error(m, rs, c, "%s", e.msg);
            return NULL;
        }
        if (s->date1904) {
            d = date_add_days(d, 1462);
        }
        date_format_iso(d, iso);
        buf_append_str(tmp, iso);
        return tmp->data;
    }
    return cell->text;
}

/* Look up the enterprise with USCC uscc (has_rows: whether it had rows
 * of the kind, for child kinds; else 1). */
int imp_owner_find(OwnerQ *q, const char *uscc, Owner *o, Err *e)
{
    int rc;

    if (q->last_uscc[0] && strcmp(uscc, q->last_uscc) == 0) {
        *o = q->last;
        return 0;
    }
    memset(o, 0, sizeof *o);
    o->has_rows = 1;
    db_reset(q->by_uscc);
    db_bind_text(q->by_uscc, 1, uscc);
    rc = db_step(q->by_uscc, e);
    if (rc == DB_ROW) {
        o->found = 1;
        o->id = db_col_int64(q->by_uscc, 0);
        o->visible = actor_sees_path(q->a, db_col_text(q->by_uscc, 1));
        o->retired = !db_col_is_null(q->by_uscc, 2);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    }
    db_reset(q->by_uscc);
    if (rc == 0 && o->found && q->has_rows) {
        /* an owner without rows of the kind needs no lookup per row */
        db_bind_int64(q->has_rows, 1, o->id);
        rc = db_step(q->has_rows, e);
        if (rc == DB_ROW) {
            o->has_rows = db_col_int64(q->has_rows, 0) != 0;
            rc = 0;
        }
        db_reset(q->has_rows);
    }
    if (rc == 0 && strlen(uscc) < sizeof q->last_uscc) {
        snprintf(q->last_uscc, sizeof q->last_uscc, "%s", uscc);
        q->last = *o;
    }
    return rc;
}

void imp_units_forget(Imp *m)
{
    for (int i = 0; i < m->n_units; i++) {
        free(m->units[i].name);
    }
    m->n_units = 0;
}

/* The units of that name in scope. Within one pass the database does not
 * change under the import (one read snapshot while validating, the write
 * lock while writing), so the answer for a name is remembered for the
 * pass (imp_units_forget at the start of each). */
static int imp_resolve_unit(Imp *m, RowState *rs, int c, Err *e)
{
    int64_t id = 0;
    int n = 0, i;
    int rc = DB_DONE;

    for (i = 0; i < m->n_units; i++) {
        if (strcmp(m->units[i].name, rs->v[c].s) == 0) {
            id = m->units[i].id;
            n = m->units[i].n;
            break;
        }
    }
    if (i == m->n_units) {
        db_reset(m->unit_by_name);
        db_bind_text(m->unit_by_name, 1, rs->v[c].s);
        while ((rc = db_step(m->unit_by_name, e)) == DB_ROW) {
            if (actor_sees_path(m->a, db_col_text(m->unit_by_name, 1))) {
                id = db_col_int64(m->unit_by_name, 0);
                n++;
            }
        }
        db_reset(m->unit_by_name);
        if (rc != DB_DONE) {
            return rc;
        }
        if (m->n_units < IMPORT_UNIT_CACHE) {
            m->units[m->n_units].name = xstrdup(rs->v[c].s);
            m->units[m->n_units].id = id;
            m->units[m->n_units].n = n;
            m->n_units++;
        }
    }
    if (n == 0) {
        imp_row_error(m, rs, c, "单位“%s”不存在或不在您的管辖范围内",
                      rs->v[c].s);
    } else if (n > 1) {
        imp_row_error(m, rs, c, "有多个名为“%s”的单位，无法确定是哪一个",
                      rs->v[c].s);
    } else {
        rs->v[c].i = id;
    }
    return 0;
}

/* columns_col_by_key for the writing thread's per-row rules, remembered by
 * the address of the key literal. */
static int imp_col(Imp *m, const char *key)
{
    int c;

    for (int i = 0; i < m->n_colc; i++) {
        if (m->colc[i].key == key) {
            return m->colc[i].col;
        }
    }
    c = columns_col_by_key(m->k, key);
    if (m->n_colc < (int)(sizeof m->colc / sizeof m->colc[0])) {
        m->colc[m->n_colc].key = key;
        m->colc[m->n_colc].col = c;
        m->n_colc++;
    }
    return c;
}

/* Value of column c in the merged row: incoming when set, else existing
 * (existing statement columns start at 6). */
static int imp_merged_int(Imp *m, const RowState *rs, const char *key,
                          int64_t *out)
{
    int c = imp_col(m, key);
    int i;

    if (c < 0) {
        return 0;
    }
    if (rs->v[c].set) {
        *out = rs->v[c].i;
        return 1;
    }
    if (!rs->exists) {
        return 0;
    }
    for (i = 0; i < m->n_stored; i++) {
        if (m->stored[i] == c) {
            if (db_col_is_null(m->existing, 6 + i)) {
                return 0;
            }
            *out = db_col_int64(m->existing, 6 + i);
            return 1;
        }
    }
    return 0;
}

static const char *imp_merged_text(Imp *m, const RowState *rs, const char *key)
{
    int c = imp_col(m, key);
    int i;

    if (c < 0) {
        return NULL;
    }
    if (rs->v[c].set) {
        return rs->v[c].s;
    }
    if (!rs->exists) {
        return NULL;
    }
    for (i = 0; i < m->n_stored; i++) {
        if (m->stored[i] == c) {
            return db_col_text(m->existing, 6 + i);
        }
    }
    return NULL;
}

static int imp_rule_int(void *ctx, const char *key, int64_t *out)
{
    ImpRuleRow *x = ctx;
    int c = imp_col(x->m, key);

    if (c < 0 || !(x->m->k->cols[c].flags & COLUMNS_INTCOL)) {
        return 0;
    }
    return imp_merged_int(x->m, x->rs, key, out);
}

static const char *imp_rule_text(void *ctx, const char *key)
{
    ImpRuleRow *x = ctx;
    int c = imp_col(x->m, key);

    if (c < 0 || (x->m->k->cols[c].flags & COLUMNS_INTCOL)) {
        return NULL;
    }
    return imp_merged_text(x->m, x->rs, key);
}

/* The kind's cross-field rules (recrule.c, the same table the domain
 * writers and the demo use) on the merged row; every rule that fails is
 * reported on its column. */
static void imp_row_rules(Imp *m, RowState *rs)
{
    ImpRuleRow x = {m, rs};
    RecRow row = {&x, imp_rule_int, imp_rule_text};
    const RecRule *t;
    size_t n = 0;
    size_t i;

    t = recrule_table(m->k->id, &n);
    for (i = 0; i < n; i++) {
        Err re;
        if (recrule_check_one(&t[i], &row, m->today, &re)) {
            imp_row_error(m, rs, imp_col(m, t[i].field), "%s", re.msg);
        }
    }
}

/* Find the existing row of rs (statement m->existing stays on it). */
static int imp_find_existing(Imp *m, RowState *rs, Err *e)
{
    int rc, i, p = 2;

    db_reset(m->existing);
    db_bind_int64(m->existing, 1, rs->ent_id);
    for (i = 0; i < (int)m->k->n_cols && m->child; i++) {
        const ColumnDef *c = &m->k->cols[i];
        if (!(c->flags & COLUMNS_KEY) || strcmp(c->key, "uscc") == 0) {
            continue;
        }
        if (!rs->v[i].set) {
            db_bind_null(m->existing, p++);
        } else if (c->flags & COLUMNS_INTCOL) {
            db_bind_int64(m->existing, p++, rs->v[i].i);
        } else {
            db_bind_text(m->existing, p++, rs->v[i].s);
        }
    }
    rs->exists = 0;
    if (m->k->id == XK_ENTERPRISES && rs->ent_id == 0) {
        return 0;
    }
    if (m->child && !m->last_has_rows) {
        return 0; /* keys are unique within the file (imp_parse_row) */
    }
    rc = db_step(m->existing, e);
    if (rc == DB_ROW) {
        rs->exists = 1;
        rs->row_id = db_col_int64(m->existing, 0);
        rs->ex_src_kind = db_col_text(m->existing, 1);
        rs->ex_has_user = !db_col_is_null(m->existing, 2);
        rs->ex_src_user = db_col_int64(m->existing, 2);
        rs->ex_has_ref = !db_col_is_null(m->existing, 3);
        rs->ex_src_ref = db_col_int64(m->existing, 3);
        rs->ex_verified = db_col_int64(m->existing, 4);
        if (!db_col_is_null(m->existing, 5)) {
            imp_row_error(m, rs, -1,
                          "该记录已删除（停用），导入不会恢复它，请另行登记");
        }
        return 0;
    }
    return rc == DB_DONE ? 0 : rc;
}

/* Declarations: the value in the unit of the row's 申报事项, and year 0
 * (the table's "not yearly") for a blank 年度; whether 年度 belongs to the
 * field is a cross-field rule (recrule.c). */
static void imp_decl_row(Imp *m, RowState *rs)
{
    int cf = columns_col_by_key(m->k, "field");
    int cy = columns_col_by_key(m->k, "year");
    int cv = columns_col_by_key(m->k, "value");
    Err pe;

    if (!rs->v[cy].set) {
        rs->v[cy].set = 1;
        rs->v[cy].i = 0;
    }
    if (!rs->v[cv].set || !rs->v[cf].set) {
        return;
    }
    if (columns_decl_value_parse(rs->v[cf].s, rs->v[cv].s, &rs->v[cv].i, &pe)) {
        rs->v[cv].i = 0;
        imp_row_error(m, rs, cv, "%s", pe.msg);
    }
}

/* First half of the checks, on the reader thread: parse every cell and
 * find duplicates within the file. Needs no database. rs->done is set
 * when nothing more can be checked (no key, or a repeated key). */
int imp_parse_row(Imp *m, RowState *rs, const Src *s, Err *e)
{
    const ColumnKind *k = m->k;
    Buf tmp;
    Err pe;
    int c;
    int cu = m->col_uscc;
    uint64_t h = 14695981039346656037ULL;
    long first;

    buf_init(&tmp, 4096);
    buf_reset(rs->pool);
    for (c = 0; c < (int)k->n_cols; c++) {
        const ColumnDef *col = &k->cols[c];
        const char *t;
        if ((col->flags & COLUMNS_INFO) || m->map[c] < 0) {
            continue;
        }
        t = imp_cell_text(m, rs, s, c, &tmp);
        if (!t) {
            continue;
        }
        if (columns_parse(col, t, &rs->v[c], rs->pool, &pe)) {
            imp_row_error(m, rs, c, "%s", pe.msg);
            continue;
        }
        if (!rs->v[c].set && (col->flags & COLUMNS_REQ)) {
            imp_row_error(m, rs, c, "必填项为空");
        }
    }
    buf_release(&tmp);
    if (rs->pool->err) {
        return err_set(e, ERR_TOOBIG, "file", "第 %ld 行内容过长", rs->row_no);
    }
    columns_vals_fix(k, rs->v, rs->pool);
    if (k->id == XK_DECLARATIONS) {
        imp_decl_row(m, rs);
    }
    if (!rs->v[cu].set) {
        rs->done = 1; /* nothing more can be checked without the key */
        return 0;
    }
    /* duplicates within the file, on the normalised key */
    for (c = 0; c < (int)k->n_cols; c++) {
        if (!(k->cols[c].flags & COLUMNS_KEY)) {
            continue;
        }
        if (k->cols[c].flags & COLUMNS_INTCOL) {
            char num[24];
            snprintf(num, sizeof num, "%lld", (long long)rs->v[c].i);
            h = imp_hash(rs->v[c].set ? num : "",
                         rs->v[c].set ? strlen(num) : 0, h);
        } else if (rs->v[c].set) {
            h = imp_hash(rs->v[c].s, strlen(rs->v[c].s), h);
        }
        h = imp_hash("\x1f", 1, h);
    }
    first = imp_keyset_add(&m->keys, h, rs->row_no);
    if (first) {
        if (k->id == XK_ENTERPRISES) {
            imp_row_error(m, rs, cu, "统一社会信用代码 %s 与第 %ld 行重复",
                          rs->v[cu].s, first);
        } else {
            imp_row_error(m, rs, -1, "与第 %ld 行是同一条记录（%s）", first,
                          rs->v[cu].s);
        }
        rs->done = 1;
    }
    return 0;
}

/* Second half, on the writing thread: the owner, the existing row, units
 * and the rules that need the merged row. */
int imp_lookup_row(Imp *m, RowState *rs, Err *e)
{
    const ColumnKind *k = m->k;
    int c, rc = 0;
    int cu = m->col_uscc;

    if (rs->done) {
        return 0;
    }
    /* owner / existing enterprise */
    {
        Owner o;
        int found, visible, retired;
        if (rs->own_known) {
            o = rs->own;
        } else {
            rc = imp_owner_find(m->oq, rs->v[cu].s, &o, e);
            if (rc) {
                return rc;
            }
        }
        found = o.found;
        visible = o.visible;
        retired = o.retired;
        rs->ent_id = found ? o.id : 0;
        m->last_has_rows = o.has_rows;
        if (k->id == XK_ENTERPRISES) {
            if (found && !visible) {
                imp_row_error(
                    m, rs, cu,
                    "统一社会信用代码 %s 已登记在您管辖范围以外的单位，"
                    "不能修改",
                    rs->v[cu].s);
                return 0;
            }
            if (found && retired) {
                imp_row_error(
                    m, rs, cu,
                    "统一社会信用代码 %s 的企业已注销出库，不能通过导入"
                    "修改",
                    rs->v[cu].s);
                return 0;
            }
            if (!found) {
                rs->ent_id = 0;
            }
        } else if (!found || !visible || retired) {
            imp_row_error(m, rs, -1, "统一社会信用代码 %s 的企业不在企业库中",
                          rs->v[cu].s);
            return 0;
        }
    }
    rc = imp_find_existing(m, rs, e);
    if (rc) {
        return rc;
    }
    for (c = 0; c < (int)k->n_cols; c++) {
        const ColumnDef *col = &k->cols[c];
        if (!rs->exists && (col->flags & COLUMNS_REQ_NEW) && !rs->v[c].set) {
            imp_row_error(m, rs, c, "新增%s时必填",
                          k->id == XK_ENTERPRISES ? "企业" : "记录");
        }
        if (col->type == COLUMNS_UNIT && rs->v[c].set) {
            rc = imp_resolve_unit(m, rs, c, e);
            if (rc) {
                return rc;
            }
        } else if (col->type == COLUMNS_UNIT && !rs->exists) {
            rs->v[c].set = 1;
            rs->v[c].i = m->default_unit;
            rs->blank_unit = 1;
        }
    }
    if (k->id == XK_IP && !rs->exists) {
        /* derive a missing expiry from the filing date and legal term */
        int ce = columns_col_by_key(k, "expires_on");
        int ca = columns_col_by_key(k, "applied_on");
        int ck = columns_col_by_key(k, "kind");
        const IpKind *ik = ip_kind_find(rs->v[ck].s);
        if (!rs->v[ce].set && rs->v[ca].set && ik && ik->term_years > 0) {
            Date d;
            int y, mo, dd;
            Err de;
            date_parse(rs->v[ca].s, &d, "applied_on", &de);
            date_to_ymd(d, &y, &mo, &dd);
            if (mo == 2 && dd == 29) {
                dd = 28;
            }
            if (date_from_ymd(y + ik->term_years, mo, dd, &d, "expires_on",
                              &de) == 0) {
                char iso[DATE_ISO_SIZE];
                date_format_iso(date_add_days(d, -1), iso);
                rs->v[ce].off = rs->pool->len;
                buf_append(rs->pool, iso, strlen(iso) + 1);
                rs->v[ce].set = 1;
                columns_vals_fix(k, rs->v, rs->pool);
            }
        }
    }
    imp_row_rules(m, rs);
    return 0;
}
