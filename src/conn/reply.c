/* Replies: the tree the RESP reader builds (through hiredis' reader with our own object
 * functions) and the accessors over it, so that no module sees a hiredis type.
 *
 * The reader is ours to shape for two reasons. An array grows as its elements arrive
 * instead of being allocated from the count its header announces, so memory follows the
 * bytes actually received; and headers announcing absurd sizes are refused before anything
 * is allocated or buffered for them (hiredis 0.14 has no limits of its own). */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "conn/client_impl.h"
#include "conn/hiredis_compat.h"
#include "core/error.h"

/* hiredis' asynchronous dispatcher peeks at a reply's type as if it were a redisReply (to
 * tell error and push replies apart), so the type comes first and is numbered as hiredis
 * numbers it. */
struct pottery_reply {
    pottery_reply_type type;
    long long integer;
    char *str; /* STRING, STATUS, ERROR: len bytes + NUL */
    size_t len;
    struct pottery_reply **element; /* ARRAY: elements received so far */
    size_t elements;
    size_t announced; /* ARRAY: what the header announced */
    size_t cap;
};

_Static_assert(offsetof(struct pottery_reply, type) == offsetof(redisReply, type), "type first, as in redisReply");
_Static_assert(POTTERY_REPLY_STRING == REDIS_REPLY_STRING && POTTERY_REPLY_ARRAY == REDIS_REPLY_ARRAY &&
                   POTTERY_REPLY_INTEGER == REDIS_REPLY_INTEGER && POTTERY_REPLY_NIL == REDIS_REPLY_NIL &&
                   POTTERY_REPLY_STATUS == REDIS_REPLY_STATUS && POTTERY_REPLY_ERROR == REDIS_REPLY_ERROR,
               "reply types numbered as hiredis numbers them");

/* ---- building replies (called by the reader) ---- */

/* Set when a create function refuses a size, so the reader's "out of memory" can be told
 * apart from a protocol violation. */
typedef struct reader_state {
    long long refused_elements;
    int counting;    /* only replies the connection asked for are accepted (event loop) */
    size_t expected; /* counting: replies still owed to commands sent */
    int unsolicited; /* counting: a reply arrived that no command asked for */
} reader_state;

static void reply_free_tree(pottery_reply *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->elements; i++) reply_free_tree(r->element[i]);
    pottery__free(r->element);
    pottery__free(r->str);
    pottery__free(r);
}

static void free_object(void *obj)
{
    reply_free_tree(obj);
}

/* A new reply, attached to its parent array when it has one (elements arrive in order). */
static pottery_reply *new_reply(const redisReadTask *task, pottery_reply_type type)
{
    reader_state *state = task->privdata;
    if (!task->parent && state->counting) {
        /* hiredis' event-loop code cannot take a reply nobody asked for (it asserts): refuse
         * it here, which fails the connection instead. */
        if (state->expected == 0) {
            state->unsolicited = 1;
            return NULL;
        }
        state->expected--;
    }
    pottery_reply *r = pottery__calloc(1, sizeof *r);
    if (!r) return NULL;
    r->type = type;
    if (task->parent) {
        pottery_reply *parent = task->parent->obj;
        if (parent->elements == parent->cap) {
            size_t cap = parent->cap ? parent->cap * 2 : 8;
            if (cap > parent->announced) cap = parent->announced;
            pottery_reply **grown = pottery__realloc(parent->element, cap * sizeof *grown);
            if (!grown) {
                pottery__free(r);
                return NULL;
            }
            parent->element = grown;
            parent->cap = cap;
        }
        parent->element[parent->elements++] = r;
    }
    return r;
}

static void *create_string(const redisReadTask *task, char *str, size_t len)
{
    pottery_reply_type type = compat_reply_type(task->type);
    char *copy = pottery__malloc(len + 1);
    if (!copy) return NULL;
    memcpy(copy, str, len);
    copy[len] = '\0';
    pottery_reply *r = new_reply(task, type);
    if (!r) {
        pottery__free(copy);
        return NULL;
    }
    r->str = copy;
    r->len = len;
    return r;
}

static void *create_array(const redisReadTask *task, long long elements)
{
    if (elements > POTTERY_REPLY_MAX_ELEMENTS) {
        ((reader_state *)task->privdata)->refused_elements = elements;
        return NULL;
    }
    pottery_reply *r = new_reply(task, POTTERY_REPLY_ARRAY);
    if (r) r->announced = (size_t)elements;
    return r;
}

static void *create_integer(const redisReadTask *task, long long value)
{
    pottery_reply *r = new_reply(task, POTTERY_REPLY_INTEGER);
    if (r) r->integer = value;
    return r;
}

static void *create_nil(const redisReadTask *task)
{
    return new_reply(task, POTTERY_REPLY_NIL);
}

COMPAT_DEFINE_READER_FUNCTIONS(reader_functions, create_string, create_array, create_integer, create_nil, free_object)

struct redisReader *pottery__reader_new(void)
{
    reader_state *state = pottery__calloc(1, sizeof *state);
    if (!state) return NULL;
    redisReader *reader = redisReaderCreateWithFunctions(&reader_functions);
    if (!reader) {
        pottery__free(state);
        return NULL;
    }
    reader->privdata = state;
    return reader;
}

void pottery__reader_expect(struct redisReader *reader, size_t replies)
{
    reader_state *state = reader->privdata;
    state->counting = 1;
    state->expected += replies;
}

int pottery__reader_failure(struct redisReader *reader, const char *endpoint)
{
    reader_state *state = reader->privdata;
    if (state->unsolicited)
        return pottery__error(POTTERY_EPROTOCOL, "%s sent a reply that no command asked for", endpoint);
    if (state->refused_elements > 0)
        return pottery__error(POTTERY_EPROTOCOL,
                              "reply from %s announces an array of %lld elements (the limit is %lld)", endpoint,
                              state->refused_elements, (long long)POTTERY_REPLY_MAX_ELEMENTS);
    long long bulk = compat_pending_bulk_length(reader);
    if (bulk > POTTERY_REPLY_MAX_BULK)
        return pottery__error(POTTERY_EPROTOCOL, "reply from %s announces a string of %lld bytes (the limit is %lld)",
                              endpoint, bulk, (long long)POTTERY_REPLY_MAX_BULK);
    if (reader->err == REDIS_ERR_OOM) return pottery__error_oom();
    if (reader->err)
        return pottery__error(POTTERY_EPROTOCOL, "reply from %s is not valid RESP: %s", endpoint, reader->errstr);
    return 0;
}

void pottery__reader_detach(struct redisReader *reader)
{
    if (!reader) return;
    if (reader->reply) free_object(reader->reply);
    reader->reply = NULL;
    pottery__free(reader->privdata);
    reader->privdata = NULL;
}

pottery_reply *pottery__reply_steal(pottery_reply *r)
{
    pottery_reply *copy = pottery__malloc(sizeof *copy);
    if (!copy) return NULL;
    *copy = *r;
    memset(r, 0, sizeof *r);
    r->type = POTTERY_REPLY_NIL;
    return copy;
}

void pottery__reader_free(struct redisReader *reader)
{
    if (!reader) return;
    pottery__free(reader->privdata);
    redisReaderFree(reader);
}

int pottery__reader_feed(struct redisReader *reader, const char *buf, size_t len)
{
    if (redisReaderFeed(reader, buf, len) != REDIS_OK) return pottery__error_oom();
    return 0;
}

int pottery__reader_next(struct redisReader *reader, pottery_reply **out, const char *endpoint)
{
    void *r = NULL;
    *out = NULL;
    if (redisReaderGetReply(reader, &r) != REDIS_OK) {
        reader_state *state = reader->privdata;
        if (state->refused_elements > 0)
            return pottery__error(POTTERY_EPROTOCOL,
                                  "reply from %s announces an array of %lld elements (the limit is %lld)", endpoint,
                                  state->refused_elements, (long long)POTTERY_REPLY_MAX_ELEMENTS);
        if (reader->err == REDIS_ERR_OOM) return pottery__error_oom();
        return pottery__error(POTTERY_EPROTOCOL, "reply from %s is not valid RESP: %s", endpoint, reader->errstr);
    }
    if (r) {
        *out = r;
        return 1;
    }
    long long bulk = compat_pending_bulk_length(reader);
    if (bulk > POTTERY_REPLY_MAX_BULK)
        return pottery__error(POTTERY_EPROTOCOL, "reply from %s announces a string of %lld bytes (the limit is %lld)",
                              endpoint, bulk, (long long)POTTERY_REPLY_MAX_BULK);
    return 0;
}

/* ---- reading replies ---- */

pottery_reply_type pottery__reply_type(const pottery_reply *r)
{
    return r ? r->type : POTTERY_REPLY_OTHER;
}

const char *pottery__reply_str(const pottery_reply *r, size_t *len)
{
    pottery_reply_type t = pottery__reply_type(r);
    if (t == POTTERY_REPLY_STRING || t == POTTERY_REPLY_STATUS || t == POTTERY_REPLY_ERROR) {
        if (len) *len = r->len;
        return r->str ? r->str : "";
    }
    if (len) *len = 0;
    return NULL;
}

size_t pottery__reply_count(const pottery_reply *r)
{
    return pottery__reply_type(r) == POTTERY_REPLY_ARRAY ? r->elements : 0;
}

const pottery_reply *pottery__reply_at(const pottery_reply *r, size_t i)
{
    return i < pottery__reply_count(r) ? r->element[i] : NULL;
}

void pottery__reply_free(pottery_reply *r)
{
    reply_free_tree(r);
}

int pottery__reply_deliver(pottery_reply **out, pottery_reply *r)
{
    int rc = pottery__reply_check(r);
    if (rc < 0 || !out)
        pottery__reply_free(r);
    else
        *out = r;
    return rc;
}

int pottery__reply_check(const pottery_reply *r)
{
    if (pottery__reply_type(r) != POTTERY_REPLY_ERROR) return 0;
    size_t len;
    const char *s = pottery__reply_str(r, &len);
    if (len > 100000) len = 100000;
    /* an error reply whose text is empty (or starts with NUL) still says what it is */
    if (!s || len == 0 || s[0] == '\0')
        return pottery__error(POTTERY_EREDIS, "Redis replied with an error without text");
    return pottery__error(POTTERY_EREDIS, "%.*s", (int)len, s);
}

const char *pottery__reply_type_name(pottery_reply_type t)
{
    switch (t) {
    case POTTERY_REPLY_STRING: return "a bulk string";
    case POTTERY_REPLY_ARRAY: return "an array";
    case POTTERY_REPLY_INTEGER: return "an integer";
    case POTTERY_REPLY_NIL: return "nil";
    case POTTERY_REPLY_STATUS: return "a status reply";
    case POTTERY_REPLY_ERROR: return "an error reply";
    default: return "no reply of a known type";
    }
}

int pottery__reply_unexpected(const pottery_reply *r, const char *what, const char *expected)
{
    pottery_reply_type t = pottery__reply_type(r);
    if (t == POTTERY_REPLY_ERROR) return pottery__reply_check(r);
    if (t == POTTERY_REPLY_STATUS || t == POTTERY_REPLY_STRING) {
        size_t len;
        const char *s = pottery__reply_str(r, &len);
        return pottery__error(POTTERY_EPROTOCOL, "%s: expected %s, got %s (%zu bytes: \"%.*s%s\")", what, expected,
                              pottery__reply_type_name(t), len, len > 40 ? 40 : (int)len, s, len > 40 ? "..." : "");
    }
    if (t == POTTERY_REPLY_INTEGER)
        return pottery__error(POTTERY_EPROTOCOL, "%s: expected %s, got an integer (%lld)", what, expected, r->integer);
    if (t == POTTERY_REPLY_ARRAY)
        return pottery__error(POTTERY_EPROTOCOL, "%s: expected %s, got an array of %zu", what, expected,
                              (size_t)r->elements);
    return pottery__error(POTTERY_EPROTOCOL, "%s: expected %s, got %s", what, expected, pottery__reply_type_name(t));
}

int pottery__reply_expect(const pottery_reply *r, pottery_reply_type t, const char *what)
{
    if (pottery__reply_type(r) == t) return 0;
    return pottery__reply_unexpected(r, what, pottery__reply_type_name(t));
}

int pottery__reply_int(long long *out, const pottery_reply *r, const char *what)
{
    int rc = pottery__reply_expect(r, POTTERY_REPLY_INTEGER, what);
    if (rc == 0) *out = r->integer;
    return rc;
}

int pottery__reply_int_in(long long *out, const pottery_reply *r, long long lo, long long hi, const char *what)
{
    long long v = 0;
    int rc = pottery__reply_int(&v, r, what);
    if (rc < 0) return rc;
    if (v < lo || v > hi)
        return pottery__error(POTTERY_EPROTOCOL, "%s: expected an integer from %lld to %lld, got %lld", what, lo, hi,
                              v);
    *out = v;
    return 0;
}

int pottery__reply_bytes(const char **s, size_t *len, const pottery_reply *r, const char *what)
{
    int rc = pottery__reply_expect(r, POTTERY_REPLY_STRING, what);
    if (rc < 0) return rc;
    *s = pottery__reply_str(r, len);
    return 0;
}

int pottery__reply_array(size_t *count, const pottery_reply *r, const char *what)
{
    int rc = pottery__reply_expect(r, POTTERY_REPLY_ARRAY, what);
    if (rc == 0 && count) *count = pottery__reply_count(r);
    return rc;
}

int pottery__reply_array_n(const pottery_reply *r, size_t n, const char *what)
{
    size_t count;
    int rc = pottery__reply_array(&count, r, what);
    if (rc == 0 && count != n)
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: expected an array of %zu, got one of %zu", what, n, count);
    return rc;
}

int pottery__reply_status(const pottery_reply *r, const char *status, const char *what)
{
    size_t len, want = strlen(status);
    if (pottery__reply_type(r) == POTTERY_REPLY_STATUS) {
        const char *s = pottery__reply_str(r, &len);
        if (len == want && memcmp(s, status, len) == 0) return 0;
    }
    char expected[64];
    snprintf(expected, sizeof expected, "+%s", status);
    return pottery__reply_unexpected(r, what, expected);
}
