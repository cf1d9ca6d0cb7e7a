/* pottery_semaphore: a counting semaphore whose permits are uuid4 tokens in a sorted set
 * scored by their expiry on the server's clock (src/lua/semaphore_*.lua). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "conn/conn.h"
#include "container.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/options.h"
#include "core/random.h"
#include "lua_scripts.h"
#include "pottery/semaphore.h"
#include "redlock_core.h"
#include "semaphore_impl.h"

/* The longest lease: expiries stay exact integers in the scripts' Lua numbers (about 31
 * years). */
#define MAX_LEASE_MS ((int64_t)1000000000000)

struct pottery_semaphore {
    pottery_container c; /* first: the shared open skeleton allocates the handle */
    int64_t permits;
    pottery_semaphore_options opts;
};

void pottery__sleep_ms(int64_t ms)
{
    if (ms <= 0) return;
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int64_t pottery__random_ms(int64_t max_ms)
{
    uint32_t r = 0;
    if (max_ms <= 0) return 0;
    if (pottery__random_bytes(&r, sizeof r) < 0) return max_ms / 2;
    return (int64_t)(r % ((uint64_t)max_ms + 1));
}

int64_t pottery__ms_until(int64_t deadline_ms)
{
    if (deadline_ms == INT64_MAX) return INT64_MAX;
    int64_t left = deadline_ms - pottery__monotonic_ms();
    return left > 0 ? left : 0;
}

static int set_options(pottery_container *c, const void *ctx)
{
    ((pottery_semaphore *)c)->opts = *(const pottery_semaphore_options *)ctx;
    return 0;
}

int pottery_semaphore_open(pottery_semaphore **out, pottery_client *client, const char *key, int64_t permits,
                           const pottery_semaphore_options *opts)
{
    pottery_semaphore_options o;
    pottery_semaphore_options_init(&o);
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    POTTERY_CHECK_ARG(key);
    if (permits < 1)
        return pottery__error(POTTERY_EINVAL, "%s: permits must be >= 1 (got %" PRId64 ")", __func__, permits);
    if (opts) {
        int rc = pottery__options_check(opts->version, POTTERY_SEMAPHORE_OPTIONS_VERSION, __func__);
        if (rc < 0) return rc;
        if (opts->lease_ms <= 0 || opts->lease_ms > MAX_LEASE_MS)
            return pottery__error(POTTERY_EINVAL, "%s: lease_ms must be from 1 to %" PRId64 " (got %" PRId64 ")",
                                  __func__, MAX_LEASE_MS, opts->lease_ms);
        if (opts->retry_delay_ms < 0)
            return pottery__error(POTTERY_EINVAL, "%s: retry_delay_ms must be >= 0 (got %" PRId64 ")", __func__,
                                  opts->retry_delay_ms);
        o = *opts;
        o.version = POTTERY_SEMAPHORE_OPTIONS_VERSION;
    }
    pottery_container *c;
    int rc = pottery__container_open(&c, sizeof(pottery_semaphore), client, key, set_options, &o);
    if (rc < 0) return rc;
    ((pottery_semaphore *)c)->permits = permits;
    *out = (pottery_semaphore *)c;
    return 0;
}

void pottery_semaphore_free(pottery_semaphore *sem)
{
    if (!sem) return;
    /* Not pottery__container_close: a "pottery:" key is the semaphore of every process
     * sharing it, not a temporary to delete. */
    pottery__container_abandon(&sem->c);
    pottery__free(sem);
}

const char *pottery_semaphore_key(const pottery_semaphore *sem)
{
    return sem ? sem->c.key : NULL;
}

pottery_client *pottery_semaphore_client(const pottery_semaphore *sem)
{
    return sem ? sem->c.client : NULL;
}

int64_t pottery_semaphore_permits(const pottery_semaphore *sem)
{
    return sem ? sem->permits : 0;
}

/* Run script s with KEYS[1] = the key and ARGV = token (if not NULL), then extra (if >= 0);
 * the reply in *r (the caller's). */
static int run(pottery_reply **r, pottery_semaphore *sem, const pottery_script *s, const char *token, int64_t extra)
{
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &sem->c);
    if (token) pottery__cmd_cstr(&args, token);
    if (extra >= 0) pottery__cmd_int(&args, extra);
    int rc = pottery__eval(r, sem->c.client, s, 1, &args);
    pottery__cmd_free(&args);
    return rc;
}

/* One attempt: *got = 1 with token granted; otherwise *earliest_ms = when the first lease
 * ends. */
static int attempt(int *got, int64_t *earliest_ms, pottery_semaphore *sem, const char *token)
{
    const char *what = pottery__lua_semaphore_acquire.name;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &sem->c);
    pottery__cmd_int(&args, sem->permits);
    pottery__cmd_int(&args, sem->opts.lease_ms);
    pottery__cmd_cstr(&args, token);
    pottery_reply *r = NULL;
    int rc = pottery__eval(&r, sem->c.client, &pottery__lua_semaphore_acquire, 1, &args);
    pottery__cmd_free(&args);
    long long granted = 0, held = 0, earliest = 0;
    if (rc == 0) rc = pottery__reply_array(NULL, r, what);
    if (rc == 0) rc = pottery__reply_int_in(&granted, pottery__reply_at(r, 0), 0, 1, what);
    if (rc == 0) rc = pottery__reply_array_n(r, granted ? 2 : 3, what);
    if (rc == 0) rc = pottery__reply_int_in(&held, pottery__reply_at(r, 1), 0, LLONG_MAX, what);
    if (rc == 0 && !granted) rc = pottery__reply_int(&earliest, pottery__reply_at(r, 2), what);
    pottery__reply_free(r);
    if (rc < 0) return rc;
    *got = (int)granted;
    *earliest_ms = earliest;
    return 0;
}

/* After an attempt that failed once sent (its reply lost, say): the permit it may have been
 * granted, which the caller never learns, is given back rather than held until its lease
 * ends. */
static void forget(pottery_semaphore *sem, const char *token)
{
    pottery_error_saved saved;
    pottery__error_save(&saved);
    pottery_reply *r = NULL;
    (void)run(&r, sem, &pottery__lua_semaphore_release, token, -1);
    pottery__reply_free(r);
    pottery__error_restore(&saved);
}

int pottery_semaphore_acquire(int *acquired, pottery_semaphore_permit *permit, pottery_semaphore *sem, int blocking,
                              int64_t timeout_ms)
{
    POTTERY_CHECK_ARG(acquired);
    POTTERY_CHECK_ARG(permit);
    POTTERY_CHECK_ARG(sem);
    int rc = pottery__redlock_check_blocking(blocking, timeout_ms);
    if (rc < 0) return rc;
    char token[37];
    if ((rc = pottery__uuid4(token)) < 0) return rc;
    int64_t deadline = pottery__deadline_after(pottery__monotonic_ms(), blocking ? timeout_ms : 0);
    for (;;) {
        int got = 0;
        int64_t earliest = 0;
        pottery_client_stats before, after;
        pottery_client_stats_get(&before, sem->c.client);
        if ((rc = attempt(&got, &earliest, sem, token)) < 0) {
            pottery_client_stats_get(&after, sem->c.client);
            if (after.commands != before.commands) forget(sem, token);
            return rc;
        }
        if (got) {
            memcpy(permit->token, token, sizeof token);
            *acquired = 1;
            return 0;
        }
        int64_t left = pottery__ms_until(deadline);
        if (left == 0) {
            *acquired = 0;
            return 0;
        }
        int64_t delay = pottery__random_ms(sem->opts.retry_delay_ms);
        if (earliest >= 0 && earliest < delay) delay = earliest + 1;
        pottery__sleep_ms(delay < left ? delay : left);
    }
}

/* Check a permit argument: a token there. */
static int check_permit(const pottery_semaphore_permit *permit, const char *fn)
{
    if (!permit) return pottery__error(POTTERY_EINVAL, "%s: permit is NULL", fn);
    if (!memchr(permit->token, '\0', sizeof permit->token) || !permit->token[0])
        return pottery__error(POTTERY_EINVAL, "%s: the permit has no token (never acquired?)", fn);
    return 0;
}

/* release and extend: script s answering 1 (done) or 0 (not held: EUNLOCKED). */
static int on_permit(pottery_semaphore *sem, const pottery_semaphore_permit *permit, const pottery_script *s,
                     int64_t extra, const char *fn, const char *verb)
{
    POTTERY_CHECK_ARG(sem);
    int rc = check_permit(permit, fn);
    if (rc < 0) return rc;
    pottery_reply *r = NULL;
    long long done = 0;
    rc = run(&r, sem, s, permit->token, extra);
    if (rc == 0) rc = pottery__reply_int_in(&done, r, 0, 1, s->name);
    pottery__reply_free(r);
    if (rc == 0 && !done)
        rc = pottery__error(POTTERY_EUNLOCKED,
                            "%s: cannot %s permit %s of semaphore '%s': not held (released already, or its lease "
                            "ended)",
                            fn, verb, permit->token, sem->c.key);
    return rc;
}

int pottery_semaphore_release(pottery_semaphore *sem, const pottery_semaphore_permit *permit)
{
    return on_permit(sem, permit, &pottery__lua_semaphore_release, -1, __func__, "release");
}

int pottery_semaphore_extend(pottery_semaphore *sem, const pottery_semaphore_permit *permit)
{
    return on_permit(sem, permit, &pottery__lua_semaphore_extend, sem ? sem->opts.lease_ms : -1, __func__, "extend");
}

int pottery_semaphore_held(int64_t *held, pottery_semaphore *sem)
{
    POTTERY_CHECK_ARG(held);
    POTTERY_CHECK_ARG(sem);
    pottery_reply *r = NULL;
    long long n = 0;
    int rc = run(&r, sem, &pottery__lua_semaphore_held, NULL, -1);
    if (rc == 0) rc = pottery__reply_int_in(&n, r, 0, LLONG_MAX, pottery__lua_semaphore_held.name);
    pottery__reply_free(r);
    if (rc == 0) *held = n;
    return rc;
}

int pottery_semaphore_available(int64_t *available, pottery_semaphore *sem)
{
    POTTERY_CHECK_ARG(available);
    int64_t held = 0;
    int rc = pottery_semaphore_held(&held, sem);
    if (rc == 0) *available = held < sem->permits ? sem->permits - held : 0;
    return rc;
}

int pottery_semaphore_lease_left(int64_t *ttl_ms, pottery_semaphore *sem, const pottery_semaphore_permit *permit)
{
    POTTERY_CHECK_ARG(ttl_ms);
    POTTERY_CHECK_ARG(sem);
    int rc = check_permit(permit, __func__);
    if (rc < 0) return rc;
    pottery_reply *r = NULL;
    long long left = 0;
    rc = run(&r, sem, &pottery__lua_semaphore_held, permit->token, -1);
    if (rc == 0) rc = pottery__reply_int_in(&left, r, 0, LLONG_MAX, pottery__lua_semaphore_held.name);
    pottery__reply_free(r);
    if (rc == 0) *ttl_ms = left;
    return rc;
}
