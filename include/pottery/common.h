/**
 * @file
 * The export macro, the C++ linkage guards and the constants every public header shares.
 *
 * Thread safety (stated once for the whole library): there is no hidden global mutable
 * state. A pottery_client, and every handle made from it, must be used by one thread at a
 * time; separate clients are fully independent and may be used from different threads.
 * A pool's client view (pool.h) and most handles made from it may be used by many threads
 * at once; pool.h lists which. The last-error record (errors.h) is thread-local.
 */
#ifndef POTTERY_COMMON_H
#define POTTERY_COMMON_H

/**
 * @def POTTERY_API
 * Marks a function as part of the library's exported interface: default visibility with
 * GCC and Clang (the library hides everything else), dllexport/dllimport for a Windows DLL
 * (define POTTERY_SHARED when linking against one).
 */
#if defined(_WIN32) && defined(POTTERY_SHARED)
#if defined(POTTERY_BUILDING)
#define POTTERY_API __declspec(dllexport)
#else
#define POTTERY_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define POTTERY_API __attribute__((visibility("default")))
#else
#define POTTERY_API
#endif

/** @def POTTERY_BEGIN_DECLS
 * Opens a block of declarations with C linkage when compiled as C++ (empty in C). */
/** @def POTTERY_END_DECLS
 * Closes the block opened by POTTERY_BEGIN_DECLS. */
#ifdef __cplusplus
#define POTTERY_BEGIN_DECLS extern "C" {
#define POTTERY_END_DECLS }
#else
#define POTTERY_BEGIN_DECLS
#define POTTERY_END_DECLS
#endif

#include <stdint.h>

/** A duration without limit. Every duration in the library is int64_t milliseconds, where
 * POTTERY_FOREVER waits as long as it takes, 0 does not wait at all, and any other negative
 * value is POTTERY_EINVAL. */
#define POTTERY_FOREVER ((int64_t)-1)

#endif /* POTTERY_COMMON_H */
