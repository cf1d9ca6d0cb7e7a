/* The public client: URL and options, open and free, PING, statistics, and the facts about
 * a client that modules ask for. The socket I/O lives in io.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "conn/client_impl.h"
#include "core/error.h"
#include "core/options.h"
#include "conn/front.h"

/* ---- public API ---- */

static char *dup_or_null(const char *s)
{
    if (!s || !*s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = pottery__malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int valid_timeout(int64_t ms)
{
    return ms > 0 || ms == POTTERY_FOREVER;
}

char *pottery__url_endpoint(const pottery_url *u)
{
    size_t n = (u->is_unix ? strlen(u->path) : u->host ? strlen(u->host) : 0) + 32;
    if (u->master_name) n += strlen(u->master_name);
    char *endpoint = pottery__malloc(n);
    if (!endpoint) return NULL;
    if (u->nseeds > 0) n += strlen(u->seeds[0].host);
    if (u->is_unix)
        snprintf(endpoint, n, "unix:%s", u->path);
    else if (u->nseeds > 0)
        snprintf(endpoint, n, strchr(u->seeds[0].host, ':') ? "cluster at [%s]:%d" : "cluster at %s:%d",
                 u->seeds[0].host, u->seeds[0].port);
    else if (!u->host)
        snprintf(endpoint, n, "master %s (not located yet)", u->master_name ? u->master_name : "");
    else if (u->master_name)
        snprintf(endpoint, n, strchr(u->host, ':') ? "master %s at [%s]:%d" : "master %s at %s:%d", u->master_name,
                 u->host, u->port);
    else if (strchr(u->host, ':'))
        snprintf(endpoint, n, "[%s]:%d", u->host, u->port);
    else
        snprintf(endpoint, n, "%s:%d", u->host, u->port);
    return endpoint;
}

int pottery__address_resolve(pottery_address *a, const char *url, const pottery_client_options *opts, const char *fn)
{
    static const pottery_client_options defaults = POTTERY_CLIENT_OPTIONS_INIT;
    int rc;
    memset(a, 0, sizeof *a);
    if (!opts) opts = &defaults;
    if ((rc = pottery__options_check(opts->version, POTTERY_CLIENT_OPTIONS_VERSION, fn)) < 0) return rc;
    if (!valid_timeout(opts->connect_timeout_ms) || !valid_timeout(opts->command_timeout_ms))
        return pottery__error(POTTERY_EINVAL, "%s: timeouts must be > 0 ms or POTTERY_FOREVER (got %lld and %lld)", fn,
                              (long long)opts->connect_timeout_ms, (long long)opts->command_timeout_ms);
    if (opts->db < -1) return pottery__error(POTTERY_EINVAL, "db must be a non-negative integer (or -1 for the URL's)");
    int by_nodes = opts->version >= 2 && (opts->cluster_nodes || opts->cluster_nnodes > 0);
    if (by_nodes && url)
        return pottery__error(POTTERY_EINVAL,
                              "%s: give the cluster's nodes either as a URL or as cluster_nodes, "
                              "not both (url must be NULL)",
                              fn);
    if (!url && !by_nodes) {
        url = getenv("REDIS_URL");
        if (!url || !*url) url = "redis://localhost:6379/0";
    }
    a->connect_timeout_ms = opts->connect_timeout_ms;
    a->command_timeout_ms = opts->command_timeout_ms;
    rc = by_nodes ? pottery__url_cluster_nodes(&a->url, opts->cluster_nodes, opts->cluster_nnodes)
                  : pottery__url_parse(&a->url, url);
    if (rc < 0) return rc;
    if (opts->username) {
        pottery__free(a->url.user);
        a->url.user = dup_or_null(opts->username);
        if (*opts->username && !a->url.user) rc = pottery__error_oom();
    }
    if (rc == 0 && opts->password) {
        pottery__secret_free(a->url.password);
        a->url.password = dup_or_null(opts->password);
        if (*opts->password && !a->url.password) rc = pottery__error_oom();
    }
    if (opts->db >= 0) a->url.db = opts->db;
    if (rc == 0 && a->url.nseeds > 0 && a->url.db != 0)
        rc = pottery__error(POTTERY_EINVAL, "%s: Redis Cluster has database 0 only", fn);
    if (rc == 0 && !(a->endpoint = pottery__url_endpoint(&a->url))) rc = pottery__error_oom();
    if (rc < 0) pottery__address_free(a);
    return rc;
}

void pottery__address_free(pottery_address *a)
{
    pottery__url_free(&a->url);
    pottery__free(a->endpoint);
    a->endpoint = NULL;
}

int pottery_client_open(pottery_client **out, const char *url, const pottery_client_options *opts)
{
    pottery_address a;
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    int rc = pottery__address_resolve(&a, url, opts, __func__);
    if (rc < 0) return rc;
    pottery_client *c = pottery__calloc(1, sizeof *c);
    if (!c) {
        pottery__address_free(&a);
        return pottery__error_oom();
    }
    c->fd = -1;
    c->counting = 1;
    c->connect_timeout_ms = a.connect_timeout_ms;
    c->command_timeout_ms = a.command_timeout_ms;
    c->addr = a.url;
    c->endpoint = a.endpoint;
    rc = c->addr.nseeds > 0 ? pottery__cluster_open(c) : pottery__conn_connect(c);
    if (rc < 0) {
        pottery_client_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void pottery_client_free(pottery_client *client)
{
    if (!client || (client->front && !client->front->free)) return; /* a pool's view */
    if (client->front) client->front->free(client);
    pottery__conn_drop(client);
    pottery__url_free(&client->addr);
    pottery__free(client->endpoint);
    pottery__scripts_free(client);
    pottery__free(client);
}

int pottery_client_ping(pottery_client *client)
{
    pottery_cmd cmd;
    pottery_reply *r = NULL;
    POTTERY_CHECK_ARG(client);
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "PING");
    int rc = pottery__exec(&r, client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = pottery__reply_status(r, "PONG", "PING");
    pottery__reply_free(r);
    return rc;
}

void pottery_client_stats_get(pottery_client_stats *out, const pottery_client *client)
{
    if (!out) return;
    if (!client) {
        memset(out, 0, sizeof *out);
        return;
    }
    if (client->front)
        client->front->stats_get(out, client);
    else
        *out = client->stats;
}

void pottery_client_stats_reset(pottery_client *client)
{
    if (client && client->front)
        client->front->stats_reset(client);
    else if (client)
        memset(&client->stats, 0, sizeof client->stats);
}

pottery_client *pottery__client_new_node(const pottery_client *tmpl, const char *host, int port)
{
    pottery_client *c = pottery__calloc(1, sizeof *c);
    if (!c) return NULL;
    c->fd = -1;
    c->counting = 1;
    c->connect_timeout_ms = tmpl->connect_timeout_ms;
    c->command_timeout_ms = tmpl->command_timeout_ms;
    c->addr.port = port;
    c->addr.host = dup_or_null(host);
    c->addr.user = dup_or_null(tmpl->addr.user);
    c->addr.password = dup_or_null(tmpl->addr.password);
    int lost = !c->addr.host || (tmpl->addr.user && *tmpl->addr.user && !c->addr.user) ||
               (tmpl->addr.password && *tmpl->addr.password && !c->addr.password);
    if (lost || !(c->endpoint = pottery__url_endpoint(&c->addr))) {
        pottery_client_free(c);
        return NULL;
    }
    return c;
}

int pottery__client_same_server(const pottery_client *a, const pottery_client *b)
{
    if (!a || !b) return 0;
    if (a == b) return 1;
    const pottery_url *x = &a->addr, *y = &b->addr;
    if (x->nseeds > 0 || y->nseeds > 0) /* clusters: the same one if they share a seed node */
        return x->nseeds > 0 && y->nseeds > 0 && x->seeds[0].port == y->seeds[0].port &&
               strcmp(x->seeds[0].host, y->seeds[0].host) == 0;
    if (x->is_unix != y->is_unix || x->db != y->db || !x->master_name != !y->master_name) return 0;
    if (x->master_name) return strcmp(x->master_name, y->master_name) == 0; /* behind the same sentinels, say */
    if (x->is_unix) return strcmp(x->path, y->path) == 0;
    return x->port == y->port && strcmp(x->host, y->host) == 0;
}

int64_t pottery__client_command_timeout(const pottery_client *c)
{
    return c ? c->command_timeout_ms : POTTERY_FOREVER;
}
