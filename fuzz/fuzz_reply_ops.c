/* The operations of the reply fuzzer: every public call of every module that talks to
 * Redis (the commands each sends are listed by the rows of tests/test_faulty_server.c),
 * the calls that read what an earlier call received (iterators, the cached ordered dict's
 * local reads), and sequences whose later calls depend on what the first ones got (a lock
 * acquired, then extended and released). Handles are opened on first use; opening one
 * sends nothing, except where the open is the operation. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_reply.h"

/* ---- the handles ---- */

static pottery_redlock_options lock_options(int raise)
{
    pottery_redlock_options o;
    pottery_redlock_options_init(&o);
    o.raise_on_redis_errors = raise;
    o.retry_delay_ms = 0;
    o.fencing = raise;
    o.context_manager_timeout_ms = FX_WAIT_MS;
    return o;
}

static const pottery_deque_options bounded = { POTTERY_DEQUE_OPTIONS_VERSION, NULL, 0, 3 };
static const pottery_cache_options no_expiry = { POTTERY_CACHE_OPTIONS_VERSION, 0, POTTERY_CACHE_FIELDS_PYTHON };
static const pottery_semaphore_options sem_options = { POTTERY_SEMAPHORE_OPTIONS_VERSION, 10000, 0 };

static int cache_fn(pottery_value *result, const pottery_value *args, size_t nargs, void *payload)
{
    (void)args;
    (void)nargs;
    (void)payload;
    *result = pottery_int(1);
    return 0;
}

static int open_rqueue(pottery_rqueue **out, pottery_client *c)
{
    pottery_rqueue_options o;
    pottery_rqueue_options_init(&o);
    o.consumer = "fz";
    return pottery_rqueue_open(out, c, "rq", &o);
}

static int open_quorum(fx *f, int kind, int three)
{
    pottery_redlock_options o = lock_options(!three);
    size_t n = three ? 3 : 1;
    if (three) {
        fx_client(f, 1);
        fx_client(f, 2);
    }
    switch (kind) {
    case 0: return pottery_redlock_new(three ? &f->lock3 : &f->lock, "fz", f->c, n, &o);
    case 1: return pottery_rlock_new(three ? &f->rlk3 : &f->rlk, "fz", f->c, n, &o);
    case 2: return pottery_rwlock_new(three ? &f->rw3 : &f->rw, "fz", f->c, n, &o);
    default: {
        pottery_nextid_options no;
        pottery_nextid_options_init(&no);
        no.raise_on_redis_errors = !three;
        return pottery_nextid_new(three ? &f->nid3 : &f->nid, f->c, n, &no);
    }
    }
}

#define GETTER(fn, type, field, open)                                                                                  \
    static type *fn(fx *f)                                                                                             \
    {                                                                                                                  \
        if (!f->field) CALL(open);                                                                                     \
        return f->field;                                                                                               \
    }
GETTER(D, pottery_dict, d, pottery_dict_open(&f->d, f->c[0], "dict", NULL))
GETTER(D2, pottery_dict, d2, pottery_dict_open(&f->d2, f->c[0], "dict2", NULL))
GETTER(DX, pottery_dict, dx, pottery_dict_open(&f->dx, fx_client(f, 1), "dict", NULL))
GETTER(S, pottery_set, s, pottery_set_open(&f->s, f->c[0], "set", NULL))
GETTER(S2, pottery_set, s2, pottery_set_open(&f->s2, f->c[0], "set2", NULL))
GETTER(SX, pottery_set, sx, pottery_set_open(&f->sx, fx_client(f, 1), "set", NULL))
GETTER(L, pottery_list, l, pottery_list_open(&f->l, f->c[0], "list", NULL))
GETTER(L2, pottery_list, l2, pottery_list_open(&f->l2, f->c[0], "list2", NULL))
GETTER(LX, pottery_list, lx, pottery_list_open(&f->lx, fx_client(f, 1), "list", NULL))
GETTER(Q, pottery_deque, q, pottery_deque_open(&f->q, f->c[0], "deque", NULL))
GETTER(Q2, pottery_deque, q2, pottery_deque_open(&f->q2, f->c[0], "deque2", NULL))
GETTER(QB, pottery_deque, qb, pottery_deque_open(&f->qb, f->c[0], "deque", &bounded)) /* LLEN */
GETTER(K, pottery_counter, k, pottery_counter_open(&f->k, f->c[0], "counter", NULL))
GETTER(K2, pottery_counter, k2, pottery_counter_open(&f->k2, f->c[0], "counter2", NULL))
GETTER(KX, pottery_counter, kx, pottery_counter_open(&f->kx, fx_client(f, 1), "counter", NULL))
GETTER(U, pottery_queue, u, pottery_queue_open(&f->u, f->c[0], "queue", NULL))
GETTER(CH, pottery_cache, ch, pottery_cache_open(&f->ch, f->c[0], "cache", cache_fn, NULL, NULL))
GETTER(CHX, pottery_cache, chx, pottery_cache_open(&f->chx, f->c[0], "cache", cache_fn, NULL, &no_expiry))
GETTER(COD, pottery_cached_ordered_dict, cod, pottery_cached_ordered_dict_open(&f->cod, f->c[0], "cod", NULL, 0, NULL))
GETTER(H, pottery_hll, h, pottery_hll_open(&f->h, f->c[0], "hll", NULL, 0))
GETTER(H2, pottery_hll, h2, pottery_hll_open(&f->h2, f->c[0], "hll2", NULL, 0))
GETTER(BF, pottery_bloom, bf, pottery_bloom_open(&f->bf, f->c[0], "bloom", 100, 0.01, NULL)) /* EVAL */
GETTER(SEM, pottery_semaphore, sem, pottery_semaphore_open(&f->sem, f->c[0], "sem", 3, &sem_options))
GETTER(RL, pottery_ratelimit, rl, pottery_ratelimit_open(&f->rl, f->c[0], "rl", 10, 1000, NULL))
GETTER(RQ, pottery_rqueue, rq, open_rqueue(&f->rq, f->c[0]))
GETTER(LK, pottery_redlock, lock, open_quorum(f, 0, 0))
GETTER(LK3, pottery_redlock, lock3, open_quorum(f, 0, 1))
GETTER(RLK, pottery_rlock, rlk, open_quorum(f, 1, 0))
GETTER(RLK3, pottery_rlock, rlk3, open_quorum(f, 1, 1))
GETTER(RW, pottery_rwlock, rw, open_quorum(f, 2, 0))
GETTER(RW3, pottery_rwlock, rw3, open_quorum(f, 2, 1))
GETTER(NID, pottery_nextid, nid, open_quorum(f, 3, 0))
GETTER(NID3, pottery_nextid, nid3, open_quorum(f, 3, 1))

/* ---- one-call operations ---- */

/* Arguments. */
#define KEY pottery_str("k")
#define VAL pottery_int(1)
#define NESTED pottery_json("{\"a\": [1, 2.5, null, \"x\"]}")
#define SLICE pottery_slice_of(0, 2, POTTERY_SLICE_NONE)
#define STEP pottery_slice_of(POTTERY_SLICE_NONE, POTTERY_SLICE_NONE, -2)
#define TWO pairs_of_values, 2
#define SET_ARR(x) (pottery_set *const[]){ x }, 1
#define HLL_ARR(x) (pottery_hll *const[]){ x }, 1
/* A value with more than 1024 equal spellings (3^7): searched in a WATCH transaction. */
#define MANY_SPELLINGS pottery_json("[1, 1, 1, 1, 1, 1, 1]")

static const pottery_value pairs_of_values[2] = { { POTTERY_TYPE_INT, { .i = 1 }, NULL },
                                                  { POTTERY_TYPE_STRING, { .s = { "k", 1 } }, NULL } };
static const pottery_pair one_pair[1] = { { { POTTERY_TYPE_STRING, { .s = { "k", 1 } }, NULL },
                                            { POTTERY_TYPE_INT, { .i = 1 }, NULL } } };
static const pottery_counter_pair one_count[1] = { { { POTTERY_TYPE_STRING, { .s = { "k", 1 } }, NULL }, 2 } };
static const pottery_semaphore_permit permit = { "0f0e0d0c-0b0a-4908-8706-050403020100" };
static const pottery_rqueue_item delivered = { POTTERY_VALUE_INIT, "1700000000000-0", 1 };
static const pottery_dict_options dict_items = { POTTERY_DICT_OPTIONS_VERSION, one_pair, 1 };
static const pottery_set_options set_items = { POTTERY_SET_OPTIONS_VERSION, pairs_of_values, 2 };
static const pottery_list_options list_items = { POTTERY_LIST_OPTIONS_VERSION, pairs_of_values, 2 };
static const pottery_deque_options deque_items = { POTTERY_DEQUE_OPTIONS_VERSION, pairs_of_values, 2,
                                                   POTTERY_DEQUE_NO_MAXLEN };
static const pottery_counter_options counter_items = { POTTERY_COUNTER_OPTIONS_VERSION, one_count, 1, NULL, 0 };

/* A failed call leaves its out-values as they were (CONTRIBUTING.md, "Errors"). */
static void check_untouched(const pottery_value *v, int64_t i, int b, const char *t, size_t z, const void *h,
                            const char *call)
{
    if (v->type == POTTERY_TYPE_NULL && !v->owned_ && i == 7 && b == 7 && !t && z == 7 && !h) return;
    fprintf(stderr, "fuzz_reply: %s failed (%d, \"%s\") but changed an out-value\n", call, pottery_error_last()->code,
            pottery_error_last()->message);
    abort();
}

/* Each call may write into v, i, b, t and z, or make a new handle in one of the h*. */
#define DEFINE(name, call)                                                                                             \
    static void op_##name(fx *f)                                                                                       \
    {                                                                                                                  \
        pottery_value v = POTTERY_VALUE_INIT;                                                                          \
        int64_t i = 7;                                                                                                 \
        int b = 7;                                                                                                     \
        char *t = NULL;                                                                                                \
        size_t z = 7;                                                                                                  \
        pottery_dict *hd = NULL;                                                                                       \
        pottery_set *hs = NULL;                                                                                        \
        pottery_list *hl = NULL;                                                                                       \
        pottery_deque *hq = NULL;                                                                                      \
        pottery_counter *hk = NULL;                                                                                    \
        pottery_hll *hh = NULL;                                                                                        \
        pottery_cached_ordered_dict *hc = NULL;                                                                        \
        pottery_bloom *hb = NULL;                                                                                      \
        int rc = (fx_clear(), (call));                                                                                 \
        fx_check(rc, #call);                                                                                           \
        if (rc < 0) {                                                                                                  \
            const void *made = (const void *)((uintptr_t)hd | (uintptr_t)hs | (uintptr_t)hl | (uintptr_t)hq |          \
                                              (uintptr_t)hk | (uintptr_t)hh | (uintptr_t)hc | (uintptr_t)hb);          \
            check_untouched(&v, i, b, t, z, made, #call);                                                              \
        }                                                                                                              \
        pottery_value_dispose(&v);                                                                                     \
        pottery_free(t);                                                                                               \
        pottery_dict_free(hd);                                                                                         \
        pottery_set_free(hs);                                                                                          \
        pottery_list_free(hl);                                                                                         \
        pottery_deque_free(hq);                                                                                        \
        pottery_counter_free(hk);                                                                                      \
        pottery_hll_free(hh);                                                                                          \
        pottery_cached_ordered_dict_free(hc);                                                                          \
        pottery_bloom_free(hb);                                                                                        \
    }
#define ENTRY(name, call) { #name, op_##name, 0 },

/* clang-format off */
#define ONE_CALL_OPS(X) \
    X(dict_open_items, pottery_dict_open(&hd, f->c[0], "new_dict", &dict_items)) \
    X(dict_get, pottery_dict_get(&v, D(f), KEY)) \
    X(dict_get_default, pottery_dict_get_default(&v, D(f), KEY, NESTED)) \
    X(dict_set, pottery_dict_set(D(f), KEY, NESTED)) \
    X(dict_del, pottery_dict_del(D(f), KEY)) \
    X(dict_contains, pottery_dict_contains(&b, D(f), KEY)) \
    X(dict_len, pottery_dict_len(&i, D(f))) \
    X(dict_pop, pottery_dict_pop(&v, D(f), KEY)) \
    X(dict_pop_default, pottery_dict_pop_default(&v, D(f), KEY, VAL)) \
    X(dict_popitem, pottery_dict_popitem(NULL, &v, D(f))) \
    X(dict_setdefault, pottery_dict_setdefault(&v, D(f), KEY, VAL)) \
    X(dict_update, pottery_dict_update(D(f), one_pair, 1)) \
    X(dict_update_from, pottery_dict_update_from(D(f), D2(f))) \
    X(dict_update_from_x, pottery_dict_update_from(D(f), DX(f))) \
    X(dict_clear, pottery_dict_clear(D(f))) \
    X(dict_to_json, pottery_dict_to_json(&t, &z, D(f))) \
    X(dict_repr, pottery_dict_repr(&t, D(f))) \
    X(dict_equal_from, pottery_dict_equal_from(&b, D(f), D2(f))) \
    X(dict_equal_from_x, pottery_dict_equal_from(&b, D(f), DX(f))) \
    X(dict_equal_json, pottery_dict_equal_json(&b, D(f), "{\"k\": 1}")) \
    X(set_open_items, pottery_set_open(&hs, f->c[0], "new_set", &set_items)) \
    X(set_add, pottery_set_add(S(f), NESTED)) \
    X(set_discard, pottery_set_discard(S(f), VAL)) \
    X(set_remove, pottery_set_remove(S(f), VAL)) \
    X(set_pop, pottery_set_pop(&v, S(f))) \
    X(set_contains, pottery_set_contains(&b, S(f), VAL)) \
    X(set_len, pottery_set_len(&i, S(f))) \
    X(set_clear, pottery_set_clear(S(f))) \
    X(set_to_json, pottery_set_to_json(&t, &z, S(f))) \
    X(set_repr, pottery_set_repr(&t, S(f))) \
    X(set_equal, pottery_set_equal(&b, S(f), TWO)) \
    X(set_equal_from, pottery_set_equal_from(&b, S(f), S2(f))) \
    X(set_equal_from_x, pottery_set_equal_from(&b, S(f), SX(f))) \
    X(set_isdisjoint, pottery_set_isdisjoint(&b, S(f), TWO)) \
    X(set_isdisjoint_from, pottery_set_isdisjoint_from(&b, S(f), S2(f))) \
    X(set_isdisjoint_from_x, pottery_set_isdisjoint_from(&b, S(f), SX(f))) \
    X(set_issubset, pottery_set_issubset(&b, S(f), TWO)) \
    X(set_issubset_from, pottery_set_issubset_from(&b, S(f), S2(f))) \
    X(set_issubset_from_x, pottery_set_issubset_from(&b, S(f), SX(f))) \
    X(set_issuperset, pottery_set_issuperset(&b, S(f), TWO)) \
    X(set_issuperset_from, pottery_set_issuperset_from(&b, S(f), S2(f))) \
    X(set_issuperset_from_x, pottery_set_issuperset_from(&b, S(f), SX(f))) \
    X(set_union, pottery_set_union(&t, &z, S(f), TWO)) \
    X(set_union_from, pottery_set_union_from(&t, &z, S(f), SET_ARR(S2(f)))) \
    X(set_union_from_x, pottery_set_union_from(&t, &z, S(f), SET_ARR(SX(f)))) \
    X(set_union_new, pottery_set_union_new(&hs, S(f), TWO)) \
    X(set_union_new_from, pottery_set_union_new_from(&hs, S(f), SET_ARR(S2(f)))) \
    X(set_union_new_from_x, pottery_set_union_new_from(&hs, S(f), SET_ARR(SX(f)))) \
    X(set_intersection, pottery_set_intersection(&t, &z, S(f), TWO)) \
    X(set_intersection_from, pottery_set_intersection_from(&t, &z, S(f), SET_ARR(S2(f)))) \
    X(set_intersection_from_x, pottery_set_intersection_from(&t, &z, S(f), SET_ARR(SX(f)))) \
    X(set_intersection_new, pottery_set_intersection_new(&hs, S(f), TWO)) \
    X(set_intersection_new_from, pottery_set_intersection_new_from(&hs, S(f), SET_ARR(S2(f)))) \
    X(set_intersection_new_from_x, pottery_set_intersection_new_from(&hs, S(f), SET_ARR(SX(f)))) \
    X(set_difference, pottery_set_difference(&t, &z, S(f), TWO)) \
    X(set_difference_from, pottery_set_difference_from(&t, &z, S(f), SET_ARR(S2(f)))) \
    X(set_difference_from_x, pottery_set_difference_from(&t, &z, S(f), SET_ARR(SX(f)))) \
    X(set_difference_new, pottery_set_difference_new(&hs, S(f), TWO)) \
    X(set_difference_new_from, pottery_set_difference_new_from(&hs, S(f), SET_ARR(S2(f)))) \
    X(set_difference_new_from_x, pottery_set_difference_new_from(&hs, S(f), SET_ARR(SX(f)))) \
    X(set_symmetric_difference, pottery_set_symmetric_difference(&t, &z, S(f), TWO)) \
    X(set_symmetric_difference_from, pottery_set_symmetric_difference_from(&t, &z, S(f), S2(f))) \
    X(set_symmetric_difference_from_x, pottery_set_symmetric_difference_from(&t, &z, S(f), SX(f))) \
    X(set_symmetric_difference_new, pottery_set_symmetric_difference_new(&hs, S(f), TWO)) \
    X(set_symmetric_difference_new_from, pottery_set_symmetric_difference_new_from(&hs, S(f), S2(f))) \
    X(set_symmetric_difference_new_from_x, pottery_set_symmetric_difference_new_from(&hs, S(f), SX(f))) \
    X(set_update, pottery_set_update(S(f), TWO)) \
    X(set_update_from, pottery_set_update_from(S(f), SET_ARR(S2(f)))) \
    X(set_update_from_x, pottery_set_update_from(S(f), SET_ARR(SX(f)))) \
    X(set_intersection_update, pottery_set_intersection_update(S(f), TWO)) \
    X(set_intersection_update_from, pottery_set_intersection_update_from(S(f), SET_ARR(S2(f)))) \
    X(set_intersection_update_from_x, pottery_set_intersection_update_from(S(f), SET_ARR(SX(f)))) \
    X(set_difference_update, pottery_set_difference_update(S(f), TWO)) \
    X(set_difference_update_from, pottery_set_difference_update_from(S(f), SET_ARR(S2(f)))) \
    X(set_difference_update_from_x, pottery_set_difference_update_from(S(f), SET_ARR(SX(f)))) \
    X(set_symmetric_difference_update, pottery_set_symmetric_difference_update(S(f), TWO)) \
    X(set_symmetric_difference_update_from, pottery_set_symmetric_difference_update_from(S(f), S2(f))) \
    X(set_symmetric_difference_update_from_x, pottery_set_symmetric_difference_update_from(S(f), SX(f))) \
    X(list_open_items, pottery_list_open(&hl, f->c[0], "new_list", &list_items)) \
    X(list_len, pottery_list_len(&i, L(f))) \
    X(list_clear, pottery_list_clear(L(f))) \
    X(list_get, pottery_list_get(&v, L(f), -1)) \
    X(list_set, pottery_list_set(L(f), 0, NESTED)) \
    X(list_del, pottery_list_del(L(f), 1)) \
    X(list_append, pottery_list_append(L(f), VAL)) \
    X(list_extend, pottery_list_extend(L(f), TWO)) \
    X(list_extend_json, pottery_list_extend_json(L(f), "[1, \"a\"]")) \
    X(list_insert, pottery_list_insert(L(f), 1, VAL)) \
    X(list_pop, pottery_list_pop(&v, L(f))) \
    X(list_pop_index, pottery_list_pop_index(&v, L(f), 1)) \
    X(list_remove, pottery_list_remove(L(f), VAL)) \
    X(list_remove_watched, pottery_list_remove(L(f), MANY_SPELLINGS)) \
    X(list_index, pottery_list_index(&i, L(f), VAL)) \
    X(list_index_range, pottery_list_index_range(&i, L(f), VAL, 1, POTTERY_SLICE_NONE)) \
    X(list_count, pottery_list_count(&i, L(f), VAL)) \
    X(list_contains, pottery_list_contains(&b, L(f), VAL)) \
    X(list_get_slice, pottery_list_get_slice(&v, L(f), SLICE)) \
    X(list_get_slice_step, pottery_list_get_slice(&v, L(f), STEP)) \
    X(list_set_slice, pottery_list_set_slice(L(f), SLICE, TWO)) \
    X(list_set_slice_step, pottery_list_set_slice(L(f), STEP, TWO)) \
    X(list_del_slice, pottery_list_del_slice(L(f), SLICE)) \
    X(list_del_slice_step, pottery_list_del_slice(L(f), STEP)) \
    X(list_reverse, pottery_list_reverse(L(f))) \
    X(list_sort, pottery_list_sort(L(f), 0)) \
    X(list_sort_reverse, pottery_list_sort(L(f), 1)) \
    X(list_to_json, pottery_list_to_json(&t, &z, L(f))) \
    X(list_repr, pottery_list_repr(&t, L(f))) \
    X(list_repr_items, pottery_list_repr_items(&t, L(f))) \
    X(list_add, pottery_list_add(&hl, L(f), L2(f))) \
    X(list_add_x, pottery_list_add(&hl, L(f), LX(f))) \
    X(list_add_json, pottery_list_add_json(&hl, L(f), "[1]")) \
    X(list_equal_from, pottery_list_equal_from(&b, L(f), L2(f))) \
    X(list_equal_from_x, pottery_list_equal_from(&b, L(f), LX(f))) \
    X(list_equal_json, pottery_list_equal_json(&b, L(f), "[1, \"k\"]")) \
    X(deque_open_items, pottery_deque_open(&hq, f->c[0], "new_deque", &deque_items)) \
    X(deque_open_maxlen, pottery_deque_open(&hq, f->c[0], "new_deque", &bounded)) \
    X(deque_append, pottery_deque_append(Q(f), VAL)) \
    X(deque_append_bounded, pottery_deque_append(QB(f), VAL)) \
    X(deque_appendleft, pottery_deque_appendleft(Q(f), VAL)) \
    X(deque_appendleft_bounded, pottery_deque_appendleft(QB(f), VAL)) \
    X(deque_extend, pottery_deque_extend(Q(f), TWO)) \
    X(deque_extend_bounded, pottery_deque_extend(QB(f), TWO)) \
    X(deque_extendleft, pottery_deque_extendleft(Q(f), TWO)) \
    X(deque_insert, pottery_deque_insert(Q(f), 1, VAL)) \
    X(deque_insert_bounded, pottery_deque_insert(QB(f), 1, VAL)) \
    X(deque_pop, pottery_deque_pop(&v, Q(f))) \
    X(deque_popleft, pottery_deque_popleft(&v, Q(f))) \
    X(deque_peek, pottery_deque_peek(&v, Q(f))) \
    X(deque_peekleft, pottery_deque_peekleft(&v, Q(f))) \
    X(deque_rotate, pottery_deque_rotate(Q(f), 1)) \
    X(deque_rotate_back, pottery_deque_rotate(Q(f), -2)) \
    X(deque_reverse, pottery_deque_reverse(Q(f))) \
    X(deque_clear, pottery_deque_clear(Q(f))) \
    X(deque_get, pottery_deque_get(&v, Q(f), 0)) \
    X(deque_set, pottery_deque_set(Q(f), 0, VAL)) \
    X(deque_del, pottery_deque_del(Q(f), 1)) \
    X(deque_remove, pottery_deque_remove(Q(f), VAL)) \
    X(deque_len, pottery_deque_len(&i, Q(f))) \
    X(deque_get_slice, pottery_deque_get_slice(&v, Q(f), SLICE)) \
    X(deque_index, pottery_deque_index(&i, Q(f), VAL)) \
    X(deque_index_range, pottery_deque_index_range(&i, Q(f), VAL, 1, POTTERY_SLICE_NONE)) \
    X(deque_count, pottery_deque_count(&i, Q(f), VAL)) \
    X(deque_contains, pottery_deque_contains(&b, Q(f), VAL)) \
    X(deque_to_json, pottery_deque_to_json(&t, &z, Q(f))) \
    X(deque_repr, pottery_deque_repr(&t, Q(f))) \
    X(deque_repr_bounded, pottery_deque_repr(&t, QB(f))) \
    X(deque_equal_from, pottery_deque_equal_from(&b, Q(f), Q2(f))) \
    X(deque_equal_json, pottery_deque_equal_json(&b, Q(f), "[]")) \
    X(counter_open_items, pottery_counter_open(&hk, f->c[0], "new_counter", &counter_items)) \
    X(counter_get, pottery_counter_get(&i, K(f), KEY)) \
    X(counter_set, pottery_counter_set(K(f), KEY, 2)) \
    X(counter_del, pottery_counter_del(K(f), KEY)) \
    X(counter_contains, pottery_counter_contains(&b, K(f), KEY)) \
    X(counter_len, pottery_counter_len(&i, K(f))) \
    X(counter_incr, pottery_counter_incr(&i, K(f), KEY, 2)) \
    X(counter_decr, pottery_counter_decr(&i, K(f), KEY, 2)) \
    X(counter_decr_min, pottery_counter_decr(&i, K(f), KEY, INT64_MIN)) \
    X(counter_update, pottery_counter_update(K(f), one_count, 1)) \
    X(counter_subtract, pottery_counter_subtract(K(f), one_count, 1)) \
    X(counter_update_keys, pottery_counter_update_keys(K(f), TWO)) \
    X(counter_subtract_keys, pottery_counter_subtract_keys(K(f), TWO)) \
    X(counter_update_from, pottery_counter_update_from(K(f), K2(f))) \
    X(counter_update_from_x, pottery_counter_update_from(K(f), KX(f))) \
    X(counter_subtract_from, pottery_counter_subtract_from(K(f), K2(f))) \
    X(counter_subtract_from_x, pottery_counter_subtract_from(K(f), KX(f))) \
    X(counter_clear, pottery_counter_clear(K(f))) \
    X(counter_total, pottery_counter_total(&i, K(f))) \
    X(counter_to_json, pottery_counter_to_json(&t, &z, K(f))) \
    X(counter_repr, pottery_counter_repr(&t, K(f))) \
    X(counter_equal_from, pottery_counter_equal_from(&b, K(f), K2(f))) \
    X(counter_equal_from_x, pottery_counter_equal_from(&b, K(f), KX(f))) \
    X(counter_equal_json, pottery_counter_equal_json(&b, K(f), "{\"k\": 2}")) \
    X(counter_add, pottery_counter_binary(&t, &z, K(f), POTTERY_COUNTER_ADD, K2(f))) \
    X(counter_sub_x, pottery_counter_binary(&t, &z, K(f), POTTERY_COUNTER_SUB, KX(f))) \
    X(counter_or, pottery_counter_binary(&t, &z, K(f), POTTERY_COUNTER_OR, K2(f))) \
    X(counter_and_json, pottery_counter_binary_json(&t, &z, K(f), POTTERY_COUNTER_AND, "{\"a\": 1}")) \
    X(counter_pos, pottery_counter_pos(&t, &z, K(f))) \
    X(counter_neg, pottery_counter_neg(&t, &z, K(f))) \
    X(counter_inplace_add, pottery_counter_inplace(K(f), POTTERY_COUNTER_ADD, K2(f))) \
    X(counter_inplace_sub_x, pottery_counter_inplace(K(f), POTTERY_COUNTER_SUB, KX(f))) \
    X(counter_inplace_and, pottery_counter_inplace(K(f), POTTERY_COUNTER_AND, K2(f))) \
    X(counter_inplace_or_json, pottery_counter_inplace_json(K(f), POTTERY_COUNTER_OR, "{\"a\": 1}")) \
    X(queue_put, pottery_queue_put(U(f), NESTED)) \
    X(queue_put_nowait, pottery_queue_put_nowait(U(f), VAL)) \
    X(queue_get_nowait, pottery_queue_get_nowait(&v, U(f))) \
    X(queue_get, pottery_queue_get(&v, U(f), 1, FX_WAIT_MS)) \
    X(queue_get_nonblocking, pottery_queue_get(&v, U(f), 0, 0)) \
    X(queue_qsize, pottery_queue_qsize(&i, U(f))) \
    X(queue_empty, pottery_queue_empty(&b, U(f))) \
    X(queue_clear, pottery_queue_clear(U(f))) \
    X(cache_call, pottery_cache_call(&v, CH(f), TWO)) \
    X(cache_call_plain, pottery_cache_call(&v, CHX(f), TWO)) \
    X(cache_bypass, pottery_cache_bypass(&v, CH(f), TWO)) \
    X(cache_bypass_plain, pottery_cache_bypass(&v, CHX(f), TWO)) \
    X(cache_clear, pottery_cache_clear(CH(f))) \
    X(cod_open_no_expiry, pottery_cached_ordered_dict_open(&hc, f->c[0], "new_cod", TWO, \
        &(const pottery_cached_ordered_dict_options){ POTTERY_CACHED_ORDERED_DICT_OPTIONS_VERSION, 0 })) \
    X(cod_set, pottery_cached_ordered_dict_set(COD(f), KEY, VAL)) \
    X(cod_setdefault, pottery_cached_ordered_dict_setdefault(&v, COD(f), KEY, VAL)) \
    X(cod_update, pottery_cached_ordered_dict_update(COD(f), one_pair, 1)) \
    X(hll_open_items, pottery_hll_open(&hh, f->c[0], "new_hll", TWO)) \
    X(hll_add, pottery_hll_add(H(f), KEY)) \
    X(hll_update, pottery_hll_update(H(f), TWO)) \
    X(hll_update_from, pottery_hll_update_from(H(f), HLL_ARR(H2(f)))) \
    X(hll_update_both, pottery_hll_update_both(H(f), TWO, HLL_ARR(H2(f)))) \
    X(hll_len, pottery_hll_len(&i, H(f))) \
    X(hll_contains, pottery_hll_contains(&b, H(f), KEY)) \
    X(hll_union_from, pottery_hll_union_from(&hh, H(f), HLL_ARR(H2(f)), "new_hll")) \
    X(hll_clear, pottery_hll_clear(H(f))) \
    X(hll_repr, pottery_hll_repr(&t, H(f))) \
    X(bloom_open, pottery_bloom_open(&hb, f->c[0], "new_bloom", 100, 0.01, NULL)) \
    X(bloom_add, pottery_bloom_add(BF(f), KEY)) \
    X(bloom_update, pottery_bloom_update(BF(f), TWO)) \
    X(bloom_contains, pottery_bloom_contains(&b, BF(f), KEY)) \
    X(bloom_len, pottery_bloom_len(&i, BF(f))) \
    X(bloom_clear, pottery_bloom_clear(BF(f))) \
    X(bloom_repr, pottery_bloom_repr(&t, BF(f))) \
    X(semaphore_release, pottery_semaphore_release(SEM(f), &permit)) \
    X(semaphore_extend, pottery_semaphore_extend(SEM(f), &permit)) \
    X(semaphore_held, pottery_semaphore_held(&i, SEM(f))) \
    X(semaphore_available, pottery_semaphore_available(&i, SEM(f))) \
    X(semaphore_lease_left, pottery_semaphore_lease_left(&i, SEM(f), &permit)) \
    X(ratelimit_acquire, pottery_ratelimit_acquire(&b, RL(f), 1, FX_WAIT_MS)) \
    X(ratelimit_acquire_now, pottery_ratelimit_acquire(&b, RL(f), 3, 0)) \
    X(ratelimit_reset, pottery_ratelimit_reset(RL(f))) \
    X(rqueue_put, pottery_rqueue_put(RQ(f), NESTED)) \
    X(rqueue_put_many, pottery_rqueue_put_many(RQ(f), TWO)) \
    X(rqueue_ack, pottery_rqueue_ack(RQ(f), &delivered)) \
    X(rqueue_release, pottery_rqueue_release(RQ(f), &delivered)) \
    X(rqueue_touch, pottery_rqueue_touch(RQ(f), &delivered)) \
    X(rqueue_len, pottery_rqueue_len(&i, RQ(f))) \
    X(rqueue_pending_count, pottery_rqueue_pending_count(&i, RQ(f))) \
    X(rqueue_dead_letter_count, pottery_rqueue_dead_letter_count(&i, RQ(f))) \
    X(rqueue_clear, pottery_rqueue_clear(RQ(f))) \
    X(rlock_acquire3, pottery_rlock_acquire(&b, RLK3(f), 0, 0)) \
    X(rlock_release_unheld, pottery_rlock_release(RLK(f))) \
    X(rwlock_acquire_read3, pottery_rwlock_acquire_read(&b, RW3(f), 0, 0)) \
    X(rwlock_acquire_write3, pottery_rwlock_acquire_write(&b, RW3(f), 1, FX_WAIT_MS)) \
    X(redlock_acquire3, pottery_redlock_acquire(&b, LK3(f), 1, FX_WAIT_MS)) \
    X(redlock_locked, pottery_redlock_locked(&i, LK(f))) \
    X(redlock_locked3, pottery_redlock_locked(&i, LK3(f))) \
    X(redlock_release_unheld, pottery_redlock_release(LK3(f))) \
    X(nextid_next3, pottery_nextid_next(&i, NID3(f))) \
    X(nextid_reset, pottery_nextid_reset(NID(f))) \
    X(nextid_reset3, pottery_nextid_reset(NID3(f))) \
    X(client_ping, pottery_client_ping(f->c[0]))
/* clang-format on */

ONE_CALL_OPS(DEFINE)

/* ---- sequences ---- */

enum { MAX_STEPS = 64 };

#define ITERATE(type, new_call, next_call)                                                                             \
    do {                                                                                                               \
        type *it = NULL;                                                                                               \
        CALL(new_call);                                                                                                \
        for (int step = 0; it && step < MAX_STEPS; step++) {                                                           \
            int rc_ = (fx_clear(), (next_call));                                                                       \
            fx_check(rc_, #next_call);                                                                                 \
            DISPOSE_STEP;                                                                                              \
            if (rc_ != 0) break;                                                                                       \
        }                                                                                                              \
        type##_free(it);                                                                                               \
    } while (0)

static void op_dict_iter(fx *f)
{
    pottery_value k = POTTERY_VALUE_INIT, v = POTTERY_VALUE_INIT;
#define DISPOSE_STEP (pottery_value_dispose(&k), pottery_value_dispose(&v))
    ITERATE(pottery_dict_iter, pottery_dict_iter_new(&it, D(f)), pottery_dict_iter_next(&k, &v, it));
#undef DISPOSE_STEP
}

static void op_set_iter(fx *f)
{
    pottery_value v = POTTERY_VALUE_INIT;
#define DISPOSE_STEP pottery_value_dispose(&v)
    ITERATE(pottery_set_iter, pottery_set_iter_new(&it, S(f)), pottery_set_iter_next(&v, it));
#undef DISPOSE_STEP
}

static void op_list_iter(fx *f)
{
    pottery_value v = POTTERY_VALUE_INIT;
#define DISPOSE_STEP pottery_value_dispose(&v)
    ITERATE(pottery_list_iter, pottery_list_iter_new(&it, L(f)), pottery_list_iter_next(&v, it));
    ITERATE(pottery_list_iter, pottery_list_iter_new_reversed(&it, L(f)), pottery_list_iter_next(&v, it));
#undef DISPOSE_STEP
}

static void op_deque_iter(fx *f)
{
    pottery_value v = POTTERY_VALUE_INIT;
#define DISPOSE_STEP pottery_value_dispose(&v)
    ITERATE(pottery_deque_iter, pottery_deque_iter_new(&it, Q(f)), pottery_deque_iter_next(&v, it));
    ITERATE(pottery_deque_iter, pottery_deque_iter_new_reversed(&it, Q(f)), pottery_deque_iter_next(&v, it));
#undef DISPOSE_STEP
}

static void op_counter_iter(fx *f)
{
    pottery_value k = POTTERY_VALUE_INIT;
    int64_t n = 0;
#define DISPOSE_STEP pottery_value_dispose(&k)
    ITERATE(pottery_counter_iter, pottery_counter_iter_new(&it, K(f)), pottery_counter_iter_next(&k, &n, it));
    ITERATE(pottery_counter_iter, pottery_counter_elements_new(&it, K(f)), pottery_counter_iter_next(&k, &n, it));
#undef DISPOSE_STEP
}

static void op_counter_most_common(fx *f)
{
    pottery_counter_pair *pairs = NULL;
    size_t n = 0;
    CALL(pottery_counter_most_common(&pairs, &n, K(f), POTTERY_COUNTER_ALL));
    pottery_counter_pairs_free(pairs, n);
    pairs = NULL;
    n = 0;
    CALL(pottery_counter_most_common(&pairs, &n, K(f), 1));
    pottery_counter_pairs_free(pairs, n);
}

static void op_list_get_slice_values(fx *f)
{
    pottery_value *values = NULL;
    size_t n = 0;
    CALL(pottery_list_get_slice_values(&values, &n, L(f), SLICE));
    pottery_list_values_free(values, n);
}

/* Past 10,000 values extend streams MULTI, RPUSH..., EXEC. */
static void op_list_extend_large(fx *f)
{
    enum { MANY = 10001 };
    pottery_value *e = malloc(MANY * sizeof *e);
    if (!e) abort();
    for (size_t i = 0; i < MANY; i++) e[i] = pottery_int((int64_t)i);
    CALL(pottery_list_extend(L(f), e, MANY));
    free(e);
}

static void op_set_contains_many(fx *f)
{
    int found[2] = { 0, 0 };
    CALL(pottery_set_contains_many(found, S(f), TWO));
}

static void op_hll_contains_many(fx *f)
{
    int found[2] = { 0, 0 };
    CALL(pottery_hll_contains_many(found, H(f), TWO));
}

static void op_bloom_contains_many(fx *f)
{
    int found[2] = { 0, 0 };
    CALL(pottery_bloom_contains_many(found, BF(f), TWO));
}

static void op_cache_info(fx *f)
{
    pottery_cache_info info;
    CALL(pottery_cache_info_get(&info, CH(f)));
    pottery_value v = POTTERY_VALUE_INIT;
    CALL(pottery_cache_call(&v, CH(f), TWO));
    pottery_value_dispose(&v);
    CALL(pottery_cache_info_get(&info, CH(f)));
}

/* The cached ordered dict reads what its open fetched: every local read after it. */
static void op_cod_open_read(fx *f)
{
    pottery_cached_ordered_dict *d = NULL;
    CALL(pottery_cached_ordered_dict_open(&d, f->c[0], "cod", pairs_of_values, 2, NULL));
    if (!d) return;
    pottery_value v = POTTERY_VALUE_INIT, k = POTTERY_VALUE_INIT;
    int b = 0, miss = 0;
    int64_t n = 0;
    char *t = NULL;
    CALL(pottery_cached_ordered_dict_get(&v, d, KEY));
    pottery_value_dispose(&v);
    CALL(pottery_cached_ordered_dict_get_default(&v, d, VAL, NESTED));
    pottery_value_dispose(&v);
    CALL(pottery_cached_ordered_dict_misses(&v, d));
    pottery_value_dispose(&v);
    CALL(pottery_cached_ordered_dict_is_miss(&b, d, KEY));
    CALL(pottery_cached_ordered_dict_contains(&b, d, VAL));
    CALL(pottery_cached_ordered_dict_len(&n, d));
    CALL(pottery_cached_ordered_dict_to_json(&t, NULL, d));
    pottery_free(t);
    t = NULL;
    CALL(pottery_cached_ordered_dict_repr(&t, d));
    pottery_free(t);
#define DISPOSE_STEP (pottery_value_dispose(&k), pottery_value_dispose(&v))
    ITERATE(pottery_cached_ordered_dict_iter, pottery_cached_ordered_dict_iter_new(&it, d),
            pottery_cached_ordered_dict_iter_next(&k, &v, &miss, it));
#undef DISPOSE_STEP
    CALL(pottery_cached_ordered_dict_set(d, KEY, NESTED));
    pottery_cached_ordered_dict_free(d);
}

static void op_semaphore(fx *f)
{
    pottery_semaphore_permit p = { "" };
    int got = 0;
    int64_t n = 0;
    CALL(pottery_semaphore_acquire(&got, &p, SEM(f), 0, 0));
    if (!got) CALL(pottery_semaphore_acquire(&got, &p, SEM(f), 1, FX_WAIT_MS));
    if (!got) return;
    CALL(pottery_semaphore_lease_left(&n, SEM(f), &p));
    CALL(pottery_semaphore_extend(SEM(f), &p));
    CALL(pottery_semaphore_release(SEM(f), &p));
}

static void op_ratelimit_try(fx *f)
{
    int allowed = 0;
    int64_t wait_ms = 0;
    CALL(pottery_ratelimit_try(&allowed, &wait_ms, RL(f), 1));
    CALL(pottery_ratelimit_try(&allowed, &wait_ms, RL(f), 11));
}

static void op_rqueue_take(fx *f)
{
    pottery_rqueue_item item = POTTERY_RQUEUE_ITEM_INIT;
    int rc = (fx_clear(), pottery_rqueue_take(&item, RQ(f), 0));
    fx_check(rc, "pottery_rqueue_take(&item, RQ(f), 0)");
    if (rc == 0) {
        CALL(pottery_rqueue_touch(RQ(f), &item));
        CALL(pottery_rqueue_release(RQ(f), &item));
        CALL(pottery_rqueue_ack(RQ(f), &item));
    }
    pottery_rqueue_item_dispose(&item);
    CALL(pottery_rqueue_take(&item, RQ(f), FX_WAIT_MS));
    pottery_rqueue_item_dispose(&item);
}

static void op_rqueue_dead_letters(fx *f)
{
    pottery_rqueue_item items[3] = { POTTERY_RQUEUE_ITEM_INIT, POTTERY_RQUEUE_ITEM_INIT, POTTERY_RQUEUE_ITEM_INIT };
    size_t n = 0;
    CALL(pottery_rqueue_dead_letters(items, &n, RQ(f), 3));
    for (size_t i = 0; i < 3; i++) pottery_rqueue_item_dispose(&items[i]);
}

static void op_rlock(fx *f)
{
    int got = 0;
    CALL(pottery_rlock_acquire(&got, RLK(f), 0, 0));
    if (!got) return;
    CALL(pottery_rlock_acquire(&got, RLK(f), 1, FX_WAIT_MS));
    CALL(pottery_rlock_extend(RLK(f)));
    CALL(pottery_rlock_release(RLK(f)));
    CALL(pottery_rlock_release(RLK(f)));
}

static void op_rwlock(fx *f)
{
    int got = 0;
    CALL(pottery_rwlock_acquire_read(&got, RW(f), 0, 0));
    if (got) {
        CALL(pottery_rwlock_extend(RW(f)));
        CALL(pottery_rwlock_release(RW(f)));
    }
    CALL(pottery_rwlock_acquire_write(&got, RW(f), 1, FX_WAIT_MS));
    if (got) {
        CALL(pottery_rwlock_extend(RW(f)));
        CALL(pottery_rwlock_release(RW(f)));
    }
}

static void op_redlock(fx *f)
{
    int got = 0;
    int64_t n = 0;
    CALL(pottery_redlock_acquire(&got, LK(f), 0, 0));
    if (!got) return;
    CALL(pottery_redlock_fencing_token(&n, LK(f)));
    CALL(pottery_redlock_locked(&n, LK(f)));
    CALL(pottery_redlock_extend(LK(f)));
    CALL(pottery_redlock_release(LK(f)));
}

static void op_redlock3(fx *f)
{
    int got = 0;
    int64_t n = 0;
    CALL(pottery_redlock_acquire(&got, LK3(f), 0, 0));
    if (!got) return;
    CALL(pottery_redlock_locked(&n, LK3(f)));
    CALL(pottery_redlock_extend(LK3(f)));
    CALL(pottery_redlock_release(LK3(f)));
}

static int nothing(void *payload)
{
    (void)payload;
    return 0;
}

static void op_redlock_with(fx *f)
{
    CALL(pottery_redlock_with(LK(f), nothing, NULL));
}

static void op_synchronize(fx *f)
{
    pottery_redlock_options o = lock_options(0);
    fx_client(f, 1);
    fx_client(f, 2);
    CALL(pottery_synchronize("fz", f->c, 3, &o, nothing, NULL));
}

static void op_nextid(fx *f)
{
    int64_t id = 0;
    char *t = NULL;
    CALL(pottery_nextid_next(&id, NID(f)));
    CALL(pottery_nextid_next(&id, NID(f)));
    CALL(pottery_nextid_repr(&t, NID(f)));
    pottery_free(t);
}

const fuzz_op fuzz_ops[] = {
    ONE_CALL_OPS(ENTRY){ "dict_iter", op_dict_iter, 0 },
    { "set_iter", op_set_iter, 0 },
    { "set_contains_many", op_set_contains_many, 0 },
    { "list_iter", op_list_iter, 0 },
    { "list_get_slice_values", op_list_get_slice_values, 0 },
    { "list_extend_large", op_list_extend_large, 0 },
    { "deque_iter", op_deque_iter, 0 },
    { "counter_iter", op_counter_iter, 0 },
    { "counter_most_common", op_counter_most_common, 0 },
    { "cache_info", op_cache_info, 0 },
    { "cod_open_read", op_cod_open_read, 0 },
    { "hll_contains_many", op_hll_contains_many, 0 },
    { "bloom_contains_many", op_bloom_contains_many, 0 },
    { "semaphore", op_semaphore, 0 },
    { "ratelimit_try", op_ratelimit_try, 0 },
    { "rqueue_take", op_rqueue_take, 0 },
    { "rqueue_dead_letters", op_rqueue_dead_letters, 0 },
    { "rlock", op_rlock, 0 },
    { "rwlock", op_rwlock, 0 },
    { "redlock", op_redlock, 0 },
    { "redlock3", op_redlock3, 0 },
    { "redlock_with", op_redlock_with, 0 },
    { "synchronize", op_synchronize, 0 },
    { "nextid", op_nextid, 0 },
    { "client_open", fx_op_client_open, NO_SETUP },
    { "pool", fx_op_pool, NO_SETUP },
    { "aioredlock", fx_op_aioredlock, NO_SETUP },
    { "aioredlock3", fx_op_aioredlock3, NO_SETUP },
    { "aioredlock_with", fx_op_aioredlock_with, NO_SETUP },
    { "aionextid", fx_op_aionextid, NO_SETUP },
    { "aionextid3", fx_op_aionextid3, NO_SETUP },
    { "cluster", fx_op_cluster, NO_SETUP },
    { "sentinel", fx_op_sentinel, NO_SETUP },
    { "aionextid_sentinel", fx_op_aionextid_sentinel, NO_SETUP },
    { "aiowatchdog", fx_op_aiowatchdog, NO_SETUP },
};
const size_t fuzz_nops = sizeof fuzz_ops / sizeof fuzz_ops[0];
