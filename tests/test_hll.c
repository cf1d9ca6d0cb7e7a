/* pottery_hll against a private redis-server: the seed README's walkthrough, pottery's
 * bytes, accuracy at a million elements, copy-and-probe membership without scratch keys
 * left behind, merges on one server and the refusal across servers, round-trip budgets,
 * bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pottery.h"
#include "support/test_fixture.h"

static pottery_hll *open_hll(pottery_client *c, const char *key)
{
    pottery_hll *h = NULL;
    assert_ok(pottery_hll_open(&h, c, key, NULL, 0));
    return h;
}

static int64_t len_of(pottery_hll *h)
{
    int64_t n = -1;
    assert_ok(pottery_hll_len(&n, h));
    return n;
}

static int contains(pottery_hll *h, pottery_value v)
{
    int in = -1;
    assert_ok(pottery_hll_contains(&in, h, v));
    return in;
}

/* No scratch key of a membership test is left on server. */
#define assert_no_scratch_keys() assert_raw("", raw("KEYS", "*hll-probe*", NULL))

/* ---- the seed README's walkthrough ---- */

static void test_readme_walkthrough(void **state)
{
    (void)state;
    pottery_hll *google_searches = open_hll(client, "google-searches");
    assert_ok(pottery_hll_add(google_searches, pottery_str("sonic the hedgehog video game")));
    assert_int_equal(len_of(google_searches), 1);
    const pottery_value searches[] = {
        pottery_str("google in 1998"),     pottery_str("minesweeper"),      pottery_str("joey tribbiani"),
        pottery_str("wizard of oz"),       pottery_str("rgb to hex"),       pottery_str("pac-man"),
        pottery_str("breathing exercise"), pottery_str("do a barrel roll"), pottery_str("snake"),
    };
    assert_ok(pottery_hll_update(google_searches, searches, 9));
    assert_int_equal(len_of(google_searches), 10);
    assert_int_equal(contains(google_searches, pottery_str("joey tribbiani")), 1);
    assert_int_equal(contains(google_searches, pottery_str("jennifer aniston")), 0);
    const pottery_value probe[] = { pottery_str("joey tribbiani"), pottery_str("jennifer aniston") };
    int answers[2] = { -1, -1 };
    assert_ok(pottery_hll_contains_many(answers, google_searches, probe, 2));
    assert_int_equal(answers[0], 1);
    assert_int_equal(answers[1], 0);
    char *text = NULL;
    assert_ok(pottery_hll_repr(&text, google_searches));
    assert_string_equal(text, "<HyperLogLog key=google-searches len=10>");
    pottery_free(text);
    assert_ok(pottery_hll_clear(google_searches));
    assert_int_equal(len_of(google_searches), 0);
    assert_raw("0", raw("EXISTS", "google-searches", NULL));
    assert_no_scratch_keys();
    pottery_hll_free(google_searches);
}

/* ---- interoperability: pottery's bytes ---- */

static void test_elements_are_pottery_json(void **state)
{
    (void)state;
    /* pottery's HyperLogLog().add('foo') is PFADD key "foo" (quotes included). */
    assert_raw("1", raw("PFADD", "hll", "\"foo\"", NULL));
    pottery_hll *h = open_hll(client, "hll");
    assert_int_equal(contains(h, pottery_str("foo")), 1);
    assert_ok(pottery_hll_add(h, pottery_str("foo"))); /* the same element: no register changes */
    assert_raw("1", raw("PFCOUNT", "hll", NULL));
    const pottery_value more[] = { pottery_int(4098), pottery_json("{\"b\": 1, \"a\": [1, 2]}"), pottery_null(),
                                   pottery_double(1.0) };
    assert_ok(pottery_hll_update(h, more, 4));
    /* What pottery would have added for each: adding those bytes again changes nothing. */
    assert_raw("0", raw("PFADD", "hll", "4098", "{\"a\": [1, 2], \"b\": 1}", "null", "1.0", NULL));
    assert_raw("5", raw("PFCOUNT", "hll", NULL));
    assert_int_equal(len_of(h), 5);
    /* 1, 1.0 and "1" are three different elements, as their JSON texts are. */
    assert_ok(pottery_hll_add(h, pottery_int(1)));
    assert_ok(pottery_hll_add(h, pottery_str("1")));
    assert_int_equal(len_of(h), 7);
    pottery_hll_free(h);
}

/* ---- accuracy ---- */

static void test_len_within_two_percent_of_a_million(void **state)
{
    (void)state;
    enum { TOTAL = 1000000, BATCH = 50000 };
    pottery_hll *h = open_hll(client, "million");
    for (int64_t first = 0; first < TOTAL; first += BATCH) {
        pottery_value *batch = int_values(BATCH, first, 1);
        assert_round_trips(1, pottery_hll_update(h, batch, BATCH));
        free(batch);
    }
    int64_t n = len_of(h);
    double error = (double)(n - TOTAL) / TOTAL;
    print_message("len %lld for %d distinct elements (error %+.3f%%)\n", (long long)n, TOTAL, error * 100);
    assert_true(error > -0.02 && error < 0.02);
    /* Adding them again changes nothing. */
    pottery_value *again = int_values(BATCH, 0, 1);
    assert_ok(pottery_hll_update(h, again, BATCH));
    free(again);
    assert_int_equal(len_of(h), n);
    pottery_hll_free(h);
}

/* ---- membership ---- */

static void test_contains_has_no_false_negatives(void **state)
{
    (void)state;
    enum { N = 2000 };
    pottery_hll *h = open_hll(client, "hll");
    pottery_value *added = int_values(N, 0, 1);
    assert_ok(pottery_hll_update(h, added, N));
    int64_t before = len_of(h);
    int *answers = calloc(N, sizeof *answers);
    assert_round_trips(1, pottery_hll_contains_many(answers, h, added, N));
    for (size_t i = 0; i < N; i++) assert_int_equal(answers[i], 1);
    /* Elements never added: mostly absent (pottery's tests accept up to 25% false positives). */
    pottery_value *other = int_values(N, 1000000, 1);
    assert_ok(pottery_hll_contains_many(answers, h, other, N));
    size_t positives = 0;
    for (size_t i = 0; i < N; i++) positives += (size_t)answers[i];
    print_message("%zu false positives of %d\n", positives, N);
    assert_true(positives < N / 4);
    /* The probes wrote nothing: the HLL is what it was, the scratch key gone. */
    assert_int_equal(len_of(h), before);
    assert_raw("1", raw("DBSIZE", NULL));
    assert_no_scratch_keys();
    free(other);
    free(answers);
    free(added);
    pottery_hll_free(h);
}

static void test_contains_answers_each_element_alone(void **state)
{
    (void)state;
    pottery_hll *h = open_hll(client, "hll");
    assert_ok(pottery_hll_add(h, pottery_str("a")));
    /* "b" twice: each probe starts from the HLL, not from the copy the first "b" changed. */
    const pottery_value probe[] = { pottery_str("b"), pottery_str("b"), pottery_str("a"), pottery_str("c"),
                                    pottery_str("a") };
    int answers[5] = { -1, -1, -1, -1, -1 };
    assert_ok(pottery_hll_contains_many(answers, h, probe, 5));
    assert_int_equal(answers[0], 0);
    assert_int_equal(answers[1], 0);
    assert_int_equal(answers[2], 1);
    assert_int_equal(answers[3], 0);
    assert_int_equal(answers[4], 1);
    assert_int_equal(len_of(h), 1);
    assert_no_scratch_keys();
    pottery_hll_free(h);
}

static void test_contains_on_an_absent_key(void **state)
{
    (void)state;
    pottery_hll *h = open_hll(client, "nothing");
    const pottery_value probe[] = { pottery_str("a"), pottery_int(1) };
    int answers[2] = { -1, -1 };
    assert_round_trips(1, pottery_hll_contains_many(answers, h, probe, 2));
    assert_int_equal(answers[0], 0);
    assert_int_equal(answers[1], 0);
    assert_int_equal(contains(h, pottery_str("a")), 0);
    assert_raw("0", raw("DBSIZE", NULL));
    pottery_hll_free(h);
}

static void test_scratch_key_sits_beside_the_hll(void **state)
{
    (void)state;
    pottery_hll *h = open_hll(client, "{user}:hll");
    assert_ok(pottery_hll_add(h, pottery_str("x")));
    assert_int_equal(contains(h, pottery_str("x")), 1);
    assert_int_equal(contains(h, pottery_str("y")), 0);
    assert_no_scratch_keys();
    assert_raw("1", raw("DBSIZE", NULL));
    /* Its name, seen through a client that may not DEL (so the script cannot delete it):
     * the HLL's hash tag, then ":hll-probe:" and a uuid4, in the HLL's cluster slot. */
    pottery_client *nodel = open_client_denied("nodel", "del");
    pottery_hll *seen = open_hll(nodel, "{user}:hll");
    int in = -1;
    assert_code(POTTERY_EREDIS, pottery_hll_contains(&in, seen, pottery_str("y")));
    char *name = raw("KEYS", "*hll-probe*", NULL);
    assert_non_null(name);
    assert_int_equal(strlen(name), strlen("{user}:hll:hll-probe:") + 36);
    assert_memory_equal(name, "{user}:hll:hll-probe:", strlen("{user}:hll:hll-probe:"));
    char *slot = raw("CLUSTER", "KEYSLOT", name, NULL), *hll_slot = raw("CLUSTER", "KEYSLOT", "{user}:hll", NULL);
    assert_string_equal(slot, hll_slot);
    free(slot);
    free(hll_slot);
    assert_raw("1", raw("DEL", name, NULL));
    free(name);
    pottery_hll_free(seen);
    close_client_denied(nodel, "nodel");
    pottery_hll_free(h);
}

/* A failing probe (the key is not a HyperLogLog) still deletes its scratch key. */
static void test_failed_probes_leave_no_scratch_key(void **state)
{
    (void)state;
    pottery_hll *h = open_hll(client, "hll");
    int answers[2] = { -1, -1 };
    const pottery_value probe[] = { pottery_str("a"), pottery_str("b") };

    assert_raw("1", raw("RPUSH", "hll", "x", NULL));
    assert_wrongtype(pottery_hll_contains_many(answers, h, probe, 2));
    assert_int_equal(answers[0], -1); /* untouched on failure */
    assert_no_scratch_keys();
    assert_raw("x", raw("LRANGE", "hll", "0", "-1", NULL));

    assert_raw("OK", raw("SET", "hll", "not an HLL", NULL));
    assert_code(POTTERY_EREDIS, pottery_hll_contains_many(answers, h, probe, 2));
    assert_message_contains("HyperLogLog");
    assert_no_scratch_keys();
    assert_raw("not an HLL", raw("GET", "hll", NULL));

    /* A corrupt HLL: the right header, nonsense registers. */
    assert_raw("OK", raw("SET", "hll", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff", NULL));
    assert_code(POTTERY_EREDIS, pottery_hll_contains_many(answers, h, probe, 2));
    assert_no_scratch_keys();
    assert_raw("1", raw("DBSIZE", NULL));
    pottery_hll_free(h);
}

/* ---- merges ---- */

static void test_update_from_and_union_on_one_server(void **state)
{
    (void)state;
    /* one hash tag: one slot on a cluster, where PFMERGE can only merge keys of one slot */
    pottery_hll *a = open_hll(client, "{m}a");
    pottery_hll *b = open_hll(client2, "{m}b"); /* another client, the same server */
    pottery_hll *c = open_hll(client, "{m}c");  /* absent: an empty HLL */
    const pottery_value xs[] = { pottery_str("x"), pottery_str("y") };
    const pottery_value ys[] = { pottery_str("y"), pottery_str("z") };
    assert_ok(pottery_hll_update(a, xs, 2));
    assert_ok(pottery_hll_update(b, ys, 2));

    pottery_hll *u = NULL;
    pottery_hll *const bc[] = { b, c };
    /* EXISTS + PFMERGE; on a cluster the key is beside a's, not checked: PFMERGE alone */
    assert_round_trips(fixture_cluster_mode() ? 1 : 2, pottery_hll_union_from(&u, a, bc, 2, NULL));
    assert_temporary_key(pottery_hll_key(u), "{m}a");
    assert_ptr_equal(pottery_hll_client(u), client); /* on the caller's client */
    assert_int_equal(len_of(u), 3);
    assert_int_equal(len_of(a), 2); /* the operands are unchanged */
    assert_int_equal(len_of(b), 2);
    assert_raw("0", raw("EXISTS", "{m}c", NULL));
    char *key = strdup(pottery_hll_key(u));
    pottery_hll_free(u); /* deletes its pottery: key */
    assert_raw("0", raw("EXISTS", key, NULL));
    free(key);

    /* A given key; no others: a copy of a. */
    assert_round_trips(1, pottery_hll_union_from(&u, a, NULL, 0, "{m}copy"));
    assert_string_equal(pottery_hll_key(u), "{m}copy");
    assert_int_equal(len_of(u), 2);
    pottery_hll_free(u);
    assert_raw("1", raw("EXISTS", "{m}copy", NULL)); /* not a pottery: key */

    assert_round_trips(1, pottery_hll_update_from(a, bc, 2));
    assert_int_equal(len_of(a), 3);
    assert_int_equal(contains(a, pottery_str("z")), 1);
    assert_round_trips(0, pottery_hll_update_from(a, NULL, 0));
    pottery_hll *self[] = { a };
    assert_ok(pottery_hll_update_from(a, self, 1));
    assert_int_equal(len_of(a), 3);
    pottery_hll_free(a);
    pottery_hll_free(b);
    pottery_hll_free(c);
}

/* pottery's update(*objs) with handles and elements mixed: one atomic round trip. */
static void test_update_both(void **state)
{
    (void)state;
    pottery_hll *a = open_hll(client, "{m}a"); /* one slot on a cluster */
    pottery_hll *b = open_hll(client2, "{m}b");
    const pottery_value xs[] = { pottery_str("x"), pottery_str("y") };
    const pottery_value ys[] = { pottery_str("y"), pottery_str("z") };
    assert_ok(pottery_hll_update(b, ys, 2));
    pottery_hll *const others[] = { b };
    uint64_t before = commands();
    assert_round_trips(1, pottery_hll_update_both(a, xs, 2, others, 1)); /* MULTI PFMERGE PFADD EXEC */
    assert_int_equal(commands() - before, 4);
    assert_int_equal(len_of(a), 3);
    assert_int_equal(contains(a, pottery_str("x")), 1);
    assert_int_equal(contains(a, pottery_str("z")), 1);
    before = commands();
    const pottery_value w = pottery_str("w");
    assert_round_trips(1, pottery_hll_update_both(a, &w, 1, NULL, 0)); /* no PFMERGE without another HLL */
    assert_int_equal(commands() - before, 1);
    assert_round_trips(1, pottery_hll_update_both(a, NULL, 0, others, 1)); /* a PFMERGE alone */
    assert_round_trips(0, pottery_hll_update_both(a, NULL, 0, NULL, 0));
    assert_int_equal(len_of(a), 4);

    /* an element that cannot be encoded, or a handle on another server: nothing written */
    pottery_hll *far = open_hll(far_client, "far");
    pottery_hll *const bad_others[] = { far };
    assert_code(POTTERY_EINVAL, pottery_hll_update_both(a, xs, 2, bad_others, 1));
    const pottery_value bad[] = { pottery_str("v"), pottery_strn("\xff", 1) };
    assert_code(POTTERY_ETYPE, pottery_hll_update_both(a, bad, 2, others, 1));
    assert_int_equal(len_of(a), 4);
    assert_int_equal(contains(a, pottery_str("v")), 0);
    assert_code(POTTERY_EINVAL, pottery_hll_update_both(NULL, xs, 2, others, 1));
    assert_code(POTTERY_EINVAL, pottery_hll_update_both(a, NULL, 2, others, 1));
    pottery_hll_free(far);
    pottery_hll_free(a);
    pottery_hll_free(b);
}

static void test_merges_across_servers_are_refused(void **state)
{
    (void)state;
    pottery_hll *a = open_hll(client, "{m}a");
    pottery_hll *near = open_hll(client2, "{m}near"); /* one slot on a cluster */
    pottery_hll *far = open_hll(far_client, "far");
    assert_ok(pottery_hll_add(far, pottery_str("x")));
    pottery_hll *const two[] = { near, far };
    uint64_t before = commands();
    assert_code(POTTERY_EINVAL, pottery_hll_update_from(a, two, 2));
    assert_message_contains("others[1] ('far') is on another server or database than '{m}a'");
    pottery_hll *u = (pottery_hll *)(void *)&before;
    assert_code(POTTERY_EINVAL, pottery_hll_union_from(&u, a, two, 2, "{m}u"));
    assert_null(u);
    assert_int_equal(commands(), before);
    assert_raw("0", raw("DBSIZE", NULL));
    /* From the far server's own side, the others are the far ones. */
    pottery_hll *const first[] = { a };
    assert_code(POTTERY_EINVAL, pottery_hll_update_from(far, first, 1));
    pottery_hll_free(a);
    pottery_hll_free(near);
    pottery_hll_free(far);
}

/* ---- open, free ---- */

static void test_open_and_free(void **state)
{
    (void)state;
    pottery_hll *h = NULL;
    /* Without elements nothing is sent and nothing created (pottery writes an empty HLL). */
    assert_round_trips(0, pottery_hll_open(&h, client, "named", NULL, 0));
    assert_raw("0", raw("EXISTS", "named", NULL));
    assert_string_equal(pottery_hll_key(h), "named");
    assert_ptr_equal(pottery_hll_client(h), client);
    pottery_hll_free(h);

    const pottery_value three[] = { pottery_int(1), pottery_int(2), pottery_int(3) };
    assert_round_trips(1, pottery_hll_open(&h, client, "named", three, 3));
    assert_int_equal(len_of(h), 3);
    pottery_hll_free(h);
    assert_ok(pottery_hll_open(&h, client, "named", three + 2, 1)); /* adds to what is there */
    assert_int_equal(len_of(h), 3);
    pottery_hll_free(h);
    assert_raw("1", raw("EXISTS", "named", NULL));

    assert_round_trips(1, pottery_hll_open(&h, client, NULL, NULL, 0)); /* EXISTS */
    assert_random_key(pottery_hll_key(h));
    assert_ok(pottery_hll_add(h, pottery_str("x")));
    char *key = strdup(pottery_hll_key(h));
    assert_raw("1", raw("EXISTS", key, NULL));
    pottery_hll_free(h);
    assert_raw("0", raw("EXISTS", key, NULL));
    free(key);
    pottery_hll_free(NULL);
    assert_null(pottery_hll_key(NULL));
    assert_null(pottery_hll_client(NULL));
}

/* ---- round trips ---- */

static void test_round_trip_budgets(void **state)
{
    (void)state;
    enum { BIG = 25000 };
    pottery_hll *h = open_hll(client, "{h}hll"); /* one slot on a cluster */
    pottery_hll *o = open_hll(client, "{h}other");
    pottery_value *values = int_values(BIG, 0, 1);
    int *answers = calloc(BIG, sizeof *answers);
    int64_t n;
    char *text = NULL;
    assert_round_trips(1, pottery_hll_add(h, pottery_str("a")));
    assert_commands(1, pottery_hll_add(h, pottery_str("a")));
    assert_round_trips(1, pottery_hll_update(h, values, 10000));
    assert_commands(1, pottery_hll_update(h, values, 10000)); /* a single PFADD */
    assert_round_trips(1, pottery_hll_update(h, values, BIG));
    assert_commands(5, pottery_hll_update(h, values, BIG)); /* MULTI, 3 PFADD, EXEC */
    assert_round_trips(0, pottery_hll_update(h, values, 0));
    assert_round_trips(1, pottery_hll_contains_many(answers, h, values, 1000));
    assert_round_trips(1, pottery_hll_contains_many(answers, h, values, BIG));
    assert_round_trips(0, pottery_hll_contains_many(answers, h, values, 0));
    assert_round_trips(1, pottery_hll_contains(answers, h, pottery_int(1)));
    assert_round_trips(1, pottery_hll_len(&n, h));
    assert_round_trips(1, pottery_hll_update_from(h, &o, 1));
    assert_round_trips(1, pottery_hll_repr(&text, h));
    pottery_free(text);
    assert_round_trips(1, pottery_hll_clear(h));
    assert_no_scratch_keys();
    free(answers);
    free(values);
    pottery_hll_free(o);
    pottery_hll_free(h);
}

/* ---- bad input ---- */

static void test_null_arguments(void **state)
{
    (void)state;
    pottery_hll *h = open_hll(client, "hll");
    pottery_hll *out = NULL;
    pottery_value v = pottery_int(1);
    int in;
    int64_t n;
    char *text;
    uint64_t before = commands();
    assert_code(POTTERY_EINVAL, pottery_hll_open(NULL, client, "k", NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_hll_open(&out, NULL, "k", NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_hll_open(&out, client, "", NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_hll_open(&out, client, "k", NULL, 2));
    assert_null(out);
    assert_code(POTTERY_EINVAL, pottery_hll_add(NULL, v));
    assert_code(POTTERY_EINVAL, pottery_hll_update(NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_hll_update(h, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_hll_update_from(NULL, &h, 1));
    assert_code(POTTERY_EINVAL, pottery_hll_update_from(h, NULL, 1));
    pottery_hll *holes[] = { h, NULL };
    assert_code(POTTERY_EINVAL, pottery_hll_update_from(h, holes, 2));
    assert_message_contains("others[1] is NULL");
    assert_code(POTTERY_EINVAL, pottery_hll_len(NULL, h));
    assert_code(POTTERY_EINVAL, pottery_hll_len(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_hll_contains(NULL, h, v));
    assert_code(POTTERY_EINVAL, pottery_hll_contains(&in, NULL, v));
    assert_code(POTTERY_EINVAL, pottery_hll_contains_many(NULL, h, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_hll_contains_many(&in, h, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_hll_union_from(NULL, h, NULL, 0, NULL));
    assert_code(POTTERY_EINVAL, pottery_hll_union_from(&out, NULL, NULL, 0, NULL));
    assert_code(POTTERY_EINVAL, pottery_hll_union_from(&out, h, NULL, 1, NULL));
    assert_code(POTTERY_EINVAL, pottery_hll_union_from(&out, h, NULL, 0, ""));
    assert_code(POTTERY_EINVAL, pottery_hll_clear(NULL));
    assert_code(POTTERY_EINVAL, pottery_hll_repr(NULL, h));
    assert_code(POTTERY_EINVAL, pottery_hll_repr(&text, NULL));
    assert_int_equal(commands(), before);
    pottery_hll_free(h);
}

static void test_unencodable_elements(void **state)
{
    (void)state;
    pottery_hll *h = open_hll(client, "hll");
    assert_ok(pottery_hll_add(h, pottery_str("ok")));
    pottery_value bad = pottery_strn("\xff\xfe", 2); /* invalid UTF-8 */
    uint64_t before = commands();
    assert_code(POTTERY_ETYPE, pottery_hll_add(h, bad));
    int answers[3] = { -1, -1, -1 };
    const pottery_value probe[] = { pottery_str("ok"), bad, pottery_str("x") };
    assert_code(POTTERY_ETYPE, pottery_hll_contains_many(answers, h, probe, 3));
    assert_code(POTTERY_ETYPE, pottery_hll_contains(answers, h, bad));
    assert_int_equal(answers[0], -1);
    assert_code(POTTERY_ETYPE, pottery_hll_update(h, probe, 3));
    pottery_hll *o = NULL;
    assert_code(POTTERY_ETYPE, pottery_hll_open(&o, client, "other", probe, 3));
    assert_null(o);
    assert_int_equal(commands(), before); /* refused before anything was sent */
    /* A bad element after the first PFADD was streamed: DISCARD, nothing written. */
    enum { BIG = 25000 };
    pottery_value *values = int_values(BIG, 0, 1);
    values[BIG - 1] = bad;
    assert_code(POTTERY_ETYPE, pottery_hll_update(h, values, BIG));
    free(values);
    assert_int_equal(len_of(h), 1);
    assert_raw("1", raw("DBSIZE", NULL));
    pottery_hll_free(h);
}

static void test_wrong_redis_type(void **state)
{
    (void)state;
    pottery_hll *h = open_hll(client, "{w}list"); /* one slot on a cluster */
    pottery_hll *good = open_hll(client, "{w}good");
    assert_ok(pottery_hll_add(good, pottery_str("g")));
    assert_raw("1", raw("RPUSH", "{w}list", "x", NULL));
    pottery_value v = pottery_str("a");
    int in;
    int64_t n;
    char *text = NULL;
    pottery_hll *u = NULL;
    enum { BIG = 25000 };
    pottery_value *values = int_values(BIG, 0, 1);
    assert_wrongtype(pottery_hll_add(h, v));
    assert_wrongtype(pottery_hll_update(h, &v, 1));
    assert_wrongtype(pottery_hll_update(h, values, BIG)); /* MULTI: every PFADD fails */
    assert_wrongtype(pottery_hll_update_from(h, &good, 1));
    assert_wrongtype(pottery_hll_update_from(good, &h, 1));
    assert_wrongtype(pottery_hll_len(&n, h));
    assert_wrongtype(pottery_hll_contains(&in, h, v));
    assert_wrongtype(pottery_hll_repr(&text, h));
    assert_wrongtype(pottery_hll_union_from(&u, h, &good, 1, "{w}u"));
    assert_wrongtype(pottery_hll_union_from(&u, good, &h, 1, NULL));
    assert_null(u);
    free(values);
    /* Nothing changed. */
    assert_raw("x", raw("LRANGE", "{w}list", "0", "-1", NULL));
    assert_int_equal(len_of(good), 1);
    assert_raw("2", raw("DBSIZE", NULL));
    /* A string that is not a HyperLogLog. */
    assert_raw("OK", raw("SET", "str", "plain", NULL));
    pottery_hll *s = open_hll(client, "str");
    assert_code(POTTERY_EREDIS, pottery_hll_add(s, v));
    assert_code(POTTERY_EREDIS, pottery_hll_len(&n, s));
    assert_raw("plain", raw("GET", "str", NULL));
    assert_ok(pottery_hll_clear(h)); /* UNLINK takes any type */
    assert_no_scratch_keys();
    pottery_hll_free(s);
    pottery_hll_free(good);
    pottery_hll_free(h);
}

static void test_dropped_connection(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client *mine = victim_start(&victim, NULL);
    pottery_hll *h = open_hll(mine, "k");
    assert_ok(pottery_hll_add(h, pottery_int(1)));
    test_redis_kill(&victim);
    int in;
    assert_conn_lost(pottery_hll_contains(&in, h, pottery_int(1)));
    assert_int_equal(test_redis_restart(&victim), 0);
    assert_ok(pottery_hll_add(h, pottery_int(2))); /* reconnects by itself */
    pottery_hll_free(h);
    victim_stop(&victim, mine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_readme_walkthrough, fixture_reset),
        cmocka_unit_test_setup(test_elements_are_pottery_json, fixture_reset),
        cmocka_unit_test_setup(test_len_within_two_percent_of_a_million, fixture_reset),
        cmocka_unit_test_setup(test_contains_has_no_false_negatives, fixture_reset),
        cmocka_unit_test_setup(test_contains_answers_each_element_alone, fixture_reset),
        cmocka_unit_test_setup(test_contains_on_an_absent_key, fixture_reset),
        cmocka_unit_test_setup(test_scratch_key_sits_beside_the_hll, fixture_reset),
        cmocka_unit_test_setup(test_failed_probes_leave_no_scratch_key, fixture_reset),
        cmocka_unit_test_setup(test_update_from_and_union_on_one_server, fixture_reset),
        cmocka_unit_test_setup(test_update_both, fixture_reset),
        cmocka_unit_test_setup(test_merges_across_servers_are_refused, fixture_reset),
        cmocka_unit_test_setup(test_open_and_free, fixture_reset),
        cmocka_unit_test_setup(test_round_trip_budgets, fixture_reset),
        cmocka_unit_test_setup(test_null_arguments, fixture_reset),
        cmocka_unit_test_setup(test_unencodable_elements, fixture_reset),
        cmocka_unit_test_setup(test_wrong_redis_type, fixture_reset),
        cmocka_unit_test_setup(test_dropped_connection, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup_two, fixture_teardown);
}
