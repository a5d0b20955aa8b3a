/* test_dec_cols.c - stored decisions as columns: save and load, damaged
 * blobs refused naming the column, the shared read copy following writes,
 * the two row orders, and runs no row names pruned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/eligibility/dec_cols.h"

static Db *open_db(void)
{
    Db *db = NULL;
    Err e;

    assert_int_equal(db_open(&db, ":memory:", &e), 0);
    assert_int_equal(db_migrate(db, NULL, &e), 0);
    assert_int_equal(db_exec(db,
                             "INSERT INTO decision_rulesets (id, ruleset, "
                             "hash) VALUES (1, 't', 'h1');"
                             "INSERT INTO decision_runs (id, ruleset, rs_id, "
                             "as_of, evaluated_at) VALUES "
                             "(1, 't', 1, '2026-06-30', 'a'),"
                             "(2, 't', 1, '2026-06-30', 'b'),"
                             "(3, 't', 1, '2026-06-30', 'c')",
                             &e),
                     0);
    return db;
}

/* Five rows: ids 10..50, verdicts and scores chosen so that both orders
 * differ from the id order. */
static DecCols *sample(void)
{
    static const uint8_t v[] = {2, 1, 3, 2, 4};
    static const uint16_t unmet[] = {3, 0, 0, 1, 0};
    static const int64_t hi[] = {40, 90, 0, 55, 70};
    static const uint8_t has[] = {1, 1, 0, 1, 1};
    static const char *const oc[] = {"NNNY", "YYYY", "UYYY", "NYYY", "EYYY"};
    DecCols *c = dec_cols_new(5, DEC_ALL);

    for (size_t r = 0; r < 5; r++) {
        c->id[r] = (int64_t)(r + 1) * 10;
        c->unit[r] = r < 3 ? 7 : 8;
        c->verdict[r] = v[r];
        c->unmet[r] = unmet[r];
        c->has_score[r] = has[r];
        c->score_lo[r] = has[r] ? hi[r] - 5 : 0;
        c->score_hi[r] = hi[r];
        c->run[r] = r == 4 ? 2 : 1;
        memset(c->hash + r * 32, (int)r + 1, 32);
        c->oidx[r] = dec_cols_outcome(c, oc[r]);
    }
    return c;
}

static int64_t count(Db *db, const char *sql)
{
    int64_t n = -1;
    Err e;

    assert_int_equal(db_query_int64(db, &n, &e, sql, ""), 0);
    return n;
}

static void test_roundtrip(void **state)
{
    Db *db = open_db();
    DecCols *c = sample(), *l = NULL;
    Err e;

    (void)state;
    /* packed columns keep the extremes and negative values */
    c->score_lo[0] = INT64_MIN;
    c->score_hi[0] = INT64_MAX;
    c->score_lo[3] = -7;
    c->unit[4] = INT64_MAX;
    c->id[4] = INT64_MAX;
    assert_int_equal(dec_cols_load(db, "t", DEC_ALL, &l, &e), 0);
    assert_null(l); /* nothing stored yet */
    assert_int_equal(dec_cols_outcome(c, "YYYY"), c->oidx[1]); /* deduped */
    assert_int_equal(c->n_odict, 5);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(dec_cols_save(db, "t", c, NULL, &e), 0);
    assert_int_equal(db_commit(db, &e), 0);
    /* run 3 is named by no row: pruned; 1 and 2 stay */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM decision_runs"), 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM decision_runs WHERE "
                               "id = 3"),
                     0);

    assert_int_equal(dec_cols_load(db, "t", DEC_ALL, &l, &e), 0);
    assert_non_null(l);
    assert_int_equal(l->n, 5);
    for (size_t r = 0; r < 5; r++) {
        assert_int_equal(l->id[r], c->id[r]);
        assert_int_equal(l->unit[r], c->unit[r]);
        assert_int_equal(l->verdict[r], c->verdict[r]);
        assert_int_equal(l->unmet[r], c->unmet[r]);
        assert_int_equal(l->has_score[r], c->has_score[r]);
        assert_int_equal(l->score_lo[r], c->score_lo[r]);
        assert_int_equal(l->score_hi[r], c->score_hi[r]);
        assert_int_equal(l->run[r], c->run[r]);
        assert_memory_equal(l->hash + r * 32, c->hash + r * 32, 32);
        assert_string_equal(l->odict[l->oidx[r]], c->odict[c->oidx[r]]);
    }
    dec_cols_free(l);
    /* the list columns leave out the hashes and outcomes */
    assert_int_equal(dec_cols_load(db, "t", DEC_LIST, &l, &e), 0);
    assert_null(l->hash);
    assert_null(l->oidx);
    assert_int_equal(l->verdict[4], 4);
    dec_cols_free(l);

    /* an empty set is a set of 0 rows, not "nothing stored" */
    dec_cols_free(c);
    c = dec_cols_new(0, DEC_ALL);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(dec_cols_save(db, "t", c, NULL, &e), 0);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(dec_cols_load(db, "t", DEC_ALL, &l, &e), 0);
    assert_non_null(l);
    assert_int_equal(l->n, 0);
    dec_cols_free(l);
    dec_cols_free(c);
    db_close(db);
}

static void test_damaged(void **state)
{
    static const char *const bad[] = {
        "UPDATE decision_cols SET data = x'0102' WHERE col = 'verdict'",
        "DELETE FROM decision_cols WHERE col = 'score_hi'",
        "UPDATE decision_cols SET data = (SELECT data FROM decision_cols "
        "WHERE col = 'unit') WHERE col = 'id'",
        "UPDATE decision_cols SET data = x'61' WHERE col = 'odict'",
        /* a packed column: 3 bytes per value, then one row short */
        "UPDATE decision_cols SET data = x'03' || substr(data, 2) WHERE "
        "col = 'run'",
        "UPDATE decision_cols SET data = substr(data, 1, length(data) - 1) "
        "WHERE col = 'unmet'",
    };
    static const char *const col[] = {"verdict", "score_hi", "id",
                                      "odict",   "run",      "unmet"};
    (void)state;
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        Db *db = open_db();
        DecCols *c = sample(), *l = NULL;
        Err e;

        assert_int_equal(db_begin(db, &e), 0);
        assert_int_equal(dec_cols_save(db, "t", c, NULL, &e), 0);
        assert_int_equal(db_commit(db, &e), 0);
        assert_int_equal(db_exec(db, bad[k], &e), 0);
        assert_int_equal(dec_cols_load(db, "t", DEC_ALL, &l, &e), ERR_DB);
        assert_null(l);
        assert_non_null(strstr(e.msg, col[k]));
        dec_cols_free(c);
        db_close(db);
    }
}

static void test_shared_and_orders(void **state)
{
    Db *db = open_db();
    DecCols *c = sample();
    const DecCols *s1 = NULL, *s2 = NULL, *s3 = NULL;
    const uint32_t *o;
    Err e;

    (void)state;
    assert_int_equal(dec_cols_get(db, "t", &s1, &e), 0);
    assert_null(s1);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(dec_cols_save(db, "t", c, NULL, &e), 0);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(dec_cols_get(db, "t", &s1, &e), 0);
    assert_int_equal(dec_cols_get(db, "t", &s2, &e), 0);
    assert_ptr_equal(s1, s2); /* the same copy while nothing changed */
    dec_cols_release(s2);
    assert_int_equal(s1->n_units, 2);
    assert_int_equal(s1->units[s1->uix[0]], 7);
    assert_int_equal(s1->units[s1->uix[4]], 8);

    /* closest: 达标 (20), 待专家评审 (50), 未达标 by unmet (40, 10), 缺数据
     * (30) */
    o = dec_cols_order(s1, DEC_ORDER_CLOSEST);
    assert_int_equal(s1->id[o[0]], 20);
    assert_int_equal(s1->id[o[1]], 50);
    assert_int_equal(s1->id[o[2]], 40);
    assert_int_equal(s1->id[o[3]], 10);
    assert_int_equal(s1->id[o[4]], 30);
    /* score: 90, 70, 55, 40, then the one without a score */
    o = dec_cols_order(s1, DEC_ORDER_SCORE);
    assert_int_equal(s1->id[o[0]], 20);
    assert_int_equal(s1->id[o[1]], 50);
    assert_int_equal(s1->id[o[2]], 40);
    assert_int_equal(s1->id[o[3]], 10);
    assert_int_equal(s1->id[o[4]], 30);
    assert_ptr_equal(o,
                     dec_cols_order(s1, DEC_ORDER_SCORE)); /* computed once */

    /* a write: the next reader gets the new rows, the old copy stays valid
     * for its holder */
    c->verdict[2] = 1;
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(dec_cols_save(db, "t", c, NULL, &e), 0);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(dec_cols_get(db, "t", &s3, &e), 0);
    assert_ptr_not_equal(s3, s1);
    assert_int_equal(s3->verdict[2], 1);
    assert_int_equal(s1->verdict[2], 3);
    assert_true(s3->token != s1->token);
    dec_cols_release(s1);
    dec_cols_release(s3);

    /* a write rolled back leaves readers on the stored rows */
    c->verdict[2] = 2;
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(dec_cols_save(db, "t", c, NULL, &e), 0);
    db_rollback(db);
    assert_int_equal(dec_cols_get(db, "t", &s3, &e), 0);
    assert_int_equal(s3->verdict[2], 1);
    dec_cols_release(s3);
    dec_cols_free(c);
    db_close(db);
}

/* A set written with the hash column of another refers to it; writing
 * the other again gives it its own copy first. */
/* "closest first" over many rows with repeated ranks (the radix sort):
 * a permutation, ranks ascending, rows ascending within a rank. */
static void test_closest_order_many(void **state)
{
    size_t n = 20000;
    DecCols *c = dec_cols_new(n, DEC_LIST);
    const uint32_t *o;
    uint8_t *seen = calloc(n, 1);
    uint64_t x = 88172645463325252ULL;
    (void)state;
    for (size_t r = 0; r < n; r++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c->id[r] = (int64_t)r + 1;
        c->verdict[r] = (uint8_t)(1 + x % 6);
        c->unmet[r] = (uint16_t)(x >> 8 & 3);
        c->unknown[r] = (uint16_t)(x >> 16 & 1 ? 1200 : x >> 20 & 3);
        c->has_score[r] = (uint8_t)(x >> 24 & 1);
        c->score_hi[r] = (int64_t)(x >> 28 & 2047) - 500;
    }
    o = dec_cols_order(c, DEC_ORDER_CLOSEST);
    for (size_t i = 0; i < n; i++) {
        assert_true(o[i] < n);
        assert_false(seen[o[i]]);
        seen[o[i]] = 1;
        if (i > 0) {
            uint32_t p = o[i - 1], q = o[i];
            int64_t rp = dec_rank(c->verdict[p], c->unmet[p], c->unknown[p],
                                  c->has_score[p], c->score_hi[p]);
            int64_t rq = dec_rank(c->verdict[q], c->unmet[q], c->unknown[q],
                                  c->has_score[q], c->score_hi[q]);
            assert_true(rp < rq || (rp == rq && p < q));
        }
    }
    free(seen);
    dec_cols_free(c);
}

static void test_shared_hash(void **state)
{
    Db *db = open_db();
    DecCols *a = sample(), *b = sample(), *l = NULL;
    Err e;

    (void)state;
    assert_int_equal(db_exec(db,
                             "INSERT INTO decision_runs (id, ruleset, rs_id, "
                             "as_of, evaluated_at) VALUES "
                             "(4, 'u', 1, '2026-06-30', 'a')",
                             &e),
                     0);
    for (size_t r = 0; r < b->n; r++) {
        b->run[r] = 4;
        b->verdict[r] = 1;
    }
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(dec_cols_save(db, "t", a, NULL, &e), 0);
    assert_int_equal(dec_cols_save(db, "u", b, "t", &e), 0);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM decision_cols WHERE "
                               "ruleset = 'u' AND col = 'hash'"),
                     0);
    assert_int_equal(dec_cols_load(db, "u", DEC_ALL, &l, &e), 0);
    assert_memory_equal(l->hash, b->hash, b->n * 32);
    assert_int_equal(l->verdict[0], 1);
    dec_cols_free(l);

    /* "t" written again with other hashes: "u" keeps its own */
    memset(a->hash, 0xee, a->n * 32);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(dec_cols_save(db, "t", a, NULL, &e), 0);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM decision_cols WHERE "
                               "col = 'hash_ref'"),
                     0);
    assert_int_equal(dec_cols_load(db, "u", DEC_ALL, &l, &e), 0);
    assert_memory_equal(l->hash, b->hash, b->n * 32);
    dec_cols_free(l);
    assert_int_equal(dec_cols_load(db, "t", DEC_ALL, &l, &e), 0);
    assert_memory_equal(l->hash, a->hash, a->n * 32);
    dec_cols_free(l);

    /* a reference to a set that has no hash column is refused on load */
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(dec_cols_save(db, "u", b, "nope", &e), 0);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(dec_cols_load(db, "u", DEC_ALL, &l, &e), ERR_DB);
    assert_non_null(strstr(e.msg, "hash_ref"));
    dec_cols_free(a);
    dec_cols_free(b);
    db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_shared_and_orders),
        cmocka_unit_test(test_shared_hash),
        cmocka_unit_test(test_closest_order_many),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
