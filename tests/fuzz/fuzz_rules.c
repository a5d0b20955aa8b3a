/* fuzz_rules.c - libFuzzer target for the rule language: any bytes must
 * parse or fail with a positioned message, never crash; a rule set that
 * parses must evaluate, explain and run its cases cleanly, and input
 * assignments of any text must succeed or fail cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "domain/eligibility/elig_explain.h"
#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RuleSet *rs = NULL;
    RuleInput *in = rule_input_new(2023, 19000);
    char *s = xmalloc(size + 1);
    Err e;

    memcpy(s, data, size);
    s[size] = '\0';
    rule_input_assign(in, s, &e);
    if (rule_set_parse("f.kcr", (const char *)data, size, &rs, &e) == 0) {
        RuleResult *r = NULL;
        Buf b;
        buf_init(&b, 0);
        if (rule_eval(rs, in, &r, &e) == 0) {
            json_t *o;
            rule_result_format_text(r, &b);
            o = elig_result_json(rs, r);
            json_decref(o);
            rule_result_free(r);
        }
        for (int i = 0; i < rule_set_n_cases(rs) && i < 8; i++) {
            rule_set_run_case(rs, i, &b);
        }
        rule_set_diff(rs, rs, &b);
        buf_release(&b);
        rule_set_free(rs);
    } else if (strncmp(e.msg, "f.kcr:", 6) != 0) {
        abort();
    }
    rule_input_free(in);
    free(s);
    return 0;
}
