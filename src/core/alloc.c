#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

void *pottery__malloc(size_t size)
{
    return malloc(size);
}

void *pottery__calloc(size_t n, size_t size)
{
    return calloc(n, size);
}

void *pottery__realloc(void *p, size_t size)
{
    return realloc(p, size);
}

void pottery__free(void *p)
{
    free(p);
}

char *pottery__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = pottery__malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}
