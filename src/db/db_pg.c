/* db_pg.c - the PostgreSQL backend of db.h over libpq; the only file that
 * includes libpq-fe.h.
 *
 * One Db is one PGconn. Statements run with PQexecParams (the extended
 * protocol, so $N placeholders are native and values travel apart from the
 * SQL); results come in text format and are read row by row by db_step.
 * Integers are sent typed (int8), text untyped so the server infers the
 * type from the context as SQLite's affinity would, blobs as binary bytea.
 * db_begin serialises writers as SQLite's BEGIN IMMEDIATE does, with a
 * transaction-level advisory lock; db_begin_read is a REPEATABLE READ
 * snapshot. Schema SQL is translated from the portable migrations, or
 * replaced by src/db/sql/pg/NNN_name.sql (docs/internals/db.md). */
#include "db/db.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "db/db_impl.h"
#include "db/migrate_data.h"

/* Type OIDs (server/catalog/pg_type_d.h is not part of libpq-dev). */
#define PG_BOOLOID 16
#define PG_BYTEAOID 17
#define PG_INT8OID 20
#define PG_TEXTOID 25

/* Parameters of one statement ($1 ... $PG_MAX_PARAMS). */
#define PG_MAX_PARAMS 4096
/* Key of the advisory lock writers take (any constant: "kc" in ASCII). */
#define PG_WRITE_LOCK "27491"

typedef struct PgDb {
    Db base;
    PGconn *conn;
    char *location; /* without the password */
    int64_t changes;
} PgDb;

typedef struct PgStmt {
    DbStmt base;
    PgDb *db;
    char *sql;
    int n_params;
    char **values; /* per parameter: malloc'd value or NULL (SQL NULL) */
    int *lengths;
    int *formats;
    Oid *types;
    unsigned char *unused; /* per parameter: 1 when $N does not occur */
    PGresult *res;         /* NULL until the first step after a reset */
    int row;               /* the current row of res, -1 before the first */
    int done;              /* stepped past the end */
    unsigned char **blobs; /* decoded bytea columns of the current row */
    size_t *blob_len;
} PgStmt;

static const DbOps pg_ops;

static int pg_err(Err *e, int code, const char *field, const char *msg)
{
    err_set(e, code, field, "%s", msg);
    return code;
}

/* ---- errors ------------------------------------------------------------ */

/* The column list of a unique violation's detail, "Key (a, b)=(…) already
 * exists.", into field as "a,b". */
static void pg_conflict_field(const char *detail, char *field, size_t cap)
{
    const char *p = detail ? strstr(detail, "Key (") : NULL;
    const char *end;
    size_t n = 0;

    field[0] = '\0';
    if (!p) {
        return;
    }
    p += 5;
    end = strstr(p, ")=");
    if (!end) {
        return;
    }
    for (; p < end && n + 1 < cap; p++) {
        if (*p != ' ') {
            field[n++] = *p;
        }
    }
    field[n] = '\0';
}

/* Translate a failed result (res may be NULL: a connection failure) into
 * an ERR_* code and a user-safe zh-CN message; the server's message and
 * the SQL go to the log. */
static int pg_fail(PgDb *db, const PGresult *res, const char *sql, Err *e)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    const char *user = "数据库错误";
    char field[ERR_FIELD_MAX] = "";
    int code = ERR_DB;

    if (!msg || !*msg) {
        msg = db && db->conn ? PQerrorMessage(db->conn) : "no connection";
    }
    if (!state) {
        state = "";
    }
    if (!strcmp(state, "23505")) {
        code = ERR_CONFLICT;
        user = "数据冲突：该记录已存在";
        pg_conflict_field(PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL),
                          field, sizeof field);
    } else if (!strcmp(state, "23503")) {
        code = ERR_CONFLICT;
        user = "数据冲突：关联的记录不存在或仍被引用";
    } else if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
               !strcmp(state, "55P03") || !strcmp(state, "57014")) {
        code = ERR_BUSY;
        user = "数据库忙，请稍后重试";
    } else if (!strcmp(state, "53100")) {
        user = "数据库错误：磁盘空间不足";
    } else if (!strcmp(state, "25006")) {
        user = "数据库错误：数据库只读";
    } else if (!strncmp(state, "08", 2) || !*state) {
        user = "数据库错误：与数据库服务器的连接中断";
    }
    log_msg(code == ERR_DB ? LOG_ERROR : LOG_WARN, "db: %s [%s] in: %s", msg,
            state, sql ? sql : "");
    return pg_err(e, code, field, user);
}

/* ---- placeholders ------------------------------------------------------ */

static int pg_ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Highest $N in sql outside literals, quoted identifiers and comments
 * (the same scan as SQLite's rewrite in db_sqlite.c). With used non-NULL
 * (PG_MAX_PARAMS + 1 bytes), used[N] is set for each $N that occurs. */
static int pg_count_params(const char *sql, unsigned char *used)
{
    const char *p = sql;
    int max = 0;

    while (*p) {
        char close = 0;

        if (*p == '\'' || *p == '"') {
            close = *p;
        } else if (p[0] == '-' && p[1] == '-') {
            p += strcspn(p, "\n");
            continue;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
            continue;
        } else if (*p == '$' && isdigit((unsigned char)p[1]) &&
                   (p == sql || !pg_ident_char((unsigned char)p[-1]))) {
            long n = strtol(p + 1, NULL, 10);
            if (n > max && n <= PG_MAX_PARAMS) {
                max = (int)n;
            }
            if (used && n >= 1 && n <= PG_MAX_PARAMS) {
                used[n] = 1;
            }
        }
        if (close) {
            const char *end = strchr(p + 1, close);
            p = end ? end + 1 : p + strlen(p);
            continue;
        }
        p++;
    }
    return max;
}

/* ---- connection -------------------------------------------------------- */

/* location without a password: "postgres://user:secret@host/db" is shown
 * as "postgres://user@host/db"; "password=" parameters are cut off. */
static char *pg_safe_location(const char *location)
{
    char *s = xstrdup(location);
    char *scheme = strstr(s, "://");
    char *at, *colon, *pw;

    if (scheme) {
        char *auth = scheme + 3;
        at = strchr(auth, '@');
        colon = strchr(auth, ':');
        if (at && colon && colon < at) {
            memmove(colon, at, strlen(at) + 1);
        }
    }
    pw = strstr(s, "password=");
    if (pw) {
        *pw = '\0';
    }
    return s;
}

static int pg_exec(Db *d, const char *sql, Err *e);

int db_pg_open(Db **out, const char *location, Err *e)
{
    PgDb *db = xcalloc(1, sizeof *db);
    int rc;

    *out = NULL;
    db->base.ops = &pg_ops;
    db->location = pg_safe_location(location);
    db->conn = PQconnectdb(location);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        log_error("db: cannot connect to %s: %s", db->location,
                  db->conn ? PQerrorMessage(db->conn) : "out of memory");
        rc = pg_err(e, ERR_IO, "db", "无法连接 PostgreSQL 数据库");
        goto out;
    }
    if (PQsetClientEncoding(db->conn, "UTF8") != 0) {
        log_error("db: %s: client encoding UTF8 refused", db->location);
        rc = pg_err(e, ERR_DB, "db", "数据库错误：不支持 UTF-8 编码");
        goto out;
    }
    /* A writer waits for another as long as SQLite's busy timeout. */
    rc = pg_exec(&db->base,
                 "SET client_min_messages = warning; "
                 "SET lock_timeout = '5s'; "
                 "SET standard_conforming_strings = on",
                 e);
    if (rc) {
        goto out;
    }
    *out = &db->base;
    db = NULL;
out:
    if (db) {
        if (db->conn) {
            PQfinish(db->conn);
        }
        free(db->location);
        free(db);
    }
    return rc;
}

static void pg_close(Db *d)
{
    PgDb *db = (PgDb *)d;

    if (db->conn) {
        if (PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
            PQclear(PQexec(db->conn, "ROLLBACK"));
        }
        PQfinish(db->conn);
    }
    free(db->location);
    free(db);
}

static const char *pg_location(const Db *d)
{
    return ((const PgDb *)d)->location;
}

/* Run sql: one or more statements without parameters (simple protocol). */
static int pg_exec(Db *d, const char *sql, Err *e)
{
    PgDb *db = (PgDb *)d;
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = 0;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
        st != PGRES_EMPTY_QUERY) {
        rc = pg_fail(db, res, sql, e);
    } else {
        db->changes = strtoll(PQcmdTuples(res), NULL, 10);
    }
    PQclear(res);
    return rc;
}

/* ---- statements -------------------------------------------------------- */

static void pg_clear_row(PgStmt *st)
{
    int i, n = st->res ? PQnfields(st->res) : 0;

    if (st->blobs) {
        for (i = 0; i < n; i++) {
            PQfreemem(st->blobs[i]);
            st->blobs[i] = NULL;
        }
    }
}

static void pg_reset(DbStmt *s)
{
    PgStmt *st = (PgStmt *)s;

    pg_clear_row(st);
    free(st->blobs);
    free(st->blob_len);
    st->blobs = NULL;
    st->blob_len = NULL;
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->done = 0;
}

static int pg_prepare(Db *d, const char *sql, DbStmt **out, Err *e)
{
    PgStmt *st = xcalloc(1, sizeof *st);
    unsigned char *used = xcalloc(PG_MAX_PARAMS + 1, 1);
    int n = pg_count_params(sql, used);
    int i;

    (void)e;
    st->base.ops = &pg_ops;
    st->db = (PgDb *)d;
    st->sql = xstrdup(sql);
    st->n_params = n;
    st->row = -1;
    if (n > 0) {
        st->values = xcalloc((size_t)n, sizeof *st->values);
        st->lengths = xcalloc((size_t)n, sizeof *st->lengths);
        st->formats = xcalloc((size_t)n, sizeof *st->formats);
        st->types = xcalloc((size_t)n, sizeof *st->types);
        st->unused = xcalloc((size_t)n, 1);
        for (i = 0; i < n; i++) {
            st->unused[i] = !used[i + 1];
        }
    }
    free(used);
    *out = &st->base;
    return 0;
}

static void pg_finalize(DbStmt *s)
{
    PgStmt *st = (PgStmt *)s;
    int i;

    pg_reset(s);
    for (i = 0; i < st->n_params; i++) {
        free(st->values[i]);
    }
    free(st->values);
    free(st->lengths);
    free(st->formats);
    free(st->types);
    free(st->unused);
    free(st->sql);
    free(st);
}

static int pg_param_count(DbStmt *s)
{
    return ((PgStmt *)s)->n_params;
}

/* Store parameter idx: n bytes of p (NULL: SQL NULL) of type oid in
 * format fmt (0 text, 1 binary). */
static int pg_bind(PgStmt *st, int idx, const void *p, size_t n, Oid oid,
                   int fmt)
{
    if (idx < 1 || idx > st->n_params) {
        log_error("db: bind $%d: out of range in: %s", idx, st->sql);
        return ERR_INTERNAL;
    }
    if (n > INT_MAX - 1) {
        return ERR_TOOBIG;
    }
    idx--;
    free(st->values[idx]);
    st->values[idx] = NULL;
    if (p) {
        st->values[idx] = xmalloc(n + 1);
        memcpy(st->values[idx], p, n);
        st->values[idx][n] = '\0';
    }
    st->lengths[idx] = (int)n;
    st->formats[idx] = fmt;
    st->types[idx] = oid; /* 0 for one the SQL skips: see pg_step */
    return 0;
}

static int pg_bind_int64(DbStmt *s, int idx, int64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)v);

    return pg_bind((PgStmt *)s, idx, buf, (size_t)n, PG_INT8OID, 0);
}

static int pg_bind_textn(DbStmt *s, int idx, const char *p, size_t n)
{
    return pg_bind((PgStmt *)s, idx, p, n, 0, 0);
}

static int pg_bind_blob(DbStmt *s, int idx, const void *p, size_t n, int copy)
{
    (void)copy; /* libpq sends the bytes at the step: always copied */
    return pg_bind((PgStmt *)s, idx, p, n, PG_BYTEAOID, 1);
}

static int pg_bind_null(DbStmt *s, int idx)
{
    return pg_bind((PgStmt *)s, idx, NULL, 0, 0, 0);
}

static int pg_step(DbStmt *s, Err *e)
{
    PgStmt *st = (PgStmt *)s;
    ExecStatusType rs;

    if (!st->res && !st->done) {
        for (int i = 0; i < st->n_params; i++) {
            if (st->unused[i] && !st->types[i]) {
                st->types[i] = PG_TEXTOID; /* never bound, or NULL */
            }
        }
        st->res = PQexecParams(st->db->conn, st->sql, st->n_params, st->types,
                               (const char *const *)st->values, st->lengths,
                               st->formats, 0);
        rs = st->res ? PQresultStatus(st->res) : PGRES_FATAL_ERROR;
        if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
            int rc = pg_fail(st->db, st->res, st->sql, e);
            PQclear(st->res);
            st->res = NULL;
            return rc;
        }
        st->db->changes = strtoll(PQcmdTuples(st->res), NULL, 10);
        st->row = -1;
        if (PQnfields(st->res) > 0) {
            st->blobs = xcalloc((size_t)PQnfields(st->res), sizeof *st->blobs);
            st->blob_len =
                xcalloc((size_t)PQnfields(st->res), sizeof *st->blob_len);
        }
    }
    if (!st->res) {
        return DB_DONE;
    }
    pg_clear_row(st);
    if (st->row + 1 < PQntuples(st->res)) {
        st->row++;
        return DB_ROW;
    }
    st->done = 1;
    st->row = PQntuples(st->res);
    return DB_DONE;
}

static int pg_has_row(const PgStmt *st, int col)
{
    return st->res && st->row >= 0 && st->row < PQntuples(st->res) &&
           col >= 0 && col < PQnfields(st->res);
}

static int pg_col_count(DbStmt *s)
{
    PgStmt *st = (PgStmt *)s;

    return st->res ? PQnfields(st->res) : 0;
}

static const char *pg_col_name(DbStmt *s, int col)
{
    PgStmt *st = (PgStmt *)s;

    return st->res ? PQfname(st->res, col) : NULL;
}

static int pg_col_is_null(DbStmt *s, int col)
{
    PgStmt *st = (PgStmt *)s;

    return !pg_has_row(st, col) || PQgetisnull(st->res, st->row, col);
}

static const char *pg_col_text(DbStmt *s, int col)
{
    PgStmt *st = (PgStmt *)s;

    if (pg_col_is_null(s, col)) {
        return NULL;
    }
    return PQgetvalue(st->res, st->row, col);
}

/* Integers as SQLite reads them: a leading number ("12.5" gives 12),
 * booleans as 1 / 0, anything else 0. */
static int64_t pg_col_int64(DbStmt *s, int col)
{
    PgStmt *st = (PgStmt *)s;
    const char *v = pg_col_text(s, col);

    if (!v) {
        return 0;
    }
    if (PQftype(st->res, col) == PG_BOOLOID) {
        return v[0] == 't';
    }
    return (int64_t)strtoll(v, NULL, 10);
}

/* Decode a bytea column of the current row once (kept until the next
 * step); other types are their text. */
static const void *pg_col_blob(DbStmt *s, int col)
{
    PgStmt *st = (PgStmt *)s;
    const char *v = pg_col_text(s, col);

    if (!v) {
        return NULL;
    }
    if (PQftype(st->res, col) != PG_BYTEAOID) {
        return v;
    }
    if (!st->blobs[col]) {
        size_t n = 0;
        st->blobs[col] = PQunescapeBytea((const unsigned char *)v, &n);
        st->blob_len[col] = n;
        if (!st->blobs[col]) {
            log_error("db: bytea column %d could not be decoded", col);
            return NULL;
        }
    }
    return st->blobs[col];
}

static size_t pg_col_bytes(DbStmt *s, int col)
{
    PgStmt *st = (PgStmt *)s;

    if (pg_col_is_null(s, col)) {
        return 0;
    }
    if (PQftype(st->res, col) == PG_BYTEAOID) {
        return pg_col_blob(s, col) ? st->blob_len[col] : 0;
    }
    return (size_t)PQgetlength(st->res, st->row, col);
}

static int64_t pg_changes(Db *d)
{
    return ((PgDb *)d)->changes;
}

/* ---- transactions ------------------------------------------------------ */

/* A write transaction takes the writers' advisory lock at once (waiting up
 * to lock_timeout), so writers queue as on SQLite and code that reads then
 * writes (the audit chain's last hash) never interleaves. */
static int pg_begin(Db *d, int write, Err *e)
{
    return pg_exec(d,
                   write ? "BEGIN ISOLATION LEVEL READ COMMITTED; "
                           "SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")"
                         : "BEGIN ISOLATION LEVEL REPEATABLE READ",
                   e);
}

static int pg_commit(Db *d, Err *e)
{
    PgDb *db = (PgDb *)d;
    int rc;

    if (PQtransactionStatus(db->conn) == PQTRANS_INERROR) {
        /* COMMIT of a failed transaction rolls back and says so */
        log_error("db: COMMIT of a transaction a statement failed in");
        return pg_err(e, ERR_DB, NULL, "数据库错误");
    }
    rc = pg_exec(d, "COMMIT", e);
    return rc;
}

static void pg_rollback(Db *d)
{
    PgDb *db = (PgDb *)d;
    PGresult *res = PQexec(db->conn, "ROLLBACK");

    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        log_error("db: ROLLBACK: %s", PQerrorMessage(db->conn));
    }
    PQclear(res);
}

static int pg_in_tx(const Db *d)
{
    PGTransactionStatusType t = PQtransactionStatus(((const PgDb *)d)->conn);

    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* kechuang does not run programs of the server's installation: a backup
 * of a PostgreSQL database is pg_dump's job (docs/admin.md). */
static int pg_backup(Db *d, const char *dest, Err *e)
{
    (void)d;
    (void)dest;
    return pg_err(e, ERR_INVALID, "db",
                  "PostgreSQL 数据库请用 pg_dump 备份（见管理员手册）");
}

/* The server checksums its pages and reports damage on read; this checks
 * that it answers and the bookkeeping table is readable. */
static int pg_check(Db *d, char **report, Err *e)
{
    int64_t n = 0;
    int rc =
        db_query_int64(d, &n, e, "SELECT COUNT(*) FROM schema_migrations", "");

    if (rc == 0) {
        *report = xstrdup("ok");
    }
    return rc;
}

static int pg_bulk(Db *d, int on, Err *e)
{
    (void)d;
    (void)on;
    (void)e;
    return 0; /* foreign keys stay checked */
}

static int pg_tune(Db *d, DbTune what, Err *e)
{
    (void)d;
    (void)what;
    (void)e;
    return 0;
}

/* ---- schema ------------------------------------------------------------ */

/* Whether the word at p (length n) equals w, ignoring case. */
static int pg_word_is(const char *p, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(p, w, n) == 0;
}

/* Copy the white space and comments at *p to b. */
static void pg_skip_space(const char **pp, Buf *b)
{
    const char *p = *pp;
    for (;;) {
        if (isspace((unsigned char)*p)) {
            buf_append_char(b, *p++);
        } else if (p[0] == '-' && p[1] == '-') {
            size_t n = strcspn(p, "\n");
            buf_append(b, p, n);
            p += n;
        } else {
            break;
        }
    }
    *pp = p;
}

/* Whether the words after p (past white space) are "PRIMARY KEY". */
static int pg_primary_key_follows(const char *p)
{
    while (isspace((unsigned char)*p)) {
        p++;
    }
    if (strncasecmp(p, "PRIMARY", 7) != 0 ||
        pg_ident_char((unsigned char)p[7])) {
        return 0;
    }
    p += 7;
    while (isspace((unsigned char)*p)) {
        p++;
    }
    return strncasecmp(p, "KEY", 3) == 0 && !pg_ident_char((unsigned char)p[3]);
}

char *db_pg_translate_ddl(const char *sql)
{
    Buf b;
    const char *p = sql;
    char *out;

    buf_init(&b, 4u << 20);
    while (*p) {
        if (*p == '\'' || *p == '"') {
            const char *end = strchr(p + 1, *p);
            size_t n = end ? (size_t)(end + 1 - p) : strlen(p);
            buf_append(&b, p, n);
            p += n;
        } else if (p[0] == '-' && p[1] == '-') {
            size_t n = strcspn(p, "\n");
            buf_append(&b, p, n);
            p += n;
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            const char *w = p;
            size_t n;
            while (pg_ident_char((unsigned char)*p)) {
                p++;
            }
            n = (size_t)(p - w);
            if (pg_word_is(w, n, "INTEGER") && pg_primary_key_follows(p)) {
                buf_append_str(&b, "BIGINT GENERATED BY DEFAULT AS IDENTITY");
            } else if (pg_word_is(w, n, "INTEGER")) {
                buf_append_str(&b, "BIGINT");
            } else if (pg_word_is(w, n, "BLOB")) {
                buf_append_str(&b, "BYTEA");
            } else if (pg_word_is(w, n, "WITHOUT")) {
                const char *q = p;
                Buf skip;
                buf_init(&skip, 4096);
                pg_skip_space(&q, &skip);
                buf_release(&skip);
                if (strncasecmp(q, "ROWID", 5) == 0 &&
                    !pg_ident_char((unsigned char)q[5])) {
                    p = q + 5; /* every table has its own key */
                } else {
                    buf_append(&b, w, n);
                }
            } else {
                buf_append(&b, w, n);
            }
        } else {
            buf_append_char(&b, *p++);
        }
    }
    if (b.err) {
        buf_release(&b);
        return NULL;
    }
    out = xstrdup(b.data);
    buf_release(&b);
    return out;
}

/* The SQL of migration version for PostgreSQL: the file of the same number
 * under src/db/sql/pg when there is one, else sql; translated either way
 * (the pg files are written in the same conventions). */
static char *pg_migration_sql(int version, const char *sql)
{
    int i;

    for (i = 0; i < kc_n_pg_migrations; i++) {
        if (kc_pg_migrations[i].version == version) {
            return db_pg_translate_ddl(kc_pg_migrations[i].sql);
        }
    }
    return db_pg_translate_ddl(sql);
}

static int pg_col_is_blob(DbStmt *s, int col)
{
    PgStmt *st = (PgStmt *)s;

    return !pg_col_is_null(s, col) && PQftype(st->res, col) == PG_BYTEAOID;
}

/* The search index of migration pg/022, kept by triggers (a copy's own
 * triggers rebuild it; db_tables also leaves out the tables kept on both
 * backends, db_kept_table). */
static int pg_internal_table(Db *d, const char *name)
{
    (void)d;
    return strcmp(name, "enterprise_search") == 0;
}

/* Continue the identity sequence of table.id above the ids copied in. */
static int pg_ids_sync(Db *d, const char *table, Err *e)
{
    char *seq = NULL;
    char sql[256];
    int rc;

    rc = db_query_text(d, &seq, e,
                       "SELECT pg_get_serial_sequence($1, 'id') FROM "
                       "information_schema.columns WHERE table_schema = "
                       "current_schema() AND table_name = $1 AND column_name "
                       "= 'id'",
                       "t", table);
    if (rc == ERR_NOTFOUND || (rc == 0 && !seq)) {
        free(seq);
        return 0; /* no id column, or not an identity */
    }
    if (rc == 0 && strpbrk(table, " ;'\"")) {
        rc = pg_err(e, ERR_INTERNAL, NULL, "数据库错误");
    }
    if (rc == 0) {
        snprintf(sql, sizeof sql,
                 "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
                 "COALESCE(MAX(id), 0) + 1, false) FROM %s",
                 table, table);
        rc = pg_exec(d, sql, e);
    }
    free(seq);
    return rc;
}

/* ---- COPY -------------------------------------------------------------- */

static int pg_copy_start(Db *d, const char *sql, Err *e)
{
    PgDb *db = (PgDb *)d;
    PGresult *res = PQexec(db->conn, sql);
    int rc = 0;

    if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
        rc = pg_fail(db, res, sql, e);
    }
    PQclear(res);
    return rc;
}

static int pg_copy_put(Db *d, const char *p, size_t n, Err *e)
{
    PgDb *db = (PgDb *)d;

    while (n) {
        int k = n > (1u << 30) ? 1 << 30 : (int)n;
        if (PQputCopyData(db->conn, p, k) != 1) {
            return pg_fail(db, NULL, "COPY", e);
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int pg_copy_finish(Db *d, int ok, int64_t *rows, Err *e)
{
    PgDb *db = (PgDb *)d;
    PGresult *res;
    int rc = 0, sent;

    *rows = 0;
    sent = PQputCopyEnd(db->conn, ok ? NULL : "abandoned");
    if (sent != 1) {
        rc = pg_fail(db, NULL, "COPY", e);
    }
    /* the COPY's result, then NULL (also after a failure) */
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            *rows = strtoll(PQcmdTuples(res), NULL, 10);
        } else if (rc == 0 && ok) {
            rc = pg_fail(db, res, "COPY", e);
        }
        PQclear(res);
    }
    return rc;
}

static const DbOps pg_ops = {
    .backend = "postgresql",
    .close = pg_close,
    .location = pg_location,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .param_count = pg_param_count,
    .bind_int64 = pg_bind_int64,
    .bind_textn = pg_bind_textn,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_name = pg_col_name,
    .col_is_null = pg_col_is_null,
    .col_int64 = pg_col_int64,
    .col_text = pg_col_text,
    .col_bytes = pg_col_bytes,
    .col_blob = pg_col_blob,
    .changes = pg_changes,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_tx = pg_in_tx,
    .backup = pg_backup,
    .check = pg_check,
    .bulk = pg_bulk,
    .tune = pg_tune,
    .migration_sql = pg_migration_sql,
    .col_is_blob = pg_col_is_blob,
    .tables_sql = "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON "
                  "n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                  "AND c.relkind = 'r' ORDER BY c.oid",
    .internal_table = pg_internal_table,
    .copy_start = pg_copy_start,
    .copy_put = pg_copy_put,
    .copy_finish = pg_copy_finish,
    .ids_sync = pg_ids_sync,
};
