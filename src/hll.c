/* pottery_hll: HyperLogLog on a Redis HLL string (elements added as their JSON text);
 * membership by copy and probe in one script (lua/hll_contains.lua). */
#include <string.h>

#include "container.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/random.h"
#include "lua_scripts.h"
#include "pottery/hll.h"

struct pottery_hll {
    pottery_container c;
    char *scratch; /* contains' scratch key, made at open: it exists only inside a script */
};

/* Elements per PFADD of a bulk write: an update of up to this many is a single command. */
enum { HLL_CHUNK = 10000 };

/* ---- adding elements and merging ---- */

/* An update as a bulk write: one PFADD per HLL_CHUNK elements. */
typedef struct pfadd_chunks {
    const pottery_container *c;
    const pottery_value *elements;
    size_t n, next;
} pfadd_chunks;

static int next_pfadd(pottery_cmd *cmd, void *ctx)
{
    pfadd_chunks *p = ctx;
    if (p->next == p->n) return 0;
    size_t to = p->n - p->next > HLL_CHUNK ? p->next + HLL_CHUNK : p->n;
    pottery__cmd_cstr(cmd, "PFADD");
    pottery__cmd_key(cmd, p->c);
    for (; p->next < to; p->next++) pottery__cmd_value(cmd, &p->elements[p->next]);
    return 1;
}

static int check_pfadd(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    (void)ctx;
    long long changed;
    return pottery__reply_int_in(&changed, r, 0, 1, "PFADD");
}

static int add_elements(const pottery_container *c, const pottery_value *elements, size_t n)
{
    if (n == 0) return 0;
    pfadd_chunks p = { c, elements, n, 0 };
    pottery_bulk b = { c->client, next_pfadd, check_pfadd, &p };
    return pottery__bulk_write(&b);
}

/* What to do instead of a merge across Redis Cluster hash slots. */
static const char *const ADD_INSTEAD = "add the other's elements with pottery_hll_update";

/* Every other handle is on hll's server and database, and on a Redis Cluster in hll's hash
 * slot (PFMERGE reads them there, in one call). */
static int check_others(const pottery_hll *hll, pottery_hll *const *others, size_t n, const char *fn)
{
    if (n > 0 && !others) return pottery__error(POTTERY_EINVAL, "%s: others is NULL but nothers is %zu", fn, n);
    for (size_t i = 0; i < n; i++) {
        if (!others[i]) return pottery__error(POTTERY_EINVAL, "%s: others[%zu] is NULL", fn, i);
        if (!pottery__client_same_server(hll->c.client, others[i]->c.client))
            return pottery__error(POTTERY_EINVAL,
                                  "%s: others[%zu] ('%s') is on another server or database than '%s': "
                                  "HyperLogLogs are merged on the server, so open it on the same server and "
                                  "database (or add its elements with pottery_hll_update)",
                                  fn, i, others[i]->c.key, hll->c.key);
        int rc = pottery__containers_need_slot(&hll->c, &others[i]->c, fn, ADD_INSTEAD);
        if (rc < 0) return rc;
    }
    return 0;
}

/* PFMERGE dest [source] others... into cmd. */
static void push_merge(pottery_cmd *cmd, const pottery_container *dest, const pottery_container *source,
                       pottery_hll *const *others, size_t n)
{
    pottery__cmd_cstr(cmd, "PFMERGE");
    pottery__cmd_key(cmd, dest);
    if (source) pottery__cmd_key(cmd, source);
    for (size_t i = 0; i < n; i++) pottery__cmd_key(cmd, &others[i]->c);
}

/* PFMERGE dest sources... others...: one command, atomic (Redis checks every key first). */
static int merge(const pottery_container *dest, const pottery_container *source, pottery_hll *const *others, size_t n)
{
    pottery_cmd cmd;
    pottery_reply *r = NULL;
    pottery__cmd_init(&cmd);
    push_merge(&cmd, dest, source, others, n);
    int rc = pottery__exec(&r, dest->client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = pottery__reply_status(r, "OK", "PFMERGE");
    pottery__reply_free(r);
    return rc;
}

/* ---- open / free ---- */

typedef struct initial {
    const pottery_value *elements;
    size_t n;
} initial;

static int write_initial(pottery_container *c, const void *ctx)
{
    const initial *in = ctx;
    return add_elements(c, in->elements, in->n);
}

/* The scratch key of the probes: "{key}:hll-probe:<uuid4>" (pottery__key_beside), one per
 * handle. The script deletes it before it returns, and scripts run one at a time, so the
 * probes of one handle may share it. */
static int scratch_key(char **out, const pottery_container *c)
{
    char suffix[sizeof ":hll-probe:" + 36];
    memcpy(suffix, ":hll-probe:", sizeof ":hll-probe:" - 1);
    int rc = pottery__uuid4(suffix + sizeof ":hll-probe:" - 1);
    return rc < 0 ? rc : pottery__key_beside(out, c->key, c->keylen, suffix);
}

int pottery_hll_open(pottery_hll **out, pottery_client *client, const char *key, const pottery_value *elements,
                     size_t n)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (n > 0 && !elements) return pottery__error(POTTERY_EINVAL, "%s: elements is NULL but n is %zu", __func__, n);
    initial in = { elements, n };
    pottery_container *c;
    int rc = pottery__container_open(&c, sizeof(pottery_hll), client, key, write_initial, &in);
    if (rc < 0) return rc;
    pottery_hll *hll = (pottery_hll *)c;
    rc = scratch_key(&hll->scratch, c);
    if (rc < 0) {
        pottery_error_saved saved;
        pottery__error_save(&saved);
        pottery__container_close(c);
        pottery__error_restore(&saved);
        return rc;
    }
    *out = hll;
    return 0;
}

void pottery_hll_free(pottery_hll *hll)
{
    if (!hll) return;
    pottery__free(hll->scratch);
    pottery__container_close(&hll->c);
}

const char *pottery_hll_key(const pottery_hll *hll)
{
    return hll ? hll->c.key : NULL;
}

pottery_client *pottery_hll_client(const pottery_hll *hll)
{
    return hll ? hll->c.client : NULL;
}

/* ---- writes ---- */

int pottery_hll_add(pottery_hll *hll, pottery_value element)
{
    POTTERY_CHECK_ARG(hll);
    pottery_reply *r = NULL;
    int rc = pottery__container_command(&r, &hll->c, "PFADD", &element);
    long long changed;
    if (rc == 0) rc = pottery__reply_int_in(&changed, r, 0, 1, "PFADD");
    pottery__reply_free(r);
    return rc;
}

int pottery_hll_update(pottery_hll *hll, const pottery_value *elements, size_t n)
{
    POTTERY_CHECK_ARG(hll);
    if (n > 0 && !elements) return pottery__error(POTTERY_EINVAL, "%s: elements is NULL but n is %zu", __func__, n);
    return add_elements(&hll->c, elements, n);
}

int pottery_hll_update_from(pottery_hll *hll, pottery_hll *const *others, size_t nothers)
{
    POTTERY_CHECK_ARG(hll);
    int rc = check_others(hll, others, nothers, __func__);
    if (rc < 0 || nothers == 0) return rc;
    return merge(&hll->c, NULL, others, nothers);
}

/* Both at once, as one bulk write: the PFMERGE first, then the PFADDs. */
typedef struct merge_and_add {
    pfadd_chunks adds;
    pottery_hll *const *others;
    size_t nothers;
    int merged;
} merge_and_add;

static int next_merge_and_add(pottery_cmd *cmd, void *ctx)
{
    merge_and_add *m = ctx;
    if (!m->merged) {
        m->merged = 1;
        push_merge(cmd, m->adds.c, NULL, m->others, m->nothers);
        return 1;
    }
    return next_pfadd(cmd, &m->adds);
}

static int check_merge_and_add(const pottery_reply *r, size_t i, void *ctx)
{
    return i == 0 ? pottery__reply_status(r, "OK", "PFMERGE") : check_pfadd(r, i, ctx);
}

int pottery_hll_update_both(pottery_hll *hll, const pottery_value *elements, size_t n, pottery_hll *const *others,
                            size_t nothers)
{
    POTTERY_CHECK_ARG(hll);
    if (n > 0 && !elements) return pottery__error(POTTERY_EINVAL, "%s: elements is NULL but n is %zu", __func__, n);
    int rc = check_others(hll, others, nothers, __func__);
    if (rc < 0) return rc;
    if (nothers == 0) return add_elements(&hll->c, elements, n); /* no PFMERGE without another HLL */
    merge_and_add m = { { &hll->c, elements, n, 0 }, others, nothers, 0 };
    pottery_bulk b = { hll->c.client, next_merge_and_add, check_merge_and_add, &m };
    return pottery__bulk_write(&b);
}

typedef struct union_ctx {
    const pottery_hll *hll;
    pottery_hll *const *others;
    size_t n;
} union_ctx;

static int write_union(pottery_container *c, const void *ctx)
{
    const union_ctx *u = ctx;
    int rc = pottery__containers_need_slot(&u->hll->c, c, "pottery_hll_union_from",
                                           "pass a key in its slot, or NULL for a temporary one there");
    return rc < 0 ? rc : merge(c, &u->hll->c, u->others, u->n);
}

int pottery_hll_union_from(pottery_hll **out, pottery_hll *hll, pottery_hll *const *others, size_t nothers,
                           const char *key)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(hll);
    int rc = check_others(hll, others, nothers, __func__);
    if (rc < 0) return rc;
    union_ctx u = { hll, others, nothers };
    /* On a Redis Cluster, a temporary key in hll's hash slot (PFMERGE needs one slot). */
    char *beside = NULL;
    if (!key && pottery__container_on_cluster(&hll->c)) {
        rc = pottery__temporary_key(&beside, &hll->c);
        if (rc < 0) return rc;
        key = beside;
    }
    pottery_container *c;
    rc = pottery__container_open(&c, sizeof(pottery_hll), hll->c.client, key, write_union, &u);
    if (rc == 0) *out = (pottery_hll *)c;
    pottery__free(beside);
    return rc;
}

int pottery_hll_clear(pottery_hll *hll)
{
    POTTERY_CHECK_ARG(hll);
    return pottery__container_clear(&hll->c);
}

/* ---- reads ---- */

int pottery_hll_len(int64_t *out, pottery_hll *hll)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(hll);
    return pottery__container_count(out, &hll->c, "PFCOUNT");
}

int pottery_hll_contains_many(int *out, pottery_hll *hll, const pottery_value *elements, size_t n)
{
    POTTERY_CHECK_ARG(hll);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(elements);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &hll->c);
    pottery__cmd_cstr(&args, hll->scratch);
    for (size_t i = 0; i < n && args.err == 0; i++) pottery__cmd_value(&args, &elements[i]);
    pottery_reply *r = NULL;
    /* A value that cannot be encoded left its error in args.err: nothing is sent. */
    int rc = pottery__eval(&r, hll->c.client, &pottery__lua_hll_contains, 2, &args);
    pottery__cmd_free(&args);
    const char *what = "script hll_contains";
    if (rc == 0) rc = pottery__reply_array_n(r, n, what);
    int *answers = rc == 0 ? pottery__calloc(n, sizeof *answers) : NULL;
    if (rc == 0 && !answers) rc = pottery__error_oom();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        long long in = 0;
        rc = pottery__reply_int_in(&in, pottery__reply_at(r, i), 0, 1, what);
        answers[i] = (int)in;
    }
    if (rc == 0) memcpy(out, answers, n * sizeof *out);
    pottery__free(answers);
    pottery__reply_free(r);
    return rc;
}

int pottery_hll_contains(int *out, pottery_hll *hll, pottery_value element)
{
    POTTERY_CHECK_ARG(out);
    return pottery_hll_contains_many(out, hll, &element, 1);
}

int pottery_hll_repr(char **out, pottery_hll *hll)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(hll);
    int64_t len = 0;
    int rc = pottery_hll_len(&len, hll);
    if (rc < 0) return rc;
    char count[POTTERY_INT64_TEXT_SIZE];
    pottery__int64_text(count, len);
    pottery_buf b = POTTERY_BUF_INIT;
    rc = pottery__buf_puts(&b, "<HyperLogLog key=");
    if (rc == 0) rc = pottery__buf_append(&b, hll->c.key, hll->c.keylen);
    if (rc == 0) rc = pottery__buf_puts(&b, " len=");
    if (rc == 0) rc = pottery__buf_puts(&b, count);
    if (rc == 0) rc = pottery__buf_putc(&b, '>');
    if (rc == 0) rc = pottery__buf_detach(&b, out, NULL);
    pottery__buf_free(&b);
    return rc;
}
