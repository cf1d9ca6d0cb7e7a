/* pottery_counter: counts read from Redis (stored text, script verdicts) or from a
 * caller's JSON, and the messages of the errors they can give. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "counter_impl.h"

enum { QUOTE_MAX = POTTERY_COUNTER_QUOTE_MAX };

static int is_integer_text(const char *s)
{
    if (*s == '-') s++;
    if (*s < '0' || *s > '9') return 0;
    while (*s >= '0' && *s <= '9') s++;
    return *s == '\0';
}

/* Canonical integers take a fast path; anything else goes through the JSON decoder. */
int pottery__counter_parse(int64_t *out, const char *s, size_t len)
{
    size_t i = (len > 0 && s[0] == '-') ? 1 : 0;
    if (i < len && len - i <= 19 && (s[i] != '0' || len - i == 1)) {
        uint64_t mag = 0;
        size_t j = i;
        for (; j < len && s[j] >= '0' && s[j] <= '9'; j++) mag = mag * 10 + (uint64_t)(s[j] - '0');
        if (j == len && !(i && mag == 0)) {
            if (!i && mag <= (uint64_t)INT64_MAX) {
                *out = (int64_t)mag;
                return 0;
            }
            if (i && mag <= (uint64_t)INT64_MAX + 1) {
                *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
                return 0;
            }
            return POTTERY_ERANGE;
        }
    }
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery__decode(&v, s, len);
    if (rc == POTTERY_ENOMEM) return rc;
    if (rc < 0) return POTTERY_EDECODE;
    if (v.type == POTTERY_TYPE_INT)
        *out = v.u.i;
    else
        rc = (v.type == POTTERY_TYPE_JSON && is_integer_text(v.u.s.ptr)) ? POTTERY_ERANGE : POTTERY_EDECODE;
    pottery_value_dispose(&v);
    return rc;
}

/* Python's repr of the key whose JSON text is given ("'a'"), for messages; the raw text
 * if it is not JSON. */
static void describe_field(char *out, size_t cap, const char *text, size_t len)
{
    pottery_error_saved saved;
    pottery__error_save(&saved);
    pottery_json_node *n = NULL;
    pottery_buf b = POTTERY_BUF_INIT;
    if (pottery__json_parse(&n, text, len) == 0 && pottery__json_repr(&b, n) == 0)
        snprintf(out, cap, "%.*s", (int)(b.len > QUOTE_MAX ? QUOTE_MAX : b.len), b.data);
    else
        snprintf(out, cap, "%.*s", (int)(len > QUOTE_MAX ? QUOTE_MAX : len), text);
    pottery__buf_free(&b);
    pottery__json_free(n);
    pottery__error_restore(&saved);
}

int pottery__counter_count_error(int code, const char *key, size_t keylen, const char *field, size_t flen,
                                 const char *value, size_t vlen)
{
    if (code != POTTERY_EDECODE && code != POTTERY_ERANGE) return code;
    char what[QUOTE_MAX + 32] = "a key";
    if (field) describe_field(what, sizeof what, field, flen);
    return pottery__error(code, "the stored count of %s in '%.*s' %s: %.*s", what, (int)keylen, key,
                          code == POTTERY_EDECODE ? "is not an integer" : "does not fit in int64",
                          (int)(vlen > QUOTE_MAX ? QUOTE_MAX : vlen), value);
}

int pottery__counter_range_error(const char *key, size_t keylen, const char *field, size_t flen, const char *redis_text)
{
    char what[QUOTE_MAX + 32] = "a key";
    if (field) describe_field(what, sizeof what, field, flen);
    return pottery__error(POTTERY_ERANGE, "OverflowError: the count of %s in '%.*s' would not fit in int64%s%s%s", what,
                          (int)keylen, key, redis_text ? " (Redis: " : "", redis_text ? redis_text : "",
                          redis_text ? ")" : "");
}

/* Does a script's failure array name this kind (and carry n elements)? */
static int is_failure(const char *kind, size_t klen, const char *name, size_t n, size_t count)
{
    return klen == strlen(name) && memcmp(kind, name, klen) == 0 && count == n;
}

/* A script's failure: an array {'exists', key}, {'decode', key, field, value} or {'range',
 * key, field} of bulk strings. */
static int script_failure(const pottery_reply *r, const char *what)
{
    size_t count;
    int rc = pottery__reply_array(&count, r, what);
    const char *text[4] = { NULL, NULL, NULL, NULL };
    size_t len[4] = { 0, 0, 0, 0 };
    if (rc == 0 && (count < 2 || count > 4))
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: expected a verdict of 2 to 4 strings, got an array of %zu", what,
                            count);
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = pottery__reply_bytes(&text[i], &len[i], pottery__reply_at(r, i), what);
    if (rc < 0) return rc;
    if (is_failure(text[0], len[0], "exists", 2, count))
        return pottery__error(POTTERY_EEXISTS, "KeyExistsError: key '%.*s' already exists", (int)len[1], text[1]);
    if (is_failure(text[0], len[0], "decode", 4, count))
        return pottery__counter_count_error(POTTERY_EDECODE, text[1], len[1], text[2], len[2], text[3], len[3]);
    if (is_failure(text[0], len[0], "range", 3, count))
        return pottery__counter_range_error(text[1], len[1], text[2], len[2], NULL);
    return pottery__error(POTTERY_EPROTOCOL, "%s: unknown verdict '%.*s' (%zu strings)", what,
                          (int)(len[0] > QUOTE_MAX ? QUOTE_MAX : len[0]), text[0], count);
}

int pottery__counter_script_result(const pottery_reply *r, pottery_reply_type ok, int64_t *first, const char *what)
{
    pottery_reply_type t = pottery__reply_type(r);
    if (t == POTTERY_REPLY_ARRAY) return script_failure(r, what);
    if (ok == POTTERY_REPLY_INTEGER) {
        long long n;
        return pottery__reply_int_in(&n, r, 0, LLONG_MAX, what);
    }
    const char *text;
    size_t len;
    int64_t n = 0;
    int rc = pottery__reply_bytes(&text, &len, r, what);
    if (rc == 0 && (rc = pottery__counter_parse(&n, text, len)) < 0 && rc != POTTERY_ENOMEM)
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: expected a count, got \"%.*s\"", what,
                            (int)(len > QUOTE_MAX ? QUOTE_MAX : len), text);
    if (rc == 0 && first) *first = n;
    return rc;
}

int pottery__counter_value_reader(pottery_json_node **out, const pottery_container *c, const char *field, size_t flen,
                                  const char *value, size_t vlen)
{
    int64_t n = 0;
    int rc = pottery__counter_parse(&n, value, vlen);
    if (rc < 0) return pottery__counter_count_error(rc, c->key, c->keylen, field, flen, value, vlen);
    pottery_value v = pottery_int(n);
    return pottery__value_to_node(out, &v);
}

int pottery__counter_counts_from_json(pottery_hash_snapshot *s, pottery_json_node **obj, const char *json_object,
                                      const char *func)
{
    int rc = pottery__json_parse_kind(obj, json_object, POTTERY_JSON_OBJECT, func);
    if (rc == 0) rc = pottery__hash_snapshot_from_object(s, *obj);
    for (size_t i = 0; rc == 0 && i < s->count; i++) {
        const pottery_json_node *v = s->entries[i].value;
        if (v->kind == POTTERY_JSON_INT && v->fits_int64) continue;
        pottery_buf field = POTTERY_BUF_INIT, value = POTTERY_BUF_INIT;
        if (pottery__json_write(&field, s->entries[i].key) < 0 || pottery__json_write(&value, v) < 0) {
            rc = POTTERY_ENOMEM;
        } else {
            char what[QUOTE_MAX + 32];
            describe_field(what, sizeof what, field.data, field.len);
            rc = pottery__error(POTTERY_ETYPE, "%s: the count of %s in the JSON object is not an int64 integer: %.*s",
                                func, what, (int)(value.len > QUOTE_MAX ? QUOTE_MAX : value.len), value.data);
        }
        pottery__buf_free(&field);
        pottery__buf_free(&value);
    }
    return rc;
}
