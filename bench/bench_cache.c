/*
 * pottery_cache against raw hiredis doing the same effect in the fewest commands. A hit with
 * the default timeout: raw hiredis pipelines HGET and EXPIRE (pottery's commands, in one
 * round trip), libpottery runs one script (HGET, then PEXPIRE only if HGET worked). A hit
 * without a timeout: HGET on both sides. A miss: the lookup, then the store with the expiry
 * (two round trips on both sides; the function is trivial). Fields and values are the same
 * bytes: "[<n>]" and "<n>".
 */
#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 7, FIELDS = 1000 };

static const char hit_key[] = "bench:cache", plain_key[] = "bench:cache:plain";
static const char raw_miss_key[] = "bench:cache:raw-miss", miss_key[] = "bench:cache:miss";
static pottery_cache *hits, *plain, *misses;

/* f(n) = n */
static int identity(pottery_value *result, const pottery_value *args, size_t nargs, void *payload)
{
    (void)nargs;
    (void)payload;
    *result = args[0];
    return 0;
}

/* Raw hiredis: "<verb> key field [value]" and, when ttl, "EXPIRE key 60", pipelined; the
 * first reply read as a number (as libpottery decodes the value). */
static void raw_pair(redisContext *c, const char *verb, const char *key, int n, int with_value, int ttl)
{
    char field[32], value[32];
    int flen = snprintf(field, sizeof field, "[%d]", n);
    int vlen = snprintf(value, sizeof value, "%d", n);
    const char *argv[] = { verb, key, field, value };
    const size_t lens[] = { strlen(verb), strlen(key), (size_t)flen, (size_t)vlen };
    redisAppendCommandArgv(c, with_value ? 4 : 3, argv, lens);
    if (ttl) {
        const char *expire[] = { "EXPIRE", key, "60" };
        const size_t elens[] = { 6, strlen(key), 2 };
        redisAppendCommandArgv(c, 3, expire, elens);
    }
    void *reply = NULL;
    if (redisGetReply(c, &reply) != REDIS_OK || !reply || ((redisReply *)reply)->type == REDIS_REPLY_ERROR)
        bench_die("raw");
    redisReply *r = reply;
    volatile long long v = r->type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10) : r->integer;
    (void)v;
    freeReplyObject(reply);
    if (ttl) bench_raw_replies(c, 1, "raw EXPIRE");
}

static void raw_hit(bench_target *t, int from, int ops)
{
    for (int i = 0; i < ops; i++) raw_pair(t->raw, "HGET", hit_key, (from + i) % FIELDS, 0, 1);
}

static void raw_hit_plain(bench_target *t, int from, int ops)
{
    for (int i = 0; i < ops; i++) raw_pair(t->raw, "HGET", plain_key, (from + i) % FIELDS, 0, 0);
}

/* Every n is new: HGET (nil) + EXPIRE, then HSET + EXPIRE. */
static void raw_miss(bench_target *t, int from, int ops)
{
    for (int i = 0; i < ops; i++) {
        raw_pair(t->raw, "HGET", raw_miss_key, from + i, 0, 1);
        raw_pair(t->raw, "HSET", raw_miss_key, from + i, 1, 1);
    }
}

static void pottery_calls(pottery_cache *cache, int from, int ops, int modulo)
{
    pottery_value v = POTTERY_VALUE_INIT;
    for (int i = 0; i < ops; i++) {
        pottery_value n = pottery_int(modulo ? (from + i) % modulo : from + i);
        if (pottery_cache_call(&v, cache, &n, 1) < 0) bench_die("call");
    }
    pottery_value_dispose(&v);
}

static void pottery_hit(bench_target *t, int from, int ops)
{
    (void)t;
    pottery_calls(hits, from, ops, FIELDS);
}

static void pottery_hit_plain(bench_target *t, int from, int ops)
{
    (void)t;
    pottery_calls(plain, from, ops, FIELDS);
}

static void pottery_miss(bench_target *t, int from, int ops)
{
    (void)t;
    pottery_calls(misses, from, ops, 0);
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    bench_raw_del(t.raw, hit_key, plain_key, raw_miss_key, miss_key, NULL);
    pottery_cache_options opts;
    pottery_cache_options_init(&opts);
    if (pottery_cache_open(&hits, t.client, hit_key, identity, NULL, &opts) < 0) bench_die("open");
    if (pottery_cache_open(&misses, t.client, miss_key, identity, NULL, &opts) < 0) bench_die("open");
    opts.timeout_ms = 0;
    if (pottery_cache_open(&plain, t.client, plain_key, identity, NULL, &opts) < 0) bench_die("open");
    pottery_calls(hits, 0, FIELDS, FIELDS); /* warm: every field cached */
    pottery_calls(plain, 0, FIELDS, FIELDS);

    bench_header("pottery_cache vs raw hiredis (same effect, fewest commands, same bytes)");
    bench_compare(&t, "hit (HGET+EXPIRE)", raw_hit, pottery_hit, OPS, ROUNDS);
    bench_compare(&t, "hit, no timeout (HGET)", raw_hit_plain, pottery_hit_plain, OPS, ROUNDS);
    bench_compare(&t, "miss + store", raw_miss, pottery_miss, OPS, ROUNDS);

    bench_raw_del(t.raw, hit_key, plain_key, raw_miss_key, miss_key, NULL);
    pottery_cache_free(hits);
    pottery_cache_free(plain);
    pottery_cache_free(misses);
    bench_close(&t);
    return 0;
}
