/* Keys that must live beside a user's key: in the same Redis Cluster hash slot. */
#include <string.h>

#include "conn/conn.h"
#include "core/alloc.h"
#include "core/error.h"

/* 1 when key[0..len) has a hash tag: a '{' followed later by a '}' with something between. */
static int has_hash_tag(const char *key, size_t len)
{
    const char *open = memchr(key, '{', len);
    if (!open) return 0;
    size_t rest = len - (size_t)(open - key) - 1;
    const char *close = memchr(open + 1, '}', rest);
    return close && close > open + 1;
}

int pottery__key_beside(char **out, const char *key, size_t keylen, const char *suffix)
{
    size_t slen = strlen(suffix);
    /* Without a tag of its own, the whole key is what the slot is computed from: wrapping it
     * in braces makes it the tag. A '}' inside would end that tag early, so such a key keeps
     * its bytes as they are (the companion may then sit in another slot). */
    int wrap = !has_hash_tag(key, keylen) && !memchr(key, '}', keylen);
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
