/* api.h - the HTTP handlers, one file per resource (api_<resource>.c).
 * Each parses the request, calls the domain, and answers JSON. Permission,
 * data scope of {id}, CSRF and body caps are already checked by the
 * dispatcher (src/http/dispatch.c) from the route table (routes.c). */
#ifndef KC_API_API_H
#define KC_API_API_H

#include "http/ctx.h"

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
int api_pool_import(Ctx *c, Err *e);
int api_pool_reference(Ctx *c, Err *e);
int api_challenges_list(Ctx *c, Err *e);
int api_challenges_create(Ctx *c, Err *e);
int api_challenges_get(Ctx *c, Err *e);
int api_challenges_act(Ctx *c, Err *e);

#endif
