/*
 * pottery_queue against raw hiredis doing the same work with the same bytes:
 *   put    XADD key * item JSON(n)                       (one command per op on both sides)
 *   get    the library's Lua take script (read the oldest entry, check its JSON, XDEL it
 *          atomically; src/lua/queue_take.lua): raw hiredis sends EVALSHA, pottery sends
 *          EVALSHA after its first EVAL; both decode the item into a number
 *   get_nowait on an empty queue: the same EVALSHA, answering nil
 *   qsize  XLEN
 */
#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 15 };

static char take_sha[41];
static pottery_queue *queue, *empty_queue;

static void raw_put(bench_target *t, int from, int ops)
{
    char value[32];
    for (int i = 0; i < ops; i++) {
        int vlen = snprintf(value, sizeof value, "%d", from + i);
        const char *argv[] = { "XADD", "bench:queue", "*", "item", value };
        const size_t lens[] = { 4, 11, 1, 4, (size_t)vlen };
        bench_raw(t->raw, 5, argv, lens);
    }
}

static void pottery_put_ops(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_queue_put(queue, pottery_int(from + i)) < 0) bench_die("put");
}

/* EVALSHA take on key; returns 1 if an item came back (decoded as a number), 0 on nil. */
static int raw_take(redisContext *c, const char *key)
{
    const char *argv[] = { "EVALSHA", take_sha, "1", key };
    const size_t lens[] = { 7, 40, 1, strlen(key) };
    redisReply *r = redisCommandArgv(c, 4, argv, lens);
    if (!r || r->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "bench: raw EVALSHA failed\n");
        exit(1);
    }
    int got = 0;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 3) {
        /* { id, { "item", value }, deleted }: find the item field and turn it into a number */
        redisReply *fields = r->element[1];
        for (size_t i = 0; i + 1 < fields->elements; i += 2)
            if (fields->element[i]->len == 4 && memcmp(fields->element[i]->str, "item", 4) == 0) {
                volatile long long v = strtoll(fields->element[i + 1]->str, NULL, 10);
                (void)v;
                got = 1;
            }
    }
    freeReplyObject(r);
    return got;
}

static void raw_get(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++)
        if (!raw_take(t->raw, "bench:queue")) bench_die("raw get: queue ran dry");
}

static void pottery_get_ops(bench_target *t, int from, int ops)
{
    pottery_value v = POTTERY_VALUE_INIT;
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++)
        if (pottery_queue_get(&v, queue, 1, POTTERY_FOREVER) < 0) bench_die("get");
    pottery_value_dispose(&v);
}

static void raw_get_empty(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++)
        if (raw_take(t->raw, "bench:empty")) bench_die("raw get_nowait: not empty");
}

static void pottery_get_empty_ops(bench_target *t, int from, int ops)
{
    pottery_value v = POTTERY_VALUE_INIT;
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++)
        if (pottery_queue_get_nowait(&v, empty_queue) != POTTERY_EEMPTY) bench_die("get_nowait");
}

static void raw_qsize(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++) {
        const char *argv[] = { "XLEN", "bench:queue" };
        const size_t lens[] = { 4, 11 };
        bench_raw_number(t->raw, REDIS_REPLY_INTEGER, 2, argv, lens, "raw XLEN");
    }
}

static void pottery_qsize_ops(bench_target *t, int from, int ops)
{
    int64_t n;
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++)
        if (pottery_queue_qsize(&n, queue) < 0) bench_die("qsize");
}

/* Load the library's take script (src/lua/queue_take.lua) on the raw connection (pottery
 * loads it itself on first use). */
static void load_script(bench_target *t)
{
    char *text = bench_script_text("queue_take");
    bench_script_load(t->raw, text, take_sha);
    free(text);
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    load_script(&t);
    if (pottery_queue_open(&queue, t.client, "bench:queue", NULL) < 0) bench_die("open");
    if (pottery_queue_open(&empty_queue, t.client, "bench:empty", NULL) < 0) bench_die("open");
    pottery_queue_clear(queue);

    /* Warm up both sides (CPU clocks, scheduler placement) before the first measurement. */
    for (int w = 0; w < 5; w++) {
        raw_qsize(&t, 0, OPS);
        pottery_qsize_ops(&t, 0, OPS);
    }

    bench_header("pottery_queue vs raw hiredis (same commands, same bytes)");
    /* put fills the queue with 2 * OPS * ROUNDS items: exactly what get then takes. */
    bench_compare(&t, "put   (XADD)", raw_put, pottery_put_ops, OPS, ROUNDS);
    bench_compare(&t, "get   (EVALSHA take)", raw_get, pottery_get_ops, OPS, ROUNDS);
    bench_compare(&t, "get_nowait empty (EVALSHA)", raw_get_empty, pottery_get_empty_ops, OPS, ROUNDS);
    bench_compare(&t, "qsize (XLEN)", raw_qsize, pottery_qsize_ops, OPS, ROUNDS);

    pottery_queue_clear(queue);
    pottery_queue_free(empty_queue);
    pottery_queue_free(queue);
    bench_close(&t);
    return 0;
}
