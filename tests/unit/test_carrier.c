/* test_carrier.c - the carrier capability's tables and rules without a
 * database: the graduation rule set parses and passes its own cases, the
 * overlap rule of carrier types, the scoring schemes (weights sum to 100,
 * the version in force by year). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/buf.h"
#include "domain/carrier/carrier.h"
#include "domain/carrier/carrier_sheet.h"
#include "rules/rules.h"

static void test_graduation_rules(void **state)
{
    Err e;
    const RuleSet *rs;
    int n;

    (void)state;
    err_clear(&e);
    rs = carrier_grad_ruleset(&e);
    assert_non_null(rs);
    assert_string_equal(rule_set_id(rs), "carrier-grad-2018");
    n = rule_set_n_cases(rs);
    assert_true(n >= 5);
    for (int i = 0; i < n; i++) {
        Buf why;
        buf_init(&why, 0);
        if (!rule_set_run_case(rs, i, &why)) {
            fail_msg("case %s: %s", rule_set_case_name(rs, i), why.data);
        }
        buf_release(&why);
    }
}

static void test_overlap_rule(void **state)
{
    (void)state;
    /* 众创空间 → 孵化器 */
    assert_true(carrier_types_may_overlap("maker_space", "incubator"));
    assert_true(carrier_types_may_overlap("incubator", "maker_space"));
    /* hosts overlap with anything */
    assert_true(carrier_types_may_overlap("sci_park", "accelerator"));
    assert_true(carrier_types_may_overlap("research_inst", "incubator"));
    assert_true(carrier_types_may_overlap("univ_park", "sci_park"));
    /* two incubating carriers otherwise do not */
    assert_false(carrier_types_may_overlap("incubator", "incubator"));
    assert_false(carrier_types_may_overlap("incubator", "accelerator"));
    assert_false(carrier_types_may_overlap("maker_space", "accelerator"));
    assert_false(carrier_types_may_overlap("student_base", "sme_demo_base"));
    assert_false(carrier_types_may_overlap("nope", "sci_park"));
    assert_string_equal(carrier_reason_name("graduated"), "毕业");
    assert_null(carrier_reason_name("x"));
}

static void test_schemes(void **state)
{
    const CarrierScheme *s;

    (void)state;
    for (const char *const *c =
             (const char *const[]){"carrier-eval-2021", "carrier-eval-2024",
                                   NULL};
         *c; c++) {
        int sum = 0;
        s = carrier_scheme_find(*c, 0);
        assert_non_null(s);
        for (int k = 0; k < CS_N; k++) {
            sum += s->weights[k];
        }
        assert_int_equal(sum, 100);
    }
    assert_null(carrier_scheme_find(NULL, 2020));
    assert_string_equal(carrier_scheme_find(NULL, 2021)->code,
                        "carrier-eval-2021");
    assert_string_equal(carrier_scheme_find(NULL, 2023)->code,
                        "carrier-eval-2021");
    assert_string_equal(carrier_scheme_find(NULL, 2025)->code,
                        "carrier-eval-2024");
    assert_null(carrier_scheme_find("nope", 2025));
    for (int k = 0; k < CS_N; k++) {
        assert_int_equal(carrier_indicator_find(carrier_indicators[k].code), k);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graduation_rules),
        cmocka_unit_test(test_overlap_rule),
        cmocka_unit_test(test_schemes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
