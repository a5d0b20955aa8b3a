/* test_sqlq.c - the sort whitelist of list queries: parsing ?sort= and the
 * ORDER BY text it produces (only table expressions, tiebreak by id). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/err.h"
#include "db/sqlq.h"

static const SqlqSort cols[] = {
    {"name", "t.name", 0},
    {"seen_at", "t.seen_at", 1},
};

#define N_COLS (sizeof cols / sizeof cols[0])

static void test_parse_ascending_descending_default(void **state)
{
    const SqlqSort *c = NULL;
    int desc = -1;
    Err e;

    (void)state;
    assert_int_equal(
        sqlq_sort_parse(cols, N_COLS, "seen_at", "name", &c, &desc, &e), 0);
    assert_ptr_equal(c, &cols[1]);
    assert_int_equal(desc, 0);
    assert_int_equal(
        sqlq_sort_parse(cols, N_COLS, "-name", "name", &c, &desc, &e), 0);
    assert_ptr_equal(c, &cols[0]);
    assert_int_equal(desc, 1);
    assert_int_equal(
        sqlq_sort_parse(cols, N_COLS, NULL, "-seen_at", &c, &desc, &e), 0);
    assert_ptr_equal(c, &cols[1]);
    assert_int_equal(desc, 1);
    assert_int_equal(sqlq_sort_parse(cols, N_COLS, "", "name", &c, &desc, &e),
                     0);
    assert_ptr_equal(c, &cols[0]);
    assert_int_equal(desc, 0);
}

static void test_parse_refuses_others(void **state)
{
    static const char *const bad[] = {
        "-",      "--name",       "NAME",  "name ", "name DESC",
        "t.name", "name,seen_at", "+name", "1",     "name;DROP TABLE t",
    };
    const SqlqSort *c;
    int desc;
    size_t i;
    Err e;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        c = &cols[0];
        assert_int_equal(
            sqlq_sort_parse(cols, N_COLS, bad[i], "name", &c, &desc, &e),
            ERR_INVALID);
        assert_null(c);
        assert_string_equal(e.field, "sort");
        assert_non_null(strstr(e.msg, "name、seen_at"));
        assert_non_null(strstr(e.msg, "降序"));
    }
}

static void test_order_text(void **state)
{
    Sqlq q;

    (void)state;
    sqlq_init(&q, "SELECT 1 FROM t");
    sqlq_add_order(&q, &cols[0], 1, "t.id");
    assert_string_equal(q.text.data,
                        "SELECT 1 FROM t ORDER BY t.name DESC, t.id DESC");
    sqlq_release(&q);
    sqlq_init(&q, "");
    sqlq_add_order(&q, &cols[1], 0, "t.id");
    assert_string_equal(q.text.data,
                        " ORDER BY (t.seen_at IS NULL), t.seen_at, t.id");
    sqlq_release(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ascending_descending_default),
        cmocka_unit_test(test_parse_refuses_others),
        cmocka_unit_test(test_order_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
