/* api_rulesets.c - the rule sets in force: list with status and sources,
 * one rule set with its text and the results of its embedded cases,
 * differences between versions, checking a draft (the sandbox editor) and
 * reloading the rules directory. */
#include "api/api.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "domain/accounts/audit.h"
#include "domain/accounts/labels.h"
#include "domain/eligibility/elig_explain.h"
#include "domain/eligibility/ruleset.h"
#include "domain/eligibility/sandbox.h"

#define API_RULESETS_DIFF_MAX ((size_t)1024 * 1024)

/* The metadata of one entry of table tab. The file's directory is shown
 * to administrators only (full != 0); others see its name. "current": the
 * version of its tier that applies today (ruleset_tier_current);
 * "superseded_by": the one that does, for a version still in force. */
static json_t *entry_json(const RuleSetTable *tab, const RuleSetEntry *en,
                          Date today, int full)
{
    const RuleSet *cur =
        ruleset_tier_current(tab->sets, tab->n, rule_set_tier(en->rs), today);
    const RuleSet *rs = en->rs;
    const char *file = en->file;
    const char *slash = strrchr(file, '/');
    json_t *sources = json_array();
    Date from;
    Date to;
    char f[DATE_ISO_SIZE];
    char t[DATE_ISO_SIZE];
    int i;

    for (i = 0; i < rule_set_n_sources(rs); i++) {
        json_array_append_new(sources, json_string(rule_set_source(rs, i)));
    }
    rule_set_effective(rs, &from, &to);
    date_format_iso(from, f);
    date_format_iso(to, t);
    return json_pack(
        "{sssssssssssssssososssssssssssbsisbsosbso}", "id", rule_set_id(rs),
        "name", rule_set_name(rs), "tier", rule_set_tier(rs), "tier_name",
        elig_tier_name(rule_set_tier(rs)), "doc", rule_set_doc(rs), "issuer",
        rule_set_issuer(rs), "region", rule_set_region(rs), "effective_from",
        from == DATE_MIN ? json_null() : json_string(f), "effective_to",
        to == DATE_MAX ? json_null() : json_string(t), "status",
        rule_set_status(rs), "status_name",
        labels_verify_status(rule_set_status(rs))
            ? labels_verify_status(rule_set_status(rs))
            : "",
        "hash", rule_set_hash(rs), "source", ruleset_source_name(en->source),
        "file", full || !slash ? file : slash + 1, "from_dir",
        en->source == RULESET_SRC_DIR, "n_cases", rule_set_n_cases(rs),
        "in_force", from <= today && today <= to, "sources", sources, "current",
        cur == rs, "superseded_by",
        cur && cur != rs && from <= today && today <= to
            ? json_string(rule_set_id(cur))
            : json_null());
}

/* Split "file:line:col: message" into an object (line/col 0 when the text
 * has no position). */
static json_t *error_json(const char *s)
{
    const char *p = s;
    const char *best = NULL;
    long line = 0;
    long col = 0;

    /* the first ":N:N: " in the text ends the file name */
    while ((p = strchr(p, ':')) != NULL) {
        char *end;
        long l = strtol(p + 1, &end, 10);
        if (end > p + 1 && *end == ':') {
            char *end2;
            long c2 = strtol(end + 1, &end2, 10);
            if (end2 > end + 1 && end2[0] == ':' && end2[1] == ' ') {
                best = p;
                line = l;
                col = c2;
                break;
            }
        }
        p++;
    }
    if (!best) {
        return json_pack("{sssisiss}", "file", "", "line", 0, "col", 0,
                         "message", s);
    }
    {
        const char *msg = strchr(strchr(best + 1, ':') + 1, ':') + 2;
        return json_pack("{ss%sIsIssss}", "file", s, (size_t)(best - s), "line",
                         (json_int_t)line, "col", (json_int_t)col, "message",
                         msg, "text", s);
    }
}

/* Errors one per line in b as an array of error_json objects. */
static json_t *errors_json(const char *lines)
{
    json_t *arr = json_array();
    const char *p = lines;

    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *one = strndup(p, n);
        if (one && *one) {
            json_array_append_new(arr, error_json(one));
        }
        free(one);
        p = nl ? nl + 1 : NULL;
    }
    return arr;
}

/* Answer 400 with every error listed ("errors": [...]). */
static int reply_errors(Ctx *c, const Err *e, const char *lines)
{
    return ctx_reply_json(
        c, 400,
        json_pack("{s{ssssssso}}", "error", "code", "invalid", "field",
                  e->field[0] ? e->field : "rules_dir", "message", e->msg,
                  "errors", errors_json(lines)));
}

/* The list of the table's rule sets. */
static json_t *table_json(const RuleSetTable *t, Date today, int with_dir)
{
    json_t *items = json_array();
    json_t *o;
    int i;

    for (i = 0; i < t->n; i++) {
        json_array_append_new(items,
                              entry_json(t, &t->entries[i], today, with_dir));
    }
    o = ctx_page_json(items, (int64_t)t->n, NULL);
    json_object_set_new(o, "generation", json_integer(t->generation));
    json_object_set_new(o, "reloads_left",
                        json_integer(RULESET_RELOAD_MAX - t->generation));
    json_object_set_new(o, "loaded_at", json_string(t->loaded_at));
    if (with_dir) {
        json_object_set_new(o, "dir", json_string(t->dir));
    }
    return o;
}

int api_rulesets_list(Ctx *c, Err *e)
{
    const char *as_of = ctx_query(c, "as_of");
    Date d = date_today();

    /* in_force / current / superseded_by on the as-of date (today) */
    if (as_of && *as_of &&
        (strlen(as_of) > 10 || date_parse(as_of, &d, "as_of", e) != 0)) {
        return err_set(e, ERR_INVALID, "as_of", "评价日应为 YYYY-MM-DD");
    }
    return ctx_reply_json(
        c, 200, table_json(ruleset_current(), d, c->actor.role == ROLE_ADMIN));
}

/* The entry named by {rid} in the current table, or ERR_NOTFOUND. */
static int find_rid(Ctx *c, const RuleSetEntry **out, Err *e)
{
    const char *rid = ctx_param(c, "rid");

    *out = rid ? ruleset_find(ruleset_current(), rid) : NULL;
    if (!*out) {
        err_set(e, ERR_NOTFOUND, "rid", "没有编号为 %s 的规则集",
                rid ? rid : "");
        return ERR_NOTFOUND;
    }
    return 0;
}

/* Results of the embedded cases of rs: [{name, ok, why}]; *n_failed gets
 * the failures. */
static json_t *cases_json(const RuleSet *rs, int *n_failed)
{
    json_t *arr = json_array();
    Buf why;
    int i;

    *n_failed = 0;
    buf_init(&why, (size_t)64 * 1024);
    for (i = 0; i < rule_set_n_cases(rs); i++) {
        int ok;

        buf_reset(&why);
        ok = rule_set_run_case(rs, i, &why);
        if (!ok) {
            (*n_failed)++;
        }
        json_array_append_new(
            arr, json_pack("{sssbss}", "name", rule_set_case_name(rs, i), "ok",
                           ok, "why", why.data ? why.data : ""));
    }
    buf_release(&why);
    return arr;
}

int api_rulesets_get(Ctx *c, Err *e)
{
    const RuleSetEntry *en;
    json_t *o;
    int failed = 0;
    int rc;

    rc = find_rid(c, &en, e);
    if (rc) {
        return rc;
    }
    o = entry_json(ruleset_current(), en, date_today(),
                   c->actor.role == ROLE_ADMIN);
    json_object_set_new(o, "text", json_stringn(en->text, en->len));
    json_object_set_new(o, "cases", cases_json(en->rs, &failed));
    json_object_set_new(o, "cases_failed", json_integer(failed));
    return ctx_reply_json(c, 200, o);
}

int api_rulesets_diff(Ctx *c, Err *e)
{
    const RuleSetEntry *en;
    const RuleSetEntry *other = NULL;
    const char *against = ctx_query(c, "against");
    RuleSet *parsed = NULL;
    const RuleSet *b;
    Buf out;
    int n;
    int rc;

    rc = find_rid(c, &en, e);
    if (rc) {
        return rc;
    }
    if (against && *against) {
        other = ruleset_find(ruleset_current(), against);
        if (!other) {
            if (strlen(against) > API_RULESETS_DIFF_MAX) {
                return err_set(e, ERR_TOOBIG, "against", "对比文本过长");
            }
            rc = rule_set_parse("对比文本", against, strlen(against), &parsed,
                                e);
            if (rc) {
                snprintf(e->field, sizeof e->field, "%s", "against");
                return rc == ERR_TOOBIG ? ERR_INVALID : rc;
            }
        }
    } else {
        /* no against: the built-in a directory file replaces (what the
         * directory changed), else the rule set itself */
        other = ruleset_find(ruleset_builtins(), rule_set_id(en->rs));
        if (!other) {
            other = en;
        }
    }
    b = parsed ? parsed : (other ? other->rs : en->rs);
    buf_init(&out, (size_t)4 * 1024 * 1024);
    n = rule_set_diff(en->rs, b, &out);
    rc = ctx_reply_json(c, 200,
                        json_pack("{sssssissss}", "id", rule_set_id(en->rs),
                                  "against", rule_set_id(b), "differences", n,
                                  "against_hash", rule_set_hash(b), "text",
                                  out.data ? out.data : ""));
    buf_release(&out);
    rule_set_free(parsed);
    return rc;
}

/* The "source" string of the JSON body (kept whole: rule files have line
 * breaks, which ctx_json_str refuses). */
static int body_source(const Ctx *c, const char **src, size_t *len, Err *e)
{
    json_t *v = c->json ? json_object_get(c->json, "source") : NULL;

    if (!v || !json_is_string(v) || json_string_length(v) == 0) {
        return err_set(e, ERR_INVALID, "source", "请提供规则文本（source）");
    }
    *src = json_string_value(v);
    *len = json_string_length(v);
    if (*len > SANDBOX_SOURCE_MAX) {
        return err_set(e, ERR_TOOBIG, "source", "规则文本超过 %zu 字节",
                       SANDBOX_SOURCE_MAX);
    }
    return 0;
}

/* Checking writes nothing; the route carries the write flag only because
 * it is a POST (the body is too large for a query string). */
int api_rulesets_check(Ctx *c, Err *e)
{
    static const char *const fields[] = {"source", NULL};
    const char *src = NULL;
    size_t len = 0;
    RuleSet *rs = NULL;
    const RuleSetEntry *cur;
    json_t *o;
    Err pe;
    int failed = 0;
    int rc;

    rc = ctx_json_fields(c, fields, e);
    if (rc == 0) {
        rc = body_source(c, &src, &len, e);
    }
    if (rc) {
        return rc;
    }
    err_clear(&pe);
    if (rule_set_parse(SANDBOX_DRAFT_PATH, src, len, &rs, &pe) != 0) {
        json_t *errs = json_array();
        json_array_append_new(errs, error_json(pe.msg));
        return ctx_reply_json(c, 200,
                              json_pack("{sbso}", "ok", 0, "errors", errs));
    }
    cur = ruleset_find(ruleset_current(), rule_set_id(rs));
    o = json_pack("{sbsossssssss}", "ok", 1, "errors", json_array(), "id",
                  rule_set_id(rs), "name", rule_set_name(rs), "tier",
                  rule_set_tier(rs), "hash", rule_set_hash(rs));
    json_object_set_new(o, "cases", cases_json(rs, &failed));
    json_object_set_new(o, "cases_failed", json_integer(failed));
    json_object_set_new(o, "in_table", json_boolean(cur != NULL));
    if (cur) {
        Buf diff;
        int n;
        buf_init(&diff, (size_t)4 * 1024 * 1024);
        n = rule_set_diff(cur->rs, rs, &diff);
        json_object_set_new(o, "differences", json_integer(n));
        json_object_set_new(o, "diff", json_string(diff.data ? diff.data : ""));
        buf_release(&diff);
    }
    rule_set_free(rs);
    return ctx_reply_json(c, 200, o);
}

int api_rules_reference(Ctx *c, Err *e)
{
    json_t *o = elig_rules_reference();
    json_t *verdicts = json_array();

    (void)e;
    /* the verdicts of a rule set: codes as the API writes them, names as
     * the rule engine, the exports and verdict_name write them */
    for (int v = RULE_V_MET; v <= RULE_V_CONFLICT; v++) {
        json_array_append_new(verdicts,
                              json_pack("{ssss}", "code", elig_verdict_code(v),
                                        "name", rule_verdict_name(v)));
    }
    json_object_set_new(o, "verdicts", verdicts);
    return ctx_reply_json(c, 200, o);
}

int api_rulesets_reload(Ctx *c, Err *e)
{
    Buf errors;
    json_t *after = NULL;
    const RuleSetTable *t;
    int rc;

    buf_init(&errors, (size_t)256 * 1024);
    rc = db_begin(c->db, e);
    if (rc) {
        goto out;
    }
    rc = ruleset_reload(&errors, e);
    if (rc) {
        db_rollback(c->db);
        if (rc == ERR_INVALID) {
            rc = reply_errors(c, e, errors.data ? errors.data : "");
        }
        goto out;
    }
    t = ruleset_current();
    {
        json_t *sets = json_array();
        int i;
        for (i = 0; i < t->n; i++) {
            json_array_append_new(
                sets,
                json_pack("{ssssss}", "id", rule_set_id(t->entries[i].rs),
                          "hash", rule_set_hash(t->entries[i].rs), "source",
                          ruleset_source_name(t->entries[i].source)));
        }
        after = json_pack("{sissso}", "generation", t->generation, "dir",
                          t->dir, "rulesets", sets);
    }
    rc = audit_record(c->db, &c->actor, "rulesets.reload", "ruleset", 0, NULL,
                      NULL, after, e);
    if (rc == 0) {
        rc = db_commit(c->db, e);
    }
    if (rc) {
        db_rollback(c->db);
        goto out;
    }
    rc = ctx_reply_json(c, 200, table_json(t, date_today(), 1));
out:
    json_decref(after);
    buf_release(&errors);
    return rc;
}
