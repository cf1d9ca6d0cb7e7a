/* version.h: the library version, at compile time and at run time. */
#ifndef POTTERY_VERSION_H
#define POTTERY_VERSION_H

#include "common.h"

#define POTTERY_VERSION_MAJOR 0
#define POTTERY_VERSION_MINOR 1
#define POTTERY_VERSION_PATCH 0
#define POTTERY_VERSION_STRING "0.1.0"

POTTERY_BEGIN_DECLS

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH". Static string. */
POTTERY_API const char *pottery_version(void);

POTTERY_END_DECLS

#endif /* POTTERY_VERSION_H */
