/* api_items.h - the one list answer of the capability handlers whose
 * domain returns a JSON array of objects (policy, plan, carrier, pipeline,
 * service-log lists): the list envelope of ctx_page_json, or, for
 * ?format=csv|xlsx, the same rows as a file with the columns' Chinese
 * names (DESIGN.md §6, §7; docs/internals/http.md).
 *
 *     static const ApiItemCol cols[] = {
 *         {"name", "企业名称", API_COL_TEXT},
 *         {"amount", "金额（万元）", API_ITEMS_YUAN},  // 元 in the item
 *     };
 *     ... the domain fills items (and total for a paged list) ...
 *     return api_items_reply(c, items, total, &page, cols, N, "政策申请", e);
 *
 * The filters, the scope and the paging stay in the domain query (sqlq);
 * a paged list exports every row: pass page size API_ITEMS_EXPORT_ALL
 * (or the domain's own cap) when api_items_format says a file is asked
 * for. */
#ifndef KC_API_API_ITEMS_H
#define KC_API_API_ITEMS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "http/ctx.h"

typedef struct ApiItemCol {
    const char *key;    /* key of the item objects; "a.b" a member of the
                           object a; "#" the row number (1 ..) */
    const char *title;  /* column title (zh-CN) */
    unsigned char kind; /* API_COL_*, or API_ITEMS_YUAN */
} ApiItemCol;

/* Column kind of an integer member in 元, written as 万元 (API_COL_WAN). */
#define API_ITEMS_YUAN 100

/* Answer with the file "<name>-YYYYMMDD.csv|xlsx" holding one row per
 * item of items: integers as numbers, booleans 是/否, arrays of strings
 * joined with "；", null empty. The request's ?columns= chooses columns
 * as in api_export_begin_cols. items is borrowed. */
int api_items_export(Ctx *c, int format, const json_t *items,
                     const ApiItemCol *cols, size_t n_cols, const char *name,
                     Err *e);

/* Answer a list: without ?format= the envelope {items, total[, page,
 * page_size]} (p NULL: an unpaged list whose total is its length, total
 * ignored); with ?format=csv|xlsx the file of api_items_export. Steals
 * items (also on failure). */
int api_items_reply(Ctx *c, json_t *items, int64_t total, const Page *p,
                    const ApiItemCol *cols, size_t n_cols, const char *name,
                    Err *e);

#endif
