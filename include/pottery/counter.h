/**
 * @file
 * pottery_counter, a collections.Counter that lives in a Redis hash (Python:
 * pottery.RedisCounter).
 *
 * Layout (shared with Python's pottery): one Redis hash at the handle's key; each entry is
 * field = JSON(key), value = the count as a JSON integer, e.g. `"bacon"` -> `3` (a JSON
 * integer is exactly Redis' integer text, so HINCRBY works on it). Zero and negative counts
 * are stored, as pottery stores them. A Python program using RedisCounter(redis=...,
 * key='my-counter') sees exactly what this handle writes, and the reverse.
 *
 * Semantics are Python's Counter: a missing key counts 0; update/subtract add to (or take
 * from) the stored count, new = old +- contribution (pottery counts a stored value twice
 * when updating from an iterable or keywords; this library does not); the operators
 * (`+ - | &`, unary `+` and `-`) keep only positive results.
 *
 * Counts are int64_t. Additions are exact: several contributions to one key are summed
 * first, and only the final count must fit; a count that would leave the int64 range fails
 * the call with POTTERY_ERANGE (Python's ints never overflow) and writes nothing.
 *
 * Costs: every single-key operation is one round trip; update/subtract of any size are one
 * round trip and atomic (one Lua script; above 10,000 contributions a MULTI/EXEC of Lua
 * steps streamed in chunks of 10,000 so memory stays bounded); whole-counter reads
 * (most_common, total, repr, equality, the operators) read the hash once (one round trip);
 * the in-place operators read and write in one atomic round trip.
 *
 * Order: "Redis order" below is the order HGETALL returns, which for small hashes is
 * insertion order (also the order of pottery's iteration). most_common and repr list
 * entries by count, highest first, ties in Redis order (Python's stable sort).
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or argument), POTTERY_ETYPE (a
 * key that cannot be encoded as JSON; nothing is sent), POTTERY_EDECODE (what Redis holds
 * is not JSON, or a stored count is not an integer, e.g. "abc" or "1.5" written by another
 * program; the data is left as it is), POTTERY_ERANGE (a stored integer or a result outside
 * int64), POTTERY_EREDIS (e.g. WRONGTYPE when the key holds another Redis type; the
 * message carries the Redis text), POTTERY_EPROTOCOL (a reply of a type the command cannot
 * answer), POTTERY_ECONN / POTTERY_ETIMEOUT, POTTERY_ENOMEM. A failed call leaves Redis
 * unchanged.
 *
 * Values returned through out-parameters are the caller's: out-values must be initialised
 * (POTTERY_VALUE_INIT) and are disposed and replaced on success, left untouched on failure.
 */
#ifndef POTTERY_COUNTER_H
#define POTTERY_COUNTER_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "value.h"

POTTERY_BEGIN_DECLS

/** A counter handle (opaque): a key on a client. Open with pottery_counter_open(), free
 * with pottery_counter_free(). */
typedef struct pottery_counter pottery_counter;

/** An iterator over a counter's items() or elements() (opaque): pottery_counter_iter_new()
 * or pottery_counter_elements_new(), then pottery_counter_iter_next(). */
typedef struct pottery_counter_iter pottery_counter_iter;

/** A key and its count: the input of update/subtract (keys borrowed) and the output of
 * most_common (keys owned: pottery_counter_pairs_free). */
typedef struct pottery_counter_pair {
    pottery_value key; /**< the key (any JSON value) */
    int64_t count;     /**< its count */
} pottery_counter_pair;

/** The version of pottery_counter_options this header describes. */
#define POTTERY_COUNTER_OPTIONS_VERSION 1

/** How to open a counter. Initialise with POTTERY_COUNTER_OPTIONS_INIT or
 * pottery_counter_options_init(), then set what you need; members are only ever appended,
 * and `version` tells the library which ones your program knows.
 *
 * Initial counts (items and keys may both be given; contributions to the same key add up)
 * are written only if the key does not exist yet; otherwise open fails with
 * POTTERY_EEXISTS and writes nothing. They are borrowed for the call. */
typedef struct pottery_counter_options {
    unsigned int version;              /**< POTTERY_COUNTER_OPTIONS_VERSION, set by the initialisers */
    const pottery_counter_pair *items; /**< initial counts, like RedisCounter({'red': 4, 'blue': 2}) or
                                            RedisCounter(cats=4, dogs=8): each pair contributes its count
                                            (zero and negative counts are stored); NULL: none */
    size_t nitems;                     /**< how many pairs items holds */
    const pottery_value *keys;         /**< initial keys, like RedisCounter('gallahad'): each key
                                            contributes 1; NULL: none */
    size_t nkeys;                      /**< how many keys keys holds */
} pottery_counter_options;

/** Defaults: no initial counts (opening attaches to the key as it is). */
#define POTTERY_COUNTER_OPTIONS_INIT                                                                                   \
    {                                                                                                                  \
        POTTERY_COUNTER_OPTIONS_VERSION, NULL, 0, NULL, 0                                                              \
    }

/** Set *opts to the defaults (the same as POTTERY_COUNTER_OPTIONS_INIT; usable from C++). */
static inline void pottery_counter_options_init(pottery_counter_options *opts)
{
    pottery_counter_options defaults = POTTERY_COUNTER_OPTIONS_INIT;
    *opts = defaults;
}

/** most_common(n) with n = POTTERY_COUNTER_ALL (any negative n): every entry, like
 * Python's most_common() without an argument. */
#define POTTERY_COUNTER_ALL (-1)

/** The binary operators of Counter, for pottery_counter_binary* and pottery_counter_inplace*. */
typedef enum pottery_counter_op {
    POTTERY_COUNTER_ADD = 1, /**< c + other,  c += other: counts added */
    POTTERY_COUNTER_SUB,     /**< c - other,  c -= other: counts subtracted */
    POTTERY_COUNTER_OR,      /**< c | other,  c |= other: the larger count */
    POTTERY_COUNTER_AND      /**< c & other,  c &= other: the smaller count */
} pottery_counter_op;

/** Open a counter on `key` (copied). key NULL picks a random unused key `pottery:<uuid4>`,
 * which pottery_counter_free() deletes, as pottery does for every key that begins with
 * `pottery:`; "" is POTTERY_EINVAL. opts NULL means defaults (no initial counts).
 * Attaching to an existing hash without initial counts costs nothing. The client is
 * borrowed and must outlive the counter. *out is the caller's (pottery_counter_free).
 * Errors: POTTERY_EEXISTS (initial counts given, key exists: nothing written),
 * POTTERY_EINVAL (options not initialised, or of a newer version than the library),
 * POTTERY_ERANDOMKEY, common errors.
 * Cost: no round trip; with initial counts one (a Lua script checks and writes atomically). */
POTTERY_API int pottery_counter_open(pottery_counter **out, pottery_client *client, const char *key,
                                     const pottery_counter_options *opts);

/** Free the handle; UNLINKs the hash if its key begins with `pottery:`. Accepts NULL. */
POTTERY_API void pottery_counter_free(pottery_counter *counter);

/** The Redis key (owned by the handle); NULL for a NULL handle. */
POTTERY_API const char *pottery_counter_key(const pottery_counter *counter);

/** The client the counter was opened on (borrowed); NULL for a NULL handle. */
POTTERY_API pottery_client *pottery_counter_client(const pottery_counter *counter);

/** c[key]: the count, 0 if the key is absent (nothing is written, no error). HGET, one
 * round trip. */
POTTERY_API int pottery_counter_get(int64_t *out, pottery_counter *counter, pottery_value key);

/** c[key] = count (0 and negative counts are stored). HSET, one round trip. */
POTTERY_API int pottery_counter_set(pottery_counter *counter, pottery_value key, int64_t count);

/** del c[key]; an absent key is fine (Counter ignores it). HDEL, one round trip. */
POTTERY_API int pottery_counter_del(pottery_counter *counter, pottery_value key);

/** key in c -> *out 1 or 0 (a stored count of 0 is in). A key that cannot be encoded is
 * simply not in the counter (0, no round trip), as in Python. HEXISTS, one round trip. */
POTTERY_API int pottery_counter_contains(int *out, pottery_counter *counter, pottery_value key);

/** len(c): the number of keys (zero and negative counts included). HLEN, one round trip. */
POTTERY_API int pottery_counter_len(int64_t *out, pottery_counter *counter);

/** c[key] += n, atomically: *out (may be NULL) receives the new count. HINCRBY, one round
 * trip. Errors: POTTERY_ERANGE if the count would leave int64 (nothing written);
 * POTTERY_EREDIS "hash value is not an integer" if the stored count is not one (e.g.
 * foreign data; left as it is). */
POTTERY_API int pottery_counter_incr(int64_t *out, pottery_counter *counter, pottery_value key, int64_t n);

/** c[key] -= n, atomically; as pottery_counter_incr (n = INT64_MIN included, exactly).
 * HINCRBY, one round trip. */
POTTERY_API int pottery_counter_decr(int64_t *out, pottery_counter *counter, pottery_value key, int64_t n);

/** c.update({key: count, ...}): add each pair's count (pairs with the same key add up).
 * n == 0 sends nothing. Atomic and one round trip for any n; every key is encoded before
 * anything is sent, so an unencodable key fails the call with nothing written, and so
 * does a stored count that is not an integer (POTTERY_EDECODE) or a result outside int64
 * (POTTERY_ERANGE). */
POTTERY_API int pottery_counter_update(pottery_counter *counter, const pottery_counter_pair *items, size_t n);

/** c.subtract({key: count, ...}): as pottery_counter_update with the counts taken away;
 * zero and negative results are stored. */
POTTERY_API int pottery_counter_subtract(pottery_counter *counter, const pottery_counter_pair *items, size_t n);

/** c.update(iterable): each key counts +1 (c.update('abba') adds 2 to 'a' and 'b').
 * As pottery_counter_update: atomic, one round trip for any n, n == 0 sends nothing. */
POTTERY_API int pottery_counter_update_keys(pottery_counter *counter, const pottery_value *keys, size_t n);

/** c.subtract(iterable): each key counts -1. As pottery_counter_update_keys. */
POTTERY_API int pottery_counter_subtract_keys(pottery_counter *counter, const pottery_value *keys, size_t n);

/** c.update(other): add every count of another counter (other may be counter itself, which
 * doubles every count, as in Python). Same server and database: one atomic round trip (a
 * Lua script reads other and writes counter). Otherwise other is read (HGETALL, one round
 * trip on its server), then written atomically (one round trip). On a Redis Cluster, keys
 * in different hash slots take the second way; a common {hash tag} keeps it to one
 * script on the server. */
POTTERY_API int pottery_counter_update_from(pottery_counter *counter, pottery_counter *other);

/** c.subtract(other): take every count of another counter away (the counts of other are
 * subtracted from counter). As pottery_counter_update_from. */
POTTERY_API int pottery_counter_subtract_from(pottery_counter *counter, pottery_counter *other);

/** c.clear(): UNLINK the hash. One round trip. */
POTTERY_API int pottery_counter_clear(pottery_counter *counter);

/** c.most_common(n): the n entries with the highest counts, highest first, ties in Redis
 * order; n = POTTERY_COUNTER_ALL (or any n < 0) gives every entry, n == 0 none. *out is a
 * new array of *out_n pairs with owned keys (pottery_counter_pairs_free); it is NULL when
 * *out_n is 0. HGETALL, one round trip (the whole hash is read to sort it). */
POTTERY_API int pottery_counter_most_common(pottery_counter_pair **out, size_t *out_n, pottery_counter *counter,
                                            int64_t n);

/** Release an array from pottery_counter_most_common: disposes every key, frees the array.
 * Accepts NULL. */
POTTERY_API void pottery_counter_pairs_free(pottery_counter_pair *pairs, size_t n);

/** Iteration over items(): each step gives a key and its count. HSCAN, one round trip per
 * batch, one batch in memory (safe on hashes with millions of keys). *out is the caller's
 * (pottery_counter_iter_free). The counter must outlive the iterator. */
POTTERY_API int pottery_counter_iter_new(pottery_counter_iter **out, pottery_counter *counter);

/** c.elements(): an iterator that gives each key as many times as its count; keys with a
 * count <= 0 give nothing (sorted(c.elements()) on {a: 4, b: 2, c: 0, d: -2} is
 * ['a', 'a', 'a', 'a', 'b', 'b']). Lazy: a count of a billion costs no memory. HSCAN, one
 * round trip per batch. *out is the caller's (pottery_counter_iter_free). */
POTTERY_API int pottery_counter_elements_new(pottery_counter_iter **out, pottery_counter *counter);

/** Next step of either iterator: key_out and/or count_out (either may be NULL) receive it.
 * Returns 0, POTTERY_EITEROVER when done, or an error; after POTTERY_EDECODE or
 * POTTERY_ERANGE (a foreign field or count) the iterator moves on and the next call
 * continues. */
POTTERY_API int pottery_counter_iter_next(pottery_value *key_out, int64_t *count_out, pottery_counter_iter *it);

/** Free an iterator. Accepts NULL. */
POTTERY_API void pottery_counter_iter_free(pottery_counter_iter *it);

/** c.total(): the sum of all counts (0 for an empty counter). POTTERY_ERANGE if the sum does
 * not fit int64. HVALS, one round trip. */
POTTERY_API int pottery_counter_total(int64_t *out, pottery_counter *counter);

/** json.dumps(dict(c), sort_keys=True): the whole counter as canonical JSON object text.
 * Keys become JSON strings as Python's json does (1 -> "1"); keys that are arrays/objects
 * or of mixed types give POTTERY_ETYPE. *out is the caller's (pottery_free); out_len may
 * be NULL. HGETALL, one round trip. */
POTTERY_API int pottery_counter_to_json(char **out, size_t *out_len, pottery_counter *counter);

/** repr(c): "RedisCounter{'a': 3, 'b': 0, 'c': -3, 'd': -6}", entries in most_common order.
 * Keys are shown with Python's repr (pottery quotes every key as a string: for string keys
 * the text is the same). *out is the caller's (pottery_free). HGETALL, one round trip. */
POTTERY_API int pottery_counter_repr(char **out, pottery_counter *counter);

/** c == other: *out 1 or 0, with dict equality (a stored count of 0 differs from an absent
 * key). The same key on the same server is equal without reading anything; otherwise both
 * are read (one round trip when on the same server). On a Redis Cluster, keys in different
 * hash slots are read one after the other (a common {hash tag}: one round trip). */
POTTERY_API int pottery_counter_equal_from(int *out, pottery_counter *counter, pottery_counter *other);

/** c == json.loads(json_object): compare with a JSON object such as `{"a": 3}`. JSON
 * `null` is never equal (*out 0, as Python's `c == None` is False; no round trip); other
 * text that is not a JSON object: POTTERY_ETYPE. HGETALL, one round trip. */
POTTERY_API int pottery_counter_equal_json(int *out, pottery_counter *counter, const char *json_object);

/** c + other, c - other, c | other, c & other with Counter's arithmetic (a missing key
 * counts 0; only positive results are kept), as a snapshot: *out is the resulting dict as
 * canonical JSON text (json.dumps(result, sort_keys=True)), e.g. `{"a": 4, "c": 4}`;
 * nothing is written to Redis. *out is the caller's (pottery_free); out_len may be NULL.
 * Keys are matched by their JSON text. Errors: POTTERY_EINVAL (unknown op), POTTERY_ERANGE
 * (a result outside int64), POTTERY_ETYPE (keys json.dumps cannot write), common errors.
 * Cost: one round trip (both read in one MULTI/EXEC) on the same server, else one each
 * (so also on a Redis Cluster for keys in different hash slots: give them a common
 * {hash tag} for one). */
POTTERY_API int pottery_counter_binary(char **out, size_t *out_len, pottery_counter *counter, pottery_counter_op op,
                                       pottery_counter *other);

/** As pottery_counter_binary, with other given as a JSON object of integer counts, e.g.
 * `{"a": 1, "b": 2}` (like Counter(a=1, b=2)). Text that is not a JSON object, or a
 * count that is not an int64 integer: POTTERY_ETYPE. HGETALL, one round trip. */
POTTERY_API int pottery_counter_binary_json(char **out, size_t *out_len, pottery_counter *counter,
                                            pottery_counter_op op, const char *json_object);

/** +c: the positive counts, as canonical JSON text (see pottery_counter_binary). HGETALL,
 * one round trip. */
POTTERY_API int pottery_counter_pos(char **out, size_t *out_len, pottery_counter *counter);

/** -c: the negative counts negated (Counter(a=-2) -> `{"a": 2}`), as canonical JSON text.
 * HGETALL, one round trip. */
POTTERY_API int pottery_counter_neg(char **out, size_t *out_len, pottery_counter *counter);

/** c += other, c -= other, c |= other, c &= other, written back atomically: afterwards the
 * counter holds only positive counts (every key whose result is <= 0 is removed, also
 * keys other does not mention), as Python's in-place Counter operators do. other may be
 * counter itself. Same server and database: one Lua script, one round trip. Otherwise other
 * is read first (one round trip on its server), then one script writes; so too on a Redis
 * Cluster for keys in different hash slots (a common {hash tag} keeps it to one). Errors:
 * POTTERY_EINVAL (unknown op), POTTERY_ERANGE (a result outside int64: nothing written),
 * common errors. */
POTTERY_API int pottery_counter_inplace(pottery_counter *counter, pottery_counter_op op, pottery_counter *other);

/** As pottery_counter_inplace, with other given as a JSON object of integer counts.
 * POTTERY_ETYPE (nothing sent) for text that is not such an object. One round trip. */
POTTERY_API int pottery_counter_inplace_json(pottery_counter *counter, pottery_counter_op op, const char *json_object);

POTTERY_END_DECLS

#endif /* POTTERY_COUNTER_H */
