/**
 * @file
 * A connection to one Redis server (given directly, or as the master a set of sentinels
 * names), or to a Redis Cluster (one connection per node), shared by the containers opened
 * on it.
 *
 * Python equivalent: redis.Redis.from_url(url, socket_timeout=1). A client connects when it
 * is opened, sends AUTH and SELECT on connect and again after every reconnect, and runs
 * binary-safe commands only. When a connection drops, the call in progress fails with
 * POTTERY_ECONN (or POTTERY_ETIMEOUT) and the next call reconnects by itself; a command that
 * may already have run is never re-sent behind the caller's back.
 *
 * Every reply is checked against what its command can answer: a reply of another type, bytes
 * that are not RESP, or a header announcing more than 512 MiB of string or 2^27 array
 * elements fail the call with POTTERY_EPROTOCOL (before anything is allocated for them) and
 * drop the connection if it may be out of step.
 *
 * Threads: a client and every handle made from it must be used by one thread at a time;
 * different clients are independent (a cluster client too: it is one client). A pool
 * (pool.h) shares clients among threads.
 */
#ifndef POTTERY_CLIENT_H
#define POTTERY_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

POTTERY_BEGIN_DECLS

/** A connection to one server (opaque). Open with pottery_client_open(), free with
 * pottery_client_free(); used by one thread at a time (but a pool's client view, see
 * pool.h). */
typedef struct pottery_client pottery_client;

/** The version of pottery_client_options this header describes. */
#define POTTERY_CLIENT_OPTIONS_VERSION 2

/** How to connect. Initialise with POTTERY_CLIENT_OPTIONS_INIT or
 * pottery_client_options_init(), then change what you need; members are only ever
 * appended, and `version` tells the library which ones your program knows. */
typedef struct pottery_client_options {
    unsigned int version;       /**< POTTERY_CLIENT_OPTIONS_VERSION, set by the initialisers */
    int64_t connect_timeout_ms; /**< default 1000; POTTERY_FOREVER: as long as the OS takes */
    int64_t command_timeout_ms; /**< default 1000 (pottery's socket timeout); POTTERY_FOREVER:
                                     no limit. A deadline for each call as a whole (every byte
                                     sent and received, every round trip of an operation that
                                     needs several), not for each socket read: a server that
                                     trickles its answer still fails the call on time
                                     (POTTERY_ETIMEOUT) */
    const char *username;       /**< ACL user; NULL = the URL's (if any) */
    const char *password;       /**< NULL = the URL's (if any) */
    int db;                     /**< -1 = the URL's (default 0) */
    /* version 2 */
    const char *const *cluster_nodes; /**< Redis Cluster seed nodes as "host:port" strings
                                           ("[v6]:port" for IPv6; port 6379 if left out),
                                           instead of a redis+cluster:// URL: the url argument
                                           must then be NULL (and $REDIS_URL is not read) */
    size_t cluster_nnodes;            /**< how many cluster_nodes (0: none; at most 16) */
} pottery_client_options;

/** Defaults (pottery's): 1 s timeouts, the URL's user, password and database. */
#define POTTERY_CLIENT_OPTIONS_INIT                                                                                    \
    {                                                                                                                  \
        POTTERY_CLIENT_OPTIONS_VERSION, 1000, 1000, NULL, NULL, -1, NULL, 0                                            \
    }

/** Set *opts to the defaults (the same as POTTERY_CLIENT_OPTIONS_INIT; usable from C++). */
static inline void pottery_client_options_init(pottery_client_options *opts)
{
    pottery_client_options defaults = POTTERY_CLIENT_OPTIONS_INIT;
    *opts = defaults;
}

/** Connect to the server named by url:
 * `redis://[[user]:password@]host[:port][/db]` (port 6379, db 0 by default),
 * `unix:///path/to/redis.sock[?db=N]`, or the master that sentinels know by a name:
 * `redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/master-name[/db]`
 * (sentinel port 26379 by default, at most 16 sentinels, `?db=N` too).
 * or a Redis Cluster: `redis+cluster://[[user]:password@]host[:port][,host[:port]...]`
 * (the seed nodes, port 6379 by default, at most 16; database 0 only).
 * Percent-escapes in user, password and master name are decoded. url NULL means
 * $REDIS_URL, or "redis://localhost:6379/0" if that is unset. opts NULL means defaults.
 * *out is the caller's; release it with pottery_client_free().
 * Timeouts must be > 0 or POTTERY_FOREVER.
 *
 * Sentinel: on every connect and reconnect the client asks the sentinels in turn
 * (`SENTINEL get-master-addr-by-name`; each gets an equal share of what is left of one
 * connect timeout, and the one that answered is asked first next time), connects to the
 * address named and checks with ROLE, in the handshake's round trip, that the server is
 * the master. A connect therefore takes at most two connect timeouts: one for the
 * sentinels, one for the master. The user and password (URL or options) are the master's;
 * the sentinels are asked without them, or with `?sentinel_password=P`. Redis replicates
 * asynchronously, so a write the old master acknowledged but had not yet passed on can be
 * lost in a failover; the library neither caches nor re-sends anything, and what it reads
 * after a failover is what the new master holds (`WAIT` makes a write wait for replicas).
 *
 * Cluster: the client learns the slot map (CLUSTER SLOTS) from the first seed that answers
 * and keeps one connection per master, made when first needed; the user, password and
 * timeouts apply to every node. Each call runs on the master serving the hash slot of its
 * keys, so containers work unchanged; every call of a container touches its own key's slot
 * only (companion and temporary keys carry the key's {hash tag}). Operations combining two
 * containers whose keys are in different slots work on the client side or fail with
 * POTTERY_ECROSSSLOT, as each function documents; give such keys a common hash tag
 * (`{user1}:cart`, `{user1}:wishlist`) to keep them atomic and server-side. A MOVED
 * redirection (the slot has a new master) updates the map and sends the call there, an ASK
 * redirection (the slot is being migrated) sends it to the importing node behind ASKING, and
 * TRYAGAIN is retried after 1, 2, 4... ms: a redirected command was not run, so nothing
 * runs twice. At most 16 redirections per call, then POTTERY_ECLUSTER. A node that does not
 * answer fails the call (POTTERY_ECONN / POTTERY_ETIMEOUT) and the next call learns the map
 * again, so after a failover calls reach the promoted replica without reopening anything;
 * CLUSTERDOWN is POTTERY_ECLUSTER. A streamed bulk write (MULTI of many commands) that meets
 * a redirection is POTTERY_ECLUSTER with nothing written: call it again. Statistics sum
 * every node's connection. Redlock and NextID masters may be clusters: each master's vote
 * is the node serving the lock's key.
 * Errors: POTTERY_EINVAL (malformed URL, options not initialised or out of range),
 * POTTERY_ECONN (unreachable, refused; for a sentinel URL also: no sentinel named the
 * master, every sentinel asked and why listed, or the server named is not a master),
 * POTTERY_ETIMEOUT (no answer within connect_timeout_ms), POTTERY_EREDIS (AUTH or SELECT
 * rejected), POTTERY_ENOMEM. Cost: connect + AUTH/SELECT/PING (ROLE instead of PING for a
 * sentinel URL, after one SENTINEL query per sentinel asked) in one round trip; for a
 * cluster URL, connect + AUTH + PING + CLUSTER SLOTS to the first seed that answers, and each
 * master is connected to when a call first needs it.
 * Errors for a cluster URL also: POTTERY_ECLUSTER (no seed told the slot map). */
POTTERY_API int pottery_client_open(pottery_client **out, const char *url, const pottery_client_options *opts);

/** Close the connection and free the client. Accepts NULL. Handles opened on the client
 * must be freed first. A pool's client view (pool.h) is the pool's: this does nothing to
 * it. */
POTTERY_API void pottery_client_free(pottery_client *client);

/** PING the server (reconnecting first if the connection had dropped). One round trip. */
POTTERY_API int pottery_client_ping(pottery_client *client);

/** Counters of what the client has sent, for asserting round-trip budgets in tests and
 * measuring benchmarks. A round trip is one wait for replies after sending one or more
 * commands (a pipeline of 1000 commands is 1 round trip, 1000 commands). */
typedef struct pottery_client_stats {
    uint64_t round_trips; /**< waits for replies */
    uint64_t commands;    /**< commands sent (the connection handshake not counted) */
    uint64_t reconnects;  /**< connections made after the first (or after a failed first) */
} pottery_client_stats;

/** Copy the client's counters into *out (all zero for a NULL client; out NULL: nothing). */
POTTERY_API void pottery_client_stats_get(pottery_client_stats *out, const pottery_client *client);

/** Zero the client's counters. Accepts NULL. */
POTTERY_API void pottery_client_stats_reset(pottery_client *client);

POTTERY_END_DECLS

#endif /* POTTERY_CLIENT_H */
