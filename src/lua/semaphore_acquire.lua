-- Grant a permit of a counting semaphore if fewer than ARGV[1] are held: drop the holders
-- whose leases ended, count the others, add the new token scored by its expiry.
-- KEYS[1]: the sorted set of holders (member = token, score = expiry in ms of TIME).
-- ARGV[1]: the number of permits; ARGV[2]: the lease in ms; ARGV[3]: the new token.
-- Returns { 1, held after the grant } when granted, else { 0, held, ms until the earliest
-- lease ends, or -1 when that is beyond any lease (a member another program wrote) }.
--@include semaphore_now
--@include semaphore_expire
local held = redis.call('ZCARD', KEYS[1])
if held >= tonumber(ARGV[1]) then
  local first = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]) - now
  if first > 1e15 then first = -1 end
  return { 0, held, first }
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
expire_with_last_lease()
return { 1, held + 1 }
