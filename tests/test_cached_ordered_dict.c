/* pottery_cached_ordered_dict against a private redis-server: the seed README's walkthrough,
 * hits and misses, write-through, expiry, round trips, pottery's layout, bad input. */
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

typedef pottery_cached_ordered_dict cod;

/* ---- helpers ---- */

static cod *open_cod(const char *key, const pottery_value *keys, size_t n)
{
    cod *d = NULL;
    assert_ok(pottery_cached_ordered_dict_open(&d, client, key, keys, n, NULL));
    return d;
}

static cod *open_cod_ttl(const char *key, const pottery_value *keys, size_t n, int64_t timeout_ms)
{
    pottery_cached_ordered_dict_options opts;
    pottery_cached_ordered_dict_options_init(&opts);
    opts.timeout_ms = timeout_ms;
    cod *d = NULL;
    assert_ok(pottery_cached_ordered_dict_open(&d, client, key, keys, n, &opts));
    return d;
}

static int64_t cod_len(cod *d)
{
    int64_t n = -1;
    assert_ok(pottery_cached_ordered_dict_len(&n, d));
    return n;
}

/* The misses as JSON text. */
#define assert_misses(d, expected)                                                                                     \
    do {                                                                                                               \
        pottery_value m_ = POTTERY_VALUE_INIT;                                                                         \
        assert_ok(pottery_cached_ordered_dict_misses(&m_, (d)));                                                       \
        assert_value_json(&m_, (expected));                                                                            \
        pottery_value_dispose(&m_);                                                                                    \
    } while (0)

#define assert_repr(d, expected)                                                                                       \
    do {                                                                                                               \
        char *r_ = NULL;                                                                                               \
        assert_ok(pottery_cached_ordered_dict_repr(&r_, (d)));                                                         \
        assert_string_equal(r_, (expected));                                                                           \
        pottery_free(r_);                                                                                              \
    } while (0)

/* The key's PTTL on the server. */
static long long pttl(const char *key)
{
    char *r = raw("PTTL", key, NULL);
    assert_non_null(r);
    long long ms = strtoll(r, NULL, 10);
    free(r);
    return ms;
}

/* "k: v" lines of the items, as the README's loop prints them (values are strings). */
static void items_text(char *out, size_t size, cod *d)
{
    pottery_cached_ordered_dict_iter *it = NULL;
    assert_ok(pottery_cached_ordered_dict_iter_new(&it, d));
    pottery_value k = POTTERY_VALUE_INIT, v = POTTERY_VALUE_INIT;
    size_t len = 0;
    out[0] = '\0';
    int rc;
    while ((rc = pottery_cached_ordered_dict_iter_next(&k, &v, NULL, it)) == 0)
        len += (size_t)snprintf(out + len, size - len, "%lld: %s\n", (long long)pottery_value_int(&k),
                                pottery_value_str(&v, NULL));
    assert_int_equal(rc, POTTERY_EITEROVER);
    pottery_cached_ordered_dict_iter_free(it);
    pottery_value_dispose(&k);
    pottery_value_dispose(&v);
}

/* ---- the seed README's walkthrough ---- */

static void test_readme_walkthrough(void **state)
{
    (void)state;
    pottery_value ids1[] = { pottery_int(1), pottery_int(2), pottery_int(3), pottery_int(4), pottery_int(5) };
    cod *r1 = open_cod("search-results", ids1, 5);
    assert_misses(r1, "[1, 2, 3, 4, 5]");
    const char *names[] = { "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten" };
    for (int i = 1; i <= 5; i++)
        assert_ok(pottery_cached_ordered_dict_set(r1, pottery_int(i), pottery_str(names[i - 1])));
    assert_misses(r1, "[]");
    char text[256];
    items_text(text, sizeof text, r1);
    assert_string_equal(text, "1: one\n2: two\n3: three\n4: four\n5: five\n");

    pottery_value ids2[] = { pottery_int(2), pottery_int(4), pottery_int(6), pottery_int(8), pottery_int(10) };
    cod *r2 = open_cod("search-results", ids2, 5);
    assert_misses(r2, "[6, 8, 10]");
    pottery_value v = POTTERY_VALUE_INIT;
    assert_round_trips(0, pottery_cached_ordered_dict_get(&v, r2, pottery_int(2)));
    assert_value_str(&v, "two");
    for (int i = 6; i <= 10; i += 2)
        assert_ok(pottery_cached_ordered_dict_set(r2, pottery_int(i), pottery_str(names[i - 1])));
    assert_misses(r2, "[]");
    items_text(text, sizeof text, r2);
    assert_string_equal(text, "2: two\n4: four\n6: six\n8: eight\n10: ten\n");
    assert_raw("8", raw("HLEN", "search-results", NULL));
    pottery_value_dispose(&v);
    pottery_cached_ordered_dict_free(r1);
    pottery_cached_ordered_dict_free(r2);
    assert_raw("1", raw("EXISTS", "search-results", NULL)); /* user keys survive free */
}

/* ---- round trips: open 1, each write 1, reads 0 ---- */

static void test_round_trip_budgets(void **state)
{
    (void)state;
    enum { N = 100 };
    pottery_value *keys = int_values(N, 0, 1);
    cod *cold = NULL;
    /* A cold open: HMGET and the expiry script, pipelined. */
    pottery_client_stats before = stats();
    assert_ok(pottery_cached_ordered_dict_open(&cold, client, "rt", keys, N, NULL));
    pottery_client_stats after = stats();
    assert_int_equal(after.round_trips - before.round_trips, 1);
    assert_int_equal(after.commands - before.commands, 2);
    assert_raw("0", raw("EXISTS", "rt", NULL)); /* reading writes nothing */
    pottery_pair *items = calloc(N, sizeof *items);
    assert_non_null(items);
    for (int i = 0; i < N; i++) items[i] = (pottery_pair){ keys[i], pottery_int(i * 10) };
    assert_round_trips(1, pottery_cached_ordered_dict_update(cold, items, N));
    assert_round_trips(1, pottery_cached_ordered_dict_set(cold, pottery_int(N), pottery_str("new")));
    pottery_value v = POTTERY_VALUE_INIT;
    assert_round_trips(1, pottery_cached_ordered_dict_setdefault(&v, cold, pottery_int(N + 1), pottery_int(7)));
    assert_value_int(&v, 7);
    assert_commands(0, pottery_cached_ordered_dict_update(cold, NULL, 0));

    /* A warm open: every key a hit, still one round trip. */
    cod *warm = NULL;
    assert_round_trips(1, pottery_cached_ordered_dict_open(&warm, client, "rt", keys, N, NULL));
    assert_misses(warm, "[]");
    /* Reads never talk to Redis. */
    uint64_t sent = commands();
    int in = -1;
    int64_t len = 0;
    char *text = NULL;
    assert_ok(pottery_cached_ordered_dict_get(&v, warm, pottery_int(42)));
    assert_value_int(&v, 420);
    assert_ok(pottery_cached_ordered_dict_get_default(&v, warm, pottery_int(-1), pottery_null()));
    assert_ok(pottery_cached_ordered_dict_contains(&in, warm, pottery_int(3)));
    assert_int_equal(in, 1);
    assert_ok(pottery_cached_ordered_dict_is_miss(&in, warm, pottery_int(3)));
    assert_int_equal(in, 0);
    assert_ok(pottery_cached_ordered_dict_len(&len, warm));
    assert_int_equal(len, N);
    assert_ok(pottery_cached_ordered_dict_setdefault(&v, warm, pottery_int(5), pottery_int(-5)));
    assert_value_int(&v, 50); /* it has a value: a read */
    assert_ok(pottery_cached_ordered_dict_repr(&text, warm));
    pottery_free(text);
    assert_ok(pottery_cached_ordered_dict_to_json(&text, NULL, warm));
    pottery_free(text);
    pottery_cached_ordered_dict_iter *it = NULL;
    assert_ok(pottery_cached_ordered_dict_iter_new(&it, warm));
    assert_iteration(pottery_cached_ordered_dict_iter_next(NULL, &v, NULL, it), N, 0);
    pottery_cached_ordered_dict_iter_free(it);
    assert_int_equal(commands(), sent);

    /* Without an expiry an open is the HMGET alone; without keys it sends nothing. */
    cod *plain = open_cod_ttl("rt", keys, N, 0), *empty = NULL;
    assert_round_trips(0, pottery_cached_ordered_dict_open(&empty, client, "rt", NULL, 0, NULL));
    before = stats();
    pottery_cached_ordered_dict_free(plain);
    assert_ok(pottery_cached_ordered_dict_open(
        &plain, client, "rt", keys, N,
        &(pottery_cached_ordered_dict_options){ POTTERY_CACHED_ORDERED_DICT_OPTIONS_VERSION, 0 }));
    after = stats();
    assert_int_equal(after.round_trips - before.round_trips, 1);
    assert_int_equal(after.commands - before.commands, 1);
    pottery_value_dispose(&v);
    free(items);
    free(keys);
    pottery_cached_ordered_dict_free(plain);
    pottery_cached_ordered_dict_free(empty);
    pottery_cached_ordered_dict_free(warm);
    pottery_cached_ordered_dict_free(cold);
}

/* Thousands of keys: HMGETs of 10,000 fields, pipelined: still one round trip. */
static void test_large_open_is_one_round_trip(void **state)
{
    (void)state;
    enum { N = 25000 };
    pottery_value *keys = int_values(N, 0, 1);
    free(raw("HSET", "big", "0", "\"zero\"", "12345", "1", "24999", "[1, 2]", NULL));
    cod *d = NULL;
    assert_round_trips(1, pottery_cached_ordered_dict_open(&d, client, "big", keys, N, NULL));
    assert_int_equal(cod_len(d), N);
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_int(0)));
    assert_value_str(&v, "zero");
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_int(12345)));
    assert_value_int(&v, 1);
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_int(24999)));
    assert_value_json(&v, "[1, 2]");
    assert_code(POTTERY_ENOTFOUND, pottery_cached_ordered_dict_get(&v, d, pottery_int(24998)));
    int miss = -1;
    assert_ok(pottery_cached_ordered_dict_is_miss(&miss, d, pottery_int(10000)));
    assert_int_equal(miss, 1);
    pottery_value m = POTTERY_VALUE_INIT;
    int64_t nmisses = 0;
    assert_ok(pottery_cached_ordered_dict_misses(&m, d));
    assert_ok(pottery_value_len(&nmisses, &m));
    assert_int_equal(nmisses, N - 3);
    pottery_value_dispose(&m);
    pottery_value_dispose(&v);
    pottery_cached_ordered_dict_free(d);
    free(keys);
}

/* A server that forgot the scripts (SCRIPT FLUSH, a restart): EVAL again, on that path only. */
static void test_open_after_script_flush(void **state)
{
    (void)state;
    pottery_value keys[] = { pottery_str("a") };
    free(raw("HSET", "flushed", "\"a\"", "1", NULL));
    cod *d = open_cod("flushed", keys, 1);
    pottery_cached_ordered_dict_free(d);
    free(raw("SCRIPT", "FLUSH", NULL));
    free(raw("PEXPIRE", "flushed", "5000", NULL));
    uint64_t before = round_trips();
    d = open_cod("flushed", keys, 1);
    assert_int_equal(round_trips() - before, 2);
    assert_true(pttl("flushed") > 55000);
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_str("a")));
    assert_value_int(&v, 1);
    pottery_value_dispose(&v);
    pottery_cached_ordered_dict_free(d);
}

/* ---- expiry ---- */

static void test_expiry_set_and_slid(void **state)
{
    (void)state;
    pottery_value keys[] = { pottery_int(1), pottery_int(2) };
    cod *d = open_cod("ttl", keys, 2);
    assert_raw("0", raw("EXISTS", "ttl", NULL)); /* a cold open creates nothing */
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_int(1), pottery_str("one")));
    long long ms = pttl("ttl");
    assert_true(ms > 55000 && ms <= 60000);
    /* Every write slides it back to the full time to live. */
    free(raw("PEXPIRE", "ttl", "5000", NULL));
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_int(1), pottery_str("uno")));
    assert_true(pttl("ttl") > 55000);
    free(raw("PEXPIRE", "ttl", "5000", NULL));
    pottery_pair items[] = { { pottery_int(2), pottery_str("two") } };
    assert_ok(pottery_cached_ordered_dict_update(d, items, 1));
    assert_true(pttl("ttl") > 55000);
    free(raw("PEXPIRE", "ttl", "5000", NULL));
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_cached_ordered_dict_setdefault(&v, d, pottery_int(3), pottery_str("three")));
    assert_true(pttl("ttl") > 55000);
    /* So does an open that reads the cache (a warm one, or a cold one on a live hash). */
    free(raw("PEXPIRE", "ttl", "5000", NULL));
    cod *again = open_cod("ttl", keys, 2);
    assert_true(pttl("ttl") > 55000);
    pottery_cached_ordered_dict_free(again);

    /* Another time to live. */
    cod *short_lived = open_cod_ttl("ttl", keys, 2, 1500);
    ms = pttl("ttl");
    assert_true(ms > 0 && ms <= 1500);
    pottery_cached_ordered_dict_free(short_lived);

    /* 0 and POTTERY_FOREVER: no expiry set (and one set by someone else stays). */
    free(raw("PERSIST", "ttl", NULL));
    cod *forever = open_cod_ttl("ttl", keys, 2, 0);
    assert_ok(pottery_cached_ordered_dict_set(forever, pottery_int(4), pottery_str("four")));
    assert_int_equal(pttl("ttl"), -1);
    pottery_cached_ordered_dict_free(forever);
    forever = open_cod_ttl("ttl", keys, 2, POTTERY_FOREVER);
    assert_ok(pottery_cached_ordered_dict_update(forever, items, 1));
    assert_ok(pottery_cached_ordered_dict_setdefault(&v, forever, pottery_int(5), pottery_int(5)));
    assert_int_equal(pttl("ttl"), -1);
    free(raw("PEXPIRE", "ttl", "5000", NULL));
    assert_ok(pottery_cached_ordered_dict_set(forever, pottery_int(4), pottery_str("IV")));
    ms = pttl("ttl");
    assert_true(ms > 0 && ms <= 5000);
    pottery_value_dispose(&v);
    pottery_cached_ordered_dict_free(forever);
    pottery_cached_ordered_dict_free(d);
}

/* ---- pottery's layout ---- */

static void test_reads_and_writes_pottery_layout(void **state)
{
    (void)state;
    /* What pottery's CachedOrderedDict (or a RedisDict) wrote: JSON fields and values. */
    free(raw("HSET", "shared", "1", "\"one\"", "\"jack\"", "4098", "[1, 2]", "{\"a\": [true, null]}", "2.5", "-0.0",
             NULL));
    pottery_value keys[] = { pottery_int(1), pottery_str("jack"), pottery_json("[1,2]"), pottery_double(2.5),
                             pottery_int(3) };
    cod *d = open_cod("shared", keys, 5);
    assert_misses(d, "[3]");
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_int(1)));
    assert_value_str(&v, "one");
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_str("jack")));
    assert_value_int(&v, 4098);
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_json("[1, 2]")));
    assert_value_json(&v, "{\"a\": [true, null]}");
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_double(2.5)));
    assert_value_double(&v, -0.0);
    /* ...and what it writes is pottery's bytes. */
    assert_ok(
        pottery_cached_ordered_dict_set(d, pottery_int(3), pottery_json("{\"z\": 1, \"b\": [1.0, \"\xc3\xa9\"]}")));
    assert_raw("{\"b\": [1.0, \"\\u00e9\"], \"z\": 1}", raw("HGET", "shared", "3", NULL));
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_str("caf\xc3\xa9"), pottery_double(1e16)));
    assert_raw("1e+16", raw("HGET", "shared", "\"caf\\u00e9\"", NULL));
    assert_raw("hash", raw("TYPE", "shared", NULL));
    /* A pottery_dict on the same key sees the same entries. */
    pottery_dict *same = NULL;
    assert_ok(pottery_dict_open(&same, client, "shared", NULL));
    assert_ok(pottery_dict_get(&v, same, pottery_int(3)));
    assert_value_json(&v, "{\"b\": [1.0, \"\\u00e9\"], \"z\": 1}");
    pottery_dict_free(same);
    pottery_value_dispose(&v);
    pottery_cached_ordered_dict_free(d);
}

/* null, false, true, 0 and 0.0 are distinct fields, and distinct keys here. */
static void test_keys_of_every_json_type(void **state)
{
    (void)state;
    pottery_value keys[] = { pottery_null(),  pottery_bool(0),      pottery_bool(1),
                             pottery_int(0),  pottery_double(0.0),  pottery_str("0"),
                             pottery_str(""), pottery_json("[]"),   pottery_json("{\"b\": 2, \"a\": 1}"),
                             pottery_int(-1), pottery_double(-0.5), pottery_json("18446744073709551616") };
    size_t n = sizeof keys / sizeof keys[0];
    free(raw("HSET", "types", "null", "\"None\"", "0.0", "\"zero float\"", NULL));
    cod *d = open_cod("types", keys, n);
    assert_int_equal(cod_len(d), (int64_t)n);
    assert_misses(d, "[false, true, 0, \"0\", \"\", [], {\"a\": 1, \"b\": 2}, -1, -0.5, 18446744073709551616]");
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_null()));
    assert_value_str(&v, "None");
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_double(0.0)));
    assert_value_str(&v, "zero float");
    pottery_pair items[] = { { pottery_bool(0), pottery_str("False") },
                             { pottery_bool(1), pottery_str("True") },
                             { pottery_int(0), pottery_str("zero") },
                             { pottery_json("{\"a\":1,\"b\":2}"), pottery_null() } };
    assert_ok(pottery_cached_ordered_dict_update(d, items, 4));
    assert_raw("\"False\"", raw("HGET", "types", "false", NULL));
    assert_raw("\"True\"", raw("HGET", "types", "true", NULL));
    assert_raw("\"zero\"", raw("HGET", "types", "0", NULL));
    assert_raw("\"zero float\"", raw("HGET", "types", "0.0", NULL));
    assert_raw("null", raw("HGET", "types", "{\"a\": 1, \"b\": 2}", NULL));
    assert_raw("6", raw("HLEN", "types", NULL));
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_json("{\"b\":2,\"a\":1}")));
    assert_value_null(&v);
    /* Iteration gives each key back with its own type, in order. */
    pottery_cached_ordered_dict_iter *it = NULL;
    assert_ok(pottery_cached_ordered_dict_iter_new(&it, d));
    pottery_value k = POTTERY_VALUE_INIT;
    for (size_t i = 0; i < n; i++) {
        int miss = -1;
        assert_ok(pottery_cached_ordered_dict_iter_next(&k, &v, &miss, it));
        char *a = NULL, *b = NULL;
        assert_ok(pottery_value_to_json(&a, NULL, k));
        assert_ok(pottery_value_to_json(&b, NULL, keys[i]));
        assert_string_equal(a, b);
        assert_int_equal(pottery_value_type(&k), i == 8 || i == 7 ? POTTERY_TYPE_JSON : pottery_value_type(&keys[i]));
        assert_int_equal(miss, !(i <= 4 || i == 8));
        if (miss) assert_value_null(&v);
        pottery_free(a);
        pottery_free(b);
    }
    assert_code(POTTERY_EITEROVER, pottery_cached_ordered_dict_iter_next(&k, &v, NULL, it));
    pottery_cached_ordered_dict_iter_free(it);
    pottery_value_dispose(&k);
    pottery_value_dispose(&v);
    pottery_cached_ordered_dict_free(d);
}

/* ---- order ---- */

static void test_order_duplicates_and_appends(void **state)
{
    (void)state;
    /* A key given twice keeps its first place, as OrderedDict.fromkeys does; HMGET asks once. */
    pottery_value keys[] = { pottery_int(3), pottery_int(1), pottery_int(3), pottery_int(2), pottery_int(1) };
    free(raw("HSET", "order", "1", "\"one\"", NULL));
    cod *d = open_cod("order", keys, 5);
    assert_int_equal(cod_len(d), 3);
    assert_repr(d, "CachedOrderedDict([(3, <miss>), (1, 'one'), (2, <miss>)])");
    assert_misses(d, "[3, 2]");
    /* Setting keeps the place of a key that is there and appends a new one. */
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_int(2), pottery_str("two")));
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_int(0), pottery_str("zero")));
    pottery_pair items[] = { { pottery_int(9), pottery_str("nine") },
                             { pottery_int(3), pottery_str("three") },
                             { pottery_int(9), pottery_str("NINE") } };
    assert_ok(pottery_cached_ordered_dict_update(d, items, 3));
    assert_repr(d, "CachedOrderedDict([(3, 'three'), (1, 'one'), (2, 'two'), (0, 'zero'), (9, 'NINE')])");
    assert_raw("\"NINE\"", raw("HGET", "order", "9", NULL)); /* the later pair wins in Redis too */
    assert_misses(d, "[]");

    /* A key added while iterating: Python's RuntimeError. Setting a value is fine. */
    pottery_cached_ordered_dict_iter *it = NULL;
    pottery_value k = POTTERY_VALUE_INIT;
    assert_ok(pottery_cached_ordered_dict_iter_new(&it, d));
    assert_ok(pottery_cached_ordered_dict_iter_next(&k, NULL, NULL, it));
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_int(1), pottery_str("uno")));
    assert_ok(pottery_cached_ordered_dict_iter_next(&k, NULL, NULL, it));
    assert_value_int(&k, 1);
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_int(7), pottery_str("seven")));
    assert_code(POTTERY_ESTATE, pottery_cached_ordered_dict_iter_next(&k, NULL, NULL, it));
    assert_message_contains("mutated during iteration");
    assert_value_int(&k, 1);
    pottery_cached_ordered_dict_iter_free(it);
    pottery_value_dispose(&k);

    /* Empty. */
    cod *empty = open_cod("order", NULL, 0);
    assert_repr(empty, "CachedOrderedDict()");
    assert_misses(empty, "[]");
    char *json = NULL;
    assert_ok(pottery_cached_ordered_dict_to_json(&json, NULL, empty));
    assert_string_equal(json, "{}");
    pottery_free(json);
    pottery_cached_ordered_dict_free(empty);
    pottery_cached_ordered_dict_free(d);
}

/* ---- lookups ---- */

static void test_get_of_misses_and_absent_keys(void **state)
{
    (void)state;
    pottery_value keys[] = { pottery_str("doc-6") };
    cod *d = open_cod("get", keys, 1);
    pottery_value v = pottery_int(7); /* untouched on failure */
    assert_code(POTTERY_ENOTFOUND, pottery_cached_ordered_dict_get(&v, d, pottery_str("doc-6")));
    assert_message("KeyError: 'doc-6' is a cache miss (no value yet)");
    assert_code(POTTERY_ENOTFOUND, pottery_cached_ordered_dict_get(&v, d, pottery_str("doc-7")));
    assert_message("KeyError: 'doc-7'");
    assert_value_int(&v, 7);
    assert_ok(pottery_cached_ordered_dict_get_default(&v, d, pottery_str("doc-6"), pottery_str("dflt")));
    assert_value_str(&v, "dflt");
    assert_ok(pottery_cached_ordered_dict_get_default(&v, d, pottery_str("doc-7"), pottery_double(0.5)));
    assert_value_double(&v, 0.5);
    int in = -1;
    assert_ok(pottery_cached_ordered_dict_contains(&in, d, pottery_str("doc-6")));
    assert_int_equal(in, 1); /* a miss is in the dict */
    assert_ok(pottery_cached_ordered_dict_is_miss(&in, d, pottery_str("doc-6")));
    assert_int_equal(in, 1);
    assert_ok(pottery_cached_ordered_dict_is_miss(&in, d, pottery_str("doc-7")));
    assert_int_equal(in, 0);
    assert_ok(pottery_cached_ordered_dict_contains(&in, d, pottery_str("doc-7")));
    assert_int_equal(in, 0);
    /* A key that cannot be encoded is not there. */
    in = -1;
    assert_ok(pottery_cached_ordered_dict_contains(&in, d, pottery_strn("\xff", 1)));
    assert_int_equal(in, 0);
    in = -1;
    assert_ok(pottery_cached_ordered_dict_is_miss(&in, d, pottery_strn("\xff", 1)));
    assert_int_equal(in, 0);
    assert_code(POTTERY_ETYPE, pottery_cached_ordered_dict_get(&v, d, pottery_strn("\xff", 1)));
    /* Once set, it is a value like any other. */
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_str("doc-6"), pottery_json("{\"title\": \"six\"}")));
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_str("doc-6")));
    assert_value_json(&v, "{\"title\": \"six\"}");
    pottery_value_dispose(&v);
    pottery_cached_ordered_dict_free(d);
}

static void test_setdefault(void **state)
{
    (void)state;
    pottery_value keys[] = { pottery_int(1), pottery_int(2), pottery_int(3) };
    free(raw("HSET", "sd", "1", "\"one\"", NULL));
    cod *d = open_cod("sd", keys, 3);
    pottery_value v = POTTERY_VALUE_INIT;
    /* A key with a value: the value, no round trip, nothing written. */
    assert_round_trips(0, pottery_cached_ordered_dict_setdefault(&v, d, pottery_int(1), pottery_str("uno")));
    assert_value_str(&v, "one");
    assert_raw("\"one\"", raw("HGET", "sd", "1", NULL));
    /* A miss: the default is stored and returned. */
    assert_round_trips(1, pottery_cached_ordered_dict_setdefault(&v, d, pottery_int(2), pottery_str("two")));
    assert_value_str(&v, "two");
    assert_raw("\"two\"", raw("HGET", "sd", "2", NULL));
    assert_misses(d, "[3]");
    /* A miss that another process filled since the open: its value wins, not the default. */
    free(raw("HSET", "sd", "3", "\"three, computed elsewhere\"", NULL));
    assert_round_trips(1, pottery_cached_ordered_dict_setdefault(&v, d, pottery_int(3), pottery_str("placeholder")));
    assert_value_str(&v, "three, computed elsewhere");
    assert_raw("\"three, computed elsewhere\"", raw("HGET", "sd", "3", NULL));
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_int(3)));
    assert_value_str(&v, "three, computed elsewhere");
    assert_misses(d, "[]");
    /* A new key is appended. */
    assert_ok(pottery_cached_ordered_dict_setdefault(&v, d, pottery_int(0), pottery_null()));
    assert_value_null(&v);
    assert_raw("null", raw("HGET", "sd", "0", NULL));
    assert_repr(d, "CachedOrderedDict([(1, 'one'), (2, 'two'), (3, 'three, computed elsewhere'), (0, None)])");
    pottery_value_dispose(&v);
    pottery_cached_ordered_dict_free(d);
}

/* ---- snapshots ---- */

static void test_to_json_and_repr(void **state)
{
    (void)state;
    pottery_value keys[] = { pottery_int(10), pottery_str("b"), pottery_double(1.5), pottery_bool(1), pottery_null() };
    cod *d = open_cod("json", keys, 5);
    char *text = NULL;
    assert_code(POTTERY_ETYPE, pottery_cached_ordered_dict_to_json(&text, NULL, d));
    assert_message_contains("cache miss");
    assert_null(text);
    assert_repr(d, "CachedOrderedDict([(10, <miss>), ('b', <miss>), (1.5, <miss>), (True, <miss>), (None, <miss>)])");
    pottery_pair items[] = { { pottery_int(10), pottery_json("{\"z\": 1, \"a\": [1.0]}") },
                             { pottery_str("b"), pottery_str("\xc3\xa9") },
                             { pottery_double(1.5), pottery_bool(0) },
                             { pottery_bool(1), pottery_int(1) },
                             { pottery_null(), pottery_null() } };
    assert_ok(pottery_cached_ordered_dict_update(d, items, 5));
    size_t len = 0;
    assert_ok(pottery_cached_ordered_dict_to_json(&text, &len, d));
    /* json.dumps(d): the dict's order, keys named as Python's json names them. */
    assert_string_equal(
        text, "{\"10\": {\"a\": [1.0], \"z\": 1}, \"b\": \"\\u00e9\", \"1.5\": false, \"true\": 1, \"null\": null}");
    assert_int_equal(len, strlen(text));
    pottery_free(text);
    assert_repr(d, "CachedOrderedDict([(10, {'a': [1.0], 'z': 1}), ('b', '\xc3\xa9'), (1.5, False), (True, 1), (None, "
                   "None)])");
    /* A composite key has no name in a JSON object. */
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_json("[1]"), pottery_int(1)));
    text = NULL;
    assert_code(POTTERY_ETYPE, pottery_cached_ordered_dict_to_json(&text, NULL, d));
    assert_message_contains("[1]");
    assert_null(text);
    pottery_cached_ordered_dict_free(d);
}

/* ---- temporary keys, options, accessors ---- */

static void test_random_key_and_options(void **state)
{
    (void)state;
    pottery_value keys[] = { pottery_int(1), pottery_int(2) };
    cod *d = NULL;
    /* A new random key: only its EXISTS check, every key a miss. */
    assert_round_trips(1, pottery_cached_ordered_dict_open(&d, client, NULL, keys, 2, NULL));
    const char *key = pottery_cached_ordered_dict_key(d);
    assert_random_key(key);
    assert_ptr_equal(pottery_cached_ordered_dict_client(d), client);
    assert_misses(d, "[1, 2]");
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_int(1), pottery_str("one")));
    char saved[64];
    snprintf(saved, sizeof saved, "%s", key);
    assert_raw("1", raw("EXISTS", saved, NULL));
    pottery_cached_ordered_dict_free(d);
    assert_raw("0", raw("EXISTS", saved, NULL));
    pottery_cached_ordered_dict_free(NULL);
    assert_null(pottery_cached_ordered_dict_key(NULL));
    assert_null(pottery_cached_ordered_dict_client(NULL));

    pottery_cached_ordered_dict_options opts;
    memset(&opts, 0xff, sizeof opts);
    pottery_cached_ordered_dict_options_init(&opts);
    assert_int_equal(opts.version, POTTERY_CACHED_ORDERED_DICT_OPTIONS_VERSION);
    assert_int_equal(opts.timeout_ms, 60000);
    pottery_cached_ordered_dict_options by_macro = POTTERY_CACHED_ORDERED_DICT_OPTIONS_INIT;
    assert_int_equal(by_macro.version, opts.version);
    assert_int_equal(by_macro.timeout_ms, opts.timeout_ms);
    /* Not initialised, or from a newer header: refused before anything is sent. */
    uint64_t sent = commands();
    for (int newer = 0; newer < 2; newer++) {
        opts.version = newer ? POTTERY_CACHED_ORDERED_DICT_OPTIONS_VERSION + 1 : 0;
        d = (cod *)&opts;
        assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_open(&d, client, "versioned", keys, 2, &opts));
        assert_message_contains(newer ? "version" : "not initialised");
        assert_null(d);
    }
    assert_int_equal(commands(), sent);
    opts.version = POTTERY_CACHED_ORDERED_DICT_OPTIONS_VERSION;
    opts.timeout_ms = -2;
    d = (cod *)&opts;
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_open(&d, client, "k", keys, 2, &opts));
    assert_message_contains("timeout_ms");
    assert_null(d);
}

/* ---- bad input ---- */

static void test_null_and_unencodable_arguments(void **state)
{
    (void)state;
    pottery_value keys[] = { pottery_int(1), pottery_strn("\xc0\xaf", 2), pottery_int(3) };
    cod *d = (cod *)keys;
    uint64_t sent = commands();
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_open(NULL, client, "k", keys, 1, NULL));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_open(&d, NULL, "k", keys, 1, NULL));
    assert_null(d);
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_open(&d, client, "k", NULL, 2, NULL));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_open(&d, client, "", keys, 1, NULL));
    /* An unencodable key: ETYPE naming its position, nothing sent. */
    assert_code(POTTERY_ETYPE, pottery_cached_ordered_dict_open(&d, client, "k", keys, 3, NULL));
    assert_message_contains("key 1");
    assert_null(d);
    assert_int_equal(commands(), sent);

    d = open_cod("bad", keys, 1);
    pottery_value v = POTTERY_VALUE_INIT;
    int in;
    int64_t n;
    char *text;
    pottery_cached_ordered_dict_iter *it;
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_misses(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_misses(&v, NULL));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_is_miss(NULL, d, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_is_miss(&in, NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_get(NULL, d, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_get(&v, NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_get_default(NULL, d, pottery_int(1), pottery_null()));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_set(NULL, pottery_int(1), pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_set(d, pottery_str(NULL), pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_setdefault(NULL, d, pottery_int(1), pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_setdefault(&v, NULL, pottery_int(1), pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_update(NULL, NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_update(d, NULL, 2));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_len(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_len(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_contains(NULL, d, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_contains(&in, NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_to_json(NULL, NULL, d));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_to_json(&text, NULL, NULL));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_repr(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_repr(&text, NULL));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_iter_new(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_iter_new(&it, NULL));
    assert_code(POTTERY_EINVAL, pottery_cached_ordered_dict_iter_next(&v, &v, &in, NULL));
    pottery_cached_ordered_dict_iter_free(NULL);

    /* Unencodable keys and values: nothing written, nothing changed in memory. */
    sent = commands();
    assert_code(POTTERY_ETYPE, pottery_cached_ordered_dict_set(d, pottery_int(1), pottery_json("{not json")));
    assert_code(POTTERY_ETYPE, pottery_cached_ordered_dict_set(d, pottery_strn("\xed\xa0\x80", 3), pottery_int(1)));
    assert_code(POTTERY_ETYPE, pottery_cached_ordered_dict_setdefault(&v, d, pottery_int(1), pottery_strn("\xff", 1)));
    pottery_pair items[] = { { pottery_int(1), pottery_int(1) },
                             { pottery_int(2), pottery_int(2) },
                             { pottery_int(3), pottery_strn("\xff\xfe", 2) } };
    assert_code(POTTERY_ETYPE, pottery_cached_ordered_dict_update(d, items, 3));
    assert_int_equal(commands(), sent);
    assert_raw("0", raw("EXISTS", "bad", NULL));
    assert_int_equal(cod_len(d), 1);
    assert_misses(d, "[1]");
    pottery_value_dispose(&v);
    pottery_cached_ordered_dict_free(d);
}

static void test_foreign_data_is_a_decode_error(void **state)
{
    (void)state;
    free(raw("HSET", "foreign", "\"k\"", "not json", "\"ok\"", "1", NULL));
    pottery_value keys[] = { pottery_str("ok"), pottery_str("k") };
    cod *d = (cod *)keys;
    assert_code(POTTERY_EDECODE, pottery_cached_ordered_dict_open(&d, client, "foreign", keys, 2, NULL));
    assert_null(d);
    assert_message_contains("\"k\"");
    assert_message_contains("foreign");
    assert_raw("not json", raw("HGET", "foreign", "\"k\"", NULL)); /* nothing overwritten */
    assert_raw("2", raw("HLEN", "foreign", NULL));

    /* A miss filled with foreign bytes by another program, then setdefault: the same error,
     * and the dict stays as it was. */
    d = open_cod("foreign", keys, 1);
    pottery_value other[] = { pottery_str("later") };
    cod *later = open_cod("foreign", other, 1);
    free(raw("HSET", "foreign", "\"later\"", "{oops", NULL));
    pottery_value v = pottery_int(7);
    assert_code(POTTERY_EDECODE,
                pottery_cached_ordered_dict_setdefault(&v, later, pottery_str("later"), pottery_int(1)));
    assert_message_contains("\"later\"");
    assert_value_int(&v, 7);
    assert_misses(later, "[\"later\"]");
    assert_raw("{oops", raw("HGET", "foreign", "\"later\"", NULL));
    /* Setting it replaces the foreign bytes, as a write should. */
    assert_ok(pottery_cached_ordered_dict_set(later, pottery_str("later"), pottery_int(2)));
    assert_raw("2", raw("HGET", "foreign", "\"later\"", NULL));
    pottery_cached_ordered_dict_free(later);
    pottery_cached_ordered_dict_free(d);
}

static void test_wrong_redis_type(void **state)
{
    (void)state;
    free(raw("SET", "plain", "value", NULL));
    pottery_value keys[] = { pottery_int(1) };
    cod *d = (cod *)keys;
    assert_wrongtype(pottery_cached_ordered_dict_open(&d, client, "plain", keys, 1, NULL));
    assert_null(d);
    assert_int_equal(pttl("plain"), -1); /* its expiry is left alone */
    d = (cod *)keys;
    assert_wrongtype(pottery_cached_ordered_dict_open(
        &d, client, "plain", keys, 1,
        &(pottery_cached_ordered_dict_options){ POTTERY_CACHED_ORDERED_DICT_OPTIONS_VERSION, 0 }));
    assert_null(d);
    /* Writes through a handle opened without keys (nothing read): refused, nothing touched. */
    d = open_cod("plain", NULL, 0);
    pottery_value v = POTTERY_VALUE_INIT;
    assert_wrongtype(pottery_cached_ordered_dict_set(d, pottery_int(1), pottery_int(1)));
    pottery_pair items[] = { { pottery_int(1), pottery_int(1) }, { pottery_int(2), pottery_int(2) } };
    assert_wrongtype(pottery_cached_ordered_dict_update(d, items, 2));
    assert_wrongtype(pottery_cached_ordered_dict_setdefault(&v, d, pottery_int(1), pottery_int(1)));
    assert_int_equal(cod_len(d), 0);
    assert_raw("value", raw("GET", "plain", NULL));
    assert_int_equal(pttl("plain"), -1);
    pottery_cached_ordered_dict_free(d);
}

static void test_dropped_connection(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client *c = victim_start(&victim, NULL);
    pottery_value keys[] = { pottery_int(1), pottery_int(2) };
    cod *d = NULL;
    assert_ok(pottery_cached_ordered_dict_open(&d, c, "k", keys, 2, NULL));
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_int(1), pottery_str("one")));
    test_redis_kill(&victim);
    assert_conn_lost(pottery_cached_ordered_dict_set(d, pottery_int(2), pottery_str("two")));
    assert_misses(d, "[2]"); /* memory follows Redis only */
    cod *other = NULL;
    assert_conn_lost(pottery_cached_ordered_dict_open(&other, c, "k", keys, 2, NULL));
    assert_null(other);
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_cached_ordered_dict_get(&v, d, pottery_int(1))); /* reads are local */
    assert_value_str(&v, "one");
    assert_int_equal(test_redis_restart(&victim), 0);
    assert_ok(pottery_cached_ordered_dict_set(d, pottery_int(2), pottery_str("two")));
    assert_misses(d, "[]");
    pottery_value_dispose(&v);
    pottery_cached_ordered_dict_free(d);
    victim_stop(&victim, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_readme_walkthrough, fixture_reset),
        cmocka_unit_test_setup(test_round_trip_budgets, fixture_reset),
        cmocka_unit_test_setup(test_large_open_is_one_round_trip, fixture_reset),
        cmocka_unit_test_setup(test_open_after_script_flush, fixture_reset),
        cmocka_unit_test_setup(test_expiry_set_and_slid, fixture_reset),
        cmocka_unit_test_setup(test_reads_and_writes_pottery_layout, fixture_reset),
        cmocka_unit_test_setup(test_keys_of_every_json_type, fixture_reset),
        cmocka_unit_test_setup(test_order_duplicates_and_appends, fixture_reset),
        cmocka_unit_test_setup(test_get_of_misses_and_absent_keys, fixture_reset),
        cmocka_unit_test_setup(test_setdefault, fixture_reset),
        cmocka_unit_test_setup(test_to_json_and_repr, fixture_reset),
        cmocka_unit_test_setup(test_random_key_and_options, fixture_reset),
        cmocka_unit_test_setup(test_null_and_unencodable_arguments, fixture_reset),
        cmocka_unit_test_setup(test_foreign_data_is_a_decode_error, fixture_reset),
        cmocka_unit_test_setup(test_wrong_redis_type, fixture_reset),
        cmocka_unit_test_setup(test_dropped_connection, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
