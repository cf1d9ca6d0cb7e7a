/*
 * Value accessors: type tests, checked and unchecked scalar getters, NUL-terminated
 * strings, and the read-only access to arrays and objects (len, at, member, iteration).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pottery/value.h"
#include "codec_assert.h"

/* A pointer to a temporary value: VAL(pottery_int(1)). */
#define VAL(expr) ((const pottery_value[]){ (expr) })

/* An owned value decoded from JSON text (the way values come back from Redis). */
static pottery_value decoded(const char *json)
{
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_value_from_json(&v, json, strlen(json)));
    return v;
}

/* v's canonical JSON is want. */
static void assert_json(const pottery_value *v, const char *want)
{
    char *got;
    assert_ok(pottery_value_to_json(&got, NULL, *v));
    assert_string_equal(got, want);
    pottery_free(got);
}

/* ---- type tests ---- */

static void test_type_tests(void **state)
{
    (void)state;
    struct {
        pottery_value v;
        pottery_type type;
        int null, b, i, d, s, array, object;
    } cases[] = {
        { pottery_null(), POTTERY_TYPE_NULL, 1, 0, 0, 0, 0, 0, 0 },
        { pottery_bool(7), POTTERY_TYPE_BOOL, 0, 1, 0, 0, 0, 0, 0 },
        { pottery_int(-3), POTTERY_TYPE_INT, 0, 0, 1, 0, 0, 0, 0 },
        { pottery_double(0.5), POTTERY_TYPE_DOUBLE, 0, 0, 0, 1, 0, 0, 0 },
        { pottery_str("[1]"), POTTERY_TYPE_STRING, 0, 0, 0, 0, 1, 0, 0 },
        { pottery_json(" \n[1]"), POTTERY_TYPE_JSON, 0, 0, 0, 0, 0, 1, 0 },
        { pottery_json("\t{\"a\": 1}"), POTTERY_TYPE_JSON, 0, 0, 0, 0, 0, 0, 1 },
        { pottery_json("18446744073709551616"), POTTERY_TYPE_JSON, 0, 0, 0, 0, 0, 0, 0 },
        { pottery_json(""), POTTERY_TYPE_JSON, 0, 0, 0, 0, 0, 0, 0 },
        { pottery_json(NULL), POTTERY_TYPE_JSON, 0, 0, 0, 0, 0, 0, 0 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const pottery_value *v = &cases[k].v;
        assert_int_equal(pottery_value_type(v), cases[k].type);
        assert_int_equal(pottery_value_is_null(v), cases[k].null);
        assert_int_equal(pottery_value_is_bool(v), cases[k].b);
        assert_int_equal(pottery_value_is_int(v), cases[k].i);
        assert_int_equal(pottery_value_is_double(v), cases[k].d);
        assert_int_equal(pottery_value_is_string(v), cases[k].s);
        assert_int_equal(pottery_value_is_array(v), cases[k].array);
        assert_int_equal(pottery_value_is_object(v), cases[k].object);
    }
    /* A NULL pointer reads as JSON null. */
    assert_int_equal(pottery_value_type(NULL), POTTERY_TYPE_NULL);
    assert_true(pottery_value_is_null(NULL));
    assert_false(pottery_value_is_int(NULL) || pottery_value_is_array(NULL) || pottery_value_is_object(NULL));

    /* Decoded values are normalized: scalars get their own type, whatever their spelling. */
    pottery_value v = decoded(" -0 ");
    assert_true(pottery_value_is_int(&v));
    pottery_value_dispose(&v);
    v = decoded("1e2");
    assert_true(pottery_value_is_double(&v));
    pottery_value_dispose(&v);
    v = decoded("-9223372036854775809"); /* beyond int64: kept as exact text */
    assert_int_equal(pottery_value_type(&v), POTTERY_TYPE_JSON);
    assert_false(pottery_value_is_int(&v) || pottery_value_is_array(&v) || pottery_value_is_object(&v));
    pottery_value_dispose(&v);
}

/* ---- scalar getters ---- */

static void test_get_matching_types(void **state)
{
    (void)state;
    int b = -1;
    int64_t i = -1;
    double d = -1;
    const char *s = NULL;
    size_t len = 99;

    assert_ok(pottery_value_get_bool(&b, VAL(pottery_bool(5))));
    assert_int_equal(b, 1);
    assert_ok(pottery_value_get_bool(&b, VAL(pottery_bool(0))));
    assert_int_equal(b, 0);
    assert_ok(pottery_value_get_int(&i, VAL(pottery_int(INT64_MIN))));
    assert_true(i == INT64_MIN);
    assert_ok(pottery_value_get_double(&d, VAL(pottery_double(-2.5))));
    assert_true(d == -2.5);
    assert_ok(pottery_value_get_str(&s, &len, VAL(pottery_strn("a\0b", 3))));
    assert_int_equal(len, 3);
    assert_memory_equal(s, "a\0b", 3);
    assert_ok(pottery_value_get_str(&s, NULL, VAL(pottery_str("x")))); /* len may be NULL */
    assert_string_equal(s, "x");

    pottery_value v = decoded("[true, 7, 0.25, \"\\u00e9\", NaN, -Infinity]");
    pottery_value e = POTTERY_VALUE_INIT;
    assert_ok(pottery_value_at(&e, &v, 0));
    assert_int_equal(pottery_value_bool(&e), 1);
    assert_ok(pottery_value_at(&e, &v, 1));
    assert_true(pottery_value_int(&e) == 7);
    assert_true(pottery_value_double(&e) == 7.0); /* an int is a number */
    assert_ok(pottery_value_at(&e, &v, 2));
    assert_true(pottery_value_double(&e) == 0.25);
    assert_ok(pottery_value_at(&e, &v, 3));
    assert_string_equal(pottery_value_str(&e, &len), "\xC3\xA9");
    assert_int_equal(len, 2);
    assert_ok(pottery_value_at(&e, &v, 4));
    assert_ok(pottery_value_get_double(&d, &e));
    assert_true(isnan(d));
    assert_ok(pottery_value_at(&e, &v, 5));
    assert_true(isinf(pottery_value_double(&e)) && pottery_value_double(&e) < 0);
    pottery_value_dispose(&e);
    pottery_value_dispose(&v);
}

static void test_get_wrong_type(void **state)
{
    (void)state;
    int b = 42;
    int64_t i = 42;
    double d = 42;
    const char *s = "untouched";

    assert_code(POTTERY_ETYPE, pottery_value_get_int(&i, VAL(pottery_str("12"))));
    assert_message_has("pottery_value_get_int: value is a str, not an int");
    assert_code(POTTERY_ETYPE, pottery_value_get_int(&i, VAL(pottery_double(2.0))));
    assert_message_has("value is a float, not an int");
    assert_code(POTTERY_ETYPE, pottery_value_get_int(&i, VAL(pottery_bool(1))));
    assert_message_has("value is a bool, not an int");
    assert_code(POTTERY_ETYPE, pottery_value_get_int(&i, VAL(pottery_json("[1]"))));
    assert_message_has("value is a list, not an int");
    assert_true(i == 42); /* *out untouched on failure */

    assert_code(POTTERY_ETYPE, pottery_value_get_bool(&b, VAL(pottery_int(1))));
    assert_message_has("pottery_value_get_bool: value is an int, not a bool");
    assert_code(POTTERY_ETYPE, pottery_value_get_bool(&b, VAL(pottery_null())));
    assert_message_has("value is None, not a bool");
    assert_int_equal(b, 42);

    assert_code(POTTERY_ETYPE, pottery_value_get_double(&d, VAL(pottery_str("1.5"))));
    assert_message_has("pottery_value_get_double: value is a str, not a number");
    assert_code(POTTERY_ETYPE, pottery_value_get_double(&d, VAL(pottery_json("{}"))));
    assert_message_has("value is a dict, not a number");
    assert_true(d == 42);

    assert_code(POTTERY_ETYPE, pottery_value_get_str(&s, NULL, VAL(pottery_json("\"x\""))));
    assert_message_has("pottery_value_get_str: value is JSON text, not a str");
    assert_code(POTTERY_EINVAL, pottery_value_get_str(&s, NULL, VAL(pottery_str(NULL))));
    assert_message_has("NULL pointer");
    assert_string_equal(s, "untouched");

    assert_code(POTTERY_EINVAL, pottery_value_get_int(NULL, VAL(pottery_int(1))));
    assert_code(POTTERY_EINVAL, pottery_value_get_int(&i, NULL));

    /* The unchecked getters answer 0 / NULL and leave the last error alone. */
    pottery_error_set(POTTERY_EREDIS, "sentinel");
    size_t len = 99;
    assert_int_equal(pottery_value_bool(VAL(pottery_int(1))), 0);
    assert_true(pottery_value_int(VAL(pottery_double(3.0))) == 0);
    assert_true(pottery_value_double(VAL(pottery_str("3"))) == 0.0);
    assert_null(pottery_value_str(VAL(pottery_int(3)), &len));
    assert_int_equal(len, 0);
    assert_null(pottery_value_str(VAL(pottery_str(NULL)), NULL));
    assert_true(pottery_value_int(NULL) == 0);
    assert_null(pottery_value_str(NULL, NULL));
    assert_int_equal(pottery_error_last()->code, POTTERY_EREDIS);
    assert_string_equal(pottery_error_last()->message, "sentinel");
}

static void test_get_number_range(void **state)
{
    (void)state;
    int64_t i = 0;
    double d = 0;

    /* Integers beyond int64 are JSON text: ERANGE, with the digits in the message. */
    pottery_value big = decoded("18446744073709551616");
    assert_code(POTTERY_ERANGE, pottery_value_get_int(&i, &big));
    assert_message_has("pottery_value_get_int: integer 18446744073709551616 does not fit in int64_t");
    assert_true(pottery_value_int(&big) == 0);
    /* ... but 2^64 is exactly a double, and 2^64 + 1 is not. */
    assert_ok(pottery_value_get_double(&d, &big));
    assert_true(d == 18446744073709551616.0);
    pottery_value_dispose(&big);
    big = decoded("-18446744073709551617");
    assert_code(POTTERY_ERANGE, pottery_value_get_double(&d, &big));
    assert_message_has("integer -18446744073709551617 does not fit a double exactly");
    pottery_value_dispose(&big);
    char huge[501];
    memset(huge, '9', 500);
    huge[500] = '\0';
    big = decoded(huge);
    assert_code(POTTERY_ERANGE, pottery_value_get_double(&d, &big));
    assert_message_has("99999...");
    pottery_value_dispose(&big);

    /* JSON text holding an integer is read whether or not it fits. */
    assert_ok(pottery_value_get_int(&i, VAL(pottery_json(" 9223372036854775807\n"))));
    assert_true(i == INT64_MAX);
    assert_code(POTTERY_ERANGE, pottery_value_get_int(&i, VAL(pottery_json("9223372036854775808"))));
    assert_code(POTTERY_ETYPE, pottery_value_get_int(&i, VAL(pottery_json("12.0"))));
    assert_code(POTTERY_ETYPE, pottery_value_get_int(&i, VAL(pottery_json("012"))));

    /* An int converts to double only when exact. */
    assert_ok(pottery_value_get_double(&d, VAL(pottery_int(9007199254740992))));
    assert_true(d == 9007199254740992.0);
    assert_code(POTTERY_ERANGE, pottery_value_get_double(&d, VAL(pottery_int(9007199254740993))));
    assert_message_has("integer 9007199254740993 does not fit a double exactly");
    assert_code(POTTERY_ERANGE, pottery_value_get_double(&d, VAL(pottery_int(INT64_MAX))));
    assert_ok(pottery_value_get_double(&d, VAL(pottery_int(INT64_MIN))));
    assert_true(d == -9223372036854775808.0);
    assert_true(pottery_value_double(VAL(pottery_int(9007199254740993))) == 0.0);
}

/* ---- strings: where the NUL terminator is promised ---- */

static void assert_terminated(const pottery_value *v, const char *want, size_t want_len)
{
    size_t len;
    const char *s = pottery_value_str(v, &len);
    assert_non_null(s);
    assert_int_equal(len, want_len);
    assert_memory_equal(s, want, want_len);
    assert_int_equal(s[len], '\0');
}

static void test_strings_nul_terminated(void **state)
{
    (void)state;
    assert_terminated(VAL(pottery_str("jack")), "jack", 4);

    pottery_value v = decoded("\"a\\u0000b\"");
    assert_terminated(&v, "a\0b", 3);
    pottery_value_dispose(&v);
    v = decoded("\"\"");
    assert_terminated(&v, "", 0);
    pottery_value_dispose(&v);

    /* A pottery_strn() value is the caller's bytes as given; its copy is terminated. */
    char unterminated[4] = { 'a', 'b', 'c', 'd' };
    pottery_value borrowed = pottery_strn(unterminated, 3);
    size_t len;
    assert_ptr_equal(pottery_value_str(&borrowed, &len), unterminated);
    assert_int_equal(len, 3);
    pottery_value copy = POTTERY_VALUE_INIT;
    assert_ok(pottery_value_copy(&copy, &borrowed));
    assert_ptr_not_equal(pottery_value_str(&copy, NULL), unterminated);
    assert_terminated(&copy, "abc", 3);
    pottery_value_dispose(&copy);

    /* Elements and keys read from composites. */
    v = decoded("{\"k\\u0000\": [\"x\\ud83d\\ude00\"]}");
    pottery_value key = POTTERY_VALUE_INIT, elem = POTTERY_VALUE_INIT;
    pottery_value_iter *it;
    assert_ok(pottery_value_iter_new(&it, &v));
    assert_ok(pottery_value_iter_next(&key, &elem, it));
    assert_terminated(&key, "k\0", 2);
    assert_ok(pottery_value_at(&elem, &elem, 0));
    assert_terminated(&elem, "x\xF0\x9F\x98\x80", 5);
    pottery_value_iter_free(it);
    pottery_value_dispose(&key);
    pottery_value_dispose(&elem);
    pottery_value_dispose(&v);
}

/* ---- arrays and objects ---- */

static void test_len(void **state)
{
    (void)state;
    int64_t n = -1;
    assert_ok(pottery_value_len(&n, VAL(pottery_json("[]"))));
    assert_true(n == 0);
    assert_ok(pottery_value_len(&n, VAL(pottery_json("[1, [2, 3], {\"a\": 4}]"))));
    assert_true(n == 3);
    assert_ok(pottery_value_len(&n, VAL(pottery_json("{\"a\": 1, \"b\": 2, \"a\": 3}"))));
    assert_true(n == 2); /* duplicate keys collapse, as in a Python dict */

    n = -1;
    assert_code(POTTERY_ETYPE, pottery_value_len(&n, VAL(pottery_str("abc"))));
    assert_message_has("pottery_value_len: value is a str, not a list or dict");
    assert_code(POTTERY_ETYPE, pottery_value_len(&n, VAL(pottery_json("5"))));
    assert_message_has("value is an int, not a list or dict");
    assert_code(POTTERY_ETYPE, pottery_value_len(&n, VAL(pottery_json("[1, 2"))));
    assert_message_has("not valid JSON text");
    assert_true(n == -1);
    assert_code(POTTERY_EINVAL, pottery_value_len(NULL, VAL(pottery_json("[]"))));
}

static void test_at(void **state)
{
    (void)state;
    pottery_value v = decoded("[1, [2, {\"b\": 1, \"a\": [true]}], 18446744073709551616, null]");
    pottery_value e = POTTERY_VALUE_INIT;

    assert_ok(pottery_value_at(&e, &v, 0));
    assert_true(pottery_value_is_int(&e) && pottery_value_int(&e) == 1);
    assert_ok(pottery_value_at(&e, &v, -1));
    assert_true(pottery_value_is_null(&e));
    assert_ok(pottery_value_at(&e, &v, -4));
    assert_true(pottery_value_int(&e) == 1);

    /* A nested composite comes back as its canonical text, and can be read in turn. */
    assert_ok(pottery_value_at(&e, &v, 1));
    assert_true(pottery_value_is_array(&e));
    assert_json(&e, "[2, {\"a\": [true], \"b\": 1}]");
    assert_ok(pottery_value_at(&e, &e, 1)); /* out may be the composite itself */
    assert_true(pottery_value_is_object(&e));
    assert_ok(pottery_value_member(&e, &e, "a"));
    assert_ok(pottery_value_at(&e, &e, 0));
    assert_true(pottery_value_bool(&e));

    /* An integer beyond int64 stays exact. */
    int64_t i;
    assert_ok(pottery_value_at(&e, &v, 2));
    assert_int_equal(pottery_value_type(&e), POTTERY_TYPE_JSON);
    assert_code(POTTERY_ERANGE, pottery_value_get_int(&i, &e));
    assert_json(&e, "18446744073709551616");

    /* Out of range: IndexError, and *out is left as it was. */
    assert_code(POTTERY_EINDEX, pottery_value_at(&e, &v, 4));
    assert_message_has("pottery_value_at: list index 4 out of range (length 4)");
    assert_code(POTTERY_EINDEX, pottery_value_at(&e, &v, -5));
    assert_message_has("list index -5 out of range");
    assert_code(POTTERY_EINDEX, pottery_value_at(&e, &v, INT64_MIN));
    assert_code(POTTERY_EINDEX, pottery_value_at(&e, &v, INT64_MAX));
    assert_code(POTTERY_EINDEX, pottery_value_at(&v, &v, 9));
    assert_json(&v, "[1, [2, {\"a\": [true], \"b\": 1}], 18446744073709551616, null]");
    assert_json(&e, "18446744073709551616");

    assert_code(POTTERY_EINDEX, pottery_value_at(&e, VAL(pottery_json("[]")), 0));
    assert_code(POTTERY_EINDEX, pottery_value_at(&e, VAL(pottery_json("[]")), -1));
    assert_code(POTTERY_ETYPE, pottery_value_at(&e, VAL(pottery_json("{\"a\": 1}")), 0));
    assert_message_has("pottery_value_at: value is a dict, not a list");
    assert_code(POTTERY_ETYPE, pottery_value_at(&e, VAL(pottery_int(1)), 0));
    assert_message_has("value is an int, not a list");

    /* NaN and the infinities are doubles inside composites too. */
    assert_ok(pottery_value_at(&e, VAL(pottery_json("[NaN, Infinity]")), 0));
    assert_true(pottery_value_is_double(&e) && isnan(pottery_value_double(&e)));
    pottery_value_dispose(&e);
    pottery_value_dispose(&v);
}

static void test_member(void **state)
{
    (void)state;
    /* A caller's text: unsorted, with a duplicate key (the last one counts, as in Python). */
    pottery_value v = pottery_json("{\"b\": [1, 2], \"a\\u0000z\": 1, \"a\": \"first\", \"\": 0, \"a\": \"last\"}");
    pottery_value m = POTTERY_VALUE_INIT;

    assert_ok(pottery_value_member(&m, &v, "a"));
    assert_string_equal(pottery_value_str(&m, NULL), "last");
    assert_ok(pottery_value_member(&m, &v, "b"));
    assert_json(&m, "[1, 2]");
    assert_ok(pottery_value_member(&m, &v, ""));
    assert_true(pottery_value_int(&m) == 0);
    assert_ok(pottery_value_membern(&m, &v, "a\0z", 3));
    assert_true(pottery_value_int(&m) == 1);

    assert_code(POTTERY_ENOTFOUND, pottery_value_member(&m, &v, "c"));
    assert_message_has("key 'c' not found (KeyError)");
    assert_code(POTTERY_ENOTFOUND, pottery_value_membern(&m, &v, "a\0", 2));
    assert_code(POTTERY_ENOTFOUND, pottery_value_member(&m, &v, "aa"));
    assert_true(pottery_value_int(&m) == 1); /* left as it was */

    assert_code(POTTERY_ETYPE, pottery_value_member(&m, VAL(pottery_json("[1]")), "a"));
    assert_message_has("value is a list, not a dict");
    assert_code(POTTERY_ETYPE, pottery_value_member(&m, VAL(pottery_str("{}")), "a"));
    assert_message_has("value is a str, not a dict");
    assert_code(POTTERY_EINVAL, pottery_value_member(&m, &v, NULL));
    pottery_value_dispose(&m);

    /* Many keys: the lookup finds every one (binary search over the sorted members). */
    char text[4096] = "{";
    for (int k = 99; k >= 0; k--)
        snprintf(text + strlen(text), sizeof text - strlen(text), "\"k%d\": %d%s", k, k, k ? ", " : "}");
    v = decoded(text);
    for (int k = 0; k < 100; k++) {
        char key[8];
        snprintf(key, sizeof key, "k%d", k);
        assert_ok(pottery_value_member(&m, &v, key));
        assert_true(pottery_value_int(&m) == k);
    }
    pottery_value_dispose(&m);
    pottery_value_dispose(&v);
}

static void test_iterate(void **state)
{
    (void)state;
    pottery_value key = POTTERY_VALUE_INIT, elem = POTTERY_VALUE_INIT;
    pottery_value_iter *it;

    /* An object: members in sorted key order; the iterator outlives the value. */
    pottery_value v = decoded("{\"b\": [1], \"\\u00e9\": null, \"a\": {\"y\": 1, \"x\": 2}}");
    assert_ok(pottery_value_iter_new(&it, &v));
    pottery_value_dispose(&v);
    const char *keys[] = { "a", "b", "\xC3\xA9" };
    const char *values[] = { "{\"x\": 2, \"y\": 1}", "[1]", "null" };
    for (int k = 0; k < 3; k++) {
        assert_ok(pottery_value_iter_next(&key, &elem, it));
        assert_string_equal(pottery_value_str(&key, NULL), keys[k]);
        assert_json(&elem, values[k]);
    }
    assert_code(POTTERY_EITEROVER, pottery_value_iter_next(&key, &elem, it));
    assert_code(POTTERY_EITEROVER, pottery_value_iter_next(&key, &elem, it));
    assert_string_equal(pottery_value_str(&key, NULL), "\xC3\xA9"); /* left as it was */
    pottery_value_iter_free(it);

    /* An array: the key is the index; either out-pointer may be NULL. */
    v = pottery_json("[\"x\", 2.5, [3]]");
    assert_ok(pottery_value_iter_new(&it, &v));
    assert_ok(pottery_value_iter_next(&key, NULL, it));
    assert_true(pottery_value_is_int(&key) && pottery_value_int(&key) == 0);
    assert_ok(pottery_value_iter_next(NULL, &elem, it));
    assert_true(pottery_value_double(&elem) == 2.5);
    assert_ok(pottery_value_iter_next(&key, &elem, it));
    assert_true(pottery_value_int(&key) == 2);
    assert_json(&elem, "[3]");
    assert_code(POTTERY_EITEROVER, pottery_value_iter_next(NULL, NULL, it));
    pottery_value_iter_free(it);

    assert_ok(pottery_value_iter_new(&it, VAL(pottery_json("{}"))));
    assert_code(POTTERY_EITEROVER, pottery_value_iter_next(&key, &elem, it));
    pottery_value_iter_free(it);

    it = (pottery_value_iter *)&v; /* *out is NULL on failure */
    assert_code(POTTERY_ETYPE, pottery_value_iter_new(&it, VAL(pottery_str("[1]"))));
    assert_null(it);
    assert_code(POTTERY_ETYPE, pottery_value_iter_new(&it, VAL(pottery_json("{\"a\" 1}"))));
    assert_null(it);
    assert_code(POTTERY_EINVAL, pottery_value_iter_next(&key, &elem, NULL));
    pottery_value_iter_free(NULL);
    pottery_value_dispose(&key);
    pottery_value_dispose(&elem);
}

/* ---- pottery_error_set, which the checks above and the cJSON bridge rely on ---- */

static void test_error_set(void **state)
{
    (void)state;
    char text[] = "bridge failed";
    assert_code(POTTERY_ERANGE, pottery_error_set(POTTERY_ERANGE, text));
    text[0] = 'X'; /* copied */
    assert_int_equal(pottery_error_last()->code, POTTERY_ERANGE);
    assert_string_equal(pottery_error_last()->message, "bridge failed");
    /* The current message passed back in (overlapping buffers) keeps its text. */
    assert_code(POTTERY_ETYPE, pottery_error_set(POTTERY_ETYPE, pottery_error_last()->message));
    assert_string_equal(pottery_error_last()->message, "bridge failed");
    pottery_error_set(POTTERY_EINVAL, NULL);
    assert_string_equal(pottery_error_last()->message, "");
    char long_text[700];
    memset(long_text, 'm', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    pottery_error_set(POTTERY_EINVAL, long_text);
    assert_int_equal(strlen(pottery_error_last()->message), 511);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_tests),
        cmocka_unit_test(test_get_matching_types),
        cmocka_unit_test(test_get_wrong_type),
        cmocka_unit_test(test_get_number_range),
        cmocka_unit_test(test_strings_nul_terminated),
        cmocka_unit_test(test_len),
        cmocka_unit_test(test_at),
        cmocka_unit_test(test_member),
        cmocka_unit_test(test_iterate),
        cmocka_unit_test(test_error_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
