/* Operations that combine two keys, on a private Redis Cluster (3 masters, 3 replicas).
 * Each runs with its keys laid out three ways: sharing a hash tag (one slot: on the server,
 * in as many round trips as on one server), in two slots of one master, and on two
 * masters (computed on the client side); the results are the same. HyperLogLog merges
 * across slots are refused with POTTERY_ECROSSSLOT naming hash tags. Temporary and scratch
 * keys sit in the slot of the key beside them, and none is left behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pottery.h"
#include "support/test_fixture.h"

#define VALUES(...) (pottery_value[]){ __VA_ARGS__ }, sizeof((pottery_value[]){ __VA_ARGS__ }) / sizeof(pottery_value)

/* ---- the cluster and the key layouts ---- */

typedef struct layout {
    const char *name;
    char a[32], b[32];
    int together; /* one slot: the server-side path */
} layout;

enum { TOGETHER, ONE_MASTER, TWO_MASTERS, LAYOUTS };
static layout layouts[LAYOUTS];

static unsigned slot_of(const char *key)
{
    return pottery__key_slot(key, strlen(key));
}

/* "k<n>": the first key in another slot than anchor's, on anchor's master (same_master)
 * or on another one. 0, or -1 when the cluster cannot say. */
static int pick_key(char *out, size_t size, const char *anchor, int same_master)
{
    int home = test_cluster_master_of_slot(&cluster, slot_of(anchor));
    for (int n = 0; home >= 0 && n < 1000; n++) {
        snprintf(out, size, "k%d", n);
        if (slot_of(out) == slot_of(anchor)) continue;
        int master = test_cluster_master_of_slot(&cluster, slot_of(out));
        if (master < 0) return -1;
        if ((master == home) == same_master) return 0;
    }
    return -1;
}

static int group_setup(void **state)
{
    (void)state;
    char url[512];
    if (test_cluster_start(&cluster, 3, 1) != 0 || test_cluster_url(&cluster, url, sizeof url) != 0) return -1;
    if (pottery_client_open(&client, url, NULL) != 0 || pottery_client_open(&client2, url, NULL) != 0) return -1;
    layouts[TOGETHER] = (layout){ "a hash tag", "{t}a", "{t}b", 1 };
    layouts[ONE_MASTER] = (layout){ "two slots, one master", "a", "", 0 };
    layouts[TWO_MASTERS] = (layout){ "two masters", "a", "", 0 };
    if (pick_key(layouts[ONE_MASTER].b, sizeof layouts[ONE_MASTER].b, "a", 1) != 0) return -1;
    return pick_key(layouts[TWO_MASTERS].b, sizeof layouts[TWO_MASTERS].b, "a", 0);
}

static int group_teardown(void **state)
{
    (void)state;
    pottery_client_free(client);
    pottery_client_free(client2);
    client = client2 = NULL;
    test_cluster_stop(&cluster);
    return 0;
}

static int reset(void **state)
{
    (void)state;
    if (test_cluster_flushall(&cluster) != 0) return -1;
    pottery_client_stats_reset(client);
    pottery_client_stats_reset(client2);
    return 0;
}

/* Layouts share keys: each starts on an empty cluster. */
static const layout *fresh(int i)
{
    assert_int_equal(test_cluster_flushall(&cluster), 0);
    return &layouts[i];
}

/* A command on the node serving its key: C strings without blanks, NULL-terminated. */
#define on_cluster(...) test_cluster_cmdv(&cluster, __VA_ARGS__, (const char *)NULL)

/* No temporary or scratch key is left on any master. */
#define assert_no_temporary_keys() assert_raw("", on_cluster("KEYS", "pottery:*"))

/* call costs its single-server budget `server` with the keys together, `client_side`
 * otherwise. */
#define assert_cost(L, server, client_side, call) assert_round_trips((L)->together ? (server) : (client_side), call)

/* *text is expected, then freed. */
#define assert_text(expected, text)                                                                                    \
    do {                                                                                                               \
        assert_string_equal((text), (expected));                                                                       \
        pottery_free(text);                                                                                            \
        (text) = NULL;                                                                                                 \
    } while (0)

static void test_layouts(void **state)
{
    (void)state;
    assert_int_equal(slot_of("{t}a"), slot_of("{t}b"));
    for (int i = ONE_MASTER; i < LAYOUTS; i++) assert_int_not_equal(slot_of(layouts[i].a), slot_of(layouts[i].b));
    int ma = test_cluster_master_of_slot(&cluster, slot_of("a"));
    assert_int_equal(test_cluster_master_of_slot(&cluster, slot_of(layouts[ONE_MASTER].b)), ma);
    assert_int_not_equal(test_cluster_master_of_slot(&cluster, slot_of(layouts[TWO_MASTERS].b)), ma);
}

/* ---- sets ---- */

static pottery_set *open_set(pottery_client *c, const char *key)
{
    pottery_set *s = NULL;
    assert_ok(pottery_set_open(&s, c, key, NULL));
    return s;
}

static char *set_json(pottery_set *s)
{
    char *text = NULL;
    assert_ok(pottery_set_to_json(&text, NULL, s));
    return text;
}

/* a = {"x", "y", 1}, b = {"y", "z", 1}, written anew. */
static void fill_sets(const layout *L)
{
    free(on_cluster("DEL", L->a));
    free(on_cluster("DEL", L->b));
    assert_raw("3", on_cluster("SADD", L->a, "\"x\"", "\"y\"", "1"));
    assert_raw("3", on_cluster("SADD", L->b, "\"y\"", "\"z\"", "1"));
}

/* The new set holds expected, sits in a's slot and is gone once freed. */
static void check_new_set(pottery_set *n, const layout *L, const char *expected)
{
    char *text = set_json(n);
    assert_text(expected, text);
    assert_int_equal(slot_of(pottery_set_key(n)), slot_of(L->a));
    pottery_set_free(n);
    assert_no_temporary_keys();
}

static void set_algebra(const layout *L, pottery_client *cb)
{
    pottery_set *a = open_set(client, L->a), *b = open_set(cb, L->b), *n = NULL;
    pottery_set *bs[] = { b };
    char *text = NULL;
    /* Client side, counted on a's client: SUNION/SINTER/SDIFF/SMEMBERS of a, then b scanned
     * or probed (on cb); b on a's client is copied beside a (SSCAN, SADD) before the one
     * MULTI/EXEC, b on another client is read while a's client streams it. */
    uint64_t reads = cb == client ? 2 : 1, ahead = cb == client ? 3 : 1, computed = cb == client ? 3 : 2;
    fill_sets(L);
    assert_cost(L, 1, reads, pottery_set_union_from(&text, NULL, a, bs, 1));
    assert_text("[\"x\", \"y\", \"z\", 1]", text);
    assert_cost(L, 1, reads, pottery_set_intersection_from(&text, NULL, a, bs, 1));
    assert_text("[\"y\", 1]", text);
    assert_cost(L, 1, reads, pottery_set_difference_from(&text, NULL, a, bs, 1));
    assert_text("[\"x\"]", text);
    assert_cost(L, 1, reads, pottery_set_symmetric_difference_from(&text, NULL, a, b));
    assert_text("[\"x\", \"z\"]", text);

    assert_cost(L, 1, ahead, pottery_set_union_new_from(&n, a, bs, 1));
    check_new_set(n, L, "[\"x\", \"y\", \"z\", 1]");
    assert_cost(L, 1, ahead, pottery_set_symmetric_difference_new_from(&n, a, b));
    check_new_set(n, L, "[\"x\", \"z\"]");
    /* computed here (SINTER/SDIFF a, SMISMEMBER b), then copied into the new set */
    assert_cost(L, 1, computed, pottery_set_intersection_new_from(&n, a, bs, 1));
    check_new_set(n, L, "[\"y\", 1]");
    assert_cost(L, 1, computed, pottery_set_difference_new_from(&n, a, bs, 1));
    check_new_set(n, L, "[\"x\"]");

    assert_cost(L, 1, ahead, pottery_set_update_from(a, bs, 1));
    text = set_json(a);
    assert_text("[\"x\", \"y\", \"z\", 1]", text);
    fill_sets(L);
    assert_cost(L, 1, ahead, pottery_set_difference_update_from(a, bs, 1));
    text = set_json(a);
    assert_text("[\"x\"]", text);
    fill_sets(L);
    assert_cost(L, 1, ahead, pottery_set_intersection_update_from(a, bs, 1));
    text = set_json(a);
    assert_text("[\"y\", 1]", text);
    fill_sets(L);
    assert_cost(L, 1, ahead, pottery_set_symmetric_difference_update_from(a, b));
    text = set_json(a);
    assert_text("[\"x\", \"z\"]", text);
    text = set_json(b); /* the operand is read, never written */
    assert_text("[\"y\", \"z\", 1]", text);
    assert_no_temporary_keys();
    pottery_set_free(a);
    pottery_set_free(b);
}

static void set_algebra_one_client(const layout *L)
{
    set_algebra(L, client);
}

/* b on a second client of the same cluster: read while a's client streams its transaction. */
static void set_algebra_two_clients(const layout *L)
{
    set_algebra(L, client2);
}

static void set_comparisons(const layout *L)
{
    pottery_set *a = open_set(client, L->a), *b = open_set(client, L->b);
    int r = -1;
    fill_sets(L);
    /* client side: SCARD of each, then one set scanned (SSCAN) and probed (SMISMEMBER) */
    assert_cost(L, 1, 4, pottery_set_equal_from(&r, a, b));
    assert_int_equal(r, 0);
    assert_cost(L, 1, 4, pottery_set_issubset_from(&r, a, b));
    assert_int_equal(r, 0);
    assert_cost(L, 1, 4, pottery_set_issuperset_from(&r, a, b));
    assert_int_equal(r, 0);
    assert_cost(L, 1, 4, pottery_set_isdisjoint_from(&r, a, b));
    assert_int_equal(r, 0);
    assert_raw("1", on_cluster("SREM", L->b, "\"z\""));
    assert_ok(pottery_set_issubset_from(&r, b, a));
    assert_int_equal(r, 1);
    assert_ok(pottery_set_issuperset_from(&r, a, b));
    assert_int_equal(r, 1);
    assert_raw("1", on_cluster("SADD", L->b, "\"x\""));
    assert_ok(pottery_set_equal_from(&r, a, b));
    assert_int_equal(r, 1);
    assert_raw("3", on_cluster("SREM", L->b, "\"x\"", "\"y\"", "1"));
    assert_raw("1", on_cluster("SADD", L->b, "\"q\""));
    assert_ok(pottery_set_isdisjoint_from(&r, a, b));
    assert_int_equal(r, 1);
    pottery_set_free(a);
    pottery_set_free(b);
}

/* n strings "<prefix><i>" into vals[0..n) (allocated here), their bytes in the buffer
 * returned; the caller frees both. */
enum { NAME_SIZE = 16 };
static char *numbered(pottery_value **vals, int n, char prefix)
{
    char *names = calloc((size_t)n, NAME_SIZE);
    *vals = calloc((size_t)n, sizeof **vals);
    assert_non_null(names);
    assert_non_null(*vals);
    for (int i = 0; i < n; i++) {
        snprintf(names + (size_t)i * NAME_SIZE, NAME_SIZE, "%c%d", prefix, i);
        (*vals)[i] = pottery_str(names + (size_t)i * NAME_SIZE);
    }
    return names;
}

/* An operand of several SSCAN batches, copied beside the set a batch at a time. */
static void test_set_operand_of_many_batches(void **state)
{
    (void)state;
    enum { N = 2500 };
    pottery_value *vals = NULL;
    char *names = numbered(&vals, N, 'm');
    for (int i = 0; i < LAYOUTS; i++) {
        const layout *L = fresh(i);
        pottery_set *a = open_set(client, L->a), *b = open_set(client, L->b), *n = NULL;
        assert_ok(pottery_set_update(b, vals, N));
        assert_ok(pottery_set_update(a, VALUES(pottery_str("x"), pottery_str("m7"))));
        assert_ok(pottery_set_union_new_from(&n, a, &b, 1));
        assert_raw("2501", on_cluster("SCARD", pottery_set_key(n)));
        pottery_set_free(n);
        assert_ok(pottery_set_symmetric_difference_update_from(a, b));
        assert_raw("2500", on_cluster("SCARD", L->a));
        assert_ok(pottery_set_update_from(a, &b, 1));
        assert_raw("2501", on_cluster("SCARD", L->a));
        assert_ok(pottery_set_intersection_update_from(a, &b, 1));
        assert_raw("2500", on_cluster("SCARD", L->a));
        assert_no_temporary_keys();
        pottery_set_free(a);
        pottery_set_free(b);
    }
    free(names);
    free(vals);
}

/* A failure on either side leaves the set as it was and no copy behind. */
static void test_set_failures_leave_nothing(void **state)
{
    (void)state;
    for (int i = ONE_MASTER; i < LAYOUTS; i++) {
        const layout *L = fresh(i);
        pottery_set *a = open_set(client, L->a), *b = open_set(client, L->b), *n = NULL;
        fill_sets(L);
        free(on_cluster("DEL", L->a));
        assert_raw("OK", on_cluster("SET", L->a, "text"));
        assert_code(POTTERY_EREDIS, pottery_set_update_from(a, &b, 1));
        assert_code(POTTERY_EREDIS, pottery_set_union_new_from(&n, a, &b, 1));
        assert_null(n);
        assert_raw("text", on_cluster("GET", L->a));
        assert_no_temporary_keys();
        fill_sets(L);
        free(on_cluster("DEL", L->b));
        assert_raw("OK", on_cluster("SET", L->b, "text"));
        assert_code(POTTERY_EREDIS, pottery_set_symmetric_difference_update_from(a, b));
        char *text = set_json(a);
        assert_text("[\"x\", \"y\", 1]", text);
        assert_no_temporary_keys();
        pottery_set_free(a);
        pottery_set_free(b);
    }
}

/* ---- dict_update_from_and_equality, counter_arithmetic_and_update_from, list_concatenation_and_equality, deques ---- */

static void dict_update_from_and_equality(const layout *L)
{
    pottery_dict *a = NULL, *b = NULL;
    assert_ok(pottery_dict_open(&a, client, L->a, NULL));
    assert_ok(pottery_dict_open(&b, client, L->b, NULL));
    assert_ok(pottery_dict_set(a, pottery_str("k"), pottery_int(1)));
    assert_ok(pottery_dict_set(b, pottery_str("k"), pottery_int(5)));
    assert_ok(pottery_dict_set(b, pottery_str("l"), pottery_str("v")));
    int eq = -1;
    /* client side: HSCAN b, then HSET a / HGETALL of each */
    assert_cost(L, 1, 2, pottery_dict_equal_from(&eq, a, b));
    assert_int_equal(eq, 0);
    assert_cost(L, 1, 2, pottery_dict_update_from(a, b));
    char *text = NULL;
    assert_ok(pottery_dict_to_json(&text, NULL, a));
    assert_text("{\"k\": 5, \"l\": \"v\"}", text);
    assert_cost(L, 1, 2, pottery_dict_equal_from(&eq, a, b));
    assert_int_equal(eq, 1);
    pottery_dict_free(a);
    pottery_dict_free(b);
}

static pottery_counter *open_counter(const char *key, const char *json)
{
    pottery_counter *c = NULL;
    assert_ok(pottery_counter_open(&c, client, key, NULL));
    assert_ok(pottery_counter_clear(c));
    assert_ok(pottery_counter_inplace_json(c, POTTERY_COUNTER_ADD, json));
    return c;
}

static void counter_arithmetic_and_update_from(const layout *L)
{
    pottery_counter *x = open_counter(L->a, "{\"a\": 3, \"b\": 1}");
    pottery_counter *y = open_counter(L->b, "{\"a\": 1, \"c\": 2}");
    char *text = NULL;
    int eq = -1;
    /* client side: HGETALL y, then one script on x (or HGETALL x) */
    assert_cost(L, 1, 2, pottery_counter_binary(&text, NULL, x, POTTERY_COUNTER_SUB, y));
    assert_text("{\"a\": 2, \"b\": 1}", text);
    assert_cost(L, 1, 2, pottery_counter_equal_from(&eq, x, y));
    assert_int_equal(eq, 0);
    assert_cost(L, 1, 2, pottery_counter_update_from(x, y));
    assert_ok(pottery_counter_to_json(&text, NULL, x));
    assert_text("{\"a\": 4, \"b\": 1, \"c\": 2}", text);
    assert_cost(L, 1, 2, pottery_counter_subtract_from(x, y));
    assert_ok(pottery_counter_to_json(&text, NULL, x));
    assert_text("{\"a\": 3, \"b\": 1, \"c\": 0}", text);
    assert_cost(L, 1, 2, pottery_counter_inplace(x, POTTERY_COUNTER_OR, y));
    assert_ok(pottery_counter_to_json(&text, NULL, x));
    assert_text("{\"a\": 3, \"b\": 1, \"c\": 2}", text);
    pottery_counter_free(x);
    pottery_counter_free(y);
}

static pottery_list *open_list(const char *key, const char *json)
{
    pottery_list *l = NULL;
    assert_ok(pottery_list_open(&l, client, key, NULL));
    assert_ok(pottery_list_extend_json(l, json));
    return l;
}

static void list_concatenation_and_equality(const layout *L)
{
    pottery_list *a = open_list(L->a, "[1, \"x\"]"), *b = open_list(L->b, "[2]"), *sum = NULL;
    char *text = NULL;
    int eq = -1;
    /* client side: LRANGE b, then one script on a / LRANGE of each */
    assert_cost(L, 1, 2, pottery_list_add(&sum, a, b));
    assert_ok(pottery_list_to_json(&text, NULL, sum));
    assert_text("[1, \"x\", 2]", text);
    assert_int_equal(slot_of(pottery_list_key(sum)), slot_of(L->a));
    pottery_list_free(sum);
    assert_cost(L, 1, 2, pottery_list_equal_from(&eq, a, b));
    assert_int_equal(eq, 0);
    assert_ok(pottery_list_clear(b));
    assert_ok(pottery_list_extend_json(b, "[1, \"x\"]"));
    assert_cost(L, 1, 2, pottery_list_equal_from(&eq, a, b));
    assert_int_equal(eq, 1);
    pottery_list_free(a);
    pottery_list_free(b);

    pottery_deque *d = NULL, *e = NULL;
    assert_ok(pottery_deque_open(&d, client, L->a, NULL));
    assert_ok(pottery_deque_open(&e, client, L->b, NULL));
    assert_ok(pottery_deque_clear(d));
    assert_ok(pottery_deque_clear(e));
    assert_ok(pottery_deque_append(e, pottery_int(1)));
    assert_ok(pottery_deque_append(e, pottery_int(2)));
    assert_ok(pottery_deque_append(d, pottery_int(2)));
    assert_ok(pottery_deque_appendleft(d, pottery_int(1)));
    assert_cost(L, 1, 2, pottery_deque_equal_from(&eq, d, e));
    assert_int_equal(eq, 1);
    pottery_deque_free(d);
    pottery_deque_free(e);
    assert_no_temporary_keys();
}

/* ---- HyperLogLogs: merged on the server only ---- */

static void test_hll_merges(void **state)
{
    (void)state;
    for (int i = 0; i < LAYOUTS; i++) {
        const layout *L = fresh(i);
        pottery_hll *a = NULL, *b = NULL, *u = NULL;
        int64_t n = -1;
        assert_ok(pottery_hll_open(&a, client, L->a, VALUES(pottery_str("x"))));
        assert_ok(pottery_hll_open(&b, client, L->b, VALUES(pottery_str("y"), pottery_str("z"))));
        if (L->together) {
            assert_round_trips(1, pottery_hll_union_from(&u, a, &b, 1, NULL)); /* no EXISTS beside a */
            assert_int_equal(slot_of(pottery_hll_key(u)), slot_of(L->a));
            assert_ok(pottery_hll_len(&n, u));
            assert_int_equal(n, 3);
            pottery_hll_free(u);
            assert_round_trips(1, pottery_hll_update_from(a, &b, 1));
            assert_round_trips(1, pottery_hll_update_both(a, VALUES(pottery_str("w")), &b, 1));
            assert_ok(pottery_hll_len(&n, a));
            assert_int_equal(n, 4);
        } else {
            uint64_t before = round_trips();
            assert_code(POTTERY_ECROSSSLOT, pottery_hll_update_from(a, &b, 1));
            assert_int_equal(round_trips(), before); /* refused before anything is sent */
            assert_message_contains("hash tag");
            assert_message_contains("pottery_hll_update");
            assert_message_contains(L->b);
            assert_code(POTTERY_ECROSSSLOT, pottery_hll_update_both(a, VALUES(pottery_str("w")), &b, 1));
            assert_code(POTTERY_ECROSSSLOT, pottery_hll_union_from(&u, a, &b, 1, NULL));
            assert_message_contains("hash tag");
            assert_null(u);
            assert_ok(pottery_hll_len(&n, a));
            assert_int_equal(n, 1);
        }
        /* the new HyperLogLog's own key must share hll's slot too */
        const char *dest = "hll-union";
        assert_int_not_equal(slot_of(dest), slot_of(L->a));
        assert_code(POTTERY_ECROSSSLOT, pottery_hll_union_from(&u, a, NULL, 0, dest));
        assert_message_contains("hash tag");
        assert_null(u);
        assert_raw("0", on_cluster("EXISTS", dest));
        pottery_hll_free(a);
        pottery_hll_free(b);
    }
    assert_no_temporary_keys();
}

/* ---- temporary and scratch keys beside a user key ---- */

static void test_temporary_keys_share_the_slot(void **state)
{
    (void)state;
    static const char *const keys[] = { "a", "{t}x", "x}y" }; /* the last cannot be a tag */
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *key = keys[i];
        pottery_set *s = open_set(client, key), *n = NULL;
        int r = -1;
        assert_ok(pottery_set_update(s, VALUES(pottery_str("x"), pottery_str("y"))));
        assert_round_trips(1, pottery_set_union_new(&n, s, VALUES(pottery_str("z"))));
        assert_int_equal(slot_of(pottery_set_key(n)), slot_of(key));
        assert_memory_equal(pottery_set_key(n), "pottery:", 8);
        pottery_set_free(n);
        assert_round_trips(1, pottery_set_issubset(&r, s, VALUES(pottery_str("x"), pottery_str("y"))));
        assert_int_equal(r, 1);
        assert_round_trips(1, pottery_set_symmetric_difference_update(s, VALUES(pottery_str("y"), pottery_str("q"))));
        char *text = set_json(s);
        assert_text("[\"q\", \"x\"]", text);
        pottery_set_free(s);

        free(on_cluster("DEL", key));
        pottery_list *l = open_list(key, "[1]"), *sum = NULL;
        assert_round_trips(1, pottery_list_add_json(&sum, l, "[2]"));
        assert_int_equal(slot_of(pottery_list_key(sum)), slot_of(key));
        pottery_list_free(sum);
        pottery_list_free(l);

        free(on_cluster("DEL", key));
        pottery_hll *h = NULL, *u = NULL;
        assert_ok(pottery_hll_open(&h, client, key, VALUES(pottery_str("x"))));
        assert_round_trips(1, pottery_hll_union_from(&u, h, NULL, 0, NULL));
        assert_int_equal(slot_of(pottery_hll_key(u)), slot_of(key));
        pottery_hll_free(u);
        pottery_hll_free(h);
        assert_no_temporary_keys();
    }
}

/* A counter update of more than 10,000 keys is staged in a hash beside the counter. */
static void test_counter_staging_hash_shares_the_slot(void **state)
{
    (void)state;
    enum { N = 10001 };
    pottery_value *keys = NULL;
    char *names = numbered(&keys, N, 'w');
    pottery_counter_pair *items = calloc(N, sizeof *items);
    assert_non_null(items);
    for (int i = 0; i < N; i++) items[i] = (pottery_counter_pair){ keys[i], 2 };
    pottery_counter *c = NULL;
    assert_ok(pottery_counter_open(&c, client, "a", NULL));
    assert_round_trips(1, pottery_counter_update(c, items, N));
    int64_t total = 0;
    assert_ok(pottery_counter_total(&total, c));
    assert_int_equal(total, 2 * N);
    assert_no_temporary_keys();
    pottery_counter_free(c);
    free(items);
    free(keys);
    free(names);
}

/* test_<fn>: scenario fn on every layout. */
#define ON_EACH_LAYOUT(fn)                                                                                             \
    static void test_##fn(void **state)                                                                                \
    {                                                                                                                  \
        (void)state;                                                                                                   \
        for (int i = 0; i < LAYOUTS; i++) fn(fresh(i));                                                                \
    }

ON_EACH_LAYOUT(set_algebra_one_client)
ON_EACH_LAYOUT(set_algebra_two_clients)
ON_EACH_LAYOUT(set_comparisons)
ON_EACH_LAYOUT(dict_update_from_and_equality)
ON_EACH_LAYOUT(counter_arithmetic_and_update_from)
ON_EACH_LAYOUT(list_concatenation_and_equality)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_layouts, reset),
        cmocka_unit_test_setup(test_set_algebra_one_client, reset),
        cmocka_unit_test_setup(test_set_algebra_two_clients, reset),
        cmocka_unit_test_setup(test_set_comparisons, reset),
        cmocka_unit_test_setup(test_set_operand_of_many_batches, reset),
        cmocka_unit_test_setup(test_set_failures_leave_nothing, reset),
        cmocka_unit_test_setup(test_dict_update_from_and_equality, reset),
        cmocka_unit_test_setup(test_counter_arithmetic_and_update_from, reset),
        cmocka_unit_test_setup(test_list_concatenation_and_equality, reset),
        cmocka_unit_test_setup(test_hll_merges, reset),
        cmocka_unit_test_setup(test_temporary_keys_share_the_slot, reset),
        cmocka_unit_test_setup(test_counter_staging_hash_shares_the_slot, reset),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
