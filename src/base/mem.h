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

/* Large zeroed arrays (columns of a whole library): mapped with
 * transparent huge pages asked for, so that filling them costs a few
 * page faults instead of one per 4 KiB. Free with xfree_big (NULL is
 * fine); never with free. */
void *xcalloc_big(size_t count, size_t size);
void xfree_big(void *p);

#endif
