/* pottery_cache: redis_cache, a function's results memoized in a Redis hash (field = the
 * call's field, value = JSON(result)), its expiry slid on every use. */
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cache_impl.h"
#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"
#include "pottery/cache.h"

struct pottery_cache {
    pottery_container c;
    pottery_cache_fn fn;
    void *payload;
    pottery_cache_fields fields;
    _Atomic int64_t hits, misses;      /* atomic: a handle on a pool is shared by threads */
    size_t ttl_len;                    /* 0: the hash never expires */
    char ttl[POTTERY_INT64_TEXT_SIZE]; /* PEXPIRE's argument, the timeout in ms as text */
};

/* How much of a field an error message shows. */
enum { FIELD_SHOWN = 100 };

static int check_options(const pottery_cache_options *opts, const char *fn)
{
    int rc = pottery__options_check(opts->version, POTTERY_CACHE_OPTIONS_VERSION, fn);
    if (rc < 0) return rc;
    if (opts->timeout_ms < 0 && opts->timeout_ms != POTTERY_FOREVER)
        return pottery__error(POTTERY_EINVAL, "%s: timeout_ms is %lld (0 or POTTERY_FOREVER: no expiry)", fn,
                              (long long)opts->timeout_ms);
    if (opts->fields != POTTERY_CACHE_FIELDS_JSON && opts->fields != POTTERY_CACHE_FIELDS_PYTHON)
        return pottery__error(POTTERY_EINVAL, "%s: fields is %d, not a pottery_cache_fields value", fn,
                              (int)opts->fields);
    return 0;
}

int pottery_cache_open(pottery_cache **out, pottery_client *client, const char *key, pottery_cache_fn fn, void *payload,
                       const pottery_cache_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    POTTERY_CHECK_ARG(fn);
    pottery_cache_options defaults = POTTERY_CACHE_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    int rc = check_options(opts, __func__);
    if (rc < 0) return rc;
    pottery_container *c;
    rc = pottery__container_open(&c, sizeof(pottery_cache), client, key, NULL, NULL);
    if (rc < 0) return rc;
    pottery_cache *cache = (pottery_cache *)c;
    cache->fn = fn;
    cache->payload = payload;
    cache->fields = opts->fields;
    if (opts->timeout_ms > 0) cache->ttl_len = pottery__int64_text(cache->ttl, opts->timeout_ms);
    *out = cache;
    return 0;
}

void pottery_cache_free(pottery_cache *cache)
{
    if (cache) pottery__container_close(&cache->c);
}

const char *pottery_cache_key(const pottery_cache *cache)
{
    return cache ? cache->c.key : NULL;
}

pottery_client *pottery_cache_client(const pottery_cache *cache)
{
    return cache ? cache->c.client : NULL;
}

/* ---- the steps of a call ---- */

static int check_call(const void *out, const pottery_cache *cache, const pottery_value *args, size_t nargs,
                      const char *fn)
{
    if (!out || !cache)
        return pottery__error(POTTERY_EINVAL, "%s: invalid argument (%s is NULL)", fn, out ? "cache" : "out");
    if (nargs > 0 && !args) return pottery__error(POTTERY_EINVAL, "%s: args is NULL but nargs is %zu", fn, nargs);
    return 0;
}

/* Check a call's arguments, then build its field into *field (freed by the caller). */
static int call_field(pottery_buf *field, const void *out, const pottery_cache *cache, const pottery_value *args,
                      size_t nargs, const char *fn)
{
    int rc = check_call(out, cache, args, nargs, fn);
    return rc < 0 ? rc : pottery__cache_field(field, cache->fields, args, nargs, fn);
}

/* The stored value of field: *found 1 and the decoded value in *hit, or 0 when the call is
 * not cached. With a timeout the expiry slides in the same script. One round trip. */
static int lookup(pottery_value *hit, int *found, const pottery_cache *cache, const pottery_buf *field)
{
    pottery_cmd cmd;
    pottery_reply *r = NULL;
    const char *what;
    int rc;
    pottery__cmd_init(&cmd);
    if (cache->ttl_len) {
        what = pottery__lua_cache_get.name;
        pottery__cmd_key(&cmd, &cache->c);
        pottery__cmd_arg(&cmd, field->data, field->len);
        pottery__cmd_arg(&cmd, cache->ttl, cache->ttl_len);
        rc = pottery__eval(&r, cache->c.client, &pottery__lua_cache_get, 1, &cmd);
    } else {
        what = "HGET";
        pottery__cmd_cstr(&cmd, what);
        pottery__cmd_key(&cmd, &cache->c);
        pottery__cmd_arg(&cmd, field->data, field->len);
        rc = pottery__exec(&r, cache->c.client, &cmd);
    }
    pottery__cmd_free(&cmd);
    const char *bytes = NULL;
    size_t len = 0;
    if (rc == 0) rc = pottery__reply_bytes_or_nil(&bytes, &len, r, what);
    *found = rc == 0 && bytes != NULL;
    if (*found && (rc = pottery__decode(hit, bytes, len)) == POTTERY_EDECODE) {
        pottery_error_saved saved;
        pottery__error_save(&saved);
        rc = pottery__error(POTTERY_EDECODE,
                            "cache '%s': the entry of the call %.*s%s is not JSON (%s); it was left as is",
                            cache->c.key, (int)(field->len < FIELD_SHOWN ? field->len : FIELD_SHOWN), field->data,
                            field->len > FIELD_SHOWN ? "..." : "", saved.message);
    }
    pottery__reply_free(r);
    return rc;
}

/* Store json as the entry of field (HSET, and the expiry slid in the same script when the
 * cache has a timeout). One round trip. */
static int store(const pottery_cache *cache, const pottery_buf *field, const pottery_buf *json)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    if (!cache->ttl_len) {
        pottery__cmd_cstr(&cmd, "HSET");
        pottery__cmd_key(&cmd, &cache->c);
        pottery__cmd_arg(&cmd, field->data, field->len);
        pottery__cmd_arg(&cmd, json->data, json->len);
        return pottery__exec_int(NULL, cache->c.client, &cmd, 0, 1, "HSET");
    }
    pottery__cmd_key(&cmd, &cache->c);
    pottery__cmd_arg(&cmd, field->data, field->len);
    pottery__cmd_arg(&cmd, json->data, json->len);
    pottery__cmd_arg(&cmd, cache->ttl, cache->ttl_len);
    pottery_reply *r = NULL;
    int rc = pottery__eval(&r, cache->c.client, &pottery__lua_cache_store, 1, &cmd);
    pottery__cmd_free(&cmd);
    long long added = 0;
    if (rc == 0) rc = pottery__reply_int_in(&added, r, 0, 1, pottery__lua_cache_store.name);
    pottery__reply_free(r);
    return rc;
}

/* Run the function into *result (which it owns afterwards). Its failure comes back as it
 * returned it, with its message; a positive return is not an error code. */
static int run_function(pottery_value *result, const pottery_cache *cache, const pottery_value *args, size_t nargs,
                        const char *fn)
{
    pottery_value tmp = POTTERY_VALUE_INIT;
    int rc = cache->fn(&tmp, args, nargs, cache->payload);
    if (rc != 0) {
        pottery_value_dispose(&tmp);
        if (rc > 0)
            return pottery__error(POTTERY_EINVAL, "%s: the cached function returned %d, neither 0 nor an error code",
                                  fn, rc);
        return rc;
    }
    *result = tmp;
    return 0;
}

/* A miss or a bypass: run the function, store its result for field, and give *out the
 * stored JSON decoded (so that the value is the one a later hit gives). */
static int compute_and_store(pottery_value *out, const pottery_cache *cache, const pottery_buf *field,
                             const pottery_value *args, size_t nargs, const char *fn)
{
    pottery_value result = POTTERY_VALUE_INIT;
    int rc = run_function(&result, cache, args, nargs, fn);
    if (rc < 0) return rc;
    pottery_buf json = POTTERY_BUF_INIT;
    rc = pottery__encode(&json, &result);
    pottery_value_dispose(&result);
    if (rc < 0 && rc != POTTERY_ENOMEM) {
        pottery_error_saved saved;
        pottery__error_save(&saved);
        rc = pottery__error(rc, "%s: cache '%s': the function's result cannot be stored as JSON: %s", fn, cache->c.key,
                            saved.message);
    }
    pottery_value fresh = POTTERY_VALUE_INIT;
    if (rc == 0) rc = pottery__decode(&fresh, json.data, json.len);
    if (rc == 0) rc = store(cache, field, &json);
    pottery__buf_free(&json);
    if (rc < 0) {
        pottery_value_dispose(&fresh);
        return rc;
    }
    pottery_value_dispose(out);
    *out = fresh;
    return 0;
}

/* ---- the public calls ---- */

int pottery_cache_call(pottery_value *out, pottery_cache *cache, const pottery_value *args, size_t nargs)
{
    pottery_buf field = POTTERY_BUF_INIT;
    int rc = call_field(&field, out, cache, args, nargs, __func__);
    pottery_value hit = POTTERY_VALUE_INIT;
    int found = 0;
    if (rc == 0) rc = lookup(&hit, &found, cache, &field);
    if (rc == 0 && found) {
        pottery_value_dispose(out);
        *out = hit;
        atomic_fetch_add_explicit(&cache->hits, 1, memory_order_relaxed);
    } else if (rc == 0 && (rc = compute_and_store(out, cache, &field, args, nargs, __func__)) == 0) {
        atomic_fetch_add_explicit(&cache->misses, 1, memory_order_relaxed);
    }
    pottery__buf_free(&field);
    return rc;
}

int pottery_cache_bypass(pottery_value *out, pottery_cache *cache, const pottery_value *args, size_t nargs)
{
    pottery_buf field = POTTERY_BUF_INIT;
    int rc = call_field(&field, out, cache, args, nargs, __func__);
    if (rc == 0) rc = compute_and_store(out, cache, &field, args, nargs, __func__);
    pottery__buf_free(&field);
    return rc;
}

int pottery_cache_wrapped(pottery_value *out, pottery_cache *cache, const pottery_value *args, size_t nargs)
{
    int rc = check_call(out, cache, args, nargs, __func__);
    if (rc < 0) return rc;
    pottery_value result = POTTERY_VALUE_INIT;
    rc = run_function(&result, cache, args, nargs, __func__);
    if (rc < 0) return rc;
    pottery_value_dispose(out);
    *out = result;
    return 0;
}

int pottery_cache_info_get(pottery_cache_info *out, pottery_cache *cache)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(cache);
    int64_t size = 0;
    int rc = pottery__container_count(&size, &cache->c, "HLEN");
    if (rc < 0) return rc;
    out->hits = atomic_load_explicit(&cache->hits, memory_order_relaxed);
    out->misses = atomic_load_explicit(&cache->misses, memory_order_relaxed);
    out->maxsize = -1;
    out->currsize = size;
    return 0;
}

int pottery_cache_clear(pottery_cache *cache)
{
    POTTERY_CHECK_ARG(cache);
    int rc = pottery__container_clear(&cache->c);
    if (rc == 0) {
        atomic_store_explicit(&cache->hits, 0, memory_order_relaxed);
        atomic_store_explicit(&cache->misses, 0, memory_order_relaxed);
    }
    return rc;
}

int pottery_cache_field(char **out, size_t *out_len, const pottery_cache *cache, const pottery_value *args,
                        size_t nargs)
{
    pottery_buf field = POTTERY_BUF_INIT;
    int rc = call_field(&field, out, cache, args, nargs, __func__);
    if (rc == 0) rc = pottery__buf_detach(&field, out, out_len);
    pottery__buf_free(&field);
    return rc;
}
