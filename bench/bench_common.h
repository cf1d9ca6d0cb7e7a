/*
 * Benchmark support: a raw hiredis connection and a pottery client to the same server,
 * timed in alternating rounds so both sides see the same machine noise.
 *
 * Usage of every bench program:  <program> tcp HOST PORT   |   <program> unix SOCKET
 */
#ifndef POTTERY_BENCH_COMMON_H
#define POTTERY_BENCH_COMMON_H

#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pottery.h>

typedef struct bench_target {
    redisContext *raw;
    pottery_client *client;
    char url[512];
} bench_target;

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void bench_die(const char *what)
{
    fprintf(stderr, "bench: %s: %s\n", what, pottery_error_last()->message);
    exit(1);
}

static inline void bench_connect(bench_target *t, int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "tcp") == 0) {
        t->raw = redisConnect(argv[2], atoi(argv[3]));
        snprintf(t->url, sizeof t->url, "redis://%s:%s/0", argv[2], argv[3]);
    } else if (argc == 3 && strcmp(argv[1], "unix") == 0) {
        t->raw = redisConnectUnix(argv[2]);
        snprintf(t->url, sizeof t->url, "unix://%s", argv[2]);
    } else {
        fprintf(stderr, "usage: %s tcp HOST PORT | unix SOCKET\n", argv[0]);
        exit(2);
    }
    if (!t->raw || t->raw->err) {
        fprintf(stderr, "bench: hiredis connect failed\n");
        exit(1);
    }
    if (pottery_client_open(&t->client, t->url, NULL) < 0) bench_die("pottery_client_open");
}

static inline void bench_close(bench_target *t)
{
    redisFree(t->raw);
    pottery_client_free(t->client);
}

/* Raw hiredis: one command from argv, reply checked and freed. */
static inline void bench_raw(redisContext *c, int argc, const char **argv, const size_t *lens)
{
    redisReply *r = redisCommandArgv(c, argc, argv, lens);
    if (!r || r->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "bench: raw command failed\n");
        exit(1);
    }
    freeReplyObject(r);
}

/* One measured operation pair: fn_raw and fn_pottery each run `ops` operations. */
typedef void (*bench_fn)(bench_target *t, int from, int ops);

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Run both sides in short alternating rounds (each pair of rounds sees the same machine
 * noise). Reports the best round of each side as ops/s, the median of the per-round ratios
 * (robust against a noisy, shared machine), and pottery's round trips and commands per op. */
static inline void bench_compare(bench_target *t, const char *name, bench_fn raw, bench_fn pot,
                                 int ops, int rounds)
{
    /* Split each requested round into four shorter ones: more, closer pairs. */
    int slice = ops >= 4 ? ops / 4 : ops;
    int n = ops >= 4 ? rounds * 4 : rounds;
    double best_raw = 1e30, best_pot = 1e30;
    double *ratios = (double *)malloc(sizeof(double) * (size_t)n);
    if (!ratios) exit(1);
    pottery_client_stats before, after;
    pottery_client_stats_get(t->client, &before);
    for (int r = 0; r < n; r++) {
        double t0 = bench_now();
        raw(t, r * slice, slice);
        double t1 = bench_now();
        pot(t, r * slice, slice);
        double t2 = bench_now();
        if (t1 - t0 < best_raw) best_raw = t1 - t0;
        if (t2 - t1 < best_pot) best_pot = t2 - t1;
        ratios[r] = (t1 - t0) / (t2 - t1); /* pottery speed / hiredis speed */
    }
    pottery_client_stats_get(t->client, &after);
    qsort(ratios, (size_t)n, sizeof *ratios, bench_cmp_double);
    double median = n % 2 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
    free(ratios);
    double total = (double)slice * n;
    printf("%-28s %12.0f %12.0f %7.3f %10.2f %10.2f\n", name, slice / best_pot, slice / best_raw, median,
           (double)(after.round_trips - before.round_trips) / total,
           (double)(after.commands - before.commands) / total);
}

static inline void bench_header(const char *title)
{
    printf("\n%s\n", title);
    printf("%-28s %12s %12s %7s %10s %10s\n", "operation", "pottery/s", "hiredis/s", "ratio*", "rtt/op", "cmds/op");
}

#endif
