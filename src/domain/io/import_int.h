/* import_int.h - internals shared by the import engine's files
 * (import.c, import_read.c, import_check.c, import_write.c); included by
 * those only. */
#ifndef KC_DOMAIN_IMPORT_INT_H
#define KC_DOMAIN_IMPORT_INT_H

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/charset.h"
#include "base/clock.h"
#include "base/csv.h"
#include "base/date.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/xlsx_read.h"
#include "db/bulk.h"
#include "domain/accounts/audit.h"
#include "domain/library/ent.h"
#include "domain/library/fact.h"
#include "domain/library/ip.h"
#include "domain/library/recrule.h"

#include "domain/io/import.h"

typedef struct SrcCell {
    const char *text;
    int type; /* XLSX_CELL_*; CSV cells are strings */
    int is_date;
    int is_formula;
    const char *formula;
} SrcCell;

typedef struct Src {
    int xlsx;
    FILE *f;
    CharsetConv *conv;
    Buf cbuf;
    size_t cpos;
    int eof;
    int has_cerr;
    Err cerr;
    CsvReader *csv;
    XlsxReader *x;
    XlsxSheet *sh;
    int date1904;
    SrcCell *cells;
    size_t n, cap;
    long row_no;
} Src;

typedef struct KeySet {
    uint64_t *h;
    int32_t *row; /* rows are capped at IMPORT_ROWS_MAX */
    size_t cap, n;
} KeySet;

/* The enterprise a row names by USCC, as the database had it when the
 * import began. */
typedef struct Owner {
    int found, visible, retired;
    int has_rows; /* child kinds: it had rows of the kind */
    int64_t id;
} Owner;

typedef struct OwnerQ {
    const Actor *a;
    DbStmt *by_uscc, *has_rows;
    char last_uscc[24]; /* the last answer: files of figures, IP rights and
                           facts hold consecutive rows of one enterprise */
    Owner last;
} OwnerQ;

enum { PROV_KIND, PROV_USER, PROV_REF, PROV_VERIFIED, PROV_N };

/* 所属单位 names remembered per pass (imp_resolve_unit): one lookup per
 * distinct name instead of one per row. */
#define IMPORT_UNIT_CACHE 64

typedef struct Imp {
    Db *db;
    const Actor *a;
    const ColumnKind *k;
    const ImportOpts *o;
    ImportReport *r;
    int child; /* rows belong to an enterprise (figures, ip, facts) */
    int map[COLUMNS_MAX];    /* registry column -> file column, -1 */
    int stored[COLUMNS_MAX]; /* registry columns stored in the table */
    int n_stored;
    int has_field_prov; /* enterprises, figures */
    DbStmt *existing, *ins, *upd, *prov_load, *prov_set, *prov_drop, *conf_ins,
        *conf_dup, *unit_by_name;
    int64_t default_unit;
    int default_unit_parent; /* the default unit has child units */
    char now[32];
    char today[DATE_ISO_SIZE];
    int col_uscc;
    KeySet keys; /* reader thread only */
    int writing; /* apply and still writing (mode all: until a bad row) */
    int64_t min_ent, max_ent; /* enterprises touched (figures, IP) */
    int64_t *touched;         /* every existing enterprise written to */
    size_t n_touched, cap_touched;
    int touched_over;  /* more than IMPORT_TOUCH_MAX: not listed */
    Buf flush_sql;     /* staging table -> the kind's table */
    struct OwnerQ *oq; /* the writer's owner lookups */
    int last_has_rows; /* the current row's owner had rows of the kind */
    int64_t staged;    /* rows in the staging table */
    int direct;        /* new rows go straight to the table, not staged */
    struct {
        const char *key; /* a string literal of this file */
        int col;
    } colc[32]; /* imp_col's answers (the writing thread's) */
    int n_colc;
    int64_t table_rows; /* highest id in the kind's table at the start */
    int bulk_decided, bulk_on, bulk_used; /* bulk-load mode (bulk.h) */
    Bulk *bulk;
    int64_t bulk_max_id; /* enterprises: ids above it are new */
    struct {
        char *name; /* a 所属单位 cell as given */
        int64_t id; /* the one unit in scope of that name (n == 1) */
        int n;      /* live units of that name in the actor's scope */
    } units[IMPORT_UNIT_CACHE]; /* imp_resolve_unit's answers, this pass */
    int n_units;
} Imp;

#define IMPORT_FLUSH_ROWS 50000
/* Bulk-load mode (drop the table's secondary indexes, rebuild them at the
 * end) when an import adds at least this many rows and at least as many
 * as the table held. */
#define IMPORT_BULK_MIN 10000

typedef struct RowState {
    long row_no;
    int bad;
    int done;      /* no key or a duplicate key: nothing more to check */
    int own_known; /* own looked up by the reader thread */
    Owner own;
    Buf *pool; /* canonical texts of v[] */
    Buf *sink; /* errors go here (the reader thread), else to the report */
    ColumnVal v[COLUMNS_MAX];
    int64_t ent_id; /* owner (child kinds) or the enterprise itself */
    int exists;
    int blank_unit; /* a new enterprise given the default unit */
    int64_t row_id;
    /* existing row: provenance and values (valid until the statement is
     * reset) */
    const char *ex_src_kind;
    int64_t ex_src_user, ex_src_ref, ex_verified;
    int ex_has_user, ex_has_ref;
} RowState;

/* The merged row as the cross-field rules read it. */
typedef struct ImpRuleRow {
    Imp *m;
    const RowState *rs;
} ImpRuleRow;

/* Most enterprise ids an import lists for its audit entry (beyond that
 * the entry names none, and the library snapshot is rebuilt whole). */
#define IMPORT_TOUCH_MAX ((size_t)4 * 1000 * 1000)
/* Most id ranges the audit entry holds: nearby ranges are joined (the
 * list may then name enterprises the import did not write). */
#define IMPORT_TOUCH_RUNS 1000

enum { PR_ROW, PR_END, PR_FAIL };

typedef struct Parsed {
    int what; /* PR_* */
    int rc;   /* PR_FAIL: the error code, err its message */
    Err err;
    RowState rs;
    Buf pool; /* rs's texts */
    Buf errs; /* errors found while parsing (imp_row_errors_flush) */
} Parsed;

#define PIPE_SLOTS 1024
#define PIPE_BATCH 256 /* a sleeping thread is woken for this many slots */

typedef struct Pipe {
    Imp *m;
    Src *s;
    FILE *spool; /* rows come from the spool of the validation, not s */
    Db *rdb;     /* the reader's own connection for owner lookups, or NULL */
    OwnerQ *oq;  /* (then the writer looks owners up itself) */
    Parsed *slot;
    size_t put, took; /* rows handed over / released */
    int stop;         /* the writer gave up: the reader ends */
    int reader_waits; /* for room: woken when half the ring is free */
    int writer_waits; /* for a row */
    int started;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t more, room;
} Pipe;

typedef struct SpoolHead {
    int64_t row_no;
    int32_t bad, done;
    uint32_t n_vals, n_pool, n_errs;
} SpoolHead;

typedef struct SpoolVal {
    int64_t i;
    uint32_t off;
    int32_t col;
} SpoolVal;

/* Functions one of these files calls in another, grouped by the file that
 * defines them; each is described at its definition. */

/* import.c */
void imp_error(ImportReport *r, long row, int col, const char *msg);

/* import_read.c */
void imp_src_close(Src *s);
int imp_src_open(Src *s, const char *path, ImportReport *r, Err *e);
int imp_src_next(Src *s, Err *e);
int imp_src_row_blank(const Src *s);
int imp_map_header(Imp *m, const Src *s, Err *e);
int imp_header_score(const ColumnKind *k, const Src *s);

/* import_check.c */
void imp_keyset_free(KeySet *k);
void imp_owner_close(OwnerQ *q);
int imp_owner_open(Db *db, const Actor *a, const ColumnKind *k, int child,
                   OwnerQ **out, Err *e);
int imp_prepare(Imp *m, Err *e);
void imp_finalize(Imp *m);
/* Forget the remembered 所属单位 lookups (a new pass, or the end). */
void imp_units_forget(Imp *m);
int imp_default_unit(Imp *m, Err *e);
void imp_row_errors_flush(Imp *m, const RowState *rs, const Buf *sink);
int imp_owner_find(OwnerQ *q, const char *uscc, Owner *o, Err *e);
int imp_parse_row(Imp *m, RowState *rs, const Src *s, Err *e);
int imp_lookup_row(Imp *m, RowState *rs, Err *e);

/* import_write.c */
int imp_bulk_end(Imp *m, Err *e);
int imp_flush(Imp *m, Err *e);
int imp_insert(Imp *m, RowState *rs, Err *e);
int imp_update(Imp *m, RowState *rs, Err *e);
void imp_touch(Imp *m, int64_t ent_id);
Parsed *imp_pipe_take(Pipe *p);
void imp_pipe_release(Pipe *p);
int imp_spool_write(const Imp *m, const Parsed *x, FILE *f, Err *e);
int imp_spool_room(FILE *f, Err *e);
FILE *imp_spool_open(Db *db);
int imp_pipe_start(Pipe *p, Imp *m, Src *s, FILE *spool, Err *e);
void imp_pipe_end(Pipe *p);

#endif
