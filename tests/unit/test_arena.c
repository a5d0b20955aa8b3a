/* test_arena.c - arena allocation, alignment, cap; err_set truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/err.h"

static void test_alloc_aligned_zeroed(void **state)
{
    Arena a;
    int i;

    (void)state;
    arena_init(&a, 0);
    for (i = 1; i < 200; i++) {
        unsigned char *p = arena_alloc(&a, (size_t)i * 37);
        size_t k;
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        for (k = 0; k < (size_t)i * 37; k++) {
            assert_int_equal(p[k], 0);
        }
        memset(p, 0xAB, (size_t)i * 37);
    }
    arena_release(&a);
}

static void test_large_alloc(void **state)
{
    Arena a;
    char *p;

    (void)state;
    arena_init(&a, 0);
    p = arena_alloc(&a, 1 << 20);
    assert_non_null(p);
    p[(1 << 20) - 1] = 'x';
    assert_string_equal(arena_strdup(&a, "中文"), "中文");
    assert_string_equal(arena_sprintf(&a, "%d-%s", 42, "x"), "42-x");
    assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
    arena_release(&a);
}

static void test_cap(void **state)
{
    Arena a;

    (void)state;
    arena_init(&a, 1000);
    assert_non_null(arena_alloc(&a, 500));
    assert_null(arena_alloc(&a, 600));
    assert_int_equal(a.err, ERR_TOOBIG);
    /* sticky */
    assert_null(arena_alloc(&a, 1));
    arena_release(&a);
    assert_int_equal(a.err, 0);
    assert_non_null(arena_alloc(&a, 16));
    arena_release(&a);
}

static void test_err_set(void **state)
{
    Err e;
    char longmsg[2000];
    size_t n;

    (void)state;
    err_clear(&e);
    assert_int_equal(e.code, ERR_OK);
    assert_int_equal(err_set(&e, ERR_INVALID, "uscc", "第 %d 位", 18),
                     ERR_INVALID);
    assert_string_equal(e.field, "uscc");
    assert_string_equal(e.msg, "第 18 位");
    assert_int_equal(err_set(NULL, ERR_DB, NULL, "x"), ERR_DB);
    /* a message cut at the cap never ends inside a UTF-8 character */
    memset(longmsg, 0, sizeof longmsg);
    for (n = 0; n + 3 < sizeof longmsg - 1; n += 3) {
        memcpy(longmsg + n, "中", 3);
    }
    err_set(&e, ERR_INVALID, NULL, "x%s", longmsg);
    n = strlen(e.msg);
    assert_true(n < ERR_MSG_MAX);
    assert_int_equal((n - 1) % 3, 0);
    assert_string_equal(err_code_name(ERR_NOTFOUND), "not_found");
    assert_int_equal(err_http_status(ERR_TOOBIG), 413);
    assert_int_equal(err_http_status(ERR_THROTTLED), 429);
    assert_string_equal(err_code_name(-5), "internal");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_aligned_zeroed),
        cmocka_unit_test(test_large_alloc),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_err_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
