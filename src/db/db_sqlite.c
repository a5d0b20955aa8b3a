/* db_sqlite.c - the SQLite backend of db.h; the only file that includes
 * sqlite3.h.
 *
 * One Db is one sqlite3 connection opened in multi-thread mode (NOMUTEX):
 * the connection must be used by one thread at a time, and each worker
 * thread has its own. Portable SQL uses $N placeholders; they are turned
 * into SQLite's ?N at prepare time so that bind index N is $N. Finalized
 * statements go back to a small per-connection cache keyed by their SQL
 * text, so the hot path prepares each statement once per connection. */
#include "db/db.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "base/log.h"
#include "base/mem.h"

/* Milliseconds a statement waits for a lock before giving up (ERR_BUSY). */
#define DB_BUSY_TIMEOUT_MS 5000
/* Idle prepared statements kept per connection. */
#define DB_STMT_CACHE_MAX 32

struct DbStmt {
    Db *db;
    sqlite3_stmt *st;
    char *key; /* the SQL text as given to db_prepare (cache key) */
};

struct Db {
    sqlite3 *conn;
    char *location;
    DbStmt *cache[DB_STMT_CACHE_MAX]; /* idle statements, oldest first */
    int n_cache;
};

/* ---- errors ------------------------------------------------------------ */

/* Fill e with code, field and the fixed message msg; return code (which
 * err_set also does; returning it here lets the analyzer see it). */
static int db_err(Err *e, int code, const char *field, const char *msg)
{
    err_set(e, code, field, "%s", msg);
    return code;
}

/* Copy the column list of a SQLite "UNIQUE constraint failed: t.a, t.b"
 * message into field as "a,b" (column names only). field is left empty when
 * the message has another shape. */
static void db_conflict_field(const char *msg, char *field, size_t cap)
{
    const char *p = msg ? strstr(msg, "constraint failed: ") : NULL;
    size_t n = 0;

    field[0] = '\0';
    if (!p) {
        return;
    }
    p += strlen("constraint failed: ");
    while (*p && n + 1 < cap) {
        const char *end = strchr(p, ',');
        const char *dot;
        size_t len;

        if (!end) {
            end = p + strlen(p);
        }
        dot = memchr(p, '.', (size_t)(end - p));
        if (dot) {
            p = dot + 1;
        }
        len = (size_t)(end - p);
        if (n > 0 && n + 1 < cap) {
            field[n++] = ',';
        }
        if (len > cap - 1 - n) {
            len = cap - 1 - n;
        }
        memcpy(field + n, p, len);
        n += len;
        field[n] = '\0';
        p = end;
        while (*p == ',' || *p == ' ') {
            p++;
        }
    }
}

/* The ERR_* code and user-safe zh-CN message for an extended SQLite result
 * code. */
static int db_code_of(int ext, const char **user)
{
    switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        *user = "数据冲突：该记录已存在";
        return ERR_CONFLICT;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        *user = "数据冲突：关联的记录不存在或仍被引用";
        return ERR_CONFLICT;
    default:
        break;
    }
    switch (ext & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        *user = "数据库忙，请稍后重试";
        return ERR_BUSY;
    case SQLITE_FULL:
        *user = "数据库错误：磁盘空间不足";
        return ERR_DB;
    case SQLITE_READONLY:
        *user = "数据库错误：数据库文件只读";
        return ERR_DB;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        *user = "数据库错误：数据库文件无效或已损坏";
        return ERR_DB;
    default:
        *user = "数据库错误";
        return ERR_DB;
    }
}

/* Translate the connection's last SQLite error (rc is the result of the
 * failed call) into an ERR_* code and a user-safe zh-CN message in e. The
 * SQLite message and the SQL text (which never holds values: they are bound)
 * go to the log: conflicts and busy as warnings (they are expected under
 * normal use), the rest as errors. Returns the ERR_* code. */
static int db_fail(Db *db, int rc, const char *sql, Err *e)
{
    int ext = db && db->conn ? sqlite3_extended_errcode(db->conn) : rc;
    const char *msg =
        db && db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc);
    const char *user = NULL;
    char field[ERR_FIELD_MAX] = "";
    int code;

    if ((rc & 0xff) != (ext & 0xff)) {
        ext = rc; /* the connection's code belongs to another call */
        msg = sqlite3_errstr(rc);
    }
    code = db_code_of(ext, &user);
    log_msg(code == ERR_DB ? LOG_ERROR : LOG_WARN, "db: %s [%d] in: %s", msg,
            ext, sql ? sql : "");
    if (ext == SQLITE_CONSTRAINT_UNIQUE ||
        ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
        db_conflict_field(msg, field, sizeof field);
    }
    return db_err(e, code, field, user);
}

/* Map the result of a sqlite3_bind_* call to an ERR_* code (no Err: the
 * bind functions of db.h do not take one), logging the reason. */
static int db_bind_result(DbStmt *st, int idx, int rc)
{
    if (rc == SQLITE_OK) {
        return ERR_OK;
    }
    log_error("db: bind $%d: %s in: %s", idx, sqlite3_errstr(rc),
              st && st->st ? sqlite3_sql(st->st) : "");
    switch (rc) {
    case SQLITE_RANGE:
    case SQLITE_MISUSE:
        return ERR_INTERNAL;
    case SQLITE_TOOBIG:
        return ERR_TOOBIG;
    default:
        return ERR_DB;
    }
}

/* ---- placeholders ------------------------------------------------------ */

static int db_is_ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

/* Rewrite the $N placeholders of sql (in place: "$" becomes "?", so the
 * length does not change) outside string literals, quoted identifiers and
 * comments. A '$' that continues an identifier (a$1) is left alone. */
static void db_rewrite_placeholders(char *sql)
{
    char *p = sql;

    while (*p) {
        char close = 0;

        switch (*p) {
        case '\'':
        case '"':
        case '`':
            close = *p;
            break;
        case '[':
            close = ']';
            break;
        case '-':
            if (p[1] == '-') {
                p += strcspn(p, "\n");
                continue;
            }
            break;
        case '/':
            if (p[1] == '*') {
                char *end = strstr(p + 2, "*/");
                p = end ? end + 2 : p + strlen(p);
                continue;
            }
            break;
        case '$':
            if (p[1] >= '0' && p[1] <= '9' &&
                (p == sql || !db_is_ident_char((unsigned char)p[-1]))) {
                *p = '?';
            }
            break;
        default:
            break;
        }
        if (close) {
            /* a doubled quote inside is two adjacent quoted runs */
            char *end = strchr(p + 1, close);
            p = end ? end + 1 : p + strlen(p);
            continue;
        }
        p++;
    }
}

/* Whether s holds only white space, semicolons and comments. */
static int db_sql_is_blank(const char *s)
{
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' ||
            *s == ';') {
            s++;
        } else if (s[0] == '-' && s[1] == '-') {
            s += strcspn(s, "\n");
        } else if (s[0] == '/' && s[1] == '*') {
            const char *end = strstr(s + 2, "*/");
            if (!end) {
                return 1;
            }
            s = end + 2;
        } else {
            return 0;
        }
    }
    return 1;
}

/* ---- connection -------------------------------------------------------- */

/* Process-wide SQLite settings, applied once before the first connection.
 * Memory statistics off: with them on, every allocation SQLite makes
 * takes a global mutex, which bulk writes (imports, screening) pay per
 * row. kechuang never reads sqlite3_memory_used(). */
static void db_sqlite_global(void)
{
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK) {
        log_warn("db: SQLite memory statistics could not be turned off");
    }
}

static pthread_once_t db_global_once = PTHREAD_ONCE_INIT;

/* Run one PRAGMA (or other statement without result rows we need). */
static int db_pragma(Db *db, const char *sql, Err *e)
{
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK) {
        return db_fail(db, rc, sql, e);
    }
    return ERR_OK;
}

/* Open the SQLite database at path (created if missing) and configure the
 * connection. On failure *out is NULL and e is set. The Db is freed with
 * db_close. */
int db_open(Db **out, const char *location, Err *e)
{
    Db *db = NULL;
    char *mode = NULL;
    int rc;

    *out = NULL;
    if (!location || !*location) {
        rc = db_err(e, ERR_INVALID, "db", "未指定数据库文件");
        goto out;
    }
    if (!strncmp(location, "postgres://", 11) ||
        !strncmp(location, "postgresql://", 13)) {
        rc = db_err(e, ERR_INVALID, "db",
                    "本程序尚不支持 PostgreSQL 数据库，请使用 SQLite 文件");
        goto out;
    }
    if (!sqlite3_threadsafe()) {
        log_error("db: the SQLite library was built without thread support");
        rc = db_err(e, ERR_INTERNAL, "db", "数据库错误");
        goto out;
    }
    pthread_once(&db_global_once, db_sqlite_global);
    db = xcalloc(1, sizeof *db);
    db->location = xstrdup(location);
    rc = sqlite3_open_v2(
        location, &db->conn,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        log_error("db: cannot open %s: %s", location,
                  db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc));
        rc = db_err(e, ERR_IO, "db", "无法打开数据库文件");
        goto out;
    }
    sqlite3_extended_result_codes(db->conn, 1);
    sqlite3_busy_timeout(db->conn, DB_BUSY_TIMEOUT_MS);
    /* Portability and hardening: no "double-quoted string literals" (they
     * are identifiers in PostgreSQL), no schema-corrupting writes. The
     * schema stays trusted (trusted_schema=OFF forbids the FTS5 sync
     * triggers the search index needs). */
    sqlite3_db_config(db->conn, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
    sqlite3_db_config(db->conn, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
    sqlite3_db_config(db->conn, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    rc = db_query_text(db, &mode, e, "PRAGMA journal_mode=WAL", "");
    if (rc) {
        goto out;
    }
    if (!mode || strcmp(mode, "wal") != 0) {
        if (strcmp(location, ":memory:") != 0) {
            log_warn("db: %s: journal mode is %s, not wal", location,
                     mode ? mode : "?");
        }
    }
    rc = db_pragma(db,
                   "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                   "PRAGMA temp_store=MEMORY",
                   e);
    if (rc) {
        goto out;
    }
    *out = db;
    db = NULL;
out:
    free(mode);
    db_close(db);
    return rc;
}

/* Close the connection and free db (NULL is fine). Every statement must
 * have been finalized before. */
void db_close(Db *db)
{
    int i;

    if (!db) {
        return;
    }
    for (i = 0; i < db->n_cache; i++) {
        sqlite3_finalize(db->cache[i]->st);
        free(db->cache[i]->key);
        free(db->cache[i]);
    }
    db->n_cache = 0;
    if (db->conn) {
        if (!sqlite3_get_autocommit(db->conn)) {
            db_rollback(db);
        }
        if (sqlite3_close(db->conn) != SQLITE_OK) {
            log_error("db: close %s: statements still open (a bug)",
                      db->location);
            sqlite3_close_v2(db->conn);
        }
    }
    free(db->location);
    free(db);
}

const char *db_backend(const Db *db)
{
    return "sqlite";
}

const char *db_location(const Db *db)
{
    return db ? db->location : "";
}

/* Run sql (one or more statements, no parameters). */
int db_exec(Db *db, const char *sql, Err *e)
{
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK) {
        return db_fail(db, rc, sql, e);
    }
    return ERR_OK;
}

/* ---- statements -------------------------------------------------------- */

/* Take an idle statement for sql out of the cache, or NULL. */
static DbStmt *db_cache_take(Db *db, const char *sql)
{
    int i;

    for (i = db->n_cache - 1; i >= 0; i--) {
        DbStmt *st = db->cache[i];
        if (strcmp(st->key, sql) == 0) {
            memmove(db->cache + i, db->cache + i + 1,
                    (size_t)(db->n_cache - i - 1) * sizeof(DbStmt *));
            db->n_cache--;
            return st;
        }
    }
    return NULL;
}

static void db_stmt_free(DbStmt *st)
{
    sqlite3_finalize(st->st);
    free(st->key);
    free(st);
}

/* Compile one statement (allocates a DbStmt, freed by db_finalize). SQL
 * holding more than one statement is refused as a bug (ERR_INTERNAL). */
int db_prepare(Db *db, const char *sql, DbStmt **out, Err *e)
{
    DbStmt *st = NULL;
    char *text = NULL;
    const char *tail = NULL;
    sqlite3_stmt *raw = NULL;
    size_t len;
    int rc;

    *out = NULL;
    st = db_cache_take(db, sql);
    if (st) {
        *out = st;
        return ERR_OK;
    }
    len = strlen(sql);
    if (len >= INT_MAX) {
        rc = db_err(e, ERR_INTERNAL, NULL, "数据库错误");
        goto out;
    }
    text = xstrndup(sql, len);
    db_rewrite_placeholders(text);
    rc = sqlite3_prepare_v3(db->conn, text, (int)len + 1,
                            SQLITE_PREPARE_PERSISTENT, &raw, &tail);
    if (rc != SQLITE_OK) {
        rc = db_fail(db, rc, sql, e);
        goto out;
    }
    if (!raw) {
        log_error("db: prepare: empty SQL");
        rc = db_err(e, ERR_INTERNAL, NULL, "数据库错误");
        goto out;
    }
    if (tail && !db_sql_is_blank(tail)) {
        log_error("db: prepare: more than one statement in: %s", sql);
        rc = db_err(e, ERR_INTERNAL, NULL, "数据库错误");
        goto out;
    }
    st = xmalloc(sizeof *st);
    st->db = db;
    st->st = raw;
    st->key = xstrdup(sql);
    raw = NULL;
    *out = st;
    rc = ERR_OK;
out:
    sqlite3_finalize(raw);
    free(text);
    return rc || *out ? rc : ERR_INTERNAL; /* 0 always comes with *out */
}

/* Release st: it is reset, its bindings cleared and it goes back to the
 * connection's cache (the oldest idle statement is freed when full). */
void db_finalize(DbStmt *st)
{
    Db *db;
    int i;

    if (!st) {
        return;
    }
    db = st->db;
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
    for (i = 0; i < db->n_cache; i++) {
        if (strcmp(db->cache[i]->key, st->key) == 0) {
            db_stmt_free(st); /* the same SQL is already cached */
            return;
        }
    }
    if (db->n_cache == DB_STMT_CACHE_MAX) {
        db_stmt_free(db->cache[0]);
        memmove(db->cache, db->cache + 1,
                (size_t)(DB_STMT_CACHE_MAX - 1) * sizeof(DbStmt *));
        db->n_cache--;
    }
    db->cache[db->n_cache++] = st;
}

void db_reset(DbStmt *st)
{
    sqlite3_reset(st->st);
}

int db_bind_int64(DbStmt *st, int idx, int64_t v)
{
    return db_bind_result(st, idx,
                          sqlite3_bind_int64(st->st, idx, (sqlite3_int64)v));
}

int db_bind_text(DbStmt *st, int idx, const char *s)
{
    if (!s) {
        return db_bind_null(st, idx);
    }
    return db_bind_textn(st, idx, s, strlen(s));
}

int db_bind_textn(DbStmt *st, int idx, const char *s, size_t n)
{
    if (!s) {
        return db_bind_null(st, idx);
    }
    return db_bind_result(
        st, idx,
        sqlite3_bind_text64(st->st, idx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8));
}

int db_bind_blob_static(DbStmt *st, int idx, const void *p, size_t n)
{
    if (!p) {
        return db_bind_null(st, idx);
    }
    return db_bind_result(
        st, idx, sqlite3_bind_blob64(st->st, idx, p, n, SQLITE_STATIC));
}

int db_bind_blob(DbStmt *st, int idx, const void *p, size_t n)
{
    if (!p) {
        return db_bind_null(st, idx);
    }
    return db_bind_result(
        st, idx, sqlite3_bind_blob64(st->st, idx, p, n, SQLITE_TRANSIENT));
}

int db_bind_null(DbStmt *st, int idx)
{
    return db_bind_result(st, idx, sqlite3_bind_null(st->st, idx));
}

/* Advance st: DB_ROW, DB_DONE or an ERR_* code with e set. */
int db_step(DbStmt *st, Err *e)
{
    int rc = sqlite3_step(st->st);

    if (rc == SQLITE_ROW) {
        return DB_ROW;
    }
    if (rc == SQLITE_DONE) {
        return DB_DONE;
    }
    rc = db_fail(st->db, rc, st->key, e);
    sqlite3_reset(st->st); /* release locks held by the failed statement */
    return rc;
}

int db_col_count(DbStmt *st)
{
    return sqlite3_column_count(st->st);
}

const char *db_col_name(DbStmt *st, int col)
{
    return sqlite3_column_name(st->st, col);
}

int db_col_is_null(DbStmt *st, int col)
{
    return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

int64_t db_col_int64(DbStmt *st, int col)
{
    return (int64_t)sqlite3_column_int64(st->st, col);
}

const char *db_col_text(DbStmt *st, int col)
{
    if (sqlite3_column_type(st->st, col) == SQLITE_NULL) {
        return NULL;
    }
    return (const char *)sqlite3_column_text(st->st, col);
}

size_t db_col_bytes(DbStmt *st, int col)
{
    return (size_t)sqlite3_column_bytes(st->st, col);
}

const void *db_col_blob(DbStmt *st, int col)
{
    return sqlite3_column_blob(st->st, col);
}

int64_t db_changes(Db *db)
{
    return (int64_t)sqlite3_changes64(db->conn);
}

/* ---- transactions ------------------------------------------------------ */

/* Open a transaction with sql ("BEGIN ..."); nesting is a bug. */
static int db_begin_with(Db *db, const char *sql, Err *e)
{
    if (db_in_tx(db)) {
        log_error("db: %s inside an open transaction", sql);
        return db_err(e, ERR_INTERNAL, NULL, "数据库错误");
    }
    return db_exec(db, sql, e);
}

/* Begin a write transaction: the write lock is taken now, waiting up to the
 * busy timeout for another writer. */
int db_begin(Db *db, Err *e)
{
    return db_begin_with(db, "BEGIN IMMEDIATE", e);
}

/* Begin a read transaction: one consistent snapshot for several queries. */
int db_begin_read(Db *db, Err *e)
{
    return db_begin_with(db, "BEGIN", e);
}

/* Commit the open transaction. If the commit fails, the transaction is rolled
 * back, so no transaction is open afterwards either way. */
int db_commit(Db *db, Err *e)
{
    int rc;

    if (!db_in_tx(db)) {
        log_error("db: COMMIT without a transaction");
        return db_err(e, ERR_INTERNAL, NULL, "数据库错误");
    }
    rc = db_exec(db, "COMMIT", e);
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

void db_rollback(Db *db)
{
    int rc;

    if (!db || !db_in_tx(db)) {
        return;
    }
    rc = sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        log_error("db: ROLLBACK: %s", sqlite3_errmsg(db->conn));
    }
}

int db_in_tx(const Db *db)
{
    return !sqlite3_get_autocommit(db->conn);
}

int db_backup(Db *db, const char *dest, Err *e)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (db_in_tx(db)) {
        return db_err(e, ERR_INTERNAL, "", "备份不能在事务中进行");
    }
    /* VACUUM INTO reads one consistent snapshot (writers go on) and writes
     * a compacted copy; it refuses a destination that exists. */
    rc = sqlite3_prepare_v2(db->conn, "VACUUM INTO ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, dest, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE) {
        log_error("db: backup to %s: %s", dest, sqlite3_errmsg(db->conn));
        sqlite3_finalize(st);
        return db_err(e, ERR_IO, "file", "写入备份文件失败");
    }
    sqlite3_finalize(st);
    return 0;
}

/* ---- conveniences ------------------------------------------------------ */

/* Prepare sql and bind the arguments described by types (see db.h). The
 * number of letters must equal the statement's number of parameters. */
static int db_prepare_va(Db *db, DbStmt **out, Err *e, const char *sql,
                         const char *types, va_list ap)
{
    DbStmt *st = NULL;
    int n = types ? (int)strlen(types) : 0;
    int i;
    int rc;

    *out = NULL;
    rc = db_prepare(db, sql, &st, e);
    if (rc) {
        goto out;
    }
    if (sqlite3_bind_parameter_count(st->st) != n) {
        log_error("db: %d parameter types for %d parameters in: %s", n,
                  sqlite3_bind_parameter_count(st->st), sql);
        rc = db_err(e, ERR_INTERNAL, NULL, "数据库错误");
        goto out;
    }
    for (i = 0; i < n; i++) {
        switch (types[i]) {
        case 'i':
            rc = db_bind_int64(st, i + 1, va_arg(ap, int64_t));
            break;
        case 't':
            rc = db_bind_text(st, i + 1, va_arg(ap, const char *));
            break;
        case 'p': {
            const int64_t *v = va_arg(ap, const int64_t *);
            rc = v ? db_bind_int64(st, i + 1, *v) : db_bind_null(st, i + 1);
            break;
        }
        case 'n':
            rc = db_bind_null(st, i + 1);
            break;
        default:
            log_error("db: unknown parameter type '%c' in: %s", types[i], sql);
            rc = ERR_INTERNAL;
            break;
        }
        if (rc) {
            rc = db_err(e, rc, NULL, "数据库错误");
            goto out;
        }
    }
    *out = st;
    st = NULL;
out:
    db_finalize(st);
    return rc;
}

int db_prepare_v(Db *db, DbStmt **out, Err *e, const char *sql,
                 const char *types, ...)
{
    va_list ap;
    int rc;

    va_start(ap, types);
    rc = db_prepare_va(db, out, e, sql, types, ap);
    va_end(ap);
    return rc;
}

/* Prepare, bind, step to the end and finalize. */
int db_exec_v(Db *db, Err *e, const char *sql, const char *types, ...)
{
    DbStmt *st = NULL;
    va_list ap;
    int rc;

    va_start(ap, types);
    rc = db_prepare_va(db, &st, e, sql, types, ap);
    va_end(ap);
    if (rc) {
        goto out;
    }
    do {
        rc = db_step(st, e);
    } while (rc == DB_ROW);
    if (rc == DB_DONE) {
        rc = ERR_OK;
    }
out:
    db_finalize(st);
    return rc;
}

/* Step st once and report ERR_NOTFOUND when there is no row. */
static int db_step_first(DbStmt *st, Err *e)
{
    int rc = db_step(st, e);

    if (rc == DB_ROW) {
        return ERR_OK;
    }
    if (rc == DB_DONE) {
        return db_err(e, ERR_NOTFOUND, NULL, "记录不存在");
    }
    return rc;
}

/* Step st to its end. A statement with RETURNING must run to completion:
 * reset after its first row, SQLite may undo the write (and, when a trigger
 * wrote to an FTS5 index, the whole open transaction). */
static int db_step_rest(DbStmt *st, Err *e)
{
    int rc;

    while ((rc = db_step(st, e)) == DB_ROW) {
    }
    return rc == DB_DONE ? ERR_OK : rc;
}

/* First column of the first row as int64 (SQL NULL gives 0). The statement
 * runs to its end, so INSERT ... RETURNING is safe here. */
int db_query_int64(Db *db, int64_t *out, Err *e, const char *sql,
                   const char *types, ...)
{
    DbStmt *st = NULL;
    va_list ap;
    int rc;

    *out = 0;
    va_start(ap, types);
    rc = db_prepare_va(db, &st, e, sql, types, ap);
    va_end(ap);
    if (rc) {
        goto out;
    }
    rc = db_step_first(st, e);
    if (rc) {
        goto out;
    }
    *out = db_col_int64(st, 0);
    rc = db_step_rest(st, e);
out:
    db_finalize(st);
    return rc;
}

/* First column of the first row as a malloc'd string the caller frees
 * (SQL NULL gives NULL). Runs the statement to its end, like
 * db_query_int64. */
int db_query_text(Db *db, char **out, Err *e, const char *sql,
                  const char *types, ...)
{
    DbStmt *st = NULL;
    const char *s;
    va_list ap;
    int rc;

    *out = NULL;
    va_start(ap, types);
    rc = db_prepare_va(db, &st, e, sql, types, ap);
    va_end(ap);
    if (rc) {
        goto out;
    }
    rc = db_step_first(st, e);
    if (rc) {
        goto out;
    }
    s = db_col_text(st, 0);
    if (s) {
        *out = xstrndup(s, db_col_bytes(st, 0));
    }
    rc = db_step_rest(st, e);
    if (rc) {
        free(*out);
        *out = NULL;
    }
out:
    db_finalize(st);
    return rc;
}
