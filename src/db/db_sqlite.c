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
#include "db/db_impl.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "base/log.h"
#include "base/mem.h"

/* Milliseconds a statement waits for a lock before giving up (ERR_BUSY). */
#define DB_BUSY_TIMEOUT_MS 5000
/* Idle prepared statements kept per connection. */
#define DB_STMT_CACHE_MAX 32

typedef struct SqDb SqDb;

typedef struct SqStmt {
    DbStmt base;
    SqDb *db;
    sqlite3_stmt *st;
    char *key; /* the SQL text as given to db_prepare (cache key) */
} SqStmt;

struct SqDb {
    Db base;
    sqlite3 *conn;
    char *location;
    SqStmt *cache[DB_STMT_CACHE_MAX]; /* idle statements, oldest first */
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
static int db_fail(SqDb *db, int rc, const char *sql, Err *e)
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
static int db_bind_result(SqStmt *st, int idx, int rc)
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
static int db_pragma(SqDb *db, const char *sql, Err *e)
{
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK) {
        return db_fail(db, rc, sql, e);
    }
    return ERR_OK;
}

static const DbOps sq_ops;
static void sq_close(Db *d);
static void sq_rollback(Db *d);

/* Every connection reads through a memory map of up to this size (SQLite
 * clamps it to its compile-time maximum). */
#define SQ_MMAP_PRAGMA "PRAGMA mmap_size = 4294967296"

/* Longest text kc_grams reads: the characters search_seq numbers
 * (migration 006), so its grams are the view's. */
#define SQ_GRAMS_CHARS 256

/* Length of the UTF-8 character at s (1 for a stray byte, as SQLite's
 * own character counting steps over continuation bytes). */
static size_t sq_utf8_len(const unsigned char *s, size_t left)
{
    size_t n = 1;

    while (n < left && (s[n] & 0xC0) == 0x80) {
        n++;
    }
    return n;
}

/* SQL function kc_grams(text): every two adjacent characters of text
 * (the last character alone), separated by single spaces - the text the
 * view enterprise_gram_text (migration 006) builds for one column with
 * group_concat(substr(x, n, 2), ' ') over search_seq, computed in one
 * pass instead of one substr per character. NULL when text is NULL or
 * empty (group_concat over no rows). Used by db_search_reindex. */
static void sq_fn_grams(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const unsigned char *t;
    size_t len, pos[SQ_GRAMS_CHARS + 2], o = 0;
    int nch = 0;
    char *out;

    (void)argc;
    t = sqlite3_value_text(argv[0]);
    if (!t) {
        sqlite3_result_null(cx);
        return;
    }
    len = (size_t)sqlite3_value_bytes(argv[0]);
    /* the start of each character, up to one past the last gram */
    for (size_t i = 0; i < len && nch <= SQ_GRAMS_CHARS;
         i += sq_utf8_len(t + i, len - i)) {
        pos[nch++] = i;
    }
    if (nch == 0) {
        sqlite3_result_null(cx);
        return;
    }
    {
        /* the end of the character after the last one counted */
        size_t last = pos[nch - 1];
        pos[nch] = last + sq_utf8_len(t + last, len - last);
    }
    /* each character in at most two grams, a space after each gram */
    out = sqlite3_malloc64((sqlite3_uint64)len * 3 + 1);
    if (!out) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    for (int n = 0; n < nch && n < SQ_GRAMS_CHARS; n++) {
        size_t end = n + 2 <= nch ? pos[n + 2] : pos[nch];
        if (n > 0) {
            out[o++] = ' ';
        }
        memcpy(out + o, t + pos[n], end - pos[n]);
        o += end - pos[n];
    }
    sqlite3_result_text(cx, out, (int)o, sqlite3_free);
}

/* Open the SQLite database at path (created if missing) and configure the
 * connection. On failure *out is NULL and e is set. The Db is freed with
 * db_close. */
int db_sqlite_open(Db **out, const char *location, Err *e)
{
    SqDb *db = NULL;
    char *mode = NULL;
    int rc;

    *out = NULL;
    if (!sqlite3_threadsafe()) {
        log_error("db: the SQLite library was built without thread support");
        rc = db_err(e, ERR_INTERNAL, "db", "数据库错误");
        goto out;
    }
    pthread_once(&db_global_once, db_sqlite_global);
    db = xcalloc(1, sizeof *db);
    db->base.ops = &sq_ops;
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
    rc = sqlite3_create_function_v2(db->conn, "kc_grams", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC |
                                        SQLITE_INNOCUOUS,
                                    NULL, sq_fn_grams, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        log_error("db: cannot register kc_grams: %s", sqlite3_errstr(rc));
        rc = db_err(e, ERR_INTERNAL, "db", "数据库错误");
        goto out;
    }
    rc = db_query_text(&db->base, &mode, e, "PRAGMA journal_mode=WAL", "");
    if (rc) {
        goto out;
    }
    if (!mode || strcmp(mode, "wal") != 0) {
        if (strcmp(location, ":memory:") != 0) {
            log_warn("db: %s: journal mode is %s, not wal", location,
                     mode ? mode : "?");
        }
    }
    /* mmap_size: reads of database pages as mapped memory instead of a
     * pread copy into the connection's small page cache (a list request
     * at 1M spent ~40 % of its CPU copying pages in the kernel) */
    rc = db_pragma(db,
                   "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                   "PRAGMA temp_store=MEMORY; " SQ_MMAP_PRAGMA,
                   e);
    if (rc) {
        goto out;
    }
    *out = &db->base;
    db = NULL;
out:
    free(mode);
    if (db) {
        sq_close(&db->base);
    }
    return rc;
}

/* Close the connection and free db. Every statement must have been
 * finalized before. */
static void sq_close(Db *d)
{
    SqDb *db = (SqDb *)d;
    int i;

    for (i = 0; i < db->n_cache; i++) {
        sqlite3_finalize(db->cache[i]->st);
        free(db->cache[i]->key);
        free(db->cache[i]);
    }
    db->n_cache = 0;
    if (db->conn) {
        if (!sqlite3_get_autocommit(db->conn)) {
            sq_rollback(d);
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

static const char *sq_location(const Db *d)
{
    return ((const SqDb *)d)->location;
}

/* Run sql (one or more statements, no parameters). */
static int sq_exec(Db *d, const char *sql, Err *e)
{
    SqDb *db = (SqDb *)d;
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK) {
        return db_fail(db, rc, sql, e);
    }
    return ERR_OK;
}

/* ---- statements -------------------------------------------------------- */

/* Take an idle statement for sql out of the cache, or NULL. */
static SqStmt *sq_cache_take(SqDb *db, const char *sql)
{
    int i;

    for (i = db->n_cache - 1; i >= 0; i--) {
        SqStmt *st = db->cache[i];
        if (strcmp(st->key, sql) == 0) {
            memmove(db->cache + i, db->cache + i + 1,
                    (size_t)(db->n_cache - i - 1) * sizeof(SqStmt *));
            db->n_cache--;
            return st;
        }
    }
    return NULL;
}

static void sq_stmt_free(SqStmt *st)
{
    sqlite3_finalize(st->st);
    free(st->key);
    free(st);
}

/* Compile one statement (allocates a statement, freed by db_finalize). SQL
 * holding more than one statement is refused as a bug (ERR_INTERNAL). */
static int sq_prepare(Db *d, const char *sql, DbStmt **out, Err *e)
{
    SqDb *db = (SqDb *)d;
    SqStmt *st = NULL;
    char *text = NULL;
    const char *tail = NULL;
    sqlite3_stmt *raw = NULL;
    size_t len;
    int rc;

    *out = NULL;
    st = sq_cache_take(db, sql);
    if (st) {
        *out = &st->base;
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
    st->base.ops = &sq_ops;
    st->db = db;
    st->st = raw;
    st->key = xstrdup(sql);
    raw = NULL;
    *out = &st->base;
    rc = ERR_OK;
out:
    sqlite3_finalize(raw);
    free(text);
    return rc || *out ? rc : ERR_INTERNAL; /* 0 always comes with *out */
}

/* Release st: it is reset, its bindings cleared and it goes back to the
 * connection's cache (the oldest idle statement is freed when full). */
static void sq_finalize(DbStmt *s)
{
    SqStmt *st = (SqStmt *)s;
    SqDb *db = st->db;
    int i;

    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
    for (i = 0; i < db->n_cache; i++) {
        if (strcmp(db->cache[i]->key, st->key) == 0) {
            sq_stmt_free(st); /* the same SQL is already cached */
            return;
        }
    }
    if (db->n_cache == DB_STMT_CACHE_MAX) {
        sq_stmt_free(db->cache[0]);
        memmove(db->cache, db->cache + 1,
                (size_t)(DB_STMT_CACHE_MAX - 1) * sizeof(SqStmt *));
        db->n_cache--;
    }
    db->cache[db->n_cache++] = st;
}

static void sq_reset(DbStmt *s)
{
    sqlite3_reset(((SqStmt *)s)->st);
}

static int sq_param_count(DbStmt *s)
{
    return sqlite3_bind_parameter_count(((SqStmt *)s)->st);
}

static int sq_bind_int64(DbStmt *s, int idx, int64_t v)
{
    SqStmt *st = (SqStmt *)s;

    return db_bind_result(st, idx,
                          sqlite3_bind_int64(st->st, idx, (sqlite3_int64)v));
}

static int sq_bind_textn(DbStmt *s, int idx, const char *p, size_t n)
{
    SqStmt *st = (SqStmt *)s;

    return db_bind_result(
        st, idx,
        sqlite3_bind_text64(st->st, idx, p, n, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int sq_bind_blob(DbStmt *s, int idx, const void *p, size_t n, int copy)
{
    SqStmt *st = (SqStmt *)s;

    return db_bind_result(
        st, idx,
        sqlite3_bind_blob64(st->st, idx, p, n,
                            copy ? SQLITE_TRANSIENT : SQLITE_STATIC));
}

static int sq_bind_null(DbStmt *s, int idx)
{
    SqStmt *st = (SqStmt *)s;

    return db_bind_result(st, idx, sqlite3_bind_null(st->st, idx));
}

/* Advance st: DB_ROW, DB_DONE or an ERR_* code with e set. */
static int sq_step(DbStmt *s, Err *e)
{
    SqStmt *st = (SqStmt *)s;
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

static int sq_col_count(DbStmt *s)
{
    return sqlite3_column_count(((SqStmt *)s)->st);
}

static const char *sq_col_name(DbStmt *s, int col)
{
    return sqlite3_column_name(((SqStmt *)s)->st, col);
}

static int sq_col_is_null(DbStmt *s, int col)
{
    return sqlite3_column_type(((SqStmt *)s)->st, col) == SQLITE_NULL;
}

static int64_t sq_col_int64(DbStmt *s, int col)
{
    return (int64_t)sqlite3_column_int64(((SqStmt *)s)->st, col);
}

static const char *sq_col_text(DbStmt *s, int col)
{
    SqStmt *st = (SqStmt *)s;

    if (sqlite3_column_type(st->st, col) == SQLITE_NULL) {
        return NULL;
    }
    return (const char *)sqlite3_column_text(st->st, col);
}

static size_t sq_col_bytes(DbStmt *s, int col)
{
    return (size_t)sqlite3_column_bytes(((SqStmt *)s)->st, col);
}

static const void *sq_col_blob(DbStmt *s, int col)
{
    return sqlite3_column_blob(((SqStmt *)s)->st, col);
}

static int64_t sq_changes(Db *d)
{
    return (int64_t)sqlite3_changes64(((SqDb *)d)->conn);
}

/* ---- transactions ------------------------------------------------------ */

/* Begin a write transaction (the write lock is taken now, waiting up to
 * the busy timeout for another writer), or a read transaction: one
 * consistent snapshot for several queries. */
static int sq_begin(Db *d, int write, Err *e)
{
    return sq_exec(d, write ? "BEGIN IMMEDIATE" : "BEGIN", e);
}

static int sq_commit(Db *d, Err *e)
{
    return sq_exec(d, "COMMIT", e);
}

static void sq_rollback(Db *d)
{
    SqDb *db = (SqDb *)d;
    int rc = sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);

    if (rc != SQLITE_OK) {
        log_error("db: ROLLBACK: %s", sqlite3_errmsg(db->conn));
    }
}

static int sq_in_tx(const Db *d)
{
    return !sqlite3_get_autocommit(((const SqDb *)d)->conn);
}

static int sq_backup(Db *d, const char *dest, Err *e)
{
    SqDb *db = (SqDb *)d;
    sqlite3_stmt *st = NULL;
    int rc;

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

/* ---- backend differences ----------------------------------------------- */

static int sq_check(Db *d, char **report, Err *e)
{
    return db_query_text(d, report, e, "PRAGMA quick_check", "");
}

/* Foreign-key checks off for a bulk load (and back on). The setting
 * cannot change inside a transaction. */
static int sq_bulk(Db *d, int on, Err *e)
{
    return sq_exec(
        d, on ? "PRAGMA foreign_keys = OFF" : "PRAGMA foreign_keys = ON", e);
}

static int sq_tune(Db *d, DbTune what, Err *e)
{
    const char *sql = NULL;
    Err te;

    switch (what) {
    case DB_TUNE_SCAN_BEGIN:
        /* reads of the large tables as memory-mapped pages, no copies */
        sql = "PRAGMA mmap_size = 4294967296";
        break;
    case DB_TUNE_SCAN_END:
        sql = SQ_MMAP_PRAGMA; /* the default of every connection */
        break;
    case DB_TUNE_BULK_WRITE:
        /* lookups by USCC and inserts touch many index pages */
        sql = "PRAGMA cache_size = -32768";
        break;
    case DB_TUNE_BULK_END:
        sql = "PRAGMA cache_size = -2000"; /* SQLite's default */
        break;
    }
    if (sql && sq_exec(d, sql, &te) != 0) {
        log_warn("db: %s: %s", sql, te.msg);
    }
    return 0;
}

static int sq_col_is_blob(DbStmt *s, int col)
{
    return sqlite3_column_type(((SqStmt *)s)->st, col) == SQLITE_BLOB;
}

/* Virtual tables (FTS5) and their shadow tables: the search hook's, kept
 * by triggers, never copied (db_tables also leaves out the tables kept on
 * both backends, db_kept_table). */
static int sq_internal_table(Db *d, const char *name)
{
    int64_t n = 0;
    Err e;

    if (db_query_int64(d, &n, &e,
                       "SELECT COUNT(*) FROM sqlite_master WHERE type = "
                       "'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' AND "
                       "($1 = name OR substr($1, 1, length(name) + 1) = "
                       "name || '_')",
                       "t", name) != 0) {
        return 0;
    }
    return n > 0 || strcmp(name, "search_seq") == 0;
}

static int sq_ids_sync(Db *d, const char *table, Err *e)
{
    return 0; /* INTEGER PRIMARY KEY continues above MAX(id) by itself */
}

static const DbOps sq_ops = {
    .backend = "sqlite",
    .close = sq_close,
    .location = sq_location,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .param_count = sq_param_count,
    .bind_int64 = sq_bind_int64,
    .bind_textn = sq_bind_textn,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_name = sq_col_name,
    .col_is_null = sq_col_is_null,
    .col_int64 = sq_col_int64,
    .col_text = sq_col_text,
    .col_bytes = sq_col_bytes,
    .col_blob = sq_col_blob,
    .changes = sq_changes,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .in_tx = sq_in_tx,
    .backup = sq_backup,
    .check = sq_check,
    .bulk = sq_bulk,
    .tune = sq_tune,
    .migration_sql = NULL,
    .col_is_blob = sq_col_is_blob,
    .tables_sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                  "name NOT LIKE 'sqlite_%' ORDER BY rowid",
    .internal_table = sq_internal_table,
    .ids_sync = sq_ids_sync,
};
