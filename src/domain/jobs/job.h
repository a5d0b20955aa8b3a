/* job.h - long work (imports, whole-district screening) run in the
 * background with progress and cancellation.
 *
 * A job is a row of the jobs table (kind, owner, scope, status, params,
 * result, error) plus, while it runs, an entry in this process's registry
 * that holds its live progress and its cancel flag. Status changes are
 * committed as they happen; progress is kept in memory only (the worker's
 * own transaction may be open for the whole run, so it cannot commit
 * progress rows) and read through job_get() (other instances read the
 * progress the lease keeper stores). A job found "running" with an
 * expired lease at start-up belonged to a process that died:
 * job_recover() runs it again as a take-over does (below); a kind that
 * cannot run again fails ("服务重启，任务中断" or its loader's reason).
 * Nothing a job writes is committed unless its worker commits it, so a
 * crash or a cancel leaves no partial data.
 *
 * Several instances (app servers) may share one database. A job runs on
 * the instance that claims it: job_start moves it from the status it read
 * to running only if no other instance did so meanwhile, and records this
 * instance and a lease expiry (lease_owner, lease_until). The instance's
 * lease keeper (job_keeper_start) renews the leases of its running jobs,
 * stores their live progress and passes on cancellations asked on other
 * instances; it also takes over the jobs of instances that stopped: a job
 * whose lease expired is claimed by this instance and run again from its
 * row (job_set_kinds: the kind's loader, the creator's actor re-read from
 * the database), at most JOB_ATTEMPTS_MAX runs in all; a job whose import
 * committed is done; one that cannot be run again fails ("instance_lost",
 * or "attempts" after the last run). Each is audited "job.takeover".
 * A job whose cancellation was asked before its instance stopped is not
 * run again: it ends cancelled. The request is in the table
 * (cancel_requested) when asked on another instance, and when asked here
 * once the lease keeper's next renewal stored it (until then a crash
 * loses it and the job runs again); whoever stores it audits
 * "job.cancel", once. Start-up recovery does the same
 * for expired leases only, never a job another live instance runs (a
 * lease of the killed process that has not expired yet is taken over by
 * the lease keeper when it does). A worker stores its end state
 * only while it holds the lease, so a stalled instance whose job was taken
 * over cannot commit it a second time.
 *
 *     static int work(JobRun *run, void *ud, Err *e) {
 *         job_set_total(run, n);
 *         for (...) {
 *             if (job_cancelled(run)) return err_set(e, ERR_CANCELLED, ...);
 *             ...; job_add_done(run, 1);
 *         }
 *         job_set_result(run, json_pack(...));   // steals the reference
 *         return 0;
 *     }
 *     job_create(db, actor, "evaluate", params, &id, e);
 *     job_start(location, id, actor, work, ud, free_ud, e);
 *
 * The worker runs on its own thread with its own database connection
 * (opened from the location the server uses). Statuses:
 *   queued -> running -> done | failed | cancelled
 * and for two-step jobs (import: validate, then apply), the worker may end
 * in a resting status the caller names (job_set_rest, e.g. "validated"),
 * from which a second job_start moves it on. */
#ifndef KC_DOMAIN_JOB_H
#define KC_DOMAIN_JOB_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define JOB_KIND_MAX 40      /* bytes of a kind ("import.enterprises") */
#define JOB_STATUS_MAX 16    /* bytes of a status */
#define JOB_RUNNING_MAX 8    /* jobs running at once in one process */
#define JOB_INSTANCE_MAX 96  /* bytes of an instance name */
#define JOB_LEASE_DEFAULT 60 /* seconds a lease lasts unless renewed */
#define JOB_LEASE_MIN 2
#define JOB_LEASE_MAX 3600

typedef struct JobRun JobRun;

/* The work of a job. Runs on the job's thread; db is the thread's own
 * connection, a is a copy of the actor that started the job. Return 0 on
 * success (status becomes done, or the rest status if set), an ERR_* code
 * with e set on failure (failed; ERR_CANCELLED: cancelled). */
typedef int (*JobFn)(JobRun *run, Db *db, const Actor *a, void *ud, Err *e);

#define JOB_ATTEMPTS_MAX 3 /* runs of one job: the first and 2 take-overs */

/* How any instance runs a job of one kind from the database alone, so
 * that a job whose instance stopped is run again elsewhere (job_sweep).
 * load rebuilds the worker's function and argument from the job's params
 * and result (and the rows they name); the job's files must be readable
 * here (the data_dir of all instances on shared storage). On failure it
 * returns an ERR_* code with a zh-CN reason in e, which the job then
 * fails with. */
typedef int (*JobLoadFn)(Db *db, const char *location, int64_t id,
                         json_t *params, json_t *result, JobFn *fn, void **ud,
                         void (**free_ud)(void *), Err *e);

typedef struct JobKind {
    const char *kind; /* the kind, or a prefix ending in '.' ("import.") */
    JobLoadFn load;
} JobKind;

/* The table of job kinds (ends with {NULL, NULL}; it must outlive the
 * process's jobs). Set once at start-up, before the lease keeper; without
 * it, or for a kind it does not name, a taken-over job fails. */
void job_set_kinds(const JobKind *kinds);

/* Insert a queued job of kind for actor a (its scope is a's), with params
 * (JSON object or NULL; borrowed). In its own transaction with an audit
 * entry "job.create" unless the caller is inside one (then it joins it and
 * the caller audits). */
int job_create(Db *db, const Actor *a, const char *kind, json_t *params,
               int64_t *id_out, Err *e);

/* Run fn on a new thread for job id (queued or in a resting status).
 * location: the database location to open. ud is passed to fn and freed
 * with free_ud (may be NULL) when the worker ends, also when starting
 * fails. ERR_BUSY when JOB_RUNNING_MAX jobs already run, ERR_CONFLICT when
 * job id is running or finished. */
int job_start(const char *location, int64_t id, const Actor *a, JobFn fn,
              void *ud, void (*free_ud)(void *), Err *e);

/* ---- inside a worker ---- */
void job_set_total(JobRun *run, int64_t total);
void job_add_done(JobRun *run, int64_t n);
void job_set_done(JobRun *run, int64_t done);
/* Short zh-CN phrase of what the job does now ("校验中", "写入中"). */
void job_set_phase(JobRun *run, const char *phase);
int job_cancelled(const JobRun *run);
int64_t job_id(const JobRun *run);
/* Result object stored with the job (steals the reference). */
void job_set_result(JobRun *run, json_t *result);
/* End in this status instead of "done" when fn returns 0. */
void job_set_rest(JobRun *run, const char *status);
/* Write the end state the job will have when fn returns 0 ("done" or the
 * rest status, the result, the progress) inside the worker's open
 * transaction, so that it commits together with the work: a crash after
 * that commit cannot leave the job "running" (and then failed) although
 * its work is in. */
int job_store_done_tx(Db *db, JobRun *run, Err *e);
/* Did the end-state write find the job taken over by another instance
 * (this one stalled past its lease)? Its files then belong to that run. */
int job_lease_lost(const JobRun *run);
/* Tests: when on, a worker's thread stops right after fn returns without
 * storing anything, as a process killed at that point would. */
void job_test_crash_after_work(int on);

/* ---- from anywhere ---- */

/* zh-CN name of a job status ("cancelled" -> "已取消"); the code itself
 * when unknown. */
const char *job_status_name(const char *status);

/* The job as JSON: id, kind, status, status_name, phase, params, result,
 * error ({code, message}), progress {done, total}, created_by, created_at,
 * started_at, finished_at. ERR_NOTFOUND when missing or when a may not see
 * it: a job is visible to its creator and to actors whose scope contains
 * the creator's scope. kind_prefix, when not NULL, must match the start of
 * the job's kind (else ERR_NOTFOUND), so /imports/{id} does not show a
 * screening job. */
int job_get(Db *db, const Actor *a, int64_t id, const char *kind_prefix,
            json_t **out, Err *e);

/* Ask job id to stop (it rolls back and ends cancelled). Visibility as
 * job_get; ERR_CONFLICT when it has already finished. A queued or resting
 * job is marked cancelled at once. Audited ("job.cancel"). */
int job_cancel(Db *db, const Actor *a, int64_t id, const char *kind_prefix,
               Err *e);

/* One page of jobs a may see, newest first (kind_prefix NULL = all). */
int job_list(Db *db, const Actor *a, const char *kind_prefix, int64_t offset,
             int64_t limit, json_t **items, int64_t *total, Err *e);

/* As job_list; own_scope keeps only the jobs created for exactly a's unit
 * (a screening's scope), not those of units below it, so each scope's
 * latest run stays its own. */
int job_list_in(Db *db, const Actor *a, const char *kind_prefix, int own_scope,
                int64_t offset, int64_t limit, json_t **items, int64_t *total,
                Err *e);

/* Resolve jobs left running or queued by a dead process: a running job
 * whose lease expired (or that has none) - an import whose write committed
 * (its "import.apply" audit entry exists) is done, with the entry's
 * counts; one whose cancellation was asked is cancelled; the others are
 * run again here (job_set_kinds first) or failed; each audited
 * "job.takeover" - and queued jobs not started for a lease period
 * (failed). A job another live instance runs keeps running. Called by the
 * server at start-up; on SQLite a job run again may hold the write lock,
 * the jobs then left are taken over by the lease keeper. */
int job_recover(Db *db, Err *e);

/* Take over the running jobs of other instances whose lease expired
 * before now (see above): run again here when their kind has a loader and
 * runs remain, else resolved; *taken (may be NULL) gets how many. Jobs
 * that run in this process are never touched. */
int job_sweep(Db *db, int *taken, Err *e);

/* Renew the leases of the jobs running in this process, store their live
 * progress and the cancellations asked here that the table lacks, and
 * flag those whose cancellation another instance asked for (the worker
 * then ends cancelled; the asking instance audited it). */
int job_renew(Db *db, Err *e);

/* The lease keeper: a thread with its own connection to location that
 * runs job_renew and job_sweep every third of the lease period. Started
 * once by the server; job_keeper_stop ends it (shutdown). */
int job_keeper_start(const char *location, Err *e);
void job_keeper_stop(void);

/* This instance's name ("host:pid:start time") in jobs.lease_owner. */
const char *job_instance(void);
/* Lease period in seconds (JOB_LEASE_MIN..JOB_LEASE_MAX, else the
 * default); set before jobs start (configuration job_lease_seconds). */
void job_set_lease_seconds(int seconds);
int job_lease_seconds(void);
/* Tests: act as the instance called name. */
void job_set_instance_for_tests(const char *name);

/* Wait until no job of this process runs (tests, shutdown). Requests
 * cancellation first when cancel is non-zero. */
void job_wait_all(int cancel);

#endif
