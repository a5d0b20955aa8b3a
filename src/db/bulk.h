/* bulk.h - bulk-load mode for one large write into one table (SQLite).
 *
 * Maintaining a secondary index row by row costs a random B-tree descent
 * per row; building it after the rows are in costs one sort. When a write
 * adds or changes about as many rows as the table holds, the caller opens
 * a Bulk inside its transaction: the table's chosen secondary indexes
 * (and named triggers) are dropped, and bulk_end() recreates them from the
 * SQL they were created with, before the caller commits. Other connections
 * never see the schema without them (the drop is part of the uncommitted
 * transaction); a rollback or a crash restores them as well. Backends
 * other than SQLite: bulk_begin() does nothing and bulk_end() succeeds. */
#ifndef KC_DB_BULK_H
#define KC_DB_BULK_H

#include "base/err.h"
#include "db/db.h"

typedef struct Bulk Bulk;

/* Drop the secondary indexes of table (not those of UNIQUE or PRIMARY KEY
 * constraints), except an index whose first column is keep_leading (NULL:
 * none kept); when cols is non-NULL (NULL-terminated), only the indexes
 * that contain one of those columns. *out is NULL when nothing is to be
 * done. Needs an open write transaction. */
int bulk_begin(Db *db, const char *table, const char *keep_leading,
               const char *const *cols, Bulk **out, Err *e);
/* Also drop trigger name (kept for bulk_end); b may be from bulk_begin or
 * NULL, in which case one is made. */
int bulk_drop_trigger(Db *db, Bulk **b, const char *name, Err *e);
/* Recreate everything dropped, in order, and free b (NULL: nothing). On
 * an error the caller must roll back. */
int bulk_end(Db *db, Bulk *b, Err *e);
/* Free without recreating (the caller rolls back). */
void bulk_free(Bulk *b);

#endif
