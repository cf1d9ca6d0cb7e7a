/* Unit tests: SHA-1 (FIPS 180 test vectors) and uuid4 text form (no server needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn/conn.h"
#include "conn/sha1.h"
#include "pottery/errors.h"
#include "support/assert_ok.h"

static void hex_of(char out[41], const unsigned char d[20])
{
    for (int i = 0; i < 20; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_vectors(void **state)
{
    (void)state;
    char hex[41];
    pottery__sha1_hex(hex, "abc", 3);
    assert_string_equal("a9993e364706816aba3e25717850c26c9cd0d89d", hex);
    pottery__sha1_hex(hex, "", 0);
    assert_string_equal("da39a3ee5e6b4b0d3255bfef95601890afd80709", hex);
    pottery__sha1_hex(hex, NULL, 0);
    assert_string_equal("da39a3ee5e6b4b0d3255bfef95601890afd80709", hex);
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    pottery__sha1_hex(hex, two, strlen(two));
    assert_string_equal("84983e441c3bd26ebaae4aa1f95129e5e54670f1", hex);
    const char *four = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqr"
                       "smnopqrstnopqrstu";
    pottery__sha1_hex(hex, four, strlen(four));
    assert_string_equal("a49b2446a02c645bf419f995b67091253a04a259", hex);
    pottery__sha1_hex(hex, "The quick brown fox jumps over the lazy dog", 43);
    assert_string_equal("2fd4e1c67a2d28fced849ee1bb76e7391b93eb12", hex);
}

static void test_million_a_in_odd_pieces(void **state)
{
    (void)state;
    static char chunk[997];
    memset(chunk, 'a', sizeof chunk);
    pottery_sha1 s;
    unsigned char d[20];
    char hex[41];
    pottery__sha1_init(&s);
    size_t left = 1000000;
    size_t step = 1;
    while (left > 0) { /* pieces of 1, 2, 3, ... bytes cross block boundaries everywhere */
        size_t n = step < left ? step : left;
        if (n > sizeof chunk) n = sizeof chunk;
        pottery__sha1_update(&s, chunk, n);
        left -= n;
        step = step % 200 + 1;
    }
    pottery__sha1_final(&s, d);
    hex_of(hex, d);
    assert_string_equal("34aa973cd4c4daa4f61eeb2bdbad27316534016f", hex);
}

static void test_padding_boundaries(void **state)
{
    (void)state;
    /* Lengths around the 55/56/64-byte padding edges: streaming in one piece and byte by
     * byte must agree. */
    char buf[130];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (char)('A' + i % 26);
    for (size_t len = 50; len <= 130; len++) {
        char one[41], bytewise[41];
        unsigned char d[20];
        pottery__sha1_hex(one, buf, len);
        pottery_sha1 s;
        pottery__sha1_init(&s);
        for (size_t i = 0; i < len; i++) pottery__sha1_update(&s, buf + i, 1);
        pottery__sha1_final(&s, d);
        hex_of(bytewise, d);
        assert_string_equal(one, bytewise);
    }
    char hex[41];
    /* 56 and 64 bytes, checked against known digests */
    pottery__sha1_hex(hex, "0123456701234567012345670123456701234567012345670123456701234567", 64);
    assert_string_equal("e0c094e867ef46c350ef54a7f59dd60bed92ae83", hex);
}

static int is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

static void test_uuid4_format(void **state)
{
    (void)state;
    char seen[64][37];
    for (int n = 0; n < 64; n++) {
        char u[37];
        memset(u, 'x', sizeof u);
        assert_ok(pottery__uuid4(u));
        assert_int_equal(36, (int)strlen(u));
        for (int i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23)
                assert_int_equal('-', u[i]);
            else if (!is_hex(u[i]))
                fail_msg("not lowercase hex at %d: %s", i, u);
        }
        assert_int_equal('4', u[14]);           /* version */
        assert_non_null(strchr("89ab", u[19])); /* RFC 4122 variant */
        for (int j = 0; j < n; j++) assert_string_not_equal(seen[j], u);
        memcpy(seen[n], u, sizeof u);
    }
    assert_code(POTTERY_EINVAL, pottery__uuid4(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_million_a_in_odd_pieces),
        cmocka_unit_test(test_padding_boundaries),
        cmocka_unit_test(test_uuid4_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
