/* pottery_rqueue: a reliable queue on a Redis stream and a consumer group (XREADGROUP,
 * XAUTOCLAIM, XACK): at-least-once delivery, visibility timeout, dead letters. */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "container.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/options.h"
#include "core/random.h"
#include "lua_scripts.h"
#include "pottery/rqueue.h"

struct pottery_rqueue {
    pottery_container c; /* first: the shared open/close skeleton allocates the handle */
    char *dead;          /* the dead-letter stream's key (owned) */
    char *group;         /* owned */
    char *consumer;      /* owned */
    int64_t visibility_ms, max_deliveries, max_block_ms;
};

/* The longest XREADGROUP BLOCK a wait sends (about 24 days), as pottery_queue. */
#define MAX_SLICE_MS ((int64_t)INT32_MAX)

/* A new command "<verb> <key>" (key a C string). */
static void begin_cmd(pottery_cmd *cmd, const char *verb, const char *key)
{
    pottery__cmd_init(cmd);
    pottery__cmd_cstr(cmd, verb);
    pottery__cmd_cstr(cmd, key);
}

/* ---- open and free ---- */

static void free_names(pottery_rqueue *q)
{
    pottery__free(q->dead);
    pottery__free(q->group);
    pottery__free(q->consumer);
    q->dead = q->group = q->consumer = NULL;
}

/* Finish a handle that pottery__container_open made: ctx is the checked options. */
static int set_options(pottery_container *c, const void *ctx)
{
    const pottery_rqueue_options *opts = ctx;
    pottery_rqueue *q = (pottery_rqueue *)c;
    char uuid[37];
    int rc = 0;
    q->visibility_ms = opts->visibility_timeout_ms;
    q->max_deliveries = opts->max_deliveries;
    q->max_block_ms = opts->max_block_ms;
    if (!opts->consumer && (rc = pottery__uuid4(uuid)) < 0) return rc;
    q->group = pottery__strdup(opts->group ? opts->group : "pottery");
    q->consumer = pottery__strdup(opts->consumer ? opts->consumer : uuid);
    if (opts->dead_letter_key)
        q->dead = pottery__strdup(opts->dead_letter_key);
    else
        rc = pottery__key_beside(&q->dead, c->key, c->keylen, ":dead");
    if (rc == 0 && (!q->group || !q->consumer || !q->dead)) rc = pottery__error_oom();
    if (rc == 0 && pottery__container_on_cluster(c) &&
        pottery__key_slot(q->dead, strlen(q->dead)) != pottery__key_slot(c->key, c->keylen))
        rc = pottery__error(POTTERY_ECROSSSLOT,
                            "pottery_rqueue_open: the dead-letter stream '%s' (hash slot %u) is not in the hash slot "
                            "of the queue '%s' (%u) on this Redis Cluster; give both keys a common {hash tag}",
                            q->dead, pottery__key_slot(q->dead, strlen(q->dead)), c->key,
                            pottery__key_slot(c->key, c->keylen));
    if (rc < 0) free_names(q);
    return rc;
}

static int bad_option(const char *what, int64_t got)
{
    return pottery__error(POTTERY_EINVAL, "pottery_rqueue_open: %s (got %" PRId64 ")", what, got);
}

static int check_options(const pottery_rqueue_options *opts)
{
    int rc = pottery__options_check(opts->version, POTTERY_RQUEUE_OPTIONS_VERSION, "pottery_rqueue_open");
    if (rc < 0) return rc;
    if (opts->visibility_timeout_ms <= 0)
        return bad_option("visibility_timeout_ms must be > 0", opts->visibility_timeout_ms);
    if (opts->max_deliveries < 0)
        return bad_option("max_deliveries must be >= 1, or 0 for no limit", opts->max_deliveries);
    if (opts->max_block_ms <= 0 && opts->max_block_ms != POTTERY_FOREVER)
        return bad_option("max_block_ms must be > 0 or POTTERY_FOREVER", opts->max_block_ms);
    const char *names[] = { opts->group, opts->consumer, opts->dead_letter_key };
    const char *what[] = { "group", "consumer", "dead_letter_key" };
    for (size_t i = 0; i < 3; i++)
        if (names[i] && !names[i][0])
            return pottery__error(POTTERY_EINVAL, "pottery_rqueue_open: %s must not be empty (NULL: the default)",
                                  what[i]);
    return 0;
}

int pottery_rqueue_open(pottery_rqueue **out, pottery_client *client, const char *key,
                        const pottery_rqueue_options *opts)
{
    static const pottery_rqueue_options defaults = POTTERY_RQUEUE_OPTIONS_INIT;
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (!opts) opts = &defaults;
    int rc = check_options(opts);
    if (rc < 0) return rc;
    pottery_container *c;
    rc = pottery__container_open(&c, sizeof(pottery_rqueue), client, key, set_options, opts);
    if (rc == 0) *out = (pottery_rqueue *)c;
    return rc;
}

void pottery_rqueue_free(pottery_rqueue *queue)
{
    if (!queue) return;
    if (strncmp(queue->c.key, POTTERY_RANDOM_KEY_PREFIX, sizeof POTTERY_RANDOM_KEY_PREFIX - 1) == 0) {
        pottery_cmd cmd;
        begin_cmd(&cmd, "UNLINK", queue->dead);
        (void)pottery__exec(NULL, queue->c.client, &cmd); /* freeing never fails */
        pottery__cmd_free(&cmd);
    }
    free_names(queue);
    pottery__container_close(&queue->c);
}

const char *pottery_rqueue_key(const pottery_rqueue *queue)
{
    return queue ? queue->c.key : NULL;
}

const char *pottery_rqueue_dead_letter_key(const pottery_rqueue *queue)
{
    return queue ? queue->dead : NULL;
}

const char *pottery_rqueue_consumer(const pottery_rqueue *queue)
{
    return queue ? queue->consumer : NULL;
}

pottery_client *pottery_rqueue_client(const pottery_rqueue *queue)
{
    return queue ? queue->c.client : NULL;
}

void pottery_rqueue_item_dispose(pottery_rqueue_item *item)
{
    if (!item) return;
    pottery_value_dispose(&item->value);
    item->id[0] = '\0';
    item->deliveries = 0;
}

/* ---- put ---- */

typedef struct xadds {
    pottery_rqueue *q;
    const pottery_value *items;
    size_t n, next;
} xadds;

static int next_xadd(pottery_cmd *cmd, void *ctx)
{
    xadds *x = ctx;
    if (x->next == x->n) return 0;
    pottery__cmd_cstr(cmd, "XADD");
    pottery__cmd_key(cmd, &x->q->c);
    pottery__cmd_cstr(cmd, "*");
    pottery__cmd_cstr(cmd, "item");
    pottery__cmd_value(cmd, &x->items[x->next++]);
    return 1;
}

static int check_xadd(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    (void)ctx;
    return pottery__reply_expect(r, POTTERY_REPLY_STRING, "XADD");
}

int pottery_rqueue_put_many(pottery_rqueue *queue, const pottery_value *items, size_t n)
{
    POTTERY_CHECK_ARG(queue);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(items);
    xadds x = { queue, items, n, 0 };
    pottery_bulk b = { queue->c.client, next_xadd, check_xadd, &x };
    return pottery__bulk_write(&b);
}

int pottery_rqueue_put(pottery_rqueue *queue, pottery_value item)
{
    return pottery_rqueue_put_many(queue, &item, 1);
}

/* ---- take ---- */

/* The take script (see src/lua/rqueue_take.lua): take an item if `take`, after burying the
 * entry bury_id (NULL: none) held at delivery count bury_count. */
static int run_take(pottery_reply **r, pottery_rqueue *q, int take, const char *bury_id, int64_t bury_count)
{
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &q->c);
    pottery__cmd_cstr(&args, q->dead);
    pottery__cmd_cstr(&args, q->group);
    pottery__cmd_cstr(&args, q->consumer);
    pottery__cmd_int(&args, q->visibility_ms);
    pottery__cmd_int(&args, q->max_deliveries);
    pottery__cmd_cstr(&args, take ? "1" : "0");
    pottery__cmd_cstr(&args, bury_id ? bury_id : "");
    pottery__cmd_int(&args, bury_count);
    int rc = pottery__eval(r, q->c.client, &pottery__lua_rqueue_take, 2, &args);
    pottery__cmd_free(&args);
    return rc;
}

/* A stream entry as the server sends it: { id, { field, value, ... } }, read into id
 * (copied) and *item (the last `item` field, NULL if none). */
static int read_entry(char id[POTTERY_RQUEUE_ID_SIZE], const pottery_reply **item, const pottery_reply *rid,
                      const pottery_reply *fields, const char *what)
{
    const char *text;
    size_t len, n = 0;
    *item = NULL;
    int rc = pottery__reply_bytes(&text, &len, rid, what);
    if (rc == 0 && (len == 0 || len >= POTTERY_RQUEUE_ID_SIZE))
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: a stream ID of %zu bytes", what, len);
    if (rc == 0) rc = pottery__reply_array(&n, fields, what);
    if (rc == 0 && n % 2)
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: a stream entry with %zu fields and values", what, n);
    for (size_t i = 0; rc == 0 && i < n; i += 2) {
        const char *name;
        size_t nlen;
        rc = pottery__reply_bytes(&name, &nlen, pottery__reply_at(fields, i), what);
        if (rc == 0) rc = pottery__reply_expect(pottery__reply_at(fields, i + 1), POTTERY_REPLY_STRING, what);
        if (rc == 0 && nlen == 4 && memcmp(name, "item", 4) == 0) *item = pottery__reply_at(fields, i + 1);
    }
    if (rc == 0) {
        memcpy(id, text, len);
        id[len] = '\0';
    }
    return rc;
}

/* A delivered entry into *out. 1 on success; 0 when its item cannot be decoded (*bury
 * then names it for the next take script call); or an error. */
static int deliver(pottery_rqueue_item *out, char bury[POTTERY_RQUEUE_ID_SIZE], const pottery_reply *rid,
                   const pottery_reply *fields, long long deliveries, const char *what)
{
    char id[POTTERY_RQUEUE_ID_SIZE];
    const pottery_reply *item = NULL;
    int rc = read_entry(id, &item, rid, fields, what);
    if (rc < 0) return rc;
    pottery_value tmp = POTTERY_VALUE_INIT;
    rc = item ? pottery__reply_decode(&tmp, item) : POTTERY_EDECODE;
    if (rc == POTTERY_ENOMEM) return rc; /* the entry stays held: delivered again later */
    if (rc < 0) {
        pottery_value_dispose(&tmp);
        memcpy(bury, id, sizeof id);
        return 0;
    }
    pottery_value_dispose(&out->value);
    out->value = tmp;
    memcpy(out->id, id, sizeof id);
    out->deliveries = deliveries;
    return 1;
}

/* One take script call: 1 with *out set, 0 when nothing could be delivered (*wait_ms: the
 * time until a held item may be taken over, -1 if none), or an error. *bury (an entry this
 * consumer holds at count *bury_count, or "") is buried first, and set again when the
 * delivered entry cannot be decoded. */
static int take_once(pottery_rqueue_item *out, int64_t *wait_ms, pottery_rqueue *q, char bury[POTTERY_RQUEUE_ID_SIZE],
                     int64_t *bury_count)
{
    const char *what = pottery__lua_rqueue_take.name;
    for (;;) {
        pottery_reply *r = NULL;
        long long count = 0;
        int rc = run_take(&r, q, 1, bury[0] ? bury : NULL, *bury_count);
        bury[0] = '\0';
        if (rc == 0) rc = pottery__reply_array_n(r, 3, what);
        if (rc == 0 && pottery__reply_type(pottery__reply_at(r, 0)) == POTTERY_REPLY_NIL) {
            rc = pottery__reply_int_in(&count, pottery__reply_at(r, 2), -1, LLONG_MAX, what);
            if (rc == 0) *wait_ms = count;
            pottery__reply_free(r);
            return rc;
        }
        if (rc == 0) rc = pottery__reply_int_in(&count, pottery__reply_at(r, 2), 1, LLONG_MAX, what);
        if (rc == 0) rc = deliver(out, bury, pottery__reply_at(r, 0), pottery__reply_at(r, 1), count, what);
        pottery__reply_free(r);
        if (rc != 0) return rc;
        *bury_count = count;
    }
}

/* XREADGROUP's answer: nil, or { { key, { { id, fields } } } } with one entry (COUNT 1),
 * delivered into *out as with deliver(). 0 for nil. */
static int read_xreadgroup(pottery_rqueue_item *out, char bury[POTTERY_RQUEUE_ID_SIZE], const pottery_reply *r)
{
    static const char what[] = "XREADGROUP";
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) return 0;
    const pottery_reply *stream = pottery__reply_at(r, 0), *entries = pottery__reply_at(stream, 1);
    const pottery_reply *entry = pottery__reply_at(entries, 0);
    int rc = pottery__reply_array_n(r, 1, what);
    if (rc == 0) rc = pottery__reply_array_n(stream, 2, what);
    if (rc == 0) rc = pottery__reply_array_n(entries, 1, what);
    if (rc == 0) rc = pottery__reply_array_n(entry, 2, what);
    if (rc == 0) rc = deliver(out, bury, pottery__reply_at(entry, 0), pottery__reply_at(entry, 1), 1, what);
    return rc < 0 ? rc : 0;
}

/* Block on the server for up to wait_ms (1 to MAX_SLICE_MS, or POTTERY_FOREVER) for a new
 * entry, which XREADGROUP delivers to this consumer: 1 with *out set, 0 otherwise (nothing
 * came, or an entry to bury), or an error. The socket gets wait_ms more than the client's
 * own timeout. */
static int wait_for_entry(pottery_rqueue_item *out, char bury[POTTERY_RQUEUE_ID_SIZE], pottery_rqueue *q,
                          int64_t wait_ms)
{
    int64_t grace = pottery__client_command_timeout(q->c.client);
    int64_t socket_ms = POTTERY_FOREVER;
    if (grace != POTTERY_FOREVER && wait_ms != POTTERY_FOREVER)
        socket_ms = grace > INT64_MAX - wait_ms ? INT64_MAX : grace + wait_ms;
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "XREADGROUP");
    pottery__cmd_cstr(&cmd, "GROUP");
    pottery__cmd_cstr(&cmd, q->group);
    pottery__cmd_cstr(&cmd, q->consumer);
    pottery__cmd_cstr(&cmd, "COUNT");
    pottery__cmd_cstr(&cmd, "1");
    pottery__cmd_cstr(&cmd, "BLOCK");
    pottery__cmd_int(&cmd, wait_ms == POTTERY_FOREVER ? 0 : wait_ms);
    pottery__cmd_cstr(&cmd, "STREAMS");
    pottery__cmd_key(&cmd, &q->c);
    pottery__cmd_cstr(&cmd, ">");
    pottery_reply *r = NULL;
    int rc = pottery__exec_timeout(&r, q->c.client, &cmd, socket_ms);
    pottery__cmd_free(&cmd);
    if (rc == 0) {
        rc = read_xreadgroup(out, bury, r);
        if (rc == 0 && !bury[0] && pottery__reply_type(r) != POTTERY_REPLY_NIL) rc = 1;
    }
    pottery__reply_free(r);
    return rc;
}

static int empty_error(const pottery_rqueue *q)
{
    return pottery__error(POTTERY_EEMPTY, "rqueue '%s': nothing to deliver to consumer '%s'", q->c.key, q->consumer);
}

/* A failed wait the next take may get past: the connection dropped (the take reconnects),
 * or the group vanished (the take creates it again). */
static int wait_recoverable(int rc)
{
    if (rc == POTTERY_ECONN || rc == POTTERY_ETIMEOUT) return 1;
    return rc == POTTERY_EREDIS && strncmp(pottery_error_last()->message, "NOGROUP", 7) == 0;
}

int pottery_rqueue_take(pottery_rqueue_item *out, pottery_rqueue *queue, int64_t timeout_ms)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(queue);
    if (timeout_ms < 0 && timeout_ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL,
                              "pottery_rqueue_take: timeout_ms must be >= 0 or POTTERY_FOREVER (got %" PRId64 ")",
                              timeout_ms);
    int timed = timeout_ms != POTTERY_FOREVER;
    int64_t deadline = 0, start = pottery__monotonic_ns();
    if (timed && timeout_ms <= (INT64_MAX - start) / 1000000)
        deadline = start + timeout_ms * 1000000;
    else
        timed = 0; /* past the clock's range: no limit */
    char bury[POTTERY_RQUEUE_ID_SIZE] = "";
    int64_t bury_count = 1;
    for (;;) {
        int64_t hint = -1;
        int rc = take_once(out, &hint, queue, bury, &bury_count);
        if (rc != 0) return rc < 0 ? rc : 0;
        if (timeout_ms == 0) return empty_error(queue);
        int64_t wait_ms = queue->max_block_ms;
        if (timed) {
            int64_t left_ns = deadline - pottery__monotonic_ns();
            if (left_ns <= 0) return empty_error(queue);
            int64_t left_ms = (left_ns + 999999) / 1000000;
            if (wait_ms == POTTERY_FOREVER || left_ms < wait_ms) wait_ms = left_ms;
        }
        if (hint > MAX_SLICE_MS) hint = MAX_SLICE_MS; /* the server's number: hint + 1 must not overflow */
        if (hint >= 0 && (wait_ms == POTTERY_FOREVER || hint + 1 < wait_ms)) wait_ms = hint + 1;
        if (wait_ms > MAX_SLICE_MS) wait_ms = MAX_SLICE_MS;
        rc = wait_for_entry(out, bury, queue, wait_ms);
        if (rc == 1) return 0;
        if (bury[0]) bury_count = 1;
        if (rc < 0 && !wait_recoverable(rc)) return rc;
    }
}

/* ---- settling a delivery ---- */

/* The settle script on item: mode "ack" or an idle time. */
static int settle(pottery_rqueue *q, const pottery_rqueue_item *item, const char *mode, int64_t idle_ms,
                  const char *func)
{
    POTTERY_CHECK_ARG(q);
    POTTERY_CHECK_ARG(item);
    size_t idlen = strnlen(item->id, POTTERY_RQUEUE_ID_SIZE);
    if (idlen == 0 || idlen == POTTERY_RQUEUE_ID_SIZE || item->deliveries < 1)
        return pottery__error(POTTERY_EINVAL, "%s: the item was not delivered by pottery_rqueue_take", func);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &q->c);
    pottery__cmd_cstr(&args, q->group);
    pottery__cmd_cstr(&args, q->consumer);
    pottery__cmd_arg(&args, item->id, idlen);
    pottery__cmd_int(&args, item->deliveries);
    if (mode)
        pottery__cmd_cstr(&args, mode);
    else
        pottery__cmd_int(&args, idle_ms);
    pottery_reply *r = NULL;
    long long settled = 0;
    int rc = pottery__eval(&r, q->c.client, &pottery__lua_rqueue_settle, 1, &args);
    pottery__cmd_free(&args);
    if (rc == 0) rc = pottery__reply_int_in(&settled, r, 0, 1, pottery__lua_rqueue_settle.name);
    pottery__reply_free(r);
    if (rc == 0 && !settled)
        rc = pottery__error(POTTERY_ECONFLICT,
                            "%s: rqueue '%s': consumer '%s' no longer holds item %s (delivery %" PRId64
                            "): it was delivered again after its visibility timeout, acknowledged or dead-lettered",
                            func, q->c.key, q->consumer, item->id, item->deliveries);
    return rc;
}

int pottery_rqueue_ack(pottery_rqueue *queue, const pottery_rqueue_item *item)
{
    return settle(queue, item, "ack", 0, __func__);
}

int pottery_rqueue_release(pottery_rqueue *queue, const pottery_rqueue_item *item)
{
    return settle(queue, item, NULL, queue ? queue->visibility_ms : 0, __func__);
}

int pottery_rqueue_touch(pottery_rqueue *queue, const pottery_rqueue_item *item)
{
    return settle(queue, item, NULL, 0, __func__);
}

/* ---- sizes and dead letters ---- */

int pottery_rqueue_len(int64_t *out, pottery_rqueue *queue)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(queue);
    return pottery__container_count(out, &queue->c, "XLEN");
}

int pottery_rqueue_pending_count(int64_t *out, pottery_rqueue *queue)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(queue);
    pottery_cmd cmd;
    begin_cmd(&cmd, "XPENDING", queue->c.key);
    pottery__cmd_cstr(&cmd, queue->group);
    pottery_reply *r = NULL;
    long long n = 0;
    int rc = pottery__exec(&r, queue->c.client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == POTTERY_EREDIS && strncmp(pottery_error_last()->message, "NOGROUP", 7) == 0) {
        *out = 0; /* no stream or no group yet: nothing held */
        return 0;
    }
    /* { count, smallest ID, greatest ID, { { consumer, count }, ... } } */
    if (rc == 0) rc = pottery__reply_array_n(r, 4, "XPENDING");
    if (rc == 0) rc = pottery__reply_int_in(&n, pottery__reply_at(r, 0), 0, LLONG_MAX, "XPENDING");
    if (rc == 0) *out = (int64_t)n;
    pottery__reply_free(r);
    return rc;
}

int pottery_rqueue_dead_letter_count(int64_t *out, pottery_rqueue *queue)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(queue);
    pottery_cmd cmd;
    begin_cmd(&cmd, "XLEN", queue->dead);
    long long n = 0;
    int rc = pottery__exec_int(&n, queue->c.client, &cmd, 0, LLONG_MAX, "XLEN");
    if (rc == 0) *out = (int64_t)n;
    return rc;
}

/* One dead-letter entry into *out (built in full before it is stored). */
static int read_dead(pottery_rqueue_item *out, const pottery_reply *entry)
{
    static const char what[] = "XRANGE";
    char id[POTTERY_RQUEUE_ID_SIZE];
    const pottery_reply *item = NULL, *fields = pottery__reply_at(entry, 1);
    int rc = pottery__reply_array_n(entry, 2, what);
    if (rc == 0) rc = read_entry(id, &item, pottery__reply_at(entry, 0), fields, what);
    if (rc < 0) return rc;
    int64_t deliveries = 0;
    for (size_t i = 0; i + 1 < pottery__reply_count(fields); i += 2) {
        size_t len;
        const char *name = pottery__reply_str(pottery__reply_at(fields, i), &len);
        if (len == 15 && memcmp(name, "dead_deliveries", 15) == 0) {
            char digits[24];
            const char *v = pottery__reply_str(pottery__reply_at(fields, i + 1), &len);
            snprintf(digits, sizeof digits, "%.*s", (int)(len < 23 ? len : 23), v);
            deliveries = strtoll(digits, NULL, 10);
        }
    }
    pottery_value tmp = POTTERY_VALUE_INIT;
    if (item && (rc = pottery__reply_decode(&tmp, item)) < 0) {
        pottery_value_dispose(&tmp);
        if (rc == POTTERY_ENOMEM) return rc;
        tmp = pottery_null();
    }
    pottery_value_dispose(&out->value);
    out->value = tmp;
    memcpy(out->id, id, sizeof id);
    out->deliveries = deliveries;
    return 0;
}

int pottery_rqueue_dead_letters(pottery_rqueue_item *out, size_t *n, pottery_rqueue *queue, size_t max)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(n);
    POTTERY_CHECK_ARG(queue);
    if (max == 0) {
        *n = 0;
        return 0;
    }
    if (max > (size_t)LLONG_MAX) max = (size_t)LLONG_MAX;
    pottery_cmd cmd;
    begin_cmd(&cmd, "XRANGE", queue->dead);
    pottery__cmd_cstr(&cmd, "-");
    pottery__cmd_cstr(&cmd, "+");
    pottery__cmd_cstr(&cmd, "COUNT");
    pottery__cmd_int(&cmd, (long long)max);
    pottery_reply *r = NULL;
    size_t count = 0;
    int rc = pottery__exec(&r, queue->c.client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = pottery__reply_array(&count, r, "XRANGE");
    if (rc == 0 && count > max) rc = pottery__error(POTTERY_EPROTOCOL, "XRANGE: %zu entries for COUNT %zu", count, max);
    /* Check every entry first, so that a failure leaves out untouched. */
    for (size_t i = 0; rc == 0 && i < count; i++) {
        char id[POTTERY_RQUEUE_ID_SIZE];
        const pottery_reply *item = NULL, *entry = pottery__reply_at(r, i);
        rc = pottery__reply_array_n(entry, 2, "XRANGE");
        if (rc == 0) rc = read_entry(id, &item, pottery__reply_at(entry, 0), pottery__reply_at(entry, 1), "XRANGE");
    }
    for (size_t i = 0; rc == 0 && i < count; i++) rc = read_dead(&out[i], pottery__reply_at(r, i));
    if (rc == 0) *n = count;
    pottery__reply_free(r);
    return rc;
}

int pottery_rqueue_clear(pottery_rqueue *queue)
{
    POTTERY_CHECK_ARG(queue);
    pottery_cmd cmd;
    begin_cmd(&cmd, "UNLINK", queue->c.key);
    pottery__cmd_cstr(&cmd, queue->dead);
    return pottery__exec_int(NULL, queue->c.client, &cmd, 0, 2, "UNLINK");
}
