/**
 * @file libuv.h
 * The event-loop adapter for libuv (1.x): a pottery_loop (loop.h) that runs the
 * asynchronous API on a uv_loop_t.
 *
 * It is a library of its own: link pottery::libuv (CMake, find_package(pottery COMPONENTS
 * libuv)) or pkg-config libpottery-libuv, which bring libuv with them. libpottery itself
 * links no event library. This header only names struct uv_loop_s, which is what uv.h calls
 * uv_loop_t (so it compiles where `<uv.h>` would need POSIX feature macros); include
 * `<uv.h>` to create and run the loop.
 *
 * How the hooks map onto libuv:
 * - A watcher is a uv_poll_t (level-triggered). uv_poll_init makes the socket non-blocking,
 *   and libuv lets one poll handle per socket exist at a time: close a watcher before
 *   opening another on the same socket. When libuv reports an error on the socket (it then
 *   stops the handle), the watcher is started again and reports the socket readable, so
 *   that the caller's read sees the error, on every turn until the caller acts.
 * - A timer is a uv_timer_t; timer_start updates the loop's time first, so that the delay
 *   counts from the call and not from the start of the loop's turn. libuv (before 1.48)
 *   runs a timer started with 0 ms from inside a timer callback in that same pass, so that a
 *   timer restarting itself would starve the loop: a 0 ms start made from inside one of this
 *   adapter's timer callbacks waits 1 ms instead, and so fires on a later turn.
 * - io_close and timer_close call uv_close: the callback is never called again, but the
 *   memory is freed by the close callback, on the loop's next turn. uv_run(UV_RUN_DEFAULT)
 *   runs those callbacks before it returns; a loop driven with UV_RUN_ONCE / UV_RUN_NOWAIT,
 *   or stopped with uv_stop, must run once more after the last handle was closed (uv_run
 *   until it returns 0) before uv_loop_close, or the handles leak and uv_loop_close fails
 *   with UV_EBUSY.
 */
#ifndef POTTERY_ADAPTERS_LIBUV_H
#define POTTERY_ADAPTERS_LIBUV_H

#include "../loop.h"

/** @def POTTERY_LIBUV_API
 * Marks the adapter's exported functions (libpottery's own use POTTERY_API). */
#if defined(_WIN32) && defined(POTTERY_SHARED)
#if defined(POTTERY_LIBUV_BUILDING)
#define POTTERY_LIBUV_API __declspec(dllexport)
#else
#define POTTERY_LIBUV_API __declspec(dllimport)
#endif
#else
#define POTTERY_LIBUV_API POTTERY_API
#endif

POTTERY_BEGIN_DECLS

struct uv_loop_s;

/** Fill *out with the hooks that run on loop (a uv_loop_t): version POTTERY_LOOP_VERSION,
 * data = loop. loop is borrowed: it must outlive every handle opened on *out (and the turn
 * that frees the last one), and be run by the caller (uv_run) on one thread. Watchers and
 * timers are allocated with malloc and freed by the close callbacks of io_close and
 * timer_close. Errors: POTTERY_EINVAL (out or loop NULL; *out is left untouched). */
POTTERY_LIBUV_API int pottery_libuv_loop(pottery_loop *out, struct uv_loop_s *loop);

POTTERY_END_DECLS

#endif /* POTTERY_ADAPTERS_LIBUV_H */
