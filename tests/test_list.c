/* pottery_list against a private redis-server: behaviour, layout, slices, round trips,
 * atomicity across processes, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pottery.h"
#include "pottery/list.h"
#include "support/test_fixture.h"

#define NONE POTTERY_SLICE_NONE

/* ---- helpers ---- */

static pottery_list *open_list(const char *key)
{
    pottery_list *l = NULL;
    assert_ok(pottery_list_open(&l, client, key, NULL));
    return l;
}

/* A list on key holding the integers first..first+n-1 (written through the library). */
static pottery_list *int_list(const char *key, int64_t first, size_t n)
{
    pottery_list *l = open_list(key);
    assert_ok(pottery_list_clear(l));
    pottery_value *vals = int_values(n, first, 1);
    assert_ok(pottery_list_extend(l, vals, n));
    free(vals);
    return l;
}

static int64_t list_len(pottery_list *l)
{
    int64_t n = -1;
    assert_ok(pottery_list_len(&n, l));
    return n;
}

/* Assert the list's canonical JSON text. */
static void assert_json(const char *expected, pottery_list *l)
{
    char *text = NULL;
    assert_ok(pottery_list_to_json(&text, NULL, l));
    assert_string_equal(text, expected);
    pottery_free(text);
}

static void assert_repr(const char *expected, pottery_value v)
{
    char *text = NULL;
    assert_ok(pottery_value_repr(&text, v));
    assert_string_equal(text, expected);
    pottery_free(text);
}

/* "[a, b, c]" for ints. */
static void ints_json(char *buf, size_t size, const int64_t *v, size_t n)
{
    size_t off = (size_t)snprintf(buf, size, "[");
    for (size_t i = 0; i < n && off < size; i++)
        off += (size_t)snprintf(buf + off, size - off, "%s%lld", i ? ", " : "", (long long)v[i]);
    if (off < size) snprintf(buf + off, size - off, "]");
}

/* ---- the seed README's session ---- */

static void test_readme_session(void **state)
{
    (void)state;
    pottery_value initial[] = { pottery_int(1), pottery_int(4), pottery_int(9), pottery_int(16), pottery_int(25) };
    pottery_list_options opts = POTTERY_LIST_OPTIONS_INIT;
    opts.items = initial;
    opts.nitems = 5;
    pottery_list *squares = NULL;
    assert_round_trips(1, pottery_list_open(&squares, client, "squares", &opts));

    char *text = NULL;
    assert_ok(pottery_list_repr(&text, squares));
    assert_string_equal(text, "RedisList[1, 4, 9, 16, 25]");
    pottery_free(text);

    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_list_get(&v, squares, 0));
    assert_value_int(&v, 1);
    assert_ok(pottery_list_get(&v, squares, -1));
    assert_value_int(&v, 25);
    assert_ok(pottery_list_get_slice(&v, squares, pottery_slice_of(-3, NONE, NONE)));
    assert_repr("[9, 16, 25]", v);
    pottery_slice all = POTTERY_SLICE_ALL;
    assert_ok(pottery_list_get_slice(&v, squares, all));
    assert_repr("[1, 4, 9, 16, 25]", v);

    pottery_list *more = NULL;
    assert_ok(pottery_list_add_json(&more, squares, "[36, 49, 64, 81, 100]"));
    assert_ok(pottery_list_repr(&text, more));
    assert_string_equal(text, "RedisList[1, 4, 9, 16, 25, 36, 49, 64, 81, 100]");
    pottery_free(text);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", pottery_list_key(more));
    assert_temporary_key(saved, "squares");
    pottery_list_free(more);
    assert_raw("0", raw("EXISTS", saved, NULL));
    assert_raw("5", raw("LLEN", "squares", NULL)); /* the operand is unchanged */
    pottery_value_dispose(&v);
    pottery_list_free(squares);
}

/* ---- layout: the bytes pottery writes and reads ---- */

static void test_layout_matches_pottery(void **state)
{
    (void)state;
    pottery_list *l = open_list("layout");
    assert_ok(pottery_list_append(l, pottery_str("jack")));
    assert_ok(pottery_list_append(l, pottery_json("{\"b\": [1, 2.5], \"a\": null}")));
    assert_ok(pottery_list_append(l, pottery_double(1e16)));
    assert_ok(pottery_list_append(l, pottery_str("caf\xc3\xa9")));
    assert_ok(pottery_list_append(l, pottery_bool(1)));
    assert_raw("list", raw("TYPE", "layout", NULL));
    assert_raw("\"jack\"\n{\"a\": null, \"b\": [1, 2.5]}\n1e+16\n\"caf\\u00e9\"\ntrue",
               raw("LRANGE", "layout", "0", "-1", NULL));

    /* What pottery wrote is read back. */
    free(raw("RPUSH", "layout", "[1, 2]", "4098", "null", NULL));
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_list_get(&v, l, 5));
    assert_value_json(&v, "[1, 2]");
    assert_ok(pottery_list_get(&v, l, -2));
    assert_value_int(&v, 4098);
    assert_ok(pottery_list_get(&v, l, 3));
    assert_value_str(&v, "caf\xc3\xa9");
    char *text = NULL;
    assert_ok(pottery_list_repr(&text, l));
    assert_string_equal(
        text, "RedisList['jack', {'a': None, 'b': [1, 2.5]}, 1e+16, 'caf\xc3\xa9', True, [1, 2], 4098, None]");
    pottery_free(text);
    assert_ok(pottery_list_repr_items(&text, l));
    assert_string_equal(text, "['jack', {'a': None, 'b': [1, 2.5]}, 1e+16, 'caf\xc3\xa9', True, [1, 2], 4098, None]");
    pottery_free(text);
    size_t len = 0;
    assert_ok(pottery_list_to_json(&text, &len, l));
    assert_string_equal(text,
                        "[\"jack\", {\"a\": null, \"b\": [1, 2.5]}, 1e+16, \"caf\\u00e9\", true, [1, 2], 4098, null]");
    assert_int_equal(len, strlen(text));
    pottery_free(text);
    pottery_value_dispose(&v);
    pottery_list_free(l);

    /* An absent key is an empty list. */
    l = open_list("absent");
    assert_int_equal(list_len(l), 0);
    assert_json("[]", l);
    assert_ok(pottery_list_repr(&text, l));
    assert_string_equal(text, "RedisList[]");
    pottery_free(text);
    pottery_list_free(l);
}

/* ---- round trips ---- */

static void test_single_element_operations_cost_one_round_trip(void **state)
{
    (void)state;
    pottery_list *l = int_list("rtt", 0, 20);
    pottery_value v = POTTERY_VALUE_INIT;
    int64_t n;
    int in;
    assert_round_trips(1, pottery_list_append(l, pottery_int(100)));
    assert_round_trips(1, pottery_list_get(&v, l, 3));
    assert_round_trips(1, pottery_list_get(&v, l, -3));
    assert_round_trips(1, pottery_list_set(l, 4, pottery_int(40)));
    assert_round_trips(1, pottery_list_set(l, -4, pottery_double(-4.5)));
    assert_round_trips(1, pottery_list_del(l, 5));
    assert_round_trips(1, pottery_list_insert(l, 6, pottery_int(-6)));
    assert_round_trips(1, pottery_list_insert(l, -2, pottery_int(-1)));
    assert_round_trips(1, pottery_list_insert(l, 1000, pottery_int(1000)));
    assert_round_trips(1, pottery_list_pop(&v, l));
    assert_round_trips(1, pottery_list_pop_index(&v, l, 0));
    assert_round_trips(1, pottery_list_pop_index(&v, l, 7));
    assert_round_trips(1, pottery_list_remove(l, pottery_int(9)));
    assert_round_trips(1, pottery_list_remove(l, pottery_double(10.0)));
    assert_round_trips(1, pottery_list_index(&n, l, pottery_int(12)));
    assert_round_trips(1, pottery_list_index_range(&n, l, pottery_int(12), 2, -1));
    assert_round_trips(1, pottery_list_count(&n, l, pottery_int(13)));
    assert_round_trips(1, pottery_list_contains(&in, l, pottery_int(14)));
    assert_round_trips(1, pottery_list_len(&n, l));
    assert_round_trips(1, pottery_list_get_slice(&v, l, pottery_slice_of(1, 9, 2)));
    assert_round_trips(1, pottery_list_set_slice(l, pottery_slice_of(1, 3, NONE), NULL, 0));
    assert_round_trips(1, pottery_list_del_slice(l, pottery_slice_of(NONE, NONE, 5)));
    assert_round_trips(1, pottery_list_reverse(l));
    assert_round_trips(1, pottery_list_sort(l, 0));
    assert_round_trips(1, pottery_list_clear(l));
    pottery_value_dispose(&v);
    pottery_list_free(l);
}

static void test_extend(void **state)
{
    (void)state;
    enum { N = 10000, BIG = 25000 };
    pottery_list *l = open_list("bulk");
    pottery_value *vals = int_values(BIG, 0, 1);
    pottery_client_stats before = stats(), after;
    assert_ok(pottery_list_extend(l, vals, N));
    after = stats();
    assert_int_equal(after.round_trips - before.round_trips, 1);
    assert_int_equal(after.commands - before.commands, 1); /* one RPUSH */
    assert_raw("10000", raw("LLEN", "bulk", NULL));
    assert_raw("9999", raw("LINDEX", "bulk", "-1", NULL));

    /* Larger than one chunk: still one round trip (a streamed MULTI/EXEC). */
    assert_ok(pottery_list_clear(l));
    before = stats();
    assert_ok(pottery_list_extend(l, vals, BIG));
    after = stats();
    assert_int_equal(after.round_trips - before.round_trips, 1);
    assert_raw("25000", raw("LLEN", "bulk", NULL));
    assert_raw("24999", raw("LINDEX", "bulk", "-1", NULL));
    assert_raw("12345", raw("LINDEX", "bulk", "12345", NULL));

    /* An unencodable value anywhere writes nothing. */
    assert_ok(pottery_list_clear(l));
    vals[BIG - 1] = pottery_strn("\xff", 1);
    assert_code(POTTERY_ETYPE, pottery_list_extend(l, vals, BIG));
    assert_raw("0", raw("EXISTS", "bulk", NULL));
    before = stats();
    assert_code(POTTERY_ETYPE, pottery_list_extend(l, vals + BIG - 3, 3));
    assert_int_equal(stats().commands, before.commands);
    assert_raw("0", raw("EXISTS", "bulk", NULL));

    /* Empty: nothing sent (pottery would send an RPUSH with no values and fail). */
    before = stats();
    assert_ok(pottery_list_extend(l, NULL, 0));
    assert_ok(pottery_list_extend_json(l, "[]"));
    assert_int_equal(stats().commands, before.commands);

    assert_ok(pottery_list_extend(l, vals, 3));
    assert_ok(pottery_list_extend_json(l, "[\"x\", {\"b\": 1, \"a\": 1.50}, [true]]"));
    assert_json("[0, 1, 2, \"x\", {\"a\": 1.5, \"b\": 1}, [true]]", l);
    assert_code(POTTERY_ETYPE, pottery_list_extend_json(l, "{\"not\": \"array\"}"));
    assert_code(POTTERY_ETYPE, pottery_list_extend_json(l, "[1, oops"));
    assert_int_equal(list_len(l), 6);

    /* extend_json larger than one chunk: one round trip too (a streamed MULTI/EXEC). */
    assert_ok(pottery_list_clear(l));
    size_t cap = (size_t)BIG * 8 + 8, off = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    off += (size_t)snprintf(text + off, cap - off, "[");
    for (int i = 0; i < BIG; i++) off += (size_t)snprintf(text + off, cap - off, "%s%d", i ? ", " : "", i);
    snprintf(text + off, cap - off, "]");
    before = stats();
    assert_ok(pottery_list_extend_json(l, text));
    after = stats();
    assert_int_equal(after.round_trips - before.round_trips, 1);
    assert_int_equal(after.commands - before.commands, 5); /* MULTI, 3 RPUSH, EXEC */
    assert_raw("25000", raw("LLEN", "bulk", NULL));
    assert_raw("24999", raw("LINDEX", "bulk", "-1", NULL));
    assert_raw("12345", raw("LINDEX", "bulk", "12345", NULL));
    free(text);
    free(vals);
    pottery_list_free(l);
}

/* ---- indexes ---- */

static void test_get_set_del_by_index(void **state)
{
    (void)state;
    pottery_list *l = int_list("idx", 10, 5); /* [10, 11, 12, 13, 14] */
    pottery_value v = pottery_int(77);
    assert_code(POTTERY_EINDEX, pottery_list_get(&v, l, 5));
    assert_message("IndexError: list index out of range");
    assert_value_int(&v, 77); /* untouched */
    assert_code(POTTERY_EINDEX, pottery_list_get(&v, l, -6));
    assert_code(POTTERY_EINDEX, pottery_list_get(&v, l, INT64_MAX));
    assert_code(POTTERY_EINDEX, pottery_list_get(&v, l, INT64_MIN));
    v = pottery_null();
    assert_ok(pottery_list_get(&v, l, -5));
    assert_value_int(&v, 10);

    assert_ok(pottery_list_set(l, -1, pottery_str("last")));
    assert_ok(pottery_list_set(l, 0, pottery_double(0.5)));
    assert_json("[0.5, 11, 12, 13, \"last\"]", l);
    assert_code(POTTERY_EINDEX, pottery_list_set(l, 5, pottery_int(1)));
    assert_message("IndexError: list assignment index out of range");
    assert_code(POTTERY_EINDEX, pottery_list_set(l, -6, pottery_int(1)));

    assert_ok(pottery_list_del(l, -2));
    assert_ok(pottery_list_del(l, 1));
    assert_json("[0.5, 12, \"last\"]", l);
    assert_code(POTTERY_EINDEX, pottery_list_del(l, 3));
    assert_message("IndexError: list assignment index out of range");
    assert_code(POTTERY_EINDEX, pottery_list_del(l, -4));
    assert_json("[0.5, 12, \"last\"]", l);
    pottery_list_free(l);

    /* Empty lists (absent keys). */
    l = open_list("empty");
    assert_code(POTTERY_EINDEX, pottery_list_get(&v, l, 0));
    assert_code(POTTERY_EINDEX, pottery_list_set(l, 0, pottery_int(1)));
    assert_message("IndexError: list assignment index out of range");
    assert_code(POTTERY_EINDEX, pottery_list_del(l, 0));
    assert_message("IndexError: list assignment index out of range");
    assert_raw("0", raw("EXISTS", "empty", NULL));
    pottery_list_free(l);

    /* Deleting by index removes that position even when equal elements precede it, and a
     * genuine 0 (pottery's own placeholder) survives. */
    l = open_list("dups");
    assert_ok(pottery_list_extend_json(l, "[0, 7, 0, 7, 0]"));
    assert_ok(pottery_list_del(l, 3));
    assert_json("[0, 7, 0, 0]", l);
    assert_ok(pottery_list_del(l, 2));
    assert_json("[0, 7, 0]", l);
    pottery_value_dispose(&v);
    pottery_list_free(l);
}

static void test_insert_follows_pottery(void **state)
{
    (void)state;
    pottery_list *l = open_list("ins");
    assert_ok(pottery_list_extend_json(l, "[9, 16, 25]"));
    assert_ok(pottery_list_insert(l, -1, pottery_int(4))); /* prepends, as pottery */
    assert_json("[4, 9, 16, 25]", l);
    assert_ok(pottery_list_insert(l, 0, pottery_int(1)));
    assert_ok(pottery_list_insert(l, 100, pottery_int(36)));
    assert_ok(pottery_list_insert(l, INT64_MIN, pottery_int(0)));
    assert_ok(pottery_list_insert(l, INT64_MAX, pottery_int(49)));
    assert_json("[0, 1, 4, 9, 16, 25, 36, 49]", l);
    assert_ok(pottery_list_insert(l, 7, pottery_double(42.5)));
    assert_json("[0, 1, 4, 9, 16, 25, 36, 42.5, 49]", l);
    pottery_list_free(l);

    l = open_list("zeros");
    assert_ok(pottery_list_extend_json(l, "[0, 0, 0, 0]"));
    assert_ok(pottery_list_insert(l, 2, pottery_int(2)));
    assert_json("[0, 0, 2, 0, 0]", l);
    assert_ok(pottery_list_insert(l, 1, pottery_int(0)));
    assert_json("[0, 0, 0, 2, 0, 0]", l);
    pottery_list_free(l);

    l = open_list("fresh");
    assert_ok(pottery_list_insert(l, 5, pottery_str("only")));
    assert_json("[\"only\"]", l);
    pottery_list_free(l);
}

static void test_pop(void **state)
{
    (void)state;
    pottery_list *l = int_list("pop", 0, 6); /* [0..5] */
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_list_pop(&v, l));
    assert_value_int(&v, 5);
    assert_ok(pottery_list_pop_index(&v, l, 0));
    assert_value_int(&v, 0);
    assert_ok(pottery_list_pop_index(&v, l, 1));
    assert_value_int(&v, 2);
    assert_ok(pottery_list_pop_index(&v, l, -2));
    assert_value_int(&v, 3);
    assert_json("[1, 4]", l);
    v = pottery_int(99);
    assert_code(POTTERY_EINDEX, pottery_list_pop_index(&v, l, 2));
    assert_message("IndexError: pop index out of range");
    assert_code(POTTERY_EINDEX, pottery_list_pop_index(&v, l, -3));
    assert_message("IndexError: pop index out of range");
    assert_value_int(&v, 99);
    assert_json("[1, 4]", l);
    assert_ok(pottery_list_pop_index(&v, l, -1));
    assert_value_int(&v, 4);
    assert_ok(pottery_list_pop(&v, l));
    assert_value_int(&v, 1);
    assert_code(POTTERY_EINDEX, pottery_list_pop(&v, l));
    assert_message("IndexError: pop from empty list");
    assert_code(POTTERY_EINDEX, pottery_list_pop_index(&v, l, 0));
    assert_message("IndexError: pop from empty list");
    assert_code(POTTERY_EINDEX, pottery_list_pop_index(&v, l, 3));
    assert_message("IndexError: pop from empty list");
    assert_raw("0", raw("EXISTS", "pop", NULL));
    pottery_value_dispose(&v);
    pottery_list_free(l);
}

/* ---- search with Python equality ---- */

static void test_remove_index_count_contains(void **state)
{
    (void)state;
    pottery_list *l = open_list("find");
    assert_ok(pottery_list_extend_json(
        l, "[\"a\", 1, 2.0, true, [1, 2], {\"k\": 0}, null, 1.0, \"1\", 0, -0.0, false, 1e16, 2]"));
    int64_t n = -1;
    int in = -1;
    /* 1 == 1.0 == True */
    assert_ok(pottery_list_count(&n, l, pottery_int(1)));
    assert_int_equal(n, 3);
    assert_ok(pottery_list_count(&n, l, pottery_bool(1)));
    assert_int_equal(n, 3);
    assert_ok(pottery_list_count(&n, l, pottery_double(0.0)));
    assert_int_equal(n, 3);
    assert_ok(pottery_list_count(&n, l, pottery_int(2)));
    assert_int_equal(n, 2);
    assert_ok(pottery_list_count(&n, l, pottery_str("1")));
    assert_int_equal(n, 1);
    assert_ok(pottery_list_count(&n, l, pottery_int(10000000000000000LL)));
    assert_int_equal(n, 1);
    assert_ok(pottery_list_count(&n, l, pottery_json("[1.0, 2.0]")));
    assert_int_equal(n, 1);
    assert_ok(pottery_list_count(&n, l, pottery_json("{\"k\": false}")));
    assert_int_equal(n, 1);
    assert_ok(pottery_list_count(&n, l, pottery_null()));
    assert_int_equal(n, 1);
    assert_ok(pottery_list_count(&n, l, pottery_double(NAN)));
    assert_int_equal(n, 0); /* NaN equals nothing */
    assert_ok(pottery_list_count(&n, l, pottery_int(3)));
    assert_int_equal(n, 0);

    assert_ok(pottery_list_index(&n, l, pottery_double(1.0)));
    assert_int_equal(n, 1);
    assert_ok(pottery_list_index(&n, l, pottery_int(2)));
    assert_int_equal(n, 2);
    assert_ok(pottery_list_index_range(&n, l, pottery_int(1), 2, NONE));
    assert_int_equal(n, 3);
    assert_ok(pottery_list_index_range(&n, l, pottery_int(1), -10, NONE));
    assert_int_equal(n, 7);
    assert_code(POTTERY_ENOTFOUND, pottery_list_index_range(&n, l, pottery_int(2), 3, -1));
    assert_message("ValueError: 2 is not in list");
    assert_ok(pottery_list_index_range(&n, l, pottery_int(2), 3, INT64_MAX));
    assert_int_equal(n, 13);
    assert_code(POTTERY_ENOTFOUND, pottery_list_index_range(&n, l, pottery_int(2), -100, 2));
    assert_ok(pottery_list_index_range(&n, l, pottery_int(2), -100, 3));
    assert_int_equal(n, 2);
    assert_code(POTTERY_ENOTFOUND, pottery_list_index(&n, l, pottery_str("zzz")));
    assert_message("ValueError: 'zzz' is not in list");

    assert_ok(pottery_list_contains(&in, l, pottery_json("[1, 2]")));
    assert_int_equal(in, 1);
    assert_ok(pottery_list_contains(&in, l, pottery_json("[2, 1]")));
    assert_int_equal(in, 0);

    /* remove takes the first equal element only. */
    assert_ok(pottery_list_remove(l, pottery_bool(1)));
    assert_ok(pottery_list_remove(l, pottery_int(0)));
    assert_json("[\"a\", 2.0, true, [1, 2], {\"k\": 0}, null, 1.0, \"1\", -0.0, false, 1e+16, 2]", l);
    assert_code(POTTERY_ENOTFOUND, pottery_list_remove(l, pottery_str("b")));
    assert_message("ValueError: list.remove(x): x not in list");
    assert_ok(pottery_list_remove(l, pottery_double(1e16)));
    assert_ok(pottery_list_remove(l, pottery_json("{\"k\": -0.0}")));
    assert_json("[\"a\", 2.0, true, [1, 2], null, 1.0, \"1\", -0.0, false, 2]", l);

    /* Big integers: exact, never rounded. */
    assert_ok(pottery_list_extend_json(l, "[9007199254740993, 1e20, 100000000000000000000]"));
    assert_ok(pottery_list_count(&n, l, pottery_double(9007199254740992.0)));
    assert_int_equal(n, 0);
    assert_ok(pottery_list_count(&n, l, pottery_json("100000000000000000000")));
    assert_int_equal(n, 2);
    assert_ok(pottery_list_count(&n, l, pottery_int(9007199254740993LL)));
    assert_int_equal(n, 1);
    pottery_list_free(l);
}

/* A value with more than 1024 equal spellings is searched client-side in a WATCH
 * transaction: the answers stay right. */
static void test_search_with_many_spellings(void **state)
{
    (void)state;
    const char *target = "[1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10]"; /* 3*4*2^9 spellings */
    pottery_list *l = open_list("many");
    assert_ok(pottery_list_extend_json(l, "[\"x\", [true, 0.0, 2, 3, 4, 5, 6, 7, 8, 9, 10.0], 5, "
                                          "[1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 11]]"));
    int64_t n = -1;
    assert_ok(pottery_list_count(&n, l, pottery_json(target)));
    assert_int_equal(n, 2);
    assert_ok(pottery_list_index(&n, l, pottery_json(target)));
    assert_int_equal(n, 1);
    assert_ok(pottery_list_index_range(&n, l, pottery_json(target), 2, NONE));
    assert_int_equal(n, 3);
    assert_ok(pottery_list_remove(l, pottery_json(target)));
    assert_int_equal(list_len(l), 4);
    assert_raw("5", raw("LINDEX", "many", "1", NULL));
    assert_ok(pottery_list_remove(l, pottery_json(target)));
    assert_code(POTTERY_ENOTFOUND, pottery_list_remove(l, pottery_json(target)));
    assert_json("[\"x\", 5, [1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 11]]", l);
    pottery_list_free(l);
}

/* ---- slices ---- */

static void test_slice_indices_match_python(void **state)
{
    (void)state;
    /* start, stop, step, len -> Python's slice(start, stop, step).indices(len) and length. */
    static const int64_t cases[][8] = {
        { NONE, NONE, NONE, 9, 0, 9, 1, 9 },
        { NONE, NONE, -1, 9, 8, -1, -1, 9 },
        { -3, NONE, NONE, 9, 6, 9, 1, 3 },
        { NONE, 0, NONE, 9, 0, 0, 1, 0 },
        { 3, 0, NONE, 9, 3, 0, 1, 0 },
        { -20, NONE, -1, 9, -1, -1, -1, 0 },
        { -2, 1, -3, 9, 7, 1, -3, 2 },
        { 1, -3, 2, 9, 1, 6, 2, 3 },
        { -100, 100, NONE, 9, 0, 9, 1, 9 },
        { 100, -100, -1, 9, 8, -1, -1, 9 },
        { INT64_MIN + 1, INT64_MAX, NONE, 9, 0, 9, 1, 9 },
        { INT64_MAX, INT64_MIN + 1, -1, 9, 8, -1, -1, 9 },
        { NONE, NONE, INT64_MAX, 9, 0, 9, INT64_MAX, 1 },
        { NONE, NONE, INT64_MIN + 1, 9, 8, -1, INT64_MIN + 1, 1 },
        { 5, NONE, INT64_MIN + 1, 9, 5, -1, INT64_MIN + 1, 1 },
        { NONE, NONE, NONE, 0, 0, 0, 1, 0 },
        { NONE, NONE, -2, 0, -1, -1, -2, 0 },
        { -1, NONE, -1, 0, -1, -1, -1, 0 },
        { 0, 1, NONE, 1, 0, 1, 1, 1 },
        { -1, -2, -1, 1, 0, -1, -1, 1 },
        { 8, NONE, 3, 9, 8, 9, 3, 1 },
        { 9, NONE, -1, 9, 8, -1, -1, 9 },
        { 10, NONE, -1, 9, 8, -1, -1, 9 },
        { -10, NONE, -2, 9, -1, -1, -2, 0 },
        { -9, -10, -1, 9, 0, -1, -1, 1 },
        { 4, 4, NONE, 9, 4, 4, 1, 0 },
        { 4, 5, 2, 9, 4, 5, 2, 1 },
        { NONE, -1, NONE, 9, 0, 8, 1, 8 },
        { -1, NONE, NONE, 9, 8, 9, 1, 1 },
        { 2, 7, -1, 9, 2, 7, -1, 0 },
        { 7, 2, -2, 9, 7, 2, -2, 3 },
        { NONE, NONE, 4, 5, 0, 5, 4, 2 },
        { NONE, NONE, -4, 5, 4, -1, -4, 2 },
        { 0, NONE, -1, 5, 0, -1, -1, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const int64_t *c = cases[i];
        int64_t a = 0, b = 0, s = 0, n = 0;
        assert_ok(pottery_slice_indices(&a, &b, &s, &n, pottery_slice_of(c[0], c[1], c[2]), c[3]));
        if (a != c[4] || b != c[5] || s != c[6] || n != c[7])
            fail_msg("case %zu: got (%lld, %lld, %lld) n=%lld", i, (long long)a, (long long)b, (long long)s,
                     (long long)n);
    }
    assert_code(POTTERY_EINVAL, pottery_slice_indices(NULL, NULL, NULL, NULL, pottery_slice_of(1, 2, 0), 5));
    assert_message("ValueError: slice step cannot be zero");
    assert_code(POTTERY_EINVAL, pottery_slice_indices(NULL, NULL, NULL, NULL, pottery_slice_all(), -1));
    pottery_slice all = POTTERY_SLICE_ALL;
    assert_true(all.start == NONE && all.stop == NONE && all.step == NONE);
}

/* The examples of pottery's behaviour file. */
static void test_slice_reads_from_pottery_examples(void **state)
{
    (void)state;
    pottery_list *nums = open_list("nums");
    assert_ok(pottery_list_extend_json(nums, "[10, 20, 30, 40, 50, 60, 70, 80, 90]"));
    static const struct {
        int64_t a, b, s;
        const char *expected;
    } cases[] = {
        { 2, 7, NONE, "[30, 40, 50, 60, 70]" },
        { -3, NONE, NONE, "[70, 80, 90]" },
        { 1, -1, NONE, "[20, 30, 40, 50, 60, 70, 80]" },
        { -3, 8, NONE, "[70, 80]" },
        { NONE, NONE, 2, "[10, 30, 50, 70, 90]" },
        { 1, NONE, 2, "[20, 40, 60, 80]" },
        { 1, -3, 2, "[20, 40, 60]" },
        { NONE, NONE, -1, "[90, 80, 70, 60, 50, 40, 30, 20, 10]" },
        { -2, NONE, -1, "[80, 70, 60, 50, 40, 30, 20, 10]" },
        { -2, 1, -1, "[80, 70, 60, 50, 40, 30]" },
        { -2, 1, -3, "[80, 50]" },
        /* pottery's quirk: these read data; Python (and we) give [] */
        { NONE, 0, NONE, "[]" },
        { 3, 0, NONE, "[]" },
        { -20, NONE, -1, "[]" },
    };
    pottery_value v = POTTERY_VALUE_INIT;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_ok(pottery_list_get_slice(&v, nums, pottery_slice_of(cases[i].a, cases[i].b, cases[i].s)));
        assert_value_json(&v, cases[i].expected);
    }
    pottery_list_free(nums);

    pottery_list *letters = open_list("letters");
    assert_ok(pottery_list_extend_json(letters, "[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\"]"));
    assert_ok(pottery_list_get_slice(&v, letters, pottery_slice_of(2, 5, 2)));
    assert_repr("['c', 'e']", v);
    assert_ok(pottery_list_get_slice(&v, letters, pottery_slice_of(2, 5, 3)));
    assert_repr("['c']", v);

    /* As an array of values. */
    pottery_value *vals = NULL;
    size_t n = 0;
    assert_ok(pottery_list_get_slice_values(&vals, &n, letters, pottery_slice_of(NONE, NONE, -3)));
    assert_int_equal(n, 3);
    assert_value_str(&vals[0], "g");
    assert_value_str(&vals[1], "d");
    assert_value_str(&vals[2], "a");
    pottery_list_values_free(vals, n);
    vals = (pottery_value *)&n;
    assert_ok(pottery_list_get_slice_values(&vals, &n, letters, pottery_slice_of(5, 2, NONE)));
    assert_int_equal(n, 0);
    pottery_list_values_free(vals, n);

    /* Step 0 is a ValueError, with nothing sent. */
    uint64_t before = commands();
    assert_code(POTTERY_EINVAL, pottery_list_get_slice(&v, letters, pottery_slice_of(NONE, NONE, 0)));
    assert_message("ValueError: slice step cannot be zero");
    assert_code(POTTERY_EINVAL, pottery_list_set_slice(letters, pottery_slice_of(1, 2, 0), NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_list_del_slice(letters, pottery_slice_of(1, 2, 0)));
    assert_int_equal(commands(), before);
    pottery_value_dispose(&v);
    pottery_list_free(letters);
}

/* An empty selection reads nothing but the length: no LRANGE (commands run by scripts are
 * counted by INFO commandstats). */
static void test_empty_slices_read_nothing(void **state)
{
    (void)state;
    pottery_list *l = int_list("emptysl", 0, 9);
    pottery_value v = POTTERY_VALUE_INIT;
    free(raw("CONFIG", "RESETSTAT", NULL));
    assert_ok(pottery_list_get_slice(&v, l, pottery_slice_of(NONE, 0, NONE)));
    assert_ok(pottery_list_get_slice(&v, l, pottery_slice_of(-20, NONE, -1)));
    assert_ok(pottery_list_get_slice(&v, l, pottery_slice_of(3, 0, 2)));
    assert_ok(pottery_list_del_slice(l, pottery_slice_of(4, 4, NONE)));
    assert_ok(pottery_list_del_slice(l, pottery_slice_of(NONE, 0, NONE)));
    assert_value_json(&v, "[]");
    assert_int_equal(fixture_commandstats_calls("lrange"), 0);
    assert_int_equal(fixture_commandstats_calls("lset"), 0);
    assert_int_equal(fixture_commandstats_calls("ltrim"), 0);
    assert_int_equal(fixture_commandstats_calls("llen"), 5);
    assert_int_equal(list_len(l), 9);
    pottery_value_dispose(&v);
    pottery_list_free(l);
}

/* Python's semantics, modelled on an int array (a direct transcription of CPython's list
 * slice code on top of slice.indices, which the previous tests check against Python). */
typedef struct model {
    int64_t v[64];
    size_t n;
} model;

static int model_assign(model *m, pottery_slice s, const int64_t *vals, size_t nvals)
{
    int64_t a, b, st, n;
    assert_ok(pottery_slice_indices(&a, &b, &st, &n, s, (int64_t)m->n));
    if (st == 1) {
        if (b < a) b = a;
        model out = { { 0 }, 0 };
        for (int64_t i = 0; i < a; i++) out.v[out.n++] = m->v[i];
        for (size_t i = 0; i < nvals; i++) out.v[out.n++] = vals[i];
        for (int64_t i = b; i < (int64_t)m->n; i++) out.v[out.n++] = m->v[i];
        *m = out;
        return 0;
    }
    if ((int64_t)nvals != n) return -1;
    for (int64_t k = 0; k < n; k++) m->v[a + k * st] = vals[k];
    return 0;
}

static void model_delete(model *m, pottery_slice s)
{
    int64_t a, b, st, n;
    assert_ok(pottery_slice_indices(&a, &b, &st, &n, s, (int64_t)m->n));
    unsigned char gone[64] = { 0 };
    for (int64_t k = 0; k < n; k++) gone[a + k * st] = 1;
    model out = { { 0 }, 0 };
    for (size_t i = 0; i < m->n; i++)
        if (!gone[i]) out.v[out.n++] = m->v[i];
    *m = out;
}

static void model_read(model *out, const model *m, pottery_slice s)
{
    int64_t a, b, st, n;
    assert_ok(pottery_slice_indices(&a, &b, &st, &n, s, (int64_t)m->n));
    out->n = 0;
    for (int64_t k = 0; k < n; k++) out->v[out->n++] = m->v[a + k * st];
}

static void reset_list(pottery_list *l, const model *m)
{
    assert_ok(pottery_list_clear(l));
    pottery_value vals[64];
    for (size_t i = 0; i < m->n; i++) vals[i] = pottery_int(m->v[i]);
    assert_ok(pottery_list_extend(l, vals, m->n));
}

static void assert_model(pottery_list *l, const model *m, const char *what, pottery_slice s)
{
    char expected[1024], *got = NULL;
    ints_json(expected, sizeof expected, m->v, m->n);
    assert_ok(pottery_list_to_json(&got, NULL, l));
    if (strcmp(got, expected) != 0)
        fail_msg("%s [%lld:%lld:%lld]: got %s, expected %s", what, (long long)s.start, (long long)s.stop,
                 (long long)s.step, got, expected);
    pottery_free(got);
}

/* Every combination of start/stop/step: reads, contiguous and extended assignment (right
 * and wrong sizes) and deletion agree with Python's list. */
static void test_slices_agree_with_python_everywhere(void **state)
{
    (void)state;
    static const int64_t bounds[] = { NONE, INT64_MIN + 1, -12, -9, -5, -1, 0, 1, 3, 8, 9, 12, INT64_MAX };
    static const int64_t steps[] = { NONE, 1, 2, 3, 10, -1, -2, -4 };
    const size_t nb = sizeof bounds / sizeof bounds[0], ns = sizeof steps / sizeof steps[0];
    model base = { { 0 }, 9 };
    for (int i = 0; i < 9; i++) base.v[i] = i;
    pottery_list *l = open_list("everywhere");
    pottery_value v = POTTERY_VALUE_INIT;
    const int64_t news[] = { 100, 101, 102, 103, 104, 105, 106, 107, 108, 109 };
    pottery_value newv[10];
    for (int i = 0; i < 10; i++) newv[i] = pottery_int(news[i]);
    reset_list(l, &base);
    for (size_t i = 0; i < nb; i++) {
        for (size_t j = 0; j < nb; j++) {
            for (size_t k = 0; k < ns; k++) {
                pottery_slice s = pottery_slice_of(bounds[i], bounds[j], steps[k]);
                /* read */
                model want;
                model_read(&want, &base, s);
                char expected[1024];
                ints_json(expected, sizeof expected, want.v, want.n);
                assert_ok(pottery_list_get_slice(&v, l, s));
                char *got = NULL;
                assert_ok(pottery_value_to_json(&got, NULL, v));
                if (pottery_value_type(&v) != POTTERY_TYPE_JSON || strcmp(got, expected) != 0)
                    fail_msg("read [%lld:%lld:%lld]: got %s, expected %s", (long long)s.start, (long long)s.stop,
                             (long long)s.step, got, expected);
                pottery_free(got);
            }
        }
    }
    /* Writes: fewer combinations (each needs a fresh list). */
    static const int64_t wbounds[] = { NONE, -12, -5, -1, 0, 2, 8, 12 };
    static const int64_t wsteps[] = { NONE, 2, 3, -1, -2 };
    for (size_t i = 0; i < sizeof wbounds / sizeof wbounds[0]; i++) {
        for (size_t j = 0; j < sizeof wbounds / sizeof wbounds[0]; j++) {
            for (size_t k = 0; k < sizeof wsteps / sizeof wsteps[0]; k++) {
                pottery_slice s = pottery_slice_of(wbounds[i], wbounds[j], wsteps[k]);
                int64_t n;
                assert_ok(pottery_slice_indices(NULL, NULL, NULL, &n, s, 9));
                /* deletion */
                model m = base;
                reset_list(l, &m);
                model_delete(&m, s);
                assert_ok(pottery_list_del_slice(l, s));
                assert_model(l, &m, "del", s);
                /* assignment with the right size for extended slices, 3 values for
                 * contiguous ones */
                size_t count = s.step == NONE ? 3 : (size_t)n;
                m = base;
                reset_list(l, &m);
                assert_int_equal(model_assign(&m, s, news, count), 0);
                assert_ok(pottery_list_set_slice(l, s, newv, count));
                assert_model(l, &m, "assign", s);
                if (s.step == NONE) {
                    /* contiguous: shrink to nothing */
                    m = base;
                    reset_list(l, &m);
                    assert_int_equal(model_assign(&m, s, news, 0), 0);
                    assert_ok(pottery_list_set_slice(l, s, NULL, 0));
                    assert_model(l, &m, "assign []", s);
                } else {
                    /* extended: a wrong size changes nothing */
                    m = base;
                    reset_list(l, &m);
                    assert_code(POTTERY_EINVAL, pottery_list_set_slice(l, s, newv, (size_t)n + 1));
                    char msg[128];
                    snprintf(msg, sizeof msg,
                             "ValueError: attempt to assign sequence of size %lld to extended slice of size %lld",
                             (long long)n + 1, (long long)n);
                    assert_message(msg);
                    assert_model(l, &m, "wrong size", s);
                }
            }
        }
    }
    pottery_value_dispose(&v);
    pottery_list_free(l);
}

/* Slices on a list long enough for the scripts' chunked paths (windows of 1024, pushes of
 * 1000), on both sides of the range. */
static void test_slices_on_long_lists(void **state)
{
    (void)state;
    enum { N = 5000 };
    pottery_list *l = int_list("long", 0, N);
    pottery_value *vals = NULL;
    size_t n = 0;
    assert_ok(pottery_list_get_slice_values(&vals, &n, l, pottery_slice_of(7, NONE, 3)));
    assert_int_equal(n, (N - 7 + 2) / 3);
    for (size_t i = 0; i < n; i++) assert_value_int(&vals[i], 7 + 3 * (int64_t)i);
    pottery_list_values_free(vals, n);
    assert_ok(pottery_list_get_slice_values(&vals, &n, l, pottery_slice_of(NONE, NONE, -1500)));
    assert_int_equal(n, 4);
    assert_value_int(&vals[3], N - 1 - 4500);
    pottery_list_values_free(vals, n);

    /* Replace a range near the front with 2500 values, then one near the end. */
    pottery_value *repl = int_values(2500, 0, -1);
    assert_ok(pottery_list_set_slice(l, pottery_slice_of(10, 20, NONE), repl, 2500));
    assert_int_equal(list_len(l), N - 10 + 2500);
    assert_raw("9", raw("LINDEX", "long", "9", NULL));
    assert_raw("0", raw("LINDEX", "long", "10", NULL));
    assert_raw("-2499", raw("LINDEX", "long", "2509", NULL));
    assert_raw("20", raw("LINDEX", "long", "2510", NULL));
    assert_ok(pottery_list_set_slice(l, pottery_slice_of(-3, -1, NONE), repl, 1200));
    assert_raw("4996", raw("LINDEX", "long", "-1202", NULL));
    assert_raw("-1199", raw("LINDEX", "long", "-2", NULL));
    assert_raw("4999", raw("LINDEX", "long", "-1", NULL));
    /* Delete every other element, then a big contiguous middle part. */
    int64_t len = list_len(l);
    assert_ok(pottery_list_del_slice(l, pottery_slice_of(NONE, NONE, 2)));
    assert_int_equal(list_len(l), len / 2);
    assert_ok(pottery_list_del_slice(l, pottery_slice_of(100, -100, NONE)));
    assert_int_equal(list_len(l), 200);
    free(repl);
    pottery_list_free(l);
}

/* The pottery tests' slice assignments, and Python's inserting forms. */
static void test_slice_assignment_examples(void **state)
{
    (void)state;
    pottery_list *l = open_list("letters");
    const char *abc = "[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\"]";
    assert_ok(pottery_list_extend_json(l, abc));
    pottery_value up[] = { pottery_str("C"), pottery_str("D"), pottery_str("E") };
    assert_ok(pottery_list_set_slice(l, pottery_slice_of(2, 5, NONE), up, 3));
    assert_json("[\"a\", \"b\", \"C\", \"D\", \"E\", \"f\", \"g\"]", l);
    pottery_value nones[] = { pottery_null(), pottery_null() };
    assert_ok(pottery_list_set_slice(l, pottery_slice_of(2, 5, 2), nones, 2));
    assert_json("[\"a\", \"b\", null, \"D\", null, \"f\", \"g\"]", l);
    assert_ok(pottery_list_set_slice(l, pottery_slice_of(2, 5, NONE), NULL, 0));
    assert_json("[\"a\", \"b\", \"f\", \"g\"]", l);
    /* a[1:1] = [...] inserts; a[10:] = [...] appends; a[:0] prepends */
    assert_ok(pottery_list_set_slice(l, pottery_slice_of(1, 1, NONE), up, 2));
    assert_ok(pottery_list_set_slice(l, pottery_slice_of(10, NONE, NONE), up + 2, 1));
    assert_ok(pottery_list_set_slice(l, pottery_slice_of(NONE, 0, NONE), nones, 1));
    assert_json("[null, \"a\", \"C\", \"D\", \"b\", \"f\", \"g\", \"E\"]", l);
    /* a[::-1] = same size reversed */
    pottery_value eight[8];
    for (int i = 0; i < 8; i++) eight[i] = pottery_int(i);
    assert_ok(pottery_list_set_slice(l, pottery_slice_of(NONE, NONE, -1), eight, 8));
    assert_json("[7, 6, 5, 4, 3, 2, 1, 0]", l);
    /* A genuine 0 never gets mistaken for a placeholder. */
    assert_ok(pottery_list_del_slice(l, pottery_slice_of(NONE, 4, 2)));
    assert_json("[6, 4, 3, 2, 1, 0]", l);
    assert_ok(pottery_list_set_slice(l, pottery_slice_all(), NULL, 0));
    assert_raw("0", raw("EXISTS", "letters", NULL));
    assert_ok(pottery_list_set_slice(l, pottery_slice_all(), up, 3));
    assert_json("[\"C\", \"D\", \"E\"]", l);
    /* Unencodable values: nothing sent. */
    pottery_value bad[] = { pottery_int(1), pottery_strn("\xc3", 1) };
    uint64_t before = commands();
    assert_code(POTTERY_ETYPE, pottery_list_set_slice(l, pottery_slice_all(), bad, 2));
    assert_int_equal(commands(), before);
    assert_json("[\"C\", \"D\", \"E\"]", l);
    pottery_list_free(l);
}

/* ---- whole-list operations ---- */

static void test_reverse_and_sort(void **state)
{
    (void)state;
    pottery_list *l = open_list("rs");
    assert_ok(pottery_list_reverse(l)); /* empty: fine */
    assert_ok(pottery_list_extend_json(l, "[3, 1.5, -2, 10, 1e3, 0]"));
    assert_ok(pottery_list_reverse(l));
    assert_json("[0, 1000.0, 10, -2, 1.5, 3]", l);
    assert_ok(pottery_list_sort(l, 0));
    assert_json("[-2, 0, 1.5, 3, 10, 1000.0]", l);
    assert_ok(pottery_list_sort(l, 1));
    assert_json("[1000.0, 10, 3, 1.5, 0, -2]", l);
    pottery_list_free(l);

    l = int_list("rev-long", 0, 2500);
    assert_ok(pottery_list_reverse(l));
    assert_raw("2499", raw("LINDEX", "rev-long", "0", NULL));
    assert_raw("1500", raw("LINDEX", "rev-long", "999", NULL));
    assert_raw("0", raw("LINDEX", "rev-long", "-1", NULL));
    pottery_list_free(l);

    l = open_list("strings");
    assert_ok(pottery_list_extend_json(l, "[\"b\", \"a\", 1]"));
    assert_code(POTTERY_EREDIS, pottery_list_sort(l, 0));
    assert_message_contains("only lists of numbers can be sorted");
    assert_json("[\"b\", \"a\", 1]", l);
    pottery_list_free(l);
}

static void test_open_and_random_keys(void **state)
{
    (void)state;
    free(raw("RPUSH", "taken", "\"old\"", NULL));
    pottery_value items[] = { pottery_str("new") };
    pottery_list_options opts = POTTERY_LIST_OPTIONS_INIT;
    opts.items = items;
    opts.nitems = 1;
    pottery_list *l = (pottery_list *)&opts; /* must be reset to NULL on failure */
    uint64_t before = round_trips();
    assert_code(POTTERY_EEXISTS, pottery_list_open(&l, client, "taken", &opts));
    assert_int_equal(round_trips() - before, 1);
    assert_null(l);
    assert_message_contains("taken");
    assert_raw("\"old\"", raw("LRANGE", "taken", "0", "-1", NULL));
    free(raw("SET", "str", "x", NULL));
    assert_code(POTTERY_EEXISTS, pottery_list_open(&l, client, "str", &opts));
    assert_raw("x", raw("GET", "str", NULL));
    /* An unencodable item: nothing sent. */
    pottery_value bad[] = { pottery_int(1), pottery_json("[1,") };
    opts.items = bad;
    opts.nitems = 2;
    before = commands();
    assert_code(POTTERY_ETYPE, pottery_list_open(&l, client, "fresh", &opts));
    assert_int_equal(commands(), before);
    assert_raw("0", raw("EXISTS", "fresh", NULL));
    /* Options must be initialised, and of a version this library knows. */
    pottery_list_options raw_opts;
    memset(&raw_opts, 0, sizeof raw_opts);
    assert_options_version_checked(pottery_list, pottery_list_open, "fresh", &raw_opts, POTTERY_LIST_OPTIONS_VERSION);
    pottery_list_options_init(&raw_opts);
    assert_int_equal(raw_opts.version, POTTERY_LIST_OPTIONS_VERSION);
    assert_null(raw_opts.items);
    assert_int_equal(raw_opts.nitems, 0);
    assert_round_trips(0, pottery_list_open(&l, client, "fresh", &raw_opts));
    pottery_list_free(l);
    assert_raw("0", raw("EXISTS", "fresh", NULL));
    /* Without items: attach, no round trip. */
    assert_round_trips(0, pottery_list_open(&l, client, "taken", NULL));
    assert_string_equal(pottery_list_key(l), "taken");
    assert_ptr_equal(pottery_list_client(l), client);
    pottery_list_free(l);
    assert_raw("1", raw("EXISTS", "taken", NULL)); /* user keys survive free */

    /* Random keys are temporary. */
    opts.items = items;
    opts.nitems = 1;
    assert_ok(pottery_list_open(&l, client, NULL, &opts));
    char saved[64];
    snprintf(saved, sizeof saved, "%s", pottery_list_key(l));
    assert_random_key(saved);
    assert_raw("\"new\"", raw("LRANGE", saved, "0", "-1", NULL));
    pottery_list_free(l);
    assert_raw("0", raw("EXISTS", saved, NULL));
    /* Many initial items (pushed in chunks by the script), one round trip. */
    pottery_value *many = int_values(2500, 0, 2);
    opts.items = many;
    opts.nitems = 2500;
    assert_round_trips(1, pottery_list_open(&l, client, "many", &opts));
    assert_raw("2500", raw("LLEN", "many", NULL));
    assert_raw("2000", raw("LINDEX", "many", "1000", NULL));
    assert_raw("4998", raw("LINDEX", "many", "-1", NULL));
    pottery_list_free(l);
    free(many);
    free(raw("RPUSH", "pottery:mine", "1", NULL));
    assert_ok(pottery_list_open(&l, client, "pottery:mine", NULL));
    pottery_list_free(l);
    assert_raw("0", raw("EXISTS", "pottery:mine", NULL));
    pottery_list_free(NULL);
}

static void test_concatenation(void **state)
{
    (void)state;
    /* a and b share a hash tag, so that a cluster keeps them in one slot, on the server (the
     * long operands below take the client-side path there) */
    pottery_list *a = open_list("{cat}a"), *b = open_list("{cat}b"), *sum = NULL;
    assert_ok(pottery_list_extend_json(a, "[1, 2]"));
    assert_ok(pottery_list_extend_json(b, "[\"x\", [3]]"));
    assert_round_trips(1, pottery_list_add(&sum, a, b));
    assert_json("[1, 2, \"x\", [3]]", sum);
    assert_ptr_equal(pottery_list_client(sum), client);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", pottery_list_key(sum));
    assert_temporary_key(saved, "{cat}a");
    pottery_list_free(sum);
    assert_raw("0", raw("EXISTS", saved, NULL));
    /* l + l */
    assert_ok(pottery_list_add(&sum, a, a));
    assert_json("[1, 2, 1, 2]", sum);
    pottery_list_free(sum);
    /* empty + [] is an empty list */
    pottery_list *e = open_list("cat-empty");
    assert_ok(pottery_list_add_json(&sum, e, "[]"));
    assert_int_equal(list_len(sum), 0);
    pottery_list_free(sum);
    assert_ok(pottery_list_add_json(&sum, e, "[1, \"two\", {\"b\": 2, \"a\": 1}]"));
    assert_json("[1, \"two\", {\"a\": 1, \"b\": 2}]", sum);
    pottery_list_free(sum);
    sum = a;
    assert_code(POTTERY_ETYPE, pottery_list_add_json(&sum, a, "{\"a\": 1}"));
    assert_ptr_equal(sum, a);

    /* With a list on another server: two round trips, result on a's client. */
    pottery_list *far = NULL;
    assert_ok(pottery_list_open(&far, far_client, "far", NULL));
    assert_ok(pottery_list_extend_json(far, "[true, null]"));
    assert_ok(pottery_list_add(&sum, a, far));
    assert_json("[1, 2, true, null]", sum);
    snprintf(saved, sizeof saved, "%s", pottery_list_key(sum));
    assert_raw("4", raw("LLEN", saved, NULL));
    pottery_list_free(sum);
    assert_ok(pottery_list_clear(far));
    pottery_list_free(far);
    pottery_list_free(e);
    pottery_list_free(a);
    pottery_list_free(b);

    /* Long operands (the script pushes in chunks). */
    pottery_list *x = int_list("cat-x", 0, 2500), *y = int_list("cat-y", 2500, 2600);
    assert_ok(pottery_list_add(&sum, x, y));
    assert_int_equal(list_len(sum), 5100);
    snprintf(saved, sizeof saved, "%s", pottery_list_key(sum));
    assert_raw("0", raw("LINDEX", saved, "0", NULL));
    assert_raw("1000", raw("LINDEX", saved, "1000", NULL));
    assert_raw("2500", raw("LINDEX", saved, "2500", NULL));
    assert_raw("5099", raw("LINDEX", saved, "-1", NULL));
    pottery_list_free(sum);
    pottery_list_free(x);
    pottery_list_free(y);
}

static void test_equality(void **state)
{
    (void)state;
    pottery_list *a = open_list("{eq}a"), *b = open_list("{eq}b"), *a2 = open_list("{eq}a"); /* one slot */
    int eq = -1;
    assert_ok(pottery_list_equal_from(&eq, a, b));
    assert_int_equal(eq, 1); /* both empty */
    assert_ok(pottery_list_extend_json(a, "[1, [2], \"s\"]"));
    assert_ok(pottery_list_equal_from(&eq, a, b));
    assert_int_equal(eq, 0);
    assert_ok(pottery_list_extend_json(b, "[true, [2.0], \"s\"]"));
    assert_round_trips(1, pottery_list_equal_from(&eq, a, b));
    assert_int_equal(eq, 1); /* 1 == True, [2] == [2.0] */
    assert_ok(pottery_list_set(b, 2, pottery_str("t")));
    assert_ok(pottery_list_equal_from(&eq, a, b));
    assert_int_equal(eq, 0);
    uint64_t before = round_trips();
    assert_ok(pottery_list_equal_from(&eq, a, a2));
    assert_int_equal(eq, 1);
    assert_int_equal(round_trips(), before);
    assert_ok(pottery_list_equal_from(&eq, a, a));
    assert_int_equal(eq, 1);

    assert_code(POTTERY_ETYPE, pottery_list_equal_json(&eq, a, "[1.0, [true + 1], \"s\"]"));
    assert_ok(pottery_list_equal_json(&eq, a, "[1.0, [2], \"s\"]"));
    assert_int_equal(eq, 1);
    assert_ok(pottery_list_equal_json(&eq, a, "[1, [2], \"s\", null]"));
    assert_int_equal(eq, 0);
    assert_ok(pottery_list_equal_json(&eq, a, "[[2], 1, \"s\"]"));
    assert_int_equal(eq, 0);
    assert_code(POTTERY_ETYPE, pottery_list_equal_json(&eq, a, "{\"a\": 1}"));
    assert_message("pottery_list_equal_json: not a JSON array");
    /* Python: l == None is False, known without reading anything. */
    eq = -1;
    assert_round_trips(0, pottery_list_equal_json(&eq, a, " null "));
    assert_int_equal(eq, 0);
    pottery_list_free(a);
    pottery_list_free(a2);
    pottery_list_free(b);
}

/* ---- iteration ---- */

static void test_iteration(void **state)
{
    (void)state;
    enum { N = 2500 };
    pottery_list *l = int_list("iter", 0, N);
    pottery_list_iter *it = NULL;
    pottery_value v = POTTERY_VALUE_INIT;
    uint64_t before = round_trips();
    assert_ok(pottery_list_iter_new(&it, l));
    assert_int_equal(round_trips(), before);
    int64_t expect = 0;
    int rc;
    while ((rc = pottery_list_iter_next(&v, it)) == 0) {
        assert_value_int(&v, expect);
        expect++;
    }
    assert_int_equal(rc, POTTERY_EITEROVER);
    assert_int_equal(expect, N);
    assert_int_equal(round_trips() - before, 3); /* windows of 1000 */
    assert_code(POTTERY_EITEROVER, pottery_list_iter_next(&v, it));
    pottery_list_iter_free(it);

    assert_ok(pottery_list_iter_new_reversed(&it, l));
    expect = N - 1;
    while ((rc = pottery_list_iter_next(&v, it)) == 0) {
        assert_value_int(&v, expect);
        expect--;
    }
    assert_int_equal(rc, POTTERY_EITEROVER);
    assert_int_equal(expect, -1);
    pottery_list_iter_free(it);

    /* Exactly one window long: one more (empty) read ends it. */
    pottery_list_free(l);
    l = int_list("iter", 0, 1000);
    assert_ok(pottery_list_iter_new(&it, l));
    int count = 0;
    while (pottery_list_iter_next(&v, it) == 0) count++;
    assert_int_equal(count, 1000);
    pottery_list_iter_free(it);
    pottery_list_free(l);

    /* Absent key: empty. */
    l = open_list("nothing");
    assert_ok(pottery_list_iter_new_reversed(&it, l));
    assert_code(POTTERY_EITEROVER, pottery_list_iter_next(&v, it));
    pottery_list_iter_free(it);
    pottery_list_free(l);
    pottery_value_dispose(&v);
}

/* ---- concurrency: forked processes, each with its own client ---- */

typedef enum { WORK_POP, WORK_INSERT, WORK_REMOVE } work_kind;

typedef struct work {
    const char *key;
    work_kind kind;
    int per_worker;
    int fd; /* results go here */
} work;

/* Worker w: up to per_worker operations of one kind; each result (an int64 value) is written
 * to the pipe, then INT64_MIN as the end. */
static int list_worker(pottery_client *mine, int w, void *arg)
{
    const work *job = arg;
    pottery_list *l = NULL;
    int status = 0;
    if (pottery_list_open(&l, mine, job->key, NULL) != 0) return 3;
    pottery_value v = POTTERY_VALUE_INIT;
    for (int i = 0; i < job->per_worker; i++) {
        int64_t result = INT64_MIN;
        int rc;
        if (job->kind == WORK_POP) {
            rc = pottery_list_pop_index(&v, l, 1);
            if (rc == POTTERY_EINDEX) break;
            if (rc == 0) result = pottery_value_int(&v);
        } else if (job->kind == WORK_INSERT) {
            int64_t mine_value = 1000000 * (w + 1) + i;
            rc = pottery_list_insert(l, 1 + i % 3, pottery_int(mine_value));
            if (rc == 0) result = mine_value;
        } else {
            rc = pottery_list_remove(l, pottery_int(i));
            if (rc == POTTERY_ENOTFOUND) continue;
            if (rc == 0) result = i;
        }
        if (rc != 0) {
            status = 4;
            break;
        }
        if (write_all(job->fd, &result, sizeof result) != 0) return 2;
    }
    int64_t end = INT64_MIN;
    if (write_all(job->fd, &end, sizeof end) != 0) return 2;
    pottery_value_dispose(&v);
    pottery_list_free(l);
    return status;
}

/* Run `workers` processes doing `kind` on key. Returns how many results were read into out. */
static size_t run_workers(const char *key, work_kind kind, int workers, int per_worker, int64_t *out, size_t cap)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    work job = { key, kind, per_worker, fds[1] };
    pid_t pids[8];
    for (int w = 0; w < workers; w++) pids[w] = fork_worker(list_worker, w, &job);
    close(fds[1]);
    size_t n = 0;
    int ended = 0;
    while (ended < workers) {
        int64_t x;
        ssize_t got = read(fds[0], &x, sizeof x);
        assert_int_equal(got, (ssize_t)sizeof x);
        if (x == INT64_MIN) {
            ended++;
            continue;
        }
        assert_true(n < cap);
        out[n++] = x;
    }
    close(fds[0]);
    for (int w = 0; w < workers; w++) assert_int_equal(wait_exit_code(pids[w]), 0);
    return n;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_index_operations_are_atomic_across_processes(void **state)
{
    (void)state;
    enum { N = 400, WORKERS = 4 };
    static int64_t got[N * WORKERS + 16];

    /* Concurrent pops by index: every element is popped once or stays, never twice. */
    pottery_list *l = int_list("race", 0, N);
    size_t n = run_workers("race", WORK_POP, WORKERS, N, got, sizeof got / sizeof got[0]);
    pottery_value *vals = NULL;
    size_t left = 0;
    assert_ok(pottery_list_get_slice_values(&vals, &left, l, pottery_slice_all()));
    assert_int_equal(left, 1); /* pop(1) stops when one element is left */
    for (size_t i = 0; i < left; i++) got[n + i] = pottery_value_int(&vals[i]);
    pottery_list_values_free(vals, left);
    assert_int_equal(n + left, N);
    qsort(got, N, sizeof got[0], cmp_i64);
    for (int64_t i = 0; i < N; i++) assert_int_equal(got[i], i);

    /* Concurrent middle inserts: nothing lost, the original elements keep their order. */
    pottery_list_free(l);
    l = int_list("race", 0, 5);
    n = run_workers("race", WORK_INSERT, WORKERS, 100, got, sizeof got / sizeof got[0]);
    assert_int_equal(n, WORKERS * 100);
    assert_int_equal(list_len(l), 5 + WORKERS * 100);
    assert_ok(pottery_list_get_slice_values(&vals, &left, l, pottery_slice_all()));
    size_t originals = 0;
    for (size_t i = 0; i < left; i++) {
        if (pottery_value_int(&vals[i]) < 5) {
            assert_value_int(&vals[i], (int64_t)originals);
            originals++;
        }
    }
    assert_int_equal(originals, 5);
    int64_t *inserted = calloc(left, sizeof *inserted);
    assert_non_null(inserted);
    size_t ni = 0;
    for (size_t i = 0; i < left; i++)
        if (pottery_value_int(&vals[i]) >= 5) inserted[ni++] = pottery_value_int(&vals[i]);
    pottery_list_values_free(vals, left);
    qsort(inserted, ni, sizeof inserted[0], cmp_i64);
    qsort(got, n, sizeof got[0], cmp_i64);
    assert_int_equal(ni, n);
    for (size_t i = 0; i < n; i++) assert_int_equal(inserted[i], got[i]);
    free(inserted);

    /* Concurrent removes of the same values: each value is removed exactly once. */
    pottery_list_free(l);
    l = int_list("race", 0, N);
    n = run_workers("race", WORK_REMOVE, WORKERS, N, got, sizeof got / sizeof got[0]);
    assert_int_equal(n, N);
    qsort(got, n, sizeof got[0], cmp_i64);
    for (int64_t i = 0; i < N; i++) assert_int_equal(got[i], i);
    assert_raw("0", raw("EXISTS", "race", NULL));
    pottery_list_free(l);
}

/* ---- bad input ---- */

static void test_null_arguments(void **state)
{
    (void)state;
    pottery_list *l = open_list("nulls");
    pottery_list *none = l;
    pottery_value v = POTTERY_VALUE_INIT;
    int64_t n;
    int in;
    char *text;
    size_t count;
    pottery_value *vals;
    pottery_list_iter *it;
    assert_code(POTTERY_EINVAL, pottery_list_open(NULL, client, "k", NULL));
    assert_code(POTTERY_EINVAL, pottery_list_open(&none, NULL, "k", NULL));
    assert_null(none);
    pottery_list_options bad = POTTERY_LIST_OPTIONS_INIT;
    bad.nitems = 2;
    assert_code(POTTERY_EINVAL, pottery_list_open(&none, client, "k", &bad));
    assert_code(POTTERY_EINVAL, pottery_list_len(NULL, l));
    assert_code(POTTERY_EINVAL, pottery_list_len(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_list_clear(NULL));
    assert_code(POTTERY_EINVAL, pottery_list_get(NULL, l, 0));
    assert_code(POTTERY_EINVAL, pottery_list_get(&v, NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_list_set(NULL, 0, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_list_del(NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_list_append(NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_list_append(l, pottery_str(NULL)));
    assert_code(POTTERY_EINVAL, pottery_list_extend(NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_list_extend(l, NULL, 2));
    assert_code(POTTERY_EINVAL, pottery_list_extend_json(l, NULL));
    assert_code(POTTERY_EINVAL, pottery_list_insert(NULL, 0, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_list_pop(NULL, l));
    assert_code(POTTERY_EINVAL, pottery_list_pop_index(&v, NULL, 3));
    assert_code(POTTERY_EINVAL, pottery_list_remove(NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_list_index(NULL, l, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_list_index_range(&n, NULL, pottery_int(1), 0, 1));
    assert_code(POTTERY_EINVAL, pottery_list_count(NULL, l, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_list_contains(NULL, l, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_list_get_slice(NULL, l, pottery_slice_all()));
    assert_code(POTTERY_EINVAL, pottery_list_get_slice_values(&vals, NULL, l, pottery_slice_all()));
    assert_code(POTTERY_EINVAL, pottery_list_get_slice_values(NULL, &count, l, pottery_slice_all()));
    assert_code(POTTERY_EINVAL, pottery_list_set_slice(NULL, pottery_slice_all(), NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_list_set_slice(l, pottery_slice_all(), NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_list_del_slice(NULL, pottery_slice_all()));
    assert_code(POTTERY_EINVAL, pottery_list_reverse(NULL));
    assert_code(POTTERY_EINVAL, pottery_list_sort(NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_list_to_json(NULL, NULL, l));
    assert_code(POTTERY_EINVAL, pottery_list_repr(&text, NULL));
    assert_code(POTTERY_EINVAL, pottery_list_repr_items(NULL, l));
    assert_code(POTTERY_EINVAL, pottery_list_add(&none, l, NULL));
    assert_code(POTTERY_EINVAL, pottery_list_add(NULL, l, l));
    assert_code(POTTERY_EINVAL, pottery_list_add_json(&none, l, NULL));
    assert_code(POTTERY_EINVAL, pottery_list_equal_from(&in, l, NULL));
    assert_code(POTTERY_EINVAL, pottery_list_equal_json(&in, l, NULL));
    assert_code(POTTERY_EINVAL, pottery_list_iter_new(NULL, l));
    assert_code(POTTERY_EINVAL, pottery_list_iter_new_reversed(&it, NULL));
    assert_code(POTTERY_EINVAL, pottery_list_iter_next(&v, NULL));
    assert_null(pottery_list_key(NULL));
    assert_null(pottery_list_client(NULL));
    pottery_list_iter_free(NULL);
    pottery_list_values_free(NULL, 3);

    /* Unencodable values: POTTERY_ETYPE and nothing sent; contains just says no. */
    uint64_t before = commands();
    assert_code(POTTERY_ETYPE, pottery_list_append(l, pottery_strn("\xc0\xaf", 2)));
    assert_code(POTTERY_ETYPE, pottery_list_insert(l, 0, pottery_json("{not json")));
    assert_code(POTTERY_ETYPE, pottery_list_set(l, 0, pottery_strn("\xed\xa0\x80", 3)));
    assert_code(POTTERY_ETYPE, pottery_list_remove(l, pottery_strn("\xff", 1)));
    assert_code(POTTERY_ETYPE, pottery_list_count(&n, l, pottery_json("[1,,2]")));
    assert_code(POTTERY_ETYPE, pottery_list_index(&n, l, pottery_strn("\xff", 1)));
    in = -1;
    assert_ok(pottery_list_contains(&in, l, pottery_strn("\xff", 1)));
    assert_int_equal(in, 0);
    assert_int_equal(commands(), before);
    assert_raw("0", raw("EXISTS", "nulls", NULL));
    pottery_list_free(l);
}

static void test_foreign_data_is_a_decode_error(void **state)
{
    (void)state;
    free(raw("RPUSH", "foreign", "1", "not json", "\"ok\"", "{'a': 1}", NULL));
    pottery_list *l = open_list("foreign");
    pottery_value v = POTTERY_VALUE_INIT;
    assert_code(POTTERY_EDECODE, pottery_list_get(&v, l, 1));
    assert_value_null(&v);
    assert_ok(pottery_list_get(&v, l, 2));
    assert_value_str(&v, "ok");
    pottery_list_iter *it = NULL;
    assert_ok(pottery_list_iter_new(&it, l));
    assert_iteration(pottery_list_iter_next(&v, it), 2, 2);
    pottery_list_iter_free(it);
    char *text = NULL;
    int eq;
    assert_code(POTTERY_EDECODE, pottery_list_repr(&text, l));
    assert_code(POTTERY_EDECODE, pottery_list_to_json(&text, NULL, l));
    assert_code(POTTERY_EDECODE, pottery_list_get_slice(&v, l, pottery_slice_of(NONE, 2, NONE)));
    assert_code(POTTERY_EDECODE, pottery_list_equal_json(&eq, l, "[1, 2, 3, 4]"));
    assert_value_str(&v, "ok"); /* untouched by the failures */
    /* Searching still works: the foreign bytes just never match. */
    int64_t n = -1;
    assert_ok(pottery_list_index(&n, l, pottery_str("ok")));
    assert_int_equal(n, 2);
    assert_raw("4", raw("LLEN", "foreign", NULL)); /* nothing was lost */
    pottery_value_dispose(&v);
    pottery_list_free(l);
}

/* The elements Redis holds at key, one per line. */
#define assert_elements(expected, key) assert_raw((expected), raw("LRANGE", (key), "0", "-1", NULL))

static void test_pop_of_foreign_data_leaves_it_in_place(void **state)
{
    (void)state;
    free(raw("RPUSH", "f", "1", "abc", NULL));
    pottery_list *l = open_list("f");
    pottery_value v = pottery_int(7); /* must stay untouched by the failures */
    /* From the end: the pop and the put-back, two round trips on this path only. */
    uint64_t before = round_trips();
    assert_code(POTTERY_EDECODE, pottery_list_pop(&v, l));
    assert_int_equal(round_trips() - before, 2);
    assert_message_contains("invalid JSON");
    assert_elements("1\nabc", "f");
    assert_code(POTTERY_EDECODE, pottery_list_pop_index(&v, l, -1));
    assert_elements("1\nabc", "f");
    /* From the front. */
    free(raw("LPUSH", "f", "{'a': 1}", NULL));
    assert_code(POTTERY_EDECODE, pottery_list_pop_index(&v, l, 0));
    assert_elements("{'a': 1}\n1\nabc", "f");
    /* From the middle, by a positive and a negative index: back at the same index. */
    free(raw("RPUSH", "f", "3", NULL));
    before = round_trips();
    assert_code(POTTERY_EDECODE, pottery_list_pop_index(&v, l, 2));
    assert_int_equal(round_trips() - before, 2);
    assert_elements("{'a': 1}\n1\nabc\n3", "f");
    assert_code(POTTERY_EDECODE, pottery_list_pop_index(&v, l, -2));
    assert_elements("{'a': 1}\n1\nabc\n3", "f");
    assert_value_int(&v, 7);
    /* JSON elements still pop in one round trip, next to foreign ones. */
    assert_round_trips(1, pottery_list_pop_index(&v, l, 1));
    assert_value_int(&v, 1);
    assert_round_trips(1, pottery_list_pop(&v, l));
    assert_value_int(&v, 3);
    assert_elements("{'a': 1}\nabc", "f");
    pottery_list_free(l);
}

static void test_pop_says_when_foreign_data_could_not_be_restored(void **state)
{
    (void)state;
    /* Put-backs (RPUSH, LPUSH, LINSERT) are refused, so they fail. */
    pottery_client *c = open_client_denied("denied", "rpush", "lpush", "linsert");
    pottery_list *l = NULL;
    assert_ok(pottery_list_open(&l, c, "f", NULL));
    pottery_value v = POTTERY_VALUE_INIT;
    free(raw("RPUSH", "f", "1", "abc", NULL));
    assert_code(POTTERY_EREDIS, pottery_list_pop(&v, l));
    assert_message_contains("could not be restored");
    assert_message_contains("invalid JSON"); /* and why it was taken off */
    assert_elements("1", "f");
    free(raw("RPUSH", "f", "abc", "3", NULL));
    assert_code(POTTERY_EREDIS, pottery_list_pop_index(&v, l, 1));
    assert_message_contains("could not be restored");
    assert_elements("1\n3", "f");
    assert_value_null(&v);
    /* An insert that fails half-way leaves no placeholder behind. */
    assert_code(POTTERY_EREDIS, pottery_list_insert(l, 1, pottery_int(2)));
    assert_elements("1\n3", "f");
    pottery_list_free(l);
    close_client_denied(c, "denied");
}

static void test_wrong_redis_type(void **state)
{
    (void)state;
    free(raw("SET", "plain", "value", NULL));
    pottery_list *l = open_list("plain");
    pottery_value v = POTTERY_VALUE_INIT;
    int64_t n;
    int in;
    char *text;
    pottery_list *sum = NULL;
    pottery_value two[] = { pottery_int(1), pottery_int(2) };
    assert_wrongtype(pottery_list_len(&n, l));
    assert_wrongtype(pottery_list_get(&v, l, 0));
    assert_wrongtype(pottery_list_set(l, 0, pottery_int(1)));
    assert_wrongtype(pottery_list_del(l, 0));
    assert_wrongtype(pottery_list_append(l, pottery_int(1)));
    assert_wrongtype(pottery_list_extend(l, two, 2));
    assert_wrongtype(pottery_list_insert(l, 1, pottery_int(1)));
    assert_wrongtype(pottery_list_pop(&v, l));
    assert_wrongtype(pottery_list_pop_index(&v, l, 2));
    assert_wrongtype(pottery_list_remove(l, pottery_int(1)));
    assert_wrongtype(pottery_list_index(&n, l, pottery_int(1)));
    assert_wrongtype(pottery_list_count(&n, l, pottery_int(1)));
    assert_wrongtype(pottery_list_contains(&in, l, pottery_int(1)));
    assert_wrongtype(pottery_list_get_slice(&v, l, pottery_slice_all()));
    assert_wrongtype(pottery_list_set_slice(l, pottery_slice_all(), two, 2));
    assert_wrongtype(pottery_list_del_slice(l, pottery_slice_all()));
    assert_wrongtype(pottery_list_reverse(l));
    assert_wrongtype(pottery_list_sort(l, 0));
    assert_wrongtype(pottery_list_repr(&text, l));
    assert_wrongtype(pottery_list_add(&sum, l, l));
    assert_null(sum);
    pottery_list_iter *it = NULL;
    assert_ok(pottery_list_iter_new(&it, l));
    assert_code(POTTERY_EREDIS, pottery_list_iter_next(&v, it));
    pottery_list_iter_free(it);
    assert_raw("value", raw("GET", "plain", NULL));
    pottery_list_free(l);
}

static void test_dropped_connection(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client *c = victim_start(&victim, NULL);
    pottery_list *l = NULL;
    assert_ok(pottery_list_open(&l, c, "k", NULL));
    assert_ok(pottery_list_append(l, pottery_int(1)));
    assert_ok(pottery_list_insert(l, 1, pottery_int(2))); /* loads a script */
    test_redis_kill(&victim);
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_list_get(&v, l, 0);
    assert_conn_lost(rc);
    assert_int_equal(test_redis_restart(&victim), 0);
    /* The next calls reconnect by themselves (scripts are loaded again). */
    assert_ok(pottery_list_append(l, pottery_int(5)));
    assert_ok(pottery_list_insert(l, 0, pottery_int(4)));
    assert_ok(pottery_list_del(l, 0));
    assert_ok(pottery_list_get(&v, l, 0));
    assert_value_int(&v, 5);
    pottery_value_dispose(&v);
    pottery_list_free(l);
    victim_stop(&victim, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_readme_session, fixture_reset),
        cmocka_unit_test_setup(test_layout_matches_pottery, fixture_reset),
        cmocka_unit_test_setup(test_single_element_operations_cost_one_round_trip, fixture_reset),
        cmocka_unit_test_setup(test_extend, fixture_reset),
        cmocka_unit_test_setup(test_get_set_del_by_index, fixture_reset),
        cmocka_unit_test_setup(test_insert_follows_pottery, fixture_reset),
        cmocka_unit_test_setup(test_pop, fixture_reset),
        cmocka_unit_test_setup(test_remove_index_count_contains, fixture_reset),
        cmocka_unit_test_setup(test_search_with_many_spellings, fixture_reset),
        cmocka_unit_test_setup(test_slice_indices_match_python, fixture_reset),
        cmocka_unit_test_setup(test_slice_reads_from_pottery_examples, fixture_reset),
        cmocka_unit_test_setup(test_empty_slices_read_nothing, fixture_reset),
        cmocka_unit_test_setup(test_slices_agree_with_python_everywhere, fixture_reset),
        cmocka_unit_test_setup(test_slices_on_long_lists, fixture_reset),
        cmocka_unit_test_setup(test_slice_assignment_examples, fixture_reset),
        cmocka_unit_test_setup(test_reverse_and_sort, fixture_reset),
        cmocka_unit_test_setup(test_open_and_random_keys, fixture_reset),
        cmocka_unit_test_setup(test_concatenation, fixture_reset),
        cmocka_unit_test_setup(test_equality, fixture_reset),
        cmocka_unit_test_setup(test_iteration, fixture_reset),
        cmocka_unit_test_setup(test_index_operations_are_atomic_across_processes, fixture_reset),
        cmocka_unit_test_setup(test_null_arguments, fixture_reset),
        cmocka_unit_test_setup(test_foreign_data_is_a_decode_error, fixture_reset),
        cmocka_unit_test_setup(test_pop_of_foreign_data_leaves_it_in_place, fixture_reset),
        cmocka_unit_test_setup(test_pop_says_when_foreign_data_could_not_be_restored, fixture_reset),
        cmocka_unit_test_setup(test_wrong_redis_type, fixture_reset),
        cmocka_unit_test_setup(test_dropped_connection, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup_two, fixture_teardown);
}
