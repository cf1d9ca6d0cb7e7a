/* pottery_pool: options, lending and waiting, handles shared by many threads with exact
 * totals, a server restart under load, and a pool over sentinels. Also built with
 * ThreadSanitizer (POTTERY_TSAN, scripts/test.sh), which must report nothing. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn/conn.h"
#include "support/test_fixture.h"

static pottery_pool *open_pool(const char *url, size_t size, int64_t wait_timeout_ms)
{
    pottery_pool_options o;
    pottery_pool_options_init(&o);
    o.size = size;
    o.wait_timeout_ms = wait_timeout_ms;
    pottery_pool *pool = NULL;
    assert_ok(pottery_pool_open(&pool, url, &o));
    return pool;
}

static pottery_pool_stats pool_stats(const pottery_pool *pool)
{
    pottery_pool_stats s;
    pottery_pool_stats_get(&s, pool);
    return s;
}

/* ---- options ---- */

static void test_options_are_checked(void **state)
{
    (void)state;
    pottery_pool *pool = (pottery_pool *)&state; /* not NULL, to see it reset */
    pottery_pool_options o;
    pottery_pool_options_init(&o);
    assert_int_equal(o.version, POTTERY_POOL_OPTIONS_VERSION);
    assert_int_equal(o.size, 8);
    assert_int_equal(o.wait_timeout_ms, 1000);
    assert_null(o.client);

    o.version = 0;
    assert_code(POTTERY_EINVAL, pottery_pool_open(&pool, server.url, &o));
    assert_null(pool);
    assert_message_contains("not initialised");
    o.version = POTTERY_POOL_OPTIONS_VERSION + 1;
    assert_code(POTTERY_EINVAL, pottery_pool_open(&pool, server.url, &o));
    pottery_pool_options_init(&o);
    o.size = 0;
    assert_code(POTTERY_EINVAL, pottery_pool_open(&pool, server.url, &o));
    assert_message("pottery_pool_open: size must be at least 1 (got 0)");
    pottery_pool_options_init(&o);
    o.wait_timeout_ms = -2;
    assert_code(POTTERY_EINVAL, pottery_pool_open(&pool, server.url, &o));
    assert_message_contains("wait_timeout_ms must be >= 0 or POTTERY_FOREVER (got -2)");

    /* The members' options are checked as pottery_client_open checks them. */
    pottery_client_options co;
    pottery_client_options_init(&co);
    pottery_pool_options_init(&o);
    o.client = &co;
    co.command_timeout_ms = 0;
    assert_code(POTTERY_EINVAL, pottery_pool_open(&pool, server.url, &o));
    assert_message_contains("timeouts must be > 0 ms or POTTERY_FOREVER");
    co.command_timeout_ms = 1000;
    co.version = 0;
    assert_code(POTTERY_EINVAL, pottery_pool_open(&pool, server.url, &o));
    co.version = POTTERY_CLIENT_OPTIONS_VERSION;

    assert_code(POTTERY_EINVAL, pottery_pool_open(&pool, "http://nowhere", &o));
    assert_code(POTTERY_EINVAL, pottery_pool_open(NULL, server.url, &o));
    /* The first member is opened at once: an unreachable server fails here. */
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", test_free_port());
    assert_code(POTTERY_ECONN, pottery_pool_open(&pool, url, &o));
    assert_null(pool);
    /* Wrong credentials too. */
    co.password = "wrong";
    assert_code(POTTERY_EREDIS, pottery_pool_open(&pool, server.url, &o));
    co.password = NULL;

    pottery_pool_free(NULL);
    assert_null(pottery_pool_client(NULL));
    pottery_pool_stats s;
    memset(&s, 0xff, sizeof s);
    pottery_pool_stats_get(&s, NULL);
    assert_int_equal(s.size + s.open + s.borrows, 0);
    pottery_pool_stats_get(NULL, NULL);

    /* Defaults (NULL options), and a copy of the client options: the caller's may go. */
    assert_ok(pottery_pool_open(&pool, server.url, NULL));
    assert_int_equal(pool_stats(pool).size, 8);
    pottery_pool_free(pool);
    pottery_client_options *heap = malloc(sizeof *heap);
    assert_non_null(heap);
    pottery_client_options_init(heap);
    char *db = strdup("7");
    heap->db = atoi(db);
    o.client = heap;
    assert_ok(pottery_pool_open(&pool, server.url, &o));
    free(heap);
    free(db);
    pottery_dict *d;
    assert_ok(pottery_dict_open(&d, pottery_pool_client(pool), "in7", NULL));
    assert_ok(pottery_dict_set(d, pottery_str("k"), pottery_int(1)));
    int64_t n = 0;
    assert_ok(pottery_dict_len(&n, d));
    assert_int_equal(n, 1);
    assert_raw("0", raw("EXISTS", "in7", NULL)); /* database 0: not there */
    pottery_dict_free(d);
    pottery_pool_free(pool);
}

/* ---- lending ---- */

static void test_calls_borrow_and_return_one_member(void **state)
{
    (void)state;
    pottery_pool *pool = open_pool(server.url, 4, 1000);
    pottery_client *view = pottery_pool_client(pool);
    assert_non_null(view);
    pottery_pool_stats s = pool_stats(pool);
    assert_int_equal(s.size, 4);
    assert_int_equal(s.open, 1);
    assert_int_equal(s.idle, 1);
    assert_int_equal(s.in_use, 0);
    assert_int_equal(s.borrows, 0);

    pottery_dict *d;
    assert_ok(pottery_dict_open(&d, view, "d", NULL));
    assert_ptr_equal(pottery_dict_client(d), view);
    pottery_client_stats_reset(view);
    uint64_t borrows = pool_stats(pool).borrows;
    assert_ok(pottery_dict_set(d, pottery_str("a"), pottery_int(1)));
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_dict_get(&v, d, pottery_str("a")));
    assert_value_int(&v, 1);
    assert_ok(pottery_client_ping(view));
    pottery_client_stats cs;
    pottery_client_stats_get(&cs, view);
    assert_int_equal(cs.round_trips, 3);
    assert_int_equal(cs.commands, 3);
    assert_int_equal(cs.reconnects, 0);
    s = pool_stats(pool);
    assert_int_equal(s.borrows - borrows, 3);
    assert_int_equal(s.open, 1); /* one at a time: the one member serves every call */
    assert_int_equal(s.idle, 1);
    assert_int_equal(s.waits + s.timeouts + s.broken, 0);
    assert_raw("1", raw("HGET", "d", "\"a\"", NULL));

    /* Keys in different hash slots are fine on a pool of single servers. */
    pottery_set *a, *b;
    assert_ok(pottery_set_open(&a, view, "a", NULL));
    assert_ok(pottery_set_open(&b, view, "b", NULL));
    assert_ok(pottery_set_add(a, pottery_int(1)));
    assert_ok(pottery_set_add(b, pottery_int(2)));
    char *json = NULL;
    pottery_set *const others[] = { b };
    assert_ok(pottery_set_union_from(&json, NULL, a, others, 1));
    assert_true(strcmp(json, "[1, 2]") == 0 || strcmp(json, "[2, 1]") == 0);
    pottery_free(json);
    pottery_set_free(a);
    pottery_set_free(b);

    /* pottery_client_free on the view does nothing: the pool still works. */
    pottery_client_free(view);
    assert_ok(pottery_dict_get(&v, d, pottery_str("a")));
    pottery_value_dispose(&v);
    pottery_dict_free(d);
    pottery_pool_free(pool);
}

/* A call scope keeps one member for the thread, nested calls included: a pool of one
 * serves them all without waiting for itself. */
static void test_scope_pins_one_member(void **state)
{
    (void)state;
    pottery_pool *pool = open_pool(server.url, 1, 0);
    pottery_client *view = pottery_pool_client(pool);
    pottery_dict *d;
    pottery_list *l;
    assert_ok(pottery_dict_open(&d, view, "d", NULL));
    assert_ok(pottery_list_open(&l, view, "l", NULL));
    uint64_t borrows = pool_stats(pool).borrows;
    pottery__call_begin(view);
    pottery__call_begin(view);
    assert_ok(pottery_dict_set(d, pottery_str("a"), pottery_int(1)));
    assert_int_equal(pool_stats(pool).in_use, 1);
    pottery__call_end(view);
    assert_ok(pottery_list_append(l, pottery_int(2)));
    int64_t n = 0;
    assert_ok(pottery_list_len(&n, l));
    assert_int_equal(n, 1);
    assert_int_equal(pool_stats(pool).in_use, 1);
    pottery__call_end(view);
    pottery_pool_stats s = pool_stats(pool);
    assert_int_equal(s.in_use, 0);
    assert_int_equal(s.borrows - borrows, 1);
    assert_int_equal(s.timeouts, 0);
    pottery__call_end(view); /* one too many: ignored */
    assert_ok(pottery_list_len(&n, l));
    pottery_list_free(l);
    pottery_dict_free(d);
    pottery_pool_free(pool);
}

/* ---- waiting ---- */

/* A thread that holds a member (inside a call scope) until told to let go. */
typedef struct holder {
    pottery_client *view;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int held, release, rc;
    int64_t hold_ms; /* > 0: let go by itself after this long */
} holder;

static void *hold_member(void *arg)
{
    holder *h = arg;
    pottery__call_begin(h->view);
    int rc = pottery_client_ping(h->view);
    pthread_mutex_lock(&h->lock);
    h->rc = rc;
    h->held = 1;
    pthread_cond_broadcast(&h->cond);
    if (h->hold_ms > 0) {
        pthread_mutex_unlock(&h->lock);
        sleep_ms((long)h->hold_ms);
        pthread_mutex_lock(&h->lock);
    } else {
        while (!h->release) pthread_cond_wait(&h->cond, &h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    pottery__call_end(h->view);
    return NULL;
}

static void holder_start(holder *h, pottery_client *view, int64_t hold_ms)
{
    memset(h, 0, sizeof *h);
    h->view = view;
    h->hold_ms = hold_ms;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->cond, NULL);
    assert_int_equal(pthread_create(&h->thread, NULL, hold_member, h), 0);
    pthread_mutex_lock(&h->lock);
    while (!h->held) pthread_cond_wait(&h->cond, &h->lock);
    int rc = h->rc;
    pthread_mutex_unlock(&h->lock);
    assert_int_equal(rc, 0);
}

static void holder_stop(holder *h)
{
    pthread_mutex_lock(&h->lock);
    h->release = 1;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->cond);
}

static void test_wait_timeout_when_every_member_is_busy(void **state)
{
    (void)state;
    pottery_pool *pool = open_pool(server.url, 1, 100);
    pottery_client *view = pottery_pool_client(pool);
    holder h;
    holder_start(&h, view, 0);
    double t0 = now_ms();
    assert_code(POTTERY_ETIMEOUT, pottery_client_ping(view));
    double waited = now_ms() - t0;
    assert_true(waited >= 95 && waited < 1000);
    assert_message_contains("no connection came free within 100 ms (all 1 are in use");
    pottery_pool_stats s = pool_stats(pool);
    assert_int_equal(s.open, 1);
    assert_int_equal(s.in_use, 1);
    assert_int_equal(s.idle, 0);
    assert_int_equal(s.waits, 1);
    assert_int_equal(s.timeouts, 1);
    assert_int_equal(s.broken, 0);
    holder_stop(&h);
    assert_ok(pottery_client_ping(view));
    pottery_pool_free(pool);

    /* 0: no wait at all. */
    pool = open_pool(server.url, 1, 0);
    view = pottery_pool_client(pool);
    holder_start(&h, view, 0);
    t0 = now_ms();
    assert_code(POTTERY_ETIMEOUT, pottery_client_ping(view));
    assert_true(now_ms() - t0 < 500);
    assert_message_contains("all 1 connections are in use and wait_timeout_ms is 0");
    assert_int_equal(pool_stats(pool).waits, 0);
    assert_int_equal(pool_stats(pool).timeouts, 1);
    holder_stop(&h);
    pottery_pool_free(pool);

    /* POTTERY_FOREVER: the call waits for the member to come back. */
    pool = open_pool(server.url, 1, POTTERY_FOREVER);
    view = pottery_pool_client(pool);
    holder_start(&h, view, 200);
    t0 = now_ms();
    assert_ok(pottery_client_ping(view));
    assert_true(now_ms() - t0 >= 100);
    assert_int_equal(pool_stats(pool).waits, 1);
    holder_stop(&h);
    pottery_pool_free(pool);

    /* A free slot is filled by opening a member instead of waiting. */
    pool = open_pool(server.url, 2, 0);
    view = pottery_pool_client(pool);
    holder_start(&h, view, 0);
    assert_ok(pottery_client_ping(view));
    assert_int_equal(pool_stats(pool).open, 2);
    holder_stop(&h);
    pottery_pool_free(pool);
}

/* ---- many threads on shared handles ---- */

enum { THREADS = 16, OPS = 10000, KINDS = 8, DICT_KEYS = 50, SET_KEYS = 100, COUNTERS = 4, PROBE = 2500, BULK = 2500 };

typedef struct shared {
    pottery_dict *dict;
    pottery_counter *counter;
    pottery_set *set;
    pottery_list *list;
    pottery_queue *queue;
    pottery_cache *cache;
} shared;

/* The cached function: twice its argument. */
static int twice(pottery_value *result, const pottery_value *args, size_t nargs, void *payload)
{
    int64_t n = 0;
    (void)payload;
    if (nargs != 1 || pottery_value_get_int(&n, &args[0]) < 0) return POTTERY_EINVAL;
    *result = pottery_int(2 * n);
    return 0;
}

typedef struct worker {
    const shared *h;
    int index;
    pthread_t thread;
    int64_t counted[COUNTERS], appended, put, got;
    int64_t last[DICT_KEYS]; /* the value this worker last set at its key i (-1: none) */
    char failure[POTTERY_ERROR_MESSAGE_MAX + 64];
} worker;

static int failed(worker *w, int i, const char *what, int rc)
{
    snprintf(w->failure, sizeof w->failure, "worker %d, op %d, %s: %s (%d): %s", w->index, i, what,
             pottery_test_code_name(rc), rc, rc ? pottery_error_last()->message : "wrong value");
    return -1;
}

/* A bulk write of BULK pairs: a streamed MULTI of several HSETs on the thread's member. */
static int bulk_update(worker *w, int i)
{
    pottery_pair *pairs = calloc(BULK, sizeof *pairs);
    char(*names)[24] = calloc(BULK, sizeof *names);
    int rc = pairs && names ? 0 : POTTERY_ENOMEM;
    for (int k = 0; rc == 0 && k < BULK; k++) {
        snprintf(names[k], sizeof names[k], "bulk%d:%d", w->index, k);
        pairs[k].key = pottery_str(names[k]);
        pairs[k].value = pottery_int(i);
    }
    if (rc == 0) rc = pottery_dict_update(w->h->dict, pairs, BULK);
    free(pairs);
    free(names);
    return rc < 0 ? failed(w, i, "dict update", rc) : 0;
}

/* A membership probe of PROBE elements: several streamed SMISMEMBERs on the thread's member,
 * then a bulk write. */
static int probe(worker *w, int i)
{
    pottery_value values[PROBE];
    int found[PROBE];
    char names[SET_KEYS][32];
    for (int k = 0; k < SET_KEYS; k++) snprintf(names[k], sizeof names[k], "w%d:%d", w->index, k);
    for (int k = 0; k < PROBE; k++) values[k] = pottery_str(names[k % SET_KEYS]);
    int rc = pottery_set_contains_many(found, w->h->set, values, PROBE);
    if (rc < 0) return failed(w, i, "set contains_many", rc);
    int added = i / KINDS + 1 < SET_KEYS ? i / KINDS + 1 : SET_KEYS; /* kind 3 ran that often */
    for (int k = 0; k < PROBE; k++)
        if (found[k] != (k % SET_KEYS < added)) return failed(w, i, "set contains_many", 0);
    return bulk_update(w, i);
}

static int one_op(worker *w, int i)
{
    const shared *h = w->h;
    char key[32];
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = 0, slot = (i / KINDS) % DICT_KEYS;
    switch (i % KINDS) {
    case 0:
        snprintf(key, sizeof key, "w%d:%d", w->index, slot);
        if ((rc = pottery_dict_set(h->dict, pottery_str(key), pottery_int(i))) < 0) return failed(w, i, "dict set", rc);
        w->last[slot] = i;
        return 0;
    case 1:
        snprintf(key, sizeof key, "w%d:%d", w->index, slot);
        if ((rc = pottery_dict_get(&v, h->dict, pottery_str(key))) < 0) return failed(w, i, "dict get", rc);
        int64_t got = 0;
        rc = pottery_value_get_int(&got, &v) < 0 || got != w->last[slot] ? -1 : 0;
        pottery_value_dispose(&v);
        return rc < 0 ? failed(w, i, "dict get", 0) : 0;
    case 6: {
        pottery_value arg = pottery_int((i / KINDS) % 64);
        if ((rc = pottery_cache_call(&v, h->cache, &arg, 1)) < 0) return failed(w, i, "cache call", rc);
        int64_t doubled = 0;
        rc = pottery_value_get_int(&doubled, &v) < 0 || doubled != 2 * ((i / KINDS) % 64) ? -1 : 0;
        pottery_value_dispose(&v);
        return rc < 0 ? failed(w, i, "cache call", 0) : 0;
    }
    case 2: {
        int c = (i / KINDS + w->index) % COUNTERS;
        snprintf(key, sizeof key, "c%d", c);
        if ((rc = pottery_counter_incr(NULL, h->counter, pottery_str(key), 1 + c)) < 0)
            return failed(w, i, "counter incr", rc);
        w->counted[c] += 1 + c;
        return 0;
    }
    case 3:
        snprintf(key, sizeof key, "w%d:%d", w->index, (i / KINDS) % SET_KEYS);
        if ((rc = pottery_set_add(h->set, pottery_str(key))) < 0) return failed(w, i, "set add", rc);
        return 0;
    case 4:
        if ((rc = pottery_list_append(h->list, pottery_int((int64_t)w->index * OPS + i))) < 0)
            return failed(w, i, "list append", rc);
        w->appended++;
        return 0;
    case 5:
        if ((rc = pottery_queue_put(h->queue, pottery_int(i))) < 0) return failed(w, i, "queue put", rc);
        w->put++;
        return 0;
    default:
        /* Every worker put before it gets, so an item is always there for it. */
        if ((rc = pottery_queue_get(&v, h->queue, 1, 5000)) < 0) return failed(w, i, "queue get", rc);
        pottery_value_dispose(&v);
        w->got++;
        return i % (KINDS * 250) == KINDS - 1 ? probe(w, i) : 0;
    }
}

static void *work(void *arg)
{
    worker *w = arg;
    for (int k = 0; k < DICT_KEYS; k++) w->last[k] = -1;
    for (int i = 0; i < OPS; i++)
        if (one_op(w, i) < 0) break;
    return NULL;
}

static void test_threads_share_handles(void **state)
{
    (void)state;
    pottery_pool *pool = open_pool(server.url, 8, 5000);
    pottery_client *view = pottery_pool_client(pool);
    shared h;
    assert_ok(pottery_dict_open(&h.dict, view, "shared:dict", NULL));
    assert_ok(pottery_counter_open(&h.counter, view, "shared:counter", NULL));
    assert_ok(pottery_set_open(&h.set, view, "shared:set", NULL));
    assert_ok(pottery_list_open(&h.list, view, "shared:list", NULL));
    assert_ok(pottery_queue_open(&h.queue, view, "shared:queue", NULL));
    assert_ok(pottery_cache_open(&h.cache, view, "shared:cache", twice, NULL, NULL));
    pottery_client_stats_reset(view);
    uint64_t borrows = pool_stats(pool).borrows;

    worker *w = calloc(THREADS, sizeof *w);
    assert_non_null(w);
    for (int t = 0; t < THREADS; t++) {
        w[t].h = &h;
        w[t].index = t;
        assert_int_equal(pthread_create(&w[t].thread, NULL, work, &w[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) pthread_join(w[t].thread, NULL);
    for (int t = 0; t < THREADS; t++)
        if (w[t].failure[0]) fail_msg("%s", w[t].failure);

    int64_t counted[COUNTERS] = { 0 }, appended = 0, put = 0, got = 0, n = 0;
    for (int t = 0; t < THREADS; t++) {
        for (int c = 0; c < COUNTERS; c++) counted[c] += w[t].counted[c];
        appended += w[t].appended;
        put += w[t].put;
        got += w[t].got;
    }
    for (int c = 0; c < COUNTERS; c++) {
        char key[16];
        int64_t count = -1;
        snprintf(key, sizeof key, "c%d", c);
        assert_ok(pottery_counter_get(&count, h.counter, pottery_str(key)));
        assert_int_equal(count, counted[c]);
    }
    assert_ok(pottery_counter_total(&n, h.counter));
    assert_int_equal(n, counted[0] + counted[1] + counted[2] + counted[3]);
    assert_true(n > (int64_t)THREADS * (OPS / KINDS));
    pottery_cache_info info;
    assert_ok(pottery_cache_info_get(&info, h.cache));
    assert_int_equal(info.hits + info.misses, (int64_t)THREADS * (OPS / KINDS));
    assert_true(info.misses >= 64 && info.hits > 0);
    assert_int_equal(info.currsize, 64);
    assert_ok(pottery_list_len(&n, h.list));
    assert_int_equal(n, appended);
    assert_int_equal(appended, (int64_t)THREADS * OPS / KINDS);
    assert_ok(pottery_set_len(&n, h.set));
    assert_int_equal(n, (int64_t)THREADS * SET_KEYS);
    assert_int_equal(put, got);
    assert_ok(pottery_queue_qsize(&n, h.queue));
    assert_int_equal(n, 0);
    assert_ok(pottery_dict_len(&n, h.dict));
    assert_int_equal(n, (int64_t)THREADS * (DICT_KEYS + BULK));
    for (int t = 0; t < THREADS; t++)
        for (int k = 0; k < DICT_KEYS; k++) {
            char key[32];
            pottery_value v = POTTERY_VALUE_INIT;
            snprintf(key, sizeof key, "w%d:%d", t, k);
            assert_ok(pottery_dict_get(&v, h.dict, pottery_str(key)));
            assert_value_int(&v, w[t].last[k]);
            pottery_value_dispose(&v);
        }

    pottery_pool_stats s = pool_stats(pool);
    assert_int_equal(s.in_use, 0);
    assert_true(s.open >= 1 && s.open <= 8);
    assert_int_equal(s.timeouts + s.broken, 0);
    assert_true(s.borrows - borrows >= (uint64_t)THREADS * OPS);
    pottery_client_stats cs;
    pottery_client_stats_get(&cs, view);
    assert_true(cs.round_trips >= (uint64_t)THREADS * OPS);
    assert_int_equal(cs.reconnects, 0);
    free(w);
    pottery_dict_free(h.dict);
    pottery_counter_free(h.counter);
    pottery_set_free(h.set);
    pottery_list_free(h.list);
    pottery_queue_free(h.queue);
    pottery_cache_free(h.cache);
    pottery_pool_free(pool);
}

/* ---- a server restart under load ---- */

enum { WRITERS = 4 };

typedef struct writer {
    pottery_dict *dict;
    pthread_t thread;
    int index;
    int *phase; /* 0 up, 1 killed, 2 restarted, 3 stop (read and written under lock) */
    pthread_mutex_t *lock;
    int ok_before, errors, ok_after;
    char failure[POTTERY_ERROR_MESSAGE_MAX + 64];
} writer;

static void *write_on(void *arg)
{
    writer *w = arg;
    char key[16];
    snprintf(key, sizeof key, "w%d", w->index);
    for (int i = 0;; i++) {
        pthread_mutex_lock(w->lock);
        int phase = *w->phase;
        pthread_mutex_unlock(w->lock);
        if (phase == 3) break;
        int rc = pottery_dict_set(w->dict, pottery_str(key), pottery_int(i));
        if (rc == 0 && phase == 0) w->ok_before++;
        if (rc == 0 && phase == 2) w->ok_after++;
        if (rc == POTTERY_ECONN || rc == POTTERY_ETIMEOUT) w->errors++;
        if (rc < 0 && rc != POTTERY_ECONN && rc != POTTERY_ETIMEOUT && !w->failure[0])
            snprintf(w->failure, sizeof w->failure, "writer %d: %s: %s", w->index, pottery_test_code_name(rc),
                     pottery_error_last()->message);
        if (rc < 0) sleep_ms(5);
    }
    return NULL;
}

static void set_phase(pthread_mutex_t *lock, int *phase, int to)
{
    pthread_mutex_lock(lock);
    *phase = to;
    pthread_mutex_unlock(lock);
}

static void test_server_restart_costs_a_clean_error_at_most(void **state)
{
    (void)state;
    test_redis victim;
    assert_int_equal(test_redis_start(&victim, NULL), 0);
    pottery_client_options co;
    pottery_client_options_init(&co);
    co.command_timeout_ms = 500;
    co.connect_timeout_ms = 500;
    pottery_pool_options o;
    pottery_pool_options_init(&o);
    o.size = WRITERS;
    o.client = &co;
    pottery_pool *pool = NULL;
    assert_ok(pottery_pool_open(&pool, victim.url, &o));
    pottery_client *view = pottery_pool_client(pool);
    /* Every member opened before the restart, so that none is opened after it. */
    holder hs[WRITERS];
    for (int i = 0; i < WRITERS; i++) holder_start(&hs[i], view, 0);
    for (int i = 0; i < WRITERS; i++) holder_stop(&hs[i]);
    assert_int_equal(pool_stats(pool).open, WRITERS);

    pottery_dict *d;
    assert_ok(pottery_dict_open(&d, view, "restart", NULL));
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    int phase = 0;
    writer ws[WRITERS];
    memset(ws, 0, sizeof ws);
    for (int i = 0; i < WRITERS; i++) {
        ws[i].dict = d;
        ws[i].index = i;
        ws[i].phase = &phase;
        ws[i].lock = &lock;
        assert_int_equal(pthread_create(&ws[i].thread, NULL, write_on, &ws[i]), 0);
    }
    sleep_ms(300);
    set_phase(&lock, &phase, 1);
    test_redis_kill(&victim);
    sleep_ms(300);
    assert_int_equal(test_redis_restart(&victim), 0);
    set_phase(&lock, &phase, 2);
    sleep_ms(1000);
    set_phase(&lock, &phase, 3);
    for (int i = 0; i < WRITERS; i++) pthread_join(ws[i].thread, NULL);

    int errors = 0;
    for (int i = 0; i < WRITERS; i++) {
        if (ws[i].failure[0]) fail_msg("%s", ws[i].failure);
        assert_true(ws[i].ok_before > 0);
        assert_true(ws[i].ok_after > 0);
        errors += ws[i].errors;
    }
    assert_true(errors > 0);
    pottery_pool_stats s = pool_stats(pool);
    assert_int_equal(s.open, WRITERS); /* nothing reopened: the same members reconnected */
    assert_int_equal(s.in_use, 0);
    assert_true(s.broken > 0);
    pottery_client_stats cs;
    pottery_client_stats_get(&cs, view);
    assert_true(cs.reconnects >= 1);
    char *text = test_redis_cmdv(&victim, "HLEN", "restart", (const char *)NULL);
    assert_non_null(text);
    assert_string_equal(text, "4");
    free(text);
    pottery_dict_free(d);
    pottery_pool_free(pool);
    test_redis_stop(&victim);
}

/* ---- sentinels ---- */

typedef struct counting {
    pottery_counter *counter;
    pthread_t thread;
    int rc;
} counting;

static void *count_up(void *arg)
{
    counting *c = arg;
    for (int i = 0; i < 500 && c->rc == 0; i++) c->rc = pottery_counter_incr(NULL, c->counter, pottery_str("n"), 1);
    return NULL;
}

static void test_pool_over_sentinels(void **state)
{
    (void)state;
    test_redis master, sentinel;
    assert_int_equal(test_redis_start(&master, NULL), 0);
    test_redis_options so = TEST_REDIS_OPTIONS_INIT;
    so.sentinel_master_name = "poolmaster";
    so.sentinel_master_port = master.port;
    assert_int_equal(test_redis_start(&sentinel, &so), 0);
    char url[128];
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/poolmaster", sentinel.port);
    pottery_pool *pool = open_pool(url, 4, 1000);
    pottery_counter *counter;
    assert_ok(pottery_counter_open(&counter, pottery_pool_client(pool), "sentinel:counter", NULL));
    counting cs[4];
    for (int i = 0; i < 4; i++) {
        cs[i].counter = counter;
        cs[i].rc = 0;
        assert_int_equal(pthread_create(&cs[i].thread, NULL, count_up, &cs[i]), 0);
    }
    for (int i = 0; i < 4; i++) pthread_join(cs[i].thread, NULL);
    for (int i = 0; i < 4; i++) assert_ok(cs[i].rc);
    int64_t n = 0;
    assert_ok(pottery_counter_get(&n, counter, pottery_str("n")));
    assert_int_equal(n, 2000);
    char *text = test_redis_cmdv(&master, "HGET", "sentinel:counter", "\"n\"", (const char *)NULL);
    assert_non_null(text);
    assert_string_equal(text, "2000");
    free(text);
    pottery_counter_free(counter);
    pottery_pool_free(pool);
    test_redis_stop(&sentinel);
    test_redis_stop(&master);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_options_are_checked, fixture_reset),
        cmocka_unit_test_setup(test_calls_borrow_and_return_one_member, fixture_reset),
        cmocka_unit_test_setup(test_scope_pins_one_member, fixture_reset),
        cmocka_unit_test_setup(test_wait_timeout_when_every_member_is_busy, fixture_reset),
        cmocka_unit_test_setup(test_threads_share_handles, fixture_reset),
        cmocka_unit_test_setup(test_server_restart_costs_a_clean_error_at_most, fixture_reset),
        cmocka_unit_test_setup(test_pool_over_sentinels, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
