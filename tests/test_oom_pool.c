/*
 * Allocation failure in pottery_pool, pottery_watchdog (with pottery_redlock_watch and
 * _unwatch) and pottery_timer: every public operation, failing each of its library
 * allocations in turn (tests/support/oom.h says what each attempt must satisfy).
 *
 * What is covered: allocations are failed on the calling thread only (src/core/alloc.h). A
 * pool's work all runs on its callers' threads, so every pool row is complete: the open, a
 * call through the pool's client that opens its first member, one that reuses it, the free.
 * A watchdog's renewals run on its own thread, whose allocations are never failed here: the
 * rows cover what runs on the caller's thread (pottery_watchdog_new, which also starts the
 * thread, pottery_redlock_watch and _unwatch, pottery_watchdog_free); a watch that succeeded
 * is checked to renew the lock, one that failed to leave it held and not marked lost.
 *
 * Not run under failure, as they cannot allocate: pottery_pool_client and
 * pottery_pool_stats_get, pottery_watchdog_stats_get (read counters); the four
 * pottery_timer functions are run (they allocate nothing: 0 allocations each).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "support/oom.h"

typedef struct ctx {
    pottery_pool *pool;
    pottery_dict *dict;
    pottery_watchdog *wd;
    pottery_redlock *lock;
    pottery_timer timer;
    pottery_value got;
    int64_t ms;
    int acquired;
} ctx;

static void teardown(void *arg)
{
    ctx *c = arg;
    pottery_value_dispose(&c->got);
    pottery_dict_free(c->dict);
    pottery_pool_free(c->pool);
    pottery_redlock_free(c->lock);
    pottery_watchdog_free(c->wd);
    memset(c, 0, sizeof *c);
}

static int fresh(void *arg)
{
    teardown(arg);
    free(raw("FLUSHALL", NULL));
    return 0;
}

/* ---- pottery_pool ---- */

static int pool_open(ctx *c)
{
    pottery_pool_options opts;
    pottery_pool_options_init(&opts);
    opts.size = 2;
    return pottery_pool_open(&c->pool, fixture_url(), &opts);
}

/* A pool whose members are not open yet, and a dict handle on its client. */
static int pool_ready(void *arg)
{
    ctx *c = arg;
    fresh(arg);
    free(raw("HSET", "d", "\"a\"", "1", NULL));
    if (pool_open(c) < 0) return -1;
    return pottery_dict_open(&c->dict, pottery_pool_client(c->pool), "d", NULL) < 0 ? -1 : 0;
}

/* As pool_ready, one call made: a member is open. */
static int pool_warm(void *arg)
{
    ctx *c = arg;
    if (pool_ready(arg) < 0) return -1;
    int rc = pottery_dict_get(&c->got, c->dict, pottery_str("a"));
    pottery_value_dispose(&c->got);
    return rc < 0 ? -1 : 0;
}

static int run_pool_open(void *arg)
{
    return pool_open(arg);
}

static int run_pool_set(void *arg)
{
    ctx *c = arg;
    return pottery_dict_set(c->dict, pottery_str("b"), pottery_json("[\"a value long enough to be allocated\", 2]"));
}

static int run_pool_get(void *arg)
{
    ctx *c = arg;
    return pottery_dict_get(&c->got, c->dict, pottery_str("a"));
}

static void check_get(void *arg)
{
    assert_value_int(&((ctx *)arg)->got, 1);
}

/* The pool stays usable after each attempt: its statistics add up, and a call goes through. */
static void check_pool_usable(void *arg)
{
    ctx *c = arg;
    pottery_pool_stats st;
    pottery_pool_stats_get(&st, c->pool);
    assert_true(st.open <= 2);
    assert_int_equal(st.in_use, 0);
    int64_t n = 0;
    assert_ok(pottery_dict_len(&n, c->dict));
}

static int pool_usable_after(void *arg, int rc)
{
    (void)rc;
    check_pool_usable(arg);
    return 1;
}

static int run_pool_free(void *arg)
{
    ctx *c = arg;
    pottery_dict_free(c->dict);
    c->dict = NULL;
    pottery_pool_free(c->pool);
    c->pool = NULL;
    return 0;
}

/* ---- pottery_watchdog and pottery_redlock_watch ---- */

static int watchdog_new(ctx *c)
{
    const char *url = fixture_url();
    return pottery_watchdog_new(&c->wd, &url, 1, NULL);
}

/* A lock with a 1 s lease, held, and a watchdog. */
static int lock_held(void *arg)
{
    ctx *c = arg;
    fresh(arg);
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = 1000;
    if (pottery_redlock_new(&c->lock, "k", &client, 1, &opts) < 0) return -1;
    if (pottery_redlock_acquire(&c->acquired, c->lock, 0, 0) < 0 || !c->acquired) return -1;
    return watchdog_new(c) < 0 ? -1 : 0;
}

static int lock_watched(void *arg)
{
    ctx *c = arg;
    if (lock_held(arg) < 0) return -1;
    return pottery_redlock_watch(c->lock, c->wd) < 0 ? -1 : 0;
}

static int run_watchdog_new(void *arg)
{
    return watchdog_new(arg);
}

static int run_watchdog_free(void *arg)
{
    ctx *c = arg;
    pottery_watchdog_free(c->wd);
    c->wd = NULL;
    return 0;
}

static int run_watch(void *arg)
{
    ctx *c = arg;
    return pottery_redlock_watch(c->lock, c->wd);
}

/* A watch that succeeded renews: the lease (1 s) is still there after 1.2 s. One that failed
 * left the lock alone: held, not watched, its lease running out. */
static int watch_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    int64_t validity = 0;
    int renewed = 0;
    if (rc >= 0) {
        pottery_watchdog_stats st;
        for (int i = 0; i < 60 && !renewed; i++) {
            free(raw("EVAL", "return redis.call('TIME')", "0", NULL)); /* ~a round trip of wait */
            pottery_watchdog_stats_get(&st, c->wd);
            renewed = st.renewals > 0;
            if (!renewed) {
                struct timespec ts = { 0, 20 * 1000 * 1000 };
                nanosleep(&ts, NULL);
            }
        }
        if (!renewed) return 0;
    }
    return pottery_redlock_locked(&validity, c->lock) == 0 && validity > 0 && !pottery_redlock_lost(c->lock);
}

/* The lock is still held by its handle (its token is random: no digest). */
static int still_held(void *arg, int rc)
{
    ctx *c = arg;
    int64_t validity = 0;
    (void)rc;
    return pottery_redlock_locked(&validity, c->lock) == 0 && validity > 0;
}

static int run_unwatch(void *arg)
{
    pottery_redlock_unwatch(((ctx *)arg)->lock);
    return 0;
}

/* ---- pottery_timer ---- */

static int timer_ready(void *arg)
{
    ctx *c = arg;
    teardown(arg);
    return pottery_timer_start(&c->timer) < 0 ? -1 : 0;
}

static int run_timer_start(void *arg)
{
    ctx *c = arg;
    pottery_timer fresh_timer = POTTERY_TIMER_INIT;
    c->timer = fresh_timer;
    return pottery_timer_start(&c->timer);
}

static int run_timer_stop(void *arg)
{
    return pottery_timer_stop(&((ctx *)arg)->timer);
}

static int run_timer_elapsed(void *arg)
{
    ctx *c = arg;
    return pottery_timer_elapsed(&c->ms, &c->timer);
}

static int run_timer_elapsed_ns(void *arg)
{
    ctx *c = arg;
    return pottery_timer_elapsed_ns(&c->ms, &c->timer);
}

static void check_ms(void *arg)
{
    assert_true(((ctx *)arg)->ms >= 0);
}

static void test_pool_operations(void **state)
{
    (void)state;
    ctx c = { 0 };
    const oom_op ops[] = {
        { "pottery_pool_open", fresh, run_pool_open, NULL, teardown, NULL },
        { "pottery_dict_set on a pool (opens a member)", pool_ready, run_pool_set, check_pool_usable, teardown, NULL },
        { "pottery_dict_get on a pool (opens a member)", pool_ready, run_pool_get, check_get, teardown, NULL },
        { "pottery_dict_get on a pool (a member open)", pool_warm, run_pool_get, check_get, teardown, NULL },
        { "pottery_dict_set on a pool, then usable", pool_warm, run_pool_set, NULL, teardown, pool_usable_after },
        { "pottery_pool_free", pool_warm, run_pool_free, NULL, teardown, NULL },
        { "pottery_timer_start", timer_ready, run_timer_start, NULL, teardown, NULL },
        { "pottery_timer_stop", timer_ready, run_timer_stop, NULL, teardown, NULL },
        { "pottery_timer_elapsed", timer_ready, run_timer_elapsed, check_ms, teardown, NULL },
        { "pottery_timer_elapsed_ns", timer_ready, run_timer_elapsed_ns, check_ms, teardown, NULL },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) oom_exhaust(&ops[i], &c);
}

static void test_watchdog_operations(void **state)
{
    (void)state;
    ctx c = { 0 };
    const oom_op ops[] = {
        { "pottery_watchdog_new", fresh, run_watchdog_new, NULL, teardown, NULL },
        { "pottery_redlock_watch", lock_held, run_watch, NULL, teardown, watch_state_ok },
        { "pottery_redlock_unwatch", lock_watched, run_unwatch, NULL, teardown, still_held },
        { "pottery_watchdog_free", lock_held, run_watchdog_free, NULL, teardown, still_held },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) oom_exhaust(&ops[i], &c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pool_operations, fixture_reset),
        cmocka_unit_test_setup(test_watchdog_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
