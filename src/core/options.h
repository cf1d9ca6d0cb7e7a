/* Internal: checking the version stamp of an options struct (see conventions in the
 * README: first member `unsigned int version`, members only ever appended). */
#ifndef POTTERY_CORE_OPTIONS_H
#define POTTERY_CORE_OPTIONS_H

#include <stddef.h>

#include "core/error.h"

/* 0, or POTTERY_EINVAL when version is 0 (the struct was not initialised with its _INIT
 * macro or _options_init function) or newer than this library knows (the program was
 * compiled against a newer header than the library it runs with). fn names the caller. */
static inline int pottery__options_check(unsigned int version, unsigned int known, const char *fn)
{
    if (version == 0)
        return pottery__error(POTTERY_EINVAL,
                              "%s: options not initialised (use the _OPTIONS_INIT macro or the "
                              "_options_init function)",
                              fn);
    if (version > known)
        return pottery__error(POTTERY_EINVAL,
                              "%s: options of version %u, but this library knows versions up to %u (built "
                              "against a newer header?)",
                              fn, version, known);
    return 0;
}

/* The masters of a distributed primitive: at least one, none NULL, none twice (the same
 * handle given twice would count its vote twice). 0 or POTTERY_EINVAL naming fn. */
static inline int pottery__check_masters(const void *const *masters, size_t n, const char *fn)
{
    if (!masters) return pottery__error(POTTERY_EINVAL, "%s: masters is NULL", fn);
    if (n == 0) return pottery__error(POTTERY_EINVAL, "%s: no masters", fn);
    for (size_t i = 0; i < n; i++) {
        if (!masters[i]) return pottery__error(POTTERY_EINVAL, "%s: master %zu is NULL", fn, i);
        for (size_t j = 0; j < i; j++)
            if (masters[j] == masters[i])
                return pottery__error(POTTERY_EINVAL, "%s: masters %zu and %zu are the same client", fn, j, i);
    }
    return 0;
}

#endif
