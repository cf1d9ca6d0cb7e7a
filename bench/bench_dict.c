/*
 * pottery_dict against raw hiredis doing the same work: the same HSET/HGET with the same
 * bytes (JSON-encoded field and value), one command per operation on both sides; an
 * update of 10,000 pairs against one HSET, and iterating them against an HSCAN loop.
 */
#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 7, FIELDS = 1000 };

static pottery_dict *dict;

static void raw_set(bench_target *t, int from, int ops)
{
    char field[32], value[32];
    for (int i = 0; i < ops; i++) {
        int n = (from + i) % FIELDS;
        /* the same bytes pottery writes: JSON("k<n>") -> "\"k<n>\"", JSON(n) -> "<n>" */
        size_t flen = bench_json_name(field, sizeof field, 'k', n);
        int vlen = snprintf(value, sizeof value, "%d", from + i);
        const char *argv[] = { "HSET", "bench:dict", field, value };
        const size_t lens[] = { 4, 10, flen, (size_t)vlen };
        bench_raw(t->raw, 4, argv, lens);
    }
}

static void pottery_set_ops(bench_target *t, int from, int ops)
{
    char field[32];
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_dict_set(dict, bench_name(field, sizeof field, 'k', (from + i) % FIELDS), pottery_int(from + i)) <
            0)
            bench_die("set");
}

static void raw_get(bench_target *t, int from, int ops)
{
    char field[32];
    for (int i = 0; i < ops; i++) {
        size_t flen = bench_json_name(field, sizeof field, 'k', (from + i) % FIELDS);
        const char *argv[] = { "HGET", "bench:dict", field };
        const size_t lens[] = { 4, 10, flen };
        bench_raw_number(t->raw, REDIS_REPLY_STRING, 3, argv, lens, "raw HGET");
    }
}

static void pottery_get_ops(bench_target *t, int from, int ops)
{
    char field[32];
    pottery_value v = POTTERY_VALUE_INIT;
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_dict_get(&v, dict, bench_name(field, sizeof field, 'k', (from + i) % FIELDS)) < 0) bench_die("get");
    pottery_value_dispose(&v);
}

static void raw_contains(bench_target *t, int from, int ops)
{
    char field[32];
    for (int i = 0; i < ops; i++) {
        size_t flen = bench_json_name(field, sizeof field, 'k', (from + i) % FIELDS);
        const char *argv[] = { "HEXISTS", "bench:dict", field };
        const size_t lens[] = { 7, 10, flen };
        bench_raw(t->raw, 3, argv, lens);
    }
}

static void pottery_contains_ops(bench_target *t, int from, int ops)
{
    char field[32];
    int found;
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_dict_contains(&found, dict, bench_name(field, sizeof field, 'k', (from + i) % FIELDS)) < 0)
            bench_die("contains");
}

/* Bulk: 10,000 pairs per update. Raw side: one HSET with the same pre-encoded pairs. */
enum { BULK = 10000 };
static char bulk_fields[BULK][16], bulk_json_fields[BULK][20], bulk_values[BULK][16];
static pottery_pair bulk_pairs[BULK];
static const char *bulk_argv[2 + 2 * BULK];
static size_t bulk_lens[2 + 2 * BULK];

static void prepare_bulk(void)
{
    bulk_argv[0] = "HSET";
    bulk_lens[0] = 4;
    bulk_argv[1] = "bench:bulk";
    bulk_lens[1] = 10;
    for (int i = 0; i < BULK; i++) {
        bulk_pairs[i].key = bench_name(bulk_fields[i], sizeof bulk_fields[i], 'f', i);
        bulk_pairs[i].value = pottery_int(i);
        bulk_argv[2 + 2 * i] = bulk_json_fields[i];
        bulk_lens[2 + 2 * i] = bench_json_name(bulk_json_fields[i], sizeof bulk_json_fields[i], 'f', i);
        bulk_argv[3 + 2 * i] = bulk_values[i];
        bulk_lens[3 + 2 * i] = (size_t)snprintf(bulk_values[i], sizeof bulk_values[i], "%d", i);
    }
}

static void raw_update(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) bench_raw(t->raw, 2 + 2 * BULK, bulk_argv, bulk_lens);
}

static pottery_dict *bulk;

static void pottery_update_ops(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++)
        if (pottery_dict_update(bulk, bulk_pairs, BULK) < 0) bench_die("update");
}

/* Iteration over the 10,000 pairs: raw side HSCAN with COUNT 1000 until the cursor comes
 * back to 0, each value read as a number (as pottery decodes what it reads). */
static void raw_iterate(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) {
        long long seen = bench_raw_scan(t->raw, "HSCAN", "bench:bulk", 1, 2);
        if (seen < BULK) bench_die("raw HSCAN: pairs missing");
    }
}

static void pottery_iterate(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++) {
        pottery_dict_iter *it;
        pottery_value key = POTTERY_VALUE_INIT, value = POTTERY_VALUE_INIT;
        if (pottery_dict_iter_new(&it, bulk) < 0) bench_die("iter_new");
        long long seen = 0;
        int rc;
        while ((rc = pottery_dict_iter_next(&key, &value, it)) == 0) seen++;
        if (rc != POTTERY_EITEROVER || seen < BULK) bench_die("iter_next");
        pottery_dict_iter_free(it);
        pottery_value_dispose(&key);
        pottery_value_dispose(&value);
    }
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    if (pottery_dict_open(&dict, t.client, "bench:dict", NULL) < 0) bench_die("open");
    if (pottery_dict_open(&bulk, t.client, "bench:bulk", NULL) < 0) bench_die("open");
    prepare_bulk();

    bench_header("pottery_dict vs raw hiredis (same commands, same bytes)");
    bench_compare(&t, "set   (HSET)", raw_set, pottery_set_ops, OPS, ROUNDS);
    bench_compare(&t, "get   (HGET)", raw_get, pottery_get_ops, OPS, ROUNDS);
    bench_compare(&t, "contains (HEXISTS)", raw_contains, pottery_contains_ops, OPS, ROUNDS);
    bench_compare(&t, "update 10k pairs (HSET)", raw_update, pottery_update_ops, 5, ROUNDS);
    bench_compare(&t, "iterate 10k items (HSCAN)", raw_iterate, pottery_iterate, 5, ROUNDS);

    pottery_dict_clear(dict);
    pottery_dict_clear(bulk);
    pottery_dict_free(dict);
    pottery_dict_free(bulk);
    bench_close(&t);
    return 0;
}
