/* libFuzzer target: the Bloom filter's and the cache's hashing on arbitrary values. The
 * input is a filter shape (m, k, hashing) and up to eight values (a type byte, then an
 * int64, a double, or a length byte and that many bytes of string or JSON text, valid or
 * not). Each value that encodes gets k offsets below m under both hashings; the cache's
 * fields (canonical JSON and CPython's hash) are computed twice and must agree. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bloom_impl.h"
#include "cache_impl.h"
#include "codec/codec.h"
#include "pottery/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_VALUES 8
#define MAX_K 64

typedef struct reader {
    const uint8_t *p;
    size_t left;
} reader;

static void take(void *out, size_t n, reader *r)
{
    memset(out, 0, n);
    size_t k = n < r->left ? n : r->left;
    memcpy(out, r->p, k);
    r->p += k;
    r->left -= k;
}

static void check_field(pottery_cache_fields fields, const pottery_value *args, size_t nargs)
{
    pottery_buf a = POTTERY_BUF_INIT, b = POTTERY_BUF_INIT;
    int rc = pottery__cache_field(&a, fields, args, nargs, "fuzz");
    int rc2 = pottery__cache_field(&b, fields, args, nargs, "fuzz");
    if (rc != rc2) __builtin_trap();
    if (rc == 0 && (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)) __builtin_trap();
    if (rc != 0 && rc != POTTERY_ETYPE && rc != POTTERY_EINVAL) __builtin_trap();
    pottery__buf_free(&a);
    pottery__buf_free(&b);
}

static void check_offsets(const pottery_value *v, int64_t m, int k)
{
    pottery_buf json = POTTERY_BUF_INIT;
    int rc = pottery__encode(&json, v);
    if (rc == 0) {
        pottery_bloom bf;
        memset(&bf, 0, sizeof bf);
        bf.m = m;
        bf.k = k;
        int64_t out[MAX_K];
        for (int h = 0; h < 2; h++) {
            bf.hashing = h ? POTTERY_BLOOM_HASHING_XXH3 : POTTERY_BLOOM_HASHING_POTTERY;
            pottery__bloom_offsets_of(out, &bf, json.data ? json.data : "", json.len);
            for (int i = 0; i < k; i++)
                if (out[i] < 0 || out[i] >= m) __builtin_trap();
        }
    } else if (rc != POTTERY_ETYPE && rc != POTTERY_EINVAL) {
        __builtin_trap();
    }
    pottery__buf_free(&json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = { data, size };
    uint32_t m32;
    uint8_t k8, count;
    take(&m32, sizeof m32, &r);
    take(&k8, 1, &r);
    take(&count, 1, &r);
    int64_t m = (int64_t)m32 + 1; /* 1 .. 2^32 bits, as a Redis bitmap allows */
    int k = k8 % MAX_K + 1;
    size_t nargs = count % (MAX_VALUES + 1);

    pottery_value args[MAX_VALUES];
    char *texts[MAX_VALUES] = { NULL };
    for (size_t i = 0; i < nargs; i++) {
        uint8_t type, len;
        take(&type, 1, &r);
        args[i].owned_ = NULL;
        switch (type % 6) {
        case 0: args[i].type = POTTERY_TYPE_NULL; break;
        case 1:
            args[i].type = POTTERY_TYPE_BOOL;
            args[i].u.b = type >> 7;
            break;
        case 2:
            args[i].type = POTTERY_TYPE_INT;
            take(&args[i].u.i, sizeof args[i].u.i, &r);
            break;
        case 3:
            args[i].type = POTTERY_TYPE_DOUBLE;
            take(&args[i].u.d, sizeof args[i].u.d, &r);
            break;
        default:
            args[i].type = type % 6 == 4 ? POTTERY_TYPE_STRING : POTTERY_TYPE_JSON;
            take(&len, 1, &r);
            texts[i] = malloc(len ? len : 1); /* exact size: ASan sees any overread */
            if (texts[i]) take(texts[i], len, &r);
            args[i].u.s.ptr = texts[i] ? texts[i] : "";
            args[i].u.s.len = texts[i] ? len : 0;
            break;
        }
        check_offsets(&args[i], m, k);
    }
    check_field(POTTERY_CACHE_FIELDS_JSON, args, nargs);
    check_field(POTTERY_CACHE_FIELDS_PYTHON, args, nargs);

    /* pottery's sizing formulas on arbitrary (n, p). */
    int64_t n, bits;
    double p;
    int hashes;
    take(&n, sizeof n, &r);
    take(&p, sizeof p, &r);
    if (pottery__bloom_sizes(&bits, &hashes, n, p, "fuzz") == 0 && (bits < 0 || bits > 4294967296LL || hashes < 0))
        __builtin_trap();

    for (size_t i = 0; i < nargs; i++) free(texts[i]);
    return 0;
}
