/*
 * Test support: assertions on the code a libpottery call returns, reported by name.
 *
 *     assert_ok(pottery_dict_set(d, k, v));
 *     assert_code(POTTERY_ENOTFOUND, pottery_dict_get(&v, d, k));
 *
 * On a mismatch the test fails at the caller's line with the call's text, both codes by
 * name and the call's pottery_error_last()->message, e.g.
 *
 *     pottery_dict_get(&v, d, k) returned POTTERY_EPROTOCOL (-21), expected POTTERY_OK (0):
 *     "HGET: expected a bulk string, got an integer (42)"
 *
 * instead of cmocka's "0xffffffffffffffeb != 0". Header-only (it needs nothing but
 * libpottery's errors.h and cmocka), so any test program can include it.
 * Include after <cmocka.h> and its prerequisites (<setjmp.h>, <stdarg.h>, <stddef.h>).
 */
#ifndef POTTERY_TEST_ASSERT_OK_H
#define POTTERY_TEST_ASSERT_OK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "pottery/errors.h"

/* The symbolic name of a libpottery code ("POTTERY_EPROTOCOL"), or "an unknown code". */
static inline const char *pottery_test_code_name(int code)
{
    switch (code) {
#define POTTERY_TEST_NAME_(c)                                                                                          \
    case c: return #c
        POTTERY_TEST_NAME_(POTTERY_OK);
        POTTERY_TEST_NAME_(POTTERY_ENOTFOUND);
        POTTERY_TEST_NAME_(POTTERY_EINDEX);
        POTTERY_TEST_NAME_(POTTERY_EEMPTY);
        POTTERY_TEST_NAME_(POTTERY_EEXISTS);
        POTTERY_TEST_NAME_(POTTERY_ETYPE);
        POTTERY_TEST_NAME_(POTTERY_EDECODE);
        POTTERY_TEST_NAME_(POTTERY_EREDIS);
        POTTERY_TEST_NAME_(POTTERY_ECONN);
        POTTERY_TEST_NAME_(POTTERY_ETIMEOUT);
        POTTERY_TEST_NAME_(POTTERY_EQUORUM);
        POTTERY_TEST_NAME_(POTTERY_EIMPOSSIBLE);
        POTTERY_TEST_NAME_(POTTERY_EUNLOCKED);
        POTTERY_TEST_NAME_(POTTERY_EEXTENSIONS);
        POTTERY_TEST_NAME_(POTTERY_ENOMEM);
        POTTERY_TEST_NAME_(POTTERY_EINVAL);
        POTTERY_TEST_NAME_(POTTERY_EITEROVER);
        POTTERY_TEST_NAME_(POTTERY_ERANDOMKEY);
        POTTERY_TEST_NAME_(POTTERY_ECONFLICT);
        POTTERY_TEST_NAME_(POTTERY_ESTATE);
        POTTERY_TEST_NAME_(POTTERY_ERANGE);
        POTTERY_TEST_NAME_(POTTERY_EPROTOCOL);
        POTTERY_TEST_NAME_(POTTERY_ECANCELED);
        POTTERY_TEST_NAME_(POTTERY_ECROSSSLOT);
        POTTERY_TEST_NAME_(POTTERY_ECLUSTER);
#undef POTTERY_TEST_NAME_
    default: return "an unknown code";
    }
}

/* call returned rc, and expected was due: nothing, or a report and a failed test. */
static inline void pottery_test_assert_code_at(const char *call, int expected, int rc, const char *file, int line)
{
    if (rc == expected) return;
    if (rc == 0) {
        /* The last error is some earlier call's: a success does not reset it. */
        print_error("%s succeeded, expected %s (%d)\n", call, pottery_test_code_name(expected), expected);
    } else {
        print_error("%s returned %s (%d), expected %s (%d):\n    \"%s\"\n", call, pottery_test_code_name(rc), rc,
                    pottery_test_code_name(expected), expected, pottery_error_last()->message);
    }
    _fail(file, line);
}

/* call (evaluated once) returns 0. */
#define assert_ok(call) pottery_test_assert_code_at(#call, 0, (call), __FILE__, __LINE__)

/* call (evaluated once) returns the code expected (a POTTERY_E* code, or 0). */
#define assert_code(expected, call) pottery_test_assert_code_at(#call, (expected), (call), __FILE__, __LINE__)

#endif
