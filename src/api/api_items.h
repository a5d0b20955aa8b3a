/* api_items.h - export a list that the domain returns as a JSON array of
 * objects (the pipeline and service-log lists) as CSV or XLSX, one column
 * per listed key. */
#ifndef KC_API_API_ITEMS_H
#define KC_API_API_ITEMS_H

#include <jansson.h>
#include <stddef.h>

#include "http/ctx.h"

typedef struct ApiItemCol {
    const char *key;    /* key of the item objects */
    const char *title;  /* column title (zh-CN) */
    unsigned char kind; /* API_COL_* */
} ApiItemCol;

/* Answer with the file "<name>-YYYYMMDD.csv|xlsx" holding one row per
 * item of items: integers as numbers, booleans 是/否, null empty. The
 * request's ?columns= chooses columns as in api_export_begin_cols. */
int api_items_export(Ctx *c, int format, const json_t *items,
                     const ApiItemCol *cols, size_t n_cols, const char *name,
                     Err *e);

#endif
