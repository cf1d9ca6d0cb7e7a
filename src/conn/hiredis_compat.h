/*
 * Internal: the one and only place in libpottery that includes hiredis.
 *
 * It absorbs the differences between hiredis 0.14 (Debian 12) and 1.x. hiredis connects
 * (redisConnectWithTimeout, redisConnectUnixWithTimeout, the context's fd, err and errstr,
 * redisFree) and parses RESP (redisReaderCreateWithFunctions, redisReaderFeed,
 * redisReaderGetReply, redisReaderFree, the reader's read position); the library formats
 * commands and does the socket I/O itself, so that a call's deadline covers all of it.
 * Event-loop connections (src/async/) use hiredis' asynchronous API (redisAsyncConnect,
 * redisAsyncFormattedCommand, the context's ev hooks and callbacks, which both versions
 * share) with the library's own reader installed in the context.
 * Reply types that only hiredis 1.x knows (RESP3) are mapped onto the RESP2 ones, although
 * the library never switches a connection to RESP3.
 */
#ifndef POTTERY_CONN_HIREDIS_COMPAT_H
#define POTTERY_CONN_HIREDIS_COMPAT_H

#include <errno.h>
#include <stdint.h>
#include <limits.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>
#include <hiredis/async.h>

#include "conn/conn.h"
#include "pottery/errors.h"

/* What a connect timeout without limit (POTTERY_FOREVER) becomes: hiredis needs a finite
 * poll() timeout, and the kernel gives up on a TCP connect long before a day is over. */
#define COMPAT_FOREVER_MS (24LL * 3600 * 1000)

static inline struct timeval compat_timeval(int64_t ms)
{
    if (ms < 0 || ms > COMPAT_FOREVER_MS) ms = COMPAT_FOREVER_MS;
    struct timeval tv;
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
    return tv;
}

/* Both return NULL only when out of memory; otherwise check ctx->err. */
static inline redisContext *compat_connect_tcp(const char *host, int port, int64_t timeout_ms)
{
    return redisConnectWithTimeout(host, port, compat_timeval(timeout_ms));
}

static inline redisContext *compat_connect_unix(const char *path, int64_t timeout_ms)
{
    return redisConnectUnixWithTimeout(path, compat_timeval(timeout_ms));
}

/* The same without waiting: the socket is still connecting when they return (poll it for
 * writability, then read SO_ERROR). */
static inline redisContext *compat_connect_tcp_start(const char *host, int port)
{
    return redisConnectNonBlock(host, port);
}

static inline redisContext *compat_connect_unix_start(const char *path)
{
    return redisConnectUnixNonBlock(path);
}

/* The reader's object functions: create_array receives the announced count as long long
 * whatever the version's own type (int in 0.14, size_t in 1.x); RESP3 doubles and booleans
 * (1.x only, never requested by the library) arrive as their text and as integers. */
#if HIREDIS_MAJOR >= 1
#define COMPAT_DEFINE_READER_FUNCTIONS(name, str_fn, array_fn, int_fn, nil_fn, free_fn)                                \
    static void *name##_array(const redisReadTask *t, size_t n)                                                        \
    {                                                                                                                  \
        return (array_fn)(t, n > (size_t)LLONG_MAX ? LLONG_MAX : (long long)n);                                        \
    }                                                                                                                  \
    static void *name##_double(const redisReadTask *t, double d, char *s, size_t len)                                  \
    {                                                                                                                  \
        (void)d;                                                                                                       \
        return (str_fn)(t, s, len);                                                                                    \
    }                                                                                                                  \
    static void *name##_bool(const redisReadTask *t, int b)                                                            \
    {                                                                                                                  \
        return (int_fn)(t, b);                                                                                         \
    }                                                                                                                  \
    static redisReplyObjectFunctions name = { .createString = (str_fn),                                                \
                                              .createArray = name##_array,                                             \
                                              .createInteger = (int_fn),                                               \
                                              .createDouble = name##_double,                                           \
                                              .createNil = (nil_fn),                                                   \
                                              .createBool = name##_bool,                                               \
                                              .freeObject = (free_fn) };
#else
#define COMPAT_DEFINE_READER_FUNCTIONS(name, str_fn, array_fn, int_fn, nil_fn, free_fn)                                \
    static void *name##_array(const redisReadTask *t, int n)                                                           \
    {                                                                                                                  \
        return (array_fn)(t, n);                                                                                       \
    }                                                                                                                  \
    static redisReplyObjectFunctions name = { .createString = (str_fn),                                                \
                                              .createArray = name##_array,                                             \
                                              .createInteger = (int_fn),                                               \
                                              .createNil = (nil_fn),                                                   \
                                              .freeObject = (free_fn) };
#endif

/* The length announced by a bulk string whose header the reader has seen but whose body
 * has not fully arrived, or -1 when the reader is not waiting for one. hiredis buffers such
 * a body until it is complete, whatever its announced size; this lets the caller refuse an
 * absurd one at once. */
static inline long long compat_pending_bulk_length(const redisReader *r)
{
    if (r->ridx < 0) return -1;
#if HIREDIS_MAJOR >= 1
    const redisReadTask *cur = r->task[r->ridx];
#else
    const redisReadTask *cur = &r->rstack[r->ridx];
#endif
    if (cur->type != REDIS_REPLY_STRING
#ifdef REDIS_REPLY_VERB
        && cur->type != REDIS_REPLY_VERB
#endif
    )
        return -1;
    long long n = 0;
    for (size_t i = r->pos; i < r->len; i++) {
        char ch = r->buf[i];
        if (ch == '\r') return n;
        if (ch < '0' || ch > '9') return -1; /* "-1" (nil) or garbage: the reader judges */
        if (n > (LLONG_MAX - 9) / 10) return LLONG_MAX;
        n = n * 10 + (ch - '0');
    }
    return n; /* the header is still arriving: what it announces so far */
}

static inline pottery_reply_type compat_reply_type(int t)
{
    switch (t) {
    case REDIS_REPLY_STRING: return POTTERY_REPLY_STRING;
    case REDIS_REPLY_ARRAY: return POTTERY_REPLY_ARRAY;
    case REDIS_REPLY_INTEGER: return POTTERY_REPLY_INTEGER;
    case REDIS_REPLY_NIL: return POTTERY_REPLY_NIL;
    case REDIS_REPLY_STATUS: return POTTERY_REPLY_STATUS;
    case REDIS_REPLY_ERROR: return POTTERY_REPLY_ERROR;
#ifdef REDIS_REPLY_DOUBLE
    case REDIS_REPLY_DOUBLE: return POTTERY_REPLY_STRING; /* str holds the text */
#endif
#ifdef REDIS_REPLY_BIGNUM
    case REDIS_REPLY_BIGNUM: return POTTERY_REPLY_STRING;
#endif
#ifdef REDIS_REPLY_VERB
    case REDIS_REPLY_VERB: return POTTERY_REPLY_STRING;
#endif
#ifdef REDIS_REPLY_BOOL
    case REDIS_REPLY_BOOL: return POTTERY_REPLY_INTEGER; /* integer is 0 or 1 */
#endif
#ifdef REDIS_REPLY_MAP
    case REDIS_REPLY_MAP: return POTTERY_REPLY_ARRAY;
#endif
#ifdef REDIS_REPLY_SET
    case REDIS_REPLY_SET: return POTTERY_REPLY_ARRAY;
#endif
#ifdef REDIS_REPLY_PUSH
    case REDIS_REPLY_PUSH: return POTTERY_REPLY_ARRAY;
#endif
#ifdef REDIS_REPLY_ATTR
    case REDIS_REPLY_ATTR: return POTTERY_REPLY_ARRAY;
#endif
    default: return POTTERY_REPLY_OTHER;
    }
}

/* The POTTERY_E* code for a context in error. saved_errno is errno as it was right after
 * the failing hiredis call: a blocking socket whose SO_RCVTIMEO/SO_SNDTIMEO expired fails
 * with EAGAIN/EWOULDBLOCK (reads, writes) and a connect timeout with ETIMEDOUT. */
static inline int compat_error_code(const redisContext *ctx, int saved_errno)
{
    if (ctx->err == REDIS_ERR_OOM) return POTTERY_ENOMEM;
#ifdef REDIS_ERR_TIMEOUT
    if (ctx->err == REDIS_ERR_TIMEOUT) return POTTERY_ETIMEOUT;
#endif
    if (ctx->err == REDIS_ERR_IO) {
        if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT) return POTTERY_ETIMEOUT;
        /* hiredis may have clobbered errno while formatting the message; its text stays. */
        if (strstr(ctx->errstr, "timed out") || strstr(ctx->errstr, "temporarily unavailable")) return POTTERY_ETIMEOUT;
    }
    return POTTERY_ECONN;
}

#endif
