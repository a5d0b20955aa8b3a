/* pipeline.h - the 四个一批 pipeline: batches (批次) per ladder tier and
 * year; entries move 遴选 -> 入库 -> 培育 -> 认定, each transition one
 * transaction with its audit entry and a journey event (who, when, why).
 *
 * Uses: the stored decisions (elig_decisions.h: candidates "closest first"),
 * the rule engine's explanations (elig_evaluate: gaps become cultivation
 * tasks), and the qualifications register (009: the 认定 outcome). Data
 * scope: entries, tasks and counts are limited to the enterprises of the
 * actor's units; batches themselves are visible to every reader.
 * See docs/internals/pipeline.md. */
#ifndef KC_DOMAIN_PIPELINE_PIPELINE_H
#define KC_DOMAIN_PIPELINE_PIPELINE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

#define PIPE_CHAIN_MAX 8       /* review steps of a batch */
#define PIPE_PICK_MAX 2000     /* candidates taken from one screening */
#define PIPE_TASKS_MAX 40      /* tasks made from one enterprise's gaps */
#define PIPE_TEXT_MAX 2000     /* characters of a comment or reason */
#define PIPE_EXPORT_MAX 100000 /* rows of one export */
#define PIPE_BOARD_MAX 500     /* cards per board column */

/* A new batch. review_chain: JSON array of {"role": code, "unit_id":
 * optional, "label": optional}, 1..PIPE_CHAIN_MAX steps; NULL = one step
 * by bureau staff. */
typedef struct PipeBatchInput {
    const char *tier;
    int64_t year;
    const char *name; /* NULL: "<year>年<tier name>" */
    const char *note;
    json_t *review_chain;
} PipeBatchInput;

/* Validate and create (staff / admin only). *id gets the new id. */
int pipe_batch_create(Db *db, const Actor *a, const PipeBatchInput *in,
                      int64_t *id, Err *e);

/* Close or reopen a batch (closed batches take no new entries). */
int pipe_batch_close(Db *db, const Actor *a, int64_t id, int closed,
                     const char *reason, Err *e);

/* Batches (optionally of tier / year), newest year first, each with the
 * count of entries by stage in a's scope. *items new reference. */
int pipe_batch_list(Db *db, const Actor *a, const char *tier, int64_t year,
                    int64_t offset, int64_t limit, json_t **items,
                    int64_t *total, Err *e);

/* One batch with its review chain and counts. */
int pipe_batch_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* 遴选 from the stored screening of the batch's tier: the current rule
 * set's decisions in a's scope (unit_id: only that unit, 0 all), closest
 * first, up to limit; verdict ("met", "unmet" ... or NULL any) filters.
 * Enterprises already in the batch are skipped. One transaction, one audit
 * entry. *added gets the number added. */
int pipe_pick_screening(Db *db, const Actor *a, int64_t batch_id, int64_t limit,
                        int64_t unit_id, const char *verdict, int64_t *added,
                        Err *e);

/* 遴选 by hand with a reason (required). *id: the new entry. */
int pipe_entry_add(Db *db, const Actor *a, int64_t batch_id,
                   int64_t enterprise_id, const char *reason, int64_t *id,
                   Err *e);

/* A transition. action: recommend (comment required), approve, return
 * (comment required), cultivate (owner_user_id / due_on of the tasks
 * made from the gaps, optional), certify (outcome from the register; not
 * certified needs a comment), withdraw (comment required). */
typedef struct PipeAct {
    const char *action;
    const char *comment;
    int64_t owner_user_id; /* 0: the enterprise's 包联人员, else the actor */
    const char *due_on;    /* NULL: 90 days from today */
} PipeAct;

int pipe_entry_act(Db *db, const Actor *a, int64_t entry_id, const PipeAct *act,
                   json_t **out, Err *e);

/* One entry with its events and tasks. */
int pipe_entry_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* Entry list filters (0 / NULL: any). column: select, admit, cultivate,
 * certify, withdrawn. */
typedef struct PipeFilter {
    int64_t batch_id;
    const char *tier;
    int64_t year;
    const char *stage;
    const char *column;
    int64_t unit_id;
    int64_t enterprise_id;
    const char *q; /* name / USCC substring */
} PipeFilter;

int pipe_entry_list(Db *db, const Actor *a, const PipeFilter *f, int64_t offset,
                    int64_t limit, json_t **items, int64_t *total, Err *e);

/* The board of a batch: {batch, columns: [{key, title, total, items}]}. */
int pipe_board(Db *db, const Actor *a, int64_t batch_id, json_t **out, Err *e);

/* Funnel: entries that reached each stage and the conversion from the
 * stage before, overall and per unit (the enterprise's unit) and year:
 * {stages, total, rows: [{year, unit_id, unit_name, counts, rates}]}. */
int pipe_funnel(Db *db, const Actor *a, const PipeFilter *f, json_t **out,
                Err *e);

/* An enterprise's journey: {items: its entries (all batches) with their
 * events and tasks, oldest first; liaison: its 包联人员 {user_id, name,
 * unit_id, unit_name} or null}. The caller checked the enterprise's
 * scope. */
int pipe_journey(Db *db, const Actor *a, int64_t enterprise_id, json_t **out,
                 Err *e);

/* Cultivation tasks (worklist). mine: owner is a; overdue: open and due
 * before today; status NULL = any. */
typedef struct PipeTaskFilter {
    int mine;
    int overdue;
    const char *status;
    int64_t unit_id;
    int64_t batch_id;
    int64_t enterprise_id;
    int64_t task_id; /* one task */
} PipeTaskFilter;

int pipe_task_list(Db *db, const Actor *a, const PipeTaskFilter *f,
                   int64_t offset, int64_t limit, json_t **items,
                   int64_t *total, Err *e);

/* Change a task: status (open / done / dropped), owner, due date, note
 * (NULL / 0 = unchanged). */
typedef struct PipeTaskInput {
    const char *status;
    int has_owner;
    int64_t owner_user_id; /* 0 with has_owner: nobody */
    const char *due_on;
    const char *note;
} PipeTaskInput;

int pipe_task_update(Db *db, const Actor *a, int64_t task_id,
                     const PipeTaskInput *in, json_t **out, Err *e);

/* A task added by hand to an entry in 培育. */
int pipe_task_add(Db *db, const Actor *a, int64_t entry_id, const char *title,
                  int64_t owner_user_id, const char *due_on, int64_t *id,
                  Err *e);

/* zh-CN name of a stage code ("admitted" -> "已入库"); the code itself
 * when unknown. */
const char *pipe_stage_name(const char *code);

/* zh-CN name of an action code ("recommend" -> "推荐入库"); the code
 * itself when unknown. */
const char *pipe_action_name(const char *code);
/* The actions as [{value, label, hint, needs_comment, offered}] (new
 * array): hint names the comment; needs_comment when it is always
 * required; offered when pipe_entry_act takes it (select is not). */
json_t *pipe_actions_json(void);

/* zh-CN name of a task status ("done" -> "已完成"); NULL when unknown
 * (the task list and a task's update refuse those). */
const char *pipe_task_status_name(const char *status);
/* The task statuses as [{value, label}] (new array; GET
 * /reference/labels task_statuses). */
json_t *pipe_task_statuses_json(void);

/* Longest stage list pipe_stages_valid accepts, with its NUL. */
#define PIPE_STAGES_MAX 128
/* Is tier a ladder tier code of the rule sets (sme, hnte, chuying ...)? */
int pipe_tier_valid(const char *tier);
/* Is stages a comma-separated list of known stage codes (no blanks, no
 * repeats, shorter than PIPE_STAGES_MAX)? */
int pipe_stages_valid(const char *stages);
/* The stages as [{code, name}] (new array), the choices the UI offers. */
json_t *pipe_stages_json(void);

#endif
