/* cli_migrate.c - `kechuang migrate --to LOCATION [--dry-run]`: copy the
 * whole database (every table, in one transaction on the destination) to
 * an empty database of either backend: SQLite -> PostgreSQL and back. The
 * destination gets the same schema version through its own migrations;
 * rows are copied as they are (ids kept) with the plan-count triggers off,
 * plan_counts is rebuilt once from the copied registers, the audit chain
 * is verified on the copy and the row counts are printed side by side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "db/db.h"
#include "db/plan_counts_bulk.h"
#include "domain/accounts/audit.h"

static void migrate_usage(FILE *out)
{
    fprintf(
        out,
        "用法: kechuang [--db 源数据库] migrate --to 目标数据库 "
        "[--dry-run]\n\n"
        "把源数据库的全部表复制到目标数据库（须为空库：新的 SQLite 文件，\n"
        "或新建的 PostgreSQL 数据库 postgresql://…）。目标按本程序的结构版本\n"
        "建表，在一个事务中写入全部行（编号不变），之后校验审计链，并逐表\n"
        "对照两边的行数。--dry-run 只列出将复制的表和行数，不写入。\n"
        "复制期间请停止服务（源数据库的写入不会被复制）。\n");
}

/* Rows of table in db, or -1 on error. */
static int64_t migrate_count(Db *db, const char *table)
{
    char sql[200];
    int64_t n = -1;
    Err e;

    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    if (db_query_int64(db, &n, &e, sql, "") != 0) {
        return -1;
    }
    return n;
}

static int migrate_has(char **names, int n, const char *t)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], t) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Copy the rows of table from src to dst (inside dst's transaction):
 * db_copy_* (COPY on PostgreSQL, no round trip per row); *rows is what
 * the destination took. */
static int migrate_table(Db *src, Db *dst, const char *table, int64_t *rows,
                         Err *e)
{
    DbStmt *in = NULL;
    DbCopy *cp = NULL;
    char sel[200];
    char **cols = NULL;
    int rc, ncol = 0;

    *rows = 0;
    snprintf(sel, sizeof sel, "SELECT * FROM %s ORDER BY 1", table);
    rc = db_prepare(src, sel, &in, e);
    while (rc == 0 && (rc = db_step(in, e)) == DB_ROW) {
        rc = 0;
        if (!cp) {
            ncol = db_col_count(in);
            cols = xcalloc((size_t)ncol, sizeof *cols);
            for (int c = 0; c < ncol; c++) {
                cols[c] = (char *)db_col_name(in, c);
            }
            rc = db_copy_begin(dst, table, cols, ncol, &cp, e);
        }
        for (int c = 0; rc == 0 && c < ncol; c++) {
            if (db_col_is_null(in, c)) {
                rc = db_copy_value(cp, DB_COPY_NULL, NULL, 0, e);
            } else if (db_col_is_blob(in, c)) {
                rc = db_copy_value(cp, DB_COPY_BLOB, db_col_blob(in, c),
                                   db_col_bytes(in, c), e);
            } else {
                rc = db_copy_value(cp, DB_COPY_TEXT, db_col_text(in, c),
                                   db_col_bytes(in, c), e);
            }
        }
        if (rc == 0) {
            rc = db_copy_row(cp, e);
        }
        if (rc && !e->field[0]) {
            char why[sizeof e->msg];
            snprintf(why, sizeof why, "%s", e->msg);
            err_set(e, rc, table, "表 %s 的数据无法写入：%s", table, why);
        }
    }
    if (rc == DB_DONE) {
        rc = 0;
    }
    if (cp) {
        int rc2 = db_copy_end(cp, rc == 0 ? rows : NULL, rc == 0 ? e : NULL);
        rc = rc ? rc : rc2;
    }
    db_finalize(in);
    free(cols);
    return rc;
}

int cli_migrate_main(int argc, char **argv, const char *db_location)
{
    const char *to = NULL;
    int dry = 0, status = 1, v = 0, vd = 0, n = 0, nd = 0;
    char **tables = NULL, **dtables = NULL;
    Db *src = NULL, *dst = NULL;
    int64_t checked = 0, bad = 0;
    Err e;

    err_clear(&e);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--to") == 0 && i + 1 < argc) {
            to = argv[++i];
        } else if (strcmp(argv[i], "--dry-run") == 0) {
            dry = 1;
        } else if (strcmp(argv[i], "--help") == 0 ||
                   strcmp(argv[i], "-h") == 0) {
            migrate_usage(stdout);
            return 0;
        } else {
            migrate_usage(stderr);
            return 2;
        }
    }
    if (!to || !*to) {
        migrate_usage(stderr);
        return 2;
    }
    if (strcmp(to, db_location) == 0) {
        fprintf(stderr, "kechuang migrate: 目标与源是同一个数据库\n");
        return 2;
    }
    if (db_open(&src, db_location, &e) != 0) {
        fprintf(stderr, "kechuang migrate: 无法打开源数据库 %s：%s\n",
                db_location, e.msg);
        goto out;
    }
    if (db_schema_version(src, &v, &e) != 0 || v != db_schema_latest()) {
        fprintf(stderr,
                "kechuang migrate: 源数据库结构版本 %d 与本程序的 %d "
                "不同（先用本程序运行一次 kechuang init 升级）\n",
                v, db_schema_latest());
        goto out;
    }
    if (db_begin_read(src, &e) != 0 || db_tables(src, &tables, &n, &e) != 0) {
        fprintf(stderr, "kechuang migrate: %s\n", e.msg);
        goto out;
    }
    if (dry) {
        printf("将从 %s 复制到 %s（结构版本 %d）：\n", db_location, to, v);
        for (int i = 0; i < n; i++) {
            if (strcmp(tables[i], "schema_migrations") != 0) {
                printf("  %-28s %10lld 行\n", tables[i],
                       (long long)migrate_count(src, tables[i]));
            }
        }
        status = 0;
        goto out;
    }
    if (db_open(&dst, to, &e) != 0) {
        fprintf(stderr, "kechuang migrate: 无法打开目标数据库：%s\n", e.msg);
        goto out;
    }
    if (db_schema_version(dst, &vd, &e) != 0 || vd != 0) {
        fprintf(stderr,
                "kechuang migrate: 目标数据库不是空库（结构版本 %d），"
                "不会写入\n",
                vd);
        goto out;
    }
    if (db_migrate(dst, NULL, &e) != 0 ||
        db_tables(dst, &dtables, &nd, &e) != 0 || db_begin(dst, &e) != 0) {
        fprintf(stderr, "kechuang migrate: 目标数据库：%s\n", e.msg);
        goto out;
    }
    /* rows the destination's migrations seeded (code tables, calendar
     * rules, policy seeds) come from the source like every other row, as
     * the source has them: cleared first, dependants before the tables
     * they refer to */
    for (int i = n - 1; i >= 0; i--) {
        char del[160];
        if (strcmp(tables[i], "schema_migrations") == 0 ||
            !migrate_has(dtables, nd, tables[i]) || strlen(tables[i]) > 120) {
            continue;
        }
        snprintf(del, sizeof del, "DELETE FROM %s", tables[i]);
        if (db_exec(dst, del, &e) != 0) {
            fprintf(stderr, "kechuang migrate: 清空目标表 %s 失败：%s\n",
                    tables[i], e.msg);
            goto out;
        }
    }
    /* the registers are copied with the plan-count triggers off (per row
     * they cost about 1 ms a qualification on PostgreSQL); plan_counts is
     * rebuilt once from the copied rows below */
    if (plan_counts_off(dst, &e) != 0) {
        fprintf(stderr, "kechuang migrate: 目标数据库：%s\n", e.msg);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        int64_t rows = 0;
        if (strcmp(tables[i], "schema_migrations") == 0) {
            continue; /* written by the destination's own migrations */
        }
        if (!migrate_has(dtables, nd, tables[i])) {
            fprintf(stderr, "kechuang migrate: 目标数据库没有表 %s\n",
                    tables[i]);
            goto out;
        }
        if (migrate_table(src, dst, tables[i], &rows, &e) != 0 ||
            db_ids_sync(dst, tables[i], &e) != 0) {
            fprintf(stderr, "kechuang migrate: 复制表 %s 失败：%s\n", tables[i],
                    e.msg);
            goto out;
        }
    }
    if (plan_counts_rebuild(dst, &e) != 0) {
        fprintf(stderr, "kechuang migrate: 重建规划计数失败：%s\n", e.msg);
        goto out;
    }
    if (db_commit(dst, &e) != 0) {
        fprintf(stderr, "kechuang migrate: 提交失败：%s\n", e.msg);
        goto out;
    }
    if (audit_verify(dst, &checked, &bad, &e) != 0 || bad) {
        fprintf(stderr, "kechuang migrate: 复制后的审计链校验未通过%s%s\n",
                bad ? "" : "：", bad ? "" : e.msg);
        goto out;
    }
    printf("%-28s %10s %10s\n", "表", "源", "目标");
    status = 0;
    for (int i = 0; i < n; i++) {
        int64_t a = migrate_count(src, tables[i]);
        int64_t b = migrate_count(dst, tables[i]);
        if (strcmp(tables[i], "schema_migrations") == 0) {
            continue;
        }
        printf("%-28s %10lld %10lld%s\n", tables[i], (long long)a, (long long)b,
               a == b ? "" : "  ← 不一致");
        if (a != b) {
            status = 1;
        }
    }
    printf("审计链完整：%lld 条记录\n", (long long)checked);
out:
    if (src) {
        db_rollback(src);
    }
    if (dst) {
        db_rollback(dst);
    }
    db_tables_free(tables, n);
    db_tables_free(dtables, nd);
    db_close(src);
    db_close(dst);
    return status;
}
