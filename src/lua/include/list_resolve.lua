-- resolve(len, start, stop, step): Python's slice(start, stop, step).indices(len) and the
-- slice length, each field given as text with '' meaning omitted. The step is never 0 here
-- (the client refuses it). Returns start, stop, step, n (how many indexes it selects).
local function resolve(len, a, b, c)
  local step = 1
  if c ~= '' then step = tonumber(c) end
  local lower, upper = 0, len
  if step < 0 then lower, upper = -1, len - 1 end
  local function fix(s, dflt)
    if s == '' then return dflt end
    local v = tonumber(s)
    if v < 0 then v = v + len; if v < lower then v = lower end
    elseif v > upper then v = upper end
    return v
  end
  local start, stop
  if step < 0 then start, stop = fix(a, upper), fix(b, lower)
  else start, stop = fix(a, lower), fix(b, upper) end
  local n = 0
  if step < 0 and stop < start then n = math.floor((start - stop - 1) / -step) + 1
  elseif step > 0 and start < stop then n = math.floor((stop - start - 1) / step) + 1 end
  return start, stop, step, n
end
