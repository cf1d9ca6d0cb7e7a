/*
 * A strict recursive-descent JSON parser (RFC 8259 plus Python's NaN, Infinity and
 * -Infinity). Integers keep their exact digits; objects come out sorted by key code points
 * with duplicate keys collapsed to the last one. Every failure is POTTERY_EDECODE with the
 * byte offset in the message (or POTTERY_ENOMEM); nothing leaks on any path.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "codec/codec.h"
#include "core/error.h"

typedef struct parser {
    const char *s;
    size_t len;
    size_t pos;
    int depth;
} parser;

static int parse_value(parser *p, pottery_json_node **out);

static int fail(const parser *p, size_t at, const char *what)
{
    (void)p;
    return pottery__error(POTTERY_EDECODE, "invalid JSON at byte %zu: %s", at, what);
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int match(parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) return 0;
    p->pos += n;
    return 1;
}

/* ---- numbers ---- */

static int new_float(pottery_json_node **out, double d)
{
    pottery_json_node *n = pottery__json_node_new(POTTERY_JSON_FLOAT);
    if (!n) return POTTERY_ENOMEM;
    n->num = d;
    *out = n;
    return 0;
}

int pottery__digits_to_int64(int64_t *out, const char *t, size_t n)
{
    int neg = n > 0 && *t == '-';
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (size_t k = (size_t)neg; k < n; k++) {
        unsigned d = (unsigned)(t[k] - '0');
        if (v > (limit - d) / 10u) return 0;
        v = v * 10u + d;
    }
    if (neg) {
        *out = v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
    } else {
        *out = (int64_t)v;
    }
    return 1;
}

int pottery__json_int_literal(const char **digits, size_t *n, const char *s, size_t len)
{
    parser p = { s, len, 0, 0 };
    skip_ws(&p);
    size_t start = p.pos;
    if (p.pos < len && s[p.pos] == '-') p.pos++;
    if (p.pos >= len || !is_digit(s[p.pos])) return 0;
    if (s[p.pos] == '0') {
        p.pos++;
    } else {
        while (p.pos < len && is_digit(s[p.pos])) p.pos++;
    }
    size_t end = p.pos;
    skip_ws(&p);
    if (p.pos != len) return 0; /* a fraction, an exponent, or anything else */
    *digits = s + start;
    *n = end - start;
    return 1;
}

static int make_int(pottery_json_node **out, const char *start, size_t n)
{
    pottery_json_node *node = pottery__json_node_new(POTTERY_JSON_INT);
    if (!node) return POTTERY_ENOMEM;
    if (n == 2 && start[0] == '-' && start[1] == '0') { /* Python: int("-0") == 0 */
        start++;
        n = 1;
    }
    node->text = pottery__malloc(n + 1);
    if (!node->text) {
        pottery__free(node);
        return pottery__error_oom();
    }
    memcpy(node->text, start, n);
    node->text[n] = '\0';
    node->len = n;
    node->fits_int64 = pottery__digits_to_int64(&node->i, node->text, n);
    /* Only digits: strtod needs no radix character, so the locale cannot interfere. */
    node->num = node->fits_int64 ? (double)node->i : strtod(node->text, NULL);
    *out = node;
    return 0;
}

/* A number with a fraction and/or exponent, read back by strtod as "[-]DIGITSe<exp>". */
static int make_float(pottery_json_node **out, const char *s, size_t int_at, size_t int_n, size_t frac_at,
                      size_t frac_n, long long exp)
{
    size_t cap = 1 + int_n + frac_n + 32;
    char *tmp = pottery__malloc(cap);
    if (!tmp) return pottery__error_oom();
    size_t at = 0;
    if (s[0] == '-') tmp[at++] = '-';
    memcpy(tmp + at, s + int_at, int_n);
    at += int_n;
    memcpy(tmp + at, s + frac_at, frac_n);
    at += frac_n;
    long long e = exp - (long long)(frac_n > 1000000000u ? 1000000000u : frac_n);
    snprintf(tmp + at, cap - at, "e%lld", e);
    double d = strtod(tmp, NULL); /* overflow gives +-inf, underflow 0: as Python's float() */
    pottery__free(tmp);
    return new_float(out, d);
}

static int parse_number(parser *p, pottery_json_node **out)
{
    const char *s = p->s + p->pos;
    size_t n = p->len - p->pos, k = 0;
    if (s[k] == '-') k++;
    size_t int_at = k;
    if (k < n && s[k] == '0') {
        k++;
    } else if (k < n && is_digit(s[k])) {
        while (k < n && is_digit(s[k])) k++;
    } else {
        return fail(p, p->pos + k, "expected a digit");
    }
    size_t int_n = k - int_at, frac_at = k, frac_n = 0;
    int is_float = 0;
    long long exp = 0;
    if (k < n && s[k] == '.') {
        k++;
        frac_at = k;
        if (k >= n || !is_digit(s[k])) return fail(p, p->pos + k, "expected a digit after '.'");
        while (k < n && is_digit(s[k])) k++;
        frac_n = k - frac_at;
        is_float = 1;
    }
    if (k < n && (s[k] == 'e' || s[k] == 'E')) {
        k++;
        int eneg = 0;
        if (k < n && (s[k] == '+' || s[k] == '-')) eneg = s[k++] == '-';
        if (k >= n || !is_digit(s[k])) return fail(p, p->pos + k, "expected a digit in the exponent");
        while (k < n && is_digit(s[k])) {
            if (exp < 1000000000LL) exp = exp * 10 + (s[k] - '0'); /* saturates: beyond +-inf/0 */
            k++;
        }
        if (eneg) exp = -exp;
        is_float = 1;
    }
    int rc = is_float ? make_float(out, s, int_at, int_n, frac_at, frac_n, exp) : make_int(out, s, k);
    if (rc == 0) p->pos += k;
    return rc;
}

/* ---- strings ---- */

static int hex4(const parser *p, size_t at, uint32_t *out)
{
    if (p->len - at < 4) return 0;
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++) {
        char c = p->s[at + k];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (uint32_t)(c - 'A' + 10);
        else
            return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

static int put_utf8(pottery_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return pottery__buf_append(b, u, n);
}

/* The \uXXXX escape at p->pos (just past the backslash-u), surrogate pairs joined. */
static int parse_u_escape(parser *p, pottery_buf *b)
{
    size_t at = p->pos - 2;
    uint32_t cp, lo;
    char msg[96];
    if (!hex4(p, p->pos, &cp)) return fail(p, at, "invalid \\u escape (expected 4 hex digits)");
    p->pos += 4;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        snprintf(msg, sizeof msg, "lone surrogate \\u%04x in string (not representable in UTF-8)", (unsigned)cp);
        return fail(p, at, msg);
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (p->len - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' || !hex4(p, p->pos + 2, &lo) ||
            lo < 0xDC00 || lo > 0xDFFF) {
            snprintf(msg, sizeof msg, "lone surrogate \\u%04x in string (not representable in UTF-8)", (unsigned)cp);
            return fail(p, at, msg);
        }
        p->pos += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    return put_utf8(b, cp);
}

/* Parse the string literal at p->pos (on the opening quote) into b. */
static int parse_string_into(parser *p, pottery_buf *b)
{
    size_t start = p->pos++;
    for (;;) {
        size_t run = p->pos;
        while (p->pos < p->len) {
            unsigned char c = (unsigned char)p->s[p->pos];
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
            p->pos++;
        }
        if (p->pos > run && pottery__buf_append(b, p->s + run, p->pos - run) < 0) return POTTERY_ENOMEM;
        if (p->pos >= p->len) return fail(p, start, "unterminated string");
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            return 0;
        }
        if (c < 0x20) return fail(p, p->pos, "invalid control character in string");
        if (c >= 0x80) {
            uint32_t cp;
            size_t n = pottery__utf8_decode(p->s + p->pos, p->len - p->pos, &cp);
            if (n == 0) return fail(p, p->pos, "invalid UTF-8 in string");
            if (pottery__buf_append(b, p->s + p->pos, n) < 0) return POTTERY_ENOMEM;
            p->pos += n;
            continue;
        }
        /* backslash */
        if (p->pos + 1 >= p->len) return fail(p, start, "unterminated string");
        char e = p->s[p->pos + 1], r;
        p->pos += 2;
        switch (e) {
        case '"': r = '"'; break;
        case '\\': r = '\\'; break;
        case '/': r = '/'; break;
        case 'b': r = '\b'; break;
        case 'f': r = '\f'; break;
        case 'n': r = '\n'; break;
        case 'r': r = '\r'; break;
        case 't': r = '\t'; break;
        case 'u': {
            int rc = parse_u_escape(p, b);
            if (rc < 0) return rc;
            continue;
        }
        default: return fail(p, p->pos - 2, "invalid escape in string");
        }
        if (pottery__buf_putc(b, r) < 0) return POTTERY_ENOMEM;
    }
}

static int parse_string(parser *p, pottery_json_node **out)
{
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = parse_string_into(p, &b);
    if (rc < 0) {
        pottery__buf_free(&b);
        return rc;
    }
    pottery_json_node *n = pottery__json_node_new(POTTERY_JSON_STRING);
    if (!n) {
        pottery__buf_free(&b);
        return POTTERY_ENOMEM;
    }
    if (pottery__buf_detach(&b, &n->text, &n->len) < 0) {
        pottery__buf_free(&b);
        pottery__free(n);
        return POTTERY_ENOMEM;
    }
    *out = n;
    return 0;
}

/* ---- arrays and objects ---- */

static int grow(pottery_json_node *n, size_t *cap, int with_keys)
{
    if (n->count < *cap) return 0;
    size_t want = *cap ? *cap * 2 : 4;
    if (want > ((size_t)-1) / sizeof(pottery_json_node *)) return pottery__error_oom();
    pottery_json_node **items = pottery__realloc(n->items, want * sizeof *items);
    if (!items) return pottery__error_oom();
    n->items = items;
    if (with_keys) {
        pottery_json_node **keys = pottery__realloc(n->keys, want * sizeof *keys);
        if (!keys) return pottery__error_oom();
        n->keys = keys;
    }
    *cap = want;
    return 0;
}

static int enter(parser *p)
{
    if (p->depth >= POTTERY_JSON_MAX_DEPTH) {
        char msg[80];
        snprintf(msg, sizeof msg, "nesting deeper than %d levels", POTTERY_JSON_MAX_DEPTH);
        return fail(p, p->pos, msg);
    }
    p->depth++;
    p->pos++; /* the opening bracket */
    return 0;
}

static int parse_array(parser *p, pottery_json_node **out)
{
    int rc = enter(p);
    if (rc < 0) return rc;
    pottery_json_node *n = pottery__json_node_new(POTTERY_JSON_ARRAY);
    if (!n) return POTTERY_ENOMEM;
    size_t cap = 0;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        goto done;
    }
    for (;;) {
        if ((rc = grow(n, &cap, 0)) < 0) goto error;
        if ((rc = parse_value(p, &n->items[n->count])) < 0) goto error;
        n->count++;
        skip_ws(p);
        if (p->pos >= p->len) {
            rc = fail(p, p->pos, "unexpected end of input in array");
            goto error;
        }
        char c = p->s[p->pos++];
        if (c == ']') break;
        if (c != ',') {
            rc = fail(p, p->pos - 1, "expected ',' or ']' in array");
            goto error;
        }
    }
done:
    p->depth--;
    *out = n;
    return 0;
error:
    pottery__json_free(n);
    return rc;
}

typedef struct member {
    pottery_json_node *key;
    pottery_json_node *value;
    size_t index;
} member;

static int compare_members(const void *a, const void *b)
{
    const member *x = a, *y = b;
    size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
    int c = n ? memcmp(x->key->text, y->key->text, n) : 0;
    if (c) return c;
    if (x->key->len != y->key->len) return x->key->len < y->key->len ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Sort members by key (UTF-8 byte order == code point order); keep the last duplicate. */
static int sort_members(pottery_json_node *n)
{
    if (n->count < 2) return 0;
    member *m = pottery__malloc(n->count * sizeof *m);
    if (!m) return pottery__error_oom();
    for (size_t k = 0; k < n->count; k++) {
        m[k].key = n->keys[k];
        m[k].value = n->items[k];
        m[k].index = k;
    }
    qsort(m, n->count, sizeof *m, compare_members);
    size_t out = 0;
    for (size_t k = 0; k < n->count; k++) {
        int dup = k + 1 < n->count && m[k].key->len == m[k + 1].key->len &&
                  memcmp(m[k].key->text, m[k + 1].key->text, m[k].key->len) == 0;
        if (dup) {
            pottery__json_free(m[k].key);
            pottery__json_free(m[k].value);
            continue;
        }
        n->keys[out] = m[k].key;
        n->items[out] = m[k].value;
        out++;
    }
    n->count = out;
    pottery__free(m);
    return 0;
}

static int parse_object(parser *p, pottery_json_node **out)
{
    int rc = enter(p);
    if (rc < 0) return rc;
    pottery_json_node *n = pottery__json_node_new(POTTERY_JSON_OBJECT);
    if (!n) return POTTERY_ENOMEM;
    pottery_json_node *key = NULL;
    size_t cap = 0;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        goto done;
    }
    for (;;) {
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != '"') {
            rc = fail(p, p->pos, "expected a string key in object");
            goto error;
        }
        if ((rc = parse_string(p, &key)) < 0) goto error;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ':') {
            rc = fail(p, p->pos, "expected ':' after object key");
            goto error;
        }
        p->pos++;
        if ((rc = grow(n, &cap, 1)) < 0) goto error;
        if ((rc = parse_value(p, &n->items[n->count])) < 0) goto error;
        n->keys[n->count++] = key;
        key = NULL;
        skip_ws(p);
        if (p->pos >= p->len) {
            rc = fail(p, p->pos, "unexpected end of input in object");
            goto error;
        }
        char c = p->s[p->pos++];
        if (c == '}') break;
        if (c != ',') {
            rc = fail(p, p->pos - 1, "expected ',' or '}' in object");
            goto error;
        }
    }
    if ((rc = sort_members(n)) < 0) goto error;
done:
    p->depth--;
    *out = n;
    return 0;
error:
    pottery__json_free(key);
    pottery__json_free(n);
    return rc;
}

/* ---- values ---- */

static int literal(parser *p, pottery_json_node **out, const char *word, pottery_json_kind kind, double num)
{
    size_t at = p->pos;
    if (!match(p, word)) return fail(p, at, "unexpected character (expected a JSON value)");
    pottery_json_node *n = pottery__json_node_new(kind);
    if (!n) return POTTERY_ENOMEM;
    n->num = num;
    *out = n;
    return 0;
}

static int parse_value(parser *p, pottery_json_node **out)
{
    skip_ws(p);
    if (p->pos >= p->len) return fail(p, p->pos, "unexpected end of input (expected a value)");
    switch (p->s[p->pos]) {
    case '{': return parse_object(p, out);
    case '[': return parse_array(p, out);
    case '"': return parse_string(p, out);
    case 'n': return literal(p, out, "null", POTTERY_JSON_NULL, 0.0);
    case 't': return literal(p, out, "true", POTTERY_JSON_TRUE, 1.0);
    case 'f': return literal(p, out, "false", POTTERY_JSON_FALSE, 0.0);
    case 'N': return literal(p, out, "NaN", POTTERY_JSON_FLOAT, NAN);
    case 'I': return literal(p, out, "Infinity", POTTERY_JSON_FLOAT, INFINITY);
    case '-':
        if (p->pos + 1 < p->len && p->s[p->pos + 1] == 'I')
            return literal(p, out, "-Infinity", POTTERY_JSON_FLOAT, -INFINITY);
        return parse_number(p, out);
    default:
        if (is_digit(p->s[p->pos])) return parse_number(p, out);
        return fail(p, p->pos, "unexpected character (expected a JSON value)");
    }
}

int pottery__json_parse(pottery_json_node **out, const char *text, size_t len)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    if (!text && len) return pottery__error(POTTERY_EINVAL, "JSON text is NULL");
    parser p = { text ? text : "", len, 0, 0 };
    pottery_json_node *n = NULL;
    int rc = parse_value(&p, &n);
    if (rc < 0) return rc;
    skip_ws(&p);
    if (p.pos != p.len) {
        pottery__json_free(n);
        return fail(&p, p.pos, "extra data after the JSON value");
    }
    *out = n;
    return 0;
}

int pottery__json_parse_kind(pottery_json_node **out, const char *text, pottery_json_kind kind, const char *fn)
{
    int rc = pottery__json_parse(out, text, strlen(text));
    if (rc == POTTERY_ENOMEM) return rc;
    if (rc < 0) {
        /* Copied first: the message being written must not be read at the same time. */
        char why[POTTERY_ERROR_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", pottery_error_last()->message);
        return pottery__error(POTTERY_ETYPE, "%s: %s", fn, why);
    }
    if ((*out)->kind == kind) return 0;
    pottery__json_free(*out);
    *out = NULL;
    return pottery__error(POTTERY_ETYPE, "%s: not a JSON %s", fn, kind == POTTERY_JSON_ARRAY ? "array" : "object");
}
