/*
 * Internal: the connection layer. Containers build commands with pottery_cmd, run them
 * through the functions below and read replies through the accessors; only src/conn/
 * includes hiredis (through hiredis_compat.h).
 *
 * Round trips: every function documents how many it costs. A round trip is counted each
 * time the client waits for replies after having sent one or more commands.
 */
#ifndef POTTERY_CONN_H
#define POTTERY_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/random.h"
#include "pottery/client.h"
#include "pottery/value.h"

/* ---- replies (opaque; hiredis' redisReply inside) ---- */

typedef struct pottery_reply pottery_reply;

/* Replies announcing more than this are refused as POTTERY_EPROTOCOL before anything is
 * allocated for them (and the connection is dropped): Redis strings are at most 512 MiB,
 * and an array of 2^27 elements would already take gigabytes of reply objects. */
#define POTTERY_REPLY_MAX_BULK (512LL * 1024 * 1024)
#define POTTERY_REPLY_MAX_ELEMENTS (1LL << 27)

typedef enum pottery_reply_type {
    POTTERY_REPLY_STRING = 1,
    POTTERY_REPLY_ARRAY,
    POTTERY_REPLY_INTEGER,
    POTTERY_REPLY_NIL,
    POTTERY_REPLY_STATUS,
    POTTERY_REPLY_ERROR,
    POTTERY_REPLY_OTHER
} pottery_reply_type;

pottery_reply_type pottery__reply_type(const pottery_reply *r);
/* Bytes of a STRING, STATUS or ERROR reply (NULL and *len = 0 otherwise). len may be NULL. */
const char *pottery__reply_str(const pottery_reply *r, size_t *len);
size_t pottery__reply_count(const pottery_reply *r);                      /* ARRAY length, else 0 */
const pottery_reply *pottery__reply_at(const pottery_reply *r, size_t i); /* NULL if out of range */
void pottery__reply_free(pottery_reply *r);                               /* accepts NULL */
/* An ERROR reply sets POTTERY_EREDIS (message = the Redis text) and returns it; else 0. */
int pottery__reply_check(const pottery_reply *r);
/* Hand a reply to the caller: an ERROR reply is freed and returned as with
 * pottery__reply_check; otherwise *out gets r (out NULL: r is freed). */
int pottery__reply_deliver(pottery_reply **out, pottery_reply *r);
/* Decode a STRING reply as JSON into *out: EPROTOCOL for another type of reply (a caller
 * that accepts nil checks for it first), EDECODE for bytes that are not JSON. *out is
 * overwritten without being disposed, as pottery__decode does. */
int pottery__reply_decode(pottery_value *out, const pottery_reply *r);

/* ---- typed reads: a reply is only ever read as the type its command answers ----
 *
 * `what` names the command or script for the message (e.g. "HLEN"). Every function returns
 * 0, POTTERY_EREDIS (with the text) for an ERROR reply, or POTTERY_EPROTOCOL ("HLEN: expected
 * an integer reply, got a status reply") for any other type: a server or proxy answering
 * something the command cannot answer is never read as a success. A NULL reply counts as
 * the wrong type. */

/* Name of a reply type for messages ("an integer reply", "nil", ...). */
const char *pottery__reply_type_name(pottery_reply_type t);
/* Set POTTERY_EPROTOCOL: "<what>: expected <expected>, got <type of r>". Returns it. */
int pottery__reply_unexpected(const pottery_reply *r, const char *what, const char *expected);
/* r must be of type t. */
int pottery__reply_expect(const pottery_reply *r, pottery_reply_type t, const char *what);
/* An INTEGER reply: its value in *out. */
int pottery__reply_int(long long *out, const pottery_reply *r, const char *what);
/* An INTEGER reply between lo and hi inclusive (e.g. 0 or 1 for EXISTS / SISMEMBER). */
int pottery__reply_int_in(long long *out, const pottery_reply *r, long long lo, long long hi, const char *what);
/* A STRING (bulk) reply: its bytes (owned by r) in *s and *len (len may be NULL). */
int pottery__reply_bytes(const char **s, size_t *len, const pottery_reply *r, const char *what);
/* An ARRAY reply: its length in *count (count may be NULL). */
int pottery__reply_array(size_t *count, const pottery_reply *r, const char *what);
/* An ARRAY reply of exactly n elements. */
int pottery__reply_array_n(const pottery_reply *r, size_t n, const char *what);
/* A STATUS reply reading exactly `status` (e.g. "OK", "QUEUED"). */
int pottery__reply_status(const pottery_reply *r, const char *status, const char *what);

/* ---- commands (binary-safe argv; user data never passes through a format string) ---- */

#define POTTERY_CMD_INLINE 8

typedef struct pottery_cmd_arg {
    const char *ptr; /* borrowed bytes, or NULL when the bytes live in arena at off */
    size_t off;
    size_t len;
} pottery_cmd_arg;

typedef struct pottery_cmd {
    pottery_cmd_arg inline_args[POTTERY_CMD_INLINE];
    pottery_cmd_arg *args; /* inline_args or heap */
    size_t argc;
    size_t cap;
    pottery_buf arena; /* copies of encoded/copied arguments */
    int err;           /* first error while building; reported when the command runs */
} pottery_cmd;

void pottery__cmd_init(pottery_cmd *c);
void pottery__cmd_reset(pottery_cmd *c); /* argc = 0, keeps memory */
void pottery__cmd_free(pottery_cmd *c);
/* Each push returns 0 or an error code; the first error is also kept in c->err so a run
 * of pushes can be checked once (running the command returns it). */
int pottery__cmd_arg(pottery_cmd *c, const char *s, size_t len);  /* borrowed */
int pottery__cmd_cstr(pottery_cmd *c, const char *s);             /* borrowed */
int pottery__cmd_copy(pottery_cmd *c, const char *s, size_t len); /* copied */
int pottery__cmd_int(pottery_cmd *c, long long v);                /* copied as decimal */
int pottery__cmd_value(pottery_cmd *c, const pottery_value *v);   /* canonical JSON */

/* ---- running commands ---- */

/* One command, one round trip. *out (out may be NULL to discard) receives the reply. An
 * ERROR reply is returned as POTTERY_EREDIS with the Redis text (no reply is kept).
 * I/O failure: POTTERY_ECONN or POTTERY_ETIMEOUT; the connection is then dropped and the
 * next call reconnects (the failed command is never re-sent). */
int pottery__exec(pottery_reply **out, pottery_client *c, pottery_cmd *cmd);

/* pottery__exec with timeout_ms instead of the client's command timeout as the deadline of
 * this one command (POTTERY_FOREVER: wait as long as it takes), e.g. for a command that
 * blocks on the server longer than the client's own timeout. One round trip; replies and
 * errors as pottery__exec (ETIMEOUT when timeout_ms passes). EINVAL unless timeout_ms > 0
 * or POTTERY_FOREVER. Inside a call scope (pottery__call_begin) the scope's deadline
 * applies instead. */
int pottery__exec_timeout(pottery_reply **out, pottery_client *c, pottery_cmd *cmd, int64_t timeout_ms);

/* A call scope: every round trip between begin and the matching end shares one deadline,
 * the client's command timeout counted from begin (from the first command sent when no
 * scope is open). For operations that need several round trips (a SCAN batch after batch,
 * a pop and the put-back of what could not be decoded) but must still honour "the command
 * timeout bounds a call". Scopes nest; the outermost one sets the deadline. Costs nothing
 * on the wire. On a pool a scope also keeps the member its first call borrows for the
 * calling thread until the outermost end, so every call inside runs on one connection. */
void pottery__call_begin(pottery_client *c);
void pottery__call_begin_timeout(pottery_client *c, int64_t timeout_ms);
void pottery__call_end(pottery_client *c);

/* n commands in one round trip. outs[i] receives each reply (ERROR replies included:
 * check them with pottery__reply_check); outs may be NULL to discard all, and then the
 * first ERROR reply is returned as POTTERY_EREDIS (all commands were still run). On failure
 * no reply is kept (all outs[i] NULL). Every command is checked before anything is sent. */
int pottery__exec_pipeline(pottery_reply **outs, pottery_client *c, pottery_cmd *cmds, size_t n);

/* MULTI, the n commands, EXEC in one round trip. *out (may be NULL) is EXEC's array of
 * results. A command that failed while running (e.g. WRONGTYPE) makes the call return
 * EREDIS with its text (no reply kept; the other commands did run). Errors: EREDIS if a command was rejected
 * when queued (EXECABORT; the message is that command's error text); EPROTOCOL if a reply
 * is not what MULTI, a queued command or EXEC answers (a nil EXEC included: nothing is
 * WATCHed here; pottery__watch turns it into ECONFLICT). Every EXEC must go through here
 * or pottery__watch (see txn.c on stale WATCHes). */
int pottery__exec_multi(pottery_reply **out, pottery_client *c, pottery_cmd *cmds, size_t n);

/* Streaming form for bulk work of any size, still one round trip: queue commands with
 * pottery__send (output is flushed to the socket whenever it grows past 64 KiB, so memory
 * stays bounded), then read the replies in order with pottery__recv: one reply per call, an
 * ERROR reply returned as EREDIS (consumed: keep receiving the rest). Until every reply was
 * received, the other functions refuse to run (POTTERY_ESTATE). After an I/O error the
 * stream is gone (the connection was dropped): stop sending and receiving. */
int pottery__send(pottery_client *c, pottery_cmd *cmd);
int pottery__recv(pottery_reply **out, pottery_client *c);

/* ---- streamed MULTI/EXEC: bulk writes of any size in one round trip ---- */

/* A transaction sent to the server while it is being built, so only one command is in
 * memory at a time; the replies are read at the end: one round trip whatever its size.
 * A command that failed to build, or an explicit abort, turns EXEC into DISCARD, so
 * nothing is written. */
typedef struct pottery_stream_txn {
    pottery_client *client;    /* the connection it runs on (NULL: not chosen yet) */
    pottery_client *front;     /* a cluster or a pool that leased client (else NULL) */
    int slot;                  /* on a cluster: the slot of the first command */
    size_t sent;               /* commands whose replies are still to be read */
    size_t leading;            /* of those, the UNWATCH/MULTI in front (answered +OK) */
    int conn_rc;               /* the connection failed while sending: nothing left to read */
    int abort_rc;              /* the reason to DISCARD instead of EXEC */
    pottery_error_saved saved; /* abort_rc's message */
} pottery_stream_txn;

/* Send MULTI. Failures are kept in t and reported by pottery__stream_txn_finish. */
void pottery__stream_txn_begin(pottery_stream_txn *t, pottery_client *c);
/* Queue cmd (reusable afterwards). A build error in cmd->err aborts the transaction. */
void pottery__stream_txn_send(pottery_stream_txn *t, pottery_cmd *cmd);
/* Abort with rc (the current last-error message is kept). */
void pottery__stream_txn_abort(pottery_stream_txn *t, int rc);
/* 1 while nothing has failed yet (worth building more commands). */
int pottery__stream_txn_ok(const pottery_stream_txn *t);
/* EXEC (or DISCARD after an abort) and read every reply. *exec_out (may be NULL) gets
 * EXEC's results. Returns the abort reason, else the first error: a command refused when
 * queued, one failing inside EXEC (e.g. WRONGTYPE), or a connection failure. */
int pottery__stream_txn_finish(pottery_reply **exec_out, pottery_stream_txn *t);

/* ---- bulk writes: the shape every module's update/extend shares ---- */

/* next fills cmd (empty) with the next command of the write and returns 1, or 0 when there
 * is nothing more, or a negative code (its message set) to abandon the write; a failure
 * kept in cmd->err while building counts as such too. check judges the reply of command i
 * (0-based, in order). */
typedef struct pottery_bulk {
    pottery_client *client;
    int (*next)(pottery_cmd *cmd, void *ctx);
    int (*check)(const pottery_reply *r, size_t i, void *ctx);
    void *ctx;
} pottery_bulk;

/* Run a bulk write: a single command alone (atomic by itself), several as MULTI, the
 * commands, EXEC, streamed with one command in memory at a time. One round trip, and
 * nothing is written unless every command could be built. 0 or the first error (a build
 * failure, a command refused, a reply check, a connection failure). */
int pottery__bulk_write(const pottery_bulk *b);

/* ---- optimistic transactions ---- */

typedef struct pottery_txn {
    pottery_cmd **cmds; /* writes to run between MULTI and EXEC (each allocated alone) */
    size_t count;
    size_t cap;
} pottery_txn;

/* Queue a new write; returns a cleared command to fill, or NULL (ENOMEM set). The pointer
 * stays valid (later adds do not move it) until pottery__watch returns; the txn owns it. */
pottery_cmd *pottery__txn_add(pottery_txn *t);

/* WATCH keys (one round trip; nkeys 0 = no WATCH), then body does its reads with
 * pottery__exec on c and queues writes with pottery__txn_add. It returns 0 to commit, or a
 * non-zero code to abandon (UNWATCH is sent and the code returned). With no writes queued
 * nothing more is sent (the keys stay WATCHed until the next WATCH/MULTI, which clears them
 * in the same round trip) and *exec_out is NULL. Otherwise MULTI, the writes and EXEC go in
 * one round trip. If EXEC aborts because a watched key changed (or the connection was
 * replaced inside the body), everything is retried, up to max_tries (>= 1) times in all; then
 * POTTERY_ECONFLICT. *exec_out (may be NULL) receives EXEC's results on success; with
 * exec_out NULL an error inside EXEC's results is returned as EREDIS. The body is called
 * again on each retry, with an empty txn. keylens NULL: keys are C strings. */
typedef int (*pottery_txn_body)(pottery_client *c, void *ctx, pottery_txn *t);
int pottery__watch(pottery_reply **exec_out, pottery_client *c, const char *const *keys, const size_t *keylens,
                   size_t nkeys, int max_tries, pottery_txn_body body, void *ctx);

/* ---- Lua scripts ---- */

typedef struct pottery_script {
    const char *name;   /* for error messages */
    const char *source; /* Lua text; its SHA1 is computed by the client when first used */
} pottery_script;

/* Run script with nkeys keys followed by arguments, as pushed on args (KEYS then ARGV).
 * The first use on a connection sends EVAL (which also loads the script); later uses send
 * EVALSHA, falling back to EVAL on NOSCRIPT. One round trip. Replies as pottery__exec. */
int pottery__eval(pottery_reply **out, pottery_client *c, const pottery_script *s, size_t nkeys, pottery_cmd *args);

/* n commands, then the script (as pottery__eval takes it), in one round trip: outs[0..n]
 * (n + 1 of them, outs not NULL) receive every reply, ERROR replies included (check them
 * with pottery__reply_check). A NOSCRIPT answer to EVALSHA sends EVAL at once (a second
 * round trip, on that path only, within the same deadline). Every command is checked
 * before anything is sent; on failure no reply is kept (all outs[i] NULL). */
int pottery__exec_pipeline_eval(pottery_reply **outs, pottery_client *c, pottery_cmd *cmds, size_t n,
                                const pottery_script *s, size_t nkeys, pottery_cmd *args);

/* ---- fan-out: one command to N masters at once (Redlock, NextID) ----
 *
 * The command (or script) is appended to every client, every connection is flushed, then
 * one poll() over all the sockets reads the replies as they arrive: one round trip on each
 * client, no threads. Each master gets its own client's command timeout, capped by the
 * call's timeout; a master that is down, refuses or stays silent counts as a failure
 * within it and never holds up the others.
 *
 * Early decision: after each reply, `decide` (or the quorum rule) is consulted; once the
 * outcome is known the call returns. Replies still in flight are not abandoned: their
 * clients owe them (pottery_client.late) and consume them before the reply of their next
 * command, so a later command on a master (a release) always follows the earlier one (its
 * SET) there. A master that times out while it still owes replies from an earlier call is
 * dropped instead (it has been silent for two calls); a dropped connection forgets what it
 * owes (nothing is re-sent). A disconnected client is reconnected first, with the blocking
 * connect-with-timeout (its connect timeout, sequentially). */

typedef enum pottery_fanout_status {
    POTTERY_FANOUT_PENDING = 0, /* no reply yet: the call decided without it (the client owes it) */
    POTTERY_FANOUT_YES,         /* a reply that check accepted as a yes vote (no check: any non-error) */
    POTTERY_FANOUT_NO,          /* a valid reply that check counted as a no vote (e.g. nil for SET NX) */
    POTTERY_FANOUT_REDIS_ERROR, /* an ERROR reply: message is its text */
    POTTERY_FANOUT_UNREACHABLE, /* connection refused, lost or failed (POTTERY_ECONN) */
    POTTERY_FANOUT_TIMEOUT,     /* no reply within the master's timeout */
    POTTERY_FANOUT_PROTOCOL,    /* a reply of the wrong type, or not RESP (POTTERY_EPROTOCOL) */
    POTTERY_FANOUT_FAILED       /* another failure (e.g. ENOMEM, ESTATE): code and message say */
} pottery_fanout_status;

typedef struct pottery_fanout_result {
    pottery_fanout_status status;
    int code;             /* 0 for YES/NO/PENDING, else the POTTERY_E* code */
    pottery_reply *reply; /* YES and NO: the reply (owned by the fan-out) */
    char *message;        /* failures: why (owned by the fan-out) */
    const char *endpoint; /* the client's "host:port" (borrowed from the client) */
} pottery_fanout_result;

typedef struct pottery_fanout pottery_fanout;

/* check(r, i, ctx): judge master i's reply (never an ERROR reply: that is REDIS_ERROR
 * already): 1 = yes, 0 = no, or a negative code with its message set (EPROTOCOL: a reply of
 * the wrong type, e.g. through pottery__reply_int). decide(f, ctx): 1 once the outcome is
 * known (return now), else 0. */
typedef int (*pottery_fanout_check)(const pottery_reply *r, size_t i, void *ctx);
typedef int (*pottery_fanout_decide)(const pottery_fanout *f, void *ctx);

struct pottery_fanout {
    /* inputs (pottery__fanout_init sets them; adjust before running) */
    pottery_client *const *clients; /* n distinct clients, borrowed */
    size_t n;
    size_t quorum;                /* the default rule: decided at quorum yes votes, or once
                                     * more than n - quorum masters did not vote yes; 0 = wait
                                     * for every master */
    pottery_fanout_check check;   /* NULL: every non-error reply is a yes */
    pottery_fanout_decide decide; /* NULL: the quorum rule */
    void *ctx;                    /* for check and decide */
    int64_t timeout_ms;           /* the whole call; POTTERY_FOREVER (default): each master's
                                     * own command timeout alone */
    /* outputs (valid after a run, until the next run or pottery__fanout_free) */
    pottery_fanout_result *results;  /* n of them, in the order of clients */
    size_t yes, no, failed, pending; /* how many results of each kind */
    int64_t elapsed_ms;              /* monotonic time the call took */
};

/* Set the inputs (check, decide, ctx NULL; timeout POTTERY_FOREVER); no allocation. */
void pottery__fanout_init(pottery_fanout *f, pottery_client *const *clients, size_t n, size_t quorum);

/* Send cmd to every client and collect replies until decided. 0 when the call ran (the
 * votes are in f: a failed master is a result, not an error), or EINVAL (no clients, a
 * client twice, a client with unread streamed replies, a bad command: nothing sent) /
 * ENOMEM. One round trip on each client (a reconnect adds its handshake). */
int pottery__fanout_exec(pottery_fanout *f, const pottery_cmd *cmd);

/* The same with a Lua script (nkeys keys, then arguments, as pottery__eval takes them):
 * EVALSHA where the script is known loaded on that connection, else EVAL; a master
 * answering NOSCRIPT gets EVAL at once, within the same call and deadline (a second round
 * trip on that master only). */
int pottery__fanout_eval(pottery_fanout *f, const pottery_script *s, size_t nkeys, const pottery_cmd *args);

/* "<yes> of <n>" followed, when any master did not vote yes, by each of them and why:
 * "2 of 5 (127.0.0.1:7001 timeout, 127.0.0.1:7003 connection refused, 127.0.0.1:7004 no)".
 * Writes at most size bytes (NUL included) as snprintf does; returns the full length. */
size_t pottery__fanout_describe(char *buf, size_t size, const pottery_fanout *f);

/* Free the replies and messages of the last run (the inputs stay). Accepts NULL. */
void pottery__fanout_free(pottery_fanout *f);

/* POTTERY_ENOMEM (the error set, naming the master) when a master's vote was lost to this
 * process running out of memory rather than to the master: a caller whose outcome that vote
 * could have changed reports it instead of a refusal. Else 0. */
int pottery__fanout_oom(const pottery_fanout *f);

/* The vote counting, for the code that moves the requests (fanout.c here, async/afanout.c
 * on an event loop). start: free the last run's results and allocate n pending ones (0 or
 * ENOMEM). settle_reply: master i answered r (taken over): an ERROR reply is a REDIS_ERROR,
 * anything else goes to check. settle_failure: master i failed with code (message copied;
 * NULL: the last error's). waiting: master i has not settled. decided: the outcome is known
 * (every master settled, or decide / the quorum rule says so). */
int pottery__fanout_start(pottery_fanout *f);
void pottery__fanout_settle_reply(pottery_fanout *f, size_t i, pottery_reply *r);
void pottery__fanout_settle_failure(pottery_fanout *f, size_t i, int code, const char *message);
int pottery__fanout_waiting(const pottery_fanout *f, size_t i);
int pottery__fanout_decided(const pottery_fanout *f);

/* ---- SCAN-family cursors (bounded memory: one batch at a time) ---- */

typedef struct pottery_scan {
    pottery_client *client;
    const char *verb; /* "SCAN", "HSCAN", "SSCAN" or "ZSCAN" (static string) */
    char *key;        /* copy; NULL for SCAN */
    size_t keylen;
    long long count; /* COUNT hint, 0 = server default */
    char cursor[32];
    int started;
    int finished; /* the server returned cursor 0 */
    pottery_reply *batch;
    size_t pos;
} pottery_scan;

int pottery__scan_init(pottery_scan *s, pottery_client *c, const char *verb, const char *key, size_t keylen,
                       long long count);
/* Next item (for HSCAN/ZSCAN the items alternate field, value). 0 with *item and *len set
 * (valid until the next call), POTTERY_EITEROVER at the end, or an error. Fetches a new
 * batch (one round trip) when the current one is used up. len may be NULL.
 * pottery__scan_init zeroes *s first, so pottery__scan_free is safe after a failed init. */
int pottery__scan_next(pottery_scan *s, const char **item, size_t *len);
/* Give back the last n items of the current batch, so that the next calls return them
 * again: for a caller that could not take an item it was given (out of memory). */
void pottery__scan_unread(pottery_scan *s, size_t n);
void pottery__scan_free(pottery_scan *s);

/* ---- client facts used by containers ---- */

/* 1 if both clients talk to the same server and database (host/port or socket, db). */
int pottery__client_same_server(const pottery_client *a, const pottery_client *b);

/* The client's command timeout in ms (POTTERY_FOREVER: none), as given to
 * pottery_client_open; POTTERY_FOREVER for NULL. */
int64_t pottery__client_command_timeout(const pottery_client *c);

/* A new key "pottery:<uuid4>" that did not exist (checked with EXISTS, up to 3 tries;
 * then POTTERY_ERANDOMKEY). out must hold POTTERY_RANDOM_KEY_SIZE bytes. */
#define POTTERY_RANDOM_KEY_PREFIX "pottery:"
#define POTTERY_RANDOM_KEY_SIZE 45 /* 8 + 36 + NUL */
int pottery__random_key(char *out, pottery_client *c);
/* A key "pottery:<uuid4>" without asking Redis whether it exists: for callers that check
 * atomically themselves, or for scratch keys (a uuid4 never collides in practice). */
int pottery__random_key_unchecked(char *out);

/* The Redis Cluster hash slot of key[0..len) (0..16383): CRC-16/XMODEM of its hash tag
 * (the bytes between the first '{' and the first '}' after it, when there are any) or of the
 * whole key, modulo 16384. pottery__crc16 is the checksum itself. */
unsigned pottery__key_slot(const char *key, size_t len);
/* 1 when c is a Redis Cluster client (directly, or a pool of cluster clients): keys of
 * different slots cannot meet in one call there. */
int pottery__client_is_cluster(const pottery_client *c);
uint16_t pottery__crc16(const char *data, size_t len);

/* The name of a key that must sit in the same Redis Cluster hash slot as key (a companion
 * record, a scratch key a script uses beside it): key's own hash tag is kept when it has
 * one, else key becomes the tag; suffix follows. "dilberts" + ":bloom" is
 * "{dilberts}:bloom", "{user}:bf" + ":bloom" is "{user}:bf:bloom". A key without a tag of
 * its own that contains a '}', or an empty one, cannot become one: key + suffix, which may
 * sit elsewhere.
 * *out is the caller's (pottery__free). 0 or ENOMEM. */
int pottery__key_beside(char **out, const char *key, size_t keylen, const char *suffix);

/* UNLINK key if it begins with "pottery:" (used by every container's _free). Errors are
 * ignored: freeing never fails. */
void pottery__unlink_if_temporary(pottery_client *c, const char *key);

#endif
