/* migrate.c - apply the schema migrations embedded in the binary.
 *
 * The applied versions are rows of schema_migrations (portable; not
 * PRAGMA user_version). Each migration runs in its own write transaction
 * together with its row, and the current version is read inside that
 * transaction, so two processes migrating at once apply each step once.
 * Only the interface of db.h is used: this file serves every backend. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "db/db.h"
#include "db/db_impl.h"
#include "db/migrate_data.h"

static const char MIGRATE_TABLE_SQL[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, "
    "applied_at TEXT NOT NULL)";

int db_schema_latest(void)
{
    int latest = 0;
    int i;

    for (i = 0; i < kc_n_migrations; i++) {
        if (kc_migrations[i].version > latest) {
            latest = kc_migrations[i].version;
        }
    }
    return latest;
}

/* Highest applied version (0 when none), read from an existing
 * schema_migrations table. */
static int migrate_read_version(Db *db, int *out, Err *e)
{
    int64_t v = 0;
    int rc;

    *out = 0;
    rc = db_query_int64(db, &v, e,
                        "SELECT COALESCE(MAX(version), 0) "
                        "FROM schema_migrations",
                        "");
    if (rc == ERR_OK) {
        *out = (int)v;
    }
    return rc;
}

/* Current schema version; creates the (empty) bookkeeping table on a new
 * database. */
int db_schema_version(Db *db, int *out, Err *e)
{
    int rc;

    *out = 0;
    rc = db_exec(db, MIGRATE_TABLE_SQL, e);
    if (rc) {
        goto out;
    }
    rc = migrate_read_version(db, out, e);
out:
    return rc;
}

/* Write the current UTC time as ISO-8601 ("2026-11-22T10:00:00Z"). */
static void migrate_now(char *buf, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Apply the first embedded migration newer than the database, in one write
 * transaction. *done is set to 1 when there was nothing left to apply.
 * Refuses (ERR_CONFLICT) a schema newer than this binary. */
static int migrate_step(Db *db, int *done, Err *e)
{
    const KcMigration *m = NULL;
    char *sql = NULL;
    char stamp[32];
    int cur = 0;
    int latest = db_schema_latest();
    int i;
    int rc;

    *done = 0;
    rc = db_begin(db, e);
    if (rc) {
        goto out;
    }
    rc = migrate_read_version(db, &cur, e);
    if (rc) {
        goto out;
    }
    if (cur > latest) {
        log_error("db: schema version %d is newer than this binary's %d", cur,
                  latest);
        rc = err_set(e, ERR_CONFLICT, "schema_version",
                     "数据库结构版本 %d 高于本程序支持的版本 %d，请升级 "
                     "kechuang",
                     cur, latest);
        goto out;
    }
    for (i = 0; i < kc_n_migrations && !m; i++) {
        if (kc_migrations[i].version > cur) {
            m = &kc_migrations[i];
        }
    }
    if (!m) {
        *done = 1;
        db_rollback(db);
        goto out;
    }
    log_info("db: applying migration %s", m->name);
    sql = db_migration_sql(db, m->version, m->sql);
    rc = sql ? db_exec(db, sql, e)
             : err_set(e, ERR_INTERNAL, "migration", "服务器内部错误");
    if (rc) {
        log_error("db: migration %s failed", m->name);
        rc = err_set(e, rc, "migration", "数据库升级（%s）失败", m->name);
        goto out;
    }
    migrate_now(stamp, sizeof stamp);
    rc = db_exec_v(db, e,
                   "INSERT INTO schema_migrations (version, name, applied_at) "
                   "VALUES ($1, $2, $3)",
                   "itt", (int64_t)m->version, m->name, stamp);
    if (rc) {
        goto out;
    }
    rc = db_commit(db, e);
out:
    free(sql);
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

/* Apply the missing migrations in order; *applied (may be NULL) gets how
 * many were applied, also when a later one fails. */
int db_migrate(Db *db, int *applied, Err *e)
{
    int n = 0;
    int done = 0;
    int rc;

    rc = db_exec(db, MIGRATE_TABLE_SQL, e);
    while (!rc && !done) {
        rc = migrate_step(db, &done, e);
        if (!rc && !done) {
            n++;
        }
    }
    if (applied) {
        *applied = n;
    }
    return rc;
}
