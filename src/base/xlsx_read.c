/* xlsx_read.c - streaming XLSX reader on libzip + expat; see xlsx_read.h.
 *
 * Opening reads the small parts completely (package and workbook
 * relationships, workbook.xml, styles.xml) and the shared-string table into
 * one text buffer. A sheet is parsed by an expat parser that is fed chunks
 * from zip_fread() and suspended (XML_StopParser resumable) at every </row>,
 * so exactly one row is built at a time. Every uncompressed byte is counted
 * against a cap, whatever the zip directory claims, so a zip bomb ends with
 * ERR_TOOBIG. A DOCTYPE is rejected outright (XLSX never has one), which
 * also shuts out entity expansion attacks. */
#include "xlsx_read.h"

#include <expat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "mem.h"

#define XLSX_CHUNK 65536
#define XLSX_MAX_SHEETS 4096
#define XLSX_MAX_RELS 65536
#define XLSX_MAX_XFS 200000
#define XLSX_MAX_NUMFMTS 65536
#define XLSX_MAX_MERGES 1000000
#define XLSX_MAX_FORMULA_BYTES ((size_t)64 * 1024)
/* raw bytes of one string before "_xHHHH_" decoding: 7 bytes per char */
#define XLSX_MAX_RAW_TEXT ((size_t)XLSX_MAX_CELL_CHARS * 7 * 4)
#define XLSX_MAX_ROW_TEXT ((size_t)64 * 1024 * 1024)
/* cell slots materialised over a whole sheet (missing cells in sparse rows
 * count too): bounds the work a sheet of far-right single cells can cause */
#define XLSX_MAX_SHEET_CELLS ((size_t)100 * 1000 * 1000)

#define XLSX_MSG_NOT_XLSX "文件不是有效的 XLSX（Excel 2007 及以上）文件"
#define XLSX_MSG_RESAVE "请用 Excel 打开后另存为 .xlsx 再试"

typedef struct XlsxSheetInfo {
    char *name;
    char *rid;
    char *path;
    int hidden;
} XlsxSheetInfo;

typedef struct XlsxRel {
    char *id;
    char *type;
    char *target;
} XlsxRel;

struct XlsxReader {
    zip_t *zip;
    XlsxOptions opt;
    XlsxSheetInfo *sheets;
    size_t n_sheets;
    int date1904;
    /* shared strings: NUL-terminated items in sst_text */
    Buf sst_text;
    size_t *sst_off;
    size_t *sst_len;
    size_t n_sst;
    size_t sst_cap;
    /* styles: is_date per cellXfs index */
    unsigned char *xf_date;
    size_t n_xf;
};

/* ---- small helpers ------------------------------------------------------ */

/* Common head of every parse context: the parser and a handler error. */
typedef struct XlsxXml {
    XML_Parser p;
    int err;
    Err *e;
} XlsxXml;

static int xml_fail(XlsxXml *x, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Raise an error from inside an expat handler and abort the parse. Only the
 * first error is kept. */
static int xml_fail(XlsxXml *x, int code, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;

    if (x->err) {
        return x->err;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    x->err = code;
    err_set(x->e, code, NULL, "%s", msg);
    XML_StopParser(x->p, XML_FALSE);
    return code;
}

/* Element or attribute name without a namespace prefix. */
static const char *xml_local(const char *name)
{
    const char *c = strrchr(name, ':');

    return c ? c + 1 : name;
}

/* Value of the attribute whose local name is `name`, or NULL. */
static const char *xml_attr(const char **atts, const char *name)
{
    size_t i;

    for (i = 0; atts[i]; i += 2) {
        if (strcmp(xml_local(atts[i]), name) == 0) {
            return atts[i + 1];
        }
    }
    return NULL;
}

/* Parse a non-negative decimal integer that must fit in max. -1 if not. */
static long xml_ulong(const char *s, long max)
{
    long v = 0;

    if (!s || !*s) {
        return -1;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return -1;
        }
        v = v * 10 + (*s - '0');
        if (v > max) {
            return -1;
        }
    }
    return v;
}

static void xml_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                        const XML_Char *pubid, int has_internal)
{
    xml_fail(ud, ERR_INVALID, XLSX_MSG_NOT_XLSX "（含有不允许的 DOCTYPE）");
}

/* A parser with ud as user data and the DOCTYPE guard installed. */
static XML_Parser xml_new(XlsxXml *x, void *ud, XML_StartElementHandler st,
                          XML_EndElementHandler en, XML_CharacterDataHandler ch)
{
    XML_Parser p = XML_ParserCreate(NULL); /* UTF-8 or UTF-16 */

    if (!p) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    XML_SetUserData(p, ud);
    XML_SetElementHandler(p, st, en);
    XML_SetCharacterDataHandler(p, ch);
    XML_SetStartDoctypeDeclHandler(p, xml_doctype);
    x->p = p;
    return p;
}

static int xlsx_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Code unit of "_xHHHH_" at s (n bytes available), or -1. */
static long xlsx_esc_at(const char *s, size_t n)
{
    long v = 0;
    int i;

    if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_') {
        return -1;
    }
    for (i = 2; i < 6; i++) {
        int h = xlsx_hex((unsigned char)s[i]);
        if (h < 0) {
            return -1;
        }
        v = v * 16 + h;
    }
    return v;
}

static size_t xlsx_put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decode OOXML "_xHHHH_" escapes in place (UTF-16 pairs are joined; lone
 * surrogates and U+0000 become U+FFFD). Returns the new length; the output
 * is never longer than the input. */
static size_t xlsx_unescape(char *s, size_t n)
{
    size_t i = 0;
    size_t o = 0;

    if (!memchr(s, '_', n)) {
        return n;
    }
    while (i < n) {
        long cu = s[i] == '_' ? xlsx_esc_at(s + i, n - i) : -1;
        unsigned long cp;

        if (cu < 0) {
            s[o++] = s[i++];
            continue;
        }
        i += 7;
        cp = (unsigned long)cu;
        if (cu >= 0xD800 && cu <= 0xDBFF) {
            long lo = xlsx_esc_at(s + i, n - i);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + (((unsigned long)cu - 0xD800) << 10) +
                     ((unsigned long)lo - 0xDC00);
                i += 7;
            } else {
                cp = 0xFFFD;
            }
        } else if ((cu >= 0xDC00 && cu <= 0xDFFF) || cu == 0) {
            cp = 0xFFFD;
        }
        o += xlsx_put_utf8(s + o, cp);
    }
    s[o] = '\0';
    return o;
}

/* Number of UTF-8 characters in s (continuation bytes are not counted). */
static size_t xlsx_utf8_chars(const char *s, size_t n)
{
    size_t i;
    size_t c = 0;

    for (i = 0; i < n; i++) {
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    }
    return c;
}

void xlsx_col_name(unsigned col, char out[4])
{
    if (col >= XLSX_MAX_COLS) {
        strcpy(out, "?");
    } else if (col < 26) {
        out[0] = (char)('A' + col);
        out[1] = '\0';
    } else if (col < 26 + 26 * 26) {
        out[0] = (char)('A' + (col - 26) / 26);
        out[1] = (char)('A' + (col - 26) % 26);
        out[2] = '\0';
    } else {
        unsigned c = col - 26 - 26 * 26;
        out[0] = (char)('A' + c / 676);
        out[1] = (char)('A' + (c / 26) % 26);
        out[2] = (char)('A' + c % 26);
        out[3] = '\0';
    }
}

int xlsx_ref_parse(const char *ref, unsigned *col, long *row_no)
{
    unsigned long c = 0;
    int letters = 0;
    long r = 0;
    const char *p = ref;

    if (*p == '$') {
        p++;
    }
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
        c = c * 26 + (unsigned long)((*p | 0x20) - 'a' + 1);
        if (++letters > 3) {
            return -1;
        }
        p++;
    }
    if (!letters || c > XLSX_MAX_COLS) {
        return -1;
    }
    if (*p == '$') {
        p++;
    }
    if (*p) {
        r = xml_ulong(p, XLSX_MAX_ROWS);
        if (r < 1) {
            return -1;
        }
    }
    *col = (unsigned)(c - 1);
    *row_no = r;
    return 0;
}

/* ---- zip parts ---------------------------------------------------------- */

/* Index of the entry called name (exact, then ignoring case), or -1. */
static zip_int64_t xlsx_locate(XlsxReader *x, const char *name)
{
    zip_int64_t i = zip_name_locate(x->zip, name, 0);

    if (i < 0) {
        i = zip_name_locate(x->zip, name, ZIP_FL_NOCASE);
    }
    return i;
}

/* Open entry idx for reading after checking its declared size against max
 * and against the inflation ratio. label names the part in messages.
 * *ratio_cap: the bytes it may inflate to by its compressed size (checked
 * again while reading: declared sizes can lie). *out is closed with
 * zip_fclose(). */
static int xlsx_part_open(XlsxReader *x, zip_int64_t idx, size_t max,
                          const char *label, zip_file_t **out,
                          size_t *ratio_cap, Err *e)
{
    zip_stat_t st;

    *out = NULL;
    *ratio_cap = SIZE_MAX;
    zip_stat_init(&st);
    if (zip_stat_index(x->zip, (zip_uint64_t)idx, 0, &st) != 0) {
        return err_set(e, ERR_INVALID, NULL, XLSX_MSG_NOT_XLSX);
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
        st.encryption_method != ZIP_EM_NONE) {
        return err_set(e, ERR_INVALID, NULL, "文件已加密，请先取消密码再导入");
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > max) {
        return err_set(e, ERR_TOOBIG, NULL, "%s过大（解压后超过 %zu MB）",
                       label, max / ((size_t)1024 * 1024));
    }
    if (st.valid & ZIP_STAT_COMP_SIZE) {
        zip_uint64_t lim = st.comp_size * (zip_uint64_t)x->opt.max_ratio;
        if (st.comp_size != 0 && lim / st.comp_size != x->opt.max_ratio) {
            lim = SIZE_MAX; /* overflow: no ratio bound */
        }
        if (lim < XLSX_RATIO_FREE_BYTES) {
            lim = XLSX_RATIO_FREE_BYTES;
        }
        *ratio_cap = lim > SIZE_MAX ? SIZE_MAX : (size_t)lim;
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > *ratio_cap) {
        return err_set(
            e, ERR_TOOBIG, NULL,
            "%s解压后是压缩大小的 %llu 倍（上限 %zu 倍），"
            "文件异常，已拒绝",
            label,
            (unsigned long long)(st.size / (st.comp_size ? st.comp_size : 1)),
            x->opt.max_ratio);
    }
    *out = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
    if (!*out) {
        return err_set(e, ERR_INVALID, NULL, "%s：%s", XLSX_MSG_NOT_XLSX,
                       label);
    }
    return 0;
}

/* Read up to XLSX_CHUNK bytes of f into the parser's buffer and parse them.
 * *total counts uncompressed bytes against max and ratio_cap (the
 * inflation bound of xlsx_part_open). Returns the XML status
 * (XML_STATUS_OK / _SUSPENDED) with *final set when the part ended, or
 * -ERR_* with e filled. */
static int xlsx_feed(XlsxXml *x, zip_file_t *f, size_t *total, size_t max,
                     size_t ratio_cap, size_t ratio, const char *label,
                     int *final, Err *e)
{
    void *buf = XML_GetBuffer(x->p, XLSX_CHUNK);
    zip_int64_t n;
    enum XML_Status st;

    if (!buf) {
        return -err_set(e, ERR_INVALID, NULL, "%s：XML 解析失败", label);
    }
    n = zip_fread(f, buf, XLSX_CHUNK);
    if (n < 0) {
        return -err_set(e, ERR_INVALID, NULL,
                        "文件已损坏（%s无法解压），" XLSX_MSG_RESAVE, label);
    }
    *total += (size_t)n;
    if (*total > max) {
        return -err_set(e, ERR_TOOBIG, NULL, "%s过大（解压后超过 %zu MB）",
                        label, max / ((size_t)1024 * 1024));
    }
    if (*total > ratio_cap) {
        return -err_set(e, ERR_TOOBIG, NULL,
                        "%s解压后超过压缩大小的 %zu 倍，文件异常，已拒绝",
                        label, ratio);
    }
    *final = (n == 0);
    st = XML_ParseBuffer(x->p, (int)n, *final);
    if (st == XML_STATUS_ERROR) {
        if (x->err) {
            return -x->err;
        }
        return -err_set(
            e, ERR_INVALID, NULL,
            "文件已损坏（%s的 XML 第 %lu 行有误），" XLSX_MSG_RESAVE, label,
            (unsigned long)XML_GetCurrentLineNumber(x->p));
    }
    return (int)st;
}

/* Parse the whole part `name` with the handlers. x is the head of ud.
 * Returns 0, ERR_NOTFOUND when the part is absent (e untouched), or ERR_*. */
static int xlsx_parse_part(XlsxReader *r, const char *name, size_t max,
                           const char *label, XlsxXml *x, void *ud,
                           XML_StartElementHandler st, XML_EndElementHandler en,
                           XML_CharacterDataHandler ch, Err *e)
{
    zip_int64_t idx = xlsx_locate(r, name);
    zip_file_t *f = NULL;
    size_t total = 0, ratio_cap = SIZE_MAX;
    int final = 0;
    int rc;

    if (idx < 0) {
        return ERR_NOTFOUND;
    }
    rc = xlsx_part_open(r, idx, max, label, &f, &ratio_cap, e);
    if (rc) {
        goto out;
    }
    x->e = e;
    x->err = 0;
    xml_new(x, ud, st, en, ch);
    while (!final) {
        int s = xlsx_feed(x, f, &total, max, ratio_cap, r->opt.max_ratio, label,
                          &final, e);
        if (s < 0) {
            rc = -s;
            goto out;
        }
    }
    rc = 0;
out:
    if (x->p) {
        XML_ParserFree(x->p);
        x->p = NULL;
    }
    if (f) {
        zip_fclose(f);
    }
    return rc;
}

/* ---- relationships ------------------------------------------------------ */

typedef struct RelsCtx {
    XlsxXml xml;
    XlsxRel *rels;
    size_t n;
    size_t cap;
} RelsCtx;

static void rels_start(void *ud, const char *name, const char **atts)
{
    RelsCtx *c = ud;
    const char *id;
    const char *type;
    const char *target;

    if (strcmp(xml_local(name), "Relationship") != 0) {
        return;
    }
    id = xml_attr(atts, "Id");
    type = xml_attr(atts, "Type");
    target = xml_attr(atts, "Target");
    if (!id || !type || !target) {
        return;
    }
    if (c->n == XLSX_MAX_RELS) {
        xml_fail(&c->xml, ERR_TOOBIG, XLSX_MSG_NOT_XLSX "（关系表过大）");
        return;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->rels = xrealloc(c->rels, c->cap * sizeof *c->rels);
    }
    c->rels[c->n].id = xstrdup(id);
    c->rels[c->n].type = xstrdup(type);
    c->rels[c->n].target = xstrdup(target);
    c->n++;
}

static void rels_free(RelsCtx *c)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        free(c->rels[i].id);
        free(c->rels[i].type);
        free(c->rels[i].target);
    }
    free(c->rels);
    c->rels = NULL;
    c->n = c->cap = 0;
}

/* Target of the first relationship whose type ends in "/suffix". */
static const char *rels_by_type(const RelsCtx *c, const char *suffix)
{
    size_t i;
    size_t sl = strlen(suffix);

    for (i = 0; i < c->n; i++) {
        size_t tl = strlen(c->rels[i].type);
        if (tl > sl && c->rels[i].type[tl - sl - 1] == '/' &&
            strcmp(c->rels[i].type + tl - sl, suffix) == 0) {
            return c->rels[i].target;
        }
    }
    return NULL;
}

static const char *rels_by_id(const RelsCtx *c, const char *id)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        if (strcmp(c->rels[i].id, id) == 0) {
            return c->rels[i].target;
        }
    }
    return NULL;
}

/* Resolve target relative to the folder `base` ("xl/", may be "") into a
 * zip entry name, folding "." and ".." segments. Caller frees. */
static char *xlsx_resolve(const char *base, const char *target)
{
    size_t bl = strlen(base);
    size_t tl = strlen(target);
    char *joined = xmalloc(bl + tl + 1);
    char *out = xmalloc(bl + tl + 1);
    char *seg;
    char *save = NULL;
    size_t o = 0;

    if (target[0] == '/') {
        memcpy(joined, target + 1, tl - 1);
        joined[tl - 1] = '\0';
    } else {
        memcpy(joined, base, bl);
        memcpy(joined + bl, target, tl);
        joined[bl + tl] = '\0';
    }
    for (seg = strtok_r(joined, "/", &save); seg;
         seg = strtok_r(NULL, "/", &save)) {
        if (strcmp(seg, ".") == 0) {
            continue;
        }
        if (strcmp(seg, "..") == 0) {
            while (o > 0 && out[o - 1] != '/') {
                o--;
            }
            if (o > 0) {
                o--;
            }
            while (o > 0 && out[o - 1] != '/') {
                o--;
            }
            continue;
        }
        memcpy(out + o, seg, strlen(seg));
        o += strlen(seg);
        out[o++] = '/';
    }
    if (o > 0) {
        o--; /* drop the trailing '/' */
    }
    out[o] = '\0';
    free(joined);
    return out;
}

/* ---- workbook ----------------------------------------------------------- */

typedef struct WbCtx {
    XlsxXml xml;
    XlsxReader *r;
    size_t cap;
} WbCtx;

static void wb_start(void *ud, const char *name, const char **atts)
{
    WbCtx *c = ud;
    XlsxReader *r = c->r;
    const char *ln = xml_local(name);
    const char *sname;
    const char *rid;
    const char *state;
    const char *d;

    if (strcmp(ln, "workbookPr") == 0) {
        d = xml_attr(atts, "date1904");
        r->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
        return;
    }
    if (strcmp(ln, "sheet") != 0) {
        return;
    }
    sname = xml_attr(atts, "name");
    rid = xml_attr(atts, "id");
    state = xml_attr(atts, "state");
    if (!sname || !rid) {
        xml_fail(&c->xml, ERR_INVALID,
                 XLSX_MSG_NOT_XLSX "（工作表定义不完整）");
        return;
    }
    if (r->n_sheets == XLSX_MAX_SHEETS) {
        xml_fail(&c->xml, ERR_TOOBIG, "工作表超过 %d 个", XLSX_MAX_SHEETS);
        return;
    }
    if (r->n_sheets == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        r->sheets = xrealloc(r->sheets, c->cap * sizeof *r->sheets);
    }
    r->sheets[r->n_sheets].name = xstrdup(sname);
    r->sheets[r->n_sheets].rid = xstrdup(rid);
    r->sheets[r->n_sheets].path = NULL;
    r->sheets[r->n_sheets].hidden = state && strcmp(state, "visible") != 0;
    r->n_sheets++;
}

/* ---- styles ------------------------------------------------------------- */

typedef struct StyleCtx {
    XlsxXml xml;
    XlsxReader *r;
    int in_numfmts;
    int in_cellxfs;
    long *fmt_ids; /* custom formats that are dates */
    size_t n_fmt;
    size_t fmt_cap;
    size_t n_numfmt;
    size_t xf_cap;
} StyleCtx;

/* Built-in number formats that show dates or times, including the East
 * Asian ones (27-36, 50-58) that zh-CN Excel writes without a <numFmt>. */
static int xlsx_builtin_date(long id)
{
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) ||
           (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

/* 1 when a custom format code shows a date or time: it has y m d h s
 * outside "quoted text", [brackets], and \, _ or * escapes. */
static int xlsx_fmt_is_date(const char *code)
{
    const char *p;

    for (p = code; *p; p++) {
        switch (*p) {
        case '"':
            p = strchr(p + 1, '"');
            if (!p) {
                return 0;
            }
            break;
        case '[':
            p = strchr(p + 1, ']');
            if (!p) {
                return 0;
            }
            break;
        case '\\':
        case '_':
        case '*':
            if (!p[1]) {
                return 0;
            }
            p++;
            break;
        case 'y':
        case 'Y':
        case 'm':
        case 'M':
        case 'd':
        case 'D':
        case 'h':
        case 'H':
        case 's':
        case 'S':
            return 1;
        default:
            break;
        }
    }
    return 0;
}

static int style_is_date(const StyleCtx *c, long id)
{
    size_t i;

    if (xlsx_builtin_date(id)) {
        return 1;
    }
    for (i = 0; i < c->n_fmt; i++) {
        if (c->fmt_ids[i] == id) {
            return 1;
        }
    }
    return 0;
}

static void style_start(void *ud, const char *name, const char **atts)
{
    StyleCtx *c = ud;
    XlsxReader *r = c->r;
    const char *ln = xml_local(name);

    if (strcmp(ln, "numFmts") == 0) {
        c->in_numfmts = 1;
    } else if (strcmp(ln, "cellXfs") == 0) {
        c->in_cellxfs = 1;
    } else if (c->in_numfmts && strcmp(ln, "numFmt") == 0) {
        long id = xml_ulong(xml_attr(atts, "numFmtId"), 1000000);
        const char *code = xml_attr(atts, "formatCode");
        if (++c->n_numfmt > XLSX_MAX_NUMFMTS) {
            xml_fail(&c->xml, ERR_TOOBIG, "样式表过大（数字格式过多）");
            return;
        }
        if (id < 0 || !code || !xlsx_fmt_is_date(code)) {
            return;
        }
        if (c->n_fmt == c->fmt_cap) {
            c->fmt_cap = c->fmt_cap ? c->fmt_cap * 2 : 8;
            c->fmt_ids = xrealloc(c->fmt_ids, c->fmt_cap * sizeof *c->fmt_ids);
        }
        c->fmt_ids[c->n_fmt++] = id;
    } else if (c->in_cellxfs && strcmp(ln, "xf") == 0) {
        long id = xml_ulong(xml_attr(atts, "numFmtId"), 1000000);
        if (r->n_xf == XLSX_MAX_XFS) {
            xml_fail(&c->xml, ERR_TOOBIG, "样式表过大（单元格样式过多）");
            return;
        }
        if (r->n_xf == c->xf_cap) {
            c->xf_cap = c->xf_cap ? c->xf_cap * 2 : 64;
            r->xf_date = xrealloc(r->xf_date, c->xf_cap);
        }
        r->xf_date[r->n_xf++] =
            (unsigned char)(id >= 0 && style_is_date(c, id));
    }
}

static void style_end(void *ud, const char *name)
{
    StyleCtx *c = ud;
    const char *ln = xml_local(name);

    if (strcmp(ln, "numFmts") == 0) {
        c->in_numfmts = 0;
    } else if (strcmp(ln, "cellXfs") == 0) {
        c->in_cellxfs = 0;
    }
}

/* ---- shared strings ----------------------------------------------------- */

typedef struct SstCtx {
    XlsxXml xml;
    XlsxReader *r;
    int in_si;
    int in_t;
    int rph; /* depth inside <rPh> (phonetic runs, not shown) */
    size_t start;
    size_t limit;
} SstCtx;

static void sst_start(void *ud, const char *name, const char **atts)
{
    SstCtx *c = ud;
    XlsxReader *r = c->r;
    const char *ln = xml_local(name);

    if (strcmp(ln, "si") == 0) {
        if (r->n_sst == c->limit) {
            xml_fail(&c->xml, ERR_TOOBIG, "共享字符串超过 %zu 个", c->limit);
            return;
        }
        c->in_si = 1;
        c->start = r->sst_text.len;
    } else if (strcmp(ln, "rPh") == 0) {
        c->rph++;
    } else if (c->in_si && !c->rph && strcmp(ln, "t") == 0) {
        c->in_t = 1;
    }
}

static void sst_end(void *ud, const char *name)
{
    SstCtx *c = ud;
    XlsxReader *r = c->r;
    const char *ln = xml_local(name);

    if (strcmp(ln, "t") == 0) {
        c->in_t = 0;
    } else if (strcmp(ln, "rPh") == 0) {
        if (c->rph) {
            c->rph--;
        }
    } else if (strcmp(ln, "si") == 0 && c->in_si) {
        size_t n = r->sst_text.len - c->start;
        c->in_si = 0;
        if (r->sst_text.err) {
            xml_fail(&c->xml, ERR_TOOBIG, "共享字符串表过大（超过 %zu MB）",
                     r->sst_text.max / ((size_t)1024 * 1024));
            return;
        }
        n = xlsx_unescape(r->sst_text.data + c->start, n);
        if (xlsx_utf8_chars(r->sst_text.data + c->start, n) >
            XLSX_MAX_CELL_CHARS) {
            xml_fail(&c->xml, ERR_TOOBIG, "第 %zu 个共享字符串超过 %d 个字符",
                     r->n_sst + 1, XLSX_MAX_CELL_CHARS);
            return;
        }
        r->sst_text.len = c->start + n;
        if (r->n_sst == r->sst_cap) {
            r->sst_cap = r->sst_cap ? r->sst_cap * 2 : 256;
            r->sst_off = xrealloc(r->sst_off, r->sst_cap * sizeof *r->sst_off);
            r->sst_len = xrealloc(r->sst_len, r->sst_cap * sizeof *r->sst_len);
        }
        r->sst_off[r->n_sst] = c->start;
        r->sst_len[r->n_sst] = n;
        r->n_sst++;
        buf_append_char(&r->sst_text, '\0');
    }
}

static void sst_text(void *ud, const char *s, int len)
{
    SstCtx *c = ud;
    XlsxReader *r = c->r;

    if (!c->in_t || c->rph) {
        return;
    }
    if (r->sst_text.len - c->start + (size_t)len > XLSX_MAX_RAW_TEXT) {
        xml_fail(&c->xml, ERR_TOOBIG, "第 %zu 个共享字符串超过 %d 个字符",
                 r->n_sst + 1, XLSX_MAX_CELL_CHARS);
        return;
    }
    if (buf_append(&r->sst_text, s, (size_t)len)) {
        xml_fail(&c->xml, ERR_TOOBIG, "共享字符串表过大（超过 %zu MB）",
                 r->sst_text.max / ((size_t)1024 * 1024));
    }
}

/* ---- opening ------------------------------------------------------------ */

/* Read the package: relationships, workbook, styles, shared strings. */
static int xlsx_load(XlsxReader *r, Err *e)
{
    RelsCtx pkg = {0};
    RelsCtx wbr = {0};
    WbCtx wb = {0};
    StyleCtx sty = {0};
    SstCtx sst = {0};
    const char *t;
    char *wb_path = NULL;
    char *wb_dir = NULL;
    char *rels_path = NULL;
    char *part = NULL;
    const char *slash;
    size_t i;
    int rc;

    rc = xlsx_parse_part(r, "_rels/.rels", r->opt.max_part_bytes, "关系表",
                         &pkg.xml, &pkg, rels_start, NULL, NULL, e);
    if (rc && rc != ERR_NOTFOUND) {
        goto out;
    }
    t = rels_by_type(&pkg, "officeDocument");
    wb_path = xlsx_resolve("", t ? t : "xl/workbook.xml");
    slash = strrchr(wb_path, '/');
    wb_dir = xstrndup(wb_path, slash ? (size_t)(slash - wb_path + 1) : 0);
    rels_path = xmalloc(strlen(wb_path) + 16);
    sprintf(rels_path, "%s_rels/%s.rels", wb_dir, slash ? slash + 1 : wb_path);

    wb.r = r;
    rc = xlsx_parse_part(r, wb_path, r->opt.max_part_bytes, "工作簿", &wb.xml,
                         &wb, wb_start, NULL, NULL, e);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_INVALID, NULL, XLSX_MSG_NOT_XLSX "（缺少工作簿）");
    }
    if (rc) {
        goto out;
    }
    if (r->n_sheets == 0) {
        rc = err_set(e, ERR_INVALID, NULL, "工作簿中没有工作表");
        goto out;
    }
    rc = xlsx_parse_part(r, rels_path, r->opt.max_part_bytes, "关系表",
                         &wbr.xml, &wbr, rels_start, NULL, NULL, e);
    if (rc && rc != ERR_NOTFOUND) {
        goto out;
    }
    for (i = 0; i < r->n_sheets; i++) {
        t = rels_by_id(&wbr, r->sheets[i].rid);
        if (!t) {
            rc = err_set(e, ERR_INVALID, NULL,
                         XLSX_MSG_NOT_XLSX "（找不到工作表“%s”的数据）",
                         r->sheets[i].name);
            goto out;
        }
        r->sheets[i].path = xlsx_resolve(wb_dir, t);
    }

    t = rels_by_type(&wbr, "styles");
    part = xlsx_resolve(wb_dir, t ? t : "styles.xml");
    sty.r = r;
    rc = xlsx_parse_part(r, part, r->opt.max_part_bytes, "样式表", &sty.xml,
                         &sty, style_start, style_end, NULL, e);
    if (rc && rc != ERR_NOTFOUND) {
        goto out;
    }
    free(part);

    t = rels_by_type(&wbr, "sharedStrings");
    part = xlsx_resolve(wb_dir, t ? t : "sharedStrings.xml");
    sst.r = r;
    sst.limit = r->opt.max_sst_count;
    rc = xlsx_parse_part(r, part, r->opt.max_sst_bytes, "共享字符串表",
                         &sst.xml, &sst, sst_start, sst_end, sst_text, e);
    if (rc && rc != ERR_NOTFOUND) {
        goto out;
    }
    rc = 0;
out:
    rels_free(&pkg);
    rels_free(&wbr);
    free(sty.fmt_ids);
    free(wb_path);
    free(wb_dir);
    free(rels_path);
    free(part);
    return rc;
}

/* Take ownership of an opened zip (may be NULL on failure with zerr set),
 * load the package and hand out the reader. */
static int xlsx_open(XlsxReader **out, zip_t *zip, const XlsxOptions *opt,
                     Err *e)
{
    XlsxReader *r;
    int rc;

    r = xcalloc(1, sizeof *r);
    r->zip = zip;
    if (opt) {
        r->opt = *opt;
    }
    if (!r->opt.max_sheet_bytes) {
        r->opt.max_sheet_bytes = XLSX_DEFAULT_MAX_SHEET_BYTES;
    }
    if (!r->opt.max_sst_bytes) {
        r->opt.max_sst_bytes = XLSX_DEFAULT_MAX_SST_BYTES;
    }
    if (!r->opt.max_sst_count) {
        r->opt.max_sst_count = XLSX_DEFAULT_MAX_SST_COUNT;
    }
    if (!r->opt.max_part_bytes) {
        r->opt.max_part_bytes = XLSX_DEFAULT_MAX_PART_BYTES;
    }
    if (!r->opt.max_ratio) {
        r->opt.max_ratio = XLSX_DEFAULT_MAX_RATIO;
    }
    buf_init(&r->sst_text, r->opt.max_sst_bytes);
    rc = xlsx_load(r, e);
    if (rc) {
        xlsx_reader_free(r);
        r = NULL;
    }
    *out = r;
    return rc;
}

/* Check the first bytes: a zip starts with "PK"; an OLE2 file is an old
 * .xls or an encrypted workbook. Returns 0 or ERR_INVALID. */
static int xlsx_sniff(const unsigned char *p, size_t n, Err *e)
{
    static const unsigned char ole[8] = {0xD0, 0xCF, 0x11, 0xE0,
                                         0xA1, 0xB1, 0x1A, 0xE1};

    if (n >= 8 && memcmp(p, ole, 8) == 0) {
        return err_set(e, ERR_INVALID, NULL,
                       "这是旧版 Excel（.xls）文件或已加密的文件，"
                       "请在 Excel 中取消密码并另存为 .xlsx 后再导入");
    }
    if (n < 4 || p[0] != 'P' || p[1] != 'K') {
        return err_set(e, ERR_INVALID, NULL, XLSX_MSG_NOT_XLSX);
    }
    return 0;
}

int xlsx_reader_open_mem(XlsxReader **out, const void *data, size_t len,
                         const XlsxOptions *opt, Err *e)
{
    zip_error_t zerr;
    zip_source_t *src;
    zip_t *zip;
    int rc;

    *out = NULL;
    rc = xlsx_sniff(data, data ? len : 0, e);
    if (rc) {
        return rc;
    }
    zip_error_init(&zerr);
    src = zip_source_buffer_create(data, len, 0, &zerr);
    if (!src) {
        zip_error_fini(&zerr);
        return err_set(e, ERR_INVALID, NULL, XLSX_MSG_NOT_XLSX);
    }
    zip = zip_open_from_source(src, ZIP_RDONLY, &zerr);
    zip_error_fini(&zerr);
    if (!zip) {
        zip_source_free(src);
        return err_set(e, ERR_INVALID, NULL,
                       XLSX_MSG_NOT_XLSX "（文件可能不完整或已损坏）");
    }
    return xlsx_open(out, zip, opt, e);
}

int xlsx_reader_open_file(XlsxReader **out, const char *path,
                          const XlsxOptions *opt, Err *e)
{
    unsigned char head[8];
    size_t n;
    FILE *f;
    zip_t *zip;
    int zerr = 0;
    int rc;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f) {
        return err_set(e, ERR_IO, NULL, "无法打开文件");
    }
    n = fread(head, 1, sizeof head, f);
    fclose(f);
    rc = xlsx_sniff(head, n, e);
    if (rc) {
        return rc;
    }
    zip = zip_open(path, ZIP_RDONLY, &zerr);
    if (!zip) {
        if (zerr == ZIP_ER_OPEN || zerr == ZIP_ER_READ ||
            zerr == ZIP_ER_MEMORY) {
            return err_set(e, ERR_IO, NULL, "无法读取文件");
        }
        return err_set(e, ERR_INVALID, NULL,
                       XLSX_MSG_NOT_XLSX "（文件可能不完整或已损坏）");
    }
    return xlsx_open(out, zip, opt, e);
}

void xlsx_reader_free(XlsxReader *r)
{
    size_t i;

    if (!r) {
        return;
    }
    for (i = 0; i < r->n_sheets; i++) {
        free(r->sheets[i].name);
        free(r->sheets[i].rid);
        free(r->sheets[i].path);
    }
    free(r->sheets);
    buf_release(&r->sst_text);
    free(r->sst_off);
    free(r->sst_len);
    free(r->xf_date);
    if (r->zip) {
        zip_discard(r->zip);
    }
    free(r);
}

size_t xlsx_reader_sheet_count(const XlsxReader *r)
{
    return r->n_sheets;
}

const char *xlsx_reader_sheet_name(const XlsxReader *r, size_t i)
{
    return i < r->n_sheets ? r->sheets[i].name : NULL;
}

int xlsx_reader_sheet_hidden(const XlsxReader *r, size_t i)
{
    return i < r->n_sheets ? r->sheets[i].hidden : 0;
}

int xlsx_reader_date1904(const XlsxReader *r)
{
    return r->date1904;
}

long xlsx_reader_sheet_find(const XlsxReader *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->n_sheets; i++) {
        if (strcmp(r->sheets[i].name, name) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* ---- sheets ------------------------------------------------------------- */

enum { XV_NONE, XV_V, XV_F, XV_IS };
enum { XS_TEXT, XS_SST, XS_STATIC };

/* A cell while its row is built: text lives in the row buffer by offset. */
typedef struct RawCell {
    int type;
    int is_date;
    int is_formula;
    int src; /* XS_*: where value lives */
    size_t off;
    size_t len;
    const char *ptr; /* XS_SST / XS_STATIC */
    size_t f_off;    /* formula text in the row buffer; f_len 0 = none */
    size_t f_len;
} RawCell;

struct XlsxSheet {
    XlsxXml xml;
    XlsxReader *r;
    size_t index;
    const char *name;
    zip_file_t *zf;
    size_t total;
    size_t ratio_cap; /* inflation bound (xlsx_part_open) */
    int final_fed;
    int suspended;
    int done;
    int err;
    Err saved;

    /* the row being built */
    long row_no;
    long last_row_no;
    int in_row;
    int row_ready;
    RawCell *raw;
    XlsxCell *cells;
    size_t cells_cap;
    size_t n_cells;
    size_t slots; /* cell slots used so far in the sheet */
    Buf text;

    /* the cell being built */
    int in_cell;
    unsigned col;
    long next_col;
    char t[12];
    long style;
    int collect; /* XV_* */
    int in_is;
    int rph;
    int have_v;
    int have_f;
    size_t v_off;
    size_t v_len;
    size_t f_off;
    size_t f_len;

    /* merged ranges */
    XlsxMerge *merges;
    size_t n_merges;
    size_t merges_cap;
    int collect_merges;
    int merges_done;
};

static const char *xlsx_sheet_ref(XlsxSheet *s, char *buf, size_t cap)
{
    char cn[4];

    xlsx_col_name(s->col, cn);
    snprintf(buf, cap, "%s%ld", cn, s->row_no);
    return buf;
}

/* Append raw text of the cell being built; enforce the caps. */
static void sheet_put(XlsxSheet *s, const char *p, size_t n)
{
    char ref[16];
    size_t start = s->collect == XV_F ? s->f_off : s->v_off;
    size_t lim =
        s->collect == XV_F ? XLSX_MAX_FORMULA_BYTES : XLSX_MAX_RAW_TEXT;

    if (s->text.len - start + n > lim) {
        xml_fail(&s->xml, ERR_TOOBIG, "工作表“%s”单元格 %s：内容超过 %d 个字符",
                 s->name, xlsx_sheet_ref(s, ref, sizeof ref),
                 XLSX_MAX_CELL_CHARS);
        return;
    }
    if (buf_append(&s->text, p, n)) {
        xml_fail(&s->xml, ERR_TOOBIG, "工作表“%s”第 %ld 行：内容过大", s->name,
                 s->row_no);
    }
}

static void merge_add(XlsxXml *x, XlsxSheet *s, const char *ref)
{
    char a[24];
    const char *colon = strchr(ref, ':');
    XlsxMerge m;
    unsigned c1;
    unsigned c2;
    long r1;
    long r2;
    size_t n = colon ? (size_t)(colon - ref) : strlen(ref);

    if (n >= sizeof a) {
        goto bad;
    }
    memcpy(a, ref, n);
    a[n] = '\0';
    if (xlsx_ref_parse(a, &c1, &r1) || r1 < 1) {
        goto bad;
    }
    c2 = c1;
    r2 = r1;
    if (colon && (xlsx_ref_parse(colon + 1, &c2, &r2) || r2 < 1)) {
        goto bad;
    }
    if (s->n_merges == XLSX_MAX_MERGES) {
        xml_fail(x, ERR_TOOBIG, "工作表“%s”：合并单元格过多", s->name);
        return;
    }
    m.first_row_no = r1 < r2 ? r1 : r2;
    m.last_row_no = r1 < r2 ? r2 : r1;
    m.first_col = c1 < c2 ? c1 : c2;
    m.last_col = c1 < c2 ? c2 : c1;
    if (s->n_merges == s->merges_cap) {
        s->merges_cap = s->merges_cap ? s->merges_cap * 2 : 8;
        s->merges = xrealloc(s->merges, s->merges_cap * sizeof *s->merges);
    }
    s->merges[s->n_merges++] = m;
    return;
bad:
    xml_fail(x, ERR_INVALID, "工作表“%s”：合并单元格范围“%.20s”无效", s->name,
             ref);
}

static void sheet_row_begin(XlsxSheet *s, const char **atts)
{
    const char *rs = xml_attr(atts, "r");
    long rn;

    if (rs) {
        rn = xml_ulong(rs, XLSX_MAX_ROWS);
        if (rn < 1) {
            xml_fail(&s->xml, ERR_INVALID, "工作表“%s”：行号“%.20s”无效",
                     s->name, rs);
            return;
        }
    } else {
        rn = s->last_row_no + 1;
        if (rn > XLSX_MAX_ROWS) {
            xml_fail(&s->xml, ERR_TOOBIG, "工作表“%s”：行数超过 %ld 行",
                     s->name, XLSX_MAX_ROWS);
            return;
        }
    }
    s->row_no = rn;
    s->in_row = 1;
    s->n_cells = 0;
    s->next_col = 0;
    buf_reset(&s->text);
}

static void sheet_cell_begin(XlsxSheet *s, const char **atts)
{
    const char *ref = xml_attr(atts, "r");
    const char *t = xml_attr(atts, "t");
    const char *st = xml_attr(atts, "s");
    char cref[16];
    unsigned col;
    long rn;
    size_t i;

    if (ref) {
        if (xlsx_ref_parse(ref, &col, &rn)) {
            unsigned long c = 0;
            const char *p = ref;
            while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
                c = c * 26 + (unsigned long)((*p | 0x20) - 'a' + 1);
                if (c > XLSX_MAX_COLS) {
                    xml_fail(&s->xml, ERR_TOOBIG,
                             "工作表“%s”单元格 %.20s：超过 %d 列上限", s->name,
                             ref, XLSX_MAX_COLS);
                    return;
                }
                p++;
            }
            xml_fail(&s->xml, ERR_INVALID, "工作表“%s”：单元格引用“%.20s”无效",
                     s->name, ref);
            return;
        }
    } else {
        if (s->next_col >= XLSX_MAX_COLS) {
            xml_fail(&s->xml, ERR_TOOBIG, "工作表“%s”第 %ld 行：超过 %d 列上限",
                     s->name, s->row_no, XLSX_MAX_COLS);
            return;
        }
        col = (unsigned)s->next_col;
    }
    s->col = col;
    s->next_col = (long)col + 1;
    snprintf(s->t, sizeof s->t, "%s", t ? t : "n");
    s->style = st ? xml_ulong(st, 10000000) : 0;
    if (s->style < 0) {
        xml_fail(&s->xml, ERR_INVALID, "工作表“%s”单元格 %s：样式编号无效",
                 s->name, xlsx_sheet_ref(s, cref, sizeof cref));
        return;
    }
    if (col >= s->n_cells) {
        s->slots += (size_t)col + 1 - s->n_cells;
        if (s->slots > XLSX_MAX_SHEET_CELLS) {
            xml_fail(&s->xml, ERR_TOOBIG,
                     "工作表“%s”：单元格过多（超过 %zu 个）", s->name,
                     XLSX_MAX_SHEET_CELLS);
            return;
        }
        if (col >= s->cells_cap) {
            size_t nc = s->cells_cap ? s->cells_cap : 16;
            while (nc <= col) {
                nc *= 2;
            }
            s->raw = xrealloc(s->raw, nc * sizeof *s->raw);
            s->cells = xrealloc(s->cells, nc * sizeof *s->cells);
            s->cells_cap = nc;
        }
        for (i = s->n_cells; i <= col; i++) {
            memset(&s->raw[i], 0, sizeof s->raw[i]);
        }
        s->n_cells = (size_t)col + 1;
    } else {
        memset(&s->raw[col], 0, sizeof s->raw[col]);
    }
    s->in_cell = 1;
    s->have_v = s->have_f = 0;
    s->v_len = 0;
    s->in_is = 0;
    s->rph = 0;
    s->collect = XV_NONE;
    s->f_len = 0;
}

/* Resolve the finished cell's value from its type, <v>, <is> and style. */
static void sheet_cell_end(XlsxSheet *s)
{
    RawCell *c = &s->raw[s->col];
    XlsxReader *r = s->r;
    char ref[16];
    const char *t = s->t;

    s->in_cell = 0;
    c->is_formula = s->have_f;
    c->f_off = s->f_off;
    c->f_len = s->f_len;
    if (!s->have_v) {
        c->type = XLSX_CELL_EMPTY;
        return;
    }
    c->src = XS_TEXT;
    c->off = s->v_off;
    c->len = s->v_len;
    if (strcmp(t, "s") == 0) {
        long k = xml_ulong(s->text.data + s->v_off, 1L << 40);
        if (k < 0 || (size_t)k >= r->n_sst) {
            xml_fail(&s->xml, ERR_INVALID,
                     "工作表“%s”单元格 %s：共享字符串编号无效", s->name,
                     xlsx_sheet_ref(s, ref, sizeof ref));
            return;
        }
        c->type = XLSX_CELL_STRING;
        c->src = XS_SST;
        c->ptr = r->sst_text.data + r->sst_off[k];
        c->len = r->sst_len[k];
    } else if (strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0 ||
               strcmp(t, "d") == 0) {
        c->type = XLSX_CELL_STRING;
        c->is_date = t[0] == 'd';
        c->len = xlsx_unescape(s->text.data + c->off, c->len);
        if (xlsx_utf8_chars(s->text.data + c->off, c->len) >
            XLSX_MAX_CELL_CHARS) {
            xml_fail(&s->xml, ERR_TOOBIG,
                     "工作表“%s”单元格 %s：内容超过 %d 个字符", s->name,
                     xlsx_sheet_ref(s, ref, sizeof ref), XLSX_MAX_CELL_CHARS);
            return;
        }
    } else if (strcmp(t, "b") == 0) {
        c->type = XLSX_CELL_BOOL;
        c->src = XS_STATIC;
        c->ptr = strcmp(s->text.data + c->off, "1") == 0 ? "TRUE" : "FALSE";
        c->len = strlen(c->ptr);
    } else if (strcmp(t, "e") == 0) {
        c->type = XLSX_CELL_ERROR;
    } else {
        /* "n" or unknown: a number, kept as written */
        const char *v = s->text.data + c->off;
        while (c->len && (v[c->len - 1] == ' ' || v[c->len - 1] == '\n' ||
                          v[c->len - 1] == '\r' || v[c->len - 1] == '\t')) {
            c->len--;
        }
        while (c->len &&
               (*v == ' ' || *v == '\n' || *v == '\r' || *v == '\t')) {
            v++;
            c->off++;
            c->len--;
        }
        s->text.data[c->off + c->len] = '\0';
        c->type = c->len ? XLSX_CELL_NUMBER : XLSX_CELL_EMPTY;
        c->is_date =
            c->len && (size_t)s->style < r->n_xf && r->xf_date[s->style];
    }
}

/* Publish the built row into the public cells array. */
static void sheet_row_end(XlsxSheet *s)
{
    size_t i;

    if (s->text.err) {
        xml_fail(&s->xml, ERR_TOOBIG, "工作表“%s”第 %ld 行：内容过大", s->name,
                 s->row_no);
        return;
    }
    for (i = 0; i < s->n_cells; i++) {
        RawCell *rc = &s->raw[i];
        XlsxCell *c = &s->cells[i];
        c->type = rc->type;
        c->is_date = rc->is_date;
        c->is_formula = rc->is_formula;
        c->formula = rc->f_len ? s->text.data + rc->f_off : "";
        if (rc->type == XLSX_CELL_EMPTY) {
            c->value = "";
            c->len = 0;
        } else if (rc->src == XS_TEXT) {
            c->value = s->text.data + rc->off;
            c->len = rc->len;
        } else {
            c->value = rc->ptr;
            c->len = rc->len;
        }
    }
    s->in_row = 0;
    s->last_row_no = s->row_no;
    s->row_ready = 1;
    XML_StopParser(s->xml.p, XML_TRUE);
}

static void sheet_start(void *ud, const char *name, const char **atts)
{
    XlsxSheet *s = ud;
    const char *ln = xml_local(name);

    if (s->in_cell) {
        if (strcmp(ln, "v") == 0) {
            s->collect = XV_V;
            s->have_v = 1;
            s->v_off = s->text.len;
        } else if (strcmp(ln, "f") == 0) {
            s->collect = XV_F;
            s->have_f = 1;
            s->f_off = s->text.len;
        } else if (strcmp(ln, "is") == 0) {
            s->in_is = 1;
            s->have_v = 1;
            s->v_off = s->text.len;
        } else if (strcmp(ln, "rPh") == 0) {
            s->rph++;
        } else if (s->in_is && !s->rph && strcmp(ln, "t") == 0) {
            s->collect = XV_IS;
        }
        return;
    }
    if (strcmp(ln, "c") == 0) {
        if (s->in_row) {
            sheet_cell_begin(s, atts);
        }
    } else if (strcmp(ln, "row") == 0) {
        sheet_row_begin(s, atts);
    } else if (strcmp(ln, "mergeCell") == 0 && s->collect_merges) {
        const char *ref = xml_attr(atts, "ref");
        if (ref) {
            merge_add(&s->xml, s, ref);
        }
    }
}

static void sheet_end(void *ud, const char *name)
{
    XlsxSheet *s = ud;
    const char *ln = xml_local(name);

    if (s->in_cell) {
        if (strcmp(ln, "c") == 0) {
            sheet_cell_end(s);
        } else if (strcmp(ln, "f") == 0 && s->collect == XV_F) {
            s->f_len = s->text.len - s->f_off;
            buf_append_char(&s->text, '\0');
            s->collect = XV_NONE;
        } else if (strcmp(ln, "rPh") == 0) {
            if (s->rph) {
                s->rph--;
            }
        } else if ((strcmp(ln, "is") == 0 && s->in_is) ||
                   (strcmp(ln, "v") == 0 && s->collect == XV_V)) {
            /* every value region ends with its own NUL */
            s->v_len = s->text.len - s->v_off;
            buf_append_char(&s->text, '\0');
            s->in_is = 0;
            s->collect = XV_NONE;
        } else if (strcmp(ln, "t") == 0) {
            s->collect = XV_NONE;
        }
        return;
    }
    if (strcmp(ln, "row") == 0 && s->in_row) {
        sheet_row_end(s);
    }
}

static void sheet_chars(void *ud, const char *p, int len)
{
    XlsxSheet *s = ud;

    if (s->collect != XV_NONE && s->in_cell) {
        sheet_put(s, p, (size_t)len);
    }
}

/* Record a failure of the row stream: sticky copy plus e; returns -code. */
static int sheet_fail(XlsxSheet *s, int code, Err *e)
{
    s->err = code;
    if (e) {
        *e = s->saved;
    }
    return -code;
}

int xlsx_sheet_open(XlsxReader *r, size_t i, XlsxSheet **out, Err *e)
{
    XlsxSheet *s = NULL;
    zip_int64_t idx;
    char label[200];
    int rc = 0;

    *out = NULL;
    if (i >= r->n_sheets) {
        return err_set(e, ERR_NOTFOUND, NULL, "没有第 %zu 个工作表", i + 1);
    }
    idx = xlsx_locate(r, r->sheets[i].path);
    if (idx < 0) {
        return err_set(e, ERR_INVALID, NULL,
                       XLSX_MSG_NOT_XLSX "（缺少工作表“%s”的数据）",
                       r->sheets[i].name);
    }
    s = xcalloc(1, sizeof *s);
    s->r = r;
    s->index = i;
    s->name = r->sheets[i].name;
    s->collect_merges = 1;
    buf_init(&s->text, XLSX_MAX_ROW_TEXT);
    snprintf(label, sizeof label, "工作表“%s”", s->name);
    rc = xlsx_part_open(r, idx, r->opt.max_sheet_bytes, label, &s->zf,
                        &s->ratio_cap, e);
    if (rc) {
        goto out;
    }
    s->xml.e = &s->saved;
    xml_new(&s->xml, s, sheet_start, sheet_end, sheet_chars);
out:
    if (rc) {
        xlsx_sheet_free(s);
        s = NULL;
    }
    *out = s;
    return rc;
}

const char *xlsx_sheet_name(const XlsxSheet *s)
{
    return s->name;
}

int xlsx_sheet_read_row(XlsxSheet *s, XlsxRow *row, Err *e)
{
    char label[200];
    int st;

    memset(row, 0, sizeof *row);
    if (s->err) {
        if (e) {
            *e = s->saved;
        }
        return -s->err;
    }
    if (s->done) {
        return 0;
    }
    s->row_ready = 0;
    snprintf(label, sizeof label, "工作表“%s”", s->name);
    if (s->suspended) {
        s->suspended = 0;
        st = XML_ResumeParser(s->xml.p);
        if (st == XML_STATUS_ERROR) {
            if (!s->xml.err) {
                err_set(
                    &s->saved, ERR_INVALID, NULL,
                    "文件已损坏（%s的 XML 第 %lu 行有误），" XLSX_MSG_RESAVE,
                    label, (unsigned long)XML_GetCurrentLineNumber(s->xml.p));
                return sheet_fail(s, ERR_INVALID, e);
            }
            return sheet_fail(s, s->xml.err, e);
        }
        if (st == XML_STATUS_SUSPENDED) {
            s->suspended = 1;
        } else if (s->final_fed) {
            s->done = 1;
        }
    }
    while (!s->row_ready && !s->done) {
        int final = 0;
        st = xlsx_feed(&s->xml, s->zf, &s->total, s->r->opt.max_sheet_bytes,
                       s->ratio_cap, s->r->opt.max_ratio, label, &final,
                       &s->saved);
        if (st < 0) {
            return sheet_fail(s, -st, e);
        }
        s->final_fed = final;
        if (st == XML_STATUS_SUSPENDED) {
            s->suspended = 1;
        } else if (final) {
            s->done = 1;
        }
    }
    if (s->done && s->collect_merges) {
        s->merges_done = 1;
    }
    if (!s->row_ready) {
        return 0;
    }
    row->row_no = s->row_no;
    row->cells = s->cells;
    row->n_cells = s->n_cells;
    return 1;
}

/* Context of the merges-only pass: its own parser, collecting into s. */
typedef struct MergeCtx {
    XlsxXml xml;
    XlsxSheet *s;
} MergeCtx;

static void merge_start(void *ud, const char *name, const char **atts)
{
    MergeCtx *c = ud;
    const char *ref;

    if (strcmp(xml_local(name), "mergeCell") != 0) {
        return;
    }
    ref = xml_attr(atts, "ref");
    if (ref) {
        merge_add(&c->xml, c->s, ref);
    }
}

int xlsx_sheet_merges(XlsxSheet *s, const XlsxMerge **merges, size_t *n, Err *e)
{
    MergeCtx c = {0};
    char label[200];
    int rc = 0;

    if (!s->merges_done) {
        s->n_merges = 0;
        c.s = s;
        snprintf(label, sizeof label, "工作表“%s”", s->name);
        rc = xlsx_parse_part(s->r, s->r->sheets[s->index].path,
                             s->r->opt.max_sheet_bytes, label, &c.xml, &c,
                             merge_start, NULL, NULL, e);
        if (rc) {
            s->n_merges = 0;
            goto out;
        }
        s->merges_done = 1;
        s->collect_merges = 0;
    }
out:
    *merges = s->merges;
    *n = s->n_merges;
    return rc;
}

void xlsx_sheet_free(XlsxSheet *s)
{
    if (!s) {
        return;
    }
    if (s->xml.p) {
        XML_ParserFree(s->xml.p);
    }
    if (s->zf) {
        zip_fclose(s->zf);
    }
    free(s->raw);
    free(s->cells);
    free(s->merges);
    buf_release(&s->text);
    free(s);
}

/* ---- numbers ------------------------------------------------------------ */

int xlsx_num_round(const char *text, unsigned decimals, Buf *out, Err *e)
{
    char m[72]; /* significant digits, leading zeros dropped */
    long nm = 0;
    long p = 0; /* value = 0.m * 10^p */
    long total;
    long lead;
    long i;
    long ip;
    long last;
    int neg = 0;
    int digits = 0;
    int dot = 0;
    int carry;
    char w[128] = {0};
    char res[136];
    size_t rn = 0;
    const char *s = text;

    while (*s == ' ') {
        s++;
    }
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    for (; (*s >= '0' && *s <= '9') || (*s == '.' && !dot); s++) {
        if (*s == '.') {
            dot = 1;
            continue;
        }
        digits++;
        if (nm == 0 && *s == '0') {
            p -= dot; /* a zero after the point moves the value down */
            continue;
        }
        if (nm < (long)sizeof m) {
            m[nm++] = *s;
        }
        p += !dot; /* a digit before the point moves the value up */
    }
    if (!digits) {
        return err_set(e, ERR_INVALID, NULL, "不是有效的数字");
    }
    if (*s == 'e' || *s == 'E') {
        long x = 0;
        int xneg = 0;
        s++;
        if (*s == '-' || *s == '+') {
            xneg = *s == '-';
            s++;
        }
        if (*s < '0' || *s > '9') {
            return err_set(e, ERR_INVALID, NULL, "不是有效的数字");
        }
        for (; *s >= '0' && *s <= '9'; s++) {
            if (x < 100000) {
                x = x * 10 + (*s - '0');
            }
        }
        p += xneg ? -x : x;
    }
    while (*s == ' ') {
        s++;
    }
    if (*s) {
        return err_set(e, ERR_INVALID, NULL, "不是有效的数字");
    }
    if (nm == 0) {
        p = 0;
    }
    if (p > 40 || decimals > 40) {
        return err_set(e, ERR_TOOBIG, NULL, "数字过大");
    }
    if (p + (long)decimals < 0) {
        return buf_append_str(out, "0") ? out->err : 0;
    }
    /* w holds the digits from 10^(max(p,1)-1) down to 10^-decimals; digit
     * w[i] is m[i - lead] */
    ip = p > 0 ? p : 1;
    lead = ip - p;
    total = ip + (long)decimals;
    for (i = 0; i < total; i++) {
        long k = i - lead;
        w[i] = (k >= 0 && k < nm) ? m[k] : '0';
    }
    carry = (total - lead >= 0 && total - lead < nm && m[total - lead] >= '5');
    for (i = total - 1; i >= 0 && carry; i--) {
        if (w[i] == '9') {
            w[i] = '0';
        } else {
            w[i]++;
            carry = 0;
        }
    }
    last = total;
    while (last > ip && w[last - 1] == '0') {
        last--;
    }
    i = 0;
    while (!carry && i < ip - 1 && w[i] == '0') {
        i++;
    }
    if (neg && (carry || last > ip || i < ip - 1 || w[i] != '0')) {
        res[rn++] = '-';
    }
    if (carry) {
        res[rn++] = '1';
    }
    for (; i < ip; i++) {
        res[rn++] = w[i];
    }
    if (last > ip) {
        res[rn++] = '.';
        for (i = ip; i < last; i++) {
            res[rn++] = w[i];
        }
    }
    res[rn] = '\0';
    return buf_append_str(out, res) ? out->err : 0;
}
