/* decl.c - declared rule inputs (see decl.h). */
#include "domain/eligibility/decl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/money.h"
#include "base/valid.h"
#include "domain/accounts/audit.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/library/ent.h"
#include "domain/library/recrule.h"
#include "rules/ast.h" /* UN_* units of catalogue fields */
#include "rules/field.h"

/* The declarable fields are listed in rules/field.c (rule_decl_fields),
 * shared with the declarations import. */
const char *const *decl_fields(void)
{
    return rule_decl_fields();
}

int decl_field_ok(const char *field)
{
    return rule_decl_field_ok(field);
}

/* value (engine form) as the API shows it. */
static json_t *value_json(int unit, int64_t v)
{
    Buf b;
    json_t *j;
    char d[DATE_ISO_SIZE];

    switch (unit) {
    case UN_BOOL:
        return json_boolean(v != 0);
    case UN_YUAN:
    case UN_USD:
        buf_init(&b, 64);
        money_format_wan(v, &b);
        j = json_string(b.data);
        buf_release(&b);
        return j;
    case UN_DATE:
        date_format_iso((Date)v, d);
        return json_string(d);
    default:
        return json_integer(v);
    }
}

static json_t *text_or_null(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);

    return s ? json_string(s) : json_null();
}

/* The current declarations as JSON items. */
static int decl_items(Db *db, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    json_t *arr = json_array();
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT field, year, value, valid_from, valid_to, "
                      "verified, note, src_kind, src_user_id, src_at FROM "
                      "enterprise_declarations WHERE enterprise_id = $1 "
                      "ORDER BY field, year",
                      "i", (int64_t)id);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        const RuleField *f =
            rule_field_get(rule_field_find(db_col_text(st, 0)));
        json_t *o = json_object();

        json_object_set_new(o, "field", json_string(db_col_text(st, 0)));
        json_object_set_new(o, "label", json_string(f ? f->label : ""));
        json_object_set_new(o, "year",
                            db_col_int64(st, 1)
                                ? json_integer(db_col_int64(st, 1))
                                : json_null());
        json_object_set_new(
            o, "value", value_json(f ? f->unit : UN_NONE, db_col_int64(st, 2)));
        json_object_set_new(o, "valid_from", text_or_null(st, 3));
        json_object_set_new(o, "valid_to", text_or_null(st, 4));
        json_object_set_new(o, "verified", json_boolean(db_col_int64(st, 5)));
        json_object_set_new(o, "note", text_or_null(st, 6));
        json_object_set_new(o, "src_kind", text_or_null(st, 7));
        json_object_set_new(o, "src_user_id",
                            db_col_is_null(st, 8)
                                ? json_null()
                                : json_integer(db_col_int64(st, 8)));
        json_object_set_new(o, "src_at", text_or_null(st, 9));
        json_array_append_new(arr, o);
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

int decl_get(Db *db, int64_t id, json_t **out, Err *e)
{
    json_t *items = NULL, *defs = json_array();
    int rc = decl_items(db, id, &items, e);

    if (rc) {
        json_decref(defs);
        return rc;
    }
    const char *const *fields = rule_decl_fields();

    for (int i = 0; fields[i]; i++) {
        const RuleField *f = rule_field_get(rule_field_find(fields[i]));

        json_array_append_new(
            defs, json_pack("{ssssssss}", "name", f->name, "label", f->label,
                            "kind", f->kind == RF_YEARLY ? "yearly" : "scalar",
                            "type", elig_unit_type(f->unit)));
    }
    *out = json_pack("{soso}", "items", items, "fields", defs);
    return 0;
}

/* One validated item. */
typedef struct DeclItem {
    char field[64];
    int year;
    int64_t value;
    char from[DATE_ISO_SIZE];
    char to[DATE_ISO_SIZE];
    int verified;
    char note[DECL_NOTE_MAX * 4 + 1];
} DeclItem;

/* An item as the cross-field rules read it. */
static const char *decl_item_text(void *ctx, const char *key)
{
    const DeclItem *it = ctx;

    if (strcmp(key, "valid_from") == 0) {
        return it->from;
    }
    if (strcmp(key, "valid_to") == 0) {
        return it->to;
    }
    if (strcmp(key, "field") == 0) {
        return it->field;
    }
    return NULL;
}

static int decl_item_int(void *ctx, const char *key, int64_t *out)
{
    const DeclItem *it = ctx;

    if (strcmp(key, "year") == 0) {
        *out = it->year;
        return 1;
    }
    return 0;
}

/* Optional ISO date member of o. */
static int item_date(json_t *o, const char *key, char out[DATE_ISO_SIZE],
                     const char *name, Err *e)
{
    json_t *v = json_object_get(o, key);
    Date d;

    out[0] = '\0';
    if (!v || json_is_null(v)) {
        return 0;
    }
    if (!json_is_string(v) ||
        date_parse(json_string_value(v), &d, name, e) != 0) {
        return err_set(e, ERR_INVALID, name, "%s 应为日期 YYYY-MM-DD", name);
    }
    date_format_iso(d, out);
    return 0;
}

/* The value member, checked against the field's unit. */
static int item_value(json_t *v, const RuleField *f, int64_t *out,
                      const char *name, Err *e)
{
    Date d;

    switch (f->unit) {
    case UN_BOOL:
        if (json_is_boolean(v)) {
            *out = json_is_true(v);
            return 0;
        }
        if (json_is_string(v) && (strcmp(json_string_value(v), "是") == 0 ||
                                  strcmp(json_string_value(v), "否") == 0)) {
            *out = strcmp(json_string_value(v), "是") == 0;
            return 0;
        }
        return err_set(e, ERR_INVALID, name, "%s（%s）应为 true/false", name,
                       f->label);
    case UN_YUAN:
    case UN_USD:
        if (!json_is_string(v)) {
            return err_set(e, ERR_INVALID, name,
                           "%s（%s）应为以万为单位的数字文本", name, f->label);
        }
        return money_parse_wan(json_string_value(v), out, 0, name, e);
    case UN_DATE:
        if (!json_is_string(v) ||
            date_parse(json_string_value(v), &d, name, e) != 0) {
            return err_set(e, ERR_INVALID, name, "%s（%s）应为日期 YYYY-MM-DD",
                           name, f->label);
        }
        *out = d;
        return 0;
    default:
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > 1000000) {
            return err_set(e, ERR_INVALID, name,
                           "%s（%s）应为 0～1000000 的整数", name, f->label);
        }
        *out = json_integer_value(v);
        return 0;
    }
}

/* Validate item i of the request. */
static int item_check(const Actor *a, json_t *o, size_t i, DeclItem *it, Err *e)
{
    static const char *const keys[] = {"field",      "year",     "value",
                                       "valid_from", "valid_to", "verified",
                                       "note",       NULL};
    const char *key;
    json_t *v;
    const RuleField *f;
    char name[64];
    int rc;

    memset(it, 0, sizeof *it);
    if (!json_is_object(o)) {
        snprintf(name, sizeof name, "items[%zu]", i);
        return err_set(e, ERR_INVALID, name, "第 %zu 项应为对象", i + 1);
    }
    json_object_foreach(o, key, v)
    {
        int ok = 0;

        for (int k = 0; keys[k]; k++) {
            ok |= strcmp(keys[k], key) == 0;
        }
        if (!ok) {
            snprintf(name, sizeof name, "items[%zu].%.30s", i, key);
            return err_set(e, ERR_INVALID, name, "第 %zu 项：未知字段 %s",
                           i + 1, key);
        }
    }
    snprintf(name, sizeof name, "items[%zu].field", i);
    v = json_object_get(o, "field");
    if (!json_is_string(v) || !decl_field_ok(json_string_value(v))) {
        return err_set(e, ERR_INVALID, name, "第 %zu 项：不能申报的字段 %s",
                       i + 1, json_is_string(v) ? json_string_value(v) : "");
    }
    snprintf(it->field, sizeof it->field, "%s", json_string_value(v));
    f = rule_field_get(rule_field_find(it->field));
    snprintf(name, sizeof name, "items[%zu].year", i);
    v = json_object_get(o, "year");
    /* whether the field takes a year is a cross-field rule (recrule.c) */
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 1900 ||
            json_integer_value(v) > 2999) {
            return err_set(e, ERR_INVALID, name,
                           "第 %zu 项：年度应为 1900～2999 的整数", i + 1);
        }
        it->year = (int)json_integer_value(v);
    }
    snprintf(name, sizeof name, "items[%zu].value", i);
    v = json_object_get(o, "value");
    if (!v || json_is_null(v)) {
        return err_set(e, ERR_INVALID, name, "第 %zu 项：缺少 value", i + 1);
    }
    rc = item_value(v, f, &it->value, name, e);
    if (rc == 0) {
        snprintf(name, sizeof name, "items[%zu].valid_from", i);
        rc = item_date(o, "valid_from", it->from, name, e);
    }
    if (rc == 0) {
        snprintf(name, sizeof name, "items[%zu].valid_to", i);
        rc = item_date(o, "valid_to", it->to, name, e);
    }
    if (rc == 0) {
        /* 年度 only for yearly fields, 有效期止 >= 有效期起 (recrule.c) */
        RecRow row = {it, decl_item_int, decl_item_text};
        const RecRule *bad = NULL;
        Err re;
        if (recrule_check(RECRULE_DECLARATIONS, &row, NULL, &bad, &re)) {
            snprintf(name, sizeof name, "items[%zu].%s", i, bad->field);
            rc = err_set(e, ERR_INVALID, name, "第 %zu 项：%s", i + 1, re.msg);
        }
    }
    if (rc) {
        return rc;
    }
    v = json_object_get(o, "verified");
    if (v && !json_is_null(v)) {
        snprintf(name, sizeof name, "items[%zu].verified", i);
        if (!json_is_boolean(v)) {
            return err_set(e, ERR_INVALID, name,
                           "第 %zu 项：verified 应为 "
                           "true/false",
                           i + 1);
        }
        it->verified = json_is_true(v);
        if (it->verified && a->role != ROLE_ADMIN && a->role != ROLE_STAFF) {
            return err_set(e, ERR_FORBIDDEN, name,
                           "只有科技局业务人员可以标记为已核实");
        }
    }
    v = json_object_get(o, "note");
    if (v && !json_is_null(v)) {
        snprintf(name, sizeof name, "items[%zu].note", i);
        if (!json_is_string(v)) {
            return err_set(e, ERR_INVALID, name, "第 %zu 项：note 应为文本",
                           i + 1);
        }
        rc = valid_text(json_string_value(v), 0, DECL_NOTE_MAX, it->note,
                        sizeof it->note, name, "备注", e);
    }
    return rc;
}

int decl_put_raw(Db *db, int64_t id, const char *field, int year, int64_t value,
                 const char *valid_from, const char *valid_to, int verified,
                 const char *src_kind, const char *src_at, Err *e)
{
    return db_exec_v(
        db, e,
        "INSERT INTO enterprise_declarations (enterprise_id, field, year, "
        "value, valid_from, valid_to, verified, src_kind, src_at) VALUES "
        "($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (enterprise_id, "
        "field, year) DO UPDATE SET value = excluded.value, valid_from = "
        "excluded.valid_from, valid_to = excluded.valid_to, verified = "
        "excluded.verified, note = NULL, src_kind = excluded.src_kind, "
        "src_user_id = NULL, src_at = excluded.src_at",
        "itiittitt", (int64_t)id, field, (int64_t)year, value,
        valid_from && *valid_from ? valid_from : NULL,
        valid_to && *valid_to ? valid_to : NULL, (int64_t)verified, src_kind,
        src_at);
}

int decl_put(Db *db, const Actor *a, int64_t id, json_t *items, Err *e)
{
    DeclItem *its = NULL;
    json_t *before = NULL, *after = NULL;
    char path[ACTOR_PATH_MAX], now[CLOCK_ISO_LEN];
    size_t i, n;
    int rc;

    if (!json_is_array(items)) {
        return err_set(e, ERR_INVALID, "items", "items 应为数组");
    }
    n = json_array_size(items);
    if (n > DECL_MAX) {
        return err_set(e, ERR_TOOBIG, "items", "申报项最多 %d 项", DECL_MAX);
    }
    its = calloc(n ? n : 1, sizeof *its);
    if (!its) {
        return err_set(e, ERR_INTERNAL, "items", "内存不足");
    }
    for (i = 0; i < n; i++) {
        rc = item_check(a, json_array_get(items, i), i, &its[i], e);
        for (size_t j = 0; rc == 0 && j < i; j++) {
            if (strcmp(its[j].field, its[i].field) == 0 &&
                its[j].year == its[i].year) {
                char name[32];

                snprintf(name, sizeof name, "items[%zu].field", i);
                rc = err_set(e, ERR_INVALID, name, "第 %zu 项与第 %zu 项重复",
                             i + 1, j + 1);
            }
        }
        if (rc) {
            goto out;
        }
    }
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = ent_writable_path(db, a, id, path, sizeof path, e);
    if (rc == 0) {
        rc = decl_items(db, id, &before, e);
    }
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "DELETE FROM enterprise_declarations WHERE "
                       "enterprise_id = $1",
                       "i", (int64_t)id);
    }
    clock_now_iso(now, 0);
    for (i = 0; rc == 0 && i < n; i++) {
        rc = db_exec_v(
            db, e,
            "INSERT INTO enterprise_declarations (enterprise_id, field, year, "
            "value, valid_from, valid_to, verified, note, src_kind, "
            "src_user_id, src_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
            "'user', $9, $10)",
            "itiittitit", (int64_t)id, its[i].field, (int64_t)its[i].year,
            its[i].value, its[i].from[0] ? its[i].from : NULL,
            its[i].to[0] ? its[i].to : NULL, (int64_t)its[i].verified,
            its[i].note[0] ? its[i].note : NULL, (int64_t)a->user_id, now);
    }
    if (rc == 0) {
        rc = decl_items(db, id, &after, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "decl.put", "enterprise", id, path, before,
                          after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
out:
    json_decref(before);
    json_decref(after);
    free(its);
    return rc;
}
