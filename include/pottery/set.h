/*
 * set.h: pottery_set, a set that lives in a Redis set (Python: pottery.RedisSet).
 *
 * Layout (shared with Python's pottery): one Redis set at the handle's key; each member is
 * JSON(element), canonical JSON as value.h describes. A Python program using
 * RedisSet(redis=..., key='basket') sees exactly what this handle writes. An empty set is
 * an absent key.
 *
 * Element identity: Redis compares members as bytes, so two elements are the same member
 * exactly when their canonical JSON bytes are equal. Unlike Python, 1, 1.0 and True are
 * three different members ("1", "1.0", "true"), and every comparison and set operation
 * below (equality, subset, union, ...) works on those bytes. Arrays and objects can be
 * members (Python's pottery allows them too, as JSON text).
 *
 * Costs: every single-element operation is one round trip; bulk operations
 * (update_values, contains_many, opening with elements) are one round trip for any number
 * of elements; set algebra and comparisons between sets on the same server and database
 * run on the server in one round trip (SUNION, SINTERCARD, SDIFFSTORE, ...). Operands on
 * another server are read with SSCAN (or probed with SMISMEMBER) in batches and combined
 * here. Iteration uses SSCAN and holds one batch at a time, so it is safe on sets with
 * millions of members; a member added or removed meanwhile may or may not be seen.
 *
 * Snapshots: a whole set as text (to_json, and the results of union/intersection/
 * difference/symmetric_difference) is a JSON array of the members, decoded and written
 * again as canonical JSON, sorted by those bytes (so ["apple", "banana"] and [1, 10, 2]),
 * with no duplicates. Python's json.dumps cannot serialise a set; this is the
 * deterministic stand-in.
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or argument), POTTERY_ETYPE (an
 * element that cannot be encoded: invalid UTF-8, malformed JSON text), POTTERY_EDECODE (a
 * member in Redis is not JSON, e.g. written by another program; it is left in place),
 * POTTERY_EREDIS (e.g. WRONGTYPE when a key holds another Redis type; the message carries
 * the Redis text), POTTERY_EPROTOCOL (the server answered something the command cannot
 * answer), POTTERY_ECONN / POTTERY_ETIMEOUT, POTTERY_ENOMEM. A failed call leaves Redis
 * unchanged.
 *
 * Values returned through out-parameters are the caller's: out-values must be initialised
 * (POTTERY_VALUE_INIT) and are disposed and replaced on success, left untouched on failure.
 */
#ifndef POTTERY_SET_H
#define POTTERY_SET_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "value.h"

POTTERY_BEGIN_DECLS

typedef struct pottery_set pottery_set;
typedef struct pottery_set_iter pottery_set_iter;

typedef struct pottery_set_options {
    /* Initial elements, like RedisSet({...}): written only if the key does not exist yet;
     * otherwise open fails with POTTERY_EEXISTS and writes nothing. Duplicates collapse.
     * Borrowed for the call. */
    const pottery_value *elements;
    size_t nelements;
} pottery_set_options;

#define POTTERY_SET_OPTIONS_INIT                                                                                       \
    {                                                                                                                  \
        NULL, 0                                                                                                        \
    }

/* Open a set on `key` (copied). key NULL picks a random unused key "pottery:<uuid4>", which
 * pottery_set_free() deletes, as pottery does for every key that begins with "pottery:";
 * "" is POTTERY_EINVAL. Attaching without elements sends nothing. The client is borrowed
 * and must outlive the set. *out is the caller's (pottery_set_free).
 * Errors: POTTERY_EEXISTS (elements given, key exists; nothing written), POTTERY_ETYPE (an
 * element cannot be encoded; nothing written), POTTERY_ERANDOMKEY, common errors.
 * Cost: no round trip (one EXISTS for a random key); with elements one round trip (a Lua
 * script checks and writes atomically), whatever their number. */
POTTERY_API int pottery_set_open(pottery_set **out, pottery_client *client, const char *key,
                                 const pottery_set_options *opts);

/* Free the handle; UNLINKs the set if its key begins with "pottery:". Accepts NULL. */
POTTERY_API void pottery_set_free(pottery_set *set);

/* The Redis key (owned by the handle). */
POTTERY_API const char *pottery_set_key(const pottery_set *set);

/* The client the set was opened on (borrowed). */
POTTERY_API pottery_client *pottery_set_client(const pottery_set *set);

/* s.add(element). SADD, one round trip. */
POTTERY_API int pottery_set_add(pottery_set *set, pottery_value element);

/* s.discard(element): remove it if present, no error if absent. SREM, one round trip. */
POTTERY_API int pottery_set_discard(pottery_set *set, pottery_value element);

/* s.remove(element): POTTERY_ENOTFOUND ("KeyError: 'x'") if absent. SREM, one round trip. */
POTTERY_API int pottery_set_remove(pottery_set *set, pottery_value element);

/* s.pop(): remove and return a random element. POTTERY_ENOTFOUND ("KeyError: 'pop from an
 * empty set'") if the set is empty. SPOP, one round trip: atomic, each member is popped by
 * one caller only. A member another program wrote that is not JSON (or one there is no
 * memory to decode) is put back at once, its exact bytes, so the set holds the same members
 * afterwards, and the call fails with POTTERY_EDECODE (or POTTERY_ENOMEM), naming the
 * member; *out is untouched and a later pop may pick another member. The put-back is a
 * second command (SADD, one more round trip, on this path only; the command timeout bounds
 * both): a concurrent SREM of that very member in between is undone by it, and if the pop
 * emptied the set, the key is created again without the TTL it had. Should the put-back
 * fail, its error is returned and the message says the member is lost. */
POTTERY_API int pottery_set_pop(pottery_value *out, pottery_set *set);

/* element in s -> *out 1 or 0. An element that cannot be encoded is simply not in the set
 * (0, no round trip), as in Python. SISMEMBER, one round trip. */
POTTERY_API int pottery_set_contains(int *out, pottery_set *set, pottery_value element);

/* s.contains_many(*elements): out[i] = 1 if elements[i] is a member, else 0, for each of
 * the n inputs (out must hold n ints). Inputs that cannot be encoded answer 0 and are not
 * sent. n == 0 (or no encodable input) sends nothing. SMISMEMBER, one round trip for any n
 * (chunked into several SMISMEMBER commands in the same round trip to bound memory). On
 * failure out is left as it was. */
POTTERY_API int pottery_set_contains_many(int *out, pottery_set *set, const pottery_value *elements, size_t n);

/* len(s). SCARD, one round trip. */
POTTERY_API int pottery_set_len(int64_t *out, pottery_set *set);

/* s.clear(): UNLINK the set. One round trip. */
POTTERY_API int pottery_set_clear(pottery_set *set);

/* s.update(values): add n elements. n == 0 sends nothing. Atomic and one round trip for
 * any n: one SADD (10,000 small elements are one command), or beyond 1 MiB of encoded
 * elements MULTI, one SADD per MiB, EXEC, streamed so memory stays bounded. Every element
 * is encoded before EXEC, so an unencodable one fails the call (POTTERY_ETYPE) with
 * nothing written. */
POTTERY_API int pottery_set_update_values(pottery_set *set, const pottery_value *values, size_t n);

/* json.dumps(sorted(s)) in canonical form: the set as a JSON array text, sorted by the
 * members' canonical JSON bytes (see the top of this file). *out is the caller's
 * (pottery_free); out_len may be NULL. SMEMBERS, one round trip. */
POTTERY_API int pottery_set_to_json(char **out, size_t *out_len, pottery_set *set);

/* repr(s): "RedisSet{'apple', 'pear'}" in Redis' order (SMEMBERS order; Python prints its
 * hash order, which is just as arbitrary). An empty set is "RedisSet()" (as a Python set
 * subclass prints; pottery itself prints "RedisSetset()"). *out is the caller's
 * (pottery_free). SMEMBERS, one round trip. */
POTTERY_API int pottery_set_repr(char **out, pottery_set *set);

/* ---- comparisons: *out 1 or 0, by canonical bytes (1 and 1.0 differ) ----
 * Against another set: same server and database -> on the server in one round trip
 * (MULTI with SCARD/SINTERCARD); another server -> the sizes first, then the members of
 * one set are read with SSCAN in batches and probed in the other with SMISMEMBER (one
 * round trip each way per batch; memory bounded by a batch).
 * Against a JSON array text (json_array, e.g. "[\"a\", 1]"): its elements, duplicates
 * collapsed, are probed with SMISMEMBER in one round trip (none when the answer is known
 * without Redis). Text that is not a JSON array: POTTERY_ETYPE. */

/* s == other. The same key on the same server is equal without reading anything. */
POTTERY_API int pottery_set_equal(int *out, pottery_set *set, pottery_set *other);
/* s == set(json.loads(json_array)). */
POTTERY_API int pottery_set_equal_json(int *out, pottery_set *set, const char *json_array);

/* s.isdisjoint(other): no member in common (SINTERCARD ... LIMIT 1 on one server). */
POTTERY_API int pottery_set_isdisjoint(int *out, pottery_set *set, pottery_set *other);
POTTERY_API int pottery_set_isdisjoint_json(int *out, pottery_set *set, const char *json_array);

/* s.issubset(other), s <= other: every member of s is in other. */
POTTERY_API int pottery_set_issubset(int *out, pottery_set *set, pottery_set *other);
POTTERY_API int pottery_set_issubset_json(int *out, pottery_set *set, const char *json_array);

/* s.issuperset(other), s >= other: every member of other is in s. */
POTTERY_API int pottery_set_issuperset(int *out, pottery_set *set, pottery_set *other);
POTTERY_API int pottery_set_issuperset_json(int *out, pottery_set *set, const char *json_array);

/* ---- set algebra ----
 * Operands: others[0..n) (n >= 0, as Python's *others; NULL entries: POTTERY_EINVAL).
 * When every operand lives on the set's server and database, the work is one server
 * command in one round trip (SUNION/SINTER/SDIFF, or the *STORE forms for new sets).
 * Otherwise the operands on the set's server are combined there first (one round trip),
 * and each operand on another server is read with SSCAN (union, symmetric difference) or
 * probed with SMISMEMBER in batches of the members still in the result (intersection,
 * difference), and the result is computed here.
 *
 * Plain forms, Python's s.union(*others) etc., which return an in-memory set: the result
 * as a JSON array snapshot (format at the top of this file). *out is the caller's
 * (pottery_free); out_len may be NULL. Members that are not JSON: POTTERY_EDECODE.
 *
 * _new forms, Python's s | t, s & t, s - t, s ^ t, which build a new RedisSet: the result
 * is stored in a new set under a random "pottery:<uuid4>" key on the set's own client
 * (pottery puts it on its default client, a known quirk), deleted when the new handle is
 * freed. *out is the caller's (pottery_set_free). Same server: one round trip (a Lua
 * script checks that the random key is unused and runs the *STORE command). */

/* s.union(*others) / s | others[0] | ... */
POTTERY_API int pottery_set_union(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others, size_t n);
POTTERY_API int pottery_set_union_new(pottery_set **out, pottery_set *set, pottery_set *const *others, size_t n);

/* s.intersection(*others) / s & others[0] & ... */
POTTERY_API int pottery_set_intersection(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others,
                                         size_t n);
POTTERY_API int pottery_set_intersection_new(pottery_set **out, pottery_set *set, pottery_set *const *others, size_t n);

/* s.difference(*others) / s - others[0] - ... */
POTTERY_API int pottery_set_difference(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others,
                                       size_t n);
POTTERY_API int pottery_set_difference_new(pottery_set **out, pottery_set *set, pottery_set *const *others, size_t n);

/* s.symmetric_difference(other) / s ^ other (pottery raises NotImplementedError for the
 * method; Python's set has it). */
POTTERY_API int pottery_set_symmetric_difference(char **out, size_t *out_len, pottery_set *set, pottery_set *other);
POTTERY_API int pottery_set_symmetric_difference_new(pottery_set **out, pottery_set *set, pottery_set *other);

/* ---- in-place algebra: atomic, one round trip ----
 * n == 0 sends nothing (Python does nothing either). All operands on the set's server:
 * one server command (SUNIONSTORE/SINTERSTORE/SDIFFSTORE s s others..., or a Lua script
 * for the symmetric difference). Operands on other servers are read first (SSCAN, one
 * round trip per batch on their servers) while the writes are streamed to the set's server
 * inside one MULTI/EXEC, so the change is applied atomically in one round trip there; if
 * reading fails, the MULTI is discarded and nothing is written. */

/* s.update(*others), s |= t. */
POTTERY_API int pottery_set_update(pottery_set *set, pottery_set *const *others, size_t n);

/* s.intersection_update(*others), s &= t (pottery: NotImplementedError). */
POTTERY_API int pottery_set_intersection_update(pottery_set *set, pottery_set *const *others, size_t n);

/* s.difference_update(*others), s -= t. */
POTTERY_API int pottery_set_difference_update(pottery_set *set, pottery_set *const *others, size_t n);

/* s.symmetric_difference_update(other), s ^= t (pottery: NotImplementedError). */
POTTERY_API int pottery_set_symmetric_difference_update(pottery_set *set, pottery_set *other);

/* ---- iteration ---- */

/* iter(s): SSCAN, one round trip per batch, one batch in memory.
 * *out is the caller's (pottery_set_iter_free). The set must outlive the iterator. */
POTTERY_API int pottery_set_iter_new(pottery_set_iter **out, pottery_set *set);

/* Next element into *out (may be NULL to skip). Returns 0 with an element,
 * POTTERY_EITEROVER when done, or an error; after POTTERY_EDECODE (a foreign member) the
 * iterator moves on and the next call continues. */
POTTERY_API int pottery_set_iter_next(pottery_set_iter *it, pottery_value *out);

/* Free an iterator. Accepts NULL. */
POTTERY_API void pottery_set_iter_free(pottery_set_iter *it);

POTTERY_END_DECLS

#endif /* POTTERY_SET_H */
