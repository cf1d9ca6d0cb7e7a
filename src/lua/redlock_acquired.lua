-- How long a lock still holds our value: its remaining lease, or 0 if it holds another
-- value (or none, or no lease left).
-- KEYS[1]: the lock key (redlock:<key>). ARGV[1]: our value (a uuid4 text).
-- Returns the key's PTTL in ms when it holds ARGV[1] and has a positive one, else 0.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
local left = redis.call('PTTL', KEYS[1])
if left > 0 then
  return left
end
return 0
