/*
 * Internal: what the pieces of pottery_counter share. counter.c holds the handle, single
 * keys, whole-counter reads and iteration; counter_count.c reads counts (stored text,
 * script verdicts, JSON objects) and words their errors; counter_update.c runs the Lua
 * that adds counts (update, subtract, initial counts); counter_arith.c the operators.
 */
#ifndef POTTERY_COUNTER_IMPL_H
#define POTTERY_COUNTER_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"
#include "hash_snapshot.h"
#include "pottery/counter.h"

struct pottery_counter {
    pottery_container c;
};

/* Longest piece of foreign data quoted in an error message. */
enum { POTTERY_COUNTER_QUOTE_MAX = 60 };

/* Fields per HSCAN batch of an iteration: few round trips for a big counter, one batch in
 * memory. */
enum { COUNTER_SCAN_COUNT = 1000 };

/* ---- counts (counter_count.c) ---- */

/* A stored count: 0 with *out, or POTTERY_EDECODE / POTTERY_ERANGE with no message set
 * (POTTERY_ENOMEM with its message). Whatever Python reads as an int is accepted. */
int pottery__counter_parse(int64_t *out, const char *s, size_t len);

/* Set the message for a count that failed to parse (code EDECODE or ERANGE; others are
 * returned as they are): the key of the hash, the field (NULL: not known), the value. */
int pottery__counter_count_error(int code, const char *key, size_t keylen, const char *field, size_t flen,
                                 const char *value, size_t vlen);

/* ERANGE "OverflowError: ..." for a count of field (NULL: not known) in the hash key that
 * would not fit int64; redis_text (may be NULL) is Redis' own message. */
int pottery__counter_range_error(const char *key, size_t keylen, const char *field, size_t flen,
                                 const char *redis_text);

/* A counter script's reply: an array is the failure it reports ({'exists', key},
 * {'decode', key, field, value} or {'range', key, field}: EEXISTS, EDECODE, ERANGE);
 * success is a reply of type ok, either a count as a bulk string (into *first, which may
 * be NULL) or a non-negative integer. Anything else is EPROTOCOL naming `what`. */
int pottery__counter_script_result(const pottery_reply *r, pottery_reply_type ok, int64_t *first, const char *what);

/* The counter's value reader (pottery_container.value): every whole-hash read checks each
 * count as get() does and keeps it as an integer node. */
int pottery__counter_value_reader(pottery_json_node **out, const pottery_container *c, const char *field, size_t flen,
                                  const char *value, size_t vlen);

/* Parse a caller's JSON object of counts into a snapshot (ETYPE naming func for text that
 * is not an object, or a count that is not an int64 integer); *obj (freed by the caller
 * after the snapshot) holds the nodes the snapshot borrows. */
int pottery__counter_counts_from_json(pottery_hash_snapshot *s, pottery_json_node **obj, const char *json_object,
                                      const char *func);

/* The count of entry i of a snapshot read through the value reader or checked by
 * pottery__counter_counts_from_json. */
static inline int64_t pottery__counter_count_at(const pottery_hash_snapshot *s, size_t i)
{
    return s->entries[i].value->i;
}

/* The whole counter (HGETALL, one round trip), every count checked. */
static inline int pottery__counter_read(pottery_hash_snapshot *s, const pottery_counter *counter)
{
    return pottery__hash_container_read(s, &counter->c);
}

/* ---- adding counts (counter_update.c) ---- */

/* What a write adds: keys (+1 each), pairs, and the entries of a snapshot of counts. */
typedef struct pottery_counter_contrib {
    const pottery_value *keys;
    size_t nkeys;
    const pottery_counter_pair *items;
    size_t nitems;
    const pottery_hash_snapshot *from;
} pottery_counter_contrib;

/* Add (sign "+") or subtract (sign "-") contributions, atomically, exactly and all or
 * nothing; mode "i" writes initial counts, only if the key does not exist (EEXISTS). *first
 * (may be NULL) gets the first key's new count (up to 10,000 contributions). One round
 * trip; nothing sent for no contributions, or when the first ones cannot be encoded. */
int pottery__counter_add(int64_t *first, pottery_counter *ctr, const char *mode, const char *sign,
                         const pottery_counter_contrib *k);

/* Run a counter script on the counter alone (KEYS[1]): ARGV = flag, then k's field, count
 * pairs. Its verdict as pottery__counter_script_result (an integer). One round trip. */
int pottery__counter_script_with(pottery_counter *ctr, const pottery_script *s, const char *flag,
                                 const pottery_counter_contrib *k);

/* Run a counter script on the counter and another one on the same server (KEYS[2]);
 * ARGV[1] = flag. Its verdict as above. One round trip. */
int pottery__counter_script_with_other(pottery_counter *ctr, pottery_counter *other, const pottery_script *s,
                                       const char *flag);

#endif
