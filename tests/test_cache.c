/* pottery_cache against a private redis-server: the seed README's walkthrough, round-trip
 * budgets, expiry, pottery's fields (CPython's hash) byte for byte, concurrent misses, bad
 * input. */
#include <setjmp.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pottery.h"
#include "support/test_fixture.h"

/* ---- cached functions ---- */

/* What a test function saw and does: how often it ran, and what it answers. */
typedef struct calls {
    int count;
    int fail;                /* return this code (with a message) instead of a result */
    int64_t offset;          /* identity returns args[0] + offset */
    pottery_client *probe;   /* not NULL: make one round trip of its own on this client */
    pottery_cache *recurse;  /* fibonacci: the cache of itself */
    const char *result_json; /* returns this JSON text instead, when not NULL */
} calls;

/* f(n) = n + offset (the README's expensive_function, with offset 0). */
static int identity(pottery_value *result, const pottery_value *args, size_t nargs, void *payload)
{
    calls *c = payload;
    c->count++;
    if (c->fail) return pottery_error_set(c->fail, "the function failed on purpose");
    if (c->probe) {
        pottery_dict *d = NULL;
        int64_t n;
        int rc = pottery_dict_open(&d, c->probe, "probe", NULL);
        if (rc == 0) rc = pottery_dict_len(&n, d);
        pottery_dict_free(d);
        if (rc < 0) return rc;
    }
    if (c->result_json) {
        *result = pottery_json(c->result_json);
        return 0;
    }
    if (nargs == 0) {
        *result = pottery_null();
        return 0;
    }
    *result = pottery_int(pottery_value_int(&args[0]) + c->offset);
    return 0;
}

static pottery_cache *open_cache(const char *key, calls *c, const pottery_cache_options *opts)
{
    pottery_cache *cache = NULL;
    assert_ok(pottery_cache_open(&cache, client, key, identity, c, opts));
    return cache;
}

static pottery_cache *open_cache_timeout(const char *key, calls *c, int64_t timeout_ms)
{
    pottery_cache_options opts;
    pottery_cache_options_init(&opts);
    opts.timeout_ms = timeout_ms;
    return open_cache(key, c, &opts);
}

static pottery_cache *open_python_cache(const char *key, calls *c)
{
    pottery_cache_options opts;
    pottery_cache_options_init(&opts);
    opts.fields = POTTERY_CACHE_FIELDS_PYTHON;
    return open_cache(key, c, &opts);
}

/* A call that must succeed with the integer expected. */
#define assert_call_int(cache, arg, expected)                                                                          \
    do {                                                                                                               \
        pottery_value arg_ = (arg), got_ = POTTERY_VALUE_INIT;                                                         \
        assert_ok(pottery_cache_call(&got_, (cache), &arg_, 1));                                                       \
        assert_value_int(&got_, (expected));                                                                           \
        pottery_value_dispose(&got_);                                                                                  \
    } while (0)

static void assert_info(pottery_cache *cache, int64_t hits, int64_t misses, int64_t currsize)
{
    pottery_cache_info info = { -9, -9, -9, -9 };
    assert_round_trips(1, pottery_cache_info_get(&info, cache));
    assert_int_equal(info.hits, hits);
    assert_int_equal(info.misses, misses);
    assert_int_equal(info.maxsize, -1);
    assert_int_equal(info.currsize, currsize);
}

/* The field of a call, as text. */
static char *field_of(pottery_cache *cache, const pottery_value *args, size_t nargs)
{
    char *field = NULL;
    size_t len = 0;
    assert_ok(pottery_cache_field(&field, &len, cache, args, nargs));
    assert_int_equal(len, strlen(field));
    return field;
}

#define assert_field(cache, args, nargs, expected)                                                                     \
    do {                                                                                                               \
        char *f_ = field_of((cache), (args), (nargs));                                                                 \
        assert_string_equal(f_, (expected));                                                                           \
        pottery_free(f_);                                                                                              \
    } while (0)

static long long pttl(const char *key)
{
    char *text = raw("PTTL", key, NULL);
    assert_non_null(text);
    long long ms = atoll(text);
    free(text);
    return ms;
}

/* ---- the seed README's walkthrough ---- */

static void test_readme_walkthrough(void **state)
{
    (void)state;
    calls c = { 0 };
    pottery_cache *f = open_cache("expensive-function-cache", &c, NULL);
    assert_call_int(f, pottery_int(5), 5); /* miss */
    assert_int_equal(c.count, 1);
    assert_info(f, 0, 1, 1);
    assert_call_int(f, pottery_int(5), 5); /* hit: the function does not run */
    assert_int_equal(c.count, 1);
    assert_info(f, 1, 1, 1);
    assert_call_int(f, pottery_int(6), 6);
    assert_int_equal(c.count, 2);
    assert_info(f, 1, 2, 2);
    assert_round_trips(1, pottery_cache_clear(f));
    assert_info(f, 0, 0, 0);
    assert_raw("0", raw("EXISTS", "expensive-function-cache", NULL));
    pottery_cache_free(f);
}

/* ---- round trips ---- */

static void test_round_trip_budgets(void **state)
{
    (void)state;
    for (int with_timeout = 0; with_timeout < 2; with_timeout++) {
        calls c = { 0 };
        c.probe = client; /* the function makes one round trip itself, on the same client */
        pottery_cache *f = open_cache_timeout("budget", &c, with_timeout ? 60000 : 0);
        pottery_value v = POTTERY_VALUE_INIT, arg = pottery_int(1);
        assert_round_trips(1 + 1 + 1, pottery_cache_call(&v, f, &arg, 1)); /* miss: lookup, function, store */
        assert_round_trips(1, pottery_cache_call(&v, f, &arg, 1));         /* hit */
        assert_round_trips(1 + 1, pottery_cache_bypass(&v, f, &arg, 1));   /* function, store */
        assert_round_trips(1, pottery_cache_wrapped(&v, f, &arg, 1));      /* the function's own */
        c.probe = NULL;
        assert_round_trips(0, pottery_cache_wrapped(&v, f, &arg, 1));
        char *field = NULL;
        assert_commands(0, pottery_cache_field(&field, NULL, f, &arg, 1));
        pottery_free(field);
        assert_round_trips(1, pottery_cache_info_get(&(pottery_cache_info){ 0 }, f));
        assert_round_trips(1, pottery_cache_clear(f));
        /* a hit is one command without a timeout (HGET), one script with one */
        assert_round_trips(2, pottery_cache_call(&v, f, &arg, 1));
        assert_commands(1, pottery_cache_call(&v, f, &arg, 1));
        pottery_value_dispose(&v);
        pottery_cache_free(f);
        free(raw("FLUSHALL", NULL));
    }
}

/* ---- values ---- */

static void test_results_are_json_and_null_is_cached(void **state)
{
    (void)state;
    calls c = { 0 };
    c.result_json = "{\"b\": [1,2.50], \"a\": null}";
    pottery_cache *f = open_cache("values", &c, NULL);
    pottery_value v = POTTERY_VALUE_INIT, arg = pottery_str("x");
    assert_ok(pottery_cache_call(&v, f, &arg, 1));
    /* a miss gives what a hit gives: the stored JSON, decoded */
    assert_value_json(&v, "{\"a\": null, \"b\": [1, 2.5]}");
    assert_raw("{\"a\": null, \"b\": [1, 2.5]}", raw("HGET", "values", "[\"x\"]", NULL));
    assert_ok(pottery_cache_call(&v, f, &arg, 1));
    assert_value_json(&v, "{\"a\": null, \"b\": [1, 2.5]}");
    assert_int_equal(c.count, 1);
    /* f() -> None: stored as null, and a hit afterwards */
    c.result_json = NULL;
    assert_ok(pottery_cache_call(&v, f, NULL, 0));
    assert_value_null(&v);
    assert_raw("null", raw("HGET", "values", "[]", NULL));
    v = pottery_int(7);
    assert_round_trips(1, pottery_cache_call(&v, f, NULL, 0));
    assert_value_null(&v);
    assert_int_equal(c.count, 2);
    assert_info(f, 2, 2, 2);
    pottery_cache_free(f);
}

static void test_json_fields(void **state)
{
    (void)state;
    calls c = { 0 };
    pottery_cache *f = open_cache("fields", &c, NULL);
    pottery_value five = pottery_int(5), pair[] = { pottery_int(1), pottery_int(2) };
    assert_field(f, &five, 1, "[5]");
    assert_field(f, pair, 2, "[1, 2]");
    assert_field(f, NULL, 0, "[]");
    pottery_value mixed[] = { pottery_str("caf\xc3\xa9"),
                              pottery_null(),
                              pottery_double(1.5),
                              pottery_bool(1),
                              pottery_json("{\"b\":1,\"a\":[1,2]}"),
                              pottery_double(NAN) };
    assert_field(f, mixed, 6, "[\"caf\\u00e9\", null, 1.5, true, {\"a\": [1, 2], \"b\": 1}, NaN]");
    /* equal in Python, distinct calls here: 1, 1.0 and True */
    pottery_value one[] = { pottery_int(1), pottery_double(1.0), pottery_bool(1) };
    c.result_json = "1";
    for (size_t i = 0; i < 3; i++) {
        pottery_value v = POTTERY_VALUE_INIT;
        assert_ok(pottery_cache_call(&v, f, &one[i], 1));
        pottery_value_dispose(&v);
    }
    assert_raw("1", raw("HGET", "fields", "[1]", NULL));
    assert_raw("1", raw("HGET", "fields", "[1.0]", NULL));
    assert_raw("1", raw("HGET", "fields", "[true]", NULL));
    assert_info(f, 0, 3, 3);
    /* a NaN argument has one field, so a pure function's answer is reused */
    pottery_value nan = pottery_double(NAN), v = POTTERY_VALUE_INIT;
    c.result_json = "\"nan\"";
    assert_ok(pottery_cache_call(&v, f, &nan, 1));
    assert_ok(pottery_cache_call(&v, f, &nan, 1));
    assert_value_str(&v, "nan");
    assert_raw("\"nan\"", raw("HGET", "fields", "[NaN]", NULL));
    assert_int_equal(c.count, 4);
    pottery_value_dispose(&v);
    pottery_cache_free(f);
}

/* ---- pottery's fields ---- */

/* Vectors computed with CPython 3.11: hash((args, frozenset())). */
static void test_python_hash_vectors(void **state)
{
    (void)state;
    calls c = { 0 };
    pottery_cache *f = open_python_cache("py", &c);
    pottery_value five = pottery_int(5), six = pottery_int(6), pair[] = { pottery_int(1), pottery_int(2) };
    assert_field(f, NULL, 0, "8796605147143688754");
    assert_field(f, &five, 1, "-8997656621574321360");
    assert_field(f, &six, 1, "8644960546986657214");
    assert_field(f, pair, 2, "-3669920418231167976");
    /* Python hashes True as 1, and so does JSON text holding an integer or a bool */
    pottery_value pair_bool[] = { pottery_bool(1), pottery_json("2") };
    assert_field(f, pair_bool, 2, "-3669920418231167976");
    pottery_value five_text = pottery_json(" 5 ");
    assert_field(f, &five_text, 1, "-8997656621574321360");
    /* Integers beyond int64 hash modulo 2^61 - 1 like Python's: hash(2**64) == hash(8) */
    pottery_value big = pottery_json("18446744073709551616"), eight = pottery_int(8);
    assert_field(f, &big, 1, "2854475671111145355");
    assert_field(f, &eight, 1, "2854475671111145355");
    pottery_value minus_big = pottery_json("-18446744073709551616");
    assert_field(f, &minus_big, 1, "-7403771913444966964");
    /* (True, 2**61 - 1, -1, 2**63, -2**63): a multiple of the modulus, -1 hashing as -2,
     * and both ends of int64 */
    pottery_value edges[] = { pottery_bool(1), pottery_int(INT64_C(2305843009213693951)), pottery_int(-1),
                              pottery_json("9223372036854775808"), pottery_int(INT64_MIN) };
    assert_field(f, edges, 5, "1508517699790709718");
    pottery_cache_free(f);
}

static void test_python_fields_refuse_other_types(void **state)
{
    (void)state;
    calls c = { 0 };
    pottery_cache *f = open_python_cache("py", &c);
    pottery_value others[] = { pottery_str("raj"),     pottery_double(1.5), pottery_null(),
                               pottery_json("[1, 2]"), pottery_json("{}"),  pottery_json("1.0") };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        pottery_value args[] = { pottery_int(1), others[i] }, v = pottery_int(7);
        char *field = NULL;
        assert_code(POTTERY_EINVAL, pottery_cache_field(&field, NULL, f, args, 2));
        assert_null(field);
        assert_code(POTTERY_EINVAL, pottery_cache_call(&v, f, args, 2));
        assert_message_contains("argument 1");
        assert_message_contains("integers and booleans only");
        assert_code(POTTERY_EINVAL, pottery_cache_bypass(&v, f, args, 2));
        assert_value_int(&v, 7);
    }
    pottery_value bad = pottery_json("[1,");
    assert_code(POTTERY_ETYPE, pottery_cache_field(&(char *){ NULL }, NULL, f, &bad, 1));
    assert_message_contains("argument 0");
    assert_int_equal(c.count, 0);
    assert_int_equal(commands(), 0);
    pottery_cache_free(f);
}

/* A Python service and a C service on one key share integer calls. */
static void test_shares_entries_with_pottery(void **state)
{
    (void)state;
    /* what pottery writes for expensive_function(5) returning 'five' */
    free(raw("HSET", "shared", "-8997656621574321360", "\"five\"", NULL));
    calls c = { 0 };
    pottery_cache *f = open_python_cache("shared", &c);
    pottery_value v = POTTERY_VALUE_INIT, five = pottery_int(5), six = pottery_int(6);
    assert_round_trips(1, pottery_cache_call(&v, f, &five, 1));
    assert_value_str(&v, "five");
    assert_int_equal(c.count, 0);
    /* and what C writes is where pottery looks for expensive_function(6) */
    assert_ok(pottery_cache_call(&v, f, &six, 1));
    assert_raw("6", raw("HGET", "shared", "8644960546986657214", NULL));
    assert_info(f, 1, 1, 2);
    pottery_value_dispose(&v);
    pottery_cache_free(f);
}

/* ---- bypass, wrapped, recursion ---- */

static void test_bypass_and_wrapped(void **state)
{
    (void)state;
    calls c = { 0 };
    pottery_cache *f = open_cache("bw", &c, NULL);
    assert_call_int(f, pottery_int(1), 1);
    c.offset = 100; /* the function changes: the cache still answers the old result */
    assert_call_int(f, pottery_int(1), 1);
    pottery_value v = POTTERY_VALUE_INIT, one = pottery_int(1);
    assert_ok(pottery_cache_bypass(&v, f, &one, 1));
    assert_value_int(&v, 101);
    assert_raw("101", raw("HGET", "bw", "[1]", NULL));
    assert_call_int(f, pottery_int(1), 101);
    assert_info(f, 2, 1, 1);
    /* wrapped: the function alone, nothing in Redis, nothing counted */
    c.offset = 200;
    uint64_t before = commands();
    assert_ok(pottery_cache_wrapped(&v, f, &one, 1));
    assert_value_int(&v, 201);
    assert_int_equal(commands(), before);
    assert_raw("101", raw("HGET", "bw", "[1]", NULL));
    assert_info(f, 2, 1, 1);
    pottery_value_dispose(&v);
    pottery_cache_free(f);
}

/* fib(n) = fib(n - 1) + fib(n - 2) through its own cache: each n runs once. */
static int fib(pottery_value *result, const pottery_value *args, size_t nargs, void *payload)
{
    calls *c = payload;
    c->count++;
    int64_t n = nargs == 1 ? pottery_value_int(&args[0]) : 0;
    if (n < 2) {
        *result = pottery_int(n);
        return 0;
    }
    pottery_value a = POTTERY_VALUE_INIT, b = POTTERY_VALUE_INIT, m1 = pottery_int(n - 1), m2 = pottery_int(n - 2);
    int rc = pottery_cache_call(&a, c->recurse, &m1, 1);
    if (rc == 0) rc = pottery_cache_call(&b, c->recurse, &m2, 1);
    if (rc == 0) *result = pottery_int(pottery_value_int(&a) + pottery_value_int(&b));
    pottery_value_dispose(&a);
    pottery_value_dispose(&b);
    return rc;
}

static void test_recursive_function(void **state)
{
    (void)state;
    calls c = { 0 };
    assert_ok(pottery_cache_open(&c.recurse, client, "fib", fib, &c, NULL));
    pottery_value v = POTTERY_VALUE_INIT, n = pottery_int(80);
    assert_ok(pottery_cache_call(&v, c.recurse, &n, 1));
    assert_value_int(&v, INT64_C(23416728348467685));
    assert_int_equal(c.count, 81);
    assert_info(c.recurse, 78, 81, 81);
    pottery_cache_free(c.recurse);
}

/* ---- expiry ---- */

static void test_timeout_slides_on_every_call(void **state)
{
    (void)state;
    calls c = { 0 };
    pottery_cache *f = open_cache("ttl", &c, NULL); /* the default: 60 s */
    assert_call_int(f, pottery_int(1), 1);          /* miss */
    long long ms = pttl("ttl");
    assert_true(ms > 59000 && ms <= 60000);
    free(raw("PEXPIRE", "ttl", "5000", NULL));
    assert_call_int(f, pottery_int(1), 1); /* hit */
    assert_true(pttl("ttl") > 59000);
    free(raw("PEXPIRE", "ttl", "5000", NULL));
    assert_call_int(f, pottery_int(2), 2); /* miss */
    assert_true(pttl("ttl") > 59000);
    free(raw("PEXPIRE", "ttl", "5000", NULL));
    pottery_value v = POTTERY_VALUE_INIT, three = pottery_int(3);
    assert_ok(pottery_cache_bypass(&v, f, &three, 1));
    assert_true(pttl("ttl") > 59000);
    pottery_cache_free(f);

    /* a short timeout: the whole cache goes after it */
    f = open_cache_timeout("short", &c, 150);
    assert_call_int(f, pottery_int(1), 1);
    ms = pttl("short");
    assert_true(ms > 0 && ms <= 150);
    sleep_ms(300);
    assert_raw("0", raw("EXISTS", "short", NULL));
    pottery_cache_free(f);

    /* 0 and POTTERY_FOREVER: no expiry, and an existing one is left alone */
    int64_t never[] = { 0, POTTERY_FOREVER };
    for (size_t i = 0; i < 2; i++) {
        f = open_cache_timeout("forever", &c, never[i]);
        assert_call_int(f, pottery_int(1), 1);
        assert_call_int(f, pottery_int(1), 1);
        assert_ok(pottery_cache_bypass(&v, f, &three, 1));
        assert_raw("-1", raw("TTL", "forever", NULL));
        pottery_cache_free(f);
        free(raw("DEL", "forever", NULL));
    }
    pottery_value_dispose(&v);
}

/* ---- several processes ---- */

enum { RACE_WORKERS = 6, RACE_ROUNDS = 20, BIG = 200000 };

/* A large result, so that a torn write would show: "<n>" repeated. */
static int big_result(pottery_value *result, const pottery_value *args, size_t nargs, void *payload)
{
    (void)payload;
    (void)nargs;
    char *text = malloc(BIG + 1);
    if (!text) return pottery_error_set(POTTERY_ENOMEM, "out of memory");
    memset(text, (int)('a' + pottery_value_int(&args[0]) % 26), BIG);
    text[BIG] = '\0';
    pottery_value s = pottery_strn(text, BIG);
    int rc = pottery_value_copy(result, &s);
    free(text);
    return rc;
}

static int correct_big(const pottery_value *v, int64_t n)
{
    size_t len = 0;
    const char *s = pottery_value_str(v, &len);
    if (!s || len != BIG) return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] != (char)('a' + n % 26)) return 0;
    return 1;
}

static int race_worker(pottery_client *mine, int w, void *arg)
{
    (void)w;
    (void)arg;
    pottery_cache *f = NULL;
    int rc = pottery_cache_open(&f, mine, "race", big_result, NULL, NULL);
    pottery_value v = POTTERY_VALUE_INIT;
    for (int round = 0; rc == 0 && round < RACE_ROUNDS; round++) {
        pottery_value n = pottery_int(round);
        rc = pottery_cache_call(&v, f, &n, 1);
        if (rc == 0 && !correct_big(&v, round)) rc = -1;
    }
    pottery_value_dispose(&v);
    pottery_cache_free(f);
    return rc == 0 ? 0 : 2;
}

static void test_concurrent_misses(void **state)
{
    (void)state;
    pid_t pids[RACE_WORKERS];
    for (int w = 0; w < RACE_WORKERS; w++) pids[w] = fork_worker(race_worker, w, NULL);
    for (int w = 0; w < RACE_WORKERS; w++) assert_int_equal(wait_exit_code(pids[w]), 0);
    char count[16];
    snprintf(count, sizeof count, "%d", RACE_ROUNDS);
    assert_raw(count, raw("HLEN", "race", NULL));
    /* one entry per call, each a whole value */
    pottery_cache *f = NULL;
    assert_ok(pottery_cache_open(&f, client, "race", big_result, NULL, NULL));
    pottery_value v = POTTERY_VALUE_INIT;
    for (int round = 0; round < RACE_ROUNDS; round++) {
        pottery_value n = pottery_int(round);
        assert_round_trips(1, pottery_cache_call(&v, f, &n, 1));
        assert_true(correct_big(&v, round));
    }
    pottery_value_dispose(&v);
    pottery_cache_free(f);
}

/* ---- bad input ---- */

static int open_plain(pottery_cache **out, pottery_client *c, const char *key, const pottery_cache_options *opts)
{
    static calls unused;
    return pottery_cache_open(out, c, key, identity, &unused, opts);
}

static void test_options_and_accessors(void **state)
{
    (void)state;
    pottery_cache_options opts;
    memset(&opts, 0xff, sizeof opts);
    pottery_cache_options_init(&opts);
    assert_int_equal(opts.version, POTTERY_CACHE_OPTIONS_VERSION);
    assert_int_equal(opts.timeout_ms, 60000);
    assert_int_equal(opts.fields, POTTERY_CACHE_FIELDS_JSON);
    pottery_cache_options by_macro = POTTERY_CACHE_OPTIONS_INIT;
    assert_int_equal(by_macro.version, opts.version);
    assert_int_equal(by_macro.timeout_ms, opts.timeout_ms);
    assert_int_equal(by_macro.fields, opts.fields);
    /* The macro opens with (out, client, key, opts), and expects the message to name the function. */
#define pottery_cache_open(out, c, key, o) open_plain(out, c, key, o)
    assert_options_version_checked(pottery_cache, pottery_cache_open, "versioned", &opts,
                                   POTTERY_CACHE_OPTIONS_VERSION);
#undef pottery_cache_open
    pottery_cache *f = NULL;
    opts.timeout_ms = -2;
    assert_code(POTTERY_EINVAL, open_plain(&f, client, "k", &opts));
    assert_message_contains("timeout_ms");
    opts.timeout_ms = 0;
    opts.fields = (pottery_cache_fields)7;
    assert_code(POTTERY_EINVAL, open_plain(&f, client, "k", &opts));
    assert_null(f);
    assert_round_trips(0, open_plain(&f, client, "versioned", NULL));
    assert_string_equal(pottery_cache_key(f), "versioned");
    assert_ptr_equal(pottery_cache_client(f), client);
    pottery_cache_free(f);
    /* NULL key: a temporary key, deleted with the handle */
    assert_ok(open_plain(&f, client, NULL, NULL));
    assert_random_key(pottery_cache_key(f));
    char key[64];
    snprintf(key, sizeof key, "%s", pottery_cache_key(f));
    assert_call_int(f, pottery_int(1), 1);
    assert_raw("1", raw("EXISTS", key, NULL));
    pottery_cache_free(f);
    assert_raw("0", raw("EXISTS", key, NULL));
    assert_code(POTTERY_EINVAL, open_plain(&f, client, "", NULL));
    pottery_cache_free(NULL);
}

static void test_null_arguments(void **state)
{
    (void)state;
    calls c = { 0 };
    pottery_cache *f = open_cache("nulls", &c, NULL), *none = f;
    pottery_value v = POTTERY_VALUE_INIT, one = pottery_int(1);
    pottery_cache_info info;
    char *field = NULL;
    assert_code(POTTERY_EINVAL, pottery_cache_open(NULL, client, "k", identity, NULL, NULL));
    assert_code(POTTERY_EINVAL, pottery_cache_open(&none, NULL, "k", identity, NULL, NULL));
    assert_null(none);
    none = f;
    assert_code(POTTERY_EINVAL, pottery_cache_open(&none, client, "k", NULL, NULL, NULL));
    assert_null(none);
    assert_code(POTTERY_EINVAL, pottery_cache_call(NULL, f, &one, 1));
    assert_code(POTTERY_EINVAL, pottery_cache_call(&v, NULL, &one, 1));
    assert_code(POTTERY_EINVAL, pottery_cache_call(&v, f, NULL, 1));
    assert_message_contains("nargs is 1");
    assert_code(POTTERY_EINVAL, pottery_cache_bypass(NULL, f, &one, 1));
    assert_code(POTTERY_EINVAL, pottery_cache_bypass(&v, f, NULL, 2));
    assert_code(POTTERY_EINVAL, pottery_cache_wrapped(&v, NULL, &one, 1));
    assert_code(POTTERY_EINVAL, pottery_cache_wrapped(&v, f, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_cache_info_get(NULL, f));
    assert_code(POTTERY_EINVAL, pottery_cache_info_get(&info, NULL));
    assert_code(POTTERY_EINVAL, pottery_cache_clear(NULL));
    assert_code(POTTERY_EINVAL, pottery_cache_field(NULL, NULL, f, &one, 1));
    assert_code(POTTERY_EINVAL, pottery_cache_field(&field, NULL, NULL, &one, 1));
    assert_code(POTTERY_EINVAL, pottery_cache_field(&field, NULL, f, NULL, 1));
    pottery_value null_str = pottery_str(NULL);
    assert_code(POTTERY_EINVAL, pottery_cache_call(&v, f, &null_str, 1));
    assert_null(pottery_cache_key(NULL));
    assert_null(pottery_cache_client(NULL));
    assert_int_equal(c.count, 0);
    assert_int_equal(commands(), 0);
    pottery_cache_free(f);
}

static void test_unencodable_arguments_and_results(void **state)
{
    (void)state;
    calls c = { 0 };
    pottery_cache *f = open_cache("bad", &c, NULL);
    pottery_value v = pottery_int(7);
    pottery_value bad_args[] = { pottery_strn("\xc0\xaf", 2), pottery_json("{not json") };
    for (size_t i = 0; i < 2; i++) {
        pottery_value args[] = { pottery_int(1), bad_args[i] };
        assert_code(POTTERY_ETYPE, pottery_cache_call(&v, f, args, 2));
        assert_message_contains("pottery_cache_call: argument 1");
        assert_code(POTTERY_ETYPE, pottery_cache_bypass(&v, f, args, 2));
        assert_code(POTTERY_ETYPE, pottery_cache_field(&(char *){ NULL }, NULL, f, args, 2));
    }
    assert_int_equal(commands(), 0); /* refused before anything was sent */
    assert_int_equal(c.count, 0);
    /* a result that is not JSON: looked up, computed, not stored */
    c.result_json = "[1, oops]";
    pottery_value one = pottery_int(1);
    assert_round_trips(1, pottery_cache_call(&v, f, &one, 1) == POTTERY_ETYPE ? 0 : -1);
    assert_message_contains("cannot be stored as JSON");
    assert_message_contains("bad");
    assert_code(POTTERY_ETYPE, pottery_cache_bypass(&v, f, &one, 1));
    assert_value_int(&v, 7);
    assert_int_equal(c.count, 2);
    assert_raw("0", raw("EXISTS", "bad", NULL));
    assert_info(f, 0, 0, 0);
    pottery_cache_free(f);
}

static void test_function_failure_is_not_cached(void **state)
{
    (void)state;
    calls c = { 0 };
    pottery_cache *f = open_cache("fails", &c, NULL);
    pottery_value v = pottery_int(7), one = pottery_int(1);
    c.fail = POTTERY_ENOTFOUND;
    assert_code(POTTERY_ENOTFOUND, pottery_cache_call(&v, f, &one, 1));
    assert_message("the function failed on purpose");
    assert_code(POTTERY_ENOTFOUND, pottery_cache_bypass(&v, f, &one, 1));
    assert_message("the function failed on purpose");
    assert_code(POTTERY_ENOTFOUND, pottery_cache_wrapped(&v, f, &one, 1));
    c.fail = 3; /* not an error code */
    assert_code(POTTERY_EINVAL, pottery_cache_call(&v, f, &one, 1));
    assert_message_contains("returned 3");
    assert_value_int(&v, 7);
    assert_raw("0", raw("EXISTS", "fails", NULL));
    assert_info(f, 0, 0, 0);
    /* once it works, the call is cached as usual */
    c.fail = 0;
    assert_call_int(f, pottery_int(1), 1);
    assert_info(f, 0, 1, 1);
    pottery_cache_free(f);
}

static void test_foreign_data_is_a_decode_error(void **state)
{
    (void)state;
    free(raw("HSET", "foreign", "[5]", "not json", NULL));
    for (int with_timeout = 0; with_timeout < 2; with_timeout++) {
        calls c = { 0 };
        pottery_cache *f = open_cache_timeout("foreign", &c, with_timeout ? 60000 : 0);
        pottery_value v = pottery_int(7), five = pottery_int(5);
        assert_code(POTTERY_EDECODE, pottery_cache_call(&v, f, &five, 1));
        assert_message_contains("cache 'foreign'");
        assert_message_contains("[5]");
        assert_value_int(&v, 7);
        assert_int_equal(c.count, 0); /* the function did not run, the entry was not replaced */
        assert_raw("not json", raw("HGET", "foreign", "[5]", NULL));
        assert_info(f, 0, 0, 1);
        pottery_cache_free(f);
    }
}

static void test_wrong_redis_type(void **state)
{
    (void)state;
    free(raw("SET", "plain", "value", NULL));
    for (int with_timeout = 0; with_timeout < 2; with_timeout++) {
        calls c = { 0 };
        pottery_cache *f = open_cache_timeout("plain", &c, with_timeout ? 60000 : 0);
        pottery_value v = pottery_int(7), one = pottery_int(1);
        assert_wrongtype(pottery_cache_call(&v, f, &one, 1));
        assert_int_equal(c.count, 0);
        assert_wrongtype(pottery_cache_bypass(&v, f, &one, 1));
        assert_int_equal(c.count, 1);
        assert_wrongtype(pottery_cache_info_get(&(pottery_cache_info){ 0 }, f));
        assert_value_int(&v, 7);
        /* nothing written: not the value, not an expiry */
        assert_raw("value", raw("GET", "plain", NULL));
        assert_raw("-1", raw("TTL", "plain", NULL));
        pottery_cache_free(f);
    }
}

static void test_dropped_connection(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client *mine = victim_start(&victim, NULL);
    calls c = { 0 };
    pottery_cache *f = NULL;
    assert_ok(pottery_cache_open(&f, mine, "k", identity, &c, NULL));
    assert_call_int(f, pottery_int(1), 1);
    test_redis_kill(&victim);
    pottery_value v = POTTERY_VALUE_INIT, two = pottery_int(2);
    assert_conn_lost(pottery_cache_call(&v, f, &two, 1));
    assert_int_equal(test_redis_restart(&victim), 0);
    assert_call_int(f, pottery_int(2), 2); /* reconnects by itself */
    pottery_cache_free(f);
    victim_stop(&victim, mine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_readme_walkthrough, fixture_reset),
        cmocka_unit_test_setup(test_round_trip_budgets, fixture_reset),
        cmocka_unit_test_setup(test_results_are_json_and_null_is_cached, fixture_reset),
        cmocka_unit_test_setup(test_json_fields, fixture_reset),
        cmocka_unit_test_setup(test_python_hash_vectors, fixture_reset),
        cmocka_unit_test_setup(test_python_fields_refuse_other_types, fixture_reset),
        cmocka_unit_test_setup(test_shares_entries_with_pottery, fixture_reset),
        cmocka_unit_test_setup(test_bypass_and_wrapped, fixture_reset),
        cmocka_unit_test_setup(test_recursive_function, fixture_reset),
        cmocka_unit_test_setup(test_timeout_slides_on_every_call, fixture_reset),
        cmocka_unit_test_setup(test_concurrent_misses, fixture_reset),
        cmocka_unit_test_setup(test_options_and_accessors, fixture_reset),
        cmocka_unit_test_setup(test_null_arguments, fixture_reset),
        cmocka_unit_test_setup(test_unencodable_arguments_and_results, fixture_reset),
        cmocka_unit_test_setup(test_function_failure_is_not_cached, fixture_reset),
        cmocka_unit_test_setup(test_foreign_data_is_a_decode_error, fixture_reset),
        cmocka_unit_test_setup(test_wrong_redis_type, fixture_reset),
        cmocka_unit_test_setup(test_dropped_connection, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
