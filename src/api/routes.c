/* routes.c - the one route table. Method, path pattern, handler, the
 * permission it needs, flags and what its {id} refers to. The dispatcher
 * enforces all of it; tests/unit/test_routes.c walks the table (no
 * duplicates, every write audited, every route in openapi.json). */
#include "http/routes.h"

#include "api/api.h"
#include "domain/accounts/scope.h"

#define A ROUTE_AUDITED
#define PW ROUTE_PW_CHANGE

static const Route routes[] = {
    /* system */
    {"GET", "/api/v1/healthz", api_healthz, PERM_PUBLIC, 0, SCOPE_NONE,
     "健康检查"},
    {"GET", "/api/v1/openapi.json", api_openapi, PERM_PUBLIC, 0, SCOPE_NONE,
     "API 描述（OpenAPI 3）"},
    {"GET", "/api/v1/system", api_system_get, PERM_LOGIN, 0, SCOPE_NONE,
     "版本、构建与数据库信息（关于）"},

    /* session */
    {"POST", "/api/v1/session", api_session_create, PERM_PUBLIC,
     A | ROUTE_NO_CSRF | PW, SCOPE_NONE, "登录"},
    {"GET", "/api/v1/session", api_session_get, PERM_LOGIN, PW, SCOPE_NONE,
     "当前用户"},
    {"DELETE", "/api/v1/session", api_session_delete, PERM_LOGIN, A | PW,
     SCOPE_NONE, "退出登录"},
    {"PUT", "/api/v1/session/password", api_session_password, PERM_LOGIN,
     A | PW, SCOPE_NONE, "修改本人密码"},

    /* users */
    {"GET", "/api/v1/users", api_users_list, PERM_AUDIT, 0, SCOPE_NONE,
     "用户列表"},
    {"POST", "/api/v1/users", api_users_create, PERM_ADMIN, A, SCOPE_NONE,
     "新建用户"},
    {"GET", "/api/v1/users/{id}", api_users_get, PERM_AUDIT, 0, SCOPE_USER,
     "用户详情"},
    {"PATCH", "/api/v1/users/{id}", api_users_update, PERM_ADMIN, A, SCOPE_USER,
     "修改用户（姓名、角色、单位、停用）"},
    {"POST", "/api/v1/users/{id}/password", api_users_reset_password,
     PERM_ADMIN, A, SCOPE_USER, "重置用户密码"},

    /* organisation */
    {"GET", "/api/v1/org-units", api_org_list, PERM_LOGIN, 0, SCOPE_NONE,
     "组织机构列表"},
    {"POST", "/api/v1/org-units", api_org_create, PERM_ADMIN, A, SCOPE_NONE,
     "新建单位"},
    {"GET", "/api/v1/org-units/{id}", api_org_get, PERM_LOGIN, 0,
     SCOPE_ORG_UNIT, "单位详情"},
    {"PATCH", "/api/v1/org-units/{id}", api_org_update, PERM_ADMIN, A,
     SCOPE_ORG_UNIT, "修改单位（更名、调整上级、撤销）"},

    /* API tokens */
    {"GET", "/api/v1/api-tokens", api_tokens_list, PERM_MANAGE, 0, SCOPE_NONE,
     "API 令牌列表"},
    {"POST", "/api/v1/api-tokens", api_tokens_create, PERM_MANAGE, A,
     SCOPE_NONE, "新建 API 令牌"},
    {"DELETE", "/api/v1/api-tokens/{id}", api_tokens_revoke, PERM_MANAGE, A,
     SCOPE_TOKEN, "吊销 API 令牌"},

    /* background jobs */
    {"GET", "/api/v1/jobs", api_jobs_list, PERM_READ, 0, SCOPE_NONE,
     "后台任务列表"},
    {"GET", "/api/v1/jobs/{id}", api_jobs_get, PERM_READ, 0, SCOPE_JOB,
     "后台任务进度"},
    {"POST", "/api/v1/jobs/{id}/cancel", api_jobs_cancel, PERM_WRITE, A,
     SCOPE_JOB, "取消后台任务"},

    /* enterprise library */
    {"GET", "/api/v1/enterprises", api_ent_list, PERM_READ, 0, SCOPE_NONE,
     "企业列表（筛选、搜索、排序）"},
    {"POST", "/api/v1/enterprises", api_ent_create, PERM_WRITE, A, SCOPE_NONE,
     "新建企业"},
    {"POST", "/api/v1/enterprises/batch", api_ent_batch, PERM_WRITE, A,
     SCOPE_NONE, "批量调整企业属地或包联人员"},
    {"GET", "/api/v1/enterprises/{id}", api_ent_get, PERM_READ, 0,
     SCOPE_ENTERPRISE, "企业详情"},
    {"PATCH", "/api/v1/enterprises/{id}", api_ent_update, PERM_WRITE, A,
     SCOPE_ENTERPRISE, "修改企业、注销出库"},
    {"GET", "/api/v1/enterprises/{id}/years", api_ent_years_list, PERM_READ, 0,
     SCOPE_ENTERPRISE, "企业年度数据"},
    {"PUT", "/api/v1/enterprises/{id}/years/{year}", api_ent_years_put,
     PERM_WRITE, A, SCOPE_ENTERPRISE, "保存企业某年度数据"},
    {"GET", "/api/v1/enterprises/{id}/ip-rights", api_ent_ip_list, PERM_READ, 0,
     SCOPE_ENTERPRISE, "企业知识产权"},
    {"POST", "/api/v1/enterprises/{id}/ip-rights", api_ent_ip_create,
     PERM_WRITE, A, SCOPE_ENTERPRISE, "登记知识产权"},
    {"PATCH", "/api/v1/enterprises/{id}/ip-rights/{ip_id}", api_ent_ip_update,
     PERM_WRITE, A, SCOPE_ENTERPRISE, "删除知识产权（注明原因）"},
    {"GET", "/api/v1/enterprises/{id}/facts", api_ent_facts_list, PERM_READ, 0,
     SCOPE_ENTERPRISE, "企业奖励、研发机构、融资、信用等事项"},
    {"POST", "/api/v1/enterprises/{id}/facts", api_ent_facts_create, PERM_WRITE,
     A, SCOPE_ENTERPRISE, "登记企业事项"},
    {"PATCH", "/api/v1/enterprises/{id}/facts/{fact_id}", api_ent_facts_update,
     PERM_WRITE, A, SCOPE_ENTERPRISE, "删除企业事项（注明原因）"},
    {"GET", "/api/v1/enterprises/{id}/changes", api_ent_changes_list, PERM_READ,
     0, SCOPE_ENTERPRISE, "企业变更记录"},
    {"GET", "/api/v1/reference/enterprise", api_ent_reference, PERM_LOGIN, 0,
     SCOPE_NONE, "企业库代码表（行业、技术领域、知识产权类型等）"},
    {"GET", "/api/v1/reference/rules", api_rules_reference, PERM_LOGIN, 0,
     SCOPE_NONE, "培育梯度与层级名称、规则输入字段（名称、是否按年度、单位）"},
    {"GET", "/api/v1/reference/labels", api_labels_reference, PERM_LOGIN, 0,
     SCOPE_NONE, "审计操作、对象类型与字段的中文名称"},

    /* rule sets and the policy sandbox (POST .../check writes nothing) */
    {"GET", "/api/v1/rulesets", api_rulesets_list, PERM_READ, 0, SCOPE_NONE,
     "规则集列表（状态、来源、是否现行）"},
    {"POST", "/api/v1/rulesets/check", api_rulesets_check, PERM_READ, A,
     SCOPE_NONE, "检查规则文本（不保存）"},
    {"POST", "/api/v1/rulesets/reload", api_rulesets_reload, PERM_ADMIN, A,
     SCOPE_NONE, "重新加载规则目录"},
    {"GET", "/api/v1/rulesets/{rid}", api_rulesets_get, PERM_READ, 0,
     SCOPE_NONE, "规则集详情、规则文本与内嵌用例结果"},
    {"GET", "/api/v1/rulesets/{rid}/diff", api_rulesets_diff, PERM_READ, 0,
     SCOPE_NONE, "规则集版本差异"},
    {"POST", "/api/v1/sandbox", api_sandbox_create, PERM_WRITE, A, SCOPE_NONE,
     "政策沙盘：按规则草稿试算"},
    {"GET", "/api/v1/sandbox/{id}", api_sandbox_get, PERM_READ, 0, SCOPE_JOB,
     "沙盘试算进度与按单位统计"},
    {"GET", "/api/v1/sandbox/{id}/changes", api_sandbox_changes, PERM_READ, 0,
     SCOPE_JOB, "沙盘试算中结论变化的企业（可导出 CSV/XLSX）"},

    /* eligibility: evaluations, declarations, screenings, decisions */
    {"GET", "/api/v1/enterprises/{id}/eligibility", api_elig_get, PERM_READ, 0,
     SCOPE_ENTERPRISE, "企业资格评估（结论、得分、差距、下一步）"},
    {"POST", "/api/v1/enterprises/{id}/eligibility/what-if", api_elig_whatif,
     PERM_READ, A, SCOPE_ENTERPRISE, "假设分析（改动输入重新评估，不保存）"},
    {"GET", "/api/v1/enterprises/{id}/declarations", api_decl_get, PERM_READ, 0,
     SCOPE_ENTERPRISE, "企业申报事项（企业库之外的评价条件）"},
    {"PUT", "/api/v1/enterprises/{id}/declarations", api_decl_put, PERM_WRITE,
     A, SCOPE_ENTERPRISE, "保存企业申报事项"},
    {"POST", "/api/v1/screenings", api_screenings_create, PERM_WRITE, A,
     SCOPE_NONE, "全辖区资格筛查（后台任务）"},
    {"GET", "/api/v1/screenings", api_screenings_list, PERM_READ, 0, SCOPE_NONE,
     "资格筛查任务列表"},
    {"GET", "/api/v1/decisions", api_decisions_list, PERM_READ, 0, SCOPE_NONE,
     "资格评估结论列表（筛选、按接近程度排序，可导出 CSV/XLSX）"},
    {"GET", "/api/v1/decisions/summary", api_decisions_summary, PERM_READ, 0,
     SCOPE_NONE, "资格评估结论按单位、规则集、结论计数"},

    /* imports and district-wide lists (templates' columns) */
    {"GET", "/api/v1/imports", api_import_list, PERM_READ, 0, SCOPE_NONE,
     "导入记录"},
    {"GET", "/api/v1/imports/{kind}/template", api_import_template, PERM_READ,
     0, SCOPE_NONE, "下载导入模板（xlsx/csv）"},
    {"POST", "/api/v1/imports/{kind}", api_import_create, PERM_WRITE,
     A | ROUTE_UPLOAD, SCOPE_NONE, "上传文件并校验（导入任务）"},
    {"GET", "/api/v1/imports/{id}", api_import_get, PERM_READ, 0, SCOPE_JOB,
     "导入进度与校验报告"},
    {"POST", "/api/v1/imports/{id}/apply", api_import_apply, PERM_WRITE, A,
     SCOPE_JOB, "确认导入（全部或只导入有效行）"},
    {"GET", "/api/v1/imports/{id}/errors", api_import_errors, PERM_READ, 0,
     SCOPE_JOB, "导入错误报告（可导出 CSV/XLSX）"},
    {"GET", "/api/v1/imports/{id}/error-rows", api_import_error_rows, PERM_READ,
     0, SCOPE_JOB, "下载出错的原始行（加“错误说明”列，CSV/XLSX）"},
    {"GET", "/api/v1/import-conflicts", api_conflicts_list, PERM_READ, 0,
     SCOPE_NONE, "导入冲突（可导出 CSV/XLSX）"},
    {"POST", "/api/v1/import-conflicts/{conflict_id}/resolve",
     api_conflicts_resolve, PERM_WRITE, A, SCOPE_NONE,
     "处理导入冲突（保留原值或采用导入值）"},
    {"GET", "/api/v1/enterprise-years", api_years_all, PERM_READ, 0, SCOPE_NONE,
     "全区企业年度数据（可导出 CSV/XLSX）"},
    {"GET", "/api/v1/ip-rights", api_ip_all, PERM_READ, 0, SCOPE_NONE,
     "全区知识产权（可导出 CSV/XLSX）"},
    {"GET", "/api/v1/enterprise-facts", api_facts_all, PERM_READ, 0, SCOPE_NONE,
     "全区企业事项（可导出 CSV/XLSX）"},

    /* audit */
    {"GET", "/api/v1/audit", api_audit_list, PERM_AUDIT, 0, SCOPE_NONE,
     "审计日志（可导出 CSV/XLSX）"},
    {"GET", "/api/v1/audit/{id}", api_audit_get, PERM_AUDIT, 0, SCOPE_AUDIT,
     "审计记录详情"},
};

const RouteTable api_routes = {routes, (int)(sizeof routes / sizeof routes[0])};
