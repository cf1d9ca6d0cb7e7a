-- Store a default in a cache hash unless the field holds a value, slide the expiry, and
-- return the field's value (the one found, or the default), atomically.
-- KEYS[1]: the hash. ARGV[1]: the time to live in milliseconds ('0': leave the expiry
-- alone). ARGV[2]: the field, ARGV[3]: the default (JSON text).
-- Returns the value stored at the field.
redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3])
local value = redis.call('HGET', KEYS[1], ARGV[2])
if ARGV[1] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return value
