/* ruleset.h - the rule sets built into this binary (the files under
 * rules/), parsed once per process on first use and kept until exit. */
#ifndef KC_DOMAIN_RULESET_H
#define KC_DOMAIN_RULESET_H

#include "rules/rules.h"

/* The built-in rule sets in file order. *sets points at a process-wide
 * array that the caller must not free; a file that fails to parse (which
 * `kechuang rules check` in make check prevents) is logged and left out. */
void ruleset_builtin(const RuleSet *const **sets, int *n);

#endif
