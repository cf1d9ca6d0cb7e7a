/*
 * libpottery: Redis containers and distributed primitives for C.
 *
 * common.h: the export macro and C++ linkage guards shared by every public header.
 *
 * Thread safety (stated once for the whole library): there is no hidden global mutable
 * state. A pottery_client, and every handle made from it, must be used by one thread at a
 * time; separate clients are fully independent and may be used from different threads.
 * The last-error record (errors.h) is thread-local.
 */
#ifndef POTTERY_COMMON_H
#define POTTERY_COMMON_H

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

#ifdef __cplusplus
#define POTTERY_BEGIN_DECLS extern "C" {
#define POTTERY_END_DECLS }
#else
#define POTTERY_BEGIN_DECLS
#define POTTERY_END_DECLS
#endif

#include <stdint.h>

/** A duration without limit: every duration in the library is int64_t milliseconds, where
 * POTTERY_FOREVER waits as long as it takes and 0 does not wait at all. */
#define POTTERY_FOREVER ((int64_t)-1)

#endif /* POTTERY_COMMON_H */
