/**
 * @file
 * pottery_nextid, increasing IDs across threads, processes and machines with no single
 * point of failure (Python: pottery.NextID).
 *
 * Layout (shared with Python's pottery): on each of N independent Redis masters the key
 * `nextid:<key>` (default `nextid:current`) holds the last id given out, as plain decimal
 * text (`3`). A C generator and a pottery NextID on the same key share one sequence.
 *
 * The algorithm. Quorum = more than N/2 masters (N/2 + 1). An id p is handed out only after
 * a quorum of masters accepted it with a compare-and-set that stores p on a master only if
 * that master holds nothing, something that is not a number, or a number below p (the same
 * rule as pottery's script). pottery reads first on every call (GET on every master, max of
 * a quorum of answers, + 1), then runs the compare-and-set: two round trips per id. This
 * generator remembers the highest id it has seen and proposes the next one straight away:
 * its compare-and-set answers, when it refuses, the value the master holds, and only a
 * refused quorum falls back to pottery's read. Steady state: one round trip per id.
 *
 * Why this is safe, also with pottery clients (or other C generators) on the same key:
 *  - every master only ever moves up: both scripts store p only over a smaller value;
 *  - an id is returned only when a quorum stored it; any two quorums share a master.
 * If two calls returned the same p, the master their quorums share would have accepted p
 * twice, but after the first it holds at least p and refuses p. So ids are never handed out
 * twice, however p was chosen (a read, a remembered value, a guess): the read is needed for
 * progress, not for safety. Likewise once a call returned p, a quorum holds at least p, so a
 * later call can only succeed with a larger id: ids grow in real-time order across all
 * clients, and each generator's ids strictly increase. Concurrent clients may leave holes
 * (1, 2, 6, 10, 11, ...). Lua compares numbers as doubles: beyond 2^53 a proposal may be
 * refused where it could have succeeded (never the reverse), so safety holds there too.
 *
 * All masters are asked at once over one concurrent fan-out (one round trip on each), and
 * a call returns as soon as its outcome is decided: a master that is down or frozen counts
 * as a "no" within its client's command timeout and never holds up a quorum of the others.
 *
 * Errors: POTTERY_EQUORUM (QuorumNotAchieved) after `num_tries` failed attempts, with a
 * message naming the key and every master that did not agree and why ("quorum not achieved
 * on nextid:current after 3 tries: 2 of 5 (127.0.0.1:7001 connection refused, ...)");
 * POTTERY_EIMPOSSIBLE (QuorumIsImpossible) at once when `raise_on_redis_errors` is on and
 * more than N/2 masters failed (down, timed out, error reply); POTTERY_EINVAL; POTTERY_ERANGE
 * (the sequence reached INT64_MAX); POTTERY_ENOMEM.
 *
 * Threads: a generator uses its masters' clients, so it is used by one thread at a time,
 * as they are, even when they are pools' client views (pool.h). Separate generators (each
 * on its own clients, or on the same pools) on one key are independent.
 */
#ifndef POTTERY_NEXTID_H
#define POTTERY_NEXTID_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"

POTTERY_BEGIN_DECLS

/** An ID generator (opaque): its masters (borrowed), its key and the highest id it saw. */
typedef struct pottery_nextid pottery_nextid;

/** The version of pottery_nextid_options this header describes. */
#define POTTERY_NEXTID_OPTIONS_VERSION 1

/** How a generator behaves. Initialise with POTTERY_NEXTID_OPTIONS_INIT or
 * pottery_nextid_options_init(), then change what you need; members are only ever appended,
 * and `version` tells the library which ones your program knows. */
typedef struct pottery_nextid_options {
    unsigned int version;      /**< POTTERY_NEXTID_OPTIONS_VERSION, set by the initialisers */
    const char *key;           /**< the sequence's name (copied); the Redis key is
                                    `nextid:<key>`. NULL: "current" (the default) */
    int num_tries;             /**< attempts (read + compare-and-set) before
                                    POTTERY_EQUORUM (default 3; >= 1) */
    int raise_on_redis_errors; /**< non-zero: POTTERY_EIMPOSSIBLE as soon as more than N/2
                                    masters failed (default 0: they count as "no" votes) */
} pottery_nextid_options;

/** Defaults: pottery's (key "current", 3 tries, Redis errors count as "no" votes). */
#define POTTERY_NEXTID_OPTIONS_INIT                                                                                    \
    {                                                                                                                  \
        POTTERY_NEXTID_OPTIONS_VERSION, NULL, 3, 0                                                                     \
    }

/** Set *opts to the defaults (the same as POTTERY_NEXTID_OPTIONS_INIT; usable from C++). */
static inline void pottery_nextid_options_init(pottery_nextid_options *opts)
{
    pottery_nextid_options defaults = POTTERY_NEXTID_OPTIONS_INIT;
    *opts = defaults;
}

/** `NextID(key=..., masters={...}, num_tries=..., raise_on_redis_errors=...)`: a generator
 * over the n masters (n >= 1 distinct clients, one per independent Redis master; five in
 * production). The array is copied, the clients are borrowed and must outlive the
 * generator. opts NULL = defaults. *out is the caller's (pottery_nextid_free). Errors:
 * POTTERY_EINVAL (NULL arguments, n 0, a client NULL or given twice, key "", num_tries < 1,
 * options not initialised or newer than the library), POTTERY_ENOMEM. No round trip. */
POTTERY_API int pottery_nextid_new(pottery_nextid **out, pottery_client *const *masters, size_t n,
                                   const pottery_nextid_options *opts);

/** Free the generator (the Redis keys stay). Accepts NULL. */
POTTERY_API void pottery_nextid_free(pottery_nextid *gen);

/** The Redis key, e.g. "nextid:current" (owned by the generator); NULL for NULL. */
POTTERY_API const char *pottery_nextid_key(const pottery_nextid *gen);

/** The masters (borrowed array owned by the generator) and their number in *n (n may be
 * NULL); NULL and 0 for a NULL generator. */
POTTERY_API pottery_client *const *pottery_nextid_masters(size_t *n, const pottery_nextid *gen);

/** `next(ids)`: the next id of the sequence into *id (1 for a new sequence). Larger than
 * every id this generator returned before and every id any client got before this call
 * began; never an id any client got (see the file's description).
 *
 * Cost: one round trip on each master when the generator's remembered id is still the
 * sequence's latest (the steady state of one generator). The first call, and any call whose
 * proposal a quorum refused, add the read: two. Under contention, up to num_tries attempts
 * of two. Errors: POTTERY_EQUORUM after num_tries failed attempts (the message names the
 * masters that did not agree: down, timed out, refusing, or holding text that is not a
 * decimal integer, which pottery cannot read either), POTTERY_EIMPOSSIBLE (with
 * raise_on_redis_errors), POTTERY_ERANGE, POTTERY_EINVAL, POTTERY_ENOMEM. *id is left
 * untouched on failure. */
POTTERY_API int pottery_nextid_next(int64_t *id, pottery_nextid *gen);

/** `ids.reset()`: delete the sequence (`DEL nextid:<key>`) on every master, waiting for all
 * of them; the next id is 1 again. Succeeds only if every master deleted it (as pottery's
 * NextID.reset); otherwise POTTERY_EIMPOSSIBLE when raise_on_redis_errors is on and more
 * than N/2 failed, else POTTERY_EQUORUM naming the failed masters. Another generator that
 * remembers a larger id goes on above it (it never hands out an id twice after a reset it
 * did not make, but does not restart at 1). One round trip on each master. */
POTTERY_API int pottery_nextid_reset(pottery_nextid *gen);

/** `repr(ids)`: "<NextID key=nextid:current>" into *out, the caller's (pottery_free). No
 * round trip. Errors: POTTERY_EINVAL, POTTERY_ENOMEM. */
POTTERY_API int pottery_nextid_repr(char **out, const pottery_nextid *gen);

POTTERY_END_DECLS

#endif /* POTTERY_NEXTID_H */
