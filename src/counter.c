/* pottery_counter: RedisCounter on a Redis hash (field = JSON(key), value = JSON int count). */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "codec/codec.h"
#include "conn/conn.h"
#include "container.h"
#include "core/error.h"
#include "hash_snapshot.h"
#include "pottery/counter.h"

struct pottery_counter {
    pottery_container c;
};

struct pottery_counter_iter {
    pottery_scan scan;
    int elements;      /* elements(): repeat each key count times */
    pottery_value key; /* elements(): the key being repeated (owned) */
    int64_t count;     /* its count */
    int64_t left;      /* how many more times it is due */
};

/* Contributions per Lua call. Up to this many, update/subtract is one EVALSHA; above it,
 * chunks of this size are streamed inside one MULTI/EXEC (still one round trip). */
enum { PAIRS_PER_SCRIPT = 10000 };

/* Longest piece of foreign data quoted in an error message. */
enum { QUOTE_MAX = 60 };

/* ---- Lua ----
 *
 * Redis' Lua numbers are doubles, which cannot hold every int64, so counts travel as text
 * and the scripts do exact arithmetic on pairs (h, l) with value = h * 10^9 + l, 0 <= l <
 * 10^9. A stored count is parsed with Redis' own integer rules (what HINCRBY accepts);
 * sums may leave the int64 range on the way (only the final count must fit, as Python's
 * unbounded ints would give), and everything is checked before the first write, so a
 * failing call writes nothing. Failures come back as arrays: {'decode', key, field,
 * value}, {'range', key, field} or {'exists', key}; success as an integer or a string.
 * Each script is assembled from the pieces it needs (C caps a literal at 4095 bytes). */

/* parse(text [, loose]) -> h, l, or nil if text is not an integer (Redis' rules, int64
 * range; loose: up to 24 digits, for sums in progress). Up to 15 characters the value is
 * exact as a double, which is the fast path. */
#define LUA_PARSE                                                                                                      \
    "local B, find, floor, format, sub = 1000000000, string.find, math.floor, string.format, string.sub\n"             \
    "local function parse(s, loose)\n"                                                                                 \
    " if s == '1' then return 0, 1 end\n"                                                                              \
    " if not find(s, '^%-?[1-9]%d*$') then\n"                                                                          \
    "  if s == '0' then return 0, 0 end\n"                                                                             \
    "  return nil\n"                                                                                                   \
    " end\n"                                                                                                           \
    " if #s <= 15 then\n"                                                                                              \
    "  local v = tonumber(s)\n"                                                                                        \
    "  local h = floor(v / B)\n"                                                                                       \
    "  return h, v - h * B\n"                                                                                          \
    " end\n"                                                                                                           \
    " local negative, d = false, s\n"                                                                                  \
    " if string.byte(s, 1) == 45 then negative, d = true, sub(s, 2) end\n"                                             \
    " if loose then\n"                                                                                                 \
    "  if #d > 24 then return nil end\n"                                                                               \
    " elseif #d > 19 or (#d == 19 and d > (negative and '9223372036854775808' or '9223372036854775807')) then\n"       \
    "  return nil\n"                                                                                                   \
    " end\n"                                                                                                           \
    " local h, l = tonumber(sub(d, 1, #d - 9)), tonumber(sub(d, -9))\n"                                                \
    " if not negative then return h, l end\n"                                                                          \
    " if l == 0 then return -h, 0 end\n"                                                                               \
    " return -h - 1, B - l\n"                                                                                          \
    "end\n"

#define LUA_NEG                                                                                                        \
    "local function neg(h, l)\n"                                                                                       \
    " if l == 0 then return -h, 0 end\n"                                                                               \
    " return -h - 1, B - l\n"                                                                                          \
    "end\n"

#define LUA_ADD                                                                                                        \
    "local function add(h1, l1, h2, l2)\n"                                                                             \
    " local h, l = h1 + h2, l1 + l2\n"                                                                                 \
    " if l >= B then h, l = h + 1, l - B end\n"                                                                        \
    " return h, l\n"                                                                                                   \
    "end\n"

/* less(a, b) for a < b; fits(v) for INT64_MIN <= v <= INT64_MAX. */
#define LUA_COMPARE                                                                                                    \
    "local function less(h1, l1, h2, l2)\n"                                                                            \
    " return h1 < h2 or (h1 == h2 and l1 < l2)\n"                                                                      \
    "end\n"                                                                                                            \
    "local function fits(h, l)\n"                                                                                      \
    " return not less(9223372036, 854775807, h, l) and not less(h, l, -9223372037, 145224192)\n"                       \
    "end\n"

/* The decimal text of h * 10^9 + l (one exact double below 10^15 + 10^9). */
#define LUA_FMT                                                                                                        \
    "local function fmt(h, l)\n"                                                                                       \
    " if h >= -1000000 and h < 1000000 then return format('%.0f', h * B + l) end\n"                                    \
    " local sign = ''\n"                                                                                               \
    " if h < 0 then sign, h, l = '-', neg(h, l) end\n"                                                                 \
    " return sign .. format('%.0f%09.0f', h, l)\n"                                                                     \
    "end\n"

/* load(key, fields, H, L): the stored counts of fields (absent: 0) into H, L. */
#define LUA_LOAD                                                                                                       \
    "local function load(key, fields, H, L)\n"                                                                         \
    " for i = 1, #fields, 1000 do\n"                                                                                   \
    "  local j = math.min(i + 999, #fields)\n"                                                                         \
    "  local cur = redis.call('HMGET', key, unpack(fields, i, j))\n"                                                   \
    "  for k = i, j do\n"                                                                                              \
    "   local f, v = fields[k], cur[k - i + 1]\n"                                                                      \
    "   local h, l = 0, 0\n"                                                                                           \
    "   if v then\n"                                                                                                   \
    "    h, l = parse(v)\n"                                                                                            \
    "    if not h then return {'decode', key, f, v} end\n"                                                             \
    "   end\n"                                                                                                         \
    "   H[f], L[f] = h, l\n"                                                                                           \
    "  end\n"                                                                                                          \
    " end\n"                                                                                                           \
    "end\n"

/* distinct(first): the fields ARGV[first], ARGV[first + 2], ... in order, once each.
 * accumulate(key, first, sign, H, L): add (sign '-': subtract) the counts that follow them.
 * Beyond |h| = 10^14 the sum could stop being exact: it is out of range anyway. */
#define LUA_ACCUMULATE                                                                                                 \
    "local function distinct(first)\n"                                                                                 \
    " local seen, fields = {}, {}\n"                                                                                   \
    " for i = first, #ARGV, 2 do\n"                                                                                    \
    "  if not seen[ARGV[i]] then seen[ARGV[i]] = true; fields[#fields + 1] = ARGV[i] end\n"                            \
    " end\n"                                                                                                           \
    " return fields\n"                                                                                                 \
    "end\n"                                                                                                            \
    "local function accumulate(key, first, sign, H, L)\n"                                                              \
    " for i = first, #ARGV, 2 do\n"                                                                                    \
    "  local f = ARGV[i]\n"                                                                                            \
    "  local h, l = parse(ARGV[i + 1])\n"                                                                              \
    "  if sign == '-' then h, l = neg(h, l) end\n"                                                                     \
    "  h, l = add(H[f], L[f], h, l)\n"                                                                                 \
    "  if h > 1e14 or h < -1e14 then return {'range', key, f} end\n"                                                   \
    "  H[f], L[f] = h, l\n"                                                                                            \
    " end\n"                                                                                                           \
    "end\n"

/* store(key, fields, H, L): check that every count fits, then HSET them all. */
#define LUA_STORE                                                                                                      \
    "local function store(key, fields, H, L)\n"                                                                        \
    " for _, f in ipairs(fields) do\n"                                                                                 \
    "  if not fits(H[f], L[f]) then return {'range', key, f} end\n"                                                    \
    " end\n"                                                                                                           \
    " for i = 1, #fields, 1000 do\n"                                                                                   \
    "  local args = {}\n"                                                                                              \
    "  for k = i, math.min(i + 999, #fields) do\n"                                                                     \
    "   args[#args + 1] = fields[k]\n"                                                                                 \
    "   args[#args + 1] = fmt(H[fields[k]], L[fields[k]])\n"                                                           \
    "  end\n"                                                                                                          \
    "  redis.call('HSET', key, unpack(args))\n"                                                                        \
    " end\n"                                                                                                           \
    "end\n"

/* KEYS[1] = counter; ARGV[1] = 'i' (initial counts: only if the key does not exist) or 'u';
 * ARGV[2] = '+' or '-'; then field, count pairs. Returns the new count of the first field. */
static const pottery_script update_script = {
    "counter_update", LUA_PARSE LUA_NEG LUA_ADD LUA_COMPARE LUA_FMT LUA_LOAD LUA_ACCUMULATE LUA_STORE
    "local key = KEYS[1]\n"
    "if ARGV[1] == 'i' and redis.call('EXISTS', key) == 1 then return {'exists', key} end\n"
    "local fields, H, L = distinct(3), {}, {}\n"
    "local err\n"
    "if ARGV[1] == 'i' then\n"
    " for _, f in ipairs(fields) do H[f], L[f] = 0, 0 end\n"
    "else\n"
    " err = load(key, fields, H, L)\n"
    "end\n"
    "err = err or accumulate(key, 3, ARGV[2], H, L) or store(key, fields, H, L)\n"
    "if err then return err end\n"
    "return fmt(H[fields[1]], L[fields[1]])\n"
};

/* Large updates, inside one MULTI: each chunk is summed into a staging hash KEYS[2] (sums
 * there may be outside int64 for now); the commit checks and copies it into the counter,
 * then deletes it. A failure is recorded in the staging hash (field '' = kind, ' 2'.. =
 * details; the fields this library writes are JSON, never empty nor starting with a
 * space), later chunks skip, and the commit reports it without writing. ARGV as
 * update_script. Sent with EVAL: inside MULTI a NOSCRIPT could not be retried. */
static const char stage_source[] = LUA_PARSE LUA_NEG LUA_ADD LUA_FMT LUA_LOAD LUA_ACCUMULATE
    "local key, stage = KEYS[1], KEYS[2]\n"
    "if redis.call('HEXISTS', stage, '') == 1 then return 0 end\n"
    "local fields, H, L, stored = distinct(3), {}, {}, {}\n"
    "for i = 1, #fields, 1000 do\n"
    " local j = math.min(i + 999, #fields)\n"
    " local cur = redis.call('HMGET', stage, unpack(fields, i, j))\n"
    " for k = i, j do\n"
    "  local f, v = fields[k], cur[k - i + 1]\n"
    "  if v then H[f], L[f] = parse(v, true) else stored[#stored + 1] = f end\n"
    " end\n"
    "end\n"
    "local err\n"
    "if ARGV[1] == 'i' then\n"
    " for _, f in ipairs(stored) do H[f], L[f] = 0, 0 end\n"
    "else\n"
    " err = load(key, stored, H, L)\n"
    "end\n"
    "err = err or accumulate(key, 3, ARGV[2], H, L)\n"
    "if err then\n"
    " local args = {'', err[1]}\n"
    " for i = 2, #err do args[#args + 1] = ' ' .. i; args[#args + 1] = err[i] end\n"
    " redis.call('HSET', stage, unpack(args))\n"
    " return 0\n"
    "end\n"
    "for i = 1, #fields, 1000 do\n"
    " local args = {}\n"
    " for k = i, math.min(i + 999, #fields) do\n"
    "  args[#args + 1] = fields[k]\n"
    "  args[#args + 1] = fmt(H[fields[k]], L[fields[k]])\n"
    " end\n"
    " redis.call('HSET', stage, unpack(args))\n"
    "end\n"
    "return 1\n";

static const char commit_source[] =
    LUA_PARSE LUA_COMPARE "local key, stage = KEYS[1], KEYS[2]\n"
                          "local kind = redis.call('HGET', stage, '')\n"
                          "if kind then\n"
                          " local err = {kind}\n"
                          " for i = 2, 4 do\n"
                          "  local v = redis.call('HGET', stage, ' ' .. i)\n"
                          "  if not v then break end\n"
                          "  err[i] = v\n"
                          " end\n"
                          " redis.call('DEL', stage)\n"
                          " return err\n"
                          "end\n"
                          "local staged = redis.call('HGETALL', stage)\n"
                          "redis.call('DEL', stage)\n"
                          "if ARGV[1] == 'i' and redis.call('EXISTS', key) == 1 then return {'exists', key} end\n"
                          "for i = 1, #staged, 2 do\n"
                          " if not fits(parse(staged[i + 1], true)) then return {'range', key, staged[i]} end\n"
                          "end\n"
                          "for i = 1, #staged, 2000 do\n"
                          " redis.call('HSET', key, unpack(staged, i, math.min(i + 1999, #staged)))\n"
                          "end\n"
                          "return #staged / 2\n";

/* KEYS[1] = counter, KEYS[2] = the other counter; ARGV[1] = '+' or '-'. */
static const pottery_script update_from_script = { "counter_update_from",
                                                   LUA_PARSE LUA_NEG LUA_ADD LUA_COMPARE LUA_FMT LUA_LOAD LUA_STORE
                                                   "local key, src = KEYS[1], KEYS[2]\n"
                                                   "local other = redis.call('HGETALL', src)\n"
                                                   "local fields, H, L = {}, {}, {}\n"
                                                   "for i = 1, #other, 2 do fields[#fields + 1] = other[i] end\n"
                                                   "local err = load(key, fields, H, L)\n"
                                                   "if err then return err end\n"
                                                   "for i = 1, #other, 2 do\n"
                                                   " local f = other[i]\n"
                                                   " local h, l = parse(other[i + 1])\n"
                                                   " if not h then return {'decode', src, f, other[i + 1]} end\n"
                                                   " if ARGV[1] == '-' then h, l = neg(h, l) end\n"
                                                   " H[f], L[f] = add(H[f], L[f], h, l)\n"
                                                   "end\n"
                                                   "err = store(key, fields, H, L)\n"
                                                   "if err then return err end\n"
                                                   "return #fields\n" };

/* c += other, -=, |=, &=. KEYS[1] = counter; KEYS[2] = the other counter, or (one key)
 * ARGV[2..] = its field, count pairs; ARGV[1] = '+', '-', '|' or '&'. Only positive results
 * stay. Returns the number of keys left. */
static const pottery_script inplace_script = {
    "counter_inplace", LUA_PARSE LUA_NEG LUA_ADD LUA_COMPARE LUA_FMT LUA_STORE
    "local key, op = KEYS[1], ARGV[1]\n"
    "local fields, seen, SH, SL, OH, OL = {}, {}, {}, {}, {}, {}\n"
    "local function read(list, first, H, L, from)\n"
    " for i = first, #list, 2 do\n"
    "  local f = list[i]\n"
    "  local h, l = parse(list[i + 1])\n"
    "  if not h then return {'decode', from, f, list[i + 1]} end\n"
    "  H[f], L[f] = h, l\n"
    "  if not seen[f] then seen[f] = true; fields[#fields + 1] = f end\n"
    " end\n"
    "end\n"
    "local err = read(redis.call('HGETALL', key), 1, SH, SL, key)\n"
    "if err then return err end\n"
    "if #KEYS == 2 then\n"
    " err = read(redis.call('HGETALL', KEYS[2]), 1, OH, OL, KEYS[2])\n"
    "else\n"
    " err = read(ARGV, 2, OH, OL, key)\n"
    "end\n"
    "if err then return err end\n"
    "local keep, drop, H, L = {}, {}, {}, {}\n"
    "for _, f in ipairs(fields) do\n"
    " local sh, sl, oh, ol = SH[f] or 0, SL[f] or 0, OH[f] or 0, OL[f] or 0\n"
    " local h, l\n"
    " if op == '+' then h, l = add(sh, sl, oh, ol)\n"
    " elseif op == '-' then h, l = add(sh, sl, neg(oh, ol))\n"
    " elseif op == '|' then if less(sh, sl, oh, ol) then h, l = oh, ol else h, l = sh, sl end\n"
    " elseif less(oh, ol, sh, sl) then h, l = oh, ol else h, l = sh, sl end\n"
    " if h > 0 or (h == 0 and l > 0) then\n"
    "  if not fits(h, l) then return {'range', key, f} end\n"
    "  if not (SH[f] == h and SL[f] == l) then keep[#keep + 1] = f; H[f], L[f] = h, l end\n"
    " elseif SH[f] then\n"
    "  drop[#drop + 1] = f\n"
    " end\n"
    "end\n"
    "for i = 1, #drop, 1000 do\n"
    " redis.call('HDEL', key, unpack(drop, i, math.min(i + 999, #drop)))\n"
    "end\n"
    "store(key, keep, H, L)\n"
    "return redis.call('HLEN', key)\n"
};

/* ---- counts: parsing and error messages ---- */

static int is_integer_text(const char *s)
{
    if (*s == '-') s++;
    if (*s < '0' || *s > '9') return 0;
    while (*s >= '0' && *s <= '9') s++;
    return *s == '\0';
}

/* A stored count: 0 with *out, or POTTERY_EDECODE / POTTERY_ERANGE with no message set
 * (POTTERY_ENOMEM with its message). Canonical integers take a fast path; anything else
 * goes through the JSON decoder, so whatever Python reads as an int is accepted. */
static int count_from_text(int64_t *out, const char *s, size_t len)
{
    size_t i = (len > 0 && s[0] == '-') ? 1 : 0;
    if (i < len && len - i <= 19 && (s[i] != '0' || len - i == 1)) {
        uint64_t mag = 0;
        size_t j = i;
        for (; j < len && s[j] >= '0' && s[j] <= '9'; j++) mag = mag * 10 + (uint64_t)(s[j] - '0');
        if (j == len && !(i && mag == 0)) {
            if (!i && mag <= (uint64_t)INT64_MAX) {
                *out = (int64_t)mag;
                return 0;
            }
            if (i && mag <= (uint64_t)INT64_MAX + 1) {
                *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
                return 0;
            }
            return POTTERY_ERANGE;
        }
    }
    pottery_value v = POTTERY_VALUE_INIT;
    int rc = pottery__decode(&v, s, len);
    if (rc == POTTERY_ENOMEM) return rc;
    if (rc < 0) return POTTERY_EDECODE;
    if (v.type == POTTERY_TYPE_INT)
        *out = v.u.i;
    else
        rc = (v.type == POTTERY_TYPE_JSON && is_integer_text(v.u.s.ptr)) ? POTTERY_ERANGE : POTTERY_EDECODE;
    pottery_value_dispose(&v);
    return rc;
}

/* Python's repr of the key whose JSON text is given ("'a'"), for messages; the raw text
 * if it is not JSON. */
static void describe_field(char *out, size_t cap, const char *text, size_t len)
{
    pottery_error_saved saved;
    pottery__error_save(&saved);
    pottery_json_node *n = NULL;
    pottery_buf b = POTTERY_BUF_INIT;
    if (pottery__json_parse(&n, text, len) == 0 && pottery__json_repr(&b, n) == 0)
        snprintf(out, cap, "%.*s", (int)(b.len > QUOTE_MAX ? QUOTE_MAX : b.len), b.data);
    else
        snprintf(out, cap, "%.*s", (int)(len > QUOTE_MAX ? QUOTE_MAX : len), text);
    pottery__buf_free(&b);
    pottery__json_free(n);
    pottery__error_restore(&saved);
}

/* Set the message for a count that failed to parse (code EDECODE or ERANGE; others are
 * returned as they are). field may be NULL (a count whose key is not known). */
static int count_error(int code, const char *key, size_t keylen, const char *field, size_t flen, const char *value,
                       size_t vlen)
{
    if (code != POTTERY_EDECODE && code != POTTERY_ERANGE) return code;
    char what[QUOTE_MAX + 32] = "a key";
    if (field) describe_field(what, sizeof what, field, flen);
    return pottery__error(code, "the stored count of %s in '%.*s' %s: %.*s", what, (int)keylen, key,
                          code == POTTERY_EDECODE ? "is not an integer" : "does not fit in int64",
                          (int)(vlen > QUOTE_MAX ? QUOTE_MAX : vlen), value);
}

/* Overflow of a count (Redis' HINCRBY error, a script's verdict, or C arithmetic). */
static int range_error(const char *key, size_t keylen, const char *field, size_t flen, const char *redis_text)
{
    char what[QUOTE_MAX + 32] = "a key";
    if (field) describe_field(what, sizeof what, field, flen);
    return pottery__error(POTTERY_ERANGE, "OverflowError: the count of %s in '%.*s' would not fit in int64%s%s%s", what,
                          (int)keylen, key, redis_text ? " (Redis: " : "", redis_text ? redis_text : "",
                          redis_text ? ")" : "");
}

/* Does a script's failure array name this kind (and carry n elements)? */
static int is_failure(const char *kind, size_t klen, const char *name, size_t n, size_t count)
{
    return klen == strlen(name) && memcmp(kind, name, klen) == 0 && count == n;
}

/* A script's failure: an array {'exists', key}, {'decode', key, field, value} or {'range',
 * key, field} of bulk strings. */
static int script_failure(const pottery_reply *r, const char *what)
{
    size_t count;
    int rc = pottery__reply_array(&count, r, what);
    const char *text[4] = { NULL, NULL, NULL, NULL };
    size_t len[4] = { 0, 0, 0, 0 };
    if (rc == 0 && (count < 2 || count > 4))
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: expected a verdict of 2 to 4 strings, got an array of %zu", what,
                            count);
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = pottery__reply_bytes(&text[i], &len[i], pottery__reply_at(r, i), what);
    if (rc < 0) return rc;
    if (is_failure(text[0], len[0], "exists", 2, count))
        return pottery__error(POTTERY_EEXISTS, "KeyExistsError: key '%.*s' already exists", (int)len[1], text[1]);
    if (is_failure(text[0], len[0], "decode", 4, count))
        return count_error(POTTERY_EDECODE, text[1], len[1], text[2], len[2], text[3], len[3]);
    if (is_failure(text[0], len[0], "range", 3, count)) return range_error(text[1], len[1], text[2], len[2], NULL);
    return pottery__error(POTTERY_EPROTOCOL, "%s: unknown verdict '%.*s' (%zu strings)", what,
                          (int)(len[0] > QUOTE_MAX ? QUOTE_MAX : len[0]), text[0], count);
}

/* A script's reply: an array is a failure (script_failure); success is a reply of type ok,
 * either a count as a bulk string (into *first, which may be NULL) or a non-negative
 * integer. Anything else is EPROTOCOL. */
static int script_result(const pottery_reply *r, pottery_reply_type ok, int64_t *first, const char *what)
{
    pottery_reply_type t = pottery__reply_type(r);
    if (t == POTTERY_REPLY_ARRAY) return script_failure(r, what);
    if (ok == POTTERY_REPLY_INTEGER) {
        long long n;
        return pottery__reply_int_in(&n, r, 0, LLONG_MAX, what);
    }
    const char *text;
    size_t len;
    int64_t n = 0;
    int rc = pottery__reply_bytes(&text, &len, r, what);
    if (rc == 0 && (rc = count_from_text(&n, text, len)) < 0 && rc != POTTERY_ENOMEM)
        rc = pottery__error(POTTERY_EPROTOCOL, "%s: expected a count, got \"%.*s\"", what,
                            (int)(len > QUOTE_MAX ? QUOTE_MAX : len), text);
    if (rc == 0 && first) *first = n;
    return rc;
}

/* ---- snapshots of whole counters ---- */

/* The counter's value reader (pottery_container.value): every whole-hash read (snapshots,
 * to_json, equality, arithmetic) checks each count as get() does, and keeps it as an
 * integer node. */
static int count_node(pottery_json_node **out, const pottery_container *c, const char *field, size_t flen,
                      const char *value, size_t vlen)
{
    int64_t n = 0;
    int rc = count_from_text(&n, value, vlen);
    if (rc < 0) return count_error(rc, c->key, c->keylen, field, flen, value, vlen);
    pottery_value v = pottery_int(n);
    return pottery__value_to_node(out, &v);
}

/* The count of entry i of a snapshot read through count_node or checked by counts_from_json. */
static int64_t count_at(const pottery_hash_snapshot *s, size_t i)
{
    return s->entries[i].value->i;
}

static int counts_read(pottery_hash_snapshot *s, const pottery_counter *counter)
{
    return pottery__hash_container_read(s, &counter->c);
}

/* Parse a caller's JSON object of counts (ETYPE for a count that is not an int64 integer);
 * *obj (freed by the caller after the snapshot) holds the nodes the snapshot borrows. */
static int counts_from_json(pottery_hash_snapshot *s, pottery_json_node **obj, const char *json_object,
                            const char *func)
{
    int rc = pottery__json_parse_kind(obj, json_object, POTTERY_JSON_OBJECT, func);
    if (rc == 0) rc = pottery__hash_snapshot_from_object(s, *obj);
    for (size_t i = 0; rc == 0 && i < s->count; i++) {
        const pottery_json_node *v = s->entries[i].value;
        if (v->kind == POTTERY_JSON_INT && v->fits_int64) continue;
        pottery_buf field = POTTERY_BUF_INIT, value = POTTERY_BUF_INIT;
        if (pottery__json_write(&field, s->entries[i].key) < 0 || pottery__json_write(&value, v) < 0) {
            rc = POTTERY_ENOMEM;
        } else {
            char what[QUOTE_MAX + 32];
            describe_field(what, sizeof what, field.data, field.len);
            rc = pottery__error(POTTERY_ETYPE, "%s: the count of %s in the JSON object is not an int64 integer: %.*s",
                                func, what, (int)(value.len > QUOTE_MAX ? QUOTE_MAX : value.len), value.data);
        }
        pottery__buf_free(&field);
        pottery__buf_free(&value);
    }
    return rc;
}

/* ---- open / free ---- */

/* What update/subtract add: keys (+1 each), pairs, and the entries of a snapshot of counts. */
typedef struct contrib {
    const pottery_value *keys;
    size_t nkeys;
    const pottery_counter_pair *items;
    size_t nitems;
    const pottery_hash_snapshot *from;
} contrib;

static size_t contrib_len(const contrib *k)
{
    return k->nkeys + k->nitems + (k->from ? k->from->count : 0);
}

/* Push the i-th contribution as field, count. Returns cmd->err (the first build error). */
static int contrib_push(pottery_cmd *cmd, const contrib *k, size_t i, pottery_buf *scratch)
{
    if (i < k->nkeys) {
        pottery__cmd_value(cmd, &k->keys[i]);
        return pottery__cmd_arg(cmd, "1", 1);
    }
    i -= k->nkeys;
    if (i < k->nitems) {
        pottery__cmd_value(cmd, &k->items[i].key);
        return pottery__cmd_int(cmd, k->items[i].count);
    }
    i -= k->nitems;
    pottery__buf_clear(scratch);
    int rc = pottery__json_write(scratch, k->from->entries[i].key);
    if (rc < 0) {
        if (!cmd->err) cmd->err = rc;
        return rc;
    }
    pottery__cmd_copy(cmd, scratch->data, scratch->len);
    return pottery__cmd_int(cmd, count_at(k->from, i));
}

/* Run a counter script with its arguments pushed on args, then read its verdict
 * (script_result: *first, which may be NULL, gets a returned count). update_script answers
 * a count, the others an integer. */
static int run_counter_script(int64_t *first, pottery_counter *ctr, const pottery_script *s, size_t nkeys,
                              pottery_cmd *args)
{
    pottery_reply *r = NULL;
    int rc = pottery__eval(&r, ctr->c.client, s, nkeys, args);
    if (rc == 0)
        rc = script_result(r, s == &update_script ? POTTERY_REPLY_STRING : POTTERY_REPLY_INTEGER, first, s->name);
    pottery__reply_free(r);
    return rc;
}

/* A script on the counter alone: ARGV = flag [flag2], then k's field, count pairs. */
static int script_with_contrib(int64_t *first, pottery_counter *ctr, const pottery_script *s, const char *flag,
                               const char *flag2, const contrib *k)
{
    pottery_cmd args;
    pottery_buf scratch = POTTERY_BUF_INIT;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &ctr->c);
    pottery__cmd_cstr(&args, flag);
    if (flag2) pottery__cmd_cstr(&args, flag2);
    size_t n = contrib_len(k);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) rc = contrib_push(&args, k, i, &scratch);
    if (rc == 0) rc = run_counter_script(first, ctr, s, 1, &args);
    pottery__buf_free(&scratch);
    pottery__cmd_free(&args);
    return rc;
}

/* A script on the counter and another one on the same server (KEYS[2]); ARGV[1] = op. */
static int script_with_other(pottery_counter *ctr, pottery_counter *other, const pottery_script *s, const char *op)
{
    pottery_cmd args;
    pottery__cmd_init(&args);
    pottery__cmd_key(&args, &ctr->c);
    pottery__cmd_key(&args, &other->c);
    pottery__cmd_cstr(&args, op);
    int rc = run_counter_script(NULL, ctr, s, 2, &args);
    pottery__cmd_free(&args);
    return rc;
}

/* Push "EVAL <source> 2 <counter> <stage> <mode>" onto a reset command. */
static void push_eval(pottery_cmd *cmd, const char *source, const pottery_counter *ctr, const char *stage,
                      const char *mode)
{
    pottery__cmd_reset(cmd);
    pottery__cmd_cstr(cmd, "EVAL");
    pottery__cmd_cstr(cmd, source);
    pottery__cmd_cstr(cmd, "2");
    pottery__cmd_key(cmd, &ctr->c);
    pottery__cmd_cstr(cmd, stage);
    pottery__cmd_cstr(cmd, mode);
}

/* The staging script for contributions [from, from + PAIRS_PER_SCRIPT) into cmd. Returns
 * cmd->err (the first build error). */
static int build_stage(pottery_cmd *cmd, const pottery_counter *ctr, const char *stage, const char *mode,
                       const char *sign, const contrib *k, size_t from, pottery_buf *scratch)
{
    size_t n = contrib_len(k), to = n - from > PAIRS_PER_SCRIPT ? from + PAIRS_PER_SCRIPT : n;
    push_eval(cmd, stage_source, ctr, stage, mode);
    pottery__cmd_cstr(cmd, sign);
    for (size_t i = from; cmd->err == 0 && i < to; i++) contrib_push(cmd, k, i, scratch);
    return cmd->err;
}

/* EXEC's results for nstages staging scripts (each answering 0 or 1) and the commit, whose
 * verdict is the call's. */
static int commit_result(const pottery_reply *exec, size_t nstages)
{
    int rc = pottery__reply_array_n(exec, nstages + 1, "EXEC");
    for (size_t i = 0; rc == 0 && i < nstages; i++) {
        long long done;
        rc = pottery__reply_int_in(&done, pottery__reply_at(exec, i), 0, 1, "counter_stage");
    }
    return rc < 0 ? rc : script_result(pottery__reply_at(exec, nstages), POTTERY_REPLY_INTEGER, NULL, "counter_commit");
}

/* More than PAIRS_PER_SCRIPT contributions: MULTI, one staging script per chunk, the
 * commit, EXEC, streamed in one round trip with one chunk in memory at a time. A
 * contribution that cannot be encoded turns EXEC into DISCARD, so nothing runs. */
static int run_staged(pottery_counter *ctr, const char *mode, const char *sign, const contrib *k)
{
    char stage[POTTERY_RANDOM_KEY_SIZE];
    int rc = pottery__random_key_unchecked(stage);
    if (rc < 0) return rc;
    pottery_cmd cmd;
    pottery_buf scratch = POTTERY_BUF_INIT;
    pottery__cmd_init(&cmd);
    /* Build the first chunk before sending anything, so the commonest encoding failure
     * (a bad key early on) sends nothing at all. */
    rc = build_stage(&cmd, ctr, stage, mode, sign, k, 0, &scratch);
    if (rc == 0) {
        pottery_stream_txn txn;
        pottery__stream_txn_begin(&txn, ctr->c.client);
        pottery__stream_txn_send(&txn, &cmd);
        size_t n = contrib_len(k);
        for (size_t from = PAIRS_PER_SCRIPT; from < n && pottery__stream_txn_ok(&txn); from += PAIRS_PER_SCRIPT) {
            build_stage(&cmd, ctr, stage, mode, sign, k, from, &scratch);
            pottery__stream_txn_send(&txn, &cmd);
        }
        push_eval(&cmd, commit_source, ctr, stage, mode);
        pottery__stream_txn_send(&txn, &cmd);
        pottery_reply *exec = NULL;
        rc = pottery__stream_txn_finish(&exec, &txn);
        if (rc == 0) rc = commit_result(exec, (n + PAIRS_PER_SCRIPT - 1) / PAIRS_PER_SCRIPT);
        pottery__reply_free(exec);
    }
    pottery__cmd_free(&cmd);
    pottery__buf_free(&scratch);
    return rc;
}

/* Add (sign "+") or subtract (sign "-") contributions; mode "i" writes initial counts
 * only if the key does not exist. *first (may be NULL) gets the first key's new count
 * (small updates only). */
static int run_contrib(int64_t *first, pottery_counter *ctr, const char *mode, const char *sign, const contrib *k)
{
    size_t n = contrib_len(k);
    if (n == 0) return 0;
    if (n <= PAIRS_PER_SCRIPT) return script_with_contrib(first, ctr, &update_script, mode, sign, k);
    return run_staged(ctr, mode, sign, k);
}

int pottery_counter_open(pottery_counter **out, pottery_client *client, const char *key,
                         const pottery_counter_options *opts)
{
    POTTERY_CHECK_ARG(out);
    *out = NULL;
    POTTERY_CHECK_ARG(client);
    if (opts && opts->nitems > 0 && opts->items == NULL)
        return pottery__error(POTTERY_EINVAL, "pottery_counter_open: items is NULL but nitems is %zu", opts->nitems);
    if (opts && opts->nkeys > 0 && opts->keys == NULL)
        return pottery__error(POTTERY_EINVAL, "pottery_counter_open: keys is NULL but nkeys is %zu", opts->nkeys);

    pottery_counter *c = pottery__calloc(1, sizeof *c);
    if (!c) return pottery__error_oom();
    int rc = pottery__container_init(&c->c, client, key);
    c->c.value = count_node;
    if (rc == 0 && opts) {
        contrib k = { opts->keys, opts->nkeys, opts->items, opts->nitems, NULL };
        rc = run_contrib(NULL, c, "i", "+", &k);
    }
    if (rc < 0) {
        pottery__container_abandon(&c->c);
        pottery__free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void pottery_counter_free(pottery_counter *counter)
{
    if (!counter) return;
    pottery__container_release(&counter->c);
    pottery__free(counter);
}

const char *pottery_counter_key(const pottery_counter *counter)
{
    return counter ? counter->c.key : NULL;
}

/* ---- single keys ---- */

/* Run "<verb> <hash> JSON(key) n" (HSET, HINCRBY); its integer reply, between lo and hi,
 * into *out. */
static int count_command(long long *out, pottery_counter *c, const char *verb, const pottery_value *key, int64_t n,
                         long long lo, long long hi)
{
    pottery_cmd cmd;
    pottery__cmd_init(&cmd);
    pottery__cmd_cstr(&cmd, verb);
    pottery__cmd_key(&cmd, &c->c);
    pottery__cmd_value(&cmd, key);
    pottery__cmd_int(&cmd, n);
    pottery_reply *r = NULL;
    int rc = pottery__exec(&r, c->c.client, &cmd);
    if (rc == 0) rc = pottery__reply_int_in(out, r, lo, hi, verb);
    pottery__reply_free(r);
    pottery__cmd_free(&cmd);
    return rc;
}

/* count_error / range_error for a key given as a value (encoded again for the message). */
static int key_count_error(int code, const pottery_counter *c, const pottery_value *key, const char *value, size_t vlen,
                           const char *redis_text)
{
    pottery_error_saved saved;
    pottery__error_save(&saved);
    pottery_buf field = POTTERY_BUF_INIT;
    int have = pottery__encode(&field, key) == 0;
    pottery__error_restore(&saved);
    if (code == POTTERY_ERANGE && !value)
        code = range_error(c->c.key, c->c.keylen, have ? field.data : NULL, field.len, redis_text);
    else
        code = count_error(code, c->c.key, c->c.keylen, have ? field.data : NULL, field.len, value, vlen);
    pottery__buf_free(&field);
    return code;
}

int pottery_counter_get(int64_t *out, pottery_counter *counter, pottery_value key)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    pottery_reply *r = NULL;
    const char *text = NULL;
    size_t len = 0;
    int64_t n = 0;
    int rc = pottery__container_command(&r, &counter->c, "HGET", &key);
    if (rc == 0) rc = pottery__reply_bytes_or_nil(&text, &len, r, "HGET");
    /* nil: a missing key counts 0, as in Python */
    if (rc == 0 && text && (rc = count_from_text(&n, text, len)) < 0)
        rc = key_count_error(rc, counter, &key, text, len, NULL);
    if (rc == 0) *out = n;
    pottery__reply_free(r);
    return rc;
}

int pottery_counter_set(pottery_counter *counter, pottery_value key, int64_t count)
{
    POTTERY_CHECK_ARG(counter);
    long long added;
    return count_command(&added, counter, "HSET", &key, count, 0, 1);
}

int pottery_counter_del(pottery_counter *counter, pottery_value key)
{
    POTTERY_CHECK_ARG(counter);
    /* A missing key is no error (Counter's del), but the reply must still be HDEL's 0 or 1. */
    pottery_reply *r = NULL;
    long long removed;
    int rc = pottery__container_command(&r, &counter->c, "HDEL", &key);
    if (rc == 0) rc = pottery__reply_int_in(&removed, r, 0, 1, "HDEL");
    pottery__reply_free(r);
    return rc;
}

int pottery_counter_contains(int *out, pottery_counter *counter, pottery_value key)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    return pottery__container_has(out, &counter->c, "HEXISTS", &key);
}

int pottery_counter_len(int64_t *out, pottery_counter *counter)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    return pottery__container_count(out, &counter->c, "HLEN");
}

int pottery_counter_incr(int64_t *out, pottery_counter *counter, pottery_value key, int64_t n)
{
    POTTERY_CHECK_ARG(counter);
    long long now = 0;
    int rc = count_command(&now, counter, "HINCRBY", &key, n, LLONG_MIN, LLONG_MAX);
    if (rc == 0 && out) *out = (int64_t)now;
    if (rc == POTTERY_EREDIS && strstr(pottery_error_last()->message, "overflow")) {
        char redis_text[128];
        snprintf(redis_text, sizeof redis_text, "%s", pottery_error_last()->message);
        rc = key_count_error(POTTERY_ERANGE, counter, &key, NULL, 0, redis_text);
    }
    return rc;
}

int pottery_counter_decr(int64_t *out, pottery_counter *counter, pottery_value key, int64_t n)
{
    POTTERY_CHECK_ARG(counter);
    if (n != INT64_MIN) return pottery_counter_incr(out, counter, key, -n);
    /* -n does not fit: subtract exactly in a script instead (still one round trip). */
    pottery_counter_pair item = { key, n };
    contrib k = { NULL, 0, &item, 1, NULL };
    int64_t now = 0;
    int rc = run_contrib(&now, counter, "u", "-", &k);
    if (rc == 0 && out) *out = now;
    return rc;
}

/* ---- bulk updates ---- */

int pottery_counter_update(pottery_counter *counter, const pottery_counter_pair *items, size_t n)
{
    POTTERY_CHECK_ARG(counter);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(items);
    contrib k = { NULL, 0, items, n, NULL };
    return run_contrib(NULL, counter, "u", "+", &k);
}

int pottery_counter_subtract(pottery_counter *counter, const pottery_counter_pair *items, size_t n)
{
    POTTERY_CHECK_ARG(counter);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(items);
    contrib k = { NULL, 0, items, n, NULL };
    return run_contrib(NULL, counter, "u", "-", &k);
}

int pottery_counter_update_keys(pottery_counter *counter, const pottery_value *keys, size_t n)
{
    POTTERY_CHECK_ARG(counter);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(keys);
    contrib k = { keys, n, NULL, 0, NULL };
    return run_contrib(NULL, counter, "u", "+", &k);
}

int pottery_counter_subtract_keys(pottery_counter *counter, const pottery_value *keys, size_t n)
{
    POTTERY_CHECK_ARG(counter);
    if (n == 0) return 0;
    POTTERY_CHECK_ARG(keys);
    contrib k = { keys, n, NULL, 0, NULL };
    return run_contrib(NULL, counter, "u", "-", &k);
}

static int update_from(pottery_counter *counter, pottery_counter *other, const char *sign)
{
    if (pottery__client_same_server(counter->c.client, other->c.client))
        return script_with_other(counter, other, &update_from_script, sign);
    /* Another server: read it, then write as one atomic update. */
    pottery_hash_snapshot theirs = POTTERY_HASH_SNAPSHOT_INIT;
    int rc = counts_read(&theirs, other);
    if (rc == 0) {
        contrib k = { NULL, 0, NULL, 0, &theirs };
        rc = run_contrib(NULL, counter, "u", sign, &k);
    }
    pottery__hash_snapshot_free(&theirs);
    return rc;
}

int pottery_counter_update_from(pottery_counter *counter, pottery_counter *other)
{
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(other);
    return update_from(counter, other, "+");
}

int pottery_counter_subtract_from(pottery_counter *counter, pottery_counter *other)
{
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(other);
    return update_from(counter, other, "-");
}

int pottery_counter_clear(pottery_counter *counter)
{
    POTTERY_CHECK_ARG(counter);
    return pottery__container_clear(&counter->c);
}

/* ---- most_common, repr, total ---- */

typedef struct ranked {
    int64_t count;
    size_t index;
} ranked;

static int by_count_then_index(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* The entries' indexes in most_common order: count descending, ties in Redis order. */
static int rank(ranked **out, const pottery_hash_snapshot *c)
{
    ranked *r = pottery__malloc((c->count ? c->count : 1) * sizeof *r);
    if (!r) return pottery__error_oom();
    for (size_t i = 0; i < c->count; i++) r[i] = (ranked){ count_at(c, i), i };
    if (c->count > 1) qsort(r, c->count, sizeof *r, by_count_then_index);
    *out = r;
    return 0;
}

void pottery_counter_pairs_free(pottery_counter_pair *pairs, size_t n)
{
    if (!pairs) return;
    for (size_t i = 0; i < n; i++) pottery_value_dispose(&pairs[i].key);
    pottery__free(pairs);
}

int pottery_counter_most_common(pottery_counter_pair **out, size_t *out_n, pottery_counter *counter, int64_t n)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(out_n);
    POTTERY_CHECK_ARG(counter);
    pottery_hash_snapshot c = POTTERY_HASH_SNAPSHOT_INIT;
    ranked *order = NULL;
    pottery_counter_pair *pairs = NULL;
    size_t m = 0;
    int rc = counts_read(&c, counter);
    if (rc == 0) rc = rank(&order, &c);
    if (rc == 0) {
        m = (n < 0 || (uint64_t)n > c.count) ? c.count : (size_t)n;
        if (m > 0 && !(pairs = pottery__calloc(m, sizeof *pairs))) rc = pottery__error_oom();
    }
    for (size_t i = 0; rc == 0 && i < m; i++) {
        rc = pottery__value_from_node(&pairs[i].key, c.entries[order[i].index].key);
        pairs[i].count = order[i].count;
    }
    pottery__free(order);
    pottery__hash_snapshot_free(&c);
    if (rc < 0) {
        pottery_counter_pairs_free(pairs, m);
        return rc;
    }
    *out = pairs;
    *out_n = m;
    return 0;
}

int pottery_counter_repr(char **out, pottery_counter *counter)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    pottery_hash_snapshot c = POTTERY_HASH_SNAPSHOT_INIT;
    ranked *order = NULL;
    pottery_hash_snapshot view = POTTERY_HASH_SNAPSHOT_INIT;
    pottery_buf b = POTTERY_BUF_INIT;
    int rc = counts_read(&c, counter);
    if (rc == 0) rc = rank(&order, &c);
    if (rc == 0 && c.count > 0) {
        /* The same nodes, borrowed, in most_common order. */
        view.borrowed = 1;
        view.entries = pottery__malloc(c.count * sizeof *view.entries);
        if (!view.entries) rc = pottery__error_oom();
        for (size_t i = 0; rc == 0 && i < c.count; i++) {
            const pottery_hash_entry *e = &c.entries[order[i].index];
            view.entries[view.count++] = (pottery_hash_entry){ e->key, e->value, POTTERY_BUF_INIT };
        }
    }
    if (rc == 0) rc = pottery__hash_snapshot_repr(&b, &view, "RedisCounter");
    if (rc == 0) rc = pottery__buf_detach(&b, out, NULL);
    pottery__buf_free(&b);
    pottery__hash_snapshot_free(&view);
    pottery__free(order);
    pottery__hash_snapshot_free(&c);
    return rc;
}

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

/* The two's complement reading of u (without relying on implementation-defined casts). */
static int64_t as_int64(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

int pottery_counter_total(int64_t *out, pottery_counter *counter)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    pottery_reply *r = NULL;
    size_t count = 0;
    int rc = pottery__container_command(&r, &counter->c, "HVALS", NULL);
    if (rc == 0) rc = pottery__reply_array(&count, r, "HVALS");
    /* The exact total is sum + carry * 2^64 (sum wraps around), so partial sums may
     * leave the int64 range as long as the total does not. */
    uint64_t sum = 0;
    int64_t carry = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        size_t len;
        const char *text;
        int64_t n = 0;
        rc = pottery__reply_bytes(&text, &len, pottery__reply_at(r, i), "HVALS");
        if (rc == 0 && (rc = count_from_text(&n, text, len)) < 0)
            rc = count_error(rc, counter->c.key, counter->c.keylen, NULL, 0, text, len);
        if (rc < 0) break;
        int64_t before = as_int64(sum);
        sum += (uint64_t)n;
        if (n > 0 && as_int64(sum) < before) carry++;
        if (n < 0 && as_int64(sum) > before) carry--;
    }
    pottery__reply_free(r);
    if (rc == 0 && carry != 0)
        rc = pottery__error(POTTERY_ERANGE, "OverflowError: the total of the counts in '%s' does not fit in int64",
                            counter->c.key);
    if (rc == 0) *out = as_int64(sum);
    return rc;
}

int pottery_counter_to_json(char **out, size_t *out_len, pottery_counter *counter)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    return pottery__hash_to_json(out, out_len, &counter->c);
}

/* ---- equality ---- */

int pottery_counter_equal(int *out, pottery_counter *counter, pottery_counter *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(other);
    return pottery__hash_equal(out, &counter->c, &other->c);
}

int pottery_counter_equal_json(int *out, pottery_counter *counter, const char *json_object)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(json_object);
    return pottery__hash_equal_json(out, &counter->c, json_object, __func__);
}

/* ---- Counter arithmetic: + - | & and unary + - ---- */

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
            all[k++] = (operand_entry){ &e->sort_key, e->key, count_at(c, i), side, i };
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
            rc = range_error(key, strlen(key), all[i].text->data, all[i].text->len, NULL);
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

int pottery_counter_binary(char **out, size_t *out_len, pottery_counter *counter, pottery_counter_op op,
                           pottery_counter *other)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(other);
    int rc = check_op(op, __func__);
    if (rc < 0) return rc;
    pottery_hash_snapshot a = POTTERY_HASH_SNAPSHOT_INIT, b = POTTERY_HASH_SNAPSHOT_INIT;
    pottery_buf json = POTTERY_BUF_INIT;
    rc = pottery__hash_read_pair(&a, &b, &counter->c, &other->c);
    if (rc == 0) rc = combine(&json, op, &a, &b, counter->c.key);
    pottery__hash_snapshot_free(&a);
    pottery__hash_snapshot_free(&b);
    return finish_json(out, out_len, &json, rc);
}

int pottery_counter_binary_json(char **out, size_t *out_len, pottery_counter *counter, pottery_counter_op op,
                                const char *json_object)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(json_object);
    int rc = check_op(op, __func__);
    if (rc < 0) return rc;
    pottery_hash_snapshot a = POTTERY_HASH_SNAPSHOT_INIT, b = POTTERY_HASH_SNAPSHOT_INIT;
    pottery_json_node *obj = NULL;
    pottery_buf json = POTTERY_BUF_INIT;
    rc = counts_from_json(&b, &obj, json_object, __func__);
    if (rc == 0) rc = counts_read(&a, counter);
    if (rc == 0) rc = combine(&json, op, &a, &b, counter->c.key);
    pottery__hash_snapshot_free(&a);
    pottery__hash_snapshot_free(&b);
    pottery__json_free(obj);
    return finish_json(out, out_len, &json, rc);
}

/* +c is c + {} and -c is {} - c. */
static int unary(char **out, size_t *out_len, pottery_counter *counter, int negate)
{
    pottery_hash_snapshot a = POTTERY_HASH_SNAPSHOT_INIT;
    pottery_buf json = POTTERY_BUF_INIT;
    int rc = counts_read(&a, counter);
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
    contrib k = { NULL, 0, NULL, 0, theirs };
    return script_with_contrib(NULL, counter, &inplace_script, op_text(op), NULL, &k);
}

int pottery_counter_inplace(pottery_counter *counter, pottery_counter_op op, pottery_counter *other)
{
    POTTERY_CHECK_ARG(counter);
    POTTERY_CHECK_ARG(other);
    int rc = check_op(op, __func__);
    if (rc < 0) return rc;
    if (pottery__client_same_server(counter->c.client, other->c.client))
        return script_with_other(counter, other, &inplace_script, op_text(op));
    pottery_hash_snapshot theirs = POTTERY_HASH_SNAPSHOT_INIT;
    rc = counts_read(&theirs, other);
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
    rc = counts_from_json(&theirs, &obj, json_object, __func__);
    if (rc == 0) rc = inplace_with(counter, op, &theirs);
    pottery__hash_snapshot_free(&theirs);
    pottery__json_free(obj);
    return rc;
}

/* ---- iteration: items() and elements() ---- */

static int iter_new(pottery_counter_iter **out, pottery_counter *counter, int elements)
{
    POTTERY_CHECK_ARG(out);
    POTTERY_CHECK_ARG(counter);
    pottery_counter_iter *it = pottery__calloc(1, sizeof *it);
    if (!it) return pottery__error_oom();
    int rc = pottery__scan_init(&it->scan, counter->c.client, "HSCAN", counter->c.key, counter->c.keylen, 0);
    if (rc < 0) {
        pottery__scan_free(&it->scan);
        pottery__free(it);
        return rc;
    }
    it->elements = elements;
    it->key = (pottery_value)POTTERY_VALUE_INIT;
    *out = it;
    return 0;
}

int pottery_counter_iter_new(pottery_counter_iter **out, pottery_counter *counter)
{
    return iter_new(out, counter, 0);
}

int pottery_counter_elements_new(pottery_counter_iter **out, pottery_counter *counter)
{
    return iter_new(out, counter, 1);
}

/* The next (key, count) entry of the scan, decoded; both are consumed even on failure. */
static int next_entry(pottery_counter_iter *it, pottery_value *key, int64_t *count)
{
    const char *field, *value;
    size_t flen, vlen;
    int rc = pottery__scan_next(&it->scan, &field, &flen);
    if (rc < 0) return rc;
    rc = pottery__scan_next(&it->scan, &value, &vlen);
    if (rc < 0)
        return rc == POTTERY_EITEROVER ? pottery__error(POTTERY_EPROTOCOL, "HSCAN: a field without a value") : rc;
    rc = count_from_text(count, value, vlen);
    if (rc < 0) return count_error(rc, it->scan.key, it->scan.keylen, field, flen, value, vlen);
    return pottery__decode(key, field, flen);
}

int pottery_counter_iter_next(pottery_counter_iter *it, pottery_value *key_out, int64_t *count_out)
{
    POTTERY_CHECK_ARG(it);
    if (!it->elements) {
        pottery_value k = POTTERY_VALUE_INIT;
        int64_t n = 0;
        int rc = next_entry(it, &k, &n);
        if (rc < 0) return rc;
        if (key_out) {
            pottery_value_dispose(key_out);
            *key_out = k;
        } else {
            pottery_value_dispose(&k);
        }
        if (count_out) *count_out = n;
        return 0;
    }
    while (it->left == 0) {
        pottery_value_dispose(&it->key);
        int rc = next_entry(it, &it->key, &it->count);
        if (rc < 0) return rc;
        it->left = it->count > 0 ? it->count : 0;
    }
    if (key_out) {
        int rc = pottery__value_assign(key_out, &it->key);
        if (rc < 0) return rc;
    }
    if (count_out) *count_out = it->count;
    it->left--;
    return 0;
}

void pottery_counter_iter_free(pottery_counter_iter *it)
{
    if (!it) return;
    pottery_value_dispose(&it->key);
    pottery__scan_free(&it->scan);
    pottery__free(it);
}
