/* test_db.c - the storage interface (db.h) on its SQLite backend, and the
 * schema migrations. Every test works on a fresh database file in its own
 * temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "common/testdb.h"
#include "db/db.h"
#include "db/migrate_data.h"

typedef struct Fixture {
    char dir[64];
    char path[128];
    Db *db;
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    Err e;

    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/kc_test_db_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    err_clear(&e);
    assert_int_equal(db_open(&f->db, f->path, &e), 0);
    assert_non_null(f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    char p[160];

    db_close(f->db);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Savepoints: a refused statement is undone and the transaction goes on
 * (what an import does with a bad row); nested savepoints end innermost
 * first; none outside a transaction. */
static void savepoint_checks(Db *db)
{
    int64_t n = -1, sum = -1;
    Err e;

    err_clear(&e);
    assert_int_equal(
        db_exec(db, "CREATE TABLE sp (v BIGINT NOT NULL UNIQUE)", &e), 0);
    assert_int_equal(db_savepoint(db, &e), ERR_INTERNAL);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_exec(db, "INSERT INTO sp VALUES (1)", &e), 0);
    assert_int_equal(db_savepoint(db, &e), 0);
    assert_int_equal(db_exec(db, "INSERT INTO sp VALUES (2)", &e), 0);
    assert_int_equal(db_exec(db, "INSERT INTO sp VALUES (1)", &e),
                     ERR_CONFLICT);
    assert_int_equal(db_savepoint_rollback(db, &e), 0);
    assert_true(db_in_tx(db));
    assert_int_equal(db_exec(db, "INSERT INTO sp VALUES (3)", &e), 0);
    assert_int_equal(db_savepoint(db, &e), 0);
    assert_int_equal(db_exec(db, "INSERT INTO sp VALUES (4)", &e), 0);
    assert_int_equal(db_savepoint(db, &e), 0);
    assert_int_equal(db_exec(db, "INSERT INTO sp VALUES (5)", &e), 0);
    assert_int_equal(db_savepoint_rollback(db, &e), 0);
    assert_int_equal(db_savepoint_release(db, &e), 0);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(db_query_int64(db, &n, &e, "SELECT COUNT(*) FROM sp", ""),
                     0);
    assert_int_equal(db_query_int64(db, &sum, &e, "SELECT SUM(v) FROM sp", ""),
                     0);
    assert_int_equal(n, 3);   /* 1, 3, 4 */
    assert_int_equal(sum, 8); /* 2 and 5 undone */
}

static void test_copy(void **state)
{
    Fixture *f = *state;

    testdb_copy_checks(f->db);
}

static void test_savepoint(void **state)
{
    Fixture *f = *state;

    savepoint_checks(f->db);
}

static void make_table(Db *db)
{
    Err e;

    assert_int_equal(db_exec(db,
                             "CREATE TABLE t (id INTEGER PRIMARY KEY, "
                             "name TEXT UNIQUE, n BIGINT, note TEXT);",
                             &e),
                     0);
}

static int64_t count_rows(Db *db, const char *table_sql)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(db_query_int64(db, &n, &e, table_sql, ""), 0);
    return n;
}

static void test_open_settings(void **state)
{
    Fixture *f = *state;
    char *s = NULL;
    int64_t v = -1;
    Err e;

    assert_string_equal(db_backend(f->db), "sqlite");
    assert_string_equal(db_location(f->db), f->path);
    assert_int_equal(db_query_text(f->db, &s, &e, "PRAGMA journal_mode", ""),
                     0);
    assert_string_equal(s, "wal");
    free(s);
    assert_int_equal(db_query_int64(f->db, &v, &e, "PRAGMA foreign_keys", ""),
                     0);
    assert_int_equal(v, 1);
    assert_int_equal(db_query_int64(f->db, &v, &e, "PRAGMA synchronous", ""),
                     0);
    assert_int_equal(v, 1); /* NORMAL */
    assert_int_equal(db_query_int64(f->db, &v, &e, "PRAGMA busy_timeout", ""),
                     0);
    assert_true(v >= 1000);
    /* every connection reads through a memory map (no pread copy per
     * page), and the end of a snapshot scan keeps it */
    assert_int_equal(db_query_int64(f->db, &v, &e, "PRAGMA mmap_size", ""), 0);
    assert_true(v >= 1024 * 1024 * 1024);
    assert_int_equal(db_tune(f->db, DB_TUNE_SCAN_BEGIN, &e), 0);
    assert_int_equal(db_tune(f->db, DB_TUNE_SCAN_END, &e), 0);
    assert_int_equal(db_query_int64(f->db, &v, &e, "PRAGMA mmap_size", ""), 0);
    assert_true(v >= 1024 * 1024 * 1024);
    assert_int_equal(db_in_tx(f->db), 0);
}

static void test_open_failures(void **state)
{
    Db *db = (Db *)1;
    char path[200];
    FILE *fp;
    Fixture *f = *state;
    Err e;

    err_clear(&e);
    assert_int_not_equal(db_open(&db, "/nonexistent-dir/x/y.db", &e), 0);
    assert_null(db);
    assert_int_equal(e.code, ERR_IO);

    db = (Db *)1;
    /* PostgreSQL: no server behind this socket directory */
    assert_int_equal(db_open(&db, "postgres://u@/d?host=/nonexistent-dir", &e),
                     ERR_IO);
    assert_null(db);

    /* a file that is not a database */
    snprintf(path, sizeof path, "%s/junk.db", f->dir);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    for (int i = 0; i < 200; i++) {
        fputs("this is not an sqlite database file. ", fp);
    }
    fclose(fp);
    db = (Db *)1;
    assert_int_equal(db_open(&db, path, &e), ERR_DB);
    assert_null(db);
    assert_non_null(strstr(e.msg, "数据库"));
    unlink(path);
}

static void test_bind_order_and_reuse(void **state)
{
    Fixture *f = *state;
    DbStmt *st = NULL;
    Err e;

    make_table(f->db);
    /* $2 before $1, $1 used twice */
    assert_int_equal(db_exec_v(f->db, &e,
                               "INSERT INTO t (name, n, note) "
                               "VALUES ($2, $1, $2 || '-' || $1)",
                               "it", (int64_t)42, "alpha"),
                     0);
    assert_int_equal(db_changes(f->db), 1);
    assert_int_equal(db_prepare_v(f->db, &st, &e,
                                  "SELECT name, n, note FROM t WHERE n = $1 "
                                  "AND name = $2",
                                  "it", (int64_t)42, "alpha"),
                     0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_int_equal(db_col_count(st), 3);
    assert_string_equal(db_col_name(st, 1), "n");
    assert_string_equal(db_col_text(st, 0), "alpha");
    assert_int_equal(db_col_int64(st, 1), 42);
    assert_string_equal(db_col_text(st, 2), "alpha-42");
    assert_int_equal(db_step(st, &e), DB_DONE);
    /* reset keeps the bindings */
    db_reset(st);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "alpha");
    db_finalize(st);

    /* large values survive */
    assert_int_equal(db_exec_v(f->db, &e,
                               "INSERT INTO t (name, n) VALUES ($1, $2)", "ti",
                               "big", INT64_MAX),
                     0);
    {
        int64_t v = 0;
        assert_int_equal(db_query_int64(f->db, &v, &e,
                                        "SELECT n FROM t WHERE name = $1", "t",
                                        "big"),
                         0);
        assert_true(v == INT64_MAX);
    }
}

static void test_stmt_cache_clears_bindings(void **state)
{
    Fixture *f = *state;
    const char *sql = "SELECT $1, $2";
    DbStmt *a = NULL;
    DbStmt *b = NULL;
    Err e;

    assert_int_equal(db_prepare(f->db, sql, &a, &e), 0);
    assert_int_equal(db_bind_text(a, 1, "x"), 0);
    assert_int_equal(db_bind_int64(a, 2, 7), 0);
    assert_int_equal(db_step(a, &e), DB_ROW);
    /* the same SQL while the first is in use: a separate statement */
    assert_int_equal(db_prepare(f->db, sql, &b, &e), 0);
    assert_ptr_not_equal(a, b);
    assert_int_equal(db_bind_text(b, 1, "y"), 0);
    assert_int_equal(db_step(b, &e), DB_ROW);
    assert_string_equal(db_col_text(a, 0), "x");
    assert_string_equal(db_col_text(b, 0), "y");
    db_finalize(a);
    db_finalize(b);
    /* a reused statement starts without bindings */
    assert_int_equal(db_prepare(f->db, sql, &a, &e), 0);
    assert_int_equal(db_step(a, &e), DB_ROW);
    assert_true(db_col_is_null(a, 0));
    assert_true(db_col_is_null(a, 1));
    db_finalize(a);
    /* bind out of range is reported */
    assert_int_equal(db_prepare(f->db, sql, &a, &e), 0);
    assert_int_equal(db_bind_int64(a, 3, 1), ERR_INTERNAL);
    db_finalize(a);
    db_finalize(NULL);
}

static void test_text_literal_roundtrip(void **state)
{
    Fixture *f = *state;
    static const char *const values[] = {
        "O'Brien \"quoted\" `tick` [br]",
        "'; DROP TABLE t; --",
        "$1 $2 ?1 :a @b %s %n \\ \\0",
        "杭州某某科技有限公司（高新技术企业）",
        "  leading and trailing  ",
        "",
    };
    DbStmt *st = NULL;
    const unsigned char blob[5] = {0, 1, 0xff, 0, 'x'};
    char *s = NULL;
    Err e;
    size_t i;

    make_table(f->db);
    for (i = 0; i < sizeof values / sizeof values[0]; i++) {
        int64_t id = 0;
        assert_int_equal(db_query_int64(f->db, &id, &e,
                                        "INSERT INTO t (note) VALUES ($1) "
                                        "RETURNING id",
                                        "t", values[i]),
                         0);
        assert_int_equal(db_query_text(f->db, &s, &e,
                                       "SELECT note FROM t WHERE id = $1", "i",
                                       id),
                         0);
        assert_non_null(s);
        assert_string_equal(s, values[i]);
        free(s);
    }
    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM t"),
                     (int64_t)(sizeof values / sizeof values[0]));

    /* text with an embedded NUL (textn) and a blob come back byte-exact */
    assert_int_equal(db_prepare(f->db, "SELECT $1, $2", &st, &e), 0);
    assert_int_equal(db_bind_textn(st, 1, "ab\0cd", 5), 0);
    assert_int_equal(db_bind_blob(st, 2, blob, sizeof blob), 0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_int_equal(db_col_bytes(st, 0), 5);
    assert_memory_equal(db_col_text(st, 0), "ab\0cd", 5);
    assert_int_equal(db_col_bytes(st, 1), sizeof blob);
    assert_memory_equal(db_col_blob(st, 1), blob, sizeof blob);
    db_finalize(st);
}

static void test_dollar_outside_code_not_rewritten(void **state)
{
    Fixture *f = *state;
    DbStmt *st = NULL;
    Err e;

    /* one real parameter; the other $N sit in a string, a quoted
     * identifier, comments and an identifier, and must stay as they are
     * (types has one letter: a rewritten $2/$3 would make the count 3) */
    assert_int_equal(
        db_exec(f->db, "CREATE TABLE d (\"a$2\" TEXT, b$3 TEXT)", &e), 0);
    assert_int_equal(db_exec_v(f->db, &e,
                               "INSERT INTO d (\"a$2\", b$3) -- $4\n"
                               "VALUES ('$2 it''s $3', /* $5 */ $1)",
                               "t", "v"),
                     0);
    assert_int_equal(db_prepare_v(f->db, &st, &e,
                                  "SELECT \"a$2\", b$3, '$1' FROM d "
                                  "WHERE b$3 = $1",
                                  "t", "v"),
                     0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "$2 it's $3");
    assert_string_equal(db_col_text(st, 1), "v");
    assert_string_equal(db_col_text(st, 2), "$1");
    db_finalize(st);
}

static void test_null_handling(void **state)
{
    Fixture *f = *state;
    DbStmt *st = NULL;
    char *s = (char *)"sentinel";
    int64_t v = -1;
    const int64_t forty_one = 41;
    Err e;

    make_table(f->db);
    assert_int_equal(db_exec_v(f->db, &e,
                               "INSERT INTO t (name, n, note) "
                               "VALUES ($1, $2, $3)",
                               "tnt", "a", (const char *)NULL),
                     0);
    assert_int_equal(
        db_prepare_v(f->db, &st, &e, "SELECT n, note, name FROM t", ""), 0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    assert_true(db_col_is_null(st, 0));
    assert_true(db_col_is_null(st, 1));
    assert_false(db_col_is_null(st, 2));
    assert_null(db_col_text(st, 1));
    assert_int_equal(db_col_int64(st, 0), 0);
    db_finalize(st);
    assert_int_equal(db_query_text(f->db, &s, &e, "SELECT note FROM t", ""), 0);
    assert_null(s);
    assert_int_equal(db_query_int64(f->db, &v, &e, "SELECT n FROM t", ""), 0);
    assert_int_equal(v, 0);
    /* 'n' binds SQL NULL */
    assert_int_equal(db_query_int64(f->db, &v, &e,
                                    "SELECT COUNT(*) FROM t WHERE note IS $1",
                                    "n"),
                     0);
    assert_int_equal(v, 1);
    /* 'p' binds the integer pointed to, or NULL for a NULL pointer */
    assert_int_equal(db_query_int64(f->db, &v, &e,
                                    "SELECT typeof($1) = 'integer' AND $1 = 41 "
                                    "AND $2 IS NULL",
                                    "pp", &forty_one, (const int64_t *)NULL),
                     0);
    assert_int_equal(v, 1);
}

static void test_not_found(void **state)
{
    Fixture *f = *state;
    int64_t v = 5;
    char *s = (char *)"sentinel";
    Err e;

    make_table(f->db);
    err_clear(&e);
    assert_int_equal(db_query_int64(f->db, &v, &e,
                                    "SELECT n FROM t WHERE id = $1", "i",
                                    (int64_t)1),
                     ERR_NOTFOUND);
    assert_int_equal(e.code, ERR_NOTFOUND);
    assert_int_equal(v, 0);
    assert_int_equal(db_query_text(f->db, &s, &e,
                                   "SELECT note FROM t WHERE id = $1", "i",
                                   (int64_t)1),
                     ERR_NOTFOUND);
    assert_null(s);
}

static void test_unique_conflict(void **state)
{
    Fixture *f = *state;
    char logbuf[4096] = {0};
    FILE *log = tmpfile();
    Err e;

    make_table(f->db);
    assert_int_equal(
        db_exec_v(f->db, &e, "INSERT INTO t (name) VALUES ($1)", "t", "dup"),
        0);
    int level = log_get_level();

    log_set_level(LOG_WARN);
    log_set_file(log);
    err_clear(&e);
    assert_int_equal(
        db_exec_v(f->db, &e, "INSERT INTO t (name) VALUES ($1)", "t", "dup"),
        ERR_CONFLICT);
    log_set_file(NULL);
    log_set_level(level);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_string_equal(e.field, "name");
    assert_non_null(strstr(e.msg, "已存在"));
    /* the user message holds neither SQL nor SQLite's text */
    assert_null(strstr(e.msg, "INSERT"));
    assert_null(strstr(e.msg, "UNIQUE"));
    assert_null(strstr(e.msg, "constraint"));
    /* ... the log does */
    rewind(log);
    assert_true(fread(logbuf, 1, sizeof logbuf - 1, log) > 0);
    fclose(log);
    assert_non_null(strstr(logbuf, "UNIQUE constraint failed"));
    assert_non_null(strstr(logbuf, "INSERT INTO t"));
    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM t"), 1);

    /* primary key too */
    assert_int_equal(
        db_exec_v(f->db, &e, "INSERT INTO t (id) VALUES ($1)", "i", (int64_t)1),
        ERR_CONFLICT);
}

static void test_sql_error_is_generic(void **state)
{
    Fixture *f = *state;
    DbStmt *st = NULL;
    Err e;

    err_clear(&e);
    assert_int_equal(db_prepare(f->db, "SELEC nonsense FROM nowhere", &st, &e),
                     ERR_DB);
    assert_null(st);
    assert_string_equal(e.msg, "数据库错误");
    assert_int_equal(db_exec(f->db, "SELECT * FROM no_such_table", &e), ERR_DB);
    assert_string_equal(e.msg, "数据库错误");
    /* "double-quoted strings" are identifiers (as in PostgreSQL) */
    assert_int_equal(db_exec(f->db, "SELECT \"not a string\"", &e), ERR_DB);
    /* two statements in one prepare, empty SQL: bugs */
    assert_int_equal(db_prepare(f->db, "SELECT 1; SELECT 2", &st, &e),
                     ERR_INTERNAL);
    assert_null(st);
    assert_int_equal(db_prepare(f->db, "SELECT 1; -- done\n", &st, &e), 0);
    db_finalize(st);
    assert_int_equal(db_prepare(f->db, "  ", &st, &e), ERR_INTERNAL);
}

static void test_type_letters(void **state)
{
    Fixture *f = *state;
    int64_t v = 0;
    Err e;

    err_clear(&e);
    assert_int_equal(
        db_query_int64(f->db, &v, &e, "SELECT $1", "x", (int64_t)1),
        ERR_INTERNAL);
    assert_int_equal(e.code, ERR_INTERNAL);
    /* letters must match the parameters */
    assert_int_equal(
        db_query_int64(f->db, &v, &e, "SELECT $1, $2", "i", (int64_t)1),
        ERR_INTERNAL);
    assert_int_equal(db_query_int64(f->db, &v, &e, "SELECT 1", "i", (int64_t)1),
                     ERR_INTERNAL);
    assert_int_equal(db_query_int64(f->db, &v, &e, "SELECT 3", NULL), 0);
    assert_int_equal(v, 3);
}

static void test_foreign_keys(void **state)
{
    Fixture *f = *state;
    Err e;

    assert_int_equal(db_exec(f->db,
                             "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                             "CREATE TABLE c (id INTEGER PRIMARY KEY, "
                             "p_id INTEGER NOT NULL REFERENCES p(id));",
                             &e),
                     0);
    err_clear(&e);
    assert_int_equal(db_exec_v(f->db, &e, "INSERT INTO c (p_id) VALUES ($1)",
                               "i", (int64_t)9),
                     ERR_CONFLICT);
    assert_non_null(strstr(e.msg, "数据冲突"));
    assert_int_equal(
        db_exec_v(f->db, &e, "INSERT INTO p (id) VALUES ($1)", "i", (int64_t)9),
        0);
    assert_int_equal(db_exec_v(f->db, &e, "INSERT INTO c (p_id) VALUES ($1)",
                               "i", (int64_t)9),
                     0);
    assert_int_equal(
        db_exec_v(f->db, &e, "DELETE FROM p WHERE id = $1", "i", (int64_t)9),
        ERR_CONFLICT);
}

static void test_rollback(void **state)
{
    Fixture *f = *state;
    Err e;

    make_table(f->db);
    db_rollback(f->db); /* nothing open: harmless */
    assert_int_equal(db_begin(f->db, &e), 0);
    assert_int_equal(db_in_tx(f->db), 1);
    assert_int_equal(db_begin(f->db, &e), ERR_INTERNAL); /* no nesting */
    assert_int_equal(db_in_tx(f->db), 1);
    assert_int_equal(
        db_exec_v(f->db, &e, "INSERT INTO t (name) VALUES ($1)", "t", "gone"),
        0);
    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM t"), 1);
    db_rollback(f->db);
    assert_int_equal(db_in_tx(f->db), 0);
    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM t"), 0);
    assert_int_equal(db_commit(f->db, &e), ERR_INTERNAL); /* none open */

    /* a read transaction */
    assert_int_equal(db_begin_read(f->db, &e), 0);
    assert_int_equal(db_in_tx(f->db), 1);
    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM t"), 0);
    assert_int_equal(db_commit(f->db, &e), 0);
    assert_int_equal(db_in_tx(f->db), 0);
}

static void test_commit_persists(void **state)
{
    Fixture *f = *state;
    char *s = NULL;
    Err e;

    make_table(f->db);
    assert_int_equal(db_begin(f->db, &e), 0);
    assert_int_equal(
        db_exec_v(f->db, &e, "INSERT INTO t (name) VALUES ($1)", "t", "kept"),
        0);
    assert_int_equal(db_commit(f->db, &e), 0);
    assert_int_equal(db_in_tx(f->db), 0);
    db_close(f->db);
    f->db = NULL;
    assert_int_equal(db_open(&f->db, f->path, &e), 0);
    assert_int_equal(db_query_text(f->db, &s, &e, "SELECT name FROM t", ""), 0);
    assert_string_equal(s, "kept");
    free(s);
}

static void test_close_open_tx_rolls_back(void **state)
{
    Fixture *f = *state;
    Err e;

    make_table(f->db);
    assert_int_equal(db_begin(f->db, &e), 0);
    assert_int_equal(
        db_exec_v(f->db, &e, "INSERT INTO t (name) VALUES ($1)", "t", "lost"),
        0);
    db_close(f->db);
    f->db = NULL;
    assert_int_equal(db_open(&f->db, f->path, &e), 0);
    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM t"), 0);
}

static void test_migrate(void **state)
{
    Fixture *f = *state;
    int applied = -1;
    int v = -1;
    Err e;

    assert_int_equal(db_schema_version(f->db, &v, &e), 0);
    assert_int_equal(v, 0);
    assert_true(db_schema_latest() >= 0);
    assert_int_equal(db_migrate(f->db, &applied, &e), 0);
    /* one per embedded migration; numbers may have gaps */
    assert_int_equal(applied, kc_n_migrations);
    assert_int_equal(db_schema_version(f->db, &v, &e), 0);
    assert_int_equal(v, db_schema_latest());
    assert_int_equal(
        count_rows(f->db, "SELECT COUNT(*) FROM schema_migrations"),
        kc_n_migrations);
    assert_int_equal(db_in_tx(f->db), 0);
    /* idempotent */
    assert_int_equal(db_migrate(f->db, &applied, &e), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(db_migrate(f->db, NULL, &e), 0);
    assert_int_equal(db_schema_version(f->db, &v, &e), 0);
    assert_int_equal(v, db_schema_latest());
}

static void test_newer_schema_refused(void **state)
{
    Fixture *f = *state;
    int newer = db_schema_latest() + 1000;
    char want[128];
    int applied = -1;
    int v = 0;
    Err e;

    assert_int_equal(db_migrate(f->db, NULL, &e), 0);
    assert_int_equal(
        db_exec_v(f->db, &e,
                  "INSERT INTO schema_migrations "
                  "(version, name, applied_at) VALUES ($1, $2, $3)",
                  "itt", (int64_t)newer, "999_future", "2030-01-01T00:00:00Z"),
        0);
    err_clear(&e);
    assert_int_equal(db_migrate(f->db, &applied, &e), ERR_CONFLICT);
    assert_int_equal(applied, 0);
    assert_int_equal(e.code, ERR_CONFLICT);
    snprintf(want, sizeof want, "数据库结构版本 %d 高于本程序支持的版本 %d",
             newer, db_schema_latest());
    assert_non_null(strstr(e.msg, want));
    assert_non_null(strstr(e.msg, "请升级 kechuang"));
    assert_int_equal(db_in_tx(f->db), 0);
    assert_int_equal(db_schema_version(f->db, &v, &e), 0);
    assert_int_equal(v, newer);
}

/* The search index the design relies on: an FTS5 trigram table kept in
 * sync by triggers works under the connection's settings. */
static void test_fts5_trigram_trigger(void **state)
{
    Fixture *f = *state;
    int64_t id = 0;
    Err e;

    assert_int_equal(
        db_exec(f->db,
                "CREATE TABLE ent (id INTEGER PRIMARY KEY, name TEXT);"
                "CREATE VIRTUAL TABLE ent_fts USING fts5(name, "
                "content='ent', content_rowid='id', tokenize='trigram');"
                "CREATE TRIGGER ent_ai AFTER INSERT ON ent BEGIN "
                "INSERT INTO ent_fts (rowid, name) VALUES (new.id, new.name);"
                "END;"
                "CREATE TRIGGER ent_ad AFTER DELETE ON ent BEGIN "
                "INSERT INTO ent_fts (ent_fts, rowid, name) "
                "VALUES ('delete', old.id, old.name); END;",
                &e),
        0);
    assert_int_equal(db_exec_v(f->db, &e, "INSERT INTO ent (name) VALUES ($1)",
                               "t", "杭州某某科技有限公司"),
                     0);
    assert_int_equal(db_query_int64(f->db, &id, &e,
                                    "SELECT rowid FROM ent_fts "
                                    "WHERE ent_fts MATCH $1",
                                    "t", "某科技"),
                     0);
    assert_int_equal(id, 1);
    assert_int_equal(db_exec(f->db, "DELETE FROM ent", &e), 0);
    assert_int_equal(db_query_int64(f->db, &id, &e,
                                    "SELECT rowid FROM ent_fts "
                                    "WHERE ent_fts MATCH $1",
                                    "t", "某科技"),
                     ERR_NOTFOUND);
}

/* INSERT ... RETURNING through db_query_int64 inside a transaction, on a
 * table whose trigger writes to an FTS5 index: the insert must survive the
 * commit (the statement has to run to its end). */
static void test_returning_with_fts_trigger(void **state)
{
    Fixture *f = *state;
    int64_t id = 0;
    int64_t n = 0;
    Err e;

    assert_int_equal(
        db_exec(f->db,
                "CREATE TABLE ent (id INTEGER PRIMARY KEY, name TEXT);"
                "CREATE VIRTUAL TABLE ent_fts USING fts5(name, "
                "content='ent', content_rowid='id', tokenize='trigram');"
                "CREATE TRIGGER ent_ai AFTER INSERT ON ent BEGIN "
                "INSERT INTO ent_fts (rowid, name) VALUES (new.id, new.name);"
                "END;",
                &e),
        0);
    assert_int_equal(db_begin(f->db, &e), 0);
    assert_int_equal(db_query_int64(f->db, &id, &e,
                                    "INSERT INTO ent (name) VALUES ($1) "
                                    "RETURNING id",
                                    "t", "天津河东智造科技有限公司"),
                     0);
    assert_true(id > 0);
    assert_int_equal(db_exec_v(f->db, &e, "INSERT INTO ent (name) VALUES ($1)",
                               "t", "第二家企业"),
                     0);
    assert_int_equal(db_commit(f->db, &e), 0);
    assert_int_equal(
        db_query_int64(f->db, &n, &e, "SELECT count(*) FROM ent", ""), 0);
    assert_int_equal(n, 2);
    assert_int_equal(db_query_int64(f->db, &n, &e,
                                    "SELECT rowid FROM ent_fts "
                                    "WHERE ent_fts MATCH $1",
                                    "t", "智造科技"),
                     0);
    assert_int_equal(n, id);
}

/* ---- concurrency ------------------------------------------------------- */

#define WRITER_ROUNDS 200

typedef struct Writer {
    const char *path;
    int id;
    int failures;
    int busy;
} Writer;

/* Each round: read the counter and write it back plus one in a BEGIN
 * IMMEDIATE transaction, and add a row; lost updates would show. */
static void *writer_main(void *arg)
{
    Writer *w = arg;
    Db *db = NULL;
    Err e;
    int i;

    if (db_open(&db, w->path, &e)) {
        w->failures++;
        return NULL;
    }
    for (i = 0; i < WRITER_ROUNDS; i++) {
        int64_t n = 0;
        int rc = db_begin(db, &e);
        if (!rc) {
            rc = db_query_int64(db, &n, &e,
                                "SELECT n FROM counter WHERE id = 1", "");
        }
        if (!rc) {
            rc = db_exec_v(db, &e, "UPDATE counter SET n = $1 WHERE id = 1",
                           "i", n + 1);
        }
        if (!rc) {
            rc = db_exec_v(db, &e,
                           "INSERT INTO log (writer, round) VALUES ($1, $2)",
                           "ii", (int64_t)w->id, (int64_t)i);
        }
        if (!rc) {
            rc = db_commit(db, &e);
        }
        if (rc) {
            db_rollback(db);
            w->failures++;
            if (rc == ERR_BUSY) {
                w->busy++;
            }
        }
        if (i % 16 == 0) {
            /* and some reads outside a transaction */
            if (db_query_int64(db, &n, &e, "SELECT COUNT(*) FROM log", "")) {
                w->failures++;
            }
        }
    }
    db_close(db);
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    Fixture *f = *state;
    Writer w[2] = {{f->path, 1, 0, 0}, {f->path, 2, 0, 0}};
    pthread_t th[2];
    Err e;
    int i;

    assert_int_equal(db_exec(f->db,
                             "CREATE TABLE counter (id INTEGER PRIMARY KEY, "
                             "n BIGINT NOT NULL);"
                             "INSERT INTO counter VALUES (1, 0);"
                             "CREATE TABLE log (writer BIGINT, round BIGINT);",
                             &e),
                     0);
    for (i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
    }
    for (i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
    }
    assert_int_equal(w[0].busy + w[1].busy, 0);
    assert_int_equal(w[0].failures + w[1].failures, 0);
    assert_int_equal(count_rows(f->db, "SELECT n FROM counter"),
                     2 * WRITER_ROUNDS);
    assert_int_equal(count_rows(f->db, "SELECT COUNT(*) FROM log"),
                     2 * WRITER_ROUNDS);
}

/* A writer holding the lock past the busy timeout gives ERR_BUSY, not a
 * hang or ERR_DB. */
static void test_busy_reported(void **state)
{
    Fixture *f = *state;
    Db *other = NULL;
    Err e;

    make_table(f->db);
    assert_int_equal(db_open(&other, f->path, &e), 0);
    assert_int_equal(db_exec(other, "PRAGMA busy_timeout=50", &e), 0);
    assert_int_equal(db_begin(f->db, &e), 0);
    err_clear(&e);
    assert_int_equal(db_begin(other, &e), ERR_BUSY);
    assert_string_equal(e.msg, "数据库忙，请稍后重试");
    assert_int_equal(db_in_tx(other), 0);
    /* readers are not blocked by the writer in WAL mode */
    assert_int_equal(count_rows(other, "SELECT COUNT(*) FROM t"), 0);
    db_rollback(f->db);
    assert_int_equal(db_begin(other, &e), 0);
    assert_int_equal(db_commit(other, &e), 0);
    db_close(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_savepoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_order_and_reuse, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stmt_cache_clears_bindings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_text_literal_roundtrip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dollar_outside_code_not_rewritten,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_handling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sql_error_is_generic, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_type_letters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_persists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_open_tx_rolls_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_returning_with_fts_trigger, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fts5_trigram_trigger, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_busy_reported, setup, teardown),
    };

    log_set_level(LOG_QUIET);
    if (getenv("KECHUANG_LOG")) {
        log_init();
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
