#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "hash_snapshot.h"

void pottery__hash_snapshot_free(pottery_hash_snapshot *s)
{
    for (size_t i = 0; i < s->count; i++) {
        if (!s->borrowed) {
            pottery__json_free(s->entries[i].key);
            pottery__json_free(s->entries[i].value);
        }
        pottery__buf_free(&s->entries[i].sort_key);
    }
    pottery__free(s->entries);
    s->entries = NULL;
    s->count = s->cap = 0;
}

/* Room for n entries in all (growing geometrically, so adding one by one stays linear). */
static int reserve(pottery_hash_snapshot *s, size_t n)
{
    if (n <= s->cap) return 0;
    size_t cap = s->cap ? s->cap : 8;
    while (cap < n) cap *= 2;
    pottery_hash_entry *e = pottery__realloc(s->entries, cap * sizeof *e);
    if (!e) return pottery__error_oom();
    s->entries = e;
    s->cap = cap;
    return 0;
}

int pottery__hash_snapshot_add(pottery_hash_snapshot *s, pottery_json_node *key, pottery_json_node *value)
{
    if (reserve(s, s->count + 1) < 0) {
        pottery__json_free(key);
        pottery__json_free(value);
        return POTTERY_ENOMEM;
    }
    pottery_hash_entry *e = &s->entries[s->count++];
    e->key = key;
    e->value = value;
    e->sort_key = (pottery_buf)POTTERY_BUF_INIT;
    return 0;
}

/* One entry of an HGETALL reply: the field parsed as JSON, the value as c reads its values
 * (c NULL or without a reader: JSON too). */
static int load_entry(pottery_hash_snapshot *s, const pottery_reply *fr, const pottery_reply *vr,
                      const pottery_container *c)
{
    const char *field = "", *value = "";
    size_t flen = 0, vlen = 0;
    int rc = pottery__reply_bytes(&field, &flen, fr, "HGETALL");
    if (rc == 0) rc = pottery__reply_bytes(&value, &vlen, vr, "HGETALL");
    if (rc < 0) return rc;
    pottery_json_node *k = NULL, *v = NULL;
    rc = pottery__json_parse(&k, field, flen);
    if (rc == 0) rc = c && c->value ? c->value(&v, c, field, flen, value, vlen) : pottery__json_parse(&v, value, vlen);
    if (rc == 0) return pottery__hash_snapshot_add(s, k, v);
    pottery__json_free(k);
    pottery__json_free(v);
    return rc;
}

int pottery__hash_snapshot_load(pottery_hash_snapshot *s, const pottery_reply *r, const pottery_container *c)
{
    size_t count;
    int rc = pottery__reply_array(&count, r, "HGETALL");
    if (rc == 0 && count % 2)
        rc = pottery__error(POTTERY_EPROTOCOL, "HGETALL: expected fields and values in pairs, got an array of %zu",
                            count);
    if (rc == 0 && count) rc = reserve(s, count / 2);
    for (size_t i = 0; rc == 0 && i < count / 2; i++)
        rc = load_entry(s, pottery__reply_at(r, 2 * i), pottery__reply_at(r, 2 * i + 1), c);
    if (rc < 0) pottery__hash_snapshot_free(s);
    return rc;
}

/* HGETALL key (one round trip), loaded as pottery__hash_snapshot_load does. */
static int read_hash(pottery_hash_snapshot *s, pottery_client *client, const char *key, size_t keylen,
                     const pottery_container *c)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "HGETALL");
    pottery__cmd_arg(&cmd, key, keylen);
    pottery_reply *r = NULL;
    int rc = pottery__exec(&r, client, &cmd);
    if (rc == 0) rc = pottery__hash_snapshot_load(s, r, c);
    pottery__reply_free(r);
    pottery__cmd_free(&cmd);
    return rc;
}

int pottery__hash_snapshot_read(pottery_hash_snapshot *s, pottery_client *c, const char *key, size_t keylen)
{
    return read_hash(s, c, key, keylen, NULL);
}

int pottery__hash_container_read(pottery_hash_snapshot *s, const pottery_container *c)
{
    return read_hash(s, c->client, c->key, c->keylen, c);
}

int pottery__hash_snapshot_from_object(pottery_hash_snapshot *s, const pottery_json_node *obj)
{
    s->borrowed = 1;
    if (obj->count && reserve(s, obj->count) < 0) return POTTERY_ENOMEM;
    for (size_t i = 0; i < obj->count; i++) {
        s->entries[i].key = obj->keys[i];
        s->entries[i].value = obj->items[i];
        s->entries[i].sort_key = (pottery_buf)POTTERY_BUF_INIT;
    }
    s->count = obj->count;
    return 0;
}

int pottery__hash_sort_key_compare(const pottery_buf *a, const pottery_buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->data, b->data, n) : 0;
    if (c) return c;
    return (a->len > b->len) - (a->len < b->len);
}

static int compare_sort_keys(const void *pa, const void *pb)
{
    const pottery_hash_entry *a = pa, *b = pb;
    return pottery__hash_sort_key_compare(&a->sort_key, &b->sort_key);
}

static double numeric_value(const pottery_json_node *n)
{
    if (n->kind == POTTERY_JSON_TRUE) return 1.0;
    if (n->kind == POTTERY_JSON_FALSE) return 0.0;
    return n->num;
}

static int compare_numeric_keys(const void *pa, const void *pb)
{
    const pottery_json_node *a = ((const pottery_hash_entry *)pa)->key;
    const pottery_json_node *b = ((const pottery_hash_entry *)pb)->key;
    if (a->kind == POTTERY_JSON_INT && b->kind == POTTERY_JSON_INT && a->fits_int64 && b->fits_int64)
        return (a->i > b->i) - (a->i < b->i);
    double x = numeric_value(a), y = numeric_value(b);
    return (x > y) - (x < y);
}

static int is_number(const pottery_json_node *n)
{
    return n->kind == POTTERY_JSON_INT || n->kind == POTTERY_JSON_FLOAT || n->kind == POTTERY_JSON_TRUE ||
           n->kind == POTTERY_JSON_FALSE;
}

/* json.dumps(sort_keys=True) sorts the original keys: strings by code point, numbers by
 * value, and a mix cannot be sorted at all (Python raises TypeError). */
static int sort_for_json(pottery_hash_snapshot *s)
{
    size_t strings = 0, numbers = 0;
    for (size_t i = 0; i < s->count; i++) {
        const pottery_json_node *k = s->entries[i].key;
        if (k->kind == POTTERY_JSON_STRING)
            strings++;
        else if (is_number(k))
            numbers++;
        pottery__buf_clear(&s->entries[i].sort_key);
        int rc = pottery__json_key_text(&s->entries[i].sort_key, k);
        if (rc < 0) return rc;
    }
    if (s->count > 1 && strings != s->count && numbers != s->count)
        return pottery__error(POTTERY_ETYPE, "keys of mixed types cannot be sorted for JSON (Python raises TypeError)");
    if (s->count > 1)
        qsort(s->entries, s->count, sizeof *s->entries, strings ? compare_sort_keys : compare_numeric_keys);
    return 0;
}

int pottery__hash_snapshot_to_json(pottery_buf *b, pottery_hash_snapshot *s)
{
    int rc = sort_for_json(s);
    if (rc == 0) rc = pottery__buf_putc(b, '{');
    for (size_t i = 0; rc == 0 && i < s->count; i++) {
        const pottery_buf *k = &s->entries[i].sort_key;
        if (i) rc = pottery__buf_puts(b, ", ");
        pottery_value key_text = pottery_strn(k->data ? k->data : "", k->len);
        if (rc == 0) rc = pottery__encode(b, &key_text);
        if (rc == 0) rc = pottery__buf_puts(b, ": ");
        if (rc == 0) rc = pottery__json_write(b, s->entries[i].value);
    }
    if (rc == 0) rc = pottery__buf_putc(b, '}');
    return rc;
}

int pottery__hash_snapshot_repr(pottery_buf *b, const pottery_hash_snapshot *s, const char *prefix)
{
    int rc = pottery__buf_puts(b, prefix);
    if (rc == 0) rc = pottery__buf_putc(b, '{');
    for (size_t i = 0; rc == 0 && i < s->count; i++) {
        if (i) rc = pottery__buf_puts(b, ", ");
        if (rc == 0) rc = pottery__json_repr(b, s->entries[i].key);
        if (rc == 0) rc = pottery__buf_puts(b, ": ");
        if (rc == 0) rc = pottery__json_repr(b, s->entries[i].value);
    }
    if (rc == 0) rc = pottery__buf_putc(b, '}');
    return rc;
}

static int sort_normalized(pottery_hash_snapshot *s)
{
    for (size_t i = 0; i < s->count; i++) {
        pottery__buf_clear(&s->entries[i].sort_key);
        int rc = pottery__json_write_normalized(&s->entries[i].sort_key, s->entries[i].key);
        if (rc < 0) return rc;
    }
    if (s->count > 1) qsort(s->entries, s->count, sizeof *s->entries, compare_sort_keys);
    return 0;
}

int pottery__hash_snapshot_equal(int *out, pottery_hash_snapshot *a, pottery_hash_snapshot *b)
{
    *out = 0;
    if (a->count != b->count) return 0;
    int rc = sort_normalized(a);
    if (rc == 0) rc = sort_normalized(b);
    if (rc < 0) return rc;
    for (size_t i = 0; i < a->count; i++) {
        if (compare_sort_keys(&a->entries[i], &b->entries[i]) != 0) return 0;
        if (!pottery__json_equal(a->entries[i].value, b->entries[i].value)) return 0;
    }
    *out = 1;
    return 0;
}

/* ---- whole-hash operations ---- */

/* MULTI HGETALL a HGETALL b EXEC: *exec gets the two hashes. */
static int read_both(pottery_reply **exec, const pottery_container *a, const pottery_container *b)
{
    pottery_cmd cmds[2];
    const pottery_container *which[2] = { a, b };
    for (int i = 0; i < 2; i++) {
        pottery__cmd_init(&cmds[i]);
        pottery__cmd_cstr(&cmds[i], "HGETALL");
        pottery__cmd_key(&cmds[i], which[i]);
    }
    /* pottery__exec_multi checks that EXEC answered an array of 2. */
    int rc = pottery__exec_multi(exec, a->client, cmds, 2);
    pottery__cmd_free(&cmds[0]);
    pottery__cmd_free(&cmds[1]);
    return rc;
}

int pottery__hash_read_pair(pottery_hash_snapshot *x, pottery_hash_snapshot *y, const pottery_container *a,
                            const pottery_container *b)
{
    if (!pottery__containers_colocated(a, b)) {
        int rc = pottery__hash_container_read(x, a);
        return rc < 0 ? rc : pottery__hash_container_read(y, b);
    }
    pottery_reply *exec = NULL;
    int rc = read_both(&exec, a, b);
    if (rc == 0) rc = pottery__hash_snapshot_load(x, pottery__reply_at(exec, 0), a);
    if (rc == 0) rc = pottery__hash_snapshot_load(y, pottery__reply_at(exec, 1), b);
    pottery__reply_free(exec);
    return rc;
}

int pottery__hash_to_json(char **out, size_t *out_len, const pottery_container *c)
{
    pottery_hash_snapshot s = POTTERY_HASH_SNAPSHOT_INIT;
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = pottery__hash_container_read(&s, c);
    if (rc == 0) rc = pottery__hash_snapshot_to_json(&b, &s);
    if (rc == 0) rc = pottery__buf_detach(&b, out, out_len);
    pottery__buf_free(&b);
    pottery__hash_snapshot_free(&s);
    return rc;
}

int pottery__hash_equal(int *out, const pottery_container *a, const pottery_container *b)
{
    if (a == b || (pottery__containers_colocated(a, b) && strcmp(a->key, b->key) == 0)) {
        *out = 1;
        return 0;
    }
    pottery_hash_snapshot x = POTTERY_HASH_SNAPSHOT_INIT, y = POTTERY_HASH_SNAPSHOT_INIT;
    int rc = pottery__hash_read_pair(&x, &y, a, b);
    if (rc == 0) rc = pottery__hash_snapshot_equal(out, &x, &y);
    pottery__hash_snapshot_free(&x);
    pottery__hash_snapshot_free(&y);
    return rc;
}

/* 1 if text is the JSON null (blanks around it included). */
static int is_json_null(const char *text)
{
    pottery_error_saved saved;
    pottery__error_save(&saved);
    pottery_json_node *n = NULL;
    int null = pottery__json_parse(&n, text, strlen(text)) == 0 && n->kind == POTTERY_JSON_NULL;
    pottery__json_free(n);
    pottery__error_restore(&saved);
    return null;
}

int pottery__hash_equal_json(int *out, const pottery_container *c, const char *json_object, const char *func)
{
    pottery_json_node *obj = NULL;
    int rc = pottery__json_parse_kind(&obj, json_object, POTTERY_JSON_OBJECT, func);
    if (rc == POTTERY_ETYPE && is_json_null(json_object)) {
        /* Python: d == None is False, not a TypeError. */
        *out = 0;
        return 0;
    }
    if (rc < 0) return rc;
    pottery_hash_snapshot mine = POTTERY_HASH_SNAPSHOT_INIT, theirs = POTTERY_HASH_SNAPSHOT_INIT;
    rc = pottery__hash_container_read(&mine, c);
    if (rc == 0) rc = pottery__hash_snapshot_from_object(&theirs, obj);
    if (rc == 0) rc = pottery__hash_snapshot_equal(out, &mine, &theirs);
    pottery__hash_snapshot_free(&theirs);
    pottery__hash_snapshot_free(&mine);
    pottery__json_free(obj);
    return rc;
}
