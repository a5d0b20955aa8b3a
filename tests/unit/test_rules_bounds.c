/* test_rules_bounds.c - rule files cannot make the engine recurse without
 * bound: long chains of + - * / and or, deep nesting of parentheses, not,
 * unary minus, groups and function calls, heights built up through items
 * and yearly definitions, and too many nodes are refused with a zh-CN
 * error naming file:line:col; the largest accepted rule set parses,
 * evaluates, runs its cases, diffs and batch-evaluates on a thread with a
 * small stack (a crash there fails the test binary). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "rules/ast.h"
#include "rules/batch.h"
#include "rules/field.h"
#include "rules/rules.h"

/* Stack of the thread the rule engine runs on in these tests: far below
 * the 8 MiB of a request thread (src/http/http_mhd.c). Sanitizer builds
 * have larger frames. */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_STACK ((size_t)4 * 1024 * 1024)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_STACK ((size_t)4 * 1024 * 1024)
#endif
#endif
#ifndef TEST_STACK
#define TEST_STACK ((size_t)1024 * 1024)
#endif

#define HEAD "ruleset t-1 \"t\"\nstatus confirmed\n"

/* A growing text (aborts on allocation failure). */
typedef struct Txt {
    char *s;
    size_t len, cap;
} Txt;

static void tx_add(Txt *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tx_add(Txt *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* n copies of term joined by op. */
static void tx_chain(Txt *t, const char *term, const char *op, int n)
{
    for (int i = 0; i < n; i++) {
        tx_add(t, "%s%s", i ? op : "", term);
    }
}

/* ---- running the whole engine on a small stack ----------------------- */

typedef struct Run {
    const char *src;
    int parse_rc;
    char msg[512];
    int verdict;
    int cases_ok;
    int batch_verdict;
} Run;

/* Everything a draft goes through on the server, plus batch evaluation. */
static void *exercise(void *arg)
{
    Run *r = arg;
    RuleSet *rs = NULL, *rs2 = NULL;
    RuleResult *res = NULL;
    RuleInput *in;
    BatchProg *bp = NULL;
    Err e;
    Buf b;
    Date d;

    err_clear(&e);
    r->parse_rc = rule_set_parse("t.kcr", r->src, strlen(r->src), &rs, &e);
    snprintf(r->msg, sizeof r->msg, "%s", r->parse_rc ? e.msg : "");
    if (r->parse_rc != 0) {
        return NULL;
    }
    if (date_from_ymd(2023, 12, 31, &d, NULL, NULL) != 0) {
        abort();
    }
    in = rule_input_new(2023, d);
    if (rule_input_assign(in, "employees[2023]=2", &e) != 0) {
        abort();
    }
    if (rule_eval(rs, in, &res, &e) != 0) {
        abort();
    }
    r->verdict = rule_result_verdict(res);
    buf_init(&b, (size_t)16 * 1024 * 1024);
    rule_result_format_text(res, &b);
    rule_result_free(res);
    r->cases_ok = 1;
    for (int i = 0; i < rule_set_n_cases(rs); i++) {
        r->cases_ok &= rule_set_run_case(rs, i, &b);
    }
    if (rule_set_parse("t2.kcr", r->src, strlen(r->src), &rs2, &e) != 0) {
        abort();
    }
    rule_set_diff(rs, rs2, &b);
    buf_release(&b);
    r->batch_verdict = -1;
    if (batch_compile(rs, &bp, &e) == 0) {
        BatchInput bi;
        BatchOut o;
        uint8_t v = 0;
        batch_input_from_rule_input(in, &bi);
        memset(&o, 0, sizeof o);
        o.verdict = &v;
        o.exact = 1;
        if (batch_eval(bp, &bi, &o, 1, &e) == 0) {
            r->batch_verdict = v;
        }
        o.exact = 0;
        v = 0;
        if (batch_eval(bp, &bi, &o, 1, &e) != 0 || v != r->batch_verdict) {
            r->batch_verdict = -2;
        }
        batch_free(bp);
    }
    rule_input_free(in);
    rule_set_free(rs2);
    rule_set_free(rs);
    return NULL;
}

/* Run exercise() on src in a thread with TEST_STACK bytes of stack. */
static void run_small_stack(const char *src, Run *r)
{
    pthread_attr_t attr;
    pthread_t th;

    memset(r, 0, sizeof *r);
    r->src = src;
    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, TEST_STACK), 0);
    assert_int_equal(pthread_create(&th, &attr, exercise, r), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    pthread_attr_destroy(&attr);
}

/* src must be refused with an error at t.kcr:line: (any line when line is
 * 0) containing what. */
static void expect_refused(const char *src, int line, const char *what)
{
    Run r;
    char at[32];
    run_small_stack(src, &r);
    if (r.parse_rc == 0) {
        fail_msg("accepted (expected %s at line %d)", what, line);
    }
    snprintf(at, sizeof at, line > 0 ? "t.kcr:%d:" : "t.kcr:", line);
    if (strncmp(r.msg, at, strlen(at)) != 0 || !strstr(r.msg, what)) {
        fail_msg("message \"%s\", expected %s...%s", r.msg, at, what);
    }
}

/* ---- tests ------------------------------------------------------------ */

/* The reported crash: a let of ~5,300 + terms (95 KB here), with a case so
 * that checking it evaluates; and the same with - * / and or. */
static void test_long_chains_refused(void **state)
{
    static const char *ops[] = {" + ", " - ", " * ", " / "};
    (void)state;
    for (int k = 0; k < 4; k++) {
        Txt t = {0};
        tx_add(&t, HEAD "let x \"x\" = ");
        tx_chain(&t, "employees[year]", ops[k], 5300);
        tx_add(&t, "\npass = x > 0\ncase \"c\" { year = 2023 "
                   "employees[2023] = 1 } expect 达标\n");
        expect_refused(t.s, 3, "运算项过多");
        free(t.s);
    }
    for (int k = 0; k < 2; k++) {
        Txt t = {0};
        tx_add(&t, HEAD "check c \"c\" = ");
        tx_chain(&t, "employees[year] > 0", k ? " or " : " and ", 5300);
        tx_add(&t, "\npass = c\n");
        expect_refused(t.s, 3, "运算项过多");
        free(t.s);
    }
    {
        Txt t = {0};
        tx_add(&t, HEAD "pass = ");
        tx_chain(&t, "1 > 0", " 且 ", 5300);
        tx_add(&t, "\n");
        expect_refused(t.s, 3, "运算项过多");
        free(t.s);
    }
}

/* A chain just under the cap is accepted and evaluated exactly, by the
 * full path and the batch path alike. */
static void test_chain_at_cap_evaluates(void **state)
{
    Txt t = {0};
    Run r;
    (void)state;
    tx_add(&t, HEAD "let x \"x\" = ");
    tx_chain(&t, "employees[year]", " + ", RULES_MAX_OPERANDS - 1);
    tx_add(&t,
           "\ncheck c \"c\" = x = %d\npass = c\n"
           "case \"c\" { year = 2023 employees[2023] = 2 } expect 达标 "
           "x = %d\n",
           2 * (RULES_MAX_OPERANDS - 1), 2 * (RULES_MAX_OPERANDS - 1));
    run_small_stack(t.s, &r);
    if (r.parse_rc != 0) {
        fail_msg("%s", r.msg);
    }
    assert_int_equal(r.verdict, RULE_V_MET);
    assert_true(r.cases_ok);
    assert_int_equal(r.batch_verdict, RULE_V_MET);
    free(t.s);

    /* one more operand is refused, at the operator that exceeds the cap */
    memset(&t, 0, sizeof t);
    tx_add(&t, HEAD "let x \"x\" = ");
    tx_chain(&t, "1", "+", RULES_MAX_OPERANDS);
    tx_add(&t, "\npass = x > 0\n");
    {
        char want[64];
        snprintf(want, sizeof want,
                 "t.kcr:3:%d: ", 12 + 2 * (RULES_MAX_OPERANDS - 1));
        run_small_stack(t.s, &r);
        assert_int_not_equal(r.parse_rc, 0);
        assert_true(strncmp(r.msg, want, strlen(want)) == 0);
    }
    free(t.s);
}

/* Every construct that nests: parentheses, not, unary minus, groups,
 * function calls, band subjects and cases conditions. */
static void test_deep_nesting_refused(void **state)
{
    enum { N = 5000 };
    Txt t = {0};
    (void)state;

    tx_add(&t, HEAD "let x \"x\" = ");
    for (int i = 0; i < N; i++) {
        tx_add(&t, "(");
    }
    tx_add(&t, "1");
    for (int i = 0; i < N; i++) {
        tx_add(&t, ")");
    }
    tx_add(&t, "\npass = x > 0\n");
    expect_refused(t.s, 3, "嵌套过深");
    free(t.s);

    memset(&t, 0, sizeof t);
    tx_add(&t, HEAD "pass = ");
    tx_chain(&t, "not", " ", N);
    tx_add(&t, " yes\n");
    expect_refused(t.s, 3, "嵌套过深");
    free(t.s);

    memset(&t, 0, sizeof t);
    tx_add(&t, HEAD "let x \"x\" = ");
    tx_chain(&t, "-", " ", N);
    tx_add(&t, " 1\npass = x > 0\n");
    expect_refused(t.s, 3, "嵌套过深");
    free(t.s);

    memset(&t, 0, sizeof t);
    tx_add(&t, HEAD "let x \"x\" = ");
    for (int i = 0; i < N; i++) {
        tx_add(&t, "max(1, ");
    }
    tx_add(&t, "1");
    for (int i = 0; i < N; i++) {
        tx_add(&t, ")");
    }
    tx_add(&t, "\npass = x > 0\n");
    expect_refused(t.s, 3, "嵌套过深");
    free(t.s);

    memset(&t, 0, sizeof t);
    tx_add(&t, HEAD "let x \"x\" = ");
    for (int i = 0; i < N; i++) {
        tx_add(&t, "band(");
    }
    tx_add(&t, "1");
    for (int i = 0; i < N; i++) {
        tx_add(&t, ") { (.., ..) => 1 }");
    }
    tx_add(&t, "\npass = x > 0\n");
    expect_refused(t.s, 3, "嵌套过深");
    free(t.s);

    memset(&t, 0, sizeof t);
    tx_add(&t, HEAD "let x \"x\" = ");
    for (int i = 0; i < N; i++) {
        tx_add(&t, "cases { ");
    }
    tx_add(&t, "yes");
    for (int i = 0; i < N; i++) {
        tx_add(&t, " = yes => 1 else => 0 } = 1");
    }
    tx_add(&t, "\npass = x\n");
    expect_refused(t.s, 3, "嵌套过深");
    free(t.s);

    memset(&t, 0, sizeof t);
    tx_add(&t, HEAD);
    for (int i = 0; i < N; i++) {
        tx_add(&t, "all g%d \"g\" {\n", i);
    }
    tx_add(&t, "yes \"y\"\n");
    for (int i = 0; i < N; i++) {
        tx_add(&t, "}\n");
    }
    tx_add(&t, "pass = g0\n");
    expect_refused(t.s, 3 + RULES_MAX_DEPTH, "嵌套过深");
    free(t.s);
}

/* Heights add up through the items and yearly definitions an expression
 * refers to: each statement is within the operand cap, the sum is not. */
static void test_height_through_references_refused(void **state)
{
    Txt t = {0};
    (void)state;

    tx_add(&t, HEAD "let a1 \"a\" = ");
    tx_chain(&t, "1", " + ", 60);
    for (int i = 2; i <= 4; i++) {
        tx_add(&t, "\nlet a%d \"a\" = a%d + ", i, i - 1);
        tx_chain(&t, "1", " + ", 60);
    }
    tx_add(&t, "\npass = a4 > 0\n");
    expect_refused(t.s, 5, "嵌套过深");
    free(t.s);

    memset(&t, 0, sizeof t);
    tx_add(&t, HEAD "yearly d1 \"d\" = ");
    tx_chain(&t, "employees", " + ", 60);
    for (int i = 2; i <= 4; i++) {
        tx_add(&t, "\nyearly d%d \"d\" = d%d + ", i, i - 1);
        tx_chain(&t, "employees", " + ", 60);
    }
    tx_add(&t, "\npass = d4[year] > 0\n");
    expect_refused(t.s, 5, "嵌套过深");
    free(t.s);

    /* a group whose member is high cannot be referred to */
    memset(&t, 0, sizeof t);
    tx_add(&t, HEAD "let a \"a\" = ");
    tx_chain(&t, "1", " + ", 60);
    tx_add(&t, "\nlet b \"b\" = a + ");
    tx_chain(&t, "1", " + ", 60);
    tx_add(&t, "\nall g \"g\" { b > 0 \"b\" }\ncheck c \"c\" = g and g\n"
               "pass = c\n");
    expect_refused(t.s, 6, "嵌套过深");
    free(t.s);
}

/* Many statements, each within the caps, but too many nodes together. */
static void test_node_cap(void **state)
{
    Txt t = {0};
    (void)state;
    tx_add(&t, HEAD);
    for (int i = 0; i < 400; i++) {
        tx_add(&t, "let x%d = ", i);
        tx_chain(&t, "1", "+", 60);
        tx_add(&t, "\n");
    }
    tx_add(&t, "pass = yes\n");
    expect_refused(t.s, 0, "规则集过大");
    free(t.s);
}

/* Values of case expectations are not expression nodes: many of them do
 * not reach the node cap. */
static void test_case_values_not_counted(void **state)
{
    Txt t = {0};
    RuleSet *rs = NULL;
    Err e;
    (void)state;
    tx_add(&t, HEAD "let x \"x\" = 1\npass = x > 0\n");
    for (int c = 0; c < 100; c++) {
        tx_add(&t, "case \"c%d\" { year = 2023 } expect 达标", c);
        for (int k = 0; k < 250; k++) {
            tx_add(&t, " x = 1");
        }
        tx_add(&t, "\n");
    }
    err_clear(&e);
    if (rule_set_parse("t.kcr", t.s, t.len, &rs, &e) != 0) {
        fail_msg("%s", e.msg);
    }
    assert_int_equal(rule_set_n_cases(rs), 100);
    rule_set_free(rs);
    free(t.s);
}

/* The largest rule set the caps admit in every direction at once: the
 * deepest parentheses, a yearly definition and an item each a chain at
 * the cap on top of each other, 21 nested groups over them and a chain of
 * and at the cap: height close to RULES_MAX_HEIGHT. Caller frees. */
static char *worst_source(void)
{
    Txt t = {0};
    int parens = 0;

    for (int k = RULES_MAX_DEPTH; k > 0 && !parens; k--) {
        RuleSet *rs = NULL;
        Err e;
        memset(&t, 0, sizeof t);
        tx_add(&t, HEAD "let p = ");
        for (int i = 0; i < k; i++) {
            tx_add(&t, "(");
        }
        tx_add(&t, "1");
        for (int i = 0; i < k; i++) {
            tx_add(&t, ")");
        }
        tx_add(&t, "\npass = p > 0\n");
        if (rule_set_parse("t.kcr", t.s, t.len, &rs, &e) == 0) {
            parens = k;
            rule_set_free(rs);
        }
        free(t.s);
    }
    assert_true(parens >= 10);

    memset(&t, 0, sizeof t);
    tx_add(&t, HEAD "let p \"p\" = ");
    for (int i = 0; i < parens; i++) {
        tx_add(&t, "(");
    }
    tx_add(&t, "employees[year]");
    for (int i = 0; i < parens; i++) {
        tx_add(&t, ")");
    }
    tx_add(&t, "\nyearly d \"d\" = ");
    tx_chain(&t, "employees", " + ", RULES_MAX_OPERANDS - 1);
    tx_add(&t, "\nlet a \"a\" = d[year] + ");
    tx_chain(&t, "p", " + ", 29);
    tx_add(&t, "\nall g \"g\" {\n");
    for (int i = 0; i < 20; i++) {
        tx_add(&t, "all g%d \"g\" {\n", i);
    }
    tx_add(&t, "a > 0 \"a\"\n");
    for (int i = 0; i < 21; i++) {
        tx_add(&t, "}\n");
    }
    tx_add(&t, "check c \"c\" = ");
    tx_chain(&t, "employees[year] > 0", " and ", RULES_MAX_OPERANDS - 1);
    tx_add(&t, "\npass = c and g\ntotal = a\n"
               "case \"c\" { year = 2023 employees[2023] = 2 } expect 达标\n");
    return t.s;
}

/* The worst case runs through the whole engine on a small stack, with the
 * expected results. */
static void test_worst_case_accepted(void **state)
{
    char *src = worst_source();
    Run r;
    (void)state;
    run_small_stack(src, &r);
    if (r.parse_rc != 0) {
        fail_msg("%s", r.msg);
    }
    assert_int_equal(r.verdict, RULE_V_MET);
    assert_true(r.cases_ok);
    assert_int_equal(r.batch_verdict, RULE_V_MET);
    free(src);
}

/* Batch worker threads set their own stack: with the process default
 * made tiny (as a low ulimit -s would), the worst case still evaluates on
 * four threads, exactly and on the fast path. */
static void test_batch_threads_own_stack(void **state)
{
    enum { ROWS = 4 * 4 * 256 };
    char *src = worst_source();
    static int64_t emp[ROWS];
    static uint8_t verdict[ROWS];
    pthread_attr_t def, tiny;
    RuleSet *rs = NULL;
    BatchProg *bp = NULL;
    BatchInput bi;
    BatchOut o;
    Err e;
    Date d;
    (void)state;

    assert_int_equal(rule_set_parse("t.kcr", src, strlen(src), &rs, &e), 0);
    assert_int_equal(batch_compile(rs, &bp, &e), 0);
    assert_int_equal(date_from_ymd(2023, 12, 31, &d, NULL, NULL), 0);
    memset(&bi, 0, sizeof bi);
    bi.n = ROWS;
    bi.year = 2023;
    bi.asof = d;
    for (int i = 0; i < ROWS; i++) {
        emp[i] = i % 3; /* 0: not met; else met */
    }
    bi.yv[rule_field_find("employees")][RULE_YEARS - 1] = emp;
    assert_int_equal(pthread_getattr_default_np(&def), 0);
    assert_int_equal(pthread_attr_init(&tiny), 0);
    assert_int_equal(pthread_attr_setstacksize(&tiny, 32 * 1024), 0);
    assert_int_equal(pthread_setattr_default_np(&tiny), 0);
    for (int exact = 0; exact < 2; exact++) {
        memset(&o, 0, sizeof o);
        memset(verdict, 0, sizeof verdict);
        o.verdict = verdict;
        o.exact = exact;
        assert_int_equal(batch_eval(bp, &bi, &o, 4, &e), 0);
        for (int i = 0; i < ROWS; i++) {
            assert_int_equal(verdict[i], i % 3 ? RULE_V_MET : RULE_V_UNMET);
        }
    }
    assert_int_equal(pthread_setattr_default_np(&def), 0);
    pthread_attr_destroy(&tiny);
    pthread_attr_destroy(&def);
    batch_free(bp);
    rule_set_free(rs);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_chains_refused),
        cmocka_unit_test(test_chain_at_cap_evaluates),
        cmocka_unit_test(test_deep_nesting_refused),
        cmocka_unit_test(test_height_through_references_refused),
        cmocka_unit_test(test_node_cap),
        cmocka_unit_test(test_case_values_not_counted),
        cmocka_unit_test(test_worst_case_accepted),
        cmocka_unit_test(test_batch_threads_own_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
