/*
 * assert_ok(call) / assert_code(POTTERY_EX, call) for the tests that need no server (value
 * accessors, cJSON bridge): a failure prints the call, the code's name and the last
 * error's message, not "0xfffffffffffffffb != 0"; assert_message_has(needle) checks that
 * message. Include after <cmocka.h>.
 */
#ifndef POTTERY_TEST_CODEC_ASSERT_H
#define POTTERY_TEST_CODEC_ASSERT_H

#include <stdio.h>
#include <string.h>

#include "pottery/errors.h"

#ifndef assert_ok
#define assert_ok(call) codec_assert_code_at(0, (call), #call, __FILE__, __LINE__)
#define assert_code(code, call) codec_assert_code_at((code), (call), #call, __FILE__, __LINE__)
#endif

static inline const char *codec_code_name(int code)
{
    static const char *const names[] = { "0",
                                         "POTTERY_ENOTFOUND",
                                         "POTTERY_EINDEX",
                                         "POTTERY_EEMPTY",
                                         "POTTERY_EEXISTS",
                                         "POTTERY_ETYPE",
                                         "POTTERY_EDECODE",
                                         "POTTERY_EREDIS",
                                         "POTTERY_ECONN",
                                         "POTTERY_ETIMEOUT",
                                         "POTTERY_EQUORUM",
                                         "POTTERY_EIMPOSSIBLE",
                                         "POTTERY_EUNLOCKED",
                                         "POTTERY_EEXTENSIONS",
                                         "POTTERY_ENOMEM",
                                         "POTTERY_EINVAL",
                                         "POTTERY_EITEROVER",
                                         "POTTERY_ERANDOMKEY",
                                         "POTTERY_ECONFLICT",
                                         "POTTERY_ESTATE",
                                         "POTTERY_ERANGE",
                                         "POTTERY_EPROTOCOL" };
    return code <= 0 && -code < (int)(sizeof names / sizeof names[0]) ? names[-code] : "an unknown code";
}

static inline void codec_assert_code_at(int want, int rc, const char *call, const char *file, int line)
{
    if (rc == want) return;
    print_error("%s returned %d (%s), expected %s; last error: %s\n", call, rc, codec_code_name(rc),
                codec_code_name(want), pottery_error_last()->message);
    _fail(file, line);
}

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
