/*
 * Internal: one search of a redis+sentinel:// URL's sentinels for its master, shared by the
 * blocking client (sentinel.c) and the event-loop connections (async/asentinel.c), which
 * differ only in how they ask one sentinel. The search keeps the rules: the sentinels in
 * the URL's order (the one that answered last first), each given an equal share of the time
 * left, the reply read the same way, and one message naming every sentinel asked and why it
 * gave no address.
 *
 *     pottery__sentinel_search_begin(&s, url, &endpoint, timeout_ms);
 *     while ((sn = pottery__sentinel_search_next(&s, &share_ms)))
 *         ask sn within share_ms (pottery__sentinel_url, pottery__sentinel_cmd), then
 *         rc = pottery__sentinel_search_answer(&s, code, reply): 1 found, 0 next, ENOMEM
 *     rc = pottery__sentinel_search_fail(&s);
 */
#ifndef POTTERY_CONN_SENTINEL_H
#define POTTERY_CONN_SENTINEL_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"
#include "conn/url.h"
#include "core/error.h"

/* A sentinel's "host:port" in messages (longer names are cut). */
#define POTTERY_SENTINEL_ENDPOINT_MAX 300

typedef struct pottery_sentinel_search {
    pottery_url *url;                       /* the sentinel URL: its master's host and port are set on success */
    char **endpoint;                        /* the connection's endpoint text, replaced on success */
    int64_t end_ms;                         /* INT64_MAX: no limit */
    size_t next;                            /* the sentinel to ask next */
    int code;                               /* the failure's code so far */
    size_t failed;                          /* sentinels that could not be asked (not those that know no such master) */
    char ep[POTTERY_SENTINEL_ENDPOINT_MAX]; /* the sentinel being asked */
    char text[POTTERY_ERROR_MESSAGE_MAX];   /* "host:port (why); ..." */
    char hosts[POTTERY_ERROR_MESSAGE_MAX];  /* "host:port, ..." */
    size_t len, hlen;
} pottery_sentinel_search;

/* Start a search of url's sentinels within timeout_ms (POTTERY_FOREVER: no limit). url and
 * endpoint are borrowed until the search ends. */
void pottery__sentinel_search_begin(pottery_sentinel_search *s, pottery_url *url, char **endpoint, int64_t timeout_ms);

/* The sentinel to ask next and *share_ms, its time (at least 1 ms; POTTERY_FOREVER without a
 * limit); NULL when every sentinel was asked. */
const pottery_url_sentinel *pottery__sentinel_search_next(pottery_sentinel_search *s, int64_t *share_ms);

/* How the sentinel from _next answered: code 0 and its reply r (any type), or a negative
 * code with the last error saying why it could not be asked (r NULL). 1 when it named the
 * master (url's host and port and *endpoint set, the sentinel moved to the front), 0 to ask
 * the next one, or ENOMEM (the search is over). */
int pottery__sentinel_search_answer(pottery_sentinel_search *s, int code, const pottery_reply *r);

/* No sentinel named the master: POTTERY_ECONN (or ETIMEOUT when every sentinel that could
 * not be asked timed out) naming every sentinel asked and why it gave no address. */
int pottery__sentinel_search_fail(const pottery_sentinel_search *s);

/* Where to reach sentinel sn of u: a plain TCP URL with the sentinel password (*out, freed
 * with pottery__url_free) and its endpoint text (*endpoint, freed with pottery__free). 0 or
 * ENOMEM (nothing to free then). */
int pottery__sentinel_url(pottery_url *out, char **endpoint, const pottery_url *u, const pottery_url_sentinel *sn);

/* The question: SENTINEL get-master-addr-by-name <u's master name> into cmd (initialised
 * here; free it with pottery__cmd_free). */
void pottery__sentinel_cmd(pottery_cmd *cmd, const pottery_url *u);

#endif
