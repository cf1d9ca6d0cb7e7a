/*
 * The fault matrix of the containers and of a handle on a pool's client view: each row is a
 * module's representative write and read, run by test_module_faults_run.c against a killed,
 * a frozen and a slow server, a key of another Redis type and a key of foreign bytes (see
 * test_module_faults.h). The coordination primitives' rows are in
 * test_module_faults_coord.c; replies a real server never sends (wrong RESP types, cut and
 * trickled replies) are tests/test_faulty_server.c's.
 *
 * Row           write            read (after write n)      wrongtype          foreign
 * dict          set a=n          get a == n                string: WRONGTYPE  field not JSON: EDECODE
 * set           add n            contains n                string: WRONGTYPE  member not JSON: to_json EDECODE
 * list          append n         [-1] == n                 string: WRONGTYPE  element not JSON: EDECODE
 * deque         append n         peek == n                 string: WRONGTYPE  element not JSON: EDECODE
 * counter       c[a] = n         c[a] == n                 string: WRONGTYPE  count "abc": EDECODE
 * queue         put n            get == n (probe: qsize)   string: WRONGTYPE  entry not JSON: EDECODE
 * cache         f(n), a miss     f(n) a hit, == 10n        string: WRONGTYPE  entry not JSON: EDECODE
 * cod           d[a] = n         a new handle hydrates a   string: WRONGTYPE  cached value not JSON:
 *                                (its reads are local)                        EDECODE at open
 * bloom         add n            n in filter               hash: WRONGTYPE    record not the format:
 *                                                                             EDECODE at open
 * hll           add n            n in hll                  list: WRONGTYPE    a string that is not a
 *                                                                             HyperLogLog: EREDIS
 *                                                                             (Redis' INVALIDOBJ; an
 *                                                                             HLL decodes no values)
 * pool          dict set a=n on a pool's client view, get a == n: as dict
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "support/test_fixture.h"
#include "test_module_faults.h"

static void check_int(pottery_value *v, int64_t n)
{
    assert_value_int(v, n);
    pottery_value_dispose(v);
}

/* ---- dict ---- */

FAULTS_HANDLE(dict)
static int dict_write(void *h, int64_t n)
{
    return pottery_dict_set(h, pottery_str("a"), pottery_int(n));
}
static int dict_read(void *h, int64_t n)
{
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_dict_get(&v, h, pottery_str("a"));
    if (rc == 0) check_int(&v, n);
    return rc;
}

/* ---- set ---- */

FAULTS_HANDLE(set)
static int set_write(void *h, int64_t n)
{
    return pottery_set_add(h, pottery_int(n));
}
static int set_read(void *h, int64_t n)
{
    int in = -1;
    int rc = pottery_set_contains(&in, h, pottery_int(n));
    if (rc == 0) assert_int_equal(in, 1);
    return rc;
}
/* contains never decodes (it looks the encoded element up): a snapshot decodes them all. */
static int set_snapshot(void *h)
{
    char *json = NULL;
    int rc = pottery_set_to_json(&json, NULL, h);
    pottery_free(json);
    return rc;
}

/* ---- list ---- */

FAULTS_HANDLE(list)
static int list_write(void *h, int64_t n)
{
    return pottery_list_append(h, pottery_int(n));
}
static int list_read(void *h, int64_t n)
{
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_list_get(&v, h, -1);
    if (rc == 0) check_int(&v, n);
    return rc;
}

/* ---- deque ---- */

FAULTS_HANDLE(deque)
static int deque_write(void *h, int64_t n)
{
    return pottery_deque_append(h, pottery_int(n));
}
static int deque_read(void *h, int64_t n)
{
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_deque_peek(&v, h);
    if (rc == 0) check_int(&v, n);
    return rc;
}

/* ---- counter ---- */

FAULTS_HANDLE(counter)
static int counter_write(void *h, int64_t n)
{
    return pottery_counter_set(h, pottery_str("a"), n);
}
static int counter_read(void *h, int64_t n)
{
    int64_t count = -1;
    int rc = pottery_counter_get(&count, h, pottery_str("a"));
    if (rc == 0) assert_int_equal(count, n);
    return rc;
}

/* ---- queue ---- */

FAULTS_HANDLE(queue)
static int queue_write(void *h, int64_t n)
{
    return pottery_queue_put(h, pottery_int(n));
}
static int queue_read(void *h, int64_t n)
{
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery_queue_get_nowait(&v, h);
    if (rc == 0) check_int(&v, n);
    return rc;
}
static int queue_probe(void *h, int64_t n)
{
    (void)n;
    int64_t size;
    return pottery_queue_qsize(&size, h);
}

/* ---- cache: f(n) = 10 n, counting the calls of f ---- */

typedef struct cache_row {
    pottery_cache *cache;
    int calls;
} cache_row;

static int times_ten(pottery_value *result, const pottery_value *args, size_t nargs, void *payload)
{
    cache_row *row = payload;
    row->calls++;
    assert_int_equal(nargs, 1);
    *result = pottery_int(10 * pottery_value_int(&args[0]));
    return 0;
}
static int cache_open(void **h, const fault_target *t)
{
    cache_row *row = calloc(1, sizeof *row);
    assert_non_null(row);
    int rc = pottery_cache_open(&row->cache, t->client, "k", times_ten, row, NULL);
    if (rc != 0)
        free(row);
    else
        *h = row;
    return rc;
}
static void cache_close(void *h)
{
    cache_row *row = h;
    pottery_cache_free(row->cache);
    free(row);
}
static int cache_call(cache_row *row, int64_t n)
{
    pottery_value arg = pottery_int(n), v = POTTERY_VALUE_INIT;
    int rc = pottery_cache_call(&v, row->cache, &arg, 1);
    if (rc == 0) check_int(&v, 10 * n);
    return rc;
}
static int cache_write(void *h, int64_t n)
{
    cache_row *row = h;
    int calls = row->calls, rc = cache_call(row, n);
    if (rc == 0) assert_int_equal(row->calls, calls + 1); /* a miss: computed and stored */
    return rc;
}
static int cache_read(void *h, int64_t n)
{
    cache_row *row = h;
    int calls = row->calls, rc = cache_call(row, n);
    if (rc == 0) assert_int_equal(row->calls, calls); /* a hit */
    return rc;
}

/* ---- cached_ordered_dict: writes go to Redis, reads are local; an open hydrates ---- */

typedef struct cod_row {
    pottery_cached_ordered_dict *d;
    pottery_client *client;
} cod_row;

static int cod_open_on(pottery_cached_ordered_dict **d, pottery_client *c)
{
    pottery_value keys[1] = { pottery_str("a") };
    return pottery_cached_ordered_dict_open(d, c, "k", keys, 1, NULL);
}
static int cod_open(void **h, const fault_target *t)
{
    cod_row *row = calloc(1, sizeof *row);
    assert_non_null(row);
    row->client = t->client;
    int rc = cod_open_on(&row->d, t->client);
    if (rc != 0)
        free(row);
    else
        *h = row;
    return rc;
}
static void cod_close(void *h)
{
    cod_row *row = h;
    pottery_cached_ordered_dict_free(row->d);
    free(row);
}
static int cod_write(void *h, int64_t n)
{
    cod_row *row = h;
    return pottery_cached_ordered_dict_set(row->d, pottery_str("a"), pottery_int(n));
}
static int cod_read(void *h, int64_t n)
{
    cod_row *row = h;
    pottery_cached_ordered_dict *fresh = NULL;
    int rc = cod_open_on(&fresh, row->client);
    if (rc != 0) return rc;
    pottery_value v = POTTERY_VALUE_INIT;
    assert_ok(pottery_cached_ordered_dict_get(&v, fresh, pottery_str("a")));
    check_int(&v, n);
    pottery_cached_ordered_dict_free(fresh);
    return 0;
}

/* ---- bloom ---- */

static int bloom_open(void **h, const fault_target *t)
{
    return pottery_bloom_open((pottery_bloom **)h, t->client, "k", 100, 0.01, NULL);
}
static void bloom_close(void *h)
{
    pottery_bloom_free(h);
}
static int bloom_write(void *h, int64_t n)
{
    return pottery_bloom_add(h, pottery_int(n));
}
static int bloom_read(void *h, int64_t n)
{
    int in = -1;
    int rc = pottery_bloom_contains(&in, h, pottery_int(n));
    if (rc == 0) assert_int_equal(in, 1);
    return rc;
}

/* ---- hll ---- */

static int hll_open(void **h, const fault_target *t)
{
    return pottery_hll_open((pottery_hll **)h, t->client, "k", NULL, 0);
}
static void hll_close(void *h)
{
    pottery_hll_free(h);
}
static int hll_write(void *h, int64_t n)
{
    return pottery_hll_add(h, pottery_int(n));
}
static int hll_read(void *h, int64_t n)
{
    int in = -1;
    int rc = pottery_hll_contains(&in, h, pottery_int(n));
    if (rc == 0) assert_int_equal(in, 1);
    return rc;
}

static int hll_write_one(void *h)
{
    return hll_write(h, 1);
}

/* ---- a dict on a pool's client view ---- */

typedef struct pool_row {
    pottery_pool *pool;
    pottery_dict *dict;
} pool_row;

static int pool_open(void **h, const fault_target *t)
{
    pool_row *row = calloc(1, sizeof *row);
    assert_non_null(row);
    pottery_client_options copts;
    pottery_client_options_init(&copts);
    copts.command_timeout_ms = t->command_timeout_ms;
    copts.connect_timeout_ms = 500;
    pottery_pool_options popts;
    pottery_pool_options_init(&popts);
    popts.size = 2;
    popts.client = &copts;
    int rc = pottery_pool_open(&row->pool, t->url, &popts);
    if (rc == 0) rc = pottery_dict_open(&row->dict, pottery_pool_client(row->pool), "k", NULL);
    if (rc != 0) {
        pottery_pool_free(row->pool);
        free(row);
    } else {
        *h = row;
    }
    return rc;
}
static void pool_close(void *h)
{
    pool_row *row = h;
    pottery_dict_free(row->dict);
    pottery_pool_free(row->pool);
    free(row);
}
static int pool_write(void *h, int64_t n)
{
    return dict_write(((pool_row *)h)->dict, n);
}
static int pool_read(void *h, int64_t n)
{
    return dict_read(((pool_row *)h)->dict, n);
}

/* ---- the table ---- */

#define OPS(m) .module = #m, .open = m##_open, .close = m##_close, .write = m##_write, .read = m##_read
#define CMD(...)                                                                                                       \
    {                                                                                                                  \
        {                                                                                                              \
            __VA_ARGS__, NULL                                                                                          \
        }                                                                                                              \
    }
#define WRONGTYPE_STRING                                                                                               \
    {                                                                                                                  \
        CMD("SET", "k", "plain"), "k", NULL, POTTERY_EREDIS, "WRONGTYPE", FOREIGN_KEPT                                 \
    }
#define DECODE(seed, call, outcome)                                                                                    \
    {                                                                                                                  \
        seed, "k", call, POTTERY_EDECODE, NULL, outcome                                                                \
    }

static const fault_row rows[] = {
    { OPS(dict), .wrongtype = WRONGTYPE_STRING,
      .foreign = { CMD("HSET", "k", "\"a\"", "not json"), "k", NULL, POTTERY_EDECODE, "invalid JSON", FOREIGN_KEPT } },
    { OPS(set), .wrongtype = WRONGTYPE_STRING,
      .foreign = DECODE(CMD("SADD", "k", "not json"), set_snapshot, FOREIGN_KEPT) },
    { OPS(list), .wrongtype = WRONGTYPE_STRING, .foreign = DECODE(CMD("RPUSH", "k", "not json"), NULL, FOREIGN_KEPT) },
    { OPS(deque), .wrongtype = WRONGTYPE_STRING, .foreign = DECODE(CMD("RPUSH", "k", "not json"), NULL, FOREIGN_KEPT) },
    { OPS(counter), .wrongtype = WRONGTYPE_STRING,
      .foreign = DECODE(CMD("HSET", "k", "\"a\"", "abc"), NULL, FOREIGN_KEPT) },
    { OPS(queue), .probe = queue_probe, .wrongtype = WRONGTYPE_STRING,
      .foreign = DECODE(CMD("XADD", "k", "*", "item", "not json"), NULL, FOREIGN_KEPT) },
    /* A lookup slides the hash's expiry in the script that reads the entry, before the
     * client decodes it. */
    { OPS(cache), .wrongtype = WRONGTYPE_STRING,
      .foreign = DECODE(CMD("HSET", "k", "[1]", "not json"), NULL, FOREIGN_EXPIRY_SLID) },
    /* The open reads the cache (and slides its expiry, as any open that reads). */
    { .module = "cached_ordered_dict",
      .open = cod_open,
      .close = cod_close,
      .write = cod_write,
      .read = cod_read,
      .wrongtype = WRONGTYPE_STRING,
      .foreign = DECODE(CMD("HSET", "k", "\"a\"", "not json"), NULL, FOREIGN_EXPIRY_SLID) },
    /* The bitmap is any string: the foreign bytes that matter are the record's, read by the open. */
    { OPS(bloom), .wrongtype = { CMD("HSET", "k", "f", "v"), "k", NULL, POTTERY_EREDIS, "WRONGTYPE", FOREIGN_KEPT },
      .foreign = { CMD("SET", "{k}:bloom", "not a record"), "{k}:bloom", NULL, POTTERY_EDECODE, NULL, FOREIGN_KEPT } },
    /* A HyperLogLog decodes no values: foreign bytes are a string that is not one, which
     * Redis refuses. */
    { OPS(hll), .wrongtype = { CMD("RPUSH", "k", "x"), "k", NULL, POTTERY_EREDIS, "WRONGTYPE", FOREIGN_KEPT },
      .foreign = { CMD("SET", "k", "not a hyperloglog"), "k", hll_write_one, POTTERY_EREDIS, NULL, FOREIGN_KEPT } },
    { OPS(pool), .wrongtype = WRONGTYPE_STRING,
      .foreign = { CMD("HSET", "k", "\"a\"", "not json"), "k", NULL, POTTERY_EDECODE, "invalid JSON", FOREIGN_KEPT } },
};

int main(void)
{
    return faults_run_matrix(rows, sizeof rows / sizeof rows[0]);
}
