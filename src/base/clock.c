/* clock.c - ISO-8601 UTC timestamps. */
#include "base/clock.h"

#include <string.h>

static int64_t clock_shift;

time_t clock_now(void)
{
    return time(NULL) + (time_t)clock_shift;
}

void clock_format(time_t t, char out[CLOCK_ISO_LEN])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, CLOCK_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void clock_now_iso(char out[CLOCK_ISO_LEN], int64_t delta_seconds)
{
    clock_format(clock_now() + (time_t)delta_seconds, out);
}

/* Decimal value of the n digits at s, or -1 when one is not a digit. */
static int clock_digits(const char *s, int n)
{
    int v = 0;
    int i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int clock_parse(const char *s, time_t *out)
{
    /* "YYYY-MM-DDTHH:MM:SSZ": offsets and widths of the six numbers */
    static const int at[6] = {0, 5, 8, 11, 14, 17};
    static const int width[6] = {4, 2, 2, 2, 2, 2};
    char back[CLOCK_ISO_LEN];
    struct tm tm;
    int v[6];
    int i;

    if (!s || strlen(s) != CLOCK_ISO_LEN - 1 || s[4] != '-' || s[7] != '-' ||
        s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') {
        return -1;
    }
    for (i = 0; i < 6; i++) {
        v[i] = clock_digits(s + at[i], width[i]);
        if (v[i] < 0) {
            return -1;
        }
    }
    memset(&tm, 0, sizeof tm);
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = v[3];
    tm.tm_min = v[4];
    tm.tm_sec = v[5];
    *out = timegm(&tm);
    /* Round trip: rejects 2026-02-30 and other normalised dates. */
    clock_format(*out, back);
    return strcmp(back, s) == 0 ? 0 : -1;
}

void clock_shift_for_tests(int64_t seconds)
{
    clock_shift = seconds;
}

int clock_local_tm(const char *iso, struct tm *out)
{
    time_t t;

    if (!iso || clock_parse(iso, &t) != 0) {
        return -1;
    }
    t += CLOCK_LOCAL_OFFSET;
    gmtime_r(&t, out);
    return 0;
}

int clock_local_text(const char *iso, char out[CLOCK_LOCAL_LEN])
{
    struct tm tm;

    out[0] = '\0';
    if (clock_local_tm(iso, &tm) != 0) {
        return -1;
    }
    strftime(out, CLOCK_LOCAL_LEN, "%Y-%m-%d %H:%M:%S", &tm);
    return 0;
}
