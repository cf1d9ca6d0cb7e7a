/*
 * Allocation failure in pottery_cache (cache.h, the memoizer) and
 * pottery_cached_ordered_dict: every public operation, failing each of its library
 * allocations in turn (tests/support/oom.h says what each attempt must satisfy).
 *
 * Not run under failure, as they cannot allocate: pottery_cache_key, pottery_cache_client,
 * pottery_cached_ordered_dict_key, pottery_cached_ordered_dict_client (getters of the handle)
 * and pottery_cached_ordered_dict_iter_free (a free, called after every iteration attempt).
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
    pottery_cache *cache;
    pottery_cached_ordered_dict *cod;
    pottery_cached_ordered_dict_iter *it;
    pottery_cache_info info;
    pottery_value got, got_key;
    char *text;
    size_t text_len;
    int flag;
    int64_t n;
    const char *key;
    pottery_cache_fields fields;
} ctx;

/* f(x) = [x, "a result long enough to need an allocation of its own"] */
static int tagged(pottery_value *result, const pottery_value *args, size_t nargs, void *payload)
{
    (void)payload;
    if (nargs != 1) return pottery_error_set(POTTERY_EINVAL, "tagged takes one argument");
    char *arg = NULL;
    int rc = pottery_value_to_json(&arg, NULL, args[0]);
    if (rc < 0) return rc;
    char text[256];
    snprintf(text, sizeof text, "[%s, \"a result long enough to need an allocation of its own\"]", arg);
    pottery_free(arg);
    return pottery_value_from_json(result, text, strlen(text));
}

static void reset(ctx *c)
{
    pottery_value_dispose(&c->got);
    pottery_value_dispose(&c->got_key);
    pottery_free(c->text);
    pottery_cached_ordered_dict_iter_free(c->it);
    pottery_cached_ordered_dict_free(c->cod);
    pottery_cache_free(c->cache);
    const char *key = c->key;
    pottery_cache_fields fields = c->fields;
    memset(c, 0, sizeof *c);
    c->key = key;
    c->fields = fields;
}

static void teardown(void *arg)
{
    reset(arg);
}

/* ---- pottery_cache ---- */

/* The cache at c->key holds the entry of f(1); f(2) is not cached. */
static int cache_seeded(void *arg)
{
    ctx *c = arg;
    reset(c);
    free(raw("FLUSHALL", NULL));
    pottery_cache_options opts;
    pottery_cache_options_init(&opts);
    opts.fields = c->fields;
    if (pottery_cache_open(&c->cache, client, c->key, tagged, NULL, &opts) < 0) return -1;
    pottery_value args[] = { pottery_int(1) };
    if (pottery_cache_call(&c->got, c->cache, args, 1) < 0) return -1;
    pottery_value_dispose(&c->got);
    return 0;
}

static int run_cache_open(void *arg)
{
    ctx *c = arg;
    pottery_cache_options opts;
    pottery_cache_options_init(&opts);
    opts.fields = c->fields;
    return pottery_cache_open(&c->cache, client, c->key, tagged, NULL, &opts);
}

static int run_cache_free(void *arg)
{
    ctx *c = arg;
    pottery_cache_free(c->cache);
    c->cache = NULL;
    return 0;
}

/* A free's UNLINK of a temporary key may be lost to the failure (it cannot say so): the
 * hash is gone or still whole. */
static int cache_free_state_ok(void *arg, int rc)
{
    (void)arg;
    (void)rc;
    char *len = raw("HLEN", "pottery:c", NULL);
    int ok = len && (strcmp(len, "0") == 0 || strcmp(len, "1") == 0);
    free(len);
    return ok;
}

static int run_cache_call_hit(void *arg)
{
    ctx *c = arg;
    pottery_value args[] = { pottery_int(1) };
    return pottery_cache_call(&c->got, c->cache, args, 1);
}

static void check_tagged_1(void *arg)
{
    ctx *c = arg;
    assert_value_json(&c->got, "[1, \"a result long enough to need an allocation of its own\"]");
}

static int run_cache_call_miss(void *arg)
{
    ctx *c = arg;
    pottery_value args[] = { pottery_json("{\"k\": [2, \"x\"]}") };
    if (c->fields == POTTERY_CACHE_FIELDS_PYTHON) args[0] = pottery_int(-2);
    return pottery_cache_call(&c->got, c->cache, args, 1);
}

static void check_tagged_obj(void *arg)
{
    ctx *c = arg;
    if (c->fields == POTTERY_CACHE_FIELDS_PYTHON) {
        assert_value_json(&c->got, "[-2, \"a result long enough to need an allocation of its own\"]");
        return;
    }
    assert_value_json(&c->got, "[{\"k\": [2, \"x\"]}, \"a result long enough to need an allocation of its own\"]");
}

static int run_cache_bypass(void *arg)
{
    ctx *c = arg;
    pottery_value args[] = { pottery_int(1) };
    return pottery_cache_bypass(&c->got, c->cache, args, 1);
}

static int run_cache_wrapped(void *arg)
{
    ctx *c = arg;
    pottery_value args[] = { pottery_int(1) };
    return pottery_cache_wrapped(&c->got, c->cache, args, 1);
}

static int run_cache_info(void *arg)
{
    ctx *c = arg;
    return pottery_cache_info_get(&c->info, c->cache);
}

static void check_cache_info(void *arg)
{
    ctx *c = arg;
    assert_int_equal(c->info.misses, 1);
    assert_int_equal(c->info.currsize, 1);
}

static int run_cache_clear(void *arg)
{
    ctx *c = arg;
    return pottery_cache_clear(c->cache);
}

static int run_cache_field(void *arg)
{
    ctx *c = arg;
    pottery_value args[] = { pottery_str("a"), pottery_json("[1, {\"b\": null}]") };
    if (c->fields == POTTERY_CACHE_FIELDS_PYTHON) {
        args[0] = pottery_int(-1);
        args[1] = pottery_bool(1);
    }
    return pottery_cache_field(&c->text, &c->text_len, c->cache, args, 2);
}

static void check_cache_field(void *arg)
{
    ctx *c = arg;
    assert_non_null(c->text);
    assert_int_equal(strlen(c->text), c->text_len);
    if (c->fields == POTTERY_CACHE_FIELDS_JSON) assert_string_equal(c->text, "[\"a\", [1, {\"b\": null}]]");
}

static void test_cache_operations(void **state)
{
    (void)state;
    ctx c = { .key = "c" };
    const oom_op ops[] = {
        { "pottery_cache_open", NULL, run_cache_open, NULL, teardown, NULL },
        { "pottery_cache_call (hit)", cache_seeded, run_cache_call_hit, check_tagged_1, teardown, NULL },
        { "pottery_cache_call (miss)", cache_seeded, run_cache_call_miss, check_tagged_obj, teardown, NULL },
        { "pottery_cache_bypass", cache_seeded, run_cache_bypass, check_tagged_1, teardown, NULL },
        { "pottery_cache_wrapped", cache_seeded, run_cache_wrapped, check_tagged_1, teardown, NULL },
        { "pottery_cache_info_get", cache_seeded, run_cache_info, check_cache_info, teardown, NULL },
        { "pottery_cache_clear", cache_seeded, run_cache_clear, NULL, teardown, NULL },
        { "pottery_cache_field", cache_seeded, run_cache_field, check_cache_field, teardown, NULL },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) oom_exhaust(&ops[i], &c);

    /* Python's hash fields, and the free of a temporary cache. */
    c.fields = POTTERY_CACHE_FIELDS_PYTHON;
    const oom_op python_ops[] = {
        { "pottery_cache_call (Python fields, miss)", cache_seeded, run_cache_call_miss, check_tagged_obj, teardown,
          NULL },
        { "pottery_cache_field (Python fields)", cache_seeded, run_cache_field, check_cache_field, teardown, NULL },
    };
    for (size_t i = 0; i < sizeof python_ops / sizeof python_ops[0]; i++) oom_exhaust(&python_ops[i], &c);
    c.fields = POTTERY_CACHE_FIELDS_JSON;
    c.key = "pottery:c";
    const oom_op free_op = {
        "pottery_cache_free (temporary key)", cache_seeded, run_cache_free, NULL, teardown, cache_free_state_ok
    };
    oom_exhaust(&free_op, &c);
}

/* ---- pottery_cached_ordered_dict ---- */

/* The dict over keys 1, "two", 3.5: the cache at c->key holds 1 and 3.5; "two" is a miss. */
static const char *const cod_keys[] = { "1", "\"two\"", "3.5" };

static int cod_open(ctx *c)
{
    pottery_value keys[3];
    for (size_t i = 0; i < 3; i++) keys[i] = pottery_json(cod_keys[i]);
    return pottery_cached_ordered_dict_open(&c->cod, client, c->key, keys, 3, NULL);
}

static int cod_seed(void *arg)
{
    ctx *c = arg;
    reset(c);
    free(raw("FLUSHALL", NULL));
    free(
        raw("HSET", c->key, "1", "\"one, a value long enough to be allocated\"", "3.5", "{\"three\": [3, 3.5]}", NULL));
    free(raw("PEXPIRE", c->key, "60000", NULL));
    return 0;
}

static int cod_seeded(void *arg)
{
    cod_seed(arg);
    return cod_open(arg) < 0 ? -1 : 0;
}

static int cod_seeded_iter(void *arg)
{
    ctx *c = arg;
    if (cod_seeded(arg) < 0) return -1;
    return pottery_cached_ordered_dict_iter_new(&c->it, c->cod) < 0 ? -1 : 0;
}

/* As cod_seeded, "two" cached as well: no miss. */
static int cod_seeded_full(void *arg)
{
    ctx *c = arg;
    cod_seed(arg);
    free(raw("HSET", c->key, "\"two\"", "2", NULL));
    return cod_open(arg) < 0 ? -1 : 0;
}

static int cod_seed_no_ttl(void *arg)
{
    ctx *c = arg;
    cod_seed(arg);
    free(raw("PERSIST", c->key, NULL));
    return 0;
}

static int run_cod_open(void *arg)
{
    return cod_open(arg);
}

static void check_cod_open(void *arg)
{
    ctx *c = arg;
    assert_ok(pottery_cached_ordered_dict_len(&c->n, c->cod));
    assert_int_equal(c->n, 3);
    assert_ok(pottery_cached_ordered_dict_get(&c->got, c->cod, pottery_int(1)));
    assert_value_str(&c->got, "one, a value long enough to be allocated");
    assert_ok(pottery_cached_ordered_dict_is_miss(&c->flag, c->cod, pottery_str("two")));
    assert_int_equal(c->flag, 1);
}

static int run_cod_free(void *arg)
{
    ctx *c = arg;
    pottery_cached_ordered_dict_free(c->cod);
    c->cod = NULL;
    return 0;
}

static int run_cod_misses(void *arg)
{
    ctx *c = arg;
    return pottery_cached_ordered_dict_misses(&c->got, c->cod);
}

static void check_cod_misses(void *arg)
{
    assert_value_json(&((ctx *)arg)->got, "[\"two\"]");
}

static int run_cod_is_miss(void *arg)
{
    ctx *c = arg;
    return pottery_cached_ordered_dict_is_miss(&c->flag, c->cod, pottery_str("two"));
}

static void check_flag_1(void *arg)
{
    assert_int_equal(((ctx *)arg)->flag, 1);
}

static int run_cod_get(void *arg)
{
    ctx *c = arg;
    return pottery_cached_ordered_dict_get(&c->got, c->cod, pottery_json("3.5"));
}

static void check_three(void *arg)
{
    assert_value_json(&((ctx *)arg)->got, "{\"three\": [3, 3.5]}");
}

static int run_cod_get_default(void *arg)
{
    ctx *c = arg;
    return pottery_cached_ordered_dict_get_default(&c->got, c->cod, pottery_str("two"),
                                                   pottery_json("[\"a default long enough to be allocated\"]"));
}

static void check_default(void *arg)
{
    assert_value_json(&((ctx *)arg)->got, "[\"a default long enough to be allocated\"]");
}

static int run_cod_set(void *arg)
{
    ctx *c = arg;
    return pottery_cached_ordered_dict_set(c->cod, pottery_str("new key"), pottery_json("[\"a new value\", 4]"));
}

static void check_cod_set(void *arg)
{
    ctx *c = arg;
    assert_ok(pottery_cached_ordered_dict_get(&c->got, c->cod, pottery_str("new key")));
    assert_value_json(&c->got, "[\"a new value\", 4]");
}

static int run_cod_setdefault(void *arg)
{
    ctx *c = arg;
    return pottery_cached_ordered_dict_setdefault(&c->got, c->cod, pottery_str("two"),
                                                  pottery_json("[\"a default long enough to be allocated\"]"));
}

static void check_cod_setdefault(void *arg)
{
    ctx *c = arg;
    check_default(arg);
    assert_ok(pottery_cached_ordered_dict_is_miss(&c->flag, c->cod, pottery_str("two")));
    assert_int_equal(c->flag, 0);
}

static int run_cod_update(void *arg)
{
    ctx *c = arg;
    const pottery_pair items[] = {
        { pottery_str("two"), pottery_int(2) },
        { pottery_str("five"), pottery_json("[\"five, long enough to be allocated\", null]") },
        { pottery_int(1), pottery_double(1.5) },
    };
    return pottery_cached_ordered_dict_update(c->cod, items, 3);
}

static void check_cod_update(void *arg)
{
    ctx *c = arg;
    assert_ok(pottery_cached_ordered_dict_len(&c->n, c->cod));
    assert_int_equal(c->n, 4);
    assert_ok(pottery_cached_ordered_dict_get(&c->got, c->cod, pottery_int(1)));
    assert_value_double(&c->got, 1.5);
}

static int run_cod_len(void *arg)
{
    ctx *c = arg;
    return pottery_cached_ordered_dict_len(&c->n, c->cod);
}

static void check_len_3(void *arg)
{
    assert_int_equal(((ctx *)arg)->n, 3);
}

static int run_cod_contains(void *arg)
{
    ctx *c = arg;
    return pottery_cached_ordered_dict_contains(&c->flag, c->cod, pottery_json("3.5"));
}

static int run_cod_to_json(void *arg)
{
    ctx *c = arg;
    return pottery_cached_ordered_dict_to_json(&c->text, &c->text_len, c->cod);
}

static void check_cod_to_json(void *arg)
{
    ctx *c = arg;
    assert_string_equal(
        c->text, "{\"1\": \"one, a value long enough to be allocated\", \"two\": 2, \"3.5\": {\"three\": [3, 3.5]}}");
    assert_int_equal(strlen(c->text), c->text_len);
}

static int run_cod_repr(void *arg)
{
    ctx *c = arg;
    return pottery_cached_ordered_dict_repr(&c->text, c->cod);
}

static void check_cod_repr(void *arg)
{
    ctx *c = arg;
    assert_non_null(strstr(c->text, "CachedOrderedDict(["));
    assert_non_null(strstr(c->text, "'one, a value long enough to be allocated'"));
}

static int run_cod_iter_new(void *arg)
{
    ctx *c = arg;
    return pottery_cached_ordered_dict_iter_new(&c->it, c->cod);
}

/* The whole iteration: each step may fail; a step that failed is not retried (the
 * iterator must still be freed cleanly by teardown). */
static int run_cod_iterate(void *arg)
{
    ctx *c = arg;
    int rc, miss = 0;
    long steps = 0;
    while ((rc = pottery_cached_ordered_dict_iter_next(&c->got_key, &c->got, &miss, c->it)) == 0) steps++;
    if (rc != POTTERY_EITEROVER) return rc;
    c->n = steps;
    return 0;
}

static void check_cod_iterate(void *arg)
{
    ctx *c = arg;
    assert_int_equal(c->n, 3);
    assert_value_double(&c->got_key, 3.5);
}

static void test_cached_ordered_dict_operations(void **state)
{
    (void)state;
    ctx c = { .key = "cod" };
    const oom_op ops[] = {
        { "pottery_cached_ordered_dict_open", cod_seed, run_cod_open, check_cod_open, teardown, NULL },
        { "pottery_cached_ordered_dict_open (sets the expiry)", cod_seed_no_ttl, run_cod_open, check_cod_open, teardown,
          NULL },
        { "pottery_cached_ordered_dict_misses", cod_seeded, run_cod_misses, check_cod_misses, teardown, NULL },
        { "pottery_cached_ordered_dict_is_miss", cod_seeded, run_cod_is_miss, check_flag_1, teardown, NULL },
        { "pottery_cached_ordered_dict_get", cod_seeded, run_cod_get, check_three, teardown, NULL },
        { "pottery_cached_ordered_dict_get_default", cod_seeded, run_cod_get_default, check_default, teardown, NULL },
        { "pottery_cached_ordered_dict_set", cod_seeded, run_cod_set, check_cod_set, teardown, NULL },
        { "pottery_cached_ordered_dict_setdefault", cod_seeded, run_cod_setdefault, check_cod_setdefault, teardown,
          NULL },
        { "pottery_cached_ordered_dict_update", cod_seeded, run_cod_update, check_cod_update, teardown, NULL },
        { "pottery_cached_ordered_dict_len", cod_seeded, run_cod_len, check_len_3, teardown, NULL },
        { "pottery_cached_ordered_dict_contains", cod_seeded, run_cod_contains, check_flag_1, teardown, NULL },
        { "pottery_cached_ordered_dict_to_json", cod_seeded_full, run_cod_to_json, check_cod_to_json, teardown, NULL },
        { "pottery_cached_ordered_dict_repr", cod_seeded_full, run_cod_repr, check_cod_repr, teardown, NULL },
        { "pottery_cached_ordered_dict_iter_new", cod_seeded, run_cod_iter_new, NULL, teardown, NULL },
        { "pottery_cached_ordered_dict_iter_next", cod_seeded_iter, run_cod_iterate, check_cod_iterate, teardown,
          NULL },
        { "pottery_cached_ordered_dict_free", cod_seeded, run_cod_free, NULL, teardown, NULL },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) oom_exhaust(&ops[i], &c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cache_operations, fixture_reset),
        cmocka_unit_test_setup(test_cached_ordered_dict_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
