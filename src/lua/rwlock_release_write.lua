-- Give back a read-write lock held for writing, and the writer's waiting mark if it left
-- one (also what a waiting writer that gives up runs).
-- KEYS[1]: the writer ({rwlock:<key>}:write). KEYS[2]: the waiting writer
-- ({rwlock:<key>}:writer_waiting). ARGV[1]: the writer's uuid4.
-- Returns 1 when the writer held the lock, 0 otherwise.
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
return redis.call('DEL', KEYS[1])
