/**
 * @file
 * pottery_rlock, a reentrant distributed lock over N independent Redis masters: its owner
 * may acquire it again while holding it and must release it as many times (the shape of
 * Python's threading.RLock; pottery has no counterpart).
 *
 * The owner is the handle: a uuid4 made by pottery_rlock_new. Every master keeps the hash
 * `rlock:<key>` holding one field, the owner's uuid4, whose value is the hold count (as
 * text), with a PX lease; it is deleted when the count reaches 0. The count stored is the
 * handle's own (set, never incremented on the server), so a master that missed a call
 * holds the right count again after the next one.
 *
 * Quorum and validity are Redlock's (redlock.h): a grant needs more than half of the
 * masters (N / 2 + 1) and lease - elapsed - drift > 0 (drift = 1% of the lease + 2 ms); a
 * failed attempt gives back, on every master, what it got. With one master (a single
 * server, or a Redis Cluster client: the lock is one key) the quorum is that master. Every
 * acquire, re-acquire included, starts the lease over on every master; release leaves it
 * as it is. A master that is down or frozen counts as a "no" within its client's command
 * timeout. An `rlock:` key and a pottery_redlock (`redlock:<key>`) of the same name are
 * different locks.
 *
 * Options are pottery_redlock_options: auto_release_time_ms (the lease), retry_delay_ms,
 * raise_on_redis_errors and num_extensions (extends allowed per first acquire) as for
 * Redlock; the context_manager_* members are not used.
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or out-pointer), POTTERY_ENOMEM,
 * POTTERY_EIMPOSSIBLE (raise_on_redis_errors on and more than N/2 masters failed), and
 * POTTERY_EREDIS when more than N/2 masters answer an error (`rlock:<key>` of another
 * type: WRONGTYPE), without retrying.
 *
 * A handle borrows its clients (one per master, all distinct) and is used by one thread
 * at a time; separate owners use separate handles.
 *
 *     pottery_rlock *tree;
 *     pottery_rlock_new(&tree, "tree", masters, 5, NULL);
 *     int acquired;
 *     pottery_rlock_acquire(&acquired, tree, 1, POTTERY_FOREVER);   // count 1
 *     pottery_rlock_acquire(&acquired, tree, 1, POTTERY_FOREVER);   // count 2, at once
 *     pottery_rlock_release(tree);                                  // count 1, still held
 *     pottery_rlock_release(tree);                                  // free
 *     pottery_rlock_free(tree);
 */
#ifndef POTTERY_RLOCK_H
#define POTTERY_RLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "redlock.h"

POTTERY_BEGIN_DECLS

/** A reentrant distributed lock on one resource over N masters, owned by the handle (opaque). */
typedef struct pottery_rlock pottery_rlock;

/** A handle on the reentrant lock `rlock:<key>` over the n masters (distinct clients,
 * borrowed: they must outlive the handle), with a new uuid4 as its owner. No Redis call.
 * opts NULL = defaults (10 s lease, 0-200 ms retry delay). *out is NULL on failure.
 * Errors: POTTERY_EINVAL (NULL key or masters, n 0, a NULL or repeated client, a bad
 * option), POTTERY_ENOMEM. */
POTTERY_API int pottery_rlock_new(pottery_rlock **out, const char *key, pottery_client *const *masters, size_t n,
                                  const pottery_redlock_options *opts);

/** Free the handle (it does not release the lock: the lease runs out). Accepts NULL. */
POTTERY_API void pottery_rlock_free(pottery_rlock *lock);

/** The Redis key, "rlock:<key>", owned by the handle. NULL for NULL. */
POTTERY_API const char *pottery_rlock_key(const pottery_rlock *lock);

/** The owner's identity: the handle's uuid4 text (36 characters), the field it writes;
 * owned by the handle. NULL for NULL. */
POTTERY_API const char *pottery_rlock_owner(const pottery_rlock *lock);

/** The masters: *out (out may be NULL) gets the handle's array of clients (owned by the
 * handle); returns their number (0 for NULL). */
POTTERY_API size_t pottery_rlock_masters(pottery_client *const **out, const pottery_rlock *lock);

/** How many times this handle holds the lock (acquires not yet released); no Redis call.
 * 0 for NULL. It does not ask whether the lease still runs. */
POTTERY_API int pottery_rlock_count(const pottery_rlock *lock);

/** Acquire, or acquire again: *acquired = 1 when this handle now holds the lock (its count
 * one higher, the lease started over on every master), 0 when another owner holds it
 * (not an error). blocking and timeout_ms as pottery_redlock_acquire: blocking with
 * POTTERY_FOREVER tries until it gets the lock, sleeping a random 0 to retry_delay_ms
 * between attempts; blocking with timeout_ms >= 0 gives up after that long (at least one
 * attempt); not blocking makes one attempt (timeout_ms POTTERY_FOREVER or 0). A
 * re-acquire by the holder is granted at the first attempt unless its lease ran out and
 * another owner took the lock. Each attempt is one round trip on each master (script
 * rlock_acquire), plus one on each when it fails (giving back what it got: the previous
 * count). Errors: POTTERY_EINVAL (a negative timeout, a timeout when not blocking),
 * POTTERY_EQUORUM (blocking without timeout while more than N/2 masters fail for a whole
 * lease), and the common ones. */
POTTERY_API int pottery_rlock_acquire(int *acquired, pottery_rlock *lock, int blocking, int64_t timeout_ms);

/** Release one hold: the count drops by one on every master (the lock is deleted when it
 * reaches 0); the lease is left as it is. One round trip on each master, waiting for every
 * master to answer or time out; no Redis call when the handle holds nothing. Errors:
 * POTTERY_EUNLOCKED when this handle does not hold the lock (never acquired, released as
 * many times already, a different owner's handle) or no longer holds it on a quorum (the
 * lease ran out; the message names the masters that said no), and the common ones. After
 * any failure the handle's count is 0: the lock counts as lost, and what masters still
 * hold for the handle runs out with its lease. */
POTTERY_API int pottery_rlock_release(pottery_rlock *lock);

/** Start the lease over on every master that holds the lock for this handle (not added to
 * the time left). One round trip on each master. Errors: POTTERY_EUNLOCKED (not held: no
 * Redis call when the count is 0; the masters' votes otherwise), POTTERY_EEXTENSIONS
 * (extended num_extensions times already since the first acquire; no Redis call), and the
 * common ones. */
POTTERY_API int pottery_rlock_extend(pottery_rlock *lock);

POTTERY_END_DECLS

#endif /* POTTERY_RLOCK_H */
