-- Copy every field of one hash into another on the same server.
-- KEYS[1]: the hash written. KEYS[2]: the hash read. No ARGV.
-- Returns the number of fields copied.
local src = redis.call('HGETALL', KEYS[2])
for i = 1, #src, 2000 do
  redis.call('HSET', KEYS[1], unpack(src, i, math.min(i + 1999, #src)))
end
return #src / 2
