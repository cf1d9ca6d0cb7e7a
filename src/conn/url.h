/* Internal: parsing Redis connection URLs. */
#ifndef POTTERY_CONN_URL_H
#define POTTERY_CONN_URL_H

/* At most this many sentinels in one redis+sentinel:// URL (and seed nodes in one
 * redis+cluster:// URL). */
#define POTTERY_URL_MAX_SENTINELS 16

/* One sentinel of a redis+sentinel:// URL, or one seed node of a redis+cluster:// URL. */
typedef struct pottery_url_sentinel {
    char *host; /* without the brackets of an IPv6 literal */
    int port;   /* 26379 when not given */
} pottery_url_sentinel;

/* A parsed URL. Strings are owned (pottery__url_free); absent ones are NULL. */
typedef struct pottery_url {
    int is_unix;    /* 1 for unix:// */
    char *host;     /* TCP host, without the brackets of an IPv6 literal; for a sentinel URL
                     * the master's last known address (NULL until the sentinels named one) */
    int port;       /* TCP port (6379 when not given) */
    char *path;     /* unix socket path (percent-decoded) */
    char *user;     /* ACL user (percent-decoded), NULL if none */
    char *password; /* percent-decoded, NULL if none */
    int db;         /* 0 when not given */
    /* redis+sentinel:// only (nsentinels > 0): the sentinels to ask, in the order to ask
     * them (the last one that answered first), the master's name, and the password the
     * sentinels want (NULL: none; the URL's user and password are the master's). */
    pottery_url_sentinel *sentinels;
    size_t nsentinels;
    char *master_name;
    char *sentinel_password;
    /* redis+cluster:// only (nseeds > 0): the nodes to learn the cluster's layout from. */
    pottery_url_sentinel *seeds;
    size_t nseeds;
} pottery_url;

/* Parse
 *   redis://[[user]:password@]host[:port][/db][?db=N]
 *   unix://[[user]:password@]/path/to.sock[?db=N]
 *   redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/master-name[/db]
 *       [?db=N][&sentinel_password=P]   (sentinel port 26379 by default)
 *   redis+cluster://[[user]:password@]host[:port][,host[:port]...][/0]   (database 0 only)
 * (scheme case-insensitive; host a name, an IPv4 address or a bracketed IPv6 literal;
 * "user@" alone names a user without a password, as redis-py reads it).
 * Errors: POTTERY_EINVAL with a message naming the problem (the password is never quoted),
 * POTTERY_ENOMEM. On failure *out holds nothing to free. */
int pottery__url_parse(pottery_url *out, const char *url);
void pottery__url_free(pottery_url *u);

/* A cluster address from n "host[:port]" strings (port 6379 by default): *out is a
 * redis+cluster:// URL with those seeds and nothing else. Errors as pottery__url_parse. */
int pottery__url_cluster_nodes(pottery_url *out, const char *const *nodes, size_t n);

/* Zero a secret (a password) before freeing it, not to leave it lying around in freed
 * memory. Accepts NULL. */
void pottery__secret_free(char *secret);

#endif
