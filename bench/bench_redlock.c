/*
 * Redlock next to raw hiredis doing the same fan-out (every request sent, then every reply
 * read), over 1 and over N masters, in alternating rounds of the same run: the plain and the
 * fenced acquire, and a watchdog's renewal tick over many locks (one script call per
 * master) next to raw hiredis making the same script calls. Then under
 * contention: 4 processes x 200 critical sections on one key over the N masters, through
 * pottery_synchronize, next to raw hiredis contenders doing the same protocol by hand.
 *
 * Usage: bench_redlock URL [URL...]   (redis://host:port/db of each master; 5 in production)
 */
#include <limits.h>

#include "bench_common.h"

#define MAX_MASTERS 16
#define OPS 2000
#define ROUNDS 5

/* Contention: CONTENDERS processes x SECTIONS critical sections on one lock, per round. */
#define CONTENDERS 4
#define SECTIONS 200
#define CONTENDED_ROUNDS 5
#define RETRY_DELAY_MS 2          /* both sides sleep a random 0 to this many ms between attempts */
#define SECTION_WAIT_MS 30000     /* a contender that waits longer for one section fails the run */
#define LEASE_MS 10000            /* pottery's default lease, on both sides */
#define CONTENDED_KEY "contended" /* the lock is redlock:contended on both sides */

/* The scripts the raw side runs: the same compare-and-act as src/lua/redlock_*.lua. */
static const char *const RELEASE = "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end "
                                   "return redis.call('DEL', KEYS[1])";
static const char *const ACQUIRED = "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end "
                                    "local left = redis.call('PTTL', KEYS[1]) if left > 0 then return left end "
                                    "return 0";
static const char *const EXTEND = "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end "
                                  "return redis.call('PEXPIRE', KEYS[1], ARGV[2])";
/* src/lua/redlock_acquire_fenced.lua, redlock_fence_raise.lua, redlock_extend_many.lua. */
static const char *const FENCED = "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end "
                                  "local token = redis.call('INCR', KEYS[2]) "
                                  "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return token";
static const char *const RAISE = "local token = tonumber(ARGV[1]) "
                                 "local now = tonumber(redis.call('GET', KEYS[1]) or '0') or 0 "
                                 "if now < token then redis.call('SET', KEYS[1], ARGV[1]) return token end "
                                 "return now";
static const char *const EXTEND_MANY = "local function renew(key, value, lease) "
                                       "if redis.call('GET', key) ~= value then return 0 end "
                                       "return redis.call('PEXPIRE', key, lease) end "
                                       "local out = {} for i = 1, #ARGV / 3 do "
                                       "out[i] = renew(ARGV[3 * i - 2], ARGV[3 * i - 1], ARGV[3 * i]) end "
                                       "return out";
#define NSCRIPTS 6

typedef struct side {
    size_t n;
    redisContext *raw[MAX_MASTERS];
    pottery_client *clients[MAX_MASTERS];
    pottery_redlock *lock;
    pottery_redlock *fenced; /* the same with the fencing option */
    char sha[NSCRIPTS][41];  /* release, acquired, extend, fenced, raise, extend_many */
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

static redisContext *raw_connect(const char *url)
{
    char host[256];
    int port;
    parse(url, host, sizeof host, &port);
    redisContext *c = redisConnect(host, port);
    if (!c || c->err) {
        fprintf(stderr, "bench_redlock: hiredis connect to %s: %s\n", url, c ? c->errstr : "?");
        exit(1);
    }
    return c;
}

static void side_open(side *s, char **urls, size_t n)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    const char *scripts[NSCRIPTS] = { RELEASE, ACQUIRED, EXTEND, FENCED, RAISE, EXTEND_MANY };
    for (size_t i = 0; i < n; i++) {
        s->raw[i] = raw_connect(urls[i]);
        if (pottery_client_open(&s->clients[i], urls[i], NULL) < 0) die("pottery_client_open");
        for (int k = 0; k < NSCRIPTS; k++) {
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
    opts.fencing = 1;
    if (pottery_redlock_new(&s->fenced, "benchfenced", s->clients, n, &opts) < 0) die("pottery_redlock_new");
}

static void side_close(side *s)
{
    pottery_redlock_free(s->lock);
    pottery_redlock_free(s->fenced);
    for (size_t i = 0; i < s->n; i++) {
        redisFree(s->raw[i]);
        pottery_client_free(s->clients[i]);
    }
}

/* Raw: send argv to every master (only those with to[i] set, when to is given), then read
 * every reply; returns how many were "yes" (OK, or a positive integer), marked in yes[i]
 * when yes is given. */
static size_t fan(redisContext **c, size_t n, const int *to, int argc, const char **argv, const size_t *lens, int *yes)
{
    for (size_t i = 0; i < n; i++)
        if (!to || to[i]) redisAppendCommandArgv(c[i], argc, argv, lens);
    for (size_t i = 0; i < n; i++) { /* every request on the wire before any reply is read */
        int done = !(!to || to[i]);
        while (!done)
            if (redisBufferWrite(c[i], &done) != REDIS_OK) die("raw write");
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (yes) yes[i] = 0;
        if (to && !to[i]) continue;
        redisReply *r;
        if (redisGetReply(c[i], (void **)&r) != REDIS_OK || !r) die("raw reply");
        if (r->type == REDIS_REPLY_STATUS || (r->type == REDIS_REPLY_INTEGER && r->integer > 0)) {
            count++;
            if (yes) yes[i] = 1;
        }
        freeReplyObject(r);
    }
    return count;
}

/* Raw: send argv to every master, then read every reply; returns how many were "yes". */
static size_t raw_fan(side *s, int argc, const char **argv, const size_t *lens)
{
    return fan(s->raw, s->n, NULL, argc, argv, lens, NULL);
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

/* Every appended request on the wire before any reply is read. */
static void flush_all(side *s)
{
    for (size_t i = 0; i < s->n; i++) {
        int done = 0;
        while (!done)
            if (redisBufferWrite(s->raw[i], &done) != REDIS_OK) die("raw write");
    }
}

/* Raw fenced acquire: the script on every master, the largest token; with more than one
 * master the raise sent without waiting (its replies are read before the release's). */
static size_t raw_fenced_acquire(side *s)
{
    const char *argv[7] = { "EVALSHA", s->sha[3], "2", "redlock:rawfenced", "{redlock:rawfenced}:fence",
                            RAW_VALUE, "10000" };
    size_t lens[7];
    for (int i = 0; i < 7; i++) lens[i] = strlen(argv[i]);
    long long token = 0;
    for (size_t i = 0; i < s->n; i++) redisAppendCommandArgv(s->raw[i], 7, argv, lens);
    flush_all(s);
    size_t yes = 0;
    for (size_t i = 0; i < s->n; i++) {
        redisReply *r;
        if (redisGetReply(s->raw[i], (void **)&r) != REDIS_OK || !r) die("raw reply");
        if (r->type == REDIS_REPLY_INTEGER && r->integer > 0) {
            yes++;
            if (r->integer > token) token = r->integer;
        }
        freeReplyObject(r);
    }
    if (yes <= s->n / 2) die("raw fenced acquire: no quorum");
    if (s->n == 1) return 0;
    char text[32];
    snprintf(text, sizeof text, "%lld", token);
    const char *raise[5] = { "EVALSHA", s->sha[4], "1", "{redlock:rawfenced}:fence", text };
    size_t rlens[5];
    for (int i = 0; i < 5; i++) rlens[i] = strlen(raise[i]);
    for (size_t i = 0; i < s->n; i++) redisAppendCommandArgv(s->raw[i], 5, raise, rlens);
    flush_all(s);
    return s->n;
}

static void raw_fenced_release(side *s, size_t owed)
{
    const char *argv[5] = { "EVALSHA", s->sha[0], "1", "redlock:rawfenced", RAW_VALUE };
    size_t lens[5];
    for (int i = 0; i < 5; i++) lens[i] = strlen(argv[i]);
    for (size_t i = 0; i < s->n; i++) redisAppendCommandArgv(s->raw[i], 5, argv, lens);
    flush_all(s);
    for (size_t i = 0; i < s->n; i++)
        for (size_t k = 0; k < (owed ? 2 : 1); k++) {
            redisReply *r;
            if (redisGetReply(s->raw[i], (void **)&r) != REDIS_OK || !r) die("raw reply");
            freeReplyObject(r);
        }
}

typedef enum op { ACQUIRE_RELEASE, LOCKED, EXTEND_OP, FENCED_ACQUIRE_RELEASE } op;

static void run_raw(side *s, op o, int ops)
{
    for (int i = 0; i < ops; i++) {
        if (o == ACQUIRE_RELEASE) {
            raw_acquire(s);
            raw_eval(s, 0, 0);
        } else if (o == FENCED_ACQUIRE_RELEASE) {
            raw_fenced_release(s, raw_fenced_acquire(s));
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
        case FENCED_ACQUIRE_RELEASE:
            if (pottery_redlock_acquire(&acquired, s->fenced, 0, POTTERY_FOREVER) < 0 || !acquired) die("acquire");
            if (pottery_redlock_release(s->fenced) < 0) die("release");
            break;
        }
    }
}

/* The row for POTTERY_BENCH_ROWS: the operation with its number of masters. */
static void row(const char *name, size_t n, double pottery_per_s, double hiredis_per_s, double ratio, double rtt)
{
    char operation[96];
    snprintf(operation, sizeof operation, "%s, %zu master%s", name, n, n == 1 ? "" : "s");
    bench_row(operation, pottery_per_s, hiredis_per_s, ratio, rtt);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void compare(side *s, const char *name, op o)
{
    int acquired;
    if (o == LOCKED || o == EXTEND_OP) {
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
    row(name, s->n, slice / best_pot, slice / best_raw, median, (double)(rt_after - rt_before) / ops / (double)s->n);
    if (o == LOCKED || o == EXTEND_OP) {
        raw_eval(s, 0, 0);
        if (pottery_redlock_release(s->lock) < 0) die("release");
    }
}

/* ---- a watchdog's renewal tick ---- */

#define WD_LOCKS 100
#define WD_LEASE_MS 60 /* a tick every 20 ms */
#define WD_RUN_MS 2000

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* Raw: the tick's script call, every lock as key, value and lease, on every master. */
static double raw_ticks(side *s, int calls)
{
    enum { ARGC = 3 + 3 * WD_LOCKS };
    static char keys[WD_LOCKS][32];
    static const char *argv[ARGC];
    static size_t lens[ARGC];
    argv[0] = "EVALSHA";
    argv[1] = s->sha[5];
    argv[2] = "0";
    for (int j = 0; j < WD_LOCKS; j++) {
        snprintf(keys[j], sizeof keys[j], "redlock:rawwd%d", j);
        argv[3 + 3 * j] = keys[j];
        argv[4 + 3 * j] = RAW_VALUE;
        argv[5 + 3 * j] = "60000";
        for (size_t i = 0; i < s->n; i++) {
            redisReply *r = redisCommand(s->raw[i], "SET %s %s PX 60000", keys[j], RAW_VALUE);
            if (r) freeReplyObject(r);
        }
    }
    for (int a = 0; a < ARGC; a++) lens[a] = strlen(argv[a]);
    double busy = 0;
    for (int c = 0; c < calls; c++) {
        sleep_ms(WD_LEASE_MS / 3); /* the watchdog's cadence: both sides start each call idle */
        double t0 = now();
        for (size_t i = 0; i < s->n; i++) redisAppendCommandArgv(s->raw[i], ARGC, argv, lens);
        flush_all(s);
        for (size_t i = 0; i < s->n; i++) {
            redisReply *r;
            if (redisGetReply(s->raw[i], (void **)&r) != REDIS_OK || !r || r->type != REDIS_REPLY_ARRAY ||
                r->elements != WD_LOCKS)
                die("raw extend_many");
            freeReplyObject(r);
        }
        busy += now() - t0;
    }
    double mean = busy / calls;
    for (int j = 0; j < WD_LOCKS; j++)
        for (size_t i = 0; i < s->n; i++) bench_raw_del(s->raw[i], keys[j], NULL);
    return mean;
}

/* pottery: WD_LOCKS locks on a watchdog for WD_RUN_MS; its ticks' time from its statistics. */
static void watchdog_tick(char **urls, size_t n)
{
    side s;
    side_open(&s, urls, n);
    pottery_watchdog *wd;
    if (pottery_watchdog_new(&wd, (const char *const *)urls, n, NULL) < 0) die("pottery_watchdog_new");
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.auto_release_time_ms = WD_LEASE_MS;
    opts.watchdog_max_hold_ms = POTTERY_FOREVER;
    pottery_redlock *locks[WD_LOCKS];
    for (int j = 0; j < WD_LOCKS; j++) {
        char key[32];
        int acquired;
        snprintf(key, sizeof key, "wd%d", j);
        if (pottery_redlock_new(&locks[j], key, s.clients, n, &opts) < 0) die("pottery_redlock_new");
        if (pottery_redlock_acquire(&acquired, locks[j], 1, 1000) < 0 || !acquired) die("acquire");
        if (pottery_redlock_watch(locks[j], wd) < 0) die("pottery_redlock_watch");
    }
    pottery_watchdog_stats before, after;
    pottery_watchdog_stats_get(&before, wd);
    sleep_ms(WD_RUN_MS);
    pottery_watchdog_stats_get(&after, wd);
    int lost = 0;
    for (int j = 0; j < WD_LOCKS; j++) {
        lost += pottery_redlock_lost(locks[j]) != 0;
        (void)pottery_redlock_release(locks[j]);
        pottery_redlock_free(locks[j]);
    }
    pottery_watchdog_free(wd);
    if (lost) { /* the renewer starved past a lease by a loaded machine: no figure to give */
        fprintf(stderr,
                "bench_redlock: watchdog tick over %zu master%s: %d watched lock%s lost (the process was starved "
                "past its %d ms lease); line left out\n",
                n, n == 1 ? "" : "s", lost, lost == 1 ? "" : "s", WD_LEASE_MS);
        side_close(&s);
        return;
    }
    uint64_t ticks = after.ticks - before.ticks;
    double per_tick = (double)(after.busy_ns - before.busy_ns) / 1e9 / (double)ticks;
    double raw = raw_ticks(&s, (int)ticks);
    char name[32];
    snprintf(name, sizeof name, "watchdog tick %d locks", WD_LOCKS);
    /* Means on both sides: the watchdog's ticks cannot be timed one by one from here. */
    printf("%-24s %8zu %12.0f %12.0f %7.3f %14.2f\n", name, n, 1 / per_tick, 1 / raw, raw / per_tick,
           (double)(after.calls - before.calls) / (double)ticks);
    row(name, n, 1 / per_tick, 1 / raw, raw / per_tick, (double)(after.calls - before.calls) / (double)ticks);
    side_close(&s);
}

/* ---- under contention ---- */

/* The counter the critical sections increment, on master 0. */
static const char COUNTER[] = "bench:contended:count";

typedef struct contention {
    char **urls;
    size_t n;
    char release_sha[41];
} contention;

/* The critical section, the same on both sides: GET the counter on master 0, then SET it
 * one higher (two round trips). Not atomic on purpose: two holders at once would lose an
 * increment, and the final count would show it. */
static int critical_section(void *payload)
{
    redisContext *c = payload;
    redisReply *r = redisCommand(c, "GET %s", COUNTER);
    if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL)) {
        fprintf(stderr, "bench_redlock: critical section GET failed\n");
        return -1;
    }
    long long v = r->type == REDIS_REPLY_STRING ? strtoll(r->str, NULL, 10) : 0;
    freeReplyObject(r);
    r = redisCommand(c, "SET %s %lld", COUNTER, v + 1);
    int ok = r && r->type == REDIS_REPLY_STATUS;
    if (r) freeReplyObject(r);
    if (!ok) fprintf(stderr, "bench_redlock: critical section SET failed\n");
    return ok ? 0 : -1;
}

/* pottery: each section is one pottery_synchronize (acquire, section, release). */
static int pottery_contender(bench_proc *me, void *arg)
{
    const contention *c = arg;
    pottery_client *mine[MAX_MASTERS];
    for (size_t i = 0; i < c->n; i++)
        if (pottery_client_open(&mine[i], c->urls[i], NULL) < 0) die("pottery_client_open");
    redisContext *counter = raw_connect(c->urls[0]);
    pottery_redlock_options opts;
    pottery_redlock_options_init(&opts);
    opts.retry_delay_ms = RETRY_DELAY_MS;
    opts.context_manager_timeout_ms = SECTION_WAIT_MS;
    bench_proc_go(me);
    for (int k = 0; k < SECTIONS; k++)
        if (pottery_synchronize(CONTENDED_KEY, mine, c->n, &opts, critical_section, counter) != 0)
            die("pottery_synchronize");
    me->end = now();
    for (size_t i = 0; i < c->n; i++) {
        pottery_client_stats st;
        pottery_client_stats_get(&st, mine[i]);
        me->round_trips += st.round_trips;
        me->commands += st.commands;
        pottery_client_free(mine[i]);
    }
    redisFree(counter);
    return 0;
}

/* A fresh uuid4-shaped value for each attempt, as pottery writes. */
static void raw_value(char *out, size_t size, uint64_t *rng)
{
    uint64_t a = bench_rand(rng), b = bench_rand(rng);
    snprintf(out, size, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
             (unsigned)a & 0xfff, (unsigned)(b >> 48 & 0x3fff) | 0x8000, (unsigned long long)(b & 0xffffffffffffULL));
}

/* Raw hiredis by hand: SET NX PX on every master (all sent, then all read), quorum and
 * validity check; on failure the compare-and-delete where it got the key, then a random
 * 0 to RETRY_DELAY_MS ms and again. The section, then the compare-and-delete everywhere. */
static int raw_contender(bench_proc *me, void *arg)
{
    const contention *c = arg;
    redisContext *m[MAX_MASTERS];
    for (size_t i = 0; i < c->n; i++) m[i] = raw_connect(c->urls[i]);
    redisContext *counter = raw_connect(c->urls[0]);
    uint64_t rng = bench_rand_seed(me->index);
    const size_t quorum = c->n / 2 + 1;
    const double drift_ms = LEASE_MS / 100 + 2;
    const char *key = "redlock:" CONTENDED_KEY;
    char value[40], lease[16];
    snprintf(lease, sizeof lease, "%d", LEASE_MS);
    const char *set[6] = { "SET", key, value, "PX", lease, "NX" };
    const char *del[5] = { "EVALSHA", c->release_sha, "1", key, value };
    size_t set_lens[6], del_lens[5];
    int got[MAX_MASTERS];
    bench_proc_go(me);
    for (int k = 0; k < SECTIONS; k++) {
        double began = now();
        for (;;) {
            raw_value(value, sizeof value, &rng);
            for (int a = 0; a < 6; a++) set_lens[a] = strlen(set[a]);
            for (int a = 0; a < 5; a++) del_lens[a] = strlen(del[a]);
            double t0 = now();
            size_t yes = fan(m, c->n, NULL, 6, set, set_lens, got);
            if (yes >= quorum && LEASE_MS - (now() - t0) * 1000 - drift_ms > 0) break;
            if (yes > 0) fan(m, c->n, got, 5, del, del_lens, NULL); /* undo the partial lock */
            if ((now() - began) * 1000 > SECTION_WAIT_MS) {
                fprintf(stderr, "bench_redlock: a raw contender waited over %d ms for the lock\n", SECTION_WAIT_MS);
                return 1;
            }
            bench_jitter(&rng, RETRY_DELAY_MS * 1000L);
        }
        if (critical_section(counter) != 0) return 1;
        if (fan(m, c->n, NULL, 5, del, del_lens, NULL) < quorum) {
            fprintf(stderr, "bench_redlock: a raw contender lost the lock in its critical section\n");
            return 1;
        }
    }
    me->end = now();
    for (size_t i = 0; i < c->n; i++) redisFree(m[i]);
    redisFree(counter);
    return 0;
}

/* Alternating rounds of raw and pottery contenders; every round must count every section. */
static void contended(char **urls, size_t n)
{
    side s;
    side_open(&s, urls, n);
    contention c;
    c.urls = urls;
    c.n = n;
    snprintf(c.release_sha, sizeof c.release_sha, "%s", s.sha[0]);
    double best[2] = { 1e30, 1e30 }, worst_fair[2] = { 0, 0 }, ratios[CONTENDED_ROUNDS];
    double walls[2];
    uint64_t round_trips = 0;
    const char *names[2] = { "raw hiredis", "pottery" };
    for (int r = 0; r < CONTENDED_ROUNDS; r++) {
        for (int k = 0; k < 2; k++) {
            int pot = (r + k) % 2; /* each side goes first every other round */
            bench_raw_del(s.raw[0], COUNTER, NULL);
            for (size_t i = 0; i < n; i++) bench_raw_del(s.raw[i], "redlock:" CONTENDED_KEY, NULL);
            bench_proc procs[CONTENDERS];
            if (bench_procs_run(CONTENDERS, pot ? pottery_contender : raw_contender, &c, procs) < 0) {
                fprintf(stderr, "bench_redlock: FAILED: a %s contender did not finish\n", names[pot]);
                exit(1);
            }
            redisReply *count = redisCommand(s.raw[0], "GET %s", COUNTER);
            long long got = count && count->type == REDIS_REPLY_STRING ? strtoll(count->str, NULL, 10) : -1;
            if (count) freeReplyObject(count);
            if (got != CONTENDERS * SECTIONS) {
                fprintf(stderr, "bench_redlock: FAILED: %s contenders counted %lld critical sections, not %d\n",
                        names[pot], got, CONTENDERS * SECTIONS);
                exit(1);
            }
            double fair;
            bench_procs_span(procs, CONTENDERS, &walls[pot], &fair);
            if (walls[pot] < best[pot]) best[pot] = walls[pot];
            if (fair > worst_fair[pot]) worst_fair[pot] = fair;
            if (pot)
                for (int p = 0; p < CONTENDERS; p++) round_trips += procs[p].round_trips;
        }
        ratios[r] = walls[0] / walls[1];
    }
    bench_raw_del(s.raw[0], COUNTER, NULL);
    side_close(&s);
    qsort(ratios, CONTENDED_ROUNDS, sizeof *ratios, cmp);
    double sections = (double)CONTENDERS * SECTIONS;
    char name[32];
    snprintf(name, sizeof name, "contended %dx%d", CONTENDERS, SECTIONS);
    printf("%-24s %8zu %12.0f %12.0f %7.3f %14.2f\n", name, n, sections / best[1], sections / best[0],
           ratios[CONTENDED_ROUNDS / 2], (double)round_trips / (sections * CONTENDED_ROUNDS) / (double)n);
    row(name, n, sections / best[1], sections / best[0], ratios[CONTENDED_ROUNDS / 2],
        (double)round_trips / (sections * CONTENDED_ROUNDS) / (double)n);
    printf("%-24s %8zu %12.2f %12.2f %7s %14s\n", "  fairness (worst)", n, worst_fair[1], worst_fair[0], "-", "-");
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc - 1 > MAX_MASTERS) {
        fprintf(stderr, "usage: %s URL [URL...]  (up to %d masters)\n", argv[0], MAX_MASTERS);
        return 2;
    }
    size_t counts[2] = { 1, (size_t)(argc - 1) };
    bench_rows_source(argv[0], "tcp");
    printf("%-24s %8s %12s %12s %7s %14s\n", "operation", "masters", "pottery/s", "hiredis/s", "ratio*",
           "rtt/op/master");
    for (int c = 0; c < (counts[1] > 1 ? 2 : 1); c++) {
        side s;
        side_open(&s, argv + 1, counts[c]);
        compare(&s, "redlock acquire+release", ACQUIRE_RELEASE);
        compare(&s, "redlock locked", LOCKED);
        compare(&s, "redlock extend", EXTEND_OP);
        compare(&s, "fenced acquire+release", FENCED_ACQUIRE_RELEASE);
        side_close(&s);
        watchdog_tick(argv + 1, counts[c]);
    }
    contended(argv + 1, counts[1]);
    printf("* ratio: median over alternating rounds of pottery speed / raw hiredis speed (same fan-out).\n");
    printf("watchdog tick: %d locks watched for %d ms (%d ms lease, a tick every third); pottery: its mean\n"
           "  tick (statistics' busy time / ticks), raw: the mean of as many EVALSHA extend_many calls carrying\n"
           "  every lock, on every master at once, one every 20 ms as the ticks; last column: script calls per master "
           "per tick.\n",
           WD_LOCKS, WD_RUN_MS, WD_LEASE_MS);
    printf("contended: %d processes x %d critical sections on one lock over %zu master%s, %d rounds per side;\n"
           "  each section a GET then SET of a counter on master 0 (the count is checked: %d per round);\n"
           "  pottery: pottery_synchronize with retry_delay_ms = %d; raw: SET NX PX on every master, quorum,\n"
           "  compare-and-delete of a partial lock, random 0-%d ms before retrying. locks/s: best round;\n"
           "  fairness: slowest process's time / fastest's, worst round.\n",
           CONTENDERS, SECTIONS, counts[1], counts[1] == 1 ? "" : "s", CONTENDED_ROUNDS, CONTENDERS * SECTIONS,
           RETRY_DELAY_MS, RETRY_DELAY_MS);
    return 0;
}
