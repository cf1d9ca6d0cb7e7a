/**
 * @file
 * pottery_redlock, a distributed lock over N independent Redis masters (Python:
 * pottery.Redlock), and pottery_synchronize (Python: the pottery.synchronize decorator).
 *
 * The lock is held when more than half of the masters (quorum = N / 2 + 1) store its
 * value: the Redis key `redlock:<key>` holds a fresh uuid4 text with a PX lease, exactly as
 * pottery writes it, so a C lock and a Python pottery lock on the same key exclude each
 * other. Every operation talks to all masters at once (one round trip on each master,
 * concurrently, from the calling thread) and returns as soon as the outcome is decided; a
 * master that is down or frozen counts as a "no" within its client's command timeout.
 *
 * Validity: an acquire succeeds only if, after the quorum answered, lease - elapsed -
 * drift > 0, where drift = 1% of the lease + 2 ms and elapsed is measured on the monotonic
 * clock. A failed attempt releases whatever it got, on every master, before it returns.
 *
 * No orphaned keys: each master is reached through one ordered connection, so a release
 * always runs after the SET it undoes, even when the acquire returned before that SET was
 * answered; release (and a failed attempt's clean-up) waits for every master to answer or
 * time out, so when it returns no reachable master holds this lock's value.
 *
 * Lock lifetime (options version 2): a watchdog (pottery/watchdog.h,
 * pottery_redlock_watch) renews a held lock in the background for critical sections of
 * unknown length, sets the lock-lost flag (pottery_redlock_lost) and calls on_lost when a
 * renewal finds the lock taken or cannot reach a quorum, and stops at watchdog_max_hold_ms;
 * the fencing option gives each grant a token (pottery_redlock_fencing_token, which says
 * where it holds and where it does not).
 *
 * Not re-entrant: acquiring again makes a new value and waits for the previous lease.
 * A lock handle borrows its clients (one per master, all distinct); like a client it is
 * used by one thread at a time, even on pools' client views (pool.h). Separate processes
 * (or threads) use separate handles.
 *
 *     pottery_redlock *printer;
 *     pottery_redlock_new(&printer, "printer", masters, 5, NULL);
 *     int acquired;
 *     if (pottery_redlock_acquire(&acquired, printer, 1, POTTERY_FOREVER) == 0 && acquired) {
 *         ... critical section ...
 *         pottery_redlock_release(printer);
 *     }
 *     pottery_redlock_free(printer);
 */
#ifndef POTTERY_REDLOCK_H
#define POTTERY_REDLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"

POTTERY_BEGIN_DECLS

/** A distributed lock on one resource over N masters (opaque). */
typedef struct pottery_redlock pottery_redlock;

/** The version of pottery_redlock_options this header describes. */
#define POTTERY_REDLOCK_OPTIONS_VERSION 2

/** Why a held lock was lost (pottery_redlock_lost, the on_lost callback); 0 = not lost. */
typedef enum pottery_redlock_lost_reason {
    POTTERY_REDLOCK_LOST_TAKEN = 1,       /**< a renewal found that too many masters no longer hold this
                                               handle's value (deleted, expired, or another value) for a
                                               quorum to remain */
    POTTERY_REDLOCK_LOST_UNREACHABLE = 2, /**< a renewal could not reach a quorum of masters (down, frozen,
                                               too slow): the lease can no longer be counted on */
    POTTERY_REDLOCK_LOST_MAX_HOLD = 3     /**< watchdog_max_hold_ms is reached: the watchdog stopped
                                               renewing and the lock expires with its current lease */
} pottery_redlock_lost_reason;

/** Called by a watchdog (on its own thread) when it finds a lock it renews lost: lock is the
 * handle, reason a pottery_redlock_lost_reason, payload the options' on_lost_payload. It
 * runs once per acquire, after pottery_redlock_lost(lock) already answers reason. It must
 * return quickly, and may call pottery_redlock_lost, _key and _fencing_token on lock but
 * nothing else on it (the lock belongs to its holder's thread): tell the holder, which
 * stops its critical section and releases. For a pottery_aioredlock (aioredlock.h) a
 * pottery_aiowatchdog calls it on the loop, with lock NULL. */
typedef void (*pottery_redlock_lost_fn)(pottery_redlock *lock, int reason, void *payload);

/** Options of pottery_redlock_new and pottery_synchronize; defaults are pottery's. */
typedef struct pottery_redlock_options {
    unsigned int version;               /**< POTTERY_REDLOCK_OPTIONS_VERSION (set by the initialisers) */
    int64_t auto_release_time_ms;       /**< the lease (Python auto_release_time): 10000; must be > 0 */
    int num_extensions;                 /**< how many times pottery_redlock_extend may renew the
                                             lease after an acquire: 3; >= 0 */
    int context_manager_blocking;       /**< pottery_redlock_with / pottery_synchronize wait for the
                                             lock (1, the default) or try once (0) */
    int64_t context_manager_timeout_ms; /**< how long they wait: POTTERY_FOREVER (default) or >= 0;
                                             only POTTERY_FOREVER or 0 when not blocking */
    int raise_on_redis_errors;          /**< 1: when more than N/2 masters fail (down, timeout, error
                                             reply), operations return POTTERY_EIMPOSSIBLE at once
                                             instead of their ordinary failure. Default 0 */
    int64_t retry_delay_ms;             /**< a blocking acquire sleeps a uniformly random 0 to this
                                             many ms between attempts: 200; >= 0 */
    /* Version 2: read only when version >= 2 (older structs get the defaults). */
    int fencing;                     /**< 1: each acquire also draws a fencing token
                                             (pottery_redlock_fencing_token); default 0 */
    int64_t watchdog_max_hold_ms;    /**< a watchdog (pottery_redlock_watch) renews the lock at most
                                             until this long after the acquire, then stops and reports
                                             POTTERY_REDLOCK_LOST_MAX_HOLD: 60000 by default, > 0 or
                                             POTTERY_FOREVER (no cap); at least the lease when watched */
    pottery_redlock_lost_fn on_lost; /**< called when a watchdog finds the lock lost; NULL (default):
                                             only the flag, pottery_redlock_lost */
    void *on_lost_payload;           /**< passed to on_lost (borrowed); NULL by default */
} pottery_redlock_options;

/** The default options (pottery's): 10 s lease, 3 extensions, blocking context without
 * timeout, quorum-impossible reporting off, 0-200 ms retry delay; no fencing token, a
 * watchdog renews for at most 60 s, no lost callback. */
#define POTTERY_REDLOCK_OPTIONS_INIT                                                                                   \
    {                                                                                                                  \
        POTTERY_REDLOCK_OPTIONS_VERSION, 10000, 3, 1, POTTERY_FOREVER, 0, 200, 0, 60000, NULL, NULL                    \
    }

/** Set *opts to the defaults (POTTERY_REDLOCK_OPTIONS_INIT). */
static inline void pottery_redlock_options_init(pottery_redlock_options *opts)
{
    opts->version = POTTERY_REDLOCK_OPTIONS_VERSION;
    opts->auto_release_time_ms = 10000;
    opts->num_extensions = 3;
    opts->context_manager_blocking = 1;
    opts->context_manager_timeout_ms = POTTERY_FOREVER;
    opts->raise_on_redis_errors = 0;
    opts->retry_delay_ms = 200;
    opts->fencing = 0;
    opts->watchdog_max_hold_ms = 60000;
    opts->on_lost = NULL;
    opts->on_lost_payload = NULL;
}

/** `Redlock(key=key, masters=masters, ...)`: a handle on the lock `redlock:<key>` over the
 * n masters (distinct clients, borrowed: they must outlive the handle). No Redis call.
 * opts NULL = defaults. *out is NULL on failure. Errors: POTTERY_EINVAL (NULL key or
 * masters, n 0, a NULL or repeated client, a bad option, a non-blocking context with a
 * positive timeout: "can't specify a timeout for a non-blocking call"), POTTERY_ENOMEM. */
POTTERY_API int pottery_redlock_new(pottery_redlock **out, const char *key, pottery_client *const *masters, size_t n,
                                    const pottery_redlock_options *opts);

/** Free the handle (it does not release the lock: the lease runs out). Accepts NULL. */
POTTERY_API void pottery_redlock_free(pottery_redlock *lock);

/** The Redis key, "redlock:<key>" (Python: lock.key), owned by the handle. NULL for NULL. */
POTTERY_API const char *pottery_redlock_key(const pottery_redlock *lock);

/** The masters: *out (out may be NULL) gets the handle's array of clients (owned by the
 * handle); returns their number (0 for NULL). */
POTTERY_API size_t pottery_redlock_masters(pottery_client *const **out, const pottery_redlock *lock);

/** `lock.acquire(blocking=..., timeout=...)`: *acquired = 1 when this handle now holds the
 * lock, 0 when it could not get it (not an error, as Python returns False).
 *  - blocking, timeout_ms POTTERY_FOREVER: attempts until acquired, sleeping a random 0 to
 *    retry_delay_ms between attempts;
 *  - blocking, timeout_ms >= 0: attempts until acquired or timeout_ms has passed (at least
 *    one attempt, also for 0: unlike pottery, which makes none);
 *  - not blocking: exactly one attempt; timeout_ms must be POTTERY_FOREVER or 0.
 * Each attempt is one round trip on each master (`SET redlock:<key> <new uuid4> NX PX
 * <lease>`), plus one more on each when it fails (its clean-up release). Errors:
 * POTTERY_EINVAL (NULL, negative timeout, a timeout when not blocking: "can't specify a
 * timeout for a non-blocking call"); POTTERY_EIMPOSSIBLE (raise_on_redis_errors on and more
 * than N/2 masters failed: the message names them and why); POTTERY_EQUORUM for a blocking
 * acquire without timeout whose attempts found a quorum impossible for a whole lease (more
 * than N/2 masters failing): it never hangs silently on dead masters; ENOMEM. */
POTTERY_API int pottery_redlock_acquire(int *acquired, pottery_redlock *lock, int blocking, int64_t timeout_ms);

/** `lock.release()`: delete the lock's value on every master that holds it (a
 * compare-and-delete script), waiting for every master to answer or time out. One round
 * trip on each master; no Redis call if this handle never tried to acquire. Errors:
 * POTTERY_EUNLOCKED (not held by this handle on a quorum: never acquired, released already,
 * or expired; the message names the masters that said no), POTTERY_EIMPOSSIBLE (see
 * raise_on_redis_errors), POTTERY_EINVAL. */
POTTERY_API int pottery_redlock_release(pottery_redlock *lock);

/** `lock.locked()`: *validity_ms = how long this handle still holds the lock, or 0 when it
 * does not hold it (pottery returns the same in seconds): the remaining lease that a quorum
 * of masters holds at least (pottery's AIORedlock rule: the masters' leases sorted, the
 * (N/2)-th from the top; a master that did not answer before the call decided counts as
 * holding nothing) - drift - the call's elapsed time. One round trip on each master; no
 * Redis call (0) if this handle never tried to acquire. Errors: POTTERY_EIMPOSSIBLE (see
 * raise_on_redis_errors), POTTERY_EINVAL. */
POTTERY_API int pottery_redlock_locked(int64_t *validity_ms, pottery_redlock *lock);

/** `lock.extend()`: reset the lease to its full length on every master holding this
 * handle's value (not added to the time left). One round trip on each master. Errors:
 * POTTERY_EEXTENSIONS (already extended num_extensions times since the acquire; no Redis
 * call), POTTERY_EUNLOCKED (not held on a quorum; names the masters),
 * POTTERY_EIMPOSSIBLE (see raise_on_redis_errors), POTTERY_EINVAL. */
POTTERY_API int pottery_redlock_extend(pottery_redlock *lock);

/** The fencing token of the current acquire: *token = a number that grows with every
 * grant of this lock, for a storage system to refuse writes carrying a token lower than one
 * it has seen (a holder whose lease ran out while it was paused). Needs the `fencing`
 * option; the acquire runs `SET redlock:<key> <uuid4> NX PX <lease>` and, when it
 * succeeds, `INCR` of the companion key `{redlock:<key>}:fence` (same hash slot, no
 * expiry) in one script on each master, and the token is the largest of the values the
 * granting masters answered. With more than one master the acquire then raises every
 * master's counter to that token (`redlock_fence_raise`, sent without waiting for its
 * replies, which the next call on each master reads; the client's statistics count it as a
 * round trip). No Redis call here.
 *
 * Where it holds: on one master (a single server, a cluster slot), every grant increments
 * the one counter in the script that grants it, so tokens strictly increase as long as the
 * server keeps its writes; with replicas, a failover loses the increments the old master
 * had not passed on, unless the writer made them wait for replicas (`WAIT`): without that
 * a promoted replica can hand out a token again. Over independent Redlock masters it is a
 * best effort, not a safety guarantee: each master counts the grants it saw; any two
 * quorums share a master and the raise lifts every counter the granting quorum reached, so
 * tokens increase while masters keep their data and the raise arrives before the lease
 * ends, but a master that restarts empty (or without the raise, e.g. down at the time) can
 * leave a quorum whose counters are all behind, and then a later grant gets a smaller
 * token. That is the Redlock critique (Kleppmann, "How to do distributed locking"): a
 * fencing token needs one linearizable counter, which N independent masters are not.
 * Errors: POTTERY_EINVAL (NULL, or no `fencing` option), POTTERY_EUNLOCKED (this handle
 * has not acquired since it was opened or released). */
POTTERY_API int pottery_redlock_fencing_token(int64_t *token, const pottery_redlock *lock);

/** The lock-lost flag: 0 while nothing says the lock is lost, else why
 * (pottery_redlock_lost_reason). A watchdog sets it, from its thread, when a renewal finds
 * the lock taken or cannot reach a quorum, or at watchdog_max_hold_ms; it is read
 * atomically, so a critical section may poll it from any thread. Cleared by each acquire.
 * 0 for NULL. No Redis call. */
POTTERY_API int pottery_redlock_lost(const pottery_redlock *lock);

/** Opaque: a watchdog (pottery/watchdog.h). */
typedef struct pottery_watchdog pottery_watchdog;

/** Hand the held lock to the watchdog wd, which renews its lease (to its full length,
 * every third of it) until it is released, unwatched or freed, found lost, or
 * watchdog_max_hold_ms after the acquire, whichever comes first; renewals do not count
 * against num_extensions. wd must be on the same masters, in the same order (the same
 * servers: pottery_watchdog_new's URLs). No Redis call. Watching a lock watched already
 * moves it. Acquire, release and free unwatch it first. Errors: POTTERY_EINVAL (NULL, masters
 * not wd's, watchdog_max_hold_ms below the lease), POTTERY_EUNLOCKED (not acquired since
 * opened or released, or lost already), POTTERY_ESTATE (wd is being freed), ENOMEM. */
POTTERY_API int pottery_redlock_watch(pottery_redlock *lock, pottery_watchdog *wd);

/** Take the lock back from its watchdog (its lease then runs out unless extended): when
 * this returns, the watchdog no longer touches lock, and its on_lost callback is not
 * running. Waits for a callback on this lock that is running. Accepts NULL and a lock not
 * watched. No Redis call. */
POTTERY_API void pottery_redlock_unwatch(pottery_redlock *lock);

/** A function run under a lock: 0 on success or a negative POTTERY_E* code (or any non-zero
 * value of the caller's) that pottery_redlock_with passes back. */
typedef int (*pottery_redlock_fn)(void *payload);

/** `with lock: fn()`: acquire with the context_manager_blocking / _timeout_ms options, run
 * fn(payload), release. Returns POTTERY_EQUORUM ("quorum not achieved on redlock:<key>: 2
 * of 5 (...)") without calling fn when the lock could not be acquired; otherwise fn's
 * result when it is non-zero (the lock is released all the same), else release's result
 * (POTTERY_EUNLOCKED if the lease ran out while fn ran). Errors of the acquire pass through. */
POTTERY_API int pottery_redlock_with(pottery_redlock *lock, pottery_redlock_fn fn, void *payload);

/** Python's `synchronize(key=key, masters=masters, ...)` decorator: run fn(payload) under a new lock on key
 * over the masters (auto_release_time_ms, raise_on_redis_errors, and
 * context_manager_blocking / _timeout_ms as blocking / timeout), so that calls from any
 * thread, process or machine never overlap. Results and errors as pottery_redlock_with,
 * plus those of pottery_redlock_new. fn returns its own results through payload. */
POTTERY_API int pottery_synchronize(const char *key, pottery_client *const *masters, size_t n,
                                    const pottery_redlock_options *opts, pottery_redlock_fn fn, void *payload);

POTTERY_END_DECLS

#ifdef __cplusplus
/** C++ helpers. */
namespace pottery
{
/** C++: holds a lock for the scope (acquired in the constructor, released in the
 * destructor if it was acquired). No exceptions: acquired() and result() say what
 * happened. */
class redlock_guard
{
  public:
    /** Acquire lock as pottery_redlock_acquire(&acquired, lock, blocking, timeout_ms). */
    explicit redlock_guard(pottery_redlock *lock, int blocking = 1, int64_t timeout_ms = POTTERY_FOREVER)
        : lock_(lock), acquired_(0), rc_(pottery_redlock_acquire(&acquired_, lock, blocking, timeout_ms))
    {
    }
    /** Release the lock if this guard acquired it. */
    ~redlock_guard()
    {
        if (rc_ == 0 && acquired_) (void)pottery_redlock_release(lock_);
    }
    /** 1 if the lock is held by this guard. */
    int acquired() const
    {
        return rc_ == 0 && acquired_;
    }
    /** What pottery_redlock_acquire returned (0 or an error code). */
    int result() const
    {
        return rc_;
    }
    redlock_guard(const redlock_guard &) = delete;            /**< not copyable */
    redlock_guard &operator=(const redlock_guard &) = delete; /**< not assignable */

  private:
    pottery_redlock *lock_; /**< the lock, borrowed */
    int acquired_;          /**< what the acquire reported */
    int rc_;                /**< what pottery_redlock_acquire returned */
};
} /* namespace pottery */
#endif

#endif /* POTTERY_REDLOCK_H */
