/**
 * @file
 * pottery_ratelimit, a rate limiter shared by every process using one Redis key: `limit`
 * operations per `period_ms` (no Python pottery equivalent).
 *
 * Algorithm: GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp).
 * Operations are spaced period_ms / limit apart on average (the emission interval T, in
 * microseconds, rounded up so that the rate is never exceeded), and up to `burst` units may
 * go at once after a quiet spell. Exactly: over any interval of t ms, at most
 * burst + t * limit / period_ms units are allowed. With burst = 1 no two operations are
 * closer than T and any window of period_ms holds at most `limit`; with burst = limit (the
 * default) a full period's worth may go at once, so a window of period_ms may hold up to
 * 2 * limit - 1 right after a quiet spell, and the long-run rate stays limit / period_ms.
 * A call may cost several units (cost, 1 to burst): a batch of 10 counts as 10 operations.
 *
 * Redis layout: the key is a string holding the "theoretical arrival time" in microseconds
 * of the server's clock, decimal ASCII, with a PX expiry at that time: a limiter that has
 * been idle long enough to be full again has no key. Every call is one Lua script (one
 * round trip): read, decide, write, atomically. One key: on a Redis Cluster it lives in its
 * key's slot, and needs no hash tag.
 *
 * Clock: the server's (TIME inside the script), so the clients' clocks may differ by any
 * amount and still share one limit exactly; the time to wait that a refusal returns is
 * measured on that clock too, and is right up to the round trip's length. Passing the
 * client's clock instead would let one client with a fast clock take the others' share.
 * (A failover to a replica whose clock differs shifts the limiter by that difference.)
 *
 * Handles keep no state of their calls: a handle opened on a pool (pool.h) may be shared by
 * threads.
 *
 * Errors common to every call: POTTERY_EINVAL (a NULL argument), POTTERY_EREDIS with
 * "WRONGTYPE" (the key holds another type), POTTERY_EDECODE (the key holds a string that is
 * not a limiter's timestamp; left as it is), POTTERY_ECONN / POTTERY_ETIMEOUT (the
 * server), POTTERY_EPROTOCOL (a reply the script cannot give).
 *
 *     pottery_ratelimit *rl;
 *     pottery_ratelimit_open(&rl, client, "api:github", 5000, 3600 * 1000, NULL);
 *     int allowed;
 *     int64_t wait_ms;
 *     pottery_ratelimit_try(&allowed, &wait_ms, rl, 1);
 *     if (!allowed) ... come back in wait_ms ...
 *     pottery_ratelimit_free(rl);
 */
#ifndef POTTERY_RATELIMIT_H
#define POTTERY_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"

POTTERY_BEGIN_DECLS

/** A rate limiter on one key (opaque). */
typedef struct pottery_ratelimit pottery_ratelimit;

/** The version of pottery_ratelimit_options this header describes. */
#define POTTERY_RATELIMIT_OPTIONS_VERSION 1

/** Options of pottery_ratelimit_open. */
typedef struct pottery_ratelimit_options {
    unsigned int version; /**< POTTERY_RATELIMIT_OPTIONS_VERSION (set by the initialisers) */
    int64_t burst;        /**< units allowed at once after a quiet spell: 0 (the default) means
                               `limit`; otherwise >= 1 */
} pottery_ratelimit_options;

/** The default options: a burst of `limit`. */
#define POTTERY_RATELIMIT_OPTIONS_INIT                                                                                 \
    {                                                                                                                  \
        POTTERY_RATELIMIT_OPTIONS_VERSION, 0                                                                           \
    }

/** Set *opts to the defaults (POTTERY_RATELIMIT_OPTIONS_INIT). */
static inline void pottery_ratelimit_options_init(pottery_ratelimit_options *opts)
{
    opts->version = POTTERY_RATELIMIT_OPTIONS_VERSION;
    opts->burst = 0;
}

/** A handle on the limiter `key` allowing limit units per period_ms on client (borrowed:
 * it must outlive the handle). No Redis call. Every handle on one key must use the same
 * limit, period and burst. opts NULL = defaults. *out is NULL on failure. Errors:
 * POTTERY_EINVAL (NULL out, client or key, an empty key, limit < 1, period_ms < 1 or over
 * 10^12, limit over period_ms * 1000 (an interval under 1 µs), a bad option, a burst that
 * would span more than 10^12 ms), POTTERY_ENOMEM. */
POTTERY_API int pottery_ratelimit_open(pottery_ratelimit **out, pottery_client *client, const char *key, int64_t limit,
                                       int64_t period_ms, const pottery_ratelimit_options *opts);

/** Free the handle (Redis is not touched). Accepts NULL. */
POTTERY_API void pottery_ratelimit_free(pottery_ratelimit *rl);

/** The Redis key (owned by the handle). NULL for NULL. */
POTTERY_API const char *pottery_ratelimit_key(const pottery_ratelimit *rl);

/** The client (borrowed). NULL for NULL. */
POTTERY_API pottery_client *pottery_ratelimit_client(const pottery_ratelimit *rl);

/** Try to spend cost units now, once, without waiting: *allowed = 1 when they are spent,
 * 0 when refused (not an error; nothing is spent). *wait_ms (wait_ms may be NULL) is 0
 * when allowed, else how long (rounded up to the ms) until the same call would be allowed
 * if nobody else spends meanwhile. One round trip. Errors: POTTERY_EINVAL (NULL allowed or
 * rl, cost < 1 or over the burst: such a call could never be allowed), the common errors. */
POTTERY_API int pottery_ratelimit_try(int *allowed, int64_t *wait_ms, pottery_ratelimit *rl, int64_t cost);

/** Spend cost units, waiting as long as it takes or up to timeout_ms (POTTERY_FOREVER: no
 * limit; 0: try once): *allowed = 1 when spent, 0 when the timeout would pass first. It
 * sleeps the time each refusal names and tries again; it gives up at once, without
 * sleeping, when that time reaches past the timeout. One round trip per try. Errors:
 * POTTERY_EINVAL (as pottery_ratelimit_try, or a negative timeout other than
 * POTTERY_FOREVER), the common errors. */
POTTERY_API int pottery_ratelimit_acquire(int *allowed, pottery_ratelimit *rl, int64_t cost, int64_t timeout_ms);

/** Forget what was spent (UNLINK the key): the full burst is available again. One round
 * trip. Errors: the common ones (a key of another type is deleted too). */
POTTERY_API int pottery_ratelimit_reset(pottery_ratelimit *rl);

POTTERY_END_DECLS

#endif /* POTTERY_RATELIMIT_H */
