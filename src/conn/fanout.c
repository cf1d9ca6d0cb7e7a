/* The fan-out: one command (or script) to N clients at once from the calling thread. Every
 * request is appended and flushed before any reply is read; then one poll() over all the
 * sockets reads replies as they arrive, until the caller's rule decides or every master
 * answered, failed or ran out of time. The last master waited for is read like a single
 * client's reply, in recv() without poll(). See conn.h. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn/client_impl.h"
#include "conn/front.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"

/* What is sent: a command, or a script with its keys and arguments. */
typedef struct fanout_job {
    const pottery_cmd *cmd;
    const pottery_script *script;
    size_t nkeys;
    unsigned char *evalsha; /* per client: the script went as EVALSHA (NOSCRIPT can follow) */
    int slot;               /* the hash slot of the job's keys (for masters that are clusters) */
} fanout_job;

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
        if (rc < 0) pottery__fanout_settle_failure(f, i, rc, NULL);
        return;
    }
    pottery__fanout_settle_reply(f, i, r);
}

/* Read every reply of master i that has arrived, without waiting. */
static void read_arrived(pottery_fanout *f, size_t i, fanout_job *job)
{
    while (pottery__fanout_waiting(f, i)) {
        pottery_reply *r;
        int rc = pottery__conn_read_ready(f->clients[i], &r);
        if (rc == 0) return;
        if (rc < 0) {
            pottery__fanout_settle_failure(f, i, rc, NULL);
            return;
        }
        take_reply(f, i, r, job);
    }
}

/* Master i's time is up. A connection that still owes replies from an earlier call has
 * been silent for two calls: drop it. Otherwise keep it, owing this reply, so that its
 * next command stays behind this one on the server. */
static void time_out(pottery_fanout *f, size_t i)
{
    pottery_client *c = f->clients[i];
    if (c->late > 0) {
        pottery__fanout_settle_failure(f, i, pottery__conn_fail_timeout(c, "waiting for"), NULL);
        return;
    }
    char msg[POTTERY_ERROR_MESSAGE_MAX];
    snprintf(msg, sizeof msg, "waiting for %s: no answer within %lld ms", c->endpoint, (long long)c->call_timeout_ms);
    pottery__conn_owe(c);
    pottery__fanout_settle_failure(f, i, POTTERY_ETIMEOUT, msg);
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

/* The one master still waiting: its reply, waited for in recv() (a poll() first would
 * cost a system call more), until its deadline. */
static void wait_one(pottery_fanout *f, size_t i, fanout_job *job)
{
    pottery_reply *r;
    int rc = pottery__conn_read_until_deadline(f->clients[i], &r);
    if (rc < 0)
        pottery__fanout_settle_failure(f, i, rc, NULL);
    else if (rc == 1)
        take_reply(f, i, r, job);
    /* 0: its time is up, which the next wait_some reports */
}

/* poll() over the sockets of the masters still waiting until one is readable or the
 * nearest deadline passes; masters whose time is up are timed out. */
static int wait_some(pottery_fanout *f, struct pollfd *fds, size_t *who, fanout_job *job)
{
    int64_t now = pottery__monotonic_ms(), nearest = INT64_MAX;
    nfds_t k = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (!pottery__fanout_waiting(f, i)) continue;
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
    if (k == 0 || pottery__fanout_decided(f)) return 0;
    if (k == 1) {
        wait_one(f, who[0], job);
        return 0;
    }
    int ms = nearest == INT64_MAX ? -1 : nearest - now > INT_MAX ? INT_MAX : (int)(nearest - now);
    if (ms < 0 && nearest != INT64_MAX) ms = 0;
    int ready = poll(fds, k, ms);
    if (ready < 0 && errno != EINTR)
        return pottery__error(POTTERY_ECONN, "fan-out: poll() failed: %s", strerror(errno));
    for (nfds_t j = 0; ready > 0 && j < k && !pottery__fanout_decided(f); j++)
        if (fds[j].revents) read_arrived(f, who[j], job);
    return 0;
}

static int run(pottery_fanout *f, fanout_job *job)
{
    int rc = 0;
    if ((rc = pottery__fanout_start(f)) < 0) return rc;
    struct pollfd *fds = pottery__calloc(f->n, sizeof *fds);
    size_t *who = pottery__calloc(f->n, sizeof *who);
    if (job->script) job->evalsha = pottery__calloc(f->n, 1);
    if (!fds || !who || (job->script && !job->evalsha)) {
        pottery__fanout_free(f);
        rc = pottery__error_oom();
        goto out;
    }

    int64_t start = pottery__monotonic_ms();
    int64_t call_end = f->timeout_ms == POTTERY_FOREVER ? INT64_MAX : start + f->timeout_ms;

    /* A master that is a cluster (or a pool) lends the connection the job's key leads to
     * for the whole call; one that cannot (no node serves the slot) fails alone. */
    pottery_client *const *given = f->clients;
    pottery_client **leased = NULL;
    for (size_t i = 0; i < f->n && !leased; i++)
        if (given[i]->front && !(leased = pottery__calloc(f->n, sizeof *leased))) {
            rc = pottery__error_oom();
            goto out;
        }
    for (size_t i = 0; leased && i < f->n; i++) {
        int lrc = pottery__lease(&leased[i], given[i], job->slot);
        if (lrc < 0) {
            leased[i] = NULL;
            pottery__fanout_settle_failure(f, i, lrc, NULL);
        } else {
            f->results[i].endpoint = leased[i]->endpoint;
        }
    }
    if (leased) f->clients = leased;

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
    /* After the connects: a sentinel client's endpoint text changes when it is located. */
    for (size_t i = 0; i < f->n; i++) f->results[i].endpoint = f->clients[i]->endpoint;
    for (size_t i = 0; i < f->n; i++)
        if (linked[i] < 0) pottery__fanout_settle_failure(f, i, linked[i], why[i].message);

    /* Every request goes out before any reply is read. */
    for (size_t i = 0; i < f->n; i++) {
        pottery_client *c = f->clients[i];
        if (!c || linked[i] < 0) continue;
        int64_t t = master_timeout(f, c, call_end);
        pottery__call_begin_timeout(c, t > 0 ? t : 1);
        if (t == 0) {
            char msg[POTTERY_ERROR_MESSAGE_MAX];
            snprintf(msg, sizeof msg, "sending to %s: the call's %lld ms were up", c->endpoint,
                     (long long)f->timeout_ms);
            pottery__fanout_settle_failure(f, i, POTTERY_ETIMEOUT, msg);
            continue;
        }
        int err = send_job(f, i, job);
        if (err < 0) pottery__fanout_settle_failure(f, i, err, NULL);
    }
    pottery__free(linked);
    pottery__free(why);
    /* Replies already there, until decided (a reply not read stays owed by its client);
     * a single master is waited for in recv() at once. */
    for (size_t i = 0; f->n > 1 && i < f->n && !pottery__fanout_decided(f); i++)
        if (pottery__fanout_waiting(f, i)) read_arrived(f, i, job);

    while (rc == 0 && !pottery__fanout_decided(f)) rc = wait_some(f, fds, who, job);

    /* Decided early: whoever has not answered owes the reply to its next command. */
    for (size_t i = 0; i < f->n; i++) {
        pottery_client *c = f->clients[i];
        if (!c) continue;
        if (c->pending > 0) pottery__conn_owe(c);
        pottery__call_end(c);
    }
    f->elapsed_ms = pottery__monotonic_ms() - start;
    if (leased) {
        /* Each lender judges its master's outcome (a cluster relearns its map after a MOVED
         * or a dead node) from the code and message; the caller's last error stays. */
        pottery_error_saved saved;
        pottery__error_save(&saved);
        for (size_t i = 0; i < f->n; i++) {
            if (!leased[i]) continue;
            const pottery_fanout_result *res = &f->results[i];
            if (res->code < 0) pottery__error(res->code, "%s", res->message ? res->message : "");
            pottery__unlease(given[i], leased[i], res->code);
        }
        pottery__error_restore(&saved);
        f->clients = given;
        pottery__free(leased);
    }
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
    fanout_job job = { cmd, NULL, 0, NULL, POTTERY_SLOT_ANY };
    if ((rc = pottery__cmd_slot(&job.slot, cmd)) < 0) return rc;
    return run(f, &job);
}

int pottery__fanout_eval(pottery_fanout *f, const pottery_script *s, size_t nkeys, const pottery_cmd *args)
{
    int rc;
    if ((rc = check_inputs(f)) < 0) return rc;
    if ((rc = pottery__script_check(s, nkeys, args, __func__)) < 0) return rc;
    fanout_job job = { args, s, nkeys, NULL, POTTERY_SLOT_ANY };
    if ((rc = pottery__script_slot(&job.slot, nkeys, args)) < 0) return rc;
    return run(f, &job);
}
