/*
 * Test support: the fixture the container tests share, and libpottery-level helpers.
 *
 * The fixture is a private redis-server (`server`), optionally a second one
 * (`other_server`), and a pottery client on the first (`client`). A test program runs its
 * cmocka group with fixture_setup (or fixture_setup_two) and fixture_teardown, and each
 * test with fixture_reset, which empties the servers and zeroes the client's statistics.
 *
 * Cluster mode (environment POTTERY_TEST_CLUSTER=1, fixture_cluster_mode()): the group
 * setups start a private 3-master, 3-replica Redis Cluster (`cluster`, redis_cluster.h; a
 * 5 s cluster-node-timeout, so a failover takes some 6 s) instead of `server`, and open `client` (and `client2`) on its URL (fixture_url()). What
 * changes then:
 *   - `server` is not started (pid 0, empty url): a test that uses it directly
 *     (test_redis_cmdv(&server, ...), server.url) is not cluster-ready; raw(), fixture_url()
 *     and fixture_commandstats_calls serve both modes, and fixture_run_group leaves out,
 *     saying why, the few tests that cannot run on a cluster;
 *   - raw() routes each command to the node serving its key (test_cluster_cmdva): DBSIZE and
 *     KEYS cover every master, ACL and CONFIG reach every node;
 *   - fixture_reset first mends what a test left: it resumes paused nodes, restarts killed
 *     ones (which rejoin as replicas when a replica took over) and waits for the cluster to
 *     settle, ends slot migrations left begun; then flushes every master. Roles may so differ
 *     from the start's (test_cluster_role_of, test_cluster_master_of_slot say who is who);
 *   - open_client_denied creates its user on every node and opens its client on the cluster;
 *     fork_worker's clients open on the cluster;
 *   - `other_server` and `far_client` (fixture_setup_two), the five `masters`, the victims
 *     and everything else stay standalone servers, as without the variable.
 *
 * As in test_util.h, helpers that assert are macros passing the caller's file and line.
 */
#ifndef POTTERY_TEST_FIXTURE_H
#define POTTERY_TEST_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conn/conn.h"
#include "pottery.h"
#include "support/assert_ok.h"
#include "support/redis_cluster.h"
#include "support/redis_server.h"
#include "support/test_util.h"

/* ---- the fixture ---- */

extern test_redis server;          /* started by both group setups (not in cluster mode) */
extern test_redis other_server;    /* started by fixture_setup_two only */
extern test_cluster cluster;       /* cluster mode: started by both group setups */
extern pottery_client *client;     /* on server (cluster mode: on the cluster) */
extern pottery_client *client2;    /* fixture_setup_two: a second client on server (or the cluster) */
extern pottery_client *far_client; /* fixture_setup_two: a client on other_server */

int fixture_setup(void **state);     /* group setup: server and client */
int fixture_setup_two(void **state); /* group setup: both servers and the three clients */
int fixture_teardown(void **state);  /* group teardown: frees the clients, stops the servers */
int fixture_reset(void **state);     /* per test: FLUSHALL on each server, zero the clients' stats */

/* A test a program does not run on a cluster, and why (it kills, pauses or inspects
 * `server` itself, or checks what a cluster client does differently). */
typedef struct fixture_exclusion {
    const char *test;   /* its name in the cmocka array */
    const char *reason; /* printed as "not run on a cluster: <test>: <reason>" */
} fixture_exclusion;

struct CMUnitTest;

/* cmocka_run_group_tests(tests, setup, teardown), except that in cluster mode the tests
 * named in not_on_cluster (an array ended by { NULL, NULL }, or NULL) are first dropped from
 * the array, one line printed for each, so that cmocka neither runs nor counts them. A name
 * that is not in tests fails the program. */
#define fixture_run_group(tests, not_on_cluster, setup, teardown)                                                      \
    fixture_run_group_n(#tests, (tests), sizeof(tests) / sizeof((tests)[0]), (not_on_cluster), (setup), (teardown))
int fixture_run_group_n(const char *group, const struct CMUnitTest *tests, size_t n,
                        const fixture_exclusion *not_on_cluster, int (*setup)(void **state),
                        int (*teardown)(void **state));

/* 1 when POTTERY_TEST_CLUSTER is "1": the fixture runs on a Redis Cluster (see above). */
int fixture_cluster_mode(void);
/* The URL client is opened on: server.url, or the cluster's "redis+cluster://..." seeds. */
const char *fixture_url(void);

/* A command on server through the harness' own connection: test_redis_cmdv(&server, ...),
 * a NULL-terminated list of arguments; the rendered reply, malloc'd (NULL on failure). In
 * cluster mode test_cluster_cmdva(&cluster, ...): the node serving argv[1]'s slot. */
char *raw(const char *arg0, ...);

/* commandstats_calls of command on server; in cluster mode, summed over the masters (where
 * the client sends its commands). */
long long fixture_commandstats_calls(const char *command);

/* ---- white-box: internal commands ---- */

/* cmd (initialised here) holds copies of the NULL-terminated C-string arguments. */
void build_cmd(pottery_cmd *cmd, const char *a0, ...);
void build_cmdva(pottery_cmd *cmd, const char *a0, va_list ap);

/* ---- several masters (the fan-out, Redlock, NextID) ---- */

/* Clients on masters[0..n) into out[0..n), with these timeouts (failing the test if one
 * cannot connect). */
void open_master_clients(pottery_client **out, const test_redis *servers, size_t n, int64_t command_timeout_ms,
                         int64_t connect_timeout_ms);
/* Free clients[0..n) and set them to NULL. */
void close_master_clients(pottery_client **cs, size_t n);
/* Every master running (resumed if paused, restarted if killed) and empty. 0, or -1 when one
 * cannot be restarted. */
int reset_masters(test_redis *servers, size_t n);

/* Five independent masters for the distributed primitives' tests, and blocking clients on
 * them. Group setup/teardown: masters_setup / masters_teardown start and stop them. Per
 * test: masters_reset makes every master running and empty and opens clients[] (300 ms
 * command timeout, 500 ms connect timeout); masters_close frees them. */
#define MASTERS 5
extern test_redis masters[MASTERS];
extern pottery_client *clients[MASTERS];
int masters_setup(void **state);
int masters_teardown(void **state);
int masters_reset(void **state);
int masters_close(void **state);

/* ---- Sentinel: a master, its replica and three sentinels ---- */

/* The master's name in the sentinels, the servers, and group setup/teardown: start them all
 * and wait until the replica is in sync and every sentinel knows it and the other
 * sentinels (what a failover needs) / stop them. */
#define SENTINEL_MASTER "mymaster"
#define SENTINELS 3
extern test_redis sentinel_master, sentinel_replica, sentinels[SENTINELS];
int sentinels_setup(void **state);
int sentinels_teardown(void **state);
/* The sentinels' redis+sentinel:// URL for master name `name`. */
void sentinels_url(char *url, size_t size, const char *name);
/* The port the first sentinel names for SENTINEL_MASTER (-1 if none). */
int sentinels_named_port(void);
/* 1 when s answers ROLE as a master. */
int is_master(const test_redis *s);

/* ---- client statistics ---- */

pottery_client_stats stats_of(const pottery_client *c);
pottery_client_stats stats(void); /* of client */
uint64_t round_trips(void);       /* of client */
uint64_t commands(void);          /* of client */

/* call returns 0 and costs client exactly n round trips. */
#define assert_round_trips(n, call)                                                                                    \
    do {                                                                                                               \
        uint64_t rt_before_ = round_trips();                                                                           \
        int rc_ = (call);                                                                                              \
        test_check_cost_at(#call, rc_, round_trips() - rt_before_, (n), "round trips", __FILE__, __LINE__);            \
    } while (0)

/* call returns 0 and sends exactly n commands on client. */
#define assert_commands(n, call)                                                                                       \
    do {                                                                                                               \
        uint64_t cmd_before_ = commands();                                                                             \
        int rc_ = (call);                                                                                              \
        test_check_cost_at(#call, rc_, commands() - cmd_before_, (n), "commands", __FILE__, __LINE__);                 \
    } while (0)

void test_check_cost_at(const char *call, int rc, uint64_t cost, uint64_t expected, const char *what, const char *file,
                        int line);

/* ---- errors ---- */

/* The last error's message is expected / holds needle. */
#define assert_message(expected) assert_string_equal(pottery_error_last()->message, (expected))
#define assert_message_contains(needle) assert_contains(pottery_error_last()->message, (needle))

/* Runs call (an iter_next) until POTTERY_EITEROVER: ok of the calls succeed and
 * decode_errors fail with POTTERY_EDECODE (foreign data, skipped); any other code fails. */
#define assert_iteration(call, ok, decode_errors)                                                                      \
    do {                                                                                                               \
        int ok_ = 0, decode_errors_ = 0, rc_;                                                                          \
        while ((rc_ = (call)) != POTTERY_EITEROVER) {                                                                  \
            if (rc_ == 0)                                                                                              \
                ok_++;                                                                                                 \
            else if (rc_ == POTTERY_EDECODE)                                                                           \
                decode_errors_++;                                                                                      \
            else                                                                                                       \
                pottery_test_assert_code_at(#call, 0, rc_, __FILE__, __LINE__);                                        \
        }                                                                                                              \
        assert_int_equal(ok_, (ok));                                                                                   \
        assert_int_equal(decode_errors_, (decode_errors));                                                             \
    } while (0)

/* call fails with POTTERY_EREDIS, Redis saying WRONGTYPE. */
#define assert_wrongtype(call) test_assert_fails_at(#call, (call), POTTERY_EREDIS, "WRONGTYPE", __FILE__, __LINE__)
void test_assert_fails_at(const char *call, int rc, int code, const char *needle, const char *file, int line);

/* rc is what a call returns when its server went away: POTTERY_ECONN or POTTERY_ETIMEOUT. */
#define assert_conn_lost(rc) test_assert_conn_lost_at((rc), __FILE__, __LINE__)
void test_assert_conn_lost_at(int rc, const char *file, int line);

/* key is a random key made by the library: "pottery:" and a uuid4, 44 characters. */
#define assert_random_key(key) test_assert_random_key_at((key), __FILE__, __LINE__)
void test_assert_random_key_at(const char *key, const char *file, int line);

/* key is a key the library made for what it writes beside the key beside (a new container,
 * a scratch key): a random key as above on one server; on a cluster "pottery:", a hash tag
 * and ":<uuid4>", in beside's hash slot. */
#define assert_temporary_key(key, beside) test_assert_temporary_key_at((key), (beside), __FILE__, __LINE__)
void test_assert_temporary_key_at(const char *key, const char *beside, const char *file, int line);

/* ---- values ---- */

/* *v (v a pottery_value *) has expected's type and the same canonical JSON, e.g.
 * assert_value_int(&v, 7), assert_value_str(&v, "a"), assert_value_json(&v, "[1, 2]").
 * Read through the accessors, as a program would; a mismatch shows both reprs and types. */
#define assert_value(v, expected) test_assert_value_at(#v, (v), (expected), __FILE__, __LINE__)
#define assert_value_null(v) assert_value(v, pottery_null())
#define assert_value_bool(v, b) assert_value(v, pottery_bool(b))
#define assert_value_int(v, i) assert_value(v, pottery_int(i))
#define assert_value_double(v, d) assert_value(v, pottery_double(d))
#define assert_value_str(v, s) assert_value(v, pottery_str(s))
#define assert_value_json(v, text) assert_value(v, pottery_json(text))
void test_assert_value_at(const char *what, const pottery_value *v, pottery_value expected, const char *file, int line);

/* ---- options versions ---- */

/* open (a container's pottery_<x>_open) refuses *opts with version 0 (not initialised) and
 * with current + 1 (from a newer header): POTTERY_EINVAL with the library's message, the
 * handle reset to NULL, nothing sent, key not created. opts->version is restored. */
#define assert_options_version_checked(type, open, key, opts, current)                                                 \
    do {                                                                                                               \
        uint64_t commands_before_ = commands();                                                                        \
        unsigned int version_before_ = (opts)->version;                                                                \
        for (int newer_ = 0; newer_ < 2; newer_++) {                                                                   \
            type *handle_ = (type *)(void *)&version_before_; /* not NULL, to see it reset */                          \
            (opts)->version = newer_ ? (current) + 1 : 0;                                                              \
            int rc_ = open(&handle_, client, (key), (opts));                                                           \
            test_check_options_refused_at(#open, rc_, handle_ == NULL, (opts)->version, (current), __FILE__,           \
                                          __LINE__);                                                                   \
        }                                                                                                              \
        (opts)->version = version_before_;                                                                             \
        assert_int_equal(commands(), commands_before_);                                                                \
        assert_raw("0", raw("EXISTS", (key), NULL));                                                                   \
    } while (0)
void test_check_options_refused_at(const char *fn, int rc, int handle_reset, unsigned int version, unsigned int current,
                                   const char *file, int line);

/* ---- clients, values, processes ---- */

/* The default client options with both timeouts widened by slack_ms() (test_util.h): what
 * the fixture's clients and the tests' clients opened without options use. Fills o and
 * returns it. */
pottery_client_options *slack_client_options(pottery_client_options *o);

/* A client on url that must open (opts may be NULL: slack_client_options()). */
#define open_client(url, opts) test_open_client_at((url), (opts), __FILE__, __LINE__)
pottery_client *test_open_client_at(const char *url, const pottery_client_options *opts, const char *file, int line);

/* A client on server (cluster mode: the cluster, the user on every node) as a new ACL user
 * that may run every command but the ones named, e.g.
 * open_client_denied("nopush", "lpush", "rpush"): a way to make one step of a library call
 * fail. close_client_denied frees it and deletes the user. */
#define open_client_denied(user, ...)                                                                                  \
    test_open_client_denied_at((user), (const char *const[]){ __VA_ARGS__, NULL }, __FILE__, __LINE__)
#define close_client_denied(c, user) test_close_client_denied_at((c), (user), __FILE__, __LINE__)
pottery_client *test_open_client_denied_at(const char *user, const char *const *denied_commands, const char *file,
                                           int line);
void test_close_client_denied_at(pottery_client *c, const char *user, const char *file, int line);

/* n integers first, first + step, ...: a malloc'd array (free()). */
pottery_value *int_values(size_t n, int64_t first, int64_t step);

/* A server of the test's own, to kill and restart (test_redis_kill/test_redis_restart),
 * and a client on it (opts may be NULL); victim_stop frees the client and stops it. */
#define victim_start(victim, opts) test_victim_start_at((victim), (opts), __FILE__, __LINE__)
pottery_client *test_victim_start_at(test_redis *victim, const pottery_client_options *opts, const char *file,
                                     int line);
void victim_stop(test_redis *victim, pottery_client *c);

/* A worker process with a client of its own on fixture_url(): the child opens the client (mine
 * is NULL if that failed, which opening anything on it then reports), runs
 * body(mine, w, arg), frees the client and _exit()s with what body returned (0 for
 * success). Returns the child's pid; collect it with wait_exit_code. */
#define fork_worker(body, w, arg) test_fork_worker_at((body), (w), (arg), __FILE__, __LINE__)
pid_t test_fork_worker_at(int (*body)(pottery_client *mine, int w, void *arg), int w, void *arg, const char *file,
                          int line);

#endif
