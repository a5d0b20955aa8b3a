/* job.c - background jobs: the jobs table plus this process's registry of
 * running workers (live progress, cancel flags). See job.h. */
#include "domain/jobs/job.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "domain/accounts/audit.h"

#define JOB_PHASE_MAX 64

struct JobRun {
    int64_t id;
    char kind[JOB_KIND_MAX];
    char phase[JOB_PHASE_MAX];
    char rest[JOB_STATUS_MAX];
    int64_t done, total;
    int cancel;
    Actor canceller;   /* who asked, when cancel is set */
    int cancel_remote; /* asked on another instance, which audited it */
    int cancel_stored; /* the request is in the table (cancel_requested) */
    int lease_lost;    /* another instance took the job over */
    int in_use;
    json_t *result;
    /* the worker */
    char *location;
    Actor actor;
    JobFn fn;
    void *ud;
    void (*free_ud)(void *);
};

/* Live jobs. Workers write done/total/phase/cancel under the lock; readers
 * copy them under it. */
static pthread_mutex_t job_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_cv = PTHREAD_COND_INITIALIZER;
static JobRun job_slots[JOB_RUNNING_MAX];
static int job_n_running;

/* This instance's name in jobs.lease_owner, and the lease period. */
static pthread_once_t job_inst_once = PTHREAD_ONCE_INIT;
static char job_inst[JOB_INSTANCE_MAX];
static int job_lease_s = JOB_LEASE_DEFAULT;

/* The lease keeper thread (job_keeper_start). */
static pthread_cond_t job_keep_cv = PTHREAD_COND_INITIALIZER;
static pthread_t job_keep_th;
static int job_keep_on, job_keep_stop;
static char *job_keep_loc;

/* The job kinds any instance can run from the database (job_set_kinds). */
static const JobKind *job_kinds;

void job_set_kinds(const JobKind *kinds)
{
    job_kinds = kinds;
}

/* The loader of kind, or NULL. */
static JobLoadFn job_kind_loader(const char *kind)
{
    for (const JobKind *k = job_kinds; k && k->kind; k++) {
        size_t n = strlen(k->kind);
        if (n > 0 && k->kind[n - 1] == '.' ? strncmp(kind, k->kind, n) == 0
                                           : strcmp(kind, k->kind) == 0) {
            return k->load;
        }
    }
    return NULL;
}

static void job_inst_init(void)
{
    char host[64] = "";

    if (job_inst[0]) {
        return;
    }
    if (gethostname(host, sizeof host - 1) != 0 || !host[0]) {
        snprintf(host, sizeof host, "host");
    }
    host[sizeof host - 1] = 0;
    snprintf(job_inst, sizeof job_inst, "%.63s:%ld:%lld", host, (long)getpid(),
             (long long)time(NULL));
}

const char *job_instance(void)
{
    pthread_once(&job_inst_once, job_inst_init);
    return job_inst;
}

void job_set_instance_for_tests(const char *name)
{
    pthread_once(&job_inst_once, job_inst_init);
    pthread_mutex_lock(&job_mu);
    snprintf(job_inst, sizeof job_inst, "%s", name);
    pthread_mutex_unlock(&job_mu);
}

void job_set_lease_seconds(int seconds)
{
    job_lease_s = seconds >= JOB_LEASE_MIN && seconds <= JOB_LEASE_MAX
                      ? seconds
                      : JOB_LEASE_DEFAULT;
}

int job_lease_seconds(void)
{
    return job_lease_s;
}

static int job_audit_cancel(Db *db, const Actor *a, int64_t id,
                            const char *kind, int running, Err *e);
static int job_cancel_claim(Db *db, const Actor *a, int64_t id,
                            const char *kind, Err *e);

static JobRun *job_slot_find(int64_t id)
{
    for (int i = 0; i < JOB_RUNNING_MAX; i++) {
        if (job_slots[i].in_use && job_slots[i].id == id) {
            return &job_slots[i];
        }
    }
    return NULL;
}

/* Is a job created in scope path visible to a? Creator, or an actor whose
 * scope contains the creator's. */
static int job_visible(const Actor *a, int64_t created_by, const char *path)
{
    if (a->user_id != 0 && created_by == a->user_id) {
        return 1;
    }
    return path && strncmp(path, a->unit_path, strlen(a->unit_path)) == 0;
}

static int job_kind_matches(const char *kind, const char *prefix)
{
    return !prefix || strncmp(kind, prefix, strlen(prefix)) == 0;
}

static const char job_insert_sql[] =
    "INSERT INTO jobs (kind, status, created_by, created_by_name, unit_path, "
    "params, created_at, updated_at) "
    "VALUES ($1, 'queued', $2, $3, $4, $5, $6, $6) RETURNING id";

int job_create(Db *db, const Actor *a, const char *kind, json_t *params,
               int64_t *id_out, Err *e)
{
    char now[CLOCK_ISO_LEN];
    char *ptext = NULL, *root = NULL;
    const char *path;
    int own_tx = !db_in_tx(db);
    int rc = 0;

    if (!kind || !kind[0] || strlen(kind) >= JOB_KIND_MAX) {
        return err_set(e, ERR_INTERNAL, "kind", "任务类型无效");
    }
    if (params) {
        ptext = json_dumps(params, JSON_COMPACT);
        if (!ptext) {
            return err_set(e, ERR_INTERNAL, "", "内存不足");
        }
    }
    clock_now_iso(now, 0);
    if (own_tx && (rc = db_begin(db, e)) != 0) {
        free(ptext);
        return rc;
    }
    /* The command line's scope "/" lies above the tree: its jobs belong to
     * the root unit, so the district's administrators see them. */
    path = a->unit_path;
    if (strcmp(a->unit_path, "/") == 0) {
        rc = db_query_text(db, &root, e,
                           "SELECT path FROM org_units WHERE parent_id IS "
                           "NULL ORDER BY id LIMIT 1",
                           "");
        if (rc == 0 && root) {
            path = root;
        } else if (rc == ERR_NOTFOUND) {
            rc = 0;
        }
    }
    if (rc == 0 && a->user_id > 0) {
        rc = db_query_int64(db, id_out, e, job_insert_sql, "titttt", kind,
                            (int64_t)a->user_id, a->username, path, ptext, now);
    } else if (rc == 0) {
        rc = db_query_int64(db, id_out, e, job_insert_sql, "tntttt", kind,
                            a->username, path, ptext, now);
    }
    if (rc == 0 && own_tx) {
        json_t *after = json_pack("{ss}", "kind", kind);
        if (params) {
            json_object_set(after, "params", params);
        }
        rc = audit_record(db, a, "job.create", "job", *id_out, NULL, NULL,
                          after, e);
        json_decref(after);
        if (rc == 0) {
            rc = db_commit(db, e);
        }
    }
    if (rc != 0 && own_tx) {
        db_rollback(db);
    }
    free(ptext);
    free(root);
    return rc;
}

/* Write the job's end state (status, result, error, final progress) in
 * the caller's transaction. */
static int job_write_end(Db *db, JobRun *run, const char *status,
                         const Err *err, Err *e)
{
    char now[CLOCK_ISO_LEN];
    char *rtext = NULL;
    int64_t done, total;
    char phase[JOB_PHASE_MAX];
    int finished;
    int rc;

    pthread_mutex_lock(&job_mu);
    done = run->done;
    total = run->total;
    memcpy(phase, run->phase, sizeof phase);
    pthread_mutex_unlock(&job_mu);
    finished = run->rest[0] == 0 || err != NULL;
    if (run->result) {
        rtext = json_dumps(run->result, JSON_COMPACT);
    }
    clock_now_iso(now, 0);
    rc = db_exec_v(db, e,
                   "UPDATE jobs SET status = $1, result = COALESCE($2, "
                   "result), error_code = $3, error_message = $4, "
                   "progress_done = $5, progress_total = $6, phase = $7, "
                   "finished_at = CASE WHEN $8 = 1 THEN $9 ELSE NULL END, "
                   "updated_at = $9, lease_until = NULL, cancel_requested = 0 "
                   "WHERE id = $10 AND lease_owner = $11",
                   "ttttiititit", status, rtext,
                   err ? err_code_name(err->code) : NULL, err ? err->msg : NULL,
                   done, total, phase[0] && !finished ? phase : NULL,
                   (int64_t)finished, now, run->id, job_instance());
    /* the lease is another instance's: it took the job over (this one
     * stalled past its lease) and runs it again; nothing of this run may
     * commit */
    if (rc == 0 && db_changes(db) != 1) {
        pthread_mutex_lock(&job_mu);
        run->lease_lost = 1;
        pthread_mutex_unlock(&job_mu);
        rc = err_set(e, ERR_CONFLICT, "status",
                     "任务已由其他服务实例接管，本次运行的结果不保存");
    }
    free(rtext);
    return rc;
}

int job_store_done_tx(Db *db, JobRun *run, Err *e)
{
    if (!db_in_tx(db)) {
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    return job_write_end(db, run, run->rest[0] ? run->rest : "done", NULL, e);
}

/* Commit the job's status and the given columns; best effort with a log
 * line when the database refuses (the worker has nothing better to do). */
static void job_store_end(Db *db, JobRun *run, const char *status,
                          const Err *err)
{
    Err e;

    err_clear(&e);
    if (db_in_tx(db)) {
        db_rollback(db);
    }
    /* a cancellation is audited once: here unless its request is already
     * in the table (asked on another instance, or stored by the keeper),
     * whose writer audited it */
    if (db_begin(db, &e) == 0 &&
        (strcmp(status, "cancelled") != 0 ||
         job_cancel_claim(db, &run->canceller, run->id, run->kind, &e) == 0) &&
        job_write_end(db, run, status, err, &e) == 0 &&
        db_commit(db, &e) == 0) {
        return;
    }
    db_rollback(db);
    log_error("job %lld: cannot store status %s: %s", (long long)run->id,
              status, e.msg);
}

/* Tests: the worker's process "dies" right after its function returns. */
static int job_crash_after_work;

void job_test_crash_after_work(int on)
{
    job_crash_after_work = on;
}

static void job_release(JobRun *run)
{
    if (run->free_ud) {
        run->free_ud(run->ud);
    }
    json_decref(run->result);
    free(run->location);
    pthread_mutex_lock(&job_mu);
    memset(run, 0, sizeof *run);
    job_n_running--;
    pthread_cond_broadcast(&job_cv);
    pthread_mutex_unlock(&job_mu);
}

static void *job_thread(void *arg)
{
    JobRun *run = arg;
    Db *db = NULL;
    Err e;
    int rc;

    err_clear(&e);
    rc = db_open(&db, run->location, &e);
    if (rc == 0) {
        rc = run->fn(run, db, &run->actor, run->ud, &e);
        if (job_crash_after_work) {
            /* as if killed here: nothing more is written */
            db_close(db);
            job_release(run);
            return NULL;
        }
        if (rc == 0 && job_cancelled(run)) {
            /* finished despite the request: what it did stands */
            log_info("job %lld finished before it could be cancelled",
                     (long long)run->id);
        }
        if (rc == 0) {
            job_store_end(db, run, run->rest[0] ? run->rest : "done", NULL);
        } else if (rc == ERR_CANCELLED) {
            job_store_end(db, run, "cancelled", &e);
        } else {
            if (rc >= ERR_DB || !e.msg[0]) {
                /* details go to the log, not to the job's reader */
                log_error("job %lld (%s) failed: %s", (long long)run->id,
                          run->kind, e.msg);
                err_set(&e, rc >= ERR_DB ? rc : ERR_INTERNAL, "",
                        "任务执行出错，详情见服务器日志");
            }
            job_store_end(db, run, "failed", &e);
        }
        db_close(db);
    } else {
        log_error("job %lld: cannot open the database: %s", (long long)run->id,
                  e.msg);
    }
    job_release(run);
    return NULL;
}

/* A free slot of the registry for job id into *out, counted as running. */
static int job_slot_take(int64_t id, JobRun **out, Err *e)
{
    JobRun *run = NULL;
    int rc = 0;

    *out = NULL;
    pthread_mutex_lock(&job_mu);
    if (job_slot_find(id)) {
        rc = err_set(e, ERR_CONFLICT, "status", "任务已在运行");
    } else if (job_n_running >= JOB_RUNNING_MAX) {
        rc = err_set(e, ERR_BUSY, "", "同时运行的任务过多，请稍后再试");
    } else {
        for (int i = 0; i < JOB_RUNNING_MAX && !run; i++) {
            if (!job_slots[i].in_use) {
                run = &job_slots[i];
            }
        }
    }
    if (rc == 0 && !run) {
        /* job_n_running counts the slots in use: cannot happen */
        rc = err_set(e, ERR_INTERNAL, "", "任务槽位不一致");
    } else if (rc == 0) {
        memset(run, 0, sizeof *run);
        run->in_use = 1;
        run->id = id;
        job_n_running++;
        *out = run;
    }
    pthread_mutex_unlock(&job_mu);
    return rc;
}

/* Run run's worker on a new detached thread; -1 when none can start. */
static int job_launch(JobRun *run)
{
    pthread_attr_t attr;
    pthread_t th;
    int rc;

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* set, not inherited from ulimit -s: a job may check a draft rule set
     * (docs/internals/rules.md, worst-case stack) */
    pthread_attr_setstacksize(&attr, (size_t)8 * 1024 * 1024);
    rc = pthread_create(&th, &attr, job_thread, run) != 0 ? -1 : 0;
    pthread_attr_destroy(&attr);
    return rc;
}

int job_start(const char *location, int64_t id, const Actor *a, JobFn fn,
              void *ud, void (*free_ud)(void *), Err *e)
{
    JobRun *run = NULL;
    Db *db = NULL;
    char now[CLOCK_ISO_LEN], until[CLOCK_ISO_LEN];
    char kind[JOB_KIND_MAX] = "";
    char status[JOB_STATUS_MAX] = "";
    DbStmt *st = NULL;
    int rc;

    rc = db_open(&db, location, e);
    if (rc == 0) {
        rc = db_prepare_v(
            db, &st, e, "SELECT kind, status FROM jobs WHERE id = $1", "i", id);
    }
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            snprintf(kind, sizeof kind, "%s", db_col_text(st, 0));
            snprintf(status, sizeof status, "%s", db_col_text(st, 1));
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, "id", "任务不存在");
        }
    }
    db_finalize(st);
    if (rc == 0 &&
        (strcmp(status, "running") == 0 || strcmp(status, "done") == 0 ||
         strcmp(status, "failed") == 0 || strcmp(status, "cancelled") == 0)) {
        rc = err_set(e, ERR_CONFLICT, "status", "任务已在运行或已结束");
    }
    if (rc == 0) {
        rc = job_slot_take(id, &run, e);
    }
    if (rc == 0 && run) {
        snprintf(run->kind, sizeof run->kind, "%s", kind);
        run->location = xstrdup(location);
        run->actor = *a;
        run->fn = fn;
        run->ud = ud;
        run->free_ud = free_ud;
        ud = NULL; /* owned by run now */
        clock_now_iso(now, 0);
        clock_now_iso(until, job_lease_s);
        /* The claim: only the status read above moves to running, so of
         * several instances starting the same job exactly one wins. */
        rc = db_exec_v(db, e,
                       "UPDATE jobs SET status = 'running', started_at = "
                       "COALESCE(started_at, $1), finished_at = NULL, "
                       "updated_at = $1, lease_owner = $3, lease_until = $4, "
                       "cancel_requested = 0 WHERE id = $2 AND status = $5",
                       "tittt", now, id, job_instance(), until, status);
        if (rc == 0 && db_changes(db) != 1) {
            rc = err_set(e, ERR_CONFLICT, "status", "任务已在运行或已结束");
        }
        if (rc == 0 && job_launch(run) != 0) {
            Err e2;
            err_clear(&e2);
            rc = err_set(e, ERR_INTERNAL, "", "无法启动后台任务");
            db_exec_v(db, &e2,
                      "UPDATE jobs SET status = 'failed', error_message = "
                      "$1, updated_at = $2 WHERE id = $3",
                      "tti", "无法启动后台任务", now, id);
        }
        if (rc != 0) {
            job_release(run);
        }
    } else if (ud && free_ud) {
        free_ud(ud);
    }
    db_close(db);
    return rc;
}

void job_set_total(JobRun *run, int64_t total)
{
    pthread_mutex_lock(&job_mu);
    run->total = total;
    pthread_mutex_unlock(&job_mu);
}

void job_add_done(JobRun *run, int64_t n)
{
    pthread_mutex_lock(&job_mu);
    run->done += n;
    pthread_mutex_unlock(&job_mu);
}

void job_set_done(JobRun *run, int64_t done)
{
    pthread_mutex_lock(&job_mu);
    run->done = done;
    pthread_mutex_unlock(&job_mu);
}

void job_set_phase(JobRun *run, const char *phase)
{
    pthread_mutex_lock(&job_mu);
    snprintf(run->phase, sizeof run->phase, "%s", phase ? phase : "");
    pthread_mutex_unlock(&job_mu);
}

int job_cancelled(const JobRun *run)
{
    int c;

    pthread_mutex_lock(&job_mu);
    c = run->cancel;
    pthread_mutex_unlock(&job_mu);
    return c;
}

int job_lease_lost(const JobRun *run)
{
    int lost;

    pthread_mutex_lock(&job_mu);
    lost = run->lease_lost;
    pthread_mutex_unlock(&job_mu);
    return lost;
}

int64_t job_id(const JobRun *run)
{
    return run->id;
}

void job_set_result(JobRun *run, json_t *result)
{
    json_decref(run->result);
    run->result = result;
}

void job_set_rest(JobRun *run, const char *status)
{
    snprintf(run->rest, sizeof run->rest, "%s", status ? status : "");
}

static json_t *job_json_text(const char *s)
{
    json_t *j;

    if (!s) {
        return json_null();
    }
    j = json_loads(s, 0, NULL);
    return j ? j : json_null();
}

static const char job_cols[] =
    "SELECT id, kind, status, phase, created_by, created_by_name, unit_path, "
    "params, result, error_code, error_message, progress_done, "
    "progress_total, created_at, started_at, finished_at FROM jobs ";

/* The names of the job statuses (and of the one resting status callers
 * use, an import's "validated"): every job read carries its status_name
 * from here, and the pages show that. */
static const struct {
    const char *code, *name;
} job_statuses[] = {
    {"queued", "排队中"}, {"running", "进行中"},   {"done", "已完成"},
    {"failed", "失败"},   {"cancelled", "已取消"}, {"validated", "已校验"},
};

const char *job_status_name(const char *status)
{
    for (size_t i = 0; status && i < sizeof job_statuses / sizeof *job_statuses;
         i++) {
        if (strcmp(job_statuses[i].code, status) == 0) {
            return job_statuses[i].name;
        }
    }
    return status ? status : "";
}

/* The current row of a job_cols statement as JSON, with live progress
 * when the job runs in this process. */
static json_t *job_row_json(DbStmt *st)
{
    int64_t id = db_col_int64(st, 0);
    int64_t done = db_col_int64(st, 11), total = db_col_int64(st, 12);
    const char *phase = db_col_text(st, 3);
    char live_phase[JOB_PHASE_MAX] = "";
    JobRun *run;
    json_t *j;

    pthread_mutex_lock(&job_mu);
    run = job_slot_find(id);
    if (run) {
        done = run->done;
        total = run->total;
        memcpy(live_phase, run->phase, sizeof live_phase);
    }
    pthread_mutex_unlock(&job_mu);
    if (run) {
        phase = live_phase;
    }
    j = json_pack("{sIssssss}", "id", (json_int_t)id, "kind",
                  db_col_text(st, 1), "status", db_col_text(st, 2),
                  "status_name", job_status_name(db_col_text(st, 2)));
    json_object_set_new(j, "phase",
                        phase && phase[0] ? json_string(phase) : json_null());
    json_object_set_new(j, "created_by",
                        db_col_is_null(st, 4)
                            ? json_null()
                            : json_integer(db_col_int64(st, 4)));
    json_object_set_new(j, "created_by_name", json_string(db_col_text(st, 5)));
    json_object_set_new(j, "params", job_json_text(db_col_text(st, 7)));
    json_object_set_new(j, "result", job_json_text(db_col_text(st, 8)));
    if (db_col_text(st, 9)) {
        json_object_set_new(
            j, "error",
            json_pack("{ssss}", "code", db_col_text(st, 9), "message",
                      db_col_text(st, 10) ? db_col_text(st, 10) : ""));
    } else {
        json_object_set_new(j, "error", json_null());
    }
    json_object_set_new(j, "progress",
                        json_pack("{sIsI}", "done", (json_int_t)done, "total",
                                  (json_int_t)total));
    json_object_set_new(j, "created_at", json_string(db_col_text(st, 13)));
    json_object_set_new(j, "started_at",
                        db_col_text(st, 14) ? json_string(db_col_text(st, 14))
                                            : json_null());
    json_object_set_new(j, "finished_at",
                        db_col_text(st, 15) ? json_string(db_col_text(st, 15))
                                            : json_null());
    return j;
}

/* Read job id into *out (JSON) when a may see it; also hands back status
 * and unit path for callers that act on it. */
static int job_read(Db *db, const Actor *a, int64_t id, const char *kind_prefix,
                    json_t **out, Err *e)
{
    Buf sql;
    DbStmt *st = NULL;
    int rc;

    *out = NULL;
    buf_init(&sql, 0);
    buf_append_str(&sql, job_cols);
    buf_append_str(&sql, "WHERE id = $1");
    rc = db_prepare_v(db, &st, e, sql.data, "i", id);
    buf_release(&sql);
    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            int64_t by = db_col_is_null(st, 4) ? 0 : db_col_int64(st, 4);
            if (job_visible(a, by, db_col_text(st, 6)) &&
                job_kind_matches(db_col_text(st, 1), kind_prefix)) {
                *out = job_row_json(st);
                rc = 0;
            } else {
                rc = DB_DONE;
            }
        }
        if (rc == DB_DONE) {
            rc = err_set(e, ERR_NOTFOUND, "id", "任务不存在");
        }
    }
    db_finalize(st);
    return rc;
}

int job_get(Db *db, const Actor *a, int64_t id, const char *kind_prefix,
            json_t **out, Err *e)
{
    return job_read(db, a, id, kind_prefix, out, e);
}

/* Write the "job.cancel" audit entry for job id on behalf of a (inside the
 * caller's transaction). */
static int job_audit_cancel(Db *db, const Actor *a, int64_t id,
                            const char *kind, int running, Err *e)
{
    json_t *after = json_pack("{sssb}", "kind", kind, "running", running);
    int rc = audit_record(db, a, "job.cancel", "job", id, NULL, NULL, after, e);

    json_decref(after);
    return rc;
}

/* Record in the caller's transaction that cancelling job id, running
 * under this instance's lease, was asked by a, and audit it - only if the
 * table does not hold the request yet (cancel_requested 0), so that of
 * the worker, the lease keeper and another instance exactly one audits
 * it. */
static int job_cancel_claim(Db *db, const Actor *a, int64_t id,
                            const char *kind, Err *e)
{
    int rc = db_exec_v(db, e,
                       "UPDATE jobs SET cancel_requested = 1 WHERE id = $1 "
                       "AND cancel_requested = 0 AND status = 'running' AND "
                       "lease_owner = $2",
                       "it", id, job_instance());

    if (rc == 0 && db_changes(db) == 1) {
        rc = job_audit_cancel(db, a, id, kind, 1, e);
    }
    return rc;
}

/* Store the cancellation asked for job id of this process in the table
 * (job_cancel_claim in a transaction of its own), so that it outlives the
 * process: a job whose instance dies before its worker stopped then ends
 * cancelled instead of being run again. ERR_BUSY when the writers' lock
 * stays held (by the worker itself) past the busy or lock timeout: the
 * lease keeper tries again. */
static int job_cancel_store(Db *db, int64_t id, Err *e)
{
    Actor by;
    char kind[JOB_KIND_MAX];
    int rc, want = 0;

    pthread_mutex_lock(&job_mu);
    JobRun *run = job_slot_find(id);
    if (run && run->cancel && !run->cancel_stored) {
        want = 1;
        by = run->canceller;
        memcpy(kind, run->kind, sizeof kind);
    }
    pthread_mutex_unlock(&job_mu);
    if (!want) {
        return 0;
    }
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = job_cancel_claim(db, &by, id, kind, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc != 0) {
        db_rollback(db);
        return rc;
    }
    pthread_mutex_lock(&job_mu);
    run = job_slot_find(id);
    if (run) {
        run->cancel_stored = 1;
    }
    pthread_mutex_unlock(&job_mu);
    return 0;
}

int job_cancel(Db *db, const Actor *a, int64_t id, const char *kind_prefix,
               Err *e)
{
    json_t *job = NULL;
    const char *status, *kind;
    char now[CLOCK_ISO_LEN];
    int64_t remote = 0;
    int rc, live = 0;

    rc = job_read(db, a, id, kind_prefix, &job, e);
    if (rc != 0) {
        return rc;
    }
    status = json_string_value(json_object_get(job, "status"));
    kind = json_string_value(json_object_get(job, "kind"));
    if (strcmp(status, "done") == 0 || strcmp(status, "failed") == 0 ||
        strcmp(status, "cancelled") == 0) {
        rc = err_set(e, ERR_CONFLICT, "status", "任务已结束，无法取消");
        goto out;
    }
    /* A running worker may hold the write lock for its whole run: it is
     * only told to stop here, and it records the cancellation (status and
     * audit entry) itself when it has rolled back. */
    pthread_mutex_lock(&job_mu);
    JobRun *run = job_slot_find(id);
    if (run) {
        if (!run->cancel) {
            run->cancel = 1;
            run->canceller = *a;
        }
        live = 1;
    }
    pthread_mutex_unlock(&job_mu);
    if (live) {
        /* stored in the row by the lease keeper (job_renew), not here: the
         * worker may hold the writers' lock, and the request must not wait
         * for it */
        goto out;
    }
    clock_now_iso(now, 0);
    if (strcmp(status, "running") == 0) {
        /* running on another live instance: ask its lease keeper to stop
         * it (the worker ends cancelled there); audited here */
        rc = db_query_int64(db, &remote, e,
                            "SELECT COUNT(*) FROM jobs WHERE id = $1 AND "
                            "status = 'running' AND lease_until >= $2 AND "
                            "lease_owner IS DISTINCT FROM $3",
                            "itt", id, now, job_instance());
        if (rc != 0) {
            goto out;
        }
    }
    rc = db_begin(db, e);
    if (rc == 0 && remote) {
        rc = db_exec_v(db, e,
                       "UPDATE jobs SET cancel_requested = 1, updated_at = $1 "
                       "WHERE id = $2 AND status = 'running'",
                       "ti", now, id);
        if (rc == 0 && db_changes(db) != 1) {
            rc = err_set(e, ERR_CONFLICT, "status",
                         "任务状态已变化，请刷新后重试");
        }
        if (rc == 0) {
            rc = job_audit_cancel(db, a, id, kind, 1, e);
        }
        if (rc == 0) {
            rc = db_commit(db, e);
        }
        if (rc != 0) {
            db_rollback(db);
        }
        goto out;
    }
    /* queued, resting, or left by a dead instance */
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE jobs SET status = 'cancelled', finished_at = "
                       "$1, updated_at = $1 WHERE id = $2 AND status = $3",
                       "tit", now, id, status);
    }
    if (rc == 0 && db_changes(db) != 1) {
        rc = err_set(e, ERR_CONFLICT, "status", "任务状态已变化，请刷新后重试");
    }
    if (rc == 0) {
        rc = job_audit_cancel(db, a, id, kind, 0, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc != 0) {
        db_rollback(db);
    }
out:
    json_decref(job);
    return rc;
}

int job_list(Db *db, const Actor *a, const char *kind_prefix, int64_t offset,
             int64_t limit, json_t **items, int64_t *total, Err *e)
{
    return job_list_in(db, a, kind_prefix, 0, offset, limit, items, total, e);
}

int job_list_in(Db *db, const Actor *a, const char *kind_prefix, int own_scope,
                int64_t offset, int64_t limit, json_t **items, int64_t *total,
                Err *e)
{
    /* visible: the actor's own jobs and those created in its scope; own
     * scope: only jobs created for exactly the actor's unit */
    static const char visible[] =
        "WHERE kind LIKE $1 AND (created_by = $2 OR substr(unit_path, 1, "
        "length($3)) = $3) ";
    static const char own[] = "WHERE kind LIKE $1 AND $2 = $2 AND "
                              "unit_path = $3 ";
    const char *where = own_scope ? own : visible;
    Buf sql;
    DbStmt *st = NULL;
    char pattern[JOB_KIND_MAX + 2];
    int rc;

    *items = json_array();
    *total = 0;
    snprintf(pattern, sizeof pattern, "%s%%", kind_prefix ? kind_prefix : "");
    /* kinds are fixed ASCII words: no LIKE metacharacters to escape */
    buf_init(&sql, 0);
    buf_append_str(&sql, "SELECT COUNT(*) FROM jobs ");
    buf_append_str(&sql, where);
    rc = db_query_int64(db, total, e, sql.data, "tit", pattern,
                        (int64_t)a->user_id, a->unit_path);
    buf_reset(&sql);
    buf_append_str(&sql, job_cols);
    buf_append_str(&sql, where);
    buf_append_str(&sql, "ORDER BY id DESC LIMIT $4 OFFSET $5");
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e, sql.data, "titii", pattern,
                          (int64_t)a->user_id, a->unit_path, limit, offset);
    }
    buf_release(&sql);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, job_row_json(st));
        rc = 0;
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    if (rc != 0) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}

/* The result of an interrupted import whose write committed: result
 * (may be NULL) with stage "applied" and the counts of its audit entry
 * (after, without kind and job_id) merged into summary. malloc'd JSON. */
static char *job_applied_result(const char *result, const char *after)
{
    json_t *r = result ? json_loads(result, 0, NULL) : NULL;
    json_t *a = after ? json_loads(after, 0, NULL) : NULL;
    json_t *sum;
    char *out;

    if (!json_is_object(r)) {
        json_decref(r);
        r = json_object();
    }
    sum = json_object_get(r, "summary");
    if (!json_is_object(sum)) {
        sum = json_object();
        json_object_set_new(r, "summary", sum);
    }
    if (json_is_object(a)) {
        json_object_del(a, "kind");
        json_object_del(a, "job_id");
        json_object_update(sum, a);
    }
    json_object_set_new(r, "stage", json_string("applied"));
    out = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    json_decref(a);
    return out;
}

/* Is job id running in this process? */
static int job_is_mine(int64_t id)
{
    int mine;

    pthread_mutex_lock(&job_mu);
    mine = job_slot_find(id) != NULL;
    pthread_mutex_unlock(&job_mu);
    return mine;
}

/* The actor that created a job, as the database has it now (role, unit,
 * scope): the user, or the command line's system actor (no user). */
static int job_load_actor(Db *db, int64_t user_id, Actor *a, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    actor_init_system(a);
    if (user_id <= 0) {
        return 0;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT u.username, u.display_name, u.role, u.unit_id, "
                      "o.path, u.disabled FROM users u JOIN org_units o ON "
                      "o.id = u.unit_id WHERE u.id = $1",
                      "i", user_id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_ROW && db_col_int64(st, 5) != 0) {
        rc = err_set(e, ERR_CONFLICT, "created_by",
                     "运行该任务的服务实例已停止，任务创建人的账号已停用，"
                     "任务不能重新运行");
    } else if (rc == DB_ROW) {
        memset(a, 0, sizeof *a);
        a->user_id = user_id;
        snprintf(a->username, sizeof a->username, "%s", db_col_text(st, 0));
        snprintf(a->display_name, sizeof a->display_name, "%s",
                 db_col_text(st, 1) ? db_col_text(st, 1) : "");
        a->role = (int)db_col_int64(st, 2);
        a->unit_id = db_col_int64(st, 3);
        snprintf(a->unit_path, sizeof a->unit_path, "%s", db_col_text(st, 4));
        snprintf(a->addr, sizeof a->addr, "%s", "job-takeover");
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "created_by",
                     "运行该任务的服务实例已停止，任务创建人已不存在，任务不能"
                     "重新运行");
    }
    db_finalize(st);
    return rc;
}

/* A running job of a stopped instance, as job_resolve_expired read it. */
typedef struct JobLost {
    int64_t id, created_by;
    int cancel_requested;
    char *kind, *owner, *params, *result, *after;
} JobLost;

/* Run job x again in this process: its kind's loader rebuilds the worker
 * from the row, the creator's actor is read again, and the claim - the
 * lease moved to this instance, the next attempt number in params, a
 * "job.takeover" entry - commits in one transaction guarded by the expiry
 * (of several instances one wins). *started: 1 when it runs here now, -1
 * when it is left for later (no free slot, or another instance claimed
 * it), 0 when it cannot run again: *code and why say why (the caller
 * fails it). */
static int job_rerun(Db *db, const JobLost *x, const char *now, int *started,
                     const char **code, Err *why, Err *e)
{
    JobLoadFn load = job_kind_loader(x->kind);
    json_t *params = NULL, *result = NULL, *aj = NULL;
    JobFn fn = NULL;
    void *ud = NULL;
    void (*free_ud)(void *) = NULL;
    JobRun *run = NULL;
    char until[CLOCK_ISO_LEN];
    char *ptext = NULL;
    Actor a, sys;
    int64_t attempt;
    int rc = 0;

    *started = 0;
    if (!load || x->cancel_requested) {
        goto out; /* resolved by the caller: nothing here runs it */
    }
    params = x->params ? json_loads(x->params, 0, NULL) : NULL;
    if (!json_is_object(params)) {
        json_decref(params);
        params = json_object();
    }
    attempt = json_integer_value(json_object_get(params, "attempt"));
    attempt = attempt > 0 ? attempt : 1;
    if (attempt >= JOB_ATTEMPTS_MAX) {
        *code = "attempts";
        err_set(why, ERR_CONFLICT, "attempt",
                "任务已运行 %lld 次，每次运行它的服务实例都停止了，任务中断；"
                "请检查服务器后重新提交",
                (long long)attempt);
        goto out;
    }
    rc = job_load_actor(db, x->created_by, &a, why);
    if (rc == 0) {
        result = x->result ? json_loads(x->result, 0, NULL) : NULL;
        rc = load(db, db_location(db), x->id, params, result, &fn, &ud,
                  &free_ud, why);
    }
    if (rc == ERR_DB || rc == ERR_BUSY) {
        *e = *why; /* the database, not the job: try again next sweep */
        goto out;
    }
    if (rc != 0) {
        rc = 0; /* why says it */
        goto out;
    }
    if (job_slot_take(x->id, &run, why) != 0) {
        if (free_ud) {
            free_ud(ud);
        }
        err_clear(why);
        *started = -1; /* all slots busy: the next sweep, or another one */
        goto out;
    }
    snprintf(run->kind, sizeof run->kind, "%s", x->kind);
    run->location = xstrdup(db_location(db));
    run->actor = a;
    run->fn = fn;
    run->ud = ud;
    run->free_ud = free_ud;
    json_object_set_new(params, "attempt", json_integer(attempt + 1));
    ptext = json_dumps(params, JSON_COMPACT);
    clock_now_iso(until, job_lease_s);
    rc = db_begin(db, e);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE jobs SET lease_owner = $1, lease_until = $2, "
                       "params = $3, updated_at = $4, progress_done = 0, "
                       "phase = NULL, cancel_requested = 0 WHERE id = $5 AND "
                       "status = 'running' AND (lease_until IS NULL OR "
                       "lease_until < $4)",
                       "tttti", job_instance(), until, ptext, now, x->id);
    }
    if (rc == 0 && db_changes(db) == 1) {
        actor_init_system(&sys);
        aj = json_pack("{sssssssI}", "kind", x->kind, "status", "running",
                       "instance", x->owner ? x->owner : "", "attempt",
                       (json_int_t)attempt + 1);
        rc = audit_record(db, &sys, "job.takeover", "job", x->id, NULL, NULL,
                          aj, e);
        if (rc == 0) {
            rc = db_commit(db, e);
        }
        *started = rc == 0 ? 1 : 0;
    } else if (rc == 0) {
        *started = -1; /* another instance claimed it meanwhile */
    }
    if (*started != 1) {
        db_rollback(db);
        job_release(run);
        if (rc == 0 && *started == 0) {
            rc = err_set(e, ERR_INTERNAL, "", "服务器内部错误");
        }
    } else if (job_launch(run) != 0) {
        /* claimed but no thread: the lease runs out, the next sweep of
         * any instance takes it again */
        log_error("jobs: job %lld: cannot start a thread", (long long)x->id);
        job_release(run);
        *started = -1;
    }
out:
    json_decref(params);
    json_decref(result);
    json_decref(aj);
    free(ptext);
    return rc;
}

/* One running job whose lease has expired (or that has none), resolved in
 * its own transaction: done when its import committed, else cancelled
 * when its cancellation had been asked (and audited by the asker), else
 * failed with code and msg (NULL: the code's usual message); audited
 * "job.takeover".
 * takeover: found by a live instance's keeper (another instance stopped),
 * else by start-up recovery. The update is guarded, so of two instances
 * resolving it at once one does. */
static int job_resolve_one(Db *db, int64_t id, const char *kind,
                           const char *owner, const char *result,
                           const char *after, int takeover, int cancelled,
                           const char *code, const char *msg, const char *now,
                           int *resolved, Err *e)
{
    Actor sys;
    json_t *aj = NULL;
    char *rtext = NULL;
    const char *status = after ? "done" : cancelled ? "cancelled" : "failed";
    int rc;

    *resolved = 0;
    rc = db_begin(db, e);
    if (rc != 0) {
        return rc;
    }
    if (after) {
        rtext = job_applied_result(result, after);
        rc = db_exec_v(db, e,
                       "UPDATE jobs SET status = 'done', error_code = NULL, "
                       "error_message = NULL, phase = NULL, finished_at = $1, "
                       "updated_at = $1, result = $2, lease_until = NULL "
                       "WHERE id = $3 AND status = 'running' AND "
                       "(lease_until IS NULL OR lease_until < $1)",
                       "tti", now, rtext, id);
    } else if (cancelled) {
        rc = db_exec_v(
            db, e,
            "UPDATE jobs SET status = 'cancelled', error_code = 'cancelled', "
            "error_message = $2, phase = NULL, finished_at = $1, "
            "updated_at = $1, lease_until = NULL, cancel_requested = 0 "
            "WHERE id = $3 AND status = 'running' AND (lease_until IS NULL "
            "OR lease_until < $1)",
            "tti", now, "任务已取消（运行它的服务实例在停止前未写入任何结果）",
            id);
    } else {
        rc = db_exec_v(
            db, e,
            "UPDATE jobs SET status = 'failed', error_code = $2, "
            "error_message = $3, finished_at = $1, updated_at = $1, "
            "lease_until = NULL WHERE id = $4 AND status = 'running' AND "
            "(lease_until IS NULL OR lease_until < $1)",
            "ttti", now, code,
            msg        ? msg
            : takeover ? "运行该任务的服务实例已停止，任务中断"
                       : "服务重启，任务中断",
            id);
    }
    if (rc == 0 && db_changes(db) == 1) {
        *resolved = 1;
        actor_init_system(&sys);
        aj = json_pack("{ssssss}", "kind", kind, "status", status, "instance",
                       owner ? owner : "");
        rc = audit_record(db, &sys, "job.takeover", "job", id, NULL, NULL, aj,
                          e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc != 0) {
        db_rollback(db);
        *resolved = 0;
    }
    json_decref(aj);
    free(rtext);
    return rc;
}

#define JOB_RESOLVE_BATCH 64

/* Resolve the running jobs whose lease expired before now and that do not
 * run in this process. *n_out: how many. */
static int job_resolve_expired(Db *db, int takeover, int *n_out, Err *e)
{
    char now[CLOCK_ISO_LEN];
    DbStmt *st = NULL;
    JobLost rows[JOB_RESOLVE_BATCH];
    int64_t last = 0;
    int n = 0, more = 1, rc = 0;

    *n_out = 0;
    clock_now_iso(now, 0);
    /* The audit entry of a committed import is read with the row
     * (databases written before the final state was committed with the
     * rows); merged in C (SQL JSON functions differ between backends). */
    while (rc == 0 && more) {
        n = 0;
        rc = db_prepare_v(
            db, &st, e,
            "SELECT j.id, j.kind, j.lease_owner, j.result, CASE WHEN j.kind "
            "LIKE 'import.%' THEN (SELECT l.after_json FROM audit_log l "
            "WHERE l.action = 'import.apply' AND l.object_type = 'import' "
            "AND l.object_id = j.id ORDER BY l.id DESC LIMIT 1) END, "
            "j.params, j.created_by, j.cancel_requested FROM "
            "jobs j WHERE j.status = 'running' AND (j.lease_until IS NULL OR "
            "j.lease_until < $1) AND j.id > $2 ORDER BY j.id LIMIT 64",
            "ti", now, last);
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            const char *c;
            rows[n].id = db_col_int64(st, 0);
            rows[n].kind = xstrdup(db_col_text(st, 1));
            c = db_col_text(st, 2);
            rows[n].owner = c ? xstrdup(c) : NULL;
            c = db_col_text(st, 3);
            rows[n].result = c ? xstrdup(c) : NULL;
            c = db_col_text(st, 4);
            rows[n].after = c ? xstrdup(c) : NULL;
            c = db_col_text(st, 5);
            rows[n].params = c ? xstrdup(c) : NULL;
            rows[n].created_by =
                db_col_is_null(st, 6) ? 0 : db_col_int64(st, 6);
            rows[n].cancel_requested = db_col_int64(st, 7) != 0;
            last = rows[n].id;
            n++;
            rc = 0;
        }
        db_finalize(st);
        st = NULL;
        rc = rc == DB_DONE ? 0 : rc;
        more = n == JOB_RESOLVE_BATCH;
        for (int i = 0; i < n; i++) {
            JobLost *x = &rows[i];
            const char *code = takeover ? "instance_lost" : "interrupted";
            int resolved = 0, started = 0;
            Err why;

            err_clear(&why);
            /* an expired lease of a job this process runs: its keeper
             * could not renew (e.g. the write lock was held); not dead.
             * Start-up recovery runs the jobs of the process that died
             * again as a keeper does for a stopped instance; a job whose
             * cancellation was asked ends cancelled. */
            if (rc == 0 && !job_is_mine(x->id) && !x->after &&
                !x->cancel_requested) {
                rc = job_rerun(db, x, now, &started, &code, &why, e);
                if (rc == 0 && started == 1) {
                    (*n_out)++;
                    log_info("jobs: job %lld (%s) of instance %s taken over: "
                             "running again here",
                             (long long)x->id, x->kind,
                             x->owner ? x->owner : "?");
                }
            }
            if (rc == 0 && started == 0 && !job_is_mine(x->id)) {
                rc = job_resolve_one(db, x->id, x->kind, x->owner, x->result,
                                     x->after, takeover, x->cancel_requested,
                                     code, why.msg[0] ? why.msg : NULL, now,
                                     &resolved, e);
                if (rc == 0 && resolved) {
                    (*n_out)++;
                    log_info("jobs: job %lld (%s) of instance %s %s: %s",
                             (long long)x->id, x->kind,
                             x->owner ? x->owner : "?",
                             takeover ? "taken over" : "recovered",
                             x->after              ? "done"
                             : x->cancel_requested ? "cancelled"
                                                   : "failed");
                }
            }
            free(x->kind);
            free(x->owner);
            free(x->result);
            free(x->after);
            free(x->params);
        }
    }
    return rc;
}

int job_recover(Db *db, Err *e)
{
    char now[CLOCK_ISO_LEN], grace[CLOCK_ISO_LEN];
    int n = 0;
    int rc;

    /* queued: created but never started; one of a live instance is
     * started within the request that created it, so only those older
     * than a lease period are left over */
    clock_now_iso(now, 0);
    clock_now_iso(grace, -(int64_t)job_lease_s);
    rc = db_exec_v(db, e,
                   "UPDATE jobs SET status = 'failed', error_code = "
                   "'interrupted', error_message = '服务重启，任务中断', "
                   "finished_at = $1, updated_at = $1 "
                   "WHERE status = 'queued' AND updated_at < $2",
                   "tt", now, grace);
    if (rc == 0 && db_changes(db) > 0) {
        log_info("jobs: %lld queued job(s) never started: failed",
                 (long long)db_changes(db));
    }
    /* running: run again here (or resolved); last, as a job run again on
     * SQLite may hold the write lock for its run */
    if (rc == 0) {
        rc = job_resolve_expired(db, 0, &n, e);
    }
    if (rc == ERR_BUSY) {
        /* a job run again here holds SQLite's write lock: the others
         * are taken over by the lease keeper's sweep when it is free */
        log_info("jobs: start-up recovery: database busy, %s",
                 "the remaining jobs are left to the lease keeper");
        err_clear(e);
        rc = 0;
    }
    return rc;
}

int job_sweep(Db *db, int *taken, Err *e)
{
    int n = 0;
    int rc = job_resolve_expired(db, 1, &n, e);

    if (taken) {
        *taken = n;
    }
    return rc;
}

int job_renew(Db *db, Err *e)
{
    struct {
        int64_t id, done, total;
        char phase[JOB_PHASE_MAX];
        int store_cancel;
    } mine[JOB_RUNNING_MAX];
    char until[CLOCK_ISO_LEN];
    const char *inst = job_instance();
    DbStmt *st = NULL;
    int n = 0, rc = 0;

    pthread_mutex_lock(&job_mu);
    for (int i = 0; i < JOB_RUNNING_MAX; i++) {
        if (job_slots[i].in_use) {
            mine[n].id = job_slots[i].id;
            mine[n].done = job_slots[i].done;
            mine[n].total = job_slots[i].total;
            memcpy(mine[n].phase, job_slots[i].phase, JOB_PHASE_MAX);
            mine[n].store_cancel = job_slots[i].cancel &&
                                   !job_slots[i].cancel_stored &&
                                   !job_slots[i].cancel_remote;
            n++;
        }
    }
    pthread_mutex_unlock(&job_mu);
    if (n == 0) {
        return 0;
    }
    clock_now_iso(until, job_lease_s);
    /* the lease and the live progress, so that other instances show it */
    for (int i = 0; i < n && rc == 0; i++) {
        rc = db_exec_v(db, e,
                       "UPDATE jobs SET lease_until = $1, progress_done = $2, "
                       "progress_total = $3, phase = $4 WHERE id = $5 AND "
                       "lease_owner = $6 AND status = 'running'",
                       "tiitit", until, mine[i].done, mine[i].total,
                       mine[i].phase[0] ? mine[i].phase : NULL, mine[i].id,
                       inst);
    }
    /* cancellations asked on other instances */
    if (rc == 0) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id FROM jobs WHERE lease_owner = $1 AND "
                          "status = 'running' AND cancel_requested = 1",
                          "t", inst);
    }
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0);
        pthread_mutex_lock(&job_mu);
        JobRun *run = job_slot_find(id);
        if (run && !run->cancel) {
            run->cancel = 1;
            run->cancel_remote = 1;
            actor_init_system(&run->canceller);
        }
        pthread_mutex_unlock(&job_mu);
        rc = 0;
    }
    db_finalize(st);
    rc = rc == DB_DONE ? 0 : rc;
    /* cancellations asked here that the table does not hold yet; last, as
     * the transaction waits for the writers' lock a worker may hold (it
     * lets go soon: it was told to stop) */
    for (int i = 0; i < n && rc == 0; i++) {
        if (mine[i].store_cancel) {
            rc = job_cancel_store(db, mine[i].id, e);
        }
    }
    return rc;
}

static void *job_keeper(void *arg)
{
    Db *db = NULL;
    Err e;
    struct timespec ts;
    int period = job_lease_s / 3 > 0 ? job_lease_s / 3 : 1;
    int rc;

    (void)arg;
    pthread_mutex_lock(&job_mu);
    while (!job_keep_stop) {
        pthread_mutex_unlock(&job_mu);
        err_clear(&e);
        rc = db ? 0 : db_open(&db, job_keep_loc, &e);
        if (rc == 0) {
            rc = job_renew(db, &e);
            if (rc == ERR_BUSY) {
                /* SQLite: a worker holds the write lock for its run; the
                 * lease is renewed when it is free (one instance) */
                log_info("jobs: leases not renewed (database busy)");
                err_clear(&e);
            } else if (rc != 0) {
                log_warn("jobs: cannot renew leases: %s", e.msg);
                err_clear(&e);
            }
            rc = job_sweep(db, NULL, &e);
            if (rc != 0 && rc != ERR_BUSY) {
                log_warn("jobs: cannot take over expired jobs: %s", e.msg);
            }
            if (rc >= ERR_DB) {
                /* a lost connection: open again next time */
                db_close(db);
                db = NULL;
            }
        } else {
            log_warn("jobs: lease keeper cannot open the database: %s", e.msg);
        }
        pthread_mutex_lock(&job_mu);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += period;
        while (!job_keep_stop &&
               pthread_cond_timedwait(&job_keep_cv, &job_mu, &ts) == 0) {
        }
    }
    pthread_mutex_unlock(&job_mu);
    db_close(db);
    return NULL;
}

int job_keeper_start(const char *location, Err *e)
{
    int rc = 0;

    job_instance();
    pthread_mutex_lock(&job_mu);
    if (!job_keep_on) {
        free(job_keep_loc);
        job_keep_loc = xstrdup(location);
        job_keep_stop = 0;
        if (pthread_create(&job_keep_th, NULL, job_keeper, NULL) != 0) {
            rc = err_set(e, ERR_INTERNAL, "", "无法启动任务租约线程");
        } else {
            job_keep_on = 1;
        }
    }
    pthread_mutex_unlock(&job_mu);
    return rc;
}

void job_keeper_stop(void)
{
    int on;

    pthread_mutex_lock(&job_mu);
    on = job_keep_on;
    job_keep_stop = 1;
    pthread_cond_broadcast(&job_keep_cv);
    pthread_mutex_unlock(&job_mu);
    if (on) {
        pthread_join(job_keep_th, NULL);
        pthread_mutex_lock(&job_mu);
        job_keep_on = 0;
        pthread_mutex_unlock(&job_mu);
    }
}

void job_wait_all(int cancel)
{
    pthread_mutex_lock(&job_mu);
    if (cancel) {
        for (int i = 0; i < JOB_RUNNING_MAX; i++) {
            if (job_slots[i].in_use && !job_slots[i].cancel) {
                job_slots[i].cancel = 1;
                actor_init_system(&job_slots[i].canceller);
            }
        }
    }
    while (job_n_running > 0) {
        pthread_cond_wait(&job_cv, &job_mu);
    }
    pthread_mutex_unlock(&job_mu);
}
