-- Slide a cache hash's expiry after a read, without touching a key of another type.
-- KEYS[1]: the hash. ARGV[1]: the time to live in milliseconds.
-- Returns 1 when the expiry was set, 0 when the key does not exist or is not a hash.
if redis.call('TYPE', KEYS[1])['ok'] ~= 'hash' then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[1])
