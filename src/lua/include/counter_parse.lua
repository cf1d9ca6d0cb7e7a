-- Exact counts as pairs (h, l) = h * 10^9 + l (counter_update.c). parse(s [, loose]).
local B, find, floor, format, sub = 1000000000, string.find, math.floor, string.format, string.sub
local function parse(s, loose)
 if s == '1' then return 0, 1 end
 if not find(s, '^%-?[1-9]%d*$') then
  if s == '0' then return 0, 0 end
  return nil
 end
 if #s <= 15 then
  local v = tonumber(s)
  local h = floor(v / B)
  return h, v - h * B
 end
 local negative, d = false, s
 if string.byte(s, 1) == 45 then negative, d = true, sub(s, 2) end
 if loose then
  if #d > 24 then return nil end
 elseif #d > 19 or (#d == 19 and d > (negative and '9223372036854775808' or '9223372036854775807')) then
  return nil
 end
 local h, l = tonumber(sub(d, 1, #d - 9)), tonumber(sub(d, -9))
 if not negative then return h, l end
 if l == 0 then return -h, 0 end
 return -h - 1, B - l
end
