/**
 * @file deque.h
 * pottery_deque, a double-ended queue that lives in a Redis list (Python:
 * pottery.RedisDeque, modelled on collections.deque), optionally bounded by a maxlen.
 *
 * Layout (shared with Python's pottery): one Redis list at the handle's key, element 0 at
 * the left end; each element is JSON(value), canonical JSON as value.h describes. A Python
 * program using RedisDeque(redis=..., key='letters') sees exactly what this handle writes.
 * The maxlen belongs to the handle, not to Redis (as in pottery): two handles on the same
 * key may have different bounds.
 *
 * maxlen: pushing on one end of a full deque drops as many elements from the other end, in
 * the same atomic step, so no reader ever sees the list longer than maxlen (as long as
 * every writer of the key bounds it the same way). maxlen 0 keeps the deque always empty.
 * Opening an existing list that is longer than maxlen fails (POTTERY_EINDEX), as pottery
 * does.
 *
 * Costs: append, appendleft, pop, popleft, rotate, insert and the reads by index are one
 * round trip each; extend and extendleft are one round trip for any number of values (one
 * command, or one streamed MULTI/EXEC when very large, so memory stays bounded). A push
 * with its trim is one MULTI/PUSH/LTRIM/EXEC (no WATCH, no LLEN first), and with a maxlen
 * only the last maxlen values of a bulk push are sent at all. Reads (indexing, slices,
 * index, count, membership, len, iteration, to_json, repr, equality) are those of
 * pottery_list (list.h), with the same costs: a deque handle is also a list handle on the
 * same key.
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or argument), POTTERY_ETYPE (a
 * value that cannot be encoded; nothing is sent), POTTERY_EDECODE (what Redis holds is not
 * JSON, e.g. written by another program; the data is left intact), POTTERY_EREDIS (e.g.
 * WRONGTYPE when the key holds another Redis type; the message carries the Redis text),
 * POTTERY_EPROTOCOL (a reply of a type the command cannot answer), POTTERY_ECONN /
 * POTTERY_ETIMEOUT, POTTERY_ENOMEM. A failed call leaves Redis unchanged. IndexError maps
 * to POTTERY_EINDEX and ValueError "x not in deque" to POTTERY_ENOTFOUND, with the messages
 * of Python's collections.deque ("IndexError: pop from an empty deque").
 *
 * Values returned through out-parameters are the caller's: out-values must be initialised
 * (POTTERY_VALUE_INIT) and are disposed and replaced on success, left untouched on failure.
 */
#ifndef POTTERY_DEQUE_H
#define POTTERY_DEQUE_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "list.h"
#include "value.h"

POTTERY_BEGIN_DECLS

/** A deque in Redis (opaque; pottery_deque_open, pottery_deque_free). */
typedef struct pottery_deque pottery_deque;
/** An iterator over a pottery_deque (opaque; pottery_deque_iter_new, pottery_deque_iter_free). */
typedef struct pottery_deque_iter pottery_deque_iter;

/** maxlen meaning "unbounded" (Python: maxlen=None). */
#define POTTERY_DEQUE_NO_MAXLEN (-1)

/** The version of pottery_deque_options this header describes. */
#define POTTERY_DEQUE_OPTIONS_VERSION 1

/** How to open a deque. Initialise with POTTERY_DEQUE_OPTIONS_INIT or
 * pottery_deque_options_init(), then change what you need; members are only ever appended,
 * and `version` tells the library which ones your program knows. */
typedef struct pottery_deque_options {
    unsigned int version;       /**< POTTERY_DEQUE_OPTIONS_VERSION, set by the initialisers */
    const pottery_value *items; /**< initial contents, like RedisDeque([...]): written (left
                                     to right) only if the key does not exist yet; otherwise
                                     open fails with POTTERY_EEXISTS and writes nothing. With
                                     a maxlen only the last maxlen items are stored. Borrowed
                                     for the call */
    size_t nitems;              /**< how many items; 0 (the default) = plain attach */
    int64_t maxlen;             /**< bound on the length, >= 0, or POTTERY_DEQUE_NO_MAXLEN
                                     (the default) */
} pottery_deque_options;

/** Defaults: no initial items, no maxlen. */
#define POTTERY_DEQUE_OPTIONS_INIT                                                                                     \
    {                                                                                                                  \
        POTTERY_DEQUE_OPTIONS_VERSION, NULL, 0, POTTERY_DEQUE_NO_MAXLEN                                                \
    }

/** Set *opts to the defaults (the same as POTTERY_DEQUE_OPTIONS_INIT; usable from C++). */
static inline void pottery_deque_options_init(pottery_deque_options *opts)
{
    pottery_deque_options defaults = POTTERY_DEQUE_OPTIONS_INIT;
    *opts = defaults;
}

/* ---- opening ---- */

/** Open a deque on `key` (copied). key NULL picks a random unused key "pottery:<uuid4>" (one
 * EXISTS round trip), which pottery_deque_free() deletes, as pottery does for every key
 * that begins with "pottery:"; "" is POTTERY_EINVAL. opts NULL = defaults. The client is
 * borrowed and must outlive the deque. *out is the caller's (pottery_deque_free).
 * Errors: POTTERY_EEXISTS (items given, key exists; nothing written), POTTERY_EINDEX
 * "IndexError: persistent RedisDeque beyond its maximum size" (no items, maxlen set, the
 * existing list is longer), POTTERY_EINVAL (maxlen < 0 other than POTTERY_DEQUE_NO_MAXLEN:
 * "ValueError: maxlen must be non-negative"; options not initialised, or of a newer version
 * than this library), POTTERY_ERANDOMKEY, common errors.
 * Cost: none; with items one round trip (a Lua script checks and writes atomically); with a
 * maxlen and no items one (LLEN). */
POTTERY_API int pottery_deque_open(pottery_deque **out, pottery_client *client, const char *key,
                                   const pottery_deque_options *opts);

/** Free the handle; UNLINKs the list if its key begins with "pottery:". Accepts NULL. */
POTTERY_API void pottery_deque_free(pottery_deque *deque);

/** The Redis key (owned by the handle). */
POTTERY_API const char *pottery_deque_key(const pottery_deque *deque);

/** The client the deque was opened on (borrowed). */
POTTERY_API pottery_client *pottery_deque_client(const pottery_deque *deque);

/** d.maxlen: the bound given at open, or POTTERY_DEQUE_NO_MAXLEN. Read-only (as in Python).
 * No round trip. */
POTTERY_API int pottery_deque_maxlen(int64_t *out, const pottery_deque *deque);

/* ---- pushes (each with its trim to maxlen, atomic) ---- */

/** d.append(value): add on the right; with a full maxlen the leftmost element is dropped.
 * RPUSH (no maxlen) or MULTI RPUSH LTRIM EXEC, one round trip. */
POTTERY_API int pottery_deque_append(pottery_deque *deque, pottery_value value);

/** d.appendleft(value): add on the left; with a full maxlen the rightmost element is
 * dropped. LPUSH or MULTI LPUSH LTRIM EXEC, one round trip. */
POTTERY_API int pottery_deque_appendleft(pottery_deque *deque, pottery_value value);

/** d.extend(values): append values[0..n) in order, then keep only the rightmost maxlen
 * elements. n == 0 sends nothing. Every value is encoded before anything is sent (an
 * unencodable one fails the call with nothing written, even one that maxlen would drop).
 * Atomic and one round trip for any n. */
POTTERY_API int pottery_deque_extend(pottery_deque *deque, const pottery_value *values, size_t n);

/** d.extendleft(values): appendleft each of values[0..n) in turn, so they end up reversed
 * (extendleft of 'a', 'b', 'c' gives c, b, a, ...), then keep only the leftmost maxlen
 * elements. Otherwise as pottery_deque_extend. */
POTTERY_API int pottery_deque_extendleft(pottery_deque *deque, const pottery_value *values, size_t n);

/** d.insert(index, value) with pottery_list_insert's rule (index <= 0 prepends, index >= len
 * appends, otherwise before the element at index). POTTERY_EINDEX "IndexError: deque
 * already at its maximum size" when the deque holds maxlen elements. Atomic (the length
 * check and the insert run as one Lua script), one round trip. */
POTTERY_API int pottery_deque_insert(pottery_deque *deque, int64_t index, pottery_value value);

/* ---- pops and peeks ---- */

/** d.pop(): remove and return the rightmost element. POTTERY_EINDEX "IndexError: pop from
 * an empty deque". RPOP, one round trip. A foreign (non-JSON) element gives POTTERY_EDECODE
 * and is pushed back where it was (one more round trip, on that path only). */
POTTERY_API int pottery_deque_pop(pottery_value *out, pottery_deque *deque);

/** d.popleft(): remove and return the leftmost element. As pottery_deque_pop, with LPOP. */
POTTERY_API int pottery_deque_popleft(pottery_value *out, pottery_deque *deque);

/** d[-1]: the rightmost element, left in place. POTTERY_EINDEX "IndexError: deque index out
 * of range" when empty. LINDEX, one round trip. */
POTTERY_API int pottery_deque_peek(pottery_value *out, pottery_deque *deque);

/** d[0]: the leftmost element, left in place. As pottery_deque_peek. */
POTTERY_API int pottery_deque_peekleft(pottery_value *out, pottery_deque *deque);

/* ---- whole-deque writes ---- */

/** d.rotate(n): rotate n steps to the right (n < 0: to the left), i.e. move the last n
 * elements to the front. n is reduced modulo the length as Python does (any int64); n == 0
 * or an empty deque changes nothing (n == 0 sends nothing). Atomic (Lua), one round trip;
 * moves min(r, len - r) elements on the server. */
POTTERY_API int pottery_deque_rotate(pottery_deque *deque, int64_t n);

/** d.reverse(): reverse in place. Atomic (Lua), one round trip. */
POTTERY_API int pottery_deque_reverse(pottery_deque *deque);

/** d.clear(): UNLINK the list. One round trip. */
POTTERY_API int pottery_deque_clear(pottery_deque *deque);

/* ---- elements by index (a deque never grows through these) ---- */

/** d[index] (negative counts from the end). POTTERY_EINDEX "IndexError: deque index out of
 * range". LINDEX, one round trip. */
POTTERY_API int pottery_deque_get(pottery_value *out, pottery_deque *deque, int64_t index);

/** d[index] = value. POTTERY_EINDEX "IndexError: deque index out of range". LSET, one round
 * trip. */
POTTERY_API int pottery_deque_set(pottery_deque *deque, int64_t index, pottery_value value);

/** del d[index]. POTTERY_EINDEX "IndexError: deque index out of range". Atomic, one round
 * trip. */
POTTERY_API int pottery_deque_del(pottery_deque *deque, int64_t index);

/** d.remove(value): remove the first element equal to value (Python ==). POTTERY_ENOTFOUND
 * "ValueError: deque.remove(x): x not in deque". Atomic, one round trip. */
POTTERY_API int pottery_deque_remove(pottery_deque *deque, pottery_value value);

/* ---- reads (pottery_list's, see list.h for the details of equality and slices) ---- */

/** len(d). LLEN, one round trip. */
POTTERY_API int pottery_deque_len(int64_t *out, pottery_deque *deque);

/** d[slice] (pottery's RedisDeque allows slicing; collections.deque does not) as a JSON array
 * value (POTTERY_TYPE_JSON), e.g. ["h", "i"]; an empty selection gives []. Step 0:
 * POTTERY_EINVAL. One round trip. */
POTTERY_API int pottery_deque_get_slice(pottery_value *out, pottery_deque *deque, pottery_slice slice);

/** d.index(value): position of the first element equal to value. POTTERY_ENOTFOUND
 * "ValueError: <repr> is not in deque". One round trip. */
POTTERY_API int pottery_deque_index(int64_t *out, pottery_deque *deque, pottery_value value);

/** d.index(value, start, stop): search only d[start:stop] (stop POTTERY_SLICE_NONE = to the
 * end); the answer is an index of the whole deque. Errors as pottery_deque_index. */
POTTERY_API int pottery_deque_index_range(int64_t *out, pottery_deque *deque, pottery_value value, int64_t start,
                                          int64_t stop);

/** d.count(value): how many elements equal value. One round trip. */
POTTERY_API int pottery_deque_count(int64_t *out, pottery_deque *deque, pottery_value value);

/** value in d -> *out 1 or 0. A value that cannot be encoded is simply not there (0, no
 * round trip), as in Python. One round trip. */
POTTERY_API int pottery_deque_contains(int *out, pottery_deque *deque, pottery_value value);

/** json.dumps(list(d), sort_keys=True): canonical JSON array text, e.g. "[\"g\", \"h\"]".
 * *out is the caller's (pottery_free); out_len (may be NULL) gets its length. For the
 * elements as a value, pass the text to pottery_json(). LRANGE, one round trip. */
POTTERY_API int pottery_deque_to_json(char **out, size_t *out_len, pottery_deque *deque);

/** repr(d): "RedisDeque(['g', 'h', 'i'])", "RedisDeque([])", or with a maxlen
 * "RedisDeque(['h', 'i'], maxlen=2)". *out is the caller's (pottery_free). LRANGE, one round
 * trip. */
POTTERY_API int pottery_deque_repr(char **out, pottery_deque *deque);

/** d == other: *out 1 or 0, element by element with Python's == (1 == 1.0 == True); maxlen
 * is not compared (as collections.deque). The same key on the same server is equal without
 * reading anything; otherwise one round trip on the same server, two otherwise (two also on
 * a Redis Cluster for keys in different hash slots, one with a common {hash tag}). */
POTTERY_API int pottery_deque_equal_from(int *out, pottery_deque *deque, pottery_deque *other);

/** d == deque(json.loads(json_array)): compare with a JSON array text. "null" answers 0 with
 * no round trip (Python: d == None is False); any other text that is not a JSON array is
 * POTTERY_ETYPE. LRANGE, one round trip. */
POTTERY_API int pottery_deque_equal_json(int *out, pottery_deque *deque, const char *json_array);

/* ---- iteration ---- */

/** iter(d): left to right, reading LRANGE windows (one round trip each) and holding one
 * window at a time. *out is the caller's (pottery_deque_iter_free). The deque must outlive
 * the iterator. */
POTTERY_API int pottery_deque_iter_new(pottery_deque_iter **out, pottery_deque *deque);

/** reversed(d): the same, right to left. */
POTTERY_API int pottery_deque_iter_new_reversed(pottery_deque_iter **out, pottery_deque *deque);

/** next(it): the next element into *out (the caller's; dispose it): 0 with an element,
 * POTTERY_EITEROVER when done, or an error; after POTTERY_EDECODE (a foreign element) the
 * iterator moves on and the next call continues. One round trip per window of 1000
 * elements, none otherwise. */
POTTERY_API int pottery_deque_iter_next(pottery_value *out, pottery_deque_iter *it);

/** Free an iterator. Accepts NULL. */
POTTERY_API void pottery_deque_iter_free(pottery_deque_iter *it);

POTTERY_END_DECLS

#endif /* POTTERY_DEQUE_H */
