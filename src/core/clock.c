#include "core/clock.h"

#include <stdint.h>
#include <time.h>

int64_t pottery__monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t pottery__monotonic_ms(void)
{
    return pottery__monotonic_ns() / 1000000;
}

int64_t pottery__deadline_after(int64_t now_ms, int64_t timeout_ms)
{
    if (timeout_ms < 0 || timeout_ms > INT64_MAX - now_ms) return INT64_MAX;
    return now_ms + timeout_ms;
}
