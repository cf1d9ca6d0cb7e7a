/*
 * Test and benchmark support: the event loops libpottery has adapters for, behind one small
 * table, so that a program runs the same code on each. Define LOOP_KINDS_LIBEVENT and/or
 * LOOP_KINDS_LIBUV (with the adapter linked) before including it; each defines
 * loop_kind_libevent / loop_kind_libuv.
 */
#ifndef POTTERY_TEST_LOOP_KINDS_H
#define POTTERY_TEST_LOOP_KINDS_H

#include <stdlib.h>

#include "pottery/loop.h"

#ifdef LOOP_KINDS_LIBEVENT
#include <event2/event.h>

#include "pottery/adapters/libevent.h"
#endif
#ifdef LOOP_KINDS_LIBUV
#include <uv.h>

#include "pottery/adapters/libuv.h"
#endif

typedef struct loop_kind {
    const char *name;
    void *(*create)(void);                        /* a new loop, or NULL */
    int (*fill)(pottery_loop *out, void *native); /* the adapter: 0 or an error */
    void (*turn)(void *native);                   /* one turn, waiting for something to happen */
    int (*destroy)(void *native);                 /* 0, or non-zero when handles were left */
} loop_kind;

#ifdef LOOP_KINDS_LIBEVENT
static void *loop_kinds_event_create(void)
{
    return event_base_new();
}
static int loop_kinds_event_fill(pottery_loop *out, void *native)
{
    return pottery_libevent_loop(out, native);
}
static void loop_kinds_event_turn(void *native)
{
    event_base_loop(native, EVLOOP_ONCE);
}
static int loop_kinds_event_destroy(void *native)
{
    event_base_free(native);
    return 0;
}
static const loop_kind loop_kind_libevent = { "libevent", loop_kinds_event_create, loop_kinds_event_fill,
                                              loop_kinds_event_turn, loop_kinds_event_destroy };
#endif

#ifdef LOOP_KINDS_LIBUV
static void *loop_kinds_uv_create(void)
{
    uv_loop_t *loop = malloc(sizeof *loop);
    if (loop && uv_loop_init(loop) != 0) {
        free(loop);
        return NULL;
    }
    return loop;
}
static int loop_kinds_uv_fill(pottery_loop *out, void *native)
{
    return pottery_libuv_loop(out, native);
}
static void loop_kinds_uv_turn(void *native)
{
    uv_run(native, UV_RUN_ONCE);
}
static int loop_kinds_uv_destroy(void *native)
{
    /* Closed handles are freed by their close callbacks on the loop's last turns; a handle
     * left active would keep it turning for ever (uv_loop_close reports it). */
    for (int turns = 0; turns < 100 && uv_run(native, UV_RUN_NOWAIT) != 0; turns++) {
    }
    int rc = uv_loop_close(native);
    free(native);
    return rc;
}
static const loop_kind loop_kind_libuv = { "libuv", loop_kinds_uv_create, loop_kinds_uv_fill, loop_kinds_uv_turn,
                                           loop_kinds_uv_destroy };
#endif

#endif
