/* Internal: the one way the library allocates memory. Every allocation in src/ goes through
 * these, so that a test can make any one of them fail and so that a different allocator
 * can be plugged in at a single place. Same contracts as the C library's functions. */
#ifndef POTTERY_CORE_ALLOC_H
#define POTTERY_CORE_ALLOC_H

#include <stddef.h>

void *pottery__malloc(size_t size);
void *pottery__calloc(size_t n, size_t size);
void *pottery__realloc(void *p, size_t size);
void pottery__free(void *p);
/* A malloc'd copy of a NUL-terminated string (NULL when out of memory). */
char *pottery__strdup(const char *s);

#endif
