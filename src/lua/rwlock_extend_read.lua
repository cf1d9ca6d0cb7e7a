-- Renew a live read share of a read-write lock: its lease starts over.
-- KEYS[1]: the readers ({rwlock:<key>}:read). ARGV[1]: the reader's uuid4. ARGV[2]: the
-- lease in ms.
-- Returns 1 when renewed, 0 when the share had expired or was never there.
--@include rwlock_now
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expiry or tonumber(expiry) <= now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
if redis.call('PTTL', KEYS[1]) < lease then
  redis.call('PEXPIRE', KEYS[1], lease)
end
return 1
