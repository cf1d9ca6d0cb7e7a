/* pottery_rlock, the reentrant lock: hold counts on the server, wrong owners, leases and
 * extensions, blocking and timeouts, a crashed holder's lease running out, bad input and
 * keys of another type, mutual exclusion between forked processes (non-atomic
 * read-modify-write with exact totals) over the fixture's server (or cluster) and over
 * five Redlock masters, with masters killed and frozen. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/test_fixture.h"

static test_redis counter_server; /* the counter of the mutual-exclusion tests */

/* ---- helpers ---- */

static pottery_rlock *rlock_on(const char *key, pottery_client *const *ms, size_t n, int64_t lease_ms)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    if (lease_ms) opts.auto_release_time_ms = lease_ms;
    opts.retry_delay_ms = 20;
    pottery_rlock *lock = NULL;
    assert_ok(pottery_rlock_new(&lock, key, ms, n, &opts));
    return lock;
}

static pottery_rlock *single(const char *key, int64_t lease_ms)
{
    return rlock_on(key, &client, 1, lease_ms);
}

static int try_now(pottery_rlock *lock)
{
    int acquired = -1;
    assert_ok(pottery_rlock_acquire(&acquired, lock, 0, POTTERY_FOREVER));
    return acquired;
}

static void assert_count_on_server(const char *expected, pottery_rlock *lock)
{
    assert_raw(expected, raw("HGET", pottery_rlock_key(lock), pottery_rlock_owner(lock), NULL));
}

static long counter_value(void)
{
    char *got = test_redis_cmdv(&counter_server, "GET", "counter", (const char *)NULL);
    long n = got && strcmp(got, "(nil)") != 0 ? atol(got) : 0;
    free(got);
    return n;
}

/* The non-atomic read, sleep, write that only mutual exclusion keeps exact. */
static int increment_slowly(void)
{
    long n = counter_value();
    usleep(500);
    char text[32];
    snprintf(text, sizeof text, "%ld", n + 1);
    char *ok = test_redis_cmdv(&counter_server, "SET", "counter", text, (const char *)NULL);
    int rc = ok && strcmp(ok, "OK") == 0 ? 0 : -1;
    free(ok);
    return rc;
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
    if (fixture_setup(state) != 0) return -1;
    if (!fixture_cluster_mode() && masters_setup(state) != 0) return -1;
    return test_redis_start(&counter_server, NULL);
}

static int group_teardown(void **state)
{
    test_redis_stop(&counter_server);
    if (!fixture_cluster_mode()) masters_teardown(state);
    return fixture_teardown(state);
}

static int reset_counter(void)
{
    free(test_redis_cmdv(&counter_server, "FLUSHALL", (const char *)NULL));
    return 0;
}

static int reset(void **state)
{
    reset_counter();
    return fixture_reset(state);
}

static int reset_masters5(void **state)
{
    reset_counter();
    return masters_reset(state);
}

/* ---- behaviour on one server ---- */

static void reentrancy_counts(void **state)
{
    (void)state;
    pottery_rlock *tree = single("tree", 0), *other = single("tree", 0);
    assert_string_equal(pottery_rlock_key(tree), "rlock:tree");
    assert_int_equal(strlen(pottery_rlock_owner(tree)), 36);
    assert_string_not_equal(pottery_rlock_owner(tree), pottery_rlock_owner(other));
    pottery_client *const *m;
    assert_int_equal(pottery_rlock_masters(&m, tree), 1);
    assert_ptr_equal(m[0], client);
    assert_int_equal(pottery_rlock_count(tree), 0);

    /* Not held: no Redis call. */
    uint64_t rt = round_trips();
    assert_code(POTTERY_EUNLOCKED, pottery_rlock_release(tree));
    assert_message_contains("not held by this handle");
    assert_code(POTTERY_EUNLOCKED, pottery_rlock_extend(tree));
    assert_int_equal(round_trips(), rt);

    /* Acquire, acquire again: one round trip each, the count on the server. */
    int acquired = -1;
    assert_round_trips(1, pottery_rlock_acquire(&acquired, tree, 0, POTTERY_FOREVER));
    assert_int_equal(acquired, 1);
    assert_count_on_server("1", tree);
    assert_round_trips(1, pottery_rlock_acquire(&acquired, tree, 1, POTTERY_FOREVER));
    assert_int_equal(acquired, 1);
    assert_int_equal(pottery_rlock_count(tree), 2);
    assert_count_on_server("2", tree);
    assert_int_equal(try_now(tree), 1);
    assert_count_on_server("3", tree);
    assert_raw("1", raw("HLEN", "rlock:tree", NULL));
    char *pttl = raw("PTTL", "rlock:tree", NULL);
    assert_true(atoi(pttl) > 9000 && atoi(pttl) <= 10000);
    free(pttl);

    /* Another owner: refused (attempt + its undo), and its release is EUNLOCKED. */
    assert_round_trips(2, pottery_rlock_acquire(&acquired, other, 0, 0));
    assert_int_equal(acquired, 0);
    assert_code(POTTERY_EUNLOCKED, pottery_rlock_release(other));
    assert_count_on_server("3", tree);

    /* Released as many times as acquired: held until the last one. */
    assert_round_trips(1, pottery_rlock_release(tree));
    assert_count_on_server("2", tree);
    assert_ok(pottery_rlock_release(tree));
    assert_int_equal(try_now(other), 0);
    assert_ok(pottery_rlock_release(tree));
    assert_int_equal(pottery_rlock_count(tree), 0);
    assert_raw("0", raw("EXISTS", "rlock:tree", NULL));
    assert_code(POTTERY_EUNLOCKED, pottery_rlock_release(tree));

    /* Now the other owner gets it, and the first is refused. */
    assert_int_equal(try_now(other), 1);
    assert_int_equal(try_now(tree), 0);
    assert_ok(pottery_rlock_release(other));
    pottery_rlock_free(tree);
    pottery_rlock_free(other);
}

static void extend_and_expiry(void **state)
{
    (void)state;
    pottery_rlock *lock = single("lease", 300), *other = single("lease", 300);
    assert_int_equal(try_now(lock), 1);
    assert_int_equal(try_now(lock), 1);
    sleep_ms(150);
    assert_round_trips(1, pottery_rlock_extend(lock));
    char *pttl = raw("PTTL", "rlock:lease", NULL);
    assert_true(atoi(pttl) > 300 - slack_ms(50)); /* without the extension, < 150 */
    free(pttl);
    assert_ok(pottery_rlock_extend(lock));
    assert_ok(pottery_rlock_extend(lock));
    assert_code(POTTERY_EEXTENSIONS, pottery_rlock_extend(lock));

    /* The lease runs out: another owner takes it; the first's release and extend fail and
     * its count drops to 0. */
    sleep_ms(400);
    assert_int_equal(try_now(other), 1);
    assert_code(POTTERY_EUNLOCKED, pottery_rlock_release(lock));
    assert_message_contains("release of an unlocked lock rlock:lease: 0 of 1");
    assert_int_equal(pottery_rlock_count(lock), 0);
    assert_count_on_server("1", other);
    assert_ok(pottery_rlock_release(other));
    pottery_rlock_free(lock);
    pottery_rlock_free(other);
}

static void blocking_and_timeouts(void **state)
{
    (void)state;
    pottery_rlock *holder = single("door", 400), *waiter = single("door", 400);
    assert_int_equal(try_now(holder), 1);
    int acquired = -1;
    double t0 = now_ms();
    assert_ok(pottery_rlock_acquire(&acquired, waiter, 1, 100));
    double took = now_ms() - t0;
    assert_int_equal(acquired, 0);
    assert_true(took >= 100 && took < 350);
    /* Waiting without limit: the holder never releases; its lease runs out. */
    t0 = now_ms();
    assert_ok(pottery_rlock_acquire(&acquired, waiter, 1, POTTERY_FOREVER));
    assert_int_equal(acquired, 1);
    assert_true(now_ms() - t0 >= 200);
    assert_code(POTTERY_EUNLOCKED, pottery_rlock_release(holder));
    assert_ok(pottery_rlock_release(waiter));
    pottery_rlock_free(holder);
    pottery_rlock_free(waiter);
}

static int hold_and_die(pottery_client *mine, int w, void *arg)
{
    (void)w;
    (void)arg;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = 500;
    pottery_rlock *lock;
    int acquired = 0;
    if (pottery_rlock_new(&lock, "crash", &mine, 1, &opts) < 0) return 1;
    if (pottery_rlock_acquire(&acquired, lock, 1, 1000) < 0 || !acquired) return 2;
    if (pottery_rlock_acquire(&acquired, lock, 1, 1000) < 0 || !acquired) return 3;
    kill(getpid(), SIGKILL); /* a crash while holding it twice */
    return 4;
}

static void crashed_holder_lease_runs_out(void **state)
{
    (void)state;
    assert_int_equal(wait_exit_code(fork_worker(hold_and_die, 0, NULL)), 128 + SIGKILL);
    pottery_rlock *lock = single("crash", 0);
    assert_int_equal(try_now(lock), 0);
    int acquired = -1;
    double t0 = now_ms();
    assert_ok(pottery_rlock_acquire(&acquired, lock, 1, 2000));
    assert_int_equal(acquired, 1);
    print_message("the crashed holder's 500 ms lease ran out after %.0f ms more\n", now_ms() - t0);
    assert_ok(pottery_rlock_release(lock));
    pottery_rlock_free(lock);
}

static void bad_input(void **state)
{
    (void)state;
    pottery_rlock *lock = (pottery_rlock *)1;
    assert_code(POTTERY_EINVAL, pottery_rlock_new(NULL, "k", &client, 1, NULL));
    assert_code(POTTERY_EINVAL, pottery_rlock_new(&lock, NULL, &client, 1, NULL));
    assert_null(lock);
    assert_code(POTTERY_EINVAL, pottery_rlock_new(&lock, "k", NULL, 1, NULL));
    assert_code(POTTERY_EINVAL, pottery_rlock_new(&lock, "k", &client, 0, NULL));
    pottery_client *twice[2] = { client, client };
    assert_code(POTTERY_EINVAL, pottery_rlock_new(&lock, "k", twice, 2, NULL));
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = 0;
    assert_code(POTTERY_EINVAL, pottery_rlock_new(&lock, "k", &client, 1, &opts));
    pottery_redlock_options_init(&opts);
    opts.version = 0;
    assert_code(POTTERY_EINVAL, pottery_rlock_new(&lock, "k", &client, 1, &opts));
    assert_message_contains("pottery_rlock_new");

    lock = single("k", 0);
    int acquired = -1;
    assert_code(POTTERY_EINVAL, pottery_rlock_acquire(NULL, lock, 1, 0));
    assert_code(POTTERY_EINVAL, pottery_rlock_acquire(&acquired, NULL, 1, 0));
    assert_code(POTTERY_EINVAL, pottery_rlock_acquire(&acquired, lock, 1, -5));
    assert_code(POTTERY_EINVAL, pottery_rlock_acquire(&acquired, lock, 0, 10));
    acquired = 7; /* a failed call leaves its out-value alone */
    assert_code(POTTERY_EINVAL, pottery_rlock_acquire(&acquired, lock, 0, 10));
    assert_int_equal(acquired, 7);
    assert_message("can't specify a timeout for a non-blocking call");
    assert_code(POTTERY_EINVAL, pottery_rlock_release(NULL));
    assert_code(POTTERY_EINVAL, pottery_rlock_extend(NULL));
    assert_null(pottery_rlock_key(NULL));
    assert_null(pottery_rlock_owner(NULL));
    assert_int_equal(pottery_rlock_masters(NULL, NULL), 0);
    assert_int_equal(pottery_rlock_count(NULL), 0);
    pottery_rlock_free(NULL);

    /* A key of another type: EREDIS with Redis' WRONGTYPE at once, even when blocking;
     * the key is left as it was. */
    assert_raw("OK", raw("SET", "rlock:k", "not a lock", NULL));
    double t0 = now_ms();
    assert_code(POTTERY_EREDIS, pottery_rlock_acquire(&acquired, lock, 1, POTTERY_FOREVER));
    assert_true(now_ms() - t0 < 200);
    assert_message_contains("WRONGTYPE");
    assert_message_contains("rlock:k");
    assert_int_equal(acquired, 7);
    assert_raw("not a lock", raw("GET", "rlock:k", NULL));
    pottery_rlock_free(lock);
}

/* ---- mutual exclusion between processes ---- */

#define WORKERS 4
#define SECTIONS 100

/* Each section takes the lock twice (reentrant), increments slowly, releases twice. */
static int sections(pottery_client *const *ms, size_t n)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.retry_delay_ms = 5;
    pottery_rlock *lock;
    if (pottery_rlock_new(&lock, "counter", ms, n, &opts) < 0) return 10;
    int done = 0, failures = 0;
    while (done < SECTIONS && failures < 20) {
        int a = 0, b = 0;
        if (pottery_rlock_acquire(&a, lock, 1, POTTERY_FOREVER) < 0 || !a) {
            failures++;
            continue;
        }
        int rc = pottery_rlock_acquire(&b, lock, 0, 0) < 0 || !b ? -1 : increment_slowly();
        if (rc == 0) done++;
        /* Masters killed while held can leave the holder below a quorum: release reports
         * EUNLOCKED after the section ran (as Redlock does). */
        if (b && pottery_rlock_release(lock) < 0) failures++;
        if (pottery_rlock_count(lock) > 0 && pottery_rlock_release(lock) < 0) failures++;
        if (rc < 0) failures++;
    }
    pottery_rlock_free(lock);
    if (failures) fprintf(stderr, "rlock worker: %d failures, last: %s\n", failures, pottery_error_last()->message);
    return done == SECTIONS ? 0 : 1;
}

static int single_worker(pottery_client *mine, int w, void *arg)
{
    (void)w;
    (void)arg;
    return sections(&mine, 1);
}

static void mutual_exclusion_one_server(void **state)
{
    (void)state;
    pid_t pids[WORKERS];
    double t0 = now_ms();
    for (int i = 0; i < WORKERS; i++) pids[i] = fork_worker(single_worker, i, NULL);
    for (int i = 0; i < WORKERS; i++) assert_int_equal(wait_exit_code(pids[i]), 0);
    print_message("%d processes x %d sections, one %s: %.0f ms\n", WORKERS, SECTIONS,
                  fixture_cluster_mode() ? "cluster" : "server", now_ms() - t0);
    assert_int_equal(counter_value(), (long)WORKERS * SECTIONS);
    assert_raw("0", raw("EXISTS", "rlock:counter", NULL));
}

static int masters_worker(void *arg)
{
    (void)arg;
    pottery_client *mine[MASTERS];
    pottery_client_options copts;
    pottery_client_options_init(&copts);
    copts.command_timeout_ms = 200;
    copts.connect_timeout_ms = 200;
    for (size_t i = 0; i < MASTERS; i++)
        if (pottery_client_open(&mine[i], masters[i].url, &copts) < 0) return 10;
    int rc = sections(mine, MASTERS);
    close_master_clients(mine, MASTERS);
    return rc;
}

/* fault: 0 none, 1 kill two masters halfway, 2 freeze one for 500 ms halfway. */
static void run_masters_workers(int fault)
{
    pid_t pids[WORKERS];
    double t0 = now_ms();
    for (int i = 0; i < WORKERS; i++) pids[i] = fork_child(masters_worker, NULL);
    long total = (long)WORKERS * SECTIONS;
    if (fault) {
        while (counter_value() < total / 2) sleep_ms(5);
        if (fault == 1) {
            test_redis_kill(&masters[0]);
            test_redis_kill(&masters[3]);
        } else {
            test_redis_pause(&masters[1]);
            sleep_ms(500);
            test_redis_resume(&masters[1]);
        }
    }
    for (int i = 0; i < WORKERS; i++) assert_int_equal(wait_exit_code(pids[i]), 0);
    print_message("%d processes x %d sections over 5 masters (%s): %.0f ms\n", WORKERS, SECTIONS,
                  fault == 0   ? "no fault"
                  : fault == 1 ? "2 masters killed halfway"
                               : "1 master frozen for 500 ms",
                  now_ms() - t0);
    assert_int_equal(counter_value(), total);
}

static void mutual_exclusion_five_masters(void **state)
{
    (void)state;
    run_masters_workers(0);
}

static void mutual_exclusion_two_masters_killed(void **state)
{
    (void)state;
    run_masters_workers(1);
}

static void mutual_exclusion_one_master_frozen(void **state)
{
    (void)state;
    run_masters_workers(2);
}

/* ---- five masters ---- */

static void quorum_over_five_masters(void **state)
{
    (void)state;
    pottery_rlock *lock = rlock_on("tree", clients, MASTERS, 0), *other = rlock_on("tree", clients, MASTERS, 0);
    assert_int_equal(try_now(lock), 1);
    assert_int_equal(try_now(lock), 1);
    for (size_t i = 0; i < MASTERS; i++)
        assert_raw("2",
                   test_redis_cmdv(&masters[i], "HGET", "rlock:tree", pottery_rlock_owner(lock), (const char *)NULL));
    assert_int_equal(try_now(other), 0);

    /* Two masters die: still held, released, taken again. */
    test_redis_kill(&masters[1]);
    test_redis_kill(&masters[3]);
    assert_ok(pottery_rlock_extend(lock));
    assert_ok(pottery_rlock_release(lock));
    assert_int_equal(try_now(other), 0);
    assert_ok(pottery_rlock_release(lock));
    assert_int_equal(try_now(other), 1);
    assert_ok(pottery_rlock_release(other));

    /* A master holding a stale count catches up: counts are set, not incremented. */
    assert_int_equal(test_redis_restart(&masters[1]), 0);
    assert_int_equal(try_now(lock), 1);
    assert_raw("1", test_redis_cmdv(&masters[1], "HGET", "rlock:tree", pottery_rlock_owner(lock), (const char *)NULL));

    /* Three dead: no quorum; a refused re-acquire keeps the count; raise_on_redis_errors
     * reports EIMPOSSIBLE. */
    test_redis_kill(&masters[2]);
    test_redis_kill(&masters[4]);
    assert_int_equal(try_now(lock), 0);
    assert_int_equal(pottery_rlock_count(lock), 1);
    assert_code(POTTERY_EUNLOCKED, pottery_rlock_release(lock));
    assert_message_contains("2 of 5 (");
    assert_int_equal(pottery_rlock_count(lock), 0);
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.raise_on_redis_errors = 1;
    pottery_rlock *strict;
    assert_ok(pottery_rlock_new(&strict, "strict", clients, MASTERS, &opts));
    int acquired = -1;
    assert_code(POTTERY_EIMPOSSIBLE, pottery_rlock_acquire(&acquired, strict, 1, POTTERY_FOREVER));
    assert_message_contains("quorum is impossible on rlock:strict");
    pottery_rlock_free(strict);
    pottery_rlock_free(lock);
    pottery_rlock_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(reentrancy_counts, reset),
        cmocka_unit_test_setup(extend_and_expiry, reset),
        cmocka_unit_test_setup(blocking_and_timeouts, reset),
        cmocka_unit_test_setup(crashed_holder_lease_runs_out, reset),
        cmocka_unit_test_setup(bad_input, reset),
        cmocka_unit_test_setup(mutual_exclusion_one_server, reset),
        cmocka_unit_test_setup_teardown(quorum_over_five_masters, reset_masters5, masters_close),
        cmocka_unit_test_setup_teardown(mutual_exclusion_five_masters, reset_masters5, masters_close),
        cmocka_unit_test_setup_teardown(mutual_exclusion_two_masters_killed, reset_masters5, masters_close),
        cmocka_unit_test_setup_teardown(mutual_exclusion_one_master_frozen, reset_masters5, masters_close),
    };
    static const fixture_exclusion not_on_cluster[] = {
        { "quorum_over_five_masters", "five standalone masters: run once, without the cluster" },
        { "mutual_exclusion_five_masters", "five standalone masters: run once, without the cluster" },
        { "mutual_exclusion_two_masters_killed", "five standalone masters: run once, without the cluster" },
        { "mutual_exclusion_one_master_frozen", "five standalone masters: run once, without the cluster" },
        { NULL, NULL },
    };
    return fixture_run_group(tests, not_on_cluster, group_setup, group_teardown);
}
