-- Search a list for any of the exact spellings of a value (every canonical JSON text that
-- Python considers equal to it): count them, find the first, or remove the first.
-- KEYS[1]: the list. ARGV[1]: the operation, 'c' count, 'i' index, 'r' remove the first.
-- ARGV[2], ARGV[3]: index()'s start and stop ('' = omitted; ignored by 'c'). ARGV[4]: for
-- 'r', a fresh placeholder (a uuid4 in plain text, never JSON), else ''. ARGV[5..]: the
-- spellings.
-- Returns the count ('c'), or the index found, -1 when there is none ('i', 'r').
local key = KEYS[1]
local len = redis.call('LLEN', key)
if ARGV[1] == 'c' then
  local total = 0
  if len == 0 then return 0 end
  for k = 5, #ARGV do total = total + #redis.call('LPOS', key, ARGV[k], 'COUNT', 0) end
  return total
end
local start, stop = 0, len
if ARGV[2] ~= '' then
  start = tonumber(ARGV[2])
  if start < 0 then start = math.max(start + len, 0) end
end
if ARGV[3] ~= '' then
  stop = tonumber(ARGV[3])
  if stop < 0 then stop = math.max(stop + len, 0) elseif stop > len then stop = len end
end
if start >= stop or #ARGV < 5 then return -1 end
local found = -1
if start == 0 then
  local limit = stop
  for k = 5, #ARGV do
    if limit <= 0 then break end
    local p = redis.call('LPOS', key, ARGV[k], 'MAXLEN', limit)
    if p then found = p; limit = p end
  end
else
  local wanted = {}
  for k = 5, #ARGV do wanted[ARGV[k]] = true end
  local from = start
  while from < stop and found < 0 do
    local to = math.min(from + 999, stop - 1)
    local chunk = redis.call('LRANGE', key, from, to)
    for j = 1, #chunk do
      if wanted[chunk[j]] then found = from + j - 1; break end
    end
    from = to + 1
  end
end
if found >= 0 and ARGV[1] == 'r' then
  redis.call('LSET', key, found, ARGV[4])
  if found < len / 2 then redis.call('LREM', key, 1, ARGV[4])
  else redis.call('LREM', key, -1, ARGV[4]) end
end
return found
