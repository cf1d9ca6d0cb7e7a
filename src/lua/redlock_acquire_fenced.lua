-- Acquire a lock and draw its fencing token in one step: when the lock is free, INCR of
-- its fence counter (which has no expiry: it must only ever grow), then SET PX. The INCR
-- runs first so that a counter that is not an integer fails the call before anything is
-- written.
-- KEYS[1]: the lock key (redlock:<key>). KEYS[2]: its counter ({redlock:<key>}:fence).
-- ARGV[1]: our value (a uuid4 text). ARGV[2]: the lease in ms.
-- Returns the counter's new value (>= 1) when acquired, 0 when the lock is held.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return token
