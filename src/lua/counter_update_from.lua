-- Add every count of another counter on the server (maybe itself) to a counter, or take
-- them away; every result is checked before the first write.
-- KEYS: the counter, the other one. ARGV[1]: '+' or '-'.
-- Returns the number of counts written, or a failure array (counter_update.c).
--@include counter_parse
--@include counter_arith
--@include counter_fits
--@include counter_load
--@include counter_write
--@include counter_store
local key, src = KEYS[1], KEYS[2]
local other = redis.call('HGETALL', src)
local fields, H, L = {}, {}, {}
for i = 1, #other, 2 do fields[#fields + 1] = other[i] end
local err = load(key, fields, H, L)
if err then return err end
for i = 1, #other, 2 do
 local f = other[i]
 local h, l = parse(other[i + 1])
 if not h then return {'decode', src, f, other[i + 1]} end
 if ARGV[1] == '-' then h, l = neg(h, l) end
 H[f], L[f] = add(H[f], L[f], h, l)
end
err = store(key, fields, H, L)
if err then return err end
return #fields
