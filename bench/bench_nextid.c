/*
 * pottery_nextid against raw hiredis doing the same fan-out: per id, the same
 * compare-and-set script sent to every master (all requests written, then all replies read),
 * the quorum counted. Over the first master alone, then over every master given; then
 * 4 contending processes on one key, pottery's next to raw hiredis contenders (the same
 * compare-and-set; a refused proposal retried above the highest id the masters answered).
 *
 * Usage: bench_nextid tcp HOST PORT [redis://HOST:PORT/0 ...]
 *        bench_nextid unix SOCKET [redis://HOST:PORT/0 ...]
 * The extra URLs are more masters (scripts/bench.sh may start five); without them the one
 * server is the only master.
 */
#include <inttypes.h>

#include "bench_common.h"

enum { MAX_MASTERS = 16, OPS = 2000, ROUNDS = 5, CONTENDERS = 4, CONTENDED_OPS = 1000, CONTENDED_ROUNDS = 3 };

/* The compare-and-set of src/lua/nextid_propose.lua (the same work on the server). */
static const char cas_script[] = "local held = redis.call('GET', KEYS[1]) "
                                 "local current = held and tonumber(held) or nil "
                                 "if current == nil or current < tonumber(ARGV[1]) then "
                                 "redis.call('SET', KEYS[1], ARGV[1]) return { 1, ARGV[1] } end "
                                 "return { 0, held }";

static char urls[MAX_MASTERS][512];
static size_t nurls;
static redisContext *raw[MAX_MASTERS];
static pottery_client *clients[MAX_MASTERS];
static char sha[64];
static int64_t raw_floor;

static redisContext *raw_connect(const char *url)
{
    char host[256];
    int port;
    redisContext *c = NULL;
    if (strncmp(url, "unix://", 7) == 0)
        c = redisConnectUnix(url + 7);
    else if (sscanf(url, "redis://%255[^:]:%d", host, &port) == 2)
        c = redisConnect(host, port);
    if (!c || c->err) {
        fprintf(stderr, "bench: hiredis connect to %s failed\n", url);
        exit(1);
    }
    return c;
}

/* Raw: one id over n masters, the steady state (floor + 1 accepted by a quorum). */
static void raw_next(size_t n)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, raw_floor + 1);
    const char *argv[] = { "EVALSHA", sha, "1", "bench:nextid:raw", id };
    size_t lens[] = { 7, strlen(sha), 1, 16, strlen(id) };
    for (size_t i = 0; i < n; i++) redisAppendCommandArgv(raw[i], 5, argv, lens);
    for (size_t i = 0; i < n; i++) {
        int done = 0;
        while (!done)
            if (redisBufferWrite(raw[i], &done) != REDIS_OK) bench_die("raw write");
    }
    size_t yes = 0;
    for (size_t i = 0; i < n; i++) {
        void *reply = NULL;
        if (redisGetReply(raw[i], &reply) != REDIS_OK || !reply) bench_die("raw reply");
        redisReply *r = reply;
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->integer == 1) yes++;
        freeReplyObject(reply);
    }
    if (yes < n / 2 + 1) bench_die("raw quorum");
    raw_floor++;
}

static void run_compare(size_t n)
{
    pottery_nextid *gen;
    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    opts.key = "bench:pottery";
    if (pottery_nextid_new(&gen, clients, n, &opts) < 0 || pottery_nextid_reset(gen) < 0) bench_die("nextid");
    for (size_t i = 0; i < n; i++) freeReplyObject(redisCommand(raw[i], "DEL bench:nextid:raw"));
    raw_floor = 0;
    int64_t id;
    if (pottery_nextid_next(&id, gen) < 0) bench_die("next"); /* the first id reads */
    raw_next(n);

    double best_raw = 1e30, best_pot = 1e30, ratios[ROUNDS * 4];
    int slice = OPS / 4, rounds = ROUNDS * 4;
    pottery_client_stats before, after;
    pottery_client_stats_get(&before, clients[0]);
    for (int r = 0; r < rounds; r++) {
        double t0 = bench_now();
        for (int k = 0; k < slice; k++) raw_next(n);
        double t1 = bench_now();
        for (int k = 0; k < slice; k++)
            if (pottery_nextid_next(&id, gen) < 0) bench_die("next");
        double t2 = bench_now();
        if (t1 - t0 < best_raw) best_raw = t1 - t0;
        if (t2 - t1 < best_pot) best_pot = t2 - t1;
        ratios[r] = (t1 - t0) / (t2 - t1);
    }
    pottery_client_stats_get(&after, clients[0]);
    qsort(ratios, (size_t)rounds, sizeof *ratios, bench_cmp_double);
    double median = (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2;
    char name[64];
    snprintf(name, sizeof name, "next, %zu master%s", n, n == 1 ? "" : "s");
    printf("%-28s %12.0f %12.0f %7.3f %10.2f %10.2f\n", name, slice / best_pot, slice / best_raw, median,
           (double)(after.round_trips - before.round_trips) / (slice * rounds),
           (double)(after.commands - before.commands) / (slice * rounds));
    bench_row(name, slice / best_pot, slice / best_raw, median,
              (double)(after.round_trips - before.round_trips) / (slice * rounds));
    pottery_nextid_free(gen);
}

/* The contenders' shared settings. */
typedef struct contention {
    size_t n;
    const char *key; /* the Redis key */
} contention;

/* pottery: its own clients and generator, CONTENDED_OPS ids. */
static int pottery_contender(bench_proc *me, void *arg)
{
    const contention *c = arg;
    pottery_client *mine[MAX_MASTERS];
    for (size_t i = 0; i < c->n; i++)
        if (pottery_client_open(&mine[i], urls[i], NULL) < 0) bench_die("pottery_client_open");
    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    opts.key = c->key + strlen("nextid:");
    opts.num_tries = 1000;
    pottery_nextid *gen;
    if (pottery_nextid_new(&gen, mine, c->n, &opts) < 0) bench_die("pottery_nextid_new");
    int64_t id, last = 0;
    bench_proc_go(me);
    for (int k = 0; k < CONTENDED_OPS; k++) {
        if (pottery_nextid_next(&id, gen) < 0) bench_die("contended next");
        if (id <= last) {
            fprintf(stderr, "bench: pottery contender got %" PRId64 " after %" PRId64 "\n", id, last);
            return 1;
        }
        last = id;
    }
    me->end = bench_now();
    pottery_client_stats st;
    pottery_client_stats_get(&st, mine[0]);
    me->round_trips = st.round_trips;
    me->commands = st.commands;
    pottery_nextid_free(gen);
    for (size_t i = 0; i < c->n; i++) pottery_client_free(mine[i]);
    return 0;
}

/* Raw hiredis: propose floor + 1 to every master (all sent, then all read); a quorum of
 * yes is the id, else the floor rises to the highest id a refusal answered, and again. */
static int raw_contender(bench_proc *me, void *arg)
{
    const contention *c = arg;
    redisContext *mine[MAX_MASTERS];
    for (size_t i = 0; i < c->n; i++) mine[i] = raw_connect(urls[i]);
    int64_t floor = 0, last = 0;
    char id[24];
    const char *argv[] = { "EVALSHA", sha, "1", c->key, id };
    size_t lens[] = { 7, strlen(sha), 1, strlen(c->key), 0 };
    bench_proc_go(me);
    for (int k = 0; k < CONTENDED_OPS; k++) {
        for (int tries = 0;; tries++) {
            if (tries == 1000) {
                fprintf(stderr, "bench: raw contender: no quorum after 1000 tries\n");
                return 1;
            }
            lens[4] = (size_t)snprintf(id, sizeof id, "%" PRId64, floor + 1);
            for (size_t i = 0; i < c->n; i++) redisAppendCommandArgv(mine[i], 5, argv, lens);
            for (size_t i = 0; i < c->n; i++) {
                int done = 0;
                while (!done)
                    if (redisBufferWrite(mine[i], &done) != REDIS_OK) bench_die("raw write");
            }
            size_t yes = 0;
            int64_t held_max = floor;
            for (size_t i = 0; i < c->n; i++) {
                void *reply = NULL;
                if (redisGetReply(mine[i], &reply) != REDIS_OK || !reply) bench_die("raw reply");
                redisReply *r = reply;
                if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[1]->type != REDIS_REPLY_STRING)
                    bench_die("raw reply shape");
                if (r->element[0]->integer == 1) {
                    yes++;
                } else {
                    int64_t held = strtoll(r->element[1]->str, NULL, 10);
                    if (held > held_max) held_max = held;
                }
                freeReplyObject(reply);
            }
            if (yes >= c->n / 2 + 1) {
                floor++;
                break;
            }
            floor = held_max;
        }
        if (floor <= last) {
            fprintf(stderr, "bench: raw contender got %" PRId64 " after %" PRId64 "\n", floor, last);
            return 1;
        }
        last = floor;
    }
    me->end = bench_now();
    for (size_t i = 0; i < c->n; i++) redisFree(mine[i]);
    return 0;
}

/* The highest id any of the n masters holds under key. */
static int64_t held_max(size_t n, const char *key)
{
    int64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        redisReply *r = redisCommand(raw[i], "GET %s", key);
        if (r && r->type == REDIS_REPLY_STRING && strtoll(r->str, NULL, 10) > max) max = strtoll(r->str, NULL, 10);
        if (r) freeReplyObject(r);
    }
    return max;
}

/* CONTENDERS processes on one key, CONTENDED_OPS ids each, raw and pottery in alternating
 * rounds (each with its own clients). Every contender must finish with increasing ids, and
 * the masters must hold at least every id handed out (ids are never handed out twice). */
static void run_contended(size_t n)
{
    const char *names[2] = { "raw hiredis", "pottery" };
    const char *keys[2] = { "nextid:bench:contended:raw", "nextid:bench:contended" };
    double best[2] = { 1e30, 1e30 }, walls[2], ratios[CONTENDED_ROUNDS];
    uint64_t round_trips = 0, commands = 0;
    for (int r = 0; r < CONTENDED_ROUNDS; r++) {
        for (int k = 0; k < 2; k++) {
            int pot = (r + k) % 2; /* each side goes first every other round */
            contention c = { n, keys[pot] };
            for (size_t i = 0; i < n; i++) bench_raw_del(raw[i], keys[pot], NULL);
            bench_proc procs[CONTENDERS];
            if (bench_procs_run(CONTENDERS, pot ? pottery_contender : raw_contender, &c, procs) < 0) {
                fprintf(stderr, "bench: FAILED: a %s NextID contender did not finish\n", names[pot]);
                exit(1);
            }
            int64_t top = held_max(n, keys[pot]);
            if (top < CONTENDERS * CONTENDED_OPS) {
                fprintf(stderr, "bench: FAILED: %s contenders got %d ids but the masters hold %" PRId64 "\n",
                        names[pot], CONTENDERS * CONTENDED_OPS, top);
                exit(1);
            }
            double fair;
            bench_procs_span(procs, CONTENDERS, &walls[pot], &fair);
            if (walls[pot] < best[pot]) best[pot] = walls[pot];
            if (pot)
                for (int p = 0; p < CONTENDERS; p++) {
                    round_trips += procs[p].round_trips;
                    commands += procs[p].commands;
                }
        }
        ratios[r] = walls[0] / walls[1];
    }
    qsort(ratios, CONTENDED_ROUNDS, sizeof *ratios, bench_cmp_double);
    double ids = (double)CONTENDERS * CONTENDED_OPS;
    char name[64];
    snprintf(name, sizeof name, "next, %zu master%s, %d procs", n, n == 1 ? "" : "s", CONTENDERS);
    printf("%-28s %12.0f %12.0f %7.3f %10.2f %10.2f\n", name, ids / best[1], ids / best[0],
           ratios[CONTENDED_ROUNDS / 2], (double)round_trips / (ids * CONTENDED_ROUNDS),
           (double)commands / (ids * CONTENDED_ROUNDS));
    bench_row(name, ids / best[1], ids / best[0], ratios[CONTENDED_ROUNDS / 2],
              (double)round_trips / (ids * CONTENDED_ROUNDS));
}

int main(int argc, char **argv)
{
    int first_extra;
    if (argc >= 4 && strcmp(argv[1], "tcp") == 0) {
        snprintf(urls[0], sizeof urls[0], "redis://%s:%s/0", argv[2], argv[3]);
        first_extra = 4;
        bench_rows_source(argv[0], "tcp");
    } else if (argc >= 3 && strcmp(argv[1], "unix") == 0) {
        snprintf(urls[0], sizeof urls[0], "unix://%s", argv[2]);
        first_extra = 3;
        bench_rows_source(argv[0], "unix");
    } else {
        fprintf(stderr, "usage: %s tcp HOST PORT [URL...] | unix SOCKET [URL...]\n", argv[0]);
        return 2;
    }
    nurls = 1;
    for (int a = first_extra; a < argc && nurls < MAX_MASTERS; a++)
        snprintf(urls[nurls++], sizeof urls[0], "%s", argv[a]);
    for (size_t i = 0; i < nurls; i++) {
        raw[i] = raw_connect(urls[i]);
        if (pottery_client_open(&clients[i], urls[i], NULL) < 0) bench_die("pottery_client_open");
        redisReply *r = redisCommand(raw[i], "SCRIPT LOAD %s", cas_script);
        if (!r || r->type != REDIS_REPLY_STRING) bench_die("SCRIPT LOAD");
        snprintf(sha, sizeof sha, "%s", r->str);
        freeReplyObject(r);
    }

    bench_header("NextID: ids/s, steady state (rtt/op and cmds/op on one master)");
    run_compare(1);
    if (nurls > 1) run_compare(nurls);
    run_contended(1);
    if (nurls > 1) run_contended(nurls);
    printf("* ratio: median over alternating rounds of pottery speed / raw hiredis speed. %d procs: %d\n"
           "  processes x %d ids on one key, %d rounds per side, ids/s of the best round; the raw side\n"
           "  retries a refused proposal above the highest id the masters answered.\n",
           CONTENDERS, CONTENDERS, CONTENDED_OPS, CONTENDED_ROUNDS);

    for (size_t i = 0; i < nurls; i++) {
        redisFree(raw[i]);
        pottery_client_free(clients[i]);
    }
    return 0;
}
