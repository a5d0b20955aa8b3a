/* labels.c - zh-CN names of audit actions, object types and fields (see
 * labels.h). */
#include "domain/labels.h"

#include <pthread.h>
#include <string.h>

#include "domain/ent_year.h"
#include "domain/xfer.h"

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
    {"rulesets.reload", "重新加载规则集"},
    {"demo.generate", "生成演示数据"},
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
    {"contract", "技术合同"},
    {"market_item", "成果转化资源库记录"},
    {"challenge", "揭榜榜单"},
};

/* Fields of records that the column registry does not name, and names
 * that must win over a column title (a generic "name" is 名称, not the
 * registry's 企业名称). */
static const Label label_fields[] = {
    {"id", "编号"},
    {"name", "名称"},
    {"kind", "类型"},
    {"kind_name", "类型名称"},
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
    {"amount_wan", "合同成交额"},
    {"tech_amount", "技术交易额"},
    {"tech_amount_wan", "技术交易额"},
    {"signed_on", "签订日期"},
    {"registered_on", "登记日期"},
    {"ip_kind", "涉及知识产权"},
    {"office", "登记机构"},
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

/* Column titles without their unit suffix, "销售收入（万元）" -> "销售收入",
 * cut once into a table of their own (the titles are static). */
#define LABELS_TITLE_MAX 96
#define LABELS_COLS_MAX 128
static struct {
    const char *key;
    char label[LABELS_TITLE_MAX];
} label_cols[LABELS_COLS_MAX];
static size_t label_n_cols;
static pthread_once_t label_once = PTHREAD_ONCE_INIT;

static void label_cols_add(const char *key, const char *title)
{
    const char *paren = strstr(title, "（");
    size_t n = paren ? (size_t)(paren - title) : strlen(title);

    if (label_n_cols >= LABELS_COLS_MAX || n >= LABELS_TITLE_MAX ||
        label_find(label_fields, N_OF(label_fields), key)) {
        return;
    }
    for (size_t i = 0; i < label_n_cols; i++) {
        if (strcmp(label_cols[i].key, key) == 0) {
            return; /* the first kind's title wins */
        }
    }
    label_cols[label_n_cols].key = key;
    memcpy(label_cols[label_n_cols].label, title, n);
    label_cols[label_n_cols].label[n] = '\0';
    label_n_cols++;
}

static void label_cols_fill(void)
{
    static const char *const kinds[] = {"enterprises", "figures", "ip",
                                        "facts"};

    for (size_t k = 0; k < N_OF(kinds); k++) {
        const XferKind *x = xfer_kind_find(kinds[k]);

        for (size_t i = 0; x && i < x->n_cols; i++) {
            label_cols_add(x->cols[i].key, x->cols[i].title);
        }
    }
    for (int i = 0; i < ENT_YEAR_N_FIELDS; i++) {
        label_cols_add(ent_year_fields[i].name, ent_year_fields[i].label);
    }
}

const char *labels_field(const char *key)
{
    const char *l = label_find(label_fields, N_OF(label_fields), key);

    if (l || !key) {
        return l;
    }
    pthread_once(&label_once, label_cols_fill);
    for (size_t i = 0; i < label_n_cols; i++) {
        if (strcmp(label_cols[i].key, key) == 0) {
            return label_cols[i].label;
        }
    }
    return NULL;
}

const char *labels_field_or_key(const char *key)
{
    const char *l = labels_field(key);

    return l ? l : key;
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

    pthread_once(&label_once, label_cols_fill);
    for (size_t i = 0; i < label_n_cols; i++) {
        json_object_set_new(fields, label_cols[i].key,
                            json_string(label_cols[i].label));
    }
    for (size_t i = 0; i < N_OF(label_fields); i++) {
        json_object_set_new(fields, label_fields[i].code,
                            json_string(label_fields[i].label));
    }
    return json_pack(
        "{sososo}", "actions",
        labels_list_json(label_actions, N_OF(label_actions)), "object_types",
        labels_list_json(label_objects, N_OF(label_objects)), "fields", fields);
}
