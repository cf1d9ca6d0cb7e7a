/*
 * pottery_semaphore and pottery_ratelimit against raw hiredis sending the same scripts
 * (read from src/lua/ beside this file, parts included as the build embeds them) with the
 * same arguments: EVALSHA, reply checked. Semaphore: a permit taken and given back (two
 * scripts), the count of holders; rate limiter: a call allowed, a call refused.
 *
 * Usage: bench_coord tcp HOST PORT | bench_coord unix SOCKET
 */
#include <inttypes.h>

#include "bench_common.h"

enum { OPS = 4000, ROUNDS = 5 };

static char sem_acquire[41], sem_release[41], sem_held[41], rl_acquire[41];
static pottery_semaphore *sem;
static pottery_ratelimit *rl_open, *rl_shut;
static uint64_t seed;

/* Raw: EVALSHA sha with KEYS[1] = key and the arguments; the reply must be of type. */
static redisReply *raw_eval(redisContext *c, const char *sha, const char *key, int nargs, const char **args, int type)
{
    const char *argv[8] = { "EVALSHA", sha, "1", key };
    size_t lens[8] = { 7, 40, 1, strlen(key) };
    for (int i = 0; i < nargs; i++) {
        argv[4 + i] = args[i];
        lens[4 + i] = strlen(args[i]);
    }
    redisReply *r = redisCommandArgv(c, 4 + nargs, argv, lens);
    if (!r || r->type != type) bench_die("raw EVALSHA");
    return r;
}

/* A uuid4's text from a fast generator (the library reads the kernel's randomness). */
static void raw_token(char out[37])
{
    uint64_t a = bench_rand(&seed), b = bench_rand(&seed);
    snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012" PRIx64, (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
             (unsigned)a & 0xfff, (unsigned)(0x8000 | ((b >> 48) & 0x3fff)), (uint64_t)(b & 0xffffffffffffULL));
}

static void raw_take_give(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++) {
        char token[37];
        raw_token(token);
        const char *take[] = { "4", "10000", token };
        redisReply *r = raw_eval(t->raw, sem_acquire, "bench:sem:raw", 3, take, REDIS_REPLY_ARRAY);
        if (r->elements < 2 || r->element[0]->integer != 1) bench_die("raw acquire refused");
        freeReplyObject(r);
        const char *give[] = { token };
        r = raw_eval(t->raw, sem_release, "bench:sem:raw", 1, give, REDIS_REPLY_INTEGER);
        if (r->integer != 1) bench_die("raw release");
        freeReplyObject(r);
    }
}

static void pot_take_give(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++) {
        pottery_semaphore_permit p;
        int acquired = 0;
        if (pottery_semaphore_acquire(&acquired, &p, sem, 0, 0) < 0 || !acquired) bench_die("acquire");
        if (pottery_semaphore_release(sem, &p) < 0) bench_die("release");
    }
}

static void raw_held(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++)
        freeReplyObject(raw_eval(t->raw, sem_held, "bench:sem:raw", 0, NULL, REDIS_REPLY_INTEGER));
}

static void pot_held(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    int64_t n;
    for (int i = 0; i < ops; i++)
        if (pottery_semaphore_held(&n, sem) < 0) bench_die("held");
}

/* The rate limiter's arguments: T in µs, burst, cost. */
static void raw_limit(bench_target *t, const char *key, const char *interval, const char *burst, long long expect)
{
    const char *args[] = { interval, burst, "1" };
    redisReply *r = raw_eval(t->raw, rl_acquire, key, 3, args, REDIS_REPLY_ARRAY);
    if (r->elements != 2 || r->element[0]->integer != expect) bench_die("raw ratelimit verdict");
    freeReplyObject(r);
}

static void raw_allowed(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++) raw_limit(t, "bench:rl:raw:open", "1", "1000000", 1);
}

static void raw_refused(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++) raw_limit(t, "bench:rl:raw:shut", "1000000000000", "1", 0);
}

static void pot_try(pottery_ratelimit *rl, int ops, int expect)
{
    for (int i = 0; i < ops; i++) {
        int allowed = -1;
        int64_t wait;
        if (pottery_ratelimit_try(&allowed, &wait, rl, 1) < 0 || allowed != expect) bench_die("ratelimit try");
    }
}

static void pot_allowed(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    pot_try(rl_open, ops, 1);
}

static void pot_refused(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    pot_try(rl_shut, ops, 0);
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    seed = bench_rand_seed(0);
    const char *names[] = { "semaphore_acquire", "semaphore_release", "semaphore_held", "ratelimit_acquire" };
    char *shas[] = { sem_acquire, sem_release, sem_held, rl_acquire };
    for (int i = 0; i < 4; i++) {
        char *text = bench_script_text(names[i]);
        bench_script_load(t.raw, text, shas[i]);
        free(text);
    }
    bench_raw_del(t.raw, "bench:sem", "bench:sem:raw", "bench:rl:open", "bench:rl:raw:open", "bench:rl:shut",
                  "bench:rl:raw:shut", NULL);
    pottery_semaphore_options so;
    pottery_semaphore_options_init(&so);
    so.lease_ms = 10000;
    if (pottery_semaphore_open(&sem, t.client, "bench:sem", 4, &so) < 0) bench_die("semaphore_open");
    /* 10^6 per second with a burst of 10^6: always allowed at these speeds (T = 1 µs);
     * 1 per 10^9 s: refused after the first */
    if (pottery_ratelimit_open(&rl_open, t.client, "bench:rl:open", 1000000, 1000, NULL) < 0 ||
        pottery_ratelimit_open(&rl_shut, t.client, "bench:rl:shut", 1, 1000000000, NULL) < 0)
        bench_die("ratelimit_open");
    int allowed;
    if (pottery_ratelimit_try(&allowed, NULL, rl_shut, 1) < 0 || !allowed) bench_die("first try");
    raw_limit(&t, "bench:rl:raw:shut", "1000000000000", "1", 1);
    /* the scripts loaded on pottery's connection too: no first EVAL in the timing */
    pot_take_give(&t, 0, 1);
    pot_held(&t, 0, 1);
    pot_allowed(&t, 0, 1);

    bench_header("Semaphore and rate limiter (one script call per operation on both sides)");
    bench_compare(&t, "semaphore acquire+release", raw_take_give, pot_take_give, OPS, ROUNDS);
    bench_compare(&t, "semaphore held", raw_held, pot_held, OPS, ROUNDS);
    bench_compare(&t, "ratelimit try, allowed", raw_allowed, pot_allowed, OPS, ROUNDS);
    bench_compare(&t, "ratelimit try, refused", raw_refused, pot_refused, OPS, ROUNDS);

    bench_raw_del(t.raw, "bench:sem", "bench:sem:raw", "bench:rl:open", "bench:rl:raw:open", "bench:rl:shut",
                  "bench:rl:raw:shut", NULL);
    pottery_semaphore_free(sem);
    pottery_ratelimit_free(rl_open);
    pottery_ratelimit_free(rl_shut);
    bench_close(&t);
    return 0;
}
