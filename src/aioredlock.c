/* pottery_aioredlock: the Redlock algorithm (redlock_core.c) on the event-loop fan-out
 * (async/afanout.c), waiting between attempts on a loop timer. Each operation is a short
 * chain of fan-outs; every step ends in a loop callback, and only finish() calls the user. */
#include <string.h>

#include "aioredlock_impl.h"
#include "async/async_impl.h"
#include "core/clock.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"
#include "pottery/aioredlock.h"
#include "redlock_core.h"

#define NS_PER_MS 1000000

static void with_acquired(pottery_aioredlock *lock, int status, int acquired);
static void with_released(pottery_aioredlock *lock, int status);

/* ---- completion ---- */

/* The operation is over: report it (the last thing done with lock: the callback may free
 * it). Inside a start function the caller returns status instead. */
static int finish(pottery_aioredlock *lock, int status, int acquired, int64_t validity)
{
    enum op op = lock->op;
    lock->op = OP_NONE;
    if (lock->starting) return status;
    if (op == OP_ACQUIRE && lock->with == 1) {
        with_acquired(lock, status, acquired);
    } else if (op == OP_RELEASE && lock->with == 3) {
        with_released(lock, status);
    } else if (op == OP_ACQUIRE) {
        lock->acquire_cb(status, acquired, lock->payload);
    } else if (op == OP_LOCKED) {
        lock->locked_cb(status, validity, lock->payload);
    } else {
        lock->status_cb(status, lock->payload);
    }
    return 0;
}

/* Start a fan-out of the lock's command (script s, or the SET of an attempt when NULL). */
static int run(pottery_aioredlock *lock, const pottery_script *s, pottery_afanout_done done)
{
    pottery__cmd_reset(&lock->cmd);
    if (!s) {
        const pottery_script *fenced = pottery__redlock_attempt_script(&lock->core);
        lock->attempt_ns = pottery__monotonic_ns();
        int rc = pottery__redlock_attempt_request(&lock->cmd, &lock->af.votes, &lock->core);
        if (rc < 0) return rc;
        if (fenced) return pottery__afanout_eval(&lock->af, fenced, 2, &lock->cmd, done, lock);
        return pottery__afanout_exec(&lock->af, &lock->cmd, done, lock);
    }
    if (s == &pottery__lua_redlock_fence_raise) {
        pottery__redlock_raise_request(&lock->cmd, &lock->af.votes, &lock->core);
        return pottery__afanout_eval(&lock->af, s, 1, &lock->cmd, done, lock);
    }
    pottery__redlock_script_request(&lock->cmd, &lock->af.votes, &lock->core, s);
    return pottery__afanout_eval(&lock->af, s, 1, &lock->cmd, done, lock);
}

/* ---- acquire ---- */

static void on_attempt(void *arg);

static int start_attempt(pottery_aioredlock *lock)
{
    int rc = run(lock, NULL, on_attempt);
    return rc < 0 ? finish(lock, rc, 0, 0) : 0;
}

static void on_retry_timer(void *arg)
{
    pottery_aioredlock *lock = arg;
    if (lock->op == OP_LOCKED) { /* an answer known without asking */
        finish(lock, 0, 0, lock->answer);
        return;
    }
    if (lock->op != OP_ACQUIRE) return;
    if (!pottery__redlock_wait_again(&lock->wait)) {
        finish(lock, 0, 0, 0);
        return;
    }
    start_attempt(lock);
}

/* The undo after a failed attempt is done: report its failure, or wait and try again. */
static void on_undone(void *arg)
{
    pottery_aioredlock *lock = arg;
    if (lock->attempt_rc < 0) {
        pottery__error_restore(&lock->attempt_error);
        finish(lock, lock->attempt_rc, 0, 0);
        return;
    }
    int64_t delay_ns;
    int rc = pottery__redlock_wait_next(&delay_ns, &lock->wait, &lock->core, lock->dead);
    if (rc <= 0) {
        finish(lock, rc, 0, 0);
        return;
    }
    if (lock->loop.timer_start(lock->timer, (delay_ns + NS_PER_MS - 1) / NS_PER_MS) != 0)
        finish(lock, pottery__error_oom(), 0, 0);
}

/* A fenced grant's raise was sent (nobody waits for its replies): the acquire is done. */
static void on_raised(void *arg)
{
    finish(arg, 0, 1, 0);
}

static void on_attempt(void *arg)
{
    pottery_aioredlock *lock = arg;
    int got;
    lock->attempt_rc = pottery__redlock_attempt_judge(&got, &lock->dead, &lock->core, &lock->af.votes);
    if (got) lock->acquired_ns = lock->attempt_ns;
    if (got && lock->core.fence_key && lock->core.n > 1 && run(lock, &pottery__lua_redlock_fence_raise, on_raised) == 0)
        return;
    if (got) {
        finish(lock, 0, 1, 0);
        return;
    }
    pottery__error_save(&lock->attempt_error);
    /* Undo the partial acquisition on every master before anyone retries. */
    if (run(lock, &pottery__lua_redlock_release, on_undone) < 0) on_undone(lock);
}

/* ---- the other operations: one fan-out each ---- */

static void on_release(void *arg)
{
    pottery_aioredlock *lock = arg;
    finish(lock, pottery__redlock_release_judge(&lock->core, &lock->af.votes), 0, 0);
}

static void on_extend(void *arg)
{
    pottery_aioredlock *lock = arg;
    finish(lock, pottery__redlock_extend_judge(&lock->core, &lock->af.votes), 0, 0);
}

static void on_locked(void *arg)
{
    pottery_aioredlock *lock = arg;
    int64_t validity;
    int rc = pottery__redlock_locked_judge(&validity, &lock->core, &lock->af.votes);
    finish(lock, rc, 0, rc < 0 ? 0 : validity);
}

/* ---- public API ---- */

int pottery_aioredlock_new(pottery_aioredlock **out, const char *key, pottery_async *const *masters, size_t n,
                           const pottery_redlock_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(key);
    int rc = pottery__async_check_masters(masters, n, __func__);
    if (rc < 0) return rc;
    const pottery_loop *loop = pottery__async_loop(masters[0]);
    pottery_aioredlock *lock = pottery__calloc(1, sizeof *lock);
    if (!lock) return pottery__error_oom();
    pottery__cmd_init(&lock->cmd);
    if ((rc = pottery__redlock_core_init(&lock->core, key, n, opts, __func__)) < 0) {
        pottery__free(lock);
        return rc;
    }
    lock->loop = *loop;
    lock->masters = pottery__calloc(n, sizeof *lock->masters);
    lock->timer = lock->loop.timer_open(lock->loop.data, on_retry_timer, lock);
    if (!lock->masters || !lock->timer) {
        pottery_aioredlock_free(lock);
        return pottery__error_oom();
    }
    memcpy(lock->masters, masters, n * sizeof *masters);
    pottery__afanout_init(&lock->af, lock->masters, n, lock->core.quorum);
    *out = lock;
    return 0;
}

void pottery_aioredlock_free(pottery_aioredlock *lock)
{
    if (!lock) return;
    pottery_aioredlock_unwatch(lock);
    pottery__afanout_free(&lock->af);
    if (lock->timer) lock->loop.timer_close(lock->timer);
    lock->timer = NULL;
    if (lock->op != OP_NONE || lock->with) {
        pottery__error(POTTERY_ECANCELED, "%s: the handle was freed while an operation ran", lock->core.key);
        lock->starting = 0;
        if (lock->with) { /* acquiring for a body, the body, or its release: the with ends */
            lock->op = OP_NONE;
            lock->with = 0;
            lock->with_done(POTTERY_ECANCELED, lock->with_payload);
        } else {
            finish(lock, POTTERY_ECANCELED, 0, 0);
        }
    }
    pottery__cmd_free(&lock->cmd);
    pottery__redlock_core_free(&lock->core);
    pottery__free(lock->masters);
    pottery__free(lock);
}

const char *pottery_aioredlock_key(const pottery_aioredlock *lock)
{
    return lock ? lock->core.key : NULL;
}

/* Common checks of a start function. */
static int begin(const pottery_aioredlock *lock, int has_cb, const char *fn)
{
    return pottery__async_begin(lock != NULL, "lock", has_cb, lock && lock->op != OP_NONE, lock ? lock->core.key : "",
                                fn);
}

/* Start op with the fan-out of script s (NULL: an acquire attempt). */
static int start(pottery_aioredlock *lock, enum op op, const pottery_script *s, pottery_afanout_done done)
{
    lock->op = op;
    lock->starting = 1;
    int rc = run(lock, s, done);
    lock->starting = 0;
    if (rc < 0) lock->op = OP_NONE;
    return rc;
}

static int acquire(pottery_aioredlock *lock, int blocking, int64_t timeout_ms)
{
    int rc = pottery__redlock_check_blocking(blocking, timeout_ms);
    if (rc < 0) return rc;
    pottery__redlock_wait_start(&lock->wait, blocking, timeout_ms);
    pottery_aioredlock_unwatch(lock);
    lock->acquired_ns = 0;
    lock->lost = 0;
    return start(lock, OP_ACQUIRE, NULL, on_attempt);
}

int pottery_aioredlock_acquire(pottery_aioredlock *lock, int blocking, int64_t timeout_ms,
                               pottery_aioredlock_acquire_cb cb, void *payload)
{
    int rc = begin(lock, cb != NULL, __func__);
    if (rc < 0) return rc;
    if (lock->with)
        return pottery__error(POTTERY_ESTATE, "%s: a pottery_aioredlock_with body holds %s", __func__, lock->core.key);
    lock->acquire_cb = cb;
    lock->payload = payload;
    return acquire(lock, blocking, timeout_ms);
}

static int release(pottery_aioredlock *lock)
{
    int rc = pottery__redlock_release_check(&lock->core);
    if (rc < 0) return rc;
    lock->core.token = 0; /* no token once released */
    pottery_aioredlock_unwatch(lock);
    lock->acquired_ns = 0;
    return start(lock, OP_RELEASE, &pottery__lua_redlock_release, on_release);
}

int pottery_aioredlock_release(pottery_aioredlock *lock, pottery_aioredlock_cb cb, void *payload)
{
    int rc = begin(lock, cb != NULL, __func__);
    if (rc < 0) return rc;
    lock->status_cb = cb;
    lock->payload = payload;
    return release(lock);
}

int pottery_aioredlock_fencing_token(int64_t *token, const pottery_aioredlock *lock)
{
    POTTERY_CHECK_ARG(token);
    POTTERY_CHECK_ARG(lock);
    if (!lock->core.fence_key)
        return pottery__error(POTTERY_EINVAL, "%s: %s was opened without the fencing option", __func__, lock->core.key);
    if (lock->core.token <= 0 || lock->op == OP_ACQUIRE)
        return pottery__error(POTTERY_EUNLOCKED, "%s: %s is not acquired by this handle", __func__, lock->core.key);
    *token = lock->core.token;
    return 0;
}

int pottery_aioredlock_lost(const pottery_aioredlock *lock)
{
    return lock ? lock->lost : 0;
}

int pottery_aioredlock_locked(pottery_aioredlock *lock, pottery_aioredlock_locked_cb cb, void *payload)
{
    int rc = begin(lock, cb != NULL, __func__);
    if (rc < 0) return rc;
    lock->locked_cb = cb;
    lock->payload = payload;
    if (!lock->core.uuid[0]) { /* never acquired: 0, from the loop as always */
        lock->answer = 0;
        if (lock->loop.timer_start(lock->timer, 0) != 0) return pottery__error_oom();
        lock->op = OP_LOCKED;
        return 0;
    }
    return start(lock, OP_LOCKED, &pottery__lua_redlock_acquired, on_locked);
}

int pottery_aioredlock_extend(pottery_aioredlock *lock, pottery_aioredlock_cb cb, void *payload)
{
    int rc = begin(lock, cb != NULL, __func__);
    if (rc < 0) return rc;
    if ((rc = pottery__redlock_extend_check(&lock->core)) < 0) return rc;
    lock->status_cb = cb;
    lock->payload = payload;
    return start(lock, OP_EXTEND, &pottery__lua_redlock_extend, on_extend);
}

/* ---- async with ---- */

int pottery_aioredlock_with(pottery_aioredlock *lock, pottery_aioredlock_body body, pottery_aioredlock_cb done,
                            void *payload)
{
    int rc = begin(lock, done != NULL, __func__);
    if (rc < 0) return rc;
    POTTERY_CHECK_ARG(body);
    if (lock->with)
        return pottery__error(POTTERY_ESTATE, "%s: a body is already running on %s", __func__, lock->core.key);
    lock->body = body;
    lock->with_done = done;
    lock->with_payload = payload;
    lock->core.last[0] = '\0';
    lock->with = 1;
    rc = acquire(lock, lock->core.opts.context_manager_blocking, lock->core.opts.context_manager_timeout_ms);
    if (rc < 0) lock->with = 0;
    return rc;
}

static void with_acquired(pottery_aioredlock *lock, int status, int acquired)
{
    if (status == 0 && !acquired) status = pottery__redlock_not_acquired(&lock->core);
    if (status < 0) {
        lock->with = 0;
        lock->with_done(status, lock->with_payload);
        return;
    }
    lock->with = 2;
    lock->body(lock, lock->with_payload);
}

int pottery_aioredlock_with_end(pottery_aioredlock *lock, int status)
{
    POTTERY_CHECK_ARG(lock);
    if (lock->with != 2)
        return pottery__error(POTTERY_ESTATE, "pottery_aioredlock_with_end: no body is running on %s", lock->core.key);
    if (lock->op != OP_NONE)
        return pottery__error(POTTERY_ESTATE, "pottery_aioredlock_with_end: an operation is still running on %s",
                              lock->core.key);
    lock->body_status = status;
    if (status != 0) pottery__error_save(&lock->body_error);
    lock->with = 3;
    int rc = release(lock);
    if (rc < 0) { /* released nothing (out of memory): the body still runs, to end again */
        lock->with = 2;
        return rc;
    }
    return 0;
}

static void with_released(pottery_aioredlock *lock, int status)
{
    lock->with = 0;
    if (lock->body_status != 0) {
        pottery__error_restore(&lock->body_error);
        status = lock->body_status;
    }
    lock->with_done(status, lock->with_payload);
}
