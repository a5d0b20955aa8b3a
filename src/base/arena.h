/* arena.h - request-scoped memory.
 *
 * Allocations come from large blocks and are all freed together by
 * arena_release(). Used for everything that lives exactly as long as one
 * HTTP request or one CLI command. A cap on the total bounds what input can
 * make it allocate; past the cap arena_alloc aborts the request by returning
 * NULL and setting the sticky error (callers check arena->err or NULL). */
#ifndef KC_BASE_ARENA_H
#define KC_BASE_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena {
    ArenaBlock *head;
    size_t used_total; /* bytes handed out, for the cap */
    size_t max;        /* cap on used_total */
    int err;           /* ERR_TOOBIG once the cap was hit */
} Arena;

#define ARENA_DEFAULT_MAX ((size_t)256 * 1024 * 1024)

void arena_init(Arena *a, size_t max);
void arena_release(Arena *a);

/* Zeroed memory, aligned for any type. NULL (and a->err set) past the cap. */
void *arena_alloc(Arena *a, size_t n);

/* Copies into the arena; NULL past the cap. */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);

/* printf into the arena; NULL past the cap. */
char *arena_sprintf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
