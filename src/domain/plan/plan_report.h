/* plan_report.h - the quarterly report of a plan in the layout of its
 * 年度分解表: indicator, the year's target, the actual at the quarter's
 * end, completion and an explanation; as JSON, print-ready HTML (save as
 * PDF from the browser) and XLSX. Uses plan.h and plan_figure.h. */
#ifndef KC_DOMAIN_PLAN_REPORT_H
#define KC_DOMAIN_PLAN_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/accounts/actor.h"

/* The report of plan_id for quarter ("2022Q3"): {plan_id, plan_name,
 * doc_no, quarter, date (the quarter's last day), year, rows: [{seq, name,
 * unit, kind_name, target, actual, completion (percent text), status,
 * message}]}. A quarter outside the plan is ERR_INVALID. */
int plan_report_quarter(Db *db, const Actor *a, int64_t plan_id,
                        const char *quarter, json_t **out, Err *e);

/* Append the report as a complete HTML page (escaped) to out. */
int plan_report_html(const json_t *rep, Buf *out, Err *e);

/* Append the report as an XLSX workbook to out. */
int plan_report_xlsx(const json_t *rep, Buf *out, Err *e);

#endif
