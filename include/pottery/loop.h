/**
 * @file loop.h
 * The event-loop hooks that the asynchronous API (async.h, aioredlock.h, aionextid.h) runs
 * on: watching a socket and one-shot timers. libpottery never includes an event library;
 * an adapter fills a pottery_loop for its loop:
 *
 * - libevent: pottery/adapters/libevent.h, library pottery::libevent (pkg-config
 *   libpottery-libevent): pottery_libevent_loop(&loop, base)
 * - libuv: pottery/adapters/libuv.h, library pottery::libuv (pkg-config libpottery-libuv):
 *   pottery_libuv_loop(&loop, uv_loop)
 *
 * Plugging in another loop means filling the seven hooks below (and data) by hand; the two
 * adapters are each about a hundred lines to read as models. What the library relies on:
 *
 * - Everything happens on the loop's thread: hooks are called from it, and callbacks are
 *   delivered on it (from the loop's dispatch, never from inside a hook).
 * - A watcher reports readiness for the events it was last asked for (level-triggered: an
 *   fd still readable is reported again on the next turn of the loop).
 * - io_close and timer_close may be called from inside that watcher's or timer's own
 *   callback; after they return the callback is never called again. An adapter that must
 *   free the handle later (libuv's uv_close) does so itself.
 * - A timer fires once per timer_start, on a later turn of the loop, never from inside
 *   timer_start even for 0 ms.
 * - A hook that allocates may fail: it returns NULL (open) or non-zero (want, start), and the
 *   operation that needed it fails with POTTERY_ENOMEM or POTTERY_ECONN.
 */
#ifndef POTTERY_LOOP_H
#define POTTERY_LOOP_H

#include <stdint.h>

#include "common.h"

POTTERY_BEGIN_DECLS

/** A socket watcher (the adapter's own type). */
typedef struct pottery_loop_io pottery_loop_io;
/** A one-shot timer (the adapter's own type). */
typedef struct pottery_loop_timer pottery_loop_timer;

/** The socket can be read without blocking (bit of the events masks). */
#define POTTERY_LOOP_READ 1
/** The socket can be written without blocking (bit of the events masks). */
#define POTTERY_LOOP_WRITE 2

/** Called when the watched socket is ready: events is POTTERY_LOOP_READ, POTTERY_LOOP_WRITE
 * or both (an error or hang-up is reported as readable). */
typedef void (*pottery_loop_io_cb)(void *arg, int events);
/** Called when a started timer expires. */
typedef void (*pottery_loop_timer_cb)(void *arg);

/** The version of pottery_loop this header describes. */
#define POTTERY_LOOP_VERSION 1

/** An event loop as libpottery uses it. The asynchronous handles copy it when they are
 * opened, so it may live on the stack; the loop it points at must outlive them. */
typedef struct pottery_loop {
    unsigned int version; /**< POTTERY_LOOP_VERSION */
    void *data;           /**< the adapter's loop (an event_base, a uv_loop_t, ...) */
    /** Watch fd (no events yet): NULL when out of memory. */
    pottery_loop_io *(*io_open)(void *data, int fd, pottery_loop_io_cb cb, void *arg);
    /** Report these events from now on (0: none). 0, or non-zero on failure. */
    int (*io_want)(pottery_loop_io *io, int events);
    /** Stop watching and free the watcher (the fd stays open: the caller closes it after). */
    void (*io_close)(pottery_loop_io *io);
    /** A stopped timer: NULL when out of memory. */
    pottery_loop_timer *(*timer_open)(void *data, pottery_loop_timer_cb cb, void *arg);
    /** Fire once after ms milliseconds (>= 0), replacing any earlier start. 0 or non-zero. */
    int (*timer_start)(pottery_loop_timer *timer, int64_t ms);
    /** Cancel a started timer (nothing when it is not started). */
    void (*timer_stop)(pottery_loop_timer *timer);
    /** Cancel and free the timer. */
    void (*timer_close)(pottery_loop_timer *timer);
} pottery_loop;

POTTERY_END_DECLS

#endif /* POTTERY_LOOP_H */
