/*
 * Test support: a private Redis Cluster, and raw commands routed to the node serving a key.
 *
 * test_cluster_start starts n masters and r replicas of each as redis_server.h's servers
 * (free loopback ports, persistence off, killed with the test program whatever way it
 * ends) with --cluster-enabled yes and a 1 s cluster-node-timeout (a failover takes about
 * 2 s), joins them with `redis-cli --cluster create` and waits until the cluster is whole.
 * The helpers below check stored data, move slots and fail masters over with raw commands
 * of their own, independently of libpottery.
 *
 * Nodes are numbered as started: masters 0..n-1, then the replicas. The harness records who
 * is master and whose replica each node is, and keeps it up to date through its own calls
 * (test_cluster_wait_promoted, test_cluster_restart); it does not notice failovers or
 * resharding that other code causes until it is told.
 *
 * Like redis_server.h, functions print what went wrong on stderr and return -1 (or NULL);
 * tests assert on the result.
 */
#ifndef POTTERY_TEST_REDIS_CLUSTER_H
#define POTTERY_TEST_REDIS_CLUSTER_H

#include <stdarg.h>
#include <stddef.h>

#include "support/redis_server.h"

#define TEST_CLUSTER_SLOTS 16384
#define TEST_CLUSTER_MAX_NODES 16
#define TEST_CLUSTER_MAX_MIGRATIONS 8

typedef enum test_cluster_role {
    TEST_CLUSTER_DOWN,    /* killed or stopped (its process is gone) */
    TEST_CLUSTER_MASTER,  /* serves slots */
    TEST_CLUSTER_REPLICA, /* replicates the node test_cluster_master_index names */
} test_cluster_role;

typedef struct test_cluster_node {
    test_redis redis;
    char id[41]; /* its cluster node id (CLUSTER MYID) */
    int master;  /* a replica: the index of its master; a master: -1 (a dead master another took
                  * over from: the index of that one, whose replica it becomes when restarted) */
    int paused;  /* stopped with SIGSTOP: asked nothing until resumed */
} test_cluster_node;

typedef struct test_cluster {
    test_cluster_node nodes[TEST_CLUSTER_MAX_NODES];
    size_t count;                    /* nodes started */
    size_t replicas_per_master;      /* as started */
    short owner[TEST_CLUSTER_SLOTS]; /* slot -> index of the master last seen serving it (-1: unknown) */
    struct {
        int slot, from, to;                    /* slot -1: a free entry */
    } migrations[TEST_CLUSTER_MAX_MIGRATIONS]; /* begun and not ended */
} test_cluster;

/* ---- life ---- */

/* Start masters masters with replicas_per_master replicas each (the tests use 3 and 1), join
 * them with redis-cli (POTTERY_TEST_REDIS_CLI, else the one beside redis-server, else PATH)
 * and wait (up to 20 s) until every node says cluster_state:ok, every node's CLUSTER SLOTS
 * name the same master for every slot and every replica's link to its master is up. 0, or
 * -1 with every node stopped again. */
int test_cluster_start(test_cluster *cl, size_t masters, size_t replicas_per_master);

/* The same with every node started with these options (a password, an ACL user; cluster
 * fields are the harness's). */
int test_cluster_start_opts(test_cluster *cl, size_t masters, size_t replicas_per_master,
                            const test_redis_options *node_opts);

/* Stop every node and remove its directory. Idempotent; the nodes stay described (ports,
 * roles) until the next start. */
void test_cluster_stop(test_cluster *cl);

/* "redis+cluster://127.0.0.1:P1,127.0.0.1:P2,..." with the masters as started as the seeds,
 * into buf. 0, or -1 when it does not fit. */
int test_cluster_url(const test_cluster *cl, char *buf, size_t size);

/* ---- nodes ---- */

size_t test_cluster_count(const test_cluster *cl);
int test_cluster_port(const test_cluster *cl, size_t i);
test_redis *test_cluster_server(test_cluster *cl, size_t i); /* for test_redis_cmdv on that node alone */
test_cluster_role test_cluster_role_of(const test_cluster *cl, size_t i);
/* A replica's master, -1 for a master (recorded, see the top of this file). */
int test_cluster_master_index(const test_cluster *cl, size_t i);
/* The nth (from 0) replica of master, or -1. */
int test_cluster_replica(const test_cluster *cl, size_t master, size_t nth);
/* The index of the node listening on port, or -1. */
int test_cluster_index_of_port(const test_cluster *cl, int port);

/* The index of the node serving slot now, as the CLUSTER SLOTS of a live node says (a
 * master, or the first live node, when asked). -1 when no node answers or none serves it. */
int test_cluster_master_of_slot(const test_cluster *cl, unsigned slot);

/* ---- raw commands ---- */

/* A command on the node that serves its key, rendered as test_redis_cmd does (NULL when no
 * node could be asked). The key is argv[1] (its CRC16 slot, hash tags included); a MOVED or
 * ASK answer is followed (ASK with ASKING first), up to 3 hops, so a command whose key sits
 * elsewhere in argv (OBJECT ENCODING key) reaches its node too. Commands about the whole
 * keyspace go to every live master: DBSIZE (the sum), KEYS (every master's keys, one a line),
 * FLUSHALL, FLUSHDB, SCRIPT, FUNCTION (the first error, else the first master's answer);
 * ACL and CONFIG to every live node, replicas included. A command of one word (PING) goes to
 * the first live master. lens may be NULL (C strings). */
char *test_cluster_cmd(test_cluster *cl, int argc, const char **argv, const size_t *lens);
/* The same with whitespace-free C strings, a NULL-terminated list (and in a va_list). */
char *test_cluster_cmdv(test_cluster *cl, const char *arg0, ...);
char *test_cluster_cmdva(test_cluster *cl, const char *arg0, va_list ap);

/* FLUSHALL on every live master: 0, or -1 when one fails. */
int test_cluster_flushall(test_cluster *cl);

/* ---- resharding, with CLUSTER SETSLOT, GETKEYSINSLOT and MIGRATE ---- */

/* Begin moving slot to master to_index: to_index imports it, its owner migrates it. The
 * owner still serves it; a key already moved gets an ASK from the owner. 0 or -1. */
int test_cluster_migrate_begin(test_cluster *cl, unsigned slot, size_t to_index);
/* Move up to max_keys keys of a slot being migrated to its target: how many moved, or -1. */
int test_cluster_migrate_keys(test_cluster *cl, unsigned slot, size_t max_keys);
/* Move the rest and give the slot to the target on every master, then wait (up to 5 s)
 * until every live node says so: MOVED from the old owner from then on. 0 or -1. */
int test_cluster_migrate_end(test_cluster *cl, unsigned slot);
/* The three: move slot (and its keys) to master to_index. 0 or -1 (nothing to do: 0). */
int test_cluster_move_slot(test_cluster *cl, unsigned slot, size_t to_index);

/* ---- failures ---- */

/* SIGKILL node i (a dead master: its replica takes over after about 2 s). */
void test_cluster_kill(test_cluster *cl, size_t i);
/* Wait (timeout_ms) until a replica of the dead master old_master says ROLE master, serves
 * the old master's slots in the CLUSTER SLOTS of every live master, and every live master
 * says cluster_state:ok. The index of the new master (recorded as such; the other replicas
 * and the old master, once restarted, as its replicas), or -1. */
int test_cluster_wait_promoted(test_cluster *cl, size_t old_master, long timeout_ms);
/* Start a killed node again on its ports with its cluster configuration and no data, and
 * wait (up to 10 s) until every live node sees it and, if recorded as a replica, it is in
 * sync with its master. 0 or -1. */
int test_cluster_restart(test_cluster *cl, size_t i);
/* Freeze node i with SIGSTOP and let it run again with SIGCONT (the others may fail it over
 * while frozen: test_cluster_wait_promoted; once resumed, it rejoins as a replica:
 * test_cluster_wait_ok). The harness asks a paused node nothing. */
void test_cluster_pause(test_cluster *cl, size_t i);
void test_cluster_resume(test_cluster *cl, size_t i);

/* Wait (timeout_ms) until the cluster is whole again as far as the running nodes go: each
 * says cluster_state:ok, knows every node and fails none that runs, all name the same
 * running master for every slot, every running replica is in sync. Roles are recorded anew
 * from what the nodes say. 0, or -1 (with what the nodes say on stderr). */
int test_cluster_wait_ok(test_cluster *cl, long timeout_ms);

#endif
