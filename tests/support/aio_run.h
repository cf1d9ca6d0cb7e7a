/*
 * Test support for the event-loop tests: the loop under test (one of loop_kinds.h, chosen by
 * the program's argument), a ticker that measures the longest time the loop went without
 * turning, turning the loop until callbacks came or for a while, and callbacks of the
 * asynchronous lock and id generator that record what they were told. Define LOOP_KINDS_*
 * (see loop_kinds.h) before including it.
 */
#ifndef POTTERY_TEST_AIO_RUN_H
#define POTTERY_TEST_AIO_RUN_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "pottery.h"
#include "support/assert_ok.h"
#include "support/loop_kinds.h"

static inline int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the event loop under test ---- */

static const loop_kind *kind;
static void *native;
static pottery_loop loop;

/* A timer on the loop's own hooks that fires every period ms and records the longest gap
 * between two firings: it stays short only if nothing blocks the loop's thread. */
typedef struct ticker {
    pottery_loop_timer *timer;
    int64_t period_ms;
    int64_t last_ns;
    int64_t max_gap_ns;
    long ticks;
} ticker;

static inline void on_tick(void *arg)
{
    ticker *t = arg;
    int64_t now = now_ns();
    if (t->last_ns && now - t->last_ns > t->max_gap_ns) t->max_gap_ns = now - t->last_ns;
    t->last_ns = now;
    t->ticks++;
    assert_int_equal(loop.timer_start(t->timer, t->period_ms), 0);
}

static inline void ticker_start(ticker *t, int64_t period_ms)
{
    memset(t, 0, sizeof *t);
    t->period_ms = period_ms;
    t->timer = loop.timer_open(loop.data, on_tick, t);
    assert_non_null(t->timer);
    assert_int_equal(loop.timer_start(t->timer, period_ms), 0);
}

static inline void ticker_stop(ticker *t)
{
    loop.timer_close(t->timer);
}

/* Turn the loop until *counter reaches target (fails after max_ms). A ticker keeps the
 * loop turning when nothing else happens. */
static inline void run_until(const int *counter, int target, int64_t max_ms)
{
    ticker keepalive;
    ticker_start(&keepalive, 10);
    int64_t end = now_ns() + max_ms * 1000000;
    while (*counter < target) {
        if (now_ns() > end) {
            ticker_stop(&keepalive);
            fail_msg("%s: %d of %d callbacks after %lld ms", kind->name, *counter, target, (long long)max_ms);
        }
        kind->turn(native);
    }
    ticker_stop(&keepalive);
}

/* Turn the loop for ms milliseconds. */
static inline void run_for(int64_t ms)
{
    ticker keepalive;
    ticker_start(&keepalive, 5);
    int64_t end = now_ns() + ms * 1000000;
    while (now_ns() < end) kind->turn(native);
    ticker_stop(&keepalive);
}

/* The loop named by the program's first argument: 0, or -1 after printing the usage. */
static inline int choose_loop(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "";
#ifdef LOOP_KINDS_LIBEVENT
    if (strcmp(name, "libevent") == 0) kind = &loop_kind_libevent;
#endif
#ifdef LOOP_KINDS_LIBUV
    if (strcmp(name, "libuv") == 0) kind = &loop_kind_libuv;
#endif
    if (kind) return 0;
    fprintf(stderr, "usage: %s libevent|libuv (an adapter this build has)\n", argv[0]);
    return -1;
}

/* ---- callbacks that record what they were told ---- */

typedef struct outcome {
    int calls;
    int status;
    int acquired;
    int64_t value;
    char message[512];
} outcome;

static inline void record(outcome *o, int status)
{
    o->calls++;
    o->status = status;
    snprintf(o->message, sizeof o->message, "%s", status < 0 ? pottery_error_last()->message : "");
}

static inline void on_acquire(int status, int acquired, void *payload)
{
    outcome *o = payload;
    o->acquired = acquired;
    record(o, status);
}

static inline void on_status(int status, void *payload)
{
    record(payload, status);
}

static inline void on_value(int status, int64_t value, void *payload)
{
    outcome *o = payload;
    o->value = value;
    record(o, status);
}

/* Start op (a call returning 0), then run the loop until its outcome arrived. */
#define AWAIT(o, call)                                                                                                 \
    do {                                                                                                               \
        memset(&(o), 0, sizeof(o));                                                                                    \
        assert_ok(call);                                                                                               \
        assert_int_equal((o).calls, 0); /* never from inside the start function */                                     \
        run_until(&(o).calls, 1, 10000);                                                                               \
    } while (0)

#endif
