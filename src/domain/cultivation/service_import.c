/* service_import.c - service logs from a file (see service_import.h). */
#include "domain/cultivation/service_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/mem.h"
#include "base/uscc.h"
#include "base/utf8.h"
#include "domain/cultivation/service.h"
#include "domain/io/import.h"

/* Columns; a header cell is recognised by the first title fragment it
 * contains (spaces removed), in this order: 诉求内容 before 内容. */
enum {
    SC_KIND,
    SC_DATE,
    SC_TITLE,
    SC_USCC,
    SC_NAME,
    SC_ASK,
    SC_DUE,
    SC_TOPICS,
    SC_PEOPLE,
    SC__N
};

static const struct {
    int col;
    const char *frag;
} svc_titles[] = {
    {SC_USCC, "信用代码"}, {SC_ASK, "诉求"},    {SC_DUE, "期限"},
    {SC_KIND, "类型"},     {SC_DATE, "日期"},   {SC_TITLE, "主题"},
    {SC_NAME, "企业"},     {SC_NAME, "名称"},   {SC_PEOPLE, "参加人"},
    {SC_TOPICS, "内容"},   {SC_TOPICS, "议题"},
};

/* zh-CN column names for the errors */
static const char *const svc_col_names[SC__N] = {
    "类型",     "日期",     "主题", "统一社会信用代码", "企业名称",
    "企业诉求", "答复期限", "内容", "参加人员"};

static const char *const svc_template[] = {
    "类型", "日期",     "主题",     "统一社会信用代码", "企业名称",
    "内容", "参加人员", "企业诉求", "答复期限"};

const char *const *service_import_titles(int *n)
{
    *n = (int)(sizeof svc_template / sizeof svc_template[0]);
    return svc_template;
}

#define SI_CELL_MAX 4100 /* bytes kept of a cell (2000 characters fit) */

typedef struct SiRow {
    long row;
    char *cell[SC__N]; /* trimmed, NULL when blank */
} SiRow;

typedef struct SiRead {
    long header_row;
    int col[SC__N];
    SiRow *rows;
    size_t n, cap;
    Err *e;
} SiRead;

static void si_squeeze(const char *s, char *out, size_t cap)
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

static int si_header(SiRead *q, const char *const *cells, size_t n)
{
    int col[SC__N];
    char t[256];

    for (int k = 0; k < SC__N; k++) {
        col[k] = -1;
    }
    for (size_t i = 0; i < n; i++) {
        si_squeeze(cells[i], t, sizeof t);
        if (!*t || strlen(t) > 60) {
            continue;
        }
        for (size_t k = 0; k < sizeof svc_titles / sizeof svc_titles[0]; k++) {
            if (strstr(t, svc_titles[k].frag)) {
                if (col[svc_titles[k].col] < 0) {
                    col[svc_titles[k].col] = (int)i;
                }
                break;
            }
        }
    }
    if (col[SC_KIND] < 0 || col[SC_DATE] < 0 || col[SC_TITLE] < 0 ||
        (col[SC_USCC] < 0 && col[SC_NAME] < 0)) {
        return 0;
    }
    memcpy(q->col, col, sizeof col);
    return 1;
}

/* The trimmed cell c (malloc'd), NULL when blank. */
static char *si_cell(const char *const *cells, size_t n, int c)
{
    const char *s;
    size_t len;
    char *t;

    if (c < 0 || (size_t)c >= n || !cells[c]) {
        return NULL;
    }
    s = cells[c];
    while (*s == ' ' || *s == '\t' || strncmp(s, "\xE3\x80\x80", 3) == 0) {
        s += *s == ' ' || *s == '\t' ? 1 : 3;
    }
    len = strnlen(s, SI_CELL_MAX);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
                   s[len - 1] == '\r' || s[len - 1] == '\n')) {
        len--;
    }
    if (!len) {
        return NULL;
    }
    t = xmalloc(len + 1);
    memcpy(t, s, len);
    t[len] = '\0';
    return t;
}

static int si_row(void *ud, long row, const char *const *cells, size_t n,
                  Err *e)
{
    SiRead *q = ud;
    SiRow *r;
    int blank = 1;

    if (!q->header_row) {
        if (si_header(q, cells, n)) {
            q->header_row = row;
            return 0;
        }
        if (row >= IMPORT_HEADER_SCAN) {
            return err_set(e, ERR_INVALID, "file",
                           "前 %d 行中没有找到表头：应有“类型”“日期”“主题”"
                           "列和“统一社会信用代码”或“企业名称”列",
                           IMPORT_HEADER_SCAN);
        }
        return 0;
    }
    if (q->n == SERVICE_IMPORT_ROWS_MAX) {
        return err_set(e, ERR_TOOBIG, "file", "一次最多导入 %d 行",
                       SERVICE_IMPORT_ROWS_MAX);
    }
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        q->rows = xrealloc(q->rows, cap * sizeof *q->rows);
        q->cap = cap;
    }
    r = &q->rows[q->n];
    memset(r, 0, sizeof *r);
    r->row = row;
    for (int k = 0; k < SC__N; k++) {
        r->cell[k] = si_cell(cells, n, q->col[k]);
        blank &= r->cell[k] == NULL;
    }
    if (blank) {
        return 0; /* an empty line: skipped */
    }
    q->n++;
    return 0;
}

static void si_free(SiRead *q)
{
    for (size_t i = 0; i < q->n; i++) {
        for (int k = 0; k < SC__N; k++) {
            free(q->rows[i].cell[k]);
        }
    }
    free(q->rows);
}

/* Kind code from a cell: a zh-CN name or the code itself. */
static const char *si_kind(const char *s)
{
    static const char *const codes[] = {"visit",    "meeting",  "call",
                                        "training", "briefing", "other"};

    for (size_t i = 0; s && i < sizeof codes / sizeof codes[0]; i++) {
        if (strcmp(s, codes[i]) == 0 ||
            strcmp(s, service_kind_name(codes[i])) == 0) {
            return codes[i];
        }
    }
    if (s && strcmp(s, "宣讲") == 0) {
        return "briefing";
    }
    return NULL;
}

/* The enterprise of a row: by USCC when given, else by current name; in
 * a's scope and not retired. */
static int si_ent(Db *db, const Actor *a, const char *uscc, const char *name,
                  int64_t *id, const char **col, Err *e)
{
    char code[USCC_LEN + 1];
    DbStmt *st = NULL;
    int n = 0, rc;

    *id = 0;
    if (uscc) {
        *col = "统一社会信用代码";
        if (uscc_normalize(uscc, code, NULL) != 0) {
            return err_set(e, ERR_INVALID, NULL,
                           "统一社会信用代码“%s”格式不正确", uscc);
        }
        rc = db_prepare_v(db, &st, e,
                          "SELECT e.id, o.path FROM enterprises e JOIN "
                          "org_units o ON o.id = e.unit_id WHERE e.uscc = $1 "
                          "AND e.retired_at IS NULL",
                          "t", code);
    } else {
        *col = "企业名称";
        if (!name) {
            return err_set(e, ERR_INVALID, NULL,
                           "请填写统一社会信用代码或企业名称");
        }
        rc = db_prepare_v(db, &st, e,
                          "SELECT e.id, o.path FROM enterprises e JOIN "
                          "org_units o ON o.id = e.unit_id WHERE e.name = $1 "
                          "AND e.retired_at IS NULL ORDER BY e.id",
                          "t", name);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        if (actor_sees_path(a, db_col_text(st, 1))) {
            *id = db_col_int64(st, 0);
            n++;
        }
        rc = 0;
    }
    db_finalize(st);
    if (rc == DB_DONE) {
        rc = 0;
    }
    if (rc) {
        return rc;
    }
    if (n == 0) {
        return err_set(e, ERR_INVALID, NULL,
                       uscc ? "本单位范围内没有统一社会信用代码为 %s 的企业"
                            : "本单位范围内没有名为“%s”的企业",
                       uscc ? code : name);
    }
    if (n > 1) {
        return err_set(e, ERR_INVALID, NULL,
                       "名称“%s”对应 %d 家企业，请填写统一社会信用代码", name,
                       n);
    }
    return 0;
}

/* One log being assembled from its rows. */
typedef struct SiLog {
    const char *kind, *title, *topics, *people;
    char held[DATE_ISO_SIZE];
    long first_row;
    int64_t *ents;
    size_t n_ents, cap_ents;
    ServiceAskInput *asks;
    char (*dues)[DATE_ISO_SIZE];
    size_t n_asks, cap_asks;
} SiLog;

typedef struct SiCtx {
    json_t *errors;
    int64_t errors_total;
} SiCtx;

static void si_error(SiCtx *x, long row, int col, const char *msg)
{
    x->errors_total++;
    if (json_array_size(x->errors) < SERVICE_IMPORT_ERRORS) {
        json_array_append_new(
            x->errors,
            json_pack("{sIss?ss}", "row", (json_int_t)row, "column",
                      col >= 0 ? svc_col_names[col] : NULL, "message", msg));
    }
}

static int si_text_ok(SiCtx *x, const SiRow *r, int col, size_t max)
{
    const char *s = r->cell[col];
    char msg[160];

    if (s && utf8_count_chars(s, strlen(s)) > max) {
        snprintf(msg, sizeof msg, "不能超过 %zu 个字", max);
        si_error(x, r->row, col, msg);
        return 0;
    }
    return 1;
}

int service_import(Db *db, const Actor *a, const char *path,
                   const char *file_name, int apply, json_t **out, Err *e)
{
    SiRead q;
    SiCtx x = {0};
    SiLog *logs = NULL;
    size_t n_logs = 0, n_asks = 0, n_ents = 0;
    json_t *ids = json_array();
    int rc;

    *out = NULL;
    memset(&q, 0, sizeof q);
    if (!perm_allows(a->role, PERM_WRITE)) {
        json_decref(ids);
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能导入服务记录");
    }
    rc = import_file_rows(path, 0, NULL, 0, si_row, &q, e);
    if (rc == 0 && !q.header_row) {
        rc = err_set(e, ERR_INVALID, "file",
                     "没有找到表头：应有“类型”“日期”“主题”列和“统一社会信用"
                     "代码”或“企业名称”列（可下载模板）");
    }
    if (rc == 0 && q.n == 0) {
        rc = err_set(e, ERR_INVALID, "file", "文件中没有数据行");
    }
    if (rc) {
        si_free(&q);
        json_decref(ids);
        return rc;
    }
    x.errors = json_array();
    logs = xcalloc(q.n, sizeof *logs);
    for (size_t i = 0; i < q.n; i++) {
        SiRow *r = &q.rows[i];
        const char *kind = si_kind(r->cell[SC_KIND]);
        const char *col = NULL;
        char held[DATE_ISO_SIZE] = "", due[DATE_ISO_SIZE] = "";
        int64_t ent = 0;
        int ok = 1;
        Date d;
        Err re;
        SiLog *g = NULL;

        if (!kind) {
            si_error(&x, r->row, SC_KIND,
                     r->cell[SC_KIND] ? "类型应为走访、座谈、电话、培训、"
                                        "政策宣讲或其他"
                                      : "请填写类型");
            ok = 0;
        }
        if (!r->cell[SC_DATE]) {
            si_error(&x, r->row, SC_DATE, "请填写日期");
            ok = 0;
        } else if (date_parse(r->cell[SC_DATE], &d, NULL, NULL) != 0) {
            si_error(&x, r->row, SC_DATE, "日期应为 YYYY-MM-DD，如 2026-03-15");
            ok = 0;
        } else {
            date_format_iso(d, held);
        }
        if (!r->cell[SC_TITLE]) {
            si_error(&x, r->row, SC_TITLE, "请填写主题");
            ok = 0;
        }
        ok &= si_text_ok(&x, r, SC_TITLE, 100);
        ok &= si_text_ok(&x, r, SC_TOPICS, SERVICE_TEXT_MAX);
        ok &= si_text_ok(&x, r, SC_PEOPLE, 500);
        ok &= si_text_ok(&x, r, SC_ASK, SERVICE_TEXT_MAX);
        err_clear(&re);
        rc = si_ent(db, a, r->cell[SC_USCC], r->cell[SC_NAME], &ent, &col, &re);
        if (rc == ERR_INVALID) {
            si_error(&x, r->row,
                     strcmp(col, "企业名称") == 0 ? SC_NAME : SC_USCC, re.msg);
            ok = 0;
            rc = 0;
        } else if (rc) {
            *e = re;
            break;
        }
        if (r->cell[SC_DUE]) {
            if (!r->cell[SC_ASK]) {
                si_error(&x, r->row, SC_DUE, "填写了答复期限但没有诉求");
                ok = 0;
            } else if (date_parse(r->cell[SC_DUE], &d, NULL, NULL) != 0) {
                si_error(&x, r->row, SC_DUE,
                         "答复期限应为 YYYY-MM-DD，如 2026-04-30");
                ok = 0;
            } else {
                date_format_iso(d, due);
            }
        }
        if (!ok) {
            continue;
        }
        /* the log of (type, date, title) */
        for (size_t k = 0; k < n_logs; k++) {
            if (strcmp(logs[k].kind, kind) == 0 &&
                strcmp(logs[k].held, held) == 0 &&
                strcmp(logs[k].title, r->cell[SC_TITLE]) == 0) {
                g = &logs[k];
            }
        }
        if (!g) {
            g = &logs[n_logs++];
            g->kind = kind;
            g->title = r->cell[SC_TITLE];
            memcpy(g->held, held, sizeof held);
            g->first_row = r->row;
        }
        if (!g->topics) {
            g->topics = r->cell[SC_TOPICS];
        }
        if (!g->people) {
            g->people = r->cell[SC_PEOPLE];
        }
        {
            int dup = 0;
            for (size_t k = 0; k < g->n_ents; k++) {
                dup |= g->ents[k] == ent;
            }
            if (!dup && g->n_ents == SERVICE_ENTS_MAX) {
                si_error(&x, r->row, -1,
                         "同一次活动最多登记 500 家企业（类型、日期、主题相同"
                         "的行为同一次活动）");
                continue;
            }
            if (!dup && g->n_ents == g->cap_ents) {
                g->cap_ents = g->cap_ents ? g->cap_ents * 2 : 8;
                g->ents = xrealloc(g->ents, g->cap_ents * sizeof *g->ents);
            }
            if (!dup) {
                g->ents[g->n_ents++] = ent;
                n_ents++;
            }
        }
        if (r->cell[SC_ASK]) {
            if (g->n_asks == SERVICE_ASKS_MAX) {
                si_error(&x, r->row, SC_ASK, "同一次活动最多登记 100 条诉求");
                continue;
            }
            if (g->n_asks == g->cap_asks) {
                g->cap_asks = g->cap_asks ? g->cap_asks * 2 : 4;
                g->asks = xrealloc(g->asks, g->cap_asks * sizeof *g->asks);
                g->dues = xrealloc(g->dues, g->cap_asks * sizeof *g->dues);
                /* due_on points into dues: re-point after the move */
                for (size_t k = 0; k < g->n_asks; k++) {
                    g->asks[k].due_on = g->dues[k][0] ? g->dues[k] : NULL;
                }
            }
            memset(&g->asks[g->n_asks], 0, sizeof g->asks[g->n_asks]);
            memcpy(g->dues[g->n_asks], due, sizeof due);
            g->asks[g->n_asks].enterprise_id = ent;
            g->asks[g->n_asks].content = r->cell[SC_ASK];
            g->asks[g->n_asks].due_on = due[0] ? g->dues[g->n_asks] : NULL;
            g->n_asks++;
            n_asks++;
        }
    }
    if (rc == 0 && apply && x.errors_total == 0) {
        rc = db_begin(db, e);
        for (size_t k = 0; rc == 0 && k < n_logs; k++) {
            ServiceLogInput in;
            int64_t id = 0;
            Err le;

            memset(&in, 0, sizeof in);
            in.kind = logs[k].kind;
            in.held_on = logs[k].held;
            in.title = logs[k].title;
            in.topics = logs[k].topics;
            in.participants = logs[k].people;
            in.enterprise_ids = logs[k].ents;
            in.n_enterprises = logs[k].n_ents;
            in.asks = logs[k].asks;
            in.n_asks = logs[k].n_asks;
            err_clear(&le);
            rc = service_log_create_tx(db, a, &in, &id, &le);
            if (rc) {
                /* changed since the check: the whole file is refused */
                rc = err_set(e, rc, "file", "第 %ld 行：%s", logs[k].first_row,
                             le.msg);
            } else {
                json_array_append_new(ids, json_integer(id));
            }
        }
        if (rc == 0) {
            rc = db_commit(db, e);
        }
        if (rc) {
            db_rollback(db);
        }
    }
    if (rc == 0) {
        *out = json_pack(
            "{sssIsIsIsIsIsOsIsbsO}", "file_name", file_name ? file_name : "",
            "header_row", (json_int_t)q.header_row, "rows", (json_int_t)q.n,
            "logs", (json_int_t)n_logs, "enterprises", (json_int_t)n_ents,
            "asks", (json_int_t)n_asks, "errors", x.errors, "errors_total",
            (json_int_t)x.errors_total, "applied", apply && x.errors_total == 0,
            "log_ids", ids);
    }
    for (size_t k = 0; logs && k < n_logs; k++) {
        free(logs[k].ents);
        free(logs[k].asks);
        free(logs[k].dues);
    }
    free(logs);
    si_free(&q);
    json_decref(x.errors);
    json_decref(ids);
    return rc;
}
