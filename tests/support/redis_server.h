/*
 * Test support: private redis-server processes.
 *
 * Each server is started by the test program itself, in a fresh temporary directory, on a
 * free loopback port (or a unix socket), with persistence off. It is killed when the test
 * program exits for any reason: test_redis_stop() in teardown, an atexit() handler for
 * early exits, and PR_SET_PDEATHSIG in the child so even a crashed test (SIGSEGV, ASan
 * abort) takes its servers with it. Tests never touch a Redis the user already runs.
 */
#ifndef POTTERY_TEST_REDIS_SERVER_H
#define POTTERY_TEST_REDIS_SERVER_H

#include <stdarg.h>
#include <sys/types.h>

typedef struct test_redis_options {
    int use_unix_socket;     /* listen on a unix socket only (no TCP) */
    const char *requirepass; /* set a password (NULL = none) */
    const char *acl_user;    /* with acl_password: an extra ACL user with all permissions */
    const char *acl_password;
    int cluster_enabled; /* --cluster-enabled yes (a node of no cluster yet: CLUSTER KEYSLOT works; see
                          * redis_cluster.h for a cluster) */
    int replicaof_port;  /* > 0: --replicaof 127.0.0.1 <port> (with masterauth/masteruser when there is a
                          * password) */
    /* Non-NULL: a sentinel (redis-server sentinel.conf --sentinel) monitoring the master on
     * 127.0.0.1:sentinel_master_port under this name, quorum 2, down after 500 ms. */
    const char *sentinel_master_name;
    int sentinel_master_port;
    int cluster_node_timeout_ms; /* with cluster_enabled, > 0: --cluster-node-timeout (Redis' default 15000) */
} test_redis_options;

#define TEST_REDIS_OPTIONS_INIT                                                                                        \
    {                                                                                                                  \
        0, NULL, NULL, NULL, 0, 0, NULL, 0, 0                                                                          \
    }

typedef struct test_redis {
    pid_t pid;
    int port;              /* TCP port on 127.0.0.1, 0 when unix-only */
    int cluster_port;      /* cluster_enabled: the cluster bus port (also free, not port + 10000), else 0 */
    char dir[256];         /* its private working directory */
    char socket_path[256]; /* unix socket path ("" when TCP) */
    char url[512];         /* redis://127.0.0.1:PORT/0 or unix:///path?db=0 (no password) */
    test_redis_options opts;
} test_redis;

/* Start a server and wait (up to 10 s) until it answers PING. 0 on success, -1 on failure
 * (with a message on stderr). opts may be NULL. */
int test_redis_start(test_redis *s, const test_redis_options *opts);

/* Stop it (SIGTERM, then SIGKILL after 2 s), reap it and remove its directory. Idempotent. */
void test_redis_stop(test_redis *s);

/* Kill it at once with SIGKILL (a dead master); test_redis_restart brings it back on the
 * same port/socket with an empty dataset. */
void test_redis_kill(test_redis *s);
int test_redis_restart(test_redis *s);

/* Freeze a server with SIGSTOP (a master that hangs: its connections stay open, it answers
 * nothing, commands sent to it wait in its socket) and let it run again with SIGCONT.
 * test_redis_stop and test_redis_kill work on a paused server too. */
void test_redis_pause(test_redis *s);
void test_redis_resume(test_redis *s);

/* Start n servers s[0..n-1] (the multi-master tests use five independent masters): 0, or
 * -1 with every server started so far stopped again. test_redis_stop_n stops them all. */
int test_redis_start_n(test_redis *s, size_t n, const test_redis_options *opts);
void test_redis_stop_n(test_redis *s, size_t n);

/* Run a command on the server through a separate raw connection (redis-cli-like, for
 * checking what is stored independently of the library). argv/lens as hiredis takes them.
 * Returns a malloc'd textual rendering of the reply:
 *   string -> the bytes, integer -> decimal, nil -> "(nil)", status -> its text,
 *   error -> "ERR: " + text, array -> elements joined with "\n".
 * NULL on connection failure. */
char *test_redis_cmd(const test_redis *s, int argc, const char **argv, const size_t *lens);

/* Convenience: whitespace-free arguments given as NULL-terminated list of C strings. */
char *test_redis_cmdv(const test_redis *s, const char *arg0, ...);

/* The same with the arguments after arg0 (NULL-terminated) in a va_list. */
char *test_redis_cmdva(const test_redis *s, const char *arg0, va_list ap);

/* A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read, close). */
int test_free_port(void);

#endif
