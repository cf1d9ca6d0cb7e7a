/* pottery_set against private redis-servers: behaviour, layout, round trips, bad input. */
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
#include "support/test_fixture.h"

/* ---- helpers ---- */

/* An array of values and its length, for the forms that take values from memory. */
#define VALUES(...) (pottery_value[]){ __VA_ARGS__ }, sizeof((pottery_value[]){ __VA_ARGS__ }) / sizeof(pottery_value)

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* all, SMEMBERS rendered one member per line (freed here), sorted by bytes. */
static char *sorted_lines(char *all)
{
    assert_non_null(all);
    char *lines[64];
    size_t n = 0;
    for (char *p = all; *p && n < 64;) {
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl) break;
        *nl = '\0';
        p = nl + 1;
    }
    qsort(lines, n, sizeof *lines, line_cmp);
    size_t total = 1;
    for (size_t i = 0; i < n; i++) total += strlen(lines[i]) + 1;
    char *out = calloc(1, total + 1);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        if (i) strcat(out, "\n");
        strcat(out, lines[i]);
    }
    free(all);
    return out;
}

/* The members of a set, as raw SMEMBERS sees them (raw(): the server or the cluster),
 * sorted by bytes, one per line. */
static char *sorted_members(const char *key)
{
    return sorted_lines(raw("SMEMBERS", key, NULL));
}

/* The same on other_server. */
static char *sorted_far_members(const char *key)
{
    return sorted_lines(test_redis_cmdv(&other_server, "SMEMBERS", key, NULL));
}

static pottery_set *open_on(pottery_client *c, const char *key)
{
    pottery_set *s = NULL;
    assert_ok(pottery_set_open(&s, c, key, NULL));
    return s;
}

static pottery_set *open_set(const char *key)
{
    return open_on(client, key);
}

/* A set holding the given strings (NULL-terminated list). */
static pottery_set *open_with(pottery_client *c, const char *key, ...)
{
    pottery_value elems[32];
    size_t n = 0;
    va_list ap;
    va_start(ap, key);
    for (const char *e = va_arg(ap, const char *); e && n < 32; e = va_arg(ap, const char *))
        elems[n++] = pottery_str(e);
    va_end(ap);
    pottery_set_options opts = POTTERY_SET_OPTIONS_INIT;
    opts.elements = elems;
    opts.nelements = n;
    pottery_set *s = NULL;
    assert_ok(pottery_set_open(&s, c, key, &opts));
    return s;
}

/* count distinct 4000-byte strings (told apart by their first two letters) into vals, in
 * one malloc'd buffer that the caller frees after use: over 1 MiB for 300 and more. */
static char *big_strings(pottery_value *vals, int count)
{
    enum { LEN = 4000 };
    char *big = malloc((size_t)count * LEN);
    assert_non_null(big);
    memset(big, 'x', (size_t)count * LEN);
    for (int i = 0; i < count; i++) {
        big[(size_t)i * LEN] = (char)('A' + i % 26);
        big[(size_t)i * LEN + 1] = (char)('A' + i / 26);
        vals[i] = pottery_strn(big + (size_t)i * LEN, LEN);
    }
    return big;
}

static int64_t set_len(pottery_set *s)
{
    int64_t n = -1;
    assert_ok(pottery_set_len(&n, s));
    return n;
}

static void assert_json(const char *expected, char *text)
{
    assert_non_null(text);
    assert_string_equal(text, expected);
    pottery_free(text);
}

static void assert_set_json(const char *expected, pottery_set *s)
{
    char *text = NULL;
    assert_ok(pottery_set_to_json(&text, NULL, s));
    assert_json(expected, text);
}

/* ---- the seed README's session ---- */

static void test_readme_session(void **state)
{
    (void)state;
    pottery_value fruit[] = { pottery_str("apple"), pottery_str("orange"), pottery_str("apple"),
                              pottery_str("pear"),  pottery_str("orange"), pottery_str("banana") };
    pottery_set_options opts = POTTERY_SET_OPTIONS_INIT;
    opts.elements = fruit;
    opts.nelements = 6;
    pottery_set *basket = NULL;
    assert_ok(pottery_set_open(&basket, client, "basket", &opts));
    assert_set_json("[\"apple\", \"banana\", \"orange\", \"pear\"]", basket);
    int in = -1;
    assert_ok(pottery_set_contains(&in, basket, pottery_str("orange")));
    assert_int_equal(in, 1);
    assert_ok(pottery_set_contains(&in, basket, pottery_str("crabgrass")));
    assert_int_equal(in, 0);

    pottery_set *a = open_with(client, "magic", "a", "b", "r", "a", "c", "a", "d", "a", "b", "r", "a", NULL);
    pottery_set *b = open_with(client, NULL, "a", "l", "a", "c", "a", "z", "a", "m", NULL);
    assert_set_json("[\"a\", \"b\", \"c\", \"d\", \"r\"]", a);
    char *text = NULL;
    assert_ok(pottery_set_difference_from(&text, NULL, a, &b, 1));
    assert_json("[\"b\", \"d\", \"r\"]", text);
    assert_ok(pottery_set_union_from(&text, NULL, a, &b, 1));
    assert_json("[\"a\", \"b\", \"c\", \"d\", \"l\", \"m\", \"r\", \"z\"]", text);
    assert_ok(pottery_set_intersection_from(&text, NULL, a, &b, 1));
    assert_json("[\"a\", \"c\"]", text);
    assert_ok(pottery_set_symmetric_difference_from(&text, NULL, a, b));
    assert_json("[\"b\", \"d\", \"l\", \"m\", \"r\", \"z\"]", text);

    pottery_set *nirvana = open_with(client, "nirvana", "kurt", "krist", "dave", NULL);
    pottery_value probe[] = { pottery_str("kurt"), pottery_str("krist"), pottery_str("chat"), pottery_str("dave") };
    int answers[4] = { -1, -1, -1, -1 };
    assert_round_trips(1, pottery_set_contains_many(answers, nirvana, probe, 4));
    assert_int_equal(answers[0], 1);
    assert_int_equal(answers[1], 1);
    assert_int_equal(answers[2], 0);
    assert_int_equal(answers[3], 1);
    pottery_set_free(nirvana);
    pottery_set_free(a);
    pottery_set_free(b);
    pottery_set_free(basket);
}

/* ---- layout: the bytes pottery writes ---- */

static void test_layout_matches_pottery(void **state)
{
    (void)state;
    pottery_set *s = open_set("layout");
    assert_ok(pottery_set_add(s, pottery_str("jack")));
    assert_ok(pottery_set_add(s, pottery_int(1)));
    assert_ok(pottery_set_add(s, pottery_double(1.0)));
    assert_ok(pottery_set_add(s, pottery_bool(1)));
    assert_ok(pottery_set_add(s, pottery_json("{\"b\": [1, 2.5], \"a\": null}")));
    assert_ok(pottery_set_add(s, pottery_str("caf\xc3\xa9")));
    assert_ok(pottery_set_add(s, pottery_str("jack"))); /* already there */
    assert_raw("set", raw("TYPE", "layout", NULL));
    assert_raw("6", raw("SCARD", "layout", NULL)); /* 1, 1.0 and true are three members */
    assert_raw("\"caf\\u00e9\"\n\"jack\"\n1\n1.0\ntrue\n{\"a\": null, \"b\": [1, 2.5]}", sorted_members("layout"));
    /* RedisSet('abracadabra') stores the five distinct letters as JSON strings. */
    pottery_set *magic = open_with(client, "magic", "a", "b", "r", "a", "c", "a", "d", "a", "b", "r", "a", NULL);
    assert_raw("\"a\"\n\"b\"\n\"c\"\n\"d\"\n\"r\"", sorted_members("magic"));

    /* ...and what pottery wrote is read back. */
    free(raw("SADD", "layout", "[1, 2]", NULL));
    int in = 0;
    assert_ok(pottery_set_contains(&in, s, pottery_json("[1,2]")));
    assert_int_equal(in, 1);
    assert_ok(pottery_set_remove(s, pottery_json("[1, 2]")));
    assert_raw("0", raw("SISMEMBER", "layout", "[1, 2]", NULL));
    assert_ok(pottery_set_contains(&in, s, pottery_str("1")));
    assert_int_equal(in, 0); /* the string '1' is "\"1\"", not 1 */
    pottery_set_free(magic);
    pottery_set_free(s);
}

/* ---- single-element operations and their round trips ---- */

static void test_single_element_operations_cost_one_round_trip(void **state)
{
    (void)state;
    pottery_set *s = open_set("rtt");
    pottery_value v = POTTERY_VALUE_INIT;
    int in;
    int64_t n;
    assert_round_trips(1, pottery_set_add(s, pottery_str("a")));
    assert_round_trips(1, pottery_set_contains(&in, s, pottery_str("a")));
    assert_round_trips(1, pottery_set_len(&n, s));
    assert_round_trips(1, pottery_set_discard(s, pottery_str("zzz")));
    assert_round_trips(1, pottery_set_remove(s, pottery_str("a")));
    assert_ok(pottery_set_add(s, pottery_str("b")));
    /* pop is one SPOP: one round trip, one command */
    assert_round_trips(1, pottery_set_pop(&v, s));
    assert_value_str(&v, "b");
    free(raw("SADD", "rtt", "\"caf\xc3\xa9\"", NULL)); /* raw UTF-8, which pottery never writes */
    assert_commands(1, pottery_set_pop(&v, s));
    assert_value_str(&v, "caf\xc3\xa9");
    assert_round_trips(1, pottery_set_clear(s));
    pottery_value_dispose(&v);
    pottery_set_free(s);
}

static void test_remove_discard_pop(void **state)
{
    (void)state;
    pottery_set *s = open_with(client, "rdp", "x", NULL);
    assert_code(POTTERY_ENOTFOUND, pottery_set_remove(s, pottery_str("jack")));
    assert_message("KeyError: 'jack'");
    assert_code(POTTERY_ENOTFOUND, pottery_set_remove(s, pottery_int(5)));
    assert_message("KeyError: 5");
    assert_ok(pottery_set_discard(s, pottery_str("jack"))); /* no error */
    assert_ok(pottery_set_discard(s, pottery_str("x")));
    assert_raw("0", raw("EXISTS", "rdp", NULL));

    pottery_value v = pottery_int(7); /* a borrowed value in out must stay untouched on failure */
    assert_code(POTTERY_ENOTFOUND, pottery_set_pop(&v, s));
    assert_message("KeyError: 'pop from an empty set'");
    assert_value_int(&v, 7);

    /* pop returns each member once, decoded, and removes it. */
    v = pottery_null();
    assert_ok(pottery_set_add(s, pottery_json("[1, {\"a\": 2}]")));
    assert_ok(pottery_set_add(s, pottery_double(2.5)));
    int saw_array = 0, saw_double = 0;
    for (int i = 0; i < 2; i++) {
        assert_ok(pottery_set_pop(&v, s));
        if (pottery_value_is_array(&v)) {
            assert_value_json(&v, "[1, {\"a\": 2}]");
            saw_array++;
        } else {
            assert_value_double(&v, 2.5);
            saw_double++;
        }
    }
    assert_int_equal(saw_array, 1);
    assert_int_equal(saw_double, 1);
    assert_code(POTTERY_ENOTFOUND, pottery_set_pop(&v, s));
    pottery_value_dispose(&v);
    pottery_set_free(s);
}

/* Atomicity: four processes pop the same 800 members; each is popped exactly once. */
enum { RACE_MEMBERS = 800, RACE_WORKERS = 4 };

/* Pop until the set is empty; write which members it got (one byte each) to the pipe *fd. */
static int pop_race_worker(pottery_client *mine, int w, void *fd)
{
    (void)w;
    pottery_set *ss = NULL;
    unsigned char got[RACE_MEMBERS] = { 0 };
    int status = 0;
    if (pottery_set_open(&ss, mine, "race", NULL) == 0) {
        pottery_value v = POTTERY_VALUE_INIT;
        int rc;
        while ((rc = pottery_set_pop(&v, ss)) == 0) {
            int64_t member = pottery_value_int(&v);
            if (!pottery_value_is_int(&v) || member < 0 || member >= RACE_MEMBERS)
                status = 3;
            else
                got[member] = 1;
        }
        if (rc != POTTERY_ENOTFOUND) status = 4;
        pottery_value_dispose(&v);
    } else {
        status = 5;
    }
    pottery_set_free(ss);
    return write_all(*(int *)fd, got, sizeof got) == 0 ? status : 2;
}

/* Four workers pop the set "race" empty: each member is popped exactly once. */
static void race_to_pop(pottery_set *s)
{
    enum { N = RACE_MEMBERS };
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pids[RACE_WORKERS];
    for (int w = 0; w < RACE_WORKERS; w++) pids[w] = fork_worker(pop_race_worker, w, &fds[1]);
    close(fds[1]);
    int times[N] = { 0 };
    for (int w = 0; w < RACE_WORKERS; w++) {
        unsigned char got[N];
        assert_int_equal(read_full(fds[0], got, sizeof got), (ssize_t)sizeof got);
        for (int i = 0; i < N; i++) times[i] += got[i];
    }
    for (int w = 0; w < RACE_WORKERS; w++) assert_int_equal(wait_exit_code(pids[w]), 0);
    close(fds[0]);
    for (int i = 0; i < N; i++) assert_int_equal(times[i], 1);
    assert_int_equal(set_len(s), 0);
}

static void test_pop_is_atomic_across_processes(void **state)
{
    (void)state;
    pottery_set *s = open_set("race");
    pottery_value *vals = int_values(RACE_MEMBERS, 0, 1);
    assert_ok(pottery_set_update(s, vals, RACE_MEMBERS));
    free(vals);
    race_to_pop(s);
    pottery_set_free(s);
}

/* ---- bulk operations ---- */

static void test_bulk_operations_are_one_round_trip(void **state)
{
    (void)state;
    enum { N = 10000 };
    pottery_value *vals = int_values(N, 0, 2);
    int *answers = calloc(N, sizeof *answers);
    assert_non_null(answers);

    /* open with 10,000 elements */
    pottery_set_options opts = POTTERY_SET_OPTIONS_INIT;
    opts.elements = vals;
    opts.nelements = N;
    pottery_set *init = NULL;
    assert_round_trips(1, pottery_set_open(&init, client, "init10k", &opts));
    assert_raw("10000", raw("SCARD", "init10k", NULL));
    assert_raw("1", raw("SISMEMBER", "init10k", "19998", NULL));

    /* update_values with 10,000 elements */
    pottery_set *s = open_set("bulk");
    assert_round_trips(1, pottery_set_update(s, vals, N));
    assert_int_equal(set_len(s), N);
    assert_raw("1", raw("SISMEMBER", "bulk", "19998", NULL));

    /* contains_many with 10,000 inputs: even numbers are members, odd are not */
    for (int i = 0; i < N; i++) vals[i] = pottery_int(i);
    vals[4] = pottery_strn("\xff", 1); /* unencodable: answers 0, not sent */
    assert_round_trips(1, pottery_set_contains_many(answers, s, vals, N));
    for (int i = 0; i < N; i++) assert_int_equal(answers[i], i != 4 && i % 2 == 0);

    /* 10,000 small elements are one SADD command. */
    vals[4] = pottery_int(4);
    assert_commands(1, pottery_set_update(s, vals, N));

    /* Beyond 1 MiB of members: MULTI, several SADDs, EXEC, still one round trip. */
    enum { BIG = 600 };
    char *big = big_strings(vals, BIG);
    pottery_set *large = open_set("large");
    uint64_t cmds_before = commands();
    assert_round_trips(1, pottery_set_update(large, vals, BIG));
    assert_true(commands() - cmds_before >= 4); /* MULTI, >= 2 SADD, EXEC */
    assert_int_equal(set_len(large), BIG);
    pottery_set_free(large);
    free(big);
    for (int i = 0; i < N; i++) vals[i] = pottery_int(i);

    /* Small updates: one SADD command. */
    assert_commands(1, pottery_set_update(s, vals + 1, 3));
    assert_raw("1", raw("SISMEMBER", "bulk", "3", NULL));

    /* Nothing to do: nothing sent. */
    cmds_before = commands();
    assert_ok(pottery_set_update(s, NULL, 0));
    assert_ok(pottery_set_contains_many(NULL, s, NULL, 0));
    assert_int_equal(commands(), cmds_before);
    free(vals);
    free(answers);
    pottery_set_free(init);
    pottery_set_free(s);
}

static void test_contains_many_answers_in_order(void **state)
{
    (void)state;
    pottery_set *s = open_with(client, "cm", "a", "b", NULL);
    assert_ok(pottery_set_add(s, pottery_int(1)));
    pottery_value in[] = { pottery_str("b"),     pottery_double(1.0), pottery_int(1),  pottery_strn("\xc0\xaf", 2),
                           pottery_json("{bad"), pottery_str("a"),    pottery_str("b") };
    int out[7];
    memset(out, 0x55, sizeof out);
    assert_ok(pottery_set_contains_many(out, s, in, 7));
    int expected[7] = { 1, 0, 1, 0, 0, 1, 1 };
    for (int i = 0; i < 7; i++) assert_int_equal(out[i], expected[i]);

    /* Only unencodable inputs: all 0, nothing sent. */
    uint64_t cmds_before = commands();
    memset(out, 0x55, sizeof out);
    assert_ok(pottery_set_contains_many(out, s, in + 3, 2));
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0);
    assert_int_equal(commands(), cmds_before);

    /* A NULL string is a caller bug, not a non-member: EINVAL, out untouched. */
    pottery_value with_null[] = { pottery_str("a"), pottery_str(NULL) };
    out[0] = 42;
    assert_code(POTTERY_EINVAL, pottery_set_contains_many(out, s, with_null, 2));
    assert_int_equal(out[0], 42);
    /* ...also when the bad input comes after whole chunks were already sent. */
    enum { N = 2500 };
    pottery_value *many = calloc(N, sizeof *many);
    int *answers = calloc(N, sizeof *answers);
    assert_non_null(many);
    assert_non_null(answers);
    for (int i = 0; i < N; i++) many[i] = pottery_str("a");
    many[N - 1] = pottery_str(NULL);
    answers[0] = 42;
    assert_code(POTTERY_EINVAL, pottery_set_contains_many(answers, s, many, N));
    assert_int_equal(answers[0], 42);
    /* the client is still in step */
    many[N - 1] = pottery_str("zz");
    assert_ok(pottery_set_contains_many(answers, s, many, N));
    assert_int_equal(answers[0], 1);
    assert_int_equal(answers[N - 1], 0);
    free(many);
    free(answers);
    pottery_set_free(s);
}

static void test_update_with_bad_element_writes_nothing(void **state)
{
    (void)state;
    enum { N = 2500, BIG = 600 };
    pottery_set *s = open_set("badbulk");
    pottery_value *vals = calloc(N, sizeof *vals);
    assert_non_null(vals);
    /* Beyond 1 MiB (streamed MULTI): the bad element in the last chunk means DISCARD. */
    char *big = big_strings(vals, BIG);
    vals[BIG - 1] = pottery_strn("\xff\xfe", 2); /* invalid UTF-8 */
    uint64_t cmds_before = commands();
    assert_code(POTTERY_ETYPE, pottery_set_update(s, vals, BIG));
    assert_true(commands() - cmds_before >= 3); /* MULTI and SADDs were sent, then DISCARD */
    assert_raw("0", raw("EXISTS", "badbulk", NULL));
    free(big);
    /* One command: nothing sent at all. */
    for (int i = 0; i < N; i++) vals[i] = pottery_int(i);
    vals[N - 1] = pottery_strn("\xff\xfe", 2);
    cmds_before = commands();
    assert_code(POTTERY_ETYPE, pottery_set_update(s, vals, N));
    assert_int_equal(commands(), cmds_before);
    assert_raw("0", raw("EXISTS", "badbulk", NULL));
    assert_code(POTTERY_ETYPE, pottery_set_update(s, vals + N - 3, 3));
    assert_raw("0", raw("EXISTS", "badbulk", NULL));
    /* The client is still usable afterwards. */
    assert_ok(pottery_set_update(s, vals, 10));
    assert_int_equal(set_len(s), 10);
    free(vals);
    pottery_set_free(s);
}

/* ---- open: initial elements, random keys ---- */

static void test_open_with_elements_on_existing_key_fails(void **state)
{
    (void)state;
    free(raw("SADD", "taken", "\"old\"", NULL));
    pottery_value elems[] = { pottery_str("new") };
    pottery_set_options opts = POTTERY_SET_OPTIONS_INIT;
    opts.elements = elems;
    opts.nelements = 1;
    pottery_set *s = (pottery_set *)&opts; /* must be reset to NULL on failure */
    assert_code(POTTERY_EEXISTS, pottery_set_open(&s, client, "taken", &opts));
    assert_null(s);
    assert_message_contains("taken");
    assert_raw("\"old\"", raw("SMEMBERS", "taken", NULL));
    /* A key of another type counts as existing too. */
    free(raw("SET", "str", "x", NULL));
    assert_code(POTTERY_EEXISTS, pottery_set_open(&s, client, "str", &opts));
    assert_raw("x", raw("GET", "str", NULL));
    /* An unencodable element: nothing written. */
    pottery_value bad[] = { pottery_str("ok"), pottery_strn("\xed\xa0\x80", 3) };
    opts.elements = bad;
    opts.nelements = 2;
    assert_code(POTTERY_ETYPE, pottery_set_open(&s, client, "fresh", &opts));
    assert_null(s);
    assert_raw("0", raw("EXISTS", "fresh", NULL));
    /* Without elements, attaching to an existing set is fine and sends nothing. */
    uint64_t before = round_trips();
    assert_ok(pottery_set_open(&s, client, "taken", NULL));
    pottery_set_options empty = POTTERY_SET_OPTIONS_INIT;
    pottery_set *s2 = NULL;
    assert_ok(pottery_set_open(&s2, client, "taken", &empty));
    assert_int_equal(round_trips(), before);
    assert_string_equal(pottery_set_key(s), "taken");
    assert_ptr_equal(pottery_set_client(s), client);
    pottery_set_free(s);
    pottery_set_free(s2);
    assert_raw("1", raw("EXISTS", "taken", NULL)); /* user keys survive free */
}

static void test_random_key_is_temporary(void **state)
{
    (void)state;
    pottery_set *s = open_with(client, NULL, "a", NULL);
    const char *key = pottery_set_key(s);
    assert_random_key(key);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", key);
    assert_raw("1", raw("EXISTS", saved, NULL));
    pottery_set_free(s);
    assert_raw("0", raw("EXISTS", saved, NULL));
    /* A user-chosen "pottery:" key is deleted too, as pottery does. */
    free(raw("SADD", "pottery:mine", "1", NULL));
    s = open_set("pottery:mine");
    pottery_set_free(s);
    assert_raw("0", raw("EXISTS", "pottery:mine", NULL));
    pottery_set_free(NULL);
}

/* ---- iteration ---- */

static void test_iteration_visits_every_member_once(void **state)
{
    (void)state;
    enum { N = 5000 };
    pottery_set *s = open_set("iter");
    pottery_value *vals = int_values(N, 0, -1);
    assert_ok(pottery_set_update(s, vals, N));
    free(vals);
    unsigned char *seen = calloc(N, 1);
    assert_non_null(seen);
    pottery_set_iter *it = NULL;
    assert_ok(pottery_set_iter_new(&it, s));
    pottery_value v = POTTERY_VALUE_INIT;
    int rc, count = 0;
    uint64_t before = round_trips();
    while ((rc = pottery_set_iter_next(&v, it)) == 0) {
        assert_int_equal(pottery_value_type(&v), POTTERY_TYPE_INT);
        int64_t member = pottery_value_int(&v);
        assert_true(member <= 0 && member > -N);
        assert_int_equal(seen[-member], 0);
        seen[-member] = 1;
        count++;
    }
    assert_int_equal(rc, POTTERY_EITEROVER);
    assert_int_equal(count, N);
    assert_true(round_trips() - before >= 3); /* batches, not one giant reply */
    pottery_set_iter_free(it);
    /* counting without decoding */
    assert_ok(pottery_set_iter_new(&it, s));
    count = 0;
    while (pottery_set_iter_next(NULL, it) == 0) count++;
    assert_int_equal(count, N);
    pottery_set_iter_free(it);
    pottery_value_dispose(&v);
    free(seen);
    pottery_set_free(s);

    /* An absent key iterates as empty. */
    s = open_set("nothing-here");
    assert_ok(pottery_set_iter_new(&it, s));
    assert_code(POTTERY_EITEROVER, pottery_set_iter_next(&v, it));
    pottery_set_iter_free(it);
    pottery_set_free(s);
}

/* ---- snapshots ---- */

static void test_to_json_and_repr(void **state)
{
    (void)state;
    pottery_set *s = open_set("snap");
    char *text = NULL;
    size_t len = 0;
    assert_ok(pottery_set_to_json(&text, &len, s));
    assert_string_equal(text, "[]");
    assert_int_equal(len, 2);
    pottery_free(text);
    assert_ok(pottery_set_repr(&text, s));
    assert_string_equal(text, "RedisSet()");
    pottery_free(text);

    assert_ok(pottery_set_add(s, pottery_str("apple")));
    assert_ok(pottery_set_repr(&text, s));
    assert_string_equal(text, "RedisSet{'apple'}");
    pottery_free(text);

    assert_ok(pottery_set_add(s, pottery_int(10)));
    assert_ok(pottery_set_add(s, pottery_int(2)));
    assert_ok(pottery_set_add(s, pottery_null()));
    assert_ok(pottery_set_add(s, pottery_json("{\"z\": 1, \"a\": [true]}")));
    assert_ok(pottery_set_add(s, pottery_str("\xc3\xa9")));
    /* A foreign writer's valid but non-canonical JSON is written back canonical; it equals
     * an existing member once canonical, so it appears once. */
    free(raw("SADD", "snap", "{\"z\":1,\"a\":[true]}", NULL));
    assert_ok(pottery_set_to_json(&text, &len, s));
    assert_string_equal(text, "[\"\\u00e9\", \"apple\", 10, 2, null, {\"a\": [true], \"z\": 1}]");
    assert_int_equal(len, strlen(text));
    pottery_free(text);

    assert_ok(pottery_set_repr(&text, s));
    assert_memory_equal(text, "RedisSet{", 9);
    assert_non_null(strstr(text, "'apple'"));
    assert_non_null(strstr(text, "None"));
    assert_non_null(strstr(text, "{'a': [True], 'z': 1}"));
    assert_non_null(strstr(text, "'\xc3\xa9'"));
    assert_int_equal(text[strlen(text) - 1], '}');
    pottery_free(text);
    pottery_set_free(s);
}

/* ---- comparisons ---- */

static void test_comparisons_same_server(void **state)
{
    (void)state;
    /* a, b and c share a hash tag: one slot on a cluster, so on the server there too */
    pottery_set *a = open_with(client, "{cmp}a", "x", "y", NULL);
    pottery_set *b = open_with(client, "{cmp}b", "x", "y", "z", NULL);
    pottery_set *c = open_with(client, "{cmp}c", "q", NULL);
    pottery_set *a2 = open_on(client2, "{cmp}a"); /* same key, another client */
    pottery_set *empty = open_set("cmp-empty");
    int r = -1;
    uint64_t before = round_trips();
    assert_ok(pottery_set_issubset_from(&r, a, b));
    assert_int_equal(r, 1);
    assert_int_equal(round_trips() - before, 1);
    assert_ok(pottery_set_issubset_from(&r, b, a));
    assert_int_equal(r, 0);
    before = round_trips();
    assert_ok(pottery_set_issuperset_from(&r, b, a));
    assert_int_equal(r, 1);
    assert_int_equal(round_trips() - before, 1);
    assert_ok(pottery_set_issuperset_from(&r, a, b));
    assert_int_equal(r, 0);
    before = round_trips();
    assert_ok(pottery_set_isdisjoint_from(&r, a, c));
    assert_int_equal(r, 1);
    assert_int_equal(round_trips() - before, 1);
    assert_ok(pottery_set_isdisjoint_from(&r, a, b));
    assert_int_equal(r, 0);
    before = round_trips();
    assert_ok(pottery_set_equal_from(&r, a, b));
    assert_int_equal(r, 0);
    assert_int_equal(round_trips() - before, 1);
    /* the empty set: subset of everything, disjoint with everything */
    assert_ok(pottery_set_issubset_from(&r, empty, c));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_isdisjoint_from(&r, empty, empty));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_issuperset_from(&r, empty, c));
    assert_int_equal(r, 0);
    /* Same key on the same server: equal without reading. */
    before = round_trips();
    assert_ok(pottery_set_equal_from(&r, a, a2));
    assert_int_equal(r, 1);
    assert_int_equal(round_trips(), before);
    /* Equal contents under different keys. */
    assert_ok(pottery_set_discard(b, pottery_str("z")));
    assert_ok(pottery_set_equal_from(&r, a, b));
    assert_int_equal(r, 1);
    /* Bytes decide: 1 and 1.0 are different members. */
    assert_ok(pottery_set_add(a, pottery_int(1)));
    assert_ok(pottery_set_add(b, pottery_double(1.0)));
    assert_ok(pottery_set_equal_from(&r, a, b));
    assert_int_equal(r, 0);
    pottery_set_free(a);
    pottery_set_free(a2);
    pottery_set_free(b);
    pottery_set_free(c);
    pottery_set_free(empty);
}

/* Comparisons with values from memory: Python's s == set(values), s.issubset(values), ... */
static void test_comparisons_with_values(void **state)
{
    (void)state;
    pottery_set *s = open_with(client, "cv", "x", "y", NULL);
    pottery_set *empty = open_set("cv-empty");
    int r = -1;
    /* equal and issubset: the values go into a temporary key, one MULTI/EXEC */
    assert_round_trips(1, pottery_set_equal(&r, s, VALUES(pottery_str("y"), pottery_str("x"), pottery_str("x"))));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_equal(&r, s, VALUES(pottery_str("y"))));
    assert_int_equal(r, 0);
    assert_ok(pottery_set_equal(&r, s, VALUES(pottery_str("y"), pottery_str("x"), pottery_str("z"))));
    assert_int_equal(r, 0);
    assert_round_trips(1, pottery_set_equal(&r, empty, NULL, 0));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_equal(&r, s, NULL, 0));
    assert_int_equal(r, 0);

    assert_round_trips(1, pottery_set_issubset(&r, s, VALUES(pottery_str("x"), pottery_str("y"), pottery_str("z"))));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_issubset(&r, s, VALUES(pottery_str("x"), pottery_int(1))));
    assert_int_equal(r, 0);
    assert_ok(pottery_set_issubset(&r, s, VALUES(pottery_str("y"), pottery_str("x"), pottery_str("y"))));
    assert_int_equal(r, 1); /* duplicates collapse */
    assert_ok(pottery_set_issubset(&r, empty, NULL, 0));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_issubset(&r, s, NULL, 0));
    assert_int_equal(r, 0);

    /* issuperset and isdisjoint: one SMISMEMBER, nothing for no values */
    assert_round_trips(1, pottery_set_issuperset(&r, s, VALUES(pottery_str("x"))));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_issuperset(&r, s, VALUES(pottery_str("x"), pottery_str("w"))));
    assert_int_equal(r, 0);
    assert_round_trips(1, pottery_set_isdisjoint(&r, s, VALUES(pottery_str("a"), pottery_int(2))));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_isdisjoint(&r, s, VALUES(pottery_str("a"), pottery_str("y"))));
    assert_int_equal(r, 0);
    uint64_t cmds = commands();
    assert_ok(pottery_set_issuperset(&r, s, NULL, 0)); /* known without Redis */
    assert_int_equal(r, 1);
    assert_ok(pottery_set_isdisjoint(&r, s, NULL, 0));
    assert_int_equal(r, 1);
    assert_int_equal(commands(), cmds);

    /* Elements are compared as canonical JSON: objects in any key order match. */
    assert_ok(pottery_set_add(s, pottery_json("{\"a\": 1, \"b\": 2}")));
    assert_ok(pottery_set_issuperset(&r, s, VALUES(pottery_json("{\"b\":2,\"a\":1}"))));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_issuperset(&r, s, VALUES(pottery_json("{\"b\":2,\"a\":1.0}"))));
    assert_int_equal(r, 0); /* 1 and 1.0 differ */
    assert_ok(pottery_set_discard(s, pottery_json("{\"a\": 1, \"b\": 2}")));

    /* A value that cannot be encoded is in no set: equal says no (and sends nothing),
     * issuperset says no, issubset and isdisjoint pass over it. */
    pottery_value bad = pottery_strn("\xff", 1);
    cmds = commands();
    assert_ok(pottery_set_equal(&r, s, VALUES(pottery_str("x"), pottery_str("y"), bad)));
    assert_int_equal(r, 0);
    assert_int_equal(commands(), cmds);
    assert_ok(pottery_set_issuperset(&r, s, VALUES(pottery_str("x"), bad)));
    assert_int_equal(r, 0);
    assert_ok(pottery_set_issubset(&r, s, VALUES(pottery_str("x"), bad, pottery_str("y"))));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_isdisjoint(&r, s, VALUES(bad, pottery_json("[1,"))));
    assert_int_equal(r, 1);
    /* A NULL string is a caller bug: EINVAL, r untouched. */
    r = 42;
    assert_code(POTTERY_EINVAL, pottery_set_equal(&r, s, VALUES(pottery_str("x"), pottery_str(NULL))));
    assert_code(POTTERY_EINVAL, pottery_set_issubset(&r, s, VALUES(pottery_str(NULL))));
    assert_code(POTTERY_EINVAL, pottery_set_isdisjoint(&r, s, VALUES(pottery_str(NULL))));
    assert_int_equal(r, 42);
    assert_raw("1", raw("DBSIZE", NULL)); /* cv and nothing left behind */
    pottery_set_free(s);
    pottery_set_free(empty);
}

/* Many values: the temporary key is written a MiB at a time inside one MULTI/EXEC. */
static void test_values_forms_in_bulk(void **state)
{
    (void)state;
    enum { N = 20000, BIG = 600 };
    pottery_set *s = open_set("vb");
    pottery_value *vals = int_values(N, 0, 1);
    assert_ok(pottery_set_update(s, vals, N / 2)); /* 0..9999 */
    int r = -1;
    assert_round_trips(1, pottery_set_issubset(&r, s, vals, N));
    assert_int_equal(r, 1);
    assert_round_trips(1, pottery_set_equal(&r, s, vals, N));
    assert_int_equal(r, 0);
    assert_ok(pottery_set_equal(&r, s, vals, N / 2));
    assert_int_equal(r, 1);
    assert_round_trips(1, pottery_set_issuperset(&r, s, vals, N));
    assert_int_equal(r, 0);
    char *text = NULL;
    assert_round_trips(1, pottery_set_intersection(&text, NULL, s, vals + N / 2 - 2, 4));
    assert_json("[9998, 9999]", text);
    pottery_set *n = NULL;
    assert_round_trips(1, pottery_set_symmetric_difference_new(&n, s, vals + N / 4, N / 2));
    assert_int_equal(set_len(n), N / 2);
    pottery_set_free(n);
    assert_round_trips(1, pottery_set_intersection_update(s, vals + N / 4, N - N / 4));
    assert_int_equal(set_len(s), N / 4);
    assert_round_trips(1, pottery_set_difference_update(s, vals, N));
    assert_raw("0", raw("EXISTS", "vb", NULL));

    /* Beyond 1 MiB of values: several SADDs to the temporary key, still one round trip. */
    char *big = big_strings(vals, BIG);
    assert_ok(pottery_set_update(s, vals, BIG / 2));
    uint64_t cmds = commands();
    assert_round_trips(1, pottery_set_issubset(&r, s, vals, BIG));
    assert_true(commands() - cmds >= 6); /* MULTI, >= 2 SADD, SCARD, SINTERCARD, UNLINK, EXEC */
    assert_int_equal(r, 1);
    assert_round_trips(1, pottery_set_union(&text, NULL, s, vals + BIG / 2, BIG / 2));
    assert_true(strlen(text) > (size_t)BIG * 4000);
    pottery_free(text);
    assert_round_trips(1, pottery_set_symmetric_difference_update(s, vals, BIG));
    assert_int_equal(set_len(s), BIG / 2);
    /* ...and a bad value in the last MiB turns EXEC into DISCARD: nothing written. */
    vals[BIG - 1] = pottery_strn("\xff\xfe", 2);
    assert_code(POTTERY_ETYPE, pottery_set_symmetric_difference_update(s, vals, BIG));
    assert_code(POTTERY_ETYPE, pottery_set_union_new(&n, s, vals, BIG));
    assert_null(n);
    assert_ok(pottery_set_equal(&r, s, vals, BIG));
    assert_int_equal(r, 0);
    assert_int_equal(set_len(s), BIG / 2);
    assert_raw("1", raw("DBSIZE", NULL)); /* vb only: no temporary key left */
    free(big);
    free(vals);
    pottery_set_free(s);
}

static void test_comparisons_across_servers(void **state)
{
    (void)state;
    enum { N = 2500 };
    pottery_set *a = open_set("xa");
    pottery_set *far = open_on(far_client, "xfar");
    pottery_value *vals = int_values(N, 0, 1);
    assert_ok(pottery_set_update(a, vals, N));
    assert_ok(pottery_set_update(far, vals, N));
    int r = -1;
    assert_ok(pottery_set_equal_from(&r, a, far));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_issubset_from(&r, a, far));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_issuperset_from(&r, far, a));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_isdisjoint_from(&r, a, far));
    assert_int_equal(r, 0);
    /* One member differs (same sizes): the scan must find it. */
    assert_ok(pottery_set_remove(far, pottery_int(1234)));
    assert_ok(pottery_set_add(far, pottery_str("other")));
    assert_ok(pottery_set_equal_from(&r, a, far));
    assert_int_equal(r, 0);
    assert_ok(pottery_set_issubset_from(&r, a, far));
    assert_int_equal(r, 0);
    assert_ok(pottery_set_issuperset_from(&r, a, far));
    assert_int_equal(r, 0);
    assert_ok(pottery_set_discard(far, pottery_str("other")));
    assert_ok(pottery_set_issuperset_from(&r, a, far));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_issubset_from(&r, a, far));
    assert_int_equal(r, 0); /* bigger than far: known from the sizes */
    /* disjoint */
    pottery_set *f2 = open_with(far_client, "xf2", "p", "q", NULL);
    assert_ok(pottery_set_isdisjoint_from(&r, a, f2));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_isdisjoint_from(&r, f2, a));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_add(a, pottery_str("q")));
    assert_ok(pottery_set_isdisjoint_from(&r, a, f2));
    assert_int_equal(r, 0);
    free(vals);
    pottery_set_free(a);
    pottery_set_free(far);
    pottery_set_free(f2);
}

/* ---- set algebra ---- */

static void test_algebra_same_server(void **state)
{
    (void)state;
    /* one hash tag: one slot on a cluster, so on the server there too */
    pottery_set *a = open_with(client, "{al}a", "1", "2", "3", "4", NULL);
    pottery_set *b = open_with(client2, "{al}b", "3", "4", "5", NULL); /* another client, same server */
    pottery_set *c = open_with(client, "{al}c", "4", "6", NULL);
    pottery_set *bc[] = { b, c };
    char *text = NULL;
    size_t len = 0;
    assert_round_trips(1, pottery_set_union_from(&text, &len, a, bc, 2));
    assert_int_equal(len, strlen(text));
    assert_json("[\"1\", \"2\", \"3\", \"4\", \"5\", \"6\"]", text);
    assert_round_trips(1, pottery_set_intersection_from(&text, NULL, a, bc, 2));
    assert_json("[\"4\"]", text);
    assert_round_trips(1, pottery_set_difference_from(&text, NULL, a, bc, 2));
    assert_json("[\"1\", \"2\"]", text);
    assert_round_trips(1, pottery_set_symmetric_difference_from(&text, NULL, a, b));
    assert_json("[\"1\", \"2\", \"5\"]", text);
    /* No operands: a copy, as Python's s.union() is. */
    assert_ok(pottery_set_union_from(&text, NULL, a, NULL, 0));
    assert_json("[\"1\", \"2\", \"3\", \"4\"]", text);
    assert_ok(pottery_set_intersection_from(&text, NULL, a, NULL, 0));
    assert_json("[\"1\", \"2\", \"3\", \"4\"]", text);
    assert_ok(pottery_set_difference_from(&text, NULL, a, NULL, 0));
    assert_json("[\"1\", \"2\", \"3\", \"4\"]", text);

    /* New sets: a random "pottery:" key on a's client, made on the server. */
    pottery_set *u = NULL;
    assert_round_trips(1, pottery_set_union_new_from(&u, a, bc, 2));
    assert_temporary_key(pottery_set_key(u), "{al}a");
    assert_ptr_equal(pottery_set_client(u), client);
    assert_set_json("[\"1\", \"2\", \"3\", \"4\", \"5\", \"6\"]", u);
    char ukey[64];
    snprintf(ukey, sizeof ukey, "%s", pottery_set_key(u));
    assert_raw("6", raw("SCARD", ukey, NULL));
    pottery_set_free(u);
    assert_raw("0", raw("EXISTS", ukey, NULL));

    pottery_set *n = NULL;
    assert_ok(pottery_set_intersection_new_from(&n, a, bc, 2));
    assert_set_json("[\"4\"]", n);
    pottery_set_free(n);
    assert_ok(pottery_set_difference_new_from(&n, a, &b, 1));
    assert_set_json("[\"1\", \"2\"]", n);
    pottery_set_free(n);
    assert_round_trips(1, pottery_set_symmetric_difference_new_from(&n, a, c));
    assert_set_json("[\"1\", \"2\", \"3\", \"6\"]", n);
    pottery_set_free(n);
    assert_ok(pottery_set_difference_new_from(&n, a, NULL, 0)); /* a copy */
    assert_set_json("[\"1\", \"2\", \"3\", \"4\"]", n);
    pottery_set_free(n);
    /* An empty result is a set with no key behind it. */
    assert_ok(pottery_set_difference_new_from(&n, a, &a, 1));
    assert_int_equal(set_len(n), 0);
    pottery_set_free(n);
    /* The operands are untouched. */
    assert_raw("4", raw("SCARD", "{al}a", NULL));
    assert_raw("3", raw("SCARD", "{al}b", NULL));
    pottery_set_free(a);
    pottery_set_free(b);
    pottery_set_free(c);
}

static void test_algebra_across_servers(void **state)
{
    (void)state;
    pottery_set *a = open_with(client, "{am}a", "1", "2", "3", "4", NULL); /* one slot on a cluster */
    pottery_set *b = open_with(client, "{am}b", "3", "4", "5", NULL);
    pottery_set *far = open_with(far_client, "am-far", "4", "5", "6", NULL);
    pottery_set *ops[] = { b, far };
    char *text = NULL;
    assert_ok(pottery_set_union_from(&text, NULL, a, ops, 2));
    assert_json("[\"1\", \"2\", \"3\", \"4\", \"5\", \"6\"]", text);
    assert_ok(pottery_set_intersection_from(&text, NULL, a, ops, 2));
    assert_json("[\"4\"]", text);
    assert_ok(pottery_set_intersection_from(&text, NULL, a, &far, 1));
    assert_json("[\"4\"]", text);
    assert_ok(pottery_set_difference_from(&text, NULL, a, ops, 2));
    assert_json("[\"1\", \"2\"]", text);
    assert_ok(pottery_set_difference_from(&text, NULL, a, &far, 1));
    assert_json("[\"1\", \"2\", \"3\"]", text);
    assert_ok(pottery_set_symmetric_difference_from(&text, NULL, a, far));
    assert_json("[\"1\", \"2\", \"3\", \"5\", \"6\"]", text);
    /* far as the left operand: its server is the "local" one */
    assert_ok(pottery_set_difference_from(&text, NULL, far, &a, 1));
    assert_json("[\"5\", \"6\"]", text);

    /* New sets land on the left operand's client: the far operand is read with SSCAN into
     * a temporary key inside the one MULTI/EXEC that stores the result. */
    pottery_set *n = NULL;
    assert_round_trips(1, pottery_set_union_new_from(&n, a, ops, 2));
    assert_ptr_equal(pottery_set_client(n), client);
    assert_temporary_key(pottery_set_key(n), "{am}a");
    assert_set_json("[\"1\", \"2\", \"3\", \"4\", \"5\", \"6\"]", n);
    pottery_set_free(n);
    assert_ok(pottery_set_intersection_new_from(&n, a, ops, 2));
    assert_set_json("[\"4\"]", n);
    pottery_set_free(n);
    assert_ok(pottery_set_difference_new_from(&n, a, ops, 2));
    assert_set_json("[\"1\", \"2\"]", n);
    pottery_set_free(n);
    assert_round_trips(1, pottery_set_symmetric_difference_new_from(&n, a, far));
    assert_set_json("[\"1\", \"2\", \"3\", \"5\", \"6\"]", n);
    pottery_set_free(n);
    assert_ok(pottery_set_symmetric_difference_new_from(&n, far, a));
    assert_ptr_equal(pottery_set_client(n), far_client);
    assert_set_json("[\"1\", \"2\", \"3\", \"5\", \"6\"]", n);
    pottery_set_free(n);
    assert_raw("2", raw("DBSIZE", NULL)); /* {am}a, {am}b: no result or scratch key left */
    pottery_set_free(a);
    pottery_set_free(b);
    pottery_set_free(far);
}

/* Bigger operands across servers: several SSCAN/SMISMEMBER batches. */
static void test_algebra_across_servers_in_batches(void **state)
{
    (void)state;
    enum { N = 3000 };
    pottery_set *a = open_set("big-a");
    pottery_set *far = open_on(far_client, "big-far");
    pottery_value *vals = int_values(N, 0, 1);
    assert_ok(pottery_set_update(a, vals, N)); /* 0..2999 */
    for (int i = 0; i < N; i++) vals[i] = pottery_int(i + N / 2);
    assert_ok(pottery_set_update(far, vals, N)); /* 1500..4499 */
    pottery_set *n = NULL;
    int64_t len = 0;
    assert_ok(pottery_set_intersection_new_from(&n, a, &far, 1));
    assert_ok(pottery_set_len(&len, n));
    assert_int_equal(len, N / 2);
    pottery_set_free(n);
    assert_ok(pottery_set_union_new_from(&n, a, &far, 1));
    assert_ok(pottery_set_len(&len, n));
    assert_int_equal(len, N + N / 2);
    pottery_set_free(n);
    assert_ok(pottery_set_difference_new_from(&n, a, &far, 1));
    assert_ok(pottery_set_len(&len, n));
    assert_int_equal(len, N / 2);
    int in = 0;
    assert_ok(pottery_set_contains(&in, n, pottery_int(1499)));
    assert_int_equal(in, 1);
    assert_ok(pottery_set_contains(&in, n, pottery_int(1500)));
    assert_int_equal(in, 0);
    pottery_set_free(n);
    assert_ok(pottery_set_symmetric_difference_new_from(&n, a, far));
    assert_ok(pottery_set_len(&len, n));
    assert_int_equal(len, N);
    pottery_set_free(n);
    free(vals);
    pottery_set_free(a);
    pottery_set_free(far);
}

/* Algebra with values from memory: Python's s.union(iterable) etc. and s | set(...). */
static void test_algebra_with_values(void **state)
{
    (void)state;
    pottery_set *a = open_with(client, "av-a", "1", "2", "3", "4", NULL);
    pottery_set *empty = open_set("av-empty");
    char *text = NULL;
    size_t len = 0;
    assert_round_trips(1,
                       pottery_set_union(&text, &len, a, VALUES(pottery_str("5"), pottery_str("4"), pottery_int(4))));
    assert_int_equal(len, strlen(text));
    assert_json("[\"1\", \"2\", \"3\", \"4\", \"5\", 4]", text);
    assert_round_trips(
        1, pottery_set_intersection(&text, NULL, a,
                                    VALUES(pottery_str("4"), pottery_str("6"), pottery_str("1"), pottery_str("4"))));
    assert_json("[\"1\", \"4\"]", text);
    assert_round_trips(1, pottery_set_difference(&text, NULL, a, VALUES(pottery_str("4"), pottery_str("9"))));
    assert_json("[\"1\", \"2\", \"3\"]", text);
    assert_round_trips(1, pottery_set_symmetric_difference(
                              &text, NULL, a, VALUES(pottery_str("4"), pottery_str("9"), pottery_str("9"))));
    assert_json("[\"1\", \"2\", \"3\", \"9\"]", text);
    /* No values: the empty set. */
    assert_ok(pottery_set_union(&text, NULL, a, NULL, 0));
    assert_json("[\"1\", \"2\", \"3\", \"4\"]", text);
    uint64_t cmds = commands();
    assert_ok(pottery_set_intersection(&text, NULL, a, NULL, 0)); /* known without Redis */
    assert_json("[]", text);
    assert_int_equal(commands(), cmds);
    assert_ok(pottery_set_difference(&text, NULL, a, NULL, 0));
    assert_json("[\"1\", \"2\", \"3\", \"4\"]", text);
    assert_ok(pottery_set_symmetric_difference(&text, NULL, empty, VALUES(pottery_null())));
    assert_json("[null]", text);

    /* New sets: a random "pottery:" key on a's client, one round trip. */
    pottery_set *n = NULL;
    assert_round_trips(1, pottery_set_union_new(&n, a, VALUES(pottery_str("5"))));
    assert_temporary_key(pottery_set_key(n), "av-a");
    assert_ptr_equal(pottery_set_client(n), client);
    assert_set_json("[\"1\", \"2\", \"3\", \"4\", \"5\"]", n);
    pottery_set_free(n);
    assert_round_trips(1, pottery_set_intersection_new(&n, a, VALUES(pottery_str("2"), pottery_str("7"))));
    assert_set_json("[\"2\"]", n);
    pottery_set_free(n);
    assert_round_trips(1, pottery_set_difference_new(&n, a, VALUES(pottery_str("2"), pottery_str("7"))));
    assert_set_json("[\"1\", \"3\", \"4\"]", n);
    pottery_set_free(n);
    assert_round_trips(1, pottery_set_symmetric_difference_new(&n, a, VALUES(pottery_str("2"), pottery_str("7"))));
    assert_set_json("[\"1\", \"3\", \"4\", \"7\"]", n);
    pottery_set_free(n);
    assert_ok(pottery_set_intersection_new(&n, a, NULL, 0)); /* an empty set, no key */
    assert_int_equal(set_len(n), 0);
    pottery_set_free(n);

    /* A value that cannot be encoded: passed over by intersection and difference, an error
     * where it would have to be returned or stored (nothing written). */
    pottery_value bad = pottery_json("{bad");
    assert_ok(pottery_set_intersection(&text, NULL, a, VALUES(bad, pottery_str("1"))));
    assert_json("[\"1\"]", text);
    assert_ok(pottery_set_difference(&text, NULL, a, VALUES(pottery_str("1"), bad)));
    assert_json("[\"2\", \"3\", \"4\"]", text);
    assert_ok(pottery_set_difference_new(&n, a, VALUES(bad, pottery_str("2"))));
    assert_set_json("[\"1\", \"3\", \"4\"]", n);
    pottery_set_free(n);
    cmds = commands();
    text = NULL;
    assert_code(POTTERY_ETYPE, pottery_set_union(&text, NULL, a, VALUES(pottery_str("1"), bad)));
    assert_null(text);
    assert_code(POTTERY_ETYPE, pottery_set_symmetric_difference(&text, NULL, a, VALUES(bad)));
    assert_code(POTTERY_ETYPE, pottery_set_union_new(&n, a, VALUES(bad)));
    assert_null(n);
    assert_code(POTTERY_ETYPE, pottery_set_symmetric_difference_new(&n, a, VALUES(bad)));
    assert_int_equal(commands(), cmds);

    /* The operand is untouched and no temporary key is left. */
    assert_raw("4", raw("SCARD", "av-a", NULL));
    assert_raw("1", raw("DBSIZE", NULL));
    pottery_set_free(a);
    pottery_set_free(empty);
}

/* ---- in-place algebra ---- */

static void test_update_forms_same_server(void **state)
{
    (void)state;
    /* one hash tag: one slot on a cluster, so on the server there too */
    pottery_set *s = open_with(client, "{up}s", "1", "2", "3", NULL);
    pottery_set *b = open_with(client2, "{up}b", "3", "4", NULL);
    pottery_set *c = open_with(client, "{up}c", "4", "5", NULL);
    pottery_set *bc[] = { b, c };
    assert_round_trips(1, pottery_set_update_from(s, bc, 2));
    assert_set_json("[\"1\", \"2\", \"3\", \"4\", \"5\"]", s);
    assert_round_trips(1, pottery_set_difference_update_from(s, &c, 1));
    assert_set_json("[\"1\", \"2\", \"3\"]", s);
    assert_round_trips(1, pottery_set_symmetric_difference_update_from(s, b));
    assert_set_json("[\"1\", \"2\", \"4\"]", s);
    assert_round_trips(1, pottery_set_intersection_update_from(s, bc, 2));
    assert_set_json("[\"4\"]", s);

    /* No operands: nothing sent (Python does nothing either). */
    uint64_t cmds = commands();
    assert_ok(pottery_set_update_from(s, NULL, 0));
    assert_ok(pottery_set_intersection_update_from(s, NULL, 0));
    assert_ok(pottery_set_difference_update_from(s, NULL, 0));
    assert_int_equal(commands(), cmds);
    assert_set_json("[\"4\"]", s);

    /* s ^= s empties it; s ^= empty keeps it. */
    pottery_set *empty = open_set("up-empty");
    assert_ok(pottery_set_symmetric_difference_update_from(s, empty));
    assert_set_json("[\"4\"]", s);
    assert_ok(pottery_set_symmetric_difference_update_from(s, s));
    assert_raw("0", raw("EXISTS", "{up}s", NULL));
    /* operands untouched */
    assert_raw("\"3\"\n\"4\"", sorted_members("{up}b"));
    pottery_set_free(empty);
    pottery_set_free(s);
    pottery_set_free(b);
    pottery_set_free(c);
}

static void test_update_forms_across_servers(void **state)
{
    (void)state;
    pottery_set *s = open_with(client, "{upx}s", "1", "2", "3", NULL); /* one slot on a cluster */
    pottery_set *b = open_with(client, "{upx}b", "3", "7", NULL);
    pottery_set *far = open_with(far_client, "upx-far", "3", "4", NULL);
    pottery_set *ops[] = { b, far };
    assert_round_trips(1, pottery_set_update_from(s, ops, 2)); /* on s's server: one MULTI/EXEC */
    assert_set_json("[\"1\", \"2\", \"3\", \"4\", \"7\"]", s);
    assert_round_trips(1, pottery_set_difference_update_from(s, &far, 1));
    assert_set_json("[\"1\", \"2\", \"7\"]", s);
    assert_round_trips(1, pottery_set_symmetric_difference_update_from(s, far));
    assert_set_json("[\"1\", \"2\", \"3\", \"4\", \"7\"]", s);
    assert_round_trips(1, pottery_set_intersection_update_from(s, ops, 2));
    assert_set_json("[\"3\"]", s);
    /* No scratch keys are left behind, and the operands are untouched. */
    assert_raw("2", raw("DBSIZE", NULL));
    assert_raw("\"3\"\n\"4\"", sorted_far_members("upx-far"));

    /* Several batches from the far side. */
    enum { N = 2600 };
    pottery_value *vals = int_values(N, 0, 1);
    assert_ok(pottery_set_update(far, vals, N));
    assert_round_trips(1, pottery_set_update_from(s, &far, 1));
    assert_int_equal(set_len(s), N + 2); /* far holds 0..N-1 and "3", "4"; s held "3" */
    assert_ok(pottery_set_intersection_update_from(s, &far, 1));
    assert_int_equal(set_len(s), N + 2);
    assert_ok(pottery_set_difference_update_from(s, &far, 1));
    assert_int_equal(set_len(s), 0);
    free(vals);

    /* A far operand that cannot be read: the MULTI is discarded, nothing written. */
    assert_ok(pottery_set_add(s, pottery_str("keep")));
    free(test_redis_cmdv(&other_server, "SET", "far-string", "x", NULL));
    pottery_set *bad = open_on(far_client, "far-string");
    pottery_set *mix[] = { b, bad };
    assert_wrongtype(pottery_set_update_from(s, mix, 2));
    assert_code(POTTERY_EREDIS, pottery_set_intersection_update_from(s, mix, 2));
    assert_code(POTTERY_EREDIS, pottery_set_symmetric_difference_update_from(s, bad));
    assert_set_json("[\"keep\"]", s);
    assert_raw("2", raw("DBSIZE", NULL));
    /* and the client is in step afterwards */
    assert_ok(pottery_set_update_from(s, &b, 1));
    assert_set_json("[\"3\", \"7\", \"keep\"]", s);
    pottery_set_free(bad);
    pottery_set_free(s);
    pottery_set_free(b);
    pottery_set_free(far);
}

/* In-place forms with values from memory: Python's s.update(iterable), s &= set(...), ... */
static void test_update_forms_with_values(void **state)
{
    (void)state;
    pottery_set *s = open_with(client, "uv", "1", "2", "3", NULL);
    assert_commands(1, pottery_set_update(s, VALUES(pottery_str("4"), pottery_str("5"), pottery_str("4"))));
    assert_set_json("[\"1\", \"2\", \"3\", \"4\", \"5\"]", s);
    assert_commands(1, pottery_set_difference_update(s, VALUES(pottery_str("5"), pottery_str("9"))));
    assert_set_json("[\"1\", \"2\", \"3\", \"4\"]", s);
    assert_round_trips(
        1, pottery_set_symmetric_difference_update(s, VALUES(pottery_str("4"), pottery_str("6"), pottery_str("6"))));
    assert_set_json("[\"1\", \"2\", \"3\", \"6\"]", s);
    assert_round_trips(
        1, pottery_set_intersection_update(s, VALUES(pottery_str("6"), pottery_str("1"), pottery_str("7"))));
    assert_set_json("[\"1\", \"6\"]", s);

    /* No values: update, difference_update and symmetric_difference_update send nothing;
     * s &= set() empties s, as in Python. */
    uint64_t cmds = commands();
    assert_ok(pottery_set_update(s, NULL, 0));
    assert_ok(pottery_set_difference_update(s, NULL, 0));
    assert_ok(pottery_set_symmetric_difference_update(s, NULL, 0));
    assert_int_equal(commands(), cmds);
    assert_set_json("[\"1\", \"6\"]", s);
    assert_round_trips(1, pottery_set_intersection_update(s, NULL, 0));
    assert_raw("0", raw("EXISTS", "uv", NULL));

    /* A value that cannot be encoded: in no set, so nothing to remove or keep; where it
     * would have to be stored, POTTERY_ETYPE and nothing written. */
    pottery_value bad = pottery_strn("\xc0\xaf", 2);
    assert_ok(pottery_set_update(s, VALUES(pottery_str("a"), pottery_str("b"), pottery_str("c"))));
    assert_ok(pottery_set_difference_update(s, VALUES(bad, pottery_str("c"))));
    assert_ok(pottery_set_intersection_update(s, VALUES(pottery_str("a"), bad, pottery_str("b"))));
    assert_set_json("[\"a\", \"b\"]", s);
    cmds = commands();
    assert_code(POTTERY_ETYPE, pottery_set_update(s, VALUES(pottery_str("z"), bad)));
    assert_code(POTTERY_ETYPE, pottery_set_symmetric_difference_update(s, VALUES(pottery_str("z"), bad)));
    assert_int_equal(commands(), cmds);
    assert_set_json("[\"a\", \"b\"]", s);
    assert_raw("1", raw("DBSIZE", NULL)); /* no temporary key left */
    pottery_set_free(s);
}

/* Concurrent in-place operations from other processes stay atomic: while workers keep
 * toggling the same member with symmetric_difference_update and adding their own members
 * with update, nothing else is lost. */
enum { ATOMIC_WORKERS = 3, ATOMIC_ROUNDS = 200 };

static int in_place_worker(pottery_client *mine, int w, void *arg)
{
    (void)arg;
    pottery_set *ss = NULL, *tt = NULL, *own = NULL;
    int status = 0;
    char key[32];
    snprintf(key, sizeof key, "atomic-own-%d", w);
    if (pottery_set_open(&ss, mine, "atomic", NULL) != 0 || pottery_set_open(&tt, mine, "atomic-t", NULL) != 0 ||
        pottery_set_open(&own, mine, key, NULL) != 0)
        status = 5;
    for (int i = 0; status == 0 && i < ATOMIC_ROUNDS; i++) {
        if (pottery_set_symmetric_difference_update_from(ss, tt) != 0) status = 3;
        if (pottery_set_add(own, pottery_int(w * 1000 + i)) != 0) status = 3;
        if (pottery_set_update_from(ss, &own, 1) != 0) status = 4;
    }
    pottery_set_free(own);
    pottery_set_free(tt);
    pottery_set_free(ss);
    return status;
}

static void test_in_place_updates_are_atomic_across_processes(void **state)
{
    (void)state;
    pottery_set *s = open_set("atomic");
    pottery_set *t = open_with(client, "atomic-t", "toggle", NULL);
    pid_t pids[ATOMIC_WORKERS];
    for (int w = 0; w < ATOMIC_WORKERS; w++) pids[w] = fork_worker(in_place_worker, w, NULL);
    for (int w = 0; w < ATOMIC_WORKERS; w++) assert_int_equal(wait_exit_code(pids[w]), 0);
    /* ATOMIC_WORKERS * ATOMIC_ROUNDS toggles (an even number: 600) leave "toggle" out. */
    int in = -1;
    assert_ok(pottery_set_contains(&in, s, pottery_str("toggle")));
    assert_int_equal(in, 0);
    assert_int_equal(set_len(s), ATOMIC_WORKERS * ATOMIC_ROUNDS);
    pottery_set_free(s);
    pottery_set_free(t);
}

/* ---- bad input ---- */

static void test_null_arguments(void **state)
{
    (void)state;
    pottery_set *s = open_set("nulls");
    pottery_value v = POTTERY_VALUE_INIT;
    int in;
    int64_t n;
    char *text;
    pottery_set *out;
    assert_code(POTTERY_EINVAL, pottery_set_open(NULL, client, "k", NULL));
    pottery_set *none = s;
    assert_code(POTTERY_EINVAL, pottery_set_open(&none, NULL, "k", NULL));
    assert_null(none);
    pottery_set_options bad = POTTERY_SET_OPTIONS_INIT;
    bad.nelements = 3;
    assert_code(POTTERY_EINVAL, pottery_set_open(&none, client, "k", &bad));
    /* Options must be initialised, and of a version this library knows. */
    pottery_set_options zeroed;
    memset(&zeroed, 0, sizeof zeroed);
    assert_options_version_checked(pottery_set, pottery_set_open, "k", &zeroed, POTTERY_SET_OPTIONS_VERSION);
    pottery_set_options initialised;
    pottery_set_options_init(&initialised);
    assert_int_equal(initialised.version, POTTERY_SET_OPTIONS_VERSION);
    assert_null(initialised.elements);
    assert_options_version_checked(pottery_set, pottery_set_open, "k", &initialised, POTTERY_SET_OPTIONS_VERSION);
    assert_code(POTTERY_EINVAL, pottery_set_add(NULL, pottery_str("a")));
    assert_code(POTTERY_EINVAL, pottery_set_add(s, pottery_str(NULL)));
    assert_code(POTTERY_EINVAL, pottery_set_discard(NULL, pottery_str("a")));
    assert_code(POTTERY_EINVAL, pottery_set_remove(NULL, pottery_str("a")));
    assert_code(POTTERY_EINVAL, pottery_set_pop(NULL, s));
    assert_code(POTTERY_EINVAL, pottery_set_pop(&v, NULL));
    assert_code(POTTERY_EINVAL, pottery_set_contains(NULL, s, pottery_str("a")));
    assert_code(POTTERY_EINVAL, pottery_set_contains(&in, NULL, pottery_str("a")));
    assert_code(POTTERY_EINVAL, pottery_set_contains(&in, s, pottery_str(NULL)));
    assert_code(POTTERY_EINVAL, pottery_set_contains_many(NULL, s, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_contains_many(&in, s, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_set_contains_many(&in, NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_len(NULL, s));
    assert_code(POTTERY_EINVAL, pottery_set_len(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_set_clear(NULL));
    assert_code(POTTERY_EINVAL, pottery_set_update(NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_update(s, NULL, 2));
    assert_code(POTTERY_EINVAL, pottery_set_to_json(NULL, NULL, s));
    assert_code(POTTERY_EINVAL, pottery_set_to_json(&text, NULL, NULL));
    assert_code(POTTERY_EINVAL, pottery_set_repr(&text, NULL));
    assert_code(POTTERY_EINVAL, pottery_set_equal_from(&in, s, NULL));
    assert_code(POTTERY_EINVAL, pottery_set_equal_from(NULL, s, s));
    assert_code(POTTERY_EINVAL, pottery_set_isdisjoint_from(&in, NULL, s));
    assert_code(POTTERY_EINVAL, pottery_set_issubset_from(&in, s, NULL));
    assert_code(POTTERY_EINVAL, pottery_set_issuperset_from(&in, s, NULL));
    /* values forms: NULL handle, NULL output, NULL array with n > 0 */
    assert_code(POTTERY_EINVAL, pottery_set_equal(&in, s, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_set_equal(NULL, s, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_isdisjoint(NULL, s, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_isdisjoint(&in, s, NULL, 2));
    assert_code(POTTERY_EINVAL, pottery_set_issubset(&in, NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_issuperset(&in, s, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_set_union(&text, NULL, s, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_set_union(NULL, NULL, s, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_intersection(&text, NULL, s, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_set_intersection(&text, NULL, NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_difference(&text, NULL, NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_symmetric_difference(&text, NULL, s, NULL, 1));
    out = s;
    assert_code(POTTERY_EINVAL, pottery_set_union_new(&out, s, NULL, 1));
    assert_null(out);
    assert_code(POTTERY_EINVAL, pottery_set_intersection_new(&out, NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_difference_new(NULL, s, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_symmetric_difference_new(&out, s, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_set_intersection_update(NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_set_difference_update(s, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_set_symmetric_difference_update(s, NULL, 1));
    pottery_set *with_null[] = { s, NULL };
    assert_code(POTTERY_EINVAL, pottery_set_union_from(&text, NULL, s, with_null, 2));
    assert_code(POTTERY_EINVAL, pottery_set_union_from(&text, NULL, s, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_set_union_from(NULL, NULL, s, NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_set_intersection_from(&text, NULL, NULL, NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_set_difference_from(&text, NULL, s, with_null, 2));
    assert_code(POTTERY_EINVAL, pottery_set_symmetric_difference_from(&text, NULL, s, NULL));
    out = s;
    assert_code(POTTERY_EINVAL, pottery_set_union_new_from(&out, s, with_null, 2));
    assert_null(out);
    assert_code(POTTERY_EINVAL, pottery_set_union_new_from(NULL, s, NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_set_intersection_new_from(&out, NULL, NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_set_difference_new_from(&out, s, NULL, 3));
    out = s;
    assert_code(POTTERY_EINVAL, pottery_set_symmetric_difference_new_from(&out, s, NULL));
    assert_null(out);
    assert_code(POTTERY_EINVAL, pottery_set_update_from(NULL, with_null, 1));
    assert_code(POTTERY_EINVAL, pottery_set_update_from(s, with_null, 2));
    assert_code(POTTERY_EINVAL, pottery_set_intersection_update_from(s, NULL, 2));
    assert_code(POTTERY_EINVAL, pottery_set_difference_update_from(s, with_null, 2));
    assert_code(POTTERY_EINVAL, pottery_set_symmetric_difference_update_from(s, NULL));
    assert_code(POTTERY_EINVAL, pottery_set_symmetric_difference_update_from(NULL, s));
    assert_code(POTTERY_EINVAL, pottery_set_iter_new(NULL, s));
    pottery_set_iter *it = NULL;
    assert_code(POTTERY_EINVAL, pottery_set_iter_new(&it, NULL));
    assert_code(POTTERY_EINVAL, pottery_set_iter_next(&v, NULL));
    assert_null(pottery_set_key(NULL));
    assert_null(pottery_set_client(NULL));
    pottery_set_iter_free(NULL);
    /* Invalid UTF-8 and bad JSON are rejected before anything is sent; contains says no. */
    uint64_t cmds = commands();
    assert_code(POTTERY_ETYPE, pottery_set_add(s, pottery_strn("\xc0\xaf", 2)));
    assert_code(POTTERY_ETYPE, pottery_set_add(s, pottery_json("{not json")));
    assert_code(POTTERY_ETYPE, pottery_set_discard(s, pottery_strn("\xff", 1)));
    assert_code(POTTERY_ETYPE, pottery_set_remove(s, pottery_json("[1,")));
    in = -1;
    assert_ok(pottery_set_contains(&in, s, pottery_strn("\xed\xa0\x80", 3)));
    assert_int_equal(in, 0);
    assert_int_equal(commands(), cmds);
    assert_raw("0", raw("EXISTS", "nulls", NULL));
    pottery_set_free(s);
}

static void test_foreign_data_is_a_decode_error(void **state)
{
    (void)state;
    free(raw("SADD", "foreign", "plain-text", "\"ok\"", "not json either", NULL));
    pottery_set *s = open_set("foreign");
    pottery_value v = POTTERY_VALUE_INIT;
    /* iteration: the foreign members are errors, the next call goes on */
    pottery_set_iter *it = NULL;
    assert_ok(pottery_set_iter_new(&it, s));
    assert_iteration(pottery_set_iter_next(&v, it), 1, 2);
    pottery_set_iter_free(it);
    char *text = NULL;
    assert_code(POTTERY_EDECODE, pottery_set_repr(&text, s));
    assert_code(POTTERY_EDECODE, pottery_set_to_json(&text, NULL, s));
    pottery_set *other = open_with(client, "foreign-other", "x", NULL);
    assert_code(POTTERY_EDECODE, pottery_set_union_from(&text, NULL, s, &other, 1));
    assert_code(POTTERY_EDECODE, pottery_set_union_from(&text, NULL, other, &s, 1));
    /* Set algebra into new sets copies bytes as they are. */
    pottery_set *n = NULL;
    assert_ok(pottery_set_union_new_from(&n, s, &other, 1));
    assert_int_equal(set_len(n), 4);
    pottery_set_free(n);
    assert_raw("3", raw("SCARD", "foreign", NULL)); /* nothing was lost */

    /* pop: a member that is not JSON is put back, so it stays in the set. */
    free(raw("SADD", "only-foreign", "plain-text", NULL));
    pottery_set *f = open_set("only-foreign");
    pottery_value_dispose(&v);
    v = pottery_int(9);
    for (int i = 0; i < 3; i++) {
        assert_code(POTTERY_EDECODE, pottery_set_pop(&v, f));
        assert_value_int(&v, 9);
    }
    assert_raw("plain-text", raw("SMEMBERS", "only-foreign", NULL));
    /* Members Redis' Lua JSON parser accepts but JSON (and Python) does not: put back too. */
    const char *lenient[] = { "nan", "0x10", "01" };
    for (int i = 0; i < 3; i++) {
        free(raw("DEL", "only-foreign", NULL));
        free(raw("SADD", "only-foreign", lenient[i], NULL));
        assert_code(POTTERY_EDECODE, pottery_set_pop(&v, f));
        assert_raw(lenient[i], raw("SMEMBERS", "only-foreign", NULL));
    }
    /* a good member pops fine alongside */
    free(raw("DEL", "only-foreign", NULL));
    free(raw("SADD", "only-foreign", "\"good\"", NULL));
    assert_ok(pottery_set_pop(&v, f));
    assert_value_str(&v, "good");
    pottery_value_dispose(&v);
    pottery_set_free(f);
    pottery_set_free(other);
    pottery_set_free(s);
}

/* A pop that takes a member it cannot decode puts its exact bytes back (SADD: one more round
 * trip and command, on this path only) and names it in the error. Being a second command,
 * the SADD creates again a key the pop emptied, without its TTL, as documented. */
static void test_pop_puts_a_foreign_member_back(void **state)
{
    (void)state;
    free(raw("SADD", "timed", "abc", NULL));
    free(raw("EXPIRE", "timed", "1000", NULL));
    pottery_set *s = open_set("timed");
    pottery_value v = pottery_int(9);
    uint64_t rt = round_trips(), cmds = commands();
    assert_code(POTTERY_EDECODE, pottery_set_pop(&v, s));
    assert_int_equal(round_trips() - rt, 2);
    assert_int_equal(commands() - cmds, 2);
    assert_message_contains("key 'timed': the popped member 'abc' could not be decoded (invalid JSON at byte 0");
    assert_message_contains("; it was put back");
    assert_value_int(&v, 9); /* untouched */
    assert_raw("abc", raw("SMEMBERS", "timed", NULL));
    assert_raw("-1", raw("TTL", "timed", NULL));

    /* Other bytes are shown escaped, long members cut; the exact bytes go back. */
    const char *odd = "\xfe\xff'\\ \t";
    free(raw("SADD", "odd", odd, NULL));
    pottery_set *o = open_set("odd");
    assert_code(POTTERY_EDECODE, pottery_set_pop(&v, o));
    assert_message_contains("member '\\xfe\\xff\\x27\\x5c \\x09' could not be decoded");
    assert_raw(odd, raw("SMEMBERS", "odd", NULL));
    char long_member[101];
    memset(long_member, 'x', 100);
    long_member[100] = '\0';
    free(raw("DEL", "odd", NULL));
    free(raw("SADD", "odd", long_member, NULL));
    assert_code(POTTERY_EDECODE, pottery_set_pop(&v, o));
    assert_message_contains("member 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... could not be decoded");
    assert_raw(long_member, raw("SMEMBERS", "odd", NULL));
    pottery_set_free(o);
    pottery_set_free(s);
}

/* Popping a set that mixes members of this library with foreign ones: each valid member
 * comes back decoded, once; each failed pop leaves exactly the same members; the foreign
 * members are all that is left in the end. */
static void test_pop_takes_every_valid_member_of_a_mixed_set(void **state)
{
    (void)state;
    free(raw("SADD", "mixed", "1", "\"two\"", "[3]", "abc", "{\"a\":", "\xff", NULL));
    pottery_set *s = open_set("mixed");
    pottery_value v = POTTERY_VALUE_INIT;
    int ints = 0, strs = 0, arrays = 0;
    for (int pops = 0; set_len(s) > 3; pops++) {
        assert_true(pops < 1000);
        char *before = sorted_members("mixed");
        int rc = pottery_set_pop(&v, s);
        if (rc == POTTERY_EDECODE) {
            assert_raw(before, sorted_members("mixed"));
        } else {
            assert_int_equal(rc, 0);
            char *text = NULL;
            assert_ok(pottery_value_to_json(&text, NULL, v));
            if (pottery_value_is_int(&v) && strcmp(text, "1") == 0)
                ints++;
            else if (pottery_value_is_string(&v) && strcmp(text, "\"two\"") == 0)
                strs++;
            else if (pottery_value_is_array(&v) && strcmp(text, "[3]") == 0)
                arrays++;
            else
                fail_msg("popped an unexpected value %s of type %d", text, (int)pottery_value_type(&v));
            pottery_free(text);
        }
        free(before);
    }
    assert_int_equal(ints, 1);
    assert_int_equal(strs, 1);
    assert_int_equal(arrays, 1);
    const char *foreign = "abc\n{\"a\":\n\xff";
    assert_raw(foreign, sorted_members("mixed"));
    assert_code(POTTERY_EDECODE, pottery_set_pop(&v, s)); /* only foreign ones now */
    assert_raw(foreign, sorted_members("mixed"));
    pottery_value_dispose(&v);
    pottery_set_free(s);
}

/* If the put-back fails, the error is the put-back's and the message says the member is
 * lost, and why it was taken off. */
static void test_pop_says_when_a_foreign_member_could_not_be_restored(void **state)
{
    (void)state;
    /* A user that may do everything but SADD, so that the put-back fails. */
    pottery_client *c = open_client_denied("nosadd", "sadd");
    pottery_set *s = open_on(c, "lost");
    free(raw("SADD", "lost", "abc", NULL));
    pottery_value v = pottery_int(9);
    assert_code(POTTERY_EREDIS, pottery_set_pop(&v, s));
    assert_message_contains("key 'lost': the popped member 'abc' could not be restored and is lost (");
    assert_message_contains("(NOPERM"); /* the server's refusal */
    assert_message_contains("); it failed with: invalid JSON at byte 0");
    assert_value_int(&v, 9);
    assert_raw("0", raw("EXISTS", "lost", NULL));
    pottery_set_free(s);
    close_client_denied(c, "nosadd");
}

/* pop takes a member off only if the decoder accepts it (one round trip); anything else
 * fails with EDECODE and is put back (two round trips), whatever it looks like. */
static void judge(pottery_set *s, const char *text)
{
    pottery_value v = POTTERY_VALUE_INIT;
    int valid = pottery_value_from_json(&v, text, strlen(text)) == 0;
    pottery_value_dispose(&v);
    free(raw("SADD", "judged", text, NULL));
    uint64_t rt = round_trips();
    int rc = pottery_set_pop(&v, s);
    pottery_value_dispose(&v);
    if (rc != (valid ? 0 : POTTERY_EDECODE) || round_trips() - rt != (valid ? 1u : 2u))
        fail_msg("'%s' (%s for the decoder): pop %d, %d round trips", text, valid ? "JSON" : "not JSON", rc,
                 (int)(round_trips() - rt));
    assert_raw(valid ? "0" : "1", raw("SCARD", "judged", NULL));
    free(raw("DEL", "judged", NULL));
}

static void test_pop_judges_json_as_the_decoder_does(void **state)
{
    (void)state;
    pottery_set *s = open_set("judged");
    const char *texts[] = { "\"\\ud800\"",
                            "\"\\ud800\\udc00\"",
                            "\"\\u12\"",
                            "-",
                            "+1",
                            ".5",
                            "1.",
                            "1e",
                            "00",
                            "-01",
                            "NaN",
                            "-Infinity",
                            "Infinityx",
                            "nulls",
                            "[1 2]",
                            "{\"a\" 1}",
                            "{1: 2}",
                            "[",
                            "",
                            " ",
                            "\"\x01\"",
                            "\x7f",
                            "1 2",
                            " [1, {\"a\": [null]}] ",
                            "\"caf\xc3\xa9\"",
                            "\"\xff\"" };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) judge(s, texts[i]);
    pottery_set_free(s);
}

static void test_wrong_redis_type(void **state)
{
    (void)state;
    free(raw("SET", "plain", "value", NULL));
    pottery_set *s = open_set("plain");
    pottery_set *good = open_with(client, "good", "a", NULL);
    pottery_set *far = open_with(far_client, "far", "a", NULL);
    pottery_value v = POTTERY_VALUE_INIT;
    int64_t n;
    int in, answers[2];
    char *text = NULL;
    pottery_set *out = NULL;
    assert_wrongtype(pottery_set_add(s, pottery_str("a")));
    assert_wrongtype(pottery_set_discard(s, pottery_str("a")));
    assert_wrongtype(pottery_set_remove(s, pottery_str("a")));
    assert_wrongtype(pottery_set_pop(&v, s));
    assert_wrongtype(pottery_set_contains(&in, s, pottery_str("a")));
    pottery_value two[] = { pottery_str("a"), pottery_str("b") };
    assert_wrongtype(pottery_set_contains_many(answers, s, two, 2));
    assert_wrongtype(pottery_set_len(&n, s));
    assert_wrongtype(pottery_set_update(s, two, 2));
    enum { N = 300, BIG_LEN = 8000 };
    pottery_value *many = calloc(N, sizeof *many);
    char *big = malloc((size_t)N * BIG_LEN);
    assert_non_null(many);
    assert_non_null(big);
    memset(big, 'y', (size_t)N * BIG_LEN);
    for (int i = 0; i < N; i++) many[i] = pottery_strn(big + i, BIG_LEN);
    assert_wrongtype(pottery_set_update(s, many, N)); /* streamed MULTI (2.4 MB) */
    free(many);
    free(big);
    assert_wrongtype(pottery_set_to_json(&text, NULL, s));
    assert_wrongtype(pottery_set_repr(&text, s));
    assert_wrongtype(pottery_set_equal_from(&in, s, good));
    assert_wrongtype(pottery_set_equal_from(&in, good, s));
    assert_wrongtype(pottery_set_issubset_from(&in, s, good));
    assert_wrongtype(pottery_set_issuperset_from(&in, good, s));
    assert_wrongtype(pottery_set_isdisjoint_from(&in, s, good));
    assert_wrongtype(pottery_set_isdisjoint_from(&in, s, far));
    pottery_value one[] = { pottery_int(1) };
    assert_wrongtype(pottery_set_equal(&in, s, one, 1));
    assert_wrongtype(pottery_set_issubset(&in, s, one, 1));
    assert_wrongtype(pottery_set_issuperset(&in, s, one, 1));
    assert_wrongtype(pottery_set_isdisjoint(&in, s, one, 1));
    assert_wrongtype(pottery_set_union(&text, NULL, s, one, 1));
    assert_wrongtype(pottery_set_intersection(&text, NULL, s, one, 1));
    assert_wrongtype(pottery_set_difference(&text, NULL, s, one, 1));
    assert_wrongtype(pottery_set_symmetric_difference(&text, NULL, s, one, 1));
    assert_wrongtype(pottery_set_difference_new(&out, s, one, 1));
    assert_null(out);
    assert_wrongtype(pottery_set_intersection_update(s, one, 1));
    assert_wrongtype(pottery_set_difference_update(s, one, 1));
    assert_wrongtype(pottery_set_symmetric_difference_update(s, one, 1));
    assert_wrongtype(pottery_set_union_from(&text, NULL, s, &good, 1));
    assert_wrongtype(pottery_set_intersection_from(&text, NULL, good, &s, 1));
    assert_wrongtype(pottery_set_symmetric_difference_from(&text, NULL, good, s));
    assert_wrongtype(pottery_set_symmetric_difference_from(&text, NULL, s, far));
    assert_wrongtype(pottery_set_difference_from(&text, NULL, far, &s, 1));
    assert_wrongtype(pottery_set_union_new_from(&out, s, &good, 1));
    assert_null(out);
    assert_wrongtype(pottery_set_symmetric_difference_new_from(&out, good, s));
    assert_wrongtype(pottery_set_union_new_from(&out, s, &far, 1));
    assert_wrongtype(pottery_set_update_from(s, &good, 1));
    assert_wrongtype(pottery_set_intersection_update_from(s, &good, 1));
    assert_wrongtype(pottery_set_difference_update_from(s, &good, 1));
    assert_wrongtype(pottery_set_symmetric_difference_update_from(s, good));
    assert_wrongtype(pottery_set_update_from(s, &far, 1));
    assert_wrongtype(pottery_set_intersection_update_from(s, &far, 1));
    assert_wrongtype(pottery_set_symmetric_difference_update_from(s, far));
    pottery_set_iter *it = NULL;
    assert_ok(pottery_set_iter_new(&it, s));
    assert_wrongtype(pottery_set_iter_next(&v, it));
    pottery_set_iter_free(it);
    assert_raw("value", raw("GET", "plain", NULL));
    assert_raw("\"a\"", raw("SMEMBERS", "good", NULL));
    assert_raw("2", raw("DBSIZE", NULL)); /* plain, good, and no leftovers */
    /* the clients are in step afterwards */
    assert_ok(pottery_set_contains(&in, good, pottery_str("a")));
    assert_int_equal(in, 1);
    pottery_set_free(far);
    pottery_set_free(good);
    pottery_set_free(s);
}

static void test_dropped_connection(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client *c = victim_start(&victim, NULL);
    pottery_set *s = NULL;
    assert_ok(pottery_set_open(&s, c, "k", NULL));
    assert_ok(pottery_set_add(s, pottery_str("a")));
    test_redis_kill(&victim);
    int in = -1;
    int rc = pottery_set_contains(&in, s, pottery_str("a"));
    assert_conn_lost(rc);
    assert_int_equal(test_redis_restart(&victim), 0);
    /* The next call reconnects by itself. */
    assert_ok(pottery_set_add(s, pottery_str("b")));
    assert_ok(pottery_set_contains(&in, s, pottery_str("b")));
    assert_int_equal(in, 1);
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_set_pop(&v, s));
    assert_value_str(&v, "b");
    pottery_value_dispose(&v);

    /* A far operand whose server dies while an in-place update reads it. */
    pottery_set *local = open_with(client, "survivor", "x", NULL);
    assert_ok(pottery_set_add(s, pottery_str("far")));
    test_redis_kill(&victim);
    rc = pottery_set_update_from(local, &s, 1);
    assert_conn_lost(rc);
    assert_raw("\"x\"", raw("SMEMBERS", "survivor", NULL));
    assert_ok(pottery_set_add(local, pottery_str("y"))); /* client in step */
    assert_int_equal(test_redis_restart(&victim), 0);
    assert_ok(pottery_set_add(s, pottery_str("z")));
    assert_ok(pottery_set_update_from(local, &s, 1));
    assert_set_json("[\"x\", \"y\", \"z\"]", local);
    pottery_set_free(local);
    pottery_set_free(s);
    victim_stop(&victim, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_readme_session, fixture_reset),
        cmocka_unit_test_setup(test_layout_matches_pottery, fixture_reset),
        cmocka_unit_test_setup(test_single_element_operations_cost_one_round_trip, fixture_reset),
        cmocka_unit_test_setup(test_remove_discard_pop, fixture_reset),
        cmocka_unit_test_setup(test_pop_is_atomic_across_processes, fixture_reset),
        cmocka_unit_test_setup(test_bulk_operations_are_one_round_trip, fixture_reset),
        cmocka_unit_test_setup(test_contains_many_answers_in_order, fixture_reset),
        cmocka_unit_test_setup(test_update_with_bad_element_writes_nothing, fixture_reset),
        cmocka_unit_test_setup(test_open_with_elements_on_existing_key_fails, fixture_reset),
        cmocka_unit_test_setup(test_random_key_is_temporary, fixture_reset),
        cmocka_unit_test_setup(test_iteration_visits_every_member_once, fixture_reset),
        cmocka_unit_test_setup(test_to_json_and_repr, fixture_reset),
        cmocka_unit_test_setup(test_comparisons_same_server, fixture_reset),
        cmocka_unit_test_setup(test_comparisons_with_values, fixture_reset),
        cmocka_unit_test_setup(test_values_forms_in_bulk, fixture_reset),
        cmocka_unit_test_setup(test_comparisons_across_servers, fixture_reset),
        cmocka_unit_test_setup(test_algebra_same_server, fixture_reset),
        cmocka_unit_test_setup(test_algebra_across_servers, fixture_reset),
        cmocka_unit_test_setup(test_algebra_across_servers_in_batches, fixture_reset),
        cmocka_unit_test_setup(test_algebra_with_values, fixture_reset),
        cmocka_unit_test_setup(test_update_forms_same_server, fixture_reset),
        cmocka_unit_test_setup(test_update_forms_across_servers, fixture_reset),
        cmocka_unit_test_setup(test_update_forms_with_values, fixture_reset),
        cmocka_unit_test_setup(test_in_place_updates_are_atomic_across_processes, fixture_reset),
        cmocka_unit_test_setup(test_null_arguments, fixture_reset),
        cmocka_unit_test_setup(test_foreign_data_is_a_decode_error, fixture_reset),
        cmocka_unit_test_setup(test_pop_puts_a_foreign_member_back, fixture_reset),
        cmocka_unit_test_setup(test_pop_takes_every_valid_member_of_a_mixed_set, fixture_reset),
        cmocka_unit_test_setup(test_pop_says_when_a_foreign_member_could_not_be_restored, fixture_reset),
        cmocka_unit_test_setup(test_pop_judges_json_as_the_decoder_does, fixture_reset),
        cmocka_unit_test_setup(test_wrong_redis_type, fixture_reset),
        cmocka_unit_test_setup(test_dropped_connection, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup_two, fixture_teardown);
}
