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
    {"import.apply", "批量导入"},
    {"import.conflict.resolve", "处理导入冲突"},
    {"import.expire", "导入文件过期清除"},
    {"job.create", "创建后台任务"},
    {"job.cancel", "取消后台任务"},
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
};

/* Every object type audit_record may write. */
// clang-format off
static const Label label_objects[] = {
    {"user", "用户"},
    {"session", "会话"},
    {"org_unit", "单位"},
    {"api_token", "API 令牌"},
    {"enterprise", "企业"},
    {"job", "后台任务"},
    {"import", "导入"},
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
    {"service_log", "服务记录"},
    {"service_ask", "企业诉求"},
    {"plan", "行动计划"},
    {"plan_indicator", "计划指标"},
    {"plan_import", "计划表格导入"},
    {"plan_task", "计划任务"},
    {"plan_notice", "督办事项"},
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
    {"note", "备注"},
    {"at", "时间"},
    {"ref", "依据"},
    {"year", "年度"},
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
    {"asks", "诉求"},
    {"action", "操作"},
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
        "{sososo}", "actions",
        labels_list_json(label_actions, N_OF(label_actions)), "object_types",
        labels_list_json(label_objects, N_OF(label_objects)), "fields", fields);
}
