/* pottery_cached_ordered_dict: CachedOrderedDict, an ordered dict in memory whose values are
 * cached in a Redis hash (field = JSON(key), value = JSON(value)). Reads are local; writes
 * go to Redis first, and reach memory only once Redis has them. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cached_ordered_dict_impl.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"

/* Fields per HMGET when an open reads many keys (the commands are pipelined). */
enum { FIELDS_PER_HMGET = 10000 };

/* ---- the index: open addressing over entry numbers, keyed by the field bytes ---- */

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int pottery__cod_find(const pottery_cached_ordered_dict *d, const char *field, size_t flen, size_t *index)
{
    if (d->nslots == 0) return 0;
    size_t mask = d->nslots - 1;
    for (size_t s = (size_t)hash_bytes(field, flen) & mask;; s = (s + 1) & mask) {
        size_t slot = d->slots[s];
        if (slot == 0) return 0;
        const pottery_cod_entry *e = &d->entries[slot - 1];
        if (e->flen == flen && memcmp(e->field, field, flen) == 0) {
            *index = slot - 1;
            return 1;
        }
    }
}

static void index_insert(pottery_cached_ordered_dict *d, size_t i)
{
    size_t mask = d->nslots - 1;
    size_t s = (size_t)hash_bytes(d->entries[i].field, d->entries[i].flen) & mask;
    while (d->slots[s]) s = (s + 1) & mask;
    d->slots[s] = i + 1;
}

/* Room for `extra` more entries, so that appending them cannot fail. */
static int reserve(pottery_cached_ordered_dict *d, size_t extra)
{
    if (extra > SIZE_MAX / 4 - d->count) return pottery__error_oom();
    size_t want = d->count + extra;
    if (want > d->cap) {
        size_t cap = d->cap ? d->cap : 8;
        while (cap < want) cap *= 2;
        pottery_cod_entry *grown = pottery__realloc(d->entries, cap * sizeof *grown);
        if (!grown) return pottery__error_oom();
        d->entries = grown;
        d->cap = cap;
    }
    if (want * 2 > d->nslots) { /* at most half full */
        size_t nslots = d->nslots ? d->nslots : 16;
        while (nslots < want * 2) nslots *= 2;
        size_t *slots = pottery__calloc(nslots, sizeof *slots);
        if (!slots) return pottery__error_oom();
        pottery__free(d->slots);
        d->slots = slots;
        d->nslots = nslots;
        for (size_t i = 0; i < d->count; i++) index_insert(d, i);
    }
    return 0;
}

/* Append a new key after reserve() made room: field is taken over when own is set, else it
 * lives in opened_fields. */
static pottery_cod_entry *append(pottery_cached_ordered_dict *d, char *field, size_t flen, int own)
{
    pottery_cod_entry *e = &d->entries[d->count];
    e->field = field;
    e->flen = flen;
    e->own_field = own;
    e->value = (pottery_value)POTTERY_VALUE_INIT;
    e->miss = 1;
    index_insert(d, d->count++);
    d->nmisses++;
    return e;
}

/* Give entry e its value (taken over), ending its miss. */
static void fill_entry(pottery_cached_ordered_dict *d, pottery_cod_entry *e, pottery_value *value)
{
    pottery_value_dispose(&e->value);
    e->value = *value;
    *value = (pottery_value)POTTERY_VALUE_INIT;
    if (e->miss) d->nmisses--;
    e->miss = 0;
}

static void entries_free(pottery_cached_ordered_dict *d)
{
    for (size_t i = 0; i < d->count; i++) {
        if (d->entries[i].own_field) pottery__free(d->entries[i].field);
        pottery_value_dispose(&d->entries[i].value);
    }
    pottery__free(d->entries);
    pottery__free(d->slots);
    pottery__free(d->opened_fields);
    d->entries = NULL;
    d->slots = NULL;
    d->opened_fields = NULL;
    d->count = d->cap = d->nslots = d->nmisses = 0;
}

static char *copy_bytes(const char *s, size_t len)
{
    char *p = pottery__malloc(len + 1);
    if (!p) {
        pottery__error_oom();
        return NULL;
    }
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* Set `code` with "<what>: <key>..." naming a key by its canonical JSON. */
static int key_error(int code, const char *what, const char *field, const char *tail)
{
    pottery_value key = POTTERY_VALUE_INIT;
    char *repr = NULL;
    if (pottery__decode(&key, field, strlen(field)) == 0 && pottery_value_repr(&repr, key) == 0)
        pottery__error(code, "%s: %s%s", what, repr, tail);
    else
        pottery__error(code, "%s: %s%s", what, field, tail);
    pottery_free(repr);
    pottery_value_dispose(&key);
    return code;
}

/* Decode a value the cache holds for field; EDECODE naming the key and the hash when it is
 * not JSON. *out is overwritten (as pottery__decode does). */
static int decode_cached(pottery_value *out, const pottery_cached_ordered_dict *d, const char *field, const char *text,
                         size_t len)
{
    int rc = pottery__decode(out, text, len);
    if (rc != POTTERY_EDECODE) return rc;
    char why[256];
    snprintf(why, sizeof why, "%s", pottery_error_last()->message);
    return pottery__error(POTTERY_EDECODE, "CachedOrderedDict '%s': the value cached for %s is not JSON (%s)", d->c.key,
                          field, why);
}

/* ---- the time to live ---- */

static int check_timeout(int64_t timeout_ms, const char *fn)
{
    if (timeout_ms < 0 && timeout_ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL, "%s: timeout_ms must be >= 0 or POTTERY_FOREVER (got %lld)", fn,
                              (long long)timeout_ms);
    return 0;
}

/* Push the time to live for a script: the milliseconds, or "0" for no expiry. */
static void push_ttl(pottery_cmd *args, const pottery_cached_ordered_dict *d)
{
    if (d->ttl_ms > 0)
        pottery__cmd_int(args, d->ttl_ms);
    else
        pottery__cmd_cstr(args, "0");
}

/* ---- open ---- */

typedef struct open_ctx {
    const pottery_value *keys;
    size_t n;
    int64_t ttl_ms;
    int fresh; /* a random key just checked to be unused: nothing to read */
} open_ctx;

/* The keys, in order, each once, all misses for now. Their fields are encoded into one
 * block (each followed by a NUL), which the entries point into. */
static int add_keys(pottery_cached_ordered_dict *d, const pottery_value *keys, size_t n)
{
    size_t *ends = n ? pottery__malloc(n * sizeof *ends) : NULL;
    int rc = n && !ends ? pottery__error_oom() : reserve(d, n);
    pottery_buf b = POTTERY_BUF_INIT;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if ((rc = pottery__encode(&b, &keys[i])) < 0) {
            char why[256];
            snprintf(why, sizeof why, "%s", pottery_error_last()->message);
            rc = pottery__error(rc, "pottery_cached_ordered_dict_open: key %zu: %s", i, why);
        } else {
            ends[i] = b.len;
            rc = pottery__buf_putc(&b, '\0');
        }
    }
    for (size_t i = 0, start = 0; rc == 0 && i < n; start = ends[i++] + 1) {
        size_t at;
        if (!pottery__cod_find(d, b.data + start, ends[i] - start, &at)) append(d, b.data + start, ends[i] - start, 0);
    }
    if (rc == 0) {
        d->opened_fields = b.data; /* taken over */
    } else {
        pottery__buf_free(&b);
    }
    pottery__free(ends);
    return rc;
}

/* Check the replies of the HMGETs (and of the expiry script, last when ttl) and fill the
 * hits. */
static int take_hits(pottery_cached_ordered_dict *d, pottery_reply **outs, size_t ncmds, int touched)
{
    int rc = 0;
    for (size_t c = 0; rc == 0 && c < ncmds; c++) rc = pottery__reply_check(outs[c]);
    if (rc == 0 && touched) {
        long long set;
        rc = pottery__reply_int_in(&set, outs[ncmds], 0, 1, pottery__lua_cached_ordered_dict_touch.name);
    }
    for (size_t c = 0; rc == 0 && c < ncmds; c++) {
        size_t first = c * FIELDS_PER_HMGET;
        size_t count = d->count - first < FIELDS_PER_HMGET ? d->count - first : FIELDS_PER_HMGET;
        rc = pottery__reply_array_n(outs[c], count, "HMGET");
        for (size_t i = 0; rc == 0 && i < count; i++) {
            pottery_cod_entry *e = &d->entries[first + i];
            const char *text;
            size_t len;
            rc = pottery__reply_bytes_or_nil(&text, &len, pottery__reply_at(outs[c], i), "HMGET");
            if (rc < 0 || !text) continue;
            pottery_value v = POTTERY_VALUE_INIT;
            if ((rc = decode_cached(&v, d, e->field, text, len)) == 0) fill_entry(d, e, &v);
        }
    }
    return rc;
}

/* HMGET every key (in chunks, pipelined) and, with an expiry, slide it: one round trip. */
static int read_cache(pottery_cached_ordered_dict *d)
{
    size_t ncmds = (d->count + FIELDS_PER_HMGET - 1) / FIELDS_PER_HMGET;
    pottery_cmd *cmds = pottery__calloc(ncmds, sizeof *cmds);
    pottery_reply **outs = pottery__calloc(ncmds + 1, sizeof *outs);
    int rc = cmds && outs ? 0 : pottery__error_oom();
    for (size_t c = 0; rc == 0 && c < ncmds; c++) {
        pottery__cmd_init(&cmds[c]);
        pottery__cmd_cstr(&cmds[c], "HMGET");
        pottery__cmd_key(&cmds[c], &d->c);
        size_t to = (c + 1) * FIELDS_PER_HMGET < d->count ? (c + 1) * FIELDS_PER_HMGET : d->count;
        for (size_t i = c * FIELDS_PER_HMGET; i < to; i++)
            pottery__cmd_arg(&cmds[c], d->entries[i].field, d->entries[i].flen);
    }
    int touched = d->ttl_ms > 0;
    if (rc == 0 && touched) {
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_key(&args, &d->c);
        push_ttl(&args, d);
        rc = pottery__exec_pipeline_eval(outs, d->c.client, cmds, ncmds, &pottery__lua_cached_ordered_dict_touch, 1,
                                         &args);
        pottery__cmd_free(&args);
    } else if (rc == 0) {
        rc = pottery__exec_pipeline(outs, d->c.client, cmds, ncmds);
    }
    if (rc == 0) rc = take_hits(d, outs, ncmds, touched);
    for (size_t c = 0; cmds && outs && c <= ncmds; c++) {
        if (c < ncmds) pottery__cmd_free(&cmds[c]);
        pottery__reply_free(outs[c]);
    }
    pottery__free(cmds);
    pottery__free(outs);
    return rc;
}

static int fill(pottery_container *c, const void *ctx)
{
    const open_ctx *o = ctx;
    pottery_cached_ordered_dict *d = (pottery_cached_ordered_dict *)c;
    d->ttl_ms = o->ttl_ms == POTTERY_FOREVER ? 0 : o->ttl_ms;
    int rc = add_keys(d, o->keys, o->n);
    if (rc == 0 && !o->fresh && d->count > 0) rc = read_cache(d);
    if (rc < 0) entries_free(d);
    return rc;
}

int pottery_cached_ordered_dict_open(pottery_cached_ordered_dict **out, pottery_client *client, const char *key,
                                     const pottery_value *keys, size_t n,
                                     const pottery_cached_ordered_dict_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (n > 0 && !keys) return pottery__error(POTTERY_EINVAL, "%s: keys is NULL but n is %zu", __func__, n);
    pottery_cached_ordered_dict_options defaults = POTTERY_CACHED_ORDERED_DICT_OPTIONS_INIT;
    if (opts) {
        int rc = pottery__options_check(opts->version, POTTERY_CACHED_ORDERED_DICT_OPTIONS_VERSION, __func__);
        if (rc < 0) return rc;
    } else {
        opts = &defaults;
    }
    int rc = check_timeout(opts->timeout_ms, __func__);
    if (rc < 0) return rc;
    open_ctx ctx = { keys, n, opts->timeout_ms, key == NULL };
    pottery_container *c;
    rc = pottery__container_open(&c, sizeof(pottery_cached_ordered_dict), client, key, fill, &ctx);
    if (rc == 0) *out = (pottery_cached_ordered_dict *)c;
    return rc;
}

void pottery_cached_ordered_dict_free(pottery_cached_ordered_dict *d)
{
    if (!d) return;
    entries_free(d);
    pottery__container_close(&d->c);
}

const char *pottery_cached_ordered_dict_key(const pottery_cached_ordered_dict *d)
{
    return d ? d->c.key : NULL;
}

pottery_client *pottery_cached_ordered_dict_client(const pottery_cached_ordered_dict *d)
{
    return d ? d->c.client : NULL;
}

/* ---- writes: Redis first, then memory ---- */

/* One pair of a write, encoded, with what memory will take once Redis has it. */
typedef struct staged {
    size_t koff, klen, voff, vlen; /* in the write's text */
    char *field;                   /* a copy of the key's field when it is not in the dict yet */
    pottery_value value;           /* the value, decoded from its canonical JSON */
} staged;

typedef struct write {
    pottery_buf text; /* every field and value, canonical JSON */
    staged *pairs;
    size_t n;
} write;

static void write_free(write *w)
{
    for (size_t i = 0; w->pairs && i < w->n; i++) {
        pottery__free(w->pairs[i].field);
        pottery_value_dispose(&w->pairs[i].value);
    }
    pottery__free(w->pairs);
    pottery__buf_free(&w->text);
}

/* Encode every pair, decode each value back (the dict keeps values as read from Redis),
 * copy the fields of new keys and make room for them: after this, nothing can fail in
 * memory once Redis accepted the write. */
static int stage(write *w, pottery_cached_ordered_dict *d, const pottery_pair *items, size_t n)
{
    w->text = (pottery_buf)POTTERY_BUF_INIT;
    w->n = n;
    w->pairs = pottery__calloc(n, sizeof *w->pairs);
    if (!w->pairs) return pottery__error_oom();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        staged *p = &w->pairs[i];
        p->koff = w->text.len;
        if ((rc = pottery__encode(&w->text, &items[i].key)) < 0) break;
        p->klen = w->text.len - p->koff;
        p->voff = w->text.len;
        if ((rc = pottery__encode(&w->text, &items[i].value)) < 0) break;
        p->vlen = w->text.len - p->voff;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        staged *p = &w->pairs[i];
        size_t at;
        rc = pottery__decode(&p->value, w->text.data + p->voff, p->vlen);
        if (rc == 0 && !pottery__cod_find(d, w->text.data + p->koff, p->klen, &at) &&
            !(p->field = copy_bytes(w->text.data + p->koff, p->klen)))
            rc = POTTERY_ENOMEM;
    }
    if (rc == 0) rc = reserve(d, n);
    return rc;
}

/* Memory follows Redis: each pair in order (a key staged twice is appended once). */
static void commit(pottery_cached_ordered_dict *d, write *w)
{
    for (size_t i = 0; i < w->n; i++) {
        staged *p = &w->pairs[i];
        size_t at;
        pottery_cod_entry *e;
        if (pottery__cod_find(d, w->text.data + p->koff, p->klen, &at)) {
            e = &d->entries[at];
        } else {
            e = append(d, p->field, p->klen, 1);
            p->field = NULL;
        }
        fill_entry(d, e, &p->value);
    }
}

/* Write the staged pairs and slide the expiry: one script, one round trip. */
static int write_through(pottery_cached_ordered_dict *d, const write *w)
{
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &d->c);
    push_ttl(&args, d);
    for (size_t i = 0; i < w->n; i++) {
        pottery__cmd_arg(&args, w->text.data + w->pairs[i].koff, w->pairs[i].klen);
        pottery__cmd_arg(&args, w->text.data + w->pairs[i].voff, w->pairs[i].vlen);
    }
    pottery_reply *r = NULL;
    long long added;
    int rc = pottery__eval(&r, d->c.client, &pottery__lua_cached_ordered_dict_write, 1, &args);
    if (rc == 0)
        rc = pottery__reply_int_in(&added, r, 0, (long long)(w->n < LLONG_MAX ? w->n : LLONG_MAX),
                                   pottery__lua_cached_ordered_dict_write.name);
    pottery__reply_free(r);
    pottery__cmd_free(&args);
    return rc;
}

int pottery_cached_ordered_dict_update(pottery_cached_ordered_dict *d, const pottery_pair *items, size_t n)
{
    POTTERY_CHECK_ARG(d);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(items);
    write w;
    int rc = stage(&w, d, items, n);
    if (rc == 0) rc = write_through(d, &w);
    if (rc == 0) commit(d, &w);
    write_free(&w);
    return rc;
}

int pottery_cached_ordered_dict_set(pottery_cached_ordered_dict *d, pottery_value key, pottery_value value)
{
    pottery_pair pair = { key, value };
    return pottery_cached_ordered_dict_update(d, &pair, 1);
}

/* Copy of the value at index i, or of dflt (a miss, or i == SIZE_MAX: not there). */
static int value_or(pottery_value *out, const pottery_cached_ordered_dict *d, size_t i, const pottery_value *dflt)
{
    if (i != SIZE_MAX && !d->entries[i].miss) return pottery__value_assign(out, &d->entries[i].value);
    return pottery__value_assign(out, dflt);
}

int pottery_cached_ordered_dict_setdefault(pottery_value *out, pottery_cached_ordered_dict *d, pottery_value key,
                                           pottery_value dflt)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    pottery_pair pair = { key, dflt };
    write w;
    int rc = stage(&w, d, &pair, 1);
    size_t at = 0;
    if (rc == 0 && pottery__cod_find(d, w.text.data, w.pairs[0].klen, &at) && !d->entries[at].miss) {
        rc = value_or(out, d, at, NULL); /* it has a value: a read */
        write_free(&w);
        return rc;
    }
    pottery_reply *r = NULL;
    if (rc == 0) {
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_key(&args, &d->c);
        push_ttl(&args, d);
        pottery__cmd_arg(&args, w.text.data, w.pairs[0].klen);
        pottery__cmd_arg(&args, w.text.data + w.pairs[0].voff, w.pairs[0].vlen);
        rc = pottery__eval(&r, d->c.client, &pottery__lua_cached_ordered_dict_setdefault, 1, &args);
        pottery__cmd_free(&args);
    }
    const char *text = NULL;
    size_t len = 0;
    if (rc == 0) rc = pottery__reply_bytes(&text, &len, r, pottery__lua_cached_ordered_dict_setdefault.name);
    /* What the cache holds replaces the staged default: another process' value wins. */
    pottery_value found = POTTERY_VALUE_INIT, copy = POTTERY_VALUE_INIT;
    if (rc == 0 &&
        (rc = decode_cached(&found, d, w.pairs[0].field ? w.pairs[0].field : d->entries[at].field, text, len)) == 0) {
        pottery_value_dispose(&w.pairs[0].value);
        w.pairs[0].value = found;
        rc = pottery_value_copy(&copy, &found);
    }
    if (rc == 0) {
        commit(d, &w);
        pottery_value_dispose(out);
        *out = copy;
    }
    pottery__reply_free(r);
    write_free(&w);
    return rc;
}

/* ---- reads: memory only ---- */

int pottery__cod_lookup(size_t *index, pottery_cached_ordered_dict *d, const pottery_value *key)
{
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = pottery__encode(&b, key);
    *index = SIZE_MAX;
    if (rc == 0 && !pottery__cod_find(d, b.data, b.len, index)) *index = SIZE_MAX;
    pottery__buf_free(&b);
    return rc;
}

int pottery_cached_ordered_dict_get(pottery_value *out, pottery_cached_ordered_dict *d, pottery_value key)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    size_t at;
    int rc = pottery__cod_lookup(&at, d, &key);
    if (rc < 0) return rc;
    if (at == SIZE_MAX) return pottery__error_value(POTTERY_ENOTFOUND, "KeyError", &key);
    if (d->entries[at].miss)
        return key_error(POTTERY_ENOTFOUND, "KeyError", d->entries[at].field, " is a cache miss (no value yet)");
    return value_or(out, d, at, NULL);
}

int pottery_cached_ordered_dict_get_default(pottery_value *out, pottery_cached_ordered_dict *d, pottery_value key,
                                            pottery_value dflt)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    size_t at;
    int rc = pottery__cod_lookup(&at, d, &key);
    return rc < 0 ? rc : value_or(out, d, at, &dflt);
}

int pottery_cached_ordered_dict_len(int64_t *out, pottery_cached_ordered_dict *d)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    *out = (int64_t)d->count;
    return 0;
}

/* *out: 1 when key is in the dict (and, with misses_only, a miss). A key that cannot be
 * encoded is not there. */
static int has(int *out, pottery_cached_ordered_dict *d, const pottery_value *key, int misses_only)
{
    size_t at;
    int rc = pottery__cod_lookup(&at, d, key);
    if (rc == POTTERY_ETYPE) {
        *out = 0;
        return 0;
    }
    if (rc < 0) return rc;
    *out = at != SIZE_MAX && (!misses_only || d->entries[at].miss);
    return 0;
}

int pottery_cached_ordered_dict_contains(int *out, pottery_cached_ordered_dict *d, pottery_value key)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    return has(out, d, &key, 0);
}

int pottery_cached_ordered_dict_is_miss(int *out, pottery_cached_ordered_dict *d, pottery_value key)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    return has(out, d, &key, 1);
}
