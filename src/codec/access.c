/*
 * Typed accessors: type tests and scalar getters, so that no caller reaches into the union.
 *
 * Each getter has one silent core (returns 0 or a code, writes *out only on success) shared
 * by the checked form, which adds the message, and the unchecked form, which answers 0.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "core/error.h"

/* ---- type tests ---- */

pottery_type pottery_value_type(const pottery_value *v)
{
    return v ? v->type : POTTERY_TYPE_NULL;
}

int pottery_value_is_null(const pottery_value *v)
{
    return !v || v->type == POTTERY_TYPE_NULL;
}

int pottery_value_is_bool(const pottery_value *v)
{
    return v && v->type == POTTERY_TYPE_BOOL;
}

int pottery_value_is_int(const pottery_value *v)
{
    return v && v->type == POTTERY_TYPE_INT;
}

int pottery_value_is_double(const pottery_value *v)
{
    return v && v->type == POTTERY_TYPE_DOUBLE;
}

int pottery_value_is_string(const pottery_value *v)
{
    return v && v->type == POTTERY_TYPE_STRING;
}

/* The first non-blank byte of JSON text, or -1. */
static int first_byte(const pottery_value *v)
{
    if (!v || v->type != POTTERY_TYPE_JSON || !v->u.s.ptr) return -1;
    for (size_t k = 0; k < v->u.s.len; k++) {
        char c = v->u.s.ptr[k];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return (unsigned char)c;
    }
    return -1;
}

int pottery_value_is_array(const pottery_value *v)
{
    return first_byte(v) == '[';
}

int pottery_value_is_object(const pottery_value *v)
{
    return first_byte(v) == '{';
}

/* ---- silent cores ---- */

/* The digits of JSON text holding an integer: the form of integers beyond int64. */
static int int_text(const char **digits, size_t *n, const pottery_value *v)
{
    return v->type == POTTERY_TYPE_JSON && v->u.s.ptr && pottery__json_int_literal(digits, n, v->u.s.ptr, v->u.s.len);
}

static int bool_of(int *out, const pottery_value *v)
{
    if (v->type != POTTERY_TYPE_BOOL) return POTTERY_ETYPE;
    *out = v->u.b != 0;
    return 0;
}

static int int_of(int64_t *out, const pottery_value *v)
{
    const char *t;
    size_t n;
    if (v->type == POTTERY_TYPE_INT) {
        *out = v->u.i;
        return 0;
    }
    if (!int_text(&t, &n, v)) return POTTERY_ETYPE;
    return pottery__digits_to_int64(out, t, n) ? 0 : POTTERY_ERANGE;
}

/* The double equal to the integer t[0..n) beyond int64, if one is (2^64 is, 2^64 + 1 not). */
static int exact_double(double *out, const char *t, size_t n)
{
    char digits[POTTERY_INTEGRAL_TEXT_SIZE], exact[POTTERY_INTEGRAL_TEXT_SIZE];
    if (n >= sizeof digits) return 0; /* beyond DBL_MAX */
    memcpy(digits, t, n);
    digits[n] = '\0';
    double d = strtod(digits, NULL); /* digits only: the locale's radix character plays no part */
    if (!pottery__double_is_integral(d)) return 0;
    size_t k = pottery__integral_text(exact, d);
    if (k != n || memcmp(exact, digits, n) != 0) return 0;
    *out = d;
    return 1;
}

static int double_of(double *out, const pottery_value *v)
{
    int64_t i;
    const char *t;
    size_t n;
    if (v->type == POTTERY_TYPE_DOUBLE) {
        *out = v->u.d;
        return 0;
    }
    if (v->type == POTTERY_TYPE_INT) {
        i = v->u.i;
    } else if (!int_text(&t, &n, v)) {
        return POTTERY_ETYPE;
    } else if (!pottery__digits_to_int64(&i, t, n)) {
        return exact_double(out, t, n) ? 0 : POTTERY_ERANGE;
    }
    double d = (double)i; /* rounds beyond 2^53: exact when it converts back to i */
    if (d >= POTTERY_TWO_POW_63 || (int64_t)d != i) return POTTERY_ERANGE;
    *out = d;
    return 0;
}

static int str_of(const char **out, size_t *len, const pottery_value *v)
{
    if (v->type != POTTERY_TYPE_STRING) return POTTERY_ETYPE;
    if (!v->u.s.ptr) return POTTERY_EINVAL;
    *out = v->u.s.ptr;
    if (len) *len = v->u.s.len;
    return 0;
}

/* ---- checked getters ---- */

const char *pottery__value_type_name(const pottery_value *v)
{
    const char *t;
    size_t n;
    switch (v->type) {
    case POTTERY_TYPE_NULL: return "None";
    case POTTERY_TYPE_BOOL: return "a bool";
    case POTTERY_TYPE_INT: return "an int";
    case POTTERY_TYPE_DOUBLE: return "a float";
    case POTTERY_TYPE_STRING: return "a str";
    case POTTERY_TYPE_JSON:
        if (first_byte(v) == '[') return "a list";
        if (first_byte(v) == '{') return "a dict";
        return int_text(&t, &n, v) ? "an int" : "JSON text";
    }
    return "a value of unknown type";
}

/* The message for a core's failure rc: want names the type asked for, fit the C type. */
static int fail(int rc, const char *fn, const pottery_value *v, const char *want, const char *fit)
{
    if (rc == POTTERY_ETYPE)
        return pottery__error(rc, "%s: value is %s, not %s", fn, pottery__value_type_name(v), want);
    if (rc == POTTERY_EINVAL) return pottery__error(rc, "%s: string value has a NULL pointer", fn);
    if (v->type == POTTERY_TYPE_INT)
        return pottery__error(rc, "%s: integer %" PRId64 " does not fit %s", fn, v->u.i, fit);
    const char *t = "";
    size_t n = 0;
    int_text(&t, &n, v);
    return pottery__error(rc, "%s: integer %.*s%s does not fit %s", fn, (int)(n > 60 ? 60 : n), t, n > 60 ? "..." : "",
                          fit);
}

int pottery_value_get_bool(int *out, const pottery_value *v)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(v);
    int rc = bool_of(out, v);
    return rc ? fail(rc, __func__, v, "a bool", NULL) : 0;
}

int pottery_value_get_int(int64_t *out, const pottery_value *v)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(v);
    int rc = int_of(out, v);
    return rc ? fail(rc, __func__, v, "an int", "in int64_t") : 0;
}

int pottery_value_get_double(double *out, const pottery_value *v)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(v);
    int rc = double_of(out, v);
    return rc ? fail(rc, __func__, v, "a number", "a double exactly") : 0;
}

int pottery_value_get_str(const char **out, size_t *len, const pottery_value *v)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(v);
    int rc = str_of(out, len, v);
    return rc ? fail(rc, __func__, v, "a str", NULL) : 0;
}

/* ---- unchecked getters ---- */

int pottery_value_bool(const pottery_value *v)
{
    int b = 0;
    if (v) (void)bool_of(&b, v);
    return b;
}

int64_t pottery_value_int(const pottery_value *v)
{
    int64_t i = 0;
    if (v) (void)int_of(&i, v);
    return i;
}

double pottery_value_double(const pottery_value *v)
{
    double d = 0.0;
    if (v) (void)double_of(&d, v);
    return d;
}

const char *pottery_value_str(const pottery_value *v, size_t *len)
{
    const char *s = NULL;
    if (len) *len = 0;
    if (v) (void)str_of(&s, len, v);
    return s;
}
