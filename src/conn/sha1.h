/* Internal: SHA-1 (FIPS 180-4), used for the EVALSHA digests of Lua scripts. */
#ifndef POTTERY_CONN_SHA1_H
#define POTTERY_CONN_SHA1_H

#include <stddef.h>
#include <stdint.h>

typedef struct pottery_sha1 {
    uint32_t h[5];
    uint64_t total;          /* bytes hashed so far */
    unsigned char block[64]; /* pending partial block */
    size_t used;
} pottery_sha1;

void pottery__sha1_init(pottery_sha1 *s);
void pottery__sha1_update(pottery_sha1 *s, const void *data, size_t len);
void pottery__sha1_final(pottery_sha1 *s, unsigned char digest[20]);

/* One shot: the 40 lowercase hex digits of SHA-1(data) and a NUL, as Redis prints them. */
void pottery__sha1_hex(char out[41], const void *data, size_t len);

#endif
