/* test_user.c - accounts in the domain layer: password policy and
 * hashing, username rules, transactions rolled back on error, org tree
 * rules, token role ordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "common/testdb.h"
#include "db/db.h"
#include "domain/accounts/actor.h"
#include "domain/accounts/org.h"
#include "domain/accounts/session.h"
#include "domain/accounts/token.h"
#include "domain/accounts/user.h"

typedef struct Fx {
    char dir[64];
    char path[128];
    Db *db;
    Actor sys;
    int64_t root;
} Fx;

static int setup(void **state)
{
    Fx *f = calloc(1, sizeof *f);
    Err e;

    log_set_level(LOG_ERROR);
    user_set_hash_cost_for_tests();
    snprintf(f->dir, sizeof f->dir, "/tmp/kc_test_user_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    testdb_use(f->path, sizeof f->path, f->dir);
    err_clear(&e);
    assert_int_equal(db_open(&f->db, f->path, &e), 0);
    assert_int_equal(db_migrate(f->db, NULL, &e), 0);
    actor_init_system(&f->sys);
    assert_int_equal(org_create_root(f->db, &f->sys, "本区", &f->root, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    char p[200];

    db_close(f->db);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    testdb_drop(f->path);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_password_policy(void **state)
{
    Err e;

    (void)state;
    assert_int_equal(user_check_password("abc12345x", "password", &e), 0);
    assert_int_equal(user_check_password("Kc-tianjin-7391", "password", &e), 0);
    assert_int_equal(user_check_password("abc1234", "password", &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "password");
    assert_int_equal(user_check_password("abcdefgh", "password", &e),
                     ERR_INVALID);
    assert_int_equal(user_check_password("12345678", "password", &e),
                     ERR_INVALID);
    assert_non_null(strstr(e.msg, "字母和数字"));
    assert_int_equal(user_check_password(NULL, "password", &e), ERR_INVALID);
}

/* Common passwords, with case and the usual substitutions folded, and
 * guessable patterns are refused with a zh-CN message. */
static void test_password_blocklist(void **state)
{
    static const char *const refused[] = {
        "password1",  "Passw0rd",  "P@ssw0rd",   "PASSWORD123", "12345678a",
        "qwerty123",  "admin123",  "Admin@2024", "a1b2c3d4",    "iloveyou1",
        "woaini1314", "abc12345",  "qwer1234",   "1qaz2wsx",    "1q2w3e4r",
        "zaq12wsx",   "aaaa1111",  "ab12ab12",   "a1a1a1a1",    "asdf1234",
        "abcd1234",   "p4ssw0rd!", "Welcome1",   "letmein99",   "dragon2023",
        "Xyz98765",   "9876abcd",
    };
    size_t i;
    Err e;

    (void)state;
    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        if (user_check_password(refused[i], "password", &e) != ERR_INVALID) {
            fail_msg("accepted common password %s", refused[i]);
        }
        assert_string_equal(e.field, "password");
        assert_non_null(strstr(e.msg, "密码"));
    }
    /* The user name, forward or reversed, in any case. */
    assert_int_equal(
        user_check_password_of("zhangsan2468", "ZhangSan", "password", &e),
        ERR_INVALID);
    assert_non_null(strstr(e.msg, "用户名"));
    assert_int_equal(
        user_check_password_of("nasgnahz2468", "zhangsan", "password", &e),
        ERR_INVALID);
    assert_int_equal(
        user_check_password_of("Kc-tianjin-7391", "zhangsan", "password", &e),
        0);
    assert_int_equal(user_check_password("Agent12345", "password", &e), 0);
    assert_int_equal(user_check_password("Entpages2026x", "password", &e), 0);
}

static void test_hash_roundtrip(void **state)
{
    char h1[USER_HASH_MAX];
    char h2[USER_HASH_MAX];
    Err e;

    (void)state;
    assert_int_equal(user_hash_password("abc12345x", h1, &e), 0);
    assert_int_equal(user_hash_password("abc12345x", h2, &e), 0);
    assert_true(strncmp(h1, "$argon2id$", 10) == 0);
    assert_string_not_equal(h1, h2); /* salted */
    assert_true(user_verify_password(h1, "abc12345x"));
    assert_false(user_verify_password(h1, "abc12346"));
    assert_false(user_verify_password(h1, ""));
    user_verify_dummy("anything"); /* must not crash */
}

static void test_username_rules(void **state)
{
    Fx *f = *state;
    const char *bad[] = {"ab",        "Admin",
                         "has space", "名字",
                         "a;b",       "abcdefghijklmnopqrstuvwxyz0123456789"};
    UserInput in;
    int64_t id;
    size_t i;
    Err e;

    memset(&in, 0, sizeof in);
    in.password = "abc12345x";
    in.role = ROLE_STAFF;
    in.unit_id = f->root;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        in.username = bad[i];
        err_clear(&e);
        assert_int_equal(user_create(f->db, &f->sys, &in, &id, &e),
                         ERR_INVALID);
        assert_string_equal(e.field, "username");
    }
    in.username = "good.name-1_x";
    assert_int_equal(user_create(f->db, &f->sys, &in, &id, &e), 0);
    /* the same name again is a conflict */
    assert_int_equal(user_create(f->db, &f->sys, &in, &id, &e), ERR_CONFLICT);
    assert_string_equal(e.field, "username");
    assert_false(db_in_tx(f->db));
}

static void test_non_admin_cannot_create(void **state)
{
    Fx *f = *state;
    Actor staff = f->sys;
    UserInput in;
    int64_t id;
    int64_t n = 0;
    Err e;

    staff.role = ROLE_STAFF;
    memset(&in, 0, sizeof in);
    in.username = "newbie";
    in.password = "abc12345x";
    in.role = ROLE_STAFF;
    in.unit_id = f->root;
    assert_int_equal(user_create(f->db, &staff, &in, &id, &e), ERR_FORBIDDEN);
    assert_int_equal(
        db_query_int64(f->db, &n, &e, "SELECT COUNT(*) FROM users", ""), 0);
    assert_int_equal(n, 0);
}

/* user_create and an admin's reset check the password against the user's
 * own name. */
static void test_password_names_user(void **state)
{
    Fx *f = *state;
    UserInput in;
    int64_t id = 0;
    Err e;

    memset(&in, 0, sizeof in);
    in.username = "liming";
    in.password = "Liming2468";
    in.role = ROLE_STAFF;
    in.unit_id = f->root;
    assert_int_equal(user_create(f->db, &f->sys, &in, &id, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "用户名"));
    in.password = "Kc-tianjin-7391";
    assert_int_equal(user_create(f->db, &f->sys, &in, &id, &e), 0);
    assert_int_equal(
        user_set_password(f->db, &f->sys, id, "gnimil-7391", 1, &e),
        ERR_INVALID);
    assert_non_null(strstr(e.msg, "用户名"));
    assert_int_equal(
        user_set_password(f->db, &f->sys, id, "Qk-harbor-5813", 1, &e), 0);
}

static void test_failed_write_leaves_nothing(void **state)
{
    Fx *f = *state;
    UserInput in;
    int64_t id;
    int64_t n_audit = 0;
    int64_t n_after = 0;
    Err e;

    memset(&in, 0, sizeof in);
    in.username = "ghost";
    in.password = "abc12345x";
    in.role = ROLE_STAFF;
    in.unit_id = 424242; /* no such unit: fails inside the transaction */
    assert_int_equal(db_query_int64(f->db, &n_audit, &e,
                                    "SELECT COUNT(*) FROM audit_log", ""),
                     0);
    assert_int_equal(user_create(f->db, &f->sys, &in, &id, &e), ERR_INVALID);
    assert_string_equal(e.field, "unit_id");
    assert_false(db_in_tx(f->db));
    assert_int_equal(db_query_int64(f->db, &n_after, &e,
                                    "SELECT COUNT(*) FROM audit_log", ""),
                     0);
    assert_int_equal(n_after, n_audit);
}

static void test_org_names_and_depth(void **state)
{
    Fx *f = *state;
    OrgInput in;
    int64_t parent = f->root;
    int64_t id = 0;
    Err e;
    int i;

    memset(&in, 0, sizeof in);
    in.parent_id = f->root;
    in.name = "   ";
    assert_int_equal(org_create(f->db, &f->sys, &in, &id, &e), ERR_INVALID);
    assert_string_equal(e.field, "name");
    in.name = "  街道  ";
    in.kind = "planet";
    assert_int_equal(org_create(f->db, &f->sys, &in, &id, &e), ERR_INVALID);
    assert_string_equal(e.field, "kind");
    in.kind = "subdistrict";
    assert_int_equal(org_create(f->db, &f->sys, &in, &id, &e), 0);
    {
        json_t *u = NULL;
        assert_int_equal(org_get(f->db, &f->sys, id, &u, &e), 0);
        assert_string_equal(json_string_value(json_object_get(u, "name")),
                            "街道"); /* trimmed */
        json_decref(u);
    }
    /* depth cap */
    for (i = 0; i < ORG_DEPTH_MAX + 2; i++) {
        char name[16];
        snprintf(name, sizeof name, "L%d", i);
        in.parent_id = parent;
        in.name = name;
        if (org_create(f->db, &f->sys, &in, &id, &e) != 0) {
            break;
        }
        parent = id;
    }
    assert_int_equal(i, ORG_DEPTH_MAX);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.field, "parent_id");
    /* a second root is refused */
    assert_int_equal(org_create_root(f->db, &f->sys, "二区", &id, &e),
                     ERR_CONFLICT);
}

static void test_token_role_order(void **state)
{
    (void)state;
    assert_true(token_role_allowed(ROLE_ADMIN, ROLE_ADMIN));
    assert_true(token_role_allowed(ROLE_ADMIN, ROLE_LEADER));
    assert_true(token_role_allowed(ROLE_STAFF, ROLE_STAFF));
    assert_true(token_role_allowed(ROLE_STAFF, ROLE_LEADER));
    assert_true(token_role_allowed(ROLE_STAFF, ROLE_AGENT));
    assert_false(token_role_allowed(ROLE_STAFF, ROLE_ADMIN));
    assert_false(token_role_allowed(ROLE_LEADER, ROLE_AGENT));
    assert_false(token_role_allowed(ROLE_AGENT, ROLE_LEADER));
    assert_false(token_role_allowed(ROLE_ADMIN, ROLE_NONE));
}

static void test_session_expiry(void **state)
{
    Fx *f = *state;
    char token[SESSION_TOKEN_MAX + 1];
    char csrf[CSRF_TOKEN_LEN + 1];
    char csrf2[CSRF_TOKEN_LEN + 1];
    UserInput in;
    Actor a;
    int64_t id;
    int retry = 0;
    Err e;

    memset(&in, 0, sizeof in);
    in.username = "sess";
    in.password = "abc12345x";
    in.role = ROLE_LEADER;
    in.unit_id = f->root;
    assert_int_equal(user_create(f->db, &f->sys, &in, &id, &e), 0);
    assert_int_equal(session_login(f->db, "SESS", "abc12345x", "10.0.0.1", 1,
                                   token, csrf, &a, &retry, &e),
                     0);
    assert_int_equal(a.user_id, id);
    assert_int_equal(a.role, ROLE_LEADER);
    assert_int_equal(strlen(token), 43);
    assert_int_equal(
        session_resolve(f->db, token, "10.0.0.1", 1, &a, csrf2, &e), 0);
    assert_string_equal(csrf, csrf2);
    /* idle for more than an hour: gone */
    clock_shift_for_tests(3601);
    assert_int_equal(
        session_resolve(f->db, token, "10.0.0.1", 1, &a, csrf2, &e), ERR_AUTH);
    clock_shift_for_tests(0);
    /* garbage tokens */
    assert_int_equal(session_resolve(f->db, "short", "x", 1, &a, csrf2, &e),
                     ERR_AUTH);
    assert_int_equal(apitoken_resolve(f->db, "kc_nope", "x", &a, &e), ERR_AUTH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_password_blocklist),
        cmocka_unit_test(test_hash_roundtrip),
        cmocka_unit_test_setup_teardown(test_username_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_admin_cannot_create, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_password_names_user, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_leaves_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_org_names_and_depth, setup,
                                        teardown),
        cmocka_unit_test(test_token_role_order),
        cmocka_unit_test_setup_teardown(test_session_expiry, setup, teardown),
    };
    user_set_hash_cost_for_tests();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
