/*
 * Allocation failure in pottery_rqueue: every public operation, failing each of its library
 * allocations in turn (tests/support/oom.h says what each attempt must satisfy).
 *
 * The queue's entries are written with fixed IDs and read by a consumer of a fixed name, so
 * most rows compare the whole dataset. Writes whose stream IDs come from the server's clock
 * (a put, a move to the dead-letter stream) compare a shape instead: every entry's fields in
 * order and the pending count, without the IDs; it must be the start's or the reference
 * run's, never anything else.
 *
 * A take that fails after the server delivered (its reply lost) leaves the item held by the
 * consumer, as the reference run does: it is delivered again after the visibility timeout,
 * as when a consumer dies holding it (at-least-once delivery).
 *
 * Not run under failure, as they cannot allocate: pottery_rqueue_key, _dead_letter_key,
 * _consumer, _client (getters of the handle) and pottery_rqueue_item_dispose (a free, called
 * by every teardown). pottery_rqueue_free is run under failure (it sends nothing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "support/oom.h"

#define LONG_TEXT "an item long enough to need an allocation of its own"
#define LONG_ITEM "\"" LONG_TEXT "\""

typedef struct ctx {
    pottery_rqueue *q;
    pottery_rqueue_item item, dead[4];
    size_t ndead;
    int64_t n;
    int64_t visibility_ms, max_deliveries;
    char *start_shape, *ref_shape;
} ctx;

static void teardown(void *arg)
{
    ctx *c = arg;
    pottery_rqueue_free(c->q);
    c->q = NULL;
    pottery_rqueue_item_dispose(&c->item);
    for (size_t i = 0; i < 4; i++) pottery_rqueue_item_dispose(&c->dead[i]);
    c->ndead = 0;
    c->n = 0;
    free(c->start_shape);
    c->start_shape = NULL;
}

/* Every entry of the queue and of its dead-letter stream (fields only, in order), and the
 * group's pending count. */
static char *shape(void)
{
    static const char script[] = "local out = {}\n"
                                 "for _, k in ipairs(KEYS) do\n"
                                 "  for _, e in ipairs(redis.call('XRANGE', k, '-', '+')) do\n"
                                 "    out[#out + 1] = table.concat(e[2], '=')\n"
                                 "  end\n"
                                 "  out[#out + 1] = '|'\n"
                                 "end\n"
                                 "local ok, p = pcall(redis.call, 'XPENDING', KEYS[1], 'pottery')\n"
                                 "out[#out + 1] = ok and tostring(p[1]) or 'no group'\n"
                                 "return table.concat(out, ';')\n";
    return raw("EVAL", script, "2", "q", "{q}:dead", NULL);
}

/* The shape is the start's (a failure only) or the reference run's, which the first call
 * (after the reference run) records. */
static int shape_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    char *now = shape();
    int ok;
    if (!c->ref_shape) {
        c->ref_shape = now;
        return rc >= 0;
    }
    ok = strcmp(now, c->ref_shape) == 0 || (rc < 0 && strcmp(now, c->start_shape) == 0);
    if (!ok) fprintf(stderr, "shape %s, expected %s or %s\n", now, c->ref_shape, c->start_shape);
    free(now);
    return ok;
}

static int open_queue(ctx *c)
{
    pottery_rqueue_options opts;
    pottery_rqueue_options_init(&opts);
    opts.consumer = "worker";
    if (c->visibility_ms) opts.visibility_timeout_ms = c->visibility_ms;
    if (c->max_deliveries) opts.max_deliveries = c->max_deliveries;
    return pottery_rqueue_open(&c->q, client, "q", &opts);
}

/* Two items in the queue, at IDs 1-0 and 2-0, no group yet. */
static int seeded(void *arg)
{
    ctx *c = arg;
    teardown(c);
    free(raw("FLUSHALL", NULL));
    free(raw("XADD", "q", "1-0", "item", LONG_ITEM, NULL));
    free(raw("XADD", "q", "2-0", "item", "[1, {\"b\": null}]", NULL));
    c->start_shape = shape();
    return open_queue(c) < 0 ? -1 : 0;
}

/* As seeded, and the first item taken by this consumer. */
static int taken(void *arg)
{
    ctx *c = arg;
    if (seeded(arg) < 0) return -1;
    int rc = pottery_rqueue_take(&c->item, c->q, 0);
    free(c->start_shape);
    c->start_shape = shape();
    return rc < 0 || strcmp(c->item.id, "1-0") != 0 ? -1 : 0;
}

/* As taken, then the visibility timeout (1 ms) left to pass: the item can be delivered
 * again, or (max_deliveries 1) moved to the dead-letter stream. */
static int overdue(void *arg)
{
    ctx *c = arg;
    if (taken(arg) < 0) return -1;
    pottery_rqueue_item_dispose(&c->item);
    struct timespec ts = { 0, 5 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    return 0;
}

/* A dead letter, as a take writes it, at ID 1-0 of the dead-letter stream. */
static int with_dead_letter(void *arg)
{
    ctx *c = arg;
    if (seeded(arg) < 0) return -1;
    free(raw("XADD", "{q}:dead", "1-0", "item", LONG_ITEM, "dead_id", "7-0", "dead_deliveries", "5", "dead_reason",
             "max_deliveries", NULL));
    free(c->start_shape);
    c->start_shape = shape();
    return 0;
}

/* As seeded, no handle open. */
static int seeded_closed(void *arg)
{
    ctx *c = arg;
    int rc = seeded(arg);
    pottery_rqueue_free(c->q);
    c->q = NULL;
    return rc;
}

static int run_open(void *arg)
{
    return open_queue(arg);
}

static int run_free(void *arg)
{
    ctx *c = arg;
    pottery_rqueue_free(c->q);
    c->q = NULL;
    return 0;
}

static int run_put(void *arg)
{
    return pottery_rqueue_put(((ctx *)arg)->q, pottery_json("{\"job\": [1, 2, \"three\"]}"));
}

static int run_put_many(void *arg)
{
    const pottery_value items[] = { pottery_int(1), pottery_json(LONG_ITEM), pottery_json("[null, true]") };
    return pottery_rqueue_put_many(((ctx *)arg)->q, items, 3);
}

static int run_take(void *arg)
{
    ctx *c = arg;
    return pottery_rqueue_take(&c->item, c->q, 0);
}

static void check_take_first(void *arg)
{
    ctx *c = arg;
    assert_string_equal(c->item.id, "1-0");
    assert_value_str(&c->item.value, LONG_TEXT);
}

static void check_take_again(void *arg)
{
    ctx *c = arg;
    check_take_first(arg);
    assert_int_equal(c->item.deliveries, 2);
}

static void check_take_second(void *arg)
{
    ctx *c = arg;
    assert_string_equal(c->item.id, "2-0");
    assert_value_json(&c->item.value, "[1, {\"b\": null}]");
}

static int run_ack(void *arg)
{
    ctx *c = arg;
    return pottery_rqueue_ack(c->q, &c->item);
}

static int run_release(void *arg)
{
    ctx *c = arg;
    return pottery_rqueue_release(c->q, &c->item);
}

static int run_touch(void *arg)
{
    ctx *c = arg;
    return pottery_rqueue_touch(c->q, &c->item);
}

static int run_len(void *arg)
{
    ctx *c = arg;
    return pottery_rqueue_len(&c->n, c->q);
}

static void check_n_2(void *arg)
{
    assert_int_equal(((ctx *)arg)->n, 2);
}

static void check_n_1(void *arg)
{
    assert_int_equal(((ctx *)arg)->n, 1);
}

static int run_pending_count(void *arg)
{
    ctx *c = arg;
    return pottery_rqueue_pending_count(&c->n, c->q);
}

static int run_dead_letter_count(void *arg)
{
    ctx *c = arg;
    return pottery_rqueue_dead_letter_count(&c->n, c->q);
}

static int run_dead_letters(void *arg)
{
    ctx *c = arg;
    return pottery_rqueue_dead_letters(c->dead, &c->ndead, c->q, 4);
}

static void check_dead_letters(void *arg)
{
    ctx *c = arg;
    assert_int_equal(c->ndead, 1);
    assert_string_equal(c->dead[0].id, "1-0");
    assert_int_equal(c->dead[0].deliveries, 5);
    assert_value_str(&c->dead[0].value, LONG_TEXT);
}

static int run_clear(void *arg)
{
    return pottery_rqueue_clear(((ctx *)arg)->q);
}

static void test_rqueue_operations(void **state)
{
    (void)state;
    ctx c = { 0 };
    const oom_op ops[] = {
        { "pottery_rqueue_open", seeded_closed, run_open, NULL, teardown, NULL },
        { "pottery_rqueue_put", seeded, run_put, NULL, teardown, shape_state_ok },
        { "pottery_rqueue_put_many", seeded, run_put_many, NULL, teardown, shape_state_ok },
        { "pottery_rqueue_take (creates the group)", seeded, run_take, check_take_first, teardown, NULL },
        { "pottery_rqueue_take (the next item)", taken, run_take, check_take_second, teardown, NULL },
        { "pottery_rqueue_ack", taken, run_ack, NULL, teardown, NULL },
        { "pottery_rqueue_release", taken, run_release, NULL, teardown, NULL },
        { "pottery_rqueue_touch", taken, run_touch, NULL, teardown, NULL },
        { "pottery_rqueue_len", taken, run_len, check_n_2, teardown, NULL },
        { "pottery_rqueue_pending_count", taken, run_pending_count, check_n_1, teardown, NULL },
        { "pottery_rqueue_dead_letter_count", with_dead_letter, run_dead_letter_count, check_n_1, teardown, NULL },
        { "pottery_rqueue_dead_letters", with_dead_letter, run_dead_letters, check_dead_letters, teardown, NULL },
        { "pottery_rqueue_clear", with_dead_letter, run_clear, NULL, teardown, NULL },
        { "pottery_rqueue_free", taken, run_free, NULL, teardown, NULL },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        oom_exhaust(&ops[i], &c);
        free(c.ref_shape);
        c.ref_shape = NULL;
    }

    /* Delivered again after the visibility timeout; moved to the dead-letter stream. */
    c.visibility_ms = 1;
    const oom_op again = {
        "pottery_rqueue_take (delivered again)", overdue, run_take, check_take_again, teardown, shape_state_ok
    };
    oom_exhaust(&again, &c);
    free(c.ref_shape);
    c.ref_shape = NULL;
    c.max_deliveries = 1;
    const oom_op dead = {
        "pottery_rqueue_take (to the dead letters)", overdue, run_take, check_take_second, teardown, shape_state_ok
    };
    oom_exhaust(&dead, &c);
    free(c.ref_shape);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_rqueue_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
