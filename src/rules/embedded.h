/* embedded.h - the official rule files compiled into the binary.
 *
 * $(BUILD)/gen/rules.c (made by the "# ---- rules" section of the Makefile
 * from the .kcr files under rules/) defines the table; it ends with an all-zero
 * entry. */
#ifndef KC_RULES_EMBEDDED_H
#define KC_RULES_EMBEDDED_H

#include <stddef.h>

typedef struct RuleFileEmbedded {
    const char *path; /* "rules/sme-2017.kcr" */
    const char *const *data;
    const size_t *len;
} RuleFileEmbedded;

extern const RuleFileEmbedded kc_rule_files[];
extern const int kc_n_rule_files;

#endif
