/* api.h - the HTTP handlers, one file per resource (api_<resource>.c).
 * Each parses the request, calls the domain, and answers JSON. Permission,
 * data scope of {id}, CSRF and body caps are already checked by the
 * dispatcher (src/http/dispatch.c) from the route table (routes.c). */
#ifndef KC_API_API_H
#define KC_API_API_H

#include "domain/jobs/job.h"
#include "http/app.h"
#include "http/ctx.h"

/* The route table (routes.c), handed to the server in App.routes. */
extern const RouteTable api_routes;

/* The job kinds any instance can run from the database (job_kinds.c),
 * handed to the jobs module with job_set_kinds at start-up. */
extern const JobKind api_job_kinds[];

/* api_system.c */
int api_healthz(Ctx *c, Err *e);
int api_openapi(Ctx *c, Err *e);
int api_system_get(Ctx *c, Err *e);

/* api_session.c */
int api_session_create(Ctx *c, Err *e);
int api_session_get(Ctx *c, Err *e);
int api_session_delete(Ctx *c, Err *e);
int api_session_password(Ctx *c, Err *e);

/* api_users.c */
int api_users_list(Ctx *c, Err *e);
int api_users_lookup(Ctx *c, Err *e);
int api_users_create(Ctx *c, Err *e);
int api_users_get(Ctx *c, Err *e);
int api_users_update(Ctx *c, Err *e);
int api_users_reset_password(Ctx *c, Err *e);

/* api_org.c */
int api_org_list(Ctx *c, Err *e);
int api_org_create(Ctx *c, Err *e);
int api_org_get(Ctx *c, Err *e);
int api_org_update(Ctx *c, Err *e);

/* api_jobs.c */
int api_jobs_list(Ctx *c, Err *e);
int api_jobs_get(Ctx *c, Err *e);
int api_jobs_cancel(Ctx *c, Err *e);

/* api_tokens.c */
int api_tokens_list(Ctx *c, Err *e);
int api_tokens_create(Ctx *c, Err *e);
int api_tokens_revoke(Ctx *c, Err *e);

/* api_audit.c */
int api_audit_list(Ctx *c, Err *e);
int api_audit_get(Ctx *c, Err *e);

/* api_ent.c */
int api_ent_list(Ctx *c, Err *e);
int api_ent_create(Ctx *c, Err *e);
int api_ent_get(Ctx *c, Err *e);
int api_ent_update(Ctx *c, Err *e);
int api_ent_batch(Ctx *c, Err *e);
int api_ent_years_list(Ctx *c, Err *e);
int api_ent_years_put(Ctx *c, Err *e);
int api_ent_ip_list(Ctx *c, Err *e);
int api_ent_ip_create(Ctx *c, Err *e);
int api_ent_ip_update(Ctx *c, Err *e);
int api_ent_facts_list(Ctx *c, Err *e);
int api_ent_facts_create(Ctx *c, Err *e);
int api_ent_facts_update(Ctx *c, Err *e);
int api_ent_reference(Ctx *c, Err *e);
int api_rules_reference(Ctx *c, Err *e);
int api_labels_reference(Ctx *c, Err *e);

/* api_ent_changes.c */
int api_ent_changes_list(Ctx *c, Err *e);

/* api_rulesets.c */
int api_rulesets_list(Ctx *c, Err *e);
int api_rulesets_get(Ctx *c, Err *e);
int api_rulesets_diff(Ctx *c, Err *e);
int api_rulesets_check(Ctx *c, Err *e);
int api_rulesets_reload(Ctx *c, Err *e);

/* api_sandbox.c */
int api_sandbox_create(Ctx *c, Err *e);
int api_sandbox_get(Ctx *c, Err *e);
int api_sandbox_changes(Ctx *c, Err *e);

/* api_scenarios.c */
int api_rulesets_params(Ctx *c, Err *e);
int api_rulesets_params_apply(Ctx *c, Err *e);
int api_scenarios_create(Ctx *c, Err *e);
int api_scenarios_list(Ctx *c, Err *e);
int api_scenarios_get(Ctx *c, Err *e);
int api_scenarios_update(Ctx *c, Err *e);
int api_scenarios_delete(Ctx *c, Err *e);

/* api_attach.c: files attached to records */
int api_attach_list(Ctx *c, Err *e);
int api_attach_create(Ctx *c, Err *e);
int api_attach_content(Ctx *c, Err *e);
int api_attach_delete(Ctx *c, Err *e);
int api_scenarios_run(Ctx *c, Err *e);
int api_scenarios_compare(Ctx *c, Err *e);

/* api_elig.c */
int api_elig_get(Ctx *c, Err *e);
int api_elig_whatif(Ctx *c, Err *e);
int api_decl_get(Ctx *c, Err *e);
int api_decl_put(Ctx *c, Err *e);
int api_screenings_create(Ctx *c, Err *e);
int api_screenings_list(Ctx *c, Err *e);
int api_decisions_list(Ctx *c, Err *e);
int api_decisions_summary(Ctx *c, Err *e);

/* api_import.c */
int api_import_template(Ctx *c, Err *e);
int api_import_create(Ctx *c, Err *e);
int api_import_list(Ctx *c, Err *e);
int api_import_get(Ctx *c, Err *e);
int api_import_apply(Ctx *c, Err *e);
int api_import_error_rows(Ctx *c, Err *e);
int api_import_errors(Ctx *c, Err *e);
int api_conflicts_list(Ctx *c, Err *e);
int api_conflicts_resolve(Ctx *c, Err *e);
int api_years_all(Ctx *c, Err *e);
int api_ip_all(Ctx *c, Err *e);
int api_facts_all(Ctx *c, Err *e);
int api_declarations_all(Ctx *c, Err *e);
int api_catalogue_list(Ctx *c, Err *e);
int api_catalogue_template(Ctx *c, Err *e);
int api_catalogue_import(Ctx *c, Err *e);
int api_catalogue_delete(Ctx *c, Err *e);
/* The uploaded file's name from X-File-Name (percent-decoded, path
 * separators and control characters replaced; arena). */
const char *api_import_file_name(Ctx *c);

/* api_qual.c */
int api_qual_reference(Ctx *c, Err *e);
int api_qual_list(Ctx *c, Err *e);
int api_qual_counts(Ctx *c, Err *e);
int api_ent_qual_list(Ctx *c, Err *e);
int api_ent_qual_summary(Ctx *c, Err *e);
int api_ent_qual_create(Ctx *c, Err *e);
int api_ent_qual_update(Ctx *c, Err *e);
int api_ent_qual_end(Ctx *c, Err *e);
int api_ent_qual_rename(Ctx *c, Err *e);
int api_qual_import_template(Ctx *c, Err *e);
int api_qual_import_create(Ctx *c, Err *e);
int api_qual_import_get(Ctx *c, Err *e);
int api_qual_import_apply(Ctx *c, Err *e);
int api_calendar(Ctx *c, Err *e);
int api_workbench(Ctx *c, Err *e);

/* api_calrules.c */
int api_cal_rules_list(Ctx *c, Err *e);
int api_cal_rules_create(Ctx *c, Err *e);
int api_cal_rules_update(Ctx *c, Err *e);

/* api_diag.c */
int api_ent_diagnosis(Ctx *c, Err *e);
int api_diagnoses(Ctx *c, Err *e);

/* api_policy.c */
int api_policies_list(Ctx *c, Err *e);
int api_policies_create(Ctx *c, Err *e);
int api_policies_get(Ctx *c, Err *e);
int api_policies_update(Ctx *c, Err *e);
int api_policy_items_create(Ctx *c, Err *e);
int api_policy_items_list(Ctx *c, Err *e);
int api_policy_items_get(Ctx *c, Err *e);
int api_policy_items_update(Ctx *c, Err *e);
int api_policy_candidates(Ctx *c, Err *e);
int api_policy_entitled(Ctx *c, Err *e);
int api_policy_entitled_confirm(Ctx *c, Err *e);
int api_ent_policies(Ctx *c, Err *e);
int api_policy_apps_list(Ctx *c, Err *e);
int api_policy_apps_create(Ctx *c, Err *e);
int api_policy_apps_get(Ctx *c, Err *e);
int api_policy_apps_review(Ctx *c, Err *e);
int api_policy_apps_clawback(Ctx *c, Err *e);
int api_policy_notices_list(Ctx *c, Err *e);
int api_policy_notices_create(Ctx *c, Err *e);
int api_policy_notices_get(Ctx *c, Err *e);
int api_policy_objections_create(Ctx *c, Err *e);
int api_policy_objections_resolve(Ctx *c, Err *e);
int api_policy_batches_list(Ctx *c, Err *e);
int api_policy_batches_create(Ctx *c, Err *e);
int api_policy_batches_get(Ctx *c, Err *e);
int api_policy_budgets_list(Ctx *c, Err *e);
int api_policy_budgets_put(Ctx *c, Err *e);
int api_policy_sandbox(Ctx *c, Err *e);
int api_policy_scenarios_list(Ctx *c, Err *e);
int api_policy_scenarios_get(Ctx *c, Err *e);
int api_policy_district(Ctx *c, Err *e);

/* api_pipeline.c */
int api_pipeline_batches_list(Ctx *c, Err *e);
int api_pipeline_batches_create(Ctx *c, Err *e);
int api_pipeline_batches_get(Ctx *c, Err *e);
int api_pipeline_batches_update(Ctx *c, Err *e);
int api_pipeline_board(Ctx *c, Err *e);
int api_pipeline_entries_add(Ctx *c, Err *e);
int api_pipeline_pick(Ctx *c, Err *e);
int api_pipeline_entries_list(Ctx *c, Err *e);
int api_pipeline_entries_get(Ctx *c, Err *e);
int api_pipeline_entries_act(Ctx *c, Err *e);
int api_pipeline_tasks_add(Ctx *c, Err *e);
int api_pipeline_funnel(Ctx *c, Err *e);
int api_pipeline_journey(Ctx *c, Err *e);
int api_pipeline_tasks_list(Ctx *c, Err *e);
int api_pipeline_tasks_update(Ctx *c, Err *e);

/* api_service.c */
int api_service_logs_list(Ctx *c, Err *e);
int api_service_logs_create(Ctx *c, Err *e);
int api_service_logs_get(Ctx *c, Err *e);
int api_service_logs_update(Ctx *c, Err *e);
int api_service_logs_delete(Ctx *c, Err *e);
int api_service_asks_update(Ctx *c, Err *e);
int api_service_asks_void(Ctx *c, Err *e);
int api_service_import_template(Ctx *c, Err *e);
int api_service_import(Ctx *c, Err *e);
int api_service_asks_list(Ctx *c, Err *e);
int api_service_asks_create(Ctx *c, Err *e);
int api_service_asks_get(Ctx *c, Err *e);
int api_service_asks_follow(Ctx *c, Err *e);
int api_service_stats(Ctx *c, Err *e);

/* api_plan.c */
int api_plan_list(Ctx *c, Err *e);
int api_plan_create(Ctx *c, Err *e);
int api_plan_get(Ctx *c, Err *e);
int api_plan_figures(Ctx *c, Err *e);
int api_plan_ind_create(Ctx *c, Err *e);
int api_plan_target_put(Ctx *c, Err *e);
int api_plan_sources(Ctx *c, Err *e);
int api_plan_source_add(Ctx *c, Err *e);
int api_plan_figure(Ctx *c, Err *e);
int api_plan_drill(Ctx *c, Err *e);
int api_plan_actuals_list(Ctx *c, Err *e);
int api_plan_actual_submit(Ctx *c, Err *e);
int api_plan_actual_review(Ctx *c, Err *e);
int api_plan_import_create(Ctx *c, Err *e);
int api_plan_import_get(Ctx *c, Err *e);
int api_plan_import_apply(Ctx *c, Err *e);
int api_plan_tasks_list(Ctx *c, Err *e);
int api_plan_report(Ctx *c, Err *e);
int api_plan_reports_list(Ctx *c, Err *e);
int api_plan_report_file(Ctx *c, Err *e);
int api_plan_report_consolidate(Ctx *c, Err *e);
int api_plan_report_review(Ctx *c, Err *e);
int api_plan_milestone_add(Ctx *c, Err *e);
int api_plan_task_judge(Ctx *c, Err *e);
int api_plan_notices_list(Ctx *c, Err *e);
int api_plan_notice_issue(Ctx *c, Err *e);
int api_plan_notice_answer(Ctx *c, Err *e);
int api_plan_notice_close(Ctx *c, Err *e);
int api_plan_scheme_get(Ctx *c, Err *e);
int api_plan_scheme_add(Ctx *c, Err *e);
int api_plan_evals_list(Ctx *c, Err *e);
int api_plan_eval_run(Ctx *c, Err *e);
int api_plan_eval_publish(Ctx *c, Err *e);
int api_plan_forecast(Ctx *c, Err *e);
int api_plan_meetings_list(Ctx *c, Err *e);
int api_plan_meeting_add(Ctx *c, Err *e);
int api_plan_task_link(Ctx *c, Err *e);

/* api_carrier.c */
int api_carrier_reference(Ctx *c, Err *e);
int api_carriers_list(Ctx *c, Err *e);
int api_carriers_create(Ctx *c, Err *e);
int api_carriers_get(Ctx *c, Err *e);
int api_carriers_update(Ctx *c, Err *e);
int api_carrier_tenants_list(Ctx *c, Err *e);
int api_carrier_tenants_create(Ctx *c, Err *e);
int api_carrier_tenants_update(Ctx *c, Err *e);
int api_carrier_graduation(Ctx *c, Err *e);
int api_carrier_sheet_get(Ctx *c, Err *e);
int api_carrier_sheet_put(Ctx *c, Err *e);
int api_carrier_years(Ctx *c, Err *e);
int api_carrier_ranking(Ctx *c, Err *e);
int api_ent_tenancies(Ctx *c, Err *e);
int api_platforms_list(Ctx *c, Err *e);
int api_platforms_create(Ctx *c, Err *e);
int api_platforms_get(Ctx *c, Err *e);
int api_platforms_update(Ctx *c, Err *e);
int api_platform_members_add(Ctx *c, Err *e);
int api_platform_counts(Ctx *c, Err *e);
int api_talent_counts_list(Ctx *c, Err *e);
int api_talent_counts_put(Ctx *c, Err *e);
int api_talents_list(Ctx *c, Err *e);
int api_talents_create(Ctx *c, Err *e);
int api_listing_list(Ctx *c, Err *e);
int api_listing_put(Ctx *c, Err *e);
int api_listing_subsidies(Ctx *c, Err *e);
int api_talents_update(Ctx *c, Err *e);
int api_talents_retire(Ctx *c, Err *e);
int api_carrier_import_template(Ctx *c, Err *e);
int api_carrier_import(Ctx *c, Err *e);

/* api_market.c */
int api_contracts_list(Ctx *c, Err *e);
int api_contracts_create(Ctx *c, Err *e);
int api_contracts_get(Ctx *c, Err *e);
int api_contracts_amend(Ctx *c, Err *e);
int api_contracts_cancel(Ctx *c, Err *e);
int api_contracts_relink(Ctx *c, Err *e);
int api_contracts_reference(Ctx *c, Err *e);
int api_contract_parties_unmatched(Ctx *c, Err *e);
int api_contract_imports_create(Ctx *c, Err *e);
int api_contract_imports_template(Ctx *c, Err *e);
int api_contract_stats(Ctx *c, Err *e);
int api_contract_stats_top(Ctx *c, Err *e);
int api_contract_indicator(Ctx *c, Err *e);
int api_contract_tax_relief(Ctx *c, Err *e);

/* api_market_pool.c */
int api_pool_list(Ctx *c, Err *e);
int api_pool_create(Ctx *c, Err *e);
int api_pool_get(Ctx *c, Err *e);
int api_pool_update(Ctx *c, Err *e);
int api_pool_match(Ctx *c, Err *e);
int api_pool_ents(Ctx *c, Err *e);
int api_events_list(Ctx *c, Err *e);
int api_events_create(Ctx *c, Err *e);
int api_events_get(Ctx *c, Err *e);
int api_events_update(Ctx *c, Err *e);
int api_events_cancel(Ctx *c, Err *e);
int api_events_import(Ctx *c, Err *e);
int api_events_import_template(Ctx *c, Err *e);
int api_shares_list(Ctx *c, Err *e);
int api_shares_totals(Ctx *c, Err *e);
int api_shares_create(Ctx *c, Err *e);
int api_shares_get(Ctx *c, Err *e);
int api_shares_retire(Ctx *c, Err *e);
int api_shares_import(Ctx *c, Err *e);
int api_shares_import_template(Ctx *c, Err *e);
int api_pool_import(Ctx *c, Err *e);
int api_pool_reference(Ctx *c, Err *e);
int api_challenges_list(Ctx *c, Err *e);
int api_challenges_create(Ctx *c, Err *e);
int api_challenges_get(Ctx *c, Err *e);
int api_challenges_act(Ctx *c, Err *e);

#endif
