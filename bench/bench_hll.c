/*
 * pottery_hll against raw hiredis doing the same effect in the fewest commands, with the
 * same bytes (JSON-encoded elements): PFADD, a 10,000-element PFADD, and membership by copy
 * and probe, where raw hiredis pipelines COPY, PFADD and DEL of the scratch key (one round
 * trip, like libpottery's script).
 */
#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 7, ELEMENTS = 1000, MANY = 100, BULK = 10000 };

static pottery_hll *hll;

static void raw_add(bench_target *t, int from, int ops)
{
    char element[32];
    for (int i = 0; i < ops; i++) {
        /* the same bytes pottery writes: JSON("e<n>") -> "\"e<n>\"" */
        size_t len = bench_json_name(element, sizeof element, 'e', (from + i) % ELEMENTS);
        const char *argv[] = { "PFADD", "bench:hll", element };
        const size_t lens[] = { 5, 9, len };
        bench_raw_number(t->raw, REDIS_REPLY_INTEGER, 3, argv, lens, "raw PFADD");
    }
}

static void pottery_add_ops(bench_target *t, int from, int ops)
{
    char element[32];
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_hll_add(hll, bench_name(element, sizeof element, 'e', (from + i) % ELEMENTS)) < 0) bench_die("add");
}

/* Raw copy and probe of n elements: COPY before the first and after each change, PFADD
 * each, DEL at the end, all pipelined; answers read as pottery must. */
static void raw_probe(bench_target *t, int n, const char *const *elements, const size_t *lens)
{
    static const char *copy_argv[] = { "COPY", "bench:hll", "bench:probe", "REPLACE" };
    static const size_t copy_lens[] = { 4, 9, 11, 7 };
    static const char *del_argv[] = { "DEL", "bench:probe" };
    static const size_t del_lens[] = { 3, 11 };
    /* The raw side cannot know which probe changes the copy before reading the replies:
     * it copies before every element, the fewest commands in one round trip. */
    int sent = 0;
    for (int i = 0; i < n; i++) {
        const char *argv[] = { "PFADD", "bench:probe", elements[i] };
        const size_t plens[] = { 5, 11, lens[i] };
        redisAppendCommandArgv(t->raw, 4, copy_argv, copy_lens);
        redisAppendCommandArgv(t->raw, 3, argv, plens);
        sent += 2;
    }
    redisAppendCommandArgv(t->raw, 2, del_argv, del_lens);
    sent++;
    int answers[MANY];
    for (int i = 0; i < sent; i++) {
        void *reply = NULL;
        if (redisGetReply(t->raw, &reply) != REDIS_OK || !reply) bench_die("raw probe");
        redisReply *r = reply;
        if (r->type == REDIS_REPLY_ERROR) bench_die("raw probe");
        if (i % 2 == 1 && i < 2 * n) answers[(i / 2) % MANY] = r->integer == 0;
        freeReplyObject(reply);
    }
    volatile int sink = answers[0];
    (void)sink;
}

static void raw_contains(bench_target *t, int from, int ops)
{
    char element[32];
    for (int i = 0; i < ops; i++) {
        size_t len = bench_json_name(element, sizeof element, 'e', (from + i) % (2 * ELEMENTS));
        const char *elements[] = { element };
        raw_probe(t, 1, elements, &len);
    }
}

static void pottery_contains_ops(bench_target *t, int from, int ops)
{
    char element[32];
    int found;
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_hll_contains(&found, hll, bench_name(element, sizeof element, 'e', (from + i) % (2 * ELEMENTS))) <
            0)
            bench_die("contains");
}

/* contains_many of 100 elements, about half of them added. */
static char many_plain[MANY][16], many_json[MANY][20];
static pottery_value many_values[MANY];
static const char *many_elements[MANY];
static size_t many_lens[MANY];

static void prepare_many(void)
{
    for (int i = 0; i < MANY; i++) {
        int n = i * 19; /* 0..1881: about half of them were added */
        many_values[i] = bench_name(many_plain[i], sizeof many_plain[i], 'e', n);
        many_elements[i] = many_json[i];
        many_lens[i] = bench_json_name(many_json[i], sizeof many_json[i], 'e', n);
    }
}

static void raw_contains_many(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) raw_probe(t, MANY, many_elements, many_lens);
}

static void pottery_contains_many_ops(bench_target *t, int from, int ops)
{
    int answers[MANY];
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++)
        if (pottery_hll_contains_many(answers, hll, many_values, MANY) < 0) bench_die("contains_many");
}

/* Bulk: 10,000 elements per update. Raw side: one PFADD with the same pre-encoded elements. */
static bench_bulk bulk_data;
static pottery_hll *bulk;

static void raw_update(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) bench_raw(t->raw, 2 + BULK, bulk_data.argv, bulk_data.lens);
}

static void pottery_update_ops(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++)
        if (pottery_hll_update(bulk, bulk_data.values, BULK) < 0) bench_die("update");
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    if (pottery_hll_open(&hll, t.client, "bench:hll", NULL, 0) < 0) bench_die("open");
    if (pottery_hll_open(&bulk, t.client, "bench:bulk", NULL, 0) < 0) bench_die("open");
    pottery_hll_clear(hll);
    pottery_hll_clear(bulk);
    prepare_many();
    bench_bulk_init(&bulk_data, "PFADD", "bench:bulk", BULK);

    bench_header("pottery_hll vs raw hiredis (same effect, fewest commands, same bytes)");
    bench_compare(&t, "add   (PFADD)", raw_add, pottery_add_ops, OPS, ROUNDS);
    bench_compare(&t, "update 10k elements (PFADD)", raw_update, pottery_update_ops, 5, ROUNDS);
    bench_compare(&t, "contains (copy and probe)", raw_contains, pottery_contains_ops, OPS, ROUNDS);
    bench_compare(&t, "contains_many 100", raw_contains_many, pottery_contains_many_ops, OPS / 20, ROUNDS);

    pottery_hll_clear(hll);
    pottery_hll_clear(bulk);
    pottery_hll_free(hll);
    pottery_hll_free(bulk);
    bench_bulk_free(&bulk_data);
    bench_close(&t);
    return 0;
}
