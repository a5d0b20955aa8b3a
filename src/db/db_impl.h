/* db_impl.h - what a backend of db.h provides (src/db only).
 *
 * Each backend's connection and statement structs begin with a Db / DbStmt
 * holding its table of operations; db.c checks what is common (nesting,
 * parameter types) and calls through the table. */
#ifndef KC_DB_DB_IMPL_H
#define KC_DB_DB_IMPL_H

#include "db/db.h"

typedef struct DbOps DbOps;

struct Db {
    const DbOps *ops;
};

struct DbStmt {
    const DbOps *ops;
};

struct DbOps {
    const char *backend; /* "sqlite" or "postgresql" */
    void (*close)(Db *db);
    const char *(*location)(const Db *db);
    int (*exec)(Db *db, const char *sql, Err *e);
    int (*prepare)(Db *db, const char *sql, DbStmt **out, Err *e);
    void (*finalize)(DbStmt *st);
    void (*reset)(DbStmt *st);
    int (*param_count)(DbStmt *st);
    int (*bind_int64)(DbStmt *st, int idx, int64_t v);
    int (*bind_textn)(DbStmt *st, int idx, const char *s, size_t n);
    /* copy: 0 when p stays valid until the statement is reset */
    int (*bind_blob)(DbStmt *st, int idx, const void *p, size_t n, int copy);
    int (*bind_null)(DbStmt *st, int idx);
    int (*step)(DbStmt *st, Err *e);
    int (*col_count)(DbStmt *st);
    const char *(*col_name)(DbStmt *st, int col);
    int (*col_is_null)(DbStmt *st, int col);
    int64_t (*col_int64)(DbStmt *st, int col);
    const char *(*col_text)(DbStmt *st, int col);
    size_t (*col_bytes)(DbStmt *st, int col);
    const void *(*col_blob)(DbStmt *st, int col);
    int64_t (*changes)(Db *db);
    /* write: take the write lock now (db_begin), else a read snapshot */
    int (*begin)(Db *db, int write, Err *e);
    int (*commit)(Db *db, Err *e);
    void (*rollback)(Db *db);
    int (*in_tx)(const Db *db);
    int (*backup)(Db *db, const char *dest, Err *e);
    int (*check)(Db *db, char **report, Err *e);
    int (*bulk)(Db *db, int on, Err *e);
    int (*tune)(Db *db, DbTune what, Err *e);
    int (*col_is_blob)(DbStmt *st, int col);
    /* SQL listing the data tables in creation order (one column: name) */
    const char *tables_sql;
    /* whether name is one of the backend's own tables (FTS shadows) */
    int (*internal_table)(Db *db, const char *name);
    int (*ids_sync)(Db *db, const char *table, Err *e);
    /* COPY ... FROM STDIN (NULL: the backend has none, db_copy_* insert
     * row by row): start it with the statement sql, send n bytes of
     * text-format rows, end it (ok 0: abandon) with the rows taken */
    int (*copy_start)(Db *db, const char *sql, Err *e);
    int (*copy_put)(Db *db, const char *p, size_t n, Err *e);
    int (*copy_finish)(Db *db, int ok, int64_t *rows, Err *e);
    /* SQL of migration m for this dialect (malloc'd), or NULL to run
     * m->sql as it is */
    char *(*migration_sql)(int version, const char *sql);
};

int db_sqlite_open(Db **out, const char *location, Err *e);
int db_pg_open(Db **out, const char *location, Err *e);
/* A portable migration's SQL for PostgreSQL (malloc'd; NULL when too
 * big): INTEGER PRIMARY KEY becomes an identity column, INTEGER BIGINT,
 * BLOB BYTEA, WITHOUT ROWID is dropped; literals and comments are kept. */
char *db_pg_translate_ddl(const char *sql);
/* The SQL to run for migration version (m_sql: the portable file) on db:
 * malloc'd. */
char *db_migration_sql(Db *db, int version, const char *m_sql);

#endif
