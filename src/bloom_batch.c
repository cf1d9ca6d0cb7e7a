/* pottery_bloom's element operations: add, update, contains, contains_many. A write is one
 * script (bloom_write, or bloom_write_image for a large batch on a small filter) that checks
 * the filter's record before touching bits; a lookup is the record's GET and a BITFIELD_RO
 * pipelined, with the bloom_read script to judge a record that is not the handle's own; a
 * batch beyond POTTERY_BLOOM_CHUNK_OFFSETS offsets is several scripts in one streamed
 * MULTI/EXEC, so memory stays bounded and the round trip stays one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bloom_impl.h"
#include "container.h"
#include "codec/codec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/random.h"
#include "lua_scripts.h"

/* The values of one call, consumed chunk by chunk. */
typedef struct batch {
    pottery_bloom *bf;
    const pottery_value *values;
    size_t n;
    size_t next;      /* the first value not yet in a chunk */
    size_t per_chunk; /* values per chunk */
    int read;         /* contains: k offsets per value, in order; add: each distinct offset once */
    int64_t *offsets; /* room for one chunk's offsets */
    pottery_buf json;
    pottery_buf image; /* a write chunk's bits as an image */
    int use_image;     /* the chunk travels as its image (settle_writes) */
    char *scratch;     /* the image's scratch key */
    const char *fn;
} batch;

static int batch_init(batch *b, pottery_bloom *bf, const pottery_value *values, size_t n, int read, const char *fn)
{
    memset(b, 0, sizeof *b);
    b->bf = bf;
    b->values = values;
    b->n = n;
    b->read = read;
    b->fn = fn;
    b->per_chunk = POTTERY_BLOOM_CHUNK_OFFSETS / (size_t)bf->k;
    if (b->per_chunk == 0) b->per_chunk = 1;
    size_t chunk = n < b->per_chunk ? n : b->per_chunk;
    b->offsets = pottery__malloc(chunk * (size_t)bf->k * sizeof *b->offsets);
    return b->offsets ? 0 : pottery__error_oom();
}

static void batch_free(batch *b)
{
    pottery__free(b->offsets);
    pottery__buf_free(&b->json);
    pottery__buf_free(&b->image);
    pottery__free(b->scratch);
}

static int compare_offsets(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sort offsets[0..n) and keep each once; returns how many remain. */
static size_t distinct(int64_t *offsets, size_t n)
{
    if (n < 2) return n;
    qsort(offsets, n, sizeof *offsets, compare_offsets);
    size_t kept = 1;
    for (size_t i = 1; i < n; i++)
        if (offsets[i] != offsets[kept - 1]) offsets[kept++] = offsets[i];
    return kept;
}

/* A write chunk's n offsets, settled: as an image of their bits in b->image (a string as
 * long as the highest one needs, bit 0 the high bit of byte 0, as Redis numbers them) when
 * that is shorter than the offsets as text (a big batch on a small filter: about a dozen
 * bytes per offset against one bit each), else sorted with each kept once. *count becomes
 * the number of distinct offsets. The image is built straight from the offsets, so a large
 * batch on a small filter needs no sort. */
static int settle_writes(batch *b, size_t *count)
{
    size_t n = *count;
    b->use_image = 0;
    if (n == 0) return 0;
    int64_t max = b->offsets[0];
    for (size_t i = 1; i < n; i++)
        if (b->offsets[i] > max) max = b->offsets[i];
    size_t len = (size_t)(max / 8) + 1, kept = 0;
    if (len < n * 12) {
        pottery__buf_clear(&b->image);
        int rc = pottery__buf_reserve(&b->image, len);
        if (rc < 0) return rc;
        unsigned char *bits = (unsigned char *)b->image.data;
        memset(bits, 0, len);
        for (size_t i = 0; i < n; i++) {
            unsigned char mask = (unsigned char)(0x80u >> (unsigned)(b->offsets[i] % 8));
            unsigned char *byte = bits + b->offsets[i] / 8;
            if (!(*byte & mask)) kept++;
            *byte |= mask;
        }
        b->image.len = len;
        if (len < kept * 12) {
            b->use_image = 1;
            *count = kept;
            return 0;
        }
    }
    *count = distinct(b->offsets, n);
    return 0;
}

/* Encode and hash the next chunk's values into b->offsets (every value is encoded before
 * anything is sent: ETYPE names the one that fails); *count offsets, of *values_in_chunk
 * values. Writes keep each offset once. */
static int hash_chunk(batch *b, size_t *count_out, size_t *values_in_chunk)
{
    pottery_bloom *bf = b->bf;
    size_t end = b->n - b->next < b->per_chunk ? b->n : b->next + b->per_chunk;
    size_t count = 0;
    for (size_t i = b->next; i < end; i++) {
        pottery__buf_clear(&b->json);
        int rc = pottery__encode(&b->json, &b->values[i]);
        if (rc == POTTERY_ENOMEM) return rc;
        if (rc < 0) {
            pottery_error_saved saved;
            pottery__error_save(&saved);
            return pottery__error(rc, "%s: bloom filter '%s': values[%zu] cannot be encoded as JSON: %s", b->fn,
                                  bf->c.key, i, saved.message);
        }
        pottery__bloom_offsets_of(b->offsets + count, bf, b->json.data, b->json.len);
        count += (size_t)bf->k;
    }
    *values_in_chunk = end - b->next;
    b->next = end;
    if (!b->read) {
        int rc = settle_writes(b, &count);
        if (rc < 0) return rc;
    }
    *count_out = count;
    return 0;
}

/* Which script carries a chunk: reads take the offsets; writes take them too, or the image
 * of the bits when settle_writes chose it. */
static const pottery_script *chunk_script(const batch *b)
{
    if (b->read) return &pottery__lua_bloom_read;
    return b->use_image ? &pottery__lua_bloom_write_image : &pottery__lua_bloom_write;
}

/* Push a chunk's KEYS and arguments for script s: the record's, then (reads) k and the
 * offsets, (writes) the offsets or the image with its scratch key. */
static int push_chunk(pottery_cmd *cmd, batch *b, size_t count, const pottery_script *s)
{
    pottery_bloom *bf = b->bf;
    if (s == &pottery__lua_bloom_write_image) {
        char uuid[37];
        pottery__free(b->scratch);
        b->scratch = NULL;
        int rc = pottery__uuid4(uuid);
        char suffix[64];
        snprintf(suffix, sizeof suffix, ":bloom-image:%s", uuid);
        if (rc == 0) rc = pottery__key_beside(&b->scratch, bf->c.key, bf->c.keylen, suffix);
        if (rc < 0) return rc;
        pottery__cmd_key(cmd, &bf->c);
        pottery__cmd_arg(cmd, bf->record_key, bf->record_keylen);
        pottery__cmd_cstr(cmd, b->scratch);
        pottery__cmd_arg(cmd, bf->record, bf->record_len);
        pottery__cmd_arg(cmd, bf->hashing == POTTERY_BLOOM_HASHING_POTTERY ? "1" : "0", 1);
        pottery__cmd_arg(cmd, b->image.data, b->image.len);
        return cmd->err;
    }
    pottery__bloom_push_record(cmd, bf);
    if (b->read) pottery__cmd_int(cmd, bf->k);
    for (size_t i = 0; i < count; i++) pottery__cmd_int(cmd, (long long)b->offsets[i]);
    return cmd->err;
}

static size_t script_keys(const pottery_script *s)
{
    return s == &pottery__lua_bloom_write_image ? 3 : 2;
}

/* One chunk's reply: its status, and for reads one 0/1 answer per value into answers
 * (NULL for writes). */
static int read_chunk(int *answers, size_t nvalues, const pottery_reply *r, const batch *b, const char *what)
{
    size_t count = 0;
    int rc = pottery__bloom_reply_status(&count, r, b->bf, what);
    if (rc < 0 || !answers) return rc;
    if (count != nvalues + 1) return pottery__reply_unexpected(r, what, "a status and an answer per element");
    for (size_t i = 0; i < nvalues; i++) {
        long long a = 0;
        rc = pottery__reply_int_in(&a, pottery__reply_at(r, i + 1), 0, 1, what);
        if (rc < 0) return rc;
        answers[i] = (int)a;
    }
    return 0;
}

/* The whole batch in one script: EVALSHA, one round trip. */
static int run_one(int *answers, batch *b, const pottery_script *s, const char *what)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    size_t nvalues = 0, count = 0;
    int rc = hash_chunk(b, &count, &nvalues);
    if (rc == 0) s = chunk_script(b);
    if (rc == 0) rc = push_chunk(&cmd, b, count, s);
    pottery_reply *r = NULL;
    if (rc == 0) rc = pottery__eval(&r, b->bf->c.client, s, script_keys(s), &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = read_chunk(answers, nvalues, r, b, what);
    pottery__reply_free(r);
    return rc;
}

/* A batch of several chunks: MULTI, EVAL of each chunk as it is built, EXEC, streamed (the
 * script's text travels with each chunk, as a script cannot be loaded inside MULTI; beside
 * a chunk's offsets it weighs little). A value that cannot be encoded turns EXEC into
 * DISCARD. One round trip. */
static int run_streamed(int *answers, batch *b, const pottery_script *s, const char *what)
{
    pottery_stream_txn t;
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__stream_txn_begin(&t, b->bf->c.client);
    size_t chunks = 0;
    while (b->next < b->n && pottery__stream_txn_ok(&t)) {
        pottery__cmd_reset(&cmd);
        size_t nvalues = 0, count = 0;
        int rc = hash_chunk(b, &count, &nvalues);
        const pottery_script *chunk = rc == 0 ? chunk_script(b) : s;
        pottery__cmd_cstr(&cmd, "EVAL");
        pottery__cmd_cstr(&cmd, chunk->source);
        pottery__cmd_cstr(&cmd, chunk == &pottery__lua_bloom_write_image ? "3" : "2");
        if (rc == 0) rc = push_chunk(&cmd, b, count, chunk);
        if (rc < 0) {
            pottery__stream_txn_abort(&t, rc);
            break;
        }
        pottery__stream_txn_send(&t, &cmd);
        chunks++;
    }
    pottery__cmd_free(&cmd);
    pottery_reply *exec = NULL;
    int rc = pottery__stream_txn_finish(&exec, &t);
    if (rc == 0) rc = pottery__reply_array_n(exec, chunks, what);
    for (size_t i = 0; rc == 0 && i < chunks; i++) {
        size_t first = i * b->per_chunk;
        size_t nvalues = b->n - first < b->per_chunk ? b->n - first : b->per_chunk;
        rc = read_chunk(answers ? answers + first : NULL, nvalues, pottery__reply_at(exec, i), b, what);
    }
    pottery__reply_free(exec);
    return rc;
}

/* A lookup in the common case, without a script: the record's GET and a BITFIELD_RO of the
 * offsets, pipelined (one round trip, two plain commands). The answers count only when the
 * record is this handle's own, or absent with pottery's hashing (a bitmap pottery wrote);
 * otherwise *settled = 0 and the read script judges instead (the record's rules and their
 * messages live there), a second round trip on that rare path. */
static int read_plain(int *answers, int *settled, batch *b, const char *what)
{
    pottery_bloom *bf = b->bf;
    size_t nvalues = 0, count = 0;
    *settled = 0;
    int rc = hash_chunk(b, &count, &nvalues);
    if (rc < 0) return rc;
    pottery_cmd cmds[2];
    pottery__cmd_init(&cmds[0]);
    pottery__cmd_init(&cmds[1]);
    pottery__cmd_cstr(&cmds[0], "GET");
    pottery__cmd_arg(&cmds[0], bf->record_key, bf->record_keylen);
    pottery__cmd_cstr(&cmds[1], "BITFIELD_RO");
    pottery__cmd_key(&cmds[1], &bf->c);
    for (size_t i = 0; i < count; i++) {
        pottery__cmd_cstr(&cmds[1], "GET");
        pottery__cmd_cstr(&cmds[1], "u1");
        pottery__cmd_int(&cmds[1], (long long)b->offsets[i]);
    }
    pottery_reply *r[2] = { NULL, NULL };
    rc = pottery__exec_pipeline(r, bf->c.client, cmds, 2);
    pottery__cmd_free(&cmds[0]);
    pottery__cmd_free(&cmds[1]);
    if (rc == 0) {
        size_t len = 0;
        const char *record = pottery__reply_str(r[0], &len);
        int nil = pottery__reply_type(r[0]) == POTTERY_REPLY_NIL;
        *settled = (pottery__reply_type(r[0]) == POTTERY_REPLY_STRING && len == bf->record_len &&
                    memcmp(record, bf->record, len) == 0) ||
                   (nil && bf->hashing == POTTERY_BLOOM_HASHING_POTTERY);
    }
    if (rc == 0 && *settled) rc = pottery__reply_check(r[1]);
    if (rc == 0 && *settled) rc = pottery__reply_array_n(r[1], count, what);
    for (size_t i = 0; rc == 0 && *settled && i < nvalues; i++) {
        int all = 1;
        for (size_t j = 0; rc == 0 && j < (size_t)bf->k; j++) {
            long long bit = 0;
            rc = pottery__reply_int_in(&bit, pottery__reply_at(r[1], i * (size_t)bf->k + j), 0, 1, what);
            if (bit == 0) all = 0;
        }
        answers[i] = all;
    }
    pottery__reply_free(r[0]);
    pottery__reply_free(r[1]);
    return rc;
}

/* Add (answers NULL) or look up values[0..n) into answers[0..n). */
static int run(int *answers, pottery_bloom *bf, const pottery_value *values, size_t n, const char *fn)
{
    const pottery_script *s = answers ? &pottery__lua_bloom_read : &pottery__lua_bloom_write;
    char what[160];
    pottery__bloom_what(what, sizeof what, s, bf);
    batch b;
    int rc = batch_init(&b, bf, values, n, answers != NULL, fn);
    int settled = 0;
    if (rc == 0 && answers && n <= b.per_chunk) {
        rc = read_plain(answers, &settled, &b, what);
        b.next = 0; /* the script, if it must judge, hashes again */
    }
    if (rc == 0 && !settled) rc = n <= b.per_chunk ? run_one(answers, &b, s, what) : run_streamed(answers, &b, s, what);
    batch_free(&b);
    return rc;
}

int pottery_bloom_add(pottery_bloom *bf, pottery_value value)
{
    POTTERY_CHECK_ARG(bf);
    return run(NULL, bf, &value, 1, __func__);
}

int pottery_bloom_update(pottery_bloom *bf, const pottery_value *values, size_t n)
{
    POTTERY_CHECK_ARG(bf);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(values);
    return run(NULL, bf, values, n, __func__);
}

int pottery_bloom_contains(int *out, pottery_bloom *bf, pottery_value value)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(bf);
    int answer = 0;
    int rc = run(&answer, bf, &value, 1, __func__);
    if (rc == 0) *out = answer;
    return rc;
}

int pottery_bloom_contains_many(int *out, pottery_bloom *bf, const pottery_value *values, size_t n)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(bf);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(values);
    int *answers = pottery__malloc(n * sizeof *answers);
    if (!answers) return pottery__error_oom();
    int rc = run(answers, bf, values, n, __func__);
    if (rc == 0) memcpy(out, answers, n * sizeof *answers);
    pottery__free(answers);
    return rc;
}
