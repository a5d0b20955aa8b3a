/* qual_import.h - import of published lists (认定名单 / 入库名单) into the
 * qualifications register.
 *
 * A list is XLSX or CSV (UTF-8 or GBK/GB18030; the import machinery's
 * reader, domain/import.h import_file_rows) with at least the enterprise
 * name and a certificate number or a date; the header row may lie below
 * title rows. Each row is matched to an enterprise in the actor's scope
 * by 统一社会信用代码 when the list has one, else by current name, else by
 * former name (enterprise_names); names are compared with half- and
 * full-width parentheses alike. Rows that match no enterprise or several
 * are listed for a person to resolve (pick the enterprise or skip).
 *
 * qual_import_check reads the file and stores the rows with their
 * matches (table qual_imports); nothing is written to the register.
 * qual_import_apply writes the matched and resolved rows in one
 * transaction with one audit entry ("qual.import"); a row that is
 * invalid refuses the whole apply. */
#ifndef KC_DOMAIN_QUAL_QUAL_IMPORT_H
#define KC_DOMAIN_QUAL_QUAL_IMPORT_H

#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define QUAL_IMPORT_MAX_ROWS 50000 /* data rows of one list */

/* Read the list at path for kind (a qualification kind code) and batch
 * (may be NULL), match its rows and store them. *out: {id, kind, batch,
 * file_name, status, header_row, summary {rows, matched, ambiguous,
 * unmatched, invalid, exists}, rows: [{row, sheet, name, uscc, cert_no, date,
 * batch, status, matched_by, enterprise_id, enterprise_name,
 * candidates, message}]} (new reference). A file that cannot be read or
 * has no header row is ERR_INVALID naming "file". */
int qual_import_check(Db *db, const Actor *a, const char *kind,
                      const char *batch, const char *path,
                      const char *file_name, json_t **out, Err *e);

/* The stored import id as qual_import_check returned it (ERR_NOTFOUND
 * when another user's outside a's scope). */
int qual_import_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* Write import id. resolutions (may be NULL): JSON array of {row,
 * enterprise_id} (pick) or {row, skip: true}; unresolved ambiguous and
 * unmatched rows are skipped. Rows already registered with the same
 * number for the same enterprise are skipped. ERR_CONFLICT when already
 * applied; ERR_INVALID naming "rows" when a row is invalid. *out: the
 * import with summary {inserted, skipped}. */
int qual_import_apply(Db *db, const Actor *a, int64_t id, json_t *resolutions,
                      json_t **out, Err *e);

/* qual_import_apply for the import checked, the object qual_import_check
 * just returned (kechuang import qualifications): its rows are written as
 * they are in memory, not read back from the stored import; the stored
 * import is checked for scope, kind and status as by qual_import_apply.
 * checked is updated in place (status, applied_at, summary {inserted,
 * skipped}; header_row removed) and *out is a new reference to it, the
 * same object qual_import_apply gives. */
int qual_import_apply_checked(Db *db, const Actor *a, json_t *checked,
                              json_t *resolutions, json_t **out, Err *e);

/* The checked list as C structs (kechuang import qualifications works on
 * it without JSON; qual_import_list_json gives the JSON the functions
 * above give). Strings live in the list's arena; NULL = no value (JSON
 * null). */
typedef struct QualImportCand {
    int64_t id;
    const char *name, *uscc, *unit_name;
} QualImportCand;

typedef struct QualImportRow {
    int64_t row;       /* line of the file (of its sheet) */
    const char *sheet; /* the sheet, when the workbook has several */
    const char *name, *uscc, *cert_no, *date, *batch, *valid_to;
    const char *status;     /* matched ambiguous unmatched invalid exists */
    const char *matched_by; /* uscc, name, former_name or NULL */
    int64_t enterprise_id;  /* 0 = none */
    const char *enterprise_name;
    const char *message;
    QualImportCand *cands;
    size_t n_cands;
} QualImportRow;

typedef struct QualImportList {
    Arena arena;
    int64_t id;
    char kind[32];
    const char *batch; /* of the whole list; NULL = none */
    const char *file_name;
    const char *status; /* "checked" or "applied" */
    long header_row;
    char applied_at[CLOCK_ISO_LEN]; /* once applied */
    int64_t inserted, skipped;      /* once applied */
    QualImportRow *rows;
    size_t n, cap;
} QualImportList;

/* qual_import_check into a list (free with qual_import_list_free). */
int qual_import_check_list(Db *db, const Actor *a, const char *kind,
                           const char *batch, const char *path,
                           const char *file_name, QualImportList **out, Err *e);

/* qual_import_apply_checked for the list qual_import_check_list gave:
 * on success l is marked applied (status, applied_at, inserted,
 * skipped). */
int qual_import_apply_list(Db *db, const Actor *a, QualImportList *l,
                           json_t *resolutions, Err *e);

/* l as JSON, the object qual_import_check (or, once applied,
 * qual_import_apply_checked) gives (new reference). */
json_t *qual_import_list_json(const QualImportList *l);

void qual_import_list_free(QualImportList *l);

/* Column titles of the template, in order. */
const char *const *qual_import_template_titles(int *n);

#endif
