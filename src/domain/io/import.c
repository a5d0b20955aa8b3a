/* import.c - the import engine: the run (import_file) and its report.
 * Reading is in import_read.c, one row's checks in import_check.c, the
 * write in import_write.c; job glue (staging, start, apply, views) is in
 * import_job.c. */
#include "domain/io/import.h"
#include "domain/io/import_int.h"

/* ---- report ---- */

void import_report_init(ImportReport *r, const ColumnKind *k)
{
    memset(r, 0, sizeof *r);
    r->kind = k;
    r->ignored_columns = json_array();
}

void import_report_free(ImportReport *r)
{
    size_t i;

    for (i = 0; i < r->n_errors; i++) {
        free(r->errors[i].message);
    }
    free(r->errors);
    json_decref(r->ignored_columns);
    memset(r, 0, sizeof *r);
}

/* Count an error of row (col -1 = the row) and keep it while there is
 * room. */
void imp_error(ImportReport *r, long row, int col, const char *msg)
{
    r->errors_total++;
    if (r->n_errors >= IMPORT_ERRORS_STORED) {
        return;
    }
    if (r->n_errors == 0) {
        r->errors = xcalloc(64, sizeof *r->errors);
    } else if ((r->n_errors & (r->n_errors - 1)) == 0 && r->n_errors >= 64) {
        r->errors = realloc(r->errors, 2 * r->n_errors * sizeof *r->errors);
        if (!r->errors) {
            abort();
        }
    }
    r->errors[r->n_errors].row = row;
    r->errors[r->n_errors].col = col;
    r->errors[r->n_errors].message = xstrdup(msg);
    r->n_errors++;
}

char *import_error_text(const ImportReport *r, size_t i)
{
    const ImportError *er = &r->errors[i];
    Buf b;

    buf_init(&b, 8192);
    if (er->col >= 0) {
        buf_appendf(&b, "第 %ld 行「%s」：%s", er->row,
                    r->kind->cols[er->col].title, er->message);
    } else {
        buf_appendf(&b, "第 %ld 行：%s", er->row, er->message);
    }
    return buf_detach(&b, NULL);
}

json_t *import_report_json(const ImportReport *r, size_t max_errors)
{
    json_t *errs = json_array();
    json_t *warns;
    size_t i;

    for (i = 0; i < r->n_errors && i < max_errors; i++) {
        const ImportError *er = &r->errors[i];
        const ColumnDef *c = er->col >= 0 ? &r->kind->cols[er->col] : NULL;
        json_array_append_new(
            errs, json_pack("{sIssssss}", "row", (json_int_t)er->row, "column",
                            c ? c->title : "", "field", c ? c->key : "",
                            "message", er->message));
    }
    warns = json_array();
    if (r->blank_unit > 0) {
        char *msg =
            import_blank_unit_message(r->blank_unit, r->blank_unit_name);
        json_array_append_new(
            warns, json_pack("{sssIssss}", "code", "blank_unit", "rows",
                             (json_int_t)r->blank_unit, "unit",
                             r->blank_unit_name, "message", msg));
        free(msg);
    }
    return json_pack(
        "{s{sIsIsIsIsIsIsIsI}sososIsssIsO}", "summary", "rows",
        (json_int_t)r->rows, "valid", (json_int_t)r->valid, "invalid",
        (json_int_t)r->invalid, "inserted", (json_int_t)r->inserted, "updated",
        (json_int_t)r->updated, "skipped", (json_int_t)r->skipped, "unchanged",
        (json_int_t)r->skipped, "conflicts", (json_int_t)r->conflicts,
        "warnings", warns, "errors", errs, "errors_total",
        (json_int_t)r->errors_total, "encoding", r->encoding, "header_row",
        (json_int_t)r->header_row, "ignored_columns", r->ignored_columns);
}

char *import_blank_unit_message(int64_t n, const char *unit)
{
    Buf b;

    buf_init(&b, 1024);
    buf_appendf(&b,
                "%lld 家新企业的所属单位为空，将登记在“%s”（区级），各街道看"
                "不到；请填写所属单位，或确认后导入",
                (long long)n, unit);
    return buf_detach(&b, NULL);
}

/* ---- the run ---- */

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The enterprises written to as ranges "3-7,12,40-41" (ascending), at
 * most IMPORT_TOUCH_RUNS of them: when there are more, ranges less than
 * a gap apart are joined, the gap doubling until they fit. NULL when
 * the list was not kept (too many). The caller frees. */
static char *imp_touched_ranges(Imp *m)
{
    int64_t *v = m->touched;
    size_t n = 0, runs;
    int64_t gap = 1;
    Buf b;

    if (m->touched_over) {
        return NULL;
    }
    if (m->n_touched > 1) {
        qsort(v, m->n_touched, sizeof *v, cmp_id);
    }
    for (size_t i = 0; i < m->n_touched; i++) {
        if (n == 0 || v[n - 1] != v[i]) {
            v[n++] = v[i];
        }
    }
    for (;;) {
        runs = n ? 1 : 0;
        for (size_t i = 1; i < n; i++) {
            runs += v[i] - v[i - 1] > gap;
        }
        if (runs <= IMPORT_TOUCH_RUNS) {
            break;
        }
        gap *= 2;
    }
    buf_init(&b, 0);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && v[j + 1] - v[j] <= gap) {
            j++;
        }
        buf_appendf(&b, "%s%lld", i ? "," : "", (long long)v[i]);
        if (j > i) {
            buf_appendf(&b, "-%lld", (long long)v[j]);
        }
        i = j + 1;
    }
    return buf_detach(&b, NULL);
}

static int imp_finish_write(Imp *m, Err *e)
{
    json_t *after;
    char *ranges;
    int rc = 0;

    rc = imp_bulk_end(m, e);
    if (m->direct && m->r->inserted >= IMPORT_BULK_MIN &&
        m->r->inserted >= m->table_rows) {
        m->bulk_used = 1; /* rows written directly: decided here */
    }
    if (rc == 0 && m->min_ent) {
        /* set-based, once: latest_* (figures) or ip1_until (IP rights);
         * after a bulk load most enterprises change, so the indexes on
         * those columns are rebuilt rather than updated row by row */
        static const char *const latest[] = {"latest_year", "latest_revenue",
                                             "latest_rd_bp", NULL};
        static const char *const ip1[] = {"ip1_until", NULL};
        int figs = m->k->id == XK_FIGURES;
        Bulk *b = NULL;
        if (m->bulk_used && m->r->inserted >= IMPORT_BULK_MIN &&
            m->max_ent - m->min_ent >= IMPORT_BULK_MIN) {
            rc = bulk_begin(m->db, "enterprises", NULL, figs ? latest : ip1, &b,
                            e);
        }
        if (rc == 0) {
            rc = ent_refresh_derived(
                m->db, m->min_ent, m->max_ent,
                figs ? ENT_DERIVED_LATEST : ENT_DERIVED_IP1, e);
        }
        if (rc == 0) {
            rc = bulk_end(m->db, b, e);
        } else {
            bulk_free(b);
        }
    }
    if (rc) {
        return rc;
    }
    after = json_pack(
        "{sssIsIsIsIsIsIsI}", "kind", m->k->code, "job_id",
        (json_int_t)m->o->job_id, "rows", (json_int_t)m->r->rows, "inserted",
        (json_int_t)m->r->inserted, "updated", (json_int_t)m->r->updated,
        "skipped", (json_int_t)m->r->skipped, "invalid",
        (json_int_t)m->r->invalid, "conflicts", (json_int_t)m->r->conflicts);
    /* new enterprises get ids above every earlier one: the snapshot finds
     * them without a list */
    ranges = imp_touched_ranges(m);
    if (ranges) {
        json_object_set_new(after, "enterprise_ranges", json_string(ranges));
        free(ranges);
    }
    rc = audit_record(m->db, m->a, "import.apply", "import",
                      m->o->job_id ? m->o->job_id : 0, m->a->unit_path, NULL,
                      after, e);
    json_decref(after);
    return rc;
}

/* One pass over the data rows: parsed on the reader thread (from the file,
 * or from spool_in), checked against the database and, while m->writing,
 * written here in file order. spool_out: keep every parsed row there. */
static int imp_rows(Imp *m, Src *s, FILE *spool_in, FILE *spool_out, Err *e)
{
    const ImportOpts *o = m->o;
    ImportReport *r = m->r;
    Pipe pipe;
    int rc;

    memset(&pipe, 0, sizeof pipe);
    imp_units_forget(m); /* the database may have changed since */
    rc = imp_pipe_start(&pipe, m, s, spool_in, e);
    if (rc) {
        goto out;
    }
    for (;;) {
        Parsed *x = imp_pipe_take(&pipe);
        RowState *rs = &x->rs;
        if (x->what == PR_END) {
            break;
        }
        if (x->what == PR_FAIL) {
            *e = x->err;
            rc = x->rc;
            goto out;
        }
        if (spool_out) {
            rc = imp_spool_write(m, x, spool_out, e);
            if (rc == 0 && (r->rows & 4095) == 0) {
                rc = imp_spool_room(spool_out, e);
            }
            if (rc) {
                goto out;
            }
        }
        r->rows++;
        imp_row_errors_flush(m, rs, &x->errs);
        rc = imp_lookup_row(m, rs, e);
        if (rc) {
            goto out;
        }
        if (rs->bad) {
            r->invalid++;
            if (o->mode == IMPORT_MODE_ALL) {
                m->writing = 0;
            }
        } else {
            r->valid++;
            if (!rs->exists && rs->blank_unit && m->default_unit_parent) {
                r->blank_unit++;
            }
            if (rs->exists) {
                rc = imp_update(m, rs, e);
            } else {
                if (m->writing) {
                    rc = imp_insert(m, rs, e);
                } else {
                    r->inserted++;
                }
            }
            if (rc == 0) {
                imp_touch(m, rs->ent_id);
            }
            if (rc) {
                goto out;
            }
        }
        db_reset(m->existing);
        imp_pipe_release(&pipe);
        if (r->rows == 1 && !spool_in && o->check_hook) {
            o->check_hook(o->hook_ud);
        }
        if ((r->rows & 255) == 0 && o->run) {
            job_set_done(o->run, r->rows);
            if (job_cancelled(o->run)) {
                rc = err_set(e, ERR_CANCELLED, NULL,
                             "导入已取消，未写入任何数据");
                goto out;
            }
        }
    }
    if (o->run) {
        job_set_done(o->run, r->rows);
        if (job_cancelled(o->run)) {
            rc = err_set(e, ERR_CANCELLED, NULL, "导入已取消，未写入任何数据");
            goto out;
        }
    }
    if (r->rows == 0) {
        rc = err_set(e, ERR_INVALID, "file", "表头以下没有数据行");
        goto out;
    }
    if (o->apply && o->mode == IMPORT_MODE_ALL && r->invalid > 0) {
        rc = err_set(
            e, ERR_INVALID, "file",
            "有 %lld 行数据有误，未导入任何数据（可改正后重新导入，或选择只"
            "导入有效的行）",
            (long long)r->invalid);
        goto out;
    }
out:
    imp_pipe_end(&pipe);
    return rc;
}

/* Forget the counts and errors of the validation before the write
 * counts again (the file's encoding, header and columns stay). */
static void imp_report_restart(ImportReport *r)
{
    size_t i;

    for (i = 0; i < r->n_errors; i++) {
        free(r->errors[i].message);
    }
    free(r->errors);
    r->errors = NULL;
    r->n_errors = 0;
    r->errors_total = 0;
    r->rows = r->valid = r->invalid = 0;
    r->inserted = r->updated = r->skipped = r->conflicts = 0;
    r->blank_unit = 0;
}

int import_file(Db *db, const Actor *a, const ColumnKind *k, const char *path,
                const ImportOpts *o, ImportReport *r, Err *e)
{
    Imp m;
    Src s;
    FILE *spool = NULL;
    int rc, got, best = 0;
    int began = 0, fk_off = 0;
    time_t now = clock_now();

    memset(&m, 0, sizeof m);
    m.db = db;
    m.a = a;
    m.k = k;
    m.o = o;
    m.r = r;
    clock_format(now, m.now);
    date_format_iso(date_today(), m.today);
    m.col_uscc = columns_col_by_key(k, "uscc");
    buf_init(&m.flush_sql, 16384);
    rc = imp_src_open(&s, path, r, e);
    if (rc) {
        goto out;
    }
    if (!s.xlsx) {
        snprintf(r->encoding, sizeof r->encoding, "%s", "");
    }
    /* SQLite: a larger page cache for this (the job's own) connection:
     * the lookups by USCC and the inserts touch many index pages */
    db_tune(db, DB_TUNE_BULK_WRITE, e);
    rc = imp_prepare(&m, e);
    if (rc == 0 && k->id == XK_ENTERPRISES) {
        rc = imp_default_unit(&m, e);
    }
    if (rc) {
        goto out;
    }
    /* Validation reads in one transaction (one snapshot, no lock taken
     * and released per statement) and never holds the write lock: other
     * users keep writing while a large file is decoded and checked. */
    rc = db_begin_read(db, e);
    if (rc) {
        goto out;
    }
    began = 1;
    /* the header row */
    for (;;) {
        got = imp_src_next(&s, e);
        if (got < 0) {
            rc = -got;
            goto out;
        }
        if (got == 0 || s.row_no > IMPORT_HEADER_SCAN) {
            rc = err_set(
                e, ERR_INVALID, "file",
                "前 %d 行中没有找到表头（应含“统一社会信用代码”等列名），"
                "请使用导入模板",
                IMPORT_HEADER_SCAN);
            goto out;
        }
        best = imp_header_score(k, &s);
        if (best >= 2) {
            break;
        }
    }
    r->header_row = s.row_no;
    rc = imp_map_header(&m, &s, e);
    if (rc) {
        goto out;
    }
    if (!s.xlsx) {
        int kind = charset_conv_kind(s.conv);
        snprintf(r->encoding, sizeof r->encoding, "%s",
                 kind == CHARSET_GB18030    ? "GB18030"
                 : kind == CHARSET_UTF8_BOM ? "UTF-8 BOM"
                                            : "UTF-8");
    }
    if (o->apply) {
        spool = imp_spool_open(db);
        if (!spool) {
            log_error("import: cannot create a spool file: %s",
                      strerror(errno));
            rc = err_set(e, ERR_IO, NULL, "无法创建导入暂存文件");
            goto out;
        }
    }
    rc = imp_rows(&m, &s, NULL, spool, e);
    db_rollback(db); /* the read transaction */
    began = 0;
    imp_keyset_free(&m.keys); /* duplicates were found: the spool has them */
    if (rc || !o->apply) {
        goto out;
    }
    /* The write: the rows as validated, checked again against the
     * database as it is now (under the write lock), and written. */
    if (fflush(spool) != 0 || fseek(spool, 0, SEEK_SET) != 0) {
        rc = err_set(e, ERR_IO, NULL, "无法写入导入暂存文件（磁盘空间不足？）");
        goto out;
    }
    if (o->blank_unit_ask && r->blank_unit > 0) {
        char *msg =
            import_blank_unit_message(r->blank_unit, r->blank_unit_name);
        rc = err_set(e, ERR_CONFLICT, "confirm_blank_unit", "%s", msg);
        free(msg);
        goto out;
    }
    imp_report_restart(r);
    if (o->run) {
        job_set_phase(o->run, "写入中");
        job_set_done(o->run, 0);
    }
    /* Every reference the import writes was just checked by it: the
     * owner (live, in scope), the unit (live, in scope); no other writer
     * runs until it commits, and enterprises and units are retired, never
     * deleted. SQLite's own foreign-key checks would repeat each lookup per
     * row; they are off for this transaction (the setting cannot change
     * inside one) and back on after (db_bulk_mode; PostgreSQL keeps them). */
    rc = db_bulk_mode(db, 1, e);
    if (rc) {
        goto out;
    }
    fk_off = 1;
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    began = 1;
    m.writing = 1;
    rc = db_max_id(db, k->table, &m.table_rows, e);
    if (rc == 0) {
        rc = imp_rows(&m, &s, spool, NULL, e);
    }
    if (rc == 0) {
        rc = imp_flush(&m, e);
    }
    if (rc == 0) {
        rc = imp_finish_write(&m, e);
    }
    if (rc == 0 && o->on_commit) {
        rc = o->on_commit(o->hook_ud, db, r, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc == 0) {
        began = 0;
    }
out:
    bulk_free(m.bulk); /* on failure: the rollback restores the schema */
    if (rc && o->apply) {
        /* nothing written: counts of writes are what would have been */
        r->inserted = r->updated = 0;
    }
    if (began) {
        db_rollback(db);
    }
    if (fk_off) {
        Err fe;
        if (db_bulk_mode(db, 0, &fe) != 0) {
            log_error("import: foreign keys stay off: %s", fe.msg);
        }
    }
    if (m.k) {
        imp_finalize(&m);
    }
    if (spool) {
        fclose(spool);
    }
    imp_keyset_free(&m.keys);
    buf_release(&m.flush_sql);
    free(m.touched);
    imp_src_close(&s);
    return rc;
}
