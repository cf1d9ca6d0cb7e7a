/* pottery_counter: Counter's arithmetic, + - | & and unary + - as snapshots (JSON text,
 * nothing written), and the in-place forms written back atomically by counter_inplace.lua. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "counter_impl.h"
#include "lua_scripts.h"

/* a + b and a - b with overflow detection. */
static int add_i64(int64_t *out, int64_t a, int64_t b)
{
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) return POTTERY_ERANGE;
    *out = a + b;
    return 0;
}

static int sub_i64(int64_t *out, int64_t a, int64_t b)
{
    if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b)) return POTTERY_ERANGE;
    *out = a - b;
    return 0;
}

/* One entry of either operand, matched with the other operand's by its JSON text. */
typedef struct operand_entry {
    const pottery_buf *text; /* canonical JSON of the key */
    const pottery_json_node *key;
    int64_t count;
    int side; /* 0: the counter, 1: the other operand */
    size_t index;
} operand_entry;

static int by_text_then_side(const void *pa, const void *pb)
{
    const operand_entry *a = pa, *b = pb;
    int c = pottery__hash_sort_key_compare(a->text, b->text);
    if (c) return c;
    if (a->side != b->side) return a->side - b->side;
    return (a->index > b->index) - (a->index < b->index);
}

static int same_text(const operand_entry *a, const operand_entry *b)
{
    return pottery__hash_sort_key_compare(a->text, b->text) == 0;
}

/* Counter arithmetic on two snapshots (a missing key counts 0; only positive results
 * kept), written as canonical JSON text. Either side may be NULL (empty). */
static int combine(pottery_buf *json, pottery_counter_op op, pottery_hash_snapshot *a, pottery_hash_snapshot *b,
                   const char *key)
{
    pottery_hash_snapshot *sides[2] = { a, b };
    size_t total = (a ? a->count : 0) + (b ? b->count : 0), k = 0;
    operand_entry *all = pottery__malloc((total ? total : 1) * sizeof *all);
    if (!all) return pottery__error_oom();
    int rc = 0;
    for (int side = 0; rc == 0 && side < 2; side++) {
        pottery_hash_snapshot *c = sides[side];
        for (size_t i = 0; c && rc == 0 && i < c->count; i++) {
            pottery_hash_entry *e = &c->entries[i];
            pottery__buf_clear(&e->sort_key);
            rc = pottery__json_write(&e->sort_key, e->key);
            all[k++] = (operand_entry){ &e->sort_key, e->key, pottery__counter_count_at(c, i), side, i };
        }
    }
    if (rc == 0 && total > 1) qsort(all, total, sizeof *all, by_text_then_side);
    /* Room for every key at once (adding entries one by one would reallocate each time). */
    pottery_hash_snapshot result = POTTERY_HASH_SNAPSHOT_INIT;
    if (rc == 0 && total > 0 && !(result.entries = pottery__malloc(total * sizeof *result.entries)))
        rc = pottery__error_oom();
    for (size_t i = 0; rc == 0 && i < total;) {
        int64_t sum[2] = { 0, 0 }, r = 0;
        size_t j = i;
        for (; rc == 0 && j < total && same_text(&all[i], &all[j]); j++)
            rc = add_i64(&sum[all[j].side], sum[all[j].side], all[j].count);
        if (rc == 0) {
            /* A sum or difference beyond int64 matters only when positive: results <= 0
             * are dropped anyway, as Python drops them. */
            switch (op) {
            case POTTERY_COUNTER_ADD:
                if (add_i64(&r, sum[0], sum[1]) < 0) {
                    if (sum[1] > 0)
                        rc = POTTERY_ERANGE;
                    else
                        r = 0;
                }
                break;
            case POTTERY_COUNTER_SUB:
                if (sub_i64(&r, sum[0], sum[1]) < 0) {
                    if (sum[1] < 0)
                        rc = POTTERY_ERANGE;
                    else
                        r = 0;
                }
                break;
            case POTTERY_COUNTER_OR: r = sum[0] > sum[1] ? sum[0] : sum[1]; break;
            default: r = sum[0] < sum[1] ? sum[0] : sum[1]; break;
            }
        }
        if (rc < 0) {
            rc = pottery__counter_range_error(key, strlen(key), all[i].text->data, all[i].text->len, NULL);
            break;
        }
        if (r > 0) {
            pottery_json_node *kn = NULL, *vn = NULL;
            pottery_value v = pottery_int(r);
            rc = pottery__json_parse(&kn, all[i].text->data, all[i].text->len);
            if (rc == 0) rc = pottery__value_to_node(&vn, &v);
            if (rc == 0) {
                result.entries[result.count++] = (pottery_hash_entry){ kn, vn, POTTERY_BUF_INIT };
            } else {
                pottery__json_free(kn);
                pottery__json_free(vn);
            }
        }
        i = j;
    }
    pottery__free(all);
    if (rc == 0) rc = pottery__hash_snapshot_to_json(json, &result);
    pottery__hash_snapshot_free(&result);
    return rc;
}

static int check_op(pottery_counter_op op, const char *func)
{
    if (op != POTTERY_COUNTER_ADD && op != POTTERY_COUNTER_SUB && op != POTTERY_COUNTER_OR && op != POTTERY_COUNTER_AND)
        return pottery__error(POTTERY_EINVAL, "%s: unknown operator %d", func, (int)op);
    return 0;
}

static int finish_json(char **out, size_t *out_len, pottery_buf *b, int rc)
{
    if (rc == 0) rc = pottery__buf_detach(b, out, out_len);
    pottery__buf_free(b);
    return rc;
}

/* c <op> other, other being a counter or (other NULL) a JSON object of counts. */
static int binary(char **out, size_t *out_len, pottery_counter *counter, pottery_counter_op op, pottery_counter *other,
                  const char *json_object, const char *func)
{
    int rc = check_op(op, func);
    if (rc < 0) return rc;
    pottery_hash_snapshot a = POTTERY_HASH_SNAPSHOT_INIT, b = POTTERY_HASH_SNAPSHOT_INIT;
    pottery_json_node *obj = NULL;
    pottery_buf json = POTTERY_BUF_INIT;
    if (other) {
        rc = pottery__hash_read_pair(&a, &b, &counter->c, &other->c);
    } else if ((rc = pottery__counter_counts_from_json(&b, &obj, json_object, func)) == 0) {
        rc = pottery__counter_read(&a, counter);
    }
    if (rc == 0) rc = combine(&json, op, &a, &b, counter->c.key);
    pottery__hash_snapshot_free(&a);
    pottery__hash_snapshot_free(&b);
    pottery__json_free(obj);
    return finish_json(out, out_len, &json, rc);
}

int pottery_counter_binary(char **out, size_t *out_len, pottery_counter *counter, pottery_counter_op op,
                           pottery_counter *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(other);
    return binary(out, out_len, counter, op, other, NULL, __func__);
}

int pottery_counter_binary_json(char **out, size_t *out_len, pottery_counter *counter, pottery_counter_op op,
                                const char *json_object)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(json_object);
    return binary(out, out_len, counter, op, NULL, json_object, __func__);
}

/* +c is c + {} and -c is {} - c. */
static int unary(char **out, size_t *out_len, pottery_counter *counter, int negate)
{
    pottery_hash_snapshot a = POTTERY_HASH_SNAPSHOT_INIT;
    pottery_buf json = POTTERY_BUF_INIT;
    int rc = pottery__counter_read(&a, counter);
    if (rc == 0)
        rc = negate ? combine(&json, POTTERY_COUNTER_SUB, NULL, &a, counter->c.key)
                    : combine(&json, POTTERY_COUNTER_ADD, &a, NULL, counter->c.key);
    pottery__hash_snapshot_free(&a);
    return finish_json(out, out_len, &json, rc);
}

int pottery_counter_pos(char **out, size_t *out_len, pottery_counter *counter)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    return unary(out, out_len, counter, 0);
}

int pottery_counter_neg(char **out, size_t *out_len, pottery_counter *counter)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    return unary(out, out_len, counter, 1);
}

static const char *op_text(pottery_counter_op op)
{
    switch (op) {
    case POTTERY_COUNTER_ADD: return "+";
    case POTTERY_COUNTER_SUB: return "-";
    case POTTERY_COUNTER_OR: return "|";
    default: return "&";
    }
}

/* The in-place script with the other operand's counts as arguments. */
static int inplace_with(pottery_counter *counter, pottery_counter_op op, const pottery_hash_snapshot *theirs)
{
    pottery_counter_contrib k = { NULL, 0, NULL, 0, theirs };
    return pottery__counter_script_with(counter, &pottery__lua_counter_inplace, op_text(op), &k);
}

int pottery_counter_inplace(pottery_counter *counter, pottery_counter_op op, pottery_counter *other)
{
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(other);
    int rc = check_op(op, __func__);
    if (rc < 0) return rc;
    if (pottery__containers_colocated(&counter->c, &other->c))
        return pottery__counter_script_with_other(counter, other, &pottery__lua_counter_inplace, op_text(op));
    pottery_hash_snapshot theirs = POTTERY_HASH_SNAPSHOT_INIT;
    rc = pottery__counter_read(&theirs, other);
    if (rc == 0) rc = inplace_with(counter, op, &theirs);
    pottery__hash_snapshot_free(&theirs);
    return rc;
}

int pottery_counter_inplace_json(pottery_counter *counter, pottery_counter_op op, const char *json_object)
{
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(json_object);
    int rc = check_op(op, __func__);
    if (rc < 0) return rc;
    pottery_hash_snapshot theirs = POTTERY_HASH_SNAPSHOT_INIT;
    pottery_json_node *obj = NULL;
    rc = pottery__counter_counts_from_json(&theirs, &obj, json_object, __func__);
    if (rc == 0) rc = inplace_with(counter, op, &theirs);
    pottery__hash_snapshot_free(&theirs);
    pottery__json_free(obj);
    return rc;
}
