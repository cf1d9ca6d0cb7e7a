/* libFuzzer target: the JSON decoder (pottery__decode, behind pottery_value_from_json and
 * every read of Redis data) and the tree parser, on arbitrary bytes. Any input must either
 * decode or fail with POTTERY_EDECODE; nothing may crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "core/buf.h"
#include "pottery/errors.h"
#include "pottery/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so that ASan catches any read past the end. */
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    if (size) memcpy(text, data, size);

    pottery_value v;
    int rc = pottery__decode(&v, text, size);
    if (rc == 0)
        pottery_value_dispose(&v);
    else if (rc != POTTERY_EDECODE)
        __builtin_trap();

    pottery_json_node *n = NULL;
    int rc2 = pottery__json_parse(&n, text, size);
    if (rc2 == 0) {
        /* Every tree can be written, printed as Python's repr and normalised. */
        pottery_buf b = POTTERY_BUF_INIT;
        if (pottery__json_write(&b, n) != 0) __builtin_trap();
        pottery__buf_clear(&b);
        if (pottery__json_repr(&b, n) != 0) __builtin_trap();
        pottery__buf_clear(&b);
        if (pottery__json_write_normalized(&b, n) != 0) __builtin_trap();
        (void)pottery__json_equal(n, n);
        pottery__buf_free(&b);
        pottery__json_free(n);
    } else if (rc2 != POTTERY_EDECODE) {
        __builtin_trap();
    }
    /* The value decoder and the tree parser accept the same language. */
    if ((rc == 0) != (rc2 == 0)) __builtin_trap();
    free(text);
    return 0;
}
