/* Streamed MULTI/EXEC: bulk writes of any size in one round trip, one command in memory. */
#include <string.h>

#include "conn/client_impl.h"
#include "conn/conn.h"
#include "conn/front.h"

static int is_connection_failure(int rc)
{
    return rc == POTTERY_ECONN || rc == POTTERY_ETIMEOUT;
}

int pottery__stream_txn_ok(const pottery_stream_txn *t)
{
    return t->conn_rc == 0 && t->abort_rc == 0;
}

/* Send cmd whatever the abort state (MULTI, EXEC and DISCARD must always go out). */
static void send_now(pottery_stream_txn *t, pottery_cmd *cmd)
{
    if (t->conn_rc < 0) return;
    int rc = pottery__send(t->client, cmd);
    if (rc == 0)
        t->sent++;
    else if (is_connection_failure(rc))
        t->conn_rc = rc; /* the MULTI died with the connection */
    else
        pottery__stream_txn_abort(t, rc);
}

static void start(pottery_stream_txn *t, pottery_client *conn);

/* On a cluster or a pool, the transaction runs on the connection its first command's slot
 * leads to, leased until it is finished. */
static int lease(pottery_stream_txn *t, int slot)
{
    int rc = pottery__lease(&t->client, t->front, slot);
    if (rc < 0) {
        t->client = NULL;
        t->conn_rc = rc;
        return rc;
    }
    start(t, t->client);
    return 0;
}

void pottery__stream_txn_send(pottery_stream_txn *t, pottery_cmd *cmd)
{
    if (!pottery__stream_txn_ok(t)) return;
    if (cmd->err) {
        pottery__stream_txn_abort(t, cmd->err);
        return;
    }
    if (t->front && pottery__client_is_cluster(t->front)) {
        /* Every command must stay in the slot of the first: refused here, the transaction
         * ends in DISCARD and nothing is written. */
        int slot, rc = pottery__cmd_slot(&slot, cmd);
        if (rc == 0 && t->client) rc = pottery__slot_merge(&t->slot, slot);
        if (rc < 0) {
            pottery__stream_txn_abort(t, rc);
            return;
        }
        if (!t->client) {
            t->slot = slot;
            if (lease(t, slot) < 0) return;
        }
    } else if (!t->client && lease(t, POTTERY_SLOT_ANY) < 0) {
        return;
    }
    send_now(t, cmd);
}

static void send_verb(pottery_stream_txn *t, const char *verb)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, verb);
    send_now(t, &cmd);
    pottery__cmd_free(&cmd);
}

void pottery__stream_txn_begin(pottery_stream_txn *t, pottery_client *c)
{
    memset(t, 0, sizeof *t);
    if (c->front)
        t->front = c; /* the connection is chosen by the first command */
    else
        start(t, c);
}

static void start(pottery_stream_txn *t, pottery_client *c)
{
    t->client = c;
    /* Keys an earlier read-only transaction left WATCHed would make this EXEC fail. */
    if (c->stale_watch) {
        send_verb(t, "UNWATCH");
        c->stale_watch = 0;
    }
    send_verb(t, "MULTI");
    t->leading = t->sent;
}

void pottery__stream_txn_abort(pottery_stream_txn *t, int rc)
{
    if (t->abort_rc < 0 || t->conn_rc < 0) return;
    t->abort_rc = rc;
    pottery__error_save(&t->saved);
}

/* Check reply i of a finished transaction against what it must be: +OK for UNWATCH,
 * MULTI and DISCARD, +QUEUED for each command, and for EXEC an array of one result per
 * command (the first error among them returned as EREDIS with its text). */
static int check_reply(const pottery_stream_txn *t, size_t i, const pottery_reply *r, int aborted)
{
    if (i < t->leading) return pottery__reply_status(r, "OK", "MULTI");
    if (i + 1 < t->sent) return pottery__reply_status(r, "QUEUED", "a command inside MULTI");
    if (aborted) return pottery__reply_status(r, "OK", "DISCARD");
    int rc = pottery__reply_array_n(r, t->sent - t->leading - 1, "EXEC");
    if (rc < 0) return rc;
    for (size_t k = 0; k < pottery__reply_count(r); k++) {
        rc = pottery__reply_check(pottery__reply_at(r, k));
        if (rc < 0) return rc;
    }
    return 0;
}

static int finish(pottery_reply **exec_out, pottery_stream_txn *t);

int pottery__stream_txn_finish(pottery_reply **exec_out, pottery_stream_txn *t)
{
    if (exec_out) *exec_out = NULL;
    if (!t->front) return finish(exec_out, t);
    if (!t->client && t->abort_rc == 0 && t->conn_rc == 0) lease(t, POTTERY_SLOT_ANY); /* an empty transaction */
    if (!t->client && t->conn_rc < 0) return t->conn_rc;
    if (!t->client) { /* aborted before anything was sent */
        pottery__error_restore(&t->saved);
        return t->abort_rc;
    }
    int rc = finish(exec_out, t);
    rc = pottery__unlease(t->front, t->client, rc);
    if (rc < 0 && exec_out) {
        pottery__reply_free(*exec_out);
        *exec_out = NULL;
    }
    return rc;
}

static int finish(pottery_reply **exec_out, pottery_stream_txn *t)
{
    if (t->conn_rc < 0) return t->conn_rc;
    int aborted = t->abort_rc < 0;
    send_verb(t, aborted ? "DISCARD" : "EXEC");
    if (t->conn_rc < 0) return t->conn_rc;

    /* Read every reply (the connection must stay in step), remembering the first error. */
    int first_rc = 0;
    pottery_error_saved first;
    pottery_reply *last = NULL;
    for (size_t i = 0; i < t->sent; i++) {
        pottery_reply *r = NULL;
        int got = pottery__recv(&r, t->client);
        if (got == 0) got = check_reply(t, i, r, aborted);
        if (got < 0 && first_rc == 0) {
            first_rc = got;
            pottery__error_save(&first);
        }
        if (got == 0 && i + 1 == t->sent)
            last = r;
        else
            pottery__reply_free(r);
        if (is_connection_failure(got) || !t->client->ctx) break; /* the stream is gone */
    }
    if (aborted || first_rc < 0) {
        pottery__reply_free(last);
        if (aborted) {
            pottery__error_restore(&t->saved);
            return t->abort_rc;
        }
        pottery__error_restore(&first);
        return first_rc;
    }
    if (exec_out)
        *exec_out = last;
    else
        pottery__reply_free(last);
    return 0;
}
