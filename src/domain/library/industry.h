/* industry.h - reference classifications used by the enterprise library:
 * GB/T 4754-2017 国民经济行业分类 (门类 and 大类 names, code shape) and the
 * eight first-level 国家重点支持的高新技术领域. Static tables; nothing here
 * allocates or touches the database. */
#ifndef KC_DOMAIN_INDUSTRY_H
#define KC_DOMAIN_INDUSTRY_H

#include <stddef.h>

#include "base/err.h"

#define INDUSTRY_N_SECTIONS 20  /* 门类 A-T */
#define INDUSTRY_N_DIVISIONS 97 /* 大类 01-97 */
#define INDUSTRY_CODE_MAX 6     /* "C3963" + NUL */

/* zh-CN name of 门类 letter (A-T), or NULL. */
const char *industry_section_name(char letter);

/* zh-CN name of the 大类 with two-digit code "39", or NULL; *section gets
 * its 门类 letter when not NULL. */
const char *industry_division_name(const char *two_digits, char *section);

/* zh-CN name of the 大类 of a normalised code ("C3963" -> the name of
 * 大类 39), or NULL. */
const char *industry_name_of(const char *code);

/* Normalise and validate an industry code: optional 门类 letter (either
 * case) followed by a 2-, 3- or 4-digit code whose first two digits are an
 * existing 大类 ("C3963", "3963", "c39" -> "C39"). When the letter is given
 * it must be the 大类's 门类. out gets letter + digits. ERR_INVALID with a
 * zh-CN message naming field otherwise. 中类/小类 are checked for shape
 * only (the full 1380-item list is not embedded). */
int industry_normalize(const char *in, char out[INDUSTRY_CODE_MAX],
                       const char *field, Err *e);

/* Number of entries in the tables (for tests): 20 and 97. */
size_t industry_count_sections(void);
size_t industry_count_divisions(void);

/* The 大类 code ("01"..."97") at index i < industry_count_divisions(). */
const char *industry_division_code(size_t i);

#define TECH_DOMAIN_COUNT 8

/* zh-CN name of first-level 高新技术领域 d (1-8), or NULL. */
const char *tech_domain_name(int d);

#endif
