/**
 * @file
 * pottery_watchdog, a background renewer for held Redlock locks (pottery has none: Redisson
 * calls its equivalent "lock watchdog"), for critical sections of unknown length.
 *
 * A watchdog is one thread with its own clients, one per master, opened from the masters'
 * URLs: a blocking client is used by one thread at a time (client.h), so the watchdog
 * cannot share the holders' clients, and one thread with one connection per master serves
 * every lock handed to it (pottery_redlock_watch). Every third of a lock's lease the
 * watchdog resets the lease to its full length on every master still holding the lock's
 * value; locks due together are renewed together, in one script call per master
 * (`redlock_extend_many`: one round trip on each master, concurrently, however many locks)
 * on servers, and in one call per hash slot on a Redis Cluster (a script's keys share a
 * slot there).
 *
 * A renewal that does not reach a quorum (N / 2 + 1) of the masters within a third of the
 * lease, or whose quorum is no longer possible because masters answered that they do not
 * hold the value (the key was deleted, expired, or holds another value), marks the lock
 * lost (pottery_redlock_lost) and calls its on_lost callback, on the watchdog's thread,
 * at most a third of a lease after the last good renewal and so before the lease it granted
 * runs out; the watchdog then stops renewing it. A renewal that succeeds renewed too late,
 * after lease - elapsed - drift, counts as failed as well. The watchdog also stops at the
 * lock's watchdog_max_hold_ms: it never renews past that time after the acquire (reporting
 * POTTERY_REDLOCK_LOST_MAX_HOLD when it stops), so a stuck holder cannot keep a lock
 * forever.
 *
 * Threads: pottery_redlock_watch and _unwatch may be called from any thread; the locks
 * themselves stay one-thread-at-a-time handles of their holders. Free the watchdog after
 * the locks it watches were released, unwatched or freed.
 *
 *     const char *urls[] = { "redis://a:6379", "redis://b:6379", "redis://c:6379" };
 *     pottery_watchdog *wd;
 *     pottery_watchdog_new(&wd, urls, 3, NULL);
 *     if (pottery_redlock_acquire(&acquired, lock, 1, POTTERY_FOREVER) == 0 && acquired) {
 *         pottery_redlock_watch(lock, wd);
 *         while (work_left() && !pottery_redlock_lost(lock)) work();
 *         pottery_redlock_release(lock);
 *     }
 *     pottery_watchdog_free(wd);
 */
#ifndef POTTERY_WATCHDOG_H
#define POTTERY_WATCHDOG_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "redlock.h"

POTTERY_BEGIN_DECLS

/** The version of pottery_watchdog_options this header describes. */
#define POTTERY_WATCHDOG_OPTIONS_VERSION 1

/** How the watchdog's clients connect. */
typedef struct pottery_watchdog_options {
    unsigned int version;                 /**< POTTERY_WATCHDOG_OPTIONS_VERSION (set by the initialisers) */
    const pottery_client_options *client; /**< options of the watchdog's clients (timeouts, user,
                                               password, database); NULL = the defaults.
                                               Borrowed for pottery_watchdog_new */
} pottery_watchdog_options;

/** The defaults: clients with their default options. */
#define POTTERY_WATCHDOG_OPTIONS_INIT                                                                                  \
    {                                                                                                                  \
        POTTERY_WATCHDOG_OPTIONS_VERSION, NULL                                                                         \
    }

/** Set *opts to the defaults (POTTERY_WATCHDOG_OPTIONS_INIT). */
static inline void pottery_watchdog_options_init(pottery_watchdog_options *opts)
{
    opts->version = POTTERY_WATCHDOG_OPTIONS_VERSION;
    opts->client = NULL;
}

/** What a watchdog did, for tests and monitoring. */
typedef struct pottery_watchdog_stats {
    uint64_t ticks;    /**< rounds of renewals (each renews every lock due then) */
    uint64_t calls;    /**< renewal fan-outs: one script call on each master (per tick, or per hash
                            slot and tick on a cluster) */
    uint64_t renewals; /**< lock leases renewed on a quorum */
    uint64_t lost;     /**< locks found lost (every reason) */
    uint64_t busy_ns;  /**< time spent renewing (the ticks' calls, from the first request sent to
                            the last reply judged), in nanoseconds */
    size_t watched;    /**< locks watched now */
} pottery_watchdog_stats;

/** A watchdog on the n masters at urls (as pottery_client_open takes them: the masters of
 * the locks it will watch, in their order), with its own thread and clients. opts NULL =
 * defaults. Each client is opened (connected) here, so every master must answer now; later
 * outages are handled as by any client (a renewal counts the master as failed, the next
 * one reconnects). *out is the caller's (pottery_watchdog_free); NULL on failure. Errors:
 * POTTERY_EINVAL (NULL, n 0, a malformed URL, bad options), POTTERY_ESTATE (the thread
 * could not be started), POTTERY_ENOMEM, and pottery_client_open's (POTTERY_ECONN,
 * POTTERY_ETIMEOUT, ...: the message names the master). */
POTTERY_API int pottery_watchdog_new(pottery_watchdog **out, const char *const *urls, size_t n,
                                     const pottery_watchdog_options *opts);

/** Stop the thread (waiting for a renewal in progress), forget the locks still watched
 * (their leases run out) and close the clients. Accepts NULL. */
POTTERY_API void pottery_watchdog_free(pottery_watchdog *wd);

/** Copy the counters into *out (zeros for NULL wd; out NULL: nothing). */
POTTERY_API void pottery_watchdog_stats_get(pottery_watchdog_stats *out, pottery_watchdog *wd);

POTTERY_END_DECLS

#endif /* POTTERY_WATCHDOG_H */
