/*
 * Allocation failure in pottery_bloom and pottery_hll: every public operation, failing each
 * of its library allocations in turn (tests/support/oom.h says what each attempt must
 * satisfy).
 *
 * Not run under failure, as they cannot allocate (they read the handle): pottery_bloom_key,
 * _client, _num_elements, _false_positives, _size, _num_hashes; pottery_hll_key, _client.
 * The handles' _free functions are run under failure: a free cannot report an error, so its
 * attempts check that it neither crashes nor leaks, and that a temporary key is either
 * unlinked or left whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/oom.h"

typedef struct ctx {
    pottery_bloom *bf;
    pottery_hll *hll, *other, *made;
    const char *key;
    pottery_bloom_hashing hashing;
    char *text;
    int64_t n;
    int flag;
    int many[4];
    int64_t offsets[64];
} ctx;

static void teardown(void *arg)
{
    ctx *c = arg;
    pottery_free(c->text);
    pottery_bloom_free(c->bf);
    pottery_hll_free(c->hll);
    pottery_hll_free(c->other);
    pottery_hll_free(c->made);
    const char *key = c->key;
    pottery_bloom_hashing hashing = c->hashing;
    memset(c, 0, sizeof *c);
    c->key = key;
    c->hashing = hashing;
}

/* What the operations add: values of each JSON kind, one long enough to be allocated. */
static const char *const members[] = { "\"a member long enough to need an allocation\"", "[1, {\"b\": null}]", "7",
                                       "2.5" };

static void values(pottery_value *out)
{
    for (size_t i = 0; i < 4; i++) out[i] = pottery_json(members[i]);
}

/* The count of keys named pottery:* (temporary keys), as raw renders it. */
static int temporary_keys(void)
{
    char *keys = raw("EVAL", "return #redis.call('KEYS', 'pottery:*')", "0", NULL);
    int n = keys ? atoi(keys) : -1;
    free(keys);
    return n;
}

/* An empty server, nothing open. */
static int fresh(void *arg)
{
    teardown(arg);
    free(raw("FLUSHALL", NULL));
    return 0;
}

/* ---- pottery_bloom ---- */

static int bloom_open(ctx *c)
{
    pottery_bloom_options opts;
    pottery_bloom_options_init(&opts);
    opts.hashing = c->hashing;
    return pottery_bloom_open(&c->bf, client, c->key, 100, 0.01, &opts);
}

/* A filter at c->key holding members[0] and members[1]. */
static int bloom_seeded(void *arg)
{
    ctx *c = arg;
    teardown(c);
    free(raw("FLUSHALL", NULL));
    if (bloom_open(c) < 0) return -1;
    pottery_value v[4];
    values(v);
    return pottery_bloom_update(c->bf, v, 2) < 0 ? -1 : 0;
}

/* As bloom_seeded, the handle closed: an open finds the filter's record. */
static int bloom_written(void *arg)
{
    ctx *c = arg;
    int rc = bloom_seeded(arg);
    pottery_bloom_free(c->bf);
    c->bf = NULL;
    return rc;
}

static int run_bloom_open(void *arg)
{
    return bloom_open(arg);
}

static int run_bloom_free(void *arg)
{
    ctx *c = arg;
    pottery_bloom_free(c->bf);
    c->bf = NULL;
    return 0;
}

static int bloom_free_state_ok(void *arg, int rc)
{
    (void)arg;
    (void)rc;
    int n = temporary_keys();
    return n == 0 || n == 2; /* the bitmap and its record */
}

static int run_bloom_add(void *arg)
{
    ctx *c = arg;
    pottery_value v[4];
    values(v);
    return pottery_bloom_add(c->bf, v[2]);
}

static int run_bloom_update(void *arg)
{
    ctx *c = arg;
    pottery_value v[4];
    values(v);
    return pottery_bloom_update(c->bf, v + 1, 3);
}

static int run_bloom_contains(void *arg)
{
    ctx *c = arg;
    pottery_value v[4];
    values(v);
    return pottery_bloom_contains(&c->flag, c->bf, v[0]);
}

static void check_flag_1(void *arg)
{
    assert_int_equal(((ctx *)arg)->flag, 1);
}

static int run_bloom_contains_many(void *arg)
{
    ctx *c = arg;
    pottery_value v[4];
    values(v);
    return pottery_bloom_contains_many(c->many, c->bf, v, 4);
}

static void check_many(void *arg)
{
    ctx *c = arg;
    assert_int_equal(c->many[0], 1);
    assert_int_equal(c->many[1], 1);
}

static int run_bloom_len(void *arg)
{
    ctx *c = arg;
    return pottery_bloom_len(&c->n, c->bf);
}

static void check_len_2(void *arg)
{
    assert_int_equal(((ctx *)arg)->n, 2);
}

static int run_bloom_clear(void *arg)
{
    return pottery_bloom_clear(((ctx *)arg)->bf);
}

static int run_bloom_repr(void *arg)
{
    ctx *c = arg;
    return pottery_bloom_repr(&c->text, c->bf);
}

static void check_bloom_repr(void *arg)
{
    ctx *c = arg;
    char expected[128];
    snprintf(expected, sizeof expected, "<BloomFilter key=%s>", c->key);
    assert_string_equal(c->text, expected);
}

static int run_bloom_offsets(void *arg)
{
    ctx *c = arg;
    pottery_value v[4];
    values(v);
    return pottery_bloom_offsets(c->offsets, c->bf, v[0]);
}

static void check_bloom_offsets(void *arg)
{
    ctx *c = arg;
    assert_true(pottery_bloom_num_hashes(c->bf) > 0);
    for (int i = 0; i < pottery_bloom_num_hashes(c->bf); i++) {
        assert_true(c->offsets[i] >= 0);
        assert_true(c->offsets[i] < pottery_bloom_size(c->bf));
    }
}

static void bloom_rows(ctx *c)
{
    const oom_op ops[] = {
        { "pottery_bloom_open", fresh, run_bloom_open, NULL, teardown, NULL },
        { "pottery_bloom_open (existing)", bloom_written, run_bloom_open, NULL, teardown, NULL },
        { "pottery_bloom_add", bloom_seeded, run_bloom_add, NULL, teardown, NULL },
        { "pottery_bloom_update", bloom_seeded, run_bloom_update, NULL, teardown, NULL },
        { "pottery_bloom_contains", bloom_seeded, run_bloom_contains, check_flag_1, teardown, NULL },
        { "pottery_bloom_contains_many", bloom_seeded, run_bloom_contains_many, check_many, teardown, NULL },
        { "pottery_bloom_len", bloom_seeded, run_bloom_len, check_len_2, teardown, NULL },
        { "pottery_bloom_clear", bloom_seeded, run_bloom_clear, NULL, teardown, NULL },
        { "pottery_bloom_repr", bloom_seeded, run_bloom_repr, check_bloom_repr, teardown, NULL },
        { "pottery_bloom_offsets", bloom_seeded, run_bloom_offsets, check_bloom_offsets, teardown, NULL },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) oom_exhaust(&ops[i], c);
}

static void test_bloom_operations(void **state)
{
    (void)state;
    ctx c = { .key = "bf", .hashing = POTTERY_BLOOM_HASHING_POTTERY };
    bloom_rows(&c);
    c.hashing = POTTERY_BLOOM_HASHING_XXH3;
    c.key = "bf_xxh3";
    bloom_rows(&c);
    c.hashing = POTTERY_BLOOM_HASHING_POTTERY;
    c.key = "pottery:bf";
    const oom_op free_op = {
        "pottery_bloom_free (temporary key)", bloom_seeded, run_bloom_free, NULL, teardown, bloom_free_state_ok
    };
    oom_exhaust(&free_op, &c);
}

/* ---- pottery_hll ---- */

static int hll_open(ctx *c)
{
    pottery_value v[4];
    values(v);
    return pottery_hll_open(&c->hll, client, c->key, v, 2);
}

/* c->key holds members[0..2), "other" members[2..4). */
static int hll_seeded(void *arg)
{
    ctx *c = arg;
    teardown(c);
    free(raw("FLUSHALL", NULL));
    pottery_value v[4];
    values(v);
    if (hll_open(c) < 0) return -1;
    return pottery_hll_open(&c->other, client, "other", v + 2, 2) < 0 ? -1 : 0;
}

static int run_hll_open(void *arg)
{
    return hll_open(arg);
}

static int run_hll_open_random(void *arg)
{
    ctx *c = arg;
    pottery_value v[4];
    values(v);
    return pottery_hll_open(&c->hll, client, NULL, v, 4);
}

/* An open on a random key: the new handle's key when it succeeded, else no such key. */
static int open_random_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    int n = temporary_keys();
    if (rc < 0) return n == 0 && c->hll == NULL;
    return n == 1 && c->hll != NULL;
}

static int run_hll_free(void *arg)
{
    ctx *c = arg;
    pottery_hll_free(c->hll);
    c->hll = NULL;
    return 0;
}

static int hll_free_state_ok(void *arg, int rc)
{
    (void)arg;
    (void)rc;
    return temporary_keys() <= 1;
}

static int run_hll_add(void *arg)
{
    ctx *c = arg;
    pottery_value v[4];
    values(v);
    return pottery_hll_add(c->hll, v[3]);
}

static int run_hll_update(void *arg)
{
    ctx *c = arg;
    pottery_value v[4];
    values(v);
    return pottery_hll_update(c->hll, v + 1, 3);
}

static int run_hll_update_from(void *arg)
{
    ctx *c = arg;
    return pottery_hll_update_from(c->hll, &c->other, 1);
}

static int run_hll_update_both(void *arg)
{
    ctx *c = arg;
    pottery_value v[] = { pottery_str("an element long enough to need an allocation of its own"), pottery_int(99) };
    return pottery_hll_update_both(c->hll, v, 2, &c->other, 1);
}

static int run_hll_len(void *arg)
{
    ctx *c = arg;
    return pottery_hll_len(&c->n, c->hll);
}

static int run_hll_contains(void *arg)
{
    ctx *c = arg;
    pottery_value v[4];
    values(v);
    return pottery_hll_contains(&c->flag, c->hll, v[0]);
}

static int run_hll_contains_many(void *arg)
{
    ctx *c = arg;
    pottery_value v[4];
    values(v);
    return pottery_hll_contains_many(c->many, c->hll, v, 4);
}

static int run_hll_union_from(void *arg)
{
    ctx *c = arg;
    return pottery_hll_union_from(&c->made, c->hll, &c->other, 1, "union");
}

/* (Not PFCOUNT: it writes its cached estimate into the value, which the digest compares.) */
static void check_union(void *arg)
{
    ctx *c = arg;
    assert_non_null(c->made);
    assert_string_equal(pottery_hll_key(c->made), "union");
}

static void check_union_random(void *arg)
{
    ctx *c = arg;
    assert_non_null(c->made);
    assert_random_key(pottery_hll_key(c->made));
}

static int run_hll_union_random(void *arg)
{
    ctx *c = arg;
    return pottery_hll_union_from(&c->made, c->hll, &c->other, 1, NULL);
}

/* A union into a random key: the new handle's key when it succeeded, else no such key. */
static int union_random_state_ok(void *arg, int rc)
{
    ctx *c = arg;
    int n = temporary_keys();
    if (rc < 0) return n == 0 && c->made == NULL;
    return n == 1 && c->made != NULL;
}

static int run_hll_clear(void *arg)
{
    return pottery_hll_clear(((ctx *)arg)->hll);
}

static int run_hll_repr(void *arg)
{
    ctx *c = arg;
    return pottery_hll_repr(&c->text, c->hll);
}

static void check_hll_repr(void *arg)
{
    assert_string_equal(((ctx *)arg)->text, "<HyperLogLog key=h len=2>");
}

static void test_hll_operations(void **state)
{
    (void)state;
    ctx c = { .key = "h" };
    const oom_op ops[] = {
        { "pottery_hll_open", fresh, run_hll_open, NULL, teardown, NULL },
        { "pottery_hll_open (random key)", fresh, run_hll_open_random, NULL, teardown, open_random_state_ok },
        { "pottery_hll_add", hll_seeded, run_hll_add, NULL, teardown, NULL },
        { "pottery_hll_update", hll_seeded, run_hll_update, NULL, teardown, NULL },
        { "pottery_hll_update_from", hll_seeded, run_hll_update_from, NULL, teardown, NULL },
        { "pottery_hll_update_both", hll_seeded, run_hll_update_both, NULL, teardown, NULL },
        { "pottery_hll_len", hll_seeded, run_hll_len, check_len_2, teardown, NULL },
        { "pottery_hll_contains", hll_seeded, run_hll_contains, check_flag_1, teardown, NULL },
        { "pottery_hll_contains_many", hll_seeded, run_hll_contains_many, check_many, teardown, NULL },
        { "pottery_hll_union_from", hll_seeded, run_hll_union_from, check_union, teardown, NULL },
        { "pottery_hll_union_from (random key)", hll_seeded, run_hll_union_random, check_union_random, teardown,
          union_random_state_ok },
        { "pottery_hll_clear", hll_seeded, run_hll_clear, NULL, teardown, NULL },
        { "pottery_hll_repr", hll_seeded, run_hll_repr, check_hll_repr, teardown, NULL },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) oom_exhaust(&ops[i], &c);
    c.key = "pottery:h";
    const oom_op free_op = {
        "pottery_hll_free (temporary key)", hll_seeded, run_hll_free, NULL, teardown, hll_free_state_ok
    };
    oom_exhaust(&free_op, &c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_bloom_operations, fixture_reset),
        cmocka_unit_test_setup(test_hll_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
