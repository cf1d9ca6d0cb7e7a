/**
 * @file
 * The whole of libpottery, Redis containers and distributed primitives for C.
 *
 * Each module also has its own header under pottery/ that can be included alone.
 * Conventions (see README.md): functions return 0 or a negative POTTERY_E* code; results
 * come back through out-parameters written first; inputs are borrowed for the call; what
 * the library hands back is the caller's to free with the matching _free/_dispose;
 * a client and its handles are used by one thread at a time, and a pool's (pool.h) by many.
 */
#ifndef POTTERY_H
#define POTTERY_H

#include "pottery/common.h"
#include "pottery/version.h"
#include "pottery/errors.h"
#include "pottery/value.h"
#include "pottery/client.h"
#include "pottery/pool.h"
#include "pottery/dict.h"
#include "pottery/set.h"
#include "pottery/list.h"
#include "pottery/deque.h"
#include "pottery/counter.h"
#include "pottery/queue.h"
#include "pottery/rqueue.h"
#include "pottery/timer.h"
#include "pottery/redlock.h"
#include "pottery/rlock.h"
#include "pottery/rwlock.h"
#include "pottery/watchdog.h"
#include "pottery/nextid.h"
#include "pottery/cache.h"
#include "pottery/cached_ordered_dict.h"
#include "pottery/hll.h"
#include "pottery/bloom.h"
#include "pottery/loop.h"
#include "pottery/async.h"
#include "pottery/aioredlock.h"
#include "pottery/aionextid.h"
#include "pottery/semaphore.h"
#include "pottery/ratelimit.h"

#endif /* POTTERY_H */
