-- Renew the lease of a lock that holds our value: the lease starts over (it is not added to
-- what was left).
-- KEYS[1]: the lock key (redlock:<key>). ARGV[1]: our value. ARGV[2]: the lease in ms.
-- Returns 1 when renewed, 0 when the key holds another value or none.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
