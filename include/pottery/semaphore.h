/**
 * @file
 * pottery_semaphore, a counting semaphore with expiring permits on one Redis server or a
 * Redis Cluster (no Python pottery equivalent).
 *
 * At most `permits` holders at any time, across threads, processes and machines: each
 * acquire that succeeds gets a permit, identified by a fresh uuid4 token, that lasts a
 * lease (lease_ms). A holder that crashes never blocks the others for good: its permit
 * comes back by itself when its lease runs out. release gives a permit back early, extend
 * starts its lease over.
 *
 * Redis layout: the key is a sorted set whose members are the tokens of the permits
 * held, each scored by its expiry in milliseconds of the server's clock (TIME). Every
 * operation is one Lua script (one round trip) that first drops the expired members, so
 * the count and the grant are one atomic step. The key itself expires with the last lease,
 * so an idle semaphore leaves nothing behind. One key: on a Redis Cluster a semaphore lives
 * in its key's slot like any container, and needs no hash tag.
 *
 * Clocks: leases are measured by the server's clock alone (TIME inside the scripts), so the
 * clients' clocks may differ by any amount. A client's view of its own permit is not
 * trusted: check what extend and release answer. A lease does not shrink or stretch with
 * the round trip: it starts when the server grants the permit.
 *
 * Why one server and not a quorum of N independent masters (as pottery_redlock): a
 * Redlock-style semaphore must grant a permit only when a majority of masters each have a
 * free slot, but different majorities may then hold different sets of holders, and a
 * master that restarts without persistence forgets its holders, so more than `permits`
 * holders can appear; keeping the count exact across independent masters needs more than
 * one round of voting. A single server (optionally with replicas and Sentinel) or a Redis
 * Cluster keeps every count exact; a failover to a replica that had not yet received the
 * last grants may lose them (as for any Redis data), which the leases bound in time.
 *
 * Fairness: none. Blocked acquirers poll (a random 0 to retry_delay_ms apart, and never
 * later than the earliest lease ends); a waiter may be overtaken.
 *
 * Every handle on one key must use the same number of permits (each acquire checks against
 * its own). Handles keep no state of their calls: a handle opened on a pool (pool.h) may be
 * shared by threads; a permit belongs to the caller (a plain struct, copyable between
 * processes as its token).
 *
 * Errors common to every call: POTTERY_EINVAL (a NULL argument), POTTERY_EREDIS with
 * "WRONGTYPE" (the key holds another type), POTTERY_ECONN / POTTERY_ETIMEOUT (the server),
 * POTTERY_EPROTOCOL (a reply the script cannot give).
 *
 *     pottery_semaphore *sem;
 *     pottery_semaphore_open(&sem, client, "printers", 3, NULL);
 *     pottery_semaphore_permit permit;
 *     int acquired;
 *     if (pottery_semaphore_acquire(&acquired, &permit, sem, 1, 5000) == 0 && acquired) {
 *         ... at most 3 processes here at once ...
 *         pottery_semaphore_release(sem, &permit);
 *     }
 *     pottery_semaphore_free(sem);
 */
#ifndef POTTERY_SEMAPHORE_H
#define POTTERY_SEMAPHORE_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"

POTTERY_BEGIN_DECLS

/** A counting semaphore on one key (opaque). */
typedef struct pottery_semaphore pottery_semaphore;

/** One permit held: its token, the member of the sorted set. */
typedef struct pottery_semaphore_permit {
    char token[37]; /**< a uuid4 in text form, NUL-terminated ("" before an acquire) */
} pottery_semaphore_permit;

/** The version of pottery_semaphore_options this header describes. */
#define POTTERY_SEMAPHORE_OPTIONS_VERSION 1

/** Options of pottery_semaphore_open. */
typedef struct pottery_semaphore_options {
    unsigned int version;   /**< POTTERY_SEMAPHORE_OPTIONS_VERSION (set by the initialisers) */
    int64_t lease_ms;       /**< how long a permit lasts unless extended or released: 10000; > 0 */
    int64_t retry_delay_ms; /**< a blocking acquire sleeps a uniformly random 0 to this many ms
                                 between attempts (less when a lease ends sooner): 200; >= 0 */
} pottery_semaphore_options;

/** The default options: 10 s lease, 0-200 ms retry delay. */
#define POTTERY_SEMAPHORE_OPTIONS_INIT                                                                                 \
    {                                                                                                                  \
        POTTERY_SEMAPHORE_OPTIONS_VERSION, 10000, 200                                                                  \
    }

/** Set *opts to the defaults (POTTERY_SEMAPHORE_OPTIONS_INIT). */
static inline void pottery_semaphore_options_init(pottery_semaphore_options *opts)
{
    opts->version = POTTERY_SEMAPHORE_OPTIONS_VERSION;
    opts->lease_ms = 10000;
    opts->retry_delay_ms = 200;
}

/** A handle on the semaphore `key` with `permits` permits (>= 1) on client (borrowed: it
 * must outlive the handle). No Redis call: the key appears with the first permit granted.
 * opts NULL = defaults. *out is NULL on failure. Errors: POTTERY_EINVAL (NULL out, client
 * or key, an empty key, permits < 1, a bad option), POTTERY_ENOMEM. */
POTTERY_API int pottery_semaphore_open(pottery_semaphore **out, pottery_client *client, const char *key,
                                       int64_t permits, const pottery_semaphore_options *opts);

/** Free the handle (permits held stay held until released or their leases end). Accepts
 * NULL. */
POTTERY_API void pottery_semaphore_free(pottery_semaphore *sem);

/** The Redis key (owned by the handle). NULL for NULL. */
POTTERY_API const char *pottery_semaphore_key(const pottery_semaphore *sem);

/** The client (borrowed). NULL for NULL. */
POTTERY_API pottery_client *pottery_semaphore_client(const pottery_semaphore *sem);

/** The number of permits the handle was opened with (0 for NULL). */
POTTERY_API int64_t pottery_semaphore_permits(const pottery_semaphore *sem);

/** Take a permit: *acquired = 1 and *permit filled when granted, *acquired = 0 when every
 * permit stayed taken (not an error; *permit is then untouched).
 *  - blocking, timeout_ms POTTERY_FOREVER: attempts until granted;
 *  - blocking, timeout_ms >= 0: attempts until granted or timeout_ms has passed (at least
 *    one attempt, also for 0);
 *  - not blocking: exactly one attempt; timeout_ms must be POTTERY_FOREVER or 0.
 * Each attempt is one round trip (a script: drop the expired holders, count the others,
 * add the new token with its expiry if fewer than `permits`). Errors: POTTERY_EINVAL (NULL,
 * a negative timeout other than POTTERY_FOREVER, a timeout when not blocking: "can't
 * specify a timeout for a non-blocking call"), POTTERY_ERANDOMKEY (no randomness for the
 * token), the common errors. */
POTTERY_API int pottery_semaphore_acquire(int *acquired, pottery_semaphore_permit *permit, pottery_semaphore *sem,
                                          int blocking, int64_t timeout_ms);

/** Give the permit back: the next acquirer may take it at once. One round trip. Errors:
 * POTTERY_EUNLOCKED (the permit is not held: released already, its lease ran out, or a
 * token this semaphore never granted; nothing changes), POTTERY_EINVAL (NULL, an empty
 * token), the common errors. */
POTTERY_API int pottery_semaphore_release(pottery_semaphore *sem, const pottery_semaphore_permit *permit);

/** Start the permit's lease over (lease_ms from now on the server's clock; not added to
 * what was left). One round trip. Errors: POTTERY_EUNLOCKED (the permit is not held, as
 * for release: its lease ran out before the extend reached the server), POTTERY_EINVAL,
 * the common errors. */
POTTERY_API int pottery_semaphore_extend(pottery_semaphore *sem, const pottery_semaphore_permit *permit);

/** *held = how many permits are held now (their leases not yet ended). One round trip (a
 * read-only script). Errors: the common ones. */
POTTERY_API int pottery_semaphore_held(int64_t *held, pottery_semaphore *sem);

/** *available = permits - held, or 0 if more are held (handles opened with a larger
 * count). One round trip. Errors: the common ones. */
POTTERY_API int pottery_semaphore_available(int64_t *available, pottery_semaphore *sem);

/** *ttl_ms = how long the permit's lease still runs (server's clock), or 0 when it is not
 * held. One round trip. Errors: POTTERY_EINVAL (NULL, an empty token), the common ones. */
POTTERY_API int pottery_semaphore_lease_left(int64_t *ttl_ms, pottery_semaphore *sem,
                                             const pottery_semaphore_permit *permit);

POTTERY_END_DECLS

#ifdef __cplusplus
/** C++ helpers. */
namespace pottery
{
/** C++: holds a permit for the scope (acquired in the constructor, released in the
 * destructor if it was acquired). No exceptions: acquired() and result() say what
 * happened. */
class semaphore_guard
{
  public:
    /** Acquire a permit as pottery_semaphore_acquire(&acquired, &permit, sem, blocking, timeout_ms). */
    explicit semaphore_guard(pottery_semaphore *sem, int blocking = 1, int64_t timeout_ms = POTTERY_FOREVER)
        : sem_(sem), permit_(), acquired_(0),
          rc_(pottery_semaphore_acquire(&acquired_, &permit_, sem, blocking, timeout_ms))
    {
    }
    /** Release the permit if this guard acquired it. */
    ~semaphore_guard()
    {
        if (rc_ == 0 && acquired_) (void)pottery_semaphore_release(sem_, &permit_);
    }
    /** 1 if this guard holds a permit. */
    int acquired() const
    {
        return rc_ == 0 && acquired_;
    }
    /** What pottery_semaphore_acquire returned (0 or an error code). */
    int result() const
    {
        return rc_;
    }
    /** The permit held (to extend it); its token is "" when none was acquired. */
    const pottery_semaphore_permit &permit() const
    {
        return permit_;
    }
    semaphore_guard(const semaphore_guard &) = delete;            /**< not copyable */
    semaphore_guard &operator=(const semaphore_guard &) = delete; /**< not assignable */

  private:
    pottery_semaphore *sem_;          /**< the semaphore, borrowed */
    pottery_semaphore_permit permit_; /**< the permit acquired */
    int acquired_;                    /**< what the acquire reported */
    int rc_;                          /**< what pottery_semaphore_acquire returned */
};
} /* namespace pottery */
#endif

#endif /* POTTERY_SEMAPHORE_H */
