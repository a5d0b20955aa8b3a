/* qual.c - the qualifications register: validation, lifecycle writes,
 * lists and counts on a date (see qual.h). */
#include "domain/qual/qual.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "base/valid.h"
#include "db/plan_counts_bulk.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/org.h"
#include "domain/library/ent.h"
#include "domain/qual/qual_cache.h"

#define QUAL_COLS                                                              \
    "q.id, q.enterprise_id, q.kind, q.level, q.cert_no, q.batch, q.year, "     \
    "q.issued_on, q.valid_from, q.valid_to, q.basis, q.status, q.ended_on, "   \
    "q.end_reason, q.note, q.cert_name, q.renamed_on, q.src_kind, q.src_at, "  \
    "q.created_at, q.updated_at"
#define QUAL_N_COLS 21
/* with the enterprise and its unit, for lists */
#define QUAL_LIST_COLS QUAL_COLS ", e.name, e.uscc, e.unit_id, o.name"

static json_t *qual_text(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);

    return s ? json_string(s) : json_null();
}

static json_t *qual_name_or_null(const char *name)
{
    return name ? json_string(name) : json_null();
}

/* States of a record on a day: the row's state_name, the list filter
 * (filter: the states the list can select) and GET
 * /reference/qualifications (states) read this table. */
static const struct {
    const char *code, *name;
    int filter;
} qual_states[] = {
    {"valid", "有效", 1},
    {"pending", "未生效", 0},
    {"expired", "已到期", 1},
    {"ended", "已终止", 1},
};

const char *qual_state_name(const char *state)
{
    for (size_t i = 0; state && i < sizeof qual_states / sizeof qual_states[0];
         i++) {
        if (strcmp(state, qual_states[i].code) == 0) {
            return qual_states[i].name;
        }
    }
    return NULL;
}

json_t *qual_states_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < sizeof qual_states / sizeof qual_states[0]; i++) {
        json_array_append_new(arr, json_pack("{sssssb}", "value",
                                             qual_states[i].code, "label",
                                             qual_states[i].name, "filter",
                                             qual_states[i].filter));
    }
    return arr;
}

/* The state of a row on today: ended, pending (not yet valid), expired
 * or valid, and the days left until valid_to while valid. */
static void qual_state(json_t *o, DbStmt *st, Date today)
{
    Date from = 0, to = 0, ended = 0;
    const char *s;
    const char *state = "valid";
    int has_to = 0;

    s = db_col_text(st, 8);
    if (s) {
        date_parse(s, &from, NULL, NULL);
    }
    s = db_col_text(st, 9);
    if (s && date_parse(s, &to, NULL, NULL) == 0) {
        has_to = 1;
    }
    s = db_col_text(st, 12);
    if (s && date_parse(s, &ended, NULL, NULL) == 0 && ended <= today) {
        state = "ended";
    } else if (from > today) {
        state = "pending";
    } else if (has_to && to < today) {
        state = "expired";
    }
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "state_name", json_string(qual_state_name(state)));
    json_object_set_new(o, "days_left",
                        strcmp(state, "valid") == 0 && has_to
                            ? json_integer(date_diff_days(today, to))
                            : json_null());
}

/* A row of SELECT QUAL_COLS [, enterprise columns] as JSON. */
static json_t *qual_row_json(DbStmt *st, int with_ent, Date today)
{
    json_t *o = json_object();
    const QualKind *k = qual_kind_find(db_col_text(st, 2));

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "enterprise_id", json_integer(db_col_int64(st, 1)));
    json_object_set_new(o, "kind", qual_text(st, 2));
    json_object_set_new(o, "kind_name", qual_name_or_null(k ? k->name : NULL));
    json_object_set_new(o, "level", qual_text(st, 3));
    json_object_set_new(o, "level_name",
                        qual_name_or_null(qual_level_name(db_col_text(st, 3))));
    json_object_set_new(o, "cert_no", qual_text(st, 4));
    json_object_set_new(o, "batch", qual_text(st, 5));
    json_object_set_new(o, "year",
                        db_col_is_null(st, 6)
                            ? json_null()
                            : json_integer(db_col_int64(st, 6)));
    json_object_set_new(o, "issued_on", qual_text(st, 7));
    json_object_set_new(o, "valid_from", qual_text(st, 8));
    json_object_set_new(o, "valid_to", qual_text(st, 9));
    json_object_set_new(o, "basis", qual_text(st, 10));
    json_object_set_new(
        o, "basis_name",
        qual_name_or_null(qual_basis_name(db_col_text(st, 10))));
    json_object_set_new(o, "status", qual_text(st, 11));
    json_object_set_new(
        o, "status_name",
        qual_name_or_null(qual_status_name(db_col_text(st, 11))));
    json_object_set_new(o, "ended_on", qual_text(st, 12));
    json_object_set_new(o, "end_reason", qual_text(st, 13));
    json_object_set_new(o, "note", qual_text(st, 14));
    json_object_set_new(o, "cert_name", qual_text(st, 15));
    json_object_set_new(o, "renamed_on", qual_text(st, 16));
    json_object_set_new(o, "src_kind", qual_text(st, 17));
    json_object_set_new(o, "src_at", qual_text(st, 18));
    json_object_set_new(o, "created_at", qual_text(st, 19));
    json_object_set_new(o, "updated_at", qual_text(st, 20));
    qual_state(o, st, today);
    if (with_ent) {
        json_object_set_new(o, "enterprise_name", qual_text(st, QUAL_N_COLS));
        json_object_set_new(o, "uscc", qual_text(st, QUAL_N_COLS + 1));
        json_object_set_new(o, "unit_id",
                            json_integer(db_col_int64(st, QUAL_N_COLS + 2)));
        json_object_set_new(o, "unit_name", qual_text(st, QUAL_N_COLS + 3));
    }
    return o;
}

int qual_get(Db *db, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT " QUAL_COLS " FROM qualifications q WHERE q.id "
                      "= $1",
                      "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *out = qual_row_json(st, 0, date_today());
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, "qual_id", "资质记录不存在");
        }
    }
    db_finalize(st);
    return rc;
}

/* ---- validation ------------------------------------------------------ */

typedef struct QualRec {
    const QualKind *kind;
    const char *level;
    const char *basis; /* NULL = infer */
    char cert_no[QUAL_TEXT_MAX * 4 + 1];
    char batch[QUAL_TEXT_MAX * 4 + 1];
    char cert_name[QUAL_TEXT_MAX * 4 + 1];
    char note[QUAL_NOTE_MAX * 4 + 1];
    int64_t year;
    char issued[DATE_ISO_SIZE];
    char from[DATE_ISO_SIZE];
    char to[DATE_ISO_SIZE];
} QualRec;

/* An optional date into out ("" when absent); ERR_INVALID naming field. */
static int qual_date(const char *in, char out[DATE_ISO_SIZE], const char *field,
                     const char *label, Err *e)
{
    char buf[64];
    Date d;
    int rc;

    out[0] = '\0';
    if (!in) {
        return 0;
    }
    rc = valid_text(in, 0, 15, buf, sizeof buf, field, label, e);
    if (rc || !*buf) {
        return rc;
    }
    if (date_parse(buf, &d, field, NULL) != 0) {
        return err_set(e, ERR_INVALID, field, "%s应为日期，如 2021-12-01",
                       label);
    }
    date_format_iso(d, out);
    return 0;
}

/* Is code one of the comma-separated list? */
static int qual_in_list(const char *list, const char *code)
{
    size_t n = strlen(code);
    const char *p = list;

    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, code, n) == 0) {
            return 1;
        }
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* Date d + years (Feb 29 -> Feb 28) - 1 day: the last day of a validity
 * of `years` years starting on d. */
static Date qual_plus_years(Date d, int years)
{
    int y, m, dd;
    Date out;

    date_to_ymd(d, &y, &m, &dd);
    if (m == 2 && dd == 29) {
        dd = 28;
    }
    if (date_from_ymd(y + years, m, dd, &out, NULL, NULL) != 0) {
        return DATE_MAX;
    }
    return date_add_days(out, -1);
}

/* Check in and compute the defaults of the kind into r. */
static int qual_check(const QualInput *in, QualRec *r, Err *e)
{
    Date issued = 0, from = 0, to = 0;
    int rc;

    memset(r, 0, sizeof *r);
    r->kind = qual_kind_find(in->kind);
    if (!r->kind) {
        return err_set(e, ERR_INVALID, "kind",
                       "资质类型不正确（可选类型见资质代码表）");
    }
    r->level = in->level && *in->level ? in->level : r->kind->default_level;
    if (!qual_level_name(r->level) ||
        !qual_in_list(r->kind->levels, r->level)) {
        return err_set(e, ERR_INVALID, "level", "%s的级别不能为 %s",
                       r->kind->name, r->level);
    }
    if (in->basis && *in->basis) {
        if (!qual_basis_name(in->basis)) {
            return err_set(e, ERR_INVALID, "basis",
                           "认定类型应为 first（首次认定）、recert（再认定）"
                           "或 move_in（整体迁入）");
        }
        r->basis = in->basis;
    }
    rc =
        valid_text(in->cert_no ? in->cert_no : "", 0, QUAL_TEXT_MAX, r->cert_no,
                   sizeof r->cert_no, "cert_no", r->kind->number_label, e);
    if (rc == 0) {
        /* numbers are ASCII upper case as published (gr2021... -> GR) */
        for (char *p = r->cert_no; *p; p++) {
            if (*p >= 'a' && *p <= 'z') {
                *p = (char)(*p - 'a' + 'A');
            }
        }
        if (r->kind->number_strict && r->cert_no[0] &&
            !qual_number_ok(r->kind, r->cert_no)) {
            rc = err_set(e, ERR_INVALID, "cert_no",
                         "%s“%s”格式不正确：应为 %s，共 14 位，如 "
                         "GR202112000123",
                         r->kind->number_label, r->cert_no,
                         r->kind->number_pattern);
        }
    }
    if (rc == 0) {
        rc = valid_text(in->batch ? in->batch : "", 0, QUAL_TEXT_MAX, r->batch,
                        sizeof r->batch, "batch", "批次", e);
    }
    if (rc == 0) {
        rc = valid_text(in->cert_name ? in->cert_name : "", 0, QUAL_TEXT_MAX,
                        r->cert_name, sizeof r->cert_name, "cert_name",
                        "证书上的企业名称", e);
    }
    if (rc == 0) {
        rc = valid_text(in->note ? in->note : "", 0, QUAL_NOTE_MAX, r->note,
                        sizeof r->note, "note", "备注", e);
    }
    if (rc == 0) {
        rc = qual_date(in->issued_on, r->issued, "issued_on",
                       "认定（发证）日期", e);
    }
    if (rc == 0) {
        rc = qual_date(in->valid_from, r->from, "valid_from", "有效期起", e);
    }
    if (rc == 0) {
        rc = qual_date(in->valid_to, r->to, "valid_to", "有效期止", e);
    }
    if (rc) {
        return rc;
    }
    if (in->year && (in->year < 1990 || in->year > 2100)) {
        return err_set(e, ERR_INVALID, "year", "年度应在 1990～2100 之间");
    }
    r->year = in->year;
    if (r->issued[0]) {
        date_parse(r->issued, &issued, NULL, NULL);
    }
    if (!r->from[0] && r->issued[0]) {
        memcpy(r->from, r->issued, DATE_ISO_SIZE);
    }
    if (!r->from[0] && r->year && r->kind->validity == QUAL_VALID_CALENDAR) {
        snprintf(r->from, sizeof r->from, "%04d-01-01", (int)r->year);
    }
    if (!r->from[0]) {
        return err_set(e, ERR_INVALID, "issued_on",
                       "请填写认定（发证）日期或有效期起");
    }
    date_parse(r->from, &from, NULL, NULL);
    if (!r->year) {
        int y;
        date_to_ymd(r->issued[0] ? issued : from, &y, NULL, NULL);
        r->year = y;
    }
    if (r->issued[0] && from < issued &&
        !(r->basis && strcmp(r->basis, "move_in") == 0)) {
        return err_set(e, ERR_INVALID, "valid_from",
                       "有效期起（%s）早于认定（发证）日期（%s）", r->from,
                       r->issued);
    }
    if (!r->to[0]) {
        if (r->kind->validity == QUAL_VALID_YEARS && r->basis &&
            strcmp(r->basis, "move_in") == 0) {
            return err_set(e, ERR_INVALID, "valid_to",
                           "整体迁入的%s沿用原证书有效期，请填写有效期止",
                           r->kind->short_name);
        }
        if (r->kind->validity == QUAL_VALID_YEARS) {
            date_format_iso(qual_plus_years(r->issued[0] ? issued : from,
                                            r->kind->valid_years),
                            r->to);
        } else if (r->kind->validity == QUAL_VALID_CALENDAR) {
            snprintf(r->to, sizeof r->to, "%04d-12-31", (int)r->year);
        }
    }
    if (r->to[0]) {
        date_parse(r->to, &to, NULL, NULL);
        if (to < from) {
            return err_set(e, ERR_INVALID, "valid_to",
                           "有效期止（%s）早于有效期起（%s）", r->to, r->from);
        }
        if (r->issued[0] && to < issued) {
            return err_set(e, ERR_INVALID, "valid_to",
                           "有效期止（%s）早于认定（发证）日期（%s）", r->to,
                           r->issued);
        }
        if (r->kind->validity == QUAL_VALID_YEARS) {
            Date last = qual_plus_years(r->issued[0] ? issued : from,
                                        r->kind->valid_years);
            char lastd[DATE_ISO_SIZE];

            date_format_iso(last, lastd);
            if (to > last) {
                return err_set(e, ERR_INVALID, "valid_to",
                               "%s资格自颁发证书之日起有效期为 %d 年，有效期止"
                               "不能晚于 %s",
                               r->kind->short_name, r->kind->valid_years,
                               lastd);
            }
        }
    }
    return 0;
}

int qual_validate(const QualInput *in, Err *e)
{
    QualRec *r = xcalloc(1, sizeof *r);
    int rc = qual_check(in, r, e);

    free(r);
    return rc;
}

/* ERR_CONFLICT naming cert_no when the kind's number is registered on
 * another row than self. */
static int qual_check_dup(Db *db, const QualRec *r, int64_t self, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    if (!r->cert_no[0]) {
        return 0;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT e.name FROM qualifications q JOIN enterprises e "
                      "ON e.id = q.enterprise_id WHERE q.kind = $1 AND "
                      "q.cert_no = $2 AND q.id <> $3",
                      "tti", r->kind->code, r->cert_no, self);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            rc = err_set(e, ERR_CONFLICT, "cert_no",
                         "%s%s已登记（%s），不能重复登记",
                         r->kind->number_label, r->cert_no,
                         db_col_text(st, 0) ? db_col_text(st, 0) : "");
        } else if (rc == DB_DONE) {
            rc = 0;
        }
    }
    db_finalize(st);
    return rc;
}

int qual_insert(Db *db, int64_t user_id, int64_t enterprise_id,
                const QualInput *in, const QualSource *src, int64_t *id_out,
                Err *e)
{
    char now[CLOCK_ISO_LEN];
    QualRec *r = xcalloc(1, sizeof *r);
    const char *basis;
    DbStmt *st = NULL;
    int64_t id = 0, prior = 0;
    int rc;

    rc = qual_check(in, r, e);
    if (rc == 0) {
        rc = qual_check_dup(db, r, 0, e);
    }
    if (rc) {
        goto out;
    }
    basis = r->basis;
    if (!basis && r->kind->validity == QUAL_VALID_YEARS) {
        /* an earlier record of the kind makes this one a 再认定 */
        rc = db_query_int64(db, &prior, e,
                            "SELECT COUNT(*) FROM qualifications WHERE "
                            "enterprise_id = $1 AND kind = $2 AND "
                            "valid_from < $3",
                            "itt", enterprise_id, r->kind->code, r->from);
        if (rc) {
            goto out;
        }
        basis = prior ? "recert" : "first";
    }
    clock_now_iso(now, 0);
    rc = db_prepare_v(
        db, &st, e,
        "INSERT INTO qualifications (enterprise_id, kind, level, cert_no, "
        "batch, year, issued_on, valid_from, valid_to, basis, status, note, "
        "cert_name, src_kind, src_user_id, src_ref, src_at, created_at, "
        "updated_at, unit_id, ent_retired_on) VALUES ($1, $2, $3, $4, $5, "
        "$6, $7, $8, $9, $10, 'valid', $11, $12, $13, $14, $15, $16, $16, "
        "$16, (SELECT en.unit_id FROM enterprises en WHERE en.id = $1), "
        "(SELECT substr(en.retired_at, 1, 10) FROM enterprises en WHERE "
        "en.id = $1)) RETURNING id",
        "ittttitttttttppt", enterprise_id, r->kind->code, r->level,
        r->cert_no[0] ? r->cert_no : NULL, r->batch[0] ? r->batch : NULL,
        r->year, r->issued[0] ? r->issued : NULL, r->from,
        r->to[0] ? r->to : NULL, basis, r->note[0] ? r->note : NULL,
        r->cert_name[0] ? r->cert_name : NULL, src ? src->kind : "user",
        user_id > 0 ? &user_id : NULL, src && src->ref ? &src->ref : NULL, now);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        id = db_col_int64(st, 0);
        rc = db_step(st, e);
    }
    if (rc == DB_DONE && id > 0) {
        rc = 0;
        if (id_out) {
            *id_out = id;
        }
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
out:
    db_finalize(st);
    free(r);
    return rc;
}

/* ---- many rows at once (the list import) ---------------------------- */

/* Rows per statement of qual_insert_many: 13 parameters a row plus 5. */
#define QUAL_MANY_CHUNK 200
/* rows from which qual_insert_many keeps the plan counts once for the
 * whole write instead of per row (its triggers off) */
#define QUAL_MANY_BULK 2

/* " IN ($first, ..., $first+n-1)" into b. */
static void qual_in_params(Buf *b, int first, size_t n)
{
    buf_append_str(b, " IN (");
    for (size_t i = 0; i < n; i++) {
        buf_appendf(b, i ? ", $%d" : "$%d", first + (int)i);
    }
    buf_append_char(b, ')');
}

/* The enterprises' ids as "1,2,3" into b (db_id_in_list). */
static void qual_id_list(Buf *b, const int64_t *ents, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf_appendf(b, i ? ",%lld" : "%lld", (long long)ents[i]);
    }
}

/* One chunk of qual_insert_many: rows [0, n) of ins/ents. */
static int qual_insert_chunk(Db *db, int64_t user_id, const int64_t *ents,
                             const QualInput *ins, size_t n,
                             const QualSource *src, const char *now,
                             int64_t *ids, size_t *failed, Err *e)
{
    QualRec *r = xcalloc(n, sizeof *r);
    int64_t *unit = xcalloc(n, sizeof *unit);
    char(*retired)[DATE_ISO_SIZE] = xcalloc(n, sizeof *retired);
    char(*first)[DATE_ISO_SIZE] = xcalloc(n, sizeof *first);
    const char **basis = xcalloc(n, sizeof *basis);
    size_t bad = n, k;
    char in[160];
    DbStmt *st = NULL;
    const char *kcode, *klabel;
    int kyears;
    Err row_e;
    Buf b;
    int rc = 0, row_rc = 0;

    buf_init(&b, 0);
    err_clear(&row_e);
    /* every row validated in memory; the first bad one stops the chunk */
    for (size_t i = 0; i < n && bad == n; i++) {
        row_rc = qual_check(&ins[i], &r[i], &row_e);
        if (row_rc == 0 && r[i].kind != r[0].kind) {
            row_rc = err_set(&row_e, ERR_INVALID, "kind",
                             "一次写入的记录须为同一类别");
        }
        if (row_rc) {
            bad = i;
        }
    }
    /* the one kind of the rows written (of row 0; none when it is bad) */
    kcode = bad > 0 && r[0].kind ? r[0].kind->code : "";
    klabel = bad > 0 && r[0].kind ? r[0].kind->number_label : "";
    kyears = bad > 0 && r[0].kind && r[0].kind->validity == QUAL_VALID_YEARS;
    /* numbers already registered (earlier rows of the same write too):
     * one query for the chunk */
    buf_append_str(&b, "SELECT q.cert_no, e.name FROM qualifications q JOIN "
                       "enterprises e ON e.id = q.enterprise_id WHERE "
                       "q.kind = $1 AND q.cert_no");
    qual_in_params(&b, 2, n);
    rc = b.err ? ERR_TOOBIG : db_prepare(db, b.data, &st, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = db_bind_text(st, (int)i + 2,
                          i < bad && r[i].cert_no[0] ? r[i].cert_no : NULL);
    }
    if (rc == 0) {
        rc = db_bind_text(st, 1, kcode);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *no = db_col_text(st, 0);
        rc = 0;
        for (size_t i = 0; no && i < bad; i++) {
            if (strcmp(r[i].cert_no, no) == 0) {
                bad = i;
                row_rc = err_set(&row_e, ERR_CONFLICT, "cert_no",
                                 "%s%s已登记（%s），不能重复登记", klabel,
                                 r[i].cert_no,
                                 db_col_text(st, 1) ? db_col_text(st, 1) : "");
            }
        }
    }
    db_finalize(st);
    st = NULL;
    rc = rc == DB_DONE ? 0 : rc;
    /* the same number twice among the rows */
    for (size_t i = 1; rc == 0 && i < bad; i++) {
        for (size_t j = 0; r[i].cert_no[0] && j < i; j++) {
            if (strcmp(r[i].cert_no, r[j].cert_no) == 0) {
                bad = i;
                row_rc =
                    err_set(&row_e, ERR_CONFLICT, "cert_no",
                            "%s%s重复出现，不能重复登记", klabel, r[i].cert_no);
                break;
            }
        }
    }
    /* the enterprises' units and retirement dates, and the first start of
     * an earlier record of the kind (再认定), one query each */
    buf_reset(&b);
    qual_id_list(&b, ents, bad);
    if (rc == 0 && bad > 0) {
        db_id_in_list(db, 1, in, sizeof in);
        {
            Buf sql;
            buf_init(&sql, 0);
            buf_appendf(&sql,
                        "SELECT e.id, e.unit_id, substr(e.retired_at, 1, "
                        "10), (SELECT MIN(q.valid_from) FROM qualifications "
                        "q WHERE q.enterprise_id = e.id AND q.kind = $2) "
                        "FROM enterprises e WHERE e.id %s",
                        in);
            rc = db_prepare_v(db, &st, e, sql.data, "tt", b.data, kcode);
            buf_release(&sql);
        }
    }
    while (rc == 0 && bad > 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0);
        rc = 0;
        for (size_t i = 0; i < bad; i++) {
            if (ents[i] == id) {
                unit[i] = db_col_int64(st, 1);
                snprintf(retired[i], DATE_ISO_SIZE, "%s",
                         db_col_text(st, 2) ? db_col_text(st, 2) : "");
                snprintf(first[i], DATE_ISO_SIZE, "%s",
                         db_col_text(st, 3) ? db_col_text(st, 3) : "");
            }
        }
    }
    db_finalize(st);
    st = NULL;
    rc = rc == DB_DONE ? 0 : rc;
    /* basis as qual_insert infers it: an earlier record of the kind in the
     * register or among the earlier rows of this chunk */
    for (size_t i = 0; rc == 0 && i < bad; i++) {
        int prior = first[i][0] && strcmp(first[i], r[i].from) < 0;

        basis[i] = r[i].basis;
        if (basis[i] || !kyears) {
            continue;
        }
        for (size_t j = 0; !prior && j < i; j++) {
            prior = ents[j] == ents[i] && r[j].kind == r[i].kind &&
                    strcmp(r[j].from, r[i].from) < 0;
        }
        basis[i] = prior ? "recert" : "first";
    }
    /* the rows before the first bad one, in one statement */
    if (rc == 0 && bad > 0) {
        buf_reset(&b);
        buf_append_str(
            &b, "INSERT INTO qualifications (kind, src_kind, src_user_id, "
                "src_ref, src_at, created_at, updated_at, status, "
                "enterprise_id, level, cert_no, batch, year, issued_on, "
                "valid_from, valid_to, basis, note, cert_name, unit_id, "
                "ent_retired_on) VALUES ");
        for (size_t i = 0; i < bad; i++) {
            int p = 6 + (int)i * 13;
            buf_appendf(&b,
                        "%s($1, $2, $3, $4, $5, $5, $5, 'valid', $%d, $%d, "
                        "$%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, "
                        "$%d)",
                        i ? ", " : "", p, p + 1, p + 2, p + 3, p + 4, p + 5,
                        p + 6, p + 7, p + 8, p + 9, p + 10, p + 11, p + 12);
        }
        buf_append_str(&b, " RETURNING id, enterprise_id");
        rc = b.err ? ERR_TOOBIG : db_prepare(db, b.data, &st, e);
        if (rc == 0) {
            db_bind_text(st, 1, kcode);
            db_bind_text(st, 2, src ? src->kind : "user");
            if (user_id > 0) {
                db_bind_int64(st, 3, user_id);
            } else {
                db_bind_null(st, 3);
            }
            if (src && src->ref) {
                db_bind_int64(st, 4, src->ref);
            } else {
                db_bind_null(st, 4);
            }
            db_bind_text(st, 5, now);
        }
        for (size_t i = 0; rc == 0 && i < bad; i++) {
            int p = 6 + (int)i * 13;
            db_bind_int64(st, p, ents[i]);
            db_bind_text(st, p + 1, r[i].level);
            db_bind_text(st, p + 2, r[i].cert_no[0] ? r[i].cert_no : NULL);
            db_bind_text(st, p + 3, r[i].batch[0] ? r[i].batch : NULL);
            db_bind_int64(st, p + 4, r[i].year);
            db_bind_text(st, p + 5, r[i].issued[0] ? r[i].issued : NULL);
            db_bind_text(st, p + 6, r[i].from);
            db_bind_text(st, p + 7, r[i].to[0] ? r[i].to : NULL);
            db_bind_text(st, p + 8, basis[i]);
            db_bind_text(st, p + 9, r[i].note[0] ? r[i].note : NULL);
            db_bind_text(st, p + 10, r[i].cert_name[0] ? r[i].cert_name : NULL);
            if (unit[i]) {
                db_bind_int64(st, p + 11, unit[i]);
            } else {
                db_bind_null(st, p + 11);
            }
            db_bind_text(st, p + 12, retired[i][0] ? retired[i] : NULL);
        }
        /* the new ids come back in the order of the rows (checked) */
        k = 0;
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            rc = 0;
            if (k >= bad || db_col_int64(st, 1) != ents[k]) {
                rc = err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
                break;
            }
            ids[k++] = db_col_int64(st, 0);
        }
        rc = rc == DB_DONE ? 0 : rc;
        if (rc == 0 && k != bad) {
            rc = err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
        }
    }
    if (rc == 0 && bad < n) {
        *failed = bad;
        *e = row_e;
        rc = row_rc;
    }
    db_finalize(st);
    buf_release(&b);
    free(r);
    free(unit);
    free(retired);
    free(first);
    free(basis);
    return rc;
}

int qual_insert_many(Db *db, int64_t user_id, const int64_t *ents,
                     const QualInput *ins, size_t n, const QualSource *src,
                     int64_t *ids, size_t *failed, Err *e)
{
    char now[CLOCK_ISO_LEN];
    int rc = 0, bulk;

    *failed = n;
    clock_now_iso(now, 0);
    /* several rows: the plan-count triggers off, the counts of the
     * (enterprise, kind) pairs written changed once (plan_counts_bulk.h) */
    bulk = n >= QUAL_MANY_BULK;
    for (size_t i = 0; bulk && rc == 0 && i < n; i += QUAL_MANY_CHUNK) {
        size_t m = n - i < QUAL_MANY_CHUNK ? n - i : QUAL_MANY_CHUNK;
        size_t j = i;

        /* one statement per run of one kind */
        while (rc == 0 && j < i + m) {
            size_t k = j + 1;
            while (k < i + m && ins[j].kind && ins[k].kind &&
                   strcmp(ins[k].kind, ins[j].kind) == 0) {
                k++;
            }
            if (ins[j].kind) {
                rc = plan_counts_touch(db, ents + j, ins[j].kind, k - j, e);
            }
            j = k;
        }
    }
    if (bulk && rc == 0) {
        rc = plan_counts_bulk_begin(db, e);
    }
    if (rc) {
        return rc;
    }
    for (size_t i = 0; rc == 0 && i < n; i += QUAL_MANY_CHUNK) {
        size_t m = n - i < QUAL_MANY_CHUNK ? n - i : QUAL_MANY_CHUNK;

        if (!ins[i].kind || !qual_kind_find(ins[i].kind)) {
            *failed = i;
            return err_set(e, ERR_INVALID, "kind", "资质类型不正确");
        }
        for (size_t j = i + 1; j < i + m; j++) {
            if (!ins[j].kind || strcmp(ins[j].kind, ins[i].kind) != 0) {
                *failed = j;
                return err_set(e, ERR_INVALID, "kind",
                               "一次写入的资质类型应相同");
            }
        }
        size_t f = m;

        rc = qual_insert_chunk(db, user_id, ents + i, ins + i, m, src, now,
                               ids + i, &f, e);
        if (rc && f < m) {
            *failed = i + f;
        }
    }
    if (bulk && rc == 0) {
        rc = plan_counts_bulk_end(db, e);
    }
    return rc;
}

static int qual_can_write(const Actor *a, Err *e)
{
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改资质记录");
    }
    return 0;
}

int qual_create(Db *db, const Actor *a, int64_t enterprise_id,
                const QualInput *in, const QualSource *src, int64_t *id_out,
                Err *e)
{
    char path[ACTOR_PATH_MAX];
    json_t *after = NULL;
    int64_t id = 0;
    int rc;

    rc = qual_can_write(a, e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = ent_writable_path(db, a, enterprise_id, path, sizeof path, e);
    if (rc == 0) {
        rc = qual_insert(db, a->user_id, enterprise_id, in, src, &id, e);
    }
    if (rc == 0) {
        rc = qual_get(db, id, &after, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "qual.create", "enterprise", enterprise_id,
                          path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    } else if (id_out) {
        *id_out = id;
    }
    json_decref(after);
    return rc;
}

/* Start a write on record id of enterprise_id: transaction, scope, the
 * record as before. On failure nothing is open. */
static int qual_open(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                     char path[ACTOR_PATH_MAX], json_t **before, Err *e)
{
    int rc;

    *before = NULL;
    rc = qual_can_write(a, e);
    if (rc == 0) {
        rc = db_begin(db, e);
    }
    if (rc) {
        return rc;
    }
    rc = ent_writable_path(db, a, enterprise_id, path, ACTOR_PATH_MAX, e);
    if (rc == 0) {
        rc = qual_get(db, id, before, e);
    }
    if (rc == 0 && json_integer_value(json_object_get(
                       *before, "enterprise_id")) != enterprise_id) {
        rc = err_set(e, ERR_NOTFOUND, "qual_id", "资质记录不存在");
    }
    if (rc) {
        db_rollback(db);
        json_decref(*before);
        *before = NULL;
    }
    return rc;
}

/* Finish a write: read after, audit, commit (rollback on failure). */
static int qual_close(Db *db, const Actor *a, const char *action,
                      int64_t enterprise_id, int64_t id, const char *path,
                      json_t *before, int rc, Err *e)
{
    json_t *after = NULL;

    if (rc == 0) {
        rc = qual_get(db, id, &after, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, action, "enterprise", enterprise_id, path,
                          before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

static int qual_ended(json_t *before, Err *e)
{
    const char *s = json_string_value(json_object_get(before, "status"));

    if (s && strcmp(s, "valid") != 0) {
        return err_set(e, ERR_CONFLICT, "qual_id",
                       "该资质已于 %s %s，不能再修改",
                       json_string_value(json_object_get(before, "ended_on")),
                       qual_status_name(s) ? qual_status_name(s) : s);
    }
    return 0;
}

int qual_update(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                const QualInput *in, Err *e)
{
    char path[ACTOR_PATH_MAX], now[CLOCK_ISO_LEN];
    json_t *before = NULL;
    QualRec *r = xcalloc(1, sizeof *r);
    int rc;

    rc = qual_check(in, r, e);
    if (rc == 0) {
        rc = qual_open(db, a, enterprise_id, id, path, &before, e);
        if (rc == 0) {
            rc = qual_ended(before, e);
            if (rc == 0) {
                rc = qual_check_dup(db, r, id, e);
            }
            if (rc == 0) {
                const char *basis =
                    r->basis
                        ? r->basis
                        : json_string_value(json_object_get(before, "basis"));
                clock_now_iso(now, 0);
                rc = db_exec_v(
                    db, e,
                    "UPDATE qualifications SET kind = $1, level = $2, "
                    "cert_no = $3, batch = $4, year = $5, issued_on = $6, "
                    "valid_from = $7, valid_to = $8, basis = $9, note = $10, "
                    "cert_name = $11, updated_at = $12 WHERE id = $13",
                    "ttttittttttti", r->kind->code, r->level,
                    r->cert_no[0] ? r->cert_no : NULL,
                    r->batch[0] ? r->batch : NULL, r->year,
                    r->issued[0] ? r->issued : NULL, r->from,
                    r->to[0] ? r->to : NULL, basis, r->note[0] ? r->note : NULL,
                    r->cert_name[0] ? r->cert_name : NULL, now, id);
            }
            rc = qual_close(db, a, "qual.update", enterprise_id, id, path,
                            before, rc, e);
        }
    }
    free(r);
    return rc;
}

int qual_end(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
             const char *status, const char *ended_on, const char *reason,
             Err *e)
{
    char path[ACTOR_PATH_MAX], now[CLOCK_ISO_LEN], date[DATE_ISO_SIZE];
    char rsn[QUAL_NOTE_MAX * 4 + 1];
    json_t *before = NULL;
    const char *from, *issued;
    int rc;

    if (!status || !qual_status_name(status) || strcmp(status, "valid") == 0) {
        return err_set(e, ERR_INVALID, "status",
                       "终止方式应为 revoked（撤销）、cancelled（取消）、"
                       "moved_out（迁出）或 deregistered（注销）");
    }
    rc = qual_date(ended_on, date, "ended_on", "终止日期", e);
    if (rc == 0 && !date[0]) {
        rc = err_set(e, ERR_INVALID, "ended_on", "请填写终止日期");
    }
    if (rc == 0) {
        rc = valid_text(reason ? reason : "", 1, QUAL_NOTE_MAX, rsn, sizeof rsn,
                        "end_reason", "终止原因", e);
    }
    if (rc) {
        return rc;
    }
    rc = qual_open(db, a, enterprise_id, id, path, &before, e);
    if (rc) {
        return rc;
    }
    rc = qual_ended(before, e);
    from = json_string_value(json_object_get(before, "valid_from"));
    issued = json_string_value(json_object_get(before, "issued_on"));
    if (rc == 0 && ((from && strcmp(date, from) < 0) ||
                    (issued && strcmp(date, issued) < 0))) {
        rc = err_set(e, ERR_INVALID, "ended_on",
                     "终止日期（%s）早于证书的认定日期或有效期起（%s）", date,
                     issued && strcmp(issued, from ? from : "") < 0 ? issued
                                                                    : from);
    }
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(db, e,
                       "UPDATE qualifications SET status = $1, ended_on = $2, "
                       "end_reason = $3, updated_at = $4 WHERE id = $5",
                       "tttti", status, date, rsn, now, id);
    }
    return qual_close(db, a, "qual.end", enterprise_id, id, path, before, rc,
                      e);
}

int qual_rename(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                const char *new_name, const char *renamed_on, Err *e)
{
    char path[ACTOR_PATH_MAX], now[CLOCK_ISO_LEN], date[DATE_ISO_SIZE];
    char name[QUAL_TEXT_MAX * 4 + 1];
    json_t *before = NULL;
    const char *from;
    int rc;

    rc = valid_text(new_name ? new_name : "", 1, QUAL_TEXT_MAX, name,
                    sizeof name, "cert_name", "更名后的企业名称", e);
    if (rc == 0) {
        rc = qual_date(renamed_on, date, "renamed_on", "更名日期", e);
    }
    if (rc == 0 && !date[0]) {
        rc = err_set(e, ERR_INVALID, "renamed_on", "请填写更名日期");
    }
    if (rc) {
        return rc;
    }
    rc = qual_open(db, a, enterprise_id, id, path, &before, e);
    if (rc) {
        return rc;
    }
    rc = qual_ended(before, e);
    from = json_string_value(json_object_get(before, "valid_from"));
    if (rc == 0 && from && strcmp(date, from) < 0) {
        rc = err_set(e, ERR_INVALID, "renamed_on",
                     "更名日期（%s）早于有效期起（%s）", date, from);
    }
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(db, e,
                       "UPDATE qualifications SET cert_name = $1, renamed_on "
                       "= $2, updated_at = $3 WHERE id = $4",
                       "ttti", name, date, now, id);
    }
    return qual_close(db, a, "qual.rename", enterprise_id, id, path, before, rc,
                      e);
}

/* ---- lists --------------------------------------------------------- */

int qual_list_ent(Db *db, const Actor *a, int64_t enterprise_id, json_t **items,
                  Err *e)
{
    char path[ACTOR_PATH_MAX];
    json_t *arr = json_array();
    DbStmt *st = NULL;
    Date today = date_today();
    int rc;

    *items = NULL;
    rc = ent_unit_path(db, enterprise_id, path, sizeof path, NULL, e);
    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path))) {
        rc = err_set(e, ERR_NOTFOUND, "id", "企业不存在");
    }
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT " QUAL_COLS " FROM qualifications q WHERE "
                          "q.enterprise_id = $1 ORDER BY q.valid_from DESC, "
                          "q.id DESC",
                          "i", enterprise_id);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(arr, qual_row_json(st, 0, today));
        rc = 0;
    }
    db_finalize(st);
    if (rc != DB_DONE && rc != 0) {
        json_decref(arr);
        return rc;
    }
    *items = arr;
    return 0;
}

static const SqlqSort qual_sorts[] = {
    {"valid_to", "q.valid_to", 1},
    {"issued_on", "q.issued_on", 1},
    {"valid_from", "q.valid_from", 0},
    {"kind", "q.kind", 0},
    {"name", "e.name", 0},
    {"cert_no", "q.cert_no", 1},
    {"id", "q.id", 0},
};

/* Buffers a filter's bound texts point into while the query lives. */
typedef struct QualArgs {
    char scope[ACTOR_PATH_MAX];
    char today[DATE_ISO_SIZE];
    char valid_on[DATE_ISO_SIZE];
    char exp_from[DATE_ISO_SIZE];
    char exp_to[DATE_ISO_SIZE];
    char like[256];
} QualArgs;

/* Append FROM ... WHERE of the list for f and a's scope to q. */
static int qual_where(Db *db, const Actor *a, const QualFilter *f, Sqlq *q,
                      QualArgs *x, Err *e)
{
    int k, rc;

    snprintf(x->scope, sizeof x->scope, "%s", a->unit_path);
    if (f->unit_id) {
        rc = org_path(db, f->unit_id, x->scope, sizeof x->scope, NULL, e);
        if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, x->scope))) {
            return err_set(e, ERR_INVALID, "unit_id", "单位不存在");
        }
        if (rc) {
            return rc;
        }
    }
    sqlq_addf(q, " FROM qualifications q JOIN enterprises e ON e.id = "
                 "q.enterprise_id JOIN org_units o ON o.id = e.unit_id "
                 "WHERE 1=1");
    k = sqlq_text(q, x->scope);
    sqlq_addf(q, " AND substr(o.path, 1, length($%d)) = $%d", k, k);
    if (f->kind && *f->kind) {
        if (!qual_kind_find(f->kind)) {
            return err_set(e, ERR_INVALID, "kind", "资质类型不正确");
        }
        sqlq_addf(q, " AND q.kind = $%d", sqlq_text(q, f->kind));
    }
    if (f->enterprise_id) {
        sqlq_addf(q, " AND q.enterprise_id = $%d",
                  sqlq_int(q, f->enterprise_id));
    }
    if (f->valid_on && *f->valid_on) {
        rc = qual_date(f->valid_on, x->valid_on, "valid_on", "有效日期", e);
        if (rc) {
            return rc;
        }
        k = sqlq_text(q, x->valid_on);
        sqlq_addf(q,
                  " AND q.valid_from <= $%d AND (q.valid_to IS NULL OR "
                  "q.valid_to >= $%d) AND (q.ended_on IS NULL OR q.ended_on "
                  "> $%d)",
                  k, k, k);
    }
    rc = qual_date(f->expires_from, x->exp_from, "expires_from", "到期日起", e);
    if (rc == 0) {
        rc = qual_date(f->expires_to, x->exp_to, "expires_to", "到期日止", e);
    }
    if (rc) {
        return rc;
    }
    if (x->exp_from[0]) {
        sqlq_addf(q, " AND q.valid_to >= $%d", sqlq_text(q, x->exp_from));
    }
    if (x->exp_to[0]) {
        sqlq_addf(q, " AND q.valid_to <= $%d", sqlq_text(q, x->exp_to));
    }
    if (f->state && *f->state) {
        date_format_iso(date_today(), x->today);
        k = sqlq_text(q, x->today);
        if (strcmp(f->state, "valid") == 0) {
            sqlq_addf(q,
                      " AND q.valid_from <= $%d AND (q.valid_to IS NULL OR "
                      "q.valid_to >= $%d) AND (q.ended_on IS NULL OR "
                      "q.ended_on > $%d)",
                      k, k, k);
        } else if (strcmp(f->state, "ended") == 0) {
            sqlq_addf(q, " AND q.ended_on <= $%d", k);
        } else if (strcmp(f->state, "expired") == 0) {
            sqlq_addf(q,
                      " AND q.valid_to < $%d AND (q.ended_on IS NULL OR "
                      "q.ended_on > $%d)",
                      k, k);
        } else {
            return err_set(e, ERR_INVALID, "state",
                           "状态应为 valid（%s）、expired（%s）或 ended（%s）",
                           qual_state_name("valid"), qual_state_name("expired"),
                           qual_state_name("ended"));
        }
    }
    if (f->q && *f->q) {
        char t[QUAL_TEXT_MAX * 4 + 1];
        size_t n = 0;

        rc = valid_text(f->q, 0, 50, t, sizeof t, "q", "搜索", e);
        if (rc) {
            return rc;
        }
        x->like[n++] = '%';
        for (const char *p = t; *p && n + 3 < sizeof x->like; p++) {
            if (*p == '%' || *p == '_' || *p == '\\') {
                x->like[n++] = '\\';
            }
            x->like[n++] = *p;
        }
        x->like[n++] = '%';
        x->like[n] = '\0';
        k = sqlq_text(q, x->like);
        sqlq_addf(q,
                  " AND (e.name LIKE $%d ESCAPE '\\' OR e.uscc LIKE $%d "
                  "ESCAPE '\\' OR q.cert_no LIKE $%d ESCAPE '\\')",
                  k, k, k);
    }
    return 0;
}

int qual_list(Db *db, const Actor *a, const QualFilter *f, int64_t offset,
              int64_t limit, json_t **items, int64_t *total, Err *e)
{
    QualArgs *x = xcalloc(1, sizeof *x);
    const SqlqSort *col = NULL;
    json_t *arr = json_array();
    DbStmt *st = NULL;
    Date today = date_today();
    int desc = 0;
    Sqlq q, cq;
    int rc;

    *items = NULL;
    *total = 0;
    sqlq_init(&q, "SELECT " QUAL_LIST_COLS);
    sqlq_init(&cq, "SELECT COUNT(*)");
    rc = sqlq_sort_parse(qual_sorts, sizeof qual_sorts / sizeof qual_sorts[0],
                         f->sort, "-valid_from", &col, &desc, e);
    if (rc == 0) {
        rc = qual_where(db, a, f, &cq, x, e);
    }
    if (rc == 0) {
        rc = sqlq_prepare(&cq, db, &st, e);
    }
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *total = db_col_int64(st, 0);
            rc = 0;
        }
    }
    db_finalize(st);
    st = NULL;
    if (rc == 0) {
        rc = qual_where(db, a, f, &q, x, e);
    }
    if (rc == 0) {
        sqlq_add_order(&q, col, desc, "q.id");
        sqlq_addf(&q, " LIMIT $%d OFFSET $%d", sqlq_int(&q, limit),
                  sqlq_int(&q, offset));
        rc = sqlq_prepare(&q, db, &st, e);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(arr, qual_row_json(st, 1, today));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    sqlq_release(&q);
    sqlq_release(&cq);
    free(x);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *items = arr;
    return 0;
}

int qual_walk(Db *db, const Actor *a, const QualFilter *f, int64_t max_rows,
              QualRowFn fn, void *ud, Err *e)
{
    json_t *items = NULL;
    int64_t total = 0;
    int rc;

    /* one read: the count first, then every row in the list's order */
    rc = qual_list(db, a, f, 0, 0, &items, &total, e);
    json_decref(items);
    items = NULL;
    if (rc) {
        return rc;
    }
    if (total > max_rows) {
        return err_set(e, ERR_TOOBIG, "format",
                       "符合条件的资质记录超过单次导出上限 %lld 条，请缩小筛选"
                       "范围",
                       (long long)max_rows);
    }
    rc = qual_list(db, a, f, 0, max_rows, &items, &total, e);
    for (size_t i = 0; rc == 0 && i < json_array_size(items); i++) {
        rc = fn(ud, json_array_get(items, i), e);
    }
    json_decref(items);
    return rc;
}

/* ---- counts on a date ------------------------------------------------ */

/* The count query's FROM/WHERE: rows valid on $1 of enterprises under
 * the unit path $2 not retired on or before $1. The enterprise's unit and
 * retirement date are read from the register row itself (unit_id,
 * ent_retired_on: kept in step by the triggers of migration 021), so the
 * counts read one covering index and never the enterprises table. */
#define QUAL_COUNT_VALID                                                       \
    " FROM qualifications q WHERE " QUAL_VALID_ON(                             \
        "q", "1") " AND (q.ent_retired_on IS NULL OR q.ent_retired_on > $1)"
#define QUAL_COUNT_FROM                                                        \
    QUAL_COUNT_VALID " AND q.unit_id IN (SELECT u.id FROM org_units u WHERE "  \
                     "substr(u.path, 1, length($2)) = $2)"

/* Normalise a date argument ("" / NULL = today). */
static int qual_date_arg(const char *in, char out[DATE_ISO_SIZE], Err *e)
{
    int rc = qual_date(in, out, "date", "统计日期", e);

    if (rc == 0 && !out[0]) {
        date_format_iso(date_today(), out);
    }
    return rc;
}

int qual_count_valid(Db *db, const char *kind, const char *date,
                     const char *unit_path_prefix, int64_t *n, Err *e)
{
    char d[DATE_ISO_SIZE];
    int rc;

    *n = 0;
    if (!qual_kind_find(kind)) {
        return err_set(e, ERR_INVALID, "kind", "资质类型不正确");
    }
    rc = qual_date_arg(date, d, e);
    if (rc) {
        return rc;
    }
    return db_query_int64(
        db, n, e,
        "SELECT COUNT(DISTINCT q.enterprise_id)" QUAL_COUNT_FROM
        " AND q.kind = $3",
        "ttt", d,
        unit_path_prefix && *unit_path_prefix ? unit_path_prefix : "/", kind);
}

/* qual_counts on the checked date d within the unit path scope, without
 * the cache. */
static int qual_counts_compute(Db *db, const char *d, const char *scope,
                               int by_unit, json_t **out, Err *e)
{
    json_t *items = json_array(), *units = json_array();
    int64_t counts[32] = {0};
    DbStmt *st = NULL;
    const QualKind *kinds;
    int n_kinds, rc = 0;

    *out = NULL;
    kinds = qual_kinds(&n_kinds);
    {
        /* grouped first, the units of the scope kept after: testing each
         * row's unit against the scope cost more than the few groups */
        rc =
            db_prepare_v(db, &st, e,
                         "SELECT c.kind, c.unit_id, o.name, o.path, c.n FROM "
                         "(SELECT q.kind AS kind, q.unit_id AS unit_id, "
                         "COUNT(DISTINCT q.enterprise_id) AS n" QUAL_COUNT_VALID
                         " GROUP BY q.kind, q.unit_id) c JOIN org_units o ON "
                         "o.id = c.unit_id WHERE substr(o.path, 1, "
                         "length($2)) = $2 ORDER BY o.path, c.kind",
                         "tt", d, scope);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *kind = db_col_text(st, 0);
        rc = 0;
        for (int i = 0; i < n_kinds && i < 32; i++) {
            if (kind && strcmp(kinds[i].code, kind) == 0) {
                counts[i] += db_col_int64(st, 4);
                if (by_unit) {
                    json_array_append_new(
                        units,
                        json_pack("{sssssIsssssI}", "kind", kind, "kind_name",
                                  kinds[i].name, "unit_id",
                                  (json_int_t)db_col_int64(st, 1), "unit_name",
                                  db_col_text(st, 2) ? db_col_text(st, 2) : "",
                                  "unit_path",
                                  db_col_text(st, 3) ? db_col_text(st, 3) : "",
                                  "count", (json_int_t)db_col_int64(st, 4)));
                }
            }
        }
    }
    db_finalize(st);
    if (rc != DB_DONE && rc != 0) {
        json_decref(items);
        json_decref(units);
        return rc;
    }
    /* an enterprise counted under two units cannot happen: one unit each */
    for (int i = 0; i < n_kinds && i < 32; i++) {
        json_array_append_new(
            items, json_pack("{sssssssI}", "kind", kinds[i].code, "kind_name",
                             kinds[i].name, "short_name", kinds[i].short_name,
                             "count", (json_int_t)counts[i]));
    }
    *out = json_pack("{ssso}", "date", d, "items", items);
    if (by_unit) {
        json_object_set_new(*out, "units", units);
    } else {
        json_decref(units);
    }
    return 0;
}

int qual_counts(Db *db, const Actor *a, const char *date, int64_t unit_id,
                int by_unit, json_t **out, Err *e)
{
    char d[DATE_ISO_SIZE], scope[ACTOR_PATH_MAX], mark[QUAL_MARK_MAX];
    char key[QUAL_CACHE_KEY_MAX];
    int rc;

    *out = NULL;
    snprintf(scope, sizeof scope, "%s", a->unit_path);
    rc = qual_date_arg(date, d, e);
    if (rc == 0 && unit_id) {
        rc = org_path(db, unit_id, scope, sizeof scope, NULL, e);
        if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, scope))) {
            rc = err_set(e, ERR_INVALID, "unit_id", "单位不存在");
        }
    }
    /* the mark first: figures of a later write are kept under the older
     * mark, never older figures under a newer one */
    if (rc == 0) {
        rc = qual_cache_mark(db, mark, e);
    }
    if (rc) {
        return rc;
    }
    snprintf(key, sizeof key, "counts|%s|%d|%s", d, by_unit ? 1 : 0, scope);
    *out = qual_cache_get(db, key, mark);
    if (*out) {
        return 0;
    }
    rc = qual_counts_compute(db, d, scope, by_unit, out, e);
    if (rc == 0) {
        qual_cache_put(key, mark, *out);
    }
    return rc;
}

int qual_counts_compare(Db *db, const Actor *a, const char *date,
                        const char *compare, json_t **out, Err *e)
{
    char d[DATE_ISO_SIZE], p[DATE_ISO_SIZE], mark[QUAL_MARK_MAX];
    char key[QUAL_CACHE_KEY_MAX];
    int64_t now[32] = {0}, before[32] = {0};
    json_t *items = NULL;
    DbStmt *st = NULL;
    const QualKind *kinds;
    int n_kinds, rc;

    *out = NULL;
    kinds = qual_kinds(&n_kinds);
    rc = qual_date_arg(date, d, e);
    if (rc == 0) {
        rc = qual_date(compare, p, "compare", "比较日期", e);
    }
    if (rc == 0 && !p[0]) {
        rc = err_set(e, ERR_INVALID, "compare", "请给出比较日期");
    }
    if (rc == 0) {
        rc = qual_cache_mark(db, mark, e);
    }
    if (rc) {
        return rc;
    }
    snprintf(key, sizeof key, "compare|%s|%s|%s", d, p, a->unit_path);
    *out = qual_cache_get(db, key, mark);
    if (*out) {
        return 0;
    }
    /* one pass over the rows valid on either date, grouped by kind and
     * unit as qual_counts does; the scope's units kept after grouping */
    rc = db_prepare_v(
        db, &st, e,
        "SELECT c.kind, c.n1, c.n2 FROM (SELECT q.kind AS kind, q.unit_id AS "
        "unit_id, COUNT(DISTINCT CASE WHEN " QUAL_VALID_ON(
            "q", "1") " AND (q.ent_retired_on IS NULL OR q.ent_retired_on > "
                      "$1) THEN q.enterprise_id END) AS n1, COUNT(DISTINCT "
                      "CASE WHEN " QUAL_VALID_ON(
                          "q", "3") " AND (q.ent_retired_on IS NULL OR "
                                    "q.ent_retired_on > $3) THEN "
                                    "q.enterprise_id END) AS n2 FROM "
                                    "qualifications q WHERE (" QUAL_VALID_ON(
                                        "q",
                                        "1") " AND (q.ent_retired_on IS NULL "
                                             "OR q.ent_retired_on > $1)) OR "
                                             "(" QUAL_VALID_ON(
                                                 "q",
                                                 "3") " AND (q.ent_retired_on "
                                                      "IS NULL OR "
                                                      "q.ent_retired_on > "
                                                      "$3)) GROUP BY q.kind, "
                                                      "q.unit_id) c JOIN "
                                                      "org_units o ON o.id = "
                                                      "c.unit_id WHERE "
                                                      "substr(o.path, 1, "
                                                      "length($2)) = $2",
        "ttt", d, a->unit_path, p);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const char *kind = db_col_text(st, 0);
        rc = 0;
        for (int i = 0; kind && i < n_kinds && i < 32; i++) {
            if (strcmp(kinds[i].code, kind) == 0) {
                now[i] += db_col_int64(st, 1);
                before[i] += db_col_int64(st, 2);
                break;
            }
        }
    }
    db_finalize(st);
    if (rc != DB_DONE && rc != 0) {
        return rc;
    }
    items = json_array();
    for (int i = 0; i < n_kinds && i < 32; i++) {
        json_array_append_new(
            items,
            json_pack("{sssssssIsI}", "kind", kinds[i].code, "kind_name",
                      kinds[i].name, "short_name", kinds[i].short_name, "count",
                      (json_int_t)now[i], "compare", (json_int_t)before[i]));
    }
    *out = json_pack("{ssssso}", "date", d, "compare_date", p, "items", items);
    if (!*out) {
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    qual_cache_put(key, mark, *out);
    return 0;
}
