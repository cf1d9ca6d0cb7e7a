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
        assert_string_equal(v.u.s.ptr, want);
    else
        assert_int_equal(v.type, POTTERY_TYPE_NULL);
    pottery_value_dispose(&v);
    return rc;
}

static int op_decode_string(const char *want)
{
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_value_from_json(&v, "\"abc\\n\"", 7);
    if (rc == 0) assert_string_equal(v.u.s.ptr, want);
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
    if (rc == 0) assert_string_equal(out.u.s.ptr, want);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oom_encode), cmocka_unit_test(test_oom_decode), cmocka_unit_test(test_oom_repr),
        cmocka_unit_test(test_oom_equal),  cmocka_unit_test(test_oom_copy),   cmocka_unit_test(test_oom_normalized),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
