/* What pottery_rlock and pottery_rwlock share (lock_quorum.h): the handle as owner, a script
 * on every master, Redlock's quorum, validity and blocking schedule. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "core/random.h"
#include "lock_quorum.h"

int pottery__qlock_init(pottery_qlock *q, const char *prefix, const char *key, pottery_client *const *masters, size_t n,
                        const pottery_redlock_options *opts, const char *fn)
{
    memset(q, 0, sizeof *q);
    if (!key) return pottery__error(POTTERY_EINVAL, "%s: key is NULL", fn);
    int rc = pottery__check_masters((const void *const *)masters, n, fn);
    if (rc < 0) return rc;
    if ((rc = pottery__redlock_core_init(&q->core, key, n, opts, fn)) < 0) return rc;
    /* The core names its key "redlock:<key>"; these locks have their own prefix. */
    size_t plen = strlen(prefix), klen = strlen(key);
    char *name = pottery__malloc(plen + klen + 1);
    q->masters = pottery__calloc(n, sizeof *q->masters);
    if (!name || !q->masters || (rc = pottery__uuid4(q->core.uuid)) < 0) {
        pottery__free(name);
        pottery__qlock_free(q);
        return rc < 0 ? rc : pottery__error_oom();
    }
    snprintf(name, plen + klen + 1, "%s%s", prefix, key);
    pottery__free(q->core.key);
    q->core.key = name;
    memcpy(q->masters, masters, n * sizeof *masters);
    return 0;
}

void pottery__qlock_free(pottery_qlock *q)
{
    pottery__redlock_core_free(&q->core);
    pottery__free(q->masters);
    q->masters = NULL;
}

void pottery__qlock_call_init(pottery_qlock_call *call, const pottery_script *s, size_t nkeys)
{
    call->script = s;
    call->nkeys = nkeys;
    pottery__cmd_init(&call->args);
}

void pottery__qlock_call_free(pottery_qlock_call *call)
{
    pottery__cmd_free(&call->args);
}

static int check_positive(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    long long v;
    int rc = pottery__reply_int(&v, r, (const char *)ctx);
    return rc < 0 ? rc : v > 0;
}

int pottery__qlock_run(pottery_fanout *f, pottery_qlock *q, pottery_qlock_call *call, int wait_all)
{
    pottery__fanout_init(f, q->masters, q->core.n, wait_all ? 0 : q->core.quorum);
    f->check = check_positive;
    f->ctx = (void *)call->script->name;
    /* No use waiting past the lease for a grant; a release waits for every master. */
    f->timeout_ms = wait_all ? POTTERY_FOREVER : q->core.opts.auto_release_time_ms;
    int rc = pottery__fanout_eval(f, call->script, call->nkeys, &call->args);
    if (rc < 0) return rc;
    size_t errors = 0, first = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->results[i].status == POTTERY_FANOUT_REDIS_ERROR && errors++ == 0) first = i;
    if (errors > q->core.n / 2)
        return pottery__error(POTTERY_EREDIS, "%s on %s: %s: %s", call->script->name, q->core.key,
                              f->results[first].endpoint ? f->results[first].endpoint : "?",
                              f->results[first].message ? f->results[first].message : "error");
    return 0;
}

static void sleep_ns(int64_t ns)
{
    if (ns <= 0) return;
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* One attempt: *got = 1 when held; otherwise undo ran on every master. */
static int attempt(int *got, int *dead, pottery_qlock *q, pottery_qlock_call *take, pottery_qlock_call *undo)
{
    *got = *dead = 0;
    pottery_fanout f;
    int rc = pottery__qlock_run(&f, q, take, 0);
    if (rc == 0) rc = pottery__redlock_attempt_judge(got, dead, &q->core, &f);
    int ran = f.results != NULL;
    pottery__fanout_free(&f);
    if (*got || !ran) return rc;
    pottery_error_saved saved;
    pottery__error_save(&saved);
    (void)pottery__qlock_run(&f, q, undo, 1);
    pottery__fanout_free(&f);
    pottery__error_restore(&saved);
    return rc;
}

int pottery__qlock_acquire(int *acquired, pottery_qlock *q, int blocking, int64_t timeout_ms, pottery_qlock_call *take,
                           pottery_qlock_call *undo)
{
    int rc = pottery__redlock_check_blocking(blocking, timeout_ms);
    if (rc < 0) return rc;
    pottery_redlock_wait w;
    pottery__redlock_wait_start(&w, blocking, timeout_ms);
    for (;;) {
        int got, dead;
        rc = attempt(&got, &dead, q, take, undo);
        if (rc < 0) return rc; /* *acquired untouched, as every out-value on failure */
        if (got) {
            *acquired = 1;
            return 0;
        }
        int64_t delay_ns;
        rc = pottery__redlock_wait_next(&delay_ns, &w, &q->core, dead);
        if (rc < 0) return rc;
        if (rc == 0) break;
        sleep_ns(delay_ns);
        if (!pottery__redlock_wait_again(&w)) break;
    }
    *acquired = 0;
    return 0;
}

int pottery__qlock_need_quorum(pottery_qlock *q, pottery_qlock_call *call, int wait_all, const char *what)
{
    pottery_fanout f;
    int rc = pottery__qlock_run(&f, q, call, wait_all);
    if (rc == 0 && f.yes < q->core.quorum) {
        char votes[POTTERY_REDLOCK_DESCRIBE_MAX];
        pottery__fanout_describe(votes, sizeof votes, &f);
        int impossible = q->core.opts.raise_on_redis_errors && f.failed > q->core.n / 2;
        rc = pottery__fanout_oom(&f) ? POTTERY_ENOMEM
             : impossible
                 ? pottery__error(POTTERY_EIMPOSSIBLE, "quorum is impossible on %s: %s", q->core.key, votes)
                 : pottery__error(POTTERY_EUNLOCKED, "%s of an unlocked lock %s: %s", what, q->core.key, votes);
    }
    pottery__fanout_free(&f);
    return rc;
}
