/* A connection pool: four threads count page views through one shared counter handle. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <pottery.h>

static void check(int rc)
{
    if (rc < 0) {
        fprintf(stderr, "error: %s\n", pottery_error_last()->message);
        exit(1);
    }
}

enum { THREADS = 4, VIEWS = 1000 };

static void *count_views(void *arg)
{
    pottery_counter *views = arg;
    for (int i = 0; i < VIEWS; i++) check(pottery_counter_incr(NULL, views, pottery_str("/home"), 1));
    return NULL;
}

int main(void)
{
    /* Up to 4 connections; a call waits up to 1 s for a free one. */
    pottery_pool_options opts;
    pottery_pool_options_init(&opts);
    opts.size = 4;
    pottery_pool *pool;
    check(pottery_pool_open(&pool, NULL, &opts)); /* $REDIS_URL, as for a client */

    /* Handles are opened on the pool's client view and shared by every thread. */
    pottery_counter *views;
    check(pottery_counter_open(&views, pottery_pool_client(pool), "views", NULL));
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        if (pthread_create(&threads[t], NULL, count_views, views) != 0) return 1;
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);

    int64_t n;
    check(pottery_counter_get(&n, views, pottery_str("/home")));
    printf("/home: %lld views\n", (long long)n);
    pottery_pool_stats stats;
    pottery_pool_stats_get(&stats, pool);
    printf("%s members opened, %zu in use\n", stats.open <= 4 ? "at most 4" : "too many", stats.in_use);

    check(pottery_counter_clear(views));
    pottery_counter_free(views); /* handles first, */
    pottery_pool_free(pool);     /* then the pool */
    return 0;
}
