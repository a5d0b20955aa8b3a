/* audit.h - the append-only, hash-chained audit log.
 *
 * Every write in the domain layer records one entry inside its own
 * transaction (audit_record asserts that one is open). Each entry stores
 * the SHA-256 of the previous entry's hash and all of its own fields, so
 * editing or deleting a row breaks the chain at that row, which
 * audit_verify (and `kechuang audit verify`) reports. The format is in
 * docs/internals/accounts.md. */
#ifndef KC_DOMAIN_AUDIT_H
#define KC_DOMAIN_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define AUDIT_GENESIS_HASH                                                     \
    "0000000000000000000000000000000000000000000000000000000000000000"

/* Most rows one export may hold. */
#define AUDIT_EXPORT_MAX 100000

/* Append an entry for the write the caller is doing in its open
 * transaction. before/after (may be NULL) are not modified or stolen;
 * fields named like secrets (password, password_hash, token, token_hash,
 * csrf, secret) are removed from the stored copy at any depth. unit_path is
 * the scope of the object ("/1/4/"); NULL means the actor's own. */
int audit_record(Db *db, const Actor *a, const char *action,
                 const char *object_type, int64_t object_id,
                 const char *unit_path, json_t *before, json_t *after, Err *e);

/* Walk the whole chain in id order. *n_checked gets the number of entries
 * checked; *first_bad_id the id of the first entry whose prev_hash or hash
 * does not match (0 when the chain is intact). Returns 0 unless the
 * database fails: a broken chain is reported through *first_bad_id. */
int audit_verify(Db *db, int64_t *n_checked, int64_t *first_bad_id, Err *e);

/* Filters of the list and the export; zero / NULL fields do not filter. */
typedef struct AuditFilter {
    int has_user_id;
    int64_t user_id;
    const char *action;
    const char *object_type;
    int64_t object_id; /* 0 = any */
    const char *from;  /* "YYYY-MM-DD" or ISO-8601 UTC, inclusive */
    const char *to;    /* same; a bare date includes the whole day */
    const char *sort;  /* at, action, username or object_type; "-" prefix =
                          descending; NULL = "-at" (newest first) */
    char from_iso[24]; /* normalised by audit_filter_check */
    char to_iso[24];
} AuditFilter;

/* Validate and normalise from/to and check sort (ERR_INVALID naming
 * "from", "to" or "sort"). */
int audit_filter_check(AuditFilter *f, Err *e);

/* One entry as read back (pointers valid during the callback only). */
typedef struct AuditRow {
    int64_t id;
    const char *at;
    int has_user_id;
    int64_t user_id;
    const char *username;
    const char *addr;
    const char *action;
    const char *object_type;
    int64_t object_id;
    const char *unit_path;
    const char *before_json; /* NULL when none */
    const char *after_json;
    const char *prev_hash;
    const char *hash;
} AuditRow;

/* JSON object of one row (new reference; caller decrefs). */
json_t *audit_row_json(const AuditRow *r);

/* Page of entries in a's scope matching f, in f->sort order then id. *items
 * gets a new array (caller decrefs), *total the number of matching entries. */
int audit_list(Db *db, const Actor *a, const AuditFilter *f, int64_t offset,
               int64_t limit, json_t **items, int64_t *total, Err *e);

/* One entry (in scope) as JSON; ERR_NOTFOUND otherwise. Caller decrefs. */
int audit_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* Call fn for every entry in scope matching f, in the list's order. Refuses
 * with ERR_TOOBIG (before calling fn) when more than max_rows match. fn returns
 * 0 to go on, else an ERR_* code that stops the walk and is returned. */
typedef int (*AuditRowFn)(void *ud, const AuditRow *row);
int audit_export(Db *db, const Actor *a, const AuditFilter *f, int64_t max_rows,
                 AuditRowFn fn, void *ud, Err *e);

/* A data version ("mark") for values kept in a process: the newest audit
 * entry's id and chain hash (the same database) and the highest row id of
 * one table (rows inserted by plain SQL, bulk loads, move it too):
 * "id:hash:max". "" when the audit log is empty (nothing to keep). */
#define AUDIT_MARK_MAX 192
typedef enum AuditMarkTable {
    AUDIT_MARK_QUALIFICATIONS,
    AUDIT_MARK_MARKET_ITEMS,
    AUDIT_MARK_ENTERPRISES
} AuditMarkTable;
int audit_mark(Db *db, AuditMarkTable t, char mark[AUDIT_MARK_MAX], Err *e);

/* Does a value kept at mark kept still hold at mark now? 1 when the
 * entries since record only sessions and tokens (log in and out,
 * passwords, API tokens: no data written), the table's highest id is the
 * same and the kept entry's hash is still that entry's; 0 otherwise (and
 * on any error: the caller computes afresh). */
int audit_mark_still(Db *db, const char *kept, const char *now);

#endif
