/* cli_demo.c - `kechuang demo`: write a synthetic district. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/log.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/demo/demo.h"

static void demo_usage(FILE *out)
{
    fprintf(out, "用法: kechuang demo --enterprises N [--seed S] [--years Y] "
                 "[--last-year YYYY]\n\n"
                 "向空的企业库写入一个合成的演示辖区（河东区的街道和园区、N "
                 "家企业及其年度数据、\n"
                 "知识产权、奖励与信用记录等）。相同的参数生成相同的数据。\n\n"
                 "选项:\n"
                 "  --enterprises N   企业数，1～10000000（必填）\n"
                 "  --seed S          随机种子（非负整数），默认 1\n"
                 "  --years Y         每家企业的年度数据年数，3～5，默认 3\n"
                 "  --last-year YYYY  最近的年度，默认为上一自然年\n"
                 "  --quiet           不显示进度\n"
                 "  --help            显示本帮助\n");
}

/* Parse a non-negative decimal integer; -1 when it is not one. */
static int demo_parse_u64(const char *s, unsigned long long max,
                          unsigned long long *out)
{
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-' || *s == '+') {
        return -1;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (*end || errno || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static double demo_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Set once a progress line is on the terminal without its newline. */
static int demo_line_open;

static void demo_progress(void *ud, int64_t done, int64_t total)
{
    double *t0 = ud;

    fprintf(stderr, "\r已写入 %lld / %lld 家企业（%.1f 秒）", (long long)done,
            (long long)total, demo_now() - *t0);
    demo_line_open = done != total;
    if (done == total) {
        fputc('\n', stderr);
    }
}

int cli_demo_main(int argc, char **argv, const char *db_location)
{
    DemoOptions o;
    DemoReport rep;
    Actor a;
    Db *db = NULL;
    Err e;
    unsigned long long v;
    int quiet = 0;
    int have_n = 0;
    double t0;
    int i;
    int rc;

    memset(&o, 0, sizeof o);
    o.seed = 1;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            demo_usage(stdout);
            return 0;
        } else if (strcmp(arg, "--quiet") == 0) {
            quiet = 1;
            continue;
        } else if (strcmp(arg, "--enterprises") == 0) {
            if (demo_parse_u64(val, (unsigned long long)DEMO_MAX_ENTERPRISES,
                               &v) ||
                v == 0) {
                fprintf(stderr,
                        "kechuang demo: --enterprises 应为 1～%lld "
                        "之间的整数\n",
                        (long long)DEMO_MAX_ENTERPRISES);
                return 2;
            }
            o.enterprises = (int64_t)v;
            have_n = 1;
        } else if (strcmp(arg, "--seed") == 0) {
            if (demo_parse_u64(val, ~0ULL, &v)) {
                fprintf(stderr, "kechuang demo: --seed 应为非负整数\n");
                return 2;
            }
            o.seed = (uint64_t)v;
        } else if (strcmp(arg, "--years") == 0) {
            if (demo_parse_u64(val, DEMO_YEARS_MAX, &v) || v < DEMO_YEARS_MIN) {
                fprintf(stderr, "kechuang demo: --years 应为 %d～%d\n",
                        DEMO_YEARS_MIN, DEMO_YEARS_MAX);
                return 2;
            }
            o.years = (int)v;
        } else if (strcmp(arg, "--last-year") == 0) {
            if (demo_parse_u64(val, 2999, &v) || v < 2000) {
                fprintf(stderr, "kechuang demo: --last-year 应为 2000～2999\n");
                return 2;
            }
            o.last_year = (int)v;
        } else {
            fprintf(stderr, "kechuang demo: 未知选项 %s\n\n", arg);
            demo_usage(stderr);
            return 2;
        }
        i++; /* the option's value */
    }
    if (!have_n) {
        fprintf(stderr, "kechuang demo: 请用 --enterprises 指定企业数\n\n");
        demo_usage(stderr);
        return 2;
    }
    err_clear(&e);
    rc = db_open(&db, db_location, &e);
    if (rc == 0) {
        rc = db_migrate(db, NULL, &e);
    }
    if (rc) {
        fprintf(stderr, "kechuang demo: %s\n", e.msg);
        db_close(db);
        return 1;
    }
    actor_init_system(&a);
    t0 = demo_now();
    rc = demo_generate(db, &a, &o, quiet ? NULL : demo_progress, &t0, &rep, &e);
    db_close(db);
    if (rc) {
        fprintf(stderr, "%skechuang demo: %s\n", demo_line_open ? "\n" : "",
                e.msg);
        return 1;
    }
    printf("演示数据已生成（%.1f 秒）：新建单位 %lld 个，企业 %lld 家，"
           "年度数据 %lld 行，知识产权 %lld 项，事项 %lld 条，曾用名 %lld 个\n",
           demo_now() - t0, (long long)rep.units_created,
           (long long)rep.enterprises, (long long)rep.year_rows,
           (long long)rep.ip_rights, (long long)rep.facts,
           (long long)rep.former_names);
    return 0;
}
