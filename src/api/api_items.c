/* api_items.c - JSON list exports (see api_items.h). */
#include "api/api_items.h"

#include <stdio.h>
#include <string.h>

#include "api/api_export.h"

#define API_ITEMS_MAX_COLS 40

int api_items_export(Ctx *c, int format, const json_t *items,
                     const ApiItemCol *cols, size_t n_cols, const char *name,
                     Err *e)
{
    const char *titles[API_ITEMS_MAX_COLS], *keys[API_ITEMS_MAX_COLS];
    unsigned char kinds[API_ITEMS_MAX_COLS];
    char nums[API_ITEMS_MAX_COLS][32];
    const char *cells[API_ITEMS_MAX_COLS];
    ApiExport x;
    json_t *it;
    size_t i, k;
    int rc;

    if (n_cols > API_ITEMS_MAX_COLS) {
        return err_set(e, ERR_INTERNAL, NULL, "服务器内部错误");
    }
    for (k = 0; k < n_cols; k++) {
        titles[k] = cols[k].title;
        keys[k] = cols[k].key;
        kinds[k] = cols[k].kind;
    }
    rc = api_export_begin_cols(&x, c, format, keys, titles, kinds, n_cols, name,
                               e);
    if (rc) {
        api_export_release(&x);
        return rc;
    }
    json_array_foreach(items, i, it)
    {
        for (k = 0; k < n_cols; k++) {
            json_t *v = json_object_get(it, cols[k].key);
            cells[k] = NULL;
            if (json_is_string(v)) {
                cells[k] = json_string_value(v);
            } else if (json_is_integer(v)) {
                snprintf(nums[k], sizeof nums[k], "%lld",
                         (long long)json_integer_value(v));
                cells[k] = nums[k];
            } else if (json_is_boolean(v)) {
                cells[k] = json_is_true(v) ? "是" : "否";
            }
        }
        rc = api_export_row(&x, cells, e);
        if (rc) {
            api_export_release(&x);
            return rc;
        }
    }
    return api_export_reply(c, &x, name, e);
}
