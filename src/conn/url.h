/* Internal: parsing Redis connection URLs. */
#ifndef POTTERY_CONN_URL_H
#define POTTERY_CONN_URL_H

/* A parsed URL. Strings are owned (pottery__url_free); absent ones are NULL. */
typedef struct pottery_url {
    int is_unix;    /* 1 for unix:// */
    char *host;     /* TCP host, without the brackets of an IPv6 literal */
    int port;       /* TCP port (6379 when not given) */
    char *path;     /* unix socket path (percent-decoded) */
    char *user;     /* ACL user (percent-decoded), NULL if none */
    char *password; /* percent-decoded, NULL if none */
    int db;         /* 0 when not given */
} pottery_url;

/* Parse
 *   redis://[[user]:password@]host[:port][/db][?db=N]
 *   unix://[[user]:password@]/path/to.sock[?db=N]
 * (scheme case-insensitive; host a name, an IPv4 address or a bracketed IPv6 literal;
 * "user@" alone names a user without a password, as redis-py reads it).
 * Errors: POTTERY_EINVAL with a message naming the problem (the password is never quoted),
 * POTTERY_ENOMEM. On failure *out holds nothing to free. */
int pottery__url_parse(pottery_url *out, const char *url);
void pottery__url_free(pottery_url *u);

#endif
