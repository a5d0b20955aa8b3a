/* snapshot.c - the library as columns for batch screening (see
 * snapshot.h and docs/internals/batch.md).
 *
 * The mapping from tables to rule fields is elig.c's (documented in
 * docs/internals/eligibility.md): this file applies the same rules row
 * by row while scanning each table once in storage order, and
 * tests/unit/test_snapshot.c checks for every enterprise of a demo
 * library that the rule input hash equals elig_load_input()'s. */
#include "domain/eligibility/snapshot.h"

#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "db/datadir.h"
#include "domain/carrier/platform.h"
#include "domain/eligibility/catalogue.h"
#include "domain/eligibility/dec_cols.h"
#include "domain/eligibility/elig.h"
#include "domain/eligibility/elig_map.h"
#include "domain/qual/qual.h"
#include "rules/ast.h"
#include "rules/field.h"

/* File format and mapping tag: change it whenever the file layout or the
 * table-to-field mapping (here and in elig.c) changes, so that old files
 * are rebuilt. */
#define SNAP_MAGIC "KCSNAP09"
#define SNAP_MAX_ROWS ((size_t)50 * 1000 * 1000)
#define SNAP_N_YEARLY_COLS 15 /* enterprise_years columns (catalogue order) */
#define SNAP_YEAR0 1970       /* absolute year columns: SNAP_YEAR0 .. */
#define SNAP_NY 100           /* .. SNAP_YEAR0 + SNAP_NY - 1 */
#define SNAP_NO_DATE INT32_MIN
#if defined(__GNUC__) && !defined(__clang__)
#define SNAP_NOIPA __attribute__((noipa)) /* see bind_window */
#else
#define SNAP_NOIPA
#endif

/* The inputs kept as read, from which the columns of any as-of date are
 * derived (snapshot_set_date). Every kind starts with its row. */

/* The enterprise record and the industry catalogue (no date). */
typedef struct RecRaw {
    int32_t row; /* unused: rec[] is by row */
    Date established;
    int64_t tech_domain;
    int8_t resident, tianjin; /* -1: not set */
    int8_t has_est, has_td, listed, prohibited;
    int8_t pad[2];
} RecRaw;

typedef struct IpRaw {
    int32_t row;
    EligIpRaw x;
} IpRaw;

typedef struct FactRaw {
    int32_t row;
    int32_t pad;
    EligFactRaw x;
} FactRaw;

typedef struct DeclRaw {
    int32_t row;
    int16_t field, pad;
    int32_t year;
    Date from, to; /* SNAP_NO_DATE: none */
    int32_t pad2;
    int64_t v;
} DeclRaw;

/* A qualifications row of a kind the rules read (QUAL_VALID_ON). */
typedef struct QualRaw {
    int32_t row, idx;
    Date from, to, end; /* SNAP_NO_DATE: none */
} QualRaw;

/* A growing array of one raw kind (elements of w bytes). */
typedef struct RawVec {
    void *v;
    size_t n, cap, w;
} RawVec;

enum { RAW_IP, RAW_FACT, RAW_DECL, RAW_QUAL, RAW_KINDS };

struct Snapshot {
    Date as_of;
    int year;
    size_t n;
    int64_t *ids;
    int64_t *unit;
    uint8_t *hash; /* n * 32 */
    /* n * 32: the SHA-256 of each row's content (rule_input_hash), which
     * hash dates; kept across dates of one year for the rows whose dated
     * inputs agree (derive) */
    uint8_t *chash;
    int chash_own;  /* chash is allocated (not in the mapping) */
    uint8_t *nconf; /* conflict rows (batch_count_conflicts) */
    /* the window of as_of: a slot points at the absolute year column
     * (av/ah) unless declarations patched a copy of it (yown) */
    int64_t *yv[RULE_N_YEARLY][RULE_YEARS];
    uint8_t *yh[RULE_N_YEARLY][RULE_YEARS];
    uint8_t yown[RULE_N_YEARLY][RULE_YEARS];
    /* a scalar field's values: one byte per row (sv8) while every value
     * fits in -128..127, else int64 (sv); at most one of the two */
    int64_t *sv[RULE_MAX_FIELDS];
    int8_t *sv8[RULE_MAX_FIELDS];
    uint8_t *sh[RULE_MAX_FIELDS];
    int64_t *shi[RULE_MAX_FIELDS]; /* upper bounds of bounded fields */
    /* inputs as read (any date) */
    RecRaw *rec;
    int64_t *av[RULE_N_YEARLY][SNAP_NY];
    uint8_t *ah[RULE_N_YEARLY][SNAP_NY];
    int yfar; /* a figure's year lies outside the absolute columns */
    RawVec raw[RAW_KINDS];
    BatchInput bi;
    SnapshotInfo info;
    int64_t max_ent; /* highest enterprise id when built (any state) */
    size_t hint;     /* row of the last lookup */
    void *map;       /* the file, mapped read-only (columns point into it) */
    size_t map_len;
    dev_t dev; /* the file mapped (patch_in_place writes only to it) */
    ino_t ino;
    int dmap; /* the derived columns (of as_of) lie in the mapping */
    /* the row numbers of the kept raw rows were checked (raw_valid): a
     * loaded file's are checked only when a date move or an update first
     * reads them, so a screening of the file's own date never touches
     * (and keeps resident) the pages of the raw rows */
    int raw_ok;
};

static const size_t raw_w[RAW_KINDS] = {sizeof(IpRaw), sizeof(FactRaw),
                                        sizeof(DeclRaw), sizeof(QualRaw)};

static void *raw_push(RawVec *x)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 1024;
        x->v = xrealloc(x->v, x->w * x->cap);
    }
    memset((char *)x->v + x->w * x->n, 0, x->w);
    return (char *)x->v + x->w * x->n++;
}

static const char *const year_cols[SNAP_N_YEARLY_COLS] = {
    "employees",     "tech_staff",       "rd_staff",      "sales_revenue",
    "total_revenue", "main_revenue",     "hitech_income", "rd_expense",
    "rd_domestic",   "total_cost",       "total_assets",  "total_liabilities",
    "net_profit",    "equity_financing", "tax_paid"};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Field id by name, memoised by the address of the (literal) name: the
 * mapping runs tens of millions of times at 1M enterprises. */
static int fid(const char *name)
{
    static const char *keys[128];
    static int vals[128];
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    size_t h = ((uintptr_t)name >> 3) & 127;
    int v;
    for (size_t k = 0; k < 128; k++) {
        size_t i = (h + k) & 127;
        const char *cur = __atomic_load_n(&keys[i], __ATOMIC_ACQUIRE);
        if (cur == name) {
            return vals[i];
        }
        if (!cur) {
            break;
        }
    }
    v = rule_field_find(name);
    pthread_mutex_lock(&mu);
    for (size_t k = 0; k < 128; k++) {
        size_t i = (h + k) & 127;
        if (keys[i] == name) {
            break;
        }
        if (!keys[i]) {
            vals[i] = v;
            __atomic_store_n(&keys[i], name, __ATOMIC_RELEASE);
            break;
        }
    }
    pthread_mutex_unlock(&mu);
    return v;
}

/* ---- columns ------------------------------------------------------------ */

/* Value of scalar field f at row r (its column is sv or sv8). */
static int64_t sval(const Snapshot *s, int f, size_t r)
{
    return s->sv8[f] ? (int64_t)s->sv8[f][r] : s->sv[f][r];
}

static int fits8(int64_t v)
{
    return v >= INT8_MIN && v <= INT8_MAX;
}

/* The int64 copy of a one-byte column of n rows. */
static int64_t *widen8(const int8_t *v, size_t n)
{
    int64_t *w = xcalloc(n ? n : 1, sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        w[i] = (int64_t)v[i];
    }
    return w;
}

static void set_s(Snapshot *s, size_t r, int f, int64_t v)
{
    if (f < 0 || f >= RULE_MAX_FIELDS) {
        return;
    }
    if (!s->sv[f] && !s->sv8[f]) { /* narrow until a value does not fit */
        if (fits8(v)) {
            s->sv8[f] = xcalloc(s->n ? s->n : 1, 1);
        } else {
            s->sv[f] = xcalloc(s->n ? s->n : 1, sizeof(int64_t));
        }
        s->sh[f] = xcalloc(s->n ? s->n : 1, 1);
    }
    if (s->sv8[f] && !fits8(v)) {
        s->sv[f] = widen8(s->sv8[f], s->n);
        free(s->sv8[f]);
        s->sv8[f] = NULL;
    }
    if (s->sv8[f]) {
        s->sv8[f][r] = (int8_t)v;
    } else {
        s->sv[f][r] = v;
    }
    s->sh[f][r] = 1;
    if (s->shi[f]) {
        s->shi[f][r] = 0;
    }
}

static void unset_s(Snapshot *s, size_t r, int f)
{
    if (f >= 0 && f < RULE_MAX_FIELDS && (s->sv[f] || s->sv8[f])) {
        if (s->sv8[f]) {
            s->sv8[f][r] = 0;
        } else {
            s->sv[f][r] = 0;
        }
        s->sh[f][r] = 0;
        if (s->shi[f]) {
            s->shi[f][r] = 0;
        }
    }
}

/* A bounded field (RuleField.bounded) of row r: known when lo == hi, else
 * missing within [lo, hi] (rule_input_set_bounds). */
static void set_b(Snapshot *s, size_t r, int f, int64_t lo, int64_t hi)
{
    if (f < 0 || f >= RULE_MAX_FIELDS) {
        return;
    }
    if (lo == hi) {
        set_s(s, r, f, lo);
        return;
    }
    set_s(s, r, f, lo);
    s->sh[f][r] = 0;
    if (!s->shi[f]) {
        s->shi[f] = xcalloc(s->n ? s->n : 1, sizeof(int64_t));
    }
    s->shi[f][r] = hi;
}

/* Slot of an absolute year in the window, or -1. */
static int slot_of(const Snapshot *s, int year)
{
    int k = year - (s->year - (RULE_YEARS - 1));
    return k >= 0 && k < RULE_YEARS ? k : -1;
}

/* Make window slot (f, slot) a column of its own (a copy of the year's
 * column it pointed at, or zeros) before it is patched. */
static void own_y(Snapshot *s, int f, int slot)
{
    size_t n = s->n ? s->n : 1;
    int64_t *v;
    uint8_t *h;

    if (s->yown[f][slot]) {
        return;
    }
    v = xcalloc(n, sizeof(int64_t));
    h = xcalloc(n, 1);
    if (s->yv[f][slot]) {
        memcpy(v, s->yv[f][slot], s->n * sizeof(int64_t));
        memcpy(h, s->yh[f][slot], s->n);
    }
    s->yv[f][slot] = v;
    s->yh[f][slot] = h;
    s->yown[f][slot] = 1;
}

static void set_y(Snapshot *s, size_t r, int f, int slot, int64_t v)
{
    if (f < 0 || f >= RULE_N_YEARLY || slot < 0) {
        return;
    }
    own_y(s, f, slot);
    s->yv[f][slot][r] = v;
    s->yh[f][slot][r] = 1;
}

static void unset_y(Snapshot *s, size_t r, int f, int slot)
{
    if (f >= 0 && f < RULE_N_YEARLY && slot >= 0 && s->yv[f][slot]) {
        own_y(s, f, slot);
        s->yv[f][slot][r] = 0;
        s->yh[f][slot][r] = 0;
    }
}

/* A figure of an absolute year (enterprise_years), for every date. */
static void set_ay(Snapshot *s, size_t r, int f, int year, int64_t v)
{
    int k = year - SNAP_YEAR0;

    if (f < 0 || f >= RULE_N_YEARLY) {
        return;
    }
    if (k < 0 || k >= SNAP_NY) {
        s->yfar = 1;
        return;
    }
    if (!s->av[f][k]) {
        s->av[f][k] = xcalloc(s->n ? s->n : 1, sizeof(int64_t));
        s->ah[f][k] = xcalloc(s->n ? s->n : 1, 1);
    }
    s->av[f][k][r] = v;
    s->ah[f][k][r] = 1;
}

/* Point the batch view at the columns. */
static void bind_view(Snapshot *s)
{
    memset(&s->bi, 0, sizeof s->bi);
    s->bi.n = s->n;
    s->bi.year = s->year;
    s->bi.asof = s->as_of;
    s->bi.n_conflicts = s->nconf;
    s->info.columns = 0;
    s->info.bytes = (int64_t)s->n * (8 + 8 + 32 + 32 + 1);
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int k = 0; k < RULE_YEARS; k++) {
            s->bi.yv[f][k] = s->yv[f][k];
            s->bi.yhas[f][k] = s->yh[f][k];
            if (s->yv[f][k]) {
                s->info.columns++;
                s->info.bytes += (int64_t)s->n * 9;
            }
        }
    }
    for (int f = 0; f < RULE_MAX_FIELDS; f++) {
        s->bi.sv[f] = s->sv[f];
        s->bi.sv8[f] = s->sv8[f];
        s->bi.shas[f] = s->sh[f];
        s->bi.shi[f] = s->shi[f];
        if (s->sv[f] || s->sv8[f]) {
            s->info.columns++;
            s->info.bytes += (int64_t)s->n * (s->sv8[f] ? 2 : 9);
        }
    }
    s->info.rows = (int64_t)s->n;
}

/* Row of enterprise id (ids ascending), trying the last row first. */
static int64_t find_row(Snapshot *s, int64_t id)
{
    size_t lo = 0, hi = s->n;
    if (s->hint < s->n && s->ids[s->hint] == id) {
        return (int64_t)s->hint;
    }
    if (s->hint + 1 < s->n && s->ids[s->hint + 1] == id) {
        return (int64_t)++s->hint;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ids[mid] < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo < s->n && s->ids[lo] == id) {
        s->hint = lo;
        return (int64_t)lo;
    }
    return -1;
}

/* ---- mapping (as elig.c) ------------------------------------------------ */

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The enterprise record (elig.c load_record / map_uscc), kept as read. */
static void read_record(RecRaw *x, DbStmt *st)
{
    const char *uscc = db_col_text(st, 2);

    memset(x, 0, sizeof *x);
    x->resident = x->tianjin = -1;
    if (uscc && strlen(uscc) == 18) {
        int ent = uscc[0] == '9' && uscc[1] == '1';
        if (ent) {
            x->resident = 1;
        }
        if (uscc[2] != '1' || uscc[3] != '2') {
            x->tianjin = 0;
        } else if (ent) {
            x->tianjin = 1;
        }
    }
    x->has_est = (int8_t)elig_col_date(st, 3, &x->established);
    x->has_td = !db_col_is_null(st, 4);
    x->tech_domain = x->has_td ? db_col_int64(st, 4) : 0;
    x->listed = streq(db_col_text(st, 5), "listed");
}

static void map_record(Snapshot *s, size_t r, const RecRaw *x)
{
    if (x->resident >= 0) {
        set_s(s, r, fid("resident"), x->resident);
    }
    if (x->tianjin >= 0) {
        set_s(s, r, fid("tianjin"), x->tianjin);
    }
    if (x->has_est) {
        set_s(s, r, fid("established"), x->established);
    }
    if (x->has_td) {
        set_s(s, r, fid("tech_domain"), x->tech_domain);
    }
    set_s(s, r, fid("listed"), x->listed);
}

static void tri_put(Snapshot *s, size_t r, int f, const EligTri *t)
{
    if (t->yes) {
        set_s(s, r, f, 1);
    } else if (t->unknown) {
        unset_s(s, r, f);
    } else {
        set_s(s, r, f, 0);
    }
}

/* The fact flags of row r (f all zero for an enterprise without facts). */
static void put_facts(Snapshot *s, size_t r, const EligFacts *f)
{
    tri_put(s, r, fid("award_national_top3_5y"), &f->n3_5y);
    tri_put(s, r, fid("award_national_top3_3y"), &f->n3_3y);
    tri_put(s, r, fid("award_national_top5_3y"), &f->n5_3y);
    tri_put(s, r, fid("award_provincial_top3_3y"), &f->p3_3y);
    tri_put(s, r, fid("maker_top500_3y"), &f->m500);
    tri_put(s, r, fid("maker_top50_3y"), &f->m50);
    set_s(s, r, fid("award_3y"), f->award_3y);
    set_s(s, r, fid("award_ever"), f->award_ever);
    set_s(s, r, fid("rd_institution"), f->rd_inst);
    set_s(s, r, fid("rd_institution_any"), f->rd_any);
    set_s(s, r, fid("led_standard_5y"), f->led);
    set_s(s, r, fid("joined_standard"), f->joined);
    set_s(s, r, fid("software_cert"), f->sw);
    set_s(s, r, fid("software_product_cert"), f->swp);
    set_s(s, r, fid("competition_award"), f->comp);
    set_s(s, r, fid("private_equity"), f->pe);
    set_s(s, r, fid("sci_project"), f->proj);
    set_s(s, r, fid("abnormal_list"), f->abnormal);
    set_s(s, r, fid("serious_illegal"), f->serious);
    set_s(s, r, fid("dishonest"), f->dishonest);
    set_s(s, r, fid("incident"), f->incident);
    set_s(s, r, fid("incident_1y"), f->incident_1y);
    set_s(s, r, fid("abnormal_list_py"), f->abnormal_py);
    set_s(s, r, fid("serious_illegal_py"), f->serious_py);
    if (f->vc_unknown && !f->has_vc) {
        unset_s(s, r, fid("vc_single_max"));
    } else {
        set_s(s, r, fid("vc_single_max"), f->has_vc ? f->vc_max : 0);
    }
}

/* One declaration row (kept as read) as elig.c load_decl; *hnte /
 * *honor collect the innovation_honor rule. */
static int decl_inside(const DeclRaw *d, Date at)
{
    return (d->from == SNAP_NO_DATE || d->from <= at) &&
           (d->to == SNAP_NO_DATE || d->to >= at);
}

static void map_decl(Snapshot *s, size_t r, const DeclRaw *d, int *hnte,
                     int *honor)
{
    int field = d->field;
    const RuleField *rf = rule_field_get(field);
    int year = d->year;
    int64_t v = d->v;
    int inside = decl_inside(d, s->as_of);

    if (!rf) {
        return;
    }
    *honor |= field == fid("innovation_honor");
    if (rf->kind == RF_YEARLY) {
        if (inside) {
            set_y(s, r, field, slot_of(s, year), v);
        } else {
            unset_y(s, r, field, slot_of(s, year));
        }
    } else if (inside) {
        set_s(s, r, field, v);
        *hnte |= field == fid("hnte_cert") && v != 0;
    } else if (rf->unit == UN_BOOL) {
        set_s(s, r, field, 0);
    } else {
        unset_s(s, r, field);
    }
}

/* ---- build -------------------------------------------------------------- */

/* The enterprises a partial build reads (ascending, distinct), or NULL
 * for a build of the whole library. */
typedef struct IdSet {
    const int64_t *v;
    size_t n;
} IdSet;

#define SNAP_CHUNK 1024 /* ids per query of a partial build */

/* " AND col IN <parameter param>" for a partial build, else "". */
static void id_filter(Db *db, const IdSet *only, const char *col, int param,
                      char *out, size_t cap)
{
    char in[128];

    out[0] = '\0';
    if (only) {
        db_id_in_list(db, param, in, sizeof in);
        snprintf(out, cap, " AND %s %s", col, in);
    }
}

/* The ids [from, from + SNAP_CHUNK) of only as "1,2,3" into b; returns
 * where the next chunk starts. */
static size_t id_chunk(const IdSet *only, size_t from, Buf *b)
{
    size_t to = only->n - from > SNAP_CHUNK ? from + SNAP_CHUNK : only->n;

    buf_reset(b);
    for (size_t i = from; i < to; i++) {
        buf_appendf(b, i > from ? ",%lld" : "%lld", (long long)only->v[i]);
    }
    return to;
}

typedef void (*ScanRow)(Snapshot *s, DbStmt *st, void *ctx);

/* Step st to its end, row() for each row: once for a whole build; for a
 * partial one once per chunk of only's ids, bound to parameter param. */
static int scan_each(DbStmt *st, const IdSet *only, int param, Snapshot *s,
                     ScanRow row, void *ctx, Err *e)
{
    size_t pos = 0;
    Buf b;
    int rc = 0;

    buf_init(&b, 0);
    while (!only || pos < only->n) {
        if (only) {
            pos = id_chunk(only, pos, &b);
            db_reset(st);
            db_bind_text(st, param, b.data);
        }
        while ((rc = db_step(st, e)) == DB_ROW) {
            row(s, st, ctx);
        }
        if (rc != DB_DONE) {
            break;
        }
        rc = 0;
        if (!only) {
            break;
        }
    }
    buf_release(&b);
    return rc;
}

static void enterprise_row(Snapshot *s, DbStmt *st, void *ctx)
{
    size_t *r = ctx;

    if (*r < s->n) {
        s->ids[*r] = db_col_int64(st, 0);
        s->unit[*r] = db_col_int64(st, 1);
        read_record(&s->rec[*r], st);
        (*r)++;
    }
}

static int scan_enterprises(Db *db, Snapshot *s, const IdSet *only, Err *e)
{
    char flt[160], sql[512];
    DbStmt *st = NULL;
    int64_t n = 0;
    size_t r = 0;
    int rc = 0;

    if (only) {
        n = (int64_t)only->n; /* at most */
    } else {
        rc = db_query_int64(db, &n, e,
                            "SELECT COUNT(*) FROM enterprises e JOIN "
                            "org_units o ON o.id = e.unit_id WHERE "
                            "e.retired_at IS NULL",
                            "");
    }
    if (rc) {
        return rc;
    }
    if ((size_t)n > SNAP_MAX_ROWS) {
        return err_set(e, ERR_TOOBIG, "enterprises", "企业数量超过快照上限 %zu",
                       SNAP_MAX_ROWS);
    }
    s->n = (size_t)n;
    s->ids = xcalloc(s->n + 1, sizeof(int64_t));
    s->unit = xcalloc(s->n + 1, sizeof(int64_t));
    s->rec = xcalloc(s->n + 1, sizeof(RecRaw));
    id_filter(db, only, "e.id", 1, flt, sizeof flt);
    snprintf(sql, sizeof sql,
             "SELECT e.id, e.unit_id, e.uscc, e.established_on, "
             "e.tech_domain, e.listing_status FROM enterprises e "
             "JOIN org_units o ON o.id = e.unit_id "
             "WHERE e.retired_at IS NULL%s ORDER BY e.id",
             flt);
    rc = db_prepare(db, sql, &st, e);
    if (rc) {
        return rc;
    }
    rc = scan_each(st, only, 1, s, enterprise_row, &r, e);
    db_finalize(st);
    s->n = r;
    return rc;
}

static void year_row(Snapshot *s, DbStmt *st, void *ctx)
{
    const int *ids = ctx;
    int64_t r = find_row(s, db_col_int64(st, 0));
    int year = (int)db_col_int64(st, 1);

    if (r < 0) {
        return;
    }
    for (int i = 0; i < SNAP_N_YEARLY_COLS; i++) {
        if (!db_col_is_null(st, i + 2)) {
            set_ay(s, (size_t)r, ids[i], year, db_col_int64(st, i + 2));
        }
    }
}

static int scan_years(Db *db, Snapshot *s, const IdSet *only, Err *e)
{
    char flt[160], sql[640];
    DbStmt *st = NULL;
    int ids[SNAP_N_YEARLY_COLS];
    int rc;

    for (int i = 0; i < SNAP_N_YEARLY_COLS; i++) {
        ids[i] = fid(year_cols[i]);
    }
    /* every year: the window is the as-of date's (snapshot_set_date) */
    id_filter(db, only, "enterprise_id", 1, flt, sizeof flt);
    snprintf(sql, sizeof sql,
             "SELECT enterprise_id, year, employees, tech_staff, "
             "rd_staff, sales_revenue, total_revenue, main_revenue, "
             "hitech_income, rd_expense, rd_domestic, total_cost, "
             "total_assets, total_liabilities, net_profit, "
             "equity_financing, tax_paid FROM enterprise_years "
             "WHERE 1 = 1%s",
             flt);
    rc = db_prepare(db, sql, &st, e); /* $1: the ids of a partial build */
    if (rc) {
        return rc;
    }
    rc = scan_each(st, only, 1, s, year_row, ids, e);
    db_finalize(st);
    return rc;
}

typedef struct IpPut {
    Snapshot *s;
    size_t r;
} IpPut;

static void ip_put(void *ctx, int field, int64_t lo, int64_t hi)
{
    IpPut *p = ctx;

    set_b(p->s, p->r, field, lo, hi);
}

static void ip_row(Snapshot *s, DbStmt *st, void *ctx)
{
    int64_t r = find_row(s, db_col_int64(st, 0));

    (void)ctx;
    if (r >= 0) {
        IpRaw *x = raw_push(&s->raw[RAW_IP]);

        x->row = (int32_t)r;
        elig_ip_raw(st, 1, &x->x);
    }
}

/* The IP counts of every enterprise at s->as_of, counted as elig.c
 * counts one (elig_ip_at, rule_ip_count_add). */
static void derive_ip(Snapshot *s, Date was, uint8_t *chg)
{
    RuleIpCounts *c = xcalloc(s->n + 1, sizeof *c);
    RuleIpCounts *c0 = chg ? xcalloc(s->n + 1, sizeof *c0) : NULL;
    const IpRaw *v = s->raw[RAW_IP].v;
    IpPut p = {s, 0};

    for (size_t i = 0; i < s->raw[RAW_IP].n; i++) {
        RuleIpRight ip;

        elig_ip_at(&v[i].x, s->as_of, &ip);
        rule_ip_count_add(&c[v[i].row], &ip, s->as_of);
        if (c0) {
            elig_ip_at(&v[i].x, was, &ip);
            rule_ip_count_add(&c0[v[i].row], &ip, was);
        }
    }
    for (size_t r = 0; r < s->n; r++) {
        p.r = r;
        rule_ip_counts_put(&c[r], ip_put, &p);
        if (c0 && memcmp(&c[r], &c0[r], sizeof c[r]) != 0) {
            chg[r] = 1;
        }
    }
    free(c0);
    free(c);
}

/* The rights of every enterprise, as read. */
static int scan_ip(Db *db, Snapshot *s, const IdSet *only, Err *e)
{
    char flt[160], sql[512];
    DbStmt *st = NULL;
    int rc;

    id_filter(db, only, "enterprise_id", 1, flt, sizeof flt);
    snprintf(sql, sizeof sql,
             "SELECT enterprise_id, klass, status, granted_on, "
             "expires_on, acquisition, acquired_on, main_product, "
             "hnte_year FROM ip_rights WHERE retired_at IS NULL%s",
             flt);
    rc = db_prepare(db, sql, &st, e);
    if (rc) {
        return rc;
    }
    rc = scan_each(st, only, 1, s, ip_row, NULL, e);
    db_finalize(st);
    return rc;
}

static void fact_row(Snapshot *s, DbStmt *st, void *ctx)
{
    int64_t r = find_row(s, db_col_int64(st, 0));

    (void)ctx;
    if (r >= 0) {
        FactRaw *x = raw_push(&s->raw[RAW_FACT]);

        x->row = (int32_t)r;
        elig_fact_raw(st, 1, &x->x);
    }
}

/* The fact flags of every enterprise at s->as_of (elig_fact_at); with
 * chg, rows whose flags differ from those at was are marked there. */
static void derive_facts(Snapshot *s, Date was, uint8_t *chg)
{
    int32_t *slot = xmalloc(sizeof(int32_t) * (s->n + 1));
    EligFacts *fs = NULL, *fs0 = NULL, none;
    size_t nf = 0, cap = 0;
    const FactRaw *v = s->raw[RAW_FACT].v;

    memset(&none, 0, sizeof none);
    for (size_t r = 0; r < s->n; r++) {
        slot[r] = -1;
    }
    for (size_t i = 0; i < s->raw[RAW_FACT].n; i++) {
        int32_t r = v[i].row;

        if (slot[r] < 0) {
            if (nf == cap) {
                cap = cap ? cap * 2 : 1024;
                fs = xrealloc(fs, sizeof *fs * cap);
                fs0 = chg ? xrealloc(fs0, sizeof *fs0 * cap) : NULL;
            }
            memset(&fs[nf], 0, sizeof fs[nf]);
            if (fs0) {
                memset(&fs0[nf], 0, sizeof fs0[nf]);
            }
            slot[r] = (int32_t)nf++;
        }
        elig_fact_at(&v[i].x, s->as_of, &fs[slot[r]]);
        if (fs0) {
            elig_fact_at(&v[i].x, was, &fs0[slot[r]]);
        }
    }
    for (size_t r = 0; r < s->n; r++) {
        put_facts(s, r, slot[r] < 0 || !fs ? &none : &fs[slot[r]]);
        if (fs0 && slot[r] >= 0 &&
            memcmp(&fs[slot[r]], &fs0[slot[r]], sizeof *fs) != 0) {
            chg[r] = 1;
        }
    }
    free(fs0);
    free(fs);
    free(slot);
}

static int scan_facts(Db *db, Snapshot *s, const IdSet *only, Err *e)
{
    char flt1[160], flt2[160], sql[1024];
    DbStmt *st = NULL;
    int rc;

    id_filter(db, only, "enterprise_id", 1, flt1, sizeof flt1);
    id_filter(db, only, "host_enterprise_id", 1, flt2, sizeof flt2);
    snprintf(sql, sizeof sql,
             "SELECT enterprise_id, kind, subkind, level, rank, "
             "amount, title, counterparty, occurred_on, valid_from, "
             "valid_to FROM enterprise_facts WHERE retired_at IS NULL%s "
             "UNION ALL SELECT host_enterprise_id, " PLATFORM_RD_FACT_COLS
             " FROM platforms WHERE " PLATFORM_RD_FACT_WHERE "%s",
             flt1, flt2);
    rc = db_prepare(db, sql, &st, e);
    if (rc) {
        return rc;
    }
    rc = scan_each(st, only, 1, s, fact_row, NULL, e);
    db_finalize(st);
    return rc;
}

/* Flags of a row while declarations and the register are read: a 高企
 * certificate in force (declared, or from the register when it has a
 * row), and a declared innovation_honor. */
enum { DECL_HNTE = 1, DECL_HONOR = 2 };

/* An enterprise matching the industry catalogue (catalogue.h). */
static void scan_catalogue_row(void *ud, int64_t enterprise_id)
{
    Snapshot *s = ud;
    int64_t r = find_row(s, enterprise_id);

    if (r >= 0) {
        s->rec[r].prohibited = 1;
    }
}

static Date raw_date(DbStmt *st, int col)
{
    Date d;

    return elig_col_date(st, col, &d) ? d : SNAP_NO_DATE;
}

static void decl_row(Snapshot *s, DbStmt *st, void *ctx)
{
    int64_t r = find_row(s, db_col_int64(st, 0));
    int field = rule_field_find(db_col_text(st, 1));
    DeclRaw *x;

    (void)ctx;
    if (r < 0 || !rule_field_get(field)) {
        return; /* map_decl skips unknown fields */
    }
    x = raw_push(&s->raw[RAW_DECL]);
    x->row = (int32_t)r;
    x->field = (int16_t)field;
    x->year = (int32_t)db_col_int64(st, 2);
    x->v = db_col_int64(st, 3);
    x->from = raw_date(st, 4);
    x->to = raw_date(st, 5);
}

/* The qualifications rows of the kinds the rules read (qual_rule_scan
 * reads the same rows and folds them at one date). */
static void qual_row(Snapshot *s, DbStmt *st, void *ctx)
{
    int64_t r = find_row(s, db_col_int64(st, 0));
    const char *kind = db_col_text(st, 1);
    QualRaw *x;
    int idx = -1;

    (void)ctx;
    for (int i = 0; i < QUAL_RULE_FIELDS; i++) {
        if (streq(kind, qual_rule_kind(i))) {
            idx = i;
        }
    }
    if (r < 0 || idx < 0) {
        return;
    }
    x = raw_push(&s->raw[RAW_QUAL]);
    x->row = (int32_t)r;
    x->idx = idx;
    x->from = raw_date(st, 2);
    x->to = raw_date(st, 3);
    x->end = raw_date(st, 4);
}

static int scan_qual(Db *db, Snapshot *s, const IdSet *only, Err *e)
{
    char flt[160], sql[512];
    DbStmt *st = NULL;
    int rc;

    id_filter(db, only, "enterprise_id", 3, flt, sizeof flt);
    snprintf(sql, sizeof sql,
             "SELECT enterprise_id, kind, valid_from, valid_to, ended_on "
             "FROM qualifications WHERE kind IN ($1, $2)%s "
             "ORDER BY enterprise_id",
             flt);
    rc = db_prepare(db, sql, &st, e); /* $3: the ids of a partial build */
    if (rc) {
        return rc;
    }
    db_bind_text(st, 1, qual_rule_kind(0));
    db_bind_text(st, 2, qual_rule_kind(1));
    rc = scan_each(st, only, 3, s, qual_row, NULL, e);
    db_finalize(st);
    return rc;
}

/* The catalogue, whole or chunk by chunk of only. */
static int scan_derived(Db *db, Snapshot *s, const IdSet *only, Err *e)
{
    size_t pos = 0;
    Buf b;
    int rc = 0;

    if (!only) {
        return catalogue_scan(db, NULL, scan_catalogue_row, s, e);
    }
    buf_init(&b, 0);
    while (rc == 0 && pos < only->n) {
        pos = id_chunk(only, pos, &b);
        rc = catalogue_scan(db, b.data, scan_catalogue_row, s, e);
    }
    buf_release(&b);
    return rc;
}

static int scan_decl(Db *db, Snapshot *s, const IdSet *only, Err *e)
{
    char flt[160], sql[512];
    DbStmt *st = NULL;
    int rc;

    id_filter(db, only, "enterprise_id", 1, flt, sizeof flt);
    snprintf(sql, sizeof sql,
             "SELECT enterprise_id, field, year, value, valid_from, "
             "valid_to FROM enterprise_declarations WHERE 1 = 1%s "
             "ORDER BY enterprise_id",
             flt);
    rc = db_prepare(db, sql, &st, e);
    if (rc) {
        return rc;
    }
    rc = scan_each(st, only, 1, s, decl_row, NULL, e);
    db_finalize(st);
    if (rc == 0) {
        rc = scan_qual(db, s, only, e);
    }
    if (rc == 0) {
        rc = scan_derived(db, s, only, e);
    }
    return rc;
}

/* Valid on d (QUAL_VALID_ON; a row without valid_from never is). */
static int qual_valid_on(const QualRaw *q, Date d)
{
    return q->from != SNAP_NO_DATE && q->from <= d &&
           (q->to == SNAP_NO_DATE || q->to >= d) &&
           (q->end == SNAP_NO_DATE || q->end > d);
}

/* Declarations, the catalogue and the register at s->as_of, in
 * load_decl's order: declared values, a catalogue match, the register's
 * state where it has rows (qual_rule_state), then a 高企 certificate in
 * force as one of the 创新型中小企业 honours. */
static void derive_decl(Snapshot *s, Date was, uint8_t *chg)
{
    uint8_t *flags = xcalloc(s->n + 1, 1);
    const DeclRaw *d = s->raw[RAW_DECL].v;
    const QualRaw *q = s->raw[RAW_QUAL].v;
    int honor_fid = fid("innovation_honor"), hnte_fid = fid("hnte_cert");
    size_t nq = s->raw[RAW_QUAL].n;

    for (size_t i = 0; i < s->raw[RAW_DECL].n; i++) {
        int hnte = 0, honor = 0;

        map_decl(s, (size_t)d[i].row, &d[i], &hnte, &honor);
        if (chg && decl_inside(&d[i], was) != decl_inside(&d[i], s->as_of)) {
            chg[d[i].row] = 1;
        }
        flags[d[i].row] |=
            (uint8_t)((hnte ? DECL_HNTE : 0) | (honor ? DECL_HONOR : 0));
    }
    for (size_t r = 0; r < s->n; r++) {
        if (s->rec[r].prohibited) {
            set_s(s, r, fid("prohibited_industry"), 1);
        }
    }
    for (size_t i = 0; i < nq;) {
        QualRuleState st;
        int32_t r = q[i].row;

        memset(&st, 0, sizeof st);
        for (; i < nq && q[i].row == r; i++) {
            st.has[q[i].idx] = 1;
            st.valid[q[i].idx] |= (unsigned char)qual_valid_on(&q[i], s->as_of);
            if (chg &&
                qual_valid_on(&q[i], was) != qual_valid_on(&q[i], s->as_of)) {
                chg[r] = 1;
            }
        }
        for (int k = 0; k < QUAL_RULE_FIELDS; k++) {
            if (st.has[k]) {
                int field = fid(qual_rule_field(k));
                set_s(s, (size_t)r, field, st.valid[k]);
                if (field == hnte_fid) {
                    flags[r] = (uint8_t)((flags[r] & ~DECL_HNTE) |
                                         (st.valid[k] ? DECL_HNTE : 0));
                }
            }
        }
    }
    for (size_t r = 0; r < s->n; r++) {
        if ((flags[r] & DECL_HNTE) && !(flags[r] & DECL_HONOR)) {
            set_s(s, r, honor_fid, 1);
        }
    }
    free(flags);
}

RuleInput *snapshot_row_input(const Snapshot *s, size_t row)
{
    RuleInput *in = rule_input_new(s->year, s->as_of);
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int k = 0; k < RULE_YEARS; k++) {
            if (s->yv[f][k] && s->yh[f][k][row]) {
                rule_input_set_year(in, f, s->year - (RULE_YEARS - 1) + k,
                                    s->yv[f][k][row], NULL);
            }
        }
    }
    for (int f = RULE_N_YEARLY; f < RULE_MAX_FIELDS; f++) {
        if ((s->sv[f] || s->sv8[f]) && s->sh[f][row]) {
            rule_input_set(in, f, sval(s, f, row), NULL);
        } else if (s->shi[f] && s->shi[f][row] > sval(s, f, row)) {
            rule_input_set_bounds(in, f, sval(s, f, row), s->shi[f][row], NULL);
        }
    }
    return in;
}

typedef struct HashJob {
    Snapshot *s;
    size_t from, to;
    const uint8_t *chg; /* rows whose content is hashed again, or NULL */
    const uint8_t *old; /* the other rows' content digests */
    uint8_t *content;   /* n * 32, filled */
} HashJob;

static char *put_str(char *p, const char *x)
{
    while (*x) {
        *p++ = *x++;
    }
    return p;
}

static char *put_int(char *p, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (v < 0) {
        *p++ = '-';
    }
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n) {
        *p++ = tmp[--n];
    }
    return p;
}

/* SHA-256 of row's content listing, byte for byte the text
 * rule_input_hash() hashes for the same input (no expert judgements). */
static void row_content(const Snapshot *s, size_t row, uint8_t out[32])
{
    char buf[RULE_N_YEARLY * RULE_YEARS * 64 + RULE_MAX_FIELDS * 64 + 64];
    char *p = buf;
    int n_fields = rule_field_count();
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int k = 0; k < RULE_YEARS; k++) {
            if (s->yv[f][k] && s->yh[f][k][row]) {
                p = put_str(p, rule_field_get(f)->name);
                *p++ = '[';
                p = put_int(p, s->year - (RULE_YEARS - 1) + k);
                p = put_str(p, "]=");
                p = put_int(p, s->yv[f][k][row]);
                *p++ = ';';
            }
        }
    }
    for (int f = RULE_N_YEARLY; f < n_fields && f < RULE_MAX_FIELDS; f++) {
        if ((s->sv[f] || s->sv8[f]) && s->sh[f][row]) {
            p = put_str(p, rule_field_get(f)->name);
            *p++ = '=';
            p = put_int(p, sval(s, f, row));
            *p++ = ';';
        } else if (s->shi[f] && s->shi[f][row] > sval(s, f, row)) {
            p = put_str(p, rule_field_get(f)->name); /* as rule_input_hash */
            *p++ = '=';
            p = put_int(p, sval(s, f, row));
            p = put_str(p, "..");
            p = put_int(p, s->shi[f][row]);
            *p++ = ';';
        }
    }
    crypto_hash_sha256(out, (const unsigned char *)buf, (size_t)(p - buf));
}

static void *hash_range(void *arg)
{
    HashJob *j = arg;
    for (size_t r = j->from; r < j->to; r++) {
        uint8_t *c = j->content + r * 32;

        if (!j->chg || j->chg[r]) {
            row_content(j->s, r, c);
        } else {
            memcpy(c, j->old + r * 32, 32);
        }
        rule_input_hash_dated(j->s->year, j->s->as_of, c, j->s->hash + r * 32);
    }
    return NULL;
}

void snapshot_row_hash(const Snapshot *s, size_t row, char out[65])
{
    static const char hx[] = "0123456789abcdef";
    for (int k = 0; k < 32; k++) {
        uint8_t b = row < s->n ? s->hash[row * 32 + (size_t)k] : 0;
        out[(size_t)k * 2] = hx[b >> 4];
        out[(size_t)k * 2 + 1] = hx[b & 15];
    }
    out[64] = '\0';
}

/* Input hashes of every row, on two threads: the content of the rows chg
 * marks (all when chg is NULL) hashed again, the others' kept. */
static void hash_rows(Snapshot *s, const uint8_t *chg)
{
    uint8_t *content = xcalloc(s->n + 1, 32);
    HashJob a = {s, 0, s->n / 2, chg, s->chash, content};
    HashJob b = {s, s->n / 2, s->n, chg, s->chash, content};
    pthread_t th;
    int started;
    s->hash = xcalloc(s->n + 1, 32);
    started = pthread_create(&th, NULL, hash_range, &b) == 0;
    hash_range(&a);
    if (started) {
        pthread_join(th, NULL);
    } else {
        hash_range(&b);
    }
    if (s->chash_own) {
        free(s->chash);
    }
    s->chash = content;
    s->chash_own = 1;
}

/* Before each step of a build: the job's phase, and a stop when the job
 * was cancelled. */
static int build_step(JobRun *run, const char *phase, Err *e)
{
    if (!run) {
        return 0;
    }
    if (job_cancelled(run)) {
        return err_set(e, ERR_CANCELLED, "job", "任务已取消");
    }
    job_set_phase(run, phase);
    return 0;
}

static int build_run(Db *db, Date as_of, const IdSet *only, JobRun *run,
                     Snapshot **out, Err *e);

/* Free the columns of the as-of date (unless they lie in the mapping). */
/* Every kept raw row names a row of s (and a qualification its field):
 * a row number out of range would be written through by derive and read
 * through by merge. Checked when the rows are first needed, not at load
 * (snapshot_load). */
static int raw_valid(const Snapshot *s)
{
    if (s->raw_ok) {
        return 1;
    }
    for (int k = 0; k < RAW_KINDS; k++) {
        for (size_t i = 0; i < s->raw[k].n; i++) {
            int32_t r;
            memcpy(&r, (const char *)s->raw[k].v + i * raw_w[k], sizeof r);
            if (r < 0 || (size_t)r >= s->n) {
                return 0;
            }
            if (k == RAW_QUAL) {
                const QualRaw *q = (const QualRaw *)s->raw[k].v + i;
                if (q->idx < 0 || q->idx >= QUAL_RULE_FIELDS) {
                    return 0;
                }
            }
        }
    }
    return 1;
}

static void drop_derived(Snapshot *s)
{
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int k = 0; k < RULE_YEARS; k++) {
            if (s->yown[f][k] && !s->dmap) {
                free(s->yv[f][k]);
                free(s->yh[f][k]);
            }
            s->yv[f][k] = NULL;
            s->yh[f][k] = NULL;
            s->yown[f][k] = 0;
        }
    }
    for (int f = 0; f < RULE_MAX_FIELDS; f++) {
        if (!s->dmap) {
            free(s->sv[f]);
            free(s->sv8[f]);
            free(s->sh[f]);
            free(s->shi[f]);
        }
        s->sv[f] = NULL;
        s->sv8[f] = NULL;
        s->sh[f] = NULL;
        s->shi[f] = NULL;
    }
    if (!s->dmap) {
        free(s->hash);
        free(s->nconf);
    }
    s->hash = NULL;
    s->nconf = NULL;
    s->dmap = 0;
}

/* Point the window slots of year at the absolute year columns. Kept out
 * of interprocedural optimisation: Debian's gcc 12.2 at -O1 and above
 * dropped the call from derive() as if it had no effect (the slots stayed
 * NULL; test_snapshot_dates fails). Disabling either -fipa-modref or
 * -fipa-pure-const alone does not help, both together do; -O0 and the
 * sanitizer build are right; no sanitizer reports anything. */
SNAP_NOIPA static void bind_window(Snapshot *s)
{
    int base = s->year - (RULE_YEARS - 1) - SNAP_YEAR0;

    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int k = 0; k < RULE_YEARS; k++) {
            int y = base + k;
            int64_t *v = NULL;
            uint8_t *h = NULL;

            if (s->yown[f][k]) {
                continue;
            }
            if (y >= 0 && y < SNAP_NY) {
                v = s->av[f][y];
                h = s->ah[f][y];
            }
            s->yv[f][k] = v;
            s->yh[f][k] = h;
        }
    }
}

/* The columns, input hashes and conflict counts of every row at as_of,
 * from the inputs as read, in the order of elig.c: the record, figures,
 * IP, facts, declarations, catalogue, register. */
static int derive(Snapshot *s, Date as_of, Err *e)
{
    int year = elig_year(as_of);
    Date was = s->as_of;
    /* in the same year window, only rows whose dated inputs differ
     * between was and as_of need their content hashed again */
    uint8_t *chg = NULL;
    double t1;

    if (s->yfar && (year - (RULE_YEARS - 1) < SNAP_YEAR0 ||
                    year >= SNAP_YEAR0 + SNAP_NY)) {
        return err_set(e, ERR_INVALID, "as_of",
                       "快照不支持该评价日期（年度数据超出 %d–%d 年）",
                       SNAP_YEAR0, SNAP_YEAR0 + SNAP_NY - 1);
    }
    if (!raw_valid(s)) {
        return err_set(e, ERR_INVALID, "snapshot", "快照文件不完整");
    }
    s->raw_ok = 1;
    if (s->chash && s->year == year && s->n > 0) {
        chg = xcalloc(s->n, 1);
    }
    drop_derived(s);
    s->as_of = as_of;
    s->year = year;
    bind_window(s);
    for (size_t r = 0; r < s->n; r++) {
        map_record(s, r, &s->rec[r]);
    }
    derive_ip(s, was, chg);
    derive_facts(s, was, chg);
    derive_decl(s, was, chg);
    t1 = now_ms();
    hash_rows(s, chg);
    free(chg);
    bind_view(s);
    /* conflict rows depend on the input alone: counted once here rather
     * than by every screening */
    s->nconf = xmalloc(s->n + 1);
    batch_count_conflicts(&s->bi, s->nconf);
    s->bi.n_conflicts = s->nconf;
    s->info.hash_ms = now_ms() - t1;
    return 0;
}

int snapshot_set_date(Snapshot *s, Date as_of, Err *e)
{
    double t0 = now_ms();
    int rc;

    if (s->as_of == as_of && (s->hash || s->n == 0)) {
        return 0;
    }
    rc = derive(s, as_of, e);
    if (rc == 0) {
        s->info.redated = 1;
        s->info.date_ms = now_ms() - t0;
    }
    return rc;
}

int snapshot_build(Db *db, Date as_of, Snapshot **out, Err *e)
{
    return build_run(db, as_of, NULL, NULL, out, e);
}

/* The snapshot at as_of of the whole library, or (only not NULL) of the
 * enterprises in only that are in the library: the same scans limited to
 * those ids, for an incremental update. */
static void group_raw(Snapshot *s);

static int build_run(Db *db, Date as_of, const IdSet *only, JobRun *run,
                     Snapshot **out, Err *e)
{
    Snapshot *s = xcalloc(1, sizeof *s);
    int own_tx = !db_in_tx(db);
    double t0 = now_ms(), t1;
    int rc;

    *out = NULL;
    s->as_of = as_of;
    s->year = elig_year(as_of);
    s->raw_ok = 1; /* the rows are numbered as they are read */
    for (int k = 0; k < RAW_KINDS; k++) {
        s->raw[k].w = raw_w[k];
    }
    if (own_tx) {
        rc = db_begin_read(db, e);
        if (rc) {
            free(s);
            return rc;
        }
    }
    rc = db_query_int64(db, &s->info.audit_mark, e,
                        "SELECT COALESCE(MAX(id), 0) FROM audit_log", "");
    if (rc == 0) {
        rc = db_query_int64(db, &s->max_ent, e,
                            "SELECT COALESCE(MAX(id), 0) FROM enterprises", "");
    }
    if (rc == 0 && (rc = build_step(run, "读取企业数据：企业名录", e)) == 0) {
        rc = scan_enterprises(db, s, only, e);
    }
    if (rc == 0 && (rc = build_step(run, "读取企业数据：年度数据", e)) == 0) {
        rc = scan_years(db, s, only, e);
    }
    if (rc == 0 && (rc = build_step(run, "读取企业数据：知识产权", e)) == 0) {
        rc = scan_ip(db, s, only, e);
    }
    if (rc == 0 && (rc = build_step(run, "读取企业数据：企业事项", e)) == 0) {
        rc = scan_facts(db, s, only, e);
    }
    if (rc == 0 && (rc = build_step(run, "读取企业数据：申报数据", e)) == 0) {
        rc = scan_decl(db, s, only, e);
    }
    if (rc == 0) {
        rc = build_step(run, "读取企业数据：输入哈希", e);
    }
    if (own_tx) {
        db_rollback(db); /* read only */
    }
    if (rc == 0) {
        group_raw(s); /* a saved file can then be updated in place */
        t1 = now_ms();
        rc = derive(s, as_of, e);
        s->info.build_ms = t1 - t0;
        s->info.date_ms = now_ms() - t1;
    }
    if (rc) {
        snapshot_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void snapshot_free(Snapshot *s)
{
    if (!s) {
        return;
    }
    drop_derived(s);
    if (s->chash_own) {
        free(s->chash);
    }
    if (s->map) {
        munmap(s->map, s->map_len);
        free(s);
        return;
    }
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int k = 0; k < SNAP_NY; k++) {
            free(s->av[f][k]);
            free(s->ah[f][k]);
        }
    }
    for (int k = 0; k < RAW_KINDS; k++) {
        free(s->raw[k].v);
    }
    free(s->ids);
    free(s->unit);
    free(s->rec);
    free(s);
}

size_t snapshot_rows(const Snapshot *s)
{
    return s->n;
}

Date snapshot_as_of(const Snapshot *s)
{
    return s->as_of;
}

int64_t snapshot_enterprise_id(const Snapshot *s, size_t row)
{
    return row < s->n ? s->ids[row] : 0;
}

int64_t snapshot_unit_id(const Snapshot *s, size_t row)
{
    return row < s->n ? s->unit[row] : 0;
}

int64_t snapshot_find(const Snapshot *s, int64_t enterprise_id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ids[mid] < enterprise_id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < s->n && s->ids[lo] == enterprise_id ? (int64_t)lo : -1;
}

const BatchInput *snapshot_input(const Snapshot *s)
{
    return &s->bi;
}

void snapshot_info(const Snapshot *s, SnapshotInfo *out)
{
    *out = s->info;
}

/* ---- file --------------------------------------------------------------- */

typedef struct FileHead {
    char magic[8];
    int32_t as_of;
    int32_t year;
    int64_t n;
    int64_t audit_mark;
    int64_t max_ent;
    int64_t n_raw[RAW_KINDS];
    int32_t yfar;
    int32_t pad0;
    uint8_t amask[RULE_N_YEARLY][SNAP_NY];    /* absolute year columns */
    uint8_t ymask[RULE_N_YEARLY][RULE_YEARS]; /* patched window slots */
    uint8_t smask[RULE_MAX_FIELDS];
    uint8_t bmask[RULE_MAX_FIELDS]; /* fields with an upper-bound column */
    uint8_t pad[8];
} FileHead;

/* Write n bytes and pad to a multiple of 8 (columns stay aligned in the
 * mapped file). */
static int write_all(FILE *f, const void *p, size_t n)
{
    static const char zero[8] = {0};
    size_t pad = (8 - n % 8) % 8;

    if (n == 0) {
        return 0; /* p may be NULL (an empty column or list) */
    }
    return fwrite(p, 1, n, f) == n && fwrite(zero, 1, pad, f) == pad ? 0 : 1;
}

int snapshot_save(const Snapshot *s, const char *path, Err *e)
{
    static unsigned seq; /* temporary names unique within the process */
    FileHead h;
    char *tmp = xmalloc(strlen(path) + 48);
    FILE *f;
    int bad = 0;

    memset(&h, 0, sizeof h);
    memcpy(h.magic, SNAP_MAGIC, 8);
    h.as_of = s->as_of;
    h.year = s->year;
    h.n = (int64_t)s->n;
    h.audit_mark = s->info.audit_mark;
    h.max_ent = s->max_ent;
    h.yfar = s->yfar;
    for (int k = 0; k < RAW_KINDS; k++) {
        h.n_raw[k] = (int64_t)s->raw[k].n;
    }
    for (int fd = 0; fd < RULE_N_YEARLY; fd++) {
        for (int k = 0; k < SNAP_NY; k++) {
            h.amask[fd][k] = s->av[fd][k] != NULL;
        }
        for (int k = 0; k < RULE_YEARS; k++) {
            h.ymask[fd][k] = s->yown[fd][k] && s->yv[fd][k];
        }
    }
    for (int fd = 0; fd < RULE_MAX_FIELDS; fd++) {
        /* bytes per value: 8, 1, or 0 (no column) */
        h.smask[fd] = s->sv[fd] ? 8 : s->sv8[fd] ? 1 : 0;
        h.bmask[fd] = h.smask[fd] && s->shi[fd];
    }
    /* two jobs may save at once: each writes its own file, and the
     * rename makes one of them the snapshot */
    sprintf(tmp, "%s.tmp%ld.%u", path, (long)getpid(),
            __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
    f = fopen(tmp, "wb");
    if (!f) {
        free(tmp);
        return err_set(e, ERR_IO, "snapshot", "无法写入快照文件 %s", path);
    }
    bad |= write_all(f, &h, sizeof h);
    bad |= write_all(f, s->ids, sizeof(int64_t) * s->n);
    bad |= write_all(f, s->unit, sizeof(int64_t) * s->n);
    bad |= write_all(f, s->rec, sizeof(RecRaw) * s->n);
    for (int k = 0; k < RAW_KINDS; k++) {
        bad |= write_all(f, s->raw[k].v, s->raw[k].w * s->raw[k].n);
    }
    for (int fd = 0; fd < RULE_N_YEARLY; fd++) {
        for (int k = 0; k < SNAP_NY; k++) {
            if (h.amask[fd][k]) {
                bad |= write_all(f, s->av[fd][k], sizeof(int64_t) * s->n);
                bad |= write_all(f, s->ah[fd][k], s->n);
            }
        }
    }
    bad |= write_all(f, s->hash, 32 * s->n);
    bad |= write_all(f, s->chash, 32 * s->n);
    bad |= write_all(f, s->nconf, s->n);
    for (int fd = 0; fd < RULE_N_YEARLY; fd++) {
        for (int k = 0; k < RULE_YEARS; k++) {
            if (h.ymask[fd][k]) {
                bad |= write_all(f, s->yv[fd][k], sizeof(int64_t) * s->n);
                bad |= write_all(f, s->yh[fd][k], s->n);
            }
        }
    }
    for (int fd = 0; fd < RULE_MAX_FIELDS; fd++) {
        if (s->sv[fd]) {
            bad |= write_all(f, s->sv[fd], sizeof(int64_t) * s->n);
            bad |= write_all(f, s->sh[fd], s->n);
        } else if (s->sv8[fd]) {
            bad |= write_all(f, s->sv8[fd], s->n);
            bad |= write_all(f, s->sh[fd], s->n);
        }
        if (h.bmask[fd]) {
            bad |= write_all(f, s->shi[fd], sizeof(int64_t) * s->n);
        }
    }
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        free(tmp);
        return err_set(e, ERR_IO, "snapshot", "无法写入快照文件 %s", path);
    }
    free(tmp);
    return 0;
}

/* Next array of n bytes in the mapping (8-byte aligned), or NULL past
 * the end. */
static void *take(uint8_t *base, size_t len, size_t *off, size_t n)
{
    void *p;
    size_t padded = n + (8 - n % 8) % 8;
    if (*off > len || len - *off < padded) {
        return NULL;
    }
    p = base + *off;
    *off += padded;
    return p;
}

int snapshot_load(const char *path, Snapshot **out, Err *e)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    FileHead h;
    Snapshot *s;
    uint8_t *m;
    size_t off = sizeof h, n;
    double t0 = now_ms();
    int bad = 0;

    *out = NULL;
    if (fd < 0) {
        return err_set(e, ERR_NOTFOUND, "snapshot", "快照文件不存在：%s", path);
    }
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof h) {
        close(fd);
        return err_set(e, ERR_INVALID, "snapshot", "快照文件格式不正确：%s",
                       path);
    }
    m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        return err_set(e, ERR_IO, "snapshot", "无法读取快照文件 %s", path);
    }
    memcpy(&h, m, sizeof h);
    if (memcmp(h.magic, SNAP_MAGIC, 8) != 0 || h.n < 0 ||
        (size_t)h.n > SNAP_MAX_ROWS) {
        munmap(m, (size_t)st.st_size);
        return err_set(e, ERR_INVALID, "snapshot", "快照文件格式不正确：%s",
                       path);
    }
    s = xcalloc(1, sizeof *s);
    s->map = m;
    s->map_len = (size_t)st.st_size;
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->dmap = 1;
    s->as_of = h.as_of;
    s->year = h.year;
    s->n = n = (size_t)h.n;
    s->info.audit_mark = h.audit_mark;
    s->max_ent = h.max_ent;
    s->yfar = h.yfar != 0;
    /* the columns are read-only views into the mapping */
    s->ids = take(m, s->map_len, &off, 8 * n);
    s->unit = take(m, s->map_len, &off, 8 * n);
    s->rec = take(m, s->map_len, &off, sizeof(RecRaw) * n);
    bad = !s->ids || !s->unit || !s->rec;
    for (int k = 0; k < RAW_KINDS && !bad; k++) {
        s->raw[k].w = raw_w[k];
        if (h.n_raw[k] < 0 || (uint64_t)h.n_raw[k] > s->map_len / raw_w[k]) {
            bad = 1;
            break;
        }
        s->raw[k].n = s->raw[k].cap = (size_t)h.n_raw[k];
        s->raw[k].v = take(m, s->map_len, &off, raw_w[k] * s->raw[k].n);
        bad = !s->raw[k].v;
    }
    for (int f = 0; f < RULE_N_YEARLY && !bad; f++) {
        for (int k = 0; k < SNAP_NY && !bad; k++) {
            if (h.amask[f][k]) {
                s->av[f][k] = take(m, s->map_len, &off, 8 * n);
                s->ah[f][k] = take(m, s->map_len, &off, n);
                bad = !s->av[f][k] || !s->ah[f][k];
            }
        }
    }
    if (!bad) {
        s->hash = take(m, s->map_len, &off, 32 * n);
        s->chash = take(m, s->map_len, &off, 32 * n);
        s->nconf = take(m, s->map_len, &off, n);
        bad = !s->hash || !s->chash || !s->nconf;
    }
    for (int f = 0; f < RULE_N_YEARLY && !bad; f++) {
        for (int k = 0; k < RULE_YEARS && !bad; k++) {
            if (h.ymask[f][k]) {
                s->yown[f][k] = 1;
                s->yv[f][k] = take(m, s->map_len, &off, 8 * n);
                s->yh[f][k] = take(m, s->map_len, &off, n);
                bad = !s->yv[f][k] || !s->yh[f][k];
            }
        }
    }
    for (int f = 0; f < RULE_MAX_FIELDS && !bad; f++) {
        if (h.smask[f] == 8) {
            s->sv[f] = take(m, s->map_len, &off, 8 * n);
            s->sh[f] = take(m, s->map_len, &off, n);
            bad = !s->sv[f] || !s->sh[f];
        } else if (h.smask[f] == 1) {
            s->sv8[f] = take(m, s->map_len, &off, n);
            s->sh[f] = take(m, s->map_len, &off, n);
            bad = !s->sv8[f] || !s->sh[f];
        } else {
            bad = h.smask[f] != 0;
        }
        if (h.bmask[f] && !bad) {
            s->shi[f] = take(m, s->map_len, &off, 8 * n);
            bad = !h.smask[f] || !s->shi[f];
        }
    }
    if (!bad) {
        bind_window(s);
    }
    if (bad) {
        snapshot_free(s);
        return err_set(e, ERR_INVALID, "snapshot", "快照文件不完整：%s", path);
    }
    bind_view(s);
    s->info.from_file = 1;
    s->info.load_ms = now_ms() - t0;
    *out = s;
    return 0;
}

/* ---- upkeep ------------------------------------------------------------- */

/* Audit actions that never change a rule input: their own writes touch
 * none of the tables the snapshot reads (enterprises, enterprise_years,
 * ip_rights, enterprise_facts, enterprise_declarations, qualifications,
 * platforms, industry_catalogue; org_units only by id), and what they
 * write through other modules records those modules' own entries. A new
 * action of these families that writes those tables directly must not
 * match (the demo generators are not listed: they write them). */
static int action_harmless(const char *a)
{
    static const char *const prefixes[] = {"session.",
                                           "token.",
                                           "user.",
                                           "job.",
                                           "elig.screen",
                                           "sandbox.",
                                           "audit.",
                                           "rulesets.",
                                           "org.",
                                           "attach.",
                                           "policy.",
                                           "policy_",
                                           "pipeline.",
                                           "service.",
                                           "plan.",
                                           "scenario.",
                                           "talent.",
                                           "listing.",
                                           "tenant.",
                                           "carrier.create",
                                           "carrier.update",
                                           "carrier.retire",
                                           "carrier.sheet_put",
                                           "contract.create",
                                           "contract.reject",
                                           "contract.amend",
                                           "contract.cancel",
                                           "contract.relink",
                                           "contract.import",
                                           "pool.",
                                           "challenge.",
                                           "market_event.",
                                           "resource_use.",
                                           "qual.cal_rule_",
                                           "qual.import_check",
                                           "import.expire"};
    if (!a) {
        return 0;
    }
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        if (strncmp(a, prefixes[i], strlen(prefixes[i])) == 0) {
            return 1;
        }
    }
    return 0;
}

int64_t snapshot_test_fresh_rows;

/* Entries read per query: the scan stops at the first that counts. */
#define FRESH_BATCH 1024

int snapshot_fresh_since(Db *db, const Snapshot *s, int64_t from, int *fresh,
                         int64_t *checked_to, Err *e)
{
    DbStmt *st = NULL;
    int64_t last = from > s->info.audit_mark ? from : s->info.audit_mark;
    int rc = 0, n = FRESH_BATCH;
    char prev[64] = ""; /* the last action found harmless */

    *fresh = 1;
    /* by primary key, in order, a batch at a time, until an entry that
     * may change rule inputs or the end */
    while (rc == 0 && *fresh && n == FRESH_BATCH) {
        rc = db_prepare_v(db, &st, e,
                          "SELECT id, action FROM audit_log WHERE id > $1 "
                          "ORDER BY id LIMIT $2",
                          "ii", last, (int64_t)FRESH_BATCH);
        if (rc) {
            break;
        }
        n = 0;
        while ((rc = db_step(st, e)) == DB_ROW) {
            const char *act = db_col_text(st, 1);

            n++;
            __atomic_add_fetch(&snapshot_test_fresh_rows, 1, __ATOMIC_RELAXED);
            if (!act || strcmp(act, prev) != 0) {
                if (!action_harmless(act)) {
                    *fresh = 0;
                    break;
                }
                snprintf(prev, sizeof prev, "%s", act);
            }
            last = db_col_int64(st, 0);
        }
        db_finalize(st);
        st = NULL;
        rc = rc == DB_DONE || rc == DB_ROW ? 0 : rc;
    }
    if (checked_to) {
        *checked_to = last;
    }
    return rc;
}

int snapshot_fresh(Db *db, const Snapshot *s, int *fresh, Err *e)
{
    return snapshot_fresh_since(db, s, 0, fresh, NULL, e);
}

/* ---- incremental update ------------------------------------------------- */

/* A growing list of enterprise ids. */
typedef struct IdVec {
    int64_t *v;
    size_t n, cap;
} IdVec;

static void idvec_push(IdVec *x, int64_t id)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 256;
        x->v = xrealloc(x->v, sizeof *x->v * x->cap);
    }
    x->v[x->n++] = id;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sort and drop repeats. */
static void idvec_unique(IdVec *x)
{
    size_t k = 0;

    if (x->n > 1 && x->v) { /* qsort's base must not be NULL */
        qsort(x->v, x->n, sizeof *x->v, cmp_i64);
    }
    for (size_t i = 0; i < x->n; i++) {
        if (k == 0 || x->v[k - 1] != x->v[i]) {
            x->v[k++] = x->v[i];
        }
    }
    x->n = k;
}

/* The enterprises of an import's "enterprise_ranges" ("3-7,12"); 0 when
 * the text is well formed and names at most limit ids in all. */
static int push_ranges(IdVec *x, const char *t, size_t limit)
{
    size_t named = 0;

    while (t && *t) {
        char *end;
        long long lo = strtoll(t, &end, 10), hi = lo;

        if (end == t || lo <= 0) {
            return 1;
        }
        t = end;
        if (*t == '-') {
            hi = strtoll(t + 1, &end, 10);
            if (end == t + 1 || hi < lo) {
                return 1;
            }
            t = end;
        }
        if ((uint64_t)(hi - lo) >= limit ||
            named + (size_t)(hi - lo) >= limit) {
            return 1;
        }
        named += (size_t)(hi - lo) + 1;
        for (long long id = lo; id <= hi; id++) {
            idvec_push(x, id);
        }
        if (*t == ',') {
            t++;
        } else if (*t) {
            return 1;
        }
    }
    return 0;
}

/* The enterprises whose rule inputs the audit entries after s's mark
 * may have changed, into x (sorted, distinct), with the enterprises
 * added since s was built; *whole = 1 when an entry cannot be narrowed
 * to enterprises (a catalogue import, a qualification list import, the
 * demo generator, an edit of a platform, ... — anything but the actions
 * known to name their enterprise) or when more than limit enterprises
 * changed. In the caller's read transaction. */
static int touched_ids(Db *db, const Snapshot *s, size_t limit, IdVec *x,
                       int *whole, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *whole = 0;
    rc = db_prepare_v(db, &st, e,
                      "SELECT action, object_type, object_id, CASE WHEN "
                      "action = 'import.apply' THEN after_json END FROM "
                      "audit_log WHERE id > $1 ORDER BY id",
                      "i", s->info.audit_mark);
    if (rc) {
        return rc;
    }
    while (!*whole && (rc = db_step(st, e)) == DB_ROW) {
        const char *action = db_col_text(st, 0);
        const char *type = db_col_text(st, 1);

        rc = 0;
        if (action_harmless(action)) {
            continue;
        }
        if (streq(type, "enterprise")) {
            /* edits of the record, figures, IP, facts, declarations and
             * the register, retirement and restoring: that enterprise */
            idvec_push(x, db_col_int64(st, 2));
        } else if (streq(action, "import.apply")) {
            json_t *j = json_loads(db_col_text(st, 3) ? db_col_text(st, 3) : "",
                                   0, NULL);
            const char *r =
                json_string_value(json_object_get(j, "enterprise_ranges"));

            /* an import without the list (too large, or written before
             * the list was kept) */
            *whole = !r || push_ranges(x, r, limit);
            json_decref(j);
        } else {
            *whole = 1;
        }
        if (!*whole && x->n > 2 * limit) {
            idvec_unique(x);
            *whole = x->n > limit;
        }
    }
    db_finalize(st);
    if (rc != DB_DONE && rc != DB_ROW && rc != 0) {
        return rc;
    }
    if (*whole) {
        return 0;
    }
    /* enterprises added since the build (an import of new enterprises
     * lists none: their ids are above every earlier one) */
    rc = db_prepare_v(db, &st, e,
                      "SELECT id FROM enterprises WHERE id > $1 ORDER BY id",
                      "i", s->max_ent);
    if (rc) {
        return rc;
    }
    while (!*whole && (rc = db_step(st, e)) == DB_ROW) {
        idvec_push(x, db_col_int64(st, 0));
        *whole = x->n > 2 * limit;
        rc = 0;
    }
    db_finalize(st);
    if (rc != DB_DONE && rc != 0) {
        return rc;
    }
    idvec_unique(x);
    *whole = *whole || x->n > limit;
    return 0;
}

/* Copy w-byte element src[r] of a (r >= 0) or element -src[r] - 1 of b
 * into row r of a new column of n rows; NULL when neither has it. */
static void *merge_col(const void *a, const void *b, size_t w,
                       const int64_t *src, size_t n)
{
    const uint8_t *pa = a, *pb = b;
    uint8_t *out;

    if (!a && !b) {
        return NULL;
    }
    out = xcalloc(n + 1, w);
    for (size_t r = 0; r < n; r++) {
        const uint8_t *from;
        if (src[r] >= 0) {
            from = pa ? pa + (size_t)src[r] * w : NULL;
        } else {
            from = pb ? pb + (size_t)(-src[r] - 1) * w : NULL;
        }
        if (!from) {
            continue;
        }
        if (w == 8) {
            memcpy(out + r * 8, from, 8);
        } else if (w == 1) {
            out[r] = *from;
        } else {
            memcpy(out + r * w, from, w);
        }
    }
    return out;
}

/* The raw rows of a (those of kept rows, renumbered by amap; -1:
 * dropped) and of b (renumbered by bmap) into out, grouped by their new
 * row in ascending order (a counting sort: each row keeps its rows in
 * their order). */
static void merge_raw(RawVec *out, const RawVec *a, const int64_t *amap,
                      const RawVec *b, const int64_t *bmap, size_t n)
{
    size_t *at = xcalloc(n + 1, sizeof *at);
    size_t w = a->w, total = 0;
    const RawVec *src[2] = {a, b};
    const int64_t *map[2] = {amap, bmap};

    memset(out, 0, sizeof *out);
    out->w = w;
    for (int h = 0; h < 2; h++) {
        for (size_t i = 0; i < src[h]->n; i++) {
            int32_t r;
            memcpy(&r, (const char *)src[h]->v + i * w, sizeof r);
            if (map[h][r] >= 0) {
                at[map[h][r]]++;
                total++;
            }
        }
    }
    for (size_t r = 0, sum = 0; r < n; r++) {
        size_t c = at[r];
        at[r] = sum;
        sum += c;
    }
    out->v = xmalloc(w * (total + 1));
    out->n = out->cap = total;
    for (int h = 0; h < 2; h++) {
        for (size_t i = 0; i < src[h]->n; i++) {
            const char *from = (const char *)src[h]->v + i * w;
            int32_t r;
            memcpy(&r, from, sizeof r);
            if (map[h][r] >= 0) {
                char *to = (char *)out->v + w * at[map[h][r]]++;
                int32_t nr = (int32_t)map[h][r];
                memcpy(to, from, w);
                memcpy(to, &nr, sizeof nr);
            }
        }
    }
    free(at);
}

/* Group the raw lists of a snapshot being built (read in the tables'
 * storage order) by row, ascending, each row's elements in the order
 * read: as merge_raw leaves them, so that try_in_place finds a row's
 * slots. */
static void group_raw(Snapshot *s)
{
    int64_t *id = xmalloc(sizeof *id * (s->n + 1));
    RawVec none;

    memset(&none, 0, sizeof none);
    for (size_t r = 0; r < s->n; r++) {
        id[r] = (int64_t)r;
    }
    for (int k = 0; k < RAW_KINDS; k++) {
        RawVec out;

        none.w = s->raw[k].w;
        merge_raw(&out, &s->raw[k], id, &none, id, s->n);
        free(s->raw[k].v);
        s->raw[k] = out;
    }
    free(id);
}

/* s with the rows of the enterprises in touched replaced by p's rows (p
 * holds those of them still in the library, built by the same scans);
 * the rows of the others stay as they are. */
static Snapshot *merge(const Snapshot *s, const Snapshot *p,
                       const IdSet *touched)
{
    Snapshot *m = xcalloc(1, sizeof *m);
    int64_t *src = xmalloc(sizeof *src * (s->n + p->n + 1));
    size_t i = 0, j = 0, k = 0, n = 0;

    while (i < s->n || j < p->n) {
        int64_t a = i < s->n ? s->ids[i] : INT64_MAX;
        int64_t b = j < p->n ? p->ids[j] : INT64_MAX;

        if (b <= a) {
            src[n++] = -(int64_t)j - 1;
            j++;
            i += b == a;
            continue;
        }
        while (k < touched->n && touched->v[k] < a) {
            k++;
        }
        if (!(k < touched->n && touched->v[k] == a)) {
            src[n++] = (int64_t)i; /* not touched: kept */
        }
        i++;
    }
    m->as_of = s->as_of;
    m->year = s->year;
    m->n = n;
    m->ids = merge_col(s->ids, p->ids, 8, src, n);
    m->unit = merge_col(s->unit, p->unit, 8, src, n);
    m->rec = merge_col(s->rec, p->rec, sizeof(RecRaw), src, n);
    m->hash = merge_col(s->hash, p->hash, 32, src, n);
    m->chash = merge_col(s->chash, p->chash, 32, src, n);
    m->chash_own = 1;
    m->nconf = merge_col(s->nconf, p->nconf, 1, src, n);
    m->yfar = s->yfar || p->yfar;
    {
        int64_t *amap = xmalloc(sizeof *amap * (s->n + 1));
        int64_t *bmap = xmalloc(sizeof *bmap * (p->n + 1));

        for (size_t r = 0; r < s->n; r++) {
            amap[r] = -1;
        }
        for (size_t r = 0; r < n; r++) {
            if (src[r] >= 0) {
                amap[src[r]] = (int64_t)r;
            } else {
                bmap[-src[r] - 1] = (int64_t)r;
            }
        }
        for (int kind = 0; kind < RAW_KINDS; kind++) {
            merge_raw(&m->raw[kind], &s->raw[kind], amap, &p->raw[kind], bmap,
                      n);
        }
        free(amap);
        free(bmap);
    }
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int y = 0; y < SNAP_NY; y++) {
            m->av[f][y] = merge_col(s->av[f][y], p->av[f][y], 8, src, n);
            m->ah[f][y] = merge_col(s->ah[f][y], p->ah[f][y], 1, src, n);
        }
    }
    /* window slots: the year columns, or merged copies where either side
     * patched one (each side's slot is a whole column of its rows) */
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int y = 0; y < RULE_YEARS; y++) {
            if (s->yown[f][y] || p->yown[f][y]) {
                m->yv[f][y] = merge_col(s->yv[f][y], p->yv[f][y], 8, src, n);
                m->yh[f][y] = merge_col(s->yh[f][y], p->yh[f][y], 1, src, n);
                m->yown[f][y] = 1;
            }
        }
    }
    bind_window(m);
    for (int f = 0; f < RULE_MAX_FIELDS; f++) {
        if (s->sv[f] || p->sv[f]) { /* one side int64: both as int64 */
            int64_t *a = s->sv8[f] ? widen8(s->sv8[f], s->n) : NULL;
            int64_t *b = p->sv8[f] ? widen8(p->sv8[f], p->n) : NULL;
            m->sv[f] = merge_col(a ? a : s->sv[f], b ? b : p->sv[f], 8, src, n);
            free(a);
            free(b);
        } else {
            m->sv8[f] = merge_col(s->sv8[f], p->sv8[f], 1, src, n);
        }
        m->sh[f] = merge_col(s->sh[f], p->sh[f], 1, src, n);
        m->shi[f] = merge_col(s->shi[f], p->shi[f], 8, src, n);
    }
    free(src);
    m->info.audit_mark = p->info.audit_mark;
    m->max_ent = p->max_ent;
    m->raw_ok = 1; /* renumbered from two checked sides */
    bind_view(m);
    return m;
}

/* ---- in-place update of the saved file --------------------------------- */

int snapshot_test_stop_in_place;

/* Most row slices one in-place update writes (columns x rows). */
#define PATCH_MAX 65536

/* One slice to write: w bytes at file offset off from src (NULL: zeros),
 * the row r of a column of s mapped from the file. */
typedef struct Slice {
    size_t off, w;
    const uint8_t *src;
    int32_t row; /* a raw element: its new row number (else -1) */
    int has_val; /* write val in w bytes (a scalar in the file's width) */
    int64_t val;
} Slice;

typedef struct Patch {
    Slice *v;
    size_t n, cap;
    int bad; /* the file cannot take this update in place */
} Patch;

/* Row r of s's column dst (w bytes a row) takes row j of p's column src:
 * dst must lie in s's mapping; src NULL writes zeros (as merge_col). */
static void patch_col(Patch *x, const Snapshot *s, const void *dst,
                      const void *src, size_t w, size_t r, size_t j)
{
    const uint8_t *d = dst, *m = s->map;

    if (x->bad || (!dst && !src)) {
        return;
    }
    if (!dst || d < m || (size_t)(d - m) + (r + 1) * w > s->map_len ||
        x->n == PATCH_MAX) {
        x->bad = 1; /* a column the file lacks, or one not in the file */
        return;
    }
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 256;
        x->v = xrealloc(x->v, sizeof *x->v * x->cap);
    }
    x->v[x->n].off = (size_t)(d - m) + r * w;
    x->v[x->n].w = w;
    x->v[x->n].src = src ? (const uint8_t *)src + j * w : NULL;
    x->v[x->n].row = -1;
    x->v[x->n].has_val = 0;
    x->n++;
}

/* Row r of s's scalar field f takes row j of p's, each column one byte
 * (sv8) or int64 (sv) independently: the value is written in the file's
 * width, or the update cannot go in place (a value that no longer fits
 * the file's one byte, or a column the file lacks). */
static void patch_scalar(Patch *x, const Snapshot *s, const Snapshot *p, int f,
                         size_t r, size_t j)
{
    const void *dst =
        s->sv8[f] ? (const void *)s->sv8[f] : (const void *)s->sv[f];
    size_t w = s->sv8[f] ? 1 : 8;
    int64_t v;

    if (x->bad || (!p->sv[f] && !p->sv8[f])) {
        patch_col(x, s, dst, NULL, w, r, j); /* zeros, as merge_col */
        return;
    }
    v = p->sv8[f] ? (int64_t)p->sv8[f][j] : p->sv[f][j];
    if (!dst || (w == 1 && !fits8(v))) {
        x->bad = 1;
        return;
    }
    patch_col(x, s, dst, NULL, w, r, j);
    if (!x->bad) {
        x->v[x->n - 1].has_val = 1;
        x->v[x->n - 1].val = v;
    }
}

/* First raw element of row r in v (rows ascending). */
static size_t raw_lower(const RawVec *v, int32_t r)
{
    size_t lo = 0, hi = v->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int32_t m;
        memcpy(&m, (const char *)v->v + mid * v->w, sizeof m);
        if (m < r) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* The slices that turn row r of s into row j of p, when every column and
 * raw list of the row fits in place (the raw lists of the row keep their
 * lengths; no column appears or disappears). Raw elements are rewritten
 * with their row number by patch_write. */
static void patch_row(Patch *x, const Snapshot *s, const Snapshot *p, size_t r,
                      size_t j)
{
    patch_col(x, s, s->unit, p->unit, 8, r, j);
    patch_col(x, s, s->rec, p->rec, sizeof(RecRaw), r, j);
    patch_col(x, s, s->hash, p->hash, 32, r, j);
    patch_col(x, s, s->chash, p->chash, 32, r, j);
    patch_col(x, s, s->nconf, p->nconf, 1, r, j);
    for (int f = 0; f < RULE_N_YEARLY; f++) {
        for (int y = 0; y < SNAP_NY; y++) {
            patch_col(x, s, s->av[f][y], p->av[f][y], 8, r, j);
            patch_col(x, s, s->ah[f][y], p->ah[f][y], 1, r, j);
        }
        for (int y = 0; y < RULE_YEARS; y++) {
            /* a slot that is no copy is the year column patched above */
            if (s->yown[f][y]) {
                patch_col(x, s, s->yv[f][y], p->yv[f][y], 8, r, j);
                patch_col(x, s, s->yh[f][y], p->yh[f][y], 1, r, j);
            } else if (p->yown[f][y]) {
                x->bad = 1;
            }
        }
    }
    for (int f = 0; f < RULE_MAX_FIELDS; f++) {
        patch_scalar(x, s, p, f, r, j);
        patch_col(x, s, s->sh[f], p->sh[f], 1, r, j);
        patch_col(x, s, s->shi[f], p->shi[f], 8, r, j);
    }
    for (int k = 0; k < RAW_KINDS && !x->bad; k++) {
        const RawVec *a = &s->raw[k], *b = &p->raw[k];
        size_t a0 = raw_lower(a, (int32_t)r), a1 = raw_lower(a, (int32_t)r + 1);
        size_t nb = 0, i = a0;

        /* p's elements of row j in their order (p is small and its raw
         * lists are in scan order: a linear walk) */
        for (size_t q = 0; q < b->n && !x->bad; q++) {
            const char *from = (const char *)b->v + q * b->w;
            int32_t br;

            memcpy(&br, from, sizeof br);
            if (br != (int32_t)j) {
                continue;
            }
            if (i >= a1) {
                x->bad = 1; /* more elements than the row's slots */
                break;
            }
            patch_col(x, s, a->v, from, a->w, i++, 0);
            if (!x->bad) {
                x->v[x->n - 1].row = (int32_t)r;
            }
            nb++;
        }
        if (nb != a1 - a0) {
            x->bad = 1; /* fewer: the slots left would keep old elements */
        }
    }
}

/* Are the raw lists of s grouped by row in ascending order (a merged
 * snapshot's are; a build's are in the tables' storage order)? Slots of
 * a row can be found only then. */
static int raw_sorted(const Snapshot *s)
{
    for (int k = 0; k < RAW_KINDS; k++) {
        const RawVec *v = &s->raw[k];
        int32_t prev = INT32_MIN;

        for (size_t i = 0; i < v->n; i++) {
            int32_t r;

            memcpy(&r, (const char *)v->v + i * v->w, sizeof r);
            if (r < prev) {
                return 0;
            }
            prev = r;
        }
    }
    return 1;
}

static int pwrite_all(int fd, const void *p, size_t n, size_t off)
{
    const char *c = p;

    while (n > 0) {
        ssize_t k = pwrite(fd, c, n, (off_t)off);
        if (k <= 0) {
            return 1;
        }
        c += k;
        n -= (size_t)k;
        off += (size_t)k;
    }
    return 0;
}

/* Write the slices of x into the file at path, then its audit mark
 * (mark), under an exclusive lock, when the file is still the one s was
 * mapped from with s's mark; *done = 1 then. The rows reach the disk
 * before the mark: a stop in between leaves rows newer than the mark,
 * which the next check re-reads (their audit entries lie after it), never
 * a mark newer than its rows. The mapping (shared) shows the new rows. */
static int patch_write(const Snapshot *s, const char *path, const Patch *x,
                       int64_t mark, int *done)
{
    int fd = open(path, O_RDWR);
    struct stat st;
    FileHead h;
    int bad = 0;

    *done = 0;
    if (fd < 0) {
        return 0;
    }
    if (flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0 || st.st_dev != s->dev ||
        st.st_ino != s->ino || (size_t)st.st_size != s->map_len ||
        pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
        h.audit_mark != s->info.audit_mark || h.n != (int64_t)s->n ||
        h.as_of != s->as_of) {
        close(fd); /* replaced or moved on by another process: merge */
        return 0;
    }
    for (size_t i = 0; i < x->n && !bad; i++) {
        const Slice *c = &x->v[i];
        uint8_t buf[sizeof(RecRaw) + 64];

        if (c->w > sizeof buf) {
            bad = 1;
            break;
        }
        if (c->has_val && c->w == 1) {
            int8_t v8 = (int8_t)c->val;
            memcpy(buf, &v8, 1);
        } else if (c->has_val) {
            memcpy(buf, &c->val, sizeof c->val);
        } else if (c->src) {
            memcpy(buf, c->src, c->w);
        } else {
            memset(buf, 0, c->w);
        }
        if (c->row >= 0) {
            /* a raw element: its row is the row of s it now belongs to */
            memcpy(buf, &c->row, sizeof c->row);
        }
        bad = pwrite_all(fd, buf, c->w, c->off);
    }
    if (!bad && snapshot_test_stop_in_place) {
        close(fd); /* a test: stopped with the rows written, not the mark */
        return 2;
    }
    if (!bad) {
        bad = fdatasync(fd) != 0 ||
              pwrite_all(fd, &mark, sizeof mark,
                         offsetof(FileHead, audit_mark)) != 0;
    }
    close(fd); /* drops the lock */
    *done = !bad;
    return bad;
}

/* Update the file s was mapped from in place to p (the rows of the
 * enterprises in touched, built by the same scans at s's date): *done = 1
 * when every one of them is a row of s, still in the library, and its
 * columns and raw lists fit their slots; s (whose mapping shows the new
 * rows) then holds p's mark. Anything else leaves the file as it was
 * (the caller merges and saves the whole file). */
static int try_in_place(Snapshot *s, const Snapshot *p, const IdSet *touched,
                        const char *path, int *done, Err *e)
{
    Patch x = {NULL, 0, 0, 0};
    int rc = 0;

    *done = 0;
    if (!s->map || p->n != touched->n || (p->yfar && !s->yfar) ||
        !raw_sorted(s)) {
        return 0;
    }
    for (size_t j = 0; j < p->n && !x.bad; j++) {
        int64_t r = p->ids[j] == touched->v[j] ? find_row(s, p->ids[j]) : -1;

        if (r < 0) {
            x.bad = 1; /* a new or retired enterprise: rows move */
            break;
        }
        patch_row(&x, s, p, (size_t)r, j);
    }
    if (!x.bad) {
        rc = patch_write(s, path, &x, p->info.audit_mark, done);
    }
    if (rc == 2) {
        rc = err_set(e, ERR_IO, "snapshot", "快照更新中断：%s", path);
    } else {
        rc = 0;
        if (*done) {
            s->info.audit_mark = p->info.audit_mark;
        }
    }
    free(x.v);
    return rc;
}

/* snapshot_update; with path (the file s was loaded from, at the date it
 * is wanted for), the file is updated in place when it can be
 * (try_in_place) and *out is s itself. */
static int update(Db *db, Snapshot *s, const char *path, JobRun *run,
                  Snapshot **out, Err *e);

int snapshot_update(Db *db, const Snapshot *s, JobRun *run, Snapshot **out,
                    Err *e)
{
    return update(db, (Snapshot *)s, NULL, run, out, e); /* not written */
}

static int update(Db *db, Snapshot *s, const char *path, JobRun *run,
                  Snapshot **out, Err *e)
{
    IdVec x = {NULL, 0, 0};
    IdSet only;
    Snapshot *p = NULL;
    size_t limit = s->n / 5 > 1 ? s->n / 5 : 1;
    double t0 = now_ms();
    int own_tx = !db_in_tx(db), whole = 0;
    int rc;

    *out = NULL;
    if (!raw_valid(s)) {
        return 0; /* a damaged file: build a new one */
    }
    rc = build_step(run, "更新快照：读取变化的企业", e);
    if (rc) {
        return rc;
    }
    if (own_tx) {
        rc = db_begin_read(db, e);
        if (rc) {
            return rc;
        }
    }
    /* the audit entries, the new mark and the rows are read in one read
     * transaction: no write can fall between them */
    rc = touched_ids(db, s, limit, &x, &whole, e);
    if (rc == 0 && !whole) {
        only.v = x.v;
        only.n = x.n;
        rc = build_run(db, s->as_of, &only, run, &p, e);
    }
    if (own_tx) {
        db_rollback(db); /* read only */
    }
    if (rc == 0 && !whole && path) {
        int done = 0;

        rc = try_in_place(s, p, &only, path, &done, e);
        if (rc == 0 && done) {
            s->info.incremental = 1;
            s->info.in_place = 1;
            s->info.touched = (int64_t)x.n;
            s->info.build_ms = p->info.build_ms;
            s->info.hash_ms = p->info.hash_ms;
            s->info.update_ms = now_ms() - t0;
            *out = s;
            snapshot_free(p);
            free(x.v);
            return 0;
        }
    }
    if (rc == 0 && !whole) {
        *out = merge(s, p, &only);
        (*out)->info.incremental = 1;
        (*out)->info.touched = (int64_t)x.n;
        (*out)->info.build_ms = p->info.build_ms;
        (*out)->info.hash_ms = p->info.hash_ms;
        (*out)->info.update_ms = now_ms() - t0;
    }
    snapshot_free(p);
    free(x.v);
    return rc;
}

int snapshot_get(Db *db, const char *path, Date as_of, Snapshot **out, Err *e)
{
    return snapshot_get_run(db, path, as_of, NULL, out, e);
}

int snapshot_get_run(Db *db, const char *path, Date as_of, JobRun *run,
                     Snapshot **out, Err *e)
{
    Snapshot *s = NULL;
    Err ignore;
    int rc = 0, fresh = 0;
    /* phase times in ms, logged at the info level: load, freshness
     * check, update, date change, build, save */
    double t = now_ms(), ph[6] = {0, 0, 0, 0, 0, 0};
    int saved = 0; /* the file was updated in place */

    *out = NULL;
    if (path && snapshot_load(path, &s, &ignore) == 0 && s) {
        ph[0] = now_ms() - t;
        t = now_ms();
        rc = snapshot_fresh(db, s, &fresh, e);
        ph[1] = now_ms() - t;
        t = now_ms();
        if (rc) {
            snapshot_free(s);
            return rc;
        }
        if (fresh && s->as_of == as_of) {
            *out = s;
            return 0;
        }
        if (!fresh) {
            /* stale: patch the enterprises the new audit entries name
             * (at the file's date), then move to as_of below; at the
             * file's date the file itself is patched when it can be */
            Snapshot *u = NULL;

            rc = update(db, s, s->as_of == as_of ? path : NULL, run, &u, e);
            if (u != s) {
                snapshot_free(s);
            }
            if (rc) {
                return rc;
            }
            s = u;
            saved = s && s->info.in_place;
            ph[2] = now_ms() - t;
            t = now_ms();
        }
        if (s && s->as_of != as_of) {
            /* another date: the columns from the inputs kept as read */
            rc = build_step(run, "快照换到评价日期", e);
            if (rc) {
                snapshot_free(s);
                return rc;
            }
            if (snapshot_set_date(s, as_of, &ignore) != 0) {
                snapshot_free(s);
                s = NULL;
            }
            ph[3] = now_ms() - t;
            t = now_ms();
        }
    }
    if (!s) {
        rc = build_run(db, as_of, NULL, run, &s, e);
        ph[4] = now_ms() - t;
        t = now_ms();
    }
    if (rc) {
        return rc;
    }
    if (path && !saved) {
        rc = build_step(run, "保存快照", e);
        if (rc == 0) {
            rc = snapshot_save(s, path, e);
        }
        if (rc) {
            snapshot_free(s);
            return rc;
        }
        ph[5] = now_ms() - t;
    }
    log_info("snapshot: load %.0f ms, check %.0f ms, update %.0f ms (%lld "
             "enterprises%s), date %.0f ms, build %.0f ms, save %.0f ms",
             ph[0], ph[1], ph[2], (long long)s->info.touched,
             saved ? ", file updated in place" : "", ph[3], ph[4], ph[5]);
    *out = s;
    return 0;
}

char *snapshot_path_for(const char *db_location)
{
    char p[DATADIR_MAX + 4096];
    Err e;

    if (datadir_path(db_location, "snapshot", p, sizeof p, &e) != 0) {
        return NULL; /* no file for this database: kept in memory only */
    }
    return xstrdup(p);
}

/* ---- screening ---------------------------------------------------------- */

/* Outcome letter of the decisions.outcomes column. */
static char outcome_char(int o)
{
    switch (o) {
    case RULE_V_MET:
        return 'Y';
    case RULE_V_UNMET:
        return 'N';
    case RULE_V_UNKNOWN:
        return 'U';
    case RULE_V_EXPERT:
        return 'E';
    case RULE_V_MANUAL:
        return 'M';
    case RULE_V_CONFLICT:
        return 'X';
    default:
        return 'I';
    }
}

typedef struct Units {
    int64_t *id;
    char **path;
    int n;
    uint8_t *in; /* by unit id (0..max_id): 1 when in the scope asked */
    int64_t max_id;
} Units;

static void units_free(Units *u)
{
    for (int i = 0; i < u->n; i++) {
        free(u->path[i]);
    }
    free(u->id);
    free(u->path);
    free(u->in);
}

static int units_load(Db *db, Units *u, Err *e)
{
    DbStmt *st = NULL;
    int rc, cap = 0;
    memset(u, 0, sizeof *u);
    rc = db_prepare_v(db, &st, e, "SELECT id, path FROM org_units ORDER BY id",
                      "");
    if (rc) {
        return rc;
    }
    while ((rc = db_step(st, e)) == DB_ROW) {
        if (u->n == cap) {
            cap = cap ? cap * 2 : 64;
            u->id = xrealloc(u->id, sizeof *u->id * (size_t)cap);
            u->path = xrealloc(u->path, sizeof *u->path * (size_t)cap);
        }
        u->id[u->n] = db_col_int64(st, 0);
        u->path[u->n] = xstrdup(db_col_text(st, 1) ? db_col_text(st, 1) : "/");
        u->n++;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

static const char *unit_path(const Units *u, int64_t id)
{
    int lo = 0, hi = u->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (u->id[mid] < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < u->n && u->id[lo] == id ? u->path[lo] : NULL;
}

static void units_scope(Units *u, const char *scope);

int snapshot_scope(Db *db, const Snapshot *s, const char *scope,
                   uint8_t *in_scope, size_t *n_in, Err *e)
{
    Units u;
    size_t plen = strlen(scope), k = 0;
    int rc = units_load(db, &u, e);
    if (rc) {
        return rc;
    }
    units_scope(&u, scope); /* a table by unit id: no search per row */
    for (size_t r = 0; r < s->n; r++) {
        int64_t unit = s->unit[r];
        if (u.in) {
            in_scope[r] = unit >= 0 && unit <= u.max_id && u.in[unit];
        } else {
            const char *path = unit_path(&u, unit);
            in_scope[r] = path && strncmp(path, scope, plen) == 0;
        }
        k += in_scope[r];
    }
    units_free(&u);
    if (n_in) {
        *n_in = k;
    }
    return 0;
}

/* Output arrays of one rule set over the snapshot. */
typedef struct Res {
    BatchOut o;
    int n_items;
    int has_row[RULES_MAX_ITEMS];
    int top[RULES_MAX_ITEMS]; /* a top-level criterion (depth 0) */
} Res;

static void res_init(Res *x, const RuleSet *rs, const BatchProg *p, size_t n)
{
    memset(x, 0, sizeof *x);
    x->n_items = batch_n_items(p);
    x->o.verdict = xcalloc_big(n + 1, 1);
    x->o.has_total = xcalloc_big(n + 1, 1);
    x->o.total_lo = xcalloc_big(n + 1, sizeof(int64_t));
    x->o.total_hi = xcalloc_big(n + 1, sizeof(int64_t));
    x->o.n_conflicts = xcalloc_big(n + 1, 1);
    x->o.item_outcome = xcalloc((size_t)x->n_items + 1, sizeof(uint8_t *));
    for (int i = 0; i < x->n_items; i++) {
        const Item *it = &rs->items[i];
        x->has_row[i] = !(it->kind == IT_LET && it->label[0] == '\0');
        x->top[i] = x->has_row[i] && it->depth == 0;
        if (x->has_row[i]) {
            x->o.item_outcome[i] = xcalloc_big(n + 1, 1);
        }
    }
}

static void res_free(Res *x)
{
    xfree_big(x->o.verdict);
    xfree_big(x->o.has_total);
    xfree_big(x->o.total_lo);
    xfree_big(x->o.total_hi);
    xfree_big(x->o.n_conflicts);
    for (int i = 0; i < x->n_items; i++) {
        xfree_big(x->o.item_outcome[i]);
    }
    free(x->o.item_outcome);
}

static int rs_id_of(Db *db, const RuleSet *rs, int64_t *id, Err *e)
{
    int rc = db_exec_v(db, e,
                       "INSERT INTO decision_rulesets (ruleset, hash) "
                       "VALUES ($1, $2) ON CONFLICT (ruleset, hash) DO NOTHING",
                       "tt", rule_set_id(rs), rule_set_hash(rs));
    if (rc == 0) {
        rc = db_query_int64(db, id, e,
                            "SELECT id FROM decision_rulesets WHERE ruleset = "
                            "$1 AND hash = $2",
                            "tt", rule_set_id(rs), rule_set_hash(rs));
    }
    return rc;
}

/* The outcomes letters of row r: conflict rows first, then the items
 * that have an explanation row. */
static void outcomes_of(const Res *x, size_t r, char *out)
{
    size_t k = 0;
    for (int c = 0; c < x->o.n_conflicts[r]; c++) {
        out[k++] = 'X';
    }
    for (int i = 0; i < x->n_items; i++) {
        if (x->has_row[i]) {
            out[k++] = outcome_char(x->o.item_outcome[i][r]);
        }
    }
    out[k] = '\0';
}

/* The runs of a rule set's stored decisions: id, rule-set version and
 * as-of date. */
typedef struct Runs {
    int64_t *id, *rs_id;
    char (*as_of)[DATE_ISO_SIZE];
    size_t n;
} Runs;

static int runs_load(Db *db, const char *ruleset, Runs *x, Err *e)
{
    DbStmt *st = NULL;
    int rc = db_prepare_v(db, &st, e,
                          "SELECT id, rs_id, as_of FROM decision_runs WHERE "
                          "ruleset = $1 ORDER BY id",
                          "t", ruleset);
    memset(x, 0, sizeof *x);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        x->id = xrealloc(x->id, sizeof *x->id * (x->n + 1));
        x->rs_id = xrealloc(x->rs_id, sizeof *x->rs_id * (x->n + 1));
        x->as_of = xrealloc(x->as_of, sizeof *x->as_of * (x->n + 1));
        x->id[x->n] = db_col_int64(st, 0);
        x->rs_id[x->n] = db_col_int64(st, 1);
        snprintf(x->as_of[x->n], DATE_ISO_SIZE, "%s",
                 db_col_text(st, 2) ? db_col_text(st, 2) : "");
        x->n++;
        rc = 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

static void runs_free(Runs *x)
{
    free(x->id);
    free(x->rs_id);
    free(x->as_of);
}

/* Was run made with rule-set version rsid at as_of? */
static int run_is(const Runs *x, int64_t run, int64_t rsid, const char *as_of)
{
    for (size_t i = 0; i < x->n; i++) {
        if (x->id[i] == run) {
            return x->rs_id[i] == rsid && strcmp(x->as_of[i], as_of) == 0;
        }
    }
    return 0;
}

/* Copy row j of old into row w of c, all but its outcome letters. */
static void copy_fields(DecCols *c, size_t w, const DecCols *old, size_t j)
{
    c->id[w] = old->id[j];
    c->unit[w] = old->unit[j];
    c->verdict[w] = old->verdict[j];
    c->unmet[w] = old->unmet[j];
    c->unknown[w] = old->unknown[j];
    c->has_score[w] = old->has_score[j];
    c->score_lo[w] = old->score_lo[j];
    c->score_hi[w] = old->score_hi[j];
    c->run[w] = old->run[j];
    memcpy(c->hash + w * 32, old->hash + j * 32, 32);
}

/* Copy row j of old into row w of c. */
static void copy_old(DecCols *c, size_t w, const DecCols *old, size_t j)
{
    copy_fields(c, w, old, j);
    c->oidx[w] = dec_cols_outcome(c, old->odict[old->oidx[j]]);
}

/* Row w of c from snapshot row r and its results (run 0: to be set). */
static void put_new(DecCols *c, size_t w, const Snapshot *s, const Res *x,
                    size_t r, char *outc)
{
    int v = x->o.verdict[r];
    c->id[w] = s->ids[r];
    c->unit[w] = s->unit[r];
    c->verdict[w] = (uint8_t)v;
    c->unmet[w] = 0;
    c->unknown[w] = 0;
    for (int i = 0; i < x->n_items; i++) {
        /* top-level criteria: sub-conditions only explain their group */
        if (x->top[i]) {
            c->unmet[w] += x->o.item_outcome[i][r] == RULE_V_UNMET;
            c->unknown[w] += x->o.item_outcome[i][r] == RULE_V_UNKNOWN;
        }
    }
    c->has_score[w] = x->o.has_total[r] && v != RULE_V_CONFLICT;
    c->score_lo[w] = c->has_score[w] ? x->o.total_lo[r] : 0;
    c->score_hi[w] = c->has_score[w] ? x->o.total_hi[r] : 0;
    c->run[w] = 0;
    memcpy(c->hash + w * 32, s->hash + r * 32, 32);
    outcomes_of(x, r, outc);
    c->oidx[w] = dec_cols_outcome(c, outc);
}

/* Are the results of snapshot row r (as put_new would write them) the
 * decision row j of old holds: unit, input hash, verdict, counts, score
 * and outcome letters? Compared field by field, without building the
 * row (most rows of a re-screening are unchanged). */
static int same_result(const Snapshot *s, const Res *x, size_t r,
                       const DecCols *old, size_t j)
{
    int v = x->o.verdict[r];
    int has = x->o.has_total[r] && v != RULE_V_CONFLICT;
    const char *o = old->odict[old->oidx[j]];
    int64_t unmet = 0, unknown = 0;
    size_t k = 0;

    if (s->unit[r] != old->unit[j] || v != old->verdict[j] ||
        has != old->has_score[j] ||
        (has ? x->o.total_lo[r] : 0) != old->score_lo[j] ||
        (has ? x->o.total_hi[r] : 0) != old->score_hi[j] ||
        memcmp(s->hash + r * 32, old->hash + j * 32, 32) != 0) {
        return 0;
    }
    for (int c = 0; c < x->o.n_conflicts[r]; c++) {
        if (o[k++] != 'X') {
            return 0;
        }
    }
    for (int i = 0; i < x->n_items; i++) {
        int oc = x->o.item_outcome[i] ? x->o.item_outcome[i][r] : 0;

        if (x->has_row[i] && o[k++] != outcome_char(oc)) {
            return 0;
        }
        if (x->top[i]) {
            unmet += oc == RULE_V_UNMET;
            unknown += oc == RULE_V_UNKNOWN;
        }
    }
    return o[k] == '\0' && unmet == old->unmet[j] && unknown == old->unknown[j];
}

/* Copy row j of old into row w of c, its outcome letters through remap
 * (old's dictionary index to c's, UINT32_MAX until first met). */
static void copy_kept(DecCols *c, size_t w, const DecCols *old, size_t j,
                      uint32_t *remap)
{
    uint32_t oi = old->oidx[j];

    if (remap[oi] == UINT32_MAX) {
        remap[oi] = dec_cols_outcome(c, old->odict[oi]);
    }
    copy_fields(c, w, old, j);
    c->oidx[w] = remap[oi];
}

/* Mark the units under scope in a table by id (ids up to 2^22; larger
 * ones are looked up by path). */
static void units_scope(Units *u, const char *scope)
{
    size_t plen = strlen(scope);
    u->max_id = -1;
    for (int i = 0; i < u->n; i++) {
        u->max_id = u->id[i] > u->max_id ? u->id[i] : u->max_id;
    }
    if (u->max_id < 0 || u->max_id >= (1 << 22)) {
        return;
    }
    u->in = xcalloc((size_t)u->max_id + 1, 1);
    for (int i = 0; i < u->n; i++) {
        if (u->id[i] >= 0) {
            u->in[u->id[i]] = strncmp(u->path[i], scope, plen) == 0;
        }
    }
}

static int in_scope(const Units *u, int64_t unit, const char *scope,
                    size_t plen)
{
    const char *path;
    if (u->in) {
        return unit >= 0 && unit <= u->max_id && u->in[unit];
    }
    path = unit_path(u, unit);
    return path && strncmp(path, scope, plen) == 0;
}

/* Write the decisions of one rule set for the rows in scope: one merge
 * of the stored columns with the snapshot rows. Rows in scope are
 * decided anew; a decision equal to the stored one (same rule-set
 * version, as-of date, unit, input hash and results) keeps its run, so
 * evaluated_at and job_id stay those of the screening that made it;
 * stored rows of enterprises no longer in scope (retired, moved) are
 * dropped; rows outside the scope are kept as they are. When nothing
 * changed nothing is written. */
/* A rule set's columns written raw in this screening, whose hash column
 * the following sets may refer to (dec_cols_save's hash_as). */
typedef struct Shared {
    DecCols *c;
    const char *id;
} Shared;

static int same_hashes(const Shared *sh, const DecCols *c)
{
    return sh->c && sh->c->n == c->n &&
           memcmp(sh->c->id, c->id, c->n * sizeof *c->id) == 0 &&
           memcmp(sh->c->hash, c->hash, c->n * 32) == 0;
}

static int write_decisions(Db *db, const Snapshot *s, const Units *u,
                           const char *scope, const RuleSet *rs, const Res *x,
                           int64_t job_id, JobRun *run, Shared *sh, Err *e)
{
    DecCols *old = NULL, *c = NULL;
    uint32_t *remap = NULL;
    Runs runs;
    char as_of[DATE_ISO_SIZE], at[DATE_TS_SIZE];
    char *outc = xmalloc((size_t)x->n_items + 256 + 1);
    size_t plen = strlen(scope), r = 0, j = 0, w = 0, n_old;
    int64_t rsid = 0, run_id = 0;
    int rc, changed = 0;

    double t = now_ms(), ph[3] = {0, 0, 0}; /* load, compare, write */

    memset(&runs, 0, sizeof runs);
    date_format_iso(s->as_of, as_of);
    date_now_timestamp(at);
    rc = rs_id_of(db, rs, &rsid, e);
    if (rc == 0) {
        rc = dec_cols_load(db, rule_set_id(rs), DEC_ALL, &old, e);
    }
    if (rc == 0) {
        rc = runs_load(db, rule_set_id(rs), &runs, e);
    }
    if (rc) {
        goto out;
    }
    ph[0] = now_ms() - t;
    t = now_ms();
    n_old = old ? old->n : 0;
    c = dec_cols_new(s->n + n_old, DEC_ALL);
    remap = xmalloc(sizeof *remap * ((old ? old->n_odict : 0) + 1));
    for (size_t i = 0; old && i < old->n_odict; i++) {
        remap[i] = UINT32_MAX;
    }
    while (r < s->n || j < n_old) {
        int64_t oid = j < n_old ? old->id[j] : INT64_MAX;
        if (r < s->n && s->ids[r] <= oid) {
            int same_id = old && j < n_old && s->ids[r] == oid;
            if (in_scope(u, s->unit[r], scope, plen)) {
                if (same_id && run_is(&runs, old->run[j], rsid, as_of) &&
                    same_result(s, x, r, old, j)) {
                    copy_kept(c, w, old, j, remap); /* keeps its run */
                } else {
                    put_new(c, w, s, x, r, outc);
                    changed = 1;
                }
                w++;
            } else if (same_id) {
                if (!in_scope(u, old->unit[j], scope, plen)) {
                    copy_old(c, w++, old, j); /* outside the scope */
                } else {
                    changed = 1; /* moved out of the scope */
                }
            }
            j += (size_t)same_id;
            r++;
            continue;
        }
        /* a stored decision of an enterprise that is no snapshot row */
        if (!old) {
            break; /* cannot happen: j < n_old */
        }
        if (!in_scope(u, old->unit[j], scope, plen)) {
            copy_old(c, w++, old, j);
        } else {
            changed = 1;
        }
        j++;
    }
    c->n = w;
    changed |= w != n_old;
    ph[1] = now_ms() - t;
    t = now_ms();
    if (changed) {
        rc = db_query_int64(db, &run_id, e,
                            "INSERT INTO decision_runs (ruleset, rs_id, "
                            "as_of, evaluated_at, job_id) VALUES ($1, $2, $3, "
                            "$4, $5) RETURNING id",
                            job_id > 0 ? "titti" : "tittn", rule_set_id(rs),
                            rsid, as_of, at, job_id);
        for (size_t k = 0; rc == 0 && k < c->n; k++) {
            if (c->run[k] == 0) {
                c->run[k] = run_id;
            }
        }
        if (rc == 0) {
            int ref = same_hashes(sh, c);
            rc = dec_cols_save(db, rule_set_id(rs), c, ref ? sh->id : NULL, e);
            if (rc == 0 && !ref && !sh->c) {
                sh->c = c; /* kept for the next sets; freed by the caller */
                sh->id = rule_set_id(rs);
                c = NULL;
            }
        }
    }
    if (run && rc == 0) {
        job_add_done(run, (int64_t)s->n);
    }
    ph[2] = now_ms() - t;
    log_info("decisions %s: load %.0f ms, compare %.0f ms, write %.0f ms%s",
             rule_set_id(rs), ph[0], ph[1], ph[2],
             changed ? "" : " (unchanged)");
out:
    free(remap);
    runs_free(&runs);
    dec_cols_free(old);
    dec_cols_free(c);
    free(outc);
    return rc;
}

int snapshot_screen(Db *db, const Snapshot *s, const Actor *a,
                    const RuleSet *const *sets, int n_sets, int64_t job_id,
                    JobRun *run, int64_t (*counts)[8], Err *e)
{
    Shared sh = {NULL, NULL};
    Units u;
    double t;
    int rc;

    rc = units_load(db, &u, e);
    if (rc) {
        return rc;
    }
    units_scope(&u, a->unit_path);
    /* the merge reads the stored columns whole: map the file rather
     * than copy it page by page (restored below) */
    rc = db_tune(db, DB_TUNE_SCAN_BEGIN, e);
    if (rc) {
        units_free(&u);
        return rc;
    }
    if (run) {
        job_set_total(run, (int64_t)s->n * n_sets);
    }
    for (int k = 0; rc == 0 && k < n_sets; k++) {
        BatchProg *p = NULL;
        Res x;
        if (run && job_cancelled(run)) {
            rc = err_set(e, ERR_CANCELLED, "job", "任务已取消");
            break;
        }
        rc = batch_compile(sets[k], &p, e);
        if (rc) {
            break;
        }
        res_init(&x, sets[k], p, s->n);
        t = now_ms();
        rc = batch_eval(p, &s->bi, &x.o, 2, e);
        log_info("screening %s: evaluated in %.0f ms", rule_set_id(sets[k]),
                 now_ms() - t);
        if (rc == 0 && run && job_cancelled(run)) {
            rc = err_set(e, ERR_CANCELLED, "job", "任务已取消");
        }
        if (rc == 0) {
            rc = write_decisions(db, s, &u, a->unit_path, sets[k], &x, job_id,
                                 run, &sh, e);
        }
        if (rc == 0 && counts) {
            size_t plen = strlen(a->unit_path);
            memset(counts[k], 0, sizeof counts[k]);
            for (size_t r = 0; r < s->n; r++) {
                if (in_scope(&u, s->unit[r], a->unit_path, plen)) {
                    counts[k][x.o.verdict[r] & 7]++;
                }
            }
        }
        res_free(&x);
        batch_free(p);
    }
    units_free(&u);
    dec_cols_free(sh.c);
    {
        Err ignore;
        db_tune(db, DB_TUNE_SCAN_END, &ignore);
    }
    return rc;
}

int snapshot_rescreen(const Snapshot *s, const RuleSet *rs, BatchOut *out,
                      Err *e)
{
    BatchProg *p = NULL;
    int rc = batch_compile(rs, &p, e);
    if (rc == 0) {
        rc = batch_eval(p, &s->bi, out, 2, e);
    }
    batch_free(p);
    return rc;
}
