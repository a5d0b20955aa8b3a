/* pwpool.c - a fixed pool of password verifiers with a bounded queue, and
 * a global token bucket of login attempts (see pwpool.h). The workers are
 * started on first use and live as long as the process. A verification
 * request lives on the caller's stack until a worker marks it done. */
#include "domain/accounts/pwpool.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "base/log.h"
#include "domain/accounts/user.h"

typedef struct PwJob {
    const char *hash; /* NULL: the dummy hash */
    const char *pw;
    int ok;
    int done;
    struct PwJob *next;
} PwJob;

static pthread_mutex_t pw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pw_work = PTHREAD_COND_INITIALIZER; /* for workers */
static pthread_cond_t pw_done = PTHREAD_COND_INITIALIZER; /* for callers */
static PwJob *pw_head;
static PwJob *pw_tail;
static int pw_pending; /* admitted and not finished */
static int pw_workers; /* started */
static int pw_hold;

/* token bucket, in thousandths of an attempt */
static int pw_rate = PWPOOL_RATE;
static int pw_burst = PWPOOL_BURST;
static int64_t pw_tokens = -1; /* -1: full, not yet used */
static int64_t pw_last_ms;

static void pw_run(PwJob *j)
{
    if (j->hash) {
        j->ok = user_verify_password(j->hash, j->pw);
    } else {
        user_verify_dummy(j->pw);
        j->ok = 0;
    }
}

static void *pw_worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&pw_lock);
    for (;;) {
        PwJob *j;

        while (!pw_head || pw_hold) {
            pthread_cond_wait(&pw_work, &pw_lock);
        }
        j = pw_head;
        pw_head = j->next;
        if (!pw_head) {
            pw_tail = NULL;
        }
        pthread_mutex_unlock(&pw_lock);
        pw_run(j);
        pthread_mutex_lock(&pw_lock);
        j->done = 1;
        pw_pending--;
        pthread_cond_broadcast(&pw_done);
    }
    return NULL;
}

/* Start the workers not yet running (under pw_lock). */
static void pw_start(void)
{
    while (pw_workers < PWPOOL_THREADS) {
        pthread_t t;
        pthread_attr_t at;
        int rc;

        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        rc = pthread_create(&t, &at, pw_worker, NULL);
        pthread_attr_destroy(&at);
        if (rc != 0) {
            log_error("pwpool: cannot start a worker thread");
            return;
        }
        pw_workers++;
    }
}

int pwpool_verify(const char *hash, const char *pw, int *ok, Err *e)
{
    PwJob j;

    *ok = 0;
    j.hash = hash;
    j.pw = pw ? pw : "";
    j.ok = 0;
    j.done = 0;
    j.next = NULL;
    pthread_mutex_lock(&pw_lock);
    if (pw_pending >= PWPOOL_THREADS + PWPOOL_QUEUE) {
        pthread_mutex_unlock(&pw_lock);
        return err_set(e, ERR_BUSY, "", "登录请求过多，服务器正忙，请稍后再试");
    }
    pw_start();
    if (pw_workers == 0) { /* no thread: do it here */
        pthread_mutex_unlock(&pw_lock);
        pw_run(&j);
        *ok = j.ok;
        return 0;
    }
    pw_pending++;
    if (pw_tail) {
        pw_tail->next = &j;
    } else {
        pw_head = &j;
    }
    pw_tail = &j;
    pthread_cond_signal(&pw_work);
    while (!j.done) {
        pthread_cond_wait(&pw_done, &pw_lock);
    }
    pthread_mutex_unlock(&pw_lock);
    *ok = j.ok;
    return 0;
}

static int64_t pw_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int pwpool_admit(int *retry_after, Err *e)
{
    int64_t now = pw_now_ms();
    int64_t cap;
    int rc = 0;

    *retry_after = 0;
    pthread_mutex_lock(&pw_lock);
    cap = (int64_t)pw_burst * 1000;
    if (pw_tokens < 0) {
        pw_tokens = cap;
    } else {
        /* pw_rate attempts a minute: rate / 60 per second, so
         * rate / 60 thousandths a millisecond */
        pw_tokens += (now - pw_last_ms) * pw_rate / 60;
        if (pw_tokens > cap) {
            pw_tokens = cap;
        }
    }
    pw_last_ms = now;
    if (pw_tokens >= 1000) {
        pw_tokens -= 1000;
    } else {
        int64_t wait_ms = (1000 - pw_tokens) * 60 / (pw_rate > 0 ? pw_rate : 1);
        *retry_after = (int)(wait_ms / 1000 + 1);
        rc = err_set(e, ERR_THROTTLED, "", "登录请求过多，请 %d 秒后再试",
                     *retry_after);
    }
    pthread_mutex_unlock(&pw_lock);
    return rc;
}

void pwpool_hold_for_tests(int hold)
{
    pthread_mutex_lock(&pw_lock);
    pw_hold = hold;
    pthread_cond_broadcast(&pw_work);
    pthread_mutex_unlock(&pw_lock);
}

int pwpool_pending_for_tests(void)
{
    int n;

    pthread_mutex_lock(&pw_lock);
    n = pw_pending;
    pthread_mutex_unlock(&pw_lock);
    return n;
}

void pwpool_set_rate_for_tests(int per_minute, int burst)
{
    pthread_mutex_lock(&pw_lock);
    pw_rate = per_minute > 0 ? per_minute : PWPOOL_RATE;
    pw_burst = burst > 0 ? burst : PWPOOL_BURST;
    pw_tokens = -1;
    pthread_mutex_unlock(&pw_lock);
}
