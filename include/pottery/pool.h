/**
 * @file
 * A thread-safe pool of clients to one server, one Redis Cluster or one set of sentinels,
 * whose handles may be shared by many threads at once.
 *
 * Python equivalent: redis.ConnectionPool.from_url(url, max_connections=8) behind
 * redis.Redis(connection_pool=pool). A pool holds up to `size` members, each a full
 * pottery_client opened with the pool's URL and client options (so a member is one
 * connection, a cluster client or a sentinel client, with everything client.h says of it).
 * The first member is opened by pottery_pool_open(); the others when a call finds every
 * member busy, until there are `size` of them. Members are never closed before the pool.
 *
 * Containers and primitives are opened on the pool's client view, pottery_pool_client():
 * every call made through it borrows a member, runs on it and gives it back, so one handle
 * can serve many threads at once. A call that finds every member busy waits up to
 * `wait_timeout_ms` for one and then fails with POTTERY_ETIMEOUT. What must stay on one
 * connection does: a call that takes several round trips (a pop and its put-back, a WATCH
 * transaction and its retries, a streamed bulk write) keeps its member until it returns,
 * and nested calls made by the same thread meanwhile use that member too, so a thread never
 * holds two members of one pool. Iterators (SCAN) run each batch as a call of its own, on
 * whichever member is free; SCAN cursors are kept by the server, so that is the same scan.
 *
 * Broken connections: a call that fails with POTTERY_ECONN, POTTERY_ETIMEOUT or
 * POTTERY_EPROTOCOL gives its member back with the connection closed, and the next call on
 * that member connects again first (with the AUTH, SELECT and PING handshake, asking the
 * sentinels again for a sentinel URL) and counts a reconnect. So a server restart costs the
 * calls in flight a clean error at most; later calls reconnect by themselves and nothing
 * has to be reopened. No command is ever re-sent behind the caller's back.
 *
 * Threads: the pool, its client view and these handles opened on the view may be used by
 * any number of threads at once: pottery_dict, pottery_set, pottery_list, pottery_deque,
 * pottery_counter, pottery_queue, pottery_hll, pottery_bloom, pottery_cache (whose
 * function may then run on several threads at once), pottery_semaphore, pottery_ratelimit
 * and pottery_rqueue (threads sharing one rqueue handle are one consumer: open a handle per
 * thread for consumers of their own). Iterators, and the handles that keep state of their
 * own between calls, keep the rule of client.h, one thread at a time for each (separate
 * ones on one pool may be used by separate threads): pottery_cached_ordered_dict (its
 * contents live in memory), pottery_redlock, pottery_rlock, pottery_rwlock (the handle is
 * the owner) and pottery_nextid (whose masters may be pools). Event-loop connections
 * (async.h) are not pooled.
 */
#ifndef POTTERY_POOL_H
#define POTTERY_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"

POTTERY_BEGIN_DECLS

/** A pool of clients (opaque), safe to use from any number of threads at once. Open with
 * pottery_pool_open(), free with pottery_pool_free(). */
typedef struct pottery_pool pottery_pool;

/** The version of pottery_pool_options this header describes. */
#define POTTERY_POOL_OPTIONS_VERSION 1

/** How big the pool is, how long a call waits for a member, and how members connect.
 * Initialise with POTTERY_POOL_OPTIONS_INIT or pottery_pool_options_init(), then change
 * what you need; members are only ever appended, and `version` tells the library which
 * ones your program knows. */
typedef struct pottery_pool_options {
    unsigned int version;                 /**< POTTERY_POOL_OPTIONS_VERSION, set by the initialisers */
    size_t size;                          /**< the most members (connections, or cluster clients) open at
                                once; default 8, at least 1 */
    int64_t wait_timeout_ms;              /**< how long a call waits for a member when all `size` are
                                  busy: default 1000, 0 = not at all, POTTERY_FOREVER = as
                                  long as it takes; then POTTERY_ETIMEOUT */
    const pottery_client_options *client; /**< how each member connects (timeouts, user,
                                               password, database); NULL = the defaults.
                                               Borrowed for pottery_pool_open(), which
                                               copies what it keeps */
} pottery_pool_options;

/** Defaults: 8 members, a call waits up to 1 s for one, clients with their defaults. */
#define POTTERY_POOL_OPTIONS_INIT                                                                                      \
    {                                                                                                                  \
        POTTERY_POOL_OPTIONS_VERSION, 8, 1000, NULL                                                                    \
    }

/** Set *opts to the defaults (the same as POTTERY_POOL_OPTIONS_INIT; usable from C++). */
static inline void pottery_pool_options_init(pottery_pool_options *opts)
{
    pottery_pool_options defaults = POTTERY_POOL_OPTIONS_INIT;
    *opts = defaults;
}

/** Open a pool on url (every form pottery_client_open() takes: `redis://`, `unix://`,
 * `redis+sentinel://`, `redis+cluster://`; NULL means $REDIS_URL, read once now) and open
 * its first member, so that a wrong URL, password or address fails here. opts NULL means
 * defaults. *out is the caller's; release it with pottery_pool_free().
 *
 * Errors: POTTERY_EINVAL (options not initialised, size 0, a wait timeout below 0 other
 * than POTTERY_FOREVER, and everything pottery_client_open() refuses), then the errors of
 * pottery_client_open() for the first member (POTTERY_ECONN, POTTERY_ETIMEOUT,
 * POTTERY_EREDIS), POTTERY_ENOMEM. Cost: one pottery_client_open(). */
POTTERY_API int pottery_pool_open(pottery_pool **out, const char *url, const pottery_pool_options *opts);

/** Close every member and free the pool and its client view. Accepts NULL. Every handle
 * opened on the view must be freed first, and no thread may be using the pool any more. */
POTTERY_API void pottery_pool_free(pottery_pool *pool);

/** The pool's client view: the pottery_client to open containers and primitives on, and to
 * pass to pottery_client_ping() and pottery_client_stats_get(). It belongs to the pool and
 * lives as long as it; pottery_client_free() on it does nothing (free the pool instead).
 * Never NULL for a pool (NULL for NULL). */
POTTERY_API pottery_client *pottery_pool_client(const pottery_pool *pool);

/** What the pool holds and how its members were lent. pottery_client_stats_get() on the
 * client view gives the members' round trips, commands and reconnects, summed, for every
 * call that has given its member back (a call in flight counts once it returns). */
typedef struct pottery_pool_stats {
    size_t size;       /**< the most members, as configured */
    size_t open;       /**< members opened so far (never more than size) */
    size_t idle;       /**< members waiting in the pool */
    size_t in_use;     /**< members lent to calls now */
    uint64_t borrows;  /**< members lent to calls */
    uint64_t waits;    /**< calls that found every member busy and waited for one */
    uint64_t timeouts; /**< calls that gave up waiting (POTTERY_ETIMEOUT) */
    uint64_t broken;   /**< members given back with their connection closed after
                            POTTERY_ECONN, POTTERY_ETIMEOUT or POTTERY_EPROTOCOL (each
                            reconnects on its next call) */
} pottery_pool_stats;

/** Copy the pool's counters into *out, a consistent snapshot (all zero for a NULL pool;
 * out NULL: nothing). */
POTTERY_API void pottery_pool_stats_get(pottery_pool_stats *out, const pottery_pool *pool);

POTTERY_END_DECLS

#endif /* POTTERY_POOL_H */
