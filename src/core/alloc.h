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

#ifdef POTTERY_ALLOC_FAIL
/* Test hook of the -DPOTTERY_ALLOC_FAIL=ON build (never in a release): on the calling
 * thread, make the nth malloc/calloc/realloc from now (0-based) return NULL, once; a
 * negative nth only counts. Allocations made by hiredis itself are not counted. */
void pottery__alloc_fail_at(long nth);
/* Allocations on this thread since the last pottery__alloc_fail_at. */
long pottery__alloc_count(void);
/* Whether the armed failure has happened since the last pottery__alloc_fail_at. */
int pottery__alloc_failed(void);
#endif

#endif
