/* pwpool.h - the password checks of logins, off the request threads.
 *
 * An argon2id verification costs tens of MiB and a good part of a second
 * of CPU. Logins hand it to a small fixed pool of threads (PWPOOL_THREADS)
 * and wait for the answer; at most PWPOOL_QUEUE more wait their turn, and a
 * login beyond that is refused at once (ERR_BUSY, 503) instead of piling
 * up. A global rate (PWPOOL_RATE attempts a minute, bursts of PWPOOL_BURST)
 * bounds the attempts of the whole server before any database or hashing
 * work (ERR_THROTTLED, 429). Together they keep a flood of logins, from
 * however many addresses, from starving the requests of logged-in users. */
#ifndef KC_DOMAIN_PWPOOL_H
#define KC_DOMAIN_PWPOOL_H

#include "base/err.h"

#define PWPOOL_THREADS 2
#define PWPOOL_QUEUE 4
#define PWPOOL_RATE 300 /* login attempts a minute, whole server */
#define PWPOOL_BURST 30

/* Count one login attempt against the global rate. 0, or ERR_THROTTLED
 * with the wait in the message and *retry_after seconds. */
int pwpool_admit(int *retry_after, Err *e);

/* Verify pw against hash on the pool (hash NULL: against the dummy hash,
 * so an unknown account costs the same; *ok is then 0) and wait for it.
 * *ok = 1 when pw matches. ERR_BUSY when PWPOOL_THREADS + PWPOOL_QUEUE
 * verifications are under way or waiting. */
int pwpool_verify(const char *hash, const char *pw, int *ok, Err *e);

/* Tests only: hold the workers (1: queued verifications wait) or let them
 * go (0); verifications admitted and not finished; the global rate
 * (attempts a minute and burst; 0, 0 = the defaults). */
void pwpool_hold_for_tests(int hold);
int pwpool_pending_for_tests(void);
void pwpool_set_rate_for_tests(int per_minute, int burst);

#endif
