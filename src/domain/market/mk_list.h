/* mk_list.h - one page of a market list (matchmaking events, sharing
 * records): the total from a count query and the page's rows from a
 * second query, each row made JSON by the caller's function. */
#ifndef KC_DOMAIN_MK_LIST_H
#define KC_DOMAIN_MK_LIST_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "db/sqlq.h"

/* The JSON of the current row of st (a new reference). */
typedef json_t *(*MkRowJson)(DbStmt *st);

/* Runs count (a SELECT COUNT(*) with the list's filter) into *total and
 * rows (the filtered page, ordered and limited) into *items, a new array
 * of row(st) per row; releases both queries whatever happens. On failure
 * *items is NULL. */
int mk_list_page(Db *db, Sqlq *count, Sqlq *rows, MkRowJson row, json_t **items,
                 int64_t *total, Err *e);

#endif
