/*
 * Internal: the canonical JSON codec.
 *
 * Encoding produces exactly Python's json.dumps(v, sort_keys=True) bytes. Decoding accepts
 * any valid JSON plus NaN/Infinity/-Infinity and keeps integers exact (int64 as INT, larger
 * integers as exact JSON text). This is the only code that parses or prints JSON.
 */
#ifndef POTTERY_CODEC_H
#define POTTERY_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "pottery/value.h"

/* ---- parsed JSON trees (for composite values: repr, equality, snapshots) ---- */

typedef enum pottery_json_kind {
    POTTERY_JSON_NULL,
    POTTERY_JSON_FALSE,
    POTTERY_JSON_TRUE,
    POTTERY_JSON_INT,    /* integer literal; text holds the exact digits ("-12") */
    POTTERY_JSON_FLOAT,  /* number with fraction/exponent, or NaN/Infinity; num holds it */
    POTTERY_JSON_STRING, /* text/len: decoded UTF-8 (may contain NUL) */
    POTTERY_JSON_ARRAY,  /* items[0..count) */
    POTTERY_JSON_OBJECT  /* keys[i] (STRING nodes) -> items[i]; sorted by key code points,
                            duplicate keys collapsed to the last one, as Python's dict does */
} pottery_json_kind;

typedef struct pottery_json_node {
    pottery_json_kind kind;
    double num;     /* FLOAT value; for INT the (possibly rounded) double */
    int64_t i;      /* INT value when fits_int64 */
    int fits_int64; /* INT only */
    char *text;     /* INT digits or STRING bytes, NUL-terminated */
    size_t len;
    struct pottery_json_node **keys;
    struct pottery_json_node **items;
    size_t count;
} pottery_json_node;

/* Parse text[0..len). Errors: POTTERY_EDECODE (with position in the message), ENOMEM.
 * Nesting deeper than POTTERY_JSON_MAX_DEPTH is rejected with EDECODE. */
#define POTTERY_JSON_MAX_DEPTH 512
int pottery__json_parse(pottery_json_node **out, const char *text, size_t len);
void pottery__json_free(pottery_json_node *n);

/* Append the canonical JSON of a tree. */
int pottery__json_write(pottery_buf *b, const pottery_json_node *n);

/* Append Python's repr() of a tree ('a', 1, 1.5, None, True, [..], {..}). */
int pottery__json_repr(pottery_buf *b, const pottery_json_node *n);

/* Python == between two trees (numbers compare by value across int/float/bool). */
int pottery__json_equal(const pottery_json_node *a, const pottery_json_node *b);

/* Append a normalised form of the tree for hashing/sorting by Python equality: values that
 * Python considers equal (1, 1.0, True; 0, -0.0, False) get identical bytes. */
int pottery__json_write_normalized(pottery_buf *b, const pottery_json_node *n);

/* Append the string Python's json module uses when the tree is a dict key inside an
 * object (str as is, int digits, float repr, true/false/null). Arrays/objects: ETYPE. */
int pottery__json_key_text(pottery_buf *b, const pottery_json_node *n);

/* ---- values ---- */

/* Append the canonical JSON of a value. Errors: ETYPE (invalid UTF-8 in a STRING, invalid
 * JSON text in a JSON value), EINVAL (NULL string pointer, unknown type), ENOMEM. */
int pottery__encode(pottery_buf *b, const pottery_value *v);

/* Decode JSON bytes into an owned value (scalars typed, arrays/objects/big integers as
 * canonical JSON text). *out is overwritten without being disposed. Errors: EDECODE, ENOMEM. */
int pottery__decode(pottery_value *out, const char *text, size_t len);

/* Convert a parsed tree to an owned value (as pottery__decode does). */
int pottery__value_from_node(pottery_value *out, const pottery_json_node *n);

/* Parse a value into a tree (scalars included). Errors as pottery__encode. */
int pottery__value_to_node(pottery_json_node **out, const pottery_value *v);

/* Python repr(float) / json float text: "1.0", "1e+16", "1e-05", "NaN", "Infinity".
 * buf must hold POTTERY_DOUBLE_BUFSIZE bytes; returns the length written (NUL-terminated). */
#define POTTERY_DOUBLE_BUFSIZE 32
size_t pottery__format_double(char *buf, double d);

/* 2^63 as a double: the doubles d with -2^63 <= d < 2^63 convert to int64 exactly. */
#define POTTERY_TWO_POW_63 9223372036854775808.0

/* 1 if d is finite and has no fractional part (no libm: users need not link -lm). */
int pottery__double_is_integral(double d);

/* Exact decimal text of an integral double ("-0.0" gives "0"). buf must hold
 * POTTERY_INTEGRAL_TEXT_SIZE bytes (DBL_MAX has 309 digits); returns the length. */
#define POTTERY_INTEGRAL_TEXT_SIZE 400
size_t pottery__integral_text(char *buf, double d);

/* Parse a caller's JSON text that must be of the given kind (an array or an object):
 * ETYPE "<fn>: <why>" if it is not JSON, "<fn>: not a JSON array|object" if it is something
 * else; ENOMEM as is. *out is NULL on failure. */
int pottery__json_parse_kind(pottery_json_node **out, const char *text, pottery_json_kind kind, const char *fn);

/* Integer text t[0..n), [-]digits as JSON writes them: 1 and *out if it fits int64, else 0. */
int pottery__digits_to_int64(int64_t *out, const char *t, size_t n);

/* If s[0..len) is one JSON integer literal (blanks around it allowed), point *digits at it
 * (sign included), set *n and return 1; else 0. Integers beyond int64 are JSON values in
 * this form. */
int pottery__json_int_literal(const char **digits, size_t *n, const char *s, size_t len);

/* What v is, in Python's words, for messages: "None", "a bool", "an int", "a float", "a str",
 * "a list", "a dict" or "JSON text". */
const char *pottery__value_type_name(const pottery_value *v);

/* Check that s[0..len) is valid UTF-8 (no surrogates, no overlongs, <= U+10FFFF). */
int pottery__utf8_valid(const char *s, size_t len);

/* ---- shared by the codec's own source files ---- */

/* Decode one UTF-8 sequence at s[0..len) (len >= 1): returns its length (1..4) and sets
 * *cp, or returns 0 if the bytes there are not valid UTF-8 (overlong, surrogate, truncated,
 * > U+10FFFF, stray continuation byte). */
size_t pottery__utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Append s[0..len) (valid UTF-8, checked by the caller) as a JSON string literal with
 * Python's ensure_ascii escapes, quotes included. */
int pottery__json_write_string(pottery_buf *b, const char *s, size_t len);

/* Append an ARRAY node as "[a, b]" or an OBJECT node as "{k: v, ...}", each key (a
 * string) written by key and each item by item: the layout JSON text and repr share. */
typedef int (*pottery_json_key_writer)(pottery_buf *b, const char *s, size_t len);
typedef int (*pottery_json_node_writer)(pottery_buf *b, const pottery_json_node *n);
int pottery__json_write_composite(pottery_buf *b, const pottery_json_node *n, pottery_json_key_writer key,
                                  pottery_json_node_writer item);

/* Append Python's repr() of the str s[0..len) (valid UTF-8). */
int pottery__repr_string(pottery_buf *b, const char *s, size_t len);

/* Python's str.isprintable() for one code point (Unicode 14.0, as Python 3.11). */
int pottery__unicode_printable(uint32_t cp);

/* A new zeroed node of the given kind, or NULL (error set) when out of memory. */
pottery_json_node *pottery__json_node_new(pottery_json_kind kind);

#endif
