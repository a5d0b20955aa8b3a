/* catalogue.h - the bureau's catalogue of restricted / eliminated /
 * prohibited industries (table industry_catalogue, migration 018) and the
 * rule input it derives.
 *
 * An entry names a GB/T 4754 industry code (matched as a prefix of the
 * enterprise's 行业代码), its class (限制类, 淘汰类 of 产业结构调整指导目录
 * （2024年本）; 禁止类 of 市场准入负面清单), the item text, the source
 * document and its 文号, and whether mapping the item to the code is the
 * bureau's own reading (unverified). An enterprise whose code matches an
 * entry has prohibited_industry = 1 on both evaluation paths (elig.c,
 * snapshot.c), over a declared 否, which is then shown as a conflict; no
 * match derives nothing (the catalogue lists products and processes, not
 * whole industries), so the declaration decides, else the input is unknown.
 *
 * The catalogue is filled by importing a CSV/XLSX file (template below): all
 * rows or none, one audit entry "catalogue.import"; rows are upserted by
 * (行业代码, 类别, 目录条目). Uses: base, db, accounts, io (import.h),
 * library (industry.h). */
#ifndef KC_DOMAIN_CATALOGUE_H
#define KC_DOMAIN_CATALOGUE_H

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define CATALOGUE_MAX_ROWS 20000
#define CATALOGUE_MAX_ERRORS 200

/* zh-CN name of a class code (restricted, eliminated, prohibited). */
const char *catalogue_class_name(const char *code);

/* Every entry as {items: [{id, code, class, class_name, item, source,
 * doc_no, unverified, note, updated_at}], total}, ordered by code. */
int catalogue_list(Db *db, json_t **out, Err *e);

/* The entries as CSV (UTF-8 with BOM, the template's columns; imports
 * again unchanged), appended to out. */
int catalogue_export_csv(Db *db, Buf *out, Err *e);

/* The template as CSV (format 1) or XLSX (format 2). */
int catalogue_template(int format, Buf *out, Err *e);

/* Import the file at path (see above). *report: {rows, inserted, updated,
 * unchanged, dry_run, errors: [{row, column, message}], ignored_columns}.
 * 0 when the file was read (nothing written when report.errors is not
 * empty). Only admin and staff (the CLI acts as admin) may import
 * (ERR_FORBIDDEN). */
int catalogue_import_file(Db *db, const Actor *a, const char *path, int dry_run,
                          json_t **report, Err *e);

/* The first entry (by code length, longest first, then id) matching the
 * enterprise's 行业代码: *has 0 when none; else *text (caller frees) the
 * entry as an explanation names it. */
int catalogue_match(Db *db, int64_t enterprise_id, int *has, char **text,
                    Err *e);

/* Call fn for every enterprise with a matching entry (any order); ids
 * (may be NULL: all) limits it to the enterprises listed ("1,2,3"). */
int catalogue_scan(Db *db, const char *ids,
                   void (*fn)(void *ud, int64_t enterprise_id), void *ud,
                   Err *e);

#endif
