/* testdb.c - see testdb.h. */
#include "testdb.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/datadir.h"
#include "db/db.h"

int testdb_is_pg(void)
{
    const char *pg = getenv("KC_TEST_PG");

    return pg && *pg;
}

/* The URI of the maintenance database with its database name replaced by
 * name: "postgresql://a/b?c" -> "postgresql://a/name?c". */
static void testdb_uri(const char *base, const char *name, char *out,
                       size_t cap)
{
    const char *auth = strstr(base, "://");
    const char *slash = auth ? strchr(auth + 3, '/') : NULL;
    const char *q;
    int n;

    assert_non_null(slash);
    q = strchr(slash, '?');
    n = snprintf(out, cap, "%.*s/%s%s", (int)(slash - base), base, name,
                 q ? q : "");
    assert_true(n > 0 && (size_t)n < cap);
}

static int testdb_seq;

void testdb_use(char *location, size_t cap, const char *dir)
{
    const char *base = getenv("KC_TEST_PG");
    char name[64];
    char sql[128];
    Db *db = NULL;
    Err e;

    if (!base || !*base) {
        return;
    }
    snprintf(name, sizeof name, "kc_t_%ld_%d", (long)getpid(), ++testdb_seq);
    err_clear(&e);
    assert_int_equal(db_open(&db, base, &e), 0);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    assert_int_equal(db_exec(db, sql, &e), 0);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE template0", name);
    assert_int_equal(db_exec(db, sql, &e), 0);
    db_close(db);
    testdb_uri(base, name, location, cap);
    if (dir) {
        assert_int_equal(datadir_set(dir, &e), 0);
    }
}

void testdb_drop(const char *location)
{
    const char *base = getenv("KC_TEST_PG");
    const char *slash, *q;
    char sql[160];
    Db *db = NULL;
    Err e;

    if (!base || !*base || !db_is_pg_location(location)) {
        return;
    }
    slash = strchr(strstr(location, "://") + 3, '/');
    q = strchr(slash, '?');
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.*s WITH (FORCE)",
             (int)(q ? q - slash - 1 : (long)strlen(slash + 1)), slash + 1);
    err_clear(&e);
    if (db_open(&db, base, &e) == 0) {
        db_exec(db, sql, &e);
        db_close(db);
    }
    datadir_set(NULL, &e);
}

/* See testdb.h. */
void testdb_copy_checks(Db *db)
{
    static const char *s1 = "a\tb\nc\\d\re \\N 科技";
    char *cols[] = {"id", "s", "b", "n"};
    unsigned char blob[256];
    DbCopy *c = NULL;
    DbStmt *st = NULL;
    int64_t rows = -1;
    Err e;
    int i, rc;

    for (i = 0; i < 256; i++) {
        blob[i] = (unsigned char)i;
    }
    err_clear(&e);
    assert_int_equal(db_exec(db,
                             db_is_postgres(db)
                                 ? "CREATE TABLE cp (id BIGINT PRIMARY KEY, "
                                   "s TEXT, b BYTEA, n BIGINT)"
                                 : "CREATE TABLE cp (id INTEGER PRIMARY KEY, "
                                   "s TEXT, b BLOB, n INTEGER)",
                             &e),
                     0);
    /* outside a transaction: refused */
    assert_int_equal(db_copy_begin(db, "cp", cols, 4, &c, &e), ERR_INTERNAL);
    assert_null(c);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_copy_begin(db, "cp", cols, 4, &c, &e), 0);
    for (i = 1; i <= 1000; i++) {
        char id[24];
        snprintf(id, sizeof id, "%d", i);
        assert_int_equal(db_copy_value(c, DB_COPY_TEXT, id, strlen(id), &e), 0);
        if (i == 2) {
            assert_int_equal(db_copy_value(c, DB_COPY_TEXT, "", 0, &e), 0);
            assert_int_equal(db_copy_value(c, DB_COPY_NULL, NULL, 0, &e), 0);
        } else {
            assert_int_equal(db_copy_value(c, DB_COPY_TEXT, s1, strlen(s1), &e),
                             0);
            assert_int_equal(
                db_copy_value(c, DB_COPY_BLOB, blob, sizeof blob, &e), 0);
        }
        assert_int_equal(db_copy_value(c, i == 3 ? DB_COPY_NULL : DB_COPY_TEXT,
                                       "-42", 3, &e),
                         0);
        assert_int_equal(db_copy_row(c, &e), 0);
    }
    assert_int_equal(db_copy_end(c, &rows, &e), 0);
    assert_int_equal(rows, 1000);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(db_prepare(db,
                                "SELECT id, s, b, n FROM cp WHERE id <= 3 "
                                "ORDER BY id",
                                &st, &e),
                     0);
    for (i = 1; i <= 3; i++) {
        assert_int_equal(db_step(st, &e), DB_ROW);
        assert_int_equal(db_col_int64(st, 0), i);
        if (i == 2) {
            assert_string_equal(db_col_text(st, 1), "");
            assert_true(db_col_is_null(st, 2));
        } else {
            assert_string_equal(db_col_text(st, 1), s1);
            assert_int_equal(db_col_bytes(st, 2), sizeof blob);
            assert_memory_equal(db_col_blob(st, 2), blob, sizeof blob);
        }
        if (i == 3) {
            assert_true(db_col_is_null(st, 3));
        } else {
            assert_int_equal(db_col_int64(st, 3), -42);
        }
    }
    db_finalize(st);
    /* a duplicate key: the copy fails and the transaction is rolled back */
    assert_int_equal(db_begin(db, &e), 0);
    rc = db_copy_begin(db, "cp", cols, 4, &c, &e);
    assert_int_equal(rc, 0);
    for (i = 0; i < 4 && rc == 0; i++) {
        rc = db_copy_value(c, i == 0 ? DB_COPY_TEXT : DB_COPY_NULL,
                           i == 0 ? "1" : NULL, i == 0 ? 1 : 0, &e);
    }
    if (rc == 0) {
        rc = db_copy_row(c, &e);
    }
    rc = db_copy_end(c, rc == 0 ? &rows : NULL, &e) || rc;
    assert_int_not_equal(rc, 0);
    db_rollback(db);
    /* a row with too few values, a bad column name: refused */
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_copy_begin(db, "cp", cols, 4, &c, &e), 0);
    assert_int_equal(db_copy_value(c, DB_COPY_TEXT, "5000", 4, &e), 0);
    assert_int_equal(db_copy_row(c, &e), ERR_INTERNAL);
    assert_int_not_equal(db_copy_end(c, &rows, &e), 0);
    db_rollback(db);
    cols[1] = "s; DROP TABLE cp";
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_copy_begin(db, "cp", cols, 4, &c, &e), ERR_INTERNAL);
    db_rollback(db);
    assert_int_equal(
        db_query_int64(db, &rows, &e, "SELECT COUNT(*) FROM cp", ""), 0);
    assert_int_equal(rows, 1000);
}
