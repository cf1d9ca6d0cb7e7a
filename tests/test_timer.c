/* pottery_timer: ContextTimer's states, errors, rounding and the scoped helper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "pottery.h"

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void test_not_started(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    int64_t ms = -1;
    assert_int_equal(pottery_timer_elapsed(&ms, &t), POTTERY_ESTATE);
    assert_string_equal(pottery_error_last()->message, "timer hasn't yet been started");
    assert_int_equal(ms, -1);
    assert_int_equal(pottery_timer_stop(&t), POTTERY_ESTATE);
    assert_string_equal(pottery_error_last()->message, "timer hasn't yet been started");
}

static void test_start_stop_and_reuse(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    assert_int_equal(pottery_timer_start(&t), 0);
    assert_int_equal(pottery_timer_start(&t), POTTERY_ESTATE);
    assert_string_equal(pottery_error_last()->message, "timer has already been started");
    assert_int_equal(pottery_timer_stop(&t), 0);
    assert_int_equal(pottery_timer_stop(&t), POTTERY_ESTATE);
    assert_string_equal(pottery_error_last()->message, "timer has already been stopped");
    assert_int_equal(pottery_timer_start(&t), POTTERY_ESTATE);
    assert_string_equal(pottery_error_last()->message, "timer has already been stopped");
}

static void test_elapsed_runs_then_freezes(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    int64_t ms;
    assert_int_equal(pottery_timer_start(&t), 0);
    sleep_ms(100);
    assert_int_equal(pottery_timer_elapsed(&ms, &t), 0);
    assert_true(ms >= 100 && ms < 400);
    assert_int_equal(pottery_timer_stop(&t), 0);
    int64_t frozen;
    assert_int_equal(pottery_timer_elapsed(&frozen, &t), 0);
    sleep_ms(100);
    assert_int_equal(pottery_timer_elapsed(&ms, &t), 0);
    assert_int_equal(ms, frozen);
    assert_true(ms >= 100 && ms < 400);
}

static void test_scope_macro(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    int64_t inside = -1, after = -1;
    POTTERY_TIMER_SCOPE(&t)
    {
        sleep_ms(100);
        assert_int_equal(pottery_timer_elapsed(&inside, &t), 0);
    }
    sleep_ms(100);
    assert_int_equal(pottery_timer_elapsed(&after, &t), 0);
    assert_true(inside >= 100 && inside < 400);
    assert_true(after >= 100 && after < 400); /* stopped at the end of the block */
    assert_int_equal(pottery_timer_start(&t), POTTERY_ESTATE);
}

static void test_rounding_half_to_even(void **state)
{
    (void)state;
    /* Drive the private fields directly: Python's round(1.5) == 2, round(2.5) == 2. */
    static const struct {
        int64_t ns, ms;
    } cases[] = {
        { 1500000, 2 }, { 2500000, 2 }, { 2500001, 3 }, { 1499999, 1 }, { 0, 0 }, { 999999, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pottery_timer t = { 2, 1000, 1000 + cases[i].ns };
        int64_t ms;
        assert_int_equal(pottery_timer_elapsed(&ms, &t), 0);
        assert_int_equal(ms, cases[i].ms);
        int64_t ns;
        assert_int_equal(pottery_timer_elapsed_ns(&ns, &t), 0);
        assert_int_equal(ns, cases[i].ns);
    }
}

static void test_null_arguments(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    int64_t ms;
    assert_int_equal(pottery_timer_start(NULL), POTTERY_EINVAL);
    assert_int_equal(pottery_timer_stop(NULL), POTTERY_EINVAL);
    assert_int_equal(pottery_timer_elapsed(NULL, &t), POTTERY_EINVAL);
    assert_int_equal(pottery_timer_elapsed(&ms, NULL), POTTERY_EINVAL);
    assert_int_equal(pottery_timer_elapsed_ns(NULL, &t), POTTERY_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_started),
        cmocka_unit_test(test_start_stop_and_reuse),
        cmocka_unit_test(test_elapsed_runs_then_freezes),
        cmocka_unit_test(test_scope_macro),
        cmocka_unit_test(test_rounding_half_to_even),
        cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
