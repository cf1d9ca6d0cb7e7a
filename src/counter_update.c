/* pottery_counter: adding counts (update, subtract, initial counts) with the Lua scripts
 * src/lua/counter_*.lua.
 *
 * Redis' Lua numbers are doubles, which cannot hold every int64, so counts travel as text
 * and the scripts do exact arithmetic on pairs (h, l) with value = h * 10^9 + l, 0 <= l <
 * 10^9 (src/lua/include/counter_*.lua). A stored count is parsed with Redis' own integer
 * rules (what HINCRBY accepts, int64 range; a sum in progress, "loose", may have up to 24
 * digits), exactly as a double up to 15 characters (the fast path); sums may leave the int64 range on the way (only the final
 * count must fit, as Python's unbounded ints would give; beyond |h| = 10^14 a sum could
 * stop being exact, and it is out of range anyway), and everything is checked before the
 * first write, so a failing call writes nothing. Failures come back as arrays:
 * {'decode', key, field, value}, {'range', key, field} or {'exists', key}
 * (pottery__counter_script_result); success as an integer or a count's text.
 *
 * Large updates are a bulk write: MULTI, a counter_stage script per chunk summing it into
 * a staging hash (sums there may be outside int64 for now), counter_commit checking and
 * copying the staging hash into the counter, EXEC. A chunk's failure is recorded in the
 * staging hash (field '' = its kind, ' 2'.. = its details; the fields this library writes
 * are JSON, never empty nor starting with a space), later chunks skip, and the commit
 * reports it without writing. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "counter_impl.h"
#include "lua_scripts.h"

/* Contributions per Lua call. Up to this many, an update is one EVALSHA; above it, chunks
 * of this size are summed by counter_stage scripts inside one MULTI/EXEC with a
 * counter_commit at the end (a bulk write: still one round trip). */
enum { PAIRS_PER_SCRIPT = 10000 };

static size_t contrib_len(const pottery_counter_contrib *k)
{
    return k->nkeys + k->nitems + (k->from ? k->from->count : 0);
}

/* Push the i-th contribution as field, count. Returns cmd->err (the first build error). */
static int contrib_push(pottery_cmd *cmd, const pottery_counter_contrib *k, size_t i, pottery_buf *scratch)
{
    if (i < k->nkeys) {
        pottery__cmd_value(cmd, &k->keys[i]);
        pottery__cmd_arg(cmd, "1", 1);
        return cmd->err;
    }
    i -= k->nkeys;
    if (i < k->nitems) {
        pottery__cmd_value(cmd, &k->items[i].key);
        pottery__cmd_int(cmd, k->items[i].count);
        return cmd->err;
    }
    i -= k->nitems;
    pottery__buf_clear(scratch);
    int rc = pottery__json_write(scratch, k->from->entries[i].key);
    if (rc < 0) {
        if (!cmd->err) cmd->err = rc;
        return rc;
    }
    pottery__cmd_copy(cmd, scratch->data, scratch->len);
    pottery__cmd_int(cmd, pottery__counter_count_at(k->from, i));
    return cmd->err;
}

/* Push contributions [from, to) onto cmd. Returns cmd->err. */
static int contrib_push_range(pottery_cmd *cmd, const pottery_counter_contrib *k, size_t from, size_t to,
                              pottery_buf *scratch)
{
    for (size_t i = from; cmd->err == 0 && i < to; i++) contrib_push(cmd, k, i, scratch);
    return cmd->err;
}

/* ---- counter_update's arguments: the contributions in the layout the server reads best ---- */

static int64_t contrib_count(const pottery_counter_contrib *k, size_t i)
{
    if (i < k->nkeys) return 1;
    i -= k->nkeys;
    if (i < k->nitems) return k->items[i].count;
    return pottery__counter_count_at(k->from, i - k->nitems);
}

static int contrib_encode_field(pottery_buf *b, const pottery_counter_contrib *k, size_t i)
{
    if (i < k->nkeys) return pottery__encode(b, &k->keys[i]);
    i -= k->nkeys;
    if (i < k->nitems) return pottery__encode(b, &k->items[i].key);
    return pottery__json_write(b, k->from->entries[i - k->nitems].key);
}

/* Every field's JSON, one after another: field i is text.data[start(i), ends[i]). */
typedef struct encoded_fields {
    pottery_buf text;
    size_t *ends;
    size_t n;
} encoded_fields;

static size_t field_start(const encoded_fields *e, size_t i)
{
    return i ? e->ends[i - 1] : 0;
}

static int fields_encode(encoded_fields *e, const pottery_counter_contrib *k, size_t n)
{
    e->ends = pottery__malloc(n * sizeof *e->ends);
    if (!e->ends) return pottery__error_oom();
    for (size_t i = 0; i < n; i++) {
        int rc = contrib_encode_field(&e->text, k, i);
        if (rc < 0) return rc;
        e->ends[i] = e->text.len;
    }
    e->n = n;
    return 0;
}

/* *repeats = 1 when a field occurs twice (FNV-1a into an open-addressing table). */
static int fields_repeat(int *repeats, const encoded_fields *e)
{
    size_t cap = 16;
    while (cap < 2 * e->n) cap *= 2;
    size_t *slot = pottery__calloc(cap, sizeof *slot); /* index + 1; 0 is free */
    if (!slot) return pottery__error_oom();
    *repeats = 0;
    for (size_t i = 0; i < e->n && !*repeats; i++) {
        const char *f = e->text.data + field_start(e, i);
        size_t len = e->ends[i] - field_start(e, i);
        uint64_t h = 14695981039346656037ULL;
        for (size_t b = 0; b < len; b++) h = (h ^ (unsigned char)f[b]) * 1099511628211ULL;
        size_t at = (size_t)h & (cap - 1);
        for (; slot[at]; at = (at + 1) & (cap - 1)) {
            size_t j = slot[at] - 1;
            if (e->ends[j] - field_start(e, j) == len && memcmp(e->text.data + field_start(e, j), f, len) == 0) {
                *repeats = 1;
                break;
            }
        }
        slot[at] = i + 1;
    }
    pottery__free(slot);
    return 0;
}

/* Push the layout and the contributions (see src/lua/counter_update.lua): 'e' when every
 * count is the same and no field repeats, 'd' when no field repeats, else 'p'. The fields
 * are borrowed from e, which must outlive the command. */
static int push_update(pottery_cmd *cmd, encoded_fields *e, const pottery_counter_contrib *k)
{
    size_t n = contrib_len(k);
    int repeats = 0, rc = fields_encode(e, k, n);
    if (rc == 0) rc = fields_repeat(&repeats, e);
    if (rc < 0) return rc;
    int64_t count = contrib_count(k, 0);
    int same = !repeats;
    for (size_t i = 1; same && i < n; i++) same = contrib_count(k, i) == count;
    pottery__cmd_cstr(cmd, repeats ? "p" : same ? "e" : "d");
    if (same) pottery__cmd_int(cmd, count);
    for (size_t i = 0; i < n; i++) {
        pottery__cmd_arg(cmd, e->text.data + field_start(e, i), e->ends[i] - field_start(e, i));
        if (repeats) pottery__cmd_int(cmd, contrib_count(k, i));
    }
    for (size_t i = 0; !repeats && !same && i < n; i++) pottery__cmd_int(cmd, contrib_count(k, i));
    return cmd->err;
}

/* Run a counter script with its arguments pushed on args, then read its verdict:
 * counter_update answers a count (into *first, which may be NULL), the others an integer. */
static int run_script(int64_t *first, pottery_counter *ctr, const pottery_script *s, size_t nkeys, pottery_cmd *args)
{
    pottery_reply *r = NULL;
    int rc = pottery__eval(&r, ctr->c.client, s, nkeys, args);
    pottery_reply_type ok = s == &pottery__lua_counter_update ? POTTERY_REPLY_STRING : POTTERY_REPLY_INTEGER;
    if (rc == 0) rc = pottery__counter_script_result(r, ok, first, s->name);
    pottery__reply_free(r);
    return rc;
}

/* A script on the counter alone: ARGV = flag, then k's field, count pairs. Nothing is sent
 * when a contribution cannot be encoded. */
int pottery__counter_script_with(pottery_counter *ctr, const pottery_script *s, const char *flag,
                                 const pottery_counter_contrib *k)
{
    pottery_cmd args;
    pottery_buf scratch = POTTERY_BUF_INIT;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &ctr->c);
    pottery__cmd_cstr(&args, flag);
    int rc = contrib_push_range(&args, k, 0, contrib_len(k), &scratch);
    if (rc == 0) rc = run_script(NULL, ctr, s, 1, &args);
    pottery__buf_free(&scratch);
    pottery__cmd_free(&args);
    return rc;
}

int pottery__counter_script_with_other(pottery_counter *ctr, pottery_counter *other, const pottery_script *s,
                                       const char *flag)
{
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &ctr->c);
    pottery__cmd_key(&args, &other->c);
    pottery__cmd_cstr(&args, flag);
    int rc = run_script(NULL, ctr, s, 2, &args);
    pottery__cmd_free(&args);
    return rc;
}

/* ---- more than PAIRS_PER_SCRIPT contributions: a staged bulk write ---- */

/* The bulk write's state: a counter_stage script per chunk, then the counter_commit. */
typedef struct staged {
    pottery_counter *ctr;
    const char *mode, *sign;
    const pottery_counter_contrib *k;
    char *stage;    /* the staging hash, beside the counter (owned) */
    size_t n, next; /* contributions, the first one not sent yet */
    size_t nstages; /* chunks */
    int committed;  /* the commit was built */
    pottery_buf scratch;
} staged;

/* "EVAL <script> 2 <counter> <stage> <mode>": inside MULTI a NOSCRIPT could not be retried,
 * so the text is sent (the server caches it by its SHA-1 all the same). */
static void push_eval(pottery_cmd *cmd, const pottery_script *s, const staged *st)
{
    pottery__cmd_cstr(cmd, "EVAL");
    pottery__cmd_cstr(cmd, s->source);
    pottery__cmd_cstr(cmd, "2");
    pottery__cmd_key(cmd, &st->ctr->c);
    pottery__cmd_cstr(cmd, st->stage);
    pottery__cmd_cstr(cmd, st->mode);
}

/* The next chunk's staging script, then the commit. A contribution that cannot be encoded
 * abandons the write: before anything is sent if it is in the first chunks, else EXEC
 * becomes DISCARD. */
static int next_staged(pottery_cmd *cmd, void *ctx)
{
    staged *st = ctx;
    if (st->next < st->n) {
        size_t to = st->n - st->next > PAIRS_PER_SCRIPT ? st->next + PAIRS_PER_SCRIPT : st->n;
        push_eval(cmd, &pottery__lua_counter_stage, st);
        pottery__cmd_cstr(cmd, st->sign);
        int rc = contrib_push_range(cmd, st->k, st->next, to, &st->scratch);
        st->next = to;
        return rc < 0 ? rc : 1;
    }
    if (st->committed) return 0;
    st->committed = 1;
    push_eval(cmd, &pottery__lua_counter_commit, st);
    return 1;
}

/* Each staging script answers 0 or 1; the commit's verdict is the call's. */
static int check_staged(const pottery_reply *r, size_t i, void *ctx)
{
    const staged *st = ctx;
    if (i < st->nstages) {
        long long done;
        return pottery__reply_int_in(&done, r, 0, 1, pottery__lua_counter_stage.name);
    }
    return pottery__counter_script_result(r, POTTERY_REPLY_INTEGER, NULL, pottery__lua_counter_commit.name);
}

static int run_staged(pottery_counter *ctr, const char *mode, const char *sign, const pottery_counter_contrib *k)
{
    staged st = { ctr, mode, sign, k, NULL, contrib_len(k), 0, 0, 0, POTTERY_BUF_INIT };
    st.nstages = (st.n + PAIRS_PER_SCRIPT - 1) / PAIRS_PER_SCRIPT;
    int rc = pottery__temporary_key(&st.stage, &ctr->c);
    if (rc == 0) {
        pottery_bulk b = { ctr->c.client, next_staged, check_staged, &st };
        rc = pottery__bulk_write(&b);
    }
    pottery__free(st.stage);
    pottery__buf_free(&st.scratch);
    return rc;
}

/* Up to PAIRS_PER_SCRIPT contributions: one counter_update script. */
static int run_update(int64_t *first, pottery_counter *ctr, const char *mode, const char *sign,
                      const pottery_counter_contrib *k)
{
    pottery_cmd args;
    encoded_fields e = { POTTERY_BUF_INIT, NULL, 0 };
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &ctr->c);
    pottery__cmd_cstr(&args, mode);
    pottery__cmd_cstr(&args, sign);
    int rc = push_update(&args, &e, k);
    if (rc == 0) rc = run_script(first, ctr, &pottery__lua_counter_update, 1, &args);
    pottery__cmd_free(&args);
    pottery__buf_free(&e.text);
    pottery__free(e.ends);
    return rc;
}

int pottery__counter_add(int64_t *first, pottery_counter *ctr, const char *mode, const char *sign,
                         const pottery_counter_contrib *k)
{
    size_t n = contrib_len(k);
    if (n == 0) return 0;
    if (n <= PAIRS_PER_SCRIPT) return run_update(first, ctr, mode, sign, k);
    return run_staged(ctr, mode, sign, k);
}

/* ---- update and subtract ---- */

/* EINVAL naming the public function and its argument, as POTTERY_CHECK_ARG words it. */
static int invalid(const char *func, const char *arg)
{
    return pottery__error(POTTERY_EINVAL, "%s: invalid argument (%s)", func, arg);
}

/* update/subtract from memory: pairs, or keys counting 1 each (exactly one is not NULL
 * unless n is 0). */
static int add_from_memory(const char *func, pottery_counter *counter, const char *sign,
                           const pottery_counter_pair *items, const pottery_value *keys, size_t n)
{
    if (!counter) return invalid(func, "counter");
    if (n == 0) return 0;
    if (!items && !keys) return invalid(func, "a NULL array with n > 0");
    pottery_counter_contrib k = { keys, keys ? n : 0, items, items ? n : 0, NULL };
    return pottery__counter_add(NULL, counter, "u", sign, &k);
}

int pottery_counter_update(pottery_counter *counter, const pottery_counter_pair *items, size_t n)
{
    return add_from_memory(__func__, counter, "+", items, NULL, n);
}

int pottery_counter_subtract(pottery_counter *counter, const pottery_counter_pair *items, size_t n)
{
    return add_from_memory(__func__, counter, "-", items, NULL, n);
}

int pottery_counter_update_keys(pottery_counter *counter, const pottery_value *keys, size_t n)
{
    return add_from_memory(__func__, counter, "+", NULL, keys, n);
}

int pottery_counter_subtract_keys(pottery_counter *counter, const pottery_value *keys, size_t n)
{
    return add_from_memory(__func__, counter, "-", NULL, keys, n);
}

/* update/subtract from another counter: one script on the same server; otherwise read it,
 * then write as one atomic update. */
static int add_from(const char *func, pottery_counter *counter, pottery_counter *other, const char *sign)
{
    if (!counter) return invalid(func, "counter");
    if (!other) return invalid(func, "other");
    if (pottery__containers_colocated(&counter->c, &other->c))
        return pottery__counter_script_with_other(counter, other, &pottery__lua_counter_update_from, sign);
    pottery_hash_snapshot theirs = POTTERY_HASH_SNAPSHOT_INIT;
    int rc = pottery__counter_read(&theirs, other);
    if (rc == 0) {
        pottery_counter_contrib k = { NULL, 0, NULL, 0, &theirs };
        rc = pottery__counter_add(NULL, counter, "u", sign, &k);
    }
    pottery__hash_snapshot_free(&theirs);
    return rc;
}

int pottery_counter_update_from(pottery_counter *counter, pottery_counter *other)
{
    return add_from(__func__, counter, other, "+");
}

int pottery_counter_subtract_from(pottery_counter *counter, pottery_counter *other)
{
    return add_from(__func__, counter, other, "-");
}
