/* What the threaded tests' threads do, and the totals they must leave: test_threads_mix.h. */
#include "test_threads_mix.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/test_fixture.h"

#ifdef POTTERY_ALLOC_FAIL
#include "core/alloc.h"
#endif

/* ---- failures ---- */

int tally_fail_at(tally *t, const char *what, int rc, int line)
{
    if (!t->failure[0])
        snprintf(t->failure, sizeof t->failure, "thread %d, line %d: %s: %s (%d): %s", t->index, line, what,
                 rc ? pottery_test_code_name(rc) : "false", rc, rc ? pottery_error_last()->message : "wrong value");
    return -1;
}

void tally_init(tally *t, int index)
{
    memset(t, 0, sizeof *t);
    t->index = index;
    for (int k = 0; k < DICT_KEYS; k++) t->last[k] = -1;
}

/* ---- the mix ---- */

/* The cached function: twice its argument. */
static int twice(pottery_value *result, const pottery_value *args, size_t nargs, void *payload)
{
    int64_t n = 0;
    (void)payload;
    if (nargs != 1 || pottery_value_get_int(&n, &args[0]) < 0) return POTTERY_EINVAL;
    *result = pottery_int(2 * n);
    return 0;
}

int mix_open(mix_handles *h, pottery_client *c)
{
    memset(h, 0, sizeof *h);
    pottery_semaphore_options so;
    pottery_semaphore_options_init(&so);
    so.retry_delay_ms = 10;
    int rc = 0;
    if (rc == 0) rc = pottery_dict_open(&h->dict, c, "threads:dict", NULL);
    if (rc == 0) rc = pottery_set_open(&h->set, c, "threads:set", NULL);
    if (rc == 0) rc = pottery_list_open(&h->list, c, "threads:list", NULL);
    if (rc == 0) rc = pottery_deque_open(&h->deque, c, "threads:deque", NULL);
    if (rc == 0) rc = pottery_counter_open(&h->counter, c, "threads:counter", NULL);
    if (rc == 0) rc = pottery_queue_open(&h->queue, c, "threads:queue", NULL);
    if (rc == 0) rc = pottery_cache_open(&h->cache, c, "threads:cache", twice, NULL, NULL);
    if (rc == 0) rc = pottery_bloom_open(&h->bloom, c, "threads:bloom", 10000, 0.01, NULL);
    if (rc == 0) rc = pottery_hll_open(&h->hll, c, "threads:hll", NULL, 0);
    if (rc == 0) rc = pottery_semaphore_open(&h->sem, c, "threads:sem", SEM_PERMITS, &so);
    if (rc == 0) rc = pottery_ratelimit_open(&h->rl, c, "threads:rl", RL_LIMIT, 24 * 3600 * 1000, NULL);
    if (rc == 0) rc = pottery_rqueue_open(&h->rq, c, "threads:rq", NULL);
    if (rc < 0) mix_free(h);
    return rc;
}

void mix_free(mix_handles *h)
{
    pottery_dict_free(h->dict);
    pottery_set_free(h->set);
    pottery_list_free(h->list);
    pottery_deque_free(h->deque);
    pottery_counter_free(h->counter);
    pottery_queue_free(h->queue);
    pottery_cache_free(h->cache);
    pottery_bloom_free(h->bloom);
    pottery_hll_free(h->hll);
    pottery_semaphore_free(h->sem);
    pottery_ratelimit_free(h->rl);
    pottery_rqueue_free(h->rq);
    memset(h, 0, sizeof *h);
}

static int got_int(tally *t, pottery_value *v, int64_t expected, const char *what)
{
    int64_t n = 0;
    int ok = pottery_value_get_int(&n, v) == 0 && n == expected;
    pottery_value_dispose(v);
    return ok ? 0 : tally_fail_at(t, what, 0, __LINE__);
}

/* A permit of the semaphore: never more than SEM_PERMITS holders inside at once. */
static int permit_round(tally *t, const mix_handles *h)
{
    pottery_semaphore_permit permit;
    int acquired = 0;
    int64_t inside = 0;
    T_OK(t, pottery_semaphore_acquire(&acquired, &permit, h->sem, 1, 30000));
    T_TRUE(t, acquired);
    T_OK(t, pottery_counter_incr(&inside, h->counter, pottery_str("sem:inside"), 1));
    T_TRUE(t, inside >= 1 && inside <= SEM_PERMITS);
    T_OK(t, pottery_counter_incr(NULL, h->counter, pottery_str("sem:taken"), 1));
    T_OK(t, pottery_counter_decr(NULL, h->counter, pottery_str("sem:inside"), 1));
    T_OK(t, pottery_semaphore_release(h->sem, &permit));
    t->permits++;
    return 0;
}

static int queues_round(tally *t, const mix_handles *h, int r)
{
    pottery_value v = POTTERY_VALUE_INIT;
    /* Every thread puts before it takes, so there is always an item for it. */
    T_OK(t, pottery_queue_put(h->queue, pottery_int(r)));
    t->put++;
    T_OK(t, pottery_queue_get(&v, h->queue, 1, 20000));
    pottery_value_dispose(&v);
    t->got++;
    pottery_rqueue_item item = POTTERY_RQUEUE_ITEM_INIT;
    T_OK(t, pottery_rqueue_put(h->rq, pottery_int(r)));
    t->rq_put++;
    T_OK(t, pottery_rqueue_take(&item, h->rq, 20000));
    int rc = pottery_rqueue_ack(h->rq, &item);
    pottery_rqueue_item_dispose(&item);
    T_OK(t, rc);
    t->rq_acked++;
    return 0;
}

/* Every BATCH_EVERY rounds: calls of several round trips on one connection (a pop in the
 * middle of the list and its put-back), iterators on the shared counter and dict, batches,
 * a HyperLogLog copied to a random key. */
static int batch_round(tally *t, const mix_handles *h, int r)
{
    pottery_value v = POTTERY_VALUE_INIT;
    /* Every thread pops at most once per BATCH_EVERY appends: the list holds two or more. */
    T_OK(t, pottery_list_pop_index(&v, h->list, 1));
    pottery_value_dispose(&v);
    t->popped++;

    pottery_counter_iter *it = NULL;
    int64_t count = 0, seen = 0;
    T_OK(t, pottery_counter_iter_new(&it, h->counter));
    int rc;
    while ((rc = pottery_counter_iter_next(&v, &count, it)) == 0) {
        seen++;
        pottery_value_dispose(&v);
    }
    pottery_counter_iter_free(it);
    T_TRUE(t, rc == POTTERY_EITEROVER && seen >= 1);

    char names[BATCH_EVERY][24];
    pottery_value values[BATCH_EVERY];
    int found[BATCH_EVERY];
    for (int k = 0; k < BATCH_EVERY; k++) {
        snprintf(names[k], sizeof names[k], "t%d:%d", t->index, r - k);
        values[k] = pottery_str(names[k]);
    }
    T_OK(t, pottery_bloom_contains_many(found, h->bloom, values, BATCH_EVERY));
    for (int k = 0; k < BATCH_EVERY; k++) T_TRUE(t, found[k]);
    /* The batches add t<i>:<r> for every r, some of them added one by one already. */
    T_OK(t, pottery_set_update(h->set, values, BATCH_EVERY));

    /* A copy under a random key (uuid4), deleted with its handle. */
    pottery_hll *copy = NULL;
    int64_t copied = 0;
    T_OK(t, pottery_hll_union_from(&copy, h->hll, NULL, 0, NULL));
    rc = pottery_hll_len(&copied, copy);
    pottery_hll_free(copy);
    T_OK(t, rc);
    T_TRUE(t, copied > r / 2); /* an estimate of r + 1 of this thread's elements and more */

    /* A few steps of a scan of the shared dict. */
    pottery_dict_iter *dit = NULL;
    T_OK(t, pottery_dict_iter_new(&dit, h->dict));
    for (int k = 0; k < 3 && (rc = pottery_dict_iter_next(&v, NULL, dit)) == 0; k++) pottery_value_dispose(&v);
    pottery_dict_iter_free(dit);
    T_TRUE(t, rc == 0 || rc == POTTERY_EITEROVER);
    return 0;
}

int mix_round(tally *t, const mix_handles *h, pottery_cached_ordered_dict *cod, int r)
{
    char key[48], missing[48];
    pottery_value v = POTTERY_VALUE_INIT;
    int slot = r % DICT_KEYS;

    snprintf(key, sizeof key, "t%d:%d", t->index, slot);
    T_OK(t, pottery_dict_set(h->dict, pottery_str(key), pottery_int(r)));
    t->last[slot] = r;
    T_OK(t, pottery_dict_get(&v, h->dict, pottery_str(key)));
    if (got_int(t, &v, r, "dict get") < 0) return -1;
    /* The error message is the calling thread's, whatever the others fail meanwhile. */
    snprintf(missing, sizeof missing, "t%d:missing:%d", t->index, r);
    T_TRUE(t, pottery_dict_get(&v, h->dict, pottery_str(missing)) == POTTERY_ENOTFOUND);
    T_TRUE(t, strstr(pottery_error_last()->message, missing) != NULL);

    snprintf(key, sizeof key, "t%d:%d", t->index, r % SET_KEYS);
    T_OK(t, pottery_set_add(h->set, pottery_str(key)));
    T_OK(t, pottery_list_append(h->list, pottery_int((int64_t)t->index * ROUNDS + r)));
    T_OK(t, pottery_deque_append(h->deque, pottery_int(r)));
    T_OK(t, pottery_deque_appendleft(h->deque, pottery_int(-r)));
    T_OK(t, pottery_deque_popleft(&v, h->deque));
    pottery_value_dispose(&v);

    int c = (r + t->index) % COUNTERS;
    snprintf(key, sizeof key, "c%d", c);
    T_OK(t, pottery_counter_incr(NULL, h->counter, pottery_str(key), 1 + c));
    t->counted[c] += 1 + c;

    if (queues_round(t, h, r) < 0) return -1;

    pottery_value arg = pottery_int(r % CACHE_ARGS);
    T_OK(t, pottery_cache_call(&v, h->cache, &arg, 1));
    if (got_int(t, &v, 2 * (r % CACHE_ARGS), "cache call") < 0) return -1;
    t->cache_calls++;

    snprintf(key, sizeof key, "t%d:%d", t->index, r);
    T_OK(t, pottery_bloom_add(h->bloom, pottery_str(key)));
    T_OK(t, pottery_hll_add(h->hll, pottery_str(key)));

    int allowed = 0;
    int64_t wait_ms = 0;
    T_OK(t, pottery_ratelimit_try(&allowed, &wait_ms, h->rl, 1));
    t->allowed += allowed;

    snprintf(key, sizeof key, "t%d:k%d", t->index, r % COD_KEYS);
    T_OK(t, pottery_cached_ordered_dict_set(cod, pottery_str(key), pottery_int(r)));
    T_OK(t, pottery_cached_ordered_dict_get(&v, cod, pottery_str(key)));
    if (got_int(t, &v, r, "cached ordered dict get") < 0) return -1;

    if (r % BATCH_EVERY == BATCH_EVERY - 1 && batch_round(t, h, r) < 0) return -1;
    return r % SEM_EVERY == 0 ? permit_round(t, h) : 0;
}

int mix_alloc_failures(tally *t, const mix_handles *h)
{
#ifdef POTTERY_ALLOC_FAIL
    char key[32];
    snprintf(key, sizeof key, "t%d:oom", t->index);
    for (long nth = 0;; nth++) {
        pottery__alloc_fail_at(nth);
        int rc = pottery_dict_set(h->dict, pottery_str(key), pottery_int(nth));
        int failed = pottery__alloc_failed();
        pottery__alloc_fail_at(-1);
        if (!failed) {
            T_OK(t, rc);
            break;
        }
        T_TRUE(t, rc == POTTERY_ENOMEM);
        T_TRUE(t, nth < 100);
        t->enomem++;
    }
    T_OK(t, pottery_dict_del(h->dict, pottery_str(key)));
#else
    (void)t;
    (void)h;
#endif
    return 0;
}

/* ---- locks and ids ---- */

int own_open(own_handles *o, tally *t, pottery_client *c, pottery_client *const *lock_masters)
{
    memset(o, 0, sizeof *o);
    char names[COD_KEYS][24], key[48];
    pottery_value keys[COD_KEYS];
    for (int k = 0; k < COD_KEYS; k++) {
        snprintf(names[k], sizeof names[k], "t%d:k%d", t->index, k);
        keys[k] = pottery_str(names[k]);
    }
    pottery_redlock_options lo;
    pottery_redlock_options_init(&lo);
    lo.retry_delay_ms = 20;
    pottery_nextid_options io;
    pottery_nextid_options_init(&io);
    io.key = "threads";
    io.num_tries = 1000; /* every thread draws from one sequence at once */
    T_OK(t, pottery_cached_ordered_dict_open(&o->cod, c, "threads:cod", keys, COD_KEYS, NULL));
    T_OK(t, pottery_rlock_new(&o->rlock, "threads:rlock", lock_masters, LOCK_MASTERS, &lo));
    T_OK(t, pottery_rwlock_new(&o->rwlock, "threads:rwlock", lock_masters, LOCK_MASTERS, &lo));
    T_OK(t, pottery_nextid_new(&o->ids, lock_masters, LOCK_MASTERS, &io));
    lo.fencing = 1;
    T_OK(t, pottery_redlock_new(&o->redlock, "threads:lock", lock_masters, LOCK_MASTERS, &lo));
    lo.fencing = 0;
    lo.auto_release_time_ms = WATCH_LEASE;
    snprintf(key, sizeof key, "threads:watched:%d", t->index);
    T_OK(t, pottery_redlock_new(&o->watched, key, lock_masters, LOCK_MASTERS, &lo));
    return 0;
}

void own_free(own_handles *o)
{
    pottery_cached_ordered_dict_free(o->cod);
    pottery_redlock_free(o->redlock);
    pottery_rlock_free(o->rlock);
    pottery_rwlock_free(o->rwlock);
    pottery_nextid_free(o->ids);
    pottery_redlock_free(o->watched);
    memset(o, 0, sizeof *o);
}

int guarded_increment(tally *t, pottery_counter *counter, const char *field, int64_t token)
{
    int64_t n = 0, fence = 0;
    T_OK(t, pottery_counter_get(&n, counter, pottery_str(field)));
    T_OK(t, pottery_counter_set(counter, pottery_str(field), n + 1));
    if (token < 0) return 0;
    /* Each grant's fencing token is above every earlier holder's. */
    T_OK(t, pottery_counter_get(&fence, counter, pottery_str("fence")));
    T_TRUE(t, token > fence);
    T_OK(t, pottery_counter_set(counter, pottery_str("fence"), token));
    return 0;
}

int lock_round(tally *t, const own_handles *o, const mix_handles *h)
{
    int acquired = 0;
    T_OK(t, pottery_redlock_acquire(&acquired, o->redlock, 1, 30000));
    T_TRUE(t, acquired);
    int64_t token = 0;
    T_OK(t, pottery_redlock_fencing_token(&token, o->redlock));
    if (guarded_increment(t, h->counter, "redlock", token) < 0) return -1;
    T_OK(t, pottery_redlock_release(o->redlock));
    t->locked++;

    T_OK(t, pottery_rlock_acquire(&acquired, o->rlock, 1, 30000));
    T_TRUE(t, acquired);
    T_OK(t, pottery_rlock_acquire(&acquired, o->rlock, 1, 30000));
    T_TRUE(t, acquired && pottery_rlock_count(o->rlock) == 2);
    if (guarded_increment(t, h->counter, "rlock", -1) < 0) return -1;
    T_OK(t, pottery_rlock_release(o->rlock));
    T_OK(t, pottery_rlock_release(o->rlock));
    t->rlocked++;

    T_OK(t, pottery_rwlock_acquire_write(&acquired, o->rwlock, 1, 30000));
    T_TRUE(t, acquired);
    if (guarded_increment(t, h->counter, "rwlock", -1) < 0) return -1;
    T_OK(t, pottery_rwlock_release(o->rwlock));
    t->written++;
    /* Readers share the lock, and no writer changes the field under them. */
    int64_t before = 0, after = 0;
    T_OK(t, pottery_rwlock_acquire_read(&acquired, o->rwlock, 1, 30000));
    T_TRUE(t, acquired);
    T_OK(t, pottery_counter_get(&before, h->counter, pottery_str("rwlock")));
    T_OK(t, pottery_counter_get(&after, h->counter, pottery_str("rwlock")));
    T_OK(t, pottery_rwlock_release(o->rwlock));
    T_TRUE(t, before == after && before >= 1);

    for (int i = 0; i < IDS_PER_ROUND; i++) {
        T_TRUE(t, t->nids < MAX_IDS);
        T_OK(t, pottery_nextid_next(&t->ids[t->nids], o->ids));
        t->nids++;
    }
    return 0;
}

int watched_section(tally *t, const own_handles *o, const mix_handles *h, pottery_watchdog *wd)
{
    int acquired = 0;
    T_OK(t, pottery_redlock_acquire(&acquired, o->watched, 1, 30000));
    T_TRUE(t, acquired);
    T_OK(t, pottery_redlock_watch(o->watched, wd));
    double start = now_ms();
    while (now_ms() - start < WATCH_LEASE * 3 / 2) {
        int64_t n = 0;
        T_OK(t, pottery_dict_len(&n, h->dict));
        T_OK(t, pottery_counter_total(&n, h->counter));
        T_OK(t, pottery_hll_len(&n, h->hll));
        T_TRUE(t, pottery_redlock_lost(o->watched) == 0);
        sleep_ms(5);
    }
    int64_t validity_ms = 0;
    T_OK(t, pottery_redlock_locked(&validity_ms, o->watched));
    T_TRUE(t, validity_ms > 0 && pottery_redlock_lost(o->watched) == 0);
    T_OK(t, pottery_redlock_release(o->watched));
    return 0;
}

/* ---- running and checking ---- */

typedef struct started {
    void *(*fn)(void *);
    void *arg;
    atomic_int *finished;
} started;

static void *run_one(void *arg)
{
    const started *s = arg;
    s->fn(s->arg);
    atomic_fetch_add(s->finished, 1);
    return NULL;
}

void run_threads(void *(*fn)(void *), void *args, size_t size, size_t n, void (*monitor)(void *), void *monitor_arg)
{
    pthread_t threads[THREADS];
    started s[THREADS];
    atomic_int finished = 0;
    assert_true(n <= THREADS);
    for (size_t i = 0; i < n; i++) {
        s[i] = (started){ fn, (char *)args + i * size, &finished };
        assert_int_equal(pthread_create(&threads[i], NULL, run_one, &s[i]), 0);
    }
    while (atomic_load(&finished) < (int)n) {
        if (monitor) monitor(monitor_arg);
        sleep_ms(5);
    }
    for (size_t i = 0; i < n; i++) pthread_join(threads[i], NULL);
}

static void check_counter(pottery_counter *counter, const char *field, int64_t expected)
{
    int64_t n = -1;
    assert_ok(pottery_counter_get(&n, counter, pottery_str(field)));
    if (n != expected) fail_msg("counter field %s: %lld, expected %lld", field, (long long)n, (long long)expected);
}

/* Every element every thread added to the Bloom filter and the HyperLogLog is in them. */
static void check_elements(const mix_handles *h, size_t threads)
{
    size_t n = threads * ROUNDS;
    char(*names)[24] = calloc(n, sizeof *names);
    pottery_value *values = calloc(n, sizeof *values);
    int *found = calloc(n, sizeof *found);
    assert_true(names && values && found);
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "t%zu:%zu", i / ROUNDS, i % ROUNDS);
        values[i] = pottery_str(names[i]);
    }
    assert_ok(pottery_bloom_contains_many(found, h->bloom, values, n));
    for (size_t i = 0; i < n; i++)
        if (!found[i]) fail_msg("bloom: %s missing", names[i]);
    assert_ok(pottery_hll_contains_many(found, h->hll, values, n));
    for (size_t i = 0; i < n; i++)
        if (!found[i]) fail_msg("hll: %s missing", names[i]);
    int64_t len = 0;
    assert_ok(pottery_hll_len(&len, h->hll));
    assert_true(len > (int64_t)n * 97 / 100 && len < (int64_t)n * 103 / 100);
    free(names);
    free(values);
    free(found);
}

void mix_check(const tally *tallies, size_t n, const mix_handles *h)
{
    for (size_t i = 0; i < n; i++) {
        if (tallies[i].failure[0]) fail_msg("%s", tallies[i].failure);
#ifdef POTTERY_ALLOC_FAIL
        assert_true(tallies[i].enomem > 0); /* its allocations failed, and only its */
#endif
    }

    int64_t counted[COUNTERS] = { 0 }, put = 0, got = 0, allowed = 0, rq_put = 0, rq_acked = 0, permits = 0, calls = 0,
            popped = 0, len = -1;
    for (size_t i = 0; i < n; i++) {
        const tally *t = &tallies[i];
        for (int c = 0; c < COUNTERS; c++) counted[c] += t->counted[c];
        put += t->put;
        got += t->got;
        allowed += t->allowed;
        rq_put += t->rq_put;
        rq_acked += t->rq_acked;
        permits += t->permits;
        calls += t->cache_calls;
        popped += t->popped;
    }
    const int64_t rounds = (int64_t)n * ROUNDS;

    assert_ok(pottery_dict_len(&len, h->dict));
    assert_int_equal(len, (int64_t)n * DICT_KEYS);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < DICT_KEYS; k++) {
            char key[32];
            pottery_value v = POTTERY_VALUE_INIT;
            snprintf(key, sizeof key, "t%zu:%d", i, k);
            assert_ok(pottery_dict_get(&v, h->dict, pottery_str(key)));
            assert_value_int(&v, tallies[i].last[k]);
            pottery_value_dispose(&v);
        }
    assert_ok(pottery_set_len(&len, h->set));
    assert_int_equal(len, rounds);
    assert_ok(pottery_list_len(&len, h->list));
    assert_int_equal(len, rounds - popped);
    assert_int_equal(popped, rounds / BATCH_EVERY);
    assert_ok(pottery_deque_len(&len, h->deque));
    assert_int_equal(len, rounds); /* two pushes and one pop a round */

    int64_t total = 0;
    for (int c = 0; c < COUNTERS; c++) {
        char key[8];
        snprintf(key, sizeof key, "c%d", c);
        check_counter(h->counter, key, counted[c]);
        total += counted[c];
    }
    assert_true(total > rounds);

    assert_int_equal(put, rounds);
    assert_int_equal(got, rounds);
    assert_ok(pottery_queue_qsize(&len, h->queue));
    assert_int_equal(len, 0);
    assert_int_equal(rq_put, rounds);
    assert_int_equal(rq_acked, rounds);
    assert_ok(pottery_rqueue_len(&len, h->rq));
    assert_int_equal(len, 0);
    assert_ok(pottery_rqueue_pending_count(&len, h->rq));
    assert_int_equal(len, 0);

    assert_int_equal(calls, rounds);
    char *hlen = raw("HLEN", "threads:cache", NULL);
    char expected[16];
    snprintf(expected, sizeof expected, "%d", CACHE_ARGS);
    assert_string_equal(hlen, expected);
    free(hlen);

    check_elements(h, n);
    assert_raw("", raw("KEYS", "pottery:*", NULL)); /* the copies' random keys went with them */
    assert_int_equal(allowed, RL_LIMIT);            /* more tries than the limit, all within its period */

    assert_int_equal(permits, rounds / SEM_EVERY);
    check_counter(h->counter, "sem:taken", permits);
    check_counter(h->counter, "sem:inside", 0);
    assert_ok(pottery_semaphore_held(&len, h->sem));
    assert_int_equal(len, 0);

    /* The cached ordered dicts wrote through to one hash: each thread's keys, last values. */
    pottery_dict *cod;
    assert_ok(pottery_dict_open(&cod, pottery_dict_client(h->dict), "threads:cod", NULL));
    assert_ok(pottery_dict_len(&len, cod));
    assert_int_equal(len, (int64_t)n * COD_KEYS);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < COD_KEYS; k++) {
            char key[32];
            pottery_value v = POTTERY_VALUE_INIT;
            snprintf(key, sizeof key, "t%zu:k%d", i, k);
            assert_ok(pottery_dict_get(&v, cod, pottery_str(key)));
            assert_value_int(&v, ROUNDS - COD_KEYS + k);
            pottery_value_dispose(&v);
        }
    pottery_dict_free(cod);
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void locks_check(const tally *tallies, size_t n, const mix_handles *h, pottery_watchdog *wd)
{
    int64_t locked = 0, rlocked = 0, written = 0;
    size_t nids = 0;
    for (size_t i = 0; i < n; i++) {
        locked += tallies[i].locked;
        rlocked += tallies[i].rlocked;
        written += tallies[i].written;
        nids += tallies[i].nids;
    }
    assert_int_equal(rlocked, (int64_t)n * LOCK_ROUNDS);
    assert_int_equal(written, (int64_t)n * LOCK_ROUNDS);
    assert_true(locked >= (int64_t)n * LOCK_ROUNDS);
    check_counter(h->counter, "redlock", locked);
    check_counter(h->counter, "rlock", rlocked);
    check_counter(h->counter, "rwlock", written);
    int64_t fence = 0;
    assert_ok(pottery_counter_get(&fence, h->counter, pottery_str("fence")));
    assert_true(fence >= locked); /* the last of locked strictly increasing tokens */

    int64_t *ids = calloc(nids, sizeof *ids);
    assert_non_null(ids);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < tallies[i].nids; j++) ids[k++] = tallies[i].ids[j];
    qsort(ids, nids, sizeof *ids, compare_ids);
    assert_true(ids[0] >= 1);
    for (size_t i = 1; i < nids; i++)
        if (ids[i] == ids[i - 1]) fail_msg("NextID gave %lld twice", (long long)ids[i]);
    assert_true(ids[nids - 1] >= (int64_t)nids);
    /* A quorum of the masters stored the last id. */
    int stored = 0;
    for (size_t i = 0; i < LOCK_MASTERS; i++) {
        char *text = test_redis_cmdv(&masters[i], "GET", "nextid:threads", (const char *)NULL);
        assert_non_null(text);
        stored += strtoll(text, NULL, 10) == ids[nids - 1];
        free(text);
    }
    assert_true(stored >= LOCK_MASTERS / 2 + 1);
    free(ids);

    pottery_watchdog_stats s;
    pottery_watchdog_stats_get(&s, wd);
    assert_int_equal(s.lost, 0);
    assert_int_equal(s.watched, 0);
    assert_true(s.renewals >= n); /* each watched lock outlived its first lease */
}
