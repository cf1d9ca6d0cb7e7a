-- The end of a large update, in MULTI: checks the staged counts and copies them into
-- the counter, or reports the chunks' failure; deletes the staging hash.
-- KEYS: the counter, the staging hash. ARGV[1]: 'i' or 'u' (as counter_update).
-- Returns the number of counts written, or a failure array (counter_update.c).
--@include counter_parse
--@include counter_fits
local key, stage = KEYS[1], KEYS[2]
local kind = redis.call('HGET', stage, '')
if kind then
 local err = {kind}
 for i = 2, 4 do
  local v = redis.call('HGET', stage, ' ' .. i)
  if not v then break end
  err[i] = v
 end
 redis.call('DEL', stage)
 return err
end
local staged = redis.call('HGETALL', stage)
redis.call('DEL', stage)
if ARGV[1] == 'i' and redis.call('EXISTS', key) == 1 then return {'exists', key} end
for i = 1, #staged, 2 do
 if not fits(parse(staged[i + 1], true)) then return {'range', key, staged[i]} end
end
for i = 1, #staged, 2000 do
 redis.call('HSET', key, unpack(staged, i, math.min(i + 1999, #staged)))
end
return #staged / 2
