/* mk_list.c - one page of a market list; see mk_list.h. */
#include "domain/market/mk_list.h"

int mk_list_page(Db *db, Sqlq *count, Sqlq *rows, MkRowJson row, json_t **items,
                 int64_t *total, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *items = NULL;
    *total = 0;
    rc = sqlq_prepare(count, db, &st, e);
    if (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        *total = db_col_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    st = NULL;
    if (rc) {
        goto out;
    }
    rc = sqlq_prepare(rows, db, &st, e);
    *items = json_array();
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(*items, row(st));
        rc = 0;
    }
    rc = rc == DB_DONE ? 0 : rc;
out:
    db_finalize(st);
    sqlq_release(count);
    sqlq_release(rows);
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}
