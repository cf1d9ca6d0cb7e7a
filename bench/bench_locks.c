/*
 * The reentrant and read-write locks (one server) next to raw hiredis running the same
 * scripts (src/lua/rlock_*.lua, rwlock_*.lua, read from the source tree) with EVALSHA, one
 * call after the other: acquire + release, a re-acquire + release of a held reentrant lock,
 * a read share and the write lock acquired and released.
 *
 * Usage: bench_locks tcp HOST PORT | bench_locks unix SOCKET
 */
#include "bench_common.h"

#define OPS 4000
#define ROUNDS 5
#define LEASE "10000"

enum { RLOCK_ACQUIRE, RLOCK_RELEASE, READ_ACQUIRE, READ_RELEASE, WRITE_ACQUIRE, WRITE_RELEASE, SCRIPTS };
static const char *const FILES[SCRIPTS] = { "rlock_acquire",       "rlock_release",        "rwlock_acquire_read",
                                            "rwlock_release_read", "rwlock_acquire_write", "rwlock_release_write" };
static char sha[SCRIPTS][41];

static pottery_rlock *rlock;
static pottery_rwlock *rwlock;
static char rlock_owner[37], rwlock_owner[37];

static void load_scripts(redisContext *c)
{
    for (int i = 0; i < SCRIPTS; i++) {
        char *text = bench_script_text(FILES[i]);
        bench_script_load(c, text, sha[i]);
        free(text);
    }
}

/* Raw: EVALSHA script with nkeys keys then the arguments, a positive integer expected. */
static void raw_script(redisContext *c, int s, int argc, const char **args)
{
    const char *argv[12] = { "EVALSHA", sha[s] };
    size_t lens[12];
    for (int i = 0; i < argc; i++) argv[2 + i] = args[i];
    for (int i = 0; i < 2 + argc; i++) lens[i] = strlen(argv[i]);
    redisReply *r = (redisReply *)redisCommandArgv(c, 2 + argc, argv, lens);
    if (!r || r->type != REDIS_REPLY_INTEGER || r->integer <= 0) bench_die(FILES[s]);
    freeReplyObject(r);
}

static void raw_rlock(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++) {
        raw_script(t->raw, RLOCK_ACQUIRE, 5, (const char *[]){ "1", "rlock:raw", rlock_owner, LEASE, "1" });
        raw_script(t->raw, RLOCK_RELEASE, 4, (const char *[]){ "1", "rlock:raw", rlock_owner, "0" });
    }
}

static void pottery_rlock_cycle(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++) {
        int acquired;
        if (pottery_rlock_acquire(&acquired, rlock, 0, POTTERY_FOREVER) < 0 || !acquired) bench_die("rlock acquire");
        if (pottery_rlock_release(rlock) < 0) bench_die("rlock release");
    }
}

/* Held once already: count 1 -> 2 -> 1. */
static void raw_rlock_again(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++) {
        raw_script(t->raw, RLOCK_ACQUIRE, 5, (const char *[]){ "1", "rlock:raw", rlock_owner, LEASE, "2" });
        raw_script(t->raw, RLOCK_RELEASE, 4, (const char *[]){ "1", "rlock:raw", rlock_owner, "1" });
    }
}

static void raw_rw(bench_target *t, int from, int ops, int write)
{
    (void)from;
    const char *w = "{rwlock:raw}:write", *r = "{rwlock:raw}:read", *wait = "{rwlock:raw}:writer_waiting";
    for (int i = 0; i < ops; i++) {
        if (write) {
            raw_script(t->raw, WRITE_ACQUIRE, 7, (const char *[]){ "3", w, r, wait, rwlock_owner, LEASE, "0" });
            raw_script(t->raw, WRITE_RELEASE, 4, (const char *[]){ "2", w, wait, rwlock_owner });
        } else {
            raw_script(t->raw, READ_ACQUIRE, 6, (const char *[]){ "3", w, r, wait, rwlock_owner, LEASE });
            raw_script(t->raw, READ_RELEASE, 3, (const char *[]){ "1", r, rwlock_owner });
        }
    }
}

static void pottery_rw(int ops, int write)
{
    for (int i = 0; i < ops; i++) {
        int acquired;
        int rc = write ? pottery_rwlock_acquire_write(&acquired, rwlock, 0, POTTERY_FOREVER)
                       : pottery_rwlock_acquire_read(&acquired, rwlock, 0, POTTERY_FOREVER);
        if (rc < 0 || !acquired) bench_die("rwlock acquire");
        if (pottery_rwlock_release(rwlock) < 0) bench_die("rwlock release");
    }
}

static void raw_read(bench_target *t, int from, int ops)
{
    raw_rw(t, from, ops, 0);
}

static void raw_write(bench_target *t, int from, int ops)
{
    raw_rw(t, from, ops, 1);
}

static void pottery_read(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    pottery_rw(ops, 0);
}

static void pottery_write(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    pottery_rw(ops, 1);
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    load_scripts(t.raw);
    if (pottery_rlock_new(&rlock, "bench", &t.client, 1, NULL) < 0) bench_die("pottery_rlock_new");
    if (pottery_rwlock_new(&rwlock, "bench", &t.client, 1, NULL) < 0) bench_die("pottery_rwlock_new");
    snprintf(rlock_owner, sizeof rlock_owner, "%s", pottery_rlock_owner(rlock));
    snprintf(rwlock_owner, sizeof rwlock_owner, "%s", pottery_rwlock_owner(rwlock));

    bench_header("Reentrant and read-write locks, one server (* ratio = pottery speed / hiredis speed)");
    bench_compare(&t, "rlock acquire+release", raw_rlock, pottery_rlock_cycle, OPS, ROUNDS);
    int acquired;
    raw_script(t.raw, RLOCK_ACQUIRE, 5, (const char *[]){ "1", "rlock:raw", rlock_owner, LEASE, "1" });
    if (pottery_rlock_acquire(&acquired, rlock, 0, POTTERY_FOREVER) < 0 || !acquired) bench_die("rlock acquire");
    bench_compare(&t, "rlock again+release (held)", raw_rlock_again, pottery_rlock_cycle, OPS, ROUNDS);
    if (pottery_rlock_release(rlock) < 0) bench_die("rlock release");
    raw_script(t.raw, RLOCK_RELEASE, 4, (const char *[]){ "1", "rlock:raw", rlock_owner, "0" });
    bench_compare(&t, "rwlock read+release", raw_read, pottery_read, OPS, ROUNDS);
    bench_compare(&t, "rwlock write+release", raw_write, pottery_write, OPS, ROUNDS);

    pottery_rlock_free(rlock);
    pottery_rwlock_free(rwlock);
    bench_close(&t);
    return 0;
}
