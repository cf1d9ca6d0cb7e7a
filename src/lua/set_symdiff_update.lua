-- s ^= other on one server, atomically (the same key twice empties it, as s ^= s does).
-- KEYS[1]: the set changed. KEYS[2]: the other set. No ARGV.
-- Returns how many members were added or removed.
local add = redis.call('SDIFF', KEYS[2], KEYS[1])
local del = redis.call('SINTER', KEYS[1], KEYS[2])
for i = 1, #del, 1000 do
  -- unpack is limited to a few thousand values: write in slices
  redis.call('SREM', KEYS[1], unpack(del, i, math.min(i + 999, #del)))
end
for i = 1, #add, 1000 do
  redis.call('SADD', KEYS[1], unpack(add, i, math.min(i + 999, #add)))
end
return #add + #del
