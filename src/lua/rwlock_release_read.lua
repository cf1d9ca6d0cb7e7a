-- Give back a read share of a read-write lock.
-- KEYS[1]: the readers ({rwlock:<key>}:read). ARGV[1]: the reader's uuid4.
-- Returns 1 when the share was still live, 0 when it had expired or was never there.
--@include rwlock_now
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
if expiry and tonumber(expiry) > now then
  return 1
end
return 0
