/* SCAN / HSCAN / SSCAN / ZSCAN cursors: one batch in memory at a time. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "conn/client_impl.h"
#include "core/error.h"

int pottery__scan_init(pottery_scan *s, pottery_client *c, const char *verb, const char *key, size_t keylen,
                       long long count)
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
        s->key = pottery__malloc(keylen + 1);
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

    /* [cursor, [items...]]: the cursor a bulk string of digits, each item a bulk string */
    const pottery_reply *cur = pottery__reply_at(r, 0);
    const pottery_reply *items = pottery__reply_at(r, 1);
    size_t len = 0, count = 0;
    const char *text = "";
    rc = pottery__reply_array_n(r, 2, s->verb);
    if (rc == 0) rc = pottery__reply_bytes(&text, &len, cur, s->verb);
    if (rc == 0) rc = pottery__reply_array(&count, items, s->verb);
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = pottery__reply_expect(pottery__reply_at(items, i), POTTERY_REPLY_STRING, s->verb);
    if (rc == 0 && (len == 0 || len >= sizeof s->cursor))
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: the cursor is not a number", s->verb);
    for (size_t i = 0; rc == 0 && i < len; i++)
        if (text[i] < '0' || text[i] > '9')
            rc = pottery__error(POTTERY_EPROTOCOL, "%s: the cursor is not a number", s->verb);
    if (rc < 0) {
        pottery__reply_free(r);
        return rc;
    }
    memcpy(s->cursor, text, len);
    s->cursor[len] = '\0';
    s->started = 1;
    s->finished = len == 1 && text[0] == '0';
    s->batch = r;
    return 0;
}

/* Redis may answer a non-zero cursor with no items (it visits at most COUNT*10 empty
 * buckets per call), but never this many times in a row on a table it keeps at least 10%
 * full: a peer that does is looping, even one fast enough to beat the deadline. */
#define MAX_EMPTY_BATCHES 100000

int pottery__scan_next(pottery_scan *s, const char **item, size_t *len)
{
    POTTERY_CHECK_ARG(s);
    POTTERY_CHECK_ARG(item);
    *item = NULL;
    if (len) *len = 0;
    if (!s->client) return pottery__error(POTTERY_EINVAL, "%s: the scan was not initialised", __func__);
    const pottery_reply *items = pottery__reply_at(s->batch, 1);
    if (s->pos < pottery__reply_count(items)) {
        /* Every item's type was checked when the batch arrived. */
        *item = pottery__reply_str(pottery__reply_at(items, s->pos++), len);
        return 0;
    }
    /* One call, however many batches it takes to find an item: the command timeout bounds
     * the whole of it. */
    int rc = 0;
    pottery__call_begin(s->client);
    for (long empty = 0; rc == 0; empty++) {
        if (s->finished) {
            pottery__reply_free(s->batch);
            s->batch = NULL;
            rc = pottery__error(POTTERY_EITEROVER, "%s: no more items", s->verb);
        } else if (empty == MAX_EMPTY_BATCHES) {
            rc = pottery__error(POTTERY_EPROTOCOL, "%s: %d batches in a row came back empty with a non-zero cursor",
                                s->verb, MAX_EMPTY_BATCHES);
        } else if ((rc = fetch(s)) == 0) {
            items = pottery__reply_at(s->batch, 1);
            if (pottery__reply_count(items) > 0) {
                *item = pottery__reply_str(pottery__reply_at(items, s->pos++), len);
                break;
            }
        }
    }
    pottery__call_end(s->client);
    return rc;
}

void pottery__scan_unread(pottery_scan *s, size_t n)
{
    s->pos = n < s->pos ? s->pos - n : 0;
}

void pottery__scan_free(pottery_scan *s)
{
    if (!s) return;
    pottery__reply_free(s->batch);
    pottery__free(s->key);
    memset(s, 0, sizeof *s);
}
