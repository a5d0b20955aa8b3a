/* ent_list.c - the enterprise list: filters, the query plan (unit
 * subtree, search indexes, sort), the capped count, the page of rows and
 * the export (see ent.h; records themselves are in ent.c). */
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

/* ---- list ------------------------------------------------------------ */

/* Sortable columns; nullable ones sort NULLs last. */
static const SqlqSort ent_sorts[] = {
    {"name", "e.name", 0},
    {"uscc", "e.uscc", 0},
    {"established_on", "e.established_on", 1},
    {"registered_capital", "e.registered_capital", 1},
    {"latest_revenue", "e.latest_revenue", 1},
    {"latest_rd_bp", "e.latest_rd_bp", 1},
    {"updated_at", "e.updated_at", 0},
    {"created_at", "e.created_at", 0},
    {"id", "e.id", 0},
};

#define ENT_N_SORTS (sizeof ent_sorts / sizeof ent_sorts[0])
#define ENT_SORT_DEFAULT "name"

/* A filter's id list: "1,2,3", 1 to ENT_BATCH_MAX positive ids without
 * leading zeros (the list is read as JSON numbers). */
static int ent_ids_check(const char *s, Err *e)
{
    size_t n = 0;

    for (;;) {
        size_t digits = 0;
        int nonzero = 0;

        while (s[digits] >= '0' && s[digits] <= '9') {
            nonzero |= s[digits] != '0';
            digits++;
        }
        if (digits == 0 || digits > 15 || !nonzero || s[0] == '0' ||
            (s[digits] != ',' && s[digits] != '\0')) {
            return err_set(e, ERR_INVALID, "ids",
                           "ids 应为以逗号分隔的企业编号，如 1,2,3");
        }
        if (++n > ENT_BATCH_MAX) {
            return err_set(e, ERR_INVALID, "ids", "一次最多选择 %d 家企业",
                           ENT_BATCH_MAX);
        }
        if (s[digits] == '\0') {
            return 0;
        }
        s += digits + 1;
    }
}

int ent_filter_check(EntFilter *f, char *ind, Err *e)
{
    const SqlqSort *col;
    int desc;
    int rc;

    rc = sqlq_sort_parse(ent_sorts, ENT_N_SORTS, f->sort, ENT_SORT_DEFAULT,
                         &col, &desc, e);
    if (rc) {
        return rc;
    }
    if (f->industry && *f->industry) {
        const char *s = f->industry;
        if (((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) &&
            s[1] == '\0') {
            ind[0] = (char)(s[0] & ~0x20);
            ind[1] = '\0';
            if (!industry_section_name(ind[0])) {
                return err_set(e, ERR_INVALID, "industry", "行业门类应为 A～T");
            }
        } else {
            rc = industry_normalize(s, ind, "industry", e);
            if (rc) {
                return rc;
            }
        }
        f->industry = ind;
    } else {
        f->industry = NULL;
    }
    if (f->tech_domain && !tech_domain_name((int)f->tech_domain)) {
        return err_set(e, ERR_INVALID, "tech_domain", "技术领域应为 1～8");
    }
    if (f->listing_status && *f->listing_status &&
        !ent_listing_valid(f->listing_status)) {
        return err_set(e, ERR_INVALID, "listing_status",
                       "上市状态应为 none、candidate、neeq 或 listed");
    }
    if (f->has_revenue_min && f->has_revenue_max &&
        f->revenue_min > f->revenue_max) {
        return err_set(e, ERR_INVALID, "revenue_max",
                       "营业收入上限不能小于下限");
    }
    if (f->has_rd_min && f->has_rd_max && f->rd_min_bp > f->rd_max_bp) {
        return err_set(e, ERR_INVALID, "rd_max", "研发强度上限不能小于下限");
    }
    if ((f->established_from &&
         (f->established_from < 1900 || f->established_from > 2999)) ||
        (f->established_to &&
         (f->established_to < 1900 || f->established_to > 2999))) {
        return err_set(e, ERR_INVALID,
                       f->established_to ? "established_to"
                                         : "established_from",
                       "成立年份应在 1900～2999 之间");
    }
    if (f->established_from && f->established_to &&
        f->established_from > f->established_to) {
        return err_set(e, ERR_INVALID, "established_to",
                       "成立年份的结束年份不能早于开始年份");
    }
    if (f->ids && !*f->ids) {
        f->ids = NULL;
    }
    if (f->qual_kind && !*f->qual_kind) {
        f->qual_kind = NULL;
    }
    if (f->qual_kind && (strlen(f->qual_kind) > 32 ||
                         strspn(f->qual_kind, "abcdefghijklmnopqrstuvwxyz_") !=
                             strlen(f->qual_kind))) {
        return err_set(e, ERR_INVALID, "qual_kind", "资质类型不正确");
    }
    if (f->qual_on && *f->qual_on) {
        Date d;
        if (date_parse(f->qual_on, &d, "qual_on", NULL) != 0) {
            return err_set(e, ERR_INVALID, "qual_on",
                           "资质有效日期应为日期，如 2021-12-31");
        }
    }
    if (f->ids) {
        rc = ent_ids_check(f->ids, e);
        if (rc) {
            return rc;
        }
    }
    if (f->q) {
        size_t n = strlen(f->q);
        if (!utf8_validate(f->q, n, NULL) ||
            utf8_count_chars(f->q, n) > ENT_QUERY_MAX) {
            return err_set(e, ERR_INVALID, "q", "搜索内容最多 %d 个字符",
                           ENT_QUERY_MAX);
        }
    }
    return 0;
}

/* Totals are exact up to this many matches (ENT_TOTAL_CAP; tests lower
 * it to reach the capped paths with a small library). */
static int64_t ent_total_cap = ENT_TOTAL_CAP;

void ent_set_total_cap_for_tests(int64_t cap)
{
    ent_total_cap = cap > 0 ? cap : ENT_TOTAL_CAP;
}

/* Search modes of a list query (see ent_plan_search). */
enum {
    ENT_Q_NONE,    /* no text search */
    ENT_Q_TRIGRAM, /* 3+ characters: the trigram index (SQLite FTS5) */
    ENT_Q_GRAM,    /* 1-2 letters, digits or ideographs: the gram index */
    ENT_Q_LIKE     /* otherwise: LIKE on the tables (pg_trgm on PG) */
};

/* Bound values and the plan of one list query (text values must outlive
 * the prepare). */
typedef struct EntListArgs {
    char unit_path[ACTOR_PATH_MAX]; /* path of f->unit_id */
    const char *subtree;    /* list units under this path; NULL = all units */
    int64_t unit_one;       /* the only unit under subtree, 0 = several */
    int qmode;              /* ENT_Q_* */
    DbSearchSql srch;       /* search table of the FTS modes (db.h) */
    const char *noidx;      /* db_noidx: "+" keeps an index from serving */
    const char *like_op;    /* db_like_ci: LIKE folding ASCII case */
    const char *nulls_last; /* db_desc_nulls_last */
    const Db *db;           /* for db_id_in_list */
    int drive;              /* 1: few matches, join from the search table */
    char industry_hi[INDUSTRY_CODE_MAX + 2];
    char from[DATE_ISO_SIZE];
    char to[DATE_ISO_SIZE];
    char today[DATE_ISO_SIZE];
    char qual_on[DATE_ISO_SIZE];
    char q[ENT_QUERY_MAX * 4 + 5];
    char like[ENT_QUERY_MAX * 8 + 3];
} EntListArgs;

static int ent_unit_filter(Db *db, const Actor *a, const EntFilter *f,
                           EntListArgs *x, Err *e);

/* Trim ASCII and ideographic spaces from both ends into out. */
static void ent_trim(const char *s, char *out, size_t cap)
{
    size_t n;

    while (*s == ' ' || *s == '\t' || (strncmp(s, "\xE3\x80\x80", 3) == 0)) {
        s += *s == ' ' || *s == '\t' ? 1 : 3;
    }
    n = strlen(s);
    for (;;) {
        if (n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
            n--;
        } else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0) {
            n -= 3;
        } else {
            break;
        }
    }
    if (n >= cap) {
        n = utf8_truncate(s, n, cap - 1);
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Which units the list covers: those under the unit filter, else those
 * under the actor's scope. Sets x->subtree (NULL when that is every unit,
 * so no condition is needed) and x->unit_one when it is a single unit (an
 * equality the (unit_id, sort column) indexes serve in order). */
static int ent_plan_units(Db *db, const Actor *a, EntListArgs *x, Err *e)
{
    DbStmt *st = NULL;
    const char *p = NULL;
    int rc;

    x->subtree = NULL;
    x->unit_one = 0;
    if (x->unit_path[0]) {
        p = x->unit_path;
    } else if (strcmp(a->unit_path, "/") != 0) {
        p = a->unit_path;
    }
    if (!p) {
        return 0;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT COUNT(*), MIN(id), (SELECT COUNT(*) FROM "
                      "org_units) FROM org_units WHERE substr(path, 1, "
                      "length($1)) = $1",
                      "t", p);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc != DB_ROW) {
        rc = rc == DB_DONE ? err_set(e, ERR_INTERNAL, NULL, "数据库错误") : rc;
        goto out;
    }
    rc = 0;
    if (db_col_int64(st, 0) < db_col_int64(st, 2)) {
        x->subtree = p;
        if (db_col_int64(st, 0) == 1) {
            x->unit_one = db_col_int64(st, 1);
        }
    }
out:
    db_finalize(st);
    return rc;
}

/* A query that looks like a USCC or a part of one, as the page shows it
 * grouped ("91 120102 MA004TMD4K") or as typed with hyphens or full-width
 * characters: ASCII letters and digits (full-width folded to half-width)
 * with at least one digit and ENT_CODE_MIN of them, separated only by
 * spaces (also U+3000) and hyphens. Rewrites t in place to the letters and
 * digits alone, upper case; leaves any other query as it is. */
#define ENT_CODE_MIN 6
static void ent_norm_code(char *t)
{
    char out[ENT_QUERY_MAX * 4 + 1];
    size_t n = strlen(t);
    size_t i = 0, o = 0;
    int digits = 0;

    while (i < n) {
        uint32_t cp = 0;
        int len = utf8_decode(t + i, n - i, &cp);

        if (len <= 0) {
            return;
        }
        i += (size_t)len;
        if (cp >= 0xFF01 && cp <= 0xFF5E) {
            cp -= 0xFEE0; /* full-width ASCII */
        }
        if (cp == ' ' || cp == 0x3000 || cp == '-' || cp == '\t') {
            continue;
        }
        if (cp >= 'a' && cp <= 'z') {
            cp -= 'a' - 'A';
        }
        if (!((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z')) ||
            o + 1 >= sizeof out) {
            return;
        }
        digits += cp <= '9';
        out[o++] = (char)cp;
    }
    if (digits == 0 || o < ENT_CODE_MIN) {
        return;
    }
    memcpy(t, out, o);
    t[o] = '\0';
}

/* A character the gram index holds as itself: ASCII letters and digits
 * (folded like LIKE folds them) and CJK ideographs. Others (punctuation,
 * symbols, spaces) are separators to the tokenizer. */
static int ent_gram_char(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= 'a' && cp <= 'z') || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

/* Plan the text search of f into x: the mode, the MATCH and LIKE texts,
 * and for the FTS modes whether the page query is driven from the search
 * table (at most ENT_TOTAL_CAP matches: join and sort them) or walks the
 * enterprises in sort order checking each with LIKE (many matches: a page
 * fills quickly; probing the FTS table per row would cost ~0.1 ms each).
 * Counting always joins from the search table (ent_count). */
static int ent_plan_search(Db *db, const EntFilter *f, EntListArgs *x, Err *e)
{
    char t[ENT_QUERY_MAX * 4 + 1];
    size_t i, n, o = 0;
    size_t chars;
    int64_t hits = 0;
    int rc;

    x->qmode = ENT_Q_NONE;
    x->noidx = db_noidx(db);
    x->like_op = db_like_ci(db);
    x->nulls_last = db_desc_nulls_last(db);
    x->db = db;
    if (!f->q) {
        return 0;
    }
    ent_trim(f->q, t, sizeof t);
    ent_norm_code(t);
    n = strlen(t);
    if (!n) {
        return 0;
    }
    chars = utf8_count_chars(t, n);
    if (chars >= 3) {
        /* SQLite: FTS5 trigram; PostgreSQL: none (LIKE on the base
         * columns, served by pg_trgm indexes) */
        if (db_search_sql(db, DB_SEARCH_TRIGRAM, &x->srch) == 0) {
            x->qmode = ENT_Q_TRIGRAM;
            db_search_query(db, DB_SEARCH_TRIGRAM, t, x->q, sizeof x->q);
        } else {
            x->qmode = ENT_Q_LIKE;
        }
    } else {
        int gram = 1;

        for (i = 0; i < n;) {
            uint32_t cp = 0;
            int len = utf8_decode(t + i, n - i, &cp);

            if (len <= 0 || !ent_gram_char(cp)) {
                gram = 0;
                break;
            }
            i += (size_t)len;
        }
        if (gram && db_search_sql(db, DB_SEARCH_GRAM, &x->srch) == 0) {
            /* the 1-2 character index of the backend (db.h) */
            x->qmode = ENT_Q_GRAM;
            db_search_query(db, DB_SEARCH_GRAM, t, x->q, sizeof x->q);
        } else {
            x->qmode = ENT_Q_LIKE;
        }
    }
    /* LIKE '%…%' on name, USCC and former names (wildcards escaped): the
     * search itself in ENT_Q_LIKE, the check of each row met in sort order
     * when an FTS mode has many matches. */
    o = 0;
    x->like[o++] = '%';
    for (i = 0; t[i] && o + 4 < sizeof x->like; i++) {
        if (t[i] == '%' || t[i] == '_' || t[i] == '\\') {
            x->like[o++] = '\\';
        }
        x->like[o++] = t[i];
    }
    x->like[o++] = '%';
    x->like[o] = '\0';
    if (x->qmode == ENT_Q_LIKE) {
        return 0;
    }
    {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM (SELECT 1 FROM %s WHERE %s $1 "
                 "LIMIT $2) AS m",
                 x->srch.table, x->srch.match);
        rc = db_query_int64(db, &hits, e, sql, "ti", x->q, ent_total_cap + 1);
    }
    if (rc) {
        return rc;
    }
    x->drive = hits <= ent_total_cap;
    return 0;
}

/* Whether a query of plan x joins from the FTS table (drive: for the page
 * query x->drive, for a count always). */
static int ent_driven(const EntListArgs *x, int drive)
{
    return (x->qmode == ENT_Q_TRIGRAM || x->qmode == ENT_Q_GRAM) && drive;
}

/* Append " FROM … WHERE 1=1" of a list query for the plan in x: the search
 * table joined first when it drives the query, else the enterprises
 * alone. */
static void ent_from(Sqlq *q, const EntListArgs *x, int drive)
{
    if (ent_driven(x, drive)) {
        sqlq_addf(q, " FROM %s %s enterprises e ON e.id = %s WHERE 1=1",
                  x->srch.table, x->srch.join, x->srch.key);
    } else {
        sqlq_addf(q, " FROM enterprises e WHERE 1=1");
    }
}

/* Append the WHERE conditions of f to q (after ent_from with the same
 * drive). noidx writes the filter columns as +e.x so that no index on them
 * is used (the unit and retired conditions stay indexable): a page query
 * with many matches then walks the index of its sort order. */
static void ent_where(Sqlq *q, const EntFilter *f, EntListArgs *x, int drive,
                      int noidx)
{
    const char *p = noidx ? x->noidx : "";
    int k;

    if (x->unit_one) {
        sqlq_addf(q, " AND e.unit_id = $%d", sqlq_int(q, x->unit_one));
    } else if (x->subtree) {
        k = sqlq_text(q, x->subtree);
        sqlq_addf(q,
                  " AND e.unit_id IN (SELECT o.id FROM org_units o WHERE "
                  "substr(o.path, 1, length($%d)) = $%d)",
                  k, k);
    }
    if (!f->include_retired) {
        sqlq_addf(q, " AND e.retired_at IS NULL");
    }
    if (f->ids) {
        /* checked by ent_filter_check: digits and commas only */
        char in[128];
        db_id_in_list(x->db, sqlq_text(q, f->ids), in, sizeof in);
        sqlq_addf(q, " AND e.id %s", in);
    }
    if (f->industry) {
        /* Prefix match as a range, so the index serves it. */
        snprintf(x->industry_hi, sizeof x->industry_hi, "%s~", f->industry);
        k = sqlq_text(q, f->industry);
        sqlq_addf(q, " AND %se.industry_code >= $%d", p, k);
        k = sqlq_text(q, x->industry_hi);
        sqlq_addf(q, " AND %se.industry_code < $%d", p, k);
    }
    if (f->tech_domain) {
        sqlq_addf(q, " AND %se.tech_domain = $%d", p,
                  sqlq_int(q, f->tech_domain));
    }
    if (f->listing_status && *f->listing_status) {
        sqlq_addf(q, " AND %se.listing_status = $%d", p,
                  sqlq_text(q, f->listing_status));
    }
    if (f->has_revenue_min) {
        sqlq_addf(q, " AND %se.latest_revenue >= $%d", p,
                  sqlq_int(q, f->revenue_min));
    }
    if (f->has_revenue_max) {
        sqlq_addf(q, " AND %se.latest_revenue <= $%d", p,
                  sqlq_int(q, f->revenue_max));
    }
    if (f->has_rd_min) {
        sqlq_addf(q, " AND %se.latest_rd_bp >= $%d", p,
                  sqlq_int(q, f->rd_min_bp));
    }
    if (f->has_rd_max) {
        sqlq_addf(q, " AND %se.latest_rd_bp <= $%d", p,
                  sqlq_int(q, f->rd_max_bp));
    }
    if (f->established_from) {
        snprintf(x->from, sizeof x->from, "%04u-01-01",
                 (unsigned)(f->established_from % 10000));
        sqlq_addf(q, " AND %se.established_on >= $%d", p,
                  sqlq_text(q, x->from));
    }
    if (f->established_to) {
        snprintf(x->to, sizeof x->to, "%04u-12-31",
                 (unsigned)(f->established_to % 10000));
        sqlq_addf(q, " AND %se.established_on <= $%d", p, sqlq_text(q, x->to));
    }
    if (f->has_ip1) {
        /* ip1_until: latest expiry of a valid class-Ⅰ right (maintained by
         * ent_refresh_derived). */
        date_format_iso(date_today(), x->today);
        sqlq_addf(q, " AND %se.ip1_until >= $%d", p, sqlq_text(q, x->today));
    }
    if (f->qual_kind) {
        /* valid on the date as QUAL_VALID_ON (domain/qual/qual.h) */
        Date d = date_today();
        int j;

        if (f->qual_on && *f->qual_on) {
            date_parse(f->qual_on, &d, NULL, NULL);
        }
        date_format_iso(d, x->qual_on);
        k = sqlq_text(q, f->qual_kind);
        j = sqlq_text(q, x->qual_on);
        sqlq_addf(q,
                  " AND EXISTS (SELECT 1 FROM qualifications qv WHERE "
                  "qv.enterprise_id = e.id AND qv.kind = $%d AND "
                  "qv.valid_from <= $%d AND (qv.valid_to IS NULL OR "
                  "qv.valid_to >= $%d) AND (qv.ended_on IS NULL OR "
                  "qv.ended_on > $%d))",
                  k, j, j, j);
    }
    if (ent_driven(x, drive)) {
        sqlq_addf(q, " AND %s $%d", x->srch.match, sqlq_text(q, x->q));
    } else if (x->qmode != ENT_Q_NONE) {
        k = sqlq_text(q, x->like);
        sqlq_addf(q,
                  " AND (e.name %s $%d ESCAPE '\\' OR e.uscc %s $%d "
                  "ESCAPE '\\' OR EXISTS (SELECT 1 FROM enterprise_names "
                  "n WHERE n.enterprise_id = e.id AND n.name %s $%d "
                  "ESCAPE '\\'))",
                  x->like_op, k, x->like_op, k, x->like_op, k);
    }
}

/* Append the ORDER BY of the sort column: NULLs last in both directions,
 * then by id in the same direction. SQLite sorts NULL lowest, so a
 * descending sort is written plainly (same order, and an index scanned
 * backwards serves it); an ascending one on a nullable column puts
 * (x IS NULL) first. sort_step writes +x so that no index serves the order:
 * a page query with few matches then finds them through the filters'
 * indexes (or one table scan) and sorts them. */
static void ent_order(Sqlq *q, const EntListArgs *x, const SqlqSort *col,
                      int desc, int sort_step)
{
    const char *p = sort_step ? x->noidx : "";

    if (col->nullable && desc) {
        sqlq_addf(q, " ORDER BY %s%s DESC%s, e.id DESC", p, col->expr,
                  x->nulls_last);
    } else if (col->nullable) {
        sqlq_addf(q, " ORDER BY (%s IS NULL), %s%s, e.id", col->expr, p,
                  col->expr);
    } else {
        sqlq_addf(q, " ORDER BY %s%s%s, e.id%s", p, col->expr,
                  desc ? " DESC" : "", desc ? " DESC" : "");
    }
}

/* Whether f filters on more than unit, scope and retirement. */
static int ent_has_filters(const EntFilter *f, const EntListArgs *x)
{
    return f->industry || f->tech_domain ||
           (f->listing_status && *f->listing_status) || f->has_revenue_min ||
           f->has_revenue_max || f->has_rd_min || f->has_rd_max ||
           f->established_from || f->established_to || f->has_ip1 || f->ids ||
           f->qual_kind || x->qmode != ENT_Q_NONE;
}

/* Compact JSON of a list row (SELECT ENT_LIST_COLS). The unit name is a
 * subquery, evaluated for the rows returned only. */
#define ENT_LIST_COLS                                                          \
    "e.id, e.uscc, e.name, e.unit_id, (SELECT o.name FROM org_units o "        \
    "WHERE o.id = e.unit_id), e.industry_code, e.tech_domain, "                \
    "e.established_on, e.listing_status, e.latest_year, e.latest_revenue, "    \
    "e.latest_rd_bp, e.registered_capital, e.retired_at, e.updated_at, "       \
    "e.liaison_user_id"

static json_t *ent_list_row_json(DbStmt *st)
{
    json_t *o = json_object();
    const char *listing = db_col_text(st, 8);
    int64_t dom = db_col_is_null(st, 6) ? 0 : db_col_int64(st, 6);

    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "uscc", ent_text_json(st, 1));
    json_object_set_new(o, "name", ent_text_json(st, 2));
    json_object_set_new(o, "unit_id", json_integer(db_col_int64(st, 3)));
    json_object_set_new(o, "unit_name", ent_text_json(st, 4));
    ent_industry_json(o, db_col_text(st, 5));
    json_object_set_new(o, "tech_domain",
                        dom ? json_integer(dom) : json_null());
    json_object_set_new(o, "tech_domain_name",
                        dom ? json_string(tech_domain_name((int)dom))
                            : json_null());
    json_object_set_new(o, "established_on", ent_text_json(st, 7));
    json_object_set_new(o, "listing_status",
                        json_string(listing ? listing : "none"));
    json_object_set_new(o, "latest_year", ent_int_json(st, 9));
    json_object_set_new(o, "latest_revenue", ent_int_json(st, 10));
    json_object_set_new(o, "latest_revenue_wan", ent_wan_json(st, 10));
    json_object_set_new(o, "latest_rd_bp", ent_int_json(st, 11));
    json_object_set_new(o, "registered_capital", ent_int_json(st, 12));
    json_object_set_new(o, "retired", json_boolean(!db_col_is_null(st, 13)));
    json_object_set_new(o, "updated_at", ent_text_json(st, 14));
    json_object_set_new(o, "liaison_user_id", ent_int_json(st, 15));
    return o;
}

/* The shared start of the list and the export: check the sort and plan
 * the query into x (units, search). */
static int ent_plan(Db *db, const Actor *a, const EntFilter *f, EntListArgs *x,
                    const SqlqSort **col, int *desc, Err *e)
{
    int rc;

    rc = sqlq_sort_parse(ent_sorts, ENT_N_SORTS, f->sort, ENT_SORT_DEFAULT, col,
                         desc, e);
    if (rc == 0) {
        rc = ent_unit_filter(db, a, f, x, e);
    }
    if (rc == 0) {
        rc = ent_plan_units(db, a, x, e);
    }
    if (rc == 0) {
        rc = ent_plan_search(db, f, x, e);
    }
    return rc;
}

/* Count the enterprises that match f (planned in x), up to cap:
 * *total = min(matches, cap), *more = 1 when there are more than cap. */
static int ent_count(Db *db, const EntFilter *f, EntListArgs *x, int64_t cap,
                     int64_t *total, int *more, Err *e)
{
    DbStmt *st = NULL;
    Sqlq q;
    int rc;

    sqlq_init(&q, "SELECT COUNT(*) FROM (SELECT 1");
    ent_from(&q, x, 1);
    ent_where(&q, f, x, 1, 0);
    sqlq_addf(&q, " LIMIT $%d) AS m", sqlq_int(&q, cap + 1));
    rc = sqlq_prepare(&q, db, &st, e);
    if (rc) {
        goto out;
    }
    rc = db_step(st, e);
    if (rc == DB_ROW) {
        int64_t n = db_col_int64(st, 0);

        *more = n > cap;
        *total = n > cap ? cap : n;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_INTERNAL, NULL, "数据库错误");
    }
out:
    db_finalize(st);
    sqlq_release(&q);
    return rc;
}

int ent_list(Db *db, const Actor *a, const EntFilter *f, int64_t offset,
             int64_t limit, json_t **items, int64_t *total, int *total_exact,
             Err *e)
{
    EntListArgs *x = xcalloc(1, sizeof *x);
    DbStmt *st = NULL;
    json_t *arr = json_array();
    const SqlqSort *col = NULL;
    int desc = 0;
    int more = 0;
    int windowed;
    int filtered;
    Sqlq q;
    int rc;

    *items = NULL;
    *total = 0;
    if (total_exact) {
        *total_exact = 1;
    }
    sqlq_init(&q, "SELECT " ENT_LIST_COLS);
    rc = ent_plan(db, a, f, x, &col, &desc, e);
    if (rc) {
        goto out;
    }
    /* Driven by the search table, the page query reads every match to sort
     * them anyway: it counts them in the same pass (COUNT(*) OVER ()),
     * which halves the rows read. Otherwise count first, up to the cap. */
    windowed = ent_driven(x, x->drive);
    if (windowed) {
        sqlq_addf(&q, ", COUNT(*) OVER ()");
    } else {
        rc = ent_count(db, f, x, ent_total_cap, total, &more, e);
        if (rc) {
            goto out;
        }
    }
    if (!windowed && *total == 0) {
        goto done; /* nothing matches: no page to read */
    }
    /* With filters, the count tells which plan fits: many matches (more
     * than the cap, at least 1 %) → walk the sort order's index and check
     * each row; few → find them through the filters and sort them. */
    filtered = !windowed && ent_has_filters(f, x);
    ent_from(&q, x, x->drive);
    ent_where(&q, f, x, x->drive, filtered && more);
    ent_order(&q, x, col, desc, filtered && !more);
    sqlq_addf(&q, " LIMIT $%d OFFSET $%d", sqlq_int(&q, limit),
              sqlq_int(&q, offset));
    rc = sqlq_prepare(&q, db, &st, e);
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (windowed) {
            *total = db_col_int64(st, 16);
        }
        json_array_append_new(arr, ent_list_row_json(st));
    }
    if (rc != DB_DONE) {
        goto out;
    }
    if (windowed && json_array_size(arr) == 0 && offset > 0) {
        /* A page past the end: the window saw no row to count on. */
        rc = ent_count(db, f, x, ent_total_cap, total, &more, e);
        if (rc) {
            goto out;
        }
    }
done:
    if (total_exact) {
        *total_exact = !more;
    }
    rc = 0;
    *items = arr;
    arr = NULL;
out:
    db_finalize(st);
    sqlq_release(&q);
    json_decref(arr);
    free(x);
    return rc;
}

/* Resolve the unit filter of f into x (ERR_INVALID when outside scope). */
static int ent_unit_filter(Db *db, const Actor *a, const EntFilter *f,
                           EntListArgs *x, Err *e)
{
    int rc;

    x->unit_path[0] = '\0';
    if (!f->unit_id) {
        return 0;
    }
    rc = org_path(db, f->unit_id, x->unit_path, sizeof x->unit_path, NULL, e);
    if (rc == ERR_NOTFOUND || (rc == 0 && !actor_sees_path(a, x->unit_path))) {
        x->unit_path[0] = '\0';
        rc = err_set(e, ERR_INVALID, "unit_id", "单位不存在");
    }
    return rc;
}

static const char *ent_col(DbStmt *st, int col)
{
    return db_col_text(st, col);
}

int ent_export(Db *db, const Actor *a, const EntFilter *f, int64_t max_rows,
               EntRowFn fn, void *ud, Err *e)
{
    EntListArgs *x = xcalloc(1, sizeof *x);
    DbStmt *st = NULL;
    const SqlqSort *col = NULL;
    int desc = 0;
    int64_t total = 0;
    int more = 0;
    Sqlq q;
    int rc;

    sqlq_init(&q,
              "SELECT e.id, e.uscc, e.name, (SELECT o.name FROM org_units o "
              "WHERE o.id = e.unit_id), e.address, e.legal_rep, "
              "e.established_on, e.registered_capital, e.industry_code, "
              "e.tech_domain, e.tech_subdomain, e.listing_status, "
              "e.contact_name, e.contact_phone, e.contact_email, e.note, "
              "e.latest_year, e.latest_revenue, e.latest_rd_bp, e.retired_at");
    rc = ent_plan(db, a, f, x, &col, &desc, e);
    if (rc == 0) {
        rc = ent_count(db, f, x, max_rows, &total, &more, e);
    }
    if (rc) {
        goto out;
    }
    if (more) {
        rc = err_set(e, ERR_TOOBIG, "format",
                     "符合条件的企业超过单次导出上限 %lld 家，请缩小筛选范围",
                     (long long)max_rows);
        goto out;
    }
    ent_from(&q, x, x->drive);
    ent_where(&q, f, x, x->drive, 0);
    ent_order(&q, x, col, desc,
              ent_has_filters(f, x) && !ent_driven(x, x->drive));
    rc = sqlq_prepare(&q, db, &st, e);
    if (rc) {
        goto out;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        EntRow r;

        memset(&r, 0, sizeof r);
        r.id = db_col_int64(st, 0);
        r.uscc = ent_col(st, 1);
        r.name = ent_col(st, 2);
        r.unit_name = ent_col(st, 3);
        r.address = ent_col(st, 4);
        r.legal_rep = ent_col(st, 5);
        r.established_on = ent_col(st, 6);
        r.has_capital = !db_col_is_null(st, 7);
        r.capital = db_col_int64(st, 7);
        r.industry_code = ent_col(st, 8);
        r.tech_domain = db_col_int64(st, 9);
        r.tech_subdomain = ent_col(st, 10);
        r.listing_status = ent_col(st, 11);
        r.contact_name = ent_col(st, 12);
        r.contact_phone = ent_col(st, 13);
        r.contact_email = ent_col(st, 14);
        r.note = ent_col(st, 15);
        r.has_latest_year = !db_col_is_null(st, 16);
        r.latest_year = db_col_int64(st, 16);
        r.has_revenue = !db_col_is_null(st, 17);
        r.latest_revenue = db_col_int64(st, 17);
        r.has_rd = !db_col_is_null(st, 18);
        r.latest_rd_bp = db_col_int64(st, 18);
        r.retired = !db_col_is_null(st, 19);
        rc = fn(ud, &r);
        if (rc) {
            goto out;
        }
    }
    if (rc != DB_DONE) {
        goto out;
    }
    rc = 0;
out:
    db_finalize(st);
    sqlq_release(&q);
    free(x);
    return rc;
}
