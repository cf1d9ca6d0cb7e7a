/*
 * pottery_counter against raw hiredis doing the same work with the same bytes: HINCRBY and
 * HGET for single keys (one command per operation on both sides); for update() of many
 * keys the raw side pipelines one HINCRBY per key (the fewest commands that add to stored
 * counts without reading them first, one round trip, though not atomic), while pottery
 * runs its atomic, all-or-nothing Lua update (one round trip).
 */
#include "bench_common.h"


enum { OPS = 2000, ROUNDS = 7, FIELDS = 1000 };

static pottery_counter *counter;

static void raw_incr(bench_target *t, int from, int ops)
{
    char field[32];
    for (int i = 0; i < ops; i++) {
        /* the same bytes pottery sends: JSON("k<n>") -> "\"k<n>\"", increment "1" */
        int flen = snprintf(field, sizeof field, "\"k%d\"", (from + i) % FIELDS);
        const char *argv[] = { "HINCRBY", "bench:counter", field, "1" };
        const size_t lens[] = { 7, 13, (size_t)flen, 1 };
        redisReply *r = redisCommandArgv(t->raw, 4, argv, lens);
        if (!r || r->type != REDIS_REPLY_INTEGER) bench_die("raw HINCRBY");
        volatile long long v = r->integer;
        (void)v;
        freeReplyObject(r);
    }
}

static void pottery_incr_ops(bench_target *t, int from, int ops)
{
    char field[32];
    int64_t now;
    (void)t;
    for (int i = 0; i < ops; i++) {
        snprintf(field, sizeof field, "k%d", (from + i) % FIELDS);
        if (pottery_counter_incr(&now, counter, pottery_str(field), 1) < 0) bench_die("incr");
    }
}

static void raw_get(bench_target *t, int from, int ops)
{
    char field[32];
    for (int i = 0; i < ops; i++) {
        int flen = snprintf(field, sizeof field, "\"k%d\"", (from + i) % FIELDS);
        const char *argv[] = { "HGET", "bench:counter", field };
        const size_t lens[] = { 4, 13, (size_t)flen };
        redisReply *r = redisCommandArgv(t->raw, 3, argv, lens);
        if (!r || r->type != REDIS_REPLY_STRING) bench_die("raw HGET");
        /* the raw side also turns the reply into a number, as pottery must */
        volatile long long v = strtoll(r->str, NULL, 10);
        (void)v;
        freeReplyObject(r);
    }
}

static void pottery_get_ops(bench_target *t, int from, int ops)
{
    char field[32];
    int64_t n;
    (void)t;
    for (int i = 0; i < ops; i++) {
        snprintf(field, sizeof field, "k%d", (from + i) % FIELDS);
        if (pottery_counter_get(&n, counter, pottery_str(field)) < 0) bench_die("get");
    }
}

/* Bulk: update() with BULK distinct keys, each +1. */
enum { BULK = 10000, SMALL = 1000 };
static char bulk_fields[BULK][16], bulk_json_fields[BULK][20];
static pottery_counter_pair bulk_pairs[BULK];
static pottery_counter *bulk;

static void prepare_bulk(void)
{
    for (int i = 0; i < BULK; i++) {
        snprintf(bulk_fields[i], sizeof bulk_fields[i], "f%d", i);
        snprintf(bulk_json_fields[i], sizeof bulk_json_fields[i], "\"f%d\"", i);
        bulk_pairs[i].key = pottery_str(bulk_fields[i]);
        bulk_pairs[i].count = 1;
    }
}

/* n HINCRBYs pipelined: all sent, then all replies read (one round trip). */
static void raw_pipelined(bench_target *t, int n)
{
    for (int i = 0; i < n; i++) {
        const char *argv[] = { "HINCRBY", "bench:bulk", bulk_json_fields[i], "1" };
        const size_t lens[] = { 7, 10, strlen(bulk_json_fields[i]), 1 };
        if (redisAppendCommandArgv(t->raw, 4, argv, lens) != REDIS_OK) bench_die("raw append");
    }
    for (int i = 0; i < n; i++) {
        void *r = NULL;
        if (redisGetReply(t->raw, &r) != REDIS_OK || !r) bench_die("raw HINCRBY pipeline");
        freeReplyObject(r);
    }
}

static void raw_update_bulk(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) raw_pipelined(t, BULK);
}

static void pottery_update_bulk(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++)
        if (pottery_counter_update(bulk, bulk_pairs, BULK) < 0) bench_die("update");
}

static void raw_update_small(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) raw_pipelined(t, SMALL);
}

static void pottery_update_small(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++)
        if (pottery_counter_update(bulk, bulk_pairs, SMALL) < 0) bench_die("update");
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    if (pottery_counter_open(&counter, t.client, "bench:counter", NULL) < 0) bench_die("open");
    if (pottery_counter_open(&bulk, t.client, "bench:bulk", NULL) < 0) bench_die("open");
    pottery_counter_clear(counter);
    pottery_counter_clear(bulk);
    prepare_bulk();

    bench_header("pottery_counter vs raw hiredis (same bytes; bulk: atomic Lua vs pipelined HINCRBYs)");
    bench_compare(&t, "incr  (HINCRBY)", raw_incr, pottery_incr_ops, OPS, ROUNDS);
    bench_compare(&t, "get   (HGET)", raw_get, pottery_get_ops, OPS, ROUNDS);
    bench_compare(&t, "update 1k keys", raw_update_small, pottery_update_small, 20, ROUNDS);
    bench_compare(&t, "update 10k keys", raw_update_bulk, pottery_update_bulk, 5, ROUNDS);

    pottery_counter_clear(counter);
    pottery_counter_clear(bulk);
    pottery_counter_free(counter);
    pottery_counter_free(bulk);
    bench_close(&t);
    return 0;
}
