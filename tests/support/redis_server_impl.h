/*
 * Test support: what redis_server.c shares with the harness files that drive servers of
 * their own (redis_cluster.c): raw hiredis connections, the rendering of replies, argument
 * lists and child processes. Not for test programs: they use redis_server.h.
 */
#ifndef POTTERY_TEST_REDIS_SERVER_IMPL_H
#define POTTERY_TEST_REDIS_SERVER_IMPL_H

#include <stdarg.h>
#include <sys/types.h>

#include "support/redis_server.h"

struct redisContext;
struct redisReply;

/* A raw connection to s (connect_timeout_ms to connect, command_timeout_ms for each
 * command), authenticated as the harness's privileged identity: the ACL user when there is
 * one, else the default user's requirepass. NULL when it cannot connect or authenticate;
 * redisFree it. */
struct redisContext *test_redis_connect(const test_redis *s, long connect_timeout_ms, long command_timeout_ms);

/* The rendering test_redis_cmd returns, malloc'd (NULL when out of memory). */
char *test_reply_render(const struct redisReply *r);

/* arg0 and the NULL-terminated arguments after it as a malloc'd array of *argc pointers
 * (NULL when out of memory). */
const char **test_args_from_va(int *argc, const char *arg0, va_list ap);

/* The redis-server binary: POTTERY_TEST_REDIS_SERVER, else the one CMake found. */
const char *test_redis_server_path(void);

/* Fork and exec argv[0] (as a path, then on PATH) as the servers are: killed when the thread
 * that forked it dies, inheriting no descriptor of the test, stdin from /dev/null, stdout
 * and stderr to out_fd (-1: stdout to /dev/null, stderr the test's). The pid, or -1. */
pid_t test_spawn(const char *const *argv, int out_fd);

/* Run argv to its end, its output to the file log_path, killing it after timeout_ms: its exit
 * code, or -1 (not started, killed by a signal, or out of time). */
int test_run(const char *const *argv, const char *log_path, long timeout_ms);

/* Print the last 4 KiB of the file at path to stderr (the log of a failed start). */
void test_dump_tail(const char *path);

#endif
