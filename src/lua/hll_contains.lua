-- Membership of a batch of elements in a HyperLogLog, by copy and probe: copy the HLL to a
-- scratch key, PFADD one element to the copy; when no register changed, the element may
-- have been added to the HLL, else it surely was not. The copy is made again only after an
-- element changed it, and the scratch key is deleted before the script returns, also when
-- a command fails (redis.pcall: the error is returned after the deletion).
-- KEYS[1]: the HyperLogLog. KEYS[2]: the scratch key (in KEYS[1]'s cluster slot).
-- ARGV: the elements (JSON text).
-- Returns an array with one answer per element: 1 (may have been added) or 0 (was not).
-- An absent HyperLogLog answers 0 for every element, and nothing is written.
local function failed(reply)
  return type(reply) == 'table' and reply.err ~= nil
end
local function fail(reply)
  redis.call('DEL', KEYS[2])
  return reply
end
local answers = {}
local copied = redis.pcall('COPY', KEYS[1], KEYS[2], 'REPLACE')
if failed(copied) then return fail(copied) end
if copied == 0 then -- no HyperLogLog: nothing was added to it
  for i = 1, #ARGV do answers[i] = 0 end
  return answers
end
local same = true -- the scratch key holds an exact copy of the HyperLogLog
for i = 1, #ARGV do
  if not same then
    copied = redis.pcall('COPY', KEYS[1], KEYS[2], 'REPLACE')
    if failed(copied) then return fail(copied) end
    same = true
  end
  local changed = redis.pcall('PFADD', KEYS[2], ARGV[i])
  if failed(changed) then return fail(changed) end
  answers[i] = 1 - changed
  if changed ~= 0 then same = false end
end
redis.call('DEL', KEYS[2])
return answers
