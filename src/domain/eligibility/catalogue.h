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
 * (行业代码, 类别, 目录条目). An entry is deleted one at a time with a
 * reason (catalogue_delete); there is no retired state. Uses: base, db,
 * accounts, io (import.h), library (industry.h). */
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

/* The classes as [{code, name}] (a new array), for GET
 * /reference/enterprise: the catalogue page's filter. */
json_t *catalogue_classes_json(void);

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

/* Filters of the paged list and the export: class is a class code or its
 * zh-CN name ("限制类"); code a 行业代码 prefix (a 门类 letter, or a code
 * industry_normalize accepts: "C33" lists C33, C331 and C3311). NULL or
 * "" means any. */
typedef struct CatalogueFilter {
    const char *klass;
    const char *code;
} CatalogueFilter;

/* Normalise f in place (the buffers hold the normalised values and must
 * outlive f's use): ERR_INVALID naming "class" or "code" when a value is
 * not one of the above. */
int catalogue_filter_check(CatalogueFilter *f, char klass[16], char code[8],
                           Err *e);

/* One page of the entries matching f (checked), ordered by code, class,
 * item: *items [{id, code, class, class_name, item, source, doc_no,
 * unverified, note, updated_at, enterprises}] and *total (all matching
 * entries). enterprises is the number of enterprises of the library (not
 * retired, in a's data scope) whose 行业代码 the entry matches now: one
 * grouped query over the enterprises grouped by code. */
int catalogue_list_page(Db *db, const Actor *a, const CatalogueFilter *f,
                        int64_t offset, int64_t limit, json_t **items,
                        int64_t *total, Err *e);

/* The entries matching f (NULL: all) as a file in the template's columns
 * (imports again unchanged): CSV (format 1, UTF-8 with BOM) or XLSX
 * (format 2, sheet 行业目录), appended to out. */
int catalogue_export(Db *db, const CatalogueFilter *f, int format, Buf *out,
                     Err *e);

/* Delete entry id with a reason (required, at most 200 characters; its
 * text trimmed), in one transaction with the audit entry
 * "catalogue.delete" (before: the entry and how many enterprises of the
 * whole library it matched; after: the reason). Only admin and staff
 * (ERR_FORBIDDEN); an unknown id is ERR_NOTFOUND naming "id". Verdicts
 * already stored (decision lists of past screenings) stay as they were:
 * the next evaluation or screening derives prohibited_industry without
 * the entry, and a saved screening snapshot is stale from the audit entry
 * on (snapshot_fresh: every action but the harmless ones counts).
 * *matched (may be NULL) gets the number of enterprises it matched. */
int catalogue_delete(Db *db, const Actor *a, int64_t id, const char *reason,
                     int64_t *matched, Err *e);

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
