/*
 * pottery_pool: clients to one server (or cluster, or sentinel set) lent to calls made by
 * many threads at once, behind one pottery_client view whose front is this file.
 *
 * Every run or lease on the view borrows a member for the calling thread and pins it there
 * (a thread-local table, one entry per pool) until the last run, lease or call scope of
 * that thread on that pool ends; only then does the member go back. So the calls a thread
 * nests (a scope's round trips, a stream's sends and receives, a handle used inside another
 * one's call) share one member, and a thread never waits for a second member of a pool
 * while holding one, which could deadlock a small pool.
 *
 * The mutex guards the member lists and the counters; members themselves are only ever
 * touched by the thread they are pinned to, so every call runs without the lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn/client_impl.h"
#include "conn/front.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/options.h"
#include "pottery/pool.h"

typedef struct member {
    pottery_client *client;
    struct member *next;      /* every member, for freeing */
    struct member *next_idle; /* the idle ones (a stack: the last returned is lent first) */
} member;

struct pottery_pool {
    pottery_client *view; /* the client handles are opened on (front: this file) */
    pthread_mutex_t lock;
    pthread_cond_t freed; /* a member came back, or an opening failed (room to open one) */
    size_t size;
    int64_t wait_timeout_ms;
    char *url;                    /* what members are opened with */
    pottery_client_options copts; /* username and password owned */
    member *all, *idle;
    size_t open, nidle, opening; /* opening: being opened by a borrower, outside the lock */
    uint64_t borrows, waits, timeouts, broken;
    pottery_client_stats totals; /* of the calls whose member came back */
};

/* ---- the calling thread's pins ---- */

typedef struct pin {
    pottery_pool *pool;              /* NULL: a free entry */
    member *m;                       /* NULL while only call scopes are open */
    int holds;                       /* runs and leases in progress */
    int scopes;                      /* call scopes open */
    int broken;                      /* a call on m failed its connection */
    int64_t deadline_ms, timeout_ms; /* the outermost scope's */
} pin;

/* Pools one thread may hold members of at once (nested calls across pools). */
enum { MAX_PINS = 16 };
static _Thread_local pin pins[MAX_PINS];

static pottery_pool *pool_of(const pottery_client *front)
{
    return front->front_state;
}

static pin *pin_find(const pottery_pool *p)
{
    for (size_t i = 0; i < MAX_PINS; i++)
        if (pins[i].pool == p) return &pins[i];
    return NULL;
}

static pin *pin_add(pottery_pool *p)
{
    pin *e = pin_find(p);
    if (e) return e;
    if (!(e = pin_find(NULL))) return NULL;
    memset(e, 0, sizeof *e);
    e->pool = p;
    return e;
}

/* ---- borrowing and giving back ---- */

static int pool_busy(pottery_pool *p)
{
    if (p->wait_timeout_ms == 0)
        return pottery__error(POTTERY_ETIMEOUT,
                              "pool on %s: all %zu connections are in use and wait_timeout_ms is 0 (a larger size "
                              "would help)",
                              p->view->endpoint, p->size);
    return pottery__error(POTTERY_ETIMEOUT,
                          "pool on %s: no connection came free within %lld ms (all %zu are in use; a larger size "
                          "or wait_timeout_ms would help)",
                          p->view->endpoint, (long long)p->wait_timeout_ms, p->size);
}

/* Open one more member, the lock held on entry and on return (released meanwhile). */
static int open_member(member **out, pottery_pool *p)
{
    member *m = pottery__calloc(1, sizeof *m);
    if (!m) return pottery__error_oom();
    p->opening++;
    pthread_mutex_unlock(&p->lock);
    int rc = pottery_client_open(&m->client, p->url, &p->copts);
    pthread_mutex_lock(&p->lock);
    p->opening--;
    if (rc < 0) {
        pottery__free(m);
        pthread_cond_signal(&p->freed); /* a waiter may try to open one in its place */
        return rc;
    }
    m->next = p->all;
    p->all = m;
    p->open++;
    *out = m;
    return 0;
}

static struct timespec wait_until(int64_t timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(timeout_ms / 1000);
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* An idle member, a new one while there is room, else one that comes back in time. */
static int borrow(member **out, pottery_pool *p)
{
    int rc = 0, waited = 0, expired = 0;
    struct timespec until = { 0, 0 };
    pthread_mutex_lock(&p->lock);
    for (;;) {
        if (p->idle) {
            *out = p->idle;
            p->idle = p->idle->next_idle;
            p->nidle--;
            break;
        }
        if (p->open + p->opening < p->size) {
            rc = open_member(out, p);
            break;
        }
        if (expired || p->wait_timeout_ms == 0) {
            p->timeouts++;
            rc = pool_busy(p);
            break;
        }
        if (!waited) {
            waited = 1;
            p->waits++;
            if (p->wait_timeout_ms != POTTERY_FOREVER) until = wait_until(p->wait_timeout_ms);
        }
        if (p->wait_timeout_ms == POTTERY_FOREVER)
            pthread_cond_wait(&p->freed, &p->lock);
        else if (pthread_cond_timedwait(&p->freed, &p->lock, &until) == ETIMEDOUT)
            expired = 1; /* one last look: a member may have come back just now */
    }
    if (rc == 0) p->borrows++;
    pthread_mutex_unlock(&p->lock);
    return rc;
}

/* A call on a member failed its connection: closed now, so that its next call reconnects
 * (a cluster member closes its failed node connection itself). */
static int breaks_connection(int rc)
{
    return rc == POTTERY_ECONN || rc == POTTERY_ETIMEOUT || rc == POTTERY_EPROTOCOL;
}

static void give_back(pottery_pool *p, member *m, int broken)
{
    pottery_client *c = m->client;
    if (!c->front && c->pending > 0) { /* replies nobody will read: never lend that */
        pottery__conn_drop(c);
        broken = 1;
    }
    pottery_client_stats s;
    pottery_client_stats_get(&s, c);
    pottery_client_stats_reset(c);
    pthread_mutex_lock(&p->lock);
    p->totals.round_trips += s.round_trips;
    p->totals.commands += s.commands;
    p->totals.reconnects += s.reconnects;
    if (broken) p->broken++;
    m->next_idle = p->idle;
    p->idle = m;
    p->nidle++;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

/* The calling thread's member of p, borrowed when it has none; one more hold on it. */
static int hold(pin **out, pottery_pool *p)
{
    pin *e = pin_add(p);
    if (!e)
        return pottery__error(POTTERY_ESTATE, "pool on %s: this thread already holds connections of %d pools at once",
                              p->view->endpoint, MAX_PINS);
    if (!e->m) {
        int rc = borrow(&e->m, p);
        if (rc < 0) {
            if (e->holds == 0 && e->scopes == 0) e->pool = NULL;
            return rc;
        }
    }
    e->holds++;
    *out = e;
    return 0;
}

/* The member goes back once nothing of the thread holds it any more. */
static void unpin_if_done(pin *e)
{
    if (e->holds > 0 || e->scopes > 0) return;
    if (e->m) give_back(e->pool, e->m, e->broken);
    memset(e, 0, sizeof *e);
}

static int release(pin *e, int rc)
{
    if (breaks_connection(rc)) {
        e->broken = 1;
        if (!e->m->client->front) pottery__conn_drop(e->m->client);
    }
    e->holds--;
    unpin_if_done(e);
    return rc;
}

/* ---- the front ---- */

/* The thread's call scope, handed down to the member for one run. */
static void scope_enter(const pin *e)
{
    pottery_client *c = e->m->client;
    if (!c->front) {
        pottery__call_begin_at(c, e->deadline_ms, e->timeout_ms);
        return;
    }
    int64_t left = POTTERY_FOREVER;
    if (e->timeout_ms != POTTERY_FOREVER) {
        left = e->deadline_ms - pottery__monotonic_ms();
        if (left < 1) left = 1;
    }
    pottery__call_begin_timeout(c, left);
}

static int run(pottery_client *front, int slot, pottery_conn_op op, void *ctx)
{
    pin *e;
    int rc = hold(&e, pool_of(front));
    if (rc < 0) return rc;
    pottery_client *c = e->m->client;
    int scoped = e->scopes > 0;
    if (scoped) scope_enter(e);
    rc = pottery__route(c, slot, op, ctx);
    if (scoped) pottery__call_end(c);
    return release(e, rc);
}

static int lease(pottery_client **conn, pottery_client *front, int slot)
{
    pin *e;
    int rc = hold(&e, pool_of(front));
    if (rc < 0) return rc;
    if ((rc = pottery__lease(conn, e->m->client, slot)) < 0) release(e, rc);
    return rc;
}

static int unlease(pottery_client *front, pottery_client *conn, int rc)
{
    pin *e = pin_find(pool_of(front));
    if (!e || !e->m || e->holds == 0) return rc;
    return release(e, pottery__unlease(e->m->client, conn, rc));
}

static void call_begin(pottery_client *front, int64_t timeout_ms)
{
    /* No entry left (MAX_PINS pools held at once): the scope's calls borrow one by one. */
    pin *e = pin_add(pool_of(front));
    if (!e || e->scopes++ > 0) return;
    e->timeout_ms = timeout_ms;
    e->deadline_ms = timeout_ms == POTTERY_FOREVER ? INT64_MAX : pottery__monotonic_ms() + timeout_ms;
}

static void call_end(pottery_client *front)
{
    pin *e = pin_find(pool_of(front));
    if (!e || e->scopes == 0) return;
    e->scopes--;
    unpin_if_done(e);
}

static void stats_get(pottery_client_stats *out, const pottery_client *front)
{
    pottery_pool *p = pool_of(front);
    pthread_mutex_lock(&p->lock);
    *out = p->totals;
    pthread_mutex_unlock(&p->lock);
}

static void stats_reset(pottery_client *front)
{
    pottery_pool *p = pool_of(front);
    pthread_mutex_lock(&p->lock);
    memset(&p->totals, 0, sizeof p->totals);
    pthread_mutex_unlock(&p->lock);
}

/* No free: pottery_client_free on the view does nothing; pottery_pool_free frees it. */
static const pottery_front_ops POOL_OPS = {
    "pool", run, lease, unlease, call_begin, call_end, stats_get, stats_reset, NULL,
};

/* ---- public API ---- */

static void pool_free(pottery_pool *p)
{
    while (p->all) {
        member *m = p->all;
        p->all = m->next;
        pottery_client_free(m->client);
        pottery__free(m);
    }
    if (p->view) {
        pottery__url_free(&p->view->addr);
        pottery__free(p->view->endpoint);
        pottery__free(p->view);
    }
    pottery__free(p->url);
    pottery__free((char *)p->copts.username);
    pottery__secret_free((char *)p->copts.password);
    pottery__free(p);
}

/* The client options members are opened with: a copy of opts (NULL: the defaults). */
static int copy_client_options(pottery_client_options *out, const pottery_client_options *opts)
{
    pottery_client_options_init(out);
    if (!opts) return 0;
    out->connect_timeout_ms = opts->connect_timeout_ms;
    out->command_timeout_ms = opts->command_timeout_ms;
    out->db = opts->db;
    out->username = NULL;
    out->password = NULL;
    if (opts->username && !(out->username = pottery__strdup(opts->username))) return pottery__error_oom();
    if (opts->password && !(out->password = pottery__strdup(opts->password))) return pottery__error_oom();
    return 0;
}

static int sync_init(pottery_pool *p)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return pottery__error_oom();
    int ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 && pthread_cond_init(&p->freed, &attr) == 0;
    pthread_condattr_destroy(&attr);
    if (!ok) return pottery__error_oom();
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        pthread_cond_destroy(&p->freed);
        return pottery__error_oom();
    }
    return 0;
}

int pottery_pool_open(pottery_pool **out, const char *url, const pottery_pool_options *opts)
{
    static const pottery_pool_options defaults = POTTERY_POOL_OPTIONS_INIT;
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    if (!opts) opts = &defaults;
    int rc = pottery__options_check(opts->version, POTTERY_POOL_OPTIONS_VERSION, __func__);
    if (rc < 0) return rc;
    if (opts->size == 0) return pottery__error(POTTERY_EINVAL, "%s: size must be at least 1 (got 0)", __func__);
    if (opts->wait_timeout_ms < 0 && opts->wait_timeout_ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL, "%s: wait_timeout_ms must be >= 0 or POTTERY_FOREVER (got %lld)",
                              __func__, (long long)opts->wait_timeout_ms);
    if (!url) {
        url = getenv("REDIS_URL");
        if (!url || !*url) url = "redis://localhost:6379/0";
    }
    pottery_address a;
    if ((rc = pottery__address_resolve(&a, url, opts->client, __func__)) < 0) return rc;

    pottery_pool *p = pottery__calloc(1, sizeof *p);
    if (!p) {
        pottery__address_free(&a);
        return pottery__error_oom();
    }
    p->size = opts->size;
    p->wait_timeout_ms = opts->wait_timeout_ms;
    p->view = pottery__calloc(1, sizeof *p->view);
    if (!p->view) {
        pottery__address_free(&a);
        pool_free(p);
        return pottery__error_oom();
    }
    p->view->fd = -1;
    p->view->counting = 1;
    p->view->connect_timeout_ms = a.connect_timeout_ms;
    p->view->command_timeout_ms = a.command_timeout_ms;
    p->view->addr = a.url;
    p->view->endpoint = a.endpoint;
    p->view->front = &POOL_OPS;
    p->view->front_state = p;
    rc = copy_client_options(&p->copts, opts->client);
    if (rc == 0 && !(p->url = pottery__strdup(url))) rc = pottery__error_oom();
    if (rc == 0) rc = sync_init(p);
    if (rc < 0) {
        pool_free(p);
        return rc;
    }
    member *first;
    pthread_mutex_lock(&p->lock);
    rc = open_member(&first, p);
    if (rc == 0) {
        first->next_idle = NULL;
        p->idle = first;
        p->nidle = 1;
    }
    pthread_mutex_unlock(&p->lock);
    if (rc < 0) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->freed);
        pool_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void pottery_pool_free(pottery_pool *pool)
{
    if (!pool) return;
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->freed);
    pool_free(pool);
}

pottery_client *pottery_pool_client(const pottery_pool *pool)
{
    return pool ? pool->view : NULL;
}

void pottery_pool_stats_get(pottery_pool_stats *out, const pottery_pool *pool)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!pool) return;
    pottery_pool *p = pool->view->front_state; /* the same pool, whose lock may be taken */
    pthread_mutex_lock(&p->lock);
    out->size = p->size;
    out->open = p->open;
    out->idle = p->nidle;
    out->in_use = p->open - p->nidle;
    out->borrows = p->borrows;
    out->waits = p->waits;
    out->timeouts = p->timeouts;
    out->broken = p->broken;
    pthread_mutex_unlock(&p->lock);
}
