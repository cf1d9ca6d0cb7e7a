#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"

int pottery__buf_reserve(pottery_buf *b, size_t extra)
{
    if (b->cap - b->len > extra) return 0; /* room for extra bytes plus the NUL */
    if (extra > ((size_t)-1) / 2 - b->len) return pottery__error_oom();
    size_t want = b->len + extra + 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < want) cap *= 2;
    char *p = pottery__realloc(b->data, cap);
    if (!p) return pottery__error_oom();
    b->data = p;
    b->cap = cap;
    b->data[b->len] = '\0';
    return 0;
}

int pottery__buf_append(pottery_buf *b, const void *data, size_t len)
{
    if (pottery__buf_reserve(b, len) < 0) return POTTERY_ENOMEM;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int pottery__buf_puts(pottery_buf *b, const char *s)
{
    return pottery__buf_append(b, s, strlen(s));
}

int pottery__buf_putc(pottery_buf *b, char c)
{
    return pottery__buf_append(b, &c, 1);
}

int pottery__buf_detach(pottery_buf *b, char **out, size_t *out_len)
{
    if (pottery__buf_reserve(b, 0) < 0) return POTTERY_ENOMEM;
    *out = b->data;
    if (out_len) *out_len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return 0;
}

void pottery__buf_clear(pottery_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

size_t pottery__int64_text(char *out, int64_t v)
{
    char digits[POTTERY_INT64_TEXT_SIZE];
    size_t n = 0, len = 0;
    /* Work on the magnitude as unsigned so INT64_MIN needs no special case. */
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) out[len++] = '-';
    while (n) out[len++] = digits[--n];
    out[len] = '\0';
    return len;
}

void pottery__buf_free(pottery_buf *b)
{
    pottery__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
