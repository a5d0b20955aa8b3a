/* clock.h - wall-clock time as the database stores it: ISO-8601 UTC text
 * ("2026-11-22T10:00:00Z"), which sorts correctly as text.
 *
 * Tests may shift the clock (clock_shift_for_tests) to reach expiry and
 * lock-out times without sleeping. */
#ifndef KC_DOMAIN_CLOCK_H
#define KC_DOMAIN_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CLOCK_ISO_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

/* Seconds since the epoch, including the test shift. */
time_t clock_now(void);

/* Format t as ISO-8601 UTC into out (CLOCK_ISO_LEN bytes). */
void clock_format(time_t t, char out[CLOCK_ISO_LEN]);

/* clock_format(clock_now() + delta_seconds). */
void clock_now_iso(char out[CLOCK_ISO_LEN], int64_t delta_seconds);

/* Parse "YYYY-MM-DDTHH:MM:SSZ" into *out; -1 when s has another shape or
 * names no valid time. */
int clock_parse(const char *s, time_t *out);

/* The local time zone of what users read (exports): Asia/Shanghai, UTC+8
 * all year (no daylight saving). */
#define CLOCK_LOCAL_OFFSET ((time_t)8 * 3600)
#define CLOCK_LOCAL_LEN 20 /* "YYYY-MM-DD HH:MM:SS" + NUL */

/* The ISO-8601 UTC timestamp iso as local time "YYYY-MM-DD HH:MM:SS" in
 * out (CLOCK_LOCAL_LEN bytes). -1 (out empty) when iso is not one. */
int clock_local_text(const char *iso, char out[CLOCK_LOCAL_LEN]);

/* The same instant as local broken-down time (tm_year since 1900, tm_mon
 * 0-11); -1 when iso does not parse. */
int clock_local_tm(const char *iso, struct tm *out);

/* Add seconds to the clock of this process (tests only; 0 resets). */
void clock_shift_for_tests(int64_t seconds);

#endif
