/* Integration tests of the connection layer: a private redis-server (TCP, unix socket,
 * password/ACL) started by the harness, plus fake servers for faults a real one cannot
 * produce on demand (full accept backlog, silence, forced replies). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include <cmocka.h>

#include "conn/client_impl.h"
#include "conn/conn.h"
#include "conn/sha1.h"
#include "core/error.h"
#include "fake_server.h"
#include "support/test_fixture.h"

/* ---- helpers ---- */

static test_redis srv;     /* plain TCP server, no password */
static test_redis authsrv; /* requirepass + an ACL user */

#define PASSWORD "s3cret"
#define ACL_USER "alice"
#define ACL_PASS "wonder"

#define RAW(s, ...) test_redis_cmdv((s), __VA_ARGS__, (const char *)NULL)
#define RUN(out, c, ...) run_cmd((out), (c), __VA_ARGS__, (const char *)NULL)

/* Build a command from a0 and the NULL-terminated rest, run it and free it. */
static int run_cmdva(pottery_reply **out, pottery_client *c, const char *a0, va_list ap)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    for (const char *a = a0; a; a = va_arg(ap, const char *)) pottery__cmd_cstr(&cmd, a);
    int rc = pottery__exec(out, c, &cmd);
    pottery__cmd_free(&cmd);
    return rc;
}

static int run_cmd(pottery_reply **out, pottery_client *c, const char *a0, ...)
{
    va_list ap;
    va_start(ap, a0);
    int rc = run_cmdva(out, c, a0, ap);
    va_end(ap);
    return rc;
}

#define BUILD(cmd, ...) build_cmd((cmd), __VA_ARGS__, (const char *)NULL)

/* An INTEGER reply's value (the test fails on any other type). */
static long long int_of(const pottery_reply *r)
{
    long long v = 0;
    assert_ok(pottery__reply_int(&v, r, "test"));
    return v;
}

/* The reply as text (string/status/error bytes or integer digits), malloc'd. */
static char *text_of(const pottery_reply *r)
{
    char buf[64];
    size_t len;
    const char *s = pottery__reply_str(r, &len);
    if (!s) {
        if (pottery__reply_type(r) == POTTERY_REPLY_INTEGER)
            snprintf(buf, sizeof buf, "%lld", int_of(r));
        else if (pottery__reply_type(r) == POTTERY_REPLY_NIL)
            snprintf(buf, sizeof buf, "(nil)");
        else
            snprintf(buf, sizeof buf, "(other)");
        s = buf;
        len = strlen(buf);
    }
    char *d = malloc(len + 1);
    assert_non_null(d);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/* Run a command that must succeed and return want (as text_of renders it). */
static void expect_run(pottery_client *c, const char *want, const char *a0, ...)
{
    pottery_reply *r = NULL;
    va_list ap;
    va_start(ap, a0);
    int rc = run_cmdva(&r, c, a0, ap);
    va_end(ap);
    if (rc != 0) fail_msg("%s: rc %d (%s)", a0, rc, pottery_error_last()->message);
    char *t = text_of(r);
    assert_string_equal(want, t);
    free(t);
    pottery__reply_free(r);
}
#define EXPECT(c, want, ...) expect_run((c), (want), __VA_ARGS__, (const char *)NULL)

/* Close every normal client connection of the server (CLIENT KILL skips the caller). */
static void kill_clients(const test_redis *s)
{
    char *n = RAW(s, "CLIENT", "KILL", "TYPE", "normal");
    assert_non_null(n);
    free(n);
}

/* GET key in database db, through the harness' own connection. */
static char *get_in_db(const test_redis *s, int db, const char *key)
{
    char dbtext[16];
    snprintf(dbtext, sizeof dbtext, "%d", db);
    return RAW(s, "EVAL", "redis.call('SELECT', ARGV[1]) return redis.call('GET', KEYS[1])", "1", key, dbtext);
}

static void tcp_url(char *out, size_t n, const test_redis *s, const char *userinfo, int db)
{
    snprintf(out, n, "redis://%s%s127.0.0.1:%d/%d", userinfo ? userinfo : "", userinfo ? "@" : "", s->port, db);
}

static void assert_stats(const pottery_client *c, unsigned rt, unsigned cmds, unsigned reconnects)
{
    pottery_client_stats st = stats_of(c);
    if (st.round_trips != rt || st.commands != cmds || st.reconnects != reconnects)
        fail_msg("stats: round_trips %llu (want %u), commands %llu (want %u), reconnects %llu (want %u)",
                 (unsigned long long)st.round_trips, rt, (unsigned long long)st.commands, cmds,
                 (unsigned long long)st.reconnects, reconnects);
}

static int ieq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* ---- fake server behaviours ---- */

static const char *reply_never(int argc, char **argv, void *ud)
{
    (void)argc;
    (void)argv;
    (void)ud;
    return NULL;
}

static const char *reply_ping_only(int argc, char **argv, void *ud)
{
    (void)argc;
    (void)ud;
    return ieq(argv[0], "PING") ? "+PONG\r\n" : NULL;
}

static const char *reply_exists_always(int argc, char **argv, void *ud)
{
    (void)argc;
    (void)ud;
    if (ieq(argv[0], "PING")) return "+PONG\r\n";
    if (ieq(argv[0], "EXISTS")) return ":1\r\n";
    return "-ERR unexpected\r\n";
}

static const char *reply_scan(int argc, char **argv, void *ud)
{
    (void)ud;
    if (ieq(argv[0], "PING")) return "+PONG\r\n";
    if (ieq(argv[0], "SCAN") && argc >= 2) {
        /* two empty batches with non-zero cursors, then the items and cursor 0 */
        if (strcmp(argv[1], "0") == 0) return "*2\r\n$2\r\n17\r\n*0\r\n";
        if (strcmp(argv[1], "17") == 0) return "*2\r\n$2\r\n42\r\n*0\r\n";
        if (strcmp(argv[1], "42") == 0) return "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$2\r\nbc\r\n";
    }
    if (ieq(argv[0], "SSCAN")) return "*1\r\n:5\r\n";             /* malformed */
    if (ieq(argv[0], "HSCAN")) return "*2\r\n$2\r\n1x\r\n*0\r\n"; /* bad cursor */
    return "-ERR unexpected\r\n";
}

/* SCAN: a non-zero cursor with an empty batch, forever. */
static const char *reply_scan_forever(int argc, char **argv, void *ud)
{
    (void)argc;
    (void)ud;
    if (ieq(argv[0], "PING")) return "+PONG\r\n";
    return "*2\r\n$1\r\n7\r\n*0\r\n";
}

/* MULTI and the queued command answer as Redis does, EXEC with nil. */
static const char *reply_exec_nil(int argc, char **argv, void *ud)
{
    (void)argc;
    (void)ud;
    if (ieq(argv[0], "PING")) return "+PONG\r\n";
    if (ieq(argv[0], "MULTI") || ieq(argv[0], "WATCH")) return "+OK\r\n";
    if (ieq(argv[0], "EXEC")) return "*-1\r\n";
    return "+QUEUED\r\n";
}

/* ======================= no real server needed ======================= */

/* A fake server answering with fn, and its URL in url. */
static fake_server *start_fake(char url[64], fake_reply_fn fn)
{
    fake_server *fs = NULL;
    assert_int_equal(0, fake_server_start(&fs, fn, NULL));
    snprintf(url, 64, "redis://127.0.0.1:%d", fake_server_port(fs));
    return fs;
}

static void test_cmd_builder(void **state)
{
    (void)state;
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    char borrowed[] = "borrowed";
    assert_ok(pottery__cmd_cstr(&cmd, "SET"));
    assert_ok(pottery__cmd_arg(&cmd, borrowed, 3));
    assert_ok(pottery__cmd_copy(&cmd, "co\0py", 5));
    assert_ok(pottery__cmd_int(&cmd, -9223372036854775807LL - 1));
    assert_ok(pottery__cmd_arg(&cmd, NULL, 0));                        /* empty argument */
    for (int i = 0; i < 40; i++) assert_ok(pottery__cmd_int(&cmd, i)); /* grows past inline */
    assert_int_equal(45, (int)cmd.argc);
    assert_true(cmd.cap >= 45);
    assert_int_equal(3, (int)cmd.args[1].len);
    assert_ptr_equal(borrowed, cmd.args[1].ptr);
    assert_null(cmd.args[2].ptr);
    assert_memory_equal("co\0py", cmd.arena.data + cmd.args[2].off, 5);
    assert_null(cmd.args[3].ptr);
    assert_memory_equal("-9223372036854775808", cmd.arena.data + cmd.args[3].off, 20);
    assert_int_equal(0, (int)cmd.args[4].len);
    assert_memory_equal("39", cmd.arena.data + cmd.args[44].off, 2);
    pottery__cmd_reset(&cmd);
    assert_int_equal(0, (int)cmd.argc);
    assert_int_equal(0, cmd.err);
    pottery__cmd_free(&cmd);
    pottery__cmd_free(&cmd); /* safe twice */

    /* Errors are sticky: later pushes report the first one. */
    pottery__cmd_init(&cmd);
    assert_code(POTTERY_EINVAL, pottery__cmd_cstr(&cmd, NULL));
    assert_int_equal(POTTERY_EINVAL, cmd.err);
    assert_code(POTTERY_EINVAL, pottery__cmd_cstr(&cmd, "x"));
    assert_code(POTTERY_EINVAL, pottery__cmd_arg(&cmd, NULL, 3));
    assert_code(POTTERY_EINVAL, pottery__cmd_copy(&cmd, NULL, 3));
    assert_int_equal(0, (int)cmd.argc);
    pottery__cmd_reset(&cmd);
    assert_int_equal(0, cmd.err);
    pottery__cmd_free(&cmd);

    /* A zero-initialised command works too, and one moved by value keeps its arguments. */
    pottery_cmd zero;
    memset(&zero, 0, sizeof zero);
    assert_ok(pottery__cmd_cstr(&zero, "PING"));
    pottery_cmd moved = zero;
    assert_ok(pottery__cmd_cstr(&moved, "x"));
    assert_int_equal(2, (int)moved.argc);
    pottery__cmd_free(&moved);

    assert_code(POTTERY_EINVAL, pottery__cmd_cstr(NULL, "x"));
    assert_code(POTTERY_EINVAL, pottery__cmd_int(NULL, 1));
    assert_code(POTTERY_EINVAL, pottery__cmd_arg(NULL, "x", 1));
    assert_code(POTTERY_EINVAL, pottery__cmd_copy(NULL, "x", 1));
    pottery__cmd_init(NULL);
    pottery__cmd_reset(NULL);
    pottery__cmd_free(NULL);
}

static int noop_body(pottery_client *c, void *ctx, pottery_txn *t)
{
    (void)c;
    (void)ctx;
    (void)t;
    return 0;
}

static void test_null_arguments(void **state)
{
    (void)state;
    pottery_client *c = (pottery_client *)1; /* must be overwritten */
    pottery_reply *r = (pottery_reply *)1;
    pottery_cmd cmd;
    pottery_script script = { "s", "return 1" };
    pottery_scan scan;
    char key[POTTERY_RANDOM_KEY_SIZE];
    pottery_client_stats st = { 1, 2, 3 };

    assert_code(POTTERY_EINVAL, pottery_client_open(NULL, "redis://127.0.0.1:1", NULL));
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, "nonsense://", NULL));
    assert_null(c);
    pottery_client_free(NULL);
    assert_code(POTTERY_EINVAL, pottery_client_ping(NULL));
    pottery_client_stats_get(&st, NULL);
    assert_int_equal(0, (int)(st.round_trips + st.commands + st.reconnects));
    pottery_client_stats_get(NULL, NULL);
    pottery_client_stats_reset(NULL);

    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "PING");
    assert_code(POTTERY_EINVAL, pottery__exec(&r, NULL, &cmd));
    assert_null(r);
    assert_code(POTTERY_EINVAL, pottery__exec(NULL, NULL, NULL));
    assert_code(POTTERY_EINVAL, pottery__exec_pipeline(NULL, NULL, &cmd, 1));
    assert_code(POTTERY_EINVAL, pottery__exec_multi(NULL, NULL, &cmd, 1));
    assert_code(POTTERY_EINVAL, pottery__send(NULL, &cmd));
    assert_code(POTTERY_EINVAL, pottery__recv(NULL, NULL));
    assert_code(POTTERY_EINVAL, pottery__watch(NULL, NULL, NULL, NULL, 0, 1, noop_body, NULL));
    assert_code(POTTERY_EINVAL, pottery__eval(NULL, NULL, &script, 0, &cmd));
    assert_code(POTTERY_EINVAL, pottery__scan_init(&scan, NULL, "SCAN", NULL, 0, 0));
    pottery__scan_free(&scan);
    assert_code(POTTERY_EINVAL, pottery__scan_init(NULL, NULL, "SCAN", NULL, 0, 0));
    assert_code(POTTERY_EINVAL, pottery__scan_next(NULL, NULL, NULL));
    pottery__scan_free(NULL);
    assert_code(POTTERY_EINVAL, pottery__random_key(key, NULL));
    assert_code(POTTERY_EINVAL, pottery__random_key(NULL, NULL));
    pottery__unlink_if_temporary(NULL, "pottery:x");
    assert_int_equal(0, pottery__client_same_server(NULL, NULL));
    pottery__cmd_free(&cmd);

    /* Reply accessors tolerate NULL. */
    size_t len = 7;
    assert_int_equal(POTTERY_REPLY_OTHER, pottery__reply_type(NULL));
    assert_null(pottery__reply_str(NULL, &len));
    assert_int_equal(0, (int)len);
    long long v = 7;
    assert_code(POTTERY_EPROTOCOL, pottery__reply_int(&v, NULL, "test"));
    assert_int_equal(7, (int)v);
    assert_int_equal(0, (int)pottery__reply_count(NULL));
    assert_null(pottery__reply_at(NULL, 0));
    assert_ok(pottery__reply_check(NULL));
    pottery__reply_free(NULL);
}

static void test_bad_options(void **state)
{
    (void)state;
    pottery_client *c = NULL;
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.connect_timeout_ms = -2;
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, "redis://127.0.0.1:1", &o));
    pottery_client_options_init(&o);
    o.command_timeout_ms = 0; /* "do not wait" means nothing for a connection */
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, "redis://127.0.0.1:1", &o));
    pottery_client_options_init(&o);
    o.version = 0; /* not initialised */
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, "redis://127.0.0.1:1", &o));
    assert_message_contains("not initialised");
    o.version = POTTERY_CLIENT_OPTIONS_VERSION + 1; /* from a newer header */
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, "redis://127.0.0.1:1", &o));
    pottery_client_options_init(&o);
    o.command_timeout_ms = -5;
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, "redis://127.0.0.1:1", &o));
    pottery_client_options_init(&o);
    o.db = -2;
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, "redis://127.0.0.1:1", &o));
    assert_null(c);
    /* A malformed URL fails before any connection attempt, without quoting the password. */
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, "redis://:hunter2@host:99999", NULL));
    assert_null(strstr(pottery_error_last()->message, "hunter2"));
}

static void test_unreachable_port(void **state)
{
    (void)state;
    char url[64];
    pottery_client *c = NULL;
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", test_free_port());
    double t0 = now_ms();
    assert_code(POTTERY_ECONN, pottery_client_open(&c, url, NULL));
    assert_true(now_ms() - t0 < 1000);
    assert_null(c);
    assert_int_equal(POTTERY_ECONN, pottery_error_last()->code);
    assert_message_contains("127.0.0.1");
}

static void test_connect_timeout(void **state)
{
    (void)state;
    full_listener l;
    assert_int_equal(0, full_listener_open(&l));
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", l.port);
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.connect_timeout_ms = 300;
    pottery_client *c = NULL;
    double t0 = now_ms();
    int rc = pottery_client_open(&c, url, &o);
    double elapsed = now_ms() - t0;
    full_listener_close(&l);
    if (rc != POTTERY_ETIMEOUT) fail_msg("rc %d (%s)", rc, pottery_error_last()->message);
    assert_null(c);
    assert_true(elapsed >= 250);
    assert_true(elapsed < 3 * 300);
    assert_message_contains("timed out");
}

static void test_silent_server_open_times_out(void **state)
{
    (void)state;
    char url[64];
    fake_server *fs = start_fake(url, reply_never);
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.connect_timeout_ms = 300;
    o.command_timeout_ms = 5000; /* the handshake obeys the connect timeout */
    pottery_client *c = NULL;
    double t0 = now_ms();
    int rc = pottery_client_open(&c, url, &o);
    double elapsed = now_ms() - t0;
    fake_server_stop(fs);
    assert_int_equal(POTTERY_ETIMEOUT, rc);
    assert_null(c);
    assert_true(elapsed < 3 * 300);
}

static void test_command_timeout_then_reconnect(void **state)
{
    (void)state;
    char url[64];
    fake_server *fs = start_fake(url, reply_ping_only);
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.command_timeout_ms = 300;
    pottery_client *c = open_client(url, &o);
    assert_stats(c, 0, 0, 0); /* the handshake is not counted */

    pottery_reply *r = (pottery_reply *)1;
    double t0 = now_ms();
    assert_code(POTTERY_ETIMEOUT, RUN(&r, c, "GET", "k"));
    double elapsed = now_ms() - t0;
    assert_null(r);
    assert_true(elapsed >= 250 && elapsed < 3 * 300);
    assert_int_equal(POTTERY_ETIMEOUT, pottery_error_last()->code);
    assert_int_equal(1, fake_server_accepted(fs));

    assert_ok(pottery_client_ping(c)); /* reconnects first */
    assert_int_equal(2, fake_server_accepted(fs));
    assert_stats(c, 2, 2, 1);
    pottery_client_free(c);
    fake_server_stop(fs);
}

static void test_dropped_by_fake_server(void **state)
{
    (void)state;
    char url[64];
    fake_server *fs = start_fake(url, reply_ping_only);
    pottery_client *c = open_client(url, NULL);
    assert_ok(pottery_client_ping(c));
    fake_server_drop_clients(fs);
    assert_code(POTTERY_ECONN, pottery_client_ping(c));
    int commands = fake_server_commands(fs);
    assert_ok(pottery_client_ping(c));
    /* handshake PING + this PING; the failed PING was not re-sent */
    assert_int_equal(commands + 2, fake_server_commands(fs));
    assert_int_equal(2, fake_server_accepted(fs));
    assert_int_equal(1, (int)stats_of(c).reconnects);
    pottery_client_free(c);
    fake_server_stop(fs);
}

static void test_random_key_collisions(void **state)
{
    (void)state;
    char url[64];
    fake_server *fs = start_fake(url, reply_exists_always);
    pottery_client *c = open_client(url, NULL);
    char key[POTTERY_RANDOM_KEY_SIZE];
    assert_code(POTTERY_ERANDOMKEY, pottery__random_key(key, c));
    assert_int_equal(POTTERY_ERANDOMKEY, pottery_error_last()->code);
    assert_stats(c, 3, 3, 0); /* three candidates, one EXISTS each */
    pottery_client_free(c);
    fake_server_stop(fs);
}

static void test_scan_empty_batches(void **state)
{
    (void)state;
    char url[64];
    fake_server *fs = start_fake(url, reply_scan);
    pottery_client *c = open_client(url, NULL);

    pottery_scan s;
    const char *item;
    size_t len;
    assert_ok(pottery__scan_init(&s, c, "SCAN", NULL, 0, 0));
    assert_ok(pottery__scan_next(&s, &item, &len));
    assert_int_equal(1, (int)len);
    assert_memory_equal("a", item, 1);
    assert_ok(pottery__scan_next(&s, &item, &len));
    assert_int_equal(2, (int)len);
    assert_memory_equal("bc", item, 2);
    assert_code(POTTERY_EITEROVER, pottery__scan_next(&s, &item, &len));
    assert_code(POTTERY_EITEROVER, pottery__scan_next(&s, &item, &len)); /* stays over */
    pottery__scan_free(&s);
    assert_stats(c, 3, 3, 0);

    assert_ok(pottery__scan_init(&s, c, "SSCAN", "k", 1, 10));
    assert_code(POTTERY_EPROTOCOL, pottery__scan_next(&s, &item, &len));
    pottery__scan_free(&s);
    assert_ok(pottery__scan_init(&s, c, "HSCAN", "k", 1, 10));
    assert_code(POTTERY_EPROTOCOL, pottery__scan_next(&s, &item, &len));
    pottery__scan_free(&s);

    assert_code(POTTERY_EINVAL, pottery__scan_init(&s, c, "KEYS", NULL, 0, 0));
    assert_code(POTTERY_EINVAL, pottery__scan_init(&s, c, "HSCAN", NULL, 0, 0));
    assert_code(POTTERY_EINVAL, pottery__scan_init(&s, c, "SCAN", NULL, 0, -1));
    pottery__scan_free(&s);
    pottery_client_free(c);
    fake_server_stop(fs);
}

/* Without a timeout the deadline cannot stop a SCAN that never ends, so the number of empty
 * batches in a row is bounded too. */
static void test_scan_endless_without_timeout(void **state)
{
    (void)state;
    char url[64];
    fake_server *fs = start_fake(url, reply_scan_forever);
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.command_timeout_ms = POTTERY_FOREVER;
    pottery_client *c = open_client(url, &o);
    pottery_scan s;
    const char *item;
    assert_ok(pottery__scan_init(&s, c, "SSCAN", "k", 1, 0));
    assert_code(POTTERY_EPROTOCOL, pottery__scan_next(&s, &item, NULL));
    assert_message_contains("empty");
    pottery__scan_free(&s);
    pottery_client_stats st;
    pottery_client_stats_get(&st, c);
    assert_true(st.round_trips >= 1000);
    pottery_client_free(c);
    fake_server_stop(fs);
}

/* Commands reach the server when they are flushed, before anything is read: what a
 * fan-out over several servers needs (write to every one, then read). */
static void test_flush_sends_before_reading(void **state)
{
    (void)state;
    char url[64];
    fake_server *fs = start_fake(url, reply_ping_only);
    pottery_client *c = open_client(url, NULL);
    int before = fake_server_commands(fs);
    static const char *const ping[1] = { "PING" };
    static const size_t len[1] = { 4 };
    assert_ok(pottery__conn_append(c, 1, ping, len, NULL));
    assert_ok(pottery__conn_append(c, 1, ping, len, NULL));
    assert_ok(pottery__conn_flush(c));
    for (int i = 0; i < 200 && fake_server_commands(fs) < before + 2; i++) usleep(5000);
    assert_int_equal(before + 2, fake_server_commands(fs)); /* both arrived, none read yet */
    assert_int_equal(2, (int)c->pending);
    assert_ok(pottery__conn_read_n(c, NULL, 2));
    pottery_client_free(c);
    fake_server_stop(fs);
}

/* Only a WATCH lets a real server answer EXEC with nil: after one it is a conflict, without
 * one a protocol error. */
static void test_nil_exec(void **state)
{
    (void)state;
    char url[64];
    fake_server *fs = start_fake(url, reply_exec_nil);
    pottery_client *c = open_client(url, NULL);
    pottery_cmd cmd;
    BUILD(&cmd, "SET", "k", "v");
    assert_code(POTTERY_EPROTOCOL, pottery__exec_multi(NULL, c, &cmd, 1));
    assert_message_contains("EXEC");
    assert_ok(RUN(NULL, c, "WATCH", "k"));
    assert_code(POTTERY_ECONFLICT, pottery__exec_multi(NULL, c, &cmd, 1));
    assert_code(POTTERY_EPROTOCOL, pottery__exec_multi(NULL, c, &cmd, 1)); /* EXEC ended the WATCH */
    pottery__cmd_free(&cmd);
    pottery_client_free(c);
    fake_server_stop(fs);
}

/* ======================= main TCP server ======================= */

static int setup_srv(void **state)
{
    (void)state;
    return test_redis_start(&srv, NULL) == 0 ? 0 : -1;
}

static int teardown_srv(void **state)
{
    (void)state;
    test_redis_stop(&srv);
    return 0;
}

static void test_connect_tcp(void **state)
{
    (void)state;
    pottery_client *c = open_client(srv.url, NULL);
    assert_stats(c, 0, 0, 0);
    assert_ok(pottery_client_ping(c));
    assert_stats(c, 1, 1, 0);
    EXPECT(c, "OK", "SET", "tcp:key", "v");
    EXPECT(c, "v", "GET", "tcp:key");
    EXPECT(c, "(nil)", "GET", "tcp:missing");
    EXPECT(c, "1", "DEL", "tcp:key");
    assert_stats(c, 5, 5, 0);
    pottery_client_stats_reset(c);
    assert_stats(c, 0, 0, 0);
    pottery_client_free(c);
}

static void test_connect_unix_socket(void **state)
{
    (void)state;
    test_redis us;
    test_redis_options uo = TEST_REDIS_OPTIONS_INIT;
    uo.use_unix_socket = 1;
    assert_int_equal(0, test_redis_start(&us, &uo));
    pottery_client *c = open_client(us.url, NULL);
    EXPECT(c, "OK", "SET", "unix:key", "v0");
    pottery_client_free(c);

    char url[400];
    snprintf(url, sizeof url, "unix://%s?db=2", us.socket_path);
    c = open_client(url, NULL);
    EXPECT(c, "OK", "SET", "unix:key", "v2");
    pottery_client *c0 = open_client(us.url, NULL);
    assert_int_equal(0, pottery__client_same_server(c, c0)); /* other db */
    pottery_client_free(c0);
    pottery_client_free(c);
    assert_raw("v0", get_in_db(&us, 0, "unix:key"));
    assert_raw("v2", get_in_db(&us, 2, "unix:key"));
    test_redis_stop(&us);
}

static void test_db_selection(void **state)
{
    (void)state;
    char url[128];
    tcp_url(url, sizeof url, &srv, NULL, 3);
    pottery_client *c = open_client(url, NULL);
    EXPECT(c, "OK", "SET", "db:key", "in3");
    pottery_client_free(c);
    assert_raw("in3", get_in_db(&srv, 3, "db:key"));
    assert_raw("(nil)", get_in_db(&srv, 0, "db:key"));

    /* options override the URL's db */
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.db = 5;
    c = open_client(url, &o);
    EXPECT(c, "OK", "SET", "db:key", "in5");
    pottery_client_free(c);
    assert_raw("in5", get_in_db(&srv, 5, "db:key"));
    assert_raw("in3", get_in_db(&srv, 3, "db:key"));

    /* a db the server does not have */
    tcp_url(url, sizeof url, &srv, NULL, 99);
    c = NULL;
    assert_code(POTTERY_EREDIS, pottery_client_open(&c, url, NULL));
    assert_null(c);
    assert_message_contains("SELECT 99");
    assert_message_contains("ERR");
}

static void test_redis_url_env(void **state)
{
    (void)state;
    char url[128];
    tcp_url(url, sizeof url, &srv, NULL, 4);
    setenv("REDIS_URL", url, 1);
    pottery_client *c = NULL;
    int rc = pottery_client_open(&c, NULL, NULL);
    unsetenv("REDIS_URL");
    if (rc != 0) fail_msg("rc %d (%s)", rc, pottery_error_last()->message);
    EXPECT(c, "OK", "SET", "env:key", "from-env");
    pottery_client_free(c);
    assert_raw("from-env", get_in_db(&srv, 4, "env:key"));
}

static void test_wrongtype_passes_through(void **state)
{
    (void)state;
    pottery_client *c = open_client(srv.url, NULL);
    EXPECT(c, "OK", "SET", "wt:key", "x");
    pottery_reply *r = (pottery_reply *)1;
    assert_code(POTTERY_EREDIS, RUN(&r, c, "HGET", "wt:key", "f"));
    assert_null(r);
    assert_int_equal(POTTERY_EREDIS, pottery_error_last()->code);
    assert_string_equal("WRONGTYPE Operation against a key holding the wrong kind of value",
                        pottery_error_last()->message);
    assert_code(POTTERY_EREDIS, RUN(NULL, c, "NOSUCHCOMMAND"));
    assert_message_contains("ERR unknown command");
    /* the connection is still fine */
    assert_ok(pottery_client_ping(c));
    assert_int_equal(0, (int)stats_of(c).reconnects);

    /* an empty command or one that failed to build is refused before sending */
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery_client_stats_reset(c);
    assert_code(POTTERY_EINVAL, pottery__exec(NULL, c, &cmd));
    pottery__cmd_cstr(&cmd, NULL);
    assert_code(POTTERY_EINVAL, pottery__exec(NULL, c, &cmd));
    assert_stats(c, 0, 0, 0);
    pottery__cmd_free(&cmd);
    pottery_client_free(c);
}

static void test_values(void **state)
{
    (void)state;
    pottery_client *c = open_client(srv.url, NULL);
    pottery_cmd cmd;
    pottery_value k = pottery_str("jack"), v = pottery_int(4098);
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "SET");
    assert_ok(pottery__cmd_value(&cmd, &k));
    assert_ok(pottery__cmd_value(&cmd, &v));
    assert_ok(pottery__exec(NULL, c, &cmd));
    assert_raw("4098", RAW(&srv, "GET", "\"jack\""));

    pottery_reply *r = NULL;
    pottery__cmd_reset(&cmd);
    pottery__cmd_cstr(&cmd, "GET");
    pottery__cmd_value(&cmd, &k);
    assert_ok(pottery__exec(&r, c, &cmd));
    pottery_value out = POTTERY_VALUE_INIT;
    assert_ok(pottery__reply_decode(&out, r));
    assert_value_int(&out, 4098);
    pottery_value_dispose(&out);
    pottery__reply_free(r);

    /* not JSON / not a string */
    assert_raw("OK", RAW(&srv, "SET", "vals:junk", "{nope"));
    pottery__cmd_reset(&cmd);
    pottery__cmd_cstr(&cmd, "GET");
    pottery__cmd_cstr(&cmd, "vals:junk");
    assert_ok(pottery__exec(&r, c, &cmd));
    assert_code(POTTERY_EDECODE, pottery__reply_decode(&out, r));
    pottery__reply_free(r);
    pottery__cmd_reset(&cmd);
    pottery__cmd_cstr(&cmd, "EXISTS");
    pottery__cmd_cstr(&cmd, "vals:junk");
    assert_ok(pottery__exec(&r, c, &cmd));
    assert_code(POTTERY_EPROTOCOL, pottery__reply_decode(&out, r));
    assert_code(POTTERY_EINVAL, pottery__reply_decode(NULL, r));
    pottery__reply_free(r);

    /* a value that cannot be encoded: sticky error, nothing sent, arena left clean */
    pottery__cmd_reset(&cmd);
    pottery__cmd_cstr(&cmd, "SET");
    pottery__cmd_cstr(&cmd, "vals:bad");
    pottery_value bad = pottery_strn("\xff\xfe", 2);
    assert_code(POTTERY_ETYPE, pottery__cmd_value(&cmd, &bad));
    assert_code(POTTERY_ETYPE, pottery__cmd_value(&cmd, &v));
    assert_code(POTTERY_ETYPE, pottery__cmd_value(&cmd, NULL)); /* the first error sticks */
    assert_int_equal(2, (int)cmd.argc);
    pottery_client_stats_reset(c);
    assert_code(POTTERY_ETYPE, pottery__exec(NULL, c, &cmd));
    assert_stats(c, 0, 0, 0);
    pottery__cmd_reset(&cmd);
    assert_code(POTTERY_EINVAL, pottery__cmd_value(&cmd, NULL));
    assert_code(POTTERY_EINVAL, pottery__cmd_value(NULL, &v));
    pottery__cmd_free(&cmd);
    pottery_client_free(c);
}

static void test_pipeline(void **state)
{
    (void)state;
    enum { N = 100 };
    pottery_client *c = open_client(srv.url, NULL);
    pottery_cmd cmds[N];
    pottery_reply *outs[N];
    for (int i = 0; i < N; i++) {
        char k[32], v[32];
        snprintf(k, sizeof k, "pl:%d", i);
        snprintf(v, sizeof v, "%d", i * 7);
        BUILD(&cmds[i], "SET", k, v);
    }
    assert_ok(pottery__exec_pipeline(outs, c, cmds, N));
    assert_stats(c, 1, N, 0);
    for (int i = 0; i < N; i++) {
        char *t = text_of(outs[i]);
        assert_string_equal("OK", t);
        free(t);
        pottery__reply_free(outs[i]);
        pottery__cmd_free(&cmds[i]);
    }
    assert_raw("294", RAW(&srv, "GET", "pl:42"));

    /* an error reply inside a pipeline is a reply like the others */
    BUILD(&cmds[0], "SET", "pl:s", "1");
    BUILD(&cmds[1], "HGET", "pl:s", "f");
    BUILD(&cmds[2], "GET", "pl:s");
    pottery_client_stats_reset(c);
    assert_ok(pottery__exec_pipeline(outs, c, cmds, 3));
    assert_ok(pottery__reply_check(outs[0]));
    assert_code(POTTERY_EREDIS, pottery__reply_check(outs[1]));
    assert_message_contains("WRONGTYPE");
    assert_int_equal(POTTERY_REPLY_STRING, pottery__reply_type(outs[2]));
    for (int i = 0; i < 3; i++) pottery__reply_free(outs[i]);
    /* discarding the replies reports the error */
    assert_code(POTTERY_EREDIS, pottery__exec_pipeline(NULL, c, cmds, 3));
    assert_message_contains("WRONGTYPE");
    assert_stats(c, 2, 6, 0);

    /* a command that failed to build: nothing is sent */
    pottery__cmd_cstr(&cmds[2], NULL);
    pottery_client_stats_reset(c);
    outs[0] = (pottery_reply *)1;
    assert_code(POTTERY_EINVAL, pottery__exec_pipeline(outs, c, cmds, 3));
    assert_null(outs[0]);
    assert_stats(c, 0, 0, 0);
    assert_ok(pottery__exec_pipeline(NULL, c, NULL, 0));
    assert_stats(c, 0, 0, 0);
    for (int i = 0; i < 3; i++) pottery__cmd_free(&cmds[i]);
    pottery_client_free(c);
}

static void test_exec_multi(void **state)
{
    (void)state;
    pottery_client *c = open_client(srv.url, NULL);
    pottery_cmd cmds[3];
    pottery_reply *r = NULL;
    BUILD(&cmds[0], "SET", "mx:a", "1");
    BUILD(&cmds[1], "INCR", "mx:a");
    BUILD(&cmds[2], "GET", "mx:a");
    assert_ok(pottery__exec_multi(&r, c, cmds, 3));
    assert_stats(c, 1, 5, 0); /* MULTI + 3 + EXEC, one round trip */
    assert_int_equal(POTTERY_REPLY_ARRAY, pottery__reply_type(r));
    assert_int_equal(3, (int)pottery__reply_count(r));
    assert_int_equal(2, (int)int_of(pottery__reply_at(r, 1)));
    char *t = text_of(pottery__reply_at(r, 2));
    assert_string_equal("2", t);
    free(t);
    assert_null(pottery__reply_at(r, 3));
    pottery__reply_free(r);
    for (int i = 0; i < 3; i++) pottery__cmd_free(&cmds[i]);

    /* a command rejected when queued: EXECABORT, nothing runs */
    BUILD(&cmds[0], "SET", "mx:a", "100");
    BUILD(&cmds[1], "SET", "mx:a"); /* wrong arity */
    r = (pottery_reply *)1;
    assert_code(POTTERY_EREDIS, pottery__exec_multi(&r, c, cmds, 2));
    assert_null(r);
    assert_message_contains("wrong number of arguments");
    assert_raw("2", RAW(&srv, "GET", "mx:a"));
    assert_ok(pottery_client_ping(c)); /* still in step */
    for (int i = 0; i < 2; i++) pottery__cmd_free(&cmds[i]);

    /* a command failing while EXEC runs fails the call (the others still ran) */
    BUILD(&cmds[0], "SET", "mx:s", "x");
    BUILD(&cmds[1], "HSET", "mx:s", "f", "v");
    BUILD(&cmds[2], "SET", "mx:t", "y");
    r = (pottery_reply *)1;
    assert_code(POTTERY_EREDIS, pottery__exec_multi(&r, c, cmds, 3));
    assert_null(r);
    assert_string_equal("WRONGTYPE Operation against a key holding the wrong kind of value",
                        pottery_error_last()->message);
    assert_raw("y", RAW(&srv, "GET", "mx:t"));
    assert_code(POTTERY_EREDIS, pottery__exec_multi(NULL, c, cmds, 3));
    assert_string_equal("WRONGTYPE Operation against a key holding the wrong kind of value",
                        pottery_error_last()->message);
    assert_raw("y", RAW(&srv, "GET", "mx:t"));
    for (int i = 0; i < 3; i++) pottery__cmd_free(&cmds[i]);

    /* empty transaction */
    assert_ok(pottery__exec_multi(&r, c, NULL, 0));
    assert_int_equal(0, (int)pottery__reply_count(r));
    pottery__reply_free(r);
    pottery_client_free(c);
}

typedef struct incr_ctx {
    pottery_client *other; /* makes concurrent changes */
    const char *key;
    int calls;
    int conflicts; /* change the key concurrently on the first `conflicts` calls */
    int fail_with; /* return this from the body (0 = commit) */
    int no_write;
} incr_ctx;

static int incr_body(pottery_client *c, void *vctx, pottery_txn *t)
{
    incr_ctx *x = vctx;
    pottery_reply *r = NULL;
    x->calls++;
    int rc = RUN(&r, c, "GET", x->key);
    if (rc < 0) return rc;
    long long v = pottery__reply_type(r) == POTTERY_REPLY_STRING ? atoll(pottery__reply_str(r, NULL)) : 0;
    pottery__reply_free(r);
    if (x->calls <= x->conflicts) {
        rc = RUN(NULL, x->other, "INCR", x->key);
        assert_int_equal(0, rc);
    }
    if (x->fail_with) return pottery__error(x->fail_with, "the body gave up");
    if (x->no_write) return 0;
    pottery_cmd *first = pottery__txn_add(t);
    pottery_cmd *second = pottery__txn_add(t); /* pointers stay valid across adds */
    for (int i = 0; i < 10; i++) assert_non_null(pottery__txn_add(t));
    pottery__cmd_cstr(first, "SET");
    pottery__cmd_cstr(first, x->key);
    pottery__cmd_int(first, v + 1);
    pottery__cmd_cstr(second, "PING");
    for (size_t i = 2; i < t->count; i++) pottery__cmd_cstr(t->cmds[i], "PING");
    return 0;
}

static void test_watch_commit(void **state)
{
    (void)state;
    pottery_client *c = open_client(srv.url, NULL);
    const char *keys[1] = { "w:counter" };
    incr_ctx x = { NULL, "w:counter", 0, 0, 0, 0 };
    pottery_reply *r = NULL;
    assert_ok(pottery__watch(&r, c, keys, NULL, 1, 3, incr_body, &x));
    assert_int_equal(1, x.calls);
    assert_int_equal(12, (int)pottery__reply_count(r));
    pottery__reply_free(r);
    /* WATCH, GET, then MULTI + 12 writes + EXEC */
    assert_stats(c, 3, 1 + 1 + 14, 0);
    assert_raw("1", RAW(&srv, "GET", "w:counter"));
    assert_ok(pottery__watch(NULL, c, keys, NULL, 1, 3, incr_body, &x));
    assert_raw("2", RAW(&srv, "GET", "w:counter"));
    assert_code(POTTERY_EINVAL, pottery__watch(NULL, c, keys, NULL, 1, 0, incr_body, &x));
    pottery_client_free(c);
}

static void test_watch_conflicts(void **state)
{
    (void)state;
    pottery_client *c = open_client(srv.url, NULL);
    pottery_client *other = open_client(srv.url, NULL);
    const size_t lens[1] = { 6 };
    const char *keys[1] = { "w:race" };

    /* A concurrent change every time: bounded retries, then ECONFLICT. */
    incr_ctx x = { other, "w:race", 0, 1000, 0, 0 };
    pottery_reply *r = (pottery_reply *)1;
    assert_code(POTTERY_ECONFLICT, pottery__watch(&r, c, keys, lens, 1, 3, incr_body, &x));
    assert_null(r);
    assert_int_equal(3, x.calls);
    assert_raw("3", RAW(&srv, "GET", "w:race")); /* only the other client's INCRs landed */

    /* A change on the first try only: the second try commits. */
    incr_ctx y = { other, "w:race", 0, 1, 0, 0 };
    assert_ok(pottery__watch(NULL, c, keys, lens, 1, 5, incr_body, &y));
    assert_int_equal(2, y.calls);
    assert_raw("5", RAW(&srv, "GET", "w:race"));

    /* exec_multi alone reports a nil EXEC as ECONFLICT */
    pottery_cmd cmd;
    assert_ok(RUN(NULL, c, "WATCH", "w:race"));
    assert_ok(RUN(NULL, other, "INCR", "w:race"));
    BUILD(&cmd, "SET", "w:race", "0");
    assert_code(POTTERY_ECONFLICT, pottery__exec_multi(NULL, c, &cmd, 1));
    pottery__cmd_free(&cmd);
    assert_raw("6", RAW(&srv, "GET", "w:race"));
    pottery_client_free(other);
    pottery_client_free(c);
}

static void test_watch_without_writes(void **state)
{
    (void)state;
    pottery_client *c = open_client(srv.url, NULL);
    pottery_client *other = open_client(srv.url, NULL);
    const char *keys[1] = { "w:ro" };
    incr_ctx x = { other, "w:ro", 0, 0, 0, 1 };
    pottery_reply *r = (pottery_reply *)1;
    assert_ok(pottery__watch(&r, c, keys, NULL, 1, 3, incr_body, &x));
    assert_null(r);
    assert_stats(c, 2, 2, 0); /* WATCH, GET: nothing more */

    /* The key is still WATCHed on the connection; a later transaction must not be aborted
     * by a change to it: UNWATCH rides along in the same round trip. */
    assert_ok(RUN(NULL, other, "SET", "w:ro", "changed"));
    pottery_cmd cmd;
    BUILD(&cmd, "SET", "w:other", "1");
    pottery_client_stats_reset(c);
    assert_ok(pottery__exec_multi(NULL, c, &cmd, 1));
    assert_stats(c, 1, 4, 0); /* UNWATCH MULTI SET EXEC */
    pottery__cmd_free(&cmd);

    /* Same for the next WATCH after a read-only transaction. */
    assert_ok(pottery__watch(NULL, c, keys, NULL, 1, 3, incr_body, &x));
    assert_ok(RUN(NULL, other, "SET", "w:ro", "changed again"));
    x.no_write = 0;
    const char *keys2[1] = { "w:ro2" };
    x.key = "w:ro2";
    pottery_client_stats_reset(c);
    assert_ok(pottery__watch(NULL, c, keys2, NULL, 1, 1, incr_body, &x));
    assert_stats(c, 3, 2 + 1 + 14, 0); /* UNWATCH+WATCH, GET, MULTI..EXEC */
    assert_raw("1", RAW(&srv, "GET", "w:ro2"));
    pottery_client_free(other);
    pottery_client_free(c);
}

static void test_watch_body_error(void **state)
{
    (void)state;
    pottery_client *c = open_client(srv.url, NULL);
    pottery_client *other = open_client(srv.url, NULL);
    const char *keys[1] = { "w:err" };
    incr_ctx x = { other, "w:err", 0, 0, POTTERY_EINDEX, 0 };
    assert_code(POTTERY_EINDEX, pottery__watch(NULL, c, keys, NULL, 1, 3, incr_body, &x));
    assert_int_equal(POTTERY_EINDEX, pottery_error_last()->code);
    assert_string_equal("the body gave up", pottery_error_last()->message);
    assert_int_equal(1, x.calls);
    assert_stats(c, 3, 3, 0); /* WATCH, GET, UNWATCH */

    /* unwatched: a change now does not abort a transaction */
    assert_ok(RUN(NULL, other, "SET", "w:err", "x"));
    pottery_cmd cmd;
    BUILD(&cmd, "SET", "w:err2", "1");
    pottery_client_stats_reset(c);
    assert_ok(pottery__exec_multi(NULL, c, &cmd, 1));
    assert_stats(c, 1, 3, 0);
    pottery__cmd_free(&cmd);
    pottery_client_free(other);
    pottery_client_free(c);
}

static const pottery_script incr_script = { "incrby", "return redis.call('INCRBY', KEYS[1], ARGV[1])" };
static const pottery_script error_script = { "boom", "return redis.error_reply('MYERR nope')" };

static int eval_incr(pottery_client *c, const char *key, const char *by, long long *result)
{
    pottery_cmd args;
    pottery_reply *r = NULL;
    pottery__cmd_init(&args);
    pottery__cmd_cstr(&args, key);
    pottery__cmd_cstr(&args, by);
    int rc = pottery__eval(&r, c, &incr_script, 1, &args);
    pottery__cmd_free(&args);
    if (rc == 0) {
        *result = int_of(r);
        pottery__reply_free(r);
    }
    return rc;
}

static void test_eval(void **state)
{
    (void)state;
    long long v = 0;
    pottery_client *c = open_client(srv.url, NULL);
    assert_raw("OK", RAW(&srv, "SCRIPT", "FLUSH"));
    assert_raw("OK", RAW(&srv, "CONFIG", "RESETSTAT"));

    assert_ok(eval_incr(c, "ev:n", "5", &v));
    assert_int_equal(5, (int)v);
    assert_ok(eval_incr(c, "ev:n", "5", &v));
    assert_int_equal(10, (int)v);
    assert_stats(c, 2, 2, 0);
    assert_int_equal(1, commandstats_calls(&srv, "eval"));
    assert_int_equal(1, commandstats_calls(&srv, "evalsha"));

    /* our SHA1 is the one Redis computes */
    char sha[41];
    pottery__sha1_hex(sha, incr_script.source, strlen(incr_script.source));
    assert_raw(sha, RAW(&srv, "SCRIPT", "LOAD", incr_script.source));

    /* the server forgets its scripts: NOSCRIPT, then EVAL in a second round trip */
    assert_raw("OK", RAW(&srv, "SCRIPT", "FLUSH"));
    pottery_client_stats_reset(c);
    assert_ok(eval_incr(c, "ev:n", "5", &v));
    assert_int_equal(15, (int)v);
    assert_stats(c, 2, 2, 0);
    pottery_client_stats_reset(c);
    assert_ok(eval_incr(c, "ev:n", "5", &v)); /* EVALSHA again */
    assert_int_equal(20, (int)v);
    assert_stats(c, 1, 1, 0);

    /* error replies from scripts pass through; keys beyond the arguments are refused */
    pottery_reply *r = (pottery_reply *)1;
    assert_code(POTTERY_EREDIS, pottery__eval(&r, c, &error_script, 0, NULL));
    assert_null(r);
    assert_string_equal("MYERR nope", pottery_error_last()->message);
    assert_code(POTTERY_EREDIS, pottery__eval(&r, c, &error_script, 0, NULL)); /* via EVALSHA */
    assert_string_equal("MYERR nope", pottery_error_last()->message);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_cstr(&args, "only-one");
    assert_code(POTTERY_EINVAL, pottery__eval(&r, c, &incr_script, 2, &args));
    pottery__cmd_free(&args);
    assert_code(POTTERY_EINVAL, pottery__eval(&r, c, NULL, 0, NULL));

    /* a new connection starts with EVAL again */
    kill_clients(&srv);
    assert_code(POTTERY_ECONN, eval_incr(c, "ev:n", "1", &v));
    assert_raw("OK", RAW(&srv, "CONFIG", "RESETSTAT"));
    assert_ok(eval_incr(c, "ev:n", "1", &v));
    assert_int_equal(21, (int)v);
    assert_int_equal(1, commandstats_calls(&srv, "eval"));
    assert_int_equal(0, commandstats_calls(&srv, "evalsha"));
    pottery_client_free(c);
}

static void test_scan_hash_10000(void **state)
{
    (void)state;
    enum { N = 10000 };
    pottery_client *c = open_client(srv.url, NULL);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    for (int i = 0; i < N; i++) {
        pottery__cmd_reset(&cmd);
        pottery__cmd_cstr(&cmd, "HSET");
        pottery__cmd_cstr(&cmd, "scan:h");
        pottery__cmd_int(&cmd, i);
        pottery__cmd_int(&cmd, (long long)i * 3);
        assert_ok(pottery__send(c, &cmd));
    }
    for (int i = 0; i < N; i++) assert_ok(pottery__recv(NULL, c));
    pottery__cmd_free(&cmd);
    assert_stats(c, 1, N, 0);

    static unsigned char seen[N];
    memset(seen, 0, sizeof seen);
    pottery_scan s;
    const char *item;
    size_t len;
    int items = 0;
    pottery_client_stats_reset(c);
    assert_ok(pottery__scan_init(&s, c, "HSCAN", "scan:h", 6, 500));
    int rc;
    while ((rc = pottery__scan_next(&s, &item, &len)) == 0) {
        char field[16], value[16];
        assert_true(len < sizeof field);
        memcpy(field, item, len);
        field[len] = '\0';
        assert_ok(pottery__scan_next(&s, &item, &len));
        memcpy(value, item, len);
        value[len] = '\0';
        int f = atoi(field);
        assert_true(f >= 0 && f < N);
        assert_int_equal(f * 3, atoi(value));
        assert_int_equal(0, seen[f]);
        seen[f] = 1;
        items++;
        assert_true(pottery__reply_count(pottery__reply_at(s.batch, 1)) <= 2 * 2000); /* bounded */
    }
    assert_int_equal(POTTERY_EITEROVER, rc);
    pottery__scan_free(&s);
    assert_int_equal(N, items);
    assert_true(stats_of(c).round_trips >= 10);

    /* SCAN over the whole (small) database and an empty set */
    assert_ok(pottery__scan_init(&s, c, "SSCAN", "scan:none", 9, 0));
    assert_code(POTTERY_EITEROVER, pottery__scan_next(&s, &item, NULL));
    pottery__scan_free(&s);
    int found = 0;
    assert_ok(pottery__scan_init(&s, c, "SCAN", NULL, 0, 0));
    while ((rc = pottery__scan_next(&s, &item, &len)) == 0)
        if (len == 6 && memcmp(item, "scan:h", 6) == 0) found++;
    assert_int_equal(POTTERY_EITEROVER, rc);
    assert_int_equal(1, found);
    pottery__scan_free(&s);
    pottery_client_free(c);
}

static void test_streaming(void **state)
{
    (void)state;
    enum { N = 20000 };
    char value[120];
    memset(value, 'v', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    pottery_client *c = open_client(srv.url, NULL);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "RPUSH");
    pottery__cmd_cstr(&cmd, "stream:l");
    pottery__cmd_cstr(&cmd, value);
    for (int i = 0; i < N; i++) assert_ok(pottery__send(c, &cmd)); /* ~2.7 MB, flushed in pieces */

    /* other calls refuse to interleave with unread replies */
    assert_code(POTTERY_ESTATE, pottery_client_ping(c));
    assert_code(POTTERY_ESTATE, pottery__exec_pipeline(NULL, c, &cmd, 1));
    assert_code(POTTERY_ESTATE, pottery__exec_multi(NULL, c, &cmd, 1));

    pottery_reply *r = NULL;
    for (int i = 0; i < N; i++) {
        assert_ok(pottery__recv(&r, c));
        assert_int_equal(i + 1, (int)int_of(r));
        pottery__reply_free(r);
    }
    assert_code(POTTERY_ESTATE, pottery__recv(&r, c));
    assert_stats(c, 1, N, 0);

    /* an error reply in the stream is reported and consumed */
    pottery__cmd_reset(&cmd);
    pottery__cmd_cstr(&cmd, "HGET");
    pottery__cmd_cstr(&cmd, "stream:l");
    pottery__cmd_cstr(&cmd, "f");
    assert_ok(pottery__send(c, &cmd));
    pottery__cmd_reset(&cmd);
    pottery__cmd_cstr(&cmd, "LLEN");
    pottery__cmd_cstr(&cmd, "stream:l");
    assert_ok(pottery__send(c, &cmd));
    assert_code(POTTERY_EREDIS, pottery__recv(&r, c));
    assert_null(r);
    assert_ok(pottery__recv(&r, c));
    assert_int_equal(N, (int)int_of(r));
    pottery__reply_free(r);
    pottery__cmd_free(&cmd);
    assert_ok(pottery_client_ping(c));
    pottery_client_free(c);
}

static void test_random_key(void **state)
{
    (void)state;
    pottery_client *c = open_client(srv.url, NULL);
    char key[POTTERY_RANDOM_KEY_SIZE];
    assert_ok(pottery__random_key(key, c));
    assert_int_equal(POTTERY_RANDOM_KEY_SIZE - 1, (int)strlen(key));
    assert_memory_equal("pottery:", key, 8);
    const char *u = key + 8;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal('-', u[i]);
        else
            assert_non_null(strchr("0123456789abcdef", u[i]));
    }
    assert_int_equal('4', u[14]);
    assert_non_null(strchr("89ab", u[19]));
    assert_stats(c, 1, 1, 0); /* one EXISTS */
    char key2[POTTERY_RANDOM_KEY_SIZE];
    assert_ok(pottery__random_key(key2, c));
    assert_string_not_equal(key, key2);
    pottery_client_free(c);
}

static void test_unlink_if_temporary(void **state)
{
    (void)state;
    pottery_client *c = open_client(srv.url, NULL);
    assert_raw("OK", RAW(&srv, "SET", "pottery:tmp-test", "1"));
    assert_raw("OK", RAW(&srv, "SET", "keep:me", "1"));
    pottery__error(POTTERY_EINDEX, "the caller's error");
    pottery__unlink_if_temporary(c, "pottery:tmp-test");
    pottery__unlink_if_temporary(c, "keep:me");
    pottery__unlink_if_temporary(c, NULL);
    assert_int_equal(POTTERY_EINDEX, pottery_error_last()->code);
    assert_string_equal("the caller's error", pottery_error_last()->message);
    assert_raw("0", RAW(&srv, "EXISTS", "pottery:tmp-test"));
    assert_raw("1", RAW(&srv, "EXISTS", "keep:me"));
    assert_stats(c, 1, 1, 0);

    /* errors are ignored (and do not replace the caller's) */
    kill_clients(&srv);
    pottery__error(POTTERY_EINDEX, "still mine");
    pottery__unlink_if_temporary(c, "pottery:whatever");
    assert_string_equal("still mine", pottery_error_last()->message);
    pottery_client_free(c);
}

static void test_same_server(void **state)
{
    (void)state;
    char url[128];
    pottery_client *a = open_client(srv.url, NULL);
    pottery_client *b = open_client(srv.url, NULL);
    tcp_url(url, sizeof url, &srv, NULL, 1);
    pottery_client *d1 = open_client(url, NULL);
    snprintf(url, sizeof url, "redis://localhost:%d/0", srv.port);
    pottery_client *local = open_client(url, NULL);
    assert_int_equal(1, pottery__client_same_server(a, b));
    assert_int_equal(1, pottery__client_same_server(a, a));
    assert_int_equal(0, pottery__client_same_server(a, d1));
    assert_int_equal(0, pottery__client_same_server(a, local)); /* host text differs */
    assert_int_equal(0, pottery__client_same_server(a, NULL));
    pottery_client_free(a);
    pottery_client_free(b);
    pottery_client_free(d1);
    pottery_client_free(local);
}

static void test_client_kill_reconnects(void **state)
{
    (void)state;
    char url[128];
    tcp_url(url, sizeof url, &srv, NULL, 2);
    pottery_client *c = open_client(url, NULL);
    EXPECT(c, "1", "INCR", "kill:counter");
    kill_clients(&srv);
    pottery_reply *r = (pottery_reply *)1;
    assert_code(POTTERY_ECONN, RUN(&r, c, "INCR", "kill:counter"));
    assert_null(r);
    assert_int_equal(POTTERY_ECONN, pottery_error_last()->code);
    assert_int_equal(0, (int)stats_of(c).reconnects);
    EXPECT(c, "2", "INCR", "kill:counter"); /* reconnected, db 2 selected again, not re-sent */
    assert_int_equal(1, (int)stats_of(c).reconnects);
    assert_raw("2", get_in_db(&srv, 2, "kill:counter"));
    assert_raw("(nil)", get_in_db(&srv, 0, "kill:counter"));

    /* a pipeline on a dead connection: error, no partial replies, then fine again */
    kill_clients(&srv);
    pottery_cmd cmds[2];
    pottery_reply *outs[2] = { (pottery_reply *)1, (pottery_reply *)1 };
    BUILD(&cmds[0], "INCR", "kill:counter");
    BUILD(&cmds[1], "INCR", "kill:counter");
    assert_code(POTTERY_ECONN, pottery__exec_pipeline(outs, c, cmds, 2));
    assert_null(outs[0]);
    assert_null(outs[1]);
    assert_ok(pottery__exec_pipeline(NULL, c, cmds, 2));
    assert_raw("4", get_in_db(&srv, 2, "kill:counter"));
    assert_int_equal(2, (int)stats_of(c).reconnects);
    pottery__cmd_free(&cmds[0]);
    pottery__cmd_free(&cmds[1]);
    pottery_client_free(c);
}

static void test_command_timeout_blocking(void **state)
{
    (void)state;
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.command_timeout_ms = 200;
    pottery_client *c = open_client(srv.url, &o);
    double t0 = now_ms();
    assert_code(POTTERY_ETIMEOUT, RUN(NULL, c, "BLPOP", "timeout:nothing", "0"));
    double elapsed = now_ms() - t0;
    assert_true(elapsed >= 150 && elapsed < 3 * 200);
    assert_message_contains("200 ms");
    assert_ok(pottery_client_ping(c));
    assert_stats(c, 2, 2, 1);
    pottery_client_free(c);
}

/* A read waits in a blocking recv() whose receive timeout is kept from the earlier calls
 * while it fits: a call with a shorter deadline than the last one must still end on time,
 * and a call without one must wait for as long as its reply takes. */
static void test_receive_timeout_follows_each_call(void **state)
{
    (void)state;
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.command_timeout_ms = 5000;
    pottery_client *c = open_client(srv.url, &o);
    assert_ok(pottery_client_ping(c)); /* a receive timeout of seconds */

    pottery__call_begin_timeout(c, 200);
    double t0 = now_ms();
    assert_code(POTTERY_ETIMEOUT, RUN(NULL, c, "BLPOP", "timeout:nothing", "0"));
    double elapsed = now_ms() - t0;
    pottery__call_end(c);
    assert_true(elapsed >= 150 && elapsed < 3 * 200);
    assert_message_contains("200 ms");

    /* The long timeout again: a reply that takes 400 ms is waited for. */
    assert_ok(pottery_client_ping(c));
    t0 = now_ms();
    pottery_reply *r = NULL;
    assert_ok(RUN(&r, c, "BLPOP", "timeout:nothing", "0.4"));
    assert_true(now_ms() - t0 >= 350);
    assert_int_equal(pottery__reply_type(r), POTTERY_REPLY_NIL);
    pottery__reply_free(r);

    /* No deadline at all, after bounded calls: the reply of a 1.2 s wait arrives. */
    pottery__call_begin_timeout(c, POTTERY_FOREVER);
    t0 = now_ms();
    assert_ok(RUN(&r, c, "BLPOP", "timeout:nothing", "1.2"));
    pottery__call_end(c);
    assert_true(now_ms() - t0 >= 1150);
    assert_int_equal(pottery__reply_type(r), POTTERY_REPLY_NIL);
    pottery__reply_free(r);
    pottery_client_free(c);
}

/* ======================= password / ACL server ======================= */

static int setup_auth(void **state)
{
    (void)state;
    test_redis_options o = TEST_REDIS_OPTIONS_INIT;
    o.requirepass = PASSWORD;
    o.acl_user = ACL_USER;
    o.acl_password = ACL_PASS;
    return test_redis_start(&authsrv, &o) == 0 ? 0 : -1;
}

static int teardown_auth(void **state)
{
    (void)state;
    test_redis_stop(&authsrv);
    return 0;
}

static void test_auth_password(void **state)
{
    (void)state;
    char url[256];
    tcp_url(url, sizeof url, &authsrv, ":" PASSWORD, 0);
    pottery_client *c = open_client(url, NULL);
    assert_stats(c, 0, 0, 0);
    EXPECT(c, "default", "ACL", "WHOAMI");
    pottery_client_free(c);

    /* password from the options */
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.password = PASSWORD;
    tcp_url(url, sizeof url, &authsrv, NULL, 0);
    c = open_client(url, &o);
    assert_ok(pottery_client_ping(c));
    pottery_client_free(c);

    /* wrong password */
    c = NULL;
    tcp_url(url, sizeof url, &authsrv, ":not-it", 0);
    assert_code(POTTERY_EREDIS, pottery_client_open(&c, url, NULL));
    assert_null(c);
    assert_message_contains("WRONGPASS");
    assert_null(strstr(pottery_error_last()->message, "not-it"));

    /* options override a right URL password with a wrong one */
    o.password = "wrong-too";
    tcp_url(url, sizeof url, &authsrv, ":" PASSWORD, 0);
    assert_code(POTTERY_EREDIS, pottery_client_open(&c, url, &o));

    /* no password at all */
    tcp_url(url, sizeof url, &authsrv, NULL, 0);
    assert_code(POTTERY_EREDIS, pottery_client_open(&c, url, NULL));
    assert_message_contains("NOAUTH");
    assert_null(c);
}

static void test_auth_acl_user(void **state)
{
    (void)state;
    char url[256];
    /* percent-escapes are decoded: w%6Fnder = wonder */
    tcp_url(url, sizeof url, &authsrv, ACL_USER ":w%6Fnder", 1);
    pottery_client *c = open_client(url, NULL);
    EXPECT(c, ACL_USER, "ACL", "WHOAMI");
    EXPECT(c, "OK", "SET", "acl:key", "1");
    pottery_client_free(c);
    assert_raw("1", get_in_db(&authsrv, 1, "acl:key"));

    /* user and password from the options */
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.username = ACL_USER;
    o.password = ACL_PASS;
    tcp_url(url, sizeof url, &authsrv, NULL, 0);
    c = open_client(url, &o);
    EXPECT(c, ACL_USER, "ACL", "WHOAMI");
    pottery_client_free(c);

    c = NULL;
    tcp_url(url, sizeof url, &authsrv, ACL_USER ":" PASSWORD, 0);
    assert_code(POTTERY_EREDIS, pottery_client_open(&c, url, NULL));
    assert_message_contains("WRONGPASS");
}

static void test_restart_reapplies_auth_and_db(void **state)
{
    (void)state;
    char url[256];
    tcp_url(url, sizeof url, &authsrv, ":" PASSWORD, 3);
    pottery_client *c = open_client(url, NULL);
    EXPECT(c, "OK", "SET", "rs:a", "1");
    test_redis_kill(&authsrv);
    assert_int_equal(0, test_redis_restart(&authsrv));
    int rc = RUN(NULL, c, "SET", "rs:b", "2");
    assert_int_equal(POTTERY_ECONN, rc);
    EXPECT(c, "OK", "SET", "rs:c", "3"); /* needs AUTH and SELECT 3 again */
    assert_int_equal(1, (int)stats_of(c).reconnects);
    assert_raw("3", get_in_db(&authsrv, 3, "rs:c"));
    assert_raw("(nil)", get_in_db(&authsrv, 3, "rs:b")); /* never re-sent */
    assert_raw("(nil)", get_in_db(&authsrv, 0, "rs:c"));

    /* while the server is down, calls fail with ECONN and nothing is counted as reconnect */
    test_redis_kill(&authsrv);
    assert_code(POTTERY_ECONN, pottery_client_ping(c));
    assert_code(POTTERY_ECONN, pottery_client_ping(c));
    assert_int_equal(1, (int)stats_of(c).reconnects);
    assert_int_equal(0, test_redis_restart(&authsrv));
    assert_ok(pottery_client_ping(c));
    assert_int_equal(2, (int)stats_of(c).reconnects);
    pottery_client_free(c);
}

int main(void)
{
    const struct CMUnitTest offline[] = {
        cmocka_unit_test(test_cmd_builder),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_unreachable_port),
        cmocka_unit_test(test_connect_timeout),
        cmocka_unit_test(test_silent_server_open_times_out),
        cmocka_unit_test(test_command_timeout_then_reconnect),
        cmocka_unit_test(test_dropped_by_fake_server),
        cmocka_unit_test(test_random_key_collisions),
        cmocka_unit_test(test_scan_empty_batches),
        cmocka_unit_test(test_scan_endless_without_timeout),
        cmocka_unit_test(test_nil_exec),
        cmocka_unit_test(test_flush_sends_before_reading),
    };
    const struct CMUnitTest with_server[] = {
        cmocka_unit_test(test_connect_tcp),
        cmocka_unit_test(test_connect_unix_socket),
        cmocka_unit_test(test_db_selection),
        cmocka_unit_test(test_redis_url_env),
        cmocka_unit_test(test_wrongtype_passes_through),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_pipeline),
        cmocka_unit_test(test_exec_multi),
        cmocka_unit_test(test_watch_commit),
        cmocka_unit_test(test_watch_conflicts),
        cmocka_unit_test(test_watch_without_writes),
        cmocka_unit_test(test_watch_body_error),
        cmocka_unit_test(test_eval),
        cmocka_unit_test(test_scan_hash_10000),
        cmocka_unit_test(test_streaming),
        cmocka_unit_test(test_random_key),
        cmocka_unit_test(test_unlink_if_temporary),
        cmocka_unit_test(test_same_server),
        cmocka_unit_test(test_client_kill_reconnects),
        cmocka_unit_test(test_command_timeout_blocking),
        cmocka_unit_test(test_receive_timeout_follows_each_call),
    };
    const struct CMUnitTest auth[] = {
        cmocka_unit_test(test_auth_password),
        cmocka_unit_test(test_auth_acl_user),
        cmocka_unit_test(test_restart_reapplies_auth_and_db),
    };
    int failed = 0;
    failed += cmocka_run_group_tests_name("offline", offline, NULL, NULL);
    failed += cmocka_run_group_tests_name("server", with_server, setup_srv, teardown_srv);
    failed += cmocka_run_group_tests_name("auth", auth, setup_auth, teardown_auth);
    return failed ? 1 : 0;
}
