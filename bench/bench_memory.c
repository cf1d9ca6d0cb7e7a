/*
 * Peak memory while iterating a 1,000,000-field dict and a 1,000,000-member set: libpottery's
 * SCAN iterators (pottery_dict_iter, pottery_set_iter) next to raw hiredis looping over the
 * same HSCAN / SSCAN commands, and, for scale, raw hiredis reading the whole key in one
 * reply (HGETALL / SMEMBERS).
 *
 * Raw hiredis fills both keys (pipelined HSET / SADD of 1,000 at a time, pottery's JSON
 * layout). Each measurement runs in a fresh child process with its own connection: the peak
 * resident set (VmHWM) is reset to the current one, the key is iterated to the end, and the
 * growth of the peak is what the iteration held at once. Also printed: the seconds each
 * iteration took, and the round trips libpottery made.
 *
 * With POTTERY_BENCH_ROWS set, each line is appended as a row of: module, operation,
 * transport, libpottery's peak growth (kB), raw hiredis' (kB; -1: not measured), hiredis
 * seconds / libpottery seconds, libpottery's round trips.
 *
 * Usage: bench_memory tcp HOST PORT | unix SOCKET
 */
#include "bench_common.h"

enum { ELEMENTS = 1000000, FILL_BATCH = 1000, FILL_PIPELINE = 16 };

static const char dict_key[] = "bench:memory:dict", set_key[] = "bench:memory:set";

/* Fill key with ELEMENTS entries: HSET key "\"k<i>\"" <i> (dict) or SADD key <i> (set),
 * FILL_BATCH per command, FILL_PIPELINE commands in flight. */
static void fill(redisContext *c, const char *verb, const char *key, int pairs)
{
    static char text[FILL_BATCH][2][24];
    static const char *argv[2 + 2 * FILL_BATCH];
    static size_t lens[2 + 2 * FILL_BATCH];
    argv[0] = verb;
    lens[0] = strlen(verb);
    argv[1] = key;
    lens[1] = strlen(key);
    int pending = 0;
    for (int from = 0; from < ELEMENTS; from += FILL_BATCH) {
        int argc = 2;
        for (int i = 0; i < FILL_BATCH; i++) {
            if (pairs) {
                argv[argc] = text[i][0];
                lens[argc++] = bench_json_name(text[i][0], sizeof text[i][0], 'k', from + i);
            }
            argv[argc] = text[i][1];
            lens[argc++] = (size_t)snprintf(text[i][1], sizeof text[i][1], "%d", from + i);
        }
        if (redisAppendCommandArgv(c, argc, argv, lens) != REDIS_OK) bench_die("fill");
        if (++pending == FILL_PIPELINE) {
            bench_raw_replies(c, pending, "fill");
            pending = 0;
        }
    }
    bench_raw_replies(c, pending, "fill");
}

/* ---- what a child measures ---- */

typedef enum how { POTTERY_ITER, RAW_SCAN, RAW_WHOLE } how;

typedef struct result {
    long seen;        /* elements iterated (-1: failed) */
    long growth_kb;   /* growth of the peak RSS */
    double secs;      /* the iteration's time */
    long round_trips; /* libpottery's */
} result;

static long pottery_iterate(result *r, const char *url, int is_dict)
{
    pottery_client *c = NULL;
    pottery_dict *d = NULL;
    pottery_set *s = NULL;
    pottery_dict_iter *di = NULL;
    pottery_set_iter *si = NULL;
    if (pottery_client_open(&c, url, NULL) < 0) return -1;
    int rc = is_dict ? pottery_dict_open(&d, c, dict_key, NULL) : pottery_set_open(&s, c, set_key, NULL);
    if (rc == 0) rc = is_dict ? pottery_dict_iter_new(&di, d) : pottery_set_iter_new(&si, s);
    long count = 0;
    pottery_client_stats before, after;
    pottery_client_stats_get(&before, c);
    if (rc == 0) {
        pottery_value k = POTTERY_VALUE_INIT, v = POTTERY_VALUE_INIT;
        while ((rc = is_dict ? pottery_dict_iter_next(&k, &v, di) : pottery_set_iter_next(&v, si)) == 0) count++;
        pottery_value_dispose(&k);
        pottery_value_dispose(&v);
    }
    pottery_client_stats_get(&after, c);
    r->round_trips = (long)(after.round_trips - before.round_trips);
    pottery_dict_iter_free(di);
    pottery_set_iter_free(si);
    pottery_dict_free(d);
    pottery_set_free(s);
    pottery_client_free(c);
    return rc == POTTERY_EITEROVER ? count : -1;
}

/* Raw hiredis: HSCAN/SSCAN with the COUNT libpottery asks for until the cursor is back to 0,
 * or the whole key in one reply. */
static long raw_iterate(const char *url, int is_dict, int whole)
{
    redisContext *c = strncmp(url, "unix://", 7) == 0 ? redisConnectUnix(url + 7) : NULL;
    if (!c) {
        char host[256];
        int port;
        if (sscanf(url, "redis://%255[^:]:%d", host, &port) != 2) return -1;
        c = redisConnect(host, port);
    }
    if (!c || c->err) return -1;
    const char *key = is_dict ? dict_key : set_key;
    long count = 0;
    if (whole) {
        redisReply *r = redisCommand(c, is_dict ? "HGETALL %s" : "SMEMBERS %s", key);
        if (!r || r->type != REDIS_REPLY_ARRAY)
            count = -1;
        else
            count = (long)(is_dict ? r->elements / 2 : r->elements);
        freeReplyObject(r);
        redisFree(c);
        return count;
    }
    count = (long)bench_raw_scan(c, is_dict ? "HSCAN" : "SSCAN", key, is_dict ? 1 : 0, is_dict ? 2 : 1);
    redisFree(c);
    return count;
}

/* In a fresh child: reset the peak, iterate, report. */
static result measure(const char *url, int is_dict, how h)
{
    int fds[2];
    if (pipe(fds) != 0) bench_die("pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) bench_die("fork");
    if (pid == 0) {
        close(fds[0]);
        result r = { -1, 0, 0, 0 };
        int resettable = bench_peak_reset();
        long before = resettable ? bench_status_kb("VmRSS:") : bench_peak_kb(0);
        double t0 = bench_now();
        r.seen = h == POTTERY_ITER ? pottery_iterate(&r, url, is_dict) : raw_iterate(url, is_dict, h == RAW_WHOLE);
        r.secs = bench_now() - t0;
        r.growth_kb = bench_peak_kb(resettable) - before;
        ssize_t w = write(fds[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fds[1]);
    result r = { -1, 0, 0, 0 };
    ssize_t got = read(fds[0], &r, sizeof r);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (got != (ssize_t)sizeof r || r.seen != ELEMENTS) {
        fprintf(stderr, "bench_memory: a %s iteration saw %ld of %d elements\n", is_dict ? "dict" : "set", r.seen,
                ELEMENTS);
        exit(1);
    }
    return r;
}

static void report(const char *module, const char *operation, const result *pot, const result *raw)
{
    bench_rows_module(module);
    if (pot) {
        printf("%-8s %-32s %10.1f %10.1f %9.2f %9.2f %8ld\n", module, operation, pot->growth_kb / 1024.0,
               raw->growth_kb / 1024.0, pot->secs, raw->secs, pot->round_trips);
        bench_row(operation, (double)pot->growth_kb, (double)raw->growth_kb, raw->secs / pot->secs,
                  (double)pot->round_trips);
    } else {
        printf("%-8s %-32s %10s %10.1f %9s %9.2f %8s\n", module, operation, "-", raw->growth_kb / 1024.0, "-",
               raw->secs, "-");
        bench_row(operation, -1, (double)raw->growth_kb, 0, 0);
    }
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    bench_raw_del(t.raw, dict_key, set_key, NULL);
    fill(t.raw, "HSET", dict_key, 1);
    fill(t.raw, "SADD", set_key, 0);

    printf("\nPeak memory while iterating %d elements (growth of the peak RSS, MB; a fresh process each)\n", ELEMENTS);
    printf("%-8s %-32s %10s %10s %9s %9s %8s\n", "module", "operation", "pottery MB", "hiredis MB", "pottery s",
           "hiredis s", "rtt");
    result pot = measure(t.url, 1, POTTERY_ITER), raw = measure(t.url, 1, RAW_SCAN);
    report("dict", "iterate 1,000,000 items (HSCAN)", &pot, &raw);
    raw = measure(t.url, 1, RAW_WHOLE);
    report("dict", "whole, one reply (HGETALL)", NULL, &raw);
    pot = measure(t.url, 0, POTTERY_ITER);
    raw = measure(t.url, 0, RAW_SCAN);
    report("set", "iterate 1,000,000 members (SSCAN)", &pot, &raw);
    raw = measure(t.url, 0, RAW_WHOLE);
    report("set", "whole, one reply (SMEMBERS)", NULL, &raw);
    printf("libpottery's iterators hold one SCAN batch at a time, as the raw loop does; the raw\n"
           "one-reply read shows what holding the whole key costs.\n");

    bench_raw_del(t.raw, dict_key, set_key, NULL);
    bench_close(&t);
    return 0;
}
