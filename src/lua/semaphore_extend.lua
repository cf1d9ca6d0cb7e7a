-- Start a held permit's lease over: ARGV[2] ms from now (not added to what was left).
-- KEYS[1]: the sorted set of holders. ARGV[1]: the token; ARGV[2]: the lease in ms.
-- Returns 1 when renewed, 0 when the permit is not held (its lease ended, or released).
--@include semaphore_now
--@include semaphore_expire
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
expire_with_last_lease()
return 1
