/* What leaves an event-loop connection, always from the loop: completions handed to their
 * owners outside hiredis' callbacks, and the writes those callbacks cause, gathered into one
 * write per connection and made with SIGPIPE kept away from the process. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "async/aconn_impl.h"
#include "conn/hiredis_compat.h"
#include "core/error.h"

/* Requests sent from callbacks are written together when the delivery that ran those
 * callbacks ends: one write per connection for all the handles that went on, instead of one
 * each. The batch lives on the delivering stack; this points at it while it runs (each
 * loop runs on one thread, and the batch never outlives the call that made it). */
typedef struct write_batch {
    pottery_async *head;
} write_batch;

static _Thread_local write_batch *current_batch;

/* hiredis writes with write(2): a closed peer's SIGPIPE is kept away from the process by
 * blocking it around the writes (once for a whole batch of them). A failed write then
 * leaves it pending on this thread, where it was not before (it was not blocked), so it is
 * ours to take. */
typedef struct pipe_guard {
    sigset_t old;
    int broken; /* a write failed */
} pipe_guard;

static void pipe_guard_begin(pipe_guard *g)
{
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &g->old);
    g->broken = 0;
}

static void pipe_guard_end(pipe_guard *g)
{
    if (g->broken && !sigismember(&g->old, SIGPIPE)) {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        struct timespec zero = { 0, 0 };
        (void)sigtimedwait(&pipe_only, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* Inside a pipe guard. */
static void handle_write(pottery_async *conn, pipe_guard *g)
{
    errno = 0;
    redisAsyncHandleWrite(conn->ac);
    if (errno == EPIPE || !conn->ac) g->broken = 1;
}

/* Write what conn has to write (inside a pipe guard) and let the watcher follow. */
static void flush(pottery_async *conn, pipe_guard *g)
{
    /* Not while connecting: hiredis would take a connect still in progress for done. */
    if (conn->ac && conn->state != CONNECTING && (conn->want & POTTERY_LOOP_WRITE)) handle_write(conn, g);
    pottery__aconn_apply_events(conn);
    if (conn->done) (void)conn->loop.timer_start(conn->kick, 0); /* a write that failed */
}

static void batch_add(pottery_async *conn)
{
    if (conn->batched) return;
    conn->batched = 1;
    conn->batch_next = current_batch->head;
    current_batch->head = conn;
}

void pottery__aconn_unbatch(pottery_async *conn)
{
    if (!conn->batched) return;
    for (pottery_async **p = &current_batch->head; *p; p = &(*p)->batch_next) {
        if (*p == conn) {
            *p = conn->batch_next;
            break;
        }
    }
    conn->batched = 0;
}

void pottery__aconn_deliver(pottery_async *conn)
{
    if (conn->delivering) return;
    write_batch batch = { NULL };
    int outermost = current_batch == NULL;
    if (outermost) current_batch = &batch;
    conn->delivering++;
    while (conn->done && !conn->free_requested) {
        pottery_areq *req = conn->done;
        conn->done = req->next_done;
        if (!conn->done) conn->done_tail = NULL;
        req->next_done = NULL;
        req->delivering = 0;
        pottery_areq_done done = req->done;
        void *owner = req->owner;
        pottery_reply *reply = req->reply;
        int code = req->code;
        size_t index = req->index;
        req->reply = NULL;
        req->owner = NULL;
        if (code < 0) pottery__error(code, "%s", req->message ? req->message : "");
        pottery__aconn_release_req(req);
        if (owner)
            done(owner, index, code, reply);
        else
            pottery__reply_free(reply);
    }
    conn->delivering--;
    if (conn->free_requested) pottery__aconn_destroy(conn);
    if (!outermost) return;
    current_batch = NULL;
    if (!batch.head) return;
    pipe_guard g;
    pipe_guard_begin(&g);
    while (batch.head) {
        pottery_async *next = batch.head;
        batch.head = next->batch_next;
        next->batched = 0;
        flush(next, &g);
    }
    pipe_guard_end(&g);
}

void pottery__aconn_write(pottery_async *conn)
{
    /* Inside a delivery the write waits for the batch; otherwise it goes now (callers are
     * never inside hiredis). */
    if (current_batch) {
        batch_add(conn);
        return;
    }
    pipe_guard g;
    pipe_guard_begin(&g);
    flush(conn, &g);
    pipe_guard_end(&g);
}

void pottery__aconn_write_ready(pottery_async *conn)
{
    pipe_guard g;
    pipe_guard_begin(&g);
    handle_write(conn, &g);
    pipe_guard_end(&g);
}
