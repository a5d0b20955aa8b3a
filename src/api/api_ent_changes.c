/* api_ent_changes.c - the change history of one enterprise: the audit
 * entries whose object is the enterprise (its record, yearly figures, IP
 * rights and facts are all audited under it), newest first. Readable by
 * every role that may read the enterprise; the route's SCOPE_ENTERPRISE
 * answers 404 for an enterprise outside the caller's units. */
#include "api/api.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "domain/accounts/audit.h"

/* Keys of an audit entry that the change history leaves out: the client
 * address and the hash chain belong to the audit log (PERM_AUDIT), not to
 * every reader of the enterprise. */
static const char *const api_ent_changes_hidden[] = {"addr", "prev_hash",
                                                     "hash"};

/* GET /api/v1/enterprises/{id}/changes?page&page_size: one page of the
 * enterprise's audit entries, newest first. */
int api_ent_changes_list(Ctx *c, Err *e)
{
    json_t *items = NULL;
    json_t *it;
    int64_t total = 0;
    AuditFilter f;
    int64_t id;
    size_t i, k;
    Page pg;
    int rc;

    memset(&f, 0, sizeof f);
    rc = ctx_param_id(c, "id", &id, e);
    if (rc == 0) {
        rc = ctx_page(c, &pg, e);
    }
    if (rc) {
        goto out;
    }
    f.object_type = "enterprise";
    f.object_id = id;
    f.sort = "-at";
    rc = audit_filter_check(&f, e);
    if (rc == 0) {
        rc = audit_list(c->db, &c->actor, &f, pg.offset, pg.size, &items,
                        &total, e);
    }
    if (rc) {
        goto out;
    }
    json_array_foreach(items, i, it)
    {
        for (k = 0; k < sizeof api_ent_changes_hidden /
                            sizeof api_ent_changes_hidden[0];
             k++) {
            json_object_del(it, api_ent_changes_hidden[k]);
        }
    }
    rc = ctx_reply_page(c, items, total, &pg);
    items = NULL; /* stolen by json_pack */
out:
    json_decref(items);
    return rc;
}
