/*
 * pottery_loop on libevent 2.1 (pottery/adapters/libevent.h). Built on the public API only:
 * memory comes from malloc, as libevent's own does, and errors go through
 * pottery_error_set.
 */
#include <stdint.h>
#include <stdlib.h>

#include <event2/event.h>

#include "pottery/adapters/libevent.h"
#include "pottery/errors.h"

/* Longer delays are cut to this (about 68 years), which a 32-bit time_t still holds. */
#define MAX_DELAY_MS ((int64_t)INT32_MAX * 1000)

struct pottery_loop_io {
    struct event *ev;
    pottery_loop_io_cb cb;
    void *arg;
    int want; /* the POTTERY_LOOP_* events the event is added for (0: not added) */
};

struct pottery_loop_timer {
    struct event *ev;
    pottery_loop_timer_cb cb;
    void *arg;
};

static void io_ready(evutil_socket_t fd, short what, void *p)
{
    const pottery_loop_io *io = p;
    int events = 0;

    (void)fd;
    if (what & EV_READ) events |= POTTERY_LOOP_READ;
    if (what & EV_WRITE) events |= POTTERY_LOOP_WRITE;
    /* Last: the callback may close io. */
    if (events) io->cb(io->arg, events);
}

static pottery_loop_io *io_open(void *data, int fd, pottery_loop_io_cb cb, void *arg)
{
    pottery_loop_io *io = calloc(1, sizeof *io);

    if (!io) return NULL;
    /* Not added until io_want asks for events. */
    io->ev = event_new(data, fd, EV_PERSIST, io_ready, io);
    if (!io->ev) {
        free(io);
        return NULL;
    }
    io->cb = cb;
    io->arg = arg;
    return io;
}

static int io_want(pottery_loop_io *io, int events)
{
    short what = EV_PERSIST;

    if (events & ~(POTTERY_LOOP_READ | POTTERY_LOOP_WRITE)) return -1;
    if (events == io->want) return 0;
    /* libevent changes no flags of an added event: take it out, reassign it, add it back.
     * event_del also drops a readiness already queued for this turn. */
    if (event_del(io->ev) != 0) return -1;
    io->want = 0;
    if (events == 0) return 0;
    if (events & POTTERY_LOOP_READ) what |= EV_READ;
    if (events & POTTERY_LOOP_WRITE) what |= EV_WRITE;
    if (event_assign(io->ev, event_get_base(io->ev), event_get_fd(io->ev), what, io_ready, io) != 0 ||
        event_add(io->ev, NULL) != 0)
        return -1;
    io->want = events;
    return 0;
}

static void io_close(pottery_loop_io *io)
{
    /* Allowed from inside io's own callback: libevent touches no event after its callback. */
    event_free(io->ev);
    free(io);
}

static void timer_fired(evutil_socket_t fd, short what, void *p)
{
    const pottery_loop_timer *timer = p;

    (void)fd;
    (void)what;
    timer->cb(timer->arg);
}

static pottery_loop_timer *timer_open(void *data, pottery_loop_timer_cb cb, void *arg)
{
    pottery_loop_timer *timer = calloc(1, sizeof *timer);

    if (!timer) return NULL;
    timer->ev = evtimer_new(data, timer_fired, timer);
    if (!timer->ev) {
        free(timer);
        return NULL;
    }
    timer->cb = cb;
    timer->arg = arg;
    return timer;
}

static int timer_start(pottery_loop_timer *timer, int64_t ms)
{
    struct timeval tv;

    if (ms < 0) return -1;
    if (ms > MAX_DELAY_MS) ms = MAX_DELAY_MS;
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
    /* Inside the loop, libevent counts from the time cached at the start of the turn. */
    if (event_base_update_cache_time(event_get_base(timer->ev)) != 0) return -1;
    /* Adding a pending timer again moves its deadline: a restart replaces the earlier start. */
    return evtimer_add(timer->ev, &tv) != 0 ? -1 : 0;
}

static void timer_stop(pottery_loop_timer *timer)
{
    (void)evtimer_del(timer->ev);
}

static void timer_close(pottery_loop_timer *timer)
{
    event_free(timer->ev);
    free(timer);
}

/* data is filled in by the call. */
static const pottery_loop hooks = { POTTERY_LOOP_VERSION, NULL,        io_open,    io_want,    io_close,
                                    timer_open,           timer_start, timer_stop, timer_close };

int pottery_libevent_loop(pottery_loop *out, struct event_base *base)
{
    if (!out || !base)
        return pottery_error_set(POTTERY_EINVAL, "pottery_libevent_loop: invalid argument (out or base is NULL)");
    *out = hooks;
    out->data = base;
    return 0;
}
