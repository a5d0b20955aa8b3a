/* log.h - the server's log (stderr by default).
 *
 * Lines are "2026-11-22T10:00:00Z LEVEL message". Never log secrets:
 * passwords, session tokens, API tokens, CSRF tokens. */
#ifndef KC_BASE_LOG_H
#define KC_BASE_LOG_H

#include <stdio.h>

enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_QUIET };

/* Set the minimum level printed (default LOG_INFO; KECHUANG_LOG=debug|info|
 * warn|error|quiet in the environment overrides at log_init). */
void log_init(void);
void log_set_level(int level);
int log_get_level(void);
/* Redirect to f (not closed by the log); NULL = stderr. */
void log_set_file(FILE *f);

void log_msg(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
