/* pottery_bloom: BloomFilter over a Redis string bitmap, its parameters recorded beside it
 * (include/pottery/bloom.h). This file: the handle, the record and its refusals, len, clear,
 * repr; bloom_batch.c adds and looks up elements, bloom_hash.c does the arithmetic. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bloom_impl.h"
#include "codec/codec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "lua_scripts.h"

/* What the script refusals mean (src/lua/include/bloom_record.lua). */
enum { REFUSED_PARAMETERS = 0, OK = 1, REFUSED_FOREIGN = 2, REFUSED_NO_RECORD = 3, REFUSED_TYPE = 4 };

static const char *hashing_name(pottery_bloom_hashing h)
{
    return h == POTTERY_BLOOM_HASHING_XXH3 ? "xxh3" : "pottery";
}

typedef struct open_ctx {
    int64_t n;
    double p;
    int64_t m;
    int k;
    pottery_bloom_hashing hashing;
    int random_key;
} open_ctx;

/* Check that this handle may use the filter: the record rules, nothing written. */
static int check_record(pottery_bloom *bf)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__bloom_push_record(&cmd, bf);
    pottery_reply *r = NULL;
    int rc = pottery__eval(&r, bf->c.client, &pottery__lua_bloom_check, 2, &cmd);
    pottery__cmd_free(&cmd);
    char what[160];
    pottery__bloom_what(what, sizeof what, &pottery__lua_bloom_check, bf);
    if (rc == 0) rc = pottery__bloom_reply_status(NULL, r, bf, what);
    pottery__reply_free(r);
    return rc;
}

static int fill(pottery_container *c, const void *arg)
{
    const open_ctx *ctx = arg;
    pottery_bloom *bf = (pottery_bloom *)c;
    bf->n = ctx->n;
    bf->p = ctx->p;
    bf->m = ctx->m;
    bf->k = ctx->k;
    bf->hashing = ctx->hashing;
    int len = snprintf(bf->record, sizeof bf->record, "m=%lld k=%d hashing=%s", (long long)bf->m, bf->k,
                       hashing_name(bf->hashing));
    bf->record_len = (size_t)len;
    int rc = pottery__key_beside(&bf->record_key, c->key, c->keylen, ":bloom");
    if (rc < 0) return rc;
    bf->record_keylen = strlen(bf->record_key);
    if (!ctx->random_key) rc = check_record(bf); /* a new random key has nothing to check */
    if (rc < 0) {
        pottery__free(bf->record_key);
        bf->record_key = NULL;
    }
    return rc;
}

int pottery_bloom_open(pottery_bloom **out, pottery_client *client, const char *key, int64_t num_elements,
                       double false_positives, const pottery_bloom_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    pottery_bloom_options defaults = POTTERY_BLOOM_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    int rc = pottery__options_check(opts->version, POTTERY_BLOOM_OPTIONS_VERSION, __func__);
    if (rc < 0) return rc;
    if (opts->hashing != POTTERY_BLOOM_HASHING_POTTERY && opts->hashing != POTTERY_BLOOM_HASHING_XXH3)
        return pottery__error(POTTERY_EINVAL, "%s: hashing is %d, not a pottery_bloom_hashing value", __func__,
                              (int)opts->hashing);
    open_ctx ctx = { num_elements, false_positives, 0, 0, opts->hashing, key == NULL };
    rc = pottery__bloom_sizes(&ctx.m, &ctx.k, num_elements, false_positives, __func__);
    if (rc < 0) return rc;
    pottery_container *c;
    rc = pottery__container_open(&c, sizeof(pottery_bloom), client, key, fill, &ctx);
    if (rc < 0) return rc;
    *out = (pottery_bloom *)c;
    return 0;
}

void pottery_bloom_free(pottery_bloom *bf)
{
    if (!bf) return;
    static const size_t plen = sizeof POTTERY_RANDOM_KEY_PREFIX - 1;
    if (bf->c.key && strncmp(bf->c.key, POTTERY_RANDOM_KEY_PREFIX, plen) == 0) {
        pottery_error_saved saved;
        pottery__error_save(&saved);
        pottery_cmd cmd;
        pottery__cmd_init(&cmd);
        pottery__cmd_cstr(&cmd, "UNLINK");
        pottery__cmd_key(&cmd, &bf->c);
        pottery__cmd_arg(&cmd, bf->record_key, bf->record_keylen);
        (void)pottery__exec(NULL, bf->c.client, &cmd); /* freeing never fails */
        pottery__cmd_free(&cmd);
        pottery__error_restore(&saved);
    }
    pottery__container_abandon(&bf->c);
    pottery__free(bf->record_key);
    pottery__free(bf);
}

const char *pottery_bloom_key(const pottery_bloom *bf)
{
    return bf ? bf->c.key : NULL;
}

pottery_client *pottery_bloom_client(const pottery_bloom *bf)
{
    return bf ? bf->c.client : NULL;
}

int64_t pottery_bloom_num_elements(const pottery_bloom *bf)
{
    return bf ? bf->n : 0;
}

double pottery_bloom_false_positives(const pottery_bloom *bf)
{
    return bf ? bf->p : 0.0;
}

int64_t pottery_bloom_size(const pottery_bloom *bf)
{
    return bf ? bf->m : 0;
}

int pottery_bloom_num_hashes(const pottery_bloom *bf)
{
    return bf ? bf->k : 0;
}

/* ---- the record ---- */

void pottery__bloom_what(char *buf, size_t size, const pottery_script *s, const pottery_bloom *bf)
{
    snprintf(buf, size, "%s (bloom filter '%.100s')", s->name, bf->c.key);
}

int pottery__bloom_push_record(pottery_cmd *cmd, const pottery_bloom *bf)
{
    pottery__cmd_key(cmd, &bf->c);
    pottery__cmd_arg(cmd, bf->record_key, bf->record_keylen);
    pottery__cmd_arg(cmd, bf->record, bf->record_len);
    return pottery__cmd_arg(cmd, bf->hashing == POTTERY_BLOOM_HASHING_POTTERY ? "1" : "0", 1);
}

/* The text that came with a refusal (its second element). */
static int refusal_text(const char **s, size_t *len, const pottery_reply *r, size_t count, const char *what)
{
    if (count < 2) return pottery__reply_unexpected(r, what, "a refusal with its text");
    return pottery__reply_bytes(s, len, pottery__reply_at(r, 1), what);
}

int pottery__bloom_reply_status(size_t *count, const pottery_reply *r, const pottery_bloom *bf, const char *what)
{
    size_t n = 0;
    int rc = pottery__reply_array(&n, r, what);
    if (rc == 0 && n == 0) rc = pottery__reply_unexpected(r, what, "an array starting with a status");
    long long status = OK;
    if (rc == 0) rc = pottery__reply_int_in(&status, pottery__reply_at(r, 0), REFUSED_PARAMETERS, REFUSED_TYPE, what);
    if (rc < 0) return rc;
    if (status == OK) {
        if (count) *count = n;
        return 0;
    }
    if (status == REFUSED_NO_RECORD)
        return pottery__error(POTTERY_ESTATE,
                              "bloom filter '%s': the bitmap has no record of its parameters (pottery wrote it, "
                              "hashing with MurmurHash3), so a handle with XXH3 hashing cannot use it",
                              bf->c.key);
    const char *text = NULL;
    size_t len = 0;
    rc = refusal_text(&text, &len, r, n, what);
    if (rc < 0) return rc;
    int shown = len > 120 ? 120 : (int)len;
    if (status == REFUSED_PARAMETERS)
        return pottery__error(POTTERY_ESTATE,
                              "bloom filter '%s': its record '%s' says %.*s, this handle has %s; open it with the "
                              "parameters it was made with",
                              bf->c.key, bf->record_key, shown, text, bf->record);
    if (status == REFUSED_TYPE)
        return pottery__error(POTTERY_EDECODE,
                              "bloom filter '%s': its record key '%s' holds a Redis %.*s, not this library's record "
                              "of a filter's parameters; it was left as it is",
                              bf->c.key, bf->record_key, shown, text);
    return pottery__error(POTTERY_EDECODE,
                          "bloom filter '%s': its record key '%s' holds \"%.*s\", not this library's record of a "
                          "filter's parameters (e.g. \"%s\"); it was left as it is",
                          bf->c.key, bf->record_key, shown, text, bf->record);
}

/* ---- len, clear, repr ---- */

int pottery_bloom_len(int64_t *out, pottery_bloom *bf)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(bf);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__bloom_push_record(&cmd, bf);
    pottery_reply *r = NULL;
    char what[160];
    pottery__bloom_what(what, sizeof what, &pottery__lua_bloom_len, bf);
    int rc = pottery__eval(&r, bf->c.client, &pottery__lua_bloom_len, 2, &cmd);
    pottery__cmd_free(&cmd);
    size_t count = 0;
    long long bits = 0;
    if (rc == 0) rc = pottery__bloom_reply_status(&count, r, bf, what);
    if (rc == 0 && count != 2) rc = pottery__reply_unexpected(r, what, "an array of a status and a bit count");
    if (rc == 0) rc = pottery__reply_int_in(&bits, pottery__reply_at(r, 1), 0, LLONG_MAX, what);
    pottery__reply_free(r);
    if (rc < 0) return rc;
    if (bits >= bf->m) {
        *out = POTTERY_BLOOM_LEN_SATURATED; /* ln(0): every bit set, no estimate left */
        return 0;
    }
    /* pottery: math.floor(-size / num_hashes * math.log(1 - num_bits_set / size)) */
    *out = (int64_t)floor(((double)(-bf->m) / (double)bf->k) * log(1.0 - (double)bits / (double)bf->m));
    return 0;
}

int pottery_bloom_clear(pottery_bloom *bf)
{
    POTTERY_CHECK_ARG(bf);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "UNLINK");
    pottery__cmd_key(&cmd, &bf->c);
    pottery__cmd_arg(&cmd, bf->record_key, bf->record_keylen);
    return pottery__exec_int(NULL, bf->c.client, &cmd, 0, 2, "UNLINK");
}

int pottery_bloom_repr(char **out, pottery_bloom *bf)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(bf);
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = pottery__buf_puts(&b, "<BloomFilter key=");
    if (rc == 0) rc = pottery__buf_puts(&b, bf->c.key);
    if (rc == 0) rc = pottery__buf_puts(&b, ">");
    if (rc == 0) rc = pottery__buf_detach(&b, out, NULL);
    pottery__buf_free(&b);
    return rc;
}

int pottery_bloom_offsets(int64_t *out, const pottery_bloom *bf, pottery_value value)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(bf);
    pottery_buf json = POTTERY_BUF_INIT;
    int rc = pottery__encode(&json, &value);
    if (rc == 0) pottery__bloom_offsets_of(out, bf, json.data, json.len);
    pottery__buf_free(&json);
    return rc;
}
