/* test_pwpool.c - the password verifier pool refuses when its queue is
 * full, verifies right and wrong passwords, and the global login rate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "domain/accounts/pwpool.h"
#include "domain/accounts/user.h"

#define N_FULL (PWPOOL_THREADS + PWPOOL_QUEUE)

typedef struct Arg {
    const char *hash;
    int ok;
    int rc;
} Arg;

static void *verifier(void *p)
{
    Arg *a = p;
    Err e;

    err_clear(&e);
    a->rc = pwpool_verify(a->hash, "right1234", &a->ok, &e);
    return NULL;
}

/* Wait (at most 10 s) until n verifications are pending. */
static void wait_pending(int n)
{
    struct timespec ts = {0, 1000000};
    int i;

    for (i = 0; i < 10000 && pwpool_pending_for_tests() < n; i++) {
        nanosleep(&ts, NULL);
    }
}

static void test_queue_full_refuses(void **state)
{
    char hash[USER_HASH_MAX];
    pthread_t th[N_FULL];
    Arg args[N_FULL];
    int ok = -1;
    Err e;
    int i;

    (void)state;
    err_clear(&e);
    assert_int_equal(user_hash_password("right1234", hash, &e), 0);
    pwpool_hold_for_tests(1);
    for (i = 0; i < N_FULL; i++) {
        memset(&args[i], 0, sizeof args[i]);
        args[i].hash = hash;
        assert_int_equal(pthread_create(&th[i], NULL, verifier, &args[i]), 0);
    }
    wait_pending(N_FULL);
    assert_int_equal(pwpool_pending_for_tests(), N_FULL);
    /* one more is refused at once, not queued */
    err_clear(&e);
    assert_int_equal(pwpool_verify(hash, "right1234", &ok, &e), ERR_BUSY);
    assert_int_equal(ok, 0);
    assert_non_null(strstr(e.msg, "请稍后再试"));
    assert_int_equal(pwpool_pending_for_tests(), N_FULL);

    pwpool_hold_for_tests(0);
    for (i = 0; i < N_FULL; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].rc, 0);
        assert_int_equal(args[i].ok, 1);
    }
    assert_int_equal(pwpool_pending_for_tests(), 0);
    /* room again; wrong password and the dummy hash do not match */
    assert_int_equal(pwpool_verify(hash, "right1234", &ok, &e), 0);
    assert_int_equal(ok, 1);
    assert_int_equal(pwpool_verify(hash, "wrong1234", &ok, &e), 0);
    assert_int_equal(ok, 0);
    assert_int_equal(pwpool_verify(NULL, "right1234", &ok, &e), 0);
    assert_int_equal(ok, 0);
}

static void test_global_rate(void **state)
{
    int retry = -1;
    Err e;
    int i;

    (void)state;
    /* one attempt a minute, bursts of three */
    pwpool_set_rate_for_tests(1, 3);
    for (i = 0; i < 3; i++) {
        err_clear(&e);
        assert_int_equal(pwpool_admit(&retry, &e), 0);
        assert_int_equal(retry, 0);
    }
    err_clear(&e);
    assert_int_equal(pwpool_admit(&retry, &e), ERR_THROTTLED);
    assert_true(retry >= 1 && retry <= 61);
    assert_non_null(strstr(e.msg, "登录请求过多"));
    pwpool_set_rate_for_tests(0, 0);
    assert_int_equal(pwpool_admit(&retry, &e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_full_refuses),
        cmocka_unit_test(test_global_rate),
    };

    user_set_hash_cost_for_tests();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
