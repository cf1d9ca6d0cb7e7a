/*
 * Test support: a private Redis Cluster (see redis_cluster.h).
 *
 * Every question to a node is a raw hiredis command on a connection of its own, as
 * test_redis_cmd does: the harness keeps no connection open, so a node killed or paused
 * between two calls costs nothing but a failed or skipped question.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "support/redis_cluster.h"
#include "support/redis_cluster_impl.h"
#include "support/redis_server_impl.h"
#include "support/test_util.h"

#include "conn/conn.h" /* pottery__key_slot */

#include <hiredis/hiredis.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define START_TIMEOUT_MS 20000
#define SETTLE_TIMEOUT_MS 10000 /* test_cluster_restart */
#define QUERY_TIMEOUT_MS 2000
#define MAX_HOPS 3

/* ---------------------------------------------------------------------------------------
 * Nodes and questions.
 * ------------------------------------------------------------------------------------ */

/* Running and not paused: a node the harness may ask. */
int cluster_live(const test_cluster *cl, size_t i)
{
    return i < cl->count && cl->nodes[i].redis.pid > 0 && !cl->nodes[i].paused;
}

int cluster_live_master(const test_cluster *cl, size_t i)
{
    return cluster_live(cl, i) && cl->nodes[i].master < 0;
}

static int first_live_master(const test_cluster *cl)
{
    for (size_t i = 0; i < cl->count; i++)
        if (cluster_live_master(cl, i)) return (int)i;
    return -1;
}

/* argv on node i (after ASKING when asking), on a connection of its own: the reply, or NULL
 * when the node could not be asked. */
redisReply *cluster_node_argv(const test_cluster *cl, size_t i, int asking, long timeout_ms, int argc,
                              const char **argv, const size_t *lens)
{
    if (!cluster_live(cl, i)) return NULL;
    redisContext *c = test_redis_connect(&cl->nodes[i].redis, 1000, timeout_ms);
    if (!c) return NULL;
    redisReply *r = NULL;
    if (asking) {
        r = redisCommand(c, "ASKING");
        int ok = r && r->type == REDIS_REPLY_STATUS;
        if (r) freeReplyObject(r);
        r = NULL;
        if (!ok) {
            redisFree(c);
            return NULL;
        }
    }
    r = redisCommandArgv(c, argc, argv, lens);
    redisFree(c);
    return r;
}

/* A command of C strings (NULL-terminated) on node i; the reply or NULL. */
redisReply *cluster_node_cmd(const test_cluster *cl, size_t i, const char *arg0, ...)
{
    va_list ap;
    va_start(ap, arg0);
    int argc;
    const char **argv = test_args_from_va(&argc, arg0, ap);
    va_end(ap);
    redisReply *r = argv ? cluster_node_argv(cl, i, 0, QUERY_TIMEOUT_MS, argc, argv, NULL) : NULL;
    free(argv);
    return r;
}

/* A command on node i that must answer +OK; 0 or -1 (said on stderr). */
int cluster_node_ok(const test_cluster *cl, size_t i, const char *what, redisReply *r)
{
    int ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0;
    if (!ok)
        fprintf(stderr, "test_cluster: %s on node %zu (port %d): %s\n", what, i, cl->nodes[i].redis.port,
                !r                             ? "no answer"
                : r->type == REDIS_REPLY_ERROR ? r->str
                                               : "not OK");
    if (r) freeReplyObject(r);
    return ok ? 0 : -1;
}

static int port_of_reply(const redisReply *r)
{
    if (r->type == REDIS_REPLY_INTEGER) return (int)r->integer;
    if (r->type == REDIS_REPLY_STRING) return atoi(r->str);
    return -1;
}

/* Node i's CLUSTER SLOTS as slot -> index of the master serving it (-1: none, or a node the
 * harness does not know). 0, or -1 when it did not answer. */
int cluster_read_slots(const test_cluster *cl, size_t i, short *map)
{
    redisReply *r = cluster_node_cmd(cl, i, "CLUSTER", "SLOTS", (const char *)NULL);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r) freeReplyObject(r);
        return -1;
    }
    for (size_t s = 0; s < TEST_CLUSTER_SLOTS; s++) map[s] = -1;
    for (size_t e = 0; e < r->elements; e++) {
        const redisReply *range = r->element[e];
        if (range->type != REDIS_REPLY_ARRAY || range->elements < 3) continue;
        const redisReply *master = range->element[2];
        if (range->element[0]->type != REDIS_REPLY_INTEGER || range->element[1]->type != REDIS_REPLY_INTEGER ||
            master->type != REDIS_REPLY_ARRAY || master->elements < 2)
            continue;
        int index = test_cluster_index_of_port(cl, port_of_reply(master->element[1]));
        for (long long s = range->element[0]->integer; s <= range->element[1]->integer; s++)
            if (s >= 0 && s < TEST_CLUSTER_SLOTS) map[s] = (short)index;
    }
    freeReplyObject(r);
    return 0;
}

/* The first node that answers, masters first: its CLUSTER SLOTS into map. 0 or -1. */
static int read_slots_any(const test_cluster *cl, short *map)
{
    for (int masters_only = 1; masters_only >= 0; masters_only--)
        for (size_t i = 0; i < cl->count; i++)
            if ((masters_only ? cluster_live_master(cl, i) : cluster_live(cl, i)) &&
                cluster_read_slots(cl, i, map) == 0)
                return 0;
    return -1;
}

static int refresh_owners(test_cluster *cl)
{
    return read_slots_any(cl, cl->owner);
}

/* ---------------------------------------------------------------------------------------
 * Health: what the whole cluster says, and waiting for it to settle.
 * ------------------------------------------------------------------------------------ */

/* In node i's CLUSTER NODES text: every node of the cluster is known, and none that runs is
 * flagged failing, in handshake or without an address. */
static int sees_all(const test_cluster *cl, const char *nodes_text)
{
    for (size_t j = 0; j < cl->count; j++) {
        /* Its own line, which starts with its id (a replica's line names its master's too). */
        const char *line = nodes_text;
        while (line && strncmp(line, cl->nodes[j].id, 40) != 0) {
            line = strchr(line, '\n');
            if (line) line++;
        }
        if (!cl->nodes[j].id[0] || !line) return 0;
        if (!cluster_live(cl, j)) continue;
        const char *flags = strchr(line, ' ');
        flags = flags ? strchr(flags + 1, ' ') : NULL;
        if (!flags) return 0;
        const char *end = strchr(flags + 1, ' ');
        size_t n = end ? (size_t)(end - flags) : strlen(flags);
        char f[128];
        snprintf(f, sizeof f, "%.*s", (int)(n < sizeof f ? n : sizeof f - 1), flags);
        if (strstr(f, "fail") || strstr(f, "handshake") || strstr(f, "noaddr")) return 0;
    }
    return 1;
}

/* Node i's ROLE: *master = -1 for a master; for a replica in sync (link connected), the index
 * of its master. 0, or -1 when it did not answer or is a replica out of sync. */
static int read_role(const test_cluster *cl, size_t i, int *master)
{
    redisReply *r = cluster_node_cmd(cl, i, "ROLE", (const char *)NULL);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 && r->element[0]->type == REDIS_REPLY_STRING) {
        if (strcmp(r->element[0]->str, "master") == 0) {
            *master = -1;
            rc = 0;
        } else if (strcmp(r->element[0]->str, "slave") == 0 && r->elements >= 4 &&
                   r->element[3]->type == REDIS_REPLY_STRING && strcmp(r->element[3]->str, "connected") == 0) {
            *master = test_cluster_index_of_port(cl, port_of_reply(r->element[2]));
            rc = *master >= 0 ? 0 : -1;
        }
    }
    if (r) freeReplyObject(r);
    return rc;
}

/* 1 when every live node says cluster_state:ok, knows every node and fails none that runs;
 * their CLUSTER SLOTS name the same live master for every slot; every live replica is in
 * sync. Then the roles and the slot map are recorded. */
static int healthy(test_cluster *cl)
{
    static short ref[TEST_CLUSTER_SLOTS], map[TEST_CLUSTER_SLOTS];
    int roles[TEST_CLUSTER_MAX_NODES];
    int have_ref = 0;
    for (size_t i = 0; i < cl->count; i++) {
        roles[i] = cl->nodes[i].master;
        if (!cluster_live(cl, i)) continue;
        redisReply *info = cluster_node_cmd(cl, i, "CLUSTER", "INFO", (const char *)NULL);
        int ok = info && info->type == REDIS_REPLY_STRING && strstr(info->str, "cluster_state:ok");
        if (info) freeReplyObject(info);
        if (!ok) return 0;
        redisReply *nodes = cluster_node_cmd(cl, i, "CLUSTER", "NODES", (const char *)NULL);
        ok = nodes && nodes->type == REDIS_REPLY_STRING && sees_all(cl, nodes->str);
        if (nodes) freeReplyObject(nodes);
        if (!ok || read_role(cl, i, &roles[i]) < 0) return 0;
        if (cluster_read_slots(cl, i, have_ref ? map : ref) < 0) return 0;
        if (have_ref && memcmp(map, ref, sizeof map) != 0) return 0;
        have_ref = 1;
    }
    if (!have_ref) return 0;
    for (size_t s = 0; s < TEST_CLUSTER_SLOTS; s++)
        if (ref[s] < 0 || !cluster_live(cl, (size_t)ref[s]) || roles[ref[s]] >= 0) return 0;
    for (size_t i = 0; i < cl->count; i++) cl->nodes[i].master = roles[i];
    memcpy(cl->owner, ref, sizeof cl->owner);
    return 1;
}

/* Wait until healthy (and, when check is given, check(cl, arg) holds too): 0, or -1 after
 * timeout_ms. */
static int wait_healthy(test_cluster *cl, long timeout_ms, int (*check)(test_cluster *cl, void *arg), void *arg)
{
    double deadline = now_ms() + (double)timeout_ms;
    for (;;) {
        if (healthy(cl) && (!check || check(cl, arg))) return 0;
        if (now_ms() > deadline) return -1;
        sleep_ms(50);
    }
}

/* ---------------------------------------------------------------------------------------
 * Life.
 * ------------------------------------------------------------------------------------ */

/* redis-cli: POTTERY_TEST_REDIS_CLI, else the one beside redis-server, else on PATH. */
static const char *redis_cli_path(char *buf, size_t size)
{
    const char *env = getenv("POTTERY_TEST_REDIS_CLI");
    if (env && env[0]) return env;
    const char *server = test_redis_server_path();
    const char *slash = strrchr(server, '/');
    if (slash) {
        snprintf(buf, size, "%.*s/redis-cli", (int)(slash - server), server);
        if (access(buf, X_OK) == 0) return buf;
    }
    return "redis-cli";
}

/* redis-cli --cluster create over every node, its output in node 0's directory. */
static int create(test_cluster *cl, size_t replicas_per_master, long timeout_ms)
{
    char cli[300], addrs[TEST_CLUSTER_MAX_NODES][32], replicas[16], log[300];
    const char *argv[TEST_CLUSTER_MAX_NODES + 16];
    int n = 0;
    const test_redis_options *o = &cl->nodes[0].redis.opts;
    argv[n++] = redis_cli_path(cli, sizeof cli);
    if (o->acl_user && o->acl_password) {
        argv[n++] = "--user";
        argv[n++] = o->acl_user;
        argv[n++] = "--pass";
        argv[n++] = o->acl_password;
    } else if (o->requirepass) {
        argv[n++] = "-a";
        argv[n++] = o->requirepass;
    }
    argv[n++] = "--no-auth-warning";
    argv[n++] = "--cluster";
    argv[n++] = "create";
    for (size_t i = 0; i < cl->count; i++) {
        snprintf(addrs[i], sizeof addrs[i], "127.0.0.1:%d", cl->nodes[i].redis.port);
        argv[n++] = addrs[i];
    }
    snprintf(replicas, sizeof replicas, "%zu", replicas_per_master);
    argv[n++] = "--cluster-replicas";
    argv[n++] = replicas;
    argv[n++] = "--cluster-yes";
    argv[n] = NULL;
    snprintf(log, sizeof log, "%s/cluster-create.log", cl->nodes[0].redis.dir);
    int rc = test_run(argv, log, timeout_ms);
    if (rc != 0) {
        fprintf(stderr, "test_cluster: %s --cluster create failed (%d)\n", argv[0], rc);
        test_dump_tail(log);
        return -1;
    }
    return 0;
}

/* The layout asked for: nodes 0..masters-1 are masters, each with replicas_per_master
 * replicas. */
static int layout_done(test_cluster *cl, void *arg)
{
    size_t masters = *(const size_t *)arg;
    for (size_t m = 0; m < cl->count; m++) {
        if ((cl->nodes[m].master < 0) != (m < masters)) return 0;
        if (m < masters &&
            (test_cluster_replica(cl, m, cl->replicas_per_master) >= 0 ||
             (cl->replicas_per_master > 0 && test_cluster_replica(cl, m, cl->replicas_per_master - 1) < 0)))
            return 0;
    }
    return 1;
}

/* What the first live node says of the cluster, on stderr (a cluster that did not settle). */
static void describe(const test_cluster *cl)
{
    for (size_t i = 0; i < cl->count; i++) {
        redisReply *r = cluster_node_cmd(cl, i, "CLUSTER", "NODES", (const char *)NULL);
        int shown = r && r->type == REDIS_REPLY_STRING;
        if (shown) fprintf(stderr, "test_cluster: CLUSTER NODES of node %zu:\n%s", i, r->str);
        if (r) freeReplyObject(r);
        if (shown) return;
    }
}

int test_cluster_start_opts(test_cluster *cl, size_t masters, size_t replicas_per_master,
                            const test_redis_options *node_opts)
{
    static const test_redis_options defaults = TEST_REDIS_OPTIONS_INIT;
    memset(cl, 0, sizeof *cl);
    for (size_t i = 0; i < TEST_CLUSTER_MAX_MIGRATIONS; i++) cl->migrations[i].slot = -1;
    size_t count = masters * (1 + replicas_per_master);
    if (masters < 3 || count > TEST_CLUSTER_MAX_NODES) {
        fprintf(stderr,
                "test_cluster_start: %zu masters with %zu replicas each: 3 masters at least, %d nodes at most\n",
                masters, replicas_per_master, TEST_CLUSTER_MAX_NODES);
        return -1;
    }
    double start = now_ms();
    test_redis_options o = node_opts ? *node_opts : defaults;
    o.cluster_enabled = 1;
    o.cluster_node_timeout_ms = 1000;
    o.replicaof_port = 0;
    o.sentinel_master_name = NULL;
    cl->replicas_per_master = replicas_per_master;
    for (size_t i = 0; i < count; i++) {
        if (test_redis_start(&cl->nodes[i].redis, &o) != 0) goto fail;
        cl->count = i + 1;
        redisReply *id = cluster_node_cmd(cl, i, "CLUSTER", "MYID", (const char *)NULL);
        if (!id || id->type != REDIS_REPLY_STRING || id->len != 40) {
            fprintf(stderr, "test_cluster_start: no CLUSTER MYID from node %zu\n", i);
            if (id) freeReplyObject(id);
            goto fail;
        }
        memcpy(cl->nodes[i].id, id->str, 41);
        freeReplyObject(id);
        cl->nodes[i].master = -1;
    }
    if (create(cl, replicas_per_master, START_TIMEOUT_MS) < 0) goto fail;
    long left = START_TIMEOUT_MS - (long)(now_ms() - start);
    if (wait_healthy(cl, left > 0 ? left : 0, layout_done, &masters) < 0) {
        fprintf(stderr, "test_cluster_start: the cluster did not settle within %d ms\n", START_TIMEOUT_MS);
        goto fail;
    }
    return 0;
fail:
    describe(cl);
    test_cluster_stop(cl);
    return -1;
}

int test_cluster_start(test_cluster *cl, size_t masters, size_t replicas_per_master)
{
    return test_cluster_start_opts(cl, masters, replicas_per_master, NULL);
}

void test_cluster_stop(test_cluster *cl)
{
    if (!cl) return;
    for (size_t i = 0; i < cl->count; i++) {
        test_redis_stop(&cl->nodes[i].redis);
        cl->nodes[i].paused = 0;
    }
}

int test_cluster_url(const test_cluster *cl, char *buf, size_t size)
{
    size_t len = 0;
    int n = snprintf(buf, size, "redis+cluster://");
    if (n < 0 || (size_t)n >= size) return -1;
    len = (size_t)n;
    const char *sep = "";
    for (size_t i = 0; i < cl->count; i++) {
        if (i >= cl->count / (1 + cl->replicas_per_master)) break; /* the masters as started */
        n = snprintf(buf + len, size - len, "%s127.0.0.1:%d", sep, cl->nodes[i].redis.port);
        if (n < 0 || (size_t)n >= size - len) return -1;
        len += (size_t)n;
        sep = ",";
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Nodes.
 * ------------------------------------------------------------------------------------ */

size_t test_cluster_count(const test_cluster *cl)
{
    return cl->count;
}

int test_cluster_port(const test_cluster *cl, size_t i)
{
    return i < cl->count ? cl->nodes[i].redis.port : -1;
}

test_redis *test_cluster_server(test_cluster *cl, size_t i)
{
    return i < cl->count ? &cl->nodes[i].redis : NULL;
}

test_cluster_role test_cluster_role_of(const test_cluster *cl, size_t i)
{
    if (i >= cl->count || cl->nodes[i].redis.pid <= 0) return TEST_CLUSTER_DOWN;
    return cl->nodes[i].master < 0 ? TEST_CLUSTER_MASTER : TEST_CLUSTER_REPLICA;
}

int test_cluster_master_index(const test_cluster *cl, size_t i)
{
    return i < cl->count ? cl->nodes[i].master : -1;
}

int test_cluster_replica(const test_cluster *cl, size_t master, size_t nth)
{
    for (size_t i = 0; i < cl->count; i++)
        if (cl->nodes[i].master == (int)master && nth-- == 0) return (int)i;
    return -1;
}

int test_cluster_index_of_port(const test_cluster *cl, int port)
{
    for (size_t i = 0; i < cl->count; i++)
        if (port > 0 && cl->nodes[i].redis.port == port) return (int)i;
    return -1;
}

int test_cluster_master_of_slot(const test_cluster *cl, unsigned slot)
{
    static short map[TEST_CLUSTER_SLOTS];
    if (slot >= TEST_CLUSTER_SLOTS || read_slots_any(cl, map) < 0) return -1;
    return map[slot];
}

/* ---------------------------------------------------------------------------------------
 * Raw commands.
 * ------------------------------------------------------------------------------------ */

static int is_word(const char *arg, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(arg, word, len) == 0;
}

/* "MOVED <slot> <host>:<port>" / "ASK ...": the index of the node named, or -1. */
static int redirect(const test_cluster *cl, const redisReply *r, const char *kind, unsigned *slot)
{
    size_t klen = strlen(kind);
    if (r->type != REDIS_REPLY_ERROR || strncmp(r->str, kind, klen) != 0 || r->str[klen] != ' ') return -1;
    char *end;
    unsigned long s = strtoul(r->str + klen + 1, &end, 10);
    const char *colon = strrchr(end, ':');
    if (!colon || s >= TEST_CLUSTER_SLOTS) return -1;
    *slot = (unsigned)s;
    return test_cluster_index_of_port(cl, atoi(colon + 1));
}

/* A command about the whole keyspace on every live master (or node, when nodes): DBSIZE
 * summed, KEYS joined, otherwise the first error or the first answer. */
static char *fan_out(test_cluster *cl, int nodes, int argc, const char **argv, const size_t *lens)
{
    size_t arg0_len = lens ? lens[0] : strlen(argv[0]);
    int sum = is_word(argv[0], arg0_len, "DBSIZE"), join = is_word(argv[0], arg0_len, "KEYS");
    long long total = 0;
    char *out = NULL, *error = NULL;
    int asked = 0;
    for (size_t i = 0; i < cl->count && !error; i++) {
        if (!(nodes ? cluster_live(cl, i) : cluster_live_master(cl, i))) continue;
        redisReply *r = cluster_node_argv(cl, i, 0, COMMAND_TIMEOUT_MS, argc, argv, lens);
        char *text = r ? test_reply_render(r) : NULL;
        asked++;
        if (!text) { /* no answer */
            if (r) freeReplyObject(r);
            free(out);
            return NULL;
        }
        if (r->type == REDIS_REPLY_ERROR || (sum && r->type != REDIS_REPLY_INTEGER)) {
            error = text;
        } else if (sum) {
            total += r->integer;
        } else if (!out || (join && !out[0])) {
            free(out);
            out = text;
            text = NULL;
        } else if (join && text[0]) {
            size_t a = strlen(out), b = strlen(text);
            char *both = realloc(out, a + b + 2);
            if (both) {
                both[a] = '\n';
                memcpy(both + a + 1, text, b + 1);
                out = both;
            }
        }
        if (text != error) free(text);
        freeReplyObject(r);
    }
    if (error || !asked) {
        free(out);
        return error;
    }
    if (sum) {
        char num[32];
        snprintf(num, sizeof num, "%lld", total);
        return strdup(num);
    }
    return out;
}

char *test_cluster_cmd(test_cluster *cl, int argc, const char **argv, const size_t *lens)
{
    if (!cl || argc <= 0 || !argv) return NULL;
    size_t arg0_len = lens ? lens[0] : strlen(argv[0]);
    static const char *const to_masters[] = { "DBSIZE", "KEYS", "FLUSHALL", "FLUSHDB", "SCRIPT", "FUNCTION" };
    static const char *const to_nodes[] = { "ACL", "CONFIG" };
    for (size_t w = 0; w < sizeof to_masters / sizeof to_masters[0]; w++)
        if (is_word(argv[0], arg0_len, to_masters[w])) return fan_out(cl, 0, argc, argv, lens);
    for (size_t w = 0; w < sizeof to_nodes / sizeof to_nodes[0]; w++)
        if (is_word(argv[0], arg0_len, to_nodes[w])) return fan_out(cl, 1, argc, argv, lens);

    int node = first_live_master(cl);
    if (argc > 1) {
        unsigned slot = pottery__key_slot(argv[1], lens ? lens[1] : strlen(argv[1]));
        if (cl->owner[slot] < 0 || !cluster_live(cl, (size_t)cl->owner[slot])) refresh_owners(cl);
        if (cl->owner[slot] >= 0 && cluster_live(cl, (size_t)cl->owner[slot])) node = cl->owner[slot];
    }
    int asking = 0;
    for (int hop = 0; node >= 0; hop++) {
        redisReply *r = cluster_node_argv(cl, (size_t)node, asking, COMMAND_TIMEOUT_MS, argc, argv, lens);
        if (!r) return NULL;
        unsigned slot;
        int moved = redirect(cl, r, "MOVED", &slot), ask = redirect(cl, r, "ASK", &slot);
        if (moved >= 0) cl->owner[slot] = (short)moved;
        if (hop < MAX_HOPS && (moved >= 0 || ask >= 0)) {
            node = moved >= 0 ? moved : ask;
            asking = ask >= 0;
            freeReplyObject(r);
            continue;
        }
        char *out = test_reply_render(r);
        freeReplyObject(r);
        return out;
    }
    return NULL;
}

char *test_cluster_cmdva(test_cluster *cl, const char *arg0, va_list ap)
{
    if (!arg0) return NULL;
    int argc;
    const char **argv = test_args_from_va(&argc, arg0, ap);
    char *out = argv ? test_cluster_cmd(cl, argc, argv, NULL) : NULL;
    free(argv);
    return out;
}

char *test_cluster_cmdv(test_cluster *cl, const char *arg0, ...)
{
    va_list ap;
    va_start(ap, arg0);
    char *out = test_cluster_cmdva(cl, arg0, ap);
    va_end(ap);
    return out;
}

int test_cluster_flushall(test_cluster *cl)
{
    char *r = test_cluster_cmdv(cl, "FLUSHALL", (const char *)NULL);
    int ok = r && strcmp(r, "OK") == 0;
    if (!ok) fprintf(stderr, "test_cluster_flushall: %s\n", r ? r : "no master answered");
    free(r);
    return ok ? 0 : -1;
}

/* ---------------------------------------------------------------------------------------
 * Failures.
 * ------------------------------------------------------------------------------------ */

void test_cluster_kill(test_cluster *cl, size_t i)
{
    if (!cl || i >= cl->count) return;
    refresh_owners(cl); /* what the dead node served, for test_cluster_wait_promoted */
    test_redis_kill(&cl->nodes[i].redis);
    cl->nodes[i].paused = 0;
}

typedef struct promotion {
    size_t old_master;
    int slot; /* one the old master served */
} promotion;

/* Healthy, and the slot is served by a former replica of the old master. */
static int promoted(test_cluster *cl, void *arg)
{
    const promotion *p = arg;
    int now = cl->owner[p->slot];
    return now >= 0 && (size_t)now != p->old_master;
}

int test_cluster_wait_promoted(test_cluster *cl, size_t old_master, long timeout_ms)
{
    int replicas[TEST_CLUSTER_MAX_NODES];
    size_t n = 0;
    promotion p = { old_master, -1 };
    for (size_t s = 0; s < TEST_CLUSTER_SLOTS && p.slot < 0; s++)
        if (cl->owner[s] == (short)old_master) p.slot = (int)s;
    for (size_t i = 0; i < cl->count; i++)
        if (cl->nodes[i].master == (int)old_master) replicas[n++] = (int)i;
    if (old_master >= cl->count || cluster_live(cl, old_master) || p.slot < 0 || n == 0) {
        fprintf(stderr,
                "test_cluster_wait_promoted: node %zu is not a dead or paused master that served slots and has "
                "replicas\n",
                old_master);
        return -1;
    }
    if (wait_healthy(cl, timeout_ms, promoted, &p) < 0) {
        fprintf(stderr, "test_cluster_wait_promoted: no replica of node %zu took over within %ld ms\n", old_master,
                timeout_ms);
        describe(cl);
        return -1;
    }
    int now = cl->owner[p.slot];
    int was_replica = 0;
    for (size_t r = 0; r < n; r++) was_replica |= replicas[r] == now;
    if (!was_replica) {
        fprintf(stderr, "test_cluster_wait_promoted: node %d, not a replica of node %zu, serves its slot %d\n", now,
                old_master, p.slot);
        return -1;
    }
    cl->nodes[old_master].master = now; /* what it becomes when it runs again */
    return now;
}

int test_cluster_restart(test_cluster *cl, size_t i)
{
    if (!cl || i >= cl->count || cl->nodes[i].redis.pid > 0 || !cl->nodes[i].redis.dir[0]) {
        fprintf(stderr, "test_cluster_restart: node %zu is not a killed node\n", i);
        return -1;
    }
    if (test_redis_restart(&cl->nodes[i].redis) < 0) return -1;
    return test_cluster_wait_ok(cl, SETTLE_TIMEOUT_MS);
}

int test_cluster_wait_ok(test_cluster *cl, long timeout_ms)
{
    if (wait_healthy(cl, timeout_ms, NULL, NULL) == 0) return 0;
    fprintf(stderr, "test_cluster_wait_ok: the cluster did not settle within %ld ms\n", timeout_ms);
    describe(cl);
    return -1;
}

void test_cluster_pause(test_cluster *cl, size_t i)
{
    if (!cl || i >= cl->count) return;
    refresh_owners(cl);
    test_redis_pause(&cl->nodes[i].redis);
    cl->nodes[i].paused = cl->nodes[i].redis.pid > 0;
}

void test_cluster_resume(test_cluster *cl, size_t i)
{
    if (!cl || i >= cl->count) return;
    test_redis_resume(&cl->nodes[i].redis);
    cl->nodes[i].paused = 0;
}
