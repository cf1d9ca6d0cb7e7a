/*
 * Allocation failure in pottery_queue: every public operation, failing each of its library
 * allocations in turn (tests/support/oom.h says what each attempt must satisfy).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/oom_result.h"

typedef struct queue_ctx {
    oom_state st; /* first: oom_run_rows reads it */
    pottery_queue *q, *big, *none, *made;
    pottery_value v;
    int64_t n;
    int flag;
    int empty;   /* a get found nothing (POTTERY_EEMPTY, which the row expects) */
    char *items; /* q's items at start */
} queue_ctx;

static pottery_queue *open_on(const char *key)
{
    pottery_queue *q = NULL;
    return pottery_queue_open(&q, client, key, NULL) < 0 ? NULL : q;
}

/* The item values of a stream, in order, "|"-separated (entry IDs left out: XADD makes new
 * ones on every run). */
static char *items_of(const char *key)
{
    return raw("EVAL",
               "local t = {} for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do t[#t + 1] = e[2][2] end "
               "return table.concat(t, '|')",
               "1", key, NULL);
}

/* q holds 1, 'a', [1, 2] (entries 1-1, 1-2, 1-3: fixed IDs, so each setup gives the same
 * dataset); big holds one item over 8 KiB of JSON (the client decodes and claims it);
 * none is absent. */
static int setup(void *arg)
{
    queue_ctx *c = arg;
    free(raw("FLUSHALL", NULL));
    free(raw("XADD", "q", "1-1", "item", "1", NULL));
    free(raw("XADD", "q", "1-2", "item", "\"a\"", NULL));
    free(raw("XADD", "q", "1-3", "item", "[1, 2]", NULL));
    static char large[9000];
    if (!large[0]) {
        memset(large, 'x', sizeof large - 1);
        large[0] = '"';
        large[sizeof large - 2] = '"';
    }
    free(raw("XADD", "big", "1-1", "item", large, NULL));
    c->q = open_on("q");
    c->big = open_on("big");
    c->none = open_on("none");
    c->n = INT64_MIN;
    c->flag = -1;
    c->empty = 0;
    free(c->st.start);
    free(c->items);
    c->st.start = oom_digest();
    c->items = items_of("q");
    return c->q && c->big && c->none && c->st.start && c->items ? 0 : -1;
}

static void teardown(void *arg)
{
    queue_ctx *c = arg;
    pottery_value_dispose(&c->v);
    pottery_queue *hs[] = { c->q, c->big, c->none, c->made };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) pottery_queue_free(hs[i]);
    c->q = c->big = c->none = c->made = NULL;
}

/* What a successful attempt returned, as text: " v=... n=... flag=... empty", each part only
 * when the operation set it (a long string value as its length). */
static void check(void *arg)
{
    queue_ctx *c = arg;
    oom_text t = { 0 };
    oom_text_add(&t, "%s", "");
    size_t len = 0;
    if (pottery_value_str(&c->v, &len) && len > 100)
        oom_text_add(&t, " v=<%zu bytes>", len);
    else if (!pottery_value_is_null(&c->v))
        oom_text_add(&t, " v="), oom_text_value(&t, c->v);
    if (c->n != INT64_MIN) oom_text_add(&t, " n=%lld", (long long)c->n);
    if (c->flag != -1) oom_text_add(&t, " flag=%d", c->flag);
    if (c->empty) oom_text_add(&t, " empty");
    if (c->made) oom_text_add(&t, " made=%.8s", pottery_queue_key(c->made));
    oom_result_check(&c->st.res, &t);
}

#define RUN(name, ...) OOM_RUN(queue_ctx, name, __VA_ARGS__)

/* A get that finds nothing: POTTERY_EEMPTY is the expected answer (the row checks it). */
static int expect_empty(queue_ctx *c, int rc)
{
    if (rc != POTTERY_EEMPTY) return rc;
    c->empty = 1;
    return 0;
}

static int setup_random(void *arg)
{
    queue_ctx *c = arg;
    if (setup(c) != 0) return -1;
    free(raw("XADD", "pottery:t", "1-1", "item", "1", NULL)); /* a fixed name */
    free(c->st.start);
    c->st.start = oom_digest();
    /* The PING reconnects the client if the last attempt left it disconnected, so that the
     * run's allocations are the free's own. (A free whose reconnect runs out of memory
     * cannot send its UNLINK, and returns nothing to say so: the key stays.) */
    if (pottery_client_ping(client) < 0) return -1;
    return pottery_queue_open(&c->made, client, "pottery:t", NULL) < 0 ? -1 : 0;
}

static int run_open_options(void *arg)
{
    queue_ctx *c = arg;
    pottery_queue_options o;
    pottery_queue_options_init(&o);
    o.max_block_ms = 50;
    return pottery_queue_open(&c->made, client, "other", &o);
}

RUN(open, pottery_queue_free(c->q); c->q = NULL; return pottery_queue_open(&c->q, client, "q", NULL))
RUN(open_random, return pottery_queue_open(&c->made, client, NULL, NULL))
/* Getters and free: no allocation (the runs show 0); free of a `pottery:` key UNLINKs it. */
RUN(getters, return pottery_queue_key(c->q)[0] == 'q' && pottery_queue_client(c->q) == client ? 0 : -1)
RUN(free, pottery_queue_free(c->q); c->q = NULL; return 0)
RUN(free_random, pottery_queue_free(c->made); c->made = NULL; return 0)
RUN(put, return pottery_queue_put(c->q, pottery_json("{\"k\": [\"long enough to need a buffer\", 1.5]}")))
RUN(put_nowait, return pottery_queue_put_nowait(c->q, pottery_str("b")))
RUN(get, return pottery_queue_get(&c->v, c->q, 0, 0))
RUN(get_block, return pottery_queue_get(&c->v, c->q, 1, 1000))
RUN(get_large, return pottery_queue_get(&c->v, c->big, 1, POTTERY_FOREVER))
RUN(get_nowait, return pottery_queue_get_nowait(&c->v, c->q))
/* Waiting on an empty queue: XREAD BLOCK until the timeout, then POTTERY_EEMPTY. */
RUN(get_wait_empty, return expect_empty(c, pottery_queue_get(&c->v, c->none, 1, 20)))
RUN(get_nowait_empty, return expect_empty(c, pottery_queue_get_nowait(&c->v, c->none)))
RUN(qsize, return pottery_queue_qsize(&c->n, c->q))
RUN(empty, return pottery_queue_empty(&c->flag, c->none))
RUN(clear, return pottery_queue_clear(c->q))

/* put appends an entry with a new ID, so the dataset differs from run to run: compare q's
 * items instead (before, or the reference run's), and the rest through them. */
static int put_ok(void *arg, int rc)
{
    queue_ctx *c = arg;
    char *now = items_of("q");
    if (!now) return 0;
    int ok;
    if (!c->st.after) {
        ok = rc >= 0 && strcmp(now, c->items) != 0;
        c->st.after = now;
        return ok;
    }
    ok = strcmp(now, c->st.after) == 0 || (rc < 0 && strcmp(now, c->items) == 0);
    free(now);
    return ok;
}

/* A get takes the oldest item, 1. When there is no memory to decode an item the take script
 * already removed, the get puts it back at the tail, as queue.h says: q then holds its
 * other items, then 1 (neither before nor after). A take whose reply could not be read
 * (no memory for it) has taken the item all the same ("after", as for a dict's pop). */
static int get_ok(void *arg, int rc)
{
    queue_ctx *c = arg;
    char *now = items_of("q");
    if (!now) return 0;
    int ok;
    if (!c->st.after) {
        ok = rc >= 0 && strcmp(now, "\"a\"|[1, 2]") == 0;
        c->st.after = now;
        return ok;
    }
    int moved = rc < 0 && strcmp(now, "\"a\"|[1, 2]|1") == 0 && strstr(pottery_error_last()->message, "put back");
    ok = strcmp(now, c->st.after) == 0 || moved || (rc < 0 && strcmp(now, c->items) == 0);
    free(now);
    return ok;
}

#define ROW(name, want)                                                                                                \
    {                                                                                                                  \
        { "pottery_queue_" #name, setup, run_##name, check, teardown, NULL }, want, 0, 0                               \
    }

static void test_queue_operations(void **state)
{
    (void)state;
    const oom_row rows[] = {
        ROW(open, ""),
        { { "pottery_queue_open (options)", setup, run_open_options, check, teardown, NULL }, "made=other", 0, 0 },
        ROW(open_random, "made=pottery:"),
        { { "pottery_queue_key, _client", setup, run_getters, check, teardown, NULL }, "", 0, 1 },
        { { "pottery_queue_free", setup, run_free, check, teardown, NULL }, "", 0, 1 },
        { { "pottery_queue_put", setup, run_put, check, teardown, put_ok }, "", 0, 0 },
        { { "pottery_queue_put_nowait", setup, run_put_nowait, check, teardown, put_ok }, "", 0, 0 },
        { { "pottery_queue_get", setup, run_get, check, teardown, get_ok }, "v=1", 0, 0 },
        { { "pottery_queue_get (blocking)", setup, run_get_block, check, teardown, get_ok }, "v=1", 0, 0 },
        ROW(get_large, "v=<8997 bytes>"),
        { { "pottery_queue_get_nowait", setup, run_get_nowait, check, teardown, get_ok }, "v=1", 0, 0 },
        ROW(get_wait_empty, "empty"),
        ROW(get_nowait_empty, "empty"),
        ROW(qsize, "n=3"),
        ROW(empty, "flag=1"),
        ROW(clear, ""),
        { { "pottery_queue_free (random key)", setup_random, run_free_random, check, teardown, NULL }, "", 0, 0 },
    };
    queue_ctx ctx = { 0 };
    oom_run_rows(rows, sizeof rows / sizeof rows[0], &ctx);
    free(ctx.items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_queue_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
