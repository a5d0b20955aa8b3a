/* cli_import.c - `kechuang import`: import a file into the enterprise
 * library (the same engine and job as the web import), or write a
 * template. Progress goes to stderr, the report to stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/eligibility/catalogue.h"
#include "domain/io/columns.h"
#include "domain/io/import.h"
#include "domain/jobs/job.h"

static void imp_usage(FILE *out)
{
    fprintf(
        out,
        "用法: kechuang import KIND FILE [--mode all|valid] [--dry-run] "
        "[--format table|json]\n"
        "      kechuang import --template KIND -o FILE\n\n"
        "KIND: enterprises（企业登记信息）、figures（年度数据）、"
        "ip（知识产权）、facts（企业事项）、declarations（申报事项：筛查规则"
        "的申报输入项）；认定名单见 kechuang import "
        "qualifications --help，计划表格见 import plan-targets --help，"
        "行业目录（限制类、淘汰类、禁止类）见 import industry-catalogue FILE "
        "[--dry-run]\n"
        "FILE: CSV（UTF-8、UTF-8 BOM、GBK/GB18030）或 XLSX；表头可不在第一行。"
        "\n\n"
        "选项:\n"
        "  --mode all    有错误行时不写入任何数据（默认），退出码 1\n"
        "  --mode valid  只写入有效的行\n"
        "  --dry-run     只校验，不写入\n"
        "  --format      报告格式：table（默认）或 json\n"
        "  --quiet       不显示进度\n"
        "  --template K  写出 K 的导入模板（-o 文件名以 .csv 结尾时为 CSV，"
        "否则为 XLSX）\n");
}

static int imp_template(const char *kind, const char *out)
{
    const ColumnKind *k = columns_kind_find(kind);
    Err e;
    int rc;

    if (!k || !out) {
        fprintf(stderr, "kechuang import: 用法 --template KIND -o FILE\n");
        return 2;
    }
    err_clear(&e);
    if (strlen(out) > 4 && strcmp(out + strlen(out) - 4, ".csv") == 0) {
        Buf b;
        FILE *f = fopen(out, "wb");
        buf_init(&b, 1 << 20);
        rc = f ? columns_template_csv(k, &b, &e) : ERR_IO;
        if (rc == 0 && fwrite(b.data, 1, b.len, f) != b.len) {
            rc = ERR_IO;
        }
        if (f && fclose(f) != 0) {
            rc = ERR_IO;
        }
        buf_release(&b);
        if (rc == ERR_IO) {
            err_set(&e, ERR_IO, NULL, "无法写入 %s", out);
        }
    } else {
        rc = columns_template_xlsx(k, out, &e);
    }
    if (rc) {
        fprintf(stderr, "kechuang import: %s\n", e.msg);
        return 1;
    }
    fprintf(stderr, "已写出%s导入模板：%s\n", k->name, out);
    return 0;
}

static void imp_print_table(json_t *v)
{
    json_t *s = json_object_get(v, "summary");
    json_t *errs = json_object_get(v, "errors");
    json_t *err = json_object_get(v, "error");
    json_t *x;
    size_t i;

    printf("导入 #%lld：%s\n",
           (long long)json_integer_value(json_object_get(v, "id")),
           json_string_value(json_object_get(v, "status")));
    if (json_is_object(s)) {
        printf("编码：%s  表头行：%lld\n",
               json_string_value(json_object_get(v, "encoding")),
               (long long)json_integer_value(json_object_get(v, "header_row")));
        printf("总行数 %lld，有效 %lld，有错误 %lld；新增 %lld，更新 %lld，"
               "未变 %lld，冲突 %lld\n",
               (long long)json_integer_value(json_object_get(s, "rows")),
               (long long)json_integer_value(json_object_get(s, "valid")),
               (long long)json_integer_value(json_object_get(s, "invalid")),
               (long long)json_integer_value(json_object_get(s, "inserted")),
               (long long)json_integer_value(json_object_get(s, "updated")),
               (long long)json_integer_value(json_object_get(s, "skipped")),
               (long long)json_integer_value(json_object_get(s, "conflicts")));
    }
    json_array_foreach(errs, i, x)
    {
        const char *col = json_string_value(json_object_get(x, "column"));
        if (col && *col) {
            printf("第 %lld 行「%s」：%s\n",
                   (long long)json_integer_value(json_object_get(x, "row")),
                   col, json_string_value(json_object_get(x, "message")));
        } else {
            printf("第 %lld 行：%s\n",
                   (long long)json_integer_value(json_object_get(x, "row")),
                   json_string_value(json_object_get(x, "message")));
        }
    }
    if ((json_int_t)json_array_size(errs) <
        json_integer_value(json_object_get(v, "errors_total"))) {
        printf(
            "（显示前 %zu 条，共 %lld 条）\n", json_array_size(errs),
            (long long)json_integer_value(json_object_get(v, "errors_total")));
    }
    if (json_is_object(err)) {
        printf("错误：%s\n",
               json_string_value(json_object_get(err, "message")));
    }
}

/* `kechuang import industry-catalogue FILE [--dry-run]` and its template:
 * the bureau's catalogue of restricted / eliminated / prohibited industries
 * (domain/eligibility/catalogue.h). */
static int imp_catalogue(int argc, char **argv, const char *db_location)
{
    const char *file = NULL, *out = NULL;
    json_t *report = NULL, *x;
    Db *db = NULL;
    int dry = 0, tmpl = 0, rc, status = 0;
    size_t i;
    Actor a;
    Err e;

    for (int k = 2; k < argc; k++) {
        if (!argv[k]) {
            break;
        }
        if (strcmp(argv[k], "--dry-run") == 0) {
            dry = 1;
        } else if (strcmp(argv[k], "--template") == 0) {
            tmpl = 1;
        } else if (strcmp(argv[k], "-o") == 0 && k + 1 < argc) {
            out = argv[++k];
        } else if (argv[k][0] != '-' && !file) {
            file = argv[k];
        } else {
            fprintf(stderr, "用法: kechuang import industry-catalogue FILE "
                            "[--dry-run]\n      kechuang import "
                            "industry-catalogue --template -o FILE\n");
            return 2;
        }
    }
    err_clear(&e);
    if (tmpl) {
        Buf b;
        FILE *f;
        int csv = out && strlen(out) > 4 &&
                  strcmp(out + strlen(out) - 4, ".csv") == 0;
        if (!out) {
            fprintf(stderr, "kechuang import: 用法 industry-catalogue "
                            "--template -o FILE\n");
            return 2;
        }
        buf_init(&b, 0);
        rc = catalogue_template(csv ? 1 : 2, &b, &e);
        f = rc == 0 ? fopen(out, "wb") : NULL;
        if (rc == 0 && (!f || fwrite(b.data, 1, b.len, f) != b.len)) {
            rc = err_set(&e, ERR_IO, NULL, "无法写入 %s", out);
        }
        if (f && fclose(f) != 0 && rc == 0) {
            rc = err_set(&e, ERR_IO, NULL, "无法写入 %s", out);
        }
        buf_release(&b);
        if (rc) {
            fprintf(stderr, "kechuang import: %s\n", e.msg);
            return 1;
        }
        fprintf(stderr, "已写出行业目录导入模板：%s\n", out);
        return 0;
    }
    if (!file) {
        fprintf(stderr, "kechuang import: 请给出行业目录文件\n");
        return 2;
    }
    actor_init_system(&a);
    rc = db_open(&db, db_location, &e);
    if (rc == 0) {
        rc = db_migrate(db, NULL, &e);
    }
    if (rc == 0) {
        rc = catalogue_import_file(db, &a, file, dry, &report, &e);
    }
    db_close(db);
    if (rc) {
        fprintf(stderr, "kechuang import: %s\n", e.msg);
        return 1;
    }
    printf("行业目录：总行数 %lld，新增 %lld，更新 %lld，未变 %lld%s\n",
           (long long)json_integer_value(json_object_get(report, "rows")),
           (long long)json_integer_value(json_object_get(report, "inserted")),
           (long long)json_integer_value(json_object_get(report, "updated")),
           (long long)json_integer_value(json_object_get(report, "unchanged")),
           dry ? "（只校验，未写入）" : "");
    json_array_foreach(json_object_get(report, "errors"), i, x)
    {
        printf("第 %lld 行「%s」：%s\n",
               (long long)json_integer_value(json_object_get(x, "row")),
               json_string_value(json_object_get(x, "column")),
               json_string_value(json_object_get(x, "message")));
        status = 1;
    }
    if (status) {
        printf("有错误，未导入任何数据\n");
    }
    json_decref(report);
    return status;
}

int cli_import_main(int argc, char **argv, const char *db_location)
{
    const char *kind = NULL, *file = NULL, *tmpl = NULL, *out = NULL;
    const char *format = "table";
    const ColumnKind *k;
    int mode = IMPORT_MODE_ALL, dry = 0, quiet = 0;
    json_t *v = NULL;
    Db *db = NULL;
    int64_t id = 0;
    const char *st;
    Actor a;
    Err e;
    int i, rc, status = 0;

    if (argc > 1 && argv[1] && strcmp(argv[1], "qualifications") == 0) {
        return cli_qual_import_main(argc, argv, db_location);
    }
    if (argc > 1 && argv[1] &&
        (strcmp(argv[1], "plan-targets") == 0 ||
         strcmp(argv[1], "plan-tasks") == 0)) {
        return cli_plan_import_main(argc, argv, db_location);
    }
    if (argc > 1 && argv[1] && strcmp(argv[1], "industry-catalogue") == 0) {
        return imp_catalogue(argc, argv, db_location);
    }
    if (argc > 1 && argv[1] && strcmp(argv[1], "contracts") == 0) {
        return cli_market_import(argc - 1, argv + 1, db_location);
    }
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!arg) {
            break;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            imp_usage(stdout);
            return 0;
        } else if (strcmp(arg, "--dry-run") == 0) {
            dry = 1;
        } else if (strcmp(arg, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(arg, "--mode") == 0 && val) {
            if (strcmp(val, "all") == 0) {
                mode = IMPORT_MODE_ALL;
            } else if (strcmp(val, "valid") == 0) {
                mode = IMPORT_MODE_VALID;
            } else {
                fprintf(stderr, "kechuang import: --mode 应为 all 或 valid\n");
                return 2;
            }
            i++;
        } else if (strcmp(arg, "--format") == 0 && val) {
            if (strcmp(val, "table") != 0 && strcmp(val, "json") != 0) {
                fprintf(stderr,
                        "kechuang import: --format 应为 table 或 json\n");
                return 2;
            }
            format = val;
            i++;
        } else if (strcmp(arg, "--template") == 0 && val) {
            tmpl = val;
            i++;
        } else if (strcmp(arg, "-o") == 0 && val) {
            out = val;
            i++;
        } else if (arg[0] == '-') {
            fprintf(stderr, "kechuang import: 未知选项 %s\n\n", arg);
            imp_usage(stderr);
            return 2;
        } else if (!kind) {
            kind = arg;
        } else if (!file) {
            file = arg;
        } else {
            imp_usage(stderr);
            return 2;
        }
    }
    if (tmpl) {
        return imp_template(tmpl, out);
    }
    k = columns_kind_find(kind);
    if (!k || !file) {
        fprintf(stderr, "kechuang import: 请给出导入类型和文件\n\n");
        imp_usage(stderr);
        return 2;
    }
    if (access(file, R_OK) != 0) {
        fprintf(stderr, "kechuang import: 无法读取 %s\n", file);
        return 1;
    }
    err_clear(&e);
    rc = db_open(&db, db_location, &e);
    if (rc == 0) {
        rc = db_migrate(db, NULL, &e);
    }
    actor_init_system(&a);
    if (rc == 0) {
        const char *base = strrchr(file, '/');
        char abs[1024];
        if (file[0] != '/' && getcwd(abs, sizeof abs)) {
            size_t n = strlen(abs);
            snprintf(abs + n, sizeof abs - n, "/%s", file);
        } else {
            snprintf(abs, sizeof abs, "%s", file);
        }
        rc = import_start(db, db_location, &a, k, base ? base + 1 : file, abs,
                          0, dry, mode, &id, &e);
    }
    if (rc) {
        fprintf(stderr, "kechuang import: %s\n", e.msg);
        db_close(db);
        return 1;
    }
    /* poll the job for progress */
    for (;;) {
        struct timespec ts = {0, 300L * 1000 * 1000};
        json_decref(v);
        v = NULL;
        if (import_get(db, &a, id, &v, &e) != 0) {
            break;
        }
        st = json_string_value(json_object_get(v, "status"));
        if (st && strcmp(st, "validating") != 0 &&
            strcmp(st, "applying") != 0) {
            break;
        }
        if (!quiet) {
            json_t *p = json_object_get(v, "progress");
            fprintf(stderr, "\r%s：已处理 %lld / %lld 行",
                    strcmp(st ? st : "", "applying") == 0 ? "写入中" : "处理中",
                    (long long)json_integer_value(json_object_get(p, "done")),
                    (long long)json_integer_value(json_object_get(p, "total")));
        }
        nanosleep(&ts, NULL);
    }
    job_wait_all(0);
    if (!quiet) {
        fputc('\n', stderr);
    }
    json_decref(v);
    v = NULL;
    rc = import_get(db, &a, id, &v, &e);
    db_close(db);
    if (rc) {
        fprintf(stderr, "kechuang import: %s\n", e.msg);
        return 1;
    }
    if (strcmp(format, "json") == 0) {
        char *txt = json_dumps(v, JSON_INDENT(2));
        printf("%s\n", txt ? txt : "{}");
        free(txt);
    } else {
        imp_print_table(v);
    }
    st = json_string_value(json_object_get(v, "status"));
    if (!st || (strcmp(st, "done") != 0 && strcmp(st, "validated") != 0) ||
        (mode == IMPORT_MODE_ALL &&
         json_integer_value(
             json_object_get(json_object_get(v, "summary"), "invalid")) > 0)) {
        status = 1;
    }
    json_decref(v);
    return status;
}
