/* pottery_ratelimit against a private redis-server (or, as ratelimit_cluster, a Redis
 * Cluster): bursts, spacing, cost, the time to wait, layout, round trips, bad input; and
 * processes hammering one limiter for a few periods. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pottery.h"
#include "pottery/ratelimit.h"
#include "support/test_fixture.h"

/* ---- helpers ---- */

static pottery_ratelimit *open_rl_on(pottery_client *c, const char *key, int64_t limit, int64_t period_ms,
                                     int64_t burst)
{
    pottery_ratelimit_options opts;
    pottery_ratelimit_options_init(&opts);
    opts.burst = burst;
    pottery_ratelimit *rl = NULL;
    assert_ok(pottery_ratelimit_open(&rl, c, key, limit, period_ms, &opts));
    return rl;
}

static pottery_ratelimit *open_rl(const char *key, int64_t limit, int64_t period_ms, int64_t burst)
{
    return open_rl_on(client, key, limit, period_ms, burst);
}

/* One try of cost units: 1 when allowed; *wait_ms gets the wait. */
static int try_cost(int64_t *wait_ms, pottery_ratelimit *rl, int64_t cost)
{
    int allowed = -1;
    int64_t wait = -1;
    assert_ok(pottery_ratelimit_try(&allowed, &wait, rl, cost));
    assert_true(allowed == 0 || allowed == 1);
    assert_true(allowed ? wait == 0 : wait > 0);
    if (wait_ms) *wait_ms = wait;
    return allowed;
}

/* ---- bursts, waits, cost ---- */

static void test_burst_then_wait(void **state)
{
    (void)state;
    pottery_ratelimit *rl = open_rl("api", 5, 1000, 0); /* burst = limit */
    assert_string_equal(pottery_ratelimit_key(rl), "api");
    assert_ptr_equal(pottery_ratelimit_client(rl), client);
    int64_t wait = 0;
    for (int i = 0; i < 5; i++) assert_int_equal(try_cost(&wait, rl, 1), 1);
    assert_int_equal(try_cost(&wait, rl, 1), 0);
    /* one unit comes back every 200 ms */
    assert_true(wait > 150 && wait <= 200);
    /* the wait is not too long: a little before it, still refused... */
    double early = slack_ms(40);
    assert_true(wait > early);
    sleep_ms((long)(wait - early));
    int64_t rest = 0;
    assert_int_equal(try_cost(&rest, rl, 1), 0);
    assert_true(rest > 0 && rest <= early + 5);
    /* ...and once it passed, allowed */
    sleep_ms((long)rest);
    assert_int_equal(try_cost(NULL, rl, 1), 1);
    assert_int_equal(try_cost(&wait, rl, 1), 0);
    assert_true(wait > 150 && wait <= 200);
    pottery_ratelimit_free(rl);
    pottery_ratelimit_free(NULL);
    assert_null(pottery_ratelimit_key(NULL));
    assert_null(pottery_ratelimit_client(NULL));
}

static void test_cost(void **state)
{
    (void)state;
    pottery_ratelimit *rl = open_rl("batch", 10, 1000, 0);
    int64_t wait = 0;
    assert_int_equal(try_cost(&wait, rl, 7), 1);
    assert_int_equal(try_cost(&wait, rl, 4), 0); /* 3 left */
    assert_true(wait > 50 && wait <= 100);       /* one more unit in 100 ms */
    assert_int_equal(try_cost(&wait, rl, 3), 1);
    assert_int_equal(try_cost(&wait, rl, 2), 0);
    assert_true(wait > 150 && wait <= 200);
    sleep_ms((long)wait);
    assert_int_equal(try_cost(&wait, rl, 2), 1);
    /* more than the burst can never be allowed */
    assert_code(POTTERY_EINVAL, pottery_ratelimit_try(&(int){ 0 }, NULL, rl, 11));
    assert_message_contains("cost must be from 1 to the burst, 10 (got 11)");
    assert_code(POTTERY_EINVAL, pottery_ratelimit_try(&(int){ 0 }, NULL, rl, 0));
    pottery_ratelimit_free(rl);
}

static void test_burst_one_spaces_calls(void **state)
{
    (void)state;
    pottery_ratelimit *rl = open_rl("spaced", 10, 1000, 1);
    int64_t wait = 0;
    assert_int_equal(try_cost(&wait, rl, 1), 1);
    assert_int_equal(try_cost(&wait, rl, 1), 0);
    assert_true(wait > 50 && wait <= 100);
    assert_code(POTTERY_EINVAL, pottery_ratelimit_try(&(int){ 0 }, NULL, rl, 2));
    /* the blocking acquire sleeps the wait: 4 more take at least 300 ms */
    double t0 = now_ms();
    for (int i = 0; i < 4; i++) {
        int allowed = 0;
        assert_ok(pottery_ratelimit_acquire(&allowed, rl, 1, POTTERY_FOREVER));
        assert_int_equal(allowed, 1);
    }
    double took = now_ms() - t0;
    assert_true(took >= 300 && took < 800);
    /* a timeout shorter than the wait gives up at once, without sleeping */
    int allowed = -1;
    t0 = now_ms();
    assert_ok(pottery_ratelimit_acquire(&allowed, rl, 1, 30));
    assert_int_equal(allowed, 0);
    assert_ok(pottery_ratelimit_acquire(&allowed, rl, 1, 0));
    assert_int_equal(allowed, 0);
    assert_true(now_ms() - t0 < 25);
    assert_ok(pottery_ratelimit_acquire(&allowed, rl, 1, 500));
    assert_int_equal(allowed, 1);
    pottery_ratelimit_free(rl);
}

static void test_layout_round_trips_reset(void **state)
{
    (void)state;
    pottery_ratelimit *rl = open_rl("{t}rl", 4, 2000, 0);
    int allowed = 0;
    int64_t wait = 0;
    assert_raw("0", raw("EXISTS", "{t}rl", NULL));
    assert_round_trips(1, pottery_ratelimit_try(&allowed, &wait, rl, 1));
    assert_round_trips(1, pottery_ratelimit_acquire(&allowed, rl, 1, 0));
    /* a string: the theoretical arrival time in µs of the server's clock, expiring then */
    char *tat = raw("GET", "{t}rl", NULL);
    assert_non_null(tat);
    assert_int_equal(strspn(tat, "0123456789"), strlen(tat));
    assert_int_equal(strlen(tat), 16);
    free(tat);
    char *pttl = raw("PTTL", "{t}rl", NULL);
    long long ms = atoll(pttl);
    free(pttl);
    assert_true(ms > 900 && ms <= 1000); /* 2 units of 500 ms */
    assert_round_trips(1, pottery_ratelimit_reset(rl));
    assert_raw("0", raw("EXISTS", "{t}rl", NULL));
    for (int i = 0; i < 4; i++) assert_int_equal(try_cost(NULL, rl, 1), 1);
    pottery_ratelimit_free(rl);
}

/* ---- processes hammering one limiter ---- */

enum { HAMMERS = 5, LIMIT = 20, PERIOD_MS = 400, PERIODS = 4 };

typedef struct hammer_args {
    int fds[HAMMERS][2];
    double start, end; /* CLOCK_MONOTONIC ms, shared by the processes */
    int64_t burst;
} hammer_args;

/* Try as fast as possible from start to end; write the time of each allowed call (the
 * middle of the call) to the pipe. */
static int hammer(pottery_client *mine, int w, void *arg)
{
    hammer_args *h = arg;
    pottery_ratelimit *rl = NULL;
    pottery_ratelimit_options opts;
    pottery_ratelimit_options_init(&opts);
    opts.burst = h->burst;
    if (pottery_ratelimit_open(&rl, mine, "{t}hammer", LIMIT, PERIOD_MS, &opts) < 0) return 1;
    while (now_ms() < h->start) usleep(200);
    int bad = 0;
    for (;;) {
        double before = now_ms();
        if (before >= h->end) break;
        int allowed = 0;
        int64_t wait = 0;
        if (pottery_ratelimit_try(&allowed, &wait, rl, 1) < 0) {
            bad = 1;
            break;
        }
        double at = (before + now_ms()) / 2;
        if (allowed && write_all(h->fds[w][1], &at, sizeof at) < 0) bad = 1;
        if (!allowed) usleep(wait > 2 ? 1000 : 300);
    }
    pottery_ratelimit_free(rl);
    return bad;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Run the hammers; *out gets the sorted times of the allowed calls; returns their number. */
static size_t run_hammers(double **out, hammer_args *h)
{
    pid_t pids[HAMMERS];
    h->start = now_ms() + 300;
    h->end = h->start + PERIODS * PERIOD_MS;
    for (int w = 0; w < HAMMERS; w++) assert_int_equal(pipe(h->fds[w]), 0);
    for (int w = 0; w < HAMMERS; w++) pids[w] = fork_worker(hammer, w, h);
    enum { CAP = 4096 };
    double *times = malloc(CAP * sizeof *times);
    assert_non_null(times);
    size_t n = 0;
    for (int w = 0; w < HAMMERS; w++) {
        close(h->fds[w][1]);
        ssize_t r = read_full(h->fds[w][0], times + n, (CAP - n) * sizeof *times);
        assert_true(r >= 0 && r % (ssize_t)sizeof *times == 0);
        n += (size_t)r / sizeof *times;
        close(h->fds[w][0]);
    }
    for (int w = 0; w < HAMMERS; w++) assert_int_equal(wait_exit_code(pids[w]), 0);
    qsort(times, n, sizeof *times, cmp_double);
    *out = times;
    return n;
}

/* The most allowed calls in any window of width ms (times sorted). */
static size_t max_in_window(const double *t, size_t n, double width)
{
    size_t best = 0;
    for (size_t i = 0, j = 0; i < n; i++) {
        while (j < n && t[j] < t[i] + width) j++;
        if (j - i > best) best = j - i;
    }
    return best;
}

static void test_processes_share_one_limit_spaced(void **state)
{
    (void)state;
    hammer_args h = { .burst = 1 };
    double *t = NULL;
    size_t n = run_hammers(&t, &h);
    /* at most 1 + (end - start) / T, and close to it */
    size_t most = 1 + PERIODS * LIMIT;
    print_message("burst 1: %zu allowed in %d periods of %d (at most %zu)\n", n, PERIODS, LIMIT, most);
    assert_true(n <= most);
    /* A spaced slot is taken when a hammer next asks: each allowed call comes that much late,
     * in proportion to how slowly the hammers run. */
    assert_true(n >= most - 4 * test_time_scale());
    /* any window of a period holds at most LIMIT calls (the window a little narrower for the
     * client's view of when the server decided), and each period close to LIMIT */
    assert_true(max_in_window(t, n, PERIOD_MS - slack_ms(10)) <= LIMIT);
    for (int k = 0; k < PERIODS; k++) {
        size_t in = 0;
        for (size_t i = 0; i < n; i++) in += t[i] >= h.start + k * PERIOD_MS && t[i] < h.start + (k + 1) * PERIOD_MS;
        print_message("  period %d: %zu\n", k, in);
        assert_true(in <= LIMIT + 1 && in >= LIMIT - 2 * test_time_scale());
    }
    free(t);
}

static void test_processes_share_one_limit_bursting(void **state)
{
    (void)state;
    hammer_args h = { .burst = 0 }; /* a full period's worth at once */
    double *t = NULL;
    size_t n = run_hammers(&t, &h);
    size_t most = LIMIT + PERIODS * LIMIT;
    print_message("burst %d: %zu allowed in %d periods of %d (at most %zu)\n", LIMIT, n, PERIODS, LIMIT, most);
    assert_true(n <= most);
    assert_true(n >= most - 4 * test_time_scale());
    /* the burst, then the rate: never more than 2 * LIMIT - 1 in a period */
    assert_true(max_in_window(t, n, PERIOD_MS - slack_ms(10)) <= 2 * LIMIT - 1);
    /* after the first period, LIMIT per period */
    assert_true(max_in_window(t + LIMIT + 1, n - LIMIT - 1, PERIOD_MS - slack_ms(10)) <= LIMIT);
    free(t);
}

/* ---- bad input ---- */

static void test_null_and_invalid_arguments(void **state)
{
    (void)state;
    int dummy = 0;
    pottery_ratelimit *rl = (pottery_ratelimit *)(void *)&dummy; /* not NULL, to see it reset */
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(NULL, client, "k", 1, 1000, NULL));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(&rl, NULL, "k", 1, 1000, NULL));
    assert_null(rl);
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(&rl, client, NULL, 1, 1000, NULL));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(&rl, client, "", 1, 1000, NULL));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(&rl, client, "k", 0, 1000, NULL));
    assert_message_contains("limit must be >= 1 (got 0)");
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(&rl, client, "k", 1, 0, NULL));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(&rl, client, "k", 1, INT64_MAX, NULL));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(&rl, client, "k", 1001, 1, NULL));
    assert_message_contains("more than one operation per microsecond");
    pottery_ratelimit_options opts;
    pottery_ratelimit_options_init(&opts);
    opts.burst = -1;
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(&rl, client, "k", 1, 1000, &opts));
    opts.burst = INT64_MAX;
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(&rl, client, "k", 1, 1000, &opts));
    assert_message_contains("spans more than");
    opts.burst = 0;
    opts.version = 0;
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(&rl, client, "k", 1, 1000, &opts));
    opts.version = POTTERY_RATELIMIT_OPTIONS_VERSION + 1;
    assert_code(POTTERY_EINVAL, pottery_ratelimit_open(&rl, client, "k", 1, 1000, &opts));
    assert_null(rl);

    uint64_t before = commands();
    rl = open_rl("k", 3, 1000, 0);
    int allowed = 0;
    int64_t wait = 0;
    assert_code(POTTERY_EINVAL, pottery_ratelimit_try(NULL, &wait, rl, 1));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_try(&allowed, &wait, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_try(&allowed, &wait, rl, -1));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_acquire(NULL, rl, 1, 0));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_acquire(&allowed, NULL, 1, 0));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_acquire(&allowed, rl, 4, 0));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_acquire(&allowed, rl, 1, -2));
    assert_code(POTTERY_EINVAL, pottery_ratelimit_reset(NULL));
    assert_int_equal(commands(), before); /* nothing was sent */
    pottery_ratelimit_free(rl);
}

static void test_wrong_type_and_foreign_strings(void **state)
{
    (void)state;
    assert_raw("1", raw("SADD", "set", "x", NULL));
    pottery_ratelimit *rl = open_rl("set", 3, 1000, 0);
    int allowed = 0;
    assert_wrongtype(pottery_ratelimit_try(&allowed, NULL, rl, 1));
    assert_wrongtype(pottery_ratelimit_acquire(&allowed, rl, 1, POTTERY_FOREVER));
    assert_raw("1", raw("SCARD", "set", NULL));
    pottery_ratelimit_free(rl);

    const char *foreign[] = { "hello", "12.5", "-3", "", "1e18", "123456789012345678901234567890" };
    for (size_t i = 0; i < sizeof foreign / sizeof *foreign; i++) {
        assert_raw("OK", raw("SET", "str", foreign[i], NULL));
        rl = open_rl("str", 3, 1000, 0);
        assert_code(POTTERY_EDECODE, pottery_ratelimit_try(&allowed, NULL, rl, 1));
        assert_message_contains("rate limiter 'str': the key holds a string that is not a timestamp");
        assert_raw(foreign[i], raw("GET", "str", NULL)); /* left as it was */
        assert_ok(pottery_ratelimit_reset(rl));          /* the way out */
        assert_int_equal(try_cost(NULL, rl, 1), 1);
        pottery_ratelimit_free(rl);
    }
}

/* ---- the server goes away ---- */

static void test_server_killed_and_restarted(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client *cl = victim_start(&victim, NULL);
    pottery_ratelimit *rl = open_rl_on(cl, "rl", 2, 1000, 0);
    assert_int_equal(try_cost(NULL, rl, 2), 1);
    assert_int_equal(try_cost(NULL, rl, 1), 0);
    test_redis_kill(&victim);
    int allowed = -1;
    assert_conn_lost(pottery_ratelimit_try(&allowed, NULL, rl, 1));
    assert_conn_lost(pottery_ratelimit_acquire(&allowed, rl, 1, POTTERY_FOREVER));
    assert_int_equal(allowed, -1);
    /* without persistence the server comes back empty: the full burst again */
    assert_int_equal(test_redis_restart(&victim), 0);
    assert_int_equal(try_cost(NULL, rl, 2), 1);
    pottery_ratelimit_free(rl);
    victim_stop(&victim, cl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_burst_then_wait, fixture_reset),
        cmocka_unit_test_setup(test_cost, fixture_reset),
        cmocka_unit_test_setup(test_burst_one_spaces_calls, fixture_reset),
        cmocka_unit_test_setup(test_layout_round_trips_reset, fixture_reset),
        cmocka_unit_test_setup(test_processes_share_one_limit_spaced, fixture_reset),
        cmocka_unit_test_setup(test_processes_share_one_limit_bursting, fixture_reset),
        cmocka_unit_test_setup(test_null_and_invalid_arguments, fixture_reset),
        cmocka_unit_test_setup(test_wrong_type_and_foreign_strings, fixture_reset),
        cmocka_unit_test_setup(test_server_killed_and_restarted, fixture_reset),
    };
    return fixture_run_group(tests, NULL, fixture_setup, fixture_teardown);
}
