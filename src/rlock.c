/* pottery_rlock: a reentrant lock over N masters (rlock.h). The handle is the owner and
 * keeps the hold count; every master stores it (src/lua/rlock_*.lua); Redlock's quorum,
 * validity and schedule come from lock_quorum.c. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "lock_quorum.h"
#include "lua_scripts.h"
#include "pottery/rlock.h"

struct pottery_rlock {
    pottery_qlock q;
    int count; /* holds not yet released */
};

int pottery_rlock_new(pottery_rlock **out, const char *key, pottery_client *const *masters, size_t n,
                      const pottery_redlock_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    pottery_rlock *lock = pottery__calloc(1, sizeof *lock);
    if (!lock) return pottery__error_oom();
    int rc = pottery__qlock_init(&lock->q, "rlock:", key, masters, n, opts, __func__);
    if (rc < 0) {
        pottery__free(lock);
        return rc;
    }
    *out = lock;
    return 0;
}

void pottery_rlock_free(pottery_rlock *lock)
{
    if (!lock) return;
    pottery__qlock_free(&lock->q);
    pottery__free(lock);
}

const char *pottery_rlock_key(const pottery_rlock *lock)
{
    return lock ? lock->q.core.key : NULL;
}

const char *pottery_rlock_owner(const pottery_rlock *lock)
{
    return lock ? lock->q.core.uuid : NULL;
}

size_t pottery_rlock_masters(pottery_client *const **out, const pottery_rlock *lock)
{
    if (out) *out = lock ? lock->q.masters : NULL;
    return lock ? lock->q.core.n : 0;
}

int pottery_rlock_count(const pottery_rlock *lock)
{
    return lock ? lock->count : 0;
}

/* Script s on the lock's key with the owner and then value. */
static void owner_call(pottery_qlock_call *call, const pottery_rlock *lock, const pottery_script *s, long long value)
{
    pottery__qlock_call_init(call, s, 1);
    pottery__cmd_cstr(&call->args, lock->q.core.key);
    pottery__cmd_cstr(&call->args, lock->q.core.uuid);
    pottery__cmd_int(&call->args, value);
}

int pottery_rlock_acquire(int *acquired, pottery_rlock *lock, int blocking, int64_t timeout_ms)
{
    POTTERY_CHECK_ARG(acquired);
    POTTERY_CHECK_ARG(lock);
    pottery_qlock_call take, undo;
    owner_call(&take, lock, &pottery__lua_rlock_acquire, lock->q.core.opts.auto_release_time_ms);
    pottery__cmd_int(&take.args, (long long)lock->count + 1);
    owner_call(&undo, lock, &pottery__lua_rlock_release, lock->count);
    int rc = pottery__qlock_acquire(acquired, &lock->q, blocking, timeout_ms, &take, &undo);
    pottery__qlock_call_free(&take);
    pottery__qlock_call_free(&undo);
    if (rc == 0 && *acquired) {
        if (lock->count == 0) lock->q.core.extensions = 0;
        lock->count++;
    }
    return rc;
}

int pottery_rlock_release(pottery_rlock *lock)
{
    POTTERY_CHECK_ARG(lock);
    if (lock->count == 0)
        return pottery__error(POTTERY_EUNLOCKED, "release of an unlocked lock %s: not held by this handle",
                              lock->q.core.key);
    pottery_qlock_call call;
    owner_call(&call, lock, &pottery__lua_rlock_release, (long long)lock->count - 1);
    int rc = pottery__qlock_need_quorum(&lock->q, &call, 1, "release");
    pottery__qlock_call_free(&call);
    /* Out of memory, the release may not have been sent: the handle keeps its count to retry. */
    if (rc != POTTERY_ENOMEM) lock->count = rc == 0 ? lock->count - 1 : 0;
    return rc;
}

int pottery_rlock_extend(pottery_rlock *lock)
{
    POTTERY_CHECK_ARG(lock);
    if (lock->count == 0)
        return pottery__error(POTTERY_EUNLOCKED, "extend of an unlocked lock %s: not held by this handle",
                              lock->q.core.key);
    if (lock->q.core.extensions >= lock->q.core.opts.num_extensions)
        return pottery__error(POTTERY_EEXTENSIONS, "too many extensions of %s: %d allowed", lock->q.core.key,
                              lock->q.core.opts.num_extensions);
    pottery_qlock_call call;
    owner_call(&call, lock, &pottery__lua_rlock_extend, lock->q.core.opts.auto_release_time_ms);
    int rc = pottery__qlock_need_quorum(&lock->q, &call, 0, "extend");
    pottery__qlock_call_free(&call);
    if (rc == 0) lock->q.core.extensions++;
    return rc;
}
