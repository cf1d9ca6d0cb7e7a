/*
 * Internal: the one and only place in libpottery that includes hiredis.
 *
 * It absorbs the differences between hiredis 0.14 (Debian 12) and 1.x. Only API present in
 * both is used: redisConnectWithTimeout, redisConnectUnixWithTimeout, redisSetTimeout,
 * redisAppendCommandArgv, redisGetReply, redisBufferWrite, freeReplyObject, redisFree, the
 * context's err/errstr fields and the REDIS_REPLY_* / REDIS_ERR_* constants. Reply types
 * that only hiredis 1.x knows (RESP3) are mapped onto the RESP2 ones, although the library
 * never switches a connection to RESP3.
 */
#ifndef POTTERY_CONN_HIREDIS_COMPAT_H
#define POTTERY_CONN_HIREDIS_COMPAT_H

#include <errno.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "conn/conn.h"
#include "pottery/errors.h"

/* What a connect timeout of 0 ("as long as the OS does") becomes: hiredis needs a finite
 * poll() timeout, and the kernel gives up on a TCP connect long before a day is over. */
#define COMPAT_FOREVER_MS (24 * 3600 * 1000)

static inline struct timeval compat_timeval(int ms)
{
    struct timeval tv;
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    return tv;
}

/* Both return NULL only when out of memory; otherwise check ctx->err. */
static inline redisContext *compat_connect_tcp(const char *host, int port, int timeout_ms)
{
    return redisConnectWithTimeout(host, port, compat_timeval(timeout_ms > 0 ? timeout_ms : COMPAT_FOREVER_MS));
}

static inline redisContext *compat_connect_unix(const char *path, int timeout_ms)
{
    return redisConnectUnixWithTimeout(path, compat_timeval(timeout_ms > 0 ? timeout_ms : COMPAT_FOREVER_MS));
}

/* Socket send/receive timeout; 0 = none. Returns 0 or -1. */
static inline int compat_set_timeout(redisContext *ctx, int ms)
{
    return redisSetTimeout(ctx, compat_timeval(ms > 0 ? ms : 0)) == REDIS_OK ? 0 : -1;
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
        if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT)
            return POTTERY_ETIMEOUT;
        /* hiredis may have clobbered errno while formatting the message; its text stays. */
        if (strstr(ctx->errstr, "timed out") || strstr(ctx->errstr, "temporarily unavailable"))
            return POTTERY_ETIMEOUT;
    }
    return POTTERY_ECONN;
}

#endif
