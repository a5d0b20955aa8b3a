/* log.c - timestamped, level-filtered log lines; thread safe. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int log_level = LOG_INFO;
static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_init(void)
{
    const char *v = getenv("KECHUANG_LOG");

    if (!v) {
        return;
    }
    if (!strcmp(v, "debug")) {
        log_level = LOG_DEBUG;
    } else if (!strcmp(v, "info")) {
        log_level = LOG_INFO;
    } else if (!strcmp(v, "warn")) {
        log_level = LOG_WARN;
    } else if (!strcmp(v, "error")) {
        log_level = LOG_ERROR;
    } else if (!strcmp(v, "quiet")) {
        log_level = LOG_QUIET;
    }
}

void log_set_level(int level)
{
    log_level = level;
}

int log_get_level(void)
{
    return log_level;
}

void log_set_file(FILE *f)
{
    log_file = f;
}

void log_msg(int level, const char *fmt, ...)
{
    static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    char stamp[32];
    struct tm tm;
    time_t now;
    va_list ap;
    FILE *f;

    if (level < log_level || level >= LOG_QUIET) {
        return;
    }
    now = time(NULL);
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    pthread_mutex_lock(&log_lock);
    f = log_file ? log_file : stderr;
    fprintf(f, "%s %s ", stamp, names[level]);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fflush(f);
    pthread_mutex_unlock(&log_lock);
}
