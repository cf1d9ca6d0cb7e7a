/* pottery_nextid: NextID over N masters. pottery's read (GET everywhere, max of a quorum,
 * + 1) then compare-and-set, shortened to the compare-and-set alone while the generator's
 * remembered id is the latest. The safety argument is in include/pottery/nextid.h. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conn/conn.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"
#include "pottery/nextid.h"

#define KEY_PREFIX "nextid:"
#define DEFAULT_KEY "current"

struct pottery_nextid {
    pottery_client **masters; /* n distinct clients, borrowed (the array is ours) */
    size_t n;
    size_t quorum; /* n / 2 + 1 */
    char *key;     /* "nextid:<key>" */
    int num_tries;
    int raise_on_redis_errors;
    int known;     /* floor is worth proposing above without a read */
    int64_t floor; /* the highest id returned or heard of from a master */
};

/* What the votes of one fan-out tell: the largest value a master answered. */
typedef struct votes {
    const char *key;
    const char *proposal; /* the compare-and-set's id as text; NULL for a read */
    int64_t max;
    int any; /* max is set */
} votes;

/* Strict decimal int64 ("-"? digits, no spaces, no overflow): 0, or -1. */
static int parse_id(int64_t *out, const char *s, size_t len)
{
    size_t i = 0;
    int neg = 0;
    if (len > 0 && s[0] == '-') neg = 1, i = 1;
    if (i == len || len - i > 19) return -1;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg) return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static void heard(votes *v, int64_t id)
{
    if (!v->any || id > v->max) v->max = id;
    v->any = 1;
}

/* Bytes held by a master, read as an id (EDECODE naming the key and showing them). */
static int held_id(int64_t *id, votes *v, const char *s, size_t len)
{
    if (parse_id(id, s, len) == 0) return 0;
    return pottery__error(POTTERY_EDECODE, "%s holds \"%.*s\", not a decimal integer", v->key,
                          (int)(len > 40 ? 40 : len), s);
}

/* GET: nil is 0 (a new sequence), else decimal text. Every answer is a yes vote. */
static int check_read(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    votes *v = ctx;
    const char *s = NULL;
    size_t len = 0;
    int64_t id = 0;
    if (pottery__reply_type(r) != POTTERY_REPLY_NIL) {
        int rc = pottery__reply_bytes(&s, &len, r, "GET");
        if (rc == 0) rc = held_id(&id, v, s, len);
        if (rc < 0) return rc;
    }
    heard(v, id);
    return 1;
}

/* nextid_propose: { 1, proposal } is a yes; { 0, held } a no that tells what is held. */
static int check_propose(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    votes *v = ctx;
    long long stored = 0;
    const char *s = NULL;
    size_t len = 0;
    int rc = pottery__reply_array_n(r, 2, "nextid_propose");
    if (rc == 0) rc = pottery__reply_int_in(&stored, pottery__reply_at(r, 0), 0, 1, "nextid_propose");
    if (rc == 0) rc = pottery__reply_bytes(&s, &len, pottery__reply_at(r, 1), "nextid_propose");
    if (rc < 0) return rc;
    if (!s) s = "";
    if (stored) {
        if (len != strlen(v->proposal) || memcmp(s, v->proposal, len) != 0)
            return pottery__error(POTTERY_EPROTOCOL, "nextid_propose on %s: stored \"%.*s\", not %s", v->key,
                                  (int)(len > 40 ? 40 : len), s, v->proposal);
        return 1;
    }
    int64_t id;
    if (parse_id(&id, s, len) == 0) heard(v, id); /* e.g. "1e3" from elsewhere: just a no */
    return 0;
}

/* ---- the handle ---- */

int pottery_nextid_new(pottery_nextid **out, pottery_client *const *masters, size_t n,
                       const pottery_nextid_options *opts)
{
    static const pottery_nextid_options defaults = POTTERY_NEXTID_OPTIONS_INIT;
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(masters);
    if (n == 0) return pottery__error(POTTERY_EINVAL, "pottery_nextid_new: no masters");
    if (!opts) opts = &defaults;
    int rc = pottery__options_check(opts->version, POTTERY_NEXTID_OPTIONS_VERSION, __func__);
    if (rc < 0) return rc;
    for (size_t i = 0; i < n; i++) {
        if (!masters[i]) return pottery__error(POTTERY_EINVAL, "pottery_nextid_new: master %zu is NULL", i);
        for (size_t j = 0; j < i; j++)
            if (masters[j] == masters[i])
                return pottery__error(POTTERY_EINVAL, "pottery_nextid_new: masters %zu and %zu are the same client", j,
                                      i);
    }
    const char *key = opts->key ? opts->key : DEFAULT_KEY;
    if (!key[0]) return pottery__error(POTTERY_EINVAL, "pottery_nextid_new: key is empty");
    if (opts->num_tries < 1)
        return pottery__error(POTTERY_EINVAL, "pottery_nextid_new: num_tries must be >= 1 (got %d)", opts->num_tries);

    pottery_nextid *gen = pottery__calloc(1, sizeof *gen);
    if (!gen) return pottery__error_oom();
    size_t keylen = strlen(KEY_PREFIX) + strlen(key);
    gen->key = pottery__malloc(keylen + 1);
    gen->masters = pottery__calloc(n, sizeof *gen->masters);
    if (!gen->key || !gen->masters) {
        pottery_nextid_free(gen);
        return pottery__error_oom();
    }
    snprintf(gen->key, keylen + 1, "%s%s", KEY_PREFIX, key);
    for (size_t i = 0; i < n; i++) gen->masters[i] = masters[i];
    gen->n = n;
    gen->quorum = n / 2 + 1;
    gen->num_tries = opts->num_tries;
    gen->raise_on_redis_errors = opts->raise_on_redis_errors != 0;
    *out = gen;
    return 0;
}

void pottery_nextid_free(pottery_nextid *gen)
{
    if (!gen) return;
    pottery__free(gen->masters);
    pottery__free(gen->key);
    pottery__free(gen);
}

const char *pottery_nextid_key(const pottery_nextid *gen)
{
    return gen ? gen->key : NULL;
}

pottery_client *const *pottery_nextid_masters(size_t *n, const pottery_nextid *gen)
{
    if (n) *n = gen ? gen->n : 0;
    return gen ? gen->masters : NULL;
}

int pottery_nextid_repr(char **out, const pottery_nextid *gen)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(gen);
    size_t size = strlen(gen->key) + sizeof "<NextID key=>";
    char *text = pottery__malloc(size);
    if (!text) return pottery__error_oom();
    snprintf(text, size, "<NextID key=%s>", gen->key);
    *out = text;
    return 0;
}

/* ---- next and reset ---- */

/* With raise_on_redis_errors: POTTERY_EIMPOSSIBLE when more than N/2 masters failed. */
static int check_impossible(const pottery_nextid *gen, const pottery_fanout *f, const char *what)
{
    if (!gen->raise_on_redis_errors || f->failed <= gen->n / 2) return 0;
    char why[POTTERY_ERROR_MESSAGE_MAX];
    pottery__fanout_describe(why, sizeof why, f);
    return pottery__error(POTTERY_EIMPOSSIBLE, "quorum is impossible on %s: %zu of %zu masters failed (%s: %s)",
                          gen->key, f->failed, gen->n, what, why);
}

/* One fan-out; the outcome is left in f and v. */
static int run_read(pottery_fanout *f, votes *v, pottery_nextid *gen)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "GET");
    pottery__cmd_cstr(&cmd, gen->key);
    memset(v, 0, sizeof *v);
    v->key = gen->key;
    f->check = check_read;
    f->ctx = v;
    int rc = pottery__fanout_exec(f, &cmd);
    pottery__cmd_free(&cmd);
    return rc;
}

static int run_propose(pottery_fanout *f, votes *v, pottery_nextid *gen, const char *proposal)
{
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_cstr(&args, gen->key);
    pottery__cmd_cstr(&args, proposal);
    memset(v, 0, sizeof *v);
    v->key = gen->key;
    v->proposal = proposal;
    f->check = check_propose;
    f->ctx = v;
    int rc = pottery__fanout_eval(f, &pottery__lua_nextid_propose, 1, &args);
    pottery__cmd_free(&args);
    return rc;
}

/* Propose floor + 1: 1 when a quorum stored it (*id set), 0 when not, or an error. */
static int propose(int64_t *id, pottery_fanout *f, pottery_nextid *gen)
{
    if (gen->floor == INT64_MAX) return pottery__error(POTTERY_ERANGE, "%s: the sequence reached INT64_MAX", gen->key);
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, gen->floor + 1);
    votes v;
    int rc = run_propose(f, &v, gen, text);
    if (rc < 0) return rc;
    if (f->yes >= gen->quorum) {
        gen->floor++;
        gen->known = 1;
        *id = gen->floor;
        return 1;
    }
    if (v.any && v.max > gen->floor) gen->floor = v.max; /* what the refusals said */
    return check_impossible(gen, f, "compare-and-set");
}

/* The quorum read: 1 when a quorum answered (floor raised to their max), 0 when not. */
static int read_quorum(pottery_fanout *f, pottery_nextid *gen)
{
    votes v;
    int rc = run_read(f, &v, gen);
    if (rc < 0) return rc;
    if (f->yes < gen->quorum) return check_impossible(gen, f, "read");
    if (!gen->known || v.max > gen->floor) gen->floor = v.max;
    gen->known = 1;
    return 1;
}

int pottery_nextid_next(int64_t *id, pottery_nextid *gen)
{
    POTTERY_CHECK_ARG(id);
    POTTERY_CHECK_ARG(gen);
    pottery_fanout f;
    pottery__fanout_init(&f, gen->masters, gen->n, gen->quorum);
    int rc = 0;
    const char *phase = "compare-and-set";
    /* The steady state: propose straight away; only a refusal costs a read. It is not one
     * of the num_tries attempts, so contention gets as many full tries as with pottery. */
    if (gen->known) rc = propose(id, &f, gen);
    for (int attempt = 0; rc == 0 && attempt < gen->num_tries; attempt++) {
        phase = "read";
        rc = read_quorum(&f, gen);
        if (rc <= 0) continue;
        phase = "compare-and-set";
        rc = propose(id, &f, gen);
    }
    if (rc == 0) {
        char why[POTTERY_ERROR_MESSAGE_MAX];
        pottery__fanout_describe(why, sizeof why, &f);
        rc = pottery__error(POTTERY_EQUORUM, "quorum not achieved on %s after %d %s (last %s: %s)", gen->key,
                            gen->num_tries, gen->num_tries == 1 ? "try" : "tries", phase, why);
    }
    pottery__fanout_free(&f);
    return rc < 0 ? rc : 0;
}

int pottery_nextid_reset(pottery_nextid *gen)
{
    POTTERY_CHECK_ARG(gen);
    pottery_fanout f;
    pottery__fanout_init(&f, gen->masters, gen->n, 0); /* wait for every master */
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "DEL");
    pottery__cmd_cstr(&cmd, gen->key);
    int rc = pottery__fanout_exec(&f, &cmd);
    pottery__cmd_free(&cmd);
    gen->known = 0;
    gen->floor = 0;
    if (rc == 0 && f.yes < gen->n) rc = check_impossible(gen, &f, "DEL");
    if (rc == 0 && f.yes < gen->n) {
        char why[POTTERY_ERROR_MESSAGE_MAX];
        pottery__fanout_describe(why, sizeof why, &f);
        rc = pottery__error(POTTERY_EQUORUM, "reset of %s did not reach every master: %s", gen->key, why);
    }
    pottery__fanout_free(&f);
    return rc;
}
