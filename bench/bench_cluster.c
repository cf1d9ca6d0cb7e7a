/*
 * Routing through a Redis Cluster client: pottery_dict on a redis+cluster:// client against
 * raw hiredis connected straight to the master owning each key (the raw side is told the
 * owner for free, computed before the clock starts), the same HSET/HGET bytes on both.
 *
 * Usage: bench_cluster redis://HOST:PORT/0 ... (the cluster's masters)
 */
#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 7, FIELDS = 1000, KEYS = 96, MAX_NODES = 16 };

static redisContext *nodes[MAX_NODES];
static int node_ports[MAX_NODES];
static int nnodes;
static pottery_dict *one;          /* bench:dict, on one node */
static pottery_dict *spread[KEYS]; /* bench:dict:<i>, over every node */
static char spread_keys[KEYS][32];
static redisContext *one_owner, *spread_owner[KEYS];

/* The raw connection to the master serving key (asked with CLUSTER KEYSLOT / SLOTS). */
static redisContext *owner_of(const char *key)
{
    redisReply *slot = redisCommand(nodes[0], "CLUSTER KEYSLOT %s", key);
    redisReply *map = redisCommand(nodes[0], "CLUSTER SLOTS");
    if (!slot || slot->type != REDIS_REPLY_INTEGER || !map || map->type != REDIS_REPLY_ARRAY) bench_die("CLUSTER");
    redisContext *found = NULL;
    for (size_t i = 0; i < map->elements && !found; i++) {
        redisReply *range = map->element[i];
        if (slot->integer < range->element[0]->integer || slot->integer > range->element[1]->integer) continue;
        int port = (int)range->element[2]->element[1]->integer;
        for (int n = 0; n < nnodes; n++)
            if (node_ports[n] == port) found = nodes[n];
    }
    freeReplyObject(slot);
    freeReplyObject(map);
    if (!found) bench_die("no owner");
    return found;
}

static void raw_hset(redisContext *c, const char *key, int n)
{
    char field[32], value[32];
    size_t flen = bench_json_name(field, sizeof field, 'k', n % FIELDS);
    int vlen = snprintf(value, sizeof value, "%d", n);
    const char *argv[] = { "HSET", key, field, value };
    const size_t lens[] = { 4, strlen(key), flen, (size_t)vlen };
    bench_raw(c, 4, argv, lens);
}

static void raw_hget(redisContext *c, const char *key, int n)
{
    char field[32];
    size_t flen = bench_json_name(field, sizeof field, 'k', n % FIELDS);
    const char *argv[] = { "HGET", key, field };
    const size_t lens[] = { 4, strlen(key), flen };
    bench_raw_number(c, REDIS_REPLY_STRING, 3, argv, lens, "raw HGET");
}

static void pot_set(pottery_dict *d, int n)
{
    char field[32];
    if (pottery_dict_set(d, bench_name(field, sizeof field, 'k', n % FIELDS), pottery_int(n)) < 0) bench_die("set");
}

static void pot_get(pottery_dict *d, int n)
{
    char field[32];
    pottery_value v = POTTERY_VALUE_INIT;
    if (pottery_dict_get(&v, d, bench_name(field, sizeof field, 'k', n % FIELDS)) < 0) bench_die("get");
    pottery_value_dispose(&v);
}

static void raw_set_one(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++) raw_hset(one_owner, "bench:dict", from + i);
}

static void pot_set_one(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++) pot_set(one, from + i);
}

static void raw_get_one(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++) raw_hget(one_owner, "bench:dict", from + i);
}

static void pot_get_one(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++) pot_get(one, from + i);
}

static void raw_set_spread(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++) raw_hset(spread_owner[(from + i) % KEYS], spread_keys[(from + i) % KEYS], from + i);
}

static void pot_set_spread(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++) pot_set(spread[(from + i) % KEYS], from + i);
}

static void raw_get_spread(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++) raw_hget(spread_owner[(from + i) % KEYS], spread_keys[(from + i) % KEYS], from + i);
}

static void pot_get_spread(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++) pot_get(spread[(from + i) % KEYS], from + i);
}

int main(int argc, char **argv)
{
    char url[1024] = "redis+cluster://";
    if (argc < 2 || argc - 1 > MAX_NODES) {
        fprintf(stderr, "usage: %s redis://HOST:PORT/0 ... (the cluster's masters)\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        char host[256];
        int port;
        if (sscanf(argv[i], "redis://%255[^:]:%d", host, &port) != 2) bench_die("URL");
        nodes[nnodes] = redisConnect(host, port);
        if (!nodes[nnodes] || nodes[nnodes]->err) bench_die("hiredis connect");
        node_ports[nnodes++] = port;
        size_t len = strlen(url);
        snprintf(url + len, sizeof url - len, "%s%s:%d", i > 1 ? "," : "", host, port);
    }
    bench_target t = { NULL, NULL, "" };
    bench_rows_source(argv[0], "cluster");
    if (pottery_client_open(&t.client, url, NULL) < 0) bench_die("pottery_client_open");
    if (pottery_dict_open(&one, t.client, "bench:dict", NULL) < 0) bench_die("open");
    one_owner = owner_of("bench:dict");
    for (int i = 0; i < KEYS; i++) {
        snprintf(spread_keys[i], sizeof spread_keys[i], "bench:dict:%d", i);
        if (pottery_dict_open(&spread[i], t.client, spread_keys[i], NULL) < 0) bench_die("open");
        spread_owner[i] = owner_of(spread_keys[i]);
    }
    /* Warm up: every node connected, both sides' keys filled. */
    raw_set_one(&t, 0, FIELDS);
    raw_set_spread(&t, 0, FIELDS);
    pot_get_spread(&t, 0, KEYS);

    bench_header("Redis Cluster routing (3 masters): dict through the cluster client vs raw on the owning node");
    bench_compare(&t, "dict set (one key)", raw_set_one, pot_set_one, OPS, ROUNDS);
    bench_compare(&t, "dict get (one key)", raw_get_one, pot_get_one, OPS, ROUNDS);
    bench_compare(&t, "dict set (96 keys, 3 nodes)", raw_set_spread, pot_set_spread, OPS, ROUNDS);
    bench_compare(&t, "dict get (96 keys, 3 nodes)", raw_get_spread, pot_get_spread, OPS, ROUNDS);
    printf("* ratio = pottery ops/s / hiredis ops/s (median of alternating rounds); >= 0.9 is the target\n");

    pottery_dict_free(one);
    for (int i = 0; i < KEYS; i++) pottery_dict_free(spread[i]);
    pottery_client_free(t.client);
    for (int i = 0; i < nnodes; i++) redisFree(nodes[i]);
    return 0;
}
