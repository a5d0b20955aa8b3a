/* pipe_count.c - the pipeline's counts as of a date (pipe_count.h). */
#include "domain/cultivation/pipe_count.h"

#include <stdio.h>
#include <string.h>

#include "domain/cultivation/pipe_rows.h"
#include "domain/cultivation/pipeline.h"

/* Entries of tier's batches (pe, b) of enterprises (en) of units (o)
 * under $3 not deregistered by $2, joined to the event (v) that gives
 * their stage at the end of $2: the last one on or before that day. */
#define PIPE_ON_DATE                                                           \
    " FROM pipeline_entries pe JOIN pipeline_batches b ON b.id = "             \
    "pe.batch_id JOIN enterprises en ON en.id = pe.enterprise_id JOIN "        \
    "org_units o ON o.id = en.unit_id JOIN pipeline_events v ON v.entry_id "   \
    "= pe.id WHERE b.tier = $1 AND substr(o.path, 1, length($3)) = $3 AND "    \
    "(en.retired_at IS NULL OR substr(en.retired_at, 1, 10) > $2) AND v.id "   \
    "= (SELECT w.id FROM pipeline_events w WHERE w.entry_id = pe.id AND "      \
    "substr(w.at, 1, 10) <= $2 ORDER BY w.at DESC, w.id DESC LIMIT 1)"

/* ... and whose stage then is one of the comma list $4. */
#define PIPE_IN_STAGES                                                         \
    " AND (',' || CAST($4 AS TEXT) || ',') LIKE ('%,' || v.to_stage || ',%')"

static const char *pipe_path_arg(const char *unit_path)
{
    return unit_path && *unit_path ? unit_path : "/";
}

static int pipe_count_args(const char *tier, const char *stages, Err *e)
{
    if (!pipe_tier_valid(tier)) {
        return err_set(e, ERR_INVALID, "tier", "梯度层级不正确");
    }
    if (stages && !pipe_stages_valid(stages)) {
        return err_set(e, ERR_INVALID, "stage",
                       "阶段应为 selected、recommended、admitted、"
                       "cultivating、certified 等阶段代码，多个用逗号分隔");
    }
    return 0;
}

int pipe_count_stage(Db *db, const char *tier, const char *stages,
                     const char *date, const char *unit_path, int64_t *n,
                     Err *e)
{
    int rc;

    *n = 0;
    rc = pipe_count_args(tier, stages ? stages : "", e);
    if (rc) {
        return rc;
    }
    return db_query_int64(
        db, n, e,
        "SELECT COUNT(DISTINCT pe.enterprise_id)" PIPE_ON_DATE PIPE_IN_STAGES,
        "tttt", tier, date, pipe_path_arg(unit_path), stages);
}

int pipe_rows_stage(Db *db, const char *tier, const char *stages,
                    const char *date, const char *unit_path, int64_t offset,
                    int64_t limit, json_t **items, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *items = json_array();
    rc = pipe_count_args(tier, stages ? stages : "", e);
    if (rc == 0) {
        rc = db_prepare_v(
            db, &st, e,
            "SELECT en.id AS enterprise_id, en.uscc, en.name, o.name AS "
            "unit_name, MAX(b.name) AS batch_name, MAX(substr(v.at, 1, 10)) "
            "AS valid_from, NULL AS valid_to, MAX(v.to_stage) AS "
            "stage" PIPE_ON_DATE PIPE_IN_STAGES
            " GROUP BY en.id, en.uscc, en.name, o.name "
            "ORDER BY en.name, en.id LIMIT $5 OFFSET $6",
            "ttttii", tier, date, pipe_path_arg(unit_path), stages, limit,
            offset);
    }
    if (rc == 0) {
        rc = pipe_rows_json(st, "ittttttt", *items, e);
    }
    db_finalize(st);
    if (rc == 0) {
        size_t i;
        json_t *o;

        json_array_foreach(*items, i, o)
        {
            const char *sn =
                pipe_stage_name(json_string_value(json_object_get(o, "stage")));
            char cert[256];

            json_object_set_new(o, "stage_name", json_string(sn));
            snprintf(cert, sizeof cert, "%s（%s）",
                     json_string_value(json_object_get(o, "batch_name")), sn);
            json_object_set_new(o, "cert_no", json_string(cert));
        }
    }
    return rc;
}

/* The stages a forecast weighs: still open on the date. */
static const char *const pipe_open_stages[] = {
    "selected", "recommended", "returned", "admitted", "cultivating"};
#define PIPE_N_OPEN (sizeof pipe_open_stages / sizeof pipe_open_stages[0])

static PipeStageForecast *pipe_fc_find(PipeStageForecast *out, size_t n,
                                       const char *stage)
{
    for (size_t i = 0; stage && i < n; i++) {
        if (strcmp(out[i].stage, stage) == 0) {
            return &out[i];
        }
    }
    return NULL;
}

int pipe_forecast_stages(Db *db, const char *tier, const char *date,
                         const char *unit_path, PipeStageForecast *out,
                         size_t cap, size_t *n, Err *e)
{
    int64_t year;
    DbStmt *st = NULL;
    int rc;

    *n = 0;
    if (cap < PIPE_N_OPEN) {
        return err_set(e, ERR_INTERNAL, NULL, "forecast stages: cap too small");
    }
    rc = pipe_count_args(tier, NULL, e);
    if (rc) {
        return rc;
    }
    for (size_t i = 0; i < PIPE_N_OPEN; i++) {
        memset(&out[i], 0, sizeof out[i]);
        snprintf(out[i].stage, sizeof out[i].stage, "%s", pipe_open_stages[i]);
        out[i].name = pipe_stage_name(pipe_open_stages[i]);
    }
    *n = PIPE_N_OPEN;
    year = (date[0] - '0') * 1000 + (date[1] - '0') * 100 +
           (date[2] - '0') * 10 + (date[3] - '0');
    /* this year's batches: entries by their stage on the date */
    rc = db_prepare_v(
        db, &st, e,
        "SELECT v.to_stage, COUNT(DISTINCT pe.enterprise_id)" PIPE_ON_DATE
        " AND b.year = $4 GROUP BY v.to_stage",
        "ttti", tier, date, pipe_path_arg(unit_path), year);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        PipeStageForecast *f = pipe_fc_find(out, *n, db_col_text(st, 0));

        if (f) {
            f->count = db_col_int64(st, 1);
        }
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    if (rc != DB_DONE) {
        return rc;
    }
    /* earlier years' batches: of the entries ever at a stage, how many
     * are certified now */
    rc = db_prepare_v(
        db, &st, e,
        "SELECT w.to_stage, COUNT(DISTINCT pe.id), COUNT(DISTINCT CASE WHEN "
        "pe.stage = 'certified' THEN pe.id END) FROM pipeline_entries pe "
        "JOIN pipeline_batches b ON b.id = pe.batch_id JOIN enterprises en "
        "ON en.id = pe.enterprise_id JOIN org_units o ON o.id = en.unit_id "
        "JOIN pipeline_events w ON w.entry_id = pe.id WHERE b.tier = $1 AND "
        "b.year < $2 AND substr(o.path, 1, length($3)) = $3 "
        "GROUP BY w.to_stage",
        "tit", tier, year, pipe_path_arg(unit_path));
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        PipeStageForecast *f = pipe_fc_find(out, *n, db_col_text(st, 0));

        if (f) {
            f->hist_entries = db_col_int64(st, 1);
            f->hist_certified = db_col_int64(st, 2);
        }
        rc = 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}
