/* The reply fuzzer's event-loop operations: pottery_async connections on a small poll()
 * loop of the fuzzer's own (the seven hooks of loop.h), under the asynchronous lock and id
 * generator. Besides the contract of every call (fx_check), each started operation must
 * call its callback exactly once, with a status that keeps the contract too, and freeing
 * the handles must close every watcher and timer the library opened. */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_reply.h"

struct pottery_loop_io {
    int fd;
    int events;
    int closed;
    pottery_loop_io_cb cb;
    void *arg;
    struct pottery_loop_io *next;
};

struct pottery_loop_timer {
    int64_t due_ms;
    long turn; /* the turn it was started on: it fires on a later one */
    int started;
    int closed;
    pottery_loop_timer_cb cb;
    void *arg;
    struct pottery_loop_timer *next;
};

typedef struct floop {
    struct pottery_loop_io *ios;
    struct pottery_loop_timer *timers;
    long turn;
} floop;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pottery_loop_io *io_open(void *data, int fd, pottery_loop_io_cb cb, void *arg)
{
    floop *l = data;
    pottery_loop_io *io = calloc(1, sizeof *io);
    if (!io) return NULL;
    io->fd = fd;
    io->cb = cb;
    io->arg = arg;
    io->next = l->ios;
    l->ios = io;
    return io;
}

static int io_want(pottery_loop_io *io, int events)
{
    io->events = events;
    return 0;
}

static void io_close(pottery_loop_io *io)
{
    io->closed = 1; /* freed after the turn: it may be closing from its own callback */
}

static pottery_loop_timer *timer_open(void *data, pottery_loop_timer_cb cb, void *arg)
{
    floop *l = data;
    pottery_loop_timer *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->cb = cb;
    t->arg = arg;
    t->next = l->timers;
    l->timers = t;
    return t;
}

static floop *the_loop; /* timer_start needs the turn */

static int timer_start(pottery_loop_timer *t, int64_t ms)
{
    t->due_ms = now_ms() + ms;
    t->turn = the_loop->turn;
    t->started = 1;
    return 0;
}

static void timer_stop(pottery_loop_timer *t)
{
    t->started = 0;
}

static void timer_close(pottery_loop_timer *t)
{
    t->started = 0;
    t->closed = 1;
}

static void sweep(floop *l)
{
    for (pottery_loop_io **p = &l->ios; *p;) {
        pottery_loop_io *io = *p;
        if (io->closed) {
            *p = io->next;
            free(io);
        } else {
            p = &io->next;
        }
    }
    for (pottery_loop_timer **p = &l->timers; *p;) {
        pottery_loop_timer *t = *p;
        if (t->closed) {
            *p = t->next;
            free(t);
        } else {
            p = &t->next;
        }
    }
}

enum { MAX_WATCHED = 64 };

/* One turn: wait for the sockets (at most max_wait ms, and until the next timer is due),
 * then call back. */
static void turn(floop *l, int64_t max_wait)
{
    struct pollfd pfd[MAX_WATCHED];
    pottery_loop_io *who[MAX_WATCHED];
    nfds_t n = 0;
    l->turn++;
    for (pottery_loop_io *io = l->ios; io && n < MAX_WATCHED; io = io->next) {
        if (io->closed || !io->events) continue;
        pfd[n].fd = io->fd;
        pfd[n].events = (short)(((io->events & POTTERY_LOOP_READ) ? POLLIN : 0) |
                                ((io->events & POTTERY_LOOP_WRITE) ? POLLOUT : 0));
        pfd[n].revents = 0;
        who[n++] = io;
    }
    int64_t wait = max_wait, now = now_ms();
    for (pottery_loop_timer *t = l->timers; t; t = t->next)
        if (t->started && !t->closed) wait = t->due_ms - now < wait ? t->due_ms - now : wait;
    if (wait < 0) wait = 0;
    poll(pfd, n, (int)wait);
    for (nfds_t k = 0; k < n; k++) {
        int events = ((pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) ? POTTERY_LOOP_READ : 0) |
                     ((pfd[k].revents & POLLOUT) ? POTTERY_LOOP_WRITE : 0);
        events &= who[k]->events | POTTERY_LOOP_READ;
        if (events && !who[k]->closed && who[k]->events) who[k]->cb(who[k]->arg, events);
    }
    now = now_ms();
    for (pottery_loop_timer *t = l->timers; t; t = t->next)
        if (t->started && !t->closed && t->turn < l->turn && t->due_ms <= now) {
            t->started = 0;
            t->cb(t->arg);
        }
    sweep(l);
}

/* ---- operations ---- */

/* What one started operation reported. */
typedef struct done {
    int calls;
    int status;
    int acquired;
    pottery_aioredlock *lock; /* for the body of a `with` */
} done;

static void check_status(done *d, int status, const char *what)
{
    d->calls++;
    d->status = status;
    fx_check(status, what);
}

static void on_acquire(int status, int acquired, void *payload)
{
    done *d = payload;
    d->acquired = acquired;
    check_status(d, status, "pottery_aioredlock_acquire's callback");
}

static void on_status(int status, void *payload)
{
    check_status(payload, status, "an aioredlock callback");
}

static void on_locked(int status, int64_t validity_ms, void *payload)
{
    (void)validity_ms;
    check_status(payload, status, "pottery_aioredlock_locked's callback");
}

static void on_next(int status, int64_t id, void *payload)
{
    (void)id;
    check_status(payload, status, "pottery_aionextid_next's callback");
}

static void on_reset(int status, void *payload)
{
    check_status(payload, status, "pottery_aionextid_reset's callback");
}

static void body(pottery_aioredlock *lock, void *payload)
{
    (void)payload;
    CALL(pottery_aioredlock_with_end(lock, 0));
}

/* The loop and up to three connections (on databases 0, 1, 2), opened in the input's
 * time: their handshakes are the input's too. */
typedef struct aio {
    floop loop;
    pottery_loop hooks;
    pottery_async *conn[3];
    size_t n;
} aio;

static void aio_open(aio *a, size_t n, int sentinel)
{
    memset(a, 0, sizeof *a);
    the_loop = &a->loop;
    a->hooks.version = POTTERY_LOOP_VERSION;
    a->hooks.data = &a->loop;
    a->hooks.io_open = io_open;
    a->hooks.io_want = io_want;
    a->hooks.io_close = io_close;
    a->hooks.timer_open = timer_open;
    a->hooks.timer_start = timer_start;
    a->hooks.timer_stop = timer_stop;
    a->hooks.timer_close = timer_close;
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.connect_timeout_ms = FX_CONNECT_MS;
    o.command_timeout_ms = FX_TIMEOUT_MS;
    char url[128];
    snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/fz", fx_tcp_port());
    for (size_t i = 0; i < n; i++)
        CALL(pottery_async_open(&a->conn[i], &a->hooks, sentinel && i == 0 ? url : fx_url((int)i), &o));
    a->n = n;
}

/* Started (rc 0): turn the loop until the callback came, which must be once. */
static void wait_for(aio *a, int rc, done *d, const char *what)
{
    fx_check(rc, what);
    int64_t limit = now_ms() + 10 * FX_CONNECT_MS;
    while (rc == 0 && d->calls == 0) {
        if (now_ms() > limit) {
            fprintf(stderr, "fuzz_reply: %s never called back\n", what);
            abort();
        }
        turn(&a->loop, 50);
    }
    if (d->calls > 1 || (rc != 0 && d->calls != 0)) {
        fprintf(stderr, "fuzz_reply: %s called back %d times (start returned %d)\n", what, d->calls, rc);
        abort();
    }
}

#define AWAIT(a, d, start) wait_for((a), (memset(&(d), 0, sizeof(d)), fx_clear(), (start)), &(d), #start)

static void aio_close(aio *a)
{
    for (size_t i = 0; i < a->n; i++) pottery_async_free(a->conn[i]);
    turn(&a->loop, 0); /* what closes after a turn */
    for (pottery_loop_io *io = a->loop.ios; io; io = io->next)
        if (!io->closed) {
            fprintf(stderr, "fuzz_reply: a socket watcher is still open after every handle was freed\n");
            abort();
        }
    for (pottery_loop_timer *t = a->loop.timers; t; t = t->next)
        if (!t->closed) {
            fprintf(stderr, "fuzz_reply: a timer is still open after every handle was freed\n");
            abort();
        }
    sweep(&a->loop);
    the_loop = NULL;
}

static void aioredlock_on(size_t n, int blocking)
{
    aio a;
    aio_open(&a, n, 0);
    pottery_redlock_options o;
    pottery_redlock_options_init(&o);
    o.retry_delay_ms = 0;
    o.fencing = n == 1;
    o.raise_on_redis_errors = n == 1;
    pottery_aioredlock *lock = NULL;
    CALL(pottery_aioredlock_new(&lock, "fz", a.conn, n, &o));
    done d;
    AWAIT(&a, d, pottery_aioredlock_acquire(lock, blocking, blocking ? FX_WAIT_MS : 0, on_acquire, &d));
    if (d.status == 0 && d.acquired) {
        int64_t token = 0;
        if (n == 1) CALL(pottery_aioredlock_fencing_token(&token, lock));
        AWAIT(&a, d, pottery_aioredlock_locked(lock, on_locked, &d));
        AWAIT(&a, d, pottery_aioredlock_extend(lock, on_status, &d));
        AWAIT(&a, d, pottery_aioredlock_release(lock, on_status, &d));
    }
    pottery_aioredlock_free(lock);
    aio_close(&a);
}

void fx_op_aioredlock(fx *f)
{
    (void)f;
    aioredlock_on(1, 0);
}

void fx_op_aioredlock3(fx *f)
{
    (void)f;
    aioredlock_on(3, 1);
}

void fx_op_aioredlock_with(fx *f)
{
    (void)f;
    aio a;
    aio_open(&a, 1, 0);
    pottery_redlock_options o;
    pottery_redlock_options_init(&o);
    o.retry_delay_ms = 0;
    o.context_manager_timeout_ms = FX_WAIT_MS;
    pottery_aioredlock *lock = NULL;
    CALL(pottery_aioredlock_new(&lock, "fz", a.conn, 1, &o));
    done d;
    AWAIT(&a, d, pottery_aioredlock_with(lock, body, on_status, &d));
    pottery_aioredlock_free(lock);
    aio_close(&a);
}

/* The lock argument is NULL for an aioredlock: the payload points at the handle. */
static void on_lost(pottery_redlock *unused, int reason, void *payload)
{
    (void)unused;
    pottery_aioredlock *lock = *(pottery_aioredlock **)payload;
    if (reason == 0 || pottery_aioredlock_lost(lock) != reason) {
        fprintf(stderr, "fuzz_reply: on_lost said %d, pottery_aioredlock_lost %d\n", reason,
                pottery_aioredlock_lost(lock));
        abort();
    }
}

/* A held lock with a short lease, renewed by a watchdog for a few of its ticks. */
void fx_op_aiowatchdog(fx *f)
{
    (void)f;
    enum { LEASE_MS = 30 };
    aio a;
    aio_open(&a, 2, 0);
    pottery_redlock_options o;
    pottery_redlock_options_init(&o);
    o.auto_release_time_ms = LEASE_MS;
    pottery_aioredlock *lock = NULL;
    o.on_lost = on_lost;
    o.on_lost_payload = &lock;
    pottery_aiowatchdog *wd = NULL;
    CALL(pottery_aioredlock_new(&lock, "fz", a.conn, 2, &o));
    CALL(pottery_aiowatchdog_new(&wd, a.conn, 2, NULL));
    done d;
    AWAIT(&a, d, pottery_aioredlock_acquire(lock, 0, 0, on_acquire, &d));
    if (d.status == 0 && d.acquired) {
        CALL(pottery_aioredlock_watch(lock, wd));
        for (int64_t end = now_ms() + LEASE_MS; now_ms() < end;) turn(&a.loop, 5);
        AWAIT(&a, d, pottery_aioredlock_release(lock, on_status, &d));
    }
    pottery_watchdog_stats stats;
    pottery_aiowatchdog_stats_get(&stats, wd);
    pottery_aioredlock_free(lock);
    pottery_aiowatchdog_free(wd);
    aio_close(&a);
}

static void aionextid_on(size_t n, int sentinel)
{
    aio a;
    aio_open(&a, n, sentinel);
    pottery_nextid_options o;
    pottery_nextid_options_init(&o);
    o.raise_on_redis_errors = n == 1;
    pottery_aionextid *gen = NULL;
    CALL(pottery_aionextid_new(&gen, a.conn, n, &o));
    done d;
    AWAIT(&a, d, pottery_aionextid_next(gen, on_next, &d));
    AWAIT(&a, d, pottery_aionextid_next(gen, on_next, &d));
    char *t = NULL;
    CALL(pottery_aionextid_repr(&t, gen));
    pottery_free(t);
    AWAIT(&a, d, pottery_aionextid_reset(gen, on_reset, &d));
    pottery_aionextid_free(gen);
    aio_close(&a);
}

void fx_op_aionextid(fx *f)
{
    (void)f;
    aionextid_on(1, 0);
}

void fx_op_aionextid3(fx *f)
{
    (void)f;
    aionextid_on(3, 0);
}

/* The master a sentinel names, asked on the loop. */
void fx_op_aionextid_sentinel(fx *f)
{
    (void)f;
    aionextid_on(1, 1);
}
