/* Sentinel: a private master, its replica and three sentinels; clients opened with a
 * redis+sentinel:// URL find the master, refuse a replica, and follow a failover on their
 * next call without being reopened. */
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
#include "fake_server.h"
#include "support/test_fixture.h"

#define MASTER SENTINEL_MASTER
#define FAILOVER_WAIT_MS 20000

static int run(pottery_reply **out, pottery_client *c, const char *a0, const char *a1, const char *a2)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, a0);
    if (a1) pottery__cmd_cstr(&cmd, a1);
    if (a2) pottery__cmd_cstr(&cmd, a2);
    int rc = pottery__exec(out, c, &cmd);
    pottery__cmd_free(&cmd);
    return rc;
}

static void test_open_finds_the_master(void **state)
{
    (void)state;
    char url[256], want[64];
    pottery_client *c = NULL;
    pottery_dict *d = NULL;
    pottery_set *s = NULL;
    pottery_value v = pottery_null();
    int in = 0;
    sentinels_url(url, sizeof url, MASTER);
    assert_ok(pottery_client_open(&c, url, NULL));
    snprintf(want, sizeof want, "master %s at 127.0.0.1:%d", MASTER, sentinel_master.port);
    assert_string_equal(want, c->endpoint);
    assert_ok(pottery_dict_open(&d, c, "sentinel:dict", NULL));
    assert_ok(pottery_set_open(&s, c, "sentinel:set", NULL));
    assert_ok(pottery_dict_set(d, pottery_str("a"), pottery_int(1)));
    assert_ok(pottery_dict_get(&v, d, pottery_str("a")));
    assert_int_equal(1, (int)pottery_value_int(&v));
    pottery_value_dispose(&v);
    assert_ok(pottery_set_add(s, pottery_str("x")));
    assert_ok(pottery_set_contains(&in, s, pottery_str("x")));
    assert_int_equal(1, in);
    char *raw_text = test_redis_cmdv(&sentinel_master, "HGET", "sentinel:dict", "\"a\"", (const char *)NULL);
    assert_string_equal("1", raw_text);
    free(raw_text);
    /* The handshake (ROLE included) costs nothing in the statistics. */
    pottery_client_stats st;
    pottery_client_stats_get(&st, c);
    assert_int_equal(0, (int)st.reconnects);
    assert_ok(run(NULL, c, "DEL", "sentinel:dict", "sentinel:set"));
    pottery_set_free(s);
    pottery_dict_free(d);
    pottery_client_free(c);
}

/* The fan-out's connect (Redlock and NextID masters) asks the sentinels too. */
static void test_fanout_connect(void **state)
{
    (void)state;
    char url[256];
    pottery_client *cs[2] = { NULL, NULL };
    int rcs[2];
    pottery_error_saved why[2];
    sentinels_url(url, sizeof url, MASTER);
    assert_ok(pottery_client_open(&cs[0], url, NULL));
    assert_ok(pottery_client_open(&cs[1], sentinel_master.url, NULL));
    pottery__conn_drop(cs[0]);
    pottery__conn_drop(cs[1]);
    pottery_client_stats_reset(cs[0]);
    assert_ok(pottery__conn_connect_all(cs, 2, rcs, why));
    assert_int_equal(0, rcs[0]);
    assert_int_equal(0, rcs[1]);
    assert_non_null(cs[0]->ctx);
    pottery_client_stats st;
    pottery_client_stats_get(&st, cs[0]);
    assert_int_equal(1, (int)st.reconnects);
    assert_ok(pottery_client_ping(cs[0]));
    /* A master name the sentinels do not know fails that client alone, with the reason. */
    pottery__conn_drop(cs[0]);
    char *name = cs[0]->addr.master_name;
    cs[0]->addr.master_name = "nosuchmaster";
    assert_ok(pottery__conn_connect_all(cs, 2, rcs, why));
    cs[0]->addr.master_name = name;
    assert_int_equal(POTTERY_ECONN, rcs[0]);
    assert_non_null(strstr(why[0].message, "know no master named \"nosuchmaster\""));
    assert_int_equal(0, rcs[1]);
    pottery_client_free(cs[0]);
    pottery_client_free(cs[1]);
}

static void test_unknown_master_name(void **state)
{
    (void)state;
    char url[256];
    pottery_client *c = NULL;
    sentinels_url(url, sizeof url, "nosuchmaster");
    assert_code(POTTERY_ECONN, pottery_client_open(&c, url, NULL));
    assert_null(c);
    const char *msg = pottery_error_last()->message;
    assert_non_null(strstr(msg, "know no master named \"nosuchmaster\""));
    for (int i = 0; i < SENTINELS; i++) {
        char ep[32];
        snprintf(ep, sizeof ep, "127.0.0.1:%d", sentinels[i].port);
        assert_non_null(strstr(msg, ep));
    }
}

static void test_all_sentinels_down(void **state)
{
    (void)state;
    int ports[3] = { test_free_port(), test_free_port(), test_free_port() };
    char url[256];
    pottery_client *c = NULL;
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d/" MASTER, ports[0], ports[1],
             ports[2]);
    double t0 = now_ms();
    assert_code(POTTERY_ECONN, pottery_client_open(&c, url, NULL));
    assert_true(now_ms() - t0 < 2000);
    const char *msg = pottery_error_last()->message;
    assert_non_null(strstr(msg, "locating master \"" MASTER "\": no sentinel named its address"));
    for (int i = 0; i < 3; i++) {
        char ep[32];
        snprintf(ep, sizeof ep, "127.0.0.1:%d (", ports[i]);
        assert_non_null(strstr(msg, ep));
    }
}

static void test_replica_refused(void **state)
{
    (void)state;
    fake_sentinel fake;
    char url[128], want[96];
    pottery_client *c = NULL;
    assert_int_equal(0, fake_sentinel_start(&fake, sentinel_replica.port, NULL));
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/" MASTER, fake_sentinel_port(&fake));
    assert_code(POTTERY_ECONN, pottery_client_open(&c, url, NULL));
    assert_null(c);
    snprintf(want, sizeof want, "master %s at 127.0.0.1:%d: the server there is a slave, not a master", MASTER,
             sentinel_replica.port);
    assert_non_null(strstr(pottery_error_last()->message, want));
    fake_sentinel_stop(&fake);
}

/* The sentinel password goes to the sentinels as AUTH (and never to the master, which has
 * none: it would refuse it). */
static void test_sentinel_password(void **state)
{
    (void)state;
    fake_sentinel fake;
    char url[160];
    pottery_client *c = NULL;
    assert_int_equal(0, fake_sentinel_start(&fake, sentinel_master.port, "s3cret"));
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/" MASTER "?sentinel_password=s3cret",
             fake_sentinel_port(&fake));
    assert_ok(pottery_client_open(&c, url, NULL));
    assert_ok(pottery_client_ping(c));
    pottery_client_free(c);
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/" MASTER, fake_sentinel_port(&fake));
    assert_code(POTTERY_ECONN, pottery_client_open(&c, url, NULL));
    assert_non_null(strstr(pottery_error_last()->message, "NOAUTH"));
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/" MASTER "?sentinel_password=nope",
             fake_sentinel_port(&fake));
    assert_code(POTTERY_ECONN, pottery_client_open(&c, url, NULL));
    assert_non_null(strstr(pottery_error_last()->message, "WRONGPASS"));
    assert_null(c);
    fake_sentinel_stop(&fake);
}

/* A Redlock whose master moves (the sentinel names another server on the reconnect) tells
 * where it looked: the new address, in the message of the refusal. */
static void test_redlock_after_relocation(void **state)
{
    (void)state;
    fake_sentinel fake;
    char url[128], want[96];
    pottery_client *c = NULL;
    pottery_redlock *lock = NULL;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.raise_on_redis_errors = 1;
    int acquired = 1;
    assert_int_equal(0, fake_sentinel_start(&fake, sentinel_master.port, NULL));
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/" MASTER, fake_sentinel_port(&fake));
    assert_ok(pottery_client_open(&c, url, NULL));
    assert_ok(pottery_redlock_new(&lock, "sentinel:moved", &c, 1, &opts));
    fake_sentinel_name(&fake, sentinel_replica.port);
    pottery__conn_drop(c);
    assert_code(POTTERY_EIMPOSSIBLE, pottery_redlock_acquire(&acquired, lock, 0, POTTERY_FOREVER));
    assert_int_equal(1, acquired); /* untouched by the failed call */
    snprintf(want, sizeof want, "master %s at 127.0.0.1:%d", MASTER, sentinel_replica.port);
    assert_string_equal(want, c->endpoint);
    assert_non_null(strstr(pottery_error_last()->message, want));
    assert_non_null(strstr(pottery_error_last()->message, "not a master"));
    pottery_redlock_free(lock);
    pottery_client_free(c);
    fake_sentinel_stop(&fake);
}

/* The value of field in the dict on the server a raw connection reaches ("(nil)" if none). */
static char *raw_field(const test_redis *s, const char *field)
{
    return test_redis_cmdv(s, "HGET", "sentinel:failover", field, (const char *)NULL);
}

static void test_failover(void **state)
{
    (void)state;
    char url[256], want[64];
    pottery_client *c = NULL;
    pottery_dict *d = NULL;
    pottery_value v = pottery_null();
    pottery_reply *r = NULL;
    long long acked = 0;
    sentinels_url(url, sizeof url, MASTER);
    assert_ok(pottery_client_open(&c, url, NULL));
    assert_ok(pottery_dict_open(&d, c, "sentinel:failover", NULL));

    /* "safe" reached the replica before the kill (WAIT); "late" may or may not have. */
    assert_ok(pottery_dict_set(d, pottery_str("safe"), pottery_int(1)));
    /* On a loaded machine the replica may take more than one WAIT to acknowledge. */
    for (int tries = 0; tries < 10 && acked < 1; tries++) {
        assert_ok(run(&r, c, "WAIT", "1", "800"));
        assert_ok(pottery__reply_int(&acked, r, "WAIT"));
        pottery__reply_free(r);
    }
    assert_int_equal(1, (int)acked);
    assert_ok(pottery_dict_set(d, pottery_str("late"), pottery_int(2)));
    test_redis_kill(&sentinel_master);

    /* During the failover calls fail cleanly, and a failed write is never re-sent. */
    double end = now_ms() + FAILOVER_WAIT_MS;
    int failures = 0;
    while (sentinels_named_port() != sentinel_replica.port) {
        assert_true(now_ms() < end);
        double t0 = now_ms();
        int rc = pottery_dict_set(d, pottery_str("during"), pottery_int(3));
        assert_true(rc == POTTERY_ECONN || rc == POTTERY_ETIMEOUT || rc == 0);
        if (rc == 0) break;                /* the sentinels switched between the poll and the call */
        assert_true(now_ms() - t0 < 3500); /* the sentinels' time plus the master's */
        failures++;
        sleep_ms(100);
    }
    assert_true(failures > 0);

    /* The replica may still be finishing its promotion: wait until it says it is the master. */
    while (!is_master(&sentinel_replica)) {
        assert_true(now_ms() < end);
        sleep_ms(50);
    }

    /* The same handle reaches the new master. */
    int rc = POTTERY_ECONN;
    while (rc != 0 && now_ms() < end) {
        rc = pottery_dict_get(&v, d, pottery_str("safe"));
        if (rc != 0) sleep_ms(100);
    }
    assert_ok(rc);
    assert_int_equal(1, (int)pottery_value_int(&v));
    pottery_value_dispose(&v);
    snprintf(want, sizeof want, "master %s at 127.0.0.1:%d", MASTER, sentinel_replica.port);
    assert_string_equal(want, c->endpoint);
    pottery_client_stats st;
    pottery_client_stats_get(&st, c);
    assert_true(st.reconnects >= 1);

    /* Nothing is cached or replayed: what the library reads is what the new master holds. */
    char *late = raw_field(&sentinel_replica, "\"late\"");
    rc = pottery_dict_get(&v, d, pottery_str("late"));
    if (strcmp(late, "(nil)") == 0) {
        assert_code(POTTERY_ENOTFOUND, rc);
    } else {
        assert_ok(rc);
        assert_string_equal("2", late);
        pottery_value_dispose(&v);
    }
    free(late);
    char *during = raw_field(&sentinel_replica, "\"during\"");
    if (failures > 0 && strcmp(during, "(nil)") != 0) {
        /* Only a call that succeeded may have written it. */
        assert_string_equal("3", during);
    }
    free(during);
    assert_ok(pottery_dict_set(d, pottery_str("after"), pottery_int(4)));
    char *after = raw_field(&sentinel_replica, "\"after\"");
    assert_string_equal("4", after);
    free(after);
    pottery_dict_free(d);
    pottery_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_finds_the_master),
        cmocka_unit_test(test_fanout_connect),
        cmocka_unit_test(test_unknown_master_name),
        cmocka_unit_test(test_all_sentinels_down),
        cmocka_unit_test(test_replica_refused),
        cmocka_unit_test(test_sentinel_password),
        cmocka_unit_test(test_redlock_after_relocation),
        cmocka_unit_test(test_failover), /* last: it kills the master */
    };
    return cmocka_run_group_tests(tests, sentinels_setup, sentinels_teardown);
}
