/* pottery_list's slices: Python's slice rules (resolved on the server, so a slice costs one
 * round trip), reading, assigning and deleting l[start:stop:step]. */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>

#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"
#include "core/alloc.h"
#include "core/error.h"
#include "list_impl.h"
#include "lua_scripts.h"
#include "pottery/list.h"

/* ---- slices (no Redis) ---- */

pottery_slice pottery_slice_of(int64_t start, int64_t stop, int64_t step)
{
    pottery_slice s;
    s.start = start;
    s.stop = stop;
    s.step = step;
    return s;
}

pottery_slice pottery_slice_all(void)
{
    return pottery_slice_of(POTTERY_SLICE_NONE, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE);
}

static int check_step(const pottery_slice *s)
{
    if (s->step == 0) return pottery__error(POTTERY_EINVAL, "ValueError: slice step cannot be zero");
    return 0;
}

/* One bound of a slice as Python resolves it: omitted is dflt, a negative one counts from
 * the end, and the result is clamped to [lower, upper]. */
static int64_t slice_bound(int64_t v, int64_t len, int64_t lower, int64_t upper, int64_t dflt)
{
    if (v == POTTERY_SLICE_NONE) return dflt;
    if (v < 0) return v < -len ? lower : v + len < lower ? lower : v + len;
    return v > upper ? upper : v;
}

int pottery_slice_indices(int64_t *start, int64_t *stop, int64_t *step, int64_t *slicelength, pottery_slice s,
                          int64_t len)
{
    int rc = check_step(&s);
    if (rc < 0) return rc;
    if (len < 0) return pottery__error(POTTERY_EINVAL, "pottery_slice_indices: negative length %" PRId64, len);
    int64_t st = s.step == POTTERY_SLICE_NONE ? 1 : s.step;
    /* With a step of INT64_MIN (== the omitted marker) we already chose 1: Python would
     * accept -2**63 too, but a C caller cannot spell it apart from "omitted". */
    int64_t lower = st < 0 ? -1 : 0, upper = st < 0 ? len - 1 : len;
    int64_t a = slice_bound(s.start, len, lower, upper, st < 0 ? upper : lower);
    int64_t b = slice_bound(s.stop, len, lower, upper, st < 0 ? lower : upper);
    int64_t n = 0;
    if (st < 0 && b < a)
        n = (int64_t)(((uint64_t)a - (uint64_t)b - 1) / (0 - (uint64_t)st)) + 1;
    else if (st > 0 && a < b)
        n = (int64_t)(((uint64_t)b - (uint64_t)a - 1) / (uint64_t)st) + 1;
    if (start) *start = a;
    if (stop) *stop = b;
    if (step) *step = st;
    if (slicelength) *slicelength = n;
    return 0;
}

void pottery__list_cmd_optional(pottery_cmd *cmd, int64_t v)
{
    if (v == POTTERY_SLICE_NONE)
        pottery__cmd_arg(cmd, "", 0);
    else
        pottery__cmd_int(cmd, (long long)v);
}

/* Begin a slice script's arguments: the key, then start, stop and step. A step of 0 is
 * EINVAL (args is then left uninitialised). */
static int slice_args(pottery_cmd *args, const pottery_list *l, const pottery_slice *s)
{
    int rc = check_step(s);
    if (rc < 0) return rc;
    pottery__cmd_init(args);
    pottery__cmd_key(args, &l->c);
    pottery__list_cmd_optional(args, s->start);
    pottery__list_cmd_optional(args, s->stop);
    pottery__list_cmd_optional(args, s->step);
    return 0;
}

/* ---- reading many elements ---- */

/* Parse every element of an ARRAY reply into one array node. */
int pottery__list_reply_to_array(pottery_json_node **out, const pottery_reply *r)
{
    size_t n = pottery__reply_count(r);
    pottery_json_node *arr = pottery__json_node_new(POTTERY_JSON_ARRAY);
    if (!arr) return POTTERY_ENOMEM;
    if (n > 0) {
        arr->items = pottery__calloc(n, sizeof *arr->items);
        if (!arr->items) {
            pottery__json_free(arr);
            return pottery__error_oom();
        }
    }
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *text = pottery__reply_str(pottery__reply_at(r, i), &len);
        int rc = pottery__json_parse(&arr->items[i], text ? text : "", len);
        if (rc < 0) {
            pottery__json_free(arr);
            return rc;
        }
        arr->count = i + 1;
    }
    *out = arr;
    return 0;
}

/* ---- slices on the server ---- */

/* A contiguous slice that LRANGE reads as it is (negative indexes count from the end and
 * both ends are clamped, as Python does): 1 and its inclusive bounds. 0 when the script
 * resolves it: another step, or a selection known to be empty (which the script answers
 * after reading only the length). */
static int plain_range(int64_t *from, int64_t *to, const pottery_slice *s)
{
    if (s->step != POTTERY_SLICE_NONE && s->step != 1) return 0;
    int64_t start = s->start == POTTERY_SLICE_NONE ? 0 : s->start;
    if (s->stop == POTTERY_SLICE_NONE) {
        *from = start;
        *to = -1;
        return 1;
    }
    if (s->stop == 0 || (start >= 0 && s->stop > 0 && start >= s->stop)) return 0;
    *from = start;
    *to = s->stop - 1; /* stop is not INT64_MIN (omitted) */
    return 1;
}

/* Run the slice read; *r is an array of elements (the caller's) on success. A contiguous
 * slice is one LRANGE, other slices the list_slice_get script: one round trip either way. */
static int slice_reply(pottery_reply **r, pottery_list *l, const pottery_slice *s)
{
    int64_t from, to;
    if (plain_range(&from, &to, s)) return pottery__list_lrange(r, &l->c, from, to);
    pottery_cmd args;
    int rc = slice_args(&args, l, s);
    if (rc < 0) return rc;
    rc = pottery__list_run_script(r, l, &pottery__lua_list_slice_get, &args);
    if (rc == 0) rc = pottery__list_check_elements(*r, pottery__lua_list_slice_get.name);
    if (rc < 0) {
        pottery__reply_free(*r);
        *r = NULL;
    }
    return rc;
}

/* Give an array node to the caller as a JSON value (out untouched on failure). */
static int array_to_value(pottery_value *out, const pottery_json_node *arr)
{
    pottery_value tmp = POTTERY_VALUE_INIT;
    int rc = pottery__value_from_node(&tmp, arr);
    if (rc < 0) return rc;
    pottery_value_dispose(out);
    *out = tmp;
    return 0;
}

int pottery_list_get_slice(pottery_value *out, pottery_list *list, pottery_slice slice)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    pottery_reply *r = NULL;
    pottery_json_node *arr = NULL;
    int rc = slice_reply(&r, list, &slice);
    if (rc == 0) rc = pottery__list_reply_to_array(&arr, r);
    if (rc == 0) rc = array_to_value(out, arr);
    pottery__json_free(arr);
    pottery__reply_free(r);
    return rc;
}

void pottery_list_values_free(pottery_value *values, size_t n)
{
    if (!values) return;
    for (size_t i = 0; i < n; i++) pottery_value_dispose(&values[i]);
    pottery__free(values);
}

int pottery_list_get_slice_values(pottery_value **out, size_t *n, pottery_list *list, pottery_slice slice)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(n);
    POTTERY_CHECK_ARG(list);
    pottery_reply *r = NULL;
    int rc = slice_reply(&r, list, &slice);
    if (rc < 0) return rc;
    size_t count = pottery__reply_count(r);
    pottery_value *values = NULL;
    if (count > 0) {
        values = pottery__calloc(count, sizeof *values);
        if (!values) rc = pottery__error_oom();
    }
    size_t done = 0;
    for (; rc == 0 && done < count; done++) {
        rc = pottery__reply_decode(&values[done], pottery__reply_at(r, done));
        if (rc < 0) values[done] = pottery_null();
    }
    pottery__reply_free(r);
    if (rc < 0) {
        pottery_list_values_free(values, done);
        return rc;
    }
    *out = values;
    *n = count;
    return 0;
}

int pottery_list_set_slice(pottery_list *list, pottery_slice slice, const pottery_value *values, size_t n)
{
    POTTERY_CHECK_ARG(list);
    if (n > 0 && !values)
        return pottery__error(POTTERY_EINVAL, "pottery_list_set_slice: values is NULL but n is %zu", n);
    pottery_cmd args;
    int rc = slice_args(&args, list, &slice);
    if (rc < 0) return rc;
    for (size_t i = 0; i < n; i++) pottery__list_cmd_element(&args, &values[i]);
    pottery_reply *r = NULL;
    const char *what = pottery__lua_list_slice_set.name;
    long long done = 0, size = 0;
    rc = pottery__list_run_script(&r, list, &pottery__lua_list_slice_set, &args);
    if (rc == 0) rc = pottery__reply_array_n(r, 2, what);
    if (rc == 0) rc = pottery__reply_int_in(&done, pottery__reply_at(r, 0), 0, 1, what);
    if (rc == 0) rc = pottery__reply_int_in(&size, pottery__reply_at(r, 1), 0, LLONG_MAX, what);
    if (rc == 0 && !done)
        rc = pottery__error(POTTERY_EINVAL,
                            "ValueError: attempt to assign sequence of size %zu to extended slice of size %lld", n,
                            size);
    pottery__reply_free(r);
    return rc;
}

int pottery_list_del_slice(pottery_list *list, pottery_slice slice)
{
    POTTERY_CHECK_ARG(list);
    pottery_cmd args;
    int rc = slice_args(&args, list, &slice);
    if (rc < 0) return rc;
    pottery__list_push_placeholder(&args);
    return pottery__list_run_script_int(NULL, list, &pottery__lua_list_slice_del, &args, 0, LLONG_MAX);
}
