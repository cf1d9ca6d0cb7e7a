-- Give a semaphore's permit back: remove its token if its lease has not ended.
-- KEYS[1]: the sorted set of holders. ARGV[1]: the token.
-- Returns 1 when the permit was held (and is now free), 0 when it was not.
--@include semaphore_now
--@include semaphore_expire
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
expire_with_last_lease()
return removed
