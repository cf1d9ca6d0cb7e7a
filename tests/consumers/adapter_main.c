/*
 * A program that uses an event-loop adapter the way any consumer would: the installed
 * headers, the adapter's library and its event library. It runs a 0 ms timer through the
 * pottery_loop the adapter fills and exits non-zero unless the timer fired once.
 * Built with CONSUMER_LIBEVENT or CONSUMER_LIBUV defined.
 */
#define _POSIX_C_SOURCE 200809L /* uv.h needs POSIX types under -std=c99 */

#include <pottery.h>

#include <stdio.h>
#include <string.h>

#if defined(CONSUMER_LIBEVENT)
#include <event2/event.h>
#include <pottery/adapters/libevent.h>
#define ADAPTER "libevent"
#elif defined(CONSUMER_LIBUV)
#include <uv.h>
#include <pottery/adapters/libuv.h>
#define ADAPTER "libuv"
#else
#error "define CONSUMER_LIBEVENT or CONSUMER_LIBUV"
#endif

static int fired;

static void on_timer(void *arg)
{
    (void)arg;
    fired++;
}

static int fail(const char *what)
{
    fprintf(stderr, "consumer (%s): FAILED: %s\n", ADAPTER, what);
    return 1;
}

int main(void)
{
    pottery_loop loop;
    pottery_loop_timer *timer;
#if defined(CONSUMER_LIBEVENT)
    struct event_base *base = event_base_new();

    if (!base) return fail("event_base_new");
    if (pottery_libevent_loop(&loop, base) != 0) return fail("pottery_libevent_loop");
#else
    uv_loop_t base;

    if (uv_loop_init(&base) != 0) return fail("uv_loop_init");
    if (pottery_libuv_loop(&loop, &base) != 0) return fail("pottery_libuv_loop");
#endif

    timer = loop.timer_open(loop.data, on_timer, NULL);
    if (!timer || loop.timer_start(timer, 0) != 0) return fail("timer_open, timer_start");
    if (fired != 0) return fail("the timer fired inside timer_start");
        /* Runs until nothing is left to wait for: the timer fires once, then the loop returns. */
#if defined(CONSUMER_LIBEVENT)
    if (event_base_dispatch(base) < 0) return fail("event_base_dispatch");
    loop.timer_close(timer);
    event_base_free(base);
#else
    if (uv_run(&base, UV_RUN_DEFAULT) != 0) return fail("uv_run");
    loop.timer_close(timer);
    /* The closed timer is freed on the next turn. */
    if (uv_run(&base, UV_RUN_DEFAULT) != 0 || uv_loop_close(&base) != 0) return fail("uv_loop_close");
#endif
    if (fired != 1) return fail("the timer did not fire once");
    /* And libpottery itself, which the adapter brought in. */
    if (strcmp(pottery_version(), POTTERY_VERSION_STRING) != 0) return fail("pottery_version()");
    printf("consumer (%s): ok, the 0 ms timer fired once\n", ADAPTER);
    return 0;
}
