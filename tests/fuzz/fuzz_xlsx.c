/* fuzz_xlsx.c - libFuzzer target for the XLSX reader: open the input as a
 * workbook, read every sheet's rows and merges, touch every cell. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xlsx_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    XlsxOptions opt = {.max_sheet_bytes = 8u << 20,
                       .max_sst_bytes = 4u << 20,
                       .max_part_bytes = 1u << 20};
    XlsxReader *x = NULL;
    XlsxSheet *s = NULL;
    XlsxRow row;
    const XlsxMerge *m;
    size_t nm;
    size_t i;
    size_t c;
    size_t sum = 0;
    Err e;

    if (xlsx_reader_open_mem(&x, data, size, &opt, &e) != 0) {
        return 0;
    }
    for (i = 0; i < xlsx_reader_sheet_count(x); i++) {
        if (xlsx_sheet_open(x, i, &s, &e) != 0) {
            continue;
        }
        if (i % 2 == 0) {
            xlsx_sheet_merges(s, &m, &nm, &e);
        }
        while (xlsx_sheet_read_row(s, &row, &e) == 1) {
            for (c = 0; c < row.n_cells; c++) {
                sum += strlen(row.cells[c].value) + row.cells[c].len +
                       strlen(row.cells[c].formula);
            }
        }
        if (xlsx_sheet_merges(s, &m, &nm, &e) == 0) {
            for (c = 0; c < nm; c++) {
                sum += (size_t)m[c].last_row_no;
            }
        }
        xlsx_sheet_free(s);
        s = NULL;
    }
    xlsx_reader_free(x);
    return sum == (size_t)-1;
}
