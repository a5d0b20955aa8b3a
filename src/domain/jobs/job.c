/* job.c - background jobs: the jobs table plus this process's registry of
 * running workers (live progress, cancel flags). See job.h. */
#include "domain/jobs/job.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
    Actor canceller; /* who asked, when cancel is set */
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

static int job_audit_cancel(Db *db, const Actor *a, int64_t id,
                            const char *kind, int running, Err *e);

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
                   "updated_at = $9 WHERE id = $10",
                   "ttttiititi", status, rtext,
                   err ? err_code_name(err->code) : NULL, err ? err->msg : NULL,
                   done, total, phase[0] && !finished ? phase : NULL,
                   (int64_t)finished, now, run->id);
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
    if (db_begin(db, &e) == 0 && job_write_end(db, run, status, err, &e) == 0 &&
        (strcmp(status, "cancelled") != 0 ||
         job_audit_cancel(db, &run->canceller, run->id, run->kind, 1, &e) ==
             0) &&
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

int job_start(const char *location, int64_t id, const Actor *a, JobFn fn,
              void *ud, void (*free_ud)(void *), Err *e)
{
    JobRun *run = NULL;
    pthread_attr_t attr;
    pthread_t th;
    Db *db = NULL;
    char now[CLOCK_ISO_LEN];
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
        }
        pthread_mutex_unlock(&job_mu);
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
        rc = db_exec_v(db, e,
                       "UPDATE jobs SET status = 'running', started_at = "
                       "COALESCE(started_at, $1), finished_at = NULL, "
                       "updated_at = $1 WHERE id = $2",
                       "ti", now, id);
        if (rc == 0) {
            pthread_attr_init(&attr);
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
            /* set, not inherited from ulimit -s: a job may check a draft
             * rule set (docs/internals/rules.md, worst-case stack) */
            pthread_attr_setstacksize(&attr, (size_t)8 * 1024 * 1024);
            if (pthread_create(&th, &attr, job_thread, run) != 0) {
                Err e2;
                err_clear(&e2);
                rc = err_set(e, ERR_INTERNAL, "", "无法启动后台任务");
                db_exec_v(db, &e2,
                          "UPDATE jobs SET status = 'failed', error_message = "
                          "$1, updated_at = $2 WHERE id = $3",
                          "tti", "无法启动后台任务", now, id);
            }
            pthread_attr_destroy(&attr);
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
    j = json_pack("{sIssss}", "id", (json_int_t)id, "kind", db_col_text(st, 1),
                  "status", db_col_text(st, 2));
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

int job_cancel(Db *db, const Actor *a, int64_t id, const char *kind_prefix,
               Err *e)
{
    json_t *job = NULL;
    const char *status, *kind;
    char now[CLOCK_ISO_LEN];
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
        goto out;
    }
    /* queued, resting, or left by a dead process */
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
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

int job_recover(Db *db, Err *e)
{
    char now[CLOCK_ISO_LEN];
    DbStmt *st = NULL;
    int64_t ids[64];
    char *results[64];
    int n = 0, more = 1;
    int rc = 0;

    clock_now_iso(now, 0);
    /* An import whose write committed has its audit entry: it is done,
     * with the counts the entry holds (databases written before the final
     * state was committed with the rows). Read in batches, merged in C
     * (no SQL JSON functions: they differ between the backends). */
    while (rc == 0 && more) {
        n = 0;
        rc = db_prepare_v(
            db, &st, e,
            "SELECT j.id, j.result, (SELECT l.after_json FROM audit_log l "
            "WHERE l.action = 'import.apply' AND l.object_type = 'import' "
            "AND l.object_id = j.id ORDER BY l.id DESC LIMIT 1) FROM jobs j "
            "WHERE j.status = 'running' AND j.kind LIKE 'import.%' AND EXISTS "
            "(SELECT 1 FROM audit_log l WHERE l.action = 'import.apply' AND "
            "l.object_type = 'import' AND l.object_id = j.id) ORDER BY j.id "
            "LIMIT 64",
            "");
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            ids[n] = db_col_int64(st, 0);
            results[n] =
                job_applied_result(db_col_text(st, 1), db_col_text(st, 2));
            n++;
            rc = 0;
        }
        db_finalize(st);
        st = NULL;
        rc = rc == DB_DONE ? 0 : rc;
        more = n == 64;
        for (int i = 0; i < n; i++) {
            if (rc == 0) {
                rc = db_exec_v(db, e,
                               "UPDATE jobs SET status = 'done', error_code = "
                               "NULL, error_message = NULL, phase = NULL, "
                               "finished_at = $1, updated_at = $1, result = "
                               "$2 WHERE id = $3",
                               "tti", now, results[i], ids[i]);
            }
            free(results[i]);
        }
        if (rc == 0 && n > 0) {
            log_info("jobs: %d interrupted import(s) had committed: done", n);
        }
    }
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE jobs SET status = 'failed', error_code = "
                       "'interrupted', error_message = '服务重启，任务中断', "
                       "finished_at = $1, updated_at = $1 "
                       "WHERE status IN ('running', 'queued')",
                       "t", now);
    }
    if (rc == 0 && db_changes(db) > 0) {
        log_info("jobs: %lld interrupted job(s) marked failed",
                 (long long)db_changes(db));
    }
    return rc;
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
