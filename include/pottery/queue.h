/**
 * @file
 * pottery_queue, a FIFO queue that lives in a Redis stream (Python:
 * pottery.RedisSimpleQueue, modelled on queue.SimpleQueue).
 *
 * Layout (shared with Python's pottery): one Redis stream at the handle's key; each item is
 * one entry with an automatic ID (`XADD key * ...`) and exactly one field, named `item`,
 * whose value is JSON(item), canonical JSON as value.h describes. Taking an item deletes its
 * entry (XDEL); the stream key itself stays, with length 0, once every item was taken.
 *
 * Consumers: any number of processes may get from the same queue at once; every item is
 * delivered to exactly one of them. Taking the oldest entry is a single Lua script (read the
 * first entry, check that its item is JSON, delete it), so two consumers can never take the
 * same entry and a taken entry is never lost between the read and the delete. The script
 * leaves an item over 8 KiB of JSON, or one holding raw bytes outside ASCII (pottery and
 * this library never write them), to the client, which decodes it and then claims it with
 * XDEL (if another consumer was faster, it takes the next one). A get that has to wait
 * blocks on the server (XREAD BLOCK), is woken as soon as an item is put, and then tries to
 * take it again (another consumer may have been faster), until its timeout.
 *
 * Durations are int64_t milliseconds: POTTERY_FOREVER (common.h) waits without limit, 0
 * does not wait.
 *
 * Costs: put, qsize and empty are one round trip; get with an item present is one round
 * trip (two for an item the script leaves to the client); a get that waits costs one extra
 * round trip per wake-up.
 *
 * Errors common to every call: POTTERY_EINVAL (NULL handle or argument), POTTERY_ETYPE (an
 * item that cannot be encoded; nothing is sent), POTTERY_EREDIS (e.g. WRONGTYPE when the key
 * holds another Redis type; the message carries the Redis text), POTTERY_EPROTOCOL (the
 * server answered something the command cannot answer), POTTERY_ECONN / POTTERY_ETIMEOUT,
 * POTTERY_ENOMEM. A failed call leaves Redis unchanged.
 *
 * Values returned through out-parameters are the caller's: out-values must be initialised
 * (POTTERY_VALUE_INIT) and are disposed and replaced on success, left untouched on failure.
 *
 * Python's queue has no repr of its contents, and neither has this one: there is no
 * to_json or repr.
 */
#ifndef POTTERY_QUEUE_H
#define POTTERY_QUEUE_H

#include <stdint.h>

#include "client.h"
#include "common.h"
#include "value.h"

POTTERY_BEGIN_DECLS

/** A queue handle (opaque): its client (borrowed), its key (copied) and its options. */
typedef struct pottery_queue pottery_queue;

/** The version of pottery_queue_options this header describes. */
#define POTTERY_QUEUE_OPTIONS_VERSION 1

/** How a queue waits. Initialise with POTTERY_QUEUE_OPTIONS_INIT or
 * pottery_queue_options_init(), then change what you need; members are only ever appended,
 * and `version` tells the library which ones your program knows. */
typedef struct pottery_queue_options {
    unsigned int version; /**< POTTERY_QUEUE_OPTIONS_VERSION, set by the initialisers */
    int64_t max_block_ms; /**< the longest a waiting get blocks in one XREAD before it checks
                               in with the server again (default 30000; > 0, or
                               POTTERY_FOREVER). The socket timeout of that XREAD is this plus
                               the client's command timeout, so a server that has silently
                               vanished is noticed within their sum. POTTERY_FOREVER: a get
                               without timeout waits in one XREAD with no socket timeout, and
                               a vanished server is noticed only when the operating system
                               drops the connection */
} pottery_queue_options;

/** Defaults: waits check in with the server every 30 s. */
#define POTTERY_QUEUE_OPTIONS_INIT                                                                                     \
    {                                                                                                                  \
        POTTERY_QUEUE_OPTIONS_VERSION, 30000                                                                           \
    }

/** Set *opts to the defaults (the same as POTTERY_QUEUE_OPTIONS_INIT; usable from C++). */
static inline void pottery_queue_options_init(pottery_queue_options *opts)
{
    pottery_queue_options defaults = POTTERY_QUEUE_OPTIONS_INIT;
    *opts = defaults;
}

/** Open a queue on `key` (copied): `RedisSimpleQueue(redis=client, key=key)`.
 * key NULL picks a random unused key `"pottery:<uuid4>"`, which pottery_queue_free()
 * deletes, as pottery does for every key that begins with `"pottery:"`; "" is
 * POTTERY_EINVAL. The stream is created by the first put. opts NULL = defaults. The client
 * is borrowed and must outlive the queue. *out is the caller's (pottery_queue_free).
 * Errors: POTTERY_EINVAL (also options not initialised, of a newer version than the
 * library, or max_block_ms 0 or negative other than POTTERY_FOREVER), POTTERY_ERANDOMKEY,
 * common errors. Cost: no round trip (EXISTS for a random key). */
POTTERY_API int pottery_queue_open(pottery_queue **out, pottery_client *client, const char *key,
                                   const pottery_queue_options *opts);

/** Free the handle; UNLINKs the stream if its key begins with `"pottery:"`. Accepts NULL. */
POTTERY_API void pottery_queue_free(pottery_queue *queue);

/** The Redis key (owned by the handle); NULL for a NULL handle. */
POTTERY_API const char *pottery_queue_key(const pottery_queue *queue);

/** The client the queue was opened on (borrowed); NULL for a NULL handle. */
POTTERY_API pottery_client *pottery_queue_client(const pottery_queue *queue);

/** `q.put(item)`: append item at the tail. Never blocks, so it takes no timeout (Python's
 * block and timeout arguments are ignored there too). The item is encoded before anything
 * is sent: POTTERY_ETYPE leaves Redis untouched. `XADD key * item JSON(item)`, one round
 * trip. */
POTTERY_API int pottery_queue_put(pottery_queue *queue, pottery_value item);

/** `q.put_nowait(item)`: exactly pottery_queue_put. One round trip. */
POTTERY_API int pottery_queue_put_nowait(pottery_queue *queue, pottery_value item);

/** `q.get(block, timeout)`: remove and return the oldest item into *out.
 *  - block 0, or timeout_ms 0: take an item if one is there, else POTTERY_EEMPTY
 *    (QueueEmptyError) at once, as Python's `get(block=False)` and `get(timeout=0)`.
 *  - block 1, timeout_ms > 0: wait up to timeout_ms milliseconds for an item, then
 *    POTTERY_EEMPTY.
 *  - block 1, timeout_ms POTTERY_FOREVER (Python: `timeout=None`): wait until an item
 *    arrives.
 *
 * Any other negative timeout_ms is POTTERY_EINVAL ("ValueError: 'timeout' must be a
 * non-negative number"), whatever block says, and nothing is sent. Waiting happens on the
 * server (XREAD BLOCK with a socket timeout stretched to match), so the client's command
 * timeout does not cut it short.
 *
 * A foreign entry (no `item` field, or a value that is not JSON) gives POTTERY_EDECODE and
 * stays where it is, untouched (pottery would delete it and lose it): until somebody
 * removes it (`XDEL key ID`; the message names the ID and shows its bytes), every get fails
 * the same way. POTTERY_ECONFLICT if other consumers took 1000 items in a row from under
 * this get's claim (see the file's description). POTTERY_ENOMEM when there is no memory to
 * decode an item the script has already taken: the item is then put back at the tail (a
 * new entry ID; a stream takes entries nowhere else), and the message says so.
 * Cost: one round trip (a Lua script) when an item is there (two if the script leaves it
 * to the client); when it has to wait, one blocking XREAD plus one more take per wake-up. */
POTTERY_API int pottery_queue_get(pottery_value *out, pottery_queue *queue, int block, int64_t timeout_ms);

/** `q.get_nowait()`: pottery_queue_get(out, queue, 0, 0), POTTERY_EEMPTY at once if there
 * is nothing to take. Never blocks, so it takes no timeout. One round trip. */
POTTERY_API int pottery_queue_get_nowait(pottery_value *out, pottery_queue *queue);

/** `q.qsize()`: the number of items into *out (0 for a missing key). Another process may
 * change it at any time. XLEN, one round trip. */
POTTERY_API int pottery_queue_qsize(int64_t *out, pottery_queue *queue);

/** `q.empty()`: *out 1 if qsize() == 0, else 0. XLEN, one round trip. */
POTTERY_API int pottery_queue_empty(int *out, pottery_queue *queue);

/** Remove every item by deleting the stream (pottery's `clear()`: UNLINK). One round
 * trip. */
POTTERY_API int pottery_queue_clear(pottery_queue *queue);

POTTERY_END_DECLS

#endif /* POTTERY_QUEUE_H */
