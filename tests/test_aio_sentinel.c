/* Event-loop connections opened with a redis+sentinel:// URL, on a real event loop (libevent
 * or libuv: the program takes the adapter's name), against a private master, its replica and
 * three sentinels: the master located without blocking the loop, the sentinel that answered
 * asked first next time, the sentinel password, an unknown master name, sentinels that are
 * dead or silent, a sentinel that names a replica, a connection freed while it locates, and
 * a failover followed by the same handle. */
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

#include "async/async_impl.h"
#include "fake_server.h"
#include "pottery/aioredlock.h"
#include "support/test_fixture.h"

#include "support/aio_run.h"

#define CONNECT_MS 600
#define FAILOVER_WAIT_MS 20000
#define MS 1000000LL /* in now_ns() units */

static int setup(void **state)
{
    (void)state;
    native = kind->create();
    return native && kind->fill(&loop, native) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(kind->destroy(native), 0); /* nothing left on the loop */
    native = NULL;
    return 0;
}

static pottery_async *open_async(const char *url, int64_t connect_timeout_ms)
{
    pottery_client_options opts;
    pottery_client_options_init(&opts);
    opts.connect_timeout_ms = connect_timeout_ms;
    pottery_async *a = NULL;
    assert_ok(pottery_async_open(&a, &loop, url, &opts));
    return a;
}

static void master_endpoint(char *buf, size_t size, const char *name, int port)
{
    snprintf(buf, size, "master %s at 127.0.0.1:%d", name, port);
}

/* ---- one raw command on a connection ---- */

typedef struct answer {
    int calls;
    int code;
    char message[POTTERY_ERROR_MESSAGE_MAX];
    pottery_async *free_me; /* freed by the callback when set */
} answer;

static void on_answer(void *owner, size_t index, int code, pottery_reply *reply)
{
    answer *ans = owner;
    (void)index;
    ans->calls++;
    ans->code = code == 0 ? pottery__reply_status(reply, "PONG", "PING") : code;
    snprintf(ans->message, sizeof ans->message, "%s", ans->code < 0 ? pottery_error_last()->message : "");
    pottery__reply_free(reply);
    pottery_async_free(ans->free_me);
}

static const char ping_resp[] = "*1\r\n$4\r\nPING\r\n";

static void send_ping(answer *ans, pottery_async *a)
{
    memset(ans, 0, sizeof *ans);
    assert_non_null(pottery__async_send(a, ping_resp, sizeof ping_resp - 1, POTTERY_FOREVER, on_answer, ans, 0));
    assert_int_equal(ans->calls, 0); /* never from inside the send */
}

/* PING on a, the loop turned until it is answered. */
static void ping(answer *ans, pottery_async *a)
{
    send_ping(ans, a);
    run_until(&ans->calls, 1, 10000);
}

#define assert_answered(ans)                                                                                           \
    do {                                                                                                               \
        if ((ans).code != 0) fail_msg("%s: %s", pottery_strerror((ans).code), (ans).message);                          \
    } while (0)

/* A lock on the one master a that reports a master's failure (raise_on_redis_errors). */
static pottery_aioredlock *strict_lock(const char *key, pottery_async *a)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.raise_on_redis_errors = 1;
    pottery_aioredlock *lock = NULL;
    assert_ok(pottery_aioredlock_new(&lock, key, &a, 1, &opts));
    return lock;
}

/* How many holders (0 or 1) the server `on` has for the lock on key: a uuid4 at redlock:<key>. */
static int holders_on(const test_redis *on, const char *key)
{
    char name[64];
    snprintf(name, sizeof name, "redlock:%s", key);
    char *v = test_redis_cmdv(on, "GET", name, (const char *)NULL);
    assert_non_null(v);
    int n = strcmp(v, "(nil)") != 0;
    if (n) assert_int_equal(36, (int)strlen(v));
    free(v);
    return n;
}

/* Release lock on key, then free it and its connection a: the key is gone from `on`. */
static void release_and_free(pottery_aioredlock *lock, pottery_async *a, const test_redis *on, const char *key)
{
    outcome o;
    AWAIT(o, pottery_aioredlock_release(lock, on_status, &o));
    assert_ok(o.status);
    assert_int_equal(0, holders_on(on, key));
    pottery_aioredlock_free(lock);
    pottery_async_free(a);
}

static void assert_mentions(const char *message, const char *what)
{
    if (!strstr(message, what)) fail_msg("\"%s\" not in \"%s\"", what, message);
}

/* ---- the master, located ---- */

/* A lock on one sentinel-located master: the locate and the ROLE check cost the operations
 * nothing, the key is on the real master. */
static void lock_on_located_master(void **state)
{
    (void)state;
    char url[256], want[96];
    sentinels_url(url, sizeof url, SENTINEL_MASTER);
    pottery_async *a = open_async(url, 1000);
    assert_string_equal("master " SENTINEL_MASTER " (not located yet)", pottery_async_endpoint(a));
    pottery_aioredlock *lock = NULL;
    assert_ok(pottery_aioredlock_new(&lock, "asentinel", &a, 1, NULL));
    outcome o;
    AWAIT(o, pottery_aioredlock_acquire(lock, 1, POTTERY_FOREVER, on_acquire, &o));
    assert_ok(o.status);
    assert_int_equal(1, o.acquired);
    master_endpoint(want, sizeof want, SENTINEL_MASTER, sentinel_master.port);
    assert_string_equal(want, pottery_async_endpoint(a));
    assert_int_equal(1, holders_on(&sentinel_master, "asentinel"));
    pottery_client_stats st;
    pottery_async_stats_get(&st, a);
    assert_int_equal(1, (int)st.round_trips);
    assert_int_equal(0, (int)st.reconnects);
    release_and_free(lock, a, &sentinel_master, "asentinel");
}

/* A server that says it is a master. */
static const char *fake_master(int argc, char **argv, void *userdata)
{
    (void)userdata;
    if (argc == 1 && strcasecmp(argv[0], "ROLE") == 0) return "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n";
    if (argc == 1 && strcasecmp(argv[0], "PING") == 0) return "+PONG\r\n";
    return "-ERR unexpected\r\n";
}

/* sentinel_password reaches the sentinels as AUTH (the master has none and would refuse
 * it); the sentinel that answered is asked first on the reconnect. */
static void password_and_order(void **state)
{
    (void)state;
    fake_sentinel locked, open;
    fake_server *master = NULL;
    char url[256];
    answer ans;
    assert_int_equal(0, fake_sentinel_start(&locked, sentinel_master.port, "s3cret"));
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/" SENTINEL_MASTER "?sentinel_password=s3cret",
             fake_sentinel_port(&locked));
    pottery_async *a = open_async(url, 1000);
    ping(&ans, a);
    assert_answered(ans);
    pottery_async_free(a);

    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/" SENTINEL_MASTER "?sentinel_password=nope",
             fake_sentinel_port(&locked));
    a = open_async(url, 1000);
    ping(&ans, a);
    assert_int_equal(POTTERY_ECONN, ans.code);
    assert_mentions(ans.message, "WRONGPASS");
    pottery_async_free(a);

    /* Without the password the first refuses (NOAUTH) and the second answers... */
    assert_int_equal(0, fake_server_start(&master, fake_master, NULL));
    fake_sentinel_name(&locked, fake_server_port(master));
    assert_int_equal(0, fake_sentinel_start(&open, fake_server_port(master), NULL));
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d,127.0.0.1:%d/" SENTINEL_MASTER,
             fake_sentinel_port(&locked), fake_sentinel_port(&open));
    int before = fake_server_accepted(locked.server); /* before the open: it starts the search */
    a = open_async(url, 1000);
    ping(&ans, a);
    assert_answered(ans);
    assert_int_equal(before + 1, fake_server_accepted(locked.server));
    assert_int_equal(1, fake_server_accepted(open.server));
    /* ...so after the master dropped the connection, the second is asked alone. */
    fake_server_drop_clients(master);
    run_for(50);
    ping(&ans, a);
    assert_answered(ans);
    assert_int_equal(before + 1, fake_server_accepted(locked.server));
    assert_int_equal(2, fake_server_accepted(open.server));
    assert_int_equal(2, fake_server_accepted(master));
    pottery_client_stats st;
    pottery_async_stats_get(&st, a);
    assert_int_equal(1, (int)st.reconnects);
    pottery_async_free(a);
    fake_server_stop(master);
    fake_sentinel_stop(&locked);
    fake_sentinel_stop(&open);
}

/* ---- no master ---- */

static void unknown_master(void **state)
{
    (void)state;
    char url[256], want[256];
    answer ans;
    sentinels_url(url, sizeof url, "nosuchmaster");
    pottery_async *a = open_async(url, 1000);
    ping(&ans, a);
    assert_int_equal(POTTERY_ECONN, ans.code);
    snprintf(want, sizeof want, "sentinels at 127.0.0.1:%d, 127.0.0.1:%d, 127.0.0.1:%d know no master named \"%s\"",
             sentinels[0].port, sentinels[1].port, sentinels[2].port, "nosuchmaster");
    assert_mentions(ans.message, want);
    assert_string_equal("master nosuchmaster (not located yet)", pottery_async_endpoint(a));

    /* Through a lock, the same reason; then the connection freed from a callback. */
    outcome o;
    pottery_aioredlock *lock = strict_lock("nowhere", a);
    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(POTTERY_EIMPOSSIBLE, o.status);
    assert_mentions(o.message, want);
    pottery_aioredlock_free(lock);
    send_ping(&ans, a);
    ans.free_me = a;
    run_until(&ans.calls, 1, 10000);
    assert_int_equal(POTTERY_ECONN, ans.code);
    run_for(20);
}

/* Sentinels on ports where nothing listens: ECONN at once, each named with its reason. */
static void dead_sentinels(void **state)
{
    (void)state;
    int ports[3] = { test_free_port(), test_free_port(), test_free_port() };
    char url[256], want[64];
    answer ans;
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d/" SENTINEL_MASTER, ports[0],
             ports[1], ports[2]);
    pottery_async *a = open_async(url, CONNECT_MS);
    int64_t t0 = now_ns();
    ping(&ans, a);
    assert_true(now_ns() - t0 < CONNECT_MS * MS);
    assert_int_equal(POTTERY_ECONN, ans.code);
    assert_mentions(ans.message, "locating master \"" SENTINEL_MASTER "\": no sentinel named its address: ");
    for (int i = 0; i < 3; i++) {
        snprintf(want, sizeof want, "127.0.0.1:%d (", ports[i]);
        assert_mentions(ans.message, want);
    }
    pottery_async_free(a);
}

static const char *never_answer(int argc, char **argv, void *userdata)
{
    (void)argc, (void)argv, (void)userdata;
    return NULL;
}

/* Sentinels that never answer (one whose connect hangs, two silent): ETIMEOUT once the
 * connect timeout is spent, each sentinel having had its share, and the loop kept turning
 * all along. */
static void silent_sentinels(void **state)
{
    (void)state;
    full_listener full;
    fake_server *quiet[2] = { NULL, NULL };
    char url[256], want[64];
    answer ans;
    assert_int_equal(0, full_listener_open(&full));
    assert_int_equal(0, fake_server_start(&quiet[0], never_answer, NULL));
    assert_int_equal(0, fake_server_start(&quiet[1], never_answer, NULL));
    int ports[3] = { full.port, fake_server_port(quiet[0]), fake_server_port(quiet[1]) };
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d/" SENTINEL_MASTER, ports[0],
             ports[1], ports[2]);
    ticker tick;
    ticker_start(&tick, 2);
    int64_t t0 = now_ns();
    pottery_async *a = open_async(url, CONNECT_MS);
    ping(&ans, a);
    int64_t took = now_ns() - t0;
    ticker_stop(&tick);
    if (tick.max_gap_ns >= 150 * MS)
        fail_msg("%s: the loop stood still for %lld ms", kind->name, (long long)(tick.max_gap_ns / MS));
    assert_int_equal(POTTERY_ETIMEOUT, ans.code);
    if (took < (CONNECT_MS - 50) * MS || took > (CONNECT_MS + 150) * MS)
        fail_msg("%s: failed after %lld ms, connect timeout %d ms", kind->name, (long long)(took / MS), CONNECT_MS);
    assert_true(tick.ticks > 50);
    for (int i = 0; i < 3; i++) {
        snprintf(want, sizeof want, "127.0.0.1:%d (no answer within ", ports[i]);
        assert_mentions(ans.message, want);
    }
    assert_int_equal(1, fake_server_accepted(quiet[0]));
    assert_int_equal(1, fake_server_accepted(quiet[1]));
    pottery_async_free(a);
    fake_server_stop(quiet[0]);
    fake_server_stop(quiet[1]);
    full_listener_close(&full);
}

/* A sentinel that names a replica: the ROLE check refuses it, and the message (the lock's
 * too) names where the connection looked. */
static void replica_refused(void **state)
{
    (void)state;
    fake_sentinel fake;
    char url[128], want[192];
    answer ans;
    assert_int_equal(0, fake_sentinel_start(&fake, sentinel_replica.port, NULL));
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/" SENTINEL_MASTER, fake_sentinel_port(&fake));
    snprintf(want, sizeof want, "master %s at 127.0.0.1:%d: the server there is a slave, not a master", SENTINEL_MASTER,
             sentinel_replica.port);

    pottery_async *a = open_async(url, 1000);
    ping(&ans, a);
    assert_int_equal(POTTERY_ECONN, ans.code);
    assert_mentions(ans.message, want);
    pottery_async_free(a);

    outcome o;
    a = open_async(url, 1000);
    pottery_aioredlock *lock = strict_lock("replica", a);
    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_int_equal(POTTERY_EIMPOSSIBLE, o.status);
    assert_mentions(o.message, want);
    assert_int_equal(0, holders_on(&sentinel_replica, "replica"));
    pottery_aioredlock_free(lock);
    pottery_async_free(a);
    fake_sentinel_stop(&fake);
}

/* Freed while asking a sentinel: nothing is called, nothing is left on the loop. */
static void free_while_locating(void **state)
{
    (void)state;
    fake_server *quiet = NULL;
    char url[128];
    answer ans;
    assert_int_equal(0, fake_server_start(&quiet, never_answer, NULL));
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/" SENTINEL_MASTER, fake_server_port(quiet));
    pottery_async *a = open_async(url, 5000);
    pottery_async_free(a); /* before the loop ever turned */
    a = open_async(url, 5000);
    send_ping(&ans, a);
    run_for(100);
    assert_true(fake_server_commands(quiet) >= 1); /* the question is on its way */
    pottery_async_free(a);
    run_for(50);
    assert_int_equal(0, ans.calls);
    fake_server_stop(quiet);
}

/* ---- failover ---- */

/* The master is killed: operations fail cleanly until the sentinels promote the replica,
 * then the same handle takes the lock on the new master. */
static void failover(void **state)
{
    (void)state;
    char url[256], want[96];
    sentinels_url(url, sizeof url, SENTINEL_MASTER);
    pottery_async *a = open_async(url, 1000);
    outcome o;
    pottery_aioredlock *lock = strict_lock("failover", a);
    AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
    assert_ok(o.status);
    assert_int_equal(1, o.acquired);
    AWAIT(o, pottery_aioredlock_release(lock, on_status, &o));
    assert_ok(o.status);

    test_redis_kill(&sentinel_master);
    double end = now_ms() + FAILOVER_WAIT_MS;
    int failures = 0;
    for (;;) {
        int64_t t0 = now_ns();
        AWAIT(o, pottery_aioredlock_acquire(lock, 0, POTTERY_FOREVER, on_acquire, &o));
        if (o.status == 0) break;
        assert_int_equal(POTTERY_EIMPOSSIBLE, o.status);
        assert_mentions(o.message, "master " SENTINEL_MASTER);
        assert_true(now_ns() - t0 < 3500 * MS); /* the sentinels' time plus the master's */
        failures++;
        if (now_ms() > end) fail_msg("%s: no failover after %d ms: %s", kind->name, FAILOVER_WAIT_MS, o.message);
        run_for(100);
    }
    assert_true(failures > 0);
    assert_int_equal(1, o.acquired);
    master_endpoint(want, sizeof want, SENTINEL_MASTER, sentinel_replica.port);
    assert_string_equal(want, pottery_async_endpoint(a));
    assert_true(is_master(&sentinel_replica));
    assert_int_equal(1, holders_on(&sentinel_replica, "failover"));
    pottery_client_stats st;
    pottery_async_stats_get(&st, a);
    assert_true(st.reconnects >= 1);
    release_and_free(lock, a, &sentinel_replica, "failover");
}

int main(int argc, char **argv)
{
    if (choose_loop(argc, argv) < 0) return 2;
    signal(SIGPIPE, SIG_DFL); /* the library must never raise it */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lock_on_located_master, setup, teardown),
        cmocka_unit_test_setup_teardown(password_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_master, setup, teardown),
        cmocka_unit_test_setup_teardown(dead_sentinels, setup, teardown),
        cmocka_unit_test_setup_teardown(silent_sentinels, setup, teardown),
        cmocka_unit_test_setup_teardown(replica_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(free_while_locating, setup, teardown),
        cmocka_unit_test_setup_teardown(failover, setup, teardown), /* last: it kills the master */
    };
    return cmocka_run_group_tests_name(kind->name, tests, sentinels_setup, sentinels_teardown);
}
