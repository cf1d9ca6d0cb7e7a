/*
 * Python == on JSON trees, a normalised text in which Python-equal values have identical
 * bytes (for hashing and sorting), and the text Python's json uses for a dict key.
 *
 * Numbers compare by exact value across bool, int and float, as Python does: 1 == 1.0 ==
 * True, 2**53 + 1 != 2.0**53, and NaN equals nothing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "codec/codec.h"
#include "core/error.h"

typedef enum { NUM_I64, NUM_BIG, NUM_DOUBLE } num_kind;

typedef struct num {
    num_kind kind;
    int64_t i;
    double d;
    const char *text;
} num;

static int as_number(const pottery_json_node *n, num *out)
{
    switch (n->kind) {
    case POTTERY_JSON_FALSE:
    case POTTERY_JSON_TRUE:
        out->kind = NUM_I64;
        out->i = n->kind == POTTERY_JSON_TRUE;
        return 1;
    case POTTERY_JSON_INT:
        out->kind = n->fits_int64 ? NUM_I64 : NUM_BIG;
        out->i = n->i;
        out->text = n->text;
        return 1;
    case POTTERY_JSON_FLOAT:
        out->kind = NUM_DOUBLE;
        out->d = n->num;
        return 1;
    default: return 0;
    }
}

size_t pottery__integral_text(char *buf, double d)
{
    if (d >= -POTTERY_TWO_POW_63 && d < POTTERY_TWO_POW_63) return pottery__int64_text(buf, (int64_t)d);
    /* Beyond int64: glibc prints every digit of an integral double exactly. */
    return (size_t)snprintf(buf, POTTERY_INTEGRAL_TEXT_SIZE, "%.0f", d);
}

int pottery__double_is_integral(double d)
{
    if (!isfinite(d)) return 0;
    if (d >= 4503599627370496.0 || d <= -4503599627370496.0) return 1; /* |d| >= 2^52 */
    return (double)(int64_t)d == d;
}

static int double_equals_int(double d, int64_t i)
{
    if (!(d >= -POTTERY_TWO_POW_63 && d < POTTERY_TWO_POW_63)) return 0; /* NaN, inf, out of range */
    return pottery__double_is_integral(d) && (int64_t)d == i;
}

static int numbers_equal(const num *a, const num *b)
{
    if (a->kind > b->kind) return numbers_equal(b, a);
    switch (a->kind) {
    case NUM_I64:
        if (b->kind == NUM_I64) return a->i == b->i;
        if (b->kind == NUM_BIG) return 0; /* big integers never fit int64 */
        return double_equals_int(b->d, a->i);
    case NUM_BIG:
        if (b->kind == NUM_BIG) return strcmp(a->text, b->text) == 0;
        if (!pottery__double_is_integral(b->d) || (b->d >= -POTTERY_TWO_POW_63 && b->d < POTTERY_TWO_POW_63)) return 0;
        {
            char t[POTTERY_INTEGRAL_TEXT_SIZE];
            pottery__integral_text(t, b->d);
            return strcmp(a->text, t) == 0;
        }
    case NUM_DOUBLE: return a->d == b->d;
    }
    return 0;
}

int pottery__json_equal(const pottery_json_node *a, const pottery_json_node *b)
{
    num x, y;
    if (as_number(a, &x)) return as_number(b, &y) && numbers_equal(&x, &y);
    if (a->kind != b->kind) return 0;
    switch (a->kind) {
    case POTTERY_JSON_NULL: return 1;
    case POTTERY_JSON_STRING: return a->len == b->len && (a->len == 0 || memcmp(a->text, b->text, a->len) == 0);
    case POTTERY_JSON_ARRAY:
        if (a->count != b->count) return 0;
        for (size_t k = 0; k < a->count; k++)
            if (!pottery__json_equal(a->items[k], b->items[k])) return 0;
        return 1;
    case POTTERY_JSON_OBJECT:
        /* Keys are sorted and unique, so equal key sets line up member by member. */
        if (a->count != b->count) return 0;
        for (size_t k = 0; k < a->count; k++) {
            if (!pottery__json_equal(a->keys[k], b->keys[k])) return 0;
            if (!pottery__json_equal(a->items[k], b->items[k])) return 0;
        }
        return 1;
    default: return 0;
    }
}

int pottery__json_write_normalized(pottery_buf *b, const pottery_json_node *n)
{
    char t[POTTERY_INTEGRAL_TEXT_SIZE];
    switch (n->kind) {
    case POTTERY_JSON_FALSE: return pottery__buf_putc(b, '0');
    case POTTERY_JSON_TRUE: return pottery__buf_putc(b, '1');
    case POTTERY_JSON_FLOAT:
        if (pottery__double_is_integral(n->num))
            pottery__integral_text(t, n->num); /* -0.0 -> "0" */
        else
            pottery__format_double(t, n->num);
        return pottery__buf_puts(b, t);
    case POTTERY_JSON_ARRAY:
    case POTTERY_JSON_OBJECT:
        return pottery__json_write_composite(b, n, pottery__json_write_string, pottery__json_write_normalized);
    default: return pottery__json_write(b, n);
    }
}

int pottery__json_key_text(pottery_buf *b, const pottery_json_node *n)
{
    switch (n->kind) {
    case POTTERY_JSON_STRING: return pottery__buf_append(b, n->text, n->len);
    case POTTERY_JSON_ARRAY:
    case POTTERY_JSON_OBJECT:
        return pottery__error(POTTERY_ETYPE, "keys must be str, int, float, bool or None, not %s",
                              n->kind == POTTERY_JSON_ARRAY ? "list" : "dict");
    default: return pottery__json_write(b, n); /* null, false, true, numbers: their JSON text */
    }
}
