/* pottery_dict against a private redis-server: behaviour, layout, round trips, bad input. */
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

/* ---- helpers ---- */

static pottery_dict *open_dict(const char *key)
{
    pottery_dict *d = NULL;
    assert_ok(pottery_dict_open(&d, client, key, NULL));
    return d;
}

static int64_t dict_len(pottery_dict *d)
{
    int64_t n = -1;
    assert_ok(pottery_dict_len(&n, d));
    return n;
}

/* ---- the seed README's session ---- */

static void test_readme_session(void **state)
{
    (void)state;
    pottery_pair initial[] = {
        { pottery_str("jack"), pottery_int(4098) },
        { pottery_str("sape"), pottery_int(4139) },
    };
    pottery_dict_options opts = POTTERY_DICT_OPTIONS_INIT;
    opts.items = initial;
    opts.nitems = 2;
    pottery_dict *tel = NULL;
    assert_ok(pottery_dict_open(&tel, client, "tel", &opts));
    assert_ok(pottery_dict_set(tel, pottery_str("guido"), pottery_int(4127)));

    char *repr = NULL;
    assert_ok(pottery_dict_repr(&repr, tel));
    assert_string_equal(repr, "RedisDict{'jack': 4098, 'sape': 4139, 'guido': 4127}");
    pottery_free(repr);

    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_dict_get(&v, tel, pottery_str("jack")));
    assert_value_int(&v, 4098);
    assert_ok(pottery_dict_del(tel, pottery_str("sape")));
    assert_ok(pottery_dict_set(tel, pottery_str("irv"), pottery_int(4127)));
    assert_ok(pottery_dict_repr(&repr, tel));
    assert_string_equal(repr, "RedisDict{'jack': 4098, 'guido': 4127, 'irv': 4127}");
    pottery_free(repr);

    int in = -1;
    assert_ok(pottery_dict_contains(&in, tel, pottery_str("guido")));
    assert_int_equal(in, 1);
    assert_ok(pottery_dict_contains(&in, tel, pottery_str("sape")));
    assert_int_equal(in, 0);
    pottery_value_dispose(&v);
    pottery_dict_free(tel);
}

/* ---- layout: the bytes pottery writes ---- */

static void test_layout_matches_pottery(void **state)
{
    (void)state;
    pottery_dict *d = open_dict("layout");
    assert_ok(pottery_dict_set(d, pottery_str("jack"), pottery_int(4098)));
    assert_ok(pottery_dict_set(d, pottery_int(1), pottery_json("{\"b\": [1, 2.5], \"a\": null}")));
    assert_ok(pottery_dict_set(d, pottery_str("caf\xc3\xa9"), pottery_double(1e16)));
    assert_raw("hash", raw("TYPE", "layout", NULL));
    assert_raw("4098", raw("HGET", "layout", "\"jack\"", NULL));
    assert_raw("{\"a\": null, \"b\": [1, 2.5]}", raw("HGET", "layout", "1", NULL));
    assert_raw("1e+16", raw("HGET", "layout", "\"caf\\u00e9\"", NULL));

    /* ...and what pottery wrote is read back. */
    free(raw("HSET", "layout", "\"sape\"", "4139", NULL));
    free(raw("HSET", "layout", "[1, 2]", "\"tuple key\"", NULL));
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_dict_get(&v, d, pottery_str("sape")));
    assert_value_int(&v, 4139);
    assert_ok(pottery_dict_get(&v, d, pottery_json("[1,2]")));
    assert_value_str(&v, "tuple key");
    pottery_value_dispose(&v);
    pottery_dict_free(d);
}

/* ---- single-key operations and their round trips ---- */

static void test_single_key_operations_cost_one_round_trip(void **state)
{
    (void)state;
    pottery_dict *d = open_dict("rtt");
    pottery_value v = POTTERY_VALUE_INIT;
    int in;
    int64_t n;
    assert_round_trips(1, pottery_dict_set(d, pottery_str("a"), pottery_int(1)));
    assert_round_trips(1, pottery_dict_get(&v, d, pottery_str("a")));
    assert_round_trips(1, pottery_dict_contains(&in, d, pottery_str("a")));
    assert_round_trips(1, pottery_dict_len(&n, d));
    assert_round_trips(1, pottery_dict_setdefault(&v, d, pottery_str("b"), pottery_int(2)));
    assert_round_trips(1, pottery_dict_pop(&v, d, pottery_str("b")));
    /* popitem runs a script: one round trip even the first time on this connection */
    assert_round_trips(1, pottery_dict_popitem(NULL, &v, d));
    uint64_t before = round_trips();
    assert_ok(pottery_dict_set(d, pottery_str("c"), pottery_int(3)));
    assert_ok(pottery_dict_del(d, pottery_str("c")));
    assert_int_equal(round_trips() - before, 2);
    pottery_value_dispose(&v);
    pottery_dict_free(d);
}

static void test_missing_keys(void **state)
{
    (void)state;
    pottery_dict *d = open_dict("missing");
    pottery_value v = POTTERY_VALUE_INIT;
    v = pottery_int(7); /* a borrowed value in out must stay untouched on failure */
    assert_code(POTTERY_ENOTFOUND, pottery_dict_get(&v, d, pottery_str("jack")));
    assert_message("KeyError: 'jack'");
    assert_value_int(&v, 7);
    v = pottery_null();
    assert_code(POTTERY_ENOTFOUND, pottery_dict_del(d, pottery_int(5)));
    assert_message("KeyError: 5");
    assert_code(POTTERY_ENOTFOUND, pottery_dict_pop(&v, d, pottery_str("x")));
    assert_code(POTTERY_ENOTFOUND, pottery_dict_popitem(&v, NULL, d));

    assert_ok(pottery_dict_get_default(&v, d, pottery_str("jack"), pottery_str("none")));
    assert_value_str(&v, "none");
    assert_ok(pottery_dict_pop_default(&v, d, pottery_str("jack"), pottery_double(2.5)));
    assert_value_double(&v, 2.5);
    assert_int_equal(dict_len(d), 0);
    assert_raw("0", raw("EXISTS", "missing", NULL));
    pottery_value_dispose(&v);
    pottery_dict_free(d);
}

static void test_pop_popitem_setdefault(void **state)
{
    (void)state;
    pottery_dict *d = open_dict("pops");
    pottery_value k = POTTERY_VALUE_INIT, v = POTTERY_VALUE_INIT;
    assert_ok(pottery_dict_setdefault(&v, d, pottery_str("a"), pottery_int(1)));
    assert_value_int(&v, 1);
    assert_ok(pottery_dict_setdefault(&v, d, pottery_str("a"), pottery_int(99)));
    assert_value_int(&v, 1); /* the stored value wins */
    assert_raw("1", raw("HGET", "pops", "\"a\"", NULL));
    assert_ok(pottery_dict_set(d, pottery_str("b"), pottery_str("two")));
    assert_ok(pottery_dict_pop(&v, d, pottery_str("b")));
    assert_value_str(&v, "two");
    assert_raw("0", raw("HEXISTS", "pops", "\"b\"", NULL));
    assert_ok(pottery_dict_popitem(&k, &v, d));
    assert_value_str(&k, "a");
    assert_value_int(&v, 1);
    assert_code(POTTERY_ENOTFOUND, pottery_dict_popitem(&k, &v, d));
    assert_value_str(&k, "a"); /* untouched */
    pottery_value_dispose(&k);
    pottery_value_dispose(&v);
    pottery_dict_free(d);
}

/* Atomicity: four processes pop the same 500 keys; each key is popped exactly once. */
enum { RACE_KEYS = 500, RACE_WORKERS = 4 };

/* The dict the race tests fight over: keys 0..RACE_KEYS-1, each mapped to itself. */
static pottery_dict *open_race_dict(void)
{
    pottery_dict *d = open_dict("race");
    pottery_pair *items = calloc(RACE_KEYS, sizeof *items);
    assert_non_null(items);
    for (int i = 0; i < RACE_KEYS; i++) items[i] = (pottery_pair){ pottery_int(i), pottery_int(i) };
    assert_ok(pottery_dict_update(d, items, RACE_KEYS));
    free(items);
    return d;
}

/* Pop every key it can; write how many it got to the pipe *fd. */
static int pop_race_worker(pottery_client *mine, int w, void *fd)
{
    (void)w;
    pottery_dict *dd = NULL;
    int popped = 0;
    if (pottery_dict_open(&dd, mine, "race", NULL) == 0) {
        pottery_value v = POTTERY_VALUE_INIT;
        for (int i = 0; i < RACE_KEYS; i++)
            if (pottery_dict_pop_default(&v, dd, pottery_int(i), pottery_null()) == 0 && pottery_value_is_int(&v))
                popped++;
        pottery_value_dispose(&v);
    }
    pottery_dict_free(dd);
    return write_all(*(int *)fd, &popped, sizeof popped) == 0 ? 0 : 2;
}

static void test_pop_is_atomic_across_processes(void **state)
{
    (void)state;
    pottery_dict *d = open_race_dict();
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pids[RACE_WORKERS];
    for (int w = 0; w < RACE_WORKERS; w++) pids[w] = fork_worker(pop_race_worker, w, &fds[1]);
    close(fds[1]);
    int total = 0;
    for (int w = 0; w < RACE_WORKERS; w++) {
        int popped = 0;
        assert_int_equal(read(fds[0], &popped, sizeof popped), (ssize_t)sizeof popped);
        total += popped;
        assert_int_equal(wait_exit_code(pids[w]), 0);
    }
    close(fds[0]);
    assert_int_equal(total, RACE_KEYS);
    assert_int_equal(dict_len(d), 0);
    pottery_dict_free(d);
}

/* popitem until the dict is empty; write every key it got to the pipe *fd. */
static int popitem_race_worker(pottery_client *mine, int w, void *fd)
{
    (void)w;
    pottery_dict *dd = NULL;
    int rc = pottery_dict_open(&dd, mine, "race", NULL);
    pottery_value k = POTTERY_VALUE_INIT;
    while (rc == 0 && (rc = pottery_dict_popitem(&k, NULL, dd)) == 0) {
        int64_t key = pottery_value_int(&k);
        if (write_all(*(int *)fd, &key, sizeof key) != 0) rc = -1;
    }
    pottery_value_dispose(&k);
    pottery_dict_free(dd);
    return rc == POTTERY_ENOTFOUND ? 0 : 2;
}

static void test_popitem_is_atomic_across_processes(void **state)
{
    (void)state;
    pottery_dict *d = open_race_dict();
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pids[RACE_WORKERS];
    for (int w = 0; w < RACE_WORKERS; w++) pids[w] = fork_worker(popitem_race_worker, w, &fds[1]);
    close(fds[1]);
    unsigned char seen[RACE_KEYS] = { 0 };
    int64_t key;
    int total = 0;
    while (read_full(fds[0], &key, sizeof key) == (ssize_t)sizeof key) {
        assert_true(key >= 0 && key < RACE_KEYS);
        assert_int_equal(seen[key], 0); /* never handed out twice */
        seen[key] = 1;
        total++;
    }
    close(fds[0]);
    for (int w = 0; w < RACE_WORKERS; w++) assert_int_equal(wait_exit_code(pids[w]), 0);
    assert_int_equal(total, RACE_KEYS); /* nor lost */
    assert_int_equal(dict_len(d), 0);
    pottery_dict_free(d);
}

/* setdefault(k, w) for every k; write the value each call returned to the pipe *fd. */
static int setdefault_race_worker(pottery_client *mine, int w, void *fd)
{
    pottery_dict *dd = NULL;
    int rc = pottery_dict_open(&dd, mine, "race", NULL);
    pottery_value v = POTTERY_VALUE_INIT;
    for (int k = 0; rc == 0 && k < RACE_KEYS; k++) {
        rc = pottery_dict_setdefault(&v, dd, pottery_int(k), pottery_int(w));
        int64_t got[2] = { k, pottery_value_int(&v) };
        if (rc == 0 && write_all(*(int *)fd, got, sizeof got) != 0) rc = -1;
    }
    pottery_value_dispose(&v);
    pottery_dict_free(dd);
    return rc == 0 ? 0 : 2;
}

static void test_setdefault_is_atomic_across_processes(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pids[RACE_WORKERS];
    for (int w = 0; w < RACE_WORKERS; w++) pids[w] = fork_worker(setdefault_race_worker, w, &fds[1]);
    close(fds[1]);
    int64_t winner[RACE_KEYS];
    for (int k = 0; k < RACE_KEYS; k++) winner[k] = -1;
    int64_t got[2];
    int answers = 0;
    while (read_full(fds[0], got, sizeof got) == (ssize_t)sizeof got) {
        assert_true(got[0] >= 0 && got[0] < RACE_KEYS);
        assert_true(got[1] >= 0 && got[1] < RACE_WORKERS);
        if (winner[got[0]] < 0) winner[got[0]] = got[1];
        assert_int_equal(got[1], winner[got[0]]); /* every caller sees the one stored default */
        answers++;
    }
    close(fds[0]);
    for (int w = 0; w < RACE_WORKERS; w++) assert_int_equal(wait_exit_code(pids[w]), 0);
    assert_int_equal(answers, RACE_KEYS * RACE_WORKERS);
    pottery_dict *d = open_dict("race");
    pottery_value v = POTTERY_VALUE_INIT;
    for (int k = 0; k < RACE_KEYS; k++) {
        assert_ok(pottery_dict_get(&v, d, pottery_int(k)));
        assert_value_int(&v, winner[k]);
    }
    pottery_value_dispose(&v);
    pottery_dict_free(d);
}

/* ---- bulk writes ---- */

static void test_update_is_one_round_trip(void **state)
{
    (void)state;
    enum { N = 10000 };
    pottery_dict *d = open_dict("bulk");
    pottery_pair *items = calloc(N, sizeof *items);
    assert_non_null(items);
    for (int i = 0; i < N; i++) items[i] = (pottery_pair){ pottery_int(i), pottery_int((int64_t)i * i) };
    assert_round_trips(1, pottery_dict_update(d, items, N));
    assert_int_equal(dict_len(d), N);
    assert_raw("99980001", raw("HGET", "bulk", "9999", NULL));

    /* Small updates: one HSET. Later pairs win, as in a Python dict. */
    pottery_pair two[] = { { pottery_str("k"), pottery_int(1) }, { pottery_str("k"), pottery_int(2) } };
    pottery_client_stats before = stats();
    assert_ok(pottery_dict_update(d, two, 2));
    pottery_client_stats after = stats();
    assert_int_equal(after.round_trips - before.round_trips, 1);
    assert_int_equal(after.commands - before.commands, 1);
    assert_raw("2", raw("HGET", "bulk", "\"k\"", NULL));

    /* Nothing to do: nothing sent. */
    assert_commands(0, pottery_dict_update(d, NULL, 0));
    free(items);
    pottery_dict_free(d);
}

static void test_update_with_bad_pair_writes_nothing(void **state)
{
    (void)state;
    enum { N = 2500 };
    pottery_dict *d = open_dict("badbulk");
    pottery_pair *items = calloc(N, sizeof *items);
    assert_non_null(items);
    for (int i = 0; i < N; i++) items[i] = (pottery_pair){ pottery_int(i), pottery_int(i) };
    items[N - 1].value = pottery_strn("\xff\xfe", 2); /* invalid UTF-8, in the last chunk */
    assert_code(POTTERY_ETYPE, pottery_dict_update(d, items, N));
    assert_raw("0", raw("EXISTS", "badbulk", NULL));
    assert_code(POTTERY_ETYPE, pottery_dict_update(d, items + N - 3, 3));
    assert_raw("0", raw("EXISTS", "badbulk", NULL));
    /* The client is still usable afterwards. */
    assert_ok(pottery_dict_update(d, items, 10));
    assert_int_equal(dict_len(d), 10);
    free(items);
    pottery_dict_free(d);
}

static void test_update_from_other_dicts(void **state)
{
    (void)state;
    pottery_dict *a = open_dict("{u}a"), *b = open_dict("{u}b"); /* one slot on a cluster: on the server */
    assert_ok(pottery_dict_set(a, pottery_str("x"), pottery_int(1)));
    assert_ok(pottery_dict_set(b, pottery_str("x"), pottery_int(2)));
    assert_ok(pottery_dict_set(b, pottery_str("y"), pottery_int(3)));
    assert_round_trips(1, pottery_dict_update_from(a, b));
    int eq = 0;
    assert_ok(pottery_dict_equal_json(&eq, a, "{\"x\": 2, \"y\": 3}"));
    assert_int_equal(eq, 1);

    /* From a dict on another server: copied in batches. */
    pottery_dict *far = NULL;
    assert_ok(pottery_dict_open(&far, far_client, "far", NULL));
    enum { N = 2345 };
    pottery_pair *items = calloc(N, sizeof *items);
    assert_non_null(items);
    for (int i = 0; i < N; i++) items[i] = (pottery_pair){ pottery_int(i), pottery_str("v") };
    assert_ok(pottery_dict_update(far, items, N));
    assert_ok(pottery_dict_update_from(a, far));
    assert_int_equal(dict_len(a), N + 2);
    assert_raw("\"v\"", raw("HGET", "{u}a", "2344", NULL));
    free(items);
    pottery_dict_free(far);
    pottery_dict_free(a);
    pottery_dict_free(b);
}

/* ---- open: initial items, random keys ---- */

static void test_open_with_items_on_existing_key_fails(void **state)
{
    (void)state;
    free(raw("HSET", "taken", "\"old\"", "1", NULL));
    pottery_pair items[] = { { pottery_str("new"), pottery_int(2) } };
    pottery_dict_options opts = POTTERY_DICT_OPTIONS_INIT;
    opts.items = items;
    opts.nitems = 1;
    pottery_dict *d = (pottery_dict *)&opts; /* must be reset to NULL on failure */
    assert_code(POTTERY_EEXISTS, pottery_dict_open(&d, client, "taken", &opts));
    assert_null(d);
    assert_message_contains("taken");
    assert_raw("1", raw("HLEN", "taken", NULL));
    assert_raw("(nil)", raw("HGET", "taken", "\"new\"", NULL));
    /* A key of another type counts as existing too. */
    free(raw("SET", "str", "x", NULL));
    assert_code(POTTERY_EEXISTS, pottery_dict_open(&d, client, "str", &opts));
    assert_raw("x", raw("GET", "str", NULL));
    /* Without items, attaching to an existing hash is fine and sends nothing. */
    assert_round_trips(0, pottery_dict_open(&d, client, "taken", NULL));
    pottery_dict_free(d);
    assert_raw("1", raw("EXISTS", "taken", NULL)); /* user keys survive free */
}

static void test_random_key_is_temporary(void **state)
{
    (void)state;
    pottery_pair items[] = { { pottery_str("a"), pottery_int(1) } };
    pottery_dict_options opts = POTTERY_DICT_OPTIONS_INIT;
    opts.items = items;
    opts.nitems = 1;
    pottery_dict *d = NULL;
    assert_ok(pottery_dict_open(&d, client, NULL, &opts));
    const char *key = pottery_dict_key(d);
    assert_random_key(key);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", key);
    assert_raw("1", raw("EXISTS", saved, NULL));
    pottery_dict_free(d);
    assert_raw("0", raw("EXISTS", saved, NULL));
    /* A user-chosen "pottery:" key is deleted too, as pottery does. */
    free(raw("HSET", "pottery:mine", "1", "1", NULL));
    assert_ok(pottery_dict_open(&d, client, "pottery:mine", NULL));
    pottery_dict_free(d);
    assert_raw("0", raw("EXISTS", "pottery:mine", NULL));
    pottery_dict_free(NULL);
}

static void test_options_version_and_accessors(void **state)
{
    (void)state;
    pottery_dict_options opts;
    memset(&opts, 0xff, sizeof opts);
    pottery_dict_options_init(&opts);
    assert_int_equal(opts.version, POTTERY_DICT_OPTIONS_VERSION);
    assert_null(opts.items);
    assert_int_equal(opts.nitems, 0);
    pottery_pair items[] = { { pottery_str("a"), pottery_int(1) } };
    opts.items = items;
    opts.nitems = 1;
    assert_options_version_checked(pottery_dict, pottery_dict_open, "versioned", &opts, POTTERY_DICT_OPTIONS_VERSION);
    /* the macro and the function agree */
    pottery_dict_options by_macro = POTTERY_DICT_OPTIONS_INIT;
    assert_int_equal(by_macro.version, POTTERY_DICT_OPTIONS_VERSION);
    opts.version = by_macro.version;
    pottery_dict *d = NULL;
    assert_round_trips(1, pottery_dict_open(&d, client, "versioned", &opts));
    assert_string_equal(pottery_dict_key(d), "versioned");
    assert_ptr_equal(pottery_dict_client(d), client);
    pottery_dict_free(d);
}

/* ---- iteration ---- */

static void test_iteration_visits_every_entry_once(void **state)
{
    (void)state;
    enum { N = 5000 };
    pottery_dict *d = open_dict("iter");
    pottery_pair *items = calloc(N, sizeof *items);
    assert_non_null(items);
    for (int i = 0; i < N; i++) items[i] = (pottery_pair){ pottery_int(i), pottery_int(-i) };
    assert_ok(pottery_dict_update(d, items, N));
    free(items);
    unsigned char *seen = calloc(N, 1);
    assert_non_null(seen);
    pottery_dict_iter *it = NULL;
    assert_ok(pottery_dict_iter_new(&it, d));
    pottery_value k = POTTERY_VALUE_INIT, v = POTTERY_VALUE_INIT;
    int rc, count = 0;
    uint64_t before = round_trips();
    while ((rc = pottery_dict_iter_next(&k, &v, it)) == 0) {
        assert_int_equal(pottery_value_type(&k), POTTERY_TYPE_INT);
        int64_t key = pottery_value_int(&k);
        assert_true(key >= 0 && key < N);
        assert_value_int(&v, -key);
        assert_int_equal(seen[key], 0);
        seen[key] = 1;
        count++;
    }
    assert_int_equal(rc, POTTERY_EITEROVER);
    assert_int_equal(count, N);
    /* batches of about 1,000 fields: not one giant reply, nor one round trip per 10 */
    assert_in_range(round_trips() - before, 3, 12);
    pottery_dict_iter_free(it);

    /* keys only and values only */
    assert_ok(pottery_dict_iter_new(&it, d));
    count = 0;
    while (pottery_dict_iter_next(NULL, &v, it) == 0) count++;
    assert_int_equal(count, N);
    pottery_dict_iter_free(it);
    pottery_value_dispose(&k);
    pottery_value_dispose(&v);
    free(seen);
    pottery_dict_free(d);

    /* An absent key iterates as empty. */
    d = open_dict("nothing-here");
    assert_ok(pottery_dict_iter_new(&it, d));
    assert_code(POTTERY_EITEROVER, pottery_dict_iter_next(&k, NULL, it));
    pottery_dict_iter_free(it);
    pottery_dict_free(d);
}

/* ---- snapshots ---- */

static void test_to_json(void **state)
{
    (void)state;
    pottery_dict *d = open_dict("json");
    char *text = NULL;
    size_t len = 0;
    assert_ok(pottery_dict_to_json(&text, &len, d));
    assert_string_equal(text, "{}");
    pottery_free(text);
    assert_ok(pottery_dict_set(d, pottery_str("sape"), pottery_int(4139)));
    assert_ok(pottery_dict_set(d, pottery_str("jack"), pottery_json("[1, {\"z\": 1, \"a\": 2}]")));
    assert_ok(pottery_dict_set(d, pottery_str("\xc3\xa9"), pottery_double(0.5)));
    assert_ok(pottery_dict_to_json(&text, &len, d));
    assert_string_equal(text, "{\"jack\": [1, {\"a\": 2, \"z\": 1}], \"sape\": 4139, \"\\u00e9\": 0.5}");
    assert_int_equal(len, strlen(text));
    pottery_free(text);
    pottery_dict_free(d);

    /* Numeric keys sort by value, as json.dumps(sort_keys=True) does before stringifying. */
    d = open_dict("numeric");
    assert_ok(pottery_dict_set(d, pottery_int(10), pottery_null()));
    assert_ok(pottery_dict_set(d, pottery_int(9), pottery_bool(1)));
    assert_ok(pottery_dict_set(d, pottery_double(9.5), pottery_bool(0)));
    assert_ok(pottery_dict_to_json(&text, NULL, d));
    assert_string_equal(text, "{\"9\": true, \"9.5\": false, \"10\": null}");
    pottery_free(text);
    assert_ok(pottery_dict_set(d, pottery_str("s"), pottery_null()));
    assert_code(POTTERY_ETYPE, pottery_dict_to_json(&text, NULL, d));
    pottery_dict_free(d);
}

static void test_equality(void **state)
{
    (void)state;
    pottery_dict *a = open_dict("{eq}a"), *b = open_dict("{eq}b"), *a2 = open_dict("{eq}a"); /* one slot */
    int eq = -1;
    assert_ok(pottery_dict_equal_from(&eq, a, b));
    assert_int_equal(eq, 1); /* both empty */
    assert_ok(pottery_dict_set(a, pottery_str("k"), pottery_int(1)));
    assert_ok(pottery_dict_equal_from(&eq, a, b));
    assert_int_equal(eq, 0);
    assert_ok(pottery_dict_set(b, pottery_str("k"), pottery_double(1.0)));
    assert_round_trips(1, pottery_dict_equal_from(&eq, a, b));
    assert_int_equal(eq, 1); /* 1 == 1.0 */
    assert_ok(pottery_dict_set(b, pottery_str("k"), pottery_int(2)));
    assert_ok(pottery_dict_equal_from(&eq, a, b));
    assert_int_equal(eq, 0);
    /* Same key, same server: equal without reading. */
    uint64_t before = round_trips();
    assert_ok(pottery_dict_equal_from(&eq, a, a2));
    assert_int_equal(eq, 1);
    assert_int_equal(round_trips(), before);

    assert_ok(pottery_dict_equal_json(&eq, a, "{\"k\": 1}"));
    assert_int_equal(eq, 1);
    assert_ok(pottery_dict_equal_json(&eq, a, "{\"k\": true}"));
    assert_int_equal(eq, 1); /* Python: 1 == True */
    assert_ok(pottery_dict_equal_json(&eq, a, "{\"k\": 1, \"j\": 1}"));
    assert_int_equal(eq, 0);
    assert_ok(pottery_dict_equal_json(&eq, a, "{\"k\": \"1\"}"));
    assert_int_equal(eq, 0);
    /* d == None is False in Python, not a TypeError: answered without a round trip */
    eq = -1;
    assert_round_trips(0, pottery_dict_equal_json(&eq, a, "null"));
    assert_int_equal(eq, 0);
    eq = -1;
    assert_ok(pottery_dict_equal_json(&eq, a, "\tnull "));
    assert_int_equal(eq, 0);
    assert_code(POTTERY_ETYPE, pottery_dict_equal_json(&eq, a, "[1]"));
    assert_code(POTTERY_ETYPE, pottery_dict_equal_json(&eq, a, "{oops"));
    assert_code(POTTERY_ETYPE, pottery_dict_equal_json(&eq, a, "\"null\""));
    pottery_dict_free(a);
    pottery_dict_free(a2);
    pottery_dict_free(b);
}

/* ---- bad input ---- */

static void test_null_arguments(void **state)
{
    (void)state;
    pottery_dict *d = open_dict("nulls");
    pottery_value v = POTTERY_VALUE_INIT;
    int in;
    int64_t n;
    char *text;
    assert_code(POTTERY_EINVAL, pottery_dict_open(NULL, client, "k", NULL));
    pottery_dict *none = d;
    assert_code(POTTERY_EINVAL, pottery_dict_open(&none, NULL, "k", NULL));
    assert_null(none);
    pottery_dict_options bad = POTTERY_DICT_OPTIONS_INIT;
    bad.nitems = 3;
    pottery_dict *unused = NULL;
    assert_code(POTTERY_EINVAL, pottery_dict_open(&unused, client, "k", &bad));
    assert_code(POTTERY_EINVAL, pottery_dict_get(NULL, d, pottery_str("a")));
    assert_code(POTTERY_EINVAL, pottery_dict_get(&v, NULL, pottery_str("a")));
    assert_code(POTTERY_EINVAL, pottery_dict_set(NULL, pottery_str("a"), pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_dict_set(d, pottery_str(NULL), pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_dict_del(NULL, pottery_str("a")));
    assert_code(POTTERY_EINVAL, pottery_dict_contains(NULL, d, pottery_str("a")));
    assert_code(POTTERY_EINVAL, pottery_dict_len(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_dict_len(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_dict_popitem(&v, &v, NULL));
    assert_code(POTTERY_EINVAL, pottery_dict_update(d, NULL, 2));
    assert_code(POTTERY_EINVAL, pottery_dict_update_from(d, NULL));
    assert_code(POTTERY_EINVAL, pottery_dict_clear(NULL));
    assert_code(POTTERY_EINVAL, pottery_dict_to_json(NULL, NULL, d));
    assert_code(POTTERY_EINVAL, pottery_dict_repr(&text, NULL));
    assert_code(POTTERY_EINVAL, pottery_dict_equal_from(&in, d, NULL));
    assert_code(POTTERY_EINVAL, pottery_dict_equal_json(&in, d, NULL));
    assert_code(POTTERY_EINVAL, pottery_dict_iter_new(NULL, d));
    assert_code(POTTERY_EINVAL, pottery_dict_iter_next(&v, &v, NULL));
    assert_null(pottery_dict_key(NULL));
    assert_null(pottery_dict_client(NULL));
    pottery_dict_iter_free(NULL);
    /* Invalid UTF-8 is rejected before anything is sent; contains just says no. */
    assert_code(POTTERY_ETYPE, pottery_dict_set(d, pottery_strn("\xc0\xaf", 2), pottery_int(1)));
    assert_code(POTTERY_ETYPE, pottery_dict_set(d, pottery_str("k"), pottery_json("{not json")));
    in = -1;
    assert_ok(pottery_dict_contains(&in, d, pottery_strn("\xed\xa0\x80", 3)));
    assert_int_equal(in, 0);
    assert_raw("0", raw("EXISTS", "nulls", NULL));
    pottery_dict_free(d);
}

static void test_foreign_data_is_a_decode_error(void **state)
{
    (void)state;
    free(raw("HSET", "foreign", "plain-field", "\"ok\"", NULL));
    free(raw("HSET", "foreign", "\"k\"", "not json", NULL));
    free(raw("HSET", "foreign", "\"good\"", "1", NULL));
    pottery_dict *d = open_dict("foreign");
    pottery_value v = POTTERY_VALUE_INIT;
    assert_code(POTTERY_EDECODE, pottery_dict_get(&v, d, pottery_str("k")));
    assert_value_null(&v);
    assert_true(strlen(pottery_error_last()->message) > 0);
    pottery_value k = POTTERY_VALUE_INIT;
    pottery_dict_iter *it = NULL;
    assert_ok(pottery_dict_iter_new(&it, d));
    assert_iteration(pottery_dict_iter_next(&k, &v, it), 1, 2);
    pottery_dict_iter_free(it);
    char *text = NULL;
    assert_code(POTTERY_EDECODE, pottery_dict_repr(&text, d));
    assert_code(POTTERY_EDECODE, pottery_dict_to_json(&text, NULL, d));
    assert_raw("3", raw("HLEN", "foreign", NULL)); /* nothing was lost */
    pottery_value_dispose(&k);
    pottery_value_dispose(&v);
    pottery_dict_free(d);
}

static void test_pop_of_foreign_data_leaves_it_in_place(void **state)
{
    (void)state;
    free(raw("HSET", "f", "\"f\"", "abc", NULL));
    pottery_dict *d = open_dict("f");
    pottery_value k = pottery_int(7), v = pottery_int(8); /* must stay untouched */
    /* The pop and the put-back: two round trips, on this path only. */
    uint64_t before = round_trips();
    assert_code(POTTERY_EDECODE, pottery_dict_pop(&v, d, pottery_str("f")));
    assert_int_equal(round_trips() - before, 2);
    assert_message_contains("invalid JSON");
    assert_raw("1", raw("HLEN", "f", NULL));
    assert_raw("abc", raw("HGET", "f", "\"f\"", NULL));
    assert_code(POTTERY_EDECODE, pottery_dict_pop_default(&v, d, pottery_str("f"), pottery_null()));
    assert_raw("1", raw("HLEN", "f", NULL));
    assert_raw("abc", raw("HGET", "f", "\"f\"", NULL));
    before = round_trips();
    assert_code(POTTERY_EDECODE, pottery_dict_popitem(&k, &v, d));
    assert_int_equal(round_trips() - before, 2);
    assert_raw("1", raw("HLEN", "f", NULL));
    assert_raw("abc", raw("HGET", "f", "\"f\"", NULL));
    /* A foreign field with a JSON value: popitem puts both back. */
    free(raw("DEL", "f", NULL));
    free(raw("HSET", "f", "plain", "1", NULL));
    assert_code(POTTERY_EDECODE, pottery_dict_popitem(&k, NULL, d));
    assert_raw("1", raw("HLEN", "f", NULL));
    assert_raw("1", raw("HGET", "f", "plain", NULL));
    assert_value_int(&k, 7);
    assert_value_int(&v, 8);
    /* JSON entries still pop in one round trip, next to foreign ones. */
    free(raw("HSET", "f", "\"g\"", "2", NULL));
    assert_round_trips(1, pottery_dict_pop(&v, d, pottery_str("g")));
    assert_value_int(&v, 2);
    assert_raw("1", raw("HLEN", "f", NULL));
    pottery_dict_free(d);
}

static void test_pop_says_when_foreign_data_could_not_be_restored(void **state)
{
    (void)state;
    /* A user that may do everything but HSETNX, so that the put-back fails. */
    pottery_client *c = open_client_denied("denied", "hsetnx");
    pottery_dict *d = NULL;
    assert_ok(pottery_dict_open(&d, c, "f", NULL));
    pottery_value v = POTTERY_VALUE_INIT;
    free(raw("HSET", "f", "\"f\"", "abc", "\"g\"", "{", NULL));
    assert_code(POTTERY_EREDIS, pottery_dict_pop(&v, d, pottery_str("f")));
    assert_message_contains("could not be restored");
    assert_message_contains("invalid JSON"); /* and why it was taken off */
    assert_raw("0", raw("HEXISTS", "f", "\"f\"", NULL));
    assert_code(POTTERY_EREDIS, pottery_dict_popitem(NULL, &v, d));
    assert_message_contains("could not be restored");
    assert_raw("0", raw("HLEN", "f", NULL));
    assert_value_null(&v);
    pottery_dict_free(d);
    close_client_denied(c, "denied");
}

/* Python: float('nan') in d is False, whatever d holds (NaN != NaN, and a fresh NaN is not
 * the stored object), and so are get, pop and del of a fresh NaN. */
static void test_nan_key_is_never_found(void **state)
{
    (void)state;
    pottery_dict *d = open_dict("nan");
    assert_ok(pottery_dict_set(d, pottery_double(NAN), pottery_int(1)));
    assert_raw("1", raw("HGET", "nan", "NaN", NULL)); /* pottery's field for a NaN key */
    free(raw("HSET", "nan", "[NaN, 1]", "2", NULL));  /* a tuple key holding one */
    pottery_value keys[] = { pottery_double(NAN), pottery_double(-NAN), pottery_json("NaN"), pottery_json("[NaN, 1]") };
    pottery_value v = pottery_int(7);
    uint64_t before = round_trips();
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        int in = -1;
        assert_ok(pottery_dict_contains(&in, d, keys[i]));
        assert_int_equal(in, 0);
        assert_code(POTTERY_ENOTFOUND, pottery_dict_get(&v, d, keys[i]));
        assert_code(POTTERY_ENOTFOUND, pottery_dict_pop(&v, d, keys[i]));
        assert_code(POTTERY_ENOTFOUND, pottery_dict_del(d, keys[i]));
        assert_value_int(&v, 7);
        assert_ok(pottery_dict_get_default(&v, d, keys[i], pottery_int(8)));
        assert_value_int(&v, 8);
        assert_ok(pottery_dict_pop_default(&v, d, keys[i], pottery_int(9)));
        assert_value_int(&v, 9);
        v = pottery_int(7);
    }
    assert_code(POTTERY_ENOTFOUND, pottery_dict_get(&v, d, pottery_double(NAN)));
    assert_message("KeyError: nan");
    assert_int_equal(round_trips(), before); /* known without asking Redis */
    assert_raw("2", raw("HLEN", "nan", NULL));
    /* setdefault: never found, so the default is stored (over the one field "NaN") and returned. */
    assert_round_trips(1, pottery_dict_setdefault(&v, d, pottery_double(NAN), pottery_int(5)));
    assert_value_int(&v, 5);
    assert_raw("5", raw("HGET", "nan", "NaN", NULL));
    /* The letters inside a string are no NaN, and infinity equals itself. */
    int in = -1;
    assert_ok(pottery_dict_set(d, pottery_json("[\"NaN\"]"), pottery_int(3)));
    assert_ok(pottery_dict_contains(&in, d, pottery_json("[\"NaN\"]")));
    assert_int_equal(in, 1);
    assert_ok(pottery_dict_set(d, pottery_double(INFINITY), pottery_int(4)));
    assert_ok(pottery_dict_pop(&v, d, pottery_double(INFINITY)));
    assert_value_int(&v, 4);
    pottery_dict_free(d);
}

static void test_wrong_redis_type(void **state)
{
    (void)state;
    free(raw("SET", "plain", "value", NULL));
    pottery_dict *d = open_dict("plain");
    pottery_value v = POTTERY_VALUE_INIT;
    int64_t n;
    assert_wrongtype(pottery_dict_get(&v, d, pottery_str("a")));
    assert_code(POTTERY_EREDIS, pottery_dict_set(d, pottery_str("a"), pottery_int(1)));
    assert_code(POTTERY_EREDIS, pottery_dict_len(&n, d));
    assert_wrongtype(pottery_dict_pop(&v, d, pottery_str("a")));
    assert_code(POTTERY_EREDIS, pottery_dict_popitem(&v, &v, d));
    assert_code(POTTERY_EREDIS, pottery_dict_setdefault(&v, d, pottery_str("a"), pottery_int(1)));
    pottery_pair many[] = { { pottery_str("a"), pottery_int(1) }, { pottery_str("b"), pottery_int(2) } };
    assert_code(POTTERY_EREDIS, pottery_dict_update(d, many, 2));
    pottery_dict_iter *it = NULL;
    assert_ok(pottery_dict_iter_new(&it, d));
    assert_code(POTTERY_EREDIS, pottery_dict_iter_next(&v, NULL, it));
    pottery_dict_iter_free(it);
    assert_raw("value", raw("GET", "plain", NULL));
    pottery_dict_free(d);
}

/* A bulk write that Redis refuses inside its transaction leaves the client as it was: the
 * next call is one round trip. */
static void test_call_after_a_refused_bulk_write_is_one_round_trip(void **state)
{
    (void)state;
    enum { N = 2500 }; /* three HSETs: a streamed MULTI/EXEC */
    free(raw("SET", "plain", "value", NULL));
    pottery_dict *plain = open_dict("plain"), *d = open_dict("d");
    pottery_pair *items = calloc(N, sizeof *items);
    assert_non_null(items);
    for (int i = 0; i < N; i++) items[i] = (pottery_pair){ pottery_int(i), pottery_int(i) };
    assert_wrongtype(pottery_dict_update(plain, items, N));
    assert_round_trips(1, pottery_dict_set(d, pottery_str("a"), pottery_int(1)));
    assert_raw("value", raw("GET", "plain", NULL));
    free(items);
    pottery_dict_free(d);
    pottery_dict_free(plain);
}

static void test_dropped_connection(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client *c = victim_start(&victim, NULL);
    pottery_dict *d = NULL;
    assert_ok(pottery_dict_open(&d, c, "k", NULL));
    assert_ok(pottery_dict_set(d, pottery_str("a"), pottery_int(1)));
    test_redis_kill(&victim);
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_dict_get(&v, d, pottery_str("a"));
    assert_conn_lost(rc);
    assert_int_equal(test_redis_restart(&victim), 0);
    /* The next call reconnects by itself. */
    assert_ok(pottery_dict_set(d, pottery_str("b"), pottery_int(2)));
    assert_ok(pottery_dict_get(&v, d, pottery_str("b")));
    assert_value_int(&v, 2);
    pottery_value_dispose(&v);
    pottery_dict_free(d);
    victim_stop(&victim, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_readme_session, fixture_reset),
        cmocka_unit_test_setup(test_layout_matches_pottery, fixture_reset),
        cmocka_unit_test_setup(test_single_key_operations_cost_one_round_trip, fixture_reset),
        cmocka_unit_test_setup(test_missing_keys, fixture_reset),
        cmocka_unit_test_setup(test_pop_popitem_setdefault, fixture_reset),
        cmocka_unit_test_setup(test_pop_is_atomic_across_processes, fixture_reset),
        cmocka_unit_test_setup(test_popitem_is_atomic_across_processes, fixture_reset),
        cmocka_unit_test_setup(test_setdefault_is_atomic_across_processes, fixture_reset),
        cmocka_unit_test_setup(test_update_is_one_round_trip, fixture_reset),
        cmocka_unit_test_setup(test_update_with_bad_pair_writes_nothing, fixture_reset),
        cmocka_unit_test_setup(test_update_from_other_dicts, fixture_reset),
        cmocka_unit_test_setup(test_open_with_items_on_existing_key_fails, fixture_reset),
        cmocka_unit_test_setup(test_random_key_is_temporary, fixture_reset),
        cmocka_unit_test_setup(test_iteration_visits_every_entry_once, fixture_reset),
        cmocka_unit_test_setup(test_to_json, fixture_reset),
        cmocka_unit_test_setup(test_equality, fixture_reset),
        cmocka_unit_test_setup(test_null_arguments, fixture_reset),
        cmocka_unit_test_setup(test_options_version_and_accessors, fixture_reset),
        cmocka_unit_test_setup(test_foreign_data_is_a_decode_error, fixture_reset),
        cmocka_unit_test_setup(test_pop_of_foreign_data_leaves_it_in_place, fixture_reset),
        cmocka_unit_test_setup(test_pop_says_when_foreign_data_could_not_be_restored, fixture_reset),
        cmocka_unit_test_setup(test_nan_key_is_never_found, fixture_reset),
        cmocka_unit_test_setup(test_wrong_redis_type, fixture_reset),
        cmocka_unit_test_setup(test_call_after_a_refused_bulk_write_is_one_round_trip, fixture_reset),
        cmocka_unit_test_setup(test_dropped_connection, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup_two, fixture_teardown);
}
