-- Look up a cached call and slide the cache's expiry in one step. HGET runs first, so a key
-- of another Redis type fails with WRONGTYPE before its expiry could be touched.
-- KEYS[1]: the cache's hash. ARGV[1]: the call's field. ARGV[2]: the expiry, milliseconds.
-- Returns the stored JSON text, or nil when the call is not cached.
local value = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return value
