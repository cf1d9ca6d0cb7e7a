-- Remove the element at an index: overwrite it with a placeholder, then remove that.
-- KEYS[1]: the list. ARGV[1]: the index (negative counts from the end). ARGV[2]: a fresh
-- placeholder (a uuid4 in plain text, never JSON, so it cannot be an element).
-- Returns { element, its index from the front }, 0 if the list is empty, -1 if the index
-- is out of range (nothing written).
local key = KEYS[1]
local len = redis.call('LLEN', key)
if len == 0 then return 0 end
local i = tonumber(ARGV[1])
if i < 0 then i = i + len end
if i < 0 or i >= len then return -1 end
local v = redis.call('LINDEX', key, i)
redis.call('LSET', key, i, ARGV[2])
if i < len / 2 then redis.call('LREM', key, 1, ARGV[2])
else redis.call('LREM', key, -1, ARGV[2]) end
return { v, i }
