/* pottery_list's searches by Python equality (index, count, remove, contains): the value is
 * expanded into every canonical JSON text that decodes to an equal value and the server
 * looks for those exact bytes; a value with too many spellings is searched client-side in a
 * WATCH transaction. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"
#include "core/alloc.h"
#include "core/error.h"
#include "list_impl.h"
#include "lua_scripts.h"
#include "pottery/list.h"

enum {
    SCAN_WINDOW = 1000,  /* elements per LRANGE window of the client-side search */
    MAX_SPELLINGS = 1024 /* equal spellings sent to the server for one search */
};

/* ---- search by Python equality ---- */

/* The canonical spellings of every JSON value Python considers equal to a given one. */
typedef struct spellings {
    pottery_buf *items;
    size_t count;
    size_t cap;
} spellings;

enum { SPELL_TOO_MANY = 1 };

static void spellings_free(spellings *s)
{
    for (size_t i = 0; i < s->count; i++) pottery__buf_free(&s->items[i]);
    pottery__free(s->items);
    s->items = NULL;
    s->count = s->cap = 0;
}

static int spellings_add(spellings *s, const char *text, size_t len)
{
    if (s->count >= MAX_SPELLINGS) return SPELL_TOO_MANY;
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4;
        pottery_buf *n = pottery__realloc(s->items, cap * sizeof *n);
        if (!n) return pottery__error_oom();
        s->items = n;
        s->cap = cap;
    }
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = pottery__buf_append(&b, text, len);
    if (rc < 0) return rc;
    if (b.data == NULL && (rc = pottery__buf_reserve(&b, 1)) < 0) return rc;
    s->items[s->count++] = b;
    return 0;
}

static int spellings_add_cstr(spellings *s, const char *text)
{
    return spellings_add(s, text, strlen(text));
}

static int spell_zero_or_one(spellings *s, int one)
{
    static const char *const zero[] = { "0", "0.0", "-0.0", "false" };
    static const char *const unity[] = { "1", "1.0", "true" };
    const char *const *list = one ? unity : zero;
    size_t n = one ? 3 : 4;
    for (size_t i = 0; i < n; i++) {
        int rc = spellings_add_cstr(s, list[i]);
        if (rc != 0) return rc;
    }
    return 0;
}

/* Scalars: numbers have several spellings (1, 1.0, true), everything else exactly one. */
static int spell_scalar(spellings *s, const pottery_json_node *n)
{
    char text[POTTERY_INTEGRAL_TEXT_SIZE], repr[POTTERY_DOUBLE_BUFSIZE];
    int rc;
    switch (n->kind) {
    case POTTERY_JSON_TRUE: return spell_zero_or_one(s, 1);
    case POTTERY_JSON_FALSE: return spell_zero_or_one(s, 0);
    case POTTERY_JSON_INT:
        if (n->fits_int64) {
            if (n->i == 0 || n->i == 1) return spell_zero_or_one(s, n->i == 1);
            pottery__int64_text(text, n->i);
            if ((rc = spellings_add_cstr(s, text)) != 0) return rc;
            double d = (double)n->i;
            if (d >= -POTTERY_TWO_POW_63 && d < POTTERY_TWO_POW_63 && (int64_t)d == n->i) {
                pottery__format_double(repr, d);
                return spellings_add_cstr(s, repr);
            }
            return 0;
        }
        if ((rc = spellings_add(s, n->text, n->len)) != 0) return rc;
        if (pottery__double_is_integral(n->num)) {
            pottery__integral_text(text, n->num);
            if (strcmp(text, n->text) == 0) {
                pottery__format_double(repr, n->num);
                return spellings_add_cstr(s, repr);
            }
        }
        return 0;
    case POTTERY_JSON_FLOAT:
        if (isnan(n->num)) return 0; /* NaN equals nothing */
        if (n->num == 0.0) return spell_zero_or_one(s, 0);
        if (n->num == 1.0) return spell_zero_or_one(s, 1);
        pottery__format_double(repr, n->num);
        if ((rc = spellings_add_cstr(s, repr)) != 0) return rc;
        if (pottery__double_is_integral(n->num)) {
            pottery__integral_text(text, n->num);
            return spellings_add_cstr(s, text);
        }
        return 0;
    default: {
        pottery_buf b = POTTERY_BUF_INIT;
        rc = pottery__json_write(&b, n);
        if (rc == 0) rc = spellings_add(s, b.data, b.len);
        pottery__buf_free(&b);
        return rc;
    }
    }
}

static int spell(spellings *out, const pottery_json_node *n);

/* Arrays and objects: every combination of their members' spellings. */
static int spell_composite(spellings *out, const pottery_json_node *n)
{
    int object = n->kind == POTTERY_JSON_OBJECT;
    spellings acc = { NULL, 0, 0 };
    int rc = spellings_add_cstr(&acc, object ? "{" : "[");
    pottery_buf key = POTTERY_BUF_INIT;
    for (size_t k = 0; rc == 0 && k < n->count; k++) {
        spellings member = { NULL, 0, 0 }, next = { NULL, 0, 0 };
        pottery__buf_clear(&key);
        if (k > 0) rc = pottery__buf_puts(&key, ", ");
        if (rc == 0 && object) {
            rc = pottery__json_write(&key, n->keys[k]);
            if (rc == 0) rc = pottery__buf_puts(&key, ": ");
        }
        if (rc == 0) rc = spell(&member, n->items[k]);
        if (rc == 0 && acc.count * member.count > MAX_SPELLINGS) rc = SPELL_TOO_MANY;
        for (size_t a = 0; rc == 0 && a < acc.count; a++) {
            for (size_t m = 0; rc == 0 && m < member.count; m++) {
                pottery_buf b = POTTERY_BUF_INIT;
                rc = pottery__buf_append(&b, acc.items[a].data, acc.items[a].len);
                if (rc == 0 && key.len) rc = pottery__buf_append(&b, key.data, key.len);
                if (rc == 0) rc = pottery__buf_append(&b, member.items[m].data, member.items[m].len);
                if (rc == 0) rc = spellings_add(&next, b.data, b.len);
                pottery__buf_free(&b);
            }
        }
        spellings_free(&member);
        spellings_free(&acc);
        acc = next;
    }
    pottery__buf_free(&key);
    for (size_t a = 0; rc == 0 && a < acc.count; a++) rc = pottery__buf_putc(&acc.items[a], object ? '}' : ']');
    if (rc == 0) {
        for (size_t a = 0; rc == 0 && a < acc.count; a++) rc = spellings_add(out, acc.items[a].data, acc.items[a].len);
    }
    spellings_free(&acc);
    return rc;
}

static int spell(spellings *out, const pottery_json_node *n)
{
    if (n->kind == POTTERY_JSON_ARRAY || n->kind == POTTERY_JSON_OBJECT) return spell_composite(out, n);
    return spell_scalar(out, n);
}

typedef enum find_op { FIND_INDEX = 'i', FIND_REMOVE = 'r', FIND_COUNT = 'c' } find_op;

typedef struct find_request {
    find_op op;
    int64_t start; /* POTTERY_SLICE_NONE = omitted */
    int64_t stop;
    int64_t result; /* count, or index found (-1: none) */
} find_request;

/* The client-side search for values with too many spellings: LRANGE windows inside a WATCH
 * transaction, elements compared as parsed trees. */
typedef struct scan_ctx {
    pottery_list *list;
    const pottery_json_node *target;
    find_request *req;
    char placeholder[37];
} scan_ctx;

static int scan_body(pottery_client *c, void *vctx, pottery_txn *t)
{
    (void)c; /* the list's own client */
    scan_ctx *ctx = vctx;
    pottery_list *l = ctx->list;
    find_request *req = ctx->req;
    pottery_reply *r = NULL;
    int64_t len;
    int rc = pottery__container_count(&len, &l->c, "LLEN");
    if (rc < 0) return rc;
    int64_t start = 0, stop = len;
    if (req->op != FIND_COUNT) {
        if (req->start != POTTERY_SLICE_NONE) {
            start = req->start;
            if (start < 0) start = start < -len ? 0 : start + len;
        }
        if (req->stop != POTTERY_SLICE_NONE) {
            stop = req->stop;
            if (stop < 0)
                stop = stop < -len ? 0 : stop + len;
            else if (stop > len)
                stop = len;
        }
    }
    int64_t count = 0, found = -1;
    for (int64_t from = start; from < stop && found < 0; from += SCAN_WINDOW) {
        int64_t to = stop - from > SCAN_WINDOW ? from + SCAN_WINDOW - 1 : stop - 1;
        rc = pottery__list_lrange(&r, &l->c, from, to);
        if (rc < 0) return rc;
        size_t n = pottery__reply_count(r);
        for (size_t j = 0; j < n; j++) {
            size_t elen;
            const char *e = pottery__reply_str(pottery__reply_at(r, j), &elen);
            pottery_json_node *node = NULL;
            if (pottery__json_parse(&node, e, elen) < 0) continue; /* foreign: never equal */
            int eq = pottery__json_equal(node, ctx->target);
            pottery__json_free(node);
            if (!eq) continue;
            if (req->op == FIND_COUNT) {
                count++;
            } else {
                found = from + (int64_t)j;
                break;
            }
        }
        pottery__reply_free(r);
        r = NULL;
        if ((int64_t)n < to - from + 1) break; /* the list is shorter than it was */
    }
    req->result = req->op == FIND_COUNT ? count : found;
    if (req->op == FIND_REMOVE && found >= 0) {
        pottery_cmd *set = pottery__txn_add(t);
        if (!set) return POTTERY_ENOMEM;
        pottery__cmd_cstr(set, "LSET");
        pottery__cmd_key(set, &l->c);
        pottery__cmd_int(set, (long long)found);
        pottery__cmd_arg(set, ctx->placeholder, 36);
        pottery_cmd *rem = pottery__txn_add(t);
        if (!rem) return POTTERY_ENOMEM;
        pottery__cmd_cstr(rem, "LREM");
        pottery__cmd_key(rem, &l->c);
        pottery__cmd_int(rem, found < len / 2 ? 1 : -1);
        pottery__cmd_arg(rem, ctx->placeholder, 36);
    }
    return 0;
}

static int find_by_scan(pottery_list *l, const pottery_json_node *target, find_request *req)
{
    scan_ctx ctx;
    ctx.list = l;
    ctx.target = target;
    ctx.req = req;
    int rc = pottery__uuid4(ctx.placeholder);
    if (rc < 0) return rc;
    const char *keys[1] = { l->c.key };
    size_t keylens[1] = { l->c.keylen };
    pottery_reply *exec = NULL;
    rc = pottery__watch(&exec, l->c.client, keys, keylens, 1, 10, scan_body, &ctx);
    /* Only a removal writes: LSET then LREM of the placeholder it wrote. */
    if (rc == 0 && exec) {
        long long removed;
        rc = pottery__reply_array_n(exec, 2, "EXEC");
        if (rc == 0) rc = pottery__reply_status(pottery__reply_at(exec, 0), "OK", "LSET inside EXEC");
        if (rc == 0) rc = pottery__reply_int_in(&removed, pottery__reply_at(exec, 1), 1, 1, "LREM inside EXEC");
    }
    pottery__reply_free(exec);
    return rc;
}

/* Search the list for value; req->result receives the answer. */
static int find(pottery_list *l, const pottery_value *value, find_request *req)
{
    pottery_json_node *target = NULL;
    int rc = pottery__value_to_node(&target, value);
    if (rc < 0) return rc;
    spellings sp = { NULL, 0, 0 };
    rc = spell(&sp, target);
    if (rc == SPELL_TOO_MANY) {
        rc = find_by_scan(l, target, req);
    } else if (rc == 0) {
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_key(&args, &l->c);
        char op = (char)req->op;
        pottery__cmd_copy(&args, &op, 1);
        pottery__list_cmd_optional(&args, req->start);
        pottery__list_cmd_optional(&args, req->stop);
        rc = req->op == FIND_REMOVE ? pottery__list_push_placeholder(&args) : pottery__cmd_arg(&args, "", 0);
        for (size_t i = 0; rc == 0 && i < sp.count; i++)
            rc = pottery__cmd_arg(&args, sp.items[i].data, sp.items[i].len);
        long long result = 0;
        if (rc == 0)
            rc = pottery__list_run_script_int(&result, l, &pottery__lua_list_find, &args,
                                              req->op == FIND_COUNT ? 0 : -1, LLONG_MAX);
        else
            pottery__cmd_free(&args);
        if (rc == 0) req->result = (int64_t)result;
    }
    spellings_free(&sp);
    pottery__json_free(target);
    return rc;
}

int pottery_list_remove(pottery_list *list, pottery_value value)
{
    POTTERY_CHECK_ARG(list);
    find_request req = { FIND_REMOVE, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE, -1 };
    int rc = find(list, &value, &req);
    if (rc < 0) return rc;
    if (req.result < 0) return pottery__error(POTTERY_ENOTFOUND, "ValueError: list.remove(x): x not in list");
    return 0;
}

int pottery_list_index_range(int64_t *out, pottery_list *list, pottery_value value, int64_t start, int64_t stop)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    find_request req = { FIND_INDEX, start, stop, -1 };
    int rc = find(list, &value, &req);
    if (rc < 0) return rc;
    if (req.result < 0) {
        char *repr = NULL;
        if (pottery_value_repr(&repr, value) < 0)
            return pottery__error(POTTERY_ENOTFOUND, "ValueError: x is not in list");
        pottery__error(POTTERY_ENOTFOUND, "ValueError: %s is not in list", repr);
        pottery_free(repr);
        return POTTERY_ENOTFOUND;
    }
    *out = req.result;
    return 0;
}

int pottery_list_index(int64_t *out, pottery_list *list, pottery_value value)
{
    return pottery_list_index_range(out, list, value, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE);
}

int pottery_list_count(int64_t *out, pottery_list *list, pottery_value value)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    find_request req = { FIND_COUNT, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE, 0 };
    int rc = find(list, &value, &req);
    if (rc < 0) return rc;
    *out = req.result;
    return 0;
}

int pottery_list_contains(int *out, pottery_list *list, pottery_value value)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    find_request req = { FIND_INDEX, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE, -1 };
    int rc = find(list, &value, &req);
    if (rc == POTTERY_ETYPE) {
        /* Python: a value that cannot be serialised is simply not there. */
        *out = 0;
        return 0;
    }
    if (rc < 0) return rc;
    *out = req.result >= 0;
    return 0;
}
