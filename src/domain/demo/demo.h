/* demo.h - a synthetic district for demonstrations and benchmarks.
 *
 * Writes the 街道 and 园区 of a 河东区-like district under the root unit
 * (created when missing), then N enterprises with valid 统一社会信用代码,
 * several years of figures with growth and decline, IP rights, dated facts
 * and a few credit flags. The data depend only on the options: the same
 * seed, count, years and last year give the same rows (timestamps aside),
 * and enterprise i is the same whatever N is. Memory use does not grow
 * with N: rows are generated one enterprise at a time and inserted with
 * prepared statements in batches of DEMO_BATCH enterprises per
 * transaction. One audit entry ("demo.generate", with the counts) is
 * written in the first batch's transaction, not one per row. */
#ifndef KC_DOMAIN_DEMO_H
#define KC_DOMAIN_DEMO_H

#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define DEMO_MAX_ENTERPRISES 10000000LL
#define DEMO_BATCH 5000
#define DEMO_YEARS_MIN 3
#define DEMO_YEARS_MAX 5

typedef struct DemoOptions {
    int64_t enterprises; /* 1 .. DEMO_MAX_ENTERPRISES */
    uint64_t seed;
    int years;     /* DEMO_YEARS_MIN .. DEMO_YEARS_MAX, 0 = 3 */
    int last_year; /* latest year with figures, 0 = last calendar year */
    const char *root_name; /* name of the root unit if one must be created,
                              NULL = "天津市河东区" */
} DemoOptions;

typedef struct DemoReport {
    int64_t units_created;
    int64_t enterprises;
    int64_t year_rows;
    int64_t ip_rights;
    int64_t facts;
    int64_t former_names;
} DemoReport;

/* Progress callback: done of total enterprises written. */
typedef void (*DemoProgressFn)(void *ud, int64_t done, int64_t total);

/* Generate the district into db as actor a (an administrator whose scope
 * is the whole tree). Refuses (ERR_CONFLICT) a database that already holds
 * enterprises. A failure leaves the batches committed before it. */
int demo_generate(Db *db, const Actor *a, const DemoOptions *opt,
                  DemoProgressFn progress, void *ud, DemoReport *rep, Err *e);

/* The 9-character organisation code (GB 11714: 8 body characters and a
 * mod-11 check character) of body8 (digits and upper-case letters) into
 * out (10 bytes). Exposed for tests. */
void demo_orgcode(const char *body8, char out[10]);

#endif
