#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/oom.h"

#include "core/alloc.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define LEAK_CHECK() __lsan_do_recoverable_leak_check()
#else
#define LEAK_CHECK() 0
#endif

/* Every key in order, each with its type, TTL flag and contents in an order-free form
 * (hash fields and set members sorted), hashed on the server: a test-only script, so it
 * lives here rather than in src/lua/. */
static const char digest_script[] =
    "local function ser(v)\n"
    "  if type(v) ~= 'table' then return tostring(v) end\n"
    "  if v.ok then return v.ok end\n"
    "  local t = {}\n"
    "  for i = 1, #v do t[i] = ser(v[i]) end\n"
    "  return '[' .. table.concat(t, ',') .. ']'\n"
    "end\n"
    "local function sorted_pairs(flat)\n"
    "  local t = {}\n"
    "  for i = 1, #flat, 2 do t[#t + 1] = flat[i] .. '\\0' .. flat[i + 1] end\n"
    "  table.sort(t)\n"
    "  return table.concat(t, '\\1')\n"
    "end\n"
    "local keys = redis.call('KEYS', '*')\n"
    "table.sort(keys)\n"
    "local out = {}\n"
    "for _, k in ipairs(keys) do\n"
    "  local t = redis.call('TYPE', k).ok\n"
    "  local body\n"
    "  if t == 'string' then body = redis.call('GET', k)\n"
    "  elseif t == 'hash' then body = sorted_pairs(redis.call('HGETALL', k))\n"
    "  elseif t == 'set' then local m = redis.call('SMEMBERS', k); table.sort(m); body = table.concat(m, '\\1')\n"
    "  elseif t == 'zset' then body = ser(redis.call('ZRANGE', k, 0, -1, 'WITHSCORES'))\n"
    "  elseif t == 'list' then body = ser(redis.call('LRANGE', k, 0, -1))\n"
    "  elseif t == 'stream' then\n"
    "    body = ser(redis.call('XRANGE', k, '-', '+')) .. ser(redis.call('XINFO', 'GROUPS', k))\n"
    "  else body = '?' end\n"
    "  out[#out + 1] = k .. '\\2' .. t .. '\\2' .. tostring(redis.call('PTTL', k) >= 0) .. '\\2' .. body\n"
    "end\n"
    "return redis.sha1hex(table.concat(out, '\\3'))\n";

char *oom_digest(void)
{
    char *d = raw("EVAL", digest_script, "0", NULL);
    if (!d || strncmp(d, "ERR", 3) == 0) {
        fprintf(stderr, "oom_digest: %s\n", d ? d : "(no reply)");
        free(d);
        return NULL;
    }
    return d;
}

static void fail_at(const char *file, int line, const oom_op *op, long n, const char *what)
{
    const pottery_error *e = pottery_error_last();
    print_error("%s:%d: %s, allocation %ld failing: %s (last error %d: %s)\n", file, line, op->name, n, what, e->code,
                e->message);
    _fail(file, line);
}

static void attempt_setup(const oom_op *op, void *ctx, const char *file, int line, long n)
{
    pottery__alloc_fail_at(-1);
    if (op->setup && op->setup(ctx) != 0) fail_at(file, line, op, n, "setup failed");
}

long oom_exhaust_at(const oom_op *op, void *ctx, const char *file, int line)
{
    /* The reference run. */
    attempt_setup(op, ctx, file, line, -1);
    char *before = oom_digest();
    pottery__alloc_fail_at(-1);
    int rc = op->run(ctx);
    long total = pottery__alloc_count();
    if (rc < 0) fail_at(file, line, op, -1, "the reference run failed");
    char *after = oom_digest();
    if (!before || !after) fail_at(file, line, op, -1, "no digest of the server");
    if (op->check) op->check(ctx);
    if (op->state_ok && !op->state_ok(ctx, rc)) fail_at(file, line, op, -1, "unexpected state after the reference run");
    if (op->teardown) op->teardown(ctx);

    for (long n = 0;; n++) {
        attempt_setup(op, ctx, file, line, n);
        char *start = oom_digest();
        if (!start || strcmp(start, before) != 0) fail_at(file, line, op, n, "setup does not give the same start");
        free(start);
        pottery__alloc_fail_at(n);
        rc = op->run(ctx);
        int fired = pottery__alloc_failed();
        pottery__alloc_fail_at(-1);
        if (rc < 0) {
            if (!fired) fail_at(file, line, op, n, "failed without an allocation failing");
            if (rc != POTTERY_ENOMEM) fail_at(file, line, op, n, "returned another code than POTTERY_ENOMEM");
            if (pottery_error_last()->code != rc || pottery_error_last()->message[0] == '\0')
                fail_at(file, line, op, n, "the last error does not describe the failure");
        } else if (op->check) {
            op->check(ctx);
        }
        if (op->state_ok) {
            if (!op->state_ok(ctx, rc)) fail_at(file, line, op, n, "Redis left in an unacceptable state");
        } else {
            char *now = oom_digest();
            if (!now) fail_at(file, line, op, n, "no digest of the server");
            int same_as_after = strcmp(now, after) == 0;
            int same_as_before = strcmp(now, before) == 0;
            free(now);
            if (rc >= 0 && !same_as_after) fail_at(file, line, op, n, "succeeded but wrote something else");
            if (rc < 0 && !same_as_after && !same_as_before) fail_at(file, line, op, n, "Redis left half-written");
        }
        if (op->teardown) op->teardown(ctx);
        if (!fired) break;
        if (n > total + 10000) fail_at(file, line, op, n, "never ran to the end");
    }
    free(before);
    free(after);
    printf("oom: %s: %ld allocations, each failed in turn\n", op->name, total);
    if (LEAK_CHECK()) fail_at(file, line, op, -1, "leaked memory (see LeakSanitizer's report above)");
    return total;
}
