/*
 * pottery_list against raw hiredis doing the same work: the same RPUSH/LINDEX/RPOP with the
 * same bytes (JSON-encoded elements), one command per operation on both sides; extend of
 * 10,000 elements as one RPUSH on both sides; a slice of 1,000 elements against one LRANGE.
 *
 * A last section shows that iteration keeps memory bounded: it fills a list with 10,000 and
 * then 1,000,000 elements, iterates each, and prints the peak RSS growth during iteration.
 */
#include <inttypes.h>

#include "bench_common.h"

#include <pottery/list.h>

enum { OPS = 2000, ROUNDS = 7, ELEMENTS = 1000 };

static pottery_list *list, *popped;

static void raw_append(bench_target *t, int from, int ops)
{
    char value[32];
    for (int i = 0; i < ops; i++) {
        int vlen = snprintf(value, sizeof value, "%d", from + i); /* JSON(n) is "<n>" */
        const char *argv[] = { "RPUSH", "bench:rawlist", value };
        const size_t lens[] = { 5, 13, (size_t)vlen };
        bench_raw(t->raw, 3, argv, lens);
    }
}

static void pottery_append_ops(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_list_append(list, pottery_int(from + i)) < 0) bench_die("append");
}

static void raw_get(bench_target *t, int from, int ops)
{
    char index[32];
    for (int i = 0; i < ops; i++) {
        int ilen = snprintf(index, sizeof index, "%d", (from + i) % ELEMENTS);
        const char *argv[] = { "LINDEX", "bench:list", index };
        const size_t lens[] = { 6, 10, (size_t)ilen };
        bench_raw_number(t->raw, REDIS_REPLY_STRING, 3, argv, lens, "raw LINDEX");
    }
}

static void pottery_get_ops(bench_target *t, int from, int ops)
{
    pottery_value v = POTTERY_VALUE_INIT;
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_list_get(&v, list, (from + i) % ELEMENTS) < 0) bench_die("get");
    pottery_value_dispose(&v);
}

static void raw_pop(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++) {
        const char *argv[] = { "RPOP", "bench:rawpop" };
        const size_t lens[] = { 4, 12 };
        bench_raw_number(t->raw, REDIS_REPLY_STRING, 2, argv, lens, "raw RPOP");
    }
}

static void pottery_pop_ops(bench_target *t, int from, int ops)
{
    pottery_value v = POTTERY_VALUE_INIT;
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++)
        if (pottery_list_pop(&v, popped) < 0) bench_die("pop");
    pottery_value_dispose(&v);
}

/* Bulk: 10,000 elements per extend. Raw side: one RPUSH with the same pre-encoded values. */
enum { BULK = 10000 };
static bench_bulk bulk_data;
static pottery_list *bulk;

static void raw_extend(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) bench_raw(t->raw, 2 + BULK, bulk_data.argv, bulk_data.lens);
}

static void pottery_extend_ops(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++)
        if (pottery_list_extend(bulk, bulk_data.values, BULK) < 0) bench_die("extend");
}

/* A slice of 1,000 out of the 10,000-element list bench:slice: raw side one LRANGE (pottery
 * resolves Python's slice rules on the server, in one script), each element read as a
 * number (as pottery decodes what it reads). */
static pottery_list *sliced;

static void raw_slice(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) {
        const char *argv[] = { "LRANGE", "bench:slice", "1000", "1999" };
        const size_t lens[] = { 6, 11, 4, 4 };
        redisReply *r = redisCommandArgv(t->raw, 4, argv, lens);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 1000) bench_die("raw LRANGE");
        for (size_t i = 0; i < r->elements; i++) {
            volatile long long v = strtoll(r->element[i]->str, NULL, 10);
            (void)v;
        }
        freeReplyObject(r);
    }
}

static void pottery_slice_ops(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++) {
        pottery_value *values = NULL;
        size_t n = 0;
        if (pottery_list_get_slice_values(&values, &n, sliced, pottery_slice_of(1000, 2000, 1)) < 0 || n != 1000)
            bench_die("get_slice_values");
        pottery_list_values_free(values, n);
    }
}

/* Fill `key` (emptied first) with n raw elements, RPUSHed 10,000 at a time. */
static void fill(bench_target *t, const char *key, int n)
{
    bench_raw_del(t->raw, key, NULL);
    for (int done = 0; done < n; done += BULK)
        bench_bulk_send(t->raw, &bulk_data, key, n - done < BULK ? n - done : BULK);
}

static void iterate_and_measure(bench_target *t, pottery_list *l, int n)
{
    (void)t;
    int resettable = bench_peak_reset();
    long rss_before = resettable ? bench_status_kb("VmRSS:") : bench_peak_kb(0);
    pottery_list_iter *it;
    pottery_value v = POTTERY_VALUE_INIT;
    if (pottery_list_iter_new(&it, l) < 0) bench_die("iter_new");
    double t0 = bench_now();
    long long sum = 0, count = 0;
    int rc;
    while ((rc = pottery_list_iter_next(&v, it)) == 0) {
        sum += pottery_value_int(&v);
        count++;
    }
    double t1 = bench_now();
    if (rc != POTTERY_EITEROVER) bench_die("iter_next");
    pottery_list_iter_free(it);
    pottery_value_dispose(&v);
    long growth = bench_peak_kb(resettable) - rss_before;
    if (count != n) {
        fprintf(stderr, "bench: iterated %lld of %d elements\n", count, n);
        exit(1);
    }
    printf("%-28s %12.0f elements/s, peak RSS growth while iterating: %ld kB (%s)\n",
           n >= 1000000 ? "iterate 1,000,000" : "iterate 10,000", (double)count / (t1 - t0), growth,
           resettable ? "VmHWM" : "ru_maxrss");
    (void)sum;
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    bench_bulk_init(&bulk_data, "RPUSH", "bench:rawbulk", BULK);
    if (pottery_list_open(&list, t.client, "bench:list", NULL) < 0) bench_die("open");
    if (pottery_list_open(&popped, t.client, "bench:pop", NULL) < 0) bench_die("open");
    if (pottery_list_open(&bulk, t.client, "bench:bulk", NULL) < 0) bench_die("open");
    pottery_list_clear(list);
    pottery_list_clear(bulk);
    bench_raw_del(t.raw, "bench:rawlist", "bench:rawbulk", NULL);
    /* enough elements for every pop of every round on both sides */
    fill(&t, "bench:pop", OPS * ROUNDS);
    fill(&t, "bench:rawpop", OPS * ROUNDS);

    bench_header("pottery_list vs raw hiredis (same commands, same bytes)");
    bench_compare(&t, "append (RPUSH)", raw_append, pottery_append_ops, OPS, ROUNDS);
    bench_compare(&t, "get by index (LINDEX)", raw_get, pottery_get_ops, OPS, ROUNDS);
    bench_compare(&t, "pop (RPOP)", raw_pop, pottery_pop_ops, OPS, ROUNDS);
    bench_compare(&t, "extend 10k (RPUSH)", raw_extend, pottery_extend_ops, 5, ROUNDS);
    if (pottery_list_open(&sliced, t.client, "bench:slice", NULL) < 0) bench_die("open");
    fill(&t, "bench:slice", BULK);
    bench_compare(&t, "slice 1k of 10k (LRANGE)", raw_slice, pottery_slice_ops, 200, ROUNDS);
    pottery_list_clear(sliced);
    pottery_list_free(sliced);

    printf("\nIteration memory (LRANGE windows of 1,000; one window held at a time)\n");
    pottery_list *big;
    if (pottery_list_open(&big, t.client, "bench:iter", NULL) < 0) bench_die("open");
    fill(&t, "bench:iter", 10000);
    iterate_and_measure(&t, big, 10000);
    /* grow it to 1,000,000 through the library, 10,000 per extend (one round trip each) */
    if (pottery_list_clear(big) < 0) bench_die("clear");
    for (int done = 0; done < 1000000; done += BULK)
        if (pottery_list_extend(big, bulk_data.values, BULK) < 0) bench_die("extend");
    iterate_and_measure(&t, big, 1000000);

    pottery_list_clear(big);
    pottery_list_clear(list);
    pottery_list_clear(popped);
    pottery_list_clear(bulk);
    bench_raw_del(t.raw, "bench:rawlist", "bench:rawbulk", "bench:rawpop", NULL);
    pottery_list_free(big);
    pottery_list_free(list);
    pottery_list_free(popped);
    pottery_list_free(bulk);
    bench_bulk_free(&bulk_data);
    bench_close(&t);
    return 0;
}
