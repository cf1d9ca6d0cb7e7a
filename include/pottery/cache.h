/**
 * @file
 * pottery_cache, a function's results memoized in a Redis hash (Python: pottery.redis_cache,
 * an unbounded `functools.cache` shared by every process that uses the same key).
 *
 * A cache wraps a function of JSON arguments returning a JSON value. pottery_cache_call()
 * looks the call up first: a hit returns the stored result; a miss calls the function,
 * stores its result and returns it. Like `functools.cache` it never evicts entries; bound
 * it with the timeout (the whole hash expires `timeout_ms` after its last use, hit or
 * miss), with pottery_cache_clear(), or by caching only functions whose argument space is
 * small. Cache only pure functions: a result is reused for as long as the entry lives.
 *
 * Layout: one Redis hash at the handle's key; each entry is field = the call's field (see
 * below), value = the canonical JSON of the result (Python's `json.dumps(result,
 * sort_keys=True)`, as value.h describes). A `null` result is cached like any other and is
 * a hit later.
 *
 * Fields. pottery names an entry after Python's `hash((args, frozenset(kwargs.items())))`:
 * two different argument lists can share a hash (a collision returns the wrong result), and
 * the hash of a string changes with every Python process. The default here,
 * POTTERY_CACHE_FIELDS_JSON, is the canonical JSON of the argument list as an array
 * (`f(5)` is the field `[5]`, `f(1, "a")` is `[1, "a"]`, `f()` is `[]`): distinct argument
 * lists always get distinct fields, and a call gets the same field in every process, on
 * every machine, from any language that writes canonical JSON. Equal values of different
 * types are different calls (`f(1)`, `f(1.0)` and `f(true)` are three entries, where Python
 * would share one). POTTERY_CACHE_FIELDS_PYTHON computes pottery's field instead, for
 * calls whose arguments are all integers or booleans (CPython 3.10 and later, 64-bit: the
 * decimal text of the hash, e.g. `f(5)` is `-8997656621574321360`), so that a C service
 * and a Python service using redis_cache on the same key share those entries. Python
 * cannot share entries whose arguments are strings (their hash differs in every process),
 * so that mode refuses any other argument type with POTTERY_EINVAL. Integers beyond int64
 * (JSON text) are hashed from their digits as Python hashes its unbounded ints.
 *
 * Costs: a hit is one round trip. A miss is one round trip, the function, and one more
 * round trip to store the result. With a timeout the lookup and the store each slide the
 * expiry within their round trip: HGET then PEXPIRE, or HSET then PEXPIRE, in one Lua
 * script, so that a key of another Redis type fails on HGET/HSET with WRONGTYPE before its
 * expiry could be touched (a pipeline would set an expiry on somebody else's key). Without
 * a timeout they are a plain HGET and a plain HSET.
 *
 * Concurrency: concurrent misses on one call, in any number of processes, each call the
 * function and store their result with HSET, which replaces a value whole: every caller
 * gets its own (correct) result and the entry ends with one of them. The function runs
 * while no request is outstanding, so it may use the same client, and even call the same
 * cache (a recursive memoized function).
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or argument), POTTERY_ETYPE (an
 * argument or result that cannot be encoded, e.g. invalid UTF-8), POTTERY_EDECODE (the entry
 * holds bytes that are not JSON, e.g. written by another program; the message names the key
 * and the field, and the entry is left as it is), POTTERY_EREDIS (e.g. WRONGTYPE when the key
 * holds another Redis type; nothing is written), POTTERY_ECONN / POTTERY_ETIMEOUT,
 * POTTERY_EPROTOCOL, POTTERY_ENOMEM, and whatever code the function returns.
 *
 * Values returned through out-parameters are the caller's: out-values must be initialised
 * (POTTERY_VALUE_INIT) and are disposed and replaced on success, left untouched on failure.
 * A handle is used by one thread at a time, as its client is; one opened on a pool's
 * client (pool.h) by any number at once, and its function may then run on several threads
 * at once.
 */
#ifndef POTTERY_CACHE_H
#define POTTERY_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "value.h"

POTTERY_BEGIN_DECLS

/** A cache handle (opaque): a function, its payload, and a hash key on a client. Open with
 * pottery_cache_open(), free with pottery_cache_free(). */
typedef struct pottery_cache pottery_cache;

/** The cached function: compute the result of the call `args[0..nargs)` into `*result`, which
 * starts as JSON null. Return 0 with the result (owned or borrowed: the cache encodes it and
 * then disposes it), or a negative `POTTERY_E*` code, ideally with a message set through
 * pottery_error_set(): the call is then not cached, and the code and message reach the
 * caller unchanged (a result already written is disposed). The arguments are borrowed for
 * the call; payload is the pointer given to pottery_cache_open(). */
typedef int (*pottery_cache_fn)(pottery_value *result, const pottery_value *args, size_t nargs, void *payload);

/** How a call's arguments name its entry in the hash (see the file comment). */
typedef enum pottery_cache_fields {
    POTTERY_CACHE_FIELDS_JSON = 0,  /**< the canonical JSON array of the arguments, e.g. `[1, 2]`:
                                         collision-free, the same in every process (default) */
    POTTERY_CACHE_FIELDS_PYTHON = 1 /**< pottery's field, CPython's hash of the call, for
                                         integer and boolean arguments only */
} pottery_cache_fields;

/** The version of pottery_cache_options this header describes. */
#define POTTERY_CACHE_OPTIONS_VERSION 1

/** How to open a cache. Initialise with POTTERY_CACHE_OPTIONS_INIT or
 * pottery_cache_options_init(), then set what you need; members are only ever appended,
 * and `version` tells the library which ones your program knows. */
typedef struct pottery_cache_options {
    unsigned int version;        /**< POTTERY_CACHE_OPTIONS_VERSION, set by the initialisers */
    int64_t timeout_ms;          /**< the hash expires this long after its last use, hit or miss
                               (pottery's `timeout`, 60 s by default); 0 or POTTERY_FOREVER:
                               never; other negative values are POTTERY_EINVAL */
    pottery_cache_fields fields; /**< how calls name their entries (POTTERY_CACHE_FIELDS_JSON) */
} pottery_cache_options;

/** Defaults: pottery's timeout of 60 seconds, collision-free JSON fields. */
#define POTTERY_CACHE_OPTIONS_INIT                                                                                     \
    {                                                                                                                  \
        POTTERY_CACHE_OPTIONS_VERSION, 60000, POTTERY_CACHE_FIELDS_JSON                                                \
    }

/** Set *opts to the defaults (the same as POTTERY_CACHE_OPTIONS_INIT; usable from C++). */
static inline void pottery_cache_options_init(pottery_cache_options *opts)
{
    pottery_cache_options defaults = POTTERY_CACHE_OPTIONS_INIT;
    *opts = defaults;
}

/** Python's `redis_cache(redis=client, key=key, timeout=...)(fn)`: a cache of fn's results
 * in the hash at `key` (copied). key NULL picks a random unused key `pottery:<uuid4>`, which
 * pottery_cache_free() deletes, as pottery does for every key that begins with `pottery:`;
 * "" is POTTERY_EINVAL. fn is required; payload is handed to it on every call. opts NULL
 * means defaults. The client is borrowed and must outlive the cache; *out is the caller's
 * (pottery_cache_free).
 * Errors: POTTERY_EINVAL (NULL out, client or fn; options not initialised, of a newer
 * version than the library, or with a negative timeout or unknown fields),
 * POTTERY_ERANDOMKEY, POTTERY_ENOMEM, and for key NULL the errors of its EXISTS check.
 * Cost: no round trip (key NULL: one EXISTS). */
POTTERY_API int pottery_cache_open(pottery_cache **out, pottery_client *client, const char *key, pottery_cache_fn fn,
                                   void *payload, const pottery_cache_options *opts);

/** Free the handle; UNLINKs the hash if its key begins with `pottery:`. Accepts NULL. */
POTTERY_API void pottery_cache_free(pottery_cache *cache);

/** The Redis key (owned by the handle); NULL for a NULL handle. */
POTTERY_API const char *pottery_cache_key(const pottery_cache *cache);

/** The client the cache was opened on (borrowed); NULL for a NULL handle. */
POTTERY_API pottery_client *pottery_cache_client(const pottery_cache *cache);

/** `f(*args)`: the cached result of the call, or the function's result, stored on the
 * way. *out receives the decoded JSON of the result, so a hit and a miss give the same
 * value (a normalized one, as value.h describes). args may be NULL when nargs is 0. A hit
 * counts in `hits`, a miss in `misses` once its result is stored.
 * Cost: hit, one round trip (HGET, with the expiry slid in the same Lua script); miss, one
 * round trip, the function, then one round trip (HSET, likewise). Errors: the common ones,
 * and the function's own code unchanged (nothing stored). Nothing is sent when an argument
 * cannot be encoded; a result that cannot be encoded (POTTERY_ETYPE) is not stored. */
POTTERY_API int pottery_cache_call(pottery_value *out, pottery_cache *cache, const pottery_value *args, size_t nargs);

/** `f.__bypass__(*args)`: call the function without looking in the cache, store its
 * result for the call (replacing any), and return it as pottery_cache_call() would. Counts
 * neither a hit nor a miss. Cost: the function, then one round trip (HSET and the expiry). */
POTTERY_API int pottery_cache_bypass(pottery_value *out, pottery_cache *cache, const pottery_value *args, size_t nargs);

/** `f.__wrapped__(*args)`: the function alone. *out receives its result as the function
 * made it; Redis is not touched and nothing is counted. */
POTTERY_API int pottery_cache_wrapped(pottery_value *out, pottery_cache *cache, const pottery_value *args,
                                      size_t nargs);

/** `f.cache_info()`: Python's `CacheInfo(hits, misses, maxsize, currsize)`. */
typedef struct pottery_cache_info {
    int64_t hits;     /**< calls answered from the cache by this handle */
    int64_t misses;   /**< calls whose result this handle computed and stored */
    int64_t maxsize;  /**< always -1: unbounded (Python's `maxsize=None`) */
    int64_t currsize; /**< entries in the hash now, from Redis (HLEN), every process's included */
} pottery_cache_info;

/** `f.cache_info()`: this handle's counters (per process, as pottery's) and the hash's
 * current size. HLEN, one round trip. */
POTTERY_API int pottery_cache_info_get(pottery_cache_info *out, pottery_cache *cache);

/** `f.cache_clear()`: UNLINK the hash (every process's entries) and reset this handle's
 * counters to 0. One round trip; the counters are kept if it fails. */
POTTERY_API int pottery_cache_clear(pottery_cache *cache);

/** The hash field that the call `args[0..nargs)` uses, for interoperability checks and
 * debugging: e.g. `[5]`, or `-8997656621574321360` with POTTERY_CACHE_FIELDS_PYTHON.
 * *out is NUL-terminated text owned by the caller (pottery_free); out_len may be NULL.
 * No round trip. Errors: POTTERY_ETYPE (an argument that cannot be encoded), POTTERY_EINVAL
 * (NULL arguments; an argument that is not an integer or a boolean with
 * POTTERY_CACHE_FIELDS_PYTHON), POTTERY_ENOMEM. */
POTTERY_API int pottery_cache_field(char **out, size_t *out_len, const pottery_cache *cache, const pottery_value *args,
                                    size_t nargs);

POTTERY_END_DECLS

#endif /* POTTERY_CACHE_H */
