/* The fan-out over five private redis-server masters: one round trip on each, failures
 * (killed, frozen, wrong replies) reported per master, early decisions that leave no reply
 * behind, and the "no orphaned keys" property over 1,000 lock/unlock-like cycles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn/client_impl.h"
#include "conn/conn.h"
#include "support/test_fixture.h"

#define N MASTERS
#define QUORUM 3

/* Compare-and-delete, as a lock release does. KEYS[1] the key, ARGV[1] the value. */
static const pottery_script del_if_equal = {
    "del_if_equal", "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
};

/* ---- helpers ---- */

/* Run a command built from the NULL-terminated arguments on every master. */
static int fan(pottery_fanout *f, const char *a0, ...)
{
    pottery_cmd cmd;
    va_list ap;
    va_start(ap, a0);
    build_cmdva(&cmd, a0, ap);
    va_end(ap);
    int rc = pottery__fanout_exec(f, &cmd);
    pottery__cmd_free(&cmd);
    return rc;
}

/* The bulk string of master i's reply is expected. */
static void assert_reply_text(const pottery_fanout *f, size_t i, const char *expected)
{
    const char *s;
    size_t len;
    assert_int_equal(f->results[i].status, POTTERY_FANOUT_YES);
    assert_ok(pottery__reply_bytes(&s, &len, f->results[i].reply, "ECHO"));
    assert_int_equal(len, strlen(expected));
    assert_memory_equal(s, expected, len);
}

static int check_ok_status(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    (void)ctx;
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) return 0; /* held elsewhere: a no */
    int rc = pottery__reply_status(r, "OK", "SET");
    return rc < 0 ? rc : 1;
}

static int check_bulk(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    (void)ctx;
    const char *s;
    int rc = pottery__reply_bytes(&s, NULL, r, "GET");
    return rc < 0 ? rc : 1;
}

static int check_deleted(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    (void)ctx;
    long long n;
    int rc = pottery__reply_int_in(&n, r, 0, 1, "del_if_equal");
    return rc < 0 ? rc : (int)n;
}

static int first_answer_decides(const pottery_fanout *f, void *ctx)
{
    (void)ctx;
    return f->yes >= 1;
}

static void describe(char *buf, size_t size, const pottery_fanout *f)
{
    size_t len = pottery__fanout_describe(buf, size, f);
    assert_true(len < size);
}

static void assert_no_key_anywhere(const char *key)
{
    for (size_t i = 0; i < N; i++) assert_raw("0", test_redis_cmdv(&masters[i], "EXISTS", key, (const char *)NULL));
}

/* ---- tests ---- */

static void all_five_in_one_round_trip_each(void **state)
{
    (void)state;
    pottery_fanout f;
    pottery__fanout_init(&f, clients, N, 0);
    for (size_t i = 0; i < N; i++) pottery_client_stats_reset(clients[i]);
    assert_ok(fan(&f, "ECHO", "hello", (const char *)NULL));
    assert_int_equal(f.yes, N);
    assert_int_equal(f.failed + f.no + f.pending, 0);
    for (size_t i = 0; i < N; i++) {
        assert_reply_text(&f, i, "hello");
        assert_string_equal(f.results[i].endpoint, clients[i]->endpoint);
        pottery_client_stats s = stats_of(clients[i]);
        assert_int_equal(s.round_trips, 1);
        assert_int_equal(s.commands, 1);
    }
    char buf[256];
    describe(buf, sizeof buf, &f);
    assert_string_equal(buf, "5 of 5");
    pottery__fanout_free(&f);
}

static void two_killed_still_decides_and_rejoin(void **state)
{
    (void)state;
    pottery_fanout f;
    pottery__fanout_init(&f, clients, N, QUORUM);
    f.check = check_ok_status;
    test_redis_kill(&masters[1]);
    test_redis_kill(&masters[3]);

    /* The open connections die under the call, then reconnecting is refused. */
    for (int round = 0; round < 2; round++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", round);
        assert_ok(fan(&f, "SET", key, "v", "NX", "PX", "10000", (const char *)NULL));
        assert_int_equal(f.yes, 3);
        assert_int_equal(f.failed, 2);
        assert_int_equal(f.results[1].status, POTTERY_FANOUT_UNREACHABLE);
        assert_int_equal(f.results[3].status, POTTERY_FANOUT_UNREACHABLE);
        assert_int_equal(f.results[1].code, POTTERY_ECONN);
    }
    char buf[512], want[128];
    describe(buf, sizeof buf, &f);
    assert_contains(buf, "3 of 5 (");
    snprintf(want, sizeof want, "127.0.0.1:%d connection refused", masters[1].port);
    assert_contains(buf, want);
    snprintf(want, sizeof want, "127.0.0.1:%d connection refused", masters[3].port);
    assert_contains(buf, want);
    snprintf(want, sizeof want, "127.0.0.1:%d", masters[0].port);
    assert_null(strstr(buf, want)); /* only the failed masters are named */

    /* A third failure makes the quorum impossible: decided, whatever is still on its way. */
    test_redis_kill(&masters[4]);
    assert_ok(fan(&f, "SET", "k2", "v", "NX", "PX", "10000", (const char *)NULL));
    assert_true(f.yes < QUORUM);
    assert_true(f.failed >= 3);

    /* Restarted masters rejoin: the next call reconnects to them. */
    assert_int_equal(test_redis_restart(&masters[1]), 0);
    assert_int_equal(test_redis_restart(&masters[3]), 0);
    assert_int_equal(test_redis_restart(&masters[4]), 0);
    pottery_client_stats before = stats_of(clients[1]);
    f.quorum = 0;
    assert_ok(fan(&f, "SET", "k3", "v", "NX", "PX", "10000", (const char *)NULL));
    assert_int_equal(f.yes, N);
    assert_int_equal(stats_of(clients[1]).reconnects, before.reconnects + 1);
    for (size_t i = 0; i < N; i++) assert_raw("v", test_redis_cmdv(&masters[i], "GET", "k3", (const char *)NULL));
    pottery__fanout_free(&f);
}

static void frozen_master_times_out_and_its_reply_is_consumed(void **state)
{
    (void)state;
    pottery_fanout f;
    pottery__fanout_init(&f, clients, N, 0); /* wait for every master */
    test_redis_pause(&masters[2]);
    double t0 = now_ms();
    assert_ok(fan(&f, "ECHO", "first", (const char *)NULL));
    double elapsed = now_ms() - t0;
    print_message("frozen master, 300 ms timeout: returned after %.1f ms\n", elapsed);
    assert_true(elapsed >= 290);
    assert_true(elapsed < 300 + 250);
    assert_int_equal(f.yes, 4);
    assert_int_equal(f.results[2].status, POTTERY_FANOUT_TIMEOUT);
    assert_int_equal(f.results[2].code, POTTERY_ETIMEOUT);
    assert_int_equal(clients[2]->late, 1);
    char buf[512], want[128];
    describe(buf, sizeof buf, &f);
    snprintf(want, sizeof want, "4 of 5 (127.0.0.1:%d timeout)", masters[2].port);
    assert_string_equal(buf, want);

    /* Thawed, its next command gets its own reply, not the late "first". */
    test_redis_resume(&masters[2]);
    pottery_cmd cmd;
    pottery_reply *r = NULL;
    build_cmd(&cmd, "ECHO", "second", (const char *)NULL);
    assert_ok(pottery__exec(&r, clients[2], &cmd));
    const char *s;
    size_t len;
    assert_ok(pottery__reply_bytes(&s, &len, r, "ECHO"));
    assert_int_equal(len, 6);
    assert_memory_equal(s, "second", 6);
    assert_int_equal(clients[2]->late, 0);
    pottery__reply_free(r);
    pottery__cmd_free(&cmd);

    /* Frozen across two calls: the second timeout drops the connection, which forgets
     * what it owed, and the master rejoins once it runs again. */
    test_redis_pause(&masters[2]);
    assert_ok(fan(&f, "ECHO", "a", (const char *)NULL));
    assert_int_equal(clients[2]->late, 1);
    assert_ok(fan(&f, "ECHO", "b", (const char *)NULL));
    assert_int_equal(f.results[2].status, POTTERY_FANOUT_TIMEOUT);
    assert_null(clients[2]->ctx);
    assert_int_equal(clients[2]->late, 0);
    test_redis_resume(&masters[2]);
    assert_ok(fan(&f, "ECHO", "c", (const char *)NULL));
    for (size_t i = 0; i < N; i++) assert_reply_text(&f, i, "c");
    pottery__fanout_free(&f);
}

/* A fan-out to one master reads its reply like a single client (recv() without poll()):
 * the same timeout, the same owed reply, the same round-trip count. */
static void one_master_is_waited_for_like_a_client(void **state)
{
    (void)state;
    pottery_fanout f;
    pottery__fanout_init(&f, &clients[2], 1, 0);
    pottery_client_stats_reset(clients[2]);
    assert_ok(fan(&f, "ECHO", "ok", (const char *)NULL));
    assert_int_equal(f.yes, 1);
    assert_reply_text(&f, 0, "ok");
    assert_int_equal(stats_of(clients[2]).round_trips, 1);

    test_redis_pause(&masters[2]);
    double t0 = now_ms();
    assert_ok(fan(&f, "ECHO", "first", (const char *)NULL));
    double elapsed = now_ms() - t0;
    assert_true(elapsed >= 290);
    assert_true(elapsed < 300 + 250);
    assert_int_equal(f.results[0].status, POTTERY_FANOUT_TIMEOUT);
    assert_int_equal(f.results[0].code, POTTERY_ETIMEOUT);
    assert_non_null(clients[2]->ctx); /* kept, owing the reply */
    assert_int_equal(clients[2]->late, 1);
    test_redis_resume(&masters[2]);
    assert_ok(fan(&f, "ECHO", "second", (const char *)NULL));
    assert_reply_text(&f, 0, "second");
    assert_int_equal(clients[2]->late, 0);
    pottery__fanout_free(&f);
}

/* Dropped connections to three frozen masters reconnect at once: the call costs one
 * connect timeout (500 ms here), not one per frozen master in turn (1.5 s), and the two
 * live masters answer in it. A freshly connected master counts as a reconnect. */
static void dropped_masters_reconnect_together(void **state)
{
    (void)state;
    for (size_t i = 0; i < N; i++) {
        pottery_client_stats_reset(clients[i]);
        pottery__conn_drop(clients[i]);
    }
    for (size_t i = 2; i < N; i++) test_redis_pause(&masters[i]);
    pottery_fanout f;
    pottery__fanout_init(&f, clients, N, 0);
    double t0 = now_ms();
    assert_ok(fan(&f, "ECHO", "back", (const char *)NULL));
    double elapsed = now_ms() - t0;
    print_message("three frozen masters to reconnect, 500 ms connect timeout: %.1f ms\n", elapsed);
    assert_true(elapsed >= 490);
    assert_true(elapsed < 500 + 400);
    assert_int_equal(f.yes, 2);
    assert_int_equal(f.failed, 3);
    for (size_t i = 0; i < 2; i++) {
        assert_reply_text(&f, i, "back");
        assert_int_equal(stats_of(clients[i]).reconnects, 1);
    }
    for (size_t i = 2; i < N; i++) {
        assert_int_equal(f.results[i].code, POTTERY_ETIMEOUT);
        assert_null(clients[i]->ctx);
    }
    pottery__fanout_free(&f);

    /* Thawed, they all rejoin on the next call. */
    for (size_t i = 2; i < N; i++) test_redis_resume(&masters[i]);
    assert_ok(fan(&f, "ECHO", "again", (const char *)NULL));
    assert_int_equal(f.yes, N);
    for (size_t i = 0; i < N; i++) assert_reply_text(&f, i, "again");
    pottery__fanout_free(&f);
}

static void call_timeout_caps_the_masters(void **state)
{
    (void)state;
    close_master_clients(clients, N);
    open_master_clients(clients, masters, N, 5000, 500);
    pottery_fanout f;
    pottery__fanout_init(&f, clients, N, 0);
    f.timeout_ms = 200;
    test_redis_pause(&masters[0]);
    double t0 = now_ms();
    assert_ok(fan(&f, "PING", (const char *)NULL));
    double elapsed = now_ms() - t0;
    assert_true(elapsed >= 190);
    assert_true(elapsed < 200 + 250);
    assert_int_equal(f.results[0].status, POTTERY_FANOUT_TIMEOUT);
    assert_int_equal(f.yes, 4);
    test_redis_resume(&masters[0]);
    pottery__fanout_free(&f);
}

static void early_decision_does_not_wait_for_a_slow_master(void **state)
{
    (void)state;
    close_master_clients(clients, N);
    open_master_clients(clients, masters, N, 2000, 500);
    pottery_fanout f;
    pottery__fanout_init(&f, clients, N, QUORUM);
    test_redis_pause(&masters[4]);
    for (size_t i = 0; i < N; i++) pottery_client_stats_reset(clients[i]);
    double t0 = now_ms();
    assert_ok(fan(&f, "ECHO", "one", (const char *)NULL));
    double elapsed = now_ms() - t0;
    print_message("early decision with a frozen master (2000 ms timeout): %.1f ms\n", elapsed);
    assert_true(elapsed < 200);
    assert_true(f.yes >= QUORUM);
    assert_int_equal(f.results[4].status, POTTERY_FANOUT_PENDING);
    assert_true(f.pending >= 1);
    assert_int_equal(clients[4]->late, 1);
    for (size_t i = 0; i < N; i++) assert_int_equal(stats_of(clients[i]).round_trips, 1);
    char buf[512], want[128];
    describe(buf, sizeof buf, &f);
    snprintf(want, sizeof want, "127.0.0.1:%d no answer yet", masters[4].port);
    assert_contains(buf, want);

    /* Thawed: a fan-out waiting for everyone reads each master's own reply. */
    test_redis_resume(&masters[4]);
    f.quorum = 0;
    assert_ok(fan(&f, "ECHO", "two", (const char *)NULL));
    for (size_t i = 0; i < N; i++) {
        assert_reply_text(&f, i, "two");
        assert_int_equal(clients[i]->late, 0);
    }

    /* A decide callback instead of the quorum rule: the first answer decides, even with a
     * quorum rule that would wait for everyone. */
    test_redis_pause(&masters[0]);
    f.decide = first_answer_decides;
    assert_ok(fan(&f, "ECHO", "three", (const char *)NULL));
    assert_int_equal(f.yes, 1);
    assert_int_equal(f.results[0].status, POTTERY_FANOUT_PENDING);
    test_redis_resume(&masters[0]);
    f.decide = NULL;
    assert_ok(fan(&f, "ECHO", "four", (const char *)NULL));
    for (size_t i = 0; i < N; i++) assert_reply_text(&f, i, "four");
    pottery__fanout_free(&f);
}

static void wrong_replies_are_reported_per_master(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3; i++) free(test_redis_cmdv(&masters[i], "SET", "k", "v", (const char *)NULL));
    free(test_redis_cmdv(&masters[4], "RPUSH", "k", "x", (const char *)NULL));
    pottery_fanout f;
    pottery__fanout_init(&f, clients, N, 0);
    f.check = check_bulk;
    assert_ok(fan(&f, "GET", "k", (const char *)NULL));
    assert_int_equal(f.yes, 3);
    assert_int_equal(f.results[3].status, POTTERY_FANOUT_PROTOCOL);
    assert_int_equal(f.results[3].code, POTTERY_EPROTOCOL);
    assert_contains(f.results[3].message, "nil");
    assert_int_equal(f.results[4].status, POTTERY_FANOUT_REDIS_ERROR);
    assert_contains(f.results[4].message, "WRONGTYPE");
    char buf[512], want[128];
    describe(buf, sizeof buf, &f);
    snprintf(want, sizeof want, "127.0.0.1:%d protocol error (GET: expected", masters[3].port);
    assert_contains(buf, want);
    snprintf(want, sizeof want, "127.0.0.1:%d error WRONGTYPE", masters[4].port);
    assert_contains(buf, want);

    /* The connections stay in step: the next call reads the right replies. */
    f.check = NULL;
    assert_ok(fan(&f, "ECHO", "next", (const char *)NULL));
    for (size_t i = 0; i < N; i++) assert_reply_text(&f, i, "next");

    /* A truncated summary still reports the full length, like snprintf. */
    size_t full = pottery__fanout_describe(NULL, 0, &f);
    char small[4];
    assert_int_equal(pottery__fanout_describe(small, sizeof small, &f), full);
    assert_string_equal(small, "5 o");
    pottery__fanout_free(&f);
}

static void scripts_use_evalsha_and_survive_noscript(void **state)
{
    (void)state;
    pottery_fanout f;
    pottery_cmd args;
    pottery__fanout_init(&f, clients, N, 0);
    f.check = check_deleted;
    build_cmd(&args, "k", "v", (const char *)NULL);
    for (size_t i = 0; i < N; i++) free(test_redis_cmdv(&masters[i], "SET", "k", "v", (const char *)NULL));
    assert_ok(pottery__fanout_eval(&f, &del_if_equal, 1, &args));
    assert_int_equal(f.yes, N);
    assert_no_key_anywhere("k");

    /* Loaded now: EVALSHA; a master that lost its scripts gets EVAL in the same call. */
    free(test_redis_cmdv(&masters[2], "SCRIPT", "FLUSH", (const char *)NULL));
    for (size_t i = 0; i < N; i++) free(test_redis_cmdv(&masters[i], "SET", "k", "v", (const char *)NULL));
    long long evalsha_before = commandstats_calls(&masters[0], "evalsha");
    long long eval_before = commandstats_calls(&masters[2], "eval");
    assert_ok(pottery__fanout_eval(&f, &del_if_equal, 1, &args));
    assert_int_equal(f.yes, N);
    assert_int_equal(commandstats_calls(&masters[0], "evalsha"), evalsha_before + 1);
    assert_int_equal(commandstats_calls(&masters[2], "eval"), eval_before + 1);
    assert_no_key_anywhere("k");

    /* A value that does not match deletes nothing: a no vote, not a failure. */
    free(test_redis_cmdv(&masters[0], "SET", "k", "other", (const char *)NULL));
    assert_ok(pottery__fanout_eval(&f, &del_if_equal, 1, &args));
    assert_int_equal(f.yes, 0);
    assert_int_equal(f.no, N);
    assert_int_equal(f.failed, 0);
    assert_raw("other", test_redis_cmdv(&masters[0], "GET", "k", (const char *)NULL));
    pottery__cmd_free(&args);
    pottery__fanout_free(&f);
}

static void bad_input(void **state)
{
    (void)state;
    pottery_fanout f;
    pottery_cmd cmd;
    build_cmd(&cmd, "PING", (const char *)NULL);
    pottery__fanout_init(&f, clients, 0, 0);
    assert_code(POTTERY_EINVAL, pottery__fanout_exec(&f, &cmd));
    pottery_client *twice[2] = { clients[0], clients[0] };
    pottery__fanout_init(&f, twice, 2, 0);
    assert_code(POTTERY_EINVAL, pottery__fanout_exec(&f, &cmd));
    assert_message_contains("same client");
    pottery__fanout_init(&f, clients, N, 0);
    f.timeout_ms = 0;
    assert_code(POTTERY_EINVAL, pottery__fanout_exec(&f, &cmd));
    f.timeout_ms = POTTERY_FOREVER;
    assert_code(POTTERY_EINVAL, pottery__fanout_exec(&f, NULL));
    assert_code(POTTERY_EINVAL, pottery__fanout_eval(&f, NULL, 0, NULL));
    assert_int_equal(stats_of(clients[0]).commands, 0);
    pottery__cmd_free(&cmd);
}

/* SET NX at quorum, then compare-and-delete at quorum, 1,000 times, one master frozen for
 * part of the cycles: every cycle acquires, and no master holds the key at the end. */
static void no_orphaned_keys_over_1000_cycles(void **state)
{
    (void)state;
    close_master_clients(clients, N);
    open_master_clients(clients, masters, N, 2000, 500);
    pottery_fanout set, del;
    pottery__fanout_init(&set, clients, N, QUORUM);
    set.check = check_ok_status;
    pottery__fanout_init(&del, clients, N, QUORUM);
    del.check = check_deleted;
    size_t max_late = 0;
    double slowest = 0;
    for (int cycle = 0; cycle < 1000; cycle++) {
        if (cycle == 300) test_redis_pause(&masters[1]);
        if (cycle == 600) {
            max_late = clients[1]->late;
            test_redis_resume(&masters[1]);
        }
        char value[32];
        snprintf(value, sizeof value, "v%d", cycle);
        double t0 = now_ms();
        assert_ok(fan(&set, "SET", "k", value, "NX", "PX", "10000", (const char *)NULL));
        if (set.yes < QUORUM) {
            char buf[512];
            describe(buf, sizeof buf, &set);
            fail_msg("cycle %d: no quorum: %s", cycle, buf);
        }
        pottery_cmd args;
        build_cmd(&args, "k", value, (const char *)NULL);
        assert_ok(pottery__fanout_eval(&del, &del_if_equal, 1, &args));
        pottery__cmd_free(&args);
        assert_true(del.yes >= QUORUM);
        double took = now_ms() - t0;
        if (took > slowest) slowest = took;
    }
    print_message("1000 cycles: slowest %.1f ms, %zu replies owed by the frozen master\n", slowest, max_late);
    assert_true(max_late >= 2 * 300 - 2); /* the frozen master was never waited for */
    assert_true(slowest < 1000);

    /* Every reply collected, in order: then every master has run every release. */
    pottery_fanout f;
    pottery__fanout_init(&f, clients, N, 0);
    assert_ok(fan(&f, "ECHO", "end", (const char *)NULL));
    for (size_t i = 0; i < N; i++) {
        assert_reply_text(&f, i, "end");
        assert_int_equal(clients[i]->late, 0);
    }
    assert_no_key_anywhere("k");
    pottery__fanout_free(&f);
    pottery__fanout_free(&set);
    pottery__fanout_free(&del);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(all_five_in_one_round_trip_each, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(two_killed_still_decides_and_rejoin, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(frozen_master_times_out_and_its_reply_is_consumed, masters_reset,
                                        masters_close),
        cmocka_unit_test_setup_teardown(one_master_is_waited_for_like_a_client, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(dropped_masters_reconnect_together, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(call_timeout_caps_the_masters, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(early_decision_does_not_wait_for_a_slow_master, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(wrong_replies_are_reported_per_master, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(scripts_use_evalsha_and_survive_noscript, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(bad_input, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(no_orphaned_keys_over_1000_cycles, masters_reset, masters_close),
    };
    return cmocka_run_group_tests(tests, masters_setup, masters_teardown);
}
