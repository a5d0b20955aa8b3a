/* cli_qual.c - `kechuang import qualifications FILE --kind K`: a
 * published list (认定名单 / 入库名单) into the qualifications register,
 * through the same domain calls as the web page. Rows that match no
 * enterprise or several are listed and skipped (the web page lets a
 * person pick the enterprise); a row with an error stops the import. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/err.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/qual/qual.h"
#include "domain/qual/qual_import.h"

static void cq_usage(FILE *out)
{
    int n;
    const QualKind *k = qual_kinds(&n);

    fprintf(out, "用法: kechuang import qualifications FILE --kind KIND "
                 "[--batch 批次] [--dry-run] [--format table|json]\n\n"
                 "FILE: 认定名单或入库名单（XLSX 或 CSV），应有“企业名称”列和"
                 "“证书编号”或“认定日期”列，可有“统一社会信用代码”“批次”"
                 "“有效期止”列；表头可不在第一行。\n"
                 "按统一社会信用代码、现名、曾用名匹配企业；未匹配或对应多家"
                 "企业的行列出并跳过（网页中可逐行选择企业）；有错误的行使"
                 "整个导入不写入。\n\nKIND:");
    for (int i = 0; i < n; i++) {
        fprintf(out, " %s（%s）", k[i].code, k[i].short_name);
    }
    fprintf(out, "\n\n选项:\n  --dry-run  只匹配和校验，不写入\n");
}

static void cq_print(json_t *v)
{
    json_t *s = json_object_get(v, "summary");
    json_t *rows = json_object_get(v, "rows");
    static const char *const names[][2] = {{"ambiguous", "对应多家企业"},
                                           {"unmatched", "未匹配"},
                                           {"invalid", "有错误"},
                                           {"exists", "已登记"}};

    printf("名单导入 #%lld：%s\n",
           (long long)json_integer_value(json_object_get(v, "id")),
           json_string_value(json_object_get(v, "status")));
    printf("共 %lld 行：已匹配 %lld，对应多家企业 %lld，未匹配 %lld，有错误 "
           "%lld，已登记 %lld\n",
           (long long)json_integer_value(json_object_get(s, "rows")),
           (long long)json_integer_value(json_object_get(s, "matched")),
           (long long)json_integer_value(json_object_get(s, "ambiguous")),
           (long long)json_integer_value(json_object_get(s, "unmatched")),
           (long long)json_integer_value(json_object_get(s, "invalid")),
           (long long)json_integer_value(json_object_get(s, "exists")));
    if (json_object_get(s, "inserted")) {
        printf("写入 %lld 条，跳过 %lld 行\n",
               (long long)json_integer_value(json_object_get(s, "inserted")),
               (long long)json_integer_value(json_object_get(s, "skipped")));
    }
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        const char *st = json_string_value(json_object_get(r, "status"));
        for (size_t k = 0; st && k < sizeof names / sizeof names[0]; k++) {
            if (strcmp(st, names[k][0]) == 0) {
                const char *nm = json_string_value(json_object_get(r, "name"));
                const char *msg =
                    json_string_value(json_object_get(r, "message"));
                printf("第 %lld 行 %s【%s】%s\n",
                       (long long)json_integer_value(json_object_get(r, "row")),
                       nm ? nm : "", names[k][1], msg ? msg : "");
            }
        }
    }
}

int cli_qual_import_main(int argc, char **argv, const char *db_location)
{
    const char *file = NULL, *kind = NULL, *batch = NULL;
    const char *format = "table";
    json_t *v = NULL, *done = NULL;
    Db *db = NULL;
    int dry = 0, rc;
    Actor a;
    Err e;

    /* argv[0] "import", argv[1] "qualifications" */
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!arg) {
            break;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cq_usage(stdout);
            return 0;
        } else if (strcmp(arg, "--dry-run") == 0) {
            dry = 1;
        } else if (strcmp(arg, "--kind") == 0 && val) {
            kind = val;
            i++;
        } else if (strcmp(arg, "--batch") == 0 && val) {
            batch = val;
            i++;
        } else if (strcmp(arg, "--format") == 0 && val &&
                   (strcmp(val, "table") == 0 || strcmp(val, "json") == 0)) {
            format = val;
            i++;
        } else if (arg[0] != '-' && !file) {
            file = arg;
        } else {
            fprintf(stderr, "kechuang import qualifications: 未知参数 %s\n\n",
                    arg);
            cq_usage(stderr);
            return 2;
        }
    }
    if (!file || !kind) {
        fprintf(stderr,
                "kechuang import qualifications: 请给出文件和 --kind\n\n");
        cq_usage(stderr);
        return 2;
    }
    if (!qual_kind_find(kind)) {
        fprintf(stderr, "kechuang import qualifications: 未知的资质类型 %s\n",
                kind);
        return 2;
    }
    if (access(file, R_OK) != 0) {
        fprintf(stderr, "kechuang import qualifications: 无法读取 %s\n", file);
        return 1;
    }
    err_clear(&e);
    actor_init_system(&a);
    rc = db_open(&db, db_location, &e);
    if (rc == 0) {
        rc = db_migrate(db, NULL, &e);
    }
    if (rc == 0) {
        const char *base = strrchr(file, '/');
        rc = qual_import_check(db, &a, kind, batch, file,
                               base ? base + 1 : file, &v, &e);
    }
    if (rc == 0 && !dry) {
        rc = qual_import_apply_checked(db, &a, v, NULL, &done, &e);
    }
    db_close(db);
    if (done) {
        json_decref(v);
        v = done;
    }
    if (v) {
        if (strcmp(format, "json") == 0) {
            char *txt = json_dumps(v, JSON_INDENT(2));
            printf("%s\n", txt ? txt : "{}");
            free(txt);
        } else {
            cq_print(v);
        }
    }
    json_decref(v);
    if (rc) {
        fprintf(stderr, "kechuang import qualifications: %s\n", e.msg);
        return 1;
    }
    return 0;
}
