-- Count a semaphore's permits held now, or how long one permit's lease still runs. Read-only:
-- expired holders are not counted (nor removed).
-- KEYS[1]: the sorted set of holders. ARGV[1]: a token, or nothing to count.
-- Returns the number of holders whose leases have not ended; with a token, the ms its lease
-- still runs (0 when it is not held; at most 10^15 for a member scored beyond any lease).
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if ARGV[1] then
  local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if not expiry or tonumber(expiry) <= now then return 0 end
  return math.min(tonumber(expiry) - now, 1e15)
end
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
