-- Take a read share of a read-write lock: granted when no writer holds the lock and no
-- writer waits for it (writer preference); the share expires by itself after the lease.
-- KEYS[1]: the writer ({rwlock:<key>}:write, a string: the writer's uuid4, PX lease).
-- KEYS[2]: the readers ({rwlock:<key>}:read, a sorted set: reader uuid4 -> expiry in ms).
-- KEYS[3]: a waiting writer ({rwlock:<key>}:writer_waiting, its uuid4 with a short PX).
-- ARGV[1]: the reader's uuid4. ARGV[2]: the lease in ms.
-- Returns 1 when granted, 0 when refused.
--@include rwlock_now
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('GET', KEYS[1]) or redis.call('GET', KEYS[3]) then
  return 0
end
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], now + lease, ARGV[1])
if redis.call('PTTL', KEYS[2]) < lease then
  redis.call('PEXPIRE', KEYS[2], lease)
end
return 1
