/*
 * Internal: pottery_bloom's handle and the pieces its files share (bloom.c: open, record,
 * len, clear; bloom_hash.c: sizing and bit offsets; bloom_batch.c: add, update, contains).
 */
#ifndef POTTERY_BLOOM_IMPL_H
#define POTTERY_BLOOM_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "container.h"
#include "core/buf.h"
#include "pottery/bloom.h"

/* The record text, "m=<m> k=<k> hashing=<name>", fits in this with room to spare. */
enum { POTTERY_BLOOM_RECORD_SIZE = 64 };

struct pottery_bloom {
    pottery_container c;
    char *record_key; /* the companion key holding the parameters (owned) */
    size_t record_keylen;
    int64_t n;
    double p;
    int64_t m;
    int k;
    pottery_bloom_hashing hashing;
    char record[POTTERY_BLOOM_RECORD_SIZE]; /* what the record key holds for this handle */
    size_t record_len;
};

/* m and k for (n, p) by pottery's formulas; EINVAL (naming fn) for n < 1, p outside (0, 1)
 * or NaN, or an m beyond 2^32 bits. */
int pottery__bloom_sizes(int64_t *m, int *k, int64_t n, double p, const char *fn);

/* MurmurHash3 x86_32 of data[0..len) with seed. */
uint32_t pottery__bloom_murmur3(const void *data, size_t len, uint32_t seed);

/* The k offsets of the element whose JSON text is json[0..len) into out[0..k). */
void pottery__bloom_offsets_of(int64_t *out, const pottery_bloom *bf, const char *json, size_t len);

/* Push KEYS (bitmap, record) and the record's two arguments onto a script's arguments. */
int pottery__bloom_push_record(pottery_cmd *cmd, const pottery_bloom *bf);

/* A script's name and the filter's key, for the messages of its reply's checks. */
void pottery__bloom_what(char *buf, size_t size, const pottery_script *s, const pottery_bloom *bf);

/* Read the first element of a bloom script's reply: 0 when it is 1 (go on), else the
 * error the refusal means (ESTATE, EDECODE) or EPROTOCOL, with a message naming fn and
 * the filter. *count gets the reply's length. */
int pottery__bloom_reply_status(size_t *count, const pottery_reply *r, const pottery_bloom *bf, const char *what);

#endif
