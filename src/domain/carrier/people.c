/* people.c - talent counts, named talents and listing candidates (see
 * people.h). */
#include "domain/carrier/people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "domain/carrier/carrier.h"
#include "domain/carrier/carrier_util.h"
#include "domain/library/ent.h"

#define N_OF(x) (sizeof(x) / sizeof((x)[0]))

typedef struct CodeName {
    const char *code, *name;
} CodeName;

static const CodeName talent_programmes[] = {
    {"haihe", "海河英才（引进）"},
    {"high_level", "高层次人才"},
    {"leading", "领军人才"},
    {"doctor", "博士"},
    {"master", "硕士"},
};
static const CodeName listing_stages[] = {
    {"cultivate", "培育"}, {"tutoring", "辅导"}, {"filed", "申报"},
    {"approved", "过会"},  {"listed", "上市"},
};
static const CodeName listing_boards[] = {
    {"main", "主板"},          {"chinext", "创业板"}, {"star", "科创板"},
    {"bse", "北京证券交易所"}, {"neeq", "新三板"},    {"hk", "香港联交所"},
    {"overseas", "境外市场"},
};

static const char *cn(const CodeName *t, size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++) {
        if (strcmp(code, t[i].code) == 0) {
            return t[i].name;
        }
    }
    return NULL;
}

const char *talent_programme_name(const char *code)
{
    return cn(talent_programmes, N_OF(talent_programmes), code);
}

const char *listing_stage_name(const char *code)
{
    return cn(listing_stages, N_OF(listing_stages), code);
}

const char *listing_board_name(const char *code)
{
    return cn(listing_boards, N_OF(listing_boards), code);
}

static json_t *cn_list(const CodeName *t, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        json_array_append_new(
            arr, json_pack("{ssss}", "value", t[i].code, "label", t[i].name));
    }
    return arr;
}

json_t *people_reference_json(void)
{
    return json_pack(
        "{sososo}", "talent_programmes",
        cn_list(talent_programmes, N_OF(talent_programmes)), "listing_stages",
        cn_list(listing_stages, N_OF(listing_stages)), "listing_boards",
        cn_list(listing_boards, N_OF(listing_boards)));
}

int talent_may_see_named(const Actor *a)
{
    return a->role == ROLE_ADMIN || a->role == ROLE_STAFF ||
           a->role == ROLE_LEADER;
}

/* ---- talent counts ---- */

static int counts_json(Db *db, int64_t ent, int year, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *out = json_object();
    rc = db_prepare_v(db, &st, e,
                      "SELECT programme, people FROM talent_counts WHERE "
                      "enterprise_id = $1 AND year = $2 ORDER BY programme",
                      "ii", ent, (int64_t)year);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_object_set_new(*out, db_col_text(st, 0),
                            json_integer(db_col_int64(st, 1)));
        rc = 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int talent_counts_put(Db *db, const Actor *a, int64_t enterprise_id, int year,
                      json_t *counts, Err *e)
{
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    json_t *before = NULL, *after = NULL;
    const char *key;
    json_t *v;
    int own = !db_in_tx(db); /* an import holds its own transaction */
    int rc;

    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改人才数据");
    }
    if (year < 1900 || year > 2999) {
        return err_set(e, ERR_INVALID, "year", "年度应在 1900～2999 之间");
    }
    if (!json_is_object(counts) || json_object_size(counts) == 0) {
        return err_set(e, ERR_INVALID, "counts", "请填写至少一项人才数");
    }
    json_object_foreach(counts, key, v)
    {
        if (!talent_programme_name(key)) {
            return err_set(e, ERR_INVALID, key,
                           "“%s”不是人才类别（haihe 海河英才、high_level "
                           "高层次人才、leading 领军人才、doctor 博士、master "
                           "硕士）",
                           key);
        }
        if (!json_is_null(v) &&
            (!json_is_integer(v) || json_integer_value(v) < 0 ||
             json_integer_value(v) > 1000000)) {
            return err_set(e, ERR_INVALID, key, "%s人数应为 0～1000000 的整数",
                           talent_programme_name(key));
        }
    }
    rc = own ? db_begin(db, e) : 0;
    if (rc) {
        return rc;
    }
    rc = ent_writable_path(db, a, enterprise_id, path, sizeof path, e);
    if (rc == 0) {
        rc = counts_json(db, enterprise_id, year, &before, e);
    }
    clock_now_iso(now, 0);
    json_object_foreach(counts, key, v)
    {
        if (rc) {
            break;
        }
        if (json_is_null(v)) {
            rc = db_exec_v(db, e,
                           "DELETE FROM talent_counts WHERE enterprise_id = "
                           "$1 AND year = $2 AND programme = $3",
                           "iit", enterprise_id, (int64_t)year, key);
        } else {
            rc = db_exec_v(db, e,
                           "INSERT INTO talent_counts (enterprise_id, year, "
                           "programme, people, src_kind, src_user_id, src_at) "
                           "VALUES ($1, $2, $3, $4, 'user', $5, $6) ON "
                           "CONFLICT (enterprise_id, year, programme) DO "
                           "UPDATE SET people = $4, src_kind = 'user', "
                           "src_user_id = $5, src_at = $6",
                           "iitiit", enterprise_id, (int64_t)year, key,
                           (int64_t)json_integer_value(v), a->user_id, now);
        }
    }
    if (rc == 0) {
        rc = counts_json(db, enterprise_id, year, &after, e);
    }
    if (rc == 0) {
        json_t *b = json_pack("{siso}", "year", year, "counts", before);
        json_t *aa = json_pack("{siso}", "year", year, "counts", after);
        before = after = NULL;
        rc = audit_record(db, a, "talent.counts_put", "enterprise",
                          enterprise_id, path, b, aa, e);
        json_decref(b);
        json_decref(aa);
    }
    if (rc == 0 && own) {
        rc = db_commit(db, e);
    }
    if (rc && own) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

int talent_counts_list(Db *db, const Actor *a, int year, int64_t enterprise_id,
                       int64_t offset, int64_t limit, json_t **items,
                       int64_t *total, json_t **sums, Err *e)
{
    DbStmt *st = NULL;
    json_t *cur = NULL;
    int64_t cur_ent = 0, cur_year = 0;
    int64_t row = 0;
    Sqlq q;
    int rc;

    *items = json_array();
    *sums = json_object();
    *total = 0;
    for (size_t i = 0; i < N_OF(talent_programmes); i++) {
        json_object_set_new(*sums, talent_programmes[i].code, json_integer(0));
    }
    /* rows ordered by enterprise and year; paging over (enterprise, year) */
    sqlq_init(&q, "SELECT tc.enterprise_id, en.name, en.uscc, o.name, "
                  "tc.year, tc.programme, tc.people FROM talent_counts tc "
                  "JOIN enterprises en ON en.id = tc.enterprise_id JOIN "
                  "org_units o ON o.id = en.unit_id WHERE 1=1");
    cu_scope(&q, a, "o.path");
    if (year) {
        sqlq_addf(&q, " AND tc.year = $%d", sqlq_int(&q, year));
    }
    if (enterprise_id) {
        sqlq_addf(&q, " AND tc.enterprise_id = $%d",
                  sqlq_int(&q, enterprise_id));
    }
    sqlq_addf(&q, " ORDER BY en.name, tc.enterprise_id, tc.year DESC, "
                  "tc.programme LIMIT 1000000");
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t ent = db_col_int64(st, 0);
        int64_t y = db_col_int64(st, 4);
        const char *prog = db_col_text(st, 5);
        int64_t n = db_col_int64(st, 6);
        json_t *s = json_object_get(*sums, prog);

        if (s) {
            json_integer_set(s, json_integer_value(s) + n);
        }
        if (ent != cur_ent || y != cur_year) {
            cur_ent = ent;
            cur_year = y;
            cur = NULL;
            if (row >= offset && row < offset + limit) {
                cur = json_pack("{sIsosososIsosI}", "enterprise_id",
                                (json_int_t)ent, "enterprise_name",
                                cu_col_text(st, 1), "uscc", cu_col_text(st, 2),
                                "unit_name", cu_col_text(st, 3), "year",
                                (json_int_t)y, "counts", json_object(), "total",
                                (json_int_t)0);
                json_array_append_new(*items, cur);
            }
            row++;
        }
        if (cur) {
            json_t *t = json_object_get(cur, "total");
            json_object_set_new(json_object_get(cur, "counts"), prog,
                                json_integer(n));
            json_integer_set(t, json_integer_value(t) + n);
        }
        rc = 0;
    }
    db_finalize(st);
    rc = rc == DB_DONE ? 0 : rc;
    *total = row;
    if (rc) {
        json_decref(*items);
        json_decref(*sums);
        *items = *sums = NULL;
    }
    return rc;
}

/* ---- named talents ---- */

#define TALENT_COLS                                                            \
    "t.id, t.name, t.programme, t.batch, t.enterprise_id, en.name, t.field, "  \
    "t.note, t.created_at, t.updated_at"

static json_t *talent_row_json(DbStmt *st)
{
    const char *p = talent_programme_name(db_col_text(st, 2));

    return json_pack(
        "{sIsosososs?sIsosososo}", "id", (json_int_t)db_col_int64(st, 0),
        "name", cu_col_text(st, 1), "programme", cu_col_text(st, 2), "batch",
        cu_col_text(st, 3), "programme_name", p, "enterprise_id",
        (json_int_t)db_col_int64(st, 4), "enterprise_name", cu_col_text(st, 5),
        "field", cu_col_text(st, 6), "note", cu_col_text(st, 7), "created_at",
        cu_col_text(st, 8));
}

int talent_create(Db *db, const Actor *a, int64_t enterprise_id,
                  const TalentInput *in, int64_t *id_out, Err *e)
{
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    char *name = NULL, *batch = NULL, *field = NULL, *note = NULL;
    json_t *after = NULL;
    DbStmt *st = NULL;
    int64_t id = 0;
    int rc;

    if (!talent_may_see_named(a)) {
        return err_set(e, ERR_NOTFOUND, "id", "对象不存在");
    }
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改人才数据");
    }
    rc = cu_text(in->name, 1, 50, &name, "name", "姓名", e);
    if (rc == 0 && !talent_programme_name(in->programme)) {
        rc = err_set(e, ERR_INVALID, "programme",
                     "人才类别应为 haihe、high_level、leading、doctor 或 "
                     "master");
    }
    if (rc == 0) {
        rc = cu_text(in->batch, 0, 50, &batch, "batch", "批次", e);
    }
    if (rc == 0) {
        rc = cu_text(in->field, 0, 100, &field, "field", "专业领域", e);
    }
    if (rc == 0) {
        rc = cu_text(in->note, 0, CARRIER_NOTE_MAX, &note, "note", "备注", e);
    }
    if (rc) {
        goto done;
    }
    rc = db_begin(db, e);
    if (rc) {
        goto done;
    }
    rc = ent_writable_path(db, a, enterprise_id, path, sizeof path, e);
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_prepare_v(db, &st, e,
                          "INSERT INTO talents (name, programme, batch, "
                          "enterprise_id, field, note, created_at, "
                          "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                          "$7) RETURNING id",
                          "tttitt"
                          "t",
                          name, in->programme, batch[0] ? batch : NULL,
                          enterprise_id, field[0] ? field : NULL,
                          note[0] ? note : NULL, now);
    }
    if (rc == 0) {
        rc = cu_step_id(st, &id, e);
    }
    if (rc == 0) {
        after = json_pack(
            "{sIssssss?sIss?}", "id", (json_int_t)id, "name", name, "programme",
            in->programme, "batch", batch[0] ? batch : NULL, "enterprise_id",
            (json_int_t)enterprise_id, "field", field[0] ? field : NULL);
        rc = audit_record(db, a, "talent.create", "enterprise", enterprise_id,
                          path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    db_finalize(st);
    if (rc) {
        db_rollback(db);
    } else if (id_out) {
        *id_out = id;
    }
done:
    json_decref(after);
    free(name);
    free(batch);
    free(field);
    free(note);
    return rc;
}

/* Talent id (live) as audit JSON with its enterprise's path, in a's
 * scope and writable; ERR_NOTFOUND otherwise. */
static int talent_read_w(Db *db, const Actor *a, int64_t ent_id, int64_t id,
                         json_t **out, char *path, size_t cap, Err *e)
{
    DbStmt *st = NULL;
    int64_t ent = 0;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT t.id, t.name, t.programme, t.batch, "
                      "t.enterprise_id, t.field, t.note FROM talents t WHERE "
                      "t.id = $1 AND t.enterprise_id = $2 AND t.retired_at IS "
                      "NULL",
                      "ii", id, ent_id);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            ent = db_col_int64(st, 4);
            *out = json_pack(
                "{sIsosososIsoso}", "id", (json_int_t)db_col_int64(st, 0),
                "name", cu_col_text(st, 1), "programme", cu_col_text(st, 2),
                "batch", cu_col_text(st, 3), "enterprise_id", (json_int_t)ent,
                "field", cu_col_text(st, 5), "note", cu_col_text(st, 6));
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, "id", "对象不存在");
        }
    }
    db_finalize(st);
    if (rc == 0) {
        rc = ent_writable_path(db, a, ent, path, cap, e);
        if (rc == ERR_NOTFOUND) {
            err_clear(e);
            rc = err_set(e, ERR_NOTFOUND, "id", "对象不存在");
        }
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int talent_update(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                  const TalentInput *in, Err *e)
{
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    char *name = NULL, *batch = NULL, *field = NULL, *note = NULL;
    json_t *before = NULL, *after = NULL;
    int rc;

    if (!talent_may_see_named(a)) {
        return err_set(e, ERR_NOTFOUND, "id", "对象不存在");
    }
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改人才数据");
    }
    rc = cu_text(in->name, 1, 50, &name, "name", "姓名", e);
    if (rc == 0 && !talent_programme_name(in->programme)) {
        rc = err_set(e, ERR_INVALID, "programme",
                     "人才类别应为 haihe、high_level、leading、doctor 或 "
                     "master");
    }
    if (rc == 0) {
        rc = cu_text(in->batch, 0, 50, &batch, "batch", "批次", e);
    }
    if (rc == 0) {
        rc = cu_text(in->field, 0, 100, &field, "field", "专业领域", e);
    }
    if (rc == 0) {
        rc = cu_text(in->note, 0, CARRIER_NOTE_MAX, &note, "note", "备注", e);
    }
    if (rc) {
        goto done;
    }
    rc = db_begin(db, e);
    if (rc) {
        goto done;
    }
    rc = talent_read_w(db, a, enterprise_id, id, &before, path, sizeof path, e);
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(db, e,
                       "UPDATE talents SET name = $1, programme = $2, batch = "
                       "$3, field = $4, note = $5, updated_at = $6 WHERE id "
                       "= $7",
                       "tttttti", name, in->programme, batch[0] ? batch : NULL,
                       field[0] ? field : NULL, note[0] ? note : NULL, now, id);
    }
    if (rc == 0) {
        rc = talent_read_w(db, a, enterprise_id, id, &after, path, sizeof path,
                           e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "talent.update", "talent", id, path, before,
                          after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
done:
    json_decref(before);
    json_decref(after);
    free(name);
    free(batch);
    free(field);
    free(note);
    return rc;
}

int talent_retire(Db *db, const Actor *a, int64_t enterprise_id, int64_t id,
                  const char *reason, Err *e)
{
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    char *rsn = NULL;
    json_t *before = NULL, *after = NULL;
    int rc;

    if (!talent_may_see_named(a)) {
        return err_set(e, ERR_NOTFOUND, "id", "对象不存在");
    }
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改人才数据");
    }
    rc = cu_text(reason, 1, 200, &rsn, "reason", "删除原因", e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        goto done;
    }
    rc = talent_read_w(db, a, enterprise_id, id, &before, path, sizeof path, e);
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(db, e,
                       "UPDATE talents SET retired_at = $1, retire_reason = "
                       "$2, updated_at = $1 WHERE id = $3",
                       "tti", now, rsn, id);
    }
    if (rc == 0) {
        after = json_pack("{sIssss}", "id", (json_int_t)id, "retired_at", now,
                          "reason", rsn);
        rc = audit_record(db, a, "talent.retire", "talent", id, path, before,
                          after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
done:
    json_decref(before);
    json_decref(after);
    free(rsn);
    return rc;
}

int talent_list(Db *db, const Actor *a, int64_t enterprise_id,
                const char *programme, int audit_bulk, json_t **items, Err *e)
{
    DbStmt *st = NULL;
    Sqlq q;
    int rc;

    *items = NULL;
    if (!talent_may_see_named(a)) {
        return err_set(e, ERR_NOTFOUND, "id", "对象不存在");
    }
    sqlq_init(&q, "SELECT " TALENT_COLS " FROM talents t JOIN enterprises en "
                  "ON en.id = t.enterprise_id JOIN org_units o ON o.id = "
                  "en.unit_id WHERE t.retired_at IS NULL");
    cu_scope(&q, a, "o.path");
    if (enterprise_id) {
        sqlq_addf(&q, " AND t.enterprise_id = $%d",
                  sqlq_int(&q, enterprise_id));
    }
    if (programme && *programme) {
        sqlq_addf(&q, " AND t.programme = $%d", sqlq_text(&q, programme));
    }
    sqlq_addf(&q, " ORDER BY t.programme, t.name, t.id LIMIT 100000");
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    if (rc) {
        return rc;
    }
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, talent_row_json(st));
    }
    db_finalize(st);
    rc = rc == DB_DONE ? 0 : rc;
    if (rc == 0 && audit_bulk) {
        json_t *what =
            json_pack("{sIss?sI}", "enterprise_id", (json_int_t)enterprise_id,
                      "programme", programme && *programme ? programme : NULL,
                      "rows", (json_int_t)json_array_size(*items));
        rc = db_begin(db, e);
        if (rc == 0) {
            rc = audit_record(db, a, "talent.read_bulk", "talent", 0, NULL,
                              NULL, what, e);
        }
        if (rc == 0) {
            rc = db_commit(db, e);
        } else {
            db_rollback(db);
        }
        json_decref(what);
    }
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}

/* ---- listing candidates ---- */

#define LISTING_COLS                                                           \
    "l.id, l.enterprise_id, en.name, en.uscc, o.name, l.stage, l.board, "      \
    "l.sponsor, l.entered_on, l.stage_on, l.listed_on, l.note, l.updated_at"
#define LISTING_FROM                                                           \
    " FROM listing_candidates l JOIN enterprises en ON en.id = "               \
    "l.enterprise_id JOIN org_units o ON o.id = en.unit_id"

static json_t *listing_row_json(DbStmt *st)
{
    return json_pack(
        "{sIsIsososososs?soss?sosososososo}", "id",
        (json_int_t)db_col_int64(st, 0), "enterprise_id",
        (json_int_t)db_col_int64(st, 1), "enterprise_name", cu_col_text(st, 2),
        "uscc", cu_col_text(st, 3), "unit_name", cu_col_text(st, 4), "stage",
        cu_col_text(st, 5), "stage_name",
        listing_stage_name(db_col_text(st, 5)), "board", cu_col_text(st, 6),
        "board_name", listing_board_name(db_col_text(st, 6)), "sponsor",
        cu_col_text(st, 7), "entered_on", cu_col_text(st, 8), "stage_on",
        cu_col_text(st, 9), "listed_on", cu_col_text(st, 10), "note",
        cu_col_text(st, 11), "updated_at", cu_col_text(st, 12));
}

static int listing_read(Db *db, int64_t ent, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    int rc = db_prepare_v(db, &st, e,
                          "SELECT " LISTING_COLS LISTING_FROM
                          " WHERE l.enterprise_id = $1",
                          "i", ent);

    *out = NULL;
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *out = listing_row_json(st);
        }
        rc = rc == DB_ROW || rc == DB_DONE ? 0 : rc;
    }
    db_finalize(st);
    return rc;
}

int listing_put(Db *db, const Actor *a, int64_t enterprise_id,
                const ListingInput *in, Err *e)
{
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    char entered[DATE_ISO_SIZE], stage_on[DATE_ISO_SIZE], listed[DATE_ISO_SIZE];
    char *sponsor = NULL, *note = NULL;
    json_t *before = NULL, *after = NULL;
    int own = !db_in_tx(db); /* an import holds its own transaction */
    int rc;

    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改上市资源库");
    }
    if (!listing_stage_name(in->stage)) {
        return err_set(e, ERR_INVALID, "stage",
                       "上市阶段应为 cultivate（培育）、tutoring（辅导）、filed"
                       "（申报）、approved（过会）或 listed（上市）");
    }
    if (in->board && *in->board && !listing_board_name(in->board)) {
        return err_set(e, ERR_INVALID, "board",
                       "上市板块应为 main、chinext、star、bse、neeq、hk 或 "
                       "overseas");
    }
    rc = cu_date_req(in->entered_on, entered, "entered_on", "入库日期", e);
    if (rc == 0) {
        rc = cu_date(in->stage_on, stage_on, "stage_on", "进入本阶段日期", e);
    }
    if (rc == 0) {
        rc = cu_date(in->listed_on, listed, "listed_on", "上市日期", e);
    }
    if (rc == 0 && strcmp(in->stage, "listed") == 0 && !listed[0]) {
        rc = err_set(e, ERR_INVALID, "listed_on", "阶段为上市时须填写上市日期");
    }
    if (rc == 0 && listed[0] && strcmp(in->stage, "listed") != 0) {
        rc = err_set(e, ERR_INVALID, "listed_on",
                     "未上市的企业不能填写上市日期");
    }
    if (rc == 0 && stage_on[0] && strcmp(stage_on, entered) < 0) {
        rc = err_set(e, ERR_INVALID, "stage_on",
                     "进入本阶段日期不能早于入库日期");
    }
    if (rc == 0) {
        rc = cu_text(in->sponsor, 0, 100, &sponsor, "sponsor", "保荐机构", e);
    }
    if (rc == 0) {
        rc = cu_text(in->note, 0, CARRIER_NOTE_MAX, &note, "note", "备注", e);
    }
    if (rc) {
        goto done;
    }
    rc = own ? db_begin(db, e) : 0;
    if (rc) {
        goto done;
    }
    rc = ent_writable_path(db, a, enterprise_id, path, sizeof path, e);
    if (rc == 0) {
        rc = listing_read(db, enterprise_id, &before, e);
    }
    if (rc == 0) {
        clock_now_iso(now, 0);
        rc = db_exec_v(
            db, e,
            "INSERT INTO listing_candidates (enterprise_id, stage, board, "
            "sponsor, entered_on, stage_on, listed_on, note, created_at, "
            "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON "
            "CONFLICT (enterprise_id) DO UPDATE SET stage = $2, board = $3, "
            "sponsor = $4, entered_on = $5, stage_on = $6, listed_on = $7, "
            "note = $8, updated_at = $9",
            "ittttttt"
            "t",
            enterprise_id, in->stage,
            in->board && *in->board ? in->board : NULL,
            sponsor[0] ? sponsor : NULL, entered, stage_on[0] ? stage_on : NULL,
            listed[0] ? listed : NULL, note[0] ? note : NULL, now);
    }
    if (rc == 0) {
        rc = listing_read(db, enterprise_id, &after, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "listing.put", "enterprise", enterprise_id,
                          path, before, after, e);
    }
    if (rc == 0 && own) {
        rc = db_commit(db, e);
    }
    if (rc && own) {
        db_rollback(db);
    }
done:
    json_decref(before);
    json_decref(after);
    free(sponsor);
    free(note);
    return rc;
}

#define LISTING_ITEMS "('listing-fee', 'loan-interest', 'loan-guarantee')"

int listing_subsidies(Db *db, const Actor *a, int64_t enterprise_id,
                      json_t **out, Err *e)
{
    json_t *items = NULL, *byid = NULL;
    int64_t granted = 0, paid = 0;
    DbStmt *st = NULL;
    Sqlq q;
    int rc;

    *out = NULL;
    sqlq_init(&q, "SELECT en.id FROM enterprises en JOIN org_units o ON o.id "
                  "= en.unit_id WHERE en.id = ");
    sqlq_addf(&q, "$%d", sqlq_int(&q, enterprise_id));
    cu_scope(&q, a, "o.path");
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, NULL, "没有这家企业");
        } else if (rc == DB_ROW) {
            rc = 0;
        }
    }
    db_finalize(st);
    st = NULL;
    if (rc) {
        return rc;
    }
    items = json_array();
    byid = json_object();
    rc = db_prepare_v(
        db, &st, e,
        "SELECT a.id, i.code, i.title, a.year, a.status, a.channel, "
        "a.claimed, a.amount, a.applied_on FROM policy_applications a JOIN "
        "policy_items i ON i.id = a.item_id WHERE a.enterprise_id = $1 AND "
        "i.code IN " LISTING_ITEMS " ORDER BY a.year DESC, a.id",
        "i", enterprise_id);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        char key[32];
        const char *status = db_col_text(st, 4);
        json_t *row = json_pack(
            "{sIsososososs?sososIso}", "id", (json_int_t)db_col_int64(st, 0),
            "item_code", cu_col_text(st, 1), "item_title", cu_col_text(st, 2),
            "year", json_integer(db_col_int64(st, 3)), "status",
            cu_col_text(st, 4), "status_name", labels_policy_app_status(status),
            "channel", cu_col_text(st, 5), "claimed",
            db_col_is_null(st, 6) ? json_null()
                                  : json_integer(db_col_int64(st, 6)),
            "amount", (json_int_t)db_col_int64(st, 7), "applied_on",
            cu_col_text(st, 8));
        if (strcmp(status ? status : "", "rejected") != 0) {
            granted += db_col_int64(st, 7);
        }
        json_object_set_new(row, "paid", json_integer(0));
        json_object_set_new(row, "payments", json_array());
        snprintf(key, sizeof key, "%lld", (long long)db_col_int64(st, 0));
        json_object_set(byid, key, row);
        json_array_append_new(items, row);
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    st = NULL;
    if (rc == 0) {
        rc = db_prepare_v(
            db, &st, e,
            "SELECT p.application_id, p.kind, p.amount, p.paid_on, "
            "p.voucher_no, p.reason FROM policy_payments p JOIN "
            "policy_applications a ON a.id = p.application_id JOIN "
            "policy_items i ON i.id = a.item_id WHERE a.enterprise_id = $1 "
            "AND i.code IN " LISTING_ITEMS " ORDER BY p.paid_on, p.id",
            "i", enterprise_id);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        char key[32];
        json_t *row;
        snprintf(key, sizeof key, "%lld", (long long)db_col_int64(st, 0));
        row = json_object_get(byid, key);
        if (row) {
            int64_t amt = db_col_int64(st, 2);
            json_array_append_new(
                json_object_get(row, "payments"),
                json_pack("{sosIsososo}", "kind", cu_col_text(st, 1), "amount",
                          (json_int_t)amt, "paid_on", cu_col_text(st, 3),
                          "voucher_no", cu_col_text(st, 4), "reason",
                          cu_col_text(st, 5)));
            json_object_set_new(
                row, "paid",
                json_integer(json_integer_value(json_object_get(row, "paid")) +
                             amt));
            paid += amt;
        }
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
    db_finalize(st);
    if (rc == 0) {
        *out = json_pack("{sosIsI}", "items", items, "granted",
                         (json_int_t)granted, "paid", (json_int_t)paid);
        items = NULL;
    }
    json_decref(items);
    json_decref(byid);
    return rc;
}

int listing_list(Db *db, const Actor *a, const char *stage, int64_t offset,
                 int64_t limit, json_t **items, int64_t *total, json_t **counts,
                 Err *e)
{
    DbStmt *st = NULL;
    Sqlq q;
    int rc;

    *items = NULL;
    *counts = NULL;
    *total = 0;
    if (stage && *stage && !listing_stage_name(stage)) {
        return err_set(e, ERR_INVALID, "stage", "没有这个上市阶段");
    }
    *counts = json_object();
    for (size_t i = 0; i < N_OF(listing_stages); i++) {
        json_object_set_new(*counts, listing_stages[i].code, json_integer(0));
    }
    sqlq_init(&q, "SELECT l.stage, COUNT(*)" LISTING_FROM " WHERE 1=1");
    cu_scope(&q, a, "o.path");
    sqlq_addf(&q, " GROUP BY l.stage");
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_object_set_new(*counts, db_col_text(st, 0),
                            json_integer(db_col_int64(st, 1)));
        if (!stage || !*stage || strcmp(stage, db_col_text(st, 0)) == 0) {
            *total += db_col_int64(st, 1);
        }
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    rc = rc == DB_DONE ? 0 : rc;
    if (rc) {
        goto out;
    }
    sqlq_init(&q, "SELECT " LISTING_COLS LISTING_FROM " WHERE 1=1");
    cu_scope(&q, a, "o.path");
    if (stage && *stage) {
        sqlq_addf(&q, " AND l.stage = $%d", sqlq_text(&q, stage));
    }
    sqlq_addf(&q,
              " ORDER BY CASE l.stage WHEN 'listed' THEN 0 WHEN 'approved' "
              "THEN 1 WHEN 'filed' THEN 2 WHEN 'tutoring' THEN 3 ELSE 4 END, "
              "en.name, l.id LIMIT $%d OFFSET $%d",
              sqlq_int(&q, limit), sqlq_int(&q, offset));
    rc = sqlq_prepare(&q, db, &st, e);
    sqlq_release(&q);
    if (rc) {
        goto out;
    }
    *items = json_array();
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, listing_row_json(st));
    }
    rc = rc == DB_DONE ? 0 : rc;
out:
    db_finalize(st);
    if (rc) {
        json_decref(*items);
        json_decref(*counts);
        *items = *counts = NULL;
    }
    return rc;
}
