/* The hash field of a cached call: canonical JSON of the arguments, or pottery's field,
 * CPython's hash of the call (64-bit CPython 3.10 and later). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cache_impl.h"
#include "codec/codec.h"
#include "core/error.h"

/* ---- canonical JSON: "[a, b]" ---- */

/* Re-record the last error with the argument's position in front of its message. */
static int argument_error(int rc, const char *fn, size_t i)
{
    pottery_error_saved saved;
    pottery__error_save(&saved);
    return pottery__error(rc, "%s: argument %zu: %s", fn, i, saved.message);
}

static int json_field(pottery_buf *b, const pottery_value *args, size_t nargs, const char *fn)
{
    int rc = pottery__buf_putc(b, '[');
    for (size_t i = 0; rc == 0 && i < nargs; i++) {
        if (i) rc = pottery__buf_append(b, ", ", 2);
        if (rc == 0 && (rc = pottery__encode(b, &args[i])) < 0 && rc != POTTERY_ENOMEM) rc = argument_error(rc, fn, i);
    }
    return rc == 0 ? pottery__buf_putc(b, ']') : rc;
}

/* ---- CPython's hash ---- */

/* Integers hash to their value modulo the Mersenne prime 2^61 - 1, keeping the sign. */
#define MODULUS ((UINT64_C(1) << 61) - 1)

/* x modulo 2^61 - 1, for any 64-bit x (2^61 is 1 modulo the prime). */
static uint64_t reduce(uint64_t x)
{
    x = (x & MODULUS) + (x >> 61);
    return x >= MODULUS ? x - MODULUS : x;
}

/* hash(n) for n = (negative ? -1 : 1) * magnitude, magnitude already reduced: -1 is
 * CPython's error value, so -1 becomes -2. */
static uint64_t int_hash(uint64_t magnitude, int negative)
{
    int64_t h = negative ? -(int64_t)magnitude : (int64_t)magnitude;
    if (h == -1) h = -2;
    return (uint64_t)h;
}

/* hash(n) of an integer written in decimal ("-123", any length). */
static uint64_t digits_hash(const char *t, size_t n)
{
    int negative = n > 0 && t[0] == '-';
    uint64_t m = 0;
    for (size_t i = negative ? 1 : 0; i < n; i++) m = reduce(reduce(m << 3) + reduce(m << 1) + (uint64_t)(t[i] - '0'));
    return int_hash(m, negative);
}

/* Tuples hash their items' hashes with xxHash's 64-bit round (CPython's tuplehash). */
#define XXPRIME_1 UINT64_C(11400714785074694791)
#define XXPRIME_2 UINT64_C(14029467366897019727)
#define XXPRIME_5 UINT64_C(2870177450012600261)

static uint64_t tuple_lane(uint64_t acc, uint64_t lane)
{
    acc += lane * XXPRIME_2;
    acc = (acc << 31) | (acc >> 33);
    return acc * XXPRIME_1;
}

static uint64_t tuple_end(uint64_t acc, size_t n)
{
    acc += (uint64_t)n ^ (XXPRIME_5 ^ UINT64_C(3527539));
    return acc == UINT64_MAX ? UINT64_C(1546275796) : acc;
}

/* hash(frozenset()): pottery hashes the keyword arguments as a frozenset, and a C call has
 * none. (The shuffle of zero entries: (0 ^ 1 * 1927868237), then CPython's final mixing.) */
#define EMPTY_FROZENSET_HASH UINT64_C(133146708735736)

static int refuse(const char *fn, size_t i, const pottery_value *v)
{
    return pottery__error(POTTERY_EINVAL,
                          "%s: argument %zu is %s: POTTERY_CACHE_FIELDS_PYTHON takes integers and booleans only, "
                          "whose Python hash C can reproduce (a str's hash differs in every Python process, so "
                          "Python cannot share such entries either)",
                          fn, i, pottery__value_type_name(v));
}

/* hash() of argument i: an integer or a bool (Python hashes True as 1). */
static int arg_hash(uint64_t *out, const pottery_value *v, size_t i, const char *fn)
{
    switch (v->type) {
    case POTTERY_TYPE_BOOL: *out = v->u.b ? 1 : 0; return 0;
    case POTTERY_TYPE_INT: {
        uint64_t magnitude = v->u.i < 0 ? UINT64_C(0) - (uint64_t)v->u.i : (uint64_t)v->u.i;
        *out = int_hash(reduce(magnitude), v->u.i < 0);
        return 0;
    }
    case POTTERY_TYPE_JSON: break; /* integers beyond int64, or the caller's JSON text */
    default: return refuse(fn, i, v);
    }
    pottery_json_node *n = NULL;
    int rc = pottery__value_to_node(&n, v);
    if (rc < 0) return rc == POTTERY_ENOMEM ? rc : argument_error(rc, fn, i);
    if (n->kind == POTTERY_JSON_INT)
        *out = digits_hash(n->text, n->len);
    else if (n->kind == POTTERY_JSON_TRUE || n->kind == POTTERY_JSON_FALSE)
        *out = n->kind == POTTERY_JSON_TRUE;
    else
        rc = refuse(fn, i, v);
    pottery__json_free(n);
    return rc;
}

static int python_field(pottery_buf *b, const pottery_value *args, size_t nargs, const char *fn)
{
    uint64_t acc = XXPRIME_5;
    for (size_t i = 0; i < nargs; i++) {
        uint64_t h = 0;
        int rc = arg_hash(&h, &args[i], i, fn);
        if (rc < 0) return rc;
        acc = tuple_lane(acc, h);
    }
    uint64_t call = tuple_lane(tuple_lane(XXPRIME_5, tuple_end(acc, nargs)), EMPTY_FROZENSET_HASH);
    char text[POTTERY_INT64_TEXT_SIZE];
    size_t len = pottery__int64_text(text, (int64_t)tuple_end(call, 2));
    return pottery__buf_append(b, text, len);
}

int pottery__cache_field(pottery_buf *b, pottery_cache_fields fields, const pottery_value *args, size_t nargs,
                         const char *fn)
{
    return fields == POTTERY_CACHE_FIELDS_PYTHON ? python_field(b, args, nargs, fn) : json_field(b, args, nargs, fn);
}
