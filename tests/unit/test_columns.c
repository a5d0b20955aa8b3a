/* test_columns.c - the column registry of imports, templates and exports
 * (domain/columns.c): titles unique and found again in the forms staff type,
 * every cell type parsed and formatted back to the same text, enum names
 * taken from the domain tables, and the precise messages of bad cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/buf.h"
#include "domain/io/columns.h"
#include "domain/library/ent.h"
#include "domain/library/ip.h"

static void test_titles(void **state)
{
    int k;
    size_t i, j;

    (void)state;
    for (k = 0; k < XK_N; k++) {
        const ColumnKind *kind = columns_kind(k);
        assert_non_null(kind);
        assert_ptr_equal(columns_kind_find(kind->code), kind);
        assert_true(kind->n_cols <= COLUMNS_MAX);
        assert_string_equal(kind->cols[0].key, "uscc");
        for (i = 0; i < kind->n_cols; i++) {
            for (j = i + 1; j < kind->n_cols; j++) {
                assert_true(strcmp(kind->cols[i].title, kind->cols[j].title));
            }
            assert_int_equal(columns_col_by_title(kind, kind->cols[i].title),
                             (int)i);
        }
    }
    assert_null(columns_kind_find("nosuch"));
    /* what people type: ASCII brackets, a required marker, spaces */
    assert_int_equal(
        columns_col_by_title(columns_kind(XK_FIGURES), " 销售收入(万元)* "),
        columns_col_by_key(columns_kind(XK_FIGURES), "sales_revenue"));
    assert_int_equal(columns_col_by_title(columns_kind(XK_FIGURES), "销售收入"),
                     -1);
}

/* Parse text in column key of kind and format the stored value back. */
static void round_trip(int kind, const char *key, const char *in,
                       const char *out)
{
    const ColumnKind *k = columns_kind(kind);
    int c = columns_col_by_key(k, key);
    ColumnVal v[COLUMNS_MAX];
    Buf pool, b;
    Err e;

    assert_true(c >= 0);
    memset(v, 0, sizeof v);
    buf_init(&pool, 1 << 16);
    buf_init(&b, 1 << 16);
    assert_int_equal(columns_parse(&k->cols[c], in, &v[c], &pool, &e), 0);
    columns_vals_fix(k, v, &pool);
    assert_int_equal(v[c].set, 1);
    if (k->cols[c].flags & COLUMNS_INTCOL) {
        columns_format(&k->cols[c], 1, v[c].i, NULL, &b);
    } else {
        columns_format(&k->cols[c], 1, 0, v[c].s, &b);
    }
    assert_string_equal(b.data, out);
    buf_release(&pool);
    buf_release(&b);
}

static void test_round_trip_types(void **state)
{
    (void)state;
    round_trip(XK_ENTERPRISES, "uscc", " 91120102ma0000001t ",
               "91120102MA0000001T");
    round_trip(XK_ENTERPRISES, "established_on", "2020年2月29日", "2020-02-29");
    round_trip(XK_ENTERPRISES, "registered_capital", "1,234.5000", "1234.5");
    round_trip(XK_ENTERPRISES, "tech_domain", "电子信息", "电子信息");
    round_trip(XK_ENTERPRISES, "tech_domain", "2", "生物与新医药");
    round_trip(XK_ENTERPRISES, "listing_status", "neeq",
               ent_listing_name("neeq"));
    round_trip(XK_ENTERPRISES, "industry_code", "c3963", "C3963");
    round_trip(XK_FIGURES, "net_profit", "-12.0001", "-12.0001");
    round_trip(XK_FIGURES, "employees", "12.0", "12");
    round_trip(XK_IP, "kind", "发明专利", ip_kind_find("invention")->name);
    round_trip(XK_IP, "defense", "TRUE", "是");
    round_trip(XK_IP, "status", "已转让", "已转让");
    round_trip(XK_FACTS, "level", "省部级", "省部级");
}

/* The message for bad text in column key. */
static void bad(int kind, const char *key, const char *in, const char *msg)
{
    const ColumnKind *k = columns_kind(kind);
    int c = columns_col_by_key(k, key);
    ColumnVal v;
    Buf pool;
    Err e;

    buf_init(&pool, 1 << 16);
    assert_int_equal(columns_parse(&k->cols[c], in, &v, &pool, &e),
                     ERR_INVALID);
    assert_string_equal(e.msg, msg);
    buf_release(&pool);
}

static void test_bad_cells(void **state)
{
    (void)state;
    bad(XK_FIGURES, "employees", "十二", "“十二”不是整数");
    bad(XK_FIGURES, "employees", "-1", "应在 0～10000000 之间");
    bad(XK_FIGURES, "sales_revenue", "-5", "金额不能为负数");
    bad(XK_IP, "defense", "也许", "应填“是”或“否”");
    bad(XK_ENTERPRISES, "listing_status", "主板",
        "“主板”不是可选的值，应为：未上市、上市后备、新三板挂牌、已上市");
    bad(XK_ENTERPRISES, "contact_email", "a@b",
        "电子邮箱格式不正确，应形如 name@example.com");
}

static void test_empty_is_unset(void **state)
{
    const ColumnKind *k = columns_kind(XK_FIGURES);
    ColumnVal v;
    Buf pool;
    Err e;

    (void)state;
    buf_init(&pool, 1024);
    assert_int_equal(
        columns_parse(&k->cols[0], " \xE3\x80\x80 ", &v, &pool, &e), 0);
    assert_int_equal(v.set, 0);
    buf_release(&pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_titles),
        cmocka_unit_test(test_round_trip_types),
        cmocka_unit_test(test_bad_cells),
        cmocka_unit_test(test_empty_is_unset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
