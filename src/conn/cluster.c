/*
 * Redis Cluster: a client that keeps one connection per node and runs each call on the
 * master serving the hash slot of its keys.
 *
 * The slot map is learnt with CLUSTER SLOTS from any node that answers (the seeds first),
 * when the client opens and again after anything that says it changed: a MOVED redirection
 * (the slot has a new owner for good), a node that stopped answering (it may have failed
 * over), CLUSTERDOWN. An ASK redirection (the slot is being migrated and this key has gone
 * already) sends the one call again to the importing node behind ASKING, without touching
 * the map. TRYAGAIN (a multi-key call during a migration) is retried after a short wait.
 * A redirected command was not run by the node that redirected it, so sending it again
 * never runs it twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn/client_impl.h"
#include "conn/front.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"

enum {
    SLOTS = 16384,
    MAX_TRIES = 16,      /* redirections and TRYAGAINs followed by one call */
    TRYAGAIN_MAX_MS = 64 /* the longest wait between TRYAGAINs (doubling from 1 ms) */
};

typedef struct cluster_node {
    char *host;
    int port;
    pottery_client *conn; /* one connection (made when first needed) */
} cluster_node;

typedef struct cluster {
    cluster_node *nodes; /* every node ever learnt of; never removed (a dead one just fails) */
    size_t n, cap;
    uint16_t owner[SLOTS]; /* 1 + index of the master serving each slot; 0 = none known */
    int stale;             /* learn the map again before the next call */
    int scope_depth;       /* call scopes opened on the cluster client */
    int64_t scope_deadline_ms, scope_timeout_ms;
} cluster;

static cluster *state(const pottery_client *front)
{
    return front->front_state;
}

/* ---- nodes ---- */

/* The index of host:port, added when new; -1 when out of memory. */
static int node_index(cluster *cl, const char *host, size_t hostlen, int port)
{
    for (size_t i = 0; i < cl->n; i++)
        if (cl->nodes[i].port == port && strlen(cl->nodes[i].host) == hostlen &&
            memcmp(cl->nodes[i].host, host, hostlen) == 0)
            return (int)i;
    if (cl->n == cl->cap) {
        size_t cap = cl->cap ? cl->cap * 2 : 8;
        cluster_node *grown = pottery__realloc(cl->nodes, cap * sizeof *grown);
        if (!grown) return -1;
        cl->nodes = grown;
        cl->cap = cap;
    }
    char *copy = pottery__malloc(hostlen + 1);
    if (!copy) return -1;
    memcpy(copy, host, hostlen);
    copy[hostlen] = '\0';
    cl->nodes[cl->n] = (cluster_node){ copy, port, NULL };
    return (int)cl->n++;
}

/* Node i's connection, connected (the first time: a connect that counts no reconnect). */
static int node_conn(pottery_client **out, pottery_client *front, size_t i)
{
    cluster_node *node = &state(front)->nodes[i];
    *out = NULL;
    if (!node->conn) {
        node->conn = pottery__client_new_node(front, node->host, node->port);
        if (!node->conn) return pottery__error_oom();
        int rc = pottery__conn_connect(node->conn);
        if (rc < 0) return rc;
    }
    *out = node->conn;
    return 0;
}

/* ---- the slot map ---- */

static int slots_malformed(const pottery_client *conn)
{
    return pottery__error(POTTERY_EPROTOCOL, "CLUSTER SLOTS from %s: not a slot map", conn->endpoint);
}

/* Read a CLUSTER SLOTS reply into owner[]: [[start, end, [host, port, id...], replicas...]...].
 * An empty host means the node that answered. */
static int read_slot_map(cluster *cl, uint16_t *owner, const pottery_reply *r, const pottery_client *conn)
{
    size_t n;
    if (pottery__reply_array(&n, r, "CLUSTER SLOTS") < 0) return slots_malformed(conn);
    memset(owner, 0, SLOTS * sizeof *owner);
    for (size_t i = 0; i < n; i++) {
        const pottery_reply *range = pottery__reply_at(r, i);
        long long start, end, port;
        const char *host;
        size_t hostlen;
        if (pottery__reply_count(range) < 3 ||
            pottery__reply_int_in(&start, pottery__reply_at(range, 0), 0, SLOTS - 1, "CLUSTER SLOTS") < 0 ||
            pottery__reply_int_in(&end, pottery__reply_at(range, 1), start, SLOTS - 1, "CLUSTER SLOTS") < 0)
            return slots_malformed(conn);
        const pottery_reply *master = pottery__reply_at(range, 2);
        if (pottery__reply_count(master) < 2 ||
            pottery__reply_bytes(&host, &hostlen, pottery__reply_at(master, 0), "CLUSTER SLOTS") < 0 ||
            pottery__reply_int_in(&port, pottery__reply_at(master, 1), 1, 65535, "CLUSTER SLOTS") < 0)
            return slots_malformed(conn);
        if (hostlen == 0 || (hostlen == 1 && host[0] == '?')) {
            host = conn->addr.host;
            hostlen = strlen(host);
        }
        int idx = node_index(cl, host, hostlen, (int)port);
        if (idx < 0) return pottery__error_oom();
        for (long long s = start; s <= end; s++) owner[s] = (uint16_t)(idx + 1);
    }
    return 0;
}

/* Ask the nodes in turn for the slot map until one answers. */
static int refresh(pottery_client *front)
{
    cluster *cl = state(front);
    uint16_t *owner = pottery__malloc(SLOTS * sizeof *owner);
    if (!owner) return pottery__error_oom();
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "CLUSTER");
    pottery__cmd_cstr(&cmd, "SLOTS");
    int rc = POTTERY_ECONN;
    pottery_error_saved last;
    pottery__error_save(&last);
    /* Nodes may be added while reading a map: count them as they are now. */
    for (size_t i = 0, n = cl->n; i < n; i++) {
        pottery_client *conn;
        pottery_reply *r = NULL;
        rc = node_conn(&conn, front, i);
        if (rc == 0) rc = pottery__exec(&r, conn, &cmd);
        if (rc == 0) rc = read_slot_map(cl, owner, r, conn);
        pottery__reply_free(r);
        if (rc == 0 || rc == POTTERY_ENOMEM) break;
        pottery__error_save(&last);
    }
    pottery__cmd_free(&cmd);
    if (rc == 0) {
        memcpy(cl->owner, owner, sizeof cl->owner);
        cl->stale = 0;
    } else if (rc != POTTERY_ENOMEM) {
        rc = pottery__error(POTTERY_ECLUSTER, "Redis Cluster %s: no node told the slot map (last: %s)", front->endpoint,
                            last.message);
    }
    pottery__free(owner);
    return rc;
}

/* The node serving slot (any slot's master for POTTERY_SLOT_ANY), or -1. */
static int slot_owner(const cluster *cl, int slot)
{
    if (slot != POTTERY_SLOT_ANY) return (int)cl->owner[slot] - 1;
    for (size_t s = 0; s < SLOTS; s++)
        if (cl->owner[s]) return (int)cl->owner[s] - 1;
    return -1;
}

/* The connection for slot, the map learnt first if it is stale or names nobody. */
static int conn_for_slot(pottery_client **conn, pottery_client *front, int slot)
{
    cluster *cl = state(front);
    int rc, idx;
    *conn = NULL;
    if (cl->stale && (rc = refresh(front)) < 0) return rc;
    if ((idx = slot_owner(cl, slot)) < 0) {
        if ((rc = refresh(front)) < 0) return rc;
        if ((idx = slot_owner(cl, slot)) < 0)
            return pottery__error(POTTERY_ECLUSTER,
                                  "Redis Cluster %s: hash slot %d is served by no node (a failover or a resharding "
                                  "may be under way)",
                                  front->endpoint, slot);
    }
    if ((rc = node_conn(conn, front, (size_t)idx)) < 0) cl->stale = 1;
    return rc;
}

/* ---- redirections ---- */

typedef enum redirect { NOT_REDIRECTED, MOVED, ASK, TRYAGAIN, CLUSTERDOWN, CROSSSLOT } redirect;

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* What the error text of a failed call says; MOVED and ASK fill *slot and the target. */
static redirect classify(const char *text, int *slot, const char **host, size_t *hostlen, int *port)
{
    int is_moved = starts_with(text, "MOVED ");
    if (is_moved || starts_with(text, "ASK ")) {
        const char *p = text + (is_moved ? 6 : 4);
        char *end;
        long s = strtol(p, &end, 10);
        if (end == p || *end != ' ' || s < 0 || s >= SLOTS) return NOT_REDIRECTED;
        const char *addr = end + 1;
        const char *colon = strrchr(addr, ':');
        if (!colon) return NOT_REDIRECTED;
        long prt = strtol(colon + 1, &end, 10);
        if (prt <= 0 || prt > 65535) return NOT_REDIRECTED;
        *slot = (int)s;
        *host = addr;
        *hostlen = (size_t)(colon - addr);
        *port = (int)prt;
        return is_moved ? MOVED : ASK;
    }
    if (starts_with(text, "TRYAGAIN")) return TRYAGAIN;
    if (starts_with(text, "CLUSTERDOWN")) return CLUSTERDOWN;
    if (starts_with(text, "CROSSSLOT")) return CROSSSLOT;
    return NOT_REDIRECTED;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static int run(pottery_client *front, int slot, pottery_conn_op op, void *ctx)
{
    cluster *cl = state(front);
    int ask_node = -1, wait_ms = 1, rc;
    char last[POTTERY_ERROR_MESSAGE_MAX] = "";
    for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
        pottery_client *conn;
        if (ask_node >= 0) {
            if ((rc = node_conn(&conn, front, (size_t)ask_node)) < 0) return rc;
            conn->asking = 1;
        } else if ((rc = conn_for_slot(&conn, front, slot)) < 0) {
            return rc;
        }
        if (cl->scope_depth > 0) pottery__call_begin_at(conn, cl->scope_deadline_ms, cl->scope_timeout_ms);
        rc = op(conn, ctx);
        if (cl->scope_depth > 0) pottery__call_end(conn);
        conn->asking = 0;
        ask_node = -1;
        if (rc == POTTERY_ECONN || rc == POTTERY_ETIMEOUT) cl->stale = 1; /* failed over, maybe */
        if (rc != POTTERY_EREDIS) return rc;

        const char *text = pottery_error_last()->message, *host;
        size_t hostlen;
        int rslot, port, idx;
        snprintf(last, sizeof last, "%s", text);
        switch (classify(last, &rslot, &host, &hostlen, &port)) {
        case MOVED:
            if ((idx = node_index(cl, host, hostlen, port)) < 0) return pottery__error_oom();
            cl->owner[rslot] = (uint16_t)(idx + 1);
            cl->stale = 1; /* a resharding or a failover moves more than one slot */
            break;
        case ASK:
            if ((ask_node = node_index(cl, host, hostlen, port)) < 0) return pottery__error_oom();
            break;
        case TRYAGAIN:
            sleep_ms(wait_ms);
            if (wait_ms < TRYAGAIN_MAX_MS) wait_ms *= 2;
            break;
        case CLUSTERDOWN:
            cl->stale = 1;
            return pottery__error(POTTERY_ECLUSTER, "Redis Cluster %s: %s", conn->endpoint, last);
        case CROSSSLOT:
            return pottery__error(POTTERY_ECROSSSLOT,
                                  "Redis Cluster %s: %s; give the keys one call touches a common {hash tag}",
                                  conn->endpoint, last);
        case NOT_REDIRECTED: return rc;
        }
    }
    return pottery__error(POTTERY_ECLUSTER,
                          "Redis Cluster %s: the call was redirected %d times without settling (last: %s)",
                          front->endpoint, MAX_TRIES, last);
}

/* ---- the front's other duties ---- */

static int lease(pottery_client **conn, pottery_client *front, int slot)
{
    return conn_for_slot(conn, front, slot);
}

static int unlease(pottery_client *front, pottery_client *conn, int rc)
{
    /* A node that failed may have failed over: learn the map again before the next call. */
    if (rc == POTTERY_ECONN || rc == POTTERY_ETIMEOUT) state(front)->stale = 1;
    if (rc == POTTERY_EREDIS) {
        char text[POTTERY_ERROR_MESSAGE_MAX];
        const char *host;
        size_t hostlen;
        int slot, port;
        snprintf(text, sizeof text, "%s", pottery_error_last()->message);
        redirect why = classify(text, &slot, &host, &hostlen, &port);
        if (why == MOVED || why == CLUSTERDOWN) state(front)->stale = 1;
        if (why == MOVED || why == ASK || why == TRYAGAIN)
            return pottery__error(POTTERY_ECLUSTER,
                                  "Redis Cluster %s: the slot moved while a streamed transaction was being sent "
                                  "(%s); nothing was written, and the next call goes where the slot is now",
                                  conn->endpoint, text);
        if (why == CLUSTERDOWN) return pottery__error(POTTERY_ECLUSTER, "Redis Cluster %s: %s", conn->endpoint, text);
    }
    return rc;
}

static void call_begin(pottery_client *front, int64_t timeout_ms)
{
    cluster *cl = state(front);
    if (cl->scope_depth++ > 0) return;
    cl->scope_timeout_ms = timeout_ms;
    cl->scope_deadline_ms = timeout_ms == POTTERY_FOREVER ? INT64_MAX : pottery__monotonic_ms() + timeout_ms;
}

static void call_end(pottery_client *front)
{
    cluster *cl = state(front);
    if (cl->scope_depth > 0) cl->scope_depth--;
}

static void stats_get(pottery_client_stats *out, const pottery_client *front)
{
    const cluster *cl = state(front);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < cl->n; i++) {
        const pottery_client *c = cl->nodes[i].conn;
        if (!c) continue;
        out->round_trips += c->stats.round_trips;
        out->commands += c->stats.commands;
        out->reconnects += c->stats.reconnects;
    }
}

static void stats_reset(pottery_client *front)
{
    cluster *cl = state(front);
    for (size_t i = 0; i < cl->n; i++)
        if (cl->nodes[i].conn) memset(&cl->nodes[i].conn->stats, 0, sizeof cl->nodes[i].conn->stats);
}

static void cluster_free(pottery_client *front)
{
    cluster *cl = state(front);
    if (!cl) return;
    for (size_t i = 0; i < cl->n; i++) {
        pottery_client_free(cl->nodes[i].conn);
        pottery__free(cl->nodes[i].host);
    }
    pottery__free(cl->nodes);
    pottery__free(cl);
    front->front_state = NULL;
}

static const pottery_front_ops CLUSTER_OPS = {
    "cluster", run, lease, unlease, call_begin, call_end, stats_get, stats_reset, cluster_free,
};

int pottery__cluster_open(pottery_client *c)
{
    cluster *cl = pottery__calloc(1, sizeof *cl);
    if (!cl) return pottery__error_oom();
    c->front = &CLUSTER_OPS;
    c->front_state = cl;
    for (size_t i = 0; i < c->addr.nseeds; i++) {
        const pottery_url_sentinel *seed = &c->addr.seeds[i];
        if (node_index(cl, seed->host, strlen(seed->host), seed->port) < 0) return pottery__error_oom();
    }
    return refresh(c);
}

int pottery__client_is_cluster(const pottery_client *c)
{
    return c && c->addr.nseeds > 0;
}
