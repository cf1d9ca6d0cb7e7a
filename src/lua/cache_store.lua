-- Store a call's result and slide the cache's expiry in one step. HSET runs first, so a key
-- of another Redis type fails with WRONGTYPE before anything is written.
-- KEYS[1]: the cache's hash. ARGV[1]: the call's field. ARGV[2]: the result's JSON text.
-- ARGV[3]: the expiry, milliseconds.
-- Returns HSET's answer: 1 for a new entry, 0 when it replaced one.
local added = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return added
