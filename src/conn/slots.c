/* The hash slot of a call: which keys each command names, and whether they share a slot. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn/client_impl.h"
#include "conn/front.h"
#include "core/error.h"

/* Where a command's keys are: arguments first..last (last < 0: counted from the end, -1
 * being the last argument) every step. numkeys > 0: argument numkeys holds how many keys
 * follow it (EVAL, SINTERCARD), first > 0 then names a key before it (ZUNIONSTORE's
 * destination). */
typedef struct key_spec {
    const char *verb;
    int first, last, step, numkeys;
} key_spec;

static const key_spec SPECS[] = {
    /* no keys */
    { "PING", 0, 0, 0, 0 },
    { "MULTI", 0, 0, 0, 0 },
    { "EXEC", 0, 0, 0, 0 },
    { "DISCARD", 0, 0, 0, 0 },
    { "UNWATCH", 0, 0, 0, 0 },
    { "SCRIPT", 0, 0, 0, 0 },
    { "ASKING", 0, 0, 0, 0 },
    { "CLUSTER", 0, 0, 0, 0 },
    { "INFO", 0, 0, 0, 0 },
    { "ROLE", 0, 0, 0, 0 },
    { "AUTH", 0, 0, 0, 0 },
    { "SELECT", 0, 0, 0, 0 },
    { "TIME", 0, 0, 0, 0 },
    { "ECHO", 0, 0, 0, 0 },
    { "WAIT", 0, 0, 0, 0 },
    { "DBSIZE", 0, 0, 0, 0 },
    { "FLUSHALL", 0, 0, 0, 0 },
    { "FLUSHDB", 0, 0, 0, 0 },
    { "SCAN", 0, 0, 0, 0 },
    { "RANDOMKEY", 0, 0, 0, 0 },
    { "CONFIG", 0, 0, 0, 0 },
    { "CLIENT", 0, 0, 0, 0 },
    /* several keys */
    { "DEL", 1, -1, 1, 0 },
    { "UNLINK", 1, -1, 1, 0 },
    { "EXISTS", 1, -1, 1, 0 },
    { "TOUCH", 1, -1, 1, 0 },
    { "WATCH", 1, -1, 1, 0 },
    { "MGET", 1, -1, 1, 0 },
    { "MSET", 1, -1, 2, 0 },
    { "SUNION", 1, -1, 1, 0 },
    { "SINTER", 1, -1, 1, 0 },
    { "SDIFF", 1, -1, 1, 0 },
    { "SUNIONSTORE", 1, -1, 1, 0 },
    { "SINTERSTORE", 1, -1, 1, 0 },
    { "SDIFFSTORE", 1, -1, 1, 0 },
    { "PFCOUNT", 1, -1, 1, 0 },
    { "PFMERGE", 1, -1, 1, 0 },
    { "RENAME", 1, 2, 1, 0 },
    { "RENAMENX", 1, 2, 1, 0 },
    { "SMOVE", 1, 2, 1, 0 },
    { "RPOPLPUSH", 1, 2, 1, 0 },
    { "LMOVE", 1, 2, 1, 0 },
    { "COPY", 1, 2, 1, 0 },
    { "BLPOP", 1, -2, 1, 0 },
    { "BRPOP", 1, -2, 1, 0 },
    { "BITOP", 2, -1, 1, 0 },
    { "EVAL", 0, 0, 0, 2 },
    { "EVALSHA", 0, 0, 0, 2 },
    { "EVAL_RO", 0, 0, 0, 2 },
    { "EVALSHA_RO", 0, 0, 0, 2 },
    { "SINTERCARD", 0, 0, 0, 1 },
    { "ZUNIONSTORE", 1, 1, 1, 2 },
    { "ZINTERSTORE", 1, 1, 1, 2 },
    { "ZDIFFSTORE", 1, 1, 1, 2 },
};

int pottery__slot_merge(int *slot, int next)
{
    if (next == POTTERY_SLOT_ANY || next == *slot) return 0;
    if (*slot == POTTERY_SLOT_ANY) {
        *slot = next;
        return 0;
    }
    return pottery__error(POTTERY_ECROSSSLOT,
                          "Redis Cluster: the call touches keys in hash slots %d and %d, and one call (a command, "
                          "a transaction or a script) must stay in one slot; give the keys a common {hash tag}, "
                          "e.g. {user1}:cart and {user1}:wishlist",
                          *slot, next);
}

static int merge_key(int *slot, const pottery_cmd *cmd, size_t i)
{
    if (i >= cmd->argc) return 0;
    return pottery__slot_merge(slot,
                               (int)pottery__key_slot(pottery__cmd_arg_ptr(cmd, i), pottery__cmd_argv(cmd)[i].len));
}

/* argv[i] as a small non-negative number (numkeys); -1 when it is not one. */
static long small_number(const pottery_cmd *cmd, size_t i)
{
    if (i >= cmd->argc) return -1;
    const char *s = pottery__cmd_arg_ptr(cmd, i);
    size_t len = pottery__cmd_argv(cmd)[i].len;
    long v = 0;
    if (len == 0 || len > 9) return -1;
    for (size_t k = 0; k < len; k++) {
        if (s[k] < '0' || s[k] > '9') return -1;
        v = v * 10 + (s[k] - '0');
    }
    return v;
}

/* XREAD / XREADGROUP: after STREAMS, n keys then n ids. */
static int xread_slot(int *slot, const pottery_cmd *cmd)
{
    for (size_t i = 1; i < cmd->argc; i++) {
        if (pottery__cmd_argv(cmd)[i].len != 7 || strncasecmp(pottery__cmd_arg_ptr(cmd, i), "STREAMS", 7) != 0)
            continue;
        size_t n = (cmd->argc - i - 1) / 2;
        for (size_t k = 0; k < n; k++) {
            int rc = merge_key(slot, cmd, i + 1 + k);
            if (rc < 0) return rc;
        }
        return 0;
    }
    return 0;
}

static int spec_slot(int *slot, const pottery_cmd *cmd, const key_spec *sp)
{
    int rc = 0;
    size_t argc = cmd->argc;
    if (sp->numkeys > 0) {
        long n = small_number(cmd, (size_t)sp->numkeys);
        if (sp->first > 0 && (rc = merge_key(slot, cmd, (size_t)sp->first)) < 0) return rc;
        for (long k = 0; n > 0 && k < n && rc == 0; k++) rc = merge_key(slot, cmd, (size_t)sp->numkeys + 1 + (size_t)k);
        return rc;
    }
    if (sp->step == 0) return 0;
    long last = sp->last < 0 ? (long)argc + sp->last : sp->last;
    for (long i = sp->first; i <= last && rc == 0; i += sp->step) rc = merge_key(slot, cmd, (size_t)i);
    return rc;
}

int pottery__cmd_slot(int *slot, const pottery_cmd *cmd)
{
    *slot = POTTERY_SLOT_ANY;
    if (!cmd || cmd->argc == 0) return 0;
    const char *verb = pottery__cmd_arg_ptr(cmd, 0);
    size_t vlen = pottery__cmd_argv(cmd)[0].len;
    for (size_t i = 0; i < sizeof SPECS / sizeof SPECS[0]; i++)
        if (strlen(SPECS[i].verb) == vlen && strncasecmp(SPECS[i].verb, verb, vlen) == 0)
            return spec_slot(slot, cmd, &SPECS[i]);
    if ((vlen == 5 && strncasecmp(verb, "XREAD", 5) == 0) || (vlen == 10 && strncasecmp(verb, "XREADGROUP", 10) == 0))
        return xread_slot(slot, cmd);
    return merge_key(slot, cmd, 1); /* most commands: the key comes first */
}

int pottery__cmds_slot(int *slot, const pottery_cmd *arr, pottery_cmd *const *ptrs, size_t n)
{
    *slot = POTTERY_SLOT_ANY;
    for (size_t i = 0; i < n; i++) {
        int one, rc = pottery__cmd_slot(&one, arr ? &arr[i] : ptrs[i]);
        if (rc == 0) rc = pottery__slot_merge(slot, one);
        if (rc < 0) return rc;
    }
    return 0;
}

int pottery__script_slot(int *slot, size_t nkeys, const pottery_cmd *args)
{
    *slot = POTTERY_SLOT_ANY;
    for (size_t i = 0; args && i < nkeys; i++) {
        int rc = merge_key(slot, args, i);
        if (rc < 0) return rc;
    }
    return 0;
}

int pottery__keys_slot(int *slot, const char *const *keys, const size_t *keylens, size_t n)
{
    *slot = POTTERY_SLOT_ANY;
    for (size_t i = 0; i < n; i++) {
        size_t len = keylens ? keylens[i] : strlen(keys[i]);
        int rc = pottery__slot_merge(slot, (int)pottery__key_slot(keys[i], len));
        if (rc < 0) return rc;
    }
    return 0;
}

/* ---- running a call where it belongs ---- */

int pottery__route(pottery_client *c, int slot, pottery_conn_op op, void *ctx)
{
    if (!c->front) return op(c, ctx);
    return c->front->run(c, slot, op, ctx);
}

int pottery__lease(pottery_client **conn, pottery_client *c, int slot)
{
    if (!c->front) {
        *conn = c;
        return 0;
    }
    return c->front->lease(conn, c, slot);
}

int pottery__unlease(pottery_client *c, pottery_client *conn, int rc)
{
    return c->front && conn ? c->front->unlease(c, conn, rc) : rc;
}

int pottery__replies_redirected(pottery_reply **outs, size_t n)
{
    static const char *const prefixes[] = { "MOVED ", "ASK ", "TRYAGAIN" };
    for (size_t i = 0; outs && i < n; i++) {
        size_t len;
        const char *text =
            pottery__reply_type(outs[i]) == POTTERY_REPLY_ERROR ? pottery__reply_str(outs[i], &len) : NULL;
        for (size_t k = 0; text && k < sizeof prefixes / sizeof prefixes[0]; k++) {
            if (len < strlen(prefixes[k]) || memcmp(text, prefixes[k], strlen(prefixes[k])) != 0) continue;
            int rc = pottery__reply_check(outs[i]);
            for (size_t j = 0; j < n; j++) {
                pottery__reply_free(outs[j]);
                outs[j] = NULL;
            }
            return rc;
        }
    }
    return 0;
}
