/* Accessors over hiredis replies, so that no container sees a redisReply field. */
#include <stdio.h>
#include <string.h>

#include "conn/client_impl.h"
#include "conn/hiredis_compat.h"
#include "core/error.h"

pottery_reply_type pottery__reply_type(const pottery_reply *r)
{
    return r ? compat_reply_type(r->type) : POTTERY_REPLY_OTHER;
}

const char *pottery__reply_str(const pottery_reply *r, size_t *len)
{
    pottery_reply_type t = pottery__reply_type(r);
    if (t == POTTERY_REPLY_STRING || t == POTTERY_REPLY_STATUS || t == POTTERY_REPLY_ERROR) {
        if (len) *len = r->len;
        return r->str ? r->str : "";
    }
    if (len) *len = 0;
    return NULL;
}

long long pottery__reply_integer(const pottery_reply *r)
{
    return pottery__reply_type(r) == POTTERY_REPLY_INTEGER ? r->integer : 0;
}

size_t pottery__reply_count(const pottery_reply *r)
{
    return pottery__reply_type(r) == POTTERY_REPLY_ARRAY ? r->elements : 0;
}

const pottery_reply *pottery__reply_at(const pottery_reply *r, size_t i)
{
    return i < pottery__reply_count(r) ? r->element[i] : NULL;
}

void pottery__reply_free(pottery_reply *r)
{
    if (r) freeReplyObject(r);
}

int pottery__reply_deliver(pottery_reply **out, pottery_reply *r)
{
    int rc = pottery__reply_check(r);
    if (rc < 0 || !out) pottery__reply_free(r);
    else *out = r;
    return rc;
}

int pottery__reply_check(const pottery_reply *r)
{
    if (pottery__reply_type(r) != POTTERY_REPLY_ERROR) return 0;
    size_t len;
    const char *s = pottery__reply_str(r, &len);
    if (len > 100000) len = 100000;
    return pottery__error(POTTERY_EREDIS, "%.*s", (int)len, s);
}

const char *pottery__reply_type_name(pottery_reply_type t)
{
    switch (t) {
    case POTTERY_REPLY_STRING: return "a bulk string";
    case POTTERY_REPLY_ARRAY: return "an array";
    case POTTERY_REPLY_INTEGER: return "an integer";
    case POTTERY_REPLY_NIL: return "nil";
    case POTTERY_REPLY_STATUS: return "a status reply";
    case POTTERY_REPLY_ERROR: return "an error reply";
    default: return "no reply of a known type";
    }
}

int pottery__reply_unexpected(const pottery_reply *r, const char *what, const char *expected)
{
    pottery_reply_type t = pottery__reply_type(r);
    if (t == POTTERY_REPLY_ERROR) return pottery__reply_check(r);
    if (t == POTTERY_REPLY_STATUS || t == POTTERY_REPLY_STRING) {
        size_t len;
        const char *s = pottery__reply_str(r, &len);
        return pottery__error(POTTERY_EPROTOCOL, "%s: expected %s, got %s (%zu bytes: \"%.*s%s\")", what, expected,
                              pottery__reply_type_name(t), len, len > 40 ? 40 : (int)len, s, len > 40 ? "..." : "");
    }
    if (t == POTTERY_REPLY_INTEGER)
        return pottery__error(POTTERY_EPROTOCOL, "%s: expected %s, got an integer (%lld)", what, expected, r->integer);
    if (t == POTTERY_REPLY_ARRAY)
        return pottery__error(POTTERY_EPROTOCOL, "%s: expected %s, got an array of %zu", what, expected,
                              (size_t)r->elements);
    return pottery__error(POTTERY_EPROTOCOL, "%s: expected %s, got %s", what, expected, pottery__reply_type_name(t));
}

int pottery__reply_expect(const pottery_reply *r, pottery_reply_type t, const char *what)
{
    if (pottery__reply_type(r) == t) return 0;
    return pottery__reply_unexpected(r, what, pottery__reply_type_name(t));
}

int pottery__reply_int(long long *out, const pottery_reply *r, const char *what)
{
    int rc = pottery__reply_expect(r, POTTERY_REPLY_INTEGER, what);
    if (rc == 0) *out = r->integer;
    return rc;
}

int pottery__reply_int_in(long long *out, const pottery_reply *r, long long lo, long long hi, const char *what)
{
    long long v;
    int rc = pottery__reply_int(&v, r, what);
    if (rc < 0) return rc;
    if (v < lo || v > hi)
        return pottery__error(POTTERY_EPROTOCOL, "%s: expected an integer from %lld to %lld, got %lld", what, lo, hi, v);
    *out = v;
    return 0;
}

int pottery__reply_bytes(const char **s, size_t *len, const pottery_reply *r, const char *what)
{
    int rc = pottery__reply_expect(r, POTTERY_REPLY_STRING, what);
    if (rc < 0) return rc;
    *s = pottery__reply_str(r, len);
    return 0;
}

int pottery__reply_array(size_t *count, const pottery_reply *r, const char *what)
{
    int rc = pottery__reply_expect(r, POTTERY_REPLY_ARRAY, what);
    if (rc == 0 && count) *count = pottery__reply_count(r);
    return rc;
}

int pottery__reply_array_n(const pottery_reply *r, size_t n, const char *what)
{
    size_t count;
    int rc = pottery__reply_array(&count, r, what);
    if (rc == 0 && count != n)
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: expected an array of %zu, got one of %zu", what, n, count);
    return rc;
}

int pottery__reply_status(const pottery_reply *r, const char *status, const char *what)
{
    size_t len, want = strlen(status);
    if (pottery__reply_type(r) == POTTERY_REPLY_STATUS) {
        const char *s = pottery__reply_str(r, &len);
        if (len == want && memcmp(s, status, len) == 0) return 0;
    }
    char expected[64];
    snprintf(expected, sizeof expected, "+%s", status);
    return pottery__reply_unexpected(r, what, expected);
}
