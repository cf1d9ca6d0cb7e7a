/* Internal: what the semaphore's blocking acquire and the rate limiter's blocking acquire
 * share (semaphore.c). */
#ifndef POTTERY_SEMAPHORE_IMPL_H
#define POTTERY_SEMAPHORE_IMPL_H

#include <stdint.h>

/* Sleep ms milliseconds (nothing for ms <= 0), resuming after signals. */
void pottery__sleep_ms(int64_t ms);

/* A uniformly random 0 to max_ms (max_ms / 2 without randomness; 0 for max_ms <= 0). */
int64_t pottery__random_ms(int64_t max_ms);

/* The ms left until deadline_ms (pottery__monotonic_ms's clock), rounded down, never
 * negative; INT64_MAX for INT64_MAX (no deadline). */
int64_t pottery__ms_until(int64_t deadline_ms);

#endif
