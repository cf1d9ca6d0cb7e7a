/* libFuzzer target: Redis URL parsing (pottery__url_parse), every form. The first byte picks
 * a scheme to put in front of the rest (redis://, unix://, redis+sentinel://,
 * redis+cluster://, or none: the input is the whole URL) and whether to write a known
 * password into the userinfo and the sentinel_password parameter. Parsing must not crash or
 * leak; a failure's message must never quote the password; a success must keep it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn/url.h"
#include "pottery/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECRET "Zq9secretPW"

static const char *const schemes[] = { "redis://", "unix://", "redis+sentinel://", "redis+cluster://", "" };

static int contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *scheme = schemes[data[0] % 5];
    int with_secret = (data[0] & 0x10) != 0; /* "user:SECRET@" right after the scheme */
    int with_query = (data[0] & 0x20) != 0;  /* "&sentinel_password=SECRET" at the end */
    const char *rest = (const char *)data + 1;
    size_t rlen = strnlen(rest, size - 1); /* the URL ends at the first NUL */

    size_t cap = strlen(scheme) + rlen + 2 * sizeof SECRET + 32;
    char *url = malloc(cap);
    if (!url) return 0;
    size_t n = 0;
    memcpy(url + n, scheme, strlen(scheme));
    n += strlen(scheme);
    if (with_secret) {
        memcpy(url + n, "u:" SECRET "@", sizeof SECRET + 2);
        n += sizeof SECRET + 2;
    }
    memcpy(url + n, rest, rlen);
    n += rlen;
    if (with_query) {
        memcpy(url + n, "&sentinel_password=" SECRET, sizeof "&sentinel_password=" SECRET - 1);
        n += sizeof "&sentinel_password=" SECRET - 1;
    }
    url[n] = '\0';
    /* Text the fuzzer wrote itself may spell the secret: only a planted one is checked. */
    int planted =
        (with_secret || with_query) && !contains(url + strlen(scheme) + (with_secret ? sizeof SECRET + 2 : 0), SECRET);

    pottery_url u;
    int rc = pottery__url_parse(&u, url);
    if (rc == 0) {
        /* The userinfo ends at the last '@' of the authority: the password starts with the secret. */
        if (with_secret && (!u.password || strncmp(u.password, SECRET, sizeof SECRET - 1) != 0)) __builtin_trap();
        if (u.is_unix != (data[0] % 5 == 1) && data[0] % 5 != 4) __builtin_trap();
        pottery__url_free(&u);
    } else {
        if (rc != POTTERY_EINVAL) __builtin_trap();
        if (planted && contains(pottery_error_last()->message, SECRET)) __builtin_trap();
    }

    /* The cluster form built from a node list: the input, split at commas. */
    const char *nodes[POTTERY_URL_MAX_SENTINELS + 1];
    size_t nn = 0;
    char *copy = malloc(rlen + 1);
    if (copy) {
        memcpy(copy, rest, rlen);
        copy[rlen] = '\0';
        for (char *p = copy; nn < POTTERY_URL_MAX_SENTINELS + 1;) {
            nodes[nn++] = p;
            char *comma = strchr(p, ',');
            if (!comma) break;
            *comma = '\0';
            p = comma + 1;
        }
        if (pottery__url_cluster_nodes(&u, nodes, nn) == 0) pottery__url_free(&u);
        free(copy);
    }
    free(url);
    return 0;
}
