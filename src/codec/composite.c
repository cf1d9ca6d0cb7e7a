/*
 * Reading arrays and objects: the elements and members of composite values, through the
 * codec's own parser. Objects come out of the parser sorted by key with duplicates
 * collapsed, so member lookup is a binary search and iteration is canonical order.
 */
#include <inttypes.h>
#include <string.h>

#include "core/alloc.h"
#include "codec/codec.h"
#include "core/error.h"

struct pottery_value_iter {
    pottery_json_node *tree; /* the parsed array or object */
    size_t next;             /* index of the next element or member */
};

static const char *kind_name(pottery_json_kind kind)
{
    switch (kind) {
    case POTTERY_JSON_NULL: return "None";
    case POTTERY_JSON_FALSE:
    case POTTERY_JSON_TRUE: return "a bool";
    case POTTERY_JSON_INT: return "an int";
    case POTTERY_JSON_FLOAT: return "a float";
    case POTTERY_JSON_STRING: return "a str";
    case POTTERY_JSON_ARRAY: return "a list";
    case POTTERY_JSON_OBJECT: return "a dict";
    }
    return "JSON text";
}

/* Parse v, which must be an array (want_array), an object (want_object), or either. */
static int parse_composite(pottery_json_node **out, const pottery_value *v, int want_array, int want_object,
                           const char *fn)
{
    const char *want = want_array ? (want_object ? "a list or dict" : "a list") : "a dict";
    *out = NULL;
    if (v->type != POTTERY_TYPE_JSON)
        return pottery__error(POTTERY_ETYPE, "%s: value is %s, not %s", fn, pottery__value_type_name(v), want);
    pottery_json_node *n;
    int rc = pottery__value_to_node(&n, v);
    if (rc < 0) return rc;
    if ((n->kind == POTTERY_JSON_ARRAY && want_array) || (n->kind == POTTERY_JSON_OBJECT && want_object)) {
        *out = n;
        return 0;
    }
    pottery_json_kind kind = n->kind;
    pottery__json_free(n);
    return pottery__error(POTTERY_ETYPE, "%s: value is %s, not %s", fn, kind_name(kind), want);
}

/* Replace *out with an owned copy of node n (*out untouched on failure). */
static int element(pottery_value *out, const pottery_json_node *n)
{
    pottery_value tmp;
    int rc = pottery__value_from_node(&tmp, n);
    if (rc < 0) return rc;
    pottery_value_dispose(out);
    *out = tmp;
    return 0;
}

int pottery_value_len(int64_t *out, const pottery_value *v)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(v);
    pottery_json_node *n;
    int rc = parse_composite(&n, v, 1, 1, __func__);
    if (rc < 0) return rc;
    *out = (int64_t)n->count;
    pottery__json_free(n);
    return 0;
}

int pottery_value_at(pottery_value *out, const pottery_value *v, int64_t index)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(v);
    pottery_json_node *n;
    int rc = parse_composite(&n, v, 1, 0, __func__);
    if (rc < 0) return rc;
    /* Python: a negative index counts from the end; back = -index without overflow at INT64_MIN. */
    uint64_t count = n->count, back = index < 0 ? (uint64_t)(-(index + 1)) + 1u : 0;
    uint64_t at = index < 0 ? count - back : (uint64_t)index;
    if (index < 0 ? back > count : at >= count)
        rc = pottery__error(POTTERY_EINDEX, "%s: list index %" PRId64 " out of range (length %zu)", __func__, index,
                            n->count);
    else
        rc = element(out, n->items[at]);
    pottery__json_free(n);
    return rc;
}

/* Byte order, the shorter first: the order the parser sorts object keys in. */
static int compare_key(const char *a, size_t a_len, const pottery_json_node *key)
{
    size_t n = a_len < key->len ? a_len : key->len;
    int c = n ? memcmp(a, key->text, n) : 0;
    if (c) return c;
    return a_len < key->len ? -1 : a_len > key->len;
}

int pottery_value_membern(pottery_value *out, const pottery_value *v, const char *key, size_t key_len)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(v);
    POTTERY_CHECK_ARG(key);
    pottery_json_node *n;
    int rc = parse_composite(&n, v, 0, 1, __func__);
    if (rc < 0) return rc;
    size_t lo = 0, hi = n->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_key(key, key_len, n->keys[mid]);
        if (c == 0) {
            rc = element(out, n->items[mid]);
            pottery__json_free(n);
            return rc;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    pottery__json_free(n);
    return pottery__error(POTTERY_ENOTFOUND, "pottery_value_member: key '%.*s%s' not found (KeyError)",
                          (int)(key_len > 60 ? 60 : key_len), key, key_len > 60 ? "..." : "");
}

int pottery_value_member(pottery_value *out, const pottery_value *v, const char *key)
{
    POTTERY_CHECK_ARG(key);
    return pottery_value_membern(out, v, key, strlen(key));
}

int pottery_value_iter_new(pottery_value_iter **out, const pottery_value *v)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(v);
    pottery_value_iter *it = pottery__calloc(1, sizeof *it);
    if (!it) return pottery__error_oom();
    int rc = parse_composite(&it->tree, v, 1, 1, __func__);
    if (rc < 0) {
        pottery__free(it);
        return rc;
    }
    *out = it;
    return 0;
}

int pottery_value_iter_next(pottery_value *key, pottery_value *value, pottery_value_iter *it)
{
    POTTERY_CHECK_ARG(it);
    if (it->next >= it->tree->count) return pottery__error(POTTERY_EITEROVER, "pottery_value_iter_next: no more items");
    pottery_value k = pottery_int((int64_t)it->next), e = POTTERY_VALUE_INIT;
    int rc = 0;
    if (key && it->tree->kind == POTTERY_JSON_OBJECT) rc = pottery__value_from_node(&k, it->tree->keys[it->next]);
    if (rc == 0 && value) rc = pottery__value_from_node(&e, it->tree->items[it->next]);
    if (rc < 0) {
        pottery_value_dispose(&k);
        return rc;
    }
    if (key) {
        pottery_value_dispose(key);
        *key = k;
    }
    if (value) {
        pottery_value_dispose(value);
        *value = e;
    }
    it->next++;
    return 0;
}

void pottery_value_iter_free(pottery_value_iter *it)
{
    if (!it) return;
    pottery__json_free(it->tree);
    pottery__free(it);
}
