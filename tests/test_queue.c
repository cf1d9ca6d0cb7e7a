/* pottery_queue against a private redis-server: behaviour, layout, round trips, blocking
 * and timeouts, exactly-once delivery across processes, bad input; and the connection
 * layer's per-command timeout (pottery__exec_timeout) that blocking gets rely on. */
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
#include "pottery/queue.h"
#include "pottery/set.h"
#include "support/test_fixture.h"

/* ---- helpers ---- */

/* max_block_ms 0: the default. */
static pottery_queue *open_queue_on(pottery_client *c, const char *key, int64_t max_block_ms)
{
    pottery_queue_options opts;
    pottery_queue_options_init(&opts);
    if (max_block_ms != 0) opts.max_block_ms = max_block_ms;
    pottery_queue *q = NULL;
    assert_ok(pottery_queue_open(&q, c, key, &opts));
    return q;
}

static pottery_queue *open_queue(const char *key)
{
    return open_queue_on(client, key, 0);
}

/* A client of the fixture's server (or cluster) with this command timeout. */
static pottery_client *open_client_timeout(int command_timeout_ms)
{
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.command_timeout_ms = command_timeout_ms;
    return open_client(fixture_url(), &o);
}

static int64_t qsize(pottery_queue *q)
{
    int64_t n = -1;
    assert_ok(pottery_queue_qsize(&n, q));
    return n;
}

static void expect_text(pottery_queue *q, const char *want)
{
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_queue_get_nowait(&v, q);
    if (rc != 0) fail_msg("get_nowait: %d (%s)", rc, pottery_error_last()->message);
    assert_value_str(&v, want);
    pottery_value_dispose(&v);
}

/* xread_block's timeout_ms for "the client's own timeout". */
#define CLIENT_TIMEOUT INT64_MIN

/* XREAD BLOCK block_ms STREAMS key $ on c (with timeout_ms for this command, or the client's
 * own timeout for CLIENT_TIMEOUT): a nil reply (0) or an error, and no reply object. */
static int xread_block(pottery_client *c, const char *key, int block_ms, int64_t timeout_ms)
{
    char ms[16];
    snprintf(ms, sizeof ms, "%d", block_ms);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "XREAD");
    pottery__cmd_cstr(&cmd, "BLOCK");
    pottery__cmd_cstr(&cmd, ms);
    pottery__cmd_cstr(&cmd, "STREAMS");
    pottery__cmd_cstr(&cmd, key);
    pottery__cmd_cstr(&cmd, "$");
    pottery_reply *r = NULL;
    int rc = timeout_ms == CLIENT_TIMEOUT ? pottery__exec(&r, c, &cmd) : pottery__exec_timeout(&r, c, &cmd, timeout_ms);
    if (rc == 0)
        assert_int_equal(pottery__reply_type(r), POTTERY_REPLY_NIL);
    else
        assert_null(r);
    pottery__reply_free(r);
    pottery__cmd_free(&cmd);
    return rc;
}

typedef struct later_put {
    const char *key;
    int delay_ms;
    const char *json;
} later_put;

static int put_later_worker(pottery_client *mine, int w, void *arg)
{
    (void)w;
    const later_put *job = arg;
    sleep_ms(job->delay_ms);
    pottery_queue *q = NULL;
    int ok = pottery_queue_open(&q, mine, job->key, NULL) == 0 && pottery_queue_put(q, pottery_json(job->json)) == 0;
    pottery_queue_free(q);
    return ok ? 0 : 1;
}

/* A child process: sleep, then put item (as JSON text) on key with its own client. */
static pid_t put_later(const char *key, int delay_ms, const char *json)
{
    later_put job = { key, delay_ms, json };
    return fork_worker(put_later_worker, 0, &job);
}

/* ---- basic behaviour: FIFO, qsize, empty, the key stays ---- */

static void test_fifo_qsize_empty(void **state)
{
    (void)state;
    pottery_queue *q = open_queue("jobs");
    int empty = -1;
    assert_ok(pottery_queue_empty(&empty, q));
    assert_int_equal(empty, 1);
    assert_int_equal(qsize(q), 0); /* missing key */
    assert_raw("0", raw("EXISTS", "jobs", NULL));

    assert_ok(pottery_queue_put(q, pottery_str("a")));
    assert_ok(pottery_queue_put_nowait(q, pottery_int(2)));
    assert_ok(pottery_queue_put(q, pottery_json("{\"z\": [1, 2.5], \"a\": null}")));
    assert_ok(pottery_queue_put(q, pottery_null()));
    assert_ok(pottery_queue_put(q, pottery_bool(1)));
    assert_ok(pottery_queue_put(q, pottery_double(0.5)));
    assert_int_equal(qsize(q), 6);
    assert_ok(pottery_queue_empty(&empty, q));
    assert_int_equal(empty, 0);

    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_queue_get(&v, q, 1, POTTERY_FOREVER));
    assert_value_str(&v, "a");
    assert_ok(pottery_queue_get(&v, q, 1, 100));
    assert_value_int(&v, 2);
    assert_ok(pottery_queue_get_nowait(&v, q));
    assert_value_json(&v, "{\"a\": null, \"z\": [1, 2.5]}");
    assert_ok(pottery_queue_get(&v, q, 0, 0));
    assert_value_null(&v);
    assert_ok(pottery_queue_get(&v, q, 1, 0));
    assert_value_bool(&v, 1);
    assert_ok(pottery_queue_get_nowait(&v, q));
    assert_value_double(&v, 0.5);

    /* Empty now: QueueEmptyError, out untouched; the stream key stays, like pottery's. */
    v = pottery_int(7);
    assert_code(POTTERY_EEMPTY, pottery_queue_get_nowait(&v, q));
    assert_int_equal(pottery_error_last()->code, POTTERY_EEMPTY);
    assert_message_contains("QueueEmptyError");
    assert_value_int(&v, 7);
    assert_int_equal(qsize(q), 0);
    assert_ok(pottery_queue_empty(&empty, q));
    assert_int_equal(empty, 1);
    assert_raw("stream", raw("TYPE", "jobs", NULL));
    assert_raw("0", raw("XLEN", "jobs", NULL));

    /* clear() deletes the stream. */
    assert_ok(pottery_queue_put(q, pottery_int(1)));
    assert_ok(pottery_queue_clear(q));
    assert_raw("0", raw("EXISTS", "jobs", NULL));
    assert_ok(pottery_queue_clear(q)); /* absent: fine */
    pottery_queue_free(q);
}

/* ---- layout: the bytes pottery writes and reads ---- */

static void test_layout_matches_pottery(void **state)
{
    (void)state;
    pottery_queue *q = open_queue("layout");
    assert_ok(pottery_queue_put(q, pottery_str("caf\xc3\xa9")));
    assert_ok(pottery_queue_put(q, pottery_json("{\"b\": 1, \"a\": [true]}")));
    assert_ok(pottery_queue_put(q, pottery_double(1e16)));
    assert_raw("stream", raw("TYPE", "layout", NULL));
    /* Each entry: auto ID "<ms>-<seq>", exactly one field named item = JSON(item). */
    char *entries = raw("XRANGE", "layout", "-", "+", NULL);
    assert_non_null(entries);
    /* test_redis_cmd flattens nested arrays: id, field, value per entry. */
    char *save = NULL;
    const char *want[] = { "item", "\"caf\\u00e9\"", "item", "{\"a\": [true], \"b\": 1}", "item", "1e+16" };
    int i = 0;
    for (char *line = strtok_r(entries, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
        if (i % 3 == 0) {
            long long ms = -1, seq = -1;
            char tail = 0;
            assert_int_equal(sscanf(line, "%lld-%lld%c", &ms, &seq, &tail), 2);
            assert_true(ms > 0 && seq >= 0);
        } else {
            assert_string_equal(line, want[(i / 3) * 2 + (i % 3) - 1]);
        }
    }
    assert_int_equal(i, 9);
    free(entries);

    /* What Python's pottery wrote is read back: XADD key * item "\"hello\"". */
    free(raw("XADD", "layout", "*", "item", "\"hello\"", NULL));
    free(raw("XADD", "layout", "*", "item", "[1, {\"k\": \"v\"}]", NULL));
    pottery_value v = POTTERY_VALUE_INIT;
    for (int k = 0; k < 3; k++) assert_ok(pottery_queue_get_nowait(&v, q));
    expect_text(q, "hello");
    assert_ok(pottery_queue_get_nowait(&v, q));
    assert_value_json(&v, "[1, {\"k\": \"v\"}]");
    assert_raw("0", raw("XLEN", "layout", NULL));
    pottery_value_dispose(&v);
    pottery_queue_free(q);
}

/* ---- round trips ---- */

static void test_round_trips(void **state)
{
    (void)state;
    pottery_queue *q = open_queue("rtt");
    pottery_value v = POTTERY_VALUE_INIT;
    int64_t n;
    int e;
    pottery_client_stats a = stats_of(client), b;
    assert_ok(pottery_queue_put(q, pottery_int(1)));
    b = stats_of(client);
    assert_int_equal(b.round_trips - a.round_trips, 1);
    assert_int_equal(b.commands - a.commands, 1);
    a = b;
    assert_ok(pottery_queue_put_nowait(q, pottery_int(2)));
    assert_ok(pottery_queue_put(q, pottery_int(3)));
    b = stats_of(client);
    assert_int_equal(b.round_trips - a.round_trips, 2);
    a = b;
    assert_ok(pottery_queue_qsize(&n, q));
    assert_ok(pottery_queue_empty(&e, q));
    b = stats_of(client);
    assert_int_equal(b.round_trips - a.round_trips, 2);
    /* get with an item present: one round trip, one command (first use on this connection
     * sends EVAL, later ones EVALSHA), whether blocking or not */
    a = b;
    assert_ok(pottery_queue_get(&v, q, 1, POTTERY_FOREVER));
    b = stats_of(client);
    assert_int_equal(b.round_trips - a.round_trips, 1);
    assert_int_equal(b.commands - a.commands, 1);
    a = b;
    assert_ok(pottery_queue_get(&v, q, 1, 500));
    assert_ok(pottery_queue_get_nowait(&v, q));
    assert_value_int(&v, 3);
    b = stats_of(client);
    assert_int_equal(b.round_trips - a.round_trips, 2);
    assert_int_equal(b.commands - a.commands, 2);
    /* an empty get_nowait (or timeout 0) is one round trip, no blocking command */
    a = b;
    assert_code(POTTERY_EEMPTY, pottery_queue_get_nowait(&v, q));
    assert_code(POTTERY_EEMPTY, pottery_queue_get(&v, q, 1, 0));
    assert_code(POTTERY_EEMPTY, pottery_queue_get(&v, q, 0, 5000)); /* timeout ignored */
    b = stats_of(client);
    assert_int_equal(b.round_trips - a.round_trips, 3);
    assert_int_equal(b.commands - a.commands, 3);
    pottery_value_dispose(&v);
    pottery_queue_free(q);
}

/* ---- blocking and timeouts ---- */

static void test_get_nowait_does_not_block(void **state)
{
    (void)state;
    pottery_queue *q = open_queue("nowait");
    pottery_value v = POTTERY_VALUE_INIT;
    double t0 = now_ms();
    assert_code(POTTERY_EEMPTY, pottery_queue_get_nowait(&v, q)); /* missing key */
    assert_ok(pottery_queue_put(q, pottery_int(1)));
    assert_ok(pottery_queue_get_nowait(&v, q));
    assert_code(POTTERY_EEMPTY, pottery_queue_get_nowait(&v, q)); /* empty stream */
    assert_true(now_ms() - t0 < 200);
    pottery_value_dispose(&v);
    pottery_queue_free(q);
}

static void test_timed_get_times_out(void **state)
{
    (void)state;
    /* A client timeout (200 ms) shorter than the get's (600 ms) must not cut the wait
     * short: the blocking XREAD gets its own socket timeout. */
    pottery_client *c = open_client_timeout(200);
    pottery_queue *q = open_queue_on(c, "timed", 0);
    pottery_value v = pottery_str("untouched");
    double t0 = now_ms();
    int rc = pottery_queue_get(&v, q, 1, 600);
    double elapsed = now_ms() - t0;
    if (rc != POTTERY_EEMPTY) fail_msg("get: %d (%s)", rc, pottery_error_last()->message);
    assert_true(elapsed >= 600);
    assert_true(elapsed < 600 + 400);
    assert_value_str(&v, "untouched");
    assert_int_equal((int)stats_of(c).reconnects, 0); /* no socket timeout happened */

    /* Also on an existing, empty stream, with several slices (max_block_ms 100). */
    pottery_queue *sliced = open_queue_on(c, "timed", 100);
    assert_ok(pottery_queue_put(q, pottery_int(1)));
    assert_ok(pottery_queue_get_nowait(&v, q));
    t0 = now_ms();
    assert_code(POTTERY_EEMPTY, pottery_queue_get(&v, sliced, 1, 350));
    elapsed = now_ms() - t0;
    assert_true(elapsed >= 350 && elapsed < 350 + 400);

    /* The client's own timeout is back in force afterwards. */
    assert_code(POTTERY_ETIMEOUT, xread_block(c, "timed", 600, CLIENT_TIMEOUT));
    assert_ok(pottery_queue_put(q, pottery_int(2))); /* reconnects */
    pottery_value_dispose(&v);
    pottery_queue_free(sliced);
    pottery_queue_free(q);
    pottery_client_free(c);
}

static void test_blocking_get_waits_for_item(void **state)
{
    (void)state;
    /* Untimed: a producer process puts after ~300 ms; the client's timeout is only 100 ms. */
    pottery_client *c = open_client_timeout(100);
    pottery_queue *q = open_queue_on(c, "late", 0);
    pid_t pid = put_later("late", 300, "\"late item\"");
    pottery_value v = POTTERY_VALUE_INIT;
    double t0 = now_ms();
    int rc = pottery_queue_get(&v, q, 1, POTTERY_FOREVER);
    double elapsed = now_ms() - t0;
    if (rc != 0) fail_msg("get: %d (%s)", rc, pottery_error_last()->message);
    assert_value_str(&v, "late item");
    assert_true(elapsed >= 250);
    assert_int_equal(wait_exit_code(pid), 0);
    assert_int_equal(qsize(q), 0);

    /* The same while waiting in slices of 50 ms (each one checks in with the server). */
    pottery_queue *sliced = open_queue_on(c, "late", 50);
    pid = put_later("late", 300, "[\"sliced\"]");
    pottery_client_stats before = stats_of(c);
    rc = pottery_queue_get(&v, sliced, 1, POTTERY_FOREVER);
    pottery_client_stats after = stats_of(c);
    if (rc != 0) fail_msg("get: %d (%s)", rc, pottery_error_last()->message);
    assert_value_json(&v, "[\"sliced\"]");
    assert_true(after.round_trips - before.round_trips >= 4); /* several XREAD slices */
    assert_int_equal(wait_exit_code(pid), 0);

    /* Timed, with the item arriving in time: returned as soon as it is there. */
    pid = put_later("late", 300, "42");
    t0 = now_ms();
    rc = pottery_queue_get(&v, q, 1, 10000);
    elapsed = now_ms() - t0;
    if (rc != 0) fail_msg("get: %d (%s)", rc, pottery_error_last()->message);
    assert_value_int(&v, 42);
    assert_true(elapsed >= 250 && elapsed < 5000);
    assert_int_equal(wait_exit_code(pid), 0);
    assert_int_equal((int)stats_of(c).reconnects, 0);
    pottery_value_dispose(&v);
    pottery_queue_free(sliced);
    pottery_queue_free(q);
    pottery_client_free(c);
}

/* Waits of any length: max_block_ms POTTERY_FOREVER (one XREAD BLOCK 0 without a socket
 * timeout) or longer than one XREAD BLOCK takes, and timeouts past the clock's range. */
static void test_long_waits(void **state)
{
    (void)state;
    pottery_client *c = open_client_timeout(100); /* shorter than every wait */
    const int64_t blocks[] = { POTTERY_FOREVER, INT64_MAX };
    for (size_t k = 0; k < sizeof blocks / sizeof *blocks; k++) {
        pottery_queue *q = open_queue_on(c, "long", blocks[k]);
        pottery_value v = POTTERY_VALUE_INIT;

        /* Untimed: take, one XREAD that the put wakes, take. */
        pid_t pid = put_later("long", 300, "1");
        pottery_client_stats before = stats_of(c);
        int rc = pottery_queue_get(&v, q, 1, POTTERY_FOREVER);
        pottery_client_stats after = stats_of(c);
        if (rc != 0) fail_msg("max_block_ms %" PRId64 ": get: %d (%s)", blocks[k], rc, pottery_error_last()->message);
        assert_value_int(&v, 1);
        assert_int_equal(after.round_trips - before.round_trips, 3);
        assert_int_equal(wait_exit_code(pid), 0);

        /* A timeout past the clock's range is no timeout. */
        pid = put_later("long", 300, "2");
        rc = pottery_queue_get(&v, q, 1, INT64_MAX);
        if (rc != 0) fail_msg("get(INT64_MAX): %d (%s)", rc, pottery_error_last()->message);
        assert_value_int(&v, 2);
        assert_int_equal(wait_exit_code(pid), 0);

        /* A timed get still ends on time: its wait is cut to the time left. */
        double t0 = now_ms();
        assert_code(POTTERY_EEMPTY, pottery_queue_get(&v, q, 1, 300));
        double elapsed = now_ms() - t0;
        assert_true(elapsed >= 300 && elapsed < 300 + 400);
        assert_int_equal((int)stats_of(c).reconnects, 0);
        pottery_value_dispose(&v);
        pottery_queue_free(q);
    }
    pottery_client_free(c);
}

/* ---- exactly once with several producers and consumers ---- */

enum { ITEMS = 10000, PRODUCERS = 2, CONSUMERS = 4, STOP = -1, BIG_ITEM = 9000 };

/* The run's shape, set before the workers are forked: how many items, and whether they
 * are big strings (too long for the take script to check: the client claims them). */
static int mpmc_items = ITEMS, mpmc_big;

/* Producer p puts its share of the ids, in order: as integers, or as big strings that
 * begin with the id. */
static int producer(pottery_client *mine, int p, void *arg)
{
    (void)arg;
    int first = p * (mpmc_items / PRODUCERS), count = mpmc_items / PRODUCERS;
    pottery_queue *q = NULL;
    char *big = malloc(BIG_ITEM);
    int ok = big && pottery_queue_open(&q, mine, "mpmc", NULL) == 0;
    for (int i = first; ok && i < first + count; i++) {
        if (mpmc_big) {
            memset(big, 'x', BIG_ITEM);
            snprintf(big, BIG_ITEM, "%d.", i);
            big[strlen(big)] = 'x';
        }
        ok = pottery_queue_put(q, mpmc_big ? pottery_strn(big, BIG_ITEM) : pottery_int(i)) == 0;
    }
    free(big);
    pottery_queue_free(q);
    return ok ? 0 : 1;
}

/* Consumer c takes items until the STOP sentinel; then writes the ids taken (in order) to
 * its pipe, fds[c][1] of the int[CONSUMERS][2] arg. */
static int consumer(pottery_client *mine, int c, void *arg)
{
    int(*fds)[2] = arg;
    for (int o = 0; o <= c; o++) close(fds[o][0]);
    pottery_queue *q = NULL;
    int32_t *got = malloc(ITEMS * sizeof *got);
    int n = 0, ok = got && pottery_queue_open(&q, mine, "mpmc", NULL) == 0;
    pottery_value v = POTTERY_VALUE_INIT;
    while (ok) {
        int64_t id = -2;
        const char *text = NULL;
        size_t len = 0;
        if (pottery_queue_get(&v, q, 1, 20000) != 0)
            fprintf(stderr, "consumer: %s\n", pottery_error_last()->message);
        else if (pottery_value_is_int(&v))
            id = pottery_value_int(&v);
        else if ((text = pottery_value_str(&v, &len)) != NULL && len == BIG_ITEM)
            id = strtol(text, NULL, 10);
        if (id == STOP) break;
        if (id < 0 || n == mpmc_items)
            ok = 0; /* a failure, or more items than exist: a duplicate */
        else
            got[n++] = (int32_t)id;
    }
    pottery_value_dispose(&v);
    pottery_queue_free(q);
    if (write_all(fds[c][1], got, ok ? (size_t)n * sizeof *got : 0) != 0) return 3;
    free(got);
    return ok ? 0 : 2;
}

/* Producers and consumers in processes of their own: every item is delivered exactly once,
 * and each consumer sees each producer's items in order. */
static void run_producers_and_consumers(int items, int big)
{
    mpmc_items = items;
    mpmc_big = big;
    pottery_queue *q = open_queue("mpmc");
    int fds[CONSUMERS][2];
    pid_t consumers[CONSUMERS], producers[PRODUCERS];
    /* Consumers first: they start out blocked on a missing key. */
    for (int c = 0; c < CONSUMERS; c++) {
        assert_int_equal(pipe(fds[c]), 0);
        consumers[c] = fork_worker(consumer, c, fds);
        close(fds[c][1]);
    }
    sleep_ms(100);
    for (int p = 0; p < PRODUCERS; p++) producers[p] = fork_worker(producer, p, NULL);
    for (int p = 0; p < PRODUCERS; p++) assert_int_equal(wait_exit_code(producers[p]), 0);
    /* FIFO: the sentinels come after every item, one per consumer. */
    for (int c = 0; c < CONSUMERS; c++) assert_ok(pottery_queue_put(q, pottery_int(STOP)));

    unsigned char *seen = calloc(ITEMS, 1);
    int32_t *buf = malloc(ITEMS * sizeof *buf);
    assert_non_null(seen);
    assert_non_null(buf);
    int total = 0, busy = 0;
    for (int c = 0; c < CONSUMERS; c++) {
        ssize_t r = read_full(fds[c][0], buf, ITEMS * sizeof *buf);
        assert_true(r >= 0);
        size_t have = (size_t)r;
        close(fds[c][0]);
        assert_int_equal(wait_exit_code(consumers[c]), 0);
        assert_int_equal(have % sizeof *buf, 0);
        int n = (int)(have / sizeof *buf);
        int last[PRODUCERS] = { -1, -1 };
        for (int i = 0; i < n; i++) {
            int id = buf[i];
            assert_true(id >= 0 && id < items);
            if (seen[id]) fail_msg("item %d delivered twice", id);
            seen[id] = 1;
            /* FIFO: each consumer sees every producer's items in the order they were put */
            int p = id / (items / PRODUCERS);
            assert_true(id > last[p]);
            last[p] = id;
        }
        total += n;
        if (n > 0) busy++;
    }
    assert_int_equal(total, items); /* with no duplicates: every one of them, none lost */
    for (int i = 0; i < items; i++) assert_int_equal(seen[i], 1);
    assert_true(busy >= 2);
    assert_int_equal(qsize(q), 0);
    assert_raw("stream", raw("TYPE", "mpmc", NULL));
    free(seen);
    free(buf);
    pottery_queue_free(q);
}

static void test_every_item_delivered_exactly_once(void **state)
{
    (void)state;
    run_producers_and_consumers(ITEMS, 0);
}

/* The same when the client claims every item itself (XDEL after the script left it). */
static void test_every_big_item_delivered_exactly_once(void **state)
{
    (void)state;
    run_producers_and_consumers(400, 1);
}

/* ---- foreign entries ---- */

/* Everything Redis keeps about a stream (entries, last and deleted IDs, counters), to
 * compare before and after a call. */
static char *stream_state(const char *key)
{
    char *state = raw("XINFO", "STREAM", key, "FULL", NULL);
    assert_non_null(state);
    return state;
}

/* get_nowait fails with EDECODE saying `needle`, in one round trip, leaving the stream
 * exactly as it was and *v untouched. */
static void expect_left(pottery_queue *q, const char *key, const char *needle)
{
    char *before = stream_state(key);
    pottery_value v = pottery_int(7);
    uint64_t rt = round_trips();
    assert_code(POTTERY_EDECODE, pottery_queue_get_nowait(&v, q));
    assert_int_equal(round_trips() - rt, 1);
    assert_message_contains(needle);
    assert_value_int(&v, 7);
    char *after = stream_state(key);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

static void test_foreign_entries_stay_in_the_queue(void **state)
{
    (void)state;
    pottery_queue *q = open_queue("foreign");
    free(raw("XADD", "foreign", "1-1", "other", "1", NULL)); /* no item field */
    free(raw("XADD", "foreign", "1-2", "item", "\"next\"", NULL));

    /* An entry the client cannot decode is an EDECODE naming it, and it stays where it is
     * (pottery would delete it): nothing is lost, and every consumer sees the same error
     * until somebody removes it. */
    expect_left(q, "foreign",
                "queue 'foreign': stream entry 1-1 was left in the queue: it has no 'item' field "
                "(first field: 'other')");
    char *before = stream_state("foreign");
    pottery_value v = pottery_int(7);
    assert_code(POTTERY_EDECODE, pottery_queue_get(&v, q, 1, 1000));
    assert_code(POTTERY_EDECODE, pottery_queue_get(&v, q, 1, POTTERY_FOREVER));
    assert_value_int(&v, 7);
    char *after = stream_state("foreign");
    assert_string_equal(after, before);
    free(before);
    free(after);
    free(raw("XDEL", "foreign", "1-1", NULL));
    expect_text(q, "next");

    /* Items that are not JSON (Redis' own Lua JSON parser would accept some of them). */
    const char *bad[] = { "not json", "{\"a\": 1",   "'single'",        "nan",         "0x10", "01", "1.",
                          "[1,]",     "\"\\ud800\"", "\"tab\tinside\"", "\"caf\xc3\"", "" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        free(raw("XADD", "foreign", "*", "item", bad[i], NULL));
        expect_left(q, "foreign", "was left in the queue: its item could not be decoded (invalid JSON at byte");
        free(raw("DEL", "foreign", NULL));
    }
    free(raw("XADD", "foreign", "5-1", "item", "not json", NULL));
    expect_left(q, "foreign", "stream entry 5-1 was left in the queue");
    assert_message_contains("'not json'");

    /* Extra fields are ignored, as Python reads just `item` (the last one). */
    free(raw("DEL", "foreign", NULL));
    free(raw("XADD", "foreign", "*", "id", "7", "item", "\"extra fields\"", NULL));
    free(raw("XADD", "foreign", "*", "item", "not json", "item", "\"last wins\"", NULL));
    expect_text(q, "extra fields");
    expect_text(q, "last wins");

    /* Unprintable bytes are shown escaped and cut short. */
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[0] = '\x01';
    big[sizeof big - 1] = '\0';
    free(raw("XADD", "foreign", "*", "item", big, NULL));
    expect_left(q, "foreign", "'\\x01xxx");
    assert_message_contains("x...'");
    assert_int_equal(qsize(q), 1);
    pottery_queue_free(q);
}

/* The take script checks items of up to 8 KiB of ASCII itself; others it leaves to the
 * client, which decodes them and then claims them with XDEL: one more round trip. */
static void test_items_the_script_leaves_to_the_client(void **state)
{
    (void)state;
    enum { CHECKED = 8192 };
    pottery_queue *q = open_queue("big");
    char *text = malloc(CHECKED + 2);
    assert_non_null(text);
    memset(text, 'a', CHECKED + 1);
    text[CHECKED + 1] = '\0';
    pottery_value v = POTTERY_VALUE_INIT;
    /* "aaa...": the JSON of a string of CHECKED - 2 letters, then of one more */
    assert_ok(pottery_queue_put(q, pottery_strn(text, CHECKED - 2)));
    assert_ok(pottery_queue_put(q, pottery_strn(text, CHECKED - 1)));
    assert_ok(pottery_queue_put(q, pottery_str("caf\xc3\xa9")));
    free(raw("XADD", "big", "*", "item", "\"caf\xc3\xa9\"", NULL)); /* raw UTF-8, as JSON allows */
    assert_round_trips(1, pottery_queue_get_nowait(&v, q));
    assert_value(&v, pottery_strn(text, CHECKED - 2));
    assert_round_trips(2, pottery_queue_get_nowait(&v, q));
    assert_value(&v, pottery_strn(text, CHECKED - 1));
    assert_round_trips(1, pottery_queue_get_nowait(&v, q));
    assert_value_str(&v, "caf\xc3\xa9");
    assert_round_trips(2, pottery_queue_get(&v, q, 1, 1000));
    assert_value_str(&v, "caf\xc3\xa9");
    assert_raw("0", raw("XLEN", "big", NULL));

    /* Not JSON and too long for the script: left in place too. */
    free(raw("DEL", "big", NULL));
    text[0] = '[';
    free(raw("XADD", "big", "9-1", "item", text, NULL));
    expect_left(q, "big", "stream entry 9-1 was left in the queue");
    free(raw("XADD", "big", "9-2", "item", "\"caf\xc3\"", NULL));
    free(raw("XDEL", "big", "9-1", NULL));
    expect_left(q, "big", "stream entry 9-2 was left in the queue");
    free(text);
    pottery_value_dispose(&v);
    pottery_queue_free(q);
}

/* ---- the scripts judge JSON as the decoder does ---- */

/* Valid JSON texts that between them use every rule of the grammar. */
static const char *const json_seeds[] = {
    "0",
    "-0",
    "12",
    "-1.5e+10",
    "3.25E-2",
    "1e5",
    "NaN",
    "Infinity",
    "-Infinity",
    "true",
    "false",
    "null",
    "\"\"",
    "\"plain\"",
    "\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
    "\"\\u00e9\\uD83D\\uDE00\"",
    "[]",
    "[1, [2, [3]], {}]",
    "{\"a\": {\"b\": [true, null]}, \"c\": \"d\"}",
    " { \"k\" : [ 1 , -2.0 ] }\n",
};

/* What mutations put in: the grammar's characters and a few it has no use for. */
static const char json_alphabet[] = "{}[]\",:\\ \t\n\r\x01\x7f"
                                    "0123456789-+.eEtrufalsnNIiybdDcC/x'";

static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

/* seed changed one to three times: a byte replaced, inserted or deleted, or the text cut. */
static void mutate(char *out, size_t cap, const char *seed, uint32_t *rnd)
{
    snprintf(out, cap, "%s", seed);
    for (uint32_t k = next_random(rnd) % 3; k < 3; k++) {
        size_t len = strlen(out), at = len ? next_random(rnd) % len : 0;
        char c = json_alphabet[next_random(rnd) % (sizeof json_alphabet - 1)];
        switch (next_random(rnd) % 4) {
        case 0:
            if (len) out[at] = c;
            break;
        case 1:
            if (len + 1 < cap) {
                memmove(out + at + 1, out + at, len - at + 1);
                out[at] = c;
            }
            break;
        case 2:
            if (len) memmove(out + at, out + at + 1, len - at);
            break;
        default: out[at] = '\0'; break;
        }
    }
}

/* A command on the test's client (arguments NULL-terminated): the integer it answers, or
 * -1 for a reply of another type. */
static long long run(const char *arg0, ...)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    va_list ap;
    va_start(ap, arg0);
    for (const char *arg = arg0; arg; arg = va_arg(ap, const char *)) pottery__cmd_cstr(&cmd, arg);
    va_end(ap);
    pottery_reply *r = NULL;
    long long n = -1;
    assert_ok(pottery__exec(&r, client, &cmd));
    if (pottery__reply_type(r) == POTTERY_REPLY_INTEGER) assert_ok(pottery__reply_int(&n, r, arg0));
    pottery__reply_free(r);
    pottery__cmd_free(&cmd);
    return n;
}

/* text as a queue item: get returns it in one round trip if the decoder accepts it, or
 * else fails with EDECODE (also in one round trip) and leaves it where it is. */
static void judge(pottery_queue *q, const char *text)
{
    pottery_value v = POTTERY_VALUE_INIT;
    int valid = pottery_value_from_json(&v, text, strlen(text)) == 0;
    pottery_value_dispose(&v);
    run("XADD", "judged", "*", "item", text, NULL);
    uint64_t rt = round_trips();
    int got = pottery_queue_get_nowait(&v, q);
    pottery_value_dispose(&v);
    if (got != (valid ? 0 : POTTERY_EDECODE) || round_trips() - rt != 1)
        fail_msg("'%s' (%s for the decoder): get %d, %d round trips", text, valid ? "JSON" : "not JSON", got,
                 (int)(round_trips() - rt));
    if (run("XLEN", "judged", NULL) != !valid)
        fail_msg("'%s': %s", text, valid ? "still there after the take" : "taken although not JSON");
    run("DEL", "judged", NULL);
}

/* The take script removes only what the client can decode, and it judges every ASCII text
 * up to 8 KiB itself, exactly as the decoder does. */
static void test_scripts_judge_json_as_the_decoder_does(void **state)
{
    (void)state;
    pottery_queue *q = open_queue("judged");
    const char *edges[] = { "\"\\ud800\"",
                            "\"\\udc00\"",
                            "\"\\ud800\\u0041\"",
                            "\"\\ud800\\\\udc00\"",
                            "\"\\u12\"",
                            "\"\\x\"",
                            "-",
                            "-I",
                            "+1",
                            ".5",
                            "1.",
                            "1e",
                            "1e+",
                            "00",
                            "-01",
                            "Infinityx",
                            "nulls",
                            "[1 2]",
                            "{\"a\" 1}",
                            "{1: 2}",
                            "[",
                            "]",
                            "",
                            " ",
                            "\"\x7f\"",
                            "\"\x01\"",
                            "\"\x1f\"",
                            "\x7f",
                            "[\x01]",
                            "1 2" };
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) judge(q, edges[i]);
    /* nesting: 512 deep is JSON, 513 is not */
    char deep[2 * 513 + 1];
    for (int depth = 512; depth <= 513; depth++) {
        memset(deep, '[', (size_t)depth);
        memset(deep + depth, ']', (size_t)depth);
        deep[2 * depth] = '\0';
        judge(q, deep);
    }
    uint32_t rnd = 20240601u;
    char text[128];
    for (size_t i = 0; i < sizeof json_seeds / sizeof *json_seeds; i++) {
        judge(q, json_seeds[i]);
        for (int k = 0; k < 60; k++) {
            mutate(text, sizeof text, json_seeds[i], &rnd);
            judge(q, text);
        }
    }
    pottery_queue_free(q);
}

/* ---- bad input ---- */

static void test_null_and_invalid_arguments(void **state)
{
    (void)state;
    pottery_queue *q = open_queue("nulls");
    pottery_value v = POTTERY_VALUE_INIT;
    int64_t n;
    int e;
    assert_code(POTTERY_EINVAL, pottery_queue_open(NULL, client, "k", NULL));
    pottery_queue *none = q;
    assert_code(POTTERY_EINVAL, pottery_queue_open(&none, NULL, "k", NULL));
    assert_null(none);
    /* Options: max_block_ms > 0 or POTTERY_FOREVER; initialised, of a version it knows. */
    pottery_queue_options bad = POTTERY_QUEUE_OPTIONS_INIT;
    const int64_t bad_blocks[] = { 0, -2, INT64_MIN };
    for (size_t i = 0; i < sizeof bad_blocks / sizeof *bad_blocks; i++) {
        bad.max_block_ms = bad_blocks[i];
        none = q;
        assert_code(POTTERY_EINVAL, pottery_queue_open(&none, client, "k", &bad));
        assert_message_contains("max_block_ms must be > 0 or POTTERY_FOREVER");
        assert_null(none);
    }
    pottery_queue_options_init(&bad);
    assert_options_version_checked(pottery_queue, pottery_queue_open, "k", &bad, POTTERY_QUEUE_OPTIONS_VERSION);
    pottery_queue_options zeroed;
    memset(&zeroed, 0, sizeof zeroed); /* not initialised: the version says so */
    assert_options_version_checked(pottery_queue, pottery_queue_open, "k", &zeroed, POTTERY_QUEUE_OPTIONS_VERSION);
    assert_code(POTTERY_EINVAL, pottery_queue_put(NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_queue_put_nowait(NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_queue_get(NULL, q, 1, 10));
    assert_code(POTTERY_EINVAL, pottery_queue_get(&v, NULL, 1, 10));
    assert_code(POTTERY_EINVAL, pottery_queue_get_nowait(NULL, q));
    assert_code(POTTERY_EINVAL, pottery_queue_get_nowait(&v, NULL));
    assert_code(POTTERY_EINVAL, pottery_queue_qsize(NULL, q));
    assert_code(POTTERY_EINVAL, pottery_queue_qsize(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_queue_empty(NULL, q));
    assert_code(POTTERY_EINVAL, pottery_queue_empty(&e, NULL));
    assert_code(POTTERY_EINVAL, pottery_queue_clear(NULL));
    assert_null(pottery_queue_key(NULL));
    assert_null(pottery_queue_client(NULL));
    pottery_queue_free(NULL);

    /* Python: ValueError for a negative timeout. POTTERY_FOREVER is the only negative one,
     * and the check holds whether the get blocks or not (Python ignores the timeout of a
     * get(block=False); a negative one here is a bug either way). Nothing is sent. */
    uint64_t rt = round_trips();
    const int64_t bad_timeouts[] = { -5, -2, INT64_MIN };
    for (size_t i = 0; i < sizeof bad_timeouts / sizeof *bad_timeouts; i++) {
        for (int block = 0; block <= 1; block++) {
            assert_code(POTTERY_EINVAL, pottery_queue_get(&v, q, block, bad_timeouts[i]));
            assert_message_contains("ValueError: 'timeout' must be a non-negative number");
        }
    }
    assert_int_equal(round_trips(), rt);
    /* block 0 never waits, whatever the timeout; timeout 0 never waits either. */
    assert_code(POTTERY_EEMPTY, pottery_queue_get(&v, q, 0, POTTERY_FOREVER));
    assert_code(POTTERY_EEMPTY, pottery_queue_get(&v, q, 0, 60000));
    assert_code(POTTERY_EEMPTY, pottery_queue_get(&v, q, 1, 0));
    assert_int_equal(round_trips() - rt, 3);

    /* Items that cannot be encoded: ETYPE, nothing sent. */
    pottery_client_stats before = stats_of(client);
    assert_code(POTTERY_ETYPE, pottery_queue_put(q, pottery_strn("\xc0\xaf", 2)));
    assert_code(POTTERY_ETYPE, pottery_queue_put(q, pottery_strn("\xed\xa0\x80", 3)));
    assert_code(POTTERY_ETYPE, pottery_queue_put_nowait(q, pottery_json("{not json")));
    assert_code(POTTERY_EINVAL, pottery_queue_put(q, pottery_str(NULL)));
    pottery_client_stats after = stats_of(client);
    assert_int_equal(after.commands, before.commands);
    assert_raw("0", raw("EXISTS", "nulls", NULL));
    /* still usable */
    assert_ok(pottery_queue_put(q, pottery_int(1)));
    assert_int_equal(qsize(q), 1);
    pottery_queue_free(q);
}

static void test_wrong_redis_type(void **state)
{
    (void)state;
    const char *keys[] = { "string", "hash" };
    free(raw("SET", "string", "value", NULL));
    free(raw("HSET", "hash", "f", "v", NULL));
    for (int k = 0; k < 2; k++) {
        pottery_queue *q = open_queue(keys[k]);
        pottery_value v = POTTERY_VALUE_INIT;
        int64_t n;
        int e;
        assert_wrongtype(pottery_queue_put(q, pottery_int(1)));
        assert_wrongtype(pottery_queue_get_nowait(&v, q));
        assert_wrongtype(pottery_queue_get(&v, q, 1, 200));
        assert_code(POTTERY_EREDIS, pottery_queue_get(&v, q, 1, POTTERY_FOREVER));
        assert_wrongtype(pottery_queue_qsize(&n, q));
        assert_code(POTTERY_EREDIS, pottery_queue_empty(&e, q));
        pottery_queue_free(q);
    }
    assert_raw("value", raw("GET", "string", NULL));
    assert_raw("v", raw("HGET", "hash", "f", NULL));
}

/* A child process: after 300 ms, SIGKILL the process *pid. */
static int kill_later(void *pid)
{
    sleep_ms(300);
    return kill(*(pid_t *)pid, SIGKILL) == 0 ? 0 : 1;
}

static void test_dropped_connection_during_blocking_get(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.command_timeout_ms = 1000;
    pottery_client *c = victim_start(&victim, &o);
    pottery_queue *q = open_queue_on(c, "k", 0);
    assert_ok(pottery_queue_put(q, pottery_int(1)));
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_queue_get_nowait(&v, q));

    /* A child kills the server while the parent waits in a blocking get. */
    pid_t killer = fork_child(kill_later, &victim.pid);
    double t0 = now_ms();
    int rc = pottery_queue_get(&v, q, 1, POTTERY_FOREVER);
    double elapsed = now_ms() - t0;
    assert_int_equal(wait_exit_code(killer), 0);
    assert_conn_lost(rc);
    assert_true(elapsed >= 250 && elapsed < 5000);
    assert_value_int(&v, 1); /* untouched */

    /* The next calls reconnect by themselves, with the client's own timeout. */
    assert_int_equal(test_redis_restart(&victim), 0);
    assert_ok(pottery_queue_put(q, pottery_str("again")));
    pottery_value_dispose(&v);
    assert_ok(pottery_queue_get(&v, q, 1, 1000));
    assert_value_str(&v, "again");
    assert_code(POTTERY_EEMPTY, pottery_queue_get(&v, q, 1, 100));
    pottery_value_dispose(&v);
    pottery_queue_free(q);
    victim_stop(&victim, c);
}

/* ---- keys ---- */

static void test_random_key_is_temporary(void **state)
{
    (void)state;
    pottery_queue *q = NULL;
    assert_ok(pottery_queue_open(&q, client, NULL, NULL));
    const char *key = pottery_queue_key(q);
    assert_random_key(key);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", key);
    assert_ok(pottery_queue_put(q, pottery_int(1)));
    assert_raw("stream", raw("TYPE", saved, NULL));
    pottery_queue_free(q);
    assert_raw("0", raw("EXISTS", saved, NULL));
    /* A user key survives free. */
    q = open_queue("kept");
    assert_string_equal(pottery_queue_key(q), "kept");
    assert_ptr_equal(pottery_queue_client(q), client);
    assert_ok(pottery_queue_put(q, pottery_int(1)));
    pottery_queue_free(q);
    assert_raw("1", raw("XLEN", "kept", NULL));
}

/* ---- connection layer: pottery__exec_timeout ---- */

static void test_exec_timeout(void **state)
{
    (void)state;
    pottery_client *c = open_client_timeout(150); /* the client's own timeout */
    assert_int_equal(xread_block(c, "never", 50, CLIENT_TIMEOUT), 0);
    assert_code(POTTERY_ETIMEOUT, xread_block(c, "never", 400, CLIENT_TIMEOUT));
    assert_int_equal((int)stats_of(c).reconnects, 0);

    /* A longer timeout for one command; the client's is back right after it, on the same
     * connection. */
    assert_int_equal(xread_block(c, "never", 400, 2000), 0); /* reconnects first */
    assert_int_equal((int)stats_of(c).reconnects, 1);
    assert_code(POTTERY_ETIMEOUT, xread_block(c, "never", 400, CLIENT_TIMEOUT));
    assert_message_contains("150 ms");
    assert_int_equal((int)stats_of(c).reconnects, 1);

    /* POTTERY_FOREVER = no timeout; then the reconnected context has the client's too. */
    assert_int_equal(xread_block(c, "never", 400, POTTERY_FOREVER), 0);
    assert_code(POTTERY_ETIMEOUT, xread_block(c, "never", 400, CLIENT_TIMEOUT));

    /* A shorter timeout that expires: ETIMEOUT naming it; the next plain command
     * reconnects with the client's timeout. */
    double t0 = now_ms();
    assert_code(POTTERY_ETIMEOUT, xread_block(c, "never", 1000, 100));
    assert_true(now_ms() - t0 < 600);
    assert_message_contains("100 ms");
    assert_int_equal(xread_block(c, "never", 50, CLIENT_TIMEOUT), 0);
    assert_code(POTTERY_ETIMEOUT, xread_block(c, "never", 400, CLIENT_TIMEOUT));

    /* After an error reply the timeout is restored as well. */
    free(raw("SET", "never", "x", NULL));
    assert_wrongtype(xread_block(c, "never", 400, 2000));
    free(raw("DEL", "never", NULL));
    uint64_t reconnects = stats_of(c).reconnects;
    assert_code(POTTERY_ETIMEOUT, xread_block(c, "never", 400, CLIENT_TIMEOUT));
    assert_int_equal(stats_of(c).reconnects, reconnects); /* same connection as the error */

    /* Bad arguments. */
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "PING");
    pottery_reply *r = (pottery_reply *)&cmd;
    assert_code(POTTERY_EINVAL, pottery__exec_timeout(&r, c, &cmd, -2));
    assert_null(r);
    assert_code(POTTERY_EINVAL, pottery__exec_timeout(&r, c, &cmd, 0));
    assert_null(r);
    assert_code(POTTERY_EINVAL, pottery__exec_timeout(NULL, NULL, &cmd, 10));
    assert_code(POTTERY_EINVAL, pottery__exec_timeout(NULL, c, NULL, 10));
    assert_ok(pottery__exec_timeout(NULL, c, &cmd, 10));
    pottery__cmd_free(&cmd);
    assert_int_equal(pottery__client_command_timeout(c), 150);
    assert_int_equal(pottery__client_command_timeout(NULL), POTTERY_FOREVER);
    pottery_client_free(c);
}

/* The call after a timeout counts as one command, one round trip: the reconnection it makes
 * first is not counted. */
static void test_call_after_a_timeout_is_one_round_trip(void **state)
{
    (void)state;
    pottery_client *c = open_client_timeout(150);
    assert_code(POTTERY_ETIMEOUT, xread_block(c, "never", 400, CLIENT_TIMEOUT));
    pottery_client_stats a = stats_of(c);
    assert_int_equal(xread_block(c, "never", 10, 1000), 0);
    pottery_client_stats b = stats_of(c);
    assert_int_equal(b.reconnects - a.reconnects, 1);
    assert_int_equal(b.round_trips - a.round_trips, 1);
    assert_int_equal(b.commands - a.commands, 1);
    pottery_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_fifo_qsize_empty, fixture_reset),
        cmocka_unit_test_setup(test_layout_matches_pottery, fixture_reset),
        cmocka_unit_test_setup(test_round_trips, fixture_reset),
        cmocka_unit_test_setup(test_get_nowait_does_not_block, fixture_reset),
        cmocka_unit_test_setup(test_timed_get_times_out, fixture_reset),
        cmocka_unit_test_setup(test_blocking_get_waits_for_item, fixture_reset),
        cmocka_unit_test_setup(test_long_waits, fixture_reset),
        cmocka_unit_test_setup(test_every_item_delivered_exactly_once, fixture_reset),
        cmocka_unit_test_setup(test_every_big_item_delivered_exactly_once, fixture_reset),
        cmocka_unit_test_setup(test_foreign_entries_stay_in_the_queue, fixture_reset),
        cmocka_unit_test_setup(test_items_the_script_leaves_to_the_client, fixture_reset),
        cmocka_unit_test_setup(test_scripts_judge_json_as_the_decoder_does, fixture_reset),
        cmocka_unit_test_setup(test_null_and_invalid_arguments, fixture_reset),
        cmocka_unit_test_setup(test_wrong_redis_type, fixture_reset),
        cmocka_unit_test_setup(test_dropped_connection_during_blocking_get, fixture_reset),
        cmocka_unit_test_setup(test_random_key_is_temporary, fixture_reset),
        cmocka_unit_test_setup(test_exec_timeout, fixture_reset),
        cmocka_unit_test_setup(test_call_after_a_timeout_is_one_round_trip, fixture_reset),
    };
    static const fixture_exclusion not_on_cluster[] = {
        { "test_call_after_a_timeout_is_one_round_trip",
          "after a timeout the cluster client learns the slot map again, and counts its CLUSTER SLOTS as a "
          "command and a round trip of the next call" },
        { NULL, NULL },
    };
    return fixture_run_group(tests, not_on_cluster, fixture_setup, fixture_teardown);
}
