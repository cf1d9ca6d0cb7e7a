/* pottery_timer: ContextTimer on CLOCK_MONOTONIC. */
#include "core/clock.h"
#include "core/error.h"
#include "pottery/timer.h"

enum { NOT_STARTED = 0, RUNNING = 1, STOPPED = 2 };

int pottery_timer_start(pottery_timer *timer)
{
    POTTERY_CHECK_ARG(timer);
    if (timer->state_ == STOPPED) return pottery__error(POTTERY_ESTATE, "timer has already been stopped");
    if (timer->state_ == RUNNING) return pottery__error(POTTERY_ESTATE, "timer has already been started");
    timer->start_ns_ = pottery__monotonic_ns();
    timer->state_ = RUNNING;
    return 0;
}

int pottery_timer_stop(pottery_timer *timer)
{
    POTTERY_CHECK_ARG(timer);
    if (timer->state_ == STOPPED) return pottery__error(POTTERY_ESTATE, "timer has already been stopped");
    if (timer->state_ != RUNNING) return pottery__error(POTTERY_ESTATE, "timer hasn't yet been started");
    timer->stop_ns_ = pottery__monotonic_ns();
    timer->state_ = STOPPED;
    return 0;
}

int pottery_timer_elapsed_ns(int64_t *out_ns, const pottery_timer *timer)
{
    POTTERY_CHECK_ARG(out_ns);
    POTTERY_CHECK_ARG(timer);
    if (timer->state_ == RUNNING) {
        *out_ns = pottery__monotonic_ns() - timer->start_ns_;
    } else if (timer->state_ == STOPPED) {
        *out_ns = timer->stop_ns_ - timer->start_ns_;
    } else {
        return pottery__error(POTTERY_ESTATE, "timer hasn't yet been started");
    }
    return 0;
}

int pottery_timer_elapsed(int64_t *out_ms, const pottery_timer *timer)
{
    int64_t ns;
    POTTERY_CHECK_ARG(out_ms);
    int rc = pottery_timer_elapsed_ns(&ns, timer);
    if (rc < 0) return rc;
    /* Python: round(seconds * 1000), which rounds exact halves to the even neighbour. */
    int64_t ms = ns / 1000000, rem = ns % 1000000;
    if (rem > 500000 || (rem == 500000 && (ms & 1))) ms++;
    *out_ms = ms;
    return 0;
}
