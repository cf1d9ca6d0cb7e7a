/* pottery_redlock: the Redlock algorithm over N masters on the fan-out (conn/fanout.c), and
 * pottery_synchronize. Wire format and semantics are pottery's: `redlock:<key>` holds a
 * uuid4 text with a PX lease; the scripts in src/lua/redlock_*.lua compare before acting. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conn/conn.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/options.h"
#include "core/random.h"
#include "lua_scripts.h"
#include "pottery/redlock.h"

#define KEY_PREFIX "redlock:"
#define DESCRIBE_MAX 400

struct pottery_redlock {
    char *key; /* "redlock:<key>" */
    pottery_client **masters;
    size_t n;
    size_t quorum;
    pottery_redlock_options opts;
    int64_t drift_ms;
    char uuid[37]; /* "" until the first attempt */
    int extensions;
    char last[DESCRIBE_MAX]; /* the last failed attempt's votes, for EQUORUM messages */
};

/* ---- options and handle ---- */

static int check_timeout(int64_t ms, const char *what)
{
    if (ms < 0 && ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL, "%s must be >= 0 or POTTERY_FOREVER (got %lld)", what, (long long)ms);
    return 0;
}

static int check_blocking(int blocking, int64_t timeout_ms)
{
    int rc = check_timeout(timeout_ms, "timeout_ms");
    if (rc < 0) return rc;
    if (!blocking && timeout_ms > 0)
        return pottery__error(POTTERY_EINVAL, "can't specify a timeout for a non-blocking call");
    return 0;
}

static int check_options(const pottery_redlock_options *o, const char *fn)
{
    int rc = pottery__options_check(o->version, POTTERY_REDLOCK_OPTIONS_VERSION, fn);
    if (rc < 0) return rc;
    if (o->auto_release_time_ms <= 0)
        return pottery__error(POTTERY_EINVAL, "%s: auto_release_time_ms must be > 0 (got %lld)", fn,
                              (long long)o->auto_release_time_ms);
    if (o->num_extensions < 0)
        return pottery__error(POTTERY_EINVAL, "%s: num_extensions must be >= 0 (got %d)", fn, o->num_extensions);
    if (o->retry_delay_ms < 0)
        return pottery__error(POTTERY_EINVAL, "%s: retry_delay_ms must be >= 0 (got %lld)", fn,
                              (long long)o->retry_delay_ms);
    return check_blocking(o->context_manager_blocking, o->context_manager_timeout_ms);
}

int pottery_redlock_new(pottery_redlock **out, const char *key, pottery_client *const *masters, size_t n,
                        const pottery_redlock_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(key);
    POTTERY_CHECK_ARG(masters);
    if (n == 0) return pottery__error(POTTERY_EINVAL, "pottery_redlock_new: no masters");
    for (size_t i = 0; i < n; i++) {
        if (!masters[i]) return pottery__error(POTTERY_EINVAL, "pottery_redlock_new: master %zu is NULL", i);
        for (size_t j = 0; j < i; j++)
            if (masters[j] == masters[i])
                return pottery__error(POTTERY_EINVAL, "pottery_redlock_new: masters %zu and %zu are the same client", j,
                                      i);
    }
    pottery_redlock_options o;
    pottery_redlock_options_init(&o);
    if (opts) {
        int rc = check_options(opts, "pottery_redlock_new");
        if (rc < 0) return rc;
        o = *opts;
        o.version = POTTERY_REDLOCK_OPTIONS_VERSION;
    }
    pottery_redlock *lock = pottery__calloc(1, sizeof *lock);
    size_t klen = strlen(key);
    if (lock) lock->key = pottery__malloc(sizeof KEY_PREFIX + klen);
    if (lock) lock->masters = pottery__calloc(n, sizeof *lock->masters);
    if (!lock || !lock->key || !lock->masters) {
        pottery_redlock_free(lock);
        return pottery__error_oom();
    }
    memcpy(lock->key, KEY_PREFIX, sizeof KEY_PREFIX - 1);
    memcpy(lock->key + sizeof KEY_PREFIX - 1, key, klen + 1);
    memcpy(lock->masters, masters, n * sizeof *masters);
    lock->n = n;
    lock->quorum = n / 2 + 1;
    lock->opts = o;
    /* pottery: auto_release_time * 0.01 + 0.002 s, rounded up to whole ms. */
    lock->drift_ms = (o.auto_release_time_ms + 99) / 100 + 2;
    *out = lock;
    return 0;
}

void pottery_redlock_free(pottery_redlock *lock)
{
    if (!lock) return;
    pottery__free(lock->key);
    pottery__free(lock->masters);
    pottery__free(lock);
}

const char *pottery_redlock_key(const pottery_redlock *lock)
{
    return lock ? lock->key : NULL;
}

size_t pottery_redlock_masters(pottery_client *const **out, const pottery_redlock *lock)
{
    if (out) *out = lock ? lock->masters : NULL;
    return lock ? lock->n : 0;
}

/* ---- one fan-out ---- */

static int check_ok(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    (void)ctx;
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) return 0;
    int rc = pottery__reply_status(r, "OK", "SET NX PX");
    return rc < 0 ? rc : 1;
}

static int check_positive(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    long long v;
    int rc = pottery__reply_int(&v, r, (const char *)ctx);
    return rc < 0 ? rc : v > 0;
}

/* Run script on every master with KEYS[1] = the lock key, ARGV[1] = our value and, when
 * lease is set, ARGV[2] = the lease. wait_all: wait for every master (release). */
static int run_script(pottery_fanout *f, pottery_redlock *lock, const pottery_script *s, int with_lease, int wait_all)
{
    pottery__fanout_init(f, lock->masters, lock->n, wait_all ? 0 : lock->quorum);
    f->check = check_positive;
    f->ctx = (void *)s->name;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_cstr(&args, lock->key);
    pottery__cmd_cstr(&args, lock->uuid);
    if (with_lease) pottery__cmd_int(&args, lock->opts.auto_release_time_ms);
    int rc = pottery__fanout_eval(f, s, 1, &args);
    pottery__cmd_free(&args);
    return rc;
}

/* raise_on_redis_errors: more than N/2 masters failed. */
static int impossible(const pottery_redlock *lock, const pottery_fanout *f)
{
    return lock->opts.raise_on_redis_errors && f->failed > lock->n / 2;
}

static int fail_with(int code, const char *what, const pottery_redlock *lock, const pottery_fanout *f)
{
    char votes[DESCRIBE_MAX];
    pottery__fanout_describe(votes, sizeof votes, f);
    return pottery__error(code, "%s %s: %s", what, lock->key, votes);
}

static int impossible_error(const pottery_redlock *lock, const pottery_fanout *f)
{
    return fail_with(POTTERY_EIMPOSSIBLE, "quorum is impossible on", lock, f);
}

/* Delete our value wherever it is, waiting for every master. 0, or a fan-out error. */
static int release_all(pottery_fanout *f, pottery_redlock *lock)
{
    return run_script(f, lock, &pottery__lua_redlock_release, 0, 1);
}

/* One attempt. *got = 1 when held. *dead = 1 when a quorum was impossible because more
 * than N/2 masters failed. */
static int attempt(int *got, int *dead, pottery_redlock *lock)
{
    *got = 0;
    *dead = 0;
    int rc = pottery__uuid4(lock->uuid);
    if (rc < 0) return rc;
    lock->extensions = 0;
    pottery_fanout f;
    pottery__fanout_init(&f, lock->masters, lock->n, lock->quorum);
    f.check = check_ok;
    f.timeout_ms = lock->opts.auto_release_time_ms; /* no use waiting past the lease */
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "SET");
    pottery__cmd_cstr(&cmd, lock->key);
    pottery__cmd_cstr(&cmd, lock->uuid);
    pottery__cmd_cstr(&cmd, "PX");
    pottery__cmd_int(&cmd, lock->opts.auto_release_time_ms);
    pottery__cmd_cstr(&cmd, "NX");
    rc = pottery__fanout_exec(&f, &cmd);
    pottery__cmd_free(&cmd);
    if (rc < 0) {
        pottery__fanout_free(&f);
        return rc;
    }
    if (f.yes >= lock->quorum && lock->opts.auto_release_time_ms - f.elapsed_ms - lock->drift_ms > 0) {
        pottery__fanout_free(&f);
        *got = 1;
        return 0;
    }
    pottery__fanout_describe(lock->last, sizeof lock->last, &f);
    *dead = f.failed > lock->n / 2;
    if (impossible(lock, &f)) rc = impossible_error(lock, &f);
    /* Undo the partial acquisition on every master before anyone retries. */
    pottery_error_saved saved;
    pottery__error_save(&saved);
    pottery_fanout undo;
    (void)release_all(&undo, lock);
    pottery__fanout_free(&undo);
    pottery__error_restore(&saved);
    pottery__fanout_free(&f);
    return rc;
}

static void sleep_ns(int64_t ns)
{
    if (ns <= 0) return;
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int64_t random_delay(int64_t max_ms)
{
    uint32_t r = 0;
    if (max_ms <= 0 || pottery__random_bytes(&r, sizeof r) < 0) return max_ms / 2;
    return (int64_t)(r % ((uint64_t)max_ms + 1));
}

int pottery_redlock_acquire(int *acquired, pottery_redlock *lock, int blocking, int64_t timeout_ms)
{
    POTTERY_CHECK_ARG(acquired);
    *acquired = 0;
    POTTERY_CHECK_ARG(lock);
    int rc = check_blocking(blocking, timeout_ms);
    if (rc < 0) return rc;
    /* Nanoseconds, so that a timeout is never cut short by rounding. */
    const int64_t ms = 1000000;
    int64_t start = pottery__monotonic_ns();
    int64_t dead_since = -1; /* when the attempts began to find a quorum impossible */
    for (;;) {
        int got, dead;
        rc = attempt(&got, &dead, lock);
        if (rc < 0 || got) {
            *acquired = got;
            return rc;
        }
        if (!blocking) return 0;
        int64_t now = pottery__monotonic_ns();
        if (!dead) {
            dead_since = -1;
        } else if (dead_since < 0) {
            dead_since = now;
        } else if (timeout_ms == POTTERY_FOREVER && now - dead_since >= lock->opts.auto_release_time_ms * ms) {
            return pottery__error(POTTERY_EQUORUM,
                                  "quorum not achieved on %s: more than half of the masters failed for %lld ms: %s",
                                  lock->key, (long long)((now - dead_since) / ms), lock->last);
        }
        int64_t delay = random_delay(lock->opts.retry_delay_ms) * ms;
        if (timeout_ms != POTTERY_FOREVER) {
            int64_t left = start + timeout_ms * ms - now;
            if (left <= 0) return 0;
            if (delay > left) delay = left;
        }
        sleep_ns(delay);
        if (timeout_ms != POTTERY_FOREVER && pottery__monotonic_ns() - start >= timeout_ms * ms) return 0;
    }
}

int pottery_redlock_release(pottery_redlock *lock)
{
    POTTERY_CHECK_ARG(lock);
    if (!lock->uuid[0])
        return pottery__error(POTTERY_EUNLOCKED, "release of an unlocked lock %s: never acquired", lock->key);
    pottery_fanout f;
    int rc = release_all(&f, lock);
    if (rc == 0 && f.yes < lock->quorum) {
        if (impossible(lock, &f))
            rc = impossible_error(lock, &f);
        else
            rc = fail_with(POTTERY_EUNLOCKED, "release of an unlocked lock", lock, &f);
    }
    pottery__fanout_free(&f);
    return rc;
}

int pottery_redlock_locked(int64_t *validity_ms, pottery_redlock *lock)
{
    POTTERY_CHECK_ARG(validity_ms);
    *validity_ms = 0;
    POTTERY_CHECK_ARG(lock);
    if (!lock->uuid[0]) return 0;
    pottery_fanout f;
    int rc = run_script(&f, lock, &pottery__lua_redlock_acquired, 0, 0);
    if (rc == 0 && f.yes >= lock->quorum) {
        long long least = -1;
        for (size_t i = 0; i < f.n; i++) {
            long long v;
            if (f.results[i].status != POTTERY_FANOUT_YES) continue;
            if (pottery__reply_int(&v, f.results[i].reply, "redlock_acquired") == 0 && (least < 0 || v < least))
                least = v;
        }
        int64_t validity = (int64_t)least - lock->drift_ms - f.elapsed_ms;
        *validity_ms = validity > 0 ? validity : 0;
    } else if (rc == 0 && impossible(lock, &f)) {
        rc = impossible_error(lock, &f);
    }
    pottery__fanout_free(&f);
    return rc;
}

int pottery_redlock_extend(pottery_redlock *lock)
{
    POTTERY_CHECK_ARG(lock);
    if (lock->extensions >= lock->opts.num_extensions)
        return pottery__error(POTTERY_EEXTENSIONS, "too many extensions of %s: %d allowed", lock->key,
                              lock->opts.num_extensions);
    if (!lock->uuid[0])
        return pottery__error(POTTERY_EUNLOCKED, "extend of an unlocked lock %s: never acquired", lock->key);
    pottery_fanout f;
    int rc = run_script(&f, lock, &pottery__lua_redlock_extend, 1, 0);
    if (rc == 0 && f.yes >= lock->quorum) {
        lock->extensions++;
    } else if (rc == 0) {
        if (impossible(lock, &f))
            rc = impossible_error(lock, &f);
        else
            rc = fail_with(POTTERY_EUNLOCKED, "extend of an unlocked lock", lock, &f);
    }
    pottery__fanout_free(&f);
    return rc;
}

/* ---- scoped helpers ---- */

int pottery_redlock_with(pottery_redlock *lock, pottery_redlock_fn fn, void *payload)
{
    POTTERY_CHECK_ARG(lock);
    POTTERY_CHECK_ARG(fn);
    int acquired;
    lock->last[0] = '\0';
    int rc = pottery_redlock_acquire(&acquired, lock, lock->opts.context_manager_blocking,
                                     lock->opts.context_manager_timeout_ms);
    if (rc < 0) return rc;
    if (!acquired)
        return pottery__error(POTTERY_EQUORUM, "quorum not achieved on %s: %s", lock->key,
                              lock->last[0] ? lock->last : "no attempt");
    int fn_rc = fn(payload);
    if (fn_rc != 0) {
        pottery_error_saved saved;
        pottery__error_save(&saved);
        (void)pottery_redlock_release(lock);
        pottery__error_restore(&saved);
        return fn_rc;
    }
    return pottery_redlock_release(lock);
}

int pottery_synchronize(const char *key, pottery_client *const *masters, size_t n, const pottery_redlock_options *opts,
                        pottery_redlock_fn fn, void *payload)
{
    POTTERY_CHECK_ARG(fn);
    pottery_redlock *lock;
    int rc = pottery_redlock_new(&lock, key, masters, n, opts);
    if (rc < 0) return rc;
    rc = pottery_redlock_with(lock, fn, payload);
    pottery_redlock_free(lock);
    return rc;
}
