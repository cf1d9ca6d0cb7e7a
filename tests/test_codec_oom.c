/*
 * Allocation failures in the codec: with malloc/calloc/realloc wrapped (GNU ld --wrap),
 * fail the 1st, 2nd, ... allocation of each operation in turn. Every run must either
 * succeed with the right result or fail with POTTERY_ENOMEM, and never leak (ASan).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "pottery/errors.h"
#include "pottery/value.h"
#ifdef POTTERY_TEST_CJSON
#include <cjson/cJSON.h>

#include "pottery/cjson.h"
#endif

#define VAL(expr) ((const pottery_value[]){ (expr) })

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static long fail_at = -1; /* fail the allocation with this index (0-based); -1: never */
static long calls;

static int should_fail(void)
{
    return fail_at >= 0 && calls++ == fail_at;
}

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return should_fail() ? NULL : __real_realloc(p, size);
}

typedef int (*operation)(const char *want);

/* Run op failing each allocation in turn until it succeeds without any failure. */
static void exhaust(operation op, const char *want)
{
    long failures = 0;
    for (long k = 0;; k++) {
        fail_at = k;
        calls = 0;
        int rc = op(want);
        int injected = calls > k;
        fail_at = -1;
        if (rc == 0 && !injected) break; /* ran to completion with all allocations served */
        if (rc != 0) {
            assert_int_equal(rc, POTTERY_ENOMEM);
            assert_int_equal(pottery_error_last()->code, POTTERY_ENOMEM);
            failures++;
        }
        assert_true(k < 100000);
    }
    assert_true(failures > 0); /* the injection really reached the library */
}

static const char *TEXT = "{\"z\": [1, 2.5, \"x\\u00e9\", null, true, {\"k\": 18446744073709551616}], "
                          "\"a\": {\"b\": [[], {}], \"a\": \"dup\", \"a\": \"\\ud83d\\ude00\"}, \"m\": -1e400}";
static const char *CANON = "{\"a\": {\"a\": \"\\ud83d\\ude00\", \"b\": [[], {}]}, \"m\": -Infinity, "
                           "\"z\": [1, 2.5, \"x\\u00e9\", null, true, {\"k\": 18446744073709551616}]}";

static int op_encode(const char *want)
{
    char *out = NULL;
    int rc = pottery_value_to_json(&out, NULL, pottery_json(TEXT));
    if (rc == 0) {
        assert_string_equal(out, want);
        pottery_free(out);
    } else {
        assert_null(out);
    }
    return rc;
}

static int op_decode(const char *want)
{
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_value_from_json(&v, TEXT, strlen(TEXT));
    if (rc == 0)
        assert_string_equal(v.u.s.ptr, want); /* JSON text has no accessor: to_json would allocate */
    else
        assert_true(pottery_value_is_null(&v));
    pottery_value_dispose(&v);
    return rc;
}

static int op_decode_string(const char *want)
{
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_value_from_json(&v, "\"abc\\n\"", 7);
    if (rc == 0) assert_string_equal(pottery_value_str(&v, NULL), want);
    pottery_value_dispose(&v);
    return rc;
}

static int op_repr(const char *want)
{
    char *out = NULL;
    int rc = pottery_value_repr(&out, pottery_json(TEXT));
    if (rc == 0) {
        assert_string_equal(out, want);
        pottery_free(out);
    }
    return rc;
}

static int op_equal(const char *want)
{
    int eq = -1;
    int rc = pottery_value_equal(&eq, pottery_json(TEXT), pottery_json(want));
    if (rc == 0) assert_int_equal(eq, 1);
    return rc;
}

static int op_copy(const char *want)
{
    pottery_value src = pottery_str(want), out = POTTERY_VALUE_INIT;
    int rc = pottery_value_copy(&out, &src);
    if (rc == 0) assert_string_equal(pottery_value_str(&out, NULL), want);
    pottery_value_dispose(&out);
    return rc;
}

static int op_normalized(const char *want)
{
    pottery_json_node *n = NULL;
    int rc = pottery__json_parse(&n, TEXT, strlen(TEXT));
    if (rc < 0) return rc;
    pottery_buf b = POTTERY_BUF_INIT;
    rc = pottery__json_write_normalized(&b, n);
    if (rc == 0) assert_string_equal(b.data, want);
    pottery__buf_free(&b);
    pottery__json_free(n);
    return rc;
}

/* TEXT["z"][5]["k"], through the composite accessors. */
static int op_member_at(const char *want)
{
    pottery_value v = POTTERY_VALUE_INIT;
    int64_t n = 0;
    char *json = NULL;
    int rc = pottery_value_member(&v, VAL(pottery_json(TEXT)), "z");
    if (rc == 0) rc = pottery_value_len(&n, &v);
    if (rc == 0) assert_true(n == 6);
    if (rc == 0) rc = pottery_value_at(&v, &v, -1);
    if (rc == 0) rc = pottery_value_member(&v, &v, "k");
    if (rc == 0) rc = pottery_value_to_json(&json, NULL, v);
    if (rc == 0) assert_string_equal(json, want);
    pottery_free(json);
    pottery_value_dispose(&v);
    return rc;
}

/* Every member of TEXT and every element of TEXT["z"], as "key=value;" JSON. */
static int iterate(pottery_buf *b, const pottery_value *v)
{
    pottery_value_iter *it;
    pottery_value key = POTTERY_VALUE_INIT, elem = POTTERY_VALUE_INIT;
    int rc = pottery_value_iter_new(&it, v);
    while (rc == 0 && (rc = pottery_value_iter_next(&key, &elem, it)) == 0) {
        rc = pottery__encode(b, &key);
        if (rc == 0) rc = pottery__buf_putc(b, '=');
        if (rc == 0) rc = pottery__encode(b, &elem);
        if (rc == 0) rc = pottery__buf_putc(b, ';');
    }
    pottery_value_dispose(&key);
    pottery_value_dispose(&elem);
    pottery_value_iter_free(it);
    return rc == POTTERY_EITEROVER ? 0 : rc;
}

static int op_iterate(const char *want)
{
    pottery_buf b = POTTERY_BUF_INIT;
    pottery_value z = POTTERY_VALUE_INIT;
    int rc = iterate(&b, VAL(pottery_json(TEXT)));
    if (rc == 0) rc = pottery_value_member(&z, VAL(pottery_json(TEXT)), "z");
    if (rc == 0) rc = iterate(&b, &z);
    if (rc == 0) assert_string_equal(b.data, want);
    pottery_value_dispose(&z);
    pottery__buf_free(&b);
    return rc;
}

static void test_oom_encode(void **state)
{
    (void)state;
    exhaust(op_encode, CANON);
}

static void test_oom_decode(void **state)
{
    (void)state;
    exhaust(op_decode, CANON);
    exhaust(op_decode_string, "abc\n");
}

static void test_oom_repr(void **state)
{
    (void)state;
    exhaust(op_repr, "{'a': {'a': '\xF0\x9F\x98\x80', 'b': [[], {}]}, 'm': -inf, "
                     "'z': [1, 2.5, 'x\xC3\xA9', None, True, {'k': 18446744073709551616}]}");
}

static void test_oom_equal(void **state)
{
    (void)state;
    exhaust(op_equal, CANON);
}

static void test_oom_copy(void **state)
{
    (void)state;
    exhaust(op_copy, "copied");
}

static void test_oom_normalized(void **state)
{
    (void)state;
    exhaust(op_normalized, "{\"a\": {\"a\": \"\\ud83d\\ude00\", \"b\": [[], {}]}, \"m\": -Infinity, "
                           "\"z\": [1, 2.5, \"x\\u00e9\", null, 1, {\"k\": 18446744073709551616}]}");
}

static void test_oom_composites(void **state)
{
    (void)state;
    exhaust(op_member_at, "18446744073709551616");
    exhaust(op_iterate, "\"a\"={\"a\": \"\\ud83d\\ude00\", \"b\": [[], {}]};\"m\"=-Infinity;"
                        "\"z\"=[1, 2.5, \"x\\u00e9\", null, true, {\"k\": 18446744073709551616}];"
                        "0=1;1=2.5;2=\"x\\u00e9\";3=null;4=true;5={\"k\": 18446744073709551616};");
}

#ifdef POTTERY_TEST_CJSON
/* value -> cJSON -> value, with cJSON's allocations counted and failed like the rest. */
static int op_cjson(const char *want)
{
    cJSON *tree = NULL;
    pottery_value back = POTTERY_VALUE_INIT;
    char *json = NULL;
    int rc = pottery_value_to_cjson(&tree, VAL(pottery_json(want)));
    if (rc != 0) assert_null(tree);
    if (rc == 0) rc = pottery_value_from_cjson(&back, tree);
    if (rc != 0) assert_true(pottery_value_is_null(&back));
    if (rc == 0) rc = pottery_value_to_json(&json, NULL, back);
    if (rc == 0) assert_string_equal(json, want);
    pottery_free(json);
    pottery_value_dispose(&back);
    cJSON_Delete(tree);
    return rc;
}

static void test_oom_cjson(void **state)
{
    (void)state;
    cJSON_Hooks hooks = { __wrap_malloc, free };
    cJSON_InitHooks(&hooks);
    exhaust(op_cjson, "{\"a\": {\"b\": [[], {}], \"\\u00e9\": \"\\ud83d\\ude00\"}, "
                      "\"z\": [1, 2.5, \"x\", null, true, {\"k\": -9007199254740991}]}");
    cJSON_InitHooks(NULL);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oom_encode),     cmocka_unit_test(test_oom_decode), cmocka_unit_test(test_oom_repr),
        cmocka_unit_test(test_oom_equal),      cmocka_unit_test(test_oom_copy),   cmocka_unit_test(test_oom_normalized),
        cmocka_unit_test(test_oom_composites),
#ifdef POTTERY_TEST_CJSON
        cmocka_unit_test(test_oom_cjson),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
