/* Redis Cluster hash slots, checked against a cluster-enabled redis-server's own CLUSTER
 * KEYSLOT, and names of keys that sit beside a user's key in the same slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn/conn.h"
#include "core/alloc.h"
#include "support/assert_ok.h"
#include "support/redis_server.h"

static test_redis node; /* cluster-enabled, in no cluster: it answers CLUSTER KEYSLOT */

static int start_node(void **state)
{
    (void)state;
    test_redis_options opts = TEST_REDIS_OPTIONS_INIT;
    opts.cluster_enabled = 1;
    return test_redis_start(&node, &opts);
}

static int stop_node(void **state)
{
    (void)state;
    test_redis_stop(&node);
    return 0;
}

/* The server's slot for key[0..len). */
static unsigned server_slot(const char *key, size_t len)
{
    const char *argv[3] = { "CLUSTER", "KEYSLOT", key };
    size_t lens[3] = { 7, 7, len };
    char *r = test_redis_cmd(&node, 3, argv, lens);
    assert_non_null(r);
    unsigned slot = (unsigned)strtoul(r, NULL, 10);
    free(r);
    return slot;
}

static const char *const slot_keys[] = {
    "",
    "foo",
    "bar",
    "hello",
    "123456789",
    "{user1000}.following",
    "{user1000}.followers",
    "foo{}{bar}",
    "foo{{bar}}zap",
    "foo{bar}{zap}",
    "{}",
    "}{",
    "{a",
    "a}",
    "redlock:shower",
    "nextid:current",
    "dilberts",
    "{dilberts}:bloom",
    "pottery:0f8fad5b-d9cb-469f-a165-70867728950e",
};

static void slots_match_the_server(void **state)
{
    (void)state;
    assert_int_equal(pottery__crc16("123456789", 9), 0x31C3); /* the cluster spec's check value */
    for (size_t i = 0; i < sizeof slot_keys / sizeof *slot_keys; i++) {
        const char *key = slot_keys[i];
        if (pottery__key_slot(key, strlen(key)) != server_slot(key, strlen(key)))
            fail_msg("slot of \"%s\": %u here, %u on the server", key, pottery__key_slot(key, strlen(key)),
                     server_slot(key, strlen(key)));
    }
    char binary[256];
    for (int i = 0; i < 256; i++) binary[i] = (char)i; /* every byte value, '{' and '}' among them */
    assert_int_equal(pottery__key_slot(binary, sizeof binary), server_slot(binary, sizeof binary));
    assert_int_equal(pottery__key_slot("{user1000}.following", 20), pottery__key_slot("{user1000}.followers", 20));
}

/* A name beside a key is in its slot, whenever the key is not empty and has a tag or no '}'. */
static void beside_is_in_the_same_slot(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof slot_keys / sizeof *slot_keys; i++) {
        const char *key = slot_keys[i];
        const char *tag_open = strchr(key, '{');
        int tagged = tag_open && strchr(tag_open, '}') && strchr(tag_open, '}') > tag_open + 1;
        if (!key[0] || (!tagged && strchr(key, '}'))) continue; /* cannot be placed beside: documented */
        char *beside = NULL;
        assert_ok(pottery__key_beside(&beside, key, strlen(key), ":bloom"));
        assert_int_equal(pottery__key_slot(beside, strlen(beside)), pottery__key_slot(key, strlen(key)));
        assert_int_equal(server_slot(beside, strlen(beside)), server_slot(key, strlen(key)));
        pottery__free(beside);
    }
}

static void assert_beside(const char *key, const char *suffix, const char *want)
{
    char *got = NULL;
    assert_ok(pottery__key_beside(&got, key, strlen(key), suffix));
    assert_string_equal(got, want);
    pottery__free(got);
}

static void keys_beside(void **state)
{
    (void)state;
    assert_beside("dilberts", ":bloom", "{dilberts}:bloom"); /* the whole key becomes the tag */
    assert_beside("{user}:bf", ":bloom", "{user}:bf:bloom"); /* its own tag is kept */
    assert_beside("a{b}c{d}", ":x", "a{b}c{d}:x");           /* the first tag counts */
    assert_beside("a{}b", ":x", "a{}b:x");                   /* no tag, and a '}' that would end a wrapping one early */
    assert_beside("a{b", ":x", "{a{b}:x");                   /* an unclosed brace neither */
    assert_beside("x}y", ":x", "x}y:x");                     /* a lone '}' would end a tag early */
    assert_beside("", ":x", ":x");                           /* "{}" would be no tag */
    char *got = NULL;
    assert_ok(pottery__key_beside(&got, "bin\0ary", 7, ":s")); /* binary-safe */
    assert_memory_equal(got, "{bin\0ary}:s", 12);
    pottery__free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_beside),
        cmocka_unit_test(slots_match_the_server),
        cmocka_unit_test(beside_is_in_the_same_slot),
    };
    return cmocka_run_group_tests_name("keys", tests, start_node, stop_node);
}
