-- Renew the leases of many locks at once (a watchdog's tick): each lock that holds our
-- value gets its lease back in full; the others are left alone.
-- Either KEYS[i] are the lock keys (redlock:<key>, one hash slot: on a Redis Cluster) and
-- ARGV[2i-1], ARGV[2i] our value and the lease in ms for KEYS[i]; or, with no KEYS (on a
-- server, so that locks of any slot renew in one call), ARGV[3i-2], ARGV[3i-1], ARGV[3i]
-- are the key, our value and the lease of lock i.
-- Returns an array with, for each lock in order, 1 when renewed, 0 when it holds another
-- value, another Redis type or nothing (a key of another type must not fail the call, and
-- with it the renewal of every other lock of the tick).
local function renew(key, value, lease)
  if redis.pcall('GET', key) ~= value then
    return 0
  end
  return redis.call('PEXPIRE', key, lease)
end
local out = {}
if #KEYS > 0 then
  for i = 1, #KEYS do
    out[i] = renew(KEYS[i], ARGV[2 * i - 1], ARGV[2 * i])
  end
else
  for i = 1, #ARGV / 3 do
    out[i] = renew(ARGV[3 * i - 2], ARGV[3 * i - 1], ARGV[3 * i])
  end
end
return out
