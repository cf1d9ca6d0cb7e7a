/* Every server-side script (src/lua/<name>.lua, embedded at build time) compiles on a real
 * server: SCRIPT LOAD answers the SHA-1 the client computes for EVALSHA. A syntax error in
 * any script fails here, not in the first call that happens to use it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn/sha1.h"
#include "lua_scripts.h"
#include "support/test_fixture.h"

/* The embedded text is the file's, byte for byte (for scripts without --@include parts):
 * the embedding must not lose a line to Lua's brackets or semicolons. */
static void assert_embedded_as_written(const pottery_script *s)
{
    char path[512];
    snprintf(path, sizeof path, "%s/src/lua/%s.lua", POTTERY_SOURCE_DIR, s->name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot read %s", path);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    if (strstr(text, "--@include")) return;
    if (strcmp(text, s->source) != 0) fail_msg("script %s: the embedded text differs from %s", s->name, path);
}

static void test_every_script_loads(void **state)
{
    (void)state;
    assert_true(pottery__lua_count > 0);
    size_t seen = 0;
    for (const pottery_script *const *s = pottery__lua_all; *s; s++, seen++) {
        char sha[41];
        pottery__sha1_hex(sha, (*s)->source, strlen((*s)->source));
        char *loaded = raw("SCRIPT", "LOAD", (*s)->source, NULL);
        if (!loaded || strcmp(loaded, sha) != 0) fail_msg("script %s: SCRIPT LOAD answered %s", (*s)->name, loaded);
        free(loaded);
        assert_true(strncmp((*s)->source, "--", 2) == 0); /* starts with its description */
        assert_embedded_as_written(*s);
    }
    assert_int_equal(seen, pottery__lua_count);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_every_script_loads, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
