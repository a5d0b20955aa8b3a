/* import_job.c - imports as background jobs: staging of uploads, the
 * validate and apply workers, the stored error report and the view the
 * API shows (docs/ui.md "Import contract"). */
#include "domain/io/import.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "db/datadir.h"
#include "domain/accounts/audit.h"

#define IMPORT_PATH_MAX 1200
#define IMPORT_KIND_PREFIX "import."

typedef struct ImpJob {
    const ColumnKind *k;
    char path[IMPORT_PATH_MAX];
    int owned; /* staged copy: removed when the job has ended */
    int apply;
    int mode;
    int blank_unit_ask; /* ImportOpts.blank_unit_ask */
    int64_t total_hint;
} ImpJob;

static ImportLimits imp_limits = {IMPORT_UPLOAD_HOURS, IMPORT_USER_UPLOADS,
                                  IMPORT_USER_BYTES,   IMPORT_TOTAL_UPLOADS,
                                  IMPORT_TOTAL_BYTES,  IMPORT_DISK_RESERVE};

void import_limits_set(const ImportLimits *l)
{
    ImportLimits d = {IMPORT_UPLOAD_HOURS, IMPORT_USER_UPLOADS,
                      IMPORT_USER_BYTES,   IMPORT_TOTAL_UPLOADS,
                      IMPORT_TOTAL_BYTES,  IMPORT_DISK_RESERVE};

    if (l) {
        d.upload_hours = l->upload_hours ? l->upload_hours : d.upload_hours;
        d.user_uploads = l->user_uploads ? l->user_uploads : d.user_uploads;
        d.user_bytes = l->user_bytes ? l->user_bytes : d.user_bytes;
        d.total_uploads = l->total_uploads ? l->total_uploads : d.total_uploads;
        d.total_bytes = l->total_bytes ? l->total_bytes : d.total_bytes;
        d.disk_reserve = l->disk_reserve ? l->disk_reserve : d.disk_reserve;
    }
    imp_limits = d;
}

void import_limits_get(ImportLimits *out)
{
    *out = imp_limits;
}

int import_stage_dir(const char *location, char *out, size_t cap, Err *e)
{
    int rc = datadir_path(location, "imports", out, cap, e);

    if (rc) {
        return rc;
    }
    if (mkdir(out, 0700) != 0 && errno != EEXIST) {
        log_error("import: mkdir %s: %s", out, strerror(errno));
        return err_set(e, ERR_IO, NULL, "无法保存上传的文件");
    }
    return 0;
}

/* Path of the staged upload of job id. */
static int imp_stage_path(const char *location, int64_t id, char *out,
                          size_t cap, Err *e)
{
    char dir[IMPORT_PATH_MAX];
    int rc = import_stage_dir(location, dir, sizeof dir, e);
    int n;

    if (rc) {
        return rc;
    }
    n = snprintf(out, cap, "%s/%lld.upload", dir, (long long)id);
    if (n < 0 || (size_t)n >= cap) {
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    return 0;
}

/* Lines in a CSV file (a progress total; XLSX: 0 = unknown). */
static int64_t imp_count_lines(const char *path)
{
    FILE *f = fopen(path, "rb");
    char buf[256 * 1024];
    int64_t n = 0;
    size_t got;

    if (!f) {
        return 0;
    }
    got = fread(buf, 1, 4, f);
    if (got == 4 && memcmp(buf, "PK\x03\x04", 4) == 0) {
        fclose(f);
        return 0;
    }
    rewind(f);
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        const char *p = buf;
        const char *end = buf + got;
        while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            n++;
            p++;
        }
    }
    fclose(f);
    return n > 0 ? n - 1 : 0;
}

/* Replace the stored error report of job id with r's errors. */
static int imp_store_errors(Db *db, int64_t id, const ImportReport *r, Err *e)
{
    DbStmt *st = NULL;
    size_t i;
    int rc;

    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_exec_v(db, e, "DELETE FROM import_errors WHERE job_id = $1", "i",
                   id);
    if (rc == 0) {
        rc = db_prepare(db,
                        "INSERT INTO import_errors (job_id, seq, row_no, "
                        "col_title, field, message) VALUES ($1, $2, $3, $4, "
                        "$5, $6)",
                        &st, e);
    }
    for (i = 0; rc == 0 && i < r->n_errors; i++) {
        const ImportError *er = &r->errors[i];
        db_reset(st);
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, (int64_t)i + 1);
        db_bind_int64(st, 3, er->row);
        db_bind_text(st, 4, er->col >= 0 ? r->kind->cols[er->col].title : NULL);
        db_bind_text(st, 5, er->col >= 0 ? r->kind->cols[er->col].key : NULL);
        db_bind_text(st, 6, er->message);
        rc = db_step(st, e);
        rc = rc == DB_DONE ? 0 : rc;
    }
    db_finalize(st);
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

static void imp_job_free(void *ud)
{
    free(ud);
}

/* The job result of report r (new reference). */
static json_t *imp_result(const ImpJob *j, const ImportReport *r)
{
    json_t *res = import_report_json(r, IMPORT_ERRORS_KEPT);

    json_object_set_new(res, "stage",
                        json_string(j->apply ? "applied" : "validated"));
    if (j->apply) {
        json_object_set_new(
            res, "mode",
            json_string(j->mode == IMPORT_MODE_VALID ? "valid" : "all"));
    }
    return res;
}

typedef struct ImpCommit {
    JobRun *run;
    const ImpJob *j;
} ImpCommit;

/* Inside the import's write transaction: the job's final state commits
 * with the rows and their audit entry. */
static int imp_on_commit(void *ud, Db *db, const ImportReport *r, Err *e)
{
    ImpCommit *c = ud;

    job_set_phase(c->run, "导入完成");
    job_set_result(c->run, imp_result(c->j, r));
    return job_store_done_tx(db, c->run, e);
}

/* The worker of both steps. */
static int imp_work(JobRun *run, Db *db, const Actor *a, void *ud, Err *e)
{
    ImpJob *j = ud;
    ImpCommit commit;
    ImportReport r;
    ImportOpts o;
    Err se;
    int rc;

    memset(&o, 0, sizeof o);
    o.apply = j->apply;
    o.mode = j->mode;
    o.blank_unit_ask = j->blank_unit_ask;
    o.job_id = job_id(run);
    o.run = run;
    commit.run = run;
    commit.j = j;
    o.on_commit = imp_on_commit;
    o.hook_ud = &commit;
    job_set_phase(run, "校验中"); /* import_file says when it writes */
    job_set_total(run,
                  j->total_hint ? j->total_hint : imp_count_lines(j->path));
    import_report_init(&r, j->k);
    rc = import_file(db, a, j->k, j->path, &o, &r, e);
    if (rc != ERR_CANCELLED && imp_store_errors(db, o.job_id, &r, &se) != 0) {
        log_error("import %lld: storing errors: %s", (long long)o.job_id,
                  se.msg);
    }
    job_set_result(run, imp_result(j, &r));
    if (rc == 0 && !j->apply) {
        job_set_phase(run, "校验完成");
        job_set_rest(run, "validated");
    } else if (rc == 0) {
        job_set_phase(run, "导入完成");
    }
    /* the upload goes with the job, unless another instance took the job
     * over and now reads it */
    if (j->owned && (j->apply || rc) && !job_lease_lost(run)) {
        unlink(j->path);
    }
    import_report_free(&r);
    return rc;
}

static int imp_one_running(Db *db, const Actor *a, int64_t except, Err *e);

/* What a worker of this job runs ("run" in its params), so that another
 * instance can run it again (import_job_load). New reference. */
static json_t *imp_run_json(const ImpJob *j)
{
    return json_pack("{sbsssb}", "apply", j->apply, "mode",
                     j->mode == IMPORT_MODE_VALID ? "valid" : "all",
                     "blank_unit_ask", j->blank_unit_ask);
}

int import_job_load(Db *db, const char *location, int64_t id, json_t *params,
                    json_t *result, JobFn *fn, void **ud,
                    void (**free_ud)(void *), Err *e)
{
    json_t *run = json_object_get(params, "run");
    const ColumnKind *k =
        columns_kind_find(json_string_value(json_object_get(params, "kind")));
    const char *ppath = json_string_value(json_object_get(params, "path"));
    const char *mode = json_string_value(json_object_get(run, "mode"));
    ImpJob *j;
    int rc = 0;

    (void)db;
    if (!k || !json_is_object(run)) {
        return err_set(e, ERR_CONFLICT, "params",
                       "运行该导入的服务实例已停止，此导入没有记录重新运行所需"
                       "的参数，任务中断；请重新上传");
    }
    j = xcalloc(1, sizeof *j);
    j->k = k;
    if (ppath) {
        snprintf(j->path, sizeof j->path, "%s", ppath);
    } else {
        rc = imp_stage_path(location, id, j->path, sizeof j->path, e);
        j->owned = 1;
    }
    if (rc == 0 && access(j->path, R_OK) != 0) {
        rc =
            err_set(e, ERR_CONFLICT, "file",
                    "运行该导入的服务实例已停止，上传的文件在接管的实例上不可"
                    "读（各实例的数据目录 data_dir 须在共享存储上），任务中断；"
                    "请重新上传");
    }
    if (rc) {
        free(j);
        return rc;
    }
    j->apply = json_is_true(json_object_get(run, "apply"));
    j->mode = mode && strcmp(mode, "valid") == 0 ? IMPORT_MODE_VALID
                                                 : IMPORT_MODE_ALL;
    j->blank_unit_ask = json_is_true(json_object_get(run, "blank_unit_ask"));
    if (j->apply) {
        j->total_hint = json_integer_value(
            json_object_get(json_object_get(result, "summary"), "rows"));
    }
    *fn = imp_work;
    *ud = j;
    *free_ud = imp_job_free;
    return 0;
}

/* Record in job id's params what its next worker runs (the apply step of
 * a validated import). */
static int imp_store_run(Db *db, int64_t id, json_t *params, const ImpJob *j,
                         Err *e)
{
    char *text;
    int rc;

    json_object_set_new(params, "run", imp_run_json(j));
    text = json_dumps(params, JSON_COMPACT);
    if (!text) {
        return err_set(e, ERR_INTERNAL, "", "内存不足");
    }
    rc = db_exec_v(db, e,
                   "UPDATE jobs SET params = $1 WHERE id = $2 AND status = "
                   "'validated'",
                   "ti", text, id);
    free(text);
    return rc;
}

/* Create the import's job, refusing a second running import of a (in one
 * transaction with the check, so two requests cannot both pass it). */
static int imp_create(Db *db, const Actor *a, const char *kind, json_t *params,
                      int64_t *id_out, Err *e)
{
    json_t *after;
    int rc = db_begin(db, e);

    if (rc) {
        return rc;
    }
    rc = imp_one_running(db, a, 0, e);
    if (rc == 0) {
        rc = job_create(db, a, kind, params, id_out, e);
    }
    if (rc == 0) {
        after = json_pack("{sssO}", "kind", kind, "params", params);
        rc = audit_record(db, a, "job.create", "job", *id_out, NULL, NULL,
                          after, e);
        json_decref(after);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

int import_start(Db *db, const char *location, const Actor *a,
                 const ColumnKind *k, const char *file_name, const char *path,
                 int owned, int dry_run, int mode, int64_t *id_out, Err *e)
{
    char kind[JOB_KIND_MAX];
    json_t *params;
    ImpJob *j;
    int rc;

    snprintf(kind, sizeof kind, IMPORT_KIND_PREFIX "%s", k->code);
    params = json_pack("{ssss}", "kind", k->code, "file_name",
                       file_name ? file_name : "");
    if (!owned) {
        json_object_set_new(params, "path", json_string(path));
    }
    if (!dry_run) {
        json_object_set_new(
            params, "mode",
            json_string(mode == IMPORT_MODE_VALID ? "valid" : "all"));
    }
    j = xcalloc(1, sizeof *j);
    j->k = k;
    snprintf(j->path, sizeof j->path, "%s", path);
    j->owned = owned;
    j->apply = !dry_run;
    j->mode = mode;
    json_object_set_new(params, "run", imp_run_json(j));
    rc = imp_create(db, a, kind, params, id_out, e);
    json_decref(params);
    if (rc) {
        free(j);
        return rc;
    }
    return job_start(location, *id_out, a, imp_work, j, imp_job_free, e);
}

/* The one path of an upload into a job: admission (one running import per
 * user, caps, expiry sweep, free space), the job with its audit entry,
 * then the file staged under the job's name — written from data, or
 * moved from the spool file the server streamed the body to — and the
 * validation started. */
static int imp_submit(Db *db, const char *location, const Actor *a,
                      const ColumnKind *k, const char *file_name,
                      const void *data, const char *spool, size_t len,
                      int dry_run, int mode, int confirm_blank_unit,
                      int64_t *id_out, Err *e)
{
    char kind[JOB_KIND_MAX];
    char path[IMPORT_PATH_MAX];
    json_t *params;
    ImpJob *j;
    int rc;

    if (len == 0) {
        return err_set(e, ERR_INVALID, "file", "上传的文件为空");
    }
    rc = import_upload_admit(db, location, a, (int64_t)len, e);
    if (rc) {
        return rc;
    }
    snprintf(kind, sizeof kind, IMPORT_KIND_PREFIX "%s", k->code);
    params = json_pack("{sssssI}", "kind", k->code, "file_name",
                       file_name ? file_name : "", "size", (json_int_t)len);
    if (!dry_run) {
        json_object_set_new(
            params, "mode",
            json_string(mode == IMPORT_MODE_VALID ? "valid" : "all"));
    }
    {
        ImpJob step = {0};
        step.apply = !dry_run;
        step.mode = mode;
        step.blank_unit_ask = !dry_run && !confirm_blank_unit;
        json_object_set_new(params, "run", imp_run_json(&step));
    }
    rc = imp_create(db, a, kind, params, id_out, e);
    json_decref(params);
    if (rc) {
        return rc;
    }
    rc = imp_stage_path(location, *id_out, path, sizeof path, e);
    if (rc) {
        return rc;
    }
    if (spool) {
        if (rename(spool, path) != 0) {
            log_error("import: cannot move %s to %s: %s", spool, path,
                      strerror(errno));
            return err_set(e, ERR_IO, NULL, "无法保存上传的文件");
        }
    } else {
        FILE *f = fopen(path, "wb");

        if (!f) {
            log_error("import: cannot write %s: %s", path, strerror(errno));
            return err_set(e, ERR_IO, NULL, "无法保存上传的文件");
        }
        if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
            unlink(path);
            return err_set(e, ERR_IO, NULL, "无法保存上传的文件");
        }
    }
    j = xcalloc(1, sizeof *j);
    j->k = k;
    snprintf(j->path, sizeof j->path, "%s", path);
    j->owned = 1;
    j->apply = !dry_run;
    j->mode = mode;
    j->blank_unit_ask = !dry_run && !confirm_blank_unit;
    rc = job_start(location, *id_out, a, imp_work, j, imp_job_free, e);
    if (rc) {
        unlink(path);
    }
    return rc;
}

int import_submit(Db *db, const char *location, const Actor *a,
                  const ColumnKind *k, const char *file_name, const void *data,
                  size_t len, int dry_run, int mode, int confirm_blank_unit,
                  int64_t *id_out, Err *e)
{
    return imp_submit(db, location, a, k, file_name, data, NULL, len, dry_run,
                      mode, confirm_blank_unit, id_out, e);
}

int import_submit_spool(Db *db, const char *location, const Actor *a,
                        const ColumnKind *k, const char *file_name,
                        const char *spool, size_t len, int dry_run, int mode,
                        int confirm_blank_unit, int64_t *id_out, Err *e)
{
    return imp_submit(db, location, a, k, file_name, NULL, spool, len, dry_run,
                      mode, confirm_blank_unit, id_out, e);
}

/* The blank-unit warning of a validation result, or NULL. */
static json_t *imp_blank_unit_warning(json_t *result)
{
    json_t *w = json_object_get(result, "warnings");
    size_t i;

    for (i = 0; i < json_array_size(w); i++) {
        json_t *x = json_array_get(w, i);
        const char *code = json_string_value(json_object_get(x, "code"));
        if (code && strcmp(code, "blank_unit") == 0) {
            return x;
        }
    }
    return NULL;
}

int import_apply(Db *db, const char *location, const Actor *a, int64_t id,
                 int mode, int confirm_blank_unit, Err *e)
{
    json_t *warn;
    json_t *job = NULL;
    json_t *summary, *params;
    const ColumnKind *k;
    const char *status, *ppath;
    ImpJob *j;
    int64_t invalid, valid;
    int rc;

    rc = job_get(db, a, id, IMPORT_KIND_PREFIX, &job, e);
    if (rc) {
        return rc;
    }
    status = json_string_value(json_object_get(job, "status"));
    params = json_object_get(job, "params");
    summary = json_object_get(json_object_get(job, "result"), "summary");
    k = columns_kind_find(json_string_value(json_object_get(params, "kind")));
    if (!status || strcmp(status, "validated") != 0 || !summary || !k) {
        rc = err_set(e, ERR_CONFLICT, "status",
                     "只有校验完成、尚未导入的文件才能导入");
        goto out;
    }
    rc = imp_one_running(db, a, id, e);
    if (rc) {
        goto out;
    }
    invalid = json_integer_value(json_object_get(summary, "invalid"));
    valid = json_integer_value(json_object_get(summary, "valid"));
    if (mode == IMPORT_MODE_ALL && invalid > 0) {
        rc =
            err_set(e, ERR_CONFLICT, "mode",
                    "有 %lld 行数据有误，不能全部导入；请改正后重新上传，或选择"
                    "只导入有效的行",
                    (long long)invalid);
        goto out;
    }
    if (valid == 0) {
        rc = err_set(e, ERR_CONFLICT, "mode", "没有可导入的有效行");
        goto out;
    }
    warn = imp_blank_unit_warning(json_object_get(job, "result"));
    if (warn && !confirm_blank_unit) {
        const char *msg = json_string_value(json_object_get(warn, "message"));
        rc = err_set(e, ERR_CONFLICT, "confirm_blank_unit", "%s",
                     msg ? msg : "有新企业的所属单位为空，请确认后导入");
        goto out;
    }

    j = xcalloc(1, sizeof *j);
    j->k = k;
    ppath = json_string_value(json_object_get(params, "path"));
    if (ppath) {
        snprintf(j->path, sizeof j->path, "%s", ppath);
    } else {
        rc = imp_stage_path(location, id, j->path, sizeof j->path, e);
        if (rc) {
            free(j);
            goto out;
        }
        j->owned = 1;
    }
    if (access(j->path, R_OK) != 0) {
        free(j);
        rc = err_set(e, ERR_CONFLICT, "status",
                     "上传的文件已不存在，请重新上传");
        goto out;
    }
    j->apply = 1;
    j->mode = mode;
    j->total_hint = json_integer_value(json_object_get(summary, "rows"));
    rc = imp_store_run(db, id, params, j, e);
    if (rc) {
        free(j);
        goto out;
    }
    rc = job_start(location, id, a, imp_work, j, imp_job_free, e);
out:
    json_decref(job);
    return rc;
}

/* The import view of a job object (new reference). */
static json_t *imp_view(json_t *job)
{
    json_t *v = json_object();
    json_t *res = json_object_get(job, "result");
    json_t *params = json_object_get(job, "params");
    const char *st = json_string_value(json_object_get(job, "status"));
    const char *status = st ? st : "failed";
    const char *keys[] = {"id",         "progress",   "created_by",
                          "created_at", "started_at", "finished_at",
                          "phase",      "error",      NULL};
    size_t i;

    if (strcmp(status, "queued") == 0) {
        status = "validating";
    } else if (strcmp(status, "running") == 0) {
        status = json_object_get(res, "summary") ? "applying" : "validating";
    }
    for (i = 0; keys[i]; i++) {
        json_t *x = json_object_get(job, keys[i]);
        if (x) {
            json_object_set(v, keys[i], x);
        }
    }
    json_object_set_new(v, "kind", json_copy(json_object_get(params, "kind")));
    json_object_set_new(v, "file_name",
                        json_copy(json_object_get(params, "file_name")));
    json_object_set_new(v, "status", json_string(status));
    if (res) {
        const char *keys2[] = {"summary",         "warnings", "errors",
                               "errors_total",    "encoding", "header_row",
                               "ignored_columns", "mode",     NULL};
        for (i = 0; keys2[i]; i++) {
            json_t *x = json_object_get(res, keys2[i]);
            if (x) {
                json_object_set(v, keys2[i], x);
            }
        }
    } else {
        json_object_set_new(v, "summary", json_null());
        json_object_set_new(v, "errors", json_array());
        json_object_set_new(v, "errors_total", json_integer(0));
    }
    return v;
}

int import_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e)
{
    json_t *job = NULL;
    int rc = job_get(db, a, id, IMPORT_KIND_PREFIX, &job, e);

    if (rc) {
        return rc;
    }
    *out = imp_view(job);
    json_decref(job);
    return 0;
}

int import_list(Db *db, const Actor *a, int64_t offset, int64_t limit,
                json_t **items, int64_t *total, Err *e)
{
    json_t *jobs = NULL;
    json_t *x;
    size_t i;
    int rc =
        job_list(db, a, IMPORT_KIND_PREFIX, offset, limit, &jobs, total, e);

    if (rc) {
        return rc;
    }
    *items = json_array();
    json_array_foreach(jobs, i, x)
    {
        json_t *v = imp_view(x);
        /* lists stay small: no error rows */
        json_object_del(v, "errors");
        json_array_append_new(*items, v);
    }
    json_decref(jobs);
    return 0;
}

int import_errors_walk(Db *db, const Actor *a, int64_t id, ImportErrFn fn,
                       void *ud, Err *e)
{
    json_t *job = NULL;
    DbStmt *st = NULL;
    int rc = job_get(db, a, id, IMPORT_KIND_PREFIX, &job, e);

    json_decref(job);
    if (rc) {
        return rc;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT row_no, col_title, field, message FROM "
                      "import_errors WHERE job_id = $1 ORDER BY seq",
                      "i", id);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        rc = fn(ud, db_col_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2),
                db_col_text(st, 3));
        if (rc) {
            break;
        }
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    db_finalize(st);
    return rc;
}

/* The error rows of an import: rows (ascending) and for each the offset
 * of its messages in msgs. */
typedef struct ErrRows {
    long *rows;
    size_t *off;
    size_t n, cap, next;
    Buf msgs;
    ImportErrRowFn fn;
    void *ud;
} ErrRows;

static int imp_err_rows_add(ErrRows *w, long row, const char *column,
                            const char *message)
{
    if (w->n == 0 || w->rows[w->n - 1] != row) {
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 256;
            w->rows = xrealloc(w->rows, w->cap * sizeof *w->rows);
            w->off = xrealloc(w->off, w->cap * sizeof *w->off);
        }
        if (w->n > 0) {
            buf_append_char(&w->msgs, '\0');
        }
        w->rows[w->n] = row;
        w->off[w->n] = w->msgs.len;
        w->n++;
    } else {
        buf_append_str(&w->msgs, "；");
    }
    if (column && *column) {
        return buf_appendf(&w->msgs, "「%s」：%s", column, message);
    }
    return buf_append_str(&w->msgs, message);
}

static int imp_err_rows_cell(void *ud, long row, const char *const *cells,
                             size_t n, Err *e)
{
    ErrRows *w = ud;

    while (w->next < w->n && w->rows[w->next] < row) {
        w->next++;
    }
    if (w->next < w->n && w->rows[w->next] == row) {
        return w->fn(w->ud, row, cells, n, w->msgs.data + w->off[w->next], e);
    }
    return w->fn(w->ud, row, cells, n, NULL, e);
}

int import_error_rows_walk(Db *db, const char *location, const Actor *a,
                           int64_t id, ImportErrRowFn fn, void *ud, Err *e)
{
    json_t *job = NULL;
    DbStmt *st = NULL;
    ErrRows w;
    char path[IMPORT_PATH_MAX];
    long header_row;
    int rc;

    memset(&w, 0, sizeof w);
    /* 10 000 stored errors of at most ERR_MSG_MAX bytes each */
    buf_init(&w.msgs, (size_t)IMPORT_ERRORS_STORED * (ERR_MSG_MAX + 80));
    w.fn = fn;
    w.ud = ud;
    rc = job_get(db, a, id, IMPORT_KIND_PREFIX, &job, e);
    if (rc) {
        goto out;
    }
    header_row = (long)json_integer_value(
        json_object_get(json_object_get(job, "result"), "header_row"));
    if (json_object_get(json_object_get(job, "params"), "path") ||
        header_row <= 0) {
        rc = err_set(e, ERR_CONFLICT, "status",
                     "此导入没有保存上传的文件，无法生成带原始数据的错误报告");
        goto out;
    }
    rc = imp_stage_path(location, id, path, sizeof path, e);
    if (rc) {
        goto out;
    }
    if (access(path, R_OK) != 0) {
        rc = err_set(e, ERR_CONFLICT, "status",
                     "上传的文件已删除（已导入、已取消或已过期），无法生成带"
                     "原始数据的错误报告；错误明细仍可查看");
        goto out;
    }
    rc = db_prepare_v(db, &st, e,
                      "SELECT row_no, col_title, message FROM import_errors "
                      "WHERE job_id = $1 ORDER BY row_no, seq",
                      "i", id);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        rc = imp_err_rows_add(&w, (long)db_col_int64(st, 0), db_col_text(st, 1),
                              db_col_text(st, 2));
        if (rc) {
            rc = err_set(e, ERR_INTERNAL, NULL, "错误报告过大");
        }
    }
    if (rc != DB_DONE) {
        goto out;
    }
    buf_append_char(&w.msgs, '\0');
    rc = import_file_rows(path, header_row, w.rows, w.n, imp_err_rows_cell, &w,
                          e);
out:
    db_finalize(st);
    json_decref(job);
    free(w.rows);
    free(w.off);
    buf_release(&w.msgs);
    return rc;
}

/* Cancel validated job id whose upload expired, with its audit entry. */
static void imp_expire(Db *db, int64_t id)
{
    char now[CLOCK_ISO_LEN];
    char msg[200];
    json_t *after;
    Actor sys;
    Err e;

    snprintf(msg, sizeof msg,
             "校验后 %d 小时内未导入，上传的文件已删除；如需导入请重新上传",
             imp_limits.upload_hours);
    clock_now_iso(now, 0);
    actor_init_system(&sys);
    after = json_pack("{sIsi}", "job_id", (json_int_t)id, "hours",
                      imp_limits.upload_hours);
    if (db_begin(db, &e) == 0 &&
        db_exec_v(db, &e,
                  "UPDATE jobs SET status = 'cancelled', error_code = "
                  "'expired', error_message = $1, finished_at = $2, "
                  "updated_at = $2 WHERE id = $3 AND status = 'validated'",
                  "tti", msg, now, id) == 0 &&
        (db_changes(db) == 0 || audit_record(db, &sys, "import.expire", "job",
                                             id, NULL, NULL, after, &e) == 0) &&
        db_commit(db, &e) == 0) {
        json_decref(after);
        return;
    }
    db_rollback(db);
    json_decref(after);
    log_error("import %lld: cannot expire: %s", (long long)id, e.msg);
}

void import_stage_sweep(Db *db, const char *location)
{
    char dir[IMPORT_PATH_MAX];
    char path[IMPORT_PATH_MAX * 2];
    struct dirent *de;
    time_t cutoff = clock_now() - (time_t)imp_limits.upload_hours * 3600;
    DIR *d;
    Err e;

    if (import_stage_dir(location, dir, sizeof dir, &e)) {
        return;
    }
    d = opendir(dir);
    if (!d) {
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char *end;
        long long id = strtoll(de->d_name, &end, 10);
        char *status = NULL;
        struct stat st;
        int rc;
        if (id <= 0 || strcmp(end, ".upload") != 0) {
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        rc = db_query_text(db, &status, &e,
                           "SELECT status FROM jobs WHERE id = $1", "i",
                           (int64_t)id);
        if (rc == ERR_NOTFOUND ||
            (status &&
             (strcmp(status, "done") == 0 || strcmp(status, "failed") == 0 ||
              strcmp(status, "cancelled") == 0))) {
            unlink(path);
        } else if (status && strcmp(status, "validated") == 0 &&
                   stat(path, &st) == 0 && st.st_mtime < cutoff) {
            imp_expire(db, (int64_t)id);
            unlink(path);
        }
        free(status);
    }
    closedir(d);
}

/* Staged uploads (count, bytes) of user (0: everyone's) that still hold
 * a file: uploaded (no path of their own), not ended. */
static int imp_staged(Db *db, int64_t user, int64_t *n, int64_t *bytes, Err *e)
{
    DbStmt *st = NULL;
    char size[96], path[96], sql[512];
    int rc;

    db_json_get(db, "params", "size", 1, size, sizeof size);
    db_json_get(db, "params", "path", 0, path, sizeof path);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*), COALESCE(SUM(%s), 0) FROM jobs WHERE kind "
             "LIKE 'import.%%' AND status IN ('queued', 'running', "
             "'validated') AND %s IS NULL AND ($1 = 0 OR created_by = $1)",
             size, path);
    rc = db_prepare_v(db, &st, e, sql, "i", user);

    if (rc == 0) {
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *n = db_col_int64(st, 0);
            *bytes = db_col_int64(st, 1);
            rc = 0;
        }
    }
    db_finalize(st);
    return rc;
}

/* ERR_CONFLICT when a has an import validating or writing (other than
 * job except). */
static int imp_one_running(Db *db, const Actor *a, int64_t except, Err *e)
{
    int64_t n = 0;
    int rc;

    if (a->user_id <= 0) {
        return 0; /* the command line runs one import at a time */
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM jobs WHERE kind LIKE 'import.%' "
                        "AND created_by = $1 AND status IN ('queued', "
                        "'running') AND id <> $2",
                        "ii", (int64_t)a->user_id, except);
    if (rc == 0 && n > 0) {
        rc = err_set(e, ERR_CONFLICT, "file",
                     "您已有一个导入任务正在校验或写入，请等它结束后再提交");
    }
    return rc;
}

int import_upload_admit(Db *db, const char *location, const Actor *a,
                        int64_t size, Err *e)
{
    const ImportLimits *l = &imp_limits;
    char dir[IMPORT_PATH_MAX];
    struct statvfs vfs;
    int64_t n = 0, bytes = 0;
    int rc;

    import_stage_sweep(db, location);
    rc = imp_one_running(db, a, 0, e);
    if (rc == 0 && a->user_id > 0) {
        rc = imp_staged(db, a->user_id, &n, &bytes, e);
        if (rc == 0 && n + 1 > l->user_uploads) {
            rc = err_set(e, ERR_CONFLICT, "file",
                         "您已有 %lld 个上传的文件等待导入（上限 %d 个），"
                         "请先导入或取消后再上传",
                         (long long)n, l->user_uploads);
        } else if (rc == 0 && bytes + size > l->user_bytes) {
            rc = err_set(e, ERR_CONFLICT, "file",
                         "您暂存的上传文件共 %lld MB，加上本文件超过上限 "
                         "%lld MB，请先导入或取消已上传的文件",
                         (long long)(bytes >> 20),
                         (long long)(l->user_bytes >> 20));
        }
    }
    if (rc == 0) {
        rc = imp_staged(db, 0, &n, &bytes, e);
        if (rc == 0 &&
            (n + 1 > l->total_uploads || bytes + size > l->total_bytes)) {
            rc = err_set(e, ERR_THROTTLED, "file",
                         "服务器暂存的上传文件已达上限（%d 个、%lld MB），"
                         "请稍后再试",
                         l->total_uploads, (long long)(l->total_bytes >> 20));
        }
    }
    if (rc == 0) {
        rc = import_stage_dir(location, dir, sizeof dir, e);
    }
    if (rc == 0 && statvfs(dir, &vfs) == 0) {
        int64_t avail = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
        if (avail - size < l->disk_reserve) {
            log_warn("import: upload of %lld bytes refused: %lld bytes free, "
                     "reserve %lld",
                     (long long)size, (long long)avail,
                     (long long)l->disk_reserve);
            rc = err_set(e, ERR_THROTTLED, "file",
                         "服务器磁盘空间不足，暂不能接收上传的文件，请联系"
                         "管理员");
        }
    }
    return rc;
}
