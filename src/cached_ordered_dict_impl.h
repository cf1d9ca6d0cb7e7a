/*
 * Internal: the parts of pottery_cached_ordered_dict that its source files share: the
 * dict in memory (entries in order, with an index by field) and the lookups on it.
 */
#ifndef POTTERY_CACHED_ORDERED_DICT_IMPL_H
#define POTTERY_CACHED_ORDERED_DICT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "codec/codec.h"
#include "container.h"
#include "pottery/cached_ordered_dict.h"

/* One key of the dict, in order of insertion. */
typedef struct pottery_cod_entry {
    char *field; /* JSON(key), canonical, NUL-terminated: the key's identity and its Redis
                      field (owned, or in opened_fields) */
    size_t flen;
    int own_field;       /* field is the entry's own allocation */
    pottery_value value; /* owned; JSON null while a miss */
    int miss;            /* no value yet */
} pottery_cod_entry;

struct pottery_cached_ordered_dict {
    pottery_container c;
    int64_t ttl_ms; /* > 0: the expiry slid by writes; 0: none */
    pottery_cod_entry *entries;
    size_t count, cap;
    size_t *slots; /* open addressing: entry number + 1, 0 = empty; nslots a power of 2 */
    size_t nslots;
    size_t nmisses;
    char *opened_fields; /* the fields of the keys given to open, in one block */
};

/* The entry whose field is field[0..flen): 1 and *index, or 0. */
int pottery__cod_find(const pottery_cached_ordered_dict *d, const char *field, size_t flen, size_t *index);
/* The entry of key: *index, or SIZE_MAX when key is not in the dict. Errors: those of
 * encoding key. */
int pottery__cod_lookup(size_t *index, pottery_cached_ordered_dict *d, const pottery_value *key);

#endif
