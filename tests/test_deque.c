/* pottery_deque against a private redis-server: behaviour, maxlen, layout, round trips,
 * concurrency and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pottery.h"
#include "pottery/deque.h"
#include "support/test_fixture.h"

/* ---- helpers ---- */

/* The whole Redis list, one element per line, read through the independent connection. */
#define assert_list(key, expected) assert_raw((expected), raw("LRANGE", (key), "0", "-1", NULL))

static long long raw_llen(const char *key)
{
    char *n = raw("LLEN", key, NULL);
    assert_non_null(n);
    long long v = strtoll(n, NULL, 10);
    free(n);
    return v;
}

static pottery_deque *open_with(const char *key, int64_t maxlen, const pottery_value *items, size_t n)
{
    pottery_deque_options opts = POTTERY_DEQUE_OPTIONS_INIT;
    opts.maxlen = maxlen;
    opts.items = items;
    opts.nitems = n;
    pottery_deque *d = NULL;
    assert_ok(pottery_deque_open(&d, client, key, &opts));
    return d;
}

static pottery_deque *open_deque(const char *key, int64_t maxlen)
{
    return open_with(key, maxlen, NULL, 0);
}

static int64_t deque_len(pottery_deque *d)
{
    int64_t n = -1;
    assert_ok(pottery_deque_len(&n, d));
    return n;
}

static void assert_repr(pottery_deque *d, const char *expected)
{
    char *text = NULL;
    assert_ok(pottery_deque_repr(&text, d));
    assert_string_equal(text, expected);
    pottery_free(text);
}

/* Fill a deque with the integers from..to-1 (raw RPUSH, as pottery would store them). */
static void fill_ints(const char *key, int from, int to)
{
    for (int i = from; i < to; i++) {
        char v[24];
        snprintf(v, sizeof v, "%d", i);
        free(raw("RPUSH", key, v, NULL));
    }
}

/* 'g', 'h', 'i' (values need a constructor call, so not a constant table) */
static const pottery_value *letters_ghi(void)
{
    static pottery_value ghi[3];
    ghi[0] = pottery_str("g");
    ghi[1] = pottery_str("h");
    ghi[2] = pottery_str("i");
    return ghi;
}

/* ---- the seed README's session ---- */

static void test_readme_session(void **state)
{
    (void)state;
    pottery_deque *d = open_with("letters", POTTERY_DEQUE_NO_MAXLEN, letters_ghi(), 3);
    pottery_deque_iter *it = NULL;
    pottery_value v = POTTERY_VALUE_INIT;
    char seen[8] = "";
    assert_ok(pottery_deque_iter_new(&it, d));
    while (pottery_deque_iter_next(&v, it) == 0) {
        assert_int_equal(pottery_value_type(&v), POTTERY_TYPE_STRING);
        strncat(seen, pottery_value_str(&v, NULL), 1);
    }
    pottery_deque_iter_free(it);
    assert_string_equal(seen, "ghi");

    assert_ok(pottery_deque_append(d, pottery_str("j")));
    assert_ok(pottery_deque_appendleft(d, pottery_str("f")));
    assert_repr(d, "RedisDeque(['f', 'g', 'h', 'i', 'j'])");
    assert_ok(pottery_deque_pop(&v, d));
    assert_value_str(&v, "j");
    assert_ok(pottery_deque_popleft(&v, d));
    assert_value_str(&v, "f");
    int eq = 0;
    assert_ok(pottery_deque_equal_json(&eq, d, "[\"g\", \"h\", \"i\"]"));
    assert_int_equal(eq, 1);
    assert_ok(pottery_deque_peekleft(&v, d));
    assert_value_str(&v, "g");
    assert_ok(pottery_deque_peek(&v, d));
    assert_value_str(&v, "i");

    /* list(reversed(d)) */
    seen[0] = '\0';
    assert_ok(pottery_deque_iter_new_reversed(&it, d));
    while (pottery_deque_iter_next(&v, it) == 0) strncat(seen, pottery_value_str(&v, NULL), 1);
    pottery_deque_iter_free(it);
    assert_string_equal(seen, "ihg");
    int in = 0;
    assert_ok(pottery_deque_contains(&in, d, pottery_str("h")));
    assert_int_equal(in, 1);

    pottery_value jkl[] = { pottery_str("j"), pottery_str("k"), pottery_str("l") };
    assert_ok(pottery_deque_extend(d, jkl, 3));
    assert_repr(d, "RedisDeque(['g', 'h', 'i', 'j', 'k', 'l'])");
    assert_ok(pottery_deque_rotate(d, 1));
    assert_repr(d, "RedisDeque(['l', 'g', 'h', 'i', 'j', 'k'])");
    assert_ok(pottery_deque_rotate(d, -1));
    assert_repr(d, "RedisDeque(['g', 'h', 'i', 'j', 'k', 'l'])");

    pottery_value abc[] = { pottery_str("a"), pottery_str("b"), pottery_str("c") };
    assert_ok(pottery_deque_clear(d));
    assert_ok(pottery_deque_extendleft(d, abc, 3));
    assert_repr(d, "RedisDeque(['c', 'b', 'a'])");
    assert_list("letters", "\"c\"\n\"b\"\n\"a\"");
    pottery_value_dispose(&v);
    pottery_deque_free(d);
}

/* ---- layout: the bytes pottery writes ---- */

static void test_layout_matches_pottery(void **state)
{
    (void)state;
    pottery_deque *d = open_deque("layout", 10);
    assert_ok(pottery_deque_append(d, pottery_str("caf\xc3\xa9")));
    assert_ok(pottery_deque_append(d, pottery_json("{\"b\": [1, 2.5], \"a\": null}")));
    assert_ok(pottery_deque_appendleft(d, pottery_double(1e16)));
    assert_ok(pottery_deque_appendleft(d, pottery_bool(1)));
    assert_raw("list", raw("TYPE", "layout", NULL));
    assert_list("layout", "true\n1e+16\n\"caf\\u00e9\"\n{\"a\": null, \"b\": [1, 2.5]}");

    /* ...and what pottery wrote is read back. */
    free(raw("RPUSH", "layout", "[1, 2]", NULL));
    free(raw("LPUSH", "layout", "null", NULL));
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_deque_pop(&v, d));
    assert_value_json(&v, "[1, 2]");
    assert_ok(pottery_deque_popleft(&v, d));
    assert_value_null(&v);
    assert_ok(pottery_deque_popleft(&v, d));
    assert_int_equal(pottery_value_type(&v), POTTERY_TYPE_BOOL);
    assert_ok(pottery_deque_popleft(&v, d));
    assert_value_double(&v, 1e16);
    pottery_value_dispose(&v);
    pottery_deque_free(d);
}

/* ---- open: initial items, maxlen, random keys ---- */

static void test_open_with_items(void **state)
{
    (void)state;
    pottery_value six[] = { pottery_int(1), pottery_int(2), pottery_int(3),
                            pottery_int(4), pottery_int(5), pottery_int(6) };
    uint64_t before = round_trips();
    pottery_deque *d = open_with("six", 3, six, 6);
    assert_int_equal(round_trips() - before, 1);
    assert_list("six", "4\n5\n6"); /* only the last maxlen */
    assert_repr(d, "RedisDeque([4, 5, 6], maxlen=3)");
    pottery_deque_free(d);

    /* maxlen 0: nothing stored at all. */
    d = open_with("zero", 0, six, 6);
    assert_raw("0", raw("EXISTS", "zero", NULL));
    assert_repr(d, "RedisDeque([], maxlen=0)");
    pottery_deque_free(d);

    /* Unbounded: everything, in order. */
    d = open_with("all", POTTERY_DEQUE_NO_MAXLEN, six, 6);
    assert_list("all", "1\n2\n3\n4\n5\n6");
    pottery_deque_free(d);
}

static void test_open_with_items_on_existing_key_fails(void **state)
{
    (void)state;
    free(raw("RPUSH", "taken", "\"old\"", NULL));
    pottery_value items[] = { pottery_str("new") };
    pottery_deque_options opts = POTTERY_DEQUE_OPTIONS_INIT;
    opts.items = items;
    opts.nitems = 1;
    pottery_deque *d = NULL; /* must be reset to NULL on failure */
    uint64_t before = round_trips();
    assert_code(POTTERY_EEXISTS, pottery_deque_open(&d, client, "taken", &opts));
    assert_int_equal(round_trips() - before, 1);
    assert_null(d);
    assert_message_contains("taken");
    assert_list("taken", "\"old\"");
    /* Also with a maxlen 0 (nothing would be stored) and on a key of another type. */
    opts.maxlen = 0;
    assert_code(POTTERY_EEXISTS, pottery_deque_open(&d, client, "taken", &opts));
    assert_list("taken", "\"old\"");
    free(raw("SET", "str", "x", NULL));
    assert_code(POTTERY_EEXISTS, pottery_deque_open(&d, client, "str", &opts));
    assert_raw("x", raw("GET", "str", NULL));
    /* A "pottery:" key that exists is not deleted by the failed open either. */
    free(raw("RPUSH", "pottery:busy", "1", NULL));
    assert_code(POTTERY_EEXISTS, pottery_deque_open(&d, client, "pottery:busy", &opts));
    assert_raw("1", raw("LLEN", "pottery:busy", NULL));
    /* Without items, attaching to an existing list is fine and sends nothing. */
    assert_round_trips(0, pottery_deque_open(&d, client, "taken", NULL));
    pottery_deque_free(d);
    assert_raw("1", raw("EXISTS", "taken", NULL)); /* user keys survive free */
}

static void test_open_beyond_maxlen_fails(void **state)
{
    (void)state;
    fill_ints("long", 0, 5);
    pottery_deque_options opts = POTTERY_DEQUE_OPTIONS_INIT;
    opts.maxlen = 3;
    pottery_deque *d = NULL;
    uint64_t before = round_trips();
    assert_code(POTTERY_EINDEX, pottery_deque_open(&d, client, "long", &opts));
    assert_int_equal(round_trips() - before, 1);
    assert_null(d);
    assert_message("IndexError: persistent RedisDeque beyond its maximum size");
    assert_raw("5", raw("LLEN", "long", NULL));
    opts.maxlen = 0;
    assert_code(POTTERY_EINDEX, pottery_deque_open(&d, client, "long", &opts));
    /* Exactly maxlen, or an absent key, is fine. */
    d = open_deque("long", 5);
    int64_t maxlen = 0;
    assert_ok(pottery_deque_maxlen(&maxlen, d));
    assert_int_equal(maxlen, 5);
    pottery_deque_free(d);
    d = open_deque("absent", 0);
    pottery_deque_free(d);
    d = open_deque("long", POTTERY_DEQUE_NO_MAXLEN);
    assert_ok(pottery_deque_maxlen(&maxlen, d));
    assert_int_equal(maxlen, POTTERY_DEQUE_NO_MAXLEN);
    pottery_deque_free(d);
    /* A negative maxlen other than "none" is Python's ValueError. */
    opts.maxlen = -2;
    assert_code(POTTERY_EINVAL, pottery_deque_open(&d, client, "long", &opts));
    assert_message("ValueError: maxlen must be non-negative");
}

static void test_options_and_accessors(void **state)
{
    (void)state;
    pottery_deque_options opts;
    pottery_deque_options_init(&opts);
    assert_int_equal(opts.version, POTTERY_DEQUE_OPTIONS_VERSION);
    assert_null(opts.items);
    assert_int_equal(opts.nitems, 0);
    assert_int_equal(opts.maxlen, POTTERY_DEQUE_NO_MAXLEN);
    opts.maxlen = 4;
    pottery_deque *d = NULL;
    assert_round_trips(1, pottery_deque_open(&d, client, "opts", &opts)); /* LLEN */
    assert_string_equal(pottery_deque_key(d), "opts");
    assert_ptr_equal(pottery_deque_client(d), client);
    int64_t maxlen = 0;
    assert_ok(pottery_deque_maxlen(&maxlen, d));
    assert_int_equal(maxlen, 4);
    pottery_deque_free(d);
    /* A zeroed struct, or one from a newer header: refused. */
    memset(&opts, 0, sizeof opts);
    assert_options_version_checked(pottery_deque, pottery_deque_open, "opts", &opts, POTTERY_DEQUE_OPTIONS_VERSION);
}

static void test_random_key_is_temporary(void **state)
{
    (void)state;
    pottery_deque *d = open_with(NULL, 2, letters_ghi(), 3);
    const char *key = pottery_deque_key(d);
    assert_random_key(key);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", key);
    assert_list(saved, "\"h\"\n\"i\"");
    pottery_deque_free(d);
    assert_raw("0", raw("EXISTS", saved, NULL));
    /* A user-chosen "pottery:" key is deleted too, as pottery does. */
    free(raw("RPUSH", "pottery:mine", "1", NULL));
    d = open_deque("pottery:mine", POTTERY_DEQUE_NO_MAXLEN);
    pottery_deque_free(d);
    assert_raw("0", raw("EXISTS", "pottery:mine", NULL));
    pottery_deque_free(NULL);
}

/* ---- pushes and pops ---- */

static void test_single_operations_cost_one_round_trip(void **state)
{
    (void)state;
    for (int bounded = 0; bounded < 2; bounded++) {
        free(raw("FLUSHALL", NULL));
        pottery_deque *d = open_deque("rtt", bounded ? 3 : POTTERY_DEQUE_NO_MAXLEN);
        pottery_value v = POTTERY_VALUE_INIT;
        uint64_t before = round_trips(), cmds = commands();
        assert_ok(pottery_deque_append(d, pottery_int(1)));
        assert_int_equal(round_trips() - before, 1);
        assert_int_equal(commands() - cmds, bounded ? 4 : 1);
        before = round_trips();
        cmds = commands();
        assert_ok(pottery_deque_appendleft(d, pottery_int(0)));
        assert_int_equal(round_trips() - before, 1);
        assert_int_equal(commands() - cmds, bounded ? 4 : 1);
        pottery_value two[] = { pottery_int(2), pottery_int(3) };
        before = round_trips();
        assert_ok(pottery_deque_extend(d, two, 2));
        assert_ok(pottery_deque_extendleft(d, two, 2));
        assert_int_equal(round_trips() - before, 2);
        assert_round_trips(1, pottery_deque_pop(&v, d));
        assert_round_trips(1, pottery_deque_popleft(&v, d));
        assert_round_trips(1, pottery_deque_rotate(d, 1));
        assert_round_trips(1, pottery_deque_insert(d, 1, pottery_int(9)));
        before = round_trips();
        assert_ok(pottery_deque_peek(&v, d));
        assert_ok(pottery_deque_peekleft(&v, d));
        assert_ok(pottery_deque_get(&v, d, 1));
        assert_int_equal(round_trips() - before, 3);
        pottery_value_dispose(&v);
        pottery_deque_free(d);
    }
}

static void test_pop_from_empty(void **state)
{
    (void)state;
    pottery_deque *d = open_deque("empty", POTTERY_DEQUE_NO_MAXLEN);
    pottery_value v = pottery_int(7); /* a borrowed value in out must stay untouched */
    assert_code(POTTERY_EINDEX, pottery_deque_pop(&v, d));
    assert_message("IndexError: pop from an empty deque");
    assert_value_int(&v, 7);
    assert_code(POTTERY_EINDEX, pottery_deque_popleft(&v, d));
    assert_message("IndexError: pop from an empty deque");
    assert_code(POTTERY_EINDEX, pottery_deque_peek(&v, d));
    assert_message("IndexError: deque index out of range");
    assert_code(POTTERY_EINDEX, pottery_deque_peekleft(&v, d));
    assert_message("IndexError: deque index out of range");
    assert_value_int(&v, 7);
    /* Pops empty the deque from both ends in order. */
    assert_ok(pottery_deque_extend(d, letters_ghi(), 3));
    v = pottery_null();
    assert_ok(pottery_deque_popleft(&v, d));
    assert_value_str(&v, "g");
    assert_ok(pottery_deque_pop(&v, d));
    assert_value_str(&v, "i");
    assert_ok(pottery_deque_pop(&v, d));
    assert_value_str(&v, "h");
    assert_code(POTTERY_EINDEX, pottery_deque_popleft(&v, d));
    assert_raw("0", raw("EXISTS", "empty", NULL));
    pottery_value_dispose(&v);
    pottery_deque_free(d);
}

static void test_maxlen_drops_the_other_end(void **state)
{
    (void)state;
    pottery_deque *d = open_deque("bounded", 3);
    pottery_value abcde[] = { pottery_str("a"), pottery_str("b"), pottery_str("c"), pottery_str("d"),
                              pottery_str("e") };
    for (int i = 0; i < 5; i++) assert_ok(pottery_deque_append(d, abcde[i]));
    assert_list("bounded", "\"c\"\n\"d\"\n\"e\"");
    assert_ok(pottery_deque_appendleft(d, pottery_str("z")));
    assert_list("bounded", "\"z\"\n\"c\"\n\"d\"");
    assert_ok(pottery_deque_append(d, pottery_str("y")));
    assert_list("bounded", "\"c\"\n\"d\"\n\"y\"");
    assert_repr(d, "RedisDeque(['c', 'd', 'y'], maxlen=3)");

    /* extend keeps the rightmost maxlen; extendleft the leftmost (values reversed). */
    pottery_value two[] = { pottery_int(1), pottery_int(2) };
    assert_ok(pottery_deque_extend(d, two, 2));
    assert_list("bounded", "\"y\"\n1\n2");
    assert_ok(pottery_deque_extendleft(d, two, 2));
    assert_list("bounded", "2\n1\n\"y\"");
    /* More values than maxlen: only the last maxlen are sent (MULTI, PUSH, LTRIM, EXEC), with the same result as
     * pushing them all (Python: deque('xyz', maxlen=3).extend('abcde') -> c, d, e). */
    assert_commands(4, pottery_deque_extend(d, abcde, 5));
    assert_list("bounded", "\"c\"\n\"d\"\n\"e\"");
    assert_ok(pottery_deque_extendleft(d, abcde, 5));
    assert_list("bounded", "\"e\"\n\"d\"\n\"c\"");
    /* A list someone else made longer is trimmed back by the next push. */
    fill_ints("bounded", 0, 4);
    assert_ok(pottery_deque_appendleft(d, pottery_str("new")));
    assert_list("bounded", "\"new\"\n\"e\"\n\"d\"");
    pottery_deque_free(d);

    /* maxlen 1 */
    d = open_deque("one", 1);
    assert_ok(pottery_deque_append(d, pottery_int(1)));
    assert_ok(pottery_deque_append(d, pottery_int(2)));
    assert_ok(pottery_deque_appendleft(d, pottery_int(3)));
    assert_list("one", "3");
    pottery_deque_free(d);
}

static void test_maxlen_zero_is_always_empty(void **state)
{
    (void)state;
    pottery_deque *d = open_deque("nothing", 0);
    assert_ok(pottery_deque_append(d, pottery_int(1)));
    assert_raw("0", raw("EXISTS", "nothing", NULL));
    assert_ok(pottery_deque_appendleft(d, pottery_int(1))); /* pottery quirk 6 */
    assert_raw("0", raw("EXISTS", "nothing", NULL));
    assert_ok(pottery_deque_extend(d, letters_ghi(), 3));
    assert_ok(pottery_deque_extendleft(d, letters_ghi(), 3));
    assert_raw("0", raw("EXISTS", "nothing", NULL));
    assert_code(POTTERY_EINDEX, pottery_deque_insert(d, 0, pottery_int(1)));
    assert_message("IndexError: deque already at its maximum size");
    pottery_value v = POTTERY_VALUE_INIT;
    assert_code(POTTERY_EINDEX, pottery_deque_pop(&v, d));
    assert_int_equal(deque_len(d), 0);
    assert_repr(d, "RedisDeque([], maxlen=0)");
    /* Values are still checked. */
    assert_code(POTTERY_ETYPE, pottery_deque_append(d, pottery_strn("\xff", 1)));
    pottery_deque_free(d);
}

static void test_extend_is_one_round_trip(void **state)
{
    (void)state;
    enum { N = 10000 };
    pottery_value *values = int_values(N, 0, 1);

    /* Unbounded, both sides. */
    pottery_deque *d = open_deque("bulk", POTTERY_DEQUE_NO_MAXLEN);
    assert_round_trips(1, pottery_deque_extend(d, values, N));
    assert_int_equal(raw_llen("bulk"), N);
    assert_raw("0", raw("LINDEX", "bulk", "0", NULL));
    assert_raw("9999", raw("LINDEX", "bulk", "-1", NULL));
    assert_round_trips(1, pottery_deque_extendleft(d, values, N));
    assert_int_equal(raw_llen("bulk"), 2 * N);
    assert_raw("9999", raw("LINDEX", "bulk", "0", NULL));
    assert_raw("0", raw("LINDEX", "bulk", "9999", NULL));
    assert_raw("0", raw("LINDEX", "bulk", "10000", NULL));
    pottery_deque_free(d);

    /* Bounded below the chunk size: one MULTI/PUSH/LTRIM/EXEC, the last 50 only. */
    d = open_deque("bulk50", 50);
    uint64_t before = round_trips();
    uint64_t cmds = commands();
    assert_ok(pottery_deque_extend(d, values, N));
    assert_int_equal(round_trips() - before, 1);
    assert_int_equal(commands() - cmds, 4);
    assert_int_equal(raw_llen("bulk50"), 50);
    assert_raw("9950", raw("LINDEX", "bulk50", "0", NULL));
    assert_raw("9999", raw("LINDEX", "bulk50", "-1", NULL));
    assert_ok(pottery_deque_extendleft(d, values, N));
    assert_raw("9999", raw("LINDEX", "bulk50", "0", NULL));
    assert_raw("9950", raw("LINDEX", "bulk50", "-1", NULL));
    pottery_deque_free(d);

    /* Bounded above the chunk size (10,000 values per PUSH): streamed, trimmed in the
     * same transaction. */
    enum { MANY = 25000, BIG_BOUND = 15000 };
    pottery_value *many = int_values(MANY, 0, 1);
    fill_ints("bulk15000", -10, 0);
    d = open_deque("bulk15000", BIG_BOUND);
    cmds = commands();
    assert_round_trips(1, pottery_deque_extend(d, many, MANY));
    assert_int_equal(commands() - cmds, 5); /* MULTI, 2 RPUSH, LTRIM, EXEC */
    assert_int_equal(raw_llen("bulk15000"), BIG_BOUND);
    assert_raw("10000", raw("LINDEX", "bulk15000", "0", NULL));
    assert_round_trips(1, pottery_deque_extendleft(d, many, 16000));
    assert_int_equal(raw_llen("bulk15000"), BIG_BOUND);
    assert_raw("15999", raw("LINDEX", "bulk15000", "0", NULL));
    assert_raw("1000", raw("LINDEX", "bulk15000", "-1", NULL));
    pottery_deque_free(d);
    free(many);

    /* Nothing to do: nothing sent. */
    d = open_deque("idle", 3);
    cmds = commands();
    assert_ok(pottery_deque_extend(d, NULL, 0));
    assert_ok(pottery_deque_extendleft(d, values, 0));
    assert_int_equal(commands(), cmds);
    pottery_deque_free(d);
    free(values);
}

static void test_bad_value_writes_nothing(void **state)
{
    (void)state;
    enum { N = 25000 }; /* more than two PUSHes of 10,000 values */
    pottery_value *values = int_values(N, 0, 1);
    for (int bounded = 0; bounded < 2; bounded++) {
        pottery_deque *d = open_deque("bad", bounded ? 10 : POTTERY_DEQUE_NO_MAXLEN);
        /* In the last chunk of a streamed push, and (bounded) among values that a maxlen
         * would drop anyway: both rejected, nothing written. */
        values[N - 1] = pottery_strn("\xff\xfe", 2);
        assert_code(POTTERY_ETYPE, pottery_deque_extend(d, values, N));
        assert_code(POTTERY_ETYPE, pottery_deque_extendleft(d, values, N));
        values[N - 1] = pottery_int(N - 1);
        values[0] = pottery_json("{not json");
        assert_code(POTTERY_ETYPE, pottery_deque_extend(d, values, N));
        assert_code(POTTERY_ETYPE, pottery_deque_extend(d, values, 3));
        values[0] = pottery_int(0);
        assert_code(POTTERY_ETYPE, pottery_deque_append(d, pottery_strn("\xc0\xaf", 2)));
        assert_code(POTTERY_ETYPE, pottery_deque_appendleft(d, pottery_json("[1,")));
        assert_code(POTTERY_ETYPE, pottery_deque_insert(d, 0, pottery_strn("\xed\xa0\x80", 3)));
        assert_raw("0", raw("EXISTS", "bad", NULL));
        /* The client is still usable afterwards. */
        assert_ok(pottery_deque_extend(d, values, 20));
        assert_int_equal(deque_len(d), bounded ? 10 : 20);
        assert_ok(pottery_deque_clear(d));
        pottery_deque_free(d);
    }
    /* Initial items are checked the same way, including the ones maxlen drops. */
    pottery_value items[] = { pottery_strn("\xff", 1), pottery_int(1) };
    pottery_deque_options opts = POTTERY_DEQUE_OPTIONS_INIT;
    opts.items = items;
    opts.nitems = 2;
    opts.maxlen = 1;
    pottery_deque *d = NULL;
    assert_code(POTTERY_ETYPE, pottery_deque_open(&d, client, "bad", &opts));
    assert_raw("0", raw("EXISTS", "bad", NULL));
    free(values);
}

/* ---- rotate ---- */

/* Python's deque(range(len)).rotate(n), computed here. */
static void expected_rotation(char *out, size_t size, int len, int64_t n)
{
    size_t at = 0;
    out[0] = '\0';
    int64_t r = len ? ((n % len) + len) % len : 0;
    for (int i = 0; i < len && at < size; i++)
        at += (size_t)snprintf(out + at, size - at, "%s%d", i ? "\n" : "", (int)((i - r + len) % len));
}

static void test_rotate(void **state)
{
    (void)state;
    fill_ints("ten", 0, 10);
    pottery_deque *d = open_deque("ten", POTTERY_DEQUE_NO_MAXLEN);
    assert_ok(pottery_deque_rotate(d, 2));
    assert_list("ten", "8\n9\n0\n1\n2\n3\n4\n5\n6\n7");
    assert_ok(pottery_deque_rotate(d, -2));
    assert_ok(pottery_deque_rotate(d, -2));
    assert_list("ten", "2\n3\n4\n5\n6\n7\n8\n9\n0\n1");
    pottery_deque_free(d);

    /* Every n in a wide range, and the int64 extremes, against Python's rule. */
    static const int64_t extremes[] = { INT64_MAX, INT64_MIN, INT64_MIN + 1, 1000000007, -999999999999LL };
    char expected[256];
    for (int len = 1; len <= 7; len += 3) {
        for (int64_t n = -17; n <= 17 + (int64_t)(sizeof extremes / sizeof extremes[0]); n++) {
            int64_t steps = n <= 17 ? n : extremes[n - 18];
            free(raw("DEL", "rot", NULL));
            fill_ints("rot", 0, len);
            d = open_deque("rot", POTTERY_DEQUE_NO_MAXLEN);
            uint64_t before = round_trips();
            assert_ok(pottery_deque_rotate(d, steps));
            assert_int_equal(round_trips() - before, steps == 0 ? 0 : 1);
            expected_rotation(expected, sizeof expected, len, steps);
            char *got = raw("LRANGE", "rot", "0", "-1", NULL);
            if (strcmp(got, expected) != 0)
                fail_msg("len %d rotate(%lld): got %s, want %s", len, (long long)steps, got, expected);
            free(got);
            pottery_deque_free(d);
        }
    }

    /* n == 0 sends nothing; an empty deque stays empty (no key created). */
    d = open_deque("void", POTTERY_DEQUE_NO_MAXLEN);
    assert_commands(0, pottery_deque_rotate(d, 0));
    assert_ok(pottery_deque_rotate(d, 5));
    assert_raw("0", raw("EXISTS", "void", NULL));
    pottery_deque_free(d);

    /* The seed README's 'ghijkl'.rotate(1); a long deque rotated both ways (chunked pushes). */
    d = open_deque("long", POTTERY_DEQUE_NO_MAXLEN);
    enum { N = 5003 };
    pottery_value *values = int_values(N, 0, 1);
    assert_ok(pottery_deque_extend(d, values, N));
    /* Both ways of moving (the shorter end), each with more than one LPUSH/RPUSH chunk. */
    static const int64_t steps[] = { 4500, -1900, 2400, 2700, -2600, 1 };
    int64_t total = 0;
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        assert_ok(pottery_deque_rotate(d, steps[k]));
        total += steps[k];
    }
    char *want = malloc(8 * N), *got = raw("LRANGE", "long", "0", "-1", NULL);
    assert_non_null(want);
    expected_rotation(want, 8 * N, N, total);
    assert_string_equal(got, want);
    free(got);
    free(want);
    assert_int_equal(raw_llen("long"), N);
    free(values);
    pottery_deque_free(d);
}

/* ---- insert ---- */

static void test_insert(void **state)
{
    (void)state;
    /* Unbounded: pottery_list_insert's rule (index <= 0 prepends, pottery quirk 3). */
    pottery_value squares[] = { pottery_int(9), pottery_int(16), pottery_int(25) };
    pottery_deque *d = open_with("sq", POTTERY_DEQUE_NO_MAXLEN, squares, 3);
    assert_ok(pottery_deque_insert(d, -1, pottery_int(4)));
    assert_ok(pottery_deque_insert(d, 0, pottery_int(1)));
    assert_ok(pottery_deque_insert(d, 100, pottery_int(36)));
    assert_ok(pottery_deque_insert(d, 3, pottery_str("x")));
    assert_list("sq", "1\n4\n9\n\"x\"\n16\n25\n36");
    pottery_deque_free(d);

    /* Bounded: the same rule until full, then IndexError with nothing changed. */
    pottery_value zeros[] = { pottery_int(0), pottery_int(0), pottery_int(0), pottery_int(0) };
    d = open_with("zeros", 7, zeros, 4);
    assert_ok(pottery_deque_insert(d, 2, pottery_int(2)));
    assert_list("zeros", "0\n0\n2\n0\n0");
    assert_ok(pottery_deque_insert(d, -3, pottery_int(-1)));
    assert_ok(pottery_deque_insert(d, INT64_MAX, pottery_int(9)));
    assert_list("zeros", "-1\n0\n0\n2\n0\n0\n9");
    assert_code(POTTERY_EINDEX, pottery_deque_insert(d, 3, pottery_int(5)));
    assert_message("IndexError: deque already at its maximum size");
    assert_list("zeros", "-1\n0\n0\n2\n0\n0\n9");
    /* No placeholder is ever left behind. */
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_deque_popleft(&v, d));
    assert_ok(pottery_deque_insert(d, 1, pottery_json("[1, 2]")));
    assert_list("zeros", "0\n[1, 2]\n0\n2\n0\n0\n9");
    pottery_value_dispose(&v);
    pottery_deque_free(d);
}

/* ---- the list reads, in deque words ---- */

static void test_list_reads(void **state)
{
    (void)state;
    pottery_value items[] = { pottery_str("a"),    pottery_int(1),  pottery_str("b"),
                              pottery_double(1.0), pottery_bool(1), pottery_str("c") };
    pottery_deque *d = open_with("reads", 10, items, 6);
    pottery_value v = POTTERY_VALUE_INIT;
    int64_t n = -1;
    int in = -1;
    assert_int_equal(deque_len(d), 6);
    assert_ok(pottery_deque_get(&v, d, 2));
    assert_value_str(&v, "b");
    assert_ok(pottery_deque_get(&v, d, -1));
    assert_value_str(&v, "c");
    assert_code(POTTERY_EINDEX, pottery_deque_get(&v, d, 6));
    assert_message("IndexError: deque index out of range");
    assert_code(POTTERY_EINDEX, pottery_deque_get(&v, d, -7));
    assert_value_str(&v, "c"); /* untouched */

    assert_ok(pottery_deque_get_slice(&v, d, pottery_slice_of(1, -1, 2)));
    assert_value_json(&v, "[1, 1.0]");
    assert_ok(pottery_deque_get_slice(&v, d, pottery_slice_of(POTTERY_SLICE_NONE, POTTERY_SLICE_NONE, -2)));
    assert_value_json(&v, "[\"c\", 1.0, 1]");
    assert_ok(pottery_deque_get_slice(&v, d, pottery_slice_of(3, 0, POTTERY_SLICE_NONE)));
    assert_value_json(&v, "[]");
    assert_code(POTTERY_EINVAL, pottery_deque_get_slice(&v, d, pottery_slice_of(0, 1, 0)));

    /* Python equality: 1 == 1.0 == True. */
    assert_ok(pottery_deque_count(&n, d, pottery_int(1)));
    assert_int_equal(n, 3);
    assert_ok(pottery_deque_count(&n, d, pottery_str("z")));
    assert_int_equal(n, 0);
    assert_ok(pottery_deque_index(&n, d, pottery_double(1.0)));
    assert_int_equal(n, 1);
    assert_ok(pottery_deque_index_range(&n, d, pottery_bool(1), 2, POTTERY_SLICE_NONE));
    assert_int_equal(n, 3);
    assert_code(POTTERY_ENOTFOUND, pottery_deque_index(&n, d, pottery_str("z")));
    assert_message("ValueError: 'z' is not in deque");
    assert_code(POTTERY_ENOTFOUND, pottery_deque_index_range(&n, d, pottery_str("a"), 1, 4));
    assert_message("ValueError: 'a' is not in deque");
    assert_ok(pottery_deque_contains(&in, d, pottery_str("c")));
    assert_int_equal(in, 1);
    assert_ok(pottery_deque_contains(&in, d, pottery_str("d")));
    assert_int_equal(in, 0);
    in = -1;
    assert_ok(pottery_deque_contains(&in, d, pottery_strn("\xff", 1)));
    assert_int_equal(in, 0);

    char *text = NULL;
    size_t len = 0;
    assert_ok(pottery_deque_to_json(&text, &len, d));
    assert_string_equal(text, "[\"a\", 1, \"b\", 1.0, true, \"c\"]");
    assert_int_equal(len, strlen(text));
    pottery_free(text);
    assert_repr(d, "RedisDeque(['a', 1, 'b', 1.0, True, 'c'], maxlen=10)");

    /* Writes that never grow the deque. */
    assert_ok(pottery_deque_set(d, 1, pottery_str("one")));
    assert_code(POTTERY_EINDEX, pottery_deque_set(d, 6, pottery_str("x")));
    assert_message("IndexError: deque index out of range");
    assert_ok(pottery_deque_del(d, -2));
    assert_code(POTTERY_EINDEX, pottery_deque_del(d, 5));
    assert_message("IndexError: deque index out of range");
    assert_ok(pottery_deque_remove(d, pottery_int(1))); /* the 1.0 */
    assert_code(POTTERY_ENOTFOUND, pottery_deque_remove(d, pottery_int(1)));
    assert_message("ValueError: deque.remove(x): x not in deque");
    assert_ok(pottery_deque_reverse(d));
    assert_list("reads", "\"c\"\n\"b\"\n\"one\"\n\"a\"");

    /* Iteration both ways, with more elements than one LRANGE window. */
    pottery_deque *big = open_deque("big", POTTERY_DEQUE_NO_MAXLEN);
    enum { N = 2500 };
    pottery_value *values = int_values(N, 0, 1);
    assert_ok(pottery_deque_extend(big, values, N));
    free(values);
    for (int reversed = 0; reversed < 2; reversed++) {
        pottery_deque_iter *it = NULL;
        assert_int_equal(reversed ? pottery_deque_iter_new_reversed(&it, big) : pottery_deque_iter_new(&it, big), 0);
        int count = 0, rc;
        uint64_t before = round_trips();
        while ((rc = pottery_deque_iter_next(&v, it)) == 0) {
            assert_value_int(&v, reversed ? N - 1 - count : count);
            count++;
        }
        assert_int_equal(rc, POTTERY_EITEROVER);
        assert_int_equal(count, N);
        assert_true(round_trips() - before >= 3); /* windows, not one giant reply */
        pottery_deque_iter_free(it);
    }
    pottery_value_dispose(&v);
    pottery_deque_free(big);
    pottery_deque_free(d);
}

static void test_repr(void **state)
{
    (void)state;
    pottery_deque *d = open_deque("r", POTTERY_DEQUE_NO_MAXLEN);
    assert_repr(d, "RedisDeque([])");
    assert_ok(pottery_deque_extend(d, letters_ghi(), 3));
    assert_repr(d, "RedisDeque(['g', 'h', 'i'])");
    pottery_deque_free(d);
    d = open_deque("r2", 2);
    assert_repr(d, "RedisDeque([], maxlen=2)");
    assert_ok(pottery_deque_extend(d, letters_ghi(), 3));
    assert_repr(d, "RedisDeque(['h', 'i'], maxlen=2)");
    assert_ok(pottery_deque_appendleft(d, pottery_str("g")));
    assert_repr(d, "RedisDeque(['g', 'h'], maxlen=2)");
    pottery_deque_free(d);
    d = open_deque("r3", INT64_MAX);
    assert_repr(d, "RedisDeque([], maxlen=9223372036854775807)");
    pottery_deque_free(d);
}

static void test_equality(void **state)
{
    (void)state;
    pottery_deque *a = open_deque("{eq}a", POTTERY_DEQUE_NO_MAXLEN), *b = open_deque("{eq}b", 5); /* one slot */
    pottery_deque *a2 = open_deque("{eq}a", 1);
    int eq = -1;
    assert_ok(pottery_deque_equal_from(&eq, a, b));
    assert_int_equal(eq, 1); /* both empty; maxlen is not compared */
    assert_ok(pottery_deque_append(a, pottery_int(1)));
    assert_ok(pottery_deque_equal_from(&eq, a, b));
    assert_int_equal(eq, 0);
    assert_ok(pottery_deque_append(b, pottery_double(1.0)));
    assert_round_trips(1, pottery_deque_equal_from(&eq, a, b));
    assert_int_equal(eq, 1); /* 1 == 1.0 */
    assert_ok(pottery_deque_appendleft(b, pottery_int(0)));
    assert_ok(pottery_deque_equal_from(&eq, a, b));
    assert_int_equal(eq, 0);
    /* Same key, same server: equal without reading. */
    uint64_t before = round_trips();
    assert_ok(pottery_deque_equal_from(&eq, a, a2));
    assert_int_equal(eq, 1);
    assert_int_equal(round_trips(), before);

    assert_ok(pottery_deque_equal_json(&eq, b, "[0, 1]"));
    assert_int_equal(eq, 1);
    assert_ok(pottery_deque_equal_json(&eq, b, "[false, true]"));
    assert_int_equal(eq, 1); /* Python: 0 == False, 1 == True */
    assert_ok(pottery_deque_equal_json(&eq, b, "[1, 0]"));
    assert_int_equal(eq, 0);
    assert_ok(pottery_deque_equal_json(&eq, b, "[0, 1, 2]"));
    assert_int_equal(eq, 0);
    assert_code(POTTERY_ETYPE, pottery_deque_equal_json(&eq, b, "{\"a\": 1}"));
    assert_code(POTTERY_ETYPE, pottery_deque_equal_json(&eq, b, "[oops"));
    /* Python: d == None is False, known without reading anything. */
    eq = -1;
    assert_round_trips(0, pottery_deque_equal_json(&eq, b, "null"));
    assert_int_equal(eq, 0);
    pottery_deque_free(a);
    pottery_deque_free(a2);
    pottery_deque_free(b);
}

/* ---- concurrency: many writers never leave the deque longer than maxlen ---- */

enum { WORKERS = 8, WRITES = 500, BOUND = 50 };

typedef struct race_start {
    int side; /* 0 all append, 1 all appendleft, 2 half and half */
    int ready[2], go[2];
} race_start;

/* Worker w opens its deque, says it is ready, waits for the start signal (the parent closing
 * the pipe), then pushes w * 100000 + seq for seq = 0..WRITES-1. */
static int push_worker(pottery_client *mine, int w, void *arg)
{
    const race_start *rs = arg;
    close(rs->ready[0]);
    close(rs->go[1]); /* so that the parent's close is the last writer gone */
    pottery_deque *d = NULL;
    pottery_deque_options opts = POTTERY_DEQUE_OPTIONS_INIT;
    opts.maxlen = BOUND;
    int ok = pottery_deque_open(&d, mine, "race", &opts) == 0;
    char byte = 1;
    if (write(rs->ready[1], &byte, 1) != 1) ok = 0;
    if (read(rs->go[0], &byte, 1) != 0) ok = 0; /* returns 0 once the parent closes its end */
    int left = rs->side == 1 || (rs->side == 2 && w % 2 == 1);
    for (int seq = 0; ok && seq < WRITES; seq++) {
        pottery_value v = pottery_int((int64_t)w * 100000 + seq);
        ok = (left ? pottery_deque_appendleft(d, v) : pottery_deque_append(d, v)) == 0;
    }
    pottery_deque_free(d);
    return ok ? 0 : 1;
}

/* Run the workers while sampling LLEN from a separate connection; returns the largest
 * length seen. side: 0 all append, 1 all appendleft, 2 half and half. */
static long long race(int side)
{
    free(raw("DEL", "race", NULL));
    race_start rs = { side, { -1, -1 }, { -1, -1 } };
    assert_int_equal(pipe(rs.ready), 0);
    assert_int_equal(pipe(rs.go), 0);
    pid_t pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) pids[w] = fork_worker(push_worker, w, &rs);
    for (int w = 0; w < WORKERS; w++) {
        char byte;
        assert_int_equal(read(rs.ready[0], &byte, 1), 1);
    }
    close(rs.go[1]); /* everybody starts now */
    close(rs.go[0]);
    close(rs.ready[0]);
    close(rs.ready[1]);
    long long longest = 0;
    int samples = 0, running = WORKERS;
    while (running > 0) {
        long long len = raw_llen("race");
        if (len > longest) longest = len;
        samples++;
        for (int w = 0; w < WORKERS; w++) {
            int status = 0;
            if (pids[w] > 0 && waitpid(pids[w], &status, WNOHANG) == pids[w]) {
                assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
                pids[w] = 0;
                running--;
            }
        }
    }
    assert_true(samples > 1);
    return longest;
}

/* The final list, as numbers in list order. */
static int final_contents(long long *out, int cap)
{
    char *all = raw("LRANGE", "race", "0", "-1", NULL);
    assert_non_null(all);
    int n = 0;
    for (char *p = all; *p && n < cap;) {
        out[n++] = strtoll(p, &p, 10);
        if (*p == '\n') p++;
    }
    free(all);
    return n;
}

/* Each worker's elements still present must be its last writes, in write order seen from
 * the pushing side, and the element at the pushing end must be some worker's last write. */
static void assert_last_writes(const long long *items, int n, int left)
{
    int next_seq[WORKERS];
    for (int w = 0; w < WORKERS; w++) next_seq[w] = -1;
    for (int k = 0; k < n; k++) {
        long long item = items[left ? n - 1 - k : k]; /* from the oldest surviving push */
        int w = (int)(item / 100000), seq = (int)(item % 100000);
        assert_true(w >= 0 && w < WORKERS);
        if (next_seq[w] >= 0) assert_int_equal(seq, next_seq[w]);
        next_seq[w] = seq + 1;
    }
    for (int w = 0; w < WORKERS; w++) assert_true(next_seq[w] == -1 || next_seq[w] == WRITES);
    long long newest = items[left ? 0 : n - 1];
    assert_int_equal(newest % 100000, WRITES - 1);
}

static void test_concurrent_pushes_never_exceed_maxlen(void **state)
{
    (void)state;
    long long items[BOUND + 1];
    for (int side = 0; side < 3; side++) {
        long long longest = race(side);
        assert_true(longest <= BOUND);
        assert_true(longest > 0);
        assert_int_equal(raw_llen("race"), BOUND);
        int n = final_contents(items, BOUND + 1);
        assert_int_equal(n, BOUND);
        if (side < 2) assert_last_writes(items, n, side == 1);
    }
}

/* ---- bad input ---- */

static void test_null_arguments(void **state)
{
    (void)state;
    pottery_deque *d = open_deque("nulls", POTTERY_DEQUE_NO_MAXLEN);
    pottery_value v = POTTERY_VALUE_INIT;
    int in;
    int64_t n;
    char *text;
    pottery_deque_iter *it;
    assert_code(POTTERY_EINVAL, pottery_deque_open(NULL, client, "k", NULL));
    pottery_deque *none = d;
    assert_code(POTTERY_EINVAL, pottery_deque_open(&none, NULL, "k", NULL));
    assert_null(none);
    pottery_deque_options bad = POTTERY_DEQUE_OPTIONS_INIT;
    bad.nitems = 3;
    assert_code(POTTERY_EINVAL, pottery_deque_open(&none, client, "k", &bad));
    assert_code(POTTERY_EINVAL, pottery_deque_maxlen(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_deque_maxlen(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_deque_append(NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_deque_appendleft(NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_deque_append(d, pottery_str(NULL)));
    assert_code(POTTERY_EINVAL, pottery_deque_extend(NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_deque_extend(d, NULL, 2));
    assert_code(POTTERY_EINVAL, pottery_deque_extendleft(d, NULL, 2));
    assert_code(POTTERY_EINVAL, pottery_deque_pop(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_deque_popleft(&v, NULL));
    assert_code(POTTERY_EINVAL, pottery_deque_peek(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_deque_peekleft(&v, NULL));
    assert_code(POTTERY_EINVAL, pottery_deque_rotate(NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_deque_insert(NULL, 0, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_deque_reverse(NULL));
    assert_code(POTTERY_EINVAL, pottery_deque_clear(NULL));
    assert_code(POTTERY_EINVAL, pottery_deque_get(NULL, d, 0));
    assert_code(POTTERY_EINVAL, pottery_deque_set(NULL, 0, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_deque_del(NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_deque_remove(NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_deque_len(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_deque_len(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_deque_get_slice(NULL, d, pottery_slice_all()));
    assert_code(POTTERY_EINVAL, pottery_deque_index(NULL, d, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_deque_index_range(&n, NULL, pottery_int(1), 0, 1));
    assert_code(POTTERY_EINVAL, pottery_deque_count(NULL, d, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_deque_contains(NULL, d, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_deque_contains(&in, NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_deque_to_json(NULL, NULL, d));
    assert_code(POTTERY_EINVAL, pottery_deque_repr(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_deque_repr(&text, NULL));
    assert_code(POTTERY_EINVAL, pottery_deque_equal_from(&in, d, NULL));
    assert_code(POTTERY_EINVAL, pottery_deque_equal_from(NULL, d, d));
    assert_code(POTTERY_EINVAL, pottery_deque_equal_json(&in, d, NULL));
    assert_code(POTTERY_EINVAL, pottery_deque_iter_new(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_deque_iter_new(&it, NULL));
    assert_code(POTTERY_EINVAL, pottery_deque_iter_new_reversed(&it, NULL));
    assert_code(POTTERY_EINVAL, pottery_deque_iter_next(&v, NULL));
    assert_message_contains("pottery_deque_iter_next");
    assert_null(pottery_deque_key(NULL));
    assert_null(pottery_deque_client(NULL));
    pottery_deque_iter_free(NULL);
    assert_raw("0", raw("EXISTS", "nulls", NULL));
    pottery_deque_free(d);
}

/* call fails with code, its message beginning with name. */
#define assert_fails_naming(code, call, name)                                                                          \
    do {                                                                                                               \
        assert_code((code), call);                                                                                     \
        assert_int_equal(strncmp(pottery_error_last()->message, (name), strlen(name)), 0);                             \
    } while (0)

/* Every deque function names itself in its messages, also where the work is the list's. */
static void test_errors_name_the_deque_function(void **state)
{
    (void)state;
    pottery_deque *d = open_deque("named", POTTERY_DEQUE_NO_MAXLEN);
    assert_ok(pottery_deque_append(d, pottery_int(1)));
    pottery_value v = POTTERY_VALUE_INIT;
    int eq = -1;
    pottery_deque_iter *it = NULL;
    assert_fails_naming(POTTERY_EINVAL, pottery_deque_pop(NULL, d), "pottery_deque_pop:");
    assert_fails_naming(POTTERY_EINVAL, pottery_deque_pop(&v, NULL), "pottery_deque_pop:");
    assert_fails_naming(POTTERY_EINVAL, pottery_deque_popleft(NULL, d), "pottery_deque_popleft:");
    assert_fails_naming(POTTERY_EINVAL, pottery_deque_iter_new(NULL, d), "pottery_deque_iter_new:");
    assert_fails_naming(POTTERY_EINVAL, pottery_deque_iter_new_reversed(&it, NULL), "pottery_deque_iter_new_reversed:");
    assert_fails_naming(POTTERY_EINVAL, pottery_deque_iter_next(&v, NULL), "pottery_deque_iter_next:");
    assert_ok(pottery_deque_iter_new(&it, d));
    assert_fails_naming(POTTERY_EINVAL, pottery_deque_iter_next(NULL, it), "pottery_deque_iter_next:");
    assert_ok(pottery_deque_iter_next(&v, it));
    assert_value_int(&v, 1);
    assert_code(POTTERY_EITEROVER, pottery_deque_iter_next(&v, it));
    pottery_deque_iter_free(it);
    assert_fails_naming(POTTERY_ETYPE, pottery_deque_equal_json(&eq, d, "{\"a\": 1}"), "pottery_deque_equal_json:");
    assert_fails_naming(POTTERY_ETYPE, pottery_deque_equal_json(&eq, d, "[1"), "pottery_deque_equal_json:");
    assert_int_equal(eq, -1);
    assert_list("named", "1");
    pottery_deque_free(d);
}

/* "" is no key: only NULL asks for a temporary "pottery:<uuid4>" key (deleted on free).
 * Every container's open refuses it before any round trip. */
#define assert_empty_key_refused(type, open, opts)                                                                     \
    do {                                                                                                               \
        type *handle_ = NULL;                                                                                          \
        assert_code(POTTERY_EINVAL, open(&handle_, client, "", (opts)));                                               \
        assert_message_contains("the key is \"\" (empty)");                                                            \
        assert_null(handle_);                                                                                          \
    } while (0)

static void test_empty_key_is_rejected(void **state)
{
    (void)state;
    uint64_t before = round_trips();
    pottery_deque_options opts = POTTERY_DEQUE_OPTIONS_INIT;
    opts.items = letters_ghi();
    opts.nitems = 3;
    assert_empty_key_refused(pottery_deque, pottery_deque_open, &opts);
    assert_empty_key_refused(pottery_deque, pottery_deque_open, NULL);
    assert_empty_key_refused(pottery_counter, pottery_counter_open, NULL);
    assert_empty_key_refused(pottery_dict, pottery_dict_open, NULL);
    assert_empty_key_refused(pottery_list, pottery_list_open, NULL);
    assert_empty_key_refused(pottery_set, pottery_set_open, NULL);
    assert_empty_key_refused(pottery_queue, pottery_queue_open, NULL);
    assert_int_equal(round_trips(), before);
    assert_raw("0", raw("DBSIZE", NULL));
    /* NULL still picks a temporary key. */
    pottery_deque *d = NULL;
    assert_ok(pottery_deque_open(&d, client, NULL, &opts));
    assert_random_key(pottery_deque_key(d));
    pottery_deque_free(d);
    assert_raw("0", raw("DBSIZE", NULL));
}

static void test_foreign_data_is_a_decode_error(void **state)
{
    (void)state;
    free(raw("RPUSH", "foreign", "not json", "1", "{broken", NULL));
    pottery_deque *d = open_deque("foreign", POTTERY_DEQUE_NO_MAXLEN);
    pottery_value v = pottery_int(5);
    assert_code(POTTERY_EDECODE, pottery_deque_peekleft(&v, d));
    assert_code(POTTERY_EDECODE, pottery_deque_popleft(&v, d));
    assert_true(strlen(pottery_error_last()->message) > 0);
    assert_code(POTTERY_EDECODE, pottery_deque_pop(&v, d));
    assert_value_int(&v, 5);                        /* untouched */
    assert_list("foreign", "not json\n1\n{broken"); /* put back where they were */
    char *text = NULL;
    assert_code(POTTERY_EDECODE, pottery_deque_repr(&text, d));
    assert_code(POTTERY_EDECODE, pottery_deque_to_json(&text, NULL, d));
    assert_ok(pottery_deque_get(&v, d, 1));
    assert_value_int(&v, 1);
    pottery_deque_iter *it = NULL;
    assert_ok(pottery_deque_iter_new(&it, d));
    assert_iteration(pottery_deque_iter_next(&v, it), 1, 2);
    pottery_deque_iter_free(it);
    /* Pushes and rotation move the foreign bytes around intact. */
    assert_ok(pottery_deque_rotate(d, 1));
    assert_list("foreign", "{broken\nnot json\n1");
    assert_raw("3", raw("LLEN", "foreign", NULL));
    pottery_deque_free(d);
}

/* A pop whose put-back fails says the element is lost, and why it was taken off. */
static void test_pop_says_when_foreign_data_could_not_be_restored(void **state)
{
    (void)state;
    pottery_client *c = open_client_denied("nopush", "lpush", "rpush");
    pottery_deque *d = NULL;
    assert_ok(pottery_deque_open(&d, c, "lost", NULL));
    free(raw("RPUSH", "lost", "not json", "1", "{broken", NULL));
    pottery_value v = POTTERY_VALUE_INIT;
    assert_code(POTTERY_EREDIS, pottery_deque_popleft(&v, d));
    assert_message_contains("could not be restored");
    assert_message_contains("JSON");
    assert_code(POTTERY_EREDIS, pottery_deque_pop(&v, d));
    assert_message_contains("could not be restored");
    assert_list("lost", "1");
    assert_value_null(&v);
    pottery_deque_free(d);
    close_client_denied(c, "nopush");
}

static void test_wrong_redis_type(void **state)
{
    (void)state;
    free(raw("SET", "plain", "value", NULL));
    pottery_deque_options opts = POTTERY_DEQUE_OPTIONS_INIT;
    opts.maxlen = 3;
    pottery_deque *d = NULL;
    assert_wrongtype(pottery_deque_open(&d, client, "plain", &opts));
    pottery_deque *bounded = NULL;
    /* Attach first, then let the key change type under the handles. */
    free(raw("DEL", "plain", NULL));
    assert_ok(pottery_deque_open(&bounded, client, "plain", &opts));
    free(raw("SET", "plain", "value", NULL));
    d = open_deque("plain", POTTERY_DEQUE_NO_MAXLEN);
    pottery_value v = POTTERY_VALUE_INIT;
    int64_t n;
    pottery_deque *both[] = { d, bounded };
    for (int i = 0; i < 2; i++) {
        pottery_deque *q = both[i];
        assert_wrongtype(pottery_deque_append(q, pottery_int(1)));
        assert_wrongtype(pottery_deque_appendleft(q, pottery_int(1)));
        assert_code(POTTERY_EREDIS, pottery_deque_extend(q, letters_ghi(), 3));
        assert_code(POTTERY_EREDIS, pottery_deque_pop(&v, q));
        assert_code(POTTERY_EREDIS, pottery_deque_popleft(&v, q));
        assert_wrongtype(pottery_deque_rotate(q, 1));
        assert_wrongtype(pottery_deque_insert(q, 1, pottery_int(1)));
        assert_code(POTTERY_EREDIS, pottery_deque_len(&n, q));
        assert_wrongtype(pottery_deque_peek(&v, q));
    }
    /* A streamed bulk push reports it too. */
    pottery_value *values = int_values(3000, 0, 1);
    assert_wrongtype(pottery_deque_extendleft(d, values, 3000));
    free(values);
    assert_raw("value", raw("GET", "plain", NULL));
    pottery_deque_free(d);
    pottery_deque_free(bounded);
}

static void test_dropped_connection(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client *c = victim_start(&victim, NULL);
    pottery_deque_options opts = POTTERY_DEQUE_OPTIONS_INIT;
    opts.maxlen = 2;
    pottery_deque *d = NULL;
    assert_ok(pottery_deque_open(&d, c, "k", &opts));
    assert_ok(pottery_deque_append(d, pottery_int(1)));
    test_redis_kill(&victim);
    int rc = pottery_deque_append(d, pottery_int(2));
    assert_conn_lost(rc);
    pottery_value v = POTTERY_VALUE_INIT;
    rc = pottery_deque_pop(&v, d);
    assert_conn_lost(rc);
    assert_int_equal(test_redis_restart(&victim), 0);
    /* The next call reconnects by itself (AUTH/SELECT again, then the push). */
    assert_ok(pottery_deque_append(d, pottery_int(2)));
    assert_ok(pottery_deque_append(d, pottery_int(3)));
    assert_ok(pottery_deque_append(d, pottery_int(4)));
    assert_ok(pottery_deque_popleft(&v, d));
    assert_value_int(&v, 3);
    pottery_value_dispose(&v);
    pottery_deque_free(d);
    victim_stop(&victim, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_readme_session, fixture_reset),
        cmocka_unit_test_setup(test_layout_matches_pottery, fixture_reset),
        cmocka_unit_test_setup(test_open_with_items, fixture_reset),
        cmocka_unit_test_setup(test_open_with_items_on_existing_key_fails, fixture_reset),
        cmocka_unit_test_setup(test_open_beyond_maxlen_fails, fixture_reset),
        cmocka_unit_test_setup(test_options_and_accessors, fixture_reset),
        cmocka_unit_test_setup(test_random_key_is_temporary, fixture_reset),
        cmocka_unit_test_setup(test_single_operations_cost_one_round_trip, fixture_reset),
        cmocka_unit_test_setup(test_pop_from_empty, fixture_reset),
        cmocka_unit_test_setup(test_maxlen_drops_the_other_end, fixture_reset),
        cmocka_unit_test_setup(test_maxlen_zero_is_always_empty, fixture_reset),
        cmocka_unit_test_setup(test_extend_is_one_round_trip, fixture_reset),
        cmocka_unit_test_setup(test_bad_value_writes_nothing, fixture_reset),
        cmocka_unit_test_setup(test_rotate, fixture_reset),
        cmocka_unit_test_setup(test_insert, fixture_reset),
        cmocka_unit_test_setup(test_list_reads, fixture_reset),
        cmocka_unit_test_setup(test_repr, fixture_reset),
        cmocka_unit_test_setup(test_equality, fixture_reset),
        cmocka_unit_test_setup(test_concurrent_pushes_never_exceed_maxlen, fixture_reset),
        cmocka_unit_test_setup(test_null_arguments, fixture_reset),
        cmocka_unit_test_setup(test_errors_name_the_deque_function, fixture_reset),
        cmocka_unit_test_setup(test_empty_key_is_rejected, fixture_reset),
        cmocka_unit_test_setup(test_foreign_data_is_a_decode_error, fixture_reset),
        cmocka_unit_test_setup(test_pop_says_when_foreign_data_could_not_be_restored, fixture_reset),
        cmocka_unit_test_setup(test_wrong_redis_type, fixture_reset),
        cmocka_unit_test_setup(test_dropped_connection, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
