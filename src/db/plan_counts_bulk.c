/* plan_counts_bulk.c - the plan-count triggers off for one transaction,
 * the counts applied once. See plan_counts_bulk.h. */
#include "db/plan_counts_bulk.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "db/plan_counts_sql.h"

#define PCB_ROWS 200 /* pairs per INSERT */

static int pcb_is_pg(const Db *db)
{
    return strcmp(db_backend(db), "postgresql") == 0;
}

static int pcb_need_tx(Db *db, Err *e)
{
    if (!db_in_tx(db)) {
        return err_set(e, ERR_DB, NULL, "计数批量写入须在事务中进行");
    }
    return 0;
}

static int pcb_switch(Db *db, int off, Err *e)
{
    char *v = NULL;
    int rc = pcb_need_tx(db, e);

    if (rc) {
        return rc;
    }
    if (pcb_is_pg(db)) {
        /* transaction-local: gone at commit or rollback */
        rc = db_query_text(db, &v, e,
                           "SELECT set_config('kechuang.plan_counts_off', $1, "
                           "true)",
                           "t", off ? "on" : "off");
        free(v);
        return rc;
    }
    return db_exec(db,
                   off ? "INSERT INTO plan_counts_off (id) VALUES (1) "
                         "ON CONFLICT (id) DO NOTHING"
                       : "DELETE FROM plan_counts_off",
                   e);
}

int plan_counts_off(Db *db, Err *e)
{
    return pcb_switch(db, 1, e);
}

int plan_counts_on(Db *db, Err *e)
{
    return pcb_switch(db, 0, e);
}

int plan_counts_touch(Db *db, const int64_t *ents, const char *kind, size_t n,
                      Err *e)
{
    DbStmt *st = NULL;
    Buf sql;
    size_t prepared = 0;
    int rc = pcb_need_tx(db, e);

    buf_init(&sql, 8192);
    for (size_t i = 0; rc == 0 && i < n; i += PCB_ROWS) {
        size_t m = n - i < PCB_ROWS ? n - i : PCB_ROWS;

        if (m != prepared) {
            db_finalize(st);
            st = NULL;
            buf_reset(&sql);
            buf_append_str(&sql, "INSERT INTO plan_counts_touch "
                                 "(enterprise_id, kind) VALUES ");
            for (size_t j = 0; j < m; j++) {
                buf_appendf(&sql, "%s($%zu, $%zu)", j ? ", " : "", 2 * j + 1,
                            2 * j + 2);
            }
            buf_append_str(&sql, " ON CONFLICT (enterprise_id, kind) DO "
                                 "NOTHING");
            rc = db_prepare(db, sql.data, &st, e);
            prepared = rc == 0 ? m : 0;
        } else {
            db_reset(st);
        }
        for (size_t j = 0; rc == 0 && j < m; j++) {
            rc = db_bind_int64(st, (int)(2 * j + 1), ents[i + j]);
            if (rc == 0) {
                rc = db_bind_text(st, (int)(2 * j + 2), kind);
            }
            if (rc) {
                rc = err_set(e, ERR_DB, NULL, "计数批量写入：参数绑定失败");
            }
        }
        if (rc == 0) {
            rc = db_step(st, e);
            rc = rc == DB_DONE ? 0 : rc;
        }
    }
    db_finalize(st);
    buf_release(&sql);
    return rc;
}

int plan_counts_bulk_begin(Db *db, Err *e)
{
    int rc = pcb_need_tx(db, e);

    if (rc == 0) {
        rc = db_exec(db, PLAN_COUNTS_TOUCHED_SUB, e);
    }
    if (rc == 0) {
        rc = plan_counts_off(db, e);
    }
    return rc;
}

int plan_counts_bulk_end(Db *db, Err *e)
{
    int rc = pcb_need_tx(db, e);

    if (rc == 0) {
        rc = db_exec(db, PLAN_COUNTS_TOUCHED_ADD, e);
    }
    if (rc == 0) {
        rc = db_exec(db, "DELETE FROM plan_counts_touch", e);
    }
    if (rc == 0) {
        rc = plan_counts_on(db, e);
    }
    return rc;
}

int plan_counts_rebuild(Db *db, Err *e)
{
    int rc = pcb_need_tx(db, e);

    if (rc == 0) {
        rc = db_exec(db, "DELETE FROM plan_counts", e);
    }
    if (rc == 0) {
        rc = db_exec(db, PLAN_COUNTS_REBUILD_QUAL, e);
    }
    if (rc == 0) {
        rc = db_exec(db, PLAN_COUNTS_REBUILD_IP, e);
    }
    if (rc == 0) {
        rc = db_exec(db, PLAN_COUNTS_REBUILD_CON, e);
    }
    if (rc == 0) {
        rc = plan_counts_on(db, e);
    }
    return rc;
}
