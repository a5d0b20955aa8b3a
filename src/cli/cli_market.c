/* cli_market.c - `kechuang import contracts FILE` and
 * `kechuang report contracts --year Y`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/err.h"
#include "base/money.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/market/contract_import.h"
#include "domain/market/contract_stats.h"

static void mk_import_usage(FILE *out)
{
    fprintf(out,
            "用法: kechuang import contracts FILE [--mode all|valid] "
            "[--dry-run] [--confirm-large] [--format table|json]\n\n"
            "FILE: 技术合同登记机构导出的 XLSX 或 CSV（UTF-8 或 GBK）；表头可不"
            "在第一行，底部合计行忽略，金额单位按表头（万元或元）。\n"
            "  --mode all       有错误行时不写入任何数据（默认），退出码 1\n"
            "  --mode valid     只写入有效的行\n"
            "  --dry-run        只校验，不写入\n"
            "  --confirm-large  确认成交额超过 10 亿元的合同\n");
}

static int mk_open(const char *loc, Db **db, Err *e)
{
    int rc = db_open(db, loc, e);
    if (rc == 0) {
        rc = db_migrate(*db, NULL, e);
    }
    return rc;
}

static void mk_print_report(json_t *r)
{
    json_t *s = json_object_get(r, "summary");
    json_t *errs = json_object_get(r, "errors");
    json_t *warns = json_object_get(r, "warnings");
    size_t i;

#define N(k) (long long)json_integer_value(json_object_get(s, k))
    printf("表头在第 %lld 行，金额单位：%s\n",
           (long long)json_integer_value(json_object_get(r, "header_row")),
           json_string_value(json_object_get(r, "amount_unit")));
    printf("合同 %lld 行：有效 %lld，有误 %lld；新登记 %lld，变更 %lld，"
           "无变化 %lld；忽略合计及说明行 %lld\n",
           N("rows"), N("valid"), N("invalid"), N("inserted"), N("amended"),
           N("unchanged"), N("ignored"));
#undef N
    for (i = 0; i < json_array_size(warns); i++) {
        json_t *w = json_array_get(warns, i);
        printf("提示：第 %lld 行 %s：%s\n",
               (long long)json_integer_value(json_object_get(w, "row")),
               json_string_value(json_object_get(w, "reg_no")),
               json_string_value(json_object_get(w, "message")));
    }
    for (i = 0; i < json_array_size(errs); i++) {
        json_t *x = json_array_get(errs, i);
        const char *col = json_string_value(json_object_get(x, "column"));
        printf("第 %lld 行%s%s%s：%s\n",
               (long long)json_integer_value(json_object_get(x, "row")),
               col && *col ? "「" : "", col ? col : "", col && *col ? "」" : "",
               json_string_value(json_object_get(x, "message")));
    }
    printf("%s\n", json_is_true(json_object_get(r, "applied"))
                       ? "已写入。"
                       : "未写入任何数据。");
}

int cli_market_import(int argc, char **argv, const char *db_location)
{
    ContractImportOpts o;
    const char *file = NULL, *format = "table";
    json_t *report = NULL;
    Db *db = NULL;
    Actor a;
    Err e;
    int i, rc, dry = 0;

    memset(&o, 0, sizeof o);
    for (i = 1; i < argc; i++) {
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!argv[i]) {
            continue;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            mk_import_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--dry-run") == 0) {
            dry = 1;
        } else if (strcmp(argv[i], "--confirm-large") == 0) {
            o.confirm_large = 1;
        } else if (strcmp(argv[i], "--mode") == 0 && val &&
                   (strcmp(val, "all") == 0 || strcmp(val, "valid") == 0)) {
            o.valid_only = strcmp(val, "valid") == 0;
            i++;
        } else if (strcmp(argv[i], "--format") == 0 && val &&
                   (strcmp(val, "table") == 0 || strcmp(val, "json") == 0)) {
            format = val;
            i++;
        } else if (argv[i][0] != '-' && !file) {
            file = argv[i];
        } else {
            mk_import_usage(stderr);
            return 2;
        }
    }
    if (!file) {
        mk_import_usage(stderr);
        return 2;
    }
    o.apply = !dry;
    o.file_name = file;
    err_clear(&e);
    actor_init_system(&a);
    rc = mk_open(db_location, &db, &e);
    if (rc == 0) {
        rc = contract_import_file(db, &a, file, &o, &report, &e);
    }
    if (report) {
        if (strcmp(format, "json") == 0) {
            char *s = json_dumps(report, JSON_INDENT(2));
            printf("%s\n", s);
            free(s);
        } else {
            mk_print_report(report);
        }
    }
    if (rc) {
        fprintf(stderr, "kechuang import contracts: %s\n",
                e.msg[0] ? e.msg : "导入失败");
    }
    json_decref(report);
    db_close(db);
    return rc ? 1 : 0;
}

static void mk_report_usage(FILE *out)
{
    fprintf(out, "用法: kechuang report contracts [--year Y] [--unit ID] "
                 "[--format table|json|csv]\n"
                 "技术合同成交额、技术交易额按月、类别、单位统计，卖方排名，"
                 "以及技术合同成交额指标（默认口径）。\n");
}

static void mk_print_group(const char *title, json_t *g, const char *format)
{
    json_t *items = json_object_get(g, "items");
    size_t i;

    if (strcmp(format, "csv") == 0) {
        for (i = 0; i < json_array_size(items); i++) {
            json_t *x = json_array_get(items, i);
            json_t *y = json_object_get(x, "yoy_pct");
            printf("%s,%s,%lld,%s,%s,%s\n", title,
                   json_string_value(json_object_get(x, "label")),
                   (long long)json_integer_value(json_object_get(x, "count")),
                   json_string_value(json_object_get(x, "amount_wan")),
                   json_string_value(json_object_get(x, "tech_amount_wan")),
                   json_is_string(y) ? json_string_value(y) : "");
        }
        return;
    }
    printf("\n%s\n", title);
    printf("  %-24s %8s %16s %16s %10s\n", "项目", "份数", "成交额（万元）",
           "技术交易额（万元）", "同比%");
    for (i = 0; i < json_array_size(items); i++) {
        json_t *x = json_array_get(items, i);
        json_t *y = json_object_get(x, "yoy_pct");
        printf("  %-24s %8lld %16s %16s %10s\n",
               json_string_value(json_object_get(x, "label")),
               (long long)json_integer_value(json_object_get(x, "count")),
               json_string_value(json_object_get(x, "amount_wan")),
               json_string_value(json_object_get(x, "tech_amount_wan")),
               json_is_string(y) ? json_string_value(y) : "—");
    }
}

int cli_report_contracts_main(int argc, char **argv, const char *db_location)
{
    static const char *const groups[] = {"month", "quarter", "type",
                                         "field", "unit",    "buyer_place"};
    static const char *const titles[] = {"按月",           "按季度",
                                         "按合同类别",     "按技术领域",
                                         "按单位（卖方）", "按买方所在地"};
    const char *format = "table";
    json_t *all = json_object();
    json_t *top = NULL;
    ContractStatsQuery q;
    int64_t unit = 0, yuan = 0, n = 0;
    Db *db = NULL;
    Actor a;
    Err e;
    int year = 0, i, rc = 0;
    char from[16], to[16];

    if (argc < 2 || strcmp(argv[1], "contracts") != 0) {
        if (argc > 1 &&
            (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            mk_report_usage(stdout);
            json_decref(all);
            return 0;
        }
        mk_report_usage(stderr);
        json_decref(all);
        return 2;
    }
    date_to_ymd(date_today(), &year, NULL, NULL);
    for (i = 2; i < argc; i++) {
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--help") == 0) {
            mk_report_usage(stdout);
            json_decref(all);
            return 0;
        } else if (strcmp(argv[i], "--year") == 0 && val) {
            char *end;
            year = (int)strtol(val, &end, 10);
            if (*end || year < 1990 || year > 2999) {
                fprintf(stderr, "kechuang report: 年份应在 1990–2999 之间\n");
                json_decref(all);
                return 2;
            }
            i++;
        } else if (strcmp(argv[i], "--unit") == 0 && val) {
            unit = strtoll(val, NULL, 10);
            i++;
        } else if (strcmp(argv[i], "--format") == 0 && val &&
                   (strcmp(val, "table") == 0 || strcmp(val, "json") == 0 ||
                    strcmp(val, "csv") == 0)) {
            format = val;
            i++;
        } else {
            mk_report_usage(stderr);
            json_decref(all);
            return 2;
        }
    }
    err_clear(&e);
    actor_init_system(&a);
    rc = mk_open(db_location, &db, &e);
    for (i = 0; rc == 0 && i < (int)(sizeof groups / sizeof groups[0]); i++) {
        json_t *g = NULL;
        memset(&q, 0, sizeof q);
        q.group = groups[i];
        q.year = year;
        q.unit_id = unit;
        rc = contract_stats(db, &a, &q, &g, &e);
        if (rc == 0) {
            json_object_set_new(all, groups[i], g);
        }
    }
    if (rc == 0) {
        rc = contract_stats_top(db, &a, "seller", year, 10, &top, &e);
    }
    if (rc == 0) {
        if (!unit) {
            rc = db_query_int64(db, &unit, &e,
                                "SELECT id FROM org_units WHERE parent_id IS "
                                "NULL ORDER BY id LIMIT 1",
                                "");
        }
        snprintf(from, sizeof from, "%04d-01-01", year);
        snprintf(to, sizeof to, "%04d-12-31", year);
        if (rc == 0) {
            rc = market_indicator_contract_amount(db, unit, from, to, NULL,
                                                  &yuan, &n, &e);
        }
    }
    if (rc) {
        fprintf(stderr, "kechuang report: %s\n", e.msg[0] ? e.msg : "统计失败");
        json_decref(all);
        json_decref(top);
        db_close(db);
        return 1;
    }
    json_object_set_new(all, "top_sellers", top);
    json_object_set_new(all, "indicator",
                        json_pack("{sIsIsI}", "unit_id", (json_int_t)unit,
                                  "amount", (json_int_t)yuan, "contracts",
                                  (json_int_t)n));
    if (strcmp(format, "json") == 0) {
        char *s = json_dumps(all, JSON_INDENT(2));
        printf("%s\n", s);
        free(s);
    } else {
        json_t *tot = json_object_get(json_object_get(all, "month"), "total");
        if (strcmp(format, "csv") == 0) {
            printf("分组,项目,份数,成交额（万元）,技术交易额（万元）,同比%%\n");
        } else {
            json_t *yoy = json_object_get(tot, "yoy_pct");
            Buf w;
            printf("%d 年技术合同：%lld 份，成交额 %s 万元，技术交易额 %s 万元"
                   "（同比 %s%s）\n",
                   year,
                   (long long)json_integer_value(json_object_get(tot, "count")),
                   json_string_value(json_object_get(tot, "amount_wan")),
                   json_string_value(json_object_get(tot, "tech_amount_wan")),
                   json_is_string(yoy) ? json_string_value(yoy) : "—",
                   json_is_string(yoy) ? "%" : "");
            buf_init(&w, 64);
            money_format_wan(yuan, &w);
            printf(
                "技术合同成交额指标（默认口径：登记日期在本年、卖方属于本单位"
                "及下级单位，待确认）：%s 万元，%lld 份\n",
                w.data, (long long)n);
            buf_release(&w);
        }
        for (i = 0; i < (int)(sizeof groups / sizeof groups[0]); i++) {
            mk_print_group(titles[i], json_object_get(all, groups[i]), format);
        }
        if (strcmp(format, "table") == 0) {
            size_t k;
            printf("\n卖方排名（前 10）\n");
            for (k = 0; k < json_array_size(top); k++) {
                json_t *x = json_array_get(top, k);
                printf(
                    "  %2zu. %-30s %6lld 份 %14s 万元\n", k + 1,
                    json_string_value(json_object_get(x, "name")),
                    (long long)json_integer_value(json_object_get(x, "count")),
                    json_string_value(json_object_get(x, "amount_wan")));
            }
        }
    }
    json_decref(all);
    db_close(db);
    return 0;
}
