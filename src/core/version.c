/* The version of the library itself, as opposed to the header a program was built with. */
#include "pottery/version.h"

const char *pottery_version(void)
{
    return POTTERY_VERSION_STRING;
}

int pottery_version_number(void)
{
    return POTTERY_VERSION_NUMBER;
}
