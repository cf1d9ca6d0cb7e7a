/**
 * @file value.h
 * pottery_value, the JSON value that keys, elements and values are made of.
 *
 * Everything stored in Redis is encoded as canonical JSON: exactly the bytes Python's
 * json.dumps(v, sort_keys=True) produces, so C and Python programs share keys, fields and
 * members byte for byte. A pottery_value is a small tagged value of one of the types of
 * ::pottery_type; read it with the accessors below (pottery_value_type(),
 * pottery_value_get_int(), pottery_value_at(), ...), never through its union.
 *
 * Constructors (pottery_int(), pottery_str(), ...) make *borrowed* values: they point at
 * the caller's memory and need no disposal. Values the library writes into an out-parameter
 * are *owned*: release them with pottery_value_dispose().
 *
 * Values the library decodes (read from Redis, pottery_value_from_json(), elements read from
 * arrays and objects) are *normalized*: every scalar has its own type, and POTTERY_TYPE_JSON
 * holds a JSON array, a JSON object, or an integer beyond the int64 range, as canonical text
 * ("[1, 2]", "{\"a\": 1}", "18446744073709551616"). A pottery_json() value (and a copy of
 * it) is the caller's text as written; pottery_value_from_json() normalizes it.
 *
 * Strings: a string value's bytes are followed by a NUL byte (s[len] == '\0') when the value
 * was made by the library (decoded, copied, an element read from a composite) or by
 * pottery_str(); a pottery_strn() value points at the caller's bytes as given, terminated
 * only if they were. Strings may contain NUL bytes: use the length.
 */
#ifndef POTTERY_VALUE_H
#define POTTERY_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

POTTERY_BEGIN_DECLS

/** The type of a pottery_value. */
typedef enum pottery_type {
    POTTERY_TYPE_NULL = 0, /**< JSON null (Python None) */
    POTTERY_TYPE_BOOL,     /**< true / false (Python bool) */
    POTTERY_TYPE_INT,      /**< an exact int64 (Python int) */
    POTTERY_TYPE_DOUBLE,   /**< an IEEE double; NaN and +-Infinity are encoded as Python does */
    POTTERY_TYPE_STRING,   /**< UTF-8 text with a length; may contain NUL bytes (Python str) */
    POTTERY_TYPE_JSON      /**< any other JSON as text: arrays, objects, and integers outside the
                                int64 range, which are kept exact, never rounded */
} pottery_type;

/** A JSON value. Read it with the accessors below; the fields are the library's. */
typedef struct pottery_value {
    pottery_type type; /**< the type; read it with pottery_value_type() */
    /** The payload, by type (read it with the accessors). */
    union {
        int b;     /**< BOOL: 0 or 1 */
        int64_t i; /**< INT */
        double d;  /**< DOUBLE */
        /** STRING and JSON: the text and its length in bytes. */
        struct {
            const char *ptr; /**< the bytes */
            size_t len;      /**< their length */
        } s;
    } u;
    void *owned_; /**< private: memory this value owns, NULL for borrowed values */
} pottery_value;

/** A disposable empty value (JSON null). Initialise out-parameters with it. */
#define POTTERY_VALUE_INIT                                                                                             \
    {                                                                                                                  \
        POTTERY_TYPE_NULL, { 0 }, NULL                                                                                 \
    }

/** A key and its value: the element of dict items, counter pairs and bulk updates. */
typedef struct pottery_pair {
    pottery_value key;   /**< the key */
    pottery_value value; /**< its value */
} pottery_pair;

/** @name Making values */
/** @{ */

/** JSON null (Python None). Borrowed constructors like this one never allocate. */
POTTERY_API pottery_value pottery_null(void);
/** A bool: any non-zero b is true. */
POTTERY_API pottery_value pottery_bool(int b);
/** An exact integer. */
POTTERY_API pottery_value pottery_int(int64_t i);
/** A double (NaN and +-Infinity included, as Python's float). */
POTTERY_API pottery_value pottery_double(double d);
/** A NUL-terminated UTF-8 string, not copied. A NULL pointer makes every later use fail
 * with POTTERY_EINVAL. */
POTTERY_API pottery_value pottery_str(const char *s);
/** A UTF-8 string of len bytes (NUL bytes allowed), not copied. */
POTTERY_API pottery_value pottery_strn(const char *s, size_t len);
/** Any JSON text, e.g. "[1, 2]" or "{\"b\": 1, \"a\": null}", not copied. It is validated
 * and brought to canonical form when used; invalid text makes the using call fail with
 * POTTERY_ETYPE. */
POTTERY_API pottery_value pottery_json(const char *text);
/** JSON text of len bytes, as pottery_json(). */
POTTERY_API pottery_value pottery_jsonn(const char *text, size_t len);

/** @} */

/** @name Ownership and conversions */
/** @{ */

/** Release what *v owns (if anything) and reset it to JSON null. Accepts NULL. */
POTTERY_API void pottery_value_dispose(pottery_value *v);

/** Deep-copy src into *out (owned by the caller; dispose it). *out is disposed first.
 * Errors: POTTERY_ENOMEM, POTTERY_EINVAL. */
POTTERY_API int pottery_value_copy(pottery_value *out, const pottery_value *src);

/** Encode v as canonical JSON (Python json.dumps(v, sort_keys=True)). *out is a new
 * NUL-terminated buffer owned by the caller (pottery_free); *out_len (may be NULL) gets its
 * length. Errors: POTTERY_ETYPE (invalid UTF-8, invalid JSON text), POTTERY_EINVAL,
 * POTTERY_ENOMEM. */
POTTERY_API int pottery_value_to_json(char **out, size_t *out_len, pottery_value v);

/** Decode JSON text (NaN, Infinity and -Infinity accepted, as Python does) into *out
 * (owned, normalized; dispose it). *out is disposed first. Errors: POTTERY_EDECODE,
 * POTTERY_ENOMEM, POTTERY_EINVAL. */
POTTERY_API int pottery_value_from_json(pottery_value *out, const char *text, size_t len);

/** Python's repr() of the value: 'jack', 4098, 1.5, None, True, [1, 'a'], {'a': 1}.
 * *out is a new NUL-terminated buffer owned by the caller (pottery_free). */
POTTERY_API int pottery_value_repr(char **out, pottery_value v);

/** Python's == on the two values: 1 == 1.0 == True, [1] == [1.0], objects by content.
 * Writes 1 or 0 to *out. Errors: POTTERY_ETYPE, POTTERY_EINVAL, POTTERY_ENOMEM. */
POTTERY_API int pottery_value_equal(int *out, pottery_value a, pottery_value b);

/** Release a buffer the library returned (JSON text, repr text). Accepts NULL. */
POTTERY_API void pottery_free(void *p);

/** @} */

/**
 * @name Reading scalars
 * Two forms. The checked getters (pottery_value_get_*) return 0, or POTTERY_ETYPE when the
 * value is of another type (the message names both types, as Python's TypeError does),
 * POTTERY_ERANGE when the number does not fit the C type, POTTERY_EINVAL for a NULL
 * argument; on failure *out is left as it was. The unchecked getters return what the
 * checked one would, or 0 / NULL where it would fail, and never set the last error: use
 * them after a type test, or where 0 is a fine default. Neither form converts between
 * types except between numbers (Python's int and float), as noted. The type tests and the
 * unchecked getters read a NULL v as JSON null. None of them allocates.
 */
/** @{ */

/** The type of *v (POTTERY_TYPE_NULL for a NULL v). */
POTTERY_API pottery_type pottery_value_type(const pottery_value *v);
/** 1 if *v is JSON null (Python None) or v is NULL, else 0. */
POTTERY_API int pottery_value_is_null(const pottery_value *v);
/** 1 if *v is a bool, else 0. */
POTTERY_API int pottery_value_is_bool(const pottery_value *v);
/** 1 if *v is an INT, an integer within int64 (larger integers are POTTERY_TYPE_JSON text:
 * pottery_value_get_int() says POTTERY_ERANGE for them), else 0. */
POTTERY_API int pottery_value_is_int(const pottery_value *v);
/** 1 if *v is a double (Python float), else 0. */
POTTERY_API int pottery_value_is_double(const pottery_value *v);
/** 1 if *v is a string, else 0. */
POTTERY_API int pottery_value_is_string(const pottery_value *v);
/** 1 if *v is JSON text that is an array (Python list): its first non-blank byte is '['.
 * The text is validated by the calls that read it (pottery_value_len() and friends). */
POTTERY_API int pottery_value_is_array(const pottery_value *v);
/** 1 if *v is JSON text that is an object (Python dict): its first non-blank byte is '{'. */
POTTERY_API int pottery_value_is_object(const pottery_value *v);

/** The bool *v holds, 0 or 1. Errors: POTTERY_ETYPE (not a bool: JSON has no truthiness),
 * POTTERY_EINVAL. */
POTTERY_API int pottery_value_get_bool(int *out, const pottery_value *v);
/** The integer *v holds: an INT, or JSON text holding an integer. Errors: POTTERY_ERANGE
 * (an integer beyond int64: pottery_value_to_json() gives its exact digits), POTTERY_ETYPE
 * (not an integer; a double is not one, even 2.0), POTTERY_EINVAL. */
POTTERY_API int pottery_value_get_int(int64_t *out, const pottery_value *v);
/** The number *v holds as a double: a DOUBLE as is (NaN and +-Infinity included), an
 * integer (INT or JSON text) when the double holds it exactly. Errors: POTTERY_ERANGE (an
 * integer a double cannot hold exactly, such as 2^53 + 1), POTTERY_ETYPE (not a number),
 * POTTERY_EINVAL. */
POTTERY_API int pottery_value_get_double(double *out, const pottery_value *v);
/** The string *v holds: *out points at its bytes (borrowed from *v: valid while *v is
 * neither changed nor disposed; NUL-terminated as the file comment says) and *len (may be
 * NULL) gets their length. Errors: POTTERY_ETYPE (not a string; JSON text holding a string
 * is decoded by pottery_value_from_json()), POTTERY_EINVAL (NULL argument, or a string
 * made by pottery_str(NULL)). */
POTTERY_API int pottery_value_get_str(const char **out, size_t *len, const pottery_value *v);

/** The bool *v holds, or 0. */
POTTERY_API int pottery_value_bool(const pottery_value *v);
/** The integer *v holds (as pottery_value_get_int()), or 0. */
POTTERY_API int64_t pottery_value_int(const pottery_value *v);
/** The number *v holds as a double (as pottery_value_get_double()), or 0.0. */
POTTERY_API double pottery_value_double(const pottery_value *v);
/** The string *v holds, borrowed as pottery_value_get_str() says, with its length in *len
 * (may be NULL); NULL (and *len = 0) if *v is not a string. */
POTTERY_API const char *pottery_value_str(const pottery_value *v, size_t *len);

/** @} */

/**
 * @name Reading arrays and objects
 * Read-only access to the elements of a JSON array and the members of a JSON object,
 * through the library's own parser: no second JSON parser needed. Objects are read in
 * canonical order (keys sorted by code point; of duplicate keys in a pottery_json() text
 * the last one counts, as in Python). An element comes back as an owned, normalized value
 * (dispose it): a scalar as its own type, a nested array or object as its canonical text,
 * an integer beyond int64 as its exact digits (POTTERY_TYPE_JSON; pottery_value_get_int()
 * gives POTTERY_ERANGE), NaN and +-Infinity as doubles. An out-value is replaced only on
 * success (its old contents disposed) and may be the composite itself. Every call parses
 * the whole text (O(size of v)); to visit every element, iterate with pottery_value_iter,
 * which parses once.
 * Errors of every call here: POTTERY_ETYPE (not an array/object as the call needs, or invalid
 * pottery_json() text), POTTERY_ENOMEM, POTTERY_EINVAL, and those named below.
 */
/** @{ */

/** Python's len(v) of an array or object: the number of elements or members. */
POTTERY_API int pottery_value_len(int64_t *out, const pottery_value *v);

/** Python's v[index] on an array, into *out (owned; dispose it). Negative indexes count
 * from the end, as in Python. Errors: POTTERY_EINDEX (out of range). */
POTTERY_API int pottery_value_at(pottery_value *out, const pottery_value *v, int64_t index);

/** Python's v[key] on an object: the member named by the NUL-terminated UTF-8 key, into
 * *out (owned; dispose it). Errors: POTTERY_ENOTFOUND (no such key: KeyError). */
POTTERY_API int pottery_value_member(pottery_value *out, const pottery_value *v, const char *key);

/** pottery_value_member() with a key of key_len bytes (NUL bytes allowed). */
POTTERY_API int pottery_value_membern(pottery_value *out, const pottery_value *v, const char *key, size_t key_len);

/** An iterator over the elements of an array or the members of an object. */
typedef struct pottery_value_iter pottery_value_iter;

/** Start iterating over v: Python's enumerate(v) for an array, v.items() for an object.
 * The iterator keeps its own parsed copy, so v may change or be disposed meanwhile.
 * *out is the caller's (pottery_value_iter_free). */
POTTERY_API int pottery_value_iter_new(pottery_value_iter **out, const pottery_value *v);

/** The next element or member: *key gets the index (INT) for an array or the key (STRING)
 * for an object, *value the element; either pointer may be NULL; both are owned (dispose
 * them) and replaced only on success. Costs O(size of the element). Errors: POTTERY_EITEROVER when
 * every element has been visited (not a failure), POTTERY_ENOMEM, POTTERY_EINVAL. */
POTTERY_API int pottery_value_iter_next(pottery_value *key, pottery_value *value, pottery_value_iter *it);

/** Free an iterator. Accepts NULL. */
POTTERY_API void pottery_value_iter_free(pottery_value_iter *it);

/** @} */

POTTERY_END_DECLS

#endif /* POTTERY_VALUE_H */
