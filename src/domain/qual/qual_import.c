/* qual_import.c - published lists into the register (see qual_import.h). */
#include "domain/qual/qual_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/uscc.h"
#include "base/valid.h"
#include "domain/accounts/audit.h"
#include "domain/io/import.h"
#include "domain/library/ent.h"
#include "domain/qual/qual.h"

/* Columns a list may have; a header cell is recognised by the first
 * title fragment it contains (spaces removed). */
enum { QC_NAME, QC_USCC, QC_NUMBER, QC_DATE, QC_BATCH, QC_VALID_TO, QC__N };

static const struct {
    int col;
    const char *frag;
} qual_titles[] = {
    {QC_USCC, "信用代码"}, {QC_VALID_TO, "有效期"}, {QC_BATCH, "批次"},
    {QC_NAME, "名称"},     {QC_NAME, "企业"},       {QC_NUMBER, "编号"},
    {QC_NUMBER, "证书号"}, {QC_DATE, "日期"},       {QC_DATE, "时间"},
};

static const char *const qual_template_titles[] = {
    "企业名称", "统一社会信用代码", "证书编号", "认定日期", "批次", "有效期止"};

const char *const *qual_import_template_titles(int *n)
{
    *n = (int)(sizeof qual_template_titles / sizeof qual_template_titles[0]);
    return qual_template_titles;
}

#define QI_CELL_MAX 400 /* bytes kept of a cell */

typedef struct QiRead {
    long header_row;
    int col[QC__N]; /* cell index, -1 = absent */
    json_t *rows;   /* [{row, name, uscc, cert_no, date, batch, valid_to}] */
    Err *e;
} QiRead;

/* s without spaces (ASCII, tab, U+3000) into out. */
static void qi_squeeze(const char *s, char *out, size_t cap)
{
    size_t n = 0;

    while (s && *s && n + 1 < cap) {
        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
            s++;
        } else if (strncmp(s, "\xE3\x80\x80", 3) == 0) {
            s += 3;
        } else {
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
}

static int qi_header(QiRead *q, const char *const *cells, size_t n)
{
    int col[QC__N];
    char t[QI_CELL_MAX];

    for (int k = 0; k < QC__N; k++) {
        col[k] = -1;
    }
    for (size_t i = 0; i < n; i++) {
        qi_squeeze(cells[i], t, sizeof t);
        if (!*t || strlen(t) > 60 || strstr(t, "序号")) {
            continue;
        }
        for (size_t k = 0; k < sizeof qual_titles / sizeof qual_titles[0];
             k++) {
            if (strstr(t, qual_titles[k].frag)) {
                if (col[qual_titles[k].col] < 0) {
                    col[qual_titles[k].col] = (int)i;
                }
                break;
            }
        }
    }
    if (col[QC_NAME] < 0 || (col[QC_NUMBER] < 0 && col[QC_DATE] < 0)) {
        return 0;
    }
    memcpy(q->col, col, sizeof col);
    return 1;
}

static json_t *qi_cell(const char *const *cells, size_t n, int c)
{
    char t[QI_CELL_MAX];
    const char *s;
    size_t len;

    if (c < 0 || (size_t)c >= n || !cells[c]) {
        return json_null();
    }
    s = cells[c];
    while (*s == ' ' || *s == '\t' || strncmp(s, "\xE3\x80\x80", 3) == 0) {
        s += *s == ' ' || *s == '\t' ? 1 : 3;
    }
    snprintf(t, sizeof t, "%s", s);
    len = strlen(t);
    while (len && (t[len - 1] == ' ' || t[len - 1] == '\t' ||
                   t[len - 1] == '\r' || t[len - 1] == '\n')) {
        t[--len] = '\0';
    }
    return len ? json_string(t) : json_null();
}

static int qi_row(void *ud, long row, const char *const *cells, size_t n,
                  Err *e)
{
    QiRead *q = ud;
    json_t *o;

    if (!q->header_row) {
        if (qi_header(q, cells, n)) {
            q->header_row = row;
            return 0;
        }
        if (row >= IMPORT_HEADER_SCAN) {
            return err_set(e, ERR_INVALID, "file",
                           "前 %d 行中没有找到表头：名单应有“企业名称”列和"
                           "“证书编号”或“认定日期”列",
                           IMPORT_HEADER_SCAN);
        }
        return 0;
    }
    o = json_pack("{sIsosososososo}", "row", (json_int_t)row, "name",
                  qi_cell(cells, n, q->col[QC_NAME]), "uscc",
                  qi_cell(cells, n, q->col[QC_USCC]), "cert_no",
                  qi_cell(cells, n, q->col[QC_NUMBER]), "date",
                  qi_cell(cells, n, q->col[QC_DATE]), "batch",
                  qi_cell(cells, n, q->col[QC_BATCH]), "valid_to",
                  qi_cell(cells, n, q->col[QC_VALID_TO]));
    if (json_is_null(json_object_get(o, "name")) &&
        json_is_null(json_object_get(o, "cert_no")) &&
        json_is_null(json_object_get(o, "uscc"))) {
        json_decref(o); /* a blank or note row */
        return 0;
    }
    if (json_array_size(q->rows) >= QUAL_IMPORT_MAX_ROWS) {
        json_decref(o);
        return err_set(e, ERR_TOOBIG, "file", "名单超过 %d 行，请分批导入",
                       QUAL_IMPORT_MAX_ROWS);
    }
    json_array_append_new(q->rows, o);
    return 0;
}

/* The name with ASCII parentheses as full-width ones (fw = 1) or the
 * other way round. */
static void qi_parens(const char *s, int fw, char *out, size_t cap)
{
    size_t n = 0;

    while (*s && n + 4 < cap) {
        if (fw && (*s == '(' || *s == ')')) {
            memcpy(out + n, *s == '(' ? "\xEF\xBC\x88" : "\xEF\xBC\x89", 3);
            n += 3;
            s++;
        } else if (!fw && (strncmp(s, "\xEF\xBC\x88", 3) == 0 ||
                           strncmp(s, "\xEF\xBC\x89", 3) == 0)) {
            out[n++] = s[2] == '\x88' ? '(' : ')';
            s += 3;
        } else {
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
}

/* How a row found its enterprise: code, zh-CN name (matched_by_name). */
static const struct {
    const char *code, *name;
} qi_match_by[] = {
    {"uscc", "信用代码"},
    {"name", "现名"},
    {"former_name", "曾用名"},
};

static const char *qi_match_by_name(const char *by)
{
    for (size_t i = 0; by && i < sizeof qi_match_by / sizeof qi_match_by[0];
         i++) {
        if (strcmp(by, qi_match_by[i].code) == 0) {
            return qi_match_by[i].name;
        }
    }
    return by;
}

static void qi_set(json_t *o, const char *status, const char *by, json_t *ent,
                   const char *msg)
{
    const char *by_name = qi_match_by_name(by);

    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "matched_by", by ? json_string(by) : json_null());
    json_object_set_new(o, "matched_by_name",
                        by_name ? json_string(by_name) : json_null());
    json_object_set_new(o, "enterprise_id",
                        ent ? json_incref(json_object_get(ent, "id"))
                            : json_null());
    json_object_set_new(o, "enterprise_name",
                        ent ? json_incref(json_object_get(ent, "name"))
                            : json_null());
    json_object_set_new(o, "message", msg ? json_string(msg) : json_null());
}

#define QI_ENT_COLS                                                            \
    "e.id, e.name, e.uscc, o.name FROM enterprises e JOIN org_units o ON "     \
    "o.id = e.unit_id WHERE e.retired_at IS NULL AND substr(o.path, 1, "       \
    "length($1)) = $1"

/* Rows matched per round of lookups. */
#define QI_CHUNK 200

/* Look keys up in one query per QI_CHUNK * 3 keys: sql is a SELECT whose
 * first column is the key matched and the next four an enterprise (id,
 * name, uscc, unit name), ending in "<key column>", followed here by
 * " IN ($2, ...)"; $1 is arg. Into map: key -> [{id, name, uscc,
 * unit_name}] in the order of the rows. */
static int qi_lookup(Db *db, const char *sql, const char *arg,
                     const char *const *keys, size_t n, json_t *map, Err *e)
{
    const size_t step = (size_t)QI_CHUNK * 3;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < n; i += step) {
        size_t m = n - i < step ? n - i : step;
        DbStmt *st = NULL;
        Buf b;

        buf_init(&b, 0);
        buf_append_str(&b, sql);
        buf_append_str(&b, " IN (");
        for (size_t j = 0; j < m; j++) {
            buf_appendf(&b, j ? ", $%d" : "$%d", (int)j + 2);
        }
        buf_append_char(&b, ')');
        rc = b.err ? ERR_TOOBIG : db_prepare(db, b.data, &st, e);
        if (rc == 0) {
            db_bind_text(st, 1, arg);
        }
        for (size_t j = 0; rc == 0 && j < m; j++) {
            db_bind_text(st, (int)j + 2, keys[i + j]);
        }
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            const char *k = db_col_text(st, 0);
            json_t *arr;

            rc = 0;
            if (!k) {
                continue;
            }
            arr = json_object_get(map, k);
            if (!arr) {
                arr = json_array();
                json_object_set_new(map, k, arr);
            }
            json_array_append_new(
                arr,
                json_pack("{sIssssss}", "id", (json_int_t)db_col_int64(st, 1),
                          "name", db_col_text(st, 2) ? db_col_text(st, 2) : "",
                          "uscc", db_col_text(st, 3) ? db_col_text(st, 3) : "",
                          "unit_name",
                          db_col_text(st, 4) ? db_col_text(st, 4) : ""));
        }
        db_finalize(st);
        buf_release(&b);
        rc = rc == DB_DONE ? 0 : rc;
    }
    return rc;
}

static int qi_cand_cmp(const void *pa, const void *pb)
{
    json_int_t a =
        json_integer_value(json_object_get(*(json_t *const *)pa, "id"));
    json_int_t b =
        json_integer_value(json_object_get(*(json_t *const *)pb, "id"));
    return a < b ? -1 : a > b;
}

/* The distinct enterprises of map under the keys, by id, into cands (at
 * most 64: a name shared by more is ambiguous all the same). */
static void qi_collect(json_t *map, const char *const *keys, int n_keys,
                       json_t *cands)
{
    json_t *v[64] = {0};
    size_t n = 0;

    for (int k = 0; k < n_keys; k++) {
        json_t *arr = json_object_get(map, keys[k]);
        for (size_t i = 0; i < json_array_size(arr) && n < 64; i++) {
            json_t *c = json_array_get(arr, i);
            int dup = 0;
            for (size_t j = 0; j < n && !dup; j++) {
                dup = json_integer_value(json_object_get(v[j], "id")) ==
                      json_integer_value(json_object_get(c, "id"));
            }
            if (!dup) {
                v[n++] = c;
            }
        }
    }
    if (n > 1) {
        qsort(v, n, sizeof(json_t *), qi_cand_cmp);
    }
    for (size_t i = 0; i < n; i++) {
        json_array_append(cands, v[i]);
    }
}

/* What a row of a chunk carries between the rounds. */
typedef struct QiPre {
    json_t *o; /* the row; NULL when decided in the first round */
    char uscc[USCC_LEN + 1];
    char up[QI_CELL_MAX];     /* the number, upper case */
    char fw[QI_CELL_MAX * 2]; /* the name with full-width ( ) */
    char hw[QI_CELL_MAX];     /* and with ASCII ( ) */
    const char *by;
} QiPre;

/* Check rows [0, n) of a chunk as records of kind and match them: in
 * memory first (validity, numbers repeated in the file, USCC format),
 * then every lookup once for the chunk: USCC, current names (the three
 * spellings), former names for the rows still without a match, the
 * numbers of the rows matched to one enterprise. The same outcome as
 * matching each row in turn. */
static int qi_match_chunk(Db *db, const char *scope, json_t **rows, size_t n,
                          const char *kind, const char *batch, json_t *seen,
                          Err *e)
{
    QiPre *p = xcalloc(n ? n : 1, sizeof *p);
    const char **keys = xcalloc(n * 3 + 1, sizeof *keys);
    json_t *by_uscc = json_object(), *by_name = json_object();
    json_t *by_former = json_object(), *by_cert = json_object();
    size_t nk;
    int rc = 0;

    for (size_t i = 0; i < n; i++) {
        json_t *o = rows[i];
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *uscc_in = json_string_value(json_object_get(o, "uscc"));
        const char *cert = json_string_value(json_object_get(o, "cert_no"));
        QualInput in;
        Err ve;

        json_object_set_new(o, "candidates", json_array());
        memset(&in, 0, sizeof in);
        in.kind = kind;
        in.cert_no = cert;
        in.issued_on = json_string_value(json_object_get(o, "date"));
        in.batch = json_string_value(json_object_get(o, "batch"));
        if (!in.batch) {
            in.batch = batch;
        }
        in.valid_to = json_string_value(json_object_get(o, "valid_to"));
        if (qual_validate(&in, &ve) != 0) {
            qi_set(o, "invalid", NULL, NULL, ve.msg);
            continue;
        }
        if (cert) {
            json_t *prev;

            snprintf(p[i].up, sizeof p[i].up, "%s", cert);
            for (char *c = p[i].up; *c; c++) {
                if (*c >= 'a' && *c <= 'z') {
                    *c = (char)(*c - 'a' + 'A');
                }
            }
            prev = json_object_get(seen, p[i].up);
            if (prev) {
                char msg[128];
                snprintf(msg, sizeof msg, "证书编号与第 %lld 行重复",
                         (long long)json_integer_value(prev));
                qi_set(o, "invalid", NULL, NULL, msg);
                continue;
            }
            json_object_set_new(seen, p[i].up,
                                json_incref(json_object_get(o, "row")));
        }
        if (uscc_in && uscc_normalize(uscc_in, p[i].uscc, &ve) != 0) {
            char msg[600];
            snprintf(msg, sizeof msg, "统一社会信用代码有误：%s", ve.msg);
            qi_set(o, "invalid", NULL, NULL, msg);
            continue;
        }
        if (name) {
            qi_parens(name, 1, p[i].fw, sizeof p[i].fw);
            qi_parens(name, 0, p[i].hw, sizeof p[i].hw);
        }
        p[i].o = o;
    }
    /* 统一社会信用代码 */
    nk = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].o && p[i].uscc[0]) {
            keys[nk++] = p[i].uscc;
        }
    }
    rc = qi_lookup(db, "SELECT e.uscc, " QI_ENT_COLS " AND e.uscc", scope, keys,
                   nk, by_uscc, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (p[i].o && p[i].uscc[0]) {
            const char *k[1] = {p[i].uscc};
            qi_collect(by_uscc, k, 1, json_object_get(p[i].o, "candidates"));
            p[i].by = "uscc";
        }
    }
    /* then the current name, then a former name */
    nk = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *name =
            p[i].o ? json_string_value(json_object_get(p[i].o, "name")) : NULL;
        if (name &&
            json_array_size(json_object_get(p[i].o, "candidates")) == 0) {
            keys[nk++] = name;
            keys[nk++] = p[i].fw;
            keys[nk++] = p[i].hw;
        }
    }
    if (rc == 0) {
        rc = qi_lookup(db, "SELECT e.name, " QI_ENT_COLS " AND e.name", scope,
                       keys, nk, by_name, e);
    }
    nk = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *name =
            p[i].o ? json_string_value(json_object_get(p[i].o, "name")) : NULL;
        json_t *cands = p[i].o ? json_object_get(p[i].o, "candidates") : NULL;
        if (name && json_array_size(cands) == 0) {
            const char *k[3] = {name, p[i].fw, p[i].hw};
            qi_collect(by_name, k, 3, cands);
            p[i].by = "name";
            if (json_array_size(cands) == 0) {
                keys[nk++] = name;
                keys[nk++] = p[i].fw;
                keys[nk++] = p[i].hw;
                p[i].by = "former_name";
            }
        }
    }
    if (rc == 0) {
        rc = qi_lookup(db,
                       "SELECT n.name, e.id, e.name, e.uscc, o.name FROM "
                       "enterprise_names n JOIN enterprises e ON e.id = "
                       "n.enterprise_id JOIN org_units o ON o.id = e.unit_id "
                       "WHERE e.retired_at IS NULL AND substr(o.path, 1, "
                       "length($1)) = $1 AND n.name",
                       scope, keys, nk, by_former, e);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *name =
            p[i].o ? json_string_value(json_object_get(p[i].o, "name")) : NULL;
        if (name && p[i].by && strcmp(p[i].by, "former_name") == 0) {
            const char *k[3] = {name, p[i].fw, p[i].hw};
            qi_collect(by_former, k, 3, json_object_get(p[i].o, "candidates"));
        }
    }
    /* one enterprise each: is the number registered already? */
    nk = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (p[i].o && p[i].up[0] &&
            json_array_size(json_object_get(p[i].o, "candidates")) == 1) {
            keys[nk++] = p[i].up;
        }
    }
    if (rc == 0) {
        rc = qi_lookup(db,
                       "SELECT q.cert_no, q.enterprise_id, e.name, e.uscc, "
                       "'' FROM qualifications q JOIN enterprises e ON e.id "
                       "= q.enterprise_id WHERE q.kind = $1 AND q.cert_no",
                       kind, keys, nk, by_cert, e);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *o = p[i].o, *cands, *ent, *holder;
        const char *by = p[i].by ? p[i].by : "name";

        if (!o) {
            continue;
        }
        cands = json_object_get(o, "candidates");
        if (json_array_size(cands) == 0) {
            qi_set(o, "unmatched", NULL, NULL,
                   "企业库（本单位范围）中没有该企业，请选择企业或跳过");
            continue;
        }
        if (json_array_size(cands) > 1) {
            qi_set(o, "ambiguous", NULL, NULL,
                   strcmp(by, "former_name") == 0
                       ? "曾用名对应多家企业，请选择企业或跳过"
                       : "名称对应多家企业，请选择企业或跳过");
            continue;
        }
        ent = json_array_get(cands, 0);
        holder = p[i].up[0]
                     ? json_array_get(json_object_get(by_cert, p[i].up), 0)
                     : NULL;
        if (holder && json_integer_value(json_object_get(holder, "id")) ==
                          json_integer_value(json_object_get(ent, "id"))) {
            qi_set(o, "exists", by, ent, "该证书已登记，导入时跳过");
        } else if (holder) {
            char msg[QI_CELL_MAX + 64];
            snprintf(msg, sizeof msg, "证书编号已登记在“%s”名下",
                     json_string_value(json_object_get(holder, "name")));
            qi_set(o, "invalid", by, ent, msg);
        } else {
            qi_set(o, "matched", by, ent, NULL);
        }
    }
    json_decref(by_uscc);
    json_decref(by_name);
    json_decref(by_former);
    json_decref(by_cert);
    free(keys);
    free(p);
    return rc;
}

/* Lists of at least QI_BULK_ROWS rows are checked and written in bulk
 * mode: a larger page cache and memory-mapped reads for the connection
 * (db_tune; the lookups and index inserts touch pages all over the
 * library), and for the write SQLite's foreign-key checks off
 * (db_bulk_mode, outside the transaction): the one reference a register
 * row has, its enterprise, is checked by qi_writable in the same
 * transaction (exists, in scope, not retired). Back to normal after. */
#define QI_BULK_ROWS 2000

static void qi_bulk_begin(Db *db, size_t n, int fk_off, int *on)
{
    Err te;

    *on = 0;
    if (n < QI_BULK_ROWS) {
        return;
    }
    db_tune(db, DB_TUNE_BULK_WRITE, &te);
    db_tune(db, DB_TUNE_SCAN_BEGIN, &te);
    *on = 1;
    if (fk_off && db_bulk_mode(db, 1, &te) == 0) {
        *on = 2;
    }
}

static void qi_bulk_end(Db *db, int on)
{
    Err te;

    if (on == 2 && db_bulk_mode(db, 0, &te) != 0) {
        log_error("qual import: foreign keys stay off: %s", te.msg);
    }
    if (on) {
        db_tune(db, DB_TUNE_SCAN_END, &te);
        db_tune(db, DB_TUNE_BULK_END, &te);
    }
}

static json_t *qi_summary(json_t *rows)
{
    static const char *const keys[] = {"matched", "ambiguous", "unmatched",
                                       "invalid", "exists"};
    json_int_t n[5] = {0};

    for (size_t i = 0; i < json_array_size(rows); i++) {
        const char *st = json_string_value(
            json_object_get(json_array_get(rows, i), "status"));
        for (int k = 0; st && k < 5; k++) {
            if (strcmp(st, keys[k]) == 0) {
                n[k]++;
            }
        }
    }
    return json_pack("{sIsIsIsIsIsI}", "rows",
                     (json_int_t)json_array_size(rows), "matched", n[0],
                     "ambiguous", n[1], "unmatched", n[2], "invalid", n[3],
                     "exists", n[4]);
}

int qual_import_check(Db *db, const Actor *a, const char *kind,
                      const char *batch, const char *path,
                      const char *file_name, json_t **out, Err *e)
{
    char now[CLOCK_ISO_LEN], bt[QUAL_TEXT_MAX * 4 + 1];
    QiRead q;
    json_t *seen = json_object(), *audit = NULL;
    char *text = NULL;
    int64_t id = 0;
    int rc, bulk = 0;

    *out = NULL;
    memset(&q, 0, sizeof q);
    q.rows = json_array();
    if (!perm_allows(a->role, PERM_WRITE)) {
        rc = err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能导入资质名单");
        goto out;
    }
    if (!qual_kind_find(kind)) {
        rc = err_set(e, ERR_INVALID, "kind", "请选择名单的资质类型");
        goto out;
    }
    rc = valid_text(batch ? batch : "", 0, QUAL_TEXT_MAX, bt, sizeof bt,
                    "batch", "批次", e);
    if (rc) {
        goto out;
    }
    rc = import_file_rows(path, 0, NULL, 0, qi_row, &q, e);
    if (rc == 0 && !q.header_row) {
        rc = err_set(e, ERR_INVALID, "file",
                     "没有找到表头：名单应有“企业名称”列和“证书编号”或"
                     "“认定日期”列");
    }
    if (rc == 0 && json_array_size(q.rows) == 0) {
        rc = err_set(e, ERR_INVALID, "file", "名单中没有数据行");
    }
    if (rc) {
        goto out;
    }
    qi_bulk_begin(db, json_array_size(q.rows), 0, &bulk);
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(q.rows); i += QI_CHUNK) {
        json_t *chunk[QI_CHUNK] = {0};
        size_t m = 0;

        while (m < QI_CHUNK && i + m < json_array_size(q.rows)) {
            chunk[m] = json_array_get(q.rows, i + m);
            m++;
        }
        rc = qi_match_chunk(db, a->unit_path, chunk, m, kind, bt[0] ? bt : NULL,
                            seen, e);
    }
    if (rc == 0) {
        text = json_dumps(q.rows, JSON_COMPACT);
        clock_now_iso(now, 0);
        rc = text ? db_query_int64(
                        db, &id, e,
                        "INSERT INTO qual_imports (kind, batch, file_name, "
                        "user_id, unit_path, n_rows, rows_json, created_at) "
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                        "tttititt", kind, bt[0] ? bt : NULL,
                        file_name ? file_name : "", a->user_id, a->unit_path,
                        (int64_t)json_array_size(q.rows), text, now)
                  : err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    if (rc == 0) {
        *out = json_pack("{sIsssosssssIsoso}", "id", (json_int_t)id, "kind",
                         kind, "batch", bt[0] ? json_string(bt) : json_null(),
                         "file_name", file_name ? file_name : "", "status",
                         "checked", "header_row", (json_int_t)q.header_row,
                         "summary", qi_summary(q.rows), "rows", q.rows);
        q.rows = NULL;
        audit = json_pack("{sIsssOsO}", "id", (json_int_t)id, "kind", kind,
                          "file_name", json_object_get(*out, "file_name"),
                          "summary", json_object_get(*out, "summary"));
        rc = audit_record(db, a, "qual.import_check", "qual_import", id, NULL,
                          NULL, audit, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        json_decref(*out);
        *out = NULL;
    }
out:
    qi_bulk_end(db, bulk);
    free(text);
    json_decref(q.rows);
    json_decref(seen);
    json_decref(audit);
    return rc;
}

/* The stored import: its row of qual_imports as JSON, checking that a
 * may see it (own import, or its unit path is in a's scope). */
static int qi_load(Db *db, const Actor *a, int64_t id, json_t **out,
                   char *status, size_t cap, Err *e)
{
    DbStmt *st = NULL;
    json_error_t jerr;
    json_t *rows;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT kind, batch, file_name, user_id, unit_path, "
                      "rows_json, status, created_at, applied_at FROM "
                      "qual_imports WHERE id = $1",
                      "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_DONE || (rc == DB_ROW && db_col_int64(st, 3) != a->user_id &&
                          !actor_sees_path(a, db_col_text(st, 4)))) {
        rc = err_set(e, ERR_NOTFOUND, "import_id", "名单导入记录不存在");
    } else if (rc == DB_ROW) {
        rows = json_loads(db_col_text(st, 5), 0, &jerr);
        if (!rows) {
            rc = err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
        } else {
            snprintf(status, cap, "%s", db_col_text(st, 6));
            *out = json_pack(
                "{sIsssosssssososo}", "id", (json_int_t)id, "kind",
                db_col_text(st, 0), "batch",
                db_col_text(st, 1) ? json_string(db_col_text(st, 1))
                                   : json_null(),
                "file_name", db_col_text(st, 2) ? db_col_text(st, 2) : "",
                "status", db_col_text(st, 6), "summary", qi_summary(rows),
                "rows", rows, "applied_at",
                db_col_text(st, 8) ? json_string(db_col_text(st, 8))
                                   : json_null());
            rc = 0;
        }
    }
    db_finalize(st);
    return rc;
}

int qual_import_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    char status[16];

    return qi_load(db, a, id, out, status, sizeof status, e);
}

/* The enterprise chosen for row (0 = skip, -1 = not resolved). */
static int qi_resolution(json_t *res, int64_t row, int64_t *ent, Err *e)
{
    *ent = -1;
    for (size_t i = 0; i < json_array_size(res); i++) {
        json_t *r = json_array_get(res, i);
        if (!json_is_object(r)) {
            return err_set(e, ERR_INVALID, "resolutions",
                           "resolutions 的第 %zu 项应为对象", i + 1);
        }
        if (json_integer_value(json_object_get(r, "row")) != row) {
            continue;
        }
        if (json_is_true(json_object_get(r, "skip"))) {
            *ent = 0;
        } else if (json_is_integer(json_object_get(r, "enterprise_id")) &&
                   json_integer_value(json_object_get(r, "enterprise_id")) >
                       0) {
            *ent = json_integer_value(json_object_get(r, "enterprise_id"));
        } else {
            return err_set(e, ERR_INVALID, "resolutions",
                           "第 %lld 行的处理应为 enterprise_id 或 skip",
                           (long long)row);
        }
    }
    return 0;
}

/* Index of the first of ents[0..n) that a may not write (not found, out
 * of scope: ERR_NOTFOUND; retired: ERR_CONFLICT) into *bad with its code
 * in *bad_rc, or n: what ent_writable_path checks, one query per
 * QI_IDS_CHUNK ids. */
#define QI_IDS_CHUNK 500
static int qi_writable(Db *db, const Actor *a, const int64_t *ents, size_t n,
                       size_t *bad, int *bad_rc, Err *e)
{
    unsigned char *ok = xcalloc(n ? n : 1, 1);
    char in[160], sql[512];
    int rc = 0;

    *bad = n;
    *bad_rc = 0;
    db_id_in_list(db, 1, in, sizeof in);
    snprintf(sql, sizeof sql,
             "SELECT e.id, o.path, e.retired_at FROM enterprises e JOIN "
             "org_units o ON o.id = e.unit_id WHERE e.id %s",
             in);
    for (size_t i = 0; rc == 0 && i < n; i += QI_IDS_CHUNK) {
        size_t m = n - i < QI_IDS_CHUNK ? n - i : QI_IDS_CHUNK;
        DbStmt *st = NULL;
        Buf ids;

        buf_init(&ids, 0);
        for (size_t j = 0; j < m; j++) {
            buf_appendf(&ids, j ? ",%lld" : "%lld", (long long)ents[i + j]);
        }
        rc = db_prepare_v(db, &st, e, sql, "t", ids.data);
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            int64_t id = db_col_int64(st, 0);
            const char *path = db_col_text(st, 1);
            unsigned char v = !path || !actor_sees_path(a, path) ? 0
                              : db_col_is_null(st, 2)            ? 1
                                                                 : 2;
            rc = 0;
            for (size_t j = 0; j < m; j++) {
                if (ents[i + j] == id) {
                    ok[i + j] = v;
                }
            }
        }
        db_finalize(st);
        buf_release(&ids);
        rc = rc == DB_DONE ? 0 : rc;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (ok[i] != 1) {
            *bad = i;
            *bad_rc = ok[i] == 2 ? ERR_CONFLICT : ERR_NOTFOUND;
            break;
        }
    }
    free(ok);
    return rc;
}

/* The stored import id's state without its rows: checks that a may see
 * it (as qi_load) and that it is still "checked" and of kind. */
static int qi_state(Db *db, const Actor *a, int64_t id, const char *kind,
                    Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT kind, user_id, unit_path, status FROM "
                      "qual_imports WHERE id = $1",
                      "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_DONE || (rc == DB_ROW && db_col_int64(st, 1) != a->user_id &&
                          !actor_sees_path(a, db_col_text(st, 2)))) {
        rc = err_set(e, ERR_NOTFOUND, "import_id", "名单导入记录不存在");
    } else if (rc == DB_ROW && strcmp(db_col_text(st, 3), "checked") != 0) {
        rc = err_set(e, ERR_CONFLICT, "import_id", "该名单已经导入");
    } else if (rc == DB_ROW &&
               (!kind || strcmp(db_col_text(st, 0), kind) != 0)) {
        rc = err_set(e, ERR_INVALID, "import_id", "名单导入记录与检查结果不符");
    } else if (rc == DB_ROW) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

/* Write the rows of import imp (the checked import as JSON: id, kind,
 * batch, rows) inside the open transaction, with the audit entry; on
 * success *done is {applied_at, inserted, skipped} (new reference) for
 * qi_mark_applied once committed. */
static int qi_apply_rows(Db *db, const Actor *a, json_t *imp,
                         json_t *resolutions, json_t **done, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *rows, *written = json_array(), *after = NULL;
    int64_t id = json_integer_value(json_object_get(imp, "id"));
    QualSource src = {"import", id};
    int64_t inserted = 0, skipped = 0;
    int64_t *wents = NULL, *wrows = NULL, *wids = NULL;
    QualInput *wins = NULL;
    size_t n_w = 0, bad = 0, failed = 0, n;
    const char *kind, *batch;
    int rc = 0, bad_rc = 0, invalid_rc = 0;
    Err invalid;

    err_clear(&invalid);
    rows = json_object_get(imp, "rows");
    kind = json_string_value(json_object_get(imp, "kind"));
    batch = json_string_value(json_object_get(imp, "batch"));
    n = json_array_size(rows);
    wents = xcalloc(n ? n : 1, sizeof *wents);
    wrows = xcalloc(n ? n : 1, sizeof *wrows);
    wids = xcalloc(n ? n : 1, sizeof *wids);
    wins = xcalloc(n ? n : 1, sizeof *wins);
    /* the rows to write, decided in memory; a resolution or an invalid
     * row not skipped stops here */
    for (size_t i = 0; rc == 0 && i < json_array_size(rows); i++) {
        json_t *o = json_array_get(rows, i);
        const char *st = json_string_value(json_object_get(o, "status"));
        int64_t row = json_integer_value(json_object_get(o, "row"));
        int64_t ent = -1;
        QualInput *in = &wins[n_w];

        rc = resolutions ? qi_resolution(resolutions, row, &ent, e) : 0;
        if (rc) {
            break;
        }
        if (strcmp(st, "invalid") == 0 && ent != 0) {
            /* named unless an earlier row fails below */
            invalid_rc = err_set(
                &invalid, ERR_INVALID, "rows", "第 %lld 行：%s", (long long)row,
                json_string_value(json_object_get(o, "message")));
            break;
        }
        if (ent < 0 && strcmp(st, "matched") == 0) {
            ent = json_integer_value(json_object_get(o, "enterprise_id"));
        }
        if (ent <= 0 || strcmp(st, "exists") == 0) {
            skipped++;
            continue;
        }
        memset(in, 0, sizeof *in);
        in->kind = kind;
        in->cert_no = json_string_value(json_object_get(o, "cert_no"));
        in->issued_on = json_string_value(json_object_get(o, "date"));
        in->batch = json_string_value(json_object_get(o, "batch"));
        if (!in->batch) {
            in->batch = batch;
        }
        in->valid_to = json_string_value(json_object_get(o, "valid_to"));
        wents[n_w] = ent;
        wrows[n_w] = row;
        n_w++;
    }
    /* the chosen enterprises in scope and not retired, then the rows up
     * to the first that is not: the first row in error is named, as
     * when the rows were written one by one */
    if (rc == 0) {
        rc = qi_writable(db, a, wents, n_w, &bad, &bad_rc, e);
    }
    if (rc == 0) {
        rc = qual_insert_many(db, a->user_id, wents, wins, bad, &src, wids,
                              &failed, e);
        if (rc && failed < bad) {
            char msg[ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", e->msg);
            rc = err_set(e, rc, "rows", "第 %lld 行：%s",
                         (long long)wrows[failed], msg);
        }
    }
    if (rc == 0 && bad < n_w) {
        rc = err_set(e, bad_rc, "rows",
                     "第 %lld 行：所选企业不存在或不在本单位"
                     "范围内",
                     (long long)wrows[bad]);
    }
    if (rc == 0 && invalid_rc) {
        *e = invalid;
        rc = invalid_rc;
    }
    for (size_t i = 0; rc == 0 && i < n_w; i++) {
        inserted++;
        json_array_append_new(written,
                              json_pack("{sIsIsI}", "row", (json_int_t)wrows[i],
                                        "enterprise_id", (json_int_t)wents[i],
                                        "qual_id", (json_int_t)wids[i]));
    }
    free(wents);
    free(wrows);
    free(wids);
    free(wins);
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(db, e,
                       "UPDATE qual_imports SET status = 'applied', "
                       "applied_at = $1 WHERE id = $2",
                       "ti", now, id);
    }
    if (rc == 0) {
        after = json_pack("{sIsssIsIsO}", "id", (json_int_t)id, "kind", kind,
                          "inserted", (json_int_t)inserted, "skipped",
                          (json_int_t)skipped, "items", written);
        rc = audit_record(db, a, "qual.import", "qual_import", id, NULL, NULL,
                          after, e);
    }
    if (rc == 0) {
        *done = json_pack("{sssIsI}", "applied_at", now, "inserted",
                          (json_int_t)inserted, "skipped", (json_int_t)skipped);
    }
    json_decref(written);
    json_decref(after);
    return rc;
}

/* After the commit: imp as applied, with done's time and counts. */
static void qi_mark_applied(json_t *imp, json_t *done)
{
    json_t *sum = json_object_get(imp, "summary");

    json_object_set_new(imp, "status", json_string("applied"));
    json_object_set(imp, "applied_at", json_object_get(done, "applied_at"));
    json_object_set(sum, "inserted", json_object_get(done, "inserted"));
    json_object_set(sum, "skipped", json_object_get(done, "skipped"));
}

int qual_import_apply(Db *db, const Actor *a, int64_t id, json_t *resolutions,
                      json_t **out, Err *e)
{
    char status[16];
    json_t *imp = NULL, *done = NULL;
    int64_t n_rows = 0;
    int rc, bulk = 0;

    *out = NULL;
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能导入资质名单");
    }
    if (resolutions && !json_is_array(resolutions)) {
        return err_set(e, ERR_INVALID, "resolutions", "resolutions 应为数组");
    }
    /* the size decides the bulk mode, set outside the transaction */
    if (db_query_int64(db, &n_rows, e,
                       "SELECT n_rows FROM qual_imports WHERE id = $1", "i",
                       id) != 0) {
        n_rows = 0;
    }
    qi_bulk_begin(db, (size_t)n_rows, 1, &bulk);
    rc = db_begin(db, e);
    if (rc) {
        qi_bulk_end(db, bulk);
        return rc;
    }
    rc = qi_load(db, a, id, &imp, status, sizeof status, e);
    if (rc == 0 && strcmp(status, "checked") != 0) {
        rc = err_set(e, ERR_CONFLICT, "import_id", "该名单已经导入");
    }
    if (rc == 0) {
        rc = qi_apply_rows(db, a, imp, resolutions, &done, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    } else {
        qi_mark_applied(imp, done);
        *out = imp;
        imp = NULL;
    }
    qi_bulk_end(db, bulk);
    json_decref(imp);
    json_decref(done);
    return rc;
}

int qual_import_apply_checked(Db *db, const Actor *a, json_t *checked,
                              json_t *resolutions, json_t **out, Err *e)
{
    int64_t id = json_integer_value(json_object_get(checked, "id"));
    json_t *done = NULL;
    int rc, bulk = 0;

    *out = NULL;
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能导入资质名单");
    }
    if (resolutions && !json_is_array(resolutions)) {
        return err_set(e, ERR_INVALID, "resolutions", "resolutions 应为数组");
    }
    if (!json_is_array(json_object_get(checked, "rows")) ||
        !json_is_object(json_object_get(checked, "summary"))) {
        return err_set(e, ERR_INVALID, "import_id",
                       "名单导入记录与检查结果不符");
    }
    qi_bulk_begin(db, json_array_size(json_object_get(checked, "rows")), 1,
                  &bulk);
    rc = db_begin(db, e);
    if (rc) {
        qi_bulk_end(db, bulk);
        return rc;
    }
    rc = qi_state(db, a, id,
                  json_string_value(json_object_get(checked, "kind")), e);
    if (rc == 0) {
        rc = qi_apply_rows(db, a, checked, resolutions, &done, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    qi_bulk_end(db, bulk);
    if (rc == 0) {
        /* the shape qual_import_get gives */
        qi_mark_applied(checked, done);
        json_object_del(checked, "header_row");
        *out = json_incref(checked);
    }
    json_decref(done);
    return rc;
}
