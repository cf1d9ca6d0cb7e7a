/**
 * @file cjson.h
 * Optional bridge between pottery_value and cJSON trees, for programs that already build
 * their data with cJSON (Debian: libcjson-dev).
 *
 * It is a library of its own: link pottery::cjson (CMake), which brings cJSON with it.
 * Programs that do not include this header link no cJSON. This header only names
 * struct cJSON; include <cjson/cJSON.h> to work with the trees.
 *
 * cJSON keeps every number as a double, so the bridge refuses what a double would round:
 * - An integer converts to a cJSON number only if |n| <= 2^53 - 1 (9007199254740991), the
 *   integers a double holds exactly and apart from their neighbours; beyond that, both
 *   ways fail with POTTERY_ERANGE instead of rounding.
 * - A cJSON number is read as an integer when it has no fractional part (cJSON does not keep
 *   whether the text was 1 or 1.0: 1.0 and -0.0 come back as the integers 1 and 0), and as a
 *   double otherwise. A cJSON number of magnitude 2^53 or more is always integral and may be
 *   an integer cJSON already rounded (it reads 9007199254740993 as 2^53): POTTERY_ERANGE.
 *   To carry such integers exactly, give them as cJSON_CreateRaw("18446744073709551616"):
 *   raw JSON text is read by the library's own parser.
 * - NaN and +-Infinity have no cJSON form (cJSON prints them as null): POTTERY_ERANGE.
 * So a double of magnitude 2^53 or more (1e300) converts to cJSON but not back.
 */
#ifndef POTTERY_CJSON_H
#define POTTERY_CJSON_H

#include "value.h"

/** @def POTTERY_CJSON_API
 * Marks the bridge's exported functions (libpottery's own use POTTERY_API). */
#if defined(_WIN32) && defined(POTTERY_SHARED)
#if defined(POTTERY_CJSON_BUILDING)
#define POTTERY_CJSON_API __declspec(dllexport)
#else
#define POTTERY_CJSON_API __declspec(dllimport)
#endif
#else
#define POTTERY_CJSON_API POTTERY_API
#endif

POTTERY_BEGIN_DECLS

struct cJSON;

/** Convert the cJSON tree item into *out (owned, normalized: dispose it); *out is replaced
 * only on success. item is borrowed for the call. Objects are read as Python's dict would:
 * keys sorted, of duplicate keys the last one counts. Errors: POTTERY_ERANGE (a number as
 * the file comment says), POTTERY_ETYPE (invalid UTF-8, raw text that is not JSON, an
 * invalid item, nesting deeper than 512 levels), POTTERY_ENOMEM, POTTERY_EINVAL. */
POTTERY_CJSON_API int pottery_value_from_cjson(pottery_value *out, const struct cJSON *item);

/** Convert v into a new cJSON tree *out (the caller's: cJSON_Delete), NULL on failure. v is
 * borrowed for the call. Errors: POTTERY_ERANGE (a number as the file comment says),
 * POTTERY_ETYPE (a string or key with a NUL byte, which cJSON strings cannot hold; invalid
 * UTF-8 or JSON text), POTTERY_ENOMEM, POTTERY_EINVAL. */
POTTERY_CJSON_API int pottery_value_to_cjson(struct cJSON **out, const pottery_value *v);

POTTERY_END_DECLS

#endif /* POTTERY_CJSON_H */
