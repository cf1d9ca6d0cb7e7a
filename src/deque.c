/* pottery_deque: RedisDeque on a Redis list (element = JSON(value)), with an optional maxlen.
 *
 * A deque handle is a list handle (its first member) with a maxlen: the writes are the
 * deque's own (every push runs with its trim as one bulk write: a plain RPUSH/LPUSH without
 * maxlen, MULTI/PUSH/LTRIM/EXEC with it; pops are one RPOP/LPOP; rotate and insert are Lua
 * scripts), and the reads (indexing, slices, index, count, membership, len, iteration,
 * to_json, equality) are pottery_list's on the same handle, so the two modules read a list
 * in exactly one way. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "list_impl.h"
#include "lua_scripts.h"
#include "pottery/deque.h"
#include "pottery/list.h"

struct pottery_deque {
    pottery_list list; /* first: the container, and the list handle the reads go through */
    int64_t maxlen;    /* POTTERY_DEQUE_NO_MAXLEN or >= 0 */
};

struct pottery_deque_iter {
    pottery_list_iter *it;
};

/* The result of a pottery_list call made by the deque function func: a message naming the
 * list function ("pottery_list_equal_json: not a JSON array") names func instead. */
static int named(int rc, const char *func)
{
    static const char prefix[] = "pottery_list_";
    const pottery_error *e = pottery_error_last();
    if (rc >= 0 || rc == POTTERY_EITEROVER || e->code != rc || strncmp(e->message, prefix, sizeof prefix - 1) != 0)
        return rc;
    /* Copied first: the message being written must not be read at the same time. */
    char rest[POTTERY_ERROR_MESSAGE_MAX];
    snprintf(rest, sizeof rest, "%s", e->message + strcspn(e->message, ":"));
    return pottery__error(rc, "%s%s", func, rest);
}

/* ---- open, free, accessors ---- */

/* The first of n values that a deque bounded by maxlen keeps: only the last maxlen of a
 * bulk push survive, so the ones before are checked (encoded) but never sent. */
static size_t first_kept(int64_t maxlen, size_t n)
{
    if (maxlen == POTTERY_DEQUE_NO_MAXLEN || (uint64_t)maxlen >= n) return 0;
    return n - (size_t)maxlen;
}

/* Encode values[0..n) without sending them: the dropped ones must fail like the others. */
static int check_encodable(const pottery_value *values, size_t n)
{
    pottery_buf scratch = POTTERY_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        pottery__buf_clear(&scratch);
        rc = pottery__encode(&scratch, &values[i]);
    }
    pottery__buf_free(&scratch);
    return rc;
}

/* Finish a new handle: its maxlen, then the initial items (the last maxlen of them, only
 * where the key does not exist yet), or with a maxlen and no items the check that the
 * existing list is not longer. */
static int fill(pottery_container *c, const void *ctx)
{
    const pottery_deque_options *o = ctx;
    pottery_deque *d = (pottery_deque *)c;
    d->maxlen = o->maxlen;
    if (o->nitems > 0) {
        size_t from = first_kept(d->maxlen, o->nitems);
        int rc = check_encodable(o->items, from);
        if (rc < 0) return rc;
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_key(&args, c);
        for (size_t i = from; i < o->nitems; i++) pottery__list_cmd_element(&args, &o->items[i]);
        rc = pottery__container_create(c, &pottery__lua_list_init, &args);
        pottery__cmd_free(&args);
        return rc;
    }
    if (d->maxlen == POTTERY_DEQUE_NO_MAXLEN) return 0;
    int64_t len = 0;
    int rc = pottery__container_count(&len, c, "LLEN");
    if (rc == 0 && len > d->maxlen)
        rc = pottery__error(POTTERY_EINDEX, "IndexError: persistent RedisDeque beyond its maximum size");
    return rc;
}

int pottery_deque_open(pottery_deque **out, pottery_client *client, const char *key, const pottery_deque_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    pottery_deque_options o;
    pottery_deque_options_init(&o);
    if (opts) {
        int rc = pottery__options_check(opts->version, POTTERY_DEQUE_OPTIONS_VERSION, __func__);
        if (rc < 0) return rc;
        o = *opts;
    }
    if (o.nitems > 0 && o.items == NULL)
        return pottery__error(POTTERY_EINVAL, "pottery_deque_open: items is NULL but nitems is %zu", o.nitems);
    if (o.maxlen < 0 && o.maxlen != POTTERY_DEQUE_NO_MAXLEN)
        return pottery__error(POTTERY_EINVAL, "ValueError: maxlen must be non-negative");
    pottery_container *c;
    int rc = pottery__container_open(&c, sizeof(pottery_deque), client, key, fill, &o);
    if (rc == 0) *out = (pottery_deque *)c;
    return rc;
}

void pottery_deque_free(pottery_deque *deque)
{
    if (deque) pottery__container_close(&deque->list.c);
}

const char *pottery_deque_key(const pottery_deque *deque)
{
    return deque ? deque->list.c.key : NULL;
}

pottery_client *pottery_deque_client(const pottery_deque *deque)
{
    return deque ? deque->list.c.client : NULL;
}

int pottery_deque_maxlen(int64_t *out, const pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    *out = deque->maxlen;
    return 0;
}

/* ---- pushes ---- */

/* The body of append/appendleft/extend/extendleft: values pushed one after the other on the
 * right (RPUSH) or the left (LPUSH), then (with a maxlen) the other end trimmed, all in one
 * bulk write. The trim range depends only on maxlen (negative indexes count from the end),
 * so MULTI/PUSH/LTRIM/EXEC needs no read first: atomic, one round trip, and cheaper for the
 * server than a script. With maxlen 0 only the LTRIM is left. */
static int push(pottery_deque *d, int left, const pottery_value *values, size_t n)
{
    size_t from = first_kept(d->maxlen, n);
    int rc = check_encodable(values, from);
    if (rc < 0) return rc;
    if (d->maxlen == POTTERY_DEQUE_NO_MAXLEN)
        return pottery__list_push(&d->list.c, left, values + from, n - from, NULL);
    pottery_list_trim trim;
    if (d->maxlen == 0) {
        /* An empty range: LTRIM removes the key (maxlen 0 is always empty, pottery quirk 6). */
        trim.start = 1;
        trim.stop = 0;
    } else if (left) {
        trim.start = 0;
        trim.stop = (long long)d->maxlen - 1;
    } else {
        trim.start = -(long long)d->maxlen;
        trim.stop = -1;
    }
    return pottery__list_push(&d->list.c, left, values + from, n - from, &trim);
}

int pottery_deque_append(pottery_deque *deque, pottery_value value)
{
    POTTERY_CHECK_ARG(deque);
    return push(deque, 0, &value, 1);
}

int pottery_deque_appendleft(pottery_deque *deque, pottery_value value)
{
    POTTERY_CHECK_ARG(deque);
    return push(deque, 1, &value, 1);
}

int pottery_deque_extend(pottery_deque *deque, const pottery_value *values, size_t n)
{
    POTTERY_CHECK_ARG(deque);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(values);
    return push(deque, 0, values, n);
}

int pottery_deque_extendleft(pottery_deque *deque, const pottery_value *values, size_t n)
{
    POTTERY_CHECK_ARG(deque);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(values);
    return push(deque, 1, values, n);
}

/* ---- pops ---- */

static const char pop_empty[] = "IndexError: pop from an empty deque";

int pottery_deque_pop(pottery_value *out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return pottery__list_pop_end(out, &deque->list, 0, pop_empty);
}

int pottery_deque_popleft(pottery_value *out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return pottery__list_pop_end(out, &deque->list, 1, pop_empty);
}

/* ---- rotate and insert ---- */

int pottery_deque_rotate(pottery_deque *deque, int64_t n)
{
    POTTERY_CHECK_ARG(deque);
    if (n == 0) return 0;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &deque->list.c);
    pottery__cmd_int(&args, (long long)n);
    return pottery__list_run_script_int(NULL, &deque->list, &pottery__lua_deque_rotate, &args, 0, LLONG_MAX);
}

int pottery_deque_insert(pottery_deque *deque, int64_t index, pottery_value value)
{
    POTTERY_CHECK_ARG(deque);
    /* The length check and the list's insert in one script: no maxlen is no check. */
    int inserted = 0;
    int rc = pottery__list_insert(&inserted, &deque->list, index, &value, deque->maxlen);
    if (rc == 0 && !inserted) rc = pottery__error(POTTERY_EINDEX, "IndexError: deque already at its maximum size");
    return rc;
}

/* ---- everything else: the list's operations, in collections.deque's words ---- */

/* pottery_list reports IndexError and ValueError in list's words; a deque answers as
 * Python's deque does. Other codes pass through unchanged (named as named() does). */
static int in_deque_words(int rc, int code, const char *message, const char *func)
{
    return rc == code ? pottery__error(code, "%s", message) : named(rc, func);
}

static const char index_error[] = "IndexError: deque index out of range";

int pottery_deque_peek(pottery_value *out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return in_deque_words(pottery_list_get(out, &deque->list, -1), POTTERY_EINDEX, index_error, __func__);
}

int pottery_deque_peekleft(pottery_value *out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return in_deque_words(pottery_list_get(out, &deque->list, 0), POTTERY_EINDEX, index_error, __func__);
}

int pottery_deque_get(pottery_value *out, pottery_deque *deque, int64_t index)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return in_deque_words(pottery_list_get(out, &deque->list, index), POTTERY_EINDEX, index_error, __func__);
}

int pottery_deque_set(pottery_deque *deque, int64_t index, pottery_value value)
{
    POTTERY_CHECK_ARG(deque);
    return in_deque_words(pottery_list_set(&deque->list, index, value), POTTERY_EINDEX, index_error, __func__);
}

int pottery_deque_del(pottery_deque *deque, int64_t index)
{
    POTTERY_CHECK_ARG(deque);
    return in_deque_words(pottery_list_del(&deque->list, index), POTTERY_EINDEX, index_error, __func__);
}

int pottery_deque_remove(pottery_deque *deque, pottery_value value)
{
    POTTERY_CHECK_ARG(deque);
    return in_deque_words(pottery_list_remove(&deque->list, value), POTTERY_ENOTFOUND,
                          "ValueError: deque.remove(x): x not in deque", __func__);
}

int pottery_deque_reverse(pottery_deque *deque)
{
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_reverse(&deque->list), __func__);
}

int pottery_deque_clear(pottery_deque *deque)
{
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_clear(&deque->list), __func__);
}

int pottery_deque_len(int64_t *out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_len(out, &deque->list), __func__);
}

int pottery_deque_get_slice(pottery_value *out, pottery_deque *deque, pottery_slice slice)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_get_slice(out, &deque->list, slice), __func__);
}

/* "ValueError: 'x' is not in deque" for a failed index(). */
static int not_in_deque(int rc, const pottery_value *value)
{
    if (rc != POTTERY_ENOTFOUND) return rc;
    char *repr = NULL;
    if (pottery_value_repr(&repr, *value) < 0) return pottery__error(rc, "ValueError: value is not in deque");
    pottery__error(rc, "ValueError: %s is not in deque", repr);
    pottery_free(repr);
    return rc;
}

int pottery_deque_index(int64_t *out, pottery_deque *deque, pottery_value value)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return not_in_deque(named(pottery_list_index(out, &deque->list, value), __func__), &value);
}

int pottery_deque_index_range(int64_t *out, pottery_deque *deque, pottery_value value, int64_t start, int64_t stop)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return not_in_deque(named(pottery_list_index_range(out, &deque->list, value, start, stop), __func__), &value);
}

int pottery_deque_count(int64_t *out, pottery_deque *deque, pottery_value value)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_count(out, &deque->list, value), __func__);
}

int pottery_deque_contains(int *out, pottery_deque *deque, pottery_value value)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_contains(out, &deque->list, value), __func__);
}

int pottery_deque_to_json(char **out, size_t *out_len, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_to_json(out, out_len, &deque->list), __func__);
}

int pottery_deque_repr(char **out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    char *items = NULL;
    int rc = named(pottery_list_repr_items(&items, &deque->list), __func__);
    if (rc < 0) return rc;
    pottery_buf b = POTTERY_BUF_INIT;
    rc = pottery__buf_puts(&b, "RedisDeque(");
    if (rc == 0) rc = pottery__buf_puts(&b, items);
    if (rc == 0 && deque->maxlen != POTTERY_DEQUE_NO_MAXLEN) {
        char bound[POTTERY_INT64_TEXT_SIZE];
        rc = pottery__buf_puts(&b, ", maxlen=");
        if (rc == 0) rc = pottery__buf_append(&b, bound, pottery__int64_text(bound, deque->maxlen));
    }
    if (rc == 0) rc = pottery__buf_putc(&b, ')');
    if (rc == 0) rc = pottery__buf_detach(&b, out, NULL);
    pottery__buf_free(&b);
    pottery_free(items);
    return rc;
}

int pottery_deque_equal_from(int *out, pottery_deque *deque, pottery_deque *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    POTTERY_CHECK_ARG(other);
    return named(pottery_list_equal_from(out, &deque->list, &other->list), __func__);
}

int pottery_deque_equal_json(int *out, pottery_deque *deque, const char *json_array)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    POTTERY_CHECK_ARG(json_array);
    return named(pottery_list_equal_json(out, &deque->list, json_array), __func__);
}

/* ---- iteration ---- */

static int iter_new(pottery_deque_iter **out, pottery_deque *deque, int reversed, const char *func)
{
    pottery_deque_iter *it = pottery__calloc(1, sizeof *it);
    if (!it) return pottery__error_oom();
    int rc =
        reversed ? pottery_list_iter_new_reversed(&it->it, &deque->list) : pottery_list_iter_new(&it->it, &deque->list);
    if (rc < 0) {
        pottery__free(it);
        return named(rc, func);
    }
    *out = it;
    return 0;
}

int pottery_deque_iter_new(pottery_deque_iter **out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return iter_new(out, deque, 0, __func__);
}

int pottery_deque_iter_new_reversed(pottery_deque_iter **out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return iter_new(out, deque, 1, __func__);
}

int pottery_deque_iter_next(pottery_value *out, pottery_deque_iter *it)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(it);
    return named(pottery_list_iter_next(out, it->it), __func__);
}

void pottery_deque_iter_free(pottery_deque_iter *it)
{
    if (!it) return;
    pottery_list_iter_free(it->it);
    pottery__free(it);
}
