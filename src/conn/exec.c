/* Running commands: one command, pipelines, MULTI/EXEC, and the streaming send/recv pair. */
#include <stdlib.h>
#include <string.h>

#include "conn/client_impl.h"
#include "conn/front.h"
#include "core/error.h"

static const char *const MULTI_ARGV[1] = { "MULTI" };
static const char *const EXEC_ARGV[1] = { "EXEC" };
static const char *const UNWATCH_ARGV[1] = { "UNWATCH" };
static const size_t LEN5[1] = { 5 };
static const size_t LEN4[1] = { 4 };
static const size_t LEN7[1] = { 7 };

/* The arguments of a call, for running it where a cluster or a pool says (front.h). */
typedef struct call_args {
    pottery_reply **out;
    pottery_cmd *cmd;
    const pottery_cmd *arr;
    pottery_cmd *const *ptrs;
    size_t n;
} call_args;

static int exec_on(pottery_reply **out, pottery_client *c, pottery_cmd *cmd);

static int exec_op(pottery_client *conn, void *ctx)
{
    call_args *a = ctx;
    return exec_on(a->out, conn, a->cmd);
}

int pottery__exec(pottery_reply **out, pottery_client *c, pottery_cmd *cmd)
{
    int rc, slot = POTTERY_SLOT_ANY;
    if (out) *out = NULL;
    POTTERY_CHECK_ARG(c);
    if (!c->front) return exec_on(out, c, cmd);
    if ((rc = pottery__cmd_check(cmd, 0)) < 0) return rc;
    if (pottery__client_is_cluster(c) && (rc = pottery__cmd_slot(&slot, cmd)) < 0) return rc;
    call_args a = { out, cmd, NULL, NULL, 0 };
    return c->front->run(c, slot, exec_op, &a);
}

static int exec_on(pottery_reply **out, pottery_client *c, pottery_cmd *cmd)
{
    int rc;
    if ((rc = pottery__cmd_check(cmd, 0)) < 0) return rc;
    if ((rc = pottery__conn_check_idle(c)) < 0) return rc;
    if ((rc = pottery__conn_append(c, 0, NULL, NULL, cmd)) < 0) return rc;
    pottery_reply *r;
    if ((rc = pottery__conn_read(c, &r)) < 0) return rc;
    return pottery__reply_deliver(out, r);
}

int pottery__exec_timeout(pottery_reply **out, pottery_client *c, pottery_cmd *cmd, int64_t timeout_ms)
{
    if (out) *out = NULL;
    POTTERY_CHECK_ARG(c);
    if (timeout_ms <= 0 && timeout_ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL, "%s: timeout_ms must be > 0 or POTTERY_FOREVER (got %lld)", __func__,
                              (long long)timeout_ms);
    pottery__call_begin_timeout(c, timeout_ms);
    int rc = pottery__exec(out, c, cmd);
    pottery__call_end(c);
    return rc;
}

static int pipeline_on(pottery_reply **outs, pottery_client *c, pottery_cmd *cmds, size_t n);

static int pipeline_op(pottery_client *conn, void *ctx)
{
    call_args *a = ctx;
    int rc = pipeline_on(a->out, conn, a->cmd, a->n);
    return rc == 0 ? pottery__replies_redirected(a->out, a->n) : rc;
}

int pottery__exec_pipeline(pottery_reply **outs, pottery_client *c, pottery_cmd *cmds, size_t n)
{
    int rc, slot = POTTERY_SLOT_ANY;
    if (outs)
        for (size_t i = 0; i < n; i++) outs[i] = NULL;
    POTTERY_CHECK_ARG(c);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(cmds);
    if (!c->front) return pipeline_on(outs, c, cmds, n);
    if (pottery__client_is_cluster(c) && (rc = pottery__cmds_slot(&slot, cmds, NULL, n)) < 0) return rc;
    call_args a = { outs, cmds, NULL, NULL, n };
    return c->front->run(c, slot, pipeline_op, &a);
}

static int pipeline_on(pottery_reply **outs, pottery_client *c, pottery_cmd *cmds, size_t n)
{
    int rc;
    /* Check everything first: nothing is sent unless every command can be. */
    for (size_t i = 0; i < n; i++)
        if ((rc = pottery__cmd_check(&cmds[i], 0)) < 0) return rc;
    if ((rc = pottery__conn_check_idle(c)) < 0) return rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = pottery__conn_append(c, 0, NULL, NULL, &cmds[i])) < 0) {
            /* The commands already queued cannot be taken back: drop them with the
             * connection rather than leave replies nobody will read. */
            pottery__conn_drop(c);
            return rc;
        }
    if ((rc = pottery__conn_flush(c)) < 0) return rc;
    return pottery__conn_read_n(c, outs, n);
}

static const pottery_cmd *nth(const pottery_cmd *arr, pottery_cmd *const *ptrs, size_t i)
{
    return arr ? &arr[i] : ptrs[i];
}

static int multi_on(pottery_reply **out, pottery_client *c, const pottery_cmd *arr, pottery_cmd *const *ptrs, size_t n);

static int multi_op(pottery_client *conn, void *ctx)
{
    call_args *a = ctx;
    return multi_on(a->out, conn, a->arr, a->ptrs, a->n);
}

int pottery__conn_multi(pottery_reply **out, pottery_client *c, const pottery_cmd *arr, pottery_cmd *const *ptrs,
                        size_t n)
{
    int rc, slot = POTTERY_SLOT_ANY;
    if (out) *out = NULL;
    POTTERY_CHECK_ARG(c);
    if (n > 0 && !arr && !ptrs) return pottery__error(POTTERY_EINVAL, "%s: invalid argument (cmds)", __func__);
    if (!c->front) return multi_on(out, c, arr, ptrs, n);
    for (size_t i = 0; i < n; i++)
        if ((rc = pottery__cmd_check(nth(arr, ptrs, i), 0)) < 0) return rc;
    if (pottery__client_is_cluster(c) && (rc = pottery__cmds_slot(&slot, arr, ptrs, n)) < 0) return rc;
    call_args a = { out, NULL, arr, ptrs, n };
    return c->front->run(c, slot, multi_op, &a);
}

static int multi_on(pottery_reply **out, pottery_client *c, const pottery_cmd *arr, pottery_cmd *const *ptrs, size_t n)
{
    int rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = pottery__cmd_check(nth(arr, ptrs, i), 0)) < 0) return rc;
    if ((rc = pottery__conn_check_idle(c)) < 0) return rc;
    if ((rc = pottery__conn_ensure(c)) < 0) return rc;

    /* Keys left WATCHed by an earlier read-only transaction would make this EXEC fail. */
    size_t extra = 0;
    if (c->stale_watch) {
        if ((rc = pottery__conn_append(c, 1, UNWATCH_ARGV, LEN7, NULL)) < 0) return rc;
        c->stale_watch = 0;
        extra = 1;
    }
    /* Only a WATCH makes a real server answer EXEC with nil. */
    int watched = c->watching;
    rc = pottery__conn_append(c, 1, MULTI_ARGV, LEN5, NULL);
    for (size_t i = 0; rc == 0 && i < n; i++) rc = pottery__conn_append(c, 0, NULL, NULL, nth(arr, ptrs, i));
    if (rc == 0) rc = pottery__conn_append(c, 1, EXEC_ARGV, LEN4, NULL);
    if (rc == 0) rc = pottery__conn_flush(c);
    if (rc < 0) {
        pottery__conn_drop(c); /* never leave a half-sent MULTI behind */
        return rc;
    }

    /* Read every reply (the stream must stay in step), then judge. */
    int queued_error = 0;
    pottery_reply *r = NULL;
    for (size_t i = 0; i < extra + 1 + n; i++) {
        if ((rc = pottery__conn_read(c, &r)) < 0) return rc;
        if (!queued_error) {
            if (i < extra)
                queued_error = pottery__reply_status(r, "OK", "UNWATCH");
            else if (i == extra)
                queued_error = pottery__reply_status(r, "OK", "MULTI");
            else
                queued_error = pottery__reply_status(r, "QUEUED", "a command inside MULTI");
        }
        pottery__reply_free(r);
    }
    if ((rc = pottery__conn_read(c, &r)) < 0) return rc;
    if (queued_error) {
        /* EXEC answered EXECABORT; the queued command's own error says why. */
        pottery__reply_free(r);
        return queued_error;
    }
    if ((rc = pottery__reply_check(r)) < 0) {
        pottery__reply_free(r);
        return rc;
    }
    if (watched && pottery__reply_type(r) == POTTERY_REPLY_NIL) {
        pottery__reply_free(r);
        return pottery__error(POTTERY_ECONFLICT, "transaction aborted: a watched key was modified");
    }
    if ((rc = pottery__reply_array_n(r, n, "EXEC")) < 0) {
        pottery__reply_free(r);
        return rc;
    }
    /* A command that failed inside EXEC (e.g. WRONGTYPE) fails the whole call. */
    for (size_t i = 0; i < pottery__reply_count(r); i++)
        if ((rc = pottery__reply_check(pottery__reply_at(r, i))) < 0) break;
    if (rc < 0 || !out) {
        pottery__reply_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int pottery__exec_multi(pottery_reply **out, pottery_client *c, pottery_cmd *cmds, size_t n)
{
    if (out) *out = NULL;
    if (n > 0 && !cmds) return pottery__error(POTTERY_EINVAL, "%s: invalid argument (cmds)", __func__);
    return pottery__conn_multi(out, c, cmds, NULL, n);
}

/* A stream of sends and receives on a cluster or a pool runs on one leased connection,
 * this thread's, from the first send until the last reply was received. */
static _Thread_local struct {
    pottery_client *front, *conn;
    int slot; /* a cluster's: every command of the stream must stay in it */
} streaming;

int pottery__send(pottery_client *c, pottery_cmd *cmd)
{
    int rc, slot = POTTERY_SLOT_ANY;
    POTTERY_CHECK_ARG(c);
    if ((rc = pottery__cmd_check(cmd, 0)) < 0) return rc;
    if (!c->front) return pottery__conn_append(c, 0, NULL, NULL, cmd);
    if (streaming.front && streaming.front != c)
        return pottery__error(POTTERY_ESTATE, "pottery__send: this thread is streaming on another client");
    if (pottery__client_is_cluster(c) && (rc = pottery__cmd_slot(&slot, cmd)) < 0) return rc;
    if (!streaming.conn) {
        if ((rc = pottery__lease(&streaming.conn, c, slot)) < 0) return rc;
        streaming.front = c;
        streaming.slot = slot;
    } else if ((rc = pottery__slot_merge(&streaming.slot, slot)) < 0) {
        return rc; /* nothing sent: the commands already streamed keep their replies */
    }
    rc = pottery__conn_append(streaming.conn, 0, NULL, NULL, cmd);
    if (streaming.conn->pending == 0) { /* the connection dropped: the stream is over */
        rc = pottery__unlease(c, streaming.conn, rc);
        streaming.front = streaming.conn = NULL;
    }
    return rc;
}

int pottery__recv(pottery_reply **out, pottery_client *c)
{
    int rc;
    if (out) *out = NULL;
    POTTERY_CHECK_ARG(c);
    pottery_client *conn = c;
    if (c->front) {
        if (streaming.front != c)
            return pottery__error(POTTERY_ESTATE, "pottery__recv: no command is waiting for its reply");
        conn = streaming.conn;
    }
    if (conn->pending == 0) return pottery__error(POTTERY_ESTATE, "pottery__recv: no command is waiting for its reply");
    pottery_reply *r;
    rc = pottery__conn_read(conn, &r);
    if (rc == 0) rc = pottery__reply_deliver(out, r);
    if (c->front && conn->pending == 0) {
        rc = pottery__unlease(c, conn, rc);
        streaming.front = streaming.conn = NULL;
    }
    return rc;
}
