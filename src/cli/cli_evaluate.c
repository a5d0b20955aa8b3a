/* cli_evaluate.c - `kechuang evaluate`: explain one enterprise's
 * eligibility, or screen the whole district and store the decisions. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/uscc.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/eligibility/elig_screen.h"
#include "rules/rules.h"

#define EVAL_MAX_SETS 64

static void eval_usage(FILE *out)
{
    fprintf(
        out,
        "用法:\n"
        "  kechuang evaluate --enterprise USCC [--ruleset ID] [--as-of "
        "DATE] [--format text|json]\n"
        "  kechuang evaluate --all [--ruleset ID ...] [--as-of DATE] "
        "[--quiet]\n\n"
        "--enterprise 逐条说明一家企业在评价日适用的各规则集下的结论、"
        "得分、差距和下一步；\n"
        "--all 评估辖区内全部企业并保存结论（一个事务，一条审计记录），"
        "按规则集和结论输出计数。\n\n"
        "选项:\n"
        "  --enterprise USCC  统一社会信用代码\n"
        "  --all              全部企业\n"
        "  --ruleset ID       规则集编号（--all 时可重复），默认评价日有效的"
        "全部规则集\n"
        "  --as-of DATE       评价日 YYYY-MM-DD，默认今天\n"
        "  --format FMT       text（默认）或 json\n"
        "  --quiet            不显示进度\n"
        "  --help             显示本帮助\n");
}

static double eval_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void eval_progress(void *ud, int64_t done, int64_t total)
{
    double *t0 = ud;

    fprintf(stderr, "\r已评估 %lld / %lld 家企业（%.1f 秒）", (long long)done,
            (long long)total, eval_now() - *t0);
    if (done == total) {
        fputc('\n', stderr);
    }
}

/* Text explanation of elig_evaluate's JSON. */
static void print_text(json_t *o)
{
    size_t i, j;
    json_t *r, *l;

    printf("评价日 %s（评价年度 %lld），输入哈希 %s\n",
           json_string_value(json_object_get(o, "as_of")),
           (long long)json_integer_value(json_object_get(o, "year")),
           json_string_value(json_object_get(o, "input_hash")));
    json_array_foreach(json_object_get(o, "input_sources"), i, r)
    {
        printf("数据来源：%s\n", json_string_value(json_object_get(r, "text")));
    }
    json_array_foreach(json_object_get(o, "results"), i, r)
    {
        json_t *row, *lo = json_object_get(r, "score_lo");

        printf("\n== %s（%s）：%s",
               json_string_value(json_object_get(r, "name")),
               json_string_value(json_object_get(r, "ruleset")),
               json_string_value(json_object_get(r, "verdict_name")));
        if (json_is_integer(lo)) {
            printf(
                "，得分 %lld–%lld", (long long)json_integer_value(lo),
                (long long)json_integer_value(json_object_get(r, "score_hi")));
        }
        printf("\n");
        json_array_foreach(json_object_get(r, "assumptions"), j, row)
        {
            printf("  口径说明：%s\n", json_string_value(row));
        }
        json_array_foreach(json_object_get(r, "rows"), j, row)
        {
            const char *gap = json_string_value(json_object_get(row, "gap"));
            const char *miss =
                json_string_value(json_object_get(row, "missing"));

            printf("%*s- %s [%s] 实际 %s；要求 %s",
                   2 * (int)json_integer_value(json_object_get(row, "depth")),
                   "", json_string_value(json_object_get(row, "label")),
                   json_string_value(json_object_get(row, "outcome_name")),
                   json_string_value(json_object_get(row, "actual")),
                   json_string_value(json_object_get(row, "required")));
            if (gap && *gap) {
                printf("；差距：%s", gap);
            }
            if (miss && *miss) {
                printf("；缺：%s", miss);
            }
            printf("\n");
        }
        printf("   规则集哈希 %s\n",
               json_string_value(json_object_get(r, "ruleset_hash")));
    }
    json_array_foreach(json_object_get(o, "ladders"), i, l)
    {
        json_t *next = json_object_get(l, "next"), *c;
        json_t *top = json_object_get(l, "highest_met");

        printf("\n下一步（%s）：已达 %s",
               json_string_value(json_object_get(l, "ladder")),
               json_is_string(top) ? json_string_value(top) : "无");
        if (!json_is_object(next)) {
            printf("，已是最高层级\n");
            continue;
        }
        printf(
            "，下一层级 %s（%s），需 %lld 项改变、%lld 项条件缺数据\n",
            json_string_value(json_object_get(next, "name")),
            json_string_value(json_object_get(next, "ruleset")),
            (long long)json_integer_value(json_object_get(next, "n_changes")),
            (long long)json_integer_value(json_object_get(next, "n_missing")));
        json_array_foreach(json_object_get(next, "changes"), j, c)
        {
            size_t k;
            json_t *g;
            const char *miss = json_string_value(json_object_get(c, "missing"));

            printf("  - %s%s",
                   json_string_value(json_object_get(c, "criterion")),
                   json_is_true(json_object_get(c, "alternatives"))
                       ? "（任选其一）"
                       : "");
            json_array_foreach(json_object_get(c, "gaps"), k, g)
            {
                printf("%s%s", k ? "；" : "：", json_string_value(g));
            }
            if (miss && *miss) {
                printf("（缺：%s）", miss);
            }
            printf("\n");
        }
        json_array_foreach(json_object_get(next, "score_options"), j, c)
        {
            printf("  · 提分途径：%s\n", json_string_value(c));
        }
    }
}

void cli_print_screen_counts(const json_t *counts)
{
    const char *id;
    json_t *c;

    json_object_foreach(json_object_get(counts, "rulesets"), id, c)
    {
        printf("%s：", id);
        for (int v = RULE_V_MET; v <= RULE_V_CONFLICT; v++) {
            printf(" %s %lld", rule_verdict_name(v),
                   (long long)json_integer_value(
                       json_object_get(c, elig_verdict_code(v))));
        }
        printf("\n");
    }
}

int cli_evaluate_main(int argc, char **argv, const char *db_location)
{
    const char *uscc_in = NULL, *format = "text";
    const char *sets[EVAL_MAX_SETS];
    int n_sets = 0, all = 0, quiet = 0, rc, i;
    char uscc[USCC_LEN + 1];
    Date as_of = date_today();
    Db *db = NULL;
    Err e;

    err_clear(&e);
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            eval_usage(stdout);
            return 0;
        } else if (strcmp(arg, "--all") == 0) {
            all = 1;
            continue;
        } else if (strcmp(arg, "--quiet") == 0) {
            quiet = 1;
            continue;
        }
        if (!val) {
            fprintf(stderr, "kechuang evaluate: %s 缺少值\n", arg);
            return 2;
        }
        if (strcmp(arg, "--enterprise") == 0) {
            uscc_in = val;
        } else if (strcmp(arg, "--ruleset") == 0) {
            if (n_sets == EVAL_MAX_SETS) {
                fprintf(stderr, "kechuang evaluate: --ruleset 过多\n");
                return 2;
            }
            sets[n_sets++] = val;
        } else if (strcmp(arg, "--as-of") == 0) {
            if (date_parse(val, &as_of, "as_of", &e) != 0) {
                fprintf(stderr, "kechuang evaluate: --as-of：%s\n", e.msg);
                return 2;
            }
        } else if (strcmp(arg, "--format") == 0) {
            if (strcmp(val, "text") != 0 && strcmp(val, "json") != 0) {
                fprintf(stderr,
                        "kechuang evaluate: --format 应为 text 或 json\n");
                return 2;
            }
            format = val;
        } else {
            fprintf(stderr, "kechuang evaluate: 未知选项 %s\n\n", arg);
            eval_usage(stderr);
            return 2;
        }
        i++;
    }
    if (all == (uscc_in != NULL)) {
        fprintf(stderr, "kechuang evaluate: 请指定 --enterprise USCC 或 --all "
                        "之一\n\n");
        eval_usage(stderr);
        return 2;
    }
    if (uscc_in && n_sets > 1) {
        fprintf(stderr,
                "kechuang evaluate: --enterprise 时最多一个 --ruleset\n");
        return 2;
    }
    if (uscc_in && uscc_normalize(uscc_in, uscc, &e) != 0) {
        fprintf(stderr, "kechuang evaluate: %s\n", e.msg);
        return 2;
    }
    rc = db_open(&db, db_location, &e);
    if (rc == 0) {
        rc = db_migrate(db, NULL, &e);
    }
    if (rc == 0 && uscc_in) {
        int64_t id = 0;
        json_t *o = NULL;

        rc = db_query_int64(db, &id, &e,
                            "SELECT id FROM enterprises WHERE uscc = $1", "t",
                            uscc);
        if (rc == ERR_NOTFOUND) {
            err_set(&e, ERR_NOTFOUND, "uscc",
                    "没有统一社会信用代码为 %s 的企业", uscc);
        }
        if (rc == 0) {
            rc = elig_evaluate(db, id, as_of, n_sets ? sets[0] : NULL, NULL, 0,
                               &o, &e);
        }
        if (rc == 0) {
            if (strcmp(format, "json") == 0) {
                char *s = json_dumps(o, JSON_INDENT(2));

                printf("%s\n", s ? s : "{}");
                free(s);
            } else {
                print_text(o);
            }
        }
        json_decref(o);
    } else if (rc == 0) {
        Actor a;
        json_t *counts = NULL;
        double t0 = eval_now();

        actor_init_system(&a);
        rc = elig_screen(db, &a, sets, n_sets, as_of, NULL,
                         quiet ? NULL : eval_progress, &t0, &counts, &e);
        if (rc == 0) {
            printf("已评估 %lld 家企业（%.1f 秒），评价日 %s\n",
                   (long long)json_integer_value(
                       json_object_get(counts, "enterprises")),
                   eval_now() - t0,
                   json_string_value(json_object_get(counts, "as_of")));
            cli_print_screen_counts(counts);
        }
        json_decref(counts);
    }
    db_close(db);
    if (rc) {
        fprintf(stderr, "kechuang evaluate: %s\n", e.msg);
        return 1;
    }
    return 0;
}
