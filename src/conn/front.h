/*
 * Internal to src/conn/: clients that are not one connection.
 *
 * A pottery_client is either one connection (front == NULL: everything in client_impl.h
 * applies to it directly) or a front: a Redis Cluster client that keeps one connection per
 * node and routes each call by the hash slot of its keys (cluster.c), or a pool that lends
 * one of its clients to each call (pool.c). Modules never see the difference: every way of
 * running commands in conn.h first asks pottery__route for the connection the call must run
 * on, and runs there.
 *
 * The slot of a call is computed here, from the commands themselves (pottery__cmd_slot):
 * all keys a call touches must share one slot on a cluster, else the call fails with
 * POTTERY_ECROSSSLOT before anything is sent. A pool of single servers routes nothing: its
 * calls are not asked for a slot (POTTERY_SLOT_ANY), keys in any slots are fine there.
 */
#ifndef POTTERY_CONN_FRONT_H
#define POTTERY_CONN_FRONT_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"

/* No key: the call may run on any connection (PING, SCRIPT ...). */
#define POTTERY_SLOT_ANY (-1)

/* A call run on the connection the front chose: 0 or an error code, like the call. */
typedef int (*pottery_conn_op)(pottery_client *conn, void *ctx);

typedef struct pottery_front_ops {
    const char *kind; /* "cluster" or "pool", for messages */
    /* Run op on a connection for slot (POTTERY_SLOT_ANY: any), handling what the front
     * handles (redirections, lending). The op may be run more than once when the front
     * knows the server did not run it (a MOVED or ASK redirection). */
    int (*run)(pottery_client *front, int slot, pottery_conn_op op, void *ctx);
    /* Hold a connection for slot across several calls that must share it (a streamed
     * transaction, a fan-out): *conn is a connection (front == NULL) until unlease. rc is
     * how the work on it ended (a pool checks connections that failed; a cluster relearns
     * its map after a failure); unlease returns it, or a clearer error in its place (a
     * redirection that came too late to follow). */
    int (*lease)(pottery_client **conn, pottery_client *front, int slot);
    int (*unlease)(pottery_client *front, pottery_client *conn, int rc);
    /* A call scope opened or closed on the front (pottery__call_begin). */
    void (*call_begin)(pottery_client *front, int64_t timeout_ms);
    void (*call_end)(pottery_client *front);
    void (*stats_get)(pottery_client_stats *out, const pottery_client *front);
    void (*stats_reset)(pottery_client *front);
    /* Free everything the front owns (not the pottery_client itself). NULL: the client is
     * a view owned by something else (a pool's), which frees it; pottery_client_free on it
     * does nothing. */
    void (*free)(pottery_client *front);
} pottery_front_ops;

/* Run op for slot on c: directly when c is one connection, else through its front. */
int pottery__route(pottery_client *c, int slot, pottery_conn_op op, void *ctx);

/* Lease / unlease through the front, or c itself when it is one connection. */
int pottery__lease(pottery_client **conn, pottery_client *c, int slot);
int pottery__unlease(pottery_client *c, pottery_client *conn, int rc);

/* After a pipeline ran through a front: when one of the n replies is a cluster redirection
 * (MOVED, ASK, TRYAGAIN), free them all (outs[i] = NULL) and return EREDIS with its text,
 * so that the front follows it; else 0. */
int pottery__replies_redirected(pottery_reply **outs, size_t n);

/* The slot of cmd's keys into *slot (POTTERY_SLOT_ANY for a command without keys): 0, or
 * POTTERY_ECROSSSLOT when its keys hash to different slots. The keys are found by the
 * command's name (EVAL/EVALSHA: numkeys, XREAD: after STREAMS, SINTERCARD: numkeys, BITOP:
 * after the operation, else the first argument). */
int pottery__cmd_slot(int *slot, const pottery_cmd *cmd);
/* Fold the slot of the next command of a call into *slot (start from POTTERY_SLOT_ANY). */
int pottery__slot_merge(int *slot, int next);
/* The slot of n commands (arr, or ptrs), of a script's nkeys keys in args, together. */
int pottery__cmds_slot(int *slot, const pottery_cmd *arr, pottery_cmd *const *ptrs, size_t n);
int pottery__script_slot(int *slot, size_t nkeys, const pottery_cmd *args);
/* The slot of a set of keys (keylens NULL: C strings). */
int pottery__keys_slot(int *slot, const char *const *keys, const size_t *keylens, size_t n);

/* A cluster front (cluster.c): open on c (already holding the URL's seeds and timeouts). */
int pottery__cluster_open(pottery_client *c);

#endif
