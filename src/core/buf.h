/* Internal: a growable byte buffer, the one place strings are built. */
#ifndef POTTERY_CORE_BUF_H
#define POTTERY_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct pottery_buf {
    char *data; /* NUL-terminated whenever len > 0 or after reserve */
    size_t len;
    size_t cap;
} pottery_buf;

#define POTTERY_BUF_INIT                                                                                               \
    {                                                                                                                  \
        NULL, 0, 0                                                                                                     \
    }

/* All return 0 or POTTERY_ENOMEM (with the last error set). */
int pottery__buf_reserve(pottery_buf *b, size_t extra);
int pottery__buf_append(pottery_buf *b, const void *data, size_t len);
int pottery__buf_puts(pottery_buf *b, const char *s);
int pottery__buf_putc(pottery_buf *b, char c);
/* Give the NUL-terminated contents to the caller (never NULL on success) and reset b. */
int pottery__buf_detach(pottery_buf *b, char **out, size_t *out_len);
void pottery__buf_clear(pottery_buf *b); /* len = 0, keeps the memory */

/* Decimal text of v (no printf: this is on every hot path). out must hold
 * POTTERY_INT64_TEXT_SIZE bytes; returns the length (NUL-terminated). */
#define POTTERY_INT64_TEXT_SIZE 21
size_t pottery__int64_text(char *out, int64_t v);
void pottery__buf_free(pottery_buf *b);

#endif
