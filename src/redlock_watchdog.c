/* pottery_watchdog: one thread with its own clients renewing the leases of the Redlock locks
 * handed to it (pottery_redlock_watch), every lock due in a tick in one script call per
 * master (per hash slot on a cluster); and the lock-lost signal it raises. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "conn/conn.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"
#include "pottery/watchdog.h"
#include "redlock_impl.h"
#include "redlock_renew.h"

#define NS_PER_MS POTTERY_NS_PER_MS

/* A watched lock: a copy of what its renewals need (r, first: the groups point at it), so
 * that the thread never reads the holder's handle (but for the lost flag and the callback,
 * under the rules below). */
typedef struct entry {
    pottery_renewal r;
    struct entry *next;      /* the watchdog's list */
    struct entry *tick_next; /* the tick being run (the thread's alone) */
    pottery_redlock *lock;   /* NULL once unwatched during a tick */
    int slot;                /* on a cluster: the key's hash slot */
    int busy;                /* in the tick being run: its fields stay put, unwatch only marks it */
    pottery_redlock_lost_fn on_lost;
    void *payload;
} entry;

struct pottery_watchdog {
    pottery_client **clients;
    size_t n, quorum;
    int cluster;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;          /* the thread: a lock to watch, or stop */
    pthread_cond_t settled;       /* unwatch: a callback returned */
    int stop;                     /* under mu */
    entry *entries;               /* under mu */
    pottery_redlock *in_callback; /* the lock whose on_lost runs now (under mu) */
    pottery_watchdog_stats stats; /* under mu */
};

static void entry_free(entry *e)
{
    if (!e) return;
    pottery__renewal_free(&e->r);
    pottery__free(e);
}

/* ---- one renewal call: the locks of one group on every master ---- */

/* Renew the group's locks on every master at once. 1 when the call ran. */
static int renew_group(pottery_watchdog *wd, pottery_renew_group *g)
{
    pottery_fanout f;
    pottery__fanout_init(&f, wd->clients, wd->n, 0);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__renew_request(&args, &f, g, wd->cluster);
    int64_t sent = pottery__monotonic_ns();
    int rc = pottery__fanout_eval(&f, &pottery__lua_redlock_extend_many, wd->cluster ? g->count : 0, &args);
    pottery__cmd_free(&args);
    pottery__renew_judge(g, &f, rc == 0, sent);
    pottery__fanout_free(&f);
    return rc == 0;
}

/* Renew the tick's locks (a list through tick_next, outcome -1 = to renew): all in one
 * call, or on a cluster one call per hash slot. Returns the number of calls. */
static uint64_t renew_tick(pottery_watchdog *wd, entry *tick, size_t count)
{
    uint64_t calls = 0;
    pottery_renew_group g = { pottery__calloc(count ? count : 1, sizeof(pottery_renewal *)), 0, wd->quorum };
    if (!g.items) { /* no memory for the call: the renewal failed */
        for (entry *e = tick; e; e = e->tick_next)
            if (e->r.outcome < 0) e->r.outcome = POTTERY_REDLOCK_LOST_UNREACHABLE;
        return 0;
    }
    for (;;) {
        g.count = 0;
        int slot = -1;
        for (entry *e = tick; e; e = e->tick_next) {
            if (e->r.outcome >= 0 || (wd->cluster && slot >= 0 && e->slot != slot)) continue;
            slot = e->slot;
            e->r.outcome = 0;
            g.items[g.count++] = &e->r;
        }
        if (g.count == 0) break;
        renew_group(wd, &g);
        calls++;
    }
    pottery__free(g.items);
    return calls;
}

/* ---- the thread ---- */

static void wait_until(pottery_watchdog *wd, int64_t until_ns)
{
    if (until_ns == INT64_MAX) {
        pthread_cond_wait(&wd->wake, &wd->mu);
        return;
    }
    /* The condition variable waits on CLOCK_MONOTONIC (see pottery_watchdog_new). */
    struct timespec ts = { (time_t)(until_ns / 1000000000), (long)(until_ns % 1000000000) };
    (void)pthread_cond_timedwait(&wd->wake, &wd->mu, &ts);
}

static void unlink_entry(pottery_watchdog *wd, entry *e)
{
    for (entry **p = &wd->entries; *p; p = &(*p)->next)
        if (*p == e) {
            *p = e->next;
            return;
        }
}

/* After the tick's I/O, under mu: schedule the renewed, signal the lost. */
static void settle_tick(pottery_watchdog *wd, entry *tick)
{
    while (tick) {
        entry *e = tick;
        tick = e->tick_next;
        e->busy = 0;
        if (!e->lock) { /* unwatched meanwhile */
            unlink_entry(wd, e);
            entry_free(e);
            continue;
        }
        if (e->r.outcome == 0) {
            e->r.due_ns = e->r.sent_ns + e->r.lease_ms * NS_PER_MS / 3;
            wd->stats.renewals++;
            continue;
        }
        unlink_entry(wd, e);
        wd->stats.lost++;
        pottery_redlock *lock = e->lock;
        atomic_store(&lock->lost, e->r.outcome);
        if (e->on_lost) {
            wd->in_callback = lock;
            pthread_mutex_unlock(&wd->mu);
            e->on_lost(lock, e->r.outcome, e->payload);
            pthread_mutex_lock(&wd->mu);
            wd->in_callback = NULL;
            pthread_cond_broadcast(&wd->settled);
        }
        entry_free(e);
    }
}

static void *run(void *arg)
{
    pottery_watchdog *wd = arg;
    pthread_mutex_lock(&wd->mu);
    while (!wd->stop) {
        int64_t now = pottery__monotonic_ns(), next = INT64_MAX;
        entry *tick = NULL;
        size_t count = 0;
        int64_t first = INT64_MAX;
        for (entry *e = wd->entries; e; e = e->next)
            if (e->r.due_ns < first) first = e->r.due_ns;
        for (entry *e = wd->entries; e; e = e->next) {
            if (!pottery__renewal_take(&e->r, now, first)) {
                if (e->r.due_ns < next) next = e->r.due_ns;
                continue;
            }
            e->busy = 1;
            e->tick_next = tick;
            tick = e;
            count++;
        }
        if (!tick) {
            wait_until(wd, next);
            continue;
        }
        pthread_mutex_unlock(&wd->mu);
        int64_t began = pottery__monotonic_ns();
        uint64_t calls = renew_tick(wd, tick, count);
        int64_t busy = pottery__monotonic_ns() - began;
        pthread_mutex_lock(&wd->mu);
        wd->stats.busy_ns += (uint64_t)busy;
        wd->stats.ticks++;
        wd->stats.calls += calls;
        settle_tick(wd, tick);
    }
    pthread_mutex_unlock(&wd->mu);
    return NULL;
}

/* ---- public API ---- */

static void close_clients(pottery_watchdog *wd)
{
    for (size_t i = 0; wd->clients && i < wd->n; i++) pottery_client_free(wd->clients[i]);
    pottery__free(wd->clients);
}

int pottery_watchdog_new(pottery_watchdog **out, const char *const *urls, size_t n,
                         const pottery_watchdog_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(urls);
    if (n == 0) return pottery__error(POTTERY_EINVAL, "pottery_watchdog_new: no masters");
    for (size_t i = 0; i < n; i++)
        if (!urls[i]) return pottery__error(POTTERY_EINVAL, "pottery_watchdog_new: URL %zu is NULL", i);
    int rc;
    if (opts && (rc = pottery__options_check(opts->version, POTTERY_WATCHDOG_OPTIONS_VERSION, __func__)) < 0) return rc;
    pottery_watchdog *wd = pottery__calloc(1, sizeof *wd);
    if (!wd || !(wd->clients = pottery__calloc(n, sizeof *wd->clients))) {
        pottery__free(wd);
        return pottery__error_oom();
    }
    wd->n = n;
    wd->quorum = n / 2 + 1;
    for (size_t i = 0; i < n; i++) {
        if ((rc = pottery_client_open(&wd->clients[i], urls[i], opts ? opts->client : NULL)) < 0) {
            close_clients(wd);
            pottery__free(wd);
            return rc;
        }
        wd->cluster |= pottery__client_is_cluster(wd->clients[i]);
    }
    pthread_condattr_t ca;
    int ok = pthread_condattr_init(&ca) == 0;
    ok = ok && pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0;
    ok = ok && pthread_mutex_init(&wd->mu, NULL) == 0;
    ok = ok && pthread_cond_init(&wd->wake, &ca) == 0;
    ok = ok && pthread_cond_init(&wd->settled, NULL) == 0;
    (void)pthread_condattr_destroy(&ca);
    if (!ok || pthread_create(&wd->thread, NULL, run, wd) != 0) {
        close_clients(wd);
        pottery__free(wd);
        return pottery__error(POTTERY_ESTATE, "pottery_watchdog_new: could not start its thread (%s)", strerror(errno));
    }
    *out = wd;
    return 0;
}

void pottery_watchdog_free(pottery_watchdog *wd)
{
    if (!wd) return;
    pthread_mutex_lock(&wd->mu);
    wd->stop = 1;
    pthread_cond_signal(&wd->wake);
    pthread_mutex_unlock(&wd->mu);
    pthread_join(wd->thread, NULL);
    while (wd->entries) {
        entry *e = wd->entries;
        wd->entries = e->next;
        entry_free(e);
    }
    pthread_mutex_destroy(&wd->mu);
    pthread_cond_destroy(&wd->wake);
    pthread_cond_destroy(&wd->settled);
    close_clients(wd);
    pottery__free(wd);
}

void pottery_watchdog_stats_get(pottery_watchdog_stats *out, pottery_watchdog *wd)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!wd) return;
    pthread_mutex_lock(&wd->mu);
    *out = wd->stats;
    for (entry *e = wd->entries; e; e = e->next) out->watched += e->lock != NULL;
    pthread_mutex_unlock(&wd->mu);
}

static int check_watch(const pottery_redlock *lock, const pottery_watchdog *wd)
{
    const pottery_redlock_core *core = &lock->core;
    if (!lock->acquired_ns)
        return pottery__error(POTTERY_EUNLOCKED, "pottery_redlock_watch: %s is not acquired by this handle", core->key);
    if (atomic_load(&lock->lost))
        return pottery__error(POTTERY_EUNLOCKED, "pottery_redlock_watch: %s was lost already", core->key);
    if (core->n != wd->n)
        return pottery__error(POTTERY_EINVAL, "pottery_redlock_watch: %s has %zu masters, the watchdog %zu", core->key,
                              core->n, wd->n);
    for (size_t i = 0; i < wd->n; i++)
        if (!pottery__client_same_server(lock->masters[i], wd->clients[i]))
            return pottery__error(POTTERY_EINVAL, "pottery_redlock_watch: master %zu of %s is not the watchdog's", i,
                                  core->key);
    return pottery__renew_check_cap(core, "pottery_redlock_watch");
}

int pottery_redlock_watch(pottery_redlock *lock, pottery_watchdog *wd)
{
    POTTERY_CHECK_ARG(lock);
    POTTERY_CHECK_ARG(wd);
    int rc = check_watch(lock, wd);
    if (rc < 0) return rc;
    const pottery_redlock_core *core = &lock->core;
    entry *e = pottery__calloc(1, sizeof *e);
    if (!e) return pottery__error_oom();
    if (pottery__renewal_init(&e->r, core, lock->acquired_ns) < 0) {
        pottery__free(e);
        return pottery__error_oom();
    }
    e->lock = lock;
    e->slot = (int)pottery__key_slot(e->r.key, strlen(e->r.key));
    e->on_lost = core->opts.on_lost;
    e->payload = core->opts.on_lost_payload;
    pottery_redlock_unwatch(lock);
    pthread_mutex_lock(&wd->mu);
    if (wd->stop) {
        pthread_mutex_unlock(&wd->mu);
        entry_free(e);
        return pottery__error(POTTERY_ESTATE, "pottery_redlock_watch: the watchdog is being freed");
    }
    e->next = wd->entries;
    wd->entries = e;
    lock->wd = wd;
    pthread_cond_signal(&wd->wake);
    pthread_mutex_unlock(&wd->mu);
    return 0;
}

void pottery_redlock_unwatch(pottery_redlock *lock)
{
    if (!lock || !lock->wd) return;
    pottery_watchdog *wd = lock->wd;
    pthread_mutex_lock(&wd->mu);
    while (wd->in_callback == lock && !pthread_equal(pthread_self(), wd->thread))
        pthread_cond_wait(&wd->settled, &wd->mu);
    for (entry *e = wd->entries; e; e = e->next) {
        if (e->lock != lock) continue;
        if (e->busy) {
            e->lock = NULL; /* the thread frees it after its tick */
        } else {
            unlink_entry(wd, e);
            entry_free(e);
        }
        break;
    }
    lock->wd = NULL;
    pthread_mutex_unlock(&wd->mu);
}
