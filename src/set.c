/* pottery_set: RedisSet on a Redis set (member = JSON(element)). The handle, single-element
 * and bulk operations, snapshots, iteration, and the staged transaction the algebra with
 * values shares (set_algebra.c has the comparisons and the algebra). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"
#include "set_impl.h"

struct pottery_set_iter {
    pottery_set *set;
    pottery_scan scan;
};

/* ---- byte-string vectors ---- */

int pottery__set_members_push(set_members *m, const char *p, size_t len)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        set_member *v = pottery__realloc(m->v, cap * sizeof *v);
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

void pottery__set_members_free(set_members *m)
{
    for (size_t i = 0; i < m->n; i++) pottery__free(m->v[i].p);
    pottery__free(m->v);
    m->v = NULL;
    m->n = m->cap = 0;
}

int pottery__set_member_cmp(const void *a, const void *b)
{
    const set_member *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->p, y->p, n) : 0;
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

void pottery__set_members_sort_unique(set_members *m)
{
    if (m->n < 2) return;
    qsort(m->v, m->n, sizeof *m->v, pottery__set_member_cmp);
    size_t w = 1;
    for (size_t r = 1; r < m->n; r++) {
        if (pottery__set_member_cmp(&m->v[r], &m->v[w - 1]) == 0)
            pottery__free(m->v[r].p);
        else
            m->v[w++] = m->v[r];
    }
    m->n = w;
}

int pottery__set_members_load(set_members *m, const pottery_reply *r, const char *verb)
{
    size_t n = 0;
    int rc = pottery__reply_array(&n, r, verb);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *p;
        size_t len;
        rc = pottery__reply_bytes(&p, &len, pottery__reply_at(r, i), verb);
        if (rc == 0) rc = pottery__set_members_push(m, p, len);
    }
    return rc;
}

/* Replace every member by its canonical JSON text (EDECODE for foreign members). */
static int members_canonicalize(set_members *m)
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
    return rc;
}

int pottery__set_members_json(char **out, size_t *out_len, set_members *m)
{
    int rc = members_canonicalize(m);
    if (rc < 0) return rc;
    pottery__set_members_sort_unique(m);
    pottery_buf b = POTTERY_BUF_INIT;
    rc = pottery__buf_putc(&b, '[');
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        if (i) rc = pottery__buf_append(&b, ", ", 2);
        if (rc == 0) rc = pottery__buf_append(&b, m->v[i].p, m->v[i].len);
    }
    if (rc == 0) rc = pottery__buf_putc(&b, ']');
    if (rc == 0) rc = pottery__buf_detach(&b, out, out_len);
    pottery__buf_free(&b);
    return rc;
}

int pottery__set_read_count(long long *out, const pottery_reply *r, const char *verb)
{
    return pottery__reply_int_in(out, r, 0, LLONG_MAX, verb);
}

int pottery__set_colocated(const pottery_set *a, const pottery_set *b)
{
    return pottery__containers_colocated(&a->c, &b->c);
}

/* ---- open / free ---- */

/* Write the initial elements, if any, only where the key does not exist yet. */
static int write_initial(pottery_container *c, const void *ctx)
{
    const pottery_set_options *opts = ctx;
    if (!opts || opts->nelements == 0) return 0;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, c);
    for (size_t i = 0; i < opts->nelements; i++) pottery__cmd_value(&args, &opts->elements[i]);
    int rc = pottery__container_create(c, &pottery__lua_set_init, &args);
    pottery__cmd_free(&args);
    return rc;
}

int pottery_set_open(pottery_set **out, pottery_client *client, const char *key, const pottery_set_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (opts) {
        int rc = pottery__options_check(opts->version, POTTERY_SET_OPTIONS_VERSION, __func__);
        if (rc < 0) return rc;
        if (opts->nelements > 0 && opts->elements == NULL)
            return pottery__error(POTTERY_EINVAL, "%s: elements is NULL but nelements is %zu", __func__,
                                  opts->nelements);
    }
    pottery_container *c;
    int rc = pottery__container_open(&c, sizeof(pottery_set), client, key, write_initial, opts);
    if (rc == 0) *out = (pottery_set *)c;
    return rc;
}

void pottery_set_free(pottery_set *set)
{
    if (set) pottery__container_close(&set->c);
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

/* ---- contains_many ---- */

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

int pottery__set_read_answers(unsigned char *answers, const pottery_reply *r, size_t n)
{
    int rc = pottery__reply_array_n(r, n, "SMISMEMBER");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        long long in = 0;
        rc = pottery__reply_int_in(&in, pottery__reply_at(r, i), 0, 1, "SMISMEMBER");
        answers[i] = (unsigned char)in;
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
        if (++in_chunk == SET_CHUNK) {
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
    /* Every command asked about SET_CHUNK members but the last, which asked about the rest. */
    for (size_t k = 0, next = 0; k < sent; k++, next += SET_CHUNK) {
        if (rc < 0) {
            rc = drain_replies(client, sent - k, rc);
            break;
        }
        pottery_reply *r = NULL;
        rc = pottery__recv(&r, client);
        if (rc == POTTERY_ECONN || rc == POTTERY_ETIMEOUT) break;
        unsigned char chunk[SET_CHUNK];
        size_t asked = encoded - next < SET_CHUNK ? encoded - next : SET_CHUNK;
        if (rc == 0) rc = pottery__set_read_answers(chunk, r, asked);
        for (size_t j = 0; rc == 0 && j < asked; j++) answers[where[next + j]] = chunk[j];
        pottery__reply_free(r);
    }
    if (rc == 0) memcpy(out, answers, n * sizeof *out);
    pottery__free(answers);
    pottery__free(where);
    return rc;
}

/* ---- snapshots: to_json, repr ---- */

static int read_members(set_members *m, pottery_set *s)
{
    pottery_reply *r = NULL;
    int rc = pottery__container_command(&r, &s->c, "SMEMBERS", NULL);
    if (rc == 0) rc = pottery__set_members_load(m, r, "SMEMBERS");
    pottery__reply_free(r);
    return rc;
}

int pottery_set_to_json(char **out, size_t *out_len, pottery_set *set)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    set_members m = SET_MEMBERS_INIT;
    int rc = read_members(&m, set);
    if (rc == 0) rc = pottery__set_members_json(out, out_len, &m);
    pottery__set_members_free(&m);
    return rc;
}

int pottery_set_repr(char **out, pottery_set *set)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    set_members m = SET_MEMBERS_INIT;
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
    pottery__set_members_free(&m);
    return rc;
}

/* ---- iteration ---- */

int pottery_set_iter_new(pottery_set_iter **out, pottery_set *set)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    pottery_set_iter *it = pottery__calloc(1, sizeof *it);
    if (!it) return pottery__error_oom();
    int rc = pottery__scan_init(&it->scan, set->c.client, "SSCAN", set->c.key, set->c.keylen, SET_SCAN_COUNT);
    if (rc < 0) {
        pottery__free(it);
        return rc;
    }
    it->set = set;
    *out = it;
    return 0;
}

int pottery_set_iter_next(pottery_value *out, pottery_set_iter *it)
{
    POTTERY_CHECK_ARG(it);
    const char *item;
    size_t len;
    int rc = pottery__scan_next(&it->scan, &item, &len);
    if (rc < 0 || !out) return rc;
    pottery_value tmp = POTTERY_VALUE_INIT;
    rc = pottery__decode(&tmp, item, len);
    if (rc == POTTERY_ENOMEM) pottery__scan_unread(&it->scan, 1); /* the next call retries it */
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
