/* contract_import.h - import of technology-contract registers as the
 * registration offices export them (XLSX, or CSV in UTF-8 or GBK).
 *
 * The file is read through the library import's reader
 * (import_file_rows: encodings, XLSX dates). The header row is searched in
 * the first CONTRACT_IMPORT_HEADER_SCAN rows by known column titles and
 * their usual variants; amounts are in 万元 or 元 as the amount columns'
 * titles say (no unit: 万元, with a warning). Totals rows (合计 / 总计 /
 * 小计) and the notes below them are ignored. Rows are de-duplicated by
 * registration number: the same content again changes nothing, a changed
 * content becomes an amendment event; the same number twice in one file
 * with different content is an error. Amounts above 10 亿元 are errors
 * unless the import confirms them (then warnings).
 *
 * Everything runs in one write transaction: a dry run or an all-or-nothing
 * import with invalid rows rolls back; otherwise one audit entry
 * ("contract.import") commits with the rows. */
#ifndef KC_DOMAIN_MARKET_CONTRACT_IMPORT_H
#define KC_DOMAIN_MARKET_CONTRACT_IMPORT_H

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define CONTRACT_IMPORT_HEADER_SCAN 20
#define CONTRACT_IMPORT_ROWS_MAX 1000000L
#define CONTRACT_IMPORT_ERRORS_KEPT 500

typedef struct ContractImportOpts {
    int apply;         /* 0: dry run */
    int valid_only;    /* 1: write the valid rows; 0: all or nothing */
    int confirm_large; /* amounts above 10 亿元 confirmed */
    const char *file_name;
} ContractImportOpts;

/* Import the file at path for actor a. *report (new reference, also on
 * ERR_INVALID for invalid rows) = {summary: {rows, valid, invalid,
 * inserted, amended, unchanged, ignored}, errors: [{row, column, field,
 * message}], errors_total, warnings: [{code, row, reg_no, message}],
 * header_row, amount_unit, ignored_columns, applied, import_id}.
 * A file that cannot be read or has no recognisable header: ERR_INVALID
 * with *report NULL. All-or-nothing with invalid rows: ERR_INVALID ("有 N
 * 行…"), nothing written. */
int contract_import_file(Db *db, const Actor *a, const char *path,
                         const ContractImportOpts *o, json_t **report, Err *e);

/* The import template (the export's columns) as CSV with BOM. */
int contract_import_template_csv(Buf *out, Err *e);

#endif
