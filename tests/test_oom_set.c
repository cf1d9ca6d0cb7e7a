/*
 * Allocation failure in pottery_set: every public operation, failing each of its library
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

/* Members of the set iterated: more than one SSCAN batch. */
#define BIG 150

typedef struct set_ctx {
    oom_state st; /* first: oom_run_rows reads it */
    pottery_set *s, *t, *u, *one, *far, *big, *made;
    pottery_set *others[2]; /* {t, u}, or {t, far} in the rows with an operand on another server */
    pottery_set_iter *it;
    pottery_value v;
    char *text;
    size_t len;
    int64_t n;
    int flag;
    int many[4];
    pottery_value seen[2 * BIG]; /* what an iteration visited */
    size_t nseen;
} set_ctx;

static pottery_set *open_on(pottery_client *cl, const char *key)
{
    pottery_set *s = NULL;
    return pottery_set_open(&s, cl, key, NULL) < 0 ? NULL : s;
}

/* s = {'a', 1, [1, 2]}, t = {'a', 'b'}, u = {1, 'c'}, one = {'z'}, big = {'m<i>'} on the
 * server; far = {'b', 'd'} on the other server. */
static int setup(void *arg)
{
    set_ctx *c = arg;
    free(raw("FLUSHALL", NULL));
    free(test_redis_cmdv(&other_server, "FLUSHALL", NULL));
    free(raw("SADD", "s", "\"a\"", "1", "[1, 2]", NULL));
    free(raw("SADD", "t", "\"a\"", "\"b\"", NULL));
    free(raw("SADD", "u", "1", "\"c\"", NULL));
    free(raw("SADD", "one", "\"z\"", NULL));
    free(test_redis_cmdv(&other_server, "SADD", "far", "\"b\"", "\"d\"", NULL));
    free(raw("EVAL", "for i = 0, ARGV[1] - 1 do redis.call('SADD', KEYS[1], '\"m' .. i .. '\"') end", "1", "big", "150",
             NULL));
    c->s = open_on(client, "s");
    c->t = open_on(client, "t");
    c->u = open_on(client, "u");
    c->one = open_on(client, "one");
    c->big = open_on(client, "big");
    c->far = open_on(far_client, "far");
    c->others[0] = c->t;
    c->others[1] = c->st.variant ? c->far : c->u;
    c->n = INT64_MIN;
    c->flag = -1;
    memset(c->many, -1, sizeof c->many);
    free(c->st.start);
    c->st.start = oom_digest();
    return c->s && c->t && c->u && c->one && c->big && c->far && c->st.start ? 0 : -1;
}

static void teardown(void *arg)
{
    set_ctx *c = arg;
    pottery_value_dispose(&c->v);
    pottery_free(c->text);
    c->text = NULL;
    for (size_t i = 0; i < c->nseen; i++) pottery_value_dispose(&c->seen[i]);
    c->nseen = 0;
    pottery_set_iter_free(c->it);
    c->it = NULL;
    pottery_set *hs[] = { c->s, c->t, c->u, c->one, c->far, c->big, c->made };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) pottery_set_free(hs[i]);
    c->s = c->t = c->u = c->one = c->far = c->big = c->made = NULL;
}

/* What a successful attempt returned, as text: " v=... text=... n=... flag=... many=...
 * made=...", each part only when the operation set it. */
static void check(void *arg)
{
    set_ctx *c = arg;
    oom_text t = { 0 };
    oom_text_add(&t, "%s", "");
    oom_text_outputs(&t, &c->v, c->text, c->n, c->flag);
    if (c->many[0] != -1) oom_text_add(&t, " many=%d%d%d", c->many[0], c->many[1], c->many[2]);
    if (c->made) {
        char *json = NULL;
        assert_ok(pottery_set_to_json(&json, NULL, c->made));
        oom_text_add(&t, " made=%s", json);
        pottery_free(json);
    }
    oom_result_check(&c->st.res, &t);
}

#define RUN(name, ...) OOM_RUN(set_ctx, name, __VA_ARGS__)

#define LONG "\"long enough to need a buffer of its own\""
static pottery_value vals[3]; /* ['b', 1, "long enough to need a buffer of its own"], made by main */

static int open_with(pottery_set **out, const char *key)
{
    pottery_set_options o;
    pottery_set_options_init(&o);
    o.elements = vals;
    o.nelements = 3;
    return pottery_set_open(out, client, key, &o);
}

static int setup_random(void *arg)
{
    set_ctx *c = arg;
    return setup(c) == 0 && open_with(&c->made, "pottery:t") == 0 ? 0 : -1; /* a fixed name */
}

RUN(open, pottery_set_free(c->s); c->s = NULL; return pottery_set_open(&c->s, client, "s", NULL))
RUN(open_items, return open_with(&c->made, "n"))
RUN(open_random, return pottery_set_open(&c->made, client, NULL, NULL))
RUN(open_random_items, return open_with(&c->made, NULL))
/* Getters and free: no allocation (the runs show 0); free of a `pottery:` key UNLINKs it. */
RUN(getters, return pottery_set_key(c->s)[0] == 's' && pottery_set_client(c->s) == client ? 0 : -1)
RUN(free, pottery_set_free(c->s); c->s = NULL; return 0)
RUN(free_random, pottery_set_free(c->made); c->made = NULL; return 0)
RUN(add, return pottery_set_add(c->s, pottery_json("{\"k\": [1, 2, 3]}")))
RUN(discard, return pottery_set_discard(c->s, pottery_json("[1, 2]")))
RUN(remove, return pottery_set_remove(c->s, pottery_str("a")))
RUN(pop, return pottery_set_pop(&c->v, c->one))
RUN(contains, return pottery_set_contains(&c->flag, c->s, pottery_json("[1,2]")))
RUN(contains_many, return pottery_set_contains_many(c->many, c->s, vals, 3))
RUN(len, return pottery_set_len(&c->n, c->s))
RUN(clear, return pottery_set_clear(c->s))
RUN(to_json, return pottery_set_to_json(&c->text, &c->len, c->s))
RUN(repr, return pottery_set_repr(&c->text, c->one))
RUN(equal, return pottery_set_equal(&c->flag, c->s, vals, 3))
RUN(equal_from, return pottery_set_equal_from(&c->flag, c->t, c->others[1]))
RUN(isdisjoint, return pottery_set_isdisjoint(&c->flag, c->s, vals, 3))
RUN(isdisjoint_from, return pottery_set_isdisjoint_from(&c->flag, c->t, c->others[1]))
RUN(issubset, return pottery_set_issubset(&c->flag, c->t, vals, 3))
RUN(issubset_from, return pottery_set_issubset_from(&c->flag, c->t, c->others[1]))
RUN(issuperset, return pottery_set_issuperset(&c->flag, c->s, vals + 1, 1))
RUN(issuperset_from, return pottery_set_issuperset_from(&c->flag, c->s, c->others[1]))
RUN(union, return pottery_set_union(&c->text, &c->len, c->s, vals, 3))
RUN(union_from, return pottery_set_union_from(&c->text, &c->len, c->s, c->others, 2))
RUN(union_new, return pottery_set_union_new(&c->made, c->s, vals, 3))
RUN(union_new_from, return pottery_set_union_new_from(&c->made, c->s, c->others, 2))
RUN(intersection, return pottery_set_intersection(&c->text, &c->len, c->s, vals, 3))
RUN(intersection_from, return pottery_set_intersection_from(&c->text, &c->len, c->s, c->others, 2))
RUN(intersection_new, return pottery_set_intersection_new(&c->made, c->s, vals, 3))
RUN(intersection_new_from, return pottery_set_intersection_new_from(&c->made, c->s, c->others, 2))
RUN(difference, return pottery_set_difference(&c->text, &c->len, c->s, vals, 3))
RUN(difference_from, return pottery_set_difference_from(&c->text, &c->len, c->s, c->others, 2))
RUN(difference_new, return pottery_set_difference_new(&c->made, c->s, vals, 3))
RUN(difference_new_from, return pottery_set_difference_new_from(&c->made, c->s, c->others, 2))
RUN(symmetric_difference, return pottery_set_symmetric_difference(&c->text, &c->len, c->s, vals, 3))
RUN(symmetric_difference_from, return pottery_set_symmetric_difference_from(&c->text, &c->len, c->t, c->others[1]))
RUN(symmetric_difference_new, return pottery_set_symmetric_difference_new(&c->made, c->s, vals, 3))
RUN(symmetric_difference_new_from, return pottery_set_symmetric_difference_new_from(&c->made, c->t, c->others[1]))
RUN(update, return pottery_set_update(c->s, vals, 3))
RUN(update_from, return pottery_set_update_from(c->s, c->others, 2))
RUN(intersection_update, return pottery_set_intersection_update(c->s, vals, 3))
RUN(intersection_update_from, return pottery_set_intersection_update_from(c->t, c->others + 1, 1))
RUN(difference_update, return pottery_set_difference_update(c->s, vals, 3))
RUN(difference_update_from, return pottery_set_difference_update_from(c->s, c->others, 2))
RUN(symmetric_difference_update, return pottery_set_symmetric_difference_update(c->s, vals, 3))
RUN(symmetric_difference_update_from, return pottery_set_symmetric_difference_update_from(c->t, c->others[1]))

/* The whole iteration (iter_new, every step, the end): a failed step returns its error and
 * the next call continues. */
RUN(
    iterate, int rc = c->it ? 0 : pottery_set_iter_new(&c->it, c->big); while (rc == 0) {
        rc = pottery_set_iter_next(&c->seen[c->nseen], c->it);
        if (rc == 0) c->nseen++;
    } return rc == POTTERY_EITEROVER
                                                                            ? 0
                                                                            : rc)

/* After any attempt the iteration, continued without failures, has visited every member
 * (a failed step loses none), and nothing was written. */
static int iterate_ok(void *arg, int rc)
{
    set_ctx *c = arg;
    while (c->it && rc != POTTERY_EITEROVER) {
        rc = pottery_set_iter_next(&c->seen[c->nseen], c->it);
        if (rc == 0)
            c->nseen++;
        else if (rc != POTTERY_EITEROVER)
            return 0;
    }
    char *all = oom_join_visited(c->seen, NULL, NULL, c->nseen);
    int ok = oom_state_unchanged(c->st.start) && (c->it ? strcmp(all, c->st.res.want) == 0 : c->nseen == 0);
    free(all);
    return ok;
}

#define ROW(name, want)                                                                                                \
    {                                                                                                                  \
        { "pottery_set_" #name, setup, run_##name, check, teardown, NULL }, want, 0, 0                                 \
    }
#define ROW_FAR(name, want)                                                                                            \
    {                                                                                                                  \
        { "pottery_set_" #name " (far)", setup, run_##name, check, teardown, NULL }, want, 1, 0                        \
    }
#define ROW_STRICT(name, want, mixed)                                                                                  \
    {                                                                                                                  \
        { mixed ? "pottery_set_" #name " (far)" : "pottery_set_" #name,                                                \
          setup,                                                                                                       \
          run_##name,                                                                                                  \
          check,                                                                                                       \
          teardown,                                                                                                    \
          oom_strict_ok },                                                                                             \
            want, mixed, 0                                                                                             \
    }

static char *big_members(void)
{
    char **items = calloc(BIG, sizeof *items);
    for (int i = 0; i < BIG; i++) {
        oom_text t = { 0 };
        oom_text_add(&t, "\"m%d\"", i);
        items[i] = t.s;
    }
    char *all = oom_join_sorted(items, BIG);
    free(items);
    return all;
}

static void test_set_operations(void **state)
{
    (void)state;
    char *iterated = big_members();
    const oom_row rows[] = {
        ROW(open, ""),
        ROW(open_items, "made=[\"b\", " LONG ", 1]"),
        ROW(open_random, "made=[]"),
        ROW_STRICT(open_random_items, "made=[\"b\", " LONG ", 1]", 0),
        { { "pottery_set_key, _client", setup, run_getters, check, teardown, NULL }, "", 0, 1 },
        { { "pottery_set_free", setup, run_free, check, teardown, NULL }, "", 0, 1 },
        ROW(add, ""),
        ROW(discard, ""),
        ROW(remove, ""),
        ROW(pop, "v=\"z\""), /* as a dict's pop: "after" when its reply could not be read */
        ROW(contains, "flag=1"),
        ROW(contains_many, "many=010"),
        ROW(len, "n=3"),
        ROW(clear, ""),
        ROW(to_json, "text=[\"a\", 1, [1, 2]]"),
        ROW(repr, "text=RedisSet{'z'}"),
        ROW(equal, "flag=0"),
        ROW(equal_from, "flag=0"),
        ROW_FAR(equal_from, "flag=0"),
        ROW(isdisjoint, "flag=0"),
        ROW(isdisjoint_from, "flag=1"),
        ROW_FAR(isdisjoint_from, "flag=0"),
        ROW(issubset, "flag=0"),
        ROW(issubset_from, "flag=0"),
        ROW_FAR(issubset_from, "flag=0"),
        ROW(issuperset, "flag=1"),
        ROW(issuperset_from, "flag=0"),
        ROW_FAR(issuperset_from, "flag=0"),
        ROW(union, "text=[\"a\", \"b\", " LONG ", 1, [1, 2]]"),
        ROW(union_from, "text=[\"a\", \"b\", \"c\", 1, [1, 2]]"),
        ROW_FAR(union_from, "text=[\"a\", \"b\", \"d\", 1, [1, 2]]"),
        ROW_STRICT(union_new, "made=[\"a\", \"b\", " LONG ", 1, [1, 2]]", 0),
        ROW_STRICT(union_new_from, "made=[\"a\", \"b\", \"c\", 1, [1, 2]]", 0),
        ROW_STRICT(union_new_from, "made=[\"a\", \"b\", \"d\", 1, [1, 2]]", 1),
        ROW(intersection, "text=[1]"),
        ROW(intersection_from, "text=[]"),
        ROW_FAR(intersection_from, "text=[]"),
        ROW_STRICT(intersection_new, "made=[1]", 0),
        ROW_STRICT(intersection_new_from, "made=[]", 0),
        ROW_STRICT(intersection_new_from, "made=[]", 1),
        ROW(difference, "text=[\"a\", [1, 2]]"),
        ROW(difference_from, "text=[[1, 2]]"),
        ROW_FAR(difference_from, "text=[1, [1, 2]]"),
        ROW_STRICT(difference_new, "made=[\"a\", [1, 2]]", 0),
        ROW_STRICT(difference_new_from, "made=[[1, 2]]", 0),
        ROW_STRICT(difference_new_from, "made=[1, [1, 2]]", 1),
        ROW(symmetric_difference, "text=[\"a\", \"b\", " LONG ", [1, 2]]"),
        ROW(symmetric_difference_from, "text=[\"a\", \"b\", \"c\", 1]"),
        ROW_FAR(symmetric_difference_from, "text=[\"a\", \"d\"]"),
        ROW_STRICT(symmetric_difference_new, "made=[\"a\", \"b\", " LONG ", [1, 2]]", 0),
        ROW_STRICT(symmetric_difference_new_from, "made=[\"a\", \"b\", \"c\", 1]", 0),
        ROW_STRICT(symmetric_difference_new_from, "made=[\"a\", \"d\"]", 1),
        ROW(update, ""),
        ROW(update_from, ""),
        ROW_FAR(update_from, ""),
        ROW(intersection_update, ""),
        ROW(intersection_update_from, ""),
        ROW_FAR(intersection_update_from, ""),
        ROW(difference_update, ""),
        ROW(difference_update_from, ""),
        ROW_FAR(difference_update_from, ""),
        ROW(symmetric_difference_update, ""),
        ROW(symmetric_difference_update_from, ""),
        ROW_FAR(symmetric_difference_update_from, ""),
        { { "pottery_set_iter_new, _iter_next", setup, run_iterate, NULL, teardown, iterate_ok }, iterated, 0, 0 },
        { { "pottery_set_free (random key)", setup_random, run_free_random, check, teardown, NULL }, "", 0, 0 },
    };
    set_ctx ctx = { 0 };
    oom_run_rows(rows, sizeof rows / sizeof rows[0], &ctx);
    free(iterated);
}

int main(void)
{
    vals[0] = pottery_str("b");
    vals[1] = pottery_int(1);
    vals[2] = pottery_str("long enough to need a buffer of its own");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_set_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup_two, fixture_teardown);
}
