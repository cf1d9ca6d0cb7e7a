/*
 * Benchmark support: a raw hiredis connection and a pottery client to the same server,
 * timed in alternating rounds so both sides see the same machine noise.
 *
 * Usage of every bench program:  <program> tcp HOST PORT   |   <program> unix SOCKET
 *
 * With POTTERY_BENCH_ROWS=<file> in the environment, every result line is also appended to
 * that file as one tab-separated row (scripts/benchmark.sh gathers them into one table):
 *   module  operation  transport  pottery/s  hiredis/s  ratio  round-trips/op
 * module is the program's name without "bench_" (POTTERY_BENCH_MODULE overrides it).
 */
#ifndef POTTERY_BENCH_COMMON_H
#define POTTERY_BENCH_COMMON_H

#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pottery.h>

/* ---- machine-readable rows (POTTERY_BENCH_ROWS) ---- */

typedef struct bench_rows {
    char module[64];
    char transport[64];
} bench_rows;

static inline bench_rows *bench_rows_get(void)
{
    static bench_rows rows = { "", "" };
    return &rows;
}

/* Name the rows that follow: the module (from the program's path, argv[0]) and the
 * transport ("tcp", "unix"). */
static inline void bench_rows_source(const char *argv0, const char *transport)
{
    bench_rows *r = bench_rows_get();
    const char *env = getenv("POTTERY_BENCH_MODULE");
    const char *base = strrchr(argv0, '/');
    base = base ? base + 1 : argv0;
    if (strncmp(base, "bench_", 6) == 0) base += 6;
    snprintf(r->module, sizeof r->module, "%s", env && *env ? env : base);
    snprintf(r->transport, sizeof r->transport, "%s", transport);
}

/* Name the module of the rows that follow (a program measuring several modules). */
static inline void bench_rows_module(const char *module)
{
    snprintf(bench_rows_get()->module, sizeof bench_rows_get()->module, "%s", module);
}

/* Append one row to $POTTERY_BENCH_ROWS (nothing when unset); the operation's runs of
 * blanks become one space. */
static inline void bench_row(const char *operation, double pottery_per_s, double hiredis_per_s, double ratio,
                             double round_trips)
{
    const char *path = getenv("POTTERY_BENCH_ROWS");
    if (!path || !*path) return;
    char op[128];
    size_t n = 0;
    for (const char *p = operation; *p && n + 1 < sizeof op; p++) {
        char c = *p == '\t' ? ' ' : *p;
        if (c == ' ' && (n == 0 || op[n - 1] == ' ')) continue;
        op[n++] = c;
    }
    while (n > 0 && op[n - 1] == ' ') n--;
    op[n] = '\0';
    FILE *f = fopen(path, "a");
    if (!f) {
        fprintf(stderr, "bench: cannot append to %s\n", path);
        exit(1);
    }
    const bench_rows *r = bench_rows_get();
    fprintf(f, "%s\t%s\t%s\t%.0f\t%.0f\t%.3f\t%.2f\n", r->module, op, r->transport, pottery_per_s, hiredis_per_s, ratio,
            round_trips);
    fclose(f);
}

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
        bench_rows_source(argv[0], "tcp");
    } else if (argc == 3 && strcmp(argv[1], "unix") == 0) {
        t->raw = redisConnectUnix(argv[2]);
        snprintf(t->url, sizeof t->url, "unix://%s", argv[2]);
        bench_rows_source(argv[0], "unix");
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
static inline void bench_compare(bench_target *t, const char *name, bench_fn raw, bench_fn pot, int ops, int rounds)
{
    /* Split each requested round into four shorter ones: more, closer pairs. */
    int slice = ops >= 4 ? ops / 4 : ops;
    int n = ops >= 4 ? rounds * 4 : rounds;
    double best_raw = 1e30, best_pot = 1e30;
    double *ratios = (double *)malloc(sizeof(double) * (size_t)n);
    if (!ratios) exit(1);
    pottery_client_stats before, after;
    pottery_client_stats_get(&before, t->client);
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
    pottery_client_stats_get(&after, t->client);
    qsort(ratios, (size_t)n, sizeof *ratios, bench_cmp_double);
    double median = n % 2 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
    free(ratios);
    double total = (double)slice * n, round_trips = (double)(after.round_trips - before.round_trips) / total;
    printf("%-28s %12.0f %12.0f %7.3f %10.2f %10.2f\n", name, slice / best_pot, slice / best_raw, median, round_trips,
           (double)(after.commands - before.commands) / total);
    bench_row(name, slice / best_pot, slice / best_raw, median, round_trips);
}

static inline void bench_header(const char *title)
{
    printf("\n%s\n", title);
    printf("%-28s %12s %12s %7s %10s %10s\n", "operation", "pottery/s", "hiredis/s", "ratio*", "rtt/op", "cmds/op");
}

/* ---- same bytes on both sides ---- */

/* The pottery string "<prefix><n>" (borrowing buf): what pottery is handed. */
static inline pottery_value bench_name(char *buf, size_t size, char prefix, int n)
{
    snprintf(buf, size, "%c%d", prefix, n);
    return pottery_str(buf);
}

/* The bytes pottery writes for that string, JSON("<prefix><n>") = "\"<prefix><n>\"", into
 * buf; returns their length. What the raw side sends. */
static inline size_t bench_json_name(char *buf, size_t size, char prefix, int n)
{
    return (size_t)snprintf(buf, size, "\"%c%d\"", prefix, n);
}

/* Raw hiredis: one command whose reply must be of `type` (REDIS_REPLY_STRING or
 * REDIS_REPLY_INTEGER); the reply is also turned into a number, as pottery must decode it. */
static inline void bench_raw_number(redisContext *c, int type, int argc, const char **argv, const size_t *lens,
                                    const char *what)
{
    redisReply *r = redisCommandArgv(c, argc, argv, lens);
    if (!r || r->type != type) bench_die(what);
    volatile long long v = type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10) : r->integer;
    (void)v;
    freeReplyObject(r);
}

/* Raw hiredis: read the replies of n pipelined commands; none may be missing or an error. */
static inline void bench_raw_replies(redisContext *c, int n, const char *what)
{
    for (int i = 0; i < n; i++) {
        void *reply = NULL;
        if (redisGetReply(c, &reply) != REDIS_OK || !reply || ((redisReply *)reply)->type == REDIS_REPLY_ERROR)
            bench_die(what);
        freeReplyObject(reply);
    }
}

static inline char *bench_read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench: cannot read %s\n", path);
        exit(1);
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 > cap) {
            cap = cap ? cap * 2 : 4096;
            text = realloc(text, cap);
            if (!text) exit(1);
        }
        text[len++] = (char)c;
    }
    fclose(f);
    if (!text) text = calloc(1, 1);
    if (!text) exit(1);
    text[len] = '\0';
    return text;
}

/* The library's script src/lua/<name>.lua as the build embeds it: each `--@include <part>`
 * line replaced by src/lua/include/<part>.lua (malloc'd; exits on failure). Raw hiredis sends
 * the same scripts as libpottery, so that both sides make the server do the same work. */
static inline char *bench_script_text(const char *name)
{
    char dir[1024], path[1200];
    snprintf(dir, sizeof dir, "%s", __FILE__);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    snprintf(path, sizeof path, "%s/../src/lua/%s.lua", dir, name);
    char *src = bench_read_text(path);
    size_t cap = strlen(src) + 1, len = 0;
    char *out = malloc(cap);
    if (!out) exit(1);
    for (char *line = src; *line;) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line + 1) : strlen(line);
        const char *piece = line;
        size_t plen = n;
        char *part = NULL;
        if (strncmp(line, "--@include ", 11) == 0) {
            char pname[128];
            snprintf(pname, sizeof pname, "%.*s", (int)(n - 11 - (end ? 1 : 0)), line + 11);
            snprintf(path, sizeof path, "%s/../src/lua/include/%s.lua", dir, pname);
            part = bench_read_text(path);
            piece = part;
            plen = strlen(part);
        }
        if (len + plen + 1 > cap) {
            cap = (len + plen + 1) * 2;
            out = realloc(out, cap);
            if (!out) exit(1);
        }
        memcpy(out + len, piece, plen);
        len += plen;
        free(part);
        line += n;
    }
    out[len] = '\0';
    free(src);
    return out;
}

/* SCRIPT LOAD text: its SHA1 into sha. */
static inline void bench_script_load(redisContext *c, const char *text, char sha[41])
{
    redisReply *r = redisCommand(c, "SCRIPT LOAD %s", text);
    if (!r || r->type != REDIS_REPLY_STRING || r->len != 40) bench_die("SCRIPT LOAD");
    memcpy(sha, r->str, 41);
    freeReplyObject(r);
}

/* Raw hiredis: iterate key with `<scan> key cursor COUNT 1000` (HSCAN or SSCAN, the batch
 * libpottery's iterators ask for) until the cursor is back to 0, decoding every stride-th
 * element of each batch from first on as a number (as libpottery decodes the JSON). The
 * number of elements decoded, or -1 when a reply is not a SCAN reply. */
static inline long long bench_raw_scan(redisContext *c, const char *scan, const char *key, size_t first, size_t stride)
{
    char cursor[32] = "0";
    long long seen = 0;
    do {
        const char *argv[] = { scan, key, cursor, "COUNT", "1000" };
        const size_t lens[] = { strlen(scan), strlen(key), strlen(cursor), 5, 4 };
        redisReply *r = redisCommandArgv(c, 5, argv, lens);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING ||
            r->element[1]->type != REDIS_REPLY_ARRAY) {
            freeReplyObject(r);
            return -1;
        }
        snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
        for (size_t i = first; i < r->element[1]->elements; i += stride) {
            volatile long long v = strtoll(r->element[1]->element[i]->str, NULL, 10);
            (void)v;
            seen++;
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return seen;
}

/* Raw hiredis: DEL the keys named, up to a NULL. */
static inline void bench_raw_del(redisContext *c, const char *key, ...)
{
    enum { MAX = 16 };
    const char *argv[1 + MAX] = { "DEL" };
    size_t lens[1 + MAX] = { 3 };
    int argc = 1;
    va_list ap;
    va_start(ap, key);
    for (const char *k = key; k && argc < 1 + MAX; k = va_arg(ap, const char *)) {
        argv[argc] = k;
        lens[argc++] = strlen(k);
    }
    va_end(ap);
    bench_raw(c, argc, argv, lens);
}

/* A bulk of the integers 0..n-1 both as pottery values and as one raw command
 * "<verb> <key> 0 1 ... n-1" with the same bytes (JSON(i) is "<i>"). */
typedef struct bench_bulk {
    int n;
    pottery_value *values;
    char (*text)[16];
    const char **argv; /* verb, key, then the n numbers */
    size_t *lens;
} bench_bulk;

static inline void bench_bulk_init(bench_bulk *b, const char *verb, const char *key, int n)
{
    b->n = n;
    b->values = (pottery_value *)malloc(sizeof *b->values * (size_t)n);
    b->text = (char(*)[16])malloc(sizeof *b->text * (size_t)n);
    b->argv = (const char **)malloc(sizeof *b->argv * (size_t)(2 + n));
    b->lens = (size_t *)malloc(sizeof *b->lens * (size_t)(2 + n));
    if (!b->values || !b->text || !b->argv || !b->lens) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    b->argv[0] = verb;
    b->lens[0] = strlen(verb);
    b->argv[1] = key;
    b->lens[1] = strlen(key);
    for (int i = 0; i < n; i++) {
        b->argv[2 + i] = b->text[i];
        b->lens[2 + i] = (size_t)snprintf(b->text[i], sizeof b->text[i], "%d", i);
        b->values[i] = pottery_int(i);
    }
}

/* Send the raw command for the first `count` numbers (count <= n) to `key`. */
static inline void bench_bulk_send(redisContext *c, bench_bulk *b, const char *key, int count)
{
    const char *saved = b->argv[1];
    size_t saved_len = b->lens[1];
    b->argv[1] = key;
    b->lens[1] = strlen(key);
    bench_raw(c, 2 + count, b->argv, b->lens);
    b->argv[1] = saved;
    b->lens[1] = saved_len;
}

static inline void bench_bulk_free(bench_bulk *b)
{
    free(b->values);
    free(b->text);
    free(b->argv);
    free(b->lens);
}

/* ---- contending processes ---- */

/* One forked contender: its set-up runs first, then every contender starts at once
 * (bench_proc_go); start and end are CLOCK_MONOTONIC, comparable across processes. */
typedef struct bench_proc {
    int index;
    int ready_fd, go_fd;            /* the start gate (the child's ends) */
    double start, end;              /* set by bench_proc_go and by the child's function */
    uint64_t round_trips, commands; /* what the child's pottery clients counted (0 if none) */
} bench_proc;

/* In a child, after its set-up: say so, wait until every contender has, start the clock. */
static inline void bench_proc_go(bench_proc *me)
{
    char c = 'r';
    if (write(me->ready_fd, &c, 1) != 1) _exit(1);
    close(me->ready_fd);
    while (read(me->go_fd, &c, 1) < 0 && errno == EINTR) { /* EOF: the parent opened the gate */
    }
    close(me->go_fd);
    me->start = bench_now();
}

/* The child's work: set up, bench_proc_go(me), run, set me->end (and the counts); 0 on
 * success, else non-zero after saying why on stderr. */
typedef int (*bench_proc_fn)(bench_proc *me, void *arg);

/* Fork nprocs contenders running fn(me, arg) and wait for them all; out[i] is contender i's
 * report. 0 when every one of them succeeded and reported, else -1. */
static inline int bench_procs_run(int nprocs, bench_proc_fn fn, void *arg, bench_proc *out)
{
    int ready[2], go[2], res[2];
    if (pipe(ready) < 0 || pipe(go) < 0 || pipe(res) < 0) return -1;
    fflush(NULL); /* nothing buffered is written twice */
    pid_t *pids = (pid_t *)calloc((size_t)nprocs, sizeof *pids);
    int *seen = (int *)calloc((size_t)nprocs, sizeof *seen);
    if (!pids || !seen) exit(1);
    for (int p = 0; p < nprocs; p++) {
        pids[p] = fork();
        if (pids[p] < 0) {
            fprintf(stderr, "bench: fork failed\n");
            exit(1);
        }
        if (pids[p] > 0) continue;
        close(ready[0]);
        close(go[1]);
        close(res[0]);
        bench_proc me;
        memset(&me, 0, sizeof me);
        me.index = p;
        me.ready_fd = ready[1];
        me.go_fd = go[0];
        int rc = fn(&me, arg);
        if (rc == 0 && write(res[1], &me, sizeof me) != (ssize_t)sizeof me) rc = 1;
        _exit(rc == 0 ? 0 : 1);
    }
    close(ready[1]);
    close(go[0]);
    close(res[1]);
    char c;
    for (int n = 0; n < nprocs && read(ready[0], &c, 1) == 1; n++) { /* a child that died counts too (EOF) */
    }
    close(ready[0]);
    close(go[1]); /* open the gate */
    bench_proc r;
    while (read(res[0], &r, sizeof r) == (ssize_t)sizeof r) /* each report is one atomic write */
        if (r.index >= 0 && r.index < nprocs) {
            out[r.index] = r;
            seen[r.index] = 1;
        }
    close(res[0]);
    int ok = 1;
    for (int p = 0; p < nprocs; p++) {
        int status;
        if (waitpid(pids[p], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !seen[p]) ok = 0;
    }
    free(pids);
    free(seen);
    return ok ? 0 : -1;
}

/* The contenders' wall time (first start to last end) and fairness (slowest / fastest). */
static inline void bench_procs_span(const bench_proc *procs, int nprocs, double *wall, double *fairness)
{
    double first = procs[0].start, last = procs[0].end;
    double slow = procs[0].end - procs[0].start, fast = slow;
    for (int p = 1; p < nprocs; p++) {
        double d = procs[p].end - procs[p].start;
        if (procs[p].start < first) first = procs[p].start;
        if (procs[p].end > last) last = procs[p].end;
        if (d > slow) slow = d;
        if (d < fast) fast = d;
    }
    *wall = last - first;
    *fairness = fast > 0 ? slow / fast : 0;
}

/* A small, fast generator for the contenders' jitter and lock values (xorshift64*). */
static inline uint64_t bench_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t bench_rand_seed(int index)
{
    uint64_t s = (uint64_t)getpid() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(bench_now() * 1e9) ^ (uint64_t)index;
    return s ? s : 1;
}

/* Sleep a uniformly random 0 to max_us microseconds. */
static inline void bench_jitter(uint64_t *state, long max_us)
{
    long us = max_us > 0 ? (long)(bench_rand(state) % (uint64_t)(max_us + 1)) : 0;
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ---- peak resident memory (Linux /proc, getrusage elsewhere) ---- */

/* A "Field:  <n> kB" line of /proc/self/status in kB (field with its colon), or -1. */
static inline long bench_status_kb(const char *field)
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

/* Reset the peak (VmHWM) to the current RSS; 0 where /proc cannot. */
static inline int bench_peak_reset(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return 0;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok;
}

/* Peak RSS in kB: VmHWM (since the last reset) if resettable, else getrusage's lifetime peak. */
static inline long bench_peak_kb(int resettable)
{
    if (resettable) return bench_status_kb("VmHWM:");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

#endif
