-- A chunk of a large update, in MULTI: sums its counts into the staging hash (a failure
-- is kept there at field ''; later chunks skip). KEYS: the counter, the staging hash.
-- ARGV as counter_update. Returns 1 when summed, 0 otherwise (counter_commit reports).
--@include counter_parse
--@include counter_arith
--@include counter_load
--@include counter_accumulate
--@include counter_write
local key, stage = KEYS[1], KEYS[2]
if redis.call('HEXISTS', stage, '') == 1 then return 0 end
local fields, H, L, stored = distinct(ARGV, 3), {}, {}, {}
for i = 1, #fields, 1000 do
 local j = math.min(i + 999, #fields)
 local cur = redis.call('HMGET', stage, unpack(fields, i, j))
 for k = i, j do
  local f, v = fields[k], cur[k - i + 1]
  if v then H[f], L[f] = parse(v, true) else stored[#stored + 1] = f end
 end
end
local err = current(key, stored, H, L) or accumulate(key, ARGV, 3, ARGV[2], H, L)
if err then
 local args = {'', err[1]}
 for i = 2, #err do args[#args + 1] = ' ' .. i; args[#args + 1] = err[i] end
 redis.call('HSET', stage, unpack(args))
 return 0
end
write(stage, fields, H, L)
return 1
