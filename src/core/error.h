/* Internal: setting the thread-local last error. */
#ifndef POTTERY_CORE_ERROR_H
#define POTTERY_CORE_ERROR_H

#include "pottery/errors.h"

#if defined(__GNUC__) || defined(__clang__)
#define POTTERY_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define POTTERY_PRINTF(f, a)
#endif

/* Record code and a printf-style message as this thread's last error; returns code. */
int pottery__error_record(int code, const char *fmt, ...) POTTERY_PRINTF(2, 3);

/* The value of pottery__error(): code itself, visibly, so that static analysis (which does
 * not follow variadic calls) knows a failure path returns the negative code. */
static inline int pottery__error_code_of(int recorded, int code)
{
    (void)recorded;
    return code;
}

/* Record code and a printf-style message for this thread; the value is code, so that callers
 * can write `return pottery__error(POTTERY_EINVAL, "key is NULL");`. code must be free of
 * side effects (it is evaluated twice). */
#define pottery__error(code, ...) pottery__error_code_of(pottery__error_record((code), __VA_ARGS__), (code))

/* Shorthand for an allocation failure (POTTERY_ENOMEM, visibly, as for pottery__error). */
#define pottery__error_oom() pottery__error(POTTERY_ENOMEM, "out of memory")

/* A copy of the last-error record, so that cleanup work (for example unlinking a temporary
 * key while another error is being reported) can run without clobbering it. */
#define POTTERY_ERROR_MESSAGE_MAX 512
typedef struct pottery_error_saved {
    int code;
    char message[POTTERY_ERROR_MESSAGE_MAX];
} pottery_error_saved;

void pottery__error_save(pottery_error_saved *saved);
void pottery__error_restore(const pottery_error_saved *saved);

/* Reject a NULL argument: returns POTTERY_EINVAL naming the function and argument. */
#define POTTERY_CHECK_ARG(expr)                                                                                        \
    do {                                                                                                               \
        if (!(expr)) return pottery__error(POTTERY_EINVAL, "%s: invalid argument (%s)", __func__, #expr);              \
    } while (0)

#endif
