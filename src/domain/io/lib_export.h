/* lib_export.h - exports of the enterprise library with the import templates'
 * columns (columns.h): enterprises, yearly figures, IP rights and facts of the
 * units in the actor's scope, walked row by row (constant memory).
 *
 * Cells are the template's text (money as exact 万元, enums by their zh-CN
 * names), so an exported file, edited and imported, round-trips. Files:
 * CSV in UTF-8 with BOM or GB18030 (GBK-compatible, what older Excel opens
 * by default), formula-like text neutralised with an apostrophe (which the
 * importer removes again); XLSX with a styled, frozen header, money as
 * numbers in 万元 and dates as dates. */
#ifndef KC_DOMAIN_LIB_EXPORT_H
#define KC_DOMAIN_LIB_EXPORT_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/io/columns.h"

enum { LIB_EXPORT_CSV = 1, LIB_EXPORT_XLSX = 2, LIB_EXPORT_CSV_GBK = 3 };

/* One exported row: cells[i] is the text of k->cols[i] (never NULL; ""
 * when empty); ints[i]/has_int[i] the stored integer of integer columns
 * (money in 元). Valid during the callback only. */
typedef struct LibExportRow {
    const char *const *cells;
    const int64_t *ints;
    const unsigned char *has_int;
} LibExportRow;

/* Return 0 to go on, else an ERR_* code that stops the walk. */
typedef int (*LibExportFn)(void *ud, const LibExportRow *row);

/* Walk the rows of kind k visible to a (unit_id > 0: that unit and the
 * units below it; ERR_NOTFOUND when it is not in a's scope), in a stable
 * order. Retired enterprises (and everything of theirs) and retired IP
 * rights and facts are left out, as in the lists by default, so that an
 * exported file imports again without errors. ERR_TOOBIG before the first row
 * when max_rows > 0 and more rows match. */
int lib_export_walk(Db *db, const Actor *a, const ColumnKind *k,
                    int64_t unit_id, int64_t max_rows, LibExportFn fn, void *ud,
                    Err *e);

/* Count the rows lib_export_walk would give. */
int lib_export_count(Db *db, const Actor *a, const ColumnKind *k,
                     int64_t unit_id, int64_t *n, Err *e);

/* Export kind k to the file at path in format (LIB_EXPORT_*). *rows_out (may
 * be NULL) gets the number of data rows. */
int lib_export_file(Db *db, const Actor *a, const ColumnKind *k, int format,
                    int64_t unit_id, int64_t *rows_out, const char *path,
                    Err *e);

/* One page of kind k as JSON objects keyed by column key (text cells as
 * in the file, integers as numbers). *items: new array. */
int lib_export_page(Db *db, const Actor *a, const ColumnKind *k,
                    int64_t unit_id, int64_t offset, int64_t limit,
                    json_t **items, int64_t *total, Err *e);

#endif
