/* Internal to pottery_redlock: the handle, shared by redlock.c (the lock) and
 * redlock_watchdog.c (the renewer that may watch it from its thread). */
#ifndef POTTERY_REDLOCK_IMPL_H
#define POTTERY_REDLOCK_IMPL_H

#include <stdatomic.h>
#include <stdint.h>

#include "pottery/redlock.h"
#include "redlock_core.h"

struct pottery_redlock {
    pottery_redlock_core core;
    pottery_client **masters;
    int64_t acquired_ns; /* monotonic time the last granted attempt began (0: not held) */
    _Atomic int lost;    /* 0 or a pottery_redlock_lost_reason; written by a watchdog's thread */
    /* The watchdog watching it (NULL: none). Only the holder's thread writes it, under the
     * watchdog's mutex; the watchdog reads it there. */
    pottery_watchdog *wd;
};

#endif
