/* Test support: helpers shared by the test programs (see test_util.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/test_util.h"

double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

double test_time_scale(void)
{
    /* Read each time: no state shared by the threads of a test. */
    const char *env = getenv("POTTERY_TEST_TIME_SCALE");
    if (!env || !*env) return 1.0;
    char *end = NULL;
    double scale = strtod(env, &end);
    if (*end != '\0' || !(scale >= 1.0 && scale <= 1000.0)) {
        fprintf(stderr, "POTTERY_TEST_TIME_SCALE=\"%s\": expected a number from 1 to 1000\n", env);
        abort();
    }
    return scale;
}

double slack_ms(double ms)
{
    return ms * test_time_scale();
}

void test_skip_from_env(void)
{
    const char *pattern = getenv("POTTERY_TEST_SKIP");
    if (!pattern || !*pattern) return;
    fprintf(stderr, "POTTERY_TEST_SKIP: skipping the tests named %s\n", pattern);
    cmocka_set_skip_filter(pattern);
}

void test_assert_raw_at(const char *expected, char *got, const char *file, int line)
{
    if (!got) {
        print_error("the raw command failed (expected \"%s\")\n", expected);
        _fail(file, line);
        return;
    }
    if (strcmp(got, expected) != 0) {
        print_error("\"%s\" != \"%s\"\n", got, expected);
        free(got);
        _fail(file, line);
        return;
    }
    free(got);
}

void test_assert_contains_at(const char *haystack, const char *needle, const char *file, int line)
{
    if (!haystack || !needle || !strstr(haystack, needle)) {
        print_error("\"%s\" does not contain \"%s\"\n", haystack ? haystack : "(null)", needle ? needle : "(null)");
        _fail(file, line);
    }
}

int wait_exit_code(pid_t pid)
{
    int status = 0;
    pid_t r;
    while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (r != pid) return -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

pid_t test_fork_child_at(int (*body)(void *arg), void *arg, const char *file, int line)
{
    fflush(NULL); /* or buffered output would be written twice */
    pid_t pid = fork();
    if (pid < 0) {
        print_error("fork: %s\n", strerror(errno));
        _fail(file, line);
    }
    if (pid == 0) _exit(body(arg));
    return pid;
}

int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

ssize_t read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    size_t have = 0;
    while (have < n) {
        ssize_t r = read(fd, p + have, n - have);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        have += (size_t)r;
    }
    return (ssize_t)have;
}

long long commandstats_calls(const test_redis *s, const char *command)
{
    char *info = test_redis_cmdv(s, "INFO", "commandstats", (const char *)NULL);
    assert_non_null(info);
    char needle[64];
    snprintf(needle, sizeof needle, "cmdstat_%s:calls=", command);
    const char *p = strstr(info, needle);
    long long calls = p ? atoll(p + strlen(needle)) : 0;
    free(info);
    return calls;
}
