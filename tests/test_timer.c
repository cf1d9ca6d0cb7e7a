/* pottery_timer: ContextTimer's states, errors, rounding and the scoped helper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "pottery.h"
#include "support/assert_ok.h"

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
    assert_code(POTTERY_ESTATE, pottery_timer_elapsed(&ms, &t));
    assert_string_equal(pottery_error_last()->message, "timer hasn't yet been started");
    assert_int_equal(ms, -1);
    assert_code(POTTERY_ESTATE, pottery_timer_stop(&t));
    assert_string_equal(pottery_error_last()->message, "timer hasn't yet been started");
}

static void test_start_stop_and_reuse(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    assert_ok(pottery_timer_start(&t));
    assert_code(POTTERY_ESTATE, pottery_timer_start(&t));
    assert_string_equal(pottery_error_last()->message, "timer has already been started");
    assert_ok(pottery_timer_stop(&t));
    assert_code(POTTERY_ESTATE, pottery_timer_stop(&t));
    assert_string_equal(pottery_error_last()->message, "timer has already been stopped");
    assert_code(POTTERY_ESTATE, pottery_timer_start(&t));
    assert_string_equal(pottery_error_last()->message, "timer has already been stopped");
}

static void test_elapsed_runs_then_freezes(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    int64_t ms;
    assert_ok(pottery_timer_start(&t));
    sleep_ms(100);
    assert_ok(pottery_timer_elapsed(&ms, &t));
    assert_true(ms >= 100 && ms < 400);
    assert_ok(pottery_timer_stop(&t));
    int64_t frozen;
    assert_ok(pottery_timer_elapsed(&frozen, &t));
    sleep_ms(100);
    assert_ok(pottery_timer_elapsed(&ms, &t));
    assert_int_equal(ms, frozen);
    assert_true(ms >= 100 && ms < 400);
}

static void test_scope_macro(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    int64_t inside = -1, after = -1;
    int rc = -1, ran = 0;
    POTTERY_TIMER_SCOPE(rc, &t)
    {
        ran++;
        assert_int_equal(rc, 0);
        sleep_ms(100);
        assert_ok(pottery_timer_elapsed(&inside, &t));
    }
    assert_int_equal(rc, 0);
    assert_int_equal(ran, 1);
    sleep_ms(100);
    assert_ok(pottery_timer_elapsed(&after, &t));
    assert_true(inside >= 100 && inside < 400);
    assert_true(after >= 100 && after < 400); /* stopped at the end of the block */
    assert_code(POTTERY_ESTATE, pottery_timer_start(&t));
}

/* A timer that is not fresh: the block does not run (Python raises RuntimeError on entering
 * the with statement), rc says why, and the timer is left as it was. */
static void test_scope_on_a_timer_that_is_not_fresh(void **state)
{
    (void)state;
    int rc = 0, ran = 0;
    int64_t before, now;

    /* Stopped: reusing it is ESTATE, and its frozen time stays frozen. */
    pottery_timer stopped = { 2, 1000, 5001000 };
    POTTERY_TIMER_SCOPE(rc, &stopped)
    {
        ran++;
    }
    assert_int_equal(rc, POTTERY_ESTATE);
    assert_int_equal(pottery_error_last()->code, POTTERY_ESTATE);
    assert_string_equal(pottery_error_last()->message, "timer has already been stopped");
    assert_int_equal(ran, 0);
    assert_ok(pottery_timer_elapsed(&now, &stopped));
    assert_int_equal(now, 5);

    /* Running (started by somebody else): ESTATE, and the scope does not stop it. */
    pottery_timer running = POTTERY_TIMER_INIT;
    assert_ok(pottery_timer_start(&running));
    assert_ok(pottery_timer_elapsed_ns(&before, &running));
    rc = 0;
    POTTERY_TIMER_SCOPE(rc, &running)
    {
        ran++;
    }
    assert_int_equal(rc, POTTERY_ESTATE);
    assert_string_equal(pottery_error_last()->message, "timer has already been started");
    assert_int_equal(ran, 0);
    assert_ok(pottery_timer_stop(&running)); /* still running: the owner stops it */
    assert_ok(pottery_timer_elapsed_ns(&now, &running));
    assert_true(now >= before);

    /* A NULL timer: EINVAL, the block does not run. */
    rc = 0;
    POTTERY_TIMER_SCOPE(rc, (pottery_timer *)NULL)
    {
        ran++;
    }
    assert_int_equal(rc, POTTERY_EINVAL);
    assert_int_equal(ran, 0);

    /* A scope in a loop: the first round times the block, the next ones do not run it. */
    pottery_timer once = POTTERY_TIMER_INIT;
    int outcomes[3];
    for (int i = 0; i < 3; i++) {
        POTTERY_TIMER_SCOPE(outcomes[i], &once)
        {
            ran++;
        }
    }
    assert_int_equal(outcomes[0], 0);
    assert_int_equal(outcomes[1], POTTERY_ESTATE);
    assert_int_equal(outcomes[2], POTTERY_ESTATE);
    assert_int_equal(ran, 1);
}

/* The block stops the timer itself: it ran, and rc reports the stop at its end (Python's
 * __exit__ raises "timer has already been stopped"). break skips the stop. */
static void test_scope_ends(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    int rc = -1, ran = 0;
    POTTERY_TIMER_SCOPE(rc, &t)
    {
        ran++;
        assert_ok(pottery_timer_stop(&t));
    }
    assert_int_equal(ran, 1);
    assert_int_equal(rc, POTTERY_ESTATE);
    assert_string_equal(pottery_error_last()->message, "timer has already been stopped");

    pottery_timer left = POTTERY_TIMER_INIT;
    rc = -1;
    POTTERY_TIMER_SCOPE(rc, &left)
    {
        ran++;
        break;
    }
    assert_int_equal(ran, 2);
    assert_int_equal(rc, 0);
    assert_ok(pottery_timer_stop(&left)); /* the break left it running */
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
        assert_ok(pottery_timer_elapsed(&ms, &t));
        assert_int_equal(ms, cases[i].ms);
        int64_t ns;
        assert_ok(pottery_timer_elapsed_ns(&ns, &t));
        assert_int_equal(ns, cases[i].ns);
    }
}

static void test_null_arguments(void **state)
{
    (void)state;
    pottery_timer t = POTTERY_TIMER_INIT;
    int64_t ms;
    assert_code(POTTERY_EINVAL, pottery_timer_start(NULL));
    assert_code(POTTERY_EINVAL, pottery_timer_stop(NULL));
    assert_code(POTTERY_EINVAL, pottery_timer_elapsed(NULL, &t));
    assert_code(POTTERY_EINVAL, pottery_timer_elapsed(&ms, NULL));
    assert_code(POTTERY_EINVAL, pottery_timer_elapsed_ns(NULL, &t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_started),
        cmocka_unit_test(test_start_stop_and_reuse),
        cmocka_unit_test(test_elapsed_runs_then_freezes),
        cmocka_unit_test(test_scope_macro),
        cmocka_unit_test(test_scope_on_a_timer_that_is_not_fresh),
        cmocka_unit_test(test_scope_ends),
        cmocka_unit_test(test_rounding_half_to_even),
        cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
