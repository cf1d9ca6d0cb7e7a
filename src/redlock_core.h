/* Internal: the Redlock algorithm without its I/O, shared by pottery_redlock (blocking
 * fan-out, sleeps between attempts) and pottery_aioredlock (event-loop fan-out, loop timer
 * between attempts). Each operation is: build the request (which also sets the fan-out's
 * rule), run it on the masters one way or the other, then judge the votes here. */
#ifndef POTTERY_REDLOCK_CORE_H
#define POTTERY_REDLOCK_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"
#include "pottery/redlock.h"

#define POTTERY_REDLOCK_DESCRIBE_MAX 400

typedef struct pottery_redlock_core {
    char *key; /* "redlock:<key>" */
    size_t n;
    size_t quorum;
    pottery_redlock_options opts;
    int64_t drift_ms;
    char uuid[37]; /* "" until the first attempt */
    int extensions;
    char *fence_key;                         /* {redlock:<key>}:fence with the fencing option, else NULL */
    int64_t token;                           /* the last grant's fencing token, 0 when none */
    char last[POTTERY_REDLOCK_DESCRIBE_MAX]; /* the last failed attempt's votes */
} pottery_redlock_core;

/* Validate (fn names the caller in messages) and set up; n masters, not checked here. */
int pottery__redlock_core_init(pottery_redlock_core *core, const char *key, size_t n,
                               const pottery_redlock_options *opts, const char *fn);
void pottery__redlock_core_free(pottery_redlock_core *core);
int pottery__redlock_check_blocking(int blocking, int64_t timeout_ms);

/* One attempt's request: a fresh uuid, SET key uuid PX lease NX into cmd (borrowing from
 * core), and f's rule (quorum, SET's reply check, no waiting past the lease). */
int pottery__redlock_attempt_request(pottery_cmd *cmd, pottery_fanout *f, pottery_redlock_core *core);
/* The script an attempt runs instead of SET (fencing: redlock_acquire_fenced with the 2 keys
 * and 2 arguments pottery__redlock_attempt_request pushed), or NULL for SET NX PX. */
const pottery_script *pottery__redlock_attempt_script(const pottery_redlock_core *core);
/* After a fenced grant with more than one master: redlock_fence_raise's request (its key
 * and the token into args; f decides at once, so nobody waits for the replies). */
void pottery__redlock_raise_request(pottery_cmd *args, pottery_fanout *f, const pottery_redlock_core *core);
/* Judge an attempt: *got = 1 when held; otherwise *dead = 1 when more than N/2 masters
 * failed, core->last describes the votes, and the caller must undo (release on every
 * master) before returning. 0, or EIMPOSSIBLE (raise_on_redis_errors). */
int pottery__redlock_attempt_judge(int *got, int *dead, pottery_redlock_core *core, const pottery_fanout *f);

/* The scripts' requests: script s (release, extend or acquired) with KEYS[1] = the key,
 * ARGV = uuid (+ the lease for extend) into args; release waits for every master. */
void pottery__redlock_script_request(pottery_cmd *args, pottery_fanout *f, const pottery_redlock_core *core,
                                     const pottery_script *s);

/* Before release / extend / locked: EUNLOCKED (never acquired), EEXTENSIONS; 0 to go on.
 * locked answers 0 without asking when never acquired: *ask = 0. */
int pottery__redlock_release_check(const pottery_redlock_core *core);
int pottery__redlock_extend_check(const pottery_redlock_core *core);

/* Judge the votes of release, extend, locked. */
int pottery__redlock_release_judge(const pottery_redlock_core *core, const pottery_fanout *f);
int pottery__redlock_extend_judge(pottery_redlock_core *core, const pottery_fanout *f);
int pottery__redlock_locked_judge(int64_t *validity_ms, const pottery_redlock_core *core, const pottery_fanout *f);

/* The blocking acquire's schedule. */
typedef struct pottery_redlock_wait {
    int blocking;
    int64_t timeout_ms;
    int64_t start_ns;
    int64_t dead_since_ns; /* when attempts began to find a quorum impossible, or -1 */
} pottery_redlock_wait;

void pottery__redlock_wait_start(pottery_redlock_wait *w, int blocking, int64_t timeout_ms);
/* After a failed attempt: 1 with *delay_ns to wait before the next one, 0 to give up (not
 * acquired), or EQUORUM (more than half of the masters failing for a whole lease while
 * waiting forever). */
int pottery__redlock_wait_next(int64_t *delay_ns, pottery_redlock_wait *w, const pottery_redlock_core *core, int dead);
/* After the delay: 1 to attempt again, 0 when the time is up. */
int pottery__redlock_wait_again(const pottery_redlock_wait *w);

/* The scoped helpers' failure to acquire: EQUORUM describing the last attempt. */
int pottery__redlock_not_acquired(const pottery_redlock_core *core);

#endif
