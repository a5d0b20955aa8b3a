/* share.h - sharing records of the 创新资源库: one use of a large
 * instrument or a lab (a market item of kind resource, subkind instrument
 * or lab) by an enterprise of the library: dates, hours, fee in 元,
 * purpose. A record belongs to the user enterprise's unit (data scope);
 * records are added and retired with a reason, each audited
 * (resource_use.*). Lists per resource and overall, export, totals per
 * year. Notes: docs/internals/market.md. */
#ifndef KC_DOMAIN_MARKET_SHARE_H
#define KC_DOMAIN_MARKET_SHARE_H

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define SHARE_EXPORT_MAX 100000

typedef struct ShareInput {
    int64_t resource_id;
    int64_t ent_id;
    const char *used_from;
    const char *used_to; /* NULL or "": the same day */
    const char *hours;   /* decimal text, one decimal at most */
    const char *fee;     /* 元 text */
    const char *purpose;
} ShareInput;

/* Record a use (ERR_INVALID naming the field in zh-CN: the resource must be
 * an instrument or a lab, the enterprise in a's scope, used_to >= used_from,
 * 0 <= hours <= 24 a day, fee >= 0). */
int share_create(Db *db, const Actor *a, const ShareInput *in, int64_t *id_out,
                 Err *e);

/* Retire record id with reason. */
int share_retire(Db *db, const Actor *a, int64_t id, const char *reason,
                 Err *e);

int share_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

typedef struct ShareFilter {
    int64_t resource_id; /* 0: all */
    int64_t ent_id;      /* 0: all */
    int64_t year;        /* 0: all (year of used_from) */
} ShareFilter;

int share_list(Db *db, const Actor *a, const ShareFilter *f, int64_t offset,
               int64_t limit, json_t **items, int64_t *total, Err *e);

/* [{year, uses, hours, fee}] per year of used_from, newest first. */
int share_totals(Db *db, const Actor *a, const ShareFilter *f, json_t **out,
                 Err *e);

/* Import a CSV/XLSX of uses (header found in the first 20 rows by the
 * export's titles — 资源名称, 所属单位（资源）, 使用企业, 开始日期, 结束日期,
 * 使用时长（小时）, 收费（元）, 用途 — plus an optional
 * 使用企业统一社会信用代码): the resource is the one open instrument or lab of
 * that name (and holder), the enterprise the one with that USCC, else that
 * current name; each row checked as share_create does. Dry run, all or nothing,
 * or valid rows only, in one transaction with one audit entry
 * ("resource_use.import"). *report: {summary: {rows, valid, invalid,
 * inserted}, errors: [{row, column, field, message}] (at most
 * SHARE_IMPORT_ERRORS_KEPT), errors_total, header_row, applied}. */
#define SHARE_IMPORT_ERRORS_KEPT 500
int share_import_file(Db *db, const Actor *a, const char *path, int apply,
                      int valid_only, json_t **report, Err *e);

/* The import's header row as CSV (UTF-8 with BOM). */
int share_import_template_csv(Buf *out, Err *e);

#define SHARE_EXPORT_COLS 9
extern const char *const share_export_titles[SHARE_EXPORT_COLS];
typedef int (*ShareRowFn)(void *ud, const char *const *cells, Err *e);
int share_export(Db *db, const Actor *a, const ShareFilter *f, ShareRowFn fn,
                 void *ud, Err *e);

#endif
