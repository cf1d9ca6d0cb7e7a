/*
 * Allocation failure in the distributed primitives: pottery_redlock, pottery_rlock,
 * pottery_rwlock, pottery_semaphore, pottery_ratelimit and pottery_nextid. Every public
 * operation, failing each of its library allocations in turn (tests/support/oom.h says what
 * each attempt must satisfy), on the fixture's server as the one master; then the lock
 * operations again over three masters, for the fan-out's paths.
 *
 * Their writes are random (a lock's token, a permit's uuid, the limiter's clock), so each row
 * says what Redis may hold after an attempt (state_ok): after a failed acquire no lock key;
 * after a successful one the handle holds the lock; after a failed release the handle's
 * lock or nothing; after a successful one nothing.
 *
 * Not run under failure, as they cannot allocate (they read the handle): pottery_redlock_key,
 * _masters, _lost; pottery_rlock_key, _owner, _masters, _count; pottery_rwlock_key, _owner,
 * _masters, _mode_of; pottery_semaphore_key, _client, _permits; pottery_ratelimit_key,
 * _client; pottery_nextid_key, _masters. pottery_redlock_watch / _unwatch are in
 * test_oom_pool.c with the watchdog. The _free functions are run under failure (a free
 * releases nothing it could report).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/oom.h"

typedef struct ctx {
    /* the masters: the fixture's client alone, or clients[0..n) on masters[] */
    pottery_client *const *ms;
    size_t n;
    int fanout;
    pottery_redlock *redlock, *other; /* other: a second holder of the same lock */
    pottery_rlock *rlock;
    pottery_rwlock *rwlock;
    pottery_semaphore *sem;
    pottery_semaphore_permit permit, others[2];
    pottery_ratelimit *rl;
    pottery_nextid *gen;
    int acquired, fn_calls;
    int64_t v;
    char *text;
} ctx;

static void teardown(void *arg)
{
    ctx *c = arg;
    pottery_redlock_free(c->redlock);
    pottery_redlock_free(c->other);
    pottery_rlock_free(c->rlock);
    pottery_rwlock_free(c->rwlock);
    pottery_semaphore_free(c->sem);
    pottery_ratelimit_free(c->rl);
    pottery_nextid_free(c->gen);
    pottery_free(c->text);
    pottery_client *const *ms = c->ms;
    size_t n = c->n;
    int fanout = c->fanout;
    memset(c, 0, sizeof *c);
    c->ms = ms;
    c->n = n;
    c->fanout = fanout;
}

static char *on_master(const ctx *c, size_t i, const char *a0, const char *a1, const char *a2)
{
    return oom_on_master(c->fanout, i, a0, a1, a2, NULL);
}

static long keys_like(const ctx *c, const char *pattern)
{
    return oom_keys_like(c->fanout, c->n, pattern);
}

static int fresh(void *arg)
{
    ctx *c = arg;
    teardown(c);
    for (size_t i = 0; i < c->n; i++) free(on_master(c, i, "FLUSHALL", NULL, NULL));
    return 0;
}

/* ---- pottery_redlock ---- */

static int redlock_new(ctx *c)
{
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.fencing = 1;
    opts.context_manager_blocking = 0;
    opts.context_manager_timeout_ms = 0;
    opts.retry_delay_ms = 10;
    return pottery_redlock_new(&c->redlock, "k", c->ms, c->n, &opts);
}

static int redlock_ready(void *arg)
{
    fresh(arg);
    return redlock_new(arg) < 0 ? -1 : 0;
}

static int redlock_held(void *arg)
{
    ctx *c = arg;
    if (redlock_ready(arg) < 0) return -1;
    return pottery_redlock_acquire(&c->acquired, c->redlock, 0, 0) < 0 || !c->acquired ? -1 : 0;
}

/* The lock held by another handle (c->other); c->redlock ready, its retries 10 ms apart. */
static int redlock_taken(void *arg)
{
    ctx *c = arg;
    if (redlock_ready(arg) < 0 || pottery_redlock_new(&c->other, "k", c->ms, c->n, NULL) < 0) return -1;
    return pottery_redlock_acquire(&c->acquired, c->other, 0, 0) < 0 || !c->acquired ? -1 : 0;
}

static int run_redlock_acquire_waiting(void *arg)
{
    ctx *c = arg;
    return pottery_redlock_acquire(&c->acquired, c->redlock, 1, 30);
}

/* Refused (the undo of each attempt ran): the other handle still holds the lock, alone. */
static int refused_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    int64_t validity = 0;
    /* a failed call leaves acquired as it was */
    return (rc < 0 || !c->acquired) && keys_like(c, "redlock:*") == (long)c->n &&
           pottery_redlock_locked(&validity, c->other) == 0 && validity > 0;
}

static int run_redlock_new(void *arg)
{
    return redlock_new(arg);
}

static int run_redlock_free(void *arg)
{
    ctx *c = arg;
    pottery_redlock_free(c->redlock);
    c->redlock = NULL;
    return 0;
}

static int run_redlock_acquire(void *arg)
{
    ctx *c = arg;
    return pottery_redlock_acquire(&c->acquired, c->redlock, 0, 0);
}

/* The lock is held by this handle (all of the lock keys that exist are its own). */
static int redlock_is_mine(ctx *c)
{
    int64_t validity = 0;
    return pottery_redlock_locked(&validity, c->redlock) == 0 && validity > 0;
}

static int acquire_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    if (rc < 0) return keys_like(c, "redlock:*") == 0;
    return c->acquired == 1 && redlock_is_mine(c);
}

static int run_redlock_release(void *arg)
{
    return pottery_redlock_release(((ctx *)arg)->redlock);
}

static int release_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    long keys = keys_like(c, "redlock:*");
    /* A release succeeds on a quorum, as Redlock's does: a master whose request the failure
     * took keeps its key until the lease ends (a minority of them). After a failure the
     * handle still holds what is left, and releases it when asked again. */
    int minority = keys <= (long)(c->n - (c->n / 2 + 1));
    if (keys == 0) return 1;
    if (rc >= 0) return minority;
    if (!minority && !redlock_is_mine(c)) return 0;
    (void)pottery_redlock_release(c->redlock);
    return keys_like(c, "redlock:*") == 0;
}

static int run_redlock_locked(void *arg)
{
    ctx *c = arg;
    return pottery_redlock_locked(&c->v, c->redlock);
}

static int still_mine(void *arg, int rc)
{
    (void)rc;
    return redlock_is_mine(arg);
}

static void check_v_positive(void *arg)
{
    assert_true(((ctx *)arg)->v > 0);
}

static int run_redlock_extend(void *arg)
{
    return pottery_redlock_extend(((ctx *)arg)->redlock);
}

static int run_redlock_fencing_token(void *arg)
{
    ctx *c = arg;
    return pottery_redlock_fencing_token(&c->v, c->redlock);
}

static int count_call(void *payload)
{
    ((ctx *)payload)->fn_calls++;
    return 0;
}

static int run_redlock_with(void *arg)
{
    ctx *c = arg;
    return pottery_redlock_with(c->redlock, count_call, c);
}

static int run_synchronize(void *arg)
{
    ctx *c = arg;
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    return pottery_synchronize("k", c->ms, c->n, &opts, count_call, c);
}

/* A context call: the function ran once if it succeeded, at most once if not; no lock key
 * is left after a success. A release that failed leaves the lock to its handle (with), which
 * can release it again, or (synchronize, whose handle is gone) to its lease. */
static int with_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    if (c->fn_calls > 1 || (rc >= 0 && c->fn_calls != 1)) return 0;
    long keys = keys_like(c, "redlock:*");
    if (keys == 0) return 1;
    if (rc >= 0) return keys <= (long)(c->n - (c->n / 2 + 1)); /* as release_state_ok */
    if (c->redlock) return redlock_is_mine(c) && pottery_redlock_release(c->redlock) == 0;
    for (size_t i = 0; i < c->n; i++) {
        char *ttl = on_master(c, i, "PTTL", "redlock:k", NULL);
        int leased = ttl && (strcmp(ttl, "-2") == 0 || atol(ttl) > 0);
        free(ttl);
        if (!leased) return 0;
    }
    return 1;
}

static int any_state(void *arg, int rc)
{
    (void)arg;
    (void)rc;
    return 1;
}

static const oom_op redlock_ops[] = {
    { "pottery_redlock_new", fresh, run_redlock_new, NULL, teardown, NULL },
    { "pottery_redlock_acquire", redlock_ready, run_redlock_acquire, NULL, teardown, acquire_state_ok },
    { "pottery_redlock_acquire (held elsewhere)", redlock_taken, run_redlock_acquire, NULL, teardown,
      refused_state_ok },
    { "pottery_redlock_acquire (waiting 30 ms, held elsewhere)", redlock_taken, run_redlock_acquire_waiting, NULL,
      teardown, refused_state_ok },
    { "pottery_redlock_release", redlock_held, run_redlock_release, NULL, teardown, release_state_ok },
    { "pottery_redlock_locked", redlock_held, run_redlock_locked, check_v_positive, teardown, still_mine },
    { "pottery_redlock_extend", redlock_held, run_redlock_extend, NULL, teardown, still_mine },
    { "pottery_redlock_fencing_token", redlock_held, run_redlock_fencing_token, check_v_positive, teardown,
      still_mine },
    { "pottery_redlock_with", redlock_ready, run_redlock_with, NULL, teardown, with_state_ok },
    { "pottery_synchronize", fresh, run_synchronize, NULL, teardown, with_state_ok },
    /* A free does not release (the lease ends it): Redis keeps whatever the handle held. */
    { "pottery_redlock_free", redlock_held, run_redlock_free, NULL, teardown, any_state },
};

/* ---- pottery_rlock ---- */

static int rlock_ready(void *arg)
{
    ctx *c = arg;
    fresh(arg);
    return pottery_rlock_new(&c->rlock, "r", c->ms, c->n, NULL) < 0 ? -1 : 0;
}

static int rlock_held(void *arg)
{
    ctx *c = arg;
    if (rlock_ready(arg) < 0) return -1;
    return pottery_rlock_acquire(&c->acquired, c->rlock, 0, 0) < 0 || !c->acquired ? -1 : 0;
}

static int run_rlock_new(void *arg)
{
    ctx *c = arg;
    return pottery_rlock_new(&c->rlock, "r", c->ms, c->n, NULL);
}

static int run_rlock_acquire(void *arg)
{
    ctx *c = arg;
    return pottery_rlock_acquire(&c->acquired, c->rlock, 0, 0);
}

/* The depth this handle holds on every master, as Redis says (-1: differs, or others). */
static int rlock_depth(ctx *c)
{
    int depth = -2;
    for (size_t i = 0; i < c->n; i++) {
        char *len = on_master(c, i, "HLEN", "rlock:r", NULL);
        char *mine = on_master(c, i, "HGET", "rlock:r", pottery_rlock_owner(c->rlock));
        int here = strcmp(len, "0") == 0 ? 0 : strcmp(len, "1") == 0 && mine ? atoi(mine) : -1;
        free(len);
        free(mine);
        if (depth != -2 && here != depth) return -1;
        depth = here;
    }
    return depth;
}

/* A first acquire: nothing, or held once; a second (reentrant) one: once, or twice. */
static int rlock_acquire_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    int depth = rlock_depth(c);
    int before = pottery_rlock_count(c->rlock) - (rc >= 0 && c->acquired);
    return (rc < 0 ? depth == before : depth == before + 1) && depth == pottery_rlock_count(c->rlock);
}

static int run_rlock_release(void *arg)
{
    return pottery_rlock_release(((ctx *)arg)->rlock);
}

static int rlock_release_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    int depth = rlock_depth(c);
    /* Still held after a failure: by the handle, which can release it again. */
    if (rc < 0 && depth == 1) return pottery_rlock_count(c->rlock) == 1 && keys_like(c, "*") == (long)c->n;
    return depth == 0 && keys_like(c, "*") == 0;
}

static int run_rlock_extend(void *arg)
{
    return pottery_rlock_extend(((ctx *)arg)->rlock);
}

static int rlock_still_held(void *arg, int rc)
{
    (void)rc;
    return rlock_depth(arg) == 1;
}

static int run_rlock_free(void *arg)
{
    ctx *c = arg;
    pottery_rlock_free(c->rlock);
    c->rlock = NULL;
    return 0;
}

static const oom_op rlock_ops[] = {
    { "pottery_rlock_new", fresh, run_rlock_new, NULL, teardown, NULL },
    { "pottery_rlock_acquire", rlock_ready, run_rlock_acquire, NULL, teardown, rlock_acquire_state_ok },
    { "pottery_rlock_acquire (reentrant)", rlock_held, run_rlock_acquire, NULL, teardown, rlock_acquire_state_ok },
    { "pottery_rlock_release", rlock_held, run_rlock_release, NULL, teardown, rlock_release_state_ok },
    { "pottery_rlock_extend", rlock_held, run_rlock_extend, NULL, teardown, rlock_still_held },
    { "pottery_rlock_free", rlock_held, run_rlock_free, NULL, teardown, any_state },
};

/* ---- pottery_rwlock ---- */

static int rwlock_ready(void *arg)
{
    ctx *c = arg;
    fresh(arg);
    return pottery_rwlock_new(&c->rwlock, "w", c->ms, c->n, NULL) < 0 ? -1 : 0;
}

static int rwlock_read_held(void *arg)
{
    ctx *c = arg;
    if (rwlock_ready(arg) < 0) return -1;
    return pottery_rwlock_acquire_read(&c->acquired, c->rwlock, 0, 0) < 0 || !c->acquired ? -1 : 0;
}

static int rwlock_write_held(void *arg)
{
    ctx *c = arg;
    if (rwlock_ready(arg) < 0) return -1;
    return pottery_rwlock_acquire_write(&c->acquired, c->rwlock, 0, 0) < 0 || !c->acquired ? -1 : 0;
}

static int run_rwlock_new(void *arg)
{
    ctx *c = arg;
    return pottery_rwlock_new(&c->rwlock, "w", c->ms, c->n, NULL);
}

static int run_rwlock_read(void *arg)
{
    ctx *c = arg;
    return pottery_rwlock_acquire_read(&c->acquired, c->rwlock, 0, 0);
}

static int run_rwlock_write(void *arg)
{
    ctx *c = arg;
    return pottery_rwlock_acquire_write(&c->acquired, c->rwlock, 0, 0);
}

/* Keys of the lock on the masters match what the handle says it holds: none, or its mode's
 * key on a majority of the masters (a master whose vote the failure took may lack it). */
static int rwlock_consistent(ctx *c)
{
    pottery_rwlock_mode mode = pottery_rwlock_mode_of(c->rwlock);
    long reads = keys_like(c, "{rwlock:w}:read"), writes = keys_like(c, "{rwlock:w}:write");
    long majority = (long)c->n / 2 + 1;
    if (mode == POTTERY_RWLOCK_NONE) return reads + writes == 0;
    if (mode == POTTERY_RWLOCK_READ) return reads >= majority && writes == 0;
    return writes >= majority && reads == 0;
}

static int rwlock_acquire_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    pottery_rwlock_mode mode = pottery_rwlock_mode_of(c->rwlock);
    if (rc < 0 && mode != POTTERY_RWLOCK_NONE) return 0;
    if (rc >= 0 && (!c->acquired || mode == POTTERY_RWLOCK_NONE)) return 0;
    return rwlock_consistent(c);
}

static int run_rwlock_release(void *arg)
{
    return pottery_rwlock_release(((ctx *)arg)->rwlock);
}

static int rwlock_release_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    if (rc >= 0 && pottery_rwlock_mode_of(c->rwlock) != POTTERY_RWLOCK_NONE) return 0;
    return rwlock_consistent(c) || (rc < 0 && keys_like(c, "*") == 0);
}

static int run_rwlock_extend(void *arg)
{
    return pottery_rwlock_extend(((ctx *)arg)->rwlock);
}

static int rwlock_still_held(void *arg, int rc)
{
    (void)rc;
    ctx *c = arg;
    return pottery_rwlock_mode_of(c->rwlock) != POTTERY_RWLOCK_NONE && rwlock_consistent(c);
}

static int run_rwlock_free(void *arg)
{
    ctx *c = arg;
    pottery_rwlock_free(c->rwlock);
    c->rwlock = NULL;
    return 0;
}

static const oom_op rwlock_ops[] = {
    { "pottery_rwlock_new", fresh, run_rwlock_new, NULL, teardown, NULL },
    { "pottery_rwlock_acquire_read", rwlock_ready, run_rwlock_read, NULL, teardown, rwlock_acquire_state_ok },
    { "pottery_rwlock_acquire_write", rwlock_ready, run_rwlock_write, NULL, teardown, rwlock_acquire_state_ok },
    { "pottery_rwlock_release (read)", rwlock_read_held, run_rwlock_release, NULL, teardown, rwlock_release_state_ok },
    { "pottery_rwlock_release (write)", rwlock_write_held, run_rwlock_release, NULL, teardown,
      rwlock_release_state_ok },
    { "pottery_rwlock_extend", rwlock_write_held, run_rwlock_extend, NULL, teardown, rwlock_still_held },
    { "pottery_rwlock_free", rwlock_read_held, run_rwlock_free, NULL, teardown, any_state },
};

static void run_lock_rows(ctx *c)
{
    for (size_t i = 0; i < sizeof redlock_ops / sizeof redlock_ops[0]; i++) oom_exhaust(&redlock_ops[i], c);
    for (size_t i = 0; i < sizeof rlock_ops / sizeof rlock_ops[0]; i++) oom_exhaust(&rlock_ops[i], c);
    for (size_t i = 0; i < sizeof rwlock_ops / sizeof rwlock_ops[0]; i++) oom_exhaust(&rwlock_ops[i], c);
}

/* ---- pottery_semaphore ---- */

static int sem_ready(void *arg)
{
    ctx *c = arg;
    fresh(arg);
    return pottery_semaphore_open(&c->sem, client, "sem", 2, NULL) < 0 ? -1 : 0;
}

static int sem_held(void *arg)
{
    ctx *c = arg;
    if (sem_ready(arg) < 0) return -1;
    return pottery_semaphore_acquire(&c->acquired, &c->permit, c->sem, 0, 0) < 0 || !c->acquired ? -1 : 0;
}

/* Both permits held by others: an acquire is refused. */
static int sem_full(void *arg)
{
    ctx *c = arg;
    if (sem_ready(arg) < 0) return -1;
    for (int i = 0; i < 2; i++)
        if (pottery_semaphore_acquire(&c->acquired, &c->others[i], c->sem, 0, 0) < 0 || !c->acquired) return -1;
    return 0;
}

static int sem_refused_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    char *card = raw("ZCARD", "sem", NULL);
    int ok = card && strcmp(card, "2") == 0 && (rc < 0 || !c->acquired) && !c->permit.token[0];
    free(card);
    return ok;
}

static int run_sem_open(void *arg)
{
    ctx *c = arg;
    return pottery_semaphore_open(&c->sem, client, "sem", 2, NULL);
}

static int run_sem_acquire(void *arg)
{
    ctx *c = arg;
    return pottery_semaphore_acquire(&c->acquired, &c->permit, c->sem, 0, 0);
}

/* Permits held in Redis: -1 unless the only one held (if any) is c->permit's. */
static long sem_mine(ctx *c)
{
    char *card = raw("ZCARD", "sem", NULL);
    char *score = raw("ZSCORE", "sem", c->permit.token, NULL);
    long n = atol(card);
    int mine = score && strcmp(score, "(nil)") != 0 && strncmp(score, "ERR", 3) != 0;
    free(card);
    free(score);
    return n == 0 ? 0 : n == 1 && mine ? 1 : -1;
}

static int sem_acquire_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    return rc < 0 ? keys_like(c, "*") == 0 : c->acquired && sem_mine(c) == 1;
}

static int run_sem_release(void *arg)
{
    ctx *c = arg;
    return pottery_semaphore_release(c->sem, &c->permit);
}

static int sem_release_state_ok(void *arg, int rc)
{
    long mine = sem_mine(arg);
    return rc < 0 ? mine == 0 || mine == 1 : mine == 0;
}

static int run_sem_extend(void *arg)
{
    ctx *c = arg;
    return pottery_semaphore_extend(c->sem, &c->permit);
}

static int sem_still_held(void *arg, int rc)
{
    (void)rc;
    return sem_mine(arg) == 1;
}

static int run_sem_held(void *arg)
{
    ctx *c = arg;
    return pottery_semaphore_held(&c->v, c->sem);
}

static void check_v_1(void *arg)
{
    assert_int_equal(((ctx *)arg)->v, 1);
}

static int run_sem_available(void *arg)
{
    ctx *c = arg;
    return pottery_semaphore_available(&c->v, c->sem);
}

static int run_sem_lease_left(void *arg)
{
    ctx *c = arg;
    return pottery_semaphore_lease_left(&c->v, c->sem, &c->permit);
}

static int run_sem_free(void *arg)
{
    ctx *c = arg;
    pottery_semaphore_free(c->sem);
    c->sem = NULL;
    return 0;
}

/* ---- pottery_ratelimit: one unit per second, no burst ---- */

static int rl_ready(void *arg)
{
    ctx *c = arg;
    fresh(arg);
    pottery_ratelimit_options opts;
    pottery_ratelimit_options_init(&opts);
    opts.burst = 1;
    return pottery_ratelimit_open(&c->rl, client, "rl", 1, 1000, &opts) < 0 ? -1 : 0;
}

static int rl_spent(void *arg)
{
    ctx *c = arg;
    if (rl_ready(arg) < 0) return -1;
    return pottery_ratelimit_try(&c->acquired, &c->v, c->rl, 1) < 0 || !c->acquired ? -1 : 0;
}

static int run_rl_open(void *arg)
{
    ctx *c = arg;
    return pottery_ratelimit_open(&c->rl, client, "rl", 1, 1000, NULL);
}

static int run_rl_try(void *arg)
{
    ctx *c = arg;
    return pottery_ratelimit_try(&c->acquired, &c->v, c->rl, 1);
}

static int run_rl_acquire(void *arg)
{
    ctx *c = arg;
    return pottery_ratelimit_acquire(&c->acquired, c->rl, 1, 0);
}

/* A unit taken when it succeeded (the next try is refused); untouched or taken when not. */
static int rl_take_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    long keys = keys_like(c, "rl");
    return rc < 0 ? keys <= 1 : c->acquired == 1 && keys == 1;
}

static int run_rl_reset(void *arg)
{
    return pottery_ratelimit_reset(((ctx *)arg)->rl);
}

static int rl_reset_state_ok(void *arg, int rc)
{
    long keys = keys_like(arg, "rl");
    return rc < 0 ? keys <= 1 : keys == 0;
}

static int run_rl_free(void *arg)
{
    ctx *c = arg;
    pottery_ratelimit_free(c->rl);
    c->rl = NULL;
    return 0;
}

/* ---- pottery_nextid: ids are deterministic, the digest compares them ---- */

static int nextid_new(ctx *c)
{
    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    opts.key = "ids";
    return pottery_nextid_new(&c->gen, c->ms, c->n, &opts);
}

static int nextid_ready(void *arg)
{
    ctx *c = arg;
    fresh(arg);
    if (nextid_new(c) < 0) return -1;
    return pottery_nextid_next(&c->v, c->gen) < 0 ? -1 : 0;
}

static int run_nextid_new(void *arg)
{
    return nextid_new(arg);
}

static int run_nextid_next(void *arg)
{
    ctx *c = arg;
    return pottery_nextid_next(&c->v, c->gen);
}

static void check_id_2(void *arg)
{
    assert_int_equal(((ctx *)arg)->v, 2);
}

static int run_nextid_reset(void *arg)
{
    return pottery_nextid_reset(((ctx *)arg)->gen);
}

static int run_nextid_repr(void *arg)
{
    ctx *c = arg;
    return pottery_nextid_repr(&c->text, c->gen);
}

static void check_nextid_repr(void *arg)
{
    assert_non_null(strstr(((ctx *)arg)->text, "ids"));
}

static int run_nextid_free(void *arg)
{
    ctx *c = arg;
    pottery_nextid_free(c->gen);
    c->gen = NULL;
    return 0;
}

static int next_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    return !c->fanout || oom_masters_hold(c->fanout, c->n, rc, "nextid:ids", "1", "2");
}

static int reset_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    return !c->fanout || oom_masters_hold(c->fanout, c->n, rc, "nextid:ids", "1", "(nil)");
}

static const oom_op nextid_ops[] = {
    { "pottery_nextid_new", fresh, run_nextid_new, NULL, teardown, NULL },
    { "pottery_nextid_next", nextid_ready, run_nextid_next, check_id_2, teardown, next_state_ok },
    { "pottery_nextid_reset", nextid_ready, run_nextid_reset, NULL, teardown, reset_state_ok },
    { "pottery_nextid_repr", nextid_ready, run_nextid_repr, check_nextid_repr, teardown, NULL },
    { "pottery_nextid_free", nextid_ready, run_nextid_free, NULL, teardown, NULL },
};

static void test_one_master(void **state)
{
    (void)state;
    ctx c = { .ms = &client, .n = 1 };
    run_lock_rows(&c);
    for (size_t i = 0; i < sizeof nextid_ops / sizeof nextid_ops[0]; i++) oom_exhaust(&nextid_ops[i], &c);
    const oom_op ops[] = {
        { "pottery_semaphore_open", fresh, run_sem_open, NULL, teardown, NULL },
        { "pottery_semaphore_acquire", sem_ready, run_sem_acquire, NULL, teardown, sem_acquire_state_ok },
        { "pottery_semaphore_acquire (none left)", sem_full, run_sem_acquire, NULL, teardown, sem_refused_state_ok },
        { "pottery_semaphore_release", sem_held, run_sem_release, NULL, teardown, sem_release_state_ok },
        { "pottery_semaphore_extend", sem_held, run_sem_extend, NULL, teardown, sem_still_held },
        { "pottery_semaphore_held", sem_held, run_sem_held, check_v_1, teardown, sem_still_held },
        { "pottery_semaphore_available", sem_held, run_sem_available, check_v_1, teardown, sem_still_held },
        { "pottery_semaphore_lease_left", sem_held, run_sem_lease_left, check_v_positive, teardown, sem_still_held },
        { "pottery_semaphore_free", sem_held, run_sem_free, NULL, teardown, sem_still_held },
        { "pottery_ratelimit_open", fresh, run_rl_open, NULL, teardown, NULL },
        { "pottery_ratelimit_try", rl_ready, run_rl_try, NULL, teardown, rl_take_state_ok },
        { "pottery_ratelimit_acquire", rl_ready, run_rl_acquire, NULL, teardown, rl_take_state_ok },
        { "pottery_ratelimit_reset", rl_spent, run_rl_reset, NULL, teardown, rl_reset_state_ok },
        { "pottery_ratelimit_free", rl_spent, run_rl_free, NULL, teardown, any_state },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) oom_exhaust(&ops[i], &c);
}

static void test_three_masters(void **state)
{
    (void)state;
    ctx c = { .ms = clients, .n = 3, .fanout = 1 };
    run_lock_rows(&c);
    for (size_t i = 0; i < sizeof nextid_ops / sizeof nextid_ops[0]; i++) oom_exhaust(&nextid_ops[i], &c);
}

static int group_setup(void **state)
{
    return fixture_setup(state) || masters_setup(state);
}

static int group_teardown(void **state)
{
    masters_teardown(state);
    return fixture_teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_one_master, fixture_reset),
        cmocka_unit_test_setup_teardown(test_three_masters, masters_reset, masters_close),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
