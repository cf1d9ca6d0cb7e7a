/* Internal: randomness from the operating system. */
#ifndef POTTERY_CORE_RANDOM_H
#define POTTERY_CORE_RANDOM_H

#include <stddef.h>

/* Fill out with len bytes from getrandom(2), or /dev/urandom where the kernel lacks it.
 * 0, or -1 when the system has no randomness to give (no error is set). */
int pottery__random_bytes(void *out, size_t len);

/* A uuid4 in canonical text form (36 chars + NUL). POTTERY_ERANDOMKEY without randomness. */
int pottery__uuid4(char out[37]);

#endif
