/* pottery_deque: RedisDeque on a Redis list (element = JSON(value)), with an optional maxlen.
 *
 * Writes are the deque's own: every push runs with its trim in one command (a plain
 * RPUSH/LPUSH without maxlen, MULTI/PUSH/LTRIM/EXEC with it), pops are one
 * RPOP/LPOP, rotate and insert are Lua scripts. Reads (indexing, slices, index, count,
 * membership, len, iteration, snapshots, equality) go through a pottery_list opened on the
 * same client and key, so the two modules read a list in exactly one way. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"
#include "core/error.h"
#include "pottery/deque.h"
#include "pottery/list.h"

struct pottery_deque {
    pottery_container c; /* client and key; the key's deletion is left to the list (free) */
    pottery_list *list;  /* the reading side, on the same client and key */
    int64_t maxlen;      /* POTTERY_DEQUE_NO_MAXLEN or >= 0 */
};

struct pottery_deque_iter {
    pottery_list_iter *it;
};

/* Values per PUSH when a bulk write is split to bound memory (and per Lua unpack call,
 * which Lua limits to a few thousand values). */
enum { VALUES_PER_CHUNK = 1000 };

/* Create the list with its initial elements only if the key does not exist yet, atomically.
 * ARGV: the elements (already cut to the last maxlen by the caller). */
static const pottery_script init_script = {
    "deque_init", "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
                  "for i = 1, #ARGV, 2000 do\n"
                  "  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 1999, #ARGV)))\n"
                  "end\n"
                  "return 1\n"
};

/* Rotate right by ARGV[1] (decimal int64 text), reduced modulo the length as Python does
 * (digit by digit, so it stays exact for any int64). Moves whichever end is shorter: the
 * last r elements to the front, or the first len - r to the back. */
static const pottery_script rotate_script = {
    "deque_rotate", "local len = redis.call('LLEN', KEYS[1])\n"
                    "if len == 0 then return 0 end\n"
                    "local s = ARGV[1]\n"
                    "local neg = string.sub(s, 1, 1) == '-'\n"
                    "local r = 0\n"
                    "for i = neg and 2 or 1, #s do r = (r * 10 + string.byte(s, i) - 48) % len end\n"
                    "if neg then r = (len - r) % len end\n"
                    "if r == 0 then return 0 end\n"
                    "if r <= len - r then\n"
                    "  local moved = redis.call('LRANGE', KEYS[1], len - r, -1)\n"
                    "  redis.call('LTRIM', KEYS[1], 0, len - r - 1)\n"
                    "  local rev = {}\n"
                    "  for i = #moved, 1, -1 do rev[#rev + 1] = moved[i] end\n"
                    "  for i = 1, #rev, 2000 do\n"
                    "    redis.call('LPUSH', KEYS[1], unpack(rev, i, math.min(i + 1999, #rev)))\n"
                    "  end\n"
                    "else\n"
                    "  local moved = redis.call('LRANGE', KEYS[1], 0, len - r - 1)\n"
                    "  redis.call('LTRIM', KEYS[1], len - r, -1)\n"
                    "  for i = 1, #moved, 2000 do\n"
                    "    redis.call('RPUSH', KEYS[1], unpack(moved, i, math.min(i + 1999, #moved)))\n"
                    "  end\n"
                    "end\n"
                    "return r\n"
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
static size_t first_kept(const pottery_deque *d, size_t n)
{
    if (d->maxlen == POTTERY_DEQUE_NO_MAXLEN || (uint64_t)d->maxlen >= n) return 0;
    return n - (size_t)d->maxlen;
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

static int write_initial(pottery_deque *d, const pottery_value *items, size_t n)
{
    size_t from = first_kept(d, n);
    int rc = check_encodable(items, from);
    if (rc < 0) return rc;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &d->c);
    for (size_t i = from; i < n; i++) pottery__cmd_value(&args, &items[i]);
    rc = pottery__container_create(&d->c, &init_script, &args);
    pottery__cmd_free(&args);
    return rc;
}

int pottery_deque_open(pottery_deque **out, pottery_client *client, const char *key, const pottery_deque_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    pottery_deque_options o = POTTERY_DEQUE_OPTIONS_INIT;
    if (opts) o = *opts;
    if (o.nitems > 0 && o.items == NULL)
        return pottery__error(POTTERY_EINVAL, "pottery_deque_open: items is NULL but nitems is %zu", o.nitems);
    if (o.maxlen < 0 && o.maxlen != POTTERY_DEQUE_NO_MAXLEN)
        return pottery__error(POTTERY_EINVAL, "ValueError: maxlen must be non-negative");

    pottery_deque *d = pottery__calloc(1, sizeof *d);
    if (!d) return pottery__error_oom();
    d->maxlen = o.maxlen;
    int rc = pottery__container_init(&d->c, client, key);
    if (rc == 0 && o.nitems > 0) {
        rc = write_initial(d, o.items, o.nitems);
    } else if (rc == 0 && d->maxlen != POTTERY_DEQUE_NO_MAXLEN) {
        int64_t len = 0;
        rc = pottery__container_count(&len, &d->c, "LLEN");
        if (rc == 0 && len > d->maxlen)
            rc = pottery__error(POTTERY_EINDEX, "IndexError: persistent RedisDeque beyond its maximum size");
    }
    /* The list handle comes last: once it exists, freeing it would UNLINK a "pottery:" key,
     * and a failed open must never delete data (the key may be somebody else's). */
    if (rc == 0) rc = named(pottery_list_open(&d->list, client, d->c.key, NULL), __func__);
    if (rc < 0) {
        pottery__container_abandon(&d->c);
        pottery__free(d);
        return rc;
    }
    *out = d;
    return 0;
}

void pottery_deque_free(pottery_deque *deque)
{
    if (!deque) return;
    /* The list's free UNLINKs a "pottery:" key, as the container release would: do it once. */
    pottery_list_free(deque->list);
    pottery__container_abandon(&deque->c);
    pottery__free(deque);
}

const char *pottery_deque_key(const pottery_deque *deque)
{
    return deque ? deque->c.key : NULL;
}

int pottery_deque_maxlen(int64_t *out, const pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    *out = deque->maxlen;
    return 0;
}

/* ---- pushes ---- */

/* Add the LTRIM range that keeps maxlen elements after a push on the given side. */
static void push_trim_range(pottery_cmd *cmd, const pottery_deque *d, int left)
{
    if (d->maxlen == 0) {
        /* An empty range: LTRIM removes the key (maxlen 0 is always empty, pottery quirk 6). */
        pottery__cmd_cstr(cmd, "1");
        pottery__cmd_cstr(cmd, "0");
    } else if (left) {
        pottery__cmd_cstr(cmd, "0");
        pottery__cmd_int(cmd, (long long)d->maxlen - 1);
    } else {
        pottery__cmd_int(cmd, -(long long)d->maxlen);
        pottery__cmd_cstr(cmd, "-1");
    }
}

/* The reply to a push (the new length, at least 1) or to its LTRIM (+OK). */
static int push_reply(const pottery_reply *r, const char *verb)
{
    long long len;
    if (strcmp(verb, "LTRIM") == 0) return pottery__reply_status(r, "OK", verb);
    return pottery__reply_int_in(&len, r, 1, LLONG_MAX, verb);
}

/* EXEC's results for npush pushes followed by an LTRIM when the deque has a maxlen. */
static int push_results(const pottery_reply *exec, const pottery_deque *d, const char *verb, size_t npush)
{
    size_t n = npush + (d->maxlen != POTTERY_DEQUE_NO_MAXLEN);
    int rc = pottery__reply_array_n(exec, n, "EXEC");
    for (size_t i = 0; rc == 0 && i < n; i++) rc = push_reply(pottery__reply_at(exec, i), i < npush ? verb : "LTRIM");
    return rc;
}

/* Large pushes: MULTI, one PUSH per chunk, LTRIM (with maxlen), EXEC, streamed so that only
 * one chunk is in memory; still one round trip and atomic. A value that fails to encode
 * turns EXEC into DISCARD, so nothing is written. */
static int push_streamed(pottery_deque *d, const char *verb, int left, const pottery_value *values, size_t n)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery_stream_txn txn;
    pottery__stream_txn_begin(&txn, d->c.client);
    for (size_t from = 0; from < n && pottery__stream_txn_ok(&txn); from += VALUES_PER_CHUNK) {
        size_t to = n - from > VALUES_PER_CHUNK ? from + VALUES_PER_CHUNK : n;
        pottery__cmd_reset(&cmd);
        pottery__cmd_cstr(&cmd, verb);
        pottery__cmd_key(&cmd, &d->c);
        for (size_t i = from; i < to; i++) pottery__cmd_value(&cmd, &values[i]);
        pottery__stream_txn_send(&txn, &cmd);
    }
    if (d->maxlen != POTTERY_DEQUE_NO_MAXLEN) {
        pottery__cmd_reset(&cmd);
        pottery__cmd_cstr(&cmd, "LTRIM");
        pottery__cmd_key(&cmd, &d->c);
        push_trim_range(&cmd, d, left);
        pottery__stream_txn_send(&txn, &cmd);
    }
    pottery__cmd_free(&cmd);
    pottery_reply *exec = NULL;
    int rc = pottery__stream_txn_finish(&exec, &txn);
    if (rc == 0) rc = push_results(exec, d, verb, (n + VALUES_PER_CHUNK - 1) / VALUES_PER_CHUNK);
    pottery__reply_free(exec);
    return rc;
}

/* The body of append/appendleft/extend/extendleft: values pushed one after the other on the
 * right (RPUSH) or the left (LPUSH), then the other end trimmed to maxlen, all at once. */
static int push(pottery_deque *d, int left, const pottery_value *values, size_t n)
{
    const char *verb = left ? "LPUSH" : "RPUSH";
    size_t from = first_kept(d, n);
    int rc = check_encodable(values, from);
    if (rc < 0) return rc;
    values += from;
    n -= from;
    if (n > VALUES_PER_CHUNK) return push_streamed(d, verb, left, values, n);
    pottery_cmd cmds[2];
    size_t ncmds = 0;
    if (n > 0) {
        pottery__cmd_init(&cmds[ncmds]);
        pottery__cmd_cstr(&cmds[ncmds], verb);
        pottery__cmd_key(&cmds[ncmds], &d->c);
        for (size_t i = 0; i < n; i++) pottery__cmd_value(&cmds[ncmds], &values[i]);
        ncmds++;
    }
    if (d->maxlen != POTTERY_DEQUE_NO_MAXLEN) {
        /* The trim range depends only on maxlen (negative indexes count from the end), so
         * MULTI/PUSH/LTRIM/EXEC needs no read first: atomic, one round trip, and cheaper
         * for the server than a script. With maxlen 0 only the LTRIM is left. */
        pottery__cmd_init(&cmds[ncmds]);
        pottery__cmd_cstr(&cmds[ncmds], "LTRIM");
        pottery__cmd_key(&cmds[ncmds], &d->c);
        push_trim_range(&cmds[ncmds], d, left);
        ncmds++;
    }
    /* One command (a push without maxlen, or maxlen 0's LTRIM) is atomic on its own. */
    pottery_reply *r = NULL;
    if (ncmds == 1) {
        rc = pottery__exec(&r, d->c.client, &cmds[0]);
        if (rc == 0) rc = push_reply(r, n > 0 ? verb : "LTRIM");
    } else {
        rc = pottery__exec_multi(&r, d->c.client, cmds, ncmds);
        if (rc == 0) rc = push_results(r, d, verb, 1);
    }
    pottery__reply_free(r);
    for (size_t i = 0; i < ncmds; i++) pottery__cmd_free(&cmds[i]);
    return rc;
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

static int pop(pottery_value *out, pottery_deque *d, int left)
{
    const char *verb = left ? "LPOP" : "RPOP";
    pottery_reply *r = NULL;
    const char *bytes = NULL;
    size_t len = 0;
    int rc = pottery__container_command(&r, &d->c, verb, NULL);
    if (rc == 0) rc = pottery__reply_bytes_or_nil(&bytes, &len, r, verb);
    if (rc == 0 && !bytes)
        rc = pottery__error(POTTERY_EINDEX, "IndexError: pop from an empty deque");
    else if (rc == 0 && (rc = pottery__reply_to_value(out, r)) < 0) {
        /* The element is out of Redis but not in the caller's hands (foreign bytes, or no
         * memory to decode them): put it back where it was, so no data is lost (one more
         * round trip, on this error path only). A push never overwrites a concurrent
         * writer's element. */
        rc = pottery__container_put_back(&d->c, left ? "LPUSH" : "RPUSH", bytes, len, "element");
    }
    pottery__reply_free(r);
    return rc;
}

int pottery_deque_pop(pottery_value *out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return pop(out, deque, 0);
}

int pottery_deque_popleft(pottery_value *out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return pop(out, deque, 1);
}

/* ---- rotate ---- */

int pottery_deque_rotate(pottery_deque *deque, int64_t n)
{
    POTTERY_CHECK_ARG(deque);
    if (n == 0) return 0;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &deque->c);
    pottery__cmd_int(&args, (long long)n);
    pottery_reply *r = NULL;
    long long moved;
    int rc = pottery__eval(&r, deque->c.client, &rotate_script, 1, &args);
    if (rc == 0) rc = pottery__reply_int_in(&moved, r, 0, LLONG_MAX, rotate_script.name);
    pottery__reply_free(r);
    pottery__cmd_free(&args);
    return rc;
}

/* ---- insert ---- */

/* The length check and pottery_list_insert's rule in one step. ARGV[1] = maxlen,
 * ARGV[2] = index (> 0; the caller sends 0 for every index <= 0), ARGV[3] = a fresh uuid4
 * placeholder (plain text, never JSON, so it cannot be an element), ARGV[4] = the value.
 * Returns 0 when the deque is full, 1 once inserted. */
static const pottery_script insert_script = { "deque_insert",
                                              "local len = redis.call('LLEN', KEYS[1])\n"
                                              "if len >= tonumber(ARGV[1]) then return 0 end\n"
                                              "local i = tonumber(ARGV[2])\n"
                                              "if i <= 0 then\n"
                                              "  redis.call('LPUSH', KEYS[1], ARGV[4])\n"
                                              "elseif i >= len then\n"
                                              "  redis.call('RPUSH', KEYS[1], ARGV[4])\n"
                                              "else\n"
                                              "  local pivot = redis.call('LINDEX', KEYS[1], ARGV[2])\n"
                                              "  redis.call('LSET', KEYS[1], ARGV[2], ARGV[3])\n"
                                              "  redis.call('LINSERT', KEYS[1], 'BEFORE', ARGV[3], ARGV[4])\n"
                                              "  redis.call('LSET', KEYS[1], i + 1, pivot)\n"
                                              "end\n"
                                              "return 1\n" };

int pottery_deque_insert(pottery_deque *deque, int64_t index, pottery_value value)
{
    POTTERY_CHECK_ARG(deque);
    /* Unbounded: nothing to check, the list's own insert is the whole operation. */
    if (deque->maxlen == POTTERY_DEQUE_NO_MAXLEN)
        return named(pottery_list_insert(deque->list, index, value), __func__);
    char placeholder[37];
    int rc = pottery__uuid4(placeholder);
    if (rc < 0) return rc;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &deque->c);
    pottery__cmd_int(&args, (long long)deque->maxlen);
    pottery__cmd_int(&args, index > 0 ? (long long)index : 0);
    pottery__cmd_arg(&args, placeholder, 36);
    pottery__cmd_value(&args, &value);
    pottery_reply *r = NULL;
    long long inserted = 0;
    rc = pottery__eval(&r, deque->c.client, &insert_script, 1, &args);
    if (rc == 0) rc = pottery__reply_int_in(&inserted, r, 0, 1, insert_script.name);
    if (rc == 0 && !inserted) rc = pottery__error(POTTERY_EINDEX, "IndexError: deque already at its maximum size");
    pottery__reply_free(r);
    pottery__cmd_free(&args);
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
    return in_deque_words(pottery_list_get(out, deque->list, -1), POTTERY_EINDEX, index_error, __func__);
}

int pottery_deque_peekleft(pottery_value *out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return in_deque_words(pottery_list_get(out, deque->list, 0), POTTERY_EINDEX, index_error, __func__);
}

int pottery_deque_get(pottery_value *out, pottery_deque *deque, int64_t index)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return in_deque_words(pottery_list_get(out, deque->list, index), POTTERY_EINDEX, index_error, __func__);
}

int pottery_deque_set(pottery_deque *deque, int64_t index, pottery_value value)
{
    POTTERY_CHECK_ARG(deque);
    return in_deque_words(pottery_list_set(deque->list, index, value), POTTERY_EINDEX, index_error, __func__);
}

int pottery_deque_del(pottery_deque *deque, int64_t index)
{
    POTTERY_CHECK_ARG(deque);
    return in_deque_words(pottery_list_del(deque->list, index), POTTERY_EINDEX, index_error, __func__);
}

int pottery_deque_remove(pottery_deque *deque, pottery_value value)
{
    POTTERY_CHECK_ARG(deque);
    return in_deque_words(pottery_list_remove(deque->list, value), POTTERY_ENOTFOUND,
                          "ValueError: deque.remove(x): x not in deque", __func__);
}

int pottery_deque_reverse(pottery_deque *deque)
{
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_reverse(deque->list), __func__);
}

int pottery_deque_clear(pottery_deque *deque)
{
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_clear(deque->list), __func__);
}

int pottery_deque_len(int64_t *out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_len(out, deque->list), __func__);
}

int pottery_deque_get_slice(pottery_value *out, pottery_deque *deque, pottery_slice slice)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_get_slice(out, deque->list, slice), __func__);
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
    return not_in_deque(named(pottery_list_index(out, deque->list, value), __func__), &value);
}

int pottery_deque_index_range(int64_t *out, pottery_deque *deque, pottery_value value, int64_t start, int64_t stop)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return not_in_deque(named(pottery_list_index_range(out, deque->list, value, start, stop), __func__), &value);
}

int pottery_deque_count(int64_t *out, pottery_deque *deque, pottery_value value)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_count(out, deque->list, value), __func__);
}

int pottery_deque_contains(int *out, pottery_deque *deque, pottery_value value)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_contains(out, deque->list, value), __func__);
}

int pottery_deque_snapshot(pottery_value *out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_snapshot(out, deque->list), __func__);
}

int pottery_deque_to_json(char **out, size_t *out_len, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    return named(pottery_list_to_json(out, out_len, deque->list), __func__);
}

int pottery_deque_repr(char **out, pottery_deque *deque)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    char *items = NULL;
    int rc = named(pottery_list_repr_items(&items, deque->list), __func__);
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

int pottery_deque_equal(int *out, pottery_deque *deque, pottery_deque *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    POTTERY_CHECK_ARG(other);
    return named(pottery_list_equal(out, deque->list, other->list), __func__);
}

int pottery_deque_equal_json(int *out, pottery_deque *deque, const char *json_array)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(deque);
    POTTERY_CHECK_ARG(json_array);
    return named(pottery_list_equal_json(out, deque->list, json_array), __func__);
}

/* ---- iteration ---- */

static int iter_new(pottery_deque_iter **out, pottery_deque *deque, int reversed, const char *func)
{
    pottery_deque_iter *it = pottery__calloc(1, sizeof *it);
    if (!it) return pottery__error_oom();
    int rc =
        reversed ? pottery_list_iter_new_reversed(&it->it, deque->list) : pottery_list_iter_new(&it->it, deque->list);
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

int pottery_deque_iter_next(pottery_deque_iter *it, pottery_value *out)
{
    POTTERY_CHECK_ARG(it);
    return named(pottery_list_iter_next(it->it, out), __func__);
}

void pottery_deque_iter_free(pottery_deque_iter *it)
{
    if (!it) return;
    pottery_list_iter_free(it->it);
    pottery__free(it);
}
