/* plan_report.c - quarterly report of a plan (plan_report.h). */
#include "domain/plan/plan_report.h"

#include <stdio.h>
#include <string.h>

#include "base/xlsx_write.h"
#include "domain/plan/plan.h"
#include "domain/plan/plan_figure.h"
#include "domain/plan/plan_kind.h"

static const char *js(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

int plan_report_quarter(Db *db, const Actor *a, int64_t plan_id,
                        const char *quarter, json_t **out, Err *e)
{
    char d0[11];
    char d1[11];
    json_t *fig = NULL;
    json_t *rows;
    json_t *ind;
    size_t i;
    PlanRow p;
    int year = 0;
    int rc;

    *out = NULL;
    rc = plan_load(db, plan_id, &p, e);
    if (rc == 0) {
        rc = plan_period_parse(quarter, "quarter", &year, d0, d1, "quarter", e);
    }
    if (rc == 0) {
        rc = plan_year_check(year, p.year_from, p.year_to, 0, "quarter", "", e);
    }
    if (rc == 0) {
        rc = plan_figures(db, a, plan_id, d1, &fig, e);
    }
    if (rc) {
        return rc;
    }
    rows = json_array();
    json_array_foreach(json_object_get(fig, "indicators"), i, ind)
    {
        json_t *d = json_object_get(ind, "district");
        json_t *bp = json_object_get(d, "completion_bp");
        char pct[32] = "";

        if (json_is_integer(bp)) {
            long long v = (long long)json_integer_value(bp);

            snprintf(pct, sizeof pct, "%lld.%02lld%%", v / 100, v % 100);
        }
        json_array_append_new(
            rows, json_pack("{sOsOsOsOsOsOsssOsO}", "seq",
                            json_object_get(ind, "seq"), "name",
                            json_object_get(ind, "name"), "unit",
                            json_object_get(ind, "unit"), "kind_name",
                            json_object_get(ind, "kind_name"), "target",
                            json_object_get(d, "target"), "actual",
                            json_object_get(d, "value"), "completion", pct,
                            "status", json_object_get(d, "status"), "message",
                            json_object_get(d, "message")));
    }
    *out =
        json_pack("{sIsssOsssssiso}", "plan_id", (json_int_t)plan_id,
                  "plan_name", p.name, "doc_no", json_object_get(fig, "doc_no"),
                  "quarter", quarter, "date", d1, "year", year, "rows", rows);
    json_decref(fig);
    return 0;
}

static void html_text(Buf *b, const char *s)
{
    buf_append_html(b, s, strlen(s));
}

int plan_report_html(const json_t *rep, Buf *b, Err *e)
{
    static const char *const heads[] = {"序号",     "指标", "单位",   "类型",
                                        "年度目标", "实际", "完成率", "说明"};
    char title[600];
    char yt[32];
    size_t i;
    json_t *r;

    snprintf(title, sizeof title, "%s %s 指标完成情况", js(rep, "plan_name"),
             js(rep, "quarter"));
    buf_append_str(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta "
                      "charset=\"utf-8\"><title>");
    html_text(b, title);
    buf_append_str(b,
                   "</title><style>body{font-family:sans-serif;margin:2em}"
                   "h1{font-size:20px;text-align:center}p{text-align:center}"
                   "table{border-collapse:collapse;width:100%}"
                   "th,td{border:1px solid #333;padding:4px 8px;font-size:14px}"
                   "th{background:#eef3fb}td.n{text-align:right}"
                   "@media print{body{margin:0}}</style></head><body><h1>");
    html_text(b, title);
    buf_append_str(b, "</h1><p>");
    if (*js(rep, "doc_no")) {
        html_text(b, js(rep, "doc_no"));
        buf_append_str(b, " · ");
    }
    buf_append_str(b, "统计截至 ");
    html_text(b, js(rep, "date"));
    buf_append_str(b, "</p><table><thead><tr>");
    for (size_t k = 0; k < 8; k++) {
        buf_append_str(b, "<th>");
        if (k == 4) {
            snprintf(
                yt, sizeof yt, "%lld年目标",
                (long long)json_integer_value(json_object_get(rep, "year")));
            html_text(b, yt);
        } else {
            html_text(b, heads[k]);
        }
        buf_append_str(b, "</th>");
    }
    buf_append_str(b, "</tr></thead><tbody>");
    json_array_foreach(json_object_get(rep, "rows"), i, r)
    {
        buf_appendf(b, "<tr><td class=\"n\">%lld</td><td>",
                    (long long)json_integer_value(json_object_get(r, "seq")));
        html_text(b, js(r, "name"));
        buf_append_str(b, "</td><td>");
        html_text(b, js(r, "unit"));
        buf_append_str(b, "</td><td>");
        html_text(b, js(r, "kind_name"));
        buf_append_str(b, "</td><td class=\"n\">");
        html_text(b, js(r, "target"));
        buf_append_str(b, "</td><td class=\"n\">");
        html_text(b, js(r, "actual"));
        buf_append_str(b, "</td><td class=\"n\">");
        html_text(b, js(r, "completion"));
        buf_append_str(b, "</td><td>");
        html_text(b, js(r, "message"));
        buf_append_str(b, "</td></tr>\n");
    }
    buf_append_str(b, "</tbody></table></body></html>\n");
    if (b->err) {
        return err_set(e, ERR_TOOBIG, "report", "报告过大");
    }
    return 0;
}

int plan_report_xlsx(const json_t *rep, Buf *out, Err *e)
{
    static const char *const heads[] = {"序号",     "指标", "单位",   "类型",
                                        "年度目标", "实际", "完成率", "说明"};
    XlsxWriter *w = NULL;
    XlsxOutSheet *s = NULL;
    char title[600];
    uint32_t row = 2;
    size_t i;
    json_t *r;
    int rc;

    snprintf(title, sizeof title, "%s %s 指标完成情况（统计截至 %s）",
             js(rep, "plan_name"), js(rep, "quarter"), js(rep, "date"));
    rc = xlsx_writer_new_mem(&w, e);
    if (rc == 0) {
        rc = xlsx_writer_add_sheet(w, js(rep, "quarter"), &s, e);
    }
    if (rc == 0) {
        rc = xlsx_write_title(s, 0, 0, 0, 7, title, e);
    }
    if (rc == 0) {
        rc = xlsx_write_header(s, 1, heads, 8, e);
    }
    json_array_foreach(json_object_get(rep, "rows"), i, r)
    {
        const char *cells[7] = {js(r, "name"),      js(r, "unit"),
                                js(r, "kind_name"), js(r, "target"),
                                js(r, "actual"),    js(r, "completion"),
                                js(r, "message")};

        if (rc) {
            break;
        }
        rc = xlsx_write_int(s, row, 0,
                            json_integer_value(json_object_get(r, "seq")), e);
        for (uint16_t c = 0; rc == 0 && c < 7; c++) {
            rc = xlsx_write_str(s, row, (uint16_t)(c + 1),
                                *cells[c] ? cells[c] : NULL, e);
        }
        row++;
    }
    if (rc) {
        xlsx_writer_free(w);
        return rc;
    }
    return xlsx_writer_close_mem(w, out, e);
}
