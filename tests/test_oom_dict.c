/*
 * Allocation failure in pottery_dict: every public operation, failing each of its library
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

/* Entries of the dicts iterated or copied in batches: more than one HSCAN batch. */
#define BIG 150

typedef struct dict_ctx {
    oom_state st; /* first: oom_run_rows reads it */
    pottery_dict *d, *o, *far, *fo, *big, *made;
    pottery_dict_iter *it;
    pottery_value v, v2;
    char *text;
    size_t len;
    int64_t n;
    int flag;
    pottery_value keys[2 * BIG], vals[2 * BIG]; /* what an iteration visited */
    size_t seen;
} dict_ctx;

static pottery_dict *open_on(pottery_client *cl, const char *key)
{
    pottery_dict *d = NULL;
    return pottery_dict_open(&d, cl, key, NULL) < 0 ? NULL : d;
}

/* d = {'a': 1, 'b': [1, 2], 'c': 'x'}, o = {'b': [1, 2], 'z': None}, big = {'k<i>': i} on
 * the server; on the other server far = big and fo = o. */
static int setup(void *arg)
{
    dict_ctx *c = arg;
    free(raw("FLUSHALL", NULL));
    free(test_redis_cmdv(&other_server, "FLUSHALL", NULL));
    free(raw("HSET", "d", "\"a\"", "1", "\"b\"", "[1, 2]", "\"c\"", "\"x\"", NULL));
    free(raw("HSET", "o", "\"b\"", "[1, 2]", "\"z\"", "null", NULL));
    static const char fill[] = "for i = 0, ARGV[1] - 1 do redis.call('HSET', KEYS[1], '\"k' .. i .. '\"', i) end";
    char n[16];
    snprintf(n, sizeof n, "%d", BIG);
    free(raw("EVAL", fill, "1", "big", n, NULL));
    free(test_redis_cmdv(&other_server, "EVAL", fill, "1", "far", n, NULL));
    free(test_redis_cmdv(&other_server, "HSET", "fo", "\"z\"", "null", "\"b\"", "[1.0, 2]", NULL));
    c->d = open_on(client, "d");
    c->o = open_on(client, "o");
    c->big = open_on(client, "big");
    c->far = open_on(far_client, "far");
    c->fo = open_on(far_client, "fo");
    c->n = INT64_MIN;
    c->flag = -1;
    free(c->st.start);
    c->st.start = oom_digest();
    return c->d && c->o && c->big && c->far && c->fo && c->st.start ? 0 : -1;
}

static void teardown(void *arg)
{
    dict_ctx *c = arg;
    pottery_value_dispose(&c->v);
    pottery_value_dispose(&c->v2);
    pottery_free(c->text);
    c->text = NULL;
    for (size_t i = 0; i < c->seen; i++) {
        pottery_value_dispose(&c->keys[i]);
        pottery_value_dispose(&c->vals[i]);
    }
    c->seen = 0;
    pottery_dict_iter_free(c->it);
    pottery_dict *hs[] = { c->d, c->o, c->far, c->fo, c->big, c->made };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) pottery_dict_free(hs[i]);
    c->d = c->o = c->far = c->fo = c->big = c->made = NULL;
    c->it = NULL;
}

/* What a successful attempt returned, as text: "v=... v2=... text=... n=... flag=...",
 * each part only when the operation set it. */
static void check(void *arg)
{
    dict_ctx *c = arg;
    oom_text t = { 0 };
    oom_text_add(&t, "%s", "");
    oom_text_outputs(&t, &c->v, c->text, c->n, c->flag);
    if (!pottery_value_is_null(&c->v2)) oom_text_add(&t, " v2="), oom_text_value(&t, c->v2);
    if (c->made) {
        char *json = NULL;
        assert_ok(pottery_dict_to_json(&json, NULL, c->made));
        oom_text_add(&t, " made=%s", json);
        pottery_free(json);
    }
    oom_result_check(&c->st.res, &t);
}

#define RUN(name, ...) OOM_RUN(dict_ctx, name, __VA_ARGS__)

static pottery_pair pairs[2]; /* {'a': 7, 'e': [...]}, made by main */

static int open_with(pottery_dict **out, const char *key)
{
    pottery_dict_options o;
    pottery_dict_options_init(&o);
    o.items = pairs;
    o.nitems = 2;
    return pottery_dict_open(out, client, key, &o);
}

static int setup_random(void *arg)
{
    dict_ctx *c = arg;
    return setup(c) == 0 && open_with(&c->made, "pottery:t") == 0 ? 0 : -1; /* a fixed name */
}

RUN(open, pottery_dict_free(c->d); c->d = NULL; return pottery_dict_open(&c->d, client, "d", NULL))
RUN(open_items, return open_with(&c->made, "n"))
RUN(open_random, return pottery_dict_open(&c->made, client, NULL, NULL))
RUN(open_random_items, return open_with(&c->made, NULL))
/* Getters and free: no allocation (the runs show 0); free of a `pottery:` key UNLINKs it. */
RUN(getters, return pottery_dict_key(c->d)[0] == 'd' && pottery_dict_client(c->d) == client ? 0 : -1)
RUN(free, pottery_dict_free(c->d); c->d = NULL; return 0)
RUN(free_random, pottery_dict_free(c->made); c->made = NULL; return 0)
RUN(get, return pottery_dict_get(&c->v, c->d, pottery_str("b")))
RUN(get_default, return pottery_dict_get_default(&c->v, c->d, pottery_str("q"), pottery_json("{\"w\": [1]}")))
RUN(set, return pottery_dict_set(c->d, pottery_str("c"), pottery_json("{\"x\": [1, \"y\"]}")))
RUN(del, return pottery_dict_del(c->d, pottery_str("b")))
RUN(contains, return pottery_dict_contains(&c->flag, c->d, pottery_json("\"b\"")))
RUN(len, return pottery_dict_len(&c->n, c->d))
RUN(pop, return pottery_dict_pop(&c->v, c->d, pottery_str("b")))
RUN(pop_default, return pottery_dict_pop_default(&c->v, c->d, pottery_str("q"), pottery_json("[true]")))
RUN(popitem, return pottery_dict_popitem(&c->v, &c->v2, c->o))
RUN(setdefault_new, return pottery_dict_setdefault(&c->v, c->d, pottery_str("q"), pottery_json("[1, {\"a\": 2}]")))
RUN(setdefault_old, return pottery_dict_setdefault(&c->v, c->d, pottery_str("b"), pottery_int(0)))
RUN(update, return pottery_dict_update(c->d, pairs, 2))
RUN(update_from, return pottery_dict_update_from(c->d, c->o))
RUN(update_from_far, return pottery_dict_update_from(c->d, c->far))
RUN(clear, return pottery_dict_clear(c->d))
RUN(to_json, return pottery_dict_to_json(&c->text, &c->len, c->d))
RUN(repr, return pottery_dict_repr(&c->text, c->d))
RUN(equal_from, return pottery_dict_equal_from(&c->flag, c->d, c->o))
RUN(equal_from_far, return pottery_dict_equal_from(&c->flag, c->o, c->fo))
RUN(equal_json, return pottery_dict_equal_json(&c->flag, c->d, "{\"c\": \"x\", \"a\": 1.0, \"b\": [1, 2]}"))

/* The whole iteration (iter_new, every step, the end): a failed step returns its error and
 * the next call continues. */
RUN(
    iterate, int rc = c->it ? 0 : pottery_dict_iter_new(&c->it, c->big); while (rc == 0) {
        rc = pottery_dict_iter_next(&c->keys[c->seen], &c->vals[c->seen], c->it);
        if (rc == 0) c->seen++;
    } return rc == POTTERY_EITEROVER
                                                                             ? 0
                                                                             : rc)

/* After any attempt the iteration, continued without failures, has visited every entry
 * (a failed step loses none), and nothing was written. */
static int iterate_ok(void *arg, int rc)
{
    dict_ctx *c = arg;
    while (c->it && rc != POTTERY_EITEROVER) {
        rc = pottery_dict_iter_next(&c->keys[c->seen], &c->vals[c->seen], c->it);
        if (rc == 0)
            c->seen++;
        else if (rc != POTTERY_EITEROVER)
            return 0;
    }
    char *all = oom_join_visited(c->keys, c->vals, NULL, c->seen);
    int ok = oom_state_unchanged(c->st.start) && (c->it ? strcmp(all, c->st.res.want) == 0 : c->seen == 0);
    free(all);
    return ok;
}

#define ROW(name, want)                                                                                                \
    {                                                                                                                  \
        { "pottery_dict_" #name, setup, run_##name, check, teardown, NULL }, want, 0, 0                                \
    }

static char *big_items(void)
{
    char **items = calloc(BIG, sizeof *items);
    for (int i = 0; i < BIG; i++) {
        oom_text t = { 0 };
        oom_text_add(&t, "\"k%d\"=%d", i, i);
        items[i] = t.s;
    }
    char *all = oom_join_sorted(items, BIG);
    free(items);
    return all;
}

static void test_dict_operations(void **state)
{
    (void)state;
    char *iterated = big_items();
    const oom_row rows[] = {
        ROW(open, ""),
        ROW(open_items, "made={\"a\": 7, \"e\": [\"long enough to need a buffer\", 1.5, null]}"),
        ROW(open_random, "made={}"),
        { { "pottery_dict_open_random_items", setup, run_open_random_items, check, teardown, oom_strict_ok },
          "made={\"a\": 7, \"e\": [\"long enough to need a buffer\", 1.5, null]}",
          0,
          0 },
        { { "pottery_dict_key, _client", setup, run_getters, check, teardown, NULL }, "", 0, 1 },
        { { "pottery_dict_free", setup, run_free, check, teardown, NULL }, "", 0, 1 },
        ROW(get, "v=[1, 2]"),
        ROW(get_default, "v={\"w\": [1]}"),
        ROW(set, ""),
        ROW(del, ""),
        ROW(contains, "flag=1"),
        ROW(len, "n=3"),
        /* A pop whose reply cannot be read (no memory for it) has removed the entry all the
         * same: "after" is accepted, as for every write; a value there is no memory to
         * decode is put back ("before"). */
        ROW(pop, "v=[1, 2]"),
        ROW(pop_default, "v=[true]"),
        ROW(popitem, "v=\"b\" v2=[1, 2]"),
        ROW(setdefault_new, "v=[1, {\"a\": 2}]"),
        ROW(setdefault_old, "v=[1, 2]"),
        ROW(update, ""),
        ROW(update_from, ""),
        ROW(update_from_far, ""),
        ROW(clear, ""),
        ROW(to_json, "text={\"a\": 1, \"b\": [1, 2], \"c\": \"x\"}"),
        ROW(repr, "text=RedisDict{'a': 1, 'b': [1, 2], 'c': 'x'}"),
        ROW(equal_from, "flag=0"),
        ROW(equal_from_far, "flag=1"),
        ROW(equal_json, "flag=1"),
        { { "pottery_dict_free (random key)", setup_random, run_free_random, check, teardown, NULL }, "", 0, 0 },
        { { "pottery_dict_iter_new, _iter_next", setup, run_iterate, NULL, teardown, iterate_ok }, iterated, 0, 0 },
    };
    dict_ctx ctx = { 0 };
    oom_run_rows(rows, sizeof rows / sizeof rows[0], &ctx);
    free(iterated);
}

int main(void)
{
    pairs[0] = (pottery_pair){ pottery_str("a"), pottery_int(7) };
    pairs[1] = (pottery_pair){ pottery_str("e"), pottery_json("[\"long enough to need a buffer\", 1.5, null]") };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_dict_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup_two, fixture_teardown);
}
