/* Lock lifetime: fencing tokens, the watchdog that renews held locks, the lock-lost signal
 * and the cap on the hold time, for pottery_redlock on one server (or a cluster, in the
 * _cluster run) and on five Redlock masters; mutual exclusion between forked processes
 * whose critical sections outlast the lease; version-1 options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/test_fixture.h"

#define N MASTERS

static test_redis counter_server; /* the workers' shared counter and token log */

/* ---- helpers ---- */

static pottery_redlock *lock_with(const char *key, pottery_client *const *ms, size_t n, int64_t lease_ms, int fencing)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = lease_ms;
    opts.fencing = fencing;
    opts.retry_delay_ms = 5;
    pottery_redlock *lock = NULL;
    assert_ok(pottery_redlock_new(&lock, key, ms, n, &opts));
    return lock;
}

static int acquire_now(pottery_redlock *lock)
{
    int acquired = -1;
    assert_ok(pottery_redlock_acquire(&acquired, lock, 0, POTTERY_FOREVER));
    return acquired;
}

static int64_t token_of(const pottery_redlock *lock)
{
    int64_t t = -1;
    assert_ok(pottery_redlock_fencing_token(&t, lock));
    return t;
}

static const char *master_urls[N];

static pottery_watchdog *watchdog_on_masters(size_t n)
{
    for (size_t i = 0; i < N; i++) master_urls[i] = masters[i].url;
    pottery_client_options copts;
    pottery_client_options_init(&copts);
    copts.command_timeout_ms = 300;
    copts.connect_timeout_ms = 300;
    pottery_watchdog_options wopts;
    pottery_watchdog_options_init(&wopts);
    wopts.client = &copts;
    pottery_watchdog *wd = NULL;
    assert_ok(pottery_watchdog_new(&wd, master_urls, n, &wopts));
    return wd;
}

static pottery_watchdog *watchdog_on_fixture(void)
{
    const char *url = fixture_url();
    pottery_watchdog *wd = NULL;
    assert_ok(pottery_watchdog_new(&wd, &url, 1, NULL));
    return wd;
}

static long long pttl_on(const test_redis *s, const char *key)
{
    char *r = test_redis_cmdv(s, "PTTL", key, (const char *)NULL);
    long long v = r ? atoll(r) : -3;
    free(r);
    return v;
}

static long long raw_pttl(const char *key)
{
    char *r = raw("PTTL", key, (const char *)NULL);
    long long v = r ? atoll(r) : -3;
    free(r);
    return v;
}

static pottery_watchdog_stats wd_stats(pottery_watchdog *wd)
{
    pottery_watchdog_stats s;
    pottery_watchdog_stats_get(&s, wd);
    return s;
}

/* What an on_lost callback saw (it runs on the watchdog's thread). */
typedef struct lost_log {
    _Atomic int calls;
    _Atomic int reason;
    double at_ms;
} lost_log;

static void on_lost(pottery_redlock *lock, int reason, void *payload)
{
    lost_log *log = payload;
    log->at_ms = now_ms();
    /* The flag is up before the callback runs. */
    atomic_store(&log->reason, pottery_redlock_lost(lock) == reason ? reason : -1);
    atomic_fetch_add(&log->calls, 1);
}

static pottery_redlock *watched_lock(const char *key, pottery_client *const *ms, size_t n, int64_t lease_ms,
                                     int64_t max_hold_ms, lost_log *log)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = lease_ms;
    opts.watchdog_max_hold_ms = max_hold_ms;
    opts.on_lost = log ? on_lost : NULL;
    opts.on_lost_payload = log;
    pottery_redlock *lock = NULL;
    assert_ok(pottery_redlock_new(&lock, key, ms, n, &opts));
    return lock;
}

/* Poll the lost flag for up to limit_ms: the time it took, or -1. */
static double wait_lost(const pottery_redlock *lock, double since, double limit_ms)
{
    while (now_ms() - since < limit_ms) {
        if (pottery_redlock_lost(lock)) return now_ms() - since;
        sleep_ms(2);
    }
    return -1;
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
    if (fixture_setup(state) != 0 || masters_setup(state) != 0) return -1;
    return test_redis_start(&counter_server, NULL);
}

static int group_teardown(void **state)
{
    test_redis_stop(&counter_server);
    masters_teardown(state);
    return fixture_teardown(state);
}

static int reset(void **state)
{
    if (fixture_reset(state) != 0 || masters_reset(state) != 0) return -1;
    free(test_redis_cmdv(&counter_server, "FLUSHALL", (const char *)NULL));
    return 0;
}

/* ---- fencing tokens ---- */

static void fencing_tokens_on_one_server(void **state)
{
    (void)state;
    pottery_redlock *a = lock_with("fenced", &client, 1, 5000, 1), *b = lock_with("fenced", &client, 1, 5000, 1);
    int64_t t = -1;
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_fencing_token(&t, a));
    assert_int_equal(t, -1);
    /* One round trip: SET NX PX and INCR in one script. */
    assert_round_trips(1, pottery_redlock_acquire(&(int){ 0 }, a, 0, POTTERY_FOREVER));
    assert_int_equal(token_of(a), 1);
    /* The counter sits beside the lock, in its hash slot, without expiry. */
    assert_raw("1", raw("GET", "{redlock:fenced}:fence", (const char *)NULL));
    assert_raw("-1", raw("PTTL", "{redlock:fenced}:fence", (const char *)NULL));
    assert_int_equal(pottery__key_slot("{redlock:fenced}:fence", 22), pottery__key_slot("redlock:fenced", 14));
    /* A refused attempt draws nothing. */
    assert_int_equal(acquire_now(b), 0);
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_fencing_token(&t, b));
    assert_ok(pottery_redlock_release(a));
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_fencing_token(&t, a));
    for (int64_t want = 2; want <= 6; want++) {
        pottery_redlock *who = want % 2 ? a : b;
        assert_int_equal(acquire_now(who), 1);
        assert_int_equal(token_of(who), want);
        assert_ok(pottery_redlock_release(who));
    }
    assert_raw("6", raw("GET", "{redlock:fenced}:fence", (const char *)NULL));
    /* A lock without the option has no token. */
    pottery_redlock *plain = lock_with("fenced", &client, 1, 5000, 0);
    assert_int_equal(acquire_now(plain), 1);
    assert_code(POTTERY_EINVAL, pottery_redlock_fencing_token(&t, plain));
    assert_message_contains("without the fencing option");
    assert_ok(pottery_redlock_release(plain));
    assert_code(POTTERY_EINVAL, pottery_redlock_fencing_token(NULL, a));
    assert_code(POTTERY_EINVAL, pottery_redlock_fencing_token(&t, NULL));
    /* A counter that is not an integer: not acquired (Redis' error as the vote), nothing
     * written. */
    assert_raw("OK", raw("SET", "{redlock:odd}:fence", "not a number", (const char *)NULL));
    pottery_redlock *odd = lock_with("odd", &client, 1, 5000, 1);
    assert_int_equal(acquire_now(odd), 0);
    assert_raw("0", raw("EXISTS", "redlock:odd", (const char *)NULL));
    assert_raw("not a number", raw("GET", "{redlock:odd}:fence", (const char *)NULL));
    pottery_redlock_free(odd);
    pottery_redlock_free(plain);
    pottery_redlock_free(a);
    pottery_redlock_free(b);
}

static void fencing_tokens_on_five_masters(void **state)
{
    (void)state;
    pottery_redlock *a = lock_with("fenced", clients, N, 5000, 1), *b = lock_with("fenced", clients, N, 5000, 1);
    assert_int_equal(acquire_now(a), 1);
    assert_int_equal(token_of(a), 1);
    assert_ok(pottery_redlock_release(a));
    /* Two masters lose their counters (restarted empty): the raise of each grant keeps the
     * others ahead, so the next quorum still counts past every token handed out. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(acquire_now(b), 1);
        assert_ok(pottery_redlock_release(b));
    }
    free(test_redis_cmdv(&masters[0], "DEL", "{redlock:fenced}:fence", (const char *)NULL));
    free(test_redis_cmdv(&masters[1], "DEL", "{redlock:fenced}:fence", (const char *)NULL));
    assert_int_equal(acquire_now(a), 1);
    assert_int_equal(token_of(a), 5);
    assert_ok(pottery_redlock_release(a));
    /* Every master's counter was raised to the last token. */
    for (size_t i = 0; i < N; i++)
        assert_raw("5", test_redis_cmdv(&masters[i], "GET", "{redlock:fenced}:fence", (const char *)NULL));
    pottery_redlock_free(a);
    pottery_redlock_free(b);
}

/* ---- processes: exclusion and tokens ---- */

#define WORKERS 4

typedef struct worker_args {
    int sections;
    int fenced;     /* log each grant's token */
    int watched;    /* sections longer than the lease, under a watchdog */
    int on_fixture; /* the fixture's client (server or cluster) instead of the five masters */
} worker_args;

typedef struct section_ctx {
    pottery_redlock *lock;
    int done;
    int sleep;
} section_ctx;

/* The non-atomic read, sleep, write; the token logged in grant order. */
static int section(void *payload)
{
    section_ctx *s = payload;
    char *got = test_redis_cmdv(&counter_server, "GET", "counter", (const char *)NULL);
    if (!got) return -1;
    long n = strcmp(got, "(nil)") == 0 ? 0 : atol(got);
    free(got);
    sleep_ms(s->sleep);
    if (pottery_redlock_lost(s->lock)) return -2;
    char text[32];
    snprintf(text, sizeof text, "%ld", n + 1);
    free(test_redis_cmdv(&counter_server, "SET", "counter", text, (const char *)NULL));
    int64_t token;
    if (pottery_redlock_fencing_token(&token, s->lock) == 0) {
        snprintf(text, sizeof text, "%lld", (long long)token);
        free(test_redis_cmdv(&counter_server, "RPUSH", "tokens", text, (const char *)NULL));
    }
    s->done++;
    return 0;
}

static int worker(pottery_client *mine, int w, void *arg)
{
    (void)w;
    const worker_args *a = arg;
    pottery_client *own[N] = { NULL };
    pottery_client *const *ms = &mine;
    size_t n = 1;
    if (!a->on_fixture) {
        pottery_client_options copts;
        pottery_client_options_init(&copts);
        copts.command_timeout_ms = 300;
        for (size_t i = 0; i < N; i++)
            if (pottery_client_open(&own[i], masters[i].url, &copts) < 0) return 10;
        ms = own;
        n = N;
    }
    pottery_watchdog *wd = NULL;
    if (a->watched) {
        const char *url = fixture_url();
        if (pottery_watchdog_new(&wd, a->on_fixture ? &url : master_urls, n, NULL) < 0) return 11;
    }
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.retry_delay_ms = 5;
    opts.fencing = a->fenced;
    opts.auto_release_time_ms = a->watched ? 150 : 10000;
    pottery_redlock *lock;
    if (pottery_redlock_new(&lock, "counter", ms, n, &opts) < 0) return 12;
    section_ctx s = { lock, 0, a->watched ? 300 : 1 };
    int failures = 0;
    while (s.done < a->sections && failures < 5) {
        int acquired = 0;
        if (pottery_redlock_acquire(&acquired, lock, 1, POTTERY_FOREVER) < 0 || !acquired) {
            failures++;
            continue;
        }
        if (wd && pottery_redlock_watch(lock, wd) < 0) failures++;
        if (section(&s) < 0 || pottery_redlock_release(lock) < 0) {
            fprintf(stderr, "worker: %s\n", pottery_error_last()->message);
            failures++;
        }
    }
    pottery_redlock_free(lock);
    pottery_watchdog_free(wd);
    for (size_t i = 0; i < N; i++) pottery_client_free(own[i]);
    return s.done == a->sections ? 0 : 1;
}

static void run_workers(const worker_args *a)
{
    pid_t pids[WORKERS];
    double t0 = now_ms();
    for (int i = 0; i < WORKERS; i++) pids[i] = fork_worker(worker, i, (void *)a);
    for (int i = 0; i < WORKERS; i++) assert_int_equal(wait_exit_code(pids[i]), 0);
    long total = (long)WORKERS * a->sections;
    print_message("%d processes x %d sections (%s%s, %s): %.0f ms\n", WORKERS, a->sections,
                  a->fenced ? "fencing" : "no token", a->watched ? ", 300 ms sections, 150 ms lease, watchdog" : "",
                  a->on_fixture ? "one server or cluster" : "5 masters", now_ms() - t0);
    char *got = test_redis_cmdv(&counter_server, "GET", "counter", (const char *)NULL);
    assert_int_equal(atol(got), total);
    free(got);
    if (!a->fenced) return;
    /* Tokens in grant order: strictly increasing. */
    long long last = 0;
    for (long i = 0; i < total; i++) {
        char idx[32];
        snprintf(idx, sizeof idx, "%ld", i);
        char *t = test_redis_cmdv(&counter_server, "LINDEX", "tokens", idx, (const char *)NULL);
        long long v = atoll(t);
        free(t);
        if (v <= last) fail_msg("grant %ld got token %lld after %lld", i, v, last);
        last = v;
    }
}

static void tokens_increase_across_processes_on_five_masters(void **state)
{
    (void)state;
    worker_args a = { 50, 1, 0, 0 };
    for (size_t i = 0; i < N; i++) master_urls[i] = masters[i].url;
    run_workers(&a);
}

static void tokens_increase_across_processes_on_one_server(void **state)
{
    (void)state;
    worker_args a = { 50, 1, 0, 1 };
    run_workers(&a);
}

static void watchdog_keeps_exclusion_past_the_lease(void **state)
{
    (void)state;
    worker_args a = { 3, 1, 1, 0 };
    for (size_t i = 0; i < N; i++) master_urls[i] = masters[i].url;
    run_workers(&a);
}

static void watchdog_keeps_exclusion_on_one_server(void **state)
{
    (void)state;
    worker_args a = { 3, 0, 1, 1 };
    run_workers(&a);
}

/* ---- the watchdog ---- */

static void watchdog_renews_until_released(void **state)
{
    (void)state;
    pottery_watchdog *wd = watchdog_on_masters(N);
    pottery_redlock *lock = watched_lock("long", clients, N, 300, POTTERY_FOREVER, NULL);
    pottery_redlock *other = watched_lock("long", clients, N, 300, POTTERY_FOREVER, NULL);
    assert_int_equal(acquire_now(lock), 1);
    assert_ok(pottery_redlock_watch(lock, wd));
    assert_int_equal(wd_stats(wd).watched, 1);
    /* Four leases later it is still held everywhere; nobody else gets it. */
    sleep_ms(1200);
    assert_int_equal(pottery_redlock_lost(lock), 0);
    for (size_t i = 0; i < N; i++) assert_true(pttl_on(&masters[i], "redlock:long") > 0);
    assert_int_equal(acquire_now(other), 0);
    int64_t validity = 0;
    assert_ok(pottery_redlock_locked(&validity, lock));
    assert_true(validity > 0);
    pottery_watchdog_stats s = wd_stats(wd);
    print_message("1200 ms with a 300 ms lease: %llu ticks, %llu renewals\n", (unsigned long long)s.ticks,
                  (unsigned long long)s.renewals);
    assert_true(s.renewals >= 8 && s.renewals <= 16);
    assert_int_equal(s.ticks, s.calls);
    /* Release unwatches: the key is gone and stays gone. */
    assert_ok(pottery_redlock_release(lock));
    assert_int_equal(wd_stats(wd).watched, 0);
    sleep_ms(250);
    for (size_t i = 0; i < N; i++) assert_int_equal(pttl_on(&masters[i], "redlock:long"), -2);
    /* Unwatch: the lease runs out by itself. */
    assert_int_equal(acquire_now(lock), 1);
    assert_ok(pottery_redlock_watch(lock, wd));
    assert_ok(pottery_redlock_watch(lock, wd)); /* again: still one */
    assert_int_equal(wd_stats(wd).watched, 1);
    pottery_redlock_unwatch(lock);
    pottery_redlock_unwatch(lock);
    assert_int_equal(wd_stats(wd).watched, 0);
    sleep_ms(400);
    assert_int_equal(acquire_now(other), 1);
    assert_ok(pottery_redlock_release(other));
    /* Freed while watched: unwatched first. */
    assert_int_equal(acquire_now(lock), 1);
    assert_ok(pottery_redlock_watch(lock, wd));
    pottery_redlock_free(lock);
    assert_int_equal(wd_stats(wd).watched, 0);
    pottery_redlock_free(other);
    pottery_watchdog_free(wd);
}

static void one_call_per_master_per_tick_for_many_locks(void **state)
{
    (void)state;
    enum { LOCKS = 100 };
    pottery_watchdog *wd = watchdog_on_masters(N);
    pottery_redlock *locks[LOCKS];
    for (int i = 0; i < LOCKS; i++) {
        char key[32];
        snprintf(key, sizeof key, "many%d", i);
        locks[i] = watched_lock(key, clients, N, 600, POTTERY_FOREVER, NULL);
        assert_int_equal(acquire_now(locks[i]), 1);
        assert_ok(pottery_redlock_watch(locks[i], wd));
    }
    long long before[N];
    for (size_t i = 0; i < N; i++)
        before[i] = commandstats_calls(&masters[i], "evalsha") + commandstats_calls(&masters[i], "eval");
    pottery_watchdog_stats s0 = wd_stats(wd);
    sleep_ms(1300);
    pottery_watchdog_stats s = wd_stats(wd);
    uint64_t ticks = s.ticks - s0.ticks, renewals = s.renewals - s0.renewals;
    print_message("%d locks, 1300 ms, 600 ms lease: %llu ticks, %llu renewals\n", LOCKS, (unsigned long long)ticks,
                  (unsigned long long)renewals);
    assert_true(ticks >= 4 && ticks <= 10);
    assert_true(renewals >= (uint64_t)LOCKS * 4);
    /* One script call on each master per tick, whatever the number of locks. */
    for (size_t i = 0; i < N; i++) {
        long long calls = commandstats_calls(&masters[i], "evalsha") + commandstats_calls(&masters[i], "eval");
        assert_true(calls - before[i] <= (long long)ticks + 1);
        assert_true(calls - before[i] >= (long long)ticks - 1);
    }
    for (int i = 0; i < LOCKS; i++) {
        assert_int_equal(pottery_redlock_lost(locks[i]), 0);
        assert_ok(pottery_redlock_release(locks[i]));
        pottery_redlock_free(locks[i]);
    }
    pottery_watchdog_free(wd);
}

static void watchdog_on_one_server(void **state)
{
    (void)state;
    pottery_watchdog *wd = watchdog_on_fixture();
    enum { LOCKS = 20 };
    pottery_redlock *locks[LOCKS];
    for (int i = 0; i < LOCKS; i++) {
        char key[32];
        snprintf(key, sizeof key, "one%d", i);
        locks[i] = watched_lock(key, &client, 1, 300, POTTERY_FOREVER, NULL);
        assert_int_equal(acquire_now(locks[i]), 1);
        assert_ok(pottery_redlock_watch(locks[i], wd));
    }
    sleep_ms(900);
    pottery_watchdog_stats s = wd_stats(wd);
    print_message("%d locks, 900 ms, 300 ms lease: %llu ticks, %llu script calls\n", LOCKS, (unsigned long long)s.ticks,
                  (unsigned long long)s.calls);
    /* On a server one call a tick; on a cluster one per hash slot. */
    if (!fixture_cluster_mode()) assert_int_equal(s.calls, s.ticks);
    for (int i = 0; i < LOCKS; i++) {
        assert_int_equal(pottery_redlock_lost(locks[i]), 0);
        assert_true(raw_pttl(pottery_redlock_key(locks[i])) > 0);
        assert_ok(pottery_redlock_release(locks[i]));
        pottery_redlock_free(locks[i]);
    }
    pottery_watchdog_free(wd);
}

/* ---- the lock-lost signal ---- */

static void lost_when_the_key_is_deleted_or_taken(void **state)
{
    (void)state;
    pottery_watchdog *wd = watchdog_on_fixture();
    lost_log log = { 0 };
    pottery_redlock *lock = watched_lock("victim", &client, 1, 900, POTTERY_FOREVER, &log);
    /* Deleted behind the holder's back. */
    assert_int_equal(acquire_now(lock), 1);
    assert_ok(pottery_redlock_watch(lock, wd));
    sleep_ms(100);
    double t0 = now_ms();
    assert_raw("1", raw("DEL", "redlock:victim", (const char *)NULL));
    double took = wait_lost(lock, t0, 900);
    print_message("key deleted: lost after %.0f ms (900 ms lease, renewed every 300 ms)\n", took);
    assert_true(took >= 0 && took < 300 + 100);
    sleep_ms(20);
    assert_int_equal(atomic_load(&log.calls), 1);
    assert_int_equal(atomic_load(&log.reason), POTTERY_REDLOCK_LOST_TAKEN);
    assert_int_equal(wd_stats(wd).watched, 0);
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_watch(lock, wd));
    assert_message_contains("lost already");
    /* Taken: another value in its place. The acquire cleared the flag. */
    assert_int_equal(acquire_now(lock), 1);
    assert_int_equal(pottery_redlock_lost(lock), 0);
    assert_ok(pottery_redlock_watch(lock, wd));
    t0 = now_ms();
    assert_raw("OK", raw("SET", "redlock:victim", "someone-else", (const char *)NULL));
    took = wait_lost(lock, t0, 900);
    assert_true(took >= 0 && took < 300 + 100);
    sleep_ms(20);
    assert_int_equal(atomic_load(&log.calls), 2);
    assert_int_equal(pottery_redlock_lost(lock), POTTERY_REDLOCK_LOST_TAKEN);
    /* The other value was left alone. */
    assert_raw("someone-else", raw("GET", "redlock:victim", (const char *)NULL));
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_release(lock));
    pottery_redlock_free(lock);
    pottery_watchdog_free(wd);
}

static void lost_on_five_masters(void **state)
{
    (void)state;
    pottery_watchdog *wd = watchdog_on_masters(N);
    lost_log log = { 0 };
    pottery_redlock *lock = watched_lock("quorum", clients, N, 1500, POTTERY_FOREVER, &log);
    /* Two keys deleted: still a quorum, still held. */
    assert_int_equal(acquire_now(lock), 1);
    assert_ok(pottery_redlock_watch(lock, wd));
    for (size_t i = 0; i < 2; i++) free(test_redis_cmdv(&masters[i], "DEL", "redlock:quorum", (const char *)NULL));
    sleep_ms(700);
    assert_int_equal(pottery_redlock_lost(lock), 0);
    /* A third: taken, within a renewal interval. */
    double t0 = now_ms();
    free(test_redis_cmdv(&masters[2], "DEL", "redlock:quorum", (const char *)NULL));
    double took = wait_lost(lock, t0, 1500);
    assert_true(took >= 0 && took < 500 + 150);
    assert_int_equal(pottery_redlock_lost(lock), POTTERY_REDLOCK_LOST_TAKEN);
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_release(lock)); /* deletes it where still held */

    /* Three masters frozen: unreachable, told before the lease runs out. */
    assert_int_equal(acquire_now(lock), 1);
    assert_ok(pottery_redlock_watch(lock, wd));
    sleep_ms(100);
    t0 = now_ms();
    for (size_t i = 0; i < 3; i++) test_redis_pause(&masters[i]);
    took = wait_lost(lock, t0, 3000);
    long long left = pttl_on(&masters[4], "redlock:quorum");
    print_message("3 of 5 masters frozen: lost after %.0f ms, %lld ms of lease left (1500 ms lease)\n", took, left);
    assert_true(took >= 0 && took < 1500);
    assert_true(left > 0);
    assert_int_equal(pottery_redlock_lost(lock), POTTERY_REDLOCK_LOST_UNREACHABLE);
    sleep_ms(20);
    assert_int_equal(atomic_load(&log.calls), 2);
    assert_int_equal(atomic_load(&log.reason), POTTERY_REDLOCK_LOST_UNREACHABLE);
    for (size_t i = 0; i < 3; i++) test_redis_resume(&masters[i]);
    /* Thawed, they run the renewals they had queued: the holder's release cleans up. */
    sleep_ms(50);
    assert_ok(pottery_redlock_release(lock));

    /* Three masters killed: the same. */
    assert_int_equal(acquire_now(lock), 1);
    assert_ok(pottery_redlock_watch(lock, wd));
    t0 = now_ms();
    for (size_t i = 0; i < 3; i++) test_redis_kill(&masters[i]);
    took = wait_lost(lock, t0, 3000);
    left = pttl_on(&masters[4], "redlock:quorum");
    print_message("3 of 5 masters killed: lost after %.0f ms, %lld ms of lease left\n", took, left);
    assert_true(took >= 0 && took < 1500);
    assert_true(left > 0);
    assert_int_equal(pottery_redlock_lost(lock), POTTERY_REDLOCK_LOST_UNREACHABLE);
    pottery_redlock_free(lock);
    pottery_watchdog_free(wd);
}

static void max_hold_caps_the_watchdog(void **state)
{
    (void)state;
    pottery_watchdog *wd = watchdog_on_fixture();
    lost_log log = { 0 };
    pottery_redlock *lock = watched_lock("stuck", &client, 1, 300, 1000, &log);
    double t0 = now_ms();
    assert_int_equal(acquire_now(lock), 1);
    assert_ok(pottery_redlock_watch(lock, wd));
    double took = wait_lost(lock, t0, 2000);
    long long left = raw_pttl("redlock:stuck");
    print_message("max hold 1000 ms: watchdog stopped after %.0f ms, %lld ms of lease left\n", took, left);
    assert_int_equal(pottery_redlock_lost(lock), POTTERY_REDLOCK_LOST_MAX_HOLD);
    assert_true(took >= 600 && took <= 1000);
    /* Never held past the cap: the last lease ends by then. */
    assert_true(took + (double)left <= 1000 + 50);
    sleep_ms((long)(1000 - took) + 60);
    assert_int_equal(raw_pttl("redlock:stuck"), -2);
    sleep_ms(10);
    assert_int_equal(atomic_load(&log.reason), POTTERY_REDLOCK_LOST_MAX_HOLD);
    pottery_redlock_free(lock);
    pottery_watchdog_free(wd);
}

/* ---- options and bad input ---- */

/* A program compiled against the version-1 header: its struct ends after retry_delay_ms. */
typedef struct v1_options {
    unsigned int version;
    int64_t auto_release_time_ms;
    int num_extensions;
    int context_manager_blocking;
    int64_t context_manager_timeout_ms;
    int raise_on_redis_errors;
    int64_t retry_delay_ms;
} v1_options;

static void version_1_options_still_work(void **state)
{
    (void)state;
    /* Allocated at its own size, so that reading a version-2 member would be an overflow
     * that AddressSanitizer reports. */
    v1_options *v1 = malloc(sizeof *v1);
    assert_non_null(v1);
    *v1 = (v1_options){ 1, 400, 3, 1, POTTERY_FOREVER, 0, 200 };
    pottery_redlock *lock = NULL;
    assert_ok(pottery_redlock_new(&lock, "v1", &client, 1, (const pottery_redlock_options *)(void *)v1));
    assert_int_equal(acquire_now(lock), 1);
    assert_true(raw_pttl("redlock:v1") <= 400);
    int64_t t;
    assert_code(POTTERY_EINVAL, pottery_redlock_fencing_token(&t, lock));
    /* The default cap (60 s) and no callback: watched as usual. */
    pottery_watchdog *wd = watchdog_on_fixture();
    assert_ok(pottery_redlock_watch(lock, wd));
    sleep_ms(600);
    assert_int_equal(pottery_redlock_lost(lock), 0);
    assert_true(raw_pttl("redlock:v1") > 0);
    assert_ok(pottery_redlock_release(lock));
    pottery_redlock_free(lock);
    pottery_watchdog_free(wd);
    free(v1);
    pottery_redlock_options o = POTTERY_REDLOCK_OPTIONS_INIT, p;
    pottery_redlock_options_init(&p);
    assert_int_equal(o.version, 2);
    assert_int_equal(o.fencing, p.fencing);
    assert_int_equal(o.watchdog_max_hold_ms, 60000);
    assert_int_equal(p.watchdog_max_hold_ms, 60000);
    assert_null(o.on_lost);
    assert_null(p.on_lost_payload);
}

static void bad_input(void **state)
{
    (void)state;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    pottery_redlock *lock = NULL;
    opts.fencing = 2;
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", clients, N, &opts));
    assert_message_contains("fencing must be 0 or 1");
    pottery_redlock_options_init(&opts);
    opts.watchdog_max_hold_ms = 0;
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", clients, N, &opts));
    opts.watchdog_max_hold_ms = -5;
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", clients, N, &opts));
    assert_message_contains("watchdog_max_hold_ms must be > 0 or POTTERY_FOREVER");
    assert_null(lock);

    pottery_watchdog *wd = (pottery_watchdog *)1;
    const char *urls[2] = { masters[0].url, NULL };
    assert_code(POTTERY_EINVAL, pottery_watchdog_new(&wd, urls, 0, NULL));
    assert_null(wd);
    assert_code(POTTERY_EINVAL, pottery_watchdog_new(&wd, urls, 2, NULL));
    assert_code(POTTERY_EINVAL, pottery_watchdog_new(&wd, NULL, 1, NULL));
    assert_code(POTTERY_EINVAL, pottery_watchdog_new(NULL, urls, 1, NULL));
    urls[1] = "redis://[::1";
    assert_code(POTTERY_EINVAL, pottery_watchdog_new(&wd, urls, 2, NULL));
    /* A master that does not answer now. */
    const char *dead[1] = { "redis://127.0.0.1:1" };
    assert_code(POTTERY_ECONN, pottery_watchdog_new(&wd, dead, 1, NULL));
    assert_null(wd);
    pottery_watchdog_options wopts;
    pottery_watchdog_options_init(&wopts);
    wopts.version = 0;
    assert_code(POTTERY_EINVAL, pottery_watchdog_new(&wd, urls, 1, &wopts));
    wopts.version = POTTERY_WATCHDOG_OPTIONS_VERSION + 1;
    assert_code(POTTERY_EINVAL, pottery_watchdog_new(&wd, urls, 1, &wopts));
    pottery_watchdog_options wdefaults = POTTERY_WATCHDOG_OPTIONS_INIT;
    assert_int_equal(wdefaults.version, POTTERY_WATCHDOG_OPTIONS_VERSION);
    assert_null(wdefaults.client);
    pottery_watchdog_free(NULL);
    pottery_watchdog_stats s;
    pottery_watchdog_stats_get(&s, NULL);
    assert_int_equal(s.ticks, 0);
    pottery_watchdog_stats_get(NULL, NULL);

    wd = watchdog_on_masters(N);
    lock = watched_lock("k", clients, N, 1000, POTTERY_FOREVER, NULL);
    assert_code(POTTERY_EINVAL, pottery_redlock_watch(NULL, wd));
    assert_code(POTTERY_EINVAL, pottery_redlock_watch(lock, NULL));
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_watch(lock, wd));
    assert_message_contains("not acquired");
    assert_int_equal(acquire_now(lock), 1);
    /* Masters that are not the watchdog's: fewer, or other servers. */
    pottery_watchdog *three = watchdog_on_masters(3);
    assert_code(POTTERY_EINVAL, pottery_redlock_watch(lock, three));
    assert_message_contains("has 5 masters, the watchdog 3");
    pottery_watchdog_free(three);
    pottery_client *swapped[N] = { clients[1], clients[0], clients[2], clients[3], clients[4] };
    pottery_redlock *odd = watched_lock("k2", swapped, N, 1000, POTTERY_FOREVER, NULL);
    assert_int_equal(acquire_now(odd), 1);
    assert_code(POTTERY_EINVAL, pottery_redlock_watch(odd, wd));
    assert_message_contains("master 0 of redlock:k2 is not the watchdog's");
    assert_ok(pottery_redlock_release(odd));
    pottery_redlock_free(odd);
    /* A cap shorter than the lease. */
    odd = watched_lock("k3", clients, N, 1000, 500, NULL);
    assert_int_equal(acquire_now(odd), 1);
    assert_code(POTTERY_EINVAL, pottery_redlock_watch(odd, wd));
    assert_message_contains("watchdog_max_hold_ms (500) is shorter than the lease");
    assert_ok(pottery_redlock_release(odd));
    pottery_redlock_free(odd);
    assert_int_equal(pottery_redlock_lost(NULL), 0);
    pottery_redlock_unwatch(NULL);
    pottery_redlock_unwatch(lock); /* not watched */
    assert_ok(pottery_redlock_release(lock));
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_watch(lock, wd));
    pottery_redlock_free(lock);
    pottery_watchdog_free(wd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fencing_tokens_on_one_server, reset, masters_close),
        cmocka_unit_test_setup_teardown(fencing_tokens_on_five_masters, reset, masters_close),
        cmocka_unit_test_setup_teardown(tokens_increase_across_processes_on_five_masters, reset, masters_close),
        cmocka_unit_test_setup_teardown(tokens_increase_across_processes_on_one_server, reset, masters_close),
        cmocka_unit_test_setup_teardown(watchdog_keeps_exclusion_past_the_lease, reset, masters_close),
        cmocka_unit_test_setup_teardown(watchdog_keeps_exclusion_on_one_server, reset, masters_close),
        cmocka_unit_test_setup_teardown(watchdog_renews_until_released, reset, masters_close),
        cmocka_unit_test_setup_teardown(one_call_per_master_per_tick_for_many_locks, reset, masters_close),
        cmocka_unit_test_setup_teardown(watchdog_on_one_server, reset, masters_close),
        cmocka_unit_test_setup_teardown(lost_when_the_key_is_deleted_or_taken, reset, masters_close),
        cmocka_unit_test_setup_teardown(lost_on_five_masters, reset, masters_close),
        cmocka_unit_test_setup_teardown(max_hold_caps_the_watchdog, reset, masters_close),
        cmocka_unit_test_setup_teardown(version_1_options_still_work, reset, masters_close),
        cmocka_unit_test_setup_teardown(bad_input, reset, masters_close),
    };
    static const fixture_exclusion five_masters[] = {
        { "fencing_tokens_on_five_masters", "five standalone masters: the same with or without a cluster" },
        { "tokens_increase_across_processes_on_five_masters", "five standalone masters" },
        { "watchdog_keeps_exclusion_past_the_lease", "five standalone masters" },
        { "watchdog_renews_until_released", "five standalone masters" },
        { "one_call_per_master_per_tick_for_many_locks", "five standalone masters" },
        { "lost_on_five_masters", "five standalone masters" },
        { "bad_input", "five standalone masters" },
        { NULL, NULL },
    };
    return fixture_run_group(tests, five_masters, group_setup, group_teardown);
}
