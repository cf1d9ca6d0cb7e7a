/*
 * Tests of the private redis-server harness itself (tests/support/redis_server.h and
 * tests/support/redis_cluster.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <hiredis/hiredis.h>

#include "support/redis_cluster.h"
#include "support/redis_server.h"
#include "support/redis_server_impl.h" /* a raw connection, for SET then WAIT on it */
#include "support/test_util.h"

/* Run a command through the harness and compare its rendering with `expected`. */
#define expect_cmd(s, expected, ...) assert_raw((expected), test_redis_cmdv((s), __VA_ARGS__))
/* The same through the cluster's routing. */
#define expect_cmd_cl(expected, ...) assert_raw((expected), test_cluster_cmdv(&cl, __VA_ARGS__))

static int process_gone(pid_t pid)
{
    return kill(pid, 0) < 0 && errno == ESRCH;
}

static int dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_free_port_works(void **state)
{
    (void)state;
    int p = test_free_port();
    assert_true(p > 0 && p < 65536);
}

static void test_tcp_server(void **state)
{
    (void)state;
    test_redis s;
    assert_int_equal(test_redis_start(&s, NULL), 0);
    assert_true(s.pid > 0);
    assert_true(s.port > 0);
    assert_string_equal(s.socket_path, "");
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", s.port);
    assert_string_equal(s.url, url);
    assert_true(dir_exists(s.dir));
    assert_int_equal(kill(s.pid, 0), 0);

    char *r = test_redis_cmdv(&s, "SET", "k", "hello", NULL);
    assert_non_null(r);
    assert_string_equal(r, "OK");
    free(r);
    r = test_redis_cmdv(&s, "GET", "k", NULL);
    assert_non_null(r);
    assert_string_equal(r, "hello");
    free(r);

    /* Persistence is off and the server is bound to loopback. */
    expect_cmd(&s, "save\n", "CONFIG", "GET", "save", NULL);
    expect_cmd(&s, "appendonly\nno", "CONFIG", "GET", "appendonly", NULL);
    expect_cmd(&s, "bind\n127.0.0.1", "CONFIG", "GET", "bind", NULL);

    pid_t pid = s.pid;
    char dir[sizeof s.dir];
    memcpy(dir, s.dir, sizeof dir);
    test_redis_stop(&s);
    assert_true(process_gone(pid));
    assert_false(dir_exists(dir));
    assert_int_equal(s.pid, 0);
    assert_null(test_redis_cmdv(&s, "PING", NULL));
    test_redis_stop(&s); /* idempotent */
    test_redis_stop(&s);
}

static void test_unix_server(void **state)
{
    (void)state;
    test_redis_options o = TEST_REDIS_OPTIONS_INIT;
    o.use_unix_socket = 1;
    test_redis s;
    assert_int_equal(test_redis_start(&s, &o), 0);
    assert_int_equal(s.port, 0);
    assert_true(s.socket_path[0] == '/');
    assert_true(strncmp(s.socket_path, s.dir, strlen(s.dir)) == 0);
    struct stat st;
    assert_int_equal(stat(s.socket_path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    char url[600];
    snprintf(url, sizeof url, "unix://%s?db=0", s.socket_path);
    assert_string_equal(s.url, url);

    expect_cmd(&s, "port\n0", "CONFIG", "GET", "port", NULL); /* no TCP listener */
    expect_cmd(&s, "OK", "SET", "k", "v", NULL);
    expect_cmd(&s, "v", "GET", "k", NULL);

    pid_t pid = s.pid;
    test_redis_stop(&s);
    assert_true(process_gone(pid));
    test_redis_stop(&s);
}

static void test_reply_rendering(void **state)
{
    (void)state;
    test_redis s;
    assert_int_equal(test_redis_start(&s, NULL), 0);
    expect_cmd(&s, "PONG", "PING", NULL);
    expect_cmd(&s, "(nil)", "GET", "missing", NULL);
    expect_cmd(&s, "3", "RPUSH", "l", "a", "b", "c", NULL);
    expect_cmd(&s, "a\nb\nc", "LRANGE", "l", "0", "-1", NULL);
    expect_cmd(&s, "", "LRANGE", "nothing", "0", "-1", NULL);
    expect_cmd(&s, "-5", "INCRBY", "n", "-5", NULL);
    expect_cmd(&s, "OK", "SET", "a", "x", NULL);
    expect_cmd(&s, "x\n(nil)", "MGET", "a", "missing", NULL);

    /* binary-safe arguments */
    const char *argv[3] = { "SET", "bin", "a\0b" };
    size_t lens[3] = { 3, 3, 3 };
    char *r = test_redis_cmd(&s, 3, argv, lens);
    assert_non_null(r);
    assert_string_equal(r, "OK");
    free(r);
    expect_cmd(&s, "3", "STRLEN", "bin", NULL);

    r = test_redis_cmdv(&s, "NOSUCHCOMMAND", NULL);
    assert_non_null(r);
    assert_true(strncmp(r, "ERR: ERR unknown command", 24) == 0);
    free(r);
    r = test_redis_cmdv(&s, "INCR", "l", NULL);
    assert_non_null(r);
    assert_true(strncmp(r, "ERR: WRONGTYPE", 14) == 0);
    free(r);
    test_redis_stop(&s);
}

static void test_kill_restart(void **state)
{
    (void)state;
    test_redis s;
    assert_int_equal(test_redis_start(&s, NULL), 0);
    int port = s.port;
    pid_t pid = s.pid;
    expect_cmd(&s, "OK", "SET", "k", "v", NULL);

    test_redis_kill(&s);
    assert_int_equal(s.pid, 0);
    assert_true(process_gone(pid));
    assert_null(test_redis_cmdv(&s, "GET", "k", NULL)); /* a dead master */
    test_redis_kill(&s);                                /* harmless twice */

    assert_int_equal(test_redis_restart(&s), 0);
    assert_int_equal(s.port, port);
    assert_true(s.pid > 0 && s.pid != pid);
    expect_cmd(&s, "(nil)", "GET", "k", NULL); /* empty dataset */
    expect_cmd(&s, "OK", "SET", "k", "v2", NULL);

    /* restart of a running server kills it first */
    pid_t pid2 = s.pid;
    assert_int_equal(test_redis_restart(&s), 0);
    assert_true(process_gone(pid2));
    assert_int_equal(s.port, port);
    expect_cmd(&s, "(nil)", "GET", "k", NULL);

    /* restart after stop works too */
    test_redis_stop(&s);
    assert_int_equal(test_redis_restart(&s), 0);
    assert_int_equal(s.port, port);
    expect_cmd(&s, "PONG", "PING", NULL);
    test_redis_stop(&s);
}

static void test_unix_kill_restart(void **state)
{
    (void)state;
    test_redis_options o = TEST_REDIS_OPTIONS_INIT;
    o.use_unix_socket = 1;
    test_redis s;
    assert_int_equal(test_redis_start(&s, &o), 0);
    char path[sizeof s.socket_path];
    memcpy(path, s.socket_path, sizeof path);
    expect_cmd(&s, "OK", "SET", "k", "v", NULL);
    test_redis_kill(&s);
    assert_null(test_redis_cmdv(&s, "PING", NULL));
    assert_int_equal(test_redis_restart(&s), 0);
    assert_string_equal(s.socket_path, path);
    expect_cmd(&s, "(nil)", "GET", "k", NULL);
    test_redis_stop(&s);
    assert_int_equal(test_redis_restart(&s), 0);
    assert_string_equal(s.socket_path, path);
    expect_cmd(&s, "PONG", "PING", NULL);
    test_redis_stop(&s);
}

static void test_password(void **state)
{
    (void)state;
    test_redis_options o = TEST_REDIS_OPTIONS_INIT;
    o.requirepass = "s3cret";
    test_redis s;
    assert_int_equal(test_redis_start(&s, &o), 0);
    /* The URL carries no password. */
    assert_null(strchr(s.url, '@'));

    /* Harness commands authenticate by themselves. */
    expect_cmd(&s, "OK", "SET", "k", "v", NULL);
    expect_cmd(&s, "default", "ACL", "WHOAMI", NULL);

    /* A raw connection without AUTH is refused; with the wrong password too. */
    redisContext *c = redisConnect("127.0.0.1", s.port);
    assert_non_null(c);
    assert_int_equal(c->err, 0);
    redisReply *r = redisCommand(c, "GET k");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_ERROR);
    assert_true(strncmp(r->str, "NOAUTH", 6) == 0);
    freeReplyObject(r);
    r = redisCommand(c, "AUTH %s", "wrong");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    r = redisCommand(c, "AUTH %s", "s3cret");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STATUS);
    freeReplyObject(r);
    r = redisCommand(c, "GET k");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_string_equal(r->str, "v");
    freeReplyObject(r);
    redisFree(c);

    /* Restart keeps the password. */
    assert_int_equal(test_redis_restart(&s), 0);
    expect_cmd(&s, "(nil)", "GET", "k", NULL);
    c = redisConnect("127.0.0.1", s.port);
    assert_non_null(c);
    r = redisCommand(c, "PING");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    redisFree(c);
    test_redis_stop(&s);
}

static void test_acl_user(void **state)
{
    (void)state;
    test_redis_options o = TEST_REDIS_OPTIONS_INIT;
    o.requirepass = "defaultpass";
    o.acl_user = "alice";
    o.acl_password = "wonderland";
    test_redis s;
    assert_int_equal(test_redis_start(&s, &o), 0);
    expect_cmd(&s, "alice", "ACL", "WHOAMI", NULL); /* the harness uses the ACL user */
    expect_cmd(&s, "OK", "SET", "k", "v", NULL);

    redisContext *c = redisConnect("127.0.0.1", s.port);
    assert_non_null(c);
    assert_int_equal(c->err, 0);
    redisReply *r = redisCommand(c, "GET k");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    r = redisCommand(c, "AUTH %s %s", "alice", "wrong");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    r = redisCommand(c, "AUTH %s %s", "alice", "wonderland");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STATUS);
    freeReplyObject(r);
    r = redisCommand(c, "GET k");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_string_equal(r->str, "v");
    freeReplyObject(r);
    r = redisCommand(c, "AUTH %s", "defaultpass"); /* default user still works */
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STATUS);
    freeReplyObject(r);
    redisFree(c);
    test_redis_stop(&s);
}

static void test_five_masters(void **state)
{
    (void)state;
    test_redis s[5];
    for (int i = 0; i < 5; i++) assert_int_equal(test_redis_start(&s[i], NULL), 0);
    for (int i = 0; i < 5; i++) {
        for (int j = i + 1; j < 5; j++) {
            assert_int_not_equal(s[i].port, s[j].port);
            assert_string_not_equal(s[i].dir, s[j].dir);
        }
        char v[8];
        snprintf(v, sizeof v, "%d", i);
        expect_cmd(&s[i], "OK", "SET", "who", v, NULL);
    }
    for (int i = 0; i < 5; i++) {
        char v[8];
        snprintf(v, sizeof v, "%d", i);
        expect_cmd(&s[i], v, "GET", "who", NULL);
    }
    /* one dead master does not disturb the others */
    test_redis_kill(&s[2]);
    assert_null(test_redis_cmdv(&s[2], "PING", NULL));
    expect_cmd(&s[3], "3", "GET", "who", NULL);
    assert_int_equal(test_redis_restart(&s[2]), 0);
    expect_cmd(&s[2], "(nil)", "GET", "who", NULL);
    for (int i = 0; i < 5; i++) {
        pid_t pid = s[i].pid;
        test_redis_stop(&s[i]);
        assert_true(process_gone(pid));
    }
}

/* Wait (up to 10 s) for an orphaned server, reparented to us as subreaper, to die. */
static int reap_orphan(pid_t pid, int *status)
{
    for (int i = 0; i < 1000; i++) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid) return 0;
        if (r < 0) return -1;
        sleep_ms(10);
    }
    return -1;
}

/* A child test process starts a server, reports its pid and dir, then ends by `how`:
 * 'x' exit() (atexit handler), 'c' _exit() without cleanup (parent-death signal). */
static void run_child_and_check(char how)
{
    /* A server of our own that the child's exit must not touch. */
    test_redis mine;
    assert_int_equal(test_redis_start(&mine, NULL), 0);

    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        close(fds[0]);
        test_redis s;
        if (test_redis_start(&s, NULL) != 0) _exit(2);
        char msg[512];
        int n = snprintf(msg, sizeof msg, "%ld %s", (long)s.pid, s.dir);
        if (write(fds[1], msg, (size_t)n) != n) _exit(3);
        close(fds[1]);
        if (how == 'x') exit(0);
        _exit(0);
    }
    close(fds[1]);
    char msg[512];
    ssize_t n = read(fds[0], msg, sizeof msg - 1);
    close(fds[0]);
    assert_int_equal(wait_exit_code(child), 0);
    assert_true(n > 0);
    msg[n] = '\0';
    long spid = 0;
    char sdir[300];
    assert_int_equal(sscanf(msg, "%ld %299s", &spid, sdir), 2);
    assert_true(spid > 0);

    /* The orphaned server dies (it was either reaped by the child's atexit handler, or
     * killed by SIGKILL from the parent-death signal and reparented to us). */
    int sst = 0;
    if (reap_orphan((pid_t)spid, &sst) == 0) {
        assert_true(WIFSIGNALED(sst));
        assert_int_equal(WTERMSIG(sst), SIGKILL);
    }
    assert_true(process_gone((pid_t)spid));
    if (how == 'x') {
        assert_false(dir_exists(sdir)); /* the atexit handler cleaned up */
    } else {
        /* no cleanup ran: remove the leftover directory ourselves */
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", sdir);
        assert_int_equal(system(cmd), 0);
    }
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);

    /* Our own server survived the child's exit. */
    assert_int_equal(kill(mine.pid, 0), 0);
    expect_cmd(&mine, "PONG", "PING", NULL);
    test_redis_stop(&mine);
}

static void test_atexit_kills_servers(void **state)
{
    (void)state;
    run_child_and_check('x');
}

static void test_parent_death_kills_servers(void **state)
{
    (void)state;
    run_child_and_check('c');
}

/* ---- the private Redis Cluster ---- */

static test_cluster cl;

static int cluster_setup(void **state)
{
    (void)state;
    double start = now_ms();
    if (test_cluster_start(&cl, 3, 1) != 0) return -1;
    fprintf(stderr, "test_harness: a 3+3 cluster started in %.0f ms\n", now_ms() - start);
    return 0;
}

static int cluster_teardown(void **state)
{
    (void)state;
    test_cluster_stop(&cl);
    return 0;
}

/* The slot of key as Redis computes it (CLUSTER KEYSLOT on node 0). */
static unsigned keyslot(const char *key)
{
    char *r = test_redis_cmdv(test_cluster_server(&cl, 0), "CLUSTER", "KEYSLOT", key, NULL);
    assert_non_null(r);
    unsigned slot = (unsigned)strtoul(r, NULL, 10);
    free(r);
    return slot;
}

/* The node serving key's slot, as the harness says. */
static test_redis *owner_of(const char *key)
{
    int i = test_cluster_master_of_slot(&cl, keyslot(key));
    assert_true(i >= 0 && i < 3);
    return test_cluster_server(&cl, (size_t)i);
}

/* A master other than the one serving slot. */
static size_t other_master(unsigned slot)
{
    int i = test_cluster_master_of_slot(&cl, slot);
    assert_true(i >= 0);
    for (size_t m = 0; m < test_cluster_count(&cl); m++)
        if ((int)m != i && test_cluster_role_of(&cl, m) == TEST_CLUSTER_MASTER) return m;
    fail();
    return 0;
}

/* "MOVED <slot> 127.0.0.1:<port of node to>" (or ASK). */
static void expect_redirect(char *got, const char *kind, unsigned slot, size_t to)
{
    char expected[96];
    snprintf(expected, sizeof expected, "ERR: %s %u 127.0.0.1:%d", kind, slot, test_cluster_port(&cl, to));
    assert_raw(expected, got);
}

static void test_cluster_layout(void **state)
{
    (void)state;
    assert_int_equal(test_cluster_count(&cl), 6);
    for (size_t i = 0; i < 6; i++) {
        const test_redis *s = test_cluster_server(&cl, i);
        assert_true(s->pid > 0 && s->port > 0 && s->cluster_port > 0);
        assert_int_equal(test_cluster_port(&cl, i), s->port);
        assert_int_equal(test_cluster_index_of_port(&cl, s->port), (int)i);
        expect_cmd(s, "cluster-node-timeout\n1000", "CONFIG", "GET", "cluster-node-timeout", NULL);
        if (i < 3) {
            assert_int_equal(test_cluster_role_of(&cl, i), TEST_CLUSTER_MASTER);
            assert_int_equal(test_cluster_master_index(&cl, i), -1);
            int r = test_cluster_replica(&cl, i, 0);
            assert_true(r >= 3);
            assert_int_equal(test_cluster_master_index(&cl, (size_t)r), (int)i);
            assert_int_equal(test_cluster_replica(&cl, i, 1), -1);
        } else {
            assert_int_equal(test_cluster_role_of(&cl, i), TEST_CLUSTER_REPLICA);
            char *info = test_redis_cmdv(s, "INFO", "replication", NULL);
            assert_non_null(info);
            assert_contains(info, "master_link_status:up");
            free(info);
        }
    }
    char url[256], expected[256];
    assert_int_equal(test_cluster_url(&cl, url, sizeof url), 0);
    snprintf(expected, sizeof expected, "redis+cluster://127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d",
             test_cluster_port(&cl, 0), test_cluster_port(&cl, 1), test_cluster_port(&cl, 2));
    assert_string_equal(url, expected);
    assert_int_equal(test_cluster_url(&cl, url, 20), -1);

    /* Every node's own CLUSTER SLOTS: each slot once, served by a master, the same on all. */
    static int served[6][16384];
    for (size_t i = 0; i < 6; i++) {
        redisContext *c = redisConnect("127.0.0.1", test_cluster_port(&cl, i));
        assert_true(c && !c->err);
        redisReply *r = redisCommand(c, "CLUSTER SLOTS");
        assert_true(r && r->type == REDIS_REPLY_ARRAY);
        for (int s = 0; s < 16384; s++) served[i][s] = -1;
        for (size_t e = 0; e < r->elements; e++) {
            const redisReply *range = r->element[e];
            int port = (int)range->element[2]->element[1]->integer;
            int owner = test_cluster_index_of_port(&cl, port);
            assert_true(owner >= 0 && owner < 3);
            for (long long s = range->element[0]->integer; s <= range->element[1]->integer; s++) {
                assert_int_equal(served[i][s], -1);
                served[i][s] = owner;
            }
        }
        freeReplyObject(r);
        redisFree(c);
        for (int s = 0; s < 16384; s++) {
            assert_true(served[i][s] >= 0);
            assert_int_equal(served[i][s], served[0][s]);
        }
    }
    unsigned probes[] = { 0, 1, 5460, 5461, 10922, 10923, 16383 };
    for (size_t p = 0; p < sizeof probes / sizeof probes[0]; p++)
        assert_int_equal(test_cluster_master_of_slot(&cl, probes[p]), served[0][probes[p]]);
    assert_int_equal(test_cluster_master_of_slot(&cl, 16384), -1);
}

static void test_cluster_routing(void **state)
{
    (void)state;
    assert_int_equal(test_cluster_flushall(&cl), 0);
    const char *keys[] = { "a", "b", "c", "{user}:x", "{user}:y" };
    for (size_t k = 0; k < 5; k++) expect_cmd_cl("OK", "SET", keys[k], keys[k], NULL);
    for (size_t k = 0; k < 5; k++) {
        expect_cmd(owner_of(keys[k]), keys[k], "GET", keys[k], NULL); /* on its master itself */
        expect_cmd_cl(keys[k], "GET", keys[k], NULL);
        unsigned slot = keyslot(keys[k]);
        expect_redirect(test_redis_cmdv(test_cluster_server(&cl, other_master(slot)), "GET", keys[k], NULL), "MOVED",
                        slot, (size_t)test_cluster_master_of_slot(&cl, slot));
    }
    assert_int_equal(keyslot("{user}:x"), keyslot("{user}:y"));
    expect_cmd_cl("{user}:x\n{user}:y", "MGET", "{user}:x", "{user}:y", NULL); /* values are the keys */
    expect_cmd_cl("embstr", "OBJECT", "ENCODING", "c", NULL);                  /* the key is argv[2]: MOVED followed */
    expect_cmd_cl("5", "DBSIZE", NULL);                                        /* every master's */
    char *all = test_cluster_cmdv(&cl, "KEYS", "*", NULL);
    assert_non_null(all);
    assert_int_equal(strlen(all), strlen("a\nb\nc\n{user}:x\n{user}:y"));
    free(all);
    expect_cmd_cl("PONG", "PING", NULL);
    expect_cmd_cl("OK", "CONFIG", "SET", "slowlog-max-len", "129", NULL);
    for (size_t i = 0; i < 6; i++) /* replicas too */
        expect_cmd(test_cluster_server(&cl, i), "slowlog-max-len\n129", "CONFIG", "GET", "slowlog-max-len", NULL);
    assert_int_equal(test_cluster_flushall(&cl), 0);
    expect_cmd_cl("0", "DBSIZE", NULL);
    expect_cmd_cl("", "KEYS", "*", NULL);
}
static void test_cluster_move_slot_with_keys(void **state)
{
    (void)state;
    const char *keys[] = { "{mv}1", "{mv}2", "{mv}3" };
    unsigned slot = keyslot(keys[0]);
    int from = test_cluster_master_of_slot(&cl, slot);
    size_t to = other_master(slot);
    for (size_t k = 0; k < 3; k++) expect_cmd_cl("OK", "SET", keys[k], keys[k], NULL);
    assert_int_equal(test_cluster_move_slot(&cl, slot, to), 0);
    assert_int_equal(test_cluster_master_of_slot(&cl, slot), (int)to);
    for (size_t k = 0; k < 3; k++) {
        expect_cmd(test_cluster_server(&cl, to), keys[k], "GET", keys[k], NULL);
        expect_redirect(test_redis_cmdv(test_cluster_server(&cl, (size_t)from), "GET", keys[k], NULL), "MOVED", slot,
                        to);
        expect_cmd_cl(keys[k], "GET", keys[k], NULL);
    }
    char slot_text[16];
    snprintf(slot_text, sizeof slot_text, "%u", slot);
    expect_cmd(test_cluster_server(&cl, (size_t)from), "0", "CLUSTER", "COUNTKEYSINSLOT", slot_text, NULL);
    expect_cmd(test_cluster_server(&cl, to), "3", "CLUSTER", "COUNTKEYSINSLOT", slot_text, NULL);
    assert_int_equal(test_cluster_move_slot(&cl, slot, to), 0);           /* already there: nothing to do */
    assert_int_equal(test_cluster_move_slot(&cl, slot, (size_t)from), 0); /* and back */
    assert_int_equal(test_cluster_master_of_slot(&cl, slot), from);
    for (size_t k = 0; k < 3; k++) expect_cmd(test_cluster_server(&cl, (size_t)from), keys[k], "GET", keys[k], NULL);
}

static void test_cluster_migration_asks(void **state)
{
    (void)state;
    const char *moved = "{ask}a", *stays = "{ask}b";
    unsigned slot = keyslot(moved);
    int from = test_cluster_master_of_slot(&cl, slot);
    size_t to = other_master(slot);
    expect_cmd_cl("OK", "SET", moved, "1", NULL);
    expect_cmd_cl("OK", "SET", stays, "2", NULL);
    assert_int_equal(test_cluster_migrate_keys(&cl, slot, 1), -1); /* not begun */
    assert_int_equal(test_cluster_migrate_begin(&cl, slot, to), 0);
    assert_int_equal(test_cluster_migrate_begin(&cl, slot, to), -1); /* begun already */
    assert_int_equal(test_cluster_master_of_slot(&cl, slot), from);  /* still served by its owner */
    assert_int_equal(test_cluster_migrate_keys(&cl, slot, 1), 1);
    test_redis *owner = test_cluster_server(&cl, (size_t)from), *target = test_cluster_server(&cl, to);
    const char *first = NULL; /* GETKEYSINSLOT picks which one moves */
    char *r = test_redis_cmdv(owner, "GET", moved, NULL);
    assert_non_null(r);
    first = strncmp(r, "ERR: ASK", 8) == 0 ? moved : stays;
    free(r);
    const char *second = first == moved ? stays : moved;
    expect_redirect(test_redis_cmdv(owner, "GET", first, NULL), "ASK", slot, to);
    expect_redirect(test_redis_cmdv(target, "GET", first, NULL), "MOVED", slot, (size_t)from); /* without ASKING */
    expect_cmd(owner, first == moved ? "2" : "1", "GET", second, NULL);
    expect_cmd_cl("1", "GET", moved, NULL); /* ASK followed */
    expect_cmd_cl("2", "GET", stays, NULL);
    assert_int_equal(test_cluster_migrate_end(&cl, slot), 0);
    assert_int_equal(test_cluster_master_of_slot(&cl, slot), (int)to);
    expect_cmd(target, "1", "GET", moved, NULL);
    expect_cmd(target, "2", "GET", stays, NULL);
    expect_redirect(test_redis_cmdv(owner, "GET", second, NULL), "MOVED", slot, to);
    assert_int_equal(test_cluster_migrate_end(&cl, slot), -1); /* over */
}

/* SET key value on s, then WAIT on the same connection until its replica has it: WAIT
 * counts the replicas that reached the offset of its own connection's last write, so on a
 * connection of its own it would not wait for anything. 0, or -1. */
static int set_replicated(const test_redis *s, const char *key, const char *value)
{
    redisContext *c = test_redis_connect(s, 1000, 10000);
    if (!c) return -1;
    redisReply *r = redisCommand(c, "SET %s %s", key, value);
    int ok = r && r->type == REDIS_REPLY_STATUS;
    if (r) freeReplyObject(r);
    for (int tries = 0; ok && tries < 10; tries++) { /* a loaded replica can take more than one WAIT */
        r = redisCommand(c, "WAIT 1 1000");
        int acked = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
        ok = r && r->type == REDIS_REPLY_INTEGER;
        if (r) freeReplyObject(r);
        if (acked) {
            redisFree(c);
            return 0;
        }
    }
    redisFree(c);
    return -1;
}

static void test_cluster_failover(void **state)
{
    (void)state;
    const char *key = "failover";
    unsigned slot = keyslot(key);
    int old = test_cluster_master_of_slot(&cl, slot);
    assert_true(old >= 0);
    int replica = test_cluster_replica(&cl, (size_t)old, 0);
    assert_true(replica >= 0);
    assert_int_equal(set_replicated(test_cluster_server(&cl, (size_t)old), key, "kept"), 0);
    pid_t pid = test_cluster_server(&cl, (size_t)old)->pid;

    assert_int_equal(test_cluster_wait_promoted(&cl, (size_t)old, 100), -1); /* alive */
    double start = now_ms();
    test_cluster_kill(&cl, (size_t)old);
    assert_true(process_gone(pid));
    assert_int_equal(test_cluster_role_of(&cl, (size_t)old), TEST_CLUSTER_DOWN);
    assert_int_equal(test_cluster_wait_promoted(&cl, (size_t)old, 10000), replica);
    fprintf(stderr, "test_harness: replica promoted %.0f ms after the kill\n", now_ms() - start);
    assert_int_equal(test_cluster_role_of(&cl, (size_t)replica), TEST_CLUSTER_MASTER);
    assert_int_equal(test_cluster_master_of_slot(&cl, slot), replica);
    expect_cmd(test_cluster_server(&cl, (size_t)replica), "kept", "GET", key, NULL);
    expect_cmd_cl("kept", "GET", key, NULL);

    /* Back as a replica of its successor, empty, then in sync. */
    start = now_ms();
    assert_int_equal(test_cluster_restart(&cl, (size_t)old), 0);
    fprintf(stderr, "test_harness: the old master rejoined %.0f ms after its restart\n", now_ms() - start);
    assert_int_equal(test_cluster_role_of(&cl, (size_t)old), TEST_CLUSTER_REPLICA);
    assert_int_equal(test_cluster_master_index(&cl, (size_t)old), replica);
    char slot_text[16];
    snprintf(slot_text, sizeof slot_text, "%u", slot);
    expect_cmd(test_cluster_server(&cl, (size_t)old), "1", "CLUSTER", "COUNTKEYSINSLOT", slot_text, NULL); /* synced */
    expect_redirect(test_redis_cmdv(test_cluster_server(&cl, (size_t)old), "GET", key, NULL), "MOVED", slot,
                    (size_t)replica);

    /* A frozen master is failed over too; resumed, it rejoins as a replica. */
    test_cluster_pause(&cl, (size_t)replica);
    assert_int_equal(test_cluster_wait_promoted(&cl, (size_t)replica, 10000), old);
    expect_cmd_cl("kept", "GET", key, NULL);
    test_cluster_resume(&cl, (size_t)replica);
    assert_int_equal(test_cluster_wait_ok(&cl, 10000), 0);
    assert_int_equal(test_cluster_role_of(&cl, (size_t)replica), TEST_CLUSTER_REPLICA);
    assert_int_equal(test_cluster_master_index(&cl, (size_t)replica), old);
}

static void test_cluster_stop_leaves_nothing(void **state)
{
    (void)state;
    pid_t pids[TEST_CLUSTER_MAX_NODES];
    char dirs[TEST_CLUSTER_MAX_NODES][256];
    size_t n = test_cluster_count(&cl);
    for (size_t i = 0; i < n; i++) {
        pids[i] = test_cluster_server(&cl, i)->pid;
        memcpy(dirs[i], test_cluster_server(&cl, i)->dir, sizeof dirs[i]);
        assert_true(pids[i] > 0);
    }
    test_cluster_stop(&cl);
    for (size_t i = 0; i < n; i++) {
        assert_true(process_gone(pids[i]));
        assert_false(dir_exists(dirs[i]));
        assert_int_equal(test_cluster_role_of(&cl, i), TEST_CLUSTER_DOWN);
    }
    assert_null(test_cluster_cmdv(&cl, "GET", "a", NULL));
    assert_int_equal(test_cluster_master_of_slot(&cl, 0), -1);
    test_cluster_stop(&cl); /* idempotent */
}

/* With a password and an ACL user: redis-cli, the harness's own commands, MIGRATE (AUTH2)
 * and the replicas' links all authenticate. */
static void test_cluster_with_acl_user(void **state)
{
    (void)state;
    static test_cluster acl;
    test_redis_options o = TEST_REDIS_OPTIONS_INIT;
    o.requirepass = "defaultpass";
    o.acl_user = "alice";
    o.acl_password = "wonderland";
    assert_int_equal(test_cluster_start_opts(&acl, 3, 1, &o), 0);
    assert_raw("alice", test_cluster_cmdv(&acl, "ACL", "WHOAMI", NULL));
    assert_raw("OK", test_cluster_cmdv(&acl, "SET", "{acl}1", "one", NULL));
    assert_raw("OK", test_cluster_cmdv(&acl, "SET", "{acl}2", "two", NULL));
    char *slot_text = test_redis_cmdv(test_cluster_server(&acl, 0), "CLUSTER", "KEYSLOT", "{acl}", NULL);
    assert_non_null(slot_text);
    unsigned slot = (unsigned)strtoul(slot_text, NULL, 10);
    int from = test_cluster_master_of_slot(&acl, slot);
    size_t to = from == 0 ? 1 : 0;
    assert_int_equal(test_cluster_move_slot(&acl, slot, to), 0);
    assert_raw("2", test_redis_cmdv(test_cluster_server(&acl, to), "CLUSTER", "COUNTKEYSINSLOT", slot_text, NULL));
    free(slot_text);
    assert_raw("one", test_cluster_cmdv(&acl, "GET", "{acl}1", NULL));
    redisContext *c = redisConnect("127.0.0.1", test_cluster_port(&acl, to));
    assert_true(c && !c->err);
    redisReply *r = redisCommand(c, "GET {acl}2");
    assert_true(r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOAUTH", 6) == 0);
    freeReplyObject(r);
    redisFree(c);
    test_cluster_stop(&acl);
}

/* A failed start (here redis-cli fails) stops every node it started. */
static void test_cluster_start_failure_cleans_up(void **state)
{
    (void)state;
    test_cluster bad;
    assert_int_equal(test_cluster_start(&bad, 2, 1), -1); /* fewer than 3 masters */

    char dir[] = "/tmp/pottery-cli-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char script[64], args[64];
    snprintf(script, sizeof script, "%s/cli", dir);
    snprintf(args, sizeof args, "%s/args", dir);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\necho \"$@\" > %s\nexit 1\n", args);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(script, 0700), 0);
    assert_int_equal(setenv("POTTERY_TEST_REDIS_CLI", script, 1), 0);
    int rc = test_cluster_start(&bad, 3, 0);
    unsetenv("POTTERY_TEST_REDIS_CLI");
    assert_int_equal(rc, -1);

    f = fopen(args, "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    int ports = 0;
    for (const char *p = strstr(line, "127.0.0.1:"); p; p = strstr(p + 1, "127.0.0.1:")) {
        redisContext *c = redisConnect("127.0.0.1", atoi(p + strlen("127.0.0.1:")));
        assert_true(!c || c->err); /* nobody listens any more */
        redisFree(c);
        ports++;
    }
    assert_int_equal(ports, 3);
    unlink(args);
    unlink(script);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_port_works),
        cmocka_unit_test(test_tcp_server),
        cmocka_unit_test(test_unix_server),
        cmocka_unit_test(test_reply_rendering),
        cmocka_unit_test(test_kill_restart),
        cmocka_unit_test(test_unix_kill_restart),
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_acl_user),
        cmocka_unit_test(test_five_masters),
        cmocka_unit_test(test_atexit_kills_servers),
        cmocka_unit_test(test_parent_death_kills_servers),
        cmocka_unit_test(test_cluster_start_failure_cleans_up),
        cmocka_unit_test(test_cluster_with_acl_user),
    };
    /* In this order: the failover leaves a node restarted, the last test stops them all. */
    const struct CMUnitTest cluster_tests[] = {
        cmocka_unit_test(test_cluster_layout),
        cmocka_unit_test(test_cluster_routing),
        cmocka_unit_test(test_cluster_move_slot_with_keys),
        cmocka_unit_test(test_cluster_migration_asks),
        cmocka_unit_test(test_cluster_failover),
        cmocka_unit_test(test_cluster_stop_leaves_nothing),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    return failed + cmocka_run_group_tests_name("cluster", cluster_tests, cluster_setup, cluster_teardown);
}
