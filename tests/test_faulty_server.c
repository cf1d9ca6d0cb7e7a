/* Every operation of every container against a fake server that answers what Redis never
 * would: replies of the wrong type, replies cut short, replies trickled byte by byte,
 * headers announcing absurd sizes, and SCAN cursors that never end. Each call must fail with
 * a clear code and message within its timeout (or, for a reply that is a valid answer, give
 * the normal answer), never read a wrong reply as a success or as a Python error such as
 * KeyError, and leave its client usable.
 *
 * rows[] lists the operations (every public function of dict.h, set.h, list.h, deque.h,
 * counter.h, queue.h, cache.h, cached_ordered_dict.h, hll.h, bloom.h, semaphore.h,
 * ratelimit.h, rqueue.h, rlock.h and rwlock.h that talks to Redis; _new/_free/_key/iter_new
 * send nothing and are only used around them) with the fixed replies that are valid answers
 * for each; modes[] lists the faults. The quorum locks (rlock.h, rwlock.h) have the fake
 * server as their one master and raise_on_redis_errors on: a fault is that master's failed
 * vote, POTTERY_EIMPOSSIBLE with the fault in its message. Redlock and NextID are checked
 * against wrong and missing replies at their fan-out (test_fanout.c) and with bad data
 * (test_redlock.c, test_redlock_lifetime.c, test_nextid.c). Each mode runs in child processes that run the rows one by one and
 * report each result through a pipe, so a crash or a hang (killed after its time limit)
 * costs only its own row: a new child resumes after it. Each test prints every failing
 * (operation, fault) pair, then fails. largest_integers gives the calls that compute with
 * a server's number (a wait, an expiry) replies of the right shape holding INT64_MAX;
 * fuzzer_findings replays the replies that the reply fuzzer (fuzz/fuzz_reply.c) found
 * mishandled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_server.h"
#include "pottery.h"
#include "support/assert_ok.h"
#include "support/test_util.h"

/* ======================= the faults ======================= */

/* The fixed replies of the first family of faults, in the order of the rows' tables. */
enum { RS, RI, RN, RJ, RT, RE, RK, NFIXED };
static const char *const fixed_bytes[NFIXED] = {
    "+OK\r\n", ":42\r\n", "$-1\r\n", "$1\r\n7\r\n", "$3\r\nabc\r\n", "*0\r\n", "*1\r\n:1\r\n",
};

typedef enum fault {
    FIXED,       /* every command gets fixed_bytes[reply] */
    CUT_CLOSE,   /* the first command on each connection gets the start of a plausible
                    reply, then the connection is closed */
    CUT_SILENT,  /* the same, then silence */
    TRICKLE,     /* plausible replies, one byte every TRICKLE_US */
    HUGE_HEADER, /* the first command on each connection gets `bytes` (a header announcing
                    2^31 - 1 items or bytes) and nothing more */
    ENDLESS      /* SCAN-family commands get a non-zero cursor and no items, forever */
} fault;

/* What may come of a call, one bit per code. */
enum {
    A_PROTO = 1 << 0,     /* POTTERY_EPROTOCOL */
    A_OK = 1 << 1,        /* 0 (with the normal answer) */
    A_DECODE = 1 << 2,    /* POTTERY_EDECODE */
    A_NOTFOUND = 1 << 3,  /* POTTERY_ENOTFOUND */
    A_INDEX = 1 << 4,     /* POTTERY_EINDEX */
    A_EMPTY = 1 << 5,     /* POTTERY_EEMPTY */
    A_ITEROVER = 1 << 6,  /* POTTERY_EITEROVER */
    A_CONN = 1 << 7,      /* POTTERY_ECONN */
    A_TIMEOUT = 1 << 8,   /* POTTERY_ETIMEOUT */
    A_IMPOSSIBLE = 1 << 9 /* POTTERY_EIMPOSSIBLE (a QUORUM row's failed vote) */
};

typedef struct mode {
    const char *name;
    fault fault;
    int reply;         /* FIXED: index into fixed_bytes */
    const char *bytes; /* HUGE_HEADER */
    unsigned rows;     /* the row flag this mode runs on (0: every row) */
    int timeout_ms;    /* the client's command timeout */
    unsigned want;     /* what every row must give (FIXED: each row says) */
    int bound_ms;      /* the call must return within this (slack_ms(), plus the row's own wait) */
} mode;

/* Row flags. */
enum {
    PATH = 1,        /* one operation per way of waiting for replies: a command, MULTI/EXEC,
                        EVAL, a cursor, a pipeline, a streamed transaction, WATCH, XREAD BLOCK */
    HUGE = 2,        /* one operation per way of reading them: a command, a transaction, a
                        cursor, a pipeline */
    SCAN = 4,        /* iterates with a SCAN-family cursor */
    BLOCKS = 8,      /* waits GET_WAIT_MS on the server by design */
    SPARE_EVAL = 16, /* EVAL answers nil (an empty queue) in every mode: the fault hits XREAD */
    QUORUM = 32,     /* a quorum lock (rlock, rwlock) whose one master is the fake server: a
                        master's fault is its failed vote, which raise_on_redis_errors (on in
                        the fixture) makes POTTERY_EIMPOSSIBLE naming that fault */
    HELD = 64        /* the fixture's quorum locks are held: every EVAL answers 1 while the
                        server behaves */
};

enum { TRICKLE_US = 50000, GET_WAIT_MS = 100, SLACK_MS = 500 };

static const mode modes[] = {
    { "status +OK", FIXED, RS, NULL, 0, 1000, 0, 1000 },
    { "integer :42", FIXED, RI, NULL, 0, 1000, 0, 1000 },
    { "nil", FIXED, RN, NULL, 0, 1000, 0, 1000 },
    { "bulk \"7\" (JSON)", FIXED, RJ, NULL, 0, 1000, 0, 1000 },
    { "bulk \"abc\" (not JSON)", FIXED, RT, NULL, 0, 1000, 0, 1000 },
    { "empty array", FIXED, RE, NULL, 0, 1000, 0, 1000 },
    { "array [:1]", FIXED, RK, NULL, 0, 1000, 0, 1000 },
    { "truncated, then closed", CUT_CLOSE, 0, NULL, 0, 1000, A_CONN, 1000 },
    { "truncated, then silent", CUT_SILENT, 0, NULL, PATH, 200, A_TIMEOUT, 200 + 700 },
    { "trickled (1 byte / 50 ms)", TRICKLE, 0, NULL, PATH, 200, A_TIMEOUT, 200 + 700 },
    { "array header *2147483647", HUGE_HEADER, 0, "*2147483647\r\n", HUGE, 1000, A_PROTO, 300 },
    { "bulk header $2147483647", HUGE_HEADER, 0, "$2147483647\r\n", HUGE, 1000, A_PROTO, 300 },
    { "endless SCAN cursor", ENDLESS, 0, NULL, SCAN, 200, A_TIMEOUT, 200 + 700 },
};
#define NMODES (sizeof modes / sizeof modes[0])

/* ======================= the fake server's side ======================= */

/* What the fake server knows of each command: its normal answer, if the fixtures or the
 * recovery check need one, and the shape of its replies, for plausible partial replies:
 * i(nteger), b(ulk), a(rray), c(ursor: a SCAN reply), s(tatus). */
typedef struct verb_info {
    const char *verb;
    const char *normal;
    char shape;
} verb_info;

static const verb_info verbs[] = {
    { "PING", "+PONG\r\n", 's' },    { "SELECT", "+OK\r\n", 's' }, { "HLEN", ":3\r\n", 'i' },
    { "LLEN", ":0\r\n", 'i' },       { "SCARD", ":0\r\n", 'i' },   { "MULTI", "+OK\r\n", 's' },
    { "SUNION", "*0\r\n", 'a' },     { "SINTER", "*0\r\n", 'a' },  { "SDIFF", "*0\r\n", 'a' },
    { "HSET", NULL, 'i' },           { "HDEL", NULL, 'i' },        { "HEXISTS", NULL, 'i' },
    { "HSETNX", NULL, 'i' },         { "HINCRBY", NULL, 'i' },     { "SADD", NULL, 'i' },
    { "SREM", NULL, 'i' },           { "SISMEMBER", NULL, 'i' },   { "SUNIONSTORE", NULL, 'i' },
    { "SINTERSTORE", NULL, 'i' },    { "SDIFFSTORE", NULL, 'i' },  { "SINTERCARD", NULL, 'i' },
    { "RPUSH", NULL, 'i' },          { "LPUSH", NULL, 'i' },       { "SORT", NULL, 'i' },
    { "XLEN", NULL, 'i' },           { "UNLINK", NULL, 'i' },      { "EXISTS", NULL, 'i' },
    { "HGETALL", NULL, 'a' },        { "HVALS", NULL, 'a' },       { "SMEMBERS", NULL, 'a' },
    { "SMISMEMBER", NULL, 'a' },     { "LRANGE", NULL, 'a' },      { "XREAD", NULL, 'a' },
    { "EXEC", NULL, 'a' },           { "HSCAN", NULL, 'c' },       { "SSCAN", NULL, 'c' },
    { "EVAL", "*1\r\n:1\r\n", 'b' }, { "LSET", NULL, 's' },        { "LTRIM", NULL, 's' },
    { "WATCH", NULL, 's' },          { "UNWATCH", NULL, 's' },     { "DISCARD", NULL, 's' },
    { "HMGET", NULL, 'a' },          { "XPENDING", NULL, 'a' },    { "XRANGE", NULL, 'a' },
};
/* Anything else (HGET, LINDEX, SPOP, RPOP, XADD, EVAL...) answers a bulk string or nil. */
static const verb_info other_verb = { "", NULL, 'b' };

static const char not_normal[] = "-ERR fake server: no normal answer for this command\r\n";

static const verb_info *verb_of(const char *name)
{
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcasecmp(verbs[i].verb, name) == 0) return &verbs[i];
    return &other_verb;
}

/* The start of a plausible reply, and a whole one that is long enough that trickling it
 * takes far longer than the timeout. */
static const char *cut_reply(char shape)
{
    switch (shape) {
    case 'i': return ":12345";
    case 'a': return "*3\r\n:1\r\n";
    case 'c': return "*2\r\n$1\r\n0\r\n";
    case 's': return "+O";
    default: return "$10\r\nabc";
    }
}

static const char *trickled_reply(char shape)
{
    switch (shape) {
    case 'i': return ":1234567890123456\r\n";
    case 'a': return "*3\r\n$3\r\n\"a\"\r\n$3\r\n\"b\"\r\n$3\r\n\"c\"\r\n";
    case 'c': return "*2\r\n$1\r\n0\r\n*2\r\n$3\r\n\"a\"\r\n$3\r\n\"b\"\r\n";
    case 's': return "+OK\r\n";
    default: return "$20\r\n\"aaaaaaaaaaaaaaaaaa\"\r\n";
    }
}

/* The shared state of a child: the mode, the phase of the current case, and what the
 * server saw. The fake server's thread and the test's thread both use it. */
typedef struct scene {
    pthread_mutex_t lock;
    const mode *mode;
    unsigned row_flags;
    int hostile;    /* 0 while the fixture opens and during the recovery check */
    int faulted[8]; /* the connections that had their one-shot fault */
    int queued;     /* TRICKLE: commands queued since MULTI, -1 outside MULTI */
    char sent[256]; /* verbs received while hostile, for checking messages */
    char buf[512];  /* a reply built for EXEC */
} scene;

/* Add verb to the space-separated list in sc->sent, once. */
static void note_verb(scene *sc, const char *verb)
{
    char word[64];
    size_t len = strlen(sc->sent);
    snprintf(word, sizeof word, "%s ", verb);
    for (const char *p = sc->sent; (p = strstr(p, word)) != NULL; p++)
        if (p == sc->sent || p[-1] == ' ') return;
    if (len + strlen(word) < sizeof sc->sent) memcpy(sc->sent + len, word, strlen(word) + 1);
}

/* TRICKLE: a plausible whole reply, following MULTI ... EXEC. */
static const char *trickle_for(scene *sc, const char *name, const verb_info *v)
{
    if (strcasecmp(name, "MULTI") == 0) {
        sc->queued = 0;
        return "+OK\r\n";
    }
    if (strcasecmp(name, "EXEC") == 0 && sc->queued >= 0) {
        int len = snprintf(sc->buf, sizeof sc->buf, "*%d\r\n", sc->queued);
        for (int i = 0; i < sc->queued && len + 8 < (int)sizeof sc->buf; i++)
            len += snprintf(sc->buf + len, sizeof sc->buf - (size_t)len, ":1\r\n");
        sc->queued = -1;
        return sc->buf;
    }
    if (sc->queued >= 0) {
        sc->queued++;
        return "+QUEUED\r\n";
    }
    return trickled_reply(v->shape);
}

/* 1 the first time conn asks, then 0. */
static int first_on(scene *sc, int conn)
{
    for (size_t i = 0; i < sizeof sc->faulted / sizeof sc->faulted[0]; i++) {
        if (sc->faulted[i] == conn) return 0;
        if (sc->faulted[i] == 0) {
            sc->faulted[i] = conn;
            return 1;
        }
    }
    return 0;
}

static fake_action hostile_action(scene *sc, int conn, const char *name, const verb_info *v)
{
    fake_action a = { NULL, 0, 0 };
    const mode *m = sc->mode;
    int first = first_on(sc, conn);
    switch (m->fault) {
    case FIXED: a.bytes = fixed_bytes[m->reply]; break;
    case CUT_CLOSE:
        a.bytes = first ? cut_reply(v->shape) : NULL;
        a.close = first;
        break;
    case CUT_SILENT: a.bytes = first ? cut_reply(v->shape) : NULL; break;
    case HUGE_HEADER: a.bytes = first ? m->bytes : NULL; break;
    case TRICKLE:
        a.bytes = trickle_for(sc, name, v);
        a.pace_us = TRICKLE_US;
        break;
    case ENDLESS: a.bytes = v->shape == 'c' ? "*2\r\n$1\r\n7\r\n*0\r\n" : v->normal ? v->normal : not_normal; break;
    }
    return a;
}

static fake_action on_command(int conn, int argc, char **argv, void *userdata)
{
    scene *sc = userdata;
    const verb_info *v = verb_of(argv[0]);
    fake_action a = { NULL, 0, 0 };
    pthread_mutex_lock(&sc->lock);
    int handshake = strcasecmp(argv[0], "PING") == 0 || strcasecmp(argv[0], "SELECT") == 0;
    int spared = (sc->row_flags & SPARE_EVAL) && strncasecmp(argv[0], "EVAL", 4) == 0;
    if (sc->hostile && !handshake) note_verb(sc, argv[0]);
    int eval = strncasecmp(argv[0], "EVAL", 4) == 0;
    if (spared)
        a.bytes = "$-1\r\n";
    else if (!sc->hostile && eval && (sc->row_flags & HELD))
        a.bytes = ":1\r\n";
    else if (sc->hostile && !handshake)
        a = hostile_action(sc, conn, argv[0], v);
    else
        a.bytes = v->normal ? v->normal : not_normal;
    pthread_mutex_unlock(&sc->lock);
    return a;
}

static void scene_set(scene *sc, int hostile)
{
    pthread_mutex_lock(&sc->lock);
    sc->hostile = hostile;
    pthread_mutex_unlock(&sc->lock);
}

/* ======================= the operations ======================= */

/* Handles for every operation: c2 reaches the same fake server as database 1, which the
 * library treats as another server (so the cross-server paths run too). */
typedef struct fx {
    pottery_client *c, *c2;
    pottery_dict *d, *d2, *dx, *check, *check2;
    pottery_set *s, *s2, *sx;
    pottery_list *l, *l2, *lx;
    pottery_deque *q, *q2, *qb;
    pottery_counter *k, *k2, *kx;
    pottery_queue *u;
    pottery_cache *ch, *chx;          /* with the default timeout (Lua scripts), and without (HGET, HSET) */
    pottery_cached_ordered_dict *cod; /* opened without keys: nothing sent */
    pottery_hll *h, *h2;
    pottery_bloom *bf; /* its open's record check is EVAL's normal answer, [1] */
    pottery_semaphore *sem;
    pottery_ratelimit *rl;
    pottery_rqueue *rq;
    pottery_rlock *rlk;       /* the quorum locks: the fake server is their one master */
    pottery_rwlock *rw, *rww; /* HELD rows: rlk and rw hold (rw for reading), rww for writing */
} fx;

#define KEY pottery_str("k")
#define VAL pottery_int(1)
#define SLICE pottery_slice_of(0, 1, POTTERY_SLICE_NONE)

/* Each operation runs on the fixture and writes its answer as text into out. */
typedef int (*op_fn)(fx *f, char *out, size_t n);

static int show_value(char *out, size_t n, int rc, pottery_value *v)
{
    char *repr = NULL;
    if (rc == 0 && pottery_value_repr(&repr, *v) == 0) snprintf(out, n, "%s", repr);
    pottery_free(repr);
    pottery_value_dispose(v);
    return rc;
}

static int show_int(char *out, size_t n, int rc, long long i)
{
    if (rc == 0) snprintf(out, n, "%lld", i);
    return rc;
}

static int show_text(char *out, size_t n, int rc, char *text)
{
    if (rc == 0) snprintf(out, n, "%s", text ? text : "(null)");
    pottery_free(text);
    return rc;
}

/* One-line operations: `call` leaves its answer in v, i, b, t or h, which are shown. */
#define OP_VOID(name, call)                                                                                            \
    static int name(fx *f, char *out, size_t n)                                                                        \
    {                                                                                                                  \
        return (call);                                                                                                 \
    }
#define OP_VALUE(name, call)                                                                                           \
    static int name(fx *f, char *out, size_t n)                                                                        \
    {                                                                                                                  \
        pottery_value v = POTTERY_VALUE_INIT;                                                                          \
        int rc = (call);                                                                                               \
        return show_value(out, n, rc, &v);                                                                             \
    }
#define OP_INT(name, call)                                                                                             \
    static int name(fx *f, char *out, size_t n)                                                                        \
    {                                                                                                                  \
        int64_t i = 0;                                                                                                 \
        int rc = (call);                                                                                               \
        return show_int(out, n, rc, i);                                                                                \
    }
#define OP_BOOL(name, call)                                                                                            \
    static int name(fx *f, char *out, size_t n)                                                                        \
    {                                                                                                                  \
        int b = -1;                                                                                                    \
        int rc = (call);                                                                                               \
        return show_int(out, n, rc, b);                                                                                \
    }
#define OP_TEXT(name, call)                                                                                            \
    static int name(fx *f, char *out, size_t n)                                                                        \
    {                                                                                                                  \
        char *t = NULL;                                                                                                \
        int rc = (call);                                                                                               \
        return show_text(out, n, rc, t);                                                                               \
    }
/* A call that makes a new handle, freed at once. */
#define OP_NEW(name, type, call)                                                                                       \
    static int name(fx *f, char *out, size_t n)                                                                        \
    {                                                                                                                  \
        type *h = NULL;                                                                                                \
        int rc = (call);                                                                                               \
        type##_free(h);                                                                                                \
        return show_text(out, n, rc, NULL);                                                                            \
    }

/* Initial contents for the opens: JSON null, the value with a constant initializer. */
static const pottery_value null_value = POTTERY_VALUE_INIT;
static const pottery_pair null_pair = { POTTERY_VALUE_INIT, POTTERY_VALUE_INIT };
static const pottery_counter_pair null_count = { POTTERY_VALUE_INIT, 2 };
static const pottery_dict_options dict_items = { POTTERY_DICT_OPTIONS_VERSION, &null_pair, 1 };
static const pottery_set_options set_items = { POTTERY_SET_OPTIONS_VERSION, &null_value, 1 };
static const pottery_list_options list_items = { POTTERY_LIST_OPTIONS_VERSION, &null_value, 1 };
static const pottery_deque_options deque_items = { POTTERY_DEQUE_OPTIONS_VERSION, &null_value, 1,
                                                   POTTERY_DEQUE_NO_MAXLEN };
static const pottery_deque_options deque_bounded = { POTTERY_DEQUE_OPTIONS_VERSION, NULL, 0, 3 };
static const pottery_counter_options counter_items = { POTTERY_COUNTER_OPTIONS_VERSION, &null_count, 1, NULL, 0 };

/* ---- dict ---- */

static int dict_update(fx *f, char *out, size_t n)
{
    pottery_pair item = { KEY, VAL };
    return pottery_dict_update(f->d, &item, 1);
}

static int dict_iter_next(fx *f, char *out, size_t n)
{
    pottery_dict_iter *it = NULL;
    pottery_value k = POTTERY_VALUE_INIT, v = POTTERY_VALUE_INIT;
    int rc = pottery_dict_iter_new(&it, f->d);
    if (rc == 0) rc = pottery_dict_iter_next(&k, &v, it);
    pottery_dict_iter_free(it);
    pottery_value_dispose(&k);
    return show_value(out, n, rc, &v);
}

OP_NEW(dict_open_items, pottery_dict, pottery_dict_open(&h, f->c, "fresh", &dict_items))
OP_VALUE(dict_get, pottery_dict_get(&v, f->d, KEY))
OP_VALUE(dict_get_default, pottery_dict_get_default(&v, f->d, KEY, pottery_str("dflt")))
OP_VOID(dict_set, pottery_dict_set(f->d, KEY, VAL))
OP_VOID(dict_del, pottery_dict_del(f->d, KEY))
OP_BOOL(dict_contains, pottery_dict_contains(&b, f->d, KEY))
OP_INT(dict_len, pottery_dict_len(&i, f->d))
OP_VALUE(dict_pop, pottery_dict_pop(&v, f->d, KEY))
OP_VALUE(dict_pop_default, pottery_dict_pop_default(&v, f->d, KEY, pottery_str("dflt")))
OP_VALUE(dict_popitem, pottery_dict_popitem(NULL, &v, f->d))
OP_VALUE(dict_setdefault, pottery_dict_setdefault(&v, f->d, KEY, VAL))
OP_VOID(dict_update_from, pottery_dict_update_from(f->d, f->d2))
OP_VOID(dict_update_from_x, pottery_dict_update_from(f->d, f->dx))
OP_VOID(dict_clear, pottery_dict_clear(f->d))
OP_TEXT(dict_to_json, pottery_dict_to_json(&t, NULL, f->d))
OP_TEXT(dict_repr, pottery_dict_repr(&t, f->d))
OP_BOOL(dict_equal, pottery_dict_equal_from(&b, f->d, f->d2))
OP_BOOL(dict_equal_x, pottery_dict_equal_from(&b, f->d, f->dx))
OP_BOOL(dict_equal_json, pottery_dict_equal_json(&b, f->d, "{}"))

/* ---- set ---- */

static int set_contains_many(fx *f, char *out, size_t n)
{
    pottery_value e = VAL;
    int found = -1;
    int rc = pottery_set_contains_many(&found, f->s, &e, 1);
    if (rc == 0) snprintf(out, n, "[%d]", found);
    return rc;
}

static int set_iter_next(fx *f, char *out, size_t n)
{
    pottery_set_iter *it = NULL;
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_set_iter_new(&it, f->s);
    if (rc == 0) rc = pottery_set_iter_next(&v, it);
    pottery_set_iter_free(it);
    return show_value(out, n, rc, &v);
}

OP_NEW(set_open_elements, pottery_set, pottery_set_open(&h, f->c, "fresh", &set_items))
OP_VOID(set_add, pottery_set_add(f->s, VAL))
OP_VOID(set_discard, pottery_set_discard(f->s, VAL))
OP_VOID(set_remove, pottery_set_remove(f->s, VAL))
OP_VALUE(set_pop, pottery_set_pop(&v, f->s))
OP_BOOL(set_contains, pottery_set_contains(&b, f->s, VAL))
OP_INT(set_len, pottery_set_len(&i, f->s))
OP_VOID(set_clear, pottery_set_clear(f->s))
OP_TEXT(set_to_json, pottery_set_to_json(&t, NULL, f->s))
OP_TEXT(set_repr, pottery_set_repr(&t, f->s))
/* Operands: one value from memory (null), or the sets s2 (same server) and sx (another). */
#define ONE &null_value, 1
OP_BOOL(set_equal, pottery_set_equal(&b, f->s, ONE))
OP_BOOL(set_equal_from, pottery_set_equal_from(&b, f->s, f->s2))
OP_BOOL(set_equal_from_x, pottery_set_equal_from(&b, f->s, f->sx))
OP_BOOL(set_isdisjoint, pottery_set_isdisjoint(&b, f->s, ONE))
OP_BOOL(set_isdisjoint_from, pottery_set_isdisjoint_from(&b, f->s, f->s2))
OP_BOOL(set_isdisjoint_from_x, pottery_set_isdisjoint_from(&b, f->s, f->sx))
OP_BOOL(set_issubset, pottery_set_issubset(&b, f->s, ONE))
OP_BOOL(set_issubset_from, pottery_set_issubset_from(&b, f->s, f->s2))
OP_BOOL(set_issubset_from_x, pottery_set_issubset_from(&b, f->s, f->sx))
OP_BOOL(set_issuperset, pottery_set_issuperset(&b, f->s, ONE))
OP_BOOL(set_issuperset_from, pottery_set_issuperset_from(&b, f->s, f->s2))
OP_TEXT(set_union, pottery_set_union(&t, NULL, f->s, ONE))
OP_TEXT(set_union_from, pottery_set_union_from(&t, NULL, f->s, &f->s2, 1))
OP_TEXT(set_union_from_x, pottery_set_union_from(&t, NULL, f->s, &f->sx, 1))
OP_NEW(set_union_new, pottery_set, pottery_set_union_new(&h, f->s, ONE))
OP_NEW(set_union_new_from, pottery_set, pottery_set_union_new_from(&h, f->s, &f->s2, 1))
OP_NEW(set_union_new_from_x, pottery_set, pottery_set_union_new_from(&h, f->s, &f->sx, 1))
OP_TEXT(set_intersection, pottery_set_intersection(&t, NULL, f->s, ONE))
OP_TEXT(set_intersection_from, pottery_set_intersection_from(&t, NULL, f->s, &f->s2, 1))
OP_TEXT(set_intersection_from_x, pottery_set_intersection_from(&t, NULL, f->s, &f->sx, 1))
OP_NEW(set_intersection_new, pottery_set, pottery_set_intersection_new(&h, f->s, ONE))
OP_NEW(set_intersection_new_from, pottery_set, pottery_set_intersection_new_from(&h, f->s, &f->s2, 1))
OP_NEW(set_intersection_new_from_x, pottery_set, pottery_set_intersection_new_from(&h, f->s, &f->sx, 1))
OP_TEXT(set_difference, pottery_set_difference(&t, NULL, f->s, ONE))
OP_TEXT(set_difference_from, pottery_set_difference_from(&t, NULL, f->s, &f->s2, 1))
OP_NEW(set_difference_new, pottery_set, pottery_set_difference_new(&h, f->s, ONE))
OP_NEW(set_difference_new_from, pottery_set, pottery_set_difference_new_from(&h, f->s, &f->s2, 1))
OP_TEXT(set_symmetric_difference, pottery_set_symmetric_difference(&t, NULL, f->s, ONE))
OP_TEXT(set_symmetric_difference_from, pottery_set_symmetric_difference_from(&t, NULL, f->s, f->s2))
OP_NEW(set_symmetric_difference_new, pottery_set, pottery_set_symmetric_difference_new(&h, f->s, ONE))
OP_NEW(set_symmetric_difference_new_from, pottery_set, pottery_set_symmetric_difference_new_from(&h, f->s, f->s2))
OP_VOID(set_update, pottery_set_update(f->s, ONE))
OP_VOID(set_update_from, pottery_set_update_from(f->s, &f->s2, 1))
OP_VOID(set_update_from_x, pottery_set_update_from(f->s, &f->sx, 1))
OP_VOID(set_intersection_update, pottery_set_intersection_update(f->s, ONE))
OP_VOID(set_intersection_update_from, pottery_set_intersection_update_from(f->s, &f->s2, 1))
OP_VOID(set_intersection_update_from_x, pottery_set_intersection_update_from(f->s, &f->sx, 1))
OP_VOID(set_difference_update, pottery_set_difference_update(f->s, ONE))
OP_VOID(set_difference_update_from, pottery_set_difference_update_from(f->s, &f->s2, 1))
OP_VOID(set_symmetric_difference_update, pottery_set_symmetric_difference_update(f->s, ONE))
OP_VOID(set_symmetric_difference_update_from, pottery_set_symmetric_difference_update_from(f->s, f->s2))
#undef ONE

/* ---- list ---- */

static int list_extend(fx *f, char *out, size_t n)
{
    pottery_value e[2] = { VAL, VAL };
    return pottery_list_extend(f->l, e, 2);
}

/* Past 10,000 values extend streams MULTI, RPUSH..., EXEC. */
static int list_extend_large(fx *f, char *out, size_t n)
{
    enum { MANY = 10001 };
    pottery_value *e = malloc(MANY * sizeof *e);
    if (!e) return POTTERY_ENOMEM;
    for (size_t i = 0; i < MANY; i++) e[i] = pottery_int((int64_t)i);
    int rc = pottery_list_extend(f->l, e, MANY);
    free(e);
    return rc;
}

static int list_get_slice_values(fx *f, char *out, size_t n)
{
    pottery_value *values = NULL;
    size_t count = 0;
    int rc = pottery_list_get_slice_values(&values, &count, f->l, SLICE);
    pottery_list_values_free(values, count);
    if (rc == 0) snprintf(out, n, "%zu values", count);
    return rc;
}

static int list_set_slice(fx *f, char *out, size_t n)
{
    pottery_value e = VAL;
    return pottery_list_set_slice(f->l, SLICE, &e, 1);
}

/* A value with more than 1024 equal spellings (3^7) is searched in a WATCH transaction. */
#define MANY_SPELLINGS pottery_json("[1, 1, 1, 1, 1, 1, 1]")

/* The first element of an iterator over l (reversed or not) or over a deque. */
static int list_iter_first(pottery_list *l, int reversed, char *out, size_t n)
{
    pottery_list_iter *it = NULL;
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = reversed ? pottery_list_iter_new_reversed(&it, l) : pottery_list_iter_new(&it, l);
    if (rc == 0) rc = pottery_list_iter_next(&v, it);
    pottery_list_iter_free(it);
    return show_value(out, n, rc, &v);
}

static int deque_iter_first(pottery_deque *q, int reversed, char *out, size_t n)
{
    pottery_deque_iter *it = NULL;
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = reversed ? pottery_deque_iter_new_reversed(&it, q) : pottery_deque_iter_new(&it, q);
    if (rc == 0) rc = pottery_deque_iter_next(&v, it);
    pottery_deque_iter_free(it);
    return show_value(out, n, rc, &v);
}

OP_NEW(list_open_items, pottery_list, pottery_list_open(&h, f->c, "fresh", &list_items))
OP_INT(list_len, pottery_list_len(&i, f->l))
OP_VOID(list_clear, pottery_list_clear(f->l))
OP_VALUE(list_get, pottery_list_get(&v, f->l, 0))
OP_VOID(list_set, pottery_list_set(f->l, 0, VAL))
OP_VOID(list_del, pottery_list_del(f->l, 1))
OP_VOID(list_append, pottery_list_append(f->l, VAL))
OP_VOID(list_extend_json, pottery_list_extend_json(f->l, "[1]"))
OP_VOID(list_insert, pottery_list_insert(f->l, 1, VAL))
OP_VALUE(list_pop, pottery_list_pop(&v, f->l))
OP_VALUE(list_pop_index, pottery_list_pop_index(&v, f->l, 1))
OP_VOID(list_remove, pottery_list_remove(f->l, VAL))
OP_VOID(list_remove_watched, pottery_list_remove(f->l, MANY_SPELLINGS))
OP_INT(list_index, pottery_list_index(&i, f->l, VAL))
OP_INT(list_index_range, pottery_list_index_range(&i, f->l, VAL, 1, POTTERY_SLICE_NONE))
OP_INT(list_count, pottery_list_count(&i, f->l, VAL))
OP_BOOL(list_contains, pottery_list_contains(&b, f->l, VAL))
OP_VALUE(list_get_slice, pottery_list_get_slice(&v, f->l, SLICE))
OP_VOID(list_del_slice, pottery_list_del_slice(f->l, SLICE))
OP_VOID(list_reverse, pottery_list_reverse(f->l))
OP_VOID(list_sort, pottery_list_sort(f->l, 0))
OP_TEXT(list_to_json, pottery_list_to_json(&t, NULL, f->l))
OP_TEXT(list_repr, pottery_list_repr(&t, f->l))
OP_TEXT(list_repr_items, pottery_list_repr_items(&t, f->l))
OP_NEW(list_add, pottery_list, pottery_list_add(&h, f->l, f->l2))
OP_NEW(list_add_x, pottery_list, pottery_list_add(&h, f->l, f->lx))
OP_NEW(list_add_json, pottery_list, pottery_list_add_json(&h, f->l, "[1]"))
OP_BOOL(list_equal, pottery_list_equal_from(&b, f->l, f->l2))
OP_BOOL(list_equal_x, pottery_list_equal_from(&b, f->l, f->lx))
OP_BOOL(list_equal_json, pottery_list_equal_json(&b, f->l, "[]"))
OP_VOID(list_iter_next, list_iter_first(f->l, 0, out, n))
OP_VOID(list_iter_next_reversed, list_iter_first(f->l, 1, out, n))

/* ---- deque ---- */

static int deque_extend_on(pottery_deque *q, int left)
{
    pottery_value e[2] = { VAL, VAL };
    return left ? pottery_deque_extendleft(q, e, 2) : pottery_deque_extend(q, e, 2);
}

OP_NEW(deque_open_items, pottery_deque, pottery_deque_open(&h, f->c, "fresh", &deque_items))
OP_NEW(deque_open_maxlen, pottery_deque, pottery_deque_open(&h, f->c, "fresh", &deque_bounded))
OP_VOID(deque_append, pottery_deque_append(f->q, VAL))
OP_VOID(deque_append_bounded, pottery_deque_append(f->qb, VAL))
OP_VOID(deque_appendleft, pottery_deque_appendleft(f->q, VAL))
OP_VOID(deque_extend, deque_extend_on(f->q, 0))
OP_VOID(deque_extend_bounded, deque_extend_on(f->qb, 0))
OP_VOID(deque_extendleft, deque_extend_on(f->q, 1))
OP_VOID(deque_insert, pottery_deque_insert(f->q, 1, VAL))
OP_VOID(deque_insert_bounded, pottery_deque_insert(f->qb, 1, VAL))
OP_VALUE(deque_pop, pottery_deque_pop(&v, f->q))
OP_VALUE(deque_popleft, pottery_deque_popleft(&v, f->q))
OP_VALUE(deque_peek, pottery_deque_peek(&v, f->q))
OP_VALUE(deque_peekleft, pottery_deque_peekleft(&v, f->q))
OP_VOID(deque_rotate, pottery_deque_rotate(f->q, 1))
OP_VOID(deque_reverse, pottery_deque_reverse(f->q))
OP_VOID(deque_clear, pottery_deque_clear(f->q))
OP_VALUE(deque_get, pottery_deque_get(&v, f->q, 0))
OP_VOID(deque_set, pottery_deque_set(f->q, 0, VAL))
OP_VOID(deque_del, pottery_deque_del(f->q, 1))
OP_VOID(deque_remove, pottery_deque_remove(f->q, VAL))
OP_INT(deque_len, pottery_deque_len(&i, f->q))
OP_VALUE(deque_get_slice, pottery_deque_get_slice(&v, f->q, SLICE))
OP_INT(deque_index, pottery_deque_index(&i, f->q, VAL))
OP_INT(deque_index_range, pottery_deque_index_range(&i, f->q, VAL, 1, POTTERY_SLICE_NONE))
OP_INT(deque_count, pottery_deque_count(&i, f->q, VAL))
OP_BOOL(deque_contains, pottery_deque_contains(&b, f->q, VAL))
OP_TEXT(deque_to_json, pottery_deque_to_json(&t, NULL, f->q))
OP_TEXT(deque_repr, pottery_deque_repr(&t, f->q))
OP_BOOL(deque_equal, pottery_deque_equal_from(&b, f->q, f->q2))
OP_BOOL(deque_equal_json, pottery_deque_equal_json(&b, f->q, "[]"))
OP_VOID(deque_iter_next, deque_iter_first(f->q, 0, out, n))
OP_VOID(deque_iter_next_reversed, deque_iter_first(f->q, 1, out, n))

/* ---- counter ---- */

/* update (sign '+') or subtract ('-') of one pair or one key. */
static int counter_change(pottery_counter *k, char sign, int keys)
{
    pottery_counter_pair item = { KEY, 2 };
    pottery_value key = KEY;
    if (keys) return sign == '+' ? pottery_counter_update_keys(k, &key, 1) : pottery_counter_subtract_keys(k, &key, 1);
    return sign == '+' ? pottery_counter_update(k, &item, 1) : pottery_counter_subtract(k, &item, 1);
}

static int counter_most_common(fx *f, char *out, size_t n)
{
    pottery_counter_pair *pairs = NULL;
    size_t count = 0;
    int rc = pottery_counter_most_common(&pairs, &count, f->k, POTTERY_COUNTER_ALL);
    pottery_counter_pairs_free(pairs, count);
    if (rc == 0) snprintf(out, n, "%zu pairs", count);
    return rc;
}

static int counter_iter_first(pottery_counter *k, int elements, char *out, size_t n)
{
    pottery_counter_iter *it = NULL;
    pottery_value key = POTTERY_VALUE_INIT;
    int64_t count = 0;
    int rc = elements ? pottery_counter_elements_new(&it, k) : pottery_counter_iter_new(&it, k);
    if (rc == 0) rc = pottery_counter_iter_next(&key, &count, it);
    pottery_counter_iter_free(it);
    return show_value(out, n, rc, &key);
}

OP_NEW(counter_open_items, pottery_counter, pottery_counter_open(&h, f->c, "fresh", &counter_items))
OP_INT(counter_get, pottery_counter_get(&i, f->k, KEY))
OP_VOID(counter_set, pottery_counter_set(f->k, KEY, 2))
OP_VOID(counter_del, pottery_counter_del(f->k, KEY))
OP_BOOL(counter_contains, pottery_counter_contains(&b, f->k, KEY))
OP_INT(counter_len, pottery_counter_len(&i, f->k))
OP_INT(counter_incr, pottery_counter_incr(&i, f->k, KEY, 2))
OP_INT(counter_decr, pottery_counter_decr(&i, f->k, KEY, 2))
OP_INT(counter_decr_min, pottery_counter_decr(&i, f->k, KEY, INT64_MIN))
OP_VOID(counter_update, counter_change(f->k, '+', 0))
OP_VOID(counter_subtract, counter_change(f->k, '-', 0))
OP_VOID(counter_update_keys, counter_change(f->k, '+', 1))
OP_VOID(counter_subtract_keys, counter_change(f->k, '-', 1))
OP_VOID(counter_update_from, pottery_counter_update_from(f->k, f->k2))
OP_VOID(counter_update_from_x, pottery_counter_update_from(f->k, f->kx))
OP_VOID(counter_subtract_from, pottery_counter_subtract_from(f->k, f->k2))
OP_VOID(counter_clear, pottery_counter_clear(f->k))
OP_VOID(counter_iter_next, counter_iter_first(f->k, 0, out, n))
OP_VOID(counter_elements_next, counter_iter_first(f->k, 1, out, n))
OP_INT(counter_total, pottery_counter_total(&i, f->k))
OP_TEXT(counter_to_json, pottery_counter_to_json(&t, NULL, f->k))
OP_TEXT(counter_repr, pottery_counter_repr(&t, f->k))
OP_BOOL(counter_equal, pottery_counter_equal_from(&b, f->k, f->k2))
OP_BOOL(counter_equal_x, pottery_counter_equal_from(&b, f->k, f->kx))
OP_BOOL(counter_equal_json, pottery_counter_equal_json(&b, f->k, "{}"))
OP_TEXT(counter_binary, pottery_counter_binary(&t, NULL, f->k, POTTERY_COUNTER_ADD, f->k2))
OP_TEXT(counter_binary_x, pottery_counter_binary(&t, NULL, f->k, POTTERY_COUNTER_ADD, f->kx))
OP_TEXT(counter_binary_json, pottery_counter_binary_json(&t, NULL, f->k, POTTERY_COUNTER_ADD, "{\"a\": 1}"))
OP_TEXT(counter_pos, pottery_counter_pos(&t, NULL, f->k))
OP_TEXT(counter_neg, pottery_counter_neg(&t, NULL, f->k))
OP_VOID(counter_inplace, pottery_counter_inplace(f->k, POTTERY_COUNTER_ADD, f->k2))
OP_VOID(counter_inplace_x, pottery_counter_inplace(f->k, POTTERY_COUNTER_ADD, f->kx))
OP_VOID(counter_inplace_json, pottery_counter_inplace_json(f->k, POTTERY_COUNTER_ADD, "{\"a\": 1}"))

/* ---- queue ---- */

OP_VOID(queue_put, pottery_queue_put(f->u, VAL))
OP_VOID(queue_put_nowait, pottery_queue_put_nowait(f->u, VAL))
OP_VALUE(queue_get_nowait, pottery_queue_get_nowait(&v, f->u))
OP_VALUE(queue_get_block, pottery_queue_get(&v, f->u, 1, GET_WAIT_MS))
OP_INT(queue_qsize, pottery_queue_qsize(&i, f->u))
OP_BOOL(queue_empty, pottery_queue_empty(&b, f->u))
OP_VOID(queue_clear, pottery_queue_clear(f->u))

/* ---- cache ---- */

/* The cached function: f(x) = 1. */
static int cache_one(pottery_value *result, const pottery_value *args, size_t nargs, void *payload)
{
    (void)args;
    (void)nargs;
    (void)payload;
    *result = VAL;
    return 0;
}

static int cache_info(pottery_cache *cache, char *out, size_t n)
{
    pottery_cache_info info = { 0, 0, 0, 0 };
    int rc = pottery_cache_info_get(&info, cache);
    return show_int(out, n, rc, info.currsize);
}

#define ARGS (const pottery_value[]){ KEY }, 1
OP_VALUE(cache_call, pottery_cache_call(&v, f->ch, ARGS))
OP_VALUE(cache_call_plain, pottery_cache_call(&v, f->chx, ARGS))
OP_VALUE(cache_bypass, pottery_cache_bypass(&v, f->ch, ARGS))
OP_VALUE(cache_bypass_plain, pottery_cache_bypass(&v, f->chx, ARGS))
OP_VOID(cache_info_get, cache_info(f->ch, out, n))
OP_VOID(cache_clear, pottery_cache_clear(f->ch))
#undef ARGS
/* ---- cached ordered dict (reads are local: only the calls that talk to Redis) ---- */

static const pottery_cached_ordered_dict_options cod_no_expiry = { POTTERY_CACHED_ORDERED_DICT_OPTIONS_VERSION, 0 };

OP_NEW(cod_open, pottery_cached_ordered_dict, pottery_cached_ordered_dict_open(&h, f->c, "fresh", &null_value, 1, NULL))
OP_NEW(cod_open_no_expiry, pottery_cached_ordered_dict,
       pottery_cached_ordered_dict_open(&h, f->c, "fresh", &null_value, 1, &cod_no_expiry))
OP_VOID(cod_set, pottery_cached_ordered_dict_set(f->cod, KEY, VAL))
OP_VALUE(cod_setdefault, pottery_cached_ordered_dict_setdefault(&v, f->cod, KEY, VAL))
OP_VOID(cod_update, pottery_cached_ordered_dict_update(f->cod, &null_pair, 1))

/* ---- HyperLogLog ---- */

static int hll_contains_many(fx *f, char *out, size_t n)
{
    const pottery_value two[] = { KEY, VAL };
    int b[2] = { -1, -1 };
    int rc = pottery_hll_contains_many(b, f->h, two, 2);
    if (rc == 0) snprintf(out, n, "%d %d", b[0], b[1]);
    return rc;
}

OP_NEW(hll_open_elements, pottery_hll, pottery_hll_open(&h, f->c, "fresh", &null_value, 1))
OP_VOID(hll_add, pottery_hll_add(f->h, KEY))
OP_VOID(hll_update, pottery_hll_update(f->h, &null_value, 1))
OP_VOID(hll_update_from, pottery_hll_update_from(f->h, &f->h2, 1))
OP_VOID(hll_update_both, pottery_hll_update_both(f->h, &null_value, 1, &f->h2, 1))
OP_INT(hll_len, pottery_hll_len(&i, f->h))
OP_BOOL(hll_contains, pottery_hll_contains(&b, f->h, KEY))
OP_NEW(hll_union_from, pottery_hll, pottery_hll_union_from(&h, f->h, &f->h2, 1, "fresh"))
OP_VOID(hll_clear, pottery_hll_clear(f->h))
OP_TEXT(hll_repr, pottery_hll_repr(&t, f->h))
/* ---- bloom filter ---- */

static int bloom_contains_two(pottery_bloom *bf, char *out, size_t n)
{
    pottery_value v[2] = { KEY, VAL };
    int answers[2] = { -1, -1 };
    int rc = pottery_bloom_contains_many(answers, bf, v, 2);
    if (rc == 0) snprintf(out, n, "%d %d", answers[0], answers[1]);
    return rc;
}

static int bloom_update_two(pottery_bloom *bf)
{
    pottery_value v[2] = { KEY, VAL };
    return pottery_bloom_update(bf, v, 2);
}

OP_NEW(bloom_open, pottery_bloom, pottery_bloom_open(&h, f->c, "fresh", 100, 0.01, NULL))
OP_VOID(bloom_add, pottery_bloom_add(f->bf, KEY))
OP_VOID(bloom_update, bloom_update_two(f->bf))
OP_BOOL(bloom_contains, pottery_bloom_contains(&b, f->bf, KEY))
OP_VOID(bloom_contains_many, bloom_contains_two(f->bf, out, n))
OP_INT(bloom_len, pottery_bloom_len(&i, f->bf))
OP_VOID(bloom_clear, pottery_bloom_clear(f->bf))

/* ---- semaphore ---- */

/* A permit as an acquire would have granted it (release and extend send its token). */
static const pottery_semaphore_permit permit = { "0f0e0d0c-0b0a-4908-8706-050403020100" };

static int semaphore_acquire_on(pottery_semaphore *sem, int blocking, int64_t timeout_ms, char *out, size_t n)
{
    pottery_semaphore_permit p = { "" };
    int got = -1;
    int rc = pottery_semaphore_acquire(&got, &p, sem, blocking, timeout_ms);
    return show_int(out, n, rc, got);
}

OP_VOID(semaphore_acquire, semaphore_acquire_on(f->sem, 0, 0, out, n))
OP_VOID(semaphore_acquire_block, semaphore_acquire_on(f->sem, 1, GET_WAIT_MS, out, n))
OP_VOID(semaphore_release, pottery_semaphore_release(f->sem, &permit))
OP_VOID(semaphore_extend, pottery_semaphore_extend(f->sem, &permit))
OP_INT(semaphore_held, pottery_semaphore_held(&i, f->sem))
OP_INT(semaphore_available, pottery_semaphore_available(&i, f->sem))
OP_INT(semaphore_lease_left, pottery_semaphore_lease_left(&i, f->sem, &permit))

/* ---- rate limiter ---- */

static int ratelimit_try(fx *f, char *out, size_t n)
{
    int allowed = -1;
    int64_t wait_ms = -1;
    int rc = pottery_ratelimit_try(&allowed, &wait_ms, f->rl, 1);
    if (rc == 0) snprintf(out, n, "%d %lld", allowed, (long long)wait_ms);
    return rc;
}

OP_BOOL(ratelimit_acquire, pottery_ratelimit_acquire(&b, f->rl, 1, GET_WAIT_MS))
OP_VOID(ratelimit_reset, pottery_ratelimit_reset(f->rl))

/* ---- reliable queue ---- */

/* An item as a take would have delivered it (the settling scripts send its ID and count). */
static const pottery_rqueue_item delivered = { POTTERY_VALUE_INIT, "1700000000000-0", 1 };

static int rqueue_put_two(pottery_rqueue *rq)
{
    pottery_value v[2] = { KEY, VAL };
    return pottery_rqueue_put_many(rq, v, 2);
}

static int rqueue_take(fx *f, char *out, size_t n)
{
    pottery_rqueue_item item = POTTERY_RQUEUE_ITEM_INIT;
    int rc = pottery_rqueue_take(&item, f->rq, 0);
    return show_value(out, n, rc, &item.value);
}

static int rqueue_dead_letters(fx *f, char *out, size_t n)
{
    pottery_rqueue_item items[2] = { POTTERY_RQUEUE_ITEM_INIT, POTTERY_RQUEUE_ITEM_INIT };
    size_t count = 0;
    int rc = pottery_rqueue_dead_letters(items, &count, f->rq, 2);
    pottery_rqueue_item_dispose(&items[0]);
    pottery_rqueue_item_dispose(&items[1]);
    if (rc == 0) snprintf(out, n, "%zu items", count);
    return rc;
}

OP_VOID(rqueue_put, pottery_rqueue_put(f->rq, VAL))
OP_VOID(rqueue_put_many, rqueue_put_two(f->rq))
OP_VOID(rqueue_ack, pottery_rqueue_ack(f->rq, &delivered))
OP_VOID(rqueue_release, pottery_rqueue_release(f->rq, &delivered))
OP_VOID(rqueue_touch, pottery_rqueue_touch(f->rq, &delivered))
OP_INT(rqueue_len, pottery_rqueue_len(&i, f->rq))
OP_INT(rqueue_pending_count, pottery_rqueue_pending_count(&i, f->rq))
OP_INT(rqueue_dead_letter_count, pottery_rqueue_dead_letter_count(&i, f->rq))
OP_VOID(rqueue_clear, pottery_rqueue_clear(f->rq))

/* ---- reentrant and readers-writer locks ---- */

OP_BOOL(rlock_acquire, pottery_rlock_acquire(&b, f->rlk, 0, 0))
OP_VOID(rlock_release, pottery_rlock_release(f->rlk))
OP_VOID(rlock_extend, pottery_rlock_extend(f->rlk))
OP_BOOL(rwlock_acquire_read, pottery_rwlock_acquire_read(&b, f->rw, 0, 0))
OP_BOOL(rwlock_acquire_write, pottery_rwlock_acquire_write(&b, f->rww, 0, 0))
OP_BOOL(rwlock_acquire_write_block, pottery_rwlock_acquire_write(&b, f->rww, 1, GET_WAIT_MS))
OP_VOID(rwlock_release_read, pottery_rwlock_release(f->rw))
OP_VOID(rwlock_release_write, pottery_rwlock_release(f->rww))
OP_VOID(rwlock_extend_read, pottery_rwlock_extend(f->rw))
OP_VOID(rwlock_extend_write, pottery_rwlock_extend(f->rww))

/* ======================= the table ======================= */

/* What may come of each fixed reply. 0 in a row's table means that the reply is not a
 * valid answer for the operation: only POTTERY_EPROTOCOL is right. An integer of the right
 * type but out of the range its command can answer (42 for a 0/1 answer) may be refused or
 * read for what it says (A_OK | A_PROTO). A bulk string that is not JSON where a JSON value
 * is due is POTTERY_EDECODE. */
typedef struct row {
    const char *name;
    op_fn run;
    unsigned short allow[NFIXED]; /* what each fixed reply may give (0: A_PROTO) */
    const char *answer[NFIXED];   /* the answer expected when it gives 0 */
    unsigned flags;
} row;

#define ONLY_PROTO                                                                                                     \
    {                                                                                                                  \
        0                                                                                                              \
    }
#define NO_ANSWER                                                                                                      \
    {                                                                                                                  \
        0                                                                                                              \
    }

static const row rows[] = {
    /* ---- dict ---- */
    { "dict_open(items)", dict_open_items, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 }, /* EVAL: 0 or 1 */
    { "dict_get", dict_get, { [RJ] = A_OK, [RN] = A_NOTFOUND, [RT] = A_DECODE }, { [RJ] = "7" }, PATH | HUGE },
    { "dict_get_default",
      dict_get_default,
      { [RJ] = A_OK, [RN] = A_OK, [RT] = A_DECODE },
      { [RJ] = "7", [RN] = "'dflt'" },
      0 },
    { "dict_set", dict_set, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },                /* HSET */
    { "dict_del", dict_del, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },                /* HDEL: 0 or 1 */
    { "dict_contains", dict_contains, { [RI] = A_OK | A_PROTO }, { [RI] = "1" }, 0 }, /* HEXISTS */
    { "dict_len", dict_len, { [RI] = A_OK }, { [RI] = "42" }, 0 },                    /* HLEN */
    { "dict_pop", dict_pop, ONLY_PROTO, NO_ANSWER, PATH | HUGE },                     /* MULTI HGET HDEL EXEC */
    { "dict_pop_default", dict_pop_default, ONLY_PROTO, NO_ANSWER, 0 },
    { "dict_popitem", dict_popitem, { [RN] = A_NOTFOUND }, NO_ANSWER, PATH },              /* EVAL: [k, v] or nil */
    { "dict_setdefault", dict_setdefault, ONLY_PROTO, NO_ANSWER, 0 },                      /* MULTI HSETNX HGET EXEC */
    { "dict_update", dict_update, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },               /* HSET */
    { "dict_update_from", dict_update_from, { [RI] = A_OK }, NO_ANSWER, 0 },               /* EVAL: a count */
    { "dict_update_from(other server)", dict_update_from_x, ONLY_PROTO, NO_ANSWER, SCAN }, /* HSCAN */
    { "dict_clear", dict_clear, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },                 /* UNLINK */
    { "dict_to_json", dict_to_json, { [RE] = A_OK }, { [RE] = "{}" }, 0 },                 /* HGETALL */
    { "dict_repr", dict_repr, { [RE] = A_OK }, { [RE] = "RedisDict{}" }, 0 },
    { "dict_equal", dict_equal, ONLY_PROTO, NO_ANSWER, 0 },                           /* MULTI HGETALL x2 EXEC */
    { "dict_equal(other server)", dict_equal_x, { [RE] = A_OK }, { [RE] = "1" }, 0 }, /* HGETALL, HGETALL */
    { "dict_equal_json", dict_equal_json, { [RE] = A_OK }, { [RE] = "1" }, 0 },
    { "dict_iter_next", dict_iter_next, ONLY_PROTO, NO_ANSWER, PATH | HUGE | SCAN }, /* HSCAN */

    /* ---- set ---- */
    { "set_open(elements)", set_open_elements, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 }, /* EVAL: 0 or 1 */
    { "set_add", set_add, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },                      /* SADD */
    { "set_discard", set_discard, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },              /* SREM */
    { "set_remove", set_remove, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },                /* SREM: 0 or 1 */
    /* SPOP (a foreign member is put back with SADD, which gets the same hostile reply) */
    { "set_pop", set_pop, { [RJ] = A_OK, [RN] = A_NOTFOUND, [RT] = A_DECODE | A_PROTO }, { [RJ] = "7" }, 0 },
    { "set_contains", set_contains, { [RI] = A_OK | A_PROTO }, { [RI] = "1" }, 0 },      /* SISMEMBER */
    { "set_contains_many", set_contains_many, { [RK] = A_OK }, { [RK] = "[1]" }, PATH }, /* SMISMEMBER */
    { "set_len", set_len, { [RI] = A_OK }, { [RI] = "42" }, 0 },                         /* SCARD */
    { "set_clear", set_clear, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },                 /* UNLINK */
    { "set_to_json", set_to_json, { [RE] = A_OK }, { [RE] = "[]" }, 0 },                 /* SMEMBERS */
    { "set_repr", set_repr, { [RE] = A_OK }, { [RE] = "RedisSet()" }, 0 },
    /* with values: SMISMEMBER, or MULTI SADD <temporary key> ... UNLINK EXEC */
    { "set_equal", set_equal, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_isdisjoint", set_isdisjoint, { [RK] = A_OK }, { [RK] = "0" }, 0 }, /* SMISMEMBER */
    { "set_issubset", set_issubset, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_issuperset", set_issuperset, { [RK] = A_OK }, { [RK] = "1" }, 0 }, /* SMISMEMBER */
    { "set_union", set_union, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_union_new", set_union_new, ONLY_PROTO, NO_ANSWER, 0 },                      /* MULTI ... EVAL ... */
    { "set_intersection", set_intersection, { [RK] = A_OK }, { [RK] = "[null]" }, 0 }, /* SMISMEMBER */
    { "set_intersection_new", set_intersection_new, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_difference", set_difference, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_difference_new", set_difference_new, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_symmetric_difference", set_symmetric_difference, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_symmetric_difference_new", set_symmetric_difference_new, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_update", set_update, { [RI] = A_OK }, NO_ANSWER, 0 }, /* SADD */
    { "set_intersection_update", set_intersection_update, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_difference_update", set_difference_update, { [RI] = A_OK }, NO_ANSWER, 0 }, /* SREM */
    { "set_symmetric_difference_update", set_symmetric_difference_update, ONLY_PROTO, NO_ANSWER, 0 },
    /* with other sets */
    { "set_equal_from", set_equal_from, ONLY_PROTO, NO_ANSWER, 0 },                    /* MULTI ... EXEC */
    { "set_equal_from(other server)", set_equal_from_x, ONLY_PROTO, NO_ANSWER, SCAN }, /* SCARD x2, SSCAN */
    /* SINTERCARD LIMIT 1 */
    { "set_isdisjoint_from", set_isdisjoint_from, { [RI] = A_OK | A_PROTO }, { [RI] = "0" }, 0 },
    { "set_isdisjoint_from(other server)", set_isdisjoint_from_x, ONLY_PROTO, NO_ANSWER, 0 }, /* SCARD x2, SSCAN */
    { "set_issubset_from", set_issubset_from, ONLY_PROTO, NO_ANSWER, 0 },                     /* MULTI ... EXEC */
    { "set_issubset_from(other server)", set_issubset_from_x, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_issuperset_from", set_issuperset_from, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_union_from", set_union_from, { [RE] = A_OK }, { [RE] = "[]" }, 0 },         /* SUNION */
    { "set_union_from(other server)", set_union_from_x, ONLY_PROTO, NO_ANSWER, SCAN }, /* SUNION, SSCAN */
    { "set_union_new_from", set_union_new_from, { [RI] = A_OK }, NO_ANSWER, 0 },       /* EVAL: a count */
    /* SSCAN, then MULTI SADD <temporary key> ... EVAL ... EXEC */
    { "set_union_new_from(other server)", set_union_new_from_x, ONLY_PROTO, NO_ANSWER, SCAN },
    { "set_intersection_from", set_intersection_from, { [RE] = A_OK }, { [RE] = "[]" }, 0 }, /* SINTER */
    /* SINTER; nothing left to probe on the other server */
    { "set_intersection_from(other server)", set_intersection_from_x, { [RE] = A_OK }, { [RE] = "[]" }, 0 },
    { "set_intersection_new_from", set_intersection_new_from, { [RI] = A_OK }, NO_ANSWER, 0 },
    /* SINTER (nothing left to probe), then MULTI ... EVAL ... EXEC */
    { "set_intersection_new_from(other server)", set_intersection_new_from_x, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_difference_from", set_difference_from, { [RE] = A_OK }, { [RE] = "[]" }, 0 }, /* SDIFF */
    { "set_difference_new_from", set_difference_new_from, { [RI] = A_OK }, NO_ANSWER, 0 },
    /* MULTI SDIFF x2 EXEC */
    { "set_symmetric_difference_from", set_symmetric_difference_from, ONLY_PROTO, NO_ANSWER, 0 },
    { "set_symmetric_difference_new_from", set_symmetric_difference_new_from, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "set_update_from", set_update_from, { [RI] = A_OK }, NO_ANSWER, 0 },               /* SUNIONSTORE */
    { "set_update_from(other server)", set_update_from_x, ONLY_PROTO, NO_ANSWER, SCAN }, /* SSCAN, SADD */
    { "set_intersection_update_from", set_intersection_update_from, { [RI] = A_OK }, NO_ANSWER, 0 },
    /* SSCAN, then MULTI SADD <temporary key> ... SINTERSTORE UNLINK EXEC */
    { "set_intersection_update_from(other server)", set_intersection_update_from_x, ONLY_PROTO, NO_ANSWER, SCAN },
    { "set_difference_update_from", set_difference_update_from, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "set_symmetric_difference_update_from", set_symmetric_difference_update_from, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "set_iter_next", set_iter_next, ONLY_PROTO, NO_ANSWER, SCAN }, /* SSCAN */

    /* ---- list ---- */
    { "list_open(items)", list_open_items, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 }, /* EVAL: 0 or 1 */
    { "list_len", list_len, { [RI] = A_OK }, { [RI] = "42" }, 0 },                    /* LLEN */
    { "list_clear", list_clear, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },
    { "list_get", list_get, { [RJ] = A_OK, [RN] = A_INDEX, [RT] = A_DECODE }, { [RJ] = "7" }, 0 }, /* LINDEX */
    { "list_set", list_set, { [RS] = A_OK }, NO_ANSWER, 0 },                                       /* LSET */
    /* EVAL: the removed element's bytes (never decoded), or 0 / -1 */
    { "list_del", list_del, ONLY_PROTO, NO_ANSWER, 0 },            /* EVAL: [element, index] */
    { "list_append", list_append, { [RI] = A_OK }, NO_ANSWER, 0 }, /* RPUSH */
    { "list_extend", list_extend, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "list_extend(10001 values)", list_extend_large, ONLY_PROTO, NO_ANSWER, PATH }, /* MULTI RPUSH x2 EXEC */
    { "list_extend_json", list_extend_json, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "list_insert", list_insert, { [RI] = A_OK }, NO_ANSWER, 0 }, /* EVAL: the length */
    { "list_pop", list_pop, { [RJ] = A_OK, [RN] = A_INDEX, [RT] = A_DECODE | A_PROTO }, { [RJ] = "7" }, 0 }, /* RPOP */
    /* EVAL: the removed element, or 0 / -1 */
    { "list_pop_index", list_pop_index, ONLY_PROTO, NO_ANSWER, 0 },                      /* EVAL: [element, index] */
    { "list_remove", list_remove, { [RI] = A_OK }, NO_ANSWER, 0 },                       /* EVAL: an index */
    { "list_remove(many spellings)", list_remove_watched, ONLY_PROTO, NO_ANSWER, PATH }, /* WATCH LLEN LRANGE */
    { "list_index", list_index, { [RI] = A_OK }, { [RI] = "42" }, 0 },
    { "list_index_range", list_index_range, { [RI] = A_OK }, { [RI] = "42" }, 0 },
    { "list_count", list_count, { [RI] = A_OK }, { [RI] = "42" }, 0 },
    { "list_contains", list_contains, { [RI] = A_OK }, { [RI] = "1" }, 0 },
    { "list_get_slice", list_get_slice, { [RE] = A_OK }, { [RE] = "[]" }, 0 }, /* EVAL: elements */
    { "list_get_slice_values", list_get_slice_values, { [RE] = A_OK }, { [RE] = "0 values" }, 0 },
    { "list_set_slice", list_set_slice, ONLY_PROTO, NO_ANSWER, 0 },      /* EVAL: {done, size} */
    { "list_del_slice", list_del_slice, { [RI] = A_OK }, NO_ANSWER, 0 }, /* EVAL: a count */
    { "list_reverse", list_reverse, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "list_sort", list_sort, { [RI] = A_OK }, NO_ANSWER, 0 }, /* SORT STORE */
    { "list_to_json", list_to_json, { [RE] = A_OK }, { [RE] = "[]" }, 0 },
    { "list_repr", list_repr, { [RE] = A_OK }, { [RE] = "RedisList[]" }, 0 },
    { "list_repr_items", list_repr_items, { [RE] = A_OK }, { [RE] = "[]" }, 0 },
    { "list_add", list_add, { [RI] = A_OK }, NO_ANSWER, 0 },            /* EVAL: a count */
    { "list_add(other server)", list_add_x, ONLY_PROTO, NO_ANSWER, 0 }, /* LRANGE, EVAL */
    { "list_add_json", list_add_json, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "list_equal", list_equal, { [RE] = A_OK }, { [RE] = "1" }, PATH | HUGE }, /* LRANGE x2, pipelined */
    { "list_equal(other server)", list_equal_x, { [RE] = A_OK }, { [RE] = "1" }, 0 },
    { "list_equal_json", list_equal_json, { [RE] = A_OK }, { [RE] = "1" }, 0 },
    { "list_iter_next", list_iter_next, { [RE] = A_ITEROVER }, NO_ANSWER, 0 }, /* LRANGE */
    { "list_iter_next(reversed)", list_iter_next_reversed, { [RE] = A_ITEROVER }, NO_ANSWER, 0 },

    /* ---- deque ---- */
    { "deque_open(items)", deque_open_items, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 }, /* EVAL: 0 or 1 */
    { "deque_open(maxlen)", deque_open_maxlen, { [RI] = A_INDEX }, NO_ANSWER, 0 },      /* LLEN: 42 > maxlen 3 */
    { "deque_append", deque_append, { [RI] = A_OK }, NO_ANSWER, 0 },                    /* RPUSH */
    { "deque_append(maxlen)", deque_append_bounded, ONLY_PROTO, NO_ANSWER, 0 },         /* MULTI RPUSH LTRIM EXEC */
    { "deque_appendleft", deque_appendleft, { [RI] = A_OK }, NO_ANSWER, 0 },            /* LPUSH */
    { "deque_extend", deque_extend, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "deque_extend(maxlen)", deque_extend_bounded, ONLY_PROTO, NO_ANSWER, 0 },
    { "deque_extendleft", deque_extendleft, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "deque_insert", deque_insert, { [RI] = A_OK }, NO_ANSWER, 0 },                 /* EVAL: the length */
    { "deque_insert(maxlen)", deque_insert_bounded, { [RI] = A_OK }, NO_ANSWER, 0 }, /* EVAL: the length, 0 if full */
    /* RPOP / LPOP (a foreign element is pushed back, which gets the same hostile reply) */
    { "deque_pop", deque_pop, { [RJ] = A_OK, [RN] = A_INDEX, [RT] = A_DECODE | A_PROTO }, { [RJ] = "7" }, 0 },
    { "deque_popleft", deque_popleft, { [RJ] = A_OK, [RN] = A_INDEX, [RT] = A_DECODE | A_PROTO }, { [RJ] = "7" }, 0 },
    { "deque_peek", deque_peek, { [RJ] = A_OK, [RN] = A_INDEX, [RT] = A_DECODE }, { [RJ] = "7" }, 0 }, /* LINDEX */
    { "deque_peekleft", deque_peekleft, { [RJ] = A_OK, [RN] = A_INDEX, [RT] = A_DECODE }, { [RJ] = "7" }, 0 },
    { "deque_rotate", deque_rotate, { [RI] = A_OK }, NO_ANSWER, 0 }, /* EVAL: a count */
    { "deque_reverse", deque_reverse, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "deque_clear", deque_clear, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },
    { "deque_get", deque_get, { [RJ] = A_OK, [RN] = A_INDEX, [RT] = A_DECODE }, { [RJ] = "7" }, 0 },
    { "deque_set", deque_set, { [RS] = A_OK }, NO_ANSWER, 0 }, /* LSET */
    { "deque_del", deque_del, ONLY_PROTO, NO_ANSWER, 0 },
    { "deque_remove", deque_remove, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "deque_len", deque_len, { [RI] = A_OK }, { [RI] = "42" }, 0 },
    { "deque_get_slice", deque_get_slice, { [RE] = A_OK }, { [RE] = "[]" }, 0 },
    { "deque_index", deque_index, { [RI] = A_OK }, { [RI] = "42" }, 0 },
    { "deque_index_range", deque_index_range, { [RI] = A_OK }, { [RI] = "42" }, 0 },
    { "deque_count", deque_count, { [RI] = A_OK }, { [RI] = "42" }, 0 },
    { "deque_contains", deque_contains, { [RI] = A_OK }, { [RI] = "1" }, 0 },
    { "deque_to_json", deque_to_json, { [RE] = A_OK }, { [RE] = "[]" }, 0 },
    { "deque_repr", deque_repr, { [RE] = A_OK }, { [RE] = "RedisDeque([])" }, 0 },
    { "deque_equal", deque_equal, { [RE] = A_OK }, { [RE] = "1" }, 0 },
    { "deque_equal_json", deque_equal_json, { [RE] = A_OK }, { [RE] = "1" }, 0 },
    { "deque_iter_next", deque_iter_next, { [RE] = A_ITEROVER }, NO_ANSWER, 0 },
    { "deque_iter_next(reversed)", deque_iter_next_reversed, { [RE] = A_ITEROVER }, NO_ANSWER, 0 },

    /* ---- counter ---- */
    /* EVAL counter_update: the new count as a bulk string, or an array naming a failure */
    { "counter_open(items)", counter_open_items, { [RJ] = A_OK, [RT] = A_DECODE | A_PROTO }, NO_ANSWER, 0 },
    { "counter_get", counter_get, { [RJ] = A_OK, [RN] = A_OK, [RT] = A_DECODE }, { [RJ] = "7", [RN] = "0" }, 0 },
    { "counter_set", counter_set, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 }, /* HSET */
    { "counter_del", counter_del, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 }, /* HDEL */
    { "counter_contains", counter_contains, { [RI] = A_OK | A_PROTO }, { [RI] = "1" }, 0 },
    { "counter_len", counter_len, { [RI] = A_OK }, { [RI] = "42" }, 0 },
    { "counter_incr", counter_incr, { [RI] = A_OK }, { [RI] = "42" }, 0 }, /* HINCRBY */
    { "counter_decr", counter_decr, { [RI] = A_OK }, { [RI] = "42" }, 0 },
    { "counter_decr(INT64_MIN)", counter_decr_min, { [RJ] = A_OK, [RT] = A_DECODE | A_PROTO }, { [RJ] = "7" }, 0 },
    { "counter_update", counter_update, { [RJ] = A_OK, [RT] = A_DECODE | A_PROTO }, NO_ANSWER, 0 },
    { "counter_subtract", counter_subtract, { [RJ] = A_OK, [RT] = A_DECODE | A_PROTO }, NO_ANSWER, 0 },
    { "counter_update_keys", counter_update_keys, { [RJ] = A_OK, [RT] = A_DECODE | A_PROTO }, NO_ANSWER, 0 },
    { "counter_subtract_keys", counter_subtract_keys, { [RJ] = A_OK, [RT] = A_DECODE | A_PROTO }, NO_ANSWER, 0 },
    { "counter_update_from", counter_update_from, { [RI] = A_OK }, NO_ANSWER, 0 }, /* EVAL: a count */
    /* HGETALL of the other: empty, so nothing to write */
    { "counter_update_from(other server)", counter_update_from_x, { [RE] = A_OK }, NO_ANSWER, 0 },
    { "counter_subtract_from", counter_subtract_from, { [RI] = A_OK }, NO_ANSWER, 0 },
    { "counter_clear", counter_clear, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },
    { "counter_most_common", counter_most_common, { [RE] = A_OK }, { [RE] = "0 pairs" }, 0 }, /* HGETALL */
    { "counter_iter_next", counter_iter_next, ONLY_PROTO, NO_ANSWER, SCAN },                  /* HSCAN */
    { "counter_elements(next)", counter_elements_next, ONLY_PROTO, NO_ANSWER, SCAN },
    { "counter_total", counter_total, { [RE] = A_OK }, { [RE] = "0" }, 0 }, /* HVALS */
    { "counter_to_json", counter_to_json, { [RE] = A_OK }, { [RE] = "{}" }, 0 },
    { "counter_repr", counter_repr, { [RE] = A_OK }, { [RE] = "RedisCounter{}" }, 0 },
    { "counter_equal", counter_equal, ONLY_PROTO, NO_ANSWER, 0 }, /* MULTI HGETALL x2 EXEC */
    { "counter_equal(other server)", counter_equal_x, { [RE] = A_OK }, { [RE] = "1" }, 0 },
    { "counter_equal_json", counter_equal_json, { [RE] = A_OK }, { [RE] = "1" }, 0 },
    { "counter_binary", counter_binary, ONLY_PROTO, NO_ANSWER, 0 },
    { "counter_binary(other server)", counter_binary_x, { [RE] = A_OK }, { [RE] = "{}" }, 0 },
    { "counter_binary_json", counter_binary_json, { [RE] = A_OK }, { [RE] = "{\"a\": 1}" }, 0 },
    { "counter_pos", counter_pos, { [RE] = A_OK }, { [RE] = "{}" }, 0 },
    { "counter_neg", counter_neg, { [RE] = A_OK }, { [RE] = "{}" }, 0 },
    { "counter_inplace", counter_inplace, { [RI] = A_OK }, NO_ANSWER, 0 },            /* EVAL: a count */
    { "counter_inplace(other server)", counter_inplace_x, ONLY_PROTO, NO_ANSWER, 0 }, /* HGETALL, EVAL */
    { "counter_inplace_json", counter_inplace_json, { [RI] = A_OK }, NO_ANSWER, 0 },

    /* ---- queue ---- */
    /* XADD: the new entry's ID (not checked for its form) */
    { "queue_put", queue_put, { [RJ] = A_OK | A_PROTO, [RT] = A_OK | A_PROTO }, NO_ANSWER, 0 },
    { "queue_put_nowait", queue_put_nowait, { [RJ] = A_OK | A_PROTO, [RT] = A_OK | A_PROTO }, NO_ANSWER, 0 },
    { "queue_get_nowait", queue_get_nowait, { [RN] = A_EMPTY }, NO_ANSWER, 0 },     /* EVAL: entry or nil */
    { "queue_get(block)", queue_get_block, { [RN] = A_EMPTY }, NO_ANSWER, BLOCKS }, /* EVAL, XREAD BLOCK */
    { "queue_get(block; XREAD)", queue_get_block, { [RN] = A_EMPTY }, NO_ANSWER, PATH | BLOCKS | SPARE_EVAL },
    { "queue_qsize", queue_qsize, { [RI] = A_OK }, { [RI] = "42" }, 0 }, /* XLEN */
    { "queue_empty", queue_empty, { [RI] = A_OK }, { [RI] = "0" }, 0 },
    { "queue_clear", queue_clear, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },

    /* ---- cache ---- */
    /* EVAL cache_get: the entry or nil (a miss: the function, then EVAL cache_store, an integer) */
    { "cache_call", cache_call, { [RJ] = A_OK, [RT] = A_DECODE }, { [RJ] = "7" }, PATH | HUGE },
    { "cache_call(no timeout)", cache_call_plain, { [RJ] = A_OK, [RT] = A_DECODE }, { [RJ] = "7" }, PATH | HUGE },
    /* EVAL cache_store / HSET: 0 or 1 */
    { "cache_bypass", cache_bypass, { [RI] = A_OK | A_PROTO }, { [RI] = "1" }, PATH | HUGE },
    { "cache_bypass(no timeout)", cache_bypass_plain, { [RI] = A_OK | A_PROTO }, { [RI] = "1" }, PATH | HUGE },
    { "cache_info", cache_info_get, { [RI] = A_OK }, { [RI] = "42" }, 0 },   /* HLEN */
    { "cache_clear", cache_clear, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 }, /* UNLINK */
    /* ---- cached ordered dict ---- */
    /* HMGET and the expiry script, pipelined: an array of one bulk or nil, then 0 or 1 */
    { "cached_ordered_dict_open", cod_open, ONLY_PROTO, NO_ANSWER, PATH | HUGE },
    { "cached_ordered_dict_open(no expiry)", cod_open_no_expiry, ONLY_PROTO, NO_ANSWER, 0 }, /* HMGET */
    { "cached_ordered_dict_set", cod_set, ONLY_PROTO, NO_ANSWER, 0 },       /* EVAL: 0 or 1 new fields */
    { "cached_ordered_dict_update", cod_update, ONLY_PROTO, NO_ANSWER, 0 }, /* EVAL: 0 or 1 new fields */
    /* EVAL: the value stored */
    { "cached_ordered_dict_setdefault", cod_setdefault, { [RJ] = A_OK, [RT] = A_DECODE }, { [RJ] = "7" }, 0 },
    /* ---- HyperLogLog ---- */
    { "hll_open(elements)", hll_open_elements, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 }, /* PFADD: 0 or 1 */
    { "hll_add", hll_add, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },
    { "hll_update", hll_update, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },
    { "hll_update_from", hll_update_from, { [RS] = A_OK }, NO_ANSWER, 0 }, /* PFMERGE: +OK */
    { "hll_update_both", hll_update_both, ONLY_PROTO, NO_ANSWER, PATH },   /* MULTI PFMERGE PFADD EXEC */
    { "hll_len", hll_len, { [RI] = A_OK }, { [RI] = "42" }, 0 },           /* PFCOUNT */
    /* EVAL hll_contains: an array of 0/1, one per element */
    { "hll_contains", hll_contains, { [RK] = A_OK }, { [RK] = "1" }, PATH | HUGE },
    { "hll_contains_many", hll_contains_many, ONLY_PROTO, NO_ANSWER, 0 },
    { "hll_union_from", hll_union_from, { [RS] = A_OK }, NO_ANSWER, 0 }, /* PFMERGE: +OK */
    { "hll_clear", hll_clear, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 }, /* UNLINK */
    { "hll_repr", hll_repr, { [RI] = A_OK }, { [RI] = "<HyperLogLog key=hostile len=42>" }, 0 },
    /* ---- bloom filter: scripts answering [1] (go on) and their data, or a refusal ---- */
    { "bloom_open", bloom_open, { [RK] = A_OK }, NO_ANSWER, 0 },              /* EVAL bloom_check */
    { "bloom_add", bloom_add, { [RK] = A_OK }, NO_ANSWER, PATH | HUGE },      /* EVAL bloom_write */
    { "bloom_update", bloom_update, { [RK] = A_OK }, NO_ANSWER, 0 },          /* EVAL bloom_write */
    { "bloom_contains", bloom_contains, ONLY_PROTO, NO_ANSWER, 0 },           /* EVAL bloom_read: [1, 0|1] */
    { "bloom_contains_many", bloom_contains_many, ONLY_PROTO, NO_ANSWER, 0 }, /* [1, 0|1, 0|1] */
    { "bloom_len", bloom_len, ONLY_PROTO, NO_ANSWER, 0 },                     /* EVAL bloom_len: [1, count] */
    { "bloom_clear", bloom_clear, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 },  /* UNLINK: 0 to 2 */
    /* ---- semaphore: EVAL semaphore_acquire: [1, held] or [0, held, earliest lease end] ---- */
    { "semaphore_acquire", semaphore_acquire, ONLY_PROTO, NO_ANSWER, 0 },
    { "semaphore_acquire(blocking)", semaphore_acquire_block, ONLY_PROTO, NO_ANSWER, 0 },
    { "semaphore_release", semaphore_release, ONLY_PROTO, NO_ANSWER, 0 }, /* EVAL: 0 or 1 */
    { "semaphore_extend", semaphore_extend, ONLY_PROTO, NO_ANSWER, 0 },
    { "semaphore_held", semaphore_held, { [RI] = A_OK }, { [RI] = "42" }, 0 }, /* EVAL: a count */
    { "semaphore_available", semaphore_available, { [RI] = A_OK }, { [RI] = "0" }, 0 },
    { "semaphore_lease_left", semaphore_lease_left, { [RI] = A_OK }, { [RI] = "42" }, 0 }, /* EVAL: ms */
    /* ---- rate limiter: EVAL ratelimit_acquire: [1, 0], [0, µs to wait] or [-1] ---- */
    { "ratelimit_try", ratelimit_try, ONLY_PROTO, NO_ANSWER, 0 },
    { "ratelimit_acquire", ratelimit_acquire, ONLY_PROTO, NO_ANSWER, 0 },
    { "ratelimit_reset", ratelimit_reset, { [RI] = A_OK | A_PROTO }, NO_ANSWER, 0 }, /* UNLINK */
    /* ---- reliable queue ---- */
    /* XADD: the new entry's ID (not checked for its form) */
    { "rqueue_put", rqueue_put, { [RJ] = A_OK, [RT] = A_OK }, NO_ANSWER, 0 },
    { "rqueue_put_many", rqueue_put_many, ONLY_PROTO, NO_ANSWER, 0 }, /* MULTI XADD x2 EXEC */
    /* EVAL rqueue_take: [nil, nil, wait] or [id, fields, deliveries] */
    { "rqueue_take", rqueue_take, ONLY_PROTO, NO_ANSWER, 0 },
    { "rqueue_ack", rqueue_ack, ONLY_PROTO, NO_ANSWER, 0 }, /* EVAL rqueue_settle: 0 or 1 */
    { "rqueue_release", rqueue_release, ONLY_PROTO, NO_ANSWER, 0 },
    { "rqueue_touch", rqueue_touch, ONLY_PROTO, NO_ANSWER, 0 },
    { "rqueue_len", rqueue_len, { [RI] = A_OK }, { [RI] = "42" }, 0 },          /* XLEN */
    { "rqueue_pending_count", rqueue_pending_count, ONLY_PROTO, NO_ANSWER, 0 }, /* XPENDING: [n, a, b, []] */
    { "rqueue_dead_letter_count", rqueue_dead_letter_count, { [RI] = A_OK }, { [RI] = "42" }, 0 },
    { "rqueue_dead_letters", rqueue_dead_letters, { [RE] = A_OK }, { [RE] = "0 items" }, 0 }, /* XRANGE */
    { "rqueue_clear", rqueue_clear, ONLY_PROTO, NO_ANSWER, 0 }, /* UNLINK of 2 keys: 0 to 2 */
    /* ---- quorum locks: a vote is a positive integer from the lock's script ---- */
    /* one fan-out (PATH, HUGE); the blocking write acquire below runs three */
    { "rlock_acquire", rlock_acquire, { [RI] = A_OK }, { [RI] = "1" }, PATH | HUGE | QUORUM },
    { "rlock_release", rlock_release, { [RI] = A_OK }, NO_ANSWER, QUORUM | HELD },
    { "rlock_extend", rlock_extend, { [RI] = A_OK }, NO_ANSWER, QUORUM | HELD },
    { "rwlock_acquire_read", rwlock_acquire_read, { [RI] = A_OK }, { [RI] = "1" }, QUORUM },
    { "rwlock_acquire_write", rwlock_acquire_write, { [RI] = A_OK }, { [RI] = "1" }, QUORUM },
    /* a failed blocking attempt also takes its waiting mark away */
    { "rwlock_acquire_write(blocking)", rwlock_acquire_write_block, { [RI] = A_OK }, { [RI] = "1" }, PATH | QUORUM },
    { "rwlock_release(read)", rwlock_release_read, { [RI] = A_OK }, NO_ANSWER, QUORUM | HELD },
    { "rwlock_release(write)", rwlock_release_write, { [RI] = A_OK }, NO_ANSWER, QUORUM | HELD },
    { "rwlock_extend(read)", rwlock_extend_read, { [RI] = A_OK }, NO_ANSWER, QUORUM | HELD },
    { "rwlock_extend(write)", rwlock_extend_write, { [RI] = A_OK }, NO_ANSWER, QUORUM | HELD },
};
#define NROWS (sizeof rows / sizeof rows[0])

/* ======================= one case ======================= */

static const struct {
    int code;
    unsigned bit; /* 0: never a right outcome here */
} codes[] = {
    { POTTERY_EPROTOCOL, A_PROTO },
    { 0, A_OK },
    { POTTERY_EDECODE, A_DECODE },
    { POTTERY_ENOTFOUND, A_NOTFOUND },
    { POTTERY_EINDEX, A_INDEX },
    { POTTERY_EEMPTY, A_EMPTY },
    { POTTERY_EITEROVER, A_ITEROVER },
    { POTTERY_ECONN, A_CONN },
    { POTTERY_ETIMEOUT, A_TIMEOUT },
    { POTTERY_EIMPOSSIBLE, A_IMPOSSIBLE },
    { POTTERY_EREDIS, 0 },
    { POTTERY_EEXISTS, 0 },
    { POTTERY_ETYPE, 0 },
    { POTTERY_ESTATE, 0 },
    { POTTERY_ECONFLICT, 0 },
    { POTTERY_ERANGE, 0 },
    { POTTERY_ENOMEM, 0 },
    { POTTERY_EINVAL, 0 },
    { POTTERY_ERANDOMKEY, 0 },
};
#define NCODES (sizeof codes / sizeof codes[0])

static unsigned outcome_of(int rc)
{
    for (size_t i = 0; i < NCODES; i++)
        if (codes[i].code == rc) return codes[i].bit;
    return 0;
}

/* What a case's server fault makes of the call: the row's outcomes for a fixed reply,
 * else the mode's. */
static unsigned fault_outcomes(const row *r, const mode *m)
{
    if (m->fault != FIXED) return m->want;
    return r->allow[m->reply] ? r->allow[m->reply] : A_PROTO;
}

enum { MASTER_FAULTS = A_PROTO | A_CONN | A_TIMEOUT };

/* The outcomes a case may have: a QUORUM row's master that fails is a failed vote. */
static unsigned allowed_outcomes(const row *r, const mode *m)
{
    unsigned allowed = fault_outcomes(r, m);
    if ((r->flags & QUORUM) && (allowed & MASTER_FAULTS)) allowed = (allowed & ~MASTER_FAULTS) | A_IMPOSSIBLE;
    return allowed;
}

/* How the vote summary of a QUORUM row's POTTERY_EIMPOSSIBLE names the master's fault
 * (src/conn/fanout_votes.c). */
static const char *vote_reason(unsigned faults)
{
    if (faults & A_PROTO) return "protocol error";
    if (faults & A_CONN) return "connection lost";
    return "timeout";
}

static void describe_outcomes(char *out, size_t n, unsigned allowed)
{
    out[0] = '\0';
    for (size_t i = 0; i < NCODES; i++) {
        size_t len = strlen(out);
        if (codes[i].bit & allowed)
            snprintf(out + len, n - len, "%s%s", len ? " or " : "", pottery_test_code_name(codes[i].code));
    }
}

/* A case's verdict, sent to the parent as it is (one write, well under PIPE_BUF). */
typedef struct record {
    int row;
    int done; /* 0: started, 1: finished */
    int failed;
    char text[1500];
} record;

static void complain(record *rec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void complain(record *rec, const char *fmt, ...)
{
    size_t len = strlen(rec->text);
    if (len && len + 3 < sizeof rec->text) {
        memcpy(rec->text + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rec->text + len, sizeof rec->text - len, fmt, ap);
    va_end(ap);
    rec->failed = 1;
}

/* A message is useful when it says where the failure comes from: a command the server
 * received, a container or its key (the fixture's keys are "hostile", "hostile2" and
 * "fresh"), the server's address or, for undecodable data, that it is not JSON. */
static int message_is_useful(const char *message, int rc, const char *sent)
{
    static const char *const places[] = { "dict",  "set",       "list",      "deque",  "counter", "queue",
                                          "cache", "semaphore", "ratelimit", "script", "hostile", "fresh" };
    if (!message[0]) return 0;
    if (rc != POTTERY_EPROTOCOL && rc != POTTERY_EDECODE && rc != POTTERY_ECONN && rc != POTTERY_ETIMEOUT) return 1;
    char verbs_sent[256];
    snprintf(verbs_sent, sizeof verbs_sent, "%s", sent);
    char *save = NULL;
    for (char *verb = strtok_r(verbs_sent, " ", &save); verb; verb = strtok_r(NULL, " ", &save))
        if (strcasestr(message, verb)) return 1;
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        if (strcasestr(message, places[i])) return 1;
    return strstr(message, "127.0.0.1") || (rc == POTTERY_EDECODE && strstr(message, "JSON"));
}

static int row_wait_ms(const row *r)
{
    return r->flags & BLOCKS ? GET_WAIT_MS : 0;
}

/* How long the parent waits for a case before it kills the child: long enough to see a
 * late answer come (the timeout passing) rather than only that none came in time. */
static int case_limit_ms(const row *r, const mode *m)
{
    double bound = slack_ms(m->bound_ms);
    return (int)((bound > m->timeout_ms ? bound : m->timeout_ms) + row_wait_ms(r) + slack_ms(SLACK_MS));
}

static void judge(record *rec, const row *r, const mode *m, int rc, const char *answer, double took,
                  const char *message, const char *sent)
{
    unsigned allowed = allowed_outcomes(r, m);
    char want[160];
    describe_outcomes(want, sizeof want, allowed);
    if (!(outcome_of(rc) & allowed) && rc == 0)
        complain(rec, "returned 0 after %.0f ms, want %s", took, want);
    else if (!(outcome_of(rc) & allowed))
        complain(rec, "returned %s after %.0f ms, want %s (message: \"%s\")", pottery_test_code_name(rc), took, want,
                 message);
    else if (rc == 0 && m->fault == FIXED && r->answer[m->reply] && strcmp(answer, r->answer[m->reply]) != 0)
        complain(rec, "answered %s, want %s", answer, r->answer[m->reply]);
    if (rc < 0 && rc != POTTERY_EITEROVER && !message_is_useful(message, rc, sent))
        complain(rec, "the message of %s names neither the command (%s), nor the container, nor the server: \"%s\"",
                 pottery_test_code_name(rc), sent, message);
    unsigned faults = fault_outcomes(r, m) & MASTER_FAULTS;
    if (rc == POTTERY_EIMPOSSIBLE && faults && !strstr(message, vote_reason(faults)))
        complain(rec, "the message of POTTERY_EIMPOSSIBLE does not say \"%s\": \"%s\"", vote_reason(faults), message);
    /* The bound is the client's own speed as much as its timeout: a slowed run widens it. */
    double bound = slack_ms(m->bound_ms) + row_wait_ms(r);
    if (took >= bound) complain(rec, "took %.0f ms, want less than %.0f ms", took, bound);
}

/* ---- the fixture ---- */

/* The quorum locks on the client c as their one master, held when `held`. */
static int open_locks(fx *f, int held)
{
    pottery_redlock_options raise;
    pottery_redlock_options_init(&raise);
    raise.raise_on_redis_errors = 1;
    pottery_client *const masters[] = { f->c };
    int rc = pottery_rlock_new(&f->rlk, "hostile", masters, 1, &raise);
    if (rc == 0) rc = pottery_rwlock_new(&f->rw, "hostile", masters, 1, &raise);
    if (rc == 0) rc = pottery_rwlock_new(&f->rww, "hostile", masters, 1, &raise);
    int got[3] = { 1, 1, 1 };
    if (rc == 0 && held) rc = pottery_rlock_acquire(&got[0], f->rlk, 0, 0);
    if (rc == 0 && held) rc = pottery_rwlock_acquire_read(&got[1], f->rw, 0, 0);
    if (rc == 0 && held) rc = pottery_rwlock_acquire_write(&got[2], f->rww, 0, 0);
    return rc == 0 && !(got[0] && got[1] && got[2]) ? POTTERY_ESTATE : rc; /* ESTATE: not granted */
}

static int open_fixture(fx *f, int port, int timeout_ms, unsigned flags)
{
    char url[64], url2[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", port);
    snprintf(url2, sizeof url2, "redis://127.0.0.1:%d/1", port);
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.command_timeout_ms = timeout_ms;
    int rc = pottery_client_open(&f->c, url, &o);
    if (rc == 0) rc = pottery_client_open(&f->c2, url2, &o);
    if (rc == 0) rc = pottery_dict_open(&f->d, f->c, "hostile", NULL);
    if (rc == 0) rc = pottery_dict_open(&f->d2, f->c, "hostile2", NULL);
    if (rc == 0) rc = pottery_dict_open(&f->dx, f->c2, "hostile", NULL);
    if (rc == 0) rc = pottery_dict_open(&f->check, f->c, "check", NULL);
    if (rc == 0) rc = pottery_dict_open(&f->check2, f->c2, "check", NULL);
    if (rc == 0) rc = pottery_set_open(&f->s, f->c, "hostile", NULL);
    if (rc == 0) rc = pottery_set_open(&f->s2, f->c, "hostile2", NULL);
    if (rc == 0) rc = pottery_set_open(&f->sx, f->c2, "hostile", NULL);
    if (rc == 0) rc = pottery_list_open(&f->l, f->c, "hostile", NULL);
    if (rc == 0) rc = pottery_list_open(&f->l2, f->c, "hostile2", NULL);
    if (rc == 0) rc = pottery_list_open(&f->lx, f->c2, "hostile", NULL);
    if (rc == 0) rc = pottery_deque_open(&f->q, f->c, "hostile", NULL);
    if (rc == 0) rc = pottery_deque_open(&f->q2, f->c, "hostile2", NULL);
    if (rc == 0) rc = pottery_deque_open(&f->qb, f->c, "hostile", &deque_bounded); /* LLEN: 0 */
    if (rc == 0) rc = pottery_counter_open(&f->k, f->c, "hostile", NULL);
    if (rc == 0) rc = pottery_counter_open(&f->k2, f->c, "hostile2", NULL);
    if (rc == 0) rc = pottery_counter_open(&f->kx, f->c2, "hostile", NULL);
    if (rc == 0) rc = pottery_queue_open(&f->u, f->c, "hostile", NULL);
    if (rc == 0) rc = pottery_cache_open(&f->ch, f->c, "hostile", cache_one, NULL, NULL);
    pottery_cache_options plain;
    pottery_cache_options_init(&plain);
    plain.timeout_ms = 0;
    if (rc == 0) rc = pottery_cache_open(&f->chx, f->c, "hostile", cache_one, NULL, &plain);
    if (rc == 0) rc = pottery_cached_ordered_dict_open(&f->cod, f->c, "hostile", NULL, 0, NULL);
    if (rc == 0) rc = pottery_hll_open(&f->h, f->c, "hostile", NULL, 0);
    if (rc == 0) rc = pottery_hll_open(&f->h2, f->c, "hostile2", NULL, 0);
    /* fails where EVAL is spared (answers nil): only the bloom rows use it, and they are not */
    if (rc == 0) (void)pottery_bloom_open(&f->bf, f->c, "hostile", 100, 0.01, NULL);
    if (rc == 0) rc = pottery_semaphore_open(&f->sem, f->c, "hostile", 3, NULL);
    if (rc == 0) rc = pottery_ratelimit_open(&f->rl, f->c, "hostile", 10, 1000, NULL);
    if (rc == 0) rc = pottery_rqueue_open(&f->rq, f->c, "hostile", NULL);
    if (rc == 0) rc = open_locks(f, (flags & HELD) != 0);
    return rc;
}

/* None of the keys is a "pottery:" one, so freeing sends nothing. */
static void close_fixture(fx *f)
{
    pottery_rwlock_free(f->rww);
    pottery_rwlock_free(f->rw);
    pottery_rlock_free(f->rlk);
    pottery_rqueue_free(f->rq);
    pottery_ratelimit_free(f->rl);
    pottery_semaphore_free(f->sem);
    pottery_hll_free(f->h2);
    pottery_hll_free(f->h);
    pottery_cache_free(f->chx);
    pottery_cache_free(f->ch);
    pottery_cached_ordered_dict_free(f->cod);
    pottery_bloom_free(f->bf);
    pottery_queue_free(f->u);
    pottery_counter_free(f->kx);
    pottery_counter_free(f->k2);
    pottery_counter_free(f->k);
    pottery_deque_free(f->qb);
    pottery_deque_free(f->q2);
    pottery_deque_free(f->q);
    pottery_list_free(f->lx);
    pottery_list_free(f->l2);
    pottery_list_free(f->l);
    pottery_set_free(f->sx);
    pottery_set_free(f->s2);
    pottery_set_free(f->s);
    pottery_dict_free(f->check2);
    pottery_dict_free(f->check);
    pottery_dict_free(f->dx);
    pottery_dict_free(f->d2);
    pottery_dict_free(f->d);
    pottery_client_free(f->c2);
    pottery_client_free(f->c);
    memset(f, 0, sizeof *f);
}

/* Both clients work again once the server behaves (HLEN answers 3). A quorum lock's
 * master that timed out keeps its connection, owing the reply, for one more call
 * (src/conn/conn.h, fan-out): that call waits for the reply the fake server never ends,
 * and drops the connection when it times out in turn. */
static void check_recovery(record *rec, fx *f, const row *r, const mode *m)
{
    pottery_dict *checks[2] = { f->check, f->check2 };
    for (int i = 0; i < 2; i++) {
        int64_t len = -1;
        int rc = pottery_dict_len(&len, checks[i]);
        if (rc == POTTERY_ETIMEOUT && i == 0 && (r->flags & QUORUM) && m->want == A_TIMEOUT)
            rc = pottery_dict_len(&len, checks[i]);
        if (rc != 0 || len != 3)
            complain(rec,
                     "afterwards, HLEN on %s to a well-behaved server returned %s with %lld, want 0 with 3 (\"%s\")",
                     i ? "the second client" : "the client", pottery_test_code_name(rc), (long long)len,
                     rc ? pottery_error_last()->message : "");
    }
}

static void run_case(record *rec, const row *r, scene *sc, int port)
{
    const mode *m = sc->mode;
    pthread_mutex_lock(&sc->lock);
    sc->hostile = 0;
    memset(sc->faulted, 0, sizeof sc->faulted);
    sc->queued = -1;
    sc->row_flags = r->flags;
    sc->sent[0] = '\0';
    pthread_mutex_unlock(&sc->lock);

    fx f;
    memset(&f, 0, sizeof f);
    if (open_fixture(&f, port, m->timeout_ms, r->flags) < 0) {
        complain(rec, "the fixture did not open on the well-behaved server: %s", pottery_error_last()->message);
        close_fixture(&f);
        return;
    }
    char answer[256] = "", message[512], sent[sizeof sc->sent];
    scene_set(sc, 1);
    pottery_error_clear();
    double t0 = now_ms();
    int rc = r->run(&f, answer, sizeof answer);
    double took = now_ms() - t0;
    snprintf(message, sizeof message, "%s", pottery_error_last()->message);
    pthread_mutex_lock(&sc->lock);
    sc->hostile = 0;
    memcpy(sent, sc->sent, sizeof sent);
    pthread_mutex_unlock(&sc->lock);
    if (sent[0]) sent[strlen(sent) - 1] = '\0'; /* the last separator */

    judge(rec, r, m, rc, answer, took, message, sent);
    check_recovery(rec, &f, r, m);
    close_fixture(&f);
}

/* ======================= the runner ======================= */

static int row_in_mode(const row *r, const mode *m)
{
    return m->rows == 0 || (r->flags & m->rows) != 0;
}

static size_t next_row(const mode *m, size_t from)
{
    while (from < NROWS && !row_in_mode(&rows[from], m)) from++;
    return from;
}

/* cmocka catches these signals to report a crashed test; a child must not return into
 * cmocka's runner, so it gets back the handlers from before (AddressSanitizer's). */
static const int caught_signals[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGSYS };
static struct sigaction handlers_before_cmocka[sizeof caught_signals / sizeof caught_signals[0]];

/* The child: a fake server of its own, then the rows from `first` on, each announced
 * before it runs and reported when it is done. exit() (not _exit) so that LeakSanitizer
 * checks what the cases left behind. */
static void child_main(int fd, const mode *m, size_t first)
{
    for (size_t i = 0; i < sizeof caught_signals / sizeof caught_signals[0]; i++)
        sigaction(caught_signals[i], &handlers_before_cmocka[i], NULL);
    scene sc;
    memset(&sc, 0, sizeof sc);
    pthread_mutex_init(&sc.lock, NULL);
    sc.mode = m;
    fake_server *fs = NULL;
    if (fake_server_start_actions(&fs, on_command, &sc) < 0) exit(3);
    for (size_t i = next_row(m, first); i < NROWS; i = next_row(m, i + 1)) {
        record rec;
        memset(&rec, 0, sizeof rec);
        rec.row = (int)i;
        if (write_all(fd, &rec, sizeof rec) < 0) break;
        run_case(&rec, &rows[i], &sc, fake_server_port(fs));
        rec.done = 1;
        if (write_all(fd, &rec, sizeof rec) < 0) break;
    }
    fake_server_stop(fs);
    pthread_mutex_destroy(&sc.lock);
    close(fd);
    exit(0);
}

static void report(const mode *m, const char *what, const char *text)
{
    printf("  [%s] %s: %s\n", m->name, what, text);
    fflush(stdout);
}

/* The exit status of a child, as text. */
static void describe_status(char *out, size_t n, int code)
{
    if (code > 128)
        snprintf(out, n, "killed by signal %d", code - 128);
    else
        snprintf(out, n, "exited with status %d", code);
}

/* Run every row of mode m; returns how many cases failed. */
static int run_mode(const mode *m)
{
    int failures = 0, cases = 0;
    size_t next = next_row(m, 0);
    while (next < NROWS) {
        int fds[2];
        assert_int_equal(0, pipe(fds));
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child_main(fds[1], m, next);
        }
        close(fds[1]);
        int current = -1; /* the row running now */
        double started = now_ms();
        for (;;) {
            int limit = current < 0 ? 10000 : case_limit_ms(&rows[current], m);
            int left = limit - (int)(now_ms() - started);
            struct pollfd p = { fds[0], POLLIN, 0 };
            int ready = left > 0 ? poll(&p, 1, left) : 0;
            if (ready < 0 && errno == EINTR) continue;
            record rec;
            ssize_t got = ready > 0 ? read_full(fds[0], &rec, sizeof rec) : -1;
            if (got == (ssize_t)sizeof rec) {
                if (!rec.done) {
                    current = rec.row;
                    started = now_ms();
                    continue;
                }
                cases++;
                if (rec.failed) {
                    failures++;
                    report(m, rows[rec.row].name, rec.text);
                }
                current = -1;
                next = next_row(m, (size_t)rec.row + 1);
                started = now_ms();
                continue;
            }
            char text[160];
            if (ready <= 0) {
                kill(pid, SIGKILL);
                wait_exit_code(pid);
                snprintf(text, sizeof text, "no result after %d ms (killed)", limit);
            } else {
                int code = wait_exit_code(pid);
                if (current < 0 && code == 0) break;
                describe_status(text, sizeof text, code);
                snprintf(text + strlen(text), sizeof text - strlen(text), "%s",
                         current >= 0 ? " during this case (see the report above)"
                                      : " outside any case (see the report above)");
            }
            failures++;
            if (current >= 0) {
                cases++;
                report(m, rows[current].name, text);
                next = next_row(m, (size_t)current + 1);
            } else {
                report(m, "the child process", text);
                next = NROWS;
            }
            break;
        }
        close(fds[0]);
    }
    printf("[%s] %d of %d cases fail\n", m->name, failures, cases);
    fflush(stdout);
    return failures;
}

/* A test: every mode whose fault is in [first, last]. */
typedef struct family {
    fault first, last;
} family;

static family families[] = {
    { FIXED, FIXED },     { CUT_CLOSE, CUT_SILENT }, { TRICKLE, TRICKLE }, { HUGE_HEADER, HUGE_HEADER },
    { ENDLESS, ENDLESS },
};

static void test_family(void **state)
{
    const family *f = *state;
    int failures = 0;
    for (size_t i = 0; i < NMODES; i++)
        if (modes[i].fault >= f->first && modes[i].fault <= f->last) failures += run_mode(&modes[i]);
    if (failures) fail_msg("%d (operation, fault) pairs fail (listed above)", failures);
}

/* ======================= the largest integers ======================= */

/* Replies of the right shape whose integers are the largest RESP carries: the arithmetic
 * on them must not overflow (the sanitizer build aborts on it). EVAL gets `userdata`,
 * anything else (XREADGROUP BLOCK) nil: nothing came. */
static const char *edge_reply(int argc, char **argv, void *userdata)
{
    (void)argc;
    if (strcasecmp(argv[0], "PING") == 0) return "+PONG\r\n";
    if (strcasecmp(argv[0], "SELECT") == 0) return "+OK\r\n";
    return strncasecmp(argv[0], "EVAL", 4) == 0 ? userdata : "$-1\r\n";
}

static pottery_client *edge_client(fake_server **fs, const char *eval_reply)
{
    char url[64];
    pottery_client *c = NULL;
    assert_int_equal(0, fake_server_start(fs, edge_reply, (void *)eval_reply));
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", fake_server_port(*fs));
    assert_ok(pottery_client_open(&c, url, NULL));
    return c;
}

static void largest_integers(void **state)
{
    (void)state;
    /* The rate limiter: refused, with INT64_MAX µs to wait (rounded up to ms). */
    fake_server *fs = NULL;
    pottery_client *c = edge_client(&fs, "*2\r\n:0\r\n:9223372036854775807\r\n");
    pottery_ratelimit *rl = NULL;
    assert_ok(pottery_ratelimit_open(&rl, c, "edge", 10, 1000, NULL));
    int allowed = -1;
    int64_t wait_ms = -1;
    assert_ok(pottery_ratelimit_try(&allowed, &wait_ms, rl, 1));
    assert_int_equal(allowed, 0);
    assert_true(wait_ms == INT64_MAX / 1000 + 1);
    assert_ok(pottery_ratelimit_acquire(&allowed, rl, 1, GET_WAIT_MS));
    assert_int_equal(allowed, 0);
    pottery_ratelimit_free(rl);
    pottery_client_free(c);
    fake_server_stop(fs);

    /* The reliable queue: nothing to take, a held item expiring in INT64_MAX ms. */
    c = edge_client(&fs, "*3\r\n$-1\r\n$-1\r\n:9223372036854775807\r\n");
    pottery_rqueue *q = NULL;
    assert_ok(pottery_rqueue_open(&q, c, "edge", NULL));
    pottery_rqueue_item item = POTTERY_RQUEUE_ITEM_INIT;
    assert_code(POTTERY_EEMPTY, pottery_rqueue_take(&item, q, GET_WAIT_MS));
    pottery_rqueue_free(q);
    pottery_client_free(c);
    fake_server_stop(fs);
}

/* ======================= replies found by the reply fuzzer ======================= */

/* Replies that fuzz/fuzz_reply.c found mishandled, each given to every command but the
 * handshake: the operation must fail with its code and a message. */
static const char *found_reply(int argc, char **argv, void *userdata)
{
    (void)argc;
    if (strcasecmp(argv[0], "PING") == 0) return "+PONG\r\n";
    if (strcasecmp(argv[0], "SELECT") == 0) return "+OK\r\n";
    return userdata;
}

static int found_dict_get(pottery_client *c)
{
    pottery_dict *d = NULL;
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_dict_open(&d, c, "found", NULL);
    if (rc == 0) rc = pottery_dict_get(&v, d, KEY);
    pottery_value_dispose(&v);
    pottery_dict_free(d);
    return rc;
}

typedef struct finding {
    const char *what;
    const char *reply;
    int (*run)(pottery_client *c);
    int code;
} finding;

static const finding findings[] = {
    /* the message was the error's text: empty */
    { "an error reply without text", "-\r\n", found_dict_get, POTTERY_EREDIS },
};

static void fuzzer_findings(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof findings / sizeof findings[0]; i++) {
        const finding *fd = &findings[i];
        fake_server *fs = NULL;
        pottery_client *c = NULL;
        char url[64];
        assert_int_equal(0, fake_server_start(&fs, found_reply, (void *)fd->reply));
        snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", fake_server_port(fs));
        assert_ok(pottery_client_open(&c, url, NULL));
        pottery_error_clear();
        int rc = fd->run(c);
        const pottery_error *e = pottery_error_last();
        if (rc != fd->code || e->code != rc || !e->message[0]) {
            printf("  %s: returned %s with the message \"%s\", want %s with a message\n", fd->what,
                   pottery_test_code_name(rc), e->message, pottery_test_code_name(fd->code));
            failures++;
        }
        pottery_client_free(c);
        fake_server_stop(fs);
    }
    if (failures) fail_msg("%d findings fail (listed above)", failures);
}

int main(void)
{
    for (size_t i = 0; i < sizeof caught_signals / sizeof caught_signals[0]; i++)
        sigaction(caught_signals[i], NULL, &handlers_before_cmocka[i]);
    const struct CMUnitTest tests[] = {
        { "wrong_reply_types", test_family, NULL, NULL, &families[0] },
        { "truncated_replies", test_family, NULL, NULL, &families[1] },
        { "trickled_replies", test_family, NULL, NULL, &families[2] },
        { "absurd_sizes", test_family, NULL, NULL, &families[3] },
        { "endless_scans", test_family, NULL, NULL, &families[4] },
        cmocka_unit_test(largest_integers),
        cmocka_unit_test(fuzzer_findings),
    };
    return cmocka_run_group_tests_name("faulty_server", tests, NULL, NULL);
}
