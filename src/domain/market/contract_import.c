/* contract_import.c - import of registration-office exports (see
 * contract_import.h). */
#include "domain/market/contract_import.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/money.h"
#include "base/utf8.h"
#include "db/bulk.h"
#include "domain/accounts/audit.h"
#include "domain/io/import.h"
#include "domain/market/contract.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Logical columns. */
enum {
    CI_REG_NO = 0,
    CI_TITLE,
    CI_TYPE,
    CI_SUBTYPE,
    CI_LEGACY,
    CI_S_USCC,
    CI_S_NAME,
    CI_S_REGION,
    CI_S_PLACE,
    CI_B_USCC,
    CI_B_NAME,
    CI_B_REGION,
    CI_B_PLACE,
    CI_AMOUNT,
    CI_TECH,
    CI_SIGNED,
    CI_REGISTERED,
    CI_VFROM,
    CI_VTO,
    CI_FIELD,
    CI_IP,
    CI_OFFICE,
    CI_STATUS,
    CI_UNIT,
    CI_N
};

/* Column titles as the export writes them, then variants seen in office
 * exports (without unit suffixes; those are read separately). */
static const struct {
    const char *key;
    const char *titles[5];
} ci_cols[CI_N] = {
    {"reg_no", {"登记编号", "合同登记编号", "登记号", "合同登记号", NULL}},
    {"title", {"合同名称", "项目名称", NULL}},
    {"type", {"合同类别", "合同类型", "技术合同类别", NULL}},
    {"subtype", {"合同子类", "子类", NULL}},
    {"legacy_type", {"2021年前类别", "原合同类别", NULL}},
    {"seller_uscc",
     {"卖方统一社会信用代码", "卖方信用代码", "卖方社会信用代码", NULL}},
    {"seller_name", {"卖方名称", "卖方", "技术卖方", "卖方单位名称", NULL}},
    {"seller_region", {"卖方地区代码", "卖方所在地区代码", NULL}},
    {"seller_place", {"卖方所在地", NULL}},
    {"buyer_uscc",
     {"买方统一社会信用代码", "买方信用代码", "买方社会信用代码", NULL}},
    {"buyer_name", {"买方名称", "买方", "技术买方", "买方单位名称", NULL}},
    {"buyer_region", {"买方地区代码", "买方所在地区代码", NULL}},
    {"buyer_place", {"买方所在地", NULL}},
    {"amount_wan", {"合同成交额", "成交额", "合同金额", "合同交易总额", NULL}},
    {"tech_amount_wan", {"技术交易额", "技术性收入", NULL}},
    {"signed_on", {"签订日期", "合同签订日期", "签约日期", NULL}},
    {"registered_on", {"登记日期", "认定登记日期", NULL}},
    {"valid_from", {"有效期起", "合同有效期起", NULL}},
    {"valid_to", {"有效期止", "合同有效期止", NULL}},
    {"field", {"技术领域", NULL}},
    {"ip_kind", {"涉及知识产权", "知识产权类型", NULL}},
    {"office", {"登记机构", "登记机构名称", NULL}},
    {"status", {"状态", "登记状态", NULL}},
    {"unit_name", {"所属单位", NULL}},
};

/* Amount unit of a column title: 10000 (万元), 1 (元) or 0 (none). */
static int ci_unit_of(const char *t)
{
    if (strstr(t, "万元")) {
        return 10000;
    }
    if (strstr(t, "（元）") || strstr(t, "(元)") || strstr(t, "元）") ||
        strstr(t, "元)")) {
        return 1;
    }
    return 0;
}

/* Title without spaces, a "*" marker and a bracketed unit suffix, into
 * out. */
static void ci_clean_title(const char *t, char *out, size_t cap)
{
    size_t j = 0;
    const char *p;

    for (p = t; *p && j + 1 < cap; p++) {
        if (*p == ' ' || *p == '\t' || *p == '*' || *p == '\r' || *p == '\n') {
            continue;
        }
        if (*p == '(' || strncmp(p, "（", 3) == 0) {
            break;
        }
        out[j++] = *p;
    }
    out[j] = '\0';
}

static int ci_col_of(const char *title)
{
    char t[256];
    int i, k;

    ci_clean_title(title, t, sizeof t);
    if (!t[0]) {
        return -1;
    }
    for (i = 0; i < CI_N; i++) {
        for (k = 0; k < 5 && ci_cols[i].titles[k]; k++) {
            if (strcmp(t, ci_cols[i].titles[k]) == 0) {
                return i;
            }
        }
    }
    return -1;
}

/* The registration numbers of the file so far, each with its first row
 * and a 64-bit FNV-1a hash of the row's content: an open-addressing table
 * of fixed-size slots, the numbers in an arena (about 40 bytes a row, not
 * a JSON object with the row's text). Two rows of one number whose
 * contents differ but hash alike would be taken as the same row: a chance
 * of 2^-64 for each repeated number. */
typedef struct CiSeenSlot {
    const char *reg_no; /* NULL: empty */
    uint64_t sig;
    long row;
} CiSeenSlot;

typedef struct CiSeen {
    CiSeenSlot *v;
    size_t cap, n; /* cap a power of two */
    Arena names;
} CiSeen;

#define CI_FNV_OFFSET 14695981039346656037ULL
#define CI_FNV_PRIME 1099511628211ULL

static uint64_t ci_fnv(uint64_t h, const char *p)
{
    for (; p && *p; p++) {
        h ^= (uint64_t)(unsigned char)*p;
        h *= CI_FNV_PRIME;
    }
    return h;
}

/* The slot of reg_no: its entry, or the empty slot where it goes. */
static CiSeenSlot *ci_seen_slot(CiSeenSlot *v, size_t cap, const char *reg_no)
{
    size_t i = (size_t)ci_fnv(CI_FNV_OFFSET, reg_no) & (cap - 1);

    while (v[i].reg_no && strcmp(v[i].reg_no, reg_no) != 0) {
        i = (i + 1) & (cap - 1);
    }
    return &v[i];
}

/* Room for one more entry (load at most one half). */
static void ci_seen_reserve(CiSeen *m)
{
    CiSeenSlot *nv;
    size_t i, cap;

    if (2 * (m->n + 1) <= m->cap) {
        return;
    }
    cap = m->cap ? 2 * m->cap : 1024;
    nv = xcalloc(cap, sizeof *nv);
    for (i = 0; i < m->cap; i++) {
        if (m->v[i].reg_no) {
            *ci_seen_slot(nv, cap, m->v[i].reg_no) = m->v[i];
        }
    }
    free(m->v);
    m->v = nv;
    m->cap = cap;
}

typedef struct CiState {
    Db *db;
    const Actor *a;
    const ContractImportOpts *o;
    int64_t import_id;
    long header_row;
    int map[IMPORT_FILE_ROW_CELLS]; /* file column -> CI_* or -1 */
    int unit_amount, unit_tech;     /* 10000 or 1 */
    int after_totals;
    int fatal;
    Err fatal_err;
    CiSeen seen; /* registration numbers of the file so far */
    json_t *errors, *warnings, *ignored;
    int64_t rows, valid, invalid, inserted, amended, unchanged, ignored_rows;
    int64_t errors_total;
    /* a savepoint around each row's writes: needed where a refused row
     * must be undone while the import goes on and commits (valid rows
     * only), and on PostgreSQL, whose transaction is unusable after a
     * failed statement. Elsewhere (SQLite, all or nothing, dry run) a
     * refused row means nothing is applied: no savepoint (two statements
     * a row saved) */
    int savepoints;
    ContractMemo *memo; /* party matches and unit paths looked up */
} CiState;

static void ci_error(CiState *s, long row, int col, const char *msg)
{
    s->errors_total++;
    if (json_array_size(s->errors) >= CONTRACT_IMPORT_ERRORS_KEPT) {
        return;
    }
    json_array_append_new(
        s->errors, json_pack("{sIssssss}", "row", (json_int_t)row, "column",
                             col >= 0 ? ci_cols[col].titles[0] : "", "field",
                             col >= 0 ? ci_cols[col].key : "", "message", msg));
}

/* The column of an Err field set by contract_check. */
static int ci_col_of_field(const char *field)
{
    int i;

    for (i = 0; i < CI_N; i++) {
        if (strcmp(field, ci_cols[i].key) == 0) {
            return i;
        }
    }
    if (strcmp(field, "seller_place") == 0) {
        return CI_S_PLACE;
    }
    return -1;
}

static int ci_is_totals(const char *const *cells, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (cells[i] && (strstr(cells[i], "合计") || strstr(cells[i], "总计") ||
                         strstr(cells[i], "小计"))) {
            return 1;
        }
    }
    return 0;
}

static int ci_blank(const char *const *cells, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const char *p = cells[i];
        while (p && (*p == ' ' || *p == '\t')) {
            p++;
        }
        if (p && *p) {
            return 0;
        }
    }
    return 1;
}

/* Try row as the header: map its columns; 1 when it is one. */
static int ci_header(CiState *s, const char *const *cells, size_t n)
{
    int map[IMPORT_FILE_ROW_CELLS];
    int found = 0, has_reg = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        map[i] = cells[i] ? ci_col_of(cells[i]) : -1;
        if (map[i] >= 0) {
            found++;
            has_reg |= map[i] == CI_REG_NO;
        }
    }
    if (!has_reg || found < 4) {
        return 0;
    }
    memcpy(s->map, map, sizeof map);
    for (i = n; i < IMPORT_FILE_ROW_CELLS; i++) {
        s->map[i] = -1;
    }
    s->unit_amount = s->unit_tech = 0;
    for (i = 0; i < n; i++) {
        if (map[i] < 0) {
            if (cells[i] && *cells[i]) {
                json_array_append_new(s->ignored, json_string(cells[i]));
            }
            continue;
        }
        if (map[i] == CI_AMOUNT) {
            s->unit_amount = ci_unit_of(cells[i]);
        } else if (map[i] == CI_TECH) {
            s->unit_tech = ci_unit_of(cells[i]);
        }
    }
    if (!s->unit_amount || !s->unit_tech) {
        json_array_append_new(
            s->warnings, json_pack("{sssIssss}", "code", "amount_unit", "row",
                                   (json_int_t)0, "reg_no", "", "message",
                                   "金额列标题未注明单位，按万元读取"));
    }
    if (!s->unit_amount) {
        s->unit_amount = 10000;
    }
    if (!s->unit_tech) {
        s->unit_tech = s->unit_amount;
    }
    return 1;
}

static int ci_money(const char *t, int unit, int64_t *out, const char *field,
                    Err *e)
{
    return unit == 1 ? money_parse_yuan(t, out, 1, field, e)
                     : money_parse_wan(t, out, 1, field, e);
}

/* Trimmed copy (malloc'd) of cell i; NULL when empty or absent. */
static char *ci_cell(const char *const *cells, size_t n, size_t i)
{
    const char *p, *q;

    if (i >= n || !cells[i]) {
        return NULL;
    }
    p = cells[i];
    for (;;) {
        if (*p == ' ' || *p == '\t') {
            p++;
        } else if (strncmp(p, "\xe3\x80\x80", 3) == 0) {
            p += 3;
        } else {
            break;
        }
    }
    q = p + strlen(p);
    while (q > p &&
           (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r' || q[-1] == '\n')) {
        q--;
    }
    if (q == p) {
        return NULL;
    }
    return xstrndup(p, (size_t)(q - p));
}

/* One data row. */
static int ci_row(CiState *s, long row, const char *const *cells, size_t n)
{
    char *v[CI_N];
    ContractInput in;
    ContractRec r;
    Err e;
    int col, rc, outcome = 0;
    size_t i;
    int64_t amount = 0, tech = 0;

    for (col = 0; col < CI_N; col++) {
        v[col] = NULL;
    }
    for (i = 0; i < n && i < IMPORT_FILE_ROW_CELLS; i++) {
        if (s->map[i] >= 0 && !v[s->map[i]]) {
            v[s->map[i]] = ci_cell(cells, n, i);
        }
    }
    if (s->after_totals) {
        s->ignored_rows++; /* notes below the totals */
        goto done;
    }
    if ((!v[CI_REG_NO] ||
         ci_is_totals((const char *const *)&v[CI_REG_NO], 1)) &&
        ci_is_totals(cells, n)) {
        s->after_totals = 1;
        s->ignored_rows++;
        goto done;
    }
    {
        /* a note: one cell of text that is no registration number */
        char reg[CONTRACT_REGNO_MAX + 1];
        int filled = 0;
        for (col = 0; col < CI_N; col++) {
            filled += v[col] != NULL;
        }
        if (filled == 1 && v[CI_REG_NO] &&
            contract_regno_check(v[CI_REG_NO], reg, NULL) != 0) {
            s->ignored_rows++;
            goto done;
        }
    }
    s->rows++;
    if (s->rows > CONTRACT_IMPORT_ROWS_MAX) {
        s->fatal = 1;
        err_set(&s->fatal_err, ERR_TOOBIG, "file",
                "文件超过 %ld 行合同，请分批导入", CONTRACT_IMPORT_ROWS_MAX);
        goto done;
    }
    memset(&in, 0, sizeof in);
    err_clear(&e);
    in.reg_no = v[CI_REG_NO];
    in.title = v[CI_TITLE];
    in.type = v[CI_TYPE];
    in.subtype = v[CI_SUBTYPE];
    in.legacy_type = v[CI_LEGACY];
    in.seller_uscc = v[CI_S_USCC];
    in.seller_name = v[CI_S_NAME];
    in.seller_region = v[CI_S_REGION];
    in.seller_place = v[CI_S_PLACE];
    in.buyer_uscc = v[CI_B_USCC];
    in.buyer_name = v[CI_B_NAME];
    in.buyer_region = v[CI_B_REGION];
    in.buyer_place = v[CI_B_PLACE];
    in.signed_on = v[CI_SIGNED];
    in.registered_on = v[CI_REGISTERED];
    in.valid_from = v[CI_VFROM];
    in.valid_to = v[CI_VTO];
    in.ip_kind = v[CI_IP];
    in.office = v[CI_OFFICE];
    in.confirm_large = s->o->confirm_large;
    in.rejected = v[CI_STATUS] && strcmp(v[CI_STATUS], "未予登记") == 0;
    if (v[CI_AMOUNT]) {
        rc = ci_money(v[CI_AMOUNT], s->unit_amount, &amount, "amount_wan", &e);
        if (rc) {
            ci_error(s, row, CI_AMOUNT, e.msg);
            goto invalid;
        }
        in.has_amount = 1;
        in.amount = amount;
    }
    if (v[CI_TECH]) {
        rc = ci_money(v[CI_TECH], s->unit_tech, &tech, "tech_amount_wan", &e);
        if (rc) {
            ci_error(s, row, CI_TECH, e.msg);
            goto invalid;
        }
        in.has_tech_amount = 1;
        in.tech_amount = tech;
    }
    if (v[CI_FIELD]) {
        in.field = contract_field_code(v[CI_FIELD]);
        if (!in.field) {
            ci_error(s, row, CI_FIELD, "未知的技术领域");
            goto invalid;
        }
    }
    rc = contract_check(&in, &r, &e);
    if (rc) {
        int c = ci_col_of_field(e.field);
        if (c < 0 && strcmp(e.field, "legacy_type") == 0) {
            c = CI_LEGACY;
        }
        ci_error(s, row, c, e.msg);
        if (in.has_amount && in.amount > CONTRACT_LARGE_YUAN &&
            !in.confirm_large) {
            json_array_append_new(
                s->warnings,
                json_pack("{sssIssss}", "code", "large", "row", (json_int_t)row,
                          "reg_no", r.reg_no, "message",
                          "合同成交额超过 10 亿元，需确认后导入"));
        }
        goto invalid;
    }
    if (r.large) {
        json_array_append_new(s->warnings,
                              json_pack("{sssIssss}", "code", "large", "row",
                                        (json_int_t)row, "reg_no", r.reg_no,
                                        "message",
                                        "合同成交额超过 10 亿元（已确认）"));
    }
    /* the same number twice in the file */
    {
        CiSeenSlot *prev;
        uint64_t sig = CI_FNV_OFFSET;
        for (col = 0; col < CI_N; col++) {
            if (col != CI_STATUS && col != CI_UNIT) {
                sig = ci_fnv(sig, v[col]);
                sig = ci_fnv(sig, "\x1f");
            }
        }
        ci_seen_reserve(&s->seen);
        prev = ci_seen_slot(s->seen.v, s->seen.cap, r.reg_no);
        if (prev->reg_no) {
            if (prev->sig == sig) {
                s->valid++;
                s->unchanged++;
                goto done;
            }
            snprintf(e.msg, sizeof e.msg,
                     "登记编号 %s 与第 %ld 行重复，但内容不同", r.reg_no,
                     prev->row);
            ci_error(s, row, CI_REG_NO, e.msg);
            goto invalid;
        }
        prev->reg_no = arena_strdup(&s->seen.names, r.reg_no);
        if (!prev->reg_no) {
            s->fatal = 1;
            err_set(&s->fatal_err, ERR_TOOBIG, "file",
                    "文件中的登记编号过多，请分批导入");
            goto done;
        }
        prev->sig = sig;
        prev->row = row;
        s->seen.n++;
    }
    /* a refused row is undone and skipped while the import goes on: on
     * PostgreSQL only a savepoint keeps the transaction usable after a
     * statement failed */
    rc = s->savepoints ? db_savepoint(s->db, &e) : 0;
    if (rc == 0) {
        rc = contract_upsert_memo(s->db, s->a, &r, s->import_id, s->memo,
                                  &outcome, &e);
        if (rc == 0 && s->savepoints) {
            rc = db_savepoint_release(s->db, &e);
        } else if (s->savepoints && (rc == ERR_INVALID || rc == ERR_CONFLICT ||
                                     rc == ERR_FORBIDDEN)) {
            Err se;
            err_clear(&se);
            if (db_savepoint_rollback(s->db, &se) != 0) {
                rc = se.code;
                e = se;
            }
        }
    }
    if (rc == ERR_INVALID || rc == ERR_CONFLICT || rc == ERR_FORBIDDEN) {
        int c = ci_col_of_field(e.field);
        ci_error(s, row, c, e.msg);
        goto invalid;
    }
    if (rc) {
        s->fatal = 1;
        s->fatal_err = e;
        goto done;
    }
    s->valid++;
    if (outcome == 1) {
        s->inserted++;
    } else if (outcome == 2) {
        s->amended++;
    } else {
        s->unchanged++;
    }
    goto done;
invalid:
    s->invalid++;
done:
    for (col = 0; col < CI_N; col++) {
        free(v[col]);
    }
    return 0;
}

static int ci_each(void *ud, long row, const char *const *cells, size_t n,
                   Err *e)
{
    CiState *s = ud;

    if (s->fatal) {
        return 0;
    }
    if (!s->header_row) {
        if (row > CONTRACT_IMPORT_HEADER_SCAN) {
            return err_set(e, ERR_INVALID, "file",
                           "前 %d 行中没有找到表头（应包含“登记编号”“合同名称”"
                           "“卖方名称”“合同成交额”等列）",
                           CONTRACT_IMPORT_HEADER_SCAN);
        }
        if (ci_header(s, cells, n)) {
            s->header_row = row;
        }
        return 0;
    }
    if (ci_blank(cells, n)) {
        return 0;
    }
    return ci_row(s, row, cells, n);
}

/* Columns the import needs. */
static int ci_required(const CiState *s, Err *e)
{
    static const int need[] = {CI_REG_NO, CI_TITLE,  CI_TYPE,   CI_S_NAME,
                               CI_B_NAME, CI_AMOUNT, CI_SIGNED, CI_REGISTERED};
    size_t i, j;

    for (i = 0; i < N_OF(need); i++) {
        int have = 0;
        for (j = 0; j < IMPORT_FILE_ROW_CELLS; j++) {
            have |= s->map[j] == need[i];
        }
        for (j = 0; need[i] == CI_TYPE && j < IMPORT_FILE_ROW_CELLS; j++) {
            have |= s->map[j] == CI_LEGACY;
        }
        if (!have) {
            return err_set(e, ERR_INVALID, "file", "缺少必需的列“%s”",
                           ci_cols[need[i]].titles[0]);
        }
    }
    return 0;
}

/* A file that brings about as many rows as contracts holds is written in
 * bulk mode (db/bulk.h, SQLite): the table's secondary indexes are dropped
 * inside the transaction and rebuilt before the commit, one sort each
 * instead of a B-tree descent per row and index (100k rows: 5.9 s → 3.8 s
 * of CPU, bench/README.md). The import itself reads contracts only by id
 * and by the UNIQUE registration number, whose index stays. Rows are
 * estimated from the file's size (an XLSX file is compressed: fewer rows
 * estimated, never more). */
#define CI_BULK_MIN_BYTES (2L << 20)
#define CI_BULK_ROW_BYTES 150

static int ci_bulk_begin(Db *db, const char *path, Bulk **b, Err *e)
{
    struct stat st;
    int64_t n = 0;
    int rc;

    *b = NULL;
    if (stat(path, &st) != 0 || st.st_size < CI_BULK_MIN_BYTES) {
        return 0;
    }
    rc = db_query_int64(db, &n, e, "SELECT COUNT(*) FROM contracts", "");
    if (rc || n > (int64_t)(st.st_size / CI_BULK_ROW_BYTES)) {
        return rc;
    }
    return bulk_begin(db, "contracts", NULL, NULL, b, e);
}

int contract_import_file(Db *db, const Actor *a, const char *path,
                         const ContractImportOpts *o, json_t **report, Err *e)
{
    Bulk *bulk = NULL;
    char now[CLOCK_ISO_LEN];
    json_t *summary = NULL;
    CiState s;
    int rc;

    *report = NULL;
    memset(&s, 0, sizeof s);
    s.db = db;
    s.a = a;
    s.o = o;
    arena_init(&s.seen.names, 0);
    s.errors = json_array();
    s.warnings = json_array();
    s.ignored = json_array();
    s.savepoints = db_is_postgres(db) || (o->apply && o->valid_only);
    s.memo = contract_memo_new();
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    /* SQLite: a larger page cache for this connection (the inserts touch
     * the pages of many indexes; fewer spills and checkpoints) */
    db_tune(db, DB_TUNE_BULK_WRITE, NULL);
    clock_now_iso(now, 0);
    rc = db_query_int64(db, &s.import_id, e,
                        "INSERT INTO contract_imports (file_name, mode, "
                        "user_id, unit_path, at) VALUES ($1, $2, $3, $4, $5) "
                        "RETURNING id",
                        "ttptt", o->file_name ? o->file_name : "",
                        o->valid_only ? "valid" : "all",
                        a->user_id > 0 ? &a->user_id : NULL, a->unit_path, now);
    if (rc == 0) {
        rc = ci_bulk_begin(db, path, &bulk, e);
    }
    if (rc) {
        goto out;
    }
    rc = import_file_rows(path, 0, NULL, 0, ci_each, &s, e);
    if (rc == 0 && !s.header_row) {
        rc = err_set(e, ERR_INVALID, "file",
                     "没有找到表头（应包含“登记编号”“合同名称”“卖方名称”"
                     "“合同成交额”等列）");
    }
    if (rc == 0 && s.fatal) {
        *e = s.fatal_err;
        rc = s.fatal_err.code ? s.fatal_err.code : ERR_DB;
    }
    if (rc == 0) {
        rc = ci_required(&s, e);
    }
    if (rc) {
        goto out;
    }
    summary = json_pack(
        "{sIsIsIsIsIsIsI}", "rows", (json_int_t)s.rows, "valid",
        (json_int_t)s.valid, "invalid", (json_int_t)s.invalid, "inserted",
        (json_int_t)s.inserted, "amended", (json_int_t)s.amended, "unchanged",
        (json_int_t)s.unchanged, "ignored", (json_int_t)s.ignored_rows);
    {
        int apply = o->apply && (o->valid_only || s.invalid == 0);
        *report = json_pack("{sOsOsIsOsIsssOsbsI}", "summary", summary,
                            "errors", s.errors, "errors_total",
                            (json_int_t)s.errors_total, "warnings", s.warnings,
                            "header_row", (json_int_t)s.header_row,
                            "amount_unit", s.unit_amount == 1 ? "元" : "万元",
                            "ignored_columns", s.ignored, "applied", apply,
                            "import_id", (json_int_t)(apply ? s.import_id : 0));
        if (!apply) {
            db_rollback(db);
            if (o->apply) {
                rc = err_set(e, ERR_INVALID, "file",
                             "有 %lld 行数据有误，未导入任何数据；请修改后重新"
                             "导入，或选择只导入有效行",
                             (long long)s.invalid);
            }
            goto out;
        }
    }
    {
        char *sj = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
        rc = db_exec_v(db, e,
                       "UPDATE contract_imports SET summary_json = $2 WHERE "
                       "id = $1",
                       "it", s.import_id, sj);
        free(sj);
    }
    if (rc == 0) {
        json_t *after =
            json_pack("{sssO}", "file_name", o->file_name ? o->file_name : "",
                      "summary", summary);
        rc = audit_record(db, a, "contract.import", "contract", s.import_id,
                          NULL, NULL, after, e);
        json_decref(after);
    }
    if (rc == 0) {
        rc = bulk_end(db, bulk, e);
        bulk = NULL;
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    bulk_free(bulk);
    if (db_in_tx(db)) {
        db_rollback(db);
    }
    if (rc && rc != ERR_INVALID) {
        json_decref(*report);
        *report = NULL;
    } else if (rc == ERR_INVALID && *report == NULL) {
        /* a file-level error: no report */
    }
    json_decref(summary);
    free(s.seen.v);
    arena_release(&s.seen.names);
    json_decref(s.errors);
    json_decref(s.warnings);
    json_decref(s.ignored);
    contract_memo_free(s.memo);
    return rc;
}

int contract_import_template_csv(Buf *out, Err *e)
{
    size_t i;

    buf_append(out, "\xEF\xBB\xBF", 3);
    for (i = 0; i < CONTRACT_EXPORT_COLS; i++) {
        if (i) {
            buf_append_char(out, ',');
        }
        buf_append_csv_field(out, contract_export_titles[i],
                             strlen(contract_export_titles[i]));
    }
    buf_append_str(out, "\r\n");
    if (out->err) {
        return err_set(e, ERR_TOOBIG, NULL, "模板过大");
    }
    return 0;
}
