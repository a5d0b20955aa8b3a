/* cli_carrier.c - `kechuang carrier`: import carriers, tenancies,
 * platforms, talent counts and listing candidates from
 * CSV / XLSX files and write their templates (domain/carrier/
 * carrier_import.h). The import validates every row and writes all of
 * them or none, in one transaction, as the system user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/carrier/carrier_import.h"

static void carrier_usage(FILE *out)
{
    fprintf(
        out,
        "用法: kechuang carrier import KIND FILE [--dry-run] "
        "[--format table|json]\n"
        "      kechuang carrier template KIND -o FILE\n\n"
        "KIND: carriers（载体）、tenants（入驻企业，按载体名称和统一社会"
        "信用代码）\n"
        "FILE: CSV（UTF-8、UTF-8 BOM、GBK/GB18030）或 XLSX，第一行为表头。\n"
        "全部行无误才写入（一个事务）；有错误时不写入任何数据，退出码 1。\n\n"
        "选项:\n"
        "  --dry-run   只校验，不写入\n"
        "  --format    报告格式：table（默认）或 json\n"
        "  -o FILE     模板文件（以 .csv 结尾时为 CSV，否则为 XLSX）\n");
}

static int carrier_template(const char *kind, const char *out)
{
    int csv =
        out && strlen(out) > 4 && strcmp(out + strlen(out) - 4, ".csv") == 0;
    FILE *f = NULL;
    Buf b;
    Err e;
    int rc;

    if (!kind || !out) {
        carrier_usage(stderr);
        return 2;
    }
    err_clear(&e);
    buf_init(&b, 0);
    rc = carrier_import_template(kind, csv ? 1 : 2, &b, &e);
    if (rc == 0) {
        f = fopen(out, "wb");
        if (!f || fwrite(b.data, 1, b.len, f) != b.len) {
            rc = err_set(&e, ERR_IO, NULL, "无法写入 %s", out);
        }
        if (f && fclose(f) != 0 && rc == 0) {
            rc = err_set(&e, ERR_IO, NULL, "无法写入 %s", out);
        }
    }
    buf_release(&b);
    if (rc) {
        fprintf(stderr, "kechuang carrier: %s\n", e.msg);
        return rc == ERR_INVALID ? 2 : 1;
    }
    return 0;
}

int cli_carrier_main(int argc, char **argv, const char *db_location)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    const char *kind = NULL, *file = NULL, *out = NULL, *format = "table";
    json_t *report = NULL;
    int dry_run = 0;
    Db *db = NULL;
    Actor a;
    Err e;
    int rc;

    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        carrier_usage(sub ? stdout : stderr);
        return sub ? 0 : 2;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0) {
            dry_run = 1;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            format = argv[++i];
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0) {
            carrier_usage(stdout);
            return 0;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "kechuang carrier: 未知选项 %s\n\n", argv[i]);
            carrier_usage(stderr);
            return 2;
        } else if (!kind) {
            kind = argv[i];
        } else if (!file) {
            file = argv[i];
        } else {
            carrier_usage(stderr);
            return 2;
        }
    }
    if (strcmp(sub, "template") == 0) {
        return carrier_template(kind, out);
    }
    if (strcmp(sub, "import") != 0 || !kind || !file ||
        (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)) {
        carrier_usage(stderr);
        return 2;
    }
    if (!carrier_import_kind_name(kind)) {
        fprintf(stderr, "kechuang carrier: 导入类型应为 carriers、tenants、"
                        "platforms、talent_counts 或 listing\n");
        return 2;
    }
    err_clear(&e);
    rc = db_open(&db, db_location, &e);
    if (rc == 0) {
        rc = db_migrate(db, NULL, &e);
    }
    actor_init_system(&a);
    if (rc == 0) {
        rc = carrier_import_file(db, &a, kind, file, dry_run, &report, &e);
    }
    db_close(db);
    if (rc) {
        fprintf(stderr, "kechuang carrier: %s\n", e.msg);
        return 1;
    }
    if (strcmp(format, "json") == 0) {
        char *s = json_dumps(report, JSON_INDENT(2));
        printf("%s\n", s ? s : "{}");
        free(s);
    } else {
        json_t *errs = json_object_get(report, "errors");
        size_t i;
        json_t *er;
        printf(
            "%s：%lld 行，%s %lld 行，错误 %zu 处\n",
            carrier_import_kind_name(kind),
            (long long)json_integer_value(json_object_get(report, "rows")),
            dry_run ? "校验（未写入）" : "写入",
            (long long)json_integer_value(json_object_get(report, "written")),
            json_array_size(errs));
        json_array_foreach(errs, i, er)
        {
            printf("第 %lld 行「%s」：%s\n",
                   (long long)json_integer_value(json_object_get(er, "row")),
                   json_string_value(json_object_get(er, "column")),
                   json_string_value(json_object_get(er, "message")));
        }
    }
    rc = json_array_size(json_object_get(report, "errors")) ? 1 : 0;
    json_decref(report);
    return rc;
}
