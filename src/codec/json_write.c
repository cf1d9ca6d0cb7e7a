/* Canonical JSON output: Python's json.dumps(v, sort_keys=True) byte for byte. */
#include "codec/codec.h"
#include "core/error.h"

#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        int rc_ = (expr);                                                                                              \
        if (rc_ < 0) return rc_;                                                                                       \
    } while (0)

static int put_u16(pottery_buf *b, uint32_t unit)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = { '\\', 'u', hex[(unit >> 12) & 15], hex[(unit >> 8) & 15], hex[(unit >> 4) & 15], hex[unit & 15] };
    return pottery__buf_append(b, esc, 6);
}

int pottery__json_write_string(pottery_buf *b, const char *s, size_t len)
{
    TRY(pottery__buf_putc(b, '"'));
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (i < len) {
            unsigned char c = (unsigned char)s[i];
            if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') break;
            i++;
        }
        if (i > run) TRY(pottery__buf_append(b, s + run, i - run));
        if (i >= len) break;
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default: break;
        }
        if (esc) {
            TRY(pottery__buf_append(b, esc, 2));
            i++;
            continue;
        }
        if (c < 0x80) { /* other control characters and DEL */
            TRY(put_u16(b, c));
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = pottery__utf8_decode(s + i, len - i, &cp);
        if (n == 0) return pottery__error(POTTERY_ETYPE, "string is not valid UTF-8 (byte %zu)", i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            TRY(put_u16(b, 0xD800 + (cp >> 10)));
            TRY(put_u16(b, 0xDC00 + (cp & 0x3FF)));
        } else {
            TRY(put_u16(b, cp));
        }
        i += n;
    }
    return pottery__buf_putc(b, '"');
}

int pottery__json_write(pottery_buf *b, const pottery_json_node *n)
{
    char num[POTTERY_DOUBLE_BUFSIZE];
    switch (n->kind) {
    case POTTERY_JSON_NULL: return pottery__buf_append(b, "null", 4);
    case POTTERY_JSON_FALSE: return pottery__buf_append(b, "false", 5);
    case POTTERY_JSON_TRUE: return pottery__buf_append(b, "true", 4);
    case POTTERY_JSON_INT: return pottery__buf_append(b, n->text, n->len);
    case POTTERY_JSON_FLOAT: {
        size_t k = pottery__format_double(num, n->num);
        return pottery__buf_append(b, num, k);
    }
    case POTTERY_JSON_STRING: return pottery__json_write_string(b, n->text, n->len);
    case POTTERY_JSON_ARRAY:
    case POTTERY_JSON_OBJECT:
        return pottery__json_write_composite(b, n, pottery__json_write_string, pottery__json_write);
    }
    return pottery__error(POTTERY_EINVAL, "unknown JSON node kind %d", (int)n->kind);
}

int pottery__json_write_composite(pottery_buf *b, const pottery_json_node *n, pottery_json_key_writer key,
                                  pottery_json_node_writer item)
{
    int object = n->kind == POTTERY_JSON_OBJECT;
    TRY(pottery__buf_putc(b, object ? '{' : '['));
    for (size_t k = 0; k < n->count; k++) {
        if (k) TRY(pottery__buf_append(b, ", ", 2));
        if (object) {
            TRY(key(b, n->keys[k]->text, n->keys[k]->len));
            TRY(pottery__buf_append(b, ": ", 2));
        }
        TRY(item(b, n->items[k]));
    }
    return pottery__buf_putc(b, object ? '}' : ']');
}
