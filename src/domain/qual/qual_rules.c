/* qual_rules.c - rule inputs derived from the register and their
 * conflicts with declarations (see qual.h).
 *
 * The register wins over a declaration of a covered input when it has
 * any row of the driving kind for the enterprise (valid on the as-of date
 * or not); without a row the declaration stays. */
#include "domain/qual/qual.h"

#include <stdio.h>
#include <string.h>

#include "rules/field.h"

static const char *const qual_rule_fields[QUAL_RULE_FIELDS] = {"hnte_cert",
                                                               "tj_hnte_cert"};
static const char *const qual_rule_kinds[QUAL_RULE_FIELDS] = {"hnte",
                                                              "tj_hnte"};

const char *qual_rule_field(int i)
{
    return i >= 0 && i < QUAL_RULE_FIELDS ? qual_rule_fields[i] : NULL;
}

const char *qual_rule_kind(int i)
{
    return i >= 0 && i < QUAL_RULE_FIELDS ? qual_rule_kinds[i] : NULL;
}

int qual_rule_index(const char *field)
{
    for (int i = 0; field && i < QUAL_RULE_FIELDS; i++) {
        if (strcmp(qual_rule_fields[i], field) == 0) {
            return i;
        }
    }
    return -1;
}

static int qual_kind_index(const char *kind)
{
    for (int i = 0; kind && i < QUAL_RULE_FIELDS; i++) {
        if (strcmp(qual_rule_kinds[i], kind) == 0) {
            return i;
        }
    }
    return -1;
}

int qual_rule_state(Db *db, int64_t enterprise_id, Date as_of,
                    QualRuleState *out, Err *e)
{
    char d[DATE_ISO_SIZE];
    DbStmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    date_format_iso(as_of, d);
    rc = db_prepare_v(
        db, &st, e,
        "SELECT q.kind, MAX(CASE WHEN " QUAL_VALID_ON(
            "q", "2") " THEN 1 ELSE 0 END) FROM qualifications q WHERE "
                      "q.enterprise_id = $1 AND q.kind IN ($3, $4) GROUP BY "
                      "q.kind",
        "ittt", enterprise_id, d, qual_rule_kinds[0], qual_rule_kinds[1]);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int i = qual_kind_index(db_col_text(st, 0));
        rc = 0;
        if (i >= 0) {
            out->has[i] = 1;
            out->valid[i] = db_col_int64(st, 1) != 0;
        }
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int qual_rule_scan(Db *db, Date as_of, const char *ids, QualRuleFn fn, void *ud,
                   Err *e)
{
    char d[DATE_ISO_SIZE], in[160], sql[640];
    QualRuleState cur;
    int64_t cur_id = 0;
    DbStmt *st = NULL;
    int rc;

    memset(&cur, 0, sizeof cur);
    date_format_iso(as_of, d);
    in[0] = '\0';
    if (ids) {
        char list[128];
        db_id_in_list(db, 4, list, sizeof list);
        snprintf(in, sizeof in, " AND q.enterprise_id %s", list);
    }
    snprintf(sql, sizeof sql,
             "SELECT q.enterprise_id, q.kind, MAX(CASE WHEN " QUAL_VALID_ON(
                 "q", "1") " THEN 1 ELSE 0 END) FROM qualifications q WHERE "
                           "q.kind IN ($2, $3)%s GROUP BY q.enterprise_id, "
                           "q.kind ORDER BY q.enterprise_id",
             in);
    rc = ids ? db_prepare_v(db, &st, e, sql, "tttt", d, qual_rule_kinds[0],
                            qual_rule_kinds[1], ids)
             : db_prepare_v(db, &st, e, sql, "ttt", d, qual_rule_kinds[0],
                            qual_rule_kinds[1]);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0);
        int i = qual_kind_index(db_col_text(st, 1));

        rc = 0;
        if (id != cur_id) {
            if (cur_id) {
                fn(ud, cur_id, &cur);
            }
            memset(&cur, 0, sizeof cur);
            cur_id = id;
        }
        if (i >= 0) {
            cur.has[i] = 1;
            cur.valid[i] = db_col_int64(st, 2) != 0;
        }
    }
    db_finalize(st);
    if (rc == DB_DONE) {
        rc = 0;
        if (cur_id) {
            fn(ud, cur_id, &cur);
        }
    }
    return rc;
}

int qual_conflicts(Db *db, int64_t enterprise_id, Date as_of, json_t **out,
                   Err *e)
{
    char d[DATE_ISO_SIZE];
    QualRuleState qs;
    json_t *arr = json_array();
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    date_format_iso(as_of, d);
    rc = qual_rule_state(db, enterprise_id, as_of, &qs, e);
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT field, value, valid_from, valid_to FROM "
                          "enterprise_declarations WHERE enterprise_id = $1 "
                          "AND field IN ($2, $3) ORDER BY field",
                          "itt", enterprise_id, qual_rule_fields[0],
                          qual_rule_fields[1]);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int i = qual_rule_index(db_col_text(st, 0));
        const char *from = db_col_text(st, 2), *to = db_col_text(st, 3);
        int inside =
            (!from || strcmp(from, d) <= 0) && (!to || strcmp(to, d) >= 0);
        int declared = inside && db_col_int64(st, 1) != 0;
        const RuleField *rf;

        rc = 0;
        if (i < 0 || !qs.has[i] || declared == qs.valid[i]) {
            continue;
        }
        rf = rule_field_get(rule_field_find(qual_rule_fields[i]));
        json_array_append_new(
            arr,
            json_pack(
                "{sssssbsbssss}", "field", qual_rule_fields[i], "label",
                rf ? rf->label : qual_rule_fields[i], "declared", declared,
                "register", qs.valid[i], "date", d, "message",
                declared
                    ? "申报为“是”，但资质登记中该日无有效记录（以资质登记为准）"
                    : "申报为“否”（或申报有效期外），但资质登记中该日有有效"
                      "记录（以资质登记为准）"));
    }
    db_finalize(st);
    if (rc != DB_DONE && rc != 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

int qual_conflicts_count(Db *db, const Actor *a, Date as_of, int64_t *n, Err *e)
{
    char d[DATE_ISO_SIZE];

    date_format_iso(as_of, d);
    *n = 0;
    return db_query_int64(
        db, n, e,
        "SELECT COUNT(DISTINCT d.enterprise_id) FROM enterprise_declarations "
        "d JOIN enterprises e ON e.id = d.enterprise_id JOIN org_units o ON "
        "o.id = e.unit_id WHERE d.field IN ($3, $4) AND e.retired_at IS NULL "
        "AND substr(o.path, 1, length($2)) = $2 AND EXISTS (SELECT 1 FROM "
        "qualifications q WHERE q.enterprise_id = d.enterprise_id AND "
        "q.kind = CASE d.field WHEN $3 THEN $5 ELSE $6 END) AND CASE WHEN "
        "(d.valid_from IS NULL OR d.valid_from <= $1) AND (d.valid_to IS "
        "NULL OR d.valid_to >= $1) AND d.value <> 0 THEN 1 ELSE 0 END <> "
        "CASE WHEN EXISTS (SELECT 1 FROM qualifications q WHERE "
        "q.enterprise_id = d.enterprise_id AND q.kind = CASE d.field WHEN $3 "
        "THEN $5 ELSE $6 END AND " QUAL_VALID_ON("q",
                                                 "1") ") THEN 1 ELSE 0 END",
        "tttttt", d, a->unit_path, qual_rule_fields[0], qual_rule_fields[1],
        qual_rule_kinds[0], qual_rule_kinds[1]);
}
