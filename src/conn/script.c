/* Lua scripts: EVAL on first use on a connection, EVALSHA afterwards, EVAL again on
 * NOSCRIPT (the server's script cache was flushed or the server restarted). The table of
 * scripts belongs to the client: there is no global state. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "conn/client_impl.h"
#include "conn/front.h"
#include "conn/sha1.h"
#include "core/error.h"

pottery_script_entry *pottery__script_entry(pottery_script_table *t, const pottery_script *s)
{
    for (size_t i = 0; i < t->n; i++) {
        pottery_script_entry *e = &t->entries[i];
        if (e->script == s) {
            if (e->source != s->source) { /* same address, other text: start over */
                e->source = s->source;
                pottery__sha1_hex(e->sha, s->source, strlen(s->source));
                e->loaded_gen = 0;
            }
            return e;
        }
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        pottery_script_entry *grown = pottery__realloc(t->entries, cap * sizeof *grown);
        if (!grown) {
            pottery__error_oom();
            return NULL;
        }
        t->entries = grown;
        t->cap = cap;
    }
    pottery_script_entry *e = &t->entries[t->n++];
    e->script = s;
    e->source = s->source;
    e->loaded_gen = 0;
    pottery__sha1_hex(e->sha, s->source, strlen(s->source));
    return e;
}

void pottery__script_table_free(pottery_script_table *t)
{
    pottery__free(t->entries);
    t->entries = NULL;
    t->n = t->cap = 0;
}

void pottery__script_table_forget(pottery_script_table *t, const pottery_script *s)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->entries[i].script == s) t->entries[i].loaded_gen = 0;
}

void pottery__scripts_free(pottery_client *c)
{
    pottery__script_table_free(&c->scripts);
}

int pottery__script_is_noscript(const pottery_reply *r)
{
    size_t len;
    const char *s = pottery__reply_str(r, &len);
    return pottery__reply_type(r) == POTTERY_REPLY_ERROR && len >= 8 && memcmp(s, "NOSCRIPT", 8) == 0;
}

int pottery__script_append(pottery_client *c, const pottery_script *s, size_t nkeys, const pottery_cmd *args,
                           int *evalsha)
{
    char numkeys[POTTERY_INT64_TEXT_SIZE];
    size_t n = pottery__int64_text(numkeys, (int64_t)nkeys);
    int rc;
    *evalsha = 0;
    pottery_script_entry *e = pottery__script_entry(&c->scripts, s);
    if (!e) return POTTERY_ENOMEM;
    if ((rc = pottery__conn_ensure(c)) < 0) return rc; /* a new connection knows no script */
    if (e->loaded_gen == c->gen) {
        const char *pre[3] = { "EVALSHA", e->sha, numkeys };
        const size_t prelen[3] = { 7, 40, n };
        if ((rc = pottery__conn_append(c, 3, pre, prelen, args)) < 0) return rc;
        *evalsha = 1;
        return 0;
    }
    const char *pre[3] = { "EVAL", s->source, numkeys };
    const size_t prelen[3] = { 4, strlen(s->source), n };
    if ((rc = pottery__conn_append(c, 3, pre, prelen, args)) < 0) return rc;
    /* The server caches a script it has compiled, whatever the script then returned; if it
     * did not (a compile error), EVALSHA's NOSCRIPT brings us back to EVAL. */
    e->loaded_gen = c->gen;
    return 0;
}

void pottery__script_forget(pottery_client *c, const pottery_script *s)
{
    pottery__script_table_forget(&c->scripts, s);
}

/* Send the script (EVALSHA or EVAL) and read its reply; EVAL again after a NOSCRIPT. */
static int run_script(pottery_reply **out, pottery_client *c, const pottery_script *s, size_t nkeys,
                      const pottery_cmd *args)
{
    int rc, evalsha;
    pottery_reply *r = NULL;
    if ((rc = pottery__script_append(c, s, nkeys, args, &evalsha)) < 0) return rc;
    if ((rc = pottery__conn_read(c, &r)) < 0) return rc;
    if (evalsha && pottery__script_is_noscript(r)) {
        pottery__reply_free(r);
        pottery__script_forget(c, s);
        if ((rc = pottery__script_append(c, s, nkeys, args, &evalsha)) < 0) return rc;
        if ((rc = pottery__conn_read(c, &r)) < 0) return rc;
    }
    return pottery__reply_deliver(out, r);
}

/* The arguments of a script call, for running it where a cluster or a pool says. */
typedef struct script_args {
    pottery_reply **outs;
    pottery_cmd *cmds;
    size_t n;
    const pottery_script *s;
    size_t nkeys;
    pottery_cmd *args;
} script_args;

static int eval_on(pottery_reply **out, pottery_client *c, const pottery_script *s, size_t nkeys, pottery_cmd *args);

static int eval_op(pottery_client *conn, void *ctx)
{
    script_args *a = ctx;
    return eval_on(a->outs, conn, a->s, a->nkeys, a->args);
}

int pottery__eval(pottery_reply **out, pottery_client *c, const pottery_script *s, size_t nkeys, pottery_cmd *args)
{
    int rc, slot = POTTERY_SLOT_ANY;
    if (out) *out = NULL;
    POTTERY_CHECK_ARG(c);
    if (!c->front) return eval_on(out, c, s, nkeys, args);
    if ((rc = pottery__script_check(s, nkeys, args, __func__)) < 0) return rc;
    if (pottery__client_is_cluster(c) && (rc = pottery__script_slot(&slot, nkeys, args)) < 0) return rc;
    script_args a = { out, NULL, 0, s, nkeys, args };
    return c->front->run(c, slot, eval_op, &a);
}

static int eval_on(pottery_reply **out, pottery_client *c, const pottery_script *s, size_t nkeys, pottery_cmd *args)
{
    int rc;
    if ((rc = pottery__script_check(s, nkeys, args, "pottery__eval")) < 0) return rc;
    if ((rc = pottery__conn_check_idle(c)) < 0) return rc;
    if ((rc = pottery__conn_ensure(c)) < 0) return rc;

    /* EVALSHA and the EVAL that may follow a NOSCRIPT are one call: one deadline. */
    pottery__call_begin(c);
    rc = run_script(out, c, s, nkeys, args);
    pottery__call_end(c);
    return rc;
}

static int pipeline_eval_on(pottery_reply **outs, pottery_client *c, pottery_cmd *cmds, size_t n,
                            const pottery_script *s, size_t nkeys, pottery_cmd *args);

static int pipeline_eval_op(pottery_client *conn, void *ctx)
{
    script_args *a = ctx;
    int rc = pipeline_eval_on(a->outs, conn, a->cmds, a->n, a->s, a->nkeys, a->args);
    return rc == 0 ? pottery__replies_redirected(a->outs, a->n + 1) : rc;
}

int pottery__exec_pipeline_eval(pottery_reply **outs, pottery_client *c, pottery_cmd *cmds, size_t n,
                                const pottery_script *s, size_t nkeys, pottery_cmd *args)
{
    int rc, slot = POTTERY_SLOT_ANY, script_slot;
    for (size_t i = 0; i <= n; i++) outs[i] = NULL;
    POTTERY_CHECK_ARG(c);
    if (n > 0) POTTERY_CHECK_ARG(cmds);
    if (!c->front) return pipeline_eval_on(outs, c, cmds, n, s, nkeys, args);
    if ((rc = pottery__script_check(s, nkeys, args, __func__)) < 0) return rc;
    if (pottery__client_is_cluster(c) && ((rc = pottery__cmds_slot(&slot, cmds, NULL, n)) < 0 ||
                                          (rc = pottery__script_slot(&script_slot, nkeys, args)) < 0 ||
                                          (rc = pottery__slot_merge(&slot, script_slot)) < 0))
        return rc;
    script_args a = { outs, cmds, n, s, nkeys, args };
    return c->front->run(c, slot, pipeline_eval_op, &a);
}

static int pipeline_eval_on(pottery_reply **outs, pottery_client *c, pottery_cmd *cmds, size_t n,
                            const pottery_script *s, size_t nkeys, pottery_cmd *args)
{
    int rc, evalsha = 0;
    /* Check everything first: nothing is sent unless every command can be. */
    for (size_t i = 0; i < n; i++)
        if ((rc = pottery__cmd_check(&cmds[i], 0)) < 0) return rc;
    if ((rc = pottery__script_check(s, nkeys, args, "pottery__exec_pipeline_eval")) < 0) return rc;
    if ((rc = pottery__conn_check_idle(c)) < 0) return rc;
    if ((rc = pottery__conn_ensure(c)) < 0) return rc;

    /* The pipeline and the EVAL that may follow a NOSCRIPT are one call: one deadline. */
    pottery__call_begin(c);
    for (size_t i = 0; rc == 0 && i < n; i++) rc = pottery__conn_append(c, 0, NULL, NULL, &cmds[i]);
    if (rc == 0) rc = pottery__script_append(c, s, nkeys, args, &evalsha);
    if (rc < 0) {
        /* Commands already queued cannot be taken back: drop them with the connection
         * rather than leave replies nobody will read. */
        pottery__conn_drop(c);
    } else if ((rc = pottery__conn_read_n(c, outs, n + 1)) == 0 && evalsha && pottery__script_is_noscript(outs[n])) {
        pottery__reply_free(outs[n]);
        outs[n] = NULL;
        pottery__script_forget(c, s);
        if ((rc = pottery__script_append(c, s, nkeys, args, &evalsha)) == 0) rc = pottery__conn_read(c, &outs[n]);
        if (rc < 0)
            for (size_t i = 0; i <= n; i++) {
                pottery__reply_free(outs[i]);
                outs[i] = NULL;
            }
    }
    pottery__call_end(c);
    return rc;
}

int pottery__script_check(const pottery_script *s, size_t nkeys, const pottery_cmd *args, const char *fn)
{
    int rc;
    if (!s || !s->source) return pottery__error(POTTERY_EINVAL, "%s: invalid argument (script)", fn);
    if (args && (rc = pottery__cmd_check(args, 1)) < 0) return rc;
    if (nkeys > (args ? args->argc : 0))
        return pottery__error(POTTERY_EINVAL, "script %s: %zu keys but only %zu arguments", s->name ? s->name : "?",
                              nkeys, args ? args->argc : 0);
    return 0;
}
