/* pottery_set: RedisSet on a Redis set (member = JSON(element)). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"
#include "core/error.h"
#include "pottery/set.h"

struct pottery_set {
    pottery_container c;
};

struct pottery_set_iter {
    pottery_set *set;
    pottery_scan scan;
};

/* Members per command when bulk work is split to bound memory, per SSCAN batch (COUNT
 * hint) and per Lua unpack call (Lua limits unpack to a few thousand values). */
enum { CHUNK = 1000, SCAN_COUNT = 1000, RANDOM_KEY_TRIES = 3 };
/* Bytes of a member shown in an error message. */
/* Encoded bytes per SADD in bulk writes: 10,000 small members make one command. */
enum { BULK_BYTES = 1 << 20 };

/* ---- scripts ---- */

/* Write the initial members only if the key does not exist yet, atomically. Also creates
 * the result sets of client-side algebra under a fresh random key. */
static const pottery_script init_script = { "set_init",
                                            "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
                                            "for i = 1, #ARGV, 1000 do\n"
                                            "  redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))\n"
                                            "end\n"
                                            "return 1\n" };

/* KEYS[1] = a fresh random key, KEYS[2..] = operands; ARGV[1] = SUNIONSTORE, SINTERSTORE,
 * SDIFFSTORE or SYMDIFF. Returns -1 (nothing done) if KEYS[1] exists. */
static const pottery_script store_new_script = {
    "set_store_new", "if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end\n"
                     "if ARGV[1] ~= 'SYMDIFF' then\n"
                     "  return redis.call(ARGV[1], unpack(KEYS))\n"
                     "end\n"
                     "local n = 0\n"
                     "for _, part in ipairs({ redis.call('SDIFF', KEYS[2], KEYS[3]),\n"
                     "                        redis.call('SDIFF', KEYS[3], KEYS[2]) }) do\n"
                     "  for i = 1, #part, 1000 do\n"
                     "    n = n + redis.call('SADD', KEYS[1], unpack(part, i, math.min(i + 999, #part)))\n"
                     "  end\n"
                     "end\n"
                     "return n\n"
};

/* KEYS[1] ^= KEYS[2] on one server (the same key twice empties it, as s ^= s does). */
static const pottery_script symdiff_update_script = {
    "set_symdiff_update", "local add = redis.call('SDIFF', KEYS[2], KEYS[1])\n"
                          "local del = redis.call('SINTER', KEYS[1], KEYS[2])\n"
                          "for i = 1, #del, 1000 do\n"
                          "  redis.call('SREM', KEYS[1], unpack(del, i, math.min(i + 999, #del)))\n"
                          "end\n"
                          "for i = 1, #add, 1000 do\n"
                          "  redis.call('SADD', KEYS[1], unpack(add, i, math.min(i + 999, #add)))\n"
                          "end\n"
                          "return #add + #del\n"
};

/* ---- byte-string vectors: members held here for client-side work ---- */

typedef struct member {
    char *p;
    size_t len;
} member;

typedef struct members {
    member *v;
    size_t n, cap;
} members;

#define MEMBERS_INIT                                                                                                   \
    {                                                                                                                  \
        NULL, 0, 0                                                                                                     \
    }

static int members_push(members *m, const char *p, size_t len)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        member *v = pottery__realloc(m->v, cap * sizeof *v);
        if (!v) return pottery__error_oom();
        m->v = v;
        m->cap = cap;
    }
    char *copy = pottery__malloc(len + 1);
    if (!copy) return pottery__error_oom();
    if (len) memcpy(copy, p, len);
    copy[len] = '\0';
    m->v[m->n].p = copy;
    m->v[m->n].len = len;
    m->n++;
    return 0;
}

static void members_free(members *m)
{
    for (size_t i = 0; i < m->n; i++) pottery__free(m->v[i].p);
    pottery__free(m->v);
    m->v = NULL;
    m->n = m->cap = 0;
}

static int member_cmp(const void *a, const void *b)
{
    const member *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->p, y->p, n) : 0;
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Sort by bytes and drop duplicates. */
static void members_sort_unique(members *m)
{
    if (m->n < 2) return;
    qsort(m->v, m->n, sizeof *m->v, member_cmp);
    size_t w = 1;
    for (size_t r = 1; r < m->n; r++) {
        if (member_cmp(&m->v[r], &m->v[w - 1]) == 0)
            pottery__free(m->v[r].p);
        else
            m->v[w++] = m->v[r];
    }
    m->n = w;
}

/* Append every member of verb's answer, an array of strings (SMEMBERS, SUNION, ...). */
static int members_load(members *m, const pottery_reply *r, const char *verb)
{
    size_t n = 0;
    int rc = pottery__reply_array(&n, r, verb);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *p;
        size_t len;
        rc = pottery__reply_bytes(&p, &len, pottery__reply_at(r, i), verb);
        if (rc == 0) rc = members_push(m, p, len);
    }
    return rc;
}

/* A count answered by verb (SCARD, SINTERCARD, SUNIONSTORE, ...) in *out. */
static int read_count(long long *out, const pottery_reply *r, const char *verb)
{
    return pottery__reply_int_in(out, r, 0, LLONG_MAX, verb);
}

/* EXEC's results, n counts, into out[0..n) (out may be NULL). */
static int read_counts(long long *out, const pottery_reply *exec, size_t n)
{
    long long count;
    int rc = pottery__reply_array_n(exec, n, "EXEC");
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = read_count(out ? &out[i] : &count, pottery__reply_at(exec, i), "EXEC");
    return rc;
}

/* SMISMEMBER's answer for n members: answers[i] (if answers is not NULL) = 1 or 0, and
 * *hits (if not NULL) = how many are members. */
static int read_answers(unsigned char *answers, size_t *hits, const pottery_reply *r, size_t n)
{
    int rc = pottery__reply_array_n(r, n, "SMISMEMBER");
    if (hits) *hits = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        long long in = 0;
        rc = pottery__reply_int_in(&in, pottery__reply_at(r, i), 0, 1, "SMISMEMBER");
        if (answers) answers[i] = (unsigned char)in;
        if (hits) *hits += (size_t)in;
    }
    return rc;
}

/* Replace every member by its canonical JSON text (EDECODE for foreign members), then
 * sort and drop duplicates: the order of every JSON snapshot. */
static int members_canonicalize(members *m)
{
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        pottery_json_node *n = NULL;
        rc = pottery__json_parse(&n, m->v[i].p, m->v[i].len);
        if (rc < 0) break;
        pottery__buf_clear(&b);
        rc = pottery__json_write(&b, n);
        pottery__json_free(n);
        if (rc == 0 && (b.len != m->v[i].len || memcmp(b.data, m->v[i].p, b.len) != 0)) {
            char *text = NULL;
            size_t len = 0;
            rc = pottery__buf_detach(&b, &text, &len);
            if (rc == 0) {
                pottery__free(m->v[i].p);
                m->v[i].p = text;
                m->v[i].len = len;
            }
        }
    }
    pottery__buf_free(&b);
    if (rc == 0) members_sort_unique(m);
    return rc;
}

/* "[m1, m2, ...]" from canonical, sorted members. */
static int members_to_json(char **out, size_t *out_len, const members *m)
{
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = pottery__buf_putc(&b, '[');
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        if (i) rc = pottery__buf_append(&b, ", ", 2);
        if (rc == 0) rc = pottery__buf_append(&b, m->v[i].p, m->v[i].len);
    }
    if (rc == 0) rc = pottery__buf_putc(&b, ']');
    if (rc == 0) rc = pottery__buf_detach(&b, out, out_len);
    pottery__buf_free(&b);
    return rc;
}

/* The distinct canonical elements of a JSON array text (ETYPE if it is not one). */
static int members_from_json_array(members *m, const char *json_array, const char *fn)
{
    pottery_json_node *arr = NULL;
    int rc = pottery__json_parse_kind(&arr, json_array, POTTERY_JSON_ARRAY, fn);
    if (rc < 0) return rc;
    pottery_buf b = POTTERY_BUF_INIT;
    for (size_t i = 0; rc == 0 && i < arr->count; i++) {
        pottery__buf_clear(&b);
        rc = pottery__json_write(&b, arr->items[i]);
        if (rc == 0) rc = members_push(m, b.data, b.len);
    }
    pottery__buf_free(&b);
    pottery__json_free(arr);
    if (rc == 0) members_sort_unique(m);
    return rc;
}

/* ---- open / free ---- */

static int set_alloc(pottery_set **out, pottery_client *client, const char *key)
{
    pottery_set *s = pottery__calloc(1, sizeof *s);
    if (!s) return pottery__error_oom();
    int rc = pottery__container_init(&s->c, client, key);
    if (rc < 0) {
        pottery__container_abandon(&s->c);
        pottery__free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int pottery_set_open(pottery_set **out, pottery_client *client, const char *key, const pottery_set_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (opts && opts->nelements > 0 && opts->elements == NULL)
        return pottery__error(POTTERY_EINVAL, "pottery_set_open: elements is NULL but nelements is %zu",
                              opts->nelements);
    pottery_set *s = NULL;
    int rc = set_alloc(&s, client, key);
    if (rc < 0) return rc;
    if (opts && opts->nelements > 0) {
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_key(&args, &s->c);
        for (size_t i = 0; i < opts->nelements; i++) pottery__cmd_value(&args, &opts->elements[i]);
        rc = pottery__container_create(&s->c, &init_script, &args);
        pottery__cmd_free(&args);
    }
    if (rc < 0) {
        pottery__container_abandon(&s->c);
        pottery__free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void pottery_set_free(pottery_set *set)
{
    if (!set) return;
    pottery__container_release(&set->c);
    pottery__free(set);
}

const char *pottery_set_key(const pottery_set *set)
{
    return set ? set->c.key : NULL;
}

pottery_client *pottery_set_client(const pottery_set *set)
{
    return set ? set->c.client : NULL;
}

/* ---- single-element operations ---- */

/* "<verb> key JSON(element)" for SADD / SREM: *changed = members added or removed (0 or 1). */
static int write_member(long long *changed, pottery_set *s, const char *verb, const pottery_value *element)
{
    pottery_reply *r = NULL;
    int rc = pottery__container_command(&r, &s->c, verb, element);
    if (rc == 0) rc = pottery__reply_int_in(changed, r, 0, 1, verb);
    pottery__reply_free(r);
    return rc;
}

int pottery_set_add(pottery_set *set, pottery_value element)
{
    POTTERY_CHECK_ARG(set);
    long long added;
    return write_member(&added, set, "SADD", &element);
}

int pottery_set_discard(pottery_set *set, pottery_value element)
{
    POTTERY_CHECK_ARG(set);
    long long removed;
    return write_member(&removed, set, "SREM", &element);
}

int pottery_set_remove(pottery_set *set, pottery_value element)
{
    POTTERY_CHECK_ARG(set);
    long long removed = 0;
    int rc = write_member(&removed, set, "SREM", &element);
    if (rc == 0 && !removed) rc = pottery__error_value(POTTERY_ENOTFOUND, "KeyError", &element);
    return rc;
}

int pottery_set_contains(int *out, pottery_set *set, pottery_value element)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    return pottery__container_has(out, &set->c, "SISMEMBER", &element);
}

int pottery_set_len(int64_t *out, pottery_set *set)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    return pottery__container_count(out, &set->c, "SCARD");
}

int pottery_set_clear(pottery_set *set)
{
    POTTERY_CHECK_ARG(set);
    return pottery__container_clear(&set->c);
}

int pottery_set_pop(pottery_value *out, pottery_set *set)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    pottery_client *client = set->c.client;
    pottery_reply *r = NULL;
    const char *m = NULL;
    size_t len = 0;
    /* One call: the command timeout bounds the pop and a put-back together. */
    pottery__call_begin(client);
    int rc = pottery__container_command(&r, &set->c, "SPOP", NULL);
    if (rc == 0) rc = pottery__reply_bytes_or_nil(&m, &len, r, "SPOP");
    if (rc == 0 && !m)
        rc = pottery__error(POTTERY_ENOTFOUND, "KeyError: 'pop from an empty set'");
    else if (rc == 0 && (rc = pottery__reply_to_value(out, r)) < 0)
        /* Not JSON (or no memory to decode it): SADD the exact bytes back, so the failed
         * call leaves the set holding what it held. Being a second command, it undoes a
         * concurrent SREM of that very member made in between, and a key the pop emptied
         * comes back without the TTL it had. */
        rc = pottery__container_put_back(&set->c, "SADD", m, len, "member");
    pottery__call_end(client);
    pottery__reply_free(r);
    return rc;
}

/* ---- bulk: contains_many, update_values ---- */

/* Read n replies and keep the first error (after a failed streamed batch). */
static int drain_replies(pottery_client *client, size_t n, int rc)
{
    for (size_t i = 0; i < n; i++) {
        int got = pottery__recv(NULL, client);
        if (got == POTTERY_ECONN || got == POTTERY_ETIMEOUT) return rc ? rc : got;
        if (got < 0 && rc == 0) rc = got;
    }
    return rc;
}

int pottery_set_contains_many(int *out, pottery_set *set, const pottery_value *elements, size_t n)
{
    POTTERY_CHECK_ARG(set);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(elements);
    int *answers = pottery__calloc(n, sizeof *answers);
    size_t *where = pottery__malloc(n * sizeof *where); /* input index of each member sent, in order */
    if (!answers || !where) {
        pottery__free(answers);
        pottery__free(where);
        return pottery__error_oom();
    }
    pottery_client *client = set->c.client;
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    size_t sent = 0, encoded = 0, in_chunk = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (in_chunk == 0) {
            pottery__cmd_reset(&cmd);
            pottery__cmd_cstr(&cmd, "SMISMEMBER");
            pottery__cmd_key(&cmd, &set->c);
        }
        int e = pottery__cmd_value(&cmd, &elements[i]);
        if (e == POTTERY_ETYPE) {
            cmd.err = 0; /* not encodable: not a member, as in Python; nothing was pushed */
            continue;
        }
        if (e < 0) {
            rc = e;
            break;
        }
        where[encoded++] = i;
        if (++in_chunk == CHUNK) {
            rc = pottery__send(client, &cmd);
            if (rc == 0) sent++;
            in_chunk = 0;
        }
    }
    if (rc == 0 && in_chunk > 0) {
        rc = pottery__send(client, &cmd);
        if (rc == 0) sent++;
    }
    pottery__cmd_free(&cmd);
    /* Every command asked about CHUNK members but the last, which asked about the rest. */
    for (size_t k = 0, next = 0; k < sent; k++, next += CHUNK) {
        if (rc < 0) {
            rc = drain_replies(client, sent - k, rc);
            break;
        }
        pottery_reply *r = NULL;
        rc = pottery__recv(&r, client);
        if (rc == POTTERY_ECONN || rc == POTTERY_ETIMEOUT) break;
        unsigned char chunk[CHUNK];
        size_t asked = encoded - next < CHUNK ? encoded - next : CHUNK;
        if (rc == 0) rc = read_answers(chunk, NULL, r, asked);
        for (size_t j = 0; rc == 0 && j < asked; j++) answers[where[next + j]] = chunk[j];
        pottery__reply_free(r);
    }
    if (rc == 0) memcpy(out, answers, n * sizeof *out);
    pottery__free(answers);
    pottery__free(where);
    return rc;
}

/* Run cmd, a write answering a count (SADD, SUNIONSTORE, ...), on c. */
static int exec_count(pottery_client *c, pottery_cmd *cmd, const char *verb)
{
    pottery_reply *r = NULL;
    long long n;
    int rc = pottery__exec(&r, c, cmd);
    if (rc == 0) rc = read_count(&n, r, verb);
    pottery__reply_free(r);
    return rc;
}

/* EXEC (or DISCARD) a streamed transaction of writes that each answer a count. */
static int finish_counts(pottery_stream_txn *t)
{
    pottery_reply *exec = NULL;
    size_t n = 0;
    int rc = pottery__stream_txn_finish(&exec, t);
    if (rc == 0) rc = pottery__reply_array(&n, exec, "EXEC");
    if (rc == 0) rc = read_counts(NULL, exec, n);
    pottery__reply_free(exec);
    return rc;
}

/* "SADD set values[*next..)" into cmd (reset first), up to BULK_BYTES of encoded members;
 * *next moves past what was added. */
static int build_sadd(pottery_cmd *cmd, pottery_set *s, const pottery_value *values, size_t n, size_t *next)
{
    pottery__cmd_reset(cmd);
    pottery__cmd_cstr(cmd, "SADD");
    pottery__cmd_key(cmd, &s->c);
    size_t i = *next;
    while (i < n && cmd->err == 0 && cmd->arena.len < BULK_BYTES) pottery__cmd_value(cmd, &values[i++]);
    *next = i;
    return cmd->err;
}

int pottery_set_update_values(pottery_set *set, const pottery_value *values, size_t n)
{
    POTTERY_CHECK_ARG(set);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(values);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    size_t next = 0;
    int rc = build_sadd(&cmd, set, values, n, &next);
    if (rc < 0 || next == n) {
        /* One SADD is atomic on its own, and every element is encoded before it is sent. */
        if (rc == 0) rc = exec_count(set->c.client, &cmd, "SADD");
        pottery__cmd_free(&cmd);
        return rc;
    }
    /* More than BULK_BYTES: MULTI, one SADD per chunk, EXEC, streamed so that only one
     * chunk is in memory; an element that fails to encode turns EXEC into DISCARD, so
     * nothing is written. */
    pottery_stream_txn t;
    pottery__stream_txn_begin(&t, set->c.client);
    pottery__stream_txn_send(&t, &cmd);
    while (next < n && pottery__stream_txn_ok(&t)) {
        build_sadd(&cmd, set, values, n, &next);
        pottery__stream_txn_send(&t, &cmd);
    }
    pottery__cmd_free(&cmd);
    return finish_counts(&t);
}

/* ---- snapshots: to_json, repr ---- */

static int read_members(members *m, pottery_set *s)
{
    pottery_reply *r = NULL;
    int rc = pottery__container_command(&r, &s->c, "SMEMBERS", NULL);
    if (rc == 0) rc = members_load(m, r, "SMEMBERS");
    pottery__reply_free(r);
    return rc;
}

int pottery_set_to_json(char **out, size_t *out_len, pottery_set *set)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    members m = MEMBERS_INIT;
    int rc = read_members(&m, set);
    if (rc == 0) rc = members_canonicalize(&m);
    if (rc == 0) rc = members_to_json(out, out_len, &m);
    members_free(&m);
    return rc;
}

int pottery_set_repr(char **out, pottery_set *set)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    members m = MEMBERS_INIT;
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = read_members(&m, set);
    if (rc == 0) rc = pottery__buf_puts(&b, m.n ? "RedisSet{" : "RedisSet()");
    for (size_t i = 0; rc == 0 && i < m.n; i++) {
        pottery_json_node *n = NULL;
        rc = pottery__json_parse(&n, m.v[i].p, m.v[i].len);
        if (rc == 0 && i) rc = pottery__buf_append(&b, ", ", 2);
        if (rc == 0) rc = pottery__json_repr(&b, n);
        pottery__json_free(n);
    }
    if (rc == 0 && m.n) rc = pottery__buf_putc(&b, '}');
    if (rc == 0) rc = pottery__buf_detach(&b, out, NULL);
    pottery__buf_free(&b);
    members_free(&m);
    return rc;
}

/* ---- reading and probing sets on other servers ---- */

static int same_server(const pottery_set *a, const pottery_set *b)
{
    return pottery__client_same_server(a->c.client, b->c.client);
}

static int check_operands(pottery_set *const *others, size_t n, const char *fn)
{
    if (n > 0 && !others) return pottery__error(POTTERY_EINVAL, "%s: invalid argument (others)", fn);
    for (size_t i = 0; i < n; i++)
        if (!others[i]) return pottery__error(POTTERY_EINVAL, "%s: others[%zu] is NULL", fn, i);
    return 0;
}

/* SCARD of two sets, each on its own client. */
static int scard_both(int64_t *na, int64_t *nb, pottery_set *a, pottery_set *b)
{
    int rc = pottery__container_count(na, &a->c, "SCARD");
    return rc < 0 ? rc : pottery__container_count(nb, &b->c, "SCARD");
}

/* Callback for every SSCAN batch of a set: items borrowed until the next batch. */
typedef int (*batch_fn)(void *ctx, const member *items, size_t n);

/* SSCAN the whole set, handing the members on in batches of up to CHUNK. Returns the
 * callback's first non-zero result (a positive value stops the scan early). */
static int scan_batches(pottery_set *s, batch_fn fn, void *ctx)
{
    pottery_scan scan;
    int rc = pottery__scan_init(&scan, s->c.client, "SSCAN", s->c.key, s->c.keylen, SCAN_COUNT);
    if (rc < 0) return rc;
    members batch = MEMBERS_INIT;
    for (;;) {
        const char *item;
        size_t len;
        rc = pottery__scan_next(&scan, &item, &len);
        if (rc == 0) rc = members_push(&batch, item, len);
        if (rc == POTTERY_EITEROVER || (rc == 0 && batch.n == CHUNK)) {
            int end = rc == POTTERY_EITEROVER;
            rc = batch.n ? fn(ctx, batch.v, batch.n) : 0;
            for (size_t i = 0; i < batch.n; i++) pottery__free(batch.v[i].p);
            batch.n = 0;
            if (rc != 0 || end) break;
        }
        if (rc < 0) break;
    }
    members_free(&batch);
    pottery__scan_free(&scan);
    return rc;
}

/* SMISMEMBER of items[0..n) in s (n <= CHUNK): answers[i] = 1 or 0. One round trip. */
static int probe(unsigned char *answers, pottery_set *s, const member *items, size_t n)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "SMISMEMBER");
    pottery__cmd_key(&cmd, &s->c);
    for (size_t i = 0; i < n; i++) pottery__cmd_arg(&cmd, items[i].p, items[i].len);
    pottery_reply *r = NULL;
    int rc = pottery__exec(&r, s->c.client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = read_answers(answers, NULL, r, n);
    pottery__reply_free(r);
    return rc;
}

/* Does every batch member exist in ctx's set? Stops (returns 1) at the first miss. */
typedef struct probe_ctx {
    pottery_set *target;
    int want; /* stop when a member's presence differs from this */
    int stopped;
} probe_ctx;

static int probe_batch(void *vctx, const member *items, size_t n)
{
    probe_ctx *ctx = vctx;
    unsigned char answers[CHUNK];
    int rc = probe(answers, ctx->target, items, n);
    if (rc < 0) return rc;
    for (size_t i = 0; i < n; i++)
        if (answers[i] != ctx->want) {
            ctx->stopped = 1;
            return 1;
        }
    return 0;
}

/* Every member of a is (want 1) / none is (want 0) in b, sets on different servers. */
static int scan_all(int *out, pottery_set *a, pottery_set *b, int want)
{
    probe_ctx ctx = { b, want, 0 };
    int rc = scan_batches(a, probe_batch, &ctx);
    if (rc < 0) return rc;
    *out = !ctx.stopped;
    return 0;
}

/* ---- comparisons ---- */

/* a <= b; the commands go to a's client. */
static int subset(int *out, pottery_set *a, pottery_set *b)
{
    if (same_server(a, b)) {
        /* |a & b| == |a|, atomically, in one round trip. */
        pottery_cmd cmds[2];
        for (int i = 0; i < 2; i++) pottery__cmd_init(&cmds[i]);
        pottery__cmd_cstr(&cmds[0], "SCARD");
        pottery__cmd_key(&cmds[0], &a->c);
        pottery__cmd_cstr(&cmds[1], "SINTERCARD");
        pottery__cmd_cstr(&cmds[1], "2");
        pottery__cmd_key(&cmds[1], &a->c);
        pottery__cmd_key(&cmds[1], &b->c);
        pottery_reply *exec = NULL;
        long long n[2];
        int rc = pottery__exec_multi(&exec, a->c.client, cmds, 2);
        if (rc == 0) rc = read_counts(n, exec, 2);
        if (rc == 0) *out = n[0] == n[1];
        pottery__reply_free(exec);
        for (int i = 0; i < 2; i++) pottery__cmd_free(&cmds[i]);
        return rc;
    }
    int64_t na = 0, nb = 0;
    int rc = scard_both(&na, &nb, a, b);
    if (rc < 0) return rc;
    if (na > nb) {
        *out = 0;
        return 0;
    }
    return scan_all(out, a, b, 1);
}

int pottery_set_equal(int *out, pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    POTTERY_CHECK_ARG(other);
    int same = same_server(set, other);
    if (set == other || (same && strcmp(set->c.key, other->c.key) == 0)) {
        *out = 1;
        return 0;
    }
    if (same) {
        pottery_cmd cmds[3];
        for (int i = 0; i < 3; i++) pottery__cmd_init(&cmds[i]);
        pottery__cmd_cstr(&cmds[0], "SCARD");
        pottery__cmd_key(&cmds[0], &set->c);
        pottery__cmd_cstr(&cmds[1], "SCARD");
        pottery__cmd_key(&cmds[1], &other->c);
        pottery__cmd_cstr(&cmds[2], "SINTERCARD");
        pottery__cmd_cstr(&cmds[2], "2");
        pottery__cmd_key(&cmds[2], &set->c);
        pottery__cmd_key(&cmds[2], &other->c);
        pottery_reply *exec = NULL;
        long long n[3]; /* |set|, |other|, |set & other| */
        int rc = pottery__exec_multi(&exec, set->c.client, cmds, 3);
        if (rc == 0) rc = read_counts(n, exec, 3);
        if (rc == 0) *out = n[0] == n[1] && n[2] == n[0];
        pottery__reply_free(exec);
        for (int i = 0; i < 3; i++) pottery__cmd_free(&cmds[i]);
        return rc;
    }
    int64_t a = 0, b = 0;
    int rc = scard_both(&a, &b, set, other);
    if (rc < 0) return rc;
    if (a != b) {
        *out = 0;
        return 0;
    }
    return scan_all(out, set, other, 1);
}

int pottery_set_isdisjoint(int *out, pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    POTTERY_CHECK_ARG(other);
    if (same_server(set, other)) {
        pottery_cmd cmd;
        pottery__cmd_init(&cmd);
        pottery__cmd_cstr(&cmd, "SINTERCARD");
        pottery__cmd_cstr(&cmd, "2");
        pottery__cmd_key(&cmd, &set->c);
        pottery__cmd_key(&cmd, &other->c);
        pottery__cmd_cstr(&cmd, "LIMIT");
        pottery__cmd_cstr(&cmd, "1");
        pottery_reply *r = NULL;
        long long both = 0;
        int rc = pottery__exec(&r, set->c.client, &cmd);
        if (rc == 0) rc = read_count(&both, r, "SINTERCARD");
        if (rc == 0) *out = both == 0;
        pottery__reply_free(r);
        pottery__cmd_free(&cmd);
        return rc;
    }
    /* Scan the smaller one, probe the other. */
    int64_t a = 0, b = 0;
    int rc = scard_both(&a, &b, set, other);
    if (rc < 0) return rc;
    return a <= b ? scan_all(out, set, other, 0) : scan_all(out, other, set, 0);
}

int pottery_set_issubset(int *out, pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    POTTERY_CHECK_ARG(other);
    return subset(out, set, other);
}

int pottery_set_issuperset(int *out, pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    POTTERY_CHECK_ARG(other);
    if (same_server(set, other)) {
        /* Same as other <= set, but sent on this set's client. */
        pottery_set view = *other;
        view.c.client = set->c.client;
        return subset(out, &view, set);
    }
    return subset(out, other, set);
}

/* What the JSON-array comparisons need from Redis: |s| (if want_card) and, for each
 * distinct element, whether it is a member: *hits = how many are. One round trip. */
static int json_probe(long long *card, size_t *hits, pottery_set *s, const members *e, int want_card)
{
    pottery_cmd cmds[2];
    for (int i = 0; i < 2; i++) pottery__cmd_init(&cmds[i]);
    size_t ncmds = 0;
    if (want_card) {
        pottery__cmd_cstr(&cmds[ncmds], "SCARD");
        pottery__cmd_key(&cmds[ncmds], &s->c);
        ncmds++;
    }
    size_t probe_at = ncmds;
    if (e->n > 0) {
        pottery__cmd_cstr(&cmds[ncmds], "SMISMEMBER");
        pottery__cmd_key(&cmds[ncmds], &s->c);
        for (size_t i = 0; i < e->n; i++) pottery__cmd_arg(&cmds[ncmds], e->v[i].p, e->v[i].len);
        ncmds++;
    }
    int rc = 0;
    pottery_reply *exec = NULL;
    if (ncmds == 1)
        rc = pottery__exec(&exec, s->c.client, &cmds[0]);
    else if (ncmds == 2)
        rc = pottery__exec_multi(&exec, s->c.client, cmds, 2);
    if (rc == 0 && ncmds > 0) {
        const pottery_reply *card_r = ncmds == 1 ? exec : pottery__reply_at(exec, 0);
        const pottery_reply *probe_r = ncmds == 1 ? exec : pottery__reply_at(exec, probe_at);
        *hits = 0;
        if (want_card) rc = read_count(card, card_r, "SCARD");
        if (rc == 0 && e->n > 0) rc = read_answers(NULL, hits, probe_r, e->n);
    }
    pottery__reply_free(exec);
    for (int i = 0; i < 2; i++) pottery__cmd_free(&cmds[i]);
    return rc;
}

typedef enum json_cmp { CMP_EQUAL, CMP_DISJOINT, CMP_SUBSET, CMP_SUPERSET } json_cmp;

static int compare_json(int *out, pottery_set *s, const char *json_array, json_cmp how, const char *fn)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(s);
    POTTERY_CHECK_ARG(json_array);
    members e = MEMBERS_INIT;
    int rc = members_from_json_array(&e, json_array, fn);
    long long card = 0;
    size_t hits = 0;
    if (rc == 0) {
        switch (how) {
        case CMP_EQUAL: /* |s| == |e| and every element of e is in s */
            rc = json_probe(&card, &hits, s, &e, 1);
            if (rc == 0) *out = card == (long long)e.n && hits == e.n;
            break;
        case CMP_SUBSET: /* every member of s is in e: |s & e| == |s| */
            rc = json_probe(&card, &hits, s, &e, 1);
            if (rc == 0) *out = (long long)hits == card;
            break;
        case CMP_SUPERSET: /* every element of e is in s (nothing to ask for an empty e) */
            rc = json_probe(&card, &hits, s, &e, 0);
            if (rc == 0) *out = hits == e.n;
            break;
        case CMP_DISJOINT:
            rc = json_probe(&card, &hits, s, &e, 0);
            if (rc == 0) *out = hits == 0;
            break;
        }
    }
    members_free(&e);
    return rc;
}

int pottery_set_equal_json(int *out, pottery_set *set, const char *json_array)
{
    return compare_json(out, set, json_array, CMP_EQUAL, __func__);
}

int pottery_set_isdisjoint_json(int *out, pottery_set *set, const char *json_array)
{
    return compare_json(out, set, json_array, CMP_DISJOINT, __func__);
}

int pottery_set_issubset_json(int *out, pottery_set *set, const char *json_array)
{
    return compare_json(out, set, json_array, CMP_SUBSET, __func__);
}

int pottery_set_issuperset_json(int *out, pottery_set *set, const char *json_array)
{
    return compare_json(out, set, json_array, CMP_SUPERSET, __func__);
}

/* ---- set algebra ---- */

typedef enum set_op { OP_UNION, OP_INTER, OP_DIFF, OP_SYMDIFF } set_op;

static const char *const read_verb[] = { "SUNION", "SINTER", "SDIFF", NULL };
static const char *const store_verb[] = { "SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE", "SYMDIFF" };

static int all_same_server(pottery_set *s, pottery_set *const *others, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!same_server(s, others[i])) return 0;
    return 1;
}

/* Keep (want 1) or drop (want 0) the members of r that are in f (on another server),
 * probing in batches. */
static int filter_members(members *r, pottery_set *f, int want)
{
    size_t w = 0;
    unsigned char answers[CHUNK];
    int rc = 0;
    for (size_t from = 0; from < r->n; from += CHUNK) {
        size_t cnt = r->n - from > CHUNK ? CHUNK : r->n - from;
        rc = probe(answers, f, r->v + from, cnt);
        if (rc < 0) {
            /* Keep the vector whole (and free-able): move the unprobed tail down. */
            memmove(r->v + w, r->v + from, (r->n - from) * sizeof *r->v);
            r->n = w + (r->n - from);
            return rc;
        }
        for (size_t i = 0; i < cnt; i++) {
            if (answers[i] == want)
                r->v[w++] = r->v[from + i];
            else
                pottery__free(r->v[from + i].p);
        }
    }
    r->n = w;
    return rc;
}

static int collect_batch(void *ctx, const member *items, size_t n)
{
    members *m = ctx;
    for (size_t i = 0; i < n; i++) {
        int rc = members_push(m, items[i].p, items[i].len);
        if (rc < 0) return rc;
    }
    return 0;
}

/* Run "<verb> key others..." on s's client for the operands on s's server. */
static int local_read(members *r, const char *verb, pottery_set *s, pottery_set *const *others, size_t n)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, verb);
    pottery__cmd_key(&cmd, &s->c);
    for (size_t i = 0; i < n; i++)
        if (same_server(s, others[i])) pottery__cmd_key(&cmd, &others[i]->c);
    pottery_reply *reply = NULL;
    int rc = pottery__exec(&reply, s->c.client, &cmd);
    if (rc == 0) rc = members_load(r, reply, verb);
    pottery__reply_free(reply);
    pottery__cmd_free(&cmd);
    return rc;
}

/* The raw members of s <op> others, read or computed here (unsorted for the all-local
 * path, sorted and unique otherwise). */
static int compute(members *r, set_op op, pottery_set *s, pottery_set *const *others, size_t n)
{
    int rc;
    if (op == OP_SYMDIFF) {
        pottery_set *o = others[0];
        if (same_server(s, o)) {
            pottery_cmd cmds[2];
            for (int i = 0; i < 2; i++) {
                pottery__cmd_init(&cmds[i]);
                pottery__cmd_cstr(&cmds[i], "SDIFF");
                pottery__cmd_key(&cmds[i], i == 0 ? &s->c : &o->c);
                pottery__cmd_key(&cmds[i], i == 0 ? &o->c : &s->c);
            }
            pottery_reply *exec = NULL;
            rc = pottery__exec_multi(&exec, s->c.client, cmds, 2);
            if (rc == 0) rc = members_load(r, pottery__reply_at(exec, 0), "SDIFF");
            if (rc == 0) rc = members_load(r, pottery__reply_at(exec, 1), "SDIFF");
            pottery__reply_free(exec);
            for (int i = 0; i < 2; i++) pottery__cmd_free(&cmds[i]);
            return rc;
        }
        members a = MEMBERS_INIT, b = MEMBERS_INIT;
        rc = read_members(&a, s);
        if (rc == 0) rc = scan_batches(o, collect_batch, &b);
        if (rc == 0) {
            members_sort_unique(&a);
            members_sort_unique(&b);
            size_t i = 0, j = 0;
            while (rc == 0 && (i < a.n || j < b.n)) {
                int c = i == a.n ? 1 : j == b.n ? -1 : member_cmp(&a.v[i], &b.v[j]);
                if (c < 0)
                    rc = members_push(r, a.v[i].p, a.v[i].len), i++;
                else if (c > 0)
                    rc = members_push(r, b.v[j].p, b.v[j].len), j++;
                else
                    i++, j++;
            }
        }
        members_free(&a);
        members_free(&b);
        return rc;
    }
    rc = local_read(r, read_verb[op], s, others, n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pottery_set *f = others[i];
        if (same_server(s, f)) continue;
        if (op == OP_UNION)
            rc = scan_batches(f, collect_batch, r);
        else if (r->n > 0)
            rc = filter_members(r, f, op == OP_INTER);
    }
    if (rc == 0) members_sort_unique(r);
    return rc;
}

static int algebra_json(char **out, size_t *out_len, set_op op, pottery_set *s, pottery_set *const *others, size_t n,
                        const char *fn)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(s);
    int rc = check_operands(others, n, fn);
    if (rc < 0) return rc;
    members r = MEMBERS_INIT;
    rc = compute(&r, op, s, others, n);
    if (rc == 0) rc = members_canonicalize(&r);
    if (rc == 0) rc = members_to_json(out, out_len, &r);
    members_free(&r);
    return rc;
}

static int algebra_new(pottery_set **out, set_op op, pottery_set *s, pottery_set *const *others, size_t n,
                       const char *fn)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(s);
    int rc = check_operands(others, n, fn);
    if (rc < 0) return rc;
    members r = MEMBERS_INIT;
    int local = all_same_server(s, others, n);
    if (!local) rc = compute(&r, op, s, others, n);
    char key[POTTERY_RANDOM_KEY_SIZE];
    int created = 0;
    for (int attempt = 0; rc == 0 && !created && attempt < RANDOM_KEY_TRIES; attempt++) {
        rc = pottery__random_key_unchecked(key); /* checked atomically by the script */
        if (rc < 0) break;
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_cstr(&args, key);
        pottery_reply *reply = NULL;
        long long written = -1;
        if (local) {
            /* The new key, then the operands, then the verb. */
            pottery__cmd_key(&args, &s->c);
            for (size_t i = 0; i < n; i++) pottery__cmd_key(&args, &others[i]->c);
            pottery__cmd_cstr(&args, store_verb[op]);
            rc = pottery__eval(&reply, s->c.client, &store_new_script, args.argc - 1, &args);
            if (rc == 0) rc = pottery__reply_int_in(&written, reply, -1, LLONG_MAX, store_new_script.name);
            created = written >= 0;
        } else {
            for (size_t i = 0; i < r.n; i++) pottery__cmd_arg(&args, r.v[i].p, r.v[i].len);
            rc = pottery__eval(&reply, s->c.client, &init_script, 1, &args);
            if (rc == 0) rc = pottery__reply_int_in(&written, reply, 0, 1, init_script.name);
            created = written == 1;
        }
        pottery__reply_free(reply);
        pottery__cmd_free(&args);
    }
    members_free(&r);
    if (rc == 0 && !created)
        rc = pottery__error(POTTERY_ERANDOMKEY, "RandomKeyError: %d random keys were all taken", RANDOM_KEY_TRIES);
    if (rc == 0) {
        rc = set_alloc(out, s->c.client, key);
        if (rc < 0) pottery__unlink_if_temporary(s->c.client, key);
    }
    return rc;
}

int pottery_set_union(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_json(out, out_len, OP_UNION, set, others, n, __func__);
}

int pottery_set_union_new(pottery_set **out, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_new(out, OP_UNION, set, others, n, __func__);
}

int pottery_set_intersection(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_json(out, out_len, OP_INTER, set, others, n, __func__);
}

int pottery_set_intersection_new(pottery_set **out, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_new(out, OP_INTER, set, others, n, __func__);
}

int pottery_set_difference(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_json(out, out_len, OP_DIFF, set, others, n, __func__);
}

int pottery_set_difference_new(pottery_set **out, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_new(out, OP_DIFF, set, others, n, __func__);
}

int pottery_set_symmetric_difference(char **out, size_t *out_len, pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(other);
    return algebra_json(out, out_len, OP_SYMDIFF, set, &other, 1, __func__);
}

int pottery_set_symmetric_difference_new(pottery_set **out, pottery_set *set, pottery_set *other)
{
    if (out) *out = NULL;
    POTTERY_CHECK_ARG(other);
    return algebra_new(out, OP_SYMDIFF, set, &other, 1, __func__);
}

/* ---- in-place algebra ---- */

/* Streams "<verb> <key> members..." commands into a transaction, one per SSCAN batch. */
typedef struct stream_ctx {
    pottery_stream_txn *t;
    const char *verb;
    const char *key;
    size_t keylen;
} stream_ctx;

static int stream_batch(void *vctx, const member *items, size_t n)
{
    stream_ctx *ctx = vctx;
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, ctx->verb);
    pottery__cmd_arg(&cmd, ctx->key, ctx->keylen);
    for (size_t i = 0; i < n; i++) pottery__cmd_arg(&cmd, items[i].p, items[i].len);
    pottery__stream_txn_send(ctx->t, &cmd);
    pottery__cmd_free(&cmd);
    if (pottery__stream_txn_ok(ctx->t)) return 0;
    return ctx->t->conn_rc < 0 ? ctx->t->conn_rc : ctx->t->abort_rc;
}

/* Read a set on another server into `verb key ...` commands inside the transaction. On a
 * read failure the transaction is aborted (DISCARD). */
static void stream_set(pottery_stream_txn *t, pottery_set *from, const char *verb, const char *key, size_t keylen)
{
    if (!pottery__stream_txn_ok(t)) return;
    stream_ctx ctx = { t, verb, key, keylen };
    int rc = scan_batches(from, stream_batch, &ctx);
    if (rc < 0) pottery__stream_txn_abort(t, rc);
}

/* One command "<verb> arg_keys..." built from s's key and a list of extra keys. */
static void txn_keys(pottery_stream_txn *t, const char *verb, const pottery_set *s, int s_twice,
                     pottery_set *const *others, size_t n, char (*tmp)[POTTERY_RANDOM_KEY_SIZE], size_t ntmp)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, verb);
    if (s) {
        pottery__cmd_key(&cmd, &s->c);
        if (s_twice) pottery__cmd_key(&cmd, &s->c);
    }
    for (size_t i = 0; i < n; i++)
        if (!s || same_server(s, others[i])) pottery__cmd_key(&cmd, &others[i]->c);
    for (size_t i = 0; i < ntmp; i++) pottery__cmd_cstr(&cmd, tmp[i]);
    pottery__stream_txn_send(t, &cmd);
    pottery__cmd_free(&cmd);
}

static int store_in_place(set_op op, pottery_set *s, pottery_set *const *others, size_t n, const char *fn)
{
    POTTERY_CHECK_ARG(s);
    int rc = check_operands(others, n, fn);
    if (rc < 0 || n == 0) return rc;
    pottery_client *client = s->c.client;
    if (all_same_server(s, others, n)) {
        if (op == OP_SYMDIFF) {
            pottery_cmd args;
            pottery__cmd_init(&args);
            pottery__cmd_key(&args, &s->c);
            pottery__cmd_key(&args, &others[0]->c);
            pottery_reply *r = NULL;
            long long changed;
            rc = pottery__eval(&r, client, &symdiff_update_script, 2, &args);
            if (rc == 0) rc = read_count(&changed, r, symdiff_update_script.name);
            pottery__reply_free(r);
            pottery__cmd_free(&args);
            return rc;
        }
        /* SUNIONSTORE / SINTERSTORE / SDIFFSTORE s s others...: atomic, one round trip. */
        pottery_cmd cmd;
        pottery__cmd_init(&cmd);
        pottery__cmd_cstr(&cmd, store_verb[op]);
        pottery__cmd_key(&cmd, &s->c);
        pottery__cmd_key(&cmd, &s->c);
        for (size_t i = 0; i < n; i++) pottery__cmd_key(&cmd, &others[i]->c);
        rc = exec_count(client, &cmd, store_verb[op]);
        pottery__cmd_free(&cmd);
        return rc;
    }
    /* Some operands on other servers: read them while streaming one MULTI/EXEC here. */
    size_t nforeign = 0;
    for (size_t i = 0; i < n; i++) nforeign += !same_server(s, others[i]);
    char(*tmp)[POTTERY_RANDOM_KEY_SIZE] = NULL;
    size_t ntmp = op == OP_INTER ? nforeign : op == OP_SYMDIFF ? 2 : 0;
    if (ntmp) {
        tmp = pottery__calloc(ntmp, sizeof *tmp);
        if (!tmp) return pottery__error_oom();
        /* Scratch keys inside the transaction; a uuid4 never collides in practice and
         * they are unlinked in the same transaction. */
        for (size_t i = 0; i < ntmp && rc == 0; i++) rc = pottery__random_key_unchecked(tmp[i]);
        if (rc < 0) {
            pottery__free(tmp);
            return rc;
        }
    }
    pottery_stream_txn t;
    pottery__stream_txn_begin(&t, client);
    switch (op) {
    case OP_UNION:
    case OP_DIFF:
        if (nforeign < n) txn_keys(&t, store_verb[op], s, 1, others, n, NULL, 0);
        for (size_t i = 0; i < n; i++)
            if (!same_server(s, others[i]))
                stream_set(&t, others[i], op == OP_UNION ? "SADD" : "SREM", s->c.key, s->c.keylen);
        break;
    case OP_INTER: {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!same_server(s, others[i])) {
                stream_set(&t, others[i], "SADD", tmp[k], strlen(tmp[k]));
                k++;
            }
        txn_keys(&t, "SINTERSTORE", s, 1, others, n, tmp, ntmp);
        txn_keys(&t, "UNLINK", NULL, 0, NULL, 0, tmp, ntmp);
        break;
    }
    case OP_SYMDIFF: {
        /* tmp0 = other; tmp1 = other - s; s = s - tmp0; s = s | tmp1. */
        pottery_cmd cmd;
        stream_set(&t, others[0], "SADD", tmp[0], strlen(tmp[0]));
        for (int step = 0; step < 3; step++) {
            pottery__cmd_init(&cmd);
            if (step == 0) {
                pottery__cmd_cstr(&cmd, "SDIFFSTORE");
                pottery__cmd_cstr(&cmd, tmp[1]);
                pottery__cmd_cstr(&cmd, tmp[0]);
                pottery__cmd_key(&cmd, &s->c);
            } else {
                pottery__cmd_cstr(&cmd, step == 1 ? "SDIFFSTORE" : "SUNIONSTORE");
                pottery__cmd_key(&cmd, &s->c);
                pottery__cmd_key(&cmd, &s->c);
                pottery__cmd_cstr(&cmd, tmp[step == 1 ? 0 : 1]);
            }
            pottery__stream_txn_send(&t, &cmd);
            pottery__cmd_free(&cmd);
        }
        txn_keys(&t, "UNLINK", NULL, 0, NULL, 0, tmp, ntmp);
        break;
    }
    }
    rc = finish_counts(&t);
    pottery__free(tmp);
    return rc;
}

int pottery_set_update(pottery_set *set, pottery_set *const *others, size_t n)
{
    return store_in_place(OP_UNION, set, others, n, __func__);
}

int pottery_set_intersection_update(pottery_set *set, pottery_set *const *others, size_t n)
{
    return store_in_place(OP_INTER, set, others, n, __func__);
}

int pottery_set_difference_update(pottery_set *set, pottery_set *const *others, size_t n)
{
    return store_in_place(OP_DIFF, set, others, n, __func__);
}

int pottery_set_symmetric_difference_update(pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(other);
    return store_in_place(OP_SYMDIFF, set, &other, 1, __func__);
}

/* ---- iteration ---- */

int pottery_set_iter_new(pottery_set_iter **out, pottery_set *set)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    pottery_set_iter *it = pottery__calloc(1, sizeof *it);
    if (!it) return pottery__error_oom();
    int rc = pottery__scan_init(&it->scan, set->c.client, "SSCAN", set->c.key, set->c.keylen, SCAN_COUNT);
    if (rc < 0) {
        pottery__free(it);
        return rc;
    }
    it->set = set;
    *out = it;
    return 0;
}

int pottery_set_iter_next(pottery_set_iter *it, pottery_value *out)
{
    POTTERY_CHECK_ARG(it);
    const char *item;
    size_t len;
    int rc = pottery__scan_next(&it->scan, &item, &len);
    if (rc < 0 || !out) return rc;
    pottery_value tmp = POTTERY_VALUE_INIT;
    rc = pottery__decode(&tmp, item, len);
    if (rc < 0) return rc;
    pottery_value_dispose(out);
    *out = tmp;
    return 0;
}

void pottery_set_iter_free(pottery_set_iter *it)
{
    if (!it) return;
    pottery__scan_free(&it->scan);
    pottery__free(it);
}
