/* The connection's socket I/O: connect + handshake, reconnect, the deadline of a call, and
 * the single low-level path (append / flush / read / drop) through which every command
 * travels. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include "conn/client_impl.h"
#include "conn/front.h"
#include "core/alloc.h"
#include "conn/hiredis_compat.h"
#include "core/clock.h"
#include "core/error.h"

/* send() must not raise SIGPIPE when the server has closed the socket: a library may not
 * change the process' signal dispositions, and the closed connection is reported as ECONN
 * instead. Linux has a per-call flag; BSD-derived systems a socket option (see connect). */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* Sending never blocks: a send() that would is followed by a poll() bounded by the call's
 * deadline, the same way on a socket in either mode. */
#define SEND_FLAGS (MSG_NOSIGNAL | MSG_DONTWAIT)

/* Keep at most this much output buffer memory between calls (a large command grows it). */
#define KEEP_OUT_BYTES ((size_t)1024 * 1024)

/* ---- deadlines ---- */

static void deadline_arm(pottery_client *c, int64_t timeout_ms)
{
    c->deadline_set = 1;
    c->call_timeout_ms = timeout_ms;
    c->deadline_ms = timeout_ms == POTTERY_FOREVER ? INT64_MAX : pottery__monotonic_ms() + timeout_ms;
}

/* The call is over once nothing is pending and no scope holds it open. */
static void deadline_settle(pottery_client *c)
{
    if (c->pending == 0 && c->call_depth == 0) c->deadline_set = 0;
}

/* The timeout a new call gets: the connect timeout while handshaking, else the command's. */
static int64_t current_timeout(const pottery_client *c)
{
    return c->counting || c->connect_timeout_ms == POTTERY_FOREVER ? c->command_timeout_ms : c->connect_timeout_ms;
}

void pottery__call_begin_timeout(pottery_client *c, int64_t timeout_ms)
{
    if (c->front) {
        c->front->call_begin(c, timeout_ms);
        return;
    }
    if (c->call_depth++ == 0 && c->pending == 0) deadline_arm(c, timeout_ms);
}

void pottery__call_begin_at(pottery_client *c, int64_t deadline_ms, int64_t timeout_ms)
{
    if (c->call_depth++ == 0 && c->pending == 0) {
        c->deadline_set = 1;
        c->call_timeout_ms = timeout_ms;
        c->deadline_ms = deadline_ms;
    }
}

void pottery__call_begin(pottery_client *c)
{
    pottery__call_begin_timeout(c, c->command_timeout_ms);
}

void pottery__call_end(pottery_client *c)
{
    if (c->front) {
        c->front->call_end(c);
        return;
    }
    if (c->call_depth > 0) c->call_depth--;
    deadline_settle(c);
}

/* ---- socket I/O ---- */

static int io_failure(pottery_client *c, int code, const char *doing, const char *why)
{
    if (code == POTTERY_ENOMEM)
        pottery__error_oom();
    else if (code == POTTERY_ETIMEOUT)
        pottery__error(code, "%s %s: no answer within %lld ms", doing, c->endpoint, (long long)c->call_timeout_ms);
    else
        pottery__error(code, "%s %s: %s", doing, c->endpoint, why);
    pottery__conn_drop(c);
    return code;
}

/* Wait until the socket can be written to, or the call's deadline passes. */
static int wait_writable(pottery_client *c, const char *doing)
{
    for (;;) {
        int ms = -1;
        if (c->deadline_set && c->deadline_ms != INT64_MAX) {
            int64_t left = c->deadline_ms - pottery__monotonic_ms();
            if (left <= 0) return io_failure(c, POTTERY_ETIMEOUT, doing, NULL);
            ms = left > INT_MAX ? INT_MAX : (int)left;
        }
        struct pollfd p;
        p.fd = c->fd;
        p.events = POLLOUT;
        p.revents = 0;
        int n = poll(&p, 1, ms);
        if (n > 0) return 0; /* readiness, or an error/hangup that the next send/recv reports */
        if (n < 0 && errno != EINTR) return io_failure(c, POTTERY_ECONN, doing, strerror(errno));
    }
}

int pottery__conn_flush(pottery_client *c)
{
    if (!c->ctx) return pottery__error(POTTERY_ESTATE, "no connection to write to");
    size_t off = 0;
    while (off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + off, c->out.len - off, SEND_FLAGS);
        if (n > 0) {
            off += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int rc = wait_writable(c, "sending to");
            if (rc < 0) return rc;
        } else if (n < 0 && errno != EINTR) {
            return io_failure(c, POTTERY_ECONN, "sending to", errno == EPIPE ? "connection lost" : strerror(errno));
        }
    }
    if (c->out.cap > KEEP_OUT_BYTES)
        pottery__buf_free(&c->out);
    else
        pottery__buf_clear(&c->out);
    return 0;
}

/* One recv() into the reader: 0 (also when nothing was there yet, or the receive timeout
 * passed first) or an error. flags: MSG_DONTWAIT to take only what has already arrived. */
static int receive(pottery_client *c, int flags)
{
    char buf[16384];
    ssize_t n = recv(c->fd, buf, sizeof buf, flags);
    if (n > 0) {
        int rc = pottery__reader_feed(c->reader, buf, (size_t)n);
        if (rc < 0) pottery__conn_drop(c);
        return rc;
    }
    if (n == 0) return io_failure(c, POTTERY_ECONN, "reading from", "the server closed the connection");
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    return io_failure(c, POTTERY_ECONN, "reading from", strerror(errno));
}

/* The socket's mode: blocking (a read waits in recv(), bounded by SO_RCVTIMEO) or not (while
 * a connect is in progress, see pottery__conn_connect_all). */
static int set_blocking(pottery_client *c, int fd, int on)
{
    int flags = fcntl(fd, F_GETFL);
    int want = on ? flags & ~O_NONBLOCK : flags | O_NONBLOCK;
    if (flags < 0 || (want != flags && fcntl(fd, F_SETFL, want) < 0))
        return pottery__error(POTTERY_ECONN, "%s: cannot set the socket's blocking mode: %s", c->endpoint,
                              strerror(errno));
    c->blocking = on;
    return 0;
}

/* A read waits in a blocking recv() rather than poll() then recv(): one system call per
 * reply instead of two, which is most of a fast reply's cost over a unix socket. One
 * deadline still bounds the whole call: the receive timeout is kept at or below the time
 * left (a recv() that times out early is simply repeated), and it is set again only when
 * it falls out of [left / 2, left], so a call to a prompt server sets nothing. 0, 1 when the
 * deadline has passed, or an error. */
static int fit_recv_timeout(pottery_client *c, const char *doing)
{
    int64_t want = 0; /* 0: no timeout */
    if (c->deadline_set && c->deadline_ms != INT64_MAX) {
        int64_t left = c->deadline_ms - pottery__monotonic_ms();
        if (left <= 0) return 1;
        if (c->recv_timeout_ms > 0 && c->recv_timeout_ms <= left && c->recv_timeout_ms >= left / 2) return 0;
        want = left - left / 4;
    } else if (c->recv_timeout_ms == 0) {
        return 0;
    }
    struct timeval tv;
    tv.tv_sec = (time_t)(want / 1000);
    tv.tv_usec = (suseconds_t)(want % 1000 * 1000);
    if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
        return io_failure(c, POTTERY_ECONN, doing, strerror(errno));
    c->recv_timeout_ms = want;
    return 0;
}

/* ---- connection ---- */

void pottery__conn_drop(pottery_client *c)
{
    if (c->ctx) redisFree(c->ctx);
    c->ctx = NULL;
    c->fd = -1;
    c->blocking = 0;
    c->recv_timeout_ms = -1;
    pottery__reader_free(c->reader);
    c->reader = NULL;
    pottery__buf_free(&c->out);
    c->pending = 0;
    c->late = 0; /* the new connection owes nothing; nothing is re-sent */
    c->awaiting = 0;
    c->stale_watch = 0;
    c->watching = 0;
    deadline_settle(c);
}

int pottery__conn_check_idle(pottery_client *c)
{
    if (c->pending > 0)
        return pottery__error(POTTERY_ESTATE, "%zu streamed replies are still unread (pottery__recv them first)",
                              c->pending);
    return 0;
}

/* RESP for one argument: "$<len>\r\n<bytes>\r\n" (room reserved by the caller). */
static void put_bulk(pottery_buf *b, char type, size_t n)
{
    char *p = b->data + b->len;
    *p++ = type;
    p += pottery__int64_text(p, (int64_t)n);
    *p++ = '\r';
    *p++ = '\n';
    b->len = (size_t)(p - b->data);
}

static void put_arg(pottery_buf *b, const char *bytes, size_t len)
{
    put_bulk(b, '$', len);
    if (len) memcpy(b->data + b->len, bytes, len);
    b->len += len;
    b->data[b->len++] = '\r';
    b->data[b->len++] = '\n';
}

static int is_verb(const char *arg, size_t len, const char *verb)
{
    return len == strlen(verb) && strncasecmp(arg, verb, len) == 0;
}

int pottery__resp_append(pottery_buf *b, size_t npre, const char *const *pre, const size_t *prelens,
                         const pottery_cmd *cmd)
{
    /* "$" + 20 digits + CRLF + CRLF around each argument; "*" + digits + CRLF up front */
    enum { ARG_OVERHEAD = 1 + POTTERY_INT64_TEXT_SIZE + 4 };
    size_t ncmd = cmd ? cmd->argc : 0;
    const pottery_cmd_arg *args = cmd ? pottery__cmd_argv(cmd) : NULL;
    size_t bytes = ARG_OVERHEAD;
    for (size_t i = 0; i < npre; i++) bytes += prelens[i] + ARG_OVERHEAD;
    for (size_t i = 0; i < ncmd; i++) bytes += args[i].len + ARG_OVERHEAD;
    int rc = pottery__buf_reserve(b, bytes);
    if (rc < 0) return rc;
    put_bulk(b, '*', npre + ncmd);
    for (size_t i = 0; i < npre; i++) put_arg(b, pre[i], prelens[i]);
    for (size_t i = 0; cmd && i < ncmd; i++) put_arg(b, pottery__cmd_arg_ptr(cmd, i), args[i].len);
    return 0;
}

int pottery__conn_append(pottery_client *c, size_t npre, const char *const *pre, const size_t *prelens,
                         const pottery_cmd *cmd)
{
    int rc;

    if (cmd && (rc = pottery__cmd_check(cmd, 1)) < 0) return rc;
    size_t argc = npre + (cmd ? cmd->argc : 0);
    if (argc == 0) return pottery__error(POTTERY_EINVAL, "empty command");
    if ((rc = pottery__conn_ensure(c)) < 0) return rc;
    if (c->asking) {
        /* An ASK redirection: this command goes to a node importing the slot. ASKING's +OK
         * precedes every reply of the call and is read like an owed reply, unseen. */
        static const char *const asking[1] = { "ASKING" };
        static const size_t asking_len[1] = { 6 };
        if ((rc = pottery__resp_append(&c->out, 1, asking, asking_len, NULL)) < 0) return rc;
        c->asking = 0;
        c->late++;
    }
    if ((rc = pottery__resp_append(&c->out, npre, pre, prelens, cmd)) < 0) return rc;

    /* WATCH is the one command that lets EXEC answer nil (see pottery__conn_multi). */
    const char *verb = npre ? pre[0] : pottery__cmd_arg_ptr(cmd, 0);
    size_t verblen = npre ? prelens[0] : pottery__cmd_argv(cmd)[0].len;
    if (is_verb(verb, verblen, "WATCH"))
        c->watching = 1;
    else if (is_verb(verb, verblen, "EXEC") || is_verb(verb, verblen, "DISCARD") || is_verb(verb, verblen, "UNWATCH"))
        c->watching = 0;
    if (!c->deadline_set) deadline_arm(c, current_timeout(c));
    if (c->counting) c->stats.commands++;
    c->pending++;
    c->awaiting = 1;
    if (c->out.len > POTTERY_FLUSH_BYTES) return pottery__conn_flush(c);
    return 0;
}

/* A wait for replies begins: the first one after commands were appended is a round trip. */
static void count_round_trip(pottery_client *c)
{
    if (c->awaiting) {
        if (c->counting) c->stats.round_trips++;
        c->awaiting = 0;
    }
}

/* The next complete reply already received, if any: 1 and *out, 0 when more bytes are
 * needed, or an error (the connection dropped). Replies owed to commands of an earlier
 * call that returned without them (c->late) come first on the wire; they are consumed
 * here, so that every caller only ever sees the replies of its own commands. */
static int next_reply(pottery_client *c, pottery_reply **out)
{
    for (;;) {
        pottery_reply *r;
        int rc = pottery__reader_next(c->reader, &r, c->endpoint);
        if (rc == 1 && c->late > 0) {
            c->late--;
            pottery__reply_free(r);
            continue;
        }
        if (rc == 1) {
            c->pending--;
            deadline_settle(c);
            *out = r;
            return 1;
        }
        if (rc < 0) {
            pottery_error_saved saved;
            pottery__error_save(&saved);
            pottery__conn_drop(c); /* the stream is out of step */
            pottery__error_restore(&saved);
        }
        return rc;
    }
}

/* Wait for the next reply in recv(): 1 and *out, 0 when the call's deadline passed first,
 * or an error (the connection dropped). */
static int wait_reply(pottery_client *c, pottery_reply **out)
{
    int rc;
    *out = NULL;
    if (!c->ctx || c->pending == 0) return pottery__error(POTTERY_ESTATE, "no reply is expected");
    count_round_trip(c);
    if (c->out.len > 0 && (rc = pottery__conn_flush(c)) < 0) return rc;
    if (!c->blocking && (rc = set_blocking(c, c->fd, 1)) < 0) {
        pottery__conn_drop(c);
        return rc;
    }
    for (;;) {
        if ((rc = next_reply(c, out)) != 0) return rc;
        if ((rc = fit_recv_timeout(c, "reading from")) != 0) return rc > 0 ? 0 : rc;
        if ((rc = receive(c, 0)) < 0) return rc;
    }
}

int pottery__conn_read(pottery_client *c, pottery_reply **out)
{
    int rc = wait_reply(c, out);
    if (rc == 0) return io_failure(c, POTTERY_ETIMEOUT, "reading from", NULL);
    return rc < 0 ? rc : 0;
}

int pottery__conn_read_until_deadline(pottery_client *c, pottery_reply **out)
{
    return wait_reply(c, out);
}

int pottery__conn_read_ready(pottery_client *c, pottery_reply **out)
{
    int rc;
    *out = NULL;
    if (!c->ctx || c->pending == 0) return pottery__error(POTTERY_ESTATE, "no reply is expected");
    count_round_trip(c);
    if ((rc = next_reply(c, out)) != 0) return rc;
    if ((rc = receive(c, MSG_DONTWAIT)) < 0) return rc;
    return next_reply(c, out);
}

int pottery__conn_timed_out(pottery_client *c)
{
    return c->deadline_set && c->deadline_ms != INT64_MAX && pottery__monotonic_ms() >= c->deadline_ms;
}

int pottery__conn_fail_timeout(pottery_client *c, const char *doing)
{
    return io_failure(c, POTTERY_ETIMEOUT, doing, NULL);
}

void pottery__conn_owe(pottery_client *c)
{
    count_round_trip(c); /* it was waited for, if not to the end */
    c->late += c->pending;
    c->pending = 0;
    deadline_settle(c);
}

int pottery__conn_read_n(pottery_client *c, pottery_reply **outs, size_t n)
{
    int first_error = 0;
    for (size_t i = 0; i < n; i++) {
        pottery_reply *r;
        int rc = pottery__conn_read(c, &r);
        if (rc < 0) {
            if (outs)
                for (size_t j = 0; j < i; j++) {
                    pottery__reply_free(outs[j]);
                    outs[j] = NULL;
                }
            return rc;
        }
        if (outs) {
            outs[i] = r;
        } else {
            if (!first_error) first_error = pottery__reply_check(r);
            pottery__reply_free(r);
        }
    }
    /* Later successful reads did not touch the message: it is still the error's text. */
    return first_error;
}

void pottery__handshake_plan(pottery_handshake *h, const pottery_url *addr, int ping)
{
    memset(h, 0, sizeof *h);
    if (addr->user || addr->password) {
        const char *pw = addr->password ? addr->password : "";
        pottery_handshake_cmd *cmd = &h->cmds[h->n++];
        cmd->what = "AUTH";
        cmd->argv[cmd->argc] = "AUTH";
        cmd->argl[cmd->argc++] = 4;
        if (addr->user) {
            cmd->argv[cmd->argc] = addr->user;
            cmd->argl[cmd->argc++] = strlen(addr->user);
        }
        cmd->argv[cmd->argc] = pw;
        cmd->argl[cmd->argc++] = strlen(pw);
    }
    if (addr->db != 0) {
        int len = snprintf(h->dbtext, sizeof h->dbtext, "%d", addr->db);
        pottery_handshake_cmd *cmd = &h->cmds[h->n++];
        cmd->what = "SELECT";
        cmd->argv[0] = "SELECT";
        cmd->argl[0] = 6;
        cmd->argv[1] = h->dbtext;
        cmd->argl[1] = (size_t)len;
        cmd->argc = 2;
    }
    if (addr->nsentinels > 0) {
        pottery_handshake_cmd *cmd = &h->cmds[h->n++];
        cmd->what = "ROLE";
        cmd->argv[0] = "ROLE";
        cmd->argl[0] = 4;
        cmd->argc = 1;
    } else if (ping) {
        pottery_handshake_cmd *cmd = &h->cmds[h->n++];
        cmd->what = "PING";
        cmd->argv[0] = "PING";
        cmd->argl[0] = 4;
        cmd->argc = 1;
    }
}

/* ROLE's first element must be "master". */
static int judge_role(const pottery_reply *r, const char *endpoint)
{
    const char *role = "";
    size_t n = 0, len = 0;
    int rc = pottery__reply_array(&n, r, "ROLE");
    if (rc == 0 && n == 0) rc = pottery__reply_unexpected(r, "ROLE", "a role");
    if (rc == 0) rc = pottery__reply_bytes(&role, &len, pottery__reply_at(r, 0), "ROLE");
    if (rc < 0) {
        pottery_error_saved why;
        pottery__error_save(&why);
        return pottery__error(rc, "ROLE on %s: %s", endpoint, why.message);
    }
    if (len == 6 && memcmp(role, "master", 6) == 0) return 0;
    return pottery__error(POTTERY_ECONN,
                          "%s: the server there is a %.*s, not a master (a failover in progress, or a sentinel that "
                          "has not caught up)",
                          endpoint, (int)(len > 32 ? 32 : len), role);
}

int pottery__handshake_judge(const pottery_handshake *h, size_t i, const pottery_reply *r, const pottery_url *addr,
                             const char *endpoint)
{
    const char *what = h->cmds[i].what;
    if (strcmp(what, "ROLE") == 0) return judge_role(r, endpoint);
    const char *expected = strcmp(what, "PING") == 0 ? "PONG" : "OK";
    if (pottery__reply_status(r, expected, what) == 0) return 0;
    int rc = pottery_error_last()->code;
    pottery_error_saved why;
    pottery__error_save(&why);
    if (strcmp(what, "SELECT") == 0) return pottery__error(rc, "SELECT %d on %s: %s", addr->db, endpoint, why.message);
    return pottery__error(rc, "%s on %s: %s", what, endpoint, why.message);
}

/* The handshake: AUTH / SELECT / PING in one round trip, not counted in the stats. */
static int handshake_send(pottery_client *c, pottery_handshake *h)
{
    pottery__handshake_plan(h, &c->addr, 1);
    for (size_t i = 0; i < h->n; i++) {
        int rc = pottery__conn_append(c, h->cmds[i].argc, h->cmds[i].argv, h->cmds[i].argl, NULL);
        if (rc < 0) return rc;
    }
    return 0;
}

/* Judge the handshake's replies (freeing them): 0, or the first refusal as an error. */
static int handshake_check(pottery_client *c, const pottery_handshake *h, pottery_reply **replies)
{
    int rc = 0;
    for (size_t i = 0; i < h->n && rc == 0; i++) rc = pottery__handshake_judge(h, i, replies[i], &c->addr, c->endpoint);
    for (size_t i = 0; i < h->n; i++) pottery__reply_free(replies[i]);
    return rc;
}

static int handshake(pottery_client *c)
{
    pottery_handshake h;
    pottery_reply *replies[4] = { NULL, NULL, NULL, NULL };
    int rc = handshake_send(c, &h);
    if (rc == 0) rc = pottery__conn_read_n(c, replies, h.n);
    if (rc < 0) return rc;
    return handshake_check(c, &h, replies);
}

/* Report a context that could not connect (and free it). */
static int connect_failed(pottery_client *c, redisContext *ctx, int saved_errno)
{
    if (!ctx) return pottery__error_oom();
    int code = compat_error_code(ctx, saved_errno);
    if (code == POTTERY_ENOMEM)
        pottery__error_oom();
    else if (code == POTTERY_ETIMEOUT)
        pottery__error(code, "connecting to %s: timed out after %lld ms", c->endpoint,
                       (long long)c->connect_timeout_ms);
    else
        pottery__error(code, "connecting to %s: %s", c->endpoint, ctx->errstr);
    redisFree(ctx);
    return code;
}

/* Make ctx c's connection: a socket that blocks once connected (and not while connecting),
 * a fresh reader, nothing pending. */
static int install(pottery_client *c, redisContext *ctx, int connected)
{
    if (set_blocking(c, ctx->fd, connected) < 0) {
        redisFree(ctx);
        return POTTERY_ECONN;
    }
    c->recv_timeout_ms = -1; /* hiredis may have set one */
#ifdef SO_NOSIGPIPE
    {
        int one = 1;
        setsockopt(ctx->fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
    }
#endif
    c->reader = pottery__reader_new();
    if (!c->reader) {
        redisFree(ctx);
        return pottery__error_oom();
    }
    c->ctx = ctx;
    c->fd = ctx->fd;
    c->gen++;
    c->pending = 0;
    c->late = 0;
    c->awaiting = c->stale_watch = c->watching = 0;
    return 0;
}

int pottery__conn_connect(pottery_client *c)
{
    redisContext *ctx;
    if (c->addr.nsentinels > 0) {
        int rc = pottery__sentinel_locate(c);
        if (rc < 0) return rc;
    }
    errno = 0;
    if (c->addr.is_unix)
        ctx = compat_connect_unix(c->addr.path, c->connect_timeout_ms);
    else
        ctx = compat_connect_tcp(c->addr.host, c->addr.port, c->connect_timeout_ms);
    if (!ctx || ctx->err) return connect_failed(c, ctx, errno);
    int rc = install(c, ctx, 1);
    if (rc < 0) return rc;

    /* The handshake is a call of its own, bounded by the connect timeout, even when it
     * happens inside a call that found the connection dropped. */
    int depth = c->call_depth, armed = c->deadline_set;
    int64_t timeout = c->call_timeout_ms;
    int64_t deadline = c->deadline_ms;
    c->call_depth = 0;
    c->deadline_set = 0;
    c->counting = 0;
    rc = handshake(c);
    c->counting = 1;
    if (rc < 0) pottery__conn_drop(c);
    c->call_depth = depth;
    c->deadline_set = armed;
    c->call_timeout_ms = timeout;
    c->deadline_ms = deadline;
    return rc;
}

/* ---- connecting several clients at once (the fan-out) ---- */

enum { LINK_DONE, LINK_CONNECTING, LINK_HANDSHAKE };

typedef struct conn_link {
    int stage;
    int64_t end_ms; /* the connect timeout's end (INT64_MAX: none) */
    pottery_handshake hs;
    pottery_reply *replies[4];
    size_t got;
} conn_link;

/* Link i failed with the last error: keep it in why[i] and drop the half-made connection. */
static void link_failed(pottery_client *c, conn_link *l, int *rc, pottery_error_saved *why)
{
    *rc = pottery_error_last()->code < 0 ? pottery_error_last()->code : POTTERY_ECONN;
    pottery__error_save(why);
    for (size_t k = 0; k < l->got; k++) pottery__reply_free(l->replies[k]);
    l->got = 0;
    pottery__conn_drop(c);
    c->counting = 1;
    l->stage = LINK_DONE;
}

/* The socket connected (or failed): send the handshake. */
static void link_connected(pottery_client *c, conn_link *l, int *rc, pottery_error_saved *why)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err) {
        pottery__error(POTTERY_ECONN, "connecting to %s: %s", c->endpoint, strerror(err));
        link_failed(c, l, rc, why);
        return;
    }
    c->counting = 0;
    if (handshake_send(c, &l->hs) < 0 || pottery__conn_flush(c) < 0) {
        link_failed(c, l, rc, why);
        return;
    }
    l->stage = LINK_HANDSHAKE;
}

/* Handshake replies arrived: read what is there, judge when complete. */
static void link_replies(pottery_client *c, conn_link *l, int *rc, pottery_error_saved *why)
{
    while (l->got < l->hs.n) {
        pottery_reply *r = NULL;
        int got = pottery__conn_read_ready(c, &r);
        if (got < 0) {
            link_failed(c, l, rc, why);
            return;
        }
        if (got == 0) return;
        l->replies[l->got++] = r;
    }
    l->got = 0;
    if (handshake_check(c, &l->hs, l->replies) < 0) {
        link_failed(c, l, rc, why);
        return;
    }
    c->counting = 1;
    c->stats.reconnects++;
    l->stage = LINK_DONE;
    *rc = 0;
}

int pottery__conn_connect_all(pottery_client *const *cs, size_t n, int *rcs, pottery_error_saved *why)
{
    size_t down = 0;
    for (size_t i = 0; i < n; i++) {
        rcs[i] = 0;
        if (cs[i] && !cs[i]->ctx) down++;
    }
    if (down == 0) return 0; /* the common case: nothing to allocate, nothing to wait for */
    conn_link *links = pottery__calloc(n ? n : 1, sizeof *links);
    struct pollfd *fds = pottery__calloc(n ? n : 1, sizeof *fds);
    size_t *who = pottery__calloc(n ? n : 1, sizeof *who);
    if (!links || !fds || !who) {
        pottery__free(links);
        pottery__free(fds);
        pottery__free(who);
        return pottery__error_oom();
    }
    int64_t now = pottery__monotonic_ms();
    for (size_t i = 0; i < n; i++) {
        pottery_client *c = cs[i];
        rcs[i] = 0;
        if (!c || c->ctx) continue; /* NULL: a master whose cluster lent no connection */
        /* Sentinels are asked one client after the other; the masters are then connected
         * to together. */
        if (c->addr.nsentinels > 0 && (rcs[i] = pottery__sentinel_locate(c)) < 0) {
            pottery__error_save(&why[i]);
            continue;
        }
        errno = 0;
        redisContext *ctx = c->addr.is_unix ? compat_connect_unix_start(c->addr.path)
                                            : compat_connect_tcp_start(c->addr.host, c->addr.port);
        if (!ctx || ctx->err) {
            rcs[i] = connect_failed(c, ctx, errno);
            pottery__error_save(&why[i]);
            continue;
        }
        if ((rcs[i] = install(c, ctx, 0)) < 0) {
            pottery__error_save(&why[i]);
            continue;
        }
        links[i].stage = LINK_CONNECTING;
        links[i].end_ms = c->connect_timeout_ms == POTTERY_FOREVER ? INT64_MAX : now + c->connect_timeout_ms;
    }
    for (;;) {
        size_t k = 0;
        int64_t soonest = INT64_MAX;
        now = pottery__monotonic_ms();
        for (size_t i = 0; i < n; i++) {
            conn_link *l = &links[i];
            if (l->stage == LINK_DONE) continue;
            if (now >= l->end_ms) {
                pottery__error(POTTERY_ETIMEOUT, "connecting to %s: no answer within %lld ms", cs[i]->endpoint,
                               (long long)cs[i]->connect_timeout_ms);
                link_failed(cs[i], l, &rcs[i], &why[i]);
                continue;
            }
            if (l->end_ms < soonest) soonest = l->end_ms;
            fds[k].fd = cs[i]->fd;
            fds[k].events = l->stage == LINK_CONNECTING ? POLLOUT : POLLIN;
            fds[k].revents = 0;
            who[k++] = i;
        }
        if (k == 0) break;
        int64_t wait = soonest == INT64_MAX ? -1 : soonest - now;
        int got = poll(fds, (nfds_t)k, wait > INT_MAX ? INT_MAX : (int)wait);
        if (got < 0 && errno != EINTR) {
            pottery__error(POTTERY_ECONN, "connecting: poll failed: %s", strerror(errno));
            for (size_t j = 0; j < k; j++) link_failed(cs[who[j]], &links[who[j]], &rcs[who[j]], &why[who[j]]);
            break;
        }
        for (size_t j = 0; got > 0 && j < k; j++) {
            if (!fds[j].revents) continue;
            size_t i = who[j];
            if (links[i].stage == LINK_CONNECTING)
                link_connected(cs[i], &links[i], &rcs[i], &why[i]);
            else
                link_replies(cs[i], &links[i], &rcs[i], &why[i]);
        }
    }
    pottery__free(links);
    pottery__free(fds);
    pottery__free(who);
    return 0;
}

int pottery__conn_ensure(pottery_client *c)
{
    if (c->ctx) return 0;
    int rc = pottery__conn_connect(c);
    if (rc == 0) c->stats.reconnects++;
    return rc;
}
