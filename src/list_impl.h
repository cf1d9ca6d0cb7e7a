/*
 * Internal: what list.c, list_slice.c and list_search.c share, and what pottery_deque
 * (built on a list) uses of them.
 */
#ifndef POTTERY_LIST_IMPL_H
#define POTTERY_LIST_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"
#include "pottery/list.h"

/* A list handle is its container alone, so a handle that embeds one first (a deque) is
 * also a list handle on the same client and key. */
struct pottery_list {
    pottery_container c;
};

/* r must be an array of bulk strings (list elements), e.g. LRANGE's reply. */
int pottery__list_check_elements(const pottery_reply *r, const char *what);

/* LRANGE from to of the container's key on its client, the reply checked as
 * pottery__list_check_elements does. *r is the caller's on success, NULL on failure. One
 * round trip. */
int pottery__list_lrange(pottery_reply **r, const pottery_container *c, int64_t from, int64_t to);

/* Run a script on the list's key (KEYS[1]) with the arguments already pushed on args, which
 * is freed. One round trip. */
int pottery__list_run_script(pottery_reply **r, pottery_list *l, const pottery_script *s, pottery_cmd *args);

/* The same for a script answering an integer from lo to hi, which *out (may be NULL) gets. */
int pottery__list_run_script_int(long long *out, pottery_list *l, const pottery_script *s, pottery_cmd *args,
                                 long long lo, long long hi);

/* Push a fresh placeholder: a uuid4 in plain text, which is never valid JSON. A failure is
 * kept in cmd->err like any other push's, so running the command reports it. */
int pottery__list_push_placeholder(pottery_cmd *cmd);

/* Push one element's JSON; integers (the common bulk case) skip the general encoder. */
int pottery__list_cmd_element(pottery_cmd *cmd, const pottery_value *v);

/* Push an optional index (a slice field, index()'s bounds) as a script argument: '' when
 * it is POTTERY_SLICE_NONE. */
void pottery__list_cmd_optional(pottery_cmd *cmd, int64_t v);

/* Parse every element of an ARRAY reply of elements into one array node. */
int pottery__list_reply_to_array(pottery_json_node **out, const pottery_reply *r);

/* ---- what pottery_deque builds on ---- */

/* The LTRIM that follows a bulk push, keeping elements start..stop (Redis indexes). */
typedef struct pottery_list_trim {
    long long start;
    long long stop;
} pottery_list_trim;

/* Push values[0..n) at the right end (RPUSH, in order) or at the left (LPUSH: each in
 * turn, so they end up reversed), then LTRIM to *trim (may be NULL), as one bulk write: one
 * command alone when it all fits, else a streamed MULTI/EXEC. One round trip, atomic, and
 * nothing written unless every value could be encoded. n == 0 with a trim sends the LTRIM
 * alone; n == 0 without one sends nothing. */
int pottery__list_push(const pottery_container *c, int left, const pottery_value *values, size_t n,
                       const pottery_list_trim *trim);

/* Pop the last element (RPOP; left: the first, LPOP) into *out. POTTERY_EINDEX with the
 * message `empty` when there is none. One round trip; an element that is not JSON is
 * pushed back on the end it came from (one more round trip, on that path only; a push
 * never overwrites a concurrent writer's element) and the decode error returned. */
int pottery__list_pop_end(pottery_value *out, pottery_list *l, int left, const char *empty);

/* l.insert(index, value) with pottery's rule, refused when the list already holds maxlen
 * elements (maxlen < 0: no bound): *inserted gets 1 or 0. Atomic (Lua), one round trip. */
int pottery__list_insert(int *inserted, pottery_list *l, int64_t index, const pottery_value *value, int64_t maxlen);

#endif
