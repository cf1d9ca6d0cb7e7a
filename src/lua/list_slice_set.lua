-- Assign l[start:stop:step] = values: a contiguous slice is replaced (the list may grow or
-- shrink), an extended one needs exactly as many values as it selects.
-- KEYS[1]: the list. ARGV[1..3]: start, stop, step ('' = omitted; never a step of 0).
-- ARGV[4..]: the values (JSON text).
-- Returns { 1, slicelength } when done, { 0, slicelength } when an extended slice was given
-- the wrong number of values (nothing written).
--@include list_resolve
--@include list_push
--@include list_replace_range
local key = KEYS[1]
local len = redis.call('LLEN', key)
local start, stop, step, n = resolve(len, ARGV[1], ARGV[2], ARGV[3])
if step == 1 then
  local hi = stop
  if hi < start then hi = start end
  replace_range(key, len, start, hi, ARGV, 4, #ARGV)
  return { 1, n }
end
if #ARGV - 3 ~= n then return { 0, n } end
for k = 0, n - 1 do redis.call('LSET', key, start + k * step, ARGV[4 + k]) end
return { 1, n }
