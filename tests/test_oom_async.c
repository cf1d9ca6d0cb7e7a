/*
 * Allocation failure in the event-loop primitives: pottery_async, pottery_aioredlock (with
 * pottery_aiowatchdog) and pottery_aionextid, on the loop the program is given (libevent or
 * libuv), every library allocation of each operation failing in turn (tests/support/oom.h
 * says what each attempt must satisfy). An asynchronous operation under failure is: start
 * the call, then turn the loop until its callback; the start's code, or else the callback's
 * status, must be POTTERY_ENOMEM or a success. The loop runs on the test's thread, so the
 * allocations made when replies arrive are failed too. A callback that never comes fails
 * the test (run_until gives up after 10 s).
 *
 * The aiowatchdog's renewals run on the loop too: a row fails each allocation of one tick,
 * after which the watchdog must go on renewing or report the lock lost.
 *
 * Masters: the fixture's server alone, then the lock and id rows again over three masters
 * (masters[], fan-out paths).
 *
 * Not run under failure, as they cannot allocate: pottery_async_stats_get, _stats_reset,
 * _endpoint; pottery_aioredlock_key, _lost; pottery_aionextid_key;
 * pottery_aiowatchdog_stats_get (getters). The handles' _free functions are run under
 * failure; pottery_async_free frees the open row's connection after each of its attempts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pottery/aionextid.h"
#include "pottery/aioredlock.h"
#include "support/oom.h"

#include "support/aio_run.h"

typedef struct ctx {
    pottery_async *conns[3];
    size_t n;
    int fanout;
    pottery_async *opened; /* the async_open row's own connection */
    pottery_aioredlock *lock;
    pottery_aionextid *gen;
    pottery_aiowatchdog *wd;
    outcome o;
    int body_runs;
    int64_t v;
    char *text;
} ctx;

static void teardown(void *arg)
{
    ctx *c = arg;
    pottery_aioredlock_free(c->lock);
    pottery_aiowatchdog_free(c->wd);
    pottery_aionextid_free(c->gen);
    pottery_async_free(c->opened);
    pottery_free(c->text);
    c->lock = NULL;
    c->wd = NULL;
    c->gen = NULL;
    c->opened = NULL;
    c->text = NULL;
    c->body_runs = 0;
    memset(&c->o, 0, sizeof c->o);
}

static long keys_like(const ctx *c, const char *pattern)
{
    return oom_keys_like(c->fanout, c->n, pattern);
}

static int fresh(void *arg)
{
    ctx *c = arg;
    teardown(c);
    for (size_t i = 0; i < c->n; i++) free(oom_on_master(c->fanout, i, "FLUSHALL", NULL));
    return 0;
}

/* The operation's outcome: the start's failure, or the callback's status once it came
 * (callbacks come from the loop only, never from the start: c->o is cleared here). */
static int await_outcome(ctx *c, int start_rc)
{
    memset(&c->o, 0, sizeof c->o);
    if (start_rc < 0) return start_rc;
    run_until(&c->o.calls, 1, 10000);
    if (c->o.calls != 1) fail_msg("%d callbacks", c->o.calls);
    if (c->o.status < 0 && strcmp(c->o.message, pottery_error_last()->message) != 0)
        fail_msg("the callback's error \"%s\" is not the last error \"%s\"", c->o.message,
                 pottery_error_last()->message);
    return c->o.status;
}

/* ---- pottery_aioredlock ---- */

static int lock_new(ctx *c)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.fencing = 1;
    opts.context_manager_blocking = 0;
    opts.context_manager_timeout_ms = 0;
    return pottery_aioredlock_new(&c->lock, "k", c->conns, c->n, &opts);
}

static int lock_ready(void *arg)
{
    fresh(arg);
    return lock_new(arg) < 0 ? -1 : 0;
}

static int lock_held(void *arg)
{
    ctx *c = arg;
    if (lock_ready(arg) < 0) return -1;
    int rc = await_outcome(c, pottery_aioredlock_acquire(c->lock, 0, 0, on_acquire, &c->o));
    return rc < 0 || !c->o.acquired ? -1 : 0;
}

/* The lock's remaining lease a quorum holds, as the handle sees it (0: not held by it). */
static int64_t validity(ctx *c)
{
    outcome o = { 0 };
    if (pottery_aioredlock_locked(c->lock, on_value, &o) < 0) return -1;
    run_until(&o.calls, 1, 10000);
    return o.status < 0 ? -1 : o.value;
}

static int run_lock_new(void *arg)
{
    return lock_new(arg);
}

static int run_acquire(void *arg)
{
    ctx *c = arg;
    return await_outcome(c, pottery_aioredlock_acquire(c->lock, 0, 0, on_acquire, &c->o));
}

static int acquire_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    if (rc < 0) return c->o.acquired == 0 && keys_like(c, "redlock:*") == 0;
    return c->o.acquired == 1 && validity(c) > 0;
}

static int run_release(void *arg)
{
    ctx *c = arg;
    return await_outcome(c, pottery_aioredlock_release(c->lock, on_status, &c->o));
}

/* Released, or (a failure) still the handle's, which releases it when asked again. A
 * release succeeds on a quorum, as Redlock's does: a master whose request the failure took
 * keeps its key until the lease ends (a minority of them); so may a failed one, when a
 * master that an early-decided acquire never reached answers no. */
static int release_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    long keys = keys_like(c, "redlock:*");
    int minority = keys <= (long)(c->n - (c->n / 2 + 1));
    if (keys == 0) return 1;
    if (rc >= 0) return minority;
    if (!minority && validity(c) <= 0) return 0;
    outcome o = { 0 };
    if (pottery_aioredlock_release(c->lock, on_status, &o) < 0) return 0;
    run_until(&o.calls, 1, 10000);
    return keys_like(c, "redlock:*") == 0;
}

static int run_locked(void *arg)
{
    ctx *c = arg;
    return await_outcome(c, pottery_aioredlock_locked(c->lock, on_value, &c->o));
}

static void check_value_positive(void *arg)
{
    assert_true(((ctx *)arg)->o.value > 0);
}

static int still_held(void *arg, int rc)
{
    (void)rc;
    return validity(arg) > 0;
}

static int run_extend(void *arg)
{
    ctx *c = arg;
    return await_outcome(c, pottery_aioredlock_extend(c->lock, on_status, &c->o));
}

static int run_fencing_token(void *arg)
{
    ctx *c = arg;
    return pottery_aioredlock_fencing_token(&c->v, c->lock);
}

static void check_token(void *arg)
{
    assert_true(((ctx *)arg)->v > 0);
}

/* The body ends at once; an end that could not start the release (out of memory) leaves the
 * body running, and is made again. */
static void body_ends(pottery_aioredlock *lock, void *payload)
{
    ctx *c = payload;
    c->body_runs++;
    int rc = pottery_aioredlock_with_end(lock, 0);
    if (rc == POTTERY_ENOMEM) rc = pottery_aioredlock_with_end(lock, 0);
    assert_int_equal(rc, 0);
}

static void on_with_done(int status, void *payload)
{
    on_status(status, &((ctx *)payload)->o);
}

static int run_with(void *arg)
{
    ctx *c = arg;
    return await_outcome(c, pottery_aioredlock_with(c->lock, body_ends, on_with_done, c));
}

/* The body ran once if it succeeded, at most once if not; after a failure the lock is
 * released or still the handle's (its release failed), which can release it again. */
static int with_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    if (c->body_runs > 1 || (rc >= 0 && c->body_runs != 1)) return 0;
    if (release_state_ok(arg, rc)) return 1;
    fprintf(stderr, "with: rc %d, body runs %d, %ld lock keys, validity %lld\n", rc, c->body_runs,
            keys_like(c, "redlock:*"), (long long)validity(c));
    return 0;
}

static int run_lock_free(void *arg)
{
    ctx *c = arg;
    pottery_aioredlock_free(c->lock);
    c->lock = NULL;
    return 0;
}

static int any_state(void *arg, int rc)
{
    (void)arg;
    (void)rc;
    return 1;
}

/* ---- pottery_aiowatchdog ---- */

static int wd_new(ctx *c)
{
    return pottery_aiowatchdog_new(&c->wd, c->conns, c->n, NULL);
}

static int lock_held_wd(void *arg)
{
    ctx *c = arg;
    if (lock_held(arg) < 0) return -1;
    return wd_new(c) < 0 ? -1 : 0;
}

static int lock_watched(void *arg)
{
    ctx *c = arg;
    if (lock_held_wd(arg) < 0) return -1;
    return pottery_aioredlock_watch(c->lock, c->wd) < 0 ? -1 : 0;
}

static int run_wd_new(void *arg)
{
    return wd_new(arg);
}

static int run_watch(void *arg)
{
    ctx *c = arg;
    return pottery_aioredlock_watch(c->lock, c->wd);
}

static int watch_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    pottery_watchdog_stats st;
    pottery_aiowatchdog_stats_get(&st, c->wd);
    return st.watched == (rc >= 0 ? 1u : 0u) && validity(c) > 0;
}

static int run_unwatch(void *arg)
{
    pottery_aioredlock_unwatch(((ctx *)arg)->lock);
    return 0;
}

static int run_wd_free(void *arg)
{
    ctx *c = arg;
    pottery_aiowatchdog_free(c->wd);
    c->wd = NULL;
    return 0;
}

/* A lock with a 600 ms lease, held and watched: the watchdog renews it every 200 ms. */
static int lock_watched_short(void *arg)
{
    ctx *c = arg;
    fresh(arg);
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = 600;
    if (pottery_aioredlock_new(&c->lock, "k", c->conns, c->n, &opts) < 0) return -1;
    int rc = await_outcome(c, pottery_aioredlock_acquire(c->lock, 0, 0, on_acquire, &c->o));
    if (rc < 0 || !c->o.acquired || wd_new(c) < 0) return -1;
    return pottery_aioredlock_watch(c->lock, c->wd) < 0 ? -1 : 0;
}

static uint64_t wd_stat(const ctx *c, int renewals)
{
    pottery_watchdog_stats st;
    pottery_aiowatchdog_stats_get(&st, c->wd);
    return renewals ? st.renewals : st.ticks;
}

/* One of the watchdog's ticks, on the loop (so on this thread: its allocations fail too). */
static int run_tick(void *arg)
{
    ctx *c = arg;
    uint64_t ticks = wd_stat(c, 0);
    for (int i = 0; i < 200 && wd_stat(c, 0) == ticks; i++) run_for(5);
    return wd_stat(c, 0) > ticks ? 0 : pottery_error_set(POTTERY_ETIMEOUT, "the watchdog did not tick");
}

/* After a tick that may have failed: the watchdog goes on renewing the lock, or has said it
 * is lost (its holder then stops); never a lock that expires without a word. A renewal whose
 * allocation failed counts as one that could not reach its masters (UNREACHABLE), never as
 * a lock taken by another. */
static int renewal_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    (void)rc;
    uint64_t renewals = wd_stat(c, 1);
    for (int i = 0; i < 200 && wd_stat(c, 1) == renewals && !pottery_aioredlock_lost(c->lock); i++) run_for(5);
    if (pottery_aioredlock_lost(c->lock)) return pottery_aioredlock_lost(c->lock) == POTTERY_REDLOCK_LOST_UNREACHABLE;
    return wd_stat(c, 1) > renewals && validity(c) > 0;
}

static const oom_op lock_ops[] = {
    { "pottery_aioredlock_new", fresh, run_lock_new, NULL, teardown, NULL },
    { "pottery_aioredlock_acquire", lock_ready, run_acquire, NULL, teardown, acquire_state_ok },
    { "pottery_aioredlock_release", lock_held, run_release, NULL, teardown, release_state_ok },
    { "pottery_aioredlock_locked", lock_held, run_locked, check_value_positive, teardown, still_held },
    { "pottery_aioredlock_extend", lock_held, run_extend, NULL, teardown, still_held },
    { "pottery_aioredlock_fencing_token", lock_held, run_fencing_token, check_token, teardown, still_held },
    { "pottery_aioredlock_with (and _with_end)", lock_ready, run_with, NULL, teardown, with_state_ok },
    { "pottery_aioredlock_free", lock_held, run_lock_free, NULL, teardown, any_state },
    { "pottery_aiowatchdog_new", lock_held, run_wd_new, NULL, teardown, still_held },
    { "pottery_aioredlock_watch", lock_held_wd, run_watch, NULL, teardown, watch_state_ok },
    { "pottery_aioredlock_unwatch", lock_watched, run_unwatch, NULL, teardown, still_held },
    { "pottery_aiowatchdog_free", lock_watched, run_wd_free, NULL, teardown, still_held },
    { "pottery_aiowatchdog renewing (a tick on the loop)", lock_watched_short, run_tick, NULL, teardown,
      renewal_state_ok },
};

/* ---- pottery_aionextid: ids are deterministic, the digest compares them ---- */

static int gen_new(ctx *c)
{
    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    opts.key = "ids";
    return pottery_aionextid_new(&c->gen, c->conns, c->n, &opts);
}

static int gen_ready(void *arg)
{
    ctx *c = arg;
    fresh(arg);
    if (gen_new(c) < 0) return -1;
    int rc = await_outcome(c, pottery_aionextid_next(c->gen, on_value, &c->o));
    memset(&c->o, 0, sizeof c->o);
    return rc < 0 ? -1 : 0;
}

static int run_gen_new(void *arg)
{
    return gen_new(arg);
}

static int run_next(void *arg)
{
    ctx *c = arg;
    return await_outcome(c, pottery_aionextid_next(c->gen, on_value, &c->o));
}

static void check_id_2(void *arg)
{
    assert_int_equal(((ctx *)arg)->o.value, 2);
}

static int next_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    return !c->fanout || oom_masters_hold(c->fanout, c->n, rc, "nextid:ids", "1", "2");
}

static int run_reset(void *arg)
{
    ctx *c = arg;
    return await_outcome(c, pottery_aionextid_reset(c->gen, on_status, &c->o));
}

static int reset_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    return !c->fanout || oom_masters_hold(c->fanout, c->n, rc, "nextid:ids", "1", "(nil)");
}

static int run_repr(void *arg)
{
    ctx *c = arg;
    return pottery_aionextid_repr(&c->text, c->gen);
}

static void check_repr(void *arg)
{
    assert_string_equal(((ctx *)arg)->text, "<AIONextID key=nextid:ids>");
}

static int run_gen_free(void *arg)
{
    ctx *c = arg;
    pottery_aionextid_free(c->gen);
    c->gen = NULL;
    return 0;
}

/* pottery_async_open, then a first operation on the new connection (its connect and
 * handshake happen on the loop, and report to the first operation). */
static int run_async_open(void *arg)
{
    ctx *c = arg;
    int rc = pottery_async_open(&c->opened, &loop, c->fanout ? masters[0].url : fixture_url(), NULL);
    if (rc < 0) return rc;
    pottery_async *conns[] = { c->opened };
    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    opts.key = "ids";
    if ((rc = pottery_aionextid_new(&c->gen, conns, 1, &opts)) < 0) return rc;
    return await_outcome(c, pottery_aionextid_next(c->gen, on_value, &c->o));
}

static const oom_op nextid_ops[] = {
    { "pottery_aionextid_new", fresh, run_gen_new, NULL, teardown, NULL },
    { "pottery_aionextid_next", gen_ready, run_next, check_id_2, teardown, next_state_ok },
    { "pottery_aionextid_reset", gen_ready, run_reset, NULL, teardown, reset_state_ok },
    { "pottery_aionextid_repr", gen_ready, run_repr, check_repr, teardown, NULL },
    { "pottery_aionextid_free", gen_ready, run_gen_free, NULL, teardown, NULL },
};

static void run_rows(ctx *c)
{
    for (size_t i = 0; i < sizeof lock_ops / sizeof lock_ops[0]; i++) oom_exhaust(&lock_ops[i], c);
    for (size_t i = 0; i < sizeof nextid_ops / sizeof nextid_ops[0]; i++) oom_exhaust(&nextid_ops[i], c);
}

/* ---- fixture: the loop and the connections ---- */

static void open_conns(ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        assert_ok(pottery_async_open(&c->conns[i], &loop, c->fanout ? masters[i].url : fixture_url(), NULL));
}

static void close_conns(ctx *c)
{
    teardown(c);
    for (size_t i = 0; i < c->n; i++) pottery_async_free(c->conns[i]);
}

static void test_one_master(void **state)
{
    (void)state;
    ctx c = { .n = 1 };
    open_conns(&c);
    run_rows(&c);
    const oom_op open_op = {
        "pottery_async_open (and its first operation)", fresh, run_async_open, NULL, teardown, NULL
    };
    oom_exhaust(&open_op, &c);
    close_conns(&c);
}

static void test_three_masters(void **state)
{
    (void)state;
    ctx c = { .n = 3, .fanout = 1 };
    open_conns(&c);
    run_rows(&c);
    close_conns(&c);
}

static int loop_setup(void **state)
{
    (void)state;
    native = kind->create();
    return !native || kind->fill(&loop, native) != 0 ? -1 : 0;
}

static int loop_teardown(void **state)
{
    (void)state;
    int rc = kind->destroy(native);
    native = NULL;
    return rc;
}

static int one_setup(void **state)
{
    return fixture_reset(state) || loop_setup(state);
}

static int three_setup(void **state)
{
    return reset_masters(masters, 3) < 0 || loop_setup(state);
}

static int group_setup(void **state)
{
    return fixture_setup(state) || masters_setup(state);
}

static int group_teardown(void **state)
{
    masters_teardown(state);
    return fixture_teardown(state);
}

int main(int argc, char **argv)
{
    if (choose_loop(argc, argv) < 0) return 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_master, one_setup, loop_teardown),
        cmocka_unit_test_setup_teardown(test_three_masters, three_setup, loop_teardown),
    };
    return cmocka_run_group_tests_name(kind->name, tests, group_setup, group_teardown);
}
