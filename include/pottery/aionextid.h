/**
 * @file aionextid.h
 * pottery's AIONextID for event-loop programs: the id generator of nextid.h (same key
 * `nextid:<key>`, same compare-and-set script, same options, so blocking, asynchronous and
 * Python generators share one sequence and never hand out an id twice) over pottery_async
 * connections (async.h), never blocking the loop's thread.
 *
 * Completion follows aioredlock.h: a start function returns 0 and its callback is called
 * exactly once, later, from the loop (pottery_error_last() describing a failure), or it
 * returns an error and the callback is never called; one operation at a time per handle
 * (POTTERY_ESTATE otherwise); masters are asked at once and an operation completes as soon
 * as its outcome is known; freeing the handle with an operation running calls its callback
 * with POTTERY_ECANCELED before the free returns, and nothing after.
 *
 * Unlike pottery's AIONextID, raise_on_redis_errors is honoured and reset must reach every
 * master, exactly as with the blocking generator (pottery's asynchronous reset settles for a
 * quorum, after which a master that missed the DEL can carry the old sequence on).
 */
#ifndef POTTERY_AIONEXTID_H
#define POTTERY_AIONEXTID_H

#include <stddef.h>
#include <stdint.h>

#include "async.h"
#include "common.h"
#include "nextid.h"

POTTERY_BEGIN_DECLS

/** An id generator over N asynchronous masters (opaque). */
typedef struct pottery_aionextid pottery_aionextid;

/** Completion of next: status 0 with the new id, or an error with id 0. */
typedef void (*pottery_aionextid_cb)(int status, int64_t id, void *payload);
/** Completion of reset: status 0 or an error. */
typedef void (*pottery_aionextid_reset_cb)(int status, void *payload);

/**
 * `AIONextID(key=..., masters=masters, num_tries=...)`: a generator over the n masters
 * (distinct connections, borrowed: they must outlive the handle). opts as for
 * pottery_nextid_new (NULL: the defaults, key "current"). No Redis call.
 * @return 0; POTTERY_EINVAL (NULL masters, n 0, a NULL or repeated connection, a bad
 * option); POTTERY_ENOMEM. *out is NULL on failure.
 */
POTTERY_API int pottery_aionextid_new(pottery_aionextid **out, pottery_async *const *masters, size_t n,
                                      const pottery_nextid_options *opts);

/** Free the generator; an operation running is cancelled (POTTERY_ECANCELED). Accepts
 * NULL; may be called from the generator's callbacks. */
POTTERY_API void pottery_aionextid_free(pottery_aionextid *gen);

/** The Redis key, "nextid:<key>", owned by the handle. NULL for NULL. */
POTTERY_API const char *pottery_aionextid_key(const pottery_aionextid *gen);

/** `await anext(ids)`: the next id, as pottery_nextid_next computes it (one round trip on
 * each master in the steady state, a read first after a refusal; POTTERY_EQUORUM after
 * num_tries failed tries, POTTERY_EIMPOSSIBLE, POTTERY_ERANGE). */
POTTERY_API int pottery_aionextid_next(pottery_aionextid *gen, pottery_aionextid_cb cb, void *payload);

/** `await ids.reset()`: delete the sequence on every master, as pottery_nextid_reset. */
POTTERY_API int pottery_aionextid_reset(pottery_aionextid *gen, pottery_aionextid_reset_cb cb, void *payload);

/** `repr(ids)`: "<AIONextID key=nextid:current>" into *out, the caller's
 * (pottery_free). POTTERY_EINVAL,
 * POTTERY_ENOMEM. */
POTTERY_API int pottery_aionextid_repr(char **out, const pottery_aionextid *gen);

POTTERY_END_DECLS

#endif /* POTTERY_AIONEXTID_H */
