/**
 * @file libevent.h
 * The event-loop adapter for libevent 2.1: a pottery_loop (loop.h) that runs the
 * asynchronous API on an event_base.
 *
 * It is a library of its own: link pottery::libevent (CMake, find_package(pottery
 * COMPONENTS libevent)) or pkg-config libpottery-libevent, which bring libevent_core with
 * them. libpottery itself links no event library. This header only names struct
 * event_base; include `<event2/event.h>` to create and run the base.
 *
 * How the hooks map onto libevent:
 * - A watcher is one persistent event (level-triggered, as libevent's events are without
 *   EV_ET); io_want replaces its flags with event_del, event_assign and event_add.
 * - A timer is one non-persistent timer event; timer_start refreshes the base's cached time
 *   first, so that the delay counts from the call and not from the start of the loop's turn.
 * - io_close and timer_close free the event at once (event_free), also from inside its own
 *   callback, which libevent 2.1 allows: nothing of the handle is left behind.
 * - An error or hang-up on the socket is reported for the events being watched (libevent
 *   masks epoll's error bits into them): readable when reading is watched, writable when
 *   only writing is, so that the call that follows sees the error either way.
 */
#ifndef POTTERY_ADAPTERS_LIBEVENT_H
#define POTTERY_ADAPTERS_LIBEVENT_H

#include "../loop.h"

/** @def POTTERY_LIBEVENT_API
 * Marks the adapter's exported functions (libpottery's own use POTTERY_API). */
#if defined(_WIN32) && defined(POTTERY_SHARED)
#if defined(POTTERY_LIBEVENT_BUILDING)
#define POTTERY_LIBEVENT_API __declspec(dllexport)
#else
#define POTTERY_LIBEVENT_API __declspec(dllimport)
#endif
#else
#define POTTERY_LIBEVENT_API POTTERY_API
#endif

POTTERY_BEGIN_DECLS

struct event_base;

/** Fill *out with the hooks that run on base: version POTTERY_LOOP_VERSION, data = base.
 * base is borrowed: it must outlive every handle opened on *out, and be run by the caller
 * (event_base_dispatch or event_base_loop) on one thread. Watchers and timers are allocated
 * with malloc and freed by io_close and timer_close. Errors: POTTERY_EINVAL (out or base
 * NULL; *out is left untouched). */
POTTERY_LIBEVENT_API int pottery_libevent_loop(pottery_loop *out, struct event_base *base);

POTTERY_END_DECLS

#endif /* POTTERY_ADAPTERS_LIBEVENT_H */
