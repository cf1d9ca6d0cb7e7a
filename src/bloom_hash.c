/* pottery_bloom's arithmetic: pottery's sizing formulas, MurmurHash3 x86_32 (pottery's
 * hashing) and XXH3 double hashing (the fast mode), turning an element's JSON text into its
 * k bit offsets. */
#include <math.h>
#include <stdint.h>

#include "bloom_impl.h"
#include "core/error.h"

/* Header-only xxHash: the library gains no link dependency. */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* Redis bitmaps end at bit 2^32 - 1. */
#define MAX_BITS 4294967296.0

int pottery__bloom_sizes(int64_t *m, int *k, int64_t n, double p, const char *fn)
{
    if (n < 1) return pottery__error(POTTERY_EINVAL, "%s: num_elements is %lld, not at least 1", fn, (long long)n);
    if (!(p > 0.0 && p < 1.0))
        return pottery__error(POTTERY_EINVAL, "%s: false_positives is %g, not strictly between 0 and 1", fn, p);
    /* pottery: ceil((-n * log(p)) / log(2) ** 2) and ceil(size / n * log(2)), in this order */
    double ln2 = log(2.0);
    double bits = ceil(((double)(-n) * log(p)) / (ln2 * ln2));
    if (!(bits <= MAX_BITS))
        return pottery__error(POTTERY_EINVAL,
                              "%s: %lld elements at false_positives %g need %.0f bits; a Redis bitmap holds at most "
                              "2^32",
                              fn, (long long)n, p, bits);
    double hashes = ceil(((double)(int64_t)bits / (double)n) * ln2);
    *m = (int64_t)bits;
    *k = (int)hashes; /* at most about 1100: -log(p) is below 745 for any double p > 0 */
    return 0;
}

static uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

/* One 32-bit lane, scrambled as the block and tail steps do. */
static uint32_t scramble(uint32_t k)
{
    k *= 0xcc9e2d51u;
    k = rotl32(k, 15);
    return k * 0x1b873593u;
}

uint32_t pottery__bloom_murmur3(const void *data, size_t len, uint32_t seed)
{
    const unsigned char *bytes = data;
    uint32_t h = seed;
    size_t blocks = len / 4;
    for (size_t i = 0; i < blocks; i++) {
        const unsigned char *b = bytes + i * 4; /* little-endian whatever the host */
        uint32_t k = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        h ^= scramble(k);
        h = rotl32(h, 13);
        h = h * 5u + 0xe6546b64u;
    }
    const unsigned char *tail = bytes + blocks * 4;
    uint32_t k = 0;
    switch (len & 3u) {
    case 3: k ^= (uint32_t)tail[2] << 16; /* fall through */
    case 2: k ^= (uint32_t)tail[1] << 8;  /* fall through */
    case 1:
        k ^= tail[0];
        h ^= scramble(k);
        break;
    default: break;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

void pottery__bloom_offsets_of(int64_t *out, const pottery_bloom *bf, const char *json, size_t len)
{
    int64_t m = bf->m;
    if (bf->hashing == POTTERY_BLOOM_HASHING_XXH3) {
        XXH128_hash_t h = XXH3_128bits(json, len);
        int64_t at = (int64_t)(h.low64 % (uint64_t)m);
        int64_t step = (int64_t)(h.high64 % (uint64_t)m);
        if (step == 0) step = 1;
        for (int i = 0; i < bf->k; i++) {
            out[i] = at;
            at = (at + step) % m; /* both below m <= 2^32: no overflow */
        }
        return;
    }
    for (int seed = 0; seed < bf->k; seed++) {
        uint32_t u = pottery__bloom_murmur3(json, len, (uint32_t)seed);
        int64_t h = u < 0x80000000u ? (int64_t)u : (int64_t)u - 4294967296LL; /* mmh3.hash is signed */
        out[seed] = (h % m + m) % m;                                          /* Python's floored modulo */
    }
}
