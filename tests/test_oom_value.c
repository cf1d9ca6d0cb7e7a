/*
 * Allocation failure in value.h and client.h: every public function, failing each of its
 * library allocations in turn (tests/support/oom.h says what each attempt must satisfy).
 * Values need no Redis; the fixture's server is there all the same, and stays untouched.
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

#define OBJ "{\"b\": [1, 2.50, \"x\\u00e9\"], \"a\": null, \"c\": {\"d\": true}}"
#define OBJ_CANONICAL "{\"a\": null, \"b\": [1, 2.5, \"x\\u00e9\"], \"c\": {\"d\": true}}"

typedef struct value_ctx {
    oom_state st; /* first: oom_run_rows reads it; variant: the client rows' URL */
    pottery_value v, k, src;
    char *text;
    size_t len;
    int64_t n;
    int flag;
    pottery_value_iter *it;
    pottery_value seen[16]; /* what an iteration visited: key, value, key, value... */
    size_t nseen;
    pottery_client *made;
} value_ctx;

static int setup(void *arg)
{
    value_ctx *c = arg;
    c->n = INT64_MIN;
    c->flag = -1;
    /* An owned value (decoded), whose copy must allocate. */
    return pottery_value_from_json(&c->src, OBJ, strlen(OBJ)) < 0 ? -1 : 0;
}

static void teardown(void *arg)
{
    value_ctx *c = arg;
    pottery_value *vs[] = { &c->v, &c->k, &c->src };
    for (size_t i = 0; i < 3; i++) pottery_value_dispose(vs[i]);
    for (size_t i = 0; i < c->nseen; i++) pottery_value_dispose(&c->seen[i]);
    c->nseen = 0;
    pottery_free(c->text);
    c->text = NULL;
    pottery_value_iter_free(c->it);
    c->it = NULL;
    pottery_client_free(c->made);
    c->made = NULL;
}

/* What a successful attempt returned, as text: " v=... k=... text=... n=... flag=...
 * made", each part only when the operation set it. */
static void check(void *arg)
{
    value_ctx *c = arg;
    oom_text t = { 0 };
    oom_text_add(&t, "%s", "");
    if (!pottery_value_is_null(&c->v)) oom_text_add(&t, " v="), oom_text_value(&t, c->v);
    if (!pottery_value_is_null(&c->k)) oom_text_add(&t, " k="), oom_text_value(&t, c->k);
    if (c->text) oom_text_add(&t, " text=%s", c->text);
    if (c->n != INT64_MIN) oom_text_add(&t, " n=%lld", (long long)c->n);
    if (c->flag != -1) oom_text_add(&t, " flag=%d", c->flag);
    if (c->made) {
        assert_ok(pottery_client_ping(c->made)); /* the client opened is a working one */
        oom_text_add(&t, " made");
    }
    oom_result_check(&c->st.res, &t);
}

#define RUN(name, ...) OOM_RUN(value_ctx, name, __VA_ARGS__)

/* The constructors, type tests and scalar getters never allocate (value.h says so; the
 * rows show 0 allocations), nor do pottery_value_dispose and pottery_free of NULL. */
static int run_no_alloc(void *arg)
{
    value_ctx *c = arg;
    pottery_value vs[] = { pottery_null(),   pottery_bool(1),         pottery_int(-7),     pottery_double(2.5),
                           pottery_str("s"), pottery_strn("a\0b", 3), pottery_json("[1]"), pottery_jsonn("{}x", 2) };
    int ok = pottery_value_is_null(&vs[0]) && pottery_value_is_bool(&vs[1]) && pottery_value_is_int(&vs[2]) &&
             pottery_value_is_double(&vs[3]) && pottery_value_is_string(&vs[4]) && pottery_value_is_array(&vs[6]) &&
             pottery_value_is_object(&vs[7]) && pottery_value_type(&vs[5]) == POTTERY_TYPE_STRING;
    int b = 0;
    int64_t i = 0;
    double d = 0;
    const char *s = NULL;
    size_t len = 0;
    ok = ok && pottery_value_get_bool(&b, &vs[1]) == 0 && b == 1 && pottery_value_get_int(&i, &vs[2]) == 0 && i == -7 &&
         pottery_value_get_double(&d, &vs[3]) == 0 && d == 2.5 && pottery_value_get_str(&s, &len, &vs[5]) == 0 &&
         len == 3;
    ok = ok && pottery_value_bool(&vs[1]) == 1 && pottery_value_int(&vs[2]) == -7 &&
         pottery_value_double(&vs[2]) == -7.0 && pottery_value_str(&vs[4], NULL)[0] == 's' &&
         pottery_value_get_int(&i, &c->src) == POTTERY_ETYPE;
    pottery_value_dispose(&vs[4]);
    pottery_free(NULL);
    return ok ? 0 : -1;
}

RUN(copy, return pottery_value_copy(&c->v, &c->src))
static const pottery_value *borrowed(pottery_value v)
{
    static pottery_value held;
    held = v;
    return &held;
}

RUN(copy_string, return pottery_value_copy(&c->v, borrowed(pottery_str("a string to copy"))))
RUN(to_json, return pottery_value_to_json(&c->text, &c->len, pottery_json(OBJ)))
RUN(to_json_string, return pottery_value_to_json(&c->text, NULL, pottery_str("\"quoted\"\n\xc3\xa9")))
RUN(from_json, return pottery_value_from_json(&c->v, OBJ, strlen(OBJ)))
RUN(from_json_number, return pottery_value_from_json(&c->v, "18446744073709551616", 20))
RUN(repr, return pottery_value_repr(&c->text, pottery_json(OBJ)))
RUN(equal, return pottery_value_equal(&c->flag, pottery_json("[1, {\"a\": 1.0}]"), pottery_json("[true, {\"a\": 1}]")))
RUN(len, return pottery_value_len(&c->n, &c->src))
RUN(at, return pottery_value_at(&c->v, borrowed(pottery_json("[1, [2, 3], \"x\"]")), -2))
RUN(member, return pottery_value_member(&c->v, &c->src, "b"))
RUN(membern, return pottery_value_membern(&c->v, &c->src, "c", 1))

/* The whole iteration over an object (iter_new, every step, the end): a failed step
 * returns its error, and the next call gives that member again. */
static int step(value_ctx *c)
{
    int rc = pottery_value_iter_next(&c->seen[c->nseen], &c->seen[c->nseen + 1], c->it);
    if (rc == 0) c->nseen += 2;
    return rc;
}

RUN(iterate, int rc = c->it ? 0 : pottery_value_iter_new(&c->it, &c->src); while (rc == 0) rc = step(c);
    return rc == POTTERY_EITEROVER ? 0 : rc)

static int iterate_ok(void *arg, int rc)
{
    value_ctx *c = arg;
    while (c->it && rc != POTTERY_EITEROVER) {
        rc = step(c);
        if (rc < 0 && rc != POTTERY_EITEROVER) return 0;
    }
    oom_text t = { 0 };
    oom_text_add(&t, "%s", "");
    for (size_t i = 0; i < c->nseen; i += 2) {
        oom_text_add(&t, " ");
        oom_text_value(&t, c->seen[i]);
        oom_text_add(&t, ":");
        oom_text_value(&t, c->seen[i + 1]);
    }
    int ok = c->it ? strcmp(t.s, " \"a\":<null> \"b\":[1, 2.5, \"x\\u00e9\"] \"c\":{\"d\": true}") == 0 : c->nseen == 0;
    free(t.s);
    return ok;
}

/* ---- client.h ---- */

static test_redis secured; /* a unix socket, a password and an ACL user */
static test_cluster cl;    /* three masters */
static char cluster_url[512], sentinel_url[512], secured_url[600];

enum { URL_PLAIN = 1, URL_SECURED, URL_SENTINELS, URL_CLUSTER }; /* the URLs of the client_open rows */

static int run_client_open(void *arg)
{
    value_ctx *c = arg;
    const char *urls[] = { NULL, fixture_url(), secured_url, sentinel_url, cluster_url };
    pottery_client_options o;
    pottery_client_options_init(&o);
    if (c->st.variant == URL_SECURED) o.username = "oom", o.password = "secret", o.db = 2;
    return pottery_client_open(&c->made, urls[c->st.variant], &o);
}
/* A dropped connection: the next ping reconnects. */
static int setup_dropped(void *arg)
{
    value_ctx *c = arg;
    if (setup(c) < 0 || pottery_client_ping(client) < 0) return -1;
    free(raw("CLIENT", "KILL", "TYPE", "normal", NULL)); /* not the harness' own connection */
    /* The client learns of it by failing a call (never re-sent behind the caller's back). */
    return pottery_client_ping(client) == POTTERY_ECONN ? 0 : -1;
}
RUN(client_ping, return pottery_client_ping(client))
static int setup_pinged(void *arg)
{
    return setup(arg) == 0 && pottery_client_ping(client) == 0 ? 0 : -1;
}
/* The statistics and free: no allocation (the rows show 0). */
RUN(client_stats, pottery_client_stats s; pottery_client_stats_get(&s, client); pottery_client_stats_reset(client);
    return s.round_trips > 0 ? 0 : -1)
RUN(client_free, pottery_client_free(c->made); c->made = NULL; return 0)
static int setup_client(void *arg)
{
    value_ctx *c = arg;
    return setup(c) == 0 && pottery_client_open(&c->made, fixture_url(), NULL) == 0 ? 0 : -1;
}

/* A fresh cluster client's first call connects to the master it needs. */
static int setup_cluster_client(void *arg)
{
    value_ctx *c = arg;
    return setup(c) == 0 && pottery_client_open(&c->made, cluster_url, NULL) == 0 ? 0 : -1;
}
RUN(made_ping, return pottery_client_ping(c->made))

#define ROW(name, want)                                                                                                \
    {                                                                                                                  \
        { "pottery_value_" #name, setup, run_##name, check, teardown, NULL }, want, 0, 0                               \
    }
#define ROW_CLIENT(name, url)                                                                                          \
    {                                                                                                                  \
        { name, setup, run_client_open, check, teardown, NULL }, "made", url, 0                                        \
    }

static void run_rows(const oom_row *rows, size_t n)
{
    value_ctx ctx = { 0 };
    oom_run_rows(rows, n, &ctx);
}

static void test_value_operations(void **state)
{
    (void)state;
    const oom_row rows[] = {
        { { "value.h: constructors, type tests, getters", setup, run_no_alloc, check, teardown, NULL }, "", 0, 1 },
        ROW(copy, "v=" OBJ_CANONICAL),
        ROW(copy_string, "v=\"a string to copy\""),
        ROW(to_json, "text=" OBJ_CANONICAL),
        ROW(to_json_string, "text=\"\\\"quoted\\\"\\n\\u00e9\""),
        ROW(from_json, "v=" OBJ_CANONICAL),
        ROW(from_json_number, "v=18446744073709551616"),
        ROW(repr, "text={'a': None, 'b': [1, 2.5, 'xé'], 'c': {'d': True}}"),
        ROW(equal, "flag=1"),
        ROW(len, "n=3"),
        ROW(at, "v=[2, 3]"),
        ROW(member, "v=[1, 2.5, \"x\\u00e9\"]"),
        ROW(membern, "v={\"d\": true}"),
        { { "pottery_value_iter_new, _iter_next", setup, run_iterate, NULL, teardown, iterate_ok }, NULL, 0, 0 },
    };
    run_rows(rows, sizeof rows / sizeof rows[0]);
}

static void test_client_operations(void **state)
{
    (void)state;
    test_redis_options o = TEST_REDIS_OPTIONS_INIT;
    o.use_unix_socket = 1;
    o.acl_user = "oom";
    o.acl_password = "secret";
    assert_int_equal(test_redis_start(&secured, &o), 0);
    snprintf(secured_url, sizeof secured_url, "unix://%s", secured.socket_path);
    assert_int_equal(sentinels_setup(NULL), 0);
    sentinels_url(sentinel_url, sizeof sentinel_url, SENTINEL_MASTER);
    assert_int_equal(test_cluster_start(&cl, 3, 0), 0);
    assert_int_equal(test_cluster_url(&cl, cluster_url, sizeof cluster_url), 0);
    const oom_row rows[] = {
        ROW_CLIENT("pottery_client_open", URL_PLAIN),
        ROW_CLIENT("pottery_client_open (unix socket, user, password, db)", URL_SECURED),
        ROW_CLIENT("pottery_client_open (sentinels)", URL_SENTINELS),
        ROW_CLIENT("pottery_client_open (cluster)", URL_CLUSTER),
        { { "pottery_client_ping", setup, run_client_ping, NULL, teardown, NULL }, NULL, 0, 0 },
        { { "pottery_client_ping (cluster)", setup_cluster_client, run_made_ping, check, teardown, NULL },
          "made",
          0,
          0 },
        { { "pottery_client_ping (reconnecting)", setup_dropped, run_client_ping, NULL, teardown, NULL }, NULL, 0, 0 },
        { { "pottery_client_stats_get, _reset", setup_pinged, run_client_stats, NULL, teardown, NULL }, NULL, 0, 1 },
        { { "pottery_client_free", setup_client, run_client_free, NULL, teardown, NULL }, NULL, 0, 1 },
    };
    run_rows(rows, sizeof rows / sizeof rows[0]);
    test_cluster_stop(&cl);
    sentinels_teardown(NULL);
    test_redis_stop(&secured);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_value_operations, fixture_reset),
        cmocka_unit_test_setup(test_client_operations, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
