/* The fan-out: one command (or script) to N clients at once from the calling thread. Every
 * request is appended and flushed before any reply is read; then one poll() over all the
 * sockets reads replies as they arrive, until the caller's rule decides or every master
 * answered, failed or ran out of time. See conn.h. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn/client_impl.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"

/* What is sent: a command, or a script with its keys and arguments. */
typedef struct fanout_job {
    const pottery_cmd *cmd;
    const pottery_script *script;
    size_t nkeys;
    unsigned char *evalsha; /* per client: the script went as EVALSHA (NOSCRIPT can follow) */
} fanout_job;

void pottery__fanout_init(pottery_fanout *f, pottery_client *const *clients, size_t n, size_t quorum)
{
    memset(f, 0, sizeof *f);
    f->clients = clients;
    f->n = n;
    f->quorum = quorum;
    f->timeout_ms = POTTERY_FOREVER;
}

void pottery__fanout_free(pottery_fanout *f)
{
    if (!f || !f->results) return;
    for (size_t i = 0; i < f->n; i++) {
        pottery__reply_free(f->results[i].reply);
        pottery__free(f->results[i].message);
    }
    pottery__free(f->results);
    f->results = NULL;
    f->yes = f->no = f->failed = f->pending = 0;
}

static pottery_fanout_status status_of(int code)
{
    switch (code) {
    case POTTERY_ECONN: return POTTERY_FANOUT_UNREACHABLE;
    case POTTERY_ETIMEOUT: return POTTERY_FANOUT_TIMEOUT;
    case POTTERY_EPROTOCOL: return POTTERY_FANOUT_PROTOCOL;
    case POTTERY_EREDIS: return POTTERY_FANOUT_REDIS_ERROR;
    default: return POTTERY_FANOUT_FAILED;
    }
}

/* Master i failed with code; message is copied (NULL: the last error's). */
static void settle_failure(pottery_fanout *f, size_t i, int code, const char *message)
{
    pottery_fanout_result *res = &f->results[i];
    res->status = status_of(code);
    res->code = code;
    res->message = pottery__strdup(message ? message : pottery_error_last()->message);
    f->failed++;
    f->pending--;
}

static void settle_vote(pottery_fanout *f, size_t i, pottery_reply *r, int yes)
{
    f->results[i].status = yes ? POTTERY_FANOUT_YES : POTTERY_FANOUT_NO;
    f->results[i].reply = r;
    if (yes)
        f->yes++;
    else
        f->no++;
    f->pending--;
}

static int decided(const pottery_fanout *f)
{
    if (f->pending == 0) return 1;
    if (f->decide) return f->decide(f, f->ctx);
    if (f->quorum == 0) return 0;
    return f->yes >= f->quorum || f->n - (f->no + f->failed) < f->quorum;
}

/* Append the job to client i (reconnecting first if needed) and write it out. */
static int send_job(pottery_fanout *f, size_t i, fanout_job *job)
{
    pottery_client *c = f->clients[i];
    int rc, evalsha = 0;
    if (job->script)
        rc = pottery__script_append(c, job->script, job->nkeys, job->cmd, &evalsha);
    else
        rc = pottery__conn_append(c, 0, NULL, NULL, job->cmd);
    if (job->evalsha) job->evalsha[i] = (unsigned char)evalsha;
    if (rc == 0) rc = pottery__conn_flush(c);
    return rc;
}

/* Judge master i's reply r (taking it over). */
static void take_reply(pottery_fanout *f, size_t i, pottery_reply *r, fanout_job *job)
{
    pottery_client *c = f->clients[i];
    if (job->evalsha && job->evalsha[i] && pottery__script_is_noscript(r)) {
        /* The server lost its script cache: EVAL now, on this master only. */
        pottery__reply_free(r);
        pottery__script_forget(c, job->script);
        int rc = send_job(f, i, job);
        if (rc < 0) settle_failure(f, i, rc, NULL);
        return;
    }
    if (pottery__reply_type(r) == POTTERY_REPLY_ERROR) {
        const char *text = pottery__reply_str(r, NULL);
        settle_failure(f, i, POTTERY_EREDIS, text ? text : "");
        pottery__reply_free(r);
        return;
    }
    int vote = f->check ? f->check(r, i, f->ctx) : 1;
    if (vote < 0) {
        settle_failure(f, i, vote, NULL);
        pottery__reply_free(r);
        return;
    }
    settle_vote(f, i, r, vote > 0);
}

/* Read every reply of master i that has arrived, without waiting. */
static void read_arrived(pottery_fanout *f, size_t i, fanout_job *job)
{
    while (f->results[i].status == POTTERY_FANOUT_PENDING && f->results[i].code == 0) {
        pottery_reply *r;
        int rc = pottery__conn_read_ready(f->clients[i], &r);
        if (rc == 0) return;
        if (rc < 0) {
            settle_failure(f, i, rc, NULL);
            return;
        }
        take_reply(f, i, r, job);
    }
}

static int waiting(const pottery_fanout *f, size_t i)
{
    return f->results[i].status == POTTERY_FANOUT_PENDING && f->results[i].code == 0;
}

/* Master i's time is up. A connection that still owes replies from an earlier call has
 * been silent for two calls: drop it. Otherwise keep it, owing this reply, so that its
 * next command stays behind this one on the server. */
static void time_out(pottery_fanout *f, size_t i)
{
    pottery_client *c = f->clients[i];
    if (c->late > 0) {
        settle_failure(f, i, pottery__conn_fail_timeout(c, "waiting for"), NULL);
        return;
    }
    char msg[POTTERY_ERROR_MESSAGE_MAX];
    snprintf(msg, sizeof msg, "waiting for %s: no answer within %lld ms", c->endpoint, (long long)c->call_timeout_ms);
    pottery__conn_owe(c);
    settle_failure(f, i, POTTERY_ETIMEOUT, msg);
}

/* The timeout of master i's part of the call: its command timeout, capped by what is left
 * of the call's. 0 when the call's time is already up. */
static int64_t master_timeout(const pottery_fanout *f, const pottery_client *c, int64_t call_end)
{
    int64_t t = c->command_timeout_ms;
    if (f->timeout_ms == POTTERY_FOREVER) return t;
    int64_t left = call_end - pottery__monotonic_ms();
    if (left <= 0) return 0;
    return t == POTTERY_FOREVER || left < t ? left : t;
}

static int check_inputs(const pottery_fanout *f)
{
    POTTERY_CHECK_ARG(f);
    POTTERY_CHECK_ARG(f->clients);
    if (f->n == 0) return pottery__error(POTTERY_EINVAL, "fan-out: no clients");
    if (f->timeout_ms <= 0 && f->timeout_ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL, "fan-out: timeout_ms must be > 0 or POTTERY_FOREVER (got %lld)",
                              (long long)f->timeout_ms);
    for (size_t i = 0; i < f->n; i++) {
        if (!f->clients[i]) return pottery__error(POTTERY_EINVAL, "fan-out: client %zu is NULL", i);
        for (size_t j = 0; j < i; j++)
            if (f->clients[j] == f->clients[i])
                return pottery__error(POTTERY_EINVAL, "fan-out: clients %zu and %zu are the same client", j, i);
        int rc = pottery__conn_check_idle(f->clients[i]);
        if (rc < 0) return rc;
    }
    return 0;
}

/* poll() over the sockets of the masters still waiting until one is readable or the
 * nearest deadline passes; masters whose time is up are timed out. */
static int wait_some(pottery_fanout *f, struct pollfd *fds, size_t *who, fanout_job *job)
{
    int64_t now = pottery__monotonic_ms(), nearest = INT64_MAX;
    nfds_t k = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (!waiting(f, i)) continue;
        pottery_client *c = f->clients[i];
        if (pottery__conn_timed_out(c)) {
            time_out(f, i);
            continue;
        }
        if (c->deadline_set && c->deadline_ms < nearest) nearest = c->deadline_ms;
        fds[k].fd = c->fd;
        fds[k].events = POLLIN;
        fds[k].revents = 0;
        who[k++] = i;
    }
    if (k == 0 || decided(f)) return 0;
    int ms = nearest == INT64_MAX ? -1 : nearest - now > INT_MAX ? INT_MAX : (int)(nearest - now);
    if (ms < 0 && nearest != INT64_MAX) ms = 0;
    int ready = poll(fds, k, ms);
    if (ready < 0 && errno != EINTR)
        return pottery__error(POTTERY_ECONN, "fan-out: poll() failed: %s", strerror(errno));
    for (nfds_t j = 0; ready > 0 && j < k && !decided(f); j++)
        if (fds[j].revents) read_arrived(f, who[j], job);
    return 0;
}

static int run(pottery_fanout *f, fanout_job *job)
{
    int rc = 0;
    pottery__fanout_free(f);
    f->elapsed_ms = 0;
    f->results = pottery__calloc(f->n, sizeof *f->results);
    struct pollfd *fds = pottery__calloc(f->n, sizeof *fds);
    size_t *who = pottery__calloc(f->n, sizeof *who);
    if (job->script) job->evalsha = pottery__calloc(f->n, 1);
    if (!f->results || !fds || !who || (job->script && !job->evalsha)) {
        pottery__free(f->results);
        f->results = NULL;
        rc = pottery__error_oom();
        goto out;
    }

    int64_t start = pottery__monotonic_ms();
    int64_t call_end = f->timeout_ms == POTTERY_FOREVER ? INT64_MAX : start + f->timeout_ms;
    f->pending = f->n;
    for (size_t i = 0; i < f->n; i++) f->results[i].endpoint = f->clients[i]->endpoint;

    /* Dropped masters reconnect all at once: dead or frozen ones cost one connect timeout
     * together, not one each before the others are even asked. */
    int *linked = pottery__calloc(f->n, sizeof *linked);
    pottery_error_saved *why = pottery__calloc(f->n, sizeof *why);
    if (!linked || !why || pottery__conn_connect_all(f->clients, f->n, linked, why) < 0) {
        pottery__free(linked);
        pottery__free(why);
        rc = pottery__error_oom();
        goto out;
    }
    for (size_t i = 0; i < f->n; i++)
        if (linked[i] < 0) settle_failure(f, i, linked[i], why[i].message);

    /* Every request goes out before any reply is read. */
    for (size_t i = 0; i < f->n; i++) {
        pottery_client *c = f->clients[i];
        if (linked[i] < 0) continue;
        int64_t t = master_timeout(f, c, call_end);
        pottery__call_begin_timeout(c, t > 0 ? t : 1);
        if (t == 0) {
            char msg[POTTERY_ERROR_MESSAGE_MAX];
            snprintf(msg, sizeof msg, "sending to %s: the call's %lld ms were up", c->endpoint,
                     (long long)f->timeout_ms);
            settle_failure(f, i, POTTERY_ETIMEOUT, msg);
            continue;
        }
        int err = send_job(f, i, job);
        if (err < 0) settle_failure(f, i, err, NULL);
    }
    pottery__free(linked);
    pottery__free(why);
    /* Replies already there, until decided (a reply not read stays owed by its client). */
    for (size_t i = 0; i < f->n && !decided(f); i++)
        if (waiting(f, i)) read_arrived(f, i, job);

    while (rc == 0 && !decided(f)) rc = wait_some(f, fds, who, job);

    /* Decided early: whoever has not answered owes the reply to its next command. */
    for (size_t i = 0; i < f->n; i++) {
        pottery_client *c = f->clients[i];
        if (c->pending > 0) pottery__conn_owe(c);
        pottery__call_end(c);
    }
    f->elapsed_ms = pottery__monotonic_ms() - start;
out:
    pottery__free(fds);
    pottery__free(who);
    pottery__free(job->evalsha);
    job->evalsha = NULL;
    return rc;
}

int pottery__fanout_exec(pottery_fanout *f, const pottery_cmd *cmd)
{
    int rc;
    if ((rc = check_inputs(f)) < 0) return rc;
    if ((rc = pottery__cmd_check(cmd, 0)) < 0) return rc;
    fanout_job job = { cmd, NULL, 0, NULL };
    return run(f, &job);
}

int pottery__fanout_eval(pottery_fanout *f, const pottery_script *s, size_t nkeys, const pottery_cmd *args)
{
    int rc;
    if ((rc = check_inputs(f)) < 0) return rc;
    if ((rc = pottery__script_check(s, nkeys, args, __func__)) < 0) return rc;
    fanout_job job = { args, s, nkeys, NULL };
    return run(f, &job);
}

/* ---- the failure summary ---- */

typedef struct text {
    char *buf;
    size_t size;
    size_t len; /* the full length, even past size */
} text;

static void put(text *t, const char *fmt, ...) POTTERY_PRINTF(2, 3);
static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = t->len < t->size ? t->size - t->len : 0;
    int n = vsnprintf(room ? t->buf + t->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) t->len += (size_t)n;
}

static void put_reason(text *t, const pottery_fanout_result *res)
{
    const char *msg = res->message ? res->message : "";
    switch (res->status) {
    case POTTERY_FANOUT_PENDING: put(t, "no answer yet"); break;
    case POTTERY_FANOUT_NO: put(t, "no"); break;
    case POTTERY_FANOUT_TIMEOUT: put(t, "timeout"); break;
    case POTTERY_FANOUT_UNREACHABLE:
        if (strstr(msg, "refused") || strstr(msg, "Refused"))
            put(t, "connection refused");
        else if (strstr(msg, "closed") || strstr(msg, "lost") || strstr(msg, "reset"))
            put(t, "connection lost");
        else
            put(t, "unreachable (%s)", msg);
        break;
    case POTTERY_FANOUT_REDIS_ERROR: put(t, "error %s", msg); break;
    case POTTERY_FANOUT_PROTOCOL: put(t, "protocol error (%s)", msg); break;
    case POTTERY_FANOUT_FAILED: put(t, "failed (%s)", msg); break;
    case POTTERY_FANOUT_YES: break;
    }
}

size_t pottery__fanout_describe(char *buf, size_t size, const pottery_fanout *f)
{
    text t = { buf, size, 0 };
    if (size) buf[0] = '\0';
    if (!f || !f->results) {
        put(&t, "no fan-out ran");
        return t.len;
    }
    put(&t, "%zu of %zu", f->yes, f->n);
    const char *sep = " (";
    for (size_t i = 0; i < f->n; i++) {
        const pottery_fanout_result *res = &f->results[i];
        if (res->status == POTTERY_FANOUT_YES) continue;
        put(&t, "%s%s ", sep, res->endpoint ? res->endpoint : "?");
        put_reason(&t, res);
        sep = ", ";
    }
    if (sep[0] == ',') put(&t, ")");
    return t.len;
}
