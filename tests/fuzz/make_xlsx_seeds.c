/* make_xlsx_seeds.c - writes the seed corpus of fuzz_xlsx.
 *
 * Not part of the build. Regenerate with:
 *   make BUILD=build-b build-b/libkechuang.a
 *   cc -std=c11 -D_GNU_SOURCE -Isrc tests/fuzz/make_xlsx_seeds.c \
 *      build-b/libkechuang.a $(pkg-config --libs libzip xlsxwriter expat) \
 *      -o /tmp/make_xlsx_seeds && /tmp/make_xlsx_seeds
 * tests/fuzz/corpus/fuzz_xlsx
 *
 * Seeds: a small workbook from our writer, a hand-built package with inline
 * strings, rich text, formulas, styles and merges stored uncompressed (so
 * mutations reach the XML), that package cut in half, and plain text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "base/xlsx_write.h"

static const char *const parts[][2] = {
    {"_rels/.rels",
     "<Relationships><Relationship Id=\"rId1\" Type=\"x/officeDocument\" "
     "Target=\"xl/workbook.xml\"/></Relationships>"},
    {"xl/workbook.xml",
     "<workbook xmlns:r=\"r\"><workbookPr/><sheets><sheet name=\"S1\" "
     "sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"S2\" sheetId=\"2\" "
     "r:id=\"rId2\" state=\"hidden\"/></sheets></workbook>"},
    {"xl/_rels/workbook.xml.rels",
     "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" "
     "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
     "Type=\"x/worksheet\" Target=\"worksheets/sheet2.xml\"/><Relationship "
     "Id=\"rId3\" Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/>"
     "<Relationship Id=\"rId4\" Type=\"x/styles\" Target=\"styles.xml\"/>"
     "</Relationships>"},
    {"xl/sharedStrings.xml",
     "<sst><si><t>名称</t></si><si><r><t>a</t></r><r><t>_x000D_b</t></r>"
     "<rPh><t>p</t></rPh></si></sst>"},
    {"xl/styles.xml",
     "<styleSheet><numFmts><numFmt numFmtId=\"164\" "
     "formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;\"/></numFmts><cellXfs>"
     "<xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"14\"/>"
     "</cellXfs></styleSheet>"},
    {"xl/worksheets/sheet1.xml",
     "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
     "<c r=\"B1\" t=\"inlineStr\"><is><t>行内</t></is></c></row><row "
     "r=\"3\"><c r=\"A3\" s=\"1\"><v>45292</v></c><c r=\"C3\"><f>A3+1</f>"
     "<v>45293</v></c><c t=\"b\"><v>1</v></c><c t=\"e\"><v>#N/A</v></c>"
     "<c t=\"s\"><v>1</v></c><c t=\"str\"><f>\"x\"</f><v>x</v></c></row>"
     "</sheetData><mergeCells><mergeCell ref=\"A1:B2\"/></mergeCells>"
     "</worksheet>"},
    {"xl/worksheets/sheet2.xml",
     "<x:worksheet xmlns:x=\"m\"><x:sheetData><x:row><x:c><x:v>1.5E-3"
     "</x:v></x:c></x:row></x:sheetData></x:worksheet>"},
};

static int write_file(const char *dir, const char *name, const void *p,
                      size_t n)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        perror(path);
        return 1;
    }
    fclose(f);
    return 0;
}

/* The hand-built package, stored, into malloc'd bytes. */
static char *hand_built(size_t *len)
{
    char path[] = "/tmp/make_xlsx_seeds_XXXXXX";
    int fd = mkstemp(path);
    int err = 0;
    zip_t *z;
    FILE *f;
    char *data;
    long n;
    size_t i;

    if (fd < 0) {
        return NULL;
    }
    z = zip_open(path, ZIP_TRUNCATE, &err);
    for (i = 0; z && i < sizeof parts / sizeof parts[0]; i++) {
        zip_source_t *s =
            zip_source_buffer(z, parts[i][1], strlen(parts[i][1]), 0);
        zip_int64_t idx = zip_file_add(z, parts[i][0], s, 0);
        zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
    }
    if (!z || zip_close(z) != 0) {
        return NULL;
    }
    f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n);
    if (fread(data, 1, (size_t)n, f) != (size_t)n) {
        n = 0;
    }
    fclose(f);
    remove(path);
    *len = (size_t)n;
    return data;
}

int main(int argc, char **argv)
{
    static const char *const hdr[] = {"名称", "金额（万元）", "日期"};
    XlsxWriter *w = NULL;
    XlsxOutSheet *s = NULL;
    Buf b;
    Err e;
    char *hb;
    size_t hl = 0;
    const char *text = "企业名称,代码\n甲,1\n";

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    buf_init(&b, 0);
    if (xlsx_writer_new_mem(&w, &e) || xlsx_writer_add_sheet(w, "表", &s, &e) ||
        xlsx_write_title(s, 0, 0, 0, 2, "标题", &e) ||
        xlsx_write_header(s, 1, hdr, 3, &e) ||
        xlsx_write_str(s, 2, 0, "=1+1", &e) ||
        xlsx_write_money(s, 2, 1, 87109, &e) ||
        xlsx_write_date(s, 2, 2, 2024, 2, 29, &e) ||
        xlsx_writer_close_mem(w, &b, &e)) {
        fprintf(stderr, "writer: %s\n", e.msg);
        return 1;
    }
    hb = hand_built(&hl);
    if (!hb || write_file(argv[1], "writer.xlsx", b.data, b.len) ||
        write_file(argv[1], "hand_stored.xlsx", hb, hl) ||
        write_file(argv[1], "hand_half.xlsx", hb, hl / 2) ||
        write_file(argv[1], "not_zip.txt", text, strlen(text))) {
        return 1;
    }
    free(hb);
    buf_release(&b);
    return 0;
}
