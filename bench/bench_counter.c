/*
 * pottery_counter against raw hiredis doing the same work with the same bytes: HINCRBY and
 * HGET for single keys (one command per operation on both sides); for update() of many
 * keys, which is atomic, the raw side sends one HINCRBY per key inside MULTI/EXEC (the
 * fewest commands that add to stored counts atomically, one round trip; unlike pottery's
 * Lua update it is not all-or-nothing when one count cannot be added).
 */
#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 7, FIELDS = 1000 };

static pottery_counter *counter;

static void raw_incr(bench_target *t, int from, int ops)
{
    char field[32];
    for (int i = 0; i < ops; i++) {
        /* the same bytes pottery sends: JSON("k<n>") -> "\"k<n>\"", increment "1" */
        size_t flen = bench_json_name(field, sizeof field, 'k', (from + i) % FIELDS);
        const char *argv[] = { "HINCRBY", "bench:counter", field, "1" };
        const size_t lens[] = { 7, 13, flen, 1 };
        bench_raw_number(t->raw, REDIS_REPLY_INTEGER, 4, argv, lens, "raw HINCRBY");
    }
}

static void pottery_incr_ops(bench_target *t, int from, int ops)
{
    char field[32];
    int64_t now;
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_counter_incr(&now, counter, bench_name(field, sizeof field, 'k', (from + i) % FIELDS), 1) < 0)
            bench_die("incr");
}

static void raw_get(bench_target *t, int from, int ops)
{
    char field[32];
    for (int i = 0; i < ops; i++) {
        size_t flen = bench_json_name(field, sizeof field, 'k', (from + i) % FIELDS);
        const char *argv[] = { "HGET", "bench:counter", field };
        const size_t lens[] = { 4, 13, flen };
        bench_raw_number(t->raw, REDIS_REPLY_STRING, 3, argv, lens, "raw HGET");
    }
}

static void pottery_get_ops(bench_target *t, int from, int ops)
{
    char field[32];
    int64_t n;
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_counter_get(&n, counter, bench_name(field, sizeof field, 'k', (from + i) % FIELDS)) < 0)
            bench_die("get");
}

/* Bulk: update() with BULK distinct keys, each +1. */
enum { BULK = 10000, SMALL = 1000 };
static char bulk_fields[BULK][16], bulk_json_fields[BULK][20];
static pottery_counter_pair bulk_pairs[BULK];
static pottery_counter *bulk;

static void prepare_bulk(void)
{
    for (int i = 0; i < BULK; i++) {
        bench_json_name(bulk_json_fields[i], sizeof bulk_json_fields[i], 'f', i);
        bulk_pairs[i].key = bench_name(bulk_fields[i], sizeof bulk_fields[i], 'f', i);
        bulk_pairs[i].count = 1;
    }
}

/* MULTI, n HINCRBYs, EXEC pipelined: all sent, then all replies read (one round trip). */
static void raw_pipelined(bench_target *t, int n)
{
    if (redisAppendCommand(t->raw, "MULTI") != REDIS_OK) bench_die("raw append");
    for (int i = 0; i < n; i++) {
        const char *argv[] = { "HINCRBY", "bench:bulk", bulk_json_fields[i], "1" };
        const size_t lens[] = { 7, 10, strlen(bulk_json_fields[i]), 1 };
        if (redisAppendCommandArgv(t->raw, 4, argv, lens) != REDIS_OK) bench_die("raw append");
    }
    if (redisAppendCommand(t->raw, "EXEC") != REDIS_OK) bench_die("raw append");
    bench_raw_replies(t->raw, n + 2, "raw MULTI/HINCRBY/EXEC");
}

/* ops updates of the first n bulk keys, each +1: atomic Lua on pottery's side. */
static void pottery_updates(int n, int ops)
{
    for (int k = 0; k < ops; k++)
        if (pottery_counter_update(bulk, bulk_pairs, (size_t)n) < 0) bench_die("update");
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
    pottery_updates(BULK, ops);
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
    pottery_updates(SMALL, ops);
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

    bench_header("pottery_counter vs raw hiredis (same bytes; bulk: Lua vs HINCRBYs in MULTI/EXEC)");
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
