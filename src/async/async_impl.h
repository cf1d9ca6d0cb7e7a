/*
 * Internal to the event-loop API: requests on one pottery_async connection (aconn.c), the
 * search for a sentinel URL's master (asentinel.c) and the fan-out over several
 * connections (afanout.c).
 *
 * A request's completion is always delivered from the loop (an I/O event, a timer), never
 * from inside the function that sent it and never from inside a hiredis callback: hiredis
 * only records replies, and the library hands them on once hiredis has returned, so that
 * whatever a completion does (free handles, send more) cannot disturb hiredis.
 */
#ifndef POTTERY_ASYNC_IMPL_H
#define POTTERY_ASYNC_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"
#include "pottery/async.h"

typedef struct pottery_areq pottery_areq;

/* done(owner, index, code, reply): code 0 with the reply (taken over; any type, ERROR
 * included), or a negative code with the last error describing it and reply NULL. */
typedef void (*pottery_areq_done)(void *owner, size_t index, int code, pottery_reply *reply);

/* Queue one command (RESP bytes, copied) on conn with a deadline timeout_ms from now
 * (POTTERY_FOREVER: the connection's command timeout alone; a shorter connection command
 * timeout wins). Connects first when disconnected. done is called exactly once, later,
 * unless the request is cancelled first. NULL only when out of memory (error set). */
pottery_areq *pottery__async_send(pottery_async *conn, const char *bytes, size_t len, int64_t timeout_ms,
                                  pottery_areq_done done, void *owner, size_t index);

/* The owner no longer wants the answer: done is never called for req. A reply still on its
 * way is read and dropped in order when it comes. */
void pottery__areq_cancel(pottery_areq *req);

/* Format a script call for conn as RESP into b: EVALSHA when the script is known loaded on
 * the connection the command will travel on (*evalsha = 1), else EVAL (which loads it).
 * 0 or ENOMEM. */
int pottery__async_format_script(pottery_buf *b, int *evalsha, pottery_async *conn, const pottery_script *s,
                                 size_t nkeys, const pottery_cmd *args);

/* After a NOSCRIPT answer: the next call of s on conn goes as EVAL. */
void pottery__async_forget_script(pottery_async *conn, const pottery_script *s);

struct pottery_address;
struct pottery_url;

/* Open a connection to the address a (taken over: freed here on failure) on loop (checked
 * by the caller). 0 or ENOMEM. */
int pottery__async_open_at(pottery_async **out, const pottery_loop *loop, struct pottery_address *a);

/* ---- a sentinel URL's master, found without blocking the loop ----
 *
 * The blocking client's search (conn/sentinel.h: the order, the shares of time, the reply's
 * reading, the failure's message), each sentinel asked over a connection of its own on the
 * loop, with a loop timer at the end of its share. */
typedef struct pottery_alocate pottery_alocate;

/* The search is over: rc 0 (the URL's host and port, and the endpoint text, name the master)
 * or the error (also pottery_error_last()). Called from the loop, never from inside
 * pottery__alocate_start; it may free the pottery_alocate. */
typedef void (*pottery_alocate_done)(void *arg, int rc);

/* A searcher on loop (copied) reporting to done(arg, ...). NULL when out of memory. */
pottery_alocate *pottery__alocate_new(const pottery_loop *loop, pottery_alocate_done done, void *arg);

/* Ask url's sentinels in turn, within timeout_ms as a whole, for its master (url and endpoint
 * are borrowed until done runs). 0 (done will run), or ENOMEM with done never called. */
int pottery__alocate_start(pottery_alocate *l, struct pottery_url *url, char **endpoint, int64_t timeout_ms);

/* Stop a search in progress (done is never called) and free l. Accepts NULL. */
void pottery__alocate_free(pottery_alocate *l);

/* The loop conn runs on (for handles that need timers of their own). */
const pottery_loop *pottery__async_loop(const pottery_async *conn);

/* The masters of an asynchronous primitive: pottery__check_masters's rules, all on one
 * loop. 0 or EINVAL naming fn. */
int pottery__async_check_masters(pottery_async *const *masters, size_t n, const char *fn);

/* The checks every asynchronous start function makes: a handle (what names it in the
 * message), a callback, no operation already running on it (key names the handle).
 * 0, EINVAL or ESTATE. */
int pottery__async_begin(int has_handle, const char *what, int has_cb, int busy, const char *key, const char *fn);

/* ---- the fan-out on an event loop ----
 *
 * The same votes and rules as the blocking fan-out (pottery_fanout in conn.h: check,
 * decide, quorum, the results and counters, describe), the same per-master deadlines (each
 * connection's command timeout capped by timeout_ms), and the same early decision: once
 * the outcome is known, done runs and the replies still on their way are cancelled (read and
 * dropped in order by their connections). NOSCRIPT after EVALSHA re-sends EVAL on that
 * master within the same deadline. */
typedef void (*pottery_afanout_done)(void *arg);

typedef struct pottery_afanout {
    pottery_fanout votes; /* inputs (n, quorum, check, decide, ctx, timeout_ms) and outputs */
    pottery_async *const *conns;
    pottery_areq **reqs; /* per master: the request in flight, NULL when settled */
    unsigned char *evalsha;
    pottery_buf wire;       /* the request being formatted (kept between runs) */
    const pottery_cmd *cmd; /* the command, or the script's arguments (borrowed until done) */
    const pottery_script *script;
    size_t nkeys;
    int64_t start_ms;
    pottery_afanout_done done;
    void *arg;
    int running;
} pottery_afanout;

/* Set the inputs as pottery__fanout_init does, on n connections. */
void pottery__afanout_init(pottery_afanout *af, pottery_async *const *conns, size_t n, size_t quorum);

/* Start: cmd (or script s with nkeys keys and args, borrowed until done runs) to every
 * connection. 0 when started (done(arg) will run once the outcome is known, from the
 * loop), or ENOMEM / EINVAL with nothing left running. */
int pottery__afanout_exec(pottery_afanout *af, const pottery_cmd *cmd, pottery_afanout_done done, void *arg);
int pottery__afanout_eval(pottery_afanout *af, const pottery_script *s, size_t nkeys, const pottery_cmd *args,
                          pottery_afanout_done done, void *arg);

/* Stop a running fan-out without calling done (its requests are cancelled). */
void pottery__afanout_cancel(pottery_afanout *af);

/* Cancel if running, and free the votes of the last run. */
void pottery__afanout_free(pottery_afanout *af);

#endif
