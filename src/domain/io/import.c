/* import.c - the import engine: read, map, validate and write one file.
 * Job glue (staging, start, apply, views) is in import_job.c. */
#include "domain/io/import.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/charset.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/date.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/xlsx_read.h"
#include "db/bulk.h"
#include "domain/accounts/audit.h"
#include "domain/library/ent.h"
#include "domain/library/fact.h"
#include "domain/library/ip.h"
#include "domain/library/recrule.h"

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
static void imp_error(ImportReport *r, long row, int col, const char *msg)
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

/* ---- reading CSV or XLSX row by row ---- */

typedef struct SrcCell {
    const char *text;
    int type; /* XLSX_CELL_*; CSV cells are strings */
    int is_date;
    int is_formula;
    const char *formula;
} SrcCell;

typedef struct Src {
    int xlsx;
    FILE *f;
    CharsetConv *conv;
    Buf cbuf;
    size_t cpos;
    int eof;
    int has_cerr;
    Err cerr;
    CsvReader *csv;
    XlsxReader *x;
    XlsxSheet *sh;
    int date1904;
    SrcCell *cells;
    size_t n, cap;
    long row_no;
} Src;

/* CSV input: file bytes through the charset converter. */
static ssize_t imp_csv_read(void *ctx, char *buf, size_t cap)
{
    Src *s = ctx;
    char in[64 * 1024];
    size_t n;

    while (s->cpos >= s->cbuf.len) {
        if (s->eof) {
            return 0;
        }
        buf_reset(&s->cbuf);
        s->cpos = 0;
        n = fread(in, 1, sizeof in, s->f);
        if (n > 0) {
            if (charset_conv_feed(s->conv, in, n, &s->cbuf, &s->cerr)) {
                s->has_cerr = 1;
                return -1;
            }
        } else {
            if (ferror(s->f)) {
                err_set(&s->cerr, ERR_IO, NULL, "读取文件失败");
                s->has_cerr = 1;
                return -1;
            }
            s->eof = 1;
            if (charset_conv_finish(s->conv, &s->cbuf, &s->cerr)) {
                s->has_cerr = 1;
                return -1;
            }
        }
    }
    n = s->cbuf.len - s->cpos;
    if (n > cap) {
        n = cap;
    }
    memcpy(buf, s->cbuf.data + s->cpos, n);
    s->cpos += n;
    return (ssize_t)n;
}

static void src_close(Src *s)
{
    csv_reader_free(s->csv);
    charset_conv_free(s->conv);
    buf_release(&s->cbuf);
    if (s->sh) {
        xlsx_sheet_free(s->sh);
    }
    xlsx_reader_free(s->x);
    if (s->f) {
        fclose(s->f);
    }
    free(s->cells);
    memset(s, 0, sizeof *s);
}

static void src_need(Src *s, size_t n)
{
    if (n > s->cap) {
        s->cap = n < 64 ? 64 : n;
        free(s->cells);
        s->cells = xcalloc(s->cap, sizeof *s->cells);
    }
}

/* Open path: XLSX by its zip magic, else CSV in a detected encoding. */
static int src_open(Src *s, const char *path, ImportReport *r, Err *e)
{
    unsigned char magic[8] = {0};
    size_t got;
    size_t i;
    int rc;

    memset(s, 0, sizeof *s);
    s->f = fopen(path, "rb");
    if (!s->f) {
        return err_set(e, ERR_IO, NULL, "无法打开导入文件");
    }
    got = fread(magic, 1, sizeof magic, s->f);
    if (got == 0) {
        return err_set(e, ERR_INVALID, "file", "文件为空");
    }
    if (got >= 4 && memcmp(magic, "PK\x03\x04", 4) == 0) {
        fclose(s->f);
        s->f = NULL;
        s->xlsx = 1;
        snprintf(r->encoding, sizeof r->encoding, "XLSX");
        rc = xlsx_reader_open_file(&s->x, path, NULL, e);
        if (rc) {
            return rc;
        }
        s->date1904 = xlsx_reader_date1904(s->x);
        for (i = 0; i < xlsx_reader_sheet_count(s->x); i++) {
            if (!xlsx_reader_sheet_hidden(s->x, i) &&
                strcmp(xlsx_reader_sheet_name(s->x, i), "说明") != 0) {
                break;
            }
        }
        if (i == xlsx_reader_sheet_count(s->x)) {
            return err_set(e, ERR_INVALID, "file",
                           "工作簿中没有可导入的工作表");
        }
        return xlsx_sheet_open(s->x, i, &s->sh, e);
    }
    if (got >= 4 && memcmp(magic, "\xD0\xCF\x11\xE0", 4) == 0) {
        return err_set(e, ERR_INVALID, "file",
                       "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV "
                       "后再导入");
    }
    rewind(s->f);
    buf_init(&s->cbuf, (size_t)64 * 1024 * 1024);
    rc = charset_conv_new(CHARSET_AUTO, &s->conv, e);
    if (rc == 0) {
        rc = csv_reader_new(&s->csv, imp_csv_read, s, NULL, e);
    }
    return rc;
}

/* The next row: 1, 0 at the end, or -ERR_* with e set. */
static int src_next(Src *s, Err *e)
{
    size_t i;
    int rc;

    if (s->xlsx) {
        XlsxRow row;
        rc = xlsx_sheet_read_row(s->sh, &row, e);
        if (rc != 1) {
            return rc;
        }
        src_need(s, row.n_cells);
        for (i = 0; i < row.n_cells; i++) {
            s->cells[i].text = row.cells[i].value;
            s->cells[i].type = row.cells[i].type;
            s->cells[i].is_date = row.cells[i].is_date;
            s->cells[i].is_formula = row.cells[i].is_formula;
            s->cells[i].formula = row.cells[i].formula;
        }
        s->n = row.n_cells;
        s->row_no = row.row_no;
        return 1;
    }
    {
        CsvRow row;
        rc = csv_read_row(s->csv, &row, e);
        if (rc < 0 && s->has_cerr) {
            if (s->cerr.code == ERR_INVALID) {
                err_set(e, ERR_INVALID, "file",
                        "文件编码无法识别（应为 UTF-8 或 GBK/GB18030）：%s",
                        s->cerr.msg);
            } else {
                *e = s->cerr;
            }
            return -e->code;
        }
        if (rc != 1) {
            return rc;
        }
        src_need(s, row.n_fields);
        for (i = 0; i < row.n_fields; i++) {
            memset(&s->cells[i], 0, sizeof s->cells[i]);
            s->cells[i].text = row.fields[i];
            s->cells[i].type = XLSX_CELL_STRING;
        }
        s->n = row.n_fields;
        s->row_no = row.row_no;
        return 1;
    }
}

static int src_row_blank(const Src *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        const char *p = s->cells[i].text;
        while (p && (*p == ' ' || *p == '\t')) {
            p++;
        }
        if (p && *p) {
            return 0;
        }
    }
    return 1;
}

int import_file_rows(const char *path, long header_row, const long *rows,
                     size_t n, ImportRowFn fn, void *ud, Err *e)
{
    ImportReport r;
    Src s;
    Buf dates;
    const char *cells[IMPORT_FILE_ROW_CELLS];
    size_t next = 0;
    int rc, got;

    memset(&r, 0, sizeof r);
    buf_init(&dates, (size_t)IMPORT_FILE_ROW_CELLS * DATE_ISO_SIZE);
    rc = src_open(&s, path, &r, e);
    while (rc == 0) {
        size_t i, nc, off[IMPORT_FILE_ROW_CELLS];
        got = src_next(&s, e);
        if (got < 0) {
            rc = -got;
            break;
        }
        if (got == 0) {
            break;
        }
        while (next < n && rows[next] < s.row_no) {
            next++;
        }
        if (rows && s.row_no != header_row &&
            (next == n || rows[next] != s.row_no)) {
            if (s.row_no > header_row && next == n) {
                break;
            }
            continue;
        }
        nc = s.n < IMPORT_FILE_ROW_CELLS ? s.n : IMPORT_FILE_ROW_CELLS;
        buf_reset(&dates);
        for (i = 0; i < nc; i++) {
            const SrcCell *c = &s.cells[i];
            Date d;
            Err de;
            off[i] = (size_t)-1;
            if (s.xlsx && c->type == XLSX_CELL_NUMBER && c->is_date &&
                date_parse_excel_serial(c->text, &d, "date", &de) == 0) {
                char iso[DATE_ISO_SIZE];
                date_format_iso(s.date1904 ? date_add_days(d, 1462) : d, iso);
                off[i] = dates.len;
                buf_append(&dates, iso, strlen(iso) + 1);
            }
        }
        for (i = 0; i < nc; i++) {
            cells[i] =
                off[i] != (size_t)-1 ? dates.data + off[i] : s.cells[i].text;
        }
        rc = fn(ud, s.row_no, cells, nc, e);
    }
    src_close(&s);
    buf_release(&dates);
    return rc;
}

/* ---- duplicate keys: 64-bit hashes with the first row ---- */

typedef struct KeySet {
    uint64_t *h;
    int32_t *row; /* rows are capped at IMPORT_ROWS_MAX */
    size_t cap, n;
} KeySet;

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
static long keyset_add(KeySet *k, uint64_t h, long row)
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

static void keyset_free(KeySet *k)
{
    free(k->h);
    free(k->row);
    memset(k, 0, sizeof *k);
}

/* ---- owners: the enterprise of a USCC ---- */

/* The enterprise a row names by USCC, as the database had it when the
 * import began. */
typedef struct Owner {
    int found, visible, retired;
    int has_rows; /* child kinds: it had rows of the kind */
    int64_t id;
} Owner;

typedef struct OwnerQ {
    const Actor *a;
    DbStmt *by_uscc, *has_rows;
    char last_uscc[24]; /* the last answer: files of figures, IP rights and
                           facts hold consecutive rows of one enterprise */
    Owner last;
} OwnerQ;

static void owner_close(OwnerQ *q)
{
    if (!q) {
        return;
    }
    db_finalize(q->by_uscc);
    db_finalize(q->has_rows);
    free(q);
}

/* Statements on db for kind k (child: rows belong to an enterprise). */
static int owner_open(Db *db, const Actor *a, const ColumnKind *k, int child,
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
        owner_close(q);
        return rc;
    }
    *out = q;
    return 0;
}

/* ---- per-kind statements ---- */

enum { PROV_KIND, PROV_USER, PROV_REF, PROV_VERIFIED, PROV_N };

typedef struct Imp {
    Db *db;
    const Actor *a;
    const ColumnKind *k;
    const ImportOpts *o;
    ImportReport *r;
    int child; /* rows belong to an enterprise (figures, ip, facts) */
    int map[COLUMNS_MAX];    /* registry column -> file column, -1 */
    int stored[COLUMNS_MAX]; /* registry columns stored in the table */
    int n_stored;
    int has_field_prov; /* enterprises, figures */
    DbStmt *existing, *ins, *upd, *prov_load, *prov_set, *prov_drop, *conf_ins,
        *conf_dup, *unit_by_name;
    int64_t default_unit;
    int default_unit_parent; /* the default unit has child units */
    char now[32];
    char today[DATE_ISO_SIZE];
    int col_uscc;
    KeySet keys; /* reader thread only */
    int writing; /* apply and still writing (mode all: until a bad row) */
    int64_t min_ent, max_ent; /* enterprises touched (figures, IP) */
    int64_t *touched;         /* every existing enterprise written to */
    size_t n_touched, cap_touched;
    int touched_over;  /* more than IMPORT_TOUCH_MAX: not listed */
    Buf flush_sql;     /* staging table -> the kind's table */
    struct OwnerQ *oq; /* the writer's owner lookups */
    int last_has_rows; /* the current row's owner had rows of the kind */
    int64_t staged;    /* rows in the staging table */
    int direct;        /* new rows go straight to the table, not staged */
    struct {
        const char *key; /* a string literal of this file */
        int col;
    } colc[32]; /* imp_col's answers (the writing thread's) */
    int n_colc;
    int64_t table_rows; /* highest id in the kind's table at the start */
    int bulk_decided, bulk_on, bulk_used; /* bulk-load mode (bulk.h) */
    Bulk *bulk;
    int64_t bulk_max_id; /* enterprises: ids above it are new */
} Imp;

#define IMPORT_FLUSH_ROWS 50000
/* Bulk-load mode (drop the table's secondary indexes, rebuild them at the
 * end) when an import adds at least this many rows and at least as many
 * as the table held. */
#define IMPORT_BULK_MIN 10000

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

static int imp_prepare(Imp *m, Err *e)
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
        if (k->cols[i].flags & XF_INFO) {
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
        rc = owner_open(m->db, m->a, k, m->child, &m->oq, e);
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

static void imp_finalize(Imp *m)
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
    owner_close(m->oq);
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
static int imp_default_unit(Imp *m, Err *e)
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

/* ---- header ---- */

/* Map the header row in s; fatal problems return ERR_INVALID. */
static int imp_map_header(Imp *m, const Src *s, Err *e)
{
    const ColumnKind *k = m->k;
    Buf miss;
    size_t i;
    int j, rc = 0;

    for (j = 0; j < COLUMNS_MAX; j++) {
        m->map[j] = -1;
    }
    for (i = 0; i < s->n; i++) {
        const char *t = s->cells[i].text;
        int c;
        if (!t || !*t) {
            continue;
        }
        c = columns_col_by_title(k, t);
        if (c < 0) {
            json_array_append_new(m->r->ignored_columns, json_string(t));
            continue;
        }
        if (m->map[c] >= 0) {
            char a1[4], a2[4];
            xlsx_col_name((unsigned)m->map[c], a1);
            xlsx_col_name((unsigned)i, a2);
            return err_set(
                e, ERR_INVALID, "file",
                "第 %ld 行表头中“%s”出现了两次（第 %s 列和第 %s 列）",
                s->row_no, k->cols[c].title, a1, a2);
        }
        m->map[c] = (int)i;
    }
    buf_init(&miss, 4096);
    for (j = 0; j < (int)k->n_cols; j++) {
        if ((k->cols[j].flags & XF_REQ) && m->map[j] < 0) {
            buf_appendf(&miss, "%s“%s”", miss.len ? "、" : "",
                        k->cols[j].title);
        }
    }
    if (miss.len) {
        rc = err_set(e, ERR_INVALID, "file",
                     "缺少必填列：%s（表头在第 %ld 行）", miss.data, s->row_no);
    }
    buf_release(&miss);
    return rc;
}

/* Number of registry titles in the row. */
static int imp_header_score(const ColumnKind *k, const Src *s)
{
    size_t i;
    int n = 0;

    for (i = 0; i < s->n; i++) {
        if (s->cells[i].text && *s->cells[i].text &&
            columns_col_by_title(k, s->cells[i].text) >= 0) {
            n++;
        }
    }
    return n;
}

/* ---- one row ---- */

typedef struct RowState {
    long row_no;
    int bad;
    int done;      /* no key or a duplicate key: nothing more to check */
    int own_known; /* own looked up by the reader thread */
    Owner own;
    Buf *pool; /* canonical texts of v[] */
    Buf *sink; /* errors go here (the reader thread), else to the report */
    ColumnVal v[COLUMNS_MAX];
    int64_t ent_id; /* owner (child kinds) or the enterprise itself */
    int exists;
    int blank_unit; /* a new enterprise given the default unit */
    int64_t row_id;
    /* existing row: provenance and values (valid until the statement is
     * reset) */
    const char *ex_src_kind;
    int64_t ex_src_user, ex_src_ref, ex_verified;
    int ex_has_user, ex_has_ref;
} RowState;

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
static void imp_row_errors_flush(Imp *m, const RowState *rs, const Buf *sink)
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
    if (col->type == XF_MONEY || col->type == XF_MONEY_SIGNED) {
        if (xlsx_num_round(cell->text, 4, tmp, &e)) {
            return cell->text;
        }
        return tmp->data;
    }
    if (col->type == XF_DATE && cell->is_date) {
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
static int owner_find(OwnerQ *q, const char *uscc, Owner *o, Err *e)
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

static int imp_resolve_unit(Imp *m, RowState *rs, int c, Err *e)
{
    int64_t id = 0;
    int n = 0;
    int rc;

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

/* The merged row as the cross-field rules read it. */
typedef struct ImpRuleRow {
    Imp *m;
    const RowState *rs;
} ImpRuleRow;

static int imp_rule_int(void *ctx, const char *key, int64_t *out)
{
    ImpRuleRow *x = ctx;
    int c = imp_col(x->m, key);

    if (c < 0 || !(x->m->k->cols[c].flags & XF_INTCOL)) {
        return 0;
    }
    return imp_merged_int(x->m, x->rs, key, out);
}

static const char *imp_rule_text(void *ctx, const char *key)
{
    ImpRuleRow *x = ctx;
    int c = imp_col(x->m, key);

    if (c < 0 || (x->m->k->cols[c].flags & XF_INTCOL)) {
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
        if (!(c->flags & XF_KEY) || strcmp(c->key, "uscc") == 0) {
            continue;
        }
        if (!rs->v[i].set) {
            db_bind_null(m->existing, p++);
        } else if (c->flags & XF_INTCOL) {
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
static int imp_parse_row(Imp *m, RowState *rs, const Src *s, Err *e)
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
        if ((col->flags & XF_INFO) || m->map[c] < 0) {
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
        if (!rs->v[c].set && (col->flags & XF_REQ)) {
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
        if (!(k->cols[c].flags & XF_KEY)) {
            continue;
        }
        if (k->cols[c].flags & XF_INTCOL) {
            char num[24];
            snprintf(num, sizeof num, "%lld", (long long)rs->v[c].i);
            h = imp_hash(rs->v[c].set ? num : "",
                         rs->v[c].set ? strlen(num) : 0, h);
        } else if (rs->v[c].set) {
            h = imp_hash(rs->v[c].s, strlen(rs->v[c].s), h);
        }
        h = imp_hash("\x1f", 1, h);
    }
    first = keyset_add(&m->keys, h, rs->row_no);
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
static int imp_lookup_row(Imp *m, RowState *rs, Err *e)
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
            rc = owner_find(m->oq, rs->v[cu].s, &o, e);
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
        if (!rs->exists && (col->flags & XF_REQ_NEW) && !rs->v[c].set) {
            imp_row_error(m, rs, c, "新增%s时必填",
                          k->id == XK_ENTERPRISES ? "企业" : "记录");
        }
        if (col->type == XF_UNIT && rs->v[c].set) {
            rc = imp_resolve_unit(m, rs, c, e);
            if (rc) {
                return rc;
            }
        } else if (col->type == XF_UNIT && !rs->exists) {
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

/* ---- writing ---- */

static int imp_bind_val(DbStmt *st, int idx, const ColumnDef *c,
                        const ColumnVal *v)
{
    if (!v->set) {
        return db_bind_null(st, idx);
    }
    if (c->flags & XF_INTCOL) {
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
static int imp_bulk_end(Imp *m, Err *e)
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
static int imp_flush(Imp *m, Err *e)
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

static int imp_insert(Imp *m, RowState *rs, Err *e)
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
    if (col->type == XF_DECLVAL) {
        /* in the unit of the row's 申报事项 (a key: the same on both) */
        const char *fld = rs->v[columns_col_by_key(m->k, "field")].s;
        columns_decl_value_format(fld, db_col_int64(st, 6 + si), &ex);
        columns_decl_value_format(fld, rs->v[c].i, &in);
        buf_appendf(&db, "%lld", (long long)rs->v[c].i);
    } else if (col->flags & XF_INTCOL) {
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
static int imp_update(Imp *m, RowState *rs, Err *e)
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
        if (!rs->v[c].set || (col->flags & XF_KEY)) {
            if (col->flags & XF_KEY) {
                n_set++;
            }
            continue;
        }
        n_set++;
        if (db_col_is_null(ex, 6 + i)) {
            same = 0;
        } else if (col->flags & XF_INTCOL) {
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

/* Most enterprise ids an import lists for its audit entry (beyond that
 * the entry names none, and the library snapshot is rebuilt whole). */
#define IMPORT_TOUCH_MAX ((size_t)4 * 1000 * 1000)
/* Most id ranges the audit entry holds: nearby ranges are joined (the
 * list may then name enterprises the import did not write). */
#define IMPORT_TOUCH_RUNS 1000

/* Remember an enterprise the import wrote to (for the audit entry, which
 * the library snapshot reads to update only those enterprises), and one
 * whose derived list columns must be refreshed. */
static void imp_touch(Imp *m, int64_t ent_id)
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

enum { PR_ROW, PR_END, PR_FAIL };

typedef struct Parsed {
    int what; /* PR_* */
    int rc;   /* PR_FAIL: the error code, err its message */
    Err err;
    RowState rs;
    Buf pool; /* rs's texts */
    Buf errs; /* errors found while parsing (imp_row_errors_flush) */
} Parsed;

#define PIPE_SLOTS 1024
#define PIPE_BATCH 256 /* a sleeping thread is woken for this many slots */

typedef struct Pipe {
    Imp *m;
    Src *s;
    FILE *spool; /* rows come from the spool of the validation, not s */
    Db *rdb;     /* the reader's own connection for owner lookups, or NULL */
    OwnerQ *oq;  /* (then the writer looks owners up itself) */
    Parsed *slot;
    size_t put, took; /* rows handed over / released */
    int stop;         /* the writer gave up: the reader ends */
    int reader_waits; /* for room: woken when half the ring is free */
    int writer_waits; /* for a row */
    int started;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t more, room;
} Pipe;

/* The next free slot, or NULL when the writer asked to stop. */
static Parsed *pipe_room(Pipe *p)
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
static void pipe_put(Pipe *p, int last)
{
    pthread_mutex_lock(&p->mu);
    p->put++;
    if (p->writer_waits && (last || p->put - p->took >= PIPE_BATCH)) {
        pthread_cond_signal(&p->more);
    }
    pthread_mutex_unlock(&p->mu);
}

/* The oldest row not yet released (waits for the reader). */
static Parsed *pipe_take(Pipe *p)
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

static void pipe_release(Pipe *p)
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
    owner_close(p->oq);
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
        owner_open(p->rdb, p->m->a, p->m->k, p->m->child, &p->oq, &e)) {
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

typedef struct SpoolHead {
    int64_t row_no;
    int32_t bad, done;
    uint32_t n_vals, n_pool, n_errs;
} SpoolHead;

typedef struct SpoolVal {
    int64_t i;
    uint32_t off;
    int32_t col;
} SpoolVal;

static int spool_write(const Imp *m, const Parsed *x, FILE *f, Err *e)
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
static int spool_room(FILE *f, Err *e)
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
static int spool_read_buf(FILE *f, Buf *b, size_t n)
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
static int spool_read(const Imp *m, Parsed *x, FILE *f)
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
    if (spool_read_buf(f, &x->pool, h.n_pool) ||
        spool_read_buf(f, &x->errs, h.n_errs)) {
        return -1;
    }
    columns_vals_fix(m->k, x->rs.v, &x->pool);
    return 1;
}

/* An unnamed file for the spool beside the database (its directory of
 * staged uploads), or in the temporary directory. */
static FILE *spool_open(Db *db)
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
static void pipe_owner(Pipe *p, Parsed *x)
{
    Err oe;

    if (!p->oq) {
        return;
    }
    if (owner_find(p->oq, x->rs.v[p->m->col_uscc].s, &x->rs.own, &oe) == 0) {
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

    while ((x = pipe_room(p)) != NULL) {
        int got = spool_read(p->m, x, p->spool);
        if (got <= 0) {
            x->what = got < 0 ? PR_FAIL : PR_END;
            x->rc = got < 0
                        ? err_set(&x->err, ERR_IO, NULL, "读取导入暂存文件失败")
                        : 0;
            pipe_put(p, 1);
            break;
        }
        x->rc = 0;
        if (!x->rs.done) {
            pipe_owner(p, x);
        }
        x->what = PR_ROW;
        pipe_put(p, 0);
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
    while ((x = pipe_room(p)) != NULL) {
        int got = src_next(p->s, &x->err);
        if (got <= 0) {
            x->what = got < 0 ? PR_FAIL : PR_END;
            x->rc = -got;
            pipe_put(p, 1);
            break;
        }
        if (src_row_blank(p->s)) {
            continue; /* the slot stays free */
        }
        if (++rows > IMPORT_ROWS_MAX) {
            x->what = PR_FAIL;
            x->rc = err_set(&x->err, ERR_TOOBIG, "file",
                            "文件超过 %ld 行，请分批导入", IMPORT_ROWS_MAX);
            pipe_put(p, 1);
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
            pipe_owner(p, x);
        }
        x->what = x->rc ? PR_FAIL : PR_ROW;
        pipe_put(p, x->rc != 0);
        if (x->rc) {
            break;
        }
    }
    reader_close(p);
    return NULL;
}

static int pipe_start(Pipe *p, Imp *m, Src *s, FILE *spool, Err *e)
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
static void pipe_end(Pipe *p)
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
    qsort(v, m->n_touched, sizeof *v, cmp_id);
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
    rc = pipe_start(&pipe, m, s, spool_in, e);
    if (rc) {
        goto out;
    }
    for (;;) {
        Parsed *x = pipe_take(&pipe);
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
            rc = spool_write(m, x, spool_out, e);
            if (rc == 0 && (r->rows & 4095) == 0) {
                rc = spool_room(spool_out, e);
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
        pipe_release(&pipe);
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
    pipe_end(&pipe);
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
    date_format_iso(date_today_utc(), m.today);
    m.col_uscc = columns_col_by_key(k, "uscc");
    buf_init(&m.flush_sql, 16384);
    rc = src_open(&s, path, r, e);
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
        got = src_next(&s, e);
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
        spool = spool_open(db);
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
    keyset_free(&m.keys); /* duplicates were found: the spool has them */
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
    keyset_free(&m.keys);
    buf_release(&m.flush_sql);
    free(m.touched);
    src_close(&s);
    return rc;
}
