/* pottery_counter against a private redis-server: behaviour, layout, round trips, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pottery.h"
#include "pottery/counter.h"
#include "support/test_fixture.h"

/* More contributions than one script takes (10,000): the streamed, staged path. */
enum { STAGED = 12000 };

/* ---- helpers ---- */

/* Initial counts of string keys, as a constant table (values need a constructor call). */
typedef struct key_count {
    const char *key;
    int64_t count;
} key_count;

/* Counter({'a': 4, 'b': 2, 'c': 0, 'd': -2}) */
static const key_count abcd_items[] = { { "a", 4 }, { "b", 2 }, { "c", 0 }, { "d", -2 } };

static pottery_counter *open_counter(const char *key)
{
    pottery_counter *c = NULL;
    assert_ok(pottery_counter_open(&c, client, key, NULL));
    return c;
}

/* Open a counter on client c with initial counts (RedisCounter({...}, key=...)). */
static pottery_counter *open_with_on(pottery_client *c, const char *key, const pottery_counter_pair *items, size_t n)
{
    pottery_counter_options opts = POTTERY_COUNTER_OPTIONS_INIT;
    opts.items = items;
    opts.nitems = n;
    pottery_counter *counter = NULL;
    assert_ok(pottery_counter_open(&counter, c, key, &opts));
    return counter;
}

static pottery_counter *open_with(const char *key, const pottery_counter_pair *items, size_t n)
{
    return open_with_on(client, key, items, n);
}

/* open_with_on() from a key_count table of up to 8 entries. */
static pottery_counter *open_counts(pottery_client *c, const char *key, const key_count *counts, size_t n)
{
    pottery_counter_pair items[8];
    assert_true(n <= sizeof items / sizeof items[0]);
    for (size_t i = 0; i < n; i++) items[i] = (pottery_counter_pair){ pottery_str(counts[i].key), counts[i].count };
    return open_with_on(c, key, items, n);
}

/* One key per character of s (RedisCounter('gallahad')). */
static pottery_counter *open_letters(const char *key, const char *s)
{
    char(*one)[2] = calloc(strlen(s) + 1, sizeof *one);
    pottery_value *keys = calloc(strlen(s) + 1, sizeof *keys);
    assert_non_null(one);
    assert_non_null(keys);
    for (size_t i = 0; s[i]; i++) {
        one[i][0] = s[i];
        keys[i] = pottery_str(one[i]);
    }
    pottery_counter_options opts = POTTERY_COUNTER_OPTIONS_INIT;
    opts.keys = keys;
    opts.nkeys = strlen(s);
    pottery_counter *c = NULL;
    assert_ok(pottery_counter_open(&c, client, key, &opts));
    free(keys);
    free(one);
    return c;
}

static int64_t count_of(pottery_counter *c, pottery_value key)
{
    int64_t n = -12345;
    assert_ok(pottery_counter_get(&n, c, key));
    return n;
}

static void assert_equal_json(pottery_counter *c, const char *json)
{
    int eq = -1;
    assert_ok(pottery_counter_equal_json(&eq, c, json));
    if (eq != 1) {
        char *text = NULL;
        pottery_counter_to_json(&text, NULL, c);
        fail_msg("counter is %s, expected %s", text ? text : "?", json);
    }
}

static void assert_repr(pottery_counter *c, const char *expected)
{
    char *text = NULL;
    assert_ok(pottery_counter_repr(&text, c));
    assert_string_equal(text, expected);
    pottery_free(text);
}

/* n pairs "k<i % modulo>" -> count, with their key strings kept in *names. */
static pottery_counter_pair *make_pairs(size_t n, size_t modulo, int64_t count, char (**names)[24])
{
    pottery_counter_pair *items = calloc(n, sizeof *items);
    *names = calloc(n, sizeof **names);
    assert_non_null(items);
    assert_non_null(*names);
    for (size_t i = 0; i < n; i++) {
        snprintf((*names)[i], sizeof(*names)[i], "k%zu", i % modulo);
        items[i] = (pottery_counter_pair){ pottery_str((*names)[i]), count };
    }
    return items;
}

/* ---- the seed README's session ---- */

static void test_readme_session(void **state)
{
    (void)state;
    /* RedisCounter('gallahad') */
    pottery_counter *c = open_letters("my-counter", "gallahad");
    assert_raw("\"g\"\n1\n\"a\"\n3\n\"l\"\n2\n\"h\"\n1\n\"d\"\n1", raw("HGETALL", "my-counter", NULL));
    assert_ok(pottery_counter_clear(c));
    pottery_counter_free(c);

    /* RedisCounter({'red': 4, 'blue': 2}) */
    pottery_counter_pair colours[] = { { pottery_str("red"), 4 }, { pottery_str("blue"), 2 } };
    c = open_with("my-counter", colours, 2);
    assert_raw("\"red\"\n4\n\"blue\"\n2", raw("HGETALL", "my-counter", NULL));
    assert_ok(pottery_counter_clear(c));
    pottery_counter_free(c);

    /* RedisCounter(['eggs', 'ham']); c['bacon'] -> 0; c['sausage'] = 0; del c['sausage'] */
    pottery_value food[] = { pottery_str("eggs"), pottery_str("ham") };
    pottery_counter_options opts = POTTERY_COUNTER_OPTIONS_INIT;
    opts.keys = food;
    opts.nkeys = 2;
    assert_ok(pottery_counter_open(&c, client, "my-counter", &opts));
    assert_int_equal(count_of(c, pottery_str("bacon")), 0);
    assert_ok(pottery_counter_set(c, pottery_str("sausage"), 0));
    assert_raw("0", raw("HGET", "my-counter", "\"sausage\"", NULL));
    assert_ok(pottery_counter_del(c, pottery_str("sausage")));
    assert_raw("0", raw("HEXISTS", "my-counter", "\"sausage\"", NULL));
    assert_ok(pottery_counter_clear(c));
    pottery_counter_free(c);

    /* RedisCounter(a=4, b=2, c=0, d=-2); sorted(c.elements()) */
    c = open_counts(client, "my-counter", abcd_items, 4);
    assert_raw("0", raw("HGET", "my-counter", "\"c\"", NULL));
    assert_raw("-2", raw("HGET", "my-counter", "\"d\"", NULL));
    pottery_counter_iter *it = NULL;
    assert_ok(pottery_counter_elements_new(&it, c));
    char seen[16] = "";
    pottery_value k = POTTERY_VALUE_INIT;
    int rc;
    while ((rc = pottery_counter_iter_next(&k, NULL, it)) == 0) {
        assert_int_equal(pottery_value_type(&k), POTTERY_TYPE_STRING);
        strncat(seen, pottery_value_str(&k, NULL), 1);
    }
    assert_int_equal(rc, POTTERY_EITEROVER);
    assert_string_equal(seen, "aaaabb");
    pottery_counter_iter_free(it);
    assert_ok(pottery_counter_clear(c));
    pottery_counter_free(c);

    /* RedisCounter('abracadabra').most_common(3) */
    c = open_letters("my-counter", "abracadabra");
    pottery_counter_pair *top = NULL;
    size_t ntop = 0;
    assert_ok(pottery_counter_most_common(&top, &ntop, c, 3));
    assert_int_equal(ntop, 3);
    const char *want_keys[] = { "a", "b", "r" };
    const int64_t want_counts[] = { 5, 2, 2 };
    for (size_t i = 0; i < 3; i++) {
        assert_value_str(&top[i].key, want_keys[i]);
        assert_int_equal(top[i].count, want_counts[i]);
    }
    pottery_counter_pairs_free(top, ntop);
    assert_ok(pottery_counter_clear(c));
    pottery_counter_free(c);

    /* c.subtract(Counter(a=1, b=2, c=3, d=4)); c */
    c = open_counts(client, "my-counter", abcd_items, 4);
    pottery_counter_pair d[] = {
        { pottery_str("a"), 1 }, { pottery_str("b"), 2 }, { pottery_str("c"), 3 }, { pottery_str("d"), 4 }
    };
    assert_ok(pottery_counter_subtract(c, d, 4));
    assert_repr(c, "RedisCounter{'a': 3, 'b': 0, 'c': -3, 'd': -6}");
    assert_raw("\"a\"\n3\n\"b\"\n0\n\"c\"\n-3\n\"d\"\n-6", raw("HGETALL", "my-counter", NULL));
    pottery_value_dispose(&k);
    pottery_counter_free(c);
}

/* ---- layout: the bytes pottery writes and reads ---- */

static void test_layout_matches_pottery(void **state)
{
    (void)state;
    pottery_counter *c = open_counter("layout");
    assert_ok(pottery_counter_set(c, pottery_str("caf\xc3\xa9"), -6));
    assert_ok(pottery_counter_incr(NULL, c, pottery_int(7), 3));
    assert_ok(pottery_counter_incr(NULL, c, pottery_json("[1,2]"), 1));
    assert_ok(pottery_counter_set(c, pottery_str("max"), INT64_MAX));
    assert_raw("hash", raw("TYPE", "layout", NULL));
    assert_raw("-6", raw("HGET", "layout", "\"caf\\u00e9\"", NULL));
    assert_raw("3", raw("HGET", "layout", "7", NULL));
    assert_raw("1", raw("HGET", "layout", "[1, 2]", NULL));
    assert_raw("9223372036854775807", raw("HGET", "layout", "\"max\"", NULL));

    /* What Python's pottery wrote is read back (including json.loads-only forms). */
    free(raw("HSET", "layout", "\"sape\"", "4139", NULL));
    free(raw("HSET", "layout", "null", " -2 ", NULL));
    assert_int_equal(count_of(c, pottery_str("sape")), 4139);
    assert_int_equal(count_of(c, pottery_null()), -2);
    assert_int_equal(count_of(c, pottery_json("[1, 2]")), 1);
    pottery_counter_free(c);
}

/* ---- single keys ---- */

static void test_single_key_operations_cost_one_round_trip(void **state)
{
    (void)state;
    pottery_counter *c = open_counter("rtt");
    int64_t n = 0;
    int in = 0;
    assert_round_trips(1, pottery_counter_incr(&n, c, pottery_str("a"), -5));
    assert_round_trips(1, pottery_counter_decr(&n, c, pottery_str("a"), 2));
    assert_round_trips(1, pottery_counter_get(&n, c, pottery_str("a")));
    assert_round_trips(1, pottery_counter_set(c, pottery_str("b"), 1));
    assert_round_trips(1, pottery_counter_contains(&in, c, pottery_str("b")));
    assert_round_trips(1, pottery_counter_len(&n, c));
    assert_round_trips(1, pottery_counter_del(c, pottery_str("b")));
    assert_round_trips(1, pottery_counter_decr(&n, c, pottery_str("a"), INT64_MIN)); /* a script, first use */
    assert_true(n == INT64_MAX - 6);
    assert_round_trips(1, pottery_counter_clear(c));
    pottery_counter_free(c);
}

static void test_missing_key_counts_zero(void **state)
{
    (void)state;
    pottery_counter *c = open_counter("missing");
    assert_int_equal(count_of(c, pottery_str("bacon")), 0);
    assert_raw("0", raw("EXISTS", "missing", NULL)); /* reading never writes */
    assert_ok(pottery_counter_set(c, pottery_str("x"), 1));
    assert_int_equal(count_of(c, pottery_str("bacon")), 0);
    assert_raw("0", raw("HEXISTS", "missing", "\"bacon\"", NULL));
    /* del of an absent key is fine, as Counter's is */
    assert_ok(pottery_counter_del(c, pottery_str("bacon")));
    assert_raw("1", raw("HLEN", "missing", NULL));
    pottery_counter_free(c);
}

static void test_zero_and_negative_counts_are_stored(void **state)
{
    (void)state;
    pottery_counter *c = open_counter("zeros");
    int in = -1;
    int64_t n = -1;
    assert_ok(pottery_counter_set(c, pottery_str("zero"), 0));
    assert_ok(pottery_counter_set(c, pottery_str("neg"), -3));
    assert_ok(pottery_counter_contains(&in, c, pottery_str("zero")));
    assert_int_equal(in, 1);
    assert_ok(pottery_counter_contains(&in, c, pottery_str("other")));
    assert_int_equal(in, 0);
    assert_ok(pottery_counter_len(&n, c));
    assert_int_equal(n, 2);
    assert_raw("-3", raw("HGET", "zeros", "\"neg\"", NULL));
    assert_int_equal(count_of(c, pottery_str("neg")), -3);
    assert_ok(pottery_counter_del(c, pottery_str("zero")));
    assert_ok(pottery_counter_len(&n, c));
    assert_int_equal(n, 1);
    pottery_counter_free(c);
}

static void test_incr_and_decr(void **state)
{
    (void)state;
    pottery_counter *c = open_counter("incr");
    int64_t n = 0;
    assert_ok(pottery_counter_incr(&n, c, pottery_str("a"), 1));
    assert_int_equal(n, 1);
    assert_ok(pottery_counter_incr(&n, c, pottery_str("a"), 41));
    assert_int_equal(n, 42);
    assert_ok(pottery_counter_decr(&n, c, pottery_str("a"), 50));
    assert_int_equal(n, -8);
    assert_raw("-8", raw("HGET", "incr", "\"a\"", NULL));
    assert_ok(pottery_counter_incr(&n, c, pottery_str("zero"), 0));
    assert_int_equal(n, 0);
    assert_raw("0", raw("HGET", "incr", "\"zero\"", NULL));
    assert_ok(pottery_counter_incr(NULL, c, pottery_str("a"), 8));
    assert_int_equal(count_of(c, pottery_str("a")), 0);
    /* decr by INT64_MIN is exact: -1 - INT64_MIN == INT64_MAX */
    assert_ok(pottery_counter_set(c, pottery_str("m"), -1));
    assert_ok(pottery_counter_decr(&n, c, pottery_str("m"), INT64_MIN));
    assert_true(n == INT64_MAX);
    assert_raw("9223372036854775807", raw("HGET", "incr", "\"m\"", NULL));
    pottery_counter_free(c);
}

/* ---- int64 overflow: ERANGE, nothing written ---- */

static void test_overflow_is_range_error_and_writes_nothing(void **state)
{
    (void)state;
    pottery_counter *c = open_counter("ovf");
    int64_t n = 7;
    assert_ok(pottery_counter_set(c, pottery_str("big"), INT64_MAX));
    assert_ok(pottery_counter_set(c, pottery_str("small"), INT64_MIN));
    assert_code(POTTERY_ERANGE, pottery_counter_incr(&n, c, pottery_str("big"), 1));
    assert_int_equal(n, 7);
    assert_message_contains("OverflowError");
    assert_message_contains("'big'");
    assert_message_contains("overflow");
    assert_raw("9223372036854775807", raw("HGET", "ovf", "\"big\"", NULL));
    assert_code(POTTERY_ERANGE, pottery_counter_decr(&n, c, pottery_str("small"), 1));
    assert_raw("-9223372036854775808", raw("HGET", "ovf", "\"small\"", NULL));
    /* 0 - INT64_MIN does not fit: nothing is created */
    assert_code(POTTERY_ERANGE, pottery_counter_decr(&n, c, pottery_str("fresh"), INT64_MIN));
    assert_raw("0", raw("HEXISTS", "ovf", "\"fresh\"", NULL));

    /* A bulk update is all or nothing. */
    pottery_counter_pair two[] = { { pottery_str("x"), 1 }, { pottery_str("big"), 1 } };
    assert_code(POTTERY_ERANGE, pottery_counter_update(c, two, 2));
    assert_message_contains("'big'");
    assert_raw("0", raw("HEXISTS", "ovf", "\"x\"", NULL));
    assert_raw("9223372036854775807", raw("HGET", "ovf", "\"big\"", NULL));

    /* Only the final count must fit, as with Python's ints. */
    pottery_counter_pair detour[] = { { pottery_str("d"), INT64_MAX },
                                      { pottery_str("d"), INT64_MAX },
                                      { pottery_str("d"), -INT64_MAX } };
    assert_ok(pottery_counter_update(c, detour, 3));
    assert_raw("9223372036854775807", raw("HGET", "ovf", "\"d\"", NULL));
    pottery_counter_pair minimum[] = { { pottery_str("m"), INT64_MIN } };
    assert_ok(pottery_counter_set(c, pottery_str("m"), -1));
    assert_ok(pottery_counter_subtract(c, minimum, 1));
    assert_raw("9223372036854775807", raw("HGET", "ovf", "\"m\"", NULL));

    /* The staged path: the last contribution overflows, nothing is written and no
     * staging key is left behind. */
    enum { N = STAGED };
    char(*names)[24] = NULL;
    pottery_counter_pair *items = make_pairs(N, N, 1, &names);
    items[N - 1].key = pottery_str("big");
    assert_code(POTTERY_ERANGE, pottery_counter_update(c, items, N));
    assert_raw("4", raw("HLEN", "ovf", NULL));
    assert_raw("1", raw("DBSIZE", NULL));
    assert_raw("9223372036854775807", raw("HGET", "ovf", "\"big\"", NULL));

    /* total() that does not fit */
    assert_ok(pottery_counter_del(c, pottery_str("small")));
    assert_code(POTTERY_ERANGE, pottery_counter_total(&n, c));
    free(items);
    free(names);
    pottery_counter_free(c);
}

/* Small counts are added in doubles on the server, larger ones exactly: results across
 * the line between the two, and stored text that a lenient number parser would take. */
static void test_update_exact_on_both_sides_of_the_fast_path(void **state)
{
    (void)state;
    pottery_counter *c = open_counter("edge");
    free(raw("HSET", "edge", "\"a\"", "999999999999999", "\"b\"", "-99999999999999", "\"c\"", "1000000000000000",
             "\"d\"", "9007199254740993", "\"z\"", "1", NULL));
    pottery_counter_pair step[] = {
        { pottery_str("a"), 1 }, { pottery_str("b"), -1 }, { pottery_str("c"), 1 }, { pottery_str("d"), 0 }
    };
    assert_ok(pottery_counter_update(c, step, 2)); /* stored counts of 15 characters */
    assert_ok(pottery_counter_update(c, step + 2, 2));
    assert_raw("1000000000000000\n-100000000000000\n1000000000000001\n9007199254740993",
               raw("HMGET", "edge", "\"a\"", "\"b\"", "\"c\"", "\"d\"", NULL));
    /* counts near 2^52 and 2^53 on a small stored count, repeated keys summed */
    pottery_counter_pair big[] = { { pottery_str("z"), 4503599627370495 },
                                   { pottery_str("y"), 9007199254740993 },
                                   { pottery_str("z"), 4503599627370495 } };
    assert_ok(pottery_counter_update(c, big, 3));
    assert_raw("9007199254740991\n9007199254740993", raw("HMGET", "edge", "\"z\"", "\"y\"", NULL));
    /* one count for every key, small (added in doubles) and large (exactly), subtracted too */
    pottery_value ks[] = { pottery_str("s1"), pottery_str("s2") };
    assert_ok(pottery_counter_subtract_keys(c, ks, 2));
    assert_ok(pottery_counter_subtract_keys(c, ks, 1));
    assert_raw("-2\n-1", raw("HMGET", "edge", "\"s1\"", "\"s2\"", NULL));
    pottery_counter_pair most[] = { { pottery_str("m1"), INT64_MAX }, { pottery_str("m2"), INT64_MAX } };
    assert_ok(pottery_counter_update(c, most, 2));
    assert_raw("9223372036854775807\n9223372036854775807", raw("HMGET", "edge", "\"m1\"", "\"m2\"", NULL));
    /* zero results are "0", never "-0" */
    pottery_counter_pair zero[] = { { pottery_str("n"), 0 }, { pottery_str("o"), 5 }, { pottery_str("o"), -5 } };
    assert_ok(pottery_counter_subtract(c, zero, 3));
    assert_raw("0\n0", raw("HMGET", "edge", "\"n\"", "\"o\"", NULL));
    /* text that is no count for Redis is refused, whatever strtod would make of it */
    static const char *const odd[] = { " 1", "1 ", "+1", "01", "-0", "0x10", "1e3", "1.0", "nan", "inf", "" };
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        free(raw("HSET", "edge", "\"odd\"", odd[i], NULL));
        pottery_counter_pair two[] = { { pottery_str("fresh"), 1 }, { pottery_str("odd"), 1 } };
        assert_code(POTTERY_EDECODE, pottery_counter_update(c, two, 2));
        assert_raw("0", raw("HEXISTS", "edge", "\"fresh\"", NULL));
        assert_raw(odd[i], raw("HGET", "edge", "\"odd\"", NULL));
    }
    pottery_counter_free(c);
}

/* ---- foreign data: decode errors, data intact ---- */

static void test_foreign_counts(void **state)
{
    (void)state;
    free(raw("HSET", "foreign", "\"abc\"", "abc", NULL));
    free(raw("HSET", "foreign", "\"half\"", "1.5", NULL));
    free(raw("HSET", "foreign", "\"ok\"", "2", NULL));
    free(raw("HSET", "foreign", "\"huge\"", "99999999999999999999", NULL));
    pottery_counter *c = open_counter("foreign");
    int64_t n = 7;
    assert_code(POTTERY_EDECODE, pottery_counter_get(&n, c, pottery_str("abc")));
    assert_message_contains("'abc'");
    assert_message_contains("not an integer");
    assert_code(POTTERY_EDECODE, pottery_counter_get(&n, c, pottery_str("half")));
    assert_message_contains("1.5");
    assert_code(POTTERY_ERANGE, pottery_counter_get(&n, c, pottery_str("huge")));
    assert_int_equal(n, 7);
    assert_int_equal(count_of(c, pottery_str("ok")), 2);

    /* HINCRBY refuses: Redis' own error */
    assert_code(POTTERY_EREDIS, pottery_counter_incr(&n, c, pottery_str("abc"), 1));
    assert_message_contains("hash value is not an integer");
    assert_code(POTTERY_EREDIS, pottery_counter_incr(&n, c, pottery_str("half"), 1));
    assert_message_contains("hash value is not an integer");
    assert_int_equal(n, 7);

    /* Bulk updates decode first: nothing written */
    pottery_counter_pair two[] = { { pottery_str("ok"), 1 }, { pottery_str("abc"), 1 } };
    assert_code(POTTERY_EDECODE, pottery_counter_update(c, two, 2));
    assert_message_contains("'abc'");
    pottery_value *some = calloc(STAGED, sizeof *some);
    assert_non_null(some);
    for (int i = 0; i < STAGED; i++) some[i] = pottery_str("ok");
    some[STAGED - 1] = pottery_str("half");
    assert_code(POTTERY_EDECODE, pottery_counter_update_keys(c, some, STAGED));
    free(some);
    assert_message_contains("1.5");
    assert_raw("1", raw("DBSIZE", NULL));

    pottery_counter_pair *top = NULL;
    size_t ntop = 0;
    char *text = NULL;
    assert_code(POTTERY_EDECODE, pottery_counter_most_common(&top, &ntop, c, -1));
    assert_code(POTTERY_EDECODE, pottery_counter_repr(&text, c));
    assert_code(POTTERY_EDECODE, pottery_counter_total(&n, c));
    assert_code(POTTERY_EDECODE, pottery_counter_pos(&text, NULL, c));
    assert_code(POTTERY_EDECODE, pottery_counter_inplace_json(c, POTTERY_COUNTER_ADD, "{\"x\": 1}"));
    pottery_counter *dst = open_counter("dst");
    assert_code(POTTERY_EDECODE, pottery_counter_update_from(dst, c));
    assert_raw("0", raw("EXISTS", "dst", NULL));
    assert_null(text);

    /* Iteration reports each bad entry and carries on. */
    pottery_counter_iter *it = NULL;
    assert_ok(pottery_counter_iter_new(&it, c));
    int ok = 0, bad = 0, rc;
    while ((rc = pottery_counter_iter_next(NULL, &n, it)) != POTTERY_EITEROVER) {
        if (rc == 0)
            ok++;
        else if (rc == POTTERY_EDECODE || rc == POTTERY_ERANGE)
            bad++;
        else
            fail_msg("unexpected %d", rc);
    }
    assert_int_equal(ok, 1);
    assert_int_equal(bad, 3);
    pottery_counter_iter_free(it);

    /* A field that is not JSON */
    free(raw("HSET", "foreign", "plain", "1", NULL));
    assert_code(POTTERY_EDECODE, pottery_counter_to_json(&text, NULL, c));

    assert_raw("5", raw("HLEN", "foreign", NULL));
    assert_raw("abc", raw("HGET", "foreign", "\"abc\"", NULL));
    assert_raw("1.5", raw("HGET", "foreign", "\"half\"", NULL));
    assert_raw("2", raw("HGET", "foreign", "\"ok\"", NULL));
    pottery_counter_free(dst);
    pottery_counter_free(c);
}

/* Counts that are JSON but not integers (or not JSON at all, or huge) fail every whole-hash
 * read as they fail get(): to_json, equality (same server and across servers), equal_json. */
static void test_snapshots_validate_counts(void **state)
{
    (void)state;
    enum { BIG = 4 * 1024 * 1024 };
    char *big = malloc(BIG + 3);
    assert_non_null(big);
    big[0] = '"';
    memset(big + 1, 'x', BIG);
    big[BIG + 1] = '"';
    big[BIG + 2] = '\0';
    const char *const foreign[] = { "1.5", "\"x\"", big, "[1, 2]" };
    pottery_counter_pair ok_items[] = { { pottery_str("ok"), 2 } };
    pottery_counter *good = open_with("good", ok_items, 1);
    pottery_counter *far = open_with_on(far_client, "good", ok_items, 1);
    for (size_t i = 0; i < sizeof foreign / sizeof *foreign; i++) {
        free(raw("HSET", "bad", "\"ok\"", "2", "\"a\"", foreign[i], NULL));
        pottery_counter *c = open_counter("bad");
        char *text = NULL;
        int eq = -1;
        int64_t n = 7;
        assert_code(POTTERY_EDECODE, pottery_counter_to_json(&text, NULL, c));
        assert_message_contains("'a'");
        assert_message_contains("not an integer");
        assert_null(text);
        assert_code(POTTERY_EDECODE, pottery_counter_equal_from(&eq, c, good));
        assert_code(POTTERY_EDECODE, pottery_counter_equal_from(&eq, good, c));
        assert_code(POTTERY_EDECODE, pottery_counter_equal_from(&eq, far, c));
        assert_code(POTTERY_EDECODE, pottery_counter_equal_json(&eq, c, "{\"ok\": 2, \"a\": 1}"));
        assert_int_equal(eq, -1);
        /* as before */
        pottery_counter_pair *top = NULL;
        size_t ntop = 0;
        assert_code(POTTERY_EDECODE, pottery_counter_get(&n, c, pottery_str("a")));
        assert_code(POTTERY_EDECODE, pottery_counter_total(&n, c));
        assert_code(POTTERY_EDECODE, pottery_counter_repr(&text, c));
        assert_code(POTTERY_EDECODE, pottery_counter_most_common(&top, &ntop, c, -1));
        assert_code(POTTERY_EDECODE, pottery_counter_binary(&text, NULL, good, POTTERY_COUNTER_ADD, c));
        assert_code(POTTERY_EDECODE, pottery_counter_neg(&text, NULL, c));
        assert_code(POTTERY_EDECODE, pottery_counter_update_from(good, c));
        assert_int_equal(n, 7);
        assert_null(text);
        assert_null(top);
        /* the data is left as it was */
        char *stored = raw("HGET", "bad", "\"a\"", NULL);
        assert_non_null(stored);
        assert_true(strcmp(stored, foreign[i]) == 0);
        free(stored);
        assert_raw("2", raw("HGET", "good", "\"ok\"", NULL));
        pottery_counter_free(c);
        free(raw("DEL", "bad", NULL));
    }
    /* Integers written in any way Python reads as an int are counts. */
    free(raw("HSET", "bad", "\"ok\"", " 2 ", NULL));
    pottery_counter *c = open_counter("bad");
    int eq = -1;
    assert_ok(pottery_counter_equal_from(&eq, c, good));
    assert_int_equal(eq, 1);
    pottery_counter_free(c);
    pottery_counter_free(far);
    pottery_counter_free(good);
    free(big);
}

/* ---- update / subtract ---- */

static void test_update_has_counter_semantics(void **state)
{
    (void)state;
    /* pottery counts a stored value twice here (3 and 4); Counter gives 2 and 3. */
    pottery_counter_pair one[] = { { pottery_str("a"), 1 } };
    pottery_counter *c = open_with("sem", one, 1);
    pottery_value a = pottery_str("a");
    assert_ok(pottery_counter_update_keys(c, &a, 1));
    assert_raw("2", raw("HGET", "sem", "\"a\"", NULL));
    pottery_counter_pair two[] = { { pottery_str("a"), 2 } };
    assert_ok(pottery_counter_set(c, pottery_str("a"), 1));
    assert_ok(pottery_counter_update(c, two, 1));
    assert_raw("3", raw("HGET", "sem", "\"a\"", NULL));
    pottery_counter_free(c);

    /* {foo: 1, bar: 1}.update({bar: 1, baz: 3}) */
    pottery_counter_pair start[] = { { pottery_str("foo"), 1 }, { pottery_str("bar"), 1 } };
    c = open_with("upd", start, 2);
    pottery_counter_pair more[] = { { pottery_str("bar"), 1 }, { pottery_str("baz"), 3 } };
    assert_round_trips(1, pottery_counter_update(c, more, 2));
    assert_raw("\"foo\"\n1\n\"bar\"\n2\n\"baz\"\n3", raw("HGETALL", "upd", NULL));

    /* subtract keeps zero and negative results; repeated keys add up */
    pottery_value foo2[] = { pottery_str("foo"), pottery_str("foo"), pottery_str("bar") };
    assert_ok(pottery_counter_subtract_keys(c, foo2, 3));
    assert_equal_json(c, "{\"foo\": -1, \"bar\": 1, \"baz\": 3}");
    pottery_counter_pair twice[] = { { pottery_str("baz"), 2 }, { pottery_str("baz"), 1 }, { pottery_str("q"), 0 } };
    assert_ok(pottery_counter_subtract(c, twice, 3));
    assert_raw("0", raw("HGET", "upd", "\"baz\"", NULL));
    assert_raw("0", raw("HGET", "upd", "\"q\"", NULL)); /* Counter.subtract({'q': 0}) stores q: 0 */
    assert_ok(pottery_counter_update(c, twice + 2, 1));
    assert_raw("0", raw("HGET", "upd", "\"q\"", NULL));

    /* Nothing to do: nothing sent. */
    pottery_client_stats b = stats();
    assert_ok(pottery_counter_update(c, NULL, 0));
    assert_ok(pottery_counter_subtract(c, NULL, 0));
    assert_ok(pottery_counter_update_keys(c, NULL, 0));
    assert_ok(pottery_counter_subtract_keys(c, NULL, 0));
    assert_int_equal(stats().commands, b.commands);
    pottery_counter_free(c);
}

static void test_bulk_updates_are_one_round_trip(void **state)
{
    (void)state;
    enum { N = 10000 };
    pottery_counter *c = open_counter("bulk");
    char(*names)[24] = NULL;
    pottery_counter_pair *items = make_pairs(N, N, 3, &names);
    pottery_value *keys = calloc(N, sizeof *keys);
    assert_non_null(keys);
    for (size_t i = 0; i < N; i++) keys[i] = items[i].key;

    /* one script, one command */
    pottery_client_stats b = stats();
    assert_ok(pottery_counter_update(c, items, N));
    assert_int_equal(stats().round_trips - b.round_trips, 1);
    assert_int_equal(stats().commands - b.commands, 1);
    assert_raw("10000", raw("HLEN", "bulk", NULL));
    assert_raw("3", raw("HGET", "bulk", "\"k9999\"", NULL));

    assert_round_trips(1, pottery_counter_update(c, items, N));
    assert_raw("6", raw("HGET", "bulk", "\"k0\"", NULL));

    assert_round_trips(1, pottery_counter_update_keys(c, keys, N));
    assert_raw("7", raw("HGET", "bulk", "\"k5000\"", NULL));

    assert_round_trips(1, pottery_counter_subtract(c, items, N));
    assert_round_trips(1, pottery_counter_subtract_keys(c, keys, N));
    assert_raw("3", raw("HGET", "bulk", "\"k1234\"", NULL));
    free(items);
    free(names);

    /* Repeated keys across chunks add up: 25,000 contributions to 3,000 keys, streamed
     * in chunks (MULTI, 3 chunks of <= 10,000, the commit, EXEC). */
    items = make_pairs(25000, 3000, 1, &names);
    b = stats();
    assert_ok(pottery_counter_update(c, items, 25000));
    assert_int_equal(stats().round_trips - b.round_trips, 1);
    assert_int_equal(stats().commands - b.commands, 6);
    assert_raw("12", raw("HGET", "bulk", "\"k999\"", NULL));  /* 3 + 9 */
    assert_raw("11", raw("HGET", "bulk", "\"k1000\"", NULL)); /* 3 + 8 */
    assert_raw("3", raw("HGET", "bulk", "\"k3000\"", NULL));
    assert_raw("1", raw("DBSIZE", NULL)); /* no staging key left */
    int64_t total = 0;
    assert_ok(pottery_counter_total(&total, c));
    assert_int_equal(total, 3 * N + 25000);

    free(items);
    free(names);
    free(keys);
    pottery_counter_free(c);
}

static void test_unencodable_key_writes_nothing(void **state)
{
    (void)state;
    enum { N = STAGED };
    pottery_counter *c = open_counter("badbulk");
    char(*names)[24] = NULL;
    pottery_counter_pair *items = make_pairs(N, N, 1, &names);
    pottery_value bad = pottery_strn("\xff\xfe", 2);

    /* small path: nothing sent at all */
    items[2].key = bad;
    pottery_client_stats b = stats();
    assert_code(POTTERY_ETYPE, pottery_counter_update(c, items, 3));
    assert_code(POTTERY_ETYPE, pottery_counter_subtract_keys(c, &bad, 1));
    assert_int_equal(stats().commands, b.commands);
    /* staged path, bad key in the first chunk: nothing sent */
    assert_code(POTTERY_ETYPE, pottery_counter_update(c, items, N));
    assert_int_equal(stats().commands, b.commands);
    items[2].key = pottery_str("k2");
    /* staged path, bad key in the last chunk: the transaction is discarded */
    items[N - 1].key = bad;
    assert_code(POTTERY_ETYPE, pottery_counter_update(c, items, N));
    assert_raw("0", raw("DBSIZE", NULL));
    /* the client is still usable */
    assert_ok(pottery_counter_update(c, items, 10));
    assert_raw("10", raw("HLEN", "badbulk", NULL));
    free(items);
    free(names);
    pottery_counter_free(c);
}

static void test_update_from_other_counters(void **state)
{
    (void)state;
    pottery_counter_pair ac[] = { { pottery_str("a"), 3 }, { pottery_str("c"), -1 } };
    pottery_counter_pair ab[] = { { pottery_str("a"), 1 }, { pottery_str("b"), 2 } };
    pottery_counter *x = open_with("{u}x", ac, 2), *y = open_with("{u}y", ab, 2); /* one slot on a cluster */
    assert_round_trips(1, pottery_counter_update_from(x, y));
    assert_raw("\"a\"\n4\n\"c\"\n-1\n\"b\"\n2", raw("HGETALL", "{u}x", NULL));
    assert_round_trips(1, pottery_counter_subtract_from(x, y));
    assert_equal_json(x, "{\"a\": 3, \"b\": 0, \"c\": -1}");
    assert_equal_json(y, "{\"a\": 1, \"b\": 2}");
    /* With itself: doubled, then all zero (Python does the same). */
    assert_ok(pottery_counter_update_from(x, x));
    assert_equal_json(x, "{\"a\": 6, \"b\": 0, \"c\": -2}");
    assert_ok(pottery_counter_subtract_from(x, x));
    assert_equal_json(x, "{\"a\": 0, \"b\": 0, \"c\": 0}");
    /* From an empty counter: nothing changes. */
    pottery_counter *none = open_counter("none");
    assert_ok(pottery_counter_update_from(x, none));
    assert_raw("3", raw("HLEN", "{u}x", NULL));

    /* From a counter on another server: read, then one atomic write. */
    enum { N = 2500 };
    char(*names)[24] = NULL;
    pottery_counter_pair *items = make_pairs(N, N, 2, &names);
    items[0].key = pottery_str("a");
    pottery_counter *far = open_with_on(far_client, "far", items, N);
    assert_ok(pottery_counter_update_from(x, far));
    assert_raw("2502", raw("HLEN", "{u}x", NULL));
    assert_raw("2", raw("HGET", "{u}x", "\"a\"", NULL));
    assert_raw("2", raw("HGET", "{u}x", "\"k2499\"", NULL));
    assert_ok(pottery_counter_subtract_from(x, far));
    assert_raw("0", raw("HGET", "{u}x", "\"k2499\"", NULL));
    assert_raw("1", raw("EXISTS", "{u}x", NULL));
    assert_raw("2", raw("DBSIZE", NULL)); /* x, y, and nothing left behind */
    free(items);
    free(names);
    pottery_counter_free(far);
    pottery_counter_free(none);
    pottery_counter_free(x);
    pottery_counter_free(y);
}

/* ---- open with initial counts ---- */

static void test_open_with_initial_counts(void **state)
{
    (void)state;
    /* keys and pairs together add up */
    pottery_value keys[] = { pottery_str("a"), pottery_str("b"), pottery_str("a") };
    pottery_counter_pair items[] = { { pottery_str("a"), 10 }, { pottery_str("z"), 0 } };
    pottery_counter_options opts = POTTERY_COUNTER_OPTIONS_INIT;
    opts.keys = keys;
    opts.nkeys = 3;
    opts.items = items;
    opts.nitems = 2;
    pottery_counter *c = NULL;
    assert_round_trips(1, pottery_counter_open(&c, client, "init", &opts));
    assert_raw("\"a\"\n12\n\"b\"\n1\n\"z\"\n0", raw("HGETALL", "init", NULL));
    pottery_counter_free(c);
    assert_raw("1", raw("EXISTS", "init", NULL)); /* user keys survive free */

    /* existing key: EEXISTS, nothing written, *out NULL */
    c = (pottery_counter *)&opts;
    assert_code(POTTERY_EEXISTS, pottery_counter_open(&c, client, "init", &opts));
    assert_null(c);
    assert_message_contains("KeyExistsError");
    assert_message_contains("init");
    assert_raw("\"a\"\n12\n\"b\"\n1\n\"z\"\n0", raw("HGETALL", "init", NULL));
    free(raw("SET", "str", "x", NULL));
    assert_code(POTTERY_EEXISTS, pottery_counter_open(&c, client, "str", &opts));
    assert_raw("x", raw("GET", "str", NULL));

    /* large initial data: still one round trip, and all or nothing */
    enum { N = STAGED };
    char(*names)[24] = NULL;
    pottery_counter_pair *many = make_pairs(N, N, 1, &names);
    pottery_counter_options_init(&opts);
    opts.items = many;
    opts.nitems = N;
    assert_round_trips(1, pottery_counter_open(&c, client, "big", &opts));
    assert_raw("12000", raw("HLEN", "big", NULL));
    pottery_counter_free(c);
    many[0].count = 5;
    assert_code(POTTERY_EEXISTS, pottery_counter_open(&c, client, "big", &opts));
    assert_raw("1", raw("HGET", "big", "\"k0\"", NULL));
    assert_raw("3", raw("DBSIZE", NULL));
    free(many);
    free(names);

    /* without initial counts: attaching costs nothing */
    uint64_t before = round_trips();
    assert_ok(pottery_counter_open(&c, client, "init", NULL));
    pottery_counter_options_init(&opts);
    pottery_counter *d = NULL;
    assert_ok(pottery_counter_open(&d, client, "init", &opts));
    assert_int_equal(round_trips(), before);
    pottery_counter_free(c);
    pottery_counter_free(d);
}

static void test_random_key_is_temporary(void **state)
{
    (void)state;
    pottery_counter_pair items[] = { { pottery_str("a"), 1 } };
    pottery_counter *c = open_with(NULL, items, 1);
    const char *key = pottery_counter_key(c);
    assert_random_key(key);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", key);
    assert_raw("1", raw("EXISTS", saved, NULL));
    pottery_counter_free(c);
    assert_raw("0", raw("EXISTS", saved, NULL));
    free(raw("HSET", "pottery:mine", "\"a\"", "1", NULL));
    c = open_counter("pottery:mine");
    pottery_counter_free(c);
    assert_raw("0", raw("EXISTS", "pottery:mine", NULL));
    pottery_counter_free(NULL);
}

/* ---- options versions, key and client ---- */

static void test_options_version_and_accessors(void **state)
{
    (void)state;
    pottery_counter_options opts;
    memset(&opts, 0xff, sizeof opts);
    pottery_counter_options_init(&opts);
    assert_int_equal(opts.version, POTTERY_COUNTER_OPTIONS_VERSION);
    assert_null(opts.items);
    assert_int_equal(opts.nitems, 0);
    assert_null(opts.keys);
    assert_int_equal(opts.nkeys, 0);
    pottery_value keys[] = { pottery_str("a") };
    opts.keys = keys;
    opts.nkeys = 1;
    assert_options_version_checked(pottery_counter, pottery_counter_open, "versioned", &opts,
                                   POTTERY_COUNTER_OPTIONS_VERSION);
    /* the macro and the function agree */
    pottery_counter_options by_macro = POTTERY_COUNTER_OPTIONS_INIT;
    assert_int_equal(by_macro.version, POTTERY_COUNTER_OPTIONS_VERSION);
    opts.version = by_macro.version;
    pottery_counter *c = NULL;
    assert_round_trips(1, pottery_counter_open(&c, client, "versioned", &opts));
    assert_string_equal(pottery_counter_key(c), "versioned");
    assert_ptr_equal(pottery_counter_client(c), client);
    pottery_counter_free(c);
}

/* ---- most_common, elements, items, total ---- */

static void test_most_common(void **state)
{
    (void)state;
    /* ties keep Redis (insertion) order: b before r, c before d */
    pottery_counter *c = open_letters("mc", "abracadabra");
    pottery_counter_pair *top = NULL;
    size_t n = 99;
    assert_round_trips(1, pottery_counter_most_common(&top, &n, c, POTTERY_COUNTER_ALL));
    assert_int_equal(n, 5);
    const char *order = "abrcd";
    const int64_t counts[] = { 5, 2, 2, 1, 1 };
    for (size_t i = 0; i < n; i++) {
        const char one[2] = { order[i], '\0' };
        assert_value_str(&top[i].key, one);
        assert_int_equal(top[i].count, counts[i]);
    }
    pottery_counter_pairs_free(top, n);
    assert_ok(pottery_counter_most_common(&top, &n, c, 100));
    assert_int_equal(n, 5);
    pottery_counter_pairs_free(top, n);
    assert_ok(pottery_counter_most_common(&top, &n, c, 0));
    assert_int_equal(n, 0);
    assert_null(top);
    assert_ok(pottery_counter_most_common(&top, &n, c, -7));
    assert_int_equal(n, 5);
    pottery_counter_pairs_free(top, n);

    /* negative counts sort last; keys of any JSON type */
    assert_ok(pottery_counter_set(c, pottery_int(42), -1));
    assert_ok(pottery_counter_set(c, pottery_null(), 9));
    assert_ok(pottery_counter_most_common(&top, &n, c, 2));
    assert_int_equal(n, 2);
    assert_value_null(&top[0].key);
    assert_int_equal(top[0].count, 9);
    assert_value_str(&top[1].key, "a");
    pottery_counter_pairs_free(top, n);
    assert_ok(pottery_counter_most_common(&top, &n, c, -1));
    assert_value_int(&top[6].key, 42);
    pottery_counter_pairs_free(top, n);
    pottery_counter_pairs_free(NULL, 3);
    assert_repr(c, "RedisCounter{None: 9, 'a': 5, 'b': 2, 'r': 2, 'c': 1, 'd': 1, 42: -1}");
    pottery_counter_free(c);

    c = open_counter("empty");
    assert_ok(pottery_counter_most_common(&top, &n, c, -1));
    assert_int_equal(n, 0);
    assert_repr(c, "RedisCounter{}");
    pottery_counter_free(c);
}

static void test_elements_and_items(void **state)
{
    (void)state;
    pottery_counter *c = open_counts(client, "el", abcd_items, 4);
    pottery_counter_iter *it = NULL;
    pottery_value k = POTTERY_VALUE_INIT;
    int64_t n = 0;
    int rc, steps = 0;
    /* items(): every key, zero and negative counts included */
    assert_ok(pottery_counter_iter_new(&it, c));
    int64_t sum = 0;
    while ((rc = pottery_counter_iter_next(&k, &n, it)) == 0) {
        steps++;
        sum += n;
        assert_int_equal(pottery_value_type(&k), POTTERY_TYPE_STRING);
        if (strcmp(pottery_value_str(&k, NULL), "d") == 0) assert_int_equal(n, -2);
    }
    assert_int_equal(rc, POTTERY_EITEROVER);
    assert_int_equal(steps, 4);
    assert_int_equal(sum, 4);
    assert_code(POTTERY_EITEROVER, pottery_counter_iter_next(&k, &n, it));
    pottery_counter_iter_free(it);

    /* elements(): the key count_out times; the count comes along */
    assert_ok(pottery_counter_elements_new(&it, c));
    steps = 0;
    while ((rc = pottery_counter_iter_next(&k, &n, it)) == 0) {
        steps++;
        assert_int_equal(pottery_value_type(&k), POTTERY_TYPE_STRING);
        assert_int_equal(n, pottery_value_str(&k, NULL)[0] == 'a' ? 4 : 2);
    }
    assert_int_equal(steps, 6);
    pottery_counter_iter_free(it);

    /* lazily: a large count costs no memory */
    assert_ok(pottery_counter_set(c, pottery_str("many"), 100000));
    assert_ok(pottery_counter_elements_new(&it, c));
    steps = 0;
    while (pottery_counter_iter_next(NULL, NULL, it) == 0) steps++;
    assert_int_equal(steps, 100006);
    pottery_counter_iter_free(it);
    pottery_counter_iter_free(NULL);

    /* a big hash: HSCAN batches */
    enum { N = 3000 };
    char(*names)[24] = NULL;
    pottery_counter_pair *items = make_pairs(N, N, 1, &names);
    pottery_counter *big = open_with("bigel", items, N);
    assert_ok(pottery_counter_elements_new(&it, big));
    uint64_t before = round_trips();
    steps = 0;
    while (pottery_counter_iter_next(&k, NULL, it) == 0) steps++;
    assert_int_equal(steps, N);
    assert_in_range(round_trips() - before, 2, 10); /* batches of about 1,000 fields */
    pottery_counter_iter_free(it);
    free(items);
    free(names);
    pottery_counter_free(big);

    /* an absent key iterates as empty */
    pottery_counter *none = open_counter("nothing-here");
    assert_ok(pottery_counter_elements_new(&it, none));
    assert_code(POTTERY_EITEROVER, pottery_counter_iter_next(&k, NULL, it));
    pottery_counter_iter_free(it);
    pottery_counter_free(none);
    pottery_value_dispose(&k);
    pottery_counter_free(c);
}

static void test_total(void **state)
{
    (void)state;
    pottery_counter *c = open_counts(client, "tot", abcd_items, 4);
    int64_t n = 0;
    assert_round_trips(1, pottery_counter_total(&n, c));
    assert_int_equal(n, 4);
    assert_ok(pottery_counter_clear(c));
    assert_ok(pottery_counter_total(&n, c));
    assert_int_equal(n, 0);
    /* Only the sum must fit, not every partial sum (HVALS order: max, one, min). */
    assert_ok(pottery_counter_set(c, pottery_str("max"), INT64_MAX));
    assert_ok(pottery_counter_set(c, pottery_str("one"), 1));
    assert_ok(pottery_counter_set(c, pottery_str("min"), INT64_MIN));
    assert_ok(pottery_counter_total(&n, c));
    assert_int_equal(n, 0);
    assert_ok(pottery_counter_set(c, pottery_str("min"), 0));
    assert_code(POTTERY_ERANGE, pottery_counter_total(&n, c));
    pottery_counter_free(c);
}

/* ---- snapshots: to_json, repr, equality ---- */

static void test_to_json_and_repr(void **state)
{
    (void)state;
    pottery_counter_pair items[] = {
        { pottery_str("z"), 1 }, { pottery_str("a"), -6 }, { pottery_str("m"), 3 }, { pottery_str("b"), 3 }
    };
    pottery_counter *c = open_with("js", items, 4);
    char *text = NULL;
    size_t len = 0;
    assert_ok(pottery_counter_to_json(&text, &len, c));
    assert_string_equal(text, "{\"a\": -6, \"b\": 3, \"m\": 3, \"z\": 1}");
    assert_int_equal(len, strlen(text));
    pottery_free(text);
    uint64_t before = round_trips();
    assert_repr(c, "RedisCounter{'m': 3, 'b': 3, 'z': 1, 'a': -6}");
    assert_int_equal(round_trips() - before, 1);
    pottery_counter_free(c);
}

static void test_equality(void **state)
{
    (void)state;
    pottery_counter_pair a1b0[] = { { pottery_str("a"), 1 }, { pottery_str("b"), 0 } };
    /* one slot on a cluster */
    pottery_counter *x = open_with("{eq}x", a1b0, 2), *y = open_with("{eq}y", a1b0, 1), *x2 = open_counter("{eq}x");
    int eq = -1;
    /* a stored 0 differs from an absent key (dict equality) */
    assert_ok(pottery_counter_equal_from(&eq, x, y));
    assert_int_equal(eq, 0);
    assert_ok(pottery_counter_equal_json(&eq, x, "{\"a\": 1}"));
    assert_int_equal(eq, 0);
    assert_ok(pottery_counter_equal_json(&eq, x, "{\"b\": 0, \"a\": 1}"));
    assert_int_equal(eq, 1);
    assert_ok(pottery_counter_set(y, pottery_str("b"), 0));
    assert_round_trips(1, pottery_counter_equal_from(&eq, x, y));
    assert_int_equal(eq, 1);
    assert_ok(pottery_counter_incr(NULL, y, pottery_str("b"), 1));
    assert_ok(pottery_counter_equal_from(&eq, x, y));
    assert_int_equal(eq, 0);
    /* the same key on the same server: equal without reading */
    uint64_t before = round_trips();
    assert_ok(pottery_counter_equal_from(&eq, x, x2));
    assert_int_equal(eq, 1);
    assert_int_equal(round_trips(), before);
    /* another server */
    pottery_counter *far = open_with_on(far_client, "eq-x", a1b0, 2);
    assert_ok(pottery_counter_equal_from(&eq, x, far));
    assert_int_equal(eq, 1);
    assert_ok(pottery_counter_equal_from(&eq, y, far));
    assert_int_equal(eq, 0);
    /* c == None is False in Python, not a TypeError: answered without a round trip */
    eq = -1;
    assert_round_trips(0, pottery_counter_equal_json(&eq, x, "null"));
    assert_int_equal(eq, 0);
    eq = -1;
    assert_ok(pottery_counter_equal_json(&eq, x, " null\n"));
    assert_int_equal(eq, 0);
    assert_code(POTTERY_ETYPE, pottery_counter_equal_json(&eq, x, "[1]"));
    assert_code(POTTERY_ETYPE, pottery_counter_equal_json(&eq, x, "{oops"));
    assert_code(POTTERY_ETYPE, pottery_counter_equal_json(&eq, x, "nul"));
    pottery_counter_free(far);
    pottery_counter_free(x);
    pottery_counter_free(x2);
    pottery_counter_free(y);
}

/* ---- Counter arithmetic ---- */

static const key_count mine_items[] = { { "a", 3 }, { "b", 1 }, { "d", 0 }, { "e", -2 } };
static const key_count theirs_items[] = { { "a", 1 }, { "b", -2 }, { "c", 4 }, { "e", -1 } };
static const char theirs_json[] = "{\"a\": 1, \"b\": -2, \"c\": 4, \"e\": -1}";

/* Expected results, from Python's Counter(a=3, b=1, d=0, e=-2) <op> Counter(a=1, b=-2, c=4, e=-1). */
static const char *const op_results[] = {
    NULL,
    "{\"a\": 4, \"c\": 4}",           /* + */
    "{\"a\": 2, \"b\": 3}",           /* - */
    "{\"a\": 3, \"b\": 1, \"c\": 4}", /* | */
    "{\"a\": 1}",                     /* & */
};

static void test_binary_operators(void **state)
{
    (void)state;
    /* mine and theirs share a hash tag: one slot on a cluster, so on the server there too */
    pottery_counter *mine = open_counts(client, "{c}mine", mine_items, 4),
                    *theirs = open_counts(client, "{c}theirs", theirs_items, 4);
    pottery_counter *far = open_counts(far_client, "theirs", theirs_items, 4);
    char *text = NULL;
    size_t len = 0;
    for (int op = POTTERY_COUNTER_ADD; op <= POTTERY_COUNTER_AND; op++) {
        assert_round_trips(1, pottery_counter_binary(&text, &len, mine, (pottery_counter_op)op, theirs));
        assert_string_equal(text, op_results[op]);
        assert_int_equal(len, strlen(text));
        pottery_free(text);
        assert_ok(pottery_counter_binary_json(&text, NULL, mine, (pottery_counter_op)op, theirs_json));
        assert_string_equal(text, op_results[op]);
        pottery_free(text);
        assert_ok(pottery_counter_binary(&text, NULL, mine, (pottery_counter_op)op, far));
        assert_string_equal(text, op_results[op]);
        pottery_free(text);
    }
    assert_ok(pottery_counter_pos(&text, NULL, mine));
    assert_string_equal(text, "{\"a\": 3, \"b\": 1}");
    pottery_free(text);
    assert_ok(pottery_counter_neg(&text, &len, mine));
    assert_string_equal(text, "{\"e\": 2}");
    pottery_free(text);
    assert_ok(pottery_counter_neg(&text, NULL, theirs));
    assert_string_equal(text, "{\"b\": 2, \"e\": 1}");
    pottery_free(text);
    /* c - c and c & {} are empty */
    assert_ok(pottery_counter_binary(&text, NULL, mine, POTTERY_COUNTER_SUB, mine));
    assert_string_equal(text, "{}");
    pottery_free(text);
    assert_ok(pottery_counter_binary_json(&text, NULL, mine, POTTERY_COUNTER_AND, "{}"));
    assert_string_equal(text, "{}");
    pottery_free(text);
    /* nothing was written */
    assert_raw("\"a\"\n3\n\"b\"\n1\n\"d\"\n0\n\"e\"\n-2", raw("HGETALL", "{c}mine", NULL));

    /* Numeric keys sort by value, as json.dumps(sort_keys=True) does. */
    pottery_counter *nums = open_counter("nums");
    assert_ok(pottery_counter_set(nums, pottery_int(10), 1));
    assert_ok(pottery_counter_set(nums, pottery_int(1), 2));
    assert_ok(pottery_counter_set(nums, pottery_double(9.5), 3));
    assert_ok(pottery_counter_pos(&text, NULL, nums));
    assert_string_equal(text, "{\"1\": 2, \"9.5\": 3, \"10\": 1}");
    pottery_free(text);
    assert_code(POTTERY_ETYPE, pottery_counter_binary(&text, NULL, nums, POTTERY_COUNTER_OR, mine));

    /* Results outside int64, bad operands */
    assert_ok(pottery_counter_set(nums, pottery_int(10), INT64_MAX));
    assert_code(POTTERY_ERANGE, pottery_counter_binary(&text, NULL, nums, POTTERY_COUNTER_ADD, nums));
    assert_message_contains("OverflowError");
    /* ...but a result below INT64_MIN is dropped like any result <= 0, as Python drops it */
    assert_ok(pottery_counter_set(nums, pottery_int(10), INT64_MIN));
    assert_ok(pottery_counter_binary(&text, NULL, nums, POTTERY_COUNTER_ADD, nums));
    assert_string_equal(text, "{\"1\": 4, \"9.5\": 6}");
    pottery_free(text);
    assert_code(POTTERY_ERANGE, pottery_counter_neg(&text, NULL, nums)); /* -INT64_MIN */
    text = NULL;
    assert_code(POTTERY_EINVAL, pottery_counter_binary(&text, NULL, mine, (pottery_counter_op)9, theirs));
    assert_code(POTTERY_ETYPE, pottery_counter_binary_json(&text, NULL, mine, POTTERY_COUNTER_ADD, "[1]"));
    assert_code(POTTERY_ETYPE, pottery_counter_binary_json(&text, NULL, mine, POTTERY_COUNTER_ADD, "{\"a\": 1.5}"));
    assert_message_contains("'a'");
    assert_code(POTTERY_ETYPE, pottery_counter_binary_json(&text, NULL, mine, POTTERY_COUNTER_ADD, "{\"a\": "));
    assert_null(text);
    pottery_counter_free(nums);
    pottery_counter_free(far);
    pottery_counter_free(mine);
    pottery_counter_free(theirs);
}

static void test_inplace_operators(void **state)
{
    (void)state;
    pottery_counter *far = open_counts(far_client, "theirs", theirs_items, 4);
    pottery_counter *theirs = open_counts(client, "{c}theirs", theirs_items, 4);
    for (int op = POTTERY_COUNTER_ADD; op <= POTTERY_COUNTER_AND; op++) {
        for (int how = 0; how < 3; how++) {
            pottery_counter *mine = open_counts(client, "{c}mine", mine_items, 4);
            uint64_t before = round_trips();
            if (how == 0) {
                assert_ok(pottery_counter_inplace(mine, (pottery_counter_op)op, theirs));
                assert_int_equal(round_trips() - before, 1);
            } else if (how == 1) {
                assert_ok(pottery_counter_inplace_json(mine, (pottery_counter_op)op, theirs_json));
                assert_int_equal(round_trips() - before, 1);
            } else {
                assert_ok(pottery_counter_inplace(mine, (pottery_counter_op)op, far));
            }
            assert_equal_json(mine, op_results[op]);
            assert_ok(pottery_counter_clear(mine));
            pottery_counter_free(mine);
        }
    }
    assert_equal_json(theirs, theirs_json);

    /* c += c: doubled, non-positive counts gone; c -= c: empty */
    pottery_counter *mine = open_counts(client, "{c}mine", mine_items, 4);
    assert_ok(pottery_counter_inplace(mine, POTTERY_COUNTER_ADD, mine));
    assert_raw("\"a\"\n6\n\"b\"\n2", raw("HGETALL", "{c}mine", NULL));
    assert_ok(pottery_counter_inplace(mine, POTTERY_COUNTER_SUB, mine));
    assert_raw("0", raw("EXISTS", "{c}mine", NULL));

    /* overflow: nothing written */
    assert_ok(pottery_counter_set(mine, pottery_str("a"), INT64_MAX));
    assert_ok(pottery_counter_set(mine, pottery_str("z"), -1));
    assert_code(POTTERY_ERANGE, pottery_counter_inplace_json(mine, POTTERY_COUNTER_ADD, "{\"a\": 1}"));
    assert_message_contains("'a'");
    assert_raw("\"a\"\n9223372036854775807\n\"z\"\n-1", raw("HGETALL", "{c}mine", NULL));
    /* ...and the exact edge works: INT64_MAX - INT64_MIN would not, INT64_MAX | x does */
    assert_ok(pottery_counter_inplace_json(mine, POTTERY_COUNTER_OR, "{\"a\": -9223372036854775808}"));
    assert_raw("\"a\"\n9223372036854775807", raw("HGETALL", "{c}mine", NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_inplace(mine, (pottery_counter_op)0, theirs));
    assert_code(POTTERY_ETYPE, pottery_counter_inplace_json(mine, POTTERY_COUNTER_ADD, "{\"a\": true}"));
    assert_code(POTTERY_ETYPE, pottery_counter_inplace_json(mine, POTTERY_COUNTER_ADD, "{\"a\": 1e3}"));
    assert_code(POTTERY_ETYPE, pottery_counter_inplace_json(mine, POTTERY_COUNTER_ADD, "nope"));
    assert_raw("\"a\"\n9223372036854775807", raw("HGETALL", "{c}mine", NULL));
    pottery_counter_free(mine);
    pottery_counter_free(theirs);
    pottery_counter_free(far);
}

/* ---- bad input ---- */

static void test_null_arguments_and_unencodable_keys(void **state)
{
    (void)state;
    pottery_counter *c = open_counter("nulls");
    pottery_counter_iter *it = NULL;
    pottery_counter_pair *pairs = NULL;
    size_t np = 0;
    int64_t n = 0;
    int in = 0;
    char *text = NULL;
    pottery_value k = POTTERY_VALUE_INIT;
    pottery_counter_pair item = { pottery_str("a"), 1 };
    pottery_value key = pottery_str("a");

    assert_code(POTTERY_EINVAL, pottery_counter_open(NULL, client, "k", NULL));
    pottery_counter *none = c;
    assert_code(POTTERY_EINVAL, pottery_counter_open(&none, NULL, "k", NULL));
    assert_null(none);
    pottery_counter_options bad = POTTERY_COUNTER_OPTIONS_INIT;
    bad.nitems = 3;
    assert_code(POTTERY_EINVAL, pottery_counter_open(&none, client, "k", &bad));
    pottery_counter_options_init(&bad);
    bad.nkeys = 1;
    assert_code(POTTERY_EINVAL, pottery_counter_open(&none, client, "k", &bad));
    assert_null(pottery_counter_key(NULL));
    assert_null(pottery_counter_client(NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_get(NULL, c, key));
    assert_code(POTTERY_EINVAL, pottery_counter_get(&n, NULL, key));
    assert_code(POTTERY_EINVAL, pottery_counter_set(NULL, key, 1));
    assert_code(POTTERY_EINVAL, pottery_counter_del(NULL, key));
    assert_code(POTTERY_EINVAL, pottery_counter_contains(NULL, c, key));
    assert_code(POTTERY_EINVAL, pottery_counter_contains(&in, NULL, key));
    assert_code(POTTERY_EINVAL, pottery_counter_len(NULL, c));
    assert_code(POTTERY_EINVAL, pottery_counter_incr(&n, NULL, key, 1));
    assert_code(POTTERY_EINVAL, pottery_counter_decr(&n, NULL, key, 1));
    assert_code(POTTERY_EINVAL, pottery_counter_update(NULL, &item, 1));
    assert_code(POTTERY_EINVAL, pottery_counter_update(c, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_counter_subtract(c, NULL, 2));
    assert_code(POTTERY_EINVAL, pottery_counter_update_keys(c, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_counter_subtract_keys(NULL, &key, 1));
    assert_code(POTTERY_EINVAL, pottery_counter_update_from(c, NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_subtract_from(NULL, c));
    assert_code(POTTERY_EINVAL, pottery_counter_clear(NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_most_common(NULL, &np, c, 1));
    assert_code(POTTERY_EINVAL, pottery_counter_most_common(&pairs, NULL, c, 1));
    assert_code(POTTERY_EINVAL, pottery_counter_most_common(&pairs, &np, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_counter_iter_new(NULL, c));
    assert_code(POTTERY_EINVAL, pottery_counter_elements_new(&it, NULL));
    assert_message_contains("pottery_counter_elements_new");
    assert_code(POTTERY_EINVAL, pottery_counter_iter_next(&k, &n, NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_total(NULL, c));
    assert_code(POTTERY_EINVAL, pottery_counter_to_json(NULL, NULL, c));
    assert_code(POTTERY_EINVAL, pottery_counter_repr(&text, NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_equal_from(&in, c, NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_equal_json(&in, c, NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_binary(&text, NULL, c, POTTERY_COUNTER_ADD, NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_binary_json(NULL, NULL, c, POTTERY_COUNTER_ADD, "{}"));
    assert_code(POTTERY_EINVAL, pottery_counter_pos(&text, NULL, NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_neg(NULL, NULL, c));
    assert_code(POTTERY_EINVAL, pottery_counter_inplace(c, POTTERY_COUNTER_ADD, NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_inplace_json(c, POTTERY_COUNTER_ADD, NULL));
    assert_code(POTTERY_EINVAL, pottery_counter_set(c, pottery_str(NULL), 1));

    /* Keys that cannot be encoded: ETYPE before anything is sent; contains says no. */
    pottery_client_stats b = stats();
    pottery_value bad_key = pottery_strn("\xc0\xaf", 2);
    assert_code(POTTERY_ETYPE, pottery_counter_get(&n, c, bad_key));
    assert_code(POTTERY_ETYPE, pottery_counter_set(c, bad_key, 1));
    assert_code(POTTERY_ETYPE, pottery_counter_del(c, bad_key));
    assert_code(POTTERY_ETYPE, pottery_counter_incr(&n, c, bad_key, 1));
    assert_code(POTTERY_ETYPE, pottery_counter_decr(&n, c, bad_key, INT64_MIN));
    assert_code(POTTERY_ETYPE, pottery_counter_incr(&n, c, pottery_json("{not json"), 1));
    in = -1;
    assert_ok(pottery_counter_contains(&in, c, pottery_strn("\xed\xa0\x80", 3)));
    assert_int_equal(in, 0);
    pottery_counter_options init = POTTERY_COUNTER_OPTIONS_INIT;
    init.keys = &bad_key;
    init.nkeys = 1;
    assert_code(POTTERY_ETYPE, pottery_counter_open(&none, client, "k", &init));
    assert_int_equal(stats().commands, b.commands);
    assert_raw("0", raw("DBSIZE", NULL));
    pottery_counter_free(c);
}

static void test_wrong_redis_type(void **state)
{
    (void)state;
    free(raw("SET", "plain", "value", NULL));
    pottery_counter *c = open_counter("plain"), *other = open_counter("other");
    pottery_counter_iter *it = NULL;
    pottery_counter_pair *pairs = NULL;
    size_t np = 0;
    int64_t n = 0;
    int in = 0;
    char *text = NULL;
    pottery_value key = pottery_str("a");
    pottery_counter_pair item = { key, 1 };
    assert_ok(pottery_counter_set(other, key, 1));
    enum { N = STAGED };
    char(*names)[24] = NULL;
    pottery_counter_pair *many = make_pairs(N, N, 1, &names);

    assert_wrongtype(pottery_counter_get(&n, c, key));
    assert_wrongtype(pottery_counter_set(c, key, 1));
    assert_wrongtype(pottery_counter_del(c, key));
    assert_wrongtype(pottery_counter_contains(&in, c, key));
    assert_wrongtype(pottery_counter_len(&n, c));
    assert_wrongtype(pottery_counter_incr(&n, c, key, 1));
    assert_wrongtype(pottery_counter_decr(&n, c, key, INT64_MIN));
    assert_wrongtype(pottery_counter_update(c, &item, 1));
    assert_wrongtype(pottery_counter_update(c, many, N));
    assert_wrongtype(pottery_counter_subtract_keys(c, &key, 1));
    assert_wrongtype(pottery_counter_update_from(c, other));
    assert_wrongtype(pottery_counter_subtract_from(other, c));
    assert_wrongtype(pottery_counter_most_common(&pairs, &np, c, -1));
    assert_wrongtype(pottery_counter_total(&n, c));
    assert_wrongtype(pottery_counter_repr(&text, c));
    assert_wrongtype(pottery_counter_to_json(&text, NULL, c));
    assert_wrongtype(pottery_counter_equal_from(&in, c, other));
    assert_wrongtype(pottery_counter_equal_json(&in, c, "{}"));
    assert_wrongtype(pottery_counter_binary(&text, NULL, c, POTTERY_COUNTER_ADD, other));
    assert_wrongtype(pottery_counter_binary_json(&text, NULL, c, POTTERY_COUNTER_ADD, "{}"));
    assert_wrongtype(pottery_counter_neg(&text, NULL, c));
    assert_wrongtype(pottery_counter_inplace(c, POTTERY_COUNTER_OR, other));
    assert_wrongtype(pottery_counter_inplace(other, POTTERY_COUNTER_OR, c));
    assert_wrongtype(pottery_counter_inplace_json(c, POTTERY_COUNTER_AND, "{\"a\": 1}"));
    assert_ok(pottery_counter_elements_new(&it, c));
    assert_wrongtype(pottery_counter_iter_next(NULL, NULL, it));
    pottery_counter_iter_free(it);
    assert_raw("value", raw("GET", "plain", NULL));
    assert_raw("1", raw("HGET", "other", "\"a\"", NULL));
    assert_raw("2", raw("DBSIZE", NULL));
    free(many);
    free(names);
    pottery_counter_free(c);
    pottery_counter_free(other);
}

static void test_dropped_connection(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client *cl = victim_start(&victim, NULL);
    pottery_counter *c = NULL;
    assert_ok(pottery_counter_open(&c, cl, "k", NULL));
    assert_ok(pottery_counter_incr(NULL, c, pottery_str("a"), 1));
    test_redis_kill(&victim);
    int64_t n = 0;
    int rc = pottery_counter_incr(&n, c, pottery_str("a"), 1);
    assert_conn_lost(rc);
    assert_int_equal(test_redis_restart(&victim), 0);
    /* The next call reconnects by itself (and scripts are loaded again). */
    pottery_counter_pair two[] = { { pottery_str("a"), 2 }, { pottery_str("b"), 1 } };
    assert_ok(pottery_counter_update(c, two, 2));
    assert_ok(pottery_counter_incr(&n, c, pottery_str("a"), 1));
    assert_int_equal(n, 3);
    pottery_counter_free(c);
    victim_stop(&victim, cl);
}

/* ---- concurrency: 8 processes, 10,000 increments each, nothing lost ---- */

enum { INCR_WORKERS = 8, INCRS = 10000 };

static int incr_worker(pottery_client *mine, int w, void *arg)
{
    (void)w;
    (void)arg;
    pottery_counter *c = NULL;
    int failures = 0;
    if (pottery_counter_open(&c, mine, "hits", NULL) == 0) {
        for (int i = 0; i < INCRS; i++)
            if (pottery_counter_incr(NULL, c, pottery_str("page"), 1) != 0) failures++;
    } else {
        failures = 1;
    }
    pottery_counter_free(c);
    return failures ? 1 : 0;
}

static void test_concurrent_increments(void **state)
{
    (void)state;
    enum { WORKERS = INCR_WORKERS };
    pid_t pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) pids[w] = fork_worker(incr_worker, w, NULL);
    for (int w = 0; w < WORKERS; w++) assert_int_equal(wait_exit_code(pids[w]), 0);
    pottery_counter *c = open_counter("hits");
    assert_int_equal(count_of(c, pottery_str("page")), WORKERS * INCRS);
    assert_raw("80000", raw("HGET", "hits", "\"page\"", NULL));
    pottery_counter_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_readme_session, fixture_reset),
        cmocka_unit_test_setup(test_layout_matches_pottery, fixture_reset),
        cmocka_unit_test_setup(test_single_key_operations_cost_one_round_trip, fixture_reset),
        cmocka_unit_test_setup(test_missing_key_counts_zero, fixture_reset),
        cmocka_unit_test_setup(test_zero_and_negative_counts_are_stored, fixture_reset),
        cmocka_unit_test_setup(test_incr_and_decr, fixture_reset),
        cmocka_unit_test_setup(test_overflow_is_range_error_and_writes_nothing, fixture_reset),
        cmocka_unit_test_setup(test_foreign_counts, fixture_reset),
        cmocka_unit_test_setup(test_update_exact_on_both_sides_of_the_fast_path, fixture_reset),
        cmocka_unit_test_setup(test_snapshots_validate_counts, fixture_reset),
        cmocka_unit_test_setup(test_update_has_counter_semantics, fixture_reset),
        cmocka_unit_test_setup(test_bulk_updates_are_one_round_trip, fixture_reset),
        cmocka_unit_test_setup(test_unencodable_key_writes_nothing, fixture_reset),
        cmocka_unit_test_setup(test_update_from_other_counters, fixture_reset),
        cmocka_unit_test_setup(test_open_with_initial_counts, fixture_reset),
        cmocka_unit_test_setup(test_random_key_is_temporary, fixture_reset),
        cmocka_unit_test_setup(test_options_version_and_accessors, fixture_reset),
        cmocka_unit_test_setup(test_most_common, fixture_reset),
        cmocka_unit_test_setup(test_elements_and_items, fixture_reset),
        cmocka_unit_test_setup(test_total, fixture_reset),
        cmocka_unit_test_setup(test_to_json_and_repr, fixture_reset),
        cmocka_unit_test_setup(test_equality, fixture_reset),
        cmocka_unit_test_setup(test_binary_operators, fixture_reset),
        cmocka_unit_test_setup(test_inplace_operators, fixture_reset),
        cmocka_unit_test_setup(test_null_arguments_and_unencodable_keys, fixture_reset),
        cmocka_unit_test_setup(test_wrong_redis_type, fixture_reset),
        cmocka_unit_test_setup(test_dropped_connection, fixture_reset),
        cmocka_unit_test_setup(test_concurrent_increments, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup_two, fixture_teardown);
}
