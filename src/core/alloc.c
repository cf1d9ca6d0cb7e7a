#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

#ifdef POTTERY_ALLOC_FAIL
/* Per thread, so that a test failing allocations on one thread leaves the servers' and
 * other threads' allocations alone. */
static _Thread_local long fail_at = -1;
static _Thread_local long counted;
static _Thread_local int fired;

void pottery__alloc_fail_at(long nth)
{
    fail_at = nth;
    counted = 0;
    fired = 0;
}

long pottery__alloc_count(void)
{
    return counted;
}

int pottery__alloc_failed(void)
{
    return fired;
}

static int fail_this_one(void)
{
    if (fail_at >= 0 && counted++ == fail_at) {
        fired = 1;
        return 1;
    }
    if (fail_at < 0) counted++;
    return 0;
}
#define FAIL_THIS_ONE() fail_this_one()
#else
#define FAIL_THIS_ONE() 0
#endif

void *pottery__malloc(size_t size)
{
    return FAIL_THIS_ONE() ? NULL : malloc(size);
}

void *pottery__calloc(size_t n, size_t size)
{
    return FAIL_THIS_ONE() ? NULL : calloc(n, size);
}

void *pottery__realloc(void *p, size_t size)
{
    return FAIL_THIS_ONE() ? NULL : realloc(p, size);
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
