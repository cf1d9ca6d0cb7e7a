/* pottery_redlock and pottery_synchronize over five private redis-server masters: every
 * operation and its round trips, bad input, masters killed / frozen / restarted, 1,000
 * cycles leaving no key behind, interop with pottery's wire format, and mutual exclusion
 * between forked processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/test_fixture.h"

#define N MASTERS

static test_redis counter_server; /* holds the counter of the mutual-exclusion tests */

/* ---- helpers ---- */

static pottery_redlock *lock_on(const char *key, int64_t lease_ms)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    if (lease_ms) opts.auto_release_time_ms = lease_ms;
    pottery_redlock *lock = NULL;
    assert_ok(pottery_redlock_new(&lock, key, clients, N, &opts));
    return lock;
}

static uint64_t rt_of(size_t i)
{
    return stats_of(clients[i]).round_trips;
}

static void rts(uint64_t *out)
{
    for (size_t i = 0; i < N; i++) out[i] = rt_of(i);
}

/* Every master cost exactly n round trips since before. */
static void assert_each_rt(const uint64_t *before, uint64_t n)
{
    for (size_t i = 0; i < N; i++) {
        if (rt_of(i) - before[i] != n)
            fail_msg("master %zu: %llu round trips, expected %llu", i, (unsigned long long)(rt_of(i) - before[i]),
                     (unsigned long long)n);
    }
}

static int keys_on(size_t i, const char *key)
{
    char *r = test_redis_cmdv(&masters[i], "EXISTS", key, (const char *)NULL);
    int n = r ? atoi(r) : -1;
    free(r);
    return n;
}

static void assert_no_key_anywhere(const char *key)
{
    for (size_t i = 0; i < N; i++)
        if (masters[i].pid > 0) assert_int_equal(keys_on(i, key), 0);
}

/* "127.0.0.1:<port>" of master i, as failure messages name it. */
static const char *endpoint(size_t i)
{
    static char buf[N][64];
    snprintf(buf[i], sizeof buf[i], "127.0.0.1:%d", masters[i].port);
    return buf[i];
}

static int acquire_now(pottery_redlock *lock)
{
    int acquired = -1;
    assert_ok(pottery_redlock_acquire(&acquired, lock, 0, POTTERY_FOREVER));
    return acquired;
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
    if (masters_setup(state) != 0) return -1;
    return test_redis_start(&counter_server, NULL);
}

static int group_teardown(void **state)
{
    test_redis_stop(&counter_server);
    return masters_teardown(state);
}

/* Every master running and empty; clients with a 300 ms command timeout. */
static int reset(void **state)
{
    (void)state;
    if (reset_masters(masters, N) < 0) return -1;
    free(test_redis_cmdv(&counter_server, "FLUSHALL", (const char *)NULL));
    open_master_clients(clients, masters, N, 300, 300);
    return 0;
}

/* ---- behaviour ---- */

static void acquire_locked_release(void **state)
{
    (void)state;
    pottery_redlock *printer = lock_on("printer", 0), *other = lock_on("printer", 0);
    assert_string_equal(pottery_redlock_key(printer), "redlock:printer");
    pottery_client *const *m;
    assert_int_equal(pottery_redlock_masters(&m, printer), N);
    assert_ptr_equal(m[4], clients[4]);

    /* Never acquired: no Redis call. */
    uint64_t before[N];
    int64_t validity = -1;
    rts(before);
    assert_ok(pottery_redlock_locked(&validity, printer));
    assert_int_equal(validity, 0);
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_release(printer));
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_extend(printer));
    assert_each_rt(before, 0);

    /* acquire: one round trip on each master; pottery's wire format everywhere. */
    rts(before);
    assert_int_equal(acquire_now(printer), 1);
    for (size_t i = 0; i < N; i++) {
        char *uuid = test_redis_cmdv(&masters[i], "GET", "redlock:printer", (const char *)NULL);
        assert_non_null(uuid);
        assert_int_equal(strlen(uuid), 36);
        assert_int_equal(uuid[14], '4');
        free(uuid);
        char *pttl = test_redis_cmdv(&masters[i], "PTTL", "redlock:printer", (const char *)NULL);
        assert_true(atoi(pttl) > 9000 && atoi(pttl) <= 10000);
        free(pttl);
    }
    /* Early decision: a master may still owe its reply; the next call consumes it. */
    rts(before);
    assert_ok(pottery_redlock_locked(&validity, printer));
    assert_each_rt(before, 1);
    assert_true(validity > 9000 && validity <= 10000 - 102);

    /* Another handle: one attempt, then its clean-up (one more round trip each). */
    rts(before);
    assert_int_equal(acquire_now(other), 0);
    assert_each_rt(before, 2);
    assert_ok(pottery_redlock_locked(&validity, other));
    assert_int_equal(validity, 0);
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_release(other));
    assert_message_contains("release of an unlocked lock redlock:printer: 0 of 5");

    rts(before);
    assert_ok(pottery_redlock_release(printer));
    assert_each_rt(before, 1);
    assert_no_key_anywhere("redlock:printer");
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_release(printer));
    assert_ok(pottery_redlock_locked(&validity, printer));
    assert_int_equal(validity, 0);

    /* Free now: the other handle gets it. */
    assert_int_equal(acquire_now(other), 1);
    assert_ok(pottery_redlock_release(other));
    pottery_redlock_free(printer);
    pottery_redlock_free(other);
    pottery_redlock_free(NULL);
}

static void extend_and_expiry(void **state)
{
    (void)state;
    pottery_redlock *lock = lock_on("ext", 600);
    assert_int_equal(acquire_now(lock), 1);
    uint64_t before[N];
    for (int i = 0; i < 3; i++) {
        sleep_ms(200);
        rts(before);
        assert_ok(pottery_redlock_extend(lock));
        assert_each_rt(before, 1);
        char *pttl = test_redis_cmdv(&masters[2], "PTTL", "redlock:ext", (const char *)NULL);
        assert_true(atoi(pttl) > 500); /* reset to the full lease, not added to it */
        assert_true(atoi(pttl) <= 600);
        free(pttl);
    }
    rts(before);
    assert_code(POTTERY_EEXTENSIONS, pottery_redlock_extend(lock));
    assert_message("too many extensions of redlock:ext: 3 allowed");
    assert_each_rt(before, 0);

    /* The lease runs out: locked 0, extend and release refused. */
    sleep_ms(700);
    int64_t validity = -1;
    assert_ok(pottery_redlock_locked(&validity, lock));
    assert_int_equal(validity, 0);
    assert_no_key_anywhere("redlock:ext");
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_release(lock));

    /* A new acquire resets the extension count. */
    assert_int_equal(acquire_now(lock), 1);
    sleep_ms(700);
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_extend(lock));
    assert_message_contains("extend of an unlocked lock redlock:ext: 0 of 5 (");
    assert_int_equal(acquire_now(lock), 1);
    assert_ok(pottery_redlock_extend(lock));
    assert_ok(pottery_redlock_release(lock));
    pottery_redlock_free(lock);
}

static void blocking_and_timeouts(void **state)
{
    (void)state;
    pottery_redlock *a = lock_on("printer", 400), *b = lock_on("printer", 400);
    int acquired = -1;
    assert_int_equal(acquire_now(a), 1);
    /* Blocking with a timeout: gives up after it. */
    double t0 = now_ms();
    assert_ok(pottery_redlock_acquire(&acquired, b, 1, 150));
    double took = now_ms() - t0;
    assert_int_equal(acquired, 0);
    if (!(took >= 150 && took < 600)) fail_msg("blocking acquire with a 150 ms timeout took %.1f ms", took);
    /* Blocking without timeout: waits for the lease to run out. */
    t0 = now_ms();
    assert_ok(pottery_redlock_acquire(&acquired, b, 1, POTTERY_FOREVER));
    took = now_ms() - t0;
    assert_int_equal(acquired, 1);
    assert_true(took < 400 + 250);
    print_message("blocking acquire got the lock %.0f ms after its lease began (400 ms lease)\n", took + 150);
    /* Timeout 0 makes one attempt. */
    assert_ok(pottery_redlock_acquire(&acquired, a, 1, 0));
    assert_int_equal(acquired, 0);
    assert_ok(pottery_redlock_release(b));
    assert_ok(pottery_redlock_acquire(&acquired, a, 1, 0));
    assert_int_equal(acquired, 1);
    /* Bad arguments. */
    assert_code(POTTERY_EINVAL, pottery_redlock_acquire(&acquired, b, 0, 100));
    acquired = 7; /* a failed call leaves its out-value alone */
    assert_code(POTTERY_EINVAL, pottery_redlock_acquire(&acquired, b, 0, 100));
    assert_int_equal(acquired, 7);
    assert_message("can't specify a timeout for a non-blocking call");
    assert_code(POTTERY_EINVAL, pottery_redlock_acquire(&acquired, b, 1, -2));
    assert_code(POTTERY_EINVAL, pottery_redlock_acquire(NULL, b, 1, 0));
    assert_code(POTTERY_EINVAL, pottery_redlock_acquire(&acquired, NULL, 1, 0));
    assert_ok(pottery_redlock_acquire(&acquired, b, 0, 0));
    assert_int_equal(acquired, 0);
    assert_ok(pottery_redlock_release(a));
    pottery_redlock_free(a);
    pottery_redlock_free(b);
}

static void bad_input(void **state)
{
    (void)state;
    pottery_redlock *lock = (pottery_redlock *)1;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, NULL, clients, N, NULL));
    assert_null(lock);
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", NULL, N, NULL));
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", clients, 0, NULL));
    assert_code(POTTERY_EINVAL, pottery_redlock_new(NULL, "k", clients, N, NULL));
    pottery_client *twice[2] = { clients[0], clients[0] };
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", twice, 2, NULL));
    assert_message_contains("same client");
    pottery_client *with_null[2] = { clients[0], NULL };
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", with_null, 2, NULL));
    opts.version = 0;
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", clients, N, &opts));
    assert_message_contains("not initialised");
    opts.version = POTTERY_REDLOCK_OPTIONS_VERSION + 1;
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", clients, N, &opts));
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = 0;
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", clients, N, &opts));
    pottery_redlock_options_init(&opts);
    opts.num_extensions = -1;
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", clients, N, &opts));
    pottery_redlock_options_init(&opts);
    opts.retry_delay_ms = -1;
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", clients, N, &opts));
    pottery_redlock_options_init(&opts);
    opts.context_manager_blocking = 0;
    opts.context_manager_timeout_ms = 200;
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", clients, N, &opts));
    assert_message_contains("can't specify a timeout for a non-blocking call");
    opts.context_manager_timeout_ms = -7;
    assert_code(POTTERY_EINVAL, pottery_redlock_new(&lock, "k", clients, N, &opts));
    pottery_redlock_options defaults = POTTERY_REDLOCK_OPTIONS_INIT;
    pottery_redlock_options_init(&opts);
    assert_int_equal(defaults.version, opts.version);
    assert_int_equal(defaults.auto_release_time_ms, opts.auto_release_time_ms);
    assert_int_equal(defaults.num_extensions, opts.num_extensions);
    assert_int_equal(defaults.context_manager_blocking, opts.context_manager_blocking);
    assert_int_equal(defaults.context_manager_timeout_ms, opts.context_manager_timeout_ms);
    assert_int_equal(defaults.raise_on_redis_errors, opts.raise_on_redis_errors);
    assert_int_equal(defaults.retry_delay_ms, opts.retry_delay_ms);
    assert_int_equal(opts.auto_release_time_ms, 10000);
    assert_int_equal(opts.num_extensions, 3);
    assert_int_equal(opts.retry_delay_ms, 200);
    assert_code(POTTERY_EINVAL, pottery_redlock_release(NULL));
    assert_code(POTTERY_EINVAL, pottery_redlock_extend(NULL));
    int64_t v;
    assert_code(POTTERY_EINVAL, pottery_redlock_locked(&v, NULL));
    assert_null(pottery_redlock_key(NULL));
    assert_int_equal(pottery_redlock_masters(NULL, NULL), 0);
    for (size_t i = 0; i < N; i++) assert_int_equal(stats_of(clients[i]).commands, 0);
}

/* ---- scoped helpers ---- */

typedef struct job {
    pottery_redlock *probe; /* another handle on the same key: must not get it */
    int ran;
    int result;
} job;

static int body(void *payload)
{
    job *j = payload;
    j->ran++;
    if (j->probe) {
        int acquired = -1;
        if (pottery_redlock_acquire(&acquired, j->probe, 0, POTTERY_FOREVER) < 0 || acquired != 0) return -100;
    }
    return j->result;
}

static void with_and_synchronize(void **state)
{
    (void)state;
    pottery_redlock *lock = lock_on("scoped", 0), *probe = lock_on("scoped", 0);
    job j = { probe, 0, 0 };
    assert_ok(pottery_redlock_with(lock, body, &j));
    assert_int_equal(j.ran, 1);
    assert_no_key_anywhere("redlock:scoped");

    /* The callback's error comes back, and the lock is released all the same. */
    j.result = POTTERY_ENOTFOUND;
    assert_code(POTTERY_ENOTFOUND, pottery_redlock_with(lock, body, &j));
    assert_int_equal(j.ran, 2);
    assert_no_key_anywhere("redlock:scoped");
    j.result = 0;

    /* Cannot acquire within the context timeout: EQUORUM, fn not called. */
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.context_manager_timeout_ms = 100;
    pottery_redlock *waiter;
    assert_ok(pottery_redlock_new(&waiter, "scoped", clients, N, &opts));
    assert_int_equal(acquire_now(probe), 1);
    j.probe = NULL;
    double t0 = now_ms();
    assert_code(POTTERY_EQUORUM, pottery_redlock_with(waiter, body, &j));
    assert_true(now_ms() - t0 >= 100);
    assert_message_contains("quorum not achieved on redlock:scoped: 0 of 5 (");
    assert_int_equal(j.ran, 2);

    /* synchronize: a new lock per call; refused while held, runs once free. */
    opts.context_manager_blocking = 0;
    opts.context_manager_timeout_ms = POTTERY_FOREVER;
    assert_code(POTTERY_EQUORUM, pottery_synchronize("scoped", clients, N, &opts, body, &j));
    assert_int_equal(j.ran, 2);
    assert_ok(pottery_redlock_release(probe));
    assert_ok(pottery_synchronize("scoped", clients, N, &opts, body, &j));
    assert_int_equal(j.ran, 3);
    assert_no_key_anywhere("redlock:scoped");
    assert_code(POTTERY_EINVAL, pottery_synchronize("scoped", clients, N, &opts, NULL, &j));
    assert_code(POTTERY_EINVAL, pottery_synchronize(NULL, clients, N, &opts, body, &j));
    assert_code(POTTERY_EINVAL, pottery_redlock_with(NULL, body, &j));
    pottery_redlock_free(waiter);
    pottery_redlock_free(lock);
    pottery_redlock_free(probe);
}

/* ---- interop with pottery's wire format ---- */

static void interop_with_pottery_wire_format(void **state)
{
    (void)state;
    /* A lock key written the way pottery writes it (3 of 5 masters) blocks a C acquire. */
    for (size_t i = 0; i < 3; i++)
        assert_raw("OK", test_redis_cmdv(&masters[i], "SET", "redlock:shared", "6f1c3b0e-8f7a-4c55-9d2e-0a1b2c3d4e5f",
                                         "NX", "PX", "10000", (const char *)NULL));
    pottery_redlock *lock = lock_on("shared", 0);
    assert_int_equal(acquire_now(lock), 0);
    /* Its partial locks on the two other masters were released. */
    assert_int_equal(keys_on(3, "redlock:shared"), 0);
    assert_int_equal(keys_on(4, "redlock:shared"), 0);
    assert_raw("6f1c3b0e-8f7a-4c55-9d2e-0a1b2c3d4e5f",
               test_redis_cmdv(&masters[0], "GET", "redlock:shared", (const char *)NULL));
    for (size_t i = 0; i < 3; i++) free(test_redis_cmdv(&masters[i], "DEL", "redlock:shared", (const char *)NULL));

    /* A C-held lock blocks pottery's SET NX PX on every master. */
    assert_int_equal(acquire_now(lock), 1);
    for (size_t i = 0; i < N; i++)
        assert_raw("(nil)",
                   test_redis_cmdv(&masters[i], "SET", "redlock:shared", "0e1d2c3b-4a59-4687-a5b4-c3d2e1f00112", "NX",
                                   "PX", "10000", (const char *)NULL));
    assert_ok(pottery_redlock_release(lock));
    assert_no_key_anywhere("redlock:shared");
    pottery_redlock_free(lock);
}

/* ---- faults ---- */

static void two_killed_still_works_three_fail(void **state)
{
    (void)state;
    pottery_redlock *lock = lock_on("printer", 0);
    test_redis_kill(&masters[1]);
    test_redis_kill(&masters[3]);
    int64_t validity;
    assert_int_equal(acquire_now(lock), 1);
    assert_ok(pottery_redlock_locked(&validity, lock));
    assert_true(validity > 9000);
    assert_ok(pottery_redlock_extend(lock));
    assert_ok(pottery_redlock_release(lock));
    assert_no_key_anywhere("redlock:printer");

    /* Three dead: no quorum. Default: plain "not acquired" / EUNLOCKED. */
    test_redis_kill(&masters[4]);
    assert_int_equal(acquire_now(lock), 0);
    assert_code(POTTERY_EUNLOCKED, pottery_redlock_release(lock));
    assert_message_contains("0 of 5 (");
    assert_message_contains(endpoint(1));
    assert_message_contains("connection refused");
    assert_no_key_anywhere("redlock:printer");

    /* A blocking acquire without timeout does not loop forever on dead masters. */
    pottery_redlock *short_lease = lock_on("printer", 300);
    int acquired = -1;
    double t0 = now_ms();
    assert_code(POTTERY_EQUORUM, pottery_redlock_acquire(&acquired, short_lease, 1, POTTERY_FOREVER));
    double took = now_ms() - t0;
    print_message("blocking acquire with 3 of 5 dead: EQUORUM after %.0f ms (300 ms lease)\n", took);
    assert_true(took >= 300 && took < 1500);
    assert_message_contains("more than half of the masters failed");
    assert_message_contains(endpoint(4));

    /* raise_on_redis_errors: EIMPOSSIBLE at once, naming the failed masters. */
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.raise_on_redis_errors = 1;
    pottery_redlock *strict;
    assert_ok(pottery_redlock_new(&strict, "printer", clients, N, &opts));
    t0 = now_ms();
    assert_code(POTTERY_EIMPOSSIBLE, pottery_redlock_acquire(&acquired, strict, 1, POTTERY_FOREVER));
    assert_true(now_ms() - t0 < 300);
    assert_message_contains("quorum is impossible on redlock:printer: 0 of 5 (");
    for (size_t i = 1; i < N; i += 2) assert_message_contains(endpoint(i));
    assert_message_contains(endpoint(4));
    assert_code(POTTERY_EIMPOSSIBLE, pottery_redlock_release(strict));
    assert_code(POTTERY_EIMPOSSIBLE, pottery_redlock_locked(&validity, strict));
    assert_code(POTTERY_EIMPOSSIBLE, pottery_redlock_extend(strict));
    assert_code(POTTERY_EIMPOSSIBLE, pottery_redlock_with(strict, body, &(job){ NULL, 0, 0 }));

    /* The masters come back (empty): they rejoin on the next call. */
    for (size_t i = 1; i < N; i++)
        if (masters[i].pid <= 0) assert_int_equal(test_redis_restart(&masters[i]), 0);
    assert_int_equal(acquire_now(strict), 1);
    for (size_t i = 0; i < N; i++) assert_int_equal(keys_on(i, "redlock:printer"), 1);
    assert_ok(pottery_redlock_release(strict));
    assert_no_key_anywhere("redlock:printer");
    pottery_redlock_free(strict);
    pottery_redlock_free(short_lease);
    pottery_redlock_free(lock);
}

static void frozen_master(void **state)
{
    (void)state;
    pottery_redlock *lock = lock_on("printer", 0);
    assert_int_equal(acquire_now(lock), 1); /* connections made */
    assert_ok(pottery_redlock_release(lock));
    test_redis_pause(&masters[2]);
    double t0 = now_ms();
    assert_int_equal(acquire_now(lock), 1);
    double acquire_ms = now_ms() - t0;
    int64_t validity;
    assert_ok(pottery_redlock_locked(&validity, lock));
    assert_true(validity > 9000);
    assert_ok(pottery_redlock_extend(lock));
    t0 = now_ms();
    assert_ok(pottery_redlock_release(lock));
    double release_ms = now_ms() - t0;
    print_message("one master frozen: acquire %.1f ms, release %.1f ms (300 ms command timeout)\n", acquire_ms,
                  release_ms);
    /* Margins for a loaded machine: what matters is that neither waits for the frozen
     * master beyond its command timeout. */
    assert_true(acquire_ms < 300);
    assert_true(release_ms < 300 + 250);
    /* A few more cycles while frozen, then it wakes up: it runs the queued SETs and their
     * releases in order, and holds nothing. */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(acquire_now(lock), 1);
        assert_ok(pottery_redlock_release(lock));
    }
    test_redis_resume(&masters[2]);
    sleep_ms(100);
    assert_no_key_anywhere("redlock:printer");
    assert_int_equal(acquire_now(lock), 1);
    for (size_t i = 0; i < N; i++) assert_int_equal(keys_on(i, "redlock:printer"), 1);
    assert_ok(pottery_redlock_release(lock));
    assert_no_key_anywhere("redlock:printer");
    pottery_redlock_free(lock);
}

static void no_orphaned_keys_over_1000_cycles(void **state)
{
    (void)state;
    pottery_redlock *lock = lock_on("cycles", 0);
    uint64_t before[N];
    rts(before);
    double t0 = now_ms();
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(acquire_now(lock), 1);
        assert_ok(pottery_redlock_release(lock));
    }
    double took = now_ms() - t0;
    print_message("1000 acquire/release cycles over 5 masters: %.0f ms\n", took);
    assert_each_rt(before, 2000);
    assert_no_key_anywhere("redlock:cycles");
    pottery_redlock_free(lock);
}

/* ---- mutual exclusion between processes ---- */

#define WORKERS 8

typedef struct worker_args {
    int sections;
} worker_args;

static int section(void *payload)
{
    int *done = payload;
    char *got = test_redis_cmdv(&counter_server, "GET", "counter", (const char *)NULL);
    if (!got) return -1;
    long n = strcmp(got, "(nil)") == 0 ? 0 : atol(got);
    free(got);
    sleep_ms(1); /* the non-atomic read, sleep, write */
    char text[32];
    snprintf(text, sizeof text, "%ld", n + 1);
    char *ok = test_redis_cmdv(&counter_server, "SET", "counter", text, (const char *)NULL);
    int rc = ok && strcmp(ok, "OK") == 0 ? 0 : -1;
    free(ok);
    if (rc == 0) (*done)++;
    return rc;
}

static int worker(void *arg)
{
    const worker_args *w = arg;
    pottery_client *mine[N];
    pottery_client_options copts;
    pottery_client_options_init(&copts);
    copts.command_timeout_ms = 200;
    copts.connect_timeout_ms = 200;
    for (size_t i = 0; i < N; i++)
        if (pottery_client_open(&mine[i], masters[i].url, &copts) < 0) return 10;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.retry_delay_ms = 5;
    int done = 0, failures = 0;
    while (done < w->sections && failures < 20) {
        int before = done;
        int rc = pottery_synchronize("counter", mine, N, &opts, section, &done);
        /* Masters killed while the lock was held can leave the holder below a quorum: its
         * release then reports EUNLOCKED after the section ran (as pottery does). */
        if (rc < 0 && !(rc == POTTERY_EUNLOCKED && done == before + 1)) {
            fprintf(stderr, "worker: %s\n", pottery_error_last()->message);
            failures++;
        }
    }
    close_master_clients(mine, N);
    return done == w->sections ? 0 : 1;
}

static long counter_value(void)
{
    char *got = test_redis_cmdv(&counter_server, "GET", "counter", (const char *)NULL);
    long n = got && strcmp(got, "(nil)") != 0 ? atol(got) : 0;
    free(got);
    return n;
}

/* fault: 0 none, 1 kill two masters halfway, 2 freeze one for a while. */
static void run_workers(int sections, int fault)
{
    worker_args w = { sections };
    pid_t pids[WORKERS];
    double t0 = now_ms();
    for (int i = 0; i < WORKERS; i++) pids[i] = fork_child(worker, &w);
    long total = (long)WORKERS * sections;
    if (fault) {
        while (counter_value() < total / 2) sleep_ms(5);
        if (fault == 1) {
            test_redis_kill(&masters[0]);
            test_redis_kill(&masters[3]);
        } else {
            test_redis_pause(&masters[1]);
            sleep_ms(1000);
            test_redis_resume(&masters[1]);
        }
    }
    for (int i = 0; i < WORKERS; i++) assert_int_equal(wait_exit_code(pids[i]), 0);
    print_message("%d processes x %d sections (%s): %.0f ms\n", WORKERS, sections,
                  fault == 0   ? "no fault"
                  : fault == 1 ? "2 masters killed halfway"
                               : "1 master frozen for 1 s",
                  now_ms() - t0);
    assert_int_equal(counter_value(), total);
    sleep_ms(50);
    if (fault != 2) {
        assert_no_key_anywhere("redlock:counter");
        return;
    }
    /* A SET that waited in the frozen master's socket while its client gave up on it (and
     * dropped the connection before the release could follow) runs when the master thaws:
     * there alone the key may remain, and then only with its lease, so it expires. */
    for (size_t i = 0; i < N; i++) {
        if (i == 1) {
            char *ttl = test_redis_cmdv(&masters[i], "PTTL", "redlock:counter", (const char *)NULL);
            long long left = ttl ? atoll(ttl) : 0;
            free(ttl);
            assert_true(left == -2 || (left > 0 && left <= 10000));
        } else {
            assert_int_equal(keys_on(i, "redlock:counter"), 0);
        }
    }
}

static void mutual_exclusion(void **state)
{
    (void)state;
    run_workers(200, 0);
}

static void mutual_exclusion_two_killed_halfway(void **state)
{
    (void)state;
    run_workers(200, 1);
}

static void mutual_exclusion_one_frozen(void **state)
{
    (void)state;
    run_workers(200, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(acquire_locked_release, reset, masters_close),
        cmocka_unit_test_setup_teardown(extend_and_expiry, reset, masters_close),
        cmocka_unit_test_setup_teardown(blocking_and_timeouts, reset, masters_close),
        cmocka_unit_test_setup_teardown(bad_input, reset, masters_close),
        cmocka_unit_test_setup_teardown(with_and_synchronize, reset, masters_close),
        cmocka_unit_test_setup_teardown(interop_with_pottery_wire_format, reset, masters_close),
        cmocka_unit_test_setup_teardown(two_killed_still_works_three_fail, reset, masters_close),
        cmocka_unit_test_setup_teardown(frozen_master, reset, masters_close),
        cmocka_unit_test_setup_teardown(no_orphaned_keys_over_1000_cycles, reset, masters_close),
        cmocka_unit_test_setup_teardown(mutual_exclusion, reset, masters_close),
        cmocka_unit_test_setup_teardown(mutual_exclusion_two_killed_halfway, reset, masters_close),
        cmocka_unit_test_setup_teardown(mutual_exclusion_one_frozen, reset, masters_close),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
