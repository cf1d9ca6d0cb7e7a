/* Internal: NextID without its I/O, shared by pottery_nextid (blocking fan-out) and
 * pottery_aionextid (event-loop fan-out). A call is a run of requests (a read or a
 * compare-and-set), each judged here after it went to the masters one way or the other.
 * The algorithm and its safety argument: include/pottery/nextid.h. */
#ifndef POTTERY_NEXTID_CORE_H
#define POTTERY_NEXTID_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"
#include "pottery/nextid.h"

typedef struct pottery_nextid_core {
    char *key; /* "nextid:<key>" */
    size_t n;
    size_t quorum; /* n / 2 + 1 */
    int num_tries;
    int raise_on_redis_errors;
    int known;     /* floor is worth proposing above without a read */
    int64_t floor; /* the highest id returned or heard of from a master */
} pottery_nextid_core;

/* What the votes of one fan-out tell: the largest value a master answered. */
typedef struct pottery_nextid_votes {
    const char *key;
    const char *proposal; /* the compare-and-set's id as text; NULL for a read */
    int64_t max;
    int any; /* max is set */
} pottery_nextid_votes;

/* One call of next. */
typedef struct pottery_nextid_run {
    int tries;   /* full tries (read + compare-and-set) begun */
    int reading; /* the request last built is the read */
    int propose; /* the next request is the compare-and-set */
    char proposal[24];
    pottery_nextid_votes votes;
} pottery_nextid_run;

/* Validate opts (NULL: defaults; fn names the caller) and set up for n masters. */
int pottery__nextid_core_init(pottery_nextid_core *core, size_t n, const pottery_nextid_options *opts, const char *fn);
void pottery__nextid_core_free(pottery_nextid_core *core);

void pottery__nextid_run_start(pottery_nextid_run *run, const pottery_nextid_core *core);
/* The next request into cmd (borrowing from core and run), *script = the script to run it
 * with (NULL: cmd is a command), f's rule set: 1, or 0 when the tries are used up (report
 * with pottery__nextid_run_exhausted), or ERANGE. */
int pottery__nextid_run_request(pottery_cmd *cmd, const pottery_script **script, pottery_fanout *f,
                                pottery_nextid_run *run, pottery_nextid_core *core);
/* Judge the votes of the request: 1 with *id when a quorum stored it, 0 to make the next
 * request, or EIMPOSSIBLE. */
int pottery__nextid_run_judge(int64_t *id, pottery_nextid_run *run, pottery_nextid_core *core, const pottery_fanout *f);
/* EQUORUM after the last try, describing its votes (f: the last fan-out). */
int pottery__nextid_run_exhausted(const pottery_nextid_run *run, const pottery_nextid_core *core,
                                  const pottery_fanout *f);

/* reset: DEL on every master (f waits for all); judged as succeeded only when every master
 * deleted (or had nothing). */
void pottery__nextid_reset_request(pottery_cmd *cmd, pottery_fanout *f, pottery_nextid_core *core);
int pottery__nextid_reset_judge(const pottery_nextid_core *core, const pottery_fanout *f);

/* repr: "<class_name key=nextid:...>" into *out (the caller's), or ENOMEM. */
int pottery__nextid_repr(char **out, const char *class_name, const pottery_nextid_core *core);

#endif
