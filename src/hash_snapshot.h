/*
 * Internal: a whole Redis hash of JSON fields and values read at once (HGETALL), as parsed
 * trees, and what dict-like containers do with it: JSON text, repr, Python equality.
 */
#ifndef POTTERY_HASH_SNAPSHOT_H
#define POTTERY_HASH_SNAPSHOT_H

#include <stddef.h>

#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"

typedef struct pottery_hash_entry {
    pottery_json_node *key;
    pottery_json_node *value;
    pottery_buf sort_key; /* scratch: the text entries are ordered by */
} pottery_hash_entry;

typedef struct pottery_hash_snapshot {
    pottery_hash_entry *entries;
    size_t count;
    size_t cap;
    int borrowed; /* nodes belong to someone else (not freed with the snapshot) */
} pottery_hash_snapshot;

#define POTTERY_HASH_SNAPSHOT_INIT                                                                                     \
    {                                                                                                                  \
        NULL, 0, 0, 0                                                                                                  \
    }

/* HGETALL key (one round trip) and parse every field and value (EDECODE for foreign data). */
int pottery__hash_snapshot_read(pottery_hash_snapshot *s, pottery_client *c, const char *key, size_t keylen);
/* The same for a container's hash, its values read through c->value when it has a reader. */
int pottery__hash_container_read(pottery_hash_snapshot *s, const pottery_container *c);
/* Parse an HGETALL reply (field, value, field, value, ...), keeping Redis' order; values
 * through c->value (c may be NULL: JSON). EPROTOCOL for a reply that is not an array of
 * bulk strings in pairs. On failure s is emptied. */
int pottery__hash_snapshot_load(pottery_hash_snapshot *s, const pottery_reply *r, const pottery_container *c);
/* View the members of a parsed JSON object as a snapshot (nodes borrowed from obj). */
int pottery__hash_snapshot_from_object(pottery_hash_snapshot *s, const pottery_json_node *obj);
/* Take ownership of key and value (both freed with the snapshot even on failure). */
int pottery__hash_snapshot_add(pottery_hash_snapshot *s, pottery_json_node *key, pottery_json_node *value);
void pottery__hash_snapshot_free(pottery_hash_snapshot *s);

/* Byte order of two sort keys (a proper prefix first): how entries are ordered. */
int pottery__hash_sort_key_compare(const pottery_buf *a, const pottery_buf *b);

/* json.dumps(dict(snapshot), sort_keys=True). Reorders the entries. ETYPE for keys that are
 * arrays/objects or of types Python cannot sort together. */
int pottery__hash_snapshot_to_json(pottery_buf *b, pottery_hash_snapshot *s);
/* prefix + "{" + "key_repr: value_repr, ..." + "}" in the snapshot's current order. */
int pottery__hash_snapshot_repr(pottery_buf *b, const pottery_hash_snapshot *s, const char *prefix);
/* Python dict equality (keys matched by Python equality, values by ==). Reorders entries. */
int pottery__hash_snapshot_equal(int *out, pottery_hash_snapshot *a, pottery_hash_snapshot *b);

/* ---- whole-hash operations shared by dict-like containers (pottery_dict, pottery_counter) ----
 * Each reads values through the container's reader (c->value), if it has one. */

/* Both hashes: atomically in one round trip on one server, one round trip each across
 * servers. */
int pottery__hash_read_pair(pottery_hash_snapshot *x, pottery_hash_snapshot *y, const pottery_container *a,
                            const pottery_container *b);
/* json.dumps(dict(hash), sort_keys=True) into *out (caller frees). One round trip. */
int pottery__hash_to_json(char **out, size_t *out_len, const pottery_container *c);
/* Python dict equality of two hashes: the same key on the same server is equal without a
 * read; otherwise one round trip on one server, one each across servers. */
int pottery__hash_equal(int *out, const pottery_container *a, const pottery_container *b);
/* Python dict equality with a JSON object text: one round trip. JSON null is never equal
 * (*out 0, nothing sent), as Python's d == None is False; other text that is not an object
 * is ETYPE naming func. */
int pottery__hash_equal_json(int *out, const pottery_container *c, const char *json_object, const char *func);

#endif
