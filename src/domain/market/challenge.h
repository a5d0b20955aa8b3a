/* challenge.h - 揭榜 challenges ("企业出题、专家破题、政府助题"): a demand
 * of the 需求库 becomes a challenge (draft), the bureau reviews and
 * publishes it with reward and deadline, solvers apply, one application is
 * selected with a reason, the registered contract is linked, milestones are
 * tracked, the result is accepted and the challenge closes with its outcome
 * and the reward paid. Every transition is one transaction with an event
 * row and an audit entry ("challenge.<action>"). Uses pool.h and
 * contract.h. */
#ifndef KC_DOMAIN_MARKET_CHALLENGE_H
#define KC_DOMAIN_MARKET_CHALLENGE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* The fields an action may carry (NULL / 0 = not given). Money in 元. */
typedef struct ChallengeArgs {
    const char *note;  /* reason, review note, outcome */
    const char *title; /* create: title (default the demand's); milestone */
    const char *date;  /* deadline, milestone due / done date */
    int has_money;
    int64_t money; /* reward (create/publish), reward paid (close) */
    const char *applicant, *applicant_kind, *proposal; /* apply */
    int64_t item_id; /* apply: the applicant's library entry */
    int64_t ref_id;  /* select: application; link_contract: contract;
                        milestone_done: milestone */
} ChallengeArgs;

/* Create a challenge from demand demand_id (stage draft). */
int challenge_create(Db *db, const Actor *a, int64_t demand_id,
                     const ChallengeArgs *x, int64_t *id_out, Err *e);

/* Apply action to challenge id: publish, apply, select, link_contract,
 * milestone_add, milestone_done, accept, close, withdraw. An action not
 * allowed in the current stage is ERR_CONFLICT with a zh-CN message naming
 * the stage; missing arguments ERR_INVALID naming the field. */
int challenge_act(Db *db, const Actor *a, int64_t id, const char *action,
                  const ChallengeArgs *x, Err *e);

/* One challenge with applications, milestones and events. */
int challenge_get(Db *db, const Actor *a, int64_t id, json_t **out, Err *e);

/* Challenges in a's scope, filtered by stage (NULL: all), newest first:
 * the board groups them by stage. */
int challenge_list(Db *db, const Actor *a, const char *stage, int64_t offset,
                   int64_t limit, json_t **items, int64_t *total, Err *e);

/* zh-CN name of an applicant kind code ("institute" -> "科研院所"), or
 * NULL for an unknown code. */
const char *challenge_applicant_kind_name(const char *kind);

/* zh-CN name of a stage code, or NULL. */
const char *challenge_stage_name(const char *stage);

/* zh-CN name of an application status code ("not_selected" -> "未选定"),
 * or NULL. */
const char *challenge_app_status_name(const char *status);

/* {stages: [{value, label}], actions: [{value, label}],
 *  application_statuses: [{value, label}]} */
json_t *challenge_reference_json(void);

#endif
