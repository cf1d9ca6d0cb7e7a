/* Threads sharing handles opened on one pottery_pool: one handle of each module that
 * pool.h lets threads share, used by every thread at once; the handles that keep state of
 * their own (cached ordered dict, locks, NextID) one per thread on the same pools, the locks
 * and NextID on a pool per master, and a watchdog renewing locks held through pools. Part of
 * test_threads (test_threads.c); the totals are test_threads_mix.c's. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "support/test_fixture.h"
#include "test_threads_mix.h"

typedef struct pooled_worker {
    tally *t;
    const mix_handles *h;
    pottery_client *view;
    pottery_client *const *master_views;
    pottery_watchdog *wd;
} pooled_worker;

static int pooled_rounds(pooled_worker *w, own_handles *o)
{
    tally *t = w->t;
    if (own_open(o, t, w->view, w->master_views) < 0 || mix_alloc_failures(t, w->h) < 0) return -1;
    for (int r = 0; r < ROUNDS; r++) {
        if (mix_round(t, w->h, o->cod, r) < 0) return -1;
        if (r % (ROUNDS / LOCK_ROUNDS) == 2 && lock_round(t, o, w->h) < 0) return -1;
        if (r == ROUNDS / 2 && watched_section(t, o, w->h, w->wd) < 0) return -1;
    }
    return 0;
}

static void *pooled_work(void *arg)
{
    pooled_worker *w = arg;
    own_handles o;
    memset(&o, 0, sizeof o);
    pooled_rounds(w, &o);
    own_free(&o);
    return NULL;
}

static pottery_pool *open_pool(const char *url, size_t size)
{
    pottery_client_options co;
    pottery_client_options_init(&co);
    co.command_timeout_ms = 10000;
    pottery_pool_options o;
    pottery_pool_options_init(&o);
    o.size = size;
    o.wait_timeout_ms = 30000;
    o.client = &co;
    pottery_pool *pool = NULL;
    assert_ok(pottery_pool_open(&pool, url, &o));
    return pool;
}

static void check_pool(const pottery_pool *pool)
{
    pottery_pool_stats s;
    pottery_pool_stats_get(&s, pool);
    assert_int_equal(s.in_use, 0);
    assert_true(s.open >= 1 && s.open <= s.size);
    assert_int_equal(s.timeouts + s.broken, 0);
}

static tally tallies[THREADS];

typedef struct watched_pools {
    pottery_pool *pools[1 + LOCK_MASTERS];
    pottery_watchdog *wd;
    pottery_cache *cache;
} watched_pools;

/* The main thread reads every counter the threads change meanwhile (its own call on the
 * shared cache handle included). */
static void pool_stats(void *arg)
{
    const watched_pools *w = arg;
    for (size_t i = 0; i < 1 + LOCK_MASTERS; i++) {
        pottery_pool_stats s;
        pottery_client_stats cs;
        pottery_pool_stats_get(&s, w->pools[i]);
        assert_true(s.in_use <= s.open && s.open <= s.size);
        pottery_client_stats_get(&cs, pottery_pool_client(w->pools[i]));
    }
    pottery_watchdog_stats ws;
    pottery_watchdog_stats_get(&ws, w->wd);
    assert_int_equal(ws.lost, 0);
    pottery_cache_info info;
    assert_ok(pottery_cache_info_get(&info, w->cache));
}

void test_threads_share_pooled_handles(void **state)
{
    (void)state;
    pottery_pool *pool = open_pool(fixture_url(), 4);
    pottery_pool *master_pools[LOCK_MASTERS];
    pottery_client *master_views[LOCK_MASTERS];
    const char *urls[LOCK_MASTERS];
    for (size_t i = 0; i < LOCK_MASTERS; i++) {
        master_pools[i] = open_pool(masters[i].url, 4);
        master_views[i] = pottery_pool_client(master_pools[i]);
        urls[i] = masters[i].url;
    }
    pottery_watchdog *wd = NULL;
    assert_ok(pottery_watchdog_new(&wd, urls, LOCK_MASTERS, NULL));
    mix_handles h;
    assert_ok(mix_open(&h, pottery_pool_client(pool)));

    pooled_worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        tally_init(&tallies[i], i);
        w[i] = (pooled_worker){ &tallies[i], &h, pottery_pool_client(pool), master_views, wd };
    }
    watched_pools watched = { { pool }, wd, h.cache };
    for (size_t i = 0; i < LOCK_MASTERS; i++) watched.pools[1 + i] = master_pools[i];
    run_threads(pooled_work, w, sizeof w[0], THREADS, pool_stats, &watched);

    mix_check(tallies, THREADS, &h);
    locks_check(tallies, THREADS, &h, wd);
    /* The shared cache handle counted every thread's calls, each once. */
    pottery_cache_info info;
    assert_ok(pottery_cache_info_get(&info, h.cache));
    assert_int_equal(info.hits + info.misses, (int64_t)THREADS * ROUNDS);
    assert_true(info.misses >= CACHE_ARGS && info.hits > 0);
    check_pool(pool);
    for (size_t i = 0; i < LOCK_MASTERS; i++) check_pool(master_pools[i]);

    mix_free(&h);
    pottery_watchdog_free(wd);
    for (size_t i = 0; i < LOCK_MASTERS; i++) pottery_pool_free(master_pools[i]);
    pottery_pool_free(pool);
}
