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

static void cq_print(const QualImportList *l)
{
    static const char *const names[][2] = {{"ambiguous", "对应多家企业"},
                                           {"unmatched", "未匹配"},
                                           {"invalid", "有错误"},
                                           {"exists", "已登记"}};
    long long n[5] = {0};

    for (size_t i = 0; i < l->n; i++) {
        const char *st = l->rows[i].status;
        for (size_t k = 0; st && k < 4; k++) {
            n[k + 1] += strcmp(st, names[k][0]) == 0;
        }
        n[0] += st && strcmp(st, "matched") == 0;
    }
    printf("名单导入 #%lld：%s\n", (long long)l->id, l->status);
    printf("共 %lld 行：已匹配 %lld，对应多家企业 %lld，未匹配 %lld，有错误 "
           "%lld，已登记 %lld\n",
           (long long)l->n, n[0], n[1], n[2], n[3], n[4]);
    if (strcmp(l->status, "applied") == 0) {
        printf("写入 %lld 条，跳过 %lld 行\n", (long long)l->inserted,
               (long long)l->skipped);
    }
    for (size_t i = 0; i < l->n; i++) {
        const QualImportRow *r = &l->rows[i];
        for (size_t k = 0; r->status && k < sizeof names / sizeof names[0];
             k++) {
            if (strcmp(r->status, names[k][0]) == 0) {
                printf("%s%s%s第 %lld 行 %s【%s】%s\n",
                       r->sheet ? "工作表“" : "", r->sheet ? r->sheet : "",
                       r->sheet ? "”" : "", (long long)r->row,
                       r->name ? r->name : "", names[k][1],
                       r->message ? r->message : "");
            }
        }
    }
}

int cli_qual_import_main(int argc, char **argv, const char *db_location)
{
    const char *file = NULL, *kind = NULL, *batch = NULL;
    const char *format = "table";
    QualImportList *l = NULL;
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
        rc = qual_import_check_list(db, &a, kind, batch, file,
                                    base ? base + 1 : file, &l, &e);
    }
    if (rc == 0 && !dry) {
        rc = qual_import_apply_list(db, &a, l, NULL, &e);
    }
    db_close(db);
    if (l && strcmp(format, "json") == 0) {
        json_t *v = qual_import_list_json(l);
        char *txt = json_dumps(v, JSON_INDENT(2));
        printf("%s\n", txt ? txt : "{}");
        free(txt);
        json_decref(v);
    } else if (l) {
        cq_print(l);
    }
    qual_import_list_free(l);
    if (rc) {
        fprintf(stderr, "kechuang import qualifications: %s\n", e.msg);
        return 1;
    }
    return 0;
}
