/* labels.c - zh-CN names of audit actions, object types and fields (see
 * labels.h). */
#include "domain/accounts/labels.h"

#include <string.h>

typedef struct Label {
    const char *code;
    const char *label;
} Label;

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Every action audit_record may write. */
static const Label label_actions[] = {
    {"session.login", "登录"},
    {"session.login_failed", "登录失败"},
    {"session.logout", "退出登录"},
    {"user.create", "新建用户"},
    {"user.update", "修改用户"},
    {"user.reset_password", "重置密码"},
    {"user.change_password", "修改本人密码"},
    {"org.create", "新建单位"},
    {"org.update", "修改单位"},
    {"org.move", "调整上级单位"},
    {"org.retire", "撤销单位"},
    {"token.create", "新建 API 令牌"},
    {"token.revoke", "吊销 API 令牌"},
    {"attach.create", "上传附件"},
    {"attach.delete", "删除附件"},
    {"ent.create", "新建企业"},
    {"ent.update", "修改企业信息"},
    {"ent.retire", "注销出库"},
    {"ent.restore", "恢复入库"},
    {"ent_year.upsert", "保存年度数据"},
    {"ip.create", "登记知识产权"},
    {"ip.update", "修改知识产权"},
    {"ip.retire", "删除知识产权"},
    {"fact.create", "登记资质与荣誉"},
    {"fact.update", "修改资质与荣誉"},
    {"fact.retire", "删除资质与荣誉"},
    {"decl.put", "保存申报事项"},
    {"catalogue.import", "导入行业目录"},
    {"catalogue.delete", "删除行业目录条目"},
    {"import.apply", "批量导入"},
    {"import.conflict.resolve", "处理导入冲突"},
    {"import.expire", "导入文件过期清除"},
    {"job.create", "创建后台任务"},
    {"job.cancel", "取消后台任务"},
    {"job.takeover", "接管中断的后台任务"},
    {"elig.screen", "全区筛查"},
    {"sandbox.create", "创建政策沙盘"},
    {"sandbox.done", "政策沙盘完成"},
    {"scenario.create", "保存沙盘方案"},
    {"scenario.update", "修改沙盘方案"},
    {"scenario.run", "运行沙盘方案"},
    {"scenario.delete", "删除沙盘方案"},
    {"rulesets.reload", "重新加载规则集"},
    {"demo.generate", "生成演示数据"},
    {"policy.create", "新建政策"},
    {"policy.update", "修改政策"},
    {"policy_item.create", "新建政策条款"},
    {"policy_item.update", "修改政策条款"},
    {"policy_app.create", "受理政策申请"},
    {"policy_app.entitled", "确认免申即享"},
    {"policy_app.street", "政策申请初审"},
    {"policy_app.bureau", "政策申请复审"},
    {"policy_app.pay", "政策资金拨付"},
    {"policy_app.clawback", "政策资金追回"},
    {"policy_notice.create", "发布兑现公示"},
    {"policy_objection.create", "登记公示异议"},
    {"policy_objection.resolve", "处理公示异议"},
    {"policy_batch.create", "新建拨付批次"},
    {"policy_budget.put", "设置政策预算"},
    {"policy_scenario.create", "保存预算沙盘方案"},
    {"qual.create", "登记资质"},
    {"qual.update", "更正资质记录"},
    {"qual.end", "终止资质（撤销、取消、迁出、注销）"},
    {"qual.rename", "资质证书更名"},
    {"qual.import", "导入认定名单"},
    {"qual.import_check", "校验认定名单"},
    {"pipeline.batch_create", "新建培育批次"},
    {"pipeline.batch_close", "关闭/打开培育批次"},
    {"pipeline.pick", "从筛查结果遴选"},
    {"pipeline.add", "手工遴选"},
    {"pipeline.recommend", "推荐入库"},
    {"pipeline.approve", "审核通过"},
    {"pipeline.return", "审核退回"},
    {"pipeline.cultivate", "开始培育"},
    {"pipeline.certify", "登记认定结果"},
    {"pipeline.withdraw", "退出培育"},
    {"pipeline.task_add", "添加培育任务"},
    {"pipeline.task_update", "修改培育任务"},
    {"service.log_create", "登记服务记录"},
    {"service.ask_create", "登记企业诉求"},
    {"service.ask_follow", "跟进企业诉求"},
    {"service.ask_close", "办结企业诉求"},
    {"qual.cal_rule_create", "新增到期提醒规则"},
    {"qual.cal_rule_update", "修改到期提醒规则"},
    {"service.log_update", "修改服务记录"},
    {"service.log_delete", "删除服务记录"},
    {"service.ask_update", "修改企业诉求"},
    {"service.ask_void", "作废企业诉求"},
    {"plan.create", "新建行动计划"},
    {"plan.indicator.create", "新增计划指标"},
    {"plan.target.put", "设定指标目标"},
    {"plan.source.create", "设定指标数据口径"},
    {"plan.actual.submit", "填报指标数据"},
    {"plan.actual.review", "审核指标填报"},
    {"plan.import.preview", "上传计划表格（预览）"},
    {"plan.import.apply", "导入计划表格"},
    {"plan.report.file", "报送任务进展"},
    {"plan.report.consolidate", "牵头单位汇总进展"},
    {"plan.report.review", "审核任务进展"},
    {"plan.task.update", "修改任务（节点、判断）"},
    {"plan.notice.issue", "下发督办"},
    {"plan.notice.answer", "答复督办"},
    {"plan.notice.close", "督办办结"},
    {"plan.meeting.create", "记录联席会议及决定"},
    {"plan.scheme.create", "设定季度评价方案"},
    {"plan.eval.run", "计算季度评价"},
    {"plan.eval.publish", "发布季度评价（冻结）"},
    {"demo.qualifications", "生成演示资质（计划驾驶舱）"},
    {"carrier.create", "新建载体"},
    {"carrier.update", "修改载体"},
    {"carrier.retire", "撤销载体"},
    {"carrier.sheet_put", "填报载体年度指标"},
    {"tenant.create", "登记入驻企业"},
    {"tenant.update", "修改入驻记录（迁出）"},
    {"platform.create", "新建创新平台"},
    {"platform.update", "修改创新平台"},
    {"platform.member_add", "登记联盟成员企业"},
    {"talent.counts_put", "保存人才数量"},
    {"talent.create", "登记高层次人才"},
    {"talent.read_bulk", "查阅人才名单"},
    {"talent.update", "修改高层次人才"},
    {"talent.retire", "删除高层次人才（注明原因）"},
    {"listing.put", "保存重点上市企业资源库条目"},
    {"carrier.demo", "生成载体演示数据"},
    {"contract.create", "登记技术合同"},
    {"contract.reject", "记录未予登记的技术合同"},
    {"contract.amend", "技术合同变更登记"},
    {"contract.cancel", "技术合同注销"},
    {"contract.relink", "技术合同当事人重新匹配企业"},
    {"contract.import", "导入技术合同"},
    {"contract.demo", "生成技术合同演示数据"},
    {"pool.create", "新增成果、需求、服务机构或创新资源"},
    {"pool.update", "修改成果、需求、服务机构或创新资源"},
    {"pool.retire", "删除成果、需求、服务机构或创新资源"},
    {"pool.import", "导入成果、需求、服务机构或创新资源"},
    {"market_event.create", "新增成果对接会"},
    {"market_event.update", "修改成果对接会"},
    {"market_event.cancel", "取消成果对接会"},
    {"market_event.import", "导入成果对接会"},
    {"resource_use.create", "登记创新资源共享使用"},
    {"resource_use.retire", "删除创新资源共享使用记录"},
    {"resource_use.import", "导入创新资源共享使用记录"},
    {"challenge.create", "由需求生成榜单"},
    {"challenge.publish", "审核发榜"},
    {"challenge.apply", "揭榜申请"},
    {"challenge.select", "确定揭榜方"},
    {"challenge.link_contract", "榜单关联技术合同"},
    {"challenge.milestone_add", "添加榜单里程碑"},
    {"challenge.milestone_done", "榜单里程碑完成"},
    {"challenge.accept", "榜单验收"},
    {"challenge.close", "榜单结题与奖励"},
    {"challenge.withdraw", "撤榜"},
};

/* Every object type audit_record may write. */
// clang-format off
static const Label label_objects[] = {
    {"user", "用户"},
    {"session", "会话"},
    {"org_unit", "单位"},
    {"api_token", "API 令牌"},
    {"attachment", "附件"},
    {"enterprise", "企业"},
    {"job", "后台任务"},
    {"import", "导入"},
    {"industry_catalogue", "行业目录"},
    {"screening", "筛查"},
    {"ruleset", "规则集"},
    {"scenario", "沙盘方案"},
    {"policy", "政策"},
    {"policy_item", "政策条款"},
    {"policy_application", "政策申请"},
    {"policy_notice", "兑现公示"},
    {"policy_objection", "公示异议"},
    {"policy_batch", "拨付批次"},
    {"policy_budget", "政策预算"},
    {"policy_scenario", "预算沙盘方案"},
    {"qual_import", "认定名单导入"},
    {"pipeline_batch", "培育批次"},
    {"pipeline_entry", "培育记录"},
    {"pipeline_task", "培育任务"},
    {"calendar_rule", "到期提醒规则"},
    {"service_log", "服务记录"},
    {"service_ask", "企业诉求"},
    {"plan", "行动计划"},
    {"plan_indicator", "计划指标"},
    {"plan_import", "计划表格导入"},
    {"plan_task", "计划任务"},
    {"plan_notice", "督办事项"},
    {"carrier", "载体"},
    {"platform", "平台"},
    {"talent", "人才"},
    {"contract", "技术合同"},
    {"market_item", "成果转化资源库记录"},
    {"market_event", "成果对接会"},
    {"resource_use", "创新资源共享使用记录"},
    {"challenge", "揭榜榜单"},
};
// clang-format on

/* Fields of records that the column registry does not name, and names
 * that must win over a column title (a generic "name" is 名称, not the
 * registry's 企业名称). */
static const Label label_fields[] = {
    {"id", "编号"},
    {"name", "名称"},
    {"kind", "类型"},
    {"kind_name", "类型名称"},
    {"code", "编码"},
    {"sort", "排序"},
    {"parent_id", "上级单位"},
    {"path", "路径"},
    {"depth", "层级"},
    {"retired", "已删除"},
    {"retired_at", "删除/注销时间"},
    {"retire_reason", "原因"},
    {"restore_reason", "恢复原因"},
    {"username", "用户名"},
    {"display_name", "姓名"},
    {"role", "角色"},
    {"role_name", "角色名称"},
    {"unit_id", "单位"},
    {"unit_name", "单位名称"},
    {"unit_path", "单位路径"},
    {"disabled", "停用"},
    {"must_change_password", "须修改密码"},
    {"password_changed_at", "密码修改时间"},
    {"last_login_at", "最近登录时间"},
    {"expires_at", "到期时间"},
    {"last_used_at", "最近使用时间"},
    {"revoked", "已吊销"},
    {"revoked_at", "吊销时间"},
    {"prefix", "前缀"},
    {"created_at", "创建时间"},
    {"updated_at", "修改时间"},
    {"created_by", "创建人"},
    {"created_by_name", "创建人"},
    {"user_id", "用户"},
    {"enterprise_id", "企业"},
    {"former_names", "曾用名"},
    {"used_from", "使用起"},
    {"used_to", "使用止"},
    {"liaison_user_id", "包联人员"},
    {"liaison_name", "包联人员"},
    {"industry_section_name", "行业门类"},
    {"industry_division_name", "行业大类"},
    {"tech_domain_name", "技术领域名称"},
    {"listing_status_name", "上市状态名称"},
    {"latest_revenue_wan", "最近年度销售收入（万元）"},
    {"registered_capital_wan", "注册资本（万元）"},
    {"klass", "类别"},
    {"klass_name", "类别名称"},
    {"class", "类别"},
    {"class_name", "类别名称"},
    {"item", "目录条目"},
    {"doc_no", "文号"},
    {"unverified", "代码对应未核实"},
    {"deleted", "已删除"},
    {"status_name", "状态名称"},
    {"acquisition_name", "获得方式名称"},
    {"counts_valid", "计入有效知识产权"},
    {"subkind_name", "子类名称"},
    {"level_name", "级别名称"},
    {"amount_wan", "金额（万元）"},
    {"source", "来源"},
    {"source_at", "来源时间"},
    {"src_kind", "来源"},
    {"src_user_id", "填报人"},
    {"src_at", "填报时间"},
    {"verified", "已核实"},
    {"provenance", "数据来源"},
    {"field_provenance", "各项数据来源"},
    {"values", "数据"},
    {"field", "字段"},
    {"label", "名称"},
    {"value", "值"},
    {"items", "条目"},
    {"params", "参数"},
    {"result", "结果"},
    {"rulesets", "规则集"},
    {"ruleset", "规则集"},
    {"as_of", "评价日"},
    {"enterprises", "企业数"},
    {"changed", "变化数"},
    {"rows", "行数"},
    {"mode", "导入方式"},
    {"file_name", "文件名"},
    {"password", "密码"},
    {"old_password", "原密码"},
    {"new_password", "新密码"},
    {"reason", "原因"},
    {"status", "状态"},
    {"instance", "服务实例"},
    {"attempt", "运行次数"},
    {"note", "备注"},
    {"at", "时间"},
    {"ref", "依据"},
    {"year", "年度"},
    {"place", "地点"},
    {"organiser", "主办单位"},
    {"cancel_reason", "取消原因"},
    {"attendees", "参会单位"},
    {"deals", "成交情况"},
    {"resource_id", "共享资源"},
    {"hours10", "使用时长（0.1 小时）"},
    {"fee", "收费（元）"},
    {"job_id", "试算任务"},
    {"hash", "规则文本摘要"},
    {"item_id", "政策条款"},
    {"item_title", "政策条款"},
    {"item_code", "条款编码"},
    {"enterprise_name", "企业名称"},
    {"channel", "方式"},
    {"channel_name", "方式"},
    {"paid", "已拨付（元）"},
    {"paid_wan", "已拨付（万元）"},
    {"claimed", "申报金额（元）"},
    {"basis", "金额计算"},
    {"applied_on", "申请日"},
    {"street_note", "初审意见"},
    {"street_at", "初审时间"},
    {"bureau_note", "复审意见"},
    {"bureau_at", "复审时间"},
    {"reject_reason", "不予通过理由"},
    {"notice_id", "公示"},
    {"batch_id", "拨付批次"},
    {"budget_line", "预算科目"},
    {"open_objections", "未处理异议"},
    {"clawback_reason", "追回原因"},
    {"objection_upheld", "异议成立"},
    {"objection_resolution", "异议处理意见"},
    {"attachments", "附件"},
    {"cert_no", "证书编号"},
    {"batch", "批次"},
    {"issued_on", "认定日期"},
    {"basis_name", "认定类型名称"},
    {"ended_on", "终止日期"},
    {"end_reason", "终止原因"},
    {"cert_name", "证书上的企业名称"},
    {"renamed_on", "更名日期"},
    {"state", "当前状态"},
    {"state_name", "当前状态名称"},
    {"days_left", "距到期天数"},
    {"qual_id", "资质记录"},
    {"tier", "培育梯度"},
    {"review_chain", "审核流程"},
    {"closed", "已关闭"},
    {"stage", "状态"},
    {"review_step", "审核步骤"},
    {"attempts", "认定次数"},
    {"unadmitted", "未入库即认定"},
    {"comment", "意见"},
    {"qualification_id", "资质记录"},
    {"tasks", "培育任务数"},
    {"limit", "数量"},
    {"added", "新增"},
    {"entry_id", "培育记录"},
    {"due_on", "期限"},
    {"owner_user_id", "负责人"},
    {"log_id", "服务记录"},
    {"held_on", "日期"},
    {"content", "内容"},
    {"handler_user_id", "办理人"},
    {"topics", "内容"},
    {"participants", "参加人员"},
    {"enterprise_ids", "企业"},
    {"enterprise_ranges", "写入的企业（编号范围）"},
    {"asks", "诉求"},
    {"action", "操作"},
    {"type", "类型"},
    {"type_name", "类型名称"},
    {"recognized_on", "认定日期"},
    {"recognition_doc", "认定文件"},
    {"operator_enterprise_id", "运营企业"},
    {"operator_enterprise_name", "运营企业"},
    {"operator_name", "运营机构"},
    {"area", "面积（㎡）"},
    {"incubation_area", "孵化面积（㎡）"},
    {"services", "服务内容"},
    {"staff", "管理服务人员数"},
    {"mentors", "创业导师数"},
    {"tenants_now", "当前在孵企业数"},
    {"carrier_id", "载体"},
    {"carrier_name", "载体名称"},
    {"carrier_type", "载体类型"},
    {"carrier_type_name", "载体类型名称"},
    {"tenant_id", "入驻记录"},
    {"moved_in", "入驻日期"},
    {"moved_out", "迁出日期"},
    {"out_reason", "迁出原因"},
    {"out_reason_name", "迁出原因名称"},
    {"host_enterprise_id", "依托企业"},
    {"host_enterprise_name", "依托企业"},
    {"host_name", "依托单位"},
    {"status_on", "撤销/合并日期"},
    {"merged_into", "并入的平台"},
    {"members", "成员企业数"},
    {"joined_on", "入盟日期"},
    {"programme", "人才类别"},
    {"programme_name", "人才类别名称"},
    {"counts", "人数"},
    {"stage_name", "上市阶段名称"},
    {"board", "上市板块"},
    {"board_name", "上市板块名称"},
    {"sponsor", "保荐机构"},
    {"entered_on", "入库日期"},
    {"stage_on", "进入本阶段日期"},
    {"listed_on", "上市日期"},
    {"revenue", "载体运营收入"},
    {"events", "举办创新创业活动场次"},
    {"reg_no", "登记编号"},
    {"subtype", "合同子类"},
    {"legacy_type", "2021年前类别"},
    {"seller_uscc", "卖方统一社会信用代码"},
    {"seller_name", "卖方名称"},
    {"seller_region", "卖方地区代码"},
    {"seller_place", "卖方所在地"},
    {"buyer_uscc", "买方统一社会信用代码"},
    {"buyer_name", "买方名称"},
    {"buyer_region", "买方地区代码"},
    {"buyer_place", "买方所在地"},
    {"tech_amount", "技术交易额"},
    {"tech_amount_wan", "技术交易额"},
    {"signed_on", "签订日期"},
    {"registered_on", "登记日期"},
    {"ip_kind", "涉及知识产权"},
    {"office", "登记机构"},
};

static const char *label_find(const Label *t, size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++) {
        if (strcmp(t[i].code, code) == 0) {
            return t[i].label;
        }
    }
    return NULL;
}

/* Statuses of a policy application (policy_applications.status, 013):
 * the policy pages, the carrier's listing subsidies and the UI's filter
 * all name them from here. */
static const Label label_app_statuses[] = {
    {"submitted", "已受理（待初审）"},
    {"street_ok", "初审通过（待复审）"},
    {"bureau_ok", "复审通过（待公示）"},
    {"notice", "公示中"},
    {"paid", "部分拨付"},
    {"closed", "已办结"},
    {"rejected", "不予通过"},
};

const char *labels_policy_app_status(const char *code)
{
    return label_find(label_app_statuses, N_OF(label_app_statuses), code);
}

/* ---- plan statuses ----------------------------------------------------
 * The computed status of a plan task (plan_task.c; the evaluation scheme
 * scores each, plan_eval.c), a task's progress report (plan_reports.status)
 * and a reported indicator value (plan_actuals.status). The plan pages
 * name them from here (GET /reference/labels). */
static const Label label_plan_task_statuses[] = {
    {"on_track", "正常"},
    {"at_risk", "有风险"},
    {"late", "滞后"},
    {"done", "已完成"},
};

/* Whether a rule set or a calendar rule has been checked against its
 * source text: their reads (status_name), the calendar rule check and the
 * exports name it from here. */
static const Label label_verify_statuses[] = {
    {"confirmed", "已核实"},
    {"unverified", "未核实"},
};

static const Label label_plan_report_statuses[] = {
    {"filed", "已报送"},
    {"consolidated", "已汇总待审核"},
    {"accepted", "已通过"},
    {"returned", "已退回"},
};

static const Label label_plan_actual_statuses[] = {
    {"submitted", "待审核"},
    {"accepted", "已通过"},
    {"returned", "已退回"},
};

const char *labels_plan_task_status(const char *code)
{
    return label_find(label_plan_task_statuses, N_OF(label_plan_task_statuses),
                      code);
}

const char *labels_verify_status(const char *code)
{
    return label_find(label_verify_statuses, N_OF(label_verify_statuses), code);
}

const char *labels_plan_report_status(const char *code)
{
    return label_find(label_plan_report_statuses,
                      N_OF(label_plan_report_statuses), code);
}

const char *labels_plan_actual_status(const char *code)
{
    return label_find(label_plan_actual_statuses,
                      N_OF(label_plan_actual_statuses), code);
}

const char *labels_action(const char *code)
{
    return label_find(label_actions, N_OF(label_actions), code);
}

const char *labels_object_type(const char *code)
{
    return label_find(label_objects, N_OF(label_objects), code);
}

const char *labels_field(const char *key)
{
    return label_find(label_fields, N_OF(label_fields), key);
}

static json_t *labels_list_json(const Label *t, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        json_array_append_new(
            arr, json_pack("{ssss}", "value", t[i].code, "label", t[i].label));
    }
    return arr;
}

json_t *labels_json(void)
{
    json_t *fields = json_object();

    for (size_t i = 0; i < N_OF(label_fields); i++) {
        json_object_set_new(fields, label_fields[i].code,
                            json_string(label_fields[i].label));
    }
    return json_pack(
        "{sosososososososo}", "actions",
        labels_list_json(label_actions, N_OF(label_actions)), "object_types",
        labels_list_json(label_objects, N_OF(label_objects)), "fields", fields,
        "policy_app_statuses",
        labels_list_json(label_app_statuses, N_OF(label_app_statuses)),
        "plan_task_statuses",
        labels_list_json(label_plan_task_statuses,
                         N_OF(label_plan_task_statuses)),
        "plan_report_statuses",
        labels_list_json(label_plan_report_statuses,
                         N_OF(label_plan_report_statuses)),
        "plan_actual_statuses",
        labels_list_json(label_plan_actual_statuses,
                         N_OF(label_plan_actual_statuses)),
        "verify_statuses",
        labels_list_json(label_verify_statuses, N_OF(label_verify_statuses)));
}

json_t *labels_verify_statuses_json(void)
{
    return labels_list_json(label_verify_statuses, N_OF(label_verify_statuses));
}

int labels_refuse(Err *e, const char *field, const char *what, json_t *table,
                  const char *tail)
{
    char list[ERR_MSG_MAX] = "";
    const char *code[32], *name[32];
    size_t n = 0, len = 0, i;
    json_t *it;

    json_array_foreach(table, i, it)
    {
        if (n < N_OF(code)) {
            code[n] = json_string_value(json_object_get(it, "value"));
            name[n] = json_string_value(json_object_get(it, "label"));
            if (code[n] && name[n]) {
                n++;
            }
        }
    }
    for (i = 0; i < n && len < sizeof list; i++) {
        int k = snprintf(list + len, sizeof list - len, "%s%s（%s）",
                         i == 0       ? ""
                         : i + 1 == n ? "或 "
                                      : "、",
                         name[i], code[i]);
        if (k < 0 || (size_t)k >= sizeof list - len) {
            list[len] = '\0'; /* whole entries only: no cut character */
            break;
        }
        len += (size_t)k;
    }
    /* code and name point into table: format before letting it go */
    err_set(e, ERR_INVALID, field, "%s应为 %s%s", what, list, tail ? tail : "");
    json_decref(table);
    return ERR_INVALID;
}

/* ---- sources of a recorded value --------------------------------------
 * src_kind of every record with provenance (enterprises, yearly figures,
 * IP, facts, declarations): the enterprise pages and the import conflict
 * export name it from here. */
static const Label label_sources[] = {
    {"user", "用户填报"},
    {"import", "导入"},
    {"demo", "演示数据"},
    {"system", "系统"},
};

const char *labels_source(const char *code)
{
    if (!code || !code[0]) {
        return "";
    }
    const char *name = label_find(label_sources, N_OF(label_sources), code);
    return name ? name : "系统";
}

json_t *labels_sources_json(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < N_OF(label_sources); i++) {
        json_array_append_new(arr,
                              json_pack("{ssss}", "code", label_sources[i].code,
                                        "name", label_sources[i].label));
    }
    return arr;
}
