/* api_jobs.c - background jobs: list, progress, cancel. Imports and
 * screenings have their own routes too; these serve every kind. */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "domain/jobs/job.h"

int api_jobs_list(Ctx *c, Err *e)
{
    const char *kind = ctx_query(c, "kind");
    json_t *items = NULL;
    int64_t total = 0;
    Page p;
    int rc;

    if (kind &&
        (strlen(kind) >= JOB_KIND_MAX ||
         strspn(kind, "abcdefghijklmnopqrstuvwxyz_.") != strlen(kind))) {
        return err_set(e, ERR_INVALID, "kind", "任务类型无效");
    }
    rc = ctx_page(c, &p, e);
    if (rc == 0) {
        rc = job_list(c->db, &c->actor, kind && kind[0] ? kind : NULL, p.offset,
                      p.size, &items, &total, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_page(c, items, total, &p);
}

int api_jobs_get(Ctx *c, Err *e)
{
    json_t *job = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = job_get(c->db, &c->actor, id, NULL, &job, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 200, job);
}

int api_jobs_cancel(Ctx *c, Err *e)
{
    json_t *job = NULL;
    int64_t id;
    int rc;

    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = job_cancel(c->db, &c->actor, id, NULL, e);
    }
    if (rc == 0) {
        rc = job_get(c->db, &c->actor, id, NULL, &job, e);
    }
    if (rc) {
        return rc;
    }
    return ctx_reply_json(c, 202, job);
}
