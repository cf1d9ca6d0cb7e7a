/* pottery_set: comparisons and set algebra, with values from memory (pottery_set_<op>) or
 * other sets (pottery_set_<op>_from). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "lua_scripts.h"
#include "set_impl.h"

static const char *const read_verb[] = { "SUNION", "SINTER", "SDIFF", NULL };
static const char *const store_verb[] = { "SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE", "SYMDIFF" };

enum { RANDOM_KEY_TRIES = 3 };

/* Sets one server-side call may combine (same server and database, same Redis Cluster hash
 * slot); anything else is computed on the client side. */
static int colocated(const pottery_set *a, const pottery_set *b)
{
    return pottery__set_colocated(a, b);
}

static int check_operands(pottery_set *const *others, size_t n, const char *fn)
{
    if (n > 0 && !others) return pottery__error(POTTERY_EINVAL, "%s: invalid argument (others)", fn);
    for (size_t i = 0; i < n; i++)
        if (!others[i]) return pottery__error(POTTERY_EINVAL, "%s: others[%zu] is NULL", fn, i);
    return 0;
}

static int check_values(const pottery_value *values, size_t n, const char *fn)
{
    if (n > 0 && !values) return pottery__error(POTTERY_EINVAL, "%s: values is NULL but n is %zu", fn, n);
    return 0;
}

static int all_colocated(pottery_set *s, pottery_set *const *others, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!colocated(s, others[i])) return 0;
    return 1;
}

/* EXEC's results, n counts, into out[0..n). */
static int read_counts(long long *out, const pottery_reply *exec, size_t n)
{
    int rc = pottery__reply_array_n(exec, n, "EXEC");
    for (size_t i = 0; rc == 0 && i < n; i++) rc = pottery__set_read_count(&out[i], pottery__reply_at(exec, i), "EXEC");
    return rc;
}

/* MULTI, the n commands (freed here), EXEC: their counts in out[0..n). One round trip. */
static int multi_counts(long long *out, pottery_set *s, pottery_cmd *cmds, size_t n)
{
    pottery_reply *exec = NULL;
    int rc = pottery__exec_multi(&exec, s->c.client, cmds, n);
    if (rc == 0) rc = read_counts(out, exec, n);
    pottery__reply_free(exec);
    for (size_t i = 0; i < n; i++) pottery__cmd_free(&cmds[i]);
    return rc;
}

/* "<verb> key" on a command to fill further. */
static void begin(pottery_cmd *cmd, const char *verb, const pottery_set *s)
{
    pottery__cmd_init(cmd);
    pottery__cmd_cstr(cmd, verb);
    if (s) pottery__cmd_key(cmd, &s->c);
}

/* Prepare, run and free a staged transaction (set_impl.h); its results stay in t. */
static int staged(set_txn *t, const set_source *given, const char *into, size_t extra)
{
    int rc = pottery__set_txn_prepare(t, given, into, extra);
    if (rc == 0) rc = pottery__set_txn_run(t);
    pottery__set_txn_free(t);
    return rc;
}

/* ---- the tails of staged transactions (set_impl.h): x is the first scratch key ---- */

#define KEYS(...) (const int[]){ __VA_ARGS__ }, sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int)

/* equal: SCARD s, SCARD x, SINTERCARD 2 s x; subset: SCARD s, SINTERCARD 2 s x. UNLINK x. */
static int tail_compare(pottery_cmd *cmd, size_t i, set_txn *t)
{
    size_t step = !t->equal && i >= 1 ? i + 1 : i;
    t->expect[i] = 'n';
    switch (step) {
    case 0: pottery__set_txn_keys(cmd, t, "SCARD", KEYS(0)); return 1;
    case 1: pottery__set_txn_keys(cmd, t, "SCARD", KEYS(1)); return 1;
    case 2:
        pottery__cmd_cstr(cmd, "SINTERCARD");
        pottery__cmd_cstr(cmd, "2");
        pottery__cmd_key(cmd, &t->set->c);
        pottery__cmd_cstr(cmd, t->scratch[0]);
        return 1;
    case 3: return pottery__set_txn_unlink(cmd, i, t);
    default: return 0;
    }
}

/* s <op> x read back: SUNION/SDIFF s x, or SDIFF s x and SDIFF x s. UNLINK x. */
static int tail_read(pottery_cmd *cmd, size_t i, set_txn *t)
{
    size_t reads = t->op == SET_SYMDIFF ? 2 : 1;
    if (i >= reads) return i == reads ? pottery__set_txn_unlink(cmd, i, t) : 0;
    t->expect[i] = 'm';
    if (t->op != SET_SYMDIFF)
        pottery__set_txn_keys(cmd, t, read_verb[t->op], KEYS(0, 1));
    else if (i == 0)
        pottery__set_txn_keys(cmd, t, "SDIFF", KEYS(0, 1));
    else
        pottery__set_txn_keys(cmd, t, "SDIFF", KEYS(1, 0));
    return 1;
}

/* The arguments of set_store_new: the new key, the set, the operands, the op; or, for a
 * result computed here (t->copy), the new key, x, SUNIONSTORE. */
static void push_store_new(pottery_cmd *cmd, const set_txn *t)
{
    pottery__cmd_cstr(cmd, t->new_key);
    if (t->copy) {
        pottery__cmd_cstr(cmd, t->scratch[0]);
        pottery__cmd_cstr(cmd, store_verb[SET_UNION]);
        return;
    }
    pottery__cmd_key(cmd, &t->set->c);
    pottery__set_txn_operands(cmd, t);
    pottery__cmd_cstr(cmd, store_verb[t->op]);
}

/* EVAL set_store_new (inside the MULTI: its text, not its SHA). UNLINK the scratch keys. */
static int tail_new(pottery_cmd *cmd, size_t i, set_txn *t)
{
    if (i > 0) return i == 1 ? pottery__set_txn_unlink(cmd, i, t) : 0;
    pottery__cmd_cstr(cmd, "EVAL");
    pottery__cmd_cstr(cmd, pottery__lua_set_store_new.source);
    pottery__cmd_int(cmd, (long long)(t->copy ? 2 : 2 + t->nlocal + t->nstaged));
    push_store_new(cmd, t);
    t->expect[i] = 'e';
    return 1;
}

/* In place. Union and difference had their sources written into s itself (unless some
 * were copied ahead: then staged in scratch keys): what is left is SUNIONSTORE/SDIFFSTORE
 * s s locals... staged..., if there are any. Intersection: SINTERSTORE s s locals...
 * staged.... Symmetric difference, with y the second scratch key: SDIFFSTORE y x s,
 * SDIFFSTORE s s x, SUNIONSTORE s s y. Then UNLINK. */
static int tail_store(pottery_cmd *cmd, size_t i, set_txn *t)
{
    size_t steps = t->op == SET_SYMDIFF ? 3 : t->op == SET_INTER || t->nlocal + t->nstaged > 0 ? 1 : 0;
    if (i >= steps) return i == steps ? pottery__set_txn_unlink(cmd, i, t) : 0;
    t->expect[i] = 'n';
    if (t->op != SET_SYMDIFF) {
        pottery__set_txn_keys(cmd, t, store_verb[t->op], KEYS(0, 0));
        pottery__set_txn_operands(cmd, t);
    } else if (i == 0) {
        pottery__set_txn_keys(cmd, t, "SDIFFSTORE", KEYS(2, 1, 0));
    } else if (i == 1) {
        pottery__set_txn_keys(cmd, t, "SDIFFSTORE", KEYS(0, 0, 1));
    } else {
        pottery__set_txn_keys(cmd, t, "SUNIONSTORE", KEYS(0, 0, 2));
    }
    return 1;
}

/* ---- comparisons ---- */

/* a <= b; the commands go to a's client. */
static int subset(int *out, pottery_set *a, pottery_set *b)
{
    if (colocated(a, b)) {
        /* |a & b| == |a|, atomically, in one round trip. */
        pottery_cmd cmds[2];
        long long n[2];
        begin(&cmds[0], "SCARD", a);
        begin(&cmds[1], "SINTERCARD", NULL);
        pottery__cmd_cstr(&cmds[1], "2");
        pottery__cmd_key(&cmds[1], &a->c);
        pottery__cmd_key(&cmds[1], &b->c);
        int rc = multi_counts(n, a, cmds, 2);
        if (rc == 0) *out = n[0] == n[1];
        return rc;
    }
    int64_t na = 0, nb = 0;
    int rc = pottery__set_scard_both(&na, &nb, a, b);
    if (rc < 0) return rc;
    if (na > nb) {
        *out = 0;
        return 0;
    }
    return pottery__set_scan_all(out, a, b, 1);
}

int pottery_set_equal_from(int *out, pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    POTTERY_CHECK_ARG(other);
    int same = colocated(set, other);
    if (set == other || (same && strcmp(set->c.key, other->c.key) == 0)) {
        *out = 1;
        return 0;
    }
    if (same) {
        pottery_cmd cmds[3];
        long long n[3]; /* |set|, |other|, |set & other| */
        begin(&cmds[0], "SCARD", set);
        begin(&cmds[1], "SCARD", other);
        begin(&cmds[2], "SINTERCARD", NULL);
        pottery__cmd_cstr(&cmds[2], "2");
        pottery__cmd_key(&cmds[2], &set->c);
        pottery__cmd_key(&cmds[2], &other->c);
        int rc = multi_counts(n, set, cmds, 3);
        if (rc == 0) *out = n[0] == n[1] && n[2] == n[0];
        return rc;
    }
    int64_t a = 0, b = 0;
    int rc = pottery__set_scard_both(&a, &b, set, other);
    if (rc < 0) return rc;
    if (a != b) {
        *out = 0;
        return 0;
    }
    return pottery__set_scan_all(out, set, other, 1);
}

int pottery_set_isdisjoint_from(int *out, pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    POTTERY_CHECK_ARG(other);
    if (colocated(set, other)) {
        pottery_cmd cmd;
        begin(&cmd, "SINTERCARD", NULL);
        pottery__cmd_cstr(&cmd, "2");
        pottery__cmd_key(&cmd, &set->c);
        pottery__cmd_key(&cmd, &other->c);
        pottery__cmd_cstr(&cmd, "LIMIT");
        pottery__cmd_cstr(&cmd, "1");
        long long both = 0;
        int rc = pottery__exec_int(&both, set->c.client, &cmd, 0, LLONG_MAX, "SINTERCARD");
        if (rc == 0) *out = both == 0;
        return rc;
    }
    /* Scan the smaller one, probe the other. */
    int64_t a = 0, b = 0;
    int rc = pottery__set_scard_both(&a, &b, set, other);
    if (rc < 0) return rc;
    return a <= b ? pottery__set_scan_all(out, set, other, 0) : pottery__set_scan_all(out, other, set, 0);
}

int pottery_set_issubset_from(int *out, pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    POTTERY_CHECK_ARG(other);
    return subset(out, set, other);
}

int pottery_set_issuperset_from(int *out, pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(set);
    POTTERY_CHECK_ARG(other);
    if (colocated(set, other)) {
        /* Same as other <= set, but sent on this set's client. */
        pottery_set view = *other;
        view.c.client = set->c.client;
        return subset(out, &view, set);
    }
    return subset(out, other, set);
}

/* Which of the values are members: *answers (the caller's, pottery__free) gets n ints,
 * 1 or 0 (0 for a value that cannot be encoded). One SMISMEMBER round trip; none for n == 0. */
static int members_among(int **answers, pottery_set *s, const pottery_value *values, size_t n, const char *fn)
{
    *answers = NULL;
    int rc = check_values(values, n, fn);
    if (rc < 0) return rc;
    *answers = pottery__calloc(n + 1, sizeof **answers);
    if (!*answers) return pottery__error_oom();
    return pottery_set_contains_many(*answers, s, values, n);
}

/* Every value is (want 1) / none is (want 0) a member. */
static int all_values(int *out, pottery_set *s, const pottery_value *values, size_t n, int want, const char *fn)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(s);
    int *in = NULL;
    int rc = members_among(&in, s, values, n, fn);
    if (rc == 0) {
        size_t i = 0;
        while (i < n && in[i] == want) i++;
        *out = i == n;
    }
    pottery__free(in);
    return rc;
}

/* s == set(values) (equal) or s <= set(values): the values go into a temporary key x,
 * compared there with SCARD and SINTERCARD in the same MULTI/EXEC. */
static int compare_values(int *out, pottery_set *s, const pottery_value *values, size_t n, int equal, const char *fn)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(s);
    int rc = check_values(values, n, fn);
    if (rc < 0) return rc;
    /* equal: a value that cannot be encoded is in no set, so not equal: stop at once */
    set_txn t = { .set = s, .equal = equal, .tail = tail_compare, .skip_unencodable = !equal };
    set_source given = { .values = values, .n = n };
    rc = staged(&t, &given, NULL, 0);
    if (rc == POTTERY_ETYPE && equal) {
        *out = 0;
        return 0;
    }
    if (rc == 0) *out = equal ? t.counts[0] == t.counts[1] && t.counts[2] == t.counts[0] : t.counts[0] == t.counts[1];
    return rc;
}

int pottery_set_equal(int *out, pottery_set *set, const pottery_value *values, size_t n)
{
    return compare_values(out, set, values, n, 1, __func__);
}

int pottery_set_isdisjoint(int *out, pottery_set *set, const pottery_value *values, size_t n)
{
    return all_values(out, set, values, n, 0, __func__);
}

int pottery_set_issubset(int *out, pottery_set *set, const pottery_value *values, size_t n)
{
    return compare_values(out, set, values, n, 0, __func__);
}

int pottery_set_issuperset(int *out, pottery_set *set, const pottery_value *values, size_t n)
{
    return all_values(out, set, values, n, 1, __func__);
}

/* ---- set algebra: results as JSON text ---- */

/* Keep (want 1) or drop (want 0) the members of r that are in f (not colocated with the
 * set), probing in batches. */
static int filter_members(set_members *r, pottery_set *f, int want)
{
    size_t w = 0;
    unsigned char answers[SET_CHUNK];
    int rc = 0;
    for (size_t from = 0; from < r->n; from += SET_CHUNK) {
        size_t cnt = r->n - from > SET_CHUNK ? SET_CHUNK : r->n - from;
        rc = pottery__set_probe(answers, f, r->v + from, cnt);
        if (rc < 0) {
            /* Keep the vector whole (and free-able): move the unprobed tail down. */
            memmove(r->v + w, r->v + from, (r->n - from) * sizeof *r->v);
            r->n = w + (r->n - from);
            return rc;
        }
        for (size_t i = 0; i < cnt; i++) {
            if (answers[i] == want)
                r->v[w++] = r->v[from + i];
            else
                pottery__free(r->v[from + i].p);
        }
    }
    r->n = w;
    return rc;
}

static int collect_batch(void *ctx, const set_member *items, size_t n)
{
    set_members *m = ctx;
    for (size_t i = 0; i < n; i++) {
        int rc = pottery__set_members_push(m, items[i].p, items[i].len);
        if (rc < 0) return rc;
    }
    return 0;
}

/* Run "<verb> key others..." on s's client for the operands colocated with s. */
static int local_read(set_members *r, const char *verb, pottery_set *s, pottery_set *const *others, size_t n)
{
    pottery_cmd cmd;
    begin(&cmd, verb, s);
    for (size_t i = 0; i < n; i++)
        if (colocated(s, others[i])) pottery__cmd_key(&cmd, &others[i]->c);
    pottery_reply *reply = NULL;
    int rc = pottery__exec(&reply, s->c.client, &cmd);
    if (rc == 0) rc = pottery__set_members_load(r, reply, verb);
    pottery__reply_free(reply);
    pottery__cmd_free(&cmd);
    return rc;
}

/* s ^ o, o not colocated with s: s read whole, o scanned, merged here. */
static int symdiff_across(set_members *r, pottery_set *s, pottery_set *o)
{
    set_members a = SET_MEMBERS_INIT, b = SET_MEMBERS_INIT;
    int rc = local_read(&a, "SMEMBERS", s, NULL, 0);
    if (rc == 0) rc = pottery__set_scan_batches(o, collect_batch, &b);
    if (rc == 0) {
        pottery__set_members_sort_unique(&a);
        pottery__set_members_sort_unique(&b);
        size_t i = 0, j = 0;
        while (rc == 0 && (i < a.n || j < b.n)) {
            int c = i == a.n ? 1 : j == b.n ? -1 : pottery__set_member_cmp(&a.v[i], &b.v[j]);
            if (c < 0)
                rc = pottery__set_members_push(r, a.v[i].p, a.v[i].len), i++;
            else if (c > 0)
                rc = pottery__set_members_push(r, b.v[j].p, b.v[j].len), j++;
            else
                i++, j++;
        }
    }
    pottery__set_members_free(&a);
    pottery__set_members_free(&b);
    return rc;
}

/* The raw members of s <op> others, read or computed here. */
static int compute(set_members *r, set_op op, pottery_set *s, pottery_set *const *others, size_t n)
{
    if (op == SET_SYMDIFF && !colocated(s, others[0])) return symdiff_across(r, s, others[0]);
    if (op == SET_SYMDIFF) {
        pottery_cmd cmds[2];
        for (int i = 0; i < 2; i++) {
            begin(&cmds[i], "SDIFF", i == 0 ? s : others[0]);
            pottery__cmd_key(&cmds[i], i == 0 ? &others[0]->c : &s->c);
        }
        pottery_reply *exec = NULL;
        int rc = pottery__exec_multi(&exec, s->c.client, cmds, 2);
        if (rc == 0) rc = pottery__set_members_load(r, pottery__reply_at(exec, 0), "SDIFF");
        if (rc == 0) rc = pottery__set_members_load(r, pottery__reply_at(exec, 1), "SDIFF");
        pottery__reply_free(exec);
        for (int i = 0; i < 2; i++) pottery__cmd_free(&cmds[i]);
        return rc;
    }
    int rc = local_read(r, read_verb[op], s, others, n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pottery_set *f = others[i];
        if (colocated(s, f)) continue;
        if (op == SET_UNION)
            rc = pottery__set_scan_batches(f, collect_batch, r);
        else if (r->n > 0)
            rc = filter_members(r, f, op == SET_INTER);
    }
    return rc;
}

static int algebra_json_from(char **out, size_t *out_len, set_op op, pottery_set *s, pottery_set *const *others,
                             size_t n, const char *fn)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(s);
    int rc = check_operands(others, n, fn);
    if (rc < 0) return rc;
    set_members r = SET_MEMBERS_INIT;
    rc = compute(&r, op, s, others, n);
    if (rc == 0) rc = pottery__set_members_json(out, out_len, &r);
    pottery__set_members_free(&r);
    return rc;
}

/* s <op> set(values). Intersection: the values that are members (one SMISMEMBER); the
 * others: the values go into a temporary key, read back combined with s. */
static int algebra_json(char **out, size_t *out_len, set_op op, pottery_set *s, const pottery_value *values, size_t n,
                        const char *fn)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(s);
    int rc = check_values(values, n, fn);
    if (rc < 0) return rc;
    set_members r = SET_MEMBERS_INIT;
    if (op == SET_INTER) {
        int *in = NULL;
        pottery_buf b = POTTERY_BUF_INIT;
        rc = members_among(&in, s, values, n, fn);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            if (!in[i]) continue;
            pottery__buf_clear(&b);
            rc = pottery__encode(&b, &values[i]);
            if (rc == 0) rc = pottery__set_members_push(&r, b.data, b.len);
        }
        pottery__buf_free(&b);
        pottery__free(in);
    } else {
        set_txn t = { .set = s, .op = op, .tail = tail_read, .skip_unencodable = op == SET_DIFF, .result = &r };
        set_source given = { .values = values, .n = n };
        rc = staged(&t, &given, NULL, 0);
    }
    if (rc == 0) rc = pottery__set_members_json(out, out_len, &r);
    pottery__set_members_free(&r);
    return rc;
}

int pottery_set_union(char **out, size_t *out_len, pottery_set *set, const pottery_value *values, size_t n)
{
    return algebra_json(out, out_len, SET_UNION, set, values, n, __func__);
}

int pottery_set_union_from(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_json_from(out, out_len, SET_UNION, set, others, n, __func__);
}

int pottery_set_intersection(char **out, size_t *out_len, pottery_set *set, const pottery_value *values, size_t n)
{
    return algebra_json(out, out_len, SET_INTER, set, values, n, __func__);
}

int pottery_set_intersection_from(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_json_from(out, out_len, SET_INTER, set, others, n, __func__);
}

int pottery_set_difference(char **out, size_t *out_len, pottery_set *set, const pottery_value *values, size_t n)
{
    return algebra_json(out, out_len, SET_DIFF, set, values, n, __func__);
}

int pottery_set_difference_from(char **out, size_t *out_len, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_json_from(out, out_len, SET_DIFF, set, others, n, __func__);
}

int pottery_set_symmetric_difference(char **out, size_t *out_len, pottery_set *set, const pottery_value *values,
                                     size_t n)
{
    return algebra_json(out, out_len, SET_SYMDIFF, set, values, n, __func__);
}

int pottery_set_symmetric_difference_from(char **out, size_t *out_len, pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(other);
    return algebra_json_from(out, out_len, SET_SYMDIFF, set, &other, 1, __func__);
}

/* ---- set algebra: results in new sets ---- */

/* s <op> operands into a new set under a fresh temporary key beside s, from `given`
 * (values from memory) or others. All operands colocated with s: one EVAL. Values, and operand sets
 * elsewhere for union and symmetric difference: staged into temporary keys in the MULTI
 * that runs the same script. Intersection and difference with sets elsewhere: computed as
 * the plain forms do (probing only what is left), then copied in the MULTI. */
static int algebra_new(pottery_set **out, set_op op, pottery_set *s, pottery_set *const *others, size_t n,
                       const set_source *given, const char *fn)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(s);
    int rc = given ? check_values(given->values, given->n, fn) : check_operands(others, n, fn);
    if (rc < 0) return rc;
    set_members r = SET_MEMBERS_INIT;
    set_source computed = { .n = 0 };
    if (!given && !all_colocated(s, others, n) && (op == SET_INTER || op == SET_DIFF)) {
        rc = compute(&r, op, s, others, n);
        computed.members = r.v;
        computed.n = r.n;
        given = &computed;
    }
    set_txn t = { .set = s, .op = op, .others = others, .n = n, .tail = tail_new, .copy = given == &computed };
    t.skip_unencodable = op == SET_INTER || op == SET_DIFF;
    if (rc == 0) rc = pottery__set_txn_prepare(&t, given, NULL, 0);
    long long written = -1;
    for (int attempt = 0; rc == 0 && written < 0 && attempt < RANDOM_KEY_TRIES; attempt++) {
        pottery__free(t.new_key);
        t.new_key = NULL;
        rc = pottery__temporary_key(&t.new_key, &s->c); /* checked atomically by the script */
        if (rc == 0 && t.nsources == 0) {
            pottery_cmd args;
            pottery_reply *reply = NULL;
            pottery__cmd_init(&args);
            push_store_new(&args, &t);
            rc = pottery__eval(&reply, s->c.client, &pottery__lua_set_store_new, args.argc - 1, &args);
            if (rc == 0) rc = pottery__reply_int_in(&written, reply, -1, LLONG_MAX, pottery__lua_set_store_new.name);
            pottery__reply_free(reply);
            pottery__cmd_free(&args);
        } else if (rc == 0) {
            rc = pottery__set_txn_run(&t);
            written = t.counts[0];
        }
    }
    pottery__set_members_free(&r);
    if (rc == 0 && written < 0)
        rc = pottery__error(POTTERY_ERANDOMKEY, "RandomKeyError: %d random keys were all taken", RANDOM_KEY_TRIES);
    if (rc == 0) {
        pottery_container *c;
        rc = pottery__container_open(&c, sizeof(pottery_set), s->c.client, t.new_key, NULL, NULL);
        if (rc == 0) *out = (pottery_set *)c;
    }
    /* Out of memory once the store may have run (its reply unread, or no handle): the fresh
     * key must not stay behind, since nobody else knows its name. */
    if (rc == POTTERY_ENOMEM && t.new_key) pottery__unlink_if_temporary(s->c.client, t.new_key);
    pottery__set_txn_free(&t);
    return rc;
}

/* The values form of algebra_new. */
static int algebra_new_values(pottery_set **out, set_op op, pottery_set *s, const pottery_value *values, size_t n,
                              const char *fn)
{
    set_source given = { .values = values, .n = n };
    return algebra_new(out, op, s, NULL, 0, &given, fn);
}

int pottery_set_union_new(pottery_set **out, pottery_set *set, const pottery_value *values, size_t n)
{
    return algebra_new_values(out, SET_UNION, set, values, n, __func__);
}

int pottery_set_union_new_from(pottery_set **out, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_new(out, SET_UNION, set, others, n, NULL, __func__);
}

int pottery_set_intersection_new(pottery_set **out, pottery_set *set, const pottery_value *values, size_t n)
{
    return algebra_new_values(out, SET_INTER, set, values, n, __func__);
}

int pottery_set_intersection_new_from(pottery_set **out, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_new(out, SET_INTER, set, others, n, NULL, __func__);
}

int pottery_set_difference_new(pottery_set **out, pottery_set *set, const pottery_value *values, size_t n)
{
    return algebra_new_values(out, SET_DIFF, set, values, n, __func__);
}

int pottery_set_difference_new_from(pottery_set **out, pottery_set *set, pottery_set *const *others, size_t n)
{
    return algebra_new(out, SET_DIFF, set, others, n, NULL, __func__);
}

int pottery_set_symmetric_difference_new(pottery_set **out, pottery_set *set, const pottery_value *values, size_t n)
{
    return algebra_new_values(out, SET_SYMDIFF, set, values, n, __func__);
}

int pottery_set_symmetric_difference_new_from(pottery_set **out, pottery_set *set, pottery_set *other)
{
    if (out) *out = NULL;
    POTTERY_CHECK_ARG(other);
    return algebra_new(out, SET_SYMDIFF, set, &other, 1, NULL, __func__);
}

/* ---- in-place algebra ---- */

/* s <op>= operands, atomically in one transaction on s's server: values (into s itself for
 * union and difference, else into a temporary key), or the operands of others not
 * colocated with s (the same way, or copied ahead: set_impl.h), combined with those
 * colocated with s by tail_store. */
static int store_staged(set_op op, pottery_set *s, pottery_set *const *others, size_t n, const set_source *given)
{
    set_txn t = { .set = s, .op = op, .others = others, .n = n, .tail = tail_store };
    t.skip_unencodable = op == SET_INTER || op == SET_DIFF;
    const char *into = op == SET_UNION ? "SADD" : op == SET_DIFF ? "SREM" : NULL;
    return staged(&t, given, into, op == SET_SYMDIFF);
}

static int store_values(set_op op, pottery_set *s, const pottery_value *values, size_t n, const char *fn)
{
    POTTERY_CHECK_ARG(s);
    int rc = check_values(values, n, fn);
    if (rc < 0 || (n == 0 && op != SET_INTER)) return rc; /* s &= set() empties s */
    set_source given = { .values = values, .n = n };
    return store_staged(op, s, NULL, 0, &given);
}

static int store_from(set_op op, pottery_set *s, pottery_set *const *others, size_t n, const char *fn)
{
    POTTERY_CHECK_ARG(s);
    int rc = check_operands(others, n, fn);
    if (rc < 0 || n == 0) return rc;
    if (!all_colocated(s, others, n)) return store_staged(op, s, others, n, NULL);
    pottery_client *client = s->c.client;
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    if (op == SET_SYMDIFF) {
        pottery__cmd_key(&cmd, &s->c);
        pottery__cmd_key(&cmd, &others[0]->c);
        pottery_reply *r = NULL;
        long long changed;
        rc = pottery__eval(&r, client, &pottery__lua_set_symdiff_update, 2, &cmd);
        if (rc == 0) rc = pottery__set_read_count(&changed, r, pottery__lua_set_symdiff_update.name);
        pottery__reply_free(r);
        pottery__cmd_free(&cmd);
        return rc;
    }
    /* SUNIONSTORE / SINTERSTORE / SDIFFSTORE s s others...: atomic, one round trip. */
    pottery__cmd_cstr(&cmd, store_verb[op]);
    pottery__cmd_key(&cmd, &s->c);
    pottery__cmd_key(&cmd, &s->c);
    for (size_t i = 0; i < n; i++) pottery__cmd_key(&cmd, &others[i]->c);
    return pottery__exec_int(NULL, client, &cmd, 0, LLONG_MAX, store_verb[op]);
}

int pottery_set_update(pottery_set *set, const pottery_value *values, size_t n)
{
    return store_values(SET_UNION, set, values, n, __func__);
}

int pottery_set_update_from(pottery_set *set, pottery_set *const *others, size_t n)
{
    return store_from(SET_UNION, set, others, n, __func__);
}

int pottery_set_intersection_update(pottery_set *set, const pottery_value *values, size_t n)
{
    return store_values(SET_INTER, set, values, n, __func__);
}

int pottery_set_intersection_update_from(pottery_set *set, pottery_set *const *others, size_t n)
{
    return store_from(SET_INTER, set, others, n, __func__);
}

int pottery_set_difference_update(pottery_set *set, const pottery_value *values, size_t n)
{
    return store_values(SET_DIFF, set, values, n, __func__);
}

int pottery_set_difference_update_from(pottery_set *set, pottery_set *const *others, size_t n)
{
    return store_from(SET_DIFF, set, others, n, __func__);
}

int pottery_set_symmetric_difference_update(pottery_set *set, const pottery_value *values, size_t n)
{
    return store_values(SET_SYMDIFF, set, values, n, __func__);
}

int pottery_set_symmetric_difference_update_from(pottery_set *set, pottery_set *other)
{
    POTTERY_CHECK_ARG(other);
    return store_from(SET_SYMDIFF, set, &other, 1, __func__);
}
