-- Take a read-write lock for writing: granted when no writer and no live reader holds it.
-- Refused while readers hold it, a writer that will try again marks itself as waiting,
-- which keeps new readers out until it gets in (writer preference).
-- KEYS[1]: the writer ({rwlock:<key>}:write). KEYS[2]: the readers ({rwlock:<key>}:read).
-- KEYS[3]: the waiting writer ({rwlock:<key>}:writer_waiting).
-- ARGV[1]: the writer's uuid4. ARGV[2]: the lease in ms. ARGV[3]: how long the waiting
-- mark lasts in ms (0: do not mark, a single try).
-- Returns 1 when granted, 0 when refused.
--@include rwlock_now
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local writer = redis.call('GET', KEYS[1])
if writer == ARGV[1] or (not writer and redis.call('ZCARD', KEYS[2]) == 0) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  if redis.call('GET', KEYS[3]) == ARGV[1] then
    redis.call('DEL', KEYS[3])
  end
  return 1
end
if tonumber(ARGV[3]) > 0 then
  local waiting = redis.call('GET', KEYS[3])
  if not waiting or waiting == ARGV[1] then
    redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[3])
  end
end
return 0
