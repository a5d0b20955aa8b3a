/* cli_user.c - `kechuang user add|passwd|list|disable`. Writes are done as
 * the system actor (actor_init_system) and audited like any other. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/secret.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/user.h"

#define CLI_PASSWORD_LEN 16

static void user_usage(FILE *out)
{
    fprintf(out, "用法:\n"
                 "  kechuang user add 用户名 --role 角色 --unit 单位编号 "
                 "[--name 姓名]\n"
                 "  kechuang user passwd 用户名\n"
                 "  kechuang user list [--format table|json|csv]\n"
                 "  kechuang user disable 用户名\n\n"
                 "角色: admin（系统管理员）、staff（科技局业务）、leader"
                 "（领导，只读）、\n"
                 "      agent（街道园区专员）、dept（责任单位）\n\n"
                 "add 和 passwd 从标准输入读取密码（一行）；add 在终端上运行且"
                 "未输入时\n"
                 "生成随机密码并打印一次（首次登录须修改）。密码至少 8 位，且须"
                 "同时包含字母和数字。\n");
}

/* Open the database and make sure it is initialised. */
static int user_open(const char *loc, Db **db)
{
    int version = 0;
    Err e;

    err_clear(&e);
    if (db_open(db, loc, &e) != 0) {
        fprintf(stderr, "kechuang user: 无法打开数据库 %s：%s\n", loc, e.msg);
        return 1;
    }
    if (db_schema_version(*db, &version, &e) != 0 || version < 1) {
        fprintf(stderr,
                "kechuang user: 数据库尚未初始化，请先运行 kechuang init\n");
        return 1;
    }
    return 0;
}

/* Read one line from stdin into out (without the newline); with echo off
 * when stdin is a terminal. -1 on end of input or a line too long. */
static int user_read_password(const char *prompt, char *out, size_t cap)
{
    struct termios old;
    struct termios quiet;
    int tty = isatty(STDIN_FILENO);
    size_t n;
    char *ok;

    if (tty) {
        fprintf(stderr, "%s", prompt);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    ok = fgets(out, (int)cap, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fprintf(stderr, "\n");
    }
    if (!ok) {
        return -1;
    }
    n = strlen(out);
    if (n > 0 && out[n - 1] != '\n' && !feof(stdin)) {
        return -1;
    }
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r')) {
        out[--n] = '\0';
    }
    return 0;
}

static int user_cmd_add(Db *db, int argc, char **argv)
{
    char password[USER_PASSWORD_MAX + 4];
    const char *username = NULL;
    const char *name = NULL;
    const char *role = NULL;
    const char *unit = NULL;
    char *end = NULL;
    int generated = 0;
    UserInput in;
    int64_t id = 0;
    Actor sys;
    Err e;
    int i;

    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) {
            role = argv[++i];
        } else if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc) {
            unit = argv[++i];
        } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (argv[i][0] != '-' && !username) {
            username = argv[i];
        } else {
            fprintf(stderr, "kechuang user add: 无法识别的参数 %s\n", argv[i]);
            return 2;
        }
    }
    if (!username || !role || !unit) {
        fprintf(stderr, "kechuang user add: 需要用户名、--role 和 --unit\n");
        return 2;
    }
    memset(&in, 0, sizeof in);
    in.username = username;
    in.display_name = name;
    in.role = role_from_code(role);
    if (in.role == ROLE_NONE) {
        fprintf(stderr, "kechuang user add: 未知角色 %s\n", role);
        return 2;
    }
    in.unit_id = strtoll(unit, &end, 10);
    if (!*unit || *end || in.unit_id <= 0) {
        fprintf(stderr, "kechuang user add: 单位编号应为正整数\n");
        return 2;
    }
    if (isatty(STDIN_FILENO)) {
        secret_random_password(password, CLI_PASSWORD_LEN);
        generated = 1;
    } else if (user_read_password("", password, sizeof password) != 0) {
        fprintf(stderr, "kechuang user add: 未能从标准输入读取密码\n");
        return 1;
    }
    in.password = password;
    in.must_change_password = generated;
    actor_init_system(&sys);
    err_clear(&e);
    if (user_create(db, &sys, &in, &id, &e) != 0) {
        fprintf(stderr, "kechuang user add: %s\n", e.msg);
        memset(password, 0, sizeof password);
        return 1;
    }
    printf("已创建用户 %s（编号 %lld）。\n", username, (long long)id);
    if (generated) {
        printf("初始密码：%s（只显示这一次，首次登录须修改）\n", password);
    }
    memset(password, 0, sizeof password);
    return 0;
}

static int user_cmd_passwd(Db *db, int argc, char **argv)
{
    char password[USER_PASSWORD_MAX + 4];
    int64_t id = 0;
    Actor sys;
    Err e;
    int rc;

    if (argc != 3) {
        fprintf(stderr, "kechuang user passwd: 需要一个用户名\n");
        return 2;
    }
    err_clear(&e);
    if (user_find(db, argv[2], &id, &e) != 0) {
        fprintf(stderr, "kechuang user passwd: %s\n", e.msg);
        return 1;
    }
    if (user_read_password("新密码：", password, sizeof password) != 0) {
        fprintf(stderr, "kechuang user passwd: 未能从标准输入读取密码\n");
        return 1;
    }
    actor_init_system(&sys);
    rc = user_set_password(db, &sys, id, password, 0, &e);
    memset(password, 0, sizeof password);
    if (rc) {
        fprintf(stderr, "kechuang user passwd: %s\n", e.msg);
        return 1;
    }
    printf("已修改用户 %s 的密码，其现有会话已全部退出。\n", argv[2]);
    return 0;
}

static int user_cmd_disable(Db *db, int argc, char **argv)
{
    UserUpdate u;
    int64_t id = 0;
    Actor sys;
    Err e;

    if (argc != 3) {
        fprintf(stderr, "kechuang user disable: 需要一个用户名\n");
        return 2;
    }
    err_clear(&e);
    if (user_find(db, argv[2], &id, &e) != 0) {
        fprintf(stderr, "kechuang user disable: %s\n", e.msg);
        return 1;
    }
    memset(&u, 0, sizeof u);
    u.has_disabled = 1;
    u.disabled = 1;
    actor_init_system(&sys);
    if (user_update(db, &sys, id, &u, &e) != 0) {
        fprintf(stderr, "kechuang user disable: %s\n", e.msg);
        return 1;
    }
    printf("已停用用户 %s，其会话和 API 令牌已全部失效。\n", argv[2]);
    return 0;
}

static const char *user_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? s : "";
}

static int user_cmd_list(Db *db, int argc, char **argv)
{
    const char *format = isatty(STDOUT_FILENO) ? "table" : "json";
    json_t *items = NULL;
    json_t *u;
    int64_t total = 0;
    UserFilter f;
    Actor sys;
    size_t i;
    Err e;

    for (i = 2; i < (size_t)argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && i + 1 < (size_t)argc) {
            format = argv[++i];
        } else {
            fprintf(stderr, "kechuang user list: 无法识别的参数 %s\n", argv[i]);
            return 2;
        }
    }
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0 &&
        strcmp(format, "csv") != 0) {
        fprintf(stderr, "kechuang user list: --format 应为 table、json 或 "
                        "csv\n");
        return 2;
    }
    memset(&f, 0, sizeof f);
    f.disabled = -1;
    actor_init_system(&sys);
    err_clear(&e);
    if (user_list(db, &sys, &f, 0, -1, &items, &total, &e) != 0) {
        fprintf(stderr, "kechuang user list: %s\n", e.msg);
        return 1;
    }
    if (strcmp(format, "json") == 0) {
        json_dumpf(items, stdout, JSON_INDENT(2));
        printf("\n");
    } else if (strcmp(format, "csv") == 0) {
        Buf b;
        static const char *const cols[] = {
            "id",      "username",  "display_name", "role",
            "unit_id", "unit_name", "disabled",     NULL};
        int k;

        buf_init(&b, 0);
        for (k = 0; cols[k]; k++) {
            buf_appendf(&b, "%s%s", k ? "," : "", cols[k]);
        }
        buf_append_str(&b, "\r\n");
        json_array_foreach(items, i, u)
        {
            char num[24];
            const char *v;

            for (k = 0; cols[k]; k++) {
                json_t *val = json_object_get(u, cols[k]);
                if (json_is_integer(val)) {
                    snprintf(num, sizeof num, "%lld",
                             (long long)json_integer_value(val));
                    v = num;
                } else if (json_is_boolean(val)) {
                    v = json_is_true(val) ? "1" : "0";
                } else {
                    v = user_str(u, cols[k]);
                }
                if (k) {
                    buf_append_char(&b, ',');
                }
                buf_append_csv_field(&b, v, strlen(v));
            }
            buf_append_str(&b, "\r\n");
        }
        fwrite(b.data, 1, b.len, stdout);
        buf_release(&b);
    } else {
        printf("%-6s %-20s %-16s %-12s %-8s %s\n", "编号", "用户名", "姓名",
               "角色", "状态", "单位");
        json_array_foreach(items, i, u)
        {
            printf("%-6lld %-20s %-16s %-12s %-8s %s\n",
                   (long long)json_integer_value(json_object_get(u, "id")),
                   user_str(u, "username"), user_str(u, "display_name"),
                   user_str(u, "role"),
                   json_is_true(json_object_get(u, "disabled")) ? "停用"
                                                                : "启用",
                   user_str(u, "unit_name"));
        }
    }
    json_decref(items);
    return 0;
}

int cli_user_main(int argc, char **argv, const char *db_location)
{
    Db *db = NULL;
    int status;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        user_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (argc >= 3 && strcmp(argv[2], "--help") == 0) {
        user_usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "passwd") != 0 &&
        strcmp(argv[1], "list") != 0 && strcmp(argv[1], "disable") != 0) {
        fprintf(stderr, "kechuang user: 未知子命令 %s\n\n", argv[1]);
        user_usage(stderr);
        return 2;
    }
    if (user_open(db_location, &db) != 0) {
        db_close(db);
        return 1;
    }
    if (strcmp(argv[1], "add") == 0) {
        status = user_cmd_add(db, argc, argv);
    } else if (strcmp(argv[1], "passwd") == 0) {
        status = user_cmd_passwd(db, argc, argv);
    } else if (strcmp(argv[1], "list") == 0) {
        status = user_cmd_list(db, argc, argv);
    } else {
        status = user_cmd_disable(db, argc, argv);
    }
    db_close(db);
    return status;
}
