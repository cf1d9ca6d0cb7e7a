/*
 * timer.h: pottery_timer, a stopwatch on the monotonic clock (Python: pottery.ContextTimer).
 *
 * Measures wall-clock (not CPU) time. A timer goes not-started -> started -> stopped and is
 * not reusable, exactly like ContextTimer. No Redis involved; no allocation.
 *
 *     pottery_timer t = POTTERY_TIMER_INIT;
 *     POTTERY_TIMER_SCOPE(&t) {          // with ContextTimer() as timer:
 *         do_work();
 *     }                                  // stopped here
 *     int64_t ms;
 *     pottery_timer_elapsed(&ms, &t);    // frozen at the stop
 */
#ifndef POTTERY_TIMER_H
#define POTTERY_TIMER_H

#include <stdint.h>

#include "common.h"

POTTERY_BEGIN_DECLS

typedef struct pottery_timer {
    int state_;        /* private: 0 not started, 1 running, 2 stopped */
    int64_t start_ns_; /* private: monotonic clock readings */
    int64_t stop_ns_;
} pottery_timer;

#define POTTERY_TIMER_INIT                                                                                             \
    {                                                                                                                  \
        0, 0, 0                                                                                                        \
    }

/* Start the timer. Errors: POTTERY_ESTATE ("timer has already been started" / "... stopped"),
 * POTTERY_EINVAL (NULL). */
POTTERY_API int pottery_timer_start(pottery_timer *timer);

/* Stop the timer; elapsed time freezes. Errors: POTTERY_ESTATE ("timer hasn't yet been
 * started" / "timer has already been stopped"), POTTERY_EINVAL. */
POTTERY_API int pottery_timer_stop(pottery_timer *timer);

/* Elapsed milliseconds, rounded half to even as Python's round() does: now - start while
 * running, stop - start once stopped. Errors: POTTERY_ESTATE (not started), POTTERY_EINVAL. */
POTTERY_API int pottery_timer_elapsed(int64_t *out_ms, const pottery_timer *timer);

/* The same in nanoseconds, unrounded. */
POTTERY_API int pottery_timer_elapsed_ns(int64_t *out_ns, const pottery_timer *timer);

POTTERY_END_DECLS

/* Python's `with ContextTimer() as timer:` — starts the timer, runs the block once, stops
 * the timer when the block ends normally. Leaving the block with break, return or goto
 * skips the stop. */
#define POTTERY_TIMER_SCOPE(timer)                                                                                     \
    for (int pottery_timer_once_ = (pottery_timer_start(timer), 1); pottery_timer_once_;                               \
         pottery_timer_once_ = 0, (void)pottery_timer_stop(timer))

#ifdef __cplusplus
namespace pottery
{
/* C++: stops the timer when the scope ends, however it ends. */
class scoped_timer
{
  public:
    explicit scoped_timer(pottery_timer &t) : timer_(t)
    {
        (void)pottery_timer_start(&timer_);
    }
    ~scoped_timer()
    {
        (void)pottery_timer_stop(&timer_);
    }
    scoped_timer(const scoped_timer &) = delete;
    scoped_timer &operator=(const scoped_timer &) = delete;

  private:
    pottery_timer &timer_;
};
} /* namespace pottery */
#endif

#endif /* POTTERY_TIMER_H */
