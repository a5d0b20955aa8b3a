/* ent.c - enterprise records: validate, create, read, update, retire,
 * with data scope (the list and its export are in ent_list.c). */
#include "domain/library/ent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/money.h"
#include "base/uscc.h"
#include "base/utf8.h"
#include "base/valid.h"
#include "db/sqlq.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/org.h"
#include "domain/library/ent_json.h"
#include "domain/library/industry.h"
#include "domain/library/recrule.h"

static const struct {
    const char *code;
    const char *name;
} ent_listings[] = {
    {"none", "未上市"},
    {"candidate", "上市后备"},
    {"neeq", "新三板挂牌"},
    {"listed", "已上市"},
};

#define ENT_N_LISTINGS (sizeof ent_listings / sizeof ent_listings[0])

const char *ent_listing_name(const char *code)
{
    size_t i;

    for (i = 0; code && i < ENT_N_LISTINGS; i++) {
        if (strcmp(code, ent_listings[i].code) == 0) {
            return ent_listings[i].name;
        }
    }
    return NULL;
}

int ent_listing_valid(const char *code)
{
    return ent_listing_name(code) != NULL;
}

/* The validated, normalised state of one record (create, or the merge of
 * an update over the stored row). Text fields are "" when absent. */
typedef struct EntRec {
    char uscc[USCC_LEN + 1];
    char name[ENT_NAME_MAX * 4 + 1];
    int64_t unit_id;
    char unit_path[ACTOR_PATH_MAX];
    char address[ENT_ADDRESS_MAX * 4 + 1];
    char legal_rep[ENT_SHORT_MAX * 4 + 1];
    char established_on[DATE_ISO_SIZE];
    int has_capital;
    int64_t capital;
    char industry[INDUSTRY_CODE_MAX];
    int64_t tech_domain;
    char tech_sub[ENT_SHORT_MAX * 4 + 1];
    char listing[16];
    char contact_name[ENT_SHORT_MAX * 4 + 1];
    char contact_phone[ENT_PHONE_MAX * 4 + 1];
    char contact_email[ENT_EMAIL_MAX * 4 + 1];
    int64_t liaison;
    char note[ENT_NOTE_MAX * 4 + 1];
} EntRec;

static const char *ent_nz(const char *s)
{
    return s && *s ? s : NULL;
}

static void ent_copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

json_t *ent_text_json(DbStmt *st, int col)
{
    const char *s = db_col_text(st, col);

    return s ? json_string(s) : json_null();
}

json_t *ent_int_json(DbStmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null()
                                   : json_integer(db_col_int64(st, col));
}

/* Money column as an exact 万元 string (or null). */
json_t *ent_wan_json(DbStmt *st, int col)
{
    Buf b;
    json_t *j;

    if (db_col_is_null(st, col)) {
        return json_null();
    }
    buf_init(&b, 64);
    money_format_wan(db_col_int64(st, col), &b);
    j = json_string(b.data);
    buf_release(&b);
    return j;
}

/* Optional text field: NULL leaves dst unchanged, otherwise trimmed and
 * checked (may be empty, which clears). */
static int ent_opt_text(const char *in, size_t max_chars, char *dst, size_t cap,
                        const char *field, const char *label, Err *e)
{
    if (!in) {
        return 0;
    }
    return valid_text(in, 0, max_chars, dst, cap, field, label, e);
}

static int ent_check_phone(const char *s, Err *e)
{
    size_t i;

    for (i = 0; s[i]; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || ch == '-' || ch == '+' || ch == ' ' ||
              ch == '(' || ch == ')' || ch == '#' || ch == ',')) {
            return err_set(e, ERR_INVALID, "contact_phone",
                           "联系电话只能包含数字、空格和 + - ( ) # ,");
        }
    }
    return 0;
}

static int ent_check_email(const char *s, Err *e)
{
    const char *at = strchr(s, '@');
    size_t i;

    if (!*s) {
        return 0;
    }
    for (i = 0; s[i]; i++) {
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7F) {
            at = NULL;
            break;
        }
    }
    if (!at || at == s || !at[1] || strchr(at + 1, '@') ||
        !strchr(at + 1, '.')) {
        return err_set(e, ERR_INVALID, "contact_email",
                       "电子邮箱格式不正确，应形如 name@example.com");
    }
    return 0;
}

/* Unit of an enterprise: exists, in scope, not retired. */
static int ent_check_unit(Db *db, const Actor *a, int64_t unit_id, char *path,
                          size_t cap, Err *e)
{
    int retired = 0;
    int rc = org_path(db, unit_id, path, cap, &retired, e);

    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path))) {
        return err_set(e, ERR_INVALID, "unit_id", "所属单位不存在");
    }
    if (rc) {
        return rc;
    }
    if (retired) {
        return err_set(e, ERR_INVALID, "unit_id", "所属单位已撤销");
    }
    return 0;
}

/* Apply the fields given in in over r and validate them. */
/* The record as the cross-field rules read it. */
static const char *ent_row_text(void *ctx, const char *key)
{
    const EntRec *r = ctx;

    if (strcmp(key, "established_on") == 0) {
        return r->established_on;
    }
    return NULL;
}

/* Liaison uid of an enterprise in unit ent_path: an active user whose
 * data scope contains that unit (so the liaison can open the enterprise),
 * and, when by_actor, one the actor sees. ERR_INVALID naming the field
 * otherwise. */
static int ent_check_liaison(Db *db, const Actor *a, const char *ent_path,
                             int64_t uid, int by_actor, Err *e)
{
    char *upath = NULL;
    char *uname = NULL;
    int rc;

    rc = db_query_text(db, &upath, e,
                       "SELECT o.path FROM users u JOIN org_units o "
                       "ON o.id = u.unit_id WHERE u.id = $1 AND "
                       "u.disabled = 0",
                       "i", uid);
    if (rc == 0 && (!upath || (by_actor && !actor_sees_path(a, upath)))) {
        rc = ERR_NOTFOUND;
    }
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_INVALID, "liaison_user_id",
                     "包联人员不存在或已停用");
        goto out;
    }
    if (rc) {
        goto out;
    }
    if (strncmp(ent_path, upath, strlen(upath)) != 0) {
        rc = db_query_text(db, &uname, e,
                           "SELECT display_name FROM users WHERE id = $1", "i",
                           uid);
        if (rc == 0) {
            rc = err_set(
                e, ERR_INVALID, "liaison_user_id",
                "包联人员“%s”所在单位不管辖该企业的所属单位，"
                "看不到这家企业；请选择该企业所属单位或其上级单位的人员",
                uname ? uname : "");
        }
    }
out:
    free(upath);
    free(uname);
    return rc;
}

static int ent_apply(Db *db, const Actor *a, EntRec *r, const EntInput *in,
                     int creating, Err *e)
{
    char buf[ENT_SHORT_MAX * 4 + 1];
    int64_t old_unit = r->unit_id;
    int rc;

    if (creating || in->uscc) {
        rc = uscc_normalize(in->uscc, r->uscc, e);
        if (rc) {
            return rc;
        }
    }
    if (creating || in->name) {
        rc = valid_text(in->name, 2, ENT_NAME_MAX, r->name, sizeof r->name,
                        "name", "企业名称", e);
        if (rc) {
            return rc;
        }
    }
    if (creating || in->unit_id) {
        if (in->unit_id <= 0) {
            return err_set(e, ERR_INVALID, "unit_id", "请选择所属单位");
        }
        rc = ent_check_unit(db, a, in->unit_id, r->unit_path,
                            sizeof r->unit_path, e);
        if (rc) {
            return rc;
        }
        r->unit_id = in->unit_id;
    }
    rc = ent_opt_text(in->address, ENT_ADDRESS_MAX, r->address,
                      sizeof r->address, "address", "地址", e);
    if (rc) {
        return rc;
    }
    rc = ent_opt_text(in->legal_rep, ENT_SHORT_MAX, r->legal_rep,
                      sizeof r->legal_rep, "legal_rep", "法定代表人", e);
    if (rc) {
        return rc;
    }
    if (in->established_on) {
        rc = valid_text(in->established_on, 0, 32, buf, sizeof buf,
                        "established_on", "成立日期", e);
        if (rc) {
            return rc;
        }
        if (!*buf) {
            r->established_on[0] = '\0';
        } else {
            Date d;
            rc = date_parse(buf, &d, "established_on", e);
            if (rc) {
                return rc;
            }
            date_format_iso(d, r->established_on);
        }
    }
    if (in->has_registered_capital) {
        if (in->registered_capital_null) {
            r->has_capital = 0;
        } else if (in->registered_capital < 0) {
            return err_set(e, ERR_INVALID, "registered_capital",
                           "注册资本不能为负数");
        } else {
            r->has_capital = 1;
            r->capital = in->registered_capital;
        }
    }
    if (in->industry_code) {
        rc = valid_text(in->industry_code, 0, 16, buf, sizeof buf,
                        "industry_code", "行业代码", e);
        if (rc) {
            return rc;
        }
        if (!*buf) {
            r->industry[0] = '\0';
        } else {
            rc = industry_normalize(buf, r->industry, "industry_code", e);
            if (rc) {
                return rc;
            }
        }
    }
    if (in->has_tech_domain) {
        if (in->tech_domain != 0 && !tech_domain_name((int)in->tech_domain)) {
            return err_set(e, ERR_INVALID, "tech_domain",
                           "技术领域应为 1～8（国家重点支持的高新技术领域）");
        }
        r->tech_domain = in->tech_domain;
    }
    rc = ent_opt_text(in->tech_subdomain, ENT_SHORT_MAX, r->tech_sub,
                      sizeof r->tech_sub, "tech_subdomain", "技术领域子项", e);
    if (rc) {
        return rc;
    }
    if (in->listing_status) {
        if (!ent_listing_valid(in->listing_status)) {
            return err_set(e, ERR_INVALID, "listing_status",
                           "上市状态应为 none、candidate、neeq 或 listed");
        }
        ent_copy(r->listing, sizeof r->listing, in->listing_status);
    } else if (creating) {
        ent_copy(r->listing, sizeof r->listing, "none");
    }
    rc = ent_opt_text(in->contact_name, ENT_SHORT_MAX, r->contact_name,
                      sizeof r->contact_name, "contact_name", "联系人", e);
    if (rc) {
        return rc;
    }
    rc = ent_opt_text(in->contact_phone, ENT_PHONE_MAX, r->contact_phone,
                      sizeof r->contact_phone, "contact_phone", "联系电话", e);
    if (rc || (rc = ent_check_phone(r->contact_phone, e)) != 0) {
        return rc;
    }
    rc = ent_opt_text(in->contact_email, ENT_EMAIL_MAX, r->contact_email,
                      sizeof r->contact_email, "contact_email", "电子邮箱", e);
    if (rc || (rc = ent_check_email(r->contact_email, e)) != 0) {
        return rc;
    }
    if (in->has_liaison) {
        if (in->liaison_user_id > 0 && in->liaison_user_id != r->liaison) {
            /* a new liaison: an active user the actor sees (the one
             * already assigned may stay) */
            rc = ent_check_liaison(db, a, r->unit_path, in->liaison_user_id, 1,
                                   e);
            if (rc) {
                return rc;
            }
        }
        r->liaison = in->liaison_user_id > 0 ? in->liaison_user_id : 0;
    }
    if (!creating && r->unit_id != old_unit && r->liaison) {
        /* moved to another unit: the liaison kept must still cover it */
        rc = ent_check_liaison(db, a, r->unit_path, r->liaison, 0, e);
        if (rc) {
            return rc;
        }
    }
    rc = ent_opt_text(in->note, ENT_NOTE_MAX, r->note, sizeof r->note, "note",
                      "备注", e);
    if (rc == 0) {
        /* 成立日期 not in the future */
        RecRow row = {r, NULL, ent_row_text};
        rc = recrule_check(RECRULE_ENTERPRISES, &row, NULL, NULL, e);
    }
    return rc;
}

#define ENT_COLS                                                               \
    "e.id, e.uscc, e.name, e.unit_id, o.name, o.path, e.address, "             \
    "e.legal_rep, e.established_on, e.registered_capital, e.industry_code, "   \
    "e.tech_domain, e.tech_subdomain, e.listing_status, e.contact_name, "      \
    "e.contact_phone, e.contact_email, e.liaison_user_id, u.display_name, "    \
    "e.note, e.latest_year, e.latest_revenue, e.latest_rd_bp, e.src_kind, "    \
    "e.src_user_id, e.src_ref, e.src_at, e.verified, e.retired_at, "           \
    "e.retire_reason, e.created_at, e.updated_at"

#define ENT_FROM                                                               \
    " FROM enterprises e JOIN org_units o ON o.id = e.unit_id LEFT JOIN "      \
    "users u ON u.id = e.liaison_user_id"

/* Industry code with its 门类 and 大类 names into o. */
void ent_industry_json(json_t *o, const char *code)
{
    const char *sec = NULL;
    const char *div = NULL;

    if (code && code[0]) {
        sec = industry_section_name(code[0]);
        if (strlen(code) >= 3) {
            div = industry_division_name(code + 1, NULL);
        }
    }
    json_object_set_new(o, "industry_code",
                        code ? json_string(code) : json_null());
    json_object_set_new(o, "industry_section_name",
                        sec ? json_string(sec) : json_null());
    json_object_set_new(o, "industry_division_name",
                        div ? json_string(div) : json_null());
}

/* JSON of the current row of a SELECT ENT_COLS. */
static json_t *ent_row_json(DbStmt *st)
{
    json_t *o = json_object();
    json_t *prov = json_object();
    const char *listing = db_col_text(st, 13);
    int64_t dom = db_col_is_null(st, 11) ? 0 : db_col_int64(st, 11);

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "uscc", ent_text_json(st, 1));
    json_object_set_new(o, "name", ent_text_json(st, 2));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 3)));
    json_object_set_new(o, "unit_name", ent_text_json(st, 4));
    json_object_set_new(o, "unit_path", ent_text_json(st, 5));
    json_object_set_new(o, "address", ent_text_json(st, 6));
    json_object_set_new(o, "legal_rep", ent_text_json(st, 7));
    json_object_set_new(o, "established_on", ent_text_json(st, 8));
    json_object_set_new(o, "registered_capital", ent_int_json(st, 9));
    json_object_set_new(o, "registered_capital_wan", ent_wan_json(st, 9));
    ent_industry_json(o, db_col_text(st, 10));
    json_object_set_new(o, "tech_domain",
                        dom ? json_integer(dom) : json_null());
    json_object_set_new(o, "tech_domain_name",
                        dom ? json_string(tech_domain_name((int)dom))
                            : json_null());
    json_object_set_new(o, "tech_subdomain", ent_text_json(st, 12));
    json_object_set_new(o, "listing_status",
                        json_string(listing ? listing : "none"));
    json_object_set_new(o, "listing_status_name",
                        json_string(ent_listing_name(listing)
                                        ? ent_listing_name(listing)
                                        : "未上市"));
    json_object_set_new(o, "contact_name", ent_text_json(st, 14));
    json_object_set_new(o, "contact_phone", ent_text_json(st, 15));
    json_object_set_new(o, "contact_email", ent_text_json(st, 16));
    json_object_set_new(o, "liaison_user_id", ent_int_json(st, 17));
    json_object_set_new(o, "liaison_name", ent_text_json(st, 18));
    json_object_set_new(o, "note", ent_text_json(st, 19));
    json_object_set_new(o, "latest_year", ent_int_json(st, 20));
    json_object_set_new(o, "latest_revenue", ent_int_json(st, 21));
    json_object_set_new(o, "latest_revenue_wan", ent_wan_json(st, 21));
    json_object_set_new(o, "latest_rd_bp", ent_int_json(st, 22));
    json_object_set_new(prov, "source", ent_text_json(st, 23));
    json_object_set_new(prov, "user_id", ent_int_json(st, 24));
    json_object_set_new(prov, "ref", ent_int_json(st, 25));
    json_object_set_new(prov, "at", ent_text_json(st, 26));
    json_object_set_new(prov, "verified",
                        json_boolean(db_col_int64(st, 27) != 0));
    json_object_set_new(o, "provenance", prov);
    json_object_set_new(o, "retired", json_boolean(!db_col_is_null(st, 28)));
    json_object_set_new(o, "retired_at", ent_text_json(st, 28));
    json_object_set_new(o, "retire_reason", ent_text_json(st, 29));
    json_object_set_new(o, "created_at", ent_text_json(st, 30));
    json_object_set_new(o, "updated_at", ent_text_json(st, 31));
    return o;
}

/* Former names of enterprise id as a JSON array (newest first). */
static int ent_former_json(Db *db, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    json_t *arr = json_array();
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT name, used_from, used_to FROM enterprise_names "
                      "WHERE enterprise_id = $1 ORDER BY id DESC",
                      "i", id);
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        json_t *n = json_object();
        json_object_set_new(n, "name", ent_text_json(st, 0));
        json_object_set_new(n, "used_from", ent_text_json(st, 1));
        json_object_set_new(n, "used_to", ent_text_json(st, 2));
        json_array_append_new(arr, n);
    }
    if (rc != DB_DONE) {
        goto out;
    }
    rc = 0;
    *out = arr;
    arr = NULL;
out:
    db_finalize(st);
    json_decref(arr);
    return rc;
}

/* Read one enterprise with its former names, no scope check. */
static int ent_read(Db *db, int64_t id, json_t **out, Err *e)
{
    DbStmt *st = NULL;
    json_t *o = NULL;
    json_t *names = NULL;
    int rc;

    *out = NULL;
    rc = db_prepare_v(db, &st, e,
                      "SELECT " ENT_COLS ENT_FROM " WHERE e.id = $1", "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "企业不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    o = ent_row_json(st);
    db_finalize(st);
    st = NULL;
    rc = ent_former_json(db, id, &names, e);
    if (rc) {
        goto out;
    }
    json_object_set_new(o, "former_names", names);
    *out = o;
    o = NULL;
out:
    db_finalize(st);
    json_decref(o);
    return rc;
}

int ent_unit_path(Db *db, int64_t id, char *path, size_t cap, int *retired,
                  Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT o.path, e.retired_at FROM enterprises e JOIN "
                      "org_units o ON o.id = e.unit_id WHERE e.id = $1",
                      "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "企业不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    snprintf(path, cap, "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
    if (retired) {
        *retired = !db_col_is_null(st, 1);
    }
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

/* Path of enterprise id when it exists and lies in a's scope. */
static int ent_scoped(Db *db, const Actor *a, int64_t id, char *path,
                      size_t cap, int *retired, Err *e)
{
    int rc = ent_unit_path(db, id, path, cap, retired, e);

    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path))) {
        return err_set(e, ERR_NOTFOUND, "id", "企业不存在");
    }
    return rc;
}

static int ent_check_write(const Actor *a, Err *e)
{
    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改企业信息");
    }
    return 0;
}

static const EntSource ent_default_source = {"user", 0, 0};

/* Refuse a code already registered (clear message before the unique
 * index would). Within a's scope the message names the enterprise; outside
 * it says only that the code is taken, so neither the enterprise nor its
 * unit leaks to a user of another unit. */
static int ent_check_uscc_free(Db *db, const Actor *a, const char *uscc,
                               int64_t except_id, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT e.name, o.path FROM enterprises e JOIN "
                      "org_units o ON o.id = e.unit_id WHERE e.uscc = $1 AND "
                      "e.id <> $2",
                      "ti", uscc, except_id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = 0;
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    if (actor_sees_path(a, db_col_text(st, 1))) {
        const char *name = db_col_text(st, 0);
        rc =
            err_set(e, ERR_CONFLICT, "uscc", "统一社会信用代码 %s 已登记（%s）",
                    uscc, name ? name : "");
    } else {
        rc =
            err_set(e, ERR_CONFLICT, "uscc",
                    "统一社会信用代码 %s 已登记，如需调整请联系区科技局", uscc);
    }
out:
    db_finalize(st);
    return rc;
}

/* Bind the record's fields to $1..$16, in the order shared by the INSERT
 * of ent_create and the UPDATE of ent_update. */
static void ent_bind_record(DbStmt *st, const EntRec *r)
{
    db_bind_text(st, 1, r->uscc);
    db_bind_text(st, 2, r->name);
    db_bind_int64(st, 3, r->unit_id);
    db_bind_text(st, 4, ent_nz(r->address));
    db_bind_text(st, 5, ent_nz(r->legal_rep));
    db_bind_text(st, 6, ent_nz(r->established_on));
    if (r->has_capital) {
        db_bind_int64(st, 7, r->capital);
    } else {
        db_bind_null(st, 7);
    }
    db_bind_text(st, 8, ent_nz(r->industry));
    if (r->tech_domain) {
        db_bind_int64(st, 9, r->tech_domain);
    } else {
        db_bind_null(st, 9);
    }
    db_bind_text(st, 10, ent_nz(r->tech_sub));
    db_bind_text(st, 11, r->listing);
    db_bind_text(st, 12, ent_nz(r->contact_name));
    db_bind_text(st, 13, ent_nz(r->contact_phone));
    db_bind_text(st, 14, ent_nz(r->contact_email));
    if (r->liaison) {
        db_bind_int64(st, 15, r->liaison);
    } else {
        db_bind_null(st, 15);
    }
    db_bind_text(st, 16, ent_nz(r->note));
}

int ent_create(Db *db, const Actor *a, const EntInput *in, const EntSource *src,
               int64_t *id_out, Err *e)
{
    EntRec *r = xcalloc(1, sizeof *r);
    json_t *after = NULL;
    char now[CLOCK_ISO_LEN];
    int64_t id = 0;
    int rc;

    if (!src) {
        src = &ent_default_source;
    }
    rc = ent_check_write(a, e);
    if (rc) {
        goto out;
    }
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = ent_apply(db, a, r, in, 1, e);
    if (rc) {
        goto out;
    }
    rc = ent_check_uscc_free(db, a, r->uscc, 0, e);
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    {
        DbStmt *st = NULL;
        rc = db_prepare(db,
                        "INSERT INTO enterprises (uscc, name, unit_id, "
                        "address, legal_rep, established_on, "
                        "registered_capital, industry_code, tech_domain, "
                        "tech_subdomain, listing_status, contact_name, "
                        "contact_phone, contact_email, liaison_user_id, note, "
                        "src_kind, src_user_id, src_ref, src_at, verified, "
                        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
                        "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
                        "$17, $18, $19, $20, $21, $20, $20) RETURNING id",
                        &st, e);
        if (rc) {
            goto out;
        }
        ent_bind_record(st, r);
        db_bind_text(st, 17, src->kind);
        db_bind_int64(st, 18, a->user_id);
        if (src->ref) {
            db_bind_int64(st, 19, src->ref);
        } else {
            db_bind_null(st, 19);
        }
        db_bind_text(st, 20, now);
        db_bind_int64(st, 21, src->verified ? 1 : 0);
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            id = db_col_int64(st, 0);
            /* Run the statement to its end: resetting an INSERT ...
             * RETURNING after one row undoes it when a trigger writes to
             * the FTS5 table (SQLite 3.40). */
            rc = db_step(st, e);
        }
        if (rc == DB_DONE && id > 0) {
            rc = 0;
        } else if (rc == DB_DONE || rc == DB_ROW) {
            rc = err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
        }
        db_finalize(st);
        if (rc) {
            goto out;
        }
    }
    rc = ent_read(db, id, &after, e);
    if (rc) {
        goto out;
    }
    rc = audit_record(db, a, "ent.create", "enterprise", id, r->unit_path, NULL,
                      after, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
    if (rc == 0 && id_out) {
        *id_out = id;
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(after);
    free(r);
    return rc;
}

int ent_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    int rc = ent_read(db, id, out, e);

    if (rc == 0 && !actor_sees_path(a, json_string_value(json_object_get(
                                           *out, "unit_path")))) {
        json_decref(*out);
        *out = NULL;
        rc = err_set(e, ERR_NOTFOUND, "id", "企业不存在");
    }
    return rc;
}

/* Fill r from the stored row of enterprise id. */
static int ent_load(Db *db, int64_t id, EntRec *r, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT e.uscc, e.name, e.unit_id, o.path, e.address, "
                      "e.legal_rep, e.established_on, e.registered_capital, "
                      "e.industry_code, e.tech_domain, e.tech_subdomain, "
                      "e.listing_status, e.contact_name, e.contact_phone, "
                      "e.contact_email, e.liaison_user_id, e.note FROM "
                      "enterprises e JOIN org_units o ON o.id = e.unit_id "
                      "WHERE e.id = $1",
                      "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "企业不存在");
        goto out;
    }
    if (rc != DB_ROW) {
        goto out;
    }
    ent_copy(r->uscc, sizeof r->uscc, db_col_text(st, 0));
    ent_copy(r->name, sizeof r->name, db_col_text(st, 1));
    r->unit_id = db_col_int64(st, 2);
    ent_copy(r->unit_path, sizeof r->unit_path, db_col_text(st, 3));
    ent_copy(r->address, sizeof r->address, db_col_text(st, 4));
    ent_copy(r->legal_rep, sizeof r->legal_rep, db_col_text(st, 5));
    ent_copy(r->established_on, sizeof r->established_on, db_col_text(st, 6));
    r->has_capital = !db_col_is_null(st, 7);
    r->capital = db_col_int64(st, 7);
    ent_copy(r->industry, sizeof r->industry, db_col_text(st, 8));
    r->tech_domain = db_col_int64(st, 9);
    ent_copy(r->tech_sub, sizeof r->tech_sub, db_col_text(st, 10));
    ent_copy(r->listing, sizeof r->listing, db_col_text(st, 11));
    ent_copy(r->contact_name, sizeof r->contact_name, db_col_text(st, 12));
    ent_copy(r->contact_phone, sizeof r->contact_phone, db_col_text(st, 13));
    ent_copy(r->contact_email, sizeof r->contact_email, db_col_text(st, 14));
    r->liaison = db_col_int64(st, 15);
    ent_copy(r->note, sizeof r->note, db_col_text(st, 16));
    rc = 0;
out:
    db_finalize(st);
    return rc;
}

int ent_record_rename(Db *db, int64_t id, const char *old_name,
                      const char *new_name, const char *now, Err *e)
{
    char today[DATE_ISO_SIZE];
    int rc;

    date_format_iso(date_today(), today);
    rc = db_exec_v(db, e,
                   "INSERT INTO enterprise_names (enterprise_id, name, "
                   "used_to, created_at) VALUES ($1, $2, $3, $4) ON "
                   "CONFLICT (enterprise_id, name) DO UPDATE SET used_to = "
                   "excluded.used_to",
                   "ittt", id, old_name, today, now);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "DELETE FROM enterprise_names WHERE enterprise_id = "
                       "$1 AND name = $2",
                       "it", id, new_name);
    }
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "DELETE FROM enterprise_names WHERE enterprise_id = $1 "
                       "AND id NOT IN (SELECT id FROM enterprise_names WHERE "
                       "enterprise_id = $1 ORDER BY COALESCE(used_to, '') "
                       "DESC, id DESC LIMIT $2)",
                       "ii", id, (int64_t)ENT_FORMER_MAX);
    }
    return rc;
}

/* The update of ent_update inside the caller's open transaction (the
 * caller checked the write permission and rolls back on failure). */
static int ent_update_in_tx(Db *db, const Actor *a, int64_t id,
                            const EntInput *in, const EntSource *src, Err *e)
{
    EntRec *r = xcalloc(1, sizeof *r);
    char old_name[ENT_NAME_MAX * 4 + 1];
    char old_path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    json_t *before = NULL;
    json_t *after = NULL;
    int retired = 0;
    int rc;

    if (!src) {
        src = &ent_default_source;
    }
    rc = ent_scoped(db, a, id, old_path, sizeof old_path, &retired, e);
    if (rc) {
        goto out;
    }
    rc = ent_load(db, id, r, e);
    if (rc) {
        goto out;
    }
    if (retired) {
        rc = err_set(e, ERR_CONFLICT, "id", "企业“%s”已注销出库，不能修改",
                     r->name);
        goto out;
    }
    ent_copy(old_name, sizeof old_name, r->name);
    rc = ent_read(db, id, &before, e);
    if (rc) {
        goto out;
    }
    rc = ent_apply(db, a, r, in, 0, e);
    if (rc) {
        goto out;
    }
    rc = ent_check_uscc_free(db, a, r->uscc, id, e);
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    if (strcmp(old_name, r->name) != 0) {
        rc = ent_record_rename(db, id, old_name, r->name, now, e);
        if (rc) {
            goto out;
        }
    }
    {
        DbStmt *st = NULL;
        rc = db_prepare(db,
                        "UPDATE enterprises SET uscc = $1, name = $2, "
                        "unit_id = $3, address = $4, legal_rep = $5, "
                        "established_on = $6, registered_capital = $7, "
                        "industry_code = $8, tech_domain = $9, "
                        "tech_subdomain = $10, listing_status = $11, "
                        "contact_name = $12, contact_phone = $13, "
                        "contact_email = $14, liaison_user_id = $15, "
                        "note = $16, src_kind = $17, src_user_id = $18, "
                        "src_ref = $19, src_at = $20, verified = $21, "
                        "updated_at = $20 WHERE id = $22",
                        &st, e);
        if (rc) {
            goto out;
        }
        ent_bind_record(st, r);
        db_bind_text(st, 17, src->kind);
        db_bind_int64(st, 18, a->user_id);
        if (src->ref) {
            db_bind_int64(st, 19, src->ref);
        } else {
            db_bind_null(st, 19);
        }
        db_bind_text(st, 20, now);
        db_bind_int64(st, 21, src->verified ? 1 : 0);
        db_bind_int64(st, 22, id);
        rc = db_step(st, e);
        db_finalize(st);
        if (rc != DB_DONE) {
            goto out;
        }
    }
    rc = ent_read(db, id, &after, e);
    if (rc) {
        goto out;
    }
    /* A move between units is recorded under the new unit's path. */
    rc = audit_record(db, a, "ent.update", "enterprise", id, r->unit_path,
                      before, after, e);
out:
    json_decref(before);
    json_decref(after);
    free(r);
    return rc;
}

int ent_update(Db *db, const Actor *a, int64_t id, const EntInput *in,
               const EntSource *src, Err *e)
{
    int rc = ent_check_write(a, e);

    if (rc == 0) {
        rc = db_begin(db, e);
    }
    if (rc == 0) {
        rc = ent_update_in_tx(db, a, id, in, src, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

static int ent_id_cmp(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x;
    int64_t b = *(const int64_t *)y;

    return a < b ? -1 : a > b;
}

/* ERR_INVALID naming "ids" when an id occurs twice. */
static int ent_ids_distinct(const int64_t *ids, size_t n, Err *e)
{
    int64_t *v = xcalloc(n, sizeof *v);
    size_t i;
    int rc = 0;

    memcpy(v, ids, n * sizeof *v);
    qsort(v, n, sizeof *v, ent_id_cmp);
    for (i = 1; i < n && rc == 0; i++) {
        if (v[i] == v[i - 1]) {
            rc = err_set(e, ERR_INVALID, "ids", "企业编号 %lld 重复",
                         (long long)v[i]);
        }
    }
    free(v);
    return rc;
}

int ent_update_batch(Db *db, const Actor *a, const int64_t *ids, size_t n,
                     const EntInput *in, Err *e)
{
    size_t i;
    int rc = ent_check_write(a, e);

    if (rc) {
        return rc;
    }
    if (n == 0) {
        return err_set(e, ERR_INVALID, "ids", "请至少选择一家企业");
    }
    if (n > ENT_BATCH_MAX) {
        return err_set(e, ERR_INVALID, "ids", "一次最多批量修改 %d 家企业",
                       ENT_BATCH_MAX);
    }
    for (i = 0; i < n; i++) {
        if (ids[i] <= 0) {
            return err_set(e, ERR_INVALID, "ids",
                           "ids 第 %zu 项应为企业编号（正整数）", i + 1);
        }
    }
    rc = ent_ids_distinct(ids, n, e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    for (i = 0; rc == 0 && i < n; i++) {
        rc = ent_update_in_tx(db, a, ids[i], in, NULL, e);
        if (rc == ERR_NOTFOUND) {
            /* the same answer for missing and out of scope */
            rc = err_set(e, ERR_NOTFOUND, "ids", "企业不存在（编号 %lld）",
                         (long long)ids[i]);
        }
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

/* Retire (retire != 0) or restore enterprise id, with the reason; one
 * transaction with its audit entry ("ent.retire" / "ent.restore"; a
 * restore's reason is in the entry's after as restore_reason, since the
 * record keeps no reason once back in the library). */
static int ent_set_retired(Db *db, const Actor *a, int64_t id, int retire,
                           const char *reason, Err *e)
{
    char rsn[ENT_REASON_MAX * 4 + 1];
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    json_t *before = NULL;
    json_t *after = NULL;
    int retired = 0;
    int rc;

    rc = ent_check_write(a, e);
    if (rc) {
        return rc;
    }
    rc = valid_text(reason, 1, ENT_REASON_MAX, rsn, sizeof rsn, "retire_reason",
                    retire ? "注销出库原因" : "恢复入库原因", e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = ent_scoped(db, a, id, path, sizeof path, &retired, e);
    if (rc) {
        goto out;
    }
    if (retire && retired) {
        rc = err_set(e, ERR_CONFLICT, "id", "企业已注销出库");
        goto out;
    }
    if (!retire && !retired) {
        rc = err_set(e, ERR_CONFLICT, "id", "企业在库，无需恢复");
        goto out;
    }
    rc = ent_read(db, id, &before, e);
    if (rc) {
        goto out;
    }
    clock_now_iso(now, 0);
    if (retire) {
        rc = db_exec_v(db, e,
                       "UPDATE enterprises SET retired_at = $1, retire_reason "
                       "= $2, updated_at = $1 WHERE id = $3",
                       "tti", now, rsn, id);
    } else {
        rc = db_exec_v(db, e,
                       "UPDATE enterprises SET retired_at = NULL, "
                       "retire_reason = NULL, updated_at = $1 WHERE id = $2",
                       "ti", now, id);
    }
    if (rc) {
        goto out;
    }
    /* a retired enterprise leaves the decision lists and counts at once,
     * and a restored one comes back with its stored decisions (marked
     * stale where its data changed): their readers filter on retired_at
     * (elig_decisions.c) */
    rc = ent_read(db, id, &after, e);
    if (rc) {
        goto out;
    }
    if (!retire) {
        json_object_set_new(after, "restore_reason", json_string(rsn));
    }
    rc = audit_record(db, a, retire ? "ent.retire" : "ent.restore",
                      "enterprise", id, path, before, after, e);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

int ent_retire(Db *db, const Actor *a, int64_t id, const char *reason, Err *e)
{
    return ent_set_retired(db, a, id, 1, reason, e);
}

int ent_restore(Db *db, const Actor *a, int64_t id, const char *reason, Err *e)
{
    return ent_set_retired(db, a, id, 0, reason, e);
}

int ent_find_uscc(Db *db, const Actor *a, const char *uscc, int64_t *id, Err *e)
{
    char code[USCC_LEN + 1];
    char path[ACTOR_PATH_MAX];
    int rc;

    rc = uscc_normalize(uscc, code, e);
    if (rc) {
        return rc;
    }
    rc = db_query_int64(db, id, e, "SELECT id FROM enterprises WHERE uscc = $1",
                        "t", code);
    if (rc == ERR_NOTFOUND) {
        return err_set(e, ERR_NOTFOUND, "uscc", "企业不存在");
    }
    if (rc) {
        return rc;
    }
    return ent_scoped(db, a, *id, path, sizeof path, NULL, e);
}

int ent_refresh_latest(Db *db, int64_t id, Err *e)
{
    DbStmt *st = NULL;
    int64_t year = 0;
    int has_rev = 0, has_bp = 0;
    int64_t rev = 0, bp = 0;
    int rc;

    rc = db_prepare_v(db, &st, e,
                      "SELECT year, sales_revenue, rd_expense FROM "
                      "enterprise_years WHERE enterprise_id = $1 ORDER BY "
                      "year DESC LIMIT 1",
                      "i", id);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        year = db_col_int64(st, 0);
        has_rev = !db_col_is_null(st, 1);
        rev = db_col_int64(st, 1);
        if (has_rev && rev > 0 && !db_col_is_null(st, 2)) {
            int64_t rd = db_col_int64(st, 2);
            if (rd >= 0 && rd <= INT64_MAX / 10000) {
                bp = rd * 10000 / rev;
                has_bp = 1;
            }
        }
    } else if (rc != DB_DONE) {
        goto out;
    }
    db_finalize(st);
    st = NULL;
    rc = db_prepare_v(db, &st, e,
                      "UPDATE enterprises SET latest_year = $1, "
                      "latest_revenue = $2, latest_rd_bp = $3 WHERE id = $4",
                      "nnni", id);
    if (rc) {
        goto out;
    }
    if (year) {
        db_bind_int64(st, 1, year);
    }
    if (has_rev) {
        db_bind_int64(st, 2, rev);
    }
    if (has_bp) {
        db_bind_int64(st, 3, bp);
    }
    rc = db_step(st, e);
    rc = rc == DB_DONE ? 0 : rc;
out:
    db_finalize(st);
    return rc;
}

int ent_refresh_derived(Db *db, int64_t first_id, int64_t last_id,
                        unsigned what, Err *e)
{
    int rc = 0;

    if (!first_id && !last_id) {
        last_id = INT64_MAX;
    }
    if (what & ENT_DERIVED_LATEST) {
        /* Same values as ent_refresh_latest; rows only written when they
         * change. 922337203685477 = INT64_MAX / 10000. */
        rc = db_exec_v(
            db, e,
            "UPDATE enterprises SET latest_year = v.y, latest_revenue = v.r, "
            "latest_rd_bp = v.bp FROM (SELECT e.id AS id, ly.year AS y, "
            "ly.sales_revenue AS r, CASE WHEN ly.sales_revenue > 0 AND "
            "ly.rd_expense >= 0 AND ly.rd_expense <= 922337203685477 THEN "
            "ly.rd_expense * 10000 / ly.sales_revenue END AS bp FROM "
            "enterprises e LEFT JOIN enterprise_years ly ON ly.id = (SELECT "
            "y.id FROM enterprise_years y WHERE y.enterprise_id = e.id ORDER "
            "BY y.year DESC LIMIT 1) WHERE e.id BETWEEN $1 AND $2) AS v WHERE "
            "enterprises.id = v.id AND (enterprises.latest_year IS DISTINCT "
            "FROM v.y OR enterprises.latest_revenue IS DISTINCT FROM v.r OR "
            "enterprises.latest_rd_bp IS DISTINCT FROM v.bp)",
            "ii", first_id, last_id);
    }
    if (rc == 0 && (what & ENT_DERIVED_IP1)) {
        rc = db_exec_v(
            db, e,
            "UPDATE enterprises SET ip1_until = v.u FROM (SELECT e.id AS id, "
            "(SELECT MAX(COALESCE(p.expires_on, '9999-12-31')) FROM ip_rights "
            "p WHERE p.enterprise_id = e.id AND p.klass = 1 AND p.status = "
            "'valid' AND p.retired_at IS NULL) AS u FROM enterprises e WHERE "
            "e.id BETWEEN $1 AND $2) AS v WHERE enterprises.id = v.id AND "
            "enterprises.ip1_until IS DISTINCT FROM v.u",
            "ii", first_id, last_id);
    }
    return rc;
}

int ent_writable_path(Db *db, const Actor *a, int64_t id, char *path,
                      size_t cap, Err *e)
{
    int retired = 0;
    int rc = ent_unit_path(db, id, path, cap, &retired, e);

    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, path))) {
        return err_set(e, ERR_NOTFOUND, "id", "企业不存在");
    }
    if (rc == 0 && retired) {
        return err_set(e, ERR_CONFLICT, "id", "企业已注销出库，不能修改");
    }
    return rc;
}

int ent_child_retire(Db *db, const Actor *a, const EntChildKind *k,
                     int64_t enterprise_id, int64_t id, const char *reason,
                     Err *e)
{
    char rsn[ENT_REASON_MAX * 4 + 1];
    char path[ACTOR_PATH_MAX];
    char now[CLOCK_ISO_LEN];
    json_t *before = NULL;
    json_t *after = NULL;
    int64_t ent = 0;
    int rc;

    if (!perm_allows(a->role, PERM_WRITE)) {
        return err_set(e, ERR_FORBIDDEN, NULL, "当前角色不能修改企业信息");
    }
    rc = valid_text(reason, 1, ENT_REASON_MAX, rsn, sizeof rsn, "retire_reason",
                    "删除原因", e);
    if (rc) {
        return rc;
    }
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = k->read(db, id, &before, e);
    if (rc) {
        goto out;
    }
    ent = json_integer_value(json_object_get(before, "enterprise_id"));
    rc = ent == enterprise_id
             ? ent_writable_path(db, a, ent, path, sizeof path, e)
             : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_NOTFOUND, "id", "%s", k->missing_msg);
    }
    if (rc) {
        goto out;
    }
    if (json_is_true(json_object_get(before, "retired"))) {
        rc = err_set(e, ERR_CONFLICT, "id", "%s", k->retired_msg);
        goto out;
    }
    clock_now_iso(now, 0);
    rc = db_exec_v(db, e, k->retire_sql, "tti", now, rsn, id);
    if (rc == 0) {
        /* A retired IP right may end the enterprise's valid class-Ⅰ right
         * (cheap, and a no-op for other kinds of rows). */
        rc = ent_refresh_derived(db, ent, ent, ENT_DERIVED_IP1, e);
    }
    if (rc == 0) {
        rc = k->read(db, id, &after, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, k->action, "enterprise", ent, path, before,
                          after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
out:
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}
