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
