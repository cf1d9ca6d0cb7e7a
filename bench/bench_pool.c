/*
 * pottery_pool: dict set/get from 1, 2, 4 and 8 threads sharing one handle on a pool,
 * against the same number of threads each with a client (and a handle) of its own. Both
 * sides send the same HSET/HGET with the same bytes, one command per operation; the ratio
 * is what lending a connection for every call costs (the pool's lock and bookkeeping).
 */
#include <pthread.h>

#include "bench_common.h"

/* Every round runs ROUND_OPS operations, split between the threads. */
enum { ROUND_OPS = 8000, ROUNDS = 9, FIELDS = 1000, MAX_THREADS = 8 };

typedef struct side {
    pottery_dict *dicts[MAX_THREADS]; /* the pool: one shared handle in every slot */
    int threads;
    int get; /* 0: set, 1: get */
} side;

typedef struct job {
    pottery_dict *dict;
    int from, ops, get;
} job;

static void *run_ops(void *arg)
{
    const job *j = arg;
    char field[32];
    pottery_value v = POTTERY_VALUE_INIT;
    for (int i = 0; i < j->ops; i++) {
        int n = j->from + i;
        pottery_value key = bench_name(field, sizeof field, 'k', n % FIELDS);
        if (j->get ? pottery_dict_get(&v, j->dict, key) < 0 : pottery_dict_set(j->dict, key, pottery_int(n)) < 0)
            bench_die(j->get ? "get" : "set");
    }
    pottery_value_dispose(&v);
    return NULL;
}

/* Seconds for the threads of s to run ROUND_OPS operations between them. */
static double timed(const side *s, int round)
{
    pthread_t th[MAX_THREADS];
    job jobs[MAX_THREADS];
    int ops = ROUND_OPS / s->threads;
    double t0 = bench_now();
    for (int t = 0; t < s->threads; t++) {
        jobs[t] = (job){ s->dicts[t], (round * MAX_THREADS + t) * ops, ops, s->get };
        if (pthread_create(&th[t], NULL, run_ops, &jobs[t]) != 0) bench_die("pthread_create");
    }
    for (int t = 0; t < s->threads; t++) pthread_join(th[t], NULL);
    return bench_now() - t0;
}

/* Alternating rounds, as bench_compare (each side first in every other round): best ops/s
 * of each side, median ratio. */
static void compare(const char *name, side *pooled, side *own, pottery_pool *pool)
{
    double best_pool = 1e30, best_own = 1e30, ratios[ROUNDS];
    pottery_pool_stats before, after;
    pottery_pool_stats_get(&before, pool);
    for (int r = 0; r < ROUNDS; r++) {
        double a, b;
        if (r % 2) {
            b = timed(own, r);
            a = timed(pooled, r);
        } else {
            a = timed(pooled, r);
            b = timed(own, r);
        }
        if (a < best_pool) best_pool = a;
        if (b < best_own) best_own = b;
        ratios[r] = b / a; /* pool speed / own clients' speed */
    }
    pottery_pool_stats_get(&after, pool);
    qsort(ratios, ROUNDS, sizeof ratios[0], bench_cmp_double);
    double total = (double)(ROUND_OPS / pooled->threads) * pooled->threads;
    printf("%-14s %7d %12.0f %12.0f %7.3f %8zu %10.3f\n", name, pooled->threads, total / best_pool, total / best_own,
           ratios[ROUNDS / 2], after.open, (double)(after.waits - before.waits) / (total * ROUNDS));
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    pottery_client *clients[MAX_THREADS];
    side own = { { NULL }, 0, 0 };
    for (int i = 0; i < MAX_THREADS; i++) {
        if (pottery_client_open(&clients[i], t.url, NULL) < 0) bench_die("pottery_client_open");
        if (pottery_dict_open(&own.dicts[i], clients[i], "bench:pool", NULL) < 0) bench_die("open");
    }
    printf("\npottery_pool: threads sharing one dict handle on a pool vs threads with a client each\n");
    printf("%-14s %7s %12s %12s %7s %8s %10s\n", "operation", "threads", "pool ops/s", "own ops/s", "ratio*", "members",
           "waits/op");
    const size_t sizes[] = { 8, 4 };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        pottery_pool_options o;
        pottery_pool_options_init(&o);
        o.size = sizes[k];
        o.wait_timeout_ms = POTTERY_FOREVER;
        pottery_pool *pool;
        pottery_dict *shared;
        if (pottery_pool_open(&pool, t.url, &o) < 0) bench_die("pottery_pool_open");
        if (pottery_dict_open(&shared, pottery_pool_client(pool), "bench:pool", NULL) < 0) bench_die("open");
        side pooled = { { NULL }, 0, 0 };
        for (int i = 0; i < MAX_THREADS; i++) pooled.dicts[i] = shared;
        printf("(a pool of %zu)\n", sizes[k]);
        for (int threads = sizes[k] == 8 ? 1 : MAX_THREADS; threads <= MAX_THREADS; threads *= 2)
            for (int get = 0; get < 2; get++) {
                pooled.threads = own.threads = threads;
                pooled.get = own.get = get;
                compare(get ? "get (HGET)" : "set (HSET)", &pooled, &own, pool);
            }
        pottery_dict_free(shared);
        pottery_pool_free(pool);
    }
    printf("* ratio: the pool's speed over the own clients' (median of %d alternating rounds)\n", ROUNDS);

    bench_raw_del(t.raw, "bench:pool", NULL);
    for (int i = 0; i < MAX_THREADS; i++) {
        pottery_dict_free(own.dicts[i]);
        pottery_client_free(clients[i]);
    }
    bench_close(&t);
    return 0;
}
