/**
 * @file
 * pottery_bloom, a Bloom filter in a Redis string used as a bitmap (Python:
 * pottery.BloomFilter): a set that answers "have I seen this element?" with no false
 * negatives and a tunable rate of false positives, and estimates how many elements it holds,
 * but cannot list them.
 *
 * Sizing. A filter is made for `num_elements` elements (n) and a false-positive rate
 * `false_positives` (p). Its size in bits m and its number of hashes k follow pottery's
 * formulas, evaluated in IEEE double in pottery's order, so both libraries agree on every
 * (n, p): m = ceil(((-n) * ln p) / (ln 2 * ln 2)) and k = ceil((m / n) * ln 2); (100, 0.01)
 * gives m = 959 bits and k = 7 hashes. Redis bitmaps hold at most 2^32 bits, so m may not
 * exceed 4294967296.
 *
 * Hashing. POTTERY_BLOOM_HASHING_POTTERY (the default) is pottery's: an element's bits are
 * MurmurHash3 x86_32 of its canonical JSON text (value.h: the string 'rajiv' is the 7 bytes
 * `"rajiv"`) with the seeds 0 to k-1, each hash read as a signed 32-bit integer and reduced
 * modulo m with a floored modulo. A C and a Python program therefore share a filter: 'rajiv'
 * in a (100, 0.01) filter is bits 183, 319, 787, 585, 8, 471 and 711 in both.
 * POTTERY_BLOOM_HASHING_XXH3 is faster, for filters only this library reads: one XXH3
 * 128-bit hash (seed 0) of the JSON text gives h1 (its low 64 bits) and h2 (its high 64
 * bits), and bit i of k is (h1 + i * h2) mod m, with h2 taken modulo m and replaced by 1
 * when that is 0 (double hashing).
 *
 * Layout. The bitmap is the string at the handle's key, with pottery's bit numbering (bit 0
 * is the most significant bit of byte 0); it grows only as far as its highest set bit. Its
 * parameters are recorded beside it, the first time this library writes to it, in the
 * string key `<key>:bloom` kept in the bitmap's Redis Cluster slot (`dilberts` has the
 * record `{dilberts}:bloom`; a key with a hash tag keeps it: `{user}:bf` has
 * `{user}:bf:bloom`). The record is ASCII text, `m=959 k=7 hashing=pottery` (or
 * `hashing=xxh3`); pottery neither reads nor writes it. Every call that touches the bitmap
 * checks the record at no extra round trip (writes in the script that sets the bits; a
 * lookup reads the record beside the bits and lets a script judge, one more round trip,
 * only when it is not simply the handle's own or, with pottery's hashing, absent):
 * - a record naming other parameters or another hashing is POTTERY_ESTATE, with both sets
 *   of parameters in the message, and nothing is read or written: different parameters
 *   would silently give wrong answers;
 * - a bitmap without a record (written by pottery) is used as it is by a handle with
 *   pottery's hashing, and refused (POTTERY_ESTATE) by one with XXH3; the first write of
 *   this library adds the record;
 * - a record whose bitmap is gone (deleted by pottery's `clear()`, by DEL or by expiry) is
 *   stale: reads ignore it and the next write replaces it;
 * - a record key that holds anything else (another Redis type, or text not in the format
 *   above) is POTTERY_EDECODE and is left as it is.
 *
 * Costs: pottery_bloom_open() one round trip (the record check; with key NULL, EXISTS for
 * the random key instead); add, update, contains, contains_many, len and clear one round
 * trip each, whatever the number of elements. A write whose bits are fewer as an image of
 * the bitmap than as a list of offsets (a large batch on a small filter: about a dozen bytes
 * per offset as text, one bit each in the image) sends the image, which the script ORs into
 * the bitmap through a scratch key beside it that exists only while the script runs; the
 * result is the same bits and the same string length as setting each offset. Large batches
 * are cut into chunks of at most
 * POTTERY_BLOOM_CHUNK_OFFSETS bit offsets each, so that memory stays bounded: a batch
 * beyond one chunk is sent as MULTI, one script per chunk, EXEC, streamed (still one round
 * trip, still all or nothing).
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or argument), POTTERY_ETYPE (an
 * element that cannot be encoded as JSON, e.g. invalid UTF-8: nothing is sent),
 * POTTERY_ESTATE (the record names other parameters, see above), POTTERY_EDECODE (a foreign
 * record), POTTERY_EREDIS (e.g. WRONGTYPE when the key holds another Redis type; nothing is
 * written), POTTERY_ECONN / POTTERY_ETIMEOUT, POTTERY_EPROTOCOL, POTTERY_ENOMEM.
 *
 * Out-parameters are left untouched on failure. A handle is used by one thread at a time,
 * as its client is; one opened on a pool's client (pool.h) by any number at once.
 */
#ifndef POTTERY_BLOOM_H
#define POTTERY_BLOOM_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "value.h"

POTTERY_BEGIN_DECLS

/** A Bloom filter handle (opaque): a bitmap key, its parameters and a client. Open with
 * pottery_bloom_open(), free with pottery_bloom_free(). */
typedef struct pottery_bloom pottery_bloom;

/** How elements are turned into bit offsets (see the file comment). */
typedef enum pottery_bloom_hashing {
    POTTERY_BLOOM_HASHING_POTTERY = 0, /**< MurmurHash3 x86_32 with seeds 0..k-1, as pottery (default) */
    POTTERY_BLOOM_HASHING_XXH3 = 1     /**< one XXH3 128-bit hash and double hashing: faster, C only */
} pottery_bloom_hashing;

/** The most bit offsets one script of add, update or contains_many carries; larger batches
 * are streamed as several scripts in one transaction. */
#define POTTERY_BLOOM_CHUNK_OFFSETS 131072

/** The value pottery_bloom_len() gives for a filter whose bits are all set: it has taken
 * more elements than can be estimated. */
#define POTTERY_BLOOM_LEN_SATURATED INT64_MAX

/** The version of pottery_bloom_options this header describes. */
#define POTTERY_BLOOM_OPTIONS_VERSION 1

/** How to open a Bloom filter. Initialise with POTTERY_BLOOM_OPTIONS_INIT or
 * pottery_bloom_options_init(), then set what you need; members are only ever appended,
 * and `version` tells the library which ones your program knows. */
typedef struct pottery_bloom_options {
    unsigned int version;          /**< POTTERY_BLOOM_OPTIONS_VERSION, set by the initialisers */
    pottery_bloom_hashing hashing; /**< how elements become bits (POTTERY_BLOOM_HASHING_POTTERY) */
} pottery_bloom_options;

/** Defaults: pottery's hashing, so that Python programs share the filter. */
#define POTTERY_BLOOM_OPTIONS_INIT                                                                                     \
    {                                                                                                                  \
        POTTERY_BLOOM_OPTIONS_VERSION, POTTERY_BLOOM_HASHING_POTTERY                                                   \
    }

/** Set *opts to the defaults (the same as POTTERY_BLOOM_OPTIONS_INIT; usable from C++). */
static inline void pottery_bloom_options_init(pottery_bloom_options *opts)
{
    pottery_bloom_options defaults = POTTERY_BLOOM_OPTIONS_INIT;
    *opts = defaults;
}

/** Python's `BloomFilter(num_elements=n, false_positives=p, redis=client, key=key)`: a
 * filter sized for `num_elements` elements at the rate `false_positives`, in the bitmap at
 * `key` (copied). An existing bitmap is used as it is, after its record was checked (see
 * the file comment); nothing is created until the first add. key NULL picks a random unused
 * key `pottery:<uuid4>`, which pottery_bloom_free() deletes with its record, as pottery does
 * for every key that begins with `pottery:`; "" is POTTERY_EINVAL. opts NULL means
 * defaults. The client is borrowed and must outlive the filter; *out is the caller's
 * (pottery_bloom_free).
 * Errors: POTTERY_EINVAL (NULL out or client; num_elements < 1; false_positives not
 * strictly between 0 and 1, or NaN; a size beyond 2^32 bits; options not initialised, of a
 * newer version than the library, or with an unknown hashing), POTTERY_ESTATE and
 * POTTERY_EDECODE (the record, see the file comment), POTTERY_EREDIS (WRONGTYPE),
 * POTTERY_ERANDOMKEY, POTTERY_ENOMEM, and the connection errors.
 * Cost: one round trip (the record check; key NULL: one EXISTS). */
POTTERY_API int pottery_bloom_open(pottery_bloom **out, pottery_client *client, const char *key, int64_t num_elements,
                                   double false_positives, const pottery_bloom_options *opts);

/** Free the handle; if its key begins with `pottery:`, UNLINK the bitmap and its record.
 * Accepts NULL. */
POTTERY_API void pottery_bloom_free(pottery_bloom *bf);

/** The Redis key of the bitmap (owned by the handle); NULL for a NULL handle. */
POTTERY_API const char *pottery_bloom_key(const pottery_bloom *bf);

/** The client the filter was opened on (borrowed); NULL for a NULL handle. */
POTTERY_API pottery_client *pottery_bloom_client(const pottery_bloom *bf);

/** `bf.num_elements`: the number of elements the filter was sized for; 0 for a NULL handle. */
POTTERY_API int64_t pottery_bloom_num_elements(const pottery_bloom *bf);

/** `bf.false_positives`: the false-positive rate the filter was sized for; 0 for a NULL
 * handle. */
POTTERY_API double pottery_bloom_false_positives(const pottery_bloom *bf);

/** `bf.size()`: the filter's size in bits, m; 0 for a NULL handle. No round trip. */
POTTERY_API int64_t pottery_bloom_size(const pottery_bloom *bf);

/** `bf.num_hashes()`: how many bits each element sets, k; 0 for a NULL handle. No round
 * trip. */
POTTERY_API int pottery_bloom_num_hashes(const pottery_bloom *bf);

/** `bf.add(value)`: set the element's k bits (BITFIELD SET u1, the bits of SETBIT, in one
 * script that also checks or writes the record). value is borrowed. One round trip. */
POTTERY_API int pottery_bloom_add(pottery_bloom *bf, pottery_value value);

/** `bf.update(values)`: add values[0..n), all or none (nothing is sent when one cannot be
 * encoded). Each distinct bit offset of the batch is set once. values may be NULL when n is
 * 0, which sends nothing. Borrowed for the call. One round trip whatever n (beyond
 * POTTERY_BLOOM_CHUNK_OFFSETS offsets: MULTI, a script per chunk, EXEC, streamed; the first
 * value that cannot be encoded turns EXEC into DISCARD). */
POTTERY_API int pottery_bloom_update(pottery_bloom *bf, const pottery_value *values, size_t n);

/** `value in bf`: *out is 1 when all of the element's bits are set (it was probably
 * added), 0 when one is not (it was certainly not added). A value that cannot be encoded
 * is POTTERY_ETYPE, nothing sent (pottery answers False instead). One round trip: the
 * record's GET and a BITFIELD_RO of the k bits, pipelined (a second one, the checking
 * script, when the record is not the handle's own). */
POTTERY_API int pottery_bloom_contains(int *out, pottery_bloom *bf, pottery_value value);

/** `bf.contains_many(*values)`: out[i] is what pottery_bloom_contains() would answer for
 * values[i], for i in 0..n; out must hold n ints. A value that cannot be encoded is
 * POTTERY_ETYPE, nothing sent and out left as it was. n 0 sends nothing. One round trip
 * whatever n (beyond POTTERY_BLOOM_CHUNK_OFFSETS offsets: one script per chunk in one
 * streamed transaction). */
POTTERY_API int pottery_bloom_contains_many(int *out, pottery_bloom *bf, const pottery_value *values, size_t n);

/** `len(bf)`: an estimate of how many distinct elements were added, from the number of set
 * bits X (BITCOUNT): floor(((-m) / k) * ln(1 - X / m)), as pottery computes it (X = 7 in a
 * (100, 0.01) filter gives 1). A filter whose bits are all set (X >= m, where pottery's
 * formula has no answer) gives POTTERY_BLOOM_LEN_SATURATED. One round trip. */
POTTERY_API int pottery_bloom_len(int64_t *out, pottery_bloom *bf);

/** `bf.clear()`: UNLINK the bitmap and its record. The handle stays usable (an empty
 * filter). One round trip. */
POTTERY_API int pottery_bloom_clear(pottery_bloom *bf);

/** `repr(bf)`: `<BloomFilter key=dilberts>`. *out is NUL-terminated text owned by the
 * caller (pottery_free). No round trip. Errors: POTTERY_EINVAL, POTTERY_ENOMEM. */
POTTERY_API int pottery_bloom_repr(char **out, pottery_bloom *bf);

/** The k bit offsets of value in this filter, in hash order (for pottery's hashing, seed 0
 * first): out must hold pottery_bloom_num_hashes() values. For interoperability checks and
 * debugging. No round trip. Errors: POTTERY_EINVAL (NULL argument), POTTERY_ETYPE (a value
 * that cannot be encoded), POTTERY_ENOMEM. */
POTTERY_API int pottery_bloom_offsets(int64_t *out, const pottery_bloom *bf, pottery_value value);

POTTERY_END_DECLS

#endif /* POTTERY_BLOOM_H */
