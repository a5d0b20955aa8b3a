/* date.c - civil date arithmetic, parsing and UTC timestamps. */
#include "date.h"

#include <string.h>
#include <time.h>

#include "clock.h"
#include "utf8.h"

#define DATE_INPUT_MAX 64
#define DATE_EPOCH_FROM_0001 719162 /* days from 0001-01-01 to 1970-01-01 */
#define DATE_SECS_PER_DAY 86400

/* Days before month m (1-12) in a non-leap year. */
static const int date_month_start[13] = {0,   0,   31,  59,  90,  120, 151,
                                         181, 212, 243, 273, 304, 334};

int date_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) {
        return 0;
    }
    return len[m - 1] + (m == 2 && date_is_leap(y));
}

/* Days from 0001-01-01 to January 1st of year y (y >= 1). */
static int64_t date_days_before_year(int64_t y)
{
    int64_t p = y - 1;
    return p * 365 + p / 4 - p / 100 + p / 400;
}

/* No validation: y 1-9999, m 1-12, d 1-31 assumed. */
static Date date_pack(int y, int m, int d)
{
    int64_t n = date_days_before_year(y) + date_month_start[m] +
                (m > 2 && date_is_leap(y)) + d - 1;
    return (Date)(n - DATE_EPOCH_FROM_0001);
}

static Date date_clamp(int64_t v)
{
    if (v < DATE_MIN) {
        return DATE_MIN;
    }
    if (v > DATE_MAX) {
        return DATE_MAX;
    }
    return (Date)v;
}

void date_to_ymd(Date date, int *y, int *m, int *d)
{
    int64_t n = (int64_t)date_clamp(date) + DATE_EPOCH_FROM_0001;
    int64_t year = n * 400 / 146097 + 1;
    int doy;
    int month = 1;

    while (year > 1 && date_days_before_year(year) > n) {
        year--;
    }
    while (date_days_before_year(year + 1) <= n) {
        year++;
    }
    doy = (int)(n - date_days_before_year(year));
    while (month < 12 &&
           doy >= date_month_start[month + 1] +
                      (month + 1 > 2 && date_is_leap((int)year))) {
        month++;
    }
    if (y) {
        *y = (int)year;
    }
    if (m) {
        *m = month;
    }
    if (d) {
        *d = doy - date_month_start[month] -
             (month > 2 && date_is_leap((int)year)) + 1;
    }
}

int date_from_ymd(int y, int m, int d, Date *out, const char *field, Err *e)
{
    if (y < 1 || y > 9999) {
        return err_set(e, ERR_INVALID, field, "年份 %d 超出范围（1–9999）", y);
    }
    if (m < 1 || m > 12) {
        return err_set(e, ERR_INVALID, field, "%d年没有%d月", y, m);
    }
    if (d < 1 || d > date_days_in_month(y, m)) {
        return err_set(e, ERR_INVALID, field, "%d年%d月没有%d日", y, m, d);
    }
    *out = date_pack(y, m, d);
    return 0;
}

static int date_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Read 1..max digits at *p into *v; advance *p. Returns digit count. */
static int date_read_num(const char **p, int max, int *v)
{
    int n = 0;

    *v = 0;
    while (n < max && date_is_digit(**p)) {
        *v = *v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return n;
}

/* Match the literal lit at *p and advance past it. */
static int date_match(const char **p, const char *lit)
{
    size_t n = strlen(lit);

    if (strncmp(*p, lit, n) != 0) {
        return 0;
    }
    *p += n;
    return 1;
}

int date_parse(const char *s, Date *out, const char *field, Err *e)
{
    char norm[DATE_INPUT_MAX + 1];
    const char *p;
    char *start;
    char *end;
    size_t len;
    int y = 0;
    int m = 0;
    int d = 0;
    int ok = 0;

    if (!s) {
        s = "";
    }
    len = strlen(s);
    if (len > DATE_INPUT_MAX) {
        return err_set(e, ERR_INVALID, field, "日期过长，不是有效的日期");
    }
    utf8_fold_width(s, len, norm);
    start = norm;
    while (*start == ' ' || *start == '\t') {
        start++;
    }
    end = start + strlen(start);
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' ||
                           end[-1] == '\r' || end[-1] == '\n')) {
        end--;
    }
    *end = '\0';
    if (*start == '\0') {
        return err_set(e, ERR_INVALID, field, "日期不能为空");
    }
    p = start;
    if (strlen(start) == 8 && strspn(start, "0123456789") == 8) {
        y = (start[0] - '0') * 1000 + (start[1] - '0') * 100 +
            (start[2] - '0') * 10 + (start[3] - '0');
        m = (start[4] - '0') * 10 + (start[5] - '0');
        d = (start[6] - '0') * 10 + (start[7] - '0');
        ok = 1;
    } else if (date_read_num(&p, 4, &y) == 4) {
        char sep = *p;
        if (sep == '-' || sep == '/' || sep == '.') {
            p++;
            ok = date_read_num(&p, 2, &m) > 0 && *p == sep;
            if (ok) {
                p++;
                ok = date_read_num(&p, 2, &d) > 0 && *p == '\0';
            }
        } else if (date_match(&p, "年")) {
            ok = date_read_num(&p, 2, &m) > 0 && date_match(&p, "月") &&
                 date_read_num(&p, 2, &d) > 0;
            if (ok) {
                date_match(&p, "日");
                ok = *p == '\0';
            }
        }
    }
    if (!ok) {
        return err_set(e, ERR_INVALID, field,
                       "“%s”不是有效的日期（应写作 2021-02-28 这样的格式）",
                       start);
    }
    return date_from_ymd(y, m, d, out, field, e);
}

void date_format_iso(Date date, char out[DATE_ISO_SIZE])
{
    int y;
    int m;
    int d;
    int i;

    if (date < DATE_MIN || date > DATE_MAX) {
        memcpy(out, "0000-00-00", DATE_ISO_SIZE);
        return;
    }
    date_to_ymd(date, &y, &m, &d);
    for (i = 3; i >= 0; i--) {
        out[i] = (char)('0' + y % 10);
        y /= 10;
    }
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

Date date_add_days(Date date, int32_t n)
{
    return date_clamp((int64_t)date + n);
}

int32_t date_diff_days(Date from, Date to)
{
    return to - from;
}

int date_years_between(Date from, Date to)
{
    int fy;
    int fm;
    int fd;
    int ty;
    int tm;
    int td;
    int years;

    if (to < from) {
        return -date_years_between(to, from);
    }
    date_to_ymd(from, &fy, &fm, &fd);
    date_to_ymd(to, &ty, &tm, &td);
    years = ty - fy;
    if (tm < fm || (tm == fm && td < fd)) {
        years--;
    }
    return years;
}

Date date_start_of_year(Date date)
{
    int y;

    date_to_ymd(date, &y, NULL, NULL);
    return date_pack(y, 1, 1);
}

Date date_end_of_year(Date date)
{
    int y;

    date_to_ymd(date, &y, NULL, NULL);
    return date_pack(y, 12, 31);
}

Date date_today(void)
{
    int64_t t = (int64_t)clock_now() + (int64_t)CLOCK_LOCAL_OFFSET;
    int64_t days = t / DATE_SECS_PER_DAY - (t % DATE_SECS_PER_DAY < 0);

    return date_clamp(days);
}

int date_from_excel_serial(int64_t serial, Date *out, const char *field, Err *e)
{
    /* 1899-12-31 is serial 0, so serial 1 = 1900-01-01 */
    const Date base = date_pack(1899, 12, 31);

    if (serial == 60) {
        return err_set(e, ERR_INVALID, field,
                       "Excel 日期序号 60 对应不存在的 1900年2月29日");
    }
    if (serial < 1 || serial > 2958465) {
        return err_set(e, ERR_INVALID, field,
                       "Excel 日期序号 %lld 超出范围（1–2958465）",
                       (long long)serial);
    }
    /* Excel counts 1900-02-29, so later serials are one day ahead */
    *out = (Date)(base + serial - (serial > 60));
    return 0;
}

int date_parse_excel_serial(const char *s, Date *out, const char *field, Err *e)
{
    const char *p = s ? s : "";
    int64_t v = 0;
    int n = 0;

    while (*p == ' ') {
        p++;
    }
    while (date_is_digit(*p) && n < 8) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (*p == '.') {
        p++;
        while (date_is_digit(*p)) {
            p++;
        }
    }
    while (*p == ' ') {
        p++;
    }
    if (n == 0 || *p != '\0') {
        return err_set(e, ERR_INVALID, field, "“%s”不是有效的 Excel 日期序号",
                       s ? s : "");
    }
    return date_from_excel_serial(v, out, field, e);
}

void date_format_timestamp(int64_t unix_secs, char out[DATE_TS_SIZE])
{
    const int64_t lo = (int64_t)DATE_MIN * DATE_SECS_PER_DAY;
    const int64_t hi = ((int64_t)DATE_MAX + 1) * DATE_SECS_PER_DAY - 1;
    int64_t t = unix_secs < lo ? lo : unix_secs > hi ? hi : unix_secs;
    int64_t days = t / DATE_SECS_PER_DAY;
    int64_t sod = t % DATE_SECS_PER_DAY;

    if (sod < 0) {
        sod += DATE_SECS_PER_DAY;
        days--;
    }
    date_format_iso((Date)days, out);
    out[10] = 'T';
    out[11] = (char)('0' + sod / 36000);
    out[12] = (char)('0' + sod / 3600 % 10);
    out[13] = ':';
    out[14] = (char)('0' + sod % 3600 / 600);
    out[15] = (char)('0' + sod % 3600 / 60 % 10);
    out[16] = ':';
    out[17] = (char)('0' + sod % 60 / 10);
    out[18] = (char)('0' + sod % 10);
    out[19] = 'Z';
    out[20] = '\0';
}

void date_now_timestamp(char out[DATE_TS_SIZE])
{
    date_format_timestamp((int64_t)time(NULL), out);
}

/* Two digits at s as a number, or -1. */
static int date_two(const char *s)
{
    if (!date_is_digit(s[0]) || !date_is_digit(s[1])) {
        return -1;
    }
    return (s[0] - '0') * 10 + (s[1] - '0');
}

int date_parse_timestamp(const char *s, int64_t *unix_secs, const char *field,
                         Err *e)
{
    Date date = 0;
    int hh = 0;
    int mm = 0;
    int ss = 0;
    int y;
    int m = 0;
    int d = 0;

    if (!s || strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
        s[13] != ':' || s[16] != ':' || s[19] != 'Z' || date_two(s) < 0 ||
        date_two(s + 2) < 0 || (m = date_two(s + 5)) < 0 ||
        (d = date_two(s + 8)) < 0 || (hh = date_two(s + 11)) < 0 ||
        (mm = date_two(s + 14)) < 0 || (ss = date_two(s + 17)) < 0) {
        return err_set(e, ERR_INVALID, field,
                       "时间格式应为 2026-11-22T05:46:00Z（UTC）");
    }
    if (hh > 23 || mm > 59 || ss > 59) {
        return err_set(e, ERR_INVALID, field, "时间 %.8s 不存在", s + 11);
    }
    y = date_two(s) * 100 + date_two(s + 2);
    if (date_from_ymd(y, m, d, &date, field, e)) {
        return ERR_INVALID;
    }
    *unix_secs = (int64_t)date * DATE_SECS_PER_DAY + (int64_t)hh * 3600 +
                 (int64_t)mm * 60 + ss;
    return 0;
}
