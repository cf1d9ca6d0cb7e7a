/* pottery_list: RedisList on a Redis list (element = JSON(value)). */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"
#include "core/error.h"
#include "pottery/list.h"

struct pottery_list {
    pottery_container c;
};

struct pottery_list_iter {
    pottery_list *list;
    int reversed;
    int64_t pos;          /* elements already fetched (from the front, or from the back) */
    pottery_reply *batch; /* the current LRANGE window */
    size_t count;         /* its length */
    size_t next;          /* how many of it were handed out */
    int last;             /* the window was short: nothing after it */
};

enum {
    ITER_WINDOW = 1000,  /* elements per LRANGE window while iterating */
    PUSH_CHUNK = 10000,  /* values per RPUSH when extend is split to bound memory */
    SCAN_WINDOW = 1000,  /* elements per LRANGE window of the client-side search */
    MAX_SPELLINGS = 1024 /* equal spellings sent to the server for one search */
};

/* ---- Lua: shared helpers (prepended to the scripts that need them) ---- */

/* resolve(len, start, stop, step): Python's slice.indices(len) and the slice length, with
 * '' meaning an omitted field. The step is never 0 here (checked by the client). */
#define LUA_RESOLVE                                                                                                    \
    "local function resolve(len, a, b, c)\n"                                                                           \
    "  local step = 1\n"                                                                                               \
    "  if c ~= '' then step = tonumber(c) end\n"                                                                       \
    "  local lower, upper = 0, len\n"                                                                                  \
    "  if step < 0 then lower, upper = -1, len - 1 end\n"                                                              \
    "  local function fix(s, dflt)\n"                                                                                  \
    "    if s == '' then return dflt end\n"                                                                            \
    "    local v = tonumber(s)\n"                                                                                      \
    "    if v < 0 then v = v + len; if v < lower then v = lower end\n"                                                 \
    "    elseif v > upper then v = upper end\n"                                                                        \
    "    return v\n"                                                                                                   \
    "  end\n"                                                                                                          \
    "  local start, stop\n"                                                                                            \
    "  if step < 0 then start, stop = fix(a, upper), fix(b, lower)\n"                                                  \
    "  else start, stop = fix(a, lower), fix(b, upper) end\n"                                                          \
    "  local n = 0\n"                                                                                                  \
    "  if step < 0 and stop < start then n = math.floor((start - stop - 1) / -step) + 1\n"                             \
    "  elseif step > 0 and start < stop then n = math.floor((stop - start - 1) / step) + 1 end\n"                      \
    "  return start, stop, step, n\n"                                                                                  \
    "end\n"

/* rpush_all / lpush_all: push t[i..j] so that it ends up in order at the end / the front,
 * 1000 values per command (Lua's unpack has a small limit). replace_range(key, len, lo, hi,
 * t, i, j): the elements [lo, hi) become t[i..j], rebuilding whichever side of the range is
 * shorter. */
#define LUA_PUSH                                                                                                       \
    "local function rpush_all(key, t, i, j)\n"                                                                         \
    "  while i <= j do\n"                                                                                              \
    "    local e = math.min(i + 999, j)\n"                                                                             \
    "    redis.call('RPUSH', key, unpack(t, i, e))\n"                                                                  \
    "    i = e + 1\n"                                                                                                  \
    "  end\n"                                                                                                          \
    "end\n"                                                                                                            \
    "local function lpush_all(key, t, i, j)\n"                                                                         \
    "  while j >= i do\n"                                                                                              \
    "    local s = math.max(j - 999, i)\n"                                                                             \
    "    local chunk = {}\n"                                                                                           \
    "    for k = j, s, -1 do chunk[#chunk + 1] = t[k] end\n"                                                           \
    "    redis.call('LPUSH', key, unpack(chunk))\n"                                                                    \
    "    j = s - 1\n"                                                                                                  \
    "  end\n"                                                                                                          \
    "end\n"                                                                                                            \
    "local function replace_range(key, len, lo, hi, t, i, j)\n"                                                        \
    "  if lo == hi and j < i then return end\n"                                                                        \
    "  if lo == 0 and hi == len then\n"                                                                                \
    "    redis.call('DEL', key)\n"                                                                                     \
    "    rpush_all(key, t, i, j)\n"                                                                                    \
    "  elseif lo <= len - hi then\n"                                                                                   \
    "    local head = {}\n"                                                                                            \
    "    if lo > 0 then head = redis.call('LRANGE', key, 0, lo - 1) end\n"                                             \
    "    redis.call('LTRIM', key, hi, -1)\n"                                                                           \
    "    lpush_all(key, t, i, j)\n"                                                                                    \
    "    lpush_all(key, head, 1, #head)\n"                                                                             \
    "  else\n"                                                                                                         \
    "    local tail = {}\n"                                                                                            \
    "    if hi < len then tail = redis.call('LRANGE', key, hi, -1) end\n"                                              \
    "    redis.call('LTRIM', key, 0, lo - 1)\n"                                                                        \
    "    rpush_all(key, t, i, j)\n"                                                                                    \
    "    rpush_all(key, tail, 1, #tail)\n"                                                                             \
    "  end\n"                                                                                                          \
    "end\n"

/* Write the initial contents only if the key does not exist yet, atomically. */
static const pottery_script init_script = { "list_init",
                                            LUA_PUSH "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
                                                     "rpush_all(KEYS[1], ARGV, 1, #ARGV)\n"
                                                     "return 1\n" };

/* Remove the element at ARGV[1] (negative counts from the end) by overwriting it with the
 * placeholder ARGV[2] and removing that. Returns {element, its index from the front}, 0 if
 * the list is empty, -1 if the index is out of range. */
static const pottery_script del_index_script = { "list_del_index",
                                                 "local key = KEYS[1]\n"
                                                 "local len = redis.call('LLEN', key)\n"
                                                 "if len == 0 then return 0 end\n"
                                                 "local i = tonumber(ARGV[1])\n"
                                                 "if i < 0 then i = i + len end\n"
                                                 "if i < 0 or i >= len then return -1 end\n"
                                                 "local v = redis.call('LINDEX', key, i)\n"
                                                 "redis.call('LSET', key, i, ARGV[2])\n"
                                                 "if i < len / 2 then redis.call('LREM', key, 1, ARGV[2])\n"
                                                 "else redis.call('LREM', key, -1, ARGV[2]) end\n"
                                                 "return {v, i}\n" };

/* pottery's insert: index <= 0 prepends, index >= len appends, else the value goes before
 * the element at index (swapped out for the placeholder ARGV[3] so that LINSERT finds it;
 * swapped back if LINSERT fails, e.g. denied by an ACL, so a failure changes nothing). */
static const pottery_script insert_script = { "list_insert",
                                              "local key = KEYS[1]\n"
                                              "local len = redis.call('LLEN', key)\n"
                                              "local i = tonumber(ARGV[1])\n"
                                              "if i <= 0 then return redis.call('LPUSH', key, ARGV[2]) end\n"
                                              "if i >= len then return redis.call('RPUSH', key, ARGV[2]) end\n"
                                              "local pivot = redis.call('LINDEX', key, i)\n"
                                              "redis.call('LSET', key, i, ARGV[3])\n"
                                              "local done = redis.pcall('LINSERT', key, 'BEFORE', ARGV[3], ARGV[2])\n"
                                              "if type(done) == 'table' and done.err then\n"
                                              "  redis.call('LSET', key, i, pivot)\n"
                                              "  return done\n"
                                              "end\n"
                                              "redis.call('LSET', key, i + 1, pivot)\n"
                                              "return len + 1\n" };

/* l[start:stop:step] (ARGV[1..3], '' = omitted): the selected elements, in slice order. */
static const pottery_script slice_get_script = {
    "list_slice_get", LUA_RESOLVE "local key = KEYS[1]\n"
                                  "local len = redis.call('LLEN', key)\n"
                                  "local start, stop, step, n = resolve(len, ARGV[1], ARGV[2], ARGV[3])\n"
                                  "if n == 0 then return {} end\n"
                                  "if step == 1 then return redis.call('LRANGE', key, start, start + n - 1) end\n"
                                  "local astep = math.abs(step)\n"
                                  "local lo = start\n"
                                  "if step < 0 then lo = start + (n - 1) * step end\n"
                                  "local last = lo + (n - 1) * astep\n"
                                  "local out = {}\n"
                                  "local k = 0\n"
                                  "while k < n do\n"
                                  "  local from = lo + k * astep\n"
                                  "  local to = math.min(from + 1023, last)\n"
                                  "  local chunk = redis.call('LRANGE', key, from, to)\n"
                                  "  while k < n and lo + k * astep <= to do\n"
                                  "    out[#out + 1] = chunk[lo + k * astep - from + 1]\n"
                                  "    k = k + 1\n"
                                  "  end\n"
                                  "end\n"
                                  "if step < 0 then\n"
                                  "  local i, j = 1, #out\n"
                                  "  while i < j do out[i], out[j] = out[j], out[i]; i = i + 1; j = j - 1 end\n"
                                  "end\n"
                                  "return out\n"
};

/* l[start:stop:step] = ARGV[4..]. Returns {1, slicelength} when done, {0, slicelength} when
 * an extended slice was given the wrong number of values (nothing changed). */
static const pottery_script slice_set_script = {
    "list_slice_set",
    LUA_RESOLVE LUA_PUSH "local key = KEYS[1]\n"
                         "local len = redis.call('LLEN', key)\n"
                         "local start, stop, step, n = resolve(len, ARGV[1], ARGV[2], ARGV[3])\n"
                         "if step == 1 then\n"
                         "  local hi = stop\n"
                         "  if hi < start then hi = start end\n"
                         "  replace_range(key, len, start, hi, ARGV, 4, #ARGV)\n"
                         "  return {1, n}\n"
                         "end\n"
                         "if #ARGV - 3 ~= n then return {0, n} end\n"
                         "for k = 0, n - 1 do redis.call('LSET', key, start + k * step, ARGV[4 + k]) end\n"
                         "return {1, n}\n"
};

/* del l[start:stop:step] (ARGV[4] = placeholder). Returns how many were removed. */
static const pottery_script slice_del_script = {
    "list_slice_del", LUA_RESOLVE LUA_PUSH
    "local key = KEYS[1]\n"
    "local len = redis.call('LLEN', key)\n"
    "local start, stop, step, n = resolve(len, ARGV[1], ARGV[2], ARGV[3])\n"
    "if n == 0 then return 0 end\n"
    "if step == 1 then replace_range(key, len, start, start + n, ARGV, 1, 0); return n end\n"
    "if step == -1 then replace_range(key, len, start - n + 1, start + 1, ARGV, 1, 0); return n end\n"
    "for k = 0, n - 1 do redis.call('LSET', key, start + k * step, ARGV[4]) end\n"
    "redis.call('LREM', key, 0, ARGV[4])\n"
    "return n\n"
};

/* Search for any of the exact spellings ARGV[5..]. ARGV[1] is the operation: 'c' count,
 * 'i' index, 'r' remove the first (using the placeholder ARGV[4]). ARGV[2], ARGV[3] are
 * index()'s start and stop ('' = omitted). Returns the count, or the index found / -1. */
static const pottery_script find_script = {
    "list_find", "local key = KEYS[1]\n"
                 "local len = redis.call('LLEN', key)\n"
                 "if ARGV[1] == 'c' then\n"
                 "  local total = 0\n"
                 "  if len == 0 then return 0 end\n"
                 "  for k = 5, #ARGV do total = total + #redis.call('LPOS', key, ARGV[k], 'COUNT', 0) end\n"
                 "  return total\n"
                 "end\n"
                 "local start, stop = 0, len\n"
                 "if ARGV[2] ~= '' then\n"
                 "  start = tonumber(ARGV[2])\n"
                 "  if start < 0 then start = math.max(start + len, 0) end\n"
                 "end\n"
                 "if ARGV[3] ~= '' then\n"
                 "  stop = tonumber(ARGV[3])\n"
                 "  if stop < 0 then stop = math.max(stop + len, 0) elseif stop > len then stop = len end\n"
                 "end\n"
                 "if start >= stop or #ARGV < 5 then return -1 end\n"
                 "local found = -1\n"
                 "if start == 0 then\n"
                 "  local limit = stop\n"
                 "  for k = 5, #ARGV do\n"
                 "    if limit <= 0 then break end\n"
                 "    local p = redis.call('LPOS', key, ARGV[k], 'MAXLEN', limit)\n"
                 "    if p then found = p; limit = p end\n"
                 "  end\n"
                 "else\n"
                 "  local wanted = {}\n"
                 "  for k = 5, #ARGV do wanted[ARGV[k]] = true end\n"
                 "  local from = start\n"
                 "  while from < stop and found < 0 do\n"
                 "    local to = math.min(from + 999, stop - 1)\n"
                 "    local chunk = redis.call('LRANGE', key, from, to)\n"
                 "    for j = 1, #chunk do\n"
                 "      if wanted[chunk[j]] then found = from + j - 1; break end\n"
                 "    end\n"
                 "    from = to + 1\n"
                 "  end\n"
                 "end\n"
                 "if found >= 0 and ARGV[1] == 'r' then\n"
                 "  redis.call('LSET', key, found, ARGV[4])\n"
                 "  if found < len / 2 then redis.call('LREM', key, 1, ARGV[4])\n"
                 "  else redis.call('LREM', key, -1, ARGV[4]) end\n"
                 "end\n"
                 "return found\n"
};

/* Reverse in place. */
static const pottery_script reverse_script = {
    "list_reverse", "local key = KEYS[1]\n"
                    "local len = redis.call('LLEN', key)\n"
                    "if len < 2 then return len end\n"
                    "local items = redis.call('LRANGE', key, 0, -1)\n"
                    "redis.call('DEL', key)\n"
                    "for i = 1, #items, 1000 do\n"
                    "  redis.call('LPUSH', key, unpack(items, i, math.min(i + 999, #items)))\n"
                    "end\n"
                    "return len\n"
};

/* KEYS[1] (must not exist) = KEYS[2] + KEYS[3] (optional) + ARGV. -1 if KEYS[1] exists. */
static const pottery_script concat_script = { "list_concat", LUA_PUSH
                                              "if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end\n"
                                              "local a = redis.call('LRANGE', KEYS[2], 0, -1)\n"
                                              "local b = {}\n"
                                              "if #KEYS > 2 then b = redis.call('LRANGE', KEYS[3], 0, -1) end\n"
                                              "rpush_all(KEYS[1], a, 1, #a)\n"
                                              "rpush_all(KEYS[1], b, 1, #b)\n"
                                              "rpush_all(KEYS[1], ARGV, 1, #ARGV)\n"
                                              "return #a + #b + #ARGV\n" };

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
    int64_t a, b;
    if (s.start == POTTERY_SLICE_NONE)
        a = st < 0 ? upper : lower;
    else if (s.start < 0)
        a = s.start < -len ? lower : s.start + len < lower ? lower : s.start + len;
    else
        a = s.start > upper ? upper : s.start;
    if (s.stop == POTTERY_SLICE_NONE)
        b = st < 0 ? lower : upper;
    else if (s.stop < 0)
        b = s.stop < -len ? lower : s.stop + len < lower ? lower : s.stop + len;
    else
        b = s.stop > upper ? upper : s.stop;
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

/* Push a slice field as a script argument ('' when omitted). */
static void cmd_slice_field(pottery_cmd *cmd, int64_t v)
{
    if (v == POTTERY_SLICE_NONE)
        pottery__cmd_arg(cmd, "", 0);
    else
        pottery__cmd_int(cmd, (long long)v);
}

static void cmd_slice(pottery_cmd *cmd, const pottery_slice *s)
{
    cmd_slice_field(cmd, s->start);
    cmd_slice_field(cmd, s->stop);
    cmd_slice_field(cmd, s->step);
}

/* ---- opening ---- */

/* Push one element; integers (the common bulk case) skip the general encoder: their JSON
 * is their decimal text. */
static int cmd_element(pottery_cmd *cmd, const pottery_value *v)
{
    if (v->type == POTTERY_TYPE_INT) return pottery__cmd_int(cmd, (long long)v->u.i);
    return pottery__cmd_value(cmd, v);
}

int pottery_list_open(pottery_list **out, pottery_client *client, const char *key, const pottery_list_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (opts && opts->nitems > 0 && opts->items == NULL)
        return pottery__error(POTTERY_EINVAL, "pottery_list_open: items is NULL but nitems is %zu", opts->nitems);

    pottery_list *l = pottery__calloc(1, sizeof *l);
    if (!l) return pottery__error_oom();
    int rc = pottery__container_init(&l->c, client, key);
    if (rc == 0 && opts && opts->nitems > 0) {
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_key(&args, &l->c);
        for (size_t i = 0; i < opts->nitems; i++) cmd_element(&args, &opts->items[i]);
        rc = pottery__container_create(&l->c, &init_script, &args);
        pottery__cmd_free(&args);
    }
    if (rc < 0) {
        pottery__container_abandon(&l->c);
        pottery__free(l);
        return rc;
    }
    *out = l;
    return 0;
}

void pottery_list_free(pottery_list *list)
{
    if (!list) return;
    pottery__container_release(&list->c);
    pottery__free(list);
}

const char *pottery_list_key(const pottery_list *list)
{
    return list ? list->c.key : NULL;
}

pottery_client *pottery_list_client(const pottery_list *list)
{
    return list ? list->c.client : NULL;
}

/* ---- small command helpers ---- */

/* r must be an array of bulk strings (list elements), e.g. LRANGE's reply. */
static int check_elements(const pottery_reply *r, const char *what)
{
    size_t n;
    int rc = pottery__reply_array(&n, r, what);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = pottery__reply_expect(pottery__reply_at(r, i), POTTERY_REPLY_STRING, what);
    return rc;
}

static int lrange(pottery_reply **r, pottery_client *client, const char *key, size_t keylen, int64_t from, int64_t to)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "LRANGE");
    pottery__cmd_arg(&cmd, key, keylen);
    pottery__cmd_int(&cmd, (long long)from);
    pottery__cmd_int(&cmd, (long long)to);
    int rc = pottery__exec(r, client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = check_elements(*r, "LRANGE");
    if (rc < 0) {
        pottery__reply_free(*r);
        *r = NULL;
    }
    return rc;
}

/* Run a script on the list's key with the arguments already pushed on args. */
static int run_script(pottery_reply **r, pottery_list *l, const pottery_script *s, pottery_cmd *args)
{
    int rc = pottery__eval(r, l->c.client, s, 1, args);
    pottery__cmd_free(args);
    return rc;
}

/* The same for a script answering an integer from lo to hi, which *out (may be NULL) gets. */
static int run_script_int(long long *out, pottery_list *l, const pottery_script *s, pottery_cmd *args, long long lo,
                          long long hi)
{
    pottery_reply *r = NULL;
    long long n = 0;
    int rc = run_script(&r, l, s, args);
    if (rc == 0) rc = pottery__reply_int_in(&n, r, lo, hi, s->name);
    if (rc == 0 && out) *out = n;
    pottery__reply_free(r);
    return rc;
}

/* A fresh placeholder: a uuid4 in plain text, which is never valid JSON. A failure is kept
 * in cmd->err like any other push's, so running the command reports it. */
static int push_placeholder(pottery_cmd *cmd)
{
    char uuid[37];
    int rc = pottery__uuid4(uuid);
    if (rc < 0) {
        if (!cmd->err) cmd->err = rc;
        return rc;
    }
    return pottery__cmd_copy(cmd, uuid, 36);
}

/* ---- size ---- */

int pottery_list_len(int64_t *out, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    return pottery__container_count(out, &list->c, "LLEN");
}

int pottery_list_clear(pottery_list *list)
{
    POTTERY_CHECK_ARG(list);
    return pottery__container_clear(&list->c);
}

/* ---- elements by index ---- */

/* The element a reply of `what` holds; nil (there is none) is IndexError with the given
 * message. */
static int element_from_reply(pottery_value *out, const pottery_reply *r, const char *missing, const char *what)
{
    if (pottery__reply_type(r) == POTTERY_REPLY_NIL) return pottery__error(POTTERY_EINDEX, "%s", missing);
    int rc = pottery__reply_expect(r, POTTERY_REPLY_STRING, what);
    return rc < 0 ? rc : pottery__reply_to_value(out, r);
}

int pottery_list_get(pottery_value *out, pottery_list *list, int64_t index)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "LINDEX");
    pottery__cmd_key(&cmd, &list->c);
    pottery__cmd_int(&cmd, (long long)index);
    pottery_reply *r = NULL;
    int rc = pottery__exec(&r, list->c.client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0) rc = element_from_reply(out, r, "IndexError: list index out of range", "LINDEX");
    pottery__reply_free(r);
    return rc;
}

/* Redis' LSET errors for a bad index ("ERR index out of range", "ERR no such key"). */
static int is_index_error(void)
{
    const char *m = pottery_error_last()->message;
    return strstr(m, "index out of range") != NULL || strstr(m, "no such key") != NULL;
}

int pottery_list_set(pottery_list *list, int64_t index, pottery_value value)
{
    POTTERY_CHECK_ARG(list);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "LSET");
    pottery__cmd_key(&cmd, &list->c);
    pottery__cmd_int(&cmd, (long long)index);
    pottery__cmd_value(&cmd, &value);
    pottery_reply *r = NULL;
    int rc = pottery__exec(&r, list->c.client, &cmd);
    pottery__cmd_free(&cmd);
    if (rc == 0)
        rc = pottery__reply_status(r, "OK", "LSET");
    else if (rc == POTTERY_EREDIS && is_index_error())
        rc = pottery__error(POTTERY_EINDEX, "IndexError: list assignment index out of range");
    pottery__reply_free(r);
    return rc;
}

/* Remove the element at index atomically; *removed (may be NULL) receives the script's
 * reply, whose first element is the element's bytes (checked), and *at (may be NULL) the
 * index it had from the front. Distinguishes an empty list from an index out of range for
 * pop's messages. */
static int remove_at(pottery_reply **removed, int64_t *at, pottery_list *l, int64_t index, const char *empty_msg,
                     const char *range_msg)
{
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &l->c);
    pottery__cmd_int(&args, (long long)index);
    push_placeholder(&args);
    pottery_reply *r = NULL;
    const char *what = del_index_script.name;
    int rc = run_script(&r, l, &del_index_script, &args);
    if (rc < 0) return rc;
    long long code;
    if (pottery__reply_type(r) == POTTERY_REPLY_INTEGER) {
        rc = pottery__reply_int_in(&code, r, -1, 0, what);
        if (rc == 0) rc = pottery__error(POTTERY_EINDEX, "%s", code == 0 ? empty_msg : range_msg);
    } else {
        rc = pottery__reply_array_n(r, 2, what);
        if (rc == 0) rc = pottery__reply_expect(pottery__reply_at(r, 0), POTTERY_REPLY_STRING, what);
        if (rc == 0) rc = pottery__reply_int_in(&code, pottery__reply_at(r, 1), 0, LLONG_MAX, what);
        if (rc == 0 && at) *at = (int64_t)code;
    }
    if (rc == 0 && removed)
        *removed = r;
    else
        pottery__reply_free(r);
    return rc;
}

int pottery_list_del(pottery_list *list, int64_t index)
{
    POTTERY_CHECK_ARG(list);
    static const char msg[] = "IndexError: list assignment index out of range";
    return remove_at(NULL, NULL, list, index, msg, msg);
}

int pottery_list_append(pottery_list *list, pottery_value value)
{
    POTTERY_CHECK_ARG(list);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "RPUSH");
    pottery__cmd_key(&cmd, &list->c);
    pottery__cmd_value(&cmd, &value);
    return pottery__exec_int(NULL, list->c.client, &cmd, 1, LLONG_MAX, "RPUSH");
}

/* An extend as a bulk write: one RPUSH per PUSH_CHUNK values. */
typedef struct rpush_chunks {
    pottery_list *list;
    const pottery_value *values;
    size_t n, next;
} rpush_chunks;

static int next_rpush(pottery_cmd *cmd, void *ctx)
{
    rpush_chunks *p = ctx;
    if (p->next == p->n) return 0;
    size_t to = p->n - p->next > PUSH_CHUNK ? p->next + PUSH_CHUNK : p->n;
    /* Room for short elements up front, so the arena is not copied over and over. */
    if (pottery__buf_reserve(&cmd->arena, (to - p->next) * 8) < 0) return POTTERY_ENOMEM;
    pottery__cmd_cstr(cmd, "RPUSH");
    pottery__cmd_key(cmd, &p->list->c);
    for (; p->next < to; p->next++) cmd_element(cmd, &p->values[p->next]);
    return 1;
}

static int check_rpush(const pottery_reply *r, size_t i, void *ctx)
{
    (void)i;
    (void)ctx;
    long long len;
    return pottery__reply_int_in(&len, r, 1, LLONG_MAX, "RPUSH");
}

int pottery_list_extend(pottery_list *list, const pottery_value *values, size_t n)
{
    POTTERY_CHECK_ARG(list);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(values);
    rpush_chunks p = { list, values, n, 0 };
    pottery_bulk b = { list->c.client, next_rpush, check_rpush, &p };
    return pottery__bulk_write(&b);
}

/* Push the canonical JSON of every item of an array node. */
static int cmd_items(pottery_cmd *cmd, const pottery_json_node *arr)
{
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < arr->count; i++) {
        pottery__buf_clear(&b);
        rc = pottery__json_write(&b, arr->items[i]);
        if (rc == 0) rc = pottery__cmd_copy(cmd, b.data, b.len);
    }
    pottery__buf_free(&b);
    return rc;
}

int pottery_list_extend_json(pottery_list *list, const char *json_array)
{
    POTTERY_CHECK_ARG(list);
    POTTERY_CHECK_ARG(json_array);
    pottery_json_node *arr = NULL;
    int rc = pottery__json_parse_kind(&arr, json_array, POTTERY_JSON_ARRAY, "pottery_list_extend_json");
    if (rc < 0) return rc;
    if (arr->count > 0) {
        pottery_cmd cmd;
        pottery__cmd_init(&cmd);
        pottery__cmd_cstr(&cmd, "RPUSH");
        pottery__cmd_key(&cmd, &list->c);
        rc = cmd_items(&cmd, arr);
        if (rc == 0) rc = pottery__exec_int(NULL, list->c.client, &cmd, (long long)arr->count, LLONG_MAX, "RPUSH");
        pottery__cmd_free(&cmd);
    }
    pottery__json_free(arr);
    return rc;
}

/* The insert script on args holding the key, the index and the element's bytes. */
static int run_insert(pottery_list *l, pottery_cmd *args)
{
    push_placeholder(args);
    return run_script_int(NULL, l, &insert_script, args, 1, LLONG_MAX);
}

int pottery_list_insert(pottery_list *list, int64_t index, pottery_value value)
{
    POTTERY_CHECK_ARG(list);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &list->c);
    pottery__cmd_int(&args, (long long)index);
    pottery__cmd_value(&args, &value);
    return run_insert(list, &args);
}

/* A popped element did not decode (its error is set): put its bytes back at index (0: the
 * front, INT64_MAX: the end), so the failed call leaves the list as it was. Inserting never
 * overwrites what a concurrent writer did meanwhile. One more round trip, on this path
 * only. */
static int put_back(pottery_list *l, const char *bytes, size_t len, int64_t index)
{
    pottery_error_saved decode;
    pottery__error_save(&decode);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &l->c);
    pottery__cmd_int(&args, (long long)index);
    pottery__cmd_arg(&args, bytes, len);
    return pottery__pop_failed(&l->c, &decode, run_insert(l, &args), "element", bytes, len);
}

/* Decode a popped element (a checked bulk string) into *out, putting it back at index if
 * that fails. */
static int take_popped(pottery_value *out, pottery_list *l, const pottery_reply *r, int64_t index)
{
    int rc = pottery__reply_to_value(out, r);
    if (rc < 0) {
        size_t len;
        const char *bytes = pottery__reply_str(r, &len);
        rc = put_back(l, bytes, len, index);
    }
    return rc;
}

/* RPOP/LPOP: one command, atomic by itself. */
static int pop_end(pottery_value *out, pottery_list *l, int left)
{
    const char *verb = left ? "LPOP" : "RPOP";
    pottery_reply *r = NULL;
    int rc = pottery__container_command(&r, &l->c, verb, NULL);
    if (rc == 0 && pottery__reply_type(r) == POTTERY_REPLY_NIL)
        rc = pottery__error(POTTERY_EINDEX, "IndexError: pop from empty list");
    else if (rc == 0 && (rc = pottery__reply_expect(r, POTTERY_REPLY_STRING, verb)) == 0)
        rc = take_popped(out, l, r, left ? 0 : INT64_MAX);
    pottery__reply_free(r);
    return rc;
}

int pottery_list_pop(pottery_value *out, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    return pop_end(out, list, 0);
}

int pottery_list_pop_index(pottery_value *out, pottery_list *list, int64_t index)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    if (index == -1) return pop_end(out, list, 0);
    if (index == 0) return pop_end(out, list, 1);
    pottery_reply *r = NULL;
    int64_t at = 0;
    int rc = remove_at(&r, &at, list, index, "IndexError: pop from empty list", "IndexError: pop index out of range");
    if (rc < 0) return rc;
    rc = take_popped(out, list, pottery__reply_at(r, 0), at);
    pottery__reply_free(r);
    return rc;
}

/* ---- search by Python equality ---- */

/* The canonical spellings of every JSON value Python considers equal to a given one. */
typedef struct spellings {
    pottery_buf *items;
    size_t count;
    size_t cap;
} spellings;

enum { SPELL_TOO_MANY = 1 };

static void spellings_free(spellings *s)
{
    for (size_t i = 0; i < s->count; i++) pottery__buf_free(&s->items[i]);
    pottery__free(s->items);
    s->items = NULL;
    s->count = s->cap = 0;
}

static int spellings_add(spellings *s, const char *text, size_t len)
{
    if (s->count >= MAX_SPELLINGS) return SPELL_TOO_MANY;
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4;
        pottery_buf *n = pottery__realloc(s->items, cap * sizeof *n);
        if (!n) return pottery__error_oom();
        s->items = n;
        s->cap = cap;
    }
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = pottery__buf_append(&b, text, len);
    if (rc < 0) return rc;
    if (b.data == NULL && (rc = pottery__buf_reserve(&b, 1)) < 0) return rc;
    s->items[s->count++] = b;
    return 0;
}

static int spellings_add_cstr(spellings *s, const char *text)
{
    return spellings_add(s, text, strlen(text));
}

static int spell_zero_or_one(spellings *s, int one)
{
    static const char *const zero[] = { "0", "0.0", "-0.0", "false" };
    static const char *const unity[] = { "1", "1.0", "true" };
    const char *const *list = one ? unity : zero;
    size_t n = one ? 3 : 4;
    for (size_t i = 0; i < n; i++) {
        int rc = spellings_add_cstr(s, list[i]);
        if (rc != 0) return rc;
    }
    return 0;
}

/* Scalars: numbers have several spellings (1, 1.0, true), everything else exactly one. */
static int spell_scalar(spellings *s, const pottery_json_node *n)
{
    char text[POTTERY_INTEGRAL_TEXT_SIZE], repr[POTTERY_DOUBLE_BUFSIZE];
    int rc;
    switch (n->kind) {
    case POTTERY_JSON_TRUE: return spell_zero_or_one(s, 1);
    case POTTERY_JSON_FALSE: return spell_zero_or_one(s, 0);
    case POTTERY_JSON_INT:
        if (n->fits_int64) {
            if (n->i == 0 || n->i == 1) return spell_zero_or_one(s, n->i == 1);
            pottery__int64_text(text, n->i);
            if ((rc = spellings_add_cstr(s, text)) != 0) return rc;
            double d = (double)n->i;
            if (d >= -POTTERY_TWO_POW_63 && d < POTTERY_TWO_POW_63 && (int64_t)d == n->i) {
                pottery__format_double(repr, d);
                return spellings_add_cstr(s, repr);
            }
            return 0;
        }
        if ((rc = spellings_add(s, n->text, n->len)) != 0) return rc;
        if (pottery__double_is_integral(n->num)) {
            pottery__integral_text(text, n->num);
            if (strcmp(text, n->text) == 0) {
                pottery__format_double(repr, n->num);
                return spellings_add_cstr(s, repr);
            }
        }
        return 0;
    case POTTERY_JSON_FLOAT:
        if (isnan(n->num)) return 0; /* NaN equals nothing */
        if (n->num == 0.0) return spell_zero_or_one(s, 0);
        if (n->num == 1.0) return spell_zero_or_one(s, 1);
        pottery__format_double(repr, n->num);
        if ((rc = spellings_add_cstr(s, repr)) != 0) return rc;
        if (pottery__double_is_integral(n->num)) {
            pottery__integral_text(text, n->num);
            return spellings_add_cstr(s, text);
        }
        return 0;
    default: {
        pottery_buf b = POTTERY_BUF_INIT;
        rc = pottery__json_write(&b, n);
        if (rc == 0) rc = spellings_add(s, b.data, b.len);
        pottery__buf_free(&b);
        return rc;
    }
    }
}

static int spell(spellings *out, const pottery_json_node *n);

/* Arrays and objects: every combination of their members' spellings. */
static int spell_composite(spellings *out, const pottery_json_node *n)
{
    int object = n->kind == POTTERY_JSON_OBJECT;
    spellings acc = { NULL, 0, 0 };
    int rc = spellings_add_cstr(&acc, object ? "{" : "[");
    pottery_buf key = POTTERY_BUF_INIT;
    for (size_t k = 0; rc == 0 && k < n->count; k++) {
        spellings member = { NULL, 0, 0 }, next = { NULL, 0, 0 };
        pottery__buf_clear(&key);
        if (k > 0) rc = pottery__buf_puts(&key, ", ");
        if (rc == 0 && object) {
            rc = pottery__json_write(&key, n->keys[k]);
            if (rc == 0) rc = pottery__buf_puts(&key, ": ");
        }
        if (rc == 0) rc = spell(&member, n->items[k]);
        if (rc == 0 && acc.count * member.count > MAX_SPELLINGS) rc = SPELL_TOO_MANY;
        for (size_t a = 0; rc == 0 && a < acc.count; a++) {
            for (size_t m = 0; rc == 0 && m < member.count; m++) {
                pottery_buf b = POTTERY_BUF_INIT;
                rc = pottery__buf_append(&b, acc.items[a].data, acc.items[a].len);
                if (rc == 0 && key.len) rc = pottery__buf_append(&b, key.data, key.len);
                if (rc == 0) rc = pottery__buf_append(&b, member.items[m].data, member.items[m].len);
                if (rc == 0) rc = spellings_add(&next, b.data, b.len);
                pottery__buf_free(&b);
            }
        }
        spellings_free(&member);
        spellings_free(&acc);
        acc = next;
    }
    pottery__buf_free(&key);
    for (size_t a = 0; rc == 0 && a < acc.count; a++) rc = pottery__buf_putc(&acc.items[a], object ? '}' : ']');
    if (rc == 0) {
        for (size_t a = 0; rc == 0 && a < acc.count; a++) rc = spellings_add(out, acc.items[a].data, acc.items[a].len);
    }
    spellings_free(&acc);
    return rc;
}

static int spell(spellings *out, const pottery_json_node *n)
{
    if (n->kind == POTTERY_JSON_ARRAY || n->kind == POTTERY_JSON_OBJECT) return spell_composite(out, n);
    return spell_scalar(out, n);
}

typedef enum find_op { FIND_INDEX = 'i', FIND_REMOVE = 'r', FIND_COUNT = 'c' } find_op;

typedef struct find_request {
    find_op op;
    int64_t start; /* POTTERY_SLICE_NONE = omitted */
    int64_t stop;
    int64_t result; /* count, or index found (-1: none) */
} find_request;

/* The client-side search for values with too many spellings: LRANGE windows inside a WATCH
 * transaction, elements compared as parsed trees. */
typedef struct scan_ctx {
    pottery_list *list;
    const pottery_json_node *target;
    find_request *req;
    char placeholder[37];
} scan_ctx;

static int scan_body(pottery_client *c, void *vctx, pottery_txn *t)
{
    scan_ctx *ctx = vctx;
    pottery_list *l = ctx->list;
    find_request *req = ctx->req;
    pottery_reply *r = NULL;
    int64_t len;
    int rc = pottery__container_count(&len, &l->c, "LLEN");
    if (rc < 0) return rc;
    int64_t start = 0, stop = len;
    if (req->op != FIND_COUNT) {
        if (req->start != POTTERY_SLICE_NONE) {
            start = req->start;
            if (start < 0) start = start < -len ? 0 : start + len;
        }
        if (req->stop != POTTERY_SLICE_NONE) {
            stop = req->stop;
            if (stop < 0)
                stop = stop < -len ? 0 : stop + len;
            else if (stop > len)
                stop = len;
        }
    }
    int64_t count = 0, found = -1;
    for (int64_t from = start; from < stop && found < 0; from += SCAN_WINDOW) {
        int64_t to = stop - from > SCAN_WINDOW ? from + SCAN_WINDOW - 1 : stop - 1;
        rc = lrange(&r, c, l->c.key, l->c.keylen, from, to);
        if (rc < 0) return rc;
        size_t n = pottery__reply_count(r);
        for (size_t j = 0; j < n; j++) {
            size_t elen;
            const char *e = pottery__reply_str(pottery__reply_at(r, j), &elen);
            pottery_json_node *node = NULL;
            if (pottery__json_parse(&node, e, elen) < 0) continue; /* foreign: never equal */
            int eq = pottery__json_equal(node, ctx->target);
            pottery__json_free(node);
            if (!eq) continue;
            if (req->op == FIND_COUNT) {
                count++;
            } else {
                found = from + (int64_t)j;
                break;
            }
        }
        pottery__reply_free(r);
        r = NULL;
        if ((int64_t)n < to - from + 1) break; /* the list is shorter than it was */
    }
    req->result = req->op == FIND_COUNT ? count : found;
    if (req->op == FIND_REMOVE && found >= 0) {
        pottery_cmd *set = pottery__txn_add(t);
        if (!set) return POTTERY_ENOMEM;
        pottery__cmd_cstr(set, "LSET");
        pottery__cmd_key(set, &l->c);
        pottery__cmd_int(set, (long long)found);
        pottery__cmd_arg(set, ctx->placeholder, 36);
        pottery_cmd *rem = pottery__txn_add(t);
        if (!rem) return POTTERY_ENOMEM;
        pottery__cmd_cstr(rem, "LREM");
        pottery__cmd_key(rem, &l->c);
        pottery__cmd_int(rem, found < len / 2 ? 1 : -1);
        pottery__cmd_arg(rem, ctx->placeholder, 36);
    }
    return 0;
}

static int find_by_scan(pottery_list *l, const pottery_json_node *target, find_request *req)
{
    scan_ctx ctx;
    ctx.list = l;
    ctx.target = target;
    ctx.req = req;
    int rc = pottery__uuid4(ctx.placeholder);
    if (rc < 0) return rc;
    const char *keys[1] = { l->c.key };
    size_t keylens[1] = { l->c.keylen };
    pottery_reply *exec = NULL;
    rc = pottery__watch(&exec, l->c.client, keys, keylens, 1, 10, scan_body, &ctx);
    /* Only a removal writes: LSET then LREM of the placeholder it wrote. */
    if (rc == 0 && exec) {
        long long removed;
        rc = pottery__reply_array_n(exec, 2, "EXEC");
        if (rc == 0) rc = pottery__reply_status(pottery__reply_at(exec, 0), "OK", "LSET inside EXEC");
        if (rc == 0) rc = pottery__reply_int_in(&removed, pottery__reply_at(exec, 1), 1, 1, "LREM inside EXEC");
    }
    pottery__reply_free(exec);
    return rc;
}

/* Search the list for value; req->result receives the answer. */
static int find(pottery_list *l, const pottery_value *value, find_request *req)
{
    pottery_json_node *target = NULL;
    int rc = pottery__value_to_node(&target, value);
    if (rc < 0) return rc;
    spellings sp = { NULL, 0, 0 };
    rc = spell(&sp, target);
    if (rc == SPELL_TOO_MANY) {
        rc = find_by_scan(l, target, req);
    } else if (rc == 0) {
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_key(&args, &l->c);
        char op = (char)req->op;
        pottery__cmd_copy(&args, &op, 1);
        cmd_slice_field(&args, req->start);
        cmd_slice_field(&args, req->stop);
        rc = req->op == FIND_REMOVE ? push_placeholder(&args) : pottery__cmd_arg(&args, "", 0);
        for (size_t i = 0; rc == 0 && i < sp.count; i++)
            rc = pottery__cmd_arg(&args, sp.items[i].data, sp.items[i].len);
        long long result = 0;
        if (rc == 0)
            rc = run_script_int(&result, l, &find_script, &args, req->op == FIND_COUNT ? 0 : -1, LLONG_MAX);
        else
            pottery__cmd_free(&args);
        if (rc == 0) req->result = (int64_t)result;
    }
    spellings_free(&sp);
    pottery__json_free(target);
    return rc;
}

int pottery_list_remove(pottery_list *list, pottery_value value)
{
    POTTERY_CHECK_ARG(list);
    find_request req = { FIND_REMOVE, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE, -1 };
    int rc = find(list, &value, &req);
    if (rc < 0) return rc;
    if (req.result < 0) return pottery__error(POTTERY_ENOTFOUND, "ValueError: list.remove(x): x not in list");
    return 0;
}

int pottery_list_index_range(int64_t *out, pottery_list *list, pottery_value value, int64_t start, int64_t stop)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    find_request req = { FIND_INDEX, start, stop, -1 };
    int rc = find(list, &value, &req);
    if (rc < 0) return rc;
    if (req.result < 0) {
        char *repr = NULL;
        if (pottery_value_repr(&repr, value) < 0)
            return pottery__error(POTTERY_ENOTFOUND, "ValueError: x is not in list");
        pottery__error(POTTERY_ENOTFOUND, "ValueError: %s is not in list", repr);
        pottery_free(repr);
        return POTTERY_ENOTFOUND;
    }
    *out = req.result;
    return 0;
}

int pottery_list_index(int64_t *out, pottery_list *list, pottery_value value)
{
    return pottery_list_index_range(out, list, value, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE);
}

int pottery_list_count(int64_t *out, pottery_list *list, pottery_value value)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    find_request req = { FIND_COUNT, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE, 0 };
    int rc = find(list, &value, &req);
    if (rc < 0) return rc;
    *out = req.result;
    return 0;
}

int pottery_list_contains(int *out, pottery_list *list, pottery_value value)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    find_request req = { FIND_INDEX, POTTERY_SLICE_NONE, POTTERY_SLICE_NONE, -1 };
    int rc = find(list, &value, &req);
    if (rc == POTTERY_ETYPE) {
        /* Python: a value that cannot be serialised is simply not there. */
        *out = 0;
        return 0;
    }
    if (rc < 0) return rc;
    *out = req.result >= 0;
    return 0;
}

/* ---- reading many elements ---- */

/* Parse every element of an ARRAY reply into one array node. */
static int reply_to_array(pottery_json_node **out, const pottery_reply *r)
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

/* LRANGE 0 -1 of the list, parsed. */
static int read_all(pottery_json_node **out, pottery_list *l)
{
    pottery_reply *r = NULL;
    int rc = lrange(&r, l->c.client, l->c.key, l->c.keylen, 0, -1);
    if (rc == 0) rc = reply_to_array(out, r);
    pottery__reply_free(r);
    return rc;
}

static int slice_reply(pottery_reply **r, pottery_list *l, const pottery_slice *s)
{
    int rc = check_step(s);
    if (rc < 0) return rc;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &l->c);
    cmd_slice(&args, s);
    rc = run_script(r, l, &slice_get_script, &args);
    if (rc == 0) rc = check_elements(*r, slice_get_script.name);
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
    if (rc == 0) rc = reply_to_array(&arr, r);
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
    int rc = check_step(&slice);
    if (rc < 0) return rc;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &list->c);
    cmd_slice(&args, &slice);
    for (size_t i = 0; i < n; i++) cmd_element(&args, &values[i]);
    pottery_reply *r = NULL;
    const char *what = slice_set_script.name;
    long long done = 0, size = 0;
    rc = run_script(&r, list, &slice_set_script, &args);
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
    int rc = check_step(&slice);
    if (rc < 0) return rc;
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &list->c);
    cmd_slice(&args, &slice);
    push_placeholder(&args);
    return run_script_int(NULL, list, &slice_del_script, &args, 0, LLONG_MAX);
}

/* ---- whole-list operations ---- */

int pottery_list_reverse(pottery_list *list)
{
    POTTERY_CHECK_ARG(list);
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &list->c);
    return run_script_int(NULL, list, &reverse_script, &args, 0, LLONG_MAX);
}

int pottery_list_sort(pottery_list *list, int descending)
{
    POTTERY_CHECK_ARG(list);
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, "SORT");
    pottery__cmd_key(&cmd, &list->c);
    if (descending) pottery__cmd_cstr(&cmd, "DESC");
    pottery__cmd_cstr(&cmd, "STORE");
    pottery__cmd_key(&cmd, &list->c);
    int rc = pottery__exec_int(NULL, list->c.client, &cmd, 0, LLONG_MAX, "SORT STORE");
    if (rc == POTTERY_EREDIS && strstr(pottery_error_last()->message, "converted into double")) {
        char redis_text[256];
        snprintf(redis_text, sizeof redis_text, "%s", pottery_error_last()->message);
        rc = pottery__error(POTTERY_EREDIS, "sort: only lists of numbers can be sorted (Redis: %s)", redis_text);
    }
    return rc;
}

int pottery_list_snapshot(pottery_value *out, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    pottery_json_node *arr = NULL;
    int rc = read_all(&arr, list);
    if (rc == 0) rc = array_to_value(out, arr);
    pottery__json_free(arr);
    return rc;
}

int pottery_list_to_json(char **out, size_t *out_len, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    pottery_json_node *arr = NULL;
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = read_all(&arr, list);
    if (rc == 0) rc = pottery__json_write(&b, arr);
    if (rc == 0) rc = pottery__buf_detach(&b, out, out_len);
    pottery__buf_free(&b);
    pottery__json_free(arr);
    return rc;
}

/* prefix + repr(to_list()). */
static int list_repr(char **out, pottery_list *l, const char *prefix)
{
    pottery_json_node *arr = NULL;
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = read_all(&arr, l);
    if (rc == 0) rc = pottery__buf_puts(&b, prefix);
    if (rc == 0) rc = pottery__json_repr(&b, arr);
    if (rc == 0) rc = pottery__buf_detach(&b, out, NULL);
    pottery__buf_free(&b);
    pottery__json_free(arr);
    return rc;
}

int pottery_list_repr(char **out, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    return list_repr(out, list, "RedisList");
}

int pottery_list_repr_items(char **out, pottery_list *list)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    return list_repr(out, list, "");
}

/* A new list on l's client with a fresh random key holding l + other (+ extra). The key is
 * checked and filled by one script; a key that turned out to exist is retried (3 tries). */
static int concat(pottery_list **out, pottery_list *l, pottery_list *other, pottery_cmd *extra)
{
    int rc = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        char key[POTTERY_RANDOM_KEY_SIZE];
        if ((rc = pottery__random_key_unchecked(key)) < 0) return rc; /* checked by the script */
        pottery_cmd args;
        pottery__cmd_init(&args);
        pottery__cmd_cstr(&args, key);
        pottery__cmd_key(&args, &l->c);
        if (other) pottery__cmd_key(&args, &other->c);
        for (size_t i = 0; extra && i < extra->argc; i++) {
            const pottery_cmd_arg *a = &extra->args[i];
            pottery__cmd_arg(&args, a->ptr ? a->ptr : extra->arena.data + a->off, a->len);
        }
        pottery_reply *r = NULL;
        long long written = 0;
        rc = pottery__eval(&r, l->c.client, &concat_script, other ? 3 : 2, &args);
        pottery__cmd_free(&args);
        if (rc == 0) rc = pottery__reply_int_in(&written, r, -1, LLONG_MAX, concat_script.name);
        pottery__reply_free(r);
        if (rc < 0) return rc;
        if (written < 0) continue; /* the key existed: try another one */
        pottery_list *n = pottery__calloc(1, sizeof *n);
        if (!n) return pottery__error_oom();
        /* A non-empty key: no round trip. */
        if ((rc = pottery__container_init(&n->c, l->c.client, key)) < 0) {
            pottery__free(n);
            return rc;
        }
        *out = n;
        return 0;
    }
    return pottery__error(POTTERY_ERANDOMKEY, "RandomKeyError: 3 random keys already existed");
}

int pottery_list_add(pottery_list **out, pottery_list *list, pottery_list *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    POTTERY_CHECK_ARG(other);
    if (pottery__client_same_server(list->c.client, other->c.client)) return concat(out, list, other, NULL);
    /* Another server: read other's elements first (their bytes are copied as they are). */
    pottery_reply *r = NULL;
    int rc = lrange(&r, other->c.client, other->c.key, other->c.keylen, 0, -1);
    if (rc < 0) return rc;
    pottery_cmd extra;
    pottery__cmd_init(&extra);
    size_t n = pottery__reply_count(r);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *e = pottery__reply_str(pottery__reply_at(r, i), &len); /* checked by lrange */
        pottery__cmd_arg(&extra, e, len);
    }
    rc = extra.err < 0 ? extra.err : concat(out, list, NULL, &extra);
    pottery__cmd_free(&extra);
    pottery__reply_free(r);
    return rc;
}

int pottery_list_add_json(pottery_list **out, pottery_list *list, const char *json_array)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    POTTERY_CHECK_ARG(json_array);
    pottery_json_node *arr = NULL;
    int rc = pottery__json_parse_kind(&arr, json_array, POTTERY_JSON_ARRAY, "pottery_list_add_json");
    if (rc < 0) return rc;
    pottery_cmd extra;
    pottery__cmd_init(&extra);
    rc = cmd_items(&extra, arr);
    if (rc == 0) rc = concat(out, list, NULL, &extra);
    pottery__cmd_free(&extra);
    pottery__json_free(arr);
    return rc;
}

/* Element-wise Python equality of two lists read as replies. Equal bytes are equal without
 * parsing; otherwise both sides are parsed (POTTERY_EDECODE for foreign data). */
static int replies_equal(int *out, const pottery_reply *a, const pottery_reply *b)
{
    size_t n = pottery__reply_count(a);
    if (n != pottery__reply_count(b)) {
        *out = 0;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t alen, blen;
        const char *x = pottery__reply_str(pottery__reply_at(a, i), &alen);
        const char *y = pottery__reply_str(pottery__reply_at(b, i), &blen);
        if (alen == blen && (alen == 0 || memcmp(x, y, alen) == 0)) continue;
        pottery_json_node *p = NULL, *q = NULL;
        int rc = pottery__json_parse(&p, x ? x : "", alen);
        if (rc == 0) rc = pottery__json_parse(&q, y ? y : "", blen);
        int eq = rc == 0 && pottery__json_equal(p, q);
        pottery__json_free(p);
        pottery__json_free(q);
        if (rc < 0) return rc;
        if (!eq) {
            *out = 0;
            return 0;
        }
    }
    *out = 1;
    return 0;
}

int pottery_list_equal(int *out, pottery_list *list, pottery_list *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    POTTERY_CHECK_ARG(other);
    int same_server = pottery__client_same_server(list->c.client, other->c.client);
    if (list == other || (same_server && strcmp(list->c.key, other->c.key) == 0)) {
        *out = 1;
        return 0;
    }
    pottery_reply *replies[2] = { NULL, NULL };
    int rc;
    if (same_server) {
        /* Both LRANGEs in one round trip. */
        pottery_cmd cmds[2];
        pottery_list *lists[2] = { list, other };
        for (int i = 0; i < 2; i++) {
            pottery__cmd_init(&cmds[i]);
            pottery__cmd_cstr(&cmds[i], "LRANGE");
            pottery__cmd_key(&cmds[i], &lists[i]->c);
            pottery__cmd_cstr(&cmds[i], "0");
            pottery__cmd_cstr(&cmds[i], "-1");
        }
        rc = pottery__exec_pipeline(replies, list->c.client, cmds, 2);
        if (rc == 0) rc = check_elements(replies[0], "LRANGE");
        if (rc == 0) rc = check_elements(replies[1], "LRANGE");
        for (int i = 0; i < 2; i++) pottery__cmd_free(&cmds[i]);
    } else {
        rc = lrange(&replies[0], list->c.client, list->c.key, list->c.keylen, 0, -1);
        if (rc == 0) rc = lrange(&replies[1], other->c.client, other->c.key, other->c.keylen, 0, -1);
    }
    if (rc == 0) rc = replies_equal(out, replies[0], replies[1]);
    pottery__reply_free(replies[0]);
    pottery__reply_free(replies[1]);
    return rc;
}

int pottery_list_equal_json(int *out, pottery_list *list, const char *json_array)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    POTTERY_CHECK_ARG(json_array);
    pottery_json_node *theirs = NULL, *mine = NULL;
    int rc = pottery__json_parse_kind(&theirs, json_array, POTTERY_JSON_ARRAY, "pottery_list_equal_json");
    if (rc < 0) return rc;
    rc = read_all(&mine, list);
    if (rc == 0) *out = pottery__json_equal(mine, theirs);
    pottery__json_free(mine);
    pottery__json_free(theirs);
    return rc;
}

/* ---- iteration ---- */

static int iter_new(pottery_list_iter **out, pottery_list *list, int reversed)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(list);
    pottery_list_iter *it = pottery__calloc(1, sizeof *it);
    if (!it) return pottery__error_oom();
    it->list = list;
    it->reversed = reversed;
    *out = it;
    return 0;
}

int pottery_list_iter_new(pottery_list_iter **out, pottery_list *list)
{
    return iter_new(out, list, 0);
}

int pottery_list_iter_new_reversed(pottery_list_iter **out, pottery_list *list)
{
    return iter_new(out, list, 1);
}

int pottery_list_iter_next(pottery_list_iter *it, pottery_value *out)
{
    POTTERY_CHECK_ARG(it);
    POTTERY_CHECK_ARG(out);
    if (it->next == it->count) {
        if (it->last) return POTTERY_EITEROVER;
        pottery__reply_free(it->batch);
        it->batch = NULL;
        it->count = it->next = 0;
        pottery_list *l = it->list;
        int64_t from = it->pos, to = it->pos + ITER_WINDOW - 1;
        /* Backwards: the window counted from the end, with negative indexes. */
        if (it->reversed) {
            from = -(it->pos + ITER_WINDOW);
            to = -(it->pos + 1);
        }
        pottery_reply *r = NULL;
        int rc = lrange(&r, l->c.client, l->c.key, l->c.keylen, from, to);
        if (rc < 0) return rc;
        it->batch = r;
        it->count = pottery__reply_count(r);
        it->pos += (int64_t)it->count;
        if (it->count < ITER_WINDOW) it->last = 1;
        if (it->count == 0) return POTTERY_EITEROVER;
    }
    size_t i = it->reversed ? it->count - 1 - it->next : it->next;
    it->next++; /* move on first, so a foreign element does not stop the iteration */
    return pottery__reply_to_value(out, pottery__reply_at(it->batch, i));
}

void pottery_list_iter_free(pottery_list_iter *it)
{
    if (!it) return;
    pottery__reply_free(it->batch);
    pottery__free(it);
}
