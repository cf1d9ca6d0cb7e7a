/*
 * Internal to one event-loop connection, split in two: aconn.c runs the connection
 * (requests, hiredis' hooks, deadlines, connecting, the API), adeliver.c hands what the
 * library produced to the outside, from the loop: completions to their owners, then the
 * writes their callbacks caused, batched and with SIGPIPE kept away.
 */
#ifndef POTTERY_ASYNC_ACONN_IMPL_H
#define POTTERY_ASYNC_ACONN_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "async/async_impl.h"
#include "conn/client_impl.h"

struct redisAsyncContext;

/* LOCATING: a sentinel URL's master is being asked for (then CONNECTING to it). */
enum conn_state { DOWN, LOCATING, CONNECTING, HANDSHAKE, READY };

/* QUEUED: waiting in bytes for the connection to be ready. SENT: hiredis holds its
 * callback. A request is freed once hiredis no longer holds it and its completion (if any)
 * has been delivered or dropped. */
enum req_state { QUEUED, SENT, ANSWERED };

struct pottery_areq {
    pottery_areq *prev, *next; /* conn->reqs, in the order sent (QUEUED and SENT) */
    pottery_areq *next_done;   /* conn->done queue */
    pottery_async *conn;
    enum req_state state;
    int delivering; /* in the done queue */
    int silent;     /* timed out while SENT: a reply is still owed */
    int settled;    /* its completion is decided (queued for delivery, or delivered) */
    pottery_areq_done done;
    void *owner; /* NULL once cancelled or completed */
    size_t index;
    int64_t deadline_ms; /* INT64_MAX: none */
    pottery_buf bytes;   /* QUEUED: the command */
    int code;
    pottery_reply *reply;
    char *message;
};

struct pottery_async {
    pottery_loop loop;
    pottery_address addr;
    struct redisAsyncContext *ac;   /* the connection commands go to; NULL while DOWN */
    struct redisAsyncContext *live; /* the context hiredis has not torn down yet (its reader is ours) */
    enum conn_state state;
    pottery_loop_io *io;
    int io_events;               /* what the watcher reports now */
    int want;                    /* what hiredis asked for (applied when the library returns to the loop) */
    pottery_loop_timer *timer;   /* the nearest deadline */
    int64_t timer_at;            /* when it fires (INT64_MAX: not started) */
    pottery_loop_timer *kick;    /* deliver completions that arose outside a loop callback */
    pottery_alocate *locate;     /* a sentinel URL's search for its master (NULL: a plain URL) */
    int64_t connect_deadline_ms; /* LOCATING: the latest a connect that follows may end */
    uint64_t gen;                /* bumped by every connect started */
    int connected_once;
    pottery_handshake handshake;
    size_t handshake_left;
    pottery_areq *reqs, *reqs_tail;
    pottery_areq *done, *done_tail;
    size_t silent; /* requests timed out whose replies are still owed */
    int down_code; /* why the current connection is going down (0: not known yet) */
    char down_message[POTTERY_ERROR_MESSAGE_MAX];
    pottery_script_table scripts;
    pottery_client_stats stats;
    int delivering;
    int free_requested;
    int batched; /* in the write batch of the delivery running on this thread */
    pottery_async *batch_next;
};

/* ---- aconn.c ---- */

/* Free req when nothing refers to it any more. */
void pottery__aconn_release_req(pottery_areq *req);
/* Let the socket watcher follow what hiredis asked for. */
void pottery__aconn_apply_events(pottery_async *conn);
/* Free the connection and everything it holds (no callback is called). */
void pottery__aconn_destroy(pottery_async *conn);

/* ---- adeliver.c ---- */

/* Hand the completions of conn to their owners, in order, outside any hiredis callback
 * (nothing when a delivery of conn is already running); then, from the outermost delivery,
 * write what their callbacks sent. Finishes a pottery_async_free asked for meanwhile. */
void pottery__aconn_deliver(pottery_async *conn);
/* conn has commands to write: now, or with the batch of the delivery running. */
void pottery__aconn_write(pottery_async *conn);
/* The socket is writable: let hiredis write (SIGPIPE kept away). */
void pottery__aconn_write_ready(pottery_async *conn);
/* conn goes away: out of the batch of the delivery running. */
void pottery__aconn_unbatch(pottery_async *conn);

#endif
