/* pottery_counter: RedisCounter on a Redis hash (field = JSON(key), value = JSON int count):
 * the handle, single keys, whole-counter reads and iteration. Adding counts is in
 * counter_update.c, the operators in counter_arith.c, reading counts in counter_count.c. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "counter_impl.h"

struct pottery_counter_iter {
    pottery_scan scan;
    int elements;      /* elements(): repeat each key count times */
    pottery_value key; /* elements(): the key being repeated (owned) */
    int64_t count;     /* its count */
    int64_t left;      /* how many more times it is due */
};

/* ---- open / free ---- */

/* Finish a new handle: counts are read through the counter's value reader, and the
 * initial counts, if any, are written only where the key does not exist yet. */
static int write_initial(pottery_container *c, const void *ctx)
{
    const pottery_counter_options *opts = ctx;
    c->value = pottery__counter_value_reader;
    if (!opts) return 0;
    pottery_counter_contrib k = { opts->keys, opts->nkeys, opts->items, opts->nitems, NULL };
    return pottery__counter_add(NULL, (pottery_counter *)c, "i", "+", &k);
}

int pottery_counter_open(pottery_counter **out, pottery_client *client, const char *key,
                         const pottery_counter_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (opts) {
        int rc = pottery__options_check(opts->version, POTTERY_COUNTER_OPTIONS_VERSION, __func__);
        if (rc < 0) return rc;
        if (opts->nitems > 0 && opts->items == NULL)
            return pottery__error(POTTERY_EINVAL, "%s: items is NULL but nitems is %zu", __func__, opts->nitems);
        if (opts->nkeys > 0 && opts->keys == NULL)
            return pottery__error(POTTERY_EINVAL, "%s: keys is NULL but nkeys is %zu", __func__, opts->nkeys);
    }
    pottery_container *c;
    int rc = pottery__container_open(&c, sizeof(pottery_counter), client, key, write_initial, opts);
    if (rc == 0) *out = (pottery_counter *)c;
    return rc;
}

void pottery_counter_free(pottery_counter *counter)
{
    if (counter) pottery__container_close(&counter->c);
}

const char *pottery_counter_key(const pottery_counter *counter)
{
    return counter ? counter->c.key : NULL;
}

pottery_client *pottery_counter_client(const pottery_counter *counter)
{
    return counter ? counter->c.client : NULL;
}

/* ---- single keys ---- */

/* Run "<verb> <hash> JSON(key) n" (HSET, HINCRBY); its integer reply, between lo and hi,
 * into *out. */
static int count_command(long long *out, pottery_counter *c, const char *verb, const pottery_value *key, int64_t n,
                         long long lo, long long hi)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, verb);
    pottery__cmd_key(&cmd, &c->c);
    pottery__cmd_value(&cmd, key);
    pottery__cmd_int(&cmd, n);
    pottery_reply *r = NULL;
    int rc = pottery__exec(&r, c->c.client, &cmd);
    if (rc == 0) rc = pottery__reply_int_in(out, r, lo, hi, verb);
    pottery__reply_free(r);
    pottery__cmd_free(&cmd);
    return rc;
}

/* count_error / range_error for a key given as a value (encoded again for the message). */
static int key_count_error(int code, const pottery_counter *c, const pottery_value *key, const char *value, size_t vlen,
                           const char *redis_text)
{
    pottery_error_saved saved;
    pottery__error_save(&saved);
    pottery_buf field = POTTERY_BUF_INIT;
    int have = pottery__encode(&field, key) == 0;
    pottery__error_restore(&saved);
    if (code == POTTERY_ERANGE && !value)
        code = pottery__counter_range_error(c->c.key, c->c.keylen, have ? field.data : NULL, field.len, redis_text);
    else
        code =
            pottery__counter_count_error(code, c->c.key, c->c.keylen, have ? field.data : NULL, field.len, value, vlen);
    pottery__buf_free(&field);
    return code;
}

int pottery_counter_get(int64_t *out, pottery_counter *counter, pottery_value key)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    pottery_reply *r = NULL;
    const char *text = NULL;
    size_t len = 0;
    int64_t n = 0;
    int rc = pottery__container_command(&r, &counter->c, "HGET", &key);
    if (rc == 0) rc = pottery__reply_bytes_or_nil(&text, &len, r, "HGET");
    /* nil: a missing key counts 0, as in Python */
    if (rc == 0 && text && (rc = pottery__counter_parse(&n, text, len)) < 0)
        rc = key_count_error(rc, counter, &key, text, len, NULL);
    if (rc == 0) *out = n;
    pottery__reply_free(r);
    return rc;
}

int pottery_counter_set(pottery_counter *counter, pottery_value key, int64_t count)
{
    POTTERY_CHECK_ARG(counter);
    long long added;
    return count_command(&added, counter, "HSET", &key, count, 0, 1);
}

int pottery_counter_del(pottery_counter *counter, pottery_value key)
{
    POTTERY_CHECK_ARG(counter);
    /* A missing key is no error (Counter's del), but the reply must still be HDEL's 0 or 1. */
    pottery_reply *r = NULL;
    long long removed;
    int rc = pottery__container_command(&r, &counter->c, "HDEL", &key);
    if (rc == 0) rc = pottery__reply_int_in(&removed, r, 0, 1, "HDEL");
    pottery__reply_free(r);
    return rc;
}

int pottery_counter_contains(int *out, pottery_counter *counter, pottery_value key)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    return pottery__container_has(out, &counter->c, "HEXISTS", &key);
}

int pottery_counter_len(int64_t *out, pottery_counter *counter)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    return pottery__container_count(out, &counter->c, "HLEN");
}

int pottery_counter_incr(int64_t *out, pottery_counter *counter, pottery_value key, int64_t n)
{
    POTTERY_CHECK_ARG(counter);
    long long now = 0;
    int rc = count_command(&now, counter, "HINCRBY", &key, n, LLONG_MIN, LLONG_MAX);
    if (rc == 0 && out) *out = (int64_t)now;
    if (rc == POTTERY_EREDIS && strstr(pottery_error_last()->message, "overflow")) {
        char redis_text[128];
        snprintf(redis_text, sizeof redis_text, "%s", pottery_error_last()->message);
        rc = key_count_error(POTTERY_ERANGE, counter, &key, NULL, 0, redis_text);
    }
    return rc;
}

int pottery_counter_decr(int64_t *out, pottery_counter *counter, pottery_value key, int64_t n)
{
    POTTERY_CHECK_ARG(counter);
    if (n != INT64_MIN) return pottery_counter_incr(out, counter, key, -n);
    /* -n does not fit: subtract exactly in a script instead (still one round trip). */
    pottery_counter_pair item = { key, n };
    pottery_counter_contrib k = { NULL, 0, &item, 1, NULL };
    int64_t now = 0;
    int rc = pottery__counter_add(&now, counter, "u", "-", &k);
    if (rc == 0 && out) *out = now;
    return rc;
}

int pottery_counter_clear(pottery_counter *counter)
{
    POTTERY_CHECK_ARG(counter);
    return pottery__container_clear(&counter->c);
}

/* ---- most_common, repr, total ---- */

typedef struct ranked {
    int64_t count;
    size_t index;
} ranked;

static int by_count_then_index(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* The entries' indexes in most_common order: count descending, ties in Redis order. */
static int rank(ranked **out, const pottery_hash_snapshot *c)
{
    ranked *r = pottery__malloc((c->count ? c->count : 1) * sizeof *r);
    if (!r) return pottery__error_oom();
    for (size_t i = 0; i < c->count; i++) r[i] = (ranked){ pottery__counter_count_at(c, i), i };
    if (c->count > 1) qsort(r, c->count, sizeof *r, by_count_then_index);
    *out = r;
    return 0;
}

void pottery_counter_pairs_free(pottery_counter_pair *pairs, size_t n)
{
    if (!pairs) return;
    for (size_t i = 0; i < n; i++) pottery_value_dispose(&pairs[i].key);
    pottery__free(pairs);
}

int pottery_counter_most_common(pottery_counter_pair **out, size_t *out_n, pottery_counter *counter, int64_t n)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(out_n);
    POTTERY_CHECK_ARG(counter);
    pottery_hash_snapshot c = POTTERY_HASH_SNAPSHOT_INIT;
    ranked *order = NULL;
    pottery_counter_pair *pairs = NULL;
    size_t m = 0;
    int rc = pottery__counter_read(&c, counter);
    if (rc == 0) rc = rank(&order, &c);
    if (rc == 0) {
        m = (n < 0 || (uint64_t)n > c.count) ? c.count : (size_t)n;
        if (m > 0 && !(pairs = pottery__calloc(m, sizeof *pairs))) rc = pottery__error_oom();
    }
    for (size_t i = 0; rc == 0 && i < m; i++) {
        rc = pottery__value_from_node(&pairs[i].key, c.entries[order[i].index].key);
        pairs[i].count = order[i].count;
    }
    pottery__free(order);
    pottery__hash_snapshot_free(&c);
    if (rc < 0) {
        pottery_counter_pairs_free(pairs, m);
        return rc;
    }
    *out = pairs;
    *out_n = m;
    return 0;
}

int pottery_counter_repr(char **out, pottery_counter *counter)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    pottery_hash_snapshot c = POTTERY_HASH_SNAPSHOT_INIT;
    ranked *order = NULL;
    pottery_hash_snapshot view = POTTERY_HASH_SNAPSHOT_INIT;
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = pottery__counter_read(&c, counter);
    if (rc == 0) rc = rank(&order, &c);
    if (rc == 0 && c.count > 0) {
        /* The same nodes, borrowed, in most_common order. */
        view.borrowed = 1;
        view.entries = pottery__malloc(c.count * sizeof *view.entries);
        if (!view.entries) rc = pottery__error_oom();
        for (size_t i = 0; rc == 0 && i < c.count; i++) {
            const pottery_hash_entry *e = &c.entries[order[i].index];
            view.entries[view.count++] = (pottery_hash_entry){ e->key, e->value, POTTERY_BUF_INIT };
        }
    }
    if (rc == 0) rc = pottery__hash_snapshot_repr(&b, &view, "RedisCounter");
    if (rc == 0) rc = pottery__buf_detach(&b, out, NULL);
    pottery__buf_free(&b);
    pottery__hash_snapshot_free(&view);
    pottery__free(order);
    pottery__hash_snapshot_free(&c);
    return rc;
}

/* The two's complement reading of u (without relying on implementation-defined casts). */
static int64_t as_int64(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

int pottery_counter_total(int64_t *out, pottery_counter *counter)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    pottery_reply *r = NULL;
    size_t count = 0;
    int rc = pottery__container_command(&r, &counter->c, "HVALS", NULL);
    if (rc == 0) rc = pottery__reply_array(&count, r, "HVALS");
    /* The exact total is sum + carry * 2^64 (sum wraps around), so partial sums may
     * leave the int64 range as long as the total does not. */
    uint64_t sum = 0;
    int64_t carry = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        size_t len;
        const char *text;
        int64_t n = 0;
        rc = pottery__reply_bytes(&text, &len, pottery__reply_at(r, i), "HVALS");
        if (rc == 0 && (rc = pottery__counter_parse(&n, text, len)) < 0)
            rc = pottery__counter_count_error(rc, counter->c.key, counter->c.keylen, NULL, 0, text, len);
        if (rc < 0) break;
        int64_t before = as_int64(sum);
        sum += (uint64_t)n;
        if (n > 0 && as_int64(sum) < before) carry++;
        if (n < 0 && as_int64(sum) > before) carry--;
    }
    pottery__reply_free(r);
    if (rc == 0 && carry != 0)
        rc = pottery__error(POTTERY_ERANGE, "OverflowError: the total of the counts in '%s' does not fit in int64",
                            counter->c.key);
    if (rc == 0) *out = as_int64(sum);
    return rc;
}

int pottery_counter_to_json(char **out, size_t *out_len, pottery_counter *counter)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    return pottery__hash_to_json(out, out_len, &counter->c);
}

/* ---- equality ---- */

int pottery_counter_equal_from(int *out, pottery_counter *counter, pottery_counter *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(other);
    return pottery__hash_equal(out, &counter->c, &other->c);
}

int pottery_counter_equal_json(int *out, pottery_counter *counter, const char *json_object)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(json_object);
    return pottery__hash_equal_json(out, &counter->c, json_object, __func__);
}

/* ---- iteration: items() and elements() ---- */

static int iter_new(pottery_counter_iter **out, pottery_counter *counter, int elements, const char *func)
{
    if (!out || !counter)
        return pottery__error(POTTERY_EINVAL, "%s: invalid argument (%s)", func, out ? "counter" : "out");
    pottery_counter_iter *it = pottery__calloc(1, sizeof *it);
    if (!it) return pottery__error_oom();
    int rc = pottery__scan_init(&it->scan, counter->c.client, "HSCAN", counter->c.key, counter->c.keylen,
                                COUNTER_SCAN_COUNT);
    if (rc < 0) {
        pottery__scan_free(&it->scan);
        pottery__free(it);
        return rc;
    }
    it->elements = elements;
    it->key = (pottery_value)POTTERY_VALUE_INIT;
    *out = it;
    return 0;
}

int pottery_counter_iter_new(pottery_counter_iter **out, pottery_counter *counter)
{
    return iter_new(out, counter, 0, __func__);
}

int pottery_counter_elements_new(pottery_counter_iter **out, pottery_counter *counter)
{
    return iter_new(out, counter, 1, __func__);
}

/* The next (key, count) entry of the scan, decoded; both are consumed even on failure, but
 * for want of memory. */
static int next_entry(pottery_counter_iter *it, pottery_value *key, int64_t *count)
{
    const char *field, *value;
    size_t flen, vlen;
    int rc = pottery__scan_next(&it->scan, &field, &flen);
    if (rc < 0) return rc;
    rc = pottery__scan_next(&it->scan, &value, &vlen);
    if (rc < 0)
        return rc == POTTERY_EITEROVER ? pottery__error(POTTERY_EPROTOCOL, "HSCAN: a field without a value") : rc;
    rc = pottery__counter_parse(count, value, vlen);
    if (rc < 0) return pottery__counter_count_error(rc, it->scan.key, it->scan.keylen, field, flen, value, vlen);
    rc = pottery__decode(key, field, flen);
    if (rc == POTTERY_ENOMEM) pottery__scan_unread(&it->scan, 2); /* the next call retries the entry */
    return rc;
}

int pottery_counter_iter_next(pottery_value *key_out, int64_t *count_out, pottery_counter_iter *it)
{
    POTTERY_CHECK_ARG(it);
    if (!it->elements) {
        pottery_value k = POTTERY_VALUE_INIT;
        int64_t n = 0;
        int rc = next_entry(it, &k, &n);
        if (rc < 0) return rc;
        if (key_out) {
            pottery_value_dispose(key_out);
            *key_out = k;
        } else {
            pottery_value_dispose(&k);
        }
        if (count_out) *count_out = n;
        return 0;
    }
    while (it->left == 0) {
        pottery_value_dispose(&it->key);
        int rc = next_entry(it, &it->key, &it->count);
        if (rc < 0) return rc;
        it->left = it->count > 0 ? it->count : 0;
    }
    if (key_out) {
        int rc = pottery__value_assign(key_out, &it->key);
        if (rc < 0) return rc;
    }
    if (count_out) *count_out = it->count;
    it->left--;
    return 0;
}

void pottery_counter_iter_free(pottery_counter_iter *it)
{
    if (!it) return;
    pottery_value_dispose(&it->key);
    pottery__scan_free(&it->scan);
    pottery__free(it);
}
