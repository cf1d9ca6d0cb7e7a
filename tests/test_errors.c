/* Error codes, pottery_strerror, the thread-local last-error record, the version macros, and
 * the tests' own assert_ok / assert_code. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pottery.h"
#include "support/assert_ok.h"

static void test_every_code_has_its_own_text(void **state)
{
    (void)state;
    const char *seen[32] = { 0 };
    for (int code = POTTERY_OK; code >= POTTERY_ECLUSTER; code--) {
        const char *text = pottery_strerror(code);
        assert_non_null(text);
        assert_true(strlen(text) > 0);
        assert_string_not_equal(text, "unknown error");
        for (int k = 0; k < -code; k++) assert_string_not_equal(text, seen[k]);
        seen[-code] = text;
    }
    assert_string_equal(pottery_strerror(1), "unknown error");
    assert_string_equal(pottery_strerror(-1000), "unknown error");
}

static void test_last_error_and_clear(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    assert_code(POTTERY_ESTATE, pottery_timer_stop(&t));
    const pottery_error *e = pottery_error_last();
    assert_int_equal(e->code, POTTERY_ESTATE);
    assert_string_equal(e->message, "timer hasn't yet been started");
    /* success does not reset it */
    assert_ok(pottery_timer_start(&t));
    assert_int_equal(pottery_error_last()->code, POTTERY_ESTATE);
    pottery_error_clear();
    assert_int_equal(pottery_error_last()->code, 0);
    assert_string_equal(pottery_error_last()->message, "");
}

static void *fail_in_thread(void *arg)
{
    (void)arg;
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_value_from_json(&v, "{", 1);
    return (void *)(intptr_t)(rc == POTTERY_EDECODE && pottery_error_last()->code == POTTERY_EDECODE);
}

static void test_last_error_is_per_thread(void **state)
{
    (void)state;
    pottery_error_clear();
    pthread_t th;
    void *ok = NULL;
    assert_int_equal(pthread_create(&th, NULL, fail_in_thread, NULL), 0);
    assert_int_equal(pthread_join(th, &ok), 0);
    assert_true(ok != NULL);
    assert_int_equal(pottery_error_last()->code, 0); /* the other thread's error is not ours */
}

/* The macros work in #if, as their documentation promises. */
#if !POTTERY_VERSION_AT_LEAST(0, 0, 0) || POTTERY_VERSION_AT_LEAST(POTTERY_VERSION_MAJOR + 1, 0, 0)
#error "POTTERY_VERSION_AT_LEAST is wrong in #if"
#endif
#if POTTERY_VERSION_NUMBER != POTTERY_VERSION_MAJOR * 10000 + POTTERY_VERSION_MINOR * 100 + POTTERY_VERSION_PATCH
#error "POTTERY_VERSION_NUMBER is not MAJOR * 10000 + MINOR * 100 + PATCH"
#endif

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(pottery_version(), POTTERY_VERSION_STRING);
    assert_int_equal(pottery_version_number(), POTTERY_VERSION_NUMBER);

    /* The three numbers spell the string (the build reads the version from the string). */
    char spelled[32];
    snprintf(spelled, sizeof spelled, "%d.%d.%d", POTTERY_VERSION_MAJOR, POTTERY_VERSION_MINOR, POTTERY_VERSION_PATCH);
    assert_string_equal(spelled, POTTERY_VERSION_STRING);

    const int major = POTTERY_VERSION_MAJOR, minor = POTTERY_VERSION_MINOR, patch = POTTERY_VERSION_PATCH;
    assert_true(POTTERY_VERSION_AT_LEAST(major, minor, patch));
    assert_true(POTTERY_VERSION_AT_LEAST(major, 0, 0));
    assert_false(POTTERY_VERSION_AT_LEAST(major, minor, patch + 1));
    assert_false(POTTERY_VERSION_AT_LEAST(major, minor + 1, 0));
    assert_false(POTTERY_VERSION_AT_LEAST(major + 1, 0, 0));
    /* A newer minor outranks any patch of an older one, a newer major any minor. */
    if (minor > 0) assert_true(POTTERY_VERSION_AT_LEAST(major, minor - 1, 99));
    if (major > 0) assert_true(POTTERY_VERSION_AT_LEAST(major - 1, 99, 99));
}

static void test_code_names(void **state)
{
    (void)state;
    for (int code = POTTERY_OK; code >= POTTERY_ECLUSTER; code--) {
        const char *name = pottery_test_code_name(code);
        assert_true(strncmp(name, "POTTERY_", 8) == 0);
        for (int other = POTTERY_OK; other > code; other--)
            assert_string_not_equal(name, pottery_test_code_name(other));
    }
    assert_string_equal(pottery_test_code_name(POTTERY_EPROTOCOL), "POTTERY_EPROTOCOL");
    assert_string_equal(pottery_test_code_name(POTTERY_ECANCELED), "POTTERY_ECANCELED");
    assert_string_equal(pottery_test_code_name(POTTERY_ECLUSTER), "POTTERY_ECLUSTER");
    assert_string_equal(pottery_test_code_name(POTTERY_ECLUSTER - 1), "an unknown code");
}

/* A failing assert_ok would end the test, so only the passing cases can run here; the
 * report of a failure is what pottery_test_assert_code_at prints. */
static void test_assert_ok_and_assert_code(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    assert_code(POTTERY_ESTATE, pottery_timer_stop(&t));
    assert_ok(pottery_timer_start(&t));
    assert_code(0, pottery_timer_stop(&t));
    int calls = 0;
    assert_ok((calls++, 0)); /* the call is evaluated once */
    assert_int_equal(calls, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_its_own_text),
        cmocka_unit_test(test_last_error_and_clear),
        cmocka_unit_test(test_last_error_is_per_thread),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_code_names),
        cmocka_unit_test(test_assert_ok_and_assert_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
