/* NextID without its I/O (see nextid_core.h). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"
#include "nextid_core.h"

#define KEY_PREFIX "nextid:"
#define DEFAULT_KEY "current"

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

static void heard(pottery_nextid_votes *v, int64_t id)
{
    if (!v->any || id > v->max) v->max = id;
    v->any = 1;
}

/* Bytes held by a master, read as an id (EDECODE naming the key and showing them). */
static int held_id(int64_t *id, pottery_nextid_votes *v, const char *s, size_t len)
{
    if (parse_id(id, s, len) == 0) return 0;
    return pottery__error(POTTERY_EDECODE, "%s holds \"%.*s\", not a decimal integer", v->key,
                          (int)(len > 40 ? 40 : len), s);
}

/* GET: nil is 0 (a new sequence), else decimal text. Every answer is a yes vote. */
static int check_read(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    pottery_nextid_votes *v = ctx;
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
    pottery_nextid_votes *v = ctx;
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

/* ---- state ---- */

int pottery__nextid_core_init(pottery_nextid_core *core, size_t n, const pottery_nextid_options *opts, const char *fn)
{
    static const pottery_nextid_options defaults = POTTERY_NEXTID_OPTIONS_INIT;
    memset(core, 0, sizeof *core);
    if (!opts) opts = &defaults;
    int rc = pottery__options_check(opts->version, POTTERY_NEXTID_OPTIONS_VERSION, fn);
    if (rc < 0) return rc;
    const char *key = opts->key ? opts->key : DEFAULT_KEY;
    if (!key[0]) return pottery__error(POTTERY_EINVAL, "%s: key is empty", fn);
    if (opts->num_tries < 1)
        return pottery__error(POTTERY_EINVAL, "%s: num_tries must be >= 1 (got %d)", fn, opts->num_tries);
    size_t keylen = strlen(KEY_PREFIX) + strlen(key);
    core->key = pottery__malloc(keylen + 1);
    if (!core->key) return pottery__error_oom();
    snprintf(core->key, keylen + 1, "%s%s", KEY_PREFIX, key);
    core->n = n;
    core->quorum = n / 2 + 1;
    core->num_tries = opts->num_tries;
    core->raise_on_redis_errors = opts->raise_on_redis_errors != 0;
    return 0;
}

void pottery__nextid_core_free(pottery_nextid_core *core)
{
    pottery__free(core->key);
    core->key = NULL;
}

/* POTTERY_ENOMEM when a vote was lost to memory; with raise_on_redis_errors,
 * POTTERY_EIMPOSSIBLE when more than N/2 masters failed. */
static int check_impossible(const pottery_nextid_core *core, const pottery_fanout *f, const char *what)
{
    if (pottery__fanout_oom(f)) return POTTERY_ENOMEM;
    if (!core->raise_on_redis_errors || f->failed <= core->n / 2) return 0;
    char why[POTTERY_ERROR_MESSAGE_MAX];
    pottery__fanout_describe(why, sizeof why, f);
    return pottery__error(POTTERY_EIMPOSSIBLE, "quorum is impossible on %s: %zu of %zu masters failed (%s: %s)",
                          core->key, f->failed, core->n, what, why);
}

/* ---- next ---- */

void pottery__nextid_run_start(pottery_nextid_run *run, const pottery_nextid_core *core)
{
    memset(run, 0, sizeof *run);
    /* The steady state: propose straight away; only a refusal costs a read. It is not one
     * of the num_tries attempts, so contention gets as many full tries as with pottery. */
    run->propose = core->known;
}

int pottery__nextid_run_request(pottery_cmd *cmd, const pottery_script **script, pottery_fanout *f,
                                pottery_nextid_run *run, pottery_nextid_core *core)
{
    pottery_nextid_votes *v = &run->votes;
    memset(v, 0, sizeof *v);
    v->key = core->key;
    f->quorum = core->quorum;
    f->ctx = v;
    f->timeout_ms = POTTERY_FOREVER;
    if (run->propose) {
        if (core->floor == INT64_MAX)
            return pottery__error(POTTERY_ERANGE, "%s: the sequence reached INT64_MAX", core->key);
        snprintf(run->proposal, sizeof run->proposal, "%" PRId64, core->floor + 1);
        v->proposal = run->proposal;
        f->check = check_propose;
        run->reading = 0;
        *script = &pottery__lua_nextid_propose;
        pottery__cmd_cstr(cmd, core->key);
        pottery__cmd_cstr(cmd, run->proposal);
        return 1;
    }
    if (run->tries >= core->num_tries) return 0;
    run->tries++;
    f->check = check_read;
    run->reading = 1;
    *script = NULL;
    pottery__cmd_cstr(cmd, "GET");
    pottery__cmd_cstr(cmd, core->key);
    return 1;
}

int pottery__nextid_run_judge(int64_t *id, pottery_nextid_run *run, pottery_nextid_core *core, const pottery_fanout *f)
{
    const pottery_nextid_votes *v = &run->votes;
    if (run->reading) {
        /* The quorum read: on a quorum, floor rises to their max and a proposal follows. */
        if (f->yes < core->quorum) return check_impossible(core, f, "read");
        if (!core->known || v->max > core->floor) core->floor = v->max;
        core->known = 1;
        run->propose = 1;
        return 0;
    }
    if (f->yes >= core->quorum) {
        core->floor++;
        core->known = 1;
        *id = core->floor;
        return 1;
    }
    if (v->any && v->max > core->floor) core->floor = v->max; /* what the refusals said */
    run->propose = 0;
    return check_impossible(core, f, "compare-and-set");
}

int pottery__nextid_run_exhausted(const pottery_nextid_run *run, const pottery_nextid_core *core,
                                  const pottery_fanout *f)
{
    char why[POTTERY_ERROR_MESSAGE_MAX];
    pottery__fanout_describe(why, sizeof why, f);
    return pottery__error(POTTERY_EQUORUM, "quorum not achieved on %s after %d %s (last %s: %s)", core->key,
                          core->num_tries, core->num_tries == 1 ? "try" : "tries",
                          run->reading ? "read" : "compare-and-set", why);
}

/* ---- reset ---- */

void pottery__nextid_reset_request(pottery_cmd *cmd, pottery_fanout *f, pottery_nextid_core *core)
{
    f->quorum = 0; /* wait for every master */
    f->check = NULL;
    f->ctx = NULL;
    f->timeout_ms = POTTERY_FOREVER;
    pottery__cmd_cstr(cmd, "DEL");
    pottery__cmd_cstr(cmd, core->key);
    core->known = 0;
    core->floor = 0;
}

int pottery__nextid_reset_judge(const pottery_nextid_core *core, const pottery_fanout *f)
{
    if (f->yes >= core->n) return 0;
    int rc = check_impossible(core, f, "DEL");
    if (rc < 0) return rc;
    char why[POTTERY_ERROR_MESSAGE_MAX];
    pottery__fanout_describe(why, sizeof why, f);
    return pottery__error(POTTERY_EQUORUM, "reset of %s did not reach every master: %s", core->key, why);
}

int pottery__nextid_repr(char **out, const char *class_name, const pottery_nextid_core *core)
{
    size_t size = strlen(class_name) + strlen(core->key) + sizeof "< key=>";
    char *text = pottery__malloc(size);
    if (!text) return pottery__error_oom();
    snprintf(text, size, "<%s key=%s>", class_name, core->key);
    *out = text;
    return 0;
}
