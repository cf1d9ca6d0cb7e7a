/*
 * The event-loop adapters (pottery/adapters/libevent.h, libuv.h) against the contract of
 * pottery/loop.h. One body of tests runs on each adapter; what differs between them (making,
 * running and freeing the loop) is the small table `adapter`.
 *
 *     test_loop_adapters libevent|libuv
 *
 * Under ASan every close made from inside a callback is checked for use after free, and
 * freeing the loop at the end of each test for leaks (libuv: the loop is run to the end and
 * uv_loop_close must succeed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pottery/loop.h"
#include "support/assert_ok.h"

#ifdef POTTERY_TEST_LIBEVENT
#include <event2/event.h>

#include "pottery/adapters/libevent.h"
#endif
#ifdef POTTERY_TEST_LIBUV
#include <uv.h>

#include "pottery/adapters/libuv.h"
#endif

/* What the tests need of an event library. */
typedef struct adapter {
    const char *name;
    void *(*loop_new)(void);
    int (*fill)(pottery_loop *out, void *loop);
    void (*run_once)(void *loop);   /* one turn, waiting for something to happen */
    void (*run_nowait)(void *loop); /* one turn, without waiting */
    void (*loop_free)(void *loop);  /* once every handle is closed */
} adapter;

#ifdef POTTERY_TEST_LIBEVENT
static void *le_loop_new(void)
{
    static int debug_mode;

    /* libevent's own checks on top (an event assigned while added, a blocking socket, an
     * event freed twice): allowed once, before the first base. */
    if (!debug_mode++) event_enable_debug_mode();
    return event_base_new();
}

static int le_fill(pottery_loop *out, void *loop)
{
    return pottery_libevent_loop(out, loop);
}

static void le_run_once(void *loop)
{
    assert_true(event_base_loop(loop, EVLOOP_ONCE) >= 0);
}

static void le_run_nowait(void *loop)
{
    /* EVLOOP_NONBLOCK alone goes on turning while anything is ready. */
    assert_true(event_base_loop(loop, EVLOOP_ONCE | EVLOOP_NONBLOCK) >= 0);
}

static void le_loop_free(void *loop)
{
    event_base_free(loop);
}

static const adapter libevent_adapter = { "libevent", le_loop_new, le_fill, le_run_once, le_run_nowait, le_loop_free };
#endif

#ifdef POTTERY_TEST_LIBUV
static void *luv_loop_new(void)
{
    uv_loop_t *loop = malloc(sizeof *loop);

    assert_non_null(loop);
    assert_int_equal(0, uv_loop_init(loop));
    return loop;
}

static int luv_fill(pottery_loop *out, void *loop)
{
    return pottery_libuv_loop(out, loop);
}

static void luv_run_once(void *loop)
{
    (void)uv_run(loop, UV_RUN_ONCE);
}

static void luv_run_nowait(void *loop)
{
    (void)uv_run(loop, UV_RUN_NOWAIT);
}

/* The closed handles are freed by their close callbacks, on the turn that follows. */
static void luv_loop_free(void *loop)
{
    assert_int_equal(0, uv_run(loop, UV_RUN_DEFAULT));
    assert_int_equal(0, uv_loop_close(loop));
    free(loop);
}

static const adapter libuv_adapter = { "libuv", luv_loop_new, luv_fill, luv_run_once, luv_run_nowait, luv_loop_free };
#endif

static const adapter *const adapters[] = {
#ifdef POTTERY_TEST_LIBEVENT
    &libevent_adapter,
#endif
#ifdef POTTERY_TEST_LIBUV
    &libuv_adapter,
#endif
    NULL,
};

/* ---- fixture: a loop, its pottery_loop, a socket pair and a log of callbacks ---- */

/* How long run_until waits at most (the machine may be loaded). */
#define MAX_WAIT_NS (10 * 1000000000LL)

typedef struct fixture {
    const adapter *a;
    void *base;
    pottery_loop loop;
    int sv[2];   /* sv[0] is watched, sv[1] is its peer */
    int log[64]; /* the first probes' ids in the order of their callbacks */
    int n_log;   /* callbacks so far */
    int in_hook; /* set while a hook runs: a callback then would be a re-entrant one */
} fixture;

enum action { NOTHING, CLOSE_SELF, CLOSE_OTHER, RESTART_ZERO };

/* A timer or a watcher, with what its callback saw and what it does. */
typedef struct probe {
    fixture *f;
    int id;
    int calls;
    int events; /* of the last call */
    enum action action;
    int restarts; /* RESTART_ZERO: how many more times */
    int seen;     /* RESTART_ZERO: other->calls at the last call (-1: not checked yet) */
    struct probe *other;
    pottery_loop_timer *timer;
    pottery_loop_io *io;
} probe;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    f->a = *state;
    f->base = f->a->loop_new();
    assert_non_null(f->base);
    assert_ok(f->a->fill(&f->loop, f->base));
    assert_int_equal(0, socketpair(AF_UNIX, SOCK_STREAM, 0, f->sv));
    assert_int_equal(0, fcntl(f->sv[0], F_SETFL, O_NONBLOCK));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    f->a->loop_free(f->base);
    close(f->sv[0]);
    if (f->sv[1] >= 0) close(f->sv[1]);
    free(f);
    return 0;
}

static void logged(probe *p)
{
    fixture *f = p->f;

    assert_false(f->in_hook);
    p->calls++;
    if (f->n_log < (int)(sizeof f->log / sizeof f->log[0])) f->log[f->n_log] = p->id;
    f->n_log++;
}

static void timer_close(probe *p)
{
    p->f->loop.timer_close(p->timer);
    p->timer = NULL;
}

static void io_close(probe *p)
{
    p->f->loop.io_close(p->io);
    p->io = NULL;
}

static int timer_start(probe *p, int64_t ms)
{
    int rc;

    p->f->in_hook = 1;
    rc = p->f->loop.timer_start(p->timer, ms);
    p->f->in_hook = 0;
    return rc;
}

static int io_want(probe *p, int events)
{
    int rc;

    p->f->in_hook = 1;
    rc = p->f->loop.io_want(p->io, events);
    p->f->in_hook = 0;
    return rc;
}

static void act(probe *p)
{
    switch (p->action) {
    case NOTHING: break;
    case CLOSE_SELF:
        if (p->timer) timer_close(p);
        if (p->io) io_close(p);
        break;
    case CLOSE_OTHER:
        if (p->other->timer) timer_close(p->other);
        if (p->other->io) io_close(p->other);
        break;
    case RESTART_ZERO:
        /* The loop has polled since the last call: other, always ready, was reported. */
        if (p->seen >= 0) assert_true(p->other->calls > p->seen);
        p->seen = p->other->calls;
        if (p->restarts-- > 0) assert_int_equal(0, timer_start(p, 0));
        break;
    }
}

static void on_timer(void *arg)
{
    probe *p = arg;

    logged(p);
    act(p);
}

static void on_io(void *arg, int events)
{
    probe *p = arg;

    logged(p);
    p->events = events;
    act(p);
}

static void timer_open(fixture *f, probe *p, int id)
{
    p->f = f;
    p->id = id;
    p->timer = f->loop.timer_open(f->loop.data, on_timer, p);
    assert_non_null(p->timer);
}

static void io_open(fixture *f, probe *p, int id, int fd)
{
    p->f = f;
    p->id = id;
    p->io = f->loop.io_open(f->loop.data, fd, on_io, p);
    assert_non_null(p->io);
}

static long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Turns of the loop until *count reaches want. */
static void run_until(fixture *f, const int *count, int want)
{
    long long deadline = now_ns() + MAX_WAIT_NS;

    while (*count < want && now_ns() < deadline) f->a->run_once(f->base);
    assert_int_equal(want, *count);
}

/* A few turns that wait for nothing. */
static void run_idle(fixture *f)
{
    for (int turn = 0; turn < 3; turn++) f->a->run_nowait(f->base);
}

static void send_byte(int fd)
{
    assert_int_equal(1, write(fd, "x", 1));
}

static void recv_byte(int fd)
{
    char c;

    assert_int_equal(1, read(fd, &c, 1));
}

/* ---- the tests ---- */

static void fills_the_hooks(void **state)
{
    fixture *f = *state;
    pottery_loop out;

    memset(&out, 0xA5, sizeof out);
    assert_ok(f->a->fill(&out, f->base));
    assert_int_equal(POTTERY_LOOP_VERSION, out.version);
    assert_ptr_equal(f->base, out.data);
    assert_true(out.io_open && out.io_want && out.io_close);
    assert_true(out.timer_open && out.timer_start && out.timer_stop && out.timer_close);
}

static void null_arguments(void **state)
{
    fixture *f = *state;
    pottery_loop out, before;

    memset(&out, 0xA5, sizeof out);
    before = out;
    assert_code(POTTERY_EINVAL, f->a->fill(NULL, f->base));
    assert_code(POTTERY_EINVAL, f->a->fill(&out, NULL));
    assert_memory_equal(&before, &out, sizeof out);
}

static void timers_fire_once_in_deadline_order(void **state)
{
    fixture *f = *state;
    probe p[3] = { 0 };

    timer_open(f, &p[0], 0);
    timer_open(f, &p[1], 1);
    timer_open(f, &p[2], 2);
    assert_int_equal(0, timer_start(&p[0], 60));
    assert_int_equal(0, timer_start(&p[1], 20));
    assert_int_equal(0, timer_start(&p[2], 40));
    run_until(f, &f->n_log, 3);
    assert_int_equal(1, f->log[0]);
    assert_int_equal(2, f->log[1]);
    assert_int_equal(0, f->log[2]);
    run_idle(f);
    assert_int_equal(3, f->n_log);
    /* Once per start: started again, it fires again. */
    assert_int_equal(0, timer_start(&p[1], 0));
    run_until(f, &p[1].calls, 2);
    assert_int_not_equal(0, f->loop.timer_start(p[0].timer, -1));
    for (int i = 0; i < 3; i++) timer_close(&p[i]);
}

static void restart_replaces_the_pending_start(void **state)
{
    fixture *f = *state;
    probe a = { 0 }, b = { 0 };

    timer_open(f, &a, 0);
    timer_open(f, &b, 1);
    /* Moved earlier ... */
    assert_int_equal(0, timer_start(&a, 5000));
    assert_int_equal(0, timer_start(&a, 10));
    assert_int_equal(0, timer_start(&b, 100));
    run_until(f, &b.calls, 1);
    assert_int_equal(1, a.calls);
    assert_int_equal(0, f->log[0]);
    /* ... and later. */
    assert_int_equal(0, timer_start(&a, 10));
    assert_int_equal(0, timer_start(&a, 200));
    assert_int_equal(0, timer_start(&b, 60));
    run_until(f, &a.calls, 2);
    assert_int_equal(2, b.calls);
    assert_int_equal(1, f->log[2]);
    assert_int_equal(0, f->log[3]);
    run_idle(f);
    assert_int_equal(4, f->n_log);
    timer_close(&a);
    timer_close(&b);
}

static void stop_cancels(void **state)
{
    fixture *f = *state;
    probe a = { 0 }, b = { 0 };

    timer_open(f, &a, 0);
    timer_open(f, &b, 1);
    f->loop.timer_stop(a.timer); /* not started: nothing */
    assert_int_equal(0, timer_start(&a, 10));
    f->loop.timer_stop(a.timer);
    assert_int_equal(0, timer_start(&b, 50));
    run_until(f, &b.calls, 1);
    run_idle(f);
    assert_int_equal(0, a.calls);
    /* A stopped timer starts again. */
    assert_int_equal(0, timer_start(&a, 0));
    run_until(f, &a.calls, 1);
    /* Closing a started timer cancels it too. */
    assert_int_equal(0, timer_start(&b, 10));
    timer_close(&b);
    timer_close(&a);
    run_idle(f);
    assert_int_equal(1, b.calls);
}

static void zero_ms_fires_on_a_later_turn(void **state)
{
    fixture *f = *state;
    probe t = { 0 }, io = { 0 };

    timer_open(f, &t, 0);
    assert_int_equal(0, timer_start(&t, 0)); /* on_timer fails inside timer_start */
    assert_int_equal(0, t.calls);
    run_until(f, &t.calls, 1);

    /* Restarting itself with 0 ms, a timer does not keep the loop from polling: the ready
     * socket is reported between any two of its callbacks. */
    t.action = RESTART_ZERO;
    t.restarts = 5;
    t.seen = -1;
    t.other = &io;
    io_open(f, &io, 1, f->sv[0]);
    send_byte(f->sv[1]);
    assert_int_equal(0, io_want(&io, POTTERY_LOOP_READ));
    assert_int_equal(0, timer_start(&t, 0));
    run_until(f, &t.calls, 7);
    io_close(&io);
    timer_close(&t);
}

static void timer_close_inside_its_callback(void **state)
{
    fixture *f = *state;
    probe a = { 0 }, b = { 0 }, c = { 0 };

    timer_open(f, &a, 0);
    a.action = CLOSE_SELF;
    assert_int_equal(0, timer_start(&a, 0));
    run_until(f, &a.calls, 1);
    assert_null(a.timer);
    /* Two timers due on the same turn: the first to fire closes the other, which then never
     * fires. */
    timer_open(f, &b, 1);
    timer_open(f, &c, 2);
    b.action = c.action = CLOSE_OTHER;
    b.other = &c;
    c.other = &b;
    assert_int_equal(0, timer_start(&b, 0));
    assert_int_equal(0, timer_start(&c, 0));
    run_until(f, &f->n_log, 2);
    run_idle(f);
    assert_int_equal(2, f->n_log);
    assert_int_equal(1, b.calls + c.calls);
    timer_close(b.timer ? &b : &c);
}

static void io_reports_readable_level_triggered(void **state)
{
    fixture *f = *state;
    probe p = { 0 };

    io_open(f, &p, 0, f->sv[0]);
    assert_int_equal(0, io_want(&p, POTTERY_LOOP_READ));
    run_idle(f);
    assert_int_equal(0, p.calls);
    send_byte(f->sv[1]);
    run_until(f, &p.calls, 1);
    assert_int_equal(POTTERY_LOOP_READ, p.events);
    /* Not read yet: reported again. */
    run_until(f, &p.calls, 2);
    assert_int_equal(POTTERY_LOOP_READ, p.events);
    recv_byte(f->sv[0]);
    run_idle(f);
    assert_int_equal(2, p.calls);
    /* A hang-up is reported as readable. */
    close(f->sv[1]);
    f->sv[1] = -1;
    run_until(f, &p.calls, 3);
    assert_true(p.events & POTTERY_LOOP_READ);
    io_close(&p);
}

static void io_reports_writable_and_nothing(void **state)
{
    fixture *f = *state;
    probe p = { 0 };

    io_open(f, &p, 0, f->sv[0]);
    run_idle(f); /* no events yet */
    assert_int_equal(0, p.calls);
    assert_int_equal(0, io_want(&p, POTTERY_LOOP_WRITE));
    run_until(f, &p.calls, 1);
    assert_int_equal(POTTERY_LOOP_WRITE, p.events);
    assert_int_equal(0, io_want(&p, 0));
    run_idle(f);
    assert_int_equal(1, p.calls);
    send_byte(f->sv[1]);
    assert_int_equal(0, io_want(&p, POTTERY_LOOP_READ | POTTERY_LOOP_WRITE));
    assert_int_equal(0, io_want(&p, POTTERY_LOOP_READ | POTTERY_LOOP_WRITE)); /* no change */
    run_until(f, &p.calls, 2);
    assert_int_equal(POTTERY_LOOP_READ | POTTERY_LOOP_WRITE, p.events);
    assert_int_not_equal(0, f->loop.io_want(p.io, 4));
    io_close(&p);
}

static void io_close_inside_its_callback(void **state)
{
    fixture *f = *state;
    probe p = { 0 }, q = { 0 }, r = { 0 };
    int other[2];

    io_open(f, &p, 0, f->sv[0]);
    p.action = CLOSE_SELF;
    send_byte(f->sv[1]);
    assert_int_equal(0, io_want(&p, POTTERY_LOOP_READ));
    run_until(f, &p.calls, 1);
    run_idle(f);
    assert_int_equal(1, p.calls);
    assert_null(p.io);
    /* The socket stays open, and a new watcher may watch it at once. */
    recv_byte(f->sv[0]);
    send_byte(f->sv[1]);
    /* Two sockets ready on the same turn: the first reported closes the other's watcher,
     * which then is never called. */
    assert_int_equal(0, socketpair(AF_UNIX, SOCK_STREAM, 0, other));
    assert_int_equal(0, fcntl(other[0], F_SETFL, O_NONBLOCK));
    io_open(f, &q, 1, f->sv[0]);
    io_open(f, &r, 2, other[0]);
    q.action = r.action = CLOSE_OTHER;
    q.other = &r;
    r.other = &q;
    send_byte(other[1]);
    assert_int_equal(0, io_want(&q, POTTERY_LOOP_READ));
    assert_int_equal(0, io_want(&r, POTTERY_LOOP_READ));
    run_until(f, &f->n_log, 2);
    assert_int_equal(1, q.calls + r.calls);
    io_close(q.io ? &q : &r);
    run_idle(f);
    assert_int_equal(2, f->n_log);
    close(other[0]);
    close(other[1]);
}

/* A pending socket error (a UDP datagram to a closed port comes back as ECONNREFUSED) is
 * reported as readable, on every turn until the socket is read. */
static void io_reports_an_error_as_readable(void **state)
{
    fixture *f = *state;
    probe p = { 0 };
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int port_holder = socket(AF_INET, SOCK_DGRAM, 0);
    char c;

    assert_true(fd >= 0 && port_holder >= 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(0, bind(port_holder, (struct sockaddr *)&addr, sizeof addr));
    assert_int_equal(0, getsockname(port_holder, (struct sockaddr *)&addr, &len));
    close(port_holder); /* the port is closed now */
    assert_int_equal(0, connect(fd, (struct sockaddr *)&addr, sizeof addr));
    assert_int_equal(0, fcntl(fd, F_SETFL, O_NONBLOCK));

    io_open(f, &p, 0, fd);
    assert_int_equal(0, io_want(&p, POTTERY_LOOP_READ));
    assert_int_equal(1, send(fd, "x", 1, 0));
    run_until(f, &p.calls, 1);
    assert_int_equal(POTTERY_LOOP_READ, p.events);
    run_until(f, &p.calls, 2);
    assert_int_equal(POTTERY_LOOP_READ, p.events);
    errno = 0;
    assert_int_equal(-1, recv(fd, &c, 1, 0));
    assert_int_equal(ECONNREFUSED, errno);
    run_idle(f);
    assert_int_equal(2, p.calls);
    io_close(&p);
    close(fd);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fills_the_hooks, setup, teardown),
        cmocka_unit_test_setup_teardown(null_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(timers_fire_once_in_deadline_order, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_replaces_the_pending_start, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_cancels, setup, teardown),
        cmocka_unit_test_setup_teardown(zero_ms_fires_on_a_later_turn, setup, teardown),
        cmocka_unit_test_setup_teardown(timer_close_inside_its_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(io_reports_readable_level_triggered, setup, teardown),
        cmocka_unit_test_setup_teardown(io_reports_writable_and_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(io_close_inside_its_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(io_reports_an_error_as_readable, setup, teardown),
    };
    struct CMUnitTest run[sizeof tests / sizeof tests[0]];
    const adapter *a = NULL;

    for (int i = 0; argc == 2 && adapters[i]; i++) {
        if (strcmp(argv[1], adapters[i]->name) == 0) a = adapters[i];
    }
    if (!a) {
        fprintf(stderr, "usage: %s ADAPTER (one of those built:", argv[0]);
        for (int i = 0; adapters[i]; i++) fprintf(stderr, " %s", adapters[i]->name);
        fprintf(stderr, ")\n");
        return 2;
    }
    /* Each test starts from the adapter as its initial state (setup makes the fixture). */
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        run[i] = tests[i];
        run[i].initial_state = (void *)a;
    }
    return cmocka_run_group_tests_name(a->name, run, NULL, NULL);
}
