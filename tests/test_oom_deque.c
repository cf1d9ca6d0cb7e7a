/*
 * Allocation failure in pottery_deque: every public operation, failing each of its library
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

/* Elements of the deque iterated (one LRANGE window: crossing windows is a fetch, which
 * fails before the iterator changes). */
#define BIG 150
#define NONE POTTERY_SLICE_NONE
#define LONG "\"long enough to need a buffer of its own\""

typedef struct deque_ctx {
    oom_state st; /* first: oom_run_rows reads it */
    pottery_deque *l, *b, *o, *far, *big, *made;
    pottery_deque_iter *it;
    pottery_value v;
    char *text;
    size_t len;
    int64_t n;
    int flag;
    pottery_value seen[2 * BIG]; /* what an iteration visited */
    size_t nseen;
} deque_ctx;

static pottery_deque *open_on(pottery_client *cl, const char *key, int64_t maxlen)
{
    pottery_deque *d = NULL;
    pottery_deque_options o;
    pottery_deque_options_init(&o);
    o.maxlen = maxlen;
    return pottery_deque_open(&d, cl, key, &o) < 0 ? NULL : d;
}

/* l = deque([1, 'a', [1, 2], 1.5]), b = deque([1, 2, 3], maxlen=3), o = deque(['x']),
 * big = deque(['e<i>']) on the server; far = l on the other server. */
static int setup(void *arg)
{
    deque_ctx *c = arg;
    free(raw("FLUSHALL", NULL));
    free(test_redis_cmdv(&other_server, "FLUSHALL", NULL));
    free(raw("RPUSH", "l", "1", "\"a\"", "[1, 2]", "1.5", NULL));
    free(raw("RPUSH", "b", "1", "2", "3", NULL));
    free(raw("RPUSH", "o", "\"x\"", NULL));
    free(test_redis_cmdv(&other_server, "RPUSH", "far", "1", "\"a\"", "[1, 2]", "1.5", NULL));
    free(raw("EVAL", "for i = 0, ARGV[1] - 1 do redis.call('RPUSH', KEYS[1], '\"e' .. i .. '\"') end", "1", "big",
             "150", NULL));
    c->l = open_on(client, "l", POTTERY_DEQUE_NO_MAXLEN);
    c->b = open_on(client, "b", 3);
    c->o = open_on(client, "o", POTTERY_DEQUE_NO_MAXLEN);
    c->big = open_on(client, "big", POTTERY_DEQUE_NO_MAXLEN);
    c->far = open_on(far_client, "far", POTTERY_DEQUE_NO_MAXLEN);
    c->n = INT64_MIN;
    c->flag = -1;
    free(c->st.start);
    c->st.start = oom_digest();
    return c->l && c->b && c->o && c->big && c->far && c->st.start ? 0 : -1;
}

static void teardown(void *arg)
{
    deque_ctx *c = arg;
    pottery_value_dispose(&c->v);
    pottery_free(c->text);
    c->text = NULL;
    for (size_t i = 0; i < c->nseen; i++) pottery_value_dispose(&c->seen[i]);
    c->nseen = 0;
    pottery_deque_iter_free(c->it);
    c->it = NULL;
    pottery_deque *hs[] = { c->l, c->b, c->o, c->far, c->big, c->made };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) pottery_deque_free(hs[i]);
    c->l = c->b = c->o = c->far = c->big = c->made = NULL;
}

/* What a successful attempt returned, as text: " v=... text=... n=... flag=...
 * made=...", each part only when the operation set it. */
static void check(void *arg)
{
    deque_ctx *c = arg;
    oom_text t = { 0 };
    oom_text_add(&t, "%s", "");
    oom_text_outputs(&t, &c->v, c->text, c->n, c->flag);
    if (c->made) {
        char *json = NULL;
        assert_ok(pottery_deque_to_json(&json, NULL, c->made));
        oom_text_add(&t, " made=%s", json);
        pottery_free(json);
    }
    oom_result_check(&c->st.res, &t);
}

#define RUN(name, ...) OOM_RUN(deque_ctx, name, __VA_ARGS__)

static pottery_value vals[3]; /* ['b', 1, "long enough..."], made by main */

static int open_with(pottery_deque **out, const char *key)
{
    pottery_deque_options o;
    pottery_deque_options_init(&o);
    o.items = vals;
    o.nitems = 3;
    o.maxlen = 2;
    return pottery_deque_open(out, client, key, &o);
}

static int setup_random(void *arg)
{
    deque_ctx *c = arg;
    return setup(c) == 0 && open_with(&c->made, "pottery:t") == 0 ? 0 : -1; /* a fixed name */
}

RUN(open, pottery_deque_free(c->l); c->l = NULL; return pottery_deque_open(&c->l, client, "l", NULL))
static int run_open_maxlen(void *arg)
{
    deque_ctx *c = arg;
    pottery_deque_free(c->b);
    c->b = NULL;
    pottery_deque_options o;
    pottery_deque_options_init(&o);
    o.maxlen = 3;
    return pottery_deque_open(&c->b, client, "b", &o);
}

RUN(open_items, return open_with(&c->made, "n"))
RUN(open_random, return pottery_deque_open(&c->made, client, NULL, NULL))
RUN(open_random_items, return open_with(&c->made, NULL))
/* Getters and free: no allocation (the runs show 0); free of a `pottery:` key UNLINKs it. */
RUN(getters, return pottery_deque_key(c->l)[0] == 'l' && pottery_deque_client(c->l) == client ? 0 : -1)
RUN(maxlen, return pottery_deque_maxlen(&c->n, c->b))
RUN(free, pottery_deque_free(c->l); c->l = NULL; return 0)
RUN(free_random, pottery_deque_free(c->made); c->made = NULL; return 0)
RUN(append, return pottery_deque_append(c->l, vals[2]))
RUN(append_full, return pottery_deque_append(c->b, vals[2]))
RUN(appendleft, return pottery_deque_appendleft(c->b, vals[2]))
RUN(extend, return pottery_deque_extend(c->b, vals, 3))
RUN(extendleft, return pottery_deque_extendleft(c->l, vals, 3))
RUN(insert, return pottery_deque_insert(c->l, 2, pottery_str("ins")))
RUN(pop, return pottery_deque_pop(&c->v, c->l))
RUN(popleft, return pottery_deque_popleft(&c->v, c->l))
RUN(peek, return pottery_deque_peek(&c->v, c->l))
RUN(peekleft, return pottery_deque_peekleft(&c->v, c->l))
RUN(rotate, return pottery_deque_rotate(c->l, -5))
RUN(reverse, return pottery_deque_reverse(c->l))
RUN(clear, return pottery_deque_clear(c->l))
RUN(get, return pottery_deque_get(&c->v, c->l, -2))
RUN(set, return pottery_deque_set(c->l, 1, pottery_json("{\"k\": [1]}")))
RUN(del, return pottery_deque_del(c->l, 1))
RUN(remove, return pottery_deque_remove(c->l, pottery_double(1.0)))
RUN(len, return pottery_deque_len(&c->n, c->l))
RUN(get_slice, return pottery_deque_get_slice(&c->v, c->l, pottery_slice_of(1, NONE, NONE)))
RUN(index, return pottery_deque_index(&c->n, c->l, pottery_str("a")))
RUN(index_range, return pottery_deque_index_range(&c->n, c->l, pottery_json("[1.0, 2]"), 1, NONE))
RUN(count, return pottery_deque_count(&c->n, c->l, pottery_bool(1)))
RUN(contains, return pottery_deque_contains(&c->flag, c->l, pottery_json("[1, 2.0]")))
RUN(to_json, return pottery_deque_to_json(&c->text, &c->len, c->l))
RUN(repr, return pottery_deque_repr(&c->text, c->b))
RUN(equal_from, return pottery_deque_equal_from(&c->flag, c->l, c->o))
RUN(equal_from_far, return pottery_deque_equal_from(&c->flag, c->l, c->far))
RUN(equal_json, return pottery_deque_equal_json(&c->flag, c->l, "[1.0, \"a\", [1, 2], 1.5]"))

/* The whole iteration (iter_new, every step, the end): a failed step returns its error and
 * the next call continues. */
RUN(
    iterate, int rc = c->it           ? 0
                      : c->st.variant ? pottery_deque_iter_new_reversed(&c->it, c->big)
                                      : pottery_deque_iter_new(&c->it, c->big);
    while (rc == 0) {
        rc = pottery_deque_iter_next(&c->seen[c->nseen], c->it);
        if (rc == 0) c->nseen++;
    } return rc == POTTERY_EITEROVER
        ? 0
        : rc)

/* After any attempt the iteration, continued without failures, has visited every element
 * once, in order (a failed step loses none and repeats none), and nothing was written. */
static int iterate_ok(void *arg, int rc)
{
    deque_ctx *c = arg;
    while (c->it && rc != POTTERY_EITEROVER) {
        rc = pottery_deque_iter_next(&c->seen[c->nseen], c->it);
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
        { "pottery_deque_" #name, setup, run_##name, check, teardown, NULL }, want, 0, 0                               \
    }
#define ROW_STRICT(name, want)                                                                                         \
    {                                                                                                                  \
        { "pottery_deque_" #name, setup, run_##name, check, teardown, oom_strict_ok }, want, 0, 0                      \
    }

static void test_deque_operations(void **state)
{
    (void)state;
    const oom_row rows[] = {
        ROW(open, ""),
        ROW(open_maxlen, ""),
        ROW(open_items, "made=[1, " LONG "]"),
        ROW(open_random, "made=[]"),
        ROW_STRICT(open_random_items, "made=[1, " LONG "]"),
        { { "pottery_deque_key, _client", setup, run_getters, check, teardown, NULL }, "", 0, 1 },
        { { "pottery_deque_maxlen", setup, run_maxlen, check, teardown, NULL }, "n=3", 0, 1 },
        { { "pottery_deque_free", setup, run_free, check, teardown, NULL }, "", 0, 1 },
        ROW(append, ""),
        ROW(append_full, ""),
        ROW(appendleft, ""),
        ROW(extend, ""),
        ROW(extendleft, ""),
        ROW(insert, ""),
        ROW(pop, "v=1.5"), /* as a dict's pop: "after" when its reply could not be read */
        ROW(popleft, "v=1"),
        ROW(peek, "v=1.5"),
        ROW(peekleft, "v=1"),
        ROW(rotate, ""),
        ROW(reverse, ""),
        ROW(clear, ""),
        ROW(get, "v=[1, 2]"),
        ROW(set, ""),
        ROW(del, ""),
        ROW(remove, ""),
        ROW(len, "n=4"),
        ROW(get_slice, "v=[\"a\", [1, 2], 1.5]"),
        ROW(index, "n=1"),
        ROW(index_range, "n=2"),
        ROW(count, "n=1"),
        ROW(contains, "flag=1"),
        ROW(to_json, "text=[1, \"a\", [1, 2], 1.5]"),
        ROW(repr, "text=RedisDeque([1, 2, 3], maxlen=3)"),
        ROW(equal_from, "flag=0"),
        ROW(equal_from_far, "flag=1"),
        ROW(equal_json, "flag=1"),
        { { "pottery_deque_iter_new, _iter_next", setup, run_iterate, NULL, teardown, iterate_ok }, NULL, 0, 0 },
        { { "pottery_deque_iter_new_reversed, _iter_next", setup, run_iterate, NULL, teardown, iterate_ok },
          NULL,
          1,
          0 },
        { { "pottery_deque_free (random key)", setup_random, run_free_random, check, teardown, NULL }, "", 0, 0 },
    };
    deque_ctx ctx = { 0 };
    oom_run_rows(rows, sizeof rows / sizeof rows[0], &ctx);
}

int main(void)
{
    vals[0] = pottery_str("b");
    vals[1] = pottery_int(1);
    vals[2] = pottery_str("long enough to need a buffer of its own");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_deque_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup_two, fixture_teardown);
}
