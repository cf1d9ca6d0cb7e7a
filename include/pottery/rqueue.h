/**
 * @file
 * pottery_rqueue, a reliable work queue on a Redis stream and a consumer group: at-least-once
 * delivery with a visibility timeout, acknowledgements, a delivery count and a dead-letter
 * stream. Python's pottery has no equivalent; its RedisSimpleQueue (queue.h) loses an item
 * when the consumer that took it dies.
 *
 * Layout (readable by any stream tool): the queue is a Redis stream at the handle's key,
 * each item one entry with an automatic ID and a field `item` holding JSON(item), exactly
 * pottery_queue's layout, so either can put what the other takes. Consumers read it
 * through a consumer group (option `group`, default `"pottery"`), created by the first take
 * at ID 0 (with MKSTREAM), so items put before any consumer existed are delivered too. A
 * take delivers an entry to one consumer (XREADGROUP), which then holds it: the entry is in
 * the group's pending list under that consumer's name. Acknowledging it (XACK) also
 * deletes it (XDEL): the stream only ever holds items not yet acknowledged, and one group
 * per stream is the intended use (a second group on the same stream would miss what the
 * first acknowledged).
 *
 * Delivery: an item held for longer than the visibility timeout without being acknowledged
 * is taken over by the next take of any consumer (XAUTOCLAIM with that idle time) and
 * delivered again, its delivery count raised: a consumer that crashed, hung or lost its
 * connection never loses an item, at the price of an item possibly being processed twice
 * (at-least-once; make processing idempotent, or check pottery_rqueue_ack's answer). An
 * item delivered max_deliveries times and still not acknowledged is not delivered again:
 * the take that would have delivered it moves it to the dead-letter stream (by default
 * `"{<key>}:dead"`, beside the queue in the same Redis Cluster slot) and acknowledges it in
 * the group. Entries the library cannot decode (no `item` field, not JSON), written by other
 * programs, go to the dead-letter stream as soon as they are taken, so a take never fails on
 * them. A dead-letter entry keeps the original fields and appends `dead_id` (the original
 * ID), `dead_deliveries` and `dead_reason`; its `item` field makes it readable by a
 * pottery_queue (or a pottery_rqueue) opened on pottery_rqueue_dead_letter_key(), to
 * inspect or re-drive.
 *
 * Ownership of a delivery: only the consumer that holds an item, at the delivery count it
 * got, can acknowledge, release or touch it; once it was delivered again to someone else,
 * or acknowledged, those calls answer POTTERY_ECONFLICT and change nothing. So each item is
 * acknowledged exactly once.
 *
 * Durations are int64_t milliseconds: POTTERY_FOREVER waits without limit, 0 does not wait.
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or argument), POTTERY_ETYPE (an
 * item that cannot be encoded; nothing is sent), POTTERY_EREDIS (e.g. WRONGTYPE when the key
 * holds another Redis type; the message carries the Redis text), POTTERY_EPROTOCOL (the
 * server answered something the command cannot answer), POTTERY_ECONN / POTTERY_ETIMEOUT,
 * POTTERY_ENOMEM. A failed call leaves Redis unchanged.
 */
#ifndef POTTERY_RQUEUE_H
#define POTTERY_RQUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "common.h"
#include "value.h"

POTTERY_BEGIN_DECLS

/** A reliable queue handle (opaque): its client (borrowed), its keys, group and consumer
 * names (copied) and its options. */
typedef struct pottery_rqueue pottery_rqueue;

/** The version of pottery_rqueue_options this header describes. */
#define POTTERY_RQUEUE_OPTIONS_VERSION 1

/** How a reliable queue delivers and waits. Initialise with POTTERY_RQUEUE_OPTIONS_INIT or
 * pottery_rqueue_options_init(), then change what you need; members are only ever appended.
 * Strings are copied by pottery_rqueue_open(). */
typedef struct pottery_rqueue_options {
    unsigned int version;          /**< POTTERY_RQUEUE_OPTIONS_VERSION, set by the initialisers */
    const char *group;             /**< the consumer group (NULL: `"pottery"`); not empty */
    const char *consumer;          /**< this handle's consumer name (NULL: a new uuid4 per
                                        handle); not empty. Two handles with one name share
                                        what they hold */
    int64_t visibility_timeout_ms; /**< how long a taken item stays with its consumer before
                                        another take may deliver it again (default 30000;
                                        > 0) */
    int64_t max_deliveries;        /**< deliveries of one item before it goes to the
                                        dead-letter stream instead of being delivered again
                                        (default 5; >= 1, or 0 for never) */
    const char *dead_letter_key;   /**< the dead-letter stream (NULL: `"{<key>}:dead"`, the
                                        queue's key as hash tag); on a Redis Cluster it must
                                        share the queue's hash slot */
    int64_t max_block_ms;          /**< the longest one blocking XREADGROUP of a waiting take
                                        lasts before it checks in with the server again
                                        (default 30000; > 0, or POTTERY_FOREVER). Its socket
                                        timeout is this plus the client's command timeout */
} pottery_rqueue_options;

/** Defaults: group "pottery", a uuid4 consumer, 30 s visibility, 5 deliveries, the dead
 * letters beside the key, waits checking in every 30 s. */
#define POTTERY_RQUEUE_OPTIONS_INIT                                                                                    \
    {                                                                                                                  \
        POTTERY_RQUEUE_OPTIONS_VERSION, NULL, NULL, 30000, 5, NULL, 30000                                              \
    }

/** Set *opts to the defaults (the same as POTTERY_RQUEUE_OPTIONS_INIT; usable from C++). */
static inline void pottery_rqueue_options_init(pottery_rqueue_options *opts)
{
    pottery_rqueue_options defaults = POTTERY_RQUEUE_OPTIONS_INIT;
    *opts = defaults;
}

/** The longest stream ID text with its NUL ("<ms>-<seq>", two 64-bit numbers). */
#define POTTERY_RQUEUE_ID_SIZE 48

/** One delivery of an item: its value, its stream ID and how many times it has been
 * delivered (1 the first time). Initialise with POTTERY_RQUEUE_ITEM_INIT; the value is the
 * caller's, released by pottery_rqueue_item_dispose(). */
typedef struct pottery_rqueue_item {
    pottery_value value;             /**< the item (the caller's) */
    char id[POTTERY_RQUEUE_ID_SIZE]; /**< its stream entry ID, e.g. `"1700000000000-0"` */
    int64_t deliveries;              /**< its delivery count, this delivery included */
} pottery_rqueue_item;

/** An empty item. */
#define POTTERY_RQUEUE_ITEM_INIT                                                                                       \
    {                                                                                                                  \
        POTTERY_VALUE_INIT, "", 0                                                                                      \
    }

/** Release the item's value and reset it to POTTERY_RQUEUE_ITEM_INIT. Accepts NULL. */
POTTERY_API void pottery_rqueue_item_dispose(pottery_rqueue_item *item);

/** Open a reliable queue on `key` (copied). key NULL picks a random unused key
 * `"pottery:<uuid4>"`, which pottery_rqueue_free() deletes with its dead-letter stream; ""
 * is POTTERY_EINVAL. opts NULL = defaults. The client is borrowed and must outlive the
 * queue; *out is the caller's (pottery_rqueue_free). Errors: POTTERY_EINVAL (options not
 * initialised or of a newer version, an option out of range, an empty name),
 * POTTERY_ECROSSSLOT (on a Redis Cluster, a dead-letter key in another hash slot),
 * POTTERY_ERANDOMKEY, common errors. Cost: no round trip (EXISTS for a random key). */
POTTERY_API int pottery_rqueue_open(pottery_rqueue **out, pottery_client *client, const char *key,
                                    const pottery_rqueue_options *opts);

/** Free the handle; UNLINKs the stream and its dead letters if the key begins with
 * `"pottery:"`. Items this consumer holds stay pending and are delivered again after their
 * visibility timeout. Accepts NULL. */
POTTERY_API void pottery_rqueue_free(pottery_rqueue *queue);

/** The Redis key of the stream (owned by the handle); NULL for a NULL handle. */
POTTERY_API const char *pottery_rqueue_key(const pottery_rqueue *queue);

/** The key of the dead-letter stream (owned by the handle); NULL for a NULL handle. */
POTTERY_API const char *pottery_rqueue_dead_letter_key(const pottery_rqueue *queue);

/** This handle's consumer name (owned by the handle); NULL for a NULL handle. */
POTTERY_API const char *pottery_rqueue_consumer(const pottery_rqueue *queue);

/** The client the queue was opened on (borrowed); NULL for a NULL handle. */
POTTERY_API pottery_client *pottery_rqueue_client(const pottery_rqueue *queue);

/** Append item at the tail: `XADD key * item JSON(item)`, one round trip. The item is
 * encoded before anything is sent. */
POTTERY_API int pottery_rqueue_put(pottery_rqueue *queue, pottery_value item);

/** Append items[0..n) at the tail, in order, all or none: one XADD each inside
 * MULTI/EXEC (a single XADD alone), streamed, one round trip. n 0 sends nothing; items may
 * be NULL then. POTTERY_ETYPE for an item that cannot be encoded: nothing is written. */
POTTERY_API int pottery_rqueue_put_many(pottery_rqueue *queue, const pottery_value *items, size_t n);

/** Take an item: into *out (disposed and replaced on success, untouched on failure) the
 * oldest item held by a consumer for longer than the visibility timeout, if any (it is
 * delivered again, its count raised), else the oldest item never delivered. This consumer
 * then holds it until pottery_rqueue_ack(), pottery_rqueue_release() or the visibility
 * timeout. Items past max_deliveries and entries that cannot be decoded met on the way
 * move to the dead-letter stream.
 *
 * timeout_ms 0 does not wait: POTTERY_EEMPTY at once when nothing can be delivered. > 0
 * waits up to that long, POTTERY_FOREVER without limit, on the server (XREADGROUP BLOCK,
 * woken by a put; held items expiring meanwhile end the block in time to take them over),
 * with a socket timeout stretched to match, then POTTERY_EEMPTY. A wait whose connection
 * drops (the server restarted, CLIENT KILL, a proxy timeout) reconnects and goes on waiting
 * as long as the reconnection and the take after it succeed; an item the server handed out
 * just before the drop is delivered again after its visibility timeout. Other negative
 * values are POTTERY_EINVAL.
 *
 * Cost: one round trip (a Lua script: XAUTOCLAIM, XPENDING, XREADGROUP; its work grows
 * with the number of items held); a wait adds one blocking XREADGROUP per wake-up. */
POTTERY_API int pottery_rqueue_take(pottery_rqueue_item *out, pottery_rqueue *queue, int64_t timeout_ms);

/** Acknowledge item (as pottery_rqueue_take delivered it): XACK and XDEL, if this consumer
 * still holds it at its delivery count; the item is done and never delivered again.
 * POTTERY_ECONFLICT when it no longer does (its visibility timeout passed and another take
 * delivered it again, it was acknowledged already or dead-lettered): nothing changes, and
 * its current holder will acknowledge it. item stays the caller's. One round trip (a
 * script). */
POTTERY_API int pottery_rqueue_ack(pottery_rqueue *queue, const pottery_rqueue_item *item);

/** Give item back without acknowledging it (a nack): the next take of any consumer may
 * deliver it again at once; this delivery still counts towards max_deliveries.
 * POTTERY_ECONFLICT as pottery_rqueue_ack. One round trip (a script: XCLAIM with IDLE). */
POTTERY_API int pottery_rqueue_release(pottery_rqueue *queue, const pottery_rqueue_item *item);

/** Keep holding item for another full visibility timeout (for work that takes longer):
 * its idle time restarts from 0. POTTERY_ECONFLICT as pottery_rqueue_ack. One round trip
 * (a script: XCLAIM with IDLE 0). */
POTTERY_API int pottery_rqueue_touch(pottery_rqueue *queue, const pottery_rqueue_item *item);

/** The number of items not yet acknowledged (waiting or held) into *out; 0 for a missing
 * key. XLEN, one round trip. */
POTTERY_API int pottery_rqueue_len(int64_t *out, pottery_rqueue *queue);

/** The number of items held by consumers of the group (delivered, not yet acknowledged)
 * into *out; 0 when the stream or the group does not exist yet. XPENDING, one round trip. */
POTTERY_API int pottery_rqueue_pending_count(int64_t *out, pottery_rqueue *queue);

/** The number of entries in the dead-letter stream into *out. XLEN, one round trip. */
POTTERY_API int pottery_rqueue_dead_letter_count(int64_t *out, pottery_rqueue *queue);

/** Read the oldest dead-letter entries without removing them: out[0..max) (initialised
 * items, disposed and replaced) get up to max of them, *n how many. Each gets its decoded
 * `item` (null for an entry without one or whose item cannot be decoded), its ID in the
 * dead-letter stream and, as deliveries, its `dead_deliveries` field (0 if absent). On
 * failure out and *n are untouched. max 0 reads nothing (*n 0, nothing sent). XRANGE
 * COUNT max, one round trip. */
POTTERY_API int pottery_rqueue_dead_letters(pottery_rqueue_item *out, size_t *n, pottery_rqueue *queue, size_t max);

/** Delete the stream (with its group and what it holds) and the dead-letter stream:
 * UNLINK of both, one round trip. */
POTTERY_API int pottery_rqueue_clear(pottery_rqueue *queue);

POTTERY_END_DECLS

#endif /* POTTERY_RQUEUE_H */
