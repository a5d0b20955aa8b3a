/* date.h - civil dates (proleptic Gregorian) and UTC timestamps.
 *
 * A Date is the number of days since 1970-01-01 (1970-01-01 = 0,
 * 1969-12-31 = -1), so differences and additions are plain integer
 * arithmetic and dates sort as integers. Valid dates lie between
 * DATE_MIN (0001-01-01) and DATE_MAX (9999-12-31). Nothing here allocates. */
#ifndef KC_BASE_DATE_H
#define KC_BASE_DATE_H

#include <stdint.h>

#include "err.h"

typedef int32_t Date;

#define DATE_MIN ((Date)-719162) /* 0001-01-01 */
#define DATE_MAX ((Date)2932896) /* 9999-12-31 */

#define DATE_ISO_SIZE 11 /* "2021-02-28" + NUL */
#define DATE_TS_SIZE 21  /* "2026-11-22T05:46:00Z" + NUL */

/* 1 when y is a leap year, else 0. */
int date_is_leap(int y);

/* Days in month m (1-12) of year y; 0 when m is out of range. */
int date_days_in_month(int y, int m);

/* Build a date from year (1-9999), month and day, rejecting impossible
 * ones with a message such as "2021年2月没有30日". */
int date_from_ymd(int y, int m, int d, Date *out, const char *field, Err *e);

/* Split a date into year, month and day (any pointer may be NULL). Values
 * outside DATE_MIN..DATE_MAX are clamped first. */
void date_to_ymd(Date date, int *y, int *m, int *d);

/* Parse "2021-02-28", "2021-2-28", "2021/2/28", "2021.2.28", "20210228" or
 * "2021年2月28日" (the final 日 may be left out). Surrounding spaces and
 * full-width digits are accepted; the year has four digits and the two
 * separators must be the same. ERR_INVALID with a zh-CN message else. */
int date_parse(const char *s, Date *out, const char *field, Err *e);

/* Write date as "YYYY-MM-DD" into out (DATE_ISO_SIZE bytes). A value
 * outside DATE_MIN..DATE_MAX is written as "0000-00-00". */
void date_format_iso(Date date, char out[DATE_ISO_SIZE]);

/* date + n days, clamped to DATE_MIN..DATE_MAX. */
Date date_add_days(Date date, int32_t n);

/* to - from in days (negative when to is earlier). */
int32_t date_diff_days(Date from, Date to);

/* Full years from `from` to `to` (age rule): 2000-02-29 -> 2001-02-28 is 0,
 * -> 2001-03-01 is 1; 2020-05-10 -> 2023-05-10 is 3. Negative (and
 * symmetric) when to is earlier than from. */
int date_years_between(Date from, Date to);

/* January 1st / December 31st of the year date falls in. */
Date date_start_of_year(Date date);
Date date_end_of_year(Date date);

/* Today: the calendar date in Asia/Shanghai (CLOCK_LOCAL_OFFSET) at
 * clock_now(). The one "today" of every deadline, validity, default as-of
 * date and year: a bureau's day starts at midnight Beijing time, not at
 * 08:00 (UTC midnight). */
Date date_today(void);

/* Convert an Excel serial day number (1900 date system, as XLSX cells hold
 * dates) to a date. 1 = 1900-01-01; Excel's fictitious 1900-02-29 (serial
 * 60) is rejected; 61 = 1900-03-01; 2958465 = 9999-12-31. */
int date_from_excel_serial(int64_t serial, Date *out, const char *field,
                           Err *e);

/* The same from the text of a numeric cell ("44255" or "44255.75"; a time
 * fraction is ignored). */
int date_parse_excel_serial(const char *s, Date *out, const char *field,
                            Err *e);

/* Write unix_secs as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out (DATE_TS_SIZE
 * bytes). Times outside years 1-9999 are clamped to that range. */
void date_format_timestamp(int64_t unix_secs, char out[DATE_TS_SIZE]);

/* The current time in the format of date_format_timestamp. */
void date_now_timestamp(char out[DATE_TS_SIZE]);

/* Parse exactly "YYYY-MM-DDTHH:MM:SSZ" back into seconds since the epoch. */
int date_parse_timestamp(const char *s, int64_t *unix_secs, const char *field,
                         Err *e);

#endif
