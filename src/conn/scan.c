/* SCAN / HSCAN / SSCAN / ZSCAN cursors: one batch in memory at a time. */
#include <stdlib.h>
#include <string.h>

#include "conn/client_impl.h"
#include "core/error.h"

int pottery__scan_init(pottery_scan *s, pottery_client *c, const char *verb,
                       const char *key, size_t keylen, long long count)
{
    POTTERY_CHECK_ARG(s);
    memset(s, 0, sizeof *s);
    POTTERY_CHECK_ARG(c);
    POTTERY_CHECK_ARG(verb);
    int keyed;
    if (strcmp(verb, "SCAN") == 0)
        keyed = 0;
    else if (strcmp(verb, "HSCAN") == 0 || strcmp(verb, "SSCAN") == 0 || strcmp(verb, "ZSCAN") == 0)
        keyed = 1;
    else
        return pottery__error(POTTERY_EINVAL, "%s: unknown scan command (use SCAN, HSCAN, SSCAN or ZSCAN)", __func__);
    if (keyed && !key) return pottery__error(POTTERY_EINVAL, "%s: %s needs a key", __func__, verb);
    if (count < 0) return pottery__error(POTTERY_EINVAL, "%s: count must be >= 0", __func__);
    if (keyed) {
        s->key = malloc(keylen + 1);
        if (!s->key) return pottery__error_oom();
        if (keylen) memcpy(s->key, key, keylen);
        s->key[keylen] = '\0';
        s->keylen = keylen;
    }
    s->client = c;
    s->verb = verb;
    s->count = count;
    s->cursor[0] = '0';
    s->cursor[1] = '\0';
    return 0;
}

/* One round trip: the next batch. Replies look like [cursor, [items...]]. */
static int fetch(pottery_scan *s)
{
    pottery_cmd cmd;
    pottery_reply *r = NULL;
    int rc;

    pottery__reply_free(s->batch);
    s->batch = NULL;
    s->pos = 0;

    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, s->verb);
    if (s->key) pottery__cmd_arg(&cmd, s->key, s->keylen);
    pottery__cmd_cstr(&cmd, s->cursor);
    if (s->count > 0) {
        pottery__cmd_arg(&cmd, "COUNT", 5);
        pottery__cmd_int(&cmd, s->count);
    }
    rc = pottery__exec(&r, s->client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc < 0) return rc;

    const pottery_reply *cur = pottery__reply_at(r, 0);
    const pottery_reply *items = pottery__reply_at(r, 1);
    size_t len = 0;
    const char *text = pottery__reply_str(cur, &len);
    if (pottery__reply_count(r) != 2 || pottery__reply_type(cur) != POTTERY_REPLY_STRING ||
        pottery__reply_type(items) != POTTERY_REPLY_ARRAY || len == 0 || len >= sizeof s->cursor) {
        pottery__reply_free(r);
        return pottery__error(POTTERY_EDECODE, "%s: unexpected reply shape", s->verb);
    }
    for (size_t i = 0; i < len; i++)
        if (text[i] < '0' || text[i] > '9') {
            pottery__reply_free(r);
            return pottery__error(POTTERY_EDECODE, "%s: the cursor is not a number", s->verb);
        }
    memcpy(s->cursor, text, len);
    s->cursor[len] = '\0';
    s->started = 1;
    s->finished = len == 1 && text[0] == '0';
    s->batch = r;
    return 0;
}

int pottery__scan_next(pottery_scan *s, const char **item, size_t *len)
{
    int rc;
    POTTERY_CHECK_ARG(s);
    POTTERY_CHECK_ARG(item);
    *item = NULL;
    if (len) *len = 0;
    if (!s->client) return pottery__error(POTTERY_EINVAL, "%s: the scan was not initialised", __func__);
    for (;;) {
        const pottery_reply *items = pottery__reply_at(s->batch, 1);
        if (s->pos < pottery__reply_count(items)) {
            const pottery_reply *it = pottery__reply_at(items, s->pos++);
            size_t n;
            const char *p = pottery__reply_str(it, &n);
            if (!p) return pottery__error(POTTERY_EDECODE, "%s: an item is not a string", s->verb);
            *item = p;
            if (len) *len = n;
            return 0;
        }
        /* The batch is used up (or was empty: a non-zero cursor may come with no items). */
        if (s->finished) {
            pottery__reply_free(s->batch);
            s->batch = NULL;
            return pottery__error(POTTERY_EITEROVER, "%s: no more items", s->verb);
        }
        if ((rc = fetch(s)) < 0) return rc;
    }
}

void pottery__scan_free(pottery_scan *s)
{
    if (!s) return;
    pottery__reply_free(s->batch);
    free(s->key);
    memset(s, 0, sizeof *s);
}
