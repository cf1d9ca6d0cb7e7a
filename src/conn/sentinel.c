/* Sentinel: finding the current master of a redis+sentinel:// URL before each connect (the
 * search, shared with the event-loop connections, and the blocking client's way of asking).
 * ROLE, which checks the answer, is part of the handshake (io.c). */
#include <stdio.h>
#include <string.h>

#include "conn/client_impl.h"
#include "conn/sentinel.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"

static void append(char *buf, size_t size, size_t *len, const char *sep, const char *ep, const char *why)
{
    size_t room = size - *len;
    int n = why ? snprintf(buf + *len, room, "%s%s (%s)", *len ? sep : "", ep, why)
                : snprintf(buf + *len, room, "%s%s", *len ? sep : "", ep);
    if (n > 0) *len += (size_t)n < room ? (size_t)n : room - 1;
}

/* Note why the sentinel being asked gave no address ("connecting to <ep>: " dropped from
 * why). */
static void report_add(pottery_sentinel_search *s, const char *why)
{
    static const char prefix[] = "connecting to ";
    size_t eplen = strlen(s->ep);
    if (strncmp(why, prefix, sizeof prefix - 1) == 0 && strncmp(why + sizeof prefix - 1, s->ep, eplen) == 0 &&
        strncmp(why + sizeof prefix - 1 + eplen, ": ", 2) == 0)
        why += sizeof prefix - 1 + eplen + 2;
    append(s->text, sizeof s->text, &s->len, "; ", s->ep, why);
    append(s->hosts, sizeof s->hosts, &s->hlen, ", ", s->ep, NULL);
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

/* The sentinel at i answered: ask it first next time (the others keep their order). */
static void move_to_front(pottery_url *u, size_t i)
{
    pottery_url_sentinel s = u->sentinels[i];
    memmove(&u->sentinels[1], &u->sentinels[0], i * sizeof s);
    u->sentinels[0] = s;
}

void pottery__sentinel_search_begin(pottery_sentinel_search *s, pottery_url *url, char **endpoint, int64_t timeout_ms)
{
    s->url = url;
    s->endpoint = endpoint;
    s->end_ms = pottery__deadline_after(pottery__monotonic_ms(), timeout_ms);
    s->next = 0;
    s->code = POTTERY_ECONN;
    s->failed = 0;
    s->len = s->hlen = 0;
    s->ep[0] = s->text[0] = s->hosts[0] = '\0';
}

const pottery_url_sentinel *pottery__sentinel_search_next(pottery_sentinel_search *s, int64_t *share_ms)
{
    if (s->next >= s->url->nsentinels) return NULL;
    const pottery_url_sentinel *sn = &s->url->sentinels[s->next];
    /* Each sentinel gets an equal share of what is left, so one that hangs cannot use up
     * the time of those after it. */
    *share_ms = POTTERY_FOREVER;
    if (s->end_ms != INT64_MAX) {
        int64_t left = s->end_ms - pottery__monotonic_ms();
        *share_ms = left / (int64_t)(s->url->nsentinels - s->next);
        if (*share_ms < 1) *share_ms = 1;
    }
    snprintf(s->ep, sizeof s->ep, strchr(sn->host, ':') ? "[%s]:%d" : "%s:%d", sn->host, sn->port);
    return sn;
}

int pottery__sentinel_search_answer(pottery_sentinel_search *s, int code, const pottery_reply *r)
{
    char *host = NULL;
    int port = 0;
    int rc = code < 0 ? code : read_address(&host, &port, r);
    size_t i = s->next++;
    if (rc == 1) {
        pottery_url *u = s->url;
        char *old_host = u->host;
        int old_port = u->port;
        u->host = host;
        u->port = port;
        char *endpoint = pottery__url_endpoint(u);
        if (!endpoint) {
            u->host = old_host;
            u->port = old_port;
            pottery__free(host);
            return pottery__error_oom();
        }
        pottery__free(old_host);
        pottery__free(*s->endpoint);
        *s->endpoint = endpoint;
        move_to_front(u, i);
        return 1;
    }
    if (rc == POTTERY_ENOMEM) return rc;
    if (rc == 0) {
        report_add(s, "knows no such master");
        return 0;
    }
    s->failed++;
    if (rc == POTTERY_ETIMEOUT && s->failed == 1) s->code = POTTERY_ETIMEOUT;
    if (rc != POTTERY_ETIMEOUT) s->code = POTTERY_ECONN;
    report_add(s, pottery_error_last()->message);
    return 0;
}

int pottery__sentinel_search_fail(const pottery_sentinel_search *s)
{
    const pottery_url *u = s->url;
    if (s->failed == 0)
        return pottery__error(POTTERY_ECONN, "sentinels at %s know no master named \"%s\"", s->hosts, u->master_name);
    return pottery__error(s->code, "locating master \"%s\": no sentinel named its address: %s", u->master_name,
                          s->text);
}

int pottery__sentinel_url(pottery_url *out, char **endpoint, const pottery_url *u, const pottery_url_sentinel *sn)
{
    memset(out, 0, sizeof *out);
    *endpoint = NULL;
    out->port = sn->port;
    if (!(out->host = pottery__strdup(sn->host)) ||
        (u->sentinel_password && !(out->password = pottery__strdup(u->sentinel_password))) ||
        !(*endpoint = pottery__url_endpoint(out))) {
        pottery__url_free(out);
        return pottery__error_oom();
    }
    return 0;
}

void pottery__sentinel_cmd(pottery_cmd *cmd, const pottery_url *u)
{
    pottery__cmd_init(cmd);
    pottery__cmd_cstr(cmd, "SENTINEL");
    pottery__cmd_cstr(cmd, "get-master-addr-by-name");
    pottery__cmd_cstr(cmd, u->master_name);
}

/* ---- the blocking client ---- */

/* Ask sentinel sn of u within timeout_ms: 0 and its reply, or why it could not be asked. */
static int ask(pottery_reply **out, const pottery_url *u, const pottery_url_sentinel *sn, int64_t timeout_ms)
{
    int64_t end = pottery__deadline_after(pottery__monotonic_ms(), timeout_ms);
    pottery_client *t = pottery__calloc(1, sizeof *t);
    if (!t) return pottery__error_oom();
    t->fd = -1;
    t->counting = 1;
    t->connect_timeout_ms = t->command_timeout_ms = timeout_ms;
    int rc = pottery__sentinel_url(&t->addr, &t->endpoint, u, sn);
    if (rc == 0) rc = pottery__conn_connect(t);
    if (rc == 0 && end != INT64_MAX) {
        int64_t left = end - pottery__monotonic_ms();
        if (left <= 0) rc = pottery__error(POTTERY_ETIMEOUT, "no answer within %lld ms", (long long)timeout_ms);
        t->command_timeout_ms = left;
    }
    if (rc == 0) {
        pottery_cmd cmd;
        pottery__sentinel_cmd(&cmd, u);
        rc = pottery__exec(out, t, &cmd);
        pottery__cmd_free(&cmd);
    }
    pottery_client_free(t);
    return rc;
}

int pottery__sentinel_locate(pottery_client *c)
{
    pottery_sentinel_search s;
    const pottery_url_sentinel *sn;
    int64_t share = 0;
    pottery__sentinel_search_begin(&s, &c->addr, &c->endpoint, c->connect_timeout_ms);
    while ((sn = pottery__sentinel_search_next(&s, &share))) {
        pottery_reply *r = NULL;
        int rc = ask(&r, &c->addr, sn, share);
        rc = pottery__sentinel_search_answer(&s, rc, r);
        pottery__reply_free(r);
        if (rc != 0) return rc < 0 ? rc : 0;
    }
    return pottery__sentinel_search_fail(&s);
}
