/* snapcols.c - what the columns of a saved snapshot hold (bench only).
 *
 * Usage: snapcols <db>.snapshot [rules/x.kcr ...]
 *
 * Loads the file (read-only mapping), then prints per value column of the
 * as-of date the batch evaluator reads (snapshot_input()): field, year
 * slot, share of rows present, value range, distinct values (counted up to
 * 4096), the narrowest integer width that holds every value, and which of
 * the given rule sets read the field. Then the resident set of the
 * process (VmRSS, RssAnon, RssFile) after the load and after the columns
 * were read. Build: see bench/README.md ("What holds memory"). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/eligibility/snapshot.h"
#include "rules/ast.h"
#include "rules/field.h"

#define MAXSETS 16
#define DCAP 4096

static uint8_t reads[MAXSETS][RULE_MAX_FIELDS];

static void walk(const Node *n, uint8_t *r)
{
    if (!n) {
        return;
    }
    if ((n->kind == ND_FIELD || n->kind == ND_SCALAR) && n->fid >= 0 &&
        n->fid < RULE_MAX_FIELDS) {
        r[n->fid] = 1;
    }
    walk(n->a, r);
    walk(n->b, r);
    for (int k = 0; k < n->n_arms; k++) {
        walk(n->arms[k].cond, r);
        walk(n->arms[k].value, r);
    }
}

static void set_reads(const RuleSet *rs, uint8_t *r)
{
    for (int i = 0; i < rs->n_items; i++) {
        walk(rs->items[i].expr, r);
    }
    for (int i = 0; i < rs->n_derived; i++) {
        walk(rs->derived[i].expr, r);
    }
    walk(rs->pass, r);
    walk(rs->total, r);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *b;
    long n;
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void rss(const char *when)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    printf("# %s:", when);
    while (f && fgets(line, sizeof line, f)) {
        if (!strncmp(line, "VmRSS", 5) || !strncmp(line, "RssAnon", 7) ||
            !strncmp(line, "RssFile", 7)) {
            line[strcspn(line, "\n")] = 0;
            printf("  %s", line);
        }
    }
    printf("\n");
    if (f) {
        fclose(f);
    }
}

static int width(int64_t lo, int64_t hi)
{
    if (lo >= 0 && hi <= 1) {
        return 0; /* a bit */
    }
    if (lo >= INT8_MIN && hi <= INT8_MAX) {
        return 1;
    }
    if (lo >= INT16_MIN && hi <= INT16_MAX) {
        return 2;
    }
    if (lo >= INT32_MIN && hi <= INT32_MAX) {
        return 4;
    }
    return 8;
}

static int64_t dv[DCAP];

static void column(const char *name, int slot, const int64_t *v,
                   const uint8_t *h, size_t n, int nsets, int fid, double *now,
                   double *narrow)
{
    size_t present = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    int nd = 0, over = 0, w;
    for (size_t i = 0; i < n; i++) {
        if (h && !h[i]) {
            continue;
        }
        present++;
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
        if (!over) {
            int k;
            for (k = 0; k < nd && dv[k] != v[i]; k++) {
            }
            if (k == nd) {
                if (nd == DCAP) {
                    over = 1;
                } else {
                    dv[nd++] = v[i];
                }
            }
        }
    }
    w = present ? width(lo, hi) : 0;
    *now += 9.0 * (double)n;
    /* narrowest: the values at w bytes (a bit for flags), presence as a
     * bit unless present everywhere */
    *narrow += (double)n * ((w ? w : 0.125) + (present == n ? 0 : 0.125));
    printf("%-22s %2d %7.3f %20lld %20lld %5d%s %d ", name, slot,
           n ? (double)present / (double)n : 0.0, (long long)(present ? lo : 0),
           (long long)(present ? hi : 0), nd, over ? "+" : " ", w);
    for (int k = 0; k < nsets; k++) {
        putchar(reads[k][fid] ? 'x' : '.');
    }
    putchar('\n');
}

int main(int argc, char **argv)
{
    Snapshot *s = NULL;
    Err e = {0};
    const BatchInput *bi;
    int nsets = 0;
    double now = 0, narrow = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: snapcols <file> [rules.kcr ...]\n");
        return 2;
    }
    for (int i = 2; i < argc && nsets < MAXSETS; i++) {
        size_t len;
        char *src = slurp(argv[i], &len);
        RuleSet *rs = NULL;
        if (!src || rule_set_parse(argv[i], src, len, &rs, &e)) {
            fprintf(stderr, "%s: %s\n", argv[i], e.msg);
            return 1;
        }
        set_reads(rs, reads[nsets]);
        printf("# set %d: %s\n", nsets, rule_set_id(rs));
        nsets++;
        free(src);
    }
    rss("start");
    if (snapshot_load(argv[1], &s, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    rss("loaded");
    bi = snapshot_input(s);
    printf("# rows %zu year %d\n", bi->n, bi->year);
    printf("%-22s %2s %7s %20s %20s %6s %s sets\n", "# field", "sl", "present",
           "min", "max", "dist", "w");
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int k = 0; k < RULE_YEARS; k++) {
            if (bi->yv[f][k]) {
                column(rule_field_get(f)->name, k, bi->yv[f][k], bi->yhas[f][k],
                       bi->n, nsets, f, &now, &narrow);
            }
        }
    }
    for (int f = RULE_N_YEARLY; f < rule_field_count(); f++) {
        if (bi->sv[f] || bi->sv8[f]) {
            int64_t *w = NULL;
            if (bi->sv8[f]) { /* held one byte per row: widened here */
                w = malloc(bi->n * sizeof *w + 1);
                for (size_t i = 0; i < bi->n; i++) {
                    w[i] = (int64_t)bi->sv8[f][i];
                }
                printf("(1 byte) ");
            }
            column(rule_field_get(f)->name, -1, w ? w : bi->sv[f], bi->shas[f],
                   bi->n, nsets, f, &now, &narrow);
            free(w);
            if (bi->shi[f]) {
                column("  (upper bound)", -1, bi->shi[f], NULL, bi->n, nsets, f,
                       &now, &narrow);
            }
        }
    }
    printf("# int64 + presence byte: %.1f MiB; narrowest widths + presence "
           "bits: %.1f MiB\n",
           now / 1048576.0, narrow / 1048576.0);
    rss("columns read");
    snapshot_free(s);
    return 0;
}
