-- Take or re-take a reentrant lock for its owner: granted when the lock is free or already
-- held by the same owner; the owner's hold count is set (not added: every master ends up
-- with the count the owner's handle keeps) and the lease starts over.
-- KEYS[1]: the lock (rlock:<key>, a hash: owner uuid4 -> hold count).
-- ARGV[1]: the owner's uuid4. ARGV[2]: the lease in ms. ARGV[3]: the hold count to store.
-- Returns 1 when granted, 0 when another owner holds the lock.
if not redis.call('HGET', KEYS[1], ARGV[1]) and redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
