/* carrier_import.h - imports of carriers, tenancies, platforms, talent
 * counts and listing candidates from CSV / XLSX files (read by the import
 * readers of domain/import.h), with templates whose columns are the ones read.
 *
 * The first row holds the column titles (any order; unknown titles are
 * reported and ignored). Rows are validated and written by the same
 * domain calls as the API (carrier_create, carrier_tenant_add,
 * platform_create, talent_counts_put, listing_put), all in ONE
 * transaction: any row with an error, and nothing is written (every error
 * is reported "第 N 行「列」：message"). A dry run validates the same way
 * and always rolls back. A tenancy row names its carrier by name and its
 * enterprise by 统一社会信用代码; rows are applied in file order, so the
 * overlap rule also holds between rows of one file.
 * Uses: base, db, domain accounts, import (import.h), enterprise library
 * (ent.h), carrier (carrier.h, platform.h, people.h). */
#ifndef KC_DOMAIN_CARRIER_CARRIER_IMPORT_H
#define KC_DOMAIN_CARRIER_CARRIER_IMPORT_H

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define CARRIER_IMPORT_MAX_ROWS 20000
#define CARRIER_IMPORT_MAX_ERRORS 200

/* The zh-CN name of an import kind ("carriers", "tenants", "platforms",
 * "talent_counts", "listing"), else NULL. */
const char *carrier_import_kind_name(const char *kind);

/* [{"value", "label"}] of the import kinds, in this order (GET
 * /reference/carriers; a new reference, caller decrefs). */
json_t *carrier_import_kinds_json(void);

/* Import the file at path. *report (new reference): {kind, rows, written,
 * dry_run, errors: [{row, column, message}], ignored_columns}. Returns 0
 * when the file was read (with or without row errors: see
 * report.errors; nothing is written when there are any), else an ERR_*
 * code for an unreadable file, an unknown kind or too many rows. */
int carrier_import_file(Db *db, const Actor *a, const char *kind,
                        const char *path, int dry_run, json_t **report, Err *e);

/* The template of kind as CSV (UTF-8 with BOM; format 1) or XLSX (format
 * 2), appended to out. */
int carrier_import_template(const char *kind, int format, Buf *out, Err *e);

#endif
