/* recrule.c - the cross-field rules of each record kind (see recrule.h). */
#include "domain/library/recrule.h"

#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "domain/library/fact.h"
#include "rules/field.h"

static const RecRule recrule_ent[] = {
    {RR_NOT_FUTURE, "established_on", NULL, NULL, "established_on", "成立日期",
     NULL, "成立日期不能晚于今天"},
};

static const RecRule recrule_figures[] = {
    {RR_LE, "tech_staff", "employees", NULL, "tech_staff", "科技人员数",
     "职工总数", "不能大于"},
    {RR_LE, "rd_staff", "employees", NULL, "rd_staff", "研发人员数", "职工总数",
     "不能大于"},
    {RR_LE, "rd_domestic", "rd_expense", NULL, "rd_domestic", "境内研发费用",
     "研发费用", "不能大于"},
    {RR_LE, "main_revenue", "sales_revenue", NULL, "main_revenue",
     "主营业务收入", "销售收入", "不能大于"},
    {RR_LE, "hitech_income", "total_revenue", NULL, "hitech_income",
     "高新技术产品（服务）收入", "总收入", "不能大于"},
};

static const RecRule recrule_ip[] = {
    {RR_ONLY_IF, "defense", "kind", "invention", "defense", "国防专利",
     "知识产权类型", "国防专利只适用于发明专利"},
    {RR_DATE_LE, "applied_on", "granted_on", NULL, "granted_on", "申请日",
     "授权日", "授权日不能早于申请日"},
    {RR_DATE_LE, "granted_on", "expires_on", NULL, "expires_on", "授权日",
     "到期日", "到期日不能早于授权日"},
    {RR_ONLY_IF, "acquired_on", "acquisition", "acquired", "acquired_on",
     "受让日期", "获得方式",
     "只有获得方式为“受让、受赠或并购”时才填写受让日期"},
};

static const RecRule recrule_facts[] = {
    {RR_FACT_SUBKIND, "subkind", "kind", NULL, "subkind", "子类", "事项类型",
     NULL},
    {RR_FACT_LEVEL, "level", "kind", NULL, "level", "级别", "事项类型", NULL},
    {RR_ONE_OF, "occurred_on", "valid_from", NULL, "occurred_on", "发生日期",
     "有效期起", "发生日期与有效期起至少填写一个"},
    {RR_DATE_LE, "valid_from", "valid_to", NULL, "valid_to", "有效期起",
     "有效期止", "有效期止不能早于有效期起"},
};

static const RecRule recrule_decls[] = {
    {RR_DECL_YEAR, "year", "field", NULL, "year", "年度", "申报事项",
     "只有年度事项填写年度"},
    {RR_DATE_LE, "valid_from", "valid_to", NULL, "valid_to", "有效期起",
     "有效期止", "有效期止不能早于有效期起"},
};

#define RR_N(a) (sizeof(a) / sizeof((a)[0]))

const RecRule *recrule_table(int kind, size_t *n)
{
    switch (kind) {
    case RECRULE_ENTERPRISES:
        *n = RR_N(recrule_ent);
        return recrule_ent;
    case RECRULE_FIGURES:
        *n = RR_N(recrule_figures);
        return recrule_figures;
    case RECRULE_IP:
        *n = RR_N(recrule_ip);
        return recrule_ip;
    case RECRULE_FACTS:
        *n = RR_N(recrule_facts);
        return recrule_facts;
    case RECRULE_DECLARATIONS:
        *n = RR_N(recrule_decls);
        return recrule_decls;
    default:
        *n = 0;
        return NULL;
    }
}

static const char *recrule_text(const RecRow *row, const char *key)
{
    const char *s = row->get_text ? row->get_text(row->ctx, key) : NULL;

    return s && *s ? s : NULL;
}

static int recrule_int(const RecRow *row, const char *key, int64_t *out)
{
    return row->get_int ? row->get_int(row->ctx, key, out) : 0;
}

int recrule_check_one(const RecRule *r, const RecRow *row, const char *today,
                      Err *e)
{
    char now[DATE_ISO_SIZE];
    int64_t x, y;
    const char *s, *t;

    switch (r->op) {
    case RR_LE:
        if (recrule_int(row, r->a, &x) && recrule_int(row, r->b, &y) && x > y) {
            return err_set(e, ERR_INVALID, r->field, "%s（%lld）%s%s（%lld）",
                           r->a_name, (long long)x, r->msg, r->b_name,
                           (long long)y);
        }
        return 0;
    case RR_DATE_LE:
        s = recrule_text(row, r->a);
        t = recrule_text(row, r->b);
        if (s && t && strcmp(s, t) > 0) {
            return err_set(e, ERR_INVALID, r->field, "%s（%s %s，%s %s）",
                           r->msg, r->a_name, s, r->b_name, t);
        }
        return 0;
    case RR_NOT_FUTURE:
        s = recrule_text(row, r->a);
        if (!today) {
            date_format_iso(date_today(), now);
            today = now;
        }
        if (s && strcmp(s, today) > 0) {
            return err_set(e, ERR_INVALID, r->field, "%s", r->msg);
        }
        return 0;
    case RR_ONE_OF:
        if (!recrule_text(row, r->a) && !recrule_text(row, r->b)) {
            return err_set(e, ERR_INVALID, r->field, "%s", r->msg);
        }
        return 0;
    case RR_ONLY_IF: {
        int set = recrule_text(row, r->a) != NULL ||
                  (recrule_int(row, r->a, &x) && x != 0);
        t = recrule_text(row, r->b);
        if (set && (!t || strcmp(t, r->value) != 0)) {
            return err_set(e, ERR_INVALID, r->field, "%s", r->msg);
        }
        return 0;
    }
    case RR_FACT_SUBKIND: {
        const FactKind *k = fact_kind_find(recrule_text(row, r->b));
        s = recrule_text(row, r->a);
        if (!k) {
            return 0; /* the kind's own check reports it */
        }
        if (k->subkinds && !s) {
            return err_set(e, ERR_INVALID, r->field, "事项类型“%s”须填写子类",
                           k->name);
        }
        if (s && !k->subkinds) {
            return err_set(e, ERR_INVALID, r->field,
                           "事项类型“%s”没有子类，请留空", k->name);
        }
        if (s && !fact_subkind_valid(k, s)) {
            const char *nm = fact_subkind_name(s);
            return err_set(e, ERR_INVALID, r->field,
                           "子类“%s”不适用于事项类型“%s”", nm ? nm : s,
                           k->name);
        }
        return 0;
    }
    case RR_FACT_LEVEL: {
        const FactKind *k = fact_kind_find(recrule_text(row, r->b));
        s = recrule_text(row, r->a);
        if (!k) {
            return 0;
        }
        if (k->has_level && !s) {
            return err_set(e, ERR_INVALID, r->field, "事项类型“%s”须填写级别",
                           k->name);
        }
        if (!k->has_level && s) {
            return err_set(e, ERR_INVALID, r->field,
                           "事项类型“%s”没有级别，请留空", k->name);
        }
        return 0;
    }
    case RR_DECL_YEAR: {
        const RuleField *f;
        int yearly;
        s = recrule_text(row, r->b);
        f = s ? rule_field_get(rule_field_find(s)) : NULL;
        if (!f) {
            return 0; /* the field's own check reports it */
        }
        yearly = recrule_int(row, r->a, &x) && x != 0;
        if (f->kind == RF_YEARLY && !yearly) {
            return err_set(e, ERR_INVALID, r->field, "%s是年度数据，须填写年度",
                           f->label);
        }
        if (f->kind != RF_YEARLY && yearly) {
            return err_set(e, ERR_INVALID, r->field, "%s不分年度，年度请留空",
                           f->label);
        }
        return 0;
    }
    default:
        return 0;
    }
}

int recrule_check(int kind, const RecRow *row, const char *today,
                  const RecRule **failed, Err *e)
{
    const RecRule *t;
    size_t n = 0;
    size_t i;
    int rc;

    t = recrule_table(kind, &n);
    for (i = 0; i < n; i++) {
        rc = recrule_check_one(&t[i], row, today, e);
        if (rc) {
            if (failed) {
                *failed = &t[i];
            }
            return rc;
        }
    }
    return 0;
}

static const char *recrule_op_name(int op)
{
    switch (op) {
    case RR_LE:
        return "le";
    case RR_DATE_LE:
        return "date_le";
    case RR_NOT_FUTURE:
        return "not_future";
    case RR_ONE_OF:
        return "one_of";
    case RR_ONLY_IF:
        return "only_if";
    case RR_FACT_SUBKIND:
        return "fact_subkind";
    case RR_DECL_YEAR:
        return "decl_year";
    default:
        return "fact_level";
    }
}

json_t *recrule_json(void)
{
    static const char *const kinds[RECRULE_N] = {"enterprises", "figures", "ip",
                                                 "facts", "declarations"};
    json_t *o = json_object();
    int k;

    for (k = 0; k < RECRULE_N; k++) {
        json_t *a = json_array();
        size_t n = 0, i;
        const RecRule *t = recrule_table(k, &n);
        for (i = 0; i < n; i++) {
            json_t *r = json_object();
            char msg[256];
            json_object_set_new(r, "op", json_string(recrule_op_name(t[i].op)));
            json_object_set_new(r, "a", json_string(t[i].a));
            if (t[i].b) {
                json_object_set_new(r, "b", json_string(t[i].b));
            }
            if (t[i].value) {
                json_object_set_new(r, "value", json_string(t[i].value));
            }
            json_object_set_new(r, "field", json_string(t[i].field));
            if (t[i].op == RR_LE) {
                snprintf(msg, sizeof msg, "%s%s%s", t[i].a_name, t[i].msg,
                         t[i].b_name);
            } else if (t[i].msg) {
                snprintf(msg, sizeof msg, "%s", t[i].msg);
            } else {
                snprintf(msg, sizeof msg, "%s须符合%s", t[i].a_name,
                         t[i].b_name);
            }
            json_object_set_new(r, "message", json_string(msg));
            json_array_append_new(a, r);
        }
        json_object_set_new(o, kinds[k], a);
    }
    return o;
}
