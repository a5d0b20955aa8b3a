/* fuzz_csv.c - libFuzzer target for the CSV reader.
 *
 * The first input byte picks the separator and small caps (so the cap paths
 * are reached too); the rest is read twice, once in place and once through
 * the callback in uneven chunks, and both readings must agree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct FuzzSrc {
    const uint8_t *p;
    size_t n;
    size_t step;
} FuzzSrc;

static ssize_t fuzz_csv_read(void *ctx, char *buf, size_t cap)
{
    FuzzSrc *s = ctx;
    size_t k = s->n < s->step ? s->n : s->step;

    if (k > cap) {
        k = cap;
    }
    memcpy(buf, s->p, k);
    s->p += k;
    s->n -= k;
    s->step = s->step % 13 + 1;
    return (ssize_t)k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char seps[4] = {',', ';', '\t', '|'};
    CsvOptions opt = {0};
    CsvReader *a = NULL;
    CsvReader *b = NULL;
    CsvRow ra;
    CsvRow rb;
    FuzzSrc src;
    Err e;
    int rc_a;
    int rc_b;
    size_t i;

    if (size < 1) {
        return 0;
    }
    opt.sep = seps[data[0] & 3];
    if (data[0] & 4) {
        opt.max_field = 16;
        opt.max_fields = 8;
        opt.max_row = 64;
    }
    data++;
    size--;
    src.p = data;
    src.n = size;
    src.step = 1;
    if (csv_reader_new_mem(&a, (const char *)data, size, &opt, &e) ||
        csv_reader_new(&b, fuzz_csv_read, &src, &opt, &e)) {
        abort();
    }
    for (;;) {
        rc_a = csv_read_row(a, &ra, &e);
        rc_b = csv_read_row(b, &rb, &e);
        if (rc_a != rc_b) {
            abort();
        }
        if (rc_a != 1) {
            break;
        }
        if (ra.n_fields != rb.n_fields || ra.row_no != rb.row_no ||
            ra.line_no != rb.line_no) {
            abort();
        }
        for (i = 0; i < ra.n_fields; i++) {
            if (ra.lens[i] != rb.lens[i] ||
                memcmp(ra.fields[i], rb.fields[i], ra.lens[i]) != 0 ||
                ra.fields[i][ra.lens[i]] != '\0') {
                abort();
            }
        }
    }
    csv_reader_free(a);
    csv_reader_free(b);
    return 0;
}
