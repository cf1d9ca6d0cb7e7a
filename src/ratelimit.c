/* pottery_ratelimit: GCRA in one script (src/lua/ratelimit_acquire.lua) on the server's
 * clock; the blocking acquire sleeps the wait each refusal names. */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>

#include "conn/conn.h"
#include "container.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"
#include "pottery/ratelimit.h"
#include "semaphore_impl.h"

/* The longest period and the longest burst span: timestamps in µs stay exact integers in
 * the script's Lua numbers (10^12 ms is about 31 years). */
#define MAX_SPAN_MS ((int64_t)1000000000000)

struct pottery_ratelimit {
    pottery_container c; /* first: the shared open skeleton allocates the handle */
    int64_t interval_us; /* T = period / limit, rounded up */
    int64_t burst;
};

typedef struct settings {
    int64_t interval_us, burst;
} settings;

static int set_settings(pottery_container *c, const void *ctx)
{
    const settings *s = ctx;
    ((pottery_ratelimit *)c)->interval_us = s->interval_us;
    ((pottery_ratelimit *)c)->burst = s->burst;
    return 0;
}

int pottery_ratelimit_open(pottery_ratelimit **out, pottery_client *client, const char *key, int64_t limit,
                           int64_t period_ms, const pottery_ratelimit_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    POTTERY_CHECK_ARG(key);
    if (limit < 1) return pottery__error(POTTERY_EINVAL, "%s: limit must be >= 1 (got %" PRId64 ")", __func__, limit);
    if (period_ms < 1 || period_ms > MAX_SPAN_MS)
        return pottery__error(POTTERY_EINVAL, "%s: period_ms must be from 1 to %" PRId64 " (got %" PRId64 ")", __func__,
                              MAX_SPAN_MS, period_ms);
    if (limit > period_ms * 1000)
        return pottery__error(POTTERY_EINVAL,
                              "%s: limit %" PRId64 " per %" PRId64 " ms is more than one operation per microsecond",
                              __func__, limit, period_ms);
    settings s = { (period_ms * 1000 + limit - 1) / limit, limit };
    if (opts) {
        int rc = pottery__options_check(opts->version, POTTERY_RATELIMIT_OPTIONS_VERSION, __func__);
        if (rc < 0) return rc;
        if (opts->burst < 0)
            return pottery__error(POTTERY_EINVAL, "%s: burst must be >= 1, or 0 for limit (got %" PRId64 ")", __func__,
                                  opts->burst);
        if (opts->burst > 0) s.burst = opts->burst;
    }
    if (s.burst > MAX_SPAN_MS * 1000 / s.interval_us)
        return pottery__error(POTTERY_EINVAL, "%s: a burst of %" PRId64 " spans more than %" PRId64 " ms", __func__,
                              s.burst, MAX_SPAN_MS);
    pottery_container *c;
    int rc = pottery__container_open(&c, sizeof(pottery_ratelimit), client, key, set_settings, &s);
    if (rc == 0) *out = (pottery_ratelimit *)c;
    return rc;
}

void pottery_ratelimit_free(pottery_ratelimit *rl)
{
    if (!rl) return;
    /* Not pottery__container_close: a "pottery:" key is shared, not a temporary. */
    pottery__container_abandon(&rl->c);
    pottery__free(rl);
}

const char *pottery_ratelimit_key(const pottery_ratelimit *rl)
{
    return rl ? rl->c.key : NULL;
}

pottery_client *pottery_ratelimit_client(const pottery_ratelimit *rl)
{
    return rl ? rl->c.client : NULL;
}

static int check_cost(const pottery_ratelimit *rl, int64_t cost, const char *fn)
{
    if (cost < 1 || cost > rl->burst)
        return pottery__error(POTTERY_EINVAL,
                              "%s: cost must be from 1 to the burst, %" PRId64 " (got %" PRId64
                              "): more could never be allowed",
                              fn, rl->burst, cost);
    return 0;
}

/* One try: *wait_us = 0 when allowed, else the µs to wait. */
static int try_once(int64_t *wait_us, pottery_ratelimit *rl, int64_t cost)
{
    const char *what = pottery__lua_ratelimit_acquire.name;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &rl->c);
    pottery__cmd_int(&args, rl->interval_us);
    pottery__cmd_int(&args, rl->burst);
    pottery__cmd_int(&args, cost);
    pottery_reply *r = NULL;
    int rc = pottery__eval(&r, rl->c.client, &pottery__lua_ratelimit_acquire, 1, &args);
    pottery__cmd_free(&args);
    long long verdict = 0, wait = 0;
    if (rc == 0) rc = pottery__reply_array(NULL, r, what);
    if (rc == 0) rc = pottery__reply_int_in(&verdict, pottery__reply_at(r, 0), -1, 1, what);
    if (rc == 0 && verdict < 0)
        rc = pottery__error(POTTERY_EDECODE, "rate limiter '%s': the key holds a string that is not a timestamp",
                            rl->c.key);
    if (rc == 0) rc = pottery__reply_array_n(r, 2, what);
    if (rc == 0)
        rc = pottery__reply_int_in(&wait, pottery__reply_at(r, 1), verdict ? 0 : 1, verdict ? 0 : LLONG_MAX, what);
    pottery__reply_free(r);
    if (rc == 0) *wait_us = wait;
    return rc;
}

/* us in ms, rounded up (without overflowing near INT64_MAX: the wait is the server's). */
static int64_t ms_up(int64_t us)
{
    return us / 1000 + (us % 1000 != 0);
}

int pottery_ratelimit_try(int *allowed, int64_t *wait_ms, pottery_ratelimit *rl, int64_t cost)
{
    POTTERY_CHECK_ARG(allowed);
    POTTERY_CHECK_ARG(rl);
    int rc = check_cost(rl, cost, __func__);
    int64_t wait_us = 0;
    if (rc == 0) rc = try_once(&wait_us, rl, cost);
    if (rc < 0) return rc;
    *allowed = wait_us == 0;
    if (wait_ms) *wait_ms = ms_up(wait_us);
    return 0;
}

int pottery_ratelimit_acquire(int *allowed, pottery_ratelimit *rl, int64_t cost, int64_t timeout_ms)
{
    POTTERY_CHECK_ARG(allowed);
    POTTERY_CHECK_ARG(rl);
    if (timeout_ms < 0 && timeout_ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL, "%s: timeout_ms must be >= 0 or POTTERY_FOREVER (got %" PRId64 ")",
                              __func__, timeout_ms);
    int rc = check_cost(rl, cost, __func__);
    if (rc < 0) return rc;
    int64_t deadline = pottery__deadline_after(pottery__monotonic_ms(), timeout_ms);
    for (;;) {
        int64_t wait_us = 0;
        if ((rc = try_once(&wait_us, rl, cost)) < 0) return rc;
        int64_t wait = ms_up(wait_us);
        if (wait == 0 || wait > pottery__ms_until(deadline)) {
            *allowed = wait == 0;
            return 0;
        }
        pottery__sleep_ms(wait);
    }
}

int pottery_ratelimit_reset(pottery_ratelimit *rl)
{
    POTTERY_CHECK_ARG(rl);
    return pottery__container_clear(&rl->c);
}
