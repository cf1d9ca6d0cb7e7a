/* pottery_aiowatchdog, the renewer of pottery_aioredlock locks on their event loop (libevent
 * or libuv: the program takes the adapter's name), against five private redis-server
 * masters: critical sections longer than the lease stay exclusive, one script call per
 * master per tick for many locks, the lock-lost signal (key deleted behind the holder,
 * masters frozen), the cap on the hold time, handles freed with a renewal in flight, a loop
 * that keeps ticking, and bad input. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "fake_server.h"
#include "pottery/aioredlock.h"
#include "support/test_fixture.h"

#include "support/aio_run.h"

#define N MASTERS
#define TIMEOUT_MS 300

/* ---- masters and handles ---- */

static pottery_async *conns[N];

static void open_conns(void)
{
    pottery_client_options opts;
    pottery_client_options_init(&opts);
    opts.command_timeout_ms = TIMEOUT_MS;
    opts.connect_timeout_ms = TIMEOUT_MS;
    for (size_t i = 0; i < N; i++) assert_ok(pottery_async_open(&conns[i], &loop, masters[i].url, &opts));
}

static int setup(void **state)
{
    (void)state;
    if (reset_masters(masters, N) < 0) return -1;
    native = kind->create();
    if (!native || kind->fill(&loop, native) != 0) return -1;
    open_conns();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < N; i++) {
        pottery_async_free(conns[i]);
        conns[i] = NULL;
    }
    assert_int_equal(kind->destroy(native), 0);
    native = NULL;
    return 0;
}

/* What on_lost was told, and what it should do then. */
typedef struct lost_rec {
    int calls;
    int reason;
    int64_t at_ns;
    pottery_aioredlock *free_lock;   /* freed from the callback */
    pottery_aiowatchdog **free_wd;   /* freed (and set to NULL) from the callback */
    const pottery_aioredlock *check; /* its flag must already be set */
} lost_rec;

static void on_lost(pottery_redlock *lock, int reason, void *payload)
{
    lost_rec *r = payload;
    assert_null(lock); /* an event-loop lock: told apart by its payload */
    r->calls++;
    r->reason = reason;
    r->at_ns = now_ns();
    if (r->check) assert_int_equal(pottery_aioredlock_lost(r->check), reason);
    if (r->free_lock) pottery_aioredlock_free(r->free_lock);
    if (r->free_wd) {
        pottery_aiowatchdog_free(*r->free_wd);
        *r->free_wd = NULL;
    }
}

static pottery_aioredlock *alock(const char *key, int64_t lease_ms, int64_t max_hold_ms, lost_rec *rec)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = lease_ms;
    opts.watchdog_max_hold_ms = max_hold_ms;
    opts.retry_delay_ms = 5;
    if (rec) {
        opts.on_lost = on_lost;
        opts.on_lost_payload = rec;
    }
    pottery_aioredlock *lock = NULL;
    assert_ok(pottery_aioredlock_new(&lock, key, conns, N, &opts));
    return lock;
}

static pottery_aiowatchdog *new_wd(void)
{
    pottery_aiowatchdog_options opts;
    pottery_aiowatchdog_options_init(&opts);
    pottery_aiowatchdog *wd = NULL;
    assert_ok(pottery_aiowatchdog_new(&wd, conns, N, &opts));
    return wd;
}

static void acquire(pottery_aioredlock *lock)
{
    outcome o;
    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(o.status, 0);
    assert_int_equal(o.acquired, 1);
}

static void release(pottery_aioredlock *lock, int expected)
{
    outcome o;
    AWAIT(o, pottery_aioredlock_release(lock, on_status, &o));
    assert_int_equal(o.status, expected);
}

/* n locks prefix0, prefix1... with a 600 ms lease, acquired and watched by wd. */
static void watch_many(pottery_aioredlock **locks, int n, const char *prefix, pottery_aiowatchdog *wd)
{
    for (int i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "%s%d", prefix, i);
        locks[i] = alock(key, 600, POTTERY_FOREVER, NULL);
        acquire(locks[i]);
        assert_ok(pottery_aioredlock_watch(locks[i], wd));
    }
}

static pottery_watchdog_stats wdstats(const pottery_aiowatchdog *wd)
{
    pottery_watchdog_stats s;
    pottery_aiowatchdog_stats_get(&s, wd);
    return s;
}

static long long script_calls(size_t i)
{
    return commandstats_calls(&masters[i], "evalsha") + commandstats_calls(&masters[i], "eval");
}

static void del_everywhere(const char *key)
{
    for (size_t i = 0; i < N; i++) free(test_redis_cmdv(&masters[i], "DEL", key, (const char *)NULL));
}

/* ---- exclusion past the lease ---- */

enum { WORKERS = 3, ROUNDS = 2, SECTION_MS = 500, SHORT_LEASE_MS = 300 };

typedef struct worker {
    pottery_aioredlock *lock;
    pottery_aiowatchdog *wd;
    pottery_loop_timer *timer;
    int left;
    char seen[32]; /* the shared counter read on entering */
} worker;

static int inside, overlaps, sections_done, failures;

static void worker_acquire(worker *w);

static void worker_released(int status, void *payload)
{
    worker *w = payload;
    if (status != 0) failures++;
    sections_done++;
    if (--w->left > 0) worker_acquire(w);
}

/* The section's end: write back the counter read on entering, plus one. */
static void worker_section_end(void *arg)
{
    worker *w = arg;
    char next[32];
    snprintf(next, sizeof next, "%lld", atoll(w->seen) + 1);
    free(test_redis_cmdv(&masters[0], "SET", "{t}total", next, (const char *)NULL));
    if (pottery_aioredlock_lost(w->lock)) failures++;
    inside--;
    assert_ok(pottery_aioredlock_release(w->lock, worker_released, w));
}

static void worker_acquired(int status, int acquired, void *payload)
{
    worker *w = payload;
    if (status != 0 || !acquired) {
        failures++;
        sections_done++;
        if (--w->left > 0) worker_acquire(w);
        return;
    }
    if (inside++ > 0) overlaps++;
    assert_ok(pottery_aioredlock_watch(w->lock, w->wd));
    char *v = test_redis_cmdv(&masters[0], "GET", "{t}total", (const char *)NULL);
    snprintf(w->seen, sizeof w->seen, "%s", v && strcmp(v, "(nil)") != 0 ? v : "0");
    free(v);
    assert_int_equal(loop.timer_start(w->timer, SECTION_MS), 0);
}

static void worker_acquire(worker *w)
{
    assert_ok(pottery_aioredlock_acquire(w->lock, 1, 20000, worker_acquired, w));
}

static void sections_longer_than_the_lease_stay_exclusive(void **state)
{
    (void)state;
    pottery_aiowatchdog *wd = new_wd();
    worker ws[WORKERS];
    inside = overlaps = sections_done = failures = 0;
    for (int i = 0; i < WORKERS; i++) {
        memset(&ws[i], 0, sizeof ws[i]);
        ws[i].lock = alock("shared", SHORT_LEASE_MS, POTTERY_FOREVER, NULL);
        ws[i].wd = wd;
        ws[i].left = ROUNDS;
        ws[i].timer = loop.timer_open(loop.data, worker_section_end, &ws[i]);
        assert_non_null(ws[i].timer);
        worker_acquire(&ws[i]);
    }
    run_until(&sections_done, WORKERS * ROUNDS, 30000);
    char *total = test_redis_cmdv(&masters[0], "GET", "{t}total", (const char *)NULL);
    print_message("[%s] %d sections of %d ms under a %d ms lease: total %s, %d overlaps, %d failures\n", kind->name,
                  WORKERS * ROUNDS, SECTION_MS, SHORT_LEASE_MS, total, overlaps, failures);
    assert_int_equal(atoi(total), WORKERS * ROUNDS);
    free(total);
    assert_int_equal(overlaps, 0);
    assert_int_equal(failures, 0);
    pottery_watchdog_stats s = wdstats(wd);
    assert_true(s.renewals >= (uint64_t)(WORKERS * ROUNDS * 2));
    assert_int_equal(s.lost, 0);
    assert_int_equal(s.watched, 0); /* every release unwatched */
    for (int i = 0; i < WORKERS; i++) {
        loop.timer_close(ws[i].timer);
        pottery_aioredlock_free(ws[i].lock);
    }
    pottery_aiowatchdog_free(wd);
}

/* ---- one call per master per tick ---- */

static void one_call_per_master_per_tick_for_many_locks(void **state)
{
    (void)state;
    enum { LOCKS = 50 };
    pottery_aiowatchdog *wd = new_wd();
    pottery_aioredlock *locks[LOCKS];
    watch_many(locks, LOCKS, "many", wd);
    assert_int_equal(wdstats(wd).watched, LOCKS);
    long long before[N];
    for (size_t i = 0; i < N; i++) before[i] = script_calls(i);
    pottery_watchdog_stats s0 = wdstats(wd);
    run_for(1300);
    pottery_watchdog_stats s = wdstats(wd);
    uint64_t ticks = s.ticks - s0.ticks, renewals = s.renewals - s0.renewals;
    print_message("[%s] %d locks, 1300 ms, 600 ms lease: %llu ticks, %llu calls, %llu renewals\n", kind->name, LOCKS,
                  (unsigned long long)ticks, (unsigned long long)(s.calls - s0.calls), (unsigned long long)renewals);
    assert_true(ticks >= 4 && ticks <= 10);
    assert_int_equal(s.calls - s0.calls, ticks);
    assert_true(renewals >= (uint64_t)LOCKS * 4);
    assert_int_equal(s.lost, 0);
    /* One script call on each master per tick, whatever the number of locks. */
    for (size_t i = 0; i < N; i++) {
        long long calls = script_calls(i) - before[i];
        assert_true(calls <= (long long)ticks + 1 && calls >= (long long)ticks - 1);
    }
    for (int i = 0; i < LOCKS; i++) {
        assert_int_equal(pottery_aioredlock_lost(locks[i]), 0);
        release(locks[i], 0);
        pottery_aioredlock_free(locks[i]);
    }
    assert_int_equal(wdstats(wd).watched, 0);
    pottery_aiowatchdog_free(wd);
}

/* ---- the loop keeps turning ---- */

static void loop_keeps_ticking(void **state)
{
    (void)state;
    enum { LOCKS = 20 };
    /* A frozen master: a renewal that waited for it on the loop's thread would stall the
     * ticker for the whole command timeout. */
    test_redis_pause(&masters[4]);
    pottery_aiowatchdog *wd = new_wd();
    pottery_aioredlock *locks[LOCKS];
    watch_many(locks, LOCKS, "tick", wd);
    ticker t;
    ticker_start(&t, 2);
    run_for(1300);
    ticker_stop(&t);
    pottery_watchdog_stats s = wdstats(wd);
    print_message("[%s] longest gap between 2 ms ticks during %llu renewal ticks of %d locks with a frozen "
                  "master: %.1f ms (%ld ticks)\n",
                  kind->name, (unsigned long long)s.ticks, LOCKS, (double)t.max_gap_ns / 1e6, t.ticks);
    assert_true(s.ticks >= 4);
    assert_int_equal(s.lost, 0);
    assert_true(t.max_gap_ns < 150 * 1000000LL);
    for (int i = 0; i < LOCKS; i++) {
        assert_int_equal(pottery_aioredlock_lost(locks[i]), 0);
        pottery_aioredlock_free(locks[i]);
    }
    pottery_aiowatchdog_free(wd);
    test_redis_resume(&masters[4]);
}

/* ---- the lock-lost signal ---- */

static void lost_when_the_key_is_deleted(void **state)
{
    (void)state;
    pottery_aiowatchdog *wd = new_wd();
    lost_rec rec = { 0 };
    pottery_aioredlock *lock = alock("deleted", 600, POTTERY_FOREVER, &rec);
    rec.check = lock;
    acquire(lock);
    assert_ok(pottery_aioredlock_watch(lock, wd));
    run_for(250); /* renewed once */
    assert_int_equal(rec.calls, 0);
    assert_true(wdstats(wd).renewals >= 1);
    int64_t deleted = now_ns();
    del_everywhere("redlock:deleted");
    run_until(&rec.calls, 1, 5000);
    double after_ms = (double)(rec.at_ns - deleted) / 1e6;
    print_message("[%s] key deleted: lost after %.0f ms (renewal interval 200 ms)\n", kind->name, after_ms);
    assert_int_equal(rec.reason, POTTERY_REDLOCK_LOST_TAKEN);
    assert_int_equal(pottery_aioredlock_lost(lock), POTTERY_REDLOCK_LOST_TAKEN);
    assert_true(after_ms < 300);
    pottery_watchdog_stats s = wdstats(wd);
    assert_int_equal(s.lost, 1);
    assert_int_equal(s.watched, 0);
    /* Lost already: not watched again, and the watchdog has stopped renewing it. */
    assert_code(POTTERY_EUNLOCKED, pottery_aioredlock_watch(lock, wd));
    run_for(300);
    assert_int_equal(rec.calls, 1);
    release(lock, POTTERY_EUNLOCKED);
    /* A new acquire clears the flag. */
    acquire(lock);
    assert_int_equal(pottery_aioredlock_lost(lock), 0);
    release(lock, 0);
    pottery_aioredlock_free(lock);
    pottery_aiowatchdog_free(wd);
}

static void lost_when_masters_freeze(void **state)
{
    (void)state;
    enum { LEASE_MS = 900 };
    pottery_aiowatchdog *wd = new_wd();
    lost_rec rec = { 0 };
    pottery_aioredlock *lock = alock("frozen", LEASE_MS, POTTERY_FOREVER, &rec);
    rec.check = lock;
    acquire(lock);
    assert_ok(pottery_aioredlock_watch(lock, wd));
    run_for(350);
    assert_int_equal(rec.calls, 0);
    int64_t renewed_before = now_ns();
    for (size_t i = 0; i < 3; i++) test_redis_pause(&masters[i]);
    run_until(&rec.calls, 1, 5000);
    double after_ms = (double)(rec.at_ns - renewed_before) / 1e6;
    print_message("[%s] 3 of 5 masters frozen: lost after %.0f ms (lease %d ms)\n", kind->name, after_ms, LEASE_MS);
    assert_int_equal(rec.reason, POTTERY_REDLOCK_LOST_UNREACHABLE);
    assert_true(after_ms < LEASE_MS - 100); /* before the lease the last renewal granted ends */
    for (size_t i = 0; i < 3; i++) test_redis_resume(&masters[i]);
    pottery_aioredlock_free(lock);
    pottery_aiowatchdog_free(wd);
}

static void hold_cap_stops_the_renewals(void **state)
{
    (void)state;
    pottery_aiowatchdog *wd = new_wd();
    lost_rec rec = { 0 };
    pottery_aioredlock *lock = alock("capped", 300, 700, &rec);
    int64_t start = now_ns();
    acquire(lock);
    assert_ok(pottery_aioredlock_watch(lock, wd));
    run_until(&rec.calls, 1, 5000);
    double after_ms = (double)(rec.at_ns - start) / 1e6;
    print_message("[%s] 700 ms cap, 300 ms lease: stopped after %.0f ms\n", kind->name, after_ms);
    assert_int_equal(rec.reason, POTTERY_REDLOCK_LOST_MAX_HOLD);
    assert_int_equal(pottery_aioredlock_lost(lock), POTTERY_REDLOCK_LOST_MAX_HOLD);
    assert_true(after_ms >= 350 && after_ms < 800);
    /* Never renewed past the cap: the key is gone by then. */
    run_for(1000 - (int64_t)after_ms);
    char *v = test_redis_cmdv(&masters[0], "GET", "redlock:capped", (const char *)NULL);
    assert_string_equal(v, "(nil)");
    free(v);
    pottery_aioredlock_free(lock);
    pottery_aiowatchdog_free(wd);
}

/* ---- handles freed with a renewal in flight, or from on_lost ---- */

static void free_during_a_renewal(void **state)
{
    (void)state;
    pottery_aiowatchdog *wd = new_wd();
    lost_rec rec_a = { 0 }, rec_b = { 0 };
    pottery_aioredlock *a = alock("fa", 1200, POTTERY_FOREVER, &rec_a);
    pottery_aioredlock *b = alock("fb", 1200, POTTERY_FOREVER, &rec_b);
    acquire(a);
    acquire(b);
    assert_ok(pottery_aioredlock_watch(a, wd));
    assert_ok(pottery_aioredlock_watch(b, wd));
    /* Every master frozen at the first tick (400 ms): its renewal waits for 400 ms. The
     * margins are wide so that a loaded machine keeps the order of events. */
    for (size_t i = 0; i < N; i++) test_redis_pause(&masters[i]);
    run_for(540);
    pottery_watchdog_stats s = wdstats(wd);
    assert_int_equal(s.ticks, 0); /* the renewal is in flight */
    pottery_aioredlock_free(a);   /* its renewal's outcome is dropped */
    run_for(600);
    s = wdstats(wd);
    assert_int_equal(s.ticks, 1);
    assert_int_equal(rec_a.calls, 0);
    assert_int_equal(rec_b.calls, 1); /* b is lost, a was freed */
    assert_int_equal(s.lost, 1);
    /* The watchdog freed with a renewal in flight: nothing is called afterwards. */
    lost_rec rec_c = { 0 };
    pottery_aioredlock *c = alock("fc", 1200, POTTERY_FOREVER, &rec_c);
    for (size_t i = 0; i < N; i++) test_redis_resume(&masters[i]);
    acquire(c);
    assert_ok(pottery_aioredlock_watch(c, wd));
    for (size_t i = 0; i < N; i++) test_redis_pause(&masters[i]);
    run_for(540);
    assert_int_equal(wdstats(wd).ticks, 1);
    pottery_aiowatchdog_free(wd);
    run_for(600);
    assert_int_equal(rec_c.calls, 0);
    assert_int_equal(pottery_aioredlock_lost(c), 0);
    pottery_aioredlock_unwatch(c); /* no longer watched: nothing to do */
    for (size_t i = 0; i < N; i++) test_redis_resume(&masters[i]);
    pottery_aioredlock_free(b);
    pottery_aioredlock_free(c);
}

static void free_from_on_lost(void **state)
{
    (void)state;
    pottery_aiowatchdog *wd = new_wd();
    lost_rec rec[3] = { { 0 } };
    pottery_aioredlock *locks[3];
    for (int i = 0; i < 3; i++) {
        char key[16];
        snprintf(key, sizeof key, "ol%d", i);
        locks[i] = alock(key, 600, POTTERY_FOREVER, &rec[i]);
        acquire(locks[i]);
        assert_ok(pottery_aioredlock_watch(locks[i], wd));
    }
    /* Each lock lost at the same tick: the first callback told frees its own lock, the
     * others' locks and the watchdog; no other callback runs after it. */
    for (int i = 0; i < 3; i++) {
        rec[i].free_lock = locks[i];
        rec[i].free_wd = &wd;
    }
    for (int i = 0; i < 3; i++) {
        char key[32];
        snprintf(key, sizeof key, "redlock:ol%d", i);
        del_everywhere(key);
    }
    int total = 0;
    int64_t end = now_ns() + 2000 * 1000000LL;
    while (wd && now_ns() < end) run_for(20);
    for (int i = 0; i < 3; i++) total += rec[i].calls;
    assert_null(wd);
    assert_int_equal(total, 1);
    for (int i = 0; i < 3; i++)
        if (!rec[i].calls) pottery_aioredlock_free(locks[i]);
}

/* ---- a hostile master ---- */

/* A one-master "server" that grants every SET and answers each renewal (EVAL; EVALSHA
 * first gets NOSCRIPT) with renewal_reply. */
static const char *renewal_reply;

static const char *renewer(int argc, char **argv, void *userdata)
{
    (void)argc;
    (void)userdata;
    if (strcasecmp(argv[0], "SET") == 0) return "+OK\r\n";
    if (strcasecmp(argv[0], "EVALSHA") == 0) return "-NOSCRIPT No matching script\r\n";
    return renewal_reply;
}

static void renewal_replies_are_checked(void **state)
{
    (void)state;
    static const struct {
        const char *reply;
        int reason;
    } rows[] = {
        { "*1\r\n:1\r\n", 0 },                                      /* renewed */
        { "*1\r\n:0\r\n", POTTERY_REDLOCK_LOST_TAKEN },             /* not ours any more */
        { ":1\r\n", POTTERY_REDLOCK_LOST_UNREACHABLE },             /* not an array */
        { "*2\r\n:1\r\n:1\r\n", POTTERY_REDLOCK_LOST_UNREACHABLE }, /* one result too many */
        { "*1\r\n:7\r\n", POTTERY_REDLOCK_LOST_UNREACHABLE },       /* out of range */
        { "*1\r\n$1\r\n1\r\n", POTTERY_REDLOCK_LOST_UNREACHABLE },  /* a string */
        { "-ERR busy\r\n", POTTERY_REDLOCK_LOST_UNREACHABLE },      /* an error */
    };
    for (size_t k = 0; k < sizeof rows / sizeof *rows; k++) {
        renewal_reply = rows[k].reply;
        fake_server *fs;
        assert_int_equal(fake_server_start(&fs, renewer, NULL), 0);
        char url[64];
        snprintf(url, sizeof url, "redis://127.0.0.1:%d", fake_server_port(fs));
        pottery_async *one = NULL;
        assert_ok(pottery_async_open(&one, &loop, url, NULL));
        pottery_aiowatchdog *wd = NULL;
        assert_ok(pottery_aiowatchdog_new(&wd, &one, 1, NULL));
        lost_rec rec = { 0 };
        pottery_redlock_options opts;
        pottery_redlock_options_init(&opts);
        opts.auto_release_time_ms = 300;
        opts.on_lost = on_lost;
        opts.on_lost_payload = &rec;
        pottery_aioredlock *lock = NULL;
        assert_ok(pottery_aioredlock_new(&lock, "x", &one, 1, &opts));
        acquire(lock);
        assert_ok(pottery_aioredlock_watch(lock, wd));
        run_for(400);
        assert_int_equal(rec.calls, rows[k].reason != 0);
        assert_int_equal(rec.reason, rows[k].reason);
        assert_int_equal(pottery_aioredlock_lost(lock), rows[k].reason);
        if (rows[k].reason == 0) assert_true(wdstats(wd).renewals >= 2);
        pottery_aioredlock_free(lock);
        pottery_aiowatchdog_free(wd);
        pottery_async_free(one);
        fake_server_stop(fs);
    }
}

/* ---- bad input ---- */

static void bad_input(void **state)
{
    (void)state;
    pottery_aiowatchdog *wd = NULL;
    pottery_aiowatchdog_options opts;
    pottery_aiowatchdog_options_init(&opts);
    assert_code(POTTERY_EINVAL, pottery_aiowatchdog_new(NULL, conns, N, NULL));
    assert_code(POTTERY_EINVAL, pottery_aiowatchdog_new(&wd, NULL, N, NULL));
    assert_code(POTTERY_EINVAL, pottery_aiowatchdog_new(&wd, conns, 0, NULL));
    pottery_async *twice[2] = { conns[0], conns[0] };
    assert_code(POTTERY_EINVAL, pottery_aiowatchdog_new(&wd, twice, 2, NULL));
    opts.version = 0;
    assert_code(POTTERY_EINVAL, pottery_aiowatchdog_new(&wd, conns, N, &opts));
    opts.version = POTTERY_AIOWATCHDOG_OPTIONS_VERSION + 1;
    assert_code(POTTERY_EINVAL, pottery_aiowatchdog_new(&wd, conns, N, &opts));
    assert_null(wd);
    wd = new_wd();

    lost_rec rec = { 0 };
    pottery_aioredlock *lock = alock("bad", 1000, POTTERY_FOREVER, &rec); /* on_lost is accepted */
    assert_code(POTTERY_EINVAL, pottery_aioredlock_watch(NULL, wd));
    assert_code(POTTERY_EINVAL, pottery_aioredlock_watch(lock, NULL));
    assert_code(POTTERY_EUNLOCKED, pottery_aioredlock_watch(lock, wd)); /* never acquired */
    acquire(lock);
    /* Other masters, or the same in another order. */
    pottery_aiowatchdog *three = NULL, *swapped = NULL;
    assert_ok(pottery_aiowatchdog_new(&three, conns, 3, NULL));
    pottery_async *order[N];
    memcpy(order, conns, sizeof order);
    order[0] = conns[1];
    order[1] = conns[0];
    assert_ok(pottery_aiowatchdog_new(&swapped, order, N, NULL));
    assert_code(POTTERY_EINVAL, pottery_aioredlock_watch(lock, three));
    assert_code(POTTERY_EINVAL, pottery_aioredlock_watch(lock, swapped));
    pottery_aiowatchdog_free(three);
    pottery_aiowatchdog_free(swapped);
    /* Watching twice moves nothing; watching then releasing unwatches. */
    assert_ok(pottery_aioredlock_watch(lock, wd));
    assert_ok(pottery_aioredlock_watch(lock, wd));
    assert_int_equal(wdstats(wd).watched, 1);
    release(lock, 0);
    assert_int_equal(wdstats(wd).watched, 0);
    assert_code(POTTERY_EUNLOCKED, pottery_aioredlock_watch(lock, wd)); /* released */
    pottery_aioredlock_free(lock);

    /* A cap below the lease. */
    lock = alock("bad2", 1000, 500, NULL);
    acquire(lock);
    assert_code(POTTERY_EINVAL, pottery_aioredlock_watch(lock, wd));
    release(lock, 0);
    pottery_aioredlock_free(lock);

    pottery_aioredlock_unwatch(NULL);
    assert_int_equal(pottery_aioredlock_lost(NULL), 0);
    pottery_aiowatchdog_stats_get(NULL, wd);
    pottery_watchdog_stats s;
    pottery_aiowatchdog_stats_get(&s, NULL);
    assert_int_equal(s.ticks, 0);
    pottery_aiowatchdog_free(NULL);
    pottery_aiowatchdog_free(wd);
}

int main(int argc, char **argv)
{
    if (choose_loop(argc, argv) < 0) return 2;
    test_skip_from_env();
    signal(SIGPIPE, SIG_DFL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sections_longer_than_the_lease_stay_exclusive, setup, teardown),
        cmocka_unit_test_setup_teardown(one_call_per_master_per_tick_for_many_locks, setup, teardown),
        cmocka_unit_test_setup_teardown(loop_keeps_ticking, setup, teardown),
        cmocka_unit_test_setup_teardown(lost_when_the_key_is_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(lost_when_masters_freeze, setup, teardown),
        cmocka_unit_test_setup_teardown(hold_cap_stops_the_renewals, setup, teardown),
        cmocka_unit_test_setup_teardown(free_during_a_renewal, setup, teardown),
        cmocka_unit_test_setup_teardown(free_from_on_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(renewal_replies_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input, setup, teardown),
    };
    return cmocka_run_group_tests_name(kind->name, tests, masters_setup, masters_teardown);
}
