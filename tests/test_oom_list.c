/*
 * Allocation failure in pottery_list: every public operation, failing each of its library
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

/* Elements of the list iterated (one LRANGE window: crossing windows is a fetch, which
 * fails before the iterator changes). */
#define BIG 150
#define NONE POTTERY_SLICE_NONE
#define LONG "\"long enough to need a buffer of its own\""

typedef struct list_ctx {
    oom_state st; /* first: oom_run_rows reads it */
    pottery_list *l, *m, *o, *far, *big, *made;
    pottery_list_iter *it;
    pottery_value v;
    pottery_value *vs; /* get_slice_values */
    size_t nvs;
    char *text;
    size_t len;
    int64_t n;
    int flag;
    pottery_value seen[2 * BIG]; /* what an iteration visited */
    size_t nseen;
} list_ctx;

static pottery_list *open_on(pottery_client *cl, const char *key)
{
    pottery_list *l = NULL;
    return pottery_list_open(&l, cl, key, NULL) < 0 ? NULL : l;
}

/* l = [1, 'a', [1, 2], 1.5], m = [3, 1, 2], o = ['x'], big = ['e<i>'] on the server; far = l
 * on the other server. */
static int setup(void *arg)
{
    list_ctx *c = arg;
    free(raw("FLUSHALL", NULL));
    free(test_redis_cmdv(&other_server, "FLUSHALL", NULL));
    free(raw("RPUSH", "l", "1", "\"a\"", "[1, 2]", "1.5", NULL));
    free(raw("RPUSH", "m", "3", "1", "2", NULL));
    free(raw("RPUSH", "o", "\"x\"", NULL));
    free(test_redis_cmdv(&other_server, "RPUSH", "far", "1", "\"a\"", "[1, 2]", "1.5", NULL));
    free(raw("EVAL", "for i = 0, ARGV[1] - 1 do redis.call('RPUSH', KEYS[1], '\"e' .. i .. '\"') end", "1", "big",
             "150", NULL));
    c->l = open_on(client, "l");
    c->m = open_on(client, "m");
    c->o = open_on(client, "o");
    c->big = open_on(client, "big");
    c->far = open_on(far_client, "far");
    c->n = INT64_MIN;
    c->flag = -1;
    free(c->st.start);
    c->st.start = oom_digest();
    return c->l && c->m && c->o && c->big && c->far && c->st.start ? 0 : -1;
}

static void teardown(void *arg)
{
    list_ctx *c = arg;
    pottery_value_dispose(&c->v);
    pottery_list_values_free(c->vs, c->nvs);
    c->vs = NULL;
    c->nvs = 0;
    pottery_free(c->text);
    c->text = NULL;
    for (size_t i = 0; i < c->nseen; i++) pottery_value_dispose(&c->seen[i]);
    c->nseen = 0;
    pottery_list_iter_free(c->it);
    c->it = NULL;
    pottery_list *hs[] = { c->l, c->m, c->o, c->far, c->big, c->made };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) pottery_list_free(hs[i]);
    c->l = c->m = c->o = c->far = c->big = c->made = NULL;
}

/* What a successful attempt returned, as text: " v=... vs=... text=... n=... flag=...
 * made=...", each part only when the operation set it. */
static void check(void *arg)
{
    list_ctx *c = arg;
    oom_text t = { 0 };
    oom_text_add(&t, "%s", "");
    oom_text_outputs(&t, &c->v, c->text, c->n, c->flag);
    for (size_t i = 0; i < c->nvs; i++) oom_text_add(&t, i ? "," : " vs="), oom_text_value(&t, c->vs[i]);
    if (c->made) {
        char *json = NULL;
        assert_ok(pottery_list_to_json(&json, NULL, c->made));
        oom_text_add(&t, " made=%s", json);
        pottery_free(json);
    }
    oom_result_check(&c->st.res, &t);
}

#define RUN(name, ...) OOM_RUN(list_ctx, name, __VA_ARGS__)

static pottery_value vals[3]; /* ['b', 1, "long enough..."], made by main */

static int open_with(pottery_list **out, const char *key)
{
    pottery_list_options o;
    pottery_list_options_init(&o);
    o.items = vals;
    o.nitems = 3;
    return pottery_list_open(out, client, key, &o);
}

static int setup_random(void *arg)
{
    list_ctx *c = arg;
    return setup(c) == 0 && open_with(&c->made, "pottery:t") == 0 ? 0 : -1; /* a fixed name */
}

/* The slice helpers compute without Redis or memory: the run shows 0 allocations. */
static int run_slices(void *arg)
{
    list_ctx *c = arg;
    pottery_slice all = pottery_slice_all(), s = pottery_slice_of(-3, NONE, -1);
    int64_t start, stop, step;
    int rc = pottery_slice_indices(&start, &stop, &step, &c->n, s, 10);
    return rc == 0 && all.start == NONE && start == 7 && stop == -1 && step == -1 ? 0 : -1;
}

RUN(open, pottery_list_free(c->l); c->l = NULL; return pottery_list_open(&c->l, client, "l", NULL))
RUN(open_items, return open_with(&c->made, "n"))
RUN(open_random, return pottery_list_open(&c->made, client, NULL, NULL))
RUN(open_random_items, return open_with(&c->made, NULL))
/* Getters and free: no allocation (the runs show 0); free of a `pottery:` key UNLINKs it. */
RUN(getters, return pottery_list_key(c->l)[0] == 'l' && pottery_list_client(c->l) == client ? 0 : -1)
RUN(free, pottery_list_free(c->l); c->l = NULL; return 0)
RUN(free_random, pottery_list_free(c->made); c->made = NULL; return 0)
RUN(len, return pottery_list_len(&c->n, c->l))
RUN(clear, return pottery_list_clear(c->l))
RUN(get, return pottery_list_get(&c->v, c->l, 2))
RUN(set, return pottery_list_set(c->l, 1, pottery_json("{\"k\": [1]}")))
RUN(del, return pottery_list_del(c->l, 1))
RUN(append, return pottery_list_append(c->l, vals[2]))
RUN(extend, return pottery_list_extend(c->l, vals, 3))
RUN(extend_json, return pottery_list_extend_json(c->l, "[1, \"two\", [3]]"))
RUN(insert, return pottery_list_insert(c->l, 2, pottery_str("ins")))
RUN(pop, return pottery_list_pop(&c->v, c->l))
RUN(pop_index, return pottery_list_pop_index(&c->v, c->l, 2))
RUN(remove, return pottery_list_remove(c->l, pottery_double(1.0)))
RUN(index, return pottery_list_index(&c->n, c->l, pottery_str("a")))
RUN(index_range, return pottery_list_index_range(&c->n, c->l, pottery_json("[1.0, 2]"), 1, NONE))
RUN(count, return pottery_list_count(&c->n, c->l, pottery_bool(1)))
RUN(contains, return pottery_list_contains(&c->flag, c->l, pottery_json("[1, 2.0]")))
RUN(get_slice, return pottery_list_get_slice(&c->v, c->l, pottery_slice_of(1, NONE, NONE)))
RUN(get_slice_values, return pottery_list_get_slice_values(&c->vs, &c->nvs, c->l, pottery_slice_of(NONE, NONE, -1)))
RUN(set_slice, return pottery_list_set_slice(c->l, pottery_slice_of(1, 3, NONE), vals, 3))
RUN(set_slice_step, return pottery_list_set_slice(c->l, pottery_slice_of(NONE, NONE, 2), vals, 2))
RUN(del_slice, return pottery_list_del_slice(c->l, pottery_slice_of(0, NONE, 2)))
RUN(reverse, return pottery_list_reverse(c->l))
RUN(sort, return pottery_list_sort(c->m, 1))
RUN(to_json, return pottery_list_to_json(&c->text, &c->len, c->l))
RUN(repr, return pottery_list_repr(&c->text, c->l))
RUN(repr_items, return pottery_list_repr_items(&c->text, c->l))
RUN(add, return pottery_list_add(&c->made, c->l, c->o))
RUN(add_far, return pottery_list_add(&c->made, c->o, c->far))
RUN(add_json, return pottery_list_add_json(&c->made, c->o, "[true, {\"k\": null}]"))
RUN(equal_from, return pottery_list_equal_from(&c->flag, c->l, c->o))
RUN(equal_from_far, return pottery_list_equal_from(&c->flag, c->l, c->far))
RUN(equal_json, return pottery_list_equal_json(&c->flag, c->l, "[1.0, \"a\", [1, 2], 1.5]"))

/* The whole iteration (iter_new, every step, the end): a failed step returns its error and
 * the next call continues. */
RUN(
    iterate, int rc = c->it           ? 0
                      : c->st.variant ? pottery_list_iter_new_reversed(&c->it, c->big)
                                      : pottery_list_iter_new(&c->it, c->big);
    while (rc == 0) {
        rc = pottery_list_iter_next(&c->seen[c->nseen], c->it);
        if (rc == 0) c->nseen++;
    } return rc == POTTERY_EITEROVER
        ? 0
        : rc)

/* After any attempt the iteration, continued without failures, has visited every element
 * once, in order (a failed step loses none and repeats none), and nothing was written. */
static int iterate_ok(void *arg, int rc)
{
    list_ctx *c = arg;
    while (c->it && rc != POTTERY_EITEROVER) {
        rc = pottery_list_iter_next(&c->seen[c->nseen], c->it);
        if (rc == 0)
            c->nseen++;
        else if (rc != POTTERY_EITEROVER)
            return 0;
    }
    if (!oom_state_unchanged(c->st.start)) return 0;
    if (!c->it) return c->nseen == 0;
    if (c->nseen != BIG) return 0;
    for (size_t i = 0; i < c->nseen; i++) {
        char want[16];
        snprintf(want, sizeof want, "e%zu", c->st.variant ? BIG - 1 - i : i);
        const char *got = pottery_value_str(&c->seen[i], NULL);
        if (!got || strcmp(got, want) != 0) return 0;
    }
    return 1;
}

#define ROW(name, want)                                                                                                \
    {                                                                                                                  \
        { "pottery_list_" #name, setup, run_##name, check, teardown, NULL }, want, 0, 0                                \
    }
#define ROW_STRICT(name, want)                                                                                         \
    {                                                                                                                  \
        { "pottery_list_" #name, setup, run_##name, check, teardown, oom_strict_ok }, want, 0, 0                       \
    }

static void test_list_operations(void **state)
{
    (void)state;
    const oom_row rows[] = {
        ROW(open, ""),
        ROW(open_items, "made=[\"b\", 1, " LONG "]"),
        ROW(open_random, "made=[]"),
        ROW_STRICT(open_random_items, "made=[\"b\", 1, " LONG "]"),
        { { "pottery_list_key, _client", setup, run_getters, check, teardown, NULL }, "", 0, 1 },
        { { "pottery_list_free", setup, run_free, check, teardown, NULL }, "", 0, 1 },
        { { "pottery_slice_of, _all, _indices", setup, run_slices, check, teardown, NULL }, "n=8", 0, 1 },
        ROW(len, "n=4"),
        ROW(clear, ""),
        ROW(get, "v=[1, 2]"),
        ROW(set, ""),
        ROW(del, ""),
        ROW(append, ""),
        ROW(extend, ""),
        ROW(extend_json, ""),
        ROW(insert, ""),
        ROW(pop, "v=1.5"), /* as a dict's pop: "after" when its reply could not be read */
        ROW(pop_index, "v=[1, 2]"),
        ROW(remove, ""),
        ROW(index, "n=1"),
        ROW(index_range, "n=2"),
        ROW(count, "n=1"),
        ROW(contains, "flag=1"),
        ROW(get_slice, "v=[\"a\", [1, 2], 1.5]"),
        ROW(get_slice_values, "vs=1.5,[1, 2],\"a\",1"),
        ROW(set_slice, ""),
        ROW(set_slice_step, ""),
        ROW(del_slice, ""),
        ROW(reverse, ""),
        ROW(sort, ""),
        ROW(to_json, "text=[1, \"a\", [1, 2], 1.5]"),
        ROW(repr, "text=RedisList[1, 'a', [1, 2], 1.5]"),
        ROW(repr_items, "text=[1, 'a', [1, 2], 1.5]"),
        ROW_STRICT(add, "made=[1, \"a\", [1, 2], 1.5, \"x\"]"),
        ROW_STRICT(add_far, "made=[\"x\", 1, \"a\", [1, 2], 1.5]"),
        ROW_STRICT(add_json, "made=[\"x\", true, {\"k\": null}]"),
        ROW(equal_from, "flag=0"),
        ROW(equal_from_far, "flag=1"),
        ROW(equal_json, "flag=1"),
        { { "pottery_list_iter_new, _iter_next", setup, run_iterate, NULL, teardown, iterate_ok }, NULL, 0, 0 },
        { { "pottery_list_iter_new_reversed, _iter_next", setup, run_iterate, NULL, teardown, iterate_ok },
          NULL,
          1,
          0 },
        { { "pottery_list_free (random key)", setup_random, run_free_random, check, teardown, NULL }, "", 0, 0 },
    };
    list_ctx ctx = { 0 };
    oom_run_rows(rows, sizeof rows / sizeof rows[0], &ctx);
}

int main(void)
{
    vals[0] = pottery_str("b");
    vals[1] = pottery_int(1);
    vals[2] = pottery_str("long enough to need a buffer of its own");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_list_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup_two, fixture_teardown);
}
