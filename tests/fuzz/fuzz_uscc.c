/* fuzz_uscc.c - libFuzzer target for the small text parsers: USCC
 * normalisation, 万元 / 元 amounts, dates, timestamps, Excel serials, UTF-8
 * helpers and charset conversion. Each must return cleanly on any input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/charset.h"
#include "base/date.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/money.h"
#include "base/uscc.h"
#include "base/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    char code[USCC_LEN + 1];
    char iso[DATE_ISO_SIZE];
    char ts[DATE_TS_SIZE];
    int64_t v = 0;
    Date d = 0;
    Buf out;
    Err e;

    memcpy(s, data, size);
    s[size] = '\0';

    if (uscc_normalize(s, code, &e) == 0) {
        if (strlen(code) != USCC_LEN ||
            uscc_check_char(code) != code[USCC_LEN - 1]) {
            abort();
        }
        uscc_check_orgcode(code, &e);
    }

    buf_init(&out, 0);
    if (money_parse_wan(s, &v, 1, "amount", &e) == 0) {
        int64_t back = 0;
        /* formatting and parsing again must give the same value */
        if (money_format_wan(v, &out) != 0 ||
            money_parse_wan(out.data, &back, 1, "amount", &e) != 0 ||
            back != v) {
            abort();
        }
    }
    money_parse_yuan(s, &v, 0, "amount", &e);

    if (date_parse(s, &d, "date", &e) == 0) {
        Date back = 0;
        date_format_iso(d, iso);
        if (date_parse(iso, &back, "date", &e) != 0 || back != d) {
            abort();
        }
        date_years_between(d, date_end_of_year(d));
    }
    date_parse_excel_serial(s, &d, "date", &e);
    if (date_parse_timestamp(s, &v, "at", &e) == 0) {
        date_format_timestamp(v, ts);
        if (strcmp(ts, s) != 0) {
            abort();
        }
    }

    /* the raw bytes (with NULs) through the UTF-8 and charset code */
    utf8_validate((const char *)data, size, NULL);
    utf8_count_chars((const char *)data, size);
    if (utf8_truncate((const char *)data, size, size / 2) > size / 2) {
        abort();
    }
    buf_reset(&out);
    if (charset_to_utf8((const char *)data, size, &out, NULL, &e) == 0 &&
        !utf8_validate(out.data, out.len, NULL)) {
        abort();
    }
    buf_release(&out);
    free(s);
    return 0;
}
