/*
 * Allocation failure in pottery_counter: every public operation, failing each of its library
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

/* Keys of the counter iterated: more than one HSCAN batch; key k<i> counts i % 3, so its
 * elements() are 150 keys too. */
#define BIG 150

typedef struct counter_ctx {
    oom_state st; /* first: oom_run_rows reads it */
    pottery_counter *c, *o, *far, *big, *made;
    pottery_counter_iter *it;
    char *text;
    size_t len;
    int64_t n;
    int flag;
    pottery_counter_pair *pairs; /* most_common */
    size_t npairs;
    pottery_value seen[2 * BIG]; /* what an iteration visited */
    int64_t counts[2 * BIG];
    size_t nseen;
} counter_ctx;

static pottery_counter *open_on(pottery_client *cl, const char *key)
{
    pottery_counter *c = NULL;
    return pottery_counter_open(&c, cl, key, NULL) < 0 ? NULL : c;
}

/* c = Counter(a=3, b=0, c=-3), o = Counter(a=1, d=2), big = {'k<i>': i % 3} on the server;
 * far = o on the other server. */
static int setup(void *arg)
{
    counter_ctx *c = arg;
    free(raw("FLUSHALL", NULL));
    free(test_redis_cmdv(&other_server, "FLUSHALL", NULL));
    free(raw("HSET", "c", "\"a\"", "3", "\"b\"", "0", "\"c\"", "-3", NULL));
    free(raw("HSET", "o", "\"a\"", "1", "\"d\"", "2", NULL));
    free(test_redis_cmdv(&other_server, "HSET", "far", "\"a\"", "1", "\"d\"", "2", NULL));
    free(raw("EVAL", "for i = 0, ARGV[1] - 1 do redis.call('HSET', KEYS[1], '\"k' .. i .. '\"', i % 3) end", "1", "big",
             "150", NULL));
    c->c = open_on(client, "c");
    c->o = open_on(client, "o");
    c->big = open_on(client, "big");
    c->far = open_on(far_client, "far");
    c->n = INT64_MIN;
    c->flag = -1;
    free(c->st.start);
    c->st.start = oom_digest();
    return c->c && c->o && c->big && c->far && c->st.start ? 0 : -1;
}

static void teardown(void *arg)
{
    counter_ctx *c = arg;
    pottery_free(c->text);
    c->text = NULL;
    pottery_counter_pairs_free(c->pairs, c->npairs);
    c->pairs = NULL;
    c->npairs = 0;
    for (size_t i = 0; i < c->nseen; i++) pottery_value_dispose(&c->seen[i]);
    c->nseen = 0;
    pottery_counter_iter_free(c->it);
    c->it = NULL;
    pottery_counter *hs[] = { c->c, c->o, c->far, c->big, c->made };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) pottery_counter_free(hs[i]);
    c->c = c->o = c->far = c->big = c->made = NULL;
}

/* What a successful attempt returned, as text: " text=... n=... flag=... pairs=...
 * made=...", each part only when the operation set it. */
static void check(void *arg)
{
    counter_ctx *c = arg;
    oom_text t = { 0 };
    oom_text_add(&t, "%s", "");
    if (c->text) oom_text_add(&t, " text=%s", c->text);
    if (c->n != INT64_MIN) oom_text_add(&t, " n=%lld", (long long)c->n);
    if (c->flag != -1) oom_text_add(&t, " flag=%d", c->flag);
    for (size_t i = 0; i < c->npairs; i++) {
        oom_text_add(&t, i ? "," : " pairs=");
        oom_text_value(&t, c->pairs[i].key);
        oom_text_add(&t, ":%lld", (long long)c->pairs[i].count);
    }
    if (c->made) {
        char *json = NULL;
        assert_ok(pottery_counter_to_json(&json, NULL, c->made));
        oom_text_add(&t, " made=%s", json);
        pottery_free(json);
    }
    oom_result_check(&c->st.res, &t);
}

#define RUN(name, ...) OOM_RUN(counter_ctx, name, __VA_ARGS__)

static pottery_value keys[3];         /* ['a', 'e', "long enough..."], made by main */
static pottery_counter_pair pairs[3]; /* {'a': 2, 'e': 5, "long...": -1}, made by main */

static int open_with(pottery_counter **out, const char *key)
{
    pottery_counter_options o;
    pottery_counter_options_init(&o);
    o.items = pairs;
    o.nitems = 3;
    o.keys = keys;
    o.nkeys = 3;
    return pottery_counter_open(out, client, key, &o);
}

static int setup_random(void *arg)
{
    counter_ctx *c = arg;
    return setup(c) == 0 && open_with(&c->made, "pottery:t") == 0 ? 0 : -1; /* a fixed name */
}

RUN(open, pottery_counter_free(c->c); c->c = NULL; return pottery_counter_open(&c->c, client, "c", NULL))
RUN(open_items, return open_with(&c->made, "n"))
RUN(open_random, return pottery_counter_open(&c->made, client, NULL, NULL))
RUN(open_random_items, return open_with(&c->made, NULL))
/* Getters and free: no allocation (the runs show 0); free of a `pottery:` key UNLINKs it. */
RUN(getters, return pottery_counter_key(c->c)[0] == 'c' && pottery_counter_client(c->c) == client ? 0 : -1)
RUN(free, pottery_counter_free(c->c); c->c = NULL; return 0)
RUN(free_random, pottery_counter_free(c->made); c->made = NULL; return 0)
RUN(get, return pottery_counter_get(&c->n, c->c, pottery_str("a")))
RUN(set, return pottery_counter_set(c->c, pottery_json("[1, \"x\"]"), 5))
RUN(del, return pottery_counter_del(c->c, pottery_str("b")))
RUN(contains, return pottery_counter_contains(&c->flag, c->c, pottery_str("b")))
RUN(len, return pottery_counter_len(&c->n, c->c))
RUN(incr, return pottery_counter_incr(&c->n, c->c, pottery_str("a"), 2))
RUN(decr, return pottery_counter_decr(&c->n, c->c, pottery_str("c"), 1))
RUN(update, return pottery_counter_update(c->c, pairs, 3))
RUN(subtract, return pottery_counter_subtract(c->c, pairs, 3))
RUN(update_keys, return pottery_counter_update_keys(c->c, keys, 3))
RUN(subtract_keys, return pottery_counter_subtract_keys(c->c, keys, 3))
RUN(update_from, return pottery_counter_update_from(c->c, c->o))
RUN(update_from_far, return pottery_counter_update_from(c->c, c->far))
RUN(subtract_from, return pottery_counter_subtract_from(c->c, c->o))
RUN(subtract_from_far, return pottery_counter_subtract_from(c->c, c->far))
RUN(clear, return pottery_counter_clear(c->c))
RUN(most_common, return pottery_counter_most_common(&c->pairs, &c->npairs, c->c, 2))
RUN(total, return pottery_counter_total(&c->n, c->o))
RUN(to_json, return pottery_counter_to_json(&c->text, &c->len, c->c))
RUN(repr, return pottery_counter_repr(&c->text, c->c))
RUN(equal_from, return pottery_counter_equal_from(&c->flag, c->c, c->o))
RUN(equal_from_far, return pottery_counter_equal_from(&c->flag, c->o, c->far))
RUN(equal_json, return pottery_counter_equal_json(&c->flag, c->o, "{\"d\": 2, \"a\": 1}"))
RUN(binary, return pottery_counter_binary(&c->text, &c->len, c->c, POTTERY_COUNTER_ADD, c->o))
RUN(binary_far, return pottery_counter_binary(&c->text, &c->len, c->c, POTTERY_COUNTER_OR, c->far))
RUN(binary_json, return pottery_counter_binary_json(&c->text, &c->len, c->c, POTTERY_COUNTER_SUB, "{\"a\": 1}"))
RUN(pos, return pottery_counter_pos(&c->text, &c->len, c->c))
RUN(neg, return pottery_counter_neg(&c->text, &c->len, c->c))
RUN(inplace, return pottery_counter_inplace(c->c, POTTERY_COUNTER_AND, c->o))
RUN(inplace_far, return pottery_counter_inplace(c->c, POTTERY_COUNTER_ADD, c->far))
RUN(inplace_json, return pottery_counter_inplace_json(c->c, POTTERY_COUNTER_OR, "{\"a\": 5, \"z\": 1}"))

/* The whole iteration (iter_new or elements_new, every step, the end): a failed step
 * returns its error and the next call continues. */
static int step(counter_ctx *c)
{
    int rc = pottery_counter_iter_next(&c->seen[c->nseen], &c->counts[c->nseen], c->it);
    if (rc == 0) c->nseen++;
    return rc;
}

RUN(iterate, int rc = c->it           ? 0
                      : c->st.variant ? pottery_counter_elements_new(&c->it, c->big)
                                      : pottery_counter_iter_new(&c->it, c->big);
    while (rc == 0) rc = step(c); return rc == POTTERY_EITEROVER ? 0 : rc)

/* After any attempt the iteration, continued without failures, has visited every entry
 * (elements: every element, 150 in all: a failed step loses none and repeats none), and
 * nothing was written. */
static int iterate_ok(void *arg, int rc)
{
    counter_ctx *c = arg;
    while (c->it && rc != POTTERY_EITEROVER) {
        rc = step(c);
        if (rc < 0 && rc != POTTERY_EITEROVER) return 0;
    }
    size_t n = c->nseen;
    char *all = oom_join_visited(c->seen, NULL, c->counts, n);
    int ok = oom_state_unchanged(c->st.start) && (c->it ? strcmp(all, c->st.res.want) == 0 && n == BIG : n == 0);
    free(all);
    return ok;
}

#define ROW(name, want)                                                                                                \
    {                                                                                                                  \
        { "pottery_counter_" #name, setup, run_##name, check, teardown, NULL }, want, 0, 0                             \
    }

/* What iterating big gives: every key with its count, or (elements) the keys counting 1 or 2. */
static char *big_items(int elements)
{
    char **items = calloc(BIG, sizeof *items);
    size_t n = 0;
    for (int i = 0; i < BIG; i++) {
        if (elements && i % 3 == 0) continue;
        oom_text t = { 0 };
        oom_text_add(&t, "\"k%d\"=%d", i, i % 3);
        items[n++] = t.s;
    }
    char *all = oom_join_sorted(items, n);
    free(items);
    return all;
}

#define MADE "made={\"a\": 3, \"e\": 6, \"long enough to need a buffer of its own\": 0}"

static void test_counter_operations(void **state)
{
    (void)state;
    char *items = big_items(0), *elements = big_items(1);
    const oom_row rows[] = {
        ROW(open, ""),
        ROW(open_items, MADE),
        ROW(open_random, "made={}"),
        { { "pottery_counter_open_random_items", setup, run_open_random_items, check, teardown, oom_strict_ok },
          MADE,
          0,
          0 },
        { { "pottery_counter_key, _client", setup, run_getters, check, teardown, NULL }, "", 0, 1 },
        { { "pottery_counter_free", setup, run_free, check, teardown, NULL }, "", 0, 1 },
        ROW(get, "n=3"),
        ROW(set, ""),
        ROW(del, ""),
        ROW(contains, "flag=1"),
        ROW(len, "n=3"),
        ROW(incr, "n=5"),
        ROW(decr, "n=-4"),
        ROW(update, ""),
        ROW(subtract, ""),
        ROW(update_keys, ""),
        ROW(subtract_keys, ""),
        ROW(update_from, ""),
        ROW(update_from_far, ""),
        ROW(subtract_from, ""),
        ROW(subtract_from_far, ""),
        ROW(clear, ""),
        ROW(most_common, "pairs=\"a\":3,\"b\":0"),
        ROW(total, "n=3"),
        ROW(to_json, "text={\"a\": 3, \"b\": 0, \"c\": -3}"),
        ROW(repr, "text=RedisCounter{'a': 3, 'b': 0, 'c': -3}"),
        ROW(equal_from, "flag=0"),
        ROW(equal_from_far, "flag=1"),
        ROW(equal_json, "flag=1"),
        ROW(binary, "text={\"a\": 4, \"d\": 2}"),
        ROW(binary_far, "text={\"a\": 3, \"d\": 2}"),
        ROW(binary_json, "text={\"a\": 2}"),
        ROW(pos, "text={\"a\": 3}"),
        ROW(neg, "text={\"c\": 3}"),
        ROW(inplace, ""),
        ROW(inplace_far, ""),
        ROW(inplace_json, ""),
        { { "pottery_counter_iter_new, _iter_next", setup, run_iterate, NULL, teardown, iterate_ok }, items, 0, 0 },
        { { "pottery_counter_elements_new, _iter_next", setup, run_iterate, NULL, teardown, iterate_ok },
          elements,
          1,
          0 },
        { { "pottery_counter_free (random key)", setup_random, run_free_random, check, teardown, NULL }, "", 0, 0 },
    };
    counter_ctx ctx = { 0 };
    oom_run_rows(rows, sizeof rows / sizeof rows[0], &ctx);
    free(items);
    free(elements);
}

int main(void)
{
    keys[0] = pottery_str("a");
    keys[1] = pottery_str("e");
    keys[2] = pottery_str("long enough to need a buffer of its own");
    const int64_t counts[] = { 2, 5, -1 };
    for (int i = 0; i < 3; i++) pairs[i] = (pottery_counter_pair){ keys[i], counts[i] };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_counter_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup_two, fixture_teardown);
}
