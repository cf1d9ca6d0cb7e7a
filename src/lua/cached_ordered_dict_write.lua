-- Write fields of a cache hash and slide its expiry, atomically: a key of another type
-- fails the HSET (WRONGTYPE) before anything is written or expired.
-- KEYS[1]: the hash. ARGV[1]: the time to live in milliseconds ('0': leave the expiry
-- alone). ARGV[2..]: field, value, field, value, ... (JSON text; a later pair wins).
-- Returns the number of fields that were new.
local added = 0
for i = 2, #ARGV, 2000 do
  -- unpack is limited to a few thousand values: write in slices
  added = added + redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 1999, #ARGV)))
end
if ARGV[1] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return added
