/* Optimistic transactions: WATCH, reads in the body, MULTI/writes/EXEC, bounded retry.
 *
 * A body that queues no write needs no EXEC, and its keys are not unwatched at once: that
 * would cost a round trip for nothing. The client instead remembers that keys may still be
 * WATCHed (stale_watch) and puts an UNWATCH in front of the next WATCH or MULTI it sends,
 * in the same round trip. Only EXEC is affected by stale WATCHes, and every EXEC the library
 * sends goes through pottery__conn_multi, so this is exact. A reconnect clears the flag
 * (a new connection watches nothing). */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "conn/client_impl.h"
#include "conn/front.h"
#include "core/error.h"

pottery_cmd *pottery__txn_add(pottery_txn *t)
{
    if (!t) {
        pottery__error(POTTERY_EINVAL, "%s: invalid argument (t)", __func__);
        return NULL;
    }
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4;
        pottery_cmd **n = pottery__realloc(t->cmds, cap * sizeof *n);
        if (!n) {
            pottery__error_oom();
            return NULL;
        }
        t->cmds = n;
        t->cap = cap;
    }
    pottery_cmd *cmd = pottery__malloc(sizeof *cmd);
    if (!cmd) {
        pottery__error_oom();
        return NULL;
    }
    pottery__cmd_init(cmd);
    t->cmds[t->count++] = cmd;
    return cmd;
}

static void txn_free(pottery_txn *t)
{
    for (size_t i = 0; i < t->count; i++) {
        pottery__cmd_free(t->cmds[i]);
        pottery__free(t->cmds[i]);
    }
    pottery__free(t->cmds);
    memset(t, 0, sizeof *t);
}

/* [UNWATCH] WATCH keys..., one round trip. */
static int watch_keys(pottery_client *c, const char *const *keys, const size_t *keylens, size_t nkeys)
{
    static const char *const unwatch[1] = { "UNWATCH" };
    static const size_t unwatch_len[1] = { 7 };
    pottery_cmd cmd;
    int rc;
    pottery__cmd_init(&cmd);
    pottery__cmd_arg(&cmd, "WATCH", 5);
    for (size_t i = 0; i < nkeys; i++)
        pottery__cmd_arg(&cmd, keys[i], keylens ? keylens[i] : (keys[i] ? strlen(keys[i]) : 0));
    if ((rc = pottery__cmd_check(&cmd, 0)) < 0) goto out;
    if ((rc = pottery__conn_check_idle(c)) < 0) goto out;
    if ((rc = pottery__conn_ensure(c)) < 0) goto out;
    size_t n = 1;
    if (c->stale_watch) {
        if ((rc = pottery__conn_append(c, 1, unwatch, unwatch_len, NULL)) < 0) goto out;
        c->stale_watch = 0;
        n = 2;
    }
    if ((rc = pottery__conn_append(c, 0, NULL, NULL, &cmd)) < 0) goto out;
    pottery_reply *replies[2] = { NULL, NULL };
    if ((rc = pottery__conn_read_n(c, replies, n)) < 0) goto out;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = pottery__reply_status(replies[i], "OK", i + 1 < n ? "UNWATCH" : "WATCH");
    for (size_t i = 0; i < n; i++) pottery__reply_free(replies[i]);
out:
    pottery__cmd_free(&cmd);
    return rc;
}

/* After a failed body: UNWATCH (if the watch is still on this connection), keeping the
 * body's error as the last error. */
static void unwatch_after_error(pottery_client *c, uint64_t gen)
{
    if (!c->ctx || c->gen != gen || c->pending > 0) return;
    pottery_error_saved saved;
    pottery__error_save(&saved);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_arg(&cmd, "UNWATCH", 7);
    if (pottery__exec(NULL, c, &cmd) < 0 && c->ctx) c->stale_watch = 1;
    pottery__cmd_free(&cmd);
    pottery__error_restore(&saved);
}

static int watch_attempts(pottery_reply **exec_out, pottery_client *c, const char *const *keys, const size_t *keylens,
                          size_t nkeys, int max_tries, pottery_txn_body body, void *ctx);

static int watch_on(pottery_reply **exec_out, pottery_client *c, const char *const *keys, const size_t *keylens,
                    size_t nkeys, int max_tries, pottery_txn_body body, void *ctx)
{
    /* Every attempt belongs to one call: the command timeout bounds them all together. */
    pottery__call_begin(c);
    int rc = watch_attempts(exec_out, c, keys, keylens, nkeys, max_tries, body, ctx);
    pottery__call_end(c);
    return rc;
}

/* The arguments of pottery__watch, for running it where a cluster or a pool says: the body
 * then runs on that connection. */
typedef struct watch_args {
    pottery_reply **exec_out;
    const char *const *keys;
    const size_t *keylens;
    size_t nkeys;
    int max_tries;
    pottery_txn_body body;
    void *ctx;
} watch_args;

static int watch_op(pottery_client *conn, void *ctx)
{
    watch_args *a = ctx;
    return watch_on(a->exec_out, conn, a->keys, a->keylens, a->nkeys, a->max_tries, a->body, a->ctx);
}

int pottery__watch(pottery_reply **exec_out, pottery_client *c, const char *const *keys, const size_t *keylens,
                   size_t nkeys, int max_tries, pottery_txn_body body, void *ctx)
{
    int rc;
    if (exec_out) *exec_out = NULL;
    POTTERY_CHECK_ARG(c);
    POTTERY_CHECK_ARG(body);
    if (nkeys > 0 && !keys) return pottery__error(POTTERY_EINVAL, "%s: invalid argument (keys)", __func__);
    if (max_tries < 1) return pottery__error(POTTERY_EINVAL, "%s: max_tries must be at least 1", __func__);

    if (!c->front) return watch_on(exec_out, c, keys, keylens, nkeys, max_tries, body, ctx);
    int slot = POTTERY_SLOT_ANY;
    if (pottery__client_is_cluster(c) && (rc = pottery__keys_slot(&slot, keys, keylens, nkeys)) < 0) return rc;
    watch_args a = { exec_out, keys, keylens, nkeys, max_tries, body, ctx };
    return c->front->run(c, slot, watch_op, &a);
}

static int watch_attempts(pottery_reply **exec_out, pottery_client *c, const char *const *keys, const size_t *keylens,
                          size_t nkeys, int max_tries, pottery_txn_body body, void *ctx)
{
    int rc;
    for (int attempt = 0; attempt < max_tries; attempt++) {
        pottery_txn t = { NULL, 0, 0 };
        if (nkeys > 0 && (rc = watch_keys(c, keys, keylens, nkeys)) < 0) return rc;
        uint64_t gen = c->gen;
        int watched = nkeys > 0;

        rc = body(c, ctx, &t);
        if (rc != 0) {
            if (watched) unwatch_after_error(c, gen);
            txn_free(&t);
            return rc;
        }
        if (t.count == 0) {
            if (watched && c->ctx && c->gen == gen) c->stale_watch = 1;
            txn_free(&t);
            return 0;
        }
        if (watched && (!c->ctx || c->gen != gen)) {
            /* The connection was replaced inside the body: the WATCH is gone, so committing
             * now could overwrite a concurrent change. Start over. */
            txn_free(&t);
            continue;
        }
        rc = pottery__conn_multi(exec_out, c, NULL, t.cmds, t.count);
        txn_free(&t);
        if (rc != POTTERY_ECONFLICT) return rc;
    }
    return pottery__error(POTTERY_ECONFLICT, "transaction conflicted with concurrent writers %d time%s; giving up",
                          max_tries, max_tries == 1 ? "" : "s");
}
