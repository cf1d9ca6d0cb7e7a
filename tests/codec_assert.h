/*
 * Assertions for the tests that run without a server (codec, value accessors, cJSON
 * bridge): assert_ok / assert_code from support/assert_ok.h (header-only, so these
 * programs need not link the test support library), and assert_message_has. Include after
 * <cmocka.h>.
 */
#ifndef POTTERY_TEST_CODEC_ASSERT_H
#define POTTERY_TEST_CODEC_ASSERT_H

#include <string.h>

#include "pottery/errors.h"
#include "support/assert_ok.h"

/* The last error's message holds needle. */
#define assert_message_has(needle) codec_assert_message_at((needle), __FILE__, __LINE__)

static inline void codec_assert_message_at(const char *needle, const char *file, int line)
{
    const char *message = pottery_error_last()->message;
    if (strstr(message, needle)) return;
    print_error("last error \"%s\" does not say \"%s\"\n", message, needle);
    _fail(file, line);
}

#endif
