/**
 * @file async.h
 * A connection to one Redis server (given directly, or as the master a set of sentinels
 * knows by a name) driven by an event loop (loop.h), for the asynchronous lock and id
 * generator (aioredlock.h, aionextid.h): the counterpart of pottery_client for programs
 * whose thread must never block.
 *
 * Guarantees:
 * - Nothing blocks: opening starts a non-blocking connect, commands are queued and written
 *   when the socket is ready, replies are read as they arrive. Everything runs on the loop's
 *   thread; a pottery_async and the handles using it must only be touched from that thread.
 * - AUTH (user and password from the URL or the options) and SELECT (the database) are sent
 *   on every connect and reconnect before any other command; a refusal fails the commands
 *   waiting on that connection (nothing runs on the wrong database).
 * - A sentinel URL: on every connect and reconnect the connection first asks the sentinels
 *   in turn where the master is, as pottery_client_open does (same order, time shares,
 *   password and errors), each over a non-blocking connection of its own on the loop; it
 *   then connects to the address named and sends ROLE with AUTH/SELECT, refusing a server
 *   that is not the master. Commands sent meanwhile wait, as they wait for a handshake.
 * - Every command has a deadline: the command timeout from the options, capped by the
 *   operation's own (a lock's lease, say), plus the connect timeout when it had to wait for
 *   a connection (twice the connect timeout for a sentinel URL: one for the sentinels, one
 *   for the master). A reply that arrives after its deadline is read and dropped in order, so
 *   the connection stays in step; a connection that misses two deadlines in a row is closed.
 * - A dropped connection (server gone, reset, a reply that is not RESP, an unsolicited
 *   reply, a size above the library's limits) fails what was waiting on it with
 *   POTTERY_ECONN / POTTERY_EPROTOCOL; the next command reconnects. Nothing is re-sent.
 * - The library never raises SIGPIPE, whatever the process's signal handling.
 * - A host name (a server's, a sentinel's, or one a sentinel names) is resolved when a
 *   connection is made, with getaddrinfo(), which blocks: give IP addresses or a unix
 *   socket to a loop that must never wait.
 */
#ifndef POTTERY_ASYNC_H
#define POTTERY_ASYNC_H

#include <stdint.h>

#include "client.h"
#include "common.h"
#include "loop.h"

POTTERY_BEGIN_DECLS

/** A connection to one server on an event loop (opaque). */
typedef struct pottery_async pottery_async;

/**
 * Open a connection to the server at url on loop (copied: it may live on the stack; the
 * event loop it points at must outlive the handle). url takes the forms of
 * pottery_client_open: `redis://[[user]:password@]host[:port][/db]`,
 * `unix:///path/to/redis.sock[?db=N]`, or
 * `redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/master-name[/db]`
 * `[?sentinel_password=P]`; NULL: $REDIS_URL, else redis://localhost:6379/0. A
 * `redis+cluster://` URL (or cluster_nodes in the options) is POTTERY_EINVAL: event-loop
 * connections do not route by hash slot.
 * opts as for pottery_client_open (NULL: the defaults). The connect starts now (for a
 * sentinel URL, the sentinels are asked first) and finishes on the loop; a server that
 * cannot be reached is reported by the first operation that needs it, not here.
 *
 * Time bounds of a connect: the connect timeout for the server to accept and answer the
 * handshake; for a sentinel URL, first another connect timeout as a whole for the
 * sentinels, each of which gets an equal share of what is left. Operations that wait for a
 * connect fail with what stopped it: POTTERY_ECONN or POTTERY_ETIMEOUT (every sentinel
 * asked and why it named no master, or the server that is not the master), POTTERY_EREDIS
 * (AUTH or SELECT refused).
 * @return 0, POTTERY_EINVAL (out or loop NULL, malformed URL, bad options, a loop without
 * its hooks), POTTERY_ENOMEM.
 */
POTTERY_API int pottery_async_open(pottery_async **out, const pottery_loop *loop, const char *url,
                                   const pottery_client_options *opts);

/**
 * Close the connection and free the handle. Free every lock and id generator using it
 * first. Commands still waiting are abandoned (their replies are never read). Accepts NULL;
 * may be called from a callback.
 */
POTTERY_API void pottery_async_free(pottery_async *conn);

/** Copy the connection's counters into *out: round_trips counts requests sent (each answered
 * on its own), commands the commands in them, reconnects the connections made after the
 * first. Zero for NULL. */
POTTERY_API void pottery_async_stats_get(pottery_client_stats *out, const pottery_async *conn);

/** Zero the connection's counters. Accepts NULL. */
POTTERY_API void pottery_async_stats_reset(pottery_async *conn);

/** "host:port" or "unix:/path" (owned by the handle; for a sentinel URL
 * "master NAME at host:port", the address the sentinels named last, or
 * "master NAME (not located yet)"); NULL for NULL. The text may change on every reconnect:
 * copy it to keep it. */
POTTERY_API const char *pottery_async_endpoint(const pottery_async *conn);

POTTERY_END_DECLS

#endif /* POTTERY_ASYNC_H */
