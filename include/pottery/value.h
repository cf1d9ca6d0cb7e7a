/*
 * value.h: pottery_value, the JSON value that keys, elements and values are made of.
 *
 * Everything stored in Redis is encoded as canonical JSON: exactly the bytes Python's
 * json.dumps(v, sort_keys=True) produces, so C and Python programs share keys, fields and
 * members byte for byte. A pottery_value is a small tagged union:
 *
 *   NULL    JSON null            (Python None)
 *   BOOL    true / false         (u.b is 0 or 1)
 *   INT     exact int64          (u.i)
 *   DOUBLE  IEEE double          (u.d; NaN and +-Infinity are encoded as Python does)
 *   STRING  UTF-8 text           (u.s.ptr, u.s.len; may contain NUL bytes)
 *   JSON    any other JSON text  (u.s.ptr, u.s.len): arrays, objects, and integers outside
 *                                the int64 range, which are kept exact, never rounded
 *
 * Constructors (pottery_int(), pottery_str(), ...) make *borrowed* values: they point at
 * the caller's memory and need no disposal. Values the library writes into an out-parameter
 * are *owned*: release them with pottery_value_dispose(). Decoded JSON values are always
 * canonical text, e.g. "[1, 2]" or "{\"a\": 1}".
 */
#ifndef POTTERY_VALUE_H
#define POTTERY_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

POTTERY_BEGIN_DECLS

typedef enum pottery_type {
    POTTERY_TYPE_NULL = 0,
    POTTERY_TYPE_BOOL,
    POTTERY_TYPE_INT,
    POTTERY_TYPE_DOUBLE,
    POTTERY_TYPE_STRING,
    POTTERY_TYPE_JSON
} pottery_type;

typedef struct pottery_value {
    pottery_type type;
    union {
        int b;
        int64_t i;
        double d;
        struct {
            const char *ptr;
            size_t len;
        } s;
    } u;
    void *owned_; /* private: memory this value owns, NULL for borrowed values */
} pottery_value;

/* A disposable empty value (JSON null). Initialise out-parameters with it. */
#define POTTERY_VALUE_INIT                                                                                             \
    {                                                                                                                  \
        POTTERY_TYPE_NULL, { 0 }, NULL                                                                                 \
    }

/* A key and its value: the element of dict items, counter pairs and bulk updates. */
typedef struct pottery_pair {
    pottery_value key;
    pottery_value value;
} pottery_pair;

/* Borrowed-value constructors. None allocates; strings are not copied. */
POTTERY_API pottery_value pottery_null(void);
POTTERY_API pottery_value pottery_bool(int b);
POTTERY_API pottery_value pottery_int(int64_t i);
POTTERY_API pottery_value pottery_double(double d);
/* A NUL-terminated UTF-8 string. A NULL pointer makes every later use fail with EINVAL. */
POTTERY_API pottery_value pottery_str(const char *s);
/* A UTF-8 string of len bytes (NUL bytes allowed). */
POTTERY_API pottery_value pottery_strn(const char *s, size_t len);
/* Any JSON text, e.g. "[1, 2]" or "{\"b\": 1, \"a\": null}". It is validated and brought to
 * canonical form when used; invalid text makes the using call fail with POTTERY_ETYPE. */
POTTERY_API pottery_value pottery_json(const char *text);
POTTERY_API pottery_value pottery_jsonn(const char *text, size_t len);

/* Release what *v owns (if anything) and reset it to JSON null. Accepts NULL. */
POTTERY_API void pottery_value_dispose(pottery_value *v);

/* Deep-copy src into *out (owned by the caller; dispose it). *out is disposed first.
 * Errors: POTTERY_ENOMEM, POTTERY_EINVAL. */
POTTERY_API int pottery_value_copy(pottery_value *out, const pottery_value *src);

/* Encode v as canonical JSON (Python json.dumps(v, sort_keys=True)). *out is a new
 * NUL-terminated buffer owned by the caller (pottery_free); *out_len (may be NULL) gets its
 * length. Errors: POTTERY_ETYPE (invalid UTF-8, invalid JSON text), POTTERY_EINVAL,
 * POTTERY_ENOMEM. */
POTTERY_API int pottery_value_to_json(char **out, size_t *out_len, pottery_value v);

/* Decode JSON text (NaN, Infinity and -Infinity accepted, as Python does) into *out
 * (owned; dispose it). *out is disposed first. Errors: POTTERY_EDECODE, POTTERY_ENOMEM,
 * POTTERY_EINVAL. */
POTTERY_API int pottery_value_from_json(pottery_value *out, const char *text, size_t len);

/* Python's repr() of the value: 'jack', 4098, 1.5, None, True, [1, 'a'], {'a': 1}.
 * *out is a new NUL-terminated buffer owned by the caller (pottery_free). */
POTTERY_API int pottery_value_repr(char **out, pottery_value v);

/* Python's == on the two values: 1 == 1.0 == True, [1] == [1.0], objects by content.
 * Writes 1 or 0 to *out. Errors: POTTERY_ETYPE, POTTERY_EINVAL, POTTERY_ENOMEM. */
POTTERY_API int pottery_value_equal(int *out, pottery_value a, pottery_value b);

/* Release a buffer the library returned (JSON text, repr text). Accepts NULL. */
POTTERY_API void pottery_free(void *p);

POTTERY_END_DECLS

#endif /* POTTERY_VALUE_H */
