/* One watchdog renewal call: see redlock_renew.h. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "pottery/common.h"
#include "pottery/redlock.h"
#include "redlock_renew.h"

int pottery__renewal_init(pottery_renewal *r, const pottery_redlock_core *core, int64_t acquired_ns)
{
    memset(r, 0, sizeof *r);
    if (!(r->key = pottery__strdup(core->key))) return pottery__error_oom();
    memcpy(r->uuid, core->uuid, sizeof r->uuid);
    r->lease_ms = core->opts.auto_release_time_ms;
    r->drift_ms = core->drift_ms;
    r->due_ns = acquired_ns + r->lease_ms * POTTERY_NS_PER_MS / 3;
    int64_t cap = core->opts.watchdog_max_hold_ms;
    r->cap_ns = cap == POTTERY_FOREVER ? INT64_MAX : acquired_ns + cap * POTTERY_NS_PER_MS;
    return 0;
}

void pottery__renewal_free(pottery_renewal *r)
{
    pottery__free(r->key);
    r->key = NULL;
}

int pottery__renew_check_cap(const pottery_redlock_core *core, const char *fn)
{
    int64_t cap = core->opts.watchdog_max_hold_ms;
    if (cap != POTTERY_FOREVER && cap < core->opts.auto_release_time_ms)
        return pottery__error(POTTERY_EINVAL,
                              "%s: watchdog_max_hold_ms (%lld) is shorter than the lease of %s (%lld ms)", fn,
                              (long long)cap, core->key, (long long)core->opts.auto_release_time_ms);
    return 0;
}

int pottery__renewal_take(pottery_renewal *r, int64_t now_ns, int64_t first_ns)
{
    if (first_ns > now_ns || r->due_ns - r->lease_ms * POTTERY_NS_PER_MS / 6 > now_ns) return 0;
    /* The cap: renew only if the new lease ends by then, else stop here. */
    r->outcome = r->cap_ns != INT64_MAX && now_ns + r->lease_ms * POTTERY_NS_PER_MS > r->cap_ns
                     ? POTTERY_REDLOCK_LOST_MAX_HOLD
                     : -1;
    return 1;
}

/* Lock j's answer from master i's reply: 1 renewed, 0 not, -1 no usable reply. */
static int answer(const pottery_fanout *f, size_t i, size_t j)
{
    if (f->results[i].status != POTTERY_FANOUT_YES) return f->results[i].status == POTTERY_FANOUT_PENDING ? -1 : 0;
    long long v = 0;
    if (pottery__reply_int(&v, pottery__reply_at(f->results[i].reply, j), "redlock_extend_many") < 0) return 0;
    return v == 1;
}

/* Every reply must be an array with one integer per lock. */
static int check_array(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    const pottery_renew_group *g = ctx;
    size_t count = 0;
    int rc = pottery__reply_array(&count, r, "redlock_extend_many");
    if (rc < 0) return rc;
    if (count != g->count)
        return pottery__error(POTTERY_EPROTOCOL, "redlock_extend_many: expected %zu results, got %zu", g->count, count);
    for (size_t j = 0; j < count; j++) {
        long long v;
        if ((rc = pottery__reply_int_in(&v, pottery__reply_at(r, j), 0, 1, "redlock_extend_many")) < 0) return rc;
    }
    return 1;
}

/* Decided once every lock of the group has its quorum, or can no longer get it. */
static int decide_all(const pottery_fanout *f, void *ctx)
{
    const pottery_renew_group *g = ctx;
    for (size_t j = 0; j < g->count; j++) {
        size_t yes = 0, no = 0;
        for (size_t i = 0; i < f->n; i++) {
            int a = answer(f, i, j);
            yes += a == 1;
            no += a == 0;
        }
        if (yes < g->quorum && f->n - no >= g->quorum) return 0;
    }
    return 1;
}

void pottery__renew_request(pottery_cmd *args, pottery_fanout *f, pottery_renew_group *g, int cluster)
{
    f->quorum = 0;
    f->check = check_array;
    f->decide = decide_all;
    f->ctx = g;
    int64_t timeout = INT64_MAX;
    for (size_t j = 0; j < g->count; j++)
        if (g->items[j]->lease_ms / 3 < timeout) timeout = g->items[j]->lease_ms / 3;
    f->timeout_ms = timeout > 0 ? timeout : 1;
    /* A cluster's call carries KEYS (one slot); a server's carries the keys as arguments,
     * so that locks of any slot share one call (the script says so). */
    if (cluster)
        for (size_t j = 0; j < g->count; j++) pottery__cmd_cstr(args, g->items[j]->key);
    for (size_t j = 0; j < g->count; j++) {
        pottery_renewal *r = g->items[j];
        if (!cluster) pottery__cmd_cstr(args, r->key);
        pottery__cmd_cstr(args, r->uuid);
        pottery__cmd_int(args, r->lease_ms);
    }
}

void pottery__renew_judge(pottery_renew_group *g, const pottery_fanout *f, int ran, int64_t sent)
{
    for (size_t j = 0; j < g->count; j++) {
        pottery_renewal *r = g->items[j];
        size_t yes = 0, taken = 0;
        for (size_t i = 0; ran && i < f->n; i++) {
            int a = answer(f, i, j);
            yes += a == 1;
            taken += a == 0 && f->results[i].status == POTTERY_FANOUT_YES;
        }
        if (yes >= g->quorum && r->lease_ms - f->elapsed_ms - r->drift_ms > 0)
            r->outcome = 0;
        else
            r->outcome = f->n - taken < g->quorum ? POTTERY_REDLOCK_LOST_TAKEN : POTTERY_REDLOCK_LOST_UNREACHABLE;
        r->sent_ns = sent;
    }
}
