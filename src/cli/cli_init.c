/* cli_init.c - `kechuang init`: schema, root unit and the first admin. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/secret.h"
#include "cli/cli.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/org.h"
#include "domain/accounts/user.h"

#define INIT_ADMIN "admin"
#define INIT_PASSWORD_LEN 16

static void init_usage(FILE *out)
{
    fprintf(
        out,
        "用法: kechuang init [--root-name 名称]\n\n"
        "创建数据库（如不存在）并升级到本程序的结构版本。首次运行时还会\n"
        "创建根单位和管理员账号 admin，并在标准输出打印一次其随机初始密码。\n"
        "对已初始化的数据库再次运行只升级结构，不会修改任何账号或密码。\n\n"
        "选项:\n"
        "  --root-name 名称   根单位（区）的名称，默认“本区”\n"
        "  --help             显示本帮助\n");
}

/* Create the root unit (unless one exists) and the first admin. */
static int init_first_run(Db *db, const char *root_name, char *password, Err *e)
{
    Actor sys;
    UserInput in;
    int64_t root = 0;
    int64_t uid = 0;
    int rc;

    actor_init_system(&sys);
    rc = db_query_int64(db, &root, e,
                        "SELECT id FROM org_units WHERE parent_id IS NULL "
                        "ORDER BY id LIMIT 1",
                        "");
    if (rc == ERR_NOTFOUND) {
        err_clear(e);
        rc = org_create_root(db, &sys, root_name, &root, e);
    }
    if (rc) {
        return rc;
    }
    secret_random_password(password, INIT_PASSWORD_LEN);
    memset(&in, 0, sizeof in);
    in.username = INIT_ADMIN;
    in.display_name = "系统管理员";
    in.password = password;
    in.role = ROLE_ADMIN;
    in.unit_id = root;
    in.must_change_password = 1;
    return user_create(db, &sys, &in, &uid, e);
}

int cli_init_main(int argc, char **argv, const char *db_location)
{
    const char *root_name = "本区";
    char password[INIT_PASSWORD_LEN + 1];
    Db *db = NULL;
    int64_t n_users = 0;
    int applied = 0;
    int status = 1;
    Err e;
    int i;

    err_clear(&e);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            init_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--root-name") == 0 && i + 1 < argc) {
            root_name = argv[++i];
        } else {
            fprintf(stderr, "kechuang init: 无法识别的参数 %s\n\n", argv[i]);
            init_usage(stderr);
            return 2;
        }
    }
    if (db_open(&db, db_location, &e) != 0) {
        fprintf(stderr, "kechuang init: 无法打开数据库 %s：%s\n", db_location,
                e.msg);
        goto out;
    }
    if (db_migrate(db, &applied, &e) != 0) {
        fprintf(stderr, "kechuang init: %s\n", e.msg);
        goto out;
    }
    if (db_query_int64(db, &n_users, &e, "SELECT COUNT(*) FROM users", "") !=
        0) {
        fprintf(stderr, "kechuang init: %s\n", e.msg);
        goto out;
    }
    if (n_users > 0) {
        printf("数据库 %s 已初始化：应用了 %d 项结构升级，当前结构版本 %d；"
               "账号和密码未作任何修改。\n",
               db_location, applied, db_schema_latest());
        status = 0;
        goto out;
    }
    if (init_first_run(db, root_name, password, &e) != 0) {
        fprintf(stderr, "kechuang init: 创建管理员账号失败：%s\n", e.msg);
        goto out;
    }
    printf("数据库 %s 初始化完成（结构版本 %d），根单位：%s。\n", db_location,
           db_schema_latest(), root_name);
    printf("管理员账号：%s  初始密码：%s\n", INIT_ADMIN, password);
    printf("（初始密码只显示这一次，请妥善保存，首次登录后立即修改。）\n");
    memset(password, 0, sizeof password);
    status = 0;
out:
    db_close(db);
    return status;
}
