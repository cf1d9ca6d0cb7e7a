/* Internal to pottery_aioredlock: the handle, shared by aioredlock.c (the lock) and
 * aiowatchdog.c (the renewer on the loop that may watch it). */
#ifndef POTTERY_AIOREDLOCK_IMPL_H
#define POTTERY_AIOREDLOCK_IMPL_H

#include <stdint.h>

#include "async/async_impl.h"
#include "pottery/aioredlock.h"
#include "redlock_core.h"

enum op { OP_NONE, OP_ACQUIRE, OP_RELEASE, OP_LOCKED, OP_EXTEND };

struct pottery_aioredlock {
    pottery_redlock_core core;
    pottery_async **masters;
    pottery_loop loop;
    pottery_loop_timer *timer; /* between attempts; answers known without asking */
    pottery_afanout af;
    pottery_cmd cmd; /* the running fan-out's command (it borrows it) */
    enum op op;
    int starting; /* inside a start function: failures are returned, not called back */
    /* acquire */
    pottery_redlock_wait wait;
    int dead;
    int attempt_rc;
    pottery_error_saved attempt_error;
    int64_t answer; /* locked: the value to report from the timer */
    /* the operation's callback */
    pottery_aioredlock_acquire_cb acquire_cb;
    pottery_aioredlock_cb status_cb;
    pottery_aioredlock_locked_cb locked_cb;
    void *payload;
    /* pottery_aioredlock_with */
    int with; /* 1: acquiring for a body, 2: the body runs, 3: releasing after it */
    pottery_aioredlock_body body;
    pottery_aioredlock_cb with_done;
    void *with_payload;
    int body_status;
    pottery_error_saved body_error;
    /* lock lifetime */
    int64_t attempt_ns;      /* monotonic time the running acquire attempt began */
    int64_t acquired_ns;     /* ... and the last granted one (0: not held) */
    int lost;                /* 0 or a pottery_redlock_lost_reason (pottery_aioredlock_lost) */
    pottery_aiowatchdog *wd; /* the watchdog watching it, or NULL */
};

#endif
