/* Internal: setting the thread-local last error. */
#ifndef POTTERY_CORE_ERROR_H
#define POTTERY_CORE_ERROR_H

#include "pottery/errors.h"

#if defined(__GNUC__) || defined(__clang__)
#  define POTTERY_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define POTTERY_PRINTF(f, a)
#endif

/* Record code and a printf-style message for this thread; returns code so that callers can
 * write `return pottery__error(POTTERY_EINVAL, "key is NULL");`. */
int pottery__error(int code, const char *fmt, ...) POTTERY_PRINTF(2, 3);

/* Shorthand for an allocation failure. */
int pottery__error_oom(void);

/* Reject a NULL argument: returns POTTERY_EINVAL naming the function and argument. */
#define POTTERY_CHECK_ARG(expr) \
    do { \
        if (!(expr)) return pottery__error(POTTERY_EINVAL, "%s: invalid argument (%s)", __func__, #expr); \
    } while (0)

#endif
