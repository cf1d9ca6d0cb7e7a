/*
 * The fault matrix: every module against five faults of its server, one row per module.
 *
 *   killed     a private redis-server SIGKILLed before a call, and again while a call waits
 *              for its reply: the call fails with a connection error (the row's lost_code
 *              for quorum primitives) and a message; once the server is back on the same
 *              port, the next call through the same handle succeeds.
 *   frozen     the server SIGSTOPped: the call fails with POTTERY_ETIMEOUT (or lost_code)
 *              within the command timeout plus a generous margin (a bound against hanging,
 *              not a speed measurement); after SIGCONT the next calls read the right data,
 *              never the late reply of the call that timed out.
 *   slow       the server stopped for a while and let run again by a thread: a delay within
 *              the command timeout is waited out (the call succeeds with the right result),
 *              one past it is POTTERY_ETIMEOUT, and the next call reads the right data.
 *   wrongtype  the key holds another Redis type: the documented error, the key untouched.
 *   foreign    the key has the right Redis type but bytes the library did not write: the
 *              documented error (POTTERY_EDECODE mostly), no crash, the key untouched.
 *
 * The harness restarts a killed server without persistence (an empty dataset), so what was
 * acknowledged before a kill is gone by construction: the killed cells check that the handle
 * works again, on the empty server, not durability.
 *
 * Rows are in test_module_faults.c (containers and the pooled handle) and
 * test_module_faults_coord.c (locks, ids, limiters, the reliable queue, the watchdog and
 * the event-loop primitives); the procedures above are in test_module_faults_run.c.
 */
#ifndef POTTERY_TEST_MODULE_FAULTS_H
#define POTTERY_TEST_MODULE_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "pottery.h"
#include "support/redis_server.h"

/* The row's handle is opened on `client`, a client on the server at `url` opened with
 * command_timeout_ms (rows that open connections of their own use the URL and timeout). */
typedef struct fault_target {
    pottery_client *client;
    const char *url;
    int64_t command_timeout_ms;
} fault_target;

enum { FOREIGN_KEPT, FOREIGN_EXPIRY_SLID, FOREIGN_REPLACED };

enum { FAULT_KILLED, FAULT_FROZEN, FAULT_SLOW, FAULT_WRONGTYPE, FAULT_FOREIGN, FAULTS };

/* A command for the raw connection: up to 7 arguments, NULL-terminated. */
typedef struct raw_cmd {
    const char *argv[8];
} raw_cmd;

/* A key seeded by a raw command, a call of the row on it (the open included: some opens
 * read the key), the code it gives with needle in its message, and what became of the key:
 * as it was (FOREIGN_KEPT: type, bytes, expiry), the same bytes with the expiry slid as
 * every use slides it (FOREIGN_EXPIRY_SLID), or replaced as documented (FOREIGN_REPLACED:
 * the call checks what it became). */
typedef struct fault_seeded {
    raw_cmd seed;
    const char *key;
    int (*call)(void *h);
    int code;
    const char *needle;
    int outcome;
} fault_seeded;

typedef struct fault_row {
    const char *module;
    /* Open the handle on the key "k" (*h: the row's own struct); close frees all of it. */
    int (*open)(void **h, const fault_target *t);
    void (*close)(void *h);
    /* The representative write (n = 1, 2, ...: a new value, a new item, a new acquire), and
     * the representative read: after write(n) it succeeds and asserts what write n left
     * (locks: held, then released, so that the next write may acquire again). Both return
     * 0 or the library's code. */
    int (*write)(void *h, int64_t n);
    int (*read)(void *h, int64_t n);
    /* A call without effects for the frozen and slow cells (NULL: read(h, n) has none). */
    int (*probe)(void *h, int64_t n);
    /* What a dead or frozen server gives: 0 for POTTERY_ECONN / POTTERY_ETIMEOUT; the quorum
     * primitives, on one master with raise_on_redis_errors, give POTTERY_EIMPOSSIBLE. */
    int lost_code;

    /* wrongtype: the key holds another Redis type (call NULL: write(h, 1)); foreign: it has
     * the right type and bytes the library did not write (call NULL: read(h, 1)). */
    fault_seeded wrongtype, foreign;

    /* A row whose faults surface elsewhere than in a call (the watchdog renews in the
     * background) runs its own procedure for a cell instead of the generic one. */
    void (*custom[FAULTS])(const struct fault_row *row);
} fault_row;

/* m_open and m_close of a row whose handle is pottery_<m> on "k" with the default options. */
#define FAULTS_HANDLE(m)                                                                                               \
    static int m##_open(void **h, const fault_target *t)                                                               \
    {                                                                                                                  \
        return pottery_##m##_open((pottery_##m **)h, t->client, "k", NULL);                                            \
    }                                                                                                                  \
    static void m##_close(void *h)                                                                                     \
    {                                                                                                                  \
        pottery_##m##_free(h);                                                                                         \
    }

/* Run every row against every fault as cmocka tests named "<module>: <fault>". */
int faults_run_matrix(const fault_row *rows, size_t n);

/* ---- for rows ---- */

/* The private server killed, frozen and restarted by the killed / frozen / slow cells. */
extern test_redis victim;

/* A client on victim with this command timeout (and a short connect timeout). */
pottery_client *faults_victim_client(int64_t command_timeout_ms);

/* The server the wrongtype / foreign cells use (the fixture's), and a command on it. */
char *faults_raw(const raw_cmd *cmd);

/* "<sha1 of DUMP key> <PTTL>", or "none": what must not change (malloc'd). */
char *faults_digest(const char *key);

/* Monotonic milliseconds. */
int64_t faults_now_ms(void);

/* Stop victim now and let it run again after ms on a thread of its own (faults_slow_end
 * waits for that thread). */
void faults_slow_begin(int64_t ms);
void faults_slow_end(void);

#endif
