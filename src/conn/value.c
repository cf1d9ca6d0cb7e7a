/* The two places where the connection layer meets the codec: encoding a value as a command
 * argument and decoding a reply. Kept apart so that the rest of the layer links alone. */
#include "codec/codec.h"
#include "conn/client_impl.h"
#include "core/error.h"

int pottery__cmd_value(pottery_cmd *c, const pottery_value *v)
{
    POTTERY_CHECK_ARG(c);
    if (c->err) return c->err;
    if (!v) {
        c->err = pottery__error(POTTERY_EINVAL, "value is NULL");
        return c->err;
    }
    size_t off = c->arena.len;
    int rc = pottery__encode(&c->arena, v);
    if (rc < 0) {
        c->arena.len = off; /* drop a partial encoding */
        if (c->arena.data) c->arena.data[off] = '\0';
        c->err = rc;
        return rc;
    }
    return pottery__cmd_push_arena(c, off, c->arena.len - off);
}

int pottery__reply_decode(pottery_value *out, const pottery_reply *r)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(r);
    size_t len;
    const char *s;
    int rc = pottery__reply_bytes(&s, &len, r, "reading a JSON value");
    if (rc < 0) return rc;
    return pottery__decode(out, s, len);
}
