/*
 * Test support for the connection tests: fake Redis servers for faults a real server cannot
 * produce on demand.
 *
 *  - fake_server: a loopback TCP server in a thread that parses RESP commands and answers
 *    each through a callback (which may also stay silent, send its bytes slowly or close the
 *    connection), counting connections and commands.
 *  - full_listener: a socket that listens with a full accept backlog and never accepts, so
 *    the kernel drops new SYNs and connect() hangs until its timeout.
 */
#ifndef POTTERY_TEST_FAKE_SERVER_H
#define POTTERY_TEST_FAKE_SERVER_H

#include <stdatomic.h>
#include <stddef.h>

/* Return the RESP bytes to send for a command (argv[0] is the command name, NUL-terminated
 * arguments), or NULL to never answer it. */
typedef const char *(*fake_reply_fn)(int argc, char **argv, void *userdata);

/* What to do with one command: send `bytes` (NULL: nothing), one byte every pace_us
 * microseconds if pace_us > 0, then close the connection if `close` is set. The bytes must
 * stay valid until the next call of the callback. */
typedef struct fake_action {
    const char *bytes;
    long pace_us;
    int close;
} fake_action;

/* conn tells the connections apart: 1 for the first one accepted, 2 for the next... */
typedef fake_action (*fake_action_fn)(int conn, int argc, char **argv, void *userdata);

typedef struct fake_server fake_server;

/* Start listening on 127.0.0.1 on a free port. 0 or -1. */
int fake_server_start(fake_server **out, fake_reply_fn fn, void *userdata);
/* The same with a callback that also chooses the pace and the closing of the connection.
 * The callbacks run on the server's thread, one command at a time. */
int fake_server_start_actions(fake_server **out, fake_action_fn fn, void *userdata);
int fake_server_port(const fake_server *s);
int fake_server_accepted(const fake_server *s); /* connections accepted so far */
int fake_server_commands(const fake_server *s); /* complete commands received so far */
/* Close every connection the server has (the client sees the connection drop). */
void fake_server_drop_clients(fake_server *s);
void fake_server_stop(fake_server *s); /* accepts NULL */

/* A sentinel that names 127.0.0.1:<port> as the address of any master (the port may be
 * changed while it runs), answers PING, and with a password set wants AUTH with it first on
 * each connection (NOAUTH before, WRONGPASS for another password). */
typedef struct fake_sentinel {
    fake_server *server;
    atomic_int port;
    const char *password; /* NULL: none (borrowed) */
    int authed;           /* the connection that gave the password last */
    char reply[128];
} fake_sentinel;

/* Start naming port: 0 or -1. */
int fake_sentinel_start(fake_sentinel *fs, int port, const char *password);
void fake_sentinel_name(fake_sentinel *fs, int port); /* name another port from now on */
int fake_sentinel_port(const fake_sentinel *fs);      /* where it listens */
void fake_sentinel_stop(fake_sentinel *fs);

typedef struct full_listener {
    int fd;
    int port;
    int fillers[8];
    int nfillers;
} full_listener;

/* A listener on 127.0.0.1 whose backlog is full: connecting to port times out. 0 or -1. */
int full_listener_open(full_listener *l);
void full_listener_close(full_listener *l);

#endif
