/* job_kinds.c - the one table of job kinds: for each, the loader that
 * rebuilds its worker from the job's row, so that a job whose instance
 * stopped is run again by another (docs/internals/jobs.md). A kind not
 * named here is failed when its instance stops. */
#include "api/api.h"
#include "domain/eligibility/elig_screen.h"
#include "domain/eligibility/sandbox.h"
#include "domain/io/import.h"

const JobKind api_job_kinds[] = {
    {"import.", import_job_load},
    {"screening", elig_screen_job_load},
    {"sandbox", sandbox_job_load},
    {NULL, NULL},
};
