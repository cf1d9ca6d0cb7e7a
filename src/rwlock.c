/* pottery_rwlock: a read-write lock over N masters (rwlock.h). Readers are members of a
 * sorted set scored by their expiry, the writer a string with a lease, a waiting writer a
 * short-lived mark (src/lua/rwlock_*.lua); Redlock's quorum, validity and schedule come
 * from lock_quorum.c. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "lock_quorum.h"
#include "lua_scripts.h"
#include "pottery/rwlock.h"

struct pottery_rwlock {
    pottery_qlock q;                          /* core.key = "rwlock:<key>" */
    char *write_key, *read_key, *waiting_key; /* in the hash slot of core.key */
    pottery_rwlock_mode mode;
};

int pottery_rwlock_new(pottery_rwlock **out, const char *key, pottery_client *const *masters, size_t n,
                       const pottery_redlock_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    pottery_rwlock *lock = pottery__calloc(1, sizeof *lock);
    if (!lock) return pottery__error_oom();
    int rc = pottery__qlock_init(&lock->q, "rwlock:", key, masters, n, opts, __func__);
    if (rc < 0) {
        pottery__free(lock);
        return rc;
    }
    const char *name = lock->q.core.key;
    size_t len = strlen(name);
    if ((rc = pottery__key_beside(&lock->write_key, name, len, ":write")) < 0 ||
        (rc = pottery__key_beside(&lock->read_key, name, len, ":read")) < 0 ||
        (rc = pottery__key_beside(&lock->waiting_key, name, len, ":writer_waiting")) < 0) {
        pottery_rwlock_free(lock);
        return rc;
    }
    *out = lock;
    return 0;
}

void pottery_rwlock_free(pottery_rwlock *lock)
{
    if (!lock) return;
    pottery__qlock_free(&lock->q);
    pottery__free(lock->write_key);
    pottery__free(lock->read_key);
    pottery__free(lock->waiting_key);
    pottery__free(lock);
}

const char *pottery_rwlock_key(const pottery_rwlock *lock)
{
    return lock ? lock->q.core.key : NULL;
}

const char *pottery_rwlock_owner(const pottery_rwlock *lock)
{
    return lock ? lock->q.core.uuid : NULL;
}

size_t pottery_rwlock_masters(pottery_client *const **out, const pottery_rwlock *lock)
{
    if (out) *out = lock ? lock->q.masters : NULL;
    return lock ? lock->q.core.n : 0;
}

pottery_rwlock_mode pottery_rwlock_mode_of(const pottery_rwlock *lock)
{
    return lock ? lock->mode : POTTERY_RWLOCK_NONE;
}

/* Script s on the keys k1 (and k2, k3 when not NULL), with the owner as ARGV[1]. */
static void owner_call(pottery_qlock_call *call, const pottery_rwlock *lock, const pottery_script *s, const char *k1,
                       const char *k2, const char *k3)
{
    pottery__qlock_call_init(call, s, k3 ? 3 : k2 ? 2 : 1);
    pottery__cmd_cstr(&call->args, k1);
    if (k2) pottery__cmd_cstr(&call->args, k2);
    if (k3) pottery__cmd_cstr(&call->args, k3);
    pottery__cmd_cstr(&call->args, lock->q.core.uuid);
}

static int check_free(const pottery_rwlock *lock, const char *fn)
{
    if (lock->mode == POTTERY_RWLOCK_NONE) return 0;
    return pottery__error(POTTERY_ESTATE, "%s: %s is held by this handle already (for %s): release it first", fn,
                          lock->q.core.key, lock->mode == POTTERY_RWLOCK_READ ? "reading" : "writing");
}

static void granted(pottery_rwlock *lock, int acquired, pottery_rwlock_mode mode)
{
    if (!acquired) return;
    lock->mode = mode;
    lock->q.core.extensions = 0;
}

int pottery_rwlock_acquire_read(int *acquired, pottery_rwlock *lock, int blocking, int64_t timeout_ms)
{
    POTTERY_CHECK_ARG(acquired);
    POTTERY_CHECK_ARG(lock);
    int rc = check_free(lock, __func__);
    if (rc < 0) return rc;
    pottery_qlock_call take, undo;
    owner_call(&take, lock, &pottery__lua_rwlock_acquire_read, lock->write_key, lock->read_key, lock->waiting_key);
    pottery__cmd_int(&take.args, lock->q.core.opts.auto_release_time_ms);
    owner_call(&undo, lock, &pottery__lua_rwlock_release_read, lock->read_key, NULL, NULL);
    rc = pottery__qlock_acquire(acquired, &lock->q, blocking, timeout_ms, &take, &undo);
    pottery__qlock_call_free(&take);
    pottery__qlock_call_free(&undo);
    granted(lock, rc == 0 && *acquired, POTTERY_RWLOCK_READ);
    return rc;
}

int pottery_rwlock_acquire_write(int *acquired, pottery_rwlock *lock, int blocking, int64_t timeout_ms)
{
    POTTERY_CHECK_ARG(acquired);
    POTTERY_CHECK_ARG(lock);
    int rc = check_free(lock, __func__);
    if (rc < 0) return rc;
    const pottery_redlock_options *o = &lock->q.core.opts;
    pottery_qlock_call take, undo;
    owner_call(&take, lock, &pottery__lua_rwlock_acquire_write, lock->write_key, lock->read_key, lock->waiting_key);
    pottery__cmd_int(&take.args, o->auto_release_time_ms);
    pottery__cmd_int(&take.args, blocking ? 2 * o->retry_delay_ms + 1000 : 0);
    /* An attempt that failed keeps its waiting mark (retries renew it): undo the writer only. */
    owner_call(&undo, lock, &pottery__lua_redlock_release, lock->write_key, NULL, NULL);
    rc = pottery__qlock_acquire(acquired, &lock->q, blocking, timeout_ms, &take, &undo);
    pottery__qlock_call_free(&take);
    pottery__qlock_call_free(&undo);
    granted(lock, rc == 0 && *acquired, POTTERY_RWLOCK_WRITE);
    if (blocking && !(rc == 0 && *acquired)) {
        /* Gave up: take the waiting mark away, so readers need not wait for it to expire. */
        pottery_error_saved saved;
        pottery__error_save(&saved);
        pottery_qlock_call give_up;
        pottery_fanout f;
        owner_call(&give_up, lock, &pottery__lua_rwlock_release_write, lock->write_key, lock->waiting_key, NULL);
        (void)pottery__qlock_run(&f, &lock->q, &give_up, 1);
        pottery__fanout_free(&f);
        pottery__qlock_call_free(&give_up);
        pottery__error_restore(&saved);
    }
    return rc;
}

int pottery_rwlock_release(pottery_rwlock *lock)
{
    POTTERY_CHECK_ARG(lock);
    if (lock->mode == POTTERY_RWLOCK_NONE)
        return pottery__error(POTTERY_EUNLOCKED, "release of an unlocked lock %s: not held by this handle",
                              lock->q.core.key);
    pottery_qlock_call call;
    if (lock->mode == POTTERY_RWLOCK_READ)
        owner_call(&call, lock, &pottery__lua_rwlock_release_read, lock->read_key, NULL, NULL);
    else
        owner_call(&call, lock, &pottery__lua_rwlock_release_write, lock->write_key, lock->waiting_key, NULL);
    int rc = pottery__qlock_need_quorum(&lock->q, &call, 1, "release");
    pottery__qlock_call_free(&call);
    /* Out of memory, the release may not have been sent: the handle keeps the lock to retry. */
    if (rc != POTTERY_ENOMEM) lock->mode = POTTERY_RWLOCK_NONE;
    return rc;
}

int pottery_rwlock_extend(pottery_rwlock *lock)
{
    POTTERY_CHECK_ARG(lock);
    const pottery_redlock_core *core = &lock->q.core;
    if (lock->mode == POTTERY_RWLOCK_NONE)
        return pottery__error(POTTERY_EUNLOCKED, "extend of an unlocked lock %s: not held by this handle", core->key);
    if (core->extensions >= core->opts.num_extensions)
        return pottery__error(POTTERY_EEXTENSIONS, "too many extensions of %s: %d allowed", core->key,
                              core->opts.num_extensions);
    pottery_qlock_call call;
    if (lock->mode == POTTERY_RWLOCK_READ)
        owner_call(&call, lock, &pottery__lua_rwlock_extend_read, lock->read_key, NULL, NULL);
    else
        owner_call(&call, lock, &pottery__lua_redlock_extend, lock->write_key, NULL, NULL);
    pottery__cmd_int(&call.args, core->opts.auto_release_time_ms);
    int rc = pottery__qlock_need_quorum(&lock->q, &call, 0, "extend");
    pottery__qlock_call_free(&call);
    if (rc == 0) lock->q.core.extensions++;
    return rc;
}
