/* pottery_cached_ordered_dict, what is read from memory alone: misses, snapshots, iteration. */
#include <stdint.h>
#include <string.h>

#include "cached_ordered_dict_impl.h"
#include "core/alloc.h"
#include "core/error.h"

struct pottery_cached_ordered_dict_iter {
    pottery_cached_ordered_dict *d;
    size_t next;
    size_t count; /* the dict's length when the iterator was made */
};

int pottery_cached_ordered_dict_misses(pottery_value *out, pottery_cached_ordered_dict *d)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    /* The fields are canonical JSON, so the array of them is canonical too. */
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = pottery__buf_putc(&b, '[');
    for (size_t i = 0, listed = 0; rc == 0 && i < d->count; i++) {
        if (!d->entries[i].miss) continue;
        if (listed++) rc = pottery__buf_append(&b, ", ", 2);
        if (rc == 0) rc = pottery__buf_append(&b, d->entries[i].field, d->entries[i].flen);
    }
    if (rc == 0) rc = pottery__buf_putc(&b, ']');
    pottery_value array = POTTERY_VALUE_INIT;
    if (rc == 0)
        rc = pottery_value_copy(&array, &(pottery_value){ POTTERY_TYPE_JSON, { .s = { b.data, b.len } }, NULL });
    if (rc == 0) {
        pottery_value_dispose(out);
        *out = array;
    }
    pottery__buf_free(&b);
    return rc;
}

/* Append Python's repr() of the JSON text[0..len). */
static int append_repr(pottery_buf *b, const char *text, size_t len)
{
    pottery_json_node *n = NULL;
    int rc = pottery__json_parse(&n, text, len);
    if (rc == 0) rc = pottery__json_repr(b, n);
    pottery__json_free(n);
    return rc;
}

/* Append the key of entry e as Python's json names it in an object: a JSON string. */
static int append_key_name(pottery_buf *b, pottery_buf *scratch, const pottery_cod_entry *e)
{
    pottery_json_node *n = NULL;
    int rc = pottery__json_parse(&n, e->field, e->flen);
    pottery__buf_clear(scratch);
    if (rc == 0 && (rc = pottery__json_key_text(scratch, n)) == POTTERY_ETYPE)
        rc = pottery__error(POTTERY_ETYPE,
                            "pottery_cached_ordered_dict_to_json: key %s: keys must be str, int, "
                            "float, bool or None",
                            e->field);
    if (rc == 0) rc = pottery__json_write_string(b, scratch->data ? scratch->data : "", scratch->len);
    pottery__json_free(n);
    return rc;
}

int pottery_cached_ordered_dict_to_json(char **out, size_t *out_len, pottery_cached_ordered_dict *d)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    pottery_buf b = POTTERY_BUF_INIT, scratch = POTTERY_BUF_INIT;
    int rc = pottery__buf_putc(&b, '{');
    for (size_t i = 0; rc == 0 && i < d->count; i++) {
        const pottery_cod_entry *e = &d->entries[i];
        if (e->miss) {
            rc = pottery__error(POTTERY_ETYPE,
                                "pottery_cached_ordered_dict_to_json: key %s is a cache miss (no value "
                                "yet)",
                                e->field);
            break;
        }
        if (i) rc = pottery__buf_append(&b, ", ", 2);
        if (rc == 0) rc = append_key_name(&b, &scratch, e);
        if (rc == 0) rc = pottery__buf_append(&b, ": ", 2);
        if (rc == 0) rc = pottery__encode(&b, &e->value);
    }
    if (rc == 0) rc = pottery__buf_putc(&b, '}');
    if (rc == 0) rc = pottery__buf_detach(&b, out, out_len);
    pottery__buf_free(&b);
    pottery__buf_free(&scratch);
    return rc;
}

int pottery_cached_ordered_dict_repr(char **out, pottery_cached_ordered_dict *d)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = pottery__buf_puts(&b, d->count ? "CachedOrderedDict([" : "CachedOrderedDict(");
    for (size_t i = 0; rc == 0 && i < d->count; i++) {
        const pottery_cod_entry *e = &d->entries[i];
        rc = pottery__buf_puts(&b, i ? ", (" : "(");
        if (rc == 0) rc = append_repr(&b, e->field, e->flen);
        if (rc == 0) rc = pottery__buf_append(&b, ", ", 2);
        if (rc == 0 && e->miss) {
            rc = pottery__buf_puts(&b, "<miss>");
        } else if (rc == 0) {
            pottery_json_node *n = NULL;
            if ((rc = pottery__value_to_node(&n, &e->value)) == 0) rc = pottery__json_repr(&b, n);
            pottery__json_free(n);
        }
        if (rc == 0) rc = pottery__buf_putc(&b, ')');
    }
    if (rc == 0) rc = pottery__buf_puts(&b, d->count ? "])" : ")");
    if (rc == 0) rc = pottery__buf_detach(&b, out, NULL);
    pottery__buf_free(&b);
    return rc;
}

int pottery_cached_ordered_dict_iter_new(pottery_cached_ordered_dict_iter **out, pottery_cached_ordered_dict *d)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(d);
    pottery_cached_ordered_dict_iter *it = pottery__calloc(1, sizeof *it);
    if (!it) return pottery__error_oom();
    it->d = d;
    it->count = d->count;
    *out = it;
    return 0;
}

int pottery_cached_ordered_dict_iter_next(pottery_value *key_out, pottery_value *value_out, int *miss_out,
                                          pottery_cached_ordered_dict_iter *it)
{
    POTTERY_CHECK_ARG(it);
    const pottery_cached_ordered_dict *d = it->d;
    if (d->count != it->count)
        return pottery__error(POTTERY_ESTATE, "RuntimeError: OrderedDict mutated during iteration (%zu keys, then %zu)",
                              it->count, d->count);
    if (it->next == d->count) return POTTERY_EITEROVER;
    const pottery_cod_entry *e = &d->entries[it->next];
    pottery_value k = POTTERY_VALUE_INIT, v = POTTERY_VALUE_INIT;
    int rc = key_out ? pottery__decode(&k, e->field, e->flen) : 0;
    if (rc == 0 && value_out) rc = pottery_value_copy(&v, &e->value);
    if (rc < 0) {
        pottery_value_dispose(&k);
        return rc;
    }
    if (key_out) {
        pottery_value_dispose(key_out);
        *key_out = k;
    }
    if (value_out) {
        pottery_value_dispose(value_out);
        *value_out = v;
    }
    if (miss_out) *miss_out = e->miss;
    it->next++;
    return 0;
}

void pottery_cached_ordered_dict_iter_free(pottery_cached_ordered_dict_iter *it)
{
    pottery__free(it);
}
