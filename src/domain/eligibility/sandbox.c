/* sandbox.c - the policy sandbox (see sandbox.h). */
#include "domain/eligibility/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "domain/accounts/audit.h"
#include "domain/eligibility/ruleset.h"
#include "domain/eligibility/snapshot.h"

#define SANDBOX_N_V (RULE_V_CONFLICT + 1) /* verdict codes 1..6 */

/* ---- parsing ------------------------------------------------------------ */

int sandbox_parse(const char *source, size_t len, const char *against,
                  RuleSet **draft, const RuleSet **current, Err *e)
{
    const RuleSetEntry *cur;
    const char *id;
    int rc;

    *draft = NULL;
    *current = NULL;
    if (len > SANDBOX_SOURCE_MAX) {
        return err_set(e, ERR_TOOBIG, "source", "规则草稿超过 %zu 字节",
                       SANDBOX_SOURCE_MAX);
    }
    rc = rule_set_parse(SANDBOX_DRAFT_PATH, source, len, draft, e);
    if (rc != 0) {
        snprintf(e->field, sizeof e->field, "%s", "source");
        if (e->code == ERR_TOOBIG) {
            e->code = ERR_INVALID;
            rc = ERR_INVALID;
        }
        return rc;
    }
    id = against && *against ? against : rule_set_id(*draft);
    cur = ruleset_find(ruleset_current(), id);
    if (!cur) {
        rc = err_set(e, ERR_INVALID, against && *against ? "against" : "source",
                     "现行规则中没有编号为 %s 的规则集，无法比较", id);
        rule_set_free(*draft);
        *draft = NULL;
        return rc;
    }
    *current = cur->rs;
    return 0;
}

/* ---- comparing ---------------------------------------------------------- */

typedef struct UnitCount {
    int64_t unit_id;
    int64_t evaluated;
    int64_t changed;
    int64_t score_changed;
    int64_t trans[SANDBOX_N_V][SANDBOX_N_V];
} UnitCount;

typedef struct Cmp {
    Db *db;
    const RuleSet *current;
    SandboxChangeFn on_change;
    void *ud;
    UnitCount *units;
    int n_units;
    int cap_units;
    int64_t evaluated;
    int64_t changed;
    int64_t score_changed;
    int64_t trans[SANDBOX_N_V][SANDBOX_N_V];
} Cmp;

/* The counters of unit_id (added when new). */
static UnitCount *cmp_unit(Cmp *c, int64_t unit_id)
{
    int i;

    for (i = 0; i < c->n_units; i++) {
        if (c->units[i].unit_id == unit_id) {
            return &c->units[i];
        }
    }
    if (c->n_units == c->cap_units) {
        c->cap_units = c->cap_units ? c->cap_units * 2 : 16;
        c->units = xrealloc(c->units, (size_t)c->cap_units * sizeof *c->units);
    }
    memset(&c->units[c->n_units], 0, sizeof c->units[0]);
    c->units[c->n_units].unit_id = unit_id;
    return &c->units[c->n_units++];
}

static int verdict_ok(int v)
{
    return v >= RULE_V_MET && v < SANDBOX_N_V;
}

/* Count one enterprise's results (ch: ids, verdicts and score ranges
 * filled) and report it when it differs. */
static void cmp_count(Cmp *c, SandboxChange *ch)
{
    UnitCount *u = cmp_unit(c, ch->unit_id);

    u->evaluated++;
    c->evaluated++;
    if (ch->verdict_before != ch->verdict_after) {
        u->changed++;
        c->changed++;
        if (verdict_ok(ch->verdict_before) && verdict_ok(ch->verdict_after)) {
            u->trans[ch->verdict_before][ch->verdict_after]++;
            c->trans[ch->verdict_before][ch->verdict_after]++;
        }
    } else if (ch->has_before != ch->has_after ||
               (ch->has_before && (ch->before_lo != ch->after_lo ||
                                   ch->before_hi != ch->after_hi))) {
        u->score_changed++;
        c->score_changed++;
    } else {
        return; /* same result */
    }
    if (c->on_change) {
        c->on_change(c->ud, ch);
    }
}

void sandbox_transition_name(int before, int after, char *out, size_t cap)
{
    snprintf(out, cap, "%s→%s", rule_verdict_name(before),
             rule_verdict_name(after));
}

/* [{from, to, from_code, to_code, count}] of the non-zero cells. */
static json_t *trans_json(int64_t t[SANDBOX_N_V][SANDBOX_N_V])
{
    json_t *arr = json_array();
    int i;
    int j;

    for (i = RULE_V_MET; i < SANDBOX_N_V; i++) {
        for (j = RULE_V_MET; j < SANDBOX_N_V; j++) {
            if (t[i][j] > 0) {
                json_array_append_new(
                    arr, json_pack("{sssssisisI}", "from", rule_verdict_name(i),
                                   "to", rule_verdict_name(j), "from_code", i,
                                   "to_code", j, "count", (json_int_t)t[i][j]));
            }
        }
    }
    return arr;
}

static int cmp_unit_order(const void *a, const void *b)
{
    const UnitCount *x = a;
    const UnitCount *y = b;

    return x->unit_id < y->unit_id ? -1 : x->unit_id > y->unit_id;
}

/* The result object of a finished comparison (see sandbox.h). */
static int cmp_result(Cmp *c, const RuleSet *draft, Date as_of, json_t **result,
                      Err *e)
{
    json_t *units = json_array();
    DbStmt *st = NULL;
    char d[DATE_ISO_SIZE];
    int rc = 0;
    int i;

    if (c->n_units > 1) { /* units is NULL when nothing was in scope */
        qsort(c->units, (size_t)c->n_units, sizeof c->units[0], cmp_unit_order);
    }
    rc = db_prepare(c->db, "SELECT name FROM org_units WHERE id = $1", &st, e);
    for (i = 0; rc == 0 && i < c->n_units; i++) {
        UnitCount *u = &c->units[i];
        const char *name = "";
        int step;

        db_reset(st);
        db_bind_int64(st, 1, u->unit_id);
        step = db_step(st, e);
        if (step == DB_ROW) {
            name = db_col_text(st, 0) ? db_col_text(st, 0) : "";
        } else if (step != DB_DONE) {
            rc = step;
            break;
        }
        json_array_append_new(
            units,
            json_pack("{sIsssIsIsIso}", "unit_id", (json_int_t)u->unit_id,
                      "unit_name", name, "evaluated", (json_int_t)u->evaluated,
                      "changed", (json_int_t)u->changed, "score_changed",
                      (json_int_t)u->score_changed, "transitions",
                      trans_json(u->trans)));
    }
    db_finalize(st);
    if (rc) {
        json_decref(units);
        return rc;
    }
    date_format_iso(as_of, d);
    *result = json_pack(
        "{sssssssssssssIsIsIsoso}", "ruleset", rule_set_id(draft), "name",
        rule_set_name(draft), "against", rule_set_id(c->current), "as_of", d,
        "draft_hash", rule_set_hash(draft), "current_hash",
        rule_set_hash(c->current), "evaluated", (json_int_t)c->evaluated,
        "changed", (json_int_t)c->changed, "score_changed",
        (json_int_t)c->score_changed, "transitions", trans_json(c->trans),
        "units", units);
    return 0;
}

/* Verdict and score range of every snapshot row (the batch evaluator's
 * fast path when the rule set has one). */
static void outs_alloc(BatchOut *o, size_t n)
{
    memset(o, 0, sizeof *o);
    o->verdict = xcalloc(n + 1, 1);
    o->has_total = xcalloc(n + 1, 1);
    o->total_lo = xcalloc(n + 1, sizeof(int64_t));
    o->total_hi = xcalloc(n + 1, sizeof(int64_t));
}

static void outs_release(BatchOut *o)
{
    free(o->verdict);
    free(o->has_total);
    free(o->total_lo);
    free(o->total_hi);
}

int sandbox_compare(Db *db, const Actor *a, const RuleSet *draft,
                    const RuleSet *current, Date as_of, JobRun *run,
                    SandboxChangeFn on_change, void *ud, json_t **result,
                    Err *e)
{
    Cmp c;
    Snapshot *s = NULL;
    char *path = snapshot_path_for(db_location(db));
    uint8_t *in_scope = NULL;
    BatchOut before, after;
    size_t n = 0, n_in = 0;
    int rc;

    *result = NULL;
    memset(&c, 0, sizeof c);
    c.db = db;
    c.current = current;
    c.on_change = on_change;
    c.ud = ud;
    memset(&before, 0, sizeof before);
    memset(&after, 0, sizeof after);
    /* the library as columns (the saved snapshot when it is fresh) */
    rc = snapshot_get_run(db, path, as_of, run, &s, e);
    if (rc == 0) {
        n = snapshot_rows(s);
        in_scope = xcalloc(n + 1, 1);
        rc = snapshot_scope(db, s, a->unit_path, in_scope, &n_in, e);
    }
    if (rc == 0 && run) {
        job_set_total(run, (int64_t)n_in);
    }
    if (rc == 0) {
        outs_alloc(&before, n);
        outs_alloc(&after, n);
        rc = snapshot_rescreen(s, current, &before, e);
    }
    if (rc == 0 && run && job_cancelled(run)) {
        rc = err_set(e, ERR_CANCELLED, "job", "任务已取消");
    }
    if (rc == 0) {
        rc = snapshot_rescreen(s, draft, &after, e);
    }
    for (size_t r = 0; rc == 0 && r < n; r++) {
        SandboxChange ch;
        if (!in_scope[r]) {
            continue;
        }
        memset(&ch, 0, sizeof ch);
        ch.enterprise_id = snapshot_enterprise_id(s, r);
        ch.unit_id = snapshot_unit_id(s, r);
        ch.verdict_before = before.verdict[r];
        ch.verdict_after = after.verdict[r];
        ch.has_before = before.has_total[r];
        ch.before_lo = before.total_lo[r];
        ch.before_hi = before.total_hi[r];
        ch.has_after = after.has_total[r];
        ch.after_lo = after.total_lo[r];
        ch.after_hi = after.total_hi[r];
        cmp_count(&c, &ch);
    }
    if (rc == 0 && run) {
        job_add_done(run, (int64_t)n_in);
    }
    if (rc == 0) {
        rc = cmp_result(&c, draft, as_of, result, e);
    }
    outs_release(&before);
    outs_release(&after);
    free(in_scope);
    snapshot_free(s);
    free(path);
    free(c.units);
    return rc;
}

/* ---- the job ---------------------------------------------------------- */

typedef struct SandboxJob {
    RuleSet *draft;
    const RuleSet *current; /* lives as long as the process */
    Date as_of;
} SandboxJob;

static void sandbox_job_free(void *p)
{
    SandboxJob *j = p;

    if (j) {
        rule_set_free(j->draft);
        free(j);
    }
}

/* Bind a score bound or NULL. */
static void bind_score(DbStmt *st, int idx, int has, int64_t v)
{
    if (has) {
        db_bind_int64(st, idx, v);
    } else {
        db_bind_null(st, idx);
    }
}

/* The changes of a run, collected during the (read-only) comparison and
 * written afterwards in one short write transaction. */
typedef struct Collect {
    SandboxChange *v;
    int64_t n;
    int64_t cap;
} Collect;

static void collect_change(void *ud, const SandboxChange *ch)
{
    Collect *c = ud;

    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->v = xrealloc(c->v, (size_t)c->cap * sizeof *c->v);
    }
    c->v[c->n++] = *ch;
}

/* Insert the collected changes of job id (in the caller's transaction). */
static int store_changes(Db *db, int64_t id, const Collect *c, Err *e)
{
    DbStmt *st = NULL;
    int64_t i;
    int rc;

    rc = db_prepare(db,
                    "INSERT INTO sandbox_changes (job_id, enterprise_id, "
                    "unit_id, verdict_before, verdict_after, "
                    "score_before_lo, score_before_hi, score_after_lo, "
                    "score_after_hi) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &st, e);
    for (i = 0; rc == 0 && i < c->n; i++) {
        const SandboxChange *ch = &c->v[i];
        int step;

        db_reset(st);
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, ch->enterprise_id);
        db_bind_int64(st, 3, ch->unit_id);
        db_bind_int64(st, 4, ch->verdict_before);
        db_bind_int64(st, 5, ch->verdict_after);
        bind_score(st, 6, ch->has_before, ch->before_lo);
        bind_score(st, 7, ch->has_before, ch->before_hi);
        bind_score(st, 8, ch->has_after, ch->after_lo);
        bind_score(st, 9, ch->has_after, ch->after_hi);
        step = db_step(st, e);
        if (step != DB_DONE) {
            rc = step == DB_ROW ? ERR_INTERNAL : step;
        }
    }
    db_finalize(st);
    return rc;
}

/* The worker: compare in a read transaction (other writers are not held
 * up), then store the changes, the audit entry and the result in one
 * write transaction; a failure or cancel leaves nothing. */
static int sandbox_work(JobRun *run, Db *db, const Actor *a, void *ud, Err *e)
{
    SandboxJob *j = ud;
    Collect col;
    json_t *result = NULL;
    json_t *after = NULL;
    int64_t exists = 0;
    int rc;

    memset(&col, 0, sizeof col);
    job_set_phase(run, "试算中");
    rc = db_begin_read(db, e);
    if (rc == 0) {
        rc = sandbox_compare(db, a, j->draft, j->current, j->as_of, run,
                             collect_change, &col, &result, e);
        db_rollback(db); /* read only */
    }
    if (rc == 0) {
        job_set_phase(run, "保存结果");
        rc = db_begin(db, e);
    }
    if (rc == 0) {
        /* the run may have been pruned by 20 newer ones meanwhile */
        rc = db_query_int64(db, &exists, e,
                            "SELECT COUNT(*) FROM sandbox_runs WHERE "
                            "job_id = $1",
                            "i", job_id(run));
    }
    if (rc == 0 && exists) {
        rc = store_changes(db, job_id(run), &col, e);
    }
    if (rc == 0) {
        after = json_pack("{sOsOsO}", "evaluated",
                          json_object_get(result, "evaluated"), "changed",
                          json_object_get(result, "changed"), "score_changed",
                          json_object_get(result, "score_changed"));
        rc = audit_record(db, a, "sandbox.done", "job", job_id(run), NULL, NULL,
                          after, e);
    }
    if (rc == 0) {
        /* the job's end state commits with the changes (job.h) */
        job_set_result(run, json_incref(result));
        rc = job_store_done_tx(db, run, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        job_set_result(run, NULL);
        json_decref(result);
    } else {
        job_set_result(run, result);
    }
    json_decref(after);
    free(col.v);
    return rc;
}

int sandbox_job_load(Db *db, const char *location, int64_t id, json_t *params,
                     json_t *result, JobFn *fn, void **ud,
                     void (**free_ud)(void *), Err *e)
{
    SandboxJob *j = NULL;
    RuleSet *draft = NULL;
    const RuleSet *current = NULL;
    DbStmt *st = NULL;
    Date as_of = 0;
    int rc;

    (void)location;
    (void)params;
    (void)result;
    rc = db_prepare_v(db, &st, e,
                      "SELECT source, against, as_of FROM sandbox_runs WHERE "
                      "job_id = $1",
                      "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_DONE) {
        rc = err_set(e, ERR_CONFLICT, "id",
                     "运行该试算的服务实例已停止，试算记录已被更新的试算清理，"
                     "不能重新运行");
    } else if (rc == DB_ROW) {
        const char *src = db_col_text(st, 0);
        rc = date_parse(db_col_text(st, 2), &as_of, "as_of", e);
        if (rc == 0) {
            rc = sandbox_parse(src, strlen(src), db_col_text(st, 1), &draft,
                               &current, e);
        }
    }
    db_finalize(st);
    if (rc) {
        rule_set_free(draft);
        return rc;
    }
    j = xcalloc(1, sizeof *j);
    j->draft = draft;
    j->current = current;
    j->as_of = as_of;
    *fn = sandbox_work;
    *ud = j;
    *free_ud = sandbox_job_free;
    return 0;
}

/* Delete the changes and run rows of all but the newest SANDBOX_KEEP_RUNS
 * runs (in the caller's transaction). */
static int sandbox_prune(Db *db, Err *e)
{
    static const char *const sql[] = {
        "DELETE FROM sandbox_changes WHERE job_id NOT IN (SELECT job_id FROM "
        "sandbox_runs ORDER BY job_id DESC LIMIT $1)",
        "DELETE FROM sandbox_runs WHERE job_id NOT IN (SELECT job_id FROM "
        "sandbox_runs ORDER BY job_id DESC LIMIT $1)",
    };
    int rc = 0;
    size_t i;

    for (i = 0; rc == 0 && i < sizeof sql / sizeof sql[0]; i++) {
        rc = db_exec_v(db, e, sql[i], "i", (int64_t)SANDBOX_KEEP_RUNS);
    }
    return rc;
}

int sandbox_start(Db *db, const char *location, const Actor *a,
                  const char *source, size_t len, const char *against,
                  Date as_of, int64_t *job_id_out, Err *e)
{
    SandboxJob *j = NULL;
    RuleSet *draft = NULL;
    const RuleSet *current = NULL;
    json_t *params = NULL;
    char d[DATE_ISO_SIZE];
    char now[CLOCK_ISO_LEN];
    int64_t id = 0;
    int rc;

    *job_id_out = 0;
    rc = sandbox_parse(source, len, against, &draft, &current, e);
    if (rc) {
        goto out;
    }
    date_format_iso(as_of, d);
    clock_now_iso(now, 0);
    params = json_pack("{ssssssssssss}", "ruleset", rule_set_id(draft), "name",
                       rule_set_name(draft), "against", rule_set_id(current),
                       "as_of", d, "draft_hash", rule_set_hash(draft),
                       "current_hash", rule_set_hash(current));
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = job_create(db, a, "sandbox", params, &id, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "INSERT INTO sandbox_runs (job_id, ruleset, against, "
                       "draft_hash, current_hash, as_of, source, created_at) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                       "ittttttt", id, rule_set_id(draft), rule_set_id(current),
                       rule_set_hash(draft), rule_set_hash(current), d, source,
                       now);
    }
    if (rc == 0) {
        rc = sandbox_prune(db, e);
    }
    if (rc == 0) {
        rc = audit_record(db, a, "sandbox.create", "job", id, NULL, NULL,
                          params, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        goto out;
    }
    j = xcalloc(1, sizeof *j);
    j->draft = draft;
    j->current = current;
    j->as_of = as_of;
    draft = NULL;
    *job_id_out = id;
    rc = job_start(location, id, a, sandbox_work, j, sandbox_job_free, e);
    if (rc) {
        /* not left queued for ever: mark it cancelled (best effort) */
        Err ce;
        err_clear(&ce);
        job_cancel(db, a, id, "sandbox", &ce);
        *job_id_out = 0;
    }
out:
    rule_set_free(draft);
    json_decref(params);
    return rc;
}

/* ---- the change list ---------------------------------------------------- */

int sandbox_parse_transition(const char *s, SandboxFilter *f, Err *e)
{
    static const char *const seps[] = {"→", "->", "-"};
    size_t k;
    int v;

    for (k = 0; k < sizeof seps / sizeof seps[0]; k++) {
        const char *p = strstr(s, seps[k]);
        char left[64];
        const char *right;
        int b = 0;
        int a = 0;

        if (!p || (size_t)(p - s) >= sizeof left) {
            continue;
        }
        memcpy(left, s, (size_t)(p - s));
        left[p - s] = '\0';
        right = p + strlen(seps[k]);
        for (v = RULE_V_MET; v < SANDBOX_N_V; v++) {
            char code[4];
            snprintf(code, sizeof code, "%d", v);
            if (strcmp(left, rule_verdict_name(v)) == 0 ||
                strcmp(left, code) == 0) {
                b = v;
            }
            if (strcmp(right, rule_verdict_name(v)) == 0 ||
                strcmp(right, code) == 0) {
                a = v;
            }
        }
        if (b && a) {
            f->verdict_before = b;
            f->verdict_after = a;
            return 0;
        }
    }
    return err_set(e, ERR_INVALID, "transition",
                   "变化类型应写作 原结论→新结论（如 达标→未达标）");
}

int sandbox_changes(Db *db, int64_t job_id, const SandboxFilter *f,
                    int64_t offset, int64_t limit, SandboxChangeFn fn, void *ud,
                    int64_t *total, Err *e)
{
    static const char where[] =
        "FROM sandbox_changes c JOIN enterprises n ON n.id = c.enterprise_id "
        "JOIN org_units u ON u.id = c.unit_id "
        "WHERE c.job_id = $1 AND ($2 = 0 OR c.unit_id = $2) "
        "AND ($3 = 0 OR c.verdict_before = $3) "
        "AND ($4 = 0 OR c.verdict_after = $4) ";
    char sql[1024];
    DbStmt *st = NULL;
    int64_t exists = 0;
    int rc;
    int step = DB_DONE;

    *total = 0;
    rc = db_query_int64(db, &exists, e,
                        "SELECT COUNT(*) FROM sandbox_runs WHERE job_id = $1",
                        "i", job_id);
    if (rc) {
        return rc;
    }
    if (!exists) {
        return err_set(e, ERR_NOTFOUND, "id",
                       "该试算的变化明细已清理（只保留最近 %d 次试算）",
                       SANDBOX_KEEP_RUNS);
    }
    snprintf(sql, sizeof sql, "SELECT COUNT(*) %s", where);
    rc = db_query_int64(db, total, e, sql, "iiii", job_id, f->unit_id,
                        (int64_t)f->verdict_before, (int64_t)f->verdict_after);
    if (rc || limit <= 0) {
        return rc;
    }
    snprintf(sql, sizeof sql,
             "SELECT c.enterprise_id, c.unit_id, c.verdict_before, "
             "c.verdict_after, c.score_before_lo, c.score_before_hi, "
             "c.score_after_lo, c.score_after_hi, n.name, n.uscc, u.name %s"
             "ORDER BY c.unit_id, c.enterprise_id LIMIT $5 OFFSET $6",
             where);
    rc = db_prepare_v(db, &st, e, sql, "iiiiii", job_id, f->unit_id,
                      (int64_t)f->verdict_before, (int64_t)f->verdict_after,
                      limit, offset);
    while (rc == 0 && (step = db_step(st, e)) == DB_ROW) {
        SandboxChange ch;

        memset(&ch, 0, sizeof ch);
        ch.enterprise_id = db_col_int64(st, 0);
        ch.unit_id = db_col_int64(st, 1);
        ch.verdict_before = (int)db_col_int64(st, 2);
        ch.verdict_after = (int)db_col_int64(st, 3);
        ch.has_before = !db_col_is_null(st, 4);
        ch.before_lo = db_col_int64(st, 4);
        ch.before_hi = db_col_int64(st, 5);
        ch.has_after = !db_col_is_null(st, 6);
        ch.after_lo = db_col_int64(st, 6);
        ch.after_hi = db_col_int64(st, 7);
        ch.name = db_col_text(st, 8);
        ch.uscc = db_col_text(st, 9);
        ch.unit_name = db_col_text(st, 10);
        fn(ud, &ch);
    }
    if (rc == 0 && step != DB_DONE) {
        rc = step;
    }
    db_finalize(st);
    return rc;
}
