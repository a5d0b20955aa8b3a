/* cli_backup.c - `kechuang backup FILE`: a consistent copy of the database
 * taken while the server runs, checked before it is given its name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "cli/cli.h"
#include "db/db.h"

#define BACKUP_PATH_MAX 4096

static void backup_usage(FILE *out)
{
    fprintf(out,
            "用法: kechuang backup 文件\n\n"
            "把数据库完整复制到“文件”（不能已存在）。服务运行时也可以备份：\n"
            "复制的是开始时刻的一致快照，期间的读写照常进行。复制先写入\n"
            "“文件.part”，校验通过（完整性检查、结构版本）后才改名为“文件”。\n"
            "恢复：停止服务，把备份文件复制为数据库文件，再启动。\n");
}

/* Open the copy at path and check it: quick_check says ok and the schema
 * version is the one of the source. */
static int backup_verify(const char *path, int version, Err *e)
{
    Db *db = NULL;
    char *check = NULL;
    int v = 0;
    int rc;

    rc = db_open(&db, path, e);
    if (rc == 0) {
        rc = db_check_integrity(db, &check, e);
    }
    if (rc == 0 && (!check || strcmp(check, "ok") != 0)) {
        rc = err_set(e, ERR_IO, "file", "备份文件完整性检查未通过：%s",
                     check ? check : "");
    }
    if (rc == 0) {
        rc = db_schema_version(db, &v, e);
    }
    if (rc == 0 && v != version) {
        rc = err_set(e, ERR_IO, "file",
                     "备份文件的结构版本 %d 与数据库的 %d 不同", v, version);
    }
    free(check);
    db_close(db);
    return rc;
}

int cli_backup_main(int argc, char **argv, const char *db_location)
{
    char part[BACKUP_PATH_MAX + 8];
    const char *dest;
    struct stat sb;
    Db *db = NULL;
    int version = 0;
    int status = 1;
    Err e;

    err_clear(&e);
    if (argc == 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        backup_usage(stdout);
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-' || argv[1][0] == 0) {
        backup_usage(stderr);
        return 2;
    }
    dest = argv[1];
    if (strlen(dest) > BACKUP_PATH_MAX) {
        fprintf(stderr, "kechuang backup: 文件名过长\n");
        return 2;
    }
    if (stat(dest, &sb) == 0) {
        fprintf(stderr, "kechuang backup: %s 已存在，不会覆盖\n", dest);
        return 1;
    }
    snprintf(part, sizeof part, "%s.part", dest);
    if (unlink(part) != 0 && errno != ENOENT) {
        fprintf(stderr, "kechuang backup: 无法删除残留的 %s：%s\n", part,
                strerror(errno));
        return 1;
    }
    if (strncmp(db_location, "postgres", 8) != 0 &&
        access(db_location, F_OK) != 0) {
        fprintf(stderr, "kechuang backup: 数据库 %s 不存在\n", db_location);
        return 1;
    }
    if (db_open(&db, db_location, &e) != 0 ||
        db_schema_version(db, &version, &e) != 0 ||
        db_backup(db, part, &e) != 0) {
        fprintf(stderr, "kechuang backup: %s\n", e.msg);
        goto out;
    }
    if (backup_verify(part, version, &e) != 0) {
        fprintf(stderr, "kechuang backup: %s\n", e.msg);
        unlink(part);
        goto out;
    }
    if (rename(part, dest) != 0) {
        fprintf(stderr, "kechuang backup: 无法把 %s 改名为 %s：%s\n", part,
                dest, strerror(errno));
        unlink(part);
        goto out;
    }
    if (stat(dest, &sb) == 0) {
        printf("已备份到 %s（%.1f MB，结构版本 %d，完整性检查通过）\n", dest,
               (double)sb.st_size / (1024.0 * 1024.0), version);
    }
    status = 0;
out:
    db_close(db);
    return status;
}
