/*
 * Tests of the private redis-server harness itself (tests/support/redis_server.h).
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

#include "support/redis_server.h"
#include "support/test_util.h"

/* Run a command through the harness and compare its rendering with `expected`. */
#define expect_cmd(s, expected, ...) assert_raw((expected), test_redis_cmdv((s), __VA_ARGS__))

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
