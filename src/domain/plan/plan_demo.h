/* plan_demo.h - the 河东 plan of reference/plans.md §3 for the demo
 * district: its 年度分解表 and a 任务分工表 imported through the same path
 * as a user's files (preview, unit mapping, confirm), the indicators'
 * sources (qualifications register, IP rights, 技术合同 not connected yet,
 * manual), targets decomposed to two units, a quarterly history of manual
 * figures filed and accepted, and — when the qualifications register is
 * still empty — a synthetic set of 高企 / 雏鹰 / 瞪羚 / 领军 recognitions of
 * the demo enterprises (src_kind 'demo'). Called once by demo_generate. */
#ifndef KC_DOMAIN_PLAN_DEMO_H
#define KC_DOMAIN_PLAN_DEMO_H

#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* Create the demo plan (ERR_CONFLICT when a plan exists already). */
int plan_demo_generate(Db *db, const Actor *a, Err *e);

#endif
