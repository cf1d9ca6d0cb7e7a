/* Unit tests: Redis URL parsing (no server needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn/url.h"
#include "pottery/errors.h"
#include "support/assert_ok.h"

typedef struct valid_case {
    const char *url;
    int is_unix;
    const char *host; /* or path for unix */
    int port;
    const char *user;
    const char *password;
    int db;
} valid_case;

static void assert_str_or_null(const char *want, const char *got)
{
    if (!want)
        assert_null(got);
    else {
        assert_non_null(got);
        assert_string_equal(want, got);
    }
}

static void test_valid(void **state)
{
    (void)state;
    static const valid_case cases[] = {
        { "redis://localhost", 0, "localhost", 6379, NULL, NULL, 0 },
        { "redis://localhost/", 0, "localhost", 6379, NULL, NULL, 0 },
        { "redis://127.0.0.1:7000/3", 0, "127.0.0.1", 7000, NULL, NULL, 3 },
        { "redis://localhost:6379/0", 0, "localhost", 6379, NULL, NULL, 0 },
        { "redis://:secret@host", 0, "host", 6379, NULL, "secret", 0 },
        { "redis://user:p%40ss%3Aword@host:1/15", 0, "host", 1, "user", "p@ss:word", 15 },
        { "redis://us%65r:pw@h", 0, "h", 6379, "user", "pw", 0 },
        { "redis://user@host", 0, "host", 6379, "user", NULL, 0 },
        { "redis://user:@host", 0, "host", 6379, "user", NULL, 0 },
        { "REDIS://HOST:1234", 0, "HOST", 1234, NULL, NULL, 0 },
        { "Redis://h", 0, "h", 6379, NULL, NULL, 0 },
        { "redis://[::1]:6380/2", 0, "::1", 6380, NULL, NULL, 2 },
        { "redis://[::1]", 0, "::1", 6379, NULL, NULL, 0 },
        { "redis://[fe80::1:2]/", 0, "fe80::1:2", 6379, NULL, NULL, 0 },
        { "redis://host?db=4", 0, "host", 6379, NULL, NULL, 4 },
        { "redis://host/?db=4", 0, "host", 6379, NULL, NULL, 4 },
        { "redis://host:65535", 0, "host", 65535, NULL, NULL, 0 },
        { "redis://a:b:c@host", 0, "host", 6379, "a", "b:c", 0 },
        { "redis://x%40y:z@host", 0, "host", 6379, "x@y", "z", 0 },
        { "redis://x@y:pw@host", 0, "host", 6379, "x@y", "pw", 0 }, /* the last '@' ends it */
        { "redis://my_host-1.example.com:80/2147483647", 0, "my_host-1.example.com", 80, NULL, NULL, 2147483647 },
        { "redis://h/007", 0, "h", 6379, NULL, NULL, 7 },
        { "redis://:%2F%2f%25%20@h", 0, "h", 6379, NULL, "//% ", 0 },
        { "unix:///tmp/redis.sock", 1, "/tmp/redis.sock", 6379, NULL, NULL, 0 },
        { "unix:///tmp/redis.sock?db=2", 1, "/tmp/redis.sock", 6379, NULL, NULL, 2 },
        { "UNIX:///s", 1, "/s", 6379, NULL, NULL, 0 },
        { "unix://:pw@/tmp/r.sock?db=1", 1, "/tmp/r.sock", 6379, NULL, "pw", 1 },
        { "unix://u:pw@/tmp/r.sock", 1, "/tmp/r.sock", 6379, "u", "pw", 0 },
        { "unix:///tmp/a%20b.sock", 1, "/tmp/a b.sock", 6379, NULL, NULL, 0 },
        { "unix:///tmp/r.sock?", 1, "/tmp/r.sock", 6379, NULL, NULL, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const valid_case *c = &cases[i];
        pottery_url u;
        int rc = pottery__url_parse(&u, c->url);
        if (rc != 0) fail_msg("%s: rc %d (%s)", c->url, rc, pottery_error_last()->message);
        assert_int_equal(c->is_unix, u.is_unix);
        if (c->is_unix) {
            assert_string_equal(c->host, u.path);
            assert_null(u.host);
        } else {
            assert_string_equal(c->host, u.host);
            assert_null(u.path);
            assert_int_equal(c->port, u.port);
        }
        assert_str_or_null(c->user, u.user);
        assert_str_or_null(c->password, u.password);
        assert_int_equal(c->db, u.db);
        pottery__url_free(&u);
        pottery__url_free(&u); /* idempotent */
    }
}

typedef struct invalid_case {
    const char *url;
    const char *message_part; /* must appear in the error message */
} invalid_case;

static void test_invalid(void **state)
{
    (void)state;
    static const invalid_case cases[] = {
        { "", "scheme" },
        { "http://host", "scheme" },
        { "redis//host", "scheme" },
        { "redis:/host", "scheme" },
        { "localhost:6379", "scheme" },
        { "rediss://host", "TLS" },
        { "redis://", "empty host" },
        { "redis:///3", "empty host" },
        { "redis://:pw@", "empty host" },
        { "redis://:pw@:6379", "empty host" },
        { "redis://::1", "empty host" },
        { "redis://host:", "empty port" },
        { "redis://host:/1", "empty port" },
        { "redis://host:0", "port" },
        { "redis://host:65536", "port" },
        { "redis://host:99999999999999999999", "port" },
        { "redis://host:12ab", "port" },
        { "redis://host:-1", "port" },
        { "redis://host:+1", "port" },
        { "redis://host:6379x", "port" },
        { "redis://host:6379:1", "port" },
        { "redis://host/abc", "db" },
        { "redis://host/-1", "db" },
        { "redis://host/+1", "db" },
        { "redis://host/1/2", "db" },
        { "redis://host/1x", "db" },
        { "redis://host/1 ", "spaces" },
        { "redis://host/99999999999", "db" },
        { "redis://host/1?db=2", "twice" },
        { "redis://host?db=1&db=2", "twice" },
        { "redis://host?db=", "db" },
        { "redis://host?db=x", "db" },
        { "redis://host?foo=1", "parameter" },
        { "redis://host?password=x", "parameter" },
        { "redis://ho st", "spaces" },
        { "redis://host\n", "control" },
        { "redis://host#frag", "fragment" },
        { "redis://h%41st", "host" },
        { "redis://h!st", "host" },
        { "redis://[::1", "IPv6" },
        { "redis://[::1]x", "IPv6" },
        { "redis://[]", "empty host" },
        { "redis://[zz::1]", "IPv6" },
        { "redis://[::1]:", "empty port" },
        { "redis://:p%zz@host", "percent" },
        { "redis://:p%4@host", "percent" },
        { "redis://:p%@host", "percent" },
        { "redis://:p%00@host", "%00" },
        { "redis://u%zz:p@host", "user name" },
        { "unix://", "socket path" },
        { "unix:///", "socket path" },
        { "unix://host/path", "no host" },
        { "unix://relative.sock", "no host" },
        { "unix:///x?db=-1", "db" },
        { "unix:///x?db=1&x=2", "parameter" },
        { "unix:///x%zz", "percent" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const invalid_case *c = &cases[i];
        pottery_url u;
        int rc = pottery__url_parse(&u, c->url);
        if (rc != POTTERY_EINVAL) fail_msg("%s: expected EINVAL, got %d", c->url, rc);
        assert_int_equal(POTTERY_EINVAL, pottery_error_last()->code);
        if (!strstr(pottery_error_last()->message, c->message_part))
            fail_msg("%s: message '%s' lacks '%s'", c->url, pottery_error_last()->message, c->message_part);
        /* nothing to free after a failure, but freeing is harmless */
        assert_null(u.host);
        assert_null(u.path);
        assert_null(u.user);
        assert_null(u.password);
        pottery__url_free(&u);
    }
}

static void test_long_unix_path(void **state)
{
    (void)state;
    char url[400];
    pottery_url u;
    strcpy(url, "unix://");
    size_t n = strlen(url);
    for (int i = 0; i < 120; i++) url[n++] = i % 10 == 0 ? '/' : 'a';
    url[n] = '\0';
    assert_code(POTTERY_EINVAL, pottery__url_parse(&u, url));
    assert_non_null(strstr(pottery_error_last()->message, "too long"));

    /* 107 bytes is the most a sockaddr_un takes */
    strcpy(url, "unix://");
    n = strlen(url);
    for (int i = 0; i < 107; i++) url[n++] = i == 0 ? '/' : 's';
    url[n] = '\0';
    assert_ok(pottery__url_parse(&u, url));
    assert_int_equal(107, (int)strlen(u.path));
    pottery__url_free(&u);
}

static void test_password_never_in_messages(void **state)
{
    (void)state;
    static const char *const urls[] = {
        "redis://user:supersecret@host:bad",
        "redis://user:supersecret@host/x",
        "redis://:supersecret%zz@host",
        "redis://:supersecret@",
        "redis://:supersecret%00@host",
        "unix://:supersecret@host/x",
        "redis://:supersecret@host?x=1",
        "redis+sentinel://:supersecret@a:1",
        "redis+sentinel://a:1/m?sentinel_password=supersecret%zz",
        "redis+cluster://:supersecret@a:1/2",
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        pottery_url u;
        assert_code(POTTERY_EINVAL, pottery__url_parse(&u, urls[i]));
        if (strstr(pottery_error_last()->message, "supersecret"))
            fail_msg("%s: the message quotes the password: %s", urls[i], pottery_error_last()->message);
    }
}

typedef struct sentinel_case {
    const char *url;
    const char *hosts; /* the sentinels as "host:port,host:port" */
    const char *master;
    const char *user;
    const char *password;
    const char *sentinel_password;
    int db;
} sentinel_case;

static void test_sentinel_valid(void **state)
{
    (void)state;
    static const sentinel_case cases[] = {
        { "redis+sentinel://h:26380/mymaster", "h:26380", "mymaster", NULL, NULL, NULL, 0 },
        { "redis+sentinel://h/mymaster", "h:26379", "mymaster", NULL, NULL, NULL, 0 },
        { "REDIS+SENTINEL://a:1,b:2,c/m/3", "a:1,b:2,c:26379", "m", NULL, NULL, NULL, 3 },
        { "redis+sentinel://u:pw@a:1,[::1]:2/m?db=4", "a:1,::1:2", "m", "u", "pw", NULL, 4 },
        { "redis+sentinel://:p%40w@[fe80::1]/m%2Fx/", "fe80::1:26379", "m/x", NULL, "p@w", NULL, 0 },
        { "redis+sentinel://a:1/m?sentinel_password=s%26p&db=2", "a:1", "m", NULL, NULL, "s&p", 2 },
        { "redis+sentinel://a:1/m/5?sentinel_password=", "a:1", "m", NULL, NULL, NULL, 5 },
        { "redis+sentinel://1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16/m",
          "1:26379,2:26379,3:26379,4:26379,5:26379,6:26379,7:26379,8:26379,9:26379,10:26379,11:26379,12:26379,"
          "13:26379,14:26379,15:26379,16:26379",
          "m", NULL, NULL, NULL, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sentinel_case *c = &cases[i];
        pottery_url u;
        int rc = pottery__url_parse(&u, c->url);
        if (rc != 0) fail_msg("%s: rc %d (%s)", c->url, rc, pottery_error_last()->message);
        char hosts[512];
        size_t n = 0;
        for (size_t k = 0; k < u.nsentinels; k++)
            n += (size_t)snprintf(hosts + n, sizeof hosts - n, "%s%s:%d", k ? "," : "", u.sentinels[k].host,
                                  u.sentinels[k].port);
        assert_string_equal(c->hosts, hosts);
        assert_string_equal(c->master, u.master_name);
        assert_null(u.host); /* the master's address comes from the sentinels */
        assert_int_equal(0, u.is_unix);
        assert_str_or_null(c->user, u.user);
        assert_str_or_null(c->password, u.password);
        assert_str_or_null(c->sentinel_password, u.sentinel_password);
        assert_int_equal(c->db, u.db);
        pottery__url_free(&u);
        assert_int_equal(0, (int)u.nsentinels);
        assert_null(u.master_name);
    }
}

static void test_sentinel_invalid(void **state)
{
    (void)state;
    static const invalid_case cases[] = {
        { "redis+sentinel://", "no sentinel" },
        { "redis+sentinel:///m", "no sentinel" },
        { "redis+sentinel://pw@/m", "no sentinel" },
        { "redis+sentinel://a:1", "missing master name" },
        { "redis+sentinel://a:1/", "missing master name" },
        { "redis+sentinel://a:1?db=1", "missing master name" },
        { "redis+sentinel://a:1//2", "missing master name" },
        { "redis+sentinel://a:1,/m", "empty sentinel address" },
        { "redis+sentinel://,a:1/m", "empty sentinel address" },
        { "redis+sentinel://a:1,,b:2/m", "empty sentinel address" },
        { "redis+sentinel://a:0/m", "port" },
        { "redis+sentinel://a:1,b:65536/m", "port" },
        { "redis+sentinel://a:x/m", "port" },
        { "redis+sentinel://a:/m", "empty port" },
        { "redis+sentinel://[::1/m", "IPv6" },
        { "redis+sentinel://a!b/m", "host" },
        { "redis+sentinel://1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17/m", "more than 16 sentinels" },
        { "redis+sentinel://a:1/m/x", "db" },
        { "redis+sentinel://a:1/m/1?db=2", "twice" },
        { "redis+sentinel://a:1/m%zz", "percent" },
        { "redis+sentinel://a:1/m%00", "%00" },
        { "redis+sentinel://a:1/m?foo=1", "sentinel_password" },
        { "redis+sentinel://a:1/m?sentinel_password=a&sentinel_password=b", "twice" },
        { "redis://h?sentinel_password=x", "parameter" },
        { "redis+sentinel://a:1/m?sentinel_password=%zz", "percent" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const invalid_case *c = &cases[i];
        pottery_url u;
        int rc = pottery__url_parse(&u, c->url);
        if (rc != POTTERY_EINVAL) fail_msg("%s: expected EINVAL, got %d", c->url, rc);
        if (!strstr(pottery_error_last()->message, c->message_part))
            fail_msg("%s: message '%s' lacks '%s'", c->url, pottery_error_last()->message, c->message_part);
        assert_null(u.sentinels);
        assert_null(u.master_name);
        assert_null(u.sentinel_password);
        pottery__url_free(&u);
    }
}

static void test_cluster_valid(void **state)
{
    (void)state;
    static const struct {
        const char *url, *seeds, *user, *password;
    } cases[] = {
        { "redis+cluster://h:7000", "h:7000", NULL, NULL },
        { "redis+cluster://h", "h:6379", NULL, NULL },
        { "REDIS+CLUSTER://a:1,b:2,c/0", "a:1,b:2,c:6379", NULL, NULL },
        { "redis+cluster://u:pw@a:1,[::1]:2?db=0", "a:1,::1:2", "u", "pw" },
        { "redis+cluster://:p%40w@[fe80::1]/", "fe80::1:6379", NULL, "p@w" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pottery_url u;
        int rc = pottery__url_parse(&u, cases[i].url);
        if (rc != 0) fail_msg("%s: rc %d (%s)", cases[i].url, rc, pottery_error_last()->message);
        char seeds[256];
        size_t n = 0;
        for (size_t k = 0; k < u.nseeds; k++)
            n += (size_t)snprintf(seeds + n, sizeof seeds - n, "%s%s:%d", k ? "," : "", u.seeds[k].host,
                                  u.seeds[k].port);
        assert_string_equal(cases[i].seeds, seeds);
        assert_null(u.host); /* the nodes come from the cluster's slot map */
        assert_int_equal(0, (int)u.nsentinels);
        assert_str_or_null(cases[i].user, u.user);
        assert_str_or_null(cases[i].password, u.password);
        assert_int_equal(0, u.db);
        pottery__url_free(&u);
        assert_int_equal(0, (int)u.nseeds);
        assert_null(u.seeds);
    }
}

static void test_cluster_invalid(void **state)
{
    (void)state;
    static const invalid_case cases[] = {
        { "redis+cluster://", "no seed node" },
        { "redis+cluster:///0", "no seed node" },
        { "redis+cluster://a:1,,b:2", "empty seed node address" },
        { "redis+cluster://a:0", "port" },
        { "redis+cluster://a:1/1", "database 0 only" },
        { "redis+cluster://a:1?db=3", "database 0 only" },
        { "redis+cluster://a:1?x=1", "parameter" },
        { "redis+cluster://1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "more than 16 seed nodes" },
        { "redis+cluster://a:1/m", "db" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pottery_url u;
        int rc = pottery__url_parse(&u, cases[i].url);
        if (rc != POTTERY_EINVAL) fail_msg("%s: expected EINVAL, got %d", cases[i].url, rc);
        if (!strstr(pottery_error_last()->message, cases[i].message_part))
            fail_msg("%s: message '%s' lacks '%s'", cases[i].url, pottery_error_last()->message, cases[i].message_part);
        assert_null(u.seeds);
        pottery__url_free(&u);
    }
}

static void test_null_arguments(void **state)
{
    (void)state;
    pottery_url u;
    assert_code(POTTERY_EINVAL, pottery__url_parse(&u, NULL));
    assert_null(u.host);
    assert_code(POTTERY_EINVAL, pottery__url_parse(NULL, "redis://h"));
    pottery__url_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_long_unix_path),
        cmocka_unit_test(test_password_never_in_messages),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_sentinel_valid),
        cmocka_unit_test(test_sentinel_invalid),
        cmocka_unit_test(test_cluster_valid),
        cmocka_unit_test(test_cluster_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
