-- Reverse a list in place.
-- KEYS[1]: the list. No ARGV.
-- Returns the length.
local key = KEYS[1]
local len = redis.call('LLEN', key)
if len < 2 then return len end
local items = redis.call('LRANGE', key, 0, -1)
redis.call('DEL', key)
for i = 1, #items, 1000 do
  redis.call('LPUSH', key, unpack(items, i, math.min(i + 999, #items)))
end
return len
