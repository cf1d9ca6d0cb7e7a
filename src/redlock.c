/* pottery_redlock: the Redlock algorithm (redlock_core.c) on the blocking fan-out
 * (conn/fanout.c), sleeping between attempts; and pottery_synchronize. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "conn/conn.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"
#include "pottery/redlock.h"
#include "core/clock.h"
#include "redlock_core.h"
#include "redlock_impl.h"

int pottery_redlock_new(pottery_redlock **out, const char *key, pottery_client *const *masters, size_t n,
                        const pottery_redlock_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(key);
    POTTERY_CHECK_ARG(masters);
    int rc = pottery__check_masters((const void *const *)masters, n, __func__);
    if (rc < 0) return rc;
    pottery_redlock *lock = pottery__calloc(1, sizeof *lock);
    if (!lock) return pottery__error_oom();
    if ((rc = pottery__redlock_core_init(&lock->core, key, n, opts, __func__)) < 0) {
        pottery__free(lock);
        return rc;
    }
    lock->masters = pottery__calloc(n, sizeof *lock->masters);
    if (!lock->masters) {
        pottery_redlock_free(lock);
        return pottery__error_oom();
    }
    memcpy(lock->masters, masters, n * sizeof *masters);
    *out = lock;
    return 0;
}

void pottery_redlock_free(pottery_redlock *lock)
{
    if (!lock) return;
    pottery_redlock_unwatch(lock);
    pottery__redlock_core_free(&lock->core);
    pottery__free(lock->masters);
    pottery__free(lock);
}

const char *pottery_redlock_key(const pottery_redlock *lock)
{
    return lock ? lock->core.key : NULL;
}

size_t pottery_redlock_masters(pottery_client *const **out, const pottery_redlock *lock)
{
    if (out) *out = lock ? lock->masters : NULL;
    return lock ? lock->core.n : 0;
}

/* ---- one fan-out ---- */

/* Run script s on every master; the votes are left in f. */
static int run_script(pottery_fanout *f, pottery_redlock *lock, const pottery_script *s)
{
    pottery__fanout_init(f, lock->masters, lock->core.n, 0);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__redlock_script_request(&args, f, &lock->core, s);
    int rc = pottery__fanout_eval(f, s, 1, &args);
    pottery__cmd_free(&args);
    return rc;
}

/* After a fenced grant: every master's counter up to the token, without waiting (see
 * pottery_redlock_fencing_token). Its failures do not fail the acquire. */
static void raise_fence(pottery_redlock *lock)
{
    pottery_error_saved saved;
    pottery__error_save(&saved);
    pottery_fanout f;
    pottery__fanout_init(&f, lock->masters, lock->core.n, 0);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__redlock_raise_request(&args, &f, &lock->core);
    (void)pottery__fanout_eval(&f, &pottery__lua_redlock_fence_raise, 1, &args);
    pottery__cmd_free(&args);
    pottery__fanout_free(&f);
    pottery__error_restore(&saved);
}

/* One attempt. *got = 1 when held. *dead = 1 when more than N/2 masters failed. */
static int attempt(int *got, int *dead, pottery_redlock *lock)
{
    *got = *dead = 0;
    pottery_fanout f;
    pottery__fanout_init(&f, lock->masters, lock->core.n, 0);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    const pottery_script *script = pottery__redlock_attempt_script(&lock->core);
    int64_t start_ns = pottery__monotonic_ns();
    int rc = pottery__redlock_attempt_request(&cmd, &f, &lock->core);
    if (rc == 0) rc = script ? pottery__fanout_eval(&f, script, 2, &cmd) : pottery__fanout_exec(&f, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = pottery__redlock_attempt_judge(got, dead, &lock->core, &f);
    int ran = f.results != NULL;
    pottery__fanout_free(&f);
    if (*got) {
        lock->acquired_ns = start_ns;
        if (script && lock->core.n > 1) raise_fence(lock);
    }
    if (*got || !ran) return rc;
    /* Undo the partial acquisition on every master before anyone retries. */
    pottery_error_saved saved;
    pottery__error_save(&saved);
    (void)run_script(&f, lock, &pottery__lua_redlock_release);
    pottery__fanout_free(&f);
    pottery__error_restore(&saved);
    return rc;
}

static void sleep_ns(int64_t ns)
{
    if (ns <= 0) return;
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int pottery_redlock_acquire(int *acquired, pottery_redlock *lock, int blocking, int64_t timeout_ms)
{
    POTTERY_CHECK_ARG(acquired);
    POTTERY_CHECK_ARG(lock);
    int rc = pottery__redlock_check_blocking(blocking, timeout_ms);
    if (rc < 0) return rc;
    pottery_redlock_unwatch(lock);
    lock->acquired_ns = 0;
    atomic_store(&lock->lost, 0);
    pottery_redlock_wait w;
    pottery__redlock_wait_start(&w, blocking, timeout_ms);
    for (;;) {
        int got, dead;
        rc = attempt(&got, &dead, lock);
        if (rc < 0) return rc; /* *acquired untouched, as every out-value on failure */
        if (got) {
            *acquired = 1;
            return 0;
        }
        int64_t delay_ns;
        rc = pottery__redlock_wait_next(&delay_ns, &w, &lock->core, dead);
        if (rc < 0) return rc;
        if (rc == 0) break;
        sleep_ns(delay_ns);
        if (!pottery__redlock_wait_again(&w)) break;
    }
    *acquired = 0;
    return 0;
}

int pottery_redlock_release(pottery_redlock *lock)
{
    POTTERY_CHECK_ARG(lock);
    int rc = pottery__redlock_release_check(&lock->core);
    if (rc < 0) return rc;
    pottery_redlock_unwatch(lock);
    lock->acquired_ns = 0;
    pottery_fanout f;
    rc = run_script(&f, lock, &pottery__lua_redlock_release);
    if (rc == 0) rc = pottery__redlock_release_judge(&lock->core, &f);
    pottery__fanout_free(&f);
    return rc;
}

int pottery_redlock_locked(int64_t *validity_ms, pottery_redlock *lock)
{
    POTTERY_CHECK_ARG(validity_ms);
    *validity_ms = 0;
    POTTERY_CHECK_ARG(lock);
    if (!lock->core.uuid[0]) return 0;
    pottery_fanout f;
    int rc = run_script(&f, lock, &pottery__lua_redlock_acquired);
    if (rc == 0) rc = pottery__redlock_locked_judge(validity_ms, &lock->core, &f);
    pottery__fanout_free(&f);
    return rc;
}

int pottery_redlock_extend(pottery_redlock *lock)
{
    POTTERY_CHECK_ARG(lock);
    int rc = pottery__redlock_extend_check(&lock->core);
    if (rc < 0) return rc;
    pottery_fanout f;
    rc = run_script(&f, lock, &pottery__lua_redlock_extend);
    if (rc == 0) rc = pottery__redlock_extend_judge(&lock->core, &f);
    pottery__fanout_free(&f);
    return rc;
}

/* ---- lock lifetime ---- */

int pottery_redlock_fencing_token(int64_t *token, const pottery_redlock *lock)
{
    POTTERY_CHECK_ARG(token);
    POTTERY_CHECK_ARG(lock);
    if (!lock->core.fence_key)
        return pottery__error(POTTERY_EINVAL, "pottery_redlock_fencing_token: %s was opened without the fencing option",
                              lock->core.key);
    if (!lock->acquired_ns || lock->core.token <= 0)
        return pottery__error(POTTERY_EUNLOCKED, "pottery_redlock_fencing_token: %s is not acquired by this handle",
                              lock->core.key);
    *token = lock->core.token;
    return 0;
}

int pottery_redlock_lost(const pottery_redlock *lock)
{
    return lock ? atomic_load(&lock->lost) : 0;
}

/* ---- scoped helpers ---- */

int pottery_redlock_with(pottery_redlock *lock, pottery_redlock_fn fn, void *payload)
{
    POTTERY_CHECK_ARG(lock);
    POTTERY_CHECK_ARG(fn);
    int acquired;
    lock->core.last[0] = '\0';
    int rc = pottery_redlock_acquire(&acquired, lock, lock->core.opts.context_manager_blocking,
                                     lock->core.opts.context_manager_timeout_ms);
    if (rc < 0) return rc;
    if (!acquired) return pottery__redlock_not_acquired(&lock->core);
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
