-- Renew the lease of a reentrant lock the owner holds: the lease starts over.
-- KEYS[1]: the lock (rlock:<key>). ARGV[1]: the owner's uuid4. ARGV[2]: the lease in ms.
-- Returns 1 when renewed, 0 when the owner does not hold the lock.
if not redis.call('HGET', KEYS[1], ARGV[1]) then
  return 0
end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
