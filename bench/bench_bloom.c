/*
 * pottery_bloom against raw hiredis doing the same effect in the fewest commands: one
 * BITFIELD setting, or one BITFIELD_RO reading, the same bit offsets (precomputed for the
 * raw side, pottery's MurmurHash3 ones). libpottery hashes the elements itself; an add is
 * one script that checks the filter's record and sets the bits, a lookup the record's GET
 * and a BITFIELD_RO pipelined, an update of many elements one script carrying an image of
 * the bits. For that update the raw side ORs the same image in: MULTI, SET of a scratch key,
 * BITOP OR, DEL, EXEC (one round trip, atomic; far less to send and parse than one BITFIELD
 * naming every bit). Which bits 10,000 elements set is the bulk of the work, so there the
 * raw side also hashes them (pottery_bloom_offsets, the filter's own hashing) and builds
 * the image inside the timed loop, as any client would have to.
 */
#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 7, BATCH = 10000, BATCH_OPS = 8, BATCH_ROUNDS = 3, NAMES = 4096 };

static const char key[] = "bench:bloom", raw_key[] = "bench:bloom:raw";
static pottery_bloom *bf;
static int k;
static char names[NAMES][16];
static char (*name_offsets)[8][12]; /* NAMES x k offsets as text (k = 7) */
static pottery_value *batch;        /* BATCH elements */
static unsigned char *batch_image;  /* their bits as an image (Redis' bit order) */
static size_t batch_image_len;
static int64_t *batch_all; /* room for their offsets */

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
    batch_image_len = (size_t)(all[(size_t)BATCH * k - 1] / 8) + 1;
    batch_image = calloc(batch_image_len, 1);
    if (!batch_image) bench_die("image");
    batch_all = all;
}

/* The batch's bits as an image, hashed anew (what a client adding them must compute). */
static void raw_image(void)
{
    for (int i = 0; i < BATCH; i++)
        if (pottery_bloom_offsets(batch_all + (size_t)i * k, bf, batch[i]) < 0) bench_die("offsets");
    memset(batch_image, 0, batch_image_len);
    for (size_t i = 0; i < (size_t)BATCH * k; i++)
        batch_image[batch_all[i] / 8] |= (unsigned char)(0x80u >> (batch_all[i] % 8));
}

/* Raw hiredis in the fewest commands: one BITFIELD (SET u1 <offset> 1 for each offset) or
 * one BITFIELD_RO (GET u1 <offset> for each), its reply read (reads: all of the bits 1 or
 * not, as contains answers). */
static int raw_bits(redisContext *c, const char *verb, const char *const *offsets, size_t n)
{
    int set = strcmp(verb, "BITFIELD") == 0;
    size_t per = set ? 4 : 3, argc = 2 + n * per;
    const char **argv = malloc(sizeof *argv * argc);
    size_t *lens = malloc(sizeof *lens * argc);
    if (!argv || !lens) bench_die("raw");
    argv[0] = verb;
    argv[1] = raw_key;
    for (size_t i = 0, a = 2; i < n; i++) {
        argv[a++] = set ? "SET" : "GET";
        argv[a++] = "u1";
        argv[a++] = offsets[i];
        if (set) argv[a++] = "1";
    }
    for (size_t i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    redisReply *reply = redisCommandArgv(c, (int)argc, argv, lens);
    free(argv);
    free(lens);
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != n) bench_die("raw");
    int all = 1;
    for (size_t i = 0; i < n; i++) all &= reply->element[i]->integer == (set ? 0 : 1) || set;
    freeReplyObject(reply);
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
    for (int i = 0; i < ops; i++) raw_name(t, "BITFIELD", from + i);
}

static void raw_contains(bench_target *t, int from, int ops)
{
    for (int i = 0; i < ops; i++) raw_name(t, "BITFIELD_RO", from + i);
}

/* The batch's image ORed into the raw bitmap through a scratch key, atomically. */
static void raw_update(bench_target *t, int from, int ops)
{
    (void)from;
    static const char scratch[] = "bench:bloom:raw:image";
    for (int i = 0; i < ops; i++) {
        raw_image();
        const char *set[] = { "SET", scratch, (const char *)batch_image };
        const size_t set_lens[] = { 3, sizeof scratch - 1, batch_image_len };
        const char *bitop[] = { "BITOP", "OR", raw_key, raw_key, scratch };
        const size_t bitop_lens[] = { 5, 2, sizeof raw_key - 1, sizeof raw_key - 1, sizeof scratch - 1 };
        const char *del[] = { "DEL", scratch };
        const size_t del_lens[] = { 3, sizeof scratch - 1 };
        if (redisAppendCommand(t->raw, "MULTI") != REDIS_OK ||
            redisAppendCommandArgv(t->raw, 3, set, set_lens) != REDIS_OK ||
            redisAppendCommandArgv(t->raw, 5, bitop, bitop_lens) != REDIS_OK ||
            redisAppendCommandArgv(t->raw, 2, del, del_lens) != REDIS_OK ||
            redisAppendCommand(t->raw, "EXEC") != REDIS_OK)
            bench_die("raw append");
        bench_raw_replies(t->raw, 5, "raw MULTI/SET/BITOP/DEL/EXEC");
    }
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
    bench_compare(&t, "add (vs 1 BITFIELD)", raw_add, pottery_add, OPS, ROUNDS);
    bench_compare(&t, "contains (vs 1 BITFIELD_RO)", raw_contains, pottery_contains, OPS, ROUNDS);
    bench_compare(&t, "update of 10,000 (vs BITOP OR)", raw_update, pottery_update, BATCH_OPS, BATCH_ROUNDS);

    bench_raw_del(t.raw, key, "{bench:bloom}:bloom", raw_key, NULL);
    pottery_bloom_free(bf);
    free(name_offsets);
    free(batch);
    free(batch_image);
    free(batch_all);
    bench_close(&t);
    return 0;
}
