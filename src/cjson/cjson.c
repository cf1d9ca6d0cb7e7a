/*
 * The cJSON bridge: pottery_value <-> cJSON trees, built on libpottery's public API only
 * (it is a library of its own, so the core's internals are out of reach).
 *
 * cJSON -> value writes the tree as JSON text (strings and doubles through the library's
 * encoder) and decodes it, which also sorts keys and collapses duplicates as Python does.
 * value -> cJSON walks the value with the composite accessors. Scratch memory comes from
 * cJSON's allocator (cJSON_malloc), as the trees do.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "pottery/cjson.h"
#include "pottery/errors.h"

/* 2^53 - 1: the largest integer a double holds apart from its neighbours. */
#define MAX_EXACT 9007199254740991.0
#define MAX_EXACT_INT ((int64_t)9007199254740991)
/* As the library's parser: deeper nesting is refused, and recursion stays bounded. */
#define MAX_DEPTH 512

static int oom(void)
{
    pottery_error_set(POTTERY_ENOMEM, "out of memory");
    return POTTERY_ENOMEM;
}

/* ---- cJSON -> value ---- */

typedef struct text {
    char *data;
    size_t len, cap;
} text;

static int put(text *t, const char *s, size_t n)
{
    if (t->cap - t->len <= n) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap - t->len <= n) {
            if (cap > (size_t)-1 / 2) return oom();
            cap *= 2;
        }
        char *data = cJSON_malloc(cap); /* cJSON's hooks offer no realloc */
        if (!data) return oom();
        if (t->len) memcpy(data, t->data, t->len);
        cJSON_free(t->data);
        t->data = data;
        t->cap = cap;
    }
    if (!t->data) return oom(); /* cap without data: never, but say so rather than crash */
    if (n) memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
    return 0;
}

/* Append v's canonical JSON: the library escapes strings, checks UTF-8, prints doubles. */
static int put_value(text *t, pottery_value v)
{
    char *json;
    size_t n;
    int rc = pottery_value_to_json(&json, &n, v);
    if (rc < 0) return rc;
    rc = put(t, json, n);
    pottery_free(json);
    return rc;
}

static int put_number(text *t, double d)
{
    if (isnan(d) || isinf(d))
        return pottery_error_set(POTTERY_ERANGE, "pottery_value_from_cjson: a cJSON number is NaN or infinite, "
                                                 "which has no cJSON form (cJSON prints it as null)");
    if (d > MAX_EXACT || d < -MAX_EXACT) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "pottery_value_from_cjson: cJSON number %.17g is an integer beyond +-(2^53 - 1) that cJSON may have "
                 "rounded (give exact integers as cJSON_CreateRaw text)",
                 d);
        return pottery_error_set(POTTERY_ERANGE, msg);
    }
    int64_t i = (int64_t)d;
    if ((double)i != d) return put_value(t, pottery_double(d));
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRId64, i);
    return put(t, digits, (size_t)n);
}

/* Raw text is the caller's JSON: checked by the library's parser, then written as is. */
static int put_raw(text *t, const char *raw)
{
    pottery_value v = POTTERY_VALUE_INIT;
    size_t n = strlen(raw);
    int rc = pottery_value_from_json(&v, raw, n);
    pottery_value_dispose(&v);
    if (rc == POTTERY_EDECODE) {
        char msg[600];
        snprintf(msg, sizeof msg, "pottery_value_from_cjson: raw item is not JSON text: %s",
                 pottery_error_last()->message);
        return pottery_error_set(POTTERY_ETYPE, msg);
    }
    return rc < 0 ? rc : put(t, raw, n);
}

static int put_item(text *t, const cJSON *item, int depth);

static int put_children(text *t, const cJSON *item, int object, int depth)
{
    if (depth >= MAX_DEPTH) {
        char msg[96];
        snprintf(msg, sizeof msg, "pottery_value_from_cjson: nesting deeper than %d levels", MAX_DEPTH);
        return pottery_error_set(POTTERY_ETYPE, msg);
    }
    int rc = put(t, object ? "{" : "[", 1);
    for (const cJSON *c = item->child; c && rc == 0; c = c->next) {
        if (c != item->child) rc = put(t, ", ", 2);
        if (rc == 0 && object) {
            if (!c->string)
                return pottery_error_set(POTTERY_ETYPE, "pottery_value_from_cjson: object member without a key");
            rc = put_value(t, pottery_str(c->string));
            if (rc == 0) rc = put(t, ": ", 2);
        }
        if (rc == 0) rc = put_item(t, c, depth + 1);
    }
    return rc < 0 ? rc : put(t, object ? "}" : "]", 1);
}

static int put_item(text *t, const cJSON *item, int depth)
{
    if (cJSON_IsNull(item)) return put(t, "null", 4);
    if (cJSON_IsTrue(item)) return put(t, "true", 4);
    if (cJSON_IsFalse(item)) return put(t, "false", 5);
    if (cJSON_IsNumber(item)) return put_number(t, item->valuedouble);
    if (cJSON_IsString(item) && item->valuestring) return put_value(t, pottery_str(item->valuestring));
    if (cJSON_IsRaw(item) && item->valuestring) return put_raw(t, item->valuestring);
    if (cJSON_IsArray(item)) return put_children(t, item, 0, depth);
    if (cJSON_IsObject(item)) return put_children(t, item, 1, depth);
    char msg[96];
    snprintf(msg, sizeof msg, "pottery_value_from_cjson: a cJSON item of type %d has no JSON form", item->type);
    return pottery_error_set(POTTERY_ETYPE, msg);
}

int pottery_value_from_cjson(pottery_value *out, const cJSON *item)
{
    if (!out || !item) return pottery_error_set(POTTERY_EINVAL, "pottery_value_from_cjson: invalid argument (NULL)");
    text t = { NULL, 0, 0 };
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = put_item(&t, item, 0);
    if (rc == 0) rc = pottery_value_from_json(&v, t.data, t.len);
    cJSON_free(t.data);
    if (rc < 0) return rc;
    pottery_value_dispose(out);
    *out = v;
    return 0;
}

/* ---- value -> cJSON ---- */

static int range_error(const char *what)
{
    char msg[256];
    snprintf(msg, sizeof msg, "pottery_value_to_cjson: %s", what);
    return pottery_error_set(POTTERY_ERANGE, msg);
}

/* An integer (INT, or beyond int64 as JSON digits) that a cJSON number holds exactly. */
static int integer_item(cJSON **out, const pottery_value *v)
{
    int64_t i;
    char what[160];
    int rc = pottery_value_get_int(&i, v);
    if (rc == POTTERY_ERANGE) {
        char *digits;
        if ((rc = pottery_value_to_json(&digits, NULL, *v)) < 0) return rc;
        snprintf(what, sizeof what,
                 "integer %.60s%s is beyond +-(2^53 - 1), which cJSON numbers (doubles) hold exactly", digits,
                 strlen(digits) > 60 ? "..." : "");
        pottery_free(digits);
        return range_error(what);
    }
    if (rc < 0) return rc;
    if (i > MAX_EXACT_INT || i < -MAX_EXACT_INT) {
        snprintf(what, sizeof what,
                 "integer %" PRId64 " is beyond +-(2^53 - 1), which cJSON numbers (doubles) hold exactly", i);
        return range_error(what);
    }
    *out = cJSON_CreateNumber((double)i);
    return *out ? 0 : oom();
}

static int nul_error(const char *what)
{
    char msg[160];
    snprintf(msg, sizeof msg, "pottery_value_to_cjson: %s with a NUL byte has no cJSON form", what);
    return pottery_error_set(POTTERY_ETYPE, msg);
}

static int string_item(cJSON **out, const pottery_value *v)
{
    const char *s;
    size_t n;
    char *json;
    int rc = pottery_value_get_str(&s, &n, v);
    if (rc < 0) return rc;
    if (memchr(s, '\0', n)) return nul_error("a string");
    if ((rc = pottery_value_to_json(&json, NULL, *v)) < 0) return rc; /* the library's UTF-8 check */
    pottery_free(json);
    char *copy = cJSON_malloc(n + 1); /* a pottery_strn() value need not be NUL-terminated */
    if (!copy) return oom();
    memcpy(copy, s, n);
    copy[n] = '\0';
    *out = cJSON_CreateString(copy);
    cJSON_free(copy);
    return *out ? 0 : oom();
}

static int to_item(cJSON **out, const pottery_value *v);

/* An array or object, element by element. */
static int composite_item(cJSON **out, const pottery_value *v)
{
    int object = pottery_value_is_object(v);
    pottery_value_iter *it;
    int rc = pottery_value_iter_new(&it, v);
    if (rc < 0) return rc;
    cJSON *tree = object ? cJSON_CreateObject() : cJSON_CreateArray();
    pottery_value key = POTTERY_VALUE_INIT, elem = POTTERY_VALUE_INIT;
    rc = tree ? 0 : oom();
    while (rc == 0 && (rc = pottery_value_iter_next(object ? &key : NULL, &elem, it)) == 0) {
        cJSON *child;
        const char *name = NULL;
        size_t name_len = 0;
        if (object) {
            name = pottery_value_str(&key, &name_len);
            if (memchr(name, '\0', name_len)) rc = nul_error("an object key");
        }
        if (rc == 0) rc = to_item(&child, &elem);
        if (rc == 0) {
            cJSON_bool added = object ? cJSON_AddItemToObject(tree, name, child) : cJSON_AddItemToArray(tree, child);
            if (!added) {
                cJSON_Delete(child);
                rc = oom();
            }
        }
    }
    pottery_value_dispose(&key);
    pottery_value_dispose(&elem);
    pottery_value_iter_free(it);
    if (rc != POTTERY_EITEROVER) {
        cJSON_Delete(tree);
        return rc;
    }
    *out = tree;
    return 0;
}

/* Other JSON text (a pottery_json() the caller wrote): normalized by the library first. */
static int json_text_item(cJSON **out, const pottery_value *v)
{
    char *json;
    size_t n;
    int rc = pottery_value_to_json(&json, &n, *v);
    if (rc < 0) return rc;
    pottery_value norm = POTTERY_VALUE_INIT;
    rc = pottery_value_from_json(&norm, json, n);
    pottery_free(json);
    if (rc == 0) rc = pottery_value_type(&norm) == POTTERY_TYPE_JSON ? integer_item(out, &norm) : to_item(out, &norm);
    pottery_value_dispose(&norm);
    return rc;
}

static int to_item(cJSON **out, const pottery_value *v)
{
    double d;
    *out = NULL;
    switch (pottery_value_type(v)) {
    case POTTERY_TYPE_NULL: *out = cJSON_CreateNull(); break;
    case POTTERY_TYPE_BOOL: *out = cJSON_CreateBool(pottery_value_bool(v)); break;
    case POTTERY_TYPE_INT: return integer_item(out, v);
    case POTTERY_TYPE_DOUBLE:
        d = pottery_value_double(v);
        if (isnan(d) || isinf(d))
            return range_error("NaN and +-Infinity have no cJSON form (cJSON prints them as null)");
        *out = cJSON_CreateNumber(d);
        break;
    case POTTERY_TYPE_STRING: return string_item(out, v);
    case POTTERY_TYPE_JSON:
        if (pottery_value_is_array(v) || pottery_value_is_object(v)) return composite_item(out, v);
        return json_text_item(out, v);
    default: return pottery_error_set(POTTERY_EINVAL, "pottery_value_to_cjson: unknown value type");
    }
    return *out ? 0 : oom();
}

int pottery_value_to_cjson(cJSON **out, const pottery_value *v)
{
    if (!out) return pottery_error_set(POTTERY_EINVAL, "pottery_value_to_cjson: invalid argument (out)");
    *out = NULL;
    if (!v) return pottery_error_set(POTTERY_EINVAL, "pottery_value_to_cjson: invalid argument (v)");
    return to_item(out, v);
}
