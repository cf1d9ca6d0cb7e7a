/* Internal: what pottery_cache's two source files share (cache.c: the calls; cache_field.c:
 * the hash field a call uses). */
#ifndef POTTERY_CACHE_IMPL_H
#define POTTERY_CACHE_IMPL_H

#include <stddef.h>

#include "core/buf.h"
#include "pottery/cache.h"

/* Append to b the field of the call args[0..nargs): the canonical JSON array of the
 * arguments, or (FIELDS_PYTHON) the decimal text of CPython's hash((args, frozenset())).
 * Errors: ETYPE (an argument that cannot be encoded), EINVAL (FIELDS_PYTHON and an argument
 * that is neither an integer nor a bool), ENOMEM; fn names the caller in the message. */
int pottery__cache_field(pottery_buf *b, pottery_cache_fields fields, const pottery_value *args, size_t nargs,
                         const char *fn);

#endif
