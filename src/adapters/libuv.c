/*
 * pottery_loop on libuv (pottery/adapters/libuv.h). Built on the public API only: memory
 * comes from malloc, and errors go through pottery_error_set.
 */
#include <stdint.h>
#include <stdlib.h>

#include <uv.h>

#include "pottery/adapters/libuv.h"
#include "pottery/errors.h"

struct pottery_loop_io {
    uv_poll_t poll; /* poll.data points back here */
    pottery_loop_io_cb cb;
    void *arg;
    int want; /* the POTTERY_LOOP_* events the handle is started for (0: stopped) */
};

struct pottery_loop_timer {
    uv_timer_t timer; /* timer.data points back here */
    pottery_loop_timer_cb cb;
    void *arg;
};

/* The loop whose timer callback this thread is running, if any (see timer_start). */
static _Thread_local uv_loop_t *firing_loop;

static int uv_events(int events)
{
    return ((events & POTTERY_LOOP_READ) ? UV_READABLE : 0) | ((events & POTTERY_LOOP_WRITE) ? UV_WRITABLE : 0);
}

static void poll_ready(uv_poll_t *poll, int status, int ready)
{
    pottery_loop_io *io = poll->data;
    int events = 0;

    if (status < 0) {
        /* libuv has stopped the handle. Watch again, so that the error is reported on every
         * turn until the caller acts, as a level-triggered watcher would. */
        if (uv_poll_start(poll, uv_events(io->want), poll_ready) != 0) io->want = 0;
        events = POTTERY_LOOP_READ;
    } else {
        if (ready & UV_READABLE) events |= POTTERY_LOOP_READ;
        if (ready & UV_WRITABLE) events |= POTTERY_LOOP_WRITE;
    }
    /* Last: the callback may close io. */
    if (events) io->cb(io->arg, events);
}

static pottery_loop_io *io_open(void *data, int fd, pottery_loop_io_cb cb, void *arg)
{
    pottery_loop_io *io = calloc(1, sizeof *io);

    if (!io) return NULL;
    /* On failure the handle was never registered with the loop: free it at once. */
    if (uv_poll_init(data, &io->poll, fd) != 0) {
        free(io);
        return NULL;
    }
    io->poll.data = io;
    io->cb = cb;
    io->arg = arg;
    return io;
}

static int io_want(pottery_loop_io *io, int events)
{
    if (events & ~(POTTERY_LOOP_READ | POTTERY_LOOP_WRITE)) return -1;
    if (events == io->want) return 0;
    if (events == 0) {
        (void)uv_poll_stop(&io->poll);
    } else if (uv_poll_start(&io->poll, uv_events(events), poll_ready) != 0) {
        (void)uv_poll_stop(&io->poll);
        io->want = 0;
        return -1;
    }
    io->want = events;
    return 0;
}

static void free_handle(uv_handle_t *handle)
{
    free(handle->data);
}

static void io_close(pottery_loop_io *io)
{
    /* Stops the handle now (no callback after this); the memory goes on the next turn. */
    uv_close((uv_handle_t *)&io->poll, free_handle);
}

static void timer_fired(uv_timer_t *handle)
{
    const pottery_loop_timer *timer = handle->data;
    uv_loop_t *outer = firing_loop;

    firing_loop = handle->loop;
    timer->cb(timer->arg); /* may close timer */
    firing_loop = outer;
}

static pottery_loop_timer *timer_open(void *data, pottery_loop_timer_cb cb, void *arg)
{
    pottery_loop_timer *timer = calloc(1, sizeof *timer);

    if (!timer) return NULL;
    if (uv_timer_init(data, &timer->timer) != 0) {
        free(timer);
        return NULL;
    }
    timer->timer.data = timer;
    timer->cb = cb;
    timer->arg = arg;
    return timer;
}

static int timer_start(pottery_loop_timer *timer, int64_t ms)
{
    uv_loop_t *loop = timer->timer.loop;

    if (ms < 0) return -1;
    /* libuv before 1.48 runs a timer that is due at once, started from a timer callback, in
     * the same pass over the timers: one restarting itself with 0 ms would never let the loop
     * poll. 1 ms puts it on a later turn. */
    if (ms == 0 && firing_loop == loop) ms = 1;
    /* Inside the loop, libuv counts from the time cached at the start of the turn. */
    uv_update_time(loop);
    /* Starting an active timer moves its deadline: a restart replaces the earlier start. */
    return uv_timer_start(&timer->timer, timer_fired, (uint64_t)ms, 0) != 0 ? -1 : 0;
}

static void timer_stop(pottery_loop_timer *timer)
{
    (void)uv_timer_stop(&timer->timer);
}

static void timer_close(pottery_loop_timer *timer)
{
    uv_close((uv_handle_t *)&timer->timer, free_handle);
}

/* data is filled in by the call. */
static const pottery_loop hooks = { POTTERY_LOOP_VERSION, NULL,        io_open,    io_want,    io_close,
                                    timer_open,           timer_start, timer_stop, timer_close };

int pottery_libuv_loop(pottery_loop *out, struct uv_loop_s *loop)
{
    if (!out || !loop)
        return pottery_error_set(POTTERY_EINVAL, "pottery_libuv_loop: invalid argument (out or loop is NULL)");
    *out = hooks;
    out->data = loop;
    return 0;
}
