-- Give back holds of a reentrant lock: store the owner's remaining hold count, or delete the
-- lock when none remains. The lease is left as it is. Also undoes a failed attempt.
-- KEYS[1]: the lock (rlock:<key>). ARGV[1]: the owner's uuid4. ARGV[2]: the count that
-- remains (0: delete).
-- Returns 1 when done, 0 when the owner does not hold the lock (never, expired, another's).
if not redis.call('HGET', KEYS[1], ARGV[1]) then
  return 0
end
if tonumber(ARGV[2]) <= 0 then
  return redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
