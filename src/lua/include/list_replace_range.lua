-- replace_range(key, len, lo, hi, t, i, j): the elements from index lo up to hi (excluded)
-- of the list (of length len) become t[i..j], rebuilding whichever side of the range is
-- shorter. Needs list_push (include it first).
local function replace_range(key, len, lo, hi, t, i, j)
  if lo == hi and j < i then return end
  if lo == 0 and hi == len then
    redis.call('DEL', key)
    rpush_all(key, t, i, j)
  elseif lo <= len - hi then
    local head = {}
    if lo > 0 then head = redis.call('LRANGE', key, 0, lo - 1) end
    redis.call('LTRIM', key, hi, -1)
    lpush_all(key, t, i, j)
    lpush_all(key, head, 1, #head)
  else
    local tail = {}
    if hi < len then tail = redis.call('LRANGE', key, hi, -1) end
    redis.call('LTRIM', key, 0, lo - 1)
    rpush_all(key, t, i, j)
    rpush_all(key, tail, 1, #tail)
  end
end
