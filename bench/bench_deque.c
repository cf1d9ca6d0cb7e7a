/*
 * pottery_deque against raw hiredis doing the same work with the same bytes (JSON-encoded
 * elements), the fewest commands each: RPUSH/LPUSH/RPOP/LPOP, one per operation on both
 * sides. For a deque with a maxlen the raw side pipelines RPUSH + LTRIM (two commands, one
 * round trip, not atomic); pottery sends MULTI, RPUSH, LTRIM, EXEC (one round trip,
 * atomic).
 */
#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 7, MAXLEN = 100 };

static pottery_deque *deque;   /* unbounded: the pushes fill it, the pops empty it */
static pottery_deque *bounded; /* maxlen MAXLEN */

/* Raw push: the same bytes pottery writes, JSON(n) -> "<n>". */
static void raw_push(bench_target *t, const char *verb, const char *key, int from, int ops)
{
    char value[32];
    for (int i = 0; i < ops; i++) {
        int vlen = snprintf(value, sizeof value, "%d", from + i);
        const char *argv[] = { verb, key, value };
        const size_t lens[] = { 5, strlen(key), (size_t)vlen };
        bench_raw(t->raw, 3, argv, lens);
    }
}

static void raw_append(bench_target *t, int from, int ops)
{
    raw_push(t, "RPUSH", "bench:deque", from, ops);
}

static void raw_appendleft(bench_target *t, int from, int ops)
{
    raw_push(t, "LPUSH", "bench:deque", from, ops);
}

static void pottery_append_ops(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_deque_append(deque, pottery_int(from + i)) < 0) bench_die("append");
}

static void pottery_appendleft_ops(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_deque_appendleft(deque, pottery_int(from + i)) < 0) bench_die("appendleft");
}

/* Raw pop: the reply is also turned into a number, as pottery must decode it. */
static void raw_pop_side(bench_target *t, const char *verb, int ops)
{
    for (int i = 0; i < ops; i++) {
        const char *argv[] = { verb, "bench:deque" };
        const size_t lens[] = { 4, 11 };
        bench_raw_number(t->raw, REDIS_REPLY_STRING, 2, argv, lens, "raw pop");
    }
}

static void raw_pop(bench_target *t, int from, int ops)
{
    (void)from;
    raw_pop_side(t, "RPOP", ops);
}

static void raw_popleft(bench_target *t, int from, int ops)
{
    (void)from;
    raw_pop_side(t, "LPOP", ops);
}

static void pottery_pop_ops(bench_target *t, int from, int ops)
{
    pottery_value v = POTTERY_VALUE_INIT;
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++)
        if (pottery_deque_pop(&v, deque) < 0) bench_die("pop");
    pottery_value_dispose(&v);
}

static void pottery_popleft_ops(bench_target *t, int from, int ops)
{
    pottery_value v = POTTERY_VALUE_INIT;
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++)
        if (pottery_deque_popleft(&v, deque) < 0) bench_die("popleft");
    pottery_value_dispose(&v);
}

/* Bounded append. Raw side: RPUSH + LTRIM -MAXLEN -1 pipelined (one round trip). */
static void raw_append_bounded(bench_target *t, int from, int ops)
{
    char value[32], start[16];
    int slen = snprintf(start, sizeof start, "%d", -MAXLEN);
    for (int i = 0; i < ops; i++) {
        int vlen = snprintf(value, sizeof value, "%d", from + i);
        const char *push[] = { "RPUSH", "bench:bounded", value };
        const size_t push_lens[] = { 5, 13, (size_t)vlen };
        const char *trim[] = { "LTRIM", "bench:bounded", start, "-1" };
        const size_t trim_lens[] = { 5, 13, (size_t)slen, 2 };
        redisAppendCommandArgv(t->raw, 3, push, push_lens);
        redisAppendCommandArgv(t->raw, 4, trim, trim_lens);
        bench_raw_replies(t->raw, 2, "raw RPUSH+LTRIM");
    }
}

static void pottery_append_bounded_ops(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_deque_append(bounded, pottery_int(from + i)) < 0) bench_die("append (maxlen)");
}

/* Bulk: 10,000 elements per extend. Raw side: one RPUSH with the same pre-encoded values. */
enum { BULK = 10000 };
static bench_bulk bulk_data;
static pottery_deque *bulk;

static void raw_extend(bench_target *t, int from, int ops)
{
    (void)from;
    for (int k = 0; k < ops; k++) bench_raw(t->raw, 2 + BULK, bulk_data.argv, bulk_data.lens);
}

static void pottery_extend_ops(bench_target *t, int from, int ops)
{
    (void)t;
    (void)from;
    for (int k = 0; k < ops; k++)
        if (pottery_deque_extend(bulk, bulk_data.values, BULK) < 0) bench_die("extend");
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    pottery_deque_options opts;
    pottery_deque_options_init(&opts);
    if (pottery_deque_open(&deque, t.client, "bench:deque", NULL) < 0) bench_die("open");
    if (pottery_deque_clear(deque) < 0) bench_die("clear");
    opts.maxlen = MAXLEN;
    pottery_deque *cleaner;
    if (pottery_deque_open(&cleaner, t.client, "bench:bounded", NULL) < 0 || pottery_deque_clear(cleaner) < 0)
        bench_die("clear");
    pottery_deque_free(cleaner);
    if (pottery_deque_open(&bounded, t.client, "bench:bounded", &opts) < 0) bench_die("open");

    bench_header("pottery_deque vs raw hiredis (same commands, same bytes)");
    bench_compare(&t, "append (RPUSH)", raw_append, pottery_append_ops, OPS, ROUNDS);
    bench_compare(&t, "appendleft (LPUSH)", raw_appendleft, pottery_appendleft_ops, OPS, ROUNDS);
    /* The pushes above left 4 * OPS * ROUNDS elements: exactly what the pops take. */
    bench_compare(&t, "pop (RPOP)", raw_pop, pottery_pop_ops, OPS, ROUNDS);
    bench_compare(&t, "popleft (LPOP)", raw_popleft, pottery_popleft_ops, OPS, ROUNDS);
    bench_compare(&t, "append maxlen=100 (MULTI)", raw_append_bounded, pottery_append_bounded_ops, OPS, ROUNDS);
    bench_bulk_init(&bulk_data, "RPUSH", "bench:rawbulk", BULK);
    if (pottery_deque_open(&bulk, t.client, "bench:bulk", NULL) < 0 || pottery_deque_clear(bulk) < 0) bench_die("open");
    bench_raw_del(t.raw, "bench:rawbulk", NULL);
    bench_compare(&t, "extend 10k (RPUSH)", raw_extend, pottery_extend_ops, 5, ROUNDS);
    pottery_deque_clear(bulk);
    pottery_deque_free(bulk);
    bench_raw_del(t.raw, "bench:rawbulk", NULL);
    bench_bulk_free(&bulk_data);

    pottery_deque_clear(deque);
    pottery_deque_clear(bounded);
    pottery_deque_free(deque);
    pottery_deque_free(bounded);
    bench_close(&t);
    return 0;
}
