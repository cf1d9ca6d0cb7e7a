-- Read l[start:stop:step], resolved with Python's rules on the current length.
-- KEYS[1]: the list. ARGV[1..3]: start, stop, step ('' = omitted; the step is never 0).
-- Returns the selected elements, in slice order (an empty selection reads only LLEN).
--@include list_resolve
local key = KEYS[1]
local len = redis.call('LLEN', key)
local start, stop, step, n = resolve(len, ARGV[1], ARGV[2], ARGV[3])
if n == 0 then return {} end
if step == 1 then return redis.call('LRANGE', key, start, start + n - 1) end
local astep = math.abs(step)
local lo = start
if step < 0 then lo = start + (n - 1) * step end
local last = lo + (n - 1) * astep
local out = {}
local k = 0
while k < n do
  local from = lo + k * astep
  local to = math.min(from + 1023, last)
  local chunk = redis.call('LRANGE', key, from, to)
  while k < n and lo + k * astep <= to do
    out[#out + 1] = chunk[lo + k * astep - from + 1]
    k = k + 1
  end
end
if step < 0 then
  local i, j = 1, #out
  while i < j do out[i], out[j] = out[j], out[i]; i = i + 1; j = j - 1 end
end
return out
