/* mem.h - allocation that never returns NULL.
 *
 * Allocation failure is not an error the program can recover from in any
 * useful way, so these wrappers print a message and abort. */
#ifndef KC_BASE_MEM_H
#define KC_BASE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
