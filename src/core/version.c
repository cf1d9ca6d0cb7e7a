#include "pottery/version.h"

const char *pottery_version(void)
{
    return POTTERY_VERSION_STRING;
}
