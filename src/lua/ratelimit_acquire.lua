-- Rate limiter (GCRA, the generic cell rate algorithm): allow ARGV[3] units now if the
-- theoretical arrival time TAT stays within the burst tolerance, and push TAT on.
-- KEYS[1]: a string holding TAT in microseconds of the server's clock (TIME), expiring when
-- TAT is reached (then the limiter is full again and nothing needs to be stored).
-- ARGV[1]: the emission interval T in µs (period / limit, rounded up; >= 1); ARGV[2]: the
-- burst (units allowed at once, >= 1); ARGV[3]: the cost (units, 1 to burst).
-- Returns { 1, 0 } when allowed, { 0, µs to wait until the same call would be allowed }
-- when refused, or { -1 } when the key holds a string that is not a TAT.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local stored = redis.call('GET', KEYS[1])
local tat = now
if stored then
  if #stored > 16 or not string.find(stored, '^%d+$') then return { -1 } end
  tat = tonumber(stored)
  if tat < now then tat = now end
end
local new_tat = tat + cost * interval
local allow_at = new_tat - burst * interval
if allow_at > now then return { 0, allow_at - now } end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return { 1, 0 }
