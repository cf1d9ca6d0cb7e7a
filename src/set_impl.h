/*
 * Internal: what the files of pottery_set share. set.c holds the handle, single-element and
 * bulk operations, snapshots, iteration, the byte-string vectors below and the staged
 * transaction; set_algebra.c holds the comparisons and the set algebra.
 */
#ifndef POTTERY_SET_IMPL_H
#define POTTERY_SET_IMPL_H

#include <stddef.h>

#include "conn/conn.h"
#include "container.h"
#include "pottery/set.h"

struct pottery_set {
    pottery_container c;
};

/* Members per command when bulk work is split to bound memory, per SSCAN batch (COUNT
 * hint); encoded bytes per SADD/SREM of values from memory (10,000 small members make one
 * command). */
enum { SET_CHUNK = 1000, SET_SCAN_COUNT = 1000, SET_BULK_BYTES = 1 << 20 };

/* ---- byte-string vectors: members held here for client-side work ---- */

typedef struct set_member {
    char *p; /* owned, NUL-terminated copy */
    size_t len;
} set_member;

typedef struct set_members {
    set_member *v;
    size_t n, cap;
} set_members;

#define SET_MEMBERS_INIT                                                                                               \
    {                                                                                                                  \
        NULL, 0, 0                                                                                                     \
    }

/* Append a copy of len bytes. */
int pottery__set_members_push(set_members *m, const char *p, size_t len);
void pottery__set_members_free(set_members *m);
/* Byte order of two members (memcmp, then the shorter first). */
int pottery__set_member_cmp(const void *a, const void *b);
/* Sort by bytes and drop duplicates. */
void pottery__set_members_sort_unique(set_members *m);
/* Append every member of verb's answer, an array of strings (SMEMBERS, SUNION, ...). */
int pottery__set_members_load(set_members *m, const pottery_reply *r, const char *verb);
/* The JSON array snapshot of raw members: each decoded and written again as canonical JSON
 * (EDECODE for foreign members), sorted, without duplicates. */
int pottery__set_members_json(char **out, size_t *out_len, set_members *m);

/* A count answered by verb (SCARD, SINTERCARD, SUNIONSTORE, ...) in *out. */
int pottery__set_read_count(long long *out, const pottery_reply *r, const char *verb);

/* SMISMEMBER's answer for n members into answers[0..n) (1 or 0 each). */
int pottery__set_read_answers(unsigned char *answers, const pottery_reply *r, size_t n);

/* 1 if one server-side call may combine both sets (pottery__containers_colocated): the
 * same server and database, and the same hash slot on a Redis Cluster. */
int pottery__set_colocated(const pottery_set *a, const pottery_set *b);

/* ---- set_operands.c: operands that are not the set itself ---- */

typedef enum set_op { SET_UNION, SET_INTER, SET_DIFF, SET_SYMDIFF } set_op;

/* Callback for every SSCAN batch of a set: items borrowed until the next batch. */
typedef int (*set_batch_fn)(void *ctx, const set_member *items, size_t n);

/* SSCAN the whole set, handing the members on in batches of up to SET_CHUNK. Returns the
 * callback's first non-zero result (a positive value stops the scan early). One round trip
 * per batch. */
int pottery__set_scan_batches(pottery_set *s, set_batch_fn fn, void *ctx);

/* SMISMEMBER of items[0..n) in s (n <= SET_CHUNK): answers[i] = 1 or 0. One round trip. */
int pottery__set_probe(unsigned char *answers, pottery_set *s, const set_member *items, size_t n);

/* Every member of a is (want 1) / none is (want 0) in b, sets not colocated: a
 * scanned in batches, each probed in b. */
int pottery__set_scan_all(int *out, pottery_set *a, pottery_set *b, int want);

/* SCARD of two sets, each on its own client. */
int pottery__set_scard_both(int64_t *na, int64_t *nb, pottery_set *a, pottery_set *b);

/* ---- staged transactions: values from memory and sets elsewhere written into keys
 * beside the set, then combined there, in one round trip ----
 *
 * A set_txn is one pottery__bulk_write: first its sources, each an SADD or SREM into a key
 * (the set's own, or a scratch key), one command per SET_BULK_BYTES of values or per
 * SET_CHUNK members read with SSCAN from a set elsewhere; then the `tail`
 * commands, whose replies are kept (counts, or members). A single command is sent alone,
 * anything more as a streamed MULTI/EXEC, so it is all or nothing and memory holds one
 * command. Scratch keys are temporary keys beside the set (pottery__temporary_key: in its
 * hash slot on a Redis Cluster) created and unlinked inside that one EXEC.
 *
 * A set on the set's own client that is not colocated with it (a Redis Cluster key in
 * another slot) cannot be read while that client streams the transaction: it is copied
 * into its scratch key first, a batch at a time (an SSCAN and an SADD round trip per
 * batch), and only the tail runs in the transaction; the scratch keys are unlinked if
 * the call fails. */

typedef struct set_source {
    const char *verb;            /* "SADD" or "SREM" */
    const char *key;             /* the key written */
    size_t keylen;               /* its length */
    const pottery_value *values; /* values from memory, encoded (n of them), ... */
    const set_member *members;   /* ... members' bytes as they are (n of them), ... */
    size_t n;
    pottery_set *from; /* ... or every member of this set (not colocated with the set) */
    int ahead;         /* from shares the set's client: copied before the transaction */
} set_source;

enum { SET_TAIL_MAX = 4 };

typedef struct set_txn set_txn;

/* Build tail command i (0-based) into cmd (empty): return 1, or 0 when there is none. Set
 * t->expect[i] to 'n' (a count, kept in t->counts[i]), 'e' (an integer from -1 up, kept in
 * t->counts[i]) or 'm' (an array of members, appended to t->result). */
typedef int (*set_tail_fn)(pottery_cmd *cmd, size_t i, set_txn *t);

struct set_txn {
    /* what to do: filled by the caller */
    pottery_set *set;           /* where it runs */
    set_op op;                  /* for the tail */
    int equal;                  /* for the tail */
    int copy;                   /* for the tail */
    pottery_set *const *others; /* operands by handle (those colocated with the set go by key) */
    size_t n;
    int skip_unencodable; /* values that cannot be encoded: skipped (1) or POTTERY_ETYPE (0) */
    set_tail_fn tail;     /* may be NULL */
    set_members *result;  /* for 'm' replies */
    /* filled by pottery__set_txn_prepare */
    size_t nlocal;            /* operands colocated with the set */
    set_source *sources;      /* staged first, in order */
    size_t nsources;          /* ... */
    char **scratch;           /* scratch keys (owned) */
    size_t nscratch, nstaged; /* the first nstaged hold staged operands */
    int ahead;                /* some sources are copied before the transaction */
    char *new_key;            /* for the tail (owned; set by the caller) */
    /* results of the last run */
    long long counts[SET_TAIL_MAX];
    char expect[SET_TAIL_MAX];
    /* progress */
    size_t source_at, value_at, staged, tail_at;
    int scanning;
    pottery_scan scan;
};

/* The sources of t: `given` (values or members from memory; may be NULL), else each of
 * t->others not colocated with the set; written with SADD into scratch keys, or with verb
 * `into` (SADD, SREM) into the set itself (unless a source is copied ahead: then into
 * scratch keys too, and t->nstaged says so); plus `extra` scratch keys for the tail. */
int pottery__set_txn_prepare(set_txn *t, const set_source *given, const char *into, size_t extra);
/* Run t (again): 0 or the first error; the results in t->counts and t->result. */
int pottery__set_txn_run(set_txn *t);
void pottery__set_txn_free(set_txn *t);

/* For tails: the keys of the operands colocated with the set, then the staged scratch keys. */
void pottery__set_txn_operands(pottery_cmd *cmd, const set_txn *t);
/* For tails: "<verb> k..." with each of keys[0..nkeys) the set (0) or scratch key i - 1. */
void pottery__set_txn_keys(pottery_cmd *cmd, const set_txn *t, const char *verb, const int *keys, size_t nkeys);
/* For tails: UNLINK every scratch key as tail command i (0: there is none). */
int pottery__set_txn_unlink(pottery_cmd *cmd, size_t i, set_txn *t);

#endif
