/* apitest.h - in-process API test harness.
 *
 * apitest_new() makes a fresh database in a temporary directory (mkdtemp),
 * applies the migrations, creates the root unit "测试区" and the admin
 * "admin" with APITEST_ADMIN_PASSWORD through the domain layer, and sets
 * the cheap password-hash cost. Requests go through the real dispatcher
 * (http_dispatch) with an HttpReq built here; the session cookie and CSRF
 * token of the last successful apitest_login are sent automatically. */
#ifndef KC_TESTS_APITEST_H
#define KC_TESTS_APITEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/uscc.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "http/app.h"
#include "http/http.h"
#include "testdb.h"

#define APITEST_ADMIN_PASSWORD "Tj-Kechuang-2468"
#define APITEST_MAX_HEADERS 32

typedef struct ApiTest {
    char dir[64];
    char path[256];
    Db *db;
    App app;
    int64_t root_id;
    int64_t admin_id;
    char cookie[160]; /* "kc_session=..." or "" */
    char csrf[64];    /* sent as X-CSRF-Token when send_csrf */
    int send_csrf;    /* default 1 */
    char bearer[64];  /* sent as Authorization: Bearer when set */
    char addr[64];    /* remote address, default "127.0.0.1" */
} ApiTest;

typedef struct ApiResp {
    int status;
    char *body; /* malloc'd, NUL-terminated */
    size_t body_len;
    json_t *json; /* parsed body, or NULL when not JSON */
    char *hname[APITEST_MAX_HEADERS];
    char *hvalue[APITEST_MAX_HEADERS];
    int n_headers;
} ApiResp;

/* New harness (asserts on failure); free with apitest_free. */
ApiTest *apitest_new(void);
void apitest_free(ApiTest *t);

/* One request. url is "/api/v1/users?page=2"; body (JSON text) may be
 * NULL. extra: NULL or a NULL-terminated list of name, value pairs of
 * additional headers. Returns r->status. Release r with apiresp_release. */
int apitest_request(ApiTest *t, const char *method, const char *url,
                    const char *body, const char *const *extra, ApiResp *r);

/* The same with a body of body_len bytes (it may hold NUL bytes). */
int apitest_request_len(ApiTest *t, const char *method, const char *url,
                        const char *body, size_t body_len,
                        const char *const *extra, ApiResp *r);

/* Shorthand: request and release, returning only the status. */
int apitest_status(ApiTest *t, const char *method, const char *url,
                   const char *body);

void apiresp_release(ApiResp *r);

/* First response header of that name (case-insensitive), or NULL. */
const char *apiresp_header(const ApiResp *r, const char *name);

/* POST /api/v1/session; on 200 keeps the cookie and the CSRF token (and
 * clears any bearer token). Returns the status. */
int apitest_login(ApiTest *t, const char *username, const char *password);

/* Forget cookie, CSRF and bearer token. */
void apitest_logout_local(ApiTest *t);

/* Domain helpers acting as the system (asserting success). */
int64_t apitest_add_unit(ApiTest *t, int64_t parent, const char *name,
                         const char *kind);
int64_t apitest_add_user(ApiTest *t, const char *username, const char *password,
                         int role, int64_t unit_id);

/* Fixture helpers shared by the API and unit tests (every test binary
 * links tests/common/). */

/* Valid credit code number n (check character computed):
 * "91120102MA" + n in 7 digits (n % 10 000 000) + check. */
void apitest_uscc(int n, char out[USCC_LEN + 1]);
/* The same in another series: "91120102" + series (two letters, "MB")
 * + n in 7 digits + check; codes that never meet apitest_uscc's. */
void apitest_uscc_series(const char *series, int n, char out[USCC_LEN + 1]);

/* String member k of o, "" when absent or not a string. */
const char *apitest_jstr(json_t *o, const char *k);

/* Integer member k of o, 0 when absent or not an integer. */
int64_t apitest_jint(json_t *o, const char *k);

/* POST body to url, which must answer 201 (fails the test otherwise);
 * returns the "id" of the answer. */
int64_t apitest_post_id(ApiTest *t, const char *url, const char *body);

/* An enterprise through POST /enterprises: credit code apitest_uscc(n),
 * name, unit; returns its id (fails the test on any other answer). */
int64_t apitest_add_ent(ApiTest *t, int n, const char *name, int64_t unit);

/* method url (body may be NULL) must answer 400 with error field `field`
 * and a message "<what>应为 …" naming every entry of the served code
 * table `table` ([{"value", "label"}]) as "label（value）", joined by "、"
 * and "或 " (fails the test otherwise). */
void apitest_expect_refusal(ApiTest *t, const char *method, const char *url,
                            const char *body, const char *field,
                            const char *what, json_t *table);

#endif
