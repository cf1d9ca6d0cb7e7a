/**
 * @file
 * pottery_rwlock, a distributed read-write lock over N independent Redis masters: many
 * readers at once, or one writer alone, each with a lease (pottery has no counterpart).
 *
 * Redis layout, on every master, three keys in one Redis Cluster hash slot (their hash tag
 * is `rwlock:<key>`, or key's own tag when it has one):
 *  - `{rwlock:<key>}:write`, a string: the writer's uuid4, with a PX lease;
 *  - `{rwlock:<key>}:read`, a sorted set: each reader's uuid4 scored by the server time in
 *    ms at which its share expires. A share past its expiry counts for nothing and is
 *    removed by the next call, so a crashed reader's share runs out by itself; the set
 *    itself expires with its longest lease;
 *  - `{rwlock:<key>}:writer_waiting`, a string: the uuid4 of a writer waiting for readers
 *    to leave, with a PX of 2 x retry_delay_ms + 1000 ms, renewed by each of its attempts.
 *
 * Writer preference: while a blocking acquire_write waits (the mark is there), new readers
 * are refused; readers already in keep their shares until they release or expire, and then
 * the writer gets in. Readers can thus not starve a writer; a steady stream of writers can
 * starve readers. Writers compete among themselves as Redlock contenders do (random retry
 * delays, no queue). A writer that crashes while waiting holds new readers off until its
 * mark expires; one that gives up (timeout) removes it.
 *
 * The owner is the handle: a uuid4 made by pottery_rwlock_new. A handle holds the lock
 * for reading or for writing, or not at all; it does not nest (use one handle per holder).
 * Quorum and validity are Redlock's (redlock.h): a grant needs more than half of the
 * masters (N / 2 + 1) with lease - elapsed - drift > 0 (drift = 1% of the lease + 2 ms);
 * any two quorums share a master, whose script never lets a reader and a writer (or two
 * writers) in together. A failed attempt gives back, on every master, what it got. With
 * one master (a single server, or a Redis Cluster client) the quorum is that master.
 * Leases are timed by each master's clock (TIME) for readers and by its key expiry for the
 * writer.
 *
 * Options are pottery_redlock_options: auto_release_time_ms (the lease of both shapes),
 * retry_delay_ms, raise_on_redis_errors and num_extensions (extends allowed per acquire)
 * as for Redlock; the context_manager_* members are not used.
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or out-pointer), POTTERY_ENOMEM,
 * POTTERY_EIMPOSSIBLE (raise_on_redis_errors on and more than N/2 masters failed), and
 * POTTERY_EREDIS when more than N/2 masters answer an error (one of the keys of another
 * type: WRONGTYPE), without retrying.
 *
 * A handle borrows its clients (one per master, all distinct) and is used by one thread
 * at a time.
 *
 *     pottery_rwlock *config;
 *     pottery_rwlock_new(&config, "config", masters, 5, NULL);
 *     int acquired;
 *     if (pottery_rwlock_acquire_read(&acquired, config, 1, 5000) == 0 && acquired) {
 *         ... read, alongside other readers ...
 *         pottery_rwlock_release(config);
 *     }
 *     pottery_rwlock_free(config);
 */
#ifndef POTTERY_RWLOCK_H
#define POTTERY_RWLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "redlock.h"

POTTERY_BEGIN_DECLS

/** A distributed read-write lock on one resource over N masters, owned by the handle (opaque). */
typedef struct pottery_rwlock pottery_rwlock;

/** What a read-write lock handle holds. */
typedef enum pottery_rwlock_mode {
    POTTERY_RWLOCK_NONE = 0, /**< nothing */
    POTTERY_RWLOCK_READ,     /**< a read share */
    POTTERY_RWLOCK_WRITE     /**< the lock alone, for writing */
} pottery_rwlock_mode;

/** A handle on the read-write lock `rwlock:<key>` over the n masters (distinct clients,
 * borrowed: they must outlive the handle), with a new uuid4 as its owner. No Redis call.
 * opts NULL = defaults (10 s lease, 0-200 ms retry delay). *out is NULL on failure.
 * Errors: POTTERY_EINVAL (NULL key or masters, n 0, a NULL or repeated client, a bad
 * option), POTTERY_ENOMEM. */
POTTERY_API int pottery_rwlock_new(pottery_rwlock **out, const char *key, pottery_client *const *masters, size_t n,
                                   const pottery_redlock_options *opts);

/** Free the handle (it does not release the lock: the lease runs out). Accepts NULL. */
POTTERY_API void pottery_rwlock_free(pottery_rwlock *lock);

/** The lock's name, "rwlock:<key>" (the hash tag of its keys), owned by the handle. NULL
 * for NULL. */
POTTERY_API const char *pottery_rwlock_key(const pottery_rwlock *lock);

/** The owner's identity: the handle's uuid4 text (36 characters), what it writes; owned
 * by the handle. NULL for NULL. */
POTTERY_API const char *pottery_rwlock_owner(const pottery_rwlock *lock);

/** The masters: *out (out may be NULL) gets the handle's array of clients (owned by the
 * handle); returns their number (0 for NULL). */
POTTERY_API size_t pottery_rwlock_masters(pottery_client *const **out, const pottery_rwlock *lock);

/** What this handle holds, as far as it knows (no Redis call; it does not ask whether the
 * lease still runs). POTTERY_RWLOCK_NONE for NULL. */
POTTERY_API pottery_rwlock_mode pottery_rwlock_mode_of(const pottery_rwlock *lock);

/** Acquire a read share: *acquired = 1 when granted (no writer holds the lock and none
 * waits for it), 0 when not (not an error). blocking and timeout_ms as
 * pottery_redlock_acquire (blocking with POTTERY_FOREVER: until granted; with
 * timeout_ms >= 0: at most that long, at least one attempt; not blocking: one attempt,
 * timeout_ms POTTERY_FOREVER or 0). Each attempt is one round trip on each master (script
 * rwlock_acquire_read), plus one on each when it fails (giving the share back). Errors:
 * POTTERY_ESTATE (the handle holds the lock already), POTTERY_EINVAL (a negative timeout, a
 * timeout when not blocking), POTTERY_EQUORUM (blocking without timeout while more than
 * N/2 masters fail for a whole lease), and the common ones. */
POTTERY_API int pottery_rwlock_acquire_read(int *acquired, pottery_rwlock *lock, int blocking, int64_t timeout_ms);

/** Acquire for writing: *acquired = 1 when granted (no writer and no live reader holds the
 * lock), 0 when not. blocking and timeout_ms as pottery_rwlock_acquire_read; a blocking
 * acquire marks itself as waiting, which keeps new readers out (see writer preference
 * above), and removes its mark when it gives up (one more round trip on each master).
 * Each attempt is one round trip on each master (script rwlock_acquire_write), plus one
 * on each when it fails. Errors as pottery_rwlock_acquire_read. */
POTTERY_API int pottery_rwlock_acquire_write(int *acquired, pottery_rwlock *lock, int blocking, int64_t timeout_ms);

/** Release what the handle holds (its read share, or the lock held for writing). One round
 * trip on each master, waiting for every master to answer or time out. Errors:
 * POTTERY_EUNLOCKED (the handle holds nothing: no Redis call; or the share or lock is no
 * longer held on a quorum: its lease ran out, the message names the masters that said
 * no), and the common ones. Afterwards, failed or not, the handle holds nothing. */
POTTERY_API int pottery_rwlock_release(pottery_rwlock *lock);

/** Start the lease of what the handle holds over on every master (not added to the time
 * left). One round trip on each master. Errors: POTTERY_EUNLOCKED (the handle holds
 * nothing: no Redis call; or a quorum no longer holds it), POTTERY_EEXTENSIONS (extended
 * num_extensions times already since the acquire; no Redis call), and the common ones. */
POTTERY_API int pottery_rwlock_extend(pottery_rwlock *lock);

POTTERY_END_DECLS

#endif /* POTTERY_RWLOCK_H */
