/* attach.h - files attached to records (佐证材料): stored in the database
 * with their name, type, size and SHA-256, listed per owner record,
 * downloaded, and deleted with a reason (the row stays; lists leave it
 * out). Every add and delete is one transaction with its audit entry.
 *
 * The owner's module decides who may read or add (the API layer asks it
 * first and passes the owner's unit path, which becomes the file's data
 * scope). Files are checked here: a name without path or control
 * characters, an allowed extension whose content starts as that format
 * does (PDF, OFD, images, Office documents, ZIP, plain text), at most
 * ATTACH_MAX_BYTES, at most ATTACH_MAX_PER_OWNER files per record.
 *
 * Uses: base, db, domain/accounts (audit). See docs/internals/attach.md. */
#ifndef KC_DOMAIN_ATTACH_ATTACH_H
#define KC_DOMAIN_ATTACH_ATTACH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define ATTACH_MAX_BYTES ((size_t)20 * 1024 * 1024)
#define ATTACH_MAX_PER_OWNER 20
#define ATTACH_NAME_MAX 120 /* characters */

/* Owner kinds (attachments.owner_type). */
#define ATTACH_PLAN_REPORT "plan_report"
#define ATTACH_PLAN_ACTUAL "plan_actual"
#define ATTACH_POLICY_APP "policy_application"

/* Check name and content; clean gets the name trimmed (ATTACH_NAME_MAX * 4
 * + 1 bytes) and *mime the file's content type (a static string).
 * ERR_INVALID / ERR_TOOBIG with a zh-CN message naming "file". */
int attach_check(const char *name, const void *data, size_t len,
                 char clean[ATTACH_NAME_MAX * 4 + 1], const char **mime,
                 Err *e);

/* Add a file to (owner_type, owner_id) whose unit is unit_path; *id_out
 * gets its id. One transaction with the audit entry (attach.create). */
int attach_add(Db *db, const Actor *a, const char *owner_type, int64_t owner_id,
               const char *unit_path, const char *name, const void *data,
               size_t len, int64_t *id_out, Err *e);

/* The files of a record, oldest first: [{id, name, mime, size, sha256,
 * created_at, created_by_name}] (*items new array). */
int attach_list(Db *db, const char *owner_type, int64_t owner_id,
                json_t **items, Err *e);

/* One file's record (not deleted). */
typedef struct AttachInfo {
    int64_t id;
    char owner_type[32];
    int64_t owner_id;
    char name[ATTACH_NAME_MAX * 4 + 1];
    char mime[80];
    int64_t size;
    char unit_path[ACTOR_PATH_MAX];
} AttachInfo;
int attach_info(Db *db, int64_t id, AttachInfo *out, Err *e);

/* The content of file id into *data (malloc'd, *len bytes; the caller
 * frees it). */
int attach_content(Db *db, int64_t id, void **data, size_t *len, Err *e);

/* Delete file id with a reason (required): the row is kept, marked
 * deleted, audited (attach.delete). */
int attach_delete(Db *db, const Actor *a, int64_t id, const char *reason,
                  Err *e);

#endif
