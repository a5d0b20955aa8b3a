/* ruleset.c - the built-in rule sets, parsed once. */
#include "domain/ruleset.h"

#include <pthread.h>

#include "base/log.h"
#include "base/mem.h"
#include "rules/embedded.h"

static pthread_once_t ruleset_once = PTHREAD_ONCE_INIT;
static RuleSet **ruleset_sets;
static int ruleset_n;

/* Parse every embedded rule file; runs once. */
static void ruleset_load(void)
{
    int i;

    ruleset_sets = xcalloc((size_t)kc_n_rule_files + 1, sizeof(RuleSet *));
    for (i = 0; i < kc_n_rule_files; i++) {
        RuleSet *rs = NULL;
        Err e;

        err_clear(&e);
        if (rule_set_parse(kc_rule_files[i].path, *kc_rule_files[i].data,
                           *kc_rule_files[i].len, &rs, &e) != 0) {
            log_error("built-in rule set %s: %s", kc_rule_files[i].path, e.msg);
            continue;
        }
        ruleset_sets[ruleset_n++] = rs;
    }
}

void ruleset_builtin(const RuleSet *const **sets, int *n)
{
    pthread_once(&ruleset_once, ruleset_load);
    *sets = (const RuleSet *const *)ruleset_sets;
    *n = ruleset_n;
}
