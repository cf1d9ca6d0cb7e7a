/**
 * @file
 * pottery_timer, a stopwatch on the monotonic clock (Python: pottery.ContextTimer).
 *
 * Measures wall-clock (not CPU) time. A timer goes not-started -> started -> stopped and is
 * not reusable, exactly like ContextTimer. No Redis involved (so no key and no client); no
 * allocation.
 *
 *     pottery_timer t = POTTERY_TIMER_INIT;
 *     int rc;
 *     POTTERY_TIMER_SCOPE(rc, &t) {      // with ContextTimer() as timer:
 *         do_work();
 *     }                                  // stopped here
 *     if (rc < 0) ...;                   // the timer was not fresh: the block did not run
 *     int64_t ms;
 *     pottery_timer_elapsed(&ms, &t);    // frozen at the stop
 */
#ifndef POTTERY_TIMER_H
#define POTTERY_TIMER_H

#include <stdint.h>

#include "common.h"

POTTERY_BEGIN_DECLS

/** A stopwatch: caller-allocated (on the stack is fine), initialised with
 * POTTERY_TIMER_INIT; its members are private. */
typedef struct pottery_timer {
    int state_;        /**< private: 0 not started, 1 running, 2 stopped */
    int64_t start_ns_; /**< private: the monotonic clock at the start */
    int64_t stop_ns_;  /**< private: the monotonic clock at the stop */
} pottery_timer;

/** A timer that was not started yet. */
#define POTTERY_TIMER_INIT                                                                                             \
    {                                                                                                                  \
        0, 0, 0                                                                                                        \
    }

/** `timer.start()`. Errors: POTTERY_ESTATE ("timer has already been started" / "timer has
 * already been stopped": a timer is not reusable), POTTERY_EINVAL (NULL). */
POTTERY_API int pottery_timer_start(pottery_timer *timer);

/** `timer.stop()`: the elapsed time freezes. Errors: POTTERY_ESTATE ("timer hasn't yet been
 * started" / "timer has already been stopped"), POTTERY_EINVAL (NULL). */
POTTERY_API int pottery_timer_stop(pottery_timer *timer);

/** `timer.elapsed()`: elapsed milliseconds into *out_ms, rounded half to even as Python's
 * round() does: now - start while running, stop - start once stopped. Errors:
 * POTTERY_ESTATE ("timer hasn't yet been started"), POTTERY_EINVAL (NULL). */
POTTERY_API int pottery_timer_elapsed(int64_t *out_ms, const pottery_timer *timer);

/** The same as pottery_timer_elapsed in nanoseconds, unrounded. */
POTTERY_API int pottery_timer_elapsed_ns(int64_t *out_ns, const pottery_timer *timer);

POTTERY_END_DECLS

/** Python's `with ContextTimer() as timer:` on a fresh timer: start it, run the block once,
 * stop it when the block ends. `rc` names an int variable (an lvalue) that receives the
 * outcome, as outputs come first everywhere in the library:
 *  - 0: the block ran and the timer was stopped after it;
 *  - the error of pottery_timer_start (POTTERY_ESTATE for a timer that was already started
 *    or stopped, POTTERY_EINVAL for NULL): the block did NOT run and the timer is untouched,
 *    as Python raises RuntimeError on entering the `with` and never runs its body;
 *  - the error of pottery_timer_stop (POTTERY_ESTATE: the block stopped the timer itself):
 *    the block ran, as Python's `__exit__` raises after the body.
 *
 * pottery_error_last() has the message. Leaving the block with break, return or goto skips
 * the stop (rc stays 0 and the timer keeps running). `timer` is evaluated twice. */
#define POTTERY_TIMER_SCOPE(rc, timer)                                                                                 \
    for (int pottery_timer_once_ = ((rc) = pottery_timer_start(timer)) == 0; pottery_timer_once_;                      \
         pottery_timer_once_ = 0, (rc) = pottery_timer_stop(timer))

#ifdef __cplusplus
/** C++ helpers. */
namespace pottery
{
/** C++: starts a fresh timer and stops it when the scope ends, however it ends. A timer
 * that was already started or stopped is left alone (neither started nor stopped):
 * start_result() says so, as no exception is thrown. */
class scoped_timer
{
  public:
    /** Start t; start_result() gives the outcome. */
    explicit scoped_timer(pottery_timer &t) : timer_(t), start_rc_(pottery_timer_start(&t))
    {
    }
    /** Stop the timer if this scope started it. */
    ~scoped_timer()
    {
        if (start_rc_ == 0) (void)pottery_timer_stop(&timer_);
    }
    /** 0 if this scope started the timer, else pottery_timer_start's error (POTTERY_ESTATE
     * for a timer that was not fresh). */
    int start_result() const
    {
        return start_rc_;
    }
    scoped_timer(const scoped_timer &) = delete;            /**< not copyable */
    scoped_timer &operator=(const scoped_timer &) = delete; /**< not assignable */

  private:
    pottery_timer &timer_; /**< the timer, borrowed */
    int start_rc_;         /**< what pottery_timer_start answered */
};
} /* namespace pottery */
#endif

#endif /* POTTERY_TIMER_H */
