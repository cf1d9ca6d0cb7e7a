/*
 * The cJSON bridge (pottery/cjson.h): round trips, the +-(2^53 - 1) integer limit both
 * ways, NaN and the infinities, raw JSON, nesting, strings cJSON cannot hold, ownership.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "pottery/cjson.h"
#include "codec_assert.h"

#define VAL(expr) ((const pottery_value[]){ (expr) })

/* The canonical JSON of v is want. */
static void assert_json(const pottery_value *v, const char *want)
{
    char *got;
    assert_ok(pottery_value_to_json(&got, NULL, *v));
    assert_string_equal(got, want);
    pottery_free(got);
}

/* item converts to a value whose canonical JSON is want. */
static void assert_from(const cJSON *item, const char *want)
{
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_value_from_cjson(&v, item));
    assert_json(&v, want);
    pottery_value_dispose(&v);
}

/* cJSON's own text for item, compact. */
static void assert_printed(const cJSON *item, const char *want)
{
    char *got = cJSON_PrintUnformatted(item);
    assert_non_null(got);
    assert_string_equal(got, want);
    cJSON_free(got);
}

/* The JSON text json -> value -> cJSON -> value is canonical again. */
static void assert_round_trip(const char *json, const char *canonical)
{
    pottery_value v = POTTERY_VALUE_INIT, back = POTTERY_VALUE_INIT;
    cJSON *tree = NULL;
    assert_ok(pottery_value_from_json(&v, json, strlen(json)));
    assert_ok(pottery_value_to_cjson(&tree, &v));
    pottery_value_dispose(&v); /* the tree owns all it holds */
    assert_ok(pottery_value_from_cjson(&back, tree));
    cJSON_Delete(tree); /* so does the value */
    assert_json(&back, canonical);
    pottery_value_dispose(&back);
}

static void test_round_trips(void **state)
{
    (void)state;
    assert_round_trip("null", "null");
    assert_round_trip("true", "true");
    assert_round_trip("false", "false");
    assert_round_trip("0", "0");
    assert_round_trip("-42", "-42");
    assert_round_trip("0.1", "0.1");
    assert_round_trip("-2.5e-300", "-2.5e-300");
    assert_round_trip("\"jack\"", "\"jack\"");
    assert_round_trip("\"\"", "\"\"");
    assert_round_trip("\"\\u00e9\\ud83d\\ude00\\n\\\"\"", "\"\\u00e9\\ud83d\\ude00\\n\\\"\"");
    assert_round_trip("[]", "[]");
    assert_round_trip("{}", "{}");
    assert_round_trip("{\"z\": [1, 2.5, \"x\", null, true, {\"k\": []}], \"a\": {\"b\": [[], {}]}}",
                      "{\"a\": {\"b\": [[], {}]}, \"z\": [1, 2.5, \"x\", null, true, {\"k\": []}]}");
    /* What cJSON cannot keep: 1.0 comes back as the int 1, -0.0 as 0. */
    assert_round_trip("[1.0, -0.0, 1e15]", "[1, 0, 1000000000000000]");
}

static void test_to_cjson_tree(void **state)
{
    (void)state;
    cJSON *tree = NULL;
    pottery_value v = pottery_json("{\"name\": \"jack\", \"tel\": 4098, \"ok\": true, \"tags\": [\"a\", null]}");
    assert_ok(pottery_value_to_cjson(&tree, &v));
    assert_true(cJSON_IsObject(tree));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(tree, "name")->valuestring, "jack");
    assert_true(cJSON_GetObjectItemCaseSensitive(tree, "tel")->valuedouble == 4098.0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tree, "ok")));
    cJSON *tags = cJSON_GetObjectItemCaseSensitive(tree, "tags");
    assert_int_equal(cJSON_GetArraySize(tags), 2);
    assert_true(cJSON_IsNull(cJSON_GetArrayItem(tags, 1)));
    assert_printed(tree, "{\"name\":\"jack\",\"ok\":true,\"tags\":[\"a\",null],\"tel\":4098}");
    cJSON_Delete(tree);

    /* Scalars, a string that is not NUL-terminated, and JSON text the caller wrote. */
    char bytes[3] = { 'a', 'b', 'c' };
    assert_ok(pottery_value_to_cjson(&tree, VAL(pottery_strn(bytes, 2))));
    assert_string_equal(tree->valuestring, "ab");
    cJSON_Delete(tree);
    assert_ok(pottery_value_to_cjson(&tree, VAL(pottery_json(" 5 "))));
    assert_true(cJSON_IsNumber(tree) && tree->valuedouble == 5.0);
    cJSON_Delete(tree);
    assert_ok(pottery_value_to_cjson(&tree, VAL(pottery_json("\"\\u00e9\""))));
    assert_string_equal(tree->valuestring, "\xC3\xA9");
    cJSON_Delete(tree);
    assert_ok(pottery_value_to_cjson(&tree, VAL(pottery_double(0.1))));
    assert_true(tree->valuedouble == 0.1);
    cJSON_Delete(tree);
}

static void test_from_cjson_tree(void **state)
{
    (void)state;
    /* Built with cJSON: keys out of order and duplicated; the last one counts, as in Python. */
    cJSON *tree = cJSON_CreateObject();
    cJSON_AddNumberToObject(tree, "b", 1);
    cJSON_AddStringToObject(tree, "a", "first");
    cJSON *list = cJSON_AddArrayToObject(tree, "\xC3\xA9");
    cJSON_AddItemToArray(list, cJSON_CreateNumber(0.5));
    cJSON_AddItemToArray(list, cJSON_CreateFalse());
    cJSON_AddStringToObject(tree, "a", "last");
    assert_from(tree, "{\"a\": \"last\", \"b\": 1, \"\\u00e9\": [0.5, false]}");

    /* *out is replaced on success, and kept on failure. */
    pottery_value v = pottery_json("[1]");
    assert_ok(pottery_value_from_cjson(&v, list));
    assert_json(&v, "[0.5, false]");
    cJSON_AddItemToArray(list, cJSON_CreateNumber(NAN));
    assert_code(POTTERY_ERANGE, pottery_value_from_cjson(&v, tree));
    assert_json(&v, "[0.5, false]");
    pottery_value_dispose(&v);
    cJSON_Delete(tree);

    /* Parsed by cJSON. */
    tree = cJSON_Parse("{\"x\": [1, -2, 3.25, \"s\"], \"n\": null}");
    assert_from(tree, "{\"n\": null, \"x\": [1, -2, 3.25, \"s\"]}");
    cJSON_Delete(tree);
}

static void test_integer_limits(void **state)
{
    (void)state;
    cJSON *tree = NULL;

    /* value -> cJSON: |n| <= 2^53 - 1 only. */
    assert_ok(pottery_value_to_cjson(&tree, VAL(pottery_int(9007199254740991))));
    assert_true(tree->valuedouble == 9007199254740991.0);
    cJSON_Delete(tree);
    assert_ok(pottery_value_to_cjson(&tree, VAL(pottery_int(-9007199254740991))));
    assert_true(tree->valuedouble == -9007199254740991.0);
    cJSON_Delete(tree);
    int64_t beyond[] = { 9007199254740992, -9007199254740992, 9007199254740993, INT64_MAX, INT64_MIN };
    for (size_t k = 0; k < sizeof beyond / sizeof beyond[0]; k++) {
        tree = (cJSON *)&tree;
        assert_code(POTTERY_ERANGE, pottery_value_to_cjson(&tree, VAL(pottery_int(beyond[k]))));
        assert_null(tree);
    }
    assert_message_has("pottery_value_to_cjson: integer -9223372036854775808 is beyond +-(2^53 - 1)");
    pottery_value big = POTTERY_VALUE_INIT;
    const char *json = "[1, {\"a\": 18446744073709551616}]";
    assert_ok(pottery_value_from_json(&big, json, strlen(json)));
    assert_code(POTTERY_ERANGE, pottery_value_to_cjson(&tree, &big));
    assert_message_has("integer 18446744073709551616 is beyond +-(2^53 - 1)");
    assert_null(tree);
    pottery_value_dispose(&big);
    assert_code(POTTERY_ERANGE, pottery_value_to_cjson(&tree, VAL(pottery_json("[-9007199254740992]"))));

    /* cJSON -> value: an integral number within +-(2^53 - 1) is an int ... */
    pottery_value v = POTTERY_VALUE_INIT;
    tree = cJSON_CreateNumber(9007199254740991.0);
    assert_ok(pottery_value_from_cjson(&v, tree));
    assert_true(pottery_value_is_int(&v) && pottery_value_int(&v) == 9007199254740991);
    cJSON_Delete(tree);
    tree = cJSON_CreateNumber(-9007199254740991.0);
    assert_ok(pottery_value_from_cjson(&v, tree));
    assert_true(pottery_value_int(&v) == -9007199254740991);
    cJSON_Delete(tree);
    tree = cJSON_CreateNumber(2.5);
    assert_ok(pottery_value_from_cjson(&v, tree));
    assert_true(pottery_value_is_double(&v) && pottery_value_double(&v) == 2.5);
    cJSON_Delete(tree);
    /* ... and beyond it, a number cJSON may have rounded is refused. */
    double refused[] = { 9007199254740992.0, -9007199254740992.0, 1e300, -1e20 };
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        tree = cJSON_CreateNumber(refused[k]);
        assert_code(POTTERY_ERANGE, pottery_value_from_cjson(&v, tree));
        cJSON_Delete(tree);
    }
    assert_message_has("cJSON number -1e+20 is an integer beyond +-(2^53 - 1)");
    tree = cJSON_Parse("[9007199254740993]"); /* cJSON reads it as 2^53 */
    assert_code(POTTERY_ERANGE, pottery_value_from_cjson(&v, tree));
    assert_message_has("9007199254740992");
    cJSON_Delete(tree);
    assert_true(pottery_value_double(&v) == 2.5); /* left as it was */

    /* Raw JSON text carries exact integers through cJSON. */
    tree = cJSON_CreateArray();
    cJSON_AddItemToArray(tree, cJSON_CreateRaw("18446744073709551616"));
    cJSON_AddItemToArray(tree, cJSON_CreateRaw(" {\"b\": 1, \"a\": NaN} "));
    assert_from(tree, "[18446744073709551616, {\"a\": NaN, \"b\": 1}]");
    cJSON_AddItemToArray(tree, cJSON_CreateRaw("[1,"));
    assert_code(POTTERY_ETYPE, pottery_value_from_cjson(&v, tree));
    assert_message_has("pottery_value_from_cjson: raw item is not JSON text: invalid JSON at byte 3");
    cJSON_Delete(tree);
    pottery_value_dispose(&v);
}

static void test_nan_and_infinity(void **state)
{
    (void)state;
    cJSON *tree = NULL;
    double specials[] = { NAN, INFINITY, -INFINITY };
    for (size_t k = 0; k < 3; k++) {
        assert_code(POTTERY_ERANGE, pottery_value_to_cjson(&tree, VAL(pottery_double(specials[k]))));
        assert_message_has("NaN and +-Infinity have no cJSON form");
        assert_null(tree);

        pottery_value v = POTTERY_VALUE_INIT;
        cJSON *item = cJSON_CreateObject();
        cJSON_AddNumberToObject(item, "x", specials[k]);
        assert_code(POTTERY_ERANGE, pottery_value_from_cjson(&v, item));
        assert_message_has("NaN or infinite");
        assert_true(pottery_value_is_null(&v));
        cJSON_Delete(item);
    }
    assert_code(POTTERY_ERANGE, pottery_value_to_cjson(&tree, VAL(pottery_json("{\"a\": [1, NaN]}"))));
    assert_null(tree);
}

static void test_strings_cjson_cannot_hold(void **state)
{
    (void)state;
    cJSON *tree = NULL;
    assert_code(POTTERY_ETYPE, pottery_value_to_cjson(&tree, VAL(pottery_strn("a\0b", 3))));
    assert_message_has("pottery_value_to_cjson: a string with a NUL byte has no cJSON form");
    assert_code(POTTERY_ETYPE, pottery_value_to_cjson(&tree, VAL(pottery_json("[{\"k\\u0000\": 1}]"))));
    assert_message_has("an object key with a NUL byte");
    assert_null(tree);
    assert_code(POTTERY_ETYPE, pottery_value_to_cjson(&tree, VAL(pottery_str("\xFF"))));
    assert_message_has("not valid UTF-8");
    assert_code(POTTERY_ETYPE, pottery_value_to_cjson(&tree, VAL(pottery_json("[1, }"))));
    assert_null(tree);

    pottery_value v = POTTERY_VALUE_INIT;
    cJSON *item = cJSON_CreateString("\xC3");
    assert_code(POTTERY_ETYPE, pottery_value_from_cjson(&v, item));
    assert_message_has("not valid UTF-8");
    cJSON_Delete(item);
    item = cJSON_CreateObject();
    cJSON_AddNullToObject(item, "\xFF");
    assert_code(POTTERY_ETYPE, pottery_value_from_cjson(&v, item));
    cJSON_Delete(item);
    cJSON invalid;
    memset(&invalid, 0, sizeof invalid); /* cJSON_Invalid */
    assert_code(POTTERY_ETYPE, pottery_value_from_cjson(&v, &invalid));
    assert_message_has("a cJSON item of type 0 has no JSON form");
    assert_true(pottery_value_is_null(&v));
}

/* n arrays nested in each other. */
static cJSON *nested(int n)
{
    cJSON *tree = cJSON_CreateArray(), *inner = tree;
    for (int k = 1; k < n; k++) {
        cJSON *a = cJSON_CreateArray();
        cJSON_AddItemToArray(inner, a);
        inner = a;
    }
    return tree;
}

static void test_nesting(void **state)
{
    (void)state;
    pottery_value v = POTTERY_VALUE_INIT;
    cJSON *tree = nested(512), *back = NULL;
    assert_ok(pottery_value_from_cjson(&v, tree));
    cJSON_Delete(tree);
    assert_ok(pottery_value_to_cjson(&back, &v));
    int depth = 0;
    for (cJSON *c = back; c; c = c->child) depth++;
    assert_int_equal(depth, 512);
    cJSON_Delete(back);
    pottery_value_dispose(&v);

    tree = nested(513);
    assert_code(POTTERY_ETYPE, pottery_value_from_cjson(&v, tree));
    assert_message_has("nesting deeper than 512 levels");
    cJSON_Delete(tree);
}

static void test_invalid_arguments(void **state)
{
    (void)state;
    cJSON *tree = (cJSON *)&tree;
    pottery_value v = POTTERY_VALUE_INIT;
    assert_code(POTTERY_EINVAL, pottery_value_to_cjson(&tree, NULL));
    assert_null(tree);
    assert_code(POTTERY_EINVAL, pottery_value_to_cjson(NULL, &v));
    assert_code(POTTERY_EINVAL, pottery_value_to_cjson(&tree, VAL(pottery_str(NULL))));
    assert_code(POTTERY_EINVAL, pottery_value_from_cjson(&v, NULL));
    tree = cJSON_CreateNull();
    assert_code(POTTERY_EINVAL, pottery_value_from_cjson(NULL, tree));
    cJSON_Delete(tree);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),      cmocka_unit_test(test_to_cjson_tree),
        cmocka_unit_test(test_from_cjson_tree),  cmocka_unit_test(test_integer_limits),
        cmocka_unit_test(test_nan_and_infinity), cmocka_unit_test(test_strings_cjson_cannot_hold),
        cmocka_unit_test(test_nesting),          cmocka_unit_test(test_invalid_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
