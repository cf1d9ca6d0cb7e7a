/**
 * @file
 * The library version, at compile time and at run time.
 *
 * The macros give the version of the header a program is compiled against;
 * pottery_version() and pottery_version_number() give the version of the library it runs
 * with. The library is 0.x: every minor version may change the API and the ABI (CHANGELOG.md
 * lists each change), so the shared library of 0.MINOR is named by its SONAME
 * libpottery.so.0.MINOR; from 1.0 on it will be libpottery.so.MAJOR.
 */
#ifndef POTTERY_VERSION_H
#define POTTERY_VERSION_H

#include "common.h"

/** Major version of this header: changes when the API or the ABI breaks (from 1.0 on). */
#define POTTERY_VERSION_MAJOR 0
/** Minor version of this header: new API (and, while the major version is 0, breaking changes). */
#define POTTERY_VERSION_MINOR 2
/** Patch version of this header: fixes only. */
#define POTTERY_VERSION_PATCH 0
/** This header's version as "MAJOR.MINOR.PATCH" (the build reads the version from here). */
#define POTTERY_VERSION_STRING "0.2.0"

/** This header's version as one number, MAJOR * 10000 + MINOR * 100 + PATCH: 0.2.0 is 200,
 * 1.3.12 would be 10312. Usable in `#if`; minor and patch versions stay below 100. */
#define POTTERY_VERSION_NUMBER (POTTERY_VERSION_MAJOR * 10000 + POTTERY_VERSION_MINOR * 100 + POTTERY_VERSION_PATCH)

/** Nonzero when this header is version major.minor.patch or newer. Usable in `#if`:
 * @code
 * #if POTTERY_VERSION_AT_LEAST(0, 2, 0)
 *     pottery_client_stats_get(&stats, client);
 * #endif
 * @endcode */
#define POTTERY_VERSION_AT_LEAST(major, minor, patch) (POTTERY_VERSION_NUMBER >= (major)*10000 + (minor)*100 + (patch))

#if POTTERY_VERSION_MINOR > 99 || POTTERY_VERSION_PATCH > 99
#error "POTTERY_VERSION_NUMBER holds minor and patch versions up to 99"
#endif

POTTERY_BEGIN_DECLS

/** The version of the library actually linked, as "MAJOR.MINOR.PATCH". A static string:
 * never free it. */
POTTERY_API const char *pottery_version(void);

/** The version of the library actually linked, as POTTERY_VERSION_NUMBER counts it. A
 * program can compare it with the POTTERY_VERSION_NUMBER it was compiled with. */
POTTERY_API int pottery_version_number(void);

POTTERY_END_DECLS

#endif /* POTTERY_VERSION_H */
