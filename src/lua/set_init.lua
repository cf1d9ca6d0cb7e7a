-- Write a set's initial members, only if the key does not exist yet (atomically).
-- KEYS[1]: the set. ARGV: the members (JSON text).
-- Returns 1 when written, 0 when the key existed (nothing written).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 1, #ARGV, 1000 do
  -- unpack is limited to a few thousand values: write in slices
  redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return 1
