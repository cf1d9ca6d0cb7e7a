/* Unit tests: names of keys that sit beside a user's key (no server needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conn/conn.h"
#include "core/alloc.h"
#include "support/assert_ok.h"

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
    char *got = NULL;
    assert_ok(pottery__key_beside(&got, "bin\0ary", 7, ":s")); /* binary-safe */
    assert_memory_equal(got, "{bin\0ary}:s", 12);
    pottery__free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_beside),
    };
    return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
