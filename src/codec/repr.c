/* Python's repr() of decoded JSON values: 'a', 1, 1.5, nan, None, True, [..], {..}. */
#include <math.h>
#include <string.h>

#include "codec/codec.h"
#include "core/error.h"

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        int rc_ = (expr);                                                                                              \
        if (rc_ < 0) return rc_;                                                                                       \
    } while (0)

static int put_hex(pottery_buf *b, char kind, uint32_t cp, int digits)
{
    static const char hex[] = "0123456789abcdef";
    char esc[10];
    esc[0] = '\\';
    esc[1] = kind;
    for (int k = 0; k < digits; k++) esc[2 + k] = hex[(cp >> (4 * (digits - 1 - k))) & 15];
    return pottery__buf_append(b, esc, (size_t)digits + 2);
}

int pottery__repr_string(pottery_buf *b, const char *s, size_t len)
{
    char quote = '\'';
    if (len && memchr(s, '\'', len) && !memchr(s, '"', len)) quote = '"';
    TRY(pottery__buf_putc(b, quote));
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            if (c == (unsigned char)quote || c == '\\') {
                TRY(pottery__buf_putc(b, '\\'));
                TRY(pottery__buf_putc(b, (char)c));
            } else if (c == '\t') {
                TRY(pottery__buf_append(b, "\\t", 2));
            } else if (c == '\n') {
                TRY(pottery__buf_append(b, "\\n", 2));
            } else if (c == '\r') {
                TRY(pottery__buf_append(b, "\\r", 2));
            } else if (c < 0x20 || c == 0x7F) {
                TRY(put_hex(b, 'x', c, 2));
            } else {
                TRY(pottery__buf_putc(b, (char)c));
            }
            continue;
        }
        uint32_t cp;
        size_t n = pottery__utf8_decode(s + i, len - i, &cp);
        if (n == 0) return pottery__error(POTTERY_ETYPE, "string is not valid UTF-8 (byte %zu)", i);
        if (pottery__unicode_printable(cp))
            TRY(pottery__buf_append(b, s + i, n));
        else if (cp <= 0xFF)
            TRY(put_hex(b, 'x', cp, 2));
        else if (cp <= 0xFFFF)
            TRY(put_hex(b, 'u', cp, 4));
        else
            TRY(put_hex(b, 'U', cp, 8));
        i += n;
    }
    return pottery__buf_putc(b, quote);
}

int pottery__json_repr(pottery_buf *b, const pottery_json_node *n)
{
    char num[POTTERY_DOUBLE_BUFSIZE];
    switch (n->kind) {
    case POTTERY_JSON_NULL: return pottery__buf_puts(b, "None");
    case POTTERY_JSON_FALSE: return pottery__buf_puts(b, "False");
    case POTTERY_JSON_TRUE: return pottery__buf_puts(b, "True");
    case POTTERY_JSON_INT: return pottery__buf_append(b, n->text, n->len);
    case POTTERY_JSON_FLOAT:
        if (isnan(n->num)) return pottery__buf_puts(b, "nan");
        if (isinf(n->num)) return pottery__buf_puts(b, n->num < 0 ? "-inf" : "inf");
        pottery__format_double(num, n->num);
        return pottery__buf_puts(b, num);
    case POTTERY_JSON_STRING: return pottery__repr_string(b, n->text, n->len);
    case POTTERY_JSON_ARRAY:
    case POTTERY_JSON_OBJECT: return pottery__json_write_composite(b, n, pottery__repr_string, pottery__json_repr);
    }
    return pottery__error(POTTERY_EINVAL, "unknown JSON node kind %d", (int)n->kind);
}
