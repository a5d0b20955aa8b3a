/* service_import.h - import of service logs (走访/座谈/电话/培训/政策宣讲)
 * from a CSV or XLSX file: one row per enterprise of an event, with its
 * ask (诉求) if any. Rows with the same type, date and title are one log
 * (a training's attendance). All or nothing: any row error and nothing is
 * written; every error names its row and column in zh-CN. See
 * docs/internals/pipeline.md. */
#ifndef KC_DOMAIN_CULTIVATION_SERVICE_IMPORT_H
#define KC_DOMAIN_CULTIVATION_SERVICE_IMPORT_H

#include <jansson.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define SERVICE_IMPORT_ROWS_MAX 5000 /* data rows of one file */
#define SERVICE_IMPORT_ERRORS 200    /* errors listed */

/* The template's column titles (n of them). */
const char *const *service_import_titles(int *n);

/* Check the file at path (CSV or XLSX) and, with apply and no error, write
 * every log with its enterprises and asks in one transaction (each log
 * audited "service.log_create"). *out: {file_name, header_row, rows,
 * logs, enterprises, asks, errors: [{row, column, message}], errors_total,
 * applied, log_ids}. A file without the header, or empty, is ERR_INVALID
 * naming "file". Rows in error are not ERR_*: they are listed (applied
 * false). */
int service_import(Db *db, const Actor *a, const char *path,
                   const char *file_name, int apply, json_t **out, Err *e);

#endif
