/*
 * Redlock next to raw hiredis doing the same fan-out (every request sent, then every reply
 * read), over 1 and over N masters, in alternating rounds of the same run.
 *
 * Usage: bench_redlock URL [URL...]   (redis://host:port/db of each master; 5 in production)
 */
#include <hiredis/hiredis.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pottery.h>

#define MAX_MASTERS 16
#define OPS 2000
#define ROUNDS 5

/* The scripts the raw side runs: the same compare-and-act as src/lua/redlock_*.lua. */
static const char *const RELEASE = "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end "
                                   "return redis.call('DEL', KEYS[1])";
static const char *const ACQUIRED = "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end "
                                    "local left = redis.call('PTTL', KEYS[1]) if left > 0 then return left end "
                                    "return 0";
static const char *const EXTEND = "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end "
                                  "return redis.call('PEXPIRE', KEYS[1], ARGV[2])";

typedef struct side {
    size_t n;
    redisContext *raw[MAX_MASTERS];
    pottery_client *clients[MAX_MASTERS];
    pottery_redlock *lock;
    char sha[3][41]; /* release, acquired, extend */
} side;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_redlock: %s: %s\n", what, pottery_error_last()->message);
    exit(1);
}

static void parse(const char *url, char *host, size_t size, int *port)
{
    if (sscanf(url, "redis://%255[^:]:%d", host, port) != 2 || strlen(host) >= size) {
        fprintf(stderr, "bench_redlock: expected redis://host:port URLs, got %s\n", url);
        exit(2);
    }
}

static void side_open(side *s, char **urls, size_t n)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    const char *scripts[3] = { RELEASE, ACQUIRED, EXTEND };
    for (size_t i = 0; i < n; i++) {
        char host[256];
        int port;
        parse(urls[i], host, sizeof host, &port);
        s->raw[i] = redisConnect(host, port);
        if (!s->raw[i] || s->raw[i]->err) {
            fprintf(stderr, "bench_redlock: hiredis connect to %s: %s\n", urls[i], s->raw[i] ? s->raw[i]->errstr : "?");
            exit(1);
        }
        if (pottery_client_open(&s->clients[i], urls[i], NULL) < 0) die("pottery_client_open");
        for (int k = 0; k < 3; k++) {
            redisReply *r = redisCommand(s->raw[i], "SCRIPT LOAD %s", scripts[k]);
            if (!r || r->type != REDIS_REPLY_STRING) die("SCRIPT LOAD");
            snprintf(s->sha[k], sizeof s->sha[k], "%s", r->str);
            freeReplyObject(r);
        }
    }
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.num_extensions = INT_MAX;
    if (pottery_redlock_new(&s->lock, "bench", s->clients, n, &opts) < 0) die("pottery_redlock_new");
}

static void side_close(side *s)
{
    pottery_redlock_free(s->lock);
    for (size_t i = 0; i < s->n; i++) {
        redisFree(s->raw[i]);
        pottery_client_free(s->clients[i]);
    }
}

/* Raw: send argv to every master, then read every reply; returns how many were "yes". */
static size_t raw_fan(side *s, int argc, const char **argv, const size_t *lens)
{
    for (size_t i = 0; i < s->n; i++) redisAppendCommandArgv(s->raw[i], argc, argv, lens);
    for (size_t i = 0; i < s->n; i++) { /* every request on the wire before any reply is read */
        int done = 0;
        while (!done)
            if (redisBufferWrite(s->raw[i], &done) != REDIS_OK) die("raw write");
    }
    size_t yes = 0;
    for (size_t i = 0; i < s->n; i++) {
        redisReply *r;
        if (redisGetReply(s->raw[i], (void **)&r) != REDIS_OK || !r) die("raw reply");
        if (r->type == REDIS_REPLY_STATUS || (r->type == REDIS_REPLY_INTEGER && r->integer > 0)) yes++;
        freeReplyObject(r);
    }
    return yes;
}

static const char RAW_VALUE[] = "0f0e0d0c-0b0a-4908-8706-050403020100";

static void raw_eval(side *s, int k, int with_lease)
{
    const char *argv[6] = { "EVALSHA", s->sha[k], "1", "redlock:rawbench", RAW_VALUE, "10000" };
    size_t lens[6];
    for (int i = 0; i < 6; i++) lens[i] = strlen(argv[i]);
    if (raw_fan(s, with_lease ? 6 : 5, argv, lens) <= s->n / 2) die("raw script: no quorum");
}

static void raw_acquire(side *s)
{
    const char *argv[6] = { "SET", "redlock:rawbench", RAW_VALUE, "PX", "10000", "NX" };
    size_t lens[6];
    for (int i = 0; i < 6; i++) lens[i] = strlen(argv[i]);
    if (raw_fan(s, 6, argv, lens) <= s->n / 2) die("raw acquire: no quorum");
}

typedef enum op { ACQUIRE_RELEASE, LOCKED, EXTEND_OP } op;

static void run_raw(side *s, op o, int ops)
{
    for (int i = 0; i < ops; i++) {
        if (o == ACQUIRE_RELEASE) {
            raw_acquire(s);
            raw_eval(s, 0, 0);
        } else {
            raw_eval(s, o == LOCKED ? 1 : 2, o == EXTEND_OP);
        }
    }
}

static void run_pottery(side *s, op o, int ops)
{
    for (int i = 0; i < ops; i++) {
        int acquired;
        int64_t validity;
        switch (o) {
        case ACQUIRE_RELEASE:
            if (pottery_redlock_acquire(&acquired, s->lock, 0, POTTERY_FOREVER) < 0 || !acquired) die("acquire");
            if (pottery_redlock_release(s->lock) < 0) die("release");
            break;
        case LOCKED:
            if (pottery_redlock_locked(&validity, s->lock) < 0 || validity <= 0) die("locked");
            break;
        case EXTEND_OP:
            if (pottery_redlock_extend(s->lock) < 0) die("extend");
            break;
        }
    }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void compare(side *s, const char *name, op o)
{
    int acquired;
    if (o != ACQUIRE_RELEASE) {
        raw_acquire(s);
        if (pottery_redlock_acquire(&acquired, s->lock, 0, POTTERY_FOREVER) < 0 || !acquired) die("acquire");
    }
    uint64_t rt_before = 0, rt_after = 0;
    for (size_t i = 0; i < s->n; i++) {
        pottery_client_stats st;
        pottery_client_stats_get(&st, s->clients[i]);
        rt_before += st.round_trips;
    }
    double ratios[ROUNDS * 4], best_raw = 1e30, best_pot = 1e30;
    int slice = OPS / 4, n = ROUNDS * 4;
    for (int r = 0; r < n; r++) {
        double t0 = now();
        run_raw(s, o, slice);
        double t1 = now();
        run_pottery(s, o, slice);
        double t2 = now();
        if (t1 - t0 < best_raw) best_raw = t1 - t0;
        if (t2 - t1 < best_pot) best_pot = t2 - t1;
        ratios[r] = (t1 - t0) / (t2 - t1);
    }
    for (size_t i = 0; i < s->n; i++) {
        pottery_client_stats st;
        pottery_client_stats_get(&st, s->clients[i]);
        rt_after += st.round_trips;
    }
    qsort(ratios, (size_t)n, sizeof *ratios, cmp);
    double median = (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
    double ops = (double)slice * n;
    printf("%-24s %8zu %12.0f %12.0f %7.3f %14.2f\n", name, s->n, slice / best_pot, slice / best_raw, median,
           (double)(rt_after - rt_before) / ops / (double)s->n);
    if (o != ACQUIRE_RELEASE) {
        raw_eval(s, 0, 0);
        if (pottery_redlock_release(s->lock) < 0) die("release");
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc - 1 > MAX_MASTERS) {
        fprintf(stderr, "usage: %s URL [URL...]  (up to %d masters)\n", argv[0], MAX_MASTERS);
        return 2;
    }
    size_t counts[2] = { 1, (size_t)(argc - 1) };
    printf("%-24s %8s %12s %12s %7s %14s\n", "operation", "masters", "pottery/s", "hiredis/s", "ratio*",
           "rtt/op/master");
    for (int c = 0; c < (counts[1] > 1 ? 2 : 1); c++) {
        side s;
        side_open(&s, argv + 1, counts[c]);
        compare(&s, "redlock acquire+release", ACQUIRE_RELEASE);
        compare(&s, "redlock locked", LOCKED);
        compare(&s, "redlock extend", EXTEND_OP);
        side_close(&s);
    }
    printf("* ratio: median over alternating rounds of pottery speed / raw hiredis speed (same fan-out).\n");
    return 0;
}
