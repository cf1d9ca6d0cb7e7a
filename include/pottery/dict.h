/**
 * @file
 * pottery_dict, a dict that lives in a Redis hash (Python: pottery.RedisDict).
 *
 * Layout (shared with Python's pottery): one Redis hash at the handle's key; each entry is
 * field = JSON(key), value = JSON(value), canonical JSON as value.h describes. A Python
 * program using RedisDict(redis=..., key='tel') sees exactly what this handle writes.
 *
 * Costs: every single-key operation is one round trip; update() of any size is one round
 * trip (one MULTI/EXEC, streamed in chunks so memory stays bounded); pop, popitem and
 * setdefault are atomic against concurrent writers (MULTI/EXEC or a Lua script).
 * Iteration uses HSCAN and holds one batch at a time, so it is safe on hashes with millions
 * of fields; like Python's dict views it visits every field that exists for the whole
 * iteration, and a field changed meanwhile may be seen once, twice or not at all.
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or argument), POTTERY_ETYPE (a
 * key or value that cannot be encoded), POTTERY_EDECODE (what Redis holds is not JSON, e.g.
 * written by another program), POTTERY_EREDIS (e.g. WRONGTYPE when the key holds another
 * Redis type; the message carries the Redis text), POTTERY_ECONN / POTTERY_ETIMEOUT,
 * POTTERY_EPROTOCOL (a reply of a type the command cannot answer), POTTERY_ENOMEM. A failed
 * call leaves Redis unchanged.
 *
 * NaN keys: as in Python, a NaN key (or a composite key holding one) is never found, since
 * NaN != NaN: contains answers 0, get/pop/del fail with POTTERY_ENOTFOUND (or give the
 * default), all without a round trip. set writes the field "NaN" as pottery does, and so
 * does setdefault, which then returns its default.
 *
 * Values returned through out-parameters are the caller's: out-values must be initialised
 * (POTTERY_VALUE_INIT) and are disposed and replaced on success, left untouched on failure.
 */
#ifndef POTTERY_DICT_H
#define POTTERY_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "value.h"

POTTERY_BEGIN_DECLS

/** A dict handle (opaque): a key on a client. Open with pottery_dict_open(), free with
 * pottery_dict_free(). */
typedef struct pottery_dict pottery_dict;

/** An iterator over a dict's keys, values or items (opaque): pottery_dict_iter_new(), then
 * pottery_dict_iter_next(). */
typedef struct pottery_dict_iter pottery_dict_iter;

/** The version of pottery_dict_options this header describes. */
#define POTTERY_DICT_OPTIONS_VERSION 1

/** How to open a dict. Initialise with POTTERY_DICT_OPTIONS_INIT or
 * pottery_dict_options_init(), then set what you need; members are only ever appended, and
 * `version` tells the library which ones your program knows. */
typedef struct pottery_dict_options {
    unsigned int version;      /**< POTTERY_DICT_OPTIONS_VERSION, set by the initialisers */
    const pottery_pair *items; /**< initial contents, like RedisDict({...}): written only if the key
                                    does not exist yet, otherwise open fails with POTTERY_EEXISTS
                                    and writes nothing; later pairs override earlier ones with the
                                    same key. Borrowed for the call; NULL: none */
    size_t nitems;             /**< how many pairs items holds */
} pottery_dict_options;

/** Defaults: no initial contents (opening attaches to the key as it is). */
#define POTTERY_DICT_OPTIONS_INIT                                                                                      \
    {                                                                                                                  \
        POTTERY_DICT_OPTIONS_VERSION, NULL, 0                                                                          \
    }

/** Set *opts to the defaults (the same as POTTERY_DICT_OPTIONS_INIT; usable from C++). */
static inline void pottery_dict_options_init(pottery_dict_options *opts)
{
    pottery_dict_options defaults = POTTERY_DICT_OPTIONS_INIT;
    *opts = defaults;
}

/** Open a dict on `key` (copied). key NULL picks a random unused key `pottery:<uuid4>`,
 * which pottery_dict_free() deletes, as pottery does for every key that begins with
 * `pottery:`; "" is POTTERY_EINVAL. opts NULL means defaults (no initial contents).
 * Attaching to an existing hash without items costs nothing. The client is borrowed and
 * must outlive the dict. *out is the caller's (pottery_dict_free).
 * Errors: POTTERY_EEXISTS (items given, key exists), POTTERY_EINVAL (options not
 * initialised, or of a newer version than the library), POTTERY_ERANDOMKEY, common errors.
 * Cost: no round trip; with items one (a Lua script checks and writes atomically). */
POTTERY_API int pottery_dict_open(pottery_dict **out, pottery_client *client, const char *key,
                                  const pottery_dict_options *opts);

/** Free the handle; UNLINKs the hash if its key begins with `pottery:`. Accepts NULL. */
POTTERY_API void pottery_dict_free(pottery_dict *dict);

/** The Redis key (owned by the handle); NULL for a NULL handle. */
POTTERY_API const char *pottery_dict_key(const pottery_dict *dict);

/** The client the dict was opened on (borrowed); NULL for a NULL handle. */
POTTERY_API pottery_client *pottery_dict_client(const pottery_dict *dict);

/** d[key]. POTTERY_ENOTFOUND (KeyError) if absent. HGET, one round trip. */
POTTERY_API int pottery_dict_get(pottery_value *out, pottery_dict *dict, pottery_value key);

/** d.get(key, default): a copy of dflt if absent. HGET, one round trip. */
POTTERY_API int pottery_dict_get_default(pottery_value *out, pottery_dict *dict, pottery_value key, pottery_value dflt);

/** d[key] = value. HSET, one round trip. */
POTTERY_API int pottery_dict_set(pottery_dict *dict, pottery_value key, pottery_value value);

/** del d[key]. POTTERY_ENOTFOUND if absent. HDEL, one round trip. */
POTTERY_API int pottery_dict_del(pottery_dict *dict, pottery_value key);

/** key in d -> *out 1 or 0. A key that cannot be encoded is simply not in the dict (0, no
 * round trip), as in Python. HEXISTS, one round trip. */
POTTERY_API int pottery_dict_contains(int *out, pottery_dict *dict, pottery_value key);

/** len(d). HLEN, one round trip. */
POTTERY_API int pottery_dict_len(int64_t *out, pottery_dict *dict);

/** d.pop(key): remove and return. POTTERY_ENOTFOUND if absent. Atomic (MULTI HGET HDEL
 * EXEC), one round trip. A value that is not JSON (POTTERY_EDECODE) is put back with HSETNX
 * (a second round trip, on that path only; a value written meanwhile is kept); if that
 * fails too, its error is returned and the message says the entry could not be restored. */
POTTERY_API int pottery_dict_pop(pottery_value *out, pottery_dict *dict, pottery_value key);

/** d.pop(key, default): a copy of dflt if absent. Atomic, one round trip; foreign data as
 * pottery_dict_pop. */
POTTERY_API int pottery_dict_pop_default(pottery_value *out, pottery_dict *dict, pottery_value key, pottery_value dflt);

/** d.popitem(): remove and return some (key, value) pair (the first one HSCAN finds).
 * key_out and value_out may each be NULL. POTTERY_ENOTFOUND if the dict is empty.
 * Atomic (Lua), one round trip. A field or value that is not JSON is put back as
 * pottery_dict_pop does. */
POTTERY_API int pottery_dict_popitem(pottery_value *key_out, pottery_value *value_out, pottery_dict *dict);

/** d.setdefault(key, default): the current value, or store dflt and return a copy of it.
 * Atomic (MULTI HSETNX HGET EXEC), one round trip. */
POTTERY_API int pottery_dict_setdefault(pottery_value *out, pottery_dict *dict, pottery_value key, pottery_value dflt);

/** d.update(pairs): set every pair (later pairs win). n == 0 sends nothing. Atomic (one
 * MULTI/EXEC) and one round trip for any n; every key and value is encoded before anything
 * is sent, so an unencodable pair fails the call with nothing written. */
POTTERY_API int pottery_dict_update(pottery_dict *dict, const pottery_pair *items, size_t n);

/** d.update(other): copy every entry of another dict. When both live on the same server and
 * database this is one atomic round trip (Lua); otherwise other is read with HSCAN in
 * batches and each batch written as it comes (not atomic across servers). On a Redis
 * Cluster, keys in different hash slots take that batch path; give them a common
 * {hash tag} to keep it atomic and on the server. */
POTTERY_API int pottery_dict_update_from(pottery_dict *dict, pottery_dict *other);

/** d.clear(): UNLINK the hash. One round trip. */
POTTERY_API int pottery_dict_clear(pottery_dict *dict);

/** json.dumps(dict(d), sort_keys=True): the whole dict as canonical JSON object text. Keys
 * become JSON strings as Python's json does (1 -> "1", True -> "true", None -> "null");
 * keys that are arrays/objects, or keys of mixed types (which Python cannot sort), give
 * POTTERY_ETYPE. *out is the caller's (pottery_free); out_len may be NULL.
 * HGETALL, one round trip. */
POTTERY_API int pottery_dict_to_json(char **out, size_t *out_len, pottery_dict *dict);

/** repr(d): `RedisDict{'jack': 4098, 'sape': 4139}` in Redis' order (insertion order for
 * small hashes). *out is the caller's (pottery_free). HGETALL, one round trip. */
POTTERY_API int pottery_dict_repr(char **out, pottery_dict *dict);

/** d == other: *out 1 or 0, with Python's equality of keys and values (1 == 1.0 == True).
 * The same key on the same server is equal without reading anything; otherwise both are
 * read (one round trip when on the same server, HGETALL each). On a Redis Cluster, keys in
 * different hash slots are read one after the other, as across servers (a common
 * {hash tag} reads both in one round trip). */
POTTERY_API int pottery_dict_equal_from(int *out, pottery_dict *dict, pottery_dict *other);

/** d == json.loads(json_object): compare with a JSON object (whose keys are strings, so a
 * dict with non-string keys never equals one). JSON `null` is never equal (*out 0, as
 * Python's `d == None` is False; no round trip); other text that is not a JSON object:
 * POTTERY_ETYPE. HGETALL, one round trip. */
POTTERY_API int pottery_dict_equal_json(int *out, pottery_dict *dict, const char *json_object);

/** Iteration over keys(), values() or items(): one iterator, and the caller asks for the
 * key, the value or both on each step. HSCAN, one round trip per batch.
 * *out is the caller's (pottery_dict_iter_free). The dict must outlive the iterator. */
POTTERY_API int pottery_dict_iter_new(pottery_dict_iter **out, pottery_dict *dict);

/** Next entry: key_out and/or value_out (either may be NULL) receive it. Returns 0 with an
 * entry, POTTERY_EITEROVER when done, or an error; after POTTERY_EDECODE (a foreign field
 * or value) the iterator moves on and the next call continues. */
POTTERY_API int pottery_dict_iter_next(pottery_value *key_out, pottery_value *value_out, pottery_dict_iter *it);

/** Free an iterator. Accepts NULL. */
POTTERY_API void pottery_dict_iter_free(pottery_dict_iter *it);

POTTERY_END_DECLS

#endif /* POTTERY_DICT_H */
