/* pipe_rows.h - read result rows into JSON objects keyed by column name,
 * shared by the pipeline and the service log (which list many small
 * records whose columns are plain integers and text). */
#ifndef KC_DOMAIN_PIPELINE_PIPE_ROWS_H
#define KC_DOMAIN_PIPELINE_PIPE_ROWS_H

#include <jansson.h>

#include "base/err.h"
#include "db/db.h"

/* Step st to the end, appending one object per row to arr. types has one
 * letter per column: 'i' integer, 't' text, 'b' boolean (0/1); an SQL NULL
 * becomes null. Returns 0 or the step's ERR_* code. Allocates the objects
 * (owned by arr). */
int pipe_rows_json(DbStmt *st, const char *types, json_t *arr, Err *e);

/* The first row of st as such an object in *out (new reference), or
 * ERR_NOTFOUND with msg (field "id") when there is none. */
int pipe_row_json(DbStmt *st, const char *types, json_t **out, const char *msg,
                  Err *e);

/* Bytes of a LIKE pattern made by pipe_like (a search text of at most
 * PIPE_LIKE_MAX / 2 - 2 bytes fits). */
#define PIPE_LIKE_MAX 512

/* "%q%" with the wildcards % _ and the escape \ of q escaped by \ (for
 * "LIKE $n ESCAPE '\'", the portable substring test), into out; a text
 * too long is cut (on a byte: the caller caps q first). */
void pipe_like(const char *q, char out[PIPE_LIKE_MAX]);

#endif
