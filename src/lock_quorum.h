/* Internal: what pottery_rlock and pottery_rwlock share. A lock whose state is kept by a
 * Lua script on each of N masters, granted when a quorum (N / 2 + 1) of them say yes with
 * validity left (lease - elapsed - drift > 0), as Redlock (redlock_core.c, whose options,
 * blocking schedule and vote judging it reuses). The owner is the handle: one uuid4 made
 * when the handle is, kept in every request. */
#ifndef POTTERY_LOCK_QUORUM_H
#define POTTERY_LOCK_QUORUM_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"
#include "redlock_core.h"

typedef struct pottery_qlock {
    pottery_redlock_core core; /* key = "<prefix><key>", uuid = the handle's, opts, quorum */
    pottery_client **masters;
} pottery_qlock;

/* Check the arguments (fn names the caller) and set up: key "<prefix><key>", a fresh uuid4. */
int pottery__qlock_init(pottery_qlock *q, const char *prefix, const char *key, pottery_client *const *masters, size_t n,
                        const pottery_redlock_options *opts, const char *fn);
void pottery__qlock_free(pottery_qlock *q);

/* A script request: s run with nkeys keys then the arguments in args. */
typedef struct pottery_qlock_call {
    const pottery_script *script;
    size_t nkeys;
    pottery_cmd args;
} pottery_qlock_call;

/* Run call on every master; a yes is a positive integer reply. wait_all: wait for every
 * master (a release, an undo), else decide at the quorum. The votes are left in f
 * (pottery__fanout_free it). POTTERY_EREDIS when more than N/2 masters answered an error
 * (a key of another type: retrying cannot help), with the first master's text. */
int pottery__qlock_run(pottery_fanout *f, pottery_qlock *q, pottery_qlock_call *call, int wait_all);

/* Acquire: attempts of `take` until one wins a quorum with validity left, on the blocking /
 * timeout_ms schedule of pottery_redlock_acquire; each failed attempt runs `undo` on every
 * master first. *acquired = 1 on success. Errors: EINVAL (blocking / timeout), EREDIS,
 * EIMPOSSIBLE, EQUORUM (as Redlock), ENOMEM. */
int pottery__qlock_acquire(int *acquired, pottery_qlock *q, int blocking, int64_t timeout_ms, pottery_qlock_call *take,
                           pottery_qlock_call *undo);

/* Run call and require a quorum of yes votes: 0, or EUNLOCKED ("<what> of an unlocked lock
 * <key>: <votes>"), EIMPOSSIBLE, EREDIS. */
int pottery__qlock_need_quorum(pottery_qlock *q, pottery_qlock_call *call, int wait_all, const char *what);

/* The call's arguments: cleared, ready to be filled; pottery__qlock_call_free frees them. */
void pottery__qlock_call_init(pottery_qlock_call *call, const pottery_script *s, size_t nkeys);
void pottery__qlock_call_free(pottery_qlock_call *call);

#endif
