-- Delete a lock only if it holds our value, so that a lease that ran out and was taken by
-- someone else is never deleted by us.
-- KEYS[1]: the lock key (redlock:<key>). ARGV[1]: our value.
-- Returns 1 when deleted, 0 when the key holds another value or none.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
return redis.call('DEL', KEYS[1])
