/*
 * pottery_set against raw hiredis doing the same work with the same bytes (JSON-encoded
 * members): SADD, SISMEMBER, SMISMEMBER of 100, SPOP, a 10,000-member SADD, iterating those
 * 10,000 (SSCAN). Then the
 * memory of iterating a 1,000,000-member set with the SSCAN iterator, next to a
 * 10,000-member one: the peak RSS growth must not follow the size of the set.
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 7, MEMBERS = 1000, MANY = 100 };

static pottery_set *set;

static void raw_add(bench_target *t, int from, int ops)
{
    char member[32];
    for (int i = 0; i < ops; i++) {
        /* the same bytes pottery writes: JSON("m<n>") -> "\"m<n>\"" */
        size_t len = bench_json_name(member, sizeof member, 'm', (from + i) % MEMBERS);
        const char *argv[] = { "SADD", "bench:set", member };
        const size_t lens[] = { 4, 9, len };
        bench_raw(t->raw, 3, argv, lens);
    }
}

static void pottery_add_ops(bench_target *t, int from, int ops)
{
    char member[32];
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_set_add(set, bench_name(member, sizeof member, 'm', (from + i) % MEMBERS)) < 0) bench_die("add");
}

static void raw_contains(bench_target *t, int from, int ops)
{
    char member[32];
    for (int i = 0; i < ops; i++) {
        size_t len = bench_json_name(member, sizeof member, 'm', (from + i) % (2 * MEMBERS));
        const char *argv[] = { "SISMEMBER", "bench:set", member };
        const size_t lens[] = { 9, 9, len };
        bench_raw(t->raw, 3, argv, lens);
    }
}

static void pottery_contains_ops(bench_target *t, int from, int ops)
{
    char member[32];
    int found;
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_set_contains(&found, set, bench_name(member, sizeof member, 'm', (from + i) % (2 * MEMBERS))) < 0)
            bench_die("contains");
}

/* contains_many of 100 members (half present): one SMISMEMBER on both sides. */
static char many_plain[MANY][16], many_json[MANY][20];
static pottery_value many_values[MANY];
static const char *many_argv[2 + MANY];
static size_t many_lens[2 + MANY];

static void prepare_many(void)
{
    many_argv[0] = "SMISMEMBER";
    many_lens[0] = 10;
    many_argv[1] = "bench:set";
    many_lens[1] = 9;
    for (int i = 0; i < MANY; i++) {
        int n = i * 19; /* 0..1881: about half of them are members */
        many_values[i] = bench_name(many_plain[i], sizeof many_plain[i], 'm', n);
        many_argv[2 + i] = many_json[i];
        many_lens[2 + i] = bench_json_name(many_json[i], sizeof many_json[i], 'm', n);
    }
}

static void raw_contains_many(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) {
        redisReply *r = redisCommandArgv(t->raw, 2 + MANY, many_argv, many_lens);
        if (!r || r->type != REDIS_REPLY_ARRAY) bench_die("raw SMISMEMBER");
        /* the raw side also writes an answer per input, as pottery must */
        int answers[MANY];
        for (size_t i = 0; i < r->elements && i < MANY; i++) answers[i] = r->element[i]->integer != 0;
        volatile int sink = answers[0];
        (void)sink;
        freeReplyObject(r);
    }
}

static void pottery_contains_many_ops(bench_target *t, int from, int ops)
{
    int answers[MANY];
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++)
        if (pottery_set_contains_many(answers, set, many_values, MANY) < 0) bench_die("contains_many");
}

/* pop: both sides pop from the same well-filled set. */
static pottery_set *popset;

static void raw_pop(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++) {
        const char *argv[] = { "SPOP", "bench:pop" };
        const size_t lens[] = { 4, 9 };
        bench_raw_number(t->raw, REDIS_REPLY_STRING, 2, argv, lens, "raw SPOP"); /* decodes, as pottery must */
    }
}

static void pottery_pop_ops(bench_target *t, int from, int ops)
{
    pottery_value v = POTTERY_VALUE_INIT;
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++)
        if (pottery_set_pop(&v, popset) < 0) bench_die("pop");
    pottery_value_dispose(&v);
}

static void fill_popset(void)
{
    enum { N = 2 * OPS * ROUNDS };
    static pottery_value vals[N];
    for (int i = 0; i < N; i++) vals[i] = pottery_int(i);
    if (pottery_set_update(popset, vals, N) < 0) bench_die("fill pop set");
}

/* Bulk: 10,000 members per update. Raw side: one SADD with the same pre-encoded members. */
enum { BULK = 10000 };
static bench_bulk bulk_data;
static pottery_set *bulk;

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
        if (pottery_set_update(bulk, bulk_data.values, BULK) < 0) bench_die("update");
}

/* Iteration over the 10,000 members: raw side SSCAN with pottery's COUNT (1000) until the
 * cursor comes back to 0, each member read as a number (as pottery decodes what it reads). */
static void raw_iterate(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) {
        long long seen = bench_raw_scan(t->raw, "SSCAN", "bench:bulk", 0, 1);
        if (seen < BULK) bench_die("raw SSCAN: members missing");
    }
}

static void pottery_iterate(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++) {
        pottery_set_iter *it;
        pottery_value v = POTTERY_VALUE_INIT;
        if (pottery_set_iter_new(&it, bulk) < 0) bench_die("iter_new");
        long long seen = 0;
        int rc;
        while ((rc = pottery_set_iter_next(&v, it)) == 0) seen++;
        if (rc != POTTERY_EITEROVER || seen < BULK) bench_die("iter_next");
        pottery_set_iter_free(it);
        pottery_value_dispose(&v);
    }
}

/* ---- memory of iterating big sets ---- */

/* Fill key with n members "0".."n-1" in bulk calls of 10,000 (one round trip each), so the
 * filling itself keeps little in memory. */
static void fill(pottery_set *s, long n)
{
    for (long from = 0; from < n; from += BULK) {
        long count = n - from < BULK ? n - from : BULK;
        for (long i = 0; i < count; i++) bulk_data.values[i] = pottery_int(from + i);
        if (pottery_set_update(s, bulk_data.values, (size_t)count) < 0) bench_die("fill");
    }
}

/* In a fresh child process (so that earlier work does not hide the growth): open a client,
 * iterate the whole set with the SSCAN iterator and report the members seen and how much
 * the peak RSS grew while iterating. */
static void measure_iteration(const char *url, const char *key, long *seen, long *growth_kib, double *secs)
{
    int fds[2];
    if (pipe(fds) != 0) bench_die("pipe");
    pid_t pid = fork();
    if (pid < 0) bench_die("fork");
    if (pid == 0) {
        long result[2] = { -1, -1 };
        pottery_client *c = NULL;
        pottery_set *s = NULL;
        pottery_set_iter *it = NULL;
        if (pottery_client_open(&c, url, NULL) == 0 && pottery_set_open(&s, c, key, NULL) == 0 &&
            pottery_set_iter_new(&it, s) == 0) {
            long before = bench_status_kb("VmHWM:"), count = 0;
            pottery_value v = POTTERY_VALUE_INIT;
            int rc;
            while ((rc = pottery_set_iter_next(&v, it)) == 0) count++;
            pottery_value_dispose(&v);
            if (rc == POTTERY_EITEROVER) {
                result[0] = count;
                result[1] = bench_status_kb("VmHWM:") - before;
            }
        }
        pottery_set_iter_free(it);
        pottery_set_free(s);
        pottery_client_free(c);
        ssize_t w = write(fds[1], result, sizeof result);
        _exit(w == (ssize_t)sizeof result ? 0 : 1);
    }
    close(fds[1]);
    double t0 = bench_now();
    long result[2] = { -1, -1 };
    ssize_t got = read(fds[0], result, sizeof result);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    *secs = bench_now() - t0;
    if (got != (ssize_t)sizeof result || result[0] < 0) {
        fprintf(stderr, "bench: iteration child failed\n");
        exit(1);
    }
    *seen = result[0];
    *growth_kib = result[1];
}

static void iteration_memory(bench_target *t)
{
    static const long sizes[] = { 10000, 1000000 };
    printf("\nIteration memory (SSCAN iterator, one batch in memory)\n");
    printf("%-28s %12s %12s %12s\n", "set size", "seen", "RSS growth", "seconds");
    for (int i = 0; i < 2; i++) {
        char key[32];
        snprintf(key, sizeof key, "bench:iter:%ld", sizes[i]);
        pottery_set *s = NULL;
        if (pottery_set_open(&s, t->client, key, NULL) < 0) bench_die("open");
        pottery_set_clear(s);
        fill(s, sizes[i]);
        long seen = 0, growth = 0;
        double secs = 0;
        measure_iteration(t->url, key, &seen, &growth, &secs);
        printf("%-28ld %12ld %9ld KiB %12.2f\n", sizes[i], seen, growth, secs);
        pottery_set_clear(s);
        pottery_set_free(s);
    }
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    if (pottery_set_open(&set, t.client, "bench:set", NULL) < 0) bench_die("open");
    if (pottery_set_open(&popset, t.client, "bench:pop", NULL) < 0) bench_die("open");
    if (pottery_set_open(&bulk, t.client, "bench:bulk", NULL) < 0) bench_die("open");
    pottery_set_clear(set);
    pottery_set_clear(popset);
    prepare_many();
    bench_bulk_init(&bulk_data, "SADD", "bench:bulk", BULK);
    fill_popset();

    bench_header("pottery_set vs raw hiredis (same commands, same bytes)");
    bench_compare(&t, "add   (SADD)", raw_add, pottery_add_ops, OPS, ROUNDS);
    bench_compare(&t, "contains (SISMEMBER)", raw_contains, pottery_contains_ops, OPS, ROUNDS);
    bench_compare(&t, "contains_many 100 (SMISMEMBER)", raw_contains_many, pottery_contains_many_ops, OPS / 4, ROUNDS);
    bench_compare(&t, "pop   (SPOP)", raw_pop, pottery_pop_ops, OPS, ROUNDS);
    bench_compare(&t, "update 10k members (SADD)", raw_update, pottery_update_ops, 5, ROUNDS);
    bench_compare(&t, "iterate 10k members (SSCAN)", raw_iterate, pottery_iterate, 5, ROUNDS);

    iteration_memory(&t);

    pottery_set_clear(set);
    pottery_set_clear(popset);
    pottery_set_clear(bulk);
    pottery_set_free(set);
    pottery_set_free(popset);
    pottery_set_free(bulk);
    bench_bulk_free(&bulk_data);
    bench_close(&t);
    return 0;
}
