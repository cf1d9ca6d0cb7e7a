-- expire_with_last_lease(): the key expires when its last holder's lease ends (or is
-- deleted when nobody holds a permit), so an idle semaphore leaves nothing behind; a
-- member another program scored beyond any lease (+inf) keeps it for good. A part
-- (--@include semaphore_expire): needs `now` (semaphore_now).
local function expire_with_last_lease()
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
  if not last then return end
  local ttl = tonumber(last) - now + 1
  if ttl < 1e15 then
    redis.call('PEXPIRE', KEYS[1], ttl)
  else
    redis.call('PERSIST', KEYS[1])
  end
end
