/* pottery_set: operands that are not the set itself. Sets that are not colocated with it
 * (on another server, or in another Redis Cluster hash slot) are read with SSCAN and
 * probed with SMISMEMBER in batches; values from memory and such sets are staged into keys
 * beside the set by one streamed transaction (set_impl.h). */
#include <limits.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "set_impl.h"

/* ---- reading and probing sets elsewhere ---- */

int pottery__set_scard_both(int64_t *na, int64_t *nb, pottery_set *a, pottery_set *b)
{
    int rc = pottery__container_count(na, &a->c, "SCARD");
    return rc < 0 ? rc : pottery__container_count(nb, &b->c, "SCARD");
}

int pottery__set_scan_batches(pottery_set *s, set_batch_fn fn, void *ctx)
{
    pottery_scan scan;
    int rc = pottery__scan_init(&scan, s->c.client, "SSCAN", s->c.key, s->c.keylen, SET_SCAN_COUNT);
    if (rc < 0) return rc;
    set_members batch = SET_MEMBERS_INIT;
    for (;;) {
        const char *item;
        size_t len;
        rc = pottery__scan_next(&scan, &item, &len);
        if (rc == 0) rc = pottery__set_members_push(&batch, item, len);
        if (rc == POTTERY_EITEROVER || (rc == 0 && batch.n == SET_CHUNK)) {
            int end = rc == POTTERY_EITEROVER;
            rc = batch.n ? fn(ctx, batch.v, batch.n) : 0;
            for (size_t i = 0; i < batch.n; i++) pottery__free(batch.v[i].p);
            batch.n = 0;
            if (rc != 0 || end) break;
        }
        if (rc < 0) break;
    }
    pottery__set_members_free(&batch);
    pottery__scan_free(&scan);
    return rc;
}

int pottery__set_probe(unsigned char *answers, pottery_set *s, const set_member *items, size_t n)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "SMISMEMBER");
    pottery__cmd_key(&cmd, &s->c);
    for (size_t i = 0; i < n; i++) pottery__cmd_arg(&cmd, items[i].p, items[i].len);
    pottery_reply *r = NULL;
    int rc = pottery__exec(&r, s->c.client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = pottery__set_read_answers(answers, r, n);
    pottery__reply_free(r);
    return rc;
}

/* Does every batch member exist in ctx's set? Stops (returns 1) at the first miss. */
typedef struct probe_ctx {
    pottery_set *target;
    int want; /* stop when a member's presence differs from this */
    int stopped;
} probe_ctx;

static int probe_batch(void *vctx, const set_member *items, size_t n)
{
    probe_ctx *ctx = vctx;
    unsigned char answers[SET_CHUNK] = { 0 };
    int rc = pottery__set_probe(answers, ctx->target, items, n);
    if (rc < 0) return rc;
    for (size_t i = 0; i < n; i++)
        if (answers[i] != ctx->want) {
            ctx->stopped = 1;
            return 1;
        }
    return 0;
}

int pottery__set_scan_all(int *out, pottery_set *a, pottery_set *b, int want)
{
    probe_ctx ctx = { b, want, 0 };
    int rc = pottery__set_scan_batches(a, probe_batch, &ctx);
    if (rc < 0) return rc;
    *out = !ctx.stopped;
    return 0;
}

/* ---- staged transactions ---- */

/* o is not colocated with s but shares its client, which cannot read o while it streams
 * s's transaction. */
static int copied_ahead(const pottery_set *s, const pottery_set *o)
{
    return !pottery__set_colocated(s, o) && s->c.client == o->c.client;
}

int pottery__set_txn_prepare(set_txn *t, const set_source *given, const char *into, size_t extra)
{
    pottery_set *s = t->set;
    for (size_t i = 0; i < t->n; i++) {
        t->nlocal += pottery__set_colocated(s, t->others[i]);
        t->ahead |= !given && copied_ahead(s, t->others[i]);
    }
    if (t->ahead) into = NULL; /* the set is written inside the transaction only */
    t->nsources = given ? 1 : t->n - t->nlocal;
    t->nstaged = into ? 0 : t->nsources;
    t->nscratch = t->nstaged + extra;
    t->sources = pottery__calloc(t->nsources + 1, sizeof *t->sources);
    t->scratch = pottery__calloc(t->nscratch + 1, sizeof *t->scratch);
    if (!t->sources || !t->scratch) return pottery__error_oom();
    for (size_t k = 0; k < t->nscratch; k++) {
        int rc = pottery__temporary_key(&t->scratch[k], &s->c);
        if (rc < 0) return rc;
    }
    for (size_t i = 0, k = 0; k < t->nsources; i++) {
        if (!given && pottery__set_colocated(s, t->others[i])) continue;
        set_source *src = &t->sources[k];
        if (given) {
            *src = *given;
        } else {
            src->from = t->others[i];
            src->ahead = copied_ahead(s, src->from);
        }
        src->verb = into ? into : "SADD";
        src->key = into ? s->c.key : t->scratch[k];
        src->keylen = strlen(src->key);
        k++;
    }
    return 0;
}

void pottery__set_txn_free(set_txn *t)
{
    for (size_t k = 0; t->scratch && k < t->nscratch; k++) pottery__free(t->scratch[k]);
    pottery__free(t->sources);
    pottery__free(t->scratch);
    pottery__free(t->new_key);
    t->sources = NULL;
    t->scratch = NULL;
    t->new_key = NULL;
}

void pottery__set_txn_operands(pottery_cmd *cmd, const set_txn *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (pottery__set_colocated(t->set, t->others[i])) pottery__cmd_key(cmd, &t->others[i]->c);
    for (size_t k = 0; k < t->nstaged; k++) pottery__cmd_cstr(cmd, t->scratch[k]);
}

void pottery__set_txn_keys(pottery_cmd *cmd, const set_txn *t, const char *verb, const int *keys, size_t nkeys)
{
    pottery__cmd_cstr(cmd, verb);
    for (size_t j = 0; j < nkeys; j++) {
        if (keys[j] == 0)
            pottery__cmd_key(cmd, &t->set->c);
        else
            pottery__cmd_cstr(cmd, t->scratch[keys[j] - 1]);
    }
}

int pottery__set_txn_unlink(pottery_cmd *cmd, size_t i, set_txn *t)
{
    if (t->nscratch == 0) return 0;
    pottery__cmd_cstr(cmd, "UNLINK");
    for (size_t k = 0; k < t->nscratch; k++) pottery__cmd_cstr(cmd, t->scratch[k]);
    t->expect[i] = 'n';
    return 1;
}

/* Push the next members of a source onto cmd: up to SET_BULK_BYTES of values or members
 * from memory, or up to SET_CHUNK members read with SSCAN. 1 when the source is used up, 0
 * when cmd is full, or an error. */
static int stage_memory(pottery_cmd *cmd, set_txn *t, const set_source *src)
{
    size_t bytes = 0;
    while (t->value_at < src->n && bytes + cmd->arena.len < SET_BULK_BYTES) {
        size_t i = t->value_at++;
        if (src->members) {
            bytes += src->members[i].len;
            pottery__cmd_arg(cmd, src->members[i].p, src->members[i].len); /* they outlive t */
            continue;
        }
        int rc = pottery__cmd_value(cmd, &src->values[i]);
        if (rc == POTTERY_ETYPE && t->skip_unencodable) {
            cmd->err = 0; /* in no set: nothing to add or remove */
            continue;
        }
        if (rc < 0) return rc;
    }
    return t->value_at == src->n;
}

static int stage_scanned(pottery_cmd *cmd, set_txn *t, const set_source *src)
{
    int rc = 0;
    if (!t->scanning) {
        rc = pottery__scan_init(&t->scan, src->from->c.client, "SSCAN", src->from->c.key, src->from->c.keylen,
                                SET_SCAN_COUNT);
        t->scanning = rc == 0;
    }
    for (size_t k = 0; rc == 0 && k < SET_CHUNK; k++) {
        const char *item;
        size_t len;
        rc = pottery__scan_next(&t->scan, &item, &len);
        if (rc == 0) rc = pottery__cmd_copy(cmd, item, len);
    }
    if (rc != POTTERY_EITEROVER) return rc;
    pottery__scan_free(&t->scan);
    t->scanning = 0;
    return 1;
}

static int txn_next(pottery_cmd *cmd, void *ctx)
{
    set_txn *t = ctx;
    while (t->source_at < t->nsources) {
        const set_source *src = &t->sources[t->source_at];
        if (src->ahead) { /* already in its scratch key */
            t->source_at++;
            continue;
        }
        pottery__cmd_cstr(cmd, src->verb);
        pottery__cmd_arg(cmd, src->key, src->keylen);
        int done = src->from ? stage_scanned(cmd, t, src) : stage_memory(cmd, t, src);
        if (done < 0) return done;
        if (done) {
            t->source_at++;
            t->value_at = 0;
        }
        if (cmd->argc > 2) {
            t->staged++;
            return 1;
        }
        pottery__cmd_reset(cmd); /* nothing (more) to write from that source */
    }
    if (!t->tail || t->tail_at == SET_TAIL_MAX) return 0;
    int more = t->tail(cmd, t->tail_at, t);
    if (more == 1) t->tail_at++;
    return more;
}

static int txn_check(const pottery_reply *r, size_t i, void *ctx)
{
    set_txn *t = ctx;
    long long count;
    if (i < t->staged) return pottery__set_read_count(&count, r, t->sources[0].verb);
    size_t j = i - t->staged;
    if (t->expect[j] == 'm') return pottery__set_members_load(t->result, r, "EXEC");
    return pottery__reply_int_in(&t->counts[j], r, t->expect[j] == 'e' ? -1 : 0, LLONG_MAX, "EXEC");
}

/* Copy one batch of a source read ahead into its scratch key: one SADD round trip. */
typedef struct ahead_ctx {
    pottery_set *set;
    const set_source *src;
} ahead_ctx;

static int copy_batch(void *vctx, const set_member *items, size_t n)
{
    const ahead_ctx *ctx = vctx;
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "SADD");
    pottery__cmd_arg(&cmd, ctx->src->key, ctx->src->keylen);
    for (size_t i = 0; i < n; i++) pottery__cmd_arg(&cmd, items[i].p, items[i].len);
    return pottery__exec_int(NULL, ctx->set->c.client, &cmd, 0, LLONG_MAX, "SADD");
}

static int copy_ahead(set_txn *t)
{
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < t->nsources; k++) {
        ahead_ctx ctx = { t->set, &t->sources[k] };
        if (t->sources[k].ahead) rc = pottery__set_scan_batches(t->sources[k].from, copy_batch, &ctx);
    }
    return rc;
}

int pottery__set_txn_run(set_txn *t)
{
    memset(t->counts, 0, sizeof t->counts);
    memset(t->expect, 0, sizeof t->expect);
    t->source_at = t->value_at = t->staged = t->tail_at = 0;
    int rc = t->ahead ? copy_ahead(t) : 0;
    if (rc == 0) {
        pottery_bulk b = { t->set->c.client, txn_next, txn_check, t };
        rc = pottery__bulk_write(&b);
    }
    if (t->scanning) pottery__scan_free(&t->scan);
    t->scanning = 0;
    /* Copies made ahead outlive a transaction that did not run (or none ran). */
    for (size_t k = 0; rc < 0 && t->ahead && k < t->nscratch; k++)
        pottery__unlink_if_temporary(t->set->c.client, t->scratch[k]);
    return rc;
}
