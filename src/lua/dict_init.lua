-- Write a dict's initial contents, only if the hash does not exist yet (atomically).
-- KEYS[1]: the hash. ARGV: field, value, field, value, ... (JSON text).
-- Returns 1 when written, 0 when the key existed (nothing written).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 1, #ARGV, 2000 do
  -- unpack is limited to a few thousand values: write in slices
  redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 1999, #ARGV)))
end
return 1
