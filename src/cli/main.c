/* main.c - `kechuang [--db PATH] [--config FILE] COMMAND [options]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "cli/cli.h"
#include "db/datadir.h"
#include "domain/eligibility/ruleset.h"

extern const char kc_version[];
extern const char kc_commit[];

#define CONFIG_MAX_KEYS 32
#define CONFIG_LINE_MAX 1024

typedef int (*CliMain)(int argc, char **argv, const char *db_location);

static const struct {
    const char *name;
    CliMain fn;
    const char *help;
} commands[] = {
    {"init", cli_init_main, "创建或升级数据库结构；首次运行时创建管理员账号"},
    {"serve", cli_serve_main, "启动网页和 API 服务"},
    {"user", cli_user_main, "用户管理：add | passwd | list | disable"},
    {"audit", cli_audit_main, "审计日志：verify 校验哈希链"},
    {"demo", cli_demo_main, "生成演示辖区数据：demo --enterprises N --seed S"},
    {"rules", cli_rules_main,
     "规则集：list | check | test | diff | eval | sandbox"},
    {"evaluate", cli_evaluate_main,
     "资格评估：evaluate --enterprise USCC | --all [--as-of DATE]"},
    {"snapshot", cli_snapshot_main,
     "列式快照与批量评价：snapshot build | update | status | screen | "
     "rescreen | explain"},
    {"import", cli_import_main,
     "导入企业库数据：import KIND FILE [--mode all|valid] [--dry-run]"},
    {"export", cli_export_main,
     "导出企业库数据（列同导入模板）：export KIND [--format csv|xlsx]"},
    {"report", cli_report_main,
     "报告：report quarter --plan ID --quarter 2022Q3 [--format "
     "table|json|html|xlsx] | report contracts --year Y"},
    {"carrier", cli_carrier_main,
     "导入载体、入驻企业、平台、人才、上市资源库：carrier import KIND FILE"},
    {"backup", cli_backup_main, "备份数据库：backup 文件（服务运行时也可）"},
    {"migrate", cli_migrate_main,
     "复制到另一个数据库：migrate --to postgresql://… [--dry-run]"},
    {"http", cli_http_main, "从标准输入读取一个 HTTP 请求并输出响应（测试用）"},
    {"policy", cli_policy_main,
     "政策池：policy match --enterprise USCC | entitled --item ID --year Y | "
     "district [--year Y] [--runs N] [--dump FILE]"},
};

static struct {
    char key[64];
    char value[CONFIG_LINE_MAX];
} config[CONFIG_MAX_KEYS];
static int n_config;

const char *cli_config_get(const char *key)
{
    int i;

    for (i = 0; i < n_config; i++) {
        if (strcmp(config[i].key, key) == 0) {
            return config[i].value;
        }
    }
    return "";
}

/* Read `key = value` lines; '#' starts a comment. A missing default file
 * is fine; a missing file named by --config is an error. */
static int config_load(const char *path, int required)
{
    FILE *f = fopen(path, "r");
    char line[CONFIG_LINE_MAX];
    int lineno = 0;

    if (!f) {
        if (required) {
            fprintf(stderr, "kechuang: 无法打开配置文件 %s\n", path);
            return 1;
        }
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        char *eq;
        char *k;
        char *v;
        char *end;

        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            fprintf(stderr, "kechuang: 配置文件 %s 第 %d 行过长\n", path,
                    lineno);
            fclose(f);
            return 1;
        }
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0') {
            continue;
        }
        eq = strchr(p, '=');
        if (!eq || n_config >= CONFIG_MAX_KEYS) {
            fprintf(stderr, "kechuang: 配置文件 %s 第 %d 行应为 键 = 值\n",
                    path, lineno);
            fclose(f);
            return 1;
        }
        *eq = '\0';
        k = p;
        v = eq + 1;
        end = eq;
        while (end > k && (end[-1] == ' ' || end[-1] == '\t')) {
            *--end = '\0';
        }
        while (*v == ' ' || *v == '\t') {
            v++;
        }
        /* a comment after the value: '#' after a space or tab ends it
         * ("threads = 0  # 说明"); a '#' inside a word stays */
        for (end = v; *end; end++) {
            if (*end == '#' && end > v && (end[-1] == ' ' || end[-1] == '\t')) {
                *end = '\0';
                break;
            }
        }
        end = v + strlen(v);
        while (end > v && (end[-1] == '\n' || end[-1] == '\r' ||
                           end[-1] == ' ' || end[-1] == '\t')) {
            *--end = '\0';
        }
        if (strlen(k) >= sizeof config[n_config].key) {
            fprintf(stderr, "kechuang: 配置文件 %s 第 %d 行的键过长\n", path,
                    lineno);
            fclose(f);
            return 1;
        }
        memcpy(config[n_config].key, k, strlen(k) + 1);
        snprintf(config[n_config].value, sizeof config[n_config].value, "%s",
                 v);
        n_config++;
    }
    fclose(f);
    return 0;
}

/* Set (or replace) a config value: --rules-dir overrides rules_dir. */
static int config_set(const char *key, const char *value)
{
    int i;

    for (i = 0; i < n_config && strcmp(config[i].key, key) != 0; i++) {
    }
    if (i == CONFIG_MAX_KEYS || strlen(value) >= sizeof config[0].value) {
        fprintf(stderr, "kechuang: %s 的值过长\n", key);
        return 1;
    }
    snprintf(config[i].key, sizeof config[i].key, "%s", key);
    snprintf(config[i].value, sizeof config[i].value, "%s", value);
    if (i == n_config) {
        n_config++;
    }
    return 0;
}

/* Commands that evaluate rule sets and take the rules directory from
 * here (serve and rules read rules_dir themselves). */
static int rules_dir_load(const char *cmd)
{
    static const char *const cmds[] = {"evaluate", "snapshot", "http"};
    const char *dir = cli_config_get("rules_dir");
    size_t i;
    Buf errors;
    Err e;
    int rc = 0;

    for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(cmd, cmds[i]) == 0) {
            break;
        }
    }
    if (!*dir || i == sizeof cmds / sizeof cmds[0]) {
        return 0;
    }
    err_clear(&e);
    buf_init(&errors, (size_t)256 * 1024);
    if (ruleset_load_dir(dir, &errors, &e) != 0) {
        fprintf(stderr, "%skechuang: %s\n", errors.data ? errors.data : "",
                e.msg);
        rc = 1;
    }
    buf_release(&errors);
    return rc;
}

static void usage(FILE *out)
{
    size_t i;

    fprintf(out,
            "用法: kechuang [--db 路径] [--config 文件] [--rules-dir 目录] "
            "命令 [选项]\n\n"
            "命令:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
    }
    fprintf(
        out,
        "\n数据库位置依次取自 --db、环境变量 KECHUANG_DB、配置文件的 db 项，"
        "默认 ./kechuang.db。\n"
        "配置文件默认为 ./kechuang.conf（键 = 值，每行一项）。\n"
        "--rules-dir（配置项 rules_dir）：规则目录，其中的 *.kcr "
        "文件替换同编号的内置规则集。\n"
        "--data-dir（配置项 data_dir）：快照与导入暂存文件的目录；"
        "数据库为 PostgreSQL（--db postgres://…）时必须设置。\n"
        "每个命令都支持 --help。\n");
}

int main(int argc, char **argv)
{
    const char *db = NULL;
    const char *config_path = NULL;
    const char *rules_dir = NULL;
    const char *data_dir = NULL;
    int i = 1;
    size_t k;

    log_init();
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            db = argv[i] + 5;
            i++;
        } else if (strcmp(argv[i], "--rules-dir") == 0 && i + 1 < argc) {
            rules_dir = argv[i + 1];
            i += 2;
        } else if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
            data_dir = argv[i + 1];
            i += 2;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config_path = argv[i + 1];
            i += 2;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("kechuang %s (%s)\n", kc_version, kc_commit);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 ||
                   strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "kechuang: 未知选项 %s\n\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    if (config_load(config_path ? config_path : "kechuang.conf",
                    config_path != NULL)) {
        return 1;
    }
    if (rules_dir && config_set("rules_dir", rules_dir) != 0) {
        return 2;
    }
    if (data_dir && config_set("data_dir", data_dir) != 0) {
        return 2;
    }
    if (!db) {
        db = getenv("KECHUANG_DB");
    }
    if (!db || !*db) {
        db = cli_config_get("db");
    }
    if (!*db) {
        db = "kechuang.db";
    }
    {
        Err e;

        /* the snapshot and import files: beside the database, or in
         * data_dir (datadir.h) */
        if (datadir_set(cli_config_get("data_dir"), &e) != 0) {
            fprintf(stderr, "kechuang: %s\n", e.msg);
            return 1;
        }
    }
    if (strcmp(argv[i], "version") == 0) {
        printf("kechuang %s (%s)\n", kc_version, kc_commit);
        return 0;
    }
    for (k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        if (strcmp(argv[i], commands[k].name) == 0) {
            if (rules_dir_load(argv[i]) != 0) {
                return 1;
            }
            return commands[k].fn(argc - i, argv + i, db);
        }
    }
    fprintf(stderr, "kechuang: 未知命令 %s\n\n", argv[i]);
    usage(stderr);
    return 2;
}
