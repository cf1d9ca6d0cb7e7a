/* The AIORedlock session of the README, whatever the event loop: pottery's two asyncio
 * examples (acquire/release, then `async with`) as a chain of callbacks. Each `await`
 * becomes a start function and the callback that carries on from where it left off.
 * aioredlock_libevent.c and aioredlock_libuv.c run it on their loop. */
#ifndef EXAMPLES_AIOREDLOCK_H
#define EXAMPLES_AIOREDLOCK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <pottery.h>

static void check(int rc)
{
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", pottery_error_last()->message);
        exit(1);
    }
}

typedef struct app {
    pottery_async *redis;
    pottery_aioredlock *shower;
} app;

/* The steps, in the order the loop runs them. */
static void on_acquire(int status, int acquired, void *payload);
static void on_locked_held(int status, int64_t validity_ms, void *payload);
static void on_release(int status, void *payload);
static void on_locked_released(int status, int64_t validity_ms, void *payload);
static void shower_body(pottery_aioredlock *shower, void *payload);
static void on_locked_in_body(int status, int64_t validity_ms, void *payload);
static void on_with_done(int status, void *payload);
static void on_locked_after_with(int status, int64_t validity_ms, void *payload);

/* print(f"shower is {'occupied' if await shower.locked() else 'available'}") */
static void print_shower(int status, int64_t validity_ms)
{
    check(status);
    printf("shower is %s\n", validity_ms > 0 ? "occupied" : "available");
}

/* if await shower.acquire(): */
static void on_acquire(int status, int acquired, void *payload)
{
    app *a = payload;
    check(status);
    if (acquired) /* Critical section - no other callback can enter while we hold the lock. */
        check(pottery_aioredlock_locked(a->shower, on_locked_held, a));
    else
        check(pottery_aioredlock_locked(a->shower, on_locked_released, a));
}

static void on_locked_held(int status, int64_t validity_ms, void *payload)
{
    app *a = payload;
    print_shower(status, validity_ms);
    check(pottery_aioredlock_release(a->shower, on_release, a)); /* await shower.release() */
}

static void on_release(int status, void *payload)
{
    app *a = payload;
    check(status);
    check(pottery_aioredlock_locked(a->shower, on_locked_released, a));
}

static void on_locked_released(int status, int64_t validity_ms, void *payload)
{
    app *a = payload;
    print_shower(status, validity_ms);
    /* async with shower: the body runs once the lock is held */
    check(pottery_aioredlock_with(a->shower, shower_body, on_with_done, a));
}

static void shower_body(pottery_aioredlock *shower, void *payload)
{
    /* Critical section - no other callback can enter while we hold the lock. */
    check(pottery_aioredlock_locked(shower, on_locked_in_body, payload));
}

static void on_locked_in_body(int status, int64_t validity_ms, void *payload)
{
    app *a = payload;
    print_shower(status, validity_ms);
    check(pottery_aioredlock_with_end(a->shower, 0)); /* leave the block: release, then on_with_done */
}

static void on_with_done(int status, void *payload)
{
    app *a = payload;
    check(status);
    check(pottery_aioredlock_locked(a->shower, on_locked_after_with, a));
}

static void on_locked_after_with(int status, int64_t validity_ms, void *payload)
{
    app *a = payload;
    print_shower(status, validity_ms);
    /* The last step frees the handles: with no connection left to watch, the loop returns. */
    pottery_aioredlock_free(a->shower);
    pottery_async_free(a->redis);
}

/* async def main(): open the master and the lock on loop, and start the first step. */
static void start_session(app *a, const pottery_loop *loop)
{
    check(pottery_async_open(&a->redis, loop, NULL, NULL)); /* $REDIS_URL or redis://localhost:6379/0 */
    pottery_async *masters[] = { a->redis };                /* in production: five masters */

    /* shower = AIORedlock(key='shower', masters={aioredis}) */
    check(pottery_aioredlock_new(&a->shower, "shower", masters, 1, NULL));
    check(pottery_aioredlock_acquire(a->shower, 1, POTTERY_FOREVER, on_acquire, a));
}

#endif
