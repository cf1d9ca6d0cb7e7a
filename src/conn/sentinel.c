/* Sentinel: finding the current master of a redis+sentinel:// URL before each connect.
 * ROLE, which checks the answer, is part of the handshake (io.c). */
#include <stdio.h>
#include <string.h>

#include "conn/client_impl.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"

enum { ENDPOINT_MAX = 300 }; /* a sentinel's "host:port" in messages (longer names are cut) */

/* What the sentinels said, for the message when none named the master. */
typedef struct sentinel_report {
    char text[POTTERY_ERROR_MESSAGE_MAX];  /* "host:port (why); ..." */
    char hosts[POTTERY_ERROR_MESSAGE_MAX]; /* "host:port, ..." */
    size_t len, hlen;
    size_t unknown; /* sentinels that know no master of that name */
    size_t failed;  /* sentinels that could not be asked */
} sentinel_report;

static void append(char *buf, size_t size, size_t *len, const char *sep, const char *ep, const char *why)
{
    size_t room = size - *len;
    int n = why ? snprintf(buf + *len, room, "%s%s (%s)", *len ? sep : "", ep, why)
                : snprintf(buf + *len, room, "%s%s", *len ? sep : "", ep);
    if (n > 0) *len += (size_t)n < room ? (size_t)n : room - 1;
}

/* Note why the sentinel at ep gave no address ("connecting to <ep>: " dropped from why). */
static void report_add(sentinel_report *rep, const char *ep, const char *why)
{
    static const char prefix[] = "connecting to ";
    size_t eplen = strlen(ep);
    if (strncmp(why, prefix, sizeof prefix - 1) == 0 && strncmp(why + sizeof prefix - 1, ep, eplen) == 0 &&
        strncmp(why + sizeof prefix - 1 + eplen, ": ", 2) == 0)
        why += sizeof prefix - 1 + eplen + 2;
    append(rep->text, sizeof rep->text, &rep->len, "; ", ep, why);
    append(rep->hosts, sizeof rep->hosts, &rep->hlen, ", ", ep, NULL);
}

/* The master's address from a reply to SENTINEL get-master-addr-by-name: 1 and *host /
 * *port, 0 for nil (no such master), or an error. */
static int read_address(char **host, int *port, const pottery_reply *r)
{
    static const char what[] = "SENTINEL get-master-addr-by-name";
    const char *h, *p;
    size_t hlen, plen;
    int rc;
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) return 0;
    if ((rc = pottery__reply_array_n(r, 2, what)) < 0 ||
        (rc = pottery__reply_bytes(&h, &hlen, pottery__reply_at(r, 0), what)) < 0 ||
        (rc = pottery__reply_bytes(&p, &plen, pottery__reply_at(r, 1), what)) < 0)
        return rc;
    long v = 0;
    for (size_t i = 0; i < plen && v <= 65535; i++) v = p[i] >= '0' && p[i] <= '9' ? v * 10 + (p[i] - '0') : 65536;
    if (hlen == 0 || memchr(h, '\0', hlen) || plen == 0 || v < 1 || v > 65535)
        return pottery__error(POTTERY_EPROTOCOL, "%s: not a host and a port", what);
    if (!(*host = pottery__malloc(hlen + 1))) return pottery__error_oom();
    memcpy(*host, h, hlen);
    (*host)[hlen] = '\0';
    *port = (int)v;
    return 1;
}

/* Ask one sentinel within timeout_ms: 1 (*host, *port), 0 (it knows no such master) or an
 * error. */
static int ask(char **host, int *port, const pottery_url *addr, const pottery_url_sentinel *s, int64_t timeout_ms)
{
    int64_t end = timeout_ms == POTTERY_FOREVER ? 0 : pottery__monotonic_ms() + timeout_ms;
    pottery_client *t = pottery__calloc(1, sizeof *t);
    if (!t) return pottery__error_oom();
    t->fd = -1;
    t->counting = 1;
    t->connect_timeout_ms = t->command_timeout_ms = timeout_ms;
    t->addr.port = s->port;
    int rc = 0;
    if (!(t->addr.host = pottery__strdup(s->host)) ||
        (addr->sentinel_password && !(t->addr.password = pottery__strdup(addr->sentinel_password))) ||
        !(t->endpoint = pottery__url_endpoint(&t->addr)))
        rc = pottery__error_oom();
    if (rc == 0) rc = pottery__conn_connect(t);
    if (rc == 0 && end) {
        int64_t left = end - pottery__monotonic_ms();
        if (left <= 0) rc = pottery__error(POTTERY_ETIMEOUT, "no answer within %lld ms", (long long)timeout_ms);
        t->command_timeout_ms = left;
    }
    if (rc == 0) {
        pottery_cmd cmd;
        pottery_reply *r = NULL;
        pottery__cmd_init(&cmd);
        pottery__cmd_cstr(&cmd, "SENTINEL");
        pottery__cmd_cstr(&cmd, "get-master-addr-by-name");
        pottery__cmd_cstr(&cmd, addr->master_name);
        rc = pottery__exec(&r, t, &cmd);
        pottery__cmd_free(&cmd);
        if (rc == 0) rc = read_address(host, port, r);
        pottery__reply_free(r);
    }
    pottery_client_free(t);
    return rc;
}

/* The sentinel at i answered: ask it first next time (the others keep their order). */
static void move_to_front(pottery_url *u, size_t i)
{
    pottery_url_sentinel s = u->sentinels[i];
    memmove(&u->sentinels[1], &u->sentinels[0], i * sizeof s);
    u->sentinels[0] = s;
}

static int failure(const pottery_url *u, const sentinel_report *rep, int code)
{
    if (rep->failed == 0)
        return pottery__error(POTTERY_ECONN, "sentinels at %s know no master named \"%s\"", rep->hosts, u->master_name);
    return pottery__error(code, "locating master \"%s\": no sentinel named its address: %s", u->master_name, rep->text);
}

int pottery__sentinel_locate(pottery_client *c)
{
    pottery_url *u = &c->addr;
    sentinel_report rep;
    int code = POTTERY_ECONN;
    int64_t end = c->connect_timeout_ms == POTTERY_FOREVER ? 0 : pottery__monotonic_ms() + c->connect_timeout_ms;
    rep.len = rep.hlen = rep.unknown = rep.failed = 0;
    rep.text[0] = rep.hosts[0] = '\0';
    for (size_t i = 0; i < u->nsentinels; i++) {
        pottery_url_sentinel *s = &u->sentinels[i];
        /* Each sentinel gets an equal share of what is left, so one that hangs cannot use
         * up the time of those after it. */
        int64_t share = POTTERY_FOREVER;
        if (end) {
            int64_t left = end - pottery__monotonic_ms();
            share = left / (int64_t)(u->nsentinels - i);
            if (share < 1) share = 1;
        }
        char *host = NULL, ep[ENDPOINT_MAX];
        int port = 0;
        snprintf(ep, sizeof ep, strchr(s->host, ':') ? "[%s]:%d" : "%s:%d", s->host, s->port);
        int rc = ask(&host, &port, u, s, share);
        if (rc == 1) {
            pottery__free(u->host);
            u->host = host;
            u->port = port;
            move_to_front(u, i);
            char *endpoint = pottery__url_endpoint(u);
            if (!endpoint) return pottery__error_oom();
            pottery__free(c->endpoint);
            c->endpoint = endpoint;
            return 0;
        }
        if (rc == POTTERY_ENOMEM) return rc;
        if (rc == 0) {
            rep.unknown++;
            report_add(&rep, ep, "knows no such master");
        } else {
            rep.failed++;
            if (rc == POTTERY_ETIMEOUT && rep.failed == 1) code = POTTERY_ETIMEOUT;
            if (rc != POTTERY_ETIMEOUT) code = POTTERY_ECONN;
            report_add(&rep, ep, pottery_error_last()->message);
        }
    }
    return failure(u, &rep, code);
}
