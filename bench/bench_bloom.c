/*
 * pottery_bloom against raw hiredis doing the same effect in the fewest commands: the same
 * SETBIT / GETBIT on the same bit offsets (precomputed for the raw side, pottery's
 * MurmurHash3 ones), pipelined in one round trip. libpottery hashes the elements itself
 * and sends one script that checks the filter's record and sets or reads the bits.
 */
#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 7, BATCH = 10000, BATCH_OPS = 8, BATCH_ROUNDS = 3, NAMES = 4096 };

static const char key[] = "bench:bloom", raw_key[] = "bench:bloom:raw";
static pottery_bloom *bf;
static int k;
static char names[NAMES][16];
static char (*name_offsets)[8][12]; /* NAMES x k offsets as text (k = 7) */
static pottery_value *batch;        /* BATCH elements */
static char (*batch_offsets)[12];   /* their distinct offsets as text */
static size_t batch_distinct;

static int compare_offsets(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void prepare(void)
{
    k = pottery_bloom_num_hashes(bf);
    if (k > 8) bench_die("k");
    name_offsets = malloc(sizeof *name_offsets * NAMES);
    for (int i = 0; i < NAMES; i++) {
        int64_t off[8];
        snprintf(names[i], sizeof names[i], "n%d", i);
        if (pottery_bloom_offsets(off, bf, pottery_str(names[i])) < 0) bench_die("offsets");
        for (int j = 0; j < k; j++) snprintf(name_offsets[i][j], sizeof name_offsets[i][j], "%lld", (long long)off[j]);
    }
    static char texts[BATCH][16];
    batch = malloc(sizeof *batch * BATCH);
    int64_t *all = malloc(sizeof *all * BATCH * (size_t)k);
    for (int i = 0; i < BATCH; i++) {
        snprintf(texts[i], sizeof texts[i], "u%d", i);
        batch[i] = pottery_str(texts[i]);
        if (pottery_bloom_offsets(all + (size_t)i * k, bf, batch[i]) < 0) bench_die("offsets");
    }
    qsort(all, (size_t)BATCH * k, sizeof *all, compare_offsets);
    batch_offsets = malloc(sizeof *batch_offsets * BATCH * (size_t)k);
    for (size_t i = 0; i < (size_t)BATCH * k; i++)
        if (i == 0 || all[i] != all[i - 1])
            snprintf(batch_offsets[batch_distinct++], sizeof batch_offsets[0], "%lld", (long long)all[i]);
    free(all);
}

/* Raw hiredis: "<verb> key offset [1]" for each offset, pipelined; replies read (GETBIT: all
 * of them 1 or not, as contains answers). */
static int raw_bits(redisContext *c, const char *verb, const char *const *offsets, size_t n)
{
    const char *argv[4] = { verb, raw_key, NULL, "1" };
    size_t lens[4] = { strlen(verb), strlen(raw_key), 0, 1 };
    int set = verb[0] == 'S';
    for (size_t i = 0; i < n; i++) {
        argv[2] = offsets[i];
        lens[2] = strlen(offsets[i]);
        redisAppendCommandArgv(c, set ? 4 : 3, argv, lens);
    }
    int all = 1;
    for (size_t i = 0; i < n; i++) {
        void *reply = NULL;
        if (redisGetReply(c, &reply) != REDIS_OK || !reply || ((redisReply *)reply)->type != REDIS_REPLY_INTEGER)
            bench_die("raw");
        all &= ((redisReply *)reply)->integer == 1;
        freeReplyObject(reply);
    }
    return all;
}

static void raw_name(bench_target *t, const char *verb, int i)
{
    const char *offsets[8];
    for (int j = 0; j < k; j++) offsets[j] = name_offsets[i % NAMES][j];
    volatile int all = raw_bits(t->raw, verb, offsets, (size_t)k);
    (void)all;
}

static void raw_add(bench_target *t, int from, int ops)
{
    for (int i = 0; i < ops; i++) raw_name(t, "SETBIT", from + i);
}

static void raw_contains(bench_target *t, int from, int ops)
{
    for (int i = 0; i < ops; i++) raw_name(t, "GETBIT", from + i);
}

static void raw_update(bench_target *t, int from, int ops)
{
    (void)from;
    const char **offsets = malloc(sizeof *offsets * batch_distinct);
    for (size_t i = 0; i < batch_distinct; i++) offsets[i] = batch_offsets[i];
    for (int i = 0; i < ops; i++) raw_bits(t->raw, "SETBIT", offsets, batch_distinct);
    free(offsets);
}

static void pottery_add(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_bloom_add(bf, pottery_str(names[(from + i) % NAMES])) < 0) bench_die("add");
}

static void pottery_contains(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++) {
        volatile int seen = 0;
        int answer = 0;
        if (pottery_bloom_contains(&answer, bf, pottery_str(names[(from + i) % NAMES])) < 0) bench_die("contains");
        seen = answer;
        (void)seen;
    }
}

static void pottery_update(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++)
        if (pottery_bloom_update(bf, batch, BATCH) < 0) bench_die("update");
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    bench_raw_del(t.raw, key, "{bench:bloom}:bloom", raw_key, NULL);
    if (pottery_bloom_open(&bf, t.client, key, 10000, 0.01, NULL) < 0) bench_die("open");
    prepare();

    bench_header("pottery_bloom (n=10000, p=0.01: m=95851, k=7) vs raw hiredis (same bits, pipelined)");
    bench_compare(&t, "add (7 SETBIT)", raw_add, pottery_add, OPS, ROUNDS);
    bench_compare(&t, "contains (7 GETBIT)", raw_contains, pottery_contains, OPS, ROUNDS);
    bench_compare(&t, "update of 10,000 (SETBITs)", raw_update, pottery_update, BATCH_OPS, BATCH_ROUNDS);

    bench_raw_del(t.raw, key, "{bench:bloom}:bloom", raw_key, NULL);
    pottery_bloom_free(bf);
    free(name_offsets);
    free(batch);
    free(batch_offsets);
    bench_close(&t);
    return 0;
}
