/* pottery_list: RedisList on a Redis list (element = JSON(value)): opening, elements by
 * index, pushes and pops, whole-list operations, iteration. Slices are in list_slice.c,
 * searches by Python equality in list_search.c. */
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
#include "pottery/list.h"

struct pottery_list_iter {
    pottery_list *list;
    int reversed;
    int64_t pos;          /* elements already fetched (from the front, or from the back) */
    pottery_reply *batch; /* the current LRANGE window */
    size_t count;         /* its length */
    size_t next;          /* how many of it were handed out */
    int last;             /* the window was short: nothing after it */
};

enum {
    ITER_WINDOW = 1000, /* elements per LRANGE window while iterating */
    PUSH_CHUNK = 10000  /* values per PUSH when a bulk push is split to bound memory */
};

/* ---- small command helpers ---- */

int pottery__list_cmd_element(pottery_cmd *cmd, const pottery_value *v)
{
    if (v->type == POTTERY_TYPE_INT) return pottery__cmd_int(cmd, (long long)v->u.i);
    return pottery__cmd_value(cmd, v);
}

int pottery__list_check_elements(const pottery_reply *r, const char *what)
{
    size_t n;
    int rc = pottery__reply_array(&n, r, what);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = pottery__reply_expect(pottery__reply_at(r, i), POTTERY_REPLY_STRING, what);
    return rc;
}

int pottery__list_lrange(pottery_reply **r, const pottery_container *c, int64_t from, int64_t to)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "LRANGE");
    pottery__cmd_key(&cmd, c);
    pottery__cmd_int(&cmd, (long long)from);
    pottery__cmd_int(&cmd, (long long)to);
    int rc = pottery__exec(r, c->client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = pottery__list_check_elements(*r, "LRANGE");
    if (rc < 0) {
        pottery__reply_free(*r);
        *r = NULL;
    }
    return rc;
}

int pottery__list_run_script(pottery_reply **r, pottery_list *l, const pottery_script *s, pottery_cmd *args)
{
    int rc = pottery__eval(r, l->c.client, s, 1, args);
    pottery__cmd_free(args);
    return rc;
}

int pottery__list_run_script_int(long long *out, pottery_list *l, const pottery_script *s, pottery_cmd *args,
                                 long long lo, long long hi)
{
    pottery_reply *r = NULL;
    long long n = 0;
    int rc = pottery__list_run_script(&r, l, s, args);
    if (rc == 0) rc = pottery__reply_int_in(&n, r, lo, hi, s->name);
    if (rc == 0 && out) *out = n;
    pottery__reply_free(r);
    return rc;
}

int pottery__list_push_placeholder(pottery_cmd *cmd)
{
    char uuid[37];
    int rc = pottery__uuid4(uuid);
    if (rc < 0) {
        if (!cmd->err) cmd->err = rc;
        return rc;
    }
    return pottery__cmd_copy(cmd, uuid, 36);
}

/* Push the canonical JSON of one parsed node; scratch is reused between calls. */
static int cmd_node(pottery_cmd *cmd, const pottery_json_node *n, pottery_buf *scratch)
{
    pottery__buf_clear(scratch);
    int rc = pottery__json_write(scratch, n);
    if (rc == 0) rc = pottery__cmd_copy(cmd, scratch->data, scratch->len);
    if (rc < 0 && !cmd->err) cmd->err = rc;
    return rc;
}

/* Push the canonical JSON of every item of an array node. */
static int cmd_items(pottery_cmd *cmd, const pottery_json_node *arr)
{
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < arr->count; i++) rc = cmd_node(cmd, arr->items[i], &b);
    pottery__buf_free(&b);
    return rc;
}

/* ---- opening ---- */

/* Write the initial items, if any, only where the key does not exist yet. */
static int write_initial(pottery_container *c, const void *ctx)
{
    const pottery_list_options *opts = ctx;
    if (!opts || opts->nitems == 0) return 0;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, c);
    for (size_t i = 0; i < opts->nitems; i++) pottery__list_cmd_element(&args, &opts->items[i]);
    int rc = pottery__container_create(c, &pottery__lua_list_init, &args);
    pottery__cmd_free(&args);
    return rc;
}

int pottery_list_open(pottery_list **out, pottery_client *client, const char *key, const pottery_list_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (opts) {
        int rc = pottery__options_check(opts->version, POTTERY_LIST_OPTIONS_VERSION, __func__);
        if (rc < 0) return rc;
        if (opts->nitems > 0 && opts->items == NULL)
            return pottery__error(POTTERY_EINVAL, "pottery_list_open: items is NULL but nitems is %zu", opts->nitems);
    }
    pottery_container *c;
    int rc = pottery__container_open(&c, sizeof(pottery_list), client, key, write_initial, opts);
    if (rc == 0) *out = (pottery_list *)c;
    return rc;
}

void pottery_list_free(pottery_list *list)
{
    if (list) pottery__container_close(&list->c);
}

const char *pottery_list_key(const pottery_list *list)
{
    return list ? list->c.key : NULL;
}

pottery_client *pottery_list_client(const pottery_list *list)
{
    return list ? list->c.client : NULL;
}

/* ---- size ---- */

int pottery_list_len(int64_t *out, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    return pottery__container_count(out, &list->c, "LLEN");
}

int pottery_list_clear(pottery_list *list)
{
    POTTERY_CHECK_ARG(list);
    return pottery__container_clear(&list->c);
}

/* ---- elements by index ---- */

/* The element a reply of `what` holds; nil (there is none) is IndexError with the given
 * message. */
static int element_from_reply(pottery_value *out, const pottery_reply *r, const char *missing, const char *what)
{
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) return pottery__error(POTTERY_EINDEX, "%s", missing);
    int rc = pottery__reply_expect(r, POTTERY_REPLY_STRING, what);
    return rc < 0 ? rc : pottery__reply_to_value(out, r);
}

int pottery_list_get(pottery_value *out, pottery_list *list, int64_t index)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "LINDEX");
    pottery__cmd_key(&cmd, &list->c);
    pottery__cmd_int(&cmd, (long long)index);
    pottery_reply *r = NULL;
    int rc = pottery__exec(&r, list->c.client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = element_from_reply(out, r, "IndexError: list index out of range", "LINDEX");
    pottery__reply_free(r);
    return rc;
}

/* Redis' LSET errors for a bad index ("ERR index out of range", "ERR no such key"). */
static int is_index_error(void)
{
    const char *m = pottery_error_last()->message;
    return strstr(m, "index out of range") != NULL || strstr(m, "no such key") != NULL;
}

int pottery_list_set(pottery_list *list, int64_t index, pottery_value value)
{
    POTTERY_CHECK_ARG(list);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "LSET");
    pottery__cmd_key(&cmd, &list->c);
    pottery__cmd_int(&cmd, (long long)index);
    pottery__cmd_value(&cmd, &value);
    pottery_reply *r = NULL;
    int rc = pottery__exec(&r, list->c.client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0)
        rc = pottery__reply_status(r, "OK", "LSET");
    else if (rc == POTTERY_EREDIS && is_index_error())
        rc = pottery__error(POTTERY_EINDEX, "IndexError: list assignment index out of range");
    pottery__reply_free(r);
    return rc;
}

/* Remove the element at index atomically; *removed (may be NULL) receives the script's
 * reply, whose first element is the element's bytes (checked), and *at (may be NULL) the
 * index it had from the front. Distinguishes an empty list from an index out of range for
 * pop's messages. */
static int remove_at(pottery_reply **removed, int64_t *at, pottery_list *l, int64_t index, const char *empty_msg,
                     const char *range_msg)
{
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &l->c);
    pottery__cmd_int(&args, (long long)index);
    pottery__list_push_placeholder(&args);
    pottery_reply *r = NULL;
    const char *what = pottery__lua_list_del_index.name;
    int rc = pottery__list_run_script(&r, l, &pottery__lua_list_del_index, &args);
    if (rc < 0) return rc;
    long long code;
    if (pottery__reply_type(r) == POTTERY_REPLY_INTEGER) {
        rc = pottery__reply_int_in(&code, r, -1, 0, what);
        if (rc == 0) rc = pottery__error(POTTERY_EINDEX, "%s", code == 0 ? empty_msg : range_msg);
    } else {
        rc = pottery__reply_array_n(r, 2, what);
        if (rc == 0) rc = pottery__reply_expect(pottery__reply_at(r, 0), POTTERY_REPLY_STRING, what);
        if (rc == 0) rc = pottery__reply_int_in(&code, pottery__reply_at(r, 1), 0, LLONG_MAX, what);
        if (rc == 0 && at) *at = (int64_t)code;
    }
    if (rc == 0 && removed)
        *removed = r;
    else
        pottery__reply_free(r);
    return rc;
}

int pottery_list_del(pottery_list *list, int64_t index)
{
    POTTERY_CHECK_ARG(list);
    static const char msg[] = "IndexError: list assignment index out of range";
    return remove_at(NULL, NULL, list, index, msg, msg);
}

/* ---- bulk pushes: extend, extend_json, a deque's pushes ---- */

/* A push as a bulk write: one PUSH per PUSH_CHUNK elements, then the LTRIM if any. The
 * elements are values[0..n) or the items of an array node. */
typedef struct push_chunks {
    const pottery_container *c;
    const char *verb;
    const pottery_value *values;
    const pottery_json_node *items;
    size_t n, next;
    size_t pushes; /* PUSH commands built */
    const pottery_list_trim *trim;
    int trimmed;
    pottery_buf scratch;
} push_chunks;

static int next_push(pottery_cmd *cmd, void *ctx)
{
    push_chunks *p = ctx;
    if (p->next == p->n) {
        if (!p->trim || p->trimmed) return 0;
        p->trimmed = 1;
        pottery__cmd_cstr(cmd, "LTRIM");
        pottery__cmd_key(cmd, p->c);
        pottery__cmd_int(cmd, p->trim->start);
        pottery__cmd_int(cmd, p->trim->stop);
        return 1;
    }
    size_t to = p->n - p->next > PUSH_CHUNK ? p->next + PUSH_CHUNK : p->n;
    /* Room for short elements up front, so the arena is not copied over and over. */
    if (pottery__buf_reserve(&cmd->arena, (to - p->next) * 8) < 0) return POTTERY_ENOMEM;
    pottery__cmd_cstr(cmd, p->verb);
    pottery__cmd_key(cmd, p->c);
    for (; p->next < to; p->next++) {
        if (p->values)
            pottery__list_cmd_element(cmd, &p->values[p->next]);
        else
            cmd_node(cmd, p->items->items[p->next], &p->scratch);
    }
    p->pushes++;
    return 1;
}

/* A PUSH answers the new length (at least 1), the LTRIM after them +OK. */
static int check_push(const pottery_reply *r, size_t i, void *ctx)
{
    const push_chunks *p = ctx;
    long long len;
    if (i >= p->pushes) return pottery__reply_status(r, "OK", "LTRIM");
    return pottery__reply_int_in(&len, r, 1, LLONG_MAX, p->verb);
}

static int push_chunked(push_chunks *p)
{
    pottery_bulk b = { p->c->client, next_push, check_push, p };
    int rc = pottery__bulk_write(&b);
    pottery__buf_free(&p->scratch);
    return rc;
}

int pottery__list_push(const pottery_container *c, int left, const pottery_value *values, size_t n,
                       const pottery_list_trim *trim)
{
    push_chunks p = { c, left ? "LPUSH" : "RPUSH", values, NULL, n, 0, 0, trim, 0, POTTERY_BUF_INIT };
    return push_chunked(&p);
}

int pottery_list_append(pottery_list *list, pottery_value value)
{
    POTTERY_CHECK_ARG(list);
    return pottery__list_push(&list->c, 0, &value, 1, NULL);
}

int pottery_list_extend(pottery_list *list, const pottery_value *values, size_t n)
{
    POTTERY_CHECK_ARG(list);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(values);
    return pottery__list_push(&list->c, 0, values, n, NULL);
}

int pottery_list_extend_json(pottery_list *list, const char *json_array)
{
    POTTERY_CHECK_ARG(list);
    POTTERY_CHECK_ARG(json_array);
    pottery_json_node *arr = NULL;
    int rc = pottery__json_parse_kind(&arr, json_array, POTTERY_JSON_ARRAY, "pottery_list_extend_json");
    if (rc < 0) return rc;
    push_chunks p = { &list->c, "RPUSH", NULL, arr, arr->count, 0, 0, NULL, 0, POTTERY_BUF_INIT };
    rc = push_chunked(&p);
    pottery__json_free(arr);
    return rc;
}

/* ---- insert and pops ---- */

/* The insert script on args holding the key, the index and the element's bytes, with
 * maxlen (< 0: none): *inserted 1, or 0 when the list was full. */
static int run_insert(int *inserted, pottery_list *l, pottery_cmd *args, int64_t maxlen)
{
    pottery__list_push_placeholder(args);
    if (maxlen >= 0) pottery__cmd_int(args, (long long)maxlen);
    long long len = 0;
    int rc = pottery__list_run_script_int(&len, l, &pottery__lua_list_insert, args, maxlen >= 0 ? 0 : 1, LLONG_MAX);
    if (rc == 0 && inserted) *inserted = len > 0;
    return rc;
}

int pottery__list_insert(int *inserted, pottery_list *l, int64_t index, const pottery_value *value, int64_t maxlen)
{
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &l->c);
    pottery__cmd_int(&args, (long long)index);
    pottery__cmd_value(&args, value);
    return run_insert(inserted, l, &args, maxlen);
}

int pottery_list_insert(pottery_list *list, int64_t index, pottery_value value)
{
    POTTERY_CHECK_ARG(list);
    return pottery__list_insert(NULL, list, index, &value, -1);
}

/* A popped element did not decode (its error is set): put its bytes back at index, so the
 * failed call leaves the list as it was. Inserting never overwrites what a concurrent
 * writer did meanwhile. One more round trip, on this path only. */
static int put_back(pottery_list *l, const char *bytes, size_t len, int64_t index)
{
    pottery_error_saved decode;
    pottery__error_save(&decode);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &l->c);
    pottery__cmd_int(&args, (long long)index);
    pottery__cmd_arg(&args, bytes, len);
    return pottery__pop_failed(&l->c, &decode, run_insert(NULL, l, &args, -1), "element", bytes, len);
}

int pottery__list_pop_end(pottery_value *out, pottery_list *l, int left, const char *empty)
{
    const char *verb = left ? "LPOP" : "RPOP";
    pottery_reply *r = NULL;
    const char *bytes = NULL;
    size_t len = 0;
    /* One call: the command timeout bounds the pop and a put-back together. */
    pottery__call_begin(l->c.client);
    int rc = pottery__container_command(&r, &l->c, verb, NULL);
    if (rc == 0) rc = pottery__reply_bytes_or_nil(&bytes, &len, r, verb);
    if (rc == 0 && !bytes)
        rc = pottery__error(POTTERY_EINDEX, "%s", empty);
    else if (rc == 0 && (rc = pottery__reply_to_value(out, r)) < 0)
        /* Out of Redis but not in the caller's hands (foreign bytes, or no memory to decode
         * them): pushed back on the end it came from, so no data is lost. */
        rc = pottery__container_put_back(&l->c, left ? "LPUSH" : "RPUSH", bytes, len, "element");
    pottery__call_end(l->c.client);
    pottery__reply_free(r);
    return rc;
}

static const char pop_empty[] = "IndexError: pop from empty list";

int pottery_list_pop(pottery_value *out, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    return pottery__list_pop_end(out, list, 0, pop_empty);
}

int pottery_list_pop_index(pottery_value *out, pottery_list *list, int64_t index)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    if (index == -1) return pottery__list_pop_end(out, list, 0, pop_empty);
    if (index == 0) return pottery__list_pop_end(out, list, 1, pop_empty);
    pottery_reply *r = NULL;
    int64_t at = 0;
    pottery__call_begin(list->c.client); /* the removal and a put-back: one deadline */
    int rc = remove_at(&r, &at, list, index, pop_empty, "IndexError: pop index out of range");
    if (rc == 0 && (rc = pottery__reply_to_value(out, pottery__reply_at(r, 0))) < 0) {
        size_t len;
        const char *bytes = pottery__reply_str(pottery__reply_at(r, 0), &len);
        rc = put_back(list, bytes, len, at);
    }
    pottery__call_end(list->c.client);
    pottery__reply_free(r);
    return rc;
}

/* ---- whole-list operations ---- */

/* LRANGE 0 -1 of the list, parsed. */
static int read_all(pottery_json_node **out, pottery_list *l)
{
    pottery_reply *r = NULL;
    int rc = pottery__list_lrange(&r, &l->c, 0, -1);
    if (rc == 0) rc = pottery__list_reply_to_array(out, r);
    pottery__reply_free(r);
    return rc;
}

int pottery_list_reverse(pottery_list *list)
{
    POTTERY_CHECK_ARG(list);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &list->c);
    return pottery__list_run_script_int(NULL, list, &pottery__lua_list_reverse, &args, 0, LLONG_MAX);
}

int pottery_list_sort(pottery_list *list, int descending)
{
    POTTERY_CHECK_ARG(list);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "SORT");
    pottery__cmd_key(&cmd, &list->c);
    if (descending) pottery__cmd_cstr(&cmd, "DESC");
    pottery__cmd_cstr(&cmd, "STORE");
    pottery__cmd_key(&cmd, &list->c);
    int rc = pottery__exec_int(NULL, list->c.client, &cmd, 0, LLONG_MAX, "SORT STORE");
    if (rc == POTTERY_EREDIS && strstr(pottery_error_last()->message, "converted into double")) {
        char redis_text[256];
        snprintf(redis_text, sizeof redis_text, "%s", pottery_error_last()->message);
        rc = pottery__error(POTTERY_EREDIS, "sort: only lists of numbers can be sorted (Redis: %s)", redis_text);
    }
    return rc;
}

int pottery_list_to_json(char **out, size_t *out_len, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    pottery_json_node *arr = NULL;
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = read_all(&arr, list);
    if (rc == 0) rc = pottery__json_write(&b, arr);
    if (rc == 0) rc = pottery__buf_detach(&b, out, out_len);
    pottery__buf_free(&b);
    pottery__json_free(arr);
    return rc;
}

/* prefix + repr(to_list()). */
static int list_repr(char **out, pottery_list *l, const char *prefix)
{
    pottery_json_node *arr = NULL;
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = read_all(&arr, l);
    if (rc == 0) rc = pottery__buf_puts(&b, prefix);
    if (rc == 0) rc = pottery__json_repr(&b, arr);
    if (rc == 0) rc = pottery__buf_detach(&b, out, NULL);
    pottery__buf_free(&b);
    pottery__json_free(arr);
    return rc;
}

int pottery_list_repr(char **out, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    return list_repr(out, list, "RedisList");
}

int pottery_list_repr_items(char **out, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    return list_repr(out, list, "");
}

/* A new list on l's client with a fresh temporary key beside l holding l + other (+ extra).
 * The key is checked and filled by one script; a key that turned out to exist is retried
 * (3 tries). */
static int concat(pottery_list **out, pottery_list *l, pottery_list *other, pottery_cmd *extra)
{
    int rc = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        char *key = NULL;
        if ((rc = pottery__temporary_key(&key, &l->c)) < 0) return rc; /* checked by the script */
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_cstr(&args, key);
        pottery__cmd_key(&args, &l->c);
        if (other) pottery__cmd_key(&args, &other->c);
        for (size_t i = 0; extra && i < extra->argc; i++) {
            const pottery_cmd_arg *a = &extra->args[i];
            pottery__cmd_arg(&args, a->ptr ? a->ptr : extra->arena.data + a->off, a->len);
        }
        pottery_reply *r = NULL;
        long long written = 0;
        rc = pottery__eval(&r, l->c.client, &pottery__lua_list_concat, other ? 3 : 2, &args);
        pottery__cmd_free(&args);
        if (rc == 0) rc = pottery__reply_int_in(&written, r, -1, LLONG_MAX, pottery__lua_list_concat.name);
        pottery__reply_free(r);
        if (rc == 0 && written >= 0) {
            /* A key given: no round trip. */
            pottery_container *c;
            rc = pottery__container_open(&c, sizeof(pottery_list), l->c.client, key, NULL, NULL);
            if (rc == 0) *out = (pottery_list *)c;
        }
        /* Out of memory once the script may have run (its reply unread, or no handle): the
         * fresh key must not stay behind, since nobody else knows its name. */
        if (rc == POTTERY_ENOMEM) pottery__unlink_if_temporary(l->c.client, key);
        pottery__free(key);
        if (rc < 0 || written >= 0) return rc;
        /* the key existed: try another one */
    }
    return pottery__error(POTTERY_ERANDOMKEY, "RandomKeyError: 3 random keys already existed");
}

int pottery_list_add(pottery_list **out, pottery_list *list, pottery_list *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    POTTERY_CHECK_ARG(other);
    if (pottery__containers_colocated(&list->c, &other->c)) return concat(out, list, other, NULL);
    /* Not colocated (another server, or another Redis Cluster hash slot): read other's
     * elements first (their bytes are copied as they are). */
    pottery_reply *r = NULL;
    int rc = pottery__list_lrange(&r, &other->c, 0, -1);
    if (rc < 0) return rc;
    pottery_cmd extra;
    pottery__cmd_init(&extra);
    size_t n = pottery__reply_count(r);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *e = pottery__reply_str(pottery__reply_at(r, i), &len); /* checked */
        pottery__cmd_arg(&extra, e, len);
    }
    rc = extra.err < 0 ? extra.err : concat(out, list, NULL, &extra);
    pottery__cmd_free(&extra);
    pottery__reply_free(r);
    return rc;
}

int pottery_list_add_json(pottery_list **out, pottery_list *list, const char *json_array)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    POTTERY_CHECK_ARG(json_array);
    pottery_json_node *arr = NULL;
    int rc = pottery__json_parse_kind(&arr, json_array, POTTERY_JSON_ARRAY, "pottery_list_add_json");
    if (rc < 0) return rc;
    pottery_cmd extra;
    pottery__cmd_init(&extra);
    rc = cmd_items(&extra, arr);
    if (rc == 0) rc = concat(out, list, NULL, &extra);
    pottery__cmd_free(&extra);
    pottery__json_free(arr);
    return rc;
}

/* Element-wise Python equality of two lists read as replies. Equal bytes are equal without
 * parsing; otherwise both sides are parsed (POTTERY_EDECODE for foreign data). */
static int replies_equal(int *out, const pottery_reply *a, const pottery_reply *b)
{
    size_t n = pottery__reply_count(a);
    if (n != pottery__reply_count(b)) {
        *out = 0;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t alen, blen;
        const char *x = pottery__reply_str(pottery__reply_at(a, i), &alen);
        const char *y = pottery__reply_str(pottery__reply_at(b, i), &blen);
        if (alen == blen && (alen == 0 || memcmp(x, y, alen) == 0)) continue;
        pottery_json_node *p = NULL, *q = NULL;
        int rc = pottery__json_parse(&p, x ? x : "", alen);
        if (rc == 0) rc = pottery__json_parse(&q, y ? y : "", blen);
        int eq = rc == 0 && pottery__json_equal(p, q);
        pottery__json_free(p);
        pottery__json_free(q);
        if (rc < 0) return rc;
        if (!eq) {
            *out = 0;
            return 0;
        }
    }
    *out = 1;
    return 0;
}

int pottery_list_equal_from(int *out, pottery_list *list, pottery_list *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    POTTERY_CHECK_ARG(other);
    int colocated = pottery__containers_colocated(&list->c, &other->c);
    if (list == other || (colocated && strcmp(list->c.key, other->c.key) == 0)) {
        *out = 1;
        return 0;
    }
    pottery_reply *replies[2] = { NULL, NULL };
    int rc;
    if (colocated) {
        /* Both LRANGEs in one round trip. */
        pottery_cmd cmds[2];
        pottery_list *lists[2] = { list, other };
        for (int i = 0; i < 2; i++) {
            pottery__cmd_init(&cmds[i]);
            pottery__cmd_cstr(&cmds[i], "LRANGE");
            pottery__cmd_key(&cmds[i], &lists[i]->c);
            pottery__cmd_cstr(&cmds[i], "0");
            pottery__cmd_cstr(&cmds[i], "-1");
        }
        rc = pottery__exec_pipeline(replies, list->c.client, cmds, 2);
        if (rc == 0) rc = pottery__list_check_elements(replies[0], "LRANGE");
        if (rc == 0) rc = pottery__list_check_elements(replies[1], "LRANGE");
        for (int i = 0; i < 2; i++) pottery__cmd_free(&cmds[i]);
    } else {
        rc = pottery__list_lrange(&replies[0], &list->c, 0, -1);
        if (rc == 0) rc = pottery__list_lrange(&replies[1], &other->c, 0, -1);
    }
    if (rc == 0) rc = replies_equal(out, replies[0], replies[1]);
    pottery__reply_free(replies[0]);
    pottery__reply_free(replies[1]);
    return rc;
}

int pottery_list_equal_json(int *out, pottery_list *list, const char *json_array)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    POTTERY_CHECK_ARG(json_array);
    pottery_json_node *theirs = NULL, *mine = NULL;
    int rc = pottery__json_parse(&theirs, json_array, strlen(json_array));
    if (rc == 0 && theirs->kind == POTTERY_JSON_NULL) {
        /* Python: l == None is False. Known without reading the list. */
        pottery__json_free(theirs);
        *out = 0;
        return 0;
    }
    if (rc == POTTERY_ENOMEM) return rc;
    if (rc < 0 || theirs->kind != POTTERY_JSON_ARRAY) {
        /* Not JSON, or another kind: the type error, with its message. */
        pottery__json_free(theirs);
        return pottery__json_parse_kind(&theirs, json_array, POTTERY_JSON_ARRAY, __func__);
    }
    rc = read_all(&mine, list);
    if (rc == 0) *out = pottery__json_equal(mine, theirs);
    pottery__json_free(mine);
    pottery__json_free(theirs);
    return rc;
}

/* ---- iteration ---- */

static int iter_new(pottery_list_iter **out, pottery_list *list, int reversed)
{
    pottery_list_iter *it = pottery__calloc(1, sizeof *it);
    if (!it) return pottery__error_oom();
    it->list = list;
    it->reversed = reversed;
    *out = it;
    return 0;
}

int pottery_list_iter_new(pottery_list_iter **out, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    return iter_new(out, list, 0);
}

int pottery_list_iter_new_reversed(pottery_list_iter **out, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    return iter_new(out, list, 1);
}

int pottery_list_iter_next(pottery_value *out, pottery_list_iter *it)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(it);
    if (it->next == it->count) {
        if (it->last) return POTTERY_EITEROVER;
        pottery__reply_free(it->batch);
        it->batch = NULL;
        it->count = it->next = 0;
        pottery_list *l = it->list;
        int64_t from = it->pos, to = it->pos + ITER_WINDOW - 1;
        /* Backwards: the window counted from the end, with negative indexes. */
        if (it->reversed) {
            from = -(it->pos + ITER_WINDOW);
            to = -(it->pos + 1);
        }
        pottery_reply *r = NULL;
        int rc = pottery__list_lrange(&r, &l->c, from, to);
        if (rc < 0) return rc;
        it->batch = r;
        it->count = pottery__reply_count(r);
        it->pos += (int64_t)it->count;
        if (it->count < ITER_WINDOW) it->last = 1;
        if (it->count == 0) return POTTERY_EITEROVER;
    }
    size_t i = it->reversed ? it->count - 1 - it->next : it->next;
    it->next++; /* move on first, so a foreign element does not stop the iteration */
    int rc = pottery__reply_to_value(out, pottery__reply_at(it->batch, i));
    if (rc == POTTERY_ENOMEM) it->next--; /* but the next call retries one there was no memory for */
    return rc;
}

void pottery_list_iter_free(pottery_list_iter *it)
{
    if (!it) return;
    pottery__reply_free(it->batch);
    pottery__free(it);
}
