/*
 * The fault matrix's procedures (test_module_faults.h): one cmocka test per row and fault,
 * on the fixture's server (wrongtype, foreign) and on a private victim server that is
 * killed, frozen and slowed.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "support/test_fixture.h"
#include "test_module_faults.h"

/* Command timeouts of the cells' clients, and the bounds the cells check. */
#define KILLED_TIMEOUT_MS 1000
#define INFLIGHT_TIMEOUT_MS 3000 /* longer than the kill's delay: the kill must end the call */
#define INFLIGHT_KILL_AFTER_MS 150
#define FROZEN_TIMEOUT_MS 200
#define FROZEN_BOUND_MS 2000 /* a timeout of 200 ms returns well before: no hang */
#define SLOW_WITHIN_TIMEOUT_MS 1000
#define SLOW_WITHIN_MS 120 /* a delay the call waits out */
#define SLOW_PAST_TIMEOUT_MS 300
#define SLOW_PAST_MS 700 /* a delay past the timeout */

test_redis victim;

int64_t faults_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_for_ms(int64_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0) {
    }
}

pottery_client *faults_victim_client(int64_t command_timeout_ms)
{
    pottery_client_options opts;
    pottery_client_options_init(&opts);
    opts.command_timeout_ms = command_timeout_ms;
    opts.connect_timeout_ms = 500;
    return open_client(victim.url, &opts);
}

char *faults_raw(const raw_cmd *cmd)
{
    const char *argv[8];
    int argc = 0;
    while (cmd->argv[argc]) {
        argv[argc] = cmd->argv[argc];
        argc++;
    }
    return test_redis_cmd(&server, argc, argv, NULL);
}

char *faults_digest(const char *key)
{
    return raw("EVAL",
               "local d = redis.call('DUMP', KEYS[1]) if not d then return 'none' end "
               "return redis.sha1hex(d) .. ' ' .. redis.call('PTTL', KEYS[1])",
               "1", key, NULL);
}

/* ---- a server stopped for a while ---- */

static pthread_t slow_thread;
static int64_t slow_ms;

static void *slow_resume(void *arg)
{
    (void)arg;
    sleep_for_ms(slow_ms);
    test_redis_resume(&victim);
    return NULL;
}

void faults_slow_begin(int64_t ms)
{
    slow_ms = ms;
    test_redis_pause(&victim);
    assert_int_equal(pthread_create(&slow_thread, NULL, slow_resume, NULL), 0);
}

void faults_slow_end(void)
{
    assert_int_equal(pthread_join(slow_thread, NULL), 0);
}

/* ---- a kill while a call waits ---- */

static pthread_t killer_thread;

static void *kill_later(void *arg)
{
    (void)arg;
    sleep_for_ms(INFLIGHT_KILL_AFTER_MS);
    test_redis_kill(&victim);
    return NULL;
}

/* ---- checks ---- */

/* rc is what a dead or frozen server gives this row (want: POTTERY_ECONN, POTTERY_ETIMEOUT,
 * or 0 for either; a quorum primitive's lost_code says why in its message), with a message
 * naming the server. */
static void assert_lost_at(const fault_row *row, int rc, int want, const char *file, int line)
{
    const char *why = NULL;
    if (row->lost_code) {
        why = want == POTTERY_ETIMEOUT ? " timeout" : want == POTTERY_ECONN ? " connection lost" : NULL;
        want = row->lost_code;
    }
    int ok = want ? rc == want : (rc == POTTERY_ECONN || rc == POTTERY_ETIMEOUT);
    if (!ok) {
        print_error("%s: %s (%d), expected %s\n", row->module, pottery_test_code_name(rc), rc,
                    want ? pottery_test_code_name(want) : "POTTERY_ECONN or POTTERY_ETIMEOUT");
        if (rc < 0) print_error("  message: %s\n", pottery_error_last()->message);
        _fail(file, line);
    }
    /* The message names the server ("reading from 127.0.0.1:<port>: no answer within 200
     * ms", "... 0 of 1 (127.0.0.1:<port> connection lost)"). */
    char address[32];
    snprintf(address, sizeof address, "127.0.0.1:%d", victim.port);
    if (!strstr(pottery_error_last()->message, address) || (why && !strstr(pottery_error_last()->message, why))) {
        print_error("%s: the message does not name %s%s: %s\n", row->module, address, why ? why : "",
                    pottery_error_last()->message);
        _fail(file, line);
    }
}
#define assert_lost(row, rc, want) assert_lost_at((row), (rc), (want), __FILE__, __LINE__)

static int probe(const fault_row *row, void *h, int64_t n)
{
    return row->probe ? row->probe(h, n) : row->read(h, n);
}

/* The row's handle on a new client on victim (*c) with this command timeout. */
static void *open_on_victim(const fault_row *row, pottery_client **c, int64_t timeout_ms)
{
    *c = faults_victim_client(timeout_ms);
    fault_target t = { *c, victim.url, timeout_ms };
    void *h = NULL;
    assert_ok(row->open(&h, &t));
    return h;
}

static void close_on_victim(const fault_row *row, void *h, pottery_client *c)
{
    row->close(h);
    pottery_client_free(c);
}

/* ---- the cells ---- */

static void cell_killed(const fault_row *row)
{
    pottery_client *c;
    void *h = open_on_victim(row, &c, KILLED_TIMEOUT_MS);
    assert_ok(row->write(h, 1));
    assert_ok(row->read(h, 1));

    /* Killed before the call. */
    test_redis_kill(&victim);
    assert_lost(row, row->write(h, 2), 0);
    assert_int_equal(test_redis_restart(&victim), 0);
    assert_ok(row->write(h, 3)); /* the same handle: it reconnects */
    assert_ok(row->read(h, 3));
    close_on_victim(row, h, c);

    /* Killed while the call waits for its reply: the kill, not the (longer) timeout, ends
     * it, with a connection error. */
    h = open_on_victim(row, &c, INFLIGHT_TIMEOUT_MS);
    assert_ok(row->write(h, 4));
    assert_ok(row->read(h, 4));
    test_redis_pause(&victim);
    assert_int_equal(pthread_create(&killer_thread, NULL, kill_later, NULL), 0);
    int64_t start = faults_now_ms();
    int rc = row->write(h, 5);
    int64_t took = faults_now_ms() - start;
    assert_int_equal(pthread_join(killer_thread, NULL), 0);
    assert_lost(row, rc, POTTERY_ECONN);
    if (took >= INFLIGHT_TIMEOUT_MS)
        fail_msg("%s: the call ended after %lld ms, not at the kill", row->module, (long long)took);
    assert_int_equal(test_redis_restart(&victim), 0);
    assert_ok(row->write(h, 6));
    assert_ok(row->read(h, 6));
    close_on_victim(row, h, c);
}

static void cell_frozen(const fault_row *row)
{
    pottery_client *c;
    void *h = open_on_victim(row, &c, FROZEN_TIMEOUT_MS);
    assert_ok(row->write(h, 1));
    test_redis_pause(&victim);
    int64_t start = faults_now_ms();
    int rc = probe(row, h, 1);
    int64_t took = faults_now_ms() - start;
    test_redis_resume(&victim);
    assert_lost(row, rc, POTTERY_ETIMEOUT);
    print_message("%s: frozen server: %s after %lld ms (command timeout %d ms)\n", row->module,
                  pottery_test_code_name(rc), (long long)took, FROZEN_TIMEOUT_MS);
    if (took >= FROZEN_BOUND_MS)
        fail_msg("%s: a %d ms timeout returned after %lld ms", row->module, FROZEN_TIMEOUT_MS, (long long)took);
    /* The late reply of the call that timed out is never taken for the next call's. */
    assert_ok(row->read(h, 1));
    assert_ok(row->write(h, 2));
    assert_ok(row->read(h, 2));
    close_on_victim(row, h, c);
}

static void cell_slow(const fault_row *row)
{
    pottery_client *c;
    void *h = open_on_victim(row, &c, SLOW_WITHIN_TIMEOUT_MS);
    assert_ok(row->write(h, 1));
    faults_slow_begin(SLOW_WITHIN_MS);
    int64_t start = faults_now_ms();
    int rc = row->read(h, 1); /* asserts the result */
    int64_t took = faults_now_ms() - start;
    faults_slow_end();
    assert_ok(rc);
    if (took < SLOW_WITHIN_MS / 2)
        fail_msg("%s: answered in %lld ms: the server was not slow", row->module, (long long)took);
    close_on_victim(row, h, c);

    h = open_on_victim(row, &c, SLOW_PAST_TIMEOUT_MS);
    assert_ok(row->write(h, 2));
    faults_slow_begin(SLOW_PAST_MS);
    rc = probe(row, h, 2);
    faults_slow_end();
    assert_lost(row, rc, POTTERY_ETIMEOUT);
    assert_ok(row->read(h, 2)); /* not the late reply */
    close_on_victim(row, h, c);
}

static void cell_seeded(const fault_row *row, const fault_seeded *sd, int (*dflt)(void *h, int64_t n))
{
    free(faults_raw(&sd->seed));
    char *before = faults_digest(sd->key);
    assert_non_null(before);
    assert_string_not_equal(before, "none");
    fault_target t = { client, server.url, 1000 };
    void *h = NULL;
    int rc = row->open(&h, &t);
    if (rc == 0) rc = sd->call ? sd->call(h) : dflt(h, 1);
    if (rc != sd->code) {
        print_error("%s: %s (%d), expected %s\n", row->module, pottery_test_code_name(rc), rc,
                    pottery_test_code_name(sd->code));
        if (rc < 0) print_error("  message: %s\n", pottery_error_last()->message);
        fail();
    }
    if (sd->needle) assert_message_contains(sd->needle);
    if (h) row->close(h);
    char *after = faults_digest(sd->key);
    assert_non_null(after);
    if (sd->outcome == FOREIGN_KEPT) assert_string_equal(after, before);
    if (sd->outcome == FOREIGN_EXPIRY_SLID) assert_memory_equal(after, before, 40); /* the DUMP's SHA-1 */
    free(before);
    free(after);
}

static void cell_wrongtype(const fault_row *row)
{
    cell_seeded(row, &row->wrongtype, row->write);
}

static void cell_foreign(const fault_row *row)
{
    cell_seeded(row, &row->foreign, row->read);
}

/* ---- the matrix as cmocka tests ---- */

static const char *const fault_names[FAULTS] = { "killed", "frozen", "slow", "wrongtype", "foreign" };
static void (*const cells[FAULTS])(const fault_row *row) = { cell_killed, cell_frozen, cell_slow, cell_wrongtype,
                                                             cell_foreign };

typedef struct cell {
    const fault_row *row;
    int fault;
    char name[64];
} cell;

static void run_cell(void **state)
{
    const cell *cl = *state;
    void (*run)(const fault_row *) = cl->row->custom[cl->fault] ? cl->row->custom[cl->fault] : cells[cl->fault];
    run(cl->row);
}

/* Per test: the fixture's server empty, the victim running and empty. */
static int reset(void **state)
{
    if (fixture_reset(state) != 0) return -1;
    test_redis_resume(&victim);
    if (victim.pid <= 0 && test_redis_restart(&victim) != 0) return -1;
    free(test_redis_cmdv(&victim, "FLUSHALL", (const char *)NULL));
    return 0;
}

static int group_setup(void **state)
{
    if (fixture_setup(state) != 0) return -1;
    return test_redis_start(&victim, NULL);
}

static int group_teardown(void **state)
{
    test_redis_stop(&victim);
    return fixture_teardown(state);
}

int faults_run_matrix(const fault_row *rows, size_t n)
{
    cell *all = calloc(n * FAULTS, sizeof *all);
    struct CMUnitTest *tests = calloc(n * FAULTS, sizeof *tests);
    if (!all || !tests) return 1;
    for (size_t r = 0; r < n; r++)
        for (int f = 0; f < FAULTS; f++) {
            cell *cl = &all[r * FAULTS + (size_t)f];
            cl->row = &rows[r];
            cl->fault = f;
            snprintf(cl->name, sizeof cl->name, "%s: %s", rows[r].module, fault_names[f]);
            tests[r * FAULTS + (size_t)f] = (struct CMUnitTest){ cl->name, run_cell, reset, NULL, cl };
        }
    int failed = _cmocka_run_group_tests("fault matrix", tests, n * FAULTS, group_setup, group_teardown);
    free(tests);
    free(all);
    return failed;
}
