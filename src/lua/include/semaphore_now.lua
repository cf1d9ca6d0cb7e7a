-- now: the server's clock in ms (TIME), and the holders whose leases ended dropped from the
-- sorted set KEYS[1] (score = expiry in ms). A part (--@include semaphore_now): defines
-- locals only.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
