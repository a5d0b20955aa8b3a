/* datadir.c - the paths of a database's files (see datadir.h). */
#include "db/datadir.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static char datadir_dir[DATADIR_MAX];

int datadir_set(const char *dir, Err *e)
{
    struct stat st;
    size_t n = dir ? strlen(dir) : 0;

    if (n == 0) {
        datadir_dir[0] = '\0';
        return 0;
    }
    if (n >= sizeof datadir_dir) {
        return err_set(e, ERR_INVALID, "data_dir",
                       "data_dir 过长（最多 %d 字节）", DATADIR_MAX - 1);
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return err_set(e, ERR_INVALID, "data_dir",
                       "data_dir %s 不是已存在的目录", dir);
    }
    memcpy(datadir_dir, dir, n + 1);
    while (n > 1 && datadir_dir[n - 1] == '/') {
        datadir_dir[--n] = '\0';
    }
    return 0;
}

int datadir_path(const char *location, const char *name, char *out, size_t cap,
                 Err *e)
{
    int n;

    if (datadir_dir[0]) {
        n = snprintf(out, cap, "%s/%s", datadir_dir, name);
    } else if (!location || !*location || strcmp(location, ":memory:") == 0 ||
               strncmp(location, "file:", 5) == 0 ||
               strstr(location, "://") != NULL) {
        return err_set(e, ERR_INVALID, "data_dir",
                       "数据库 %s 不是文件：请在配置中设置 data_dir",
                       location ? location : "");
    } else {
        n = snprintf(out, cap, "%s.%s", location, name);
    }
    if (n < 0 || (size_t)n >= cap) {
        return err_set(e, ERR_TOOBIG, "data_dir", "文件路径过长");
    }
    return 0;
}
