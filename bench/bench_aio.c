/*
 * The event-loop Redlock and NextID (aioredlock.h, aionextid.h) next to their blocking
 * counterparts (redlock.h, nextid.h) doing the same work over the same masters, in
 * alternating rounds of the same run: acquire+release cycles and ids per second with 1, 10
 * and 100 operations in flight on one loop thread (k handles on k keys, each starting its
 * next operation from its callback), against the blocking handle doing them one after
 * another. On libevent, and on libuv too when its adapter is built.
 *
 * Usage: bench_aio URL [URL...]   (redis://host:port/db of each master; 5 in production)
 */
#include <inttypes.h>

#include <pottery/aionextid.h>
#include <pottery/aioredlock.h>

#include "bench_common.h"
#include "support/loop_kinds.h"

enum {
    MAX_MASTERS = 16,
    MAX_FLIGHT = 100,
    BLOCKING_OPS = 500, /* operations per round of the blocking side */
    ASYNC_OPS = 1000,   /* per round of the event-loop side, at least 20 per handle in flight */
    ROUNDS = 11         /* measured rounds per side and line, after one warm-up round */
};

static const int flights[] = { 1, 10, 100 };

/* ---- the event loops ---- */

static const loop_kind *const kinds[] = {
    &loop_kind_libevent,
#ifdef LOOP_KINDS_LIBUV
    &loop_kind_libuv,
#endif
};

/* ---- both sides, over the same masters ---- */

typedef enum work { LOCK, IDS } work;

static size_t nmasters;
static pottery_client *clients[MAX_MASTERS]; /* the blocking side */
static pottery_redlock *blocking_lock;
static pottery_nextid *blocking_ids;
static int64_t blocking_last_id;

static const loop_kind *kind;
static void *native;
static pottery_async *conns[MAX_MASTERS]; /* the event-loop side */

/* One operation in flight: a handle that starts its next operation from its callback. */
typedef struct flight {
    pottery_aioredlock *lock;
    pottery_aionextid *ids;
    int64_t last_id;
} flight;

static flight handles[MAX_FLIGHT];
static work running;
static int started, completed, target;

static void start_next(flight *f);

static void on_next(int status, int64_t id, void *payload)
{
    flight *f = payload;
    if (status < 0) bench_die("pottery_aionextid_next");
    if (id <= f->last_id) {
        fprintf(stderr, "bench: %s gave %" PRId64 " after %" PRId64 "\n", pottery_aionextid_key(f->ids), id,
                f->last_id);
        exit(1);
    }
    f->last_id = id;
    completed++;
    start_next(f);
}

static void on_released(int status, void *payload)
{
    if (status < 0) bench_die("pottery_aioredlock_release");
    completed++;
    start_next(payload);
}

static void on_acquired(int status, int acquired, void *payload)
{
    flight *f = payload;
    if (status < 0) bench_die("pottery_aioredlock_acquire");
    if (!acquired) {
        fprintf(stderr, "bench: %s not acquired\n", pottery_aioredlock_key(f->lock));
        exit(1);
    }
    if (pottery_aioredlock_release(f->lock, on_released, f) < 0) bench_die("pottery_aioredlock_release");
}

static void start_next(flight *f)
{
    if (started == target) return; /* the round has all it needs: this handle rests */
    started++;
    int rc = running == LOCK ? pottery_aioredlock_acquire(f->lock, 0, POTTERY_FOREVER, on_acquired, f)
                             : pottery_aionextid_next(f->ids, on_next, f);
    if (rc < 0) bench_die(running == LOCK ? "pottery_aioredlock_acquire" : "pottery_aionextid_next");
}

/* ops operations over the first k handles, all started at once; the loop turns until the
 * last one completed. */
static void run_async(work w, int k, int ops)
{
    running = w;
    started = completed = 0;
    target = ops;
    for (int i = 0; i < k; i++) start_next(&handles[i]);
    while (completed < target) kind->turn(native);
}

/* ops operations one after another on the blocking handle. */
static void run_blocking(work w, int ops)
{
    for (int i = 0; i < ops; i++) {
        if (w == LOCK) {
            int acquired;
            if (pottery_redlock_acquire(&acquired, blocking_lock, 0, POTTERY_FOREVER) < 0 || !acquired)
                bench_die("pottery_redlock_acquire");
            if (pottery_redlock_release(blocking_lock) < 0) bench_die("pottery_redlock_release");
        } else {
            int64_t id;
            if (pottery_nextid_next(&id, blocking_ids) < 0) bench_die("pottery_nextid_next");
            if (id <= blocking_last_id) {
                fprintf(stderr, "bench: blocking NextID gave %" PRId64 " after %" PRId64 "\n", id, blocking_last_id);
                exit(1);
            }
            blocking_last_id = id;
        }
    }
}

/* Round trips counted by every master's connection, on each side. */
static void round_trips(uint64_t *async_rt, uint64_t *blocking_rt)
{
    *async_rt = *blocking_rt = 0;
    for (size_t i = 0; i < nmasters; i++) {
        pottery_client_stats st;
        pottery_async_stats_get(&st, conns[i]);
        *async_rt += st.round_trips;
        pottery_client_stats_get(&st, clients[i]);
        *blocking_rt += st.round_trips;
    }
}

/* One line: k in flight on the loop against the blocking handle, in alternating rounds
 * (each side goes first every other round), after a warm-up round of each. */
static void compare(work w, int k)
{
    int async_ops = ASYNC_OPS > 20 * k ? ASYNC_OPS : 20 * k;
    run_async(w, k, async_ops);
    run_blocking(w, BLOCKING_OPS);

    uint64_t async_before, blocking_before, async_after, blocking_after;
    round_trips(&async_before, &blocking_before);
    double best_async = 1e30, best_blocking = 1e30, ratios[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double took[2];
        for (int s = 0; s < 2; s++) {
            int side = (r + s) % 2; /* 0: blocking, 1: event loop */
            double t0 = bench_now();
            if (side)
                run_async(w, k, async_ops);
            else
                run_blocking(w, BLOCKING_OPS);
            took[side] = (bench_now() - t0) / (side ? async_ops : BLOCKING_OPS);
        }
        if (took[1] < best_async) best_async = took[1];
        if (took[0] < best_blocking) best_blocking = took[0];
        ratios[r] = took[0] / took[1]; /* event-loop speed / blocking speed */
    }
    round_trips(&async_after, &blocking_after);
    qsort(ratios, ROUNDS, sizeof *ratios, bench_cmp_double);
    printf("%-24s %-9s %9d %12.0f %12.0f %7.2f %10.2f %10.2f\n", w == LOCK ? "redlock acquire+release" : "nextid next",
           kind->name, k, 1 / best_async, 1 / best_blocking, ratios[ROUNDS / 2],
           (double)(async_after - async_before) / ((double)async_ops * ROUNDS * (double)nmasters),
           (double)(blocking_after - blocking_before) / ((double)BLOCKING_OPS * ROUNDS * (double)nmasters));
    fflush(stdout);
}

/* Every line on one loop: its connections and handles, then each work and flight size. */
static void run_loop(const loop_kind *k, char **urls)
{
    kind = k;
    native = kind->create();
    pottery_loop loop;
    if (!native || kind->fill(&loop, native) != 0) {
        fprintf(stderr, "bench: cannot create a %s loop\n", kind->name);
        exit(1);
    }
    for (size_t i = 0; i < nmasters; i++)
        if (pottery_async_open(&conns[i], &loop, urls[i], NULL) < 0) bench_die("pottery_async_open");
    for (int i = 0; i < MAX_FLIGHT; i++) {
        char key[64];
        snprintf(key, sizeof key, "bench:aio:%s:%d", kind->name, i);
        pottery_nextid_options opts;
        pottery_nextid_options_init(&opts);
        opts.key = key;
        memset(&handles[i], 0, sizeof handles[i]);
        if (pottery_aioredlock_new(&handles[i].lock, key, conns, nmasters, NULL) < 0 ||
            pottery_aionextid_new(&handles[i].ids, conns, nmasters, &opts) < 0)
            bench_die("pottery_aio*_new");
    }
    for (int w = LOCK; w <= IDS; w++)
        for (size_t f = 0; f < sizeof flights / sizeof flights[0]; f++) compare((work)w, flights[f]);
    for (int i = 0; i < MAX_FLIGHT; i++) {
        pottery_aioredlock_free(handles[i].lock);
        pottery_aionextid_free(handles[i].ids);
    }
    for (size_t i = 0; i < nmasters; i++) pottery_async_free(conns[i]);
    if (kind->destroy(native) != 0) fprintf(stderr, "bench: %s loop closed with handles left\n", kind->name);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc - 1 > MAX_MASTERS) {
        fprintf(stderr, "usage: %s URL [URL...]  (up to %d masters)\n", argv[0], MAX_MASTERS);
        return 2;
    }
    nmasters = (size_t)(argc - 1);
    for (size_t i = 0; i < nmasters; i++)
        if (pottery_client_open(&clients[i], argv[1 + i], NULL) < 0) bench_die("pottery_client_open");
    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    opts.key = "bench:aio:blocking";
    if (pottery_redlock_new(&blocking_lock, "bench:aio:blocking", clients, nmasters, NULL) < 0 ||
        pottery_nextid_new(&blocking_ids, clients, nmasters, &opts) < 0)
        bench_die("pottery_*_new");

    printf("%-24s %-9s %9s %12s %12s %7s %10s %10s\n", "operation", "loop", "in flight", "async/s", "blocking/s",
           "ratio*", "rtt async", "rtt block");
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) run_loop(kinds[k], argv + 1);
    printf("* ratio: median over %d alternating rounds of event-loop speed / blocking speed, %zu master%s.\n"
           "  in flight: handles on one loop thread, each on its own key, each starting its next\n"
           "  operation from its callback; the blocking handle runs one at a time. ops/s: best round;\n"
           "  rtt: round trips per operation and master (pottery_async_stats_get, pottery_client_stats_get).\n",
           ROUNDS, nmasters, nmasters == 1 ? "" : "s");

    pottery_redlock_free(blocking_lock);
    pottery_nextid_free(blocking_ids);
    for (size_t i = 0; i < nmasters; i++) pottery_client_free(clients[i]);
    return 0;
}
