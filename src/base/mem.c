/* mem.c - allocation wrappers that abort on failure. */
#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void mem_die(size_t n)
{
    fprintf(stderr, "kechuang: 内存不足 (申请 %zu 字节失败)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        mem_die(n);
    }
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) {
        mem_die(count * size);
    }
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        mem_die(n);
    }
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* xcalloc_big: below BIG_MIN plain calloc; above, an anonymous mapping
 * (zeroed by the kernel) aligned to 2 MiB and advised for huge pages.
 * A 64-byte header before the block says which and how to free it. */
#if defined(__SANITIZE_ADDRESS__)
#define BIG_MIN SIZE_MAX /* sanitizer builds: malloc'd, so overruns show */
#else
#define BIG_MIN ((size_t)4 << 20)
#endif
#define BIG_ALIGN ((size_t)2 << 20)
#define BIG_HDR 64

typedef struct BigHdr {
    void *base; /* mapping, or NULL for calloc'd */
    size_t len;
} BigHdr;

void *xcalloc_big(size_t count, size_t size)
{
    size_t n, len;
    uint8_t *base, *p;
    BigHdr *h;

    if (size && count > (SIZE_MAX - BIG_ALIGN - BIG_HDR) / size) {
        mem_die(SIZE_MAX);
    }
    n = (count ? count : 1) * (size ? size : 1);
    if (n < BIG_MIN) {
        base = xcalloc(1, n + BIG_HDR);
        h = (BigHdr *)(void *)base;
        h->base = NULL;
        h->len = 0;
        return base + BIG_HDR;
    }
    len = n + BIG_HDR + BIG_ALIGN;
    base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
    if (base == MAP_FAILED) {
        mem_die(len);
    }
    /* the block (after its header) starts on a huge-page boundary */
    p = (uint8_t *)(((uintptr_t)base + BIG_HDR + BIG_ALIGN - 1) &
                    ~(uintptr_t)(BIG_ALIGN - 1));
    (void)madvise(p, n, MADV_HUGEPAGE); /* advice: failure is harmless */
    h = (BigHdr *)(void *)(p - BIG_HDR);
    h->base = base;
    h->len = len;
    return p;
}

void xfree_big(void *p)
{
    BigHdr *h;

    if (!p) {
        return;
    }
    h = (BigHdr *)(void *)((uint8_t *)p - BIG_HDR);
    if (h->base) {
        munmap(h->base, h->len);
    } else {
        free(h);
    }
}
