/* Many threads hammering every module at once: each with clients of its own (every
 * container, the cache, Bloom, HyperLogLog, the locks, NextID, the semaphore, the rate
 * limiter, the reliable queue, a watchdog renewing locks from its thread, and the
 * event-loop lock and id generator on a libevent or libuv loop of the thread's own), then
 * all of them sharing handles opened on one pool (test_threads_pool.c); the totals Redis
 * holds afterwards are exact. Also built with ThreadSanitizer (POTTERY_TSAN,
 * scripts/test.sh), which must report nothing. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pottery/aionextid.h"
#include "pottery/aioredlock.h"
#include "support/loop_kinds.h"
#include "support/test_fixture.h"
#include "test_threads_mix.h"

#if defined(LOOP_KINDS_LIBEVENT) || defined(LOOP_KINDS_LIBUV)
#define HAVE_LOOPS 1
#else
#define HAVE_LOOPS 0
#endif

static const char *master_urls[LOCK_MASTERS];

static int setup(void **state)
{
    if (fixture_setup(state) < 0 || masters_setup(state) < 0) return -1;
    for (size_t i = 0; i < LOCK_MASTERS; i++) master_urls[i] = masters[i].url;
    return 0;
}

static int teardown(void **state)
{
    masters_teardown(state);
    return fixture_teardown(state);
}

static int reset(void **state)
{
    if (fixture_reset(state) < 0) return -1;
    return reset_masters(masters, MASTERS);
}

/* ---- the event-loop lock and id generator, on a loop of the thread's own ---- */

#if HAVE_LOOPS
typedef struct aio_outcome {
    int calls, status, acquired;
    int64_t value;
} aio_outcome;

static void on_acquired(int status, int acquired, void *payload)
{
    aio_outcome *o = payload;
    o->calls++;
    o->status = status;
    o->acquired = acquired;
}

static void on_done(int status, void *payload)
{
    aio_outcome *o = payload;
    o->calls++;
    o->status = status;
}

static void on_id(int status, int64_t id, void *payload)
{
    aio_outcome *o = payload;
    o->calls++;
    o->status = status;
    o->value = id;
}

/* Turn the loop until the operation started with o came back (at most 60 s). */
static int await(tally *t, const loop_kind *kind, void *native, aio_outcome *o, int line)
{
    double end = now_ms() + 60000;
    while (o->calls == 0 && now_ms() < end) kind->turn(native);
    if (o->calls != 1) return tally_fail_at(t, "an event-loop operation came back", 0, line);
    if (o->status < 0) return tally_fail_at(t, "an event-loop operation", o->status, line);
    return 0;
}

#define AWAIT(t, o, call)                                                                                              \
    do {                                                                                                               \
        memset(&(o), 0, sizeof(o));                                                                                    \
        T_OK(t, call);                                                                                                 \
        if (await((t), kind, native, &(o), __LINE__) < 0) return -1;                                                   \
    } while (0)

static int aio_work(tally *t, const loop_kind *kind, void *native, pottery_async **conns, const mix_handles *h)
{
    pottery_loop loop;
    T_OK(t, kind->fill(&loop, native));
    pottery_client_options co;
    pottery_client_options_init(&co);
    co.command_timeout_ms = 10000;
    for (size_t i = 0; i < LOCK_MASTERS; i++) T_OK(t, pottery_async_open(&conns[i], &loop, master_urls[i], &co));
    pottery_redlock_options lo;
    pottery_redlock_options_init(&lo);
    lo.retry_delay_ms = 20;
    lo.fencing = 1;
    pottery_nextid_options io;
    pottery_nextid_options_init(&io);
    io.key = "threads";
    io.num_tries = 1000;
    pottery_aioredlock *lock = NULL;
    pottery_aionextid *gen = NULL;
    int rc = pottery_aioredlock_new(&lock, "threads:lock", conns, LOCK_MASTERS, &lo);
    if (rc == 0) rc = pottery_aionextid_new(&gen, conns, LOCK_MASTERS, &io);
    aio_outcome o;
    /* The same lock as the blocking holders' (one Redis key): they exclude each other. */
    for (int k = 0; rc == 0 && k < AIO_LOCKS; k++) {
        AWAIT(t, o, pottery_aioredlock_acquire(lock, 1, 30000, on_acquired, &o));
        T_TRUE(t, o.acquired);
        int64_t token = 0;
        T_OK(t, pottery_aioredlock_fencing_token(&token, lock));
        if (guarded_increment(t, h->counter, "redlock", token) < 0) return -1;
        AWAIT(t, o, pottery_aioredlock_release(lock, on_done, &o));
        t->locked++;
    }
    for (int k = 0; rc == 0 && k < AIO_IDS; k++) {
        AWAIT(t, o, pottery_aionextid_next(gen, on_id, &o));
        T_TRUE(t, t->nids < MAX_IDS);
        t->ids[t->nids++] = o.value;
    }
    pottery_aioredlock_free(lock);
    pottery_aionextid_free(gen);
    T_OK(t, rc);
    return 0;
}

static int aio_section(tally *t, const loop_kind *kind, const mix_handles *h)
{
    void *native = kind->create();
    T_TRUE(t, native != NULL);
    pottery_async *conns[LOCK_MASTERS] = { NULL };
    int rc = aio_work(t, kind, native, conns, h);
    for (size_t i = 0; i < LOCK_MASTERS; i++) pottery_async_free(conns[i]);
    T_TRUE(t, kind->destroy(native) == 0);
    return rc;
}

static const loop_kind *kind_for(int index)
{
#if defined(LOOP_KINDS_LIBEVENT) && defined(LOOP_KINDS_LIBUV)
    return index % 2 ? &loop_kind_libuv : &loop_kind_libevent;
#elif defined(LOOP_KINDS_LIBEVENT)
    (void)index;
    return &loop_kind_libevent;
#else
    (void)index;
    return &loop_kind_libuv;
#endif
}
#endif

/* ---- threads with clients of their own ---- */

typedef struct own_worker {
    tally *t;
    pottery_watchdog *wd;
} own_worker;

typedef struct own_state {
    pottery_client *client, *masters[LOCK_MASTERS];
    mix_handles h;
    own_handles o;
} own_state;

static int own_rounds(own_worker *w, own_state *s)
{
    tally *t = w->t;
    pottery_client_options co;
    pottery_client_options_init(&co);
    co.command_timeout_ms = 10000;
    T_OK(t, pottery_client_open(&s->client, fixture_url(), &co));
    for (size_t i = 0; i < LOCK_MASTERS; i++) T_OK(t, pottery_client_open(&s->masters[i], master_urls[i], &co));
    T_OK(t, mix_open(&s->h, s->client));
    if (own_open(&s->o, t, s->client, s->masters) < 0 || mix_alloc_failures(t, &s->h) < 0) return -1;
    for (int r = 0; r < ROUNDS; r++) {
        if (mix_round(t, &s->h, s->o.cod, r) < 0) return -1;
        if (r % (ROUNDS / LOCK_ROUNDS) == 1 && lock_round(t, &s->o, &s->h) < 0) return -1;
        if (r == ROUNDS / 3 && watched_section(t, &s->o, &s->h, w->wd) < 0) return -1;
#if HAVE_LOOPS
        if (r == ROUNDS / 2 && aio_section(t, kind_for(t->index), &s->h) < 0) return -1;
#endif
    }
    /* The thread's own cache handle counted each of its calls once (a miss computed
     * elsewhere first is a hit here). */
    pottery_cache_info info;
    T_OK(t, pottery_cache_info_get(&info, s->h.cache));
    T_TRUE(t, info.hits + info.misses == ROUNDS);
    return 0;
}

static void *own_work(void *arg)
{
    own_worker *w = arg;
    own_state s;
    memset(&s, 0, sizeof s);
    own_rounds(w, &s);
    own_free(&s.o);
    mix_free(&s.h);
    for (size_t i = 0; i < LOCK_MASTERS; i++) pottery_client_free(s.masters[i]);
    pottery_client_free(s.client);
    return NULL;
}

static tally tallies[THREADS];

/* The main thread reads the watchdog's counters while it renews. */
static void watch_stats(void *arg)
{
    pottery_watchdog_stats s;
    pottery_watchdog_stats_get(&s, arg);
    assert_int_equal(s.lost, 0);
}

static void test_threads_with_own_clients(void **state)
{
    (void)state;
    pottery_watchdog *wd = NULL;
    assert_ok(pottery_watchdog_new(&wd, master_urls, LOCK_MASTERS, NULL));
    own_worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        tally_init(&tallies[i], i);
        w[i].t = &tallies[i];
        w[i].wd = wd;
    }
    run_threads(own_work, w, sizeof w[0], THREADS, watch_stats, wd);

    mix_handles h;
    assert_ok(mix_open(&h, client));
    mix_check(tallies, THREADS, &h);
    locks_check(tallies, THREADS, &h, wd);
    int64_t locked = 0;
    for (int i = 0; i < THREADS; i++) locked += tallies[i].locked;
    assert_int_equal(locked, (int64_t)THREADS * (LOCK_ROUNDS + (HAVE_LOOPS ? AIO_LOCKS : 0)));
    mix_free(&h);
    pottery_watchdog_free(wd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_threads_with_own_clients, reset),
        cmocka_unit_test_setup(test_threads_share_pooled_handles, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
