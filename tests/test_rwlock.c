/* pottery_rwlock, the read-write lock: readers share, a writer is alone, the layout (three
 * keys in one hash slot), writer preference and a writer giving up, leases and extensions,
 * crashed readers and writers whose leases run out, bad input and keys of another type,
 * and forked readers and writers: writers' non-atomic read-modify-writes add up exactly
 * and readers never see a half-written pair, over the fixture's server (or cluster) and
 * over five Redlock masters with two killed. */
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

static test_redis counter_server; /* the pair the forked readers and writers share */

#define WRITE_KEY "{rwlock:cfg}:write"
#define READ_KEY "{rwlock:cfg}:read"
#define WAITING_KEY "{rwlock:cfg}:writer_waiting"

/* ---- helpers ---- */

static pottery_rwlock *rwlock_on(const char *key, pottery_client *const *ms, size_t n, int64_t lease_ms)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    if (lease_ms) opts.auto_release_time_ms = lease_ms;
    opts.retry_delay_ms = 20;
    pottery_rwlock *lock = NULL;
    assert_ok(pottery_rwlock_new(&lock, key, ms, n, &opts));
    return lock;
}

static pottery_rwlock *single(const char *key, int64_t lease_ms)
{
    return rwlock_on(key, &client, 1, lease_ms);
}

static int read_now(pottery_rwlock *lock)
{
    int acquired = -1;
    assert_ok(pottery_rwlock_acquire_read(&acquired, lock, 0, POTTERY_FOREVER));
    return acquired;
}

static int write_now(pottery_rwlock *lock)
{
    int acquired = -1;
    assert_ok(pottery_rwlock_acquire_write(&acquired, lock, 0, POTTERY_FOREVER));
    return acquired;
}

static long long pttl_of(const char *key)
{
    char *t = raw("PTTL", key, NULL);
    long long v = t ? atoll(t) : -3;
    free(t);
    return v;
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

static int reset(void **state)
{
    free(test_redis_cmdv(&counter_server, "FLUSHALL", (const char *)NULL));
    return fixture_reset(state);
}

static int reset_masters5(void **state)
{
    free(test_redis_cmdv(&counter_server, "FLUSHALL", (const char *)NULL));
    return masters_reset(state);
}

/* ---- behaviour on one server ---- */

static void readers_share_writer_alone(void **state)
{
    (void)state;
    pottery_rwlock *r1 = single("cfg", 0), *r2 = single("cfg", 0), *w = single("cfg", 0);
    assert_string_equal(pottery_rwlock_key(r1), "rwlock:cfg");
    assert_int_equal(strlen(pottery_rwlock_owner(r1)), 36);
    pottery_client *const *m;
    assert_int_equal(pottery_rwlock_masters(&m, r1), 1);
    assert_ptr_equal(m[0], client);

    /* Readers share: one round trip each; each share scored by its expiry. */
    int acquired = -1;
    assert_round_trips(1, pottery_rwlock_acquire_read(&acquired, r1, 0, POTTERY_FOREVER));
    assert_int_equal(acquired, 1);
    assert_int_equal(pottery_rwlock_mode_of(r1), POTTERY_RWLOCK_READ);
    assert_int_equal(read_now(r2), 1);
    assert_raw("2", raw("ZCARD", READ_KEY, NULL));
    char *score = raw("ZSCORE", READ_KEY, pottery_rwlock_owner(r1), NULL);
    assert_non_null(score);
    assert_true(atoll(score) > 1600000000000LL);
    free(score);
    assert_true(pttl_of(READ_KEY) > 9000);

    /* A writer is refused (attempt + undo) while they read; a single try leaves no mark. */
    assert_round_trips(2, pottery_rwlock_acquire_write(&acquired, w, 0, 0));
    assert_int_equal(acquired, 0);
    assert_raw("0", raw("EXISTS", WRITE_KEY, NULL));
    assert_raw("0", raw("EXISTS", WAITING_KEY, NULL));
    assert_int_equal(pottery_rwlock_mode_of(w), POTTERY_RWLOCK_NONE);

    /* One reader leaves: still refused; both left: the writer gets in, alone. */
    assert_round_trips(1, pottery_rwlock_release(r1));
    assert_int_equal(pottery_rwlock_mode_of(r1), POTTERY_RWLOCK_NONE);
    assert_int_equal(write_now(w), 0);
    assert_ok(pottery_rwlock_release(r2));
    assert_raw("0", raw("EXISTS", READ_KEY, NULL));
    assert_int_equal(write_now(w), 1);
    assert_int_equal(pottery_rwlock_mode_of(w), POTTERY_RWLOCK_WRITE);
    assert_raw(pottery_rwlock_owner(w), raw("GET", WRITE_KEY, NULL));
    assert_int_equal(read_now(r1), 0);
    pottery_rwlock *w2 = single("cfg", 0);
    assert_int_equal(write_now(w2), 0);
    assert_ok(pottery_rwlock_release(w));
    assert_raw("0", raw("EXISTS", WRITE_KEY, NULL));
    assert_int_equal(read_now(r1), 1);
    assert_ok(pottery_rwlock_release(r1));

    /* The three keys share a hash slot. */
    assert_int_equal(pottery__key_slot(WRITE_KEY, strlen(WRITE_KEY)), pottery__key_slot(READ_KEY, strlen(READ_KEY)));
    assert_int_equal(pottery__key_slot(WAITING_KEY, strlen(WAITING_KEY)),
                     pottery__key_slot(READ_KEY, strlen(READ_KEY)));
    pottery_rwlock_free(r1);
    pottery_rwlock_free(r2);
    pottery_rwlock_free(w);
    pottery_rwlock_free(w2);
}

static void state_release_extend(void **state)
{
    (void)state;
    pottery_rwlock *lock = single("cfg", 300);
    int acquired = -1;
    uint64_t rt = round_trips();
    assert_code(POTTERY_EUNLOCKED, pottery_rwlock_release(lock));
    assert_message_contains("not held by this handle");
    assert_code(POTTERY_EUNLOCKED, pottery_rwlock_extend(lock));
    assert_int_equal(round_trips(), rt);

    /* A handle does not nest. */
    assert_int_equal(read_now(lock), 1);
    assert_code(POTTERY_ESTATE, pottery_rwlock_acquire_read(&acquired, lock, 0, 0));
    assert_code(POTTERY_ESTATE, pottery_rwlock_acquire_write(&acquired, lock, 0, 0));
    assert_message_contains("held by this handle already (for reading)");

    /* Extending a share moves its expiry; three extensions allowed. */
    sleep_ms(150);
    assert_round_trips(1, pottery_rwlock_extend(lock));
    assert_true(pttl_of(READ_KEY) > 250);
    assert_ok(pottery_rwlock_extend(lock));
    assert_ok(pottery_rwlock_extend(lock));
    assert_code(POTTERY_EEXTENSIONS, pottery_rwlock_extend(lock));
    /* The share runs out: release reports it, and the handle holds nothing. */
    sleep_ms(350);
    assert_code(POTTERY_EUNLOCKED, pottery_rwlock_release(lock));
    assert_message_contains("release of an unlocked lock rwlock:cfg: 0 of 1");
    assert_int_equal(pottery_rwlock_mode_of(lock), POTTERY_RWLOCK_NONE);

    /* The same for the writer. */
    assert_int_equal(write_now(lock), 1);
    sleep_ms(150);
    assert_ok(pottery_rwlock_extend(lock));
    assert_true(pttl_of(WRITE_KEY) > 250);
    sleep_ms(350);
    assert_code(POTTERY_EUNLOCKED, pottery_rwlock_extend(lock));
    assert_code(POTTERY_EUNLOCKED, pottery_rwlock_release(lock));
    pottery_rwlock_free(lock);
}

/* A child: a blocking writer (5 s at most) that holds the lock briefly once it gets it. */
static int blocking_writer(pottery_client *mine, int w, void *arg)
{
    (void)w;
    (void)arg;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.retry_delay_ms = 20;
    pottery_rwlock *lock;
    int acquired = 0;
    if (pottery_rwlock_new(&lock, "cfg", &mine, 1, &opts) < 0) return 1;
    if (pottery_rwlock_acquire_write(&acquired, lock, 1, 5000) < 0 || !acquired) return 2;
    sleep_ms(100);
    int rc = pottery_rwlock_release(lock) < 0 ? 3 : 0;
    pottery_rwlock_free(lock);
    return rc;
}

static void writer_preference(void **state)
{
    (void)state;
    pottery_rwlock *r1 = single("cfg", 0), *r2 = single("cfg", 0), *w = single("cfg", 0);
    assert_int_equal(read_now(r1), 1);

    /* A writer that gives up takes its waiting mark away. */
    int acquired = -1;
    double t0 = now_ms();
    assert_ok(pottery_rwlock_acquire_write(&acquired, w, 1, 100));
    assert_int_equal(acquired, 0);
    assert_true(now_ms() - t0 >= 100);
    assert_raw("0", raw("EXISTS", WAITING_KEY, NULL));
    assert_int_equal(read_now(r2), 1);
    assert_ok(pottery_rwlock_release(r2));

    /* A writer waiting in another process: new readers are refused, the reader already in
     * keeps its share; when it leaves, the writer gets in before any new reader. */
    pid_t pid = fork_worker(blocking_writer, 0, NULL);
    for (int i = 0; i < 200; i++) {
        char *e = raw("EXISTS", WAITING_KEY, NULL);
        int marked = e && strcmp(e, "1") == 0;
        free(e);
        if (marked) break;
        sleep_ms(5);
    }
    assert_raw("1", raw("EXISTS", WAITING_KEY, NULL));
    assert_int_equal(read_now(r2), 0);
    assert_ok(pottery_rwlock_extend(r1));
    assert_ok(pottery_rwlock_release(r1));
    t0 = now_ms();
    assert_ok(pottery_rwlock_acquire_read(&acquired, r2, 1, 3000));
    assert_int_equal(acquired, 1);
    print_message("a new reader got in %.0f ms after the waiting writer's turn began\n", now_ms() - t0);
    assert_int_equal(wait_exit_code(pid), 0);
    assert_raw("0", raw("EXISTS", WAITING_KEY, NULL));
    assert_ok(pottery_rwlock_release(r2));
    pottery_rwlock_free(r1);
    pottery_rwlock_free(r2);
    pottery_rwlock_free(w);
}

/* A child that takes the lock (arg: "read" or "write") with a 400 ms lease and crashes. */
static int hold_and_die(pottery_client *mine, int w, void *arg)
{
    (void)w;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = 400;
    pottery_rwlock *lock;
    int acquired = 0;
    if (pottery_rwlock_new(&lock, "cfg", &mine, 1, &opts) < 0) return 1;
    int rc = strcmp(arg, "read") == 0 ? pottery_rwlock_acquire_read(&acquired, lock, 1, 1000)
                                      : pottery_rwlock_acquire_write(&acquired, lock, 1, 1000);
    if (rc < 0 || !acquired) return 2;
    kill(getpid(), SIGKILL);
    return 3;
}

static void crashed_holders_leases_run_out(void **state)
{
    (void)state;
    pottery_rwlock *lock = single("cfg", 0);
    int acquired = -1;
    /* A crashed reader: a writer waits for its share to expire. */
    assert_int_equal(wait_exit_code(fork_worker(hold_and_die, 0, "read")), 128 + SIGKILL);
    assert_int_equal(write_now(lock), 0);
    double t0 = now_ms();
    assert_ok(pottery_rwlock_acquire_write(&acquired, lock, 1, 2000));
    assert_int_equal(acquired, 1);
    print_message("a crashed reader's 400 ms share ran out after %.0f ms more\n", now_ms() - t0);
    assert_raw("0", raw("ZCARD", READ_KEY, NULL));
    assert_ok(pottery_rwlock_release(lock));
    /* A crashed writer: a reader waits for its lease. */
    assert_int_equal(wait_exit_code(fork_worker(hold_and_die, 0, "write")), 128 + SIGKILL);
    assert_int_equal(read_now(lock), 0);
    assert_ok(pottery_rwlock_acquire_read(&acquired, lock, 1, 2000));
    assert_int_equal(acquired, 1);
    assert_ok(pottery_rwlock_release(lock));
    pottery_rwlock_free(lock);
}

/* A child: a writer that starts waiting (blocking) for readers and crashes meanwhile. */
static int wait_and_die(pottery_client *mine, int w, void *arg)
{
    (void)w;
    (void)arg;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.retry_delay_ms = 20;
    pottery_rwlock *lock;
    int acquired = 0;
    if (pottery_rwlock_new(&lock, "cfg", &mine, 1, &opts) < 0) return 1;
    alarm(1); /* SIGALRM ends it while it waits */
    (void)pottery_rwlock_acquire_write(&acquired, lock, 1, POTTERY_FOREVER);
    return 2;
}

static void crashed_waiting_writer_mark_runs_out(void **state)
{
    (void)state;
    pottery_rwlock *r1 = single("cfg", 0), *r2 = single("cfg", 0);
    assert_int_equal(read_now(r1), 1);
    assert_int_equal(wait_exit_code(fork_worker(wait_and_die, 0, NULL)), 128 + SIGALRM);
    /* Its mark (2 x 20 ms + 1000 ms) keeps new readers out a while longer, then expires. */
    long long left = pttl_of(WAITING_KEY);
    assert_true(left > 0 && left <= 1040);
    assert_int_equal(read_now(r2), 0);
    int acquired = -1;
    assert_ok(pottery_rwlock_acquire_read(&acquired, r2, 1, 2000));
    assert_int_equal(acquired, 1);
    assert_ok(pottery_rwlock_release(r1));
    assert_ok(pottery_rwlock_release(r2));
    pottery_rwlock_free(r1);
    pottery_rwlock_free(r2);
}

static void bad_input(void **state)
{
    (void)state;
    pottery_rwlock *lock = (pottery_rwlock *)1;
    assert_code(POTTERY_EINVAL, pottery_rwlock_new(NULL, "k", &client, 1, NULL));
    assert_code(POTTERY_EINVAL, pottery_rwlock_new(&lock, NULL, &client, 1, NULL));
    assert_null(lock);
    assert_code(POTTERY_EINVAL, pottery_rwlock_new(&lock, "k", NULL, 1, NULL));
    assert_code(POTTERY_EINVAL, pottery_rwlock_new(&lock, "k", &client, 0, NULL));
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.retry_delay_ms = -1;
    assert_code(POTTERY_EINVAL, pottery_rwlock_new(&lock, "k", &client, 1, &opts));
    assert_message_contains("pottery_rwlock_new");

    lock = single("cfg", 0);
    int acquired = -1;
    assert_code(POTTERY_EINVAL, pottery_rwlock_acquire_read(NULL, lock, 1, 0));
    assert_code(POTTERY_EINVAL, pottery_rwlock_acquire_write(&acquired, NULL, 1, 0));
    assert_code(POTTERY_EINVAL, pottery_rwlock_acquire_read(&acquired, lock, 1, -2));
    assert_code(POTTERY_EINVAL, pottery_rwlock_acquire_write(&acquired, lock, 0, 10));
    acquired = 7; /* a failed call leaves its out-value alone */
    assert_code(POTTERY_EINVAL, pottery_rwlock_acquire_write(&acquired, lock, 0, 10));
    assert_code(POTTERY_EINVAL, pottery_rwlock_acquire_read(&acquired, lock, 0, 10));
    assert_int_equal(acquired, 7);
    assert_code(POTTERY_EINVAL, pottery_rwlock_release(NULL));
    assert_code(POTTERY_EINVAL, pottery_rwlock_extend(NULL));
    assert_null(pottery_rwlock_key(NULL));
    assert_null(pottery_rwlock_owner(NULL));
    assert_int_equal(pottery_rwlock_masters(NULL, NULL), 0);
    assert_int_equal(pottery_rwlock_mode_of(NULL), POTTERY_RWLOCK_NONE);
    pottery_rwlock_free(NULL);

    /* Keys of another type: EREDIS with WRONGTYPE at once, the keys left as they were. */
    assert_raw("OK", raw("SET", READ_KEY, "not a set", NULL));
    double t0 = now_ms();
    assert_code(POTTERY_EREDIS, pottery_rwlock_acquire_read(&acquired, lock, 1, POTTERY_FOREVER));
    assert_true(now_ms() - t0 < 200);
    assert_message_contains("WRONGTYPE");
    assert_code(POTTERY_EREDIS, pottery_rwlock_acquire_write(&acquired, lock, 1, 1000));
    assert_raw("not a set", raw("GET", READ_KEY, NULL));
    assert_raw("1", raw("DEL", READ_KEY, NULL));
    assert_raw("1", raw("HSET", WRITE_KEY, "f", "v", NULL));
    assert_code(POTTERY_EREDIS, pottery_rwlock_acquire_read(&acquired, lock, 0, 0));
    assert_code(POTTERY_EREDIS, pottery_rwlock_acquire_write(&acquired, lock, 0, 0));
    assert_int_equal(pottery_rwlock_mode_of(lock), POTTERY_RWLOCK_NONE);
    assert_raw("v", raw("HGET", WRITE_KEY, "f", NULL));
    pottery_rwlock_free(lock);
}

/* ---- readers and writers in separate processes ---- */

#define WRITERS 3
#define READERS 3
#define WRITES 60
#define READS 100

static long get_long(const char *key)
{
    char *got = test_redis_cmdv(&counter_server, "GET", key, (const char *)NULL);
    long n = got && strcmp(got, "(nil)") != 0 ? atol(got) : 0;
    free(got);
    return n;
}

static int set_long(const char *key, long v)
{
    char text[32];
    snprintf(text, sizeof text, "%ld", v);
    char *ok = test_redis_cmdv(&counter_server, "SET", key, text, (const char *)NULL);
    int rc = ok && strcmp(ok, "OK") == 0 ? 0 : -1;
    free(ok);
    return rc;
}

/* Writers move the pair (a, b) from (n, n) to (n + 1, n + 1), one key at a time; readers
 * read both and must find them equal. w < WRITERS: a writer, else a reader (READS reads
 * at least). */
static int reader_or_writer(pottery_client *const *ms, size_t n, int w)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.retry_delay_ms = 5;
    pottery_rwlock *lock;
    if (pottery_rwlock_new(&lock, "pair", ms, n, &opts) < 0) return 10;
    int writer = w < WRITERS, goal = writer ? WRITES : READS, done = 0, failures = 0, torn = 0;
    /* Readers go on until the writers are done too, so that both always overlap. */
    while ((done < goal || (!writer && get_long("a") < (long)WRITERS * WRITES)) && failures < 20) {
        int acquired = 0;
        int rc = writer ? pottery_rwlock_acquire_write(&acquired, lock, 1, POTTERY_FOREVER)
                        : pottery_rwlock_acquire_read(&acquired, lock, 1, POTTERY_FOREVER);
        if (rc < 0 || !acquired) {
            failures++;
            continue;
        }
        if (writer) {
            long a = get_long("a");
            usleep(300);
            rc = set_long("a", a + 1);
            usleep(1000);
            if (rc == 0) rc = set_long("b", a + 1);
        } else {
            long a = get_long("a");
            usleep(1000);
            if (get_long("b") != a) torn++;
        }
        if (rc == 0) done++;
        /* Masters killed while held can leave the holder below a quorum: release reports
         * EUNLOCKED after the section ran. */
        if (pottery_rwlock_release(lock) < 0 || rc < 0) failures++;
    }
    pottery_rwlock_free(lock);
    if (torn) fprintf(stderr, "rwlock reader: %d torn reads\n", torn);
    if (failures)
        fprintf(stderr, "rwlock worker %d: %d failures, last: %s\n", w, failures, pottery_error_last()->message);
    return done >= goal && torn == 0 ? 0 : 1;
}

static int single_worker(pottery_client *mine, int w, void *arg)
{
    (void)arg;
    return reader_or_writer(&mine, 1, w);
}

static void check_pair(double t0, const char *where)
{
    print_message("%d writers x %d writes, %d readers x %d reads (%s): %.0f ms\n", WRITERS, WRITES, READERS, READS,
                  where, now_ms() - t0);
    assert_int_equal(get_long("a"), (long)WRITERS * WRITES);
    assert_int_equal(get_long("b"), (long)WRITERS * WRITES);
}

static void readers_and_writers_one_server(void **state)
{
    (void)state;
    pid_t pids[WRITERS + READERS];
    double t0 = now_ms();
    for (int i = 0; i < WRITERS + READERS; i++) pids[i] = fork_worker(single_worker, i, NULL);
    for (int i = 0; i < WRITERS + READERS; i++) assert_int_equal(wait_exit_code(pids[i]), 0);
    check_pair(t0, fixture_cluster_mode() ? "one cluster" : "one server");
    assert_raw("0", raw("EXISTS", "{rwlock:pair}:write", NULL));
    assert_raw("0", raw("EXISTS", "{rwlock:pair}:read", NULL));
}

static int masters_worker(void *arg)
{
    pottery_client *mine[MASTERS];
    pottery_client_options copts;
    pottery_client_options_init(&copts);
    copts.command_timeout_ms = 200;
    copts.connect_timeout_ms = 200;
    for (size_t i = 0; i < MASTERS; i++)
        if (pottery_client_open(&mine[i], masters[i].url, &copts) < 0) return 10;
    int rc = reader_or_writer(mine, MASTERS, *(const int *)arg);
    close_master_clients(mine, MASTERS);
    return rc;
}

/* fault: 1 kill two masters halfway, 2 freeze one for 500 ms halfway. */
static void run_masters_workers(int fault)
{
    pid_t pids[WRITERS + READERS];
    int ids[WRITERS + READERS];
    double t0 = now_ms();
    for (int i = 0; i < WRITERS + READERS; i++) {
        ids[i] = i;
        pids[i] = fork_child(masters_worker, &ids[i]);
    }
    while (get_long("a") < (long)WRITERS * WRITES / 2) sleep_ms(5);
    if (fault == 1) {
        test_redis_kill(&masters[0]);
        test_redis_kill(&masters[3]);
    } else {
        test_redis_pause(&masters[2]);
        sleep_ms(500);
        test_redis_resume(&masters[2]);
    }
    for (int i = 0; i < WRITERS + READERS; i++) assert_int_equal(wait_exit_code(pids[i]), 0);
    check_pair(t0, fault == 1 ? "5 masters, 2 killed halfway" : "5 masters, 1 frozen for 500 ms halfway");
}

static void readers_and_writers_five_masters_two_killed(void **state)
{
    (void)state;
    run_masters_workers(1);
}

static void readers_and_writers_five_masters_one_frozen(void **state)
{
    (void)state;
    run_masters_workers(2);
}

static void quorum_over_five_masters(void **state)
{
    (void)state;
    pottery_rwlock *r = rwlock_on("cfg", clients, MASTERS, 0), *w = rwlock_on("cfg", clients, MASTERS, 0);
    assert_int_equal(read_now(r), 1);
    for (size_t i = 0; i < MASTERS; i++)
        assert_raw("1", test_redis_cmdv(&masters[i], "ZCARD", READ_KEY, (const char *)NULL));
    assert_int_equal(write_now(w), 0);
    /* Its refused attempts left nothing on any master. */
    for (size_t i = 0; i < MASTERS; i++)
        assert_raw("0", test_redis_cmdv(&masters[i], "EXISTS", WRITE_KEY, (const char *)NULL));
    test_redis_kill(&masters[1]);
    test_redis_kill(&masters[2]);
    assert_ok(pottery_rwlock_extend(r));
    assert_ok(pottery_rwlock_release(r));
    assert_int_equal(write_now(w), 1);
    assert_int_equal(read_now(r), 0);
    test_redis_kill(&masters[4]);
    assert_code(POTTERY_EUNLOCKED, pottery_rwlock_release(w));
    assert_message_contains("2 of 5 (");
    assert_int_equal(read_now(r), 0);
    pottery_rwlock_free(r);
    pottery_rwlock_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(readers_share_writer_alone, reset),
        cmocka_unit_test_setup(state_release_extend, reset),
        cmocka_unit_test_setup(writer_preference, reset),
        cmocka_unit_test_setup(crashed_holders_leases_run_out, reset),
        cmocka_unit_test_setup(crashed_waiting_writer_mark_runs_out, reset),
        cmocka_unit_test_setup(bad_input, reset),
        cmocka_unit_test_setup(readers_and_writers_one_server, reset),
        cmocka_unit_test_setup_teardown(quorum_over_five_masters, reset_masters5, masters_close),
        cmocka_unit_test_setup_teardown(readers_and_writers_five_masters_two_killed, reset_masters5, masters_close),
        cmocka_unit_test_setup_teardown(readers_and_writers_five_masters_one_frozen, reset_masters5, masters_close),
    };
    static const fixture_exclusion not_on_cluster[] = {
        { "quorum_over_five_masters", "five standalone masters: run once, without the cluster" },
        { "readers_and_writers_five_masters_two_killed", "five standalone masters: run once, without the cluster" },
        { "readers_and_writers_five_masters_one_frozen", "five standalone masters: run once, without the cluster" },
        { NULL, NULL },
    };
    return fixture_run_group(tests, not_on_cluster, group_setup, group_teardown);
}
