/*
 * Allocation failure in pottery_dict: every public operation, failing each of its library
 * allocations in turn (tests/support/oom.h says what each attempt must satisfy).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/oom.h"

typedef struct dict_ctx {
    pottery_dict *dict;
    pottery_value got;
} dict_ctx;

static int open_seeded(void *arg)
{
    dict_ctx *c = arg;
    free(raw("FLUSHALL", NULL));
    free(raw("HSET", "d", "\"a\"", "1", "\"b\"", "[1, 2]", NULL));
    return pottery_dict_open(&c->dict, client, "d", NULL) < 0 ? -1 : 0;
}

static void close_dict(void *arg)
{
    dict_ctx *c = arg;
    pottery_value_dispose(&c->got);
    pottery_dict_free(c->dict);
    c->dict = NULL;
}

static int run_open(void *arg)
{
    dict_ctx *c = arg;
    return pottery_dict_open(&c->dict, client, "d", NULL);
}

static int run_set(void *arg)
{
    dict_ctx *c = arg;
    return pottery_dict_set(c->dict, pottery_str("c"), pottery_json("{\"x\": [1, \"y\"]}"));
}

static int run_get(void *arg)
{
    dict_ctx *c = arg;
    return pottery_dict_get(&c->got, c->dict, pottery_str("b"));
}

static void check_get(void *arg)
{
    dict_ctx *c = arg;
    char *json = NULL;
    assert_ok(pottery_value_to_json(&json, NULL, c->got));
    assert_string_equal(json, "[1, 2]");
    pottery_free(json);
}

static int run_update(void *arg)
{
    dict_ctx *c = arg;
    const pottery_pair items[] = {
        { pottery_str("a"), pottery_int(7) },
        { pottery_str("e"), pottery_json("[\"long enough to need a buffer of its own\", 1.5, null]") },
    };
    return pottery_dict_update(c->dict, items, 2);
}

static void test_dict_operations(void **state)
{
    (void)state;
    dict_ctx ctx = { 0 };
    const oom_op ops[] = {
        { "pottery_dict_open", NULL, run_open, NULL, close_dict, NULL },
        { "pottery_dict_set", open_seeded, run_set, NULL, close_dict, NULL },
        { "pottery_dict_get", open_seeded, run_get, check_get, close_dict, NULL },
        { "pottery_dict_update", open_seeded, run_update, NULL, close_dict, NULL },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) oom_exhaust(&ops[i], &ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_dict_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
