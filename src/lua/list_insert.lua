-- Insert with pottery's rule: index <= 0 prepends, index >= len appends, else the element
-- goes before the one at index (swapped out for the placeholder so that LINSERT finds it,
-- and swapped back if LINSERT fails, e.g. denied by an ACL, so a failure changes nothing).
-- KEYS[1]: the list. ARGV[1]: the index. ARGV[2]: the element (JSON text). ARGV[3]: a fresh
-- placeholder (a uuid4 in plain text, never JSON). ARGV[4] (optional): a bound the length
-- must stay within (a deque's maxlen).
-- Returns the new length, or 0 when the list already holds ARGV[4] elements (nothing
-- written).
local key = KEYS[1]
local len = redis.call('LLEN', key)
if ARGV[4] and len >= tonumber(ARGV[4]) then return 0 end
local i = tonumber(ARGV[1])
if i <= 0 then return redis.call('LPUSH', key, ARGV[2]) end
if i >= len then return redis.call('RPUSH', key, ARGV[2]) end
local pivot = redis.call('LINDEX', key, i)
redis.call('LSET', key, i, ARGV[3])
local done = redis.pcall('LINSERT', key, 'BEFORE', ARGV[3], ARGV[2])
if type(done) == 'table' and done.err then
  redis.call('LSET', key, i, pivot)
  return done
end
redis.call('LSET', key, i + 1, pivot)
return len + 1
