/* pottery_value: constructors, ownership, and the value <-> JSON entry points. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "codec/codec.h"
#include "core/error.h"

/* ---- borrowed constructors ---- */

pottery_value pottery_null(void)
{
    pottery_value v = POTTERY_VALUE_INIT;
    return v;
}

pottery_value pottery_bool(int b)
{
    pottery_value v = POTTERY_VALUE_INIT;
    v.type = POTTERY_TYPE_BOOL;
    v.u.b = b != 0;
    return v;
}

pottery_value pottery_int(int64_t i)
{
    pottery_value v = POTTERY_VALUE_INIT;
    v.type = POTTERY_TYPE_INT;
    v.u.i = i;
    return v;
}

pottery_value pottery_double(double d)
{
    pottery_value v = POTTERY_VALUE_INIT;
    v.type = POTTERY_TYPE_DOUBLE;
    v.u.d = d;
    return v;
}

static pottery_value text_value(pottery_type type, const char *s, size_t len)
{
    pottery_value v = POTTERY_VALUE_INIT;
    v.type = type;
    v.u.s.ptr = s;
    v.u.s.len = s ? len : 0;
    return v;
}

pottery_value pottery_str(const char *s)
{
    return text_value(POTTERY_TYPE_STRING, s, s ? strlen(s) : 0);
}

pottery_value pottery_strn(const char *s, size_t len)
{
    return text_value(POTTERY_TYPE_STRING, s, len);
}

pottery_value pottery_json(const char *text)
{
    return text_value(POTTERY_TYPE_JSON, text, text ? strlen(text) : 0);
}

pottery_value pottery_jsonn(const char *text, size_t len)
{
    return text_value(POTTERY_TYPE_JSON, text, len);
}

/* ---- ownership ---- */

void pottery_value_dispose(pottery_value *v)
{
    if (!v) return;
    pottery__free(v->owned_);
    *v = pottery_null();
}

void pottery_free(void *p)
{
    pottery__free(p);
}

/* An owned NUL-terminated copy of s[0..len) as a STRING or JSON value. */
static int owned_text(pottery_value *out, pottery_type type, const char *s, size_t len)
{
    if (len == (size_t)-1) return pottery__error_oom();
    char *p = pottery__malloc(len + 1);
    if (!p) return pottery__error_oom();
    if (len) memcpy(p, s, len);
    p[len] = '\0';
    *out = pottery_null();
    out->type = type;
    out->u.s.ptr = p;
    out->u.s.len = len;
    out->owned_ = p;
    return 0;
}

static int check_value(const pottery_value *v)
{
    switch (v->type) {
    case POTTERY_TYPE_NULL:
    case POTTERY_TYPE_BOOL:
    case POTTERY_TYPE_INT:
    case POTTERY_TYPE_DOUBLE: return 0;
    case POTTERY_TYPE_STRING:
        if (!v->u.s.ptr) return pottery__error(POTTERY_EINVAL, "string value has a NULL pointer");
        return 0;
    case POTTERY_TYPE_JSON:
        if (!v->u.s.ptr) return pottery__error(POTTERY_EINVAL, "JSON value has a NULL pointer");
        return 0;
    }
    return pottery__error(POTTERY_EINVAL, "unknown value type %d", (int)v->type);
}

int pottery_value_copy(pottery_value *out, const pottery_value *src)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(src);
    pottery_value tmp = *src;
    int rc = check_value(src);
    if (rc == 0 && (src->type == POTTERY_TYPE_STRING || src->type == POTTERY_TYPE_JSON))
        rc = owned_text(&tmp, src->type, src->u.s.ptr, src->u.s.len);
    else
        tmp.owned_ = NULL;
    if (rc < 0) {
        if (out != src) pottery_value_dispose(out);
        return rc;
    }
    pottery_value_dispose(out); /* after the copy: out may be src */
    *out = tmp;
    return 0;
}

/* ---- value -> tree ---- */

static size_t first_invalid_utf8(const char *s, size_t len)
{
    size_t i = 0;
    uint32_t cp;
    while (i < len) {
        size_t n = pottery__utf8_decode(s + i, len - i, &cp);
        if (n == 0) return i;
        i += n;
    }
    return len;
}

static int check_utf8(const char *s, size_t len)
{
    if (pottery__utf8_valid(s, len)) return 0;
    return pottery__error(POTTERY_ETYPE, "string value is not valid UTF-8 (byte %zu of %zu)",
                          first_invalid_utf8(s, len), len);
}

/* Parse the text of a JSON value; malformed text is the caller's TypeError, not EDECODE. */
static int parse_json_value(pottery_json_node **out, const pottery_value *v)
{
    int rc = pottery__json_parse(out, v->u.s.ptr, v->u.s.len);
    if (rc == POTTERY_EDECODE) {
        char why[400];
        snprintf(why, sizeof why, "%s", pottery_error_last()->message);
        return pottery__error(POTTERY_ETYPE, "JSON value is not valid JSON text: %s", why);
    }
    return rc;
}

static pottery_json_node *int_node(int64_t i)
{
    pottery_json_node *n = pottery__json_node_new(POTTERY_JSON_INT);
    if (!n) return NULL;
    char t[POTTERY_INT64_TEXT_SIZE];
    size_t k = pottery__int64_text(t, i);
    n->text = pottery__malloc(k + 1);
    if (!n->text) {
        pottery__free(n);
        pottery__error_oom();
        return NULL;
    }
    memcpy(n->text, t, (size_t)k + 1);
    n->len = (size_t)k;
    n->i = i;
    n->fits_int64 = 1;
    n->num = (double)i;
    return n;
}

int pottery__value_to_node(pottery_json_node **out, const pottery_value *v)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(v);
    int rc = check_value(v);
    if (rc < 0) return rc;
    pottery_json_node *n = NULL;
    switch (v->type) {
    case POTTERY_TYPE_NULL: n = pottery__json_node_new(POTTERY_JSON_NULL); break;
    case POTTERY_TYPE_BOOL:
        n = pottery__json_node_new(v->u.b ? POTTERY_JSON_TRUE : POTTERY_JSON_FALSE);
        if (n) n->num = v->u.b ? 1.0 : 0.0;
        break;
    case POTTERY_TYPE_INT: n = int_node(v->u.i); break;
    case POTTERY_TYPE_DOUBLE:
        n = pottery__json_node_new(POTTERY_JSON_FLOAT);
        if (n) n->num = v->u.d;
        break;
    case POTTERY_TYPE_STRING:
        if ((rc = check_utf8(v->u.s.ptr, v->u.s.len)) < 0) return rc;
        n = pottery__json_node_new(POTTERY_JSON_STRING);
        if (!n) break;
        n->text = pottery__malloc(v->u.s.len + 1);
        if (!n->text) {
            pottery__free(n);
            return pottery__error_oom();
        }
        if (v->u.s.len) memcpy(n->text, v->u.s.ptr, v->u.s.len);
        n->text[v->u.s.len] = '\0';
        n->len = v->u.s.len;
        break;
    case POTTERY_TYPE_JSON: return parse_json_value(out, v);
    }
    if (!n) return POTTERY_ENOMEM;
    *out = n;
    return 0;
}

/* ---- encoding ---- */

static int encode_into(pottery_buf *b, const pottery_value *v)
{
    char t[POTTERY_DOUBLE_BUFSIZE];
    int rc = check_value(v);
    if (rc < 0) return rc;
    switch (v->type) {
    case POTTERY_TYPE_NULL: return pottery__buf_append(b, "null", 4);
    case POTTERY_TYPE_BOOL: return v->u.b ? pottery__buf_append(b, "true", 4) : pottery__buf_append(b, "false", 5);
    case POTTERY_TYPE_INT: {
        size_t k = pottery__int64_text(t, v->u.i);
        return pottery__buf_append(b, t, k);
    }
    case POTTERY_TYPE_DOUBLE: {
        size_t k = pottery__format_double(t, v->u.d);
        return pottery__buf_append(b, t, k);
    }
    case POTTERY_TYPE_STRING:
        if ((rc = check_utf8(v->u.s.ptr, v->u.s.len)) < 0) return rc;
        return pottery__json_write_string(b, v->u.s.ptr, v->u.s.len);
    case POTTERY_TYPE_JSON: {
        pottery_json_node *n;
        if ((rc = parse_json_value(&n, v)) < 0) return rc;
        rc = pottery__json_write(b, n);
        pottery__json_free(n);
        return rc;
    }
    }
    return pottery__error(POTTERY_EINVAL, "unknown value type %d", (int)v->type);
}

int pottery__encode(pottery_buf *b, const pottery_value *v)
{
    POTTERY_CHECK_ARG(b);
    POTTERY_CHECK_ARG(v);
    size_t mark = b->len;
    int rc = encode_into(b, v);
    if (rc < 0 && b->data) { /* leave b as it was */
        b->len = mark;
        b->data[mark] = '\0';
    }
    return rc;
}

int pottery_value_to_json(char **out, size_t *out_len, pottery_value v)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    if (out_len) *out_len = 0;
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = pottery__encode(&b, &v);
    if (rc == 0) rc = pottery__buf_detach(&b, out, out_len);
    pottery__buf_free(&b);
    return rc;
}

/* ---- decoding ---- */

/* Convert n; when steal is set, n's string buffer may be taken over (n stays freeable). */
static int from_node(pottery_value *out, pottery_json_node *n, int steal)
{
    *out = pottery_null();
    switch (n->kind) {
    case POTTERY_JSON_NULL: return 0;
    case POTTERY_JSON_FALSE:
    case POTTERY_JSON_TRUE: *out = pottery_bool(n->kind == POTTERY_JSON_TRUE); return 0;
    case POTTERY_JSON_FLOAT: *out = pottery_double(n->num); return 0;
    case POTTERY_JSON_INT:
        if (n->fits_int64) {
            *out = pottery_int(n->i);
            return 0;
        }
        return owned_text(out, POTTERY_TYPE_JSON, n->text, n->len);
    case POTTERY_JSON_STRING:
        if (!steal) return owned_text(out, POTTERY_TYPE_STRING, n->text, n->len);
        out->type = POTTERY_TYPE_STRING;
        out->u.s.ptr = n->text;
        out->u.s.len = n->len;
        out->owned_ = n->text;
        n->text = NULL;
        n->len = 0;
        return 0;
    case POTTERY_JSON_ARRAY:
    case POTTERY_JSON_OBJECT: {
        pottery_buf b = POTTERY_BUF_INIT;
        char *text = NULL;
        size_t len = 0;
        int rc = pottery__json_write(&b, n);
        if (rc == 0) rc = pottery__buf_detach(&b, &text, &len);
        pottery__buf_free(&b);
        if (rc < 0) return rc;
        out->type = POTTERY_TYPE_JSON;
        out->u.s.ptr = text;
        out->u.s.len = len;
        out->owned_ = text;
        return 0;
    }
    }
    return pottery__error(POTTERY_EINVAL, "unknown JSON node kind %d", (int)n->kind);
}

int pottery__value_from_node(pottery_value *out, const pottery_json_node *n)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(n);
    return from_node(out, (pottery_json_node *)n, 0);
}

/* A JSON string of printable ASCII without escapes ("document 7", the common case of a
 * cached value): its bytes are its text, so no parse tree is needed. 1 if text is one. */
static int plain_string(const char *text, size_t len)
{
    if (len < 2 || text[0] != '"' || text[len - 1] != '"') return 0;
    for (size_t i = 1; i + 1 < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return 0;
    }
    return 1;
}

/* A JSON integer of at most 18 digits (it fits int64 whatever they are), not "-0": *v and
 * 1; else 0 (the parser decides). */
static int plain_int(int64_t *v, const char *text, size_t len)
{
    size_t i = len > 0 && text[0] == '-';
    size_t digits = len - i;
    if (digits == 0 || digits > 18 || (text[i] == '0' && (digits > 1 || i))) return 0;
    int64_t n = 0;
    for (; i < len; i++) {
        if (text[i] < '0' || text[i] > '9') return 0;
        n = n * 10 + (text[i] - '0');
    }
    *v = text[0] == '-' ? -n : n;
    return 1;
}

int pottery__decode(pottery_value *out, const char *text, size_t len)
{
    POTTERY_CHECK_ARG(out);
    *out = pottery_null();
    if (text && plain_string(text, len)) return owned_text(out, POTTERY_TYPE_STRING, text + 1, len - 2);
    int64_t i;
    if (text && plain_int(&i, text, len)) {
        *out = pottery_int(i);
        return 0;
    }
    pottery_json_node *n;
    int rc = pottery__json_parse(&n, text, len);
    if (rc < 0) return rc;
    rc = from_node(out, n, 1);
    pottery__json_free(n);
    return rc;
}

int pottery_value_from_json(pottery_value *out, const char *text, size_t len)
{
    POTTERY_CHECK_ARG(out);
    pottery_value tmp = POTTERY_VALUE_INIT;
    int rc = text ? pottery__decode(&tmp, text, len) : pottery__error(POTTERY_EINVAL, "JSON text is NULL");
    pottery_value_dispose(out); /* after decoding: text may point into *out */
    if (rc == 0) *out = tmp;
    return rc;
}

/* ---- repr and equality ---- */

int pottery_value_repr(char **out, pottery_value v)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    pottery_json_node *n;
    int rc = pottery__value_to_node(&n, &v);
    if (rc < 0) return rc;
    pottery_buf b = POTTERY_BUF_INIT;
    rc = pottery__json_repr(&b, n);
    pottery__json_free(n);
    if (rc == 0) rc = pottery__buf_detach(&b, out, NULL);
    pottery__buf_free(&b);
    return rc;
}

int pottery_value_equal(int *out, pottery_value a, pottery_value b)
{
    POTTERY_CHECK_ARG(out);
    *out = 0;
    pottery_json_node *x, *y;
    int rc = pottery__value_to_node(&x, &a);
    if (rc < 0) return rc;
    rc = pottery__value_to_node(&y, &b);
    if (rc < 0) {
        pottery__json_free(x);
        return rc;
    }
    *out = pottery__json_equal(x, y);
    pottery__json_free(x);
    pottery__json_free(y);
    return 0;
}
