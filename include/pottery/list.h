/**
 * @file list.h
 * pottery_list, a list that lives in a Redis list (Python: pottery.RedisList).
 *
 * Layout (shared with Python's pottery): one Redis list at the handle's key; each element
 * is JSON(value), canonical JSON as value.h describes. A Python program using
 * RedisList(redis=..., key='squares') sees exactly what this handle writes.
 *
 * Indexes are int64_t and follow Python: negative indexes count from the end (-1 is the
 * last element). Slices are pottery_slice values (below) resolved with Python's
 * slice.indices(len) rules on the server, so a slice costs one round trip.
 *
 * Costs: every single-element operation (append, get, set, del, insert, pop, remove, index,
 * count, contains) is one round trip; extend() of any size is one round trip (one RPUSH,
 * or one streamed MULTI/EXEC when very large, so memory stays bounded); slice read,
 * assignment and deletion, reverse and sort are one round trip. Every read-modify-write
 * (set/del/insert/pop at an index, slice assignment or deletion, remove, reverse) is atomic
 * against concurrent writers: it runs as one Lua script on the server. Removal by index
 * overwrites the element with a fresh random uuid4 placeholder (plain text, never valid
 * JSON, so it cannot collide with stored data) and removes that placeholder.
 * Iteration reads LRANGE windows and holds one window at a time, so it is safe on lists
 * with millions of elements.
 *
 * Value comparisons (index, count, remove, contains, equality) follow Python's ==, so
 * 1 == 1.0 == True and [1] == [1.0]: the value is expanded into every canonical JSON text
 * that decodes to an equal value (for 1: `1`, `1.0`, `true`) and the server looks for
 * those exact bytes. Elements written by pottery or libpottery are always canonical; an
 * element written by someone else in a non-canonical form (e.g. `{"b":1,"a":2}`) is only
 * found by equality, not by index/count/remove. NaN is never equal to anything. A value
 * with very many equal spellings (a composite holding many numbers, more than 1024
 * spellings) is searched client-side instead, reading LRANGE windows inside a WATCH
 * transaction: remove stays atomic (retried if the list changes), but such a search costs
 * a round trip per 1000 elements.
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or argument), POTTERY_ETYPE (a
 * value that cannot be encoded; nothing is sent), POTTERY_EDECODE (what Redis holds is not
 * JSON, e.g. written by another program; the data is left intact), POTTERY_EREDIS (e.g.
 * WRONGTYPE when the key holds another Redis type; the message carries the Redis text),
 * POTTERY_ECONN / POTTERY_ETIMEOUT, POTTERY_ENOMEM. A failed call leaves Redis unchanged.
 * IndexError maps to POTTERY_EINDEX and ValueError "x not in list" to POTTERY_ENOTFOUND,
 * with Python's messages ("IndexError: list index out of range").
 *
 * Values returned through out-parameters are the caller's: out-values must be initialised
 * (POTTERY_VALUE_INIT) and are disposed and replaced on success, left untouched on failure.
 */
#ifndef POTTERY_LIST_H
#define POTTERY_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "value.h"

POTTERY_BEGIN_DECLS

/** A list in Redis (opaque; pottery_list_open, pottery_list_free). */
typedef struct pottery_list pottery_list;
/** An iterator over a pottery_list (opaque; pottery_list_iter_new, pottery_list_iter_free). */
typedef struct pottery_list_iter pottery_list_iter;

/* ---- slices ---- */

/** A Python slice a[start:stop:step]. Any field may be POTTERY_SLICE_NONE, meaning omitted
 * (as in a[:3] or a[::-1]); an omitted step is 1. Start and stop may be negative (counted
 * from the end) and are clamped to the list as Python does; a step of 0 is invalid
 * (POTTERY_EINVAL "slice step cannot be zero").
 *   a[2:5]    -> pottery_slice_of(2, 5, POTTERY_SLICE_NONE)
 *   a[-3:]    -> pottery_slice_of(-3, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE)
 *   a[::-1]   -> pottery_slice_of(POTTERY_SLICE_NONE, POTTERY_SLICE_NONE, -1)
 *   a[:]      -> POTTERY_SLICE_ALL (an initializer) or pottery_slice_all() */
typedef struct pottery_slice {
    int64_t start; /**< first index (negative: from the end), or POTTERY_SLICE_NONE */
    int64_t stop;  /**< index where the slice stops (excluded), or POTTERY_SLICE_NONE */
    int64_t step;  /**< step (not 0; negative walks backwards), or POTTERY_SLICE_NONE (1) */
} pottery_slice;

/** "Omitted" for any field of a pottery_slice (and for the stop of pottery_list_index_range). */
#define POTTERY_SLICE_NONE INT64_MIN

/** Initializer for a[:] (every field omitted). */
#define POTTERY_SLICE_ALL                                                                                              \
    {                                                                                                                  \
        POTTERY_SLICE_NONE, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE                                                     \
    }

/** Build slice(start, stop, step) (pass POTTERY_SLICE_NONE for omitted fields). */
POTTERY_API pottery_slice pottery_slice_of(int64_t start, int64_t stop, int64_t step);

/** slice(None, None, None), i.e. a[:]. */
POTTERY_API pottery_slice pottery_slice_all(void);

/** Python's slice(start, stop, step).indices(len) plus the slice length: the first index,
 * the stop, the step and how many indexes the slice selects (index k of the selection is
 * *start + k * *step). Any out-pointer may be NULL. len must be >= 0.
 * Errors: POTTERY_EINVAL (step 0, "slice step cannot be zero"; len < 0). No Redis. */
POTTERY_API int pottery_slice_indices(int64_t *start, int64_t *stop, int64_t *step, int64_t *slicelength,
                                      pottery_slice s, int64_t len);

/* ---- opening ---- */

/** The version of pottery_list_options this header describes. */
#define POTTERY_LIST_OPTIONS_VERSION 1

/** How to open a list. Initialise with POTTERY_LIST_OPTIONS_INIT or
 * pottery_list_options_init(), then change what you need; members are only ever appended,
 * and `version` tells the library which ones your program knows. */
typedef struct pottery_list_options {
    unsigned int version;       /**< POTTERY_LIST_OPTIONS_VERSION, set by the initialisers */
    const pottery_value *items; /**< initial contents, like RedisList([...]): written (in
                                     order) only if the key does not exist yet; otherwise
                                     open fails with POTTERY_EEXISTS and writes nothing.
                                     Borrowed for the call */
    size_t nitems;              /**< how many items; 0 (the default) = plain attach */
} pottery_list_options;

/** Defaults: no initial items. */
#define POTTERY_LIST_OPTIONS_INIT                                                                                      \
    {                                                                                                                  \
        POTTERY_LIST_OPTIONS_VERSION, NULL, 0                                                                          \
    }

/** Set *opts to the defaults (the same as POTTERY_LIST_OPTIONS_INIT; usable from C++). */
static inline void pottery_list_options_init(pottery_list_options *opts)
{
    pottery_list_options defaults = POTTERY_LIST_OPTIONS_INIT;
    *opts = defaults;
}

/** Open a list on `key` (copied). key NULL picks a random unused key "pottery:<uuid4>" (one
 * EXISTS round trip), which pottery_list_free() deletes, as pottery does for every key that
 * begins with "pottery:"; "" is POTTERY_EINVAL. opts NULL = defaults. Attaching to a key
 * without items costs nothing (no round trip). The client is borrowed and must outlive the
 * list. *out is the caller's (pottery_list_free).
 * Errors: POTTERY_EEXISTS (items given, key exists; nothing written), POTTERY_ERANDOMKEY,
 * POTTERY_ETYPE (an item cannot be encoded; nothing sent), POTTERY_EINVAL (options not
 * initialised, or of a newer version than this library), common errors.
 * Cost: none; with items one round trip (a Lua script checks and writes atomically). */
POTTERY_API int pottery_list_open(pottery_list **out, pottery_client *client, const char *key,
                                  const pottery_list_options *opts);

/** Free the handle; UNLINKs the list if its key begins with "pottery:". Accepts NULL. */
POTTERY_API void pottery_list_free(pottery_list *list);

/** The Redis key (owned by the handle). */
POTTERY_API const char *pottery_list_key(const pottery_list *list);

/** The client the list was opened on (borrowed). */
POTTERY_API pottery_client *pottery_list_client(const pottery_list *list);

/* ---- size ---- */

/** len(l). LLEN, one round trip. */
POTTERY_API int pottery_list_len(int64_t *out, pottery_list *list);

/** l.clear(): UNLINK the list. One round trip. */
POTTERY_API int pottery_list_clear(pottery_list *list);

/* ---- elements by index ---- */

/** l[index]. POTTERY_EINDEX "IndexError: list index out of range". LINDEX, one round trip. */
POTTERY_API int pottery_list_get(pottery_value *out, pottery_list *list, int64_t index);

/** l[index] = value. POTTERY_EINDEX "IndexError: list assignment index out of range".
 * LSET, one round trip (atomic). */
POTTERY_API int pottery_list_set(pottery_list *list, int64_t index, pottery_value value);

/** del l[index]. POTTERY_EINDEX "IndexError: list assignment index out of range".
 * Atomic (Lua: LSET placeholder + LREM), one round trip. */
POTTERY_API int pottery_list_del(pottery_list *list, int64_t index);

/** l.append(value). RPUSH, one round trip. */
POTTERY_API int pottery_list_append(pottery_list *list, pottery_value value);

/** l.extend(values): append values[0..n) in order. n == 0 sends nothing. Every value is
 * encoded before anything is sent (an unencodable one fails the call with nothing written).
 * One round trip and atomic for any n: one RPUSH, or for very large n a MULTI/EXEC of
 * chunked RPUSHes streamed so memory stays bounded. */
POTTERY_API int pottery_list_extend(pottery_list *list, const pottery_value *values, size_t n);

/** l.extend(json.loads(json_array)): append every element of a JSON array text. Text that
 * is not a JSON array: POTTERY_ETYPE. An empty array sends nothing. One round trip and
 * atomic for any size, as pottery_list_extend. */
POTTERY_API int pottery_list_extend_json(pottery_list *list, const char *json_array);

/** l.insert(index, value) with pottery's rule: index <= 0 (including every negative index)
 * prepends, index >= len appends, otherwise value goes before the element at index.
 * Atomic (Lua), one round trip. */
POTTERY_API int pottery_list_insert(pottery_list *list, int64_t index, pottery_value value);

/** l.pop(): remove and return the last element. POTTERY_EINDEX "IndexError: pop from empty
 * list". RPOP, one round trip. An element that is not JSON (POTTERY_EDECODE) is put back
 * where it was (a second round trip, on that path only); if that fails too, its error is
 * returned and the message says the element could not be restored. */
POTTERY_API int pottery_list_pop(pottery_value *out, pottery_list *list);

/** l.pop(index): remove and return the element at index (negative counts from the end).
 * POTTERY_EINDEX "IndexError: pop from empty list" or "IndexError: pop index out of range".
 * Atomic (LPOP/RPOP at the ends, else Lua), one round trip. An element that is not JSON
 * (POTTERY_EDECODE) is inserted back at its index, as pottery_list_pop does. */
POTTERY_API int pottery_list_pop_index(pottery_value *out, pottery_list *list, int64_t index);

/* ---- search (Python equality, see the top of this file) ---- */

/** l.remove(value): remove the first element equal to value. POTTERY_ENOTFOUND
 * "ValueError: list.remove(x): x not in list". Atomic (Lua), one round trip. */
POTTERY_API int pottery_list_remove(pottery_list *list, pottery_value value);

/** l.index(value): position of the first element equal to value. POTTERY_ENOTFOUND
 * "ValueError: <repr> is not in list". Lua, one round trip. */
POTTERY_API int pottery_list_index(int64_t *out, pottery_list *list, pottery_value value);

/** l.index(value, start, stop): search only l[start:stop] (Python's clamping of negative and
 * too-large bounds); start POTTERY_SLICE_NONE = 0, stop POTTERY_SLICE_NONE = to the end. The answer is an index of the
 * whole list. POTTERY_ENOTFOUND as pottery_list_index. Lua, one round trip. */
POTTERY_API int pottery_list_index_range(int64_t *out, pottery_list *list, pottery_value value, int64_t start,
                                         int64_t stop);

/** l.count(value): how many elements equal value. Lua (LPOS), one round trip. */
POTTERY_API int pottery_list_count(int64_t *out, pottery_list *list, pottery_value value);

/** value in l -> *out 1 or 0. A value that cannot be encoded is simply not in the list (0,
 * no round trip), as in Python. Lua, one round trip. */
POTTERY_API int pottery_list_contains(int *out, pottery_list *list, pottery_value value);

/* ---- slices (Python's rules, resolved on the server in one round trip) ---- */

/** l[slice] as a JSON array value (a Python list), e.g. "[9, 16, 25]". An empty selection
 * gives "[]" (the server reads nothing but the length). One round trip: a contiguous slice
 * (step 1 or omitted) is one LRANGE, any other one a Lua script. */
POTTERY_API int pottery_list_get_slice(pottery_value *out, pottery_list *list, pottery_slice slice);

/** l[slice] as an array of values: *out (caller's; pottery_list_values_free) receives *n
 * decoded values (*out may be NULL when *n is 0). One round trip, as pottery_list_get_slice. */
POTTERY_API int pottery_list_get_slice_values(pottery_value **out, size_t *n, pottery_list *list, pottery_slice slice);

/** l[slice] = values[0..n). A contiguous slice (step 1 or omitted) is replaced by the n
 * values, growing or shrinking the list (a[2:2] = [x, y] inserts). An extended slice
 * (step != 1, including -1) needs exactly as many values as it selects, else
 * POTTERY_EINVAL "ValueError: attempt to assign sequence of size X to extended slice of
 * size Y" and nothing changes. Atomic (Lua), one round trip. */
POTTERY_API int pottery_list_set_slice(pottery_list *list, pottery_slice slice, const pottery_value *values, size_t n);

/** del l[slice]: remove exactly the selected elements (an empty selection changes nothing).
 * Atomic (Lua), one round trip. */
POTTERY_API int pottery_list_del_slice(pottery_list *list, pottery_slice slice);

/** Release an array returned by pottery_list_get_slice_values (each value disposed, then the
 * array). Accepts NULL. */
POTTERY_API void pottery_list_values_free(pottery_value *values, size_t n);

/* ---- whole-list operations ---- */

/** l.reverse(): reverse in place. Atomic (Lua), one round trip. */
POTTERY_API int pottery_list_reverse(pottery_list *list);

/** l.sort(reverse=descending): numeric sort in place (Redis SORT ... [DESC] STORE, as
 * pottery). Elements that are not numbers (strings, booleans, null, arrays, NaN) make Redis
 * refuse: POTTERY_EREDIS with a message saying so, list unchanged. Equal numbers are
 * ordered by their JSON text, not kept stable. One round trip. */
POTTERY_API int pottery_list_sort(pottery_list *list, int descending);

/** json.dumps(l.to_list(), sort_keys=True): canonical JSON array text, e.g. "[1, 4, 9]".
 * *out is the caller's (pottery_free); out_len (may be NULL) gets its length. For the list
 * as a value, pass the text to pottery_json(). LRANGE, one round trip. */
POTTERY_API int pottery_list_to_json(char **out, size_t *out_len, pottery_list *list);

/** repr(l): "RedisList[1, 4, 9, 16, 25]". *out is the caller's (pottery_free).
 * LRANGE, one round trip. */
POTTERY_API int pottery_list_repr(char **out, pottery_list *list);

/** repr(l.to_list()): the elements' Python repr alone, "['g', 'h']" (what a container built
 * on a list puts inside its own repr, e.g. "RedisDeque(['g', 'h'], maxlen=2)").
 * *out is the caller's (pottery_free). LRANGE, one round trip. */
POTTERY_API int pottery_list_repr_items(char **out, pottery_list *list);

/** l + other: a new list on list's client with a random "pottery:<uuid4>" key (deleted when
 * *out is freed) holding list's elements followed by other's. *out is the caller's
 * (pottery_list_free). One round trip when both are on the same server (atomic Lua), two
 * otherwise. On a Redis Cluster the new key sits in list's hash slot
 * (`pottery:{cart}:<uuid4>` beside `cart`), and an other in another slot is read first, as
 * across servers (two round trips; a common {hash tag} keeps it to one). */
POTTERY_API int pottery_list_add(pottery_list **out, pottery_list *list, pottery_list *other);

/** l + json.loads(json_array): as pottery_list_add with the elements of a JSON array text
 * (POTTERY_ETYPE if it is not one; the new key as there). One round trip. */
POTTERY_API int pottery_list_add_json(pottery_list **out, pottery_list *list, const char *json_array);

/** l == other: *out 1 or 0, element by element with Python's == (1 == 1.0 == True). The
 * same key on the same server is equal without reading anything; otherwise both are read
 * (one round trip when on the same server, two otherwise; two also on a Redis Cluster for
 * keys in different hash slots, one with a common {hash tag}). */
POTTERY_API int pottery_list_equal_from(int *out, pottery_list *list, pottery_list *other);

/** l == json.loads(json_array): compare with a JSON array text. "null" answers 0 with no
 * round trip (Python: l == None is False); any other text that is not a JSON array is
 * POTTERY_ETYPE. LRANGE, one round trip. */
POTTERY_API int pottery_list_equal_json(int *out, pottery_list *list, const char *json_array);

/* ---- iteration ---- */

/** iter(l): visits elements by position, reading LRANGE windows of 1000 elements (one round
 * trip each) and holding one window at a time, so memory stays bounded whatever the list's
 * size. Like Python's list iterator it walks positions 0, 1, 2, ...: a window that comes
 * back short ends the iteration, so elements appended while iterating are visited if their
 * window was not read yet. Creating the iterator sends nothing.
 * *out is the caller's (pottery_list_iter_free). The list must outlive the iterator. */
POTTERY_API int pottery_list_iter_new(pottery_list_iter **out, pottery_list *list);

/** reversed(l): the same, from the last element to the first. */
POTTERY_API int pottery_list_iter_new_reversed(pottery_list_iter **out, pottery_list *list);

/** next(it): the next element into *out (the caller's; dispose it). Returns 0 with an
 * element, POTTERY_EITEROVER when done, or an error; after POTTERY_EDECODE (a foreign
 * element) the iterator moves on and the next call continues. One round trip per window of
 * 1000 elements, none otherwise. */
POTTERY_API int pottery_list_iter_next(pottery_value *out, pottery_list_iter *it);

/** Free an iterator. Accepts NULL. */
POTTERY_API void pottery_list_iter_free(pottery_list_iter *it);

POTTERY_END_DECLS

#endif /* POTTERY_LIST_H */
