/**
 * @file
 * pottery_cached_ordered_dict, an ordered dict in memory whose values are cached in a Redis
 * hash (Python: pottery.CachedOrderedDict).
 *
 * The use case: a search returns ids in order; each id must be hydrated into a document,
 * and hydrated documents should be cached for the next search. Open the dict with the ids:
 * the values the cache holds come back at once (hits), the others are recorded as misses;
 * compute the misses and set them (each write goes through to the cache); then read the
 * dict in the ids' order.
 *
 * Layout (shared with Python's pottery): one Redis hash at the handle's key, field =
 * JSON(key), value = JSON(value), canonical JSON as value.h describes: the layout of
 * pottery_dict and of pottery's RedisDict, so pottery's CachedOrderedDict, RedisDict and
 * this handle read and fill the same cache.
 *
 * Local and remote: every read (get, contains, len, misses, iteration, snapshots) is
 * answered from memory without a round trip. Every write (set, setdefault of a key that
 * has no value, update) goes to Redis first, then to memory, so a failed write changes
 * neither. Writes slide the hash's expiry (timeout_ms, 60 s by default as pottery), and so
 * does an open that read something, so a cache in use stays alive and an idle one expires.
 *
 * Keys are identified by their canonical JSON, as Redis identifies fields: 0, 0.0 and
 * false are three keys here (three fields there), where a Python dict would merge them.
 * New keys are appended at the end; setting an existing key keeps its place.
 *
 * A miss is a key of the dict without a value yet. It is in the dict (contains answers 1,
 * len counts it, iteration visits it with its miss flag set) but has no value to read:
 * get fails with POTTERY_ENOTFOUND and a message saying it is a cache miss.
 *
 * Differences from pottery, on purpose:
 * - pottery writes every hit back to Redis when it opens (WATCH, MULTI, HSET of the values
 *   it just read, EXEC). That costs a second and a third round trip and rewrites identical
 *   bytes; the only effect it has is keeping the hash alive, which the expiry slid by the
 *   open already does. So an open here is one round trip and writes no data.
 * - setdefault keeps a value found in the cache (written by another process since the open)
 *   instead of overwriting it with the default, as Python's setdefault never replaces a
 *   value that is there; it is one atomic round trip instead of a WATCH loop, so pottery's
 *   num_tries has no use here.
 * - An open or a write on a key of another Redis type fails with WRONGTYPE and touches
 *   neither the key nor its expiry.
 *
 * Errors common to every call that talks to Redis: POTTERY_EINVAL (NULL handle or
 * argument), POTTERY_ETYPE (a key or value that cannot be encoded), POTTERY_EDECODE (a value
 * in the cache is not JSON, e.g. written by another program; the message names the key),
 * POTTERY_EREDIS (e.g. WRONGTYPE when the key holds another Redis type; the message carries
 * the Redis text), POTTERY_ECONN / POTTERY_ETIMEOUT, POTTERY_EPROTOCOL (a reply of a type
 * the command cannot answer), POTTERY_ENOMEM. A failed call leaves Redis and the dict as
 * they were.
 *
 * Values returned through out-parameters are the caller's: out-values must be initialised
 * (POTTERY_VALUE_INIT) and are disposed and replaced on success, left untouched on failure.
 * A handle is used by one thread at a time, even on a pool's client (pool.h): its contents
 * live in memory.
 */
#ifndef POTTERY_CACHED_ORDERED_DICT_H
#define POTTERY_CACHED_ORDERED_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "value.h"

POTTERY_BEGIN_DECLS

/** A cached ordered dict (opaque): the dict in memory, and the key and client of its cache.
 * Open with pottery_cached_ordered_dict_open(), free with pottery_cached_ordered_dict_free(). */
typedef struct pottery_cached_ordered_dict pottery_cached_ordered_dict;

/** An iterator over a cached ordered dict's keys, values or items, in order (opaque):
 * pottery_cached_ordered_dict_iter_new(), then pottery_cached_ordered_dict_iter_next(). */
typedef struct pottery_cached_ordered_dict_iter pottery_cached_ordered_dict_iter;

/** The version of pottery_cached_ordered_dict_options this header describes. */
#define POTTERY_CACHED_ORDERED_DICT_OPTIONS_VERSION 1

/** How to open a cached ordered dict. Initialise with
 * POTTERY_CACHED_ORDERED_DICT_OPTIONS_INIT or pottery_cached_ordered_dict_options_init(),
 * then set what you need; members are only ever appended, and `version` tells the library
 * which ones your program knows. */
typedef struct pottery_cached_ordered_dict_options {
    unsigned int version; /**< POTTERY_CACHED_ORDERED_DICT_OPTIONS_VERSION, set by the initialisers */
    int64_t timeout_ms;   /**< the cache's time to live in milliseconds, slid by every write and
                               by an open that reads (pottery's timeout=60 s: 60000). 0 or
                               POTTERY_FOREVER: never set an expiry (one set by someone else
                               stays); other negative values are POTTERY_EINVAL */
} pottery_cached_ordered_dict_options;

/** Defaults: a time to live of 60 seconds, as pottery. */
#define POTTERY_CACHED_ORDERED_DICT_OPTIONS_INIT                                                                       \
    {                                                                                                                  \
        POTTERY_CACHED_ORDERED_DICT_OPTIONS_VERSION, 60000                                                             \
    }

/** Set *opts to the defaults (the same as POTTERY_CACHED_ORDERED_DICT_OPTIONS_INIT; usable
 * from C++). */
static inline void pottery_cached_ordered_dict_options_init(pottery_cached_ordered_dict_options *opts)
{
    pottery_cached_ordered_dict_options defaults = POTTERY_CACHED_ORDERED_DICT_OPTIONS_INIT;
    *opts = defaults;
}

/** CachedOrderedDict(redis_client=client, redis_key=key, dict_keys=keys): a dict of the n
 * keys in their order, each holding its cached value (a hit) or recorded as a miss.
 * A key given twice keeps its first place, as in Python's OrderedDict. key is copied; NULL
 * picks a random unused key `pottery:<uuid4>`, which pottery_cached_ordered_dict_free()
 * deletes, as pottery does for every key that begins with `pottery:` (and since such a key
 * is new, every key is a miss and no HMGET is sent); "" is POTTERY_EINVAL. opts NULL means
 * defaults. The client is borrowed and must outlive the dict. *out is the caller's
 * (pottery_cached_ordered_dict_free).
 *
 * Cost: one round trip: HMGET of the distinct keys (in commands of up to 10,000 fields, all
 * pipelined) and, with an expiry, a script that slides it if the key is a hash, in the
 * same pipeline. n == 0 sends nothing (nothing was read, so there is no cache to keep
 * alive). No data is written (see the file comment for why pottery's write-back is left
 * out). Memory: the dict holds every key and hit, as Python's does.
 *
 * Errors: POTTERY_EINVAL (keys NULL with n > 0, options not initialised or of a newer
 * version than the library, a negative timeout other than POTTERY_FOREVER), POTTERY_ETYPE
 * (a key that cannot be encoded: the message gives its position), POTTERY_EDECODE (a cached
 * value is not JSON: the message names the key), POTTERY_EREDIS (WRONGTYPE: the key holds
 * another type; its expiry is left alone), POTTERY_ERANDOMKEY, common errors. On failure no
 * handle is made (*out is NULL). */
POTTERY_API int pottery_cached_ordered_dict_open(pottery_cached_ordered_dict **out, pottery_client *client,
                                                 const char *key, const pottery_value *keys, size_t n,
                                                 const pottery_cached_ordered_dict_options *opts);

/** Free the dict; UNLINKs the cache if its key begins with `pottery:`. Accepts NULL. */
POTTERY_API void pottery_cached_ordered_dict_free(pottery_cached_ordered_dict *d);

/** The Redis key of the cache (owned by the handle); NULL for a NULL handle. */
POTTERY_API const char *pottery_cached_ordered_dict_key(const pottery_cached_ordered_dict *d);

/** The client the dict was opened on (borrowed); NULL for a NULL handle. */
POTTERY_API pottery_client *pottery_cached_ordered_dict_client(const pottery_cached_ordered_dict *d);

/** d.misses(): the keys still without a value, as a JSON array in the dict's order (e.g.
 * `[6, 8, 10]`; read it with pottery_value_len() and pottery_value_at()). *out is the
 * caller's. No round trip. */
POTTERY_API int pottery_cached_ordered_dict_misses(pottery_value *out, pottery_cached_ordered_dict *d);

/** key in d.misses(): *out 1 if key is in the dict without a value, else 0 (a key that is not
 * in the dict, or cannot be encoded, is no miss). No round trip. */
POTTERY_API int pottery_cached_ordered_dict_is_miss(int *out, pottery_cached_ordered_dict *d, pottery_value key);

/** d[key]: a copy of its value. POTTERY_ENOTFOUND (KeyError) if key is not in the dict, and
 * also if it is a miss (the message then says "is a cache miss"; tell the two apart with
 * pottery_cached_ordered_dict_is_miss() or _contains() when it matters). No round trip. */
POTTERY_API int pottery_cached_ordered_dict_get(pottery_value *out, pottery_cached_ordered_dict *d, pottery_value key);

/** d.get(key, default), with a miss read as absent: a copy of the value, or of dflt when key
 * is not in the dict or is a miss. No round trip. */
POTTERY_API int pottery_cached_ordered_dict_get_default(pottery_value *out, pottery_cached_ordered_dict *d,
                                                        pottery_value key, pottery_value dflt);

/** d[key] = value: write through to the cache (HSET, and the expiry slid, atomically in
 * one script), then set it in the dict: an existing key keeps its place and stops being a
 * miss, a new key is appended. One round trip. */
POTTERY_API int pottery_cached_ordered_dict_set(pottery_cached_ordered_dict *d, pottery_value key, pottery_value value);

/** d.setdefault(key, default): the value of key if it has one in the dict (no round trip).
 * Otherwise (a miss, or a new key) atomically in one round trip: store dflt in the cache
 * unless another process filled the field meanwhile (HSETNX), slide the expiry, and read
 * the field back; the value found there (the other process' or dflt) becomes the key's
 * value in the dict (appended if new) and a copy of it is returned. POTTERY_EDECODE if what
 * the cache holds there is not JSON (the dict is left as it was). */
POTTERY_API int pottery_cached_ordered_dict_setdefault(pottery_value *out, pottery_cached_ordered_dict *d,
                                                       pottery_value key, pottery_value dflt);

/** d.update(pairs): set every pair, as pottery_cached_ordered_dict_set() does, in order (a
 * later pair with the same key wins, and the key keeps its first place). Every key and value
 * is encoded before anything is sent, then all pairs are written and the expiry slid
 * atomically in one round trip (one script), whatever n. n == 0 sends nothing. */
POTTERY_API int pottery_cached_ordered_dict_update(pottery_cached_ordered_dict *d, const pottery_pair *items, size_t n);

/** len(d): the number of keys, misses included. No round trip. */
POTTERY_API int pottery_cached_ordered_dict_len(int64_t *out, pottery_cached_ordered_dict *d);

/** key in d: *out 1 or 0; a miss is in the dict (1). A key that cannot be encoded is simply
 * not there (0), as in Python. No round trip. */
POTTERY_API int pottery_cached_ordered_dict_contains(int *out, pottery_cached_ordered_dict *d, pottery_value key);

/** json.dumps(d): the dict as a JSON object text in the dict's order, values as cached
 * (canonical JSON); keys become JSON strings as Python's json does (1 -> "1", True ->
 * "true", None -> "null"), so two keys may give the same name, as in Python. Keys that are
 * arrays or objects, and misses (which have no value yet), give POTTERY_ETYPE naming the
 * key. *out is the caller's (pottery_free); out_len may be NULL. No round trip. */
POTTERY_API int pottery_cached_ordered_dict_to_json(char **out, size_t *out_len, pottery_cached_ordered_dict *d);

/** repr(d) as Python 3.11 writes an OrderedDict subclass, e.g.
 * `CachedOrderedDict([(2, 'two'), (4, 'four')])`, and `CachedOrderedDict()` when empty.
 * A miss shows "<miss>" as its value. *out is the caller's (pottery_free). No round trip. */
POTTERY_API int pottery_cached_ordered_dict_repr(char **out, pottery_cached_ordered_dict *d);

/** Iteration over keys(), values() or items() in the dict's order: one iterator, and the
 * caller asks for the key, the value or both on each step. No round trip.
 * *out is the caller's (pottery_cached_ordered_dict_iter_free). The dict must outlive the
 * iterator. */
POTTERY_API int pottery_cached_ordered_dict_iter_new(pottery_cached_ordered_dict_iter **out,
                                                     pottery_cached_ordered_dict *d);

/** Next entry: key_out, value_out and miss_out (each may be NULL) receive its key, its value
 * (JSON null for a miss) and 1 for a miss, 0 for a value. Returns 0 with an entry,
 * POTTERY_EITEROVER when done, POTTERY_ESTATE if keys were added to the dict since the
 * iterator was made (Python's "OrderedDict mutated during iteration"; setting the value of
 * a key that is there is fine), or an error. */
POTTERY_API int pottery_cached_ordered_dict_iter_next(pottery_value *key_out, pottery_value *value_out, int *miss_out,
                                                      pottery_cached_ordered_dict_iter *it);

/** Free an iterator. Accepts NULL. */
POTTERY_API void pottery_cached_ordered_dict_iter_free(pottery_cached_ordered_dict_iter *it);

POTTERY_END_DECLS

#endif /* POTTERY_CACHED_ORDERED_DICT_H */
