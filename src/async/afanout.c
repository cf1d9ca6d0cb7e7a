/* The fan-out on an event loop: one request per connection, votes counted as replies come
 * (fanout_votes.c, shared with the blocking fan-out), done as soon as the outcome is known.
 * See async_impl.h. */
#include <string.h>

#include "async/async_impl.h"
#include "conn/client_impl.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/options.h"

void pottery__afanout_init(pottery_afanout *af, pottery_async *const *conns, size_t n, size_t quorum)
{
    memset(af, 0, sizeof *af);
    pottery__fanout_init(&af->votes, NULL, n, quorum);
    af->conns = conns;
}

/* Cancel every request still in flight. */
static void cancel_all(pottery_afanout *af)
{
    for (size_t i = 0; af->reqs && i < af->votes.n; i++) {
        pottery__areq_cancel(af->reqs[i]);
        af->reqs[i] = NULL;
    }
}

static void finish_run(pottery_afanout *af)
{
    cancel_all(af);
    pottery__free(af->reqs);
    pottery__free(af->evalsha);
    af->reqs = NULL;
    af->evalsha = NULL;
    af->running = 0;
}

void pottery__afanout_cancel(pottery_afanout *af)
{
    if (af && af->running) finish_run(af);
}

void pottery__afanout_free(pottery_afanout *af)
{
    if (!af) return;
    pottery__afanout_cancel(af);
    pottery__fanout_free(&af->votes);
    pottery__buf_free(&af->wire);
}

static void on_answer(void *owner, size_t i, int code, pottery_reply *reply);

/* The time master i may still take: the call's timeout less what has passed (at least 1 ms,
 * so that a late start still gets its chance to answer what is already there). */
static int64_t time_left(const pottery_afanout *af)
{
    if (af->votes.timeout_ms == POTTERY_FOREVER) return POTTERY_FOREVER;
    int64_t left = af->start_ms + af->votes.timeout_ms - pottery__monotonic_ms();
    return left > 0 ? left : 1;
}

/* Send the job to master i. */
static int send_to(pottery_afanout *af, size_t i)
{
    pottery_buf *b = &af->wire;
    int rc, evalsha = 0;
    pottery__buf_clear(b);
    if (af->script)
        rc = pottery__async_format_script(b, &evalsha, af->conns[i], af->script, af->nkeys, af->cmd);
    else
        rc = pottery__resp_append(b, 0, NULL, NULL, af->cmd);
    if (rc == 0) {
        af->evalsha[i] = (unsigned char)evalsha;
        af->reqs[i] = pottery__async_send(af->conns[i], b->data, b->len, time_left(af), on_answer, af, i);
        if (!af->reqs[i]) rc = POTTERY_ENOMEM;
    }
    return rc;
}

static void on_answer(void *owner, size_t i, int code, pottery_reply *reply)
{
    pottery_afanout *af = owner;
    af->reqs[i] = NULL;
    if (code < 0) {
        pottery__fanout_settle_failure(&af->votes, i, code, NULL);
    } else if (af->evalsha[i] && pottery__script_is_noscript(reply)) {
        /* The server lost its script cache: EVAL now, on this master only. */
        pottery__reply_free(reply);
        pottery__async_forget_script(af->conns[i], af->script);
        int rc = send_to(af, i);
        if (rc < 0) pottery__fanout_settle_failure(&af->votes, i, rc, NULL);
    } else {
        pottery__fanout_settle_reply(&af->votes, i, reply);
    }
    if (!pottery__fanout_decided(&af->votes)) return;
    af->votes.elapsed_ms = pottery__monotonic_ms() - af->start_ms;
    /* A sentinel connection located its master meanwhile: its endpoint text is new. */
    for (size_t j = 0; j < af->votes.n; j++) af->votes.results[j].endpoint = pottery_async_endpoint(af->conns[j]);
    finish_run(af);
    af->done(af->arg);
}

static int start(pottery_afanout *af, pottery_afanout_done done, void *arg)
{
    pottery_fanout *f = &af->votes;
    POTTERY_CHECK_ARG(af->conns);
    if (af->running) return pottery__error(POTTERY_ESTATE, "fan-out: already running");
    if (f->n == 0) return pottery__error(POTTERY_EINVAL, "fan-out: no connections");
    if (f->timeout_ms <= 0 && f->timeout_ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL, "fan-out: timeout_ms must be > 0 or POTTERY_FOREVER (got %lld)",
                              (long long)f->timeout_ms);
    int rc = pottery__fanout_start(f);
    if (rc < 0) return rc;
    af->reqs = pottery__calloc(f->n, sizeof *af->reqs);
    af->evalsha = pottery__calloc(f->n, 1);
    if (!af->reqs || !af->evalsha) {
        finish_run(af);
        return pottery__error_oom();
    }
    for (size_t i = 0; i < f->n; i++) f->results[i].endpoint = pottery_async_endpoint(af->conns[i]);
    af->done = done;
    af->arg = arg;
    af->running = 1;
    af->start_ms = pottery__monotonic_ms();
    size_t sent = 0;
    for (size_t i = 0; i < f->n; i++) {
        if ((rc = send_to(af, i)) == 0) {
            sent++;
        } else if (sent == 0) {
            finish_run(af); /* nothing went out: the start fails */
            return rc;
        } else {
            /* Others have the request already: this master fails alone, and the outcome
             * (a failure naming it, and the undo its caller runs) comes from the loop with
             * the others' replies. */
            pottery__fanout_settle_failure(f, i, rc, NULL);
        }
    }
    return 0;
}

int pottery__afanout_exec(pottery_afanout *af, const pottery_cmd *cmd, pottery_afanout_done done, void *arg)
{
    int rc = pottery__cmd_check(cmd, 0);
    if (rc < 0) return rc;
    af->cmd = cmd;
    af->script = NULL;
    af->nkeys = 0;
    return start(af, done, arg);
}

int pottery__afanout_eval(pottery_afanout *af, const pottery_script *s, size_t nkeys, const pottery_cmd *args,
                          pottery_afanout_done done, void *arg)
{
    int rc = pottery__script_check(s, nkeys, args, __func__);
    if (rc < 0) return rc;
    af->cmd = args;
    af->script = s;
    af->nkeys = nkeys;
    return start(af, done, arg);
}

int pottery__async_begin(int has_handle, const char *what, int has_cb, int busy, const char *key, const char *fn)
{
    if (!has_handle) return pottery__error(POTTERY_EINVAL, "%s: %s is NULL", fn, what);
    if (!has_cb) return pottery__error(POTTERY_EINVAL, "%s: callback is NULL", fn);
    if (busy) return pottery__error(POTTERY_ESTATE, "%s: an operation is already running on %s", fn, key);
    return 0;
}

int pottery__async_check_masters(pottery_async *const *masters, size_t n, const char *fn)
{
    int rc = pottery__check_masters((const void *const *)masters, n, fn);
    if (rc < 0) return rc;
    const pottery_loop *loop = pottery__async_loop(masters[0]);
    for (size_t i = 1; i < n; i++)
        if (pottery__async_loop(masters[i])->data != loop->data)
            return pottery__error(POTTERY_EINVAL, "%s: masters 0 and %zu run on different loops", fn, i);
    return 0;
}
