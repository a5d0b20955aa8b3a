/* money.c - exact decimal money parsing (万元 / 元) and formatting. */
#include "money.h"

#include <inttypes.h>
#include <string.h>

#include "utf8.h"

static int money_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int money_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parse s as a decimal with at most max_frac fraction digits and store it
 * times 10^scale in *out (*out untouched on error). With zero_frac set every
 * fraction digit must be 0, so a scale below max_frac loses nothing. The
 * messages speak of 万元 when scale is 4, else of 元. */
static int money_parse(const char *s, int64_t *out, int allow_negative,
                       int scale, int max_frac, int zero_frac,
                       const char *field, Err *e)
{
    char norm[MONEY_INPUT_MAX + 1];
    char digits[MONEY_INPUT_MAX + 1];
    size_t len;
    size_t n_int = 0;
    size_t n_frac = 0;
    size_t group = 0;
    int first_group = 1;
    int saw_comma = 0;
    int neg = 0;
    int bad_group = 0;
    uint64_t limit;
    uint64_t mag = 0;
    char *p;
    char *start;
    char *end;
    size_t i;

    if (!s || !*s) {
        return err_set(e, ERR_INVALID, field, "金额不能为空");
    }
    len = strlen(s);
    if (len > MONEY_INPUT_MAX) {
        return err_set(e, ERR_INVALID, field, "金额过长，不是有效的数字");
    }
    utf8_fold_width(s, len, norm);
    p = norm;
    while (money_is_space(*p)) {
        p++;
    }
    end = p + strlen(p);
    while (end > p && money_is_space(end[-1])) {
        end--;
    }
    *end = '\0';
    if (p == end) {
        return err_set(e, ERR_INVALID, field, "金额不能为空");
    }
    start = p;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    /* integer part with optional thousands separators */
    for (; money_is_digit(*p) || *p == ','; p++) {
        if (*p == ',') {
            if (first_group ? (group < 1 || group > 3) : group != 3) {
                bad_group = 1;
            }
            first_group = 0;
            saw_comma = 1;
            group = 0;
            continue;
        }
        digits[n_int++] = *p;
        group++;
    }
    if (saw_comma && group != 3) {
        bad_group = 1;
    }
    if (*p == '.') {
        p++;
        while (money_is_digit(*p)) {
            digits[n_int + n_frac++] = *p++;
        }
    }
    if (*p != '\0' || n_int + n_frac == 0) {
        return err_set(e, ERR_INVALID, field, "“%s”不是有效的金额数字", start);
    }
    if (bad_group) {
        return err_set(e, ERR_INVALID, field,
                       "金额“%s”中千位分隔符（逗号）的位置不正确", start);
    }
    if (n_frac > (size_t)max_frac) {
        if (scale == 4) {
            return err_set(e, ERR_INVALID, field,
                           "金额最多精确到 0.0001 万元（1 元）");
        }
        return err_set(e, ERR_INVALID, field,
                       "以元为单位的金额最多两位小数，且须为整数元");
    }
    if (zero_frac) {
        for (i = 0; i < n_frac; i++) {
            if (digits[n_int + i] != '0') {
                return err_set(e, ERR_INVALID, field,
                               "金额须为整数元，不能有角、分：“%s”", start);
            }
        }
    }
    limit = (uint64_t)INT64_MAX + (neg ? 1u : 0u);
    for (i = 0; i < n_int + (size_t)scale; i++) {
        unsigned d = 0;
        if (i < n_int + n_frac) {
            d = (unsigned)(digits[i] - '0');
        }
        if (mag > (limit - d) / 10) {
            return err_set(e, ERR_INVALID, field, "金额“%s”超出可表示的范围",
                           start);
        }
        mag = mag * 10 + d;
    }
    if (neg && mag != 0 && !allow_negative) {
        return err_set(e, ERR_INVALID, field, "金额不能为负数");
    }
    if (neg) {
        /* mag <= 2^63 here; 0 - mag in uint64 then to int64 is exact */
        *out = mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag;
    } else {
        *out = (int64_t)mag;
    }
    return 0;
}

int money_parse_wan(const char *s, int64_t *yuan, int allow_negative,
                    const char *field, Err *e)
{
    return money_parse(s, yuan, allow_negative, 4, 4, 0, field, e);
}

int money_parse_yuan(const char *s, int64_t *yuan, int allow_negative,
                     const char *field, Err *e)
{
    return money_parse(s, yuan, allow_negative, 0, 2, 1, field, e);
}

int money_format_wan(int64_t yuan, Buf *out)
{
    uint64_t mag;
    unsigned frac;
    char tail[6];
    int i;

    mag = yuan < 0 ? (uint64_t)0 - (uint64_t)yuan : (uint64_t)yuan;
    frac = (unsigned)(mag % 10000);
    buf_appendf(out, "%s%" PRIu64, yuan < 0 ? "-" : "", mag / 10000);
    if (frac) {
        tail[0] = '.';
        for (i = 4; i >= 1; i--) {
            tail[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        tail[5] = '\0';
        for (i = 4; tail[i] == '0'; i--) {
            tail[i] = '\0';
        }
        buf_append_str(out, tail);
    }
    return out->err;
}
