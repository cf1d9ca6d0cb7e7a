/* pottery_async: one connection to one server on an event loop, over hiredis' asynchronous
 * API. hiredis connects, buffers, writes and parses (with the library's reader installed);
 * this file adds what it lacks: deadlines on loop timers, AUTH/SELECT (and ROLE for a
 * sentinel URL, whose master asentinel.c locates first) before anything else on every
 * connect, and reconnecting on demand. adeliver.c delivers completions outside hiredis'
 * callbacks and writes without SIGPIPE. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "async/aconn_impl.h"
#include "conn/hiredis_compat.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/error.h"

static void arm_timer(pottery_async *conn);
static void start_connect(pottery_async *conn);

/* ---- requests ---- */

static void unlink_req(pottery_async *conn, pottery_areq *req)
{
    if (req->prev)
        req->prev->next = req->next;
    else
        conn->reqs = req->next;
    if (req->next)
        req->next->prev = req->prev;
    else
        conn->reqs_tail = req->prev;
    req->prev = req->next = NULL;
}

static void free_req(pottery_areq *req)
{
    pottery__buf_free(&req->bytes);
    pottery__reply_free(req->reply);
    pottery__free(req->message);
    pottery__free(req);
}

/* Free req when nothing refers to it any more. */
void pottery__aconn_release_req(pottery_areq *req)
{
    if (req->state == ANSWERED && !req->delivering) free_req(req);
}

/* Settle req: its completion goes to the done queue (once), with the reply or the failure
 * (code and message). */
static void complete(pottery_areq *req, int code, const char *message, pottery_reply *reply)
{
    pottery_async *conn = req->conn;
    if (!req->owner || req->settled) {
        pottery__reply_free(reply);
        return;
    }
    req->settled = 1;
    req->code = code;
    req->reply = reply;
    if (code < 0) req->message = pottery__strdup(message ? message : "");
    req->delivering = 1;
    if (conn->done_tail)
        conn->done_tail->next_done = req;
    else
        conn->done = req;
    conn->done_tail = req;
}

/* Why the connection went down, once known, for every request it fails. */
static void note_down(pottery_async *conn, int code, const char *fmt, ...) POTTERY_PRINTF(3, 4);
static void note_down(pottery_async *conn, int code, const char *fmt, ...)
{
    if (conn->down_code) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(conn->down_message, sizeof conn->down_message, fmt, ap);
    va_end(ap);
    conn->down_code = code;
}

/* The reason a request fails when hiredis drops its callback: what was noted, or what the
 * reader or hiredis say. */
static void down_reason(pottery_async *conn, const redisAsyncContext *ac)
{
    if (conn->down_code) return;
    if (ac && ac->c.reader && ac->c.reader->privdata &&
        pottery__reader_failure(ac->c.reader, conn->addr.endpoint) < 0) {
        const pottery_error *e = pottery_error_last();
        note_down(conn, e->code, "%s", e->message);
        return;
    }
    const char *why = ac && ac->errstr && ac->errstr[0] ? ac->errstr : "connection closed";
    if (conn->state == CONNECTING)
        note_down(conn, POTTERY_ECONN, "connecting to %s: %s", conn->addr.endpoint, why);
    else
        note_down(conn, POTTERY_ECONN, "connection to %s lost: %s", conn->addr.endpoint, why);
}

/* hiredis answered (reply) or dropped (NULL) a request. */
static void on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    pottery_areq *req = privdata;
    pottery_async *conn = req->conn;
    req->state = ANSWERED;
    unlink_req(conn, req);
    if (req->silent && conn->silent > 0) conn->silent--;
    if (!req->owner || req->settled) {
        pottery__aconn_release_req(req);
        return;
    }
    if (!reply) {
        down_reason(conn, ac);
        complete(req, conn->down_code, conn->down_message, NULL);
        return;
    }
    pottery_reply *mine = pottery__reply_steal(reply);
    if (!mine)
        complete(req, POTTERY_ENOMEM, "out of memory", NULL);
    else
        complete(req, 0, NULL, mine);
}

/* Hand req (its command: bytes) to hiredis. */
static void submit(pottery_async *conn, pottery_areq *req, const char *bytes, size_t len)
{
    if (redisAsyncFormattedCommand(conn->ac, on_reply, req, bytes, len) != REDIS_OK) {
        unlink_req(conn, req);
        req->state = ANSWERED;
        complete(req, POTTERY_ECONN, "the connection is closing", NULL);
        pottery__aconn_release_req(req);
        return;
    }
    pottery__reader_expect(conn->ac->c.reader, 1);
    req->state = SENT;
    pottery__buf_free(&req->bytes);
}

/* The connection is ready: everything queued goes out, in order. */
static void submit_queued(pottery_async *conn)
{
    pottery_areq *req = conn->reqs;
    while (req && conn->state == READY) {
        pottery_areq *next = req->next;
        if (req->state == QUEUED) submit(conn, req, req->bytes.data, req->bytes.len);
        req = next;
    }
}

/* The connection is gone: whatever still waits for it fails with its reason. */
static void connection_down(pottery_async *conn)
{
    conn->ac = NULL;
    conn->state = DOWN;
    conn->handshake_left = 0;
    down_reason(conn, NULL);
    for (pottery_areq *req = conn->reqs, *next; req; req = next) {
        next = req->next;
        if (req->state != QUEUED) continue;
        unlink_req(conn, req);
        req->state = ANSWERED;
        complete(req, conn->down_code, conn->down_message, NULL);
        pottery__aconn_release_req(req);
    }
    conn->silent = 0;
}

/* Close the connection from outside hiredis' callbacks (a timer, a failed write, free). */
static void drop(pottery_async *conn)
{
    redisAsyncContext *ac = conn->ac;
    if (!ac) return;
    /* hiredis calls every pending callback with NULL, then the cleanup and disconnect hooks. */
    redisAsyncFree(ac);
    if (conn->state != DOWN) connection_down(conn);
}

/* ---- hiredis hooks ---- */

/* hiredis asks for writability before every command and drops it once written: the
 * watcher follows only the net change, when the library returns to the loop. */
void pottery__aconn_apply_events(pottery_async *conn)
{
    if (!conn->io || conn->want == conn->io_events) return;
    conn->io_events = conn->want;
    (void)conn->loop.io_want(conn->io, conn->want);
}

static void ev_add_read(void *p)
{
    ((pottery_async *)p)->want |= POTTERY_LOOP_READ;
}

static void ev_del_read(void *p)
{
    ((pottery_async *)p)->want &= ~POTTERY_LOOP_READ;
}

static void ev_add_write(void *p)
{
    ((pottery_async *)p)->want |= POTTERY_LOOP_WRITE;
}

static void ev_del_write(void *p)
{
    ((pottery_async *)p)->want &= ~POTTERY_LOOP_WRITE;
}

/* hiredis is tearing the context down (it may call this twice). The reader's state is the
 * library's: release it while the reader still exists. */
static void ev_cleanup(void *p)
{
    pottery_async *conn = p;
    if (conn->io) conn->loop.io_close(conn->io);
    conn->io = NULL;
    conn->io_events = conn->want = 0;
    if (conn->live) {
        down_reason(conn, conn->live);
        pottery__reader_detach(conn->live->c.reader);
        conn->live = NULL;
    }
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    pottery_async *conn = ac->data;
    (void)status;
    if (conn->ac == ac) connection_down(conn);
}

static void on_handshake_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    pottery_async *conn = privdata;
    if (!reply || conn->state != HANDSHAKE) return;
    size_t i = conn->handshake.n - conn->handshake_left;
    conn->handshake_left--;
    if (pottery__handshake_judge(&conn->handshake, i, reply, &conn->addr.url, conn->addr.endpoint) < 0) {
        const pottery_error *e = pottery_error_last();
        note_down(conn, e->code, "%s", e->message);
        /* In a callback hiredis defers the free until it returns; nothing queued was sent. */
        redisAsyncFree(ac);
        return;
    }
    if (conn->handshake_left == 0) {
        conn->state = READY;
        submit_queued(conn);
    }
}

static void on_connect(const redisAsyncContext *cac, int status)
{
    pottery_async *conn = cac->data;
    if (conn->ac != cac) return;
    redisAsyncContext *ac = conn->ac;
    if (status != REDIS_OK) {
        /* hiredis frees the context next, without a disconnect callback. */
        down_reason(conn, ac);
        connection_down(conn);
        return;
    }
    pottery__handshake_plan(&conn->handshake, &conn->addr.url, 0);
    if (conn->handshake.n == 0) {
        conn->state = READY;
        arm_timer(conn);
        submit_queued(conn);
        return;
    }
    conn->state = HANDSHAKE;
    conn->handshake_left = conn->handshake.n;
    for (size_t i = 0; i < conn->handshake.n; i++) {
        pottery_handshake_cmd *cmd = &conn->handshake.cmds[i];
        redisAsyncCommandArgv(ac, on_handshake_reply, conn, (int)cmd->argc, cmd->argv, cmd->argl);
        pottery__reader_expect(ac->c.reader, 1);
    }
}

/* ---- loop callbacks ---- */

static void on_io(void *arg, int events)
{
    pottery_async *conn = arg;
    conn->delivering++;
    if ((events & POTTERY_LOOP_READ) && conn->ac) {
        redisAsyncHandleRead(conn->ac);
        /* hiredis buffers a bulk string until it is complete, whatever size it announces. */
        if (conn->ac && pottery__reader_failure(conn->ac->c.reader, conn->addr.endpoint) < 0) {
            const pottery_error *e = pottery_error_last();
            note_down(conn, e->code, "%s", e->message);
            drop(conn);
        }
    }
    if ((events & POTTERY_LOOP_WRITE) && conn->ac) {
        pottery__aconn_write_ready(conn);
    }
    conn->delivering--;
    pottery__aconn_apply_events(conn);
    pottery__aconn_deliver(conn);
}

/* Fail whatever has passed its deadline; a connection that cannot connect in time, or that
 * leaves a second request unanswered, is closed. */
static void on_timer(void *arg)
{
    pottery_async *conn = arg;
    int64_t now = pottery__monotonic_ms();
    conn->timer_at = INT64_MAX;
    conn->delivering++;
    if ((conn->state == CONNECTING || conn->state == HANDSHAKE) && now >= conn->connect_deadline_ms) {
        note_down(conn, POTTERY_ETIMEOUT, "connecting to %s: no answer within %lld ms", conn->addr.endpoint,
                  (long long)conn->addr.connect_timeout_ms);
        drop(conn);
    }
    int overdue = 0;
    for (pottery_areq *req = conn->reqs, *next; req; req = next) {
        next = req->next;
        if (!req->owner || req->settled || now < req->deadline_ms) continue;
        char msg[POTTERY_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "waiting for %s: no answer in time", conn->addr.endpoint);
        if (req->state == QUEUED) {
            unlink_req(conn, req);
            req->state = ANSWERED;
            complete(req, POTTERY_ETIMEOUT, msg, NULL);
            pottery__aconn_release_req(req);
            continue;
        }
        complete(req, POTTERY_ETIMEOUT, msg, NULL);
        if (conn->silent > 0) overdue = 1;
        req->silent = 1;
        conn->silent++;
    }
    if (overdue) {
        note_down(conn, POTTERY_ETIMEOUT, "waiting for %s: silent past two deadlines", conn->addr.endpoint);
        drop(conn);
    }
    conn->delivering--;
    arm_timer(conn);
    pottery__aconn_apply_events(conn);
    pottery__aconn_deliver(conn);
}

static void on_kick(void *arg)
{
    pottery__aconn_deliver(arg);
}

static void start_timer(pottery_async *conn, int64_t at)
{
    int64_t wait = at - pottery__monotonic_ms();
    if (conn->loop.timer_start(conn->timer, wait > 0 ? wait : 0) == 0) conn->timer_at = at;
}

/* The timer at the nearest deadline (the connect's, or a request's): a full look, for when
 * the nearest may have gone (after the timer fired). */
static void arm_timer(pottery_async *conn)
{
    int64_t nearest = INT64_MAX;
    if ((conn->state == CONNECTING || conn->state == HANDSHAKE) && conn->connect_deadline_ms < nearest)
        nearest = conn->connect_deadline_ms;
    for (pottery_areq *req = conn->reqs; req; req = req->next)
        if (req->owner && !req->settled && req->deadline_ms < nearest) nearest = req->deadline_ms;
    if (nearest == INT64_MAX) {
        conn->loop.timer_stop(conn->timer);
        conn->timer_at = INT64_MAX;
        return;
    }
    start_timer(conn, nearest);
}

/* ---- connecting ---- */

/* Connect to the server conn->addr names now. */
static void connect_server(pottery_async *conn)
{
    conn->connect_deadline_ms = pottery__deadline_after(pottery__monotonic_ms(), conn->addr.connect_timeout_ms);
    redisAsyncContext *ac = conn->addr.url.is_unix ? redisAsyncConnectUnix(conn->addr.url.path)
                                                   : redisAsyncConnect(conn->addr.url.host, conn->addr.url.port);
    if (!ac) {
        note_down(conn, POTTERY_ENOMEM, "out of memory");
        connection_down(conn);
        return;
    }
    if (ac->err) {
        note_down(conn, POTTERY_ECONN, "connecting to %s: %s", conn->addr.endpoint, ac->errstr);
        redisAsyncFree(ac);
        connection_down(conn);
        return;
    }
    struct redisReader *reader = pottery__reader_new();
    conn->io = reader ? conn->loop.io_open(conn->loop.data, ac->c.fd, on_io, conn) : NULL;
    if (!conn->io) {
        pottery__reader_free(reader);
        note_down(conn, POTTERY_ENOMEM, "out of memory");
        redisAsyncFree(ac);
        connection_down(conn);
        return;
    }
    redisReaderFree(ac->c.reader);
    ac->c.reader = reader;
    pottery__reader_expect(reader, 0);
    conn->want = conn->io_events = 0;
    ac->data = conn;
    ac->ev.data = conn;
    ac->ev.addRead = ev_add_read;
    ac->ev.delRead = ev_del_read;
    ac->ev.addWrite = ev_add_write;
    ac->ev.delWrite = ev_del_write;
    ac->ev.cleanup = ev_cleanup;
    conn->ac = conn->live = ac;
    conn->state = CONNECTING;
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    redisAsyncSetConnectCallback(ac, on_connect); /* asks for writability: connect's end */
    pottery__aconn_apply_events(conn);
    if (conn->connect_deadline_ms < conn->timer_at) start_timer(conn, conn->connect_deadline_ms);
}

static void start_connect(pottery_async *conn)
{
    conn->down_code = 0;
    conn->down_message[0] = '\0';
    conn->gen++;
    if (conn->connected_once) conn->stats.reconnects++;
    conn->connected_once = 1;
    if (!conn->locate) {
        connect_server(conn);
        return;
    }
    /* The sentinels have a connect timeout to name the master, the master another to
     * answer the handshake. */
    int64_t t = conn->addr.connect_timeout_ms;
    conn->connect_deadline_ms = pottery__deadline_after(pottery__deadline_after(pottery__monotonic_ms(), t), t);
    conn->state = LOCATING;
    if (pottery__alocate_start(conn->locate, &conn->addr.url, &conn->addr.endpoint, t) < 0) {
        const pottery_error *e = pottery_error_last();
        note_down(conn, e->code, "%s", e->message);
        connection_down(conn);
    }
}

/* The sentinels named the master (rc 0: conn->addr is its address now) or failed (rc). */
static void on_located(void *arg, int rc)
{
    pottery_async *conn = arg;
    if (rc < 0) {
        const pottery_error *e = pottery_error_last();
        note_down(conn, e->code, "%s", e->message);
        connection_down(conn);
    } else {
        connect_server(conn);
    }
    arm_timer(conn);
    pottery__aconn_deliver(conn);
}

/* ---- public API ---- */

static int check_loop(const pottery_loop *loop)
{
    if (loop->version != POTTERY_LOOP_VERSION)
        return pottery__error(POTTERY_EINVAL, "pottery_async_open: loop version %u, this library knows %u",
                              loop->version, (unsigned)POTTERY_LOOP_VERSION);
    if (!loop->io_open || !loop->io_want || !loop->io_close || !loop->timer_open || !loop->timer_start ||
        !loop->timer_stop || !loop->timer_close)
        return pottery__error(POTTERY_EINVAL, "pottery_async_open: the loop lacks hooks (fill all seven)");
    return 0;
}

int pottery_async_open(pottery_async **out, const pottery_loop *loop, const char *url,
                       const pottery_client_options *opts)
{
    pottery_address a;
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(loop);
    int rc = check_loop(loop);
    if (rc < 0 || (rc = pottery__address_resolve(&a, url, opts, "pottery_async_open")) < 0) return rc;
    if (a.url.nseeds > 0) {
        pottery__address_free(&a);
        return pottery__error(POTTERY_EINVAL, "pottery_async_open: Redis Cluster is not supported on event-loop "
                                              "connections (use the blocking client, or a node of the cluster)");
    }
    return pottery__async_open_at(out, loop, &a);
}

int pottery__async_open_at(pottery_async **out, const pottery_loop *loop, struct pottery_address *a)
{
    pottery_async *conn = pottery__calloc(1, sizeof *conn);
    if (!conn) {
        pottery__address_free(a);
        return pottery__error_oom();
    }
    conn->loop = *loop;
    conn->addr = *a;
    conn->timer_at = INT64_MAX;
    conn->timer = loop->timer_open(loop->data, on_timer, conn);
    conn->kick = loop->timer_open(loop->data, on_kick, conn);
    if (conn->addr.url.nsentinels > 0) conn->locate = pottery__alocate_new(loop, on_located, conn);
    if (!conn->timer || !conn->kick || (conn->addr.url.nsentinels > 0 && !conn->locate)) {
        pottery_async_free(conn);
        return pottery__error_oom();
    }
    start_connect(conn);
    *out = conn;
    return 0;
}

void pottery__aconn_destroy(pottery_async *conn)
{
    pottery__aconn_unbatch(conn);
    pottery__alocate_free(conn->locate);
    for (pottery_areq *req = conn->reqs; req; req = req->next) req->owner = NULL;
    drop(conn);
    while (conn->reqs) { /* QUEUED ones left by a connection that never came up */
        pottery_areq *req = conn->reqs;
        unlink_req(conn, req);
        free_req(req);
    }
    while (conn->done) {
        pottery_areq *req = conn->done;
        conn->done = req->next_done;
        free_req(req);
    }
    if (conn->timer) conn->loop.timer_close(conn->timer);
    if (conn->kick) conn->loop.timer_close(conn->kick);
    pottery__script_table_free(&conn->scripts);
    pottery__address_free(&conn->addr);
    pottery__free(conn);
}

void pottery_async_free(pottery_async *conn)
{
    if (!conn) return;
    conn->free_requested = 1;
    if (conn->delivering) return; /* finished when the delivery in progress ends */
    pottery__aconn_destroy(conn);
}

void pottery_async_stats_get(pottery_client_stats *out, const pottery_async *conn)
{
    if (!out) return;
    if (!conn) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = conn->stats;
}

void pottery_async_stats_reset(pottery_async *conn)
{
    if (conn) memset(&conn->stats, 0, sizeof conn->stats);
}

const char *pottery_async_endpoint(const pottery_async *conn)
{
    return conn ? conn->addr.endpoint : NULL;
}

/* ---- internal API ---- */

pottery_areq *pottery__async_send(pottery_async *conn, const char *bytes, size_t len, int64_t timeout_ms,
                                  pottery_areq_done done, void *owner, size_t index)
{
    pottery_areq *req = pottery__calloc(1, sizeof *req);
    if (!req) {
        pottery__error_oom();
        return NULL;
    }
    if (conn->state == DOWN) start_connect(conn);
    if (conn->state != READY && pottery__buf_append(&req->bytes, bytes, len) < 0) {
        free_req(req); /* waits for the connection: keep a copy */
        return NULL;
    }
    req->conn = conn;
    req->done = done;
    req->owner = owner;
    req->index = index;
    req->state = QUEUED;
    int64_t t = conn->addr.command_timeout_ms;
    if (t == POTTERY_FOREVER || (timeout_ms != POTTERY_FOREVER && timeout_ms < t)) t = timeout_ms;
    int64_t now = pottery__monotonic_ms();
    if (conn->state != READY && t != POTTERY_FOREVER && conn->addr.connect_timeout_ms != POTTERY_FOREVER)
        t = conn->connect_deadline_ms == INT64_MAX ? POTTERY_FOREVER : t + (conn->connect_deadline_ms - now);
    req->deadline_ms = pottery__deadline_after(now, t);
    req->prev = conn->reqs_tail;
    if (conn->reqs_tail)
        conn->reqs_tail->next = req;
    else
        conn->reqs = req;
    conn->reqs_tail = req;
    conn->stats.round_trips++;
    conn->stats.commands++;
    if (req->deadline_ms < conn->timer_at) start_timer(conn, req->deadline_ms);
    if (conn->state == READY) submit(conn, req, bytes, len);
    if (conn->state == DOWN) { /* the connect failed at once */
        unlink_req(conn, req);
        req->state = ANSWERED;
        complete(req, conn->down_code, conn->down_message, NULL);
        pottery__aconn_release_req(req);
    }
    pottery__aconn_write(conn);
    return req;
}

void pottery__areq_cancel(pottery_areq *req)
{
    if (!req || !req->owner) return;
    pottery_async *conn = req->conn;
    req->owner = NULL;
    if (req->state == QUEUED && !req->delivering) {
        unlink_req(conn, req);
        free_req(req);
    }
}

int pottery__async_format_script(pottery_buf *b, int *evalsha, pottery_async *conn, const pottery_script *s,
                                 size_t nkeys, const pottery_cmd *args)
{
    char numkeys[POTTERY_INT64_TEXT_SIZE];
    size_t n = pottery__int64_text(numkeys, (int64_t)nkeys);
    *evalsha = 0;
    pottery_script_entry *e = pottery__script_entry(&conn->scripts, s);
    if (!e) return POTTERY_ENOMEM;
    if (conn->state == DOWN) start_connect(conn); /* the command will travel on a new connection */
    if (e->loaded_gen == conn->gen) {
        const char *pre[3] = { "EVALSHA", e->sha, numkeys };
        const size_t prelen[3] = { 7, 40, n };
        *evalsha = 1;
        return pottery__resp_append(b, 3, pre, prelen, args);
    }
    const char *pre[3] = { "EVAL", s->source, numkeys };
    const size_t prelen[3] = { 4, strlen(s->source), n };
    int rc = pottery__resp_append(b, 3, pre, prelen, args);
    if (rc == 0) e->loaded_gen = conn->gen;
    return rc;
}

void pottery__async_forget_script(pottery_async *conn, const pottery_script *s)
{
    pottery__script_table_forget(&conn->scripts, s);
}

const pottery_loop *pottery__async_loop(const pottery_async *conn)
{
    return &conn->loop;
}
