/* pottery_rqueue against a private redis-server (or cluster): layout, round trips,
 * visibility timeout and redelivery, consumers killed mid-item, the dead-letter limit,
 * exactly-once acknowledgement by crashing consumer processes, blocking takes across
 * CLIENT KILL, bad input. */
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "conn/conn.h"
#include "pottery.h"
#include "pottery/queue.h"
#include "pottery/rqueue.h"
#include "support/test_fixture.h"

/* ---- helpers ---- */

/* A queue on key with this visibility timeout and delivery limit (0: the defaults). */
static pottery_rqueue *open_rq(pottery_client *c, const char *key, int64_t visibility_ms, int64_t max_deliveries)
{
    pottery_rqueue_options opts;
    pottery_rqueue_options_init(&opts);
    if (visibility_ms) opts.visibility_timeout_ms = visibility_ms;
    if (max_deliveries) opts.max_deliveries = max_deliveries;
    pottery_rqueue *q = NULL;
    assert_ok(pottery_rqueue_open(&q, c, key, &opts));
    return q;
}

static int64_t len_of(pottery_rqueue *q)
{
    int64_t n = -1;
    assert_ok(pottery_rqueue_len(&n, q));
    return n;
}

static int64_t pending_of(pottery_rqueue *q)
{
    int64_t n = -1;
    assert_ok(pottery_rqueue_pending_count(&n, q));
    return n;
}

static int64_t dead_of(pottery_rqueue *q)
{
    int64_t n = -1;
    assert_ok(pottery_rqueue_dead_letter_count(&n, q));
    return n;
}

/* Take at once, expecting an item with this JSON and delivery count. */
static void expect_take(pottery_rqueue_item *it, pottery_rqueue *q, const char *json, int64_t deliveries)
{
    pottery_value want = POTTERY_VALUE_INIT;
    assert_ok(pottery_rqueue_take(it, q, 0));
    assert_ok(pottery_value_from_json(&want, json, strlen(json)));
    assert_value(&it->value, want);
    pottery_value_dispose(&want);
    assert_int_equal(it->deliveries, deliveries);
}

static void expect_empty(pottery_rqueue *q)
{
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    assert_code(POTTERY_EEMPTY, pottery_rqueue_take(&it, q, 0));
    assert_int_equal(it.deliveries, 0);
}

/* ---- behaviour, layout, round trips ---- */

static void test_put_take_ack(void **state)
{
    (void)state;
    pottery_rqueue *q = open_rq(client, "jobs", 0, 0);
    assert_string_equal(pottery_rqueue_key(q), "jobs");
    assert_string_equal(pottery_rqueue_dead_letter_key(q), "{jobs}:dead");
    assert_int_equal(strlen(pottery_rqueue_consumer(q)), 36); /* a uuid4 */
    assert_ptr_equal(pottery_rqueue_client(q), client);
    assert_int_equal(len_of(q), 0);
    assert_int_equal(pending_of(q), 0); /* no stream, no group yet */
    expect_empty(q);                    /* creates the group (MKSTREAM) */
    assert_raw("stream", raw("TYPE", "jobs", NULL));

    assert_round_trips(1, pottery_rqueue_put(q, pottery_str("a")));
    pottery_value many[] = { pottery_int(2), pottery_json("{\"b\": [1, null], \"a\": 2.5}"), pottery_bool(0) };
    assert_round_trips(1, pottery_rqueue_put_many(q, many, 3));
    assert_round_trips(0, pottery_rqueue_put_many(q, NULL, 0));
    assert_int_equal(len_of(q), 4);

    /* The layout is pottery_queue's: one field `item`, JSON. */
    char *first = raw("XRANGE", "jobs", "-", "+", "COUNT", "1", NULL);
    assert_non_null(first);
    assert_contains(first, "\nitem\n\"a\"");
    free(first);

    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    assert_round_trips(1, pottery_rqueue_take(&it, q, 0));
    assert_value_str(&it.value, "a");
    assert_int_equal(it.deliveries, 1);
    char *id = raw("XRANGE", "jobs", "-", "+", "COUNT", "1", NULL);
    assert_true(strncmp(id, it.id, strlen(it.id)) == 0);
    free(id);
    int64_t n = 0;
    assert_round_trips(1, pottery_rqueue_pending_count(&n, q));
    assert_int_equal(n, 1);
    assert_round_trips(1, pottery_rqueue_ack(q, &it));
    assert_int_equal(pending_of(q), 0);
    assert_int_equal(len_of(q), 3); /* acknowledged items are deleted */
    assert_code(POTTERY_ECONFLICT, pottery_rqueue_ack(q, &it));
    assert_message_contains("no longer holds item");

    expect_take(&it, q, "2", 1);
    assert_ok(pottery_rqueue_ack(q, &it));
    expect_take(&it, q, "{\"a\": 2.5, \"b\": [1, null]}", 1);
    assert_ok(pottery_rqueue_ack(q, &it));
    assert_round_trips(1, pottery_rqueue_take(&it, q, POTTERY_FOREVER));
    assert_value_bool(&it.value, 0);
    assert_ok(pottery_rqueue_ack(q, &it));
    assert_round_trips(1, pottery_rqueue_take(&it, q, 0) == POTTERY_EEMPTY ? 0 : -1);
    assert_message_contains("nothing to deliver");
    assert_value_bool(&it.value, 0); /* untouched */
    assert_int_equal(len_of(q), 0);

    /* Readable by other tools: the group, and by pottery_queue. */
    char *groups = raw("XINFO", "GROUPS", "jobs", NULL);
    assert_contains(groups, "pottery");
    free(groups);
    pottery_queue *plain = NULL;
    assert_ok(pottery_queue_open(&plain, client, "jobs", NULL));
    assert_ok(pottery_queue_put(plain, pottery_int(9)));
    expect_take(&it, q, "9", 1);
    assert_ok(pottery_rqueue_ack(q, &it));
    pottery_queue_free(plain);

    assert_ok(pottery_rqueue_clear(q));
    assert_raw("0", raw("EXISTS", "jobs", NULL));
    pottery_rqueue_item_dispose(&it);
    pottery_rqueue_item_dispose(NULL);
    pottery_rqueue_free(q);
}

/* ---- visibility timeout, release, touch ---- */

static void test_visibility_timeout(void **state)
{
    (void)state;
    pottery_rqueue *a = open_rq(client, "vis", 600, 0), *b = open_rq(client, "vis", 600, 0);
    pottery_rqueue_item ia = POTTERY_RQUEUE_ITEM_INIT, ib = POTTERY_RQUEUE_ITEM_INIT;
    assert_ok(pottery_rqueue_put(a, pottery_str("x")));
    expect_take(&ia, a, "\"x\"", 1);
    expect_empty(b); /* a holds it */
    sleep_ms(650);
    expect_take(&ib, b, "\"x\"", 2); /* taken over */
    assert_string_equal(ib.id, ia.id);
    assert_code(POTTERY_ECONFLICT, pottery_rqueue_ack(a, &ia));
    assert_code(POTTERY_ECONFLICT, pottery_rqueue_touch(a, &ia));
    assert_code(POTTERY_ECONFLICT, pottery_rqueue_release(a, &ia));
    assert_ok(pottery_rqueue_ack(b, &ib));
    assert_int_equal(len_of(a), 0);

    /* release: delivered again at once, the count goes on. */
    assert_ok(pottery_rqueue_put(a, pottery_str("y")));
    expect_take(&ia, a, "\"y\"", 1);
    assert_round_trips(1, pottery_rqueue_release(a, &ia));
    expect_take(&ib, b, "\"y\"", 2);
    assert_ok(pottery_rqueue_ack(b, &ib));

    /* touch: held for another full visibility timeout. */
    assert_ok(pottery_rqueue_put(a, pottery_str("z")));
    expect_take(&ia, a, "\"z\"", 1);
    sleep_ms(400);
    assert_round_trips(1, pottery_rqueue_touch(a, &ia));
    sleep_ms(400); /* 800 ms since the take: without the touch it would have expired */
    expect_empty(b);
    assert_ok(pottery_rqueue_ack(a, &ia));
    assert_int_equal(len_of(a), 0);
    pottery_rqueue_item_dispose(&ia);
    pottery_rqueue_item_dispose(&ib);
    pottery_rqueue_free(a);
    pottery_rqueue_free(b);
}

/* ---- consumers that die holding an item ---- */

typedef struct crash_job {
    const char *key;
    int64_t visibility_ms, max_deliveries, deliveries;
} crash_job;

/* Take an item (checking its delivery count) and die without acknowledging it. */
static int take_and_die(pottery_client *mine, int w, void *arg)
{
    (void)w;
    const crash_job *job = arg;
    pottery_rqueue_options opts;
    pottery_rqueue_options_init(&opts);
    opts.visibility_timeout_ms = job->visibility_ms;
    opts.max_deliveries = job->max_deliveries;
    pottery_rqueue *q = NULL;
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    if (pottery_rqueue_open(&q, mine, job->key, &opts) != 0) return 1;
    if (pottery_rqueue_take(&it, q, 5000) != 0) return 2;
    if (it.deliveries != job->deliveries) return 3;
    _exit(0); /* mid-item: no ack, no cleanup */
}

static void test_killed_consumer_item_redelivered(void **state)
{
    (void)state;
    pottery_rqueue *q = open_rq(client, "crash", 400, 0);
    assert_ok(pottery_rqueue_put(q, pottery_str("work")));
    crash_job job = { "crash", 400, 5, 1 };
    double t0 = now_ms();
    assert_int_equal(wait_exit_code(fork_worker(take_and_die, 0, &job)), 0);
    expect_empty(q);
    assert_int_equal(pending_of(q), 1);
    assert_int_equal(len_of(q), 1); /* nothing lost */
    /* A waiting take ends its block when the held item expires and takes it over. */
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    assert_ok(pottery_rqueue_take(&it, q, 5000));
    double elapsed = now_ms() - t0;
    assert_value_str(&it.value, "work");
    assert_int_equal(it.deliveries, 2);
    assert_true(elapsed >= 390 && elapsed < 3000);
    assert_ok(pottery_rqueue_ack(q, &it));
    assert_int_equal(len_of(q), 0);
    assert_int_equal(pending_of(q), 0);
    pottery_rqueue_item_dispose(&it);
    pottery_rqueue_free(q);
}

/* ---- the dead-letter limit ---- */

static void test_dead_letter_limit(void **state)
{
    (void)state;
    pottery_rqueue *q = open_rq(client, "poison", 150, 3);
    assert_ok(pottery_rqueue_put(q, pottery_str("poison")));
    for (int64_t d = 1; d <= 3; d++) {
        crash_job job = { "poison", 150, 3, d };
        assert_int_equal(wait_exit_code(fork_worker(take_and_die, 0, &job)), 0);
        sleep_ms(200);
    }
    /* Delivered 3 times: the next take moves it to the dead letters instead. */
    assert_int_equal(dead_of(q), 0);
    expect_empty(q);
    assert_int_equal(dead_of(q), 1);
    assert_int_equal(len_of(q), 0);
    assert_int_equal(pending_of(q), 0);
    char *dead = raw("XRANGE", "{poison}:dead", "-", "+", NULL);
    assert_contains(dead, "item\n\"poison\"\ndead_id\n");
    assert_contains(dead, "dead_deliveries\n3\ndead_reason\ndelivered 3 times");
    free(dead);

    /* Foreign entries go there at once. */
    free(raw("XADD", "poison", "*", "other", "x", NULL));
    free(raw("XADD", "poison", "*", "item", "{not json", NULL));
    free(raw("XADD", "poison", "*", "item", "\"\\ud800\"", NULL)); /* a lone surrogate */
    free(raw("XADD", "poison", "*", "item", "\"\xff\"", NULL));    /* not UTF-8: left to the client, which buries it */
    assert_ok(pottery_rqueue_put(q, pottery_int(5)));
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    expect_take(&it, q, "5", 1);
    assert_ok(pottery_rqueue_ack(q, &it));
    assert_int_equal(dead_of(q), 5);
    assert_int_equal(pending_of(q), 0);
    dead = raw("XRANGE", "{poison}:dead", "-", "+", NULL);
    assert_contains(dead, "dead_reason\nno item field");
    assert_contains(dead, "dead_reason\nitem is not JSON");
    assert_contains(dead, "dead_reason\nitem could not be decoded");
    free(dead);

    /* Read back: through the API, and through a pottery_queue on the dead-letter key. */
    pottery_rqueue_item items[6] = { POTTERY_RQUEUE_ITEM_INIT, POTTERY_RQUEUE_ITEM_INIT, POTTERY_RQUEUE_ITEM_INIT,
                                     POTTERY_RQUEUE_ITEM_INIT, POTTERY_RQUEUE_ITEM_INIT, POTTERY_RQUEUE_ITEM_INIT };
    size_t n = 99;
    assert_round_trips(1, pottery_rqueue_dead_letters(items, &n, q, 6));
    assert_int_equal(n, 5);
    assert_value_str(&items[0].value, "poison");
    assert_int_equal(items[0].deliveries, 3);
    assert_value_null(&items[1].value);
    assert_int_equal(items[1].deliveries, 1);
    assert_ok(pottery_rqueue_dead_letters(items, &n, q, 0));
    assert_int_equal(n, 0);
    for (size_t i = 0; i < 6; i++) pottery_rqueue_item_dispose(&items[i]);
    pottery_queue *dq = NULL;
    assert_ok(pottery_queue_open(&dq, client, pottery_rqueue_dead_letter_key(q), NULL));
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_queue_get_nowait(&v, dq));
    assert_value_str(&v, "poison");
    pottery_value_dispose(&v);
    pottery_queue_free(dq);
    pottery_rqueue_item_dispose(&it);
    assert_ok(pottery_rqueue_clear(q));
    assert_raw("0", raw("EXISTS", "{poison}:dead", NULL));
    pottery_rqueue_free(q);
}

/* ---- exactly-once acknowledgement with crashing consumer processes ---- */

enum { CONSUMERS = 8, ITEMS = 10000, CRASH_ONE_IN = 100, CRASHED = 42 };

/* Take and acknowledge until the queue is empty; after a successful ack, count it in the
 * hash "{mp}acks" (field = the item). Dies holding an item one take in CRASH_ONE_IN. */
static int crashing_consumer(pottery_client *mine, int w, void *arg)
{
    (void)arg;
    srand((unsigned)getpid() * 7919u + (unsigned)w);
    pottery_rqueue_options opts;
    pottery_rqueue_options_init(&opts);
    opts.visibility_timeout_ms = 300;
    opts.max_deliveries = 50;
    pottery_rqueue *q = NULL;
    if (pottery_rqueue_open(&q, mine, "{mp}jobs", &opts) != 0) return 1;
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    int status = 0;
    for (;;) {
        int rc = pottery_rqueue_take(&it, q, 400);
        int64_t left = -1;
        if (rc == POTTERY_EEMPTY && pottery_rqueue_len(&left, q) == 0 && left == 0) break;
        if (rc == POTTERY_EEMPTY) continue;
        if (rc != 0 || !pottery_value_is_int(&it.value)) {
            status = 2;
            break;
        }
        if (rand() % CRASH_ONE_IN == 0) _exit(CRASHED);
        rc = pottery_rqueue_ack(q, &it);
        if (rc == POTTERY_ECONFLICT) continue; /* held too long: its new holder acks it */
        char field[24];
        snprintf(field, sizeof field, "%" PRId64, pottery_value_int(&it.value));
        pottery_cmd cmd;
        build_cmd(&cmd, "HINCRBY", "{mp}acks", field, "1", NULL);
        if (rc == 0) rc = pottery__exec(NULL, mine, &cmd);
        pottery__cmd_free(&cmd);
        if (rc != 0) {
            fprintf(stderr, "consumer %d: %s\n", w, pottery_error_last()->message);
            status = 3;
            break;
        }
    }
    pottery_rqueue_item_dispose(&it);
    pottery_rqueue_free(q);
    return status;
}

static void test_crashing_consumers_ack_every_item_once(void **state)
{
    (void)state;
    pottery_rqueue *q = open_rq(client, "{mp}jobs", 300, 50);
    pottery_value *items = int_values(ITEMS, 0, 1);
    assert_ok(pottery_rqueue_put_many(q, items, ITEMS));
    free(items);
    assert_int_equal(len_of(q), ITEMS);
    pid_t pids[CONSUMERS];
    for (int c = 0; c < CONSUMERS; c++) pids[c] = fork_worker(crashing_consumer, c, NULL);
    int running = CONSUMERS, crashes = 0;
    while (running > 0) {
        int st = 0;
        pid_t pid = waitpid(-1, &st, 0);
        assert_true(pid > 0);
        int c = 0;
        while (c < CONSUMERS && pids[c] != pid) c++;
        assert_true(c < CONSUMERS);
        assert_true(WIFEXITED(st));
        if (WEXITSTATUS(st) == CRASHED) {
            crashes++;
            pids[c] = fork_worker(crashing_consumer, c, NULL); /* restarted */
            continue;
        }
        assert_int_equal(WEXITSTATUS(st), 0);
        running--;
    }
    print_message("      %d consumer crashes\n", crashes);
    assert_true(crashes > 0);
    assert_int_equal(len_of(q), 0);
    assert_int_equal(pending_of(q), 0);
    assert_int_equal(dead_of(q), 0);
    /* Every item acknowledged exactly once. */
    char *n = raw("HLEN", "{mp}acks", NULL);
    assert_int_equal(atoi(n), ITEMS);
    free(n);
    char *vals = raw("HVALS", "{mp}acks", NULL);
    int lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(vals, "\n", &save); line; line = strtok_r(NULL, "\n", &save), lines++)
        if (strcmp(line, "1") != 0) fail_msg("an item acknowledged %s times", line);
    assert_int_equal(lines, ITEMS);
    free(vals);
    pottery_rqueue_free(q);
}

/* ---- blocking takes ---- */

typedef struct put_job {
    const char *key;
    int delay_ms;
} put_job;

static int put_later(pottery_client *mine, int w, void *arg)
{
    (void)w;
    const put_job *job = arg;
    sleep_ms(job->delay_ms);
    pottery_rqueue *q = NULL;
    int ok = pottery_rqueue_open(&q, mine, job->key, NULL) == 0 && pottery_rqueue_put(q, pottery_str("later")) == 0;
    pottery_rqueue_free(q);
    return ok ? 0 : 1;
}

static void test_blocking_take_woken_by_put(void **state)
{
    (void)state;
    pottery_rqueue *q = open_rq(client, "wake", 0, 0);
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    double t0 = now_ms();
    assert_code(POTTERY_EEMPTY, pottery_rqueue_take(&it, q, 300));
    assert_true(now_ms() - t0 >= 290);
    put_job job = { "wake", 300 };
    pid_t pid = fork_worker(put_later, 0, &job);
    t0 = now_ms();
    assert_round_trips(2, pottery_rqueue_take(&it, q, POTTERY_FOREVER)); /* the script, then XREADGROUP BLOCK */
    assert_true(now_ms() - t0 < 3000);
    assert_int_equal(wait_exit_code(pid), 0);
    assert_value_str(&it.value, "later");
    assert_int_equal(it.deliveries, 1);
    assert_int_equal(pending_of(q), 1);
    assert_ok(pottery_rqueue_ack(q, &it));
    pottery_rqueue_item_dispose(&it);
    pottery_rqueue_free(q);
}

/* Wait for an item with no timeout; succeed if it arrives after the connection was killed
 * (and so reconnected). The key's hash tag is "KILL", so that on a cluster raw()'s CLIENT
 * KILL reaches the node serving it. */
static int blocked_taker(pottery_client *mine, int w, void *arg)
{
    (void)w;
    (void)arg;
    pottery_rqueue *q = NULL;
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    if (pottery_rqueue_open(&q, mine, "{KILL}q", NULL) != 0) return 1;
    if (pottery_rqueue_take(&it, q, POTTERY_FOREVER) != 0) return 2;
    if (strcmp(pottery_value_str(&it.value, NULL) ? pottery_value_str(&it.value, NULL) : "", "later") != 0) return 3;
    if (stats_of(mine).reconnects < 1) return 4;
    if (pottery_rqueue_ack(q, &it) != 0) return 5;
    pottery_rqueue_item_dispose(&it);
    pottery_rqueue_free(q);
    return 0;
}

static void test_blocking_take_across_client_kill(void **state)
{
    (void)state;
    pottery_rqueue *q = open_rq(client, "{KILL}q", 0, 0);
    expect_empty(q);
    pid_t pid = fork_worker(blocked_taker, 0, NULL);
    /* Wait until the child blocks in XREADGROUP (on a cluster, where CLIENT LIST may reach
     * another node than CLIENT KILL, a while). */
    for (int tries = 0; tries < 500 && !fixture_cluster_mode(); tries++) {
        char *list = raw("CLIENT", "LIST", NULL);
        int blocked = list && strstr(list, "cmd=xreadgroup") != NULL;
        free(list);
        if (blocked) break;
        sleep_ms(10);
    }
    sleep_ms(fixture_cluster_mode() ? 1000 : 100);
    char *killed = raw("CLIENT", "KILL", "TYPE", "normal", NULL);
    assert_non_null(killed);
    assert_true(atoi(killed) >= 1);
    free(killed);
    sleep_ms(200);
    /* The fixture's client was killed too: its next call reports it, then it reconnects. */
    int64_t n = 0;
    int rc = pottery_rqueue_len(&n, q);
    if (rc != 0) assert_conn_lost(rc);
    assert_ok(pottery_rqueue_put(q, pottery_str("later")));
    assert_int_equal(wait_exit_code(pid), 0);
    assert_int_equal(len_of(q), 0);
    pottery_rqueue_free(q);
}

/* A child: after 300 ms destroy the group "pottery" of "gone" (which a take waits on),
 * after 600 ms put an item there. */
static int destroy_then_put(pottery_client *mine, int w, void *arg)
{
    (void)w;
    (void)arg;
    pottery_cmd cmd;
    sleep_ms(300);
    /* In a script, so that a cluster client routes it by its key. */
    build_cmd(&cmd, "EVAL", "return redis.call('XGROUP', 'DESTROY', KEYS[1], 'pottery')", "1", "gone", NULL);
    int rc = pottery__exec(NULL, mine, &cmd);
    pottery__cmd_free(&cmd);
    sleep_ms(300);
    build_cmd(&cmd, "XADD", "gone", "*", "item", "\"back\"", NULL);
    if (rc == 0) rc = pottery__exec(NULL, mine, &cmd);
    pottery__cmd_free(&cmd);
    return rc == 0 ? 0 : 1;
}

/* The group vanishing under a waiting take (XGROUP DESTROY, or a server restarted without
 * persistence): the take creates it again and goes on waiting. */
static void test_group_destroyed_during_wait(void **state)
{
    (void)state;
    pottery_rqueue *q = open_rq(client, "gone", 0, 0);
    expect_empty(q);
    pid_t pid = fork_worker(destroy_then_put, 0, NULL);
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    assert_ok(pottery_rqueue_take(&it, q, 5000));
    assert_int_equal(wait_exit_code(pid), 0);
    assert_value_str(&it.value, "back");
    assert_ok(pottery_rqueue_ack(q, &it));
    pottery_rqueue_item_dispose(&it);
    pottery_rqueue_free(q);
}

/* A server restarted empty: the first call after it reports the dropped connection, the
 * next ones reconnect, and the first take creates the group again; no reopening. */
static void test_server_restart(void **state)
{
    (void)state;
    test_redis victim;
    pottery_client *c = victim_start(&victim, NULL);
    pottery_rqueue *q = open_rq(c, "k", 0, 0);
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    assert_ok(pottery_rqueue_put(q, pottery_int(1)));
    expect_take(&it, q, "1", 1);
    assert_ok(pottery_rqueue_ack(q, &it));
    test_redis_kill(&victim);
    assert_int_equal(test_redis_restart(&victim), 0);
    int rc = pottery_rqueue_take(&it, q, 0);
    if (rc != POTTERY_EEMPTY) assert_conn_lost(rc);
    assert_ok(pottery_rqueue_put(q, pottery_int(2)));
    expect_take(&it, q, "2", 1);
    assert_ok(pottery_rqueue_ack(q, &it));
    pottery_rqueue_item_dispose(&it);
    pottery_rqueue_free(q);
    victim_stop(&victim, c);
}

/* ---- bad input ---- */

static void test_null_and_invalid_arguments(void **state)
{
    (void)state;
    pottery_rqueue *q = open_rq(client, "nulls", 0, 0), *none = q;
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    int64_t n;
    size_t got;
    assert_code(POTTERY_EINVAL, pottery_rqueue_open(NULL, client, "k", NULL));
    assert_code(POTTERY_EINVAL, pottery_rqueue_open(&none, NULL, "k", NULL));
    assert_null(none);
    assert_code(POTTERY_EINVAL, pottery_rqueue_open(&none, client, "", NULL));
    pottery_rqueue_options bad;
    const int64_t bad_vis[] = { 0, -1, POTTERY_FOREVER, INT64_MIN };
    for (size_t i = 0; i < 4; i++) {
        pottery_rqueue_options_init(&bad);
        bad.visibility_timeout_ms = bad_vis[i];
        assert_code(POTTERY_EINVAL, pottery_rqueue_open(&none, client, "k", &bad));
        assert_message_contains("visibility_timeout_ms must be > 0");
    }
    pottery_rqueue_options_init(&bad);
    bad.max_deliveries = -1;
    assert_code(POTTERY_EINVAL, pottery_rqueue_open(&none, client, "k", &bad));
    pottery_rqueue_options_init(&bad);
    bad.max_block_ms = 0;
    assert_code(POTTERY_EINVAL, pottery_rqueue_open(&none, client, "k", &bad));
    const char **names[] = { &bad.group, &bad.consumer, &bad.dead_letter_key };
    for (size_t i = 0; i < 3; i++) {
        pottery_rqueue_options_init(&bad);
        *names[i] = "";
        assert_code(POTTERY_EINVAL, pottery_rqueue_open(&none, client, "k", &bad));
        assert_message_contains("must not be empty");
    }
    assert_null(none);
    pottery_rqueue_options_init(&bad);
    assert_options_version_checked(pottery_rqueue, pottery_rqueue_open, "k", &bad, POTTERY_RQUEUE_OPTIONS_VERSION);

    assert_code(POTTERY_EINVAL, pottery_rqueue_put(NULL, pottery_int(1)));
    assert_code(POTTERY_EINVAL, pottery_rqueue_put_many(NULL, NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_rqueue_put_many(q, NULL, 2));
    assert_code(POTTERY_EINVAL, pottery_rqueue_take(NULL, q, 0));
    assert_code(POTTERY_EINVAL, pottery_rqueue_take(&it, NULL, 0));
    assert_code(POTTERY_EINVAL, pottery_rqueue_take(&it, q, -2));
    assert_code(POTTERY_EINVAL, pottery_rqueue_ack(NULL, &it));
    assert_code(POTTERY_EINVAL, pottery_rqueue_ack(q, NULL));
    assert_code(POTTERY_EINVAL, pottery_rqueue_ack(q, &it)); /* never delivered */
    assert_message_contains("not delivered by pottery_rqueue_take");
    assert_code(POTTERY_EINVAL, pottery_rqueue_release(NULL, &it));
    assert_code(POTTERY_EINVAL, pottery_rqueue_touch(q, NULL));
    assert_code(POTTERY_EINVAL, pottery_rqueue_len(NULL, q));
    assert_code(POTTERY_EINVAL, pottery_rqueue_len(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_rqueue_pending_count(NULL, q));
    assert_code(POTTERY_EINVAL, pottery_rqueue_pending_count(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_rqueue_dead_letter_count(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_rqueue_dead_letters(NULL, &got, q, 1));
    assert_code(POTTERY_EINVAL, pottery_rqueue_dead_letters(&it, NULL, q, 1));
    assert_code(POTTERY_EINVAL, pottery_rqueue_dead_letters(&it, &got, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_rqueue_clear(NULL));
    assert_null(pottery_rqueue_key(NULL));
    assert_null(pottery_rqueue_dead_letter_key(NULL));
    assert_null(pottery_rqueue_consumer(NULL));
    assert_null(pottery_rqueue_client(NULL));
    pottery_rqueue_free(NULL);

    /* An item id that overflows its buffer, or a forged one: refused or not held. */
    memset(it.id, '1', sizeof it.id);
    it.deliveries = 1;
    assert_code(POTTERY_EINVAL, pottery_rqueue_ack(q, &it));
    snprintf(it.id, sizeof it.id, "1-1");
    assert_code(POTTERY_ECONFLICT, pottery_rqueue_ack(q, &it)); /* no group yet: not held */

    /* Items that cannot be encoded: ETYPE, nothing sent. */
    uint64_t before = commands();
    assert_code(POTTERY_ETYPE, pottery_rqueue_put(q, pottery_strn("\xc0\xaf", 2)));
    assert_int_equal(commands(), before);
    /* Streamed inside MULTI: the bad item turns EXEC into DISCARD. */
    pottery_value mixed[] = { pottery_int(1), pottery_json("{not json") };
    assert_code(POTTERY_ETYPE, pottery_rqueue_put_many(q, mixed, 2));
    assert_raw("0", raw("EXISTS", "nulls", NULL));
    pottery_rqueue_free(q);
}

static void test_wrong_redis_type(void **state)
{
    (void)state;
    free(raw("SET", "string", "value", NULL));
    free(raw("SET", "{ok}:dead", "value", NULL));
    pottery_rqueue *q = open_rq(client, "string", 0, 0);
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    int64_t n;
    size_t got;
    assert_wrongtype(pottery_rqueue_put(q, pottery_int(1)));
    assert_wrongtype(pottery_rqueue_take(&it, q, 0));
    assert_wrongtype(pottery_rqueue_take(&it, q, 200));
    assert_wrongtype(pottery_rqueue_len(&n, q));
    assert_wrongtype(pottery_rqueue_pending_count(&n, q));
    snprintf(it.id, sizeof it.id, "1-1");
    it.deliveries = 1;
    assert_wrongtype(pottery_rqueue_ack(q, &it));
    pottery_rqueue_free(q);
    assert_raw("value", raw("GET", "string", NULL));

    /* The dead-letter key holds a string: burying fails, and nothing moves. */
    q = open_rq(client, "ok", 0, 0);
    free(raw("XADD", "ok", "*", "other", "x", NULL));
    assert_wrongtype(pottery_rqueue_take(&it, q, 0));
    assert_wrongtype(pottery_rqueue_dead_letter_count(&n, q));
    assert_wrongtype(pottery_rqueue_dead_letters(&it, &got, q, 3));
    assert_int_equal(len_of(q), 1);
    assert_raw("value", raw("GET", "{ok}:dead", NULL));
    pottery_rqueue_free(q);
}

static void test_keys(void **state)
{
    (void)state;
    pottery_rqueue *q = NULL;
    assert_ok(pottery_rqueue_open(&q, client, NULL, NULL));
    assert_random_key(pottery_rqueue_key(q));
    char dead[64];
    snprintf(dead, sizeof dead, "%s", pottery_rqueue_dead_letter_key(q));
    char key[64];
    snprintf(key, sizeof key, "%s", pottery_rqueue_key(q));
    assert_ok(pottery_rqueue_put(q, pottery_int(1)));
    free(raw("XADD", dead, "*", "item", "1", NULL));
    pottery_rqueue_free(q);
    assert_raw("0", raw("EXISTS", key, NULL));
    assert_raw("0", raw("EXISTS", dead, NULL));

    /* Own names; a dead-letter key elsewhere: fine on one server, refused on a cluster. */
    pottery_rqueue_options opts;
    pottery_rqueue_options_init(&opts);
    opts.group = "workers";
    opts.consumer = "w1";
    opts.dead_letter_key = "graveyard";
    int rc = pottery_rqueue_open(&q, client, "named", &opts);
    if (fixture_cluster_mode()) {
        assert_code(POTTERY_ECROSSSLOT, rc);
        opts.dead_letter_key = "{named}graveyard";
        assert_ok(pottery_rqueue_open(&q, client, "named", &opts));
    } else {
        assert_ok(rc);
    }
    assert_string_equal(pottery_rqueue_consumer(q), "w1");
    assert_ok(pottery_rqueue_put(q, pottery_int(1)));
    pottery_rqueue_item it = POTTERY_RQUEUE_ITEM_INIT;
    expect_take(&it, q, "1", 1);
    char *consumers = raw("XINFO", "CONSUMERS", "named", "workers", NULL);
    assert_contains(consumers, "w1");
    free(consumers);
    pottery_rqueue_free(q);
    pottery_rqueue_item_dispose(&it);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_put_take_ack, fixture_reset),
        cmocka_unit_test_setup(test_visibility_timeout, fixture_reset),
        cmocka_unit_test_setup(test_killed_consumer_item_redelivered, fixture_reset),
        cmocka_unit_test_setup(test_dead_letter_limit, fixture_reset),
        cmocka_unit_test_setup(test_crashing_consumers_ack_every_item_once, fixture_reset),
        cmocka_unit_test_setup(test_blocking_take_woken_by_put, fixture_reset),
        cmocka_unit_test_setup(test_blocking_take_across_client_kill, fixture_reset),
        cmocka_unit_test_setup(test_group_destroyed_during_wait, fixture_reset),
        cmocka_unit_test_setup(test_server_restart, fixture_reset),
        cmocka_unit_test_setup(test_null_and_invalid_arguments, fixture_reset),
        cmocka_unit_test_setup(test_wrong_redis_type, fixture_reset),
        cmocka_unit_test_setup(test_keys, fixture_reset),
    };
    return fixture_run_group(tests, NULL, fixture_setup, fixture_teardown);
}
