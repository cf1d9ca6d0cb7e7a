/* Internal: the monotonic clock every duration and deadline is measured on. */
#ifndef POTTERY_CORE_CLOCK_H
#define POTTERY_CORE_CLOCK_H

#include <stdint.h>

/* Nanoseconds on CLOCK_MONOTONIC (never goes back, unaffected by wall-clock changes). */
int64_t pottery__monotonic_ns(void);

/* The same in milliseconds. */
int64_t pottery__monotonic_ms(void);

/* The deadline timeout_ms after now_ms: INT64_MAX for POTTERY_FOREVER (any negative value)
 * and for a sum past the clock's range. */
int64_t pottery__deadline_after(int64_t now_ms, int64_t timeout_ms);

#endif
