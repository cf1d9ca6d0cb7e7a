/*
 * Test support: what the files of the private Redis Cluster (redis_cluster.c,
 * redis_cluster_reshard.c) share. Not for test programs: they use redis_cluster.h.
 */
#ifndef POTTERY_TEST_REDIS_CLUSTER_IMPL_H
#define POTTERY_TEST_REDIS_CLUSTER_IMPL_H

#include <stddef.h>

#include "support/redis_cluster.h"

struct redisReply;

#define COMMAND_TIMEOUT_MS 30000 /* a routed command, as test_redis_cmd waits */

/* Node i runs and is not paused: a node the harness may ask (and, for the second, a master
 * as recorded). */
int cluster_live(const test_cluster *cl, size_t i);
int cluster_live_master(const test_cluster *cl, size_t i);

/* argv (lens NULL: C strings) on node i, after ASKING when asking, on a connection of its
 * own: the reply (freeReplyObject), or NULL when the node could not be asked. */
struct redisReply *cluster_node_argv(const test_cluster *cl, size_t i, int asking, long timeout_ms, int argc,
                                     const char **argv, const size_t *lens);
/* A command of C strings, NULL-terminated, on node i: the reply or NULL. */
struct redisReply *cluster_node_cmd(const test_cluster *cl, size_t i, const char *arg0, ...);
/* r, node i's answer to what, is +OK: 0, else -1 said on stderr. Frees r. */
int cluster_node_ok(const test_cluster *cl, size_t i, const char *what, struct redisReply *r);

/* Node i's CLUSTER SLOTS as slot -> index of the master serving it (-1: none, or a node the
 * harness does not know). 0, or -1 when it did not answer. */
int cluster_read_slots(const test_cluster *cl, size_t i, short *map);

#endif
