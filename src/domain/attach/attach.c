/* attach.c - files attached to records (attach.h). */
#include "domain/attach/attach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/secret.h"
#include "base/utf8.h"
#include "base/valid.h"
#include "domain/accounts/audit.h"

/* Allowed extensions, the content type served, and how the content must
 * begin (NULL: any bytes; "TEXT": valid UTF-8 without NUL). */
static const struct {
    const char *ext;
    const char *mime;
    const char *magic;
    size_t magic_len;
} attach_types[] = {
    {"pdf", "application/pdf", "%PDF-", 5},
    {"ofd", "application/ofd", "PK\x03\x04", 4},
    {"png", "image/png", "\x89PNG\r\n\x1a\n", 8},
    {"jpg", "image/jpeg", "\xff\xd8\xff", 3},
    {"jpeg", "image/jpeg", "\xff\xd8\xff", 3},
    {"docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml."
     "document",
     "PK\x03\x04", 4},
    {"xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "PK\x03\x04", 4},
    {"pptx",
     "application/vnd.openxmlformats-officedocument.presentationml."
     "presentation",
     "PK\x03\x04", 4},
    {"doc", "application/msword", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8},
    {"xls", "application/vnd.ms-excel", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8},
    {"zip", "application/zip", "PK\x03\x04", 4},
    {"txt", "text/plain; charset=utf-8", "TEXT", 0},
};
#define ATTACH_N_TYPES (sizeof attach_types / sizeof attach_types[0])

int attach_check(const char *name, const void *data, size_t len,
                 char clean[ATTACH_NAME_MAX * 4 + 1], const char **mime, Err *e)
{
    const char *dot;
    int rc;

    *mime = NULL;
    rc = valid_text(name, 1, ATTACH_NAME_MAX, clean, ATTACH_NAME_MAX * 4 + 1,
                    "file", "文件名", e);
    if (rc) {
        return rc;
    }
    if (strpbrk(clean, "/\\:*?\"<>|")) {
        return err_set(e, ERR_INVALID, "file",
                       "文件名不能含 / \\ : * ? \" < > | 等字符");
    }
    if (len == 0) {
        return err_set(e, ERR_INVALID, "file", "上传的文件为空");
    }
    if (len > ATTACH_MAX_BYTES) {
        return err_set(e, ERR_TOOBIG, "file", "文件超过 %zu MB",
                       ATTACH_MAX_BYTES / ((size_t)1024 * 1024));
    }
    dot = strrchr(clean, '.');
    for (size_t i = 0; dot && i < ATTACH_N_TYPES; i++) {
        if (strcasecmp(dot + 1, attach_types[i].ext) != 0) {
            continue;
        }
        if (strcmp(attach_types[i].magic, "TEXT") == 0) {
            size_t bad = 0;

            if (memchr(data, '\0', len) ||
                !utf8_validate((const char *)data, len, &bad)) {
                return err_set(e, ERR_INVALID, "file",
                               "文件内容不是 UTF-8 文本（第 %zu 字节）",
                               bad + 1);
            }
        } else if (len < attach_types[i].magic_len ||
                   memcmp(data, attach_types[i].magic,
                          attach_types[i].magic_len) != 0) {
            return err_set(e, ERR_INVALID, "file",
                           "文件内容与扩展名 .%s 不符（不是该格式的文件）",
                           attach_types[i].ext);
        }
        *mime = attach_types[i].mime;
        return 0;
    }
    return err_set(
        e, ERR_INVALID, "file",
        "只接受 PDF、OFD、图片（PNG、JPG）、Word、Excel、PowerPoint、"
        "ZIP 和 TXT 文件");
}

int attach_add(Db *db, const Actor *a, const char *owner_type, int64_t owner_id,
               const char *unit_path, const char *name, const void *data,
               size_t len, int64_t *id_out, Err *e)
{
    char clean[ATTACH_NAME_MAX * 4 + 1];
    char sha[SECRET_HASH_HEX];
    char now[CLOCK_ISO_LEN];
    const char *mime = NULL;
    json_t *after = NULL;
    DbStmt *st = NULL;
    int64_t n = 0;
    int rc;

    *id_out = 0;
    rc = attach_check(name, data, len, clean, &mime, e);
    if (rc) {
        return rc;
    }
    secret_sha256_hex(data, len, sha);
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    if (rc) {
        return rc;
    }
    rc = db_query_int64(db, &n, e,
                        "SELECT COUNT(*) FROM attachments WHERE owner_type = "
                        "$1 AND owner_id = $2 AND deleted_at IS NULL",
                        "ti", owner_type, owner_id);
    if (rc == 0 && n >= ATTACH_MAX_PER_OWNER) {
        rc = err_set(e, ERR_CONFLICT, "file", "每条记录最多 %d 个附件",
                     ATTACH_MAX_PER_OWNER);
    }
    if (rc == 0) {
        rc = db_prepare(db,
                        "INSERT INTO attachments (owner_type, owner_id, name, "
                        "mime, size, sha256, content, unit_path, created_by, "
                        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                        "$9, $10) RETURNING id",
                        &st, e);
    }
    if (rc == 0) {
        db_bind_text(st, 1, owner_type);
        db_bind_int64(st, 2, owner_id);
        db_bind_text(st, 3, clean);
        db_bind_text(st, 4, mime);
        db_bind_int64(st, 5, (int64_t)len);
        db_bind_text(st, 6, sha);
        db_bind_blob_static(st, 7, data, len);
        db_bind_text(st, 8, unit_path);
        if (a->user_id > 0) {
            db_bind_int64(st, 9, a->user_id);
        } else {
            db_bind_null(st, 9);
        }
        db_bind_text(st, 10, now);
        rc = db_step(st, e);
        if (rc == DB_ROW) {
            *id_out = db_col_int64(st, 0);
            rc = 0;
        } else if (rc == DB_DONE) {
            rc = err_set(e, ERR_DB, NULL, "attachment insert returned no id");
        }
    }
    db_finalize(st);
    if (rc == 0) {
        after = json_pack("{sssIsssssI}", "owner_type", owner_type, "owner_id",
                          (json_int_t)owner_id, "name", clean, "sha256", sha,
                          "size", (json_int_t)len);
        rc = audit_record(db, a, "attach.create", "attachment", *id_out,
                          unit_path, NULL, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
        *id_out = 0;
    }
    json_decref(after);
    return rc;
}

int attach_list(Db *db, const char *owner_type, int64_t owner_id,
                json_t **items, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *items = json_array();
    rc = db_prepare_v(db, &st, e,
                      "SELECT x.id, x.name, x.mime, x.size, x.sha256, "
                      "x.created_at, u.display_name FROM attachments x LEFT "
                      "JOIN users u ON u.id = x.created_by WHERE x.owner_type "
                      "= $1 AND x.owner_id = $2 AND x.deleted_at IS NULL "
                      "ORDER BY x.id",
                      "ti", owner_type, owner_id);
    while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
        json_array_append_new(
            *items,
            json_pack(
                "{sIsssssIssssss?}", "id", (json_int_t)db_col_int64(st, 0),
                "name", db_col_text(st, 1), "mime", db_col_text(st, 2), "size",
                (json_int_t)db_col_int64(st, 3), "sha256", db_col_text(st, 4),
                "created_at", db_col_text(st, 5), "created_by_name",
                db_col_is_null(st, 6) ? NULL : db_col_text(st, 6)));
        rc = 0;
    }
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

int attach_info(Db *db, int64_t id, AttachInfo *out, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    rc = db_prepare_v(db, &st, e,
                      "SELECT owner_type, owner_id, name, mime, size, "
                      "unit_path FROM attachments WHERE id = $1 AND "
                      "deleted_at IS NULL",
                      "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_ROW) {
        out->id = id;
        snprintf(out->owner_type, sizeof out->owner_type, "%s",
                 db_col_text(st, 0));
        out->owner_id = db_col_int64(st, 1);
        snprintf(out->name, sizeof out->name, "%s", db_col_text(st, 2));
        snprintf(out->mime, sizeof out->mime, "%s", db_col_text(st, 3));
        out->size = db_col_int64(st, 4);
        snprintf(out->unit_path, sizeof out->unit_path, "%s",
                 db_col_text(st, 5));
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "附件不存在");
    }
    db_finalize(st);
    return rc;
}

int attach_content(Db *db, int64_t id, void **data, size_t *len, Err *e)
{
    DbStmt *st = NULL;
    int rc;

    *data = NULL;
    *len = 0;
    rc = db_prepare_v(db, &st, e,
                      "SELECT content FROM attachments WHERE id = $1 AND "
                      "deleted_at IS NULL",
                      "i", id);
    if (rc == 0) {
        rc = db_step(st, e);
    }
    if (rc == DB_ROW) {
        size_t n = db_col_bytes(st, 0);
        const void *p = db_col_blob(st, 0);

        *data = malloc(n ? n : 1);
        if (!*data) {
            rc = err_set(e, ERR_INTERNAL, NULL, "out of memory");
        } else {
            if (n) {
                memcpy(*data, p, n);
            }
            *len = n;
            rc = 0;
        }
    } else if (rc == DB_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "id", "附件不存在");
    }
    db_finalize(st);
    return rc;
}

int attach_delete(Db *db, const Actor *a, int64_t id, const char *reason,
                  Err *e)
{
    char why[200 * 4 + 1];
    char now[CLOCK_ISO_LEN];
    json_t *before = NULL;
    json_t *after = NULL;
    AttachInfo info;
    int rc;

    rc = valid_text(reason, 1, 200, why, sizeof why, "reason", "删除原因", e);
    if (rc == 0) {
        rc = db_begin(db, e);
    }
    if (rc) {
        return rc;
    }
    rc = attach_info(db, id, &info, e);
    clock_now_iso(now, 0);
    if (rc == 0) {
        rc = db_exec_v(db, e,
                       "UPDATE attachments SET deleted_at = $1, deleted_by = "
                       "$2, delete_reason = $3 WHERE id = $4 AND deleted_at "
                       "IS NULL",
                       "tpti", now, a->user_id > 0 ? &a->user_id : NULL, why,
                       id);
    }
    if (rc == 0) {
        before =
            json_pack("{sssIss}", "owner_type", info.owner_type, "owner_id",
                      (json_int_t)info.owner_id, "name", info.name);
        after = json_pack("{ss}", "delete_reason", why);
        rc = audit_record(db, a, "attach.delete", "attachment", id,
                          info.unit_path, before, after, e);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}
