/*
 * Redis Cluster: a private 3-master, 3-replica cluster (the fixture's cluster mode) and a
 * redis+cluster:// client. Routing by slot with one round trip per call, cross-slot calls
 * refused before anything is sent, ASK during a slot migration, MOVED after a resharding
 * that happens in the middle of a run (nothing lost, nothing twice), a master killed and
 * its replica promoted (clean failures, then success without reopening), CLUSTERDOWN,
 * Redlock and NextID with a cluster among their masters, and a password-protected cluster.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/test_fixture.h"

static unsigned slot_of(const char *key)
{
    return pottery__key_slot(key, strlen(key));
}

/* A master other than the one serving slot. */
static size_t other_master(unsigned slot)
{
    int owner = test_cluster_master_of_slot(&cluster, slot);
    assert_true(owner >= 0);
    for (size_t i = 0; i < test_cluster_count(&cluster); i++)
        if ((int)i != owner && test_cluster_role_of(&cluster, i) == TEST_CLUSTER_MASTER) return i;
    fail_msg("no other master");
    return 0;
}

static pottery_dict *open_dict(const char *key)
{
    pottery_dict *d = NULL;
    assert_ok(pottery_dict_open(&d, client, key, NULL));
    return d;
}

static void test_calls_run_on_the_master_of_their_slot(void **state)
{
    (void)state;
    enum { N = 48 };
    int seen[TEST_CLUSTER_MAX_NODES] = { 0 };
    for (int i = 0; i < N; i++) {
        char key[32];
        snprintf(key, sizeof key, "route:%d", i);
        pottery_dict *d = open_dict(key);
        assert_round_trips(1, pottery_dict_set(d, pottery_str("f"), pottery_int(i)));
        pottery_value v = POTTERY_VALUE_INIT;
        assert_round_trips(1, pottery_dict_get(&v, d, pottery_str("f")));
        assert_int_equal(i, pottery_value_int(&v));
        pottery_value_dispose(&v);
        pottery_dict_free(d);
        /* Straight from the node serving the key. */
        int owner = test_cluster_master_of_slot(&cluster, slot_of(key));
        assert_true(owner >= 0);
        seen[owner]++;
        char expected[16];
        snprintf(expected, sizeof expected, "%d", i);
        assert_raw(expected, test_redis_cmdv(test_cluster_server(&cluster, (size_t)owner), "HGET", key, "\"f\"",
                                             (const char *)NULL));
    }
    int masters_used = 0;
    for (size_t i = 0; i < TEST_CLUSTER_MAX_NODES; i++) masters_used += seen[i] > 0;
    assert_int_equal(3, masters_used);
    /* One round trip per call: nothing more was asked (no slot map refresh). */
    assert_int_equal(2 * N, (int)round_trips());
    assert_int_equal(0, (int)stats().reconnects);
}

static void test_cross_slot_calls_are_refused_before_sending(void **state)
{
    (void)state;
    assert_int_not_equal(slot_of("a"), slot_of("b"));
    pottery_cmd cmds[2];
    build_cmd(&cmds[0], "SET", "a", "1", (const char *)NULL);
    build_cmd(&cmds[1], "SET", "b", "1", (const char *)NULL);
    assert_code(POTTERY_ECROSSSLOT, pottery__exec_pipeline(NULL, client, cmds, 2));
    assert_message_contains("hash tag");
    assert_code(POTTERY_ECROSSSLOT, pottery__exec_multi(NULL, client, cmds, 2));
    pottery_cmd mset;
    build_cmd(&mset, "MSET", "a", "1", "b", "2", (const char *)NULL);
    assert_code(POTTERY_ECROSSSLOT, pottery__exec(NULL, client, &mset));
    static const pottery_script both = { "both", "return redis.call('GET', KEYS[1])" };
    pottery_cmd args;
    build_cmd(&args, "a", "b", (const char *)NULL);
    assert_code(POTTERY_ECROSSSLOT, pottery__eval(NULL, client, &both, 2, &args));
    assert_int_equal(0, (int)commands()); /* nothing was sent */
    assert_raw("0", raw("EXISTS", "a", NULL));
    assert_raw("0", raw("EXISTS", "b", NULL));
    for (int i = 0; i < 2; i++) pottery__cmd_free(&cmds[i]);
    pottery__cmd_free(&mset);
    pottery__cmd_free(&args);

    /* The same keys behind one hash tag: one slot, one round trip. */
    build_cmd(&cmds[0], "SET", "{t}a", "1", (const char *)NULL);
    build_cmd(&cmds[1], "SET", "{t}b", "2", (const char *)NULL);
    assert_round_trips(1, pottery__exec_multi(NULL, client, cmds, 2));
    build_cmd(&args, "{t}a", "{t}b", (const char *)NULL);
    pottery_reply *r = NULL;
    assert_round_trips(1, pottery__eval(&r, client, &both, 2, &args));
    pottery__reply_free(r);
    assert_raw("2", raw("GET", "{t}b", NULL));
    for (int i = 0; i < 2; i++) pottery__cmd_free(&cmds[i]);
    pottery__cmd_free(&args);
}

/* Streams check every command's slot too, not only the first one's. */
static void test_streams_stay_in_one_slot(void **state)
{
    (void)state;
    pottery_cmd first, second;
    build_cmd(&first, "SADD", "a", "x", (const char *)NULL);
    build_cmd(&second, "SADD", "b", "y", (const char *)NULL);
    pottery_stream_txn t;
    pottery__stream_txn_begin(&t, client);
    pottery__stream_txn_send(&t, &first);
    pottery__stream_txn_send(&t, &second);
    assert_code(POTTERY_ECROSSSLOT, pottery__stream_txn_finish(NULL, &t));
    assert_message_contains("hash tag");
    assert_raw("0", raw("EXISTS", "a", NULL)); /* DISCARD: nothing written */
    assert_raw("0", raw("EXISTS", "b", NULL));

    /* send / recv: the command in another slot is refused, the stream goes on. */
    assert_ok(pottery__send(client, &first));
    assert_code(POTTERY_ECROSSSLOT, pottery__send(client, &second));
    pottery_reply *r = NULL;
    assert_ok(pottery__recv(&r, client));
    long long added = 0;
    assert_ok(pottery__reply_int(&added, r, "SADD"));
    assert_int_equal(1, added);
    pottery__reply_free(r);
    assert_code(POTTERY_ESTATE, pottery__recv(&r, client)); /* the stream is over */
    assert_round_trips(1, pottery__exec(NULL, client, &first));
    pottery__cmd_free(&first);
    pottery__cmd_free(&second);
}

static void test_ask_during_a_slot_migration(void **state)
{
    (void)state;
    const char *key = "migrating:dict";
    unsigned slot = slot_of(key);
    pottery_dict *d = open_dict(key);
    assert_ok(pottery_dict_set(d, pottery_str("x"), pottery_int(1)));
    size_t to = other_master(slot);
    int from = test_cluster_master_of_slot(&cluster, slot);

    assert_int_equal(0, test_cluster_migrate_begin(&cluster, slot, to));
    assert_int_equal(1, test_cluster_migrate_keys(&cluster, slot, 100)); /* the dict has moved */
    pottery_client_stats_reset(client);

    /* The old owner answers ASK; the call goes to the importing node behind ASKING. */
    pottery_value v = POTTERY_VALUE_INIT;
    assert_round_trips(2, pottery_dict_get(&v, d, pottery_str("x")));
    assert_int_equal(1, pottery_value_int(&v));
    assert_round_trips(2, pottery_dict_set(d, pottery_str("y"), pottery_int(2)));
    /* ASK does not change the map: the old owner still serves the slot's other keys. */
    pottery_dict *stay = open_dict("{migrating:dict}new");
    assert_round_trips(2, pottery_dict_set(stay, pottery_str("z"), pottery_int(3))); /* new keys go to the target */
    assert_raw("2", raw("HGET", key, "\"y\"", NULL));                                /* raw() follows the ASK too */
    assert_raw("3", raw("HGET", "{migrating:dict}new", "\"z\"", NULL));
    pottery_value_dispose(&v);
    assert_int_equal(0, (int)stats().reconnects);

    /* The migration ends: MOVED once, the map is learnt again, then one round trip. */
    assert_int_equal(0, test_cluster_migrate_end(&cluster, slot));
    assert_int_equal((int)to, test_cluster_master_of_slot(&cluster, slot));
    assert_ok(pottery_dict_get(&v, d, pottery_str("y")));
    assert_int_equal(2, pottery_value_int(&v));
    assert_round_trips(1, pottery_dict_get(&v, d, pottery_str("x")));
    assert_int_equal(1, pottery_value_int(&v));
    assert_round_trips(1, pottery_dict_get(&v, stay, pottery_str("z")));
    assert_int_equal(3, pottery_value_int(&v));
    pottery_value_dispose(&v);
    assert_raw("0", test_redis_cmdv(test_cluster_server(&cluster, (size_t)from), "DBSIZE", (const char *)NULL));
    pottery_dict_free(stay);
    pottery_dict_free(d);
}

/* A list and a counter written call after call while their slot moves to another master:
 * every call succeeds, and what is stored is exactly what was written, once. */
static void test_resharding_in_the_middle_of_a_run(void **state)
{
    (void)state;
    enum { N = 600 };
    const char *lkey = "{reshard}list", *ckey = "{reshard}counter";
    unsigned slot = slot_of(lkey);
    size_t to = other_master(slot);
    pottery_list *l = NULL;
    pottery_counter *c = NULL;
    assert_ok(pottery_list_open(&l, client, lkey, NULL));
    assert_ok(pottery_counter_open(&c, client, ckey, NULL));
    for (int i = 0; i < N; i++) {
        if (i == N / 3) assert_int_equal(0, test_cluster_migrate_begin(&cluster, slot, to));
        if (i == N / 2) assert_true(test_cluster_migrate_keys(&cluster, slot, 1) >= 0); /* one key moves first */
        if (i == 2 * N / 3) assert_int_equal(0, test_cluster_migrate_end(&cluster, slot));
        assert_ok(pottery_list_append(l, pottery_int(i)));
        assert_ok(pottery_counter_incr(NULL, c, pottery_str("n"), 1));
    }
    assert_int_equal((int)to, test_cluster_master_of_slot(&cluster, slot));
    int64_t len = -1;
    assert_ok(pottery_list_len(&len, l));
    assert_int_equal(N, len);
    for (int i = 0; i < N; i += 37) {
        pottery_value v = POTTERY_VALUE_INIT;
        assert_ok(pottery_list_get(&v, l, i));
        assert_int_equal(i, pottery_value_int(&v));
        pottery_value_dispose(&v);
    }
    int64_t n = 0;
    assert_ok(pottery_counter_get(&n, c, pottery_str("n")));
    assert_int_equal(N, n);
    char expected[16];
    snprintf(expected, sizeof expected, "%d", N);
    assert_raw(expected, test_redis_cmdv(test_cluster_server(&cluster, to), "LLEN", lkey, (const char *)NULL));
    pottery_list_free(l);
    pottery_counter_free(c);
}

/* Wait until master's replicas have every write it has (its replication offset). */
static void wait_replicated(size_t master)
{
    for (int tries = 0; tries < 200; tries++) {
        char *info = test_redis_cmdv(test_cluster_server(&cluster, master), "INFO", "replication", (const char *)NULL);
        assert_non_null(info);
        const char *mo = strstr(info, "master_repl_offset:");
        const char *so = strstr(info, ",offset=");
        int done = mo && so && atoll(mo + 19) == atoll(so + 8);
        free(info);
        if (done) return;
        usleep(10 * 1000);
    }
    fail_msg("the replica did not catch up");
}

static void test_failover_to_a_replica(void **state)
{
    (void)state;
    const char *key = "failover:dict";
    pottery_dict *d = open_dict(key);
    assert_ok(pottery_dict_set(d, pottery_str("before"), pottery_int(1)));
    int owner = test_cluster_master_of_slot(&cluster, slot_of(key));
    assert_true(owner >= 0);
    wait_replicated((size_t)owner);
    test_cluster_kill(&cluster, (size_t)owner);

    /* Calls fail cleanly while the cluster fails over, then reach the promoted replica
     * through the same client and handle. */
    int failures = 0, done = 0;
    for (int tries = 0; tries < 400 && !done; tries++) {
        pottery_value v = POTTERY_VALUE_INIT;
        int rc = pottery_dict_get(&v, d, pottery_str("before"));
        if (rc == 0) {
            assert_int_equal(1, pottery_value_int(&v)); /* the acknowledged, replicated write */
            done = 1;
        } else {
            if (rc != POTTERY_ECONN && rc != POTTERY_ETIMEOUT && rc != POTTERY_ECLUSTER)
                fail_msg("unexpected %s: %s", pottery_test_code_name(rc), pottery_error_last()->message);
            failures++;
            usleep(50 * 1000);
        }
        pottery_value_dispose(&v);
    }
    assert_true(done);
    assert_true(failures >= 1); /* the first call after the kill cannot have succeeded */
    int promoted = test_cluster_wait_promoted(&cluster, (size_t)owner, 10000);
    assert_true(promoted >= 0);
    assert_ok(pottery_dict_set(d, pottery_str("after"), pottery_int(2)));
    assert_raw("2", test_redis_cmdv(test_cluster_server(&cluster, (size_t)promoted), "HGET", key, "\"after\"",
                                    (const char *)NULL));
    pottery_dict_free(d);
}

static void test_redlock_and_nextid_with_a_cluster_master(void **state)
{
    (void)state;
    test_redis solo[2];
    assert_int_equal(0, test_redis_start_n(solo, 2, NULL));
    pottery_client *masters3[3] = { client, NULL, NULL };
    for (int i = 0; i < 2; i++) masters3[i + 1] = open_client(solo[i].url, NULL);

    pottery_redlock *lock = NULL;
    assert_ok(pottery_redlock_new(&lock, "printer", masters3, 3, NULL));
    int acquired = 0;
    assert_ok(pottery_redlock_acquire(&acquired, lock, 0, POTTERY_FOREVER));
    assert_true(acquired);
    assert_raw("1", raw("EXISTS", "redlock:printer", NULL)); /* on the cluster node serving the key */
    for (int i = 0; i < 2; i++)
        assert_raw("1", test_redis_cmdv(&solo[i], "EXISTS", "redlock:printer", (const char *)NULL));
    int64_t validity = 0;
    assert_ok(pottery_redlock_locked(&validity, lock));
    assert_true(validity > 0);
    assert_ok(pottery_redlock_release(lock));
    assert_raw("0", raw("EXISTS", "redlock:printer", NULL));

    /* The lock's slot moves: the cluster's vote is lost once (MOVED; two of three masters
     * still grant the lock), and the next acquire reaches the new owner. */
    unsigned slot = slot_of("redlock:printer");
    assert_int_equal(0, test_cluster_move_slot(&cluster, slot, other_master(slot)));
    assert_ok(pottery_redlock_acquire(&acquired, lock, 0, POTTERY_FOREVER));
    assert_true(acquired);
    assert_raw("0", raw("EXISTS", "redlock:printer", NULL));
    assert_ok(pottery_redlock_release(lock));
    assert_ok(pottery_redlock_acquire(&acquired, lock, 0, POTTERY_FOREVER));
    assert_true(acquired);
    assert_raw("1", raw("EXISTS", "redlock:printer", NULL));
    assert_ok(pottery_redlock_release(lock));
    pottery_redlock_free(lock);

    pottery_nextid *ids = NULL;
    assert_ok(pottery_nextid_new(&ids, masters3, 3, NULL));
    int64_t last = 0;
    for (int i = 0; i < 20; i++) {
        int64_t id = 0;
        assert_ok(pottery_nextid_next(&id, ids));
        assert_true(id > last);
        last = id;
    }
    char expected[16];
    snprintf(expected, sizeof expected, "%lld", (long long)last);
    assert_raw(expected, raw("GET", "nextid:current", NULL));
    pottery_nextid_free(ids);
    for (int i = 0; i < 2; i++) pottery_client_free(masters3[i + 1]);
    test_redis_stop_n(solo, 2);
}

static void test_password_protected_cluster(void **state)
{
    (void)state;
    test_cluster secured;
    test_redis_options o = TEST_REDIS_OPTIONS_INIT;
    o.requirepass = "s3cret";
    assert_int_equal(0, test_cluster_start_opts(&secured, 3, 0, &o));
    char url[512], with_password[600];
    assert_int_equal(0, test_cluster_url(&secured, url, sizeof url));
    snprintf(with_password, sizeof with_password, "redis+cluster://:s3cret@%s", url + strlen("redis+cluster://"));

    pottery_client *c = NULL;
    assert_ok(pottery_client_open(&c, with_password, NULL));
    pottery_dict *d = NULL;
    for (int i = 0; i < 8; i++) { /* keys on every master: each connection authenticated */
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        assert_ok(pottery_dict_open(&d, c, key, NULL));
        assert_ok(pottery_dict_set(d, pottery_str("f"), pottery_int(i)));
        pottery_dict_free(d);
    }
    pottery_client_free(c);

    pottery_client_options opts;
    pottery_client_options_init(&opts);
    opts.password = "s3cret";
    assert_ok(pottery_client_open(&c, url, &opts));
    pottery_client_free(c);

    int rc = pottery_client_open(&c, url, NULL);
    assert_true(rc == POTTERY_ECLUSTER || rc == POTTERY_EREDIS);
    assert_message_contains("NOAUTH");
    assert_null(c);
    test_cluster_stop(&secured);
}

static void test_seed_nodes_through_the_options(void **state)
{
    (void)state;
    char seed1[32], seed2[32];
    snprintf(seed1, sizeof seed1, "127.0.0.1:%d", test_cluster_port(&cluster, 0));
    snprintf(seed2, sizeof seed2, "127.0.0.1:%d", test_cluster_port(&cluster, 1));
    const char *nodes[] = { seed1, seed2 };
    pottery_client_options opts;
    pottery_client_options_init(&opts);
    opts.cluster_nodes = nodes;
    opts.cluster_nnodes = 2;
    pottery_client *c = NULL;
    assert_ok(pottery_client_open(&c, NULL, &opts));
    pottery_dict *d = NULL;
    assert_ok(pottery_dict_open(&d, c, "by-options", NULL));
    assert_ok(pottery_dict_set(d, pottery_str("f"), pottery_int(7)));
    assert_raw("7", raw("HGET", "by-options", "\"f\"", NULL));
    pottery_dict_free(d);
    pottery_client_free(c);

    char url[512];
    assert_int_equal(0, test_cluster_url(&cluster, url, sizeof url));
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, url, &opts)); /* both */
    assert_message_contains("not both");
    opts.db = 2;
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, NULL, &opts));
    assert_message_contains("database 0 only");
    opts.db = -1;
    const char *bad[] = { seed1, "host:x" };
    opts.cluster_nodes = bad;
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, NULL, &opts));
    const char *empty[] = { "" };
    opts.cluster_nodes = empty;
    opts.cluster_nnodes = 1;
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, NULL, &opts));
    opts.cluster_nodes = NULL;
    assert_code(POTTERY_EINVAL, pottery_client_open(&c, NULL, &opts));
    assert_message_contains("no cluster node");
    assert_null(c);

    /* A program built against version 1 of the options has no such members: whatever
     * follows db in its memory is never read. */
    opts.version = 1;
    opts.cluster_nodes = bad;
    opts.cluster_nnodes = 99;
    assert_ok(pottery_client_open(&c, url, &opts));
    pottery_client_free(c);
}

/* A pool of cluster clients: threads share counters whose keys are spread over the
 * masters; every increment lands exactly once. */
enum { POOL_THREADS = 4, POOL_INCRS = 480, POOL_KEYS = 12 };
static pottery_counter *pooled[POOL_KEYS];

static void *pool_worker(void *arg)
{
    long failures = 0;
    (void)arg;
    for (int i = 0; i < POOL_INCRS; i++)
        if (pottery_counter_incr(NULL, pooled[i % POOL_KEYS], pottery_str("n"), 1) < 0) failures++;
    return (void *)failures;
}

static void test_pool_of_cluster_clients(void **state)
{
    (void)state;
    char url[512];
    assert_int_equal(0, test_cluster_url(&cluster, url, sizeof url));
    pottery_pool_options po;
    pottery_pool_options_init(&po);
    po.size = 3;
    pottery_pool *pool = NULL;
    assert_ok(pottery_pool_open(&pool, url, &po));
    for (int k = 0; k < POOL_KEYS; k++) {
        char key[32];
        snprintf(key, sizeof key, "pooled:%d", k);
        assert_ok(pottery_counter_open(&pooled[k], pottery_pool_client(pool), key, NULL));
    }
    pthread_t threads[POOL_THREADS];
    for (int t = 0; t < POOL_THREADS; t++) assert_int_equal(0, pthread_create(&threads[t], NULL, pool_worker, NULL));
    for (int t = 0; t < POOL_THREADS; t++) {
        void *failures = NULL;
        pthread_join(threads[t], &failures);
        assert_int_equal(0, (long)failures);
    }
    char expected[16];
    snprintf(expected, sizeof expected, "%d", POOL_THREADS * POOL_INCRS / POOL_KEYS);
    for (int k = 0; k < POOL_KEYS; k++) {
        assert_raw(expected, raw("HGET", pottery_counter_key(pooled[k]), "\"n\"", NULL));
        pottery_counter_free(pooled[k]);
    }
    pottery_pool_stats ps;
    pottery_pool_stats_get(&ps, pool);
    assert_true(ps.open >= 1 && ps.open <= 3);
    pottery_client_stats cs;
    pottery_client_stats_get(&cs, pottery_pool_client(pool));
    /* One per increment, and one CLUSTER SLOTS as each member opened. */
    assert_int_equal(POOL_THREADS * POOL_INCRS + (int)ps.open, (int)cs.round_trips);
    pottery_pool_free(pool);
}

/* Last: a master and its replica both killed. With full coverage required (the default),
 * the cluster stops serving: CLUSTERDOWN is POTTERY_ECLUSTER. */
static void test_clusterdown(void **state)
{
    (void)state;
    const char *key = "down:dict";
    pottery_dict *d = open_dict(key);
    unsigned slot = slot_of(key);
    size_t victim = other_master(slot);
    int replica = test_cluster_replica(&cluster, victim, 0);
    assert_true(replica >= 0);
    test_cluster_kill(&cluster, (size_t)replica);
    test_cluster_kill(&cluster, victim);
    int rc = 0;
    for (int tries = 0; tries < 200 && rc != POTTERY_ECLUSTER; tries++) {
        rc = pottery_dict_set(d, pottery_str("f"), pottery_int(1));
        if (rc != POTTERY_ECLUSTER) usleep(50 * 1000);
    }
    assert_int_equal(POTTERY_ECLUSTER, rc);
    assert_message_contains("CLUSTERDOWN");
    pottery_dict_free(d);
}

int main(void)
{
    setenv("POTTERY_TEST_CLUSTER", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_calls_run_on_the_master_of_their_slot, fixture_reset),
        cmocka_unit_test_setup(test_cross_slot_calls_are_refused_before_sending, fixture_reset),
        cmocka_unit_test_setup(test_streams_stay_in_one_slot, fixture_reset),
        cmocka_unit_test_setup(test_ask_during_a_slot_migration, fixture_reset),
        cmocka_unit_test_setup(test_resharding_in_the_middle_of_a_run, fixture_reset),
        cmocka_unit_test_setup(test_failover_to_a_replica, fixture_reset),
        cmocka_unit_test_setup(test_redlock_and_nextid_with_a_cluster_master, fixture_reset),
        cmocka_unit_test_setup(test_password_protected_cluster, fixture_reset),
        cmocka_unit_test_setup(test_seed_nodes_through_the_options, fixture_reset),
        cmocka_unit_test_setup(test_pool_of_cluster_clients, fixture_reset),
        cmocka_unit_test_setup(test_clusterdown, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
