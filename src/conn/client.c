/* The client: URL and options, connect + handshake, reconnect, and the single low-level
 * path (append / flush / read) through which every command travels. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn/client_impl.h"
#include "conn/hiredis_compat.h"
#include "core/error.h"

/* ---- SIGPIPE ----
 * Writing to a socket the server has closed raises SIGPIPE, whose default action kills the
 * process. A library must not change the process' signal dispositions, so around each write
 * SIGPIPE is blocked in the calling thread; a SIGPIPE the write raised is then consumed
 * before the old mask comes back (EPIPE is reported as a dropped connection instead). */

typedef struct pipe_guard {
    sigset_t pipe;
    sigset_t old;
    int active; /* 1 if this guard blocked SIGPIPE (it was not blocked already) */
} pipe_guard;

static void pipe_guard_enter(pipe_guard *g)
{
    sigemptyset(&g->pipe);
    sigaddset(&g->pipe, SIGPIPE);
    g->active = pthread_sigmask(SIG_BLOCK, &g->pipe, &g->old) == 0 && !sigismember(&g->old, SIGPIPE);
}

static void pipe_guard_leave(pipe_guard *g, int saved_errno)
{
    if (!g->active) return;
    if (saved_errno == EPIPE) {
        /* It was unblocked before, so a pending SIGPIPE can only be the one just raised. */
        struct timespec zero = { 0, 0 };
        while (sigtimedwait(&g->pipe, NULL, &zero) == SIGPIPE) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* ---- connection ---- */

static int io_failure(pottery_client *c, int saved_errno, const char *doing, int timeout_ms)
{
    int code = compat_error_code(c->ctx, saved_errno);
    if (code == POTTERY_ENOMEM) {
        pottery__error_oom();
    } else if (code == POTTERY_ETIMEOUT) {
        pottery__error(code, "%s %s: no answer within %d ms", doing, c->endpoint, timeout_ms);
    } else {
        pottery__error(code, "%s %s: %s", doing, c->endpoint, c->ctx->errstr[0] ? c->ctx->errstr : "connection lost");
    }
    pottery__conn_drop(c);
    return code;
}

static int current_timeout(const pottery_client *c)
{
    return c->counting ? c->socket_timeout_ms : (c->connect_timeout_ms > 0 ? c->connect_timeout_ms : c->command_timeout_ms);
}

static int flush(pottery_client *c)
{
    pipe_guard g;
    int done = 0, saved = 0, failed = 0;
    pipe_guard_enter(&g);
    while (!done) {
        errno = 0;
        if (redisBufferWrite(c->ctx, &done) != REDIS_OK) {
            saved = errno;
            failed = 1;
            break;
        }
    }
    pipe_guard_leave(&g, saved);
    if (failed) return io_failure(c, saved, "sending to", current_timeout(c));
    c->unflushed = 0;
    return 0;
}

void pottery__conn_drop(pottery_client *c)
{
    if (c->ctx) redisFree(c->ctx);
    c->ctx = NULL;
    c->unflushed = 0;
    c->pending = 0;
    c->awaiting = 0;
    c->stale_watch = 0;
}

int pottery__conn_check_idle(pottery_client *c)
{
    if (c->pending > 0)
        return pottery__error(POTTERY_ESTATE, "%zu streamed replies are still unread (pottery__recv them first)", c->pending);
    return 0;
}

int pottery__conn_append(pottery_client *c, size_t npre, const char *const *pre,
                         const size_t *prelens, const pottery_cmd *cmd)
{
    enum { STACK_ARGS = 16 };
    const char *sv[STACK_ARGS];
    size_t sl[STACK_ARGS];
    int rc;

    if (cmd && (rc = pottery__cmd_check(cmd, 1)) < 0) return rc;
    size_t argc = npre + (cmd ? cmd->argc : 0);
    if (argc == 0) return pottery__error(POTTERY_EINVAL, "empty command");
    if (argc > INT_MAX) return pottery__error(POTTERY_EINVAL, "too many command arguments");
    if ((rc = pottery__conn_ensure(c)) < 0) return rc;

    const char **av = sv;
    size_t *al = sl;
    if (argc > STACK_ARGS) {
        av = malloc(argc * sizeof *av);
        al = malloc(argc * sizeof *al);
        if (!av || !al) {
            free(av);
            free(al);
            return pottery__error_oom();
        }
    }
    size_t bytes = 16;
    for (size_t i = 0; i < npre; i++) {
        av[i] = pre[i];
        al[i] = prelens[i];
        bytes += prelens[i] + 16;
    }
    for (size_t i = npre; i < argc; i++) {
        av[i] = pottery__cmd_arg_ptr(cmd, i - npre);
        al[i] = pottery__cmd_argv(cmd)[i - npre].len;
        bytes += al[i] + 16;
    }
    errno = 0;
    rc = redisAppendCommandArgv(c->ctx, (int)argc, av, al);
    int saved = errno;
    if (av != sv) {
        free(av);
        free(al);
    }
    if (rc != REDIS_OK) return io_failure(c, saved, "queueing a command for", current_timeout(c));

    if (c->counting) c->stats.commands++;
    c->pending++;
    c->awaiting = 1;
    c->unflushed += bytes;
    if (c->unflushed > POTTERY_FLUSH_BYTES) return flush(c);
    return 0;
}

int pottery__conn_read(pottery_client *c, pottery_reply **out)
{
    int rc;
    *out = NULL;
    if (!c->ctx || c->pending == 0) return pottery__error(POTTERY_ESTATE, "no reply is expected");
    if (c->awaiting) {
        if (c->counting) c->stats.round_trips++;
        c->awaiting = 0;
    }
    if (c->unflushed > 0 && (rc = flush(c)) < 0) return rc;
    void *r = NULL;
    errno = 0;
    if (redisGetReply(c->ctx, &r) != REDIS_OK || !r) {
        int saved = errno;
        if (r) freeReplyObject(r);
        return io_failure(c, saved, "reading from", current_timeout(c));
    }
    c->pending--;
    *out = r;
    return 0;
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
    if (first_error) {
        /* Later successful reads did not touch the message: it is still the error's text. */
        return first_error;
    }
    return 0;
}

/* AUTH / SELECT / PING in one round trip, not counted in the stats. */
static int handshake(pottery_client *c)
{
    const char *what[3];
    size_t n = 0;
    char dbtext[16];
    int rc;

    if (c->addr.user || c->addr.password) {
        const char *pw = c->addr.password ? c->addr.password : "";
        if (c->addr.user) {
            const char *a[3] = { "AUTH", c->addr.user, pw };
            size_t l[3] = { 4, strlen(c->addr.user), strlen(pw) };
            rc = pottery__conn_append(c, 3, a, l, NULL);
        } else {
            const char *a[2] = { "AUTH", pw };
            size_t l[2] = { 4, strlen(pw) };
            rc = pottery__conn_append(c, 2, a, l, NULL);
        }
        if (rc < 0) return rc;
        what[n++] = "AUTH";
    }
    if (c->addr.db != 0) {
        int len = snprintf(dbtext, sizeof dbtext, "%d", c->addr.db);
        const char *a[2] = { "SELECT", dbtext };
        size_t l[2] = { 6, (size_t)len };
        if ((rc = pottery__conn_append(c, 2, a, l, NULL)) < 0) return rc;
        what[n++] = "SELECT";
    }
    {
        const char *a[1] = { "PING" };
        size_t l[1] = { 4 };
        if ((rc = pottery__conn_append(c, 1, a, l, NULL)) < 0) return rc;
        what[n++] = "PING";
    }

    pottery_reply *replies[3] = { NULL, NULL, NULL };
    if ((rc = pottery__conn_read_n(c, replies, n)) < 0) return rc;
    rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (pottery__reply_type(replies[i]) != POTTERY_REPLY_ERROR) continue;
        size_t len;
        const char *s = pottery__reply_str(replies[i], &len);
        if (len > 400) len = 400;
        if (strcmp(what[i], "SELECT") == 0)
            rc = pottery__error(POTTERY_EREDIS, "SELECT %d on %s: %.*s", c->addr.db, c->endpoint, (int)len, s);
        else
            rc = pottery__error(POTTERY_EREDIS, "%s on %s: %.*s", what[i], c->endpoint, (int)len, s);
    }
    for (size_t i = 0; i < n; i++) pottery__reply_free(replies[i]);
    return rc;
}

static int connect_now(pottery_client *c)
{
    redisContext *ctx;
    errno = 0;
    if (c->addr.is_unix)
        ctx = compat_connect_unix(c->addr.path, c->connect_timeout_ms);
    else
        ctx = compat_connect_tcp(c->addr.host, c->addr.port, c->connect_timeout_ms);
    int saved = errno;
    if (!ctx) return pottery__error_oom();
    if (ctx->err) {
        int code = compat_error_code(ctx, saved);
        if (code == POTTERY_ENOMEM)
            pottery__error_oom();
        else if (code == POTTERY_ETIMEOUT)
            pottery__error(code, "connecting to %s: timed out after %d ms", c->endpoint, c->connect_timeout_ms);
        else
            pottery__error(code, "connecting to %s: %s", c->endpoint, ctx->errstr);
        redisFree(ctx);
        return code;
    }

    c->ctx = ctx;
    c->gen++;
    c->unflushed = c->pending = 0;
    c->awaiting = c->stale_watch = 0;
    c->counting = 0;
    int rc = 0;
    if (compat_set_timeout(ctx, current_timeout(c)) < 0)
        rc = pottery__error(POTTERY_ECONN, "connecting to %s: cannot set the socket timeout", c->endpoint);
    if (rc == 0) rc = handshake(c);
    c->counting = 1;
    if (rc == 0 && compat_set_timeout(c->ctx, c->command_timeout_ms) < 0)
        rc = pottery__error(POTTERY_ECONN, "connecting to %s: cannot set the socket timeout", c->endpoint);
    c->socket_timeout_ms = c->command_timeout_ms;
    if (rc < 0) pottery__conn_drop(c);
    return rc;
}

int pottery__conn_set_timeout(pottery_client *c, int timeout_ms)
{
    if (!c->ctx) return pottery__error(POTTERY_ESTATE, "no connection to set a timeout on");
    if (compat_set_timeout(c->ctx, timeout_ms) < 0) {
        pottery__conn_drop(c);
        return pottery__error(POTTERY_ECONN, "%s: cannot set the socket timeout", c->endpoint);
    }
    c->socket_timeout_ms = timeout_ms;
    return 0;
}

int pottery__client_command_timeout(const pottery_client *c)
{
    return c ? c->command_timeout_ms : 0;
}

int pottery__conn_ensure(pottery_client *c)
{
    if (c->ctx) return 0;
    int rc = connect_now(c);
    if (rc == 0) c->stats.reconnects++;
    return rc;
}

/* ---- public API ---- */

static char *dup_or_null(const char *s)
{
    if (!s || !*s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void wipe_free(char *s)
{
    if (!s) return;
    volatile char *v = s;
    while (*v) *v++ = '\0';
    free(s);
}

static int make_endpoint(pottery_client *c)
{
    const pottery_url *u = &c->addr;
    size_t n = (u->is_unix ? strlen(u->path) : strlen(u->host)) + 16;
    c->endpoint = malloc(n);
    if (!c->endpoint) return pottery__error_oom();
    if (u->is_unix)
        snprintf(c->endpoint, n, "unix:%s", u->path);
    else if (strchr(u->host, ':'))
        snprintf(c->endpoint, n, "[%s]:%d", u->host, u->port);
    else
        snprintf(c->endpoint, n, "%s:%d", u->host, u->port);
    return 0;
}

int pottery_client_open(pottery_client **out, const char *url, const pottery_client_options *opts)
{
    static const pottery_client_options defaults = POTTERY_CLIENT_OPTIONS_INIT;
    int rc;
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    if (!opts) opts = &defaults;
    if (opts->connect_timeout_ms < 0 || opts->command_timeout_ms < 0)
        return pottery__error(POTTERY_EINVAL, "timeouts must be >= 0 ms");
    if (opts->db < -1) return pottery__error(POTTERY_EINVAL, "db must be a non-negative integer (or -1 for the URL's)");
    if (!url) {
        url = getenv("REDIS_URL");
        if (!url || !*url) url = "redis://localhost:6379/0";
    }

    pottery_client *c = calloc(1, sizeof *c);
    if (!c) return pottery__error_oom();
    c->counting = 1;
    c->connect_timeout_ms = opts->connect_timeout_ms;
    c->command_timeout_ms = opts->command_timeout_ms;
    if ((rc = pottery__url_parse(&c->addr, url)) < 0) {
        free(c);
        return rc;
    }
    if (opts->username) {
        free(c->addr.user);
        c->addr.user = dup_or_null(opts->username);
        if (*opts->username && !c->addr.user) rc = pottery__error_oom();
    }
    if (rc == 0 && opts->password) {
        wipe_free(c->addr.password);
        c->addr.password = dup_or_null(opts->password);
        if (*opts->password && !c->addr.password) rc = pottery__error_oom();
    }
    if (opts->db >= 0) c->addr.db = opts->db;
    if (rc == 0) rc = make_endpoint(c);
    if (rc == 0) rc = connect_now(c);
    if (rc < 0) {
        pottery_client_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void pottery_client_free(pottery_client *client)
{
    if (!client) return;
    pottery__conn_drop(client);
    pottery__url_free(&client->addr);
    free(client->endpoint);
    pottery__scripts_free(client);
    free(client);
}

int pottery_client_ping(pottery_client *client)
{
    pottery_cmd cmd;
    pottery_reply *r = NULL;
    POTTERY_CHECK_ARG(client);
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "PING");
    int rc = pottery__exec(&r, client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc < 0) return rc;
    size_t len;
    const char *s = pottery__reply_str(r, &len);
    if (!s || len != 4 || memcmp(s, "PONG", 4) != 0)
        rc = pottery__error(POTTERY_EREDIS, "PING: unexpected reply from %s", client->endpoint);
    pottery__reply_free(r);
    return rc;
}

void pottery_client_stats_get(const pottery_client *client, pottery_client_stats *out)
{
    if (!out) return;
    if (!client) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = client->stats;
}

void pottery_client_stats_reset(pottery_client *client)
{
    if (client) memset(&client->stats, 0, sizeof client->stats);
}

int pottery__client_same_server(const pottery_client *a, const pottery_client *b)
{
    if (!a || !b) return 0;
    if (a == b) return 1;
    const pottery_url *x = &a->addr, *y = &b->addr;
    if (x->is_unix != y->is_unix || x->db != y->db) return 0;
    if (x->is_unix) return strcmp(x->path, y->path) == 0;
    return x->port == y->port && strcmp(x->host, y->host) == 0;
}
