/* Test support: the container tests' shared fixture and libpottery helpers (see
 * test_fixture.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/test_fixture.h"

test_redis server;
test_redis other_server;
test_cluster cluster;
pottery_client *client;
pottery_client *client2;
pottery_client *far_client;

static char cluster_url[512];

/* ---- the fixture ---- */

int fixture_cluster_mode(void)
{
    const char *env = getenv("POTTERY_TEST_CLUSTER");
    return env && strcmp(env, "1") == 0;
}

const char *fixture_url(void)
{
    return fixture_cluster_mode() ? cluster_url : server.url;
}

/* The index of the test named name in tests[0..n), or n. */
static size_t test_index(const struct CMUnitTest *tests, size_t n, const char *name)
{
    size_t i = 0;
    while (i < n && strcmp(tests[i].name, name) != 0) i++;
    return i;
}

int fixture_run_group_n(const char *group, const struct CMUnitTest *tests, size_t n,
                        const fixture_exclusion *not_on_cluster, int (*setup)(void **state),
                        int (*teardown)(void **state))
{
    struct CMUnitTest *kept = calloc(n ? n : 1, sizeof *kept);
    if (!kept) return -1;
    memcpy(kept, tests, n * sizeof *kept);
    size_t left = n;
    for (const fixture_exclusion *x = not_on_cluster; x && x->test; x++) {
        size_t i = test_index(kept, left, x->test); /* checked in both modes: a renamed test fails */
        if (i == left) {
            fprintf(stderr, "%s: no test named %s to leave out on a cluster\n", group, x->test);
            free(kept);
            return -1;
        }
        if (!fixture_cluster_mode()) continue;
        printf("not run on a cluster: %s: %s\n", x->test, x->reason);
        memmove(&kept[i], &kept[i + 1], (left - i - 1) * sizeof *kept);
        left--;
    }
    int failed = _cmocka_run_group_tests(group, kept, left, setup, teardown);
    free(kept);
    return failed;
}

/* server, or the cluster in cluster mode. Its nodes wait 5 s before they call one that does
 * not answer failed: a long transaction (a bloom filter's 100,000 bits) on a loaded machine
 * must not start a failover that no test asked for. */
static int start_main(void)
{
    if (!fixture_cluster_mode()) return test_redis_start(&server, NULL);
    test_redis_options o = TEST_REDIS_OPTIONS_INIT;
    o.cluster_node_timeout_ms = 5000;
    if (test_cluster_start_opts(&cluster, 3, 1, &o) != 0) return -1;
    return test_cluster_url(&cluster, cluster_url, sizeof cluster_url);
}

pottery_client_options *slack_client_options(pottery_client_options *o)
{
    pottery_client_options_init(o);
    o->connect_timeout_ms = (int64_t)slack_ms((double)o->connect_timeout_ms);
    o->command_timeout_ms = (int64_t)slack_ms((double)o->command_timeout_ms);
    return o;
}

int fixture_setup(void **state)
{
    (void)state;
    pottery_client_options o;
    if (start_main() != 0) return -1;
    return pottery_client_open(&client, fixture_url(), slack_client_options(&o)) == 0 ? 0 : -1;
}

int fixture_setup_two(void **state)
{
    (void)state;
    pottery_client_options o;
    slack_client_options(&o);
    if (start_main() != 0) return -1;
    if (test_redis_start(&other_server, NULL) != 0) return -1;
    if (pottery_client_open(&client, fixture_url(), &o) != 0) return -1;
    if (pottery_client_open(&client2, fixture_url(), &o) != 0) return -1;
    return pottery_client_open(&far_client, other_server.url, &o) == 0 ? 0 : -1;
}

int fixture_teardown(void **state)
{
    (void)state;
    pottery_client_free(client);
    pottery_client_free(client2);
    pottery_client_free(far_client);
    client = client2 = far_client = NULL;
    test_redis_stop(&other_server); /* a no-op when it was not started */
    test_redis_stop(&server);
    test_cluster_stop(&cluster);
    return 0;
}

/* Every node of the cluster running again and the cluster settled, no slot left half
 * migrated. Paused nodes first: a restarted node may have to sync from one. */
static int heal_cluster(void)
{
    int resumed = 0, restarted = 0;
    for (size_t i = 0; i < test_cluster_count(&cluster); i++)
        if (cluster.nodes[i].paused) {
            test_cluster_resume(&cluster, i);
            resumed = 1;
        }
    for (size_t i = 0; i < test_cluster_count(&cluster); i++)
        if (test_cluster_role_of(&cluster, i) == TEST_CLUSTER_DOWN) {
            if (test_cluster_restart(&cluster, i) != 0) return -1; /* waits for the cluster to settle */
            restarted = 1;
        }
    if (resumed && !restarted && test_cluster_wait_ok(&cluster, 10000) != 0) return -1;
    for (size_t m = 0; m < TEST_CLUSTER_MAX_MIGRATIONS; m++) {
        int slot = cluster.migrations[m].slot;
        if (slot >= 0 && test_cluster_migrate_end(&cluster, (unsigned)slot) != 0) return -1;
    }
    return 0;
}

int fixture_reset(void **state)
{
    (void)state;
    if (fixture_cluster_mode() && heal_cluster() != 0) return -1;
    free(raw("FLUSHALL", NULL));
    if (other_server.pid > 0) free(test_redis_cmdv(&other_server, "FLUSHALL", (const char *)NULL));
    pottery_client_stats_reset(client);
    pottery_client_stats_reset(client2);
    pottery_client_stats_reset(far_client);
    return 0;
}

/* raw() with arguments in an array. */
static char *raw_argv(int argc, const char **argv)
{
    return fixture_cluster_mode() ? test_cluster_cmd(&cluster, argc, argv, NULL)
                                  : test_redis_cmd(&server, argc, argv, NULL);
}

char *raw(const char *arg0, ...)
{
    va_list ap;
    va_start(ap, arg0);
    char *r = fixture_cluster_mode() ? test_cluster_cmdva(&cluster, arg0, ap) : test_redis_cmdva(&server, arg0, ap);
    va_end(ap);
    return r;
}

long long fixture_commandstats_calls(const char *command)
{
    if (!fixture_cluster_mode()) return commandstats_calls(&server, command);
    long long calls = 0;
    for (size_t i = 0; i < test_cluster_count(&cluster); i++)
        if (test_cluster_role_of(&cluster, i) == TEST_CLUSTER_MASTER)
            calls += commandstats_calls(test_cluster_server(&cluster, i), command);
    return calls;
}

/* ---- white-box: internal commands ---- */

void build_cmdva(pottery_cmd *cmd, const char *a0, va_list ap)
{
    pottery__cmd_init(cmd);
    for (const char *a = a0; a; a = va_arg(ap, const char *)) pottery__cmd_copy(cmd, a, strlen(a));
}

void build_cmd(pottery_cmd *cmd, const char *a0, ...)
{
    va_list ap;
    va_start(ap, a0);
    build_cmdva(cmd, a0, ap);
    va_end(ap);
}

/* ---- several masters ---- */

test_redis masters[MASTERS];
pottery_client *clients[MASTERS];

void open_master_clients(pottery_client **out, const test_redis *servers, size_t n, int64_t command_timeout_ms,
                         int64_t connect_timeout_ms)
{
    pottery_client_options opts;
    pottery_client_options_init(&opts);
    opts.command_timeout_ms = command_timeout_ms;
    opts.connect_timeout_ms = connect_timeout_ms;
    for (size_t i = 0; i < n; i++) out[i] = open_client(servers[i].url, &opts);
}

void close_master_clients(pottery_client **cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pottery_client_free(cs[i]);
        cs[i] = NULL;
    }
}

int reset_masters(test_redis *servers, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        test_redis_resume(&servers[i]);
        if (servers[i].pid <= 0 && test_redis_restart(&servers[i]) != 0) return -1;
        free(test_redis_cmdv(&servers[i], "FLUSHALL", (const char *)NULL));
    }
    return 0;
}

int masters_setup(void **state)
{
    (void)state;
    return test_redis_start_n(masters, MASTERS, NULL);
}

int masters_teardown(void **state)
{
    (void)state;
    test_redis_stop_n(masters, MASTERS);
    return 0;
}

int masters_reset(void **state)
{
    (void)state;
    if (reset_masters(masters, MASTERS) < 0) return -1;
    open_master_clients(clients, masters, MASTERS, 300, 500);
    return 0;
}

int masters_close(void **state)
{
    (void)state;
    close_master_clients(clients, MASTERS);
    return 0;
}

/* ---- Sentinel ---- */

test_redis sentinel_master, sentinel_replica, sentinels[SENTINELS];

/* The value after `field` in a rendered SENTINEL MASTER reply ("field\nvalue\n..."). */
static long master_field(const test_redis *s, const char *field)
{
    char *text = test_redis_cmdv(s, "SENTINEL", "MASTER", SENTINEL_MASTER, (const char *)NULL);
    long v = -1;
    char want[64];
    snprintf(want, sizeof want, "%s\n", field);
    const char *p = text ? strstr(text, want) : NULL;
    if (p) v = strtol(p + strlen(want), NULL, 10);
    free(text);
    return v;
}

int sentinels_setup(void **state)
{
    (void)state;
    test_redis_options o = TEST_REDIS_OPTIONS_INIT;
    if (test_redis_start(&sentinel_master, &o) != 0) return -1;
    o.replicaof_port = sentinel_master.port;
    if (test_redis_start(&sentinel_replica, &o) != 0) return -1;
    test_redis_options so = TEST_REDIS_OPTIONS_INIT;
    so.sentinel_master_name = SENTINEL_MASTER;
    so.sentinel_master_port = sentinel_master.port;
    if (test_redis_start_n(sentinels, SENTINELS, &so) != 0) return -1;
    double end = now_ms() + 15000;
    for (;;) {
        char *info = test_redis_cmdv(&sentinel_replica, "INFO", "replication", (const char *)NULL);
        int up = info && strstr(info, "master_link_status:up");
        free(info);
        if (up) break;
        if (now_ms() > end) {
            fprintf(stderr, "the replica did not sync in time\n");
            return -1;
        }
        sleep_ms(50);
    }
    for (int i = 0; i < SENTINELS; i++)
        while (master_field(&sentinels[i], "num-slaves") < 1 ||
               master_field(&sentinels[i], "num-other-sentinels") < SENTINELS - 1) {
            if (now_ms() > end) {
                fprintf(stderr, "the sentinels did not find the replica and each other in time\n");
                return -1;
            }
            sleep_ms(50);
        }
    return 0;
}

int sentinels_teardown(void **state)
{
    (void)state;
    test_redis_stop_n(sentinels, SENTINELS);
    test_redis_stop(&sentinel_replica);
    test_redis_stop(&sentinel_master);
    return 0;
}

void sentinels_url(char *url, size_t size, const char *name)
{
    snprintf(url, size, "redis+sentinel://127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d/%s", sentinels[0].port,
             sentinels[1].port, sentinels[2].port, name);
}

int sentinels_named_port(void)
{
    char *text =
        test_redis_cmdv(&sentinels[0], "SENTINEL", "get-master-addr-by-name", SENTINEL_MASTER, (const char *)NULL);
    const char *nl = text ? strchr(text, '\n') : NULL;
    int port = nl ? (int)strtol(nl + 1, NULL, 10) : -1;
    free(text);
    return port;
}

int is_master(const test_redis *s)
{
    char *role = test_redis_cmdv(s, "ROLE", (const char *)NULL);
    int yes = role && strncmp(role, "master", 6) == 0;
    free(role);
    return yes;
}

/* ---- client statistics ---- */

pottery_client_stats stats_of(const pottery_client *c)
{
    pottery_client_stats st;
    pottery_client_stats_get(&st, c);
    return st;
}

pottery_client_stats stats(void)
{
    return stats_of(client);
}

uint64_t round_trips(void)
{
    return stats().round_trips;
}

uint64_t commands(void)
{
    return stats().commands;
}

void test_check_cost_at(const char *call, int rc, uint64_t cost, uint64_t expected, const char *what, const char *file,
                        int line)
{
    if (rc != 0) {
        print_error("%s: %s (%d): \"%s\"\n", call, pottery_test_code_name(rc), rc, pottery_error_last()->message);
        _fail(file, line);
    } else if (cost != expected) {
        print_error("%s: %llu %s, expected %llu\n", call, (unsigned long long)cost, what, (unsigned long long)expected);
        _fail(file, line);
    }
}

/* ---- errors ---- */

void test_assert_fails_at(const char *call, int rc, int code, const char *needle, const char *file, int line)
{
    const char *message = pottery_error_last()->message;
    if (rc != code) {
        print_error("%s returned %s (%d), expected %s (%d):\n    \"%s\"\n", call, pottery_test_code_name(rc), rc,
                    pottery_test_code_name(code), code, message);
        _fail(file, line);
    } else if (!strstr(message, needle)) {
        print_error("%s: \"%s\" does not contain \"%s\"\n", call, message, needle);
        _fail(file, line);
    }
}

void test_assert_conn_lost_at(int rc, const char *file, int line)
{
    if (rc != POTTERY_ECONN && rc != POTTERY_ETIMEOUT) {
        print_error("%s (%d), expected POTTERY_ECONN or POTTERY_ETIMEOUT\n", pottery_test_code_name(rc), rc);
        _fail(file, line);
    }
}

void test_assert_random_key_at(const char *key, const char *file, int line)
{
    if (!key || strlen(key) != 44 || memcmp(key, "pottery:", 8) != 0) {
        print_error("\"%s\" is not a random key (\"pottery:\" and 36 characters)\n", key ? key : "(null)");
        _fail(file, line);
    }
}

void test_assert_temporary_key_at(const char *key, const char *beside, const char *file, int line)
{
    if (!fixture_cluster_mode()) {
        test_assert_random_key_at(key, file, line);
        return;
    }
    size_t len = key ? strlen(key) : 0;
    /* "pottery:" "{" tag "}" ... ":" and a uuid4 (36 characters, dashes at 8, 13, 18, 23) */
    const char *uuid = len > 8 + 2 + 1 + 36 ? key + len - 36 : NULL;
    int ok = uuid && memcmp(key, "pottery:{", 9) == 0 && uuid[-1] == ':' && uuid[8] == '-' && uuid[13] == '-' &&
             uuid[18] == '-' && uuid[23] == '-';
    if (!ok) {
        print_error("\"%s\" is not a temporary key (\"pottery:\", a hash tag, \":\" and a uuid4)\n",
                    key ? key : "(null)");
        _fail(file, line);
    } else if (pottery__key_slot(key, len) != pottery__key_slot(beside, strlen(beside))) {
        print_error("\"%s\" (hash slot %u) is not in the hash slot of \"%s\" (%u)\n", key, pottery__key_slot(key, len),
                    beside, pottery__key_slot(beside, strlen(beside)));
        _fail(file, line);
    }
}

/* ---- options versions ---- */

void test_check_options_refused_at(const char *fn, int rc, int handle_reset, unsigned int version, unsigned int current,
                                   const char *file, int line)
{
    char call[128], expected[256];
    snprintf(call, sizeof call, "%s with options of version %u", fn, version);
    test_assert_fails_at(call, rc, POTTERY_EINVAL, "", file, line);
    if (version == 0)
        snprintf(expected, sizeof expected,
                 "%s: options not initialised (use the _OPTIONS_INIT macro or the _options_init function)", fn);
    else
        snprintf(expected, sizeof expected,
                 "%s: options of version %u, but this library knows versions up to %u (built against a newer header?)",
                 fn, version, current);
    if (strcmp(pottery_error_last()->message, expected) != 0) {
        print_error("%s: message \"%s\", expected \"%s\"\n", call, pottery_error_last()->message, expected);
        _fail(file, line);
    }
    if (!handle_reset) {
        print_error("%s: the handle was not reset to NULL\n", call);
        _fail(file, line);
    }
}

/* ---- values ---- */

static const char *type_name(pottery_type t)
{
    static const char *const names[] = { "NULL", "BOOL", "INT", "DOUBLE", "STRING", "JSON" };
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

void test_assert_value_at(const char *what, const pottery_value *v, pottery_value expected, const char *file, int line)
{
    char *got = NULL, *want = NULL;
    size_t got_len = 0, want_len = 0;
    int same = v && pottery_value_type(v) == pottery_value_type(&expected) &&
               pottery_value_to_json(&got, &got_len, *v) == 0 &&
               pottery_value_to_json(&want, &want_len, expected) == 0 && got_len == want_len &&
               memcmp(got, want, got_len) == 0;
    pottery_free(got);
    pottery_free(want);
    if (same) return;
    char *got_repr = NULL, *want_repr = NULL;
    if (v && pottery_value_repr(&got_repr, *v) != 0) got_repr = NULL;
    if (pottery_value_repr(&want_repr, expected) != 0) want_repr = NULL;
    print_error("%s is %s (%s), expected %s (%s)\n", what, got_repr ? got_repr : "?",
                v ? type_name(pottery_value_type(v)) : "a NULL pointer", want_repr ? want_repr : "?",
                type_name(pottery_value_type(&expected)));
    pottery_free(got_repr);
    pottery_free(want_repr);
    _fail(file, line);
}

/* ---- clients, values, processes ---- */

pottery_client *test_open_client_at(const char *url, const pottery_client_options *opts, const char *file, int line)
{
    pottery_client *c = NULL;
    pottery_client_options slack;
    int rc = pottery_client_open(&c, url, opts ? opts : slack_client_options(&slack));
    if (rc != 0) {
        print_error("open %s: %s (%d): \"%s\"\n", url, pottery_test_code_name(rc), rc, pottery_error_last()->message);
        _fail(file, line);
    }
    return c;
}

pottery_client *test_open_client_denied_at(const char *user, const char *const *denied_commands, const char *file,
                                           int line)
{
    enum { HEAD = 9, MAX_DENIED = 8 };
    const char *argv[HEAD + MAX_DENIED] = { "ACL", "SETUSER", user, "reset", "on", ">secret", "~*", "&*", "+@all" };
    char minus[MAX_DENIED][64];
    int argc = HEAD;
    for (size_t i = 0; denied_commands[i]; i++) {
        if (i == MAX_DENIED) {
            print_error("more than %d denied commands\n", MAX_DENIED);
            _fail(file, line);
        }
        snprintf(minus[i], sizeof minus[i], "-%s", denied_commands[i]);
        argv[argc++] = minus[i];
    }
    test_assert_raw_at("OK", raw_argv(argc, argv), file, line);
    pottery_client_options o;
    pottery_client_options_init(&o);
    o.username = user;
    o.password = "secret";
    return test_open_client_at(fixture_url(), &o, file, line);
}

void test_close_client_denied_at(pottery_client *c, const char *user, const char *file, int line)
{
    pottery_client_free(c);
    test_assert_raw_at("1", raw("ACL", "DELUSER", user, (const char *)NULL), file, line);
}

pottery_value *int_values(size_t n, int64_t first, int64_t step)
{
    pottery_value *v = calloc(n ? n : 1, sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++) v[i] = pottery_int(first + (int64_t)i * step);
    return v;
}

pottery_client *test_victim_start_at(test_redis *victim, const pottery_client_options *opts, const char *file, int line)
{
    if (test_redis_start(victim, NULL) != 0) {
        print_error("could not start a redis-server\n");
        _fail(file, line);
    }
    return test_open_client_at(victim->url, opts, file, line);
}

void victim_stop(test_redis *victim, pottery_client *c)
{
    pottery_client_free(c);
    test_redis_stop(victim);
}

typedef struct worker {
    int (*body)(pottery_client *mine, int w, void *arg);
    int w;
    void *arg;
} worker;

static int run_worker(void *arg)
{
    const worker *wk = arg;
    pottery_client *mine = NULL;
    pottery_client_options o;
    if (pottery_client_open(&mine, fixture_url(), slack_client_options(&o)) != 0) mine = NULL;
    int status = wk->body(mine, wk->w, wk->arg);
    pottery_client_free(mine);
    return status;
}

pid_t test_fork_worker_at(int (*body)(pottery_client *mine, int w, void *arg), int w, void *arg, const char *file,
                          int line)
{
    worker wk = { body, w, arg }; /* the child has its own copy of this frame */
    return test_fork_child_at(run_worker, &wk, file, line);
}
