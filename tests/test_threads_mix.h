/*
 * What the threaded tests' threads do: one round of every container and primitive (the
 * "mix"), lock rounds on the distributed locks and NextID, and a section of work under a
 * lock a watchdog renews; then the exact totals they must leave in Redis. The mix runs on
 * handles a thread owns (test_threads.c) or on handles every thread shares through a pool
 * (test_threads_pool.c): the same calls, the same totals.
 *
 * Threads never call cmocka: a thread records its first failure in its tally and stops;
 * the main thread fails the test with it after joining.
 */
#ifndef POTTERY_TEST_THREADS_MIX_H
#define POTTERY_TEST_THREADS_MIX_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "pottery.h"

enum {
    THREADS = 8,        /* threads hammering at once */
    ROUNDS = 64,        /* mix rounds per thread */
    DICT_KEYS = 16,     /* dict fields per thread */
    SET_KEYS = 48,      /* set members a thread adds one by one (its batches add them all) */
    COUNTERS = 4,       /* counter fields c0..c3 */
    CACHE_ARGS = 16,    /* distinct arguments of the cached function */
    COD_KEYS = 8,       /* cached ordered dict keys per thread */
    RL_LIMIT = 300,     /* rate limit over a day: fewer than the THREADS * ROUNDS tries */
    SEM_PERMITS = 2,    /* semaphore permits */
    SEM_EVERY = 4,      /* a permit every SEM_EVERY rounds */
    BATCH_EVERY = 8,    /* a pop from the middle of the list, iterators, batches */
    LOCK_ROUNDS = 4,    /* lock rounds per thread */
    IDS_PER_ROUND = 4,  /* NextID ids per lock round */
    AIO_LOCKS = 4,      /* event-loop lock acquires per thread (test_threads.c) */
    AIO_IDS = 8,        /* event-loop ids per thread (test_threads.c) */
    LOCK_MASTERS = 3,   /* masters of the locks and of NextID */
    WATCH_LEASE = 1500, /* the watched lock's lease, ms */
    MAX_IDS = LOCK_ROUNDS * IDS_PER_ROUND + AIO_IDS
};

/* The handles of the mix, opened on one client (a thread's own, or a pool's view). */
typedef struct mix_handles {
    pottery_dict *dict;
    pottery_set *set;
    pottery_list *list;
    pottery_deque *deque;
    pottery_counter *counter; /* c0..c3, the semaphore's fields and the lock-protected ones */
    pottery_queue *queue;
    pottery_cache *cache;
    pottery_bloom *bloom;
    pottery_hll *hll;
    pottery_semaphore *sem;
    pottery_ratelimit *rl;
    pottery_rqueue *rq;
} mix_handles;

/* The handles a thread never shares: they keep state of their own (pool.h). */
typedef struct own_handles {
    pottery_cached_ordered_dict *cod;
    pottery_redlock *redlock; /* "threads:lock", fenced, guarding the counter's "redlock" field */
    pottery_rlock *rlock;     /* guarding "rlock" */
    pottery_rwlock *rwlock;   /* guarding "rwlock" */
    pottery_nextid *ids;      /* the "threads" sequence */
    pottery_redlock *watched; /* "threads:watched:<index>", renewed by a watchdog */
} own_handles;

/* What one thread did, to compare with what Redis holds. */
typedef struct tally {
    int index;
    int64_t last[DICT_KEYS];   /* the value it last set at its dict key i (-1: none) */
    int64_t counted[COUNTERS]; /* what it added to c0..c3 */
    int64_t popped;            /* list */
    int64_t put, got;          /* queue */
    int64_t allowed;           /* rate-limited tries let through */
    int64_t rq_put, rq_acked;  /* rqueue */
    int64_t permits;           /* semaphore permits taken */
    int64_t cache_calls;
    int64_t enomem;                   /* calls failed by allocation failures armed on the thread */
    int64_t locked, rlocked, written; /* increments made under each lock */
    int64_t ids[MAX_IDS];
    size_t nids;
    char failure[1024];
} tally;

/* Record the first failure of a thread (rc 0: a wrong value) and return -1. */
int tally_fail_at(tally *t, const char *what, int rc, int line);
#define T_OK(t, call)                                                                                                  \
    do {                                                                                                               \
        int rc_ = (call);                                                                                              \
        if (rc_ < 0) return tally_fail_at((t), #call, rc_, __LINE__);                                                  \
    } while (0)
#define T_TRUE(t, cond)                                                                                                \
    do {                                                                                                               \
        if (!(cond)) return tally_fail_at((t), #cond, 0, __LINE__);                                                    \
    } while (0)

void tally_init(tally *t, int index);

int mix_open(mix_handles *h, pottery_client *c);
void mix_free(mix_handles *h);
/* One round of every module of the mix, and the thread's cached ordered dict; with a call
 * that fails on purpose, whose message must be the thread's own. */
int mix_round(tally *t, const mix_handles *h, pottery_cached_ordered_dict *cod, int round);
/* Allocation failures armed on this thread only (a -DPOTTERY_ALLOC_FAIL=ON build): its
 * calls fail cleanly, the other threads' never. */
int mix_alloc_failures(tally *t, const mix_handles *h);

/* The thread's own handles: its cached ordered dict on c, its locks and NextID on masters. */
int own_open(own_handles *o, tally *t, pottery_client *c, pottery_client *const *lock_masters);
void own_free(own_handles *o);
/* A round of the redlock, rlock and rwlock (each guarding a read-modify-write of a counter
 * field) and NextID. */
int lock_round(tally *t, const own_handles *o, const mix_handles *h);
/* Read-modify-write of the counter field under a lock the caller holds; with the grant's
 * fencing token (token >= 0), check it is above the last holder's and store it. */
int guarded_increment(tally *t, pottery_counter *counter, const char *field, int64_t token);
/* Hold the thread's watched lock (a lease of WATCH_LEASE ms) for one and a half leases
 * while reading through the mix's handles; wd renews it meanwhile. */
int watched_section(tally *t, const own_handles *o, const mix_handles *h, pottery_watchdog *wd);

/* Start n threads running fn(&args[i * size]) all at once, and join them; meanwhile the
 * calling thread runs monitor(monitor_arg) (may be NULL) every few ms. */
void run_threads(void *(*fn)(void *), void *args, size_t size, size_t n, void (*monitor)(void *), void *monitor_arg);

/* The exact totals (cmocka asserts, main thread): first that no thread failed, then
 * everything the threads did, read from Redis. */
void mix_check(const tally *tallies, size_t n, const mix_handles *h);
/* The lock-protected fields exact (tally.locked counts event-loop holders' increments
 * too), every id unique, and the watchdog's renewals. */
void locks_check(const tally *tallies, size_t n, const mix_handles *h, pottery_watchdog *wd);

/* The threads on pooled handles (test_threads_pool.c): a cmocka test. */
void test_threads_share_pooled_handles(void **state);

#endif
