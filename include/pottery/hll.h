/**
 * @file
 * pottery_hll, a HyperLogLog in Redis (Python: pottery.HyperLogLog): "how many distinct
 * elements have I seen?" answered within about 1% (2% at worst) in at most 12 KiB,
 * whatever the number of elements.
 *
 * Layout (shared with Python's pottery): one Redis HyperLogLog (a string written by
 * PFADD / PFMERGE) at the handle's key; each element is added as its canonical JSON text
 * (value.h), so the string "foo" is added as the 5 bytes `"foo"`, quotes included, exactly
 * as pottery adds it: a C program and a Python program adding to the same key count the
 * same elements once, and each sees the other's elements in contains(). An empty HLL is an
 * absent key (PFCOUNT answers 0).
 *
 * Membership: a HyperLogLog does not store its elements; contains() uses pottery's
 * copy-and-probe method: copy the HLL, add the element to the copy, and answer "contained"
 * when no register changed. An element that was added is always found (no false
 * negatives); one that was not may be found too (false positives, more and more of them as
 * the HLL grows). The copy is a scratch key beside the HLL (same cluster slot, see
 * pottery_hll_contains_many()) that exists only while one Lua script runs: it is deleted
 * before the script returns, on failure too.
 *
 * Costs: one round trip for every call, whatever the number of elements; the handles of
 * the other HLLs of update_from() and union_from() must be on the same server and
 * database, and on a Redis Cluster in the same hash slot (their HLLs are merged on the
 * server with PFMERGE, which reads one slot).
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or argument, a NULL array with
 * n > 0), POTTERY_ETYPE (an element that cannot be encoded, e.g. invalid UTF-8: nothing is
 * sent), POTTERY_EREDIS (the key holds another Redis type, or a string that is not a
 * HyperLogLog: Redis' WRONGTYPE or INVALIDOBJ text; nothing is written), POTTERY_EPROTOCOL
 * (an answer the command cannot give), POTTERY_ECONN / POTTERY_ETIMEOUT, POTTERY_ENOMEM. A
 * failed call leaves Redis unchanged.
 *
 * Ownership: inputs (elements, other handles) are borrowed for the call only; handles
 * returned through out-parameters are the caller's (pottery_hll_free), text is freed with
 * pottery_free(). A handle borrows its client, which must outlive it.
 *
 * Threads: a handle is used by one thread at a time, as its client is; one opened on a
 * pool's client (pool.h) by any number at once.
 */
#ifndef POTTERY_HLL_H
#define POTTERY_HLL_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "value.h"

POTTERY_BEGIN_DECLS

/** A handle on one Redis HyperLogLog (opaque). Open with pottery_hll_open(), free with
 * pottery_hll_free(). */
typedef struct pottery_hll pottery_hll;

/** HyperLogLog(elements, redis=client, key=key): open a HyperLogLog on `key` (copied),
 * adding `elements[0..n)` to it.
 *
 * key NULL picks a random unused key `pottery:<uuid4>`, which pottery_hll_free() deletes,
 * as pottery does for every key that begins with `pottery:`; "" is POTTERY_EINVAL. The
 * elements are added to what the key already holds (as in pottery: no key-exists error).
 * With n == 0 nothing is sent and the key is not created, where pottery always writes it
 * (an empty PFMERGE): an absent key already reads as an empty HyperLogLog everywhere, so
 * creating it would only cost a round trip. The client is borrowed and must outlive the
 * handle. *out is the caller's (pottery_hll_free).
 * Errors: POTTERY_ETYPE (an element cannot be encoded; nothing written),
 * POTTERY_ERANDOMKEY, common errors; on failure *out is NULL and nothing was written.
 * Cost: no round trip with n == 0 (one EXISTS for a random key); with elements one round
 * trip as pottery_hll_update(). */
POTTERY_API int pottery_hll_open(pottery_hll **out, pottery_client *client, const char *key,
                                 const pottery_value *elements, size_t n);

/** Free the handle; UNLINKs the HyperLogLog if its key begins with `pottery:`. Accepts NULL. */
POTTERY_API void pottery_hll_free(pottery_hll *hll);

/** The Redis key (owned by the handle); NULL for a NULL handle. */
POTTERY_API const char *pottery_hll_key(const pottery_hll *hll);

/** The client the HyperLogLog was opened on (borrowed); NULL for a NULL handle. */
POTTERY_API pottery_client *pottery_hll_client(const pottery_hll *hll);

/** hll.add(element). PFADD key JSON(element), one round trip. */
POTTERY_API int pottery_hll_add(pottery_hll *hll, pottery_value element);

/** hll.update(elements): add `elements[0..n)`.
 *
 * One round trip for any n: one PFADD per 10,000 elements (so memory stays bounded), inside
 * MULTI/EXEC when there are several, streamed; an element that cannot be encoded turns the
 * transaction into DISCARD (POTTERY_ETYPE, nothing written). n == 0 sends nothing (pottery
 * sends an empty PFMERGE). */
POTTERY_API int pottery_hll_update(pottery_hll *hll, const pottery_value *elements, size_t n);

/** hll.update(*others): merge the other HyperLogLogs into this one.
 *
 * Every other handle must be on the same server and database as hll (the merge runs on the
 * server): otherwise POTTERY_EINVAL naming the handle, and nothing is sent (pottery raises
 * RuntimeError). PFMERGE key other-keys, one round trip; nothers == 0 sends nothing. An
 * absent other key counts as an empty HyperLogLog. On a Redis Cluster, an other in another
 * hash slot is POTTERY_ECROSSSLOT, nothing sent, with a message naming both keys: give the
 * keys a common {hash tag}, or add the other's elements with pottery_hll_update(). */
POTTERY_API int pottery_hll_update_from(pottery_hll *hll, pottery_hll *const *others, size_t nothers);

/** hll.update(*others, elements): merge the other HyperLogLogs and add elements[0..n), all
 * in one atomic round trip (MULTI, PFMERGE, PFADD per 10,000 elements, EXEC; a single PFADD
 * when nothers is 0, a single PFMERGE when n is 0 and nothers is not). Nothing is written
 * if an element cannot be encoded (POTTERY_ETYPE) or another handle is on another server
 * (POTTERY_EINVAL, as for pottery_hll_update_from) or, on a Redis Cluster, in another hash
 * slot (POTTERY_ECROSSSLOT, as there). elements may be NULL when n is 0, others when
 * nothers is 0. */
POTTERY_API int pottery_hll_update_both(pottery_hll *hll, const pottery_value *elements, size_t n,
                                        pottery_hll *const *others, size_t nothers);

/** len(hll): the estimated number of distinct elements added. PFCOUNT, one round trip. */
POTTERY_API int pottery_hll_len(int64_t *out, pottery_hll *hll);

/** element in hll -> *out 1 or 0, by copy and probe (see the top of this file).
 *
 * Never 0 for an element that was added; may be 1 for one that was not. An absent key
 * answers 0. One round trip (the script of pottery_hll_contains_many()). */
POTTERY_API int pottery_hll_contains(int *out, pottery_hll *hll, pottery_value element);

/** hll.contains_many(*elements): out[i] = 1 if elements[i] may have been added, else 0.
 *
 * out must hold n ints. One Lua script for the whole batch, one round trip: it copies the
 * HLL into a scratch key `{key}:hll-probe:<uuid4>` (COPY, Redis 6.2 or later; the key's
 * hash tag keeps it in the HLL's cluster slot), PFADDs each element to the copy (copying
 * again only after an element changed it) and deletes the scratch key before it returns,
 * whether the probing succeeded or failed. Every element is encoded before anything is sent
 * (POTTERY_ETYPE otherwise). n == 0 sends nothing. On failure out is left as it was. */
POTTERY_API int pottery_hll_contains_many(int *out, pottery_hll *hll, const pottery_value *elements, size_t n);

/** hll.union(*others, redis=client, key=key): a new HyperLogLog holding hll merged with
 * the others, on hll's client.
 *
 * The others must be on hll's server and database (else POTTERY_EINVAL naming the
 * handle, nothing sent). key NULL picks a random `pottery:<uuid4>` key, deleted by
 * pottery_hll_free() of the new handle; a key that exists is merged into (as in pottery).
 * PFMERGE new-key key other-keys: one round trip, plus one EXISTS for a random key.
 * On a Redis Cluster the others and a given key must share hll's hash slot
 * (POTTERY_ECROSSSLOT otherwise, nothing written, as for pottery_hll_update_from), and the
 * random key sits there (`pottery:{<key>}:<uuid4>`, no EXISTS: one round trip).
 * *out is the caller's (pottery_hll_free); NULL on failure. */
POTTERY_API int pottery_hll_union_from(pottery_hll **out, pottery_hll *hll, pottery_hll *const *others, size_t nothers,
                                       const char *key);

/** hll.clear(): delete the HyperLogLog. UNLINK, one round trip. */
POTTERY_API int pottery_hll_clear(pottery_hll *hll);

/** repr(hll): "<HyperLogLog key=google-searches len=10>" (len by PFCOUNT).
 *
 * *out is the caller's (pottery_free). One round trip. */
POTTERY_API int pottery_hll_repr(char **out, pottery_hll *hll);

POTTERY_END_DECLS

#endif
