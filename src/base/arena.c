/* arena.c - block allocator freed all at once. */
#include "arena.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mem.h"

#define ARENA_BLOCK_SIZE ((size_t)16 * 1024)

struct ArenaBlock {
    ArenaBlock *next;
    size_t size;
    size_t used;
    alignas(max_align_t) unsigned char mem[];
};

void arena_init(Arena *a, size_t max)
{
    a->head = NULL;
    a->used_total = 0;
    a->max = max ? max : ARENA_DEFAULT_MAX;
    a->err = 0;
}

void arena_release(Arena *a)
{
    ArenaBlock *b = a->head;

    while (b) {
        ArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    arena_init(a, a->max);
}

void *arena_alloc(Arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    ArenaBlock *b = a->head;
    size_t need = (n + align - 1) & ~(align - 1);
    void *p;

    if (need == 0) {
        need = align;
    }
    if (a->err || need > a->max - a->used_total) {
        a->err = ERR_TOOBIG;
        return NULL;
    }
    if (!b || b->size - b->used < need) {
        size_t size = need > ARENA_BLOCK_SIZE ? need : ARENA_BLOCK_SIZE;
        b = xmalloc(sizeof *b + size);
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    p = b->mem + b->used;
    b->used += need;
    a->used_total += need;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = arena_alloc(a, len + 1);

    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *arena_strdup(Arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_sprintf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    p = arena_alloc(a, (size_t)n + 1);
    if (!p) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
