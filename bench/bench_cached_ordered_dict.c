/*
 * pottery_cached_ordered_dict against raw hiredis doing the same effect in the fewest
 * commands: a warm open of 100 keys (every one a hit) reads them all and slides the cache's
 * expiry. Raw side: HMGET of the 100 fields and PEXPIRE, pipelined. libpottery: HMGET and
 * the script that slides the expiry only on a hash, pipelined, then the values decoded into
 * the ordered dict.
 */
#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 7, KEYS = 100 };

#define CACHE "bench:cod"

static pottery_value ids[KEYS];
static char fields[KEYS][16];
static const char *hmget_argv[2 + KEYS];
static size_t hmget_lens[2 + KEYS];

static void prepare(bench_target *t)
{
    hmget_argv[0] = "HMGET";
    hmget_lens[0] = 5;
    hmget_argv[1] = CACHE;
    hmget_lens[1] = strlen(CACHE);
    pottery_pair items[KEYS];
    char values[KEYS][32];
    for (int i = 0; i < KEYS; i++) {
        ids[i] = pottery_int(1000 + i);
        hmget_argv[2 + i] = fields[i];
        hmget_lens[2 + i] = (size_t)snprintf(fields[i], sizeof fields[i], "%d", 1000 + i); /* JSON(1000 + i) */
        snprintf(values[i], sizeof values[i], "document %d", 1000 + i);
        items[i] = (pottery_pair){ ids[i], pottery_str(values[i]) };
    }
    pottery_cached_ordered_dict *d;
    if (pottery_cached_ordered_dict_open(&d, t->client, CACHE, NULL, 0, NULL) < 0) bench_die("open");
    if (pottery_cached_ordered_dict_update(d, items, KEYS) < 0) bench_die("update");
    pottery_cached_ordered_dict_free(d);
}

static void raw_open(bench_target *t, int from, int ops)
{
    (void)from;
    static const char *expire_argv[] = { "PEXPIRE", CACHE, "60000" };
    static const size_t expire_lens[] = { 7, sizeof CACHE - 1, 5 };
    for (int i = 0; i < ops; i++) {
        redisAppendCommandArgv(t->raw, 2 + KEYS, hmget_argv, hmget_lens);
        redisAppendCommandArgv(t->raw, 3, expire_argv, expire_lens);
        bench_raw_replies(t->raw, 2, "raw HMGET + PEXPIRE");
    }
}

static void pottery_open_ops(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++) {
        pottery_cached_ordered_dict *d;
        if (pottery_cached_ordered_dict_open(&d, t->client, CACHE, ids, KEYS, NULL) < 0) bench_die("open");
        pottery_cached_ordered_dict_free(d);
    }
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    prepare(&t);

    bench_header("pottery_cached_ordered_dict vs raw hiredis (same effect, fewest commands)");
    bench_compare(&t, "open 100 hits (HMGET+expiry)", raw_open, pottery_open_ops, OPS, ROUNDS);

    bench_raw_del(t.raw, CACHE, NULL);
    bench_close(&t);
    return 0;
}
