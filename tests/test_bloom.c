/* pottery_bloom against a private redis-server: pottery's sizes, hashes and raw bitmap bit
 * for bit, the seed README's session, the record of the parameters, error rates, round-trip
 * budgets, bad input. */
#include <setjmp.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bloom_impl.h"
#include "pottery.h"
#include "support/test_fixture.h"

static pottery_bloom *open_bloom_on(pottery_client *c, const char *key, int64_t n, double p,
                                    pottery_bloom_hashing hashing)
{
    pottery_bloom_options opts;
    pottery_bloom_options_init(&opts);
    opts.hashing = hashing;
    pottery_bloom *bf = NULL;
    assert_ok(pottery_bloom_open(&bf, c, key, n, p, &opts));
    return bf;
}

static pottery_bloom *open_bloom(const char *key, int64_t n, double p, pottery_bloom_hashing hashing)
{
    return open_bloom_on(client, key, n, p, hashing);
}

/* A client whose command timeout leaves room for batches of 100,000 under sanitizers on a
 * loaded machine. */
static pottery_client *patient_client(void)
{
    pottery_client_options o = POTTERY_CLIENT_OPTIONS_INIT;
    o.command_timeout_ms = 30000;
    return open_client(fixture_url(), &o);
}

static pottery_bloom *open_dilberts(void)
{
    return open_bloom("dilberts", 100, 0.01, POTTERY_BLOOM_HASHING_POTTERY);
}

static int contains(pottery_bloom *bf, const char *s)
{
    int answer = -1;
    assert_ok(pottery_bloom_contains(&answer, bf, pottery_str(s)));
    return answer;
}

static int64_t len_of(pottery_bloom *bf)
{
    int64_t n = -1;
    assert_ok(pottery_bloom_len(&n, bf));
    return n;
}

/* A fixed pseudo-random sequence of distinct strings: 16 hex digits of a full-period LCG
 * (distinct for 2^64 steps), prefixed to keep families apart. */
static pottery_value *random_strings(size_t n, char prefix, uint64_t seed, char (**texts)[24])
{
    pottery_value *v = malloc(n * sizeof *v);
    char(*t)[24] = malloc(n * sizeof *t);
    assert_non_null(v);
    assert_non_null(t);
    uint64_t x = seed;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        snprintf(t[i], sizeof t[i], "%c%016llx", prefix, (unsigned long long)x);
        v[i] = pottery_str(t[i]);
    }
    *texts = t;
    return v;
}

/* ---- pottery's arithmetic ---- */

static void test_sizes_match_pottery(void **state)
{
    (void)state;
    static const struct {
        int64_t n;
        double p;
        int64_t m;
        int k;
    } vectors[] = {
        { 100, 0.1, 480, 4 },       { 1000, 0.1, 4793, 4 }, { 100, 0.01, 959, 7 },    { 1000, 0.01, 9586, 7 },
        { 1000, 0.001, 14378, 10 }, { 4, 0.01, 39, 7 },     { 5000, 0.01, 47926, 7 },
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        pottery_bloom *bf = open_bloom("sized", vectors[i].n, vectors[i].p, POTTERY_BLOOM_HASHING_POTTERY);
        assert_int_equal(pottery_bloom_size(bf), vectors[i].m);
        assert_int_equal(pottery_bloom_num_hashes(bf), vectors[i].k);
        assert_int_equal(pottery_bloom_num_elements(bf), vectors[i].n);
        assert_true(pottery_bloom_false_positives(bf) == vectors[i].p);
        pottery_bloom_free(bf);
    }
}

static void test_murmur3_and_offsets_match_pottery(void **state)
{
    (void)state;
    assert_int_equal(pottery__bloom_murmur3("hello", 5, 0), 613153351u);
    static const struct {
        const char *name;
        int64_t offsets[7];
    } vectors[] = {
        { "rajiv", { 183, 319, 787, 585, 8, 471, 711 } },  { "raj", { 482, 875, 725, 667, 109, 714, 595 } },
        { "dan", { 687, 925, 954, 707, 615, 914, 620 } },  { "eric", { 835, 659, 538, 346, 503, 809, 303 } },
        { "luis", { 615, 283, 907, 292, 326, 826, 933 } },
    };
    pottery_bloom *bf = open_dilberts();
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        int64_t got[7] = { 0 };
        assert_ok(pottery_bloom_offsets(got, bf, pottery_str(vectors[i].name)));
        for (int j = 0; j < 7; j++) assert_int_equal(got[j], vectors[i].offsets[j]);
    }
    pottery_bloom_free(bf);
}

static void test_xxh3_offsets(void **state)
{
    (void)state;
    pottery_bloom *bf = open_bloom("fast", 1000, 0.001, POTTERY_BLOOM_HASHING_XXH3);
    int64_t a[10], b[10];
    assert_ok(pottery_bloom_offsets(a, bf, pottery_str("rajiv")));
    assert_ok(pottery_bloom_offsets(b, bf, pottery_str("rajiv")));
    int64_t step = (a[1] - a[0] + 14378) % 14378;
    assert_true(step != 0);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(a[i], b[i]);
        assert_true(a[i] >= 0 && a[i] < 14378);
        assert_int_equal(a[i], (a[0] + i * step) % 14378); /* double hashing */
    }
    assert_ok(pottery_bloom_add(bf, pottery_str("rajiv")));
    assert_int_equal(contains(bf, "rajiv"), 1);
    assert_raw("m=14378 k=10 hashing=xxh3", raw("GET", "{fast}:bloom", NULL));
    for (int i = 0; i < 10; i++) {
        char off[24];
        snprintf(off, sizeof off, "%lld", (long long)a[i]);
        assert_raw("1", raw("GETBIT", "fast", off, NULL));
    }
    pottery_bloom_free(bf);
}

/* ---- the seed README, and the bitmap pottery would have written ---- */

static void test_readme_session(void **state)
{
    (void)state;
    pottery_bloom *dilberts = open_dilberts();
    char *repr = NULL;
    assert_ok(pottery_bloom_repr(&repr, dilberts));
    assert_string_equal(repr, "<BloomFilter key=dilberts>");
    pottery_free(repr);

    assert_ok(pottery_bloom_add(dilberts, pottery_str("rajiv")));
    assert_int_equal(contains(dilberts, "rajiv"), 1);
    assert_int_equal(contains(dilberts, "raj"), 0);
    assert_int_equal(contains(dilberts, "dan"), 0);
    assert_int_equal(len_of(dilberts), 1);

    pottery_value more[] = { pottery_str("raj"), pottery_str("dan") };
    assert_ok(pottery_bloom_update(dilberts, more, 2));
    pottery_value probe[] = { pottery_str("rajiv"), pottery_str("raj"), pottery_str("dan"), pottery_str("luis") };
    int answers[4] = { -1, -1, -1, -1 };
    assert_ok(pottery_bloom_contains_many(answers, dilberts, probe, 4));
    assert_int_equal(answers[0], 1);
    assert_int_equal(answers[1], 1);
    assert_int_equal(answers[2], 1);
    assert_int_equal(answers[3], 0);
    assert_int_equal(len_of(dilberts), 3);

    assert_ok(pottery_bloom_clear(dilberts));
    assert_int_equal(len_of(dilberts), 0);
    assert_raw("0", raw("EXISTS", "dilberts", "{dilberts}:bloom", NULL));
    pottery_bloom_free(dilberts);
}

static void test_raw_state_is_pottery_s(void **state)
{
    (void)state;
    pottery_bloom *bf = open_dilberts();
    assert_ok(pottery_bloom_add(bf, pottery_str("rajiv")));
    static const char *const set[] = { "8", "183", "319", "471", "585", "711", "787" };
    for (size_t i = 0; i < 7; i++) assert_raw("1", raw("GETBIT", "dilberts", set[i], NULL));
    assert_raw("0", raw("GETBIT", "dilberts", "0", NULL));
    assert_raw("0", raw("GETBIT", "dilberts", "482", NULL));
    assert_raw("7", raw("BITCOUNT", "dilberts", NULL));
    assert_raw("99", raw("STRLEN", "dilberts", NULL));
    assert_raw("string", raw("TYPE", "dilberts", NULL));
    assert_raw("m=959 k=7 hashing=pottery", raw("GET", "{dilberts}:bloom", NULL));
    pottery_bloom_free(bf);
    assert_raw("1", raw("EXISTS", "dilberts", NULL)); /* not a temporary key */
}

/* A bitmap written as pottery writes it (SETBIT, no record). */
static void setbits(const char *key, const char *const *offsets, size_t n)
{
    for (size_t i = 0; i < n; i++) free(raw("SETBIT", key, offsets[i], "1", NULL));
}

static void test_bitmap_written_by_pottery(void **state)
{
    (void)state;
    static const char *const rajiv[] = { "183", "319", "787", "585", "8", "471", "711" };
    setbits("dilberts", rajiv, 7);
    pottery_bloom *bf = open_dilberts();
    assert_int_equal(contains(bf, "rajiv"), 1);
    assert_int_equal(contains(bf, "raj"), 0);
    assert_int_equal(len_of(bf), 1);
    assert_raw("0", raw("EXISTS", "{dilberts}:bloom", NULL)); /* reads add no record */

    /* XXH3 cannot read MurmurHash3's bits */
    pottery_bloom *fast = NULL;
    pottery_bloom_options opts;
    pottery_bloom_options_init(&opts);
    opts.hashing = POTTERY_BLOOM_HASHING_XXH3;
    assert_code(POTTERY_ESTATE, pottery_bloom_open(&fast, client, "dilberts", 100, 0.01, &opts));
    assert_null(fast);
    assert_message_contains("no record");

    /* the first write adds the record */
    assert_ok(pottery_bloom_add(bf, pottery_str("raj")));
    assert_raw("m=959 k=7 hashing=pottery", raw("GET", "{dilberts}:bloom", NULL));
    assert_raw("14", raw("BITCOUNT", "dilberts", NULL));
    pottery_bloom_free(bf);
}

/* len: pottery's estimate for X bits set, saturated when every bit is. */
static void test_len_vectors_and_saturation(void **state)
{
    (void)state;
    pottery_bloom *bf = open_dilberts();
    static const int64_t expected[] = { 0, 1, 2, 3, 4 };
    for (int x = 0; x <= 4; x++) {
        free(raw("DEL", "dilberts", NULL));
        for (int b = 0; b < 7 * x; b++) {
            char off[16];
            snprintf(off, sizeof off, "%d", b * 13);
            free(raw("SETBIT", "dilberts", off, "1", NULL));
        }
        assert_int_equal(len_of(bf), expected[x]);
    }
    pottery_bloom_free(bf);

    pottery_bloom *tiny = open_bloom("tiny", 4, 0.01, POTTERY_BLOOM_HASHING_POTTERY); /* m = 39 */
    free(raw("SET", "tiny", "\xff\xff\xff\xff\xfc", NULL));                           /* 38 bits */
    int64_t n = len_of(tiny);
    assert_true(n > 4 && n < 100);
    free(raw("SET", "tiny", "\xff\xff\xff\xff\xff", NULL)); /* 40 >= m */
    assert_int_equal(len_of(tiny), POTTERY_BLOOM_LEN_SATURATED);
    pottery_bloom_free(tiny);
}

/* ---- the record ---- */

static void test_other_parameters_are_refused(void **state)
{
    (void)state;
    pottery_bloom *bf = open_dilberts();
    assert_ok(pottery_bloom_add(bf, pottery_str("rajiv")));

    pottery_bloom *other = NULL;
    assert_code(POTTERY_ESTATE, pottery_bloom_open(&other, client, "dilberts", 1000, 0.01, NULL));
    assert_null(other);
    assert_message_contains("m=959 k=7 hashing=pottery");
    assert_message_contains("m=9586 k=7 hashing=pottery");

    pottery_bloom_options opts;
    pottery_bloom_options_init(&opts);
    opts.hashing = POTTERY_BLOOM_HASHING_XXH3;
    assert_code(POTTERY_ESTATE, pottery_bloom_open(&other, client, "dilberts", 100, 0.01, &opts));
    assert_message_contains("hashing=xxh3");

    /* a handle opened before the filter was made with other parameters: refused at use */
    pottery_bloom *early = open_bloom("later", 1000, 0.01, POTTERY_BLOOM_HASHING_POTTERY);
    pottery_bloom *first = open_bloom("later", 100, 0.01, POTTERY_BLOOM_HASHING_POTTERY);
    assert_ok(pottery_bloom_add(first, pottery_str("rajiv")));
    char *before = raw("GET", "later", NULL);
    int answer = -1, many[1] = { -1 };
    int64_t n = -1;
    pottery_value v = pottery_str("x");
    assert_code(POTTERY_ESTATE, pottery_bloom_add(early, pottery_str("x")));
    assert_code(POTTERY_ESTATE, pottery_bloom_update(early, &v, 1));
    assert_code(POTTERY_ESTATE, pottery_bloom_contains(&answer, early, v));
    assert_code(POTTERY_ESTATE, pottery_bloom_contains_many(many, early, &v, 1));
    assert_code(POTTERY_ESTATE, pottery_bloom_len(&n, early));
    assert_int_equal(answer, -1);
    assert_int_equal(many[0], -1);
    assert_int_equal(n, -1);
    assert_raw(before, raw("GET", "later", NULL));
    free(before);
    assert_raw("m=959 k=7 hashing=pottery", raw("GET", "{later}:bloom", NULL));
    pottery_bloom_free(first);
    pottery_bloom_free(early);
    pottery_bloom_free(bf);
}

static void test_stale_record_is_replaced(void **state)
{
    (void)state;
    pottery_bloom *bf = open_dilberts();
    assert_ok(pottery_bloom_add(bf, pottery_str("rajiv")));
    free(raw("DEL", "dilberts", NULL)); /* pottery's clear() leaves the record */
    pottery_bloom *other = open_bloom("dilberts", 1000, 0.01, POTTERY_BLOOM_HASHING_POTTERY);
    assert_int_equal(contains(other, "rajiv"), 0);
    assert_int_equal(len_of(other), 0);
    assert_ok(pottery_bloom_add(other, pottery_str("rajiv")));
    assert_raw("m=9586 k=7 hashing=pottery", raw("GET", "{dilberts}:bloom", NULL));
    assert_int_equal(contains(other, "rajiv"), 1);
    pottery_bloom_free(other);
    pottery_bloom_free(bf);
}

static void test_record_beside_in_cluster_slot(void **state)
{
    (void)state;
    pottery_bloom *bf = open_bloom("{user}:bf", 100, 0.01, POTTERY_BLOOM_HASHING_POTTERY);
    assert_ok(pottery_bloom_add(bf, pottery_str("rajiv")));
    assert_raw("m=959 k=7 hashing=pottery", raw("GET", "{user}:bf:bloom", NULL));
    pottery_bloom_free(bf);
}

static void test_random_key_is_deleted_with_its_record(void **state)
{
    (void)state;
    pottery_bloom *bf = NULL;
    assert_round_trips(1, pottery_bloom_open(&bf, client, NULL, 100, 0.01, NULL)); /* EXISTS */
    assert_random_key(pottery_bloom_key(bf));
    char key[64], record[80];
    snprintf(key, sizeof key, "%s", pottery_bloom_key(bf));
    snprintf(record, sizeof record, "{%s}:bloom", key);
    assert_ok(pottery_bloom_add(bf, pottery_str("rajiv")));
    assert_raw("2", raw("EXISTS", key, record, NULL));
    pottery_bloom_free(bf);
    assert_raw("0", raw("EXISTS", key, record, NULL));
}

static void test_foreign_record(void **state)
{
    (void)state;
    free(raw("SET", "{dilberts}:bloom", "not a record", NULL));
    pottery_bloom *bf = NULL;
    assert_code(POTTERY_EDECODE, pottery_bloom_open(&bf, client, "dilberts", 100, 0.01, NULL));
    assert_null(bf);
    assert_message_contains("not a record");

    /* a handle opened before the record went bad */
    free(raw("DEL", "{dilberts}:bloom", NULL));
    bf = open_dilberts();
    free(raw("SET", "{dilberts}:bloom", "not a record", NULL));
    int answer = -1;
    int64_t n = -1;
    assert_code(POTTERY_EDECODE, pottery_bloom_add(bf, pottery_str("rajiv")));
    assert_code(POTTERY_EDECODE, pottery_bloom_contains(&answer, bf, pottery_str("rajiv")));
    assert_code(POTTERY_EDECODE, pottery_bloom_len(&n, bf));
    assert_raw("not a record", raw("GET", "{dilberts}:bloom", NULL));
    assert_raw("0", raw("EXISTS", "dilberts", NULL));

    free(raw("DEL", "{dilberts}:bloom", NULL));
    free(raw("RPUSH", "{dilberts}:bloom", "x", NULL));
    assert_code(POTTERY_EDECODE, pottery_bloom_add(bf, pottery_str("rajiv")));
    assert_message_contains("list");
    assert_raw("0", raw("EXISTS", "dilberts", NULL));
    pottery_bloom_free(bf);
}

/* A batch whose offsets would fill an image but are few once repeats are dropped travels
 * as its offsets, with the same bits as one add. */
static void test_repeated_batch_as_offsets(void **state)
{
    (void)state;
    enum { COUNT = 2000 };
    pottery_value values[COUNT];
    for (int i = 0; i < COUNT; i++) values[i] = pottery_str("same");
    pottery_bloom *once = open_bloom("once", 10000, 0.01, POTTERY_BLOOM_HASHING_POTTERY);
    pottery_bloom *many = open_bloom("many", 10000, 0.01, POTTERY_BLOOM_HASHING_POTTERY);
    assert_ok(pottery_bloom_add(once, pottery_str("same")));
    assert_round_trips(1, pottery_bloom_update(many, values, COUNT));
    assert_raw("7", raw("BITCOUNT", "many", NULL));
    char *len = raw("STRLEN", "once", NULL);
    assert_raw(len, raw("STRLEN", "many", NULL));
    free(len);
    int64_t off[7];
    assert_ok(pottery_bloom_offsets(off, many, pottery_str("same")));
    for (int i = 0; i < 7; i++) {
        char text[24];
        snprintf(text, sizeof text, "%lld", (long long)off[i]);
        assert_raw("1", raw("GETBIT", "many", text, NULL));
    }
    assert_raw("", raw("KEYS", "*bloom-image*", NULL));
    pottery_bloom_free(once);
    pottery_bloom_free(many);
}

/* A large batch on a small filter travels as an image of its bits, ORed in by the server:
 * the same bits, the same length, the record written, no scratch key left. */
static void test_batch_as_image(void **state)
{
    (void)state;
    enum { COUNT = 3000 };
    static char texts[COUNT][16];
    pottery_value values[COUNT];
    for (int i = 0; i < COUNT; i++) {
        snprintf(texts[i], sizeof texts[i], "e%d", i);
        values[i] = pottery_str(texts[i]);
    }
    pottery_bloom *one_by_one = open_bloom("singly", 1000, 0.01, POTTERY_BLOOM_HASHING_POTTERY);
    pottery_bloom *batched = open_bloom("batched", 1000, 0.01, POTTERY_BLOOM_HASHING_POTTERY);
    assert_ok(pottery_bloom_add(batched, pottery_str("first"))); /* existing bits are kept */
    assert_ok(pottery_bloom_add(one_by_one, pottery_str("first")));
    for (int i = 0; i < COUNT; i++) assert_ok(pottery_bloom_add(one_by_one, values[i]));
    assert_round_trips(1, pottery_bloom_update(batched, values, COUNT));
    char *singly = raw("GET", "singly", NULL), *batch = raw("GET", "batched", NULL);
    assert_non_null(singly);
    assert_non_null(batch);
    assert_string_equal(singly, batch); /* bit for bit (no NUL inside: the filter is full) */
    free(singly);
    free(batch);
    char *len = raw("STRLEN", "singly", NULL), *bits = raw("BITCOUNT", "singly", NULL);
    assert_raw(len, raw("STRLEN", "batched", NULL));
    assert_raw(bits, raw("BITCOUNT", "batched", NULL));
    free(len);
    free(bits);
    assert_raw("m=9586 k=7 hashing=pottery", raw("GET", "{batched}:bloom", NULL));
    assert_raw("", raw("KEYS", "*bloom-image*", NULL));

    /* on a bitmap of another type, nothing is written and no scratch key is left */
    free(raw("DEL", "batched", "{batched}:bloom", NULL));
    free(raw("RPUSH", "batched", "x", NULL));
    assert_code(POTTERY_EREDIS, pottery_bloom_update(batched, values, COUNT));
    assert_raw("", raw("KEYS", "*bloom-image*", NULL));
    assert_raw("0", raw("EXISTS", "{batched}:bloom", NULL));
    pottery_bloom_free(batched);
    pottery_bloom_free(one_by_one);
}

static void test_wrong_redis_type(void **state)
{
    (void)state;
    pottery_bloom *bf = open_dilberts();
    free(raw("RPUSH", "dilberts", "x", NULL));
    pottery_bloom *other = NULL;
    assert_wrongtype(pottery_bloom_open(&other, client, "dilberts", 100, 0.01, NULL));
    assert_null(other);
    int answer = -1, many[2];
    int64_t n = -1;
    pottery_value v[2] = { pottery_str("a"), pottery_str("b") };
    assert_wrongtype(pottery_bloom_add(bf, v[0]));
    assert_wrongtype(pottery_bloom_update(bf, v, 2));
    assert_wrongtype(pottery_bloom_contains(&answer, bf, v[0]));
    assert_wrongtype(pottery_bloom_contains_many(many, bf, v, 2));
    assert_wrongtype(pottery_bloom_len(&n, bf));
    assert_raw("0", raw("EXISTS", "{dilberts}:bloom", NULL)); /* nothing written */
    assert_raw("1", raw("LLEN", "dilberts", NULL));
    pottery_bloom_free(bf);
}

/* ---- error rates ---- */

static void no_false_negatives(pottery_bloom_hashing hashing)
{
    enum { N = 100000 };
    char(*texts)[24];
    pottery_value *values = random_strings(N, 'e', 1, &texts);
    pottery_client *patient = patient_client();
    pottery_bloom *bf = open_bloom_on(patient, "big", N, 0.01, hashing);
    pottery_client_stats before, after;
    pottery_client_stats_get(&before, patient);
    assert_ok(pottery_bloom_update(bf, values, N)); /* several chunks, streamed */
    int *answers = malloc(N * sizeof *answers);
    assert_non_null(answers);
    assert_ok(pottery_bloom_contains_many(answers, bf, values, N));
    pottery_client_stats_get(&after, patient);
    assert_int_equal(after.round_trips - before.round_trips, 2);
    for (size_t i = 0; i < N; i++) assert_int_equal(answers[i], 1);
    int64_t n = len_of(bf);
    assert_true(n > N * 95 / 100 && n < N * 105 / 100);
    free(answers);
    free(values);
    free(texts);
    pottery_bloom_free(bf);
    pottery_client_free(patient);
}

static void test_no_false_negatives(void **state)
{
    (void)state;
    no_false_negatives(POTTERY_BLOOM_HASHING_POTTERY);
    free(raw("FLUSHALL", NULL));
    no_false_negatives(POTTERY_BLOOM_HASHING_XXH3);
}

static double false_positive_rate(int64_t n, double p, pottery_bloom_hashing hashing)
{
    enum { PROBES = 100000 };
    char(*added_texts)[24], (*probe_texts)[24];
    pottery_value *added = random_strings((size_t)n, 'a', 7, &added_texts);
    pottery_value *probes = random_strings(PROBES, 'q', 11, &probe_texts); /* never added */
    free(raw("FLUSHALL", NULL));
    pottery_client *patient = patient_client();
    pottery_bloom *bf = open_bloom_on(patient, "rate", n, p, hashing);
    assert_ok(pottery_bloom_update(bf, added, (size_t)n));
    int *answers = malloc(PROBES * sizeof *answers);
    assert_non_null(answers);
    assert_ok(pottery_bloom_contains_many(answers, bf, probes, PROBES));
    size_t positives = 0;
    for (size_t i = 0; i < PROBES; i++) positives += (size_t)answers[i];
    free(answers);
    free(added);
    free(added_texts);
    free(probes);
    free(probe_texts);
    pottery_bloom_free(bf);
    pottery_client_free(patient);
    return (double)positives / PROBES;
}

static void test_false_positive_rate(void **state)
{
    (void)state;
    static const struct {
        int64_t n;
        double p;
    } pairs[] = { { 1000, 0.1 }, { 10000, 0.01 }, { 5000, 0.001 } };
    for (size_t i = 0; i < 3; i++) {
        for (int h = 0; h < 2; h++) {
            double rate = false_positive_rate(pairs[i].n, pairs[i].p, (pottery_bloom_hashing)h);
            if (!(rate <= 1.5 * pairs[i].p))
                fail_msg("n=%lld p=%g hashing=%d: measured rate %g", (long long)pairs[i].n, pairs[i].p, h, rate);
        }
    }
}

/* ---- costs ---- */

static void test_round_trip_budgets(void **state)
{
    (void)state;
    pottery_bloom *bf = NULL;
    assert_round_trips(1, pottery_bloom_open(&bf, client, "budget", 10000, 0.01, NULL));
    assert_round_trips(1, pottery_bloom_add(bf, pottery_str("rajiv")));
    pottery_value *many = int_values(10000, 0, 1);
    assert_round_trips(1, pottery_bloom_update(bf, many, 10000));
    assert_commands(1, pottery_bloom_update(bf, many, 10000)); /* one script */
    int answer = -1;
    assert_round_trips(1, pottery_bloom_contains(&answer, bf, pottery_str("rajiv")));
    assert_int_equal(answer, 1);
    int *answers = malloc(10000 * sizeof *answers);
    assert_non_null(answers);
    assert_round_trips(1, pottery_bloom_contains_many(answers, bf, many, 10000));
    for (size_t i = 0; i < 10000; i++) assert_int_equal(answers[i], 1);
    int64_t n = -1;
    assert_round_trips(1, pottery_bloom_len(&n, bf));
    assert_true(n > 9500 && n < 10500);
    assert_round_trips(0, pottery_bloom_update(bf, NULL, 0));
    assert_round_trips(0, pottery_bloom_contains_many(answers, bf, NULL, 0));
    char *repr = NULL;
    assert_round_trips(0, pottery_bloom_repr(&repr, bf));
    pottery_free(repr);
    assert_round_trips(1, pottery_bloom_clear(bf));
    free(answers);
    free(many);
    pottery_bloom_free(bf);
}

/* ---- bad input ---- */

static void test_invalid_sizes_and_options(void **state)
{
    (void)state;
    pottery_bloom *bf = NULL;
    static const struct {
        int64_t n;
        double p;
    } bad[] = { { 0, 0.01 },  { -1, 0.01 }, { 100, 0.0 },      { 100, 1.0 },           { 100, -0.5 },
                { 100, 1.5 }, { 100, NAN }, { 100, INFINITY }, { 10000000000LL, 0.01 } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_round_trips(0, 0);
        uint64_t before = commands();
        assert_code(POTTERY_EINVAL, pottery_bloom_open(&bf, client, "bad", bad[i].n, bad[i].p, NULL));
        assert_null(bf);
        assert_int_equal(commands(), before);
    }
    assert_code(POTTERY_EINVAL, pottery_bloom_open(&bf, client, "", 100, 0.01, NULL));
    assert_code(POTTERY_EINVAL, pottery_bloom_open(NULL, client, "bad", 100, 0.01, NULL));
    assert_code(POTTERY_EINVAL, pottery_bloom_open(&bf, NULL, "bad", 100, 0.01, NULL));

    pottery_bloom_options opts = POTTERY_BLOOM_OPTIONS_INIT;
    opts.version = 0;
    assert_code(POTTERY_EINVAL, pottery_bloom_open(&bf, client, "bad", 100, 0.01, &opts));
    opts.version = POTTERY_BLOOM_OPTIONS_VERSION + 1;
    assert_code(POTTERY_EINVAL, pottery_bloom_open(&bf, client, "bad", 100, 0.01, &opts));
    pottery_bloom_options_init(&opts);
    opts.hashing = (pottery_bloom_hashing)7;
    assert_code(POTTERY_EINVAL, pottery_bloom_open(&bf, client, "bad", 100, 0.01, &opts));
    assert_null(bf);
    assert_raw("0", raw("EXISTS", "bad", NULL));
}

static void test_null_arguments(void **state)
{
    (void)state;
    pottery_bloom *bf = open_dilberts();
    int answer = -1;
    int64_t n = -1, offsets[7];
    char *text = NULL;
    pottery_value v = pottery_str("x");
    assert_code(POTTERY_EINVAL, pottery_bloom_add(NULL, v));
    assert_code(POTTERY_EINVAL, pottery_bloom_update(NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_bloom_update(bf, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_bloom_contains(NULL, bf, v));
    assert_code(POTTERY_EINVAL, pottery_bloom_contains(&answer, NULL, v));
    assert_code(POTTERY_EINVAL, pottery_bloom_contains_many(NULL, bf, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_bloom_contains_many(&answer, NULL, &v, 1));
    assert_code(POTTERY_EINVAL, pottery_bloom_contains_many(&answer, bf, NULL, 1));
    assert_code(POTTERY_EINVAL, pottery_bloom_len(NULL, bf));
    assert_code(POTTERY_EINVAL, pottery_bloom_len(&n, NULL));
    assert_code(POTTERY_EINVAL, pottery_bloom_clear(NULL));
    assert_code(POTTERY_EINVAL, pottery_bloom_repr(NULL, bf));
    assert_code(POTTERY_EINVAL, pottery_bloom_repr(&text, NULL));
    assert_code(POTTERY_EINVAL, pottery_bloom_offsets(NULL, bf, v));
    assert_code(POTTERY_EINVAL, pottery_bloom_offsets(offsets, NULL, v));
    assert_int_equal(answer, -1);
    assert_int_equal(n, -1);
    assert_null(pottery_bloom_key(NULL));
    assert_null(pottery_bloom_client(NULL));
    assert_int_equal(pottery_bloom_size(NULL), 0);
    assert_int_equal(pottery_bloom_num_hashes(NULL), 0);
    assert_int_equal(pottery_bloom_num_elements(NULL), 0);
    assert_true(pottery_bloom_false_positives(NULL) == 0.0);
    assert_string_equal(pottery_bloom_key(bf), "dilberts");
    assert_ptr_equal(pottery_bloom_client(bf), client);
    pottery_bloom_free(NULL);
    pottery_bloom_free(bf);
}

static void test_unencodable_values(void **state)
{
    (void)state;
    pottery_bloom *bf = open_dilberts();
    pottery_value bad = pottery_strn("\xff\xfe", 2); /* not UTF-8 */
    int answer = -1, many[2] = { -1, -1 };
    int64_t offsets[7];
    uint64_t before = commands();
    assert_code(POTTERY_ETYPE, pottery_bloom_add(bf, bad));
    assert_code(POTTERY_ETYPE, pottery_bloom_contains(&answer, bf, bad));
    pottery_value pair[2] = { pottery_str("ok"), bad };
    assert_code(POTTERY_ETYPE, pottery_bloom_update(bf, pair, 2));
    assert_message_contains("values[1]");
    assert_code(POTTERY_ETYPE, pottery_bloom_contains_many(many, bf, pair, 2));
    assert_code(POTTERY_ETYPE, pottery_bloom_offsets(offsets, bf, bad));
    assert_int_equal(commands(), before);
    assert_int_equal(answer, -1);
    assert_int_equal(many[0], -1);

    /* the bad value in a later chunk of a streamed batch: DISCARD, nothing written */
    enum { N = 50000 };
    pottery_value *values = int_values(N, 0, 1);
    values[N - 1] = bad;
    assert_code(POTTERY_ETYPE, pottery_bloom_update(bf, values, N));
    assert_raw("0", raw("EXISTS", "dilberts", "{dilberts}:bloom", NULL));
    int *answers = malloc(N * sizeof *answers);
    assert_non_null(answers);
    assert_code(POTTERY_ETYPE, pottery_bloom_contains_many(answers, bf, values, N));
    free(answers);
    free(values);
    assert_int_equal(contains(bf, "ok"), 0);
    pottery_bloom_free(bf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sizes_match_pottery, fixture_reset),
        cmocka_unit_test_setup(test_murmur3_and_offsets_match_pottery, fixture_reset),
        cmocka_unit_test_setup(test_xxh3_offsets, fixture_reset),
        cmocka_unit_test_setup(test_readme_session, fixture_reset),
        cmocka_unit_test_setup(test_raw_state_is_pottery_s, fixture_reset),
        cmocka_unit_test_setup(test_bitmap_written_by_pottery, fixture_reset),
        cmocka_unit_test_setup(test_len_vectors_and_saturation, fixture_reset),
        cmocka_unit_test_setup(test_other_parameters_are_refused, fixture_reset),
        cmocka_unit_test_setup(test_stale_record_is_replaced, fixture_reset),
        cmocka_unit_test_setup(test_record_beside_in_cluster_slot, fixture_reset),
        cmocka_unit_test_setup(test_random_key_is_deleted_with_its_record, fixture_reset),
        cmocka_unit_test_setup(test_foreign_record, fixture_reset),
        cmocka_unit_test_setup(test_batch_as_image, fixture_reset),
        cmocka_unit_test_setup(test_repeated_batch_as_offsets, fixture_reset),
        cmocka_unit_test_setup(test_wrong_redis_type, fixture_reset),
        cmocka_unit_test_setup(test_no_false_negatives, fixture_reset),
        cmocka_unit_test_setup(test_false_positive_rate, fixture_reset),
        cmocka_unit_test_setup(test_round_trip_budgets, fixture_reset),
        cmocka_unit_test_setup(test_invalid_sizes_and_options, fixture_reset),
        cmocka_unit_test_setup(test_null_arguments, fixture_reset),
        cmocka_unit_test_setup(test_unencodable_values, fixture_reset),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
