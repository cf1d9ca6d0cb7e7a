/* The Redlock algorithm without its I/O (see redlock_core.h). Wire format and semantics
 * are pottery's: `redlock:<key>` holds a uuid4 text with a PX lease; the scripts in
 * src/lua/redlock_*.lua compare before acting. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/options.h"
#include "core/random.h"
#include "lua_scripts.h"
#include "redlock_core.h"

#define KEY_PREFIX "redlock:"
#define NS_PER_MS 1000000

/* ---- options and state ---- */

static int check_timeout(int64_t ms, const char *what)
{
    if (ms < 0 && ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL, "%s must be >= 0 or POTTERY_FOREVER (got %lld)", what, (long long)ms);
    return 0;
}

int pottery__redlock_check_blocking(int blocking, int64_t timeout_ms)
{
    int rc = check_timeout(timeout_ms, "timeout_ms");
    if (rc < 0) return rc;
    if (!blocking && timeout_ms > 0)
        return pottery__error(POTTERY_EINVAL, "can't specify a timeout for a non-blocking call");
    return 0;
}

/* The caller's options over the defaults: members of later versions only when the caller's
 * struct has them (a version-1 struct is shorter). */
static void copy_options(pottery_redlock_options *o, const pottery_redlock_options *from)
{
    o->auto_release_time_ms = from->auto_release_time_ms;
    o->num_extensions = from->num_extensions;
    o->context_manager_blocking = from->context_manager_blocking;
    o->context_manager_timeout_ms = from->context_manager_timeout_ms;
    o->raise_on_redis_errors = from->raise_on_redis_errors;
    o->retry_delay_ms = from->retry_delay_ms;
    if (from->version < 2) return;
    o->fencing = from->fencing;
    o->watchdog_max_hold_ms = from->watchdog_max_hold_ms;
    o->on_lost = from->on_lost;
    o->on_lost_payload = from->on_lost_payload;
}

static int check_options(const pottery_redlock_options *o, const char *fn)
{
    if (o->auto_release_time_ms <= 0)
        return pottery__error(POTTERY_EINVAL, "%s: auto_release_time_ms must be > 0 (got %lld)", fn,
                              (long long)o->auto_release_time_ms);
    if (o->num_extensions < 0)
        return pottery__error(POTTERY_EINVAL, "%s: num_extensions must be >= 0 (got %d)", fn, o->num_extensions);
    if (o->retry_delay_ms < 0)
        return pottery__error(POTTERY_EINVAL, "%s: retry_delay_ms must be >= 0 (got %lld)", fn,
                              (long long)o->retry_delay_ms);
    if (o->fencing != 0 && o->fencing != 1)
        return pottery__error(POTTERY_EINVAL, "%s: fencing must be 0 or 1 (got %d)", fn, o->fencing);
    if (o->watchdog_max_hold_ms <= 0 && o->watchdog_max_hold_ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL, "%s: watchdog_max_hold_ms must be > 0 or POTTERY_FOREVER (got %lld)", fn,
                              (long long)o->watchdog_max_hold_ms);
    return pottery__redlock_check_blocking(o->context_manager_blocking, o->context_manager_timeout_ms);
}

int pottery__redlock_core_init(pottery_redlock_core *core, const char *key, size_t n,
                               const pottery_redlock_options *opts, const char *fn)
{
    memset(core, 0, sizeof *core);
    pottery_redlock_options o;
    pottery_redlock_options_init(&o);
    if (opts) {
        int rc = pottery__options_check(opts->version, POTTERY_REDLOCK_OPTIONS_VERSION, fn);
        if (rc < 0) return rc;
        copy_options(&o, opts);
        if ((rc = check_options(&o, fn)) < 0) return rc;
    }
    size_t klen = strlen(key);
    core->key = pottery__malloc(sizeof KEY_PREFIX + klen);
    if (!core->key) return pottery__error_oom();
    memcpy(core->key, KEY_PREFIX, sizeof KEY_PREFIX - 1);
    memcpy(core->key + sizeof KEY_PREFIX - 1, key, klen + 1);
    core->n = n;
    core->quorum = n / 2 + 1;
    core->opts = o;
    /* pottery: auto_release_time * 0.01 + 0.002 s, rounded up to whole ms. */
    core->drift_ms = (o.auto_release_time_ms + 99) / 100 + 2;
    if (o.fencing && pottery__key_beside(&core->fence_key, core->key, strlen(core->key), ":fence") < 0) {
        pottery__redlock_core_free(core);
        return pottery__error_oom();
    }
    return 0;
}

void pottery__redlock_core_free(pottery_redlock_core *core)
{
    pottery__free(core->key);
    core->key = NULL;
    pottery__free(core->fence_key);
    core->fence_key = NULL;
}

/* ---- requests ---- */

static int check_ok(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    (void)ctx;
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) return 0;
    int rc = pottery__reply_status(r, "OK", "SET NX PX");
    return rc < 0 ? rc : 1;
}

static int check_positive(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    long long v;
    int rc = pottery__reply_int(&v, r, (const char *)ctx);
    return rc < 0 ? rc : v > 0;
}

const pottery_script *pottery__redlock_attempt_script(const pottery_redlock_core *core)
{
    return core->fence_key ? &pottery__lua_redlock_acquire_fenced : NULL;
}

int pottery__redlock_attempt_request(pottery_cmd *cmd, pottery_fanout *f, pottery_redlock_core *core)
{
    int rc = pottery__uuid4(core->uuid);
    if (rc < 0) return rc;
    core->extensions = 0;
    core->token = 0;
    f->quorum = core->quorum;
    f->check = check_ok;
    f->decide = NULL;
    f->ctx = NULL;
    f->timeout_ms = core->opts.auto_release_time_ms; /* no use waiting past the lease */
    if (core->fence_key) {
        f->check = check_positive;
        f->ctx = (void *)pottery__lua_redlock_acquire_fenced.name;
        pottery__cmd_cstr(cmd, core->key);
        pottery__cmd_cstr(cmd, core->fence_key);
        pottery__cmd_cstr(cmd, core->uuid);
        pottery__cmd_int(cmd, core->opts.auto_release_time_ms);
        return 0;
    }
    pottery__cmd_cstr(cmd, "SET");
    pottery__cmd_cstr(cmd, core->key);
    pottery__cmd_cstr(cmd, core->uuid);
    pottery__cmd_cstr(cmd, "PX");
    pottery__cmd_int(cmd, core->opts.auto_release_time_ms);
    pottery__cmd_cstr(cmd, "NX");
    return 0;
}

static int decided_at_once(const pottery_fanout *f, void *ctx)
{
    (void)f;
    (void)ctx;
    return 1;
}

void pottery__redlock_raise_request(pottery_cmd *args, pottery_fanout *f, const pottery_redlock_core *core)
{
    f->quorum = 0;
    f->check = NULL;
    f->decide = decided_at_once; /* the replies stay owed: the next call on each master reads them */
    f->timeout_ms = POTTERY_FOREVER;
    pottery__cmd_cstr(args, core->fence_key);
    pottery__cmd_int(args, core->token);
}

void pottery__redlock_script_request(pottery_cmd *args, pottery_fanout *f, const pottery_redlock_core *core,
                                     const pottery_script *s)
{
    f->quorum = s == &pottery__lua_redlock_release ? 0 : core->quorum;
    f->check = check_positive;
    f->decide = NULL;
    f->ctx = (void *)s->name;
    f->timeout_ms = POTTERY_FOREVER;
    pottery__cmd_cstr(args, core->key);
    pottery__cmd_cstr(args, core->uuid);
    if (s == &pottery__lua_redlock_extend) pottery__cmd_int(args, core->opts.auto_release_time_ms);
}

/* ---- judging the votes ---- */

/* raise_on_redis_errors: more than N/2 masters failed. */
static int impossible(const pottery_redlock_core *core, const pottery_fanout *f)
{
    return core->opts.raise_on_redis_errors && f->failed > core->n / 2;
}

static int fail_with(int code, const char *what, const pottery_redlock_core *core, const pottery_fanout *f)
{
    char votes[POTTERY_REDLOCK_DESCRIBE_MAX];
    pottery__fanout_describe(votes, sizeof votes, f);
    return pottery__error(code, "%s %s: %s", what, core->key, votes);
}

/* EIMPOSSIBLE when raise_on_redis_errors says so, else the ordinary failure what. */
static int refused(int code, const char *what, const pottery_redlock_core *core, const pottery_fanout *f)
{
    if (impossible(core, f)) return fail_with(POTTERY_EIMPOSSIBLE, "quorum is impossible on", core, f);
    return fail_with(code, what, core, f);
}

int pottery__redlock_attempt_judge(int *got, int *dead, pottery_redlock_core *core, const pottery_fanout *f)
{
    *got = 0;
    *dead = 0;
    if (f->yes >= core->quorum && core->opts.auto_release_time_ms - f->elapsed_ms - core->drift_ms > 0) {
        *got = 1;
        for (size_t i = 0; core->fence_key && i < f->n; i++) {
            long long v = 0;
            if (f->results[i].status == POTTERY_FANOUT_YES &&
                pottery__reply_int(&v, f->results[i].reply, "redlock_acquire_fenced") == 0 && v > core->token)
                core->token = v;
        }
        return 0;
    }
    pottery__fanout_describe(core->last, sizeof core->last, f);
    *dead = f->failed > core->n / 2;
    if (pottery__fanout_oom(f)) return POTTERY_ENOMEM;
    return impossible(core, f) ? refused(0, NULL, core, f) : 0;
}

int pottery__redlock_release_check(const pottery_redlock_core *core)
{
    if (!core->uuid[0])
        return pottery__error(POTTERY_EUNLOCKED, "release of an unlocked lock %s: never acquired", core->key);
    return 0;
}

int pottery__redlock_extend_check(const pottery_redlock_core *core)
{
    if (core->extensions >= core->opts.num_extensions)
        return pottery__error(POTTERY_EEXTENSIONS, "too many extensions of %s: %d allowed", core->key,
                              core->opts.num_extensions);
    if (!core->uuid[0])
        return pottery__error(POTTERY_EUNLOCKED, "extend of an unlocked lock %s: never acquired", core->key);
    return 0;
}

int pottery__redlock_release_judge(const pottery_redlock_core *core, const pottery_fanout *f)
{
    if (f->yes >= core->quorum) return 0;
    if (pottery__fanout_oom(f)) return POTTERY_ENOMEM;
    return refused(POTTERY_EUNLOCKED, "release of an unlocked lock", core, f);
}

int pottery__redlock_extend_judge(pottery_redlock_core *core, const pottery_fanout *f)
{
    if (f->yes < core->quorum)
        return pottery__fanout_oom(f) ? POTTERY_ENOMEM
                                      : refused(POTTERY_EUNLOCKED, "extend of an unlocked lock", core, f);
    core->extensions++;
    return 0;
}

static int ascending(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* pottery's rule: the masters' remaining leases sorted ascending, the one a quorum holds
 * at least (index N/2 - 1 for even N, N/2 for odd N, counted among all N), less the drift
 * and the time the question took. Masters that did not answer count as holding nothing. */
int pottery__redlock_locked_judge(int64_t *validity_ms, const pottery_redlock_core *core, const pottery_fanout *f)
{
    *validity_ms = 0;
    if (f->yes < core->quorum) {
        if (pottery__fanout_oom(f)) return POTTERY_ENOMEM;
        return impossible(core, f) ? refused(0, NULL, core, f) : 0;
    }
    long long *ttls = pottery__calloc(core->n, sizeof *ttls);
    if (!ttls) return pottery__error_oom();
    for (size_t i = 0; i < f->n; i++) {
        long long v = 0;
        if (f->results[i].status == POTTERY_FANOUT_YES)
            (void)pottery__reply_int(&v, f->results[i].reply, "redlock_acquired");
        ttls[i] = v;
    }
    qsort(ttls, core->n, sizeof *ttls, ascending);
    /* The quorum-th largest lease: index n - quorum (n/2 - 1 for even n, n/2 for odd). */
    int64_t validity = (int64_t)ttls[core->n - core->quorum] - core->drift_ms - f->elapsed_ms;
    pottery__free(ttls);
    *validity_ms = validity > 0 ? validity : 0;
    return 0;
}

int pottery__redlock_not_acquired(const pottery_redlock_core *core)
{
    return pottery__error(POTTERY_EQUORUM, "quorum not achieved on %s: %s", core->key,
                          core->last[0] ? core->last : "no attempt");
}

/* ---- the blocking acquire's schedule ---- */

static int64_t random_delay(int64_t max_ms)
{
    uint32_t r = 0;
    if (max_ms <= 0 || pottery__random_bytes(&r, sizeof r) < 0) return max_ms / 2;
    return (int64_t)(r % ((uint64_t)max_ms + 1));
}

void pottery__redlock_wait_start(pottery_redlock_wait *w, int blocking, int64_t timeout_ms)
{
    w->blocking = blocking;
    w->timeout_ms = timeout_ms;
    w->start_ns = pottery__monotonic_ns();
    w->dead_since_ns = -1;
}

int pottery__redlock_wait_next(int64_t *delay_ns, pottery_redlock_wait *w, const pottery_redlock_core *core, int dead)
{
    *delay_ns = 0;
    if (!w->blocking) return 0;
    int64_t now = pottery__monotonic_ns();
    if (!dead) {
        w->dead_since_ns = -1;
    } else if (w->dead_since_ns < 0) {
        w->dead_since_ns = now;
    } else if (w->timeout_ms == POTTERY_FOREVER &&
               now - w->dead_since_ns >= core->opts.auto_release_time_ms * NS_PER_MS) {
        return pottery__error(POTTERY_EQUORUM,
                              "quorum not achieved on %s: more than half of the masters failed for %lld ms: %s",
                              core->key, (long long)((now - w->dead_since_ns) / NS_PER_MS), core->last);
    }
    int64_t delay = random_delay(core->opts.retry_delay_ms) * NS_PER_MS;
    if (w->timeout_ms != POTTERY_FOREVER) {
        int64_t left = w->start_ns + w->timeout_ms * NS_PER_MS - now;
        if (left <= 0) return 0;
        if (delay > left) delay = left;
    }
    *delay_ns = delay;
    return 1;
}

int pottery__redlock_wait_again(const pottery_redlock_wait *w)
{
    return w->timeout_ms == POTTERY_FOREVER || pottery__monotonic_ns() - w->start_ns < w->timeout_ms * NS_PER_MS;
}
