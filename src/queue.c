/* pottery_queue: RedisSimpleQueue on a Redis stream (one entry per item, field `item` =
 * JSON(item), automatic IDs). */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conn/conn.h"
#include "container.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"
#include "pottery/queue.h"

struct pottery_queue {
    pottery_container c;  /* first: the shared open/close skeleton allocates the handle */
    int64_t max_block_ms; /* > 0, or POTTERY_FOREVER */
};

/* How much of a foreign entry's bytes an error message shows; how many times a get tries
 * to claim an entry the script left to it while other consumers keep taking it first
 * (each time one of them made progress: only a misbehaving server gets near it). */
enum { SHOW_BYTES = 80, CLAIM_TRIES = 1000 };

/* The longest XREAD BLOCK a wait sends (about 24 days): a get that waits longer loops. A
 * BLOCK near INT64_MAX overflows the server's clock (refused, or mistimed, depending on the
 * Redis version). */
#define MAX_SLICE_MS ((int64_t)INT32_MAX)

/* Finish a handle that pottery__container_open made: ctx is the checked options. */
static int set_options(pottery_container *c, const void *ctx)
{
    const pottery_queue_options *opts = ctx;
    ((pottery_queue *)c)->max_block_ms = opts->max_block_ms;
    return 0;
}

int pottery_queue_open(pottery_queue **out, pottery_client *client, const char *key, const pottery_queue_options *opts)
{
    static const pottery_queue_options defaults = POTTERY_QUEUE_OPTIONS_INIT;
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (!opts) opts = &defaults;
    int rc = pottery__options_check(opts->version, POTTERY_QUEUE_OPTIONS_VERSION, __func__);
    if (rc < 0) return rc;
    if (opts->max_block_ms <= 0 && opts->max_block_ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL,
                              "pottery_queue_open: max_block_ms must be > 0 or POTTERY_FOREVER (got %" PRId64 ")",
                              opts->max_block_ms);
    pottery_container *c;
    rc = pottery__container_open(&c, sizeof(pottery_queue), client, key, set_options, opts);
    if (rc == 0) *out = (pottery_queue *)c;
    return rc;
}

void pottery_queue_free(pottery_queue *queue)
{
    if (queue) pottery__container_close(&queue->c);
}

const char *pottery_queue_key(const pottery_queue *queue)
{
    return queue ? queue->c.key : NULL;
}

pottery_client *pottery_queue_client(const pottery_queue *queue)
{
    return queue ? queue->c.client : NULL;
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
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: a stream entry with an odd number (%zu) of fields and values", what,
                            n);
    for (size_t i = 0; rc == 0 && i < n; i += 2) {
        const char *name;
        size_t len;
        rc = pottery__reply_bytes(&name, &len, pottery__reply_at(fields, i), what);
        if (rc == 0) rc = pottery__reply_expect(pottery__reply_at(fields, i + 1), POTTERY_REPLY_STRING, what);
        if (rc == 0 && len == 4 && memcmp(name, "item", 4) == 0) *item = pottery__reply_at(fields, i + 1);
    }
    return rc;
}

/* Report an entry whose item the client cannot decode (rc; its message is set unless the
 * entry has no item). The script left it where it was, unless (taken) it judged the item
 * JSON and removed it, which only running out of memory here can make happen: then it is
 * put back at the tail, the only place a stream takes an entry again. */
static int undecodable(pottery_queue *q, int rc, const pottery_reply *id, const pottery_reply *fields,
                       const pottery_reply *item, int taken)
{
    char why[POTTERY_ERROR_MESSAGE_MAX] = "", shown[4 * SHOW_BYTES + 8], fate[POTTERY_ERROR_MESSAGE_MAX];
    size_t idlen, len;
    const char *idtext = pottery__reply_str(id, &idlen), *bytes;
    if (idlen > 64) idlen = 64;
    if (item) {
        snprintf(why, sizeof why, "%s", pottery_error_last()->message);
        bytes = pottery__reply_str(item, &len);
    } else {
        bytes = pottery__reply_str(pottery__reply_at(fields, 0), &len);
    }
    show_bytes(shown, sizeof shown, bytes ? bytes : "", bytes ? len : 0);
    if (!taken) {
        snprintf(fate, sizeof fate, "was left in the queue");
    } else {
        pottery_cmd cmd;
        char newid[65];
        begin_xadd(&cmd, q);
        for (size_t i = 0; i < pottery__reply_count(fields); i++) {
            bytes = pottery__reply_str(pottery__reply_at(fields, i), &len);
            pottery__cmd_arg(&cmd, bytes, len);
        }
        if (run_xadd(newid, sizeof newid, q, &cmd) == 0)
            snprintf(fate, sizeof fate, "was taken and put back at the tail as %s", newid);
        else
            snprintf(fate, sizeof fate, "was taken and is lost (putting it back failed: %s)",
                     pottery_error_last()->message);
    }
    if (!item)
        return pottery__error(POTTERY_EDECODE,
                              "queue '%s': stream entry %.*s %s: it has no 'item' field (first field: '%s')", q->c.key,
                              (int)idlen, idtext, fate, shown);
    return pottery__error(rc, "queue '%s': stream entry %.*s %s: its item could not be decoded (%s): '%s'", q->c.key,
                          (int)idlen, idtext, fate, why, shown);
}

/* XDEL key id: *deleted 1, or 0 if the entry was already gone. */
static int xdel(long long *deleted, pottery_queue *q, const pottery_reply *id)
{
    size_t len;
    const char *text = pottery__reply_str(id, &len);
    pottery_reply *r = NULL;
    int rc = pottery__container_command_bytes(&r, &q->c, "XDEL", text, len);
    if (rc == 0) rc = pottery__reply_int_in(deleted, r, 0, 1, "XDEL");
    pottery__reply_free(r);
    return rc;
}

/* Decode the entry in the take script's reply into *out (untouched on failure). An entry
 * the script left in the stream is claimed here with XDEL once its item decodes; *raced is
 * set if another consumer took it meanwhile. */
static int claim(pottery_value *out, int *raced, pottery_queue *q, const pottery_reply *r)
{
    const char *what = pottery__lua_queue_take.name;
    const pottery_reply *id = pottery__reply_at(r, 0), *fields = pottery__reply_at(r, 1), *item = NULL;
    long long taken = 0;
    int rc = pottery__reply_array_n(r, 3, what);
    if (rc == 0) rc = read_entry(&item, id, fields, what);
    if (rc == 0) rc = pottery__reply_int_in(&taken, pottery__reply_at(r, 2), 0, 1, what);
    if (rc == 0 && taken && !item)
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: removed an entry without an 'item' field", what);
    if (rc < 0) return rc;
    pottery_value tmp = POTTERY_VALUE_INIT;
    rc = item ? pottery__reply_decode(&tmp, item) : POTTERY_EDECODE;
    if (rc < 0) {
        pottery_value_dispose(&tmp);
        return undecodable(q, rc, id, fields, item, (int)taken);
    }
    if (!taken) {
        long long deleted = 0;
        rc = xdel(&deleted, q, id);
        if (rc < 0 || !deleted) {
            *raced = rc == 0;
            pottery_value_dispose(&tmp);
            return rc;
        }
    }
    pottery_value_dispose(out);
    *out = tmp;
    return 0;
}

/* One atomic take: 1 with *out set, 0 if the queue is empty, or an error. */
static int take(pottery_value *out, pottery_queue *q)
{
    int raced = 0;
    for (int tries = 0; tries < CLAIM_TRIES; tries++) {
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_key(&args, &q->c);
        pottery_reply *r = NULL;
        int rc = pottery__eval(&r, q->c.client, &pottery__lua_queue_take, 1, &args);
        pottery__cmd_free(&args);
        if (rc < 0) return rc;
        if (pottery__reply_type(r) == POTTERY_REPLY_NIL) {
            pottery__reply_free(r);
            return 0;
        }
        raced = 0;
        rc = claim(out, &raced, q, r);
        pottery__reply_free(r);
        if (rc < 0) return rc;
        if (!raced) return 1;
    }
    return pottery__error(POTTERY_ECONFLICT,
                          "queue '%s': other consumers took the oldest entry first %d times in a row", q->c.key,
                          CLAIM_TRIES);
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

/* Block on the server until the stream has an entry or wait_ms elapsed (wait_ms from 1 to
 * MAX_SLICE_MS, or POTTERY_FOREVER: BLOCK 0, no limit). XREAD from ID 0-0 answers at once
 * when any entry exists, so an item put between the failed take and this call is not
 * missed. The socket gets wait_ms more than the client's own timeout. */
static int wait_for_entry(pottery_queue *q, int64_t wait_ms)
{
    int64_t grace = pottery__client_command_timeout(q->c.client);
    int64_t socket_ms = POTTERY_FOREVER; /* the client or the wait has no limit: neither has the socket */
    if (grace != POTTERY_FOREVER && wait_ms != POTTERY_FOREVER)
        socket_ms = grace > INT64_MAX - wait_ms ? INT64_MAX : grace + wait_ms;
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "XREAD");
    pottery__cmd_cstr(&cmd, "COUNT");
    pottery__cmd_cstr(&cmd, "1");
    pottery__cmd_cstr(&cmd, "BLOCK");
    pottery__cmd_int(&cmd, wait_ms == POTTERY_FOREVER ? 0 : wait_ms);
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
    if (timeout_ms < 0 && timeout_ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL,
                              "ValueError: 'timeout' must be a non-negative number (got %" PRId64
                              " ms; POTTERY_FOREVER waits without limit)",
                              timeout_ms);
    if (timeout_ms == 0) block = 0; /* Python's get(timeout=0): do not wait */
    int timed = 0;
    int64_t deadline = 0;
    if (block && timeout_ms != POTTERY_FOREVER) {
        int64_t start = pottery__monotonic_ns();
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
        int64_t wait_ms = queue->max_block_ms;
        if (timed) {
            int64_t left_ns = deadline - pottery__monotonic_ns();
            if (left_ns <= 0) return queue_empty_error(queue);
            int64_t left_ms = (left_ns + 999999) / 1000000; /* round up: never give up early */
            if (wait_ms == POTTERY_FOREVER || left_ms < wait_ms) wait_ms = left_ms;
        }
        if (wait_ms > MAX_SLICE_MS) wait_ms = MAX_SLICE_MS;
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
