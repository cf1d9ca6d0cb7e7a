/* Internal: one watchdog renewal call (redlock_extend_many) without its I/O, shared by the
 * blocking watchdog (redlock_watchdog.c, on its own clients) and the event-loop one
 * (aiowatchdog.c, on the locks' pottery_async connections): the request, the fan-out's rule
 * (decided once every lock has its quorum or cannot get it) and the judgement, per lock. */
#ifndef POTTERY_REDLOCK_RENEW_H
#define POTTERY_REDLOCK_RENEW_H

#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"
#include "redlock_core.h"

#define POTTERY_NS_PER_MS 1000000LL

/* What a renewal needs of one watched lock (a copy, so a renewer never reads the handle). */
typedef struct pottery_renewal {
    char *key; /* owned: "redlock:<key>" */
    char uuid[37];
    int64_t lease_ms, drift_ms;
    int64_t due_ns; /* the next renewal */
    int64_t cap_ns; /* never renewed past this (INT64_MAX: no cap) */
    int64_t sent_ns;
    int outcome; /* the tick's: -1 to renew, 0 renewed, else a pottery_redlock_lost_reason */
} pottery_renewal;

/* The locks renewed by one call, on every master. */
typedef struct pottery_renew_group {
    pottery_renewal **items;
    size_t count;
    size_t quorum;
} pottery_renew_group;

/* Copy what renewals need from the held lock core, acquired at acquired_ns: 0 or ENOMEM. */
int pottery__renewal_init(pottery_renewal *r, const pottery_redlock_core *core, int64_t acquired_ns);
void pottery__renewal_free(pottery_renewal *r);

/* Before watching a held lock: EINVAL when watchdog_max_hold_ms is below the lease (fn names
 * the caller), else 0. */
int pottery__renew_check_cap(const pottery_redlock_core *core, const char *fn);

/* Whether a tick at now (its first lock due at first_ns) renews r: those due within a sixth
 * of their lease go with it (renewed a little early), so that locks acquired at about the
 * same time share their ticks. When it does, r->outcome is set: -1 to renew, or
 * POTTERY_REDLOCK_LOST_MAX_HOLD when the new lease would end past the cap. */
int pottery__renewal_take(pottery_renewal *r, int64_t now_ns, int64_t first_ns);

/* The call's request into args (the keys as KEYS on a cluster, one slot; as arguments on a
 * server) and f's rule (check, decide, ctx = g, a timeout of a third of the shortest lease,
 * so that the holder hears before the lease runs out). */
void pottery__renew_request(pottery_cmd *args, pottery_fanout *f, pottery_renew_group *g, int cluster);

/* After the call (ran: it was sent): each lock's outcome, and sent_ns = sent. */
void pottery__renew_judge(pottery_renew_group *g, const pottery_fanout *f, int ran, int64_t sent);

#endif
