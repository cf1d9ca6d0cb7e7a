-- Store s <op> others in a new set under a fresh random key, unless that key is taken.
-- KEYS[1]: the new key. KEYS[2..]: the operands (the set first).
-- ARGV[1]: SUNIONSTORE, SINTERSTORE, SDIFFSTORE, or SYMDIFF (KEYS[2] ^ KEYS[3]).
-- Returns the size of the new set, or -1 (nothing done) when KEYS[1] exists.
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
if ARGV[1] ~= 'SYMDIFF' then
  return redis.call(ARGV[1], unpack(KEYS))
end
local n = 0
for _, part in ipairs({ redis.call('SDIFF', KEYS[2], KEYS[3]),
                        redis.call('SDIFF', KEYS[3], KEYS[2]) }) do
  for i = 1, #part, 1000 do
    -- unpack is limited to a few thousand values: write in slices
    n = n + redis.call('SADD', KEYS[1], unpack(part, i, math.min(i + 999, #part)))
  end
end
return n
