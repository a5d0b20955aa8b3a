/* plan_demo.c - the 河东 plan for the demo district (plan_demo.h). */
#include "domain/plan/plan_demo.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "domain/accounts/audit.h"
#include "domain/plan/plan.h"
#include "domain/plan/plan_eval.h"
#include "domain/plan/plan_figure.h"
#include "domain/plan/plan_import.h"
#include "domain/plan/plan_task.h"

/* reference/plans.md §3 as published (targets 2020-2022). */
static const char plan_demo_targets[] =
    "河东区科技创新三年行动计划主要指标年度分解表\n"
    "序号,指标名称,2020年,2021年,2022年\n"
    "1,研发支出与地区生产总值比值（%）,2.57,2.58,2.59\n"
    "2,全区有效发明专利（件）,1140,1155,1170\n"
    "3,高新技术企业数量（家）,108,116,128\n"
    "4,“雏鹰”企业数量（家）,60,70,80\n"
    "5,“瞪羚”企业数量（家）,8,10,12\n"
    "6,科技领军（领军培育）企业数量（家）,0,1,2\n"
    "7,全区技术合同成交额（亿元）,40,45,50\n"
    "注：全区有效发明专利、高新技术企业数量、“雏鹰”企业数量、“瞪羚”企业数量为"
    "年末累计数；全区技术合同成交额为当年数。\n";

/* A task list in the style of the published ones (written for the demo). */
static const char plan_demo_tasks[] =
    "序号,重点任务,工作措施,牵头单位,责任单位,完成时限\n"
    "一、实施科技企业梯度培育工程\n"
    "1,壮大科技企业群体,建立科技型企业库，实行入库企业动态管理,区科技局,"
    "\"东新街道、大王庄街道，河东科创园区\",2022年12月\n"
    "2,,推动科技型中小企业评价入库，力争每年入库300家以上,区科技局,"
    "区市场监管局、区税务局,每年\n"
    ",,对入库企业开展“一对一”辅导服务,,区人才办,\n"
    "3,培育高新技术企业,到2022年高新技术企业达到128家,区科技局,"
    "区财政局、区税务局,2022年12月\n"
    "4,,实施雏鹰—瞪羚—领军梯度培育，2022年雏鹰企业80家、瞪羚企业12家,"
    "区科技局,河东科创园区、东部智造产业园,2022年12月\n"
    "二、推进技术转移和成果转化\n"
    "5,活跃技术市场,全区技术合同成交额2022年达到50亿元,区科技局,"
    "区发改委，区财政局,2022年12月\n"
    "6,加强知识产权创造,全区有效发明专利2022年达到1170件,区市场监管局,"
    "区科技局,2022年12月\n"
    "三、强化人才和投入保障\n"
    "7,引育高层次人才,落实“海河英才”行动计划，引育创新创业团队,区人才办,"
    "区人社局、区科技局,每季度\n"
    "8,提高研发投入强度,研发支出与地区生产总值比值2022年达到2.59%,"
    "区发改委,区统计局、区科技局,每年\n";

static const char *const plan_demo_depts[] = {
    "区发改委", "区财政局", "区市场监管局", "区税务局",
    "区人才办", "区人社局", "区统计局"};

/* Synthetic recognitions of the demo enterprises (ids ascending):
 * kind, how many, first recognition year, years of validity. */
static const struct {
    const char *kind;
    int n;
    int years;
} plan_demo_quals[] = {{"hnte", 150, 3},
                       {"chuying", 90, 3},
                       {"dengling", 11, 3},
                       {"lingjun", 1, 3}};

/* Write recognitions when the register is empty (one transaction with its
 * audit entry). */
static int plan_demo_quals_write(Db *db, const Actor *a, int64_t root, Err *e)
{
    char now[CLOCK_ISO_LEN];
    int64_t n = 0;
    int64_t offset = 0;
    json_t *after = NULL;
    int rc;

    rc = db_query_int64(db, &n, e, "SELECT COUNT(*) FROM qualifications", "");
    if (rc || n > 0) {
        return rc;
    }
    clock_now_iso(now, 0);
    rc = db_begin(db, e);
    for (size_t k = 0;
         rc == 0 && k < sizeof plan_demo_quals / sizeof plan_demo_quals[0];
         k++) {
        DbStmt *st = NULL;
        int64_t ids[200];
        int m = 0;

        rc = db_prepare_v(db, &st, e,
                          "SELECT id FROM enterprises WHERE retired_at IS "
                          "NULL ORDER BY id LIMIT $1 OFFSET $2",
                          "ii", (int64_t)plan_demo_quals[k].n, offset);
        while (rc == 0 && (rc = db_step(st, e)) == DB_ROW) {
            ids[m++] = db_col_int64(st, 0);
            rc = 0;
        }
        if (rc == DB_DONE) {
            rc = 0;
        }
        db_finalize(st);
        /* hnte / chuying holders are distinct enterprises; higher tiers
         * are drawn from the chuying holders (the ladder) */
        if (k < 2) {
            offset += plan_demo_quals[k].n;
        } else {
            offset = plan_demo_quals[0].n;
        }
        for (int i = 0; rc == 0 && i < m; i++) {
            /* recognised between 2019 and 2022, spread over the months */
            int y = 2019 + (i * 7) % 4;
            int mo = 1 + (i * 5) % 12;
            char from[24];
            char to[24];

            if (k == 3) {
                y = 2021;
            }
            snprintf(from, sizeof from, "%04d-%02d-01", y, mo);
            snprintf(to, sizeof to, "%04d-%02d-28",
                     y + plan_demo_quals[k].years, mo);
            rc = db_exec_v(db, e,
                           "INSERT INTO qualifications (enterprise_id, kind, "
                           "year, issued_on, valid_from, valid_to, basis, "
                           "src_kind, src_at, created_at, updated_at) VALUES "
                           "($1, $2, $3, $4, $4, $5, 'first', 'demo', $6, $6, "
                           "$6)",
                           "itittt", ids[i], plan_demo_quals[k].kind,
                           (int64_t)y, from, to, now);
        }
    }
    if (rc == 0) {
        after = json_pack("{ss}", "qualifications", "演示资质（计划驾驶舱用）");
        rc = audit_record(db, a, "demo.qualifications", "org_unit", root, NULL,
                          NULL, after, e);
        json_decref(after);
    }
    if (rc == 0) {
        rc = db_commit(db, e);
    }
    if (rc) {
        db_rollback(db);
    }
    return rc;
}

static int64_t plan_demo_unit(Db *db, const char *name)
{
    int64_t id = 0;

    if (db_query_int64(db, &id, NULL,
                       "SELECT id FROM org_units WHERE name = $1 AND "
                       "retired_at IS NULL ORDER BY path LIMIT 1",
                       "t", name) != 0) {
        return 0;
    }
    return id;
}

/* Import text as kind into plan and apply it with the unit mapping. */
static int plan_demo_import(Db *db, const Actor *a, int64_t plan,
                            const char *kind, const char *text, json_t *units,
                            Err *e)
{
    json_t *prev = NULL;
    json_t *res = NULL;
    int rc;

    rc = plan_import_preview(db, a, plan, kind, "演示数据", text, strlen(text),
                             &prev, e);
    if (rc == 0) {
        rc = plan_import_apply(db, a,
                               json_integer_value(json_object_get(prev, "id")),
                               units, NULL, &res, e);
    }
    json_decref(prev);
    json_decref(res);
    return rc;
}

/* Indicator id of seq in plan. */
static int64_t plan_demo_ind(Db *db, int64_t plan, int seq)
{
    int64_t id = 0;

    db_query_int64(db, &id, NULL,
                   "SELECT id FROM plan_indicators WHERE plan_id = $1 AND "
                   "seq = $2",
                   "ii", plan, (int64_t)seq);
    return id;
}

static int plan_demo_source(Db *db, const Actor *a, int64_t ind,
                            const char *source, const char *kind, Err *e)
{
    json_t *params = kind ? json_pack("{ss}", "kind", kind) : NULL;
    int64_t v = 0;
    int rc = plan_source_add(db, a, ind, source, params, &v, e);

    json_decref(params);
    return rc;
}

/* Task id of seq in plan. */
static int64_t plan_demo_task(Db *db, int64_t plan, int seq)
{
    int64_t id = 0;

    db_query_int64(db, &id, NULL,
                   "SELECT id FROM plan_tasks WHERE plan_id = $1 AND seq = $2",
                   "ii", plan, (int64_t)seq);
    return id;
}

static int plan_demo_history(Db *db, const Actor *a, int64_t plan, Err *e)
{
    static const char *const quarters[] = {"2022Q1", "2022Q2", "2022Q3"};
    static const char *const texts[] = {
        "引进创新创业团队 1 个，发布人才需求目录（演示数据）",
        "引进创新创业团队 2 个，举办“海河英才”政策宣讲 3 场（演示数据）",
        "引进创新创业团队 1 个，累计 4 个（演示数据）"};
    int64_t t7 = plan_demo_task(db, plan, 7);
    int64_t hr = plan_demo_unit(db, "区人社局");
    int64_t talent = plan_demo_unit(db, "区人才办");
    json_t *decisions = NULL;
    int64_t id = 0;
    int rc = 0;

    /* tasks linked to the indicators they push */
    {
        static const int links[][2] = {{3, 3}, {4, 4}, {4, 5}, {6, 2}, {8, 1}};

        for (size_t i = 0; rc == 0 && i < sizeof links / sizeof links[0]; i++) {
            json_t *ids = json_pack(
                "[I]", (json_int_t)plan_demo_ind(db, plan, links[i][1]));

            if (i == 2) {
                json_array_insert_new(
                    ids, 0, json_integer(plan_demo_ind(db, plan, links[1][1])));
            }
            rc = plan_task_link(db, a, plan_demo_task(db, plan, links[i][0]),
                                ids, e);
            json_decref(ids);
        }
    }
    /* the office judges the 技术市场 task at risk (no contract data yet) */
    if (rc == 0) {
        rc = plan_task_judge(db, a, plan_demo_task(db, plan, 5), "at_risk", e);
    }
    for (size_t q = 0; rc == 0 && t7 && hr && q < 3; q++) {
        json_t *ev = NULL;

        rc = plan_report_file(db, a, t7, hr, quarters[q], texts[q], &id, e);
        if (rc == 0) {
            rc = plan_report_consolidate(db, a, t7, quarters[q],
                                         "区人才办汇总：按计划推进（演示数据）",
                                         e);
        }
        if (rc == 0) {
            rc = plan_report_review(db, a, t7, quarters[q], 1, NULL, e);
        }
        if (rc == 0) {
            rc = plan_eval_run(db, a, plan, quarters[q], &ev, e);
        }
        if (rc == 0) {
            rc = plan_eval_publish(
                db, a, json_integer_value(json_object_get(ev, "id")), e);
        }
        json_decref(ev);
    }
    /* the third-quarter meeting and its decision, and an open notice */
    if (rc == 0 && talent) {
        decisions = json_pack("[{sIsssss}]", "unit_id", (json_int_t)talent,
                              "text", "11月底前报送高层次人才引育名单",
                              "deadline", "2022-11-30");
        rc = plan_meeting_add(
            db, a, plan, "2022-10-10", "第三季度科技创新联席会议",
            "区科技局、区发改委、区财政局、区人才办、区人社局",
            "人才引育进度偏慢；技术合同登记数据尚未接入", decisions, &id, e);
        json_decref(decisions);
    }
    if (rc == 0 && hr) {
        rc = plan_notice_issue(db, a, plan, plan_demo_unit(db, "区发改委"),
                               plan_demo_task(db, plan, 8),
                               "报送研发投入强度测算依据（演示数据）",
                               "2022-12-15", &id, e);
    }
    return rc;
}

int plan_demo_generate(Db *db, const Actor *a, Err *e)
{
    /* quarterly 研发投入强度 figures filed by 区统计局 (synthetic) */
    static const struct {
        const char *period;
        const char *value;
    } hist[] = {{"2020Q4", "2.55"}, {"2021Q2", "2.56"}, {"2021Q4", "2.60"},
                {"2022Q1", "2.52"}, {"2022Q2", "2.57"}, {"2022Q3", "2.58"}};
    json_t *units = json_object();
    PlanInput in;
    int64_t root = 0;
    int64_t plan = 0;
    int64_t n = 0;
    int64_t ind;
    int rc;

    rc = db_query_int64(db, &n, e, "SELECT COUNT(*) FROM plans", "");
    if (rc == 0 && n > 0) {
        rc = err_set(e, ERR_CONFLICT, "plans", "已有行动计划，未生成演示计划");
    }
    if (rc == 0) {
        rc = db_query_int64(db, &root, e,
                            "SELECT id FROM org_units WHERE parent_id IS NULL "
                            "ORDER BY id LIMIT 1",
                            "");
    }
    if (rc == 0) {
        rc = plan_demo_quals_write(db, a, root, e);
    }
    memset(&in, 0, sizeof in);
    in.name = "河东区科技创新三年行动计划（2020—2022年）";
    in.doc_no = "演示数据";
    in.issuer_unit_id = root;
    in.year_from = 2020;
    in.year_to = 2022;
    in.period = "quarter";
    in.note = "指标与目标取自河东区科技创新三年行动计划年度分解表；任务分工、"
              "季度填报数据为演示用虚构数据。";
    if (rc == 0) {
        rc = plan_create(db, a, &in, &plan, e);
    }
    if (rc == 0) {
        rc = plan_demo_import(db, a, plan, "targets", plan_demo_targets, NULL,
                              e);
    }
    json_object_set_new(units, "区科技局", json_integer(root));
    for (size_t i = 0; i < sizeof plan_demo_depts / sizeof plan_demo_depts[0];
         i++) {
        int64_t u = plan_demo_unit(db, plan_demo_depts[i]);

        json_object_set_new(units, plan_demo_depts[i],
                            u ? json_integer(u) : json_string("new"));
    }
    if (rc == 0) {
        rc = plan_demo_import(db, a, plan, "tasks", plan_demo_tasks, units, e);
    }
    json_decref(units);
    /* sources: the register and IP rights where kechuang holds the data */
    if (rc == 0) {
        rc = plan_demo_source(db, a, plan_demo_ind(db, plan, 2), "ip_invention",
                              NULL, e);
    }
    if (rc == 0) {
        rc = plan_demo_source(db, a, plan_demo_ind(db, plan, 3), "qual_count",
                              "hnte", e);
    }
    if (rc == 0) {
        rc = plan_demo_source(db, a, plan_demo_ind(db, plan, 4), "qual_count",
                              "chuying", e);
    }
    if (rc == 0) {
        rc = plan_demo_source(db, a, plan_demo_ind(db, plan, 5), "qual_count",
                              "dengling", e);
    }
    if (rc == 0) {
        rc = plan_demo_source(db, a, plan_demo_ind(db, plan, 6), "qual_count",
                              "lingjun", e);
    }
    if (rc == 0) {
        rc = plan_demo_source(db, a, plan_demo_ind(db, plan, 7), "contracts",
                              NULL, e);
    }
    /* 高企 targets decomposed to two units */
    ind = plan_demo_ind(db, plan, 3);
    if (rc == 0 && plan_demo_unit(db, "河东科创园区")) {
        rc = plan_target_put(db, a, ind, 2022,
                             plan_demo_unit(db, "河东科创园区"), "40", NULL, e);
    }
    if (rc == 0 && plan_demo_unit(db, "东新街道")) {
        rc = plan_target_put(db, a, ind, 2022, plan_demo_unit(db, "东新街道"),
                             "15", NULL, e);
    }
    /* manual history of indicator 1 for the district: figures of 区统计局
     * entered by the office and accepted */
    ind = plan_demo_ind(db, plan, 1);
    for (size_t i = 0; rc == 0 && i < sizeof hist / sizeof hist[0]; i++) {
        int64_t aid = 0;

        rc = plan_actual_submit(db, a, ind, root, hist[i].period, hist[i].value,
                                "区统计局季度测算（演示数据）", NULL, &aid, e);
        if (rc == 0) {
            rc = plan_actual_review(db, a, aid, 1, NULL, e);
        }
    }
    /* quarterly history: progress of task 7 filed, consolidated and
     * accepted, then each quarter's evaluation published (frozen) */
    if (rc == 0) {
        rc = plan_demo_history(db, a, plan, e);
    }
    return rc;
}
