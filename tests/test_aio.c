/* pottery_aioredlock and pottery_aionextid driven from a real event loop (libevent or
 * libuv: the program takes the adapter's name) against five private redis-server masters:
 * every operation and its round trips, contention on one loop, a loop that keeps ticking,
 * masters killed and frozen mid-operation, handles freed with operations in flight,
 * blocking and asynchronous holders excluding each other, reconnects with AUTH/SELECT,
 * NOSCRIPT, hostile servers and bad input. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fake_server.h"
#include "pottery/aionextid.h"
#include "pottery/aioredlock.h"
#include "support/test_fixture.h"

#include "support/aio_run.h"

#define N MASTERS
#define TIMEOUT_MS 300

/* ---- masters ---- */

static pottery_async *conns[N];

static pottery_async *open_async(const char *url, const pottery_client_options *opts)
{
    pottery_async *a = NULL;
    assert_ok(pottery_async_open(&a, &loop, url, opts));
    return a;
}

static void open_conns(int64_t command_timeout_ms)
{
    pottery_client_options opts;
    pottery_client_options_init(&opts);
    opts.command_timeout_ms = command_timeout_ms;
    opts.connect_timeout_ms = TIMEOUT_MS;
    for (size_t i = 0; i < N; i++) conns[i] = open_async(masters[i].url, &opts);
}

static void close_conns(void)
{
    for (size_t i = 0; i < N; i++) {
        pottery_async_free(conns[i]);
        conns[i] = NULL;
    }
}

static uint64_t rt(size_t i)
{
    pottery_client_stats s;
    pottery_async_stats_get(&s, conns[i]);
    return s.round_trips;
}

static void rts(uint64_t *out)
{
    for (size_t i = 0; i < N; i++) out[i] = rt(i);
}

static void assert_each_rt(const uint64_t *before, uint64_t n)
{
    for (size_t i = 0; i < N; i++)
        if (rt(i) - before[i] != n)
            fail_msg("master %zu: %llu round trips, expected %llu", i, (unsigned long long)(rt(i) - before[i]),
                     (unsigned long long)n);
}

static char *get_on(size_t i, const char *key)
{
    return test_redis_cmdv(&masters[i], "GET", key, (const char *)NULL);
}

static int holders_of(const char *key)
{
    int n = 0;
    for (size_t i = 0; i < N; i++) {
        char *v = get_on(i, key);
        if (v && strcmp(v, "(nil)") != 0) n++;
        free(v);
    }
    return n;
}

static pottery_aioredlock *alock(const char *key, int64_t lease_ms)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    if (lease_ms) opts.auto_release_time_ms = lease_ms;
    pottery_aioredlock *lock = NULL;
    assert_ok(pottery_aioredlock_new(&lock, key, conns, N, &opts));
    return lock;
}

/* ---- fixture ---- */

static int setup(void **state)
{
    (void)state;
    if (reset_masters(masters, N) < 0) return -1;
    native = kind->create();
    if (!native || kind->fill(&loop, native) != 0) return -1;
    open_conns(TIMEOUT_MS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    close_conns();
    close_master_clients(clients, N);
    assert_int_equal(kind->destroy(native), 0);
    native = NULL;
    return 0;
}

/* ---- Redlock: behaviour ---- */

static void acquire_locked_extend_release(void **state)
{
    (void)state;
    pottery_aioredlock *lock = alock("shower", 0);
    outcome o;
    uint64_t before[N];

    rts(before);
    AWAIT(o, pottery_aioredlock_acquire(lock, 1, POTTERY_FOREVER, on_acquire, &o));
    assert_ok(o.status);
    assert_int_equal(o.acquired, 1);
    assert_each_rt(before, 1);
    assert_int_equal(holders_of("redlock:shower"), N);

    AWAIT(o, pottery_aioredlock_locked(lock, on_value, &o));
    assert_ok(o.status);
    /* the 10 s lease less the 102 ms drift less the time it took */
    assert_true(o.value > 9000 && o.value <= 10000 - 102);

    for (int i = 0; i < 3; i++) {
        AWAIT(o, pottery_aioredlock_extend(lock, on_status, &o));
        assert_ok(o.status);
    }
    assert_code(POTTERY_EEXTENSIONS, pottery_aioredlock_extend(lock, on_status, &o));

    rts(before);
    AWAIT(o, pottery_aioredlock_release(lock, on_status, &o));
    assert_ok(o.status);
    assert_each_rt(before, 1);
    assert_int_equal(holders_of("redlock:shower"), 0);

    AWAIT(o, pottery_aioredlock_release(lock, on_status, &o));
    assert_int_equal(o.status, POTTERY_EUNLOCKED);
    assert_non_null(strstr(o.message, "redlock:shower"));

    AWAIT(o, pottery_aioredlock_locked(lock, on_value, &o));
    assert_ok(o.status);
    assert_int_equal(o.value, 0);
    pottery_aioredlock_free(lock);
}

static void never_acquired(void **state)
{
    (void)state;
    pottery_aioredlock *lock = alock("fresh", 0);
    outcome o = { 0 };
    uint64_t before[N];
    rts(before);
    assert_code(POTTERY_EUNLOCKED, pottery_aioredlock_release(lock, on_status, &o));
    assert_code(POTTERY_EUNLOCKED, pottery_aioredlock_extend(lock, on_status, &o));
    AWAIT(o, pottery_aioredlock_locked(lock, on_value, &o)); /* 0, from the loop, no Redis call */
    assert_ok(o.status);
    assert_int_equal(o.value, 0);
    assert_each_rt(before, 0);
    pottery_aioredlock_free(lock);
}

static void held_elsewhere_and_timeouts(void **state)
{
    (void)state;
    pottery_aioredlock *a = alock("printer", 0), *b = alock("printer", 0);
    outcome o;
    AWAIT(o, pottery_aioredlock_acquire(a, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(o.acquired, 1);

    uint64_t before[N];
    rts(before);
    AWAIT(o, pottery_aioredlock_acquire(b, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_ok(o.status);
    assert_int_equal(o.acquired, 0);
    assert_each_rt(before, 2); /* the attempt and its clean-up release */

    int64_t start = now_ns();
    AWAIT(o, pottery_aioredlock_acquire(b, 1, 300, on_acquire, &o));
    assert_ok(o.status);
    assert_int_equal(o.acquired, 0);
    assert_true(now_ns() - start >= 300 * 1000000LL);
    assert_int_equal(holders_of("redlock:printer"), N); /* still a's */

    AWAIT(o, pottery_aioredlock_release(a, on_status, &o));
    AWAIT(o, pottery_aioredlock_acquire(b, 1, 2000, on_acquire, &o));
    assert_int_equal(o.acquired, 1);
    pottery_aioredlock_free(a);
    pottery_aioredlock_free(b);
}

/* Several locks on one key contend at once on one loop: at most one holds it at any time,
 * all get it in turn, and every callback fires exactly once. */
#define CONTENDERS 8

typedef struct contender {
    pottery_aioredlock *lock;
    pottery_loop_timer *hold;
    int acquire_calls, release_calls;
    int acquire_status, release_status;
} contender;

static int holding, most_holding, finished;

static void contender_released(int status, void *payload)
{
    contender *c = payload;
    c->release_calls++;
    c->release_status = status;
    finished++;
}

static void contender_done_holding(void *arg)
{
    contender *c = arg;
    holding--;
    assert_ok(pottery_aioredlock_release(c->lock, contender_released, c));
}

static void contender_acquired(int status, int acquired, void *payload)
{
    contender *c = payload;
    c->acquire_calls++;
    c->acquire_status = status;
    if (status < 0 || !acquired) {
        finished++;
        return;
    }
    holding++;
    if (holding > most_holding) most_holding = holding;
    assert_int_equal(loop.timer_start(c->hold, 5), 0);
}

static void contention_excludes(void **state)
{
    (void)state;
    contender cs[CONTENDERS];
    holding = most_holding = finished = 0;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.retry_delay_ms = 20;
    for (int i = 0; i < CONTENDERS; i++) {
        memset(&cs[i], 0, sizeof cs[i]);
        assert_ok(pottery_aioredlock_new(&cs[i].lock, "bathroom", conns, N, &opts));
        cs[i].hold = loop.timer_open(loop.data, contender_done_holding, &cs[i]);
    }
    for (int i = 0; i < CONTENDERS; i++)
        assert_ok(pottery_aioredlock_acquire(cs[i].lock, 1, 20000, contender_acquired, &cs[i]));
    run_until(&finished, CONTENDERS, 30000);
    run_for(50); /* nothing more may arrive */
    assert_int_equal(most_holding, 1);
    for (int i = 0; i < CONTENDERS; i++) {
        assert_int_equal(cs[i].acquire_calls, 1);
        assert_ok(cs[i].acquire_status);
        assert_int_equal(cs[i].release_calls, 1);
        assert_ok(cs[i].release_status);
        loop.timer_close(cs[i].hold);
        pottery_aioredlock_free(cs[i].lock);
    }
    assert_int_equal(holders_of("redlock:bathroom"), 0);
}

/* ---- the loop is never blocked ---- */

#define CYCLES 100

typedef struct cycler {
    pottery_aioredlock *lock;
    pottery_aionextid *ids;
    int left;
    int64_t last_id;
    int failures;
} cycler;

static int cycles_done;

static void cycle_acquire(cycler *c);

static void cycle_released(int status, void *payload)
{
    cycler *c = payload;
    if (status < 0) c->failures++;
    cycles_done++;
    if (--c->left > 0) cycle_acquire(c);
}

static void cycle_acquired(int status, int acquired, void *payload)
{
    cycler *c = payload;
    if (status < 0 || !acquired) {
        c->failures++;
        cycles_done++;
        if (--c->left > 0) cycle_acquire(c);
        return;
    }
    assert_ok(pottery_aioredlock_release(c->lock, cycle_released, c));
}

static void cycle_acquire(cycler *c)
{
    assert_ok(pottery_aioredlock_acquire(c->lock, 1, 5000, cycle_acquired, c));
}

static int ids_done;

static void next_id(int status, int64_t id, void *payload)
{
    cycler *c = payload;
    if (status < 0 || id <= c->last_id) c->failures++;
    c->last_id = id;
    ids_done++;
    if (ids_done < CYCLES) assert_ok(pottery_aionextid_next(c->ids, next_id, c));
}

static void loop_keeps_ticking(void **state)
{
    (void)state;
    /* One frozen master: anything that waited for it on the loop's thread would stall the
     * ticker for the whole command timeout (300 ms). */
    test_redis_pause(&masters[4]);
    cycler locks[10], gen = { 0 };
    cycles_done = ids_done = 0;
    ticker t;
    ticker_start(&t, 2);
    for (int i = 0; i < 10; i++) {
        char key[32];
        snprintf(key, sizeof key, "tick%d", i);
        memset(&locks[i], 0, sizeof locks[i]);
        locks[i].lock = alock(key, 0);
        locks[i].left = CYCLES / 10;
        cycle_acquire(&locks[i]);
    }
    assert_ok(pottery_aionextid_new(&gen.ids, conns, N, NULL));
    assert_ok(pottery_aionextid_next(gen.ids, next_id, &gen));
    run_until(&cycles_done, CYCLES, 60000);
    run_until(&ids_done, CYCLES, 60000);
    ticker_stop(&t);
    print_message("[%s] longest gap between 2 ms ticks during %d acquire+release cycles and %d ids with a "
                  "frozen master: %.1f ms (%ld ticks)\n",
                  kind->name, CYCLES, CYCLES, (double)t.max_gap_ns / 1e6, t.ticks);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(locks[i].failures, 0);
        pottery_aioredlock_free(locks[i].lock);
    }
    assert_int_equal(gen.failures, 0);
    assert_int_equal(gen.last_id, CYCLES);
    pottery_aionextid_free(gen.ids);
    /* A blocked loop would show the 300 ms command timeout here. */
    assert_true(t.max_gap_ns < 150 * 1000000LL);
    test_redis_resume(&masters[4]);
}

/* ---- masters killed and frozen ---- */

static void masters_killed_mid_operation(void **state)
{
    (void)state;
    pottery_aioredlock *lock = alock("kitchen", 0);
    outcome o;
    memset(&o, 0, sizeof o);
    assert_ok(pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    for (size_t i = 0; i < 3; i++) test_redis_kill(&masters[i]); /* before any reply was read */
    int64_t start = now_ns();
    run_until(&o.calls, 1, 5000);
    assert_true(now_ns() - start < 3 * TIMEOUT_MS * 1000000LL);
    /* Whatever the killed masters managed to answer, no quorum can hold the lock now. */
    if (o.acquired) {
        AWAIT(o, pottery_aioredlock_locked(lock, on_value, &o));
        assert_int_equal(o.value, 0);
    }

    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_ok(o.status);
    assert_int_equal(o.acquired, 0);
    pottery_aioredlock_free(lock);

    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.raise_on_redis_errors = 1;
    /* (another key: the healthy masters may hold "kitchen" for the first attempt, and their
     * "no" votes would decide before a third failure) */
    assert_ok(pottery_aioredlock_new(&lock, "pantry", conns, N, &opts));
    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(o.status, POTTERY_EIMPOSSIBLE);
    assert_non_null(strstr(o.message, "connection refused"));
    pottery_aioredlock_free(lock);

    /* They come back: the connections reconnect on the next operation. */
    for (size_t i = 0; i < 3; i++) assert_int_equal(test_redis_restart(&masters[i]), 0);
    lock = alock("kitchen", 0);
    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(o.acquired, 1);
    pottery_client_stats s;
    pottery_async_stats_get(&s, conns[0]);
    assert_true(s.reconnects >= 1);
    AWAIT(o, pottery_aioredlock_release(lock, on_status, &o));
    assert_ok(o.status);
    pottery_aioredlock_free(lock);
}

static void masters_frozen(void **state)
{
    (void)state;
    close_conns();
    open_conns(5000); /* long timeouts: a quorum must not wait for them */
    test_redis_pause(&masters[3]);
    test_redis_pause(&masters[4]);
    pottery_aioredlock *lock = alock("garage", 0);
    outcome o;
    int64_t start = now_ns();
    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_ok(o.status);
    assert_int_equal(o.acquired, 1);
    assert_true(now_ns() - start < 2500 * 1000000LL); /* not the 5 s timeout */
    AWAIT(o, pottery_aioredlock_locked(lock, on_value, &o));
    assert_true(o.value > 9000);
    pottery_aioredlock_free(lock);
    close_conns();

    /* A third master frozen in the middle of a blocking acquire (it is retrying: the lock is
     * held): no quorum is possible any more; the callback comes when the acquire's timeout
     * is over, with the attempt then running cut short by the masters' timeouts. */
    open_conns(TIMEOUT_MS);
    lock = alock("garage2", 0);
    pottery_aioredlock *holder = alock("garage2", 0);
    AWAIT(o, pottery_aioredlock_acquire(holder, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(o.acquired, 1);
    start = now_ns();
    memset(&o, 0, sizeof o);
    assert_ok(pottery_aioredlock_acquire(lock, 1, 1000, on_acquire, &o));
    run_for(100);
    assert_int_equal(o.calls, 0);
    test_redis_pause(&masters[2]);
    run_until(&o.calls, 1, 5000);
    assert_ok(o.status);
    assert_int_equal(o.acquired, 0);
    int64_t took_ms = (now_ns() - start) / 1000000;
    assert_true(took_ms >= 1000 && took_ms < 1000 + 4 * TIMEOUT_MS);
    for (size_t i = 2; i < N; i++) test_redis_resume(&masters[i]);
    AWAIT(o, pottery_aioredlock_release(holder, on_status, &o));
    assert_ok(o.status);
    pottery_aioredlock_free(holder);

    /* Thawed, the late replies are read and dropped in order: the connections stay usable. */
    run_for(100);
    AWAIT(o, pottery_aioredlock_acquire(lock, 1, 3000, on_acquire, &o));
    assert_int_equal(o.acquired, 1);
    assert_int_equal(holders_of("redlock:garage2"), N);
    AWAIT(o, pottery_aioredlock_release(lock, on_status, &o));
    assert_ok(o.status);
    assert_int_equal(holders_of("redlock:garage2"), 0);
    pottery_aioredlock_free(lock);
}

/* ---- freeing with an operation in flight ---- */

static void free_cancels(void **state)
{
    (void)state;
    pottery_aioredlock *owner = alock("attic", 0), *waiter = alock("attic", 0);
    outcome o, w;
    AWAIT(o, pottery_aioredlock_acquire(owner, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(o.acquired, 1);

    /* In the fan-out, before any reply. */
    memset(&w, 0, sizeof w);
    assert_ok(pottery_aioredlock_acquire(waiter, 1, POTTERY_FOREVER, on_acquire, &w));
    pottery_aioredlock_free(waiter);
    assert_int_equal(w.calls, 1);
    assert_int_equal(w.status, POTTERY_ECANCELED);
    run_for(100);
    assert_int_equal(w.calls, 1);

    /* Waiting on the retry timer between attempts. */
    waiter = alock("attic", 0);
    memset(&w, 0, sizeof w);
    assert_ok(pottery_aioredlock_acquire(waiter, 1, POTTERY_FOREVER, on_acquire, &w));
    run_for(150);
    assert_int_equal(w.calls, 0);
    pottery_aioredlock_free(waiter);
    assert_int_equal(w.calls, 1);
    assert_int_equal(w.status, POTTERY_ECANCELED);
    run_for(300);
    assert_int_equal(w.calls, 1);

    /* An id generator. */
    pottery_aionextid *ids;
    assert_ok(pottery_aionextid_new(&ids, conns, N, NULL));
    memset(&w, 0, sizeof w);
    assert_ok(pottery_aionextid_next(ids, on_value, &w));
    pottery_aionextid_free(ids);
    assert_int_equal(w.calls, 1);
    assert_int_equal(w.status, POTTERY_ECANCELED);
    run_for(50);
    assert_int_equal(w.calls, 1);

    AWAIT(o, pottery_aioredlock_release(owner, on_status, &o));
    assert_ok(o.status);
    pottery_aioredlock_free(owner);
}

/* A callback may free its own handle, and the connections may go right after. */
static pottery_aioredlock *self_freeing;

static void free_self(int status, int acquired, void *payload)
{
    on_acquire(status, acquired, payload);
    pottery_aioredlock_free(self_freeing);
}

static void free_in_callback(void **state)
{
    (void)state;
    outcome o;
    self_freeing = alock("cellar", 0);
    AWAIT(o, pottery_aioredlock_acquire(self_freeing, 0, POTTERY_FOREVER, free_self, &o));
    assert_int_equal(o.acquired, 1);
    /* Connections freed while the lock's last late replies may still be on their way. */
    close_conns();
}

/* ---- blocking and asynchronous holders exclude each other ---- */

static void sync_and_async_exclude(void **state)
{
    (void)state;
    open_master_clients(clients, masters, N, TIMEOUT_MS, TIMEOUT_MS);
    pottery_redlock *sync_lock;
    assert_ok(pottery_redlock_new(&sync_lock, "porch", clients, N, NULL));
    pottery_aioredlock *async_lock = alock("porch", 0);
    outcome o;
    int got = -1;

    assert_ok(pottery_redlock_acquire(&got, sync_lock, 0, POTTERY_FOREVER));
    assert_int_equal(got, 1);
    AWAIT(o, pottery_aioredlock_acquire(async_lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(o.acquired, 0);
    assert_ok(pottery_redlock_release(sync_lock));

    AWAIT(o, pottery_aioredlock_acquire(async_lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(o.acquired, 1);
    assert_ok(pottery_redlock_acquire(&got, sync_lock, 0, POTTERY_FOREVER));
    assert_int_equal(got, 0);
    AWAIT(o, pottery_aioredlock_release(async_lock, on_status, &o));
    assert_ok(pottery_redlock_acquire(&got, sync_lock, 0, POTTERY_FOREVER));
    assert_int_equal(got, 1);
    assert_ok(pottery_redlock_release(sync_lock));
    pottery_redlock_free(sync_lock);
    pottery_aioredlock_free(async_lock);
}

static void never_lost(pottery_redlock *lock, int reason, void *payload)
{
    (void)lock;
    (void)reason;
    (void)payload;
}

static void fencing_tokens(void **state)
{
    (void)state;
    open_master_clients(clients, masters, N, TIMEOUT_MS, TIMEOUT_MS);
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.fencing = 1;
    pottery_redlock *sync_lock;
    assert_ok(pottery_redlock_new(&sync_lock, "fenced", clients, N, &opts));
    pottery_aioredlock *async_lock = NULL;
    assert_ok(pottery_aioredlock_new(&async_lock, "fenced", conns, N, &opts));
    int64_t token = -1;
    assert_code(POTTERY_EUNLOCKED, pottery_aioredlock_fencing_token(&token, async_lock));
    outcome o;
    int got = -1;
    /* One sequence for blocking and event-loop holders. */
    for (int64_t want = 1; want <= 4; want += 2) {
        AWAIT(o, pottery_aioredlock_acquire(async_lock, 0, POTTERY_FOREVER, on_acquire, &o));
        assert_int_equal(o.acquired, 1);
        assert_ok(pottery_aioredlock_fencing_token(&token, async_lock));
        assert_int_equal(token, want);
        AWAIT(o, pottery_aioredlock_release(async_lock, on_status, &o));
        assert_code(POTTERY_EUNLOCKED, pottery_aioredlock_fencing_token(&token, async_lock));
        assert_ok(pottery_redlock_acquire(&got, sync_lock, 0, POTTERY_FOREVER));
        assert_int_equal(got, 1);
        assert_ok(pottery_redlock_fencing_token(&token, sync_lock));
        assert_int_equal(token, want + 1);
        assert_ok(pottery_redlock_release(sync_lock));
    }
    for (size_t i = 0; i < N; i++) assert_raw("4", get_on(i, "{redlock:fenced}:fence"));
    /* No token without the option; on_lost is accepted (a pottery_aiowatchdog calls it). */
    pottery_aioredlock *plain = alock("fenced", 0);
    assert_code(POTTERY_EINVAL, pottery_aioredlock_fencing_token(&token, plain));
    assert_code(POTTERY_EINVAL, pottery_aioredlock_fencing_token(NULL, plain));
    assert_code(POTTERY_EINVAL, pottery_aioredlock_fencing_token(&token, NULL));
    pottery_aioredlock_free(plain);
    opts.on_lost_payload = &got;
    opts.on_lost = never_lost;
    pottery_aioredlock *watchable = NULL;
    assert_ok(pottery_aioredlock_new(&watchable, "fenced", conns, N, &opts));
    pottery_aioredlock_free(watchable);
    pottery_redlock_free(sync_lock);
    pottery_aioredlock_free(async_lock);
}

/* ---- async with ---- */

static int body_runs;
static pottery_loop_timer *body_timer;
static int body_status;

static void body_ends(void *arg)
{
    pottery_aioredlock *lock = arg;
    assert_ok(pottery_aioredlock_with_end(lock, body_status));
}

static void body(pottery_aioredlock *lock, void *payload)
{
    (void)payload;
    body_runs++;
    assert_int_equal(holders_of(pottery_aioredlock_key(lock)), N);
    assert_code(POTTERY_ESTATE, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, payload));
    assert_int_equal(loop.timer_start(body_timer, 20), 0); /* the body's work takes a while */
}

static void scoped_with(void **state)
{
    (void)state;
    pottery_aioredlock *lock = alock("den", 0);
    outcome o;
    body_runs = 0;
    body_status = 0;
    body_timer = loop.timer_open(loop.data, body_ends, lock);
    AWAIT(o, pottery_aioredlock_with(lock, body, on_status, &o));
    assert_ok(o.status);
    assert_int_equal(body_runs, 1);
    assert_int_equal(holders_of("redlock:den"), 0);

    /* The body's failure reaches done, and the lock is released all the same. */
    body_status = POTTERY_ETYPE;
    pottery_error_set(POTTERY_ETYPE, "the body failed");
    AWAIT(o, pottery_aioredlock_with(lock, body, on_status, &o));
    assert_int_equal(o.status, POTTERY_ETYPE);
    assert_int_equal(body_runs, 2);
    assert_int_equal(holders_of("redlock:den"), 0);
    assert_code(POTTERY_ESTATE, pottery_aioredlock_with_end(lock, 0));

    /* Not acquired: EQUORUM, no body. */
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.context_manager_blocking = 0;
    pottery_aioredlock *holder = alock("den", 0), *other;
    assert_ok(pottery_aioredlock_new(&other, "den", conns, N, &opts));
    AWAIT(o, pottery_aioredlock_acquire(holder, 0, POTTERY_FOREVER, on_acquire, &o));
    AWAIT(o, pottery_aioredlock_with(other, body, on_status, &o));
    assert_int_equal(o.status, POTTERY_EQUORUM);
    assert_int_equal(body_runs, 2);
    loop.timer_close(body_timer);
    pottery_aioredlock_free(holder);
    pottery_aioredlock_free(other);
    pottery_aioredlock_free(lock);
}

/* ---- NextID ---- */

static void ids_follow_one_sequence(void **state)
{
    (void)state;
    open_master_clients(clients, masters, N, TIMEOUT_MS, TIMEOUT_MS);
    pottery_aionextid *ids;
    pottery_nextid *sync_ids;
    assert_ok(pottery_aionextid_new(&ids, conns, N, NULL));
    assert_ok(pottery_nextid_new(&sync_ids, clients, N, NULL));
    assert_string_equal(pottery_aionextid_key(ids), "nextid:current");
    char *repr;
    assert_ok(pottery_aionextid_repr(&repr, ids));
    assert_string_equal(repr, "<AIONextID key=nextid:current>");
    pottery_free(repr);

    outcome o;
    for (int64_t want = 1; want <= 3; want++) {
        AWAIT(o, pottery_aionextid_next(ids, on_value, &o));
        assert_ok(o.status);
        assert_int_equal(o.value, want);
    }
    uint64_t before[N];
    rts(before);
    AWAIT(o, pottery_aionextid_next(ids, on_value, &o));
    assert_int_equal(o.value, 4);
    assert_each_rt(before, 1); /* the steady state: one compare-and-set */

    int64_t id;
    assert_ok(pottery_nextid_next(&id, sync_ids));
    assert_int_equal(id, 5);
    rts(before);
    AWAIT(o, pottery_aionextid_next(ids, on_value, &o));
    assert_int_equal(o.value, 6);
    assert_each_rt(before, 3); /* refused, read, compare-and-set */

    AWAIT(o, pottery_aionextid_reset(ids, on_status, &o));
    assert_ok(o.status);
    AWAIT(o, pottery_aionextid_next(ids, on_value, &o));
    assert_int_equal(o.value, 1);

    memset(&o, 0, sizeof o);
    assert_ok(pottery_aionextid_next(ids, on_value, &o));
    assert_code(POTTERY_ESTATE, pottery_aionextid_next(ids, on_value, &o));
    run_until(&o.calls, 1, 5000);
    pottery_aionextid_free(ids);
    pottery_nextid_free(sync_ids);
}

static void ids_without_quorum(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3; i++) test_redis_kill(&masters[i]);
    pottery_aionextid *ids;
    assert_ok(pottery_aionextid_new(&ids, conns, N, NULL));
    outcome o;
    AWAIT(o, pottery_aionextid_next(ids, on_value, &o));
    assert_int_equal(o.status, POTTERY_EQUORUM);
    assert_int_equal(o.value, 0);
    assert_non_null(strstr(o.message, "after 3 tries"));
    AWAIT(o, pottery_aionextid_reset(ids, on_status, &o));
    assert_int_equal(o.status, POTTERY_EQUORUM);
    pottery_aionextid_free(ids);
}

/* ---- connections ---- */

/* EXISTS key in database db, asked from a script so that the raw connection stays on 0. */
static int exists_in_db(const test_redis *s, const char *db, const char *key)
{
    char *r = test_redis_cmdv(s, "EVAL", "redis.call('SELECT', ARGV[1]) return redis.call('EXISTS', KEYS[1])", "1", key,
                              db, (const char *)NULL);
    int n = r ? atoi(r) : -1;
    free(r);
    return n;
}

static void reconnect_with_auth_and_select(void **state)
{
    (void)state;
    test_redis secured;
    test_redis_options ropts = TEST_REDIS_OPTIONS_INIT;
    ropts.requirepass = "s3cret";
    assert_int_equal(test_redis_start(&secured, &ropts), 0);
    char url[600];
    snprintf(url, sizeof url, "redis://:s3cret@127.0.0.1:%d/3", secured.port);
    pottery_async *one = open_async(url, NULL);
    pottery_aioredlock *lock;
    assert_ok(pottery_aioredlock_new(&lock, "vault", &one, 1, NULL));
    outcome o;
    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(o.acquired, 1);
    assert_int_equal(exists_in_db(&secured, "3", "redlock:vault"), 1);
    assert_int_equal(exists_in_db(&secured, "0", "redlock:vault"), 0);

    /* The server drops every client: the next operation reconnects, AUTH and SELECT first. */
    free(test_redis_cmdv(&secured, "CLIENT", "KILL", "TYPE", "normal", (const char *)NULL));
    run_for(50);
    AWAIT(o, pottery_aioredlock_extend(lock, on_status, &o)); /* the drop was seen on the loop */
    assert_ok(o.status);
    pottery_client_stats s;
    pottery_async_stats_get(&s, one);
    assert_int_equal(s.reconnects, 1);
    assert_int_equal(exists_in_db(&secured, "3", "redlock:vault"), 1); /* SELECTed again */
    AWAIT(o, pottery_aioredlock_release(lock, on_status, &o));
    assert_ok(o.status);

    /* A wrong password: the commands fail with the server's refusal, nothing runs. */
    snprintf(url, sizeof url, "redis://:wrong@127.0.0.1:%d/3", secured.port);
    pottery_async *bad = open_async(url, NULL);
    pottery_aioredlock *denied;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.raise_on_redis_errors = 1; /* the refusal itself, not just "not acquired" */
    assert_ok(pottery_aioredlock_new(&denied, "vault", &bad, 1, &opts));
    AWAIT(o, pottery_aioredlock_acquire(denied, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(o.status, POTTERY_EIMPOSSIBLE);
    assert_int_equal(o.acquired, 0);
    assert_non_null(strstr(o.message, "AUTH"));
    pottery_aioredlock_free(denied);
    pottery_async_free(bad);
    pottery_aioredlock_free(lock);
    pottery_async_free(one);
    test_redis_stop(&secured);
}

static void script_cache_flushed(void **state)
{
    (void)state;
    pottery_aioredlock *lock = alock("loft", 0);
    outcome o;
    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    AWAIT(o, pottery_aioredlock_release(lock, on_status, &o)); /* EVAL: loads the script */
    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    for (size_t i = 0; i < N; i++) free(test_redis_cmdv(&masters[i], "SCRIPT", "FLUSH", (const char *)NULL));
    uint64_t before[N];
    rts(before);
    AWAIT(o, pottery_aioredlock_release(lock, on_status, &o)); /* EVALSHA, NOSCRIPT, EVAL */
    assert_ok(o.status);
    assert_each_rt(before, 2);
    assert_int_equal(holders_of("redlock:loft"), 0);
    pottery_aioredlock_free(lock);
}

/* A server that answers what nobody asked, or announces absurd sizes. */
static const char *hostile_reply;

static fake_action hostile(int conn, int argc, char **argv, void *userdata)
{
    (void)conn;
    (void)argc;
    (void)argv;
    (void)userdata;
    fake_action a = { hostile_reply, 0, 0 };
    return a;
}

static void hostile_servers(void **state)
{
    (void)state;
    static const char *replies[] = {
        "+OK\r\n+OK\r\n",     /* a second, unsolicited reply */
        "*2147483647\r\n",    /* an array too large */
        "$2147483647\r\nabc", /* a string too large */
        "!not RESP\r\n",      /* not RESP */
    };
    for (size_t k = 0; k < sizeof replies / sizeof *replies; k++) {
        hostile_reply = replies[k];
        fake_server *fs;
        assert_int_equal(fake_server_start_actions(&fs, hostile, NULL), 0);
        char url[64];
        snprintf(url, sizeof url, "redis://127.0.0.1:%d", fake_server_port(fs));
        pottery_async *one = open_async(url, NULL);
        pottery_aioredlock *lock;
        pottery_redlock_options opts;
        pottery_redlock_options_init(&opts);
        opts.raise_on_redis_errors = 1;
        assert_ok(pottery_aioredlock_new(&lock, "x", &one, 1, &opts));
        outcome o;
        AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
        if (k == 0) { /* the first reply is a valid acquire; the second breaks the connection */
            assert_int_equal(o.acquired, 1);
            AWAIT(o, pottery_aioredlock_locked(lock, on_value, &o));
        }
        assert_int_equal(o.status, POTTERY_EIMPOSSIBLE);
        assert_true(strstr(o.message, "protocol") != NULL || strstr(o.message, "unsolicited") != NULL ||
                    strstr(o.message, "asked") != NULL);
        pottery_aioredlock_free(lock);
        pottery_async_free(one);
        fake_server_stop(fs);
    }
}

/* A connect that never completes (a listener whose backlog is full), and a server that
 * hangs up on every command: clear errors within the timeouts, then nothing left behind. */
static fake_action hang_up(int conn, int argc, char **argv, void *userdata)
{
    (void)conn;
    (void)argc;
    (void)argv;
    (void)userdata;
    fake_action a = { NULL, 0, 1 };
    return a;
}

static void unreachable_servers(void **state)
{
    (void)state;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.raise_on_redis_errors = 1;
    pottery_client_options copts;
    pottery_client_options_init(&copts);
    copts.connect_timeout_ms = 200;
    copts.command_timeout_ms = 200;
    outcome o;

    full_listener full;
    assert_int_equal(full_listener_open(&full), 0);
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", full.port);
    pottery_async *one = open_async(url, &copts);
    pottery_aioredlock *lock;
    assert_ok(pottery_aioredlock_new(&lock, "x", &one, 1, &opts));
    int64_t start = now_ns();
    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(o.status, POTTERY_EIMPOSSIBLE);
    assert_non_null(strstr(o.message, "timeout"));
    assert_true(now_ns() - start < 2000 * 1000000LL);
    pottery_aioredlock_free(lock);
    pottery_async_free(one);
    full_listener_close(&full);

    fake_server *fs;
    assert_int_equal(fake_server_start_actions(&fs, hang_up, NULL), 0);
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", fake_server_port(fs));
    one = open_async(url, &copts);
    assert_ok(pottery_aioredlock_new(&lock, "x", &one, 1, &opts));
    for (int i = 0; i < 3; i++) { /* each fan-out reconnects, and is hung up on */
        AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
        assert_int_equal(o.status, POTTERY_EIMPOSSIBLE);
        assert_non_null(strstr(o.message, "connection lost"));
    }
    pottery_client_stats s;
    pottery_async_stats_get(&s, one);
    assert_int_equal(s.reconnects, 5); /* 3 attempts and their 3 clean-up releases: 6 connects */
    pottery_aioredlock_free(lock);
    pottery_async_free(one);
    fake_server_stop(fs);
}

/* ---- bad input ---- */

static void bad_input(void **state)
{
    (void)state;
    pottery_async *none = NULL;
    pottery_aioredlock *lock = NULL;
    pottery_aionextid *ids = NULL;
    assert_code(POTTERY_EINVAL, pottery_async_open(NULL, &loop, masters[0].url, NULL));
    assert_code(POTTERY_EINVAL, pottery_async_open(&none, NULL, masters[0].url, NULL));
    assert_null(none);
    assert_code(POTTERY_EINVAL, pottery_async_open(&none, &loop, "http://nope", NULL));
    assert_code(POTTERY_EINVAL, pottery_async_open(&none, &loop, "redis+cluster://127.0.0.1:7000", NULL));
    assert_message_contains("Redis Cluster is not supported");
    pottery_loop partial = loop;
    partial.timer_close = NULL;
    assert_code(POTTERY_EINVAL, pottery_async_open(&none, &partial, masters[0].url, NULL));
    partial = loop;
    partial.version = 0;
    assert_code(POTTERY_EINVAL, pottery_async_open(&none, &partial, masters[0].url, NULL));

    assert_code(POTTERY_EINVAL, pottery_aioredlock_new(&lock, NULL, conns, N, NULL));
    assert_code(POTTERY_EINVAL, pottery_aioredlock_new(&lock, "k", NULL, N, NULL));
    assert_code(POTTERY_EINVAL, pottery_aioredlock_new(&lock, "k", conns, 0, NULL));
    pottery_async *twice[2] = { conns[0], conns[0] };
    assert_code(POTTERY_EINVAL, pottery_aioredlock_new(&lock, "k", twice, 2, NULL));
    assert_null(lock);
    pottery_redlock_options bad;
    pottery_redlock_options_init(&bad);
    bad.auto_release_time_ms = 0;
    assert_code(POTTERY_EINVAL, pottery_aioredlock_new(&lock, "k", conns, N, &bad));
    assert_code(POTTERY_EINVAL, pottery_aionextid_new(&ids, NULL, 1, NULL));
    pottery_nextid_options nopts;
    pottery_nextid_options_init(&nopts);
    nopts.num_tries = 0;
    assert_code(POTTERY_EINVAL, pottery_aionextid_new(&ids, conns, N, &nopts));

    /* Masters on two loops. */
    void *other_native = kind->create();
    pottery_loop other;
    assert_int_equal(kind->fill(&other, other_native), 0);
    pottery_async *elsewhere = NULL;
    assert_ok(pottery_async_open(&elsewhere, &other, masters[0].url, NULL));
    pottery_async *mixed[2] = { conns[0], elsewhere };
    assert_code(POTTERY_EINVAL, pottery_aioredlock_new(&lock, "k", mixed, 2, NULL));
    pottery_async_free(elsewhere);
    assert_int_equal(kind->destroy(other_native), 0);

    lock = alock("k", 0);
    outcome o = { 0 };
    assert_code(POTTERY_EINVAL, pottery_aioredlock_acquire(NULL, 1, POTTERY_FOREVER, on_acquire, &o));
    assert_code(POTTERY_EINVAL, pottery_aioredlock_acquire(lock, 1, POTTERY_FOREVER, NULL, &o));
    assert_code(POTTERY_EINVAL, pottery_aioredlock_acquire(lock, 0, 100, on_acquire, &o));
    assert_code(POTTERY_EINVAL, pottery_aioredlock_acquire(lock, 1, -5, on_acquire, &o));
    assert_ok(pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_code(POTTERY_ESTATE, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_code(POTTERY_ESTATE, pottery_aioredlock_locked(lock, on_value, &o));
    run_until(&o.calls, 1, 5000);
    assert_int_equal(o.calls, 1); /* the refused starts called nothing */
    assert_code(POTTERY_ESTATE, pottery_aioredlock_with_end(lock, 0));
    assert_code(POTTERY_EINVAL, pottery_aioredlock_with(lock, NULL, on_status, &o));
    assert_null(pottery_aioredlock_key(NULL));
    assert_string_equal(pottery_aioredlock_key(lock), "redlock:k");
    pottery_aioredlock_free(lock);
    pottery_aioredlock_free(NULL);
    pottery_aionextid_free(NULL);
    pottery_async_free(NULL);
    assert_null(pottery_async_endpoint(NULL));
}

int main(int argc, char **argv)
{
    if (choose_loop(argc, argv) < 0) return 2;
    test_skip_from_env();
    /* The library must never raise SIGPIPE (masters die under writes here): keep its
     * default action, which would end the program. */
    signal(SIGPIPE, SIG_DFL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(acquire_locked_extend_release, setup, teardown),
        cmocka_unit_test_setup_teardown(never_acquired, setup, teardown),
        cmocka_unit_test_setup_teardown(held_elsewhere_and_timeouts, setup, teardown),
        cmocka_unit_test_setup_teardown(contention_excludes, setup, teardown),
        cmocka_unit_test_setup_teardown(loop_keeps_ticking, setup, teardown),
        cmocka_unit_test_setup_teardown(masters_killed_mid_operation, setup, teardown),
        cmocka_unit_test_setup_teardown(masters_frozen, setup, teardown),
        cmocka_unit_test_setup_teardown(free_cancels, setup, teardown),
        cmocka_unit_test_setup_teardown(free_in_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(sync_and_async_exclude, setup, teardown),
        cmocka_unit_test_setup_teardown(fencing_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(scoped_with, setup, teardown),
        cmocka_unit_test_setup_teardown(ids_follow_one_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(ids_without_quorum, setup, teardown),
        cmocka_unit_test_setup_teardown(reconnect_with_auth_and_select, setup, teardown),
        cmocka_unit_test_setup_teardown(script_cache_flushed, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile_servers, setup, teardown),
        cmocka_unit_test_setup_teardown(unreachable_servers, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input, setup, teardown),
    };
    return cmocka_run_group_tests_name(kind->name, tests, masters_setup, masters_teardown);
}
