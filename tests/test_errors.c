/* Error codes, pottery_strerror and the thread-local last-error record. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "pottery.h"

static void test_every_code_has_its_own_text(void **state)
{
    (void)state;
    const char *seen[32] = { 0 };
    for (int code = POTTERY_OK; code >= POTTERY_EPROTOCOL; code--) {
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
    assert_int_equal(pottery_timer_stop(&t), POTTERY_ESTATE);
    const pottery_error *e = pottery_error_last();
    assert_int_equal(e->code, POTTERY_ESTATE);
    assert_string_equal(e->message, "timer hasn't yet been started");
    /* success does not reset it */
    assert_int_equal(pottery_timer_start(&t), 0);
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

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(pottery_version(), POTTERY_VERSION_STRING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_its_own_text),
        cmocka_unit_test(test_last_error_and_clear),
        cmocka_unit_test(test_last_error_is_per_thread),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
