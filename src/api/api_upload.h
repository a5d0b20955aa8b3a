/* api_upload.h - the uploaded file of an import request as a path the
 * import reader can open: the request's spooled file when the server wrote
 * the body to disk, else the in-memory body written to a private file in
 * the staging directory beside the database (import_stage_dir). */
#ifndef KC_API_API_UPLOAD_H
#define KC_API_API_UPLOAD_H

#include <stddef.h>

#include "api/api.h"

typedef struct ApiUpload {
    const char *path; /* the file to read */
    char tmp[600];    /* a staged copy to remove, or "" */
} ApiUpload;

/* The upload of c as u->path. ERR_INVALID ("file", 上传的文件为空) for an
 * empty body, ERR_IO when it cannot be staged; prefix names the staged
 * copy ("share" gives share-XXXXXX). Call api_upload_release after use. */
int api_upload_open(Ctx *c, const char *prefix, ApiUpload *u, Err *e);

/* Remove the staged copy (if any). */
void api_upload_release(ApiUpload *u);

/* mode=all|valid of the query: *valid_only 1 for valid (absent: all). */
int api_upload_mode(Ctx *c, int *valid_only, Err *e);

/* An import whose reader takes the file, whether to apply and whether to
 * write the valid rows only, and gives its report. */
typedef int (*ApiImportFn)(Db *db, const Actor *a, const char *path, int apply,
                           int valid_only, json_t **report, Err *e);

/* The request as such an import: dry_run=false|0 applies (anything else,
 * or none, only checks), mode=all|valid; replies 200 with the report. */
int api_upload_import(Ctx *c, const char *prefix, ApiImportFn fn, Err *e);

/* Reply with the CSV template fill writes, as download file_name. */
int api_upload_template(Ctx *c, int (*fill)(Buf *out, Err *e),
                        const char *file_name, Err *e);

#endif
