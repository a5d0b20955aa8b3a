/* elig_screen.c - whole-library screening into the stored decision
 * columns through the library snapshot, at once or as a job (see
 * elig_screen.h). */
#include "domain/eligibility/elig_screen.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/mem.h"
#include "domain/accounts/audit.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/eligibility/ruleset.h"
#include "domain/eligibility/snapshot.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* {id: {verdict name: n}} of a screening. */
static json_t *screen_counts(const RuleSet **sets, int n,
                             const int64_t (*counts)[8])
{
    json_t *o = json_object();

    for (int i = 0; i < n; i++) {
        json_t *c = json_object();

        for (int v = 1; v <= 6; v++) {
            json_object_set_new(c, elig_verdict_code(v),
                                json_integer(counts[i][v]));
        }
        json_object_set_new(o, rule_set_id(sets[i]), c);
    }
    return o;
}

/* The rule sets a screening names (all in force at as_of when n is 0),
 * each once. */
static int screen_sets(const char *const *rulesets, int n, Date as_of,
                       const RuleSet **sets, int *ns, Err *e)
{
    int rc = 0;

    *ns = 0;
    if (n == 0) {
        return elig_rulesets(as_of, NULL, "rulesets", sets, ELIG_SETS_MAX, ns,
                             e);
    }
    for (int i = 0; i < n && rc == 0; i++) {
        int k = 0;

        if (*ns == ELIG_SETS_MAX) {
            return err_set(e, ERR_TOOBIG, "rulesets", "规则集过多");
        }
        rc =
            elig_rulesets(as_of, rulesets[i], "rulesets", &sets[*ns], 1, &k, e);
        for (int j = 0; rc == 0 && j < *ns; j++) {
            if (sets[j] == sets[*ns]) {
                k = 0; /* named twice */
            }
        }
        *ns += k;
    }
    return rc;
}

/* Evaluate sets over snap and store the decisions of a's scope as columns,
 * with the audit entry, in one transaction (snapshot_screen). *after gets
 * the audit payload {as_of, enterprises, rulesets: {id: {verdict: n}}}. */
static int screen_store(Db *db, const Actor *a, Snapshot *snap,
                        const RuleSet **sets, int ns, JobRun *run,
                        json_t **after, Err *e)
{
    int64_t(*cnt)[8] = NULL;
    char d[DATE_ISO_SIZE];
    int64_t done = 0;
    double t = now_ms(), ph[3] = {0, 0, 0}; /* begin, screen, bookkeeping */
    int rc = db_begin(db, e);

    *after = NULL;
    if (rc) {
        return rc;
    }
    if (run) {
        job_set_phase(run, "评估中");
    }
    cnt = xcalloc((size_t)ns + 1, sizeof *cnt);
    ph[0] = now_ms() - t;
    t = now_ms();
    rc = snapshot_screen(db, snap, a, sets, ns, run ? job_id(run) : 0, run, cnt,
                         e);
    ph[1] = now_ms() - t;
    t = now_ms();
    for (int v = 1; rc == 0 && ns > 0 && v < 8; v++) {
        done += cnt[0][v];
    }
    if (rc == 0) {
        date_format_iso(snapshot_as_of(snap), d);
        *after = json_pack("{sssIso}", "as_of", d, "enterprises",
                           (json_int_t)done, "rulesets",
                           screen_counts(sets, ns, (const int64_t(*)[8])cnt));
        rc = audit_record(db, a, "elig.screen", "screening",
                          run ? job_id(run) : 0, a->unit_path, NULL, *after, e);
    }
    if (rc == 0 && run) {
        /* the job's end state commits with the decisions: a job taken
         * over after this commit is not screened twice, and a run whose
         * lease another instance took cannot commit (job.h) */
        job_set_result(run, json_incref(*after));
        rc = job_store_done_tx(db, run, e);
        if (rc) {
            job_set_result(run, NULL);
        }
    }
    if (rc == 0) {
        if (run) {
            job_set_phase(run, "写入中");
        }
        ph[2] = now_ms() - t;
        t = now_ms();
        rc = db_commit(db, e);
        log_info("screening: begin %.0f ms, evaluate and write %.0f ms, "
                 "audit and job %.0f ms, commit %.0f ms",
                 ph[0], ph[1], ph[2], now_ms() - t);
    }
    if (rc) {
        db_rollback(db);
        json_decref(*after);
        *after = NULL;
    }
    free(cnt);
    return rc;
}

/* A screening: the library's columnar snapshot at as_of (the saved one
 * when it is in step, else rebuilt), then screen_store. */
static int screen_run(Db *db, const Actor *a, const char *const *rulesets,
                      int n, Date as_of, JobRun *run, EligProgressFn progress,
                      void *pud, json_t **counts, Err *e)
{
    const RuleSet *sets[ELIG_SETS_MAX];
    Snapshot *snap = NULL;
    char *path = NULL;
    json_t *after = NULL;
    int ns = 0, rc;

    rc = screen_sets(rulesets, n, as_of, sets, &ns, e);
    if (rc) {
        return rc;
    }
    if (run) {
        job_set_phase(run, "读取企业数据");
    }
    path = snapshot_path_for(db_location(db));
    rc = snapshot_get_run(db, path, as_of, run, &snap, e);
    if (rc == 0) {
        rc = screen_store(db, a, snap, sets, ns, run, &after, e);
    }
    if (rc) {
        goto out;
    }
    if (progress) {
        json_int_t done =
            json_integer_value(json_object_get(after, "enterprises"));
        progress(pud, (int64_t)done, (int64_t)done);
    }
    if (counts) {
        *counts = after;
        after = NULL;
    }
out:
    json_decref(after);
    snapshot_free(snap);
    free(path);
    return rc;
}

int elig_screen_snapshot(Db *db, const Actor *a, Snapshot *snap,
                         const char *const *rulesets, int n, json_t **counts,
                         Err *e)
{
    const RuleSet *sets[ELIG_SETS_MAX];
    json_t *after = NULL;
    int ns = 0;
    int rc = screen_sets(rulesets, n, snapshot_as_of(snap), sets, &ns, e);

    if (counts) {
        *counts = NULL;
    }
    if (rc == 0) {
        rc = screen_store(db, a, snap, sets, ns, NULL, &after, e);
    }
    if (rc == 0 && counts) {
        *counts = after;
        after = NULL;
    }
    json_decref(after);
    return rc;
}

int elig_screen(Db *db, const Actor *a, const char *const *rulesets, int n,
                Date as_of, JobRun *run, EligProgressFn progress, void *pud,
                json_t **counts, Err *e)
{
    if (counts) {
        *counts = NULL;
    }
    return screen_run(db, a, rulesets, n, as_of, run, progress, pud, counts, e);
}

/* Job payload of a screening. */
typedef struct ScreenJob {
    char **ids;
    int n;
    Date as_of;
} ScreenJob;

static void screen_job_free(void *p)
{
    ScreenJob *j = p;

    for (int i = 0; j && i < j->n; i++) {
        free(j->ids[i]);
    }
    if (j) {
        free(j->ids);
    }
    free(j);
}

static int screen_work(JobRun *run, Db *db, const Actor *a, void *ud, Err *e)
{
    ScreenJob *j = ud;
    json_t *counts = NULL;
    int rc;

    rc = elig_screen(db, a, (const char *const *)j->ids, j->n, j->as_of, run,
                     NULL, NULL, &counts, e);
    if (rc == 0) {
        job_set_result(run, counts);
    }
    return rc;
}

/* The payload of a screening of rulesets (JSON array of ids or NULL) at
 * as_of, each id checked; *out is freed by screen_job_free. */
static int screen_job_new(json_t *rulesets, Date as_of, ScreenJob **out, Err *e)
{
    ScreenJob *j = xcalloc(1, sizeof *j);
    const RuleSet *one;
    int rc = 0, k;
    size_t i;

    *out = j;
    j->as_of = as_of;
    if (rulesets && !json_is_array(rulesets)) {
        rc = err_set(e, ERR_INVALID, "rulesets", "rulesets 应为规则集编号数组");
        goto out;
    }
    if (rulesets && json_array_size(rulesets) > ELIG_SETS_MAX) {
        rc = err_set(e, ERR_TOOBIG, "rulesets", "规则集过多");
        goto out;
    }
    j->ids =
        xcalloc(rulesets ? json_array_size(rulesets) + 1 : 1, sizeof *j->ids);
    for (i = 0; rulesets && i < json_array_size(rulesets); i++) {
        const char *id = json_string_value(json_array_get(rulesets, i));

        if (!id) {
            rc = err_set(e, ERR_INVALID, "rulesets",
                         "第 %zu 个规则集编号应为文本", i + 1);
            goto out;
        }
        rc = elig_rulesets(as_of, id, "rulesets", &one, 1, &k, e);
        if (rc) {
            goto out;
        }
        j->ids[j->n++] = xstrdup(id);
    }
out:
    return rc;
}

int elig_screen_job_load(Db *db, const char *location, int64_t id,
                         json_t *params, json_t *result, JobFn *fn, void **ud,
                         void (**free_ud)(void *), Err *e)
{
    ScreenJob *j = NULL;
    json_t *rulesets = json_object_get(params, "rulesets");
    const char *d = json_string_value(json_object_get(params, "as_of"));
    Date as_of;
    int rc;

    (void)db;
    (void)location;
    (void)id;
    (void)result;
    if (!d || date_parse(d, &as_of, "as_of", e) != 0) {
        return err_set(e, ERR_CONFLICT, "params",
                       "运行该任务的服务实例已停止，任务参数不完整，不能重新"
                       "运行");
    }
    rc =
        screen_job_new(json_is_array(rulesets) ? rulesets : NULL, as_of, &j, e);
    if (rc) {
        screen_job_free(j);
        return rc;
    }
    *fn = screen_work;
    *ud = j;
    *free_ud = screen_job_free;
    return 0;
}

int elig_screen_start(Db *db, const char *location, const Actor *a,
                      json_t *rulesets, Date as_of, int64_t *job_id_out, Err *e)
{
    ScreenJob *j = NULL;
    json_t *params = NULL;
    char d[DATE_ISO_SIZE];
    int rc;

    rc = screen_job_new(rulesets, as_of, &j, e);
    if (rc) {
        goto out;
    }
    date_format_iso(as_of, d);
    params = json_pack("{sssO}", "as_of", d, "rulesets",
                       rulesets ? rulesets : json_null());
    rc = job_create(db, a, "screening", params, job_id_out, e);
    if (rc == 0) {
        rc = job_start(location, *job_id_out, a, screen_work, j,
                       screen_job_free, e);
        j = NULL; /* freed by job_start */
    }
out:
    json_decref(params);
    screen_job_free(j);
    return rc;
}
