/*
 * Test support: allocation-failure testing of public operations (needs the
 * -DPOTTERY_ALLOC_FAIL=ON build, whose library can fail its Nth allocation on a thread:
 * src/core/alloc.h).
 *
 * oom_exhaust(op, ctx) runs one operation once with nothing failing (the reference run),
 * then again and again with its 1st, 2nd, 3rd... library allocation failing, until a run
 * completes without reaching the failure. Every failing run must
 *   - return POTTERY_ENOMEM with that code and a message in pottery_error_last(), or
 *     succeed all the same (check() then checks the result as for the reference run);
 *   - leave Redis as it was before the call or as the reference run left it, never in
 *     between (compared as a digest of every key, type, value and whether it has a TTL;
 *     operations whose writes are random, like lock tokens, give state_ok instead, and
 *     their setup need not give the same dataset each time);
 *   - leak nothing (LeakSanitizer is asked after each operation under ASan; and at exit);
 *   - leave the client usable: the next attempt's setup and run go through it.
 * Only the library's allocations are failed (not hiredis', not the test's).
 */
#ifndef POTTERY_TEST_OOM_H
#define POTTERY_TEST_OOM_H

#include "support/test_fixture.h"

typedef struct oom_op {
    const char *name;
    /* Optional: bring Redis and ctx to the operation's starting point (handles opened, keys
     * written); called, with nothing failing, before each attempt. 0, or -1 to fail the test. */
    int (*setup)(void *ctx);
    /* The operation under test: its return code (>= 0 success, else a POTTERY_E* code). */
    int (*run)(void *ctx);
    /* Optional: assert what a successful run returned (in ctx) and wrote. */
    void (*check)(void *ctx);
    /* Optional: free what setup and run made (called after each attempt, whatever rc). */
    void (*teardown)(void *ctx);
    /* Optional, for operations whose writes differ from run to run: 1 when Redis holds an
     * acceptable state after an attempt that returned rc (instead of the digest check). */
    int (*state_ok)(void *ctx, int rc);
} oom_op;

/* Runs op as described above, failing the test (at the caller's line) on any breach. Returns
 * the number of library allocations of the reference run. */
#define oom_exhaust(op, ctx) oom_exhaust_at((op), (ctx), __FILE__, __LINE__)
long oom_exhaust_at(const oom_op *op, void *ctx, const char *file, int line);

/* A digest of everything on the fixture's server (keys, types, values, TTL or not, stream
 * entries and groups), malloc'd hex; equal digests mean equal datasets. */
char *oom_digest(void);

/* ---- rows over several masters (the distributed primitives' fan-out) ---- */

/* A command (NULL-terminated arguments, at most 7) on master i: the fixture's server when
 * fanout is 0, else masters[i] (test_fixture.h). The rendered reply, malloc'd. */
char *oom_on_master(int fanout, size_t i, const char *a0, ...);
/* How many keys match pattern on the n masters, summed (or on the fixture's server). */
long oom_keys_like(int fanout, size_t n, const char *pattern);
/* After an attempt on a sequence kept on each of n masters (NextID), which the digest does
 * not see: 1 when every master holds key's old value or its new one (a master the failure
 * cut off is behind, as one that was down would be) and a success (rc >= 0) wrote a
 * majority. Values as rendered: "(nil)" for none. */
int oom_masters_hold(int fanout, size_t n, int rc, const char *key, const char *old, const char *new_value);

#endif
