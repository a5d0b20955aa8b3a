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
#include "base/utf8.h"
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
    long header_row;   /* of the sheet being read; 0 = not found yet */
    long first_header; /* of the first sheet with one */
    const char *sheet; /* its name when the workbook has several sheets */
    int col[QC__N];    /* cell index, -1 = absent */
    QualImportList *l;
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

/* Are cells a header row? Its columns into col. */
static int qi_header_cols(const char *const *cells, size_t n, int col[QC__N])
{
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
            /* a fragment of a column already found does not end the
             * search: "高新技术企业证书编号" after "企业名称" is the number */
            if (strstr(t, qual_titles[k].frag) && col[qual_titles[k].col] < 0) {
                col[qual_titles[k].col] = (int)i;
                break;
            }
        }
    }
    return col[QC_NAME] >= 0 && (col[QC_NUMBER] >= 0 || col[QC_DATE] >= 0);
}

static int qi_header(QiRead *q, const char *const *cells, size_t n)
{
    int col[QC__N];

    if (!qi_header_cols(cells, n, col)) {
        return 0;
    }
    memcpy(q->col, col, sizeof col);
    return 1;
}

/* n bytes of s into the arena, every byte that does not start a valid
 * UTF-8 sequence as U+FFFD (the report is JSON). */
static const char *qi_strndup(Arena *ar, const char *s, size_t n)
{
    char *t, *o;

    if (utf8_validate(s, n, NULL)) {
        return arena_strndup(ar, s, n);
    }
    t = arena_alloc(ar, n * 3 + 1);
    for (o = t; t && n;) {
        int k = utf8_decode(s, n, NULL);
        if (k > 0) {
            memcpy(o, s, (size_t)k);
            o += k;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            k = 1;
        }
        s += k;
        n -= (size_t)k;
    }
    if (t) {
        *o = '\0';
    }
    return t;
}

/* Cell c trimmed (at most QI_CELL_MAX - 1 bytes, cut at a character) in
 * the arena; NULL when absent or empty. */
static const char *qi_cell(Arena *ar, const char *const *cells, size_t n, int c)
{
    const char *s;
    size_t len;

    if (c < 0 || (size_t)c >= n || !cells[c]) {
        return NULL;
    }
    s = cells[c];
    while (*s == ' ' || *s == '\t' || strncmp(s, "\xE3\x80\x80", 3) == 0) {
        s += *s == ' ' || *s == '\t' ? 1 : 3;
    }
    len = strlen(s);
    if (len > QI_CELL_MAX - 1) {
        len = utf8_truncate(s, len, QI_CELL_MAX - 1);
    }
    for (;;) {
        if (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
                    s[len - 1] == '\r' || s[len - 1] == '\n')) {
            len--;
        } else if (len >= 3 && memcmp(s + len - 3, "\xE3\x80\x80", 3) == 0) {
            len -= 3; /* a full-width space typed after a name */
        } else if (len >= 2 && memcmp(s + len - 2, "\xC2\xA0", 2) == 0) {
            len -= 2; /* a no-break space pasted from a web page */
        } else {
            break;
        }
    }
    return len ? qi_strndup(ar, s, len) : NULL;
}

/* The certificate number s (a cell of qi_cell) without the spaces a
 * published list puts in it ("GR 2023 1200 0102"), in the arena; NULL
 * when nothing is left. */
static const char *qi_number(Arena *ar, const char *s)
{
    char t[QI_CELL_MAX];

    if (!s) {
        return NULL;
    }
    qi_squeeze(s, t, sizeof t);
    if (!*t) {
        return NULL;
    }
    return strcmp(t, s) == 0 ? s : arena_strdup(ar, t);
}

/* A date cell that holds an Excel serial number as text (a date typed in
 * a cell without a date format, or saved from such a cell as CSV:
 * "45268") as YYYY-MM-DD in the arena; other cells as they are. */
static const char *qi_date(Arena *ar, const char *s)
{
    char iso[DATE_ISO_SIZE];
    Date d;
    Err de;

    if (!s || strlen(s) != 5 || strspn(s, "0123456789") != 5 ||
        date_parse_excel_serial(s, &d, "date", &de) != 0) {
        return s;
    }
    date_format_iso(d, iso);
    return arena_strdup(ar, iso);
}

/* Is the row below the table a note or a total ("注：以上企业排名不分先后",
 * "合计 | 4家")? Told by its first non-blank cell. */
static int qi_note_row(const char *const *cells, size_t n)
{
    static const char *const lead[] = {"注：", "注:",  "注1",  "备注",
                                       "说明", "合计", "总计", "小计"};
    char t[QI_CELL_MAX];

    for (size_t i = 0; i < n; i++) {
        qi_squeeze(cells[i], t, sizeof t);
        if (!*t) {
            continue;
        }
        for (size_t k = 0; k < sizeof lead / sizeof lead[0]; k++) {
            if (strncmp(t, lead[k], strlen(lead[k])) == 0) {
                return 1;
            }
        }
        return 0;
    }
    return 0;
}

static int qi_row(void *ud, long row, const char *const *cells, size_t n,
                  Err *e)
{
    QiRead *q = ud;
    QualImportList *l = q->l;
    QualImportRow *r;

    if (!q->header_row) {
        if (qi_header(q, cells, n)) {
            q->header_row = row;
            if (!q->first_header) {
                q->first_header = row;
            }
            return 0;
        }
        if (row >= IMPORT_HEADER_SCAN) {
            return err_set(e, ERR_INVALID, "file",
                           "%s%s%s前 %d 行中没有找到表头：名单应有“企业名称”"
                           "列和“证书编号”或“认定日期”列",
                           q->sheet ? "工作表“" : "", q->sheet ? q->sheet : "",
                           q->sheet ? "”" : "", IMPORT_HEADER_SCAN);
        }
        return 0;
    }
    if (qi_note_row(cells, n)) {
        return 0;
    }
    {
        /* the header repeated on every page of a list converted from a
         * PDF is not a row (the same columns: a data row's number or date
         * never holds a title) */
        int col[QC__N];
        if (qi_header_cols(cells, n, col) && col[QC_NAME] == q->col[QC_NAME] &&
            col[QC_NUMBER] == q->col[QC_NUMBER] &&
            col[QC_DATE] == q->col[QC_DATE]) {
            return 0;
        }
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->rows = xrealloc(l->rows, l->cap * sizeof *l->rows);
    }
    r = &l->rows[l->n];
    memset(r, 0, sizeof *r);
    r->row = row;
    r->sheet = q->sheet;
    r->name = qi_cell(&l->arena, cells, n, q->col[QC_NAME]);
    r->uscc = qi_cell(&l->arena, cells, n, q->col[QC_USCC]);
    r->cert_no =
        qi_number(&l->arena, qi_cell(&l->arena, cells, n, q->col[QC_NUMBER]));
    if (!r->name && !r->cert_no && !r->uscc) {
        return 0; /* a blank or note row */
    }
    r->date = qi_date(&l->arena, qi_cell(&l->arena, cells, n, q->col[QC_DATE]));
    r->batch = qi_cell(&l->arena, cells, n, q->col[QC_BATCH]);
    r->valid_to = qi_cell(&l->arena, cells, n, q->col[QC_VALID_TO]);
    if (l->arena.err) {
        return err_set(e, ERR_TOOBIG, "file", "名单过大，请分批导入");
    }
    if (l->n >= QUAL_IMPORT_MAX_ROWS) {
        return err_set(e, ERR_TOOBIG, "file", "名单超过 %d 行，请分批导入",
                       QUAL_IMPORT_MAX_ROWS);
    }
    l->n++;
    return 0;
}

/* A new sheet: its own header (a workbook published with one sheet per
 * district or batch); rows are named by sheet when there are several. */
static int qi_sheet(void *ud, const char *name, size_t n_sheets, Err *e)
{
    QiRead *q = ud;

    q->header_row = 0;
    q->sheet = NULL;
    if (name && n_sheets > 1) {
        q->sheet = arena_strdup(&q->l->arena, name);
        if (!q->sheet) {
            return err_set(e, ERR_TOOBIG, "file", "名单过大，请分批导入");
        }
    }
    return 0;
}

/* Where a row is, for a person, in buf: "第 7 行" or "工作表“和平区”第
 * 7 行". */
#define QI_WHERE_MAX 160
static const char *qi_where(char buf[QI_WHERE_MAX], const char *sheet,
                            int64_t row)
{
    if (sheet) {
        snprintf(buf, QI_WHERE_MAX, "工作表“%s”第 %lld 行", sheet,
                 (long long)row);
    } else {
        snprintf(buf, QI_WHERE_MAX, "第 %lld 行", (long long)row);
    }
    return buf;
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

static void qi_set(QualImportRow *r, const char *status, const char *by,
                   const QualImportCand *ent, const char *msg)
{
    r->status = status;
    r->matched_by = by;
    r->enterprise_id = ent ? ent->id : 0;
    r->enterprise_name = ent ? ent->name : NULL;
    r->message = msg;
}

/* Keys (names, codes, numbers) to what they found: a hash of arena
 * strings, the entries of one key chained in the order they came. */
typedef struct QiHit {
    const char *key;
    QualImportCand c;
    int64_t next; /* next entry of the same key, -1 = none */
} QiHit;

typedef struct QiMap {
    int64_t *head, *tail; /* per slot: first and last entry, -1 = empty */
    size_t cap;           /* slots, a power of two */
    size_t n_keys;
    QiHit *hit;
    size_t n, hcap;
} QiMap;

static uint64_t qi_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

static void qi_map_init(QiMap *m)
{
    memset(m, 0, sizeof *m);
}

static void qi_map_free(QiMap *m)
{
    free(m->head);
    free(m->tail);
    free(m->hit);
    memset(m, 0, sizeof *m);
}

/* The slot of key: its own or the empty one where it would go. */
static size_t qi_map_slot(const QiMap *m, const char *key)
{
    size_t i = (size_t)qi_hash(key) & (m->cap - 1);

    while (m->head[i] >= 0 && strcmp(m->hit[m->head[i]].key, key) != 0) {
        i = (i + 1) & (m->cap - 1);
    }
    return i;
}

/* The first entry of key, or -1. */
static int64_t qi_map_find(const QiMap *m, const char *key)
{
    return m->cap ? m->head[qi_map_slot(m, key)] : -1;
}

static void qi_map_grow(QiMap *m)
{
    size_t old = m->cap;
    int64_t *oh = m->head, *ot = m->tail;

    m->cap = old ? old * 2 : 1024;
    m->head = xmalloc(m->cap * sizeof *m->head);
    m->tail = xmalloc(m->cap * sizeof *m->tail);
    for (size_t i = 0; i < m->cap; i++) {
        m->head[i] = m->tail[i] = -1;
    }
    for (size_t i = 0; i < old; i++) {
        if (oh[i] >= 0) {
            size_t s = qi_map_slot(m, m->hit[oh[i]].key);
            m->head[s] = oh[i];
            m->tail[s] = ot[i];
        }
    }
    free(oh);
    free(ot);
}

/* Add c under key (key and c's strings must outlive the map). */
static void qi_map_add(QiMap *m, const char *key, const QualImportCand *c)
{
    size_t s;
    int64_t k;

    if ((m->n_keys + 1) * 2 > m->cap) {
        qi_map_grow(m);
    }
    if (m->n == m->hcap) {
        m->hcap = m->hcap ? m->hcap * 2 : 1024;
        m->hit = xrealloc(m->hit, m->hcap * sizeof *m->hit);
    }
    k = (int64_t)m->n++;
    m->hit[k].key = key;
    m->hit[k].c = *c;
    m->hit[k].next = -1;
    s = qi_map_slot(m, key);
    if (m->head[s] < 0) {
        m->head[s] = m->tail[s] = k;
        m->n_keys++;
    } else {
        m->hit[m->tail[s]].next = k;
        m->tail[s] = k;
    }
}

#define QI_ENT_COLS                                                            \
    "e.id, e.name, e.uscc, o.name FROM enterprises e JOIN org_units o ON "     \
    "o.id = e.unit_id WHERE e.retired_at IS NULL AND substr(o.path, 1, "       \
    "length($1)) = $1"

/* Keys looked up per query. */
#define QI_KEYS_PER_QUERY 600

/* Look keys up, QI_KEYS_PER_QUERY per query: sql is a SELECT whose first
 * column is the key matched and the next four an enterprise (id, name,
 * uscc, unit name), ending in "<key column>", followed here by " IN ($2,
 * ...)"; $1 is arg. Into map (strings in ar): key -> the enterprises in
 * the order of the rows. */
static int qi_lookup(Db *db, const char *sql, const char *arg,
                     const char *const *keys, size_t n, QiMap *map, Arena *ar,
                     Err *e)
{
    const size_t step = QI_KEYS_PER_QUERY;
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
            QualImportCand c;

            rc = 0;
            if (!k) {
                continue;
            }
            c.id = db_col_int64(st, 1);
            c.name =
                arena_strdup(ar, db_col_text(st, 2) ? db_col_text(st, 2) : "");
            c.uscc =
                arena_strdup(ar, db_col_text(st, 3) ? db_col_text(st, 3) : "");
            c.unit_name =
                arena_strdup(ar, db_col_text(st, 4) ? db_col_text(st, 4) : "");
            k = arena_strdup(ar, k);
            if (!k || !c.name || !c.uscc || !c.unit_name) {
                rc = err_set(e, ERR_TOOBIG, "file", "名单过大，请分批导入");
                break;
            }
            qi_map_add(map, k, &c);
        }
        db_finalize(st);
        buf_release(&b);
        rc = rc == DB_DONE ? 0 : rc;
    }
    return rc;
}

static int qi_cand_cmp(const void *pa, const void *pb)
{
    int64_t a = ((const QualImportCand *)pa)->id;
    int64_t b = ((const QualImportCand *)pb)->id;
    return a < b ? -1 : a > b;
}

/* The distinct enterprises of map under the keys, by id, as r's
 * candidates (at most 64: a name shared by more is ambiguous all the
 * same). */
static void qi_collect(const QiMap *map, const char *const *keys, int n_keys,
                       QualImportRow *r, Arena *ar)
{
    QualImportCand v[64];
    size_t n = 0;

    for (int k = 0; k < n_keys; k++) {
        for (int64_t h = keys[k] ? qi_map_find(map, keys[k]) : -1;
             h >= 0 && n < 64; h = map->hit[h].next) {
            const QualImportCand *c = &map->hit[h].c;
            int dup = 0;
            for (size_t j = 0; j < n && !dup; j++) {
                dup = v[j].id == c->id;
            }
            if (!dup) {
                v[n++] = *c;
            }
        }
    }
    if (n > 1) {
        qsort(v, n, sizeof v[0], qi_cand_cmp);
    }
    r->cands = n ? arena_alloc(ar, n * sizeof v[0]) : NULL;
    r->n_cands = r->cands ? n : 0;
    if (r->cands) {
        memcpy(r->cands, v, n * sizeof v[0]);
    }
}

/* The year a text starts with ("2024年第三批", "2024120101A0000001"),
 * 0 when none. */
static int qi_lead_year(const char *s)
{
    int y;

    if (!s || strspn(s, "0123456789") < 4) {
        return 0;
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
        (s[3] - '0');
    return y >= 1990 && y <= 2100 ? y : 0;
}

/* Row r of a list of kind (batch: the list's, may be NULL) as a register
 * record. A 入库名单 has no date column: a kind valid for a calendar year
 * (科小) takes its year from the batch ("2024年第三批") or else from the
 * number, which starts with it ("2024120101A0000001"). */
static void qi_input(QualInput *in, const char *kind, const QualImportRow *r,
                     const char *batch)
{
    const QualKind *k = qual_kind_find(kind);

    memset(in, 0, sizeof *in);
    in->kind = kind;
    in->cert_no = r->cert_no;
    in->issued_on = r->date;
    in->batch = r->batch ? r->batch : batch;
    in->valid_to = r->valid_to;
    if (!r->date && k && k->validity == QUAL_VALID_CALENDAR) {
        in->year = qi_lead_year(in->batch);
        if (!in->year) {
            in->year = qi_lead_year(r->cert_no);
        }
    }
}

/* What a row carries between the rounds of lookups. */
typedef struct QiPre {
    int live; /* still to match (not invalid already) */
    char uscc[USCC_LEN + 1];
    const char *up; /* the number, upper case */
    const char *fw; /* the name with full-width ( ) */
    const char *hw; /* and with ASCII ( ) */
    const char *by;
} QiPre;

/* The rows of l checked as records of kind and matched in one pass: in
 * memory first (validity, numbers repeated in the file, USCC format),
 * then every lookup once for the whole list: USCC, current names (the
 * three spellings), former names for the rows still without a match,
 * the numbers of the rows matched to one enterprise. The same outcome
 * as matching each row in turn. */
static int qi_match(Db *db, const char *scope, QualImportList *l,
                    const char *kind, const char *batch, Err *e)
{
    size_t n = l->n;
    Arena *ar = &l->arena;
    QiPre *p = xcalloc(n ? n : 1, sizeof *p);
    const char **keys = xcalloc(n * 3 + 1, sizeof *keys);
    QiMap seen, by_uscc, by_name, by_former, by_cert;
    char where[QI_WHERE_MAX];
    size_t nk;
    int rc = 0;

    qi_map_init(&seen);
    qi_map_init(&by_uscc);
    qi_map_init(&by_name);
    qi_map_init(&by_former);
    qi_map_init(&by_cert);
    for (size_t i = 0; i < n; i++) {
        QualImportRow *r = &l->rows[i];
        QualInput in;
        Err ve;

        qi_input(&in, kind, r, batch);
        if (qual_validate(&in, &ve) != 0) {
            qi_set(r, "invalid", NULL, NULL, arena_strdup(ar, ve.msg));
            continue;
        }
        if (r->cert_no) {
            char *up = arena_strdup(ar, r->cert_no);
            int64_t prev;

            for (char *c = up; c && *c; c++) {
                if (*c >= 'a' && *c <= 'z') {
                    *c = (char)(*c - 'a' + 'A');
                }
            }
            p[i].up = up;
            prev = up ? qi_map_find(&seen, up) : -1;
            if (prev >= 0) {
                qi_set(r, "invalid", NULL, NULL,
                       arena_sprintf(ar, "证书编号与%s重复",
                                     qi_where(where, seen.hit[prev].c.name,
                                              seen.hit[prev].c.id)));
                continue;
            }
            if (up) {
                QualImportCand c = {r->row, r->sheet, NULL, NULL};
                qi_map_add(&seen, up, &c);
            }
        }
        if (r->uscc && uscc_normalize(r->uscc, p[i].uscc, &ve) != 0) {
            qi_set(r, "invalid", NULL, NULL,
                   arena_sprintf(ar, "统一社会信用代码有误：%s", ve.msg));
            continue;
        }
        if (r->name) {
            char t[QI_CELL_MAX * 2];
            qi_parens(r->name, 1, t, sizeof t);
            p[i].fw = arena_strdup(ar, t);
            qi_parens(r->name, 0, t, sizeof t);
            p[i].hw = arena_strdup(ar, t);
        }
        p[i].live = 1;
    }
    /* 统一社会信用代码 */
    nk = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].live && p[i].uscc[0]) {
            keys[nk++] = p[i].uscc;
        }
    }
    rc = qi_lookup(db, "SELECT e.uscc, " QI_ENT_COLS " AND e.uscc", scope, keys,
                   nk, &by_uscc, ar, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (p[i].live && p[i].uscc[0]) {
            const char *k[1] = {p[i].uscc};
            qi_collect(&by_uscc, k, 1, &l->rows[i], ar);
            p[i].by = "uscc";
        }
    }
    /* then the current name, then a former name */
    nk = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (p[i].live && l->rows[i].name && l->rows[i].n_cands == 0) {
            keys[nk++] = l->rows[i].name;
            keys[nk++] = p[i].fw;
            keys[nk++] = p[i].hw;
        }
    }
    if (rc == 0) {
        rc = qi_lookup(db, "SELECT e.name, " QI_ENT_COLS " AND e.name", scope,
                       keys, nk, &by_name, ar, e);
    }
    nk = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        QualImportRow *r = &l->rows[i];
        if (p[i].live && r->name && r->n_cands == 0) {
            const char *k[3] = {r->name, p[i].fw, p[i].hw};
            qi_collect(&by_name, k, 3, r, ar);
            p[i].by = "name";
            if (r->n_cands == 0) {
                keys[nk++] = r->name;
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
                       scope, keys, nk, &by_former, ar, e);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        QualImportRow *r = &l->rows[i];
        if (p[i].live && r->name && p[i].by &&
            strcmp(p[i].by, "former_name") == 0) {
            const char *k[3] = {r->name, p[i].fw, p[i].hw};
            qi_collect(&by_former, k, 3, r, ar);
        }
    }
    /* one enterprise each: is the number registered already? */
    nk = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (p[i].live && p[i].up && l->rows[i].n_cands == 1) {
            keys[nk++] = p[i].up;
        }
    }
    if (rc == 0) {
        rc = qi_lookup(db,
                       "SELECT q.cert_no, q.enterprise_id, e.name, e.uscc, "
                       "'' FROM qualifications q JOIN enterprises e ON e.id "
                       "= q.enterprise_id WHERE q.kind = $1 AND q.cert_no",
                       kind, keys, nk, &by_cert, ar, e);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        QualImportRow *r = &l->rows[i];
        const char *by = p[i].by ? p[i].by : "name";
        const QualImportCand *ent, *holder = NULL;
        int64_t h;

        if (!p[i].live) {
            continue;
        }
        if (r->n_cands == 0) {
            qi_set(r, "unmatched", NULL, NULL,
                   "企业库（本单位范围）中没有该企业，请选择企业或跳过");
            continue;
        }
        if (r->n_cands > 1) {
            qi_set(r, "ambiguous", NULL, NULL,
                   strcmp(by, "former_name") == 0
                       ? "曾用名对应多家企业，请选择企业或跳过"
                       : "名称对应多家企业，请选择企业或跳过");
            continue;
        }
        ent = &r->cands[0];
        h = p[i].up ? qi_map_find(&by_cert, p[i].up) : -1;
        holder = h >= 0 ? &by_cert.hit[h].c : NULL;
        if (holder && holder->id == ent->id) {
            qi_set(r, "exists", by, ent, "该证书已登记，导入时跳过");
        } else if (holder) {
            qi_set(r, "invalid", by, ent,
                   arena_sprintf(ar, "证书编号已登记在“%s”名下", holder->name));
        } else {
            qi_set(r, "matched", by, ent, NULL);
        }
    }
    if (rc == 0 && ar->err) {
        rc = err_set(e, ERR_TOOBIG, "file", "名单过大，请分批导入");
    }
    qi_map_free(&seen);
    qi_map_free(&by_uscc);
    qi_map_free(&by_name);
    qi_map_free(&by_former);
    qi_map_free(&by_cert);
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

static const char *const qi_status_keys[] = {"matched", "ambiguous",
                                             "unmatched", "invalid", "exists"};

/* {rows, matched, ambiguous, unmatched, invalid, exists} of l. */
static json_t *qi_list_summary(const QualImportList *l)
{
    json_int_t n[5] = {0};

    for (size_t i = 0; i < l->n; i++) {
        const char *st = l->rows[i].status;
        for (int k = 0; st && k < 5; k++) {
            if (strcmp(st, qi_status_keys[k]) == 0) {
                n[k]++;
            }
        }
    }
    return json_pack("{sIsIsIsIsIsI}", "rows", (json_int_t)l->n, "matched",
                     n[0], "ambiguous", n[1], "unmatched", n[2], "invalid",
                     n[3], "exists", n[4]);
}

/* s as a JSON string the way jansson's json_dumps writes it (quotes,
 * backslash and control characters escaped, UTF-8 as it is), or null.
 * Not buf_append_json_str: that one escapes '<' and writes lower-case
 * hex for HTML-safe replies, and the stored rows must be the bytes the
 * stored-row path (json_dumps) writes. */
static void qi_json_str(Buf *b, const char *s)
{
    const char *run;

    if (!s) {
        buf_append(b, "null", 4);
        return;
    }
    buf_append_char(b, '"');
    for (run = s; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];

        if (c != '"' && c != '\\' && c >= 0x20) {
            continue;
        }
        buf_append(b, run, (size_t)(s - run));
        switch (c) {
        case '"':
        case '\\':
            esc[0] = '\\';
            esc[1] = (char)c;
            esc[2] = '\0';
            break;
        case '\b':
            snprintf(esc, sizeof esc, "\\b");
            break;
        case '\f':
            snprintf(esc, sizeof esc, "\\f");
            break;
        case '\n':
            snprintf(esc, sizeof esc, "\\n");
            break;
        case '\r':
            snprintf(esc, sizeof esc, "\\r");
            break;
        case '\t':
            snprintf(esc, sizeof esc, "\\t");
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c);
            break;
        }
        buf_append_str(b, esc);
        run = s + 1;
    }
    buf_append(b, run, (size_t)(s - run));
    buf_append_char(b, '"');
}

static void qi_json_int(Buf *b, int64_t v, int null_if_zero)
{
    if (null_if_zero && v == 0) {
        buf_append(b, "null", 4);
    } else {
        buf_appendf(b, "%lld", (long long)v);
    }
}

/* The rows of l as the compact JSON text json_dumps gives for the rows
 * of qual_import_list_json (stored in qual_imports.rows_json). */
static void qi_rows_text(const QualImportList *l, Buf *b)
{
    buf_append_char(b, '[');
    for (size_t i = 0; i < l->n && !b->err; i++) {
        const QualImportRow *r = &l->rows[i];

        buf_append_str(b, i ? ",{\"row\":" : "{\"row\":");
        qi_json_int(b, r->row, 0);
        buf_append_str(b, ",\"sheet\":");
        qi_json_str(b, r->sheet);
        buf_append_str(b, ",\"name\":");
        qi_json_str(b, r->name);
        buf_append_str(b, ",\"uscc\":");
        qi_json_str(b, r->uscc);
        buf_append_str(b, ",\"cert_no\":");
        qi_json_str(b, r->cert_no);
        buf_append_str(b, ",\"date\":");
        qi_json_str(b, r->date);
        buf_append_str(b, ",\"batch\":");
        qi_json_str(b, r->batch);
        buf_append_str(b, ",\"valid_to\":");
        qi_json_str(b, r->valid_to);
        buf_append_str(b, ",\"candidates\":[");
        for (size_t k = 0; k < r->n_cands; k++) {
            const QualImportCand *c = &r->cands[k];
            buf_append_str(b, k ? ",{\"id\":" : "{\"id\":");
            qi_json_int(b, c->id, 0);
            buf_append_str(b, ",\"name\":");
            qi_json_str(b, c->name);
            buf_append_str(b, ",\"uscc\":");
            qi_json_str(b, c->uscc);
            buf_append_str(b, ",\"unit_name\":");
            qi_json_str(b, c->unit_name);
            buf_append_char(b, '}');
        }
        buf_append_str(b, "],\"status\":");
        qi_json_str(b, r->status);
        buf_append_str(b, ",\"matched_by\":");
        qi_json_str(b, r->matched_by);
        buf_append_str(b, ",\"matched_by_name\":");
        qi_json_str(b, qi_match_by_name(r->matched_by));
        buf_append_str(b, ",\"enterprise_id\":");
        qi_json_int(b, r->enterprise_id, 1);
        buf_append_str(b, ",\"enterprise_name\":");
        qi_json_str(b, r->enterprise_name);
        buf_append_str(b, ",\"message\":");
        qi_json_str(b, r->message);
        buf_append_char(b, '}');
    }
    buf_append_char(b, ']');
}

static json_t *qi_jstr(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;

    return v ? v : json_null();
}

json_t *qual_import_list_json(const QualImportList *l)
{
    json_t *o = json_object(), *rows = json_array(), *sum;
    int applied = strcmp(l->status, "applied") == 0;

    json_object_set_new(o, "id", json_integer(l->id));
    json_object_set_new(o, "kind", json_string(l->kind));
    json_object_set_new(o, "batch", qi_jstr(l->batch));
    json_object_set_new(o, "file_name", qi_jstr(l->file_name));
    json_object_set_new(o, "status", json_string(l->status));
    if (!applied) {
        json_object_set_new(o, "header_row", json_integer(l->header_row));
    }
    sum = qi_list_summary(l);
    if (applied) {
        json_object_set_new(sum, "inserted", json_integer(l->inserted));
        json_object_set_new(sum, "skipped", json_integer(l->skipped));
    }
    json_object_set_new(o, "summary", sum);
    for (size_t i = 0; i < l->n; i++) {
        const QualImportRow *r = &l->rows[i];
        json_t *x = json_object(), *cands = json_array();

        json_object_set_new(x, "row", json_integer(r->row));
        json_object_set_new(x, "sheet", qi_jstr(r->sheet));
        json_object_set_new(x, "name", qi_jstr(r->name));
        json_object_set_new(x, "uscc", qi_jstr(r->uscc));
        json_object_set_new(x, "cert_no", qi_jstr(r->cert_no));
        json_object_set_new(x, "date", qi_jstr(r->date));
        json_object_set_new(x, "batch", qi_jstr(r->batch));
        json_object_set_new(x, "valid_to", qi_jstr(r->valid_to));
        for (size_t k = 0; k < r->n_cands; k++) {
            const QualImportCand *c = &r->cands[k];
            json_array_append_new(cands, json_pack("{sIssssss}", "id",
                                                   (json_int_t)c->id, "name",
                                                   c->name, "uscc", c->uscc,
                                                   "unit_name", c->unit_name));
        }
        json_object_set_new(x, "candidates", cands);
        json_object_set_new(x, "status", qi_jstr(r->status));
        json_object_set_new(x, "matched_by", qi_jstr(r->matched_by));
        json_object_set_new(x, "matched_by_name",
                            qi_jstr(qi_match_by_name(r->matched_by)));
        json_object_set_new(x, "enterprise_id",
                            r->enterprise_id ? json_integer(r->enterprise_id)
                                             : json_null());
        json_object_set_new(x, "enterprise_name", qi_jstr(r->enterprise_name));
        json_object_set_new(x, "message", qi_jstr(r->message));
        json_array_append_new(rows, x);
    }
    json_object_set_new(o, "rows", rows);
    if (applied) {
        json_object_set_new(o, "applied_at", json_string(l->applied_at));
    }
    return o;
}

void qual_import_list_free(QualImportList *l)
{
    if (l) {
        arena_release(&l->arena);
        free(l->rows);
        free(l);
    }
}

static QualImportList *qi_list_new(void)
{
    QualImportList *l = xcalloc(1, sizeof *l);

    arena_init(&l->arena, ARENA_DEFAULT_MAX);
    l->status = "checked";
    return l;
}

/* The stored rows of a list: a cap on the JSON text. */
#define QI_TEXT_MAX ((size_t)512 * 1024 * 1024)

int qual_import_check_list(Db *db, const Actor *a, const char *kind,
                           const char *batch, const char *path,
                           const char *file_name, QualImportList **out, Err *e)
{
    char now[CLOCK_ISO_LEN], bt[QUAL_TEXT_MAX * 4 + 1];
    QualImportList *l = qi_list_new();
    QiRead q;
    json_t *audit = NULL, *sum = NULL;
    Buf text;
    int rc, bulk = 0;

    *out = NULL;
    buf_init(&text, QI_TEXT_MAX);
    memset(&q, 0, sizeof q);
    q.l = l;
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
    snprintf(l->kind, sizeof l->kind, "%s", kind);
    l->batch = bt[0] ? arena_strdup(&l->arena, bt) : NULL;
    l->file_name = arena_strdup(&l->arena, file_name ? file_name : "");
    rc = import_file_sheets(path, qi_sheet, qi_row, &q, e);
    if (rc == 0 && !q.first_header) {
        rc = err_set(e, ERR_INVALID, "file",
                     "没有找到表头：名单应有“企业名称”列和“证书编号”或"
                     "“认定日期”列");
    }
    if (rc == 0 && l->n == 0) {
        rc = err_set(e, ERR_INVALID, "file", "名单中没有数据行");
    }
    if (rc) {
        goto out;
    }
    l->header_row = q.first_header;
    qi_bulk_begin(db, l->n, 0, &bulk);
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = qi_match(db, a->unit_path, l, kind, l->batch, e);
    if (rc == 0) {
        qi_rows_text(l, &text);
        clock_now_iso(now, 0);
        rc = !text.err
                 ? db_query_int64(
                       db, &l->id, e,
                       "INSERT INTO qual_imports (kind, batch, file_name, "
                       "user_id, unit_path, n_rows, rows_json, created_at) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                       "tttititt", kind, l->batch, l->file_name, a->user_id,
                       a->unit_path, (int64_t)l->n, text.data, now)
                 : err_set(e, ERR_TOOBIG, "file", "名单过大，请分批导入");
    }
    if (rc == 0) {
        sum = qi_list_summary(l);
        audit = json_pack("{sIsssssO}", "id", (json_int_t)l->id, "kind", kind,
                          "file_name", l->file_name, "summary", sum);
        rc = audit_record(db, a, "qual.import_check", "qual_import", l->id,
                          NULL, NULL, audit, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
out:
    qi_bulk_end(db, bulk);
    buf_release(&text);
    json_decref(audit);
    json_decref(sum);
    if (rc == 0) {
        *out = l;
    } else {
        qual_import_list_free(l);
    }
    return rc;
}

int qual_import_check(Db *db, const Actor *a, const char *kind,
                      const char *batch, const char *path,
                      const char *file_name, json_t **out, Err *e)
{
    QualImportList *l = NULL;
    int rc = qual_import_check_list(db, a, kind, batch, path, file_name, &l, e);

    *out = rc == 0 ? qual_import_list_json(l) : NULL;
    qual_import_list_free(l);
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
static int qi_resolution(json_t *res, const QualImportList *l,
                         const QualImportRow *row_of, int64_t *ent, Err *e)
{
    int64_t row = row_of->row;
    const char *first = l->n ? l->rows[0].sheet : NULL;

    *ent = -1;
    for (size_t i = 0; i < json_array_size(res); i++) {
        json_t *r = json_array_get(res, i);
        if (!json_is_object(r)) {
            return err_set(e, ERR_INVALID, "resolutions",
                           "resolutions 的第 %zu 项应为对象", i + 1);
        }
        const char *sheet = json_string_value(json_object_get(r, "sheet"));
        if (json_integer_value(json_object_get(r, "row")) != row) {
            continue;
        }
        /* rows of several sheets share numbers: a resolution names its
         * sheet, or is for the first sheet */
        if (sheet
                ? !row_of->sheet || strcmp(sheet, row_of->sheet) != 0
                : row_of->sheet && first && strcmp(row_of->sheet, first) != 0) {
            continue;
        }
        if (json_is_true(json_object_get(r, "skip"))) {
            *ent = 0;
        } else if (json_is_integer(json_object_get(r, "enterprise_id")) &&
                   json_integer_value(json_object_get(r, "enterprise_id")) >
                       0) {
            *ent = json_integer_value(json_object_get(r, "enterprise_id"));
        } else {
            char where[QI_WHERE_MAX];
            return err_set(e, ERR_INVALID, "resolutions",
                           "%s的处理应为 enterprise_id 或 skip",
                           qi_where(where, row_of->sheet, row));
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

/* What an apply did, for the report once committed. */
typedef struct QiDone {
    char applied_at[CLOCK_ISO_LEN];
    int64_t inserted, skipped;
} QiDone;

/* Write the rows of the checked list l inside the open transaction, with
 * the audit entry; on success *done has the time and counts. */
static int qi_apply_rows(Db *db, const Actor *a, const QualImportList *l,
                         json_t *resolutions, QiDone *done, Err *e)
{
    char now[CLOCK_ISO_LEN];
    json_t *written = json_array(), *after = NULL;
    int64_t id = l->id;
    QualSource src = {"import", id};
    int64_t inserted = 0, skipped = 0;
    int64_t *wents = NULL, *wrows = NULL, *wids = NULL;
    QualInput *wins = NULL;
    char where[QI_WHERE_MAX];
    size_t n_w = 0, bad = 0, failed = 0, n = l->n;
    int rc = 0, bad_rc = 0, invalid_rc = 0;
    Err invalid;

    err_clear(&invalid);
    wents = xcalloc(n ? n : 1, sizeof *wents);
    wrows = xcalloc(n ? n : 1, sizeof *wrows);
    wids = xcalloc(n ? n : 1, sizeof *wids);
    wins = xcalloc(n ? n : 1, sizeof *wins);
    /* the rows to write, decided in memory; a resolution or an invalid
     * row not skipped stops here */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const QualImportRow *r = &l->rows[i];
        const char *st = r->status ? r->status : "";
        int64_t ent = -1;
        QualInput *in = &wins[n_w];

        rc = resolutions ? qi_resolution(resolutions, l, r, &ent, e) : 0;
        if (rc) {
            break;
        }
        if (strcmp(st, "invalid") == 0 && ent != 0) {
            /* named unless an earlier row fails below */
            invalid_rc = err_set(&invalid, ERR_INVALID, "rows", "%s：%s",
                                 qi_where(where, r->sheet, r->row),
                                 r->message ? r->message : "(null)");
            break;
        }
        if (ent < 0 && strcmp(st, "matched") == 0) {
            ent = r->enterprise_id;
        }
        if (ent <= 0 || strcmp(st, "exists") == 0) {
            skipped++;
            continue;
        }
        qi_input(in, l->kind, r, l->batch);
        wents[n_w] = ent;
        wrows[n_w] = (int64_t)i;
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
            const QualImportRow *fr = &l->rows[wrows[failed]];
            rc = err_set(e, rc, "rows", "%s：%s",
                         qi_where(where, fr->sheet, fr->row), msg);
        }
    }
    if (rc == 0 && bad < n_w) {
        const QualImportRow *br = &l->rows[wrows[bad]];
        rc = err_set(e, bad_rc, "rows", "%s：所选企业不存在或不在本单位范围内",
                     qi_where(where, br->sheet, br->row));
    }
    if (rc == 0 && invalid_rc) {
        *e = invalid;
        rc = invalid_rc;
    }
    for (size_t i = 0; rc == 0 && i < n_w; i++) {
        const QualImportRow *wr = &l->rows[wrows[i]];
        json_t *w =
            json_pack("{sIsIsI}", "row", (json_int_t)wr->row, "enterprise_id",
                      (json_int_t)wents[i], "qual_id", (json_int_t)wids[i]);
        inserted++;
        if (w && wr->sheet) {
            json_object_set_new(w, "sheet", json_string(wr->sheet));
        }
        json_array_append_new(written, w);
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
        after = json_pack("{sIsssIsIsO}", "id", (json_int_t)id, "kind", l->kind,
                          "inserted", (json_int_t)inserted, "skipped",
                          (json_int_t)skipped, "items", written);
        rc = audit_record(db, a, "qual.import", "qual_import", id, NULL, NULL,
                          after, e);
    }
    if (rc == 0) {
        snprintf(done->applied_at, sizeof done->applied_at, "%s", now);
        done->inserted = inserted;
        done->skipped = skipped;
    }
    json_decref(written);
    json_decref(after);
    return rc;
}

/* The checked import imp as JSON (id, kind, batch, rows) as a list
 * whose strings are imp's (imp must outlive it; free with free_view). */
static QualImportList *qi_list_view(json_t *imp)
{
    QualImportList *l = qi_list_new();
    json_t *rows = json_object_get(imp, "rows");

    l->id = json_integer_value(json_object_get(imp, "id"));
    snprintf(l->kind, sizeof l->kind, "%s",
             json_string_value(json_object_get(imp, "kind"))
                 ? json_string_value(json_object_get(imp, "kind"))
                 : "");
    l->batch = json_string_value(json_object_get(imp, "batch"));
    l->n = l->cap = json_array_size(rows);
    l->rows = xcalloc(l->n ? l->n : 1, sizeof *l->rows);
    for (size_t i = 0; i < l->n; i++) {
        json_t *o = json_array_get(rows, i);
        QualImportRow *r = &l->rows[i];

        r->row = json_integer_value(json_object_get(o, "row"));
        r->sheet = json_string_value(json_object_get(o, "sheet"));
        r->cert_no = json_string_value(json_object_get(o, "cert_no"));
        r->date = json_string_value(json_object_get(o, "date"));
        r->batch = json_string_value(json_object_get(o, "batch"));
        r->valid_to = json_string_value(json_object_get(o, "valid_to"));
        r->status = json_string_value(json_object_get(o, "status"));
        r->message = json_string_value(json_object_get(o, "message"));
        r->enterprise_id =
            json_integer_value(json_object_get(o, "enterprise_id"));
    }
    return l;
}

/* After the commit: imp as applied, with done's time and counts. */
static void qi_mark_applied(json_t *imp, const QiDone *done)
{
    json_t *sum = json_object_get(imp, "summary");

    json_object_set_new(imp, "status", json_string("applied"));
    json_object_set_new(imp, "applied_at", json_string(done->applied_at));
    json_object_set_new(sum, "inserted", json_integer(done->inserted));
    json_object_set_new(sum, "skipped", json_integer(done->skipped));
}

int qual_import_apply(Db *db, const Actor *a, int64_t id, json_t *resolutions,
                      json_t **out, Err *e)
{
    char status[16];
    json_t *imp = NULL;
    QualImportList *l = NULL;
    QiDone done = {{0}, 0, 0};
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
        l = qi_list_view(imp);
        rc = qi_apply_rows(db, a, l, resolutions, &done, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    } else {
        qi_mark_applied(imp, &done);
        *out = imp;
        imp = NULL;
    }
    qi_bulk_end(db, bulk);
    qual_import_list_free(l);
    json_decref(imp);
    return rc;
}

/* Apply l (checked: its stored import is checked for scope, kind and
 * status) in one transaction with bulk mode for a long list. */
static int qi_apply_checked(Db *db, const Actor *a, const QualImportList *l,
                            json_t *resolutions, QiDone *done, Err *e)
{
    int rc, bulk = 0;

    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能导入资质名单");
    }
    if (resolutions && !json_is_array(resolutions)) {
        return err_set(e, ERR_INVALID, "resolutions", "resolutions 应为数组");
    }
    qi_bulk_begin(db, l->n, 1, &bulk);
    rc = db_begin(db, e);
    if (rc) {
        qi_bulk_end(db, bulk);
        return rc;
    }
    rc = qi_state(db, a, l->id, l->kind[0] ? l->kind : NULL, e);
    if (rc == 0) {
        rc = qi_apply_rows(db, a, l, resolutions, done, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    qi_bulk_end(db, bulk);
    return rc;
}

int qual_import_apply_checked(Db *db, const Actor *a, json_t *checked,
                              json_t *resolutions, json_t **out, Err *e)
{
    QualImportList *l;
    QiDone done = {{0}, 0, 0};
    int rc;

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
    l = qi_list_view(checked);
    rc = qi_apply_checked(db, a, l, resolutions, &done, e);
    qual_import_list_free(l);
    if (rc == 0) {
        /* the shape qual_import_get gives */
        qi_mark_applied(checked, &done);
        json_object_del(checked, "header_row");
        *out = json_incref(checked);
    }
    return rc;
}

int qual_import_apply_list(Db *db, const Actor *a, QualImportList *l,
                           json_t *resolutions, Err *e)
{
    QiDone done = {{0}, 0, 0};
    int rc = qi_apply_checked(db, a, l, resolutions, &done, e);

    if (rc == 0) {
        l->status = "applied";
        snprintf(l->applied_at, sizeof l->applied_at, "%s", done.applied_at);
        l->inserted = done.inserted;
        l->skipped = done.skipped;
    }
    return rc;
}
