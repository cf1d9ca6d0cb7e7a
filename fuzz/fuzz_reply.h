/* The reply fuzzer's shared declarations: the fixture its operations run on, the contract
 * every call is checked against, and the table of operations (fuzz_reply_ops.c). */
#ifndef POTTERY_FUZZ_REPLY_H
#define POTTERY_FUZZ_REPLY_H

#include <stddef.h>

#include "pottery.h"

/* The clients of one input (c[i] on database i of the fake server) and the handles the
 * operations open on them when they first need them; fx_close frees what was opened. */
typedef struct fx {
    pottery_client *c[3];
    pottery_dict *d, *d2, *dx;
    pottery_set *s, *s2, *sx;
    pottery_list *l, *l2, *lx;
    pottery_deque *q, *q2, *qb;
    pottery_counter *k, *k2, *kx;
    pottery_queue *u;
    pottery_cache *ch, *chx;
    pottery_cached_ordered_dict *cod;
    pottery_hll *h, *h2;
    pottery_bloom *bf;
    pottery_semaphore *sem;
    pottery_ratelimit *rl;
    pottery_rqueue *rq;
    pottery_rlock *rlk, *rlk3;
    pottery_rwlock *rw, *rw3;
    pottery_redlock *lock, *lock3;
    pottery_nextid *nid, *nid3;
} fx;

/* The contract: rc is 0 or positive, POTTERY_EITEROVER (an iterator's end, not a failure),
 * or a negative POTTERY_E* code that pottery_error_last() repeats with a message. abort()
 * otherwise, naming the call. */
void fx_check(int rc, const char *call);
#define CALL(expr) fx_check((expr), #expr)

/* Clear the last error before a call, so that its message is the call's own. */
int fx_clear(void);

/* f->c[db], opened first if needed (the fake server answers its handshake). */
pottery_client *fx_client(fx *f, int db);

/* The URL of database db of the fake server. */
const char *fx_url(int db);

/* The fake server's TCP port on 127.0.0.1, where every TCP connection of the process ends
 * up, whatever address it was made to. */
int fx_tcp_port(void);

/* Short timeouts: a call that waits, waits little. The server never stays silent, so the
 * connect timeout only matters on a loaded machine, where a short one would fail the
 * fixture's opening. */
enum { FX_TIMEOUT_MS = 200, FX_WAIT_MS = 5, FX_CONNECT_MS = 5000 };

void fx_close(fx *f);

/* One operation. NO_SETUP: the input answers the opening of the clients too (the op opens
 * what it needs); otherwise c[0] is open (the fake server answered its handshake) before
 * the input's replies start, and fx_client() opens the others. */
enum { NO_SETUP = 1 };
typedef struct fuzz_op {
    const char *name;
    void (*run)(fx *f);
    unsigned flags;
} fuzz_op;

/* The operations that open their own connections (NO_SETUP): fuzz_reply_conn.c's, and the
 * event-loop ones of fuzz_reply_async.c. */
void fx_op_client_open(fx *f);
void fx_op_pool(fx *f);
void fx_op_cluster(fx *f);
void fx_op_sentinel(fx *f);
void fx_op_aioredlock(fx *f);
void fx_op_aioredlock3(fx *f);
void fx_op_aioredlock_with(fx *f);
void fx_op_aionextid(fx *f);
void fx_op_aionextid3(fx *f);
void fx_op_aionextid_sentinel(fx *f);
void fx_op_aiowatchdog(fx *f);

extern const fuzz_op fuzz_ops[];
extern const size_t fuzz_nops;

#endif
