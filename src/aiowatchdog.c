/* pottery_aiowatchdog: the renewer of held pottery_aioredlock locks on their loop. One loop
 * timer; each tick renews every lock due in one redlock_extend_many call per master (the
 * request and the judgement are the blocking watchdog's, redlock_renew.c) on the locks' own
 * connections, then raises the lost signal of those that failed. */
#include <string.h>

#include "aioredlock_impl.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"
#include "redlock_renew.h"

/* A watched lock (r first: the group points at it). */
typedef struct aentry {
    pottery_renewal r;
    struct aentry *next;
    pottery_aioredlock *lock; /* NULL once unwatched while its renewal runs */
    int busy;                 /* in the tick being run */
    int lost;                 /* found lost: its on_lost is due */
} aentry;

struct pottery_aiowatchdog {
    pottery_async **masters;
    size_t n, quorum;
    pottery_loop loop;
    pottery_loop_timer *timer;
    pottery_afanout af;
    pottery_cmd args;      /* the renewal's arguments (the fan-out borrows them) */
    pottery_renew_group g; /* the locks of the renewal in flight */
    size_t cap;            /* g.items' room */
    aentry *entries;
    int64_t sent_ns;
    int notifying; /* on_lost callbacks run: a free is left to their end */
    int dying;     /* freed by one of them */
    pottery_watchdog_stats stats;
};

static void unlink_entry(pottery_aiowatchdog *wd, aentry *e)
{
    for (aentry **p = &wd->entries; *p; p = &(*p)->next)
        if (*p == e) {
            *p = e->next;
            break;
        }
    pottery__renewal_free(&e->r);
    pottery__free(e);
}

/* Start the timer for the next lock due (not while a renewal runs: its end does). */
static int arm(pottery_aiowatchdog *wd)
{
    if (wd->af.running) return 0;
    int64_t next = INT64_MAX;
    for (aentry *e = wd->entries; e; e = e->next)
        if (e->lock && !e->lost && e->r.due_ns < next) next = e->r.due_ns;
    if (next == INT64_MAX) {
        wd->loop.timer_stop(wd->timer);
        return 0;
    }
    int64_t wait_ns = next - pottery__monotonic_ns();
    int64_t ms = wait_ns > 0 ? (wait_ns + POTTERY_NS_PER_MS - 1) / POTTERY_NS_PER_MS : 0;
    return wd->loop.timer_start(wd->timer, ms) != 0 ? pottery__error_oom() : 0;
}

/* Tell the holders of the locks found lost, one callback at a time: a callback may unwatch
 * or free any lock (its entry goes, its callback with it) or the watchdog (then stop). */
static void destroy(pottery_aiowatchdog *wd);

static void notify(pottery_aiowatchdog *wd)
{
    wd->notifying = 1;
    for (;;) {
        aentry *e = wd->entries;
        while (e && !e->lost) e = e->next;
        if (!e) break;
        pottery_aioredlock *lock = e->lock;
        int reason = e->r.outcome;
        unlink_entry(wd, e);
        lock->wd = NULL;
        if (lock->core.opts.on_lost) lock->core.opts.on_lost(NULL, reason, lock->core.opts.on_lost_payload);
        if (wd->dying) {
            destroy(wd);
            return;
        }
    }
    wd->notifying = 0;
}

/* The tick's renewal is over (ran: the call was sent): schedule the renewed, signal the
 * lost. */
static void settle(pottery_aiowatchdog *wd, int ran)
{
    wd->stats.ticks++;
    wd->stats.calls += (uint64_t)ran;
    wd->stats.busy_ns += (uint64_t)(pottery__monotonic_ns() - wd->sent_ns);
    wd->g.count = 0;
    for (aentry *e = wd->entries, *next; e; e = next) {
        next = e->next;
        if (!e->busy) continue;
        e->busy = 0;
        if (!e->lock) { /* unwatched meanwhile */
            unlink_entry(wd, e);
        } else if (e->r.outcome == 0) {
            e->r.due_ns = e->r.sent_ns + e->r.lease_ms * POTTERY_NS_PER_MS / 3;
            wd->stats.renewals++;
        } else {
            e->lock->lost = e->r.outcome;
            e->lost = 1;
            wd->stats.lost++;
        }
    }
    (void)arm(wd); /* out of memory for the timer: renewals stop, as when the loop stops */
    notify(wd);
}

static void on_renewed(void *arg)
{
    pottery_aiowatchdog *wd = arg;
    pottery__renew_judge(&wd->g, &wd->af.votes, 1, wd->sent_ns);
    settle(wd, 1);
}

static void on_timer(void *arg)
{
    pottery_aiowatchdog *wd = arg;
    if (wd->af.running) return;
    int64_t now = pottery__monotonic_ns(), first = INT64_MAX;
    size_t count = 0;
    for (aentry *e = wd->entries; e; e = e->next) {
        if (!e->lock || e->lost) continue;
        count++;
        if (e->r.due_ns < first) first = e->r.due_ns;
    }
    int nomem = 0;
    if (count > wd->cap) {
        pottery_renewal **items = pottery__realloc(wd->g.items, count * sizeof *items);
        nomem = !items;
        if (items) {
            wd->g.items = items;
            wd->cap = count;
        }
    }
    wd->g.count = 0;
    int taken = 0;
    for (aentry *e = wd->entries; e; e = e->next) {
        if (!e->lock || e->lost || !pottery__renewal_take(&e->r, now, first)) continue;
        e->busy = 1;
        taken = 1;
        if (e->r.outcome >= 0) continue;
        if (nomem) /* no memory for the call: the renewal failed, as the blocking watchdog's */
            e->r.outcome = POTTERY_REDLOCK_LOST_UNREACHABLE;
        else
            wd->g.items[wd->g.count++] = &e->r;
    }
    if (!taken) {
        (void)arm(wd);
        return;
    }
    wd->sent_ns = now;
    if (wd->g.count == 0) { /* only caps reached, or no memory */
        settle(wd, 0);
        return;
    }
    pottery__cmd_reset(&wd->args);
    pottery__renew_request(&wd->args, &wd->af.votes, &wd->g, 0);
    if (pottery__afanout_eval(&wd->af, &pottery__lua_redlock_extend_many, 0, &wd->args, on_renewed, wd) < 0) {
        pottery__renew_judge(&wd->g, &wd->af.votes, 0, now); /* not sent: every lock's renewal failed */
        settle(wd, 0);
    }
}

/* ---- public API ---- */

int pottery_aiowatchdog_new(pottery_aiowatchdog **out, pottery_async *const *masters, size_t n,
                            const pottery_aiowatchdog_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    int rc = pottery__async_check_masters(masters, n, __func__);
    if (rc < 0) return rc;
    if (opts && (rc = pottery__options_check(opts->version, POTTERY_AIOWATCHDOG_OPTIONS_VERSION, __func__)) < 0)
        return rc;
    pottery_aiowatchdog *wd = pottery__calloc(1, sizeof *wd);
    if (!wd) return pottery__error_oom();
    wd->loop = *pottery__async_loop(masters[0]);
    wd->n = n;
    wd->quorum = n / 2 + 1;
    wd->g.quorum = wd->quorum;
    pottery__cmd_init(&wd->args);
    wd->masters = pottery__calloc(n, sizeof *wd->masters);
    wd->timer = wd->masters ? wd->loop.timer_open(wd->loop.data, on_timer, wd) : NULL;
    if (!wd->timer) {
        pottery_aiowatchdog_free(wd);
        return pottery__error_oom();
    }
    memcpy(wd->masters, masters, n * sizeof *masters);
    pottery__afanout_init(&wd->af, wd->masters, n, 0);
    *out = wd;
    return 0;
}

static void destroy(pottery_aiowatchdog *wd)
{
    pottery__afanout_free(&wd->af);
    if (wd->timer) wd->loop.timer_close(wd->timer);
    while (wd->entries) {
        if (wd->entries->lock) wd->entries->lock->wd = NULL;
        unlink_entry(wd, wd->entries);
    }
    pottery__cmd_free(&wd->args);
    pottery__free(wd->g.items);
    pottery__free(wd->masters);
    pottery__free(wd);
}

void pottery_aiowatchdog_free(pottery_aiowatchdog *wd)
{
    if (!wd) return;
    if (wd->notifying) /* from an on_lost callback: freed when it returns */
        wd->dying = 1;
    else
        destroy(wd);
}

void pottery_aiowatchdog_stats_get(pottery_watchdog_stats *out, const pottery_aiowatchdog *wd)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!wd) return;
    *out = wd->stats;
    out->watched = 0;
    for (const aentry *e = wd->entries; e; e = e->next) out->watched += e->lock && !e->lost;
}

static int check_watch(const pottery_aioredlock *lock, const pottery_aiowatchdog *wd, const char *fn)
{
    const pottery_redlock_core *core = &lock->core;
    if (!lock->acquired_ns || lock->op == OP_ACQUIRE)
        return pottery__error(POTTERY_EUNLOCKED, "%s: %s is not acquired by this handle", fn, core->key);
    if (lock->lost) return pottery__error(POTTERY_EUNLOCKED, "%s: %s was lost already", fn, core->key);
    if (core->n != wd->n)
        return pottery__error(POTTERY_EINVAL, "%s: %s has %zu masters, the watchdog %zu", fn, core->key, core->n,
                              wd->n);
    for (size_t i = 0; i < wd->n; i++)
        if (lock->masters[i] != wd->masters[i])
            return pottery__error(POTTERY_EINVAL, "%s: master %zu of %s is not the watchdog's", fn, i, core->key);
    return pottery__renew_check_cap(core, fn);
}

int pottery_aioredlock_watch(pottery_aioredlock *lock, pottery_aiowatchdog *wd)
{
    POTTERY_CHECK_ARG(lock);
    POTTERY_CHECK_ARG(wd);
    int rc = check_watch(lock, wd, __func__);
    if (rc < 0) return rc;
    const pottery_redlock_core *core = &lock->core;
    aentry *e = pottery__calloc(1, sizeof *e);
    if (!e) return pottery__error_oom();
    if (pottery__renewal_init(&e->r, core, lock->acquired_ns) < 0) {
        pottery__free(e);
        return pottery__error_oom();
    }
    pottery_aioredlock_unwatch(lock);
    e->lock = lock;
    e->next = wd->entries;
    wd->entries = e;
    lock->wd = wd;
    if ((rc = arm(wd)) < 0) {
        pottery_aioredlock_unwatch(lock);
        return rc;
    }
    return 0;
}

void pottery_aioredlock_unwatch(pottery_aioredlock *lock)
{
    if (!lock || !lock->wd) return;
    pottery_aiowatchdog *wd = lock->wd;
    lock->wd = NULL;
    for (aentry *e = wd->entries; e; e = e->next) {
        if (e->lock != lock) continue;
        if (e->busy)
            e->lock = NULL; /* its renewal's outcome is dropped when it ends */
        else
            unlink_entry(wd, e);
        return;
    }
}
