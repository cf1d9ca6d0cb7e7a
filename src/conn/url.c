/* Redis URL parsing: redis://[[user]:password@]host[:port][/db], unix:///path[?db=N] and
 * redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/master-name[/db]. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "conn/url.h"
#include "core/error.h"

enum { UNIX_PATH_MAX = 107 }; /* sizeof(sockaddr_un.sun_path) - 1 on Linux */

static int bad(const char *problem)
{
    return pottery__error(POTTERY_EINVAL, "invalid Redis URL: %s", problem);
}

static int lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* Case-insensitive prefix test (ASCII). */
static int has_prefix(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (lower((unsigned char)*s) != *prefix) return 0;
    return 1;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    ch = lower(ch);
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

/* Percent-decode s[0..len) into a new string. what names the part for messages (its
 * contents are never quoted: it may be a password). */
static int decode(char **out, const char *s, size_t len, const char *what)
{
    char *d = pottery__malloc(len + 1);
    size_t n = 0;
    *out = NULL;
    if (!d) return pottery__error_oom();
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%') {
            d[n++] = s[i];
            continue;
        }
        int hi = -1, lo = -1;
        if (i + 2 < len) { /* two characters follow the '%' */
            hi = hexval((unsigned char)s[i + 1]);
            lo = hexval((unsigned char)s[i + 2]);
        }
        if (hi < 0 || lo < 0) {
            pottery__free(d);
            return pottery__error(POTTERY_EINVAL, "invalid Redis URL: bad percent-escape in the %s", what);
        }
        if (hi == 0 && lo == 0) {
            pottery__free(d);
            return pottery__error(POTTERY_EINVAL, "invalid Redis URL: %%00 is not allowed in the %s", what);
        }
        d[n++] = (char)(hi * 16 + lo);
        i += 2;
    }
    d[n] = '\0';
    *out = d;
    return 0;
}

/* A non-negative decimal int, digits only. */
static int parse_uint(int *out, const char *s, size_t len, int max)
{
    long long v = 0;
    if (len == 0) return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
        if (v > max) return -1;
    }
    *out = (int)v;
    return 0;
}

static int parse_db(int *out, const char *s, size_t len)
{
    if (parse_uint(out, s, len, INT_MAX) < 0) return bad("db must be a non-negative integer");
    return 0;
}

/* "db=N[&...]"; a sentinel URL also understands sentinel_password=P. */
static int parse_query(pottery_url *u, const char *q, int have_db)
{
    static const char sp[] = "sentinel_password=";
    const size_t splen = sizeof sp - 1;
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len > 0 && u->nsentinels > 0 && len >= splen && memcmp(q, sp, splen) == 0) {
            if (u->sentinel_password) return bad("sentinel_password given twice");
            int rc = len > splen ? decode(&u->sentinel_password, q + splen, len - splen, "sentinel password") : 0;
            if (rc < 0) return rc;
        } else if (len > 0) {
            if (len < 3 || memcmp(q, "db=", 3) != 0)
                return bad(u->nsentinels > 0 ? "unsupported URL parameter (only db=N and sentinel_password=P are "
                                               "understood)"
                                             : "unsupported URL parameter (only db=N is understood)");
            if (have_db) return bad("db given twice");
            int rc = parse_db(&u->db, q + 3, len - 3);
            if (rc < 0) return rc;
            have_db = 1;
        }
        q += len;
        if (*q == '&') q++;
    }
    return 0;
}

/* Userinfo "user:password", "user" or ":password". */
static int parse_userinfo(pottery_url *u, const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len);
    size_t ulen = colon ? (size_t)(colon - s) : len;
    int rc;
    if (ulen > 0 && (rc = decode(&u->user, s, ulen, "user name")) < 0) return rc;
    if (colon) {
        size_t plen = len - ulen - 1;
        if (plen > 0 && (rc = decode(&u->password, colon + 1, plen, "password")) < 0) return rc;
    }
    return 0;
}

static int valid_host_char(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
           ch == '_';
}

static int valid_ipv6_char(int ch)
{
    return hexval(ch) >= 0 || ch == ':' || ch == '.';
}

/* host[:port] or [v6]:port into *out_host (allocated) and *out_port (untouched when no
 * port is given). */
static int parse_hostport(char **out_host, int *out_port, const char *s, size_t len)
{
    const char *host = s, *port = NULL;
    size_t hostlen;
    size_t portlen = 0;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close) return bad("unterminated IPv6 address (missing ']')");
        host = s + 1;
        hostlen = (size_t)(close - host);
        if (hostlen == 0) return bad("empty host");
        for (size_t i = 0; i < hostlen; i++)
            if (!valid_ipv6_char((unsigned char)host[i])) return bad("invalid character in IPv6 address");
        size_t rest = len - (size_t)(close + 1 - s);
        if (rest > 0) {
            if (close[1] != ':') return bad("unexpected text after the IPv6 address");
            port = close + 2;
            portlen = rest - 1;
        }
    } else {
        const char *colon = memchr(s, ':', len);
        hostlen = colon ? (size_t)(colon - s) : len;
        if (colon) {
            port = colon + 1;
            portlen = len - hostlen - 1;
        }
        if (hostlen == 0) return bad("empty host");
        for (size_t i = 0; i < hostlen; i++)
            if (!valid_host_char((unsigned char)host[i])) return bad("invalid character in host");
    }
    if (port) {
        if (portlen == 0) return bad("empty port");
        int n = 0;
        if (parse_uint(&n, port, portlen, 65535) < 0 || n == 0) return bad("port must be a number from 1 to 65535");
        *out_port = n;
    }
    *out_host = pottery__malloc(hostlen + 1);
    if (!*out_host) return pottery__error_oom();
    memcpy(*out_host, host, hostlen);
    (*out_host)[hostlen] = '\0';
    return 0;
}

/* The userinfo of an authority s[0..alen) (up to its last '@'): parsed into u; *hosts
 * points past it. */
static int parse_authority_user(pottery_url *u, const char *s, size_t alen, const char **hosts)
{
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (s[i] == '@') at = s + i; /* the last '@' ends the userinfo */
    *hosts = at ? at + 1 : s;
    return at ? parse_userinfo(u, s, (size_t)(at - s)) : 0;
}

/* "[/db][?query]" after the host or the master name. */
static int parse_tail(pottery_url *u, const char *p)
{
    int rc;
    int have_db = 0;
    if (*p == '/') {
        p++;
        size_t plen = strcspn(p, "?");
        if (plen > 0) {
            if ((rc = parse_db(&u->db, p, plen)) < 0) return rc;
            have_db = 1;
        }
        p += plen;
    }
    if (*p == '?') return parse_query(u, p + 1, have_db);
    return 0;
}

static int parse_tcp(pottery_url *u, const char *p)
{
    size_t alen = strcspn(p, "/?");
    const char *hosts;
    int rc;
    if ((rc = parse_authority_user(u, p, alen, &hosts)) < 0) return rc;
    if ((rc = parse_hostport(&u->host, &u->port, hosts, alen - (size_t)(hosts - p))) < 0) return rc;
    return parse_tail(u, p + alen);
}

/* "host[:port][,host[:port]...]" from hosts to end into a new array of at most
 * POTTERY_URL_MAX_HOSTS (what: "sentinel" or "seed node", for messages). */
static int parse_host_list(pottery_url_sentinel **list, size_t *n, int default_port, const char *hosts, const char *end,
                           const char *what)
{
    int rc;
    *list = pottery__calloc(POTTERY_URL_MAX_SENTINELS, sizeof **list);
    if (!*list) return pottery__error_oom();
    for (const char *h = hosts; h <= end;) {
        const char *comma = memchr(h, ',', (size_t)(end - h));
        size_t hlen = comma ? (size_t)(comma - h) : (size_t)(end - h);
        if (hlen == 0) return pottery__error(POTTERY_EINVAL, "invalid Redis URL: empty %s address in the list", what);
        if (*n == POTTERY_URL_MAX_SENTINELS)
            return pottery__error(POTTERY_EINVAL, "invalid Redis URL: more than %d %ss", POTTERY_URL_MAX_SENTINELS,
                                  what);
        pottery_url_sentinel *s = &(*list)[(*n)++];
        s->port = default_port;
        if ((rc = parse_hostport(&s->host, &s->port, h, hlen)) < 0) return rc;
        h += hlen + 1;
    }
    return 0;
}

/* host[:port][,host[:port]...]/master-name[/db][?query] after the scheme. */
static int parse_sentinel(pottery_url *u, const char *p)
{
    size_t alen = strcspn(p, "/?");
    const char *hosts;
    int rc;
    if ((rc = parse_authority_user(u, p, alen, &hosts)) < 0) return rc;
    const char *end = p + alen;
    if (hosts == end) return bad("no sentinel address (write redis+sentinel://host:port[,host:port...]/master-name)");
    if ((rc = parse_host_list(&u->sentinels, &u->nsentinels, 26379, hosts, end, "sentinel")) < 0) return rc;
    if (*end != '/') return bad("missing master name (write redis+sentinel://host:port/master-name)");
    p = end + 1;
    size_t nlen = strcspn(p, "/?");
    if (nlen == 0) return bad("missing master name (write redis+sentinel://host:port/master-name)");
    if ((rc = decode(&u->master_name, p, nlen, "master name")) < 0) return rc;
    return parse_tail(u, p + nlen);
}

/* host[:port][,host[:port]...][/0][?db=0] after the scheme: a cluster's seed nodes. */
static int parse_cluster(pottery_url *u, const char *p)
{
    size_t alen = strcspn(p, "/?");
    const char *hosts;
    int rc;
    if ((rc = parse_authority_user(u, p, alen, &hosts)) < 0) return rc;
    const char *end = p + alen;
    if (hosts == end) return bad("no seed node address (write redis+cluster://host:port[,host:port...])");
    if ((rc = parse_host_list(&u->seeds, &u->nseeds, 6379, hosts, end, "seed node")) < 0) return rc;
    if ((rc = parse_tail(u, end)) < 0) return rc;
    if (u->db != 0) return bad("Redis Cluster has database 0 only");
    return 0;
}

static int parse_unix(pottery_url *u, const char *p)
{
    size_t alen = strcspn(p, "/?");
    int rc;
    if (alen > 0) {
        if (p[alen - 1] != '@') return bad("a unix:// URL takes no host (write unix:///path/to.sock)");
        if ((rc = parse_userinfo(u, p, alen - 1)) < 0) return rc;
        p += alen;
    }
    size_t plen = strcspn(p, "?");
    if (plen <= 1 || p[0] != '/') return bad("missing socket path (write unix:///path/to.sock)");
    if ((rc = decode(&u->path, p, plen, "socket path")) < 0) return rc;
    if (!u->path || strlen(u->path) > UNIX_PATH_MAX) return bad("socket path too long");
    p += plen;
    if (*p == '?') return parse_query(u, p + 1, 0);
    return 0;
}

int pottery__url_parse(pottery_url *out, const char *url)
{
    int rc;
    POTTERY_CHECK_ARG(out);
    memset(out, 0, sizeof *out);
    out->port = 6379;
    POTTERY_CHECK_ARG(url);
    for (const char *q = url; *q; q++) {
        unsigned char ch = (unsigned char)*q;
        if (ch <= ' ' || ch == 0x7f) return bad("spaces and control characters are not allowed");
        if (ch == '#') return bad("fragments (#) are not allowed");
    }
    if (has_prefix(url, "redis://")) {
        rc = parse_tcp(out, url + 8);
    } else if (has_prefix(url, "unix://")) {
        out->is_unix = 1;
        rc = parse_unix(out, url + 7);
    } else if (has_prefix(url, "redis+sentinel://")) {
        rc = parse_sentinel(out, url + 17);
    } else if (has_prefix(url, "redis+cluster://")) {
        rc = parse_cluster(out, url + 16);
    } else if (has_prefix(url, "rediss://")) {
        return bad("TLS (rediss://) is not supported");
    } else {
        return bad("the scheme must be redis://, unix://, redis+sentinel:// or redis+cluster://");
    }
    if (rc < 0) pottery__url_free(out);
    return rc;
}

int pottery__url_cluster_nodes(pottery_url *out, const char *const *nodes, size_t n)
{
    POTTERY_CHECK_ARG(out);
    memset(out, 0, sizeof *out);
    out->port = 6379;
    if (!nodes || n == 0) return bad("no cluster node given");
    if (n > POTTERY_URL_MAX_SENTINELS) return bad("more than 16 seed nodes");
    out->seeds = pottery__calloc(n, sizeof *out->seeds);
    if (!out->seeds) return pottery__error_oom();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!nodes[i] || !*nodes[i]) {
            rc = bad("empty seed node address in the list");
            break;
        }
        pottery_url_sentinel *s = &out->seeds[out->nseeds++];
        s->port = 6379;
        rc = parse_hostport(&s->host, &s->port, nodes[i], strlen(nodes[i]));
    }
    if (rc < 0) pottery__url_free(out);
    return rc;
}

void pottery__secret_free(char *secret)
{
    if (!secret) return;
    volatile char *v = secret;
    while (*v) *v++ = '\0';
    pottery__free(secret);
}

void pottery__url_free(pottery_url *u)
{
    if (!u) return;
    pottery__free(u->host);
    pottery__free(u->path);
    pottery__free(u->user);
    pottery__secret_free(u->password);
    pottery__secret_free(u->sentinel_password);
    pottery__free(u->master_name);
    for (size_t i = 0; u->sentinels && i < u->nsentinels; i++) pottery__free(u->sentinels[i].host);
    pottery__free(u->sentinels);
    for (size_t i = 0; u->seeds && i < u->nseeds; i++) pottery__free(u->seeds[i].host);
    pottery__free(u->seeds);
    memset(u, 0, sizeof *u);
    u->port = 6379;
}
