/* cli_audit.c - `kechuang audit verify`: check the audit hash chain. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/audit.h"

static void audit_usage(FILE *out)
{
    fprintf(out, "用法: kechuang audit verify\n\n"
                 "逐条校验审计日志的哈希链。链完整时退出码为 0；发现被修改或\n"
                 "删除的记录时报告第一条断开的记录，退出码为 1。\n");
}

int cli_audit_main(int argc, char **argv, const char *db_location)
{
    Db *db = NULL;
    int64_t n = 0;
    int64_t bad = 0;
    int version = 0;
    int status = 1;
    Err e;

    err_clear(&e);
    if (argc >= 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        audit_usage(stdout);
        return 0;
    }
    if (argc != 2 || strcmp(argv[1], "verify") != 0) {
        audit_usage(stderr);
        return 2;
    }
    if (db_open(&db, db_location, &e) != 0) {
        fprintf(stderr, "kechuang audit: 无法打开数据库 %s：%s\n", db_location,
                e.msg);
        goto out;
    }
    if (db_schema_version(db, &version, &e) != 0 || version < 1) {
        fprintf(stderr, "kechuang audit: 数据库尚未初始化，请先运行 "
                        "kechuang init\n");
        goto out;
    }
    if (audit_verify(db, &n, &bad, &e) != 0) {
        fprintf(stderr, "kechuang audit: %s\n", e.msg);
        goto out;
    }
    if (bad) {
        fprintf(stderr, "审计链在第 %lld 条记录处断开\n", (long long)bad);
        goto out;
    }
    printf("审计链完整：%lld 条记录\n", (long long)n);
    status = 0;
out:
    db_close(db);
    return status;
}
