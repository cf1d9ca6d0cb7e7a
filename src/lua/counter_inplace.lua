-- c += other, -=, |=, &=: afterwards only positive counts remain; every result is
-- checked before the first write. KEYS: the counter [, the other one].
-- ARGV[1]: '+', '-', '|' or '&'; without KEYS[2], then the other's field, count pairs.
-- Returns the number of keys left, or a failure array (counter_update.c).
--@include counter_parse
--@include counter_arith
--@include counter_fits
--@include counter_write
--@include counter_store
local key, op = KEYS[1], ARGV[1]
local fields, seen, SH, SL, OH, OL = {}, {}, {}, {}, {}, {}
local function read(list, first, H, L, from)
 for i = first, #list, 2 do
  local f = list[i]
  local h, l = parse(list[i + 1])
  if not h then return {'decode', from, f, list[i + 1]} end
  H[f], L[f] = h, l
  if not seen[f] then seen[f] = true; fields[#fields + 1] = f end
 end
end
local err = read(redis.call('HGETALL', key), 1, SH, SL, key)
if err then return err end
if #KEYS == 2 then
 err = read(redis.call('HGETALL', KEYS[2]), 1, OH, OL, KEYS[2])
else
 err = read(ARGV, 2, OH, OL, key)
end
if err then return err end
local keep, drop, H, L = {}, {}, {}, {}
for _, f in ipairs(fields) do
 local sh, sl, oh, ol = SH[f] or 0, SL[f] or 0, OH[f] or 0, OL[f] or 0
 local h, l
 if op == '+' then h, l = add(sh, sl, oh, ol)
 elseif op == '-' then h, l = add(sh, sl, neg(oh, ol))
 elseif op == '|' then if less(sh, sl, oh, ol) then h, l = oh, ol else h, l = sh, sl end
 elseif less(oh, ol, sh, sl) then h, l = oh, ol else h, l = sh, sl end
 if h > 0 or (h == 0 and l > 0) then
  if not fits(h, l) then return {'range', key, f} end
  if not (SH[f] == h and SL[f] == l) then keep[#keep + 1] = f; H[f], L[f] = h, l end
 elseif SH[f] then
  drop[#drop + 1] = f
 end
end
for i = 1, #drop, 1000 do
 redis.call('HDEL', key, unpack(drop, i, math.min(i + 999, #drop)))
end
store(key, keep, H, L)
return redis.call('HLEN', key)
