/* api_items.c - JSON list answers and exports (see api_items.h). */
#include "api/api_items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_export.h"
#include "base/buf.h"
#include "base/money.h"

#define API_ITEMS_MAX_COLS 40
#define API_ITEMS_CELL_MAX 256 /* bytes of a joined array or 万元 cell */

/* The member of item named by key ("a.b": member b of object a). */
static json_t *api_items_member(const json_t *item, const char *key)
{
    const char *dot = strchr(key, '.');
    char head[64];
    size_t n;

    if (!dot) {
        return json_object_get(item, key);
    }
    n = (size_t)(dot - key);
    if (n >= sizeof head) {
        return NULL;
    }
    memcpy(head, key, n);
    head[n] = '\0';
    return json_object_get(json_object_get(item, head), dot + 1);
}

/* The text of one cell: a pointer into the item, or into buf (cap bytes);
 * NULL for an empty cell. row is the 0-based row number. */
static const char *api_items_cell(const json_t *item, size_t row,
                                  const ApiItemCol *col, char *buf, size_t cap)
{
    json_t *v;

    if (strcmp(col->key, "#") == 0) {
        snprintf(buf, cap, "%zu", row + 1);
        return buf;
    }
    v = api_items_member(item, col->key);
    if (json_is_string(v)) {
        return json_string_value(v);
    }
    if (json_is_integer(v) && col->kind == API_ITEMS_YUAN) {
        Buf b;
        char *s;

        buf_init(&b, 64);
        money_format_wan(json_integer_value(v), &b);
        s = buf_detach(&b, NULL);
        snprintf(buf, cap, "%s", s ? s : "");
        free(s);
        return buf;
    }
    if (json_is_integer(v)) {
        snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_boolean(v)) {
        return json_is_true(v) ? "是" : "否";
    }
    if (json_is_array(v)) {
        size_t j, off = 0;
        json_t *s;

        buf[0] = '\0';
        json_array_foreach(v, j, s)
        {
            if (json_is_string(s) && off < cap - 1) {
                off += (size_t)snprintf(buf + off, cap - off, "%s%s",
                                        off ? "；" : "", json_string_value(s));
            }
        }
        return buf;
    }
    return NULL;
}

int api_items_export(Ctx *c, int format, const json_t *items,
                     const ApiItemCol *cols, size_t n_cols, const char *name,
                     Err *e)
{
    const char *titles[API_ITEMS_MAX_COLS], *keys[API_ITEMS_MAX_COLS];
    unsigned char kinds[API_ITEMS_MAX_COLS];
    char text[API_ITEMS_MAX_COLS][API_ITEMS_CELL_MAX];
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
        kinds[k] = cols[k].kind == API_ITEMS_YUAN ? API_COL_WAN : cols[k].kind;
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
            cells[k] = api_items_cell(it, i, &cols[k], text[k], sizeof text[k]);
        }
        rc = api_export_row(&x, cells, e);
        if (rc) {
            api_export_release(&x);
            return rc;
        }
    }
    return api_export_reply(c, &x, name, e);
}

int api_items_reply(Ctx *c, json_t *items, int64_t total, const Page *p,
                    const ApiItemCol *cols, size_t n_cols, const char *name,
                    Err *e)
{
    int format = 0;
    int rc = api_export_format(c, &format, e);

    if (rc) {
        json_decref(items);
        return rc;
    }
    if (!format) {
        return p ? ctx_reply_page(c, items, total, p)
                 : ctx_reply_list(c, items);
    }
    rc = api_items_export(c, format, items, cols, n_cols, name, e);
    json_decref(items);
    return rc;
}
