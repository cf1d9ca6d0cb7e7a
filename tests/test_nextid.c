/* pottery_nextid over five private redis-server masters: the sequence, round trips per id,
 * options and bad input, masters killed and frozen, interop with pottery's two-step
 * protocol, and concurrent generator processes (C and pottery-protocol writers mixed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "conn/conn.h"
#include "support/test_fixture.h"

#define N MASTERS

/* ---- helpers ---- */

static pottery_nextid *open_gen(const char *key, size_t n)
{
    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    opts.key = key;
    pottery_nextid *gen = NULL;
    assert_ok(pottery_nextid_new(&gen, clients, n, &opts));
    return gen;
}

static int64_t next_id(pottery_nextid *gen)
{
    int64_t id = -1;
    assert_ok(pottery_nextid_next(&id, gen));
    return id;
}

static void reset_stats(void)
{
    for (size_t i = 0; i < N; i++) pottery_client_stats_reset(clients[i]);
}

/* Every master's round trips since reset_stats are `expected` (n masters). */
static void assert_round_trips_each(size_t n, uint64_t expected)
{
    for (size_t i = 0; i < n; i++) {
        pottery_client_stats s = stats_of(clients[i]);
        if (s.round_trips != expected)
            fail_msg("master %zu: %llu round trips, expected %llu", i, (unsigned long long)s.round_trips,
                     (unsigned long long)expected);
    }
}

static void assert_stored(size_t i, const char *key, const char *expected)
{
    assert_raw(expected, test_redis_cmdv(&masters[i], "GET", key, (const char *)NULL));
}

/* How many masters hold expected at key. */
static size_t count_stored(const char *key, const char *expected)
{
    size_t agreed = 0;
    for (size_t i = 0; i < N; i++) {
        char *got = test_redis_cmdv(&masters[i], "GET", key, (const char *)NULL);
        if (got && strcmp(got, expected) == 0) agreed++;
        free(got);
    }
    return agreed;
}

/* ---- the sequence ---- */

static void counts_from_one_in_one_round_trip_per_id(void **state)
{
    (void)state;
    pottery_nextid *gen = open_gen(NULL, N);
    assert_string_equal(pottery_nextid_key(gen), "nextid:current");
    reset_stats();
    assert_int_equal(next_id(gen), 1); /* the first id reads first */
    assert_round_trips_each(N, 2);
    for (int64_t want = 2; want <= 101; want++) assert_int_equal(next_id(gen), want);
    /* steady state: 100 ids, one round trip each on every master (late replies included) */
    assert_round_trips_each(N, 2 + 100);
    for (size_t i = 0; i < N; i++) {
        /* the early decision leaves at most two masters behind; a read makes them current */
        char *got = test_redis_cmdv(&masters[i], "GET", "nextid:current", (const char *)NULL);
        assert_non_null(got);
        assert_true(atoi(got) >= 100);
        free(got);
    }
    pottery_nextid_free(gen);
}

static void decimal_text_and_pottery_protocol_share_a_sequence(void **state)
{
    (void)state;
    pottery_nextid *gen = open_gen("tweet-ids", N);
    assert_int_equal(next_id(gen), 1);
    assert_int_equal(next_id(gen), 2);
    assert_true(count_stored("nextid:tweet-ids", "2") >= 3);
    /* another client advanced the sequence on every master: the refusal answers it, then
     * one read and the next id continues after it */
    for (size_t i = 0; i < N; i++)
        assert_raw("OK", test_redis_cmdv(&masters[i], "SET", "nextid:tweet-ids", "41", (const char *)NULL));
    reset_stats();
    assert_int_equal(next_id(gen), 42);
    assert_round_trips_each(N, 3); /* refused compare-and-set, read, compare-and-set */
    assert_true(count_stored("nextid:tweet-ids", "42") >= 3);
    /* only a minority advanced: the quorum still accepts, one round trip */
    assert_raw("OK", test_redis_cmdv(&masters[4], "SET", "nextid:tweet-ids", "1000", (const char *)NULL));
    reset_stats();
    assert_int_equal(next_id(gen), 43);
    assert_round_trips_each(N, 1);
    pottery_nextid_free(gen);
}

static void a_new_generator_continues_what_another_left(void **state)
{
    (void)state;
    pottery_nextid *a = open_gen("orders", N);
    for (int i = 0; i < 5; i++) next_id(a);
    pottery_nextid *b = open_gen("orders", N);
    assert_int_equal(next_id(b), 6);
    /* a remembers 5: its proposal of 6 is refused, and it reads past b's id */
    assert_int_equal(next_id(a), 7);
    assert_int_equal(next_id(b), 8);
    pottery_nextid_free(a);
    pottery_nextid_free(b);
}

static void reset_starts_over(void **state)
{
    (void)state;
    pottery_nextid *gen = open_gen(NULL, N);
    for (int i = 0; i < 3; i++) next_id(gen);
    reset_stats();
    assert_ok(pottery_nextid_reset(gen));
    assert_round_trips_each(N, 1);
    for (size_t i = 0; i < N; i++)
        assert_raw("0", test_redis_cmdv(&masters[i], "EXISTS", "nextid:current", (const char *)NULL));
    assert_int_equal(next_id(gen), 1);
    pottery_nextid_free(gen);
}

static void one_master_and_three(void **state)
{
    (void)state;
    pottery_nextid *one = open_gen("single", 1);
    reset_stats();
    for (int64_t want = 1; want <= 10; want++) assert_int_equal(next_id(one), want);
    assert_round_trips_each(1, 11);
    assert_stored(0, "nextid:single", "10");
    assert_raw("0", test_redis_cmdv(&masters[1], "EXISTS", "nextid:single", (const char *)NULL));
    pottery_nextid_free(one);
    pottery_nextid *three = open_gen("three", 3);
    assert_int_equal(next_id(three), 1);
    size_t n = 0;
    assert_ptr_equal(pottery_nextid_masters(&n, three)[2], clients[2]);
    assert_int_equal(n, 3);
    pottery_nextid_free(three);
}

static void repr_and_accessors(void **state)
{
    (void)state;
    pottery_nextid *gen = open_gen("user-ids", N);
    char *text = NULL;
    assert_ok(pottery_nextid_repr(&text, gen));
    assert_string_equal(text, "<NextID key=nextid:user-ids>");
    pottery_free(text);
    assert_null(pottery_nextid_key(NULL));
    size_t n = 7;
    assert_null(pottery_nextid_masters(&n, NULL));
    assert_int_equal(n, 0);
    assert_null(pottery_nextid_masters(NULL, NULL));
    pottery_nextid_free(NULL);
    pottery_nextid_free(gen);
}

static void bad_input(void **state)
{
    (void)state;
    pottery_nextid *gen = (pottery_nextid *)1;
    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    assert_int_equal(opts.version, POTTERY_NEXTID_OPTIONS_VERSION);
    assert_null(opts.key);
    assert_int_equal(opts.num_tries, 3);
    assert_int_equal(opts.raise_on_redis_errors, 0);

    assert_code(POTTERY_EINVAL, pottery_nextid_new(NULL, clients, N, NULL));
    assert_code(POTTERY_EINVAL, pottery_nextid_new(&gen, NULL, N, NULL));
    assert_null(gen);
    assert_code(POTTERY_EINVAL, pottery_nextid_new(&gen, clients, 0, NULL));
    assert_message("pottery_nextid_new: no masters");
    pottery_client *twice[2] = { clients[0], clients[0] };
    assert_code(POTTERY_EINVAL, pottery_nextid_new(&gen, twice, 2, NULL));
    assert_message("pottery_nextid_new: masters 0 and 1 are the same client");
    pottery_client *with_null[2] = { clients[0], NULL };
    assert_code(POTTERY_EINVAL, pottery_nextid_new(&gen, with_null, 2, NULL));
    opts.key = "";
    assert_code(POTTERY_EINVAL, pottery_nextid_new(&gen, clients, N, &opts));
    opts.key = NULL;
    opts.num_tries = 0;
    assert_code(POTTERY_EINVAL, pottery_nextid_new(&gen, clients, N, &opts));
    assert_message("pottery_nextid_new: num_tries must be >= 1 (got 0)");
    opts.num_tries = 3;
    opts.version = 0;
    assert_code(POTTERY_EINVAL, pottery_nextid_new(&gen, clients, N, &opts));
    opts.version = POTTERY_NEXTID_OPTIONS_VERSION + 1;
    assert_code(POTTERY_EINVAL, pottery_nextid_new(&gen, clients, N, &opts));

    assert_ok(pottery_nextid_new(&gen, clients, N, NULL));
    int64_t id = -1;
    assert_code(POTTERY_EINVAL, pottery_nextid_next(NULL, gen));
    assert_code(POTTERY_EINVAL, pottery_nextid_next(&id, NULL));
    assert_code(POTTERY_EINVAL, pottery_nextid_reset(NULL));
    char *text = NULL;
    assert_code(POTTERY_EINVAL, pottery_nextid_repr(&text, NULL));
    assert_code(POTTERY_EINVAL, pottery_nextid_repr(NULL, gen));
    assert_int_equal(id, -1);
    pottery_nextid_free(gen);
}

static void foreign_values(void **state)
{
    (void)state;
    pottery_nextid *gen = open_gen("odd", N);
    /* two masters hold text that is not a number: the quorum of the others decides, and the
     * compare-and-set stores over it (as pottery's script does) */
    assert_raw("OK", test_redis_cmdv(&masters[0], "SET", "nextid:odd", "abc", (const char *)NULL));
    assert_raw("OK", test_redis_cmdv(&masters[1], "SET", "nextid:odd", "7x", (const char *)NULL));
    assert_int_equal(next_id(gen), 1);
    pottery_nextid_free(gen);
    /* on a majority, nobody can read it: EQUORUM names them */
    for (size_t i = 0; i < 3; i++)
        assert_raw("OK", test_redis_cmdv(&masters[i], "SET", "nextid:bad", "abc", (const char *)NULL));
    gen = open_gen("bad", N);
    int64_t id = -1;
    assert_code(POTTERY_EQUORUM, pottery_nextid_next(&id, gen));
    assert_message_contains("quorum not achieved on nextid:bad after 3 tries (last read: ");
    assert_message_contains("nextid:bad holds \"abc\", not a decimal integer");
    assert_int_equal(id, -1);
    /* a hash where the id should be: Redis' WRONGTYPE on every master */
    for (size_t i = 0; i < N; i++)
        assert_raw("1", test_redis_cmdv(&masters[i], "HSET", "nextid:hash", "a", "1", (const char *)NULL));
    pottery_nextid_free(gen);
    gen = open_gen("hash", N);
    assert_code(POTTERY_EQUORUM, pottery_nextid_next(&id, gen));
    assert_message_contains("WRONGTYPE");
    pottery_nextid_free(gen);
    /* the end of int64: ERANGE, nothing stored */
    for (size_t i = 0; i < N; i++)
        assert_raw("OK", test_redis_cmdv(&masters[i], "SET", "nextid:end", "9223372036854775807", (const char *)NULL));
    gen = open_gen("end", N);
    assert_code(POTTERY_ERANGE, pottery_nextid_next(&id, gen));
    assert_message("nextid:end: the sequence reached INT64_MAX");
    assert_int_equal(id, -1);
    pottery_nextid_free(gen);
}

/* ---- faults ---- */

static void two_killed_still_works_three_killed_fails(void **state)
{
    (void)state;
    pottery_nextid *gen = open_gen(NULL, N);
    assert_int_equal(next_id(gen), 1);
    test_redis_kill(&masters[1]);
    test_redis_kill(&masters[3]);
    for (int64_t want = 2; want <= 5; want++) assert_int_equal(next_id(gen), want);
    assert_code(POTTERY_EQUORUM, pottery_nextid_reset(gen));
    assert_message_contains("reset of nextid:current did not reach every master: 3 of 5 (");
    assert_message_contains("connection refused");
    int64_t after_reset = next_id(gen); /* the three live masters were reset */
    assert_int_equal(after_reset, 1);

    test_redis_kill(&masters[0]);
    int64_t id = -1;
    double t0 = now_ms();
    assert_code(POTTERY_EQUORUM, pottery_nextid_next(&id, gen));
    print_message("3 of 5 killed: EQUORUM after %.1f ms\n", now_ms() - t0);
    assert_int_equal(id, -1);
    assert_message_contains("quorum not achieved on nextid:current after 3 tries (last read: ");
    for (size_t i = 0; i < N; i++) {
        char endpoint[64];
        snprintf(endpoint, sizeof endpoint, "127.0.0.1:%d connection refused", masters[i].port);
        if (i == 0 || i == 1 || i == 3)
            assert_message_contains(endpoint);
        else
            assert_null(strstr(pottery_error_last()->message, endpoint));
    }
    pottery_nextid_free(gen);

    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    opts.raise_on_redis_errors = 1;
    assert_ok(pottery_nextid_new(&gen, clients, N, &opts));
    assert_code(POTTERY_EIMPOSSIBLE, pottery_nextid_next(&id, gen));
    assert_message_contains("quorum is impossible on nextid:current: 3 of 5 masters failed (read: ");

    /* one comes back (empty) and rejoins: with the two survivors it makes a quorum that
     * still holds the sequence (losing the data of a majority would lose the sequence) */
    assert_int_equal(test_redis_restart(&masters[0]), 0);
    assert_ok(pottery_nextid_next(&id, gen));
    assert_int_equal(id, 3); /* 2 is a hole: the failed proposal stored it on the survivors */

    test_redis_kill(&masters[0]);
    assert_code(POTTERY_EIMPOSSIBLE, pottery_nextid_reset(gen));
    assert_message_contains("quorum is impossible on nextid:current: 3 of 5 masters failed (DEL: 2 of 5 (");
    pottery_nextid_free(gen);
}

static void a_frozen_master_costs_nothing_in_the_steady_state(void **state)
{
    (void)state;
    pottery_nextid *gen = open_gen(NULL, N);
    assert_int_equal(next_id(gen), 1);
    test_redis_pause(&masters[2]);
    double t0 = now_ms();
    for (int64_t want = 2; want <= 21; want++) assert_int_equal(next_id(gen), want);
    double elapsed = now_ms() - t0;
    print_message("one master frozen (300 ms timeout): 20 ids in %.1f ms\n", elapsed);
    /* the first call waits for the frozen one's timeout only if it is needed: it is not */
    assert_true(elapsed < 300);

    /* two frozen: a quorum needs the three others, still no wait */
    test_redis_pause(&masters[4]);
    t0 = now_ms();
    assert_int_equal(next_id(gen), 22);
    print_message("two frozen: one id in %.1f ms\n", now_ms() - t0);

    /* three frozen: an attempt waits for their command timeout, then EQUORUM names them */
    test_redis_pause(&masters[0]);
    pottery_nextid_options opts;
    pottery_nextid_options_init(&opts);
    opts.num_tries = 1;
    pottery_nextid *once;
    assert_ok(pottery_nextid_new(&once, clients, N, &opts));
    int64_t id = -1;
    t0 = now_ms();
    assert_code(POTTERY_EQUORUM, pottery_nextid_next(&id, once));
    elapsed = now_ms() - t0;
    print_message("three frozen, one try: EQUORUM after %.1f ms\n", elapsed);
    assert_message_contains("quorum not achieved on nextid:current after 1 try (last read: 2 of 5 (");
    for (size_t i = 0; i < N; i++) {
        char endpoint[64];
        snprintf(endpoint, sizeof endpoint, "127.0.0.1:%d timeout", masters[i].port);
        if (i == 0 || i == 2 || i == 4)
            assert_message_contains(endpoint);
        else
            assert_null(strstr(pottery_error_last()->message, endpoint));
    }
    assert_true(elapsed >= 290);
    assert_true(elapsed < 300 + 250);
    pottery_nextid_free(once);
    for (size_t i = 0; i < N; i++) test_redis_resume(&masters[i]);
    /* the late replies are consumed (or the connections dropped) and it goes on */
    assert_ok(pottery_nextid_next(&id, gen));
    assert_true(id > 22);
    pottery_nextid_free(gen);
}

/* ---- concurrency: C generators and pottery's two-step protocol mixed ---- */

#define PROCESSES 5
#define IDS_PER_PROCESS 2000

/* pottery's own "set id" script, as its behaviour file describes it: set when missing, not
 * a number or smaller, answering the id, else nil. */
static const pottery_script pottery_set_id = {
    "pottery_set_id", "local current = tonumber(redis.call('get', KEYS[1])) "
                      "local next = tonumber(ARGV[1]) "
                      "if current == nil or current < next then redis.call('set', KEYS[1], next) return next end "
                      "return nil"
};

typedef struct two_step {
    int64_t max;      /* the read: max of the answers */
    long long wanted; /* the write: the id a master must answer */
} two_step;

static int check_get(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    two_step *t = ctx;
    const char *s;
    size_t len;
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) return 1; /* missing: 0 */
    int rc = pottery__reply_bytes(&s, &len, r, "GET");
    if (rc < 0) return rc;
    char text[32];
    snprintf(text, sizeof text, "%.*s", (int)(len < 31 ? len : 31), s);
    int64_t v = strtoll(text, NULL, 10);
    if (v > t->max) t->max = v;
    return 1;
}

static int check_set_id(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    two_step *t = ctx;
    long long v;
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) return 0;
    int rc = pottery__reply_int(&v, r, "set_id");
    return rc < 0 ? rc : v == t->wanted;
}

/* pottery's next() with raw commands: GET on every master at once, max of the first quorum
 * of answers + 1, then the script on every master at once, a master counting if it answered
 * exactly that id (both bail out at quorum, as pottery does). 1 and *id, or 0. */
static int pottery_protocol_next(int64_t *id, pottery_client **cs, const char *key)
{
    pottery_fanout f;
    two_step t = { 0, 0 };
    pottery_cmd cmd;
    pottery__fanout_init(&f, cs, N, N / 2 + 1);
    f.ctx = &t;
    f.check = check_get;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "GET");
    pottery__cmd_cstr(&cmd, key);
    int ok = pottery__fanout_exec(&f, &cmd) == 0 && f.yes >= N / 2 + 1;
    pottery__cmd_reset(&cmd);
    if (ok) {
        t.wanted = t.max + 1;
        f.check = check_set_id;
        pottery__cmd_cstr(&cmd, key);
        pottery__cmd_int(&cmd, t.wanted);
        ok = pottery__fanout_eval(&f, &pottery_set_id, 1, &cmd) == 0 && f.yes >= N / 2 + 1;
    }
    pottery__cmd_free(&cmd);
    pottery__fanout_free(&f);
    if (ok) *id = t.wanted;
    return ok;
}

typedef struct worker {
    int index;
    int fd; /* write end: the ids, in the order they were given */
} worker;

static int generate(void *arg)
{
    worker *w = arg;
    int64_t *ids = calloc(IDS_PER_PROCESS, sizeof *ids);
    if (!ids) return 1;
    int status = 0;
    pottery_client *mine[N];
    pottery_client_options opts;
    pottery_client_options_init(&opts);
    opts.command_timeout_ms = 2000;
    for (size_t i = 0; i < N; i++)
        if (pottery_client_open(&mine[i], masters[i].url, &opts) < 0) return 2;
    if (w->index % 2 == 0) {
        pottery_nextid_options o;
        pottery_nextid_options_init(&o);
        o.key = "shared";
        o.num_tries = 1000;
        pottery_nextid *gen;
        if (pottery_nextid_new(&gen, mine, N, &o) < 0) return 3;
        for (int k = 0; k < IDS_PER_PROCESS && status == 0; k++)
            if (pottery_nextid_next(&ids[k], gen) < 0) {
                fprintf(stderr, "worker %d: %s\n", w->index, pottery_error_last()->message);
                status = 4;
            }
        pottery_nextid_free(gen);
    } else {
        for (int k = 0; k < IDS_PER_PROCESS && status == 0; k++) {
            int tries = 0;
            while (status == 0 && !pottery_protocol_next(&ids[k], mine, "nextid:shared"))
                if (++tries == 1000) status = 5;
        }
    }
    for (size_t i = 0; i < N; i++) pottery_client_free(mine[i]);
    if (status == 0 && write_all(w->fd, ids, IDS_PER_PROCESS * sizeof *ids) < 0) status = 6;
    free(ids);
    return status;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void concurrent_generators_never_repeat(void **state)
{
    (void)state;
    int fds[PROCESSES][2];
    pid_t pids[PROCESSES];
    worker workers[PROCESSES];
    double t0 = now_ms();
    for (int p = 0; p < PROCESSES; p++) {
        assert_int_equal(pipe(fds[p]), 0);
        workers[p].index = p;
        workers[p].fd = fds[p][1];
        pids[p] = fork_child(generate, &workers[p]);
        close(fds[p][1]);
    }
    int64_t *all = calloc(PROCESSES * IDS_PER_PROCESS, sizeof *all);
    assert_non_null(all);
    size_t count = 0;
    for (int p = 0; p < PROCESSES; p++) {
        int64_t *ids = all + count;
        ssize_t got = read_full(fds[p][0], ids, IDS_PER_PROCESS * sizeof *ids);
        close(fds[p][0]);
        assert_int_equal(wait_exit_code(pids[p]), 0);
        assert_int_equal(got, IDS_PER_PROCESS * sizeof *ids);
        size_t mine = IDS_PER_PROCESS;
        for (size_t k = 1; k < mine; k++)
            if (ids[k] <= ids[k - 1])
                fail_msg("process %d: id %lld after %lld", p, (long long)ids[k], (long long)ids[k - 1]);
        count += mine;
    }
    print_message("%d processes (3 C generators, 2 pottery-protocol writers) x %d ids: %zu ids in %.0f ms\n", PROCESSES,
                  IDS_PER_PROCESS, count, now_ms() - t0);
    qsort(all, count, sizeof *all, cmp_id);
    for (size_t k = 1; k < count; k++)
        if (all[k] == all[k - 1]) fail_msg("id %lld given twice", (long long)all[k]);
    assert_true(all[0] >= 1);
    print_message("largest id %lld (holes: %lld)\n", (long long)all[count - 1],
                  (long long)all[count - 1] - (long long)count);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(counts_from_one_in_one_round_trip_per_id, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(decimal_text_and_pottery_protocol_share_a_sequence, masters_reset,
                                        masters_close),
        cmocka_unit_test_setup_teardown(a_new_generator_continues_what_another_left, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(reset_starts_over, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(one_master_and_three, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(repr_and_accessors, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(bad_input, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(foreign_values, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(two_killed_still_works_three_killed_fails, masters_reset, masters_close),
        cmocka_unit_test_setup_teardown(a_frozen_master_costs_nothing_in_the_steady_state, masters_reset,
                                        masters_close),
        cmocka_unit_test_setup_teardown(concurrent_generators_never_repeat, masters_reset, masters_close),
    };
    return cmocka_run_group_tests(tests, masters_setup, masters_teardown);
}
