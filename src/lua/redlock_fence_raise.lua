-- Raise a lock's fence counter to the token a grant handed out (never lower it), so that
-- the next grant, whose quorum shares a master with this one, counts past it.
-- KEYS[1]: the counter ({redlock:<key>}:fence). ARGV[1]: the token.
-- Returns the counter's value after the call.
local token = tonumber(ARGV[1])
local now = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if now < token then
  redis.call('SET', KEYS[1], ARGV[1])
  return token
end
return now
