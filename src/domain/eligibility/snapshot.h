/* snapshot.h - the enterprise library as columns, for whole-library
 * screening with the batch evaluator (src/rules/batch.h).
 *
 * A Snapshot holds, for every non-retired enterprise (ascending id) and
 * one as-of date, exactly the rule input elig_load_input() gives, stored
 * column-wise: one int64 column plus a presence column per yearly field
 * and year slot and per scalar field (a scalar field whose values all fit
 * in -128..127 one byte per row, BatchInput.sv8; columns nobody has are
 * absent),
 * the enterprise's unit and the SHA-256 of its rule input. Beside them it
 * keeps the inputs as read (figures by absolute year, the record, IP
 * rights, facts, declarations, register rows, catalogue matches), from
 * which snapshot_set_date() derives the columns of any other date
 * without reading the database. It is built
 * with set-based scans of enterprises, enterprise_years, ip_rights,
 * enterprise_facts and enterprise_declarations (never one query per
 * enterprise) and can be saved beside the database. It is in step with
 * the database while no audit entry that can change rule inputs was
 * written after the one it was built at (every write records one; see
 * docs/internals/batch.md). */
#ifndef KC_DOMAIN_SNAPSHOT_H
#define KC_DOMAIN_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "base/date.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/jobs/job.h"
#include "rules/batch.h"
#include "rules/rules.h"

typedef struct Snapshot Snapshot;

/* Timings and sizes of the last build / load, for status and benches. */
typedef struct SnapshotInfo {
    int64_t rows;
    int64_t columns;    /* value columns held */
    int64_t bytes;      /* memory of the columns */
    int64_t audit_mark; /* audit_log id it is in step with */
    double build_ms;    /* scans and mapping */
    double hash_ms;     /* input hashes */
    double load_ms;     /* reading the saved file */
    int from_file;      /* 1 when loaded, 0 when built */
    int incremental;    /* 1 when a stale one was updated (snapshot_update) */
    int64_t touched;    /* then: enterprises re-read */
    int in_place;       /* then: their rows written into the saved file in
                           place (no whole save) */
    double update_ms;   /* then: the whole update (before saving) */
    int redated;        /* 1 when moved to another date (set_date) */
    double date_ms;     /* deriving the date's columns and hashes */
} SnapshotInfo;

/* Tests only: when set, an in-place update of the saved file stops after
 * writing the rows, before their audit mark (as if the process were
 * killed there), and the screening fails. */
extern int snapshot_test_stop_in_place;

/* Build the snapshot of the library at as_of from db (one read
 * transaction when none is open). */
int snapshot_build(Db *db, Date as_of, Snapshot **out, Err *e);
void snapshot_free(Snapshot *s);

size_t snapshot_rows(const Snapshot *s);
Date snapshot_as_of(const Snapshot *s);
int64_t snapshot_enterprise_id(const Snapshot *s, size_t row);
int64_t snapshot_unit_id(const Snapshot *s, size_t row);
/* Row of an enterprise, or -1. */
int64_t snapshot_find(const Snapshot *s, int64_t enterprise_id);
/* The columns as batch input (valid while s lives). */
const BatchInput *snapshot_input(const Snapshot *s);
void snapshot_info(const Snapshot *s, SnapshotInfo *out);

/* Row row as a RuleInput (the caller frees it); its rule_input_hash()
 * equals elig_load_input()'s for that enterprise. */
RuleInput *snapshot_row_input(const Snapshot *s, size_t row);

/* rule_input_hash() of row row's input (as stored with decisions). */
void snapshot_row_hash(const Snapshot *s, size_t row, char out[65]);

/* Move s to as_of: the date's columns, input hashes and conflict counts
 * derived again from the inputs kept as read (equal to a build at as_of
 * of the same data). Fails (s unchanged) only for a date whose year
 * window reaches outside 1970..2069 while figures of such years exist. */
int snapshot_set_date(Snapshot *s, Date as_of, Err *e);

/* Save to / load from a file (written to path.tmp, then renamed). */
int snapshot_save(const Snapshot *s, const char *path, Err *e);
int snapshot_load(const char *path, Snapshot **out, Err *e);

/* *fresh = 1 when no audit entry that may change rule inputs was written
 * after the snapshot's mark (actions of sessions, users, tokens, jobs,
 * screening, sandbox, rule-set reloads, units, and of the modules that
 * write no rule input — policies, cultivation, plans, carriers, the
 * market ... — do not; docs/internals/batch.md). */
int snapshot_fresh(Db *db, const Snapshot *s, int *fresh, Err *e);

/* The same for the entries after both the mark and from (an id already
 * checked, 0 for none), read by id in batches until the first that
 * counts; *checked_to (when not NULL) gets the highest id found harmless
 * (or the larger of mark and from): a later check may start there, as
 * ids are given in commit order (audit_record holds the write lock). */
int snapshot_fresh_since(Db *db, const Snapshot *s, int64_t from, int *fresh,
                         int64_t *checked_to, Err *e);

/* Tests only: audit entries read by the checks above (never reset). */
extern int64_t snapshot_test_fresh_rows;

/* Bring a stale snapshot in step without rebuilding it: the enterprises
 * named by the audit entries after its mark (and those added since it
 * was built) are read again by the same scans limited to their ids, and
 * their rows replaced, added or dropped (retired); the audit entries,
 * the new mark and those rows come from one read transaction. *out gets
 * the new snapshot (s is left as it is), or NULL when an update does not
 * pay or cannot be narrowed to enterprises (more than a fifth of the
 * rows, a catalogue import, ...): then build a new one. */
int snapshot_update(Db *db, const Snapshot *s, JobRun *run, Snapshot **out,
                    Err *e);

/* The snapshot for as_of, cheapest first: the saved file at path when it
 * is for as_of and fresh; else that file updated when stale
 * (snapshot_update) and moved to as_of when of another date
 * (snapshot_set_date); else a new build. Saved to path unless the file
 * was used as it is (path may be NULL: build, never save). */
int snapshot_get(Db *db, const char *path, Date as_of, Snapshot **out, Err *e);
/* The same for a job: a build shows its steps as the job's phase
 * ("读取企业数据：年度数据" ...) and stops between steps when the job is
 * cancelled (ERR_CANCELLED). run may be NULL. */
int snapshot_get_run(Db *db, const char *path, Date as_of, JobRun *run,
                     Snapshot **out, Err *e);

/* Conventional snapshot file of a database location ("x.db" ->
 * "x.db.snapshot"); NULL for an in-memory database. The caller frees. */
char *snapshot_path_for(const char *db_location);

/* Evaluate rule sets over the snapshot rows in a's scope and store one
 * decision per enterprise and rule set in the rule sets' decision columns
 * (dec_cols.h; replacing the scope's earlier decisions of those rule sets,
 * keeping the other units'). Runs in the caller's
 * transaction; job_id 0 stores NULL. counts (may be NULL) gets per rule
 * set the number of enterprises per verdict: counts[k][RULE_V_*]. run
 * (may be NULL) gets progress and is polled for cancellation. */
int snapshot_screen(Db *db, const Snapshot *s, const Actor *a,
                    const RuleSet *const *sets, int n_sets, int64_t job_id,
                    JobRun *run, int64_t (*counts)[8], Err *e);

/* in_scope[row] = 1 for the snapshot rows whose unit lies under the unit
 * path scope (an actor's unit_path), else 0; *n_in (may be NULL) gets
 * their number. in_scope has snapshot_rows() bytes. */
int snapshot_scope(Db *db, const Snapshot *s, const char *scope,
                   uint8_t *in_scope, size_t *n_in, Err *e);

/* Re-screen one rule set in memory (the sandbox): verdicts and score
 * ranges of every snapshot row into out (arrays of snapshot_rows()). */
int snapshot_rescreen(const Snapshot *s, const RuleSet *rs, BatchOut *out,
                      Err *e);

#endif
