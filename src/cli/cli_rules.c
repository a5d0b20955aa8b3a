/* cli_rules.c - `kechuang rules list|check|test|diff|eval|sandbox`.
 *
 * Without a FILE or DIR argument the commands work on the rule sets
 * embedded in the binary (the .kcr files under rules/ at build time); with
 * --rules-dir DIR (or the config key rules_dir) list, check and test work
 * on the table the server would load: the built-ins overridden by DIR.
 * `test` prints TAP. `sandbox` evaluates a draft over the library next to
 * the rule set in force and prints who would change verdict. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/err.h"
#include "base/mem.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/eligibility/ruleset.h"
#include "domain/eligibility/sandbox.h"
#include "rules/embedded.h"
#include "rules/rules.h"

#define RULES_CLI_MAX_FILES 256

typedef struct Source {
    char *path;
    char *data;
    size_t len;
} Source;

static void rules_usage(FILE *out)
{
    fprintf(
        out,
        "用法: kechuang rules list [文件|目录]\n"
        "      kechuang rules check [文件|目录]\n"
        "      kechuang rules test [文件|目录]\n"
        "      kechuang rules diff 旧规则 新规则\n"
        "      kechuang rules eval 规则 --year 年度 [--asof 日期] [--json] "
        "字段=值 ...\n"
        "      kechuang rules sandbox 草稿文件 [--as-of 日期] [--against "
        "编号]\n"
        "      list、check、test、sandbox 可加 --rules-dir 目录（配置项 "
        "rules_dir）：\n"
        "      使用内置规则集并以该目录中的规则文件替换同编号者（与 serve "
        "相同）。\n\n"
        "不给文件或目录时使用程序内置的规则集。规则可写文件路径或内置规则集"
        "编号（如 sme-2017）。\n"
        "check 报告语法、字段、类型和区间错误（文件:行:列）；test 运行规则集"
        "内嵌的全部用例并输出 TAP；\n"
        "diff 列出两个版本之间变化的条目和门槛；eval 按给定数据评价一家企业"
        "（用于试算），\n"
        "例如 rd_expense[2022]=42.3万 employees[2022]=80 hnte_cert=是 "
        "expert.tech_adv=A。\n"
        "sandbox 对数据库中全部企业同时按现行规则和草稿评价，按单位统计结论"
        "变化并列出变化的企业，\n"
        "不修改已保存的评价结论。\n");
}

/* Read a whole file (capped). Caller frees *data. */
static int read_file(const char *path, char **data, size_t *len, Err *e)
{
    FILE *f = fopen(path, "rb");
    Buf b;
    char tmp[8192];
    size_t n;
    int rc = 0;

    if (!f) {
        return err_set(e, ERR_IO, NULL, "无法打开 %s", path);
    }
    buf_init(&b, (size_t)2 * 1024 * 1024);
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (buf_append(&b, tmp, n) != 0) {
            rc = err_set(e, ERR_TOOBIG, NULL, "%s 过大", path);
            break;
        }
    }
    if (ferror(f) && rc == 0) {
        rc = err_set(e, ERR_IO, NULL, "读取 %s 失败", path);
    }
    fclose(f);
    if (rc != 0) {
        buf_release(&b);
        return rc;
    }
    *data = buf_detach(&b, len);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect sources: the embedded files, one file, or every *.kcr in a
 * directory (sorted). Returns the count, or -1 on error (message
 * printed). */
static int collect(const char *arg, Source *out)
{
    int n = 0;
    Err e;
    struct stat st;

    if (!arg) {
        for (int i = 0; i < kc_n_rule_files && n < RULES_CLI_MAX_FILES; i++) {
            out[n].path = xstrdup(kc_rule_files[i].path);
            out[n].len = *kc_rule_files[i].len;
            out[n].data = xmalloc(out[n].len + 1);
            memcpy(out[n].data, *kc_rule_files[i].data, out[n].len);
            out[n].data[out[n].len] = '\0';
            n++;
        }
        return n;
    }
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(arg);
        struct dirent *de;
        char *names[RULES_CLI_MAX_FILES];
        int k = 0;
        if (!d) {
            fprintf(stderr, "kechuang rules: 无法打开目录 %s\n", arg);
            return -1;
        }
        while ((de = readdir(d)) != NULL && k < RULES_CLI_MAX_FILES) {
            size_t l = strlen(de->d_name);
            if (l > 4 && strcmp(de->d_name + l - 4, ".kcr") == 0) {
                names[k++] = xstrdup(de->d_name);
            }
        }
        closedir(d);
        qsort(names, (size_t)k, sizeof names[0], cmp_str);
        for (int i = 0; i < k; i++) {
            Buf p;
            buf_init(&p, 0);
            buf_appendf(&p, "%s/%s", arg, names[i]);
            free(names[i]);
            out[n].path = buf_detach(&p, NULL);
            if (read_file(out[n].path, &out[n].data, &out[n].len, &e) != 0) {
                fprintf(stderr, "kechuang rules: %s\n", e.msg);
                free(out[n].path);
                continue;
            }
            n++;
        }
        return n;
    }
    out[0].path = xstrdup(arg);
    if (read_file(arg, &out[0].data, &out[0].len, &e) != 0) {
        free(out[0].path);
        fprintf(stderr, "kechuang rules: %s\n", e.msg);
        return -1;
    }
    return 1;
}

static void free_sources(Source *s, int n)
{
    for (int i = 0; i < n; i++) {
        free(s[i].path);
        free(s[i].data);
    }
}

/* A rule set named by file path or by embedded id. Caller frees. */
static RuleSet *load_one(const char *name)
{
    Source *s = xcalloc(RULES_CLI_MAX_FILES, sizeof *s);
    RuleSet *rs = NULL, *found = NULL;
    struct stat st;
    int n;
    Err e;

    if (stat(name, &st) == 0 && S_ISREG(st.st_mode)) {
        n = collect(name, s);
    } else {
        n = collect(NULL, s);
    }
    for (int i = 0; i < n && !found; i++) {
        if (rule_set_parse(s[i].path, s[i].data, s[i].len, &rs, &e) != 0) {
            if (n == 1 || strstr(s[i].path, name)) {
                fprintf(stderr, "%s\n", e.msg);
            }
            continue;
        }
        if (n == 1 || strcmp(rule_set_id(rs), name) == 0) {
            found = rs;
        } else {
            rule_set_free(rs);
        }
    }
    if (!found && n >= 0) {
        fprintf(stderr, "kechuang rules: 找不到规则集 %s\n", name);
    }
    free_sources(s, n < 0 ? 0 : n);
    free(s);
    return found;
}

static int cmd_list_check(const char *arg, int check)
{
    Source *s = xcalloc(RULES_CLI_MAX_FILES, sizeof *s);
    int n = collect(arg, s), bad = 0;

    if (n < 0) {
        free(s);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        RuleSet *rs;
        Err e;
        if (rule_set_parse(s[i].path, s[i].data, s[i].len, &rs, &e) != 0) {
            fprintf(stderr, "%s\n", e.msg);
            bad++;
            continue;
        }
        if (check) {
            printf("ok %s（%s，%d 个用例）\n", s[i].path, rule_set_id(rs),
                   rule_set_n_cases(rs));
        } else {
            Date from, to;
            char f[DATE_ISO_SIZE], t[DATE_ISO_SIZE];
            rule_set_effective(rs, &from, &to);
            date_format_iso(from, f);
            date_format_iso(to, t);
            printf("%-24s %-10s %-12s %s（%s）生效 %s..%s 用例 %d 哈希 %.12s\n",
                   rule_set_id(rs), rule_set_tier(rs), rule_set_status(rs),
                   rule_set_name(rs), rule_set_doc(rs),
                   from == DATE_MIN ? "" : f, to == DATE_MAX ? "" : t,
                   rule_set_n_cases(rs), rule_set_hash(rs));
        }
        rule_set_free(rs);
    }
    if (check && n == 0) {
        fprintf(stderr, "kechuang rules: 没有找到规则文件\n");
        bad++;
    }
    free_sources(s, n);
    free(s);
    return bad ? 1 : 0;
}

static int cmd_test(const char *arg)
{
    Source *s = xcalloc(RULES_CLI_MAX_FILES, sizeof *s);
    int n = collect(arg, s), k = 0, bad = 0;
    Buf why;

    if (n < 0) {
        free(s);
        return 1;
    }
    buf_init(&why, 0);
    for (int i = 0; i < n; i++) {
        RuleSet *rs;
        Err e;
        if (rule_set_parse(s[i].path, s[i].data, s[i].len, &rs, &e) != 0) {
            printf("not ok %d - %s\n# %s\n", ++k, s[i].path, e.msg);
            bad++;
            continue;
        }
        if (rule_set_n_cases(rs) < 1) {
            printf("not ok %d - %s: 没有用例\n", ++k, rule_set_id(rs));
            bad++;
        }
        for (int c = 0; c < rule_set_n_cases(rs); c++) {
            buf_reset(&why);
            if (rule_set_run_case(rs, c, &why)) {
                printf("ok %d - %s: %s\n", ++k, rule_set_id(rs),
                       rule_set_case_name(rs, c));
            } else {
                char *line = why.data, *nl;
                printf("not ok %d - %s: %s\n", ++k, rule_set_id(rs),
                       rule_set_case_name(rs, c));
                while (*line) {
                    nl = strchr(line, '\n');
                    printf("# %.*s\n",
                           nl ? (int)(nl - line) : (int)strlen(line), line);
                    line = nl ? nl + 1 : line + strlen(line);
                }
                bad++;
            }
        }
        rule_set_free(rs);
    }
    printf("1..%d\n", k);
    buf_release(&why);
    free_sources(s, n);
    free(s);
    return bad ? 1 : 0;
}

static int cmd_diff(const char *a, const char *b)
{
    RuleSet *ra = load_one(a), *rb = ra ? load_one(b) : NULL;
    Buf out;
    int n;

    if (!ra || !rb) {
        rule_set_free(ra);
        return 1;
    }
    buf_init(&out, 0);
    n = rule_set_diff(ra, rb, &out);
    fputs(out.data, stdout);
    printf("共 %d 处不同\n", n);
    buf_release(&out);
    rule_set_free(ra);
    rule_set_free(rb);
    return 0;
}

static int cmd_eval(int argc, char **argv)
{
    RuleSet *rs;
    RuleInput *in = NULL;
    RuleResult *r = NULL;
    int year = 0, json = 0, status = 1;
    Date asof = 0;
    int has_asof = 0;
    Buf out;
    Err e;

    if (argc < 2) {
        rules_usage(stderr);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--year") == 0 && i + 1 < argc) {
            year = (int)strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--asof") == 0 && i + 1 < argc) {
            if (date_parse(argv[++i], &asof, "asof", &e) != 0) {
                fprintf(stderr, "kechuang rules eval: %s\n", e.msg);
                return 2;
            }
            has_asof = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        }
    }
    if (year < 1900 || year > 2999) {
        fprintf(stderr, "kechuang rules eval: 请用 --year 给出评价年度\n");
        return 2;
    }
    if (!has_asof && date_from_ymd(year, 12, 31, &asof, NULL, &e) != 0) {
        return 2;
    }
    if (!(rs = load_one(argv[1]))) {
        return 1;
    }
    in = rule_input_new(year, asof);
    for (int i = 2; i < argc; i++) {
        if (argv[i][0] == '-') {
            i += strcmp(argv[i], "--json") != 0;
            continue;
        }
        if (rule_input_assign(in, argv[i], &e) != 0) {
            fprintf(stderr, "kechuang rules eval: %s：%s\n", argv[i], e.msg);
            status = 2;
            goto out;
        }
    }
    if (rule_eval(rs, in, &r, &e) != 0) {
        fprintf(stderr, "kechuang rules eval: %s\n", e.msg);
        goto out;
    }
    if (json) {
        /* the eligibility API's shape (one serialiser for both) */
        json_t *o = elig_result_json(rs, r);
        char *s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (!s) {
            fprintf(stderr, "kechuang rules eval: 内存不足\n");
            goto out;
        }
        puts(s);
        free(s);
        status = 0;
        goto out;
    }
    buf_init(&out, 0);
    rule_result_format_text(r, &out);
    fputs(out.data, stdout);
    buf_release(&out);
    status = 0;
out:
    rule_result_free(r);
    rule_input_free(in);
    rule_set_free(rs);
    return status;
}

/* Load the table for --rules-dir; errors printed. */
static int load_dir(const char *dir)
{
    Buf errors;
    Err e;
    int rc;

    err_clear(&e);
    buf_init(&errors, (size_t)256 * 1024);
    rc = ruleset_load_dir(dir, &errors, &e);
    if (rc != 0) {
        if (errors.data && errors.data[0]) {
            fputs(errors.data, stderr);
        }
        fprintf(stderr, "kechuang rules: %s\n", e.msg);
    }
    buf_release(&errors);
    return rc ? 1 : 0;
}

/* list / check / test over the loaded table (built-ins + directory). */
static int cmd_table(const char *what)
{
    const RuleSetTable *t = ruleset_current();
    Buf why;
    int bad = 0;
    int k = 0;

    buf_init(&why, 0);
    for (int i = 0; i < t->n; i++) {
        const RuleSetEntry *en = &t->entries[i];
        const RuleSet *rs = en->rs;
        if (strcmp(what, "check") == 0) {
            printf("ok %s（%s，%s，%d 个用例）\n", en->file, rule_set_id(rs),
                   ruleset_source_name(en->source), rule_set_n_cases(rs));
        } else if (strcmp(what, "list") == 0) {
            Date from, to;
            char f[DATE_ISO_SIZE], tt[DATE_ISO_SIZE];
            rule_set_effective(rs, &from, &to);
            date_format_iso(from, f);
            date_format_iso(to, tt);
            printf("%-24s %-4s %-10s %-12s %s（%s）生效 %s..%s 用例 %d "
                   "哈希 %.12s\n",
                   rule_set_id(rs), ruleset_source_name(en->source),
                   rule_set_tier(rs), rule_set_status(rs), rule_set_name(rs),
                   rule_set_doc(rs), from == DATE_MIN ? "" : f,
                   to == DATE_MAX ? "" : tt, rule_set_n_cases(rs),
                   rule_set_hash(rs));
        } else {
            if (rule_set_n_cases(rs) < 1) {
                printf("not ok %d - %s: 没有用例\n", ++k, rule_set_id(rs));
                bad++;
            }
            for (int c = 0; c < rule_set_n_cases(rs); c++) {
                buf_reset(&why);
                if (rule_set_run_case(rs, c, &why)) {
                    printf("ok %d - %s: %s\n", ++k, rule_set_id(rs),
                           rule_set_case_name(rs, c));
                } else {
                    printf("not ok %d - %s: %s\n# %s", ++k, rule_set_id(rs),
                           rule_set_case_name(rs, c), why.data);
                    bad++;
                }
            }
        }
    }
    if (strcmp(what, "test") == 0) {
        printf("1..%d\n", k);
    }
    buf_release(&why);
    return bad ? 1 : 0;
}

/* Print one change of a sandbox run with the enterprise's name. */
static void sandbox_print(void *ud, const SandboxChange *ch)
{
    Db *db = ud;
    DbStmt *st = NULL;
    char trans[64];
    Err e;

    sandbox_transition_name(ch->verdict_before, ch->verdict_after, trans,
                            sizeof trans);
    if (db_prepare_v(db, &st, &e,
                     "SELECT n.uscc, n.name, u.name FROM enterprises n "
                     "JOIN org_units u ON u.id = n.unit_id WHERE n.id = $1",
                     "i", ch->enterprise_id) == 0 &&
        db_step(st, &e) == DB_ROW) {
        printf("%s  %s  %s  ", db_col_text(st, 0), db_col_text(st, 1),
               db_col_text(st, 2));
    } else {
        printf("企业 %lld  ", (long long)ch->enterprise_id);
    }
    db_finalize(st);
    if (ch->verdict_before != ch->verdict_after) {
        printf("%s", trans);
    } else {
        printf("%s，仅得分变化", rule_verdict_name(ch->verdict_after));
    }
    if (ch->has_before || ch->has_after) {
        printf("（得分 %lld", (long long)ch->before_lo);
        if (ch->before_hi != ch->before_lo) {
            printf("–%lld", (long long)ch->before_hi);
        }
        printf(" → %lld", (long long)ch->after_lo);
        if (ch->after_hi != ch->after_lo) {
            printf("–%lld", (long long)ch->after_hi);
        }
        printf("）");
    }
    printf("\n");
}

/* `rules sandbox FILE [--as-of DATE] [--against ID]`. */
static int cmd_sandbox(int argc, char **argv, const char *db_location)
{
    const char *file = NULL;
    const char *against = NULL;
    Date as_of = date_today();
    char *src = NULL;
    size_t len = 0;
    RuleSet *draft = NULL;
    const RuleSet *current = NULL;
    json_t *result = NULL;
    Db *db = NULL;
    Actor a;
    Err e;
    int status = 1;

    err_clear(&e);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--as-of") == 0 && i + 1 < argc) {
            if (date_parse(argv[++i], &as_of, "as_of", &e) != 0) {
                fprintf(stderr, "kechuang rules sandbox: %s\n", e.msg);
                return 2;
            }
        } else if (strcmp(argv[i], "--against") == 0 && i + 1 < argc) {
            against = argv[++i];
        } else if (argv[i][0] != '-' && !file) {
            file = argv[i];
        } else {
            rules_usage(stderr);
            return 2;
        }
    }
    if (!file) {
        rules_usage(stderr);
        return 2;
    }
    if (read_file(file, &src, &len, &e) != 0 ||
        sandbox_parse(src, len, against, &draft, &current, &e) != 0) {
        fprintf(stderr, "kechuang rules sandbox: %s\n", e.msg);
        goto out;
    }
    if (db_open(&db, db_location, &e) != 0 || db_begin_read(db, &e) != 0) {
        fprintf(stderr, "kechuang rules sandbox: %s\n", e.msg);
        goto out;
    }
    actor_init_system(&a);
    printf("变化的企业（统一社会信用代码  名称  单位  变化）:\n");
    if (sandbox_compare(db, &a, draft, current, as_of, NULL, sandbox_print, db,
                        &result, &e) != 0) {
        fprintf(stderr, "kechuang rules sandbox: %s\n", e.msg);
        goto out;
    }
    printf("\n草稿 %s 与现行 %s（%s）比较，评价日期 %s\n",
           json_string_value(json_object_get(result, "ruleset")),
           json_string_value(json_object_get(result, "against")),
           json_string_value(json_object_get(result, "name")),
           json_string_value(json_object_get(result, "as_of")));
    {
        json_t *units = json_object_get(result, "units");
        size_t i;
        json_t *u;
        printf("%-20s %8s %8s %8s  变化\n", "单位", "评价", "结论变化",
               "仅得分");
        json_array_foreach(units, i, u)
        {
            json_t *tr = json_object_get(u, "transitions");
            size_t j;
            json_t *x;
            printf(
                "%-20s %8lld %8lld %8lld ",
                json_string_value(json_object_get(u, "unit_name")),
                (long long)json_integer_value(json_object_get(u, "evaluated")),
                (long long)json_integer_value(json_object_get(u, "changed")),
                (long long)json_integer_value(
                    json_object_get(u, "score_changed")));
            json_array_foreach(tr, j, x)
            {
                printf(
                    " %s→%s %lld",
                    json_string_value(json_object_get(x, "from")),
                    json_string_value(json_object_get(x, "to")),
                    (long long)json_integer_value(json_object_get(x, "count")));
            }
            printf("\n");
        }
    }
    printf("共评价 %lld 家，结论变化 %lld 家，仅得分变化 %lld 家\n",
           (long long)json_integer_value(json_object_get(result, "evaluated")),
           (long long)json_integer_value(json_object_get(result, "changed")),
           (long long)json_integer_value(
               json_object_get(result, "score_changed")));
    status = 0;
out:
    if (db) {
        db_rollback(db);
    }
    db_close(db);
    json_decref(result);
    rule_set_free(draft);
    free(src);
    return status;
}

int cli_rules_main(int argc, char **argv, const char *db_location)
{
    const char *dir = cli_config_get("rules_dir");
    int dir_given = 0;
    int k = 0;

    /* --rules-dir DIR anywhere after the subcommand */
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--rules-dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
            dir_given = 1;
            continue;
        }
        argv[k++] = argv[i];
    }
    argc = k;
    if (argc >= 2 && (dir_given || *dir) &&
        (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "check") == 0 ||
         strcmp(argv[1], "test") == 0 || strcmp(argv[1], "sandbox") == 0) &&
        (argc == 2 || strcmp(argv[1], "sandbox") == 0)) {
        if (load_dir(dir) != 0) {
            return 1;
        }
        if (strcmp(argv[1], "sandbox") != 0) {
            return cmd_table(argv[1]);
        }
    }
    if (argc >= 2 && strcmp(argv[1], "sandbox") == 0) {
        return cmd_sandbox(argc - 1, argv + 1, db_location);
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        rules_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "list") == 0 && argc <= 3) {
        return cmd_list_check(argc == 3 ? argv[2] : NULL, 0);
    }
    if (strcmp(argv[1], "check") == 0 && argc <= 3) {
        return cmd_list_check(argc == 3 ? argv[2] : NULL, 1);
    }
    if (strcmp(argv[1], "test") == 0 && argc <= 3) {
        return cmd_test(argc == 3 ? argv[2] : NULL);
    }
    if (strcmp(argv[1], "diff") == 0 && argc == 4) {
        return cmd_diff(argv[2], argv[3]);
    }
    if (strcmp(argv[1], "eval") == 0) {
        return cmd_eval(argc - 1, argv + 1);
    }
    rules_usage(stderr);
    return 2;
}
