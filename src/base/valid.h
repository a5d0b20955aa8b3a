/* valid.h - validation of user-supplied text shared by the domain modules.
 * Messages are zh-CN and name the field. */
#ifndef KC_DOMAIN_VALID_H
#define KC_DOMAIN_VALID_H

#include <stddef.h>

#include "base/err.h"

/* Trim in (spaces, tabs, U+3000 ideographic space at both ends), check it is
 * valid UTF-8 without control characters and holds min_chars..max_chars
 * characters, and copy it to out (out_cap bytes; at least 4 * max_chars +
 * 1). label is the zh-CN name of the field for the message ("名称"). */
int valid_text(const char *in, size_t min_chars, size_t max_chars, char *out,
               size_t out_cap, const char *field, const char *label, Err *e);

#endif
