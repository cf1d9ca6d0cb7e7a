/* Accessors over hiredis replies, so that no container sees a redisReply field. */
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
