/* pottery_dict: RedisDict on a Redis hash (field = JSON(key), value = JSON(value)). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"
#include "core/error.h"
#include "core/options.h"
#include "hash_snapshot.h"
#include "lua_scripts.h"
#include "pottery/dict.h"

struct pottery_dict {
    pottery_container c;
};

struct pottery_dict_iter {
    pottery_dict *dict;
    pottery_scan scan;
};

/* Pairs per HSET when a bulk write is split to bound memory (and per Lua unpack call,
 * which Lua limits to a few thousand values). */
enum { PAIRS_PER_CHUNK = 1000 };

/* Fields per HSCAN batch: few round trips for a big hash, one batch in memory. */
enum { DICT_SCAN_COUNT = 1000 };

/* ---- helpers ---- */

static int node_holds_nan(const pottery_json_node *n)
{
    if (n->kind == POTTERY_JSON_FLOAT) return isnan(n->num);
    for (size_t i = 0; i < n->count; i++)
        if (node_holds_nan(n->items[i])) return 1;
    return 0;
}

/* A key holding a NaN (a float NaN, or a composite with one inside) is never in the dict:
 * Python looks keys up by identity, then ==, and a fresh NaN passes neither. So the answer
 * is known without a round trip. */
static int never_stored(const pottery_value *key)
{
    if (key->type == POTTERY_TYPE_DOUBLE) return isnan(key->u.d);
    if (key->type != POTTERY_TYPE_JSON || !key->u.s.ptr || !memmem(key->u.s.ptr, key->u.s.len, "NaN", 3)) return 0;
    /* The bytes may sit inside a string: parse to be sure. A parse failure is reported by
     * the encoder later, so its message must not linger here. */
    pottery_error_saved saved;
    pottery__error_save(&saved);
    pottery_json_node *n = NULL;
    int nan = pottery__value_to_node(&n, key) == 0 && node_holds_nan(n);
    pottery__json_free(n);
    pottery__error_restore(&saved);
    return nan;
}

/* A popped entry did not decode (its error is set): put it back unless the field was
 * written meanwhile (HSETNX never clobbers a concurrent writer), so the failed call leaves
 * the hash as it was. One more round trip, on this path only. field NULL: JSON(key). */
static int put_back(pottery_dict *d, const pottery_value *key, const char *field, size_t flen, const char *value,
                    size_t vlen)
{
    pottery_error_saved decode;
    pottery__error_save(&decode);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "HSETNX");
    pottery__cmd_key(&cmd, &d->c);
    if (field)
        pottery__cmd_arg(&cmd, field, flen);
    else
        pottery__cmd_value(&cmd, key);
    pottery__cmd_arg(&cmd, value, vlen);
    return pottery__pop_failed(&d->c, &decode, pottery__exec_int(NULL, d->c.client, &cmd, 0, 1, "HSETNX"), "value",
                               value, vlen);
}

/* Write the initial items, if any, only where the key does not exist yet. */
static int write_initial(pottery_container *c, const void *ctx)
{
    const pottery_dict_options *opts = ctx;
    if (!opts || opts->nitems == 0) return 0;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, c);
    for (size_t i = 0; i < opts->nitems; i++) {
        pottery__cmd_value(&args, &opts->items[i].key);
        pottery__cmd_value(&args, &opts->items[i].value);
    }
    int rc = pottery__container_create(c, &pottery__lua_dict_init, &args);
    pottery__cmd_free(&args);
    return rc;
}

int pottery_dict_open(pottery_dict **out, pottery_client *client, const char *key, const pottery_dict_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (opts) {
        int rc = pottery__options_check(opts->version, POTTERY_DICT_OPTIONS_VERSION, __func__);
        if (rc < 0) return rc;
        if (opts->nitems > 0 && opts->items == NULL)
            return pottery__error(POTTERY_EINVAL, "%s: items is NULL but nitems is %zu", __func__, opts->nitems);
    }
    pottery_container *c;
    int rc = pottery__container_open(&c, sizeof(pottery_dict), client, key, write_initial, opts);
    if (rc == 0) *out = (pottery_dict *)c;
    return rc;
}

void pottery_dict_free(pottery_dict *dict)
{
    if (dict) pottery__container_close(&dict->c);
}

const char *pottery_dict_key(const pottery_dict *dict)
{
    return dict ? dict->c.key : NULL;
}

pottery_client *pottery_dict_client(const pottery_dict *dict)
{
    return dict ? dict->c.client : NULL;
}

/* The answer for a key that is not there: a copy of dflt, or KeyError when dflt is NULL. */
static int missing(pottery_value *out, const pottery_value *key, const pottery_value *dflt)
{
    if (dflt) return pottery__value_assign(out, dflt);
    return pottery__error_value(POTTERY_ENOTFOUND, "KeyError", key);
}

/* The shared body of get and get_default: dflt NULL means KeyError on a miss. */
static int dict_get(pottery_value *out, pottery_dict *d, const pottery_value *key, const pottery_value *dflt)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    if (never_stored(key)) return missing(out, key, dflt);
    pottery_reply *r = NULL;
    int rc = pottery__container_command(&r, &d->c, "HGET", key);
    if (rc == 0) {
        if (pottery__reply_type(r) == POTTERY_REPLY_NIL)
            rc = missing(out, key, dflt);
        else if ((rc = pottery__reply_expect(r, POTTERY_REPLY_STRING, "HGET")) == 0)
            rc = pottery__reply_to_value(out, r);
    }
    pottery__reply_free(r);
    return rc;
}

int pottery_dict_get(pottery_value *out, pottery_dict *dict, pottery_value key)
{
    return dict_get(out, dict, &key, NULL);
}

int pottery_dict_get_default(pottery_value *out, pottery_dict *dict, pottery_value key, pottery_value dflt)
{
    return dict_get(out, dict, &key, &dflt);
}

int pottery_dict_set(pottery_dict *dict, pottery_value key, pottery_value value)
{
    POTTERY_CHECK_ARG(dict);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "HSET");
    pottery__cmd_key(&cmd, &dict->c);
    pottery__cmd_value(&cmd, &key);
    pottery__cmd_value(&cmd, &value);
    return pottery__exec_int(NULL, dict->c.client, &cmd, 0, 1, "HSET");
}

int pottery_dict_del(pottery_dict *dict, pottery_value key)
{
    POTTERY_CHECK_ARG(dict);
    if (never_stored(&key)) return pottery__error_value(POTTERY_ENOTFOUND, "KeyError", &key);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "HDEL");
    pottery__cmd_key(&cmd, &dict->c);
    pottery__cmd_value(&cmd, &key);
    long long deleted = 0;
    int rc = pottery__exec_int(&deleted, dict->c.client, &cmd, 0, 1, "HDEL");
    if (rc == 0 && !deleted) rc = pottery__error_value(POTTERY_ENOTFOUND, "KeyError", &key);
    return rc;
}

int pottery_dict_contains(int *out, pottery_dict *dict, pottery_value key)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(dict);
    if (never_stored(&key)) {
        *out = 0;
        return 0;
    }
    return pottery__container_has(out, &dict->c, "HEXISTS", &key);
}

int pottery_dict_len(int64_t *out, pottery_dict *dict)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(dict);
    return pottery__container_count(out, &dict->c, "HLEN");
}

/* MULTI; <first> hash JSON(key) [JSON(value)]; <second> hash JSON(key); EXEC — one round
 * trip, atomic. Returns EXEC's two results (their types are the caller's to check). */
static int atomic_pair(pottery_reply **exec, pottery_dict *d, const char *first, const char *second,
                       const pottery_value *key, const pottery_value *value)
{
    pottery_cmd cmds[2];
    pottery__cmd_init(&cmds[0]);
    pottery__cmd_init(&cmds[1]);
    pottery__cmd_cstr(&cmds[0], first);
    pottery__cmd_key(&cmds[0], &d->c);
    pottery__cmd_value(&cmds[0], key);
    if (value) pottery__cmd_value(&cmds[0], value);
    pottery__cmd_cstr(&cmds[1], second);
    pottery__cmd_key(&cmds[1], &d->c);
    pottery__cmd_value(&cmds[1], key);
    int rc = pottery__exec_multi(exec, d->c.client, cmds, 2);
    pottery__cmd_free(&cmds[0]);
    pottery__cmd_free(&cmds[1]);
    if (rc == 0) rc = pottery__reply_array_n(*exec, 2, "EXEC");
    if (rc < 0) {
        pottery__reply_free(*exec);
        *exec = NULL;
    }
    return rc;
}

static int dict_pop(pottery_value *out, pottery_dict *d, const pottery_value *key, const pottery_value *dflt)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    if (never_stored(key)) return missing(out, key, dflt);
    pottery_reply *exec = NULL;
    int rc = atomic_pair(&exec, d, "HGET", "HDEL", key, NULL);
    if (rc < 0) return rc;
    const pottery_reply *value = pottery__reply_at(exec, 0);
    int absent = pottery__reply_type(value) == POTTERY_REPLY_NIL;
    long long deleted = 0;
    if (!absent) rc = pottery__reply_expect(value, POTTERY_REPLY_STRING, "HGET");
    if (rc == 0) rc = pottery__reply_int_in(&deleted, pottery__reply_at(exec, 1), !absent, !absent, "HDEL after HGET");
    if (rc == 0 && absent) {
        rc = missing(out, key, dflt);
    } else if (rc == 0 && (rc = pottery__reply_to_value(out, value)) < 0) {
        size_t len;
        const char *bytes = pottery__reply_str(value, &len);
        rc = put_back(d, key, NULL, 0, bytes, len);
    }
    pottery__reply_free(exec);
    return rc;
}

int pottery_dict_pop(pottery_value *out, pottery_dict *dict, pottery_value key)
{
    return dict_pop(out, dict, &key, NULL);
}

int pottery_dict_pop_default(pottery_value *out, pottery_dict *dict, pottery_value key, pottery_value dflt)
{
    return dict_pop(out, dict, &key, &dflt);
}

int pottery_dict_setdefault(pottery_value *out, pottery_dict *dict, pottery_value key, pottery_value dflt)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(dict);
    if (never_stored(&key)) {
        /* Never there, so Python stores the default: as set does, over the field "NaN". */
        int rc = pottery_dict_set(dict, key, dflt);
        return rc < 0 ? rc : pottery__value_assign(out, &dflt);
    }
    pottery_reply *exec = NULL;
    long long created;
    int rc = atomic_pair(&exec, dict, "HSETNX", "HGET", &key, &dflt);
    if (rc < 0) return rc;
    const pottery_reply *value = pottery__reply_at(exec, 1);
    rc = pottery__reply_int_in(&created, pottery__reply_at(exec, 0), 0, 1, "HSETNX");
    if (rc == 0) rc = pottery__reply_expect(value, POTTERY_REPLY_STRING, "HGET after HSETNX");
    if (rc == 0) rc = pottery__reply_to_value(out, value);
    pottery__reply_free(exec);
    return rc;
}

int pottery_dict_popitem(pottery_value *key_out, pottery_value *value_out, pottery_dict *dict)
{
    POTTERY_CHECK_ARG(dict);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &dict->c);
    pottery_reply *r = NULL;
    int rc = pottery__eval(&r, dict->c.client, &pottery__lua_dict_popitem, 1, &args);
    pottery__cmd_free(&args);
    if (rc < 0) return rc;
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) {
        pottery__reply_free(r);
        return pottery__error(POTTERY_ENOTFOUND, "KeyError: 'popitem(): dictionary is empty'");
    }
    const char *field = NULL, *value = NULL;
    size_t flen = 0, vlen = 0;
    rc = pottery__reply_array_n(r, 2, pottery__lua_dict_popitem.name);
    if (rc == 0) rc = pottery__reply_bytes(&field, &flen, pottery__reply_at(r, 0), pottery__lua_dict_popitem.name);
    if (rc == 0) rc = pottery__reply_bytes(&value, &vlen, pottery__reply_at(r, 1), pottery__lua_dict_popitem.name);
    /* Decode both before touching the outputs, so a foreign entry leaves them as they were. */
    pottery_value k = POTTERY_VALUE_INIT, v = POTTERY_VALUE_INIT;
    if (rc == 0 && (pottery__decode(&k, field, flen) < 0 || pottery__decode(&v, value, vlen) < 0))
        rc = put_back(dict, NULL, field, flen, value, vlen); /* reports the decode error */
    pottery__reply_free(r);
    if (rc < 0) {
        pottery_value_dispose(&k);
        pottery_value_dispose(&v);
        return rc;
    }
    if (key_out) {
        pottery_value_dispose(key_out);
        *key_out = k;
    } else
        pottery_value_dispose(&k);
    if (value_out) {
        pottery_value_dispose(value_out);
        *value_out = v;
    } else
        pottery_value_dispose(&v);
    return 0;
}

/* An update as a bulk write: one HSET per PAIRS_PER_CHUNK pairs. */
typedef struct hset_chunks {
    pottery_dict *dict;
    const pottery_pair *items;
    size_t n, next;
} hset_chunks;

static int next_hset(pottery_cmd *cmd, void *ctx)
{
    hset_chunks *h = ctx;
    if (h->next == h->n) return 0;
    size_t to = h->n - h->next > PAIRS_PER_CHUNK ? h->next + PAIRS_PER_CHUNK : h->n;
    pottery__cmd_cstr(cmd, "HSET");
    pottery__cmd_key(cmd, &h->dict->c);
    for (; h->next < to; h->next++) {
        pottery__cmd_value(cmd, &h->items[h->next].key);
        pottery__cmd_value(cmd, &h->items[h->next].value);
    }
    return 1;
}

static int check_hset(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    (void)ctx;
    long long added;
    return pottery__reply_int_in(&added, r, 0, PAIRS_PER_CHUNK, "HSET");
}

int pottery_dict_update(pottery_dict *dict, const pottery_pair *items, size_t n)
{
    POTTERY_CHECK_ARG(dict);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(items);
    hset_chunks h = { dict, items, n, 0 };
    pottery_bulk b = { dict->c.client, next_hset, check_hset, &h };
    return pottery__bulk_write(&b);
}

int pottery_dict_update_from(pottery_dict *dict, pottery_dict *other)
{
    POTTERY_CHECK_ARG(dict);
    POTTERY_CHECK_ARG(other);
    int rc;
    if (pottery__containers_colocated(&dict->c, &other->c)) {
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_key(&args, &dict->c);
        pottery__cmd_key(&args, &other->c);
        pottery_reply *r = NULL;
        long long copied;
        rc = pottery__eval(&r, dict->c.client, &pottery__lua_dict_update_from, 2, &args);
        pottery__cmd_free(&args);
        if (rc == 0) rc = pottery__reply_int_in(&copied, r, 0, LLONG_MAX, pottery__lua_dict_update_from.name);
        pottery__reply_free(r);
        return rc;
    }
    /* Not colocated (another server, or another Redis Cluster hash slot): copy batch by
     * batch, bytes as they are (already canonical). */
    pottery_scan scan;
    rc = pottery__scan_init(&scan, other->c.client, "HSCAN", other->c.key, other->c.keylen, DICT_SCAN_COUNT);
    if (rc < 0) return rc;
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    size_t pairs = 0;
    for (;;) {
        const char *field = "", *value = "";
        size_t flen = 0, vlen = 0;
        rc = pottery__scan_next(&scan, &field, &flen);
        if (rc == 0) rc = pottery__scan_next(&scan, &value, &vlen);
        if (rc == POTTERY_EITEROVER || (rc == 0 && pairs == PAIRS_PER_CHUNK)) {
            if (pairs > 0) {
                int wrc = pottery__exec_int(NULL, dict->c.client, &cmd, 0, (long long)pairs, "HSET");
                if (wrc < 0) {
                    rc = wrc;
                    break;
                }
            }
            pairs = 0;
            pottery__cmd_reset(&cmd);
            if (rc == POTTERY_EITEROVER) {
                rc = 0;
                break;
            }
        }
        if (rc < 0) break;
        if (pairs == 0) {
            pottery__cmd_cstr(&cmd, "HSET");
            pottery__cmd_key(&cmd, &dict->c);
        }
        pottery__cmd_copy(&cmd, field, flen);
        pottery__cmd_copy(&cmd, value, vlen);
        pairs++;
    }
    pottery__cmd_free(&cmd);
    pottery__scan_free(&scan);
    return rc;
}

int pottery_dict_clear(pottery_dict *dict)
{
    POTTERY_CHECK_ARG(dict);
    return pottery__container_clear(&dict->c);
}

/* ---- snapshots: to_json, repr, equality ---- */

int pottery_dict_to_json(char **out, size_t *out_len, pottery_dict *dict)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(dict);
    return pottery__hash_to_json(out, out_len, &dict->c);
}

int pottery_dict_repr(char **out, pottery_dict *dict)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(dict);
    pottery_hash_snapshot s = POTTERY_HASH_SNAPSHOT_INIT;
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = pottery__hash_snapshot_read(&s, dict->c.client, dict->c.key, dict->c.keylen);
    if (rc == 0) rc = pottery__hash_snapshot_repr(&b, &s, "RedisDict");
    if (rc == 0) rc = pottery__buf_detach(&b, out, NULL);
    pottery__buf_free(&b);
    pottery__hash_snapshot_free(&s);
    return rc;
}

int pottery_dict_equal_from(int *out, pottery_dict *dict, pottery_dict *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(dict);
    POTTERY_CHECK_ARG(other);
    return pottery__hash_equal(out, &dict->c, &other->c);
}

int pottery_dict_equal_json(int *out, pottery_dict *dict, const char *json_object)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(dict);
    POTTERY_CHECK_ARG(json_object);
    return pottery__hash_equal_json(out, &dict->c, json_object, __func__);
}

/* ---- iteration ---- */

int pottery_dict_iter_new(pottery_dict_iter **out, pottery_dict *dict)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(dict);
    pottery_dict_iter *it = pottery__calloc(1, sizeof *it);
    if (!it) return pottery__error_oom();
    int rc = pottery__scan_init(&it->scan, dict->c.client, "HSCAN", dict->c.key, dict->c.keylen, DICT_SCAN_COUNT);
    if (rc < 0) {
        pottery__free(it);
        return rc;
    }
    it->dict = dict;
    *out = it;
    return 0;
}

/* Decode one scanned item into *out (if wanted), keeping *out untouched on failure. */
static int decode_item(pottery_value *out, const char *text, size_t len)
{
    if (!out) return 0;
    pottery_value tmp = POTTERY_VALUE_INIT;
    int rc = pottery__decode(&tmp, text, len);
    if (rc < 0) return rc;
    pottery_value_dispose(out);
    *out = tmp;
    return 0;
}

int pottery_dict_iter_next(pottery_value *key_out, pottery_value *value_out, pottery_dict_iter *it)
{
    POTTERY_CHECK_ARG(it);
    const char *field, *value;
    size_t flen, vlen;
    int rc = pottery__scan_next(&it->scan, &field, &flen);
    if (rc < 0) return rc;
    /* Take the value before decoding, so a foreign field still leaves the cursor on the
     * next entry. The field's bytes stay valid: both come from the same batch. */
    rc = pottery__scan_next(&it->scan, &value, &vlen);
    if (rc < 0)
        return rc == POTTERY_EITEROVER ? pottery__error(POTTERY_EPROTOCOL, "HSCAN returned a field without a value")
                                       : rc;
    pottery_value k = POTTERY_VALUE_INIT;
    rc = decode_item(key_out ? &k : NULL, field, flen);
    if (rc == 0) rc = decode_item(value_out, value, vlen);
    if (rc == POTTERY_ENOMEM) pottery__scan_unread(&it->scan, 2); /* the next call retries the entry */
    if (rc == 0 && key_out) {
        pottery_value_dispose(key_out);
        *key_out = k;
    } else {
        pottery_value_dispose(&k);
    }
    return rc;
}

void pottery_dict_iter_free(pottery_dict_iter *it)
{
    if (!it) return;
    pottery__scan_free(&it->scan);
    pottery__free(it);
}
