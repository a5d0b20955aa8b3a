/* cli_export.c - `kechuang export`: write a list of the enterprise library
 * with the import template's columns (streamed, constant memory for CSV). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/io/columns.h"
#include "domain/io/lib_export.h"

static void exp_usage(FILE *out)
{
    fprintf(out,
            "用法: kechuang export KIND [--format csv|xlsx] "
            "[--encoding utf-8|gbk] [-o FILE] [--unit ID]\n\n"
            "KIND: "
            "enterprises、figures、ip、facts、declarations。列与导入模板相同，"
            "导出的文件修改后可再导入。\n"
            "CSV 不给 -o 时写到标准输出；XLSX 须给 -o。\n");
}

int cli_export_main(int argc, char **argv, const char *db_location)
{
    const char *kind = NULL, *out = NULL;
    const ColumnKind *k;
    int xlsx = 0, gbk = 0;
    long long unit = 0;
    int64_t rows = 0;
    Db *db = NULL;
    Actor a;
    Err e;
    int i, rc;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!arg) {
            break;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            exp_usage(stdout);
            return 0;
        } else if (strcmp(arg, "--format") == 0 && val) {
            if (strcmp(val, "csv") != 0 && strcmp(val, "xlsx") != 0) {
                fprintf(stderr, "kechuang export: --format 应为 csv 或 xlsx\n");
                return 2;
            }
            xlsx = strcmp(val, "xlsx") == 0;
            i++;
        } else if (strcmp(arg, "--encoding") == 0 && val) {
            if (strcmp(val, "gbk") == 0 || strcmp(val, "GBK") == 0) {
                gbk = 1;
            } else if (strcmp(val, "utf-8") != 0 && strcmp(val, "UTF-8") != 0) {
                fprintf(stderr,
                        "kechuang export: --encoding 应为 utf-8 或 gbk\n");
                return 2;
            }
            i++;
        } else if (strcmp(arg, "-o") == 0 && val) {
            out = val;
            i++;
        } else if (strcmp(arg, "--unit") == 0 && val) {
            char *end;
            unit = strtoll(val, &end, 10);
            if (*end || unit <= 0) {
                fprintf(stderr, "kechuang export: --unit 应为单位编号\n");
                return 2;
            }
            i++;
        } else if (arg[0] == '-' || kind) {
            fprintf(stderr, "kechuang export: 未知参数 %s\n\n", arg);
            exp_usage(stderr);
            return 2;
        } else {
            kind = arg;
        }
    }
    k = columns_kind_find(kind);
    if (!k) {
        exp_usage(stderr);
        return 2;
    }
    if (xlsx && !out) {
        fprintf(stderr, "kechuang export: XLSX 须用 -o 指定文件\n");
        return 2;
    }
    err_clear(&e);
    rc = db_open(&db, db_location, &e);
    if (rc == 0) {
        actor_init_system(&a);
        rc = lib_export_file(db, &a, k,
                             xlsx  ? LIB_EXPORT_XLSX
                             : gbk ? LIB_EXPORT_CSV_GBK
                                   : LIB_EXPORT_CSV,
                             unit, &rows, out ? out : "/dev/stdout", &e);
    }
    db_close(db);
    if (rc) {
        fprintf(stderr, "kechuang export: %s\n", e.msg);
        return 1;
    }
    fprintf(stderr, "已导出%s %lld 行\n", k->name, (long long)rows);
    return 0;
}
