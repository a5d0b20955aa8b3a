/* parser.h - parse and compile a rule file into a RuleSet (see ast.h).
 *
 * Names are resolved, types and units checked, band tables checked for
 * overlaps and gaps, and embedded cases parsed, all in one pass; the first
 * error stops it with "file:line:col: message" (zh-CN) in e. */
#ifndef KC_RULES_PARSER_H
#define KC_RULES_PARSER_H

#include <stddef.h>

#include "base/err.h"
#include "rules/ast.h"

/* Fill rs (zeroed, with an initialised arena) from src (len bytes; need not
 * be NUL-terminated). Everything is allocated in rs->arena. */
int parser_run(RuleSet *rs, const char *path, const char *src, size_t len,
               Err *e);

/* Verdict / outcome words and their codes (RULE_V_* of rules.h). */
int parser_verdict_code(const char *word);

#endif
