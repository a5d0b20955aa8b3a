/* cli_plan.c - `kechuang import plan-targets|plan-tasks FILE --plan ID`
 * (read a plan's published table, show the preview, write it with --yes)
 * and `kechuang report quarter --plan ID --quarter 2022Q3`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/plan/plan.h"
#include "domain/plan/plan_import.h"
#include "domain/plan/plan_kind.h"
#include "domain/plan/plan_report.h"

#define CLI_PLAN_MAX_MAP 64

static void plan_imp_usage(FILE *out)
{
    fprintf(
        out,
        "用法: kechuang import plan-targets FILE --plan ID [--kind 序号=stock|"
        "flow|ratio ...] [--yes]\n"
        "      kechuang import plan-tasks FILE --plan ID [--map "
        "单位名=单位编号|"
        "new ...] [--yes]\n\n"
        "FILE: XLSX、CSV（UTF-8 或 GBK）或从 Word "
        "表格复制的文本（制表符分隔）。\n"
        "不加 --yes 时只显示预览（问题按行列列出、未匹配的单位），不写入。\n"
        "  --map 名称=编号  把表中的单位名对应到组织机构中的单位；=new "
        "新建为部门\n"
        "  --kind 序号=类型 改正按名称推断的指标类型\n"
        "  --format json    以 JSON 输出预览和结果\n"
        "  --create-plan 名称 --years 2020-2022 [--base 2019]\n"
        "                   先新建计划（发布单位为根单位），代替 --plan\n");
}

static char *plan_slurp(const char *path, size_t *len, Err *e)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f) {
        err_set(e, ERR_IO, "file", "无法打开 %s", path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        err_set(e, ERR_IO, "file", "无法读取 %s", path);
        return NULL;
    }
    if ((size_t)n > PLAN_IMPORT_MAX_BYTES) {
        fclose(f);
        err_set(e, ERR_TOOBIG, "file", "文件超过 8 MB");
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        err_set(e, ERR_IO, "file", "无法读取 %s", path);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Print the preview as a readable table. */
static void plan_print_preview(json_t *p)
{
    json_t *errs = json_object_get(p, "errors");
    size_t i;
    json_t *it;

    json_array_foreach(json_object_get(p, "indicators"), i, it)
    {
        size_t j;
        json_t *v;

        printf("%3lld  %s（%s） %s：",
               (long long)json_integer_value(json_object_get(it, "seq")),
               json_string_value(json_object_get(it, "name")),
               json_string_value(json_object_get(it, "unit")),
               json_string_value(json_object_get(it, "kind_name")));
        json_array_foreach(json_object_get(it, "values"), j, v)
        {
            const char *val = json_string_value(json_object_get(v, "value"));

            printf(" %lld%s=%s",
                   (long long)json_integer_value(json_object_get(v, "year")),
                   json_is_true(json_object_get(v, "actual")) ? "（实际）" : "",
                   val ? val : json_string_value(json_object_get(v, "text")));
        }
        printf("\n");
    }
    json_array_foreach(json_object_get(p, "tasks"), i, it)
    {
        printf("%3lld  [%s] %.60s\n",
               (long long)json_integer_value(json_object_get(it, "seq")),
               json_string_value(json_object_get(it, "heading")),
               json_string_value(json_object_get(it, "content")));
    }
    json_array_foreach(json_object_get(p, "units"), i, it)
    {
        if (json_is_null(json_object_get(it, "unit_id"))) {
            printf("未匹配的单位：%s（用 --map %s=编号 或 =new）\n",
                   json_string_value(json_object_get(it, "name")),
                   json_string_value(json_object_get(it, "name")));
        }
    }
    json_array_foreach(errs, i, it)
    {
        const char *col = json_string_value(json_object_get(it, "col"));

        printf("问题：第%lld行%s%s %s\n",
               (long long)json_integer_value(json_object_get(it, "row")),
               col ? col : "", col ? "列" : "",
               json_string_value(json_object_get(it, "message")));
    }
}

/* Add "name=value" to obj: integer values as numbers, else strings. */
static int plan_map_add(json_t *obj, const char *arg)
{
    const char *eq = strrchr(arg, '=');
    char *end = NULL;
    char key[256];
    long long v;

    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof key) {
        return -1;
    }
    memcpy(key, arg, (size_t)(eq - arg));
    key[eq - arg] = '\0';
    v = strtoll(eq + 1, &end, 10);
    if (end && *end == '\0' && end != eq + 1) {
        json_object_set_new(obj, key, json_integer(v));
    } else {
        json_object_set_new(obj, key, json_string(eq + 1));
    }
    return 0;
}

int cli_plan_import_main(int argc, char **argv, const char *db_location)
{
    const char *kind = NULL;
    const char *file = NULL;
    const char *format = "table";
    json_t *units = json_object();
    json_t *kinds = json_object();
    json_t *prev = NULL;
    json_t *res = NULL;
    long long plan = 0;
    const char *create = NULL;
    int y0 = 0;
    int y1 = 0;
    int base = 0;
    char *data = NULL;
    size_t len = 0;
    int yes = 0;
    Db *db = NULL;
    Actor a;
    Err e;
    int rc = 0;

    err_clear(&e);
    if (argc < 2) {
        plan_imp_usage(stderr);
        rc = 2;
        goto out;
    }
    kind = strcmp(argv[1], "plan-targets") == 0 ? "targets" : "tasks";
    for (int i = 2; i < argc && rc == 0 && argv[i]; i++) {
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            plan_imp_usage(stdout);
            goto out;
        } else if (strcmp(argv[i], "--plan") == 0 && val) {
            plan = plan_digits(val, 18, NULL);
            i++;
        } else if (strcmp(argv[i], "--create-plan") == 0 && val) {
            create = val;
            i++;
        } else if (strcmp(argv[i], "--years") == 0 && val) {
            const char *p = NULL;

            y0 = (int)plan_digits(val, 4, &p);
            y1 = *p == '-' ? (int)plan_digits(p + 1, 4, NULL) : -1;
            rc = y0 > 0 && y1 > 0 ? 0 : 2;
            i++;
        } else if (strcmp(argv[i], "--base") == 0 && val) {
            base = (int)plan_digits(val, 4, NULL);
            i++;
        } else if (strcmp(argv[i], "--map") == 0 && val) {
            rc = plan_map_add(units, val) ? 2 : 0;
            i++;
        } else if (strcmp(argv[i], "--kind") == 0 && val) {
            rc = plan_map_add(kinds, val) ? 2 : 0;
            i++;
        } else if (strcmp(argv[i], "--format") == 0 && val) {
            format = val;
            i++;
        } else if (strcmp(argv[i], "--yes") == 0) {
            yes = 1;
        } else if (argv[i][0] != '-' && !file) {
            file = argv[i];
        } else {
            rc = 2;
        }
    }
    if (rc || !file || (plan <= 0 && !create) || (create && (!y0 || !y1))) {
        fprintf(stderr, "kechuang import: 参数有误\n");
        plan_imp_usage(stderr);
        rc = 2;
        goto out;
    }
    /* --kind takes stock/flow/ratio as strings, keyed by 序号 */
    data = plan_slurp(file, &len, &e);
    if (!data) {
        rc = 1;
        goto out;
    }
    rc = db_open(&db, db_location, &e);
    if (rc == 0) {
        rc = db_migrate(db, NULL, &e);
    }
    actor_init_system(&a);
    if (rc == 0 && create) {
        PlanInput in;
        int64_t root = 0;
        int64_t id = 0;

        memset(&in, 0, sizeof in);
        rc = db_query_int64(db, &root, &e,
                            "SELECT id FROM org_units WHERE parent_id IS NULL "
                            "ORDER BY id LIMIT 1",
                            "");
        in.name = create;
        in.issuer_unit_id = root;
        in.year_from = y0;
        in.year_to = y1;
        in.base_year = base;
        if (rc == 0) {
            rc = plan_create(db, &a, &in, &id, &e);
        }
        if (rc == 0) {
            plan = id;
            fprintf(stderr, "已新建计划 %lld：%s\n", plan, create);
        }
    }
    if (rc == 0) {
        const char *fname = strrchr(file, '/');

        rc = plan_import_preview(db, &a, plan, kind, fname ? fname + 1 : file,
                                 data, len, &prev, &e);
    }
    if (rc) {
        rc = 1;
        goto out;
    }
    if (strcmp(format, "json") == 0) {
        char *s = json_dumps(prev, JSON_INDENT(2));

        printf("%s\n", s ? s : "{}");
        free(s);
    } else {
        plan_print_preview(prev);
    }
    if (json_array_size(json_object_get(prev, "errors")) > 0) {
        fprintf(stderr, "kechuang import: 表格有问题，未写入\n");
        rc = 1;
        goto out;
    }
    if (!yes) {
        fprintf(stderr, "预览编号 %lld；确认无误后加 --yes 写入\n",
                (long long)json_integer_value(json_object_get(prev, "id")));
        goto out;
    }
    rc = plan_import_apply(db, &a,
                           json_integer_value(json_object_get(prev, "id")),
                           units, kinds, &res, &e);
    if (rc) {
        rc = 1;
        goto out;
    }
    printf(
        "已导入：指标 %lld 个，目标 %lld 项，任务 %lld 项，新建部门 %lld 个\n",
        (long long)json_integer_value(json_object_get(res, "indicators")),
        (long long)json_integer_value(json_object_get(res, "targets")),
        (long long)json_integer_value(json_object_get(res, "tasks")),
        (long long)json_integer_value(json_object_get(res, "units_created")));
out:
    if (rc == 1 && e.msg[0]) {
        fprintf(stderr, "kechuang import: %s\n", e.msg);
    }
    free(data);
    json_decref(units);
    json_decref(kinds);
    json_decref(prev);
    json_decref(res);
    db_close(db);
    return rc;
}

static void report_usage(FILE *out)
{
    fprintf(out, "用法: kechuang report quarter --plan ID --quarter 2022Q3 "
                 "[--format table|json|html|xlsx] [-o FILE]\n"
                 "按计划的年度分解表格式输出季度指标完成情况；html 可在浏览器中"
                 "打印或另存为 PDF。\n");
}

int cli_report_quarter_main(int argc, char **argv, const char *db_location)
{
    const char *quarter = NULL;
    const char *format = "table";
    const char *outp = NULL;
    long long plan = 0;
    json_t *rep = NULL;
    Db *db = NULL;
    Actor a;
    Buf b;
    Err e;
    int rc = 0;

    err_clear(&e);
    buf_init(&b, (size_t)16 * 1024 * 1024);
    if (argc < 2 || strcmp(argv[1], "quarter") != 0) {
        report_usage(argc > 1 && strcmp(argv[1], "--help") == 0 ? stdout
                                                                : stderr);
        rc = argc > 1 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
        goto out;
    }
    for (int i = 2; i < argc && rc == 0 && argv[i]; i++) {
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(argv[i], "--help") == 0) {
            report_usage(stdout);
            goto out;
        } else if (strcmp(argv[i], "--plan") == 0 && val) {
            plan = plan_digits(val, 18, NULL);
            i++;
        } else if (strcmp(argv[i], "--quarter") == 0 && val) {
            quarter = val;
            i++;
        } else if (strcmp(argv[i], "--format") == 0 && val) {
            format = val;
            i++;
        } else if (strcmp(argv[i], "-o") == 0 && val) {
            outp = val;
            i++;
        } else {
            rc = 2;
        }
    }
    if (rc || plan <= 0 || !quarter ||
        (strcmp(format, "table") != 0 && strcmp(format, "json") != 0 &&
         strcmp(format, "html") != 0 && strcmp(format, "xlsx") != 0) ||
        (strcmp(format, "xlsx") == 0 && !outp)) {
        report_usage(stderr);
        rc = 2;
        goto out;
    }
    rc = db_open(&db, db_location, &e);
    if (rc == 0) {
        rc = db_migrate(db, NULL, &e);
    }
    actor_init_system(&a);
    if (rc == 0) {
        rc = plan_report_quarter(db, &a, plan, quarter, &rep, &e);
    }
    if (rc == 0 && strcmp(format, "json") == 0) {
        char *s = json_dumps(rep, JSON_INDENT(2));

        buf_append_str(&b, s ? s : "{}");
        buf_append_char(&b, '\n');
        free(s);
    } else if (rc == 0 && strcmp(format, "html") == 0) {
        rc = plan_report_html(rep, &b, &e);
    } else if (rc == 0 && strcmp(format, "xlsx") == 0) {
        rc = plan_report_xlsx(rep, &b, &e);
    } else if (rc == 0) {
        size_t i;
        json_t *r;

        buf_appendf(&b, "%s %s（统计截至 %s）\n",
                    json_string_value(json_object_get(rep, "plan_name")),
                    quarter, json_string_value(json_object_get(rep, "date")));
        buf_append_str(
            &b, "序号\t指标\t单位\t类型\t年度目标\t实际\t完成率\t说明\n");
        json_array_foreach(json_object_get(rep, "rows"), i, r)
        {
            const char *t = json_string_value(json_object_get(r, "target"));
            const char *v = json_string_value(json_object_get(r, "actual"));

            buf_appendf(
                &b, "%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
                (long long)json_integer_value(json_object_get(r, "seq")),
                json_string_value(json_object_get(r, "name")),
                json_string_value(json_object_get(r, "unit")),
                json_string_value(json_object_get(r, "kind_name")), t ? t : "—",
                v ? v : "—",
                json_string_value(json_object_get(r, "completion")),
                json_string_value(json_object_get(r, "message")));
        }
    }
    if (rc == 0) {
        FILE *f = outp ? fopen(outp, "wb") : stdout;

        if (!f || fwrite(b.data, 1, b.len, f) != b.len) {
            rc = err_set(&e, ERR_IO, "o", "无法写入 %s",
                         outp ? outp : "标准输出");
        }
        if (f && f != stdout) {
            fclose(f);
        }
    }
    if (rc) {
        fprintf(stderr, "kechuang report: %s\n", e.msg);
        rc = 1;
    }
out:
    buf_release(&b);
    json_decref(rep);
    db_close(db);
    return rc;
}
