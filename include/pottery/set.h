/**
 * @file set.h
 * pottery_set, a set that lives in a Redis set (Python: pottery.RedisSet).
 *
 * Layout (shared with Python's pottery): one Redis set at the handle's key; each member is
 * JSON(element), canonical JSON as value.h describes. A Python program using
 * `RedisSet(redis=..., key='basket')` sees exactly what this handle writes. An empty set is
 * an absent key.
 *
 * Element identity: Redis compares members as bytes, so two elements are the same member
 * exactly when their canonical JSON bytes are equal. Unlike Python, 1, 1.0 and True are
 * three different members ("1", "1.0", "true"), and every comparison and set operation
 * below (equality, subset, union, ...) works on those bytes. Arrays and objects can be
 * members (Python's pottery allows them too, as JSON text).
 *
 * **Operands: values or other sets, one naming rule.** Python's set operations accept any
 * iterable; here every operation that combines the set with something else comes in two
 * forms:
 * - `pottery_set_<op>(..., const pottery_value *values, size_t n)`: the operand is n
 *   values in memory (an array; duplicates collapse, as in `set(values)`).
 * - `pottery_set_<op>_from(..., pottery_set *const *others, size_t n)` (or one
 *   `pottery_set *other` where Python takes one operand): the operands are other
 *   Redis-backed sets.
 *
 * So `update` / `update_from` (the library-wide verb rule), `union` / `union_from`,
 * `union_new` / `union_new_from`, `intersection_update` / `intersection_update_from`,
 * `issubset` / `issubset_from`, `equal` / `equal_from`, and so on for every operation.
 *
 * An element that cannot be encoded (invalid UTF-8, malformed JSON text) is in no set, as
 * with contains(): the forms that only ask whether values are members (intersection,
 * difference, their _new and _update forms, issubset, issuperset, isdisjoint) treat it as
 * absent; equal() answers 0; the forms that would have to store or return it (union,
 * symmetric_difference, their _new and _update forms, update) fail with POTTERY_ETYPE
 * and write nothing.
 *
 * Costs: every single-element operation is one round trip; bulk operations (update,
 * contains_many, opening with elements) are one round trip for any number of elements.
 * Operations with values from memory are one round trip for any n: the membership
 * questions are one SMISMEMBER; the others write the values into a temporary
 * `pottery:`-prefixed key, combine it with the set on the server and delete it, all inside
 * one MULTI/EXEC streamed a chunk at a time, so memory stays bounded whatever n. Operations
 * between sets on the same server and database run on the server in one round trip
 * (SUNION, SINTERCARD, SDIFFSTORE, ...). Operands on another server are read with SSCAN
 * (or probed with SMISMEMBER) in batches. Iteration uses SSCAN and holds one batch at a
 * time, so it is safe on sets with millions of members; a member added or removed
 * meanwhile may or may not be seen.
 *
 * Redis Cluster: there "on the same server" also means "in the same hash slot". Sets in
 * different slots are combined on the client side, as sets on different servers are, so
 * every operation works (not atomically across the slots; see each function for its
 * cost); give the keys a common {hash tag} (`{user1}:a`, `{user1}:b`) to keep the work on
 * the server in one round trip. Temporary keys (scratch keys, the keys of _new results)
 * sit in the set's hash slot: `pottery:{<key>}:<uuid4>`, or `pottery:{t}x:<uuid4>` beside
 * `{t}x`.
 *
 * Snapshots: a whole set as text (to_json, and the results of union/intersection/
 * difference/symmetric_difference) is a JSON array of the members, decoded and written
 * again as canonical JSON, sorted by those bytes (so `["apple", "banana"]` and
 * `[1, 10, 2]`), with no duplicates. Python's json.dumps cannot serialise a set; this is
 * the deterministic stand-in.
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or argument, a NULL array with
 * n > 0, a NULL string value), POTTERY_ETYPE (an element that cannot be encoded, where the
 * rule above says so), POTTERY_EDECODE (a member in Redis is not JSON, e.g. written by
 * another program; it is left in place), POTTERY_EREDIS (e.g. WRONGTYPE when a key holds
 * another Redis type; the message carries the Redis text), POTTERY_EPROTOCOL (the server
 * answered something the command cannot answer), POTTERY_ECONN / POTTERY_ETIMEOUT,
 * POTTERY_ENOMEM. A failed call leaves Redis unchanged.
 *
 * Ownership: inputs (values, other handles) are borrowed for the call only. Values
 * returned through out-parameters are the caller's: out-values must be initialised
 * (POTTERY_VALUE_INIT) and are disposed and replaced on success, left untouched on
 * failure; text is freed with pottery_free(), handles with pottery_set_free().
 *
 * Threads: a handle is used by one thread at a time, as its client is; one opened on a
 * pool's client (pool.h) by any number at once (an iterator by one thread at a time).
 */
#ifndef POTTERY_SET_H
#define POTTERY_SET_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "value.h"

POTTERY_BEGIN_DECLS

/** A handle on one Redis set (opaque). */
typedef struct pottery_set pottery_set;
/** An SSCAN iterator over a set (opaque). */
typedef struct pottery_set_iter pottery_set_iter;

/** The version of pottery_set_options this header describes. */
#define POTTERY_SET_OPTIONS_VERSION 1

/** How to open a set. Initialise with POTTERY_SET_OPTIONS_INIT or
 * pottery_set_options_init(), then change what you need; members are only ever appended,
 * and `version` tells the library which ones your program knows. */
typedef struct pottery_set_options {
    unsigned int version;          /**< POTTERY_SET_OPTIONS_VERSION, set by the initialisers */
    const pottery_value *elements; /**< initial elements, like RedisSet({...}): written only if
                                        the key does not exist yet; otherwise open fails with
                                        POTTERY_EEXISTS and writes nothing. Duplicates
                                        collapse. Borrowed for the call. Default NULL */
    size_t nelements;              /**< how many elements; default 0 */
} pottery_set_options;

/** Defaults: no initial elements (open just attaches to the key). */
#define POTTERY_SET_OPTIONS_INIT                                                                                       \
    {                                                                                                                  \
        POTTERY_SET_OPTIONS_VERSION, NULL, 0                                                                           \
    }

/** Set *opts to the defaults (the same as POTTERY_SET_OPTIONS_INIT; usable from C++). */
static inline void pottery_set_options_init(pottery_set_options *opts)
{
    pottery_set_options defaults = POTTERY_SET_OPTIONS_INIT;
    *opts = defaults;
}

/** Open a set on `key` (copied).
 *
 * key NULL picks a random unused key `pottery:<uuid4>`, which pottery_set_free() deletes,
 * as pottery does for every key that begins with `pottery:`; "" is POTTERY_EINVAL.
 * Attaching without elements sends nothing. The client is borrowed and must outlive the
 * set. opts NULL means defaults. *out is the caller's (pottery_set_free).
 * Errors: POTTERY_EEXISTS (elements given, key exists; nothing written), POTTERY_ETYPE (an
 * element cannot be encoded; nothing written), POTTERY_EINVAL (options not initialised,
 * elements NULL with nelements > 0), POTTERY_ERANDOMKEY, common errors.
 * Cost: no round trip (one EXISTS for a random key); with elements one round trip (a Lua
 * script checks and writes atomically), whatever their number. */
POTTERY_API int pottery_set_open(pottery_set **out, pottery_client *client, const char *key,
                                 const pottery_set_options *opts);

/** Free the handle; UNLINKs the set if its key begins with `pottery:`. Accepts NULL. */
POTTERY_API void pottery_set_free(pottery_set *set);

/** The Redis key (owned by the handle); NULL for a NULL handle. */
POTTERY_API const char *pottery_set_key(const pottery_set *set);

/** The client the set was opened on (borrowed); NULL for a NULL handle. */
POTTERY_API pottery_client *pottery_set_client(const pottery_set *set);

/** s.add(element). SADD, one round trip. */
POTTERY_API int pottery_set_add(pottery_set *set, pottery_value element);

/** s.discard(element): remove it if present, no error if absent. SREM, one round trip. */
POTTERY_API int pottery_set_discard(pottery_set *set, pottery_value element);

/** s.remove(element): POTTERY_ENOTFOUND ("KeyError: 'x'") if absent. SREM, one round trip. */
POTTERY_API int pottery_set_remove(pottery_set *set, pottery_value element);

/** s.pop(): remove and return a random element.
 *
 * POTTERY_ENOTFOUND ("KeyError: 'pop from an empty set'") if the set is empty. SPOP, one
 * round trip: atomic, each member is popped by one caller only. A member another program
 * wrote that is not JSON (or one there is no memory to decode) is put back at once, its
 * exact bytes, so the set holds the same members afterwards, and the call fails with
 * POTTERY_EDECODE (or POTTERY_ENOMEM), naming the member; *out is untouched and a later pop
 * may pick another member. The put-back is a second command (SADD, one more round trip, on
 * this path only; the command timeout bounds both): a concurrent SREM of that very member
 * in between is undone by it, and if the pop emptied the set, the key is created again
 * without the TTL it had. Should the put-back fail, its error is returned and the message
 * says the member is lost. */
POTTERY_API int pottery_set_pop(pottery_value *out, pottery_set *set);

/** element in s -> *out 1 or 0.
 *
 * An element that cannot be encoded is simply not in the set (0, no round trip), as in
 * Python. SISMEMBER, one round trip. */
POTTERY_API int pottery_set_contains(int *out, pottery_set *set, pottery_value element);

/** s.contains_many(*elements): out[i] = 1 if elements[i] is a member, else 0.
 *
 * For each of the n inputs (out must hold n ints). Inputs that cannot be encoded answer 0
 * and are not sent. n == 0 (or no encodable input) sends nothing. SMISMEMBER, one round
 * trip for any n (chunked into several SMISMEMBER commands in the same round trip to bound
 * memory). On failure out is left as it was. */
POTTERY_API int pottery_set_contains_many(int *out, pottery_set *set, const pottery_value *elements, size_t n);

/** len(s). SCARD, one round trip. */
POTTERY_API int pottery_set_len(int64_t *out, pottery_set *set);

/** s.clear(): UNLINK the set. One round trip. */
POTTERY_API int pottery_set_clear(pottery_set *set);

/** json.dumps(sorted(s)) in canonical form: the set as a JSON array text.
 *
 * Sorted by the members' canonical JSON bytes (see the top of this file). *out is the
 * caller's (pottery_free); out_len may be NULL. SMEMBERS, one round trip. */
POTTERY_API int pottery_set_to_json(char **out, size_t *out_len, pottery_set *set);

/** repr(s): "RedisSet{'apple', 'pear'}" in Redis' order.
 *
 * SMEMBERS order (Python prints its hash order, which is just as arbitrary). An empty set
 * is "RedisSet()" (as a Python set subclass prints; pottery itself prints
 * "RedisSetset()"). *out is the caller's (pottery_free). SMEMBERS, one round trip. */
POTTERY_API int pottery_set_repr(char **out, pottery_set *set);

/* ---- comparisons: *out 1 or 0, by canonical bytes (1 and 1.0 differ) ----
 * With values: isdisjoint and issuperset are one SMISMEMBER (nothing sent for n == 0);
 * equal and issubset write the values into a temporary key and compare there (SCARD,
 * SINTERCARD), one MULTI/EXEC round trip.
 * With another set on the same server and database (and hash slot, on a Redis Cluster): on
 * the server in one round trip (SCARD/SINTERCARD in a MULTI). Elsewhere: the sizes first,
 * then the members of one set are read with SSCAN in batches and probed in the other with
 * SMISMEMBER (one round trip each way per batch; memory bounded by a batch). */

/** s == set(values). An element that cannot be encoded makes the answer 0 (found before
 * anything is sent, it costs no round trip). One round trip. */
POTTERY_API int pottery_set_equal(int *out, pottery_set *set, const pottery_value *values, size_t n);

/** s == other. The same key on the same server is equal without reading anything. Redis
 * Cluster: keys in different hash slots are compared on the client side, as across servers;
 * a common {hash tag} keeps it on the server. */
POTTERY_API int pottery_set_equal_from(int *out, pottery_set *set, pottery_set *other);

/** s.isdisjoint(values): no value is a member. One SMISMEMBER round trip (none for n == 0). */
POTTERY_API int pottery_set_isdisjoint(int *out, pottery_set *set, const pottery_value *values, size_t n);

/** s.isdisjoint(other): no member in common (SINTERCARD ... LIMIT 1 on one server). Redis
 * Cluster: keys in different hash slots are compared on the client side, as across servers;
 * a common {hash tag} keeps it on the server. */
POTTERY_API int pottery_set_isdisjoint_from(int *out, pottery_set *set, pottery_set *other);

/** s.issubset(values), s <= set(values): every member of s is among the values. One round
 * trip. */
POTTERY_API int pottery_set_issubset(int *out, pottery_set *set, const pottery_value *values, size_t n);

/** s.issubset(other), s <= other: every member of s is in other. Redis Cluster: keys in
 * different hash slots are compared on the client side, as across servers; a common
 * {hash tag} keeps it on the server. */
POTTERY_API int pottery_set_issubset_from(int *out, pottery_set *set, pottery_set *other);

/** s.issuperset(values), s >= set(values): every value is a member. One SMISMEMBER round
 * trip (none for n == 0). */
POTTERY_API int pottery_set_issuperset(int *out, pottery_set *set, const pottery_value *values, size_t n);

/** s.issuperset(other), s >= other: every member of other is in s. Redis Cluster: keys in
 * different hash slots are compared on the client side, as across servers; a common
 * {hash tag} keeps it on the server. */
POTTERY_API int pottery_set_issuperset_from(int *out, pottery_set *set, pottery_set *other);

/* ---- set algebra ----
 * Plain forms, Python's s.union(...) etc., which return an in-memory set: the result as a
 * JSON array snapshot (format at the top of this file). *out is the caller's
 * (pottery_free); out_len may be NULL. Members that are not JSON: POTTERY_EDECODE.
 *
 * _new forms, Python's s | t, s & t, s - t, s ^ t, which build a new RedisSet: the result
 * is stored in a new set under a random `pottery:<uuid4>` key on the set's own client
 * (pottery puts it on its default client, a known quirk), deleted when the new handle is
 * freed; members are copied as they are, bytes and all. *out is the caller's
 * (pottery_set_free), NULL on failure. One round trip (a Lua script checks that the random
 * key is unused and stores the result).
 *
 * Values (n of them; n == 0 is the empty set): intersection is one SMISMEMBER; the others
 * write the values into a temporary key and combine it with the set there, one MULTI/EXEC
 * round trip.
 * Other sets (others[0..n), n >= 0 as Python's *others; NULL entries: POTTERY_EINVAL):
 * when every operand lives on the set's server and database, the work is one server
 * command in one round trip (SUNION/SINTER/SDIFF, or the *STORE forms for new sets).
 * Otherwise, for the plain forms, the operands on the set's server are combined there first
 * (one round trip), and each operand on another server is read with SSCAN (union,
 * symmetric difference) or probed with SMISMEMBER in batches of the members still in the
 * result (intersection, difference); for the _new forms, each operand on another server is
 * read with SSCAN into a temporary key on the set's server inside the one MULTI/EXEC that
 * stores the result. On a Redis Cluster an operand in another hash slot counts as one on
 * another server; when it is on the set's own client (which cannot read it while it
 * streams the MULTI/EXEC), it is first copied into the temporary key beside the set, an
 * SSCAN and an SADD round trip per batch (memory bounded by a batch), and the MULTI/EXEC
 * (or, on failure, an UNLINK) deletes the copy. */

/** s.union(values): the members of s and the values. POTTERY_ETYPE for a value that cannot
 * be encoded. */
POTTERY_API int pottery_set_union(char **out, size_t *out_len, pottery_set *set, const pottery_value *values, size_t n);
/** s.union(*others). Redis Cluster: operands in other hash slots are combined on the client
 * side; a common {hash tag} keeps it on the server in one round trip. */
POTTERY_API int pottery_set_union_from(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others,
                                       size_t n);
/** s | set(values): a new set. POTTERY_ETYPE for a value that cannot be encoded. */
POTTERY_API int pottery_set_union_new(pottery_set **out, pottery_set *set, const pottery_value *values, size_t n);
/** s | others[0] | ...: a new set. Redis Cluster: the new key is in the set's hash slot;
 * operands in other slots are read on the client side (a common {hash tag}: one round
 * trip). */
POTTERY_API int pottery_set_union_new_from(pottery_set **out, pottery_set *set, pottery_set *const *others, size_t n);

/** s.intersection(values): the values that are members (one SMISMEMBER; none for n == 0). */
POTTERY_API int pottery_set_intersection(char **out, size_t *out_len, pottery_set *set, const pottery_value *values,
                                         size_t n);
/** s.intersection(*others). Redis Cluster: operands in other hash slots are combined on the
 * client side; a common {hash tag} keeps it on the server in one round trip. */
POTTERY_API int pottery_set_intersection_from(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others,
                                              size_t n);
/** s & set(values): a new set. */
POTTERY_API int pottery_set_intersection_new(pottery_set **out, pottery_set *set, const pottery_value *values,
                                             size_t n);
/** s & others[0] & ...: a new set. Redis Cluster: the new key is in the set's hash slot;
 * operands in other slots are read on the client side (a common {hash tag}: one round
 * trip). */
POTTERY_API int pottery_set_intersection_new_from(pottery_set **out, pottery_set *set, pottery_set *const *others,
                                                  size_t n);

/** s.difference(values): the members that are not among the values. */
POTTERY_API int pottery_set_difference(char **out, size_t *out_len, pottery_set *set, const pottery_value *values,
                                       size_t n);
/** s.difference(*others). Redis Cluster: operands in other hash slots are combined on the
 * client side; a common {hash tag} keeps it on the server in one round trip. */
POTTERY_API int pottery_set_difference_from(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others,
                                            size_t n);
/** s - set(values): a new set. */
POTTERY_API int pottery_set_difference_new(pottery_set **out, pottery_set *set, const pottery_value *values, size_t n);
/** s - others[0] - ...: a new set. Redis Cluster: the new key is in the set's hash slot;
 * operands in other slots are read on the client side (a common {hash tag}: one round
 * trip). */
POTTERY_API int pottery_set_difference_new_from(pottery_set **out, pottery_set *set, pottery_set *const *others,
                                                size_t n);

/** s.symmetric_difference(values): what is in s or among the values, not both.
 * POTTERY_ETYPE for a value that cannot be encoded. (pottery raises NotImplementedError for
 * the method; Python's set has it.) */
POTTERY_API int pottery_set_symmetric_difference(char **out, size_t *out_len, pottery_set *set,
                                                 const pottery_value *values, size_t n);
/** s.symmetric_difference(other). Redis Cluster: operands in other hash slots are combined
 * on the client side; a common {hash tag} keeps it on the server in one round trip. */
POTTERY_API int pottery_set_symmetric_difference_from(char **out, size_t *out_len, pottery_set *set,
                                                      pottery_set *other);
/** s ^ set(values): a new set. POTTERY_ETYPE for a value that cannot be encoded. */
POTTERY_API int pottery_set_symmetric_difference_new(pottery_set **out, pottery_set *set, const pottery_value *values,
                                                     size_t n);
/** s ^ other: a new set. Redis Cluster: the new key is in the set's hash slot; operands in
 * other slots are read on the client side (a common {hash tag}: one round trip). */
POTTERY_API int pottery_set_symmetric_difference_new_from(pottery_set **out, pottery_set *set, pottery_set *other);

/* ---- in-place algebra: atomic, one round trip ----
 * Values: update is one SADD and difference_update one SREM (beyond 1 MiB of encoded
 * values: MULTI, one command per MiB, EXEC, streamed so memory stays bounded);
 * intersection_update and symmetric_difference_update write the values into a temporary key
 * and combine it with the set inside one MULTI/EXEC. Every value is encoded before EXEC, so
 * a value that fails (where the rule at the top says so) fails the call with nothing
 * written. n == 0 is the empty set: intersection_update then empties s, the others send
 * nothing. Other sets: n == 0 sends nothing (Python does nothing either). All operands on
 * the set's server: one server command (SUNIONSTORE/SINTERSTORE/SDIFFSTORE s s others...,
 * or a Lua script for the symmetric difference). Operands on other servers are read first
 * (SSCAN, one round trip per batch on their servers) while the writes are streamed to the
 * set's server inside one MULTI/EXEC, so the change is applied atomically in one round trip
 * there; if reading fails, the MULTI is discarded and nothing is written. On a Redis
 * Cluster an operand in another hash slot counts as one on another server; on the set's own
 * client it is copied beside the set first, as for the _new forms above. */

/** s.update(values), s |= set(values): add n elements. n == 0 sends nothing. 10,000 small
 * elements are one SADD command. POTTERY_ETYPE for a value that cannot be encoded. */
POTTERY_API int pottery_set_update(pottery_set *set, const pottery_value *values, size_t n);

/** s.update(*others), s |= t. Redis Cluster: operands in other hash slots are read on the
 * client side, the result written atomically (a common {hash tag}: one round trip). */
POTTERY_API int pottery_set_update_from(pottery_set *set, pottery_set *const *others, size_t n);

/** s.intersection_update(values), s &= set(values) (pottery: NotImplementedError). */
POTTERY_API int pottery_set_intersection_update(pottery_set *set, const pottery_value *values, size_t n);

/** s.intersection_update(*others), s &= t (pottery: NotImplementedError). Redis Cluster:
 * operands in other hash slots are read on the client side, the result written atomically
 * (a common {hash tag}: one round trip). */
POTTERY_API int pottery_set_intersection_update_from(pottery_set *set, pottery_set *const *others, size_t n);

/** s.difference_update(values), s -= set(values): remove the values. */
POTTERY_API int pottery_set_difference_update(pottery_set *set, const pottery_value *values, size_t n);

/** s.difference_update(*others), s -= t. Redis Cluster: operands in other hash slots are
 * read on the client side, the result written atomically (a common {hash tag}: one round
 * trip). */
POTTERY_API int pottery_set_difference_update_from(pottery_set *set, pottery_set *const *others, size_t n);

/** s.symmetric_difference_update(values), s ^= set(values) (pottery: NotImplementedError).
 * POTTERY_ETYPE for a value that cannot be encoded. */
POTTERY_API int pottery_set_symmetric_difference_update(pottery_set *set, const pottery_value *values, size_t n);

/** s.symmetric_difference_update(other), s ^= t (pottery: NotImplementedError). Redis
 * Cluster: operands in other hash slots are read on the client side, the result written
 * atomically (a common {hash tag}: one round trip). */
POTTERY_API int pottery_set_symmetric_difference_update_from(pottery_set *set, pottery_set *other);

/* ---- iteration ---- */

/** iter(s): SSCAN, one round trip per batch, one batch in memory.
 *
 * *out is the caller's (pottery_set_iter_free). The set must outlive the iterator. */
POTTERY_API int pottery_set_iter_new(pottery_set_iter **out, pottery_set *set);

/** Next element into *out (out may be NULL to skip).
 *
 * Returns 0 with an element, POTTERY_EITEROVER when done, or an error; after
 * POTTERY_EDECODE (a foreign member) the iterator moves on and the next call continues. */
POTTERY_API int pottery_set_iter_next(pottery_value *out, pottery_set_iter *it);

/** Free an iterator. Accepts NULL. */
POTTERY_API void pottery_set_iter_free(pottery_set_iter *it);

POTTERY_END_DECLS

#endif /* POTTERY_SET_H */
