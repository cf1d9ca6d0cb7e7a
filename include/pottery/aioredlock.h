/**
 * @file aioredlock.h
 * pottery's AIORedlock for event-loop programs: the Redlock of redlock.h (same key layout
 * `redlock:<key>`, same uuid4 values, same scripts, same options, defaults and errors, so
 * blocking and asynchronous holders exclude each other, and pottery's Python holders too)
 * over pottery_async connections (async.h), never blocking the loop's thread.
 *
 * Each operation starts at once and completes through its callback:
 * - A start function returns 0 when the operation started; its callback is then called
 *   exactly once, on the loop's thread, later (never from inside the start function).
 *   Otherwise it returns an error (POTTERY_EINVAL, POTTERY_ESTATE when the handle already
 *   has an operation running: one at a time per handle, POTTERY_EUNLOCKED /
 *   POTTERY_EEXTENSIONS when the answer is known without asking) and the callback is never
 *   called.
 * - The callback gets a status: 0 or a negative pottery_error_code; inside it
 *   pottery_error_last() describes a failure (the message names the masters that did not
 *   agree and why). The callback may start another operation on the handle, or free it.
 * - Masters are asked at once and an operation completes as soon as its outcome is known,
 *   as the blocking lock does (pottery's AIORedlock waits for every master, so one frozen
 *   master delays every call): each master has its connection's command timeout (an
 *   acquire attempt also no more than the lease), and replies that come after the decision
 *   are read and dropped in order by their connections.
 * - A blocking acquire waits between attempts on a loop timer (a random 0 to
 *   retry_delay_ms), never by sleeping.
 * - pottery_aioredlock_free with an operation running cancels it: its callback is called
 *   with POTTERY_ECANCELED before free returns, and nothing is called after.
 *
 * Lock lifetime: a pottery_aiowatchdog renews held locks from the loop (no thread), over
 * the connections the locks use, every lock due in a tick in one `redlock_extend_many`
 * script call per master; it raises the lock-lost flag (pottery_aioredlock_lost) and calls
 * the options' on_lost, on the loop, when a renewal finds the lock taken or cannot reach a
 * quorum within a third of the lease (so before the lease runs out), and stops at the
 * options' watchdog_max_hold_ms, as the blocking watchdog does (watchdog.h).
 *
 *     pottery_aiowatchdog *wd;
 *     pottery_aiowatchdog_new(&wd, masters, 3, NULL);
 *     // in the acquire's callback, once acquired:
 *     pottery_aioredlock_watch(lock, wd);
 *     // the critical section's steps check pottery_aioredlock_lost(lock)
 */
#ifndef POTTERY_AIOREDLOCK_H
#define POTTERY_AIOREDLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "async.h"
#include "common.h"
#include "redlock.h"
#include "watchdog.h"

POTTERY_BEGIN_DECLS

/** A handle on one lock over N asynchronous masters (opaque). */
typedef struct pottery_aioredlock pottery_aioredlock;

/** Completion of release, extend and pottery_aioredlock_with: status 0 or an error. */
typedef void (*pottery_aioredlock_cb)(int status, void *payload);
/** Completion of acquire: status 0 with acquired 1 (held) or 0 (not got, as Python's
 * False), or an error with acquired 0. */
typedef void (*pottery_aioredlock_acquire_cb)(int status, int acquired, void *payload);
/** Completion of locked: status 0 with validity_ms as pottery_redlock_locked gives it. */
typedef void (*pottery_aioredlock_locked_cb)(int status, int64_t validity_ms, void *payload);
/** The critical section of pottery_aioredlock_with: runs holding the lock and ends, now or
 * later, with pottery_aioredlock_with_end. */
typedef void (*pottery_aioredlock_body)(pottery_aioredlock *lock, void *payload);

/**
 * `AIORedlock(key=key, masters=masters, ...)`: a handle on `redlock:<key>` over the n
 * masters (distinct connections on one loop, borrowed: they must outlive the handle).
 * opts as for pottery_redlock_new (NULL: the defaults). No Redis call.
 * @return 0; POTTERY_EINVAL (NULL key or masters, n 0, a NULL or repeated connection,
 * masters on different loops, a bad option); POTTERY_ENOMEM. The options' on_lost is
 * called by a pottery_aiowatchdog, on the loop, with NULL for its lock argument (which
 * names a pottery_redlock): tell the locks apart by on_lost_payload. *out is NULL on failure. The fencing option works as for
 * pottery_redlock (pottery_aioredlock_fencing_token).
 */
POTTERY_API int pottery_aioredlock_new(pottery_aioredlock **out, const char *key, pottery_async *const *masters,
                                       size_t n, const pottery_redlock_options *opts);

/** Free the handle (the lock is not released: its lease runs out). An operation running is
 * cancelled (its callback gets POTTERY_ECANCELED before this returns). Accepts NULL; may be
 * called from any of the handle's callbacks. */
POTTERY_API void pottery_aioredlock_free(pottery_aioredlock *lock);

/** The Redis key, "redlock:<key>", owned by the handle. NULL for NULL. */
POTTERY_API const char *pottery_aioredlock_key(const pottery_aioredlock *lock);

/**
 * `await lock.acquire(blocking=..., timeout=...)`: the attempts of pottery_redlock_acquire
 * (same rules for blocking and timeout_ms, the same round trips per attempt, the same
 * POTTERY_EQUORUM for a blocking acquire without timeout whose masters stay down for a
 * whole lease), with the waits between attempts on a loop timer. cb(status, acquired,
 * payload) reports the outcome.
 */
POTTERY_API int pottery_aioredlock_acquire(pottery_aioredlock *lock, int blocking, int64_t timeout_ms,
                                           pottery_aioredlock_acquire_cb cb, void *payload);

/** The fencing token of the acquire that completed last (needs the `fencing` option): as
 * pottery_redlock_fencing_token, with the same guarantees and limits, and the same counter
 * (`{redlock:<key>}:fence`), so blocking and event-loop holders of one lock draw from one
 * sequence. With more than one master the acquire completes once the first master answered
 * the raise of the counters (the others' replies are not waited for). No Redis call here.
 * Errors: POTTERY_EINVAL (NULL, no `fencing` option), POTTERY_EUNLOCKED (not acquired, an
 * acquire running, or released). */
POTTERY_API int pottery_aioredlock_fencing_token(int64_t *token, const pottery_aioredlock *lock);

/** `await lock.release()`, as pottery_redlock_release (waits for every master; status
 * POTTERY_EUNLOCKED when not held on a quorum). Never acquired: returns POTTERY_EUNLOCKED
 * at once without calling cb. */
POTTERY_API int pottery_aioredlock_release(pottery_aioredlock *lock, pottery_aioredlock_cb cb, void *payload);

/** `await lock.locked()`, as pottery_redlock_locked: the remaining lease a quorum of
 * masters holds at least (pottery's rule), less drift and the call's time, or 0. Never
 * acquired: cb gets 0 without a Redis call (still later, from the loop). */
POTTERY_API int pottery_aioredlock_locked(pottery_aioredlock *lock, pottery_aioredlock_locked_cb cb, void *payload);

/** `await lock.extend()`, as pottery_redlock_extend. Too many extensions: returns
 * POTTERY_EEXTENSIONS at once; never acquired: POTTERY_EUNLOCKED at once (cb not called). */
POTTERY_API int pottery_aioredlock_extend(pottery_aioredlock *lock, pottery_aioredlock_cb cb, void *payload);

/**
 * `async with lock:`: acquire with the options' context_manager_blocking and
 * context_manager_timeout_ms; when held, call body(lock, payload); when the body calls
 * pottery_aioredlock_with_end, release; then done(status, payload): the body's non-zero
 * status (its error message kept) or else the release's (POTTERY_EUNLOCKED if the lease ran
 * out meanwhile). Not acquired: done gets POTTERY_EQUORUM and the body never runs. While
 * the body runs, locked and extend may be used on the handle.
 */
POTTERY_API int pottery_aioredlock_with(pottery_aioredlock *lock, pottery_aioredlock_body body,
                                        pottery_aioredlock_cb done, void *payload);

/** End the body of pottery_aioredlock_with with status (0, or the body's own failure):
 * the lock is released, then done is called. 0, or POTTERY_ESTATE when no body is running
 * or an operation (locked, extend) is still running on the handle (an operation is over
 * when its callback runs: ending the body from that callback is fine), or POTTERY_ENOMEM
 * when the release could not start (the body is still running: end it again). */
POTTERY_API int pottery_aioredlock_with_end(pottery_aioredlock *lock, int status);

/** The lock-lost flag: 0 while nothing says the lock is lost, else why
 * (pottery_redlock_lost_reason), set by the pottery_aiowatchdog watching it, on the loop,
 * before its on_lost runs. Cleared by each acquire. 0 for NULL. No Redis call. */
POTTERY_API int pottery_aioredlock_lost(const pottery_aioredlock *lock);

/** A renewer of held pottery_aioredlock locks running on their loop (opaque). */
typedef struct pottery_aiowatchdog pottery_aiowatchdog;

/** The version of pottery_aiowatchdog_options this header describes. */
#define POTTERY_AIOWATCHDOG_OPTIONS_VERSION 1

/** Options of pottery_aiowatchdog_new (none yet but the version). */
typedef struct pottery_aiowatchdog_options {
    unsigned int version; /**< POTTERY_AIOWATCHDOG_OPTIONS_VERSION (set by the initialisers) */
} pottery_aiowatchdog_options;

/** The defaults. */
#define POTTERY_AIOWATCHDOG_OPTIONS_INIT                                                                               \
    {                                                                                                                  \
        POTTERY_AIOWATCHDOG_OPTIONS_VERSION                                                                            \
    }

/** Set *opts to the defaults (POTTERY_AIOWATCHDOG_OPTIONS_INIT). */
static inline void pottery_aiowatchdog_options_init(pottery_aiowatchdog_options *opts)
{
    opts->version = POTTERY_AIOWATCHDOG_OPTIONS_VERSION;
}

/**
 * A watchdog over the n masters (the connections of the locks it will watch, in their
 * order; borrowed: they must outlive it), with one timer on their loop. Its renewals travel
 * on those connections, queued behind and ahead of the locks' own commands (a connection
 * answers in order), so a lock's operation may run while it is renewed. Each tick renews
 * every lock due (a third of its lease after the last renewal, or within a sixth of its lease
 * of that, so that locks acquired at about the same time share ticks) in one script call on
 * each master, all masters at once: one round trip per master per tick, however many locks.
 * opts NULL = defaults. No Redis call here. *out is the caller's
 * (pottery_aiowatchdog_free); NULL on failure. Errors: POTTERY_EINVAL (NULL, n 0, a NULL or
 * repeated connection, masters on different loops, bad options), POTTERY_ENOMEM.
 */
POTTERY_API int pottery_aiowatchdog_new(pottery_aiowatchdog **out, pottery_async *const *masters, size_t n,
                                        const pottery_aiowatchdog_options *opts);

/** Stop the timer, cancel a renewal in flight (its replies are read and dropped by their
 * connections), and forget the locks still watched (their leases run out; their on_lost is
 * never called). Accepts NULL; may be called from an on_lost callback. */
POTTERY_API void pottery_aiowatchdog_free(pottery_aiowatchdog *wd);

/** Copy the watchdog's counters into *out (pottery_watchdog_stats of redlock.h's blocking
 * watchdog: ticks, calls, renewals, lost, busy_ns, watched); zeros for NULL wd, nothing for
 * NULL out. */
POTTERY_API void pottery_aiowatchdog_stats_get(pottery_watchdog_stats *out, const pottery_aiowatchdog *wd);

/** Hand the held lock to wd, which renews its lease (to its full length, every third of it)
 * until it is released, unwatched or freed, found lost, or watchdog_max_hold_ms after the
 * acquire, whichever comes first; renewals do not count against num_extensions and do not
 * occupy the handle (its one operation at a time). A renewal that misses its quorum within a
 * third of the lease, or finds the lock taken, sets pottery_aioredlock_lost and calls
 * on_lost on the loop; the watchdog then stops renewing it. Watching a lock watched already
 * moves it; acquire, release and free unwatch it first. No Redis call. Errors:
 * POTTERY_EINVAL (NULL, masters not wd's, watchdog_max_hold_ms below the lease),
 * POTTERY_EUNLOCKED (not acquired since opened or released, an acquire running, or lost
 * already), POTTERY_ENOMEM. */
POTTERY_API int pottery_aioredlock_watch(pottery_aioredlock *lock, pottery_aiowatchdog *wd);

/** Take the lock back from its watchdog (its lease then runs out unless extended); a
 * renewal in flight for it is ignored and on_lost is not called for it after this. Accepts
 * NULL and a lock not watched. No Redis call. */
POTTERY_API void pottery_aioredlock_unwatch(pottery_aioredlock *lock);

POTTERY_END_DECLS

#endif /* POTTERY_AIOREDLOCK_H */
