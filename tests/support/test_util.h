/*
 * Test support: small helpers shared by the test programs that need no libpottery
 * (clock, processes, raw replies, commandstats). See test_fixture.h for the shared
 * server/client fixture of the container tests.
 *
 * Helpers that assert are macros over *_at() functions that take the caller's __FILE__
 * and __LINE__, so that a failure is reported at the line of the test, not in here.
 * Include after <cmocka.h> (and its prerequisites <setjmp.h>, <stdarg.h>, <stddef.h>).
 */
#ifndef POTTERY_TEST_UTIL_H
#define POTTERY_TEST_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "support/redis_server.h"

/* CLOCK_MONOTONIC in milliseconds (with the sub-millisecond part). */
double now_ms(void);

/* Sleep ms milliseconds, resuming after signal interruptions. */
void sleep_ms(long ms);

/* How many times slower than natively the program runs: POTTERY_TEST_TIME_SCALE, a factor
 * from 1 to 1000 (1 when unset), set by a run that slows programs down (scripts/valgrind.sh).
 * It widens what the program's own speed decides, never what it waits for. */
double test_time_scale(void);

/* A wall-clock slack of ms milliseconds (the time the program itself may take beyond what
 * it waits for) times test_time_scale(). A timeout or a sleep is not scaled:
 * `assert_true(elapsed < 300 + slack_ms(250))`. */
double slack_ms(double ms);

/* Skip the tests whose names match POTTERY_TEST_SKIP (a cmocka pattern: `*` and `?`), with
 * a line on stderr, when it is set: a test whose measure no slack can keep meaningful in a
 * slowed run (scripts/valgrind.sh names them and why). Call before running the group. */
void test_skip_from_env(void);

/* got, a reply rendered by test_redis_cmd/test_redis_cmdv (NULL: the command could not be
 * run), is the string expected. Frees got. */
#define assert_raw(expected, got) test_assert_raw_at((expected), (got), __FILE__, __LINE__)
void test_assert_raw_at(const char *expected, char *got, const char *file, int line);

/* haystack holds needle (both non-NULL), with both shown when it does not. */
#define assert_contains(haystack, needle) test_assert_contains_at((haystack), (needle), __FILE__, __LINE__)
void test_assert_contains_at(const char *haystack, const char *needle, const char *file, int line);

/* Wait for the child process pid and return its exit code: 0..255 when it exited,
 * 128 + N when signal N killed it, -1 when waitpid failed. Assert it is 0 in the test. */
int wait_exit_code(pid_t pid);

/* Fork a child process that runs body(arg) and _exit()s with what it returns (0 for
 * success), so that no atexit handler (the servers' cleanup) runs in it. Returns the
 * child's pid to the parent; asserts that fork worked. */
#define fork_child(body, arg) test_fork_child_at((body), (arg), __FILE__, __LINE__)
pid_t test_fork_child_at(int (*body)(void *arg), void *arg, const char *file, int line);

/* Pipes between a test and its children: write all n bytes (0, or -1 on failure); read
 * until n bytes or end of file (how many were read, -1 on failure). */
int write_all(int fd, const void *buf, size_t n);
ssize_t read_full(int fd, void *buf, size_t n);

/* calls=N of command (lower case, e.g. "eval") in the server's INFO commandstats,
 * commands run by scripts included; 0 when it has not run. */
long long commandstats_calls(const test_redis *s, const char *command);

#endif
