/* cli_policy.c - `kechuang policy`: the policy pool from the command line.
 *
 *   policy match --enterprise USCC [--year Y] [--format table|json|csv]
 *       every item of the pool for one enterprise: 符合 / 接近 / 缺数据 /
 *       待确认 / 不符合, the amount and why
 *   policy entitled --item ID|CODE --year Y [--format table|json|csv]
 *       the 免申即享 list of an item (enterprises the data entitle that
 *       have no application yet)
 *   policy candidates --item ID|CODE --year Y [--format table|json|csv]
 *       the district's qualified enterprises for an item (batch path)
 *   policy district [--year Y] [--format table|json] [--runs N]
 *                   [--dump FILE]
 *       every item over the district in one pass (one snapshot): counts,
 *       cost, and the time taken; --runs repeats the pass N times in the
 *       process (a time line each), --dump writes every (enterprise, item)
 *       that is not 不符合 as CSV to FILE (bench/policy's comparison)
 *
 * Acts as the system user (scope: the whole district). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/err.h"
#include "base/money.h"
#include "base/uscc.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/policy/policy.h"

static void policy_usage(FILE *out)
{
    fprintf(out,
            "用法: kechuang policy match --enterprise 统一社会信用代码 "
            "[--year 年度] [--format table|json|csv]\n"
            "      kechuang policy entitled --item 条款ID或编码 --year 年度 "
            "[--format table|json|csv]\n"
            "      kechuang policy candidates --item 条款ID或编码 --year 年度 "
            "[--format table|json|csv]\n"
            "      kechuang policy district [--year 年度] [--format "
            "table|json] [--runs 次数] [--dump 文件]\n\n"
            "match 列出一家企业对政策池每个条款的结论（符合、接近、缺数据、"
            "待确认、不符合）、\n可得金额（万元）和原因；entitled "
            "列出免申即享条款当年应享受、尚未确认的企业；\ncandidates "
            "列出条款当年全区符合条件的企业（批量评价）；district "
            "统计全区每个条款，\n--runs 在同一进程内重复 N 次并逐次报告耗时，"
            "--dump 把每家企业每个条款的\n结论和金额（不符合且无金额的除外）"
            "写成 CSV。\n");
}

static void wan_print(FILE *out, int64_t yuan)
{
    Buf b;
    char *s;

    buf_init(&b, 64);
    money_format_wan(yuan, &b);
    s = buf_detach(&b, NULL);
    fputs(s ? s : "", out);
    free(s);
}

static void csv_field(const char *s)
{
    Buf b;
    char *t;

    buf_init(&b, 1 << 16);
    buf_append_csv_field(&b, s ? s : "", s ? strlen(s) : 0);
    t = buf_detach(&b, NULL);
    fputs(t ? t : "", stdout);
    free(t);
}

static void join_array(json_t *arr, char *out, size_t cap)
{
    size_t i, off = 0;
    json_t *v;

    out[0] = '\0';
    json_array_foreach(arr, i, v)
    {
        if (off < cap - 1) {
            off += (size_t)snprintf(out + off, cap - off, "%s%s", i ? "；" : "",
                                    json_string_value(v));
        }
    }
}

static void print_match(json_t *o, const char *format)
{
    json_t *items = json_object_get(o, "items"), *r;
    size_t i;
    char why[2048];

    if (strcmp(format, "csv") == 0) {
        printf("条款编码,条款,结论,金额（万元）,金额计算,原因\n");
    } else {
        printf("年度 %lld（评价日 %s），符合条款可得合计 ",
               (long long)json_integer_value(json_object_get(o, "year")),
               json_string_value(json_object_get(o, "as_of")));
        wan_print(stdout,
                  json_integer_value(json_object_get(o, "total_amount")));
        printf(" 万元\n");
    }
    json_array_foreach(items, i, r)
    {
        int known = json_is_true(json_object_get(r, "amount_known"));
        int money = json_is_true(json_object_get(r, "money"));

        join_array(json_object_get(r, "reasons"), why, sizeof why);
        if (json_array_size(json_object_get(r, "gaps"))) {
            size_t n = strlen(why);

            snprintf(why + n, sizeof why - n, "%s差距：", n ? "；" : "");
            n = strlen(why);
            join_array(json_object_get(r, "gaps"), why + n, sizeof why - n);
        }
        if (strcmp(format, "csv") == 0) {
            csv_field(json_string_value(json_object_get(r, "code")));
            putchar(',');
            csv_field(json_string_value(json_object_get(r, "title")));
            putchar(',');
            csv_field(json_string_value(json_object_get(r, "outcome_name")));
            putchar(',');
            if (money && known) {
                wan_print(stdout,
                          json_integer_value(json_object_get(r, "amount")));
            }
            putchar(',');
            csv_field(json_string_value(json_object_get(r, "basis")));
            putchar(',');
            csv_field(why);
            putchar('\n');
            continue;
        }
        printf("[%s] %s", json_string_value(json_object_get(r, "outcome_name")),
               json_string_value(json_object_get(r, "title")));
        if (money && known) {
            printf("：");
            wan_print(stdout, json_integer_value(json_object_get(r, "amount")));
            printf(" 万元（%s）",
                   json_string_value(json_object_get(r, "basis")));
        } else if (money) {
            printf("：%s", json_string_value(json_object_get(r, "basis")));
        } else {
            printf("：仅提示");
        }
        if (why[0]) {
            printf("；%s", why);
        }
        printf("\n");
    }
}

static void print_rows(json_t *rows, const char *format)
{
    json_t *r;
    size_t i;

    if (strcmp(format, "csv") == 0) {
        printf("序号,企业名称,统一社会信用代码,所属街道（园区）,金额（万元）,"
               "金额计算\n");
    }
    json_array_foreach(rows, i, r)
    {
        if (strcmp(format, "csv") == 0) {
            printf("%zu,", i + 1);
            csv_field(json_string_value(json_object_get(r, "name")));
            putchar(',');
            csv_field(json_string_value(json_object_get(r, "uscc")));
            putchar(',');
            csv_field(json_string_value(json_object_get(r, "unit_name")));
            putchar(',');
            wan_print(stdout, json_integer_value(json_object_get(r, "amount")));
            putchar(',');
            csv_field(json_string_value(json_object_get(r, "basis")));
            putchar('\n');
        } else {
            printf("%zu\t%s\t%s\t%s\t", i + 1,
                   json_string_value(json_object_get(r, "uscc")),
                   json_string_value(json_object_get(r, "name")),
                   json_string_value(json_object_get(r, "unit_name")));
            wan_print(stdout, json_integer_value(json_object_get(r, "amount")));
            printf(" 万元\n");
        }
    }
    if (strcmp(format, "csv") != 0) {
        printf("共 %zu 家\n", json_array_size(rows));
    }
}

int cli_policy_main(int argc, char **argv, const char *db_location)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    const char *uscc_in = NULL, *item = NULL, *format = "table";
    const char *dump = NULL;
    int64_t year = 0, item_id = 0, runs = 1;
    char uscc[USCC_LEN + 1];
    json_t *o = NULL;
    Db *db = NULL;
    Actor a;
    Err e;
    int rc, i, y, m, d;

    err_clear(&e);
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        policy_usage(sub ? stdout : stderr);
        return sub ? 0 : 2;
    }
    if (strcmp(sub, "match") != 0 && strcmp(sub, "entitled") != 0 &&
        strcmp(sub, "candidates") != 0 && strcmp(sub, "district") != 0) {
        fprintf(stderr, "kechuang policy: 未知子命令 %s\n\n", sub);
        policy_usage(stderr);
        return 2;
    }
    for (i = 2; i < argc; i++) {
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(argv[i], "--help") == 0) {
            policy_usage(stdout);
            return 0;
        }
        if (!val) {
            fprintf(stderr, "kechuang policy: %s 缺少值\n", argv[i]);
            return 2;
        }
        if (strcmp(argv[i], "--enterprise") == 0) {
            uscc_in = val;
        } else if (strcmp(argv[i], "--item") == 0) {
            item = val;
        } else if (strcmp(argv[i], "--year") == 0) {
            char *end;

            year = strtoll(val, &end, 10);
            if (*end || year < 2000 || year > 2100) {
                fprintf(stderr, "kechuang policy: --year 应为 2000 至 2100 "
                                "之间的年度\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--format") == 0) {
            if (strcmp(val, "table") != 0 && strcmp(val, "json") != 0 &&
                strcmp(val, "csv") != 0) {
                fprintf(stderr,
                        "kechuang policy: --format 应为 table、json 或 csv\n");
                return 2;
            }
            format = val;
        } else if (strcmp(argv[i], "--runs") == 0) {
            char *end;

            runs = strtoll(val, &end, 10);
            if (*end || runs < 1 || runs > 100) {
                fprintf(stderr, "kechuang policy: --runs 应为 1 至 100\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--dump") == 0) {
            dump = val;
        } else {
            fprintf(stderr, "kechuang policy: 未知选项 %s\n\n", argv[i]);
            policy_usage(stderr);
            return 2;
        }
        i++;
    }
    if (!year) {
        date_to_ymd(date_today(), &y, &m, &d);
        year = y;
    }
    if (strcmp(sub, "match") == 0) {
        if (!uscc_in) {
            fprintf(stderr, "kechuang policy match: 请指定 --enterprise "
                            "统一社会信用代码\n");
            return 2;
        }
        if (uscc_normalize(uscc_in, uscc, &e) != 0) {
            fprintf(stderr, "kechuang policy match: %s\n", e.msg);
            return 2;
        }
    } else if (!item && strcmp(sub, "district") != 0) {
        fprintf(stderr,
                "kechuang policy entitled: 请指定 --item 条款ID或编码\n");
        return 2;
    }
    actor_init_system(&a);
    rc = db_open(&db, db_location, &e);
    if (rc == 0) {
        rc = db_migrate(db, NULL, &e);
    }
    if (rc == 0 && strcmp(sub, "match") == 0) {
        int64_t id = 0;

        rc = db_query_int64(db, &id, &e,
                            "SELECT id FROM enterprises WHERE uscc = $1", "t",
                            uscc);
        if (rc == ERR_NOTFOUND) {
            err_set(&e, ERR_NOTFOUND, "uscc",
                    "没有统一社会信用代码为 %s 的企业", uscc);
        }
        if (rc == 0) {
            rc = policy_match_enterprise(db, &a, id, (int)year, &o, &e);
        }
        if (rc == 0) {
            if (strcmp(format, "json") == 0) {
                char *s = json_dumps(o, JSON_INDENT(2));

                printf("%s\n", s ? s : "{}");
                free(s);
            } else {
                print_match(o, format);
            }
        }
    } else if (rc == 0 && strcmp(sub, "district") == 0) {
        rc = policy_district_summary(db, &a, (int)year, &o, &e);
        for (int64_t k = 1; rc == 0 && k < runs; k++) {
            /* the first pass above; each further one in the same
             * process, the saved snapshot mapped again as a request
             * would */
            fprintf(stderr,
                    "第 %lld 次：快照 %.0f ms，匹配 %.0f ms（CPU %.0f ms）\n",
                    (long long)k,
                    json_real_value(json_object_get(o, "snapshot_ms")),
                    json_real_value(json_object_get(o, "match_ms")),
                    json_real_value(json_object_get(o, "match_cpu_ms")));
            json_decref(o);
            o = NULL;
            rc = policy_district_summary(db, &a, (int)year, &o, &e);
        }
        if (rc == 0 && dump) {
            FILE *f = fopen(dump, "w");
            int64_t nd = 0;

            if (!f) {
                rc = err_set(&e, ERR_IO, "dump", "无法写入 %s", dump);
            } else {
                rc = policy_district_dump(db, &a, (int)year, f, &nd, &e);
                if (fclose(f) != 0 && rc == 0) {
                    rc = err_set(&e, ERR_IO, "dump", "无法写入 %s", dump);
                }
            }
            if (rc == 0) {
                fprintf(stderr, "已写出 %lld 行到 %s\n", (long long)nd, dump);
            }
        }
        if (rc == 0 && strcmp(format, "json") == 0) {
            char *s = json_dumps(o, JSON_INDENT(2));

            printf("%s\n", s ? s : "{}");
            free(s);
        } else if (rc == 0) {
            json_t *r;
            size_t k;

            printf("年度 %d，企业 %lld 家\n", (int)year,
                   (long long)json_integer_value(
                       json_object_get(o, "enterprises")));
            json_array_foreach(json_object_get(o, "items"), k, r)
            {
                printf("%s\t符合 %lld\t缺数据 %lld\t金额 ",
                       json_string_value(json_object_get(r, "title")),
                       (long long)json_integer_value(
                           json_object_get(r, "qualified")),
                       (long long)json_integer_value(
                           json_object_get(r, "unknown")));
                if (json_is_true(json_object_get(r, "claimed_base"))) {
                    printf("按申报\n");
                } else {
                    wan_print(stdout,
                              json_integer_value(json_object_get(r, "cost")));
                    printf(" 万元\n");
                }
            }
            printf("快照 %.0f ms，%zu 个条款匹配 %.0f ms（CPU %.0f ms）\n",
                   json_real_value(json_object_get(o, "snapshot_ms")),
                   json_array_size(json_object_get(o, "items")),
                   json_real_value(json_object_get(o, "match_ms")),
                   json_real_value(json_object_get(o, "match_cpu_ms")));
        }
    } else if (rc == 0 && item) {
        char *end;

        item_id = strtoll(item, &end, 10);
        if (*end || item_id <= 0) {
            rc = db_query_int64(db, &item_id, &e,
                                "SELECT id FROM policy_items WHERE code = $1",
                                "t", item);
            if (rc == ERR_NOTFOUND) {
                err_set(&e, ERR_NOTFOUND, "item", "没有编码为 %s 的政策条款",
                        item);
            }
        }
        if (rc == 0 && strcmp(sub, "entitled") == 0) {
            rc = policy_entitled(db, &a, item_id, (int)year, &o, &e);
        } else if (rc == 0) {
            rc = policy_candidates(db, &a, item_id, (int)year, 0, &o, &e);
        }
        if (rc == 0) {
            if (strcmp(format, "json") == 0) {
                char *s = json_dumps(o, JSON_INDENT(2));

                printf("%s\n", s ? s : "[]");
                free(s);
            } else {
                print_rows(o, format);
            }
        }
    }
    json_decref(o);
    db_close(db);
    if (rc) {
        fprintf(stderr, "kechuang policy: %s\n", e.msg);
        return 1;
    }
    return 0;
}
