/* Redis Cluster hash slots of keys, and keys that must live beside a user's key: in the
 * same slot. */
#include <stdint.h>
#include <string.h>

#include "conn/conn.h"
#include "core/alloc.h"
#include "core/error.h"

/* The hash tag of key[0..len): the bytes between its first '{' and the first '}' after it,
 * when there are some. 1 with *tag and *taglen set, else 0. */
static int hash_tag(const char **tag, size_t *taglen, const char *key, size_t len)
{
    const char *open = memchr(key, '{', len);
    if (!open) return 0;
    size_t rest = len - (size_t)(open - key) - 1;
    const char *close = memchr(open + 1, '}', rest);
    if (!close || close == open + 1) return 0;
    *tag = open + 1;
    *taglen = (size_t)(close - open - 1);
    return 1;
}

static int has_hash_tag(const char *key, size_t len)
{
    const char *tag;
    size_t taglen;
    return hash_tag(&tag, &taglen, key, len);
}

/* CRC-16/XMODEM (polynomial 0x1021, initial value 0, no reflection), the checksum Redis
 * Cluster computes slots with, a bit at a time. */
static uint16_t crc16(const char *data, size_t len)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)((uint16_t)(unsigned char)data[i] << 8);
        for (int bit = 0; bit < 8; bit++) crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

uint16_t pottery__crc16(const char *data, size_t len)
{
    return crc16(data, len);
}

unsigned pottery__key_slot(const char *key, size_t len)
{
    const char *tag;
    size_t taglen;
    if (hash_tag(&tag, &taglen, key, len)) return crc16(tag, taglen) & 16383u;
    return crc16(key, len) & 16383u;
}

int pottery__key_beside(char **out, const char *key, size_t keylen, const char *suffix)
{
    size_t slen = strlen(suffix);
    /* Without a tag of its own, the whole key is what the slot is computed from: wrapping it
     * in braces makes it the tag. A '}' inside would end that tag early, and "{}" is no tag,
     * so such a key (or an empty one) keeps its bytes as they are (the companion may then
     * sit in another slot). */
    int wrap = keylen > 0 && !has_hash_tag(key, keylen) && !memchr(key, '}', keylen);
    char *k = pottery__malloc(keylen + slen + 3);
    if (!k) return pottery__error_oom();
    size_t n = 0;
    if (wrap) k[n++] = '{';
    memcpy(k + n, key, keylen);
    n += keylen;
    if (wrap) k[n++] = '}';
    memcpy(k + n, suffix, slen + 1);
    *out = k;
    return 0;
}
