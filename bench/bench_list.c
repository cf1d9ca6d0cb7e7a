/*
 * pottery_list against raw hiredis doing the same work: the same RPUSH/LINDEX/RPOP with the
 * same bytes (JSON-encoded elements), one command per operation on both sides; extend of
 * 10,000 elements as one RPUSH on both sides.
 *
 * A last section shows that iteration keeps memory bounded: it fills a list with 10,000 and
 * then 1,000,000 elements, iterates each, and prints the peak RSS growth during iteration.
 */
#include <inttypes.h>
#include <sys/resource.h>

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
        redisReply *r = redisCommandArgv(t->raw, 3, argv, lens);
        if (!r || r->type != REDIS_REPLY_STRING) bench_die("raw LINDEX");
        /* the raw side also turns the reply into a number, as pottery must */
        volatile long long v = strtoll(r->str, NULL, 10);
        (void)v;
        freeReplyObject(r);
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
        redisReply *r = redisCommandArgv(t->raw, 2, argv, lens);
        if (!r || r->type != REDIS_REPLY_STRING) bench_die("raw RPOP");
        volatile long long v = strtoll(r->str, NULL, 10);
        (void)v;
        freeReplyObject(r);
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
static char bulk_text[BULK][16];
static pottery_value bulk_values[BULK];
static const char *bulk_argv[2 + BULK];
static size_t bulk_lens[2 + BULK];
static pottery_list *bulk;

static void prepare_bulk(void)
{
    bulk_argv[0] = "RPUSH";
    bulk_lens[0] = 5;
    bulk_argv[1] = "bench:rawbulk";
    bulk_lens[1] = 13;
    for (int i = 0; i < BULK; i++) {
        int len = snprintf(bulk_text[i], sizeof bulk_text[i], "%d", i);
        bulk_argv[2 + i] = bulk_text[i];
        bulk_lens[2 + i] = (size_t)len;
        bulk_values[i] = pottery_int(i);
    }
}

static void raw_extend(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) bench_raw(t->raw, 2 + BULK, bulk_argv, bulk_lens);
}

static void pottery_extend_ops(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++)
        if (pottery_list_extend(bulk, bulk_values, BULK) < 0) bench_die("extend");
}

/* Fill `key` (emptied first) with n raw elements, RPUSHed 10,000 at a time. */
static void fill(bench_target *t, const char *key, int n)
{
    const char *del[] = { "DEL", key };
    const size_t del_lens[] = { 3, strlen(key) };
    bench_raw(t->raw, 2, del, del_lens);
    bulk_argv[1] = key;
    bulk_lens[1] = strlen(key);
    for (int done = 0; done < n; done += BULK) {
        int count = n - done < BULK ? n - done : BULK;
        bench_raw(t->raw, 2 + count, bulk_argv, bulk_lens);
    }
    bulk_argv[1] = "bench:rawbulk";
    bulk_lens[1] = 13;
}

/* Peak resident memory (kB) since the last reset_peak(), from /proc (VmHWM), or
 * getrusage's lifetime peak where /proc cannot reset it. */
static long read_status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    size_t flen = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, flen) == 0) kb = strtol(line + flen, NULL, 10);
    fclose(f);
    return kb;
}

static int reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return 0;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok;
}

static long peak_kb(int resettable)
{
    if (resettable) return read_status_kb("VmHWM:");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void iterate_and_measure(bench_target *t, pottery_list *l, int n)
{
    (void)t;
    int resettable = reset_peak();
    long rss_before = resettable ? read_status_kb("VmRSS:") : peak_kb(0);
    pottery_list_iter *it;
    pottery_value v = POTTERY_VALUE_INIT;
    if (pottery_list_iter_new(&it, l) < 0) bench_die("iter_new");
    double t0 = bench_now();
    long long sum = 0, count = 0;
    int rc;
    while ((rc = pottery_list_iter_next(it, &v)) == 0) {
        sum += v.u.i;
        count++;
    }
    double t1 = bench_now();
    if (rc != POTTERY_EITEROVER) bench_die("iter_next");
    pottery_list_iter_free(it);
    pottery_value_dispose(&v);
    long growth = peak_kb(resettable) - rss_before;
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
    prepare_bulk();
    if (pottery_list_open(&list, t.client, "bench:list", NULL) < 0) bench_die("open");
    if (pottery_list_open(&popped, t.client, "bench:pop", NULL) < 0) bench_die("open");
    if (pottery_list_open(&bulk, t.client, "bench:bulk", NULL) < 0) bench_die("open");
    pottery_list_clear(list);
    pottery_list_clear(bulk);
    const char *del[] = { "DEL", "bench:rawlist", "bench:rawbulk" };
    const size_t del_lens[] = { 3, 13, 13 };
    bench_raw(t.raw, 3, del, del_lens);
    /* enough elements for every pop of every round on both sides */
    fill(&t, "bench:pop", OPS * ROUNDS);
    fill(&t, "bench:rawpop", OPS * ROUNDS);

    bench_header("pottery_list vs raw hiredis (same commands, same bytes)");
    bench_compare(&t, "append (RPUSH)", raw_append, pottery_append_ops, OPS, ROUNDS);
    bench_compare(&t, "get by index (LINDEX)", raw_get, pottery_get_ops, OPS, ROUNDS);
    bench_compare(&t, "pop (RPOP)", raw_pop, pottery_pop_ops, OPS, ROUNDS);
    bench_compare(&t, "extend 10k (RPUSH)", raw_extend, pottery_extend_ops, 5, ROUNDS);

    printf("\nIteration memory (LRANGE windows of 1,000; one window held at a time)\n");
    pottery_list *big;
    if (pottery_list_open(&big, t.client, "bench:iter", NULL) < 0) bench_die("open");
    fill(&t, "bench:iter", 10000);
    iterate_and_measure(&t, big, 10000);
    /* grow it to 1,000,000 through the library, 10,000 per extend (one round trip each) */
    if (pottery_list_clear(big) < 0) bench_die("clear");
    for (int done = 0; done < 1000000; done += BULK)
        if (pottery_list_extend(big, bulk_values, BULK) < 0) bench_die("extend");
    iterate_and_measure(&t, big, 1000000);

    pottery_list_clear(big);
    pottery_list_clear(list);
    pottery_list_clear(popped);
    pottery_list_clear(bulk);
    const char *del2[] = { "DEL", "bench:rawlist", "bench:rawbulk", "bench:rawpop" };
    const size_t del2_lens[] = { 3, 13, 13, 12 };
    bench_raw(t.raw, 4, del2, del2_lens);
    pottery_list_free(big);
    pottery_list_free(list);
    pottery_list_free(popped);
    pottery_list_free(bulk);
    bench_close(&t);
    return 0;
}
