/* pottery_semaphore against a private redis-server (or, as semaphore_cluster, a Redis
 * Cluster): permits, leases, blocking, layout, round trips, bad input; the permit count
 * checked by forked processes, and the permits of a killed process coming back. */
#include <inttypes.h>
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

#include "conn/conn.h"
#include "pottery.h"
#include "pottery/semaphore.h"
#include "support/test_fixture.h"

/* ---- helpers ---- */

static pottery_semaphore *open_sem_on(pottery_client *c, const char *key, int64_t permits, int64_t lease_ms)
{
    pottery_semaphore_options opts;
    pottery_semaphore_options_init(&opts);
    if (lease_ms) opts.lease_ms = lease_ms;
    opts.retry_delay_ms = 10;
    pottery_semaphore *s = NULL;
    assert_ok(pottery_semaphore_open(&s, c, key, permits, &opts));
    return s;
}

static pottery_semaphore *open_sem(const char *key, int64_t permits, int64_t lease_ms)
{
    return open_sem_on(client, key, permits, lease_ms);
}

/* One non-blocking attempt: 1 when granted. */
static int try_acquire(pottery_semaphore_permit *p, pottery_semaphore *s)
{
    int acquired = -1;
    assert_ok(pottery_semaphore_acquire(&acquired, p, s, 0, 0));
    assert_true(acquired == 0 || acquired == 1);
    return acquired;
}

static int64_t held_of(pottery_semaphore *s)
{
    int64_t n = -1;
    assert_ok(pottery_semaphore_held(&n, s));
    return n;
}

static int64_t available_of(pottery_semaphore *s)
{
    int64_t n = -1;
    assert_ok(pottery_semaphore_available(&n, s));
    return n;
}

/* A command on a worker's own client answering an integer (nil counts as 0). */
static int cmd_int(long long *out, pottery_client *c, const char *a0, const char *a1, const char *a2)
{
    pottery_cmd cmd;
    build_cmd(&cmd, a0, a1, a2, (const char *)NULL);
    pottery_reply *r = NULL;
    int rc = pottery__exec(&r, c, &cmd);
    pottery__cmd_free(&cmd);
    *out = 0;
    if (rc == 0 && pottery__reply_type(r) == POTTERY_REPLY_STRING) {
        *out = atoll(pottery__reply_str(r, NULL));
    } else if (rc == 0 && pottery__reply_type(r) != POTTERY_REPLY_NIL &&
               pottery__reply_type(r) != POTTERY_REPLY_STATUS) {
        rc = pottery__reply_int(out, r, a0);
    }
    pottery__reply_free(r);
    return rc;
}

/* ---- permits, counts, release, extend ---- */

static void test_permits_are_counted(void **state)
{
    (void)state;
    pottery_semaphore *s = open_sem("printers", 3, 0);
    assert_string_equal(pottery_semaphore_key(s), "printers");
    assert_ptr_equal(pottery_semaphore_client(s), client);
    assert_int_equal(pottery_semaphore_permits(s), 3);
    assert_int_equal(held_of(s), 0);
    assert_int_equal(available_of(s), 3);
    assert_raw("0", raw("EXISTS", "printers", NULL));

    pottery_semaphore_permit p[4];
    memset(p, 0, sizeof p);
    for (int i = 0; i < 3; i++) assert_int_equal(try_acquire(&p[i], s), 1);
    assert_int_equal(strlen(p[0].token), 36);
    assert_string_not_equal(p[0].token, p[1].token);
    assert_int_equal(held_of(s), 3);
    assert_int_equal(available_of(s), 0);
    /* the fourth is refused, and its permit untouched */
    strcpy(p[3].token, "untouched");
    assert_int_equal(try_acquire(&p[3], s), 0);
    assert_string_equal(p[3].token, "untouched");

    assert_ok(pottery_semaphore_release(s, &p[1]));
    assert_int_equal(available_of(s), 1);
    assert_code(POTTERY_EUNLOCKED, pottery_semaphore_release(s, &p[1]));
    assert_message_contains("not held");
    assert_code(POTTERY_EUNLOCKED, pottery_semaphore_extend(s, &p[1]));
    assert_int_equal(try_acquire(&p[3], s), 1);
    assert_int_equal(try_acquire(&p[1], s), 0);
    /* a token this semaphore never granted */
    pottery_semaphore_permit stranger;
    strcpy(stranger.token, "00000000-0000-4000-8000-000000000000");
    assert_code(POTTERY_EUNLOCKED, pottery_semaphore_release(s, &stranger));
    for (int i = 0; i < 4; i++)
        if (i != 1) assert_ok(pottery_semaphore_release(s, &p[i]));
    assert_int_equal(held_of(s), 0);
    /* nobody holds a permit: the key is gone */
    assert_raw("0", raw("EXISTS", "printers", NULL));
    pottery_semaphore_free(s);
    pottery_semaphore_free(NULL);
    assert_null(pottery_semaphore_key(NULL));
    assert_null(pottery_semaphore_client(NULL));
    assert_int_equal(pottery_semaphore_permits(NULL), 0);
}

static void test_layout_and_round_trips(void **state)
{
    (void)state;
    pottery_semaphore *s = open_sem("{t}sem", 2, 5000);
    pottery_semaphore_permit p;
    int acquired = 0;
    assert_round_trips(1, pottery_semaphore_acquire(&acquired, &p, s, 1, POTTERY_FOREVER));
    assert_int_equal(acquired, 1);
    /* a sorted set: the token scored by its expiry in ms of the server's clock */
    assert_raw("zset", raw("TYPE", "{t}sem", NULL));
    char *score = raw("ZSCORE", "{t}sem", p.token, NULL);
    char *time = raw("TIME", NULL);
    assert_non_null(score);
    assert_non_null(time);
    long long expiry = atoll(score + (score[0] == '"' ? 1 : 0)), now_s = 0;
    const char *digits = strpbrk(time, "0123456789");
    assert_non_null(digits);
    now_s = atoll(digits);
    assert_true(expiry > now_s * 1000 + 3000 && expiry <= now_s * 1000 + 6000);
    free(score);
    free(time);
    /* the key expires with the last lease */
    char *pttl = raw("PTTL", "{t}sem", NULL);
    assert_true(atoll(pttl + strcspn(pttl, "0123456789")) > 4000);
    free(pttl);

    int64_t n = 0;
    assert_round_trips(1, pottery_semaphore_held(&n, s));
    assert_round_trips(1, pottery_semaphore_available(&n, s));
    assert_int_equal(n, 1);
    assert_round_trips(1, pottery_semaphore_lease_left(&n, s, &p));
    assert_true(n > 4000 && n <= 5000);
    assert_round_trips(1, pottery_semaphore_extend(s, &p));
    assert_round_trips(1, pottery_semaphore_release(s, &p));
    assert_ok(pottery_semaphore_lease_left(&n, s, &p));
    assert_int_equal(n, 0);
    pottery_semaphore_free(s);
}

/* ---- leases ---- */

static void test_leases_end_and_extend(void **state)
{
    (void)state;
    pottery_semaphore *s = open_sem("pool", 2, 300);
    pottery_semaphore_permit a, b, c;
    assert_int_equal(try_acquire(&a, s), 1);
    assert_int_equal(try_acquire(&b, s), 1);
    assert_int_equal(try_acquire(&c, s), 0);
    sleep_ms(200);
    assert_ok(pottery_semaphore_extend(s, &a)); /* a's lease starts over: 300 ms more */
    sleep_ms(200);
    /* b's lease ended, a's did not */
    assert_int_equal(held_of(s), 1);
    assert_int_equal(try_acquire(&c, s), 1);
    assert_code(POTTERY_EUNLOCKED, pottery_semaphore_extend(s, &b));
    assert_code(POTTERY_EUNLOCKED, pottery_semaphore_release(s, &b));
    int64_t left = 0;
    assert_ok(pottery_semaphore_lease_left(&left, s, &b));
    assert_int_equal(left, 0);
    sleep_ms(400);
    assert_int_equal(held_of(s), 0);
    assert_code(POTTERY_EUNLOCKED, pottery_semaphore_release(s, &a));
    /* the key expired with the last lease */
    assert_raw("0", raw("EXISTS", "pool", NULL));
    pottery_semaphore_free(s);
}

static void test_blocking_and_timeouts(void **state)
{
    (void)state;
    pottery_semaphore *s = open_sem("slow", 1, 400);
    pottery_semaphore_permit a, b;
    int acquired = -1;
    assert_int_equal(try_acquire(&a, s), 1);
    double t0 = now_ms();
    assert_ok(pottery_semaphore_acquire(&acquired, &b, s, 1, 100));
    double took = now_ms() - t0;
    assert_int_equal(acquired, 0);
    assert_true(took >= 95 && took < 100 + slack_ms(200));
    /* timeout 0: one attempt */
    t0 = now_ms();
    assert_ok(pottery_semaphore_acquire(&acquired, &b, s, 1, 0));
    assert_int_equal(acquired, 0);
    assert_true(now_ms() - t0 < slack_ms(50));
    /* waiting forever: granted when a's lease ends */
    assert_ok(pottery_semaphore_acquire(&acquired, &b, s, 1, POTTERY_FOREVER));
    assert_int_equal(acquired, 1);
    took = now_ms() - t0;
    assert_true(took >= 250 && took < 400 + slack_ms(600));
    assert_ok(pottery_semaphore_release(s, &b));
    pottery_semaphore_free(s);
}

/* ---- processes: never more holders than permits ---- */

enum { WORKERS = 6, SECTIONS = 200, PERMITS = 3 };

/* mode 1: one permit guards a non-atomic read-modify-write of "{t}total"; mode PERMITS:
 * each holder counts itself in "{t}holders" (INCR/DECR) and records the most seen in
 * "{t}max" with a compare-and-set under the same rule. */
static int holder_worker(pottery_client *mine, int w, void *arg)
{
    (void)w;
    int permits = *(const int *)arg;
    pottery_semaphore *s = NULL;
    pottery_semaphore_options opts;
    pottery_semaphore_options_init(&opts);
    opts.retry_delay_ms = 2;
    if (pottery_semaphore_open(&s, mine, "{t}sem", permits, &opts) < 0) return 1;
    int bad = 0;
    for (int i = 0; i < SECTIONS && !bad; i++) {
        pottery_semaphore_permit p;
        int acquired = 0;
        if (pottery_semaphore_acquire(&acquired, &p, s, 1, 10000) < 0 || !acquired) {
            bad = 2;
            break;
        }
        long long v = 0, ignored;
        if (permits == 1) {
            char text[32];
            bad |= cmd_int(&v, mine, "GET", "{t}total", NULL) < 0;
            usleep(200);
            snprintf(text, sizeof text, "%lld", v + 1);
            bad |= cmd_int(&ignored, mine, "SET", "{t}total", text) < 0;
        } else {
            bad |= cmd_int(&v, mine, "INCR", "{t}holders", NULL) < 0;
            if (v > permits) bad = 3;
            long long max = 0;
            bad |= cmd_int(&max, mine, "GET", "{t}max", NULL) < 0;
            if (v > max) {
                char text[32];
                snprintf(text, sizeof text, "%lld", v);
                bad |= cmd_int(&ignored, mine, "SET", "{t}max", text) < 0;
            }
            usleep(500);
            bad |= cmd_int(&ignored, mine, "INCR", "{t}total", NULL) < 0;
            bad |= cmd_int(&v, mine, "DECR", "{t}holders", NULL) < 0;
        }
        if (pottery_semaphore_release(s, &p) < 0) bad = 4;
    }
    pottery_semaphore_free(s);
    return bad;
}

static void run_holders(int permits)
{
    pid_t pids[WORKERS];
    double t0 = now_ms();
    for (int w = 0; w < WORKERS; w++) pids[w] = fork_worker(holder_worker, w, &permits);
    for (int w = 0; w < WORKERS; w++) assert_int_equal(wait_exit_code(pids[w]), 0);
    print_message("%d processes x %d sections, %d permit(s): %.0f ms\n", WORKERS, SECTIONS, permits, now_ms() - t0);
    char expected[16];
    snprintf(expected, sizeof expected, "%d", WORKERS * SECTIONS);
    assert_raw(expected, raw("GET", "{t}total", NULL));
    assert_raw("0", raw("EXISTS", "{t}sem", NULL));
}

static void test_one_permit_serialises_read_modify_write(void **state)
{
    (void)state;
    run_holders(1);
}

static void test_never_more_holders_than_permits(void **state)
{
    (void)state;
    run_holders(PERMITS);
    /* the permits were all in use at some point, never more */
    char expected[16];
    snprintf(expected, sizeof expected, "%d", PERMITS);
    assert_raw(expected, raw("GET", "{t}max", NULL));
    assert_raw("0", raw("GET", "{t}holders", NULL));
}

/* ---- a holder that dies: its permits come back after the lease ---- */

/* The dead holder's lease: long enough for the test to see its permits still taken. */
static int64_t crash_lease_ms(void)
{
    return (int64_t)slack_ms(500);
}

static int hold_and_hang(pottery_client *mine, int w, void *arg)
{
    (void)w;
    int fd = *(const int *)arg;
    pottery_semaphore *s = open_sem_on(mine, "{t}crash", 2, crash_lease_ms());
    pottery_semaphore_permit a, b;
    int ok = try_acquire(&a, s) && try_acquire(&b, s);
    char c = ok ? 'y' : 'n';
    (void)write_all(fd, &c, 1);
    pause(); /* killed here, holding both permits */
    return 1;
}

static void test_permits_of_a_killed_process_come_back(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t child = fork_worker(hold_and_hang, 0, &fds[1]);
    char c = 0;
    assert_int_equal(read_full(fds[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    double t0 = now_ms();
    kill(child, SIGKILL);
    assert_int_equal(wait_exit_code(child), 128 + SIGKILL);
    close(fds[0]);
    close(fds[1]);

    pottery_semaphore *s = open_sem("{t}crash", 2, crash_lease_ms());
    pottery_semaphore_permit p, q;
    assert_int_equal(available_of(s), 0);
    assert_int_equal(try_acquire(&p, s), 0);
    int acquired = 0;
    assert_ok(pottery_semaphore_acquire(&acquired, &p, s, 1, 3000));
    assert_int_equal(acquired, 1);
    assert_true(now_ms() - t0 >= 350);
    /* Both come back: the second lease ends a moment after the first, as the child took the
     * permits one after the other. */
    double t1 = now_ms();
    int second = 0;
    while (!(second = try_acquire(&q, s)) && now_ms() - t1 < (double)slack_ms(1000)) sleep_ms(5);
    assert_int_equal(second, 1);
    assert_ok(pottery_semaphore_release(s, &p));
    assert_ok(pottery_semaphore_release(s, &q));
    pottery_semaphore_free(s);
}

/* ---- bad input ---- */

static void test_null_and_invalid_arguments(void **state)
{
    (void)state;
    int dummy = 0;
    pottery_semaphore *s = (pottery_semaphore *)(void *)&dummy; /* not NULL, to see it reset */
    assert_code(POTTERY_EINVAL, pottery_semaphore_open(NULL, client, "k", 1, NULL));
    assert_code(POTTERY_EINVAL, pottery_semaphore_open(&s, NULL, "k", 1, NULL));
    assert_null(s);
    assert_code(POTTERY_EINVAL, pottery_semaphore_open(&s, client, NULL, 1, NULL));
    assert_code(POTTERY_EINVAL, pottery_semaphore_open(&s, client, "", 1, NULL));
    assert_code(POTTERY_EINVAL, pottery_semaphore_open(&s, client, "k", 0, NULL));
    assert_message_contains("permits must be >= 1 (got 0)");
    assert_code(POTTERY_EINVAL, pottery_semaphore_open(&s, client, "k", -5, NULL));
    pottery_semaphore_options opts;
    pottery_semaphore_options_init(&opts);
    opts.lease_ms = 0;
    assert_code(POTTERY_EINVAL, pottery_semaphore_open(&s, client, "k", 1, &opts));
    assert_message_contains("lease_ms");
    opts.lease_ms = INT64_MAX;
    assert_code(POTTERY_EINVAL, pottery_semaphore_open(&s, client, "k", 1, &opts));
    opts.lease_ms = 1000;
    opts.retry_delay_ms = -1;
    assert_code(POTTERY_EINVAL, pottery_semaphore_open(&s, client, "k", 1, &opts));
    opts.retry_delay_ms = 0;
    opts.version = 0;
    assert_code(POTTERY_EINVAL, pottery_semaphore_open(&s, client, "k", 1, &opts));
    opts.version = POTTERY_SEMAPHORE_OPTIONS_VERSION + 1;
    assert_code(POTTERY_EINVAL, pottery_semaphore_open(&s, client, "k", 1, &opts));
    assert_null(s);

    uint64_t before = commands();
    s = open_sem("k", 1, 0);
    pottery_semaphore_permit p;
    memset(&p, 0, sizeof p);
    int acquired = 0;
    int64_t n = 0;
    assert_code(POTTERY_EINVAL, pottery_semaphore_acquire(NULL, &p, s, 1, 0));
    assert_code(POTTERY_EINVAL, pottery_semaphore_acquire(&acquired, NULL, s, 1, 0));
    assert_code(POTTERY_EINVAL, pottery_semaphore_acquire(&acquired, &p, NULL, 1, 0));
    assert_code(POTTERY_EINVAL, pottery_semaphore_acquire(&acquired, &p, s, 1, -2));
    assert_code(POTTERY_EINVAL, pottery_semaphore_acquire(&acquired, &p, s, 0, 10));
    acquired = 7; /* a failed call leaves its out-value alone */
    assert_code(POTTERY_EINVAL, pottery_semaphore_acquire(&acquired, &p, s, 0, 10));
    assert_int_equal(acquired, 7);
    assert_message("can't specify a timeout for a non-blocking call");
    assert_code(POTTERY_EINVAL, pottery_semaphore_release(NULL, &p));
    assert_code(POTTERY_EINVAL, pottery_semaphore_release(s, NULL));
    assert_code(POTTERY_EINVAL, pottery_semaphore_release(s, &p)); /* no token */
    assert_message_contains("no token");
    memset(p.token, 'x', sizeof p.token); /* not NUL-terminated */
    assert_code(POTTERY_EINVAL, pottery_semaphore_extend(s, &p));
    assert_code(POTTERY_EINVAL, pottery_semaphore_extend(NULL, &p));
    assert_code(POTTERY_EINVAL, pottery_semaphore_held(NULL, s));
    assert_code(POTTERY_EINVAL, pottery_semaphore_held(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_semaphore_available(NULL, s));
    assert_code(POTTERY_EINVAL, pottery_semaphore_available(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_semaphore_lease_left(NULL, s, &p));
    assert_code(POTTERY_EINVAL, pottery_semaphore_lease_left(&n, NULL, &p));
    assert_code(POTTERY_EINVAL, pottery_semaphore_lease_left(&n, s, NULL));
    assert_int_equal(commands(), before); /* nothing was sent */
    pottery_semaphore_free(s);
}

static void test_wrong_type_and_foreign_holders(void **state)
{
    (void)state;
    assert_raw("OK", raw("SET", "str", "hello", NULL));
    pottery_semaphore *s = open_sem("str", 2, 0);
    pottery_semaphore_permit p;
    strcpy(p.token, "00000000-0000-4000-8000-000000000000");
    int acquired = 0;
    int64_t n = 0;
    assert_wrongtype(pottery_semaphore_acquire(&acquired, &p, s, 1, POTTERY_FOREVER));
    assert_wrongtype(pottery_semaphore_release(s, &p));
    assert_wrongtype(pottery_semaphore_extend(s, &p));
    assert_wrongtype(pottery_semaphore_held(&n, s));
    assert_wrongtype(pottery_semaphore_available(&n, s));
    assert_wrongtype(pottery_semaphore_lease_left(&n, s, &p));
    assert_raw("hello", raw("GET", "str", NULL));
    pottery_semaphore_free(s);

    /* members another program wrote: holders until their scores pass */
    assert_raw("2", raw("ZADD", "zs", "1", "long-gone", "99999999999999", "forever", NULL));
    s = open_sem("zs", 2, 0);
    assert_int_equal(held_of(s), 1);
    assert_int_equal(try_acquire(&p, s), 1);
    assert_int_equal(try_acquire(&p, s), 0);
    assert_raw("(nil)", raw("ZSCORE", "zs", "long-gone", NULL)); /* dropped by the acquire */
    pottery_semaphore_free(s);

    /* a member scored beyond any lease holds its permit for good, and the key stays */
    assert_raw("1", raw("ZADD", "inf", "+inf", "forever", NULL));
    s = open_sem("inf", 2, 0);
    int64_t left = 0;
    strcpy(p.token, "forever");
    assert_ok(pottery_semaphore_lease_left(&left, s, &p));
    assert_int_equal(left, 1000000000000000LL);
    pottery_semaphore_permit mine;
    assert_int_equal(try_acquire(&mine, s), 1);
    assert_raw("-1", raw("PTTL", "inf", NULL));
    assert_ok(pottery_semaphore_acquire(&acquired, &p, s, 1, 50)); /* waits, refused */
    assert_int_equal(acquired, 0);
    assert_ok(pottery_semaphore_release(s, &mine));
    assert_int_equal(held_of(s), 1);
    pottery_semaphore_free(s);
}

/* A "pottery:" key is shared by every process: freeing a handle leaves it. */
static void test_free_keeps_pottery_keys(void **state)
{
    (void)state;
    pottery_semaphore *s = open_sem("pottery:shared", 1, 0);
    pottery_semaphore_permit p;
    assert_int_equal(try_acquire(&p, s), 1);
    pottery_semaphore_free(s);
    assert_raw("1", raw("EXISTS", "pottery:shared", NULL));
}

/* ---- the server goes away ---- */

static void test_server_killed_and_restarted(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client *cl = victim_start(&victim, NULL);
    pottery_semaphore *s = open_sem_on(cl, "sem", 1, 0);
    pottery_semaphore_permit p, q;
    assert_int_equal(try_acquire(&p, s), 1);
    test_redis_kill(&victim);
    int acquired = -1;
    assert_conn_lost(pottery_semaphore_acquire(&acquired, &q, s, 1, 200));
    assert_conn_lost(pottery_semaphore_release(s, &p));
    int64_t n = 0;
    assert_conn_lost(pottery_semaphore_held(&n, s));
    /* without persistence the server comes back empty: the permits held are forgotten (a
     * failover to a replica that missed the last grants does the same) */
    assert_int_equal(test_redis_restart(&victim), 0);
    assert_int_equal(try_acquire(&q, s), 1);
    assert_code(POTTERY_EUNLOCKED, pottery_semaphore_release(s, &p));
    assert_ok(pottery_semaphore_release(s, &q));
    pottery_semaphore_free(s);
    victim_stop(&victim, cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_permits_are_counted, fixture_reset),
        cmocka_unit_test_setup(test_layout_and_round_trips, fixture_reset),
        cmocka_unit_test_setup(test_leases_end_and_extend, fixture_reset),
        cmocka_unit_test_setup(test_blocking_and_timeouts, fixture_reset),
        cmocka_unit_test_setup(test_one_permit_serialises_read_modify_write, fixture_reset),
        cmocka_unit_test_setup(test_never_more_holders_than_permits, fixture_reset),
        cmocka_unit_test_setup(test_permits_of_a_killed_process_come_back, fixture_reset),
        cmocka_unit_test_setup(test_null_and_invalid_arguments, fixture_reset),
        cmocka_unit_test_setup(test_wrong_type_and_foreign_holders, fixture_reset),
        cmocka_unit_test_setup(test_free_keeps_pottery_keys, fixture_reset),
        cmocka_unit_test_setup(test_server_killed_and_restarted, fixture_reset),
    };
    return fixture_run_group(tests, NULL, fixture_setup, fixture_teardown);
}
