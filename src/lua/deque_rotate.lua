-- Rotate a deque n steps to the right (n < 0: to the left), n reduced modulo the length as
-- Python does (digit by digit, so any int64 stays exact). Moves whichever end is shorter:
-- the last r elements to the front, or the first len - r to the back.
-- KEYS[1]: the list. ARGV[1]: n, as decimal int64 text.
-- Returns how many steps to the right were made (0 <= r < len).
--@include list_push
local key = KEYS[1]
local len = redis.call('LLEN', key)
if len == 0 then return 0 end
local s = ARGV[1]
local neg = string.sub(s, 1, 1) == '-'
local r = 0
for i = neg and 2 or 1, #s do r = (r * 10 + string.byte(s, i) - 48) % len end
if neg then r = (len - r) % len end
if r == 0 then return 0 end
if r <= len - r then
  local moved = redis.call('LRANGE', key, len - r, -1)
  redis.call('LTRIM', key, 0, len - r - 1)
  lpush_all(key, moved, 1, #moved)
else
  local moved = redis.call('LRANGE', key, 0, len - r - 1)
  redis.call('LTRIM', key, len - r, -1)
  rpush_all(key, moved, 1, #moved)
end
return r
