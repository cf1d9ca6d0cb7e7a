/* libFuzzer target: the encode round trip. Whatever decodes must encode, and decoding that
 * canonical text again must give the same bytes when encoded: decode -> encode -> decode ->
 * encode is stable. The same holds for parsed trees (pottery__json_write). A mismatch traps. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "core/buf.h"
#include "pottery/errors.h"
#include "pottery/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encode text[0..len) after decoding it into b; 0, or the decoder's error. */
static int reencode(pottery_buf *b, const char *text, size_t len)
{
    pottery_value v;
    int rc = pottery__decode(&v, text, len);
    if (rc != 0) return rc;
    if (pottery__encode(b, &v) != 0) __builtin_trap(); /* whatever decodes encodes */
    pottery_value_dispose(&v);
    return 0;
}

/* The same through a parsed tree. */
static int rewrite(pottery_buf *b, const char *text, size_t len)
{
    pottery_json_node *n = NULL;
    int rc = pottery__json_parse(&n, text, len);
    if (rc != 0) return rc;
    if (pottery__json_write(b, n) != 0) __builtin_trap();
    pottery__json_free(n);
    return 0;
}

static void check_stable(int (*step)(pottery_buf *, const char *, size_t), const char *text, size_t len)
{
    pottery_buf first = POTTERY_BUF_INIT, second = POTTERY_BUF_INIT;
    if (step(&first, text, len) == 0) {
        if (step(&second, first.data, first.len) != 0) __builtin_trap(); /* canonical text decodes */
        if (first.len != second.len || memcmp(first.data, second.data, first.len) != 0) __builtin_trap();
    }
    pottery__buf_free(&first);
    pottery__buf_free(&second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    if (size) memcpy(text, data, size);
    check_stable(reencode, text, size);
    check_stable(rewrite, text, size);
    free(text);
    return 0;
}
