/* plan_task.h - tasks of a plan at work: milestones, periodic progress
 * reports (a responsible unit files, the lead unit consolidates, the
 * office accepts or returns), the reviewer's judgement, the computed
 * status of each task, and 督办 notices with deadlines.
 *
 * Who may do what: a unit files only for itself and only on a task it is
 * lead or responsible unit of; only the lead unit consolidates; only the
 * plan's owner (the office: the issuing unit in scope) accepts, returns,
 * judges, adds milestones and issues notices. An accepted period is final:
 * later filings for it are refused. Every write is one transaction with
 * its audit entry. Uses plan.h, plan_kind.h, domain/audit. */
#ifndef KC_DOMAIN_PLAN_TASK_H
#define KC_DOMAIN_PLAN_TASK_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* Status codes of a task, computed on read. */
#define PLAN_TASK_ON_TRACK "on_track"
#define PLAN_TASK_AT_RISK "at_risk"
#define PLAN_TASK_LATE "late"
#define PLAN_TASK_DONE "done"

/* File the progress report of unit_id (0 = the actor's unit) on task_id
 * for period. Re-filing replaces a filed or returned report. Audit
 * "plan.report.file". */
int plan_report_file(Db *db, const Actor *a, int64_t task_id, int64_t unit_id,
                     const char *period, const char *text, int64_t *id_out,
                     Err *e);
/* The lead unit consolidates the period: its own text is stored as its
 * report and every filed report of the period becomes consolidated.
 * ERR_CONFLICT when nothing was filed. Audit "plan.report.consolidate". */
int plan_report_consolidate(Db *db, const Actor *a, int64_t task_id,
                            const char *period, const char *text, Err *e);
/* The office accepts (final) or returns (note required) a consolidated
 * period. Audit "plan.report.review". */
int plan_report_review(Db *db, const Actor *a, int64_t task_id,
                       const char *period, int accept, const char *note,
                       Err *e);
/* Reports of a task the actor sees (owner: all; a unit: the task's, when
 * it is one of its units). */
int plan_reports_list(Db *db, const Actor *a, int64_t task_id, json_t **items,
                      Err *e);

/* May a add (write) or read the attachments of progress report report_id?
 * Readers: whoever sees the task. Writers: the report's unit (or a scope
 * containing it) while the report is not accepted. path gets the report
 * unit's path (the attachments' data scope). ERR_NOTFOUND when the report
 * is unknown or not visible, ERR_FORBIDDEN / ERR_CONFLICT for writes. */
int plan_report_attach_scope(Db *db, const Actor *a, int64_t report_id,
                             int write, char path[ACTOR_PATH_MAX], Err *e);

/* Owner: add a milestone (date 'YYYY-MM-DD') / set the judgement
 * ("at_risk", "done" or NULL to clear). Audit "plan.task.update". */
int plan_milestone_add(Db *db, const Actor *a, int64_t task_id,
                       const char *title, const char *due_on, Err *e);
int plan_task_judge(Db *db, const Actor *a, int64_t task_id,
                    const char *judgement, Err *e);

/* Owner: link task_id to the indicators of its plan listed in ids (an
 * array of indicator ids; replaces the links). Audit "plan.task.update". */
int plan_task_link(Db *db, const Actor *a, int64_t task_id, json_t *ids,
                   Err *e);

/* A linked indicator whose completion on the date is below this many basis
 * points puts its task at risk. */
#define PLAN_TASK_LINK_MIN_BP 8000

/* The computed status of task_id on date (PLAN_TASK_*) and why (zh-CN)
 * into reason (cap bytes). Order: judged done; a milestone or the due
 * date passed (late); judged at risk, a linked indicator below
 * PLAN_TASK_LINK_MIN_BP of its year's target, a returned report or an
 * overdue notice (at risk); else on track. */
int plan_task_status(Db *db, int64_t task_id, const char *date,
                     const char **status, char *reason, size_t cap, Err *e);

/* 督办: the office issues a notice to unit_id (task_id 0 = none) with a
 * deadline; the unit answers; the office closes. Audits "plan.notice.*". */
int plan_notice_issue(Db *db, const Actor *a, int64_t plan_id, int64_t unit_id,
                      int64_t task_id, const char *text, const char *deadline,
                      int64_t *id_out, Err *e);
int plan_notice_answer(Db *db, const Actor *a, int64_t id, const char *answer,
                       Err *e);
int plan_notice_close(Db *db, const Actor *a, int64_t id, Err *e);
/* 联席会议: the office records a meeting (date, title, attendees, the
 * problems raised) with its decisions [{unit_id, task_id?, text,
 * deadline}], each followed up as a 督办 notice of that unit (answered,
 * overdue, escalated, closed like any other). One transaction; audits
 * "plan.meeting.create" and one "plan.notice.issue" per decision. */
int plan_meeting_add(Db *db, const Actor *a, int64_t plan_id,
                     const char *held_on, const char *title,
                     const char *attendees, const char *problems,
                     json_t *decisions, int64_t *id_out, Err *e);
/* Meetings of a plan with their count of decisions and open ones. */
int plan_meetings_list(Db *db, const Actor *a, int64_t plan_id, json_t **items,
                       Err *e);

/* Notices of plan_id the actor sees (units in its scope), newest first,
 * each with "overdue" (deadline passed, not answered) and "escalated"
 * (overdue by more than 7 days). open_only keeps the unclosed ones. */
int plan_notices_list(Db *db, const Actor *a, int64_t plan_id, int open_only,
                      json_t **items, Err *e);

#endif
