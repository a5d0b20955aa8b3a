/* testdb.h - the database a test opens: an SQLite file, or a fresh
 * PostgreSQL database when KC_TEST_PG is set (tests/scripts/lib/pg.sh). */
#ifndef KC_TESTS_TESTDB_H
#define KC_TESTS_TESTDB_H

#include <stddef.h>

#include "db/db.h"

/* When KC_TEST_PG (a libpq URI of a maintenance database, e.g.
 * "postgresql:///postgres?host=/tmp/x&port=5432&user=postgres") is set:
 * create a new empty database, write its URI into location (replacing the
 * SQLite path there) and make dir the data_dir for the files that sit
 * beside an SQLite database. Otherwise leave location alone. Aborts the
 * test on failure. */
void testdb_use(char *location, size_t cap, const char *dir);
/* Drop the database of testdb_use (nothing for an SQLite path; the file is
 * the caller's). Every connection to it must be closed. */
void testdb_drop(const char *location);
/* 1 when the tests run on PostgreSQL. */
int testdb_is_pg(void);

/* db_copy_* on db (either backend; it creates a table "cp"): text
 * with COPY's special characters, empty text, NULL and a blob of every byte
 * arrive unchanged; the rows taken are counted; a bad value fails (at the
 * latest at db_copy_end) and nothing is kept. Asserts. */
void testdb_copy_checks(Db *db);

#endif
