/* import.h - imports of the enterprise library (DESIGN.md §7): files of
 * enterprises, yearly figures, IP rights or facts, validated row by row
 * and then written in one transaction.
 *
 * Files: CSV in UTF-8 (with or without BOM) or GBK/GB18030 (detected), or
 * XLSX (recognised by its zip magic). The header row is found within the
 * first IMPORT_HEADER_SCAN rows (title rows above it are skipped) and the
 * columns are mapped by their titles in the registry (columns.h).
 *
 * Everything is streamed: one row exists at a time; duplicate keys are
 * found through a table of 64-bit key hashes; statements are prepared
 * once. A dry run (apply = 0) validates in a read transaction. An apply
 * validates the same way first, without the write lock, keeping the
 * parsed rows in a spool file; then it takes the write lock, checks those
 * rows again against the database as it is then and writes them. Design:
 * docs/internals/import.md. */
#ifndef KC_DOMAIN_IMPORT_H
#define KC_DOMAIN_IMPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/io/columns.h"
#include "domain/jobs/job.h"

#define IMPORT_HEADER_SCAN 20      /* rows searched for the header */
#define IMPORT_ERRORS_KEPT 200     /* errors in the job result / report */
#define IMPORT_ERRORS_STORED 10000 /* errors kept for the full report */
#define IMPORT_ROWS_MAX 10000000L  /* data rows in one file */

enum { IMPORT_MODE_ALL = 0, IMPORT_MODE_VALID = 1 };

typedef struct ImportError {
    long row;      /* spreadsheet row (1-based) */
    int col;       /* registry column, -1 = the row as a whole */
    char *message; /* zh-CN, without the row and column */
} ImportError;

typedef struct ImportReport {
    const ColumnKind *kind;
    char encoding[16]; /* "UTF-8", "UTF-8 BOM", "GB18030", "XLSX" */
    long header_row;
    int64_t rows, valid, invalid;
    int64_t inserted, updated, skipped, conflicts;
    /* enterprises: valid new rows with a blank 所属单位 filed under a
     * unit that has child units (blank_unit_name, its name) */
    int64_t blank_unit;
    char blank_unit_name[128];
    int64_t errors_total;
    ImportError *errors; /* the first IMPORT_ERRORS_STORED */
    size_t n_errors;
    json_t *ignored_columns; /* titles of unknown columns (array) */
} ImportReport;

typedef struct ImportOpts {
    int apply;      /* 0: validate only (dry run); 1: write valid rows */
    int mode;       /* IMPORT_MODE_ALL: write nothing when a row is invalid */
    int64_t job_id; /* provenance src_ref and conflicts; 0 = none */
    JobRun *run;    /* progress and cancel, may be NULL */
    /* apply: called inside the write transaction just before it commits
     * (the job stores its final state with the rows); non-zero rolls
     * everything back. May be NULL. */
    int (*on_commit)(void *ud, Db *db, const ImportReport *r, Err *e);
    /* tests: called once the first data row has been checked, during the
     * validation (before the write lock is taken). May be NULL. */
    void (*check_hook)(void *ud);
    void *hook_ud;
    /* apply: refuse (ERR_CONFLICT, nothing written) after the validation
     * when new enterprises would be filed under a unit with child units
     * because their 所属单位 is blank — an upload that asks to write at
     * once and has not confirmed it (the apply route asks before that) */
    int blank_unit_ask;
} ImportOpts;

void import_report_init(ImportReport *r, const ColumnKind *k);
void import_report_free(ImportReport *r);

/* "第 12 行「统一社会信用代码」：message" for error i (caller frees). */
char *import_error_text(const ImportReport *r, size_t i);

/* Read the file at path as an import of kind k for actor a. With
 * o->apply, validates first without the write lock (a file error or, in
 * mode all, an invalid row ends it there), then writes in one
 * transaction with one audit entry ("import.apply"); mode all writes nothing
 * when any row is invalid (ERR_INVALID "有 N 行…"), mode valid writes the valid
 * rows. A cancel (job_cancelled) rolls back (ERR_CANCELLED). A file that cannot
 * be read (corrupt XLSX, unterminated quote, no header, missing required
 * columns) fails with ERR_INVALID and a zh-CN message; row errors are in r. */
int import_file(Db *db, const Actor *a, const ColumnKind *k, const char *path,
                const ImportOpts *o, ImportReport *r, Err *e);

/* The report as the job result: {"summary": {rows, valid, invalid,
 * inserted, updated, skipped, unchanged (= skipped: rows equal to the
 * stored record), conflicts}, "warnings": [{code, rows, unit, message}],
 * "errors": [first max_errors], "errors_total", "encoding", "header_row",
 * "ignored_columns"}. New reference. */
json_t *import_report_json(const ImportReport *r, size_t max_errors);

/* The zh-CN warning for n new enterprises with a blank 所属单位 filed
 * under unit (caller frees). */
char *import_blank_unit_message(int64_t n, const char *unit);

/* Rows of a file as they are: fn gets the cells of the header row
 * (row = header_row) and then of each data row whose spreadsheet row is
 * in rows[] (ascending, n of them), up to IMPORT_FILE_ROW_CELLS cells,
 * XLSX date cells as YYYY-MM-DD. Stops after the last row wanted. With
 * rows NULL every row of the file is passed and header_row is ignored (a
 * reader of its own layout that finds its header itself, such as a
 * published list or a contract export). */
#define IMPORT_FILE_ROW_CELLS 63
typedef int (*ImportRowFn)(void *ud, long row, const char *const *cells,
                           size_t n, Err *e);
int import_file_rows(const char *path, long header_row, const long *rows,
                     size_t n, ImportRowFn fn, void *ud, Err *e);

/* Every row of every sheet of a workbook (visible, but 说明), sheet by
 * sheet, as import_file_rows passes them with rows NULL: sheet_fn is
 * called before the rows of each sheet with its name and the number of
 * sheets read (a CSV: once, name NULL, n 1); the row numbers are those
 * of the sheet. */
typedef int (*ImportSheetFn)(void *ud, const char *name, size_t n_sheets,
                             Err *e);
int import_file_sheets(const char *path, ImportSheetFn sheet_fn, ImportRowFn fn,
                       void *ud, Err *e);

/* For readers of their own layout. import_title_col: the index in
 * titles[] (n of them; NULL entries skipped) of header cell t, compared
 * without spaces, tabs and the '*' that marks a required column; -1 when
 * none. import_header_find: when row's cells hold every column of need[]
 * (nneed of them), fills map[IMPORT_FILE_ROW_CELLS] (the column of each
 * cell, -1 for others and beyond n) and sets *found; past row
 * IMPORT_HEADER_ROWS without a header, the zh-CN error
 * "前 20 行中没有找到<what>的表头" (ERR_INVALID). import_row_cells: v[col]
 * = the first non-blank cell of each mapped column; 1 when every cell of
 * the row is blank, else 0. */
#define IMPORT_HEADER_ROWS 20
int import_title_col(const char *const *titles, int n, const char *t);
int import_header_find(long row, const char *const *cells, size_t n,
                       const char *const *titles, int ntitles, const int *need,
                       int nneed, const char *what, int *map, int *found,
                       Err *e);
int import_row_cells(const char *const *cells, size_t n, const int *map,
                     const char **v);

/* ---- jobs ---- */

/* Limits on staged uploads (docs/admin.md). */
#define IMPORT_UPLOAD_HOURS 24 /* a validated upload not applied expires */
#define IMPORT_USER_UPLOADS 3  /* uploads one user may have staged */
#define IMPORT_USER_BYTES ((int64_t)300 * 1024 * 1024)
#define IMPORT_TOTAL_UPLOADS 20 /* uploads staged by everyone */
#define IMPORT_TOTAL_BYTES ((int64_t)2048 * 1024 * 1024)
/* free space left beside the database after an upload is written */
#define IMPORT_DISK_RESERVE ((int64_t)1024 * 1024 * 1024)

typedef struct ImportLimits {
    int upload_hours;
    int user_uploads;
    int64_t user_bytes;
    int total_uploads;
    int64_t total_bytes;
    int64_t disk_reserve;
} ImportLimits;

/* Set the limits for this process (start-up, tests); zero members (or
 * l = NULL) take the defaults above. */
void import_limits_set(const ImportLimits *l);
void import_limits_get(ImportLimits *out);

/* May actor a stage an upload of size bytes now? Removes ended and
 * expired uploads first (import_stage_sweep). ERR_CONFLICT (409) when a
 * already has an import validating or writing, or has as many staged
 * uploads (count or bytes) as allowed; ERR_THROTTLED (429: try later)
 * when the total of staged uploads is reached or the disk beside the
 * database would keep less than the reserve (a 5xx would hide the
 * message). zh-CN messages. Callers that stream an upload
 * call it before writing. */
int import_upload_admit(Db *db, const char *location, const Actor *a,
                        int64_t size, Err *e);

/* Directory where uploads are staged: "<database file>.imports" (made
 * on demand, mode 0700). */
int import_stage_dir(const char *location, char *out, size_t cap, Err *e);

/* Start an import job of kind k for the file at path (owned = 1: a staged
 * copy that is removed when the job ends). dry_run: validate and rest in
 * "validated"; else validate and write in one run with mode. *id_out: the
 * job ("import.<kind>"). */
int import_start(Db *db, const char *location, const Actor *a,
                 const ColumnKind *k, const char *file_name, const char *path,
                 int owned, int dry_run, int mode, int64_t *id_out, Err *e);

/* Stage data (len bytes) as an upload and start its import as above.
 * Without dry_run the rows are written once validated, unless new
 * enterprises would get a blank 所属单位 under a unit with child units and
 * confirm_blank_unit is 0: then the job ends refused (nothing written,
 * the warning's message), as the apply route asks first. */
int import_submit(Db *db, const char *location, const Actor *a,
                  const ColumnKind *k, const char *file_name, const void *data,
                  size_t len, int dry_run, int mode, int confirm_blank_unit,
                  int64_t *id_out, Err *e);

/* The same for an upload already in a file (len bytes) in the staging
 * directory (import_stage_dir): the file is moved to the job's staged
 * copy instead of copied. */
int import_submit_spool(Db *db, const char *location, const Actor *a,
                        const ColumnKind *k, const char *file_name,
                        const char *spool, size_t len, int dry_run, int mode,
                        int confirm_blank_unit, int64_t *id_out, Err *e);

/* Write a validated import (status "validated"). ERR_CONFLICT when mode
 * is all and rows are invalid, when the job is not validated, or when the
 * report warns of new enterprises with a blank 所属单位 (the warning's
 * message) and confirm_blank_unit is 0. */
int import_apply(Db *db, const char *location, const Actor *a, int64_t id,
                 int mode, int confirm_blank_unit, Err *e);

/* The loader of "import.*" jobs (JobLoadFn): the worker of job id from
 * its params ("run": the step, mode and blank-unit question; "path" or the
 * staged upload in the data directory, which must be readable here), so
 * another instance runs it again. An apply is one transaction with the
 * job's end state: one that committed is never run again. */
int import_job_load(Db *db, const char *location, int64_t id, json_t *params,
                    json_t *result, JobFn *fn, void **ud,
                    void (**free_ud)(void *), Err *e);

/* The import as the API shows it (docs/ui.md "Import contract"): id,
 * kind, status (validating, validated, applying, done, failed,
 * cancelled), progress, summary, errors, errors_total, error. */
int import_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* One page of imports a may see, newest first, in the same shape. */
int import_list(Db *db, const Actor *a, int64_t offset, int64_t limit,
                json_t **items, int64_t *total, Err *e);

/* Call fn for each stored error of import id (visible to a) in order. */
typedef int (*ImportErrFn)(void *ud, int64_t row, const char *column,
                           const char *field, const char *message);
int import_errors_walk(Db *db, const Actor *a, int64_t id, ImportErrFn fn,
                       void *ud, Err *e);

/* The rows of import id (visible to a) that have errors, as uploaded:
 * fn gets the header row and then each such row (the first
 * IMPORT_ERRORS_STORED errors' rows) with its messages in msg ("「列」：
 * message；…"; the header's msg is NULL). ERR_CONFLICT when the uploaded
 * file is gone (imported, failed, cancelled or expired). */
typedef int (*ImportErrRowFn)(void *ud, long row, const char *const *cells,
                              size_t n, const char *msg, Err *e);
int import_error_rows_walk(Db *db, const char *location, const Actor *a,
                           int64_t id, ImportErrRowFn fn, void *ud, Err *e);

/* Remove staged files of imports that have ended (done, failed,
 * cancelled) or have no job, and expire validated uploads older than the
 * limit (the job is cancelled with a zh-CN message, audited
 * "import.expire"). Runs at start-up and before each new upload. */
void import_stage_sweep(Db *db, const char *location);

/* ---- conflicts (import_conflict.c) ---- */

#define IMPORT_CONFLICT_EXPORT_MAX 200000

/* Filters of the conflict list; zero / NULL members do not filter. */
typedef struct ConflictFilter {
    const char *status; /* "open", "resolved" */
    const char *kind;   /* enterprises, figures, ip, facts */
    int64_t job_id;
    int64_t enterprise_id;
} ConflictFilter;

/* One page (limit 0: all, up to IMPORT_CONFLICT_EXPORT_MAX) of conflicts
 * of enterprises in a's scope, newest first: id, job_id, kind,
 * enterprise_id, uscc, enterprise_name, year, field, column, row,
 * existing {value, src_kind, src_user_id, src_ref, verified}, incoming
 * {value, job_id}, status, resolution, resolved_by, resolved_at,
 * created_at. *items: new array. */
int import_conflict_list(Db *db, const Actor *a, const ConflictFilter *f,
                         int64_t offset, int64_t limit, json_t **items,
                         int64_t *total, Err *e);

/* Resolve conflict id: "keep" leaves the stored value, "incoming" writes
 * the imported value with the import's provenance (field override,
 * resolved by a). One transaction with its audit entry
 * ("import.conflict.resolve"). ERR_NOTFOUND outside a's scope,
 * ERR_CONFLICT when already resolved. */
int import_conflict_resolve(Db *db, const Actor *a, int64_t id,
                            const char *resolution, Err *e);

#endif
