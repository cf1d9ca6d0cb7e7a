/*
 * pottery_rqueue against raw hiredis doing the same work with the same bytes:
 *   put         XADD key * item JSON(n)                         (one command per op)
 *   take + ack  the take script (XAUTOCLAIM, XREADGROUP, ...) by EVALSHA, the item decoded
 *               into a number, then the settle script's ack (XPENDING, XACK, XDEL) by
 *               EVALSHA: two round trips per op on both sides
 *   take empty  the take script on an empty queue (timeout 0)
 *   pending     XPENDING key group
 * The raw side loads the scripts from src/lua/ (with their --@include parts expanded).
 */
#include "bench_common.h"

enum { OPS = 2000, ROUNDS = 15 };

static const char key[] = "bench:rqueue", dead[] = "{bench:rqueue}:dead", group[] = "pottery", consumer[] = "raw";
static char take_sha[41], settle_sha[41];
static pottery_rqueue *queue, *empty_queue;

/* SCRIPT LOAD the library's script src/lua/<name>.lua into sha. */
static void load_script(bench_target *t, const char *name, char sha[41])
{
    char *text = bench_script_text(name);
    bench_script_load(t->raw, text, sha);
    free(text);
}

static void raw_put(bench_target *t, int from, int ops)
{
    char value[32];
    for (int i = 0; i < ops; i++) {
        int vlen = snprintf(value, sizeof value, "%d", from + i);
        const char *argv[] = { "XADD", key, "*", "item", value };
        const size_t lens[] = { 4, sizeof key - 1, 1, 4, (size_t)vlen };
        bench_raw(t->raw, 5, argv, lens);
    }
}

static void pottery_put_ops(bench_target *t, int from, int ops)
{
    (void)t;
    for (int i = 0; i < ops; i++)
        if (pottery_rqueue_put(queue, pottery_int(from + i)) < 0) bench_die("put");
}

/* EVALSHA take on k (its dead letters beside it); 1 with id (and the count) set when an
 * item came back and was turned into a number, 0 on nothing. */
static int raw_take(redisContext *c, const char *k, const char *d, char *id, size_t idcap, long long *count)
{
    const char *argv[] = { "EVALSHA", take_sha, "2", k, d, group, consumer, "30000", "5", "1", "", "1" };
    size_t lens[12];
    for (int i = 0; i < 12; i++) lens[i] = strlen(argv[i]);
    redisReply *r = redisCommandArgv(c, 12, argv, lens);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
        fprintf(stderr, "bench: raw take failed\n");
        exit(1);
    }
    int got = 0;
    if (r->element[0]->type == REDIS_REPLY_STRING) {
        redisReply *fields = r->element[1];
        for (size_t i = 0; i + 1 < fields->elements; i += 2)
            if (fields->element[i]->len == 4 && memcmp(fields->element[i]->str, "item", 4) == 0) {
                volatile long long v = strtoll(fields->element[i + 1]->str, NULL, 10);
                (void)v;
                got = 1;
            }
        snprintf(id, idcap, "%s", r->element[0]->str);
        *count = r->element[2]->integer;
    }
    freeReplyObject(r);
    return got;
}

static void raw_take_ack(bench_target *t, int from, int ops)
{
    (void)from;
    char id[64], count[24];
    long long n = 0;
    for (int i = 0; i < ops; i++) {
        if (!raw_take(t->raw, key, dead, id, sizeof id, &n)) bench_die("raw take: queue ran dry");
        snprintf(count, sizeof count, "%lld", n);
        const char *argv[] = { "EVALSHA", settle_sha, "1", key, group, consumer, id, count, "ack" };
        size_t lens[9];
        for (int a = 0; a < 9; a++) lens[a] = strlen(argv[a]);
        bench_raw_number(t->raw, REDIS_REPLY_INTEGER, 9, argv, lens, "raw ack");
    }
}

static void pottery_take_ack_ops(bench_target *t, int from, int ops)
{
    pottery_rqueue_item item = POTTERY_RQUEUE_ITEM_INIT;
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++) {
        if (pottery_rqueue_take(&item, queue, 0) < 0) bench_die("take");
        if (pottery_rqueue_ack(queue, &item) < 0) bench_die("ack");
    }
    pottery_rqueue_item_dispose(&item);
}

static void raw_take_empty(bench_target *t, int from, int ops)
{
    char id[64];
    long long n;
    (void)from;
    for (int i = 0; i < ops; i++)
        if (raw_take(t->raw, "bench:rqueue:empty", "{bench:rqueue:empty}:dead", id, sizeof id, &n))
            bench_die("raw take: not empty");
}

static void pottery_take_empty_ops(bench_target *t, int from, int ops)
{
    pottery_rqueue_item item = POTTERY_RQUEUE_ITEM_INIT;
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++)
        if (pottery_rqueue_take(&item, empty_queue, 0) != POTTERY_EEMPTY) bench_die("take empty");
}

static void raw_pending(bench_target *t, int from, int ops)
{
    (void)from;
    for (int i = 0; i < ops; i++) {
        const char *argv[] = { "XPENDING", key, group };
        const size_t lens[] = { 8, sizeof key - 1, sizeof group - 1 };
        bench_raw(t->raw, 3, argv, lens);
    }
}

static void pottery_pending_ops(bench_target *t, int from, int ops)
{
    int64_t n;
    (void)t;
    (void)from;
    for (int i = 0; i < ops; i++)
        if (pottery_rqueue_pending_count(&n, queue) < 0) bench_die("pending_count");
}

int main(int argc, char **argv)
{
    bench_target t;
    bench_connect(&t, argc, argv);
    load_script(&t, "rqueue_take", take_sha);
    load_script(&t, "rqueue_settle", settle_sha);
    if (pottery_rqueue_open(&queue, t.client, key, NULL) < 0) bench_die("open");
    if (pottery_rqueue_open(&empty_queue, t.client, "bench:rqueue:empty", NULL) < 0) bench_die("open");
    pottery_rqueue_clear(queue);
    pottery_rqueue_clear(empty_queue);
    pottery_rqueue_item none = POTTERY_RQUEUE_ITEM_INIT;
    if (pottery_rqueue_take(&none, queue, 0) != POTTERY_EEMPTY) bench_die("take"); /* creates the group */

    for (int w = 0; w < 5; w++) {
        raw_pending(&t, 0, OPS);
        pottery_pending_ops(&t, 0, OPS);
    }

    bench_header("pottery_rqueue vs raw hiredis (same commands, same bytes)");
    /* put fills the queue with 2 * OPS * ROUNDS items: exactly what take + ack consume. */
    bench_compare(&t, "put (XADD)", raw_put, pottery_put_ops, OPS, ROUNDS);
    bench_compare(&t, "take + ack (2 EVALSHA)", raw_take_ack, pottery_take_ack_ops, OPS, ROUNDS);
    bench_compare(&t, "take empty (EVALSHA)", raw_take_empty, pottery_take_empty_ops, OPS, ROUNDS);
    bench_compare(&t, "pending_count (XPENDING)", raw_pending, pottery_pending_ops, OPS, ROUNDS);

    pottery_rqueue_clear(queue);
    pottery_rqueue_clear(empty_queue);
    pottery_rqueue_free(empty_queue);
    pottery_rqueue_free(queue);
    bench_close(&t);
    return 0;
}
