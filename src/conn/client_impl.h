/*
 * Internal to src/conn/: the client structure and the low-level send/receive path that
 * every way of running commands (exec, pipelines, MULTI, scripts, streaming) goes through.
 *
 * Bookkeeping rules, kept in one place (io.c):
 *  - a command appended with pottery__conn_append counts in stats.commands (handshake
 *    commands do not);
 *  - the first pottery__conn_read after one or more appends counts one round trip;
 *  - any I/O error, timeout or unreadable reply drops the connection (pottery__conn_drop);
 *    the next append reconnects, handshakes again and counts stats.reconnects. Nothing is
 *    ever re-sent.
 *
 * Deadlines: the command timeout bounds a whole call, not each socket read. The clock
 * starts with the first command appended while nothing is pending (or at
 * pottery__call_begin) and stops when the last reply has been read (or at the matching
 * pottery__call_end), so a pipeline, a transaction or a streamed bulk write is one call,
 * and so is a multi-round-trip operation wrapped in a call scope. Every wait in between
 * is bounded by the time left: a poll() while sending, a blocking recv() whose receive
 * timeout never exceeds it while receiving.
 */
#ifndef POTTERY_CONN_CLIENT_IMPL_H
#define POTTERY_CONN_CLIENT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"
#include "conn/url.h"

/* Pending output is written to the socket once it grows past this many bytes. */
#define POTTERY_FLUSH_BYTES ((size_t)64 * 1024)

/* A Lua script this client has used: keyed by the pottery_script pointer (and its source
 * pointer, so that a reused address with other text is not mistaken for it). */
typedef struct pottery_script_entry {
    const pottery_script *script;
    const char *source;
    char sha[41];
    uint64_t loaded_gen; /* connection generation on which it was sent with EVAL (0 = none) */
} pottery_script_entry;

/* The scripts one connection has used (the blocking client's, or an event-loop one's). */
typedef struct pottery_script_table {
    pottery_script_entry *entries;
    size_t n, cap;
} pottery_script_table;

/* s's entry, added (with its SHA1, not loaded) on first use; NULL when out of memory. */
pottery_script_entry *pottery__script_entry(pottery_script_table *t, const pottery_script *s);
void pottery__script_table_free(pottery_script_table *t);
/* After a NOSCRIPT: s is not loaded on the connection any more. */
void pottery__script_table_forget(pottery_script_table *t, const pottery_script *s);

struct redisContext;
struct redisReader;

struct pottery_client {
    struct redisContext *ctx;   /* NULL while disconnected; owns the socket */
    struct redisReader *reader; /* parses this connection's replies */
    int fd;                     /* ctx's socket: blocking once connected (see io.c) */
    int blocking;               /* fd is in blocking mode (a connect in progress is not) */
    int64_t recv_timeout_ms;    /* fd's SO_RCVTIMEO: 0 none, -1 unknown */
    pottery_url addr;           /* where and how to connect (URL with the options applied) */
    char *endpoint;             /* "host:port" or "unix:/path", for messages */
    int64_t connect_timeout_ms; /* > 0, or POTTERY_FOREVER */
    int64_t command_timeout_ms; /* > 0, or POTTERY_FOREVER */
    pottery_buf out;            /* formatted commands not yet written to the socket */
    int64_t deadline_ms;        /* monotonic ms at which the current call times out */
    int deadline_set;           /* a call is running: deadline_ms applies */
    int64_t call_timeout_ms;    /* the timeout deadline_ms was set from (POTTERY_FOREVER: none) */
    int call_depth;             /* nesting of pottery__call_begin */
    pottery_client_stats stats;
    uint64_t gen;    /* bumped by every successful connect */
    size_t pending;  /* replies still to be read for commands sent */
    size_t late;     /* replies owed to an earlier call that returned without them (a fan-out
                      * that decided early): they precede pending's on the wire and are
                      * discarded by the next read; a dropped connection forgets them */
    int awaiting;    /* commands appended since the last wait for replies */
    int counting;    /* 0 during the handshake: nothing counts in stats */
    int stale_watch; /* WATCHed keys may still be set on this connection */
    int watching;    /* a WATCH was sent since the last EXEC, DISCARD or UNWATCH */
    pottery_script_table scripts;
    int asking; /* Redis Cluster: send ASKING before the next command (an ASK redirection) */
    /* Not one connection: a cluster or a pool (front.h), whose state is front_state; the
     * connection fields above are then unused, but for addr, endpoint and the timeouts. */
    const struct pottery_front_ops *front;
    void *front_state;
};

/* Where and how to connect, from a URL and pottery_client_options (shared by the blocking
 * client and the event-loop connections). resolve: 0, EINVAL naming fn, ENOMEM; on failure
 * there is nothing to free. url NULL: $REDIS_URL, else redis://localhost:6379/0. */
typedef struct pottery_address {
    pottery_url url;            /* the URL with the options' user, password and db applied */
    char *endpoint;             /* "host:port" or "unix:/path", for messages */
    int64_t connect_timeout_ms; /* > 0, or POTTERY_FOREVER */
    int64_t command_timeout_ms; /* > 0, or POTTERY_FOREVER */
} pottery_address;

int pottery__address_resolve(pottery_address *a, const char *url, const pottery_client_options *opts, const char *fn);
void pottery__address_free(pottery_address *a);

/* A call scope on one connection whose deadline is deadline_ms (monotonic) from the
 * timeout timeout_ms: a front's scope handed down to the connection a call runs on. */
void pottery__call_begin_at(pottery_client *c, int64_t deadline_ms, int64_t timeout_ms);

/* A client that is one connection, not connected yet, for host:port with the user,
 * password and timeouts of tmpl (database 0). NULL when out of memory. */
pottery_client *pottery__client_new_node(const pottery_client *tmpl, const char *host, int port);

/* The RESP reader of one connection (reply.c): it builds pottery_reply trees and refuses
 * absurd sizes. new returns NULL when out of memory. */
struct redisReader *pottery__reader_new(void);
void pottery__reader_free(struct redisReader *reader); /* accepts NULL */
/* Event-loop connections: from now on the reader accepts only replies to commands sent
 * (replies more are owed), so that an unsolicited one fails the connection rather than
 * reaching hiredis' dispatcher. */
void pottery__reader_expect(struct redisReader *reader, size_t replies);
/* Why the reader stopped or should stop (an unsolicited reply, an absurd array or string
 * header, bytes that are not RESP, out of memory) as an error naming endpoint; 0 when it
 * is fine. */
int pottery__reader_failure(struct redisReader *reader, const char *endpoint);
/* Release the library's part of a reader that hiredis will free (a partial reply, the
 * reader's state): after this hiredis' redisReaderFree leaks nothing. */
void pottery__reader_detach(struct redisReader *reader);
/* A reply that hiredis will free after its callback: move its contents into a new reply
 * (the caller's), leaving r empty. NULL when out of memory (r untouched). */
pottery_reply *pottery__reply_steal(pottery_reply *r);

/* Append received bytes: 0 or ENOMEM. */
int pottery__reader_feed(struct redisReader *reader, const char *buf, size_t len);
/* 1 and *out = the next complete reply, 0 if none is complete yet, or POTTERY_EPROTOCOL
 * (bytes that are not RESP, a size above the limits in conn.h) / POTTERY_ENOMEM; after an
 * error the connection is out of step and must be dropped. */
int pottery__reader_next(struct redisReader *reader, pottery_reply **out, const char *endpoint);

/* Append cmd (after npre borrowed prefix arguments; cmd may be NULL) to b as RESP. 0 or
 * ENOMEM. Shared by the blocking client and the event-loop connections. */
int pottery__resp_append(pottery_buf *b, size_t npre, const char *const *pre, const size_t *prelens,
                         const pottery_cmd *cmd);

/* What a new connection sends before anything else: AUTH when the URL or options name a
 * user or password, SELECT when the database is not 0, PING when asked (the blocking client
 * uses it to check the server answers at all). Arguments point into addr and h. */
typedef struct pottery_handshake_cmd {
    const char *what; /* "AUTH", "SELECT" or "PING" */
    const char *argv[3];
    size_t argl[3];
    size_t argc;
} pottery_handshake_cmd;

typedef struct pottery_handshake {
    pottery_handshake_cmd cmds[4];
    size_t n;
    char dbtext[16];
} pottery_handshake;

/* A sentinel URL's handshake ends in ROLE (instead of PING): the server the sentinels named
 * must say it is the master. */
void pottery__handshake_plan(pottery_handshake *h, const pottery_url *addr, int ping);
/* Judge the reply r to h->cmds[i]: 0, or the refusal as an error naming the endpoint. */
int pottery__handshake_judge(const pottery_handshake *h, size_t i, const pottery_reply *r, const pottery_url *addr,
                             const char *endpoint);

/* The endpoint text of u for messages: "host:port", "[v6]:port", "unix:/path", or for a
 * sentinel URL "master NAME at host:port" ("master NAME (not located yet)" before the
 * sentinels were asked). NULL when out of memory. */
char *pottery__url_endpoint(const pottery_url *u);

/* Sentinel URLs: ask c's sentinels in turn, within c's connect timeout as a whole (each gets
 * an equal share of what is left), for the address of the master they know by c's master
 * name; store it in c->addr and c->endpoint and move the sentinel that answered to the
 * front. POTTERY_ECONN (or ETIMEOUT when every sentinel timed out) naming every sentinel
 * asked and why it gave no address; ENOMEM. */
int pottery__sentinel_locate(pottery_client *c);

/* Connect now (replacing nothing: the client must be disconnected), then AUTH/SELECT/PING
 * within the connect timeout. A sentinel URL first asks the sentinels where the master is
 * (pottery__sentinel_locate, up to another connect timeout) and sends ROLE instead of PING. */
int pottery__conn_connect(pottery_client *c);

/* Write every appended byte to the socket (within the call's deadline), so the commands
 * reach the server before the caller turns to something else (another server, say).
 * Reading a reply flushes too. */
int pottery__conn_flush(pottery_client *c);

/* Connect every disconnected client of cs at once (non-blocking connects, then every
 * handshake sent before any is read, all bounded by each client's connect timeout), so that
 * dead or frozen servers cost one connect timeout together instead of one each in turn.
 * rcs[i]: 0 (connected, or already was), or the error, whose message is in why[i].
 * Returns 0, or ENOMEM before anything was tried. Counts reconnects as pottery__conn_ensure. */
int pottery__conn_connect_all(pottery_client *const *cs, size_t n, int *rcs, pottery_error_saved *why);

/* Connect (if disconnected) with AUTH/SELECT; counts a reconnect. */
int pottery__conn_ensure(pottery_client *c);

/* Append one command: npre borrowed prefix arguments followed by cmd's arguments (cmd may
 * be NULL for the prefix alone). Reconnects first if needed. Reports cmd->err, an empty
 * command (EINVAL), ENOMEM, or an I/O error while flushing. */
int pottery__conn_append(pottery_client *c, size_t npre, const char *const *pre, const size_t *prelens,
                         const pottery_cmd *cmd);

/* Read the next reply (any type, ERROR included). I/O errors drop the connection. Late
 * replies (c->late) are consumed first, unseen by the caller. */
int pottery__conn_read(pottery_client *c, pottery_reply **out);

/* pottery__conn_read without waiting, for a caller that polls the socket itself (the
 * fan-out): one non-blocking recv() at most. 1 and *out = the next reply, 0 when it has not
 * fully arrived yet, or an error (the connection dropped). */
int pottery__conn_read_ready(pottery_client *c, pottery_reply **out);

/* pottery__conn_read that lets the call's deadline pass without failing (the fan-out's one
 * master still waiting): 1 and *out = the next reply, 0 once the deadline has passed (the
 * connection kept, the reply still pending), or an error (the connection dropped). */
int pottery__conn_read_until_deadline(pottery_client *c, pottery_reply **out);

/* 1 when the call running on c has passed its deadline. */
int pottery__conn_timed_out(pottery_client *c);
/* Report ETIMEOUT for c's call ("<doing> <endpoint>: no answer within N ms") and drop the
 * connection. Returns POTTERY_ETIMEOUT. */
int pottery__conn_fail_timeout(pottery_client *c, const char *doing);

/* The call on c returns without the replies it still waits for: they become late replies,
 * consumed (discarded) before the reply of c's next command, so the connection stays in
 * step and the commands stay in order on the server. */
void pottery__conn_owe(pottery_client *c);

/* Close the hiredis context and forget everything tied to the connection. */
void pottery__conn_drop(pottery_client *c);

/* ESTATE when replies to streamed commands (pottery__send) are still unread. */
int pottery__conn_check_idle(pottery_client *c);

/* Check a command before anything is sent: cmd->err, or EINVAL for a NULL command or
 * (unless allow_empty) one without arguments. */
int pottery__cmd_check(const pottery_cmd *cmd, int allow_empty);

/* The argument array of a command (inline or heap, whatever c->args says). */
const pottery_cmd_arg *pottery__cmd_argv(const pottery_cmd *cmd);
/* Add an argument whose len bytes are already in cmd->arena at off. */
int pottery__cmd_push_arena(pottery_cmd *cmd, size_t off, size_t len);
/* Bytes of argument i. */
const char *pottery__cmd_arg_ptr(const pottery_cmd *cmd, size_t i);

/* Read n replies after a pipeline was appended; outs (may be NULL) receives them. With
 * outs NULL the first ERROR reply becomes EREDIS (after all replies were read). On an I/O
 * failure everything read so far is freed and outs[] is all NULL. */
int pottery__conn_read_n(pottery_client *c, pottery_reply **outs, size_t n);

/* Run MULTI + cmds + EXEC; the commands come either from an array (arr) or from an array
 * of pointers (ptrs). See pottery__exec_multi. */
int pottery__conn_multi(pottery_reply **out, pottery_client *c, const pottery_cmd *arr, pottery_cmd *const *ptrs,
                        size_t n);

void pottery__scripts_free(pottery_client *c);

/* Scripts, for callers that send and read separately (pottery__eval, the fan-out): check
 * the arguments (EINVAL naming fn for a NULL script; cmd->err; at least nkeys arguments;
 * args NULL = none); append EVALSHA when s is known loaded on
 * this connection (*evalsha = 1), else EVAL (*evalsha = 0), reconnecting first if needed;
 * tell whether a reply is NOSCRIPT; forget that s is loaded (after a NOSCRIPT: the next
 * append sends EVAL). */
int pottery__script_check(const pottery_script *s, size_t nkeys, const pottery_cmd *args, const char *fn);
int pottery__script_append(pottery_client *c, const pottery_script *s, size_t nkeys, const pottery_cmd *args,
                           int *evalsha);
int pottery__script_is_noscript(const pottery_reply *r);
void pottery__script_forget(pottery_client *c, const pottery_script *s);

#endif
