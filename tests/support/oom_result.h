/*
 * Test support for allocation-failure programs (oom.h): what an operation returned, as text,
 * compared with what its reference run returned; and the states of Redis that operations
 * writing random keys or only reading may leave.
 */
#ifndef POTTERY_TEST_OOM_RESULT_H
#define POTTERY_TEST_OOM_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "support/oom.h"

/* A growing text (test-owned memory: never the library's allocator). */
typedef struct oom_text {
    char *s;
    size_t len;
} oom_text;

/* Append printf-style text / a value as canonical JSON ("<null>" for JSON null). */
void oom_text_add(oom_text *t, const char *fmt, ...);
void oom_text_value(oom_text *t, pottery_value v);

/* The n texts (taken: freed) sorted, without repeats, joined by " ": what an iteration
 * visited, in an order-free form. */
char *oom_join_sorted(char **items, size_t n);

/* One row's expected result: want (NULL: any) and, once the reference run has given it,
 * the reference's text. */
typedef struct oom_result {
    const char *want;
    char *ref;
} oom_result;

/* got (taken: emptied; leading spaces ignored) is what this attempt returned. The first call, the reference run,
 * checks it against r->want and keeps it; later calls check it is the same. */
#define oom_result_check(r, got) oom_result_check_at((r), (got), __FILE__, __LINE__)
void oom_result_check_at(oom_result *r, oom_text *got, const char *file, int line);
/* Forget the reference: call before each row. */
void oom_result_reset(oom_result *r, const char *want);

/* The digest of the dataset with every key matching pattern renamed to "<as>1", "<as>2"...
 * in the keys' order, so that operations writing keys of random names can be compared. */
char *oom_digest_renaming(const char *pattern, const char *as);

/* Stricter than oom_exhaust's own rule, for operations whose failure must leave Redis as it
 * was: those making a new key `pottery:<uuid4>` (a failed one must leave no orphan key that
 * nobody knows the name of). 1 when Redis holds, after an attempt that returned rc, what the reference run left
 * (keys `pottery:*` renamed as above) or, for a failure, exactly what it held at start. The
 * first call (the reference run) records its state in *after. start is oom_digest() of the
 * start. */
int oom_state_strict(char **after, const char *start, int rc);

/* For operations that only read: 1 when Redis holds what it held at start. */
int oom_state_unchanged(const char *start);

/* ---- the shape every allocation-failure program shares ---- */

/* The first member of a program's context: the digests of an attempt's start (its setup
 * sets it) and of the reference run's end (oom_state_strict), the row's expected result,
 * and the row's variant. */
typedef struct oom_state {
    char *start, *after;
    oom_result res;
    int variant;
} oom_state;

/* A row: the operation, what its reference run must return (NULL: anything), a variant its
 * setup or run reads (an operand on another server, a reversed iteration...) and whether
 * it must allocate nothing at all (getters, free). */
typedef struct oom_row {
    oom_op op;
    const char *want;
    int variant;
    int zero;
} oom_row;

/* oom_exhaust on each row with ctx (whose first member is an oom_state), then free what
 * the state holds. */
#define oom_run_rows(rows, n, ctx) oom_run_rows_at((rows), (n), (ctx), __FILE__, __LINE__)
void oom_run_rows_at(const oom_row *rows, size_t n, void *ctx, const char *file, int line);

/* A state_ok: oom_state_strict with the state at the start of ctx. */
int oom_strict_ok(void *ctx, int rc);

/* A run function: static int run_<name>(void *) with `c` the context, body the rest. */
#define OOM_RUN(type, name, ...)                                                                                       \
    static int run_##name(void *arg)                                                                                   \
    {                                                                                                                  \
        type *c = arg;                                                                                                 \
        (void)c;                                                                                                       \
        __VA_ARGS__;                                                                                                   \
    }

/* The usual outputs as " v=<json> text=<text> n=<n> flag=<flag>", each only when set: v not
 * JSON null (v may be NULL), text not NULL, n not INT64_MIN, flag not -1. */
void oom_text_outputs(oom_text *t, const pottery_value *v, const char *text, int64_t n, int flag);

/* What an iteration visited, order-free (oom_join_sorted): "<key>", "<key>=<value>" or
 * "<key>=<count>" for each i < n (vals and counts may be NULL). */
char *oom_join_visited(const pottery_value *keys, const pottery_value *vals, const int64_t *counts, size_t n);

#endif
