/* db.h - the storage interface. Opaque Db and DbStmt; no backend type leaks.
 *
 * SQL is written once with $1, $2 ... placeholders in a portable subset
 * (RETURNING instead of last-insert-id, TEXT/BIGINT columns, ISO-8601 UTC
 * timestamps stored as TEXT). Values are always bound, never formatted into
 * SQL. The backend is chosen by the location string given to db_open:
 * a file path (SQLite, db_sqlite.c) or "postgres://..." / "postgresql://..."
 * (PostgreSQL over libpq, db_pg.c). Everything that differs between the
 * two is behind this header (docs/internals/db.md).
 *
 * A Db is one connection and is used by one thread at a time. */
#ifndef KC_DB_DB_H
#define KC_DB_DB_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct Db Db;
typedef struct DbStmt DbStmt;

/* db_step results besides ERR_* codes */
enum { DB_ROW = 100, DB_DONE = 101 };

/* Open (creating if needed) the database at location. SQLite: sets WAL,
 * foreign keys and a busy timeout. PostgreSQL: connects (the database must
 * exist). *out is NULL on failure. */
int db_open(Db **out, const char *location, Err *e);
void db_close(Db *db);
/* Whether location names a PostgreSQL database (postgres:// or
 * postgresql://, a libpq connection URI). */
int db_is_pg_location(const char *location);

/* "sqlite" or "postgresql"; and the file path / connection target shown to
 * administrators (never a password). */
const char *db_backend(const Db *db);
const char *db_location(const Db *db);

/* Run one or more statements without parameters (schema). */
int db_exec(Db *db, const char *sql, Err *e);

/* Compile one statement. The statement is owned by the caller and freed with
 * db_finalize (NULL is fine). */
int db_prepare(Db *db, const char *sql, DbStmt **out, Err *e);
void db_finalize(DbStmt *st);
/* Reset for another execution; bindings are kept. */
void db_reset(DbStmt *st);

/* Bind parameter idx (1-based, $idx). Text is copied. NULL text binds NULL. */
int db_bind_int64(DbStmt *st, int idx, int64_t v);
int db_bind_text(DbStmt *st, int idx, const char *s);
int db_bind_textn(DbStmt *st, int idx, const char *s, size_t n);
int db_bind_blob(DbStmt *st, int idx, const void *p, size_t n);
/* Bind without copying: p must stay valid until st is reset or
 * finalized (large blobs written once). */
int db_bind_blob_static(DbStmt *st, int idx, const void *p, size_t n);
int db_bind_null(DbStmt *st, int idx);

/* Advance: DB_ROW, DB_DONE, or an ERR_* code (ERR_CONFLICT for a unique or
 * foreign-key violation, ERR_BUSY when locked, ERR_DB otherwise) with e set. */
int db_step(DbStmt *st, Err *e);

/* Column accessors for the current row (0-based). Text and blob pointers
 * stay valid until the next step, reset or finalize. */
int db_col_count(DbStmt *st);
const char *db_col_name(DbStmt *st, int col);
int db_col_is_null(DbStmt *st, int col);
int64_t db_col_int64(DbStmt *st, int col);
const char *db_col_text(DbStmt *st, int col); /* NULL for SQL NULL */
size_t db_col_bytes(DbStmt *st, int col);
const void *db_col_blob(DbStmt *st, int col);

/* Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
int64_t db_changes(Db *db);

/* Transactions. db_begin takes the write lock at once (so two writers
 * serialise instead of failing on upgrade). Nesting is not supported;
 * db_in_tx tells whether one is open. db_rollback is safe to call when
 * nothing is open. */
int db_begin(Db *db, Err *e);
int db_begin_read(Db *db, Err *e);
int db_commit(Db *db, Err *e);
void db_rollback(Db *db);
int db_in_tx(const Db *db);

/* A savepoint inside the open transaction, for work that may fail and be
 * skipped while the transaction goes on (a bad row of an import). On
 * PostgreSQL a failed statement aborts the whole transaction: catching its
 * error and going on works only after db_savepoint_rollback. Use:
 *     db_savepoint(db, e);
 *     rc = step(...);
 *     rc == 0 ? db_savepoint_release(db, e) : db_savepoint_rollback(db, e);
 * db_savepoint_rollback undoes what was written since db_savepoint (on
 * both backends) and ends the savepoint. Savepoints nest (the innermost
 * is ended first). ERR_INTERNAL outside a transaction. */
int db_savepoint(Db *db, Err *e);
int db_savepoint_release(Db *db, Err *e);
int db_savepoint_rollback(Db *db, Err *e);

/* Write a consistent copy of the whole database to the file dest, which
 * must not exist, while other connections go on reading and writing.
 * Not inside a transaction. ERR_IO when the copy cannot be written. */
int db_backup(Db *db, const char *dest, Err *e);

/* Check the database's integrity: *report (malloc'd, caller frees) is
 * "ok" or a description of what is wrong. SQLite: PRAGMA quick_check;
 * PostgreSQL: the server keeps its own checksums, so this checks that the
 * connection answers and the schema table is readable. */
int db_check_integrity(Db *db, char **report, Err *e);

/* Hints for a phase of heavy work. SQLite maps memory or enlarges the page
 * cache for the connection; PostgreSQL does nothing (the server is tuned by
 * its administrator). Failures are logged, never fatal: returns 0. */
typedef enum {
    DB_TUNE_SCAN_BEGIN, /* large sequential reads follow (snapshot build) */
    DB_TUNE_SCAN_END,
    DB_TUNE_BULK_WRITE, /* a large import on this connection */
    DB_TUNE_BULK_END,   /* back to the default page cache */
} DbTune;
int db_tune(Db *db, DbTune what, Err *e);

/* Bulk-load mode for a large write on this connection, inside a write
 * transaction: on (1) foreign keys are not checked until off (0) (SQLite:
 * PRAGMA foreign_keys, which must be set outside a transaction - call it
 * before db_begin and after db_commit; PostgreSQL: nothing, the checks
 * stay on). See also db/bulk.h (indexes dropped and rebuilt). */
int db_bulk_mode(Db *db, int on, Err *e);

/* Text search hook. db_search_fts: 1 when the backend keeps the FTS5
 * tables enterprise_fts (trigram, queries of 3+ characters) and
 * enterprise_grams (2-grams of USCC, name and former names), filled in
 * bulk through a staging table after an import (SQLite); 0 when every
 * search index follows the base tables by itself (PostgreSQL).
 * db_search_sql gives, for an index the backend has, the table, its key
 * column (joined to enterprises.id, one row per enterprise) and the match
 * operator (followed by the bound value of db_search_query); ERR_INVALID
 * for an index it does not have - the caller then uses a case-folding
 * LIKE (db_like_ci) on the base columns. SQLite has both; PostgreSQL has
 * DB_SEARCH_GRAM (the GIN-indexed table enterprise_search of migration
 * pg/022) and serves 3+ characters with ILIKE on pg_trgm indexes.
 * DB_SEARCH_GRAM takes queries of 1 or 2 characters, each an ASCII
 * letter or digit or a CJK ideograph. db_search_query writes into out the
 * value to bind after the match operator for the text q (trimmed by the
 * caller); it truncates to cap. db_search_reindex fills the FTS tables for
 * the enterprises above above_id after a bulk load dropped their sync
 * triggers (nothing on PostgreSQL). */
typedef enum { DB_SEARCH_TRIGRAM, DB_SEARCH_GRAM } DbSearchIndex;
typedef struct DbSearchSql {
    const char *table; /* "enterprise_fts" */
    const char *key;   /* "enterprise_fts.rowid" */
    const char *match; /* "enterprise_fts MATCH" */
    const char *join;  /* joins enterprises after it: "CROSS JOIN" keeps
                          SQLite's planner from reordering, "JOIN" on PG */
} DbSearchSql;
int db_search_fts(const Db *db);
int db_search_sql(const Db *db, DbSearchIndex ix, DbSearchSql *out);
void db_search_query(const Db *db, DbSearchIndex ix, const char *q, char *out,
                     size_t cap);
int db_search_reindex(Db *db, int64_t above_id, Err *e);

/* Small dialect differences, as SQL fragments. db_like_ci: a LIKE that
 * folds ASCII case ("LIKE" on SQLite, "ILIKE" on PostgreSQL).
 * db_noidx: the prefix that keeps SQLite's planner from using an index
 * on a column ("+"; "" on PostgreSQL, whose planner costs it itself).
 * db_desc_nulls_last: appended to "x DESC" so NULLs sort last (SQLite
 * does by itself). db_id_in_list: into out, what follows an id column
 * for "is one of the ids in parameter $param", bound to "1,2,3" (digits
 * and commas, checked by the caller). db_is_postgres: the backend is
 * PostgreSQL. */
/* db_json_get: into out, an expression for member key of the JSON object
 * stored as TEXT in column col (both fixed names of the caller, never
 * input): json_extract on SQLite, ->> on PostgreSQL; as_int: as an
 * integer (text otherwise). */
void db_json_get(const Db *db, const char *col, const char *key, int as_int,
                 char *out, size_t cap);
const char *db_like_ci(const Db *db);
const char *db_noidx(const Db *db);
const char *db_desc_nulls_last(const Db *db);
void db_id_in_list(const Db *db, int param, char *out, size_t cap);
int db_is_postgres(const Db *db);

/* For copying a whole database (kechuang migrate). db_tables: the data
 * tables in the order they were created (so a table comes after those
 * it refers to), without the backend's own tables (schema bookkeeping is
 * included; SQLite's FTS tables and their shadow tables are not): *names
 * is a malloc'd array of malloc'd names, free with db_tables_free.
 * db_col_is_blob: the current row's column holds a blob (bind it with
 * db_bind_blob when copying). db_ids_sync: after rows were inserted with
 * explicit ids, make the database's own id generation continue above
 * them (PostgreSQL's identity sequence; nothing on SQLite). */
int db_tables(Db *db, char ***names, int *n, Err *e);
void db_tables_free(char **names, int n);
int db_col_is_blob(DbStmt *st, int col);
int db_ids_sync(Db *db, const char *table, Err *e);

/* Bulk copy of many rows into one table (kechuang migrate), inside the
 * open write transaction of db. db_copy_begin takes the table and its
 * column names (identifiers of the caller or of the source's catalogue,
 * never input); each row is ncols db_copy_value calls in column order
 * (kind DB_COPY_NULL: p unused; DB_COPY_TEXT: n bytes of text;
 * DB_COPY_BLOB: n bytes) ended by db_copy_row. PostgreSQL streams the
 * rows with COPY ... FROM STDIN (text format, sent in chunks of about
 * 256 KiB: no round trip per row); SQLite runs one prepared INSERT per
 * row. Errors of a COPY may show only at db_copy_end. db_copy_end ends
 * the copy and frees c (always; c NULL is fine): *rows is the rows the
 * database took, ERR_INTERNAL when that differs from the rows given or a
 * row was left unfinished; rows NULL abandons the copy (ERR_INTERNAL).
 * After any error roll the transaction back. */
typedef struct DbCopy DbCopy;
enum { DB_COPY_NULL, DB_COPY_TEXT, DB_COPY_BLOB };
int db_copy_begin(Db *db, const char *table, char *const *cols, int ncols,
                  DbCopy **out, Err *e);
int db_copy_value(DbCopy *c, int kind, const void *p, size_t n, Err *e);
int db_copy_row(DbCopy *c, Err *e);
int db_copy_end(DbCopy *c, int64_t *rows, Err *e);

/* Highest id of table (0 when empty): rows a bulk insert adds get ids
 * above it. table is a fixed identifier of the caller, never input. */
int db_max_id(Db *db, const char *table, int64_t *out, Err *e);

/* A staging table for a bulk insert, private to this connection (a
 * temporary table; dropped first if it exists): columns seq (assigned in
 * insertion order) and c1 ... c<ncols> (SQLite: untyped, values stay as
 * bound; PostgreSQL: TEXT). Refer to it by name unqualified; read its rows
 * ORDER BY seq. */
int db_staging_create(Db *db, const char *name, int ncols, Err *e);

/* Conveniences. `types` describes the variadic arguments, one letter per
 * parameter $1, $2 ...: 'i' int64_t, 't' const char * (NULL binds NULL),
 * 'p' const int64_t * (NULL binds NULL), 'n' SQL NULL (no argument
 * consumed).
 *
 * db_prepare_v: prepare and bind. db_exec_v: prepare, bind, step to the end,
 * finalize. db_query_int64 / db_query_text: first column of the first row
 * (ERR_NOTFOUND when there is no row; *out is malloc'd for text, caller
 * frees; a NULL column gives *out = NULL / 0). */
int db_prepare_v(Db *db, DbStmt **out, Err *e, const char *sql,
                 const char *types, ...);
int db_exec_v(Db *db, Err *e, const char *sql, const char *types, ...);
int db_query_int64(Db *db, int64_t *out, Err *e, const char *sql,
                   const char *types, ...);
int db_query_text(Db *db, char **out, Err *e, const char *sql,
                  const char *types, ...);

/* Schema migrations embedded in the binary (src/db/sql/NNN_name.sql).
 * db_migrate applies the missing ones in order, each in its own
 * transaction; it refuses (ERR_CONFLICT) a database whose schema is newer
 * than this binary knows. *applied (may be NULL) gets the number applied. */
int db_migrate(Db *db, int *applied, Err *e);
/* Current schema version (0 = empty database) and the binary's latest. */
int db_schema_version(Db *db, int *out, Err *e);
int db_schema_latest(void);

#endif
