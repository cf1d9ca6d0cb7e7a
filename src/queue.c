/* pottery_queue: RedisSimpleQueue on a Redis stream (one entry per item, field `item` =
 * JSON(item), automatic IDs). */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn/conn.h"
#include "container.h"
#include "core/error.h"
#include "pottery/queue.h"

struct pottery_queue {
    pottery_container c;
    int max_block_ms;
};

/* Take the oldest entry: read it and delete it in one atomic step, so that of several
 * consumers exactly one gets each entry. Returns { id, { field, value, ... } } or nil. */
static const pottery_script take_script = {
    "queue_take",
    "local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]\n"
    "if not oldest then return false end\n"
    "redis.call('XDEL', KEYS[1], oldest[1])\n"
    "return oldest\n"
};

/* How much of a foreign entry's bytes an error message shows. */
enum { SHOW_BYTES = 80 };

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int pottery_queue_open(pottery_queue **out, pottery_client *client, const char *key,
                       const pottery_queue_options *opts)
{
    static const pottery_queue_options defaults = POTTERY_QUEUE_OPTIONS_INIT;
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (!opts) opts = &defaults;
    if (opts->max_block_ms <= 0)
        return pottery__error(POTTERY_EINVAL, "pottery_queue_open: max_block_ms must be > 0 (got %d)", opts->max_block_ms);

    pottery_queue *q = calloc(1, sizeof *q);
    if (!q) return pottery__error_oom();
    int rc = pottery__container_init(&q->c, client, key);
    if (rc < 0) {
        pottery__container_abandon(&q->c);
        free(q);
        return rc;
    }
    q->max_block_ms = opts->max_block_ms;
    *out = q;
    return 0;
}

void pottery_queue_free(pottery_queue *queue)
{
    if (!queue) return;
    pottery__container_release(&queue->c);
    free(queue);
}

const char *pottery_queue_key(const pottery_queue *queue)
{
    return queue ? queue->c.key : NULL;
}

/* Run an XADD (cmd is freed here); it answers the new entry's ID, copied to id (cap bytes
 * with the NUL, cut if need be) unless id is NULL. */
static int run_xadd(char *id, size_t cap, pottery_queue *q, pottery_cmd *cmd)
{
    pottery_reply *r = NULL;
    const char *text;
    size_t len;
    int rc = pottery__exec(&r, q->c.client, cmd);
    if (rc == 0) rc = pottery__reply_bytes(&text, &len, r, "XADD");
    if (rc == 0 && id) snprintf(id, cap, "%.*s", (int)(len < cap ? len : cap - 1), text);
    pottery__reply_free(r);
    pottery__cmd_free(cmd);
    return rc;
}

/* "XADD key *" on a new command. */
static void begin_xadd(pottery_cmd *cmd, const pottery_queue *q)
{
    pottery__cmd_init(cmd);
    pottery__cmd_cstr(cmd, "XADD");
    pottery__cmd_key(cmd, &q->c);
    pottery__cmd_cstr(cmd, "*");
}

int pottery_queue_put(pottery_queue *queue, pottery_value item)
{
    POTTERY_CHECK_ARG(queue);
    pottery_cmd cmd;
    begin_xadd(&cmd, queue);
    pottery__cmd_cstr(&cmd, "item");
    pottery__cmd_value(&cmd, &item);
    return run_xadd(NULL, 0, queue, &cmd);
}

int pottery_queue_put_nowait(pottery_queue *queue, pottery_value item)
{
    return pottery_queue_put(queue, item);
}

/* Render up to SHOW_BYTES bytes for a message: printable ASCII as is, the rest as \xNN. */
static void show_bytes(char *dst, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && i < SHOW_BYTES && o + 5 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\')
            dst[o++] = (char)ch;
        else
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", ch);
    }
    if (len > SHOW_BYTES && o + 4 < cap) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o] = '\0';
}

/* A stream entry as the server sends it: a string ID and { field, value, ... } of strings.
 * *item gets the value of the field `item` (the last one, should there be several, as
 * Python reads it), NULL if there is none. */
static int read_entry(const pottery_reply **item, const pottery_reply *id, const pottery_reply *fields,
                      const char *what)
{
    size_t n = 0;
    *item = NULL;
    int rc = pottery__reply_expect(id, POTTERY_REPLY_STRING, what);
    if (rc == 0) rc = pottery__reply_array(&n, fields, what);
    if (rc == 0 && n % 2)
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: a stream entry with an odd number (%zu) of fields and values",
                            what, n);
    for (size_t i = 0; rc == 0 && i < n; i += 2) {
        const char *name;
        size_t len;
        rc = pottery__reply_bytes(&name, &len, pottery__reply_at(fields, i), what);
        if (rc == 0) rc = pottery__reply_expect(pottery__reply_at(fields, i + 1), POTTERY_REPLY_STRING, what);
        if (rc == 0 && len == 4 && memcmp(name, "item", 4) == 0) *item = pottery__reply_at(fields, i + 1);
    }
    return rc;
}

/* Decode a taken entry { id, { field, value, ... } } into *out (untouched on failure). The
 * entry is already gone from Redis: a foreign one is reported with its ID and bytes. */
static int decode_entry(pottery_value *out, const pottery_queue *q, const pottery_reply *entry)
{
    const pottery_reply *id = pottery__reply_at(entry, 0);
    const pottery_reply *fields = pottery__reply_at(entry, 1);
    size_t idlen = 0;
    const char *idtext = pottery__reply_str(id, &idlen);
    if (pottery__reply_type(entry) != POTTERY_REPLY_ARRAY || pottery__reply_type(id) != POTTERY_REPLY_STRING ||
        pottery__reply_type(fields) != POTTERY_REPLY_ARRAY)
        return pottery__error(POTTERY_EREDIS, "queue '%s': unexpected reply to the take script", q->c.key);
    if (idlen > 64) idlen = 64;

    /* Python reads the field named `item` (the last one, should there be several). */
    const pottery_reply *item = NULL;
    size_t n = pottery__reply_count(fields);
    for (size_t i = 0; i + 1 < n; i += 2) {
        size_t len;
        const char *name = pottery__reply_str(pottery__reply_at(fields, i), &len);
        if (name && len == 4 && memcmp(name, "item", 4) == 0) item = pottery__reply_at(fields, i + 1);
    }
    char shown[4 * SHOW_BYTES + 8];
    if (!item) {
        size_t len = 0;
        const char *name = pottery__reply_str(pottery__reply_at(fields, 0), &len);
        show_bytes(shown, sizeof shown, name ? name : "", len);
        return pottery__error(POTTERY_EDECODE,
                              "queue '%s': stream entry %.*s has no 'item' field (first field: '%s'); "
                              "the entry was removed from the queue",
                              q->c.key, (int)idlen, idtext, shown);
    }
    int rc = pottery__reply_to_value(out, item);
    if (rc == POTTERY_EDECODE) {
        size_t len = 0;
        const char *bytes = pottery__reply_str(item, &len);
        show_bytes(shown, sizeof shown, bytes ? bytes : "", len);
        return pottery__error(POTTERY_EDECODE,
                              "queue '%s': stream entry %.*s: the item is not JSON: '%s'; "
                              "the entry was removed from the queue",
                              q->c.key, (int)idlen, idtext, shown);
    }
    return rc;
}

/* One atomic take: 1 with *out set, 0 if the queue is empty, or an error. */
static int take(pottery_value *out, pottery_queue *q)
{
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &q->c);
    pottery_reply *r = NULL;
    int rc = pottery__eval(&r, q->c.client, &take_script, 1, &args);
    pottery__cmd_free(&args);
    if (rc < 0) return rc;
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) {
        pottery__reply_free(r);
        return 0;
    }
    rc = decode_entry(out, q, r);
    pottery__reply_free(r);
    return rc < 0 ? rc : 1;
}

/* XREAD's answer: nil (the wait timed out) or { { key, { { id, { field, value, ... } } } } }
 * with at most one entry (COUNT 1). */
static int check_xread(const pottery_reply *r)
{
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) return 0;
    const pottery_reply *stream = pottery__reply_at(r, 0), *entries = pottery__reply_at(stream, 1), *item;
    size_t n = 0;
    int rc = pottery__reply_array_n(r, 1, "XREAD");
    if (rc == 0) rc = pottery__reply_array_n(stream, 2, "XREAD");
    if (rc == 0) rc = pottery__reply_expect(pottery__reply_at(stream, 0), POTTERY_REPLY_STRING, "XREAD");
    if (rc == 0) rc = pottery__reply_array(&n, entries, "XREAD");
    if (rc == 0 && n > 1) rc = pottery__error(POTTERY_EPROTOCOL, "XREAD: %zu entries for COUNT 1", n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const pottery_reply *entry = pottery__reply_at(entries, i);
        rc = pottery__reply_array_n(entry, 2, "XREAD");
        if (rc == 0) rc = read_entry(&item, pottery__reply_at(entry, 0), pottery__reply_at(entry, 1), "XREAD");
    }
    return rc;
}

/* Block on the server until the stream has an entry or wait_ms (> 0) elapsed. XREAD from
 * ID 0-0 answers at once when any entry exists, so an item put between the failed take and
 * this call is not missed. The socket gets wait_ms more than the client's own timeout. */
static int wait_for_entry(pottery_queue *q, int wait_ms)
{
    int grace = pottery__client_command_timeout(q->c.client);
    int socket_ms = 0; /* the client has no timeout: neither has this wait */
    if (grace > 0) socket_ms = grace > INT_MAX - wait_ms ? INT_MAX : grace + wait_ms;
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "XREAD");
    pottery__cmd_cstr(&cmd, "COUNT");
    pottery__cmd_cstr(&cmd, "1");
    pottery__cmd_cstr(&cmd, "BLOCK");
    pottery__cmd_int(&cmd, wait_ms);
    pottery__cmd_cstr(&cmd, "STREAMS");
    pottery__cmd_key(&cmd, &q->c);
    pottery__cmd_cstr(&cmd, "0-0");
    pottery_reply *r = NULL;
    int rc = pottery__exec_timeout(&r, q->c.client, &cmd, socket_ms);
    if (rc == 0) rc = check_xread(r);
    pottery__reply_free(r);
    pottery__cmd_free(&cmd);
    return rc;
}

static int queue_empty_error(const pottery_queue *q)
{
    return pottery__error(POTTERY_EEMPTY, "QueueEmptyError: queue '%s' is empty", q->c.key);
}

int pottery_queue_get(pottery_value *out, pottery_queue *queue, int block, int64_t timeout_ms)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(queue);
    int timed = 0;
    int64_t deadline = 0;
    if (block && timeout_ms != POTTERY_QUEUE_FOREVER) {
        if (timeout_ms < 0) return pottery__error(POTTERY_EINVAL, "ValueError: 'timeout' must be a non-negative number");
        int64_t start = now_ns();
        /* A timeout past the clock's range (about 292 years from boot) is no timeout. */
        if (timeout_ms <= (INT64_MAX - start) / 1000000) {
            timed = 1;
            deadline = start + timeout_ms * 1000000;
        }
    }
    for (;;) {
        int rc = take(out, queue);
        if (rc != 0) return rc < 0 ? rc : 0;
        if (!block) return queue_empty_error(queue);
        int wait_ms = queue->max_block_ms;
        if (timed) {
            int64_t left_ns = deadline - now_ns();
            if (left_ns <= 0) return queue_empty_error(queue);
            int64_t left_ms = (left_ns + 999999) / 1000000; /* round up: never give up early */
            if (left_ms < wait_ms) wait_ms = (int)left_ms;
        }
        if ((rc = wait_for_entry(queue, wait_ms)) < 0) return rc;
    }
}

int pottery_queue_get_nowait(pottery_value *out, pottery_queue *queue)
{
    return pottery_queue_get(out, queue, 0, 0);
}

int pottery_queue_qsize(int64_t *out, pottery_queue *queue)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(queue);
    return pottery__container_count(out, &queue->c, "XLEN");
}

int pottery_queue_empty(int *out, pottery_queue *queue)
{
    POTTERY_CHECK_ARG(out);
    int64_t n = 0;
    int rc = pottery_queue_qsize(&n, queue);
    if (rc == 0) *out = n == 0;
    return rc;
}

int pottery_queue_clear(pottery_queue *queue)
{
    POTTERY_CHECK_ARG(queue);
    return pottery__container_clear(&queue->c);
}
