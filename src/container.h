/*
 * Internal: what every container handle shares: its client, its key (copied, or a random
 * "pottery:<uuid4>" one) and the deletion of temporary keys when the handle is freed.
 */
#ifndef POTTERY_CONTAINER_H
#define POTTERY_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include "codec/codec.h"
#include "conn/conn.h"
#include "pottery/value.h"

struct pottery_container;

/* Turns one stored value (the bytes of a hash value, field naming its entry) into a parsed
 * node, for a container whose values are narrower than any JSON (pottery_counter's counts):
 * every whole-hash read of the container goes through it (hash_snapshot.c). EDECODE or
 * ERANGE with a message for a value it refuses. */
typedef int (*pottery_value_reader)(pottery_json_node **out, const struct pottery_container *c, const char *field,
                                    size_t flen, const char *value, size_t vlen);

typedef struct pottery_container {
    pottery_client *client; /* borrowed */
    char *key;              /* owned copy */
    size_t keylen;
    pottery_value_reader value; /* NULL: values are any JSON */
} pottery_container;

/* Copy key, or pick a random unused one when key is NULL. "" is EINVAL: an empty key is
 * more likely a bug than a wish for a temporary key that is deleted on free. */
int pottery__container_init(pottery_container *c, pottery_client *client, const char *key);

/* The open every handle shares. The handle is `size` bytes whose first member is its
 * pottery_container; it is allocated zeroed, its key copied (or a temporary one picked),
 * then fill (may be NULL) runs to finish it: check the key, write initial items. On any
 * failure nothing is left behind: the key copy and the handle are freed and Redis is not
 * touched by the cleanup (the key may be somebody else's data). *out is the new handle.
 * The caller has checked its arguments (client is not NULL). */
int pottery__container_open(pottery_container **out, size_t size, pottery_client *client, const char *key,
                            int (*fill)(pottery_container *c, const void *ctx), const void *ctx);

/* The free every handle shares: UNLINK a temporary key, free the key copy and the handle
 * (allocated by pottery__container_open). Accepts NULL. */
void pottery__container_close(pottery_container *c);

/* UNLINK a "pottery:" key, then free the key copy. */
void pottery__container_release(pottery_container *c);

/* Free the key copy without touching Redis: for an open that failed, where the key may
 * well be somebody else's data. */
void pottery__container_abandon(pottery_container *c);

/* 1 when c's client is a Redis Cluster. */
int pottery__container_on_cluster(const pottery_container *c);

/* 1 when one server-side call may combine a's and b's keys: the same server and database
 * and, on a Redis Cluster, the same hash slot. Otherwise the operation is computed on the
 * client side, or fails with POTTERY_ECROSSSLOT (pottery__containers_need_slot). */
int pottery__containers_colocated(const pottery_container *a, const pottery_container *b);

/* 0 when b's key may join a's in one server-side call; otherwise POTTERY_ECROSSSLOT for
 * func, naming both keys, their hash slots, a common {hash tag} as the fix and `instead`
 * (the operation that works across slots). Only for callers that know both are on the same
 * server: keys of one slot always are. */
int pottery__containers_need_slot(const pottery_container *a, const pottery_container *b, const char *func,
                                  const char *instead);

/* A key for what a server-side call writes beside c's key (a scratch key, a new
 * container): "pottery:<uuid4>" on one server; on a Redis Cluster "pottery:" +
 * pottery__key_beside(c's key, ":<uuid4>"), e.g. "pottery:{cart}:<uuid4>", in c's hash
 * slot (a key that cannot be a tag, with a '}' and no tag of its own, lends a number of
 * its slot instead: "pottery:{1234}:<uuid4>"). Not checked against Redis: a uuid4 never
 * collides in practice. *out is the caller's (pottery__free). 0, ENOMEM or ERANDOMKEY. */
int pottery__temporary_key(char **out, const pottery_container *c);

/* Push the container's key onto a command. */
int pottery__cmd_key(pottery_cmd *cmd, const pottery_container *c);

/* "<verb> key [JSON(value)]" in one round trip; value may be NULL. *r (may be NULL) gets
 * the reply. The shape of most single-element operations (HGET, SADD, LLEN, UNLINK...). */
int pottery__container_command(pottery_reply **r, const pottery_container *c, const char *verb,
                               const pottery_value *value);

/* "<verb> key bytes" for an element already encoded (e.g. one put back after a pop). */
int pottery__container_command_bytes(pottery_reply **r, const pottery_container *c, const char *verb, const char *bytes,
                                     size_t len);

/* Run a script that writes a new container's initial contents only if its key does not
 * exist yet: KEYS[1] = the key (pushed first on args by the caller), and the script answers
 * 0 when the key existed, reported as KeyExistsError. One round trip. */
int pottery__container_create(const pottery_container *c, const pottery_script *s, pottery_cmd *args);

/* "<verb> key" answering an integer (HLEN, SCARD, LLEN, XLEN): its value in *out. */
int pottery__container_count(int64_t *out, const pottery_container *c, const char *verb);

/* "<verb> key JSON(value)" answering 0/1 (HEXISTS, SISMEMBER) into *out; a value that
 * cannot be encoded is simply not there (0, nothing sent), as in Python. */
int pottery__container_has(int *out, const pottery_container *c, const char *verb, const pottery_value *value);

/* Run cmd on the client, then free it; its reply must be an integer from lo to hi, stored
 * in *out (out may be NULL). One round trip. */
int pottery__exec_int(long long *out, pottery_client *client, pottery_cmd *cmd, long long lo, long long hi,
                      const char *what);

/* How a pop ends whose entry could not be decoded (foreign bytes, or no memory to decode
 * them) after the library tried to put the bytes back: decode is that decode error, back
 * the put-back's outcome. 0: the caller gets the decode error and Redis holds what it held.
 * Otherwise the put-back's error, saying that the entry is lost and why the pop failed.
 * Both messages name the key and show the entry's first bytes. */
int pottery__pop_failed(const pottery_container *c, const pottery_error_saved *decode, int back, const char *entry,
                        const char *bytes, size_t len);

/* Put a popped entry's bytes back with "<verb> key bytes" (LPUSH, RPUSH, SADD: commands
 * that answer an integer and never overwrite a concurrent writer), then end as
 * pottery__pop_failed. The decode error must be the last error. One round trip. */
int pottery__container_put_back(const pottery_container *c, const char *verb, const char *bytes, size_t len,
                                const char *entry);

/* clear(): UNLINK key (answering 0 or 1). */
int pottery__container_clear(const pottery_container *c);

/* Set `code` with a Python-style message naming the value, e.g. "KeyError: 'jack'". */
int pottery__error_value(int code, const char *what, const pottery_value *v);

/* A reply that is a bulk string or nil (HGET, LPOP): *s gets its bytes (owned by r), or
 * NULL for nil; EPROTOCOL naming `what` for any other type. */
int pottery__reply_bytes_or_nil(const char **s, size_t *len, const pottery_reply *r, const char *what);

/* Decode a STRING reply into a temporary and, on success, dispose *out and move it there
 * (so a failed decode leaves *out untouched). */
int pottery__reply_to_value(pottery_value *out, const pottery_reply *r);

/* Dispose *out and deep-copy src into it (src may point into *out). */
int pottery__value_assign(pottery_value *out, const pottery_value *src);

#endif
